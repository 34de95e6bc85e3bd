/* test-export.c — exporting a plot as PNG, SVG and PDF and the metric history as CSV
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each format is written and read back: the PNG with Cairo, the SVG as XML and drawn by
 * rsvg-convert, the PDF by its page box and drawn by pdftoppm, its text read by pdftotext;
 * every picture must show the plotted curves in their palette colours. The CSV is checked cell
 * by cell, also under a locale whose decimal point is a comma. Failed saves must name the file
 * and leave an existing file as it was. BpPlot is a widget, so the plot cases need GTK and a
 * display (meson runs this under xvfb-run); without one they are skipped.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bp-chart.h"
#include "bp-export.h"
#include "bp-history-csv.h"
#include "bp-test-golden.h"
#include "bp-test-widget.h"

#define PLOT_W 640
#define PLOT_H 400

static gboolean have_display;

/* Helpers */

static BpPlot *
make_plot (void)
{
  BpPlot *plot = BP_PLOT (g_object_ref_sink (bp_plot_new ()));
  guint training, validation;

  bp_plot_set_title (plot, "Accuracy");
  bp_plot_set_x_label (plot, "Epoch");
  bp_plot_set_y_label (plot, "Fraction correct");
  bp_plot_set_y_range (plot, 0.0, 1.0);
  training = bp_plot_add_series (plot, "Training accuracy", 0);
  validation = bp_plot_add_series (plot, "Validation accuracy", 1);
  for (int k = 1; k <= 48; k++)
    {
      double x = k / 4.0;

      bp_plot_append (plot, training, x, 0.97 - 0.5 * exp (-x / 1.5));
      bp_plot_append (plot, validation, x, 0.95 - 0.45 * exp (-x / 0.9));
    }

  return plot;
}

static char *
make_temp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("backprop-export-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

/* Remove @path and, if it is a folder, everything in it. */
static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);

  if (dir != NULL)
    {
      const char *name;

      g_chmod (path, 0700);
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
      g_dir_close (dir);
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

static int
compare_names_cb (gconstpointer a,
                  gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The names in folder @path, sorted and joined by spaces: what a failed save must not add. */
static char *
list_dir (const char *path)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_dir_close (dir);
  g_ptr_array_sort (names, compare_names_cb);
  g_ptr_array_add (names, NULL);

  return g_strjoinv (" ", (char **) names->pdata);
}

static char *
read_text (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static guint32
palette_rgb (guint    index,
             gboolean dark)
{
  BpChartColor color;

  bp_chart_palette_color (index, dark, &color);
  return ((guint32) lround (color.red * 255) << 16) | ((guint32) lround (color.green * 255) << 8)
         | (guint32) lround (color.blue * 255);
}

static guint32
pixel_at (cairo_surface_t *surface,
          int              x,
          int              y)
{
  const guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);

  return ((const guint32 *) (gconstpointer) (data + (gsize) y * stride))[x] & 0xffffff;
}

/* The number of pixels of @surface within 24 per channel of @rgb: the inside of a curve of
 * that colour, and little else. */
static guint
count_colour (cairo_surface_t *surface,
              guint32          rgb)
{
  int width = cairo_image_surface_get_width (surface);
  int height = cairo_image_surface_get_height (surface);
  guint n = 0;

  cairo_surface_flush (surface);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint32 p = pixel_at (surface, x, y);

        if (ABS ((int) ((p >> 16) & 0xff) - (int) ((rgb >> 16) & 0xff)) <= 24
            && ABS ((int) ((p >> 8) & 0xff) - (int) ((rgb >> 8) & 0xff)) <= 24
            && ABS ((int) (p & 0xff) - (int) (rgb & 0xff)) <= 24)
          n++;
      }

  return n;
}

/* @plot drawn straight onto an image surface, as the export should have drawn it. */
static cairo_surface_t *
draw_reference (BpPlot  *plot,
                int      width,
                int      height,
                gboolean dark)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cairo_t *cr = cairo_create (surface);

  bp_plot_draw (plot, cr, width, height, dark);
  cairo_destroy (cr);

  return surface;
}

/* A PNG read back as an RGB24 surface (pdftoppm and rsvg-convert may write other formats), so
 * that pixel_at() and the golden comparison read it as they read the reference. */
static cairo_surface_t *
load_png (const char *path)
{
  cairo_surface_t *png = cairo_image_surface_create_from_png (path);
  cairo_surface_t *rgb;
  cairo_t *cr;

  g_assert_cmpint (cairo_surface_status (png), ==, CAIRO_STATUS_SUCCESS);
  rgb = cairo_image_surface_create (CAIRO_FORMAT_RGB24, cairo_image_surface_get_width (png),
                                    cairo_image_surface_get_height (png));
  cr = cairo_create (rgb);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_set_source_surface (cr, png, 0, 0);
  cairo_paint (cr);
  cairo_destroy (cr);
  cairo_surface_destroy (png);

  return rgb;
}

