/* bp-digit-folder.c — a folder of PNG pictures named DIGIT/NAME.png as an MNIST-like data set
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-digit-folder.h"

#include <cairo.h>
#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include "bp-png.h"
#include "bp-preprocess.h"

#define N_PIXELS BP_PREPROCESS_N_PIXELS

gboolean
bp_digit_folder_read_picture (const char *path,
                              float      *input,
                              char      **message)
{
  g_autofree guint8 *grey = NULL;
  BpError error = { 0 };
  BpPreprocessStatus status;
  int width = 0, height = 0;

  g_return_val_if_fail (path != NULL && input != NULL && message != NULL, FALSE);

  grey = bp_png_load_grey (path, &width, &height, message);
  if (grey == NULL)
    return FALSE;
  status = bp_preprocess_u8 (grey, (size_t) width, (size_t) height, (size_t) width,
                             BP_POLARITY_AUTO, input, NULL, &error);
  if (status == BP_PREPROCESS_EMPTY)
    {
      *message = g_strdup ("the picture is one flat colour: no digit on it");
      return FALSE;
    }
  if (status != BP_PREPROCESS_OK)
    {
      *message = g_strdup (error.message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
is_png_name (const char *name)
{
  gsize len = strlen (name);

  return name[0] != '.' && len > 4 && g_ascii_strcasecmp (name + len - 4, ".png") == 0;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The .png names in @digit_dir, sorted; NULL with @error when it cannot be listed. */
static GPtrArray *
list_pictures (const char *digit_dir,
               GError    **error)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  dir = g_dir_open (digit_dir, 0, error);
  if (dir == NULL)
    return NULL;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (is_png_name (name))
      {
        if (names->len >= BP_DIGIT_FOLDER_MAX_PICTURES)
          {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                         "%s: more than %u pictures", digit_dir, BP_DIGIT_FOLDER_MAX_PICTURES);
            return NULL;
          }
        g_ptr_array_add (names, g_strdup (name));
      }
  g_ptr_array_sort (names, compare_names);
  return g_steal_pointer (&names);
}

BpDigitFolder *
bp_digit_folder_load (const char *dir,
                      GError    **error)
{
  g_autoptr(BpDigitFolder) folder = g_new0 (BpDigitFolder, 1);
  g_autoptr(GByteArray) pixels = g_byte_array_new ();
  g_autoptr(GByteArray) labels = g_byte_array_new ();
  BpError engine_error = { 0 };
  GStatBuf st;
  guint n_seen = 0;

  g_return_val_if_fail (dir != NULL, NULL);

  folder->paths = g_ptr_array_new_with_free_func (g_free);
  folder->warnings = g_ptr_array_new_with_free_func (g_free);

  if (g_stat (dir, &st) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", dir,
                   g_strerror (saved));
      return NULL;
    }
  if (!S_ISDIR (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY,
                   "%s: not a folder (a folder with subfolders 0 to 9 of PNG pictures is needed)",
                   dir);
      return NULL;
    }

  for (guint digit = 0; digit < 10; digit++)
    {
      char digit_name[2] = { (char) ('0' + digit), '\0' };
      g_autofree char *digit_dir = g_build_filename (dir, digit_name, NULL);
      g_autoptr(GPtrArray) names = NULL;
      g_autoptr(GError) local_error = NULL;
      guint8 label = (guint8) digit;

      if (!g_file_test (digit_dir, G_FILE_TEST_IS_DIR))
        continue;
      names = list_pictures (digit_dir, &local_error);
      if (names == NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      for (guint i = 0; i < names->len; i++)
        {
          g_autofree char *path = g_build_filename (digit_dir, names->pdata[i], NULL);
          g_autofree char *message = NULL;
          float input[N_PIXELS];
          guint8 bytes[N_PIXELS];

          if (++n_seen > BP_DIGIT_FOLDER_MAX_PICTURES)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "%s: more than %u pictures", dir, BP_DIGIT_FOLDER_MAX_PICTURES);
              return NULL;
            }
          if (!bp_digit_folder_read_picture (path, input, &message))
            {
              g_ptr_array_add (folder->warnings,
                               g_strdup_printf ("%s: skipped: %s", path, message));
              continue;
            }
          /* MNIST's bytes: the loader divides by 255, so the float comes back within 1/510. */
          for (guint p = 0; p < N_PIXELS; p++)
            bytes[p] = (guint8) lrintf (CLAMP (input[p], 0.0f, 1.0f) * 255.0f);
          /* At most BP_DIGIT_FOLDER_MAX_PICTURES × 784 bytes: 78 MB. */
          g_byte_array_append (pixels, bytes, N_PIXELS);
          g_byte_array_append (labels, &label, 1);
          g_ptr_array_add (folder->paths, g_steal_pointer (&path));
        }
    }

  if (labels->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   n_seen == 0 ? "%s: no PNG pictures in subfolders 0 to 9"
                               : "%s: none of its pictures could be used",
                   dir);
      return NULL;
    }

  folder->set = bp_dataset_new_from_data (labels->len, BP_PREPROCESS_SIDE, BP_PREPROCESS_SIDE,
                                          pixels->data, labels->data, 10, &engine_error);
  if (folder->set == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", dir, engine_error.message);
      return NULL;
    }
  /* Ten classes even when the folder holds only some digits: the model's outputs are ten. */
  folder->set->n_classes = 10;
  return g_steal_pointer (&folder);
}

