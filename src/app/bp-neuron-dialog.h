/* bp-neuron-dialog.h — one neuron of the first layer, or one filter of a conv layer, large
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "bp-session.h"

G_BEGIN_DECLS

#define BP_TYPE_NEURON_DIALOG (bp_neuron_dialog_get_type ())
G_DECLARE_FINAL_TYPE (BpNeuronDialog, bp_neuron_dialog, BP, NEURON_DIALOG, AdwWindow)

/* The dialog of neuron @neuron of layer 0 (a dense layer), or of filter @neuron of conv layer
 * @layer. */
BpNeuronDialog *bp_neuron_dialog_new (GtkWindow *parent,
                                      guint      layer,
                                      guint      neuron);
guint           bp_neuron_dialog_get_neuron (BpNeuronDialog *self);
/* Show the neuron or filter as it is in @snapshot (the dialog keeps a reference); @image_rows ×
 * @image_cols is the shape of a dense first layer's input. */
void            bp_neuron_dialog_set_snapshot (BpNeuronDialog *self,
                                               BpSnapshot     *snapshot,
                                               guint           image_rows,
                                               guint           image_cols);

G_END_DECLS
