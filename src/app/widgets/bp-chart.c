/* bp-chart.c — the layout and the Cairo drawing of a line chart, without GTK
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Layout, top to bottom: a header row with the title and the legend (wrapping onto more rows
 * when narrow, so it never covers a curve), the plot area with its grid, the x tick labels and
 * the x axis label; the y axis label and tick labels sit on the left. Everything is measured
 * with the chart's Pango context first, so hit-testing (the hover read-out) sees the same
 * geometry as the drawing without needing a cairo context.
 */
#include "config.h"

#include "bp-chart.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <string.h>

#include "bp-chart-line.h"
#include "bp-text.h"

#define MARGIN 10.0
#define TICK_LENGTH 4.0
#define LEGEND_SWATCH 18.0
#define LEGEND_GAP 6.0
#define LEGEND_SPACING 16.0
#define TICK_TEXT_SCALE 0.9
/* Series with at most this many points also get a dot per point: a few evaluations per epoch
 * read better as dots, thousands of mini-batch points would only blur the line. */
#define MARKER_MAX_POINTS 60
/* The pointer must be this close to the plot area for the hover read-out to appear. */
#define HOVER_SLACK 8.0

struct _BpChart
{
  char         *title;
  char         *x_label;
  char         *y_label;
  gboolean      log_y;
  double        fixed_y_min; /* a fixed y range when fixed_y_min <= fixed_y_max */
  double        fixed_y_max;
  BpChartRuns  *runs;
  PangoContext *text;   /* NULL until needed, then the default context */
  GArray       *marks;  /* Mark: where a setting changed on the live curves */
};

typedef struct
{
  double x;
  char  *label;
} Mark;

static void
mark_clear (gpointer data)
{
  g_free (((Mark *) data)->label);
}

/* The point found nearest to the pointer. */
typedef struct
{
  const BpChartSeries *series;
  const char          *pin_label; /* NULL for the live run */
  BpChartPoint         point;
  double               sx;
  double               sy;
} Nearest;

/* Okabe & Ito's colour-blind-safe palette, in an order whose first three (the most used) are
 * the most distinct; the light variants are darkened and the dark variants lightened where
 * needed for a contrast of at least 3:1 against the background (WCAG's graphics threshold). */
static const struct
{
  guint32 light;
  guint32 dark;
} palette[] = {
  { 0x0072b2, 0x56b4e9 }, /* blue */
  { 0xd55e00, 0xf5793a }, /* vermillion */
  { 0x009e73, 0x2fc59b }, /* bluish green */
  { 0xb4528a, 0xe69cc5 }, /* reddish purple */
  { 0xb27800, 0xe69f00 }, /* orange */
  { 0x3a7fa8, 0x9ad3f5 }, /* sky blue */
  { 0x8f8400, 0xf0e442 }, /* yellow */
};

/* Dash patterns of pinned runs, one per pin in turn, so two pins stay apart. */
static const double pin_dashes[][4] = {
  { 6.0, 4.0, 0.0, 0.0 },
  { 2.0, 3.0, 0.0, 0.0 },
  { 9.0, 3.0, 2.0, 3.0 },
};
static const int pin_dash_counts[] = { 2, 2, 4 };

BpChart *
bp_chart_new (void)
{
  BpChart *chart = g_new0 (BpChart, 1);

  chart->fixed_y_min = 1.0;
  chart->fixed_y_max = 0.0;
  chart->runs = bp_chart_runs_new ();
  chart->marks = g_array_new (FALSE, FALSE, sizeof (Mark));
  g_array_set_clear_func (chart->marks, mark_clear);

  return chart;
}

void
bp_chart_free (BpChart *chart)
{
  if (chart == NULL)
    return;

  g_free (chart->title);
  g_free (chart->x_label);
  g_free (chart->y_label);
  bp_chart_runs_free (chart->runs);
  g_array_unref (chart->marks);
  g_clear_object (&chart->text);
  g_free (chart);
}

void
bp_chart_set_text_context (BpChart      *chart,
                           PangoContext *context)
{
  g_return_if_fail (chart != NULL);
  g_return_if_fail (context == NULL || PANGO_IS_CONTEXT (context));

  if (context != NULL)
    g_object_ref (context);
  g_clear_object (&chart->text);
  chart->text = context;
}

static PangoContext *
text_context (BpChart *chart)
{
  if (chart->text == NULL)
    chart->text = bp_text_default_context_new ();

  return chart->text;
}

/* Store a copy of @text in *@slot, an empty string meaning none. */
static void
replace_text (char       **slot,
              const char  *text)
{
  g_free (*slot);
  *slot = (text != NULL && *text != '\0') ? g_strdup (text) : NULL;
}

void
bp_chart_set_title (BpChart    *chart,
                    const char *title)
{
  g_return_if_fail (chart != NULL);

  replace_text (&chart->title, title);
}

