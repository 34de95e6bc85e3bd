/* bp-view.h — what the lab's views share: the session they show, its signals, the keyboard
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every view (Train, Weights, Draw, Mistakes, and the views to come) observes one BpSession.
 * BpView holds it as the "session" property with a GSignalGroup of its signals: a view connects
 * its handlers to bp_view_get_session_signals() once, in its init, and they follow the session
 * from then on. When the session changes the class's session_changed() runs, after the
 * signals have moved to the new session and before "notify::session".
 *
 * A view the user shows (Alt+2, the view switcher, a click that opens a digit or a neuron)
 * puts the keyboard on its main widget, so that the arrow keys work at once rather than after
 * a walk with Tab through the controls. It does not when the focus is in the view already,
 * and never takes it from a text field the user is typing in (a layer list, a spin button).
 * The views decide when they are mapped, where the focus still is where the user left it
 * (bp_view_may_take_focus() before chaining up map), and grab then and again at the next frame
 * (bp_view_take_focus()): when the focus was in the page going away, the view stack moves it
 * into the new page after mapping it, to a widget of its own choosing.
 */
#pragma once

#include <adwaita.h>

#include "bp-session.h"

G_BEGIN_DECLS

#define BP_TYPE_VIEW (bp_view_get_type ())
G_DECLARE_DERIVABLE_TYPE (BpView, bp_view, BP, VIEW, AdwBin)

struct _BpViewClass
{
  AdwBinClass parent_class;

  /* The view shows another session (or none): catch up with it. */
  void (*session_changed) (BpView *self);
};

BpSession    *bp_view_get_session (BpView *self);
void          bp_view_set_session (BpView    *self,
                                   BpSession *session);
/* The signals of the view's session (owned by the view), to connect handlers to. */
GSignalGroup *bp_view_get_session_signals (BpView *self);

/* Whether the view may take the keyboard focus now (see above): not when the focus is inside
 * it already or in a text field. */
gboolean      bp_view_may_take_focus (BpView *self);
/* Put the keyboard on @target, now and again at the next frame (not after the view is hidden). */
void          bp_view_take_focus (BpView    *self,
                                  GtkWidget *target);

G_END_DECLS
