/* test-session-file.c — models and whole sessions saved and opened again, without a display
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * bp_session_load_model(), bp_session_save_model() and bp-session-file's reading and writing on
 * small synthetic data (4×4 images): a saved session comes back bit for bit, trains on with its
 * epochs numbered on, and a bad file of any kind is refused with its name in the message and
 * the session left as it was.
 */
#include "config.h"

#include "bp-session.h"
#include "bp-session-io.h"
#ifdef BP_TEST_DEFAULT_MODEL
#include "bp-default-model.h"
#endif

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "bp-model-io.h"
#include "bp-rng.h"
#include "bp-test-data.h"

#define SIDE      4
#define N_PIXELS  (SIDE * SIDE)
#define N_CLASSES 10

/* ── Data and sessions ────────────────────────────────────────────────────────────────────── */

static void
small_setup (BpRun *setup)
{
  const size_t sizes[] = { N_PIXELS, 8, N_CLASSES };

  bp_run_init (setup);
  bp_arch_from_sizes (&setup->arch, sizes, 3, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                      BP_COST_QUADRATIC, NULL);
}

/* Resize layer @l of @setup's sizes list (0: the input). */
static void
set_size (BpRun  *setup,
          size_t  l,
          size_t  size)
{
  size_t sizes[BP_MAX_LAYERS];
  size_t n = bp_arch_get_sizes (&setup->arch, sizes);

  sizes[l] = size;
  bp_arch_from_sizes (&setup->arch, sizes, n, bp_arch_get_activation (&setup->arch),
                      setup->arch.output, setup->arch.cost, NULL);
}

static gboolean
timeout_cb (gpointer data)
{
  gboolean *expired = data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

static void
wait_idle (BpSession *session)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add_seconds (20, timeout_cb, &expired);

  while (bp_session_get_busy (session) && !expired)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (expired);
  g_source_remove (id);
}

/* A session on synthetic data (validation set included), with the small setup. */
static BpSession *
new_session (size_t   n_train,
             gboolean identical)
{
  BpSession *session = bp_session_new ();
  BpRun setup;

  small_setup (&setup);
  bp_session_reset (session, &setup);
  bp_session_set_datasets (session, bp_test_dataset_new (n_train, SIDE, N_CLASSES, 1, identical),
                           bp_test_dataset_new (40, SIDE, N_CLASSES, 2, identical),
                           bp_test_dataset_new (40, SIDE, N_CLASSES, 3, identical));
  wait_idle (session);
  return session;
}

/* Train until @epochs have finished (the target becomes @epochs). */
static void
train_to (BpSession *session,
          guint      epochs)
{
  bp_session_set_epochs (session, epochs);
  bp_session_start (session);
  wait_idle (session);
  g_assert_cmpuint (bp_session_get_epoch (session), ==, epochs);
  g_assert_cmpint (bp_session_get_state (session), ==, BP_SESSION_STATE_STOPPED);
}

/* The four IDX files of a tiny MNIST-like set in a new folder, loaded with
 * bp_session_load_mnist_async() as the app loads MNIST, so that the session has a data folder. */
static void
write_idx (const char   *dir,
           const char   *name,
           guint32       magic,
           const guint32 *dims,
           guint         n_dims,
           const guint8 *bytes,
           gsize         n_bytes)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  guint32 be = GUINT32_TO_BE (magic);

  g_byte_array_append (out, (const guint8 *) &be, 4);
  for (guint i = 0; i < n_dims; i++)
    {
      be = GUINT32_TO_BE (dims[i]);
      g_byte_array_append (out, (const guint8 *) &be, 4);
    }
  g_byte_array_append (out, bytes, (guint) n_bytes);
  g_assert_true (g_file_set_contents (path, (const char *) out->data, out->len, &error));
  g_assert_no_error (error);
}

static char *
make_mnist_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("backprop-mnist-XXXXXX", &error);
  const size_t n_train = 120, n_test = 40;
  g_autofree guint8 *pixels = g_new0 (guint8, n_train * N_PIXELS);
  g_autofree guint8 *labels = g_new0 (guint8, n_train);
  guint32 dims[3];

  g_assert_no_error (error);
  bp_test_examples_fill (n_train, SIDE, N_CLASSES, 11, FALSE, pixels, labels);
  dims[0] = n_train;
  dims[1] = dims[2] = SIDE;
  write_idx (dir, "train-images-idx3-ubyte", 0x803, dims, 3, pixels, n_train * N_PIXELS);
  write_idx (dir, "train-labels-idx1-ubyte", 0x801, dims, 1, labels, n_train);
  bp_test_examples_fill (n_test, SIDE, N_CLASSES, 12, FALSE, pixels, labels);
  dims[0] = n_test;
  write_idx (dir, "t10k-images-idx3-ubyte", 0x803, dims, 3, pixels, n_test * N_PIXELS);
  write_idx (dir, "t10k-labels-idx1-ubyte", 0x801, dims, 1, labels, n_test);
  return dir;
}

