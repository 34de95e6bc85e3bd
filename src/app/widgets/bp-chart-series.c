/* bp-chart-series.c — one curve of a line chart: its name, colour and points, and their range
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-chart-series.h"

#include <math.h>

struct _BpChartSeries
{
  char   *name;
  guint   color_index;
  GArray *points; /* BpChartPoint, in the order appended */
};

void
bp_chart_range_clear (BpChartRange *range)
{
  g_return_if_fail (range != NULL);

  range->x_min = range->y_min = G_MAXDOUBLE;
  range->x_max = range->y_max = -G_MAXDOUBLE;
}

gboolean
bp_chart_range_is_empty (const BpChartRange *range)
{
  g_return_val_if_fail (range != NULL, TRUE);

  return range->x_min > range->x_max;
}

BpChartSeries *
bp_chart_series_new (const char *name,
                     guint       color_index)
{
  BpChartSeries *series = g_new0 (BpChartSeries, 1);

  series->name = g_strdup (name != NULL ? name : "");
  series->color_index = color_index;
  series->points = g_array_new (FALSE, FALSE, sizeof (BpChartPoint));

  return series;
}

void
bp_chart_series_free (BpChartSeries *series)
{
  if (series == NULL)
    return;

  g_free (series->name);
  g_array_unref (series->points);
  g_free (series);
}

const char *
bp_chart_series_get_name (const BpChartSeries *series)
{
  g_return_val_if_fail (series != NULL, NULL);

  return series->name;
}

guint
bp_chart_series_get_color_index (const BpChartSeries *series)
{
  g_return_val_if_fail (series != NULL, 0);

  return series->color_index;
}

gboolean
bp_chart_series_append (BpChartSeries *series,
                        double         x,
                        double         y)
{
  BpChartPoint point = { x, y };

  g_return_val_if_fail (series != NULL, FALSE);

  if (!isfinite (x) || !isfinite (y))
    return FALSE;

  g_array_append_val (series->points, point);

  return TRUE;
}

void
bp_chart_series_clear (BpChartSeries *series)
{
  g_return_if_fail (series != NULL);

  g_array_set_size (series->points, 0);
}

guint
bp_chart_series_get_n_points (const BpChartSeries *series)
{
  g_return_val_if_fail (series != NULL, 0);

  return series->points->len;
}

const BpChartPoint *
bp_chart_series_get_points (const BpChartSeries *series,
                            guint               *n_points)
{
  g_return_val_if_fail (series != NULL, NULL);

  if (n_points != NULL)
    *n_points = series->points->len;

  return (const BpChartPoint *) (gconstpointer) series->points->data;
}

gboolean
bp_chart_series_get_last (const BpChartSeries *series,
                          double              *x,
                          double              *y)
{
  const BpChartPoint *last;

  g_return_val_if_fail (series != NULL, FALSE);

  if (series->points->len == 0)
    return FALSE;

  last = &g_array_index (series->points, BpChartPoint, series->points->len - 1);
  if (x != NULL)
    *x = last->x;
  if (y != NULL)
    *y = last->y;

  return TRUE;
}

gboolean
bp_chart_series_extend_range (const BpChartSeries *series,
                              gboolean             positive_y,
                              BpChartRange        *range)
{
  gboolean any = FALSE;

  g_return_val_if_fail (series != NULL, FALSE);
  g_return_val_if_fail (range != NULL, FALSE);

  for (guint i = 0; i < series->points->len; i++)
    {
      const BpChartPoint *pt = &g_array_index (series->points, BpChartPoint, i);

      if (positive_y && pt->y <= 0.0)
        continue;
      any = TRUE;
      range->x_min = MIN (range->x_min, pt->x);
      range->x_max = MAX (range->x_max, pt->x);
      range->y_min = MIN (range->y_min, pt->y);
      range->y_max = MAX (range->y_max, pt->y);
    }

  return any;
}

BpChartSeries *
bp_chart_series_take (BpChartSeries *series)
{
  BpChartSeries *kept;

  g_return_val_if_fail (series != NULL, NULL);

  kept = bp_chart_series_new (series->name, series->color_index);
  g_array_unref (kept->points);
  kept->points = series->points;
  series->points = g_array_new (FALSE, FALSE, sizeof (BpChartPoint));

  return kept;
}
