/* test-widgets.c — BpPlot and BpWeightGrid: golden images, ticks, hit-testing, pins, timings
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The drawing code (BpChart, BpWeightTiles, the colour map) needs no display, so most cases
 * render known data to image surfaces and compare them with the committed PNGs in
 * tests/data/golden (BACKPROP_UPDATE_GOLDEN=1 rewrites them). The cases that need real widgets
 * run when gtk_init_check() finds a display (meson runs this under xvfb-run) and are skipped
 * otherwise.
 */
#include "config.h"

#include <gtk/gtk.h>
#include <math.h>
#include <string.h>

#include "bp-chart.h"
#include "bp-colormap.h"
#include "bp-plot.h"
#include "bp-weight-grid.h"
#include "bp-weight-tiles.h"
#include "bp-test-golden.h"
#include "bp-test-widget.h"

#define PLOT_W 640
#define PLOT_H 400
#define GRID_W 640
#define GRID_H 480

static gboolean have_display;

/* Helpers */

static guint32
pixel_at (cairo_surface_t *surface,
          int              x,
          int              y)
{
  const guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);

  cairo_surface_flush (surface);

  return ((const guint32 *) (gconstpointer) (data + (gsize) y * stride))[x] & 0xffffff;
}

static double
relative_luminance (double r,
                    double g,
                    double b)
{
  double c[3] = { r, g, b };

  for (int i = 0; i < 3; i++)
    c[i] = c[i] <= 0.04045 ? c[i] / 12.92 : pow ((c[i] + 0.055) / 1.055, 2.4);

  return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
}

static double
contrast (const BpChartColor *a,
          const BpChartColor *b)
{
  double la = relative_luminance (a->red, a->green, a->blue);
  double lb = relative_luminance (b->red, b->green, b->blue);

  return (MAX (la, lb) + 0.05) / (MIN (la, lb) + 0.05);
}

/* The known data */

static double
validation_curve (double x)
{
  return 0.955 - 0.45 * exp (-x / 0.9) + 0.004 * sin (3.1 * x);
}

/* A run of 12 epochs as the app would feed it: the validation accuracy four times per epoch
 * (on a held-out sample inside the epoch), the training and test accuracy once per epoch. */
static void
fill_accuracy (BpChart *chart,
               double   speed)
{
  for (int k = 1; k <= 48; k++)
    {
      double x = k / 4.0;

      bp_chart_append (chart, 1, x, validation_curve (x * speed));
      if (k % 4 == 0)
        {
          bp_chart_append (chart, 0, x, 0.97 - 0.5 * exp (-x * speed / 1.0));
          bp_chart_append (chart, 2, x, validation_curve (x * speed) - 0.003);
        }
    }
}

static BpChart *
accuracy_chart (void)
{
  BpChart *chart = bp_chart_new ();

  bp_chart_set_title (chart, "Accuracy");
  bp_chart_set_x_label (chart, "Epoch");
  bp_chart_set_y_label (chart, "Accuracy");
  bp_chart_set_y_range (chart, 0.0, 1.0);
  g_assert_cmpuint (bp_chart_add_series (chart, "Training accuracy", 0), ==, 0);
  g_assert_cmpuint (bp_chart_add_series (chart, "Validation accuracy", 1), ==, 1);
  g_assert_cmpuint (bp_chart_add_series (chart, "Test accuracy", 2), ==, 2);

  /* A slower earlier run, pinned for comparison, then the live run. */
  fill_accuracy (chart, 0.35);
  g_assert_true (bp_chart_pin_run (chart, "η = 0.5"));
  fill_accuracy (chart, 1.0);

  return chart;
}

static BpChart *
cost_chart (void)
{
  BpChart *chart = bp_chart_new ();

  bp_chart_set_title (chart, "Cost");
  bp_chart_set_x_label (chart, "Epoch");
  bp_chart_set_y_label (chart, "Cross-entropy cost");
  bp_chart_set_log_y (chart, TRUE);
  bp_chart_add_series (chart, "Training cost", 0);
  bp_chart_add_series (chart, "Evaluation cost", 1);

  for (int k = 1; k <= 120; k++)
    {
      double x = k / 4.0;

      bp_chart_append (chart, 0, x, 0.02 + 0.5 * exp (-x / 2.0) + 0.003 * sin (5.0 * x));
      bp_chart_append (chart, 1, x, 0.06 + 0.45 * exp (-x / 2.5) + 0.002 * x / 30.0);
    }

  return chart;
}

/* Sixteen 28 × 28 "neurons": oriented stripes under a round window, alternating in sign, one
 * with a strong blob that sets the scale. */
static float *
weight_set (void)
{
  float *w = g_new (float, 16 * 784);

  for (int j = 0; j < 16; j++)
    {
      double theta = j * G_PI / 16.0;
      double freq = 0.45 + 0.1 * (j % 4);
      double sign = (j % 2 == 0) ? 1.0 : -1.0;

      for (int y = 0; y < 28; y++)
        for (int x = 0; x < 28; x++)
          {
            double dx = x - 13.5, dy = y - 13.5;
            double window = exp (-(dx * dx + dy * dy) / (2.0 * 7.0 * 7.0));
            double v = sign * 0.3 * sin (freq * (dx * cos (theta) + dy * sin (theta))) * window;

            if (j == 5)
              v += 0.5 * exp (-((dx - 4) * (dx - 4) + (dy + 3) * (dy + 3)) / 8.0);
            w[j * 784 + y * 28 + x] = (float) v;
          }
    }

  return w;
}

static BpWeightTiles *
weight_tiles (void)
{
  BpWeightTiles *tiles = bp_weight_tiles_new ();
  g_autofree float *w = weight_set ();

  bp_weight_tiles_set_weights (tiles, w, 16, 784, 28, 28);

  return tiles;
}

static cairo_surface_t *
render_chart (BpChart            *chart,
              const BpChartStyle *style,
              int                 width,
              int                 height,
              double              scale)
{
  cairo_surface_t *surface;
  cairo_t *cr;

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) (width * scale),
                                        (int) (height * scale));
  cairo_surface_set_device_scale (surface, scale, scale);
  cr = cairo_create (surface);
  bp_chart_draw (chart, cr, width, height, style);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);

  return surface;
}

static cairo_surface_t *
render_tiles (BpWeightTiles            *tiles,
              const BpWeightTilesStyle *style,
              int                       width,
              int                       height)
{
  cairo_surface_t *surface;
  cairo_t *cr;

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cr = cairo_create (surface);
  bp_weight_tiles_draw (tiles, cr, width, height, style);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);

  return surface;
}

/* The colour map */

static void
test_colormap (void)
{
  double r, g, b, r2, g2, b2;
  double previous_l = 2.0;

  /* Zero is near-white, the ends are a blue and a red, and out-of-range values clamp. */
  bp_colormap_diverging (0.0, &r, &g, &b);
  g_assert_cmpfloat (MIN (r, MIN (g, b)), >, 0.9);
  bp_colormap_diverging (-1.0, &r, &g, &b);
  g_assert_cmpfloat (b, >, r + 0.2);
  bp_colormap_diverging (-7.0, &r2, &g2, &b2);
  g_assert_cmpfloat (r, ==, r2);
  g_assert_cmpfloat (b, ==, b2);
  bp_colormap_diverging (1.0, &r, &g, &b);
  g_assert_cmpfloat (r, >, b + 0.2);
  bp_colormap_diverging (NAN, &r, &g, &b);
  bp_colormap_diverging (0.0, &r2, &g2, &b2);
  g_assert_cmpfloat (r, ==, r2);

  /* Lightness alone tells the size: it falls steadily away from zero on both sides, nearly
   * symmetrically, so the map reads without telling red from blue apart too. */
  for (int i = 0; i <= 20; i++)
    {
      double t = i / 20.0;
      double lp, ln;

      bp_colormap_diverging (t, &r, &g, &b);
      lp = relative_luminance (r, g, b);
      bp_colormap_diverging (-t, &r, &g, &b);
      ln = relative_luminance (r, g, b);

      g_assert_cmpfloat (lp, <=, previous_l + 1e-9);
      g_assert_cmpfloat (fabs (lp - ln), <, 0.08);
      previous_l = lp;
    }
  g_assert_cmpfloat (previous_l, <, 0.05);

  /* The packed pixel is the same colour. */
  bp_colormap_diverging (0.3, &r, &g, &b);
  g_assert_cmphex (bp_colormap_diverging_pixel (0.3), ==,
                   0xff000000u | ((guint32) lround (r * 255) << 16)
                   | ((guint32) lround (g * 255) << 8) | (guint32) lround (b * 255));
}

