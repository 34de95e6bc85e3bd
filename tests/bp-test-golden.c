/* bp-test-golden.c — golden-image comparison shared by the drawing tests
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-test-golden.h"

#include <glib.h>

static void
save_actual (cairo_surface_t *surface,
             const char      *name)
{
  const char *dir = g_getenv ("BACKPROP_TEST_OUTPUT");
  g_autofree char *file = g_strdup_printf ("actual-%s", name);
  g_autofree char *path = g_build_filename (dir != NULL ? dir : ".", file, NULL);

  if (cairo_surface_write_to_png (surface, path) == CAIRO_STATUS_SUCCESS)
    g_test_message ("actual image saved as %s", path);
}

double
bp_test_bad_pixel_share (cairo_surface_t *a,
                         cairo_surface_t *b)
{
  int width = cairo_image_surface_get_width (a);
  int height = cairo_image_surface_get_height (a);
  const guint8 *da = cairo_image_surface_get_data (a);
  const guint8 *db = cairo_image_surface_get_data (b);
  int sa = cairo_image_surface_get_stride (a);
  int sb = cairo_image_surface_get_stride (b);
  gsize bad = 0;

  for (int y = 0; y < height; y++)
    {
      const guint32 *ra = (const guint32 *) (gconstpointer) (da + (gsize) y * sa);
      const guint32 *rb = (const guint32 *) (gconstpointer) (db + (gsize) y * sb);

      for (int x = 0; x < width; x++)
        for (int shift = 0; shift < 24; shift += 8)
          {
            int ca = (ra[x] >> shift) & 0xff;
            int cb = (rb[x] >> shift) & 0xff;

            if (ABS (ca - cb) > BP_GOLDEN_CHANNEL_TOLERANCE)
              {
                bad++;
                break;
              }
          }
    }

  return (double) bad / ((double) width * height);
}

void
bp_test_assert_golden (cairo_surface_t *surface,
                       const char      *name)
{
  const char *data = g_getenv ("BACKPROP_TEST_DATA");
  g_autofree char *path = NULL;
  cairo_surface_t *golden;
  double share;

  g_assert_nonnull (data);
  path = g_build_filename (data, "golden", name, NULL);
  cairo_surface_flush (surface);

  if (g_strcmp0 (g_getenv ("BACKPROP_UPDATE_GOLDEN"), "1") == 0)
    {
      g_assert_cmpint (cairo_surface_write_to_png (surface, path), ==, CAIRO_STATUS_SUCCESS);
      g_test_message ("golden image %s rewritten", path);
      return;
    }

  golden = cairo_image_surface_create_from_png (path);
  if (cairo_surface_status (golden) != CAIRO_STATUS_SUCCESS)
    {
      save_actual (surface, name);
      g_error ("%s: cannot read the golden image (%s); run with BACKPROP_UPDATE_GOLDEN=1 "
               "to create it", path, cairo_status_to_string (cairo_surface_status (golden)));
    }

  g_assert_cmpint (cairo_image_surface_get_width (golden), ==,
                   cairo_image_surface_get_width (surface));
  g_assert_cmpint (cairo_image_surface_get_height (golden), ==,
                   cairo_image_surface_get_height (surface));

  share = bp_test_bad_pixel_share (surface, golden);
  g_test_message ("%s: %.3f%% of the pixels differ", name, 100.0 * share);
  if (share > BP_GOLDEN_MAX_BAD_SHARE)
    save_actual (surface, name);
  g_assert_cmpfloat (share, <=, BP_GOLDEN_MAX_BAD_SHARE);

  cairo_surface_destroy (golden);
}
