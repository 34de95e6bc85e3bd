/* bp-my-digits-dialog.h — My Digits in the app: the Draw view's Add to My Digits popover and the
 * gallery window that shows, relabels and deletes the stored digits
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "bp-draw-view.h"
#include "bp-my-digits.h"

G_BEGIN_DECLS

#define BP_TYPE_MY_DIGITS_DIALOG (bp_my_digits_dialog_get_type ())
G_DECLARE_FINAL_TYPE (BpMyDigitsDialog, bp_my_digits_dialog, BP, MY_DIGITS_DIALOG, AdwWindow)

/* The gallery of @store's digits, transient for @parent; it follows the store's changes and
 * says how @session's network (bp_default_model_choose(); @session may be NULL) reads each. */
BpMyDigitsDialog *bp_my_digits_dialog_new (GtkWindow  *parent,
                                           BpMyDigits *store,
                                           BpSession  *session);

/* The number of digits the gallery shows. */
guint bp_my_digits_dialog_get_n_digits (BpMyDigitsDialog *self);

/* Fill the Draw view's My Digits menu button with its popover: which digit the drawing is
 * (the guess, until the person picks another), Add, and Show My Digits. */
void bp_my_digits_setup_button (GtkMenuButton *button,
                                BpDrawView    *view);

/* The Draw view's actions: draw.add-to-my-digits (Ctrl+D: opens the popover) and
 * draw.show-my-digits (Shift+Ctrl+D: the gallery). */
void bp_my_digits_install_actions (GtkWidgetClass *widget_class);

G_END_DECLS
