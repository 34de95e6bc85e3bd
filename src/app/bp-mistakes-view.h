/* bp-mistakes-view.h — the Mistakes view: the test set's confusion matrix and its misread digits
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "bp-view.h"

G_BEGIN_DECLS

#define BP_TYPE_MISTAKES_VIEW (bp_mistakes_view_get_type ())
G_DECLARE_FINAL_TYPE (BpMistakesView, bp_mistakes_view, BP, MISTAKES_VIEW, BpView)

/* The most confident mistake of the last classification of the test set: its true digit and
 * the network's answer. FALSE when there is none (not classified yet, or no mistakes). */
gboolean bp_mistakes_view_get_top_mistake (BpMistakesView *self,
                                           guint          *label,
                                           guint          *predicted);

/* Signals:
 * "test-image-activated" (guint index): a click on a digit of the gallery; @index is in the
 * session's test set;
 * "test-set-classified" (guint n_mistakes, double accuracy): the test set was classified and
 * the results are shown. */

G_END_DECLS
