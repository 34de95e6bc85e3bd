/* bp-test-probe-maps.h — the test mode's lines about a conv net's maps (feature-maps,
 * backprop-maps), for bp-test-probe.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "bp-backprop-view.h"
#include "bp-draw-view.h"

G_BEGIN_DECLS

/* "feature-maps N CxHxW:SUM …" for the Draw view's feature maps, when it shows some. */
void bp_test_probe_feature_maps (BpDrawView *view);

/* "backprop-maps …" for each map column of the Backprop view at a forward or backward step
 * (@kind) of trace layer @layer. */
void bp_test_probe_backprop_maps (BpBackpropView     *view,
                                  BpBackpropStepKind  kind,
                                  int                 layer);

G_END_DECLS
