/* bp-file-kind.h — what a file handed to the app is: a PNG picture, a model or a session
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  BP_FILE_KIND_PNG,
  BP_FILE_KIND_MODEL,
  BP_FILE_KIND_SESSION,
} BpFileKind;

/* Find what @path holds with the readers the command line uses, checking it whole: only a
 * regular file is opened (a FIFO fails at once, a device is never read); a PNG is decoded; a
 * model is refused beyond BP_MODEL_MAX_FILE_BYTES or the memory limit, and its nesting and
 * characters are checked by the model reader before json-glib sees a byte; a session is a model
 * with the session member. Blocking: for a worker thread. @name names the file in messages.
 * FALSE with a G_IO_ERROR (INVALID_DATA when it is none of the three, FAILED when it cannot be
 * read) whose message is a sentence for a dialog. */
gboolean bp_file_kind_detect (const char  *path,
                              const char  *name,
                              BpFileKind  *kind,
                              GError     **error);

G_END_DECLS
