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

/* Property "session" (read-only): the session the window trains and its views show, once its
 * data has loaded (NULL before).
 *
 * Signals: "data-loaded": MNIST loaded and the lab shows; "data-missing": the window shows
 * what is missing and how to get it. What happens to files: "model-opened" (GFile *file,
 * BpSession *session): a model became @session's network (the window's, or without MNIST the
 * solo Draw view's); "session-opened" (GFile *file); "model-saved" (GFile *file);
 * "session-saved" (GFile *file); "plot-exported" (const char *plot: "accuracy" or "cost",
 * GFile *file); "history-exported" (GFile *file, guint n_epochs); "onnx-exported" (GFile
 * *file): the network was exported as ONNX; "file-dialog-shown" (GtkNativeDialog *dialog): a
 * file dialog opened; "files-dropped" (guint n_files);
 * "file-error" (const char *message): opening or saving failed, as the dialog (or toast) says;
 * "replace-asked" (GFile *file, guint n_epochs): opening @file would replace a network trained
 * @n_epochs since its last save, and the window asks first; "replace-answered" (const char
 * *response): "cancel" or "replace". */

G_END_DECLS
