/* bp-network-columns.h — BpNetworkColumns, a network as columns of coloured cells
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input as its picture, then one column per layer after it: every neuron a cell (a wide
 * layer wraps into a grid of cells), coloured by one number per neuron on the diverging colour
 * map (bp-colormap), each column on its own scale ±max|v|, written under it. A column whose
 * numbers are not known yet (the forward pass has not reached it) is drawn as empty cells. The
 * widget only draws what it is given: the Backprop view gives it the trace's numbers.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define BP_TYPE_NETWORK_COLUMNS (bp_network_columns_get_type ())
G_DECLARE_FINAL_TYPE (BpNetworkColumns, bp_network_columns, BP, NETWORK_COLUMNS, GtkWidget)

GtkWidget *bp_network_columns_new (void);

/* The input picture: @rows × @cols floats in 0 … 1 (copied), drawn as MNIST's light ink on
 * black; NULL shows an empty square. */
void bp_network_columns_set_input (BpNetworkColumns *self,
                                   const float      *x,
                                   guint             rows,
                                   guint             cols);

/* The layers after the input: @n_layers columns, column l with @sizes[l] cells. Clears the
 * values and the selection when the shape changes. */
void bp_network_columns_set_shape (BpNetworkColumns *self,
                                   guint             n_layers,
                                   const guint      *sizes);
guint bp_network_columns_get_n_layers (BpNetworkColumns *self);

/* The numbers of column @layer (sizes[@layer] floats, copied), or NULL: not known yet. @marks
 * (may be NULL) has one byte per cell, non-zero for a cell marked with a dot (a saturated
 * neuron). */
void bp_network_columns_set_values (BpNetworkColumns *self,
                                    guint             layer,
                                    const float      *values,
                                    const guint8     *marks);

/* Draw column @layer as @channels maps of @height × @width (channels·height·width must be its
 * size; neuron j is pixel j of the maps laid end to end, as a conv layer's values are), or with
 * @channels 0 as cells again. Clears its highlight. */
void bp_network_columns_set_maps (BpNetworkColumns *self,
                                  guint             layer,
                                  guint             channels,
                                  guint             height,
                                  guint             width);

/* Highlight some pixels of map column @layer (@mask: one byte per neuron, non-zero for the
 * highlighted), the others drawn under a veil: the inputs that won a max-pool. NULL: none. */
void bp_network_columns_set_highlight (BpNetworkColumns *self,
                                       guint             layer,
                                       const guint8     *mask);

/* Column @layer's maps: their count (0 for cells), size and highlight mask (NULL: none; one
 * byte per neuron, the widget's). */
guint bp_network_columns_get_maps (BpNetworkColumns *self,
                                   guint             layer,
                                   guint            *height,
                                   guint            *width,
                                   const guint8    **highlight);

/* Each column's caption (above it), e.g. "layer 2 · 30". */
void bp_network_columns_set_caption (BpNetworkColumns *self,
                                     guint             layer,
                                     const char       *caption);
/* The caption of the input column and the title of the colour scale. */
void bp_network_columns_set_input_caption (BpNetworkColumns *self,
                                           const char       *caption);

/* Label the cells of column @layer with their index (the output layer: its digits). */
void bp_network_columns_set_labelled (BpNetworkColumns *self,
                                      guint             layer,
                                      gboolean          labelled);

/* The column of the step shown, drawn highlighted (-1: the input, G_MININT: none), and an arrow
 * from column @from to it (G_MININT: none): the forward pass points right, δ flowing back left. */
void bp_network_columns_set_active (BpNetworkColumns *self,
                                    int               layer,
                                    int               from);

/* The selected cell (a ring), @layer -1 for none. */
void bp_network_columns_set_selected (BpNetworkColumns *self,
                                      int               layer,
                                      int               neuron);
int  bp_network_columns_get_selected (BpNetworkColumns *self,
                                      int              *neuron);

/* The cell under (@x, @y) for a widget of @width × @height: its column into *@layer and its
 * index returned; -1 when none. */
int  bp_network_columns_neuron_at (BpNetworkColumns *self,
                                   double            x,
                                   double            y,
                                   int               width,
                                   int               height,
                                   int              *layer);

/* Where cell @neuron of column @layer is at the widget's present size. FALSE when it is not
 * laid out. */
gboolean bp_network_columns_get_cell (BpNetworkColumns *self,
                                      guint             layer,
                                      guint             neuron,
                                      graphene_rect_t  *rect);

/* Draw into any cairo context (tests, exports). */
void bp_network_columns_draw (BpNetworkColumns *self,
                              cairo_t          *cr,
                              int               width,
                              int               height,
                              gboolean          dark);

/* Signal "neuron-activated" (int layer, guint neuron): a click on a cell, or Enter on the one
 * the keyboard selected (Up and Down move in a column, Page Up and Page Down between them). */

G_END_DECLS
