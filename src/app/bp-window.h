/* bp-window.h — the main window: header bar, views, data pages, the train.* actions
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "bp-session.h"

G_BEGIN_DECLS

#define BP_TYPE_WINDOW (bp_window_get_type ())
G_DECLARE_FINAL_TYPE (BpWindow, bp_window, BP, WINDOW, AdwApplicationWindow)

BpWindow  *bp_window_new (GtkApplication *application);
BpSession *bp_window_get_session (BpWindow *self);
/* Open a model, a session file or a PNG picture (see bp-window-files.c); a failure is shown in a
 * dialog. While MNIST loads, the file waits for it. */
void       bp_window_open_file (BpWindow *self,
                                GFile    *file);
/* Print the test mode's frame-stats line for this window (once). */
void       bp_window_print_frame_stats (BpWindow *self);

G_END_DECLS
