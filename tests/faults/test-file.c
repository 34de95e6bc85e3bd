/* test-file.c — bp-file and bp-memory: what every reader and writer of the programs relies on
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Reading refuses what is not a regular file without blocking; replacing follows symbolic
 * links, keeps modes, refuses devices and FIFOs and leaves no temporary file; creating never
 * replaces; the memory limit follows BACKPROP_MEMORY_LIMIT and says why.
 */
#include "config.h"

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "bp-file.h"
#include "bp-memory.h"

static char *
make_dir (void)
{
  char *dir = g_dir_make_tmp ("backprop-file-XXXXXX", NULL);

  g_assert_nonnull (dir);
  return dir;
}

static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_assert_cmpint (g_unlink (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static guint
count_entries (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (g_dir_read_name (d) != NULL)
    n++;
  return n;
}

static char *
contents (const char *path)
{
  char *data = NULL;

  g_assert_true (g_file_get_contents (path, &data, NULL, NULL));
  return data;
}

/* A FIFO with no writer, a folder and a device are refused before a byte is read, at once. */
static void
test_open_read (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *fifo = g_build_filename (dir, "pipe", NULL);
  g_autofree char *file = g_build_filename (dir, "file", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing", NULL);
  BpError error = { 0 };
  struct stat st;
  char *data = NULL;
  size_t len = 0;
  gint64 start;
  int fd;

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  start = g_get_monotonic_time ();
  fd = bp_file_open_read (fifo, &st);
  g_assert_cmpint (fd, ==, -2);
  g_assert_true (S_ISFIFO (st.st_mode));
  g_assert_cmpint (errno, ==, EINVAL);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  g_assert_cmpstr (bp_file_type_name (st.st_mode), ==, "a FIFO (named pipe)");

  g_assert_cmpint (bp_file_open_read (dir, &st), ==, -2);
  g_assert_cmpint (errno, ==, EISDIR);
  g_assert_cmpint (bp_file_open_read ("/dev/zero", &st), ==, -2);
  g_assert_true (S_ISCHR (st.st_mode));
  g_assert_cmpint (bp_file_open_read (missing, &st), ==, -1);
  g_assert_cmpint (errno, ==, ENOENT);

  g_assert_false (bp_file_read_all (fifo, 1024, "a test file", &data, &len, &error));
  g_assert_cmpint (error.code, ==, BP_ERROR_IO);
  g_assert_true (g_str_has_suffix (error.message, "is a FIFO (named pipe), not a test file"));
  g_assert_null (data);

  /* Bounded by the caller's limit, before anything is allocated. */
  g_assert_true (g_file_set_contents (file, "0123456789", -1, NULL));
  g_assert_false (bp_file_read_all (file, 9, "a test file", &data, &len, &error));
  g_assert_cmpint (error.code, ==, BP_ERROR_FORMAT);
  g_assert_nonnull (strstr (error.message, "10 bytes is too large for a test file"));
  g_assert_true (bp_file_read_all (file, 10, "a test file", &data, &len, &error));
  g_assert_cmpuint (len, ==, 10);
  g_assert_cmpstr (data, ==, "0123456789");
  free (data);

  g_assert_cmpint (g_unlink (fifo), ==, 0);
  remove_dir (dir);
}

/* A link is written through, modes are kept, devices and FIFOs refused, nothing left over. */
static void
test_replace (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *real = g_build_filename (dir, "real", NULL);
  g_autofree char *link = g_build_filename (dir, "link", NULL);
  g_autofree char *dangling = g_build_filename (dir, "dangling", NULL);
  g_autofree char *made = g_build_filename (dir, "made", NULL);
  g_autofree char *fifo = g_build_filename (dir, "fifo", NULL);
  g_autofree char *device = g_build_filename (dir, "device", NULL);
  g_autofree char *text = NULL;
  BpError error = { 0 };
  struct stat st;

  g_assert_true (g_file_set_contents (real, "old", -1, NULL));
  g_assert_cmpint (g_chmod (real, 0640), ==, 0);
  g_assert_cmpint (symlink ("real", link), ==, 0);
  g_assert_true (bp_file_replace (link, "new", 3, &error));
  g_assert_cmpint (lstat (link, &st), ==, 0);
  g_assert_true (S_ISLNK (st.st_mode));
  text = contents (real);
  g_assert_cmpstr (text, ==, "new");
  g_assert_cmpint (stat (real, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0640);

  /* A dangling link makes the file it names. */
  g_assert_cmpint (symlink ("made", dangling), ==, 0);
  g_assert_true (bp_file_replace (dangling, "x", 1, &error));
  g_assert_true (g_file_test (made, G_FILE_TEST_IS_REGULAR));

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_assert_false (bp_file_replace (fifo, "x", 1, &error));
  g_assert_cmpint (error.code, ==, BP_ERROR_IO);
  g_assert_nonnull (strstr (error.message, "not saved: it is a FIFO (named pipe)"));
  g_assert_cmpint (lstat (fifo, &st), ==, 0);
  g_assert_true (S_ISFIFO (st.st_mode));
  /* A device of the test's own (a broken refusal must not replace the system's /dev/null). */
  if (mknod (device, S_IFCHR | 0600, makedev (1, 3)) == 0)
    {
      g_assert_false (bp_file_replace (device, "x", 1, &error));
      g_assert_nonnull (strstr (error.message, "a character device"));
      g_assert_cmpint (lstat (device, &st), ==, 0);
      g_assert_true (S_ISCHR (st.st_mode));
      g_assert_cmpint (g_unlink (device), ==, 0);
    }

  g_clear_pointer (&text, g_free);
  g_assert_null (bp_file_resolve_target (fifo, &error));
  g_assert_cmpint (error.code, ==, BP_ERROR_INVALID);
  text = bp_file_resolve_target (link, &error);
  g_assert_cmpstr (text, ==, real);
  free (g_steal_pointer (&text));

  /* real, link, dangling, made, fifo: no temporary file beside them. */
  g_assert_cmpuint (count_entries (dir), ==, 5);
  remove_dir (dir);
}

/* The longest name a file may have saves, and a failed write leaves the old file and no
 * temporary one. */
static void
test_replace_long_name_and_failure (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *name = g_strnfill (255, 'n');
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *text = NULL;
  struct rlimit saved, limited;
  void (*saved_handler) (int);
  BpError error = { 0 };
  bool ok;

  g_assert_true (bp_file_replace (path, "old", 3, &error));
  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  limited = saved;
  limited.rlim_cur = 4;
  saved_handler = signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limited), ==, 0);
  ok = bp_file_replace (path, "longer than four", 16, &error);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  signal (SIGXFSZ, saved_handler);
  g_assert_false (ok);
  g_assert_true (g_str_has_suffix (error.message, g_strerror (EFBIG)));
  text = contents (path);
  g_assert_cmpstr (text, ==, "old");
  g_assert_cmpuint (count_entries (dir), ==, 1);
  remove_dir (dir);
}

/* A file that exists (or a link, even dangling) is never replaced by bp_file_create_new(). */
static void
test_create_new (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "picture.png", NULL);
  g_autofree char *link = g_build_filename (dir, "link.png", NULL);
  g_autofree char *text = NULL;
  BpError error = { 0 };

  g_assert_true (bp_file_create_new (path, "first", 5, &error));
  g_assert_false (bp_file_create_new (path, "second", 6, &error));
  g_assert_cmpint (errno, ==, EEXIST);
  text = contents (path);
  g_assert_cmpstr (text, ==, "first");
  g_assert_cmpint (symlink ("nowhere", link), ==, 0);
  g_assert_false (bp_file_create_new (link, "x", 1, &error));
  g_assert_cmpint (errno, ==, EEXIST);
  g_assert_cmpuint (count_entries (dir), ==, 2);
  remove_dir (dir);
}

/* Two names of one file: through a link, a hard link, "." and "..". */
static void
test_same_target (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *a = g_build_filename (dir, "a", NULL);
  g_autofree char *b = g_build_filename (dir, "b", NULL);
  g_autofree char *hard = g_build_filename (dir, "hard", NULL);
  g_autofree char *soft = g_build_filename (dir, "soft", NULL);
  g_autofree char *dotted = g_strdup_printf ("%s/./a", dir);
  g_autofree char *base = g_path_get_basename (dir);
  g_autofree char *up = g_strdup_printf ("%s/../%s/new", dir, base);
  g_autofree char *new_path = g_build_filename (dir, "new", NULL);

  g_assert_true (g_file_set_contents (a, "a", -1, NULL));
  g_assert_cmpint (link (a, hard), ==, 0);
  g_assert_cmpint (symlink ("a", soft), ==, 0);
  g_assert_true (bp_file_same_target (a, hard));
  g_assert_true (bp_file_same_target (a, soft));
  g_assert_true (bp_file_same_target (a, dotted));
  g_assert_true (bp_file_same_target (new_path, up));
  g_assert_false (bp_file_same_target (a, b));
  g_assert_false (bp_file_same_target (a, new_path));
  remove_dir (dir);
}

/* BACKPROP_MEMORY_LIMIT lowers the limit, and a refusal names both sizes and why. */
static void
test_memory_limit (void)
{
  BpMemoryLimit limit;
  BpError error = { 0 };
  char size[32];

  g_setenv ("BACKPROP_MEMORY_LIMIT", "64M", TRUE);
  bp_memory_limit (&limit);
  g_assert_cmpuint (limit.bytes, ==, 64u << 20);
  g_assert_cmpstr (limit.why, ==, "BACKPROP_MEMORY_LIMIT=64 MiB");
  g_assert_true (bp_memory_check (64u << 20, "this", &error));
  g_assert_false (bp_memory_check (100u << 20, "reading this", &error));
  g_assert_cmpint (error.code, ==, BP_ERROR_NOMEM);
  g_assert_cmpstr (error.message, ==, "reading this needs 100 MiB, more than the 64 MiB limit "
                                      "(BACKPROP_MEMORY_LIMIT=64 MiB)");
  g_assert_false (bp_memory_check ((64u << 20) + 1, "x", &error));
  g_assert_nonnull (strstr (error.message, "67108865 bytes, more than the 67108864-byte limit"));

  /* It only lowers: a limit above the machine's changes nothing. */
  g_setenv ("BACKPROP_MEMORY_LIMIT", "1000000G", TRUE);
  bp_memory_limit (&limit);
  g_assert_cmpuint (limit.bytes, <, (guint64) 1000000 << 30);
  g_unsetenv ("BACKPROP_MEMORY_LIMIT");

  bp_memory_format (300, size, sizeof size);
  g_assert_cmpstr (size, ==, "300 bytes");
  bp_memory_format ((guint64) 3 << 29, size, sizeof size);
  g_assert_cmpstr (size, ==, "1.5 GiB");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/file/open-read", test_open_read);
  g_test_add_func ("/file/replace", test_replace);
  g_test_add_func ("/file/replace-long-name-and-failure", test_replace_long_name_and_failure);
  g_test_add_func ("/file/create-new", test_create_new);
  g_test_add_func ("/file/same-target", test_same_target);
  g_test_add_func ("/file/memory-limit", test_memory_limit);
  return g_test_run ();
}
