/* bp-prediction-bars.h — BpPredictionBars, the network's ten outputs as bars, the top guess large
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define BP_TYPE_PREDICTION_BARS (bp_prediction_bars_get_type ())
G_DECLARE_FINAL_TYPE (BpPredictionBars, bp_prediction_bars, BP, PREDICTION_BARS, GtkWidget)

GtkWidget *bp_prediction_bars_new (void);

/* Show @n outputs (at most 16). @probabilities says that they are a softmax's probabilities
 * (they sum to 1); otherwise they are sigmoid activations and are labelled so. @outputs NULL
 * shows "Draw a digit" instead of a guess. */
void bp_prediction_bars_set_outputs (BpPredictionBars *self,
                                     const float      *outputs,
                                     guint             n,
                                     gboolean          probabilities);

/* The index of the largest output, -1 when empty. */
int  bp_prediction_bars_get_top (BpPredictionBars *self);

/* Draw into any cairo context, text in @context's font (NULL: "Sans 9"), dark text on a light
 * background unless @dark. For the widget and for tests without a display. */
void bp_prediction_bars_draw (BpPredictionBars *self,
                              cairo_t          *cr,
                              PangoContext     *context,
                              int               width,
                              int               height,
                              gboolean          dark);

G_END_DECLS
