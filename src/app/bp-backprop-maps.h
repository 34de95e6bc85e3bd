/* bp-backprop-maps.h — the Backprop view's columns for a conv net: conv and pool layers as maps,
 * their captions, max-pooling's winners
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "bp-backprop-view.h"
#include "bp-network-columns.h"
#include "bp-trace.h"

G_BEGIN_DECLS

/* Conv and pool layers as maps, one picture per channel; dense layers as cells. */
void bp_backprop_maps_set_shapes (BpNetworkColumns *columns,
                                  const BpTrace    *trace);

/* The caption of map layer @tl's column ("a²" then its maps' count and size, or for ∂C/∂b of a
 * pool layer that it has none), or NULL for a dense layer (g_free). */
char *bp_backprop_maps_caption (const BpTraceLayer *tl,
                                const char         *symbol,
                                gboolean            biases);

/* Highlight max-pooling's winners in column @layer when the step (@kind at @step_layer) pools
 * it forward or sends δ back through the pool after it; no highlight otherwise. */
void bp_backprop_maps_highlight (BpNetworkColumns   *columns,
                                 const BpTrace      *trace,
                                 BpBackpropStepKind  kind,
                                 int                 step_layer,
                                 guint               layer);

G_END_DECLS
