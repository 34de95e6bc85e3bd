/* bp-chart.c — the data and the Cairo drawing of a line chart, without GTK
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

typedef struct
{
  double x;
  double y;
} Point;

typedef struct
{
  char   *name;
  guint   color_index;
  GArray *points; /* Point, in the order appended */
} Series;

typedef struct
{
  char      *label;
  GPtrArray *series; /* Series, indexed like the live series when the run was pinned */
} Pin;

struct _BpChart
{
  char         *title;
  char         *x_label;
  char         *y_label;
  gboolean      log_y;
  double        fixed_y_min; /* a fixed y range when fixed_y_min <= fixed_y_max */
  double        fixed_y_max;
  GPtrArray    *series; /* Series */
  GPtrArray    *pins;   /* Pin */
  PangoContext *text;   /* NULL until needed, then the default context */
};

/* The geometry of one drawing: the plot area in user units and the axes. */
typedef struct
{
  double   left;
  double   top;
  double   right;
  double   bottom;
  double   x_lo;
  double   x_hi;
  double   y_lo;
  double   y_hi;
  double   x_ticks[BP_CHART_MAX_TICKS];
  double   y_ticks[BP_CHART_MAX_TICKS];
  guint    n_x_ticks;
  guint    n_y_ticks;
  double   x_step;
  double   y_step;
  gboolean log_y;
} Frame;

