/* bp-backprop-view.h — the Backprop view: chapter 2's algorithm on one example, step by step
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "bp-trace.h"
#include "bp-view.h"
#include "bp-worker.h"

G_BEGIN_DECLS

#define BP_TYPE_BACKPROP_VIEW (bp_backprop_view_get_type ())
G_DECLARE_FINAL_TYPE (BpBackpropView, bp_backprop_view, BP, BACKPROP_VIEW, BpView)

/* What a step of the walk shows. */
typedef enum
{
  BP_BACKPROP_STEP_INPUT,        /* a¹ = x */
  BP_BACKPROP_STEP_FORWARD,      /* zˡ = wˡaˡ⁻¹ + bˡ, aˡ = σ(zˡ), one layer */
  BP_BACKPROP_STEP_OUTPUT_ERROR, /* BP1 */
  BP_BACKPROP_STEP_BACKWARD,     /* BP2, one layer */
  BP_BACKPROP_STEP_GRADIENT,     /* BP3, BP4 */
  BP_BACKPROP_STEP_UPDATE,       /* one gradient step on this example */
} BpBackpropStepKind;

/* "input", "forward", "output-error", "backward", "gradient", "update": the test mode's words. */
const char *bp_backprop_step_kind_to_string (BpBackpropStepKind kind);

/* The step shown (from 0), the number of steps, and what it shows: its kind and, for a
 * forward or backward step, the trace's layer (from 0, after the input). */
guint              bp_backprop_view_get_step (BpBackpropView *self,
                                              guint          *n_steps,
                                              int            *layer);
BpBackpropStepKind bp_backprop_view_get_step_kind (BpBackpropView *self);

/* The trace shown (its numbers are what the view shows), or NULL before there is an example. */
const BpTrace *bp_backprop_view_get_trace (BpBackpropView *self);

/* The example: "test", "train" or "drawing", and its index in its set (0 for a drawing). */
const char *bp_backprop_view_get_source (BpBackpropView *self,
                                         guint          *index);

/* Give the view the digit on the Draw view's pad (784 floats, MNIST's preprocessing done), which
 * it shows when its example is the drawing; NULL: the pad is empty. */
void bp_backprop_view_set_drawing (BpBackpropView *self,
                                   const float    *x);

/* Show test image @index (as the Mistakes view's gallery asks). */
void bp_backprop_view_show_test_image (BpBackpropView *self,
                                       guint           index);

/* Show the mini-batch that Step → One Mini-Batch took (bp_session_get_last_batch()): its first
 * example, walked through the network as it was before the step, with previous and next to go
 * through the batch. Choosing another example leaves it. */
void bp_backprop_view_show_batch (BpBackpropView *self,
                                  BpMiniBatch    *batch);

/* The mini-batch shown and, in @position, its example shown (from 0); NULL when the view does
 * not show one. */
BpMiniBatch *bp_backprop_view_get_batch (BpBackpropView *self,
                                         guint          *position);

/* Signals:
 * "step-changed": the step shown changed (bp_backprop_view_get_step());
 * "example-changed": a new trace is shown (another example, label, network, or the drawing);
 * "neuron-shown" (int layer, guint neuron): a neuron's own numbers are shown;
 * "gradient-step" (double cost_before, double cost_after): a gradient step was taken;
 * "gradient-step-undone";
 * "gradcheck-done" (gpointer BpGradcheck *): the finite-difference check finished. */

G_END_DECLS