static void
test_colormap_legend (void)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 300, 40);
  cairo_t *cr = cairo_create (surface);
  double r, g, b;
  guint32 expected, left, right, centre;

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  bp_colormap_draw_legend (cr, 10, 5, 280, 30, 0.25, FALSE);
  cairo_destroy (cr);

  /* The bar's colours are the map's: its left end −1, its middle 0, its right end +1. */
  left = pixel_at (surface, 13, 8);
  centre = pixel_at (surface, 150, 8);
  right = pixel_at (surface, 286, 8);
  bp_colormap_diverging (-1.0 + 2.0 * 3.5 / 280.0, &r, &g, &b);
  expected = ((guint32) lround (r * 255) << 16) | ((guint32) lround (g * 255) << 8)
             | (guint32) lround (b * 255);
  g_assert_cmpint (ABS ((int) (left & 0xff) - (int) (expected & 0xff)), <=, 3);
  g_assert_cmphex (centre & 0xf0f0f0, ==, bp_colormap_diverging_pixel (0.0) & 0xf0f0f0);
  g_assert_cmpuint ((right >> 16) & 0xff, >, right & 0xff);

  cairo_surface_destroy (surface);
}

/* Ticks */

static gboolean
is_125 (double v)
{
  double magnitude = pow (10.0, floor (log10 (v) + 1e-9));
  double m = v / magnitude;

  return fabs (m - 1.0) < 1e-6 || fabs (m - 2.0) < 1e-6 || fabs (m - 5.0) < 1e-6
         || fabs (m - 10.0) < 1e-6;
}

static void
check_ticks (double   min,
             double   max,
             gboolean log_scale,
             guint    target)
{
  double ticks[BP_CHART_MAX_TICKS];
  double lo, hi;
  guint n;

  n = bp_chart_nice_ticks (min, max, log_scale, target, &lo, &hi, ticks, BP_CHART_MAX_TICKS);
  g_assert_cmpuint (n, >=, 2);
  g_assert_cmpuint (n, <=, BP_CHART_MAX_TICKS);
  g_assert_cmpfloat (lo, <=, min);
  g_assert_cmpfloat (hi, >=, max);
  g_assert_cmpfloat (ticks[0], ==, lo);
  g_assert_cmpfloat (ticks[n - 1], ==, hi);

  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_assert_cmpfloat (ticks[i], >, ticks[i - 1]);

      if (log_scale)
        g_assert_true (is_125 (ticks[i]));
      else if (i > 0)
        {
          /* Even steps of 1, 2 or 5 × 10^k. */
          double step = ticks[1] - ticks[0];

          g_assert_true (is_125 (step));
          g_assert_cmpfloat (fabs (ticks[i] - ticks[i - 1] - step), <, step * 1e-6);
        }
    }
}

static void
test_ticks_linear (void)
{
  double ticks[BP_CHART_MAX_TICKS];
  double lo, hi;
  guint n;

  n = bp_chart_nice_ticks (0.13, 0.97, FALSE, 5, &lo, &hi, ticks, BP_CHART_MAX_TICKS);
  g_assert_cmpuint (n, ==, 6);
  g_assert_cmpfloat (lo, ==, 0.0);
  g_assert_cmpfloat (fabs (hi - 1.0), <, 1e-12);
  g_assert_cmpfloat (fabs (ticks[1] - 0.2), <, 1e-12);

  n = bp_chart_nice_ticks (0.25, 29.75, FALSE, 6, &lo, &hi, ticks, BP_CHART_MAX_TICKS);
  g_assert_cmpuint (n, ==, 7);
  g_assert_cmpfloat (lo, ==, 0.0);
  g_assert_cmpfloat (hi, ==, 30.0);

  n = bp_chart_nice_ticks (-3.2, 7.1, FALSE, 5, &lo, &hi, ticks, BP_CHART_MAX_TICKS);
  g_assert_cmpfloat (lo, ==, -4.0);
  g_assert_cmpfloat (hi, ==, 8.0);
  g_assert_cmpuint (n, ==, 7);

  /* A single value still gets an axis around it; so does zero. */
  check_ticks (0.9, 0.9, FALSE, 5);
  check_ticks (0.0, 0.0, FALSE, 5);

  /* A tick limit smaller than the target widens the step. */
  n = bp_chart_nice_ticks (0.0, 100.0, FALSE, 50, &lo, &hi, ticks, 6);
  g_assert_cmpuint (n, <=, 6);

  for (guint target = 2; target <= 10; target++)
    {
      check_ticks (0.001, 0.0047, FALSE, target);
      check_ticks (-1234.0, 98765.0, FALSE, target);
      check_ticks (0.4, 0.41, FALSE, target);
    }

  /* Labels carry as many decimals as the step needs, a true minus sign and never "−0". */
  {
    g_autofree char *a = bp_chart_format_tick (0.2, 0.2, FALSE);
    g_autofree char *b = bp_chart_format_tick (-0.5, 0.05, FALSE);
    g_autofree char *c = bp_chart_format_tick (-1e-17, 0.2, FALSE);
    g_autofree char *d = bp_chart_format_tick (25.0, 5.0, FALSE);

    g_assert_cmpstr (a, ==, "0.2");
    g_assert_cmpstr (b, ==, "\342\210\2220.50");
    g_assert_cmpstr (c, ==, "0.0");
    g_assert_cmpstr (d, ==, "25");
  }
}

static void
test_ticks_log (void)
{
  double ticks[BP_CHART_MAX_TICKS];
  double lo, hi;
  guint n;

  /* A short span (a cost falling from 2.5 to 0.03) gets 1-2-5 ticks when there is room… */
  n = bp_chart_nice_ticks (0.03, 2.5, TRUE, 8, &lo, &hi, ticks, BP_CHART_MAX_TICKS);
  g_assert_cmpuint (n, ==, 8);
  g_assert_cmpfloat (fabs (lo - 0.02), <, 1e-12);
  g_assert_cmpfloat (fabs (hi - 5.0), <, 1e-12);
  g_assert_cmpfloat (fabs (ticks[3] - 0.2), <, 1e-12);

  /* …and powers of ten when there is not. */
  n = bp_chart_nice_ticks (0.03, 2.5, TRUE, 4, &lo, &hi, ticks, BP_CHART_MAX_TICKS);
  g_assert_cmpuint (n, ==, 4);
  g_assert_cmpfloat (fabs (lo - 0.01), <, 1e-12);
  g_assert_cmpfloat (fabs (hi - 10.0), <, 1e-12);

  /* Many decades: every second power of ten. */
  n = bp_chart_nice_ticks (1e-5, 3.0, TRUE, 5, &lo, &hi, ticks, BP_CHART_MAX_TICKS);
  g_assert_cmpuint (n, ==, 5);
  g_assert_cmpfloat (fabs (lo / 1e-6 - 1.0), <, 1e-9);
  g_assert_cmpfloat (fabs (hi / 100.0 - 1.0), <, 1e-9);
  g_assert_cmpfloat (fabs (ticks[1] / 1e-4 - 1.0), <, 1e-9);

  for (guint target = 2; target <= 10; target++)
    {
      check_ticks (0.3, 0.31, TRUE, target);
      check_ticks (1e-12, 1e12, TRUE, target);
      check_ticks (0.5, 0.5, TRUE, target);
      check_ticks (2.0, 2.0, TRUE, target);
      check_ticks (0.0123, 7.7, TRUE, target);
    }

  {
    g_autofree char *a = bp_chart_format_tick (1e-5, 0.0, TRUE);
    g_autofree char *b = bp_chart_format_tick (0.02, 0.0, TRUE);
    g_autofree char *c = bp_chart_format_tick (100.0, 0.0, TRUE);
    g_autofree char *d = bp_chart_format_tick (2e-6, 0.0, TRUE);
    g_autofree char *e = bp_chart_format_tick (1e6, 0.0, TRUE);

    g_assert_cmpstr (a, ==, "10\342\201\273\342\201\265");
    g_assert_cmpstr (b, ==, "0.02");
    g_assert_cmpstr (c, ==, "100");
    g_assert_cmpstr (d, ==, "2\303\22710\342\201\273\342\201\266");
    g_assert_cmpstr (e, ==, "10\342\201\266");
  }
}

