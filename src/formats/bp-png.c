/* bp-png.c — PNG bytes to the 8-bit grey image bp-preprocess reads, by Cairo
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shared by `backprop-cli classify` and the fuzz-preprocess target, so the fuzzer runs the very
 * code that reads users' files.
 */
#include "config.h"

#include "bp-png.h"

#include <cairo.h>
#include <string.h>

static const guint8 png_signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

typedef struct
{
  const guint8 *data;
  gsize         len;
  gsize         pos;
} Reader;

static cairo_status_t
read_cb (void          *closure,
         unsigned char *data,
         unsigned int   length)
{
  Reader *reader = closure;

  if (length > reader->len - reader->pos)
    return CAIRO_STATUS_READ_ERROR;
  memcpy (data, reader->data + reader->pos, length);
  reader->pos += length;
  return CAIRO_STATUS_SUCCESS;
}

static guint32
read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

guint8 *
bp_png_to_grey (const guint8 *data,
                    gsize         len,
                    int          *width,
                    int          *height,
                    char        **message)
{
  Reader reader = { data, len, 0 };
  cairo_surface_t *png, *flat;
  cairo_t *cr;
  const guint8 *pixels;
  guint8 *grey;
  int w, h, stride;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (len < sizeof png_signature || memcmp (data, png_signature, sizeof png_signature) != 0)
    {
      *message = g_strdup ("not a PNG file (classify reads PNG images only)");
      return NULL;
    }

  /* The IHDR chunk comes first (signature, length, "IHDR", width, height): check the size it
   * claims before anything is allocated for it. libpng checks the rest. */
  if (len >= 24 && memcmp (data + 12, "IHDR", 4) == 0)
    {
      guint64 iw = read_be32 (data + 16);
      guint64 ih = read_be32 (data + 20);

      if (iw * ih > BP_PNG_MAX_PIXELS)
        {
          *message = g_strdup_printf ("the image is %" G_GUINT64_FORMAT "×%" G_GUINT64_FORMAT
                                      " pixels, more than the %u megapixels classify reads",
                                      iw, ih, BP_PNG_MAX_PIXELS / (1024u * 1024u));
          return NULL;
        }
    }

  png = cairo_image_surface_create_from_png_stream (read_cb, &reader);
  if (cairo_surface_status (png) != CAIRO_STATUS_SUCCESS)
    {
      *message = g_strdup_printf ("a damaged or unsupported PNG file (%s)",
                                  cairo_status_to_string (cairo_surface_status (png)));
      cairo_surface_destroy (png);
      return NULL;
    }

  w = cairo_image_surface_get_width (png);
  h = cairo_image_surface_get_height (png);
  flat = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);
  cr = cairo_create (flat);
  cairo_set_source_rgb (cr, 1.0, 1.0, 1.0);
  cairo_paint (cr);
  cairo_set_source_surface (cr, png, 0.0, 0.0);
  cairo_paint (cr);
  cairo_destroy (cr);
  cairo_surface_destroy (png);
  cairo_surface_flush (flat);
  if (cairo_surface_status (flat) != CAIRO_STATUS_SUCCESS)
    {
      *message = g_strdup_printf ("cannot convert the image: %s",
                                  cairo_status_to_string (cairo_surface_status (flat)));
      cairo_surface_destroy (flat);
      return NULL;
    }

  pixels = cairo_image_surface_get_data (flat);
  stride = cairo_image_surface_get_stride (flat);
  grey = g_malloc ((gsize) w * (gsize) h);
  for (int y = 0; y < h; y++)
    {
      const guint32 *row = (const guint32 *) (const void *) (pixels + (gsize) y * (gsize) stride);
      guint8 *out = grey + (gsize) y * (gsize) w;

      for (int x = 0; x < w; x++)
        {
          guint32 p = row[x];
          guint32 r = (p >> 16) & 0xff, g = (p >> 8) & 0xff, b = p & 0xff;

          /* Rec. 601 luma, the weights a greyscale scanner uses. */
          out[x] = (guint8) ((299 * r + 587 * g + 114 * b + 500) / 1000);
        }
    }
  cairo_surface_destroy (flat);

  *width = w;
  *height = h;
  return grey;
}
