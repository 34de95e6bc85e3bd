/* test-my-digits.c — BpMyDigits, the user's digits as DIGIT/NNNN.png: add, relabel, delete
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * No display: the store is GIO only. Each case works in a fresh temporary folder.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "bp-my-digits.h"

static guint8 bar[60 * 50];

static char *
file_in (const char *dir,
         const char *digit,
         const char *name)
{
  return g_build_filename (dir, digit, name, NULL);
}

static void
count_cb (gpointer user_data)
{
  (*(guint *) user_data)++;
}

static void
test_add_relabel_delete (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("bp-my-digits-XXXXXX", NULL);
  g_autofree char *dir = g_build_filename (tmp, "my-digits", NULL);
  g_autoptr(BpMyDigits) store = bp_my_digits_new (dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL, *second = NULL, *moved = NULL, *gap = NULL, *third = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(BpDigitFolder) folder = NULL;
  guint n_changed = 0;

  g_signal_connect_swapped (store, "changed", G_CALLBACK (count_cb), &n_changed);
  /* Nothing yet: no folder, no error. */
  g_assert_null (bp_my_digits_load (store, &error));
  g_assert_no_error (error);

  first = bp_my_digits_add (store, bar, 60, 50, 60, 1, &error);
  g_assert_no_error (error);
  expected = file_in (dir, "1", "0001.png");
  g_assert_cmpstr (first, ==, expected);
  second = bp_my_digits_add (store, bar, 60, 50, 60, 1, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (second, "/1/0002.png"));
  g_assert_cmpuint (n_changed, ==, 2);

  folder = bp_my_digits_load (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (folder->set->n, ==, 2);
  g_assert_cmpuint (folder->set->labels[0], ==, 1);

  /* Relabelled: moved to 7/ under the next number there; gone from 1/. */
  moved = bp_my_digits_relabel (store, first, 7, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (moved, "/7/0001.png"));
  g_assert_false (g_file_test (first, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (moved, G_FILE_TEST_IS_REGULAR));

  /* A number is not reused while a higher one exists: 1/0001.png is free, but 0003 comes. */
  gap = bp_my_digits_add (store, bar, 60, 50, 60, 1, &error);
  g_assert_true (g_str_has_suffix (gap, "/1/0003.png"));

  g_assert_true (bp_my_digits_delete (store, second, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (second, G_FILE_TEST_EXISTS));

  /* Only the store's own pictures are moved or deleted. */
  g_assert_false (bp_my_digits_delete (store, "/etc/passwd", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  third = g_build_filename (tmp, "1", "0001.png", NULL);
  g_assert_null (bp_my_digits_relabel (store, third, 2, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_clear_pointer (&folder, bp_digit_folder_free);
  folder = bp_my_digits_load (store, &error);
  g_assert_cmpuint (folder->set->n, ==, 2);
  g_assert_cmpuint (folder->set->labels[0], ==, 1);
  g_assert_cmpuint (folder->set->labels[1], ==, 7);

  g_unlink (moved);
  g_unlink (gap);
  for (int d = 0; d < 10; d++)
    {
      g_autofree char *sub = g_strdup_printf ("%s/%d", dir, d);
      g_rmdir (sub);
    }
  g_rmdir (dir);
  g_rmdir (tmp);
}

static void
test_held_out (void)
{
  guint n_held = 0;

  /* Stable, and about one in five. */
  g_assert_cmpint (bp_my_digits_is_held_out ("/a/7/0001.png"),
                   ==, bp_my_digits_is_held_out ("/b/7/0001.png"));
  for (guint i = 1; i <= 1000; i++)
    {
      g_autofree char *path = g_strdup_printf ("/x/%u/%04u.png", i % 10, i);

      n_held += bp_my_digits_is_held_out (path);
    }
  g_test_message ("%u of 1000 held out", n_held);
  g_assert_cmpuint (n_held, >, 120);
  g_assert_cmpuint (n_held, <, 280);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  /* A dark bar on white paper. */
  memset (bar, 255, sizeof bar);
  for (int y = 5; y < 45; y++)
    for (int x = 27; x < 33; x++)
      bar[y * 60 + x] = 0;

  g_test_add_func ("/my-digits/add-relabel-delete", test_add_relabel_delete);
  g_test_add_func ("/my-digits/held-out", test_held_out);
  return g_test_run ();
}
