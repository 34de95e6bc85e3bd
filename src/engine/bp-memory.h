/* bp-memory.h — how much memory a program may plan on, and estimates checked against it
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Before anything large is allocated from outside input (a network's parameters and training
 * buffers, an IDX payload, a model file's text), its size is estimated and compared with one
 * limit, so that too much is refused with a message naming both sizes rather than ending in an
 * abort, the kernel's OOM killer or hours of swapping. The limit is the smallest of:
 *   - 3/4 of the machine's physical memory (sysconf (_SC_PHYS_PAGES));
 *   - the cgroup's memory.max (a container's or a systemd unit's limit);
 *   - the soft RLIMIT_AS and RLIMIT_DATA (ulimit -v, ulimit -d), less 256 MiB for the program
 *     itself (its code, libraries, stacks and small allocations);
 *   - $BACKPROP_MEMORY_LIMIT, in bytes with an optional K, M or G suffix (powers of 1024), for
 *     tests and for people who want to keep memory for other work. It can only lower the limit.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bp-error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct
{
  uint64_t bytes;    /* the limit */
  char     why[128]; /* where it comes from: "3/4 of the 23.5 GiB of physical memory" */
} BpMemoryLimit;

/* The limit as it stands now (it follows ulimit and the environment, so it is not cached). */
void bp_memory_limit (BpMemoryLimit *limit);

/* Whether @bytes fit in the limit. If not, sets @error to BP_ERROR_NOMEM with
 * "@what needs 17.4 GiB, more than the 5.6 GiB limit (3/4 of the 7.5 GiB of physical memory)"
 * and returns false. */
bool bp_memory_check (uint64_t    bytes,
                      const char *what,
                      BpError    *error);

/* A size for messages: "300 bytes", "64 KiB", "1.5 GiB". */
void bp_memory_format (uint64_t bytes,
                       char    *buf,
                       size_t   buf_size);

#ifdef __cplusplus
}
#endif