/* The two curves of make_plot() are in @surface, against the light or @dark background, which
 * fills the corner. */
static void
assert_shows_plot (cairo_surface_t *surface,
                   gboolean         dark,
                   guint            min_pixels)
{
  guint training = count_colour (surface, palette_rgb (0, dark));
  guint validation = count_colour (surface, palette_rgb (1, dark));

  g_test_message ("curve pixels: %u training, %u validation (at least %u)",
                  training, validation, min_pixels);
  g_assert_cmpuint (training, >=, min_pixels);
  g_assert_cmpuint (validation, >=, min_pixels);
  g_assert_cmphex (pixel_at (surface, 1, 1), ==, dark ? 0x1e1e1e : 0xffffff);
}

static void
export_ok (BpPlot         *plot,
           const char     *path,
           BpExportFormat  format,
           int             scale,
           gboolean        dark)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;

  g_assert_true (bp_export_plot (plot, file, format, PLOT_W, PLOT_H, scale, dark, &error));
  g_assert_no_error (error);
}

/* Run @argv; FALSE (and a message) when its program is not installed. */
static gboolean
run_tool (const char * const *argv,
          char              **out)
{
  g_autofree char *program = g_find_program_in_path (argv[0]);
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (program == NULL)
    {
      g_test_message ("%s is not installed (build-aux/install-deps.sh installs it)", argv[0]);
      return FALSE;
    }

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, out, &err,
                &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("%s: %s: %s", argv[0], error->message, err);

  return TRUE;
}

static gboolean
tools_present (const char *first,
               ...)
{
  va_list args;
  gboolean present = TRUE;

  va_start (args, first);
  for (const char *name = first; name != NULL; name = va_arg (args, const char *))
    {
      g_autofree char *program = g_find_program_in_path (name);

      if (program == NULL)
        {
          g_test_skip_printf ("%s is not installed (build-aux/install-deps.sh installs it)",
                              name);
          present = FALSE;
          break;
        }
    }
  va_end (args);

  return present;
}

/* Format by name */