const char *
bp_chart_get_title (BpChart *chart)
{
  g_return_val_if_fail (chart != NULL, NULL);

  return chart->title;
}

void
bp_chart_set_x_label (BpChart    *chart,
                      const char *label)
{
  g_return_if_fail (chart != NULL);

  replace_text (&chart->x_label, label);
}

const char *
bp_chart_get_x_label (BpChart *chart)
{
  g_return_val_if_fail (chart != NULL, NULL);

  return chart->x_label;
}

void
bp_chart_set_y_label (BpChart    *chart,
                      const char *label)
{
  g_return_if_fail (chart != NULL);

  replace_text (&chart->y_label, label);
}

const char *
bp_chart_get_y_label (BpChart *chart)
{
  g_return_val_if_fail (chart != NULL, NULL);

  return chart->y_label;
}

void
bp_chart_set_log_y (BpChart *chart,
                    gboolean log_y)
{
  g_return_if_fail (chart != NULL);

  chart->log_y = !!log_y;
}

gboolean
bp_chart_get_log_y (BpChart *chart)
{
  g_return_val_if_fail (chart != NULL, FALSE);

  return chart->log_y;
}

void
bp_chart_set_y_range (BpChart *chart,
                      double   min,
                      double   max)
{
  g_return_if_fail (chart != NULL);

  chart->fixed_y_min = min;
  chart->fixed_y_max = max;
}

BpChartRuns *
bp_chart_get_runs (BpChart *chart)
{
  g_return_val_if_fail (chart != NULL, NULL);

  return chart->runs;
}

guint
bp_chart_add_series (BpChart    *chart,
                     const char *name,
                     guint       color_index)
{
  g_return_val_if_fail (chart != NULL, 0);

  return bp_chart_runs_add_series (chart->runs, name, color_index);
}

gboolean
bp_chart_append (BpChart *chart,
                 guint    series,
                 double   x,
                 double   y)
{
  g_return_val_if_fail (chart != NULL, FALSE);

  return bp_chart_runs_append (chart->runs, series, x, y);
}

void
bp_chart_clear (BpChart *chart)
{
  g_return_if_fail (chart != NULL);

  bp_chart_runs_clear (chart->runs);
}

gboolean
bp_chart_pin_run (BpChart    *chart,
                  const char *label)
{
  g_return_val_if_fail (chart != NULL, FALSE);

  return bp_chart_runs_pin (chart->runs, label);
}

void
bp_chart_clear_pins (BpChart *chart)
{
  g_return_if_fail (chart != NULL);

  bp_chart_runs_clear_pins (chart->runs);
}

void
bp_chart_remove_series (BpChart *chart)
{
  g_return_if_fail (chart != NULL);

  bp_chart_runs_remove_series (chart->runs);
}

guint
bp_chart_get_n_series (BpChart *chart)
{
  g_return_val_if_fail (chart != NULL, 0);

  return bp_chart_runs_get_n_series (chart->runs);
}

guint
bp_chart_get_n_points (BpChart *chart,
                       guint    series)
{
  g_return_val_if_fail (chart != NULL, 0);
  g_return_val_if_fail (series < bp_chart_runs_get_n_series (chart->runs), 0);

  return bp_chart_series_get_n_points (bp_chart_runs_get_series (chart->runs, series));
}

guint
bp_chart_get_n_pins (BpChart *chart)
{
  g_return_val_if_fail (chart != NULL, 0);

  return bp_chart_runs_get_n_pins (chart->runs);
}

guint
bp_chart_get_n_pinned_points (BpChart *chart,
                              guint    pin,
                              guint    series)
{
  g_return_val_if_fail (chart != NULL, 0);
  g_return_val_if_fail (pin < bp_chart_runs_get_n_pins (chart->runs), 0);

  if (series >= bp_chart_runs_get_pin_n_series (chart->runs, pin))
    return 0;

  return bp_chart_series_get_n_points (bp_chart_runs_get_pinned_series (chart->runs, pin, series));
}

gboolean
bp_chart_get_last_point (BpChart *chart,
                         guint    series,
                         double  *x,
                         double  *y)
{
  g_return_val_if_fail (chart != NULL, FALSE);
  g_return_val_if_fail (series < bp_chart_runs_get_n_series (chart->runs), FALSE);

  return bp_chart_series_get_last (bp_chart_runs_get_series (chart->runs, series), x, y);
}

/* Palette and style */

guint
bp_chart_palette_size (void)
{
  return G_N_ELEMENTS (palette);
}

void
bp_chart_palette_color (guint         index,
                        gboolean      dark,
                        BpChartColor *color)
{
  guint32 rgb;

  g_return_if_fail (color != NULL);

  rgb = dark ? palette[index % G_N_ELEMENTS (palette)].dark
             : palette[index % G_N_ELEMENTS (palette)].light;
  color->red = ((rgb >> 16) & 0xff) / 255.0;
  color->green = ((rgb >> 8) & 0xff) / 255.0;
  color->blue = (rgb & 0xff) / 255.0;
  color->alpha = 1.0;
}