/* The chart */

static void
test_palette_contrast (void)
{
  BpChartStyle light, dark;

  bp_chart_style_init (&light, FALSE);
  bp_chart_style_init (&dark, TRUE);

  for (guint i = 0; i < bp_chart_palette_size (); i++)
    {
      BpChartColor on_light, on_dark;

      bp_chart_palette_color (i, FALSE, &on_light);
      bp_chart_palette_color (i, TRUE, &on_dark);
      g_test_message ("palette %u: contrast %.2f on light, %.2f on dark", i,
                      contrast (&on_light, &light.background),
                      contrast (&on_dark, &dark.background));
      g_assert_cmpfloat (contrast (&on_light, &light.background), >=, 3.0);
      g_assert_cmpfloat (contrast (&on_dark, &dark.background), >=, 3.0);

      /* Neighbouring colours stay apart. */
      if (i > 0)
        {
          BpChartColor previous;

          bp_chart_palette_color (i - 1, FALSE, &previous);
          g_assert_cmpfloat (fabs (previous.red - on_light.red)
                             + fabs (previous.green - on_light.green)
                             + fabs (previous.blue - on_light.blue), >, 0.3);
        }
    }

  /* Indices wrap around the palette. */
  {
    BpChartColor a, b;

    bp_chart_palette_color (1, FALSE, &a);
    bp_chart_palette_color (1 + bp_chart_palette_size (), FALSE, &b);
    g_assert_cmpmem (&a, sizeof a, &b, sizeof b);
  }
}

static void
test_chart_pins (void)
{
  g_autoptr (BpChart) chart = bp_chart_new ();
  double x, y;

  bp_chart_add_series (chart, "a", 0);
  bp_chart_add_series (chart, "b", 1);

  /* Nothing to pin yet. */
  g_assert_false (bp_chart_pin_run (chart, "empty"));
  g_assert_cmpuint (bp_chart_get_n_pins (chart), ==, 0);

  /* NaN and infinite values are skipped. */
  g_assert_true (bp_chart_append (chart, 0, 0.5, 1.0));
  g_assert_false (bp_chart_append (chart, 0, 1.0, NAN));
  g_assert_false (bp_chart_append (chart, 0, INFINITY, 1.0));
  g_assert_true (bp_chart_append (chart, 0, 1.0, 2.0));
  g_assert_true (bp_chart_append (chart, 1, 1.0, 3.0));
  g_assert_cmpuint (bp_chart_get_n_points (chart, 0), ==, 2);
  g_assert_true (bp_chart_get_last_point (chart, 0, &x, &y));
  g_assert_cmpfloat (x, ==, 1.0);
  g_assert_cmpfloat (y, ==, 2.0);

  /* Pinning keeps the points aside and empties the live series, which stay. */
  g_assert_true (bp_chart_pin_run (chart, "run 1"));
  g_assert_cmpuint (bp_chart_get_n_pins (chart), ==, 1);
  g_assert_cmpuint (bp_chart_get_n_series (chart), ==, 2);
  g_assert_cmpuint (bp_chart_get_n_points (chart, 0), ==, 0);
  g_assert_cmpuint (bp_chart_get_n_points (chart, 1), ==, 0);
  g_assert_cmpuint (bp_chart_get_n_pinned_points (chart, 0, 0), ==, 2);
  g_assert_cmpuint (bp_chart_get_n_pinned_points (chart, 0, 1), ==, 1);
  g_assert_false (bp_chart_get_last_point (chart, 0, NULL, NULL));

  /* A second run, pinned too; then clear() drops only the live points. */
  bp_chart_append (chart, 0, 1.0, 5.0);
  g_assert_true (bp_chart_pin_run (chart, NULL));
  bp_chart_append (chart, 1, 2.0, 6.0);
  bp_chart_append (chart, 1, 3.0, 7.0);
  g_assert_cmpuint (bp_chart_get_n_pins (chart), ==, 2);
  g_assert_cmpuint (bp_chart_get_n_pinned_points (chart, 1, 0), ==, 1);
  g_assert_cmpuint (bp_chart_get_n_pinned_points (chart, 1, 1), ==, 0);

  bp_chart_clear (chart);
  g_assert_cmpuint (bp_chart_get_n_points (chart, 1), ==, 0);
  g_assert_cmpuint (bp_chart_get_n_pins (chart), ==, 2);
  g_assert_cmpuint (bp_chart_get_n_pinned_points (chart, 0, 0), ==, 2);

  /* The pinned points still draw and can be read out. */
  {
    g_autofree char *text = bp_chart_describe_nearest (chart, 0, 0, 400, 300);

    g_assert_nonnull (text);
    g_assert_true (strstr (text, "(run 1)") != NULL || strstr (text, "(Pinned run 2)") != NULL);
  }

  bp_chart_clear_pins (chart);
  g_assert_cmpuint (bp_chart_get_n_pins (chart), ==, 0);
  g_assert_null (bp_chart_describe_nearest (chart, 0, 0, 400, 300));
}

static void
test_chart_describe (void)
{
  g_autoptr (BpChart) chart = bp_chart_new ();
  g_autofree char *none = NULL;
  g_autofree char *top_right = NULL;
  g_autofree char *bottom_left = NULL;
  g_autofree char *latest = NULL;
  g_autofree char *pinned = NULL;

  bp_chart_set_x_label (chart, "Epoch");
  bp_chart_set_y_range (chart, 0.0, 1.0);
  bp_chart_add_series (chart, "Training accuracy", 0);
  bp_chart_add_series (chart, "Validation accuracy", 1);

  none = bp_chart_describe_nearest (chart, 100, 100, 400, 300);
  g_assert_null (none);
  g_assert_null (bp_chart_describe_latest (chart));

  /* Points inside an epoch (x = 0.25) and whole epochs. */
  bp_chart_append (chart, 1, 0.25, 0.3125);
  for (int e = 1; e <= 12; e++)
    {
      bp_chart_append (chart, 0, e, 0.5 + e * 0.02);
      bp_chart_append (chart, 1, e, e == 12 ? 0.9541 : 0.6 + e * 0.02);
    }

  /* Top right: the last validation point; bottom left: the point inside the first epoch. */
  top_right = bp_chart_describe_nearest (chart, 399, 0, 400, 300);
  g_assert_cmpstr (top_right, ==, "Validation accuracy: 0.9541 at epoch 12.0");
  bottom_left = bp_chart_describe_nearest (chart, 0, 299, 400, 300);
  g_assert_cmpstr (bottom_left, ==, "Validation accuracy: 0.3125 at epoch 0.25");

  latest = bp_chart_describe_latest (chart);
  g_assert_cmpstr (latest, ==,
                   "Training accuracy: 0.74 at epoch 12.0; "
                   "Validation accuracy: 0.9541 at epoch 12.0");

  /* After pinning, the same place reads the pinned run with its label. */
  bp_chart_pin_run (chart, "η = 3");
  pinned = bp_chart_describe_nearest (chart, 399, 0, 400, 300);
  g_assert_cmpstr (pinned, ==, "Validation accuracy (η = 3): 0.9541 at epoch 12.0");
}

