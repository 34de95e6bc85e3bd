/* bp-save-file.c — the atomic write every file Backprop saves goes through
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine's bp_file_replace() does the work: it writes a short-named temporary file beside
 * the target, fsyncs it and renames it over the target, and unlinks the temporary file when a
 * write, the fsync or the rename fails. A symbolic link is written through, an existing file
 * keeps its mode (a new one gets 0666 less the umask, as fopen() would give it), and a target
 * that is not a regular file (a device, a FIFO, a socket, a folder) is refused.
 */
#include "config.h"

#include "bp-save-file.h"

#include <glib.h>

#include "bp-file.h"

bool
bp_save_file (const char *path,
              const void *data,
              size_t      len,
              BpError    *error)
{
  g_assert (path != NULL);
  g_assert (data != NULL || len == 0);

  return bp_file_replace (path, data, len, error);
}
