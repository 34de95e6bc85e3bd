/* bp-chart-series.h — one curve of a line chart: its name, colour and points, and their range
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The data side of a chart, as Sysprof's SysprofXYSeries is: no drawing, no GTK, so that it is
 * tested on its own (tests/test-chart-series.c) and BpChart only draws it.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  double x;
  double y;
} BpChartPoint;

/* The smallest box around a set of points; empty (x_min > x_max) until a point is added. */
typedef struct
{
  double x_min;
  double x_max;
  double y_min;
  double y_max;
} BpChartRange;

/* Make @range empty. */
void     bp_chart_range_clear (BpChartRange *range);
gboolean bp_chart_range_is_empty (const BpChartRange *range);

typedef struct _BpChartSeries BpChartSeries;

/* A series named @name (NULL: ""), drawn in palette colour @color_index. */
BpChartSeries *bp_chart_series_new (const char *name,
                                    guint       color_index);
void           bp_chart_series_free (BpChartSeries *series);

const char *bp_chart_series_get_name (const BpChartSeries *series);
guint       bp_chart_series_get_color_index (const BpChartSeries *series);

/* Append (@x, @y); a NaN or infinite coordinate is left out. Returns whether the point was
 * kept. */
gboolean bp_chart_series_append (BpChartSeries *series,
                                 double         x,
                                 double         y);
void     bp_chart_series_clear (BpChartSeries *series);

guint               bp_chart_series_get_n_points (const BpChartSeries *series);
/* The points in the order appended (@n_points may be NULL); valid until the next change. */
const BpChartPoint *bp_chart_series_get_points (const BpChartSeries *series,
                                                guint               *n_points);
/* The latest point; FALSE when there is none. */
gboolean            bp_chart_series_get_last (const BpChartSeries *series,
                                              double              *x,
                                              double              *y);

/* Widen @range to take in the points, only those with y > 0 when @positive_y (a log axis has
 * no room for the others). Returns whether any point was taken. */
gboolean bp_chart_series_extend_range (const BpChartSeries *series,
                                       gboolean             positive_y,
                                       BpChartRange        *range);

/* A new series with @series' name, colour and points; @series is left empty. Pinning a run
 * keeps its points this way, without copying them. */
BpChartSeries *bp_chart_series_take (BpChartSeries *series);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BpChartSeries, bp_chart_series_free)

G_END_DECLS
