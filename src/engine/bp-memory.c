/* bp-memory.c — how much memory a program may plan on, and estimates checked against it
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-memory.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* What the program needs besides its large buffers, taken off the rlimits. */
#define PROGRAM_RESERVE ((uint64_t) 256 << 20)

void
bp_memory_format (uint64_t bytes,
                  char    *buf,
                  size_t   buf_size)
{
  static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
  double value = (double) bytes;
  int unit = -1;

  if (bytes < 1024)
    {
      snprintf (buf, buf_size, "%llu bytes", (unsigned long long) bytes);
      return;
    }
  while (value >= 1024.0 && unit < 5)
    {
      value /= 1024.0;
      unit++;
    }
  /* One decimal, but none on a round number ("256 MiB", not "256.0 MiB"). */
  if (value - (double) (uint64_t) value < 0.05)
    snprintf (buf, buf_size, "%.0f %s", value, units[unit]);
  else
    snprintf (buf, buf_size, "%.1f %s", value, units[unit]);
}

/* A cgroup's limit file: a number of bytes, or "max". Returns 0 when there is none. */
static uint64_t
read_cgroup_limit (const char *path)
{
  char buf[64];
  ssize_t n;
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  unsigned long long value;
  char *end;

  if (fd < 0)
    return 0;
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return 0;
  buf[n] = '\0';
  errno = 0;
  value = strtoull (buf, &end, 10);
  if (end == buf || errno != 0)
    return 0;
  return value;
}

/* $BACKPROP_MEMORY_LIMIT: bytes, or K, M, G. 0 when unset or unreadable. */
static uint64_t
read_env_limit (void)
{
  const char *text = getenv ("BACKPROP_MEMORY_LIMIT");
  unsigned long long value;
  char *end;
  int shift = 0;

  if (text == NULL || *text == '\0')
    return 0;
  errno = 0;
  value = strtoull (text, &end, 10);
  if (end == text || errno != 0)
    return 0;
  switch (toupper ((unsigned char) *end))
    {
    case 'K':
      shift = 10;
      break;
    case 'M':
      shift = 20;
      break;
    case 'G':
      shift = 30;
      break;
    default:
      break;
    }
  if (value > UINT64_MAX >> shift)
    return 0;
  return (uint64_t) value << shift;
}

static void
take (BpMemoryLimit *limit,
      uint64_t       bytes,
      const char    *why)
{
  if (bytes > 0 && bytes < limit->bytes)
    {
      limit->bytes = bytes;
      snprintf (limit->why, sizeof limit->why, "%s", why);
    }
}

void
bp_memory_limit (BpMemoryLimit *limit)
{
  static const struct
  {
    int         resource;
    const char *name;
  } rlimits[] = {
    { RLIMIT_AS, "RLIMIT_AS (ulimit -v)" },
    { RLIMIT_DATA, "RLIMIT_DATA (ulimit -d)" },
  };
  long pages = sysconf (_SC_PHYS_PAGES);
  long page_size = sysconf (_SC_PAGESIZE);
  char size[32], why[128];
  uint64_t bytes;

  limit->bytes = UINT64_MAX;
  snprintf (limit->why, sizeof limit->why, "no limit known");

  if (pages > 0 && page_size > 0)
    {
      bytes = (uint64_t) pages * (uint64_t) page_size;
      bp_memory_format (bytes, size, sizeof size);
      snprintf (why, sizeof why, "3/4 of the %s of physical memory", size);
      take (limit, bytes / 4 * 3, why);
    }

  bytes = read_cgroup_limit ("/sys/fs/cgroup/memory.max");
  if (bytes == 0)
    bytes = read_cgroup_limit ("/sys/fs/cgroup/memory/memory.limit_in_bytes");
  if (bytes > 0)
    {
      bp_memory_format (bytes, size, sizeof size);
      snprintf (why, sizeof why, "the cgroup's memory limit of %s", size);
      take (limit, bytes, why);
    }

  for (size_t i = 0; i < sizeof rlimits / sizeof rlimits[0]; i++)
    {
      struct rlimit rl;

      if (getrlimit (rlimits[i].resource, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        continue;
      bytes = (uint64_t) rl.rlim_cur;
      bp_memory_format (bytes, size, sizeof size);
      snprintf (why, sizeof why, "%s of %s, less 256 MiB for the program", rlimits[i].name, size);
      take (limit, bytes > 2 * PROGRAM_RESERVE ? bytes - PROGRAM_RESERVE : bytes / 2, why);
    }

  bytes = read_env_limit ();
  if (bytes > 0)
    {
      bp_memory_format (bytes, size, sizeof size);
      snprintf (why, sizeof why, "BACKPROP_MEMORY_LIMIT=%s", size);
      take (limit, bytes, why);
    }
}

bool
bp_memory_check (uint64_t    bytes,
                 const char *what,
                 BpError    *error)
{
  BpMemoryLimit limit;
  char need[32], have[32];

  bp_memory_limit (&limit);
  if (bytes <= limit.bytes)
    return true;

  bp_memory_format (bytes, need, sizeof need);
  bp_memory_format (limit.bytes, have, sizeof have);
  /* Just over the limit, both may round to the same text: then say the bytes. */
  if (strcmp (need, have) == 0)
    {
      snprintf (need, sizeof need, "%llu bytes", (unsigned long long) bytes);
      snprintf (have, sizeof have, "%llu-byte", (unsigned long long) limit.bytes);
    }
  return bp_error_set (error, BP_ERROR_NOMEM, "%s needs %s, more than the %s limit (%s)",
                       what, need, have, limit.why);
}