static void
test_format_by_name (void)
{
  static const struct
  {
    const char     *name;
    gboolean        known;
    BpExportFormat  format;
  } cases[] = {
    { "plot.png", TRUE, BP_EXPORT_FORMAT_PNG },
    { "PLOT.PNG", TRUE, BP_EXPORT_FORMAT_PNG },
    { "/home/me/Plots/accuracy.Svg", TRUE, BP_EXPORT_FORMAT_SVG },
    { "run.2.pdf", TRUE, BP_EXPORT_FORMAT_PDF },
    { "cost.PdF", TRUE, BP_EXPORT_FORMAT_PDF },
    { "plot", FALSE, 0 },
    { "plot.", FALSE, 0 },
    { "plot.jpg", FALSE, 0 },
    { "plot.png.txt", FALSE, 0 },
    { "plot.pngx", FALSE, 0 },
    { ".png", FALSE, 0 },
    { "/home/me/.png", FALSE, 0 },
    { "/home/me/figures.png/plot", FALSE, 0 },
    { "", FALSE, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      BpExportFormat format = (BpExportFormat) 42;

      g_test_message ("%s", cases[i].name);
      g_assert_cmpint (bp_export_format_from_name (cases[i].name, &format), ==, cases[i].known);
      g_assert_cmpint (format, ==, cases[i].known ? cases[i].format : (BpExportFormat) 42);
      g_assert_cmpint (bp_export_format_from_name (cases[i].name, NULL), ==, cases[i].known);
    }

  g_assert_cmpstr (bp_export_format_get_extension (BP_EXPORT_FORMAT_PNG), ==, "png");
  g_assert_cmpstr (bp_export_format_get_extension (BP_EXPORT_FORMAT_SVG), ==, "svg");
  g_assert_cmpstr (bp_export_format_get_extension (BP_EXPORT_FORMAT_PDF), ==, "pdf");
  g_assert_cmpstr (bp_export_format_get_mime_type (BP_EXPORT_FORMAT_PNG), ==, "image/png");
  g_assert_cmpstr (bp_export_format_get_mime_type (BP_EXPORT_FORMAT_SVG), ==, "image/svg+xml");
  g_assert_cmpstr (bp_export_format_get_mime_type (BP_EXPORT_FORMAT_PDF), ==, "application/pdf");

  /* Each extension names its own format. */
  for (BpExportFormat f = BP_EXPORT_FORMAT_PNG; f <= BP_EXPORT_FORMAT_PDF; f++)
    {
      g_autofree char *name = g_strconcat ("plot.", bp_export_format_get_extension (f), NULL);
      BpExportFormat format;

      g_assert_true (bp_export_format_from_name (name, &format));
      g_assert_cmpint (format, ==, f);
    }
}

/* PNG */

static void
test_png (void)
{
  g_autoptr(BpPlot) plot = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *light_path = NULL;
  g_autofree char *hidpi_path = NULL;
  g_autofree char *dark_path = NULL;
  cairo_surface_t *light, *hidpi, *dark, *reference;
  guint light_pixels, hidpi_pixels;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }

  plot = make_plot ();
  dir = make_temp_dir ();
  light_path = g_build_filename (dir, "accuracy.png", NULL);
  hidpi_path = g_build_filename (dir, "accuracy@2x.png", NULL);
  dark_path = g_build_filename (dir, "accuracy-dark.png", NULL);
  export_ok (plot, light_path, BP_EXPORT_FORMAT_PNG, 1, FALSE);
  export_ok (plot, hidpi_path, BP_EXPORT_FORMAT_PNG, 2, FALSE);
  export_ok (plot, dark_path, BP_EXPORT_FORMAT_PNG, 1, TRUE);

  /* The file is the plot as drawn on the screen, pixel for pixel. */
  light = load_png (light_path);
  g_assert_cmpint (cairo_image_surface_get_width (light), ==, PLOT_W);
  g_assert_cmpint (cairo_image_surface_get_height (light), ==, PLOT_H);
  assert_shows_plot (light, FALSE, 300);
  reference = draw_reference (plot, PLOT_W, PLOT_H, FALSE);
  g_assert_cmpfloat (bp_test_bad_pixel_share (light, reference), ==, 0.0);
  cairo_surface_destroy (reference);

  dark = load_png (dark_path);
  g_assert_cmpint (cairo_image_surface_get_width (dark), ==, PLOT_W);
  assert_shows_plot (dark, TRUE, 300);
  reference = draw_reference (plot, PLOT_W, PLOT_H, TRUE);
  g_assert_cmpfloat (bp_test_bad_pixel_share (dark, reference), ==, 0.0);
  cairo_surface_destroy (reference);

  /* Scale 2 draws twice as finely, not the same picture blown up: the curves, twice as long
   * and twice as wide, cover about four times the pixels. */
  hidpi = load_png (hidpi_path);
  g_assert_cmpint (cairo_image_surface_get_width (hidpi), ==, 2 * PLOT_W);
  g_assert_cmpint (cairo_image_surface_get_height (hidpi), ==, 2 * PLOT_H);
  assert_shows_plot (hidpi, FALSE, 1200);
  light_pixels = count_colour (light, palette_rgb (0, FALSE));
  hidpi_pixels = count_colour (hidpi, palette_rgb (0, FALSE));
  g_test_message ("training curve: %u pixels at scale 1, %u at scale 2", light_pixels,
                  hidpi_pixels);
  g_assert_cmpuint (hidpi_pixels, >, 3 * light_pixels);
  g_assert_cmpuint (hidpi_pixels, <, 6 * light_pixels);

  cairo_surface_destroy (light);
  cairo_surface_destroy (hidpi);
  cairo_surface_destroy (dark);
  remove_tree (dir);
  g_assert_finalize_object (g_steal_pointer (&plot));
}

/* SVG */

typedef struct
{
  guint       depth;
  char       *root;
  char       *width;
  char       *height;
  char       *view_box;
  GHashTable *elements;   /* name → count */
  guint       glyph_uses; /* <use> of a glyph: the text */
} SvgInfo;

static void
svg_start_cb (GMarkupParseContext  *context,
              const char           *element,
              const char          **names,
              const char          **values,
              gpointer              data,
              GError              **error)
{
  SvgInfo *info = data;

  if (info->depth++ == 0)
    {
      info->root = g_strdup (element);
      for (guint i = 0; names[i] != NULL; i++)
        if (strcmp (names[i], "width") == 0)
          info->width = g_strdup (values[i]);
        else if (strcmp (names[i], "height") == 0)
          info->height = g_strdup (values[i]);
        else if (strcmp (names[i], "viewBox") == 0)
          info->view_box = g_strdup (values[i]);
    }

  g_hash_table_insert (info->elements, g_strdup (element),
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (info->elements,
                                                                                element)) + 1));
  if (strcmp (element, "use") == 0)
    for (guint i = 0; names[i] != NULL; i++)
      if (strcmp (names[i], "xlink:href") == 0 && g_str_has_prefix (values[i], "#glyph"))
        info->glyph_uses++;
}

static void
svg_end_cb (GMarkupParseContext *context,
            const char          *element,
            gpointer             data,
            GError             **error)
{
  SvgInfo *info = data;

  info->depth--;
}

static guint
svg_count (SvgInfo    *info,
           const char *element)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (info->elements, element));
}

