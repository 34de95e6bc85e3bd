/* test-file-kind.c — bp_file_kind_detect(): a PNG, a model, a session, or a sentence saying why not
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-file-kind.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "bp-model-io.h"
#include "bp-session-file.h"

static char *
data_path (const char *name)
{
  const char *dir = g_getenv ("BACKPROP_TEST_DATA");

  return g_build_filename (dir != NULL ? dir : "tests/data", "png", name, NULL);
}

static void
test_kinds (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("backprop-kind-XXXXXX", NULL);
  g_autofree char *model = g_build_filename (tmp, "net.json", NULL);
  g_autofree char *session = g_build_filename (tmp, "run.backprop", NULL);
  g_autofree char *text = g_build_filename (tmp, "notes.txt", NULL);
  g_autofree char *fifo = g_build_filename (tmp, "fifo", NULL);
  g_autofree char *png = data_path ("four-transparent.png");
  g_autofree char *bad_png = data_path ("bad-crc.png");
  g_autoptr(GString) doc = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  const size_t sizes[] = { 4, 3, 2 };
  BpError bp_error = { 0 };
  BpFileKind kind;
  BpNetwork *net;
  BpArch arch;

  bp_arch_from_sizes (&arch, sizes, 3, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                      BP_COST_QUADRATIC, NULL);
  net = bp_network_new (&arch, &bp_error);
  g_assert_nonnull (net);
  g_assert_true (bp_model_save (net, NULL, model, &bp_error));
  g_assert_true (bp_model_write_begin (doc, net, NULL, "run.backprop", &bp_error));
  bp_session_file_append_member (doc, 0, NULL, NULL);
  bp_model_write_end (doc);
  g_assert_true (g_file_set_contents (session, doc->str, (gssize) doc->len, NULL));
  g_assert_true (g_file_set_contents (text, "hello", -1, NULL));
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);

  g_assert_true (bp_file_kind_detect (png, "four-transparent.png", &kind, &error));
  g_assert_cmpint (kind, ==, BP_FILE_KIND_PNG);
  g_assert_true (bp_file_kind_detect (model, "net.json", &kind, &error));
  g_assert_cmpint (kind, ==, BP_FILE_KIND_MODEL);
  g_assert_true (bp_file_kind_detect (session, "run.backprop", &kind, &error));
  g_assert_cmpint (kind, ==, BP_FILE_KIND_SESSION);
  g_assert_no_error (error);

  g_assert_false (bp_file_kind_detect (bad_png, "bad-crc.png", &kind, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "bad-crc.png"));
  g_clear_error (&error);
  g_assert_false (bp_file_kind_detect (text, "notes.txt", &kind, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "“notes.txt” is not a model"));
  g_clear_error (&error);
  /* A FIFO nobody writes to is refused at once, not waited on. */
  g_assert_false (bp_file_kind_detect (fifo, "fifo", &kind, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&error);

  bp_network_free (net);
  g_unlink (model);
  g_unlink (session);
  g_unlink (text);
  g_unlink (fifo);
  g_rmdir (tmp);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/file-kind/kinds", test_kinds);

  return g_test_run ();
}
