/* bp-layer-maps.h — a network's conv and pool layers for one input, as BpFeatureMaps shows them
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The numbers are the engine's own forward pass (bp_network_forward_layers()), the one that
 * predicts: what the Draw view's feature maps show is what the network computed.
 */
#pragma once

#include <glib.h>

#include "bp-feature-maps.h"
#include "bp-network.h"

G_BEGIN_DECLS

typedef struct
{
  guint              n_layers;                 /* the conv and pool layers, in order */
  BpFeatureMapsLayer layers[BP_MAX_LAYERS];    /* views of the buffers below */
  gsize              net_layer[BP_MAX_LAYERS]; /* each one's index among the network's layers */
  float             *buffer;                   /* every layer's activations */
  char              *captions[BP_MAX_LAYERS];
  char              *names[BP_MAX_LAYERS];
} BpLayerMaps;

/* Every layer's activations for @x: @a[l] points into the returned buffer (free it with g_free)
 * at layer l's net->layers[l].n_out outputs, as bp_network_forward_layers() computes them. */
float *bp_layer_maps_forward (const BpNetwork *net,
                              const float     *x,
                              float           *a[BP_MAX_LAYERS]);

/* Take @x (net->n_inputs floats) through @net and keep every conv and pool layer's output in
 * @maps (cleared first; n_layers 0 for a network without them). Returns n_layers. */
guint bp_layer_maps_compute (BpLayerMaps     *maps,
                             const BpNetwork *net,
                             const float     *x);

/* "Layer 2, convolution: 20 filters of 5×5 → 20 maps of 24×24", the book's numbering (the
 * input is layer 1): the caption of network layer @i (a conv or pool layer). */
char *bp_layer_maps_caption (const BpNetwork *net,
                             gsize            i);

void bp_layer_maps_clear (BpLayerMaps *maps);

G_END_DECLS