static void
test_svg (void)
{
  static const GMarkupParser parser = { svg_start_cb, svg_end_cb, NULL, NULL, NULL };
  g_autoptr(BpPlot) plot = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *rendered = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autoptr(GError) error = NULL;
  SvgInfo info = { 0 };
  cairo_surface_t *surface, *reference;
  double share;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }

  plot = make_plot ();
  dir = make_temp_dir ();
  path = g_build_filename (dir, "accuracy.svg", NULL);
  export_ok (plot, path, BP_EXPORT_FORMAT_SVG, 1, FALSE);

  /* Well-formed XML: an <svg> of the plot's size in pixels, with paths for the curves and the
   * glyphs of the text (Cairo draws text as glyph outlines, defined once and used where the
   * letters go). */
  text = read_text (path);
  info.elements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  context = g_markup_parse_context_new (&parser, G_MARKUP_PREFIX_ERROR_POSITION, &info, NULL);
  g_markup_parse_context_parse (context, text, -1, &error);
  g_assert_no_error (error);
  g_markup_parse_context_end_parse (context, &error);
  g_assert_no_error (error);
  g_test_message ("svg: %u paths, %u uses of glyphs", svg_count (&info, "path"),
                  info.glyph_uses);
  g_assert_cmpstr (info.root, ==, "svg");
  g_assert_cmpstr (info.width, ==, "640px");
  g_assert_cmpstr (info.height, ==, "400px");
  g_assert_cmpstr (info.view_box, ==, "0 0 640 400");
  g_assert_cmpuint (svg_count (&info, "path"), >=, 10);
  /* "Accuracy", "Epoch", "Fraction correct", the legend and the ticks: well over 60 letters. */
  g_assert_cmpuint (info.glyph_uses, >=, 60);

  /* What a viewer shows: the plot as the app draws it. */
  if (tools_present ("rsvg-convert", NULL))
    {
      const char *argv[] = { "rsvg-convert", "-o", NULL, NULL, NULL };

      rendered = g_build_filename (dir, "rendered.png", NULL);
      argv[2] = rendered;
      argv[3] = path;
      run_tool (argv, NULL);
      surface = load_png (rendered);
      g_assert_cmpint (cairo_image_surface_get_width (surface), ==, PLOT_W);
      g_assert_cmpint (cairo_image_surface_get_height (surface), ==, PLOT_H);
      assert_shows_plot (surface, FALSE, 300);
      reference = draw_reference (plot, PLOT_W, PLOT_H, FALSE);
      share = bp_test_bad_pixel_share (surface, reference);
      g_test_message ("rsvg-convert's picture differs from the app's in %.4f of the pixels",
                      share);
      g_assert_cmpfloat (share, <, BP_GOLDEN_MAX_BAD_SHARE);
      cairo_surface_destroy (reference);
      cairo_surface_destroy (surface);
    }

  g_free (info.root);
  g_free (info.width);
  g_free (info.height);
  g_free (info.view_box);
  g_hash_table_unref (info.elements);
  remove_tree (dir);
  g_assert_finalize_object (g_steal_pointer (&plot));
}

/* PDF */

/* @needle in @length bytes of a binary file (g_strstr_len() would stop at the first zero). */
static gboolean
contains (const char *bytes,
          gsize       length,
          const char *needle)
{
  return memmem (bytes, length, needle, strlen (needle)) != NULL;
}

/* pdfinfo's @info has the line "@key: @value" (the value aligned with spaces). */
static void
assert_info (const char *info,
             const char *key,
             const char *value)
{
  g_auto(GStrv) lines = g_strsplit (info, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], key) && lines[i][strlen (key)] == ':')
      {
        g_assert_cmpstr (g_strstrip (lines[i] + strlen (key) + 1), ==, value);
        return;
      }

  g_error ("pdfinfo gives no %s", key);
}

