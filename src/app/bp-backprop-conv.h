/* bp-backprop-conv.h — the Backprop view's convolutional and pooling layers: their equations and
 * words (chapter 6's forms of the forward pass and of BP1–BP4), a neuron of a map, the winners
 * of a max-pool, and the maps of ∂C/∂b
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Layers are numbered as in bp-backprop-text.h: the trace's layer i is the book's layer i + 2.
 * Every number is read from the trace, or for the winners from the engine's own pool backward.
 */
#pragma once

#include <glib.h>

#include "bp-backprop-view.h"
#include "bp-trace.h"

G_BEGIN_DECLS

/* Whether the step (@kind at trace layer @layer) has a conv form: a forward step of a conv or
 * pool layer, a backward step into one or out of one, or the gradient of a network with conv
 * layers. The bp_backprop_conv_*() texts below are for those steps only. */
gboolean bp_backprop_conv_applies (const BpTrace      *trace,
                                   BpBackpropStepKind  kind,
                                   int                 layer);

char *bp_backprop_conv_equation (const BpTrace      *trace,
                                 BpBackpropStepKind  kind,
                                 int                 layer);
char *bp_backprop_conv_equation_words (const BpTrace      *trace,
                                       BpBackpropStepKind  kind,
                                       int                 layer);
char *bp_backprop_conv_explain (const BpTrace      *trace,
                                BpBackpropStepKind  kind,
                                int                 layer);

/* Neuron @neuron of conv or pool layer @layer: where it is (map, row, column), its sum with its
 * largest terms or its window's maximum, a, f′ and δ (markup); the same in words (*@words). */
char *bp_backprop_conv_neuron (const BpTrace *trace,
                               int            layer,
                               guint          neuron,
                               char         **words);

/* The inputs that win the max of pool layer @pool_layer's windows (the engine's own choice: the
 * first maximum), one byte per neuron of layer @pool_layer − 1 (g_free), their count in
 * *@n_winners. NULL when @pool_layer is not a pool layer after another layer. */
guint8 *bp_backprop_conv_winners (const BpTrace *trace,
                                  int            pool_layer,
                                  gsize         *n_winners);

/* ∂C/∂b of conv layer @layer spread over its maps: each neuron of map c gets ∂C/∂b_c (n_out
 * floats, g_free). NULL for another kind of layer. */
float *bp_backprop_conv_bias_maps (const BpTrace *trace,
                                   int            layer);

/* The equation's subscript of a map neuron: "c,y,x" with its numbers. */
void bp_backprop_conv_position (const BpTraceLayer *tl,
                                guint               neuron,
                                guint              *channel,
                                guint              *y,
                                guint              *x);

G_END_DECLS
