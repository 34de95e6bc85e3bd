/* test-digit-folder.c — bp-digit-folder: a folder of DIGIT/NAME.png pictures as a data set
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The reader on a hand-made folder (what counts, what is skipped and why, the order), on
 * hostile pictures (every truncation and many byte flips of a real PNG: each is read or skipped
 * with a warning, never a crash — run it under ASan/UBSan as CI does), the PNG writer My Digits
 * uses read back, and the mixing of extra pictures into a training set.
 */
#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "bp-digit-folder.h"
#include "bp-png.h"
#include "bp-preprocess.h"
#include "bp-rng.h"

static char *
png_path (const char *name)
{
  return g_build_filename (g_getenv ("BACKPROP_TEST_DATA"), "png", name, NULL);
}

static void
copy_to (const char *name,
         const char *dir,
         const char *digit,
         const char *as)
{
  g_autofree char *src = png_path (name);
  g_autofree char *folder = g_build_filename (dir, digit, NULL);
  g_autofree char *dst = g_build_filename (folder, as, NULL);
  g_autofree char *contents = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (src, &contents, &len, NULL));
  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  g_assert_true (g_file_set_contents (dst, contents, (gssize) len, NULL));
}

static void
remove_tree (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileEnumerator) children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                                                   G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS,
                                                                   NULL, NULL);
  GFileInfo *info;

  while (children != NULL && (info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, g_file_info_get_name (info), NULL);

      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        remove_tree (child);
      else
        g_unlink (child);
      g_object_unref (info);
    }
  g_rmdir (path);
}

static void
test_layout (void)
{
  g_autofree char *dir = g_dir_make_tmp ("bp-digits-XXXXXX", NULL);
  g_autofree char *fifo = g_build_filename (dir, "2", "fifo.png", NULL);
  g_autofree char *subdir = g_build_filename (dir, "9", "folder.png", NULL);
  g_autofree char *empty_digit = g_build_filename (dir, "2", NULL);        /* its only entry a FIFO */
  g_autofree char *readme = g_build_filename (dir, "README", NULL);
  g_autoptr(BpDigitFolder) folder = NULL;
  g_autoptr(GError) error = NULL;

  copy_to ("seven-grey.png", dir, "7", "b.png");
  copy_to ("seven-grey.png", dir, "7", "a.PNG");
  copy_to ("seven-grey.png", dir, "7", ".hidden.png");   /* not looked at */
  copy_to ("seven-grey.png", dir, "77", "x.png");        /* not a digit folder */
  copy_to ("seven-grey.png", dir, "7", "notes.txt");     /* not a .png */
  copy_to ("three-light-on-dark.png", dir, "3", "c.png");
  copy_to ("zero-rgb-paper.png", dir, "0", "z.png");
  copy_to ("blank.png", dir, "5", "blank.png");          /* skipped: no ink */
  copy_to ("not-a-png.png", dir, "1", "text.png");       /* skipped: not a PNG */
  copy_to ("truncated.png", dir, "8", "cut.png");        /* skipped: truncated */
  g_assert_cmpint (g_mkdir_with_parents (empty_digit, 0700), ==, 0);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);         /* skipped, and must not block */
  g_assert_cmpint (g_mkdir_with_parents (subdir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (readme, "hello", -1, NULL));

  folder = bp_digit_folder_load (dir, &error);
  g_assert_no_error (error);
  g_assert_nonnull (folder);
  g_assert_cmpuint (folder->set->n, ==, 4);
  g_assert_cmpuint (folder->set->n_classes, ==, 10);
  g_assert_cmpuint (folder->set->n_pixels, ==, 784);
  /* Digit order, then byte order of the names ("a.PNG" < "b.png"). */
  g_assert_cmpuint (folder->set->labels[0], ==, 0);
  g_assert_cmpuint (folder->set->labels[1], ==, 3);
  g_assert_cmpuint (folder->set->labels[2], ==, 7);
  g_assert_cmpuint (folder->set->labels[3], ==, 7);
  g_assert_true (g_str_has_suffix (folder->paths->pdata[2], "a.PNG"));
  g_assert_cmpuint (folder->warnings->len, ==, 5);
  for (guint i = 0; i < folder->warnings->len; i++)
    {
      const char *line = folder->warnings->pdata[i];

      g_test_message ("%s", line);
      g_assert_true (g_str_has_prefix (line, dir));
      g_assert_null (strchr (line, '\n'));
    }
  g_assert_nonnull (strstr (folder->warnings->pdata[2], "no digit"));

  /* The same bytes as classify's preprocessing, within the byte's rounding. */
  {
    float input[BP_PREPROCESS_N_PIXELS];
    g_autofree char *message = NULL;

    g_assert_true (bp_digit_folder_read_picture (folder->paths->pdata[3], input, &message));
    for (guint p = 0; p < BP_PREPROCESS_N_PIXELS; p++)
      g_assert_cmpfloat_with_epsilon (folder->set->pixels[3 * 784 + p] / 255.0f, input[p],
                                      0.5f / 255.0f + 1e-6f);
  }
  remove_tree (dir);
}