void
bp_chart_style_init (BpChartStyle *style,
                     gboolean      dark)
{
  g_return_if_fail (style != NULL);

  memset (style, 0, sizeof *style);
  style->dark = !!dark;
  style->paint_background = TRUE;

  /* libadwaita's view_fg_color and view_bg_color. */
  if (dark)
    {
      style->foreground = (BpChartColor) { 1.0, 1.0, 1.0, 1.0 };
      style->background = (BpChartColor) { 0x1e / 255.0, 0x1e / 255.0, 0x1e / 255.0, 1.0 };
    }
  else
    {
      style->foreground = (BpChartColor) { 0.0, 0.0, 0.0, 0.8 };
      style->background = (BpChartColor) { 1.0, 1.0, 1.0, 1.0 };
    }
}

static void
set_color (cairo_t            *cr,
           const BpChartColor *color,
           double              alpha)
{
  cairo_set_source_rgba (cr, color->red, color->green, color->blue, color->alpha * alpha);
}

/* Layout */

static void
pin_dash (cairo_t *cr,
          guint    pin_index)
{
  guint k = pin_index % G_N_ELEMENTS (pin_dash_counts);

  cairo_set_dash (cr, pin_dashes[k], pin_dash_counts[k], 0.0);
}

/* Measure the header (title and legend) for a chart @width wide and, when @cr is given, draw
 * it. When @hit is given (x, y), *@hit_item becomes the legend item there (series first, then
 * pins), or -1. Returns the y where the header ends. */
static double
header_hit (BpChart            *chart,
            const BpChartStyle *style,
            int                 width,
            cairo_t            *cr,
            const double       *hit,
            int                *hit_item)
{
  PangoContext *context = text_context (chart);
  g_autoptr (PangoLayout) title = NULL;
  double row_h;
  double x = MARGIN;
  double y = MARGIN;
  double title_w = 0.0, title_h = 0.0;
  double text_w, text_h;
  guint n_series = bp_chart_runs_get_n_series (chart->runs);
  guint n_items = n_series + bp_chart_runs_get_n_pins (chart->runs);

  if (chart->title == NULL && n_items == 0)
    return MARGIN;

  {
    g_autoptr (PangoLayout) probe = bp_text_layout_new (context, "Ag", 1.0, FALSE);

    bp_text_size (probe, &text_w, &text_h);
  }
  row_h = text_h;

  if (chart->title != NULL)
    {
      title = bp_text_layout_new (context, chart->title, 1.0, TRUE);
      bp_text_size (title, &title_w, &title_h);
      row_h = MAX (row_h, title_h);
      if (cr != NULL)
        {
          set_color (cr, &style->foreground, 1.0);
          bp_text_draw (cr, title, x, y + row_h / 2.0, 0.0, 0.5);
        }
      x += title_w + 2.0 * LEGEND_SPACING;
    }

  for (guint i = 0; i < n_items; i++)
    {
      gboolean is_pin = i >= n_series;
      const BpChartSeries *series = NULL;
      const char *name;
      g_autoptr (PangoLayout) layout = NULL;
      double item_w;
      double mid;

      if (is_pin)
        name = bp_chart_runs_get_pin_label (chart->runs, i - n_series);
      else
        {
          series = bp_chart_runs_get_series (chart->runs, i);
          name = bp_chart_series_get_name (series);
        }

      layout = bp_text_layout_new (context, name, 1.0, FALSE);
      bp_text_size (layout, &text_w, &text_h);
      item_w = LEGEND_SWATCH + LEGEND_GAP + text_w;

      if (x > MARGIN && x + item_w > width - MARGIN)
        {
          x = MARGIN;
          y += row_h + 4.0;
        }

      mid = y + row_h / 2.0;
      if (hit != NULL && hit[0] >= x && hit[0] < x + item_w && hit[1] >= y && hit[1] < y + row_h)
        *hit_item = (int) i;
      if (cr != NULL)
        {
          cairo_save (cr);
          cairo_new_path (cr);
          cairo_move_to (cr, x, mid);
          cairo_line_to (cr, x + LEGEND_SWATCH, mid);
          if (is_pin)
            {
              cairo_set_line_width (cr, 1.5);
              pin_dash (cr, i - n_series);
              set_color (cr, &style->foreground, 0.55);
            }
          else if (series != NULL)
            {
              BpChartColor color;

              bp_chart_palette_color (bp_chart_series_get_color_index (series), style->dark, &color);
              cairo_set_line_width (cr, 2.5);
              set_color (cr, &color, 1.0);
            }
          cairo_stroke (cr);
          cairo_restore (cr);

          set_color (cr, &style->foreground, is_pin ? 0.7 : 0.9);
          bp_text_draw (cr, layout, x + LEGEND_SWATCH + LEGEND_GAP, mid, 0.0, 0.5);
        }

      x += item_w + LEGEND_SPACING;
    }

  return y + row_h + 6.0;
}

