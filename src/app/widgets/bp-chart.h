/* bp-chart.h — the layout and the Cairo drawing of a line chart, without GTK (BpPlot shows one)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Keeping the chart apart from the widget lets the same code draw into a widget snapshot, an
 * exported PNG, SVG or PDF, and the golden images of the tests, which then need no display.
 * The chart's points are a model of their own (BpChartRuns of BpChartSeries, as Sysprof keeps
 * its series apart from its layers); the functions below that add and count points are
 * shorthands for those of its model.
 */
#pragma once

#include <cairo.h>
#include <glib.h>
#include <pango/pango.h>

#include "bp-chart-runs.h"
#include "bp-chart-ticks.h"

G_BEGIN_DECLS

typedef struct _BpChart BpChart;

typedef struct
{
  double red;
  double green;
  double blue;
  double alpha;
} BpChartColor;

/* How to draw: the foreground colour (text, axes, grid), the background (painted only when
 * @paint_background; the tooltip box uses it anyway), @dark to pick the series colours that
 * read on a dark background, and the pointer position for the hover read-out. */
typedef struct
{
  BpChartColor foreground;
  BpChartColor background;
  gboolean     dark;
  gboolean     paint_background;
  gboolean     hover;
  double       hover_x;
  double       hover_y;
} BpChartStyle;

BpChart *bp_chart_new (void);
void     bp_chart_free (BpChart *chart);

/* The Pango context whose font the text is set in (a widget's, so the chart follows the
 * desktop's font and text scale); NULL returns to the default "Sans 9". The chart keeps a
 * reference. */
void bp_chart_set_text_context (BpChart      *chart,
                                PangoContext *context);

void        bp_chart_set_title (BpChart    *chart,
                                const char *title);
const char *bp_chart_get_title (BpChart *chart);
void        bp_chart_set_x_label (BpChart    *chart,
                                  const char *label);
const char *bp_chart_get_x_label (BpChart *chart);
void        bp_chart_set_y_label (BpChart    *chart,
                                  const char *label);
const char *bp_chart_get_y_label (BpChart *chart);
void        bp_chart_set_log_y (BpChart *chart,
                                gboolean log_y);
gboolean    bp_chart_get_log_y (BpChart *chart);
/* A fixed y range; @min > @max returns to a range that follows the data. */
void        bp_chart_set_y_range (BpChart *chart,
                                  double   min,
                                  double   max);

/* The live series and pinned runs the chart draws (owned by the chart). */
BpChartRuns *bp_chart_get_runs (BpChart *chart);

/* Add a series drawn in palette colour @color_index; returns its id (0, 1, 2, … in order). */
guint bp_chart_add_series (BpChart    *chart,
                           const char *name,
                           guint       color_index);
/* Append a point to @series; a NaN or infinite coordinate is ignored. Returns whether the
 * point was kept. */
gboolean bp_chart_append (BpChart *chart,
                          guint    series,
                          double   x,
                          double   y);
/* Remove the points of the live series (the series themselves and the pins stay). */
void  bp_chart_clear (BpChart *chart);
/* Keep the live series' points as a pinned run labelled @label, then clear the live series.
 * Does nothing when the live series hold no points. Returns whether a pin was made. */
gboolean bp_chart_pin_run (BpChart    *chart,
                           const char *label);
void  bp_chart_clear_pins (BpChart *chart);
/* Remove every series (and the pins with them). */
void  bp_chart_remove_series (BpChart *chart);

guint bp_chart_get_n_series (BpChart *chart);
guint bp_chart_get_n_points (BpChart *chart,
                             guint    series);
guint bp_chart_get_n_pins (BpChart *chart);
/* The number of points pinned run @pin keeps for series @series (0 when it had none). */
guint bp_chart_get_n_pinned_points (BpChart *chart,
                                    guint    pin,
                                    guint    series);
/* The latest point of @series; FALSE when it has none. */
gboolean bp_chart_get_last_point (BpChart *chart,
                                  guint    series,
                                  double  *x,
                                  double  *y);

/* Mark where a setting changed at @x on the live curves, labelled @label ("η 0.5 → 0.1"). */
void  bp_chart_add_mark (BpChart    *chart,
                         double      x,
                         const char *label);
void  bp_chart_clear_marks (BpChart *chart);
guint bp_chart_get_n_marks (BpChart *chart);

/* Draw the whole chart into the box (0, 0, @width, @height) of @cr. */
void bp_chart_draw (BpChart            *chart,
                    cairo_t            *cr,
                    int                 width,
                    int                 height,
                    const BpChartStyle *style);

/* "Validation accuracy: 0.9541 at epoch 12.0" for the point drawn nearest to (@x, @y) in a
 * chart of @width × @height, live or pinned; NULL when the chart has no points. */
char *bp_chart_describe_nearest (BpChart *chart,
                                 double   x,
                                 double   y,
                                 int      width,
                                 int      height);

/* The legend item under (@x, @y) in a chart @width wide: a live series' index, or
 * bp_chart_get_n_series() + k for the pin k; -1 when there is none. */
int   bp_chart_legend_item_at (BpChart *chart,
                               double   x,
                               double   y,
                               int      width);

/* A one-sentence summary of the latest value of each live series, for assistive technology;
 * NULL when there are no points. */
char *bp_chart_describe_latest (BpChart *chart);

/* The colours of the built-in Okabe–Ito palette; each reads on a white background and
 * (@dark) on libadwaita's dark view background. */
void  bp_chart_palette_color (guint         index,
                              gboolean      dark,
                              BpChartColor *color);
guint bp_chart_palette_size (void);

/* Fill @style with libadwaita's view colours for the light or dark style. */
void bp_chart_style_init (BpChartStyle *style,
                          gboolean      dark);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BpChart, bp_chart_free)

G_END_DECLS