static void
test_errors (void)
{
  g_autofree char *dir = g_dir_make_tmp ("bp-digits-XXXXXX", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing", NULL);
  g_autofree char *file = g_build_filename (dir, "file", NULL);
  g_autofree char *bad_only = g_build_filename (dir, "bad", NULL);
  GError *error = NULL;

  g_assert_null (bp_digit_folder_load (missing, &error));
  g_assert_nonnull (strstr (error->message, missing));
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (file, "x", -1, NULL));
  g_assert_null (bp_digit_folder_load (file, &error));
  g_assert_nonnull (strstr (error->message, "not a folder"));
  g_clear_error (&error);

  g_assert_null (bp_digit_folder_load (dir, &error));
  g_assert_nonnull (strstr (error->message, "no PNG pictures"));
  g_clear_error (&error);

  copy_to ("blank.png", bad_only, "4", "blank.png");
  g_assert_null (bp_digit_folder_load (bad_only, &error));
  g_assert_nonnull (strstr (error->message, "none of its pictures"));
  g_clear_error (&error);
  remove_tree (dir);
}

/* Every truncation and 300 random byte flips of a real PNG: read or skipped, never a crash. */
static void
test_hostile (void)
{
  g_autofree char *src = png_path ("seven-grey.png");
  g_autofree char *dir = g_dir_make_tmp ("bp-digits-XXXXXX", NULL);
  g_autofree char *digit_dir = g_build_filename (dir, "7", NULL);
  g_autofree char *good = NULL;
  gsize len;
  BpRng rng;
  guint n_files = 0;

  g_assert_true (g_file_get_contents (src, &good, &len, NULL));
  g_assert_cmpint (g_mkdir_with_parents (digit_dir, 0700), ==, 0);
  for (gsize cut = 0; cut < len; cut += 7)
    {
      g_autofree char *name = g_strdup_printf ("%s/cut-%04zu.png", digit_dir, cut);

      g_assert_true (g_file_set_contents (name, good, (gssize) cut, NULL));
      n_files++;
    }
  bp_rng_seed (&rng, 15, 0);
  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s/flip-%03u.png", digit_dir, i);
      g_autofree char *bytes = g_memdup2 (good, len);

      for (guint k = 0; k < 1 + i % 4; k++)
        bytes[bp_rng_below (&rng, len)] ^= (char) (1 + bp_rng_below (&rng, 255));
      g_assert_true (g_file_set_contents (name, bytes, (gssize) len, NULL));
      n_files++;
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(BpDigitFolder) folder = bp_digit_folder_load (dir, &error);
    guint n_read = folder != NULL ? (guint) folder->set->n : 0;
    guint n_skipped = folder != NULL ? folder->warnings->len : n_files;

    g_test_message ("%u hostile pictures: %u read, %u skipped", n_files, n_read, n_skipped);
    g_assert_cmpuint (n_read + n_skipped, ==, n_files);
    g_assert_cmpuint (n_skipped, >, 0);
  }
  remove_tree (dir);
}

