/* bp-chart-ticks.h — where a chart's axes put their ticks, and how the ticks are labelled
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The largest number of ticks an axis gets. */
#define BP_CHART_MAX_TICKS 32

/* Choose an axis for data in @min … @max with about @target ticks: 1, 2 or 5 × 10^k steps on
 * a linear axis; on a log axis powers of ten, or 1, 2 and 5 × 10^k over a short span (@min
 * must then be > 0). Writes the axis ends to @lo and @hi (they enclose the data and are ticks
 * themselves) and the ticks, ascending, to @ticks; returns their number (2 … @max_ticks). */
guint bp_chart_nice_ticks (double   min,
                           double   max,
                           gboolean log_scale,
                           guint    target,
                           double  *lo,
                           double  *hi,
                           double  *ticks,
                           guint    max_ticks);

/* bp_chart_nice_ticks() on a linear axis, also giving the step between two ticks (@step_out
 * may be NULL), which bp_chart_format_tick() needs. */
guint bp_chart_linear_ticks (double  min,
                             double  max,
                             guint   target,
                             double *lo,
                             double *hi,
                             double *ticks,
                             guint   max_ticks,
                             double *step_out);

/* A tick label for @value: on a linear axis with @step between ticks, as many decimals as the
 * step needs; on a log axis, plain for 0.001 … 99999 and as m×10ⁿ outside. */
char *bp_chart_format_tick (double   value,
                            double   step,
                            gboolean log_scale);

G_END_DECLS