/* A dense series collapses into few segments per pixel column; the drawing must still cover
 * everything the points span. Ten thousand points alternating between 0 and 1 must paint the
 * plot area's middle row from end to end. */
static void
test_chart_dense (void)
{
  g_autoptr (BpChart) chart = bp_chart_new ();
  BpChartStyle style;
  cairo_surface_t *surface;
  BpChartColor blue;
  int painted = 0, row = PLOT_H / 2;
  int first = -1, last = -1;

  bp_chart_set_y_range (chart, 0.0, 1.0);
  bp_chart_add_series (chart, "noise", 0);
  for (int i = 0; i < 10000; i++)
    bp_chart_append (chart, 0, i / 1000.0, i % 2);

  bp_chart_style_init (&style, FALSE);
  surface = render_chart (chart, &style, PLOT_W, PLOT_H, 1.0);
  bp_chart_palette_color (0, FALSE, &blue);

  for (int x = 0; x < PLOT_W; x++)
    {
      guint32 p = pixel_at (surface, x, row);
      int r = (p >> 16) & 0xff, g = (p >> 8) & 0xff, b = p & 0xff;

      if (ABS (r - (int) lround (blue.red * 255)) < 24
          && ABS (g - (int) lround (blue.green * 255)) < 24
          && ABS (b - (int) lround (blue.blue * 255)) < 24)
        {
          painted++;
          if (first < 0)
            first = x;
          last = x;
        }
    }

  g_test_message ("dense series: %d columns painted from %d to %d", painted, first, last);
  g_assert_cmpint (first, >=, 0);
  g_assert_cmpint (painted, >=, (last - first + 1) * 95 / 100);
  g_assert_cmpint (last - first, >, PLOT_W / 2);

  cairo_surface_destroy (surface);
}

/* The legend's entries are found where they are drawn: along the header row, the three
 * series in order, then the pin; nothing below the header. */
static void
test_chart_legend_at (void)
{
  g_autoptr (BpChart) chart = accuracy_chart ();
  int last = -1, seen = 0;

  for (int x = 0; x < PLOT_W; x++)
    {
      int item = bp_chart_legend_item_at (chart, x, 18, PLOT_W);

      if (item >= 0 && item != last)
        {
          g_assert_cmpint (item, ==, last + 1);
          last = item;
          seen++;
        }
    }
  g_assert_cmpint (seen, ==, 4);
  g_assert_cmpint (bp_chart_legend_item_at (chart, PLOT_W / 2, PLOT_H / 2, PLOT_W), ==, -1);
}

/* A change of a setting is drawn where it happened, and goes when the marks are cleared. */
static void
test_chart_marks (void)
{
  g_autoptr (BpChart) chart = accuracy_chart ();
  BpChartStyle style;
  cairo_surface_t *plain, *marked, *cleared;

  bp_chart_style_init (&style, FALSE);
  plain = render_chart (chart, &style, PLOT_W, PLOT_H, 1.0);
  bp_chart_add_mark (chart, 5.0, "η 0.5 → 0.1");
  g_assert_cmpuint (bp_chart_get_n_marks (chart), ==, 1);
  marked = render_chart (chart, &style, PLOT_W, PLOT_H, 1.0);
  g_assert_cmpfloat (bp_test_bad_pixel_share (plain, marked), >, 0.001);
  bp_chart_clear_marks (chart);
  cleared = render_chart (chart, &style, PLOT_W, PLOT_H, 1.0);
  g_assert_cmpfloat (bp_test_bad_pixel_share (plain, cleared), ==, 0.0);
  cairo_surface_destroy (plain);
  cairo_surface_destroy (marked);
  cairo_surface_destroy (cleared);
}

/* A series' tooltip is given over its legend entry, and only there. */
static void
test_plot_tooltip (void)
{
  GtkWidget *plot;
  const char *found = NULL;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  plot = g_object_ref_sink (bp_plot_new ());
  bp_plot_set_title (BP_PLOT (plot), "Accuracy");
  bp_plot_add_series (BP_PLOT (plot), "Training", 0);
  bp_plot_add_series (BP_PLOT (plot), "Held-out sample (500)", 3);
  bp_plot_set_series_tooltip (BP_PLOT (plot), 1, "The first 500 validation images");
  for (int x = 0; x < 600 && found == NULL; x++)
    found = bp_plot_get_tooltip_at (BP_PLOT (plot), x, 18, 600);
  g_assert_cmpstr (found, ==, "The first 500 validation images");
  g_assert_null (bp_plot_get_tooltip_at (BP_PLOT (plot), 300, 200, 600));
  bp_plot_remove_series (BP_PLOT (plot));
  g_assert_null (bp_plot_get_tooltip_at (BP_PLOT (plot), 300, 18, 600));
  g_object_unref (plot);
}

static void
test_chart_hover (void)
{
  g_autoptr (BpChart) chart = accuracy_chart ();
  BpChartStyle style;
  cairo_surface_t *plain, *hover;

  bp_chart_style_init (&style, FALSE);
  plain = render_chart (chart, &style, PLOT_W, PLOT_H, 1.0);

  /* The pointer near the right end of the curves: a marker and a read-out box appear. */
  style.hover = TRUE;
  style.hover_x = PLOT_W - 20;
  style.hover_y = 80;
  hover = render_chart (chart, &style, PLOT_W, PLOT_H, 1.0);
  g_assert_cmpfloat (bp_test_bad_pixel_share (plain, hover), >, 0.002);
  bp_test_assert_golden (hover, "plot-accuracy-hover-light.png");

  /* Far outside the plot area, nothing is added. */
  cairo_surface_destroy (hover);
  style.hover_x = 2;
  style.hover_y = 2;
  hover = render_chart (chart, &style, PLOT_W, PLOT_H, 1.0);
  g_assert_cmpfloat (bp_test_bad_pixel_share (plain, hover), ==, 0.0);

  cairo_surface_destroy (plain);
  cairo_surface_destroy (hover);
}

static void
golden_chart (BpChart    *chart,
              gboolean    dark,
              double      scale,
              const char *name)
{
  BpChartStyle style;
  cairo_surface_t *surface;

  bp_chart_style_init (&style, dark);
  surface = render_chart (chart, &style, PLOT_W, PLOT_H, scale);
  bp_test_assert_golden (surface, name);
  cairo_surface_destroy (surface);
}

static void
test_chart_golden_accuracy (void)
{
  g_autoptr (BpChart) chart = accuracy_chart ();

  golden_chart (chart, FALSE, 1.0, "plot-accuracy-light.png");
  golden_chart (chart, TRUE, 1.0, "plot-accuracy-dark.png");
  /* HiDPI: the same chart at twice the pixels, lines and text drawn at that resolution. */
  golden_chart (chart, FALSE, 2.0, "plot-accuracy-light-2x.png");
}

static void
test_chart_golden_cost (void)
{
  g_autoptr (BpChart) chart = cost_chart ();

  golden_chart (chart, FALSE, 1.0, "plot-cost-log-light.png");
  golden_chart (chart, TRUE, 1.0, "plot-cost-log-dark.png");

  /* The same data on a linear axis. */
  bp_chart_set_log_y (chart, FALSE);
  golden_chart (chart, FALSE, 1.0, "plot-cost-linear-light.png");
}

/* Thousands of noisy mini-batch points per run, live and pinned: drawn as per-column bars
 * (see bp-chart.c), which must look like the line they replace, dashes included. */
