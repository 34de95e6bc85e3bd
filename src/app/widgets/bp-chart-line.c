/* bp-chart-line.c — a chart's plot area and one series drawn in it as a line
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-chart-line.h"

#include <math.h>

double
bp_chart_frame_map_x (const BpChartFrame *f,
                      double              x)
{
  return f->left + (x - f->x_lo) / (f->x_hi - f->x_lo) * (f->right - f->left);
}

double
bp_chart_frame_map_y (const BpChartFrame *f,
                      double              y)
{
  double t;

  if (f->log_y)
    t = (log10 (y) - log10 (f->y_lo)) / (log10 (f->y_hi) - log10 (f->y_lo));
  else
    t = (y - f->y_lo) / (f->y_hi - f->y_lo);

  return f->bottom - t * (f->bottom - f->top);
}

/* Add @series to the path. Points that fall into the same device-pixel column collapse into
 * the first, lowest, highest and last of them: the drawn shape is the same, but ten thousand
 * points cost a few hundred segments. */
static void
path_series (cairo_t             *cr,
             const BpChartSeries *series,
             const BpChartFrame  *f,
             double               column_width)
{
  guint n_points;
  const BpChartPoint *points = bp_chart_series_get_points (series, &n_points);
  gboolean pen_down = FALSE;
  gint64 column = G_MININT64;
  double col_x = 0.0, y_lo = 0.0, y_hi = 0.0, y_last = 0.0, y_first = 0.0;

  for (guint i = 0; i < n_points; i++)
    {
      const BpChartPoint *pt = &points[i];
      double sx, sy;
      gint64 c;

      if (f->log_y && pt->y <= 0.0)
        continue;

      sx = bp_chart_frame_map_x (f, pt->x);
      sy = bp_chart_frame_map_y (f, pt->y);
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
draw_dense_series (cairo_t             *cr,
                   const BpChartSeries *series,
                   const BpChartFrame  *f,
                   double               column_width,
                   double               line_width,
                   const double        *dash,
                   int                  n_dash)
{
  guint n_points;
  const BpChartPoint *points = bp_chart_series_get_points (series, &n_points);
  gint64 column = G_MININT64;
  double y_lo = 0.0, y_hi = 0.0, y_last = 0.0, x_last = 0.0;
  double half = line_width / 2.0;
  gboolean have = FALSE;

  /* The bars, filled. */
  cairo_new_path (cr);
  for (guint i = 0; i <= n_points; i++)
    {
      const BpChartPoint *pt = i < n_points ? &points[i] : NULL;
      double sy = 0.0;
      gint64 c = G_MAXINT64;

      if (pt != NULL)
        {
          if (f->log_y && pt->y <= 0.0)
            continue;
          sy = bp_chart_frame_map_y (f, pt->y);
          c = (gint64) floor (bp_chart_frame_map_x (f, pt->x) / column_width);
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
  for (guint i = 0; i < n_points; i++)
    {
      const BpChartPoint *pt = &points[i];
      double sx, sy;
      gint64 c;

      if (f->log_y && pt->y <= 0.0)
        continue;
      sx = bp_chart_frame_map_x (f, pt->x);
      sy = bp_chart_frame_map_y (f, pt->y);
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
is_dense (const BpChartSeries *series,
          const BpChartFrame  *f,
          double               column_width)
{
  return bp_chart_series_get_n_points (series) >= 2.0 * (f->right - f->left) / column_width;
}

void
bp_chart_line_draw (cairo_t             *cr,
                    const BpChartSeries *series,
                    const BpChartFrame  *frame,
                    double               column_width,
                    double               line_width,
                    const double        *dash,
                    int                  n_dash)
{
  g_return_if_fail (cr != NULL);
  g_return_if_fail (series != NULL);
  g_return_if_fail (frame != NULL);

  if (is_dense (series, frame, column_width))
    draw_dense_series (cr, series, frame, column_width, line_width, dash, n_dash);
  else
    {
      cairo_set_line_width (cr, line_width);
      path_series (cr, series, frame, column_width);
      cairo_stroke (cr);
    }
}

void
bp_chart_line_add_markers (cairo_t             *cr,
                           const BpChartSeries *series,
                           const BpChartFrame  *frame,
                           double               radius)
{
  guint n_points;
  const BpChartPoint *points;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (series != NULL);
  g_return_if_fail (frame != NULL);

  points = bp_chart_series_get_points (series, &n_points);
  for (guint i = 0; i < n_points; i++)
    {
      const BpChartPoint *pt = &points[i];
      double sx, sy;

      if (frame->log_y && pt->y <= 0.0)
        continue;

      sx = bp_chart_frame_map_x (frame, pt->x);
      sy = bp_chart_frame_map_y (frame, pt->y);
      cairo_new_sub_path (cr);
      cairo_arc (cr, sx, sy, radius, 0.0, 2.0 * G_PI);
    }
}