static void
test_pdf (void)
{
  g_autoptr(BpPlot) plot = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *dark_path = NULL;
  g_autofree char *bytes = NULL;
  gsize length = 0;
  g_autoptr(GError) error = NULL;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }

  plot = make_plot ();
  dir = make_temp_dir ();
  path = g_build_filename (dir, "accuracy.pdf", NULL);
  dark_path = g_build_filename (dir, "accuracy-dark.pdf", NULL);
  export_ok (plot, path, BP_EXPORT_FORMAT_PDF, 1, FALSE);
  export_ok (plot, dark_path, BP_EXPORT_FORMAT_PDF, 1, TRUE);

  /* A PDF with one page of 640 × 400 CSS pixels, 480 × 300 pt, and an embedded font: the text
   * is text. */
  g_file_get_contents (path, &bytes, &length, &error);
  g_assert_no_error (error);
  g_assert_true (length > 5 && memcmp (bytes, "%PDF-", 5) == 0);
  g_assert_true (contains (bytes, length, "/MediaBox [ 0 0 480 300 ]"));
  g_assert_true (contains (bytes, length, "/FontFile"));
  g_assert_true (contains (bytes, length, "/ToUnicode"));
  g_assert_true (contains (bytes, length, "%%EOF"));

  if (tools_present ("pdfinfo", "pdftotext", "pdftoppm", NULL))
    {
      const char *info_argv[] = { "pdfinfo", path, NULL };
      const char *text_argv[] = { "pdftotext", path, "-", NULL };
      g_autofree char *info = NULL;
      g_autofree char *text = NULL;
      g_autofree char *prefix = g_build_filename (dir, "page", NULL);
      g_autofree char *page = g_strconcat (prefix, ".png", NULL);

      run_tool (info_argv, &info);
      g_test_message ("%s", info);
      assert_info (info, "Pages", "1");
      assert_info (info, "Page size", "480 x 300 pts");
      assert_info (info, "Title", "Accuracy");
      assert_info (info, "Creator", "Backprop");

      /* The title, labels, legend and ticks come out as text. */
      run_tool (text_argv, &text);
      g_test_message ("%s", text);
      g_assert_nonnull (strstr (text, "Accuracy"));
      g_assert_nonnull (strstr (text, "Epoch"));
      g_assert_nonnull (strstr (text, "Fraction correct"));
      g_assert_nonnull (strstr (text, "Validation accuracy"));

      /* Drawn at 96 dpi, the page is the plot: its size, curves and background. */
      for (int dark = 0; dark <= 1; dark++)
        {
          const char *draw_argv[] = { "pdftoppm", "-r", "96", "-png", "-singlefile",
                                      dark ? dark_path : path, prefix, NULL };
          cairo_surface_t *surface, *reference;
          double share;

          run_tool (draw_argv, NULL);
          surface = load_png (page);
          g_assert_cmpint (cairo_image_surface_get_width (surface), ==, PLOT_W);
          g_assert_cmpint (cairo_image_surface_get_height (surface), ==, PLOT_H);
          assert_shows_plot (surface, dark, 300);
          reference = draw_reference (plot, PLOT_W, PLOT_H, dark);
          share = bp_test_bad_pixel_share (surface, reference);
          g_test_message ("pdftoppm's picture differs from the app's in %.4f of the pixels",
                          share);
          g_assert_cmpfloat (share, <, 0.05);
          cairo_surface_destroy (reference);
          cairo_surface_destroy (surface);
        }
    }

  remove_tree (dir);
  g_assert_finalize_object (g_steal_pointer (&plot));
}

/* A plot on the screen */

/* A plot the window has drawn sets its text in the widget's Pango context, not the default
 * one: the exports must work with it, and the widget must draw as before afterwards. */
static void
test_shown_plot (void)
{
  g_autoptr(BpPlot) plot = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *png_path = NULL;
  g_autofree char *pdf_path = NULL;
  g_autofree char *svg_path = NULL;
  GtkWidget *window;
  cairo_surface_t *before, *after, *png;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }

  plot = make_plot ();
  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), PLOT_W, PLOT_H);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (plot));
  gtk_window_present (GTK_WINDOW (window));
  for (int i = 0; i < 500; i++)
    {
      if (gtk_widget_get_mapped (GTK_WIDGET (plot))
          && gtk_widget_get_width (GTK_WIDGET (plot)) >= 100)
        break;
      bp_test_iterate_for (10);
    }
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (plot)));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (plot)), >=, 100);
  before = bp_test_render_widget (GTK_WIDGET (plot));

  dir = make_temp_dir ();
  png_path = g_build_filename (dir, "shown.png", NULL);
  pdf_path = g_build_filename (dir, "shown.pdf", NULL);
  svg_path = g_build_filename (dir, "shown.svg", NULL);
  export_ok (plot, pdf_path, BP_EXPORT_FORMAT_PDF, 1, FALSE);
  export_ok (plot, svg_path, BP_EXPORT_FORMAT_SVG, 1, TRUE);
  export_ok (plot, png_path, BP_EXPORT_FORMAT_PNG, 2, FALSE);

  png = load_png (png_path);
  g_assert_cmpint (cairo_image_surface_get_width (png), ==, 2 * PLOT_W);
  assert_shows_plot (png, FALSE, 1200);
  cairo_surface_destroy (png);

  if (tools_present ("pdftotext", NULL))
    {
      const char *text_argv[] = { "pdftotext", pdf_path, "-", NULL };
      g_autofree char *text = NULL;

      run_tool (text_argv, &text);
      g_assert_nonnull (strstr (text, "Accuracy"));
      g_assert_nonnull (strstr (text, "Training accuracy"));
    }

  /* The exports fitted the widget's Pango context to their surfaces (a PDF page's scale, a
   * PNG's device scale); the window's next frame draws the plot as before. */
  after = bp_test_render_widget (GTK_WIDGET (plot));
  g_assert_cmpfloat (bp_test_bad_pixel_share (before, after), ==, 0.0);

  cairo_surface_destroy (before);
  cairo_surface_destroy (after);
  gtk_window_destroy (GTK_WINDOW (window));
  remove_tree (dir);
  g_assert_finalize_object (g_steal_pointer (&plot));
}

/* CSV */

