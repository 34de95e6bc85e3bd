/* bp-layer-pictures.h — a layer's weights as pictures: a dense first layer's neurons as images
 * of the input, a conv layer's filters as strips of their slices
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the Weights view and the neuron/filter dialog draw, without GTK, so that it is tested
 * without a display.
 */
#pragma once

#include <glib.h>

#include "bp-network.h"

G_BEGIN_DECLS

/* Whether layer @layer of @net is shown as pictures: a conv layer, or the first layer when it
 * is dense (its neurons' weights are images of the input). */
gboolean bp_layer_pictures_shown (const BpNetwork *net,
                                  guint            layer);

/* The pictures of layer @layer of @net: @n_pictures of @rows × @cols floats each, row-major, one
 * after the other. A dense layer's neurons' incoming weights as @image_rows × @image_cols images
 * (their product must be the layer's inputs); a conv layer's filters, each a strip of k rows:
 * its slice for each input channel (k × k) side by side, a column of NaN (a gap) between two
 * slices, so k × (C_in·(k + 1) − 1). NULL when the layer is not shown as pictures. Free with
 * g_free(). */
float *bp_layer_pictures_new (const BpNetwork *net,
                              guint            layer,
                              guint            image_rows,
                              guint            image_cols,
                              guint           *n_pictures,
                              guint           *rows,
                              guint           *cols);

/* Filter @filter of conv layer @layer of @net as text: for each input channel its k rows of k
 * weights ("+0.123  −0.045 …", a true minus sign, 3 decimals), channels after a line naming
 * them when there are several. */
char *bp_layer_pictures_filter_text (const BpNetwork *net,
                                     guint            layer,
                                     guint            filter);

/* The layer's token in the text form of layer lists: "conv20x5", "pool2", "fc100". */
char *bp_layer_pictures_token (const BpArch *arch,
                               guint         layer);

/* A network's name for a learner: its sizes ("784-30-10") for a network2.py-style one, its
 * layers' tokens otherwise ("conv20x5-pool2-fc100-softmax10"), not the sizes of its maps. */
char *bp_layer_pictures_arch_label (const BpArch *arch);

G_END_DECLS
