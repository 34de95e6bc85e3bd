/* bp-plot.h — BpPlot, a live line chart of training curves drawn with Cairo
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define BP_TYPE_PLOT (bp_plot_get_type ())
G_DECLARE_FINAL_TYPE (BpPlot, bp_plot, BP, PLOT, GtkWidget)

GtkWidget *bp_plot_new (void);

/* The title drawn above the plot and used as the accessible label; NULL for none. */
void        bp_plot_set_title (BpPlot     *self,
                               const char *title);
const char *bp_plot_get_title (BpPlot *self);
void        bp_plot_set_x_label (BpPlot     *self,
                                 const char *label);
const char *bp_plot_get_x_label (BpPlot *self);
void        bp_plot_set_y_label (BpPlot     *self,
                                 const char *label);
const char *bp_plot_get_y_label (BpPlot *self);

/* A logarithmic y axis (property "log-y"); points at or below zero are then left out. */
void     bp_plot_set_log_y (BpPlot  *self,
                            gboolean log_y);
gboolean bp_plot_get_log_y (BpPlot *self);

/* A fixed y range, e.g. 0 … 1 for accuracy; @min > @max means a range that follows the data. */
void bp_plot_set_y_range (BpPlot *self,
                          double  min,
                          double  max);

/* Add a series drawn in colour @color_index of the built-in colour-blind-safe palette
 * (Okabe–Ito, readable on light and dark backgrounds). Returns the series id. */
guint bp_plot_add_series (BpPlot     *self,
                          const char *name,
                          guint       color_index);

/* Append a point (x may fall inside an epoch); a NaN y is skipped. Cheap: it stores the point
 * and queues a redraw. */
void bp_plot_append (BpPlot *self,
                     guint   series,
                     double  x,
                     double  y);

/* Remove the live series' points; pinned runs stay. */
void bp_plot_clear (BpPlot *self);

/* Keep the live series' points as a dimmed, dashed pinned run labelled @label in the legend,
 * then clear the live series. Several pins may be kept; does nothing without points. */
void bp_plot_pin_run (BpPlot     *self,
                      const char *label);
void bp_plot_clear_pins (BpPlot *self);
/* Remove every series (and the pins with them): a plot whose series change with the network. */
void bp_plot_remove_series (BpPlot *self);
/* Mark where a setting changed (a tick and @label, "η 0.5 → 0.1", at @x). */
void        bp_plot_add_mark (BpPlot     *self,
                              double      x,
                              const char *label);
void        bp_plot_clear_marks (BpPlot *self);

/* What the legend entry of live @series says as a tooltip (NULL: none). */
void        bp_plot_set_series_tooltip (BpPlot     *self,
                                        guint       series,
                                        const char *tooltip);
/* The tooltip of the legend entry under (@x, @y) in the plot @width wide, or NULL. */
const char *bp_plot_get_tooltip_at (BpPlot *self,
                                    double  x,
                                    double  y,
                                    int     width);
guint bp_plot_get_n_series (BpPlot *self);
guint bp_plot_get_n_pins (BpPlot *self);
guint bp_plot_get_n_points (BpPlot *self,
                            guint   series);

/* Draw the whole chart into any cairo context (a widget snapshot, a golden test, a PNG, SVG
 * or PDF export) on a background of libadwaita's light or @dark view colour. */
void bp_plot_draw (BpPlot  *self,
                   cairo_t *cr,
                   int      width,
                   int      height,
                   gboolean dark);

/* The point drawn nearest to (@x, @y) in a @width × @height chart as text, "Validation
 * accuracy: 0.9541 at epoch 12.0"; NULL when there are no points. Free with g_free(). */
char *bp_plot_describe_nearest (BpPlot *self,
                                double  x,
                                double  y,
                                int     width,
                                int     height);

G_END_DECLS
