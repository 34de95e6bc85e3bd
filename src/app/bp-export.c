/* bp-export.c — export a plot as PNG, SVG or PDF and the metric history as CSV
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every export is made in memory first and then handed to save_bytes(), which writes a
 * temporary file beside the target and renames it over the target (bp_file_replace()): a reader
 * never sees half a file, and a failed export (a full disk, a read-only folder) leaves the old
 * file as it was.
 * g_file_replace_contents() does not promise that: in a read-only folder it truncates a
 * writable existing file and writes it in place, and when a write fails half-way its close
 * still renames the partial temporary file over the target.
 */
#include "config.h"

#include "bp-export.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "bp-file.h"
#include "bp-history-csv.h"

/* PDF points per logical pixel (the CSS pixel, 1/96 inch): the page is as big as the plot
 * looks on a screen of 96 dpi. */
#define PT_PER_PX 0.75

typedef struct
{
  const char *extension;
  const char *mime_type;
} FormatInfo;

static const FormatInfo formats[] = {
  [BP_EXPORT_FORMAT_PNG] = { "png", "image/png" },
  [BP_EXPORT_FORMAT_SVG] = { "svg", "image/svg+xml" },
  [BP_EXPORT_FORMAT_PDF] = { "pdf", "application/pdf" },
};

gboolean
bp_export_format_from_name (const char     *name,
                            BpExportFormat *format)
{
  const char *base;
  const char *dot;

  g_return_val_if_fail (name != NULL, FALSE);

  /* The extension of the last path component; a leading dot marks a hidden file, not an
   * extension (".png" has none). */
  base = strrchr (name, G_DIR_SEPARATOR);
  base = base != NULL ? base + 1 : name;
  dot = strrchr (base, '.');
  if (dot == NULL || dot == base)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    if (g_ascii_strcasecmp (dot + 1, formats[i].extension) == 0)
      {
        if (format != NULL)
          *format = (BpExportFormat) i;
        return TRUE;
      }

  return FALSE;
}

const char *
bp_export_format_get_extension (BpExportFormat format)
{
  g_return_val_if_fail ((guint) format < G_N_ELEMENTS (formats), NULL);

  return formats[format].extension;
}

const char *
bp_export_format_get_mime_type (BpExportFormat format)
{
  g_return_val_if_fail ((guint) format < G_N_ELEMENTS (formats), NULL);

  return formats[format].mime_type;
}

/* Saving */

static gboolean
fail (GError      **error,
      GFile        *file,
      GIOErrorEnum  code,
      const char   *reason)
{
  g_autofree char *name = g_file_get_parse_name (file);

  /* Translators: a file's name, then why it could not be written ("No space left on device"). */
  g_set_error (error, G_IO_ERROR, code, _("Could not save “%s”: %s"), name, reason);
  return FALSE;
}

/* Through bp_file_replace(): a temporary file beside the target, renamed over it, which
 * follows a symbolic link, keeps the old file's permissions and refuses a target that is not a
 * regular file (a device node would otherwise become a regular file). */
static gboolean
save_local (GFile      *file,
            const char *path,
            const void *data,
            gsize       size,
            GError    **error)
{
  BpError bp_error = { 0 };
  const char *reason;
  int errsv;

  if (bp_file_replace (path, data, size, &bp_error))
    return TRUE;

  errsv = errno;
  /* "PATH: not saved: REASON": the sentence below names the file itself. */
  reason = strstr (bp_error.message, ": not saved: ");
  reason = reason != NULL ? reason + strlen (": not saved: ") : bp_error.message;
  return fail (error, file, g_io_error_from_errno (errsv), reason);
}

/* Write @data into @file through a temporary file in the same folder, renamed over @file. */
static gboolean
save_bytes (GFile      *file,
            const void *data,
            gsize       size,
            GError    **error)
{
  g_autofree char *path = g_file_get_path (file);
  g_autoptr(GError) local_error = NULL;

  /* The document portal and GVfs's FUSE mount give a path for the files of a sandboxed app
   * and of remote places; a location without one is left to GIO's own temporary file. */
  if (path != NULL)
    return save_local (file, path, data, size, error);

  if (!g_file_replace_contents (file, data, size, NULL, FALSE, G_FILE_CREATE_NONE, NULL, NULL,
                                &local_error))
    return fail (error, file,
                 local_error->domain == G_IO_ERROR ? (GIOErrorEnum) local_error->code
                                                   : G_IO_ERROR_FAILED,
                 local_error->message);

  return TRUE;
}

