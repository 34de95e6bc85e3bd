/* bp-file.h — opening outside files for reading, and replacing files atomically (POSIX)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every file a person names goes through here, in every program: the readers (IDX, model files,
 * PNG pictures, session files) and the writers (models, the history CSV, sessions, exports).
 *
 * Reading: only a regular file is opened. A FIFO, a device or a socket is refused before a byte
 * is read, and the open itself never blocks (O_NONBLOCK, cleared once the file is known to be
 * regular), so a named pipe cannot hang a program and /dev/zero cannot fill its memory. Sizes
 * come from fstat() and every read is bounded by the caller's limit.
 *
 * Writing: bp_file_replace() writes the new contents to a temporary file in the target's folder,
 * flushes it to the disk and renames it over the target, so a reader sees the old file or the
 * new one, never half of one; on any failure the temporary file is removed and the target is
 * untouched. A target that is a symbolic link is written through (the link stays, the file it
 * points to is replaced); a target that is not a regular file (a folder, a device, a FIFO, a
 * socket) is refused; an existing file keeps its permission bits (and, where the process may,
 * its owner). The temporary name is short (".NAME.XXXXXX" with NAME cut to 32 bytes), so any
 * target name that is valid is also writable.
 *
 * Failures return false (or −1) with errno set to the reason and, where a BpError is taken, a
 * one-line message that names the file.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "bp-error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a file of @mode is, for messages: "a folder", "a FIFO (named pipe)", "a character
 * device", "a block device", "a socket", "a symbolic link", "a regular file". */
const char *bp_file_type_name (mode_t mode);

/* Open @path for reading. Returns a blocking, close-on-exec file descriptor of a regular file
 * and fills @st (may be NULL) with its fstat(); or −1 when open() or fstat() failed (errno says
 * why), or −2 when @path is not a regular file (@st says what it is; errno is EISDIR for a
 * folder, EINVAL otherwise). Never blocks, not even on a FIFO without a writer. */
int bp_file_open_read (const char  *path,
                       struct stat *st);

/* Read up to @want bytes from @fd, retrying after signals: fewer only at the end of the file.
 * Returns false with errno set on a read error. */
bool bp_file_read_fd (int     fd,
                      void   *buf,
                      size_t  want,
                      size_t *got);

/* The whole of the regular file @path, at most @max_bytes of it, into a malloc'ed buffer with a
 * terminating NUL (not counted in *@len). @what names the kind of file in messages ("a model
 * file"). Errors (BP_ERROR_IO unless said): "PATH: <strerror>" when it cannot be opened,
 * "PATH: is a folder, not WHAT" (and likewise a FIFO, a device, a socket), "PATH: N bytes is
 * too large for WHAT (the limit is L)" (BP_ERROR_FORMAT), "PATH: read error: <strerror>",
 * BP_ERROR_NOMEM. A file that shrinks while it is read gives what there was. */
bool bp_file_read_all (const char *path,
                       size_t      max_bytes,
                       const char *what,
                       char      **data,
                       size_t     *len,
                       BpError    *error);

/* Where writing @path puts the bytes: @path itself, or the file a symbolic link at @path
 * points to (through up to 40 links; a dangling link gives the path it names). Checks that the
 * result is a regular file or does not exist yet, and that its folder exists. Returns a
 * malloc'ed path, or NULL with @error set: "PATH: is a FIFO (named pipe), not a regular file"
 * (BP_ERROR_INVALID for a file of the wrong type, BP_ERROR_IO otherwise) and errno set. */
char *bp_file_resolve_target (const char *path,
                              BpError    *error);

/* Whether @a and @b (either may not exist yet) name the same file once symbolic links are
 * followed: the same inode when both exist, otherwise the same resolved path. */
bool bp_file_same_target (const char *a,
                          const char *b);

/* Replace the contents of @path with @len bytes of @data atomically, as the header says.
 * On failure @path is as it was, no temporary file is left, and @error says
 * "PATH: not saved: <reason>" with errno set to the reason. */
bool bp_file_replace (const char *path,
                      const void *data,
                      size_t      len,
                      BpError    *error);

/* Write @len bytes of @data to @path only if nothing is there yet: the file appears whole or
 * not at all (a temporary file moved into place with RENAME_NOREPLACE, or linked). Returns false
 * with errno EEXIST, and nothing written, when @path exists; other failures as
 * bp_file_replace(). */
bool bp_file_create_new (const char *path,
                         const void *data,
                         size_t      len,
                         BpError    *error);

#ifdef __cplusplus
}
#endif