static double
header (BpChart            *chart,
        const BpChartStyle *style,
        int                 width,
        cairo_t            *cr)
{
  return header_hit (chart, style, width, cr, NULL, NULL);
}

static guint
axis_target (double length,
             double spacing)
{
  return (guint) CLAMP (length / spacing, 2.0, 10.0);
}

/* Work out the plot area and the axes for a chart of @width × @height. Returns FALSE when
 * there is no room for a plot. */
static gboolean
compute_frame (BpChart            *chart,
               const BpChartStyle *style,
               int                 width,
               int                 height,
               BpChartFrame       *f)
{
  PangoContext *context = text_context (chart);
  BpChartRange range;
  double x_min, x_max, y_min, y_max;
  double tick_w, tick_h, label_w = 0.0, label_h = 0.0;
  double widest = 0.0;
  gboolean has_data;
  gboolean fixed;

  memset (f, 0, sizeof *f);
  f->log_y = chart->log_y;

  has_data = bp_chart_runs_get_range (chart->runs, chart->log_y, &range);
  x_min = range.x_min;
  x_max = range.x_max;
  y_min = range.y_min;
  y_max = range.y_max;
  if (!has_data)
    {
      x_min = 0.0;
      x_max = 1.0;
      y_min = chart->log_y ? 0.1 : 0.0;
      y_max = 1.0;
    }

  {
    g_autoptr (PangoLayout) probe = bp_text_layout_new (context, "0", TICK_TEXT_SCALE, FALSE);

    bp_text_size (probe, &tick_w, &tick_h);
  }
  if (chart->x_label != NULL || chart->y_label != NULL)
    {
      g_autoptr (PangoLayout) probe = bp_text_layout_new (context, "Ag", 1.0, FALSE);

      bp_text_size (probe, &label_w, &label_h);
    }

  f->top = header (chart, style, width, NULL) + tick_h / 2.0;
  f->bottom = height - MARGIN - tick_h - TICK_LENGTH - 2.0;
  if (chart->x_label != NULL)
    f->bottom -= label_h + 4.0;

  if (f->bottom - f->top < 16.0)
    return FALSE;

  /* The y axis. A fixed range keeps its ends and shows the ticks that fall inside it. */
  fixed = chart->fixed_y_min <= chart->fixed_y_max
          && (!chart->log_y || chart->fixed_y_min > 0.0);
  if (fixed && chart->fixed_y_min < chart->fixed_y_max)
    {
      double ticks[BP_CHART_MAX_TICKS];
      double lo, hi;
      guint n;

      if (chart->log_y)
        n = bp_chart_nice_ticks (chart->fixed_y_min, chart->fixed_y_max, TRUE,
                                 axis_target (f->bottom - f->top, 40.0), &lo, &hi, ticks,
                                 BP_CHART_MAX_TICKS);
      else
        n = bp_chart_linear_ticks (chart->fixed_y_min, chart->fixed_y_max,
                                   axis_target (f->bottom - f->top, 40.0), &lo, &hi, ticks,
                                   BP_CHART_MAX_TICKS, &f->y_step);

      f->y_lo = chart->fixed_y_min;
      f->y_hi = chart->fixed_y_max;
      for (guint i = 0; i < n; i++)
        {
          double eps = (f->y_hi - f->y_lo) * 1e-9;

          if (ticks[i] >= f->y_lo - eps && ticks[i] <= f->y_hi + eps)
            f->y_ticks[f->n_y_ticks++] = ticks[i];
        }
    }
  else if (chart->log_y)
    f->n_y_ticks = bp_chart_nice_ticks (y_min, y_max, TRUE, axis_target (f->bottom - f->top, 40.0),
                                        &f->y_lo, &f->y_hi, f->y_ticks, BP_CHART_MAX_TICKS);
  else
    f->n_y_ticks = bp_chart_linear_ticks (y_min, y_max, axis_target (f->bottom - f->top, 40.0),
                                          &f->y_lo, &f->y_hi, f->y_ticks, BP_CHART_MAX_TICKS,
                                          &f->y_step);

  for (guint i = 0; i < f->n_y_ticks; i++)
    {
      g_autofree char *text = bp_chart_format_tick (f->y_ticks[i], f->y_step, f->log_y);
      g_autoptr (PangoLayout) layout = bp_text_layout_new (context, text, TICK_TEXT_SCALE, FALSE);
      double w, h;

      bp_text_size (layout, &w, &h);
      widest = MAX (widest, w);
    }

  f->left = MARGIN + widest + TICK_LENGTH + 4.0;
  if (chart->y_label != NULL)
    f->left += label_h + 6.0;

  /* The x axis: the last tick label is centred on the right end, so leave it half its width. */
  f->n_x_ticks = bp_chart_linear_ticks (x_min, x_max, axis_target (width - f->left - MARGIN, 80.0),
                                        &f->x_lo, &f->x_hi, f->x_ticks, BP_CHART_MAX_TICKS,
                                        &f->x_step);
  {
    g_autofree char *text = bp_chart_format_tick (f->x_hi, f->x_step, FALSE);
    g_autoptr (PangoLayout) layout = bp_text_layout_new (context, text, TICK_TEXT_SCALE, FALSE);
    double w, h;

    bp_text_size (layout, &w, &h);
    f->right = width - MAX (MARGIN, w / 2.0 + 2.0);
  }

  return f->right - f->left >= 16.0;
}