static void
test_chart_golden_dense (void)
{
  g_autoptr (BpChart) chart = bp_chart_new ();

  bp_chart_set_title (chart, "Mini-batch cost");
  bp_chart_set_x_label (chart, "Epoch");
  bp_chart_set_y_label (chart, "Cost");
  bp_chart_set_log_y (chart, TRUE);
  bp_chart_add_series (chart, "Training cost", 0);
  bp_chart_add_series (chart, "Evaluation cost", 1);

  for (int run = 0; run < 2; run++)
    {
      for (int i = 0; i < 6000; i++)
        {
          double x = i / 1000.0;
          double noise = 0.25 * sin (i * 0.7) * sin (i * 0.013);

          bp_chart_append (chart, 0, x, (0.08 + (run == 0 ? 0.8 : 0.5) * exp (-x)) * (1.0 + noise));
          if (i % 250 == 0)
            bp_chart_append (chart, 1, x, 0.1 + (run == 0 ? 0.8 : 0.5) * exp (-x / 1.5));
        }
      if (run == 0)
        bp_chart_pin_run (chart, "η = 0.1");
    }

  golden_chart (chart, FALSE, 1.0, "plot-dense-light.png");
  golden_chart (chart, TRUE, 1.0, "plot-dense-dark.png");
}

static gboolean
have_cjk_font (void)
{
  PangoFontFamily **families;
  int n;
  gboolean found = FALSE;

  pango_font_map_list_families (pango_cairo_font_map_get_default (), &families, &n);
  for (int i = 0; i < n && !found; i++)
    {
      const char *name = pango_font_family_get_name (families[i]);

      found = strstr (name, "WenQuanYi") != NULL || strstr (name, "CJK") != NULL;
    }
  g_free (families);

  return found;
}

/* Chinese labels (the book notes this began from are Chinese) render with real glyphs. */
static void
test_chart_chinese (void)
{
  g_autoptr (BpChart) chart = NULL;
  PangoContext *context;
  g_autoptr (PangoLayout) layout = NULL;

  if (!have_cjk_font ())
    {
      g_test_skip ("no CJK font installed (fonts-wqy-microhei)");
      return;
    }

  context = pango_font_map_create_context (pango_cairo_font_map_get_default ());
  layout = pango_layout_new (context);
  pango_layout_set_text (layout, "验证准确率", -1);
  g_assert_cmpint (pango_layout_get_unknown_glyphs_count (layout), ==, 0);
  g_object_unref (context);

  chart = bp_chart_new ();
  bp_chart_set_title (chart, "准确率");
  bp_chart_set_x_label (chart, "轮次");
  bp_chart_set_y_label (chart, "准确率");
  bp_chart_set_y_range (chart, 0.0, 1.0);
  bp_chart_add_series (chart, "训练准确率", 0);
  bp_chart_add_series (chart, "验证准确率", 1);
  bp_chart_add_series (chart, "测试准确率", 2);
  fill_accuracy (chart, 1.0);
  golden_chart (chart, FALSE, 1.0, "plot-chinese-light.png");
}

static void
test_chart_timing (void)
{
  g_autoptr (BpChart) chart = bp_chart_new ();
  BpChartStyle style;
  cairo_surface_t *surface;
  const int runs = 40;
  double best = G_MAXDOUBLE, total = 0.0;

  bp_chart_set_x_label (chart, "Epoch");
  bp_chart_set_y_label (chart, "Cost");
  bp_chart_add_series (chart, "Training cost", 0);
  for (int i = 0; i < 10000; i++)
    {
      double x = i / 1000.0;

      bp_chart_append (chart, 0, x, 0.1 + exp (-x) + 0.05 * sin (i * 0.7));
    }

  bp_chart_style_init (&style, FALSE);
  style.hover = TRUE;
  style.hover_x = 300;
  style.hover_y = 200;
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 800, 500);

  for (int pass = 0; pass < 2; pass++)
    {
      best = G_MAXDOUBLE;
      total = 0.0;

      for (int r = 0; r < runs; r++)
        {
          cairo_t *cr = cairo_create (surface);
          gint64 start = g_get_monotonic_time ();
          double ms;

          bp_chart_draw (chart, cr, 800, 500, &style);
          cairo_surface_flush (surface);
          ms = (g_get_monotonic_time () - start) / 1000.0;
          cairo_destroy (cr);
          best = MIN (best, ms);
          total += ms;
        }

      g_test_message ("BpPlot draw, 800×500, %s: mean %.2f ms, best %.2f ms",
                      pass == 0 ? "10,000 points (1 series)" : "30,000 points (3 series)",
                      total / runs, best);

      /* The second pass: two more series of 10,000 points each. */
      bp_chart_add_series (chart, "Evaluation cost", 1);
      bp_chart_add_series (chart, "Third", 2);
      for (int i = 0; i < 10000; i++)
        {
          double x = i / 1000.0;

          bp_chart_append (chart, 1, x, 0.2 + exp (-x / 2) + 0.03 * cos (i * 0.3));
          bp_chart_append (chart, 2, x, 0.3 + exp (-x / 3) + 0.02 * sin (i * 1.3));
        }
    }

  cairo_surface_destroy (surface);
}

/* The weight tiles */

static void
golden_tiles (BpWeightTiles *tiles,
              gboolean       dark,
              int            selected,
              const char    *name)
{
  BpWeightTilesStyle style;
  cairo_surface_t *surface;

  bp_weight_tiles_style_init (&style, dark);
  style.selected = selected;
  surface = render_tiles (tiles, &style, GRID_W, GRID_H);
  bp_test_assert_golden (surface, name);
  cairo_surface_destroy (surface);
}

static void
test_tiles_golden (void)
{
  g_autoptr (BpWeightTiles) tiles = weight_tiles ();

  golden_tiles (tiles, FALSE, 6, "weights-light.png");
  golden_tiles (tiles, TRUE, 6, "weights-dark.png");
}

static void
test_tiles_neuron_at (void)
{
  g_autoptr (BpWeightTiles) tiles = weight_tiles ();
  int x0[16], y0[16], x1[16], y1[16];
  gsize count[16] = { 0 };
  gsize gaps = 0;

  for (int i = 0; i < 16; i++)
    {
      x0[i] = y0[i] = G_MAXINT;
      x1[i] = y1[i] = -1;
    }

  /* Scan every pixel: each neuron owns one solid rectangle, all of the same size, laid out
   * left to right and top to bottom, with gaps that belong to nobody. */
  for (int y = 0; y < GRID_H; y++)
    for (int x = 0; x < GRID_W; x++)
      {
        int n = bp_weight_tiles_neuron_at (tiles, x + 0.5, y + 0.5, GRID_W, GRID_H);

        g_assert_cmpint (n, >=, -1);
        g_assert_cmpint (n, <, 16);
        if (n < 0)
          {
            gaps++;
            continue;
          }
        count[n]++;
        x0[n] = MIN (x0[n], x);
        y0[n] = MIN (y0[n], y);
        x1[n] = MAX (x1[n], x);
        y1[n] = MAX (y1[n], y);
      }

  g_assert_cmpuint (gaps, >, 0);
  for (int i = 0; i < 16; i++)
    {
      g_assert_cmpuint (count[i], ==, (gsize) (x1[i] - x0[i] + 1) * (y1[i] - y0[i] + 1));
      g_assert_cmpint (x1[i] - x0[i], ==, x1[0] - x0[0]);
      g_assert_cmpint (y1[i] - y0[i], ==, y1[0] - y0[0]);
      /* Square pictures for 28 × 28 inputs. */
      g_assert_cmpint (x1[i] - x0[i], ==, y1[i] - y0[i]);
      if (i > 0)
        g_assert_true ((y0[i] == y0[i - 1] && x0[i] > x1[i - 1]) || y0[i] > y1[i - 1]);
    }

  /* The margins and the legend are nobody's. */
  g_assert_cmpint (bp_weight_tiles_neuron_at (tiles, 1, 1, GRID_W, GRID_H), ==, -1);
  g_assert_cmpint (bp_weight_tiles_neuron_at (tiles, GRID_W / 2, GRID_H - 5, GRID_W, GRID_H),
                   ==, -1);
  g_assert_cmpint (bp_weight_tiles_neuron_at (tiles, -5, 100, GRID_W, GRID_H), ==, -1);
  g_assert_cmpint (bp_weight_tiles_neuron_at (tiles, 100, 1e6, GRID_W, GRID_H), ==, -1);
}