static const BpEpochMetrics history[] = {
  { 1, 0.123456789012, 0.8765, 0.2, 0.9, 0.25, 0.88, 1.5, 3.0f },
  /* With monitoring every second epoch: nothing measured but the time. */
  { 2, NAN, NAN, NAN, NAN, NAN, NAN, 1.25, 3.0f },
  { 3, 1.0e-12, 1.0, 123456.789, 0.9541, NAN, 0.9512, 60.0, 0.1f },
};

/* The CSV of @history, as written by hand: "%.9g" (an η of 0.1f is a float, 0.100000001 in
 * nine digits), a '.' decimal point, empty cells for NaN. */
static const char expected_csv[] =
  "epoch,train_cost,train_accuracy,validation_cost,validation_accuracy,test_cost,"
  "test_accuracy,seconds,eta\n"
  "1,0.123456789,0.8765,0.2,0.9,0.25,0.88,1.5,3\n"
  "2,,,,,,,1.25,3\n"
  "3,1e-12,1,123456.789,0.9541,,0.9512,60,0.100000001\n";

static void
test_csv_text (void)
{
  g_autofree char *csv = bp_history_csv_format (history, G_N_ELEMENTS (history));
  g_autofree char *empty = bp_history_csv_format (NULL, 0);
  g_auto(GStrv) lines = NULL;

  g_assert_cmpstr (csv, ==, expected_csv);
  g_assert_cmpstr (empty, ==, BP_HISTORY_CSV_HEADER);

  /* Nine significant digits: every cell reads back to within half a unit of the ninth. */
  lines = g_strsplit (csv, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + G_N_ELEMENTS (history) + 1);
  g_assert_cmpstr (lines[G_N_ELEMENTS (history) + 1], ==, "");
  for (guint i = 0; i < G_N_ELEMENTS (history); i++)
    {
      const BpEpochMetrics *m = &history[i];
      const double values[] = { m->epoch, m->train_cost, m->train_accuracy, m->validation_cost,
                                m->validation_accuracy, m->test_cost, m->test_accuracy,
                                m->seconds, m->eta };
      g_auto(GStrv) cells = g_strsplit (lines[i + 1], ",", -1);

      g_assert_cmpuint (g_strv_length (cells), ==, G_N_ELEMENTS (values));
      for (guint c = 0; c < G_N_ELEMENTS (values); c++)
        if (isnan (values[c]))
          g_assert_cmpstr (cells[c], ==, "");
        else
          g_assert_cmpfloat_with_epsilon (g_ascii_strtod (cells[c], NULL), values[c],
                                          fabs (values[c]) * 5e-9);
    }
}

static void
test_csv_file (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "history.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *written = NULL;
  g_autofree char *listing = NULL;

  g_assert_true (bp_export_history_csv (history, G_N_ELEMENTS (history), file, &error));
  g_assert_no_error (error);
  written = read_text (path);
  g_assert_cmpstr (written, ==, expected_csv);

  /* Over an existing file, leaving no temporary file behind. */
  g_assert_true (bp_export_history_csv (history, 1, file, &error));
  g_assert_no_error (error);
  g_free (written);
  written = read_text (path);
  g_assert_true (g_str_has_prefix (expected_csv, written));
  g_assert_cmpuint (strlen (written), <, strlen (expected_csv));
  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "history.csv");

  remove_tree (dir);
}

/* Switch LC_NUMERIC to a locale whose decimal point is a comma: an installed one, or else
 * de_DE compiled from the locale sources into @dir (LOCPATH tells the C library where).
 * FALSE when neither can be had. */
static gboolean
use_comma_locale (const char *dir)
{
  static const char * const names[] = {
    "de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8", "nl_NL.UTF-8", "es_ES.UTF-8",
    "ru_RU.UTF-8", "de_DE",
  };
  g_autofree char *localedef = g_find_program_in_path ("localedef");

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (setlocale (LC_NUMERIC, names[i]) != NULL)
      {
        g_test_message ("locale %s is installed", names[i]);
        return TRUE;
      }

  if (localedef != NULL && g_file_test ("/usr/share/i18n/locales/de_DE", G_FILE_TEST_EXISTS))
    {
      g_autofree char *target = g_build_filename (dir, "de_DE.UTF-8", NULL);
      const char *argv[] = { localedef, "-i", "de_DE", "-f", "UTF-8", target, NULL };
      int status;

      /* localedef exits with 1 for warnings about the sources; setlocale() says whether the
       * locale is usable. */
      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL
                    | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, NULL);
      g_setenv ("LOCPATH", dir, TRUE);
      if (setlocale (LC_NUMERIC, "de_DE.UTF-8") != NULL)
        {
          g_test_message ("de_DE.UTF-8 compiled with localedef");
          return TRUE;
        }
      g_unsetenv ("LOCPATH");
    }

  return FALSE;
}

