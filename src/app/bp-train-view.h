/* bp-train-view.h — the Train view: progress, speed, and the live accuracy and cost curves
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "bp-plot.h"
#include "bp-session.h"
#include "bp-view.h"

G_BEGIN_DECLS

#define BP_TYPE_TRAIN_VIEW (bp_train_view_get_type ())
G_DECLARE_FINAL_TYPE (BpTrainView, bp_train_view, BP, TRAIN_VIEW, BpView)

/* Keep the curves drawn so far, dimmed, beside those of the runs to come: the session's
 * bp_session_pin_run() and bp_session_clear_pins(), which the view draws. */
void       bp_train_view_pin_run (BpTrainView *self);
void       bp_train_view_clear_pins (BpTrainView *self);
/* The two charts, for exporting them as pictures. */
BpPlot    *bp_train_view_get_accuracy_plot (BpTrainView *self);
BpPlot    *bp_train_view_get_cost_plot (BpTrainView *self);
/* The speed of learning of each hidden layer, shown when the history has one. */
BpPlot    *bp_train_view_get_speed_plot (BpTrainView *self);

/* Signal "pins-changed" (guint n_pins, const char *label): the pinned runs changed, and there are
 * now @n_pins; @label is the run just pinned by bp_train_view_pin_run() (NULL when the pins were
 * cleared or came from a session file). */

G_END_DECLS
