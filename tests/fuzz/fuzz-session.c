/* fuzz-session.c — libFuzzer target for session files: bytes to a whole session, or an error
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The reader under test is src/formats/bp-session-file.c (bp_session_file_parse()), reached
 * the way the app reaches it, through bp_session_file_read() (bp-session-io.c), so that what it
 * lets through is also checked against a session. Every input is written to a file (in
 * /dev/shm where there is one: the reader reads only GFiles) and offered to one session that has small synthetic data, 4×4 images of
 * 10 classes, so that 16-…-10 networks fit it and the seeds stay small. An input is the whole
 * file, unless its first byte is 0: then the rest is the members that follow the model's,
 * "backprop-session" among them, after a fixed, valid 16-10 model with a history of two epochs
 * (make_model_part()). Mutations of a whole file mostly break the model, which is most of its
 * bytes, before the session's member is even looked at.
 *
 * A file that is refused must say so in BP_SESSION_FILE_ERROR, in UTF-8, with the file's name,
 * give no plots and leave the session as it was. A file that is taken must leave a consistent
 * session (its history as long as its epoch and numbered on, a finite network that fits the
 * data, plots in their ranges) that the worker builds a trainer for; it is then saved, read
 * back and saved again: the same session and plots in between, and the same bytes twice.
 * bp_session_file_dup_data_dir() must agree with the reader on what is a session file. Nothing
 * may crash, leak, read out of bounds or log a warning. The seed corpus is corpus-session/
 * (member-* are inputs of the second kind), the dictionary fuzz-session.dict.
 */
#include "config.h"

#include "bp-session-io.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bp-model-io.h"
#include "bp-test-data.h"