static void
test_tiles_columns (void)
{
  g_autoptr (BpWeightTiles) tiles = weight_tiles ();
  g_autoptr (BpWeightTiles) matrix = bp_weight_tiles_new ();
  float w[10 * 30];

  /* The grid follows the shape of the space it is given. */
  g_assert_cmpuint (bp_weight_tiles_get_columns (tiles, 640, 480), ==, 4);
  g_assert_cmpuint (bp_weight_tiles_get_columns (tiles, 1600, 200), ==, 16);
  g_assert_cmpuint (bp_weight_tiles_get_columns (tiles, 1200, 400), ==, 8);
  g_assert_cmpuint (bp_weight_tiles_get_columns (tiles, 200, 1600), ==, 1);
  g_assert_cmpuint (bp_weight_tiles_get_columns (tiles, 5, 5), ==, 0);

  /* A deeper layer as one matrix picture (10 outputs × 30 inputs): one wide tile. */
  for (int i = 0; i < 300; i++)
    w[i] = (float) (i % 7) - 3.0f;
  bp_weight_tiles_set_weights (matrix, w, 1, 300, 10, 30);
  g_assert_cmpuint (bp_weight_tiles_get_columns (matrix, 400, 300), ==, 1);
  g_assert_cmpint (bp_weight_tiles_neuron_at (matrix, 200, 100, 400, 300), ==, 0);
  g_assert_cmpfloat (bp_weight_tiles_get_limit (matrix), ==, 3.0);

  /* No weights: nothing to hit, nothing to lay out, and drawing is harmless. */
  bp_weight_tiles_set_weights (matrix, NULL, 0, 0, 0, 0);
  g_assert_cmpuint (bp_weight_tiles_get_n_neurons (matrix), ==, 0);
  g_assert_cmpint (bp_weight_tiles_neuron_at (matrix, 200, 100, 400, 300), ==, -1);
  {
    BpWeightTilesStyle style;
    cairo_surface_t *surface;

    bp_weight_tiles_style_init (&style, FALSE);
    surface = render_tiles (matrix, &style, 100, 100);
    cairo_surface_destroy (surface);
  }
}

/* The box of pixels that hit-test to @neuron in a @width × @height drawing. */
static void
tile_bounds (BpWeightTiles *tiles,
             int            width,
             int            height,
             int            neuron,
             int           *x0,
             int           *y0,
             int           *x1,
             int           *y1)
{
  *x0 = *y0 = G_MAXINT;
  *x1 = *y1 = -1;
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      if (bp_weight_tiles_neuron_at (tiles, x + 0.5, y + 0.5, width, height) == neuron)
        {
          *x0 = MIN (*x0, x);
          *y0 = MIN (*y0, y);
          *x1 = MAX (*x1, x);
          *y1 = MAX (*y1, y);
        }
  g_assert_cmpint (*x1, >=, *x0);
}

/* The colours drawn are the colour map's at w / limit, for the automatic and a fixed limit. */
static void
test_tiles_colours (void)
{
  g_autoptr (BpWeightTiles) tiles = bp_weight_tiles_new ();
  const float w[4] = { -0.5f, 0.0f, 0.25f, 0.5f };
  BpWeightTilesStyle style;
  cairo_surface_t *surface;
  int x0, y0, x1, y1;

  bp_weight_tiles_style_init (&style, FALSE);
  bp_weight_tiles_set_weights (tiles, w, 1, 4, 1, 4);
  g_assert_cmpfloat (bp_weight_tiles_get_limit (tiles), ==, 0.5);
  surface = render_tiles (tiles, &style, 400, 200);

  /* Find the tile by hit-testing, then sample the middle of each weight's square. */
  tile_bounds (tiles, 400, 200, 0, &x0, &y0, &x1, &y1);
  for (int i = 0; i < 4; i++)
    {
      int x = x0 + (int) ((i + 0.5) * (x1 - x0 + 1) / 4.0);

      g_assert_cmphex (pixel_at (surface, x, (y0 + y1) / 2), ==,
                       bp_colormap_diverging_pixel (w[i] / 0.5) & 0xffffff);
    }
  cairo_surface_destroy (surface);

  /* A fixed limit of 1: +0.5 is now half way to the end of the scale. */
  bp_weight_tiles_set_limit (tiles, 1.0);
  bp_weight_tiles_set_weights (tiles, w, 1, 4, 1, 4);
  g_assert_cmpfloat (bp_weight_tiles_get_limit (tiles), ==, 1.0);
  surface = render_tiles (tiles, &style, 400, 200);
  tile_bounds (tiles, 400, 200, 0, &x0, &y0, &x1, &y1);
  {
    guint32 got = pixel_at (surface, x1 - 2, (y0 + y1) / 2);
    guint32 want = bp_colormap_diverging_pixel (0.5) & 0xffffff;

    g_assert_cmpint (ABS ((int) ((got >> 16) & 0xff) - (int) ((want >> 16) & 0xff)), <=, 2);
    g_assert_cmpint (ABS ((int) (got & 0xff) - (int) (want & 0xff)), <=, 2);
  }
  cairo_surface_destroy (surface);

  /* Back to automatic. */
  bp_weight_tiles_set_limit (tiles, 0.0);
  bp_weight_tiles_set_weights (tiles, w, 1, 4, 1, 4);
  g_assert_cmpfloat (bp_weight_tiles_get_limit (tiles), ==, 0.5);
}

static void
test_tiles_timing (void)
{
  g_autoptr (BpWeightTiles) tiles = bp_weight_tiles_new ();
  g_autofree float *w = g_new (float, 100 * 784);
  BpWeightTilesStyle style;
  cairo_surface_t *surface;
  const int runs = 40;
  double update_total = 0.0, update_best = G_MAXDOUBLE;
  double draw_total = 0.0, draw_best = G_MAXDOUBLE;

  for (int i = 0; i < 100 * 784; i++)
    w[i] = (float) (0.1 * sin (i * 0.37) * cos (i * 0.011));

  bp_weight_tiles_style_init (&style, FALSE);
  style.selected = 7;
  style.hover = 8;
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 800, 600);

  for (int r = 0; r < runs; r++)
    {
      gint64 start = g_get_monotonic_time ();
      cairo_t *cr;
      double ms;

      bp_weight_tiles_set_weights (tiles, w, 100, 784, 28, 28);
      ms = (g_get_monotonic_time () - start) / 1000.0;
      update_total += ms;
      update_best = MIN (update_best, ms);

      cr = cairo_create (surface);
      start = g_get_monotonic_time ();
      bp_weight_tiles_draw (tiles, cr, 800, 600, &style);
      cairo_surface_flush (surface);
      ms = (g_get_monotonic_time () - start) / 1000.0;
      cairo_destroy (cr);
      draw_total += ms;
      draw_best = MIN (draw_best, ms);
    }

  g_test_message ("BpWeightGrid set_weights, 100 × 784: mean %.2f ms, best %.2f ms",
                  update_total / runs, update_best);
  g_test_message ("BpWeightGrid draw, 100 neurons, 800×600: mean %.2f ms, best %.2f ms",
                  draw_total / runs, draw_best);

  cairo_surface_destroy (surface);
}

/* The widgets (need a display) */

static void
notify_count_cb (GObject    *object,
                 GParamSpec *pspec,
                 int        *count)
{
  (*count)++;
}

/* The accessible string property @property of @accessible is @expected. */
static void
assert_accessible (GtkAccessible         *accessible,
                   GtkAccessibleProperty  property,
                   const char            *expected)
{
  g_autofree char *error = gtk_test_accessible_check_property (accessible, property, expected);

  g_assert_cmpstr (error, ==, NULL);
}

