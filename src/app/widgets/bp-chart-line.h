/* bp-chart-line.h — a chart's plot area and one series drawn in it as a line
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The drawing side of a series, as Sysprof's SysprofLineLayer is of its SysprofXYSeries:
 * BpChart lays out the plot area and its axes (a BpChartFrame) and hands each series here.
 */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "bp-chart-series.h"
#include "bp-chart-ticks.h"

G_BEGIN_DECLS

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
} BpChartFrame;

/* Where data coordinates land in the plot area. On a log axis y must be > 0. */
double bp_chart_frame_map_x (const BpChartFrame *frame,
                             double              x);
double bp_chart_frame_map_y (const BpChartFrame *frame,
                             double              y);

/* Stroke @series as a line @line_width wide in the current source and line style, dashed
 * along x by @dash (@n_dash entries; NULL for a solid line, which the caller has set with
 * cairo_set_dash() too). @column_width is one device pixel in user units: a series with many
 * points per column is drawn as bars per column, which look the same and cost far less. */
void bp_chart_line_draw (cairo_t             *cr,
                         const BpChartSeries *series,
                         const BpChartFrame  *frame,
                         double               column_width,
                         double               line_width,
                         const double        *dash,
                         int                  n_dash);

/* Add a dot of @radius for each point of @series to the path, for the caller to fill. */
void bp_chart_line_add_markers (cairo_t             *cr,
                                const BpChartSeries *series,
                                const BpChartFrame  *frame,
                                double               radius);

G_END_DECLS
