/* bp-backprop-text.h — the Backprop view's words and equations (Pango markup), from a trace
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Layers are numbered as the book numbers them: the input is layer 1, so the trace's layer i
 * (from 0, after the input) is layer i + 2, and the output layer is L. Every number written
 * here is read from the trace; none is computed.
 */
#pragma once

#include <glib.h>

#include "bp-backprop-view.h"
#include "bp-backprop-notation.h"
#include "bp-trace.h"

G_BEGIN_DECLS

/* "Forward: layer 2" and so on, without the step's number. */
char *bp_backprop_text_title (const BpTrace      *trace,
                              BpBackpropStepKind  kind,
                              int                 layer);

/* The step's equation as Pango markup, and the same in words for a screen reader. */
char *bp_backprop_text_equation (const BpTrace      *trace,
                                 BpBackpropStepKind  kind,
                                 int                 layer);
char *bp_backprop_text_equation_words (const BpTrace      *trace,
                                       BpBackpropStepKind  kind,
                                       int                 layer);

/* What the step does, with this example's figures (markup). */
char *bp_backprop_text_explain (const BpTrace      *trace,
                                BpBackpropStepKind  kind,
                                int                 layer,
                                double              eta);

/* Chapter 3's slowdown, when the quadratic cost's δᴸ is tiny because of σ′(zᴸ) on confidently
 * wrong outputs: what it says and what δᴸ would be with cross-entropy (markup); NULL when not. */
char *bp_backprop_text_slowdown (const BpTrace *trace);

/* Neuron @neuron of layer @layer: its weighted input as a sum with its largest terms, its
 * activation, f′(z) and δ (markup), and the same in plain words (*@words, may be NULL). */
char *bp_backprop_text_neuron (const BpTrace *trace,
                               int            layer,
                               guint          neuron,
                               char         **words);

/* "quadratic cost", "cross-entropy cost", "log-likelihood cost", translated. */
const char *bp_backprop_text_cost_name (BpCost cost);

G_END_DECLS