int LLVMFuzzerInitialize (int    *argc,
                          char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

#define SIDE      4
#define N_PIXELS  (SIDE * SIDE)
#define N_CLASSES 10

static BpSession *session;
static char *dir;
static char *input_path;
static char *saved_path;
static char *again_path;
/* A model file without its closing brace, ready for more members (see above). */
static char *model_part;
static gsize model_part_len;

static void
remove_files_cb (void)
{
  g_unlink (input_path);
  g_unlink (saved_path);
  g_unlink (again_path);
  g_rmdir (dir);
}

/* The harness checks invariants; breaking one is a finding, so it aborts, saying which (and
 * leaves nothing behind in /dev/shm: libFuzzer keeps the input). */
static void
check (gboolean    ok,
       const char *what)
{
  if (ok)
    return;
  fprintf (stderr, "fuzz-session: broken: %s\n", what);
  if (dir != NULL)
    remove_files_cb ();
  abort ();
}

/* Until the worker has taken up every request (a reset builds its trainer). */
static void
wait_idle (void)
{
  while (bp_session_get_busy (session))
    g_main_context_iteration (NULL, TRUE);
}

/* The worker could not build a trainer for a network and setup that the reader took. */
static void
failed_cb (BpSession  *self,
           const char *message,
           gpointer    user_data)
{
  fprintf (stderr, "fuzz-session: the worker failed: %s\n", message);
  check (FALSE, "the worker trains what the reader took");
}

/* What bp_model_write_begin() writes for a 16-10 network with a history of two epochs and
 * momentum velocities, up to its last member: the same bytes on every run (binary fractions,
 * no timings). */
static char *
make_model_part (gsize *len)
{
  static const size_t sizes[] = { N_PIXELS, N_CLASSES };
  g_autofree float *velocity = NULL;
  BpEpochMetrics history[2];
  BpModelInfo info = { 0 };
  BpError error = { 0 };
  BpNetwork *net;
  GString *out;

  net = bp_network_new_dense (sizes, G_N_ELEMENTS (sizes), BP_ACTIVATION_SIGMOID,
                              BP_OUTPUT_SIGMOID, BP_COST_CROSS_ENTROPY, &error);
  check (net != NULL, "the model part's network");
  velocity = g_new (float, net->n_params);
  for (size_t i = 0; i < net->n_params; i++)
    {
      net->params[i] = (float) ((int) (i % 7) - 3) * 0.125f;
      velocity[i] = (float) ((int) (i % 5) - 2) / 64.0f;
    }
  for (guint e = 0; e < G_N_ELEMENTS (history); e++)
    history[e] = (BpEpochMetrics) {
      .epoch = e + 1,
      .train_cost = 2.5 - e * 0.25, .train_accuracy = 0.25 + e * 0.25,
      .validation_cost = 2.5 - e * 0.25, .validation_accuracy = 0.25 + e * 0.125,
      .test_cost = 2.5, .test_accuracy = 0.25, .seconds = 0.125, .eta = 3.0f,
    };
  info.has_run = TRUE;
  bp_run_init (&info.run);
  info.run.hyper.momentum = 0.5f;
  info.run.epochs = 4;
  info.history = history;
  info.n_history = G_N_ELEMENTS (history);
  info.velocity = velocity;

  /* The model's members, then a comma: the input's members follow. */
  out = g_string_new (NULL);
  check (bp_model_write_begin (out, net, &info, "model", &error), "writing the model part");
  bp_network_free (net);
  g_string_append (out, ",\n  ");
  *len = out->len;
  return g_string_free (out, FALSE);
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  BpRun setup;
  const size_t sizes[] = { N_PIXELS, 8, N_CLASSES };

  /* A warning or a critical (a g_return_if_fail() that fails) is a finding too. */
  g_log_set_always_fatal (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL);

  /* tmpfs where there is one: each input is a file. */
  dir = g_strdup ("/dev/shm/fuzz-session-XXXXXX");
  if (g_mkdtemp (dir) == NULL)
    {
      g_free (dir);
      dir = g_dir_make_tmp ("fuzz-session-XXXXXX", NULL);
      check (dir != NULL, "a temporary folder");
    }
  input_path = g_build_filename (dir, "input." BP_SESSION_FILE_SUFFIX, NULL);
  saved_path = g_build_filename (dir, "saved." BP_SESSION_FILE_SUFFIX, NULL);
  again_path = g_build_filename (dir, "again." BP_SESSION_FILE_SUFFIX, NULL);
  atexit (remove_files_cb);

  /* A 16-8-10 network first, so that the data (which does not fit the default 784-30-10)
   * comes to a setup that fits it. */
  session = bp_session_new ();
  g_signal_connect (session, "failed", G_CALLBACK (failed_cb), NULL);
  bp_run_init (&setup);
  bp_arch_from_sizes (&setup.arch, sizes, 3, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                      BP_COST_QUADRATIC, NULL);
  bp_session_reset (session, &setup);
  bp_session_set_datasets (session, bp_test_dataset_new (60, SIDE, N_CLASSES, 1, FALSE),
                           bp_test_dataset_new (30, SIDE, N_CLASSES, 2, FALSE),
                           bp_test_dataset_new (30, SIDE, N_CLASSES, 3, FALSE));
  wait_idle ();
  check (bp_session_has_network (session), "the first network");

  model_part = make_model_part (&model_part_len);
  return 0;
}

/* ── What the session looks like from outside ─────────────────────────────────────────────── */

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
outside_get (Outside *out)
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

static gboolean
same_double (double a,
             double b)
{
  return (isnan (a) && isnan (b)) || memcmp (&a, &b, sizeof a) == 0;
}

static gboolean
same_float (float a,
            float b)
{
  return memcmp (&a, &b, sizeof a) == 0;
}

static gboolean
same_hyper (const BpHyperparams *a,
            const BpHyperparams *b)
{
  return same_float (a->eta, b->eta) && same_float (a->lambda_l2, b->lambda_l2)
         && same_float (a->lambda_l1, b->lambda_l1) && same_float (a->momentum, b->momentum)
         && same_float (a->dropout, b->dropout) && a->batch_size == b->batch_size;
}

static gboolean
same_history (const BpEpochMetrics *a,
              const BpEpochMetrics *b,
              guint                 n)
{
  for (guint i = 0; i < n; i++)
    if (a[i].epoch != b[i].epoch || !same_double (a[i].train_cost, b[i].train_cost)
        || !same_double (a[i].train_accuracy, b[i].train_accuracy)
        || !same_double (a[i].validation_cost, b[i].validation_cost)
        || !same_double (a[i].validation_accuracy, b[i].validation_accuracy)
        || !same_double (a[i].test_cost, b[i].test_cost)
        || !same_double (a[i].test_accuracy, b[i].test_accuracy)
        || !same_double (a[i].seconds, b[i].seconds)
        || !(same_float (a[i].eta, b[i].eta) || (isnan (a[i].eta) && isnan (b[i].eta))))
      return FALSE;
  return TRUE;
}

static gboolean
same_points (const GArray *a,
             const GArray *b)
{
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    {
      const BpSessionPoint *p = &g_array_index (a, BpSessionPoint, i);
      const BpSessionPoint *q = &g_array_index (b, BpSessionPoint, i);

      if (!same_double (p->x, q->x) || !same_double (p->y, q->y))
        return FALSE;
    }
  return TRUE;
}

static gboolean
same_plots (const BpSessionPlots *a,
            const BpSessionPlots *b)
{
  if (a->live_from != b->live_from || a->samples->len != b->samples->len
      || a->pins->len != b->pins->len)
    return FALSE;
  for (guint i = 0; i < a->samples->len; i++)
    {
      const BpSessionSample *s = &g_array_index (a->samples, BpSessionSample, i);
      const BpSessionSample *t = &g_array_index (b->samples, BpSessionSample, i);

      if (!same_double (s->x, t->x) || !same_double (s->accuracy, t->accuracy)
          || !same_double (s->cost, t->cost))
        return FALSE;
    }
  for (guint i = 0; i < a->pins->len; i++)
    {
      const BpSessionPin *p = g_ptr_array_index (a->pins, i);
      const BpSessionPin *q = g_ptr_array_index (b->pins, i);

      if (strcmp (p->label, q->label) != 0)
        return FALSE;
      for (guint s = 0; s < BP_SESSION_ACCURACY_SERIES; s++)
        if (!same_points (p->accuracy[s], q->accuracy[s]))
          return FALSE;
      for (guint s = 0; s < BP_SESSION_COST_SERIES; s++)
        if (!same_points (p->cost[s], q->cost[s]))
          return FALSE;
    }
  return TRUE;
}

/* ── The invariants of a session that took a file ─────────────────────────────────────────── */

static gboolean
points_in_range (const GArray *points,
                 double        y_max)
{
  for (guint i = 0; i < points->len; i++)
    {
      const BpSessionPoint *p = &g_array_index (points, BpSessionPoint, i);

      if (!(isfinite (p->x) && p->x >= 0.0 && isfinite (p->y) && p->y >= 0.0 && p->y <= y_max))
        return FALSE;
    }
  return TRUE;
}

static void
check_plots (const BpSessionPlots *plots,
             guint                 n_epochs)
{
  check (plots != NULL, "plots given with a session taken");
  check (plots->live_from <= n_epochs, "live_from within the history");
  for (guint i = 0; i < plots->samples->len; i++)
    {
      const BpSessionSample *s = &g_array_index (plots->samples, BpSessionSample, i);

      check (s->x >= 0.0 && s->x <= n_epochs + 1.0, "a sample's x within the epochs");
      check (isnan (s->accuracy) || (s->accuracy >= 0.0 && s->accuracy <= 1.0),
             "a sample's accuracy in [0, 1] or NaN");
      check (isnan (s->cost) || (isfinite (s->cost) && s->cost >= 0.0),
             "a sample's cost finite and ≥ 0, or NaN");
    }
  check (plots->pins->len <= 1000, "at most 1000 pins");
  for (guint i = 0; i < plots->pins->len; i++)
    {
      const BpSessionPin *pin = g_ptr_array_index (plots->pins, i);

      check (pin->label != NULL && strlen (pin->label) <= 1024
             && g_utf8_validate (pin->label, -1, NULL), "a pin's label of up to 1 KiB of UTF-8");
      for (guint s = 0; s < BP_SESSION_ACCURACY_SERIES; s++)
        check (points_in_range (pin->accuracy[s], 1.0), "a pin's accuracies in [0, 1]");
      for (guint s = 0; s < BP_SESSION_COST_SERIES; s++)
        check (points_in_range (pin->cost[s], G_MAXDOUBLE), "a pin's costs finite and ≥ 0");
    }
}

static gboolean
all_finite (const float *values,
            size_t       n)
{
  for (size_t i = 0; i < n; i++)
    if (!isfinite (values[i]))
      return FALSE;
  return TRUE;
}

static void
check_session (const Outside *before)
{
  g_autoptr(BpSnapshot) snapshot = bp_session_dup_snapshot (session);
  const BpEpochMetrics *history;
  BpRun setup;
  const BpNetwork *net;
  guint n;

  history = bp_session_get_history (session, &n);
  check (bp_session_get_epoch (session) == n, "the epoch is the history's length");
  for (guint i = 0; i < n; i++)
    check (history[i].epoch == i + 1, "the history numbered 1 … n");
  check (bp_session_get_generation (session) == before->generation + 1, "one reset");
  check (bp_session_get_state (session) == BP_SESSION_STATE_STOPPED, "stopped");
  check (bp_session_has_network (session), "a network");
  check (bp_session_get_network_from_file (session), "the network from the file");
  check (bp_session_can_start (session) == (n < bp_session_get_epochs (session)),
         "Start possible while the target is ahead");

  check (snapshot != NULL && snapshot->generation == bp_session_get_generation (session),
         "a snapshot of the network taken");
  check (snapshot->epoch == n, "the snapshot's epoch is the history's length");
  net = snapshot->net;
  check (net->n_inputs == N_PIXELS && net->n_outputs >= N_CLASSES,
         "the network fits the data");
  check (bp_network_is_finite (net), "finite parameters");
  check (snapshot->velocity == NULL || all_finite (snapshot->velocity, net->n_params),
         "finite velocities");

  bp_session_get_run (session, &setup);
  check (bp_arch_equal (&setup.arch, &net->arch), "the setup describes the network");
  check (bp_session_check_run (session, &setup, NULL), "the setup fits the data");
}

/* Save, read back, save again: the same session, plots and bytes. */
static void
check_round_trip (const BpSessionPlots *plots)
{
  g_autoptr(GFile) saved = g_file_new_for_path (saved_path);
  g_autoptr(GFile) again = g_file_new_for_path (again_path);
  g_autoptr(BpSessionPlots) plots_back = NULL;
  g_autoptr(BpSnapshot) snapshot = NULL;
  g_autoptr(BpSnapshot) snapshot_back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree BpEpochMetrics *history = NULL;
  g_autofree char *text = NULL;
  g_autofree char *text_again = NULL;
  const BpEpochMetrics *history_back;
  Outside before, after;
  gsize len = 0, len_again = 0;

  outside_get (&before);
  history = g_memdup2 (bp_session_get_history (session, NULL),
                       before.n_history * sizeof (BpEpochMetrics));
  snapshot = bp_session_dup_snapshot (session);
  check (bp_session_file_write (session, plots, saved, &error), "saving what was read");
  check (bp_session_file_read (session, saved, &plots_back, &error), "reading what was saved");
  check_session (&before);
  check_plots (plots_back, before.n_history);

  outside_get (&after);
  check (after.n_history == before.n_history && after.epochs == before.epochs
         && bp_run_same_network (&after.setup, &before.setup)
         && same_hyper (&after.hyper, &before.hyper), "the same session read back");
  history_back = bp_session_get_history (session, NULL);
  check (same_history (history, history_back, before.n_history), "the same history read back");
  snapshot_back = bp_session_dup_snapshot (session);
  check (memcmp (snapshot->net->params, snapshot_back->net->params,
                 snapshot->net->n_params * sizeof (float)) == 0, "the same parameters read back");
  check ((snapshot->velocity == NULL) == (snapshot_back->velocity == NULL)
         && (snapshot->velocity == NULL
             || memcmp (snapshot->velocity, snapshot_back->velocity,
                        snapshot->net->n_params * sizeof (float)) == 0),
         "the same velocities read back");
  check (same_plots (plots, plots_back), "the same plots read back");

  wait_idle ();
  check (bp_session_file_write (session, plots_back, again, &error), "saving again");
  check (g_file_get_contents (saved_path, &text, &len, NULL)
         && g_file_get_contents (again_path, &text_again, &len_again, NULL), "the saves");
  check (len == len_again && memcmp (text, text_again, len) == 0, "the same bytes saved twice");
}

/* ── The target ───────────────────────────────────────────────────────────────────────────── */

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GFile) file = g_file_new_for_path (input_path);
  g_autoptr(BpSessionPlots) plots = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) dir_error = NULL;
  g_autofree char *data_dir = NULL;
  Outside before, after;
  gboolean written, ok;

  /* Not G_FILE_SET_CONTENTS_NONE: GLib 2.74 then writes over the old file without truncating
   * it, and a short input would end in the bytes of the one before. */
  if (size > 0 && data[0] == 0)
    {
      g_autoptr(GString) text = g_string_new_len (model_part, (gssize) model_part_len);

      g_string_append_len (text, (const char *) data + 1, (gssize) size - 1);
      g_string_append (text, "\n}\n");
      written = g_file_set_contents_full (input_path, text->str, (gssize) text->len,
                                          G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL);
    }
  else
    written = g_file_set_contents_full (input_path, (const char *) data, (gssize) size,
                                        G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL);
  check (written, "writing the input");

  outside_get (&before);
  ok = bp_session_file_read (session, file, &plots, &error);
  if (!ok)
    {
      check (error != NULL && error->domain == BP_SESSION_FILE_ERROR
             && (error->code == BP_SESSION_FILE_ERROR_INVALID
                 || error->code == BP_SESSION_FILE_ERROR_NOT_SESSION
                 || error->code == BP_SESSION_FILE_ERROR_NEWER), "a session-file error");
      check (strstr (error->message, input_path) != NULL, "the message names the file");
      /* The window shows it in a label: GError messages are UTF-8. */
      check (g_utf8_validate (error->message, -1, NULL), "the message is UTF-8");
      check (plots == NULL, "no plots from a file refused");
      outside_get (&after);
      check (after.generation == before.generation && after.serial == before.serial
             && after.n_history == before.n_history && after.epochs == before.epochs
             && bp_run_same_network (&after.setup, &before.setup)
             && same_hyper (&after.hyper, &before.hyper) && after.state == before.state,
             "the session as it was");
      /* Not a session, or a newer one: so says the data folder's reader too. */
      if (error->code != BP_SESSION_FILE_ERROR_INVALID)
        {
          data_dir = bp_session_file_dup_data_dir (file, &dir_error);
          check (data_dir == NULL && g_error_matches (dir_error, error->domain, error->code)
                 && g_utf8_validate (dir_error->message, -1, NULL),
                 "the data folder's reader refuses it alike");
        }
      return 0;
    }

  check (error == NULL, "no error with a session taken");
  check_session (&before);
  check_plots (plots, bp_session_get_epoch (session));
  data_dir = bp_session_file_dup_data_dir (file, &dir_error);
  check (dir_error == NULL, "the data folder's reader takes it too");

  /* The worker builds a trainer for what was read (failed_cb: a setup it cannot train). */
  wait_idle ();
  check_round_trip (plots);
  return 0;
}
