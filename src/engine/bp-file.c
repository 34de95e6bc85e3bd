/* bp-file.c — opening outside files for reading, and replacing files atomically (POSIX)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "bp-memory.h"

/* How many symbolic links a target may go through, as the kernel allows (MAXSYMLINKS). */
#define MAX_LINKS 40
/* The part of the target's name the temporary file keeps, so that one left by a crash says
 * whose it was; short enough that ".NAME.XXXXXX" always fits in NAME_MAX. */
#define TEMP_STEM_MAX 32
#define TEMP_TRIES    100

const char *
bp_file_type_name (mode_t mode)
{
  if (S_ISREG (mode))
    return "a regular file";
  if (S_ISDIR (mode))
    return "a folder";
  if (S_ISFIFO (mode))
    return "a FIFO (named pipe)";
  if (S_ISCHR (mode))
    return "a character device";
  if (S_ISBLK (mode))
    return "a block device";
  if (S_ISSOCK (mode))
    return "a socket";
  if (S_ISLNK (mode))
    return "a symbolic link";
  return "not a regular file";
}

/* ── Reading ──────────────────────────────────────────────────────────────────────────────── */

int
bp_file_open_read (const char  *path,
                   struct stat *st)
{
  struct stat info;
  int fd, flags;

  /* Look before opening: opening a device can have effects of its own (a tape rewinds, a
   * terminal becomes the controlling one), so a path that is not a regular file is never
   * opened at all. */
  if (stat (path, &info) != 0)
    return -1;
  if (!S_ISREG (info.st_mode))
    goto not_regular;

  /* The file may have been replaced since: O_NONBLOCK keeps a FIFO put there from blocking the
   * open, and fstat() then judges what was really opened. */
  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0)
    return -1;
  if (fstat (fd, &info) != 0)
    {
      int errsv = errno;

      close (fd);
      errno = errsv;
      return -1;
    }
  if (!S_ISREG (info.st_mode))
    {
      close (fd);
      goto not_regular;
    }
  /* Reads of a regular file never block anyway; cleared so the descriptor behaves as usual. */
  flags = fcntl (fd, F_GETFL);
  if (flags >= 0)
    fcntl (fd, F_SETFL, flags & ~O_NONBLOCK);
  if (st != NULL)
    *st = info;
  return fd;

not_regular:
  if (st != NULL)
    *st = info;
  errno = S_ISDIR (info.st_mode) ? EISDIR : EINVAL;
  return -2;
}

bool
bp_file_read_fd (int     fd,
                 void   *buf,
                 size_t  want,
                 size_t *got)
{
  size_t done = 0;

  while (done < want)
    {
      ssize_t n = read (fd, (char *) buf + done, want - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          *got = done;
          return false;
        }
      if (n == 0)
        break;
      done += (size_t) n;
    }
  *got = done;
  return true;
}

bool
bp_file_read_all (const char *path,
                  size_t      max_bytes,
                  const char *what,
                  char      **data,
                  size_t     *len,
                  BpError    *error)
{
  struct stat st;
  char *buf;
  size_t size, got;
  int fd, errsv;

  *data = NULL;
  *len = 0;

  fd = bp_file_open_read (path, &st);
  if (fd == -2)
    return bp_error_set (error, BP_ERROR_IO, "%s: is %s, not %s",
                         path, bp_file_type_name (st.st_mode), what);
  if (fd < 0)
    return bp_error_set (error, BP_ERROR_IO, "%s: %s", path, strerror (errno));

  if ((uint64_t) st.st_size > max_bytes)
    {
      char limit[32];

      close (fd);
      bp_memory_format (max_bytes, limit, sizeof limit);
      errno = EFBIG;
      return bp_error_set (error, BP_ERROR_FORMAT, "%s: %jd bytes is too large for %s (the limit "
                           "is %s)", path, (intmax_t) st.st_size, what, limit);
    }

  size = (size_t) st.st_size;
  {
    char *reading = malloc (strlen (path) + sizeof "reading ");

    if (reading != NULL)
      sprintf (reading, "reading %s", path);
    if (!bp_memory_check (size, reading != NULL ? reading : path, error))
      {
        free (reading);
        close (fd);
        errno = ENOMEM;
        return false;
      }
    free (reading);
  }
  buf = malloc (size + 1);
  if (buf == NULL)
    {
      close (fd);
      errno = ENOMEM;
      return bp_error_set (error, BP_ERROR_NOMEM, "%s: out of memory for its %zu bytes", path, size);
    }
  if (!bp_file_read_fd (fd, buf, size, &got))
    {
      errsv = errno;
      free (buf);
      close (fd);
      errno = errsv;
      return bp_error_set (error, BP_ERROR_IO, "%s: read error: %s", path, strerror (errsv));
    }
  close (fd);

  buf[got] = '\0';
  *data = buf;
  *len = got;
  return true;
}