static void
test_write_read (void)
{
  g_autofree char *dir = g_dir_make_tmp ("bp-digits-XXXXXX", NULL);
  g_autofree char *digit_dir = g_build_filename (dir, "1", NULL);
  g_autofree char *path = g_build_filename (digit_dir, "0001.png", NULL);
  g_autofree char *message = NULL;
  g_autoptr(GBytes) png = NULL;
  float input[BP_PREPROCESS_N_PIXELS];
  guint8 grey[100 * 80];
  float ink = 0;

  /* A dark bar on white paper, 100 wide and 80 high: a "1". */
  memset (grey, 255, sizeof grey);
  for (int y = 10; y < 70; y++)
    for (int x = 45; x < 53; x++)
      grey[y * 100 + x] = 0;
  png = bp_digit_folder_encode_png (grey, 100, 80, 100, &message);
  g_assert_nonnull (png);
  g_assert_cmpint (g_mkdir_with_parents (digit_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (png, NULL),
                                      (gssize) g_bytes_get_size (png), NULL));
  g_assert_true (bp_digit_folder_read_picture (path, input, &message));
  /* Light ink on black after the preprocessing, centred: pixel (14, 14) inked, corners not. */
  g_assert_cmpfloat (input[14 * 28 + 14], >, 0.9f);
  g_assert_cmpfloat (input[0], ==, 0.0f);
  for (guint p = 0; p < BP_PREPROCESS_N_PIXELS; p++)
    ink += input[p];
  g_assert_cmpfloat (ink, >, 20.0f);
  remove_tree (dir);
}

static void
test_mix (void)
{
  guint8 a_pixels[3 * 4] = { 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3 };
  guint8 a_labels[3] = { 1, 2, 3 };
  guint8 b_pixels[1 * 4] = { 9, 9, 9, 9 };
  guint8 b_labels[1] = { 9 };
  BpDataset *a = bp_dataset_new_from_data (3, 2, 2, a_pixels, a_labels, 10, NULL);
  BpDataset *b = bp_dataset_new_from_data (1, 2, 2, b_pixels, b_labels, 10, NULL);
  BpDataset *c = bp_dataset_new_from_data (1, 1, 4, b_pixels, b_labels, 10, NULL);
  GError *error = NULL;
  BpDataset *mixed = bp_digit_folder_mix (a, b, 2, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (mixed->n, ==, 5);
  g_assert_cmpuint (mixed->labels[2], ==, 3);
  g_assert_cmpuint (mixed->labels[3], ==, 9);
  g_assert_cmpuint (mixed->labels[4], ==, 9);
  g_assert_cmpuint (mixed->pixels[4 * 4 + 3], ==, 9);
  bp_dataset_free (mixed);

  g_assert_null (bp_digit_folder_mix (a, c, 1, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* 1 % of 50,000 is 500: 50 pictures × 10; 5 would need 100, capped at 20; 10,000 once. */
  g_assert_cmpuint (bp_digit_folder_auto_repeat (50000, 50), ==, 10);
  g_assert_cmpuint (bp_digit_folder_auto_repeat (50000, 5), ==, 20);
  g_assert_cmpuint (bp_digit_folder_auto_repeat (50000, 10000), ==, 1);
  g_assert_cmpuint (bp_digit_folder_auto_repeat (1000, 0), ==, 1);

  bp_dataset_free (a);
  bp_dataset_free (b);
  bp_dataset_free (c);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/digit-folder/layout", test_layout);
  g_test_add_func ("/digit-folder/errors", test_errors);
  g_test_add_func ("/digit-folder/hostile", test_hostile);
  g_test_add_func ("/digit-folder/write-read", test_write_read);
  g_test_add_func ("/digit-folder/mix", test_mix);
  return g_test_run ();
}