static void
test_csv_comma_locale (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "history.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *written = NULL;
  g_autofree char *probe = NULL;

  if (!use_comma_locale (dir))
    {
      g_test_skip ("no locale with a decimal comma (build-aux/install-deps.sh installs "
                   "the locale sources)");
      remove_tree (dir);
      return;
    }

  /* The locale is in force: printf() writes a comma, which the CSV must not. */
  probe = g_strdup_printf ("%.9g", 0.5);
  g_assert_cmpstr (probe, ==, "0,5");

  csv = bp_history_csv_format (history, G_N_ELEMENTS (history));
  g_assert_true (bp_export_history_csv (history, G_N_ELEMENTS (history), file, &error));
  setlocale (LC_NUMERIC, "C");
  g_unsetenv ("LOCPATH");

  g_assert_no_error (error);
  g_assert_cmpstr (csv, ==, expected_csv);
  written = read_text (path);
  g_assert_cmpstr (written, ==, expected_csv);

  remove_tree (dir);
}

/* Failed saves */

/* Export a PNG and a CSV to @path; both must fail with @code and a message naming the file. */
static void
assert_save_fails (BpPlot       *plot,
                   const char   *path,
                   GIOErrorEnum  code,
                   const char   *reason)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;

  if (plot != NULL)
    {
      g_assert_false (bp_export_plot (plot, file, BP_EXPORT_FORMAT_PNG, PLOT_W, PLOT_H, 1, FALSE,
                                      &error));
      g_test_message ("%s", error->message);
      g_assert_error (error, G_IO_ERROR, (gint) code);
      g_assert_nonnull (strstr (error->message, path));
      g_assert_nonnull (strstr (error->message, reason));
      g_clear_error (&error);
    }

  g_assert_false (bp_export_history_csv (history, G_N_ELEMENTS (history), file, &error));
  g_test_message ("%s", error->message);
  g_assert_error (error, G_IO_ERROR, (gint) code);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, reason));
}

static void
test_missing_folder (void)
{
  g_autoptr(BpPlot) plot = have_display ? make_plot () : NULL;
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "missing", "accuracy.png", NULL);
  g_autofree char *listing = NULL;

  assert_save_fails (plot, path, G_IO_ERROR_NOT_FOUND, g_strerror (ENOENT));
  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "");

  remove_tree (dir);
  if (plot != NULL)
    g_assert_finalize_object (g_steal_pointer (&plot));
}

/* A "folder" that is a regular file: fails for root too. */
static void
test_not_a_folder (void)
{
  g_autoptr(BpPlot) plot = have_display ? make_plot () : NULL;
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *notes = g_build_filename (dir, "notes.txt", NULL);
  g_autofree char *path = g_build_filename (notes, "accuracy.png", NULL);
  g_autofree char *listing = NULL;
  g_autofree char *kept = NULL;

  g_assert_true (g_file_set_contents (notes, "my notes\n", -1, NULL));
  assert_save_fails (plot, path, G_IO_ERROR_NOT_DIRECTORY, g_strerror (ENOTDIR));
  kept = read_text (notes);
  g_assert_cmpstr (kept, ==, "my notes\n");
  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "notes.txt");

  remove_tree (dir);
  if (plot != NULL)
    g_assert_finalize_object (g_steal_pointer (&plot));
}

/* An existing file in a read-only folder: the temporary file cannot be made, so the save
 * fails, and the file, writable itself, is not overwritten in place either. Root (or any
 * process with CAP_DAC_OVERRIDE, as in CI's containers) writes through the permissions; then
 * the case is skipped, and /export/errors/write-fails covers a failing save over an existing
 * file. */
static void
test_read_only_folder (void)
{
  g_autoptr(BpPlot) plot = have_display ? make_plot () : NULL;
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *folder = g_build_filename (dir, "read-only", NULL);
  g_autofree char *path = g_build_filename (folder, "accuracy.png", NULL);
  g_autofree char *probe = g_build_filename (folder, "probe", NULL);
  g_autofree char *kept = NULL;
  g_autofree char *listing = NULL;
  int fd;

  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, "the old picture", -1, NULL));
  g_assert_cmpint (g_chmod (folder, 0555), ==, 0);

  fd = g_open (probe, O_WRONLY | O_CREAT | O_EXCL, 0644);
  if (fd >= 0)
    {
      close (fd);
      g_test_skip ("permissions do not stop this user's writes (root?)");
      remove_tree (dir);
      if (plot != NULL)
        g_assert_finalize_object (g_steal_pointer (&plot));
      return;
    }

  assert_save_fails (plot, path, G_IO_ERROR_PERMISSION_DENIED, g_strerror (EACCES));
  kept = read_text (path);
  g_assert_cmpstr (kept, ==, "the old picture");
  listing = list_dir (folder);
  g_assert_cmpstr (listing, ==, "accuracy.png");

  remove_tree (dir);
  if (plot != NULL)
    g_assert_finalize_object (g_steal_pointer (&plot));
}