static void
test_plot_widget (void)
{
  BpPlot *plot;
  int notified = 0;
  cairo_surface_t *surface;
  cairo_t *cr;
  char *text;
  guint training, validation, test;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }

  plot = BP_PLOT (g_object_ref_sink (bp_plot_new ()));
  g_assert_true (gtk_test_accessible_has_role (GTK_ACCESSIBLE (plot), GTK_ACCESSIBLE_ROLE_IMG));

  g_signal_connect (plot, "notify::log-y", G_CALLBACK (notify_count_cb), &notified);
  bp_plot_set_log_y (plot, TRUE);
  bp_plot_set_log_y (plot, TRUE);
  g_assert_true (bp_plot_get_log_y (plot));
  g_object_set (plot, "log-y", FALSE, NULL);
  g_assert_false (bp_plot_get_log_y (plot));
  g_assert_cmpint (notified, ==, 2);

  /* The same data as the pure-Cairo golden image, through the widget's API. */
  bp_plot_set_title (plot, "Accuracy");
  bp_plot_set_x_label (plot, "Epoch");
  bp_plot_set_y_label (plot, "Accuracy");
  bp_plot_set_y_range (plot, 0.0, 1.0);
  training = bp_plot_add_series (plot, "Training accuracy", 0);
  validation = bp_plot_add_series (plot, "Validation accuracy", 1);
  test = bp_plot_add_series (plot, "Test accuracy", 2);
  g_assert_cmpuint (validation, ==, 1);

  assert_accessible (GTK_ACCESSIBLE (plot), GTK_ACCESSIBLE_PROPERTY_LABEL, "Accuracy");

  for (int run = 0; run < 2; run++)
    {
      double speed = run == 0 ? 0.35 : 1.0;

      for (int k = 1; k <= 48; k++)
        {
          double x = k / 4.0;

          bp_plot_append (plot, validation, x, validation_curve (x * speed));
          bp_plot_append (plot, validation, x, NAN);
          if (k % 4 == 0)
            {
              bp_plot_append (plot, training, x, 0.97 - 0.5 * exp (-x * speed / 1.0));
              bp_plot_append (plot, test, x, validation_curve (x * speed) - 0.003);
            }
        }
      if (run == 0)
        {
          bp_plot_pin_run (plot, "η = 0.5");
          g_assert_cmpuint (bp_plot_get_n_pins (plot), ==, 1);
          g_assert_cmpuint (bp_plot_get_n_points (plot, validation), ==, 0);
        }
    }
  g_assert_cmpuint (bp_plot_get_n_points (plot, validation), ==, 48);

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, PLOT_W, PLOT_H);
  cr = cairo_create (surface);
  bp_plot_draw (plot, cr, PLOT_W, PLOT_H, FALSE);
  cairo_destroy (cr);
  bp_test_assert_golden (surface, "plot-accuracy-light.png");
  cairo_surface_destroy (surface);

  /* The top right corner is nearest the training curve's end. */
  text = bp_plot_describe_nearest (plot, PLOT_W - 1, 0, PLOT_W, PLOT_H);
  g_assert_cmpstr (text, ==, "Training accuracy: 0.97 at epoch 12.0");
  g_free (text);

  /* The accessible description follows the data (at most twice a second) and counts the
   * pinned runs. */
  bp_test_iterate_for (700);
  {
    g_autofree char *latest = NULL;
    g_autofree char *expected = NULL;

    latest = g_strdup_printf ("%.4g", validation_curve (12.0));
    expected = g_strdup_printf ("Training accuracy: %.4g at epoch 12.0; "
                                "Validation accuracy: %s at epoch 12.0; "
                                "Test accuracy: %.4g at epoch 12.0; 1 pinned run",
                                0.97 - 0.5 * exp (-12.0), latest, validation_curve (12.0) - 0.003);
    assert_accessible (GTK_ACCESSIBLE (plot), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, expected);
  }

  /* clear() keeps the pins; clear_pins() removes them. */
  bp_plot_clear (plot);
  g_assert_cmpuint (bp_plot_get_n_points (plot, validation), ==, 0);
  g_assert_cmpuint (bp_plot_get_n_pins (plot), ==, 1);
  text = bp_plot_describe_nearest (plot, PLOT_W - 1, 0, PLOT_W, PLOT_H);
  g_assert_nonnull (strstr (text, "(η = 0.5)"));
  g_free (text);
  bp_plot_clear_pins (plot);
  g_assert_cmpuint (bp_plot_get_n_pins (plot), ==, 0);
  g_assert_null (bp_plot_describe_nearest (plot, PLOT_W - 1, 0, PLOT_W, PLOT_H));

  g_assert_finalize_object (plot);
}

static gboolean
has_colour (cairo_surface_t *surface,
            guint32          rgb)
{
  int width = cairo_image_surface_get_width (surface);
  int height = cairo_image_surface_get_height (surface);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint32 p = pixel_at (surface, x, y);

        if (ABS ((int) ((p >> 16) & 0xff) - (int) ((rgb >> 16) & 0xff)) <= 2
            && ABS ((int) ((p >> 8) & 0xff) - (int) ((rgb >> 8) & 0xff)) <= 2
            && ABS ((int) (p & 0xff) - (int) (rgb & 0xff)) <= 2)
          return TRUE;
      }

  return FALSE;
}

static GtkWindow *
show_in_window (GtkWidget *child)
{
  GtkWidget *window = gtk_window_new ();

  gtk_window_set_default_size (GTK_WINDOW (window), PLOT_W, PLOT_H);
  gtk_window_set_child (GTK_WINDOW (window), child);
  gtk_window_present (GTK_WINDOW (window));

  for (int i = 0; i < 500; i++)
    {
      if (gtk_widget_get_mapped (child) && gtk_widget_get_width (child) >= 100)
        break;
      bp_test_iterate_for (10);
    }
  g_assert_true (gtk_widget_get_mapped (child));
  g_assert_cmpint (gtk_widget_get_width (child), >=, 100);


  return GTK_WINDOW (window);
}

static GtkEventController *
find_controller (GtkWidget *widget,
                 GType      type)
{
  GListModel *controllers = gtk_widget_observe_controllers (widget);
  GtkEventController *found = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (controllers) && found == NULL; i++)
    {
      GtkEventController *controller = g_list_model_get_item (controllers, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (controller, type))
        found = controller;
      g_object_unref (controller);
    }
  g_object_unref (controllers);
  g_assert_nonnull (found);

  return found;
}

/* The widget's own drawing: the style's colours, the series colours, the hover read-out. */
static void
test_plot_snapshot (void)
{
  GtkWidget *plot;
  GtkWindow *window;
  cairo_surface_t *plain, *hover;
  GtkEventController *motion;
  guint series;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }

  plot = bp_plot_new ();
  g_object_ref (plot);
  bp_plot_set_title (BP_PLOT (plot), "Cost");
  bp_plot_set_log_y (BP_PLOT (plot), TRUE);
  series = bp_plot_add_series (BP_PLOT (plot), "Training cost", 0);
  for (int k = 1; k <= 40; k++)
    bp_plot_append (BP_PLOT (plot), series, k / 4.0, 0.05 + exp (-k / 8.0));

  window = show_in_window (plot);
  plain = bp_test_render_widget (plot);
  g_assert_true (has_colour (plain, 0x0072b2));

  motion = find_controller (plot, GTK_TYPE_EVENT_CONTROLLER_MOTION);
  g_signal_emit_by_name (motion, "motion", (double) gtk_widget_get_width (plot) / 2,
                         (double) gtk_widget_get_height (plot) / 2);
  hover = bp_test_render_widget (plot);
  g_assert_cmpfloat (bp_test_bad_pixel_share (plain, hover), >, 0.001);
  g_signal_emit_by_name (motion, "leave");
  cairo_surface_destroy (hover);
  hover = bp_test_render_widget (plot);
  g_assert_cmpfloat (bp_test_bad_pixel_share (plain, hover), ==, 0.0);

  /* The whole redraw as GTK's Cairo renderer does it: the widget's snapshot (recorded) and
   * the render node drawn, with 10,000 noisy points more. */
  for (int i = 0; i < 10000; i++)
    bp_plot_append (BP_PLOT (plot), series, 10.0 + i / 1000.0, 0.05 + 0.02 * sin (i * 0.7));
  {
    int width = gtk_widget_get_width (plot);
    int height = gtk_widget_get_height (plot);
    cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
    double total = 0.0, best = G_MAXDOUBLE;
    const int runs = 20;

    for (int r = 0; r < runs; r++)
      {
        GtkSnapshot *snapshot = gtk_snapshot_new ();
        gint64 start = g_get_monotonic_time ();
        GskRenderNode *node;
        cairo_t *cr;
        double ms;

        GTK_WIDGET_GET_CLASS (plot)->snapshot (plot, snapshot);
        node = gtk_snapshot_free_to_node (snapshot);
        cr = cairo_create (surface);
        gsk_render_node_draw (node, cr);
        cairo_destroy (cr);
        cairo_surface_flush (surface);
        ms = (g_get_monotonic_time () - start) / 1000.0;
        gsk_render_node_unref (node);
        total += ms;
        best = MIN (best, ms);
      }
    g_test_message ("BpPlot snapshot + render, %d×%d, 10,040 points: mean %.2f ms, best %.2f ms",
                    width, height, total / runs, best);
    cairo_surface_destroy (surface);
  }

  cairo_surface_destroy (plain);
  cairo_surface_destroy (hover);
  gtk_window_destroy (window);
  g_assert_finalize_object (plot);
}