void
bp_digit_folder_free (BpDigitFolder *folder)
{
  if (folder == NULL)
    return;
  if (folder->set != NULL)
    bp_dataset_free (folder->set);
  g_clear_pointer (&folder->paths, g_ptr_array_unref);
  g_clear_pointer (&folder->warnings, g_ptr_array_unref);
  g_free (folder);
}

static cairo_status_t
append_cb (void                *closure,
           const unsigned char *data,
           unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

GBytes *
bp_digit_folder_encode_png (const guint8 *grey,
                            int           width,
                            int           height,
                            int           stride,
                            char        **message)
{
  cairo_surface_t *surface;
  GByteArray *bytes;
  cairo_status_t status;
  guint8 *data;
  int out_stride;

  g_return_val_if_fail (grey != NULL && width > 0 && height > 0 && stride >= width, NULL);

  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  status = cairo_surface_status (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      *message = g_strdup_printf ("cannot make the picture: %s", cairo_status_to_string (status));
      cairo_surface_destroy (surface);
      return NULL;
    }
  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  out_stride = cairo_image_surface_get_stride (surface);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint32 g = grey[(gsize) y * (gsize) stride + (gsize) x];

        ((guint32 *) (void *) (data + (gsize) y * (gsize) out_stride))[x] = (g << 16) | (g << 8) | g;
      }
  cairo_surface_mark_dirty (surface);
  bytes = g_byte_array_new ();
  status = cairo_surface_write_to_png_stream (surface, append_cb, bytes);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      *message = g_strdup_printf ("cannot encode the picture: %s", cairo_status_to_string (status));
      g_byte_array_unref (bytes);
      return NULL;
    }
  return g_byte_array_free_to_bytes (bytes);
}

guint
bp_digit_folder_auto_repeat (gsize n_train,
                             gsize n_extra)
{
  gsize want;

  if (n_extra == 0)
    return 1;
  want = (n_train / 100 + n_extra - 1) / n_extra;
  return (guint) CLAMP (want, 1, 20);
}

BpDataset *
bp_digit_folder_mix (const BpDataset *mnist,
                     const BpDataset *extra,
                     guint            repeat,
                     GError         **error)
{
  g_autofree guint8 *pixels = NULL;
  g_autofree guint8 *labels = NULL;
  BpError engine_error = { 0 };
  BpDataset *mixed;
  gsize n, np;

  g_return_val_if_fail (mnist != NULL && extra != NULL && repeat > 0, NULL);

  if (mnist->n_pixels != extra->n_pixels || mnist->rows != extra->rows)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "the extra pictures are %zu×%zu but the training images %zu×%zu",
                   extra->cols, extra->rows, mnist->cols, mnist->rows);
      return NULL;
    }
  np = mnist->n_pixels;
  if (extra->n > (G_MAXSIZE / np - mnist->n) / repeat)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "too many examples");
      return NULL;
    }
  n = mnist->n + extra->n * repeat;
  pixels = g_try_malloc (n * np);
  labels = g_try_malloc (n);
  if (pixels == NULL || labels == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   "not enough memory for %zu training examples", n);
      return NULL;
    }
  memcpy (pixels, mnist->pixels, mnist->n * np);
  memcpy (labels, mnist->labels, mnist->n);
  for (guint r = 0; r < repeat; r++)
    {
      gsize at = mnist->n + r * extra->n;

      memcpy (pixels + at * np, extra->pixels, extra->n * np);
      memcpy (labels + at, extra->labels, extra->n);
    }
  mixed = bp_dataset_new_from_data (n, mnist->rows, mnist->cols, pixels, labels,
                                    MAX (mnist->n_classes, extra->n_classes), &engine_error);
  if (mixed == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", engine_error.message);
  return mixed;
}