/* Drawing */

static double
snap (double v)
{
  return floor (v) + 0.5;
}

static void
draw_axes (BpChart            *chart,
           cairo_t            *cr,
           const BpChartFrame *f,
           const BpChartStyle *style,
           int                 height)
{
  PangoContext *context = text_context (chart);

  cairo_save (cr);
  cairo_set_line_width (cr, 1.0);

  /* The grid, faint, then the axis lines and tick marks. */
  set_color (cr, &style->foreground, 0.1);
  for (guint i = 0; i < f->n_y_ticks; i++)
    {
      double y = snap (bp_chart_frame_map_y (f, f->y_ticks[i]));

      cairo_move_to (cr, f->left, y);
      cairo_line_to (cr, f->right, y);
    }
  for (guint i = 0; i < f->n_x_ticks; i++)
    {
      double x = snap (bp_chart_frame_map_x (f, f->x_ticks[i]));

      cairo_move_to (cr, x, f->top);
      cairo_line_to (cr, x, f->bottom);
    }
  cairo_stroke (cr);

  set_color (cr, &style->foreground, 0.5);
  cairo_move_to (cr, snap (f->left), f->top);
  cairo_line_to (cr, snap (f->left), snap (f->bottom));
  cairo_line_to (cr, f->right, snap (f->bottom));
  for (guint i = 0; i < f->n_y_ticks; i++)
    {
      double y = snap (bp_chart_frame_map_y (f, f->y_ticks[i]));

      cairo_move_to (cr, f->left - TICK_LENGTH, y);
      cairo_line_to (cr, f->left, y);
    }
  for (guint i = 0; i < f->n_x_ticks; i++)
    {
      double x = snap (bp_chart_frame_map_x (f, f->x_ticks[i]));

      cairo_move_to (cr, x, f->bottom);
      cairo_line_to (cr, x, f->bottom + TICK_LENGTH);
    }
  cairo_stroke (cr);

  /* Tick labels. */
  set_color (cr, &style->foreground, 0.75);
  for (guint i = 0; i < f->n_y_ticks; i++)
    {
      g_autofree char *text = bp_chart_format_tick (f->y_ticks[i], f->y_step, f->log_y);
      g_autoptr (PangoLayout) layout = bp_text_layout_new (context, text, TICK_TEXT_SCALE, FALSE);

      bp_text_draw (cr, layout, f->left - TICK_LENGTH - 3.0, bp_chart_frame_map_y (f, f->y_ticks[i]), 1.0, 0.5);
    }
  for (guint i = 0; i < f->n_x_ticks; i++)
    {
      g_autofree char *text = bp_chart_format_tick (f->x_ticks[i], f->x_step, FALSE);
      g_autoptr (PangoLayout) layout = bp_text_layout_new (context, text, TICK_TEXT_SCALE, FALSE);

      bp_text_draw (cr, layout, bp_chart_frame_map_x (f, f->x_ticks[i]), f->bottom + TICK_LENGTH + 2.0, 0.5, 0.0);
    }

  /* Axis labels: x centred under the tick labels, y turned to read upwards. */
  set_color (cr, &style->foreground, 0.9);
  if (chart->x_label != NULL)
    {
      g_autoptr (PangoLayout) layout = bp_text_layout_new (context, chart->x_label, 1.0, FALSE);

      bp_text_draw (cr, layout, (f->left + f->right) / 2.0, height - MARGIN, 0.5, 1.0);
    }
  if (chart->y_label != NULL)
    {
      g_autoptr (PangoLayout) layout = bp_text_layout_new (context, chart->y_label, 1.0, FALSE);

      cairo_save (cr);
      cairo_translate (cr, MARGIN, (f->top + f->bottom) / 2.0);
      cairo_rotate (cr, -G_PI / 2.0);
      pango_cairo_update_layout (cr, layout);
      bp_text_draw (cr, layout, 0.0, 0.0, 0.5, 0.0);
      cairo_restore (cr);
    }

  cairo_restore (cr);
}

