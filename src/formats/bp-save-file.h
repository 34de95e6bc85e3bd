/* bp-save-file.h — the atomic write every file Backprop saves goes through
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Model files and ONNX exports share it, so that both fail the same way: the target is either
 * the complete new file or the old one, never half of either.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "bp-error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Write @len bytes of @data to @path through a temporary file in the same folder, flushed to
 * the disk (fsync) and renamed over @path, with bp_file_replace() (which follows a symbolic
 * link, keeps an existing file's mode and refuses a target that is not a regular file). On
 * failure returns false with BP_ERROR_IO and the message "<path>: not saved: <why>"; @path is
 * untouched and no temporary file is left. */
bool bp_save_file (const char *path,
                   const void *data,
                   size_t      len,
                   BpError    *error);

#ifdef __cplusplus
}
#endif
