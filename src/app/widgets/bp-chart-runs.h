/* bp-chart-runs.h — the curves a chart draws: the live run's series and the pinned runs
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The live run is a list of series (training, validation, …) that points are appended to.
 * Pinning keeps its points as a run of its own, under a label, and starts the live series
 * again empty; pinned runs are drawn dimmed behind the live one. No drawing here.
 */
#pragma once

#include <glib.h>

#include "bp-chart-series.h"

G_BEGIN_DECLS

typedef struct _BpChartRuns BpChartRuns;

BpChartRuns *bp_chart_runs_new (void);
void         bp_chart_runs_free (BpChartRuns *runs);

/* Add a live series drawn in palette colour @color_index; returns its index (0, 1, 2, … in
 * order). */
guint    bp_chart_runs_add_series (BpChartRuns *runs,
                                   const char  *name,
                                   guint        color_index);
/* Append a point to live series @series; a NaN or infinite coordinate is left out. Returns
 * whether the point was kept. */
gboolean bp_chart_runs_append (BpChartRuns *runs,
                               guint        series,
                               double       x,
                               double       y);
/* Remove the points of the live series (the series themselves and the pins stay). */
void     bp_chart_runs_clear (BpChartRuns *runs);
/* Keep the live series' points as a pinned run labelled @label (NULL or "": "Pinned run N"),
 * then clear the live series. Does nothing when the live series hold no points. Returns
 * whether a pin was made. */
gboolean bp_chart_runs_pin (BpChartRuns *runs,
                            const char  *label);
void     bp_chart_runs_clear_pins (BpChartRuns *runs);
/* Remove every live series, and every pin with them (a pin's series are the live ones'). */
void     bp_chart_runs_remove_series (BpChartRuns *runs);

guint          bp_chart_runs_get_n_series (const BpChartRuns *runs);
/* Live series @series (< bp_chart_runs_get_n_series()). */
BpChartSeries *bp_chart_runs_get_series (const BpChartRuns *runs,
                                         guint              series);

guint          bp_chart_runs_get_n_pins (const BpChartRuns *runs);
const char    *bp_chart_runs_get_pin_label (const BpChartRuns *runs,
                                            guint              pin);
/* The series pinned run @pin keeps, indexed as the live series were when it was pinned. */
guint          bp_chart_runs_get_pin_n_series (const BpChartRuns *runs,
                                               guint              pin);
BpChartSeries *bp_chart_runs_get_pinned_series (const BpChartRuns *runs,
                                                guint              pin,
                                                guint              series);

/* The range of every point, live and pinned (only y > 0 when @positive_y); FALSE, with @range
 * empty, when there is none. */
gboolean bp_chart_runs_get_range (const BpChartRuns *runs,
                                  gboolean           positive_y,
                                  BpChartRange      *range);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BpChartRuns, bp_chart_runs_free)

G_END_DECLS