static void
activated_cb (BpWeightGrid *grid,
              guint         neuron,
              int          *out)
{
  *out = (int) neuron;
}

static void
test_weight_grid_widget (void)
{
  GtkWidget *grid;
  GtkWindow *window;
  g_autofree float *w = weight_set ();
  GtkEventController *click, *key;
  cairo_surface_t *surface;
  int activated = -1;
  int width, height;
  int columns = 0;
  double cx = -1, cy = -1;
  gboolean handled = FALSE;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }

  grid = bp_weight_grid_new ();
  g_object_ref (grid);
  g_assert_true (gtk_test_accessible_has_role (GTK_ACCESSIBLE (grid), GTK_ACCESSIBLE_ROLE_IMG));
  g_signal_connect (grid, "neuron-activated", G_CALLBACK (activated_cb), &activated);
  bp_weight_grid_set_weights (BP_WEIGHT_GRID (grid), w, 16, 784, 28, 28);
  {
    g_autofree char *expected = g_strdup_printf ("16 neurons, each one's incoming weights as a "
                                                 "28 × 28 picture; blue is negative, red "
                                                 "positive, scale ±%.2g",
                                                 bp_weight_grid_get_limit (BP_WEIGHT_GRID (grid)));

    assert_accessible (GTK_ACCESSIBLE (grid), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, expected);
  }

  /* The export path gives the same image as the display-free drawing. */
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, GRID_W, GRID_H);
  {
    cairo_t *cr = cairo_create (surface);

    bp_weight_grid_set_selected (BP_WEIGHT_GRID (grid), 6);
    bp_weight_grid_draw (BP_WEIGHT_GRID (grid), cr, GRID_W, GRID_H, TRUE);
    cairo_destroy (cr);
  }
  bp_test_assert_golden (surface, "weights-dark.png");
  cairo_surface_destroy (surface);
  g_assert_cmpint (bp_weight_grid_neuron_at (BP_WEIGHT_GRID (grid), 1, 1, GRID_W, GRID_H), ==, -1);

  window = show_in_window (grid);
  width = gtk_widget_get_width (grid);
  height = gtk_widget_get_height (grid);

  surface = bp_test_render_widget (grid);
  g_assert_true (has_colour (surface, bp_colormap_diverging_pixel (1.0) & 0xffffff)
                 || has_colour (surface, bp_colormap_diverging_pixel (-1.0) & 0xffffff));
  cairo_surface_destroy (surface);

  /* A click on neuron 5's picture selects and activates it. */
  for (int y = 0; y < height && cx < 0; y += 2)
    for (int x = 0; x < width; x += 2)
      if (bp_weight_grid_neuron_at (BP_WEIGHT_GRID (grid), x, y, width, height) == 5)
        {
          cx = x + 4;
          cy = y + 4;
          break;
        }
  g_assert_cmpfloat (cx, >=, 0);

  click = find_controller (grid, GTK_TYPE_GESTURE_CLICK);
  g_signal_emit_by_name (click, "pressed", 1, cx, cy);
  g_assert_cmpint (activated, ==, 5);
  g_assert_cmpint (bp_weight_grid_get_selected (BP_WEIGHT_GRID (grid)), ==, 5);

  /* A click in a gap does nothing. */
  activated = -1;
  g_signal_emit_by_name (click, "pressed", 1, 1.0, 1.0);
  g_assert_cmpint (activated, ==, -1);

  /* The keyboard: Right moves the selection, Enter opens it. */
  key = find_controller (grid, GTK_TYPE_EVENT_CONTROLLER_KEY);
  g_signal_emit_by_name (key, "key-pressed", GDK_KEY_Right, 0, 0, &handled);
  g_assert_true (handled);
  g_assert_cmpint (bp_weight_grid_get_selected (BP_WEIGHT_GRID (grid)), ==, 6);
  /* Down moves by one row: the number of pictures in neuron 5's row. */
  for (int x = 0, previous = -1; x < width; x++)
    {
      int n = bp_weight_grid_neuron_at (BP_WEIGHT_GRID (grid), x, cy, width, height);

      if (n >= 0 && n != previous)
        columns++;
      if (n >= 0)
        previous = n;
    }
  g_signal_emit_by_name (key, "key-pressed", GDK_KEY_Down, 0, 0, &handled);
  g_assert_cmpint (bp_weight_grid_get_selected (BP_WEIGHT_GRID (grid)), ==,
                   6 + columns < 16 ? 6 + columns : 6);
  g_signal_emit_by_name (key, "key-pressed", GDK_KEY_Return, 0, 0, &handled);
  g_assert_cmpint (activated, ==, bp_weight_grid_get_selected (BP_WEIGHT_GRID (grid)));

  gtk_window_destroy (window);
  g_assert_finalize_object (grid);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  /* Without a display only the widget cases are skipped: the drawing needs none. */
  have_display = gtk_init_check ();

  g_test_add_func ("/widgets/colormap/diverging", test_colormap);
  g_test_add_func ("/widgets/colormap/legend", test_colormap_legend);
  g_test_add_func ("/widgets/chart/ticks-linear", test_ticks_linear);
  g_test_add_func ("/widgets/chart/ticks-log", test_ticks_log);
  g_test_add_func ("/widgets/chart/palette-contrast", test_palette_contrast);
  g_test_add_func ("/widgets/chart/pins", test_chart_pins);
  g_test_add_func ("/widgets/chart/describe", test_chart_describe);
  g_test_add_func ("/widgets/chart/dense", test_chart_dense);
  g_test_add_func ("/widgets/chart/hover", test_chart_hover);
  g_test_add_func ("/widgets/chart/legend-at", test_chart_legend_at);
  g_test_add_func ("/widgets/chart/marks", test_chart_marks);
  g_test_add_func ("/widgets/plot/tooltip", test_plot_tooltip);
  g_test_add_func ("/widgets/chart/golden-accuracy", test_chart_golden_accuracy);
  g_test_add_func ("/widgets/chart/golden-cost", test_chart_golden_cost);
  g_test_add_func ("/widgets/chart/golden-dense", test_chart_golden_dense);
  g_test_add_func ("/widgets/chart/chinese", test_chart_chinese);
  g_test_add_func ("/widgets/chart/timing", test_chart_timing);
  g_test_add_func ("/widgets/tiles/golden", test_tiles_golden);
  g_test_add_func ("/widgets/tiles/neuron-at", test_tiles_neuron_at);
  g_test_add_func ("/widgets/tiles/columns", test_tiles_columns);
  g_test_add_func ("/widgets/tiles/colours", test_tiles_colours);
  g_test_add_func ("/widgets/tiles/timing", test_tiles_timing);
  g_test_add_func ("/widgets/plot/widget", test_plot_widget);
  g_test_add_func ("/widgets/plot/snapshot", test_plot_snapshot);
  g_test_add_func ("/widgets/weight-grid/widget", test_weight_grid_widget);

  return g_test_run ();
}