/* Drawing */

static cairo_status_t
append_cb (void                *closure,
           const unsigned char *data,
           unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

/* Draw @plot into a new file of @format held in @buffer. */
static cairo_status_t
render (BpPlot         *plot,
        BpExportFormat  format,
        int             width,
        int             height,
        int             scale,
        gboolean        dark,
        GByteArray     *buffer)
{
  cairo_surface_t *surface = NULL;
  cairo_status_t status;
  cairo_t *cr;

  switch (format)
    {
    case BP_EXPORT_FORMAT_PNG:
      /* Opaque, as the chart paints its background: an RGB PNG. The device scale is how GTK
       * draws for HiDPI too, so the text is laid out as on such a screen. */
      surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width * scale, height * scale);
      cairo_surface_set_device_scale (surface, scale, scale);
      break;

    case BP_EXPORT_FORMAT_SVG:
      surface = cairo_svg_surface_create_for_stream (append_cb, buffer, width, height);
      /* Cairo 1.16 writes bare numbers unless told; "px" says what they are. */
      cairo_svg_surface_set_document_unit (surface, CAIRO_SVG_UNIT_PX);
      break;

    case BP_EXPORT_FORMAT_PDF:
      {
        const char *title = bp_plot_get_title (plot);

        surface = cairo_pdf_surface_create_for_stream (append_cb, buffer,
                                                       width * PT_PER_PX, height * PT_PER_PX);
        if (title != NULL)
          cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, title);
        cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Backprop");
      }
      break;

    default:
      g_assert_not_reached ();
    }

  status = cairo_surface_status (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      cairo_surface_destroy (surface);
      return status;
    }

  cr = cairo_create (surface);
  if (format == BP_EXPORT_FORMAT_PDF)
    cairo_scale (cr, PT_PER_PX, PT_PER_PX);
  bp_plot_draw (plot, cr, width, height, dark);
  status = cairo_status (cr);
  cairo_destroy (cr);

  if (status == CAIRO_STATUS_SUCCESS)
    {
      if (format == BP_EXPORT_FORMAT_PNG)
        status = cairo_surface_write_to_png_stream (surface, append_cb, buffer);
      else
        {
          /* Finishing a vector surface writes the rest of the document into @buffer. */
          cairo_surface_finish (surface);
          status = cairo_surface_status (surface);
        }
    }

  cairo_surface_destroy (surface);
  return status;
}

gboolean
bp_export_plot (BpPlot        *plot,
                GFile         *file,
                BpExportFormat format,
                int            width,
                int            height,
                int            scale,
                gboolean       dark,
                GError       **error)
{
  g_autoptr(GByteArray) buffer = NULL;
  cairo_status_t status;

  g_return_val_if_fail (BP_IS_PLOT (plot), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail ((guint) format < G_N_ELEMENTS (formats), FALSE);
  g_return_val_if_fail (width > 0 && height > 0, FALSE);
  g_return_val_if_fail (scale >= 1, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  buffer = g_byte_array_new ();
  status = render (plot, format, width, height, scale, dark, buffer);

  /* The plot's text is set in its widget's Pango context (when it has been shown), which the
   * drawing above fitted to the file's surface; the next frame fits it back to the screen,
   * and until then the hover read-out must not measure with it. */
  gtk_widget_queue_draw (GTK_WIDGET (plot));

  if (status != CAIRO_STATUS_SUCCESS)
    return fail (error, file, G_IO_ERROR_FAILED, cairo_status_to_string (status));

  return save_bytes (file, buffer->data, buffer->len, error);
}

/* CSV */

gboolean
bp_export_history_csv (const BpEpochMetrics *history,
                       guint                 n_epochs,
                       GFile                *file,
                       GError              **error)
{
  g_autofree char *csv = NULL;

  g_return_val_if_fail (history != NULL || n_epochs == 0, FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  csv = bp_history_csv_format (history, n_epochs);

  return save_bytes (file, csv, strlen (csv), error);
}