/* ── Where a write goes ───────────────────────────────────────────────────────────────────── */

/* The folder part of @path ("." for a bare name), newly allocated. */
static char *
dir_name (const char *path)
{
  const char *slash = strrchr (path, '/');
  char *dir;

  if (slash == NULL)
    return strdup (".");
  while (slash > path && slash[-1] == '/')
    slash--;
  if (slash == path)
    return strdup ("/");
  dir = malloc ((size_t) (slash - path) + 1);
  if (dir != NULL)
    {
      memcpy (dir, path, (size_t) (slash - path));
      dir[slash - path] = '\0';
    }
  return dir;
}

static const char *
base_name (const char *path)
{
  const char *slash = strrchr (path, '/');

  return slash != NULL ? slash + 1 : path;
}

/* Follow @path through symbolic links to the file a write would replace. Returns it (malloc'ed),
 * with @st filled and @exists set when it exists; NULL with errno set when a link cannot be
 * read or leads too far. The type is not judged here. */
static char *
resolve (const char  *path,
         struct stat *st,
         bool        *exists)
{
  char *current = strdup (path);

  *exists = false;
  for (int hops = 0; current != NULL; hops++)
    {
      char link[PATH_MAX];
      char *next, *dir;
      ssize_t n;

      if (lstat (current, st) != 0)
        {
          if (errno == ENOENT)
            return current;
          break;
        }
      if (!S_ISLNK (st->st_mode))
        {
          *exists = true;
          return current;
        }
      if (hops == MAX_LINKS)
        {
          errno = ELOOP;
          break;
        }
      n = readlink (current, link, sizeof link - 1);
      if (n < 0)
        break;
      link[n] = '\0';
      if (link[0] == '/')
        next = strdup (link);
      else
        {
          dir = dir_name (current);
          next = dir != NULL ? malloc (strlen (dir) + 1 + (size_t) n + 1) : NULL;
          if (next != NULL)
            sprintf (next, "%s/%s", dir, link);
          free (dir);
        }
      free (current);
      current = next;
    }

  {
    int errsv = current == NULL ? ENOMEM : errno;

    free (current);
    errno = errsv;
  }
  return NULL;
}

char *
bp_file_resolve_target (const char *path,
                        BpError    *error)
{
  struct stat st;
  bool exists;
  char *target = resolve (path, &st, &exists);

  if (target == NULL)
    {
      bp_error_set (error, BP_ERROR_IO, "%s: %s", path, strerror (errno));
      return NULL;
    }
  if (exists && !S_ISREG (st.st_mode))
    {
      bp_error_set (error, BP_ERROR_INVALID, "%s: is %s, not a regular file",
                    path, bp_file_type_name (st.st_mode));
      free (target);
      errno = S_ISDIR (st.st_mode) ? EISDIR : EINVAL;
      return NULL;
    }
  return target;
}

