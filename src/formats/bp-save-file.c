/* bp-save-file.c — the atomic write every file Backprop saves goes through
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * g_file_set_contents_full() does the work: it writes a temporary file beside the target,
 * fsyncs it (DURABLE) and renames it over the target (CONSISTENT), and unlinks the temporary
 * file when a write, the fsync or the rename fails. The file gets mode 0666 less the umask, as
 * fopen() would give a new one.
 */
#include "config.h"

#include "bp-save-file.h"

#include <glib.h>

bool
bp_save_file (const char *path,
              const void *data,
              size_t      len,
              BpError    *error)
{
  g_autoptr(GError) gerror = NULL;

  g_assert (path != NULL);
  g_assert (data != NULL || len == 0);

  if (len > G_MAXSSIZE)
    return bp_error_set (error, BP_ERROR_IO, "%s: not saved: %zu bytes is too large", path, len);
  if (!g_file_set_contents_full (path, data, (gssize) len,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0666, &gerror))
    return bp_error_set (error, BP_ERROR_IO, "%s: not saved: %s", path, gerror->message);
  return true;
}
