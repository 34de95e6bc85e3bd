/* bp-session-load.h — reading MNIST for a session, in a GTask's thread
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "bp-dataset.h"

G_BEGIN_DECLS

/* A task that reads the MNIST files of @dir (NULL: bp_mnist_find_dir()'s folder) into a
 * BpMnist, which g_task_propagate_pointer() hands over (free it with g_free() once its contents
 * are taken; bp_mnist_clear() them when they are not). Errors are G_IO_ERROR_NOT_FOUND for
 * missing files, G_IO_ERROR_INVALID_DATA for others. The caller sets the source tag. */
GTask      *bp_session_load_task_new     (gpointer             source_object,
                                          const char          *dir,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
/* Start reading, in a thread. */
void        bp_session_load_task_run     (GTask               *task);
/* The folder the task reads. */
const char *bp_session_load_task_get_dir (GTask               *task);

G_END_DECLS
