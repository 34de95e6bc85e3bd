/* bp-view-focus.h — whether a view just shown may take the keyboard focus
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A view the user shows (Alt+2, the view switcher, a click that opens a digit or a neuron)
 * puts the keyboard on its main widget, so that the arrow keys work at once rather than after
 * a walk with Tab through the controls. It does not when the focus is in the view already,
 * and never takes it from a text field the user is typing in (a layer list, a spin button).
 *
 * The views decide when they are mapped, where the focus still is where the user left it, and
 * grab then and again at the next frame: when the focus was in the page going away, the view
 * stack moves it into the new page after mapping it, to a widget of its own choosing (the
 * Draw view's guess rather than its pad).
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

static inline gboolean
bp_view_may_take_focus (GtkWidget *view)
{
  GtkRoot *root = gtk_widget_get_root (view);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  if (focus == NULL)
    return TRUE;
  if (focus == view || gtk_widget_is_ancestor (focus, view))
    return FALSE;
  return !GTK_IS_EDITABLE (focus) && !GTK_IS_TEXT_VIEW (focus);
}

G_END_DECLS