static void
remove_mnist_dir (const char *dir)
{
  static const char *const names[] = {
    "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);

      g_assert_cmpint (g_unlink (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
load_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (bp_session_load_mnist_finish (BP_SESSION (source), result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

/* A session on the IDX files of @dir: 120 training images (no validation set: its metrics are
 * NaN in the history), 40 test images, 10 classes. */
static BpSession *
new_mnist_session (const char *dir)
{
  BpSession *session = bp_session_new ();
  BpRun setup;
  gboolean done = FALSE;

  small_setup (&setup);
  bp_session_reset (session, &setup);
  bp_session_load_mnist_async (session, dir, NULL, load_done_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  wait_idle (session);
  g_assert_cmpstr (bp_session_get_data_dir (session), ==, dir);
  return session;
}

/* ── Comparisons ──────────────────────────────────────────────────────────────────────────── */

/* Bit for bit, NaN matching any NaN (JSON's null carries no payload). */
static void
assert_same_double (double a,
                    double b)
{
  if (isnan (a) || isnan (b))
    g_assert_true (isnan (a) && isnan (b));
  else
    g_assert_cmpmem (&a, sizeof a, &b, sizeof b);
}

static void
assert_same_history (const BpEpochMetrics *a,
                     const BpEpochMetrics *b,
                     guint                 n)
{
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpuint (a[i].epoch, ==, b[i].epoch);
      assert_same_double (a[i].train_cost, b[i].train_cost);
      assert_same_double (a[i].train_accuracy, b[i].train_accuracy);
      assert_same_double (a[i].validation_cost, b[i].validation_cost);
      assert_same_double (a[i].validation_accuracy, b[i].validation_accuracy);
      assert_same_double (a[i].test_cost, b[i].test_cost);
      assert_same_double (a[i].test_accuracy, b[i].test_accuracy);
      assert_same_double (a[i].seconds, b[i].seconds);
      assert_same_double (a[i].eta, b[i].eta);
    }
}

static void
assert_same_hyper (const BpHyperparams *a,
                   const BpHyperparams *b)
{
  g_assert_cmpmem (&a->eta, sizeof (float), &b->eta, sizeof (float));
  g_assert_cmpmem (&a->lambda_l2, sizeof (float), &b->lambda_l2, sizeof (float));
  g_assert_cmpmem (&a->lambda_l1, sizeof (float), &b->lambda_l1, sizeof (float));
  g_assert_cmpmem (&a->momentum, sizeof (float), &b->momentum, sizeof (float));
  g_assert_cmpmem (&a->dropout, sizeof (float), &b->dropout, sizeof (float));
  g_assert_cmpuint (a->batch_size, ==, b->batch_size);
}

static void
assert_same_points (GArray *a,
                    GArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  g_assert_cmpmem (a->data, a->len * sizeof (BpSessionPoint),
                   b->data, b->len * sizeof (BpSessionPoint));
}

static void
assert_same_marks (const GArray *a,
                   const GArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    {
      const BpSessionMark *p = &g_array_index (a, BpSessionMark, i);
      const BpSessionMark *q = &g_array_index (b, BpSessionMark, i);

      assert_same_double (p->x, q->x);
      g_assert_cmpstr (p->name, ==, q->name);
      assert_same_double (p->from, q->from);
      assert_same_double (p->to, q->to);
    }
}

static void
assert_same_plots (const BpSessionPlots *a,
                   const BpSessionPlots *b)
{
  g_assert_cmpuint (a->live_from, ==, b->live_from);
  g_assert_cmpuint (a->samples->len, ==, b->samples->len);
  for (guint i = 0; i < a->samples->len; i++)
    {
      const BpSessionSample *p = &g_array_index (a->samples, BpSessionSample, i);
      const BpSessionSample *q = &g_array_index (b->samples, BpSessionSample, i);

      assert_same_double (p->x, q->x);
      assert_same_double (p->accuracy, q->accuracy);
      assert_same_double (p->cost, q->cost);
    }
  g_assert_cmpuint (a->pins->len, ==, b->pins->len);
  for (guint i = 0; i < a->pins->len; i++)
    {
      const BpSessionPin *p = g_ptr_array_index (a->pins, i);
      const BpSessionPin *q = g_ptr_array_index (b->pins, i);

      g_assert_cmpstr (p->label, ==, q->label);
      for (guint s = 0; s < BP_SESSION_ACCURACY_SERIES; s++)
        assert_same_points (p->accuracy[s], q->accuracy[s]);
      for (guint s = 0; s < BP_SESSION_COST_SERIES; s++)
        assert_same_points (p->cost[s], q->cost[s]);
      assert_same_marks (p->marks, q->marks);
    }
  assert_same_marks (a->marks, b->marks);
}

static void
assert_same_params (const BpSnapshot *a,
                    const BpSnapshot *b)
{
  g_assert_true (bp_network_same_shape (a->net, b->net));
  g_assert_cmpmem (a->net->params, a->net->n_params * sizeof (float),
                   b->net->params, b->net->n_params * sizeof (float));
}

static void
add_points (GArray *points,
            double  x0,
            double  y0,
            guint   n)
{
  for (guint i = 0; i < n; i++)
    {
      BpSessionPoint p = { x0 + i * 0.1, y0 + 0.01 * i };

      g_array_append_val (points, p);
    }
}

/* Plots as a Train view would hand them over: two pins, samples with a NaN, odd numbers. */
static BpSessionPlots *
make_plots (guint live_from)
{
  BpSessionPlots *plots = bp_session_plots_new ();
  BpSessionSample samples[] = {
    { 1.5, 0.25, 1.0 / 3.0 },
    { 2.125, NAN, 0.75 },
    { 2.9999999999999996, 1.0, 1e-300 },
  };
  BpSessionPin *pin;

  BpSessionMark live_marks[] = {
    { 1.25, "η", 3.0, 0.25 },
    { 2.0, "μ", 0.0, 0.5 },
  };
  BpSessionMark pin_mark = { 0.3, "λ", 5.0, 0.1 };

  plots->live_from = live_from;
  g_array_append_vals (plots->samples, samples, G_N_ELEMENTS (samples));
  g_array_append_vals (plots->marks, live_marks, G_N_ELEMENTS (live_marks));

  pin = bp_session_pin_new ("16-8-10 quadratic η 3→1.5 \"quoted\" back\\slash");
  add_points (pin->accuracy[0], 1.0, 0.1, 5);
  add_points (pin->accuracy[3], 0.1, 0.2, 7);
  add_points (pin->cost[1], 1.0, 0.3, 3);
  g_array_append_val (pin->marks, pin_mark);
  g_ptr_array_add (plots->pins, pin);
  pin = bp_session_pin_new ("second run, no cost points");
  add_points (pin->accuracy[2], 0.0, 1.0 / 7.0, 2);
  g_ptr_array_add (plots->pins, pin);
  return plots;
}

static char *
read_text (const char *path,
           gsize      *len)
{
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, len, &error));
  g_assert_no_error (error);
  return text;
}

/* ── Round trip ───────────────────────────────────────────────────────────────────────────── */

static void
test_round_trip (void)
{
  static const char *const network2_members[] = { "sizes", "weights", "biases", "cost" };
  g_autofree char *mnist = make_mnist_dir ();
  g_autofree char *tmp = g_dir_make_tmp ("backprop-session-file-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (tmp, "run.backprop", NULL);
  g_autofree char *path2 = g_build_filename (tmp, "again.backprop", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) file2 = g_file_new_for_path (path2);
  g_autoptr(BpSessionPlots) plots = make_plots (1);
  g_autoptr(BpSessionPlots) plots_back = NULL;
  g_autoptr(BpSnapshot) saved = NULL;
  g_autoptr(BpSnapshot) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *text = NULL;
  g_autofree char *text2 = NULL;
  g_autofree char *data_dir = NULL;
  BpSession *session = new_mnist_session (mnist);
  BpSession *other = new_mnist_session (mnist);
  BpRun setup, setup_back;
  BpHyperparams hyper, hyper_back;
  const BpEpochMetrics *history, *history_back;
  JsonObject *root, *member;
  guint n, n_back, generation;
  gsize len, len2;

  /* A setup and hyperparameters away from every default, and momentum, so that the saved
   * velocities matter. */
  small_setup (&setup);
  bp_arch_set_activation (&setup.arch, BP_ACTIVATION_TANH);
  setup.arch.cost = BP_COST_LOG_LIKELIHOOD;
  setup.arch.output = BP_OUTPUT_SOFTMAX;
  setup.init = BP_INIT_DEFAULT;
  setup.seed = G_GUINT64_CONSTANT (0xfedcba9876543210);
  setup.train_size = 100;
  setup.expand = BP_EXPAND_AFFINE;
  bp_session_reset (session, &setup);
  bp_session_get_hyperparams (session, &hyper);
  hyper.eta = 0.1f;
  hyper.lambda_l2 = 0.3f;
  hyper.lambda_l1 = 0.01f;
  hyper.momentum = 0.7f;
  hyper.dropout = 0.125f;
  hyper.batch_size = 7;
  g_assert_true (bp_session_set_hyperparams (session, &hyper, NULL));
  train_to (session, 3);
  bp_session_set_epochs (session, 9);
  /* Two mini-batches into the fourth epoch: the parameters are those of the middle of it. */
  bp_session_step (session);
  bp_session_step (session);
  wait_idle (session);

  g_assert_true (bp_session_file_write (session, plots, file, &error));
  g_assert_no_error (error);
  saved = bp_session_dup_snapshot (session);
  g_assert_nonnull (saved->velocity);
  history = bp_session_get_history (session, &n);
  g_assert_cmpuint (n, ==, 3);
  /* No validation set: its metrics are NaN, and the file keeps them (as null). */
  g_assert_true (isnan (history[0].validation_accuracy));

  /* The file is a model file with network2.py's members, and one of ours. */
  text = read_text (path, &len);
  g_assert_true (json_parser_load_from_data (parser, text, (gssize) len, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  for (guint i = 0; i < G_N_ELEMENTS (network2_members); i++)
    g_assert_true (json_object_has_member (root, network2_members[i]));
  member = json_object_get_object_member (root, BP_SESSION_FILE_MEMBER);
  g_assert_nonnull (member);
  g_assert_cmpint (json_object_get_int_member (member, "version"), ==, BP_SESSION_FILE_VERSION);
  g_assert_cmpint (json_object_get_int_member (member, "epoch"), ==, 3);
  g_assert_true (g_str_has_suffix (path, "." BP_SESSION_FILE_SUFFIX));
  data_dir = bp_session_file_dup_data_dir (file, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (data_dir, ==, mnist);

  /* Into another session: everything comes back, bit for bit, before the worker has even
   * taken the network (the snapshot is published at once). */
  generation = bp_session_get_generation (other);
  g_assert_true (bp_session_file_read (other, file, &plots_back, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (bp_session_get_generation (other), ==, generation + 1);
  g_assert_true (bp_session_has_network (other));
  g_assert_true (bp_session_get_network_from_file (other));
  loaded = bp_session_dup_snapshot (other);
  assert_same_params (saved, loaded);
  g_assert_nonnull (loaded->velocity);
  g_assert_cmpmem (saved->velocity, saved->net->n_params * sizeof (float),
                   loaded->velocity, loaded->net->n_params * sizeof (float));
  g_assert_cmpuint (loaded->epoch, ==, 3);
  g_assert_cmpint (bp_session_get_state (other), ==, BP_SESSION_STATE_STOPPED);

  bp_session_get_run (other, &setup_back);
  g_assert_true (bp_run_same_network (&setup, &setup_back));
  bp_session_get_hyperparams (other, &hyper_back);
  assert_same_hyper (&hyper, &hyper_back);
  g_assert_cmpuint (bp_session_get_epochs (other), ==, 9);
  history_back = bp_session_get_history (other, &n_back);
  g_assert_cmpuint (n_back, ==, n);
  g_assert_cmpuint (bp_session_get_epoch (other), ==, n);
  assert_same_history (history, history_back, n);
  assert_same_plots (plots, plots_back);
  g_assert_true (bp_session_can_start (other));

  /* Once the worker has the network, saving again writes the very same bytes. */
  wait_idle (other);
  g_clear_pointer (&loaded, bp_snapshot_unref);
  loaded = bp_session_dup_snapshot (other);
  assert_same_params (saved, loaded);
  g_assert_true (bp_session_file_write (other, plots_back, file2, &error));
  g_assert_no_error (error);
  text2 = read_text (path2, &len2);
  g_assert_cmpmem (text, len, text2, len2);

  g_assert_finalize_object (session);
  g_assert_finalize_object (other);
  g_unlink (path);
  g_unlink (path2);
  g_rmdir (tmp);
  remove_mnist_dir (mnist);
}

/* A loaded session trains on: the epochs are numbered on from the history, the history keeps
 * the saved epochs in front, and the network moves on from the saved weights. */
static void
test_continue (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("backprop-session-file-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (tmp, "run.backprop", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(BpSnapshot) saved = NULL;
  g_autoptr(BpSnapshot) after = NULL;
  g_autofree BpEpochMetrics *saved_history = NULL;
  BpSession *session = new_session (120, FALSE);
  BpSession *other = new_session (120, FALSE);
  const BpEpochMetrics *history;
  guint n;

  train_to (session, 2);
  g_assert_true (bp_session_file_write (session, NULL, file, &error));
  g_assert_no_error (error);
  saved = bp_session_dup_snapshot (session);
  saved_history = g_memdup2 (bp_session_get_history (session, NULL), 2 * sizeof (BpEpochMetrics));

  g_assert_true (bp_session_file_read (other, file, NULL, &error));
  g_assert_no_error (error);
  /* The saved target is reached: Start waits for a higher one, as before saving. */
  g_assert_false (bp_session_can_start (other));
  bp_session_set_epochs (other, 5);
  g_assert_true (bp_session_can_start (other));
  bp_session_start (other);
  wait_idle (other);

  history = bp_session_get_history (other, &n);
  g_assert_cmpuint (n, ==, 5);
  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (history[i].epoch, ==, i + 1);
  assert_same_history (saved_history, history, 2);
  after = bp_session_dup_snapshot (other);
  g_assert_cmpuint (after->epoch, ==, 5);
  g_assert_true (memcmp (saved->net->params, after->net->params,
                         saved->net->n_params * sizeof (float)) != 0);
  /* Trained from the saved weights, not from fresh ones: it is as good as it was at least. */
  g_assert_cmpfloat (history[4].test_accuracy, >=, history[1].test_accuracy - 0.1);

  g_assert_finalize_object (session);
  g_assert_finalize_object (other);
  g_unlink (path);
  g_rmdir (tmp);
}

/* Cut the top-level "velocity" member out of a saved file. */
static void
strip_velocity (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GString) out = NULL;
  const char *start, *end;
  gsize len;

  text = read_text (path, &len);
  start = strstr (text, "  \"velocity\": {");
  g_assert_nonnull (start);
  end = strstr (start, "\n  \"weights\": ");
  g_assert_nonnull (end);
  out = g_string_new_len (text, start - text);
  g_string_append (out, end + 1);
  g_assert_true (g_file_set_contents (path, out->str, (gssize) out->len, &error));
  g_assert_no_error (error);
}

/* Where the order of the examples cannot matter (every example the same), a run saved after two
 * epochs and trained two more gives the parameters of a run of four, bit for bit: the
 * parameters and the momentum velocities are all the state that counts. Without the velocities
 * it would not. */
static void
test_resume_identical (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("backprop-session-file-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (tmp, "half.backprop", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(BpSnapshot) whole = NULL;
  g_autoptr(BpSnapshot) resumed = NULL;
  g_autoptr(BpSnapshot) no_velocity = NULL;
  BpSession *straight = new_session (40, TRUE);
  BpSession *half = new_session (40, TRUE);
  BpSession *resume = new_session (40, TRUE);
  BpSession *resume_at_rest = new_session (40, TRUE);
  BpHyperparams hyper;

  bp_session_get_hyperparams (straight, &hyper);
  hyper.eta = 0.5f;
  hyper.momentum = 0.9f;
  hyper.batch_size = 7;
  g_assert_true (bp_session_set_hyperparams (straight, &hyper, NULL));
  g_assert_true (bp_session_set_hyperparams (half, &hyper, NULL));

  train_to (straight, 4);
  whole = bp_session_dup_snapshot (straight);

  train_to (half, 2);
  g_assert_true (bp_session_file_write (half, NULL, file, &error));
  g_assert_no_error (error);
  g_assert_true (bp_session_file_read (resume, file, NULL, &error));
  g_assert_no_error (error);
  train_to (resume, 4);
  resumed = bp_session_dup_snapshot (resume);
  assert_same_params (whole, resumed);
  g_assert_cmpuint (bp_session_get_history (resume, NULL)[3].epoch, ==, 4);

  /* The same file without its velocities: momentum starts from rest, and the run differs. */
  strip_velocity (path);
  g_assert_true (bp_session_file_read (resume_at_rest, file, NULL, &error));
  g_assert_no_error (error);
  train_to (resume_at_rest, 4);
  no_velocity = bp_session_dup_snapshot (resume_at_rest);
  g_assert_true (memcmp (whole->net->params, no_velocity->net->params,
                         whole->net->n_params * sizeof (float)) != 0);

  g_assert_finalize_object (straight);
  g_assert_finalize_object (half);
  g_assert_finalize_object (resume);
  g_assert_finalize_object (resume_at_rest);
  g_unlink (path);
  g_rmdir (tmp);
}

/* With shuffled data a resumed run is not the uninterrupted one (the trainer's random state is
 * not saved), but every resumption from the same file is the same run, bit for bit. */
static void
test_resume_repeatable (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("backprop-session-file-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (tmp, "run.backprop", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(BpSnapshot) a = NULL;
  g_autoptr(BpSnapshot) b = NULL;
  BpSession *session = new_session (120, FALSE);
  BpSession *first = new_session (120, FALSE);
  BpSession *second = new_session (120, FALSE);

  train_to (session, 1);
  g_assert_true (bp_session_file_write (session, NULL, file, &error));
  g_assert_no_error (error);
  g_assert_true (bp_session_file_read (first, file, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (bp_session_file_read (second, file, NULL, &error));
  g_assert_no_error (error);
  train_to (first, 3);
  train_to (second, 3);
  a = bp_session_dup_snapshot (first);
  b = bp_session_dup_snapshot (second);
  assert_same_params (a, b);
  assert_same_history (bp_session_get_history (first, NULL), bp_session_get_history (second, NULL),
                       1);

  g_assert_finalize_object (session);
  g_assert_finalize_object (first);
  g_assert_finalize_object (second);
  g_unlink (path);
  g_rmdir (tmp);
}

/* ── Bad files ────────────────────────────────────────────────────────────────────────────── */

/* What the session looks like from outside: nothing of it may change on a refused file. */
typedef struct
{
  guint          generation;
  guint64        serial;
  guint          n_history;
  guint          epochs;
  BpRun          setup;
  BpHyperparams  hyper;
  BpSessionState state;
} Outside;

static void
outside_get (BpSession *session,
             Outside   *out)
{
  g_autoptr(BpSnapshot) snapshot = bp_session_dup_snapshot (session);

  memset (out, 0, sizeof *out);
  out->generation = bp_session_get_generation (session);
  out->serial = snapshot != NULL ? snapshot->serial : 0;
  bp_session_get_history (session, &out->n_history);
  out->epochs = bp_session_get_epochs (session);
  bp_session_get_run (session, &out->setup);
  bp_session_get_hyperparams (session, &out->hyper);
  out->state = bp_session_get_state (session);
}

static void
assert_unchanged (BpSession     *session,
                  const Outside *before)
{
  Outside now;

  outside_get (session, &now);
  g_assert_cmpuint (now.generation, ==, before->generation);
  /* A run goes on through a refused file: its snapshots and epochs come as they would. */
  if (before->state != BP_SESSION_STATE_RUNNING)
    {
      g_assert_cmpuint (now.serial, ==, before->serial);
      g_assert_cmpuint (now.n_history, ==, before->n_history);
    }
  g_assert_cmpuint (now.epochs, ==, before->epochs);
  g_assert_true (bp_run_same_network (&now.setup, &before->setup));
  assert_same_hyper (&now.hyper, &before->hyper);
  g_assert_cmpint (now.state, ==, before->state);
}

/* Replace the @nth (0-based) occurrence of @find in @text by @replace. */
static char *
replace_nth (const char *text,
             const char *find,
             guint       nth,
             const char *replace)
{
  const char *at = text;
  GString *out;

  for (guint i = 0; i <= nth; i++)
    {
      at = strstr (i == 0 ? at : at + 1, find);
      g_assert_nonnull (at);
    }
  out = g_string_new_len (text, at - text);
  g_string_append (out, replace);
  g_string_append (out, at + strlen (find));
  return g_string_free (out, FALSE);
}

/* Replace the value of the first member @key (a number or a short scalar) by @value. */
static char *
set_member (const char *text,
            const char *key,
            const char *value)
{
  g_autofree char *needle = g_strdup_printf ("\"%s\": ", key);
  const char *at = strstr (text, needle);
  const char *end;
  GString *out;

  g_assert_nonnull (at);
  at += strlen (needle);
  end = at + strcspn (at, ",}]\n");
  out = g_string_new_len (text, at - text);
  g_string_append (out, value);
  g_string_append (out, end);
  return g_string_free (out, FALSE);
}

typedef enum
{
  EDIT_REPLACE,     /* the first occurrence of a by b */
  EDIT_MEMBER,      /* the value of member a becomes b */
  EDIT_TRUNCATE,    /* keep the first half */
  EDIT_WHOLE,       /* the file is a */
  EDIT_MANY_PINS,   /* more pins than any file may hold */
  EDIT_LONG_LABEL,  /* a pin's label longer than any file may hold */
} Edit;

typedef struct
{
  const char *name;
  Edit        edit;
  const char *a;
  const char *b;
  int         code;     /* BP_SESSION_FILE_ERROR_… */
  const char *message;  /* a part of the message, after the file's name */
} BadCase;

static const BadCase bad_cases[] = {
  { "empty", EDIT_WHOLE, "", NULL, BP_SESSION_FILE_ERROR_INVALID, NULL },
  { "truncated", EDIT_TRUNCATE, NULL, NULL, BP_SESSION_FILE_ERROR_INVALID, NULL },
  { "garbage", EDIT_WHOLE, "\x7f" "ELF\x01\x01 not json at all", NULL,
    BP_SESSION_FILE_ERROR_INVALID, "unexpected" },
  { "array", EDIT_WHOLE, "[1, 2, 3]", NULL, BP_SESSION_FILE_ERROR_INVALID, NULL },
  { "deep", EDIT_WHOLE, "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    NULL, BP_SESSION_FILE_ERROR_INVALID, "nested" },
  { "model-only", EDIT_REPLACE, "\"" BP_SESSION_FILE_MEMBER "\": {", "\"other\": {",
    BP_SESSION_FILE_ERROR_NOT_SESSION, "not a saved session" },
  { "member-not-object", EDIT_REPLACE, "\"" BP_SESSION_FILE_MEMBER "\": {",
    "\"" BP_SESSION_FILE_MEMBER "\": 1, \"other\": {", BP_SESSION_FILE_ERROR_INVALID,
    "expected an object" },
  { "newer", EDIT_MEMBER, "version", "2", BP_SESSION_FILE_ERROR_NEWER, "newer Backprop" },
  { "version-string", EDIT_MEMBER, "version", "\"1\"", BP_SESSION_FILE_ERROR_INVALID,
    "version is a string" },
  { "version-0", EDIT_MEMBER, "version", "0", BP_SESSION_FILE_ERROR_INVALID, "version is 0" },
  { "epoch-mismatch", EDIT_REPLACE, "\"epoch\": 2,\n", "\"epoch\": 1,\n",
    BP_SESSION_FILE_ERROR_INVALID, "history has 2 epochs, expected 1" },
  { "epoch-absurd", EDIT_REPLACE, "\"epoch\": 2,\n", "\"epoch\": 1000000000000,\n",
    BP_SESSION_FILE_ERROR_INVALID, "epoch is 1000000000000" },
  { "history-numbering", EDIT_REPLACE, "{\"epoch\": 2,", "{\"epoch\": 7,",
    BP_SESSION_FILE_ERROR_INVALID, "history[1].epoch is 7" },
  { "accuracy-above-1", EDIT_MEMBER, "train_accuracy", "1.5", BP_SESSION_FILE_ERROR_INVALID,
    "history[0].train_accuracy is 1.5" },
  { "cost-negative", EDIT_MEMBER, "test_cost", "-0.25", BP_SESSION_FILE_ERROR_INVALID,
    "history[0].test_cost is -0.25" },
  { "history-eta-0", EDIT_REPLACE, "\"eta\": 3.0}", "\"eta\": 0.0}", BP_SESSION_FILE_ERROR_INVALID,
    "history[0].eta is 0" },
  { "history-infinite", EDIT_MEMBER, "seconds", "1e999", BP_SESSION_FILE_ERROR_INVALID, NULL },
  { "eta-negative", EDIT_MEMBER, "eta", "-1.0", BP_SESSION_FILE_ERROR_INVALID, "learning rate" },
  { "batch-0", EDIT_MEMBER, "batch_size", "0", BP_SESSION_FILE_ERROR_INVALID, "mini-batch size" },
  { "epochs-0", EDIT_MEMBER, "epochs", "0", BP_SESSION_FILE_ERROR_INVALID, "epochs" },
  { "momentum-1", EDIT_MEMBER, "momentum", "1.0", BP_SESSION_FILE_ERROR_INVALID, "momentum" },
  { "no-hyperparameters", EDIT_REPLACE, "\"hyperparameters\"", "\"hyper\"",
    BP_SESSION_FILE_ERROR_INVALID, "no \"hyperparameters\"" },
  { "weight-nan", EDIT_REPLACE, "\"weights\": [\n    [[", "\"weights\": [\n    [[NaN, ",
    BP_SESSION_FILE_ERROR_INVALID, NULL },
  { "weight-huge", EDIT_REPLACE, "\"weights\": [\n    [[", "\"weights\": [\n    [[1e39, ",
    BP_SESSION_FILE_ERROR_INVALID, NULL },
  { "sizes-lie", EDIT_REPLACE, "\"sizes\": [16, 8, 10]", "\"sizes\": [16, 9, 10]",
    BP_SESSION_FILE_ERROR_INVALID, "expected 9" },
  { "velocity-shape", EDIT_REPLACE, "\"velocity\": {\n    \"weights\": [",
    "\"velocity\": {\n    \"weights\": [[[1.0]], ",
    BP_SESSION_FILE_ERROR_INVALID, "velocity.weights" },
  { "unknown-cost", EDIT_MEMBER, "backprop_cost", "\"hinge\"", BP_SESSION_FILE_ERROR_INVALID,
    "hinge" },
  { "live-from-beyond", EDIT_MEMBER, "live_from", "99", BP_SESSION_FILE_ERROR_INVALID,
    "plots.live_from is 99" },
  { "sample-accuracy", EDIT_REPLACE, "\"samples\": [", "\"samples\": [[0.5, 2.0, 1.0], ",
    BP_SESSION_FILE_ERROR_INVALID, "plots.samples[0].accuracy is 2" },
  { "sample-pair", EDIT_REPLACE, "\"samples\": [", "\"samples\": [[0.5, 0.5], ",
    BP_SESSION_FILE_ERROR_INVALID, "expected 3" },
  { "mark-setting", EDIT_REPLACE, "\"marks\": [[1.25, \"η\"", "\"marks\": [[1.25, \"m\"",
    BP_SESSION_FILE_ERROR_INVALID, "plots.marks[0][1] is" },
  { "mark-late", EDIT_REPLACE, "\"marks\": [[1.25,", "\"marks\": [[40.0,",
    BP_SESSION_FILE_ERROR_INVALID, "plots.marks[0] is 40" },
  { "sample-late", EDIT_REPLACE, "\"samples\": [", "\"samples\": [[40.0, 0.5, 1.0], ",
    BP_SESSION_FILE_ERROR_INVALID, "plots.samples[0].x is 40" },
  { "samples-missing", EDIT_REPLACE, "\"samples\": [", "\"samplez\": [",
    BP_SESSION_FILE_ERROR_INVALID, "plots.samples is missing" },
  { "pins-number", EDIT_REPLACE, "\"pins\": [", "\"pins\": 5, \"old\": [",
    BP_SESSION_FILE_ERROR_INVALID, "plots.pins is an integer" },
  { "pin-label", EDIT_REPLACE, "{\"label\": \"", "{\"label\": 5, \"old\": \"",
    BP_SESSION_FILE_ERROR_INVALID, "plots.pins[0].label is an integer" },
  { "pin-label-long", EDIT_LONG_LABEL, NULL, NULL, BP_SESSION_FILE_ERROR_INVALID,
    "up to 1024 bytes" },
  { "pin-triple", EDIT_REPLACE, "\"training\": [", "\"training\": [[1.0, 0.5, 0.1], ",
    BP_SESSION_FILE_ERROR_INVALID, "plots.pins[0].accuracy.training[0] has 3 numbers" },
  { "pin-accuracy-2", EDIT_REPLACE, "\"training\": [", "\"training\": [[1.0, 2.0], ",
    BP_SESSION_FILE_ERROR_INVALID, "plots.pins[0].accuracy.training[0].y is 2" },
  { "pin-x-negative", EDIT_REPLACE, "\"training\": [", "\"training\": [[-1.0, 0.5], ",
    BP_SESSION_FILE_ERROR_INVALID, "plots.pins[0].accuracy.training[0].x is -1" },
  { "pin-x-null", EDIT_REPLACE, "\"training\": [", "\"training\": [[null, 0.5], ",
    BP_SESSION_FILE_ERROR_INVALID, "plots.pins[0].accuracy.training[0].x is null" },
  { "pin-cost-negative", EDIT_REPLACE, "\"validation\": [[", "\"validation\": [[1.0, -3.0], [",
    BP_SESSION_FILE_ERROR_INVALID, "plots.pins[0].cost.validation[0].y is -3" },
  { "pin-series-list", EDIT_REPLACE, "\"accuracy\": {", "\"accuracy\": [], \"old\": {",
    BP_SESSION_FILE_ERROR_INVALID, "plots.pins[0].accuracy is an array" },
  { "too-many-pins", EDIT_MANY_PINS, NULL, NULL, BP_SESSION_FILE_ERROR_INVALID, "at most 1000" },
  { "data-dir-number", EDIT_REPLACE, "\"data_dir\": null", "\"data_dir\": 7",
    BP_SESSION_FILE_ERROR_INVALID, "data_dir is an integer" },
};

static char *
apply_edit (const BadCase *c,
            const char    *good,
            gsize          len)
{
  switch (c->edit)
    {
    case EDIT_REPLACE:
      return replace_nth (good, c->a, 0, c->b);
    case EDIT_MEMBER:
      return set_member (good, c->a, c->b);
    case EDIT_TRUNCATE:
      return g_strndup (good, len / 2);
    case EDIT_WHOLE:
      return g_strdup (c->a);
    case EDIT_LONG_LABEL:
      {
        g_autofree char *x = g_strnfill (1025, 'x');
        g_autofree char *label = g_strdup_printf ("{\"label\": \"%s", x);

        return replace_nth (good, "{\"label\": \"", 0, label);
      }
    case EDIT_MANY_PINS:
    default:
      {
        g_autoptr(GString) pins = g_string_new ("\"pins\": [");

        for (guint i = 0; i < 1001; i++)
          g_string_append (pins, "{\"label\": \"a\", \"accuracy\": {}, \"cost\": {}}, ");
        return replace_nth (good, "\"pins\": [", 0, pins->str);
      }
    }
}

static void
test_bad_files (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("backprop-session-file-XXXXXX", NULL);
  g_autofree char *good_path = g_build_filename (tmp, "good.backprop", NULL);
  g_autoptr(GFile) good_file = g_file_new_for_path (good_path);
  g_autoptr(BpSessionPlots) plots = make_plots (0);
  g_autoptr(GError) error = NULL;
  g_autofree char *good = NULL;
  BpSession *source = new_session (120, FALSE);
  BpSession *session = new_session (120, FALSE);
  BpRun setup;
  BpHyperparams hyper;
  Outside before;
  gsize len;

  /* A history with known numbers to edit (epochs trained with η 3), and velocities. */
  bp_session_get_hyperparams (source, &hyper);
  hyper.momentum = 0.5f;
  g_assert_true (bp_session_set_hyperparams (source, &hyper, NULL));
  train_to (source, 2);
  g_assert_true (bp_session_file_write (source, plots, good_file, &error));
  g_assert_no_error (error);
  good = read_text (good_path, &len);

  /* The session the bad files are offered to is in the middle of something of its own. */
  small_setup (&setup);
  set_size (&setup, 1, 5);
  bp_session_reset (session, &setup);
  bp_session_set_epochs (session, 100000);
  bp_session_start (session);

  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      const BadCase *c = &bad_cases[i];
      g_autofree char *name = g_strdup_printf ("bad-%s.backprop", c->name);
      g_autofree char *path = g_build_filename (tmp, name, NULL);
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autoptr(BpSessionPlots) plots_back = NULL;
      g_autofree char *text = apply_edit (c, good, len);

      g_test_message ("%s", c->name);
      g_assert_true (g_file_set_contents (path, text, -1, NULL));
      if (i % 2 == 1)
        {
          /* Half of them while training runs, half while stopped. */
          bp_session_pause (session);
          wait_idle (session);
        }
      outside_get (session, &before);
      g_assert_false (bp_session_file_read (session, file, &plots_back, &error));
      g_assert_nonnull (error);
      g_test_message ("  %s", error->message);
      g_assert_true (g_error_matches (error, BP_SESSION_FILE_ERROR, c->code));
      g_assert_nonnull (strstr (error->message, path));
      if (c->message != NULL)
        g_assert_nonnull (strstr (error->message, c->message));
      g_assert_null (plots_back);
      assert_unchanged (session, &before);
      g_clear_error (&error);
      g_unlink (path);
      if (i % 2 == 1)
        bp_session_start (session);
    }

  /* The good file itself goes in. */
  bp_session_stop (session);
  g_assert_true (bp_session_file_read (session, good_file, NULL, &error));
  g_assert_no_error (error);

  g_assert_finalize_object (source);
  g_assert_finalize_object (session);
  g_unlink (good_path);
  g_rmdir (tmp);
}

/* A saved session fits only data of its own shape; a missing file is an I/O error. */
static void
test_wrong_data (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("backprop-session-file-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (tmp, "run.backprop", NULL);
  g_autofree char *missing_path = g_build_filename (tmp, "missing.backprop", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) missing = g_file_new_for_path (missing_path);
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *pixels = g_new0 (guint8, 30 * 25);
  g_autofree guint8 *labels = g_new0 (guint8, 30);
  BpSession *session = new_session (120, FALSE);
  BpSession *other = bp_session_new ();
  BpSession *no_data = bp_session_new ();
  BpError bp_error = { 0 };
  BpRun setup;
  Outside before;

  train_to (session, 1);
  g_assert_true (bp_session_file_write (session, NULL, file, &error));
  g_assert_no_error (error);

  /* 5×5 images: the saved network's 16 inputs do not fit. */
  small_setup (&setup);
  set_size (&setup, 0, 25);
  bp_session_reset (other, &setup);
  bp_session_set_datasets (other,
                           bp_dataset_new_from_data (30, 5, 5, pixels, labels, 10, &bp_error),
                           NULL, NULL);
  wait_idle (other);
  outside_get (other, &before);
  g_assert_false (bp_session_file_read (other, file, NULL, &error));
  g_assert_error (error, BP_SESSION_FILE_ERROR, BP_SESSION_FILE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "25 neurons"));
  assert_unchanged (other, &before);
  g_clear_error (&error);

  g_assert_false (bp_session_file_read (other, missing, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, missing_path));
  assert_unchanged (other, &before);
  g_clear_error (&error);

  /* Without data a session cannot be opened, nor saved. */
  g_assert_false (bp_session_file_read (no_data, file, NULL, &error));
  g_assert_error (error, BP_SESSION_FILE_ERROR, BP_SESSION_FILE_ERROR_NO_DATA);
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);
  g_assert_false (bp_session_file_write (no_data, NULL, missing, &error));
  g_assert_error (error, BP_SESSION_FILE_ERROR, BP_SESSION_FILE_ERROR_NO_DATA);
  g_assert_nonnull (strstr (error->message, missing_path));
  g_assert_false (g_file_test (missing_path, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  g_assert_finalize_object (session);
  g_assert_finalize_object (other);
  g_assert_finalize_object (no_data);
  g_unlink (path);
  g_rmdir (tmp);
}

/* A session whose network could not be built has nothing to save. */
static void
test_no_network (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("backprop-session-file-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (tmp, "run.backprop", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  BpSession *session = bp_session_new ();
  BpRun setup;

  /* A setup chosen before the data, which then does not fit it: the worker cannot build it. */
  small_setup (&setup);
  set_size (&setup, 0, 25);
  bp_session_reset (session, &setup);
  bp_session_set_datasets (session, bp_test_dataset_new (40, SIDE, N_CLASSES, 1, FALSE), NULL, NULL);
  wait_idle (session);
  g_assert_false (bp_session_has_network (session));
  g_assert_false (bp_session_file_write (session, NULL, file, &error));
  g_assert_error (error, BP_SESSION_FILE_ERROR, BP_SESSION_FILE_ERROR_NO_NETWORK);
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);
  g_assert_false (bp_session_save_model (session, path, &error));
  g_assert_nonnull (strstr (error->message, path));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  g_assert_finalize_object (session);
  g_rmdir (tmp);
}

/* Saving into a folder that cannot be written fails with the file's name, and the file saved
 * there before is still whole. */
static void
test_unwritable (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("backprop-session-file-XXXXXX", NULL);
  g_autofree char *dir = g_build_filename (tmp, "locked", NULL);
  g_autofree char *path = g_build_filename (dir, "run.backprop", NULL);
  g_autofree char *nowhere = g_build_filename (tmp, "no-such-folder", "run.backprop", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) nowhere_file = g_file_new_for_path (nowhere);
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  BpSession *session = new_session (120, FALSE);
  gboolean ok;
  uid_t euid = geteuid ();
  gsize len_before, len_after;

  g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);
  train_to (session, 1);
  g_assert_true (bp_session_file_write (session, NULL, file, &error));
  g_assert_no_error (error);
  before = read_text (path, &len_before);

  /* Train on, so that a save that went through would change the file. */
  train_to (session, 2);
  g_assert_cmpint (g_chmod (tmp, 0755), ==, 0);
  g_assert_cmpint (g_chmod (dir, 0555), ==, 0);
  /* The file itself may be written: only a save that writes it in place, rather than through
   * a temporary file renamed over it, could change it now. */
  g_assert_cmpint (g_chmod (path, 0666), ==, 0);
  /* Permissions do not bind root: save as nobody. */
  if (euid == 0)
    g_assert_cmpint (seteuid (65534), ==, 0);
  ok = bp_session_file_write (session, NULL, file, &error);
  if (euid == 0)
    g_assert_cmpint (seteuid (0), ==, 0);
  g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
  g_assert_false (ok);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "not saved"));
  g_clear_error (&error);
  after = read_text (path, &len_after);
  g_assert_cmpmem (before, len_before, after, len_after);

  /* No such folder. */
  g_assert_false (bp_session_file_write (session, NULL, nowhere_file, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, nowhere));
  g_clear_error (&error);
  g_assert_false (bp_session_save_model (session, nowhere, &error));
  g_assert_nonnull (strstr (error->message, nowhere));
  g_clear_error (&error);

  /* And saving where it can works again, over the old file. */
  g_assert_true (bp_session_file_write (session, NULL, file, &error));
  g_assert_no_error (error);
  g_free (after);
  after = read_text (path, &len_after);
  g_assert_true (len_after != len_before || memcmp (before, after, len_after) != 0);

  g_assert_finalize_object (session);
  g_unlink (path);
  g_rmdir (dir);
  g_rmdir (tmp);
}

/* ── Models ───────────────────────────────────────────────────────────────────────────────── */

/* A random model of @sizes saved with bp_model_save() (as network2.py would: no hyperparameters)
 * at @path; returns it. */
static BpNetwork *
write_model (const char   *path,
             const size_t *sizes,
             size_t        n_layers,
             BpCost        cost,
             guint64       seed,
             gboolean      with_velocity)
{
  BpModelInfo info = { 0 };
  BpError error = { 0 };
  BpNetwork *net;
  BpRng rng;

  net = bp_network_new_dense (sizes, n_layers, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID, cost,
                              &error);
  g_assert_nonnull (net);
  bp_rng_seed (&rng, seed, BP_RNG_STREAM_INIT);
  bp_network_init (net, BP_INIT_DEFAULT, &rng);
  if (with_velocity)
    {
      info.velocity = g_new (float, net->n_params);
      for (size_t i = 0; i < net->n_params; i++)
        info.velocity[i] = (float) (bp_rng_uniform (&rng) - 0.5) * 0.01f;
    }
  g_assert_true (bp_model_save (net, with_velocity ? &info : NULL, path, &error));
  g_free (info.velocity);
  return net;
}

static void
test_load_model (void)
{
  static const size_t sizes[] = { N_PIXELS, 6, N_CLASSES };
  g_autofree char *tmp = g_dir_make_tmp ("backprop-session-model-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (tmp, "net.json", NULL);
  g_autofree char *saved_path = g_build_filename (tmp, "saved.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(BpSnapshot) snapshot = NULL;
  g_autoptr(BpSnapshot) trained = NULL;
  BpSession *session = new_session (120, FALSE);
  BpNetwork *model = write_model (path, sizes, 3, BP_COST_CROSS_ENTROPY, 5, TRUE);
  BpModelInfo info = { 0 };
  BpError bp_error = { 0 };
  BpRun setup;
  BpNetwork *back;
  const BpEpochMetrics *history;
  guint generation, n;

  /* Loaded in the middle of a run: the run stops, the history goes. */
  train_to (session, 1);
  bp_session_set_epochs (session, 100000);
  bp_session_start (session);
  generation = bp_session_get_generation (session);
  g_assert_true (bp_session_load_model (session, path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (bp_session_get_state (session), ==, BP_SESSION_STATE_STOPPED);
  g_assert_cmpuint (bp_session_get_epoch (session), ==, 0);
  g_assert_cmpuint (bp_session_get_generation (session), ==, generation + 1);
  g_assert_true (bp_session_get_network_from_file (session));
  g_assert_true (bp_session_has_network (session));

  /* Published at once, before the worker has even taken it. */
  snapshot = bp_session_dup_snapshot (session);
  g_assert_cmpuint (snapshot->generation, ==, generation + 1);
  g_assert_cmpuint (snapshot->epoch, ==, 0);
  g_assert_cmpmem (snapshot->net->params, snapshot->net->n_params * sizeof (float),
                   model->params, model->n_params * sizeof (float));
  g_assert_nonnull (snapshot->velocity);
  bp_session_get_run (session, &setup);
  g_assert_cmpuint (setup.arch.n_layers + 1, ==, 3);
  g_assert_cmpuint (setup.arch.layers[0].size, ==, 6);
  g_assert_cmpint (setup.arch.cost, ==, BP_COST_CROSS_ENTROPY);
  g_assert_cmpint (setup.init, ==, BP_INIT_DEFAULT);

  /* The worker takes it over as it is, and Start trains it on from epoch 1. */
  wait_idle (session);
  g_clear_pointer (&snapshot, bp_snapshot_unref);
  snapshot = bp_session_dup_snapshot (session);
  g_assert_cmpmem (snapshot->net->params, snapshot->net->n_params * sizeof (float),
                   model->params, model->n_params * sizeof (float));
  train_to (session, 2);
  history = bp_session_get_history (session, &n);
  g_assert_cmpuint (history[0].epoch, ==, 1);
  g_assert_cmpuint (history[1].epoch, ==, 2);
  trained = bp_session_dup_snapshot (session);
  g_assert_true (memcmp (trained->net->params, model->params,
                         model->n_params * sizeof (float)) != 0);
  g_assert_true (bp_session_get_network_from_file (session));

  /* Saved, it reads back as the snapshot it was, with its setup and history. */
  g_assert_true (bp_session_save_model (session, saved_path, &error));
  g_assert_no_error (error);
  back = bp_model_load (saved_path, &info, &bp_error);
  g_assert_nonnull (back);
  g_assert_cmpmem (back->params, back->n_params * sizeof (float),
                   trained->net->params, trained->net->n_params * sizeof (float));
  g_assert_true (info.has_run);
  g_assert_cmpuint (info.n_history, ==, 2);
  g_assert_cmpuint (info.run.epochs, ==, 2);
  bp_network_free (back);
  bp_model_info_clear (&info);

  /* A reset makes a fresh network from the setup again. */
  bp_session_reset (session, NULL);
  g_assert_false (bp_session_get_network_from_file (session));
  wait_idle (session);

  bp_network_free (model);
  g_assert_finalize_object (session);
  g_unlink (path);
  g_unlink (saved_path);
  g_rmdir (tmp);
}

/* Models that do not fit the data, or are not models at all: refused, nothing changes. */
static void
test_load_model_refused (void)
{
  static const struct
  {
    size_t      sizes[3];
    const char *text;     /* the file's bytes instead of a model */
    GIOErrorEnum code;
    const char *message;
  } cases[] = {
    { { 25, 6, N_CLASSES }, NULL, G_IO_ERROR_INVALID_ARGUMENT, "16 neurons" },
    { { N_PIXELS, 6, 3 }, NULL, G_IO_ERROR_INVALID_ARGUMENT, "at least 10" },
    { { 0 }, "{\"sizes\": [16, 10], \"weights\": [], \"biases\": []}", G_IO_ERROR_INVALID_DATA,
      "cost" },
    { { 0 }, "not a model", G_IO_ERROR_INVALID_DATA, "unexpected" },
  };
  g_autofree char *tmp = g_dir_make_tmp ("backprop-session-model-XXXXXX", NULL);
  g_autofree char *missing = g_build_filename (tmp, "missing.json", NULL);
  g_autoptr(GError) error = NULL;
  BpSession *session = new_session (120, FALSE);
  Outside before;

  train_to (session, 1);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/refused-%u.json", tmp, i);

      if (cases[i].text != NULL)
        g_assert_true (g_file_set_contents (path, cases[i].text, -1, NULL));
      else
        bp_network_free (write_model (path, cases[i].sizes, 3, BP_COST_QUADRATIC, i, FALSE));
      outside_get (session, &before);
      g_assert_false (bp_session_load_model (session, path, &error));
      g_test_message ("%s", error->message);
      g_assert_error (error, G_IO_ERROR, (int) cases[i].code);
      g_assert_nonnull (strstr (error->message, path));
      g_assert_nonnull (strstr (error->message, cases[i].message));
      assert_unchanged (session, &before);
      g_assert_false (bp_session_get_network_from_file (session));
      g_clear_error (&error);
      g_unlink (path);
    }

  outside_get (session, &before);
  g_assert_false (bp_session_load_model (session, missing, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, missing));
  assert_unchanged (session, &before);

  g_assert_finalize_object (session);
  g_rmdir (tmp);
}

/* Without data a model is still opened (to read drawn digits); the data that comes later keeps
 * it as the network when it fits. */
static void
test_load_model_without_data (void)
{
  static const size_t sizes[] = { N_PIXELS, 7, N_CLASSES };
  g_autofree char *tmp = g_dir_make_tmp ("backprop-session-model-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (tmp, "net.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(BpSnapshot) snapshot = NULL;
  BpSession *session = bp_session_new ();
  BpNetwork *model = write_model (path, sizes, 3, BP_COST_QUADRATIC, 9, FALSE);

  g_assert_false (bp_session_has_network (session));
  g_assert_true (bp_session_load_model (session, path, &error));
  g_assert_no_error (error);
  g_assert_true (bp_session_has_network (session));
  g_assert_false (bp_session_can_start (session));
  g_assert_false (bp_session_get_busy (session));
  snapshot = bp_session_dup_snapshot (session);
  g_assert_nonnull (snapshot);
  g_assert_cmpmem (snapshot->net->params, snapshot->net->n_params * sizeof (float),
                   model->params, model->n_params * sizeof (float));
  g_assert_null (snapshot->velocity);

  bp_session_set_datasets (session, bp_test_dataset_new (120, SIDE, N_CLASSES, 1, FALSE),
                           bp_test_dataset_new (40, SIDE, N_CLASSES, 2, FALSE),
                           bp_test_dataset_new (40, SIDE, N_CLASSES, 3, FALSE));
  wait_idle (session);
  g_assert_true (bp_session_get_network_from_file (session));
  g_clear_pointer (&snapshot, bp_snapshot_unref);
  snapshot = bp_session_dup_snapshot (session);
  g_assert_cmpmem (snapshot->net->params, snapshot->net->n_params * sizeof (float),
                   model->params, model->n_params * sizeof (float));
  g_assert_true (bp_session_can_start (session));
  train_to (session, 1);

  bp_network_free (model);
  g_assert_finalize_object (session);
  g_unlink (path);
  g_rmdir (tmp);
}

/* A model opened while the worker trains is the snapshot from then on: the worker, finishing
 * the mini-batch it was in, does not publish the old network over it. */
static void
test_load_model_while_training (void)
{
  static const size_t sizes[] = { N_PIXELS, 6, N_CLASSES };
  g_autofree char *tmp = g_dir_make_tmp ("backprop-session-model-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (tmp, "net.json", NULL);
  BpSession *session = new_session (120, FALSE);
  BpNetwork *model = write_model (path, sizes, 3, BP_COST_QUADRATIC, 4, FALSE);
  BpRun setup;
  BpHyperparams hyper;

  /* Mini-batches of a millisecond or so, each publishing its snapshot. */
  small_setup (&setup);
  set_size (&setup, 1, 600);
  bp_session_get_hyperparams (session, &hyper);
  hyper.batch_size = 120;
  g_assert_true (bp_session_set_hyperparams (session, &hyper, NULL));
  for (guint round = 0; round < 20; round++)
    {
      gint64 end;

      bp_session_reset (session, &setup);
      wait_idle (session);
      for (guint i = 0; i < 50; i++)
        bp_session_step (session);
      g_usleep (2000);
      g_assert_true (bp_session_load_model (session, path, NULL));
      end = g_get_monotonic_time () + 10 * G_TIME_SPAN_MILLISECOND;
      while (g_get_monotonic_time () < end)
        {
          g_autoptr(BpSnapshot) snapshot = bp_session_dup_snapshot (session);

          g_assert_cmpuint (snapshot->generation, ==, bp_session_get_generation (session));
          g_assert_cmpmem (snapshot->net->params, snapshot->net->n_params * sizeof (float),
                           model->params, model->n_params * sizeof (float));
        }
      wait_idle (session);
    }

  bp_network_free (model);
  g_assert_finalize_object (session);
  g_unlink (path);
  g_rmdir (tmp);
}

#ifdef BP_TEST_DEFAULT_MODEL
/* The Draw and Mistakes views ask an opened model at once, also without data. */
static void
test_default_model_choose (void)
{
  static const size_t sizes[] = { 784, 16, 10 };
  g_autofree char *tmp = g_dir_make_tmp ("backprop-session-model-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (tmp, "net.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(BpSnapshot) snapshot = NULL;
  g_autofree char *description = NULL;
  BpSession *session = bp_session_new ();
  BpNetwork *model = write_model (path, sizes, 3, BP_COST_CROSS_ENTROPY, 3, FALSE);
  const BpNetwork *builtin, *chosen;

  builtin = bp_default_model_get (&error);
  g_assert_no_error (error);
  g_assert_nonnull (builtin);
  chosen = bp_default_model_choose (session, &snapshot, NULL);
  g_assert_true (chosen == builtin);
  g_assert_null (snapshot);

  g_assert_true (bp_session_load_model (session, path, &error));
  g_assert_no_error (error);
  chosen = bp_default_model_choose (session, &snapshot, &description);
  g_assert_nonnull (snapshot);
  g_assert_true (chosen == snapshot->net);
  g_assert_cmpmem (chosen->params, chosen->n_params * sizeof (float),
                   model->params, model->n_params * sizeof (float));
  g_assert_nonnull (strstr (description, "784-16-10"));
  g_clear_pointer (&snapshot, bp_snapshot_unref);

  /* Reset: the fresh network is random again, and the built-in model answers. */
  bp_session_reset (session, NULL);
  chosen = bp_default_model_choose (session, &snapshot, NULL);
  g_assert_true (chosen == builtin);
  g_assert_null (snapshot);

  bp_network_free (model);
  g_assert_finalize_object (session);
  g_unlink (path);
  g_rmdir (tmp);
}
#endif

/* Chapter 5's speed of learning, measured by the session's worker, goes into the run history
 * (before training and after each epoch) and through a session file into another session. */
static void
test_learning_speed (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("backprop-session-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (tmp, "speed.backprop", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  BpSession *session = bp_session_new ();
  BpSession *other;
  const BpEpochMetrics *history, *history_back;
  const double *speed, *speed_back;
  size_t n_speeds = 0, n_back = 0;
  guint n;
  BpRun setup;

  small_setup (&setup);
  bp_session_set_learning_speed (session, TRUE);
  bp_session_reset (session, &setup);
  bp_session_set_datasets (session, bp_test_dataset_new (100, SIDE, N_CLASSES, 1, FALSE),
                           bp_test_dataset_new (40, SIDE, N_CLASSES, 2, FALSE),
                           bp_test_dataset_new (40, SIDE, N_CLASSES, 3, FALSE));
  wait_idle (session);
  speed = bp_run_history_get_initial_speed (bp_session_get_run_history (session), &n_speeds);
  g_assert_cmpuint (n_speeds, ==, 1);
  g_assert_cmpfloat (speed[0], >, 0.0);
  train_to (session, 2);
  history = bp_session_get_history (session, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpuint (history[0].n_speeds, ==, 1);
  g_assert_cmpuint (history[1].n_speeds, ==, 1);

  g_assert_true (bp_session_file_save (session, file, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "\"initial_speed\""));

  other = new_session (100, FALSE);
  g_assert_true (bp_session_file_load (other, file, &error));
  g_assert_no_error (error);
  speed_back = bp_run_history_get_initial_speed (bp_session_get_run_history (other), &n_back);
  g_assert_cmpuint (n_back, ==, 1);
  g_assert_cmpmem (speed_back, sizeof (double), speed, sizeof (double));
  history_back = bp_session_get_history (other, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpuint (history_back[1].n_speeds, ==, 1);
  g_assert_cmpmem (history_back[1].speed, sizeof (double), history[1].speed, sizeof (double));

  /* A new network of a session that does not measure it has none. */
  bp_session_reset (other, NULL);
  bp_run_history_get_initial_speed (bp_session_get_run_history (other), &n_back);
  g_assert_cmpuint (n_back, ==, 0);

  g_assert_finalize_object (session);
  g_assert_finalize_object (other);
  g_unlink (path);
  g_rmdir (tmp);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/session-file/round-trip", test_round_trip);
  g_test_add_func ("/session-file/continue", test_continue);
  g_test_add_func ("/session-file/resume-identical", test_resume_identical);
  g_test_add_func ("/session-file/resume-repeatable", test_resume_repeatable);
  g_test_add_func ("/session-file/bad-files", test_bad_files);
  g_test_add_func ("/session-file/wrong-data", test_wrong_data);
  g_test_add_func ("/session-file/no-network", test_no_network);
  g_test_add_func ("/session-file/unwritable", test_unwritable);
  g_test_add_func ("/session-file/learning-speed", test_learning_speed);
  g_test_add_func ("/session-model/load", test_load_model);
  g_test_add_func ("/session-model/refused", test_load_model_refused);
  g_test_add_func ("/session-model/without-data", test_load_model_without_data);
  g_test_add_func ("/session-model/while-training", test_load_model_while_training);
#ifdef BP_TEST_DEFAULT_MODEL
  g_test_add_func ("/session-model/default-model-choose", test_default_model_choose);
#endif

  return g_test_run ();
}