/* @path made absolute and free of "." and ".." through its folder, which must exist. */
static char *
canonical (const char *path)
{
  char *dir = dir_name (path);
  char *real = dir != NULL ? realpath (dir, NULL) : NULL;
  const char *base = base_name (path);
  char *result = NULL;

  if (real != NULL)
    {
      result = malloc (strlen (real) + 1 + strlen (base) + 1);
      if (result != NULL)
        sprintf (result, "%s/%s", strcmp (real, "/") == 0 ? "" : real, base);
    }
  free (real);
  free (dir);
  return result != NULL ? result : strdup (path);
}

bool
bp_file_same_target (const char *a,
                     const char *b)
{
  struct stat sa, sb;
  bool ea = false, eb = false, same;
  char *ra = resolve (a, &sa, &ea);
  char *rb = resolve (b, &sb, &eb);

  if (ra != NULL && rb != NULL && ea && eb)
    same = sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
  else
    {
      char *ca = canonical (ra != NULL ? ra : a);
      char *cb = canonical (rb != NULL ? rb : b);

      same = ca != NULL && cb != NULL && strcmp (ca, cb) == 0;
      free (ca);
      free (cb);
    }
  free (ra);
  free (rb);
  return same;
}

/* ── Writing ──────────────────────────────────────────────────────────────────────────────── */

static bool
write_all (int         fd,
           const void *data,
           size_t      len)
{
  const char *p = data;

  while (len > 0)
    {
      ssize_t n = write (fd, p, len > (size_t) SSIZE_MAX ? (size_t) SSIZE_MAX : len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return false;
      p += n;
      len -= (size_t) n;
    }
  return true;
}

/* Six characters for a temporary name, from the kernel's random source (or, should it have
 * none, the clock and the process id): no state is kept between calls. */
static void
random_suffix (char out[7])
{
  static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  unsigned char bytes[6];

  if (getrandom (bytes, sizeof bytes, GRND_NONBLOCK) != (ssize_t) sizeof bytes)
    {
      struct timespec ts;
      uint64_t x;

      clock_gettime (CLOCK_MONOTONIC, &ts);
      x = (uint64_t) ts.tv_nsec * 0x9E3779B97F4A7C15ull ^ (uint64_t) getpid () << 32
          ^ (uint64_t) ts.tv_sec;
      for (int i = 0; i < 6; i++, x >>= 8)
        bytes[i] = (unsigned char) x;
    }
  for (int i = 0; i < 6; i++)
    out[i] = chars[bytes[i] % (sizeof chars - 1)];
  out[6] = '\0';
}

/* Write @data into a new temporary file beside @target, flushed to the disk and closed, with
 * the permissions of @old when it is given (the file being replaced). Returns the temporary
 * file's path (malloc'ed), or NULL with errno set and nothing left behind. */
static char *
write_temporary (const char        *target,
                 const struct stat *old,
                 const void        *data,
                 size_t             len)
{
  char *dir = dir_name (target);
  const char *base = base_name (target);
  size_t stem = strlen (base);
  char *temp = NULL;
  int fd = -1, errsv;

  if (dir == NULL)
    {
      errno = ENOMEM;
      return NULL;
    }
  /* Cut the name at a character's start, so the temporary name is still valid UTF-8. */
  if (stem > TEMP_STEM_MAX)
    {
      stem = TEMP_STEM_MAX;
      while (stem > 0 && ((unsigned char) base[stem] & 0xC0) == 0x80)
        stem--;
    }
  temp = malloc (strlen (dir) + 2 + stem + 8 + 1);
  if (temp == NULL)
    {
      free (dir);
      errno = ENOMEM;
      return NULL;
    }

  for (int tries = 0; tries < TEMP_TRIES; tries++)
    {
      char suffix[7];

      random_suffix (suffix);
      sprintf (temp, "%s/.%.*s.%s", dir, (int) stem, base, suffix);
      /* A new file gets 0666 less the umask, as any program's new file does; a replacement
       * starts private and gets the old file's bits below. */
      fd = open (temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY,
                 old != NULL ? 0600 : 0666);
      if (fd >= 0 || errno != EEXIST)
        break;
    }
  free (dir);
  if (fd < 0)
    {
      errsv = errno;
      free (temp);
      errno = errsv;
      return NULL;
    }

  if (old != NULL)
    {
      /* The owner first (only root, or a group the user is in, may change it; otherwise the
       * new file is simply the writer's): fchown() clears the set-id bits that fchmod() then
       * puts back. */
      if (old->st_uid != geteuid () || old->st_gid != getegid ())
        {
          int refused = fchown (fd, old->st_uid, old->st_gid);

          (void) refused;
        }
      if (fchmod (fd, old->st_mode & 07777) != 0)
        goto failed;
    }
  if (!write_all (fd, data, len) || fsync (fd) != 0)
    goto failed;
  if (close (fd) != 0)
    {
      fd = -1;
      goto failed;
    }
  return temp;

failed:
  errsv = errno;
  if (fd >= 0)
    close (fd);
  unlink (temp);
  free (temp);
  errno = errsv;
  return NULL;
}

/* After a rename, the folder's entry reaches the disk too; a failure here loses nothing that
 * a crash would not, so it is not reported. */
static void
sync_folder (const char *target)
{
  char *dir = dir_name (target);
  int fd = dir != NULL ? open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;

  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }
  free (dir);
}

