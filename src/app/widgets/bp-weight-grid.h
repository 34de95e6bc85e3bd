/* bp-weight-grid.h — BpWeightGrid, the first layer's weights as heatmaps, one per neuron
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define BP_TYPE_WEIGHT_GRID (bp_weight_grid_get_type ())
G_DECLARE_FINAL_TYPE (BpWeightGrid, bp_weight_grid, BP, WEIGHT_GRID, GtkWidget)

GtkWidget *bp_weight_grid_new (void);

/* Copy the weights: @n_neurons rows of @n_inputs floats (row j = neuron j's incoming weights),
 * each shown as an @image_rows × @image_cols picture (e.g. 28 × 28). Cheap enough to call
 * 10–30 times a second for 100 × 784: the pictures are built here, not on every draw. */
void bp_weight_grid_set_weights (BpWeightGrid *self,
                                 const float  *w,
                                 guint         n_neurons,
                                 guint         n_inputs,
                                 guint         image_rows,
                                 guint         image_cols);

/* The colour scale runs from −@limit to +@limit; 0 returns to ±max|w| of each update. */
void   bp_weight_grid_set_limit (BpWeightGrid *self,
                                 double        limit);
double bp_weight_grid_get_limit (BpWeightGrid *self);
/* The number of neurons shown, 0 before the first weights. */
guint  bp_weight_grid_get_n_neurons (BpWeightGrid *self);

/* Whether the pictures are a conv layer's filters rather than neurons (what the accessible
 * description calls them). */
void bp_weight_grid_set_filters (BpWeightGrid *self,
                                 gboolean      filters);

/* The highlighted neuron (property "selected"), -1 for none. */
void bp_weight_grid_set_selected (BpWeightGrid *self,
                                  int           neuron);
int  bp_weight_grid_get_selected (BpWeightGrid *self);

/* Draw the grid and its legend into any cairo context on a background of libadwaita's light
 * or @dark view colour. */
void bp_weight_grid_draw (BpWeightGrid *self,
                          cairo_t      *cr,
                          int           width,
                          int           height,
                          gboolean      dark);

/* The neuron under (@x, @y) in a @width × @height grid, -1 if none. */
int bp_weight_grid_neuron_at (BpWeightGrid *self,
                              double        x,
                              double        y,
                              int           width,
                              int           height);

/* Signal "neuron-activated" (guint neuron): a click on a neuron's picture, or Enter or Space
 * on the selected one. */

G_END_DECLS
