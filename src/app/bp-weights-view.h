/* bp-weights-view.h — the Weights view: the first layer as pictures, deeper layers as matrices
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "bp-view.h"

G_BEGIN_DECLS

#define BP_TYPE_WEIGHTS_VIEW (bp_weights_view_get_type ())
G_DECLARE_FINAL_TYPE (BpWeightsView, bp_weights_view, BP, WEIGHTS_VIEW, BpView)

/* Select @neuron of the first layer and open it large, as a click on its picture does (the
 * Draw view's hidden-layer strip asks for this). */
void bp_weights_view_show_neuron (BpWeightsView *self,
                                  guint          neuron);

/* Signal "neuron-shown" (guint neuron): neuron @neuron of the first layer is shown large, in its
 * own window. */

G_END_DECLS