static void
draw_series (BpChart            *chart,
             cairo_t            *cr,
             const BpChartFrame *f,
             const BpChartStyle *style)
{
  double column_width;
  double ux = 1.0, uy = 0.0;

  cairo_user_to_device_distance (cr, &ux, &uy);
  column_width = 1.0 / MAX (hypot (ux, uy), 1e-6);

  cairo_save (cr);
  cairo_rectangle (cr, f->left - 4.0, f->top - 4.0, f->right - f->left + 8.0,
                   f->bottom - f->top + 8.0);
  cairo_clip (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);

  /* Pinned runs first and dimmed, so the live run stays on top and in front. */
  for (guint p = 0; p < bp_chart_runs_get_n_pins (chart->runs); p++)
    {
      guint k = p % G_N_ELEMENTS (pin_dash_counts);

      for (guint i = 0; i < bp_chart_runs_get_pin_n_series (chart->runs, p); i++)
        {
          const BpChartSeries *series = bp_chart_runs_get_pinned_series (chart->runs, p, i);
          BpChartColor color;

          bp_chart_palette_color (bp_chart_series_get_color_index (series), style->dark, &color);
          set_color (cr, &color, 0.45);
          pin_dash (cr, p);
          bp_chart_line_draw (cr, series, f, column_width, 1.5, pin_dashes[k], pin_dash_counts[k]);
        }
    }

  cairo_set_dash (cr, NULL, 0, 0.0);
  for (guint i = 0; i < bp_chart_runs_get_n_series (chart->runs); i++)
    {
      const BpChartSeries *series = bp_chart_runs_get_series (chart->runs, i);
      BpChartColor color;

      bp_chart_palette_color (bp_chart_series_get_color_index (series), style->dark, &color);
      set_color (cr, &color, 1.0);
      bp_chart_line_draw (cr, series, f, column_width, 2.0, NULL, 0);

      if (bp_chart_series_get_n_points (series) <= MARKER_MAX_POINTS)
        {
          bp_chart_line_add_markers (cr, series, f, 2.5);
          cairo_fill (cr);
        }
    }

  cairo_restore (cr);
}

/* Look at @series' points for one nearer to (@x, @y) than *@best; on a tie the later one
 * wins. */
static void
nearer_point (const BpChartSeries *series,
              const char          *pin_label,
              const BpChartFrame  *f,
              double               x,
              double               y,
              double              *best,
              Nearest             *nearest)
{
  guint n_points;
  const BpChartPoint *points = bp_chart_series_get_points (series, &n_points);

  for (guint j = 0; j < n_points; j++)
    {
      const BpChartPoint *pt = &points[j];
      double sx, sy, d;

      if (f->log_y && pt->y <= 0.0)
        continue;

      sx = bp_chart_frame_map_x (f, pt->x);
      sy = bp_chart_frame_map_y (f, pt->y);
      d = (sx - x) * (sx - x) + (sy - y) * (sy - y);
      if (d <= *best)
        {
          *best = d;
          nearest->series = series;
          nearest->pin_label = pin_label;
          nearest->point = *pt;
          nearest->sx = sx;
          nearest->sy = sy;
        }
    }
}

static gboolean
find_nearest (BpChart            *chart,
              const BpChartFrame *f,
              double              x,
              double              y,
              Nearest            *nearest)
{
  double best = G_MAXDOUBLE;

  /* On a tie the live run wins: it is looked at last. */
  for (guint p = 0; p < bp_chart_runs_get_n_pins (chart->runs); p++)
    for (guint i = 0; i < bp_chart_runs_get_pin_n_series (chart->runs, p); i++)
      nearer_point (bp_chart_runs_get_pinned_series (chart->runs, p, i),
                    bp_chart_runs_get_pin_label (chart->runs, p), f, x, y, &best, nearest);
  for (guint i = 0; i < bp_chart_runs_get_n_series (chart->runs); i++)
    nearer_point (bp_chart_runs_get_series (chart->runs, i), NULL, f, x, y, &best, nearest);

  return best < G_MAXDOUBLE;
}

static char *
format_x (double x)
{
  /* Whole epochs as "12.0"; points inside an epoch with two decimals. */
  if (fabs (x * 10.0 - round (x * 10.0)) < 1e-6)
    return g_strdup_printf ("%.1f", x);

  return g_strdup_printf ("%.2f", x);
}