/* The point found nearest to the pointer. */
typedef struct
{
  const Series *series;
  const Pin    *pin;
  guint         pin_index;
  Point         point;
  double        sx;
  double        sy;
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

static void
series_free (gpointer data)
{
  Series *series = data;

  g_free (series->name);
  g_array_unref (series->points);
  g_free (series);
}

static Series *
series_new (const char *name,
            guint       color_index)
{
  Series *series = g_new0 (Series, 1);

  series->name = g_strdup (name != NULL ? name : "");
  series->color_index = color_index;
  series->points = g_array_new (FALSE, FALSE, sizeof (Point));

  return series;
}

static void
pin_free (gpointer data)
{
  Pin *pin = data;

  g_free (pin->label);
  g_ptr_array_unref (pin->series);
  g_free (pin);
}

BpChart *
bp_chart_new (void)
{
  BpChart *chart = g_new0 (BpChart, 1);

  chart->fixed_y_min = 1.0;
  chart->fixed_y_max = 0.0;
  chart->series = g_ptr_array_new_with_free_func (series_free);
  chart->pins = g_ptr_array_new_with_free_func (pin_free);

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
  g_ptr_array_unref (chart->series);
  g_ptr_array_unref (chart->pins);
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

guint
bp_chart_add_series (BpChart    *chart,
                     const char *name,
                     guint       color_index)
{
  g_return_val_if_fail (chart != NULL, 0);

  g_ptr_array_add (chart->series, series_new (name, color_index));

  return chart->series->len - 1;
}

gboolean
bp_chart_append (BpChart *chart,
                 guint    series,
                 double   x,
                 double   y)
{
  Point point = { x, y };

  g_return_val_if_fail (chart != NULL, FALSE);
  g_return_val_if_fail (series < chart->series->len, FALSE);

  if (!isfinite (x) || !isfinite (y))
    return FALSE;

  g_array_append_val (((Series *) g_ptr_array_index (chart->series, series))->points, point);

  return TRUE;
}

void
bp_chart_clear (BpChart *chart)
{
  g_return_if_fail (chart != NULL);

  for (guint i = 0; i < chart->series->len; i++)
    g_array_set_size (((Series *) g_ptr_array_index (chart->series, i))->points, 0);
}

gboolean
bp_chart_pin_run (BpChart    *chart,
                  const char *label)
{
  Pin *pin;
  gboolean any = FALSE;

  g_return_val_if_fail (chart != NULL, FALSE);

  for (guint i = 0; i < chart->series->len; i++)
    any |= ((Series *) g_ptr_array_index (chart->series, i))->points->len > 0;
  if (!any)
    return FALSE;

  pin = g_new0 (Pin, 1);
  if (label != NULL && *label != '\0')
    pin->label = g_strdup (label);
  else
    pin->label = g_strdup_printf (_("Pinned run %u"), chart->pins->len + 1);
  pin->series = g_ptr_array_new_with_free_func (series_free);

  /* The live arrays move into the pin whole; the live series start again with empty ones. */
  for (guint i = 0; i < chart->series->len; i++)
    {
      Series *live = g_ptr_array_index (chart->series, i);
      Series *kept = series_new (live->name, live->color_index);

      g_array_unref (kept->points);
      kept->points = live->points;
      live->points = g_array_new (FALSE, FALSE, sizeof (Point));
      g_ptr_array_add (pin->series, kept);
    }

  g_ptr_array_add (chart->pins, pin);

  return TRUE;
}

void
bp_chart_clear_pins (BpChart *chart)
{
  g_return_if_fail (chart != NULL);

  g_ptr_array_set_size (chart->pins, 0);
}

guint
bp_chart_get_n_series (BpChart *chart)
{
  g_return_val_if_fail (chart != NULL, 0);

  return chart->series->len;
}

guint
bp_chart_get_n_points (BpChart *chart,
                       guint    series)
{
  g_return_val_if_fail (chart != NULL, 0);
  g_return_val_if_fail (series < chart->series->len, 0);

  return ((Series *) g_ptr_array_index (chart->series, series))->points->len;
}

guint
bp_chart_get_n_pins (BpChart *chart)
{
  g_return_val_if_fail (chart != NULL, 0);

  return chart->pins->len;
}

guint
bp_chart_get_n_pinned_points (BpChart *chart,
                              guint    pin,
                              guint    series)
{
  const Pin *p;

  g_return_val_if_fail (chart != NULL, 0);
  g_return_val_if_fail (pin < chart->pins->len, 0);

  p = g_ptr_array_index (chart->pins, pin);
  if (series >= p->series->len)
    return 0;

  return ((Series *) g_ptr_array_index (p->series, series))->points->len;
}

gboolean
bp_chart_get_last_point (BpChart *chart,
                         guint    series,
                         double  *x,
                         double  *y)
{
  const Series *s;
  const Point *last;

  g_return_val_if_fail (chart != NULL, FALSE);
  g_return_val_if_fail (series < chart->series->len, FALSE);

  s = g_ptr_array_index (chart->series, series);
  if (s->points->len == 0)
    return FALSE;

  last = &g_array_index (s->points, Point, s->points->len - 1);
  if (x != NULL)
    *x = last->x;
  if (y != NULL)
    *y = last->y;

  return TRUE;
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

/* Ticks */

/* The 1, 2 or 5 × 10^k step nearest to @raw (Heckbert's "nice numbers"). */
static double
nice_step (double raw)
{
  double magnitude = pow (10.0, floor (log10 (raw)));
  double norm = raw / magnitude;

  if (norm < 1.5)
    return magnitude;
  if (norm < 3.0)
    return 2.0 * magnitude;
  if (norm < 7.0)
    return 5.0 * magnitude;
  return 10.0 * magnitude;
}

/* The next 1, 2 or 5 × 10^k step after @step. */
static double
next_step (double step)
{
  return nice_step (step * 1.5);
}

static double
clean_zero (double v,
            double step)
{
  return fabs (v) < step * 1e-9 ? 0.0 : v;
}

static guint
linear_ticks (double  min,
              double  max,
              guint   target,
              double *lo,
              double *hi,
              double *ticks,
              guint   max_ticks,
              double *step_out)
{
  double step;
  double k_lo, k_hi;
  guint n;

  if (!(max > min))
    {
      double pad = fabs (min) > 1e-12 ? fabs (min) * 0.1 : 0.5;

      min -= pad;
      max += pad;
    }

  step = nice_step ((max - min) / MAX (target, 1u));
  for (;;)
    {
      k_lo = floor (min / step + 1e-9);
      k_hi = ceil (max / step - 1e-9);
      if (k_hi <= k_lo)
        k_hi = k_lo + 1.0;
      if (k_hi - k_lo + 1.0 <= max_ticks)
        break;
      step = next_step (step);
    }

  n = (guint) (k_hi - k_lo) + 1;
  for (guint i = 0; i < n; i++)
    ticks[i] = clean_zero ((k_lo + i) * step, step);
  *lo = ticks[0];
  *hi = ticks[n - 1];
  if (step_out != NULL)
    *step_out = step;

  return n;
}

/* The largest 1, 2 or 5 × 10^k not above @v (> 0). */
static double
floor_125 (double v)
{
  double magnitude = pow (10.0, floor (log10 (v) + 1e-12));
  double norm = v / magnitude;

  if (norm >= 5.0 - 1e-9)
    return 5.0 * magnitude;
  if (norm >= 2.0 - 1e-9)
    return 2.0 * magnitude;
  return magnitude;
}

/* The 1, 2 or 5 × 10^k value after @v, which is one itself. */
static double
next_125 (double v)
{
  double magnitude = pow (10.0, floor (log10 (v) + 1e-12));
  double norm = v / magnitude;

  if (norm < 1.5)
    return 2.0 * magnitude;
  if (norm < 3.5)
    return 5.0 * magnitude;
  return 10.0 * magnitude;
}

static guint
log_ticks (double  min,
           double  max,
           guint   target,
           double *lo,
           double *hi,
           double *ticks,
           guint   max_ticks)
{
  double k_lo, k_hi, stride;
  guint n = 0;

  if (!(max > min))
    max = min * 1.0001;

  /* A short span: ticks at 1, 2 and 5 × 10^k read better than two lonely powers of ten. */
  {
    double v = floor_125 (min);
    double top = v;
    guint count = 1;

    while (top < max * (1.0 - 1e-9) && count <= max_ticks)
      {
        top = next_125 (top);
        count++;
      }

    if (count <= MAX (target, 3u) + 1 && count <= max_ticks)
      {
        for (guint i = 0; i < count; i++, v = next_125 (v))
          ticks[i] = v;
        *lo = ticks[0];
        *hi = ticks[count - 1];
        return count;
      }
  }

  /* Powers of ten, every @stride-th one when there are too many decades. */
  k_lo = floor (log10 (min) + 1e-9);
  k_hi = ceil (log10 (max) - 1e-9);
  if (k_hi <= k_lo)
    k_hi = k_lo + 1.0;
  stride = ceil ((k_hi - k_lo) / MAX (target, 1u));
  while ((k_hi - k_lo) / stride + 1.0 > max_ticks)
    stride += 1.0;
  k_lo = floor (k_lo / stride) * stride;
  k_hi = ceil (k_hi / stride) * stride;

  for (double k = k_lo; k <= k_hi + 0.5 && n < max_ticks; k += stride)
    ticks[n++] = pow (10.0, k);
  *lo = ticks[0];
  *hi = ticks[n - 1];

  return n;
}

guint
bp_chart_nice_ticks (double   min,
                     double   max,
                     gboolean log_scale,
                     guint    target,
                     double  *lo,
                     double  *hi,
                     double  *ticks,
                     guint    max_ticks)
{
  g_return_val_if_fail (lo != NULL && hi != NULL && ticks != NULL, 0);
  g_return_val_if_fail (max_ticks >= 2, 0);
  g_return_val_if_fail (isfinite (min) && isfinite (max) && min <= max, 0);
  g_return_val_if_fail (!log_scale || min > 0.0, 0);

  if (log_scale)
    return log_ticks (min, max, target, lo, hi, ticks, max_ticks);

  return linear_ticks (min, max, target, lo, hi, ticks, max_ticks, NULL);
}

static const char *const superscripts[] = {
  "\342\201\260", "\302\271", "\302\262", "\302\263", "\342\201\264",
  "\342\201\265", "\342\201\266", "\342\201\267", "\342\201\270", "\342\201\271",
};

char *
bp_chart_format_tick (double   value,
                      double   step,
                      gboolean log_scale)
{
  if (!log_scale)
    {
      int decimals = step > 0.0 ? (int) ceil (-log10 (step) - 1e-9) : 0;

      return bp_text_format_number (value, MAX (decimals, 0));
    }

  if (value >= 1e-3 && value < 1e5)
    {
      int decimals = (int) ceil (-log10 (value) - 1e-9);

      /* 1, 2 or 5 × 10^k needs exactly -k decimals; other values get up to two more. */
      if (fabs (value - floor_125 (value)) > value * 1e-6)
        decimals += 2;

      return bp_text_format_number (value, MAX (decimals, 0));
    }
  else
    {
      int exponent = (int) floor (log10 (value) + 1e-9);
      double mantissa = value / pow (10.0, exponent);
      GString *text = g_string_new (NULL);
      char digits[16];

      if (fabs (mantissa - 1.0) > 1e-6)
        g_string_append_printf (text, "%.3g\303\227", mantissa); /* × */
      g_string_append (text, "10");
      if (exponent < 0)
        g_string_append (text, "\342\201\273"); /* superscript minus */
      g_snprintf (digits, sizeof digits, "%d", ABS (exponent));
      for (const char *d = digits; *d != '\0'; d++)
        g_string_append (text, superscripts[*d - '0']);

      return g_string_free (text, FALSE);
    }
}

/* Layout */

static gboolean
data_bounds (BpChart *chart,
             double  *x_min,
             double  *x_max,
             double  *y_min,
             double  *y_max)
{
  gboolean any = FALSE;

  *x_min = *y_min = G_MAXDOUBLE;
  *x_max = *y_max = -G_MAXDOUBLE;

  for (guint p = 0; p <= chart->pins->len; p++)
    {
      GPtrArray *list = p < chart->pins->len
                          ? ((Pin *) g_ptr_array_index (chart->pins, p))->series
                          : chart->series;

      for (guint i = 0; i < list->len; i++)
        {
          const GArray *points = ((Series *) g_ptr_array_index (list, i))->points;

          for (guint j = 0; j < points->len; j++)
            {
              const Point *pt = &g_array_index (points, Point, j);

              if (chart->log_y && pt->y <= 0.0)
                continue;
              any = TRUE;
              *x_min = MIN (*x_min, pt->x);
              *x_max = MAX (*x_max, pt->x);
              *y_min = MIN (*y_min, pt->y);
              *y_max = MAX (*y_max, pt->y);
            }
        }
    }

  return any;
}

static void
pin_dash (cairo_t *cr,
          guint    pin_index)
{
  guint k = pin_index % G_N_ELEMENTS (pin_dash_counts);

  cairo_set_dash (cr, pin_dashes[k], pin_dash_counts[k], 0.0);
}

/* Measure the header (title and legend) for a chart @width wide and, when @cr is given, draw
 * it. Returns the y where the header ends. */
static double
header (BpChart            *chart,
        const BpChartStyle *style,
        int                 width,
        cairo_t            *cr)
{
  PangoContext *context = text_context (chart);
  g_autoptr (PangoLayout) title = NULL;
  double row_h;
  double x = MARGIN;
  double y = MARGIN;
  double title_w = 0.0, title_h = 0.0;
  double text_w, text_h;
  guint n_items = chart->series->len + chart->pins->len;

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
      gboolean is_pin = i >= chart->series->len;
      const Series *series = NULL;
      const char *name;
      g_autoptr (PangoLayout) layout = NULL;
      double item_w;
      double mid;

      if (is_pin)
        name = ((const Pin *) g_ptr_array_index (chart->pins, i - chart->series->len))->label;
      else
        {
          series = g_ptr_array_index (chart->series, i);
          name = series->name;
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
      if (cr != NULL)
        {
          cairo_save (cr);
          cairo_new_path (cr);
          cairo_move_to (cr, x, mid);
          cairo_line_to (cr, x + LEGEND_SWATCH, mid);
          if (is_pin)
            {
              cairo_set_line_width (cr, 1.5);
              pin_dash (cr, i - chart->series->len);
              set_color (cr, &style->foreground, 0.55);
            }
          else if (series != NULL)
            {
              BpChartColor color;

              bp_chart_palette_color (series->color_index, style->dark, &color);
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
map_x (const Frame *f,
       double       x)
{
  return f->left + (x - f->x_lo) / (f->x_hi - f->x_lo) * (f->right - f->left);
}

static double
map_y (const Frame *f,
       double       y)
{
  double t;

  if (f->log_y)
    t = (log10 (y) - log10 (f->y_lo)) / (log10 (f->y_hi) - log10 (f->y_lo));
  else
    t = (y - f->y_lo) / (f->y_hi - f->y_lo);

  return f->bottom - t * (f->bottom - f->top);
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
               Frame              *f)
{
  PangoContext *context = text_context (chart);
  double x_min, x_max, y_min, y_max;
  double tick_w, tick_h, label_w = 0.0, label_h = 0.0;
  double widest = 0.0;
  gboolean has_data;
  gboolean fixed;

  memset (f, 0, sizeof *f);
  f->log_y = chart->log_y;

  has_data = data_bounds (chart, &x_min, &x_max, &y_min, &y_max);
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
        n = log_ticks (chart->fixed_y_min, chart->fixed_y_max,
                       axis_target (f->bottom - f->top, 40.0), &lo, &hi, ticks, BP_CHART_MAX_TICKS);
      else
        n = linear_ticks (chart->fixed_y_min, chart->fixed_y_max,
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
    f->n_y_ticks = log_ticks (y_min, y_max, axis_target (f->bottom - f->top, 40.0),
                              &f->y_lo, &f->y_hi, f->y_ticks, BP_CHART_MAX_TICKS);
  else
    f->n_y_ticks = linear_ticks (y_min, y_max, axis_target (f->bottom - f->top, 40.0),
                                 &f->y_lo, &f->y_hi, f->y_ticks, BP_CHART_MAX_TICKS, &f->y_step);

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
  f->n_x_ticks = linear_ticks (x_min, x_max, axis_target (width - f->left - MARGIN, 80.0),
                               &f->x_lo, &f->x_hi, f->x_ticks, BP_CHART_MAX_TICKS, &f->x_step);
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
           const Frame        *f,
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
      double y = snap (map_y (f, f->y_ticks[i]));

      cairo_move_to (cr, f->left, y);
      cairo_line_to (cr, f->right, y);
    }
  for (guint i = 0; i < f->n_x_ticks; i++)
    {
      double x = snap (map_x (f, f->x_ticks[i]));

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
      double y = snap (map_y (f, f->y_ticks[i]));

      cairo_move_to (cr, f->left - TICK_LENGTH, y);
      cairo_line_to (cr, f->left, y);
    }
  for (guint i = 0; i < f->n_x_ticks; i++)
    {
      double x = snap (map_x (f, f->x_ticks[i]));

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

      bp_text_draw (cr, layout, f->left - TICK_LENGTH - 3.0, map_y (f, f->y_ticks[i]), 1.0, 0.5);
    }
  for (guint i = 0; i < f->n_x_ticks; i++)
    {
      g_autofree char *text = bp_chart_format_tick (f->x_ticks[i], f->x_step, FALSE);
      g_autoptr (PangoLayout) layout = bp_text_layout_new (context, text, TICK_TEXT_SCALE, FALSE);

      bp_text_draw (cr, layout, map_x (f, f->x_ticks[i]), f->bottom + TICK_LENGTH + 2.0, 0.5, 0.0);
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

/* Add @series to the path. Points that fall into the same device-pixel column collapse into
 * the first, lowest, highest and last of them: the drawn shape is the same, but ten thousand
 * points cost a few hundred segments. */
static void
path_series (cairo_t      *cr,
             const Series *series,
             const Frame  *f,
             double        column_width)
{
  gboolean pen_down = FALSE;
  gint64 column = G_MININT64;
  double col_x = 0.0, y_lo = 0.0, y_hi = 0.0, y_last = 0.0, y_first = 0.0;

  for (guint i = 0; i < series->points->len; i++)
    {
      const Point *pt = &g_array_index (series->points, Point, i);
      double sx, sy;
      gint64 c;

      if (f->log_y && pt->y <= 0.0)
        continue;

      sx = map_x (f, pt->x);
      sy = map_y (f, pt->y);
      c = (gint64) floor (sx / column_width);

      if (pen_down && c == column)
        {
          y_lo = MIN (y_lo, sy);
          y_hi = MAX (y_hi, sy);
          y_last = sy;
          continue;
        }

      if (pen_down)
        {
          if (y_lo != y_first || y_hi != y_first)
            {
              cairo_line_to (cr, col_x, y_lo);
              cairo_line_to (cr, col_x, y_hi);
            }
          if (y_last != y_first || y_lo != y_first || y_hi != y_first)
            cairo_line_to (cr, col_x, y_last);
          cairo_line_to (cr, sx, sy);
        }
      else
        {
          cairo_move_to (cr, sx, sy);
          pen_down = TRUE;
        }

      column = c;
      col_x = sx;
      y_first = y_lo = y_hi = y_last = sy;
    }

  if (pen_down && (y_lo != y_first || y_hi != y_first || y_last != y_first))
    {
      cairo_line_to (cr, col_x, y_lo);
      cairo_line_to (cr, col_x, y_hi);
      cairo_line_to (cr, col_x, y_last);
    }
}

/* Whether x (in user units) falls on a dash of pattern @dash (@n entries) rather than a gap. */
static gboolean
dash_on (double        x,
         const double *dash,
         int           n)
{
  double period = 0.0;
  double pos;

  if (dash == NULL || n == 0)
    return TRUE;

  for (int i = 0; i < n; i++)
    period += dash[i];
  pos = fmod (x, period);
  for (int i = 0; i < n; i++)
    {
      if (pos < dash[i])
        return i % 2 == 0;
      pos -= dash[i];
    }

  return TRUE;
}

/* Draw a series with many points per device-pixel column (thousands of mini-batch points).
 * Stroking such a line makes Cairo tessellate thousands of overlapping segments, and a noisy
 * cost curve then takes 15 ms; but at one column per pixel the stroke is nothing more than,
 * per column, a bar from the lowest to the highest y the line reaches there (including where
 * it enters from the previous column), as thick as the line. Bars are rectangles, which Cairo
 * fills quickly. Where consecutive points lie more than a column apart, the joining segment is
 * stroked as usual. @dash, when given, is applied along x, as a dashed line would look. */
static void
draw_dense_series (cairo_t      *cr,
                   const Series *series,
                   const Frame  *f,
                   double        column_width,
                   double        line_width,
                   const double *dash,
                   int           n_dash)
{
  gint64 column = G_MININT64;
  double y_lo = 0.0, y_hi = 0.0, y_last = 0.0, x_last = 0.0;
  double half = line_width / 2.0;
  gboolean have = FALSE;

  /* The bars, filled. */
  cairo_new_path (cr);
  for (guint i = 0; i <= series->points->len; i++)
    {
      const Point *pt = i < series->points->len ? &g_array_index (series->points, Point, i) : NULL;
      double sy = 0.0;
      gint64 c = G_MAXINT64;

      if (pt != NULL)
        {
          if (f->log_y && pt->y <= 0.0)
            continue;
          sy = map_y (f, pt->y);
          c = (gint64) floor (map_x (f, pt->x) / column_width);
        }

      if (have && c == column)
        {
          y_lo = MIN (y_lo, sy);
          y_hi = MAX (y_hi, sy);
          y_last = sy;
          continue;
        }

      if (have && dash_on (column * column_width, dash, n_dash))
        cairo_rectangle (cr, column * column_width, y_lo - half, column_width,
                         y_hi - y_lo + line_width);

      if (pt == NULL)
        break;

      /* Entering from the neighbouring column, the line covers the y it left that one at. */
      if (have && c == column + 1)
        {
          y_lo = MIN (y_last, sy);
          y_hi = MAX (y_last, sy);
        }
      else
        y_lo = y_hi = sy;

      have = TRUE;
      column = c;
      y_last = sy;
    }
  cairo_fill (cr);

  /* The segments bridging columns with no points between them, stroked. */
  have = FALSE;
  column = G_MININT64;
  for (guint i = 0; i < series->points->len; i++)
    {
      const Point *pt = &g_array_index (series->points, Point, i);
      double sx, sy;
      gint64 c;

      if (f->log_y && pt->y <= 0.0)
        continue;
      sx = map_x (f, pt->x);
      sy = map_y (f, pt->y);
      c = (gint64) floor (sx / column_width);

      if (have && (c > column + 1 || c < column - 1))
        {
          cairo_move_to (cr, x_last, y_last);
          cairo_line_to (cr, sx, sy);
        }

      have = TRUE;
      column = c;
      x_last = sx;
      y_last = sy;
    }
  cairo_set_line_width (cr, line_width);
  cairo_stroke (cr);
}

/* Whether @series has so many points for the plot's width that it is drawn as bars. */
static gboolean
is_dense (const Series *series,
          const Frame  *f,
          double        column_width)
{
  return series->points->len >= 2.0 * (f->right - f->left) / column_width;
}

static void
draw_markers (cairo_t      *cr,
              const Series *series,
              const Frame  *f,
              double        radius)
{
  for (guint i = 0; i < series->points->len; i++)
    {
      const Point *pt = &g_array_index (series->points, Point, i);
      double sx, sy;

      if (f->log_y && pt->y <= 0.0)
        continue;

      sx = map_x (f, pt->x);
      sy = map_y (f, pt->y);
      cairo_new_sub_path (cr);
      cairo_arc (cr, sx, sy, radius, 0.0, 2.0 * G_PI);
    }
}

static void
draw_series (BpChart            *chart,
             cairo_t            *cr,
             const Frame        *f,
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
  for (guint p = 0; p < chart->pins->len; p++)
    {
      const Pin *pin = g_ptr_array_index (chart->pins, p);

      guint k = p % G_N_ELEMENTS (pin_dash_counts);

      for (guint i = 0; i < pin->series->len; i++)
        {
          const Series *series = g_ptr_array_index (pin->series, i);
          BpChartColor color;

          bp_chart_palette_color (series->color_index, style->dark, &color);
          set_color (cr, &color, 0.45);
          cairo_set_line_width (cr, 1.5);
          pin_dash (cr, p);
          if (is_dense (series, f, column_width))
            draw_dense_series (cr, series, f, column_width, 1.5, pin_dashes[k], pin_dash_counts[k]);
          else
            {
              path_series (cr, series, f, column_width);
              cairo_stroke (cr);
            }
        }
    }

  cairo_set_dash (cr, NULL, 0, 0.0);
  for (guint i = 0; i < chart->series->len; i++)
    {
      const Series *series = g_ptr_array_index (chart->series, i);
      BpChartColor color;

      bp_chart_palette_color (series->color_index, style->dark, &color);
      set_color (cr, &color, 1.0);
      if (is_dense (series, f, column_width))
        draw_dense_series (cr, series, f, column_width, 2.0, NULL, 0);
      else
        {
          cairo_set_line_width (cr, 2.0);
          path_series (cr, series, f, column_width);
          cairo_stroke (cr);
        }

      if (series->points->len <= MARKER_MAX_POINTS)
        {
          draw_markers (cr, series, f, 2.5);
          cairo_fill (cr);
        }
    }

  cairo_restore (cr);
}

static gboolean
find_nearest (BpChart     *chart,
              const Frame *f,
              double       x,
              double       y,
              Nearest     *nearest)
{
  double best = G_MAXDOUBLE;

  for (guint p = 0; p <= chart->pins->len; p++)
    {
      const Pin *pin = p < chart->pins->len ? g_ptr_array_index (chart->pins, p) : NULL;
      GPtrArray *list = pin != NULL ? pin->series : chart->series;

      for (guint i = 0; i < list->len; i++)
        {
          const Series *series = g_ptr_array_index (list, i);

          for (guint j = 0; j < series->points->len; j++)
            {
              const Point *pt = &g_array_index (series->points, Point, j);
              double sx, sy, d;

              if (f->log_y && pt->y <= 0.0)
                continue;

              sx = map_x (f, pt->x);
              sy = map_y (f, pt->y);
              d = (sx - x) * (sx - x) + (sy - y) * (sy - y);
              /* On a tie the live run wins: it is listed last and compared with <=. */
              if (d <= best)
                {
                  best = d;
                  nearest->series = series;
                  nearest->pin = pin;
                  nearest->pin_index = p;
                  nearest->point = *pt;
                  nearest->sx = sx;
                  nearest->sy = sy;
                }
            }
        }
    }

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
describe_point (BpChart      *chart,
                const Series *series,
                const Pin    *pin,
                const Point  *point)
{
  g_autofree char *name = NULL;
  g_autofree char *y_text = g_strdup_printf ("%.4g", point->y);
  g_autofree char *x_text = format_x (point->x);

  if (pin != NULL)
    /* TRANSLATORS: a curve of a pinned run: "<series name> (<run label>)" */
    name = g_strdup_printf (_("%s (%s)"), series->name, pin->label);
  else
    name = g_strdup (series->name);

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
  Frame frame;
  Nearest nearest;

  g_return_val_if_fail (chart != NULL, NULL);

  bp_chart_style_init (&style, FALSE);
  if (!compute_frame (chart, &style, width, height, &frame))
    return NULL;
  if (!find_nearest (chart, &frame, x, y, &nearest))
    return NULL;

  return describe_point (chart, nearest.series, nearest.pin, &nearest.point);
}

char *
bp_chart_describe_latest (BpChart *chart)
{
  GString *text = NULL;

  g_return_val_if_fail (chart != NULL, NULL);

  for (guint i = 0; i < chart->series->len; i++)
    {
      const Series *series = g_ptr_array_index (chart->series, i);
      g_autofree char *part = NULL;

      if (series->points->len == 0)
        continue;

      part = describe_point (chart, series, NULL,
                             &g_array_index (series->points, Point, series->points->len - 1));
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
            const Frame        *f,
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

  bp_chart_palette_color (nearest.series->color_index, style->dark, &color);
  cairo_arc (cr, nearest.sx, nearest.sy, 4.5, 0.0, 2.0 * G_PI);
  set_color (cr, &color, 1.0);
  cairo_fill_preserve (cr);
  cairo_set_line_width (cr, 2.0);
  set_color (cr, &style->background, 1.0);
  cairo_stroke (cr);

  /* The read-out in a small box beside the point, flipped to stay inside the chart. */
  text = describe_point (chart, nearest.series, nearest.pin, &nearest.point);
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
bp_chart_draw (BpChart            *chart,
               cairo_t            *cr,
               int                 width,
               int                 height,
               const BpChartStyle *style)
{
  Frame frame;

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
      if (style->hover)
        draw_hover (chart, cr, &frame, style, width, height);
    }

  cairo_restore (cr);
}
