/* bp-settings.h — the training settings a session is remembered by between launches
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The network's shape, the learning settings and the epoch count live in GSettings (the keys of
 * io.github.nndl.Backprop from "layers" to "epochs"). GLib only, so that it is tested without
 * a display.
 */
#pragma once

#include <gio/gio.h>

#include "bp-session.h"

G_BEGIN_DECLS

/* Write @session's setup, live hyperparameters and epoch count into @settings. */
void     bp_settings_save_training (GSettings *settings,
                                    BpSession *session);

/* Give @session the setup, hyperparameters and epoch count stored in @settings. A stored value
 * that no longer makes sense (a malformed layer list, a rate out of range, a network that does
 * not fit the data) is not applied: @session keeps its own, and @error says which key was wrong.
 * Returns FALSE then; everything valid is still applied. */
gboolean bp_settings_restore_training (GSettings  *settings,
                                       BpSession  *session,
                                       GError    **error);

G_END_DECLS