/* A write that fails half-way, as on a full disk, over an existing file: the file size limit
 * (RLIMIT_FSIZE) stops writes past 4 KiB for root too. The old file must stay whole, and no
 * temporary file may stay behind. */
static void
test_write_fails (void)
{
  g_autoptr(BpPlot) plot = have_display ? make_plot () : NULL;
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *png_path = g_build_filename (dir, "accuracy.png", NULL);
  g_autofree char *csv_path = g_build_filename (dir, "history.csv", NULL);
  g_autoptr(GFile) png_file = g_file_new_for_path (png_path);
  g_autoptr(GFile) csv_file = g_file_new_for_path (csv_path);
  g_autoptr(GError) png_error = NULL;
  g_autoptr(GError) csv_error = NULL;
  g_autofree BpEpochMetrics *long_history = g_new0 (BpEpochMetrics, 500);
  g_autofree char *kept = NULL;
  g_autofree char *listing = NULL;
  struct rlimit saved, limited;
  void (*saved_handler) (int);
  gboolean png_saved = FALSE, csv_saved;

  for (guint i = 0; i < 500; i++)
    long_history[i] = (BpEpochMetrics) { i + 1, 0.1, 0.9, 0.11, 0.89, 0.12, 0.88, 1.0, 0.5f };
  g_assert_true (g_file_set_contents (png_path, "the old picture", -1, NULL));
  g_assert_true (g_file_set_contents (csv_path, "the old history", -1, NULL));

  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  limited = saved;
  limited.rlim_cur = 4096;
  /* Past the limit write() fails with EFBIG, once SIGXFSZ no longer kills the process. */
  saved_handler = signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limited), ==, 0);
  if (plot != NULL)
    png_saved = bp_export_plot (plot, png_file, BP_EXPORT_FORMAT_PNG, PLOT_W, PLOT_H, 2, FALSE,
                                &png_error);
  csv_saved = bp_export_history_csv (long_history, 500, csv_file, &csv_error);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  signal (SIGXFSZ, saved_handler);

  if (plot != NULL)
    {
      g_assert_false (png_saved);
      g_test_message ("%s", png_error->message);
      g_assert_error (png_error, G_IO_ERROR, G_IO_ERROR_FAILED);
      g_assert_nonnull (strstr (png_error->message, png_path));
      g_assert_nonnull (strstr (png_error->message, g_strerror (EFBIG)));
      kept = read_text (png_path);
      g_assert_cmpstr (kept, ==, "the old picture");
      g_clear_pointer (&kept, g_free);
    }

  g_assert_false (csv_saved);
  g_test_message ("%s", csv_error->message);
  g_assert_nonnull (strstr (csv_error->message, csv_path));
  g_assert_nonnull (strstr (csv_error->message, g_strerror (EFBIG)));
  kept = read_text (csv_path);
  g_assert_cmpstr (kept, ==, "the old history");

  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "accuracy.png history.csv");

  remove_tree (dir);
  if (plot != NULL)
    g_assert_finalize_object (g_steal_pointer (&plot));
}

/* A folder where the file should be: nothing is written into it. */
static void
test_folder_in_the_way (void)
{
  g_autoptr(BpPlot) plot = have_display ? make_plot () : NULL;
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "accuracy.png", NULL);
  g_autofree char *listing = NULL;

  g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
  assert_save_fails (plot, path, G_IO_ERROR_IS_DIRECTORY, g_strerror (EISDIR));
  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "accuracy.png");
  g_free (listing);
  listing = list_dir (path);
  g_assert_cmpstr (listing, ==, "");

  remove_tree (dir);
  if (plot != NULL)
    g_assert_finalize_object (g_steal_pointer (&plot));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  /* Without a display the plot cases are skipped, and the save failures are tried with the
   * CSV only. GTK would take LC_NUMERIC from the environment; the CSV case sets it itself. */
  gtk_disable_setlocale ();
  have_display = gtk_init_check ();

  g_test_add_func ("/export/format/by-name", test_format_by_name);
  g_test_add_func ("/export/plot/png", test_png);
  g_test_add_func ("/export/plot/svg", test_svg);
  g_test_add_func ("/export/plot/pdf", test_pdf);
  g_test_add_func ("/export/plot/shown", test_shown_plot);
  g_test_add_func ("/export/csv/text", test_csv_text);
  g_test_add_func ("/export/csv/file", test_csv_file);
  g_test_add_func ("/export/csv/comma-locale", test_csv_comma_locale);
  g_test_add_func ("/export/errors/missing-folder", test_missing_folder);
  g_test_add_func ("/export/errors/not-a-folder", test_not_a_folder);
  g_test_add_func ("/export/errors/read-only-folder", test_read_only_folder);
  g_test_add_func ("/export/errors/write-fails", test_write_fails);
  g_test_add_func ("/export/errors/folder-in-the-way", test_folder_in_the_way);

  return g_test_run ();
}
