/* bp-mistakes-view.h — the Mistakes view: the test set's confusion matrix and its misread digits
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "bp-view.h"

G_BEGIN_DECLS

#define BP_TYPE_MISTAKES_VIEW (bp_mistakes_view_get_type ())
G_DECLARE_FINAL_TYPE (BpMistakesView, bp_mistakes_view, BP, MISTAKES_VIEW, BpView)

/* Signal "test-image-activated" (guint index): a click on a digit of the gallery; @index is in
 * the session's test set. */

G_END_DECLS