static char *
describe_point (BpChart             *chart,
                const BpChartSeries *series,
                const char          *pin_label,
                const BpChartPoint  *point)
{
  g_autofree char *name = NULL;
  g_autofree char *y_text = g_strdup_printf ("%.4g", point->y);
  g_autofree char *x_text = format_x (point->x);

  if (pin_label != NULL)
    /* TRANSLATORS: a curve of a pinned run: "<series name> (<run label>)" */
    name = g_strdup_printf (_("%s (%s)"), bp_chart_series_get_name (series), pin_label);
  else
    name = g_strdup (bp_chart_series_get_name (series));

  if (chart->x_label != NULL)
    {
      g_autofree char *x_name = g_utf8_strdown (chart->x_label, -1);

      /* TRANSLATORS: "Validation accuracy: 0.9541 at epoch 12.0" */
      return g_strdup_printf (_("%s: %s at %s %s"), name, y_text, x_name, x_text);
    }

  /* TRANSLATORS: "Validation accuracy: 0.9541 at 12.0" */
  return g_strdup_printf (_("%s: %s at %s"), name, y_text, x_text);
}

char *
bp_chart_describe_nearest (BpChart *chart,
                           double   x,
                           double   y,
                           int      width,
                           int      height)
{
  BpChartStyle style;
  BpChartFrame frame;
  Nearest nearest;

  g_return_val_if_fail (chart != NULL, NULL);

  bp_chart_style_init (&style, FALSE);
  if (!compute_frame (chart, &style, width, height, &frame))
    return NULL;
  if (!find_nearest (chart, &frame, x, y, &nearest))
    return NULL;

  return describe_point (chart, nearest.series, nearest.pin_label, &nearest.point);
}

int
bp_chart_legend_item_at (BpChart *chart,
                         double   x,
                         double   y,
                         int      width)
{
  BpChartStyle style;
  const double hit[2] = { x, y };
  int item = -1;

  g_return_val_if_fail (chart != NULL, -1);

  bp_chart_style_init (&style, FALSE);
  header_hit (chart, &style, width, NULL, hit, &item);
  return item;
}

char *
bp_chart_describe_latest (BpChart *chart)
{
  GString *text = NULL;

  g_return_val_if_fail (chart != NULL, NULL);

  for (guint i = 0; i < bp_chart_runs_get_n_series (chart->runs); i++)
    {
      const BpChartSeries *series = bp_chart_runs_get_series (chart->runs, i);
      g_autofree char *part = NULL;
      guint n_points;
      const BpChartPoint *points = bp_chart_series_get_points (series, &n_points);

      if (n_points == 0)
        continue;

      part = describe_point (chart, series, NULL, &points[n_points - 1]);
      if (text == NULL)
        text = g_string_new (part);
      else
        g_string_append_printf (text, "; %s", part);
    }

  return text != NULL ? g_string_free (text, FALSE) : NULL;
}

static void
rounded_rectangle (cairo_t *cr,
                   double   x,
                   double   y,
                   double   w,
                   double   h,
                   double   r)
{
  cairo_new_sub_path (cr);
  cairo_arc (cr, x + w - r, y + r, r, -G_PI / 2.0, 0.0);
  cairo_arc (cr, x + w - r, y + h - r, r, 0.0, G_PI / 2.0);
  cairo_arc (cr, x + r, y + h - r, r, G_PI / 2.0, G_PI);
  cairo_arc (cr, x + r, y + r, r, G_PI, 1.5 * G_PI);
  cairo_close_path (cr);
}

static void
draw_hover (BpChart            *chart,
            cairo_t            *cr,
            const BpChartFrame *f,
            const BpChartStyle *style,
            int                 width,
            int                 height)
{
  Nearest nearest;
  BpChartColor color;
  g_autofree char *text = NULL;
  g_autoptr (PangoLayout) layout = NULL;
  double tw, th, bw, bh, bx, by;
  const double pad = 6.0;

  if (style->hover_x < f->left - HOVER_SLACK || style->hover_x > f->right + HOVER_SLACK
      || style->hover_y < f->top - HOVER_SLACK || style->hover_y > f->bottom + HOVER_SLACK)
    return;
  if (!find_nearest (chart, f, style->hover_x, style->hover_y, &nearest))
    return;

  cairo_save (cr);

  /* A faint guide down to the x axis, then the point itself ringed in the background. */
  cairo_set_line_width (cr, 1.0);
  set_color (cr, &style->foreground, 0.25);
  cairo_move_to (cr, snap (nearest.sx), nearest.sy);
  cairo_line_to (cr, snap (nearest.sx), f->bottom);
  cairo_stroke (cr);

  bp_chart_palette_color (bp_chart_series_get_color_index (nearest.series), style->dark, &color);
  cairo_arc (cr, nearest.sx, nearest.sy, 4.5, 0.0, 2.0 * G_PI);
  set_color (cr, &color, 1.0);
  cairo_fill_preserve (cr);
  cairo_set_line_width (cr, 2.0);
  set_color (cr, &style->background, 1.0);
  cairo_stroke (cr);

  /* The read-out in a small box beside the point, flipped to stay inside the chart. */
  text = describe_point (chart, nearest.series, nearest.pin_label, &nearest.point);
  layout = bp_text_layout_new (text_context (chart), text, 1.0, FALSE);
  bp_text_size (layout, &tw, &th);
  bw = tw + 2.0 * pad;
  bh = th + 2.0 * pad;
  /* Above and to the right of the point; below it rather than over the legend; to its left
   * near the right edge. */
  bx = nearest.sx + 10.0;
  by = nearest.sy - 10.0 - bh;
  if (bx + bw > width - 2.0)
    bx = nearest.sx - 10.0 - bw;
  if (bx < 2.0)
    bx = 2.0;
  if (by < f->top)
    by = nearest.sy + 10.0;
  if (by + bh > height - 2.0)
    by = height - 2.0 - bh;

  rounded_rectangle (cr, bx, by, bw, bh, 4.0);
  set_color (cr, &style->background, 0.96);
  cairo_fill_preserve (cr);
  cairo_set_line_width (cr, 1.0);
  set_color (cr, &style->foreground, 0.3);
  cairo_stroke (cr);

  set_color (cr, &style->foreground, 1.0);
  bp_text_draw (cr, layout, bx + pad, by + pad, 0.0, 0.0);

  cairo_restore (cr);
}

