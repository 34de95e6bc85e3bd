/* bp-controls.h — the controls panel: network, learning and run settings of a session
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "bp-session.h"

G_BEGIN_DECLS

#define BP_TYPE_CONTROLS (bp_controls_get_type ())
G_DECLARE_FINAL_TYPE (BpControls, bp_controls, BP, CONTROLS, AdwBin)

BpSession *bp_controls_get_session (BpControls *self);
void       bp_controls_set_session (BpControls *self,
                                    BpSession  *session);
/* Show preset @index (bp-presets.h) as the one picked: the session's run was set from it. */
void       bp_controls_show_preset (BpControls *self,
                                    guint       index);

/* Signals: "layers-refused" (const char *message): the layer sizes typed were refused, and the
 * field is marked with @message; "reset-asked": a changed setting asks before replacing a
 * trained network. */

G_END_DECLS