static bool
not_saved (BpError    *error,
           const char *path,
           int         errsv)
{
  errno = errsv;
  return bp_error_set (error, BP_ERROR_IO, "%s: not saved: %s", path, strerror (errsv));
}

bool
bp_file_replace (const char *path,
                 const void *data,
                 size_t      len,
                 BpError    *error)
{
  struct stat st;
  bool exists;
  char *target, *temp;
  int errsv;

  target = resolve (path, &st, &exists);
  if (target == NULL)
    return not_saved (error, path, errno);
  if (exists && S_ISDIR (st.st_mode))
    {
      free (target);
      return not_saved (error, path, EISDIR);
    }
  if (exists && !S_ISREG (st.st_mode))
    {
      free (target);
      errno = EINVAL;
      return bp_error_set (error, BP_ERROR_IO, "%s: not saved: it is %s, not a regular file",
                           path, bp_file_type_name (st.st_mode));
    }

  temp = write_temporary (target, exists ? &st : NULL, data, len);
  if (temp == NULL)
    {
      errsv = errno;
      free (target);
      return not_saved (error, path, errsv);
    }
  if (rename (temp, target) != 0)
    {
      errsv = errno;
      unlink (temp);
      free (temp);
      free (target);
      return not_saved (error, path, errsv);
    }
  sync_folder (target);
  free (temp);
  free (target);
  return true;
}

bool
bp_file_create_new (const char *path,
                    const void *data,
                    size_t      len,
                    BpError    *error)
{
  struct stat st;
  char *temp;
  int errsv;

  /* Anything at @path counts, a dangling symbolic link too: nothing is written through it. */
  if (lstat (path, &st) == 0)
    {
      errno = EEXIST;
      return bp_error_set (error, BP_ERROR_IO, "%s: not written: the file exists", path);
    }

  temp = write_temporary (path, NULL, data, len);
  if (temp == NULL)
    return not_saved (error, path, errno);

  /* renameat2() moves the file into place unless something is there; file systems without it
   * get the same from a hard link, which fails on an existing name too. */
  if (renameat2 (AT_FDCWD, temp, AT_FDCWD, path, RENAME_NOREPLACE) != 0)
    {
      errsv = errno;
      if ((errsv == EINVAL || errsv == ENOSYS) && link (temp, path) == 0)
        errsv = 0;
      else if (errsv == EINVAL || errsv == ENOSYS)
        errsv = errno;
      unlink (temp);
      if (errsv != 0)
        {
          free (temp);
          if (errsv == EEXIST)
            {
              errno = EEXIST;
              return bp_error_set (error, BP_ERROR_IO, "%s: not written: the file exists", path);
            }
          return not_saved (error, path, errsv);
        }
    }
  sync_folder (path);
  free (temp);
  return true;
}