void
bp_chart_add_mark (BpChart    *chart,
                   double      x,
                   const char *label)
{
  Mark mark;

  g_return_if_fail (chart != NULL);
  g_return_if_fail (label != NULL);

  mark.x = x;
  mark.label = g_strdup (label);
  g_array_append_val (chart->marks, mark);
}

void
bp_chart_clear_marks (BpChart *chart)
{
  g_return_if_fail (chart != NULL);

  g_array_set_size (chart->marks, 0);
}

guint
bp_chart_get_n_marks (BpChart *chart)
{
  g_return_val_if_fail (chart != NULL, 0);

  return chart->marks->len;
}

/* Each change of a setting: a faint dashed line across the plot where it happened, a short
 * solid tick at its top and the change written beside the tick ("η 0.5 → 0.1"). */
static void
draw_marks (BpChart            *chart,
            cairo_t            *cr,
            const BpChartFrame *f,
            const BpChartStyle *style)
{
  PangoContext *context = text_context (chart);
  static const double dash[] = { 3.0, 3.0 };

  for (guint i = 0; i < chart->marks->len; i++)
    {
      const Mark *mark = &g_array_index (chart->marks, Mark, i);
      g_autoptr (PangoLayout) layout = NULL;
      double x, text_w, text_h;

      if (mark->x < f->x_lo || mark->x > f->x_hi)
        continue;
      x = floor (bp_chart_frame_map_x (f, mark->x)) + 0.5;
      cairo_save (cr);
      cairo_set_line_width (cr, 1.0);
      cairo_set_dash (cr, dash, G_N_ELEMENTS (dash), 0.0);
      set_color (cr, &style->foreground, 0.35);
      cairo_move_to (cr, x, f->top);
      cairo_line_to (cr, x, f->bottom);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0.0);
      cairo_set_line_width (cr, 2.0);
      set_color (cr, &style->foreground, 0.8);
      cairo_move_to (cr, x, f->top);
      cairo_line_to (cr, x, f->top + 8.0);
      cairo_stroke (cr);
      layout = bp_text_layout_new (context, mark->label, TICK_TEXT_SCALE, FALSE);
      bp_text_size (layout, &text_w, &text_h);
      /* Beside the tick, on its left when the right of the plot has no room; marks that come
       * in turn alternate rows, so that two close ones stay readable. */
      if (x + 3.0 + text_w <= f->right)
        bp_text_draw (cr, layout, x + 3.0, f->top + 1.0 + text_h * (i % 2), 0.0, 0.0);
      else
        bp_text_draw (cr, layout, x - 3.0, f->top + 1.0 + text_h * (i % 2), 1.0, 0.0);
      cairo_restore (cr);
    }
}

void
bp_chart_draw (BpChart            *chart,
               cairo_t            *cr,
               int                 width,
               int                 height,
               const BpChartStyle *style)
{
  BpChartFrame frame;

  g_return_if_fail (chart != NULL);
  g_return_if_fail (cr != NULL);
  g_return_if_fail (style != NULL);

  if (width <= 0 || height <= 0)
    return;

  cairo_save (cr);
  pango_cairo_update_context (cr, text_context (chart));

  if (style->paint_background)
    {
      cairo_rectangle (cr, 0, 0, width, height);
      set_color (cr, &style->background, 1.0);
      cairo_fill (cr);
    }

  header (chart, style, width, cr);

  if (compute_frame (chart, style, width, height, &frame))
    {
      draw_axes (chart, cr, &frame, style, height);
      draw_series (chart, cr, &frame, style);
      draw_marks (chart, cr, &frame, style);
      if (style->hover)
        draw_hover (chart, cr, &frame, style, width, height);
    }

  cairo_restore (cr);
}
