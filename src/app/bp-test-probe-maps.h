/* bp-test-probe-maps.h — the test mode's lines about a conv net's maps (feature-maps,
 * backprop-maps), for bp-test-probe.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "bp-backprop-view.h"
#include "bp-draw-view.h"
#include "bp-network-columns.h"

G_BEGIN_DECLS

/* "feature-maps N CxHxW:SUM …" for the Draw view's feature maps, when it shows some. */
void bp_test_probe_feature_maps (BpDrawView *view);

/* "backprop-maps …" for each map column of the Backprop view at a forward or backward step
 * (@kind) of trace layer @layer. */
void bp_test_probe_backprop_maps (BpBackpropView     *view,
                                  BpBackpropStepKind  kind,
                                  int                 layer);

/* Where a conv net's first map of its first layer is (the columns' coordinates), as a whole: a
 * target that a pixel's shift does not miss. FALSE when the first layer is not maps. */
gboolean bp_test_probe_first_map (BpNetworkColumns *columns,
                                  graphene_rect_t  *rect);

G_END_DECLS
