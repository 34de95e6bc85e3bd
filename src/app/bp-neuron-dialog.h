/* bp-neuron-dialog.h — one neuron of the first layer, large: its weights, bias and outputs
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "bp-session.h"

G_BEGIN_DECLS

#define BP_TYPE_NEURON_DIALOG (bp_neuron_dialog_get_type ())
G_DECLARE_FINAL_TYPE (BpNeuronDialog, bp_neuron_dialog, BP, NEURON_DIALOG, AdwWindow)

BpNeuronDialog *bp_neuron_dialog_new (GtkWindow *parent,
                                      guint      neuron);
guint           bp_neuron_dialog_get_neuron (BpNeuronDialog *self);
/* Show the neuron as it is in @snapshot (the dialog keeps a reference). */
void            bp_neuron_dialog_set_snapshot (BpNeuronDialog *self,
                                               BpSnapshot     *snapshot,
                                               guint           image_rows,
                                               guint           image_cols);

G_END_DECLS
