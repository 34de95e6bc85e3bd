/* test-session.c — BpSession: the worker thread, its commands and its events, without a display
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A small synthetic data set (4×4 images, 4 classes) trains in microseconds per mini-batch, so
 * hundreds of randomised command sequences run in seconds. Each checks that the session
 * settles (no deadlock), that every epoch the worker finished reached the main thread once and
 * in order (no lost or repeated event), and that the final state is the one the sequence of
 * commands calls for.
 */
#include "config.h"

#include "bp-presets.h"
#include "bp-session.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "bp-test-data.h"

#define SIDE      4
#define N_PIXELS  (SIDE * SIDE)
#define N_CLASSES 4

static void
small_setup (BpRun  *setup,
             size_t  hidden)
{
  const size_t sizes[] = { N_PIXELS, hidden, N_CLASSES };

  bp_run_init (setup);
  bp_arch_from_sizes (&setup->arch, sizes, 3, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                      BP_COST_QUADRATIC, NULL);
}

/* What a test records of the session's signals. */
typedef struct
{
  guint     epochs_seen;    /* epoch-finished since the last network-reset */
  gboolean  out_of_order;
  guint     samples;
  guint     diverged;
  guint     resets;
  GString  *last_message;
  float     last_eta;
} Recorder;

static void
epoch_finished_cb (BpSession            *session,
                   const BpEpochMetrics *metrics,
                   Recorder             *rec)
{
  if (metrics->epoch != rec->epochs_seen + 1)
    rec->out_of_order = TRUE;
  rec->epochs_seen++;
  rec->last_eta = metrics->eta;
  g_assert_true (isfinite (metrics->train_accuracy));
  g_assert_true (isfinite (metrics->validation_accuracy));
  g_assert_true (isfinite (metrics->test_accuracy));
}

static void
metrics_sampled_cb (BpSession *session,
                    double     x,
                    double     accuracy,
                    double     cost,
                    Recorder  *rec)
{
  g_assert_cmpfloat (accuracy, >=, 0.0);
  g_assert_cmpfloat (accuracy, <=, 1.0);
  g_assert_cmpfloat (x, >=, 0.0);
  rec->samples++;
}

static void
diverged_cb (BpSession  *session,
             const char *message,
             Recorder   *rec)
{
  rec->diverged++;
  g_string_assign (rec->last_message, message);
}

static void
network_reset_cb (BpSession *session,
                  Recorder  *rec)
{
  rec->resets++;
  /* A network taken over from a file comes with the epochs it has done. */
  rec->epochs_seen = bp_session_get_epoch (session);
}

static BpSession *
new_session (Recorder *rec,
             size_t    n_train)
{
  BpSession *session = bp_session_new ();
  BpRun setup;

  memset (rec, 0, sizeof *rec);
  rec->last_message = g_string_new (NULL);
  g_signal_connect (session, "epoch-finished", G_CALLBACK (epoch_finished_cb), rec);
  g_signal_connect (session, "metrics-sampled", G_CALLBACK (metrics_sampled_cb), rec);
  g_signal_connect (session, "diverged", G_CALLBACK (diverged_cb), rec);
  g_signal_connect (session, "network-reset", G_CALLBACK (network_reset_cb), rec);

  small_setup (&setup, 12);
  bp_session_reset (session, &setup);
  bp_session_set_datasets (session, bp_test_dataset_new (n_train, SIDE, N_CLASSES, 1, FALSE),
                           bp_test_dataset_new (60, SIDE, N_CLASSES, 2, FALSE),
                           bp_test_dataset_new (60, SIDE, N_CLASSES, 3, FALSE));
  return session;
}

static void
recorder_clear (Recorder *rec)
{
  g_string_free (rec->last_message, TRUE);
}

static gboolean
timeout_cb (gpointer data)
{
  gboolean *expired = data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

/* Run the main loop until @session has caught up with every request. A session that never
 * settles is a deadlock: fail after 20 seconds rather than hang. */
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

/* Run the main loop for about @ms milliseconds. */
static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * G_TIME_SPAN_MILLISECOND;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (100);
    }
}

static void
wait_epochs (BpSession *session,
             guint      epochs)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_TIME_SPAN_SECOND;

  while (bp_session_get_epoch (session) < epochs)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (200);
    }
}

static void
check_consistent (BpSession *session,
                  Recorder  *rec)
{
  g_autoptr(BpSnapshot) snapshot = NULL;
  const BpEpochMetrics *history;
  guint n;

  history = bp_session_get_history (session, &n);
  g_assert_false (rec->out_of_order);
  g_assert_cmpuint (rec->epochs_seen, ==, n);
  g_assert_cmpuint (bp_session_get_epoch (session), ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (history[i].epoch, ==, i + 1);

  /* The worker's own count, carried by the snapshot it publishes at every epoch's end. */
  snapshot = bp_session_dup_snapshot (session);
  if (snapshot != NULL)
    {
      g_assert_cmpuint (snapshot->generation, ==, bp_session_get_generation (session));
      g_assert_cmpuint (snapshot->epoch, ==, n);
    }
}

static void
test_session_start_pause (void)
{
  Recorder rec;
  BpSession *session = new_session (&rec, 240);
  guint epochs;

  bp_session_set_epochs (session, 100000);
  wait_idle (session);
  g_assert_cmpint (bp_session_get_state (session), ==, BP_SESSION_STATE_STOPPED);
  g_assert_true (bp_session_can_start (session));

  bp_session_start (session);
  g_assert_cmpint (bp_session_get_state (session), ==, BP_SESSION_STATE_RUNNING);
  g_assert_false (bp_session_can_start (session));
  wait_epochs (session, 3);
  bp_session_pause (session);
  g_assert_cmpint (bp_session_get_state (session), ==, BP_SESSION_STATE_PAUSED);
  wait_idle (session);
  check_consistent (session, &rec);

  /* Paused means paused: nothing trains until the next command. */
  epochs = bp_session_get_epoch (session);
  spin (50);
  g_assert_cmpuint (bp_session_get_epoch (session), ==, epochs);
  g_assert_cmpint (bp_session_get_state (session), ==, BP_SESSION_STATE_PAUSED);

  /* The network learns the quadrants. */
  g_assert_cmpfloat (bp_session_get_history (session, NULL)[epochs - 1].validation_accuracy, >, 0.9);

  g_assert_finalize_object (session);
  recorder_clear (&rec);
}

static void
test_session_steps (void)
{
  Recorder rec;
  BpSession *session = new_session (&rec, 240);
  g_autoptr(BpSnapshot) before = NULL;
  g_autoptr(BpSnapshot) after = NULL;

  wait_idle (session);
  before = bp_session_dup_snapshot (session);
  g_assert_nonnull (before);
  g_assert_cmpuint (before->net->layers[0].n_out, ==, 12);

  /* Steps queue up: five calls, five mini-batches. */
  for (guint i = 0; i < 5; i++)
    bp_session_step (session);
  g_assert_cmpint (bp_session_get_state (session), ==, BP_SESSION_STATE_PAUSED);
  wait_idle (session);
  g_assert_cmpuint (bp_session_get_batches_done (session), ==, 5);
  g_assert_cmpfloat_with_epsilon (bp_session_get_progress (session), 5.0 / 24.0, 1e-9);
  g_assert_cmpuint (rec.epochs_seen, ==, 0);
  g_assert_cmpuint (rec.samples, ==, 5);

  /* A step publishes its snapshot, with the trained parameters. */
  after = bp_session_dup_snapshot (session);
  g_assert_cmpuint (after->serial, >, before->serial);
  g_assert_true (memcmp (before->net->params, after->net->params,
                         before->net->n_params * sizeof (float)) != 0);

  /* The session keeps the last step's mini-batch: the fifth of epoch 1, ten distinct training
   * images, the network the step left being the latest snapshot. */
  {
    BpMiniBatch *batch = bp_session_get_last_batch (session);
    g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);

    g_assert_nonnull (batch);
    g_assert_cmpuint (batch->epoch, ==, 1);
    g_assert_cmpuint (batch->batch, ==, 5);
    g_assert_cmpuint (batch->n_batches, ==, 24);
    g_assert_cmpuint (batch->n, ==, 10);
    for (guint i = 0; i < batch->n; i++)
      {
        g_assert_cmpuint (batch->indices[i], <, 240);
        g_assert_cmpuint (batch->labels[i], ==,
                          bp_session_get_train_set (session)->labels[batch->indices[i]]);
        g_hash_table_add (seen, GUINT_TO_POINTER (batch->indices[i] + 1));
      }
    g_assert_cmpuint (g_hash_table_size (seen), ==, 10);
    g_assert_cmpmem (batch->after->net->params, after->net->n_params * sizeof (float),
                     after->net->params, after->net->n_params * sizeof (float));
  }

  /* The rest of the epoch, then a pause. */
  bp_session_step_epoch (session);
  g_assert_cmpint (bp_session_get_state (session), ==, BP_SESSION_STATE_RUNNING);
  wait_idle (session);
  /* Running to the end of the epoch is no single step: the last batch stays the fifth's. */
  g_assert_cmpuint (bp_session_get_last_batch (session)->batch, ==, 5);
  g_assert_cmpint (bp_session_get_state (session), ==, BP_SESSION_STATE_PAUSED);
  g_assert_cmpuint (bp_session_get_batches_done (session), ==, 24);
  g_assert_cmpuint (bp_session_get_epoch (session), ==, 1);
  g_assert_cmpfloat (bp_session_get_progress (session), ==, 0.0);

  /* A whole epoch from an epoch boundary. */
  bp_session_step_epoch (session);
  wait_idle (session);
  g_assert_cmpuint (bp_session_get_batches_done (session), ==, 48);
  check_consistent (session, &rec);

  /* A new network forgets the old one's mini-batch. */
  bp_session_reset (session, NULL);
  g_assert_null (bp_session_get_last_batch (session));

  g_assert_finalize_object (session);
  recorder_clear (&rec);
}

static void
test_session_epoch_target (void)
{
  Recorder rec;
  BpSession *session = new_session (&rec, 120);

  bp_session_set_epochs (session, 3);
  bp_session_start (session);
  wait_idle (session);
  g_assert_cmpint (bp_session_get_state (session), ==, BP_SESSION_STATE_STOPPED);
  g_assert_cmpuint (bp_session_get_epoch (session), ==, 3);
  g_assert_false (bp_session_can_start (session));

  /* Starting again changes nothing until the target is raised. */
  bp_session_start (session);
  wait_idle (session);
  g_assert_cmpint (bp_session_get_state (session), ==, BP_SESSION_STATE_STOPPED);
  g_assert_cmpuint (bp_session_get_epoch (session), ==, 3);

  bp_session_set_epochs (session, 5);
  g_assert_true (bp_session_can_start (session));
  bp_session_start (session);
  wait_idle (session);
  g_assert_cmpint (bp_session_get_state (session), ==, BP_SESSION_STATE_STOPPED);
  g_assert_cmpuint (bp_session_get_epoch (session), ==, 5);
  check_consistent (session, &rec);

  /* A reset starts over with the same seed: the same first epoch, bit for bit. */
  {
    BpEpochMetrics first = bp_session_get_history (session, NULL)[0];
    guint resets = rec.resets;

    bp_session_reset (session, NULL);
    g_assert_cmpuint (bp_session_get_epoch (session), ==, 0);
    g_assert_cmpuint (rec.resets, ==, resets + 1);
    bp_session_step_epoch (session);
    wait_idle (session);
    g_assert_cmpuint (bp_session_get_epoch (session), ==, 1);
    g_assert_cmpfloat (bp_session_get_history (session, NULL)[0].validation_cost, ==,
                       first.validation_cost);
  }

  g_assert_finalize_object (session);
  recorder_clear (&rec);
}

/* Run the main loop until an epoch finished with @eta (the last one reported); fail after 20
 * seconds. */
static void
wait_eta (Recorder *rec,
          float     eta)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_TIME_SPAN_SECOND;

  while (rec->last_eta != eta)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (200);
    }
}

static void
test_session_live_hyperparams (void)
{
  Recorder rec;
  BpSession *session = new_session (&rec, 240);
  BpHyperparams hyper;
  g_autoptr(GError) error = NULL;
  guint resets = rec.resets;

  bp_session_set_epochs (session, 100000);
  bp_session_start (session);
  wait_epochs (session, 2);

  /* While running: applied from the next mini-batch, without a reset. */
  bp_session_get_hyperparams (session, &hyper);
  hyper.eta = 0.25f;
  hyper.batch_size = 7;
  hyper.lambda_l2 = 0.5f;
  hyper.momentum = 0.5f;
  g_assert_true (bp_session_set_hyperparams (session, &hyper, &error));
  g_assert_no_error (error);
  /* The epochs delivered next may have finished before the worker took the new η (a loaded
   * machine lets it run ahead of the main loop): wait for one that trained with it. */
  wait_eta (&rec, 0.25f);
  bp_session_pause (session);
  wait_idle (session);
  g_assert_cmpfloat (rec.last_eta, ==, 0.25f);
  g_assert_cmpuint (rec.resets, ==, resets);
  check_consistent (session, &rec);

  /* Out of range: refused, nothing changes. */
  hyper.eta = -1.0f;
  g_assert_false (bp_session_set_hyperparams (session, &hyper, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "learning rate"));
  bp_session_get_hyperparams (session, &hyper);
  g_assert_cmpfloat (hyper.eta, ==, 0.25f);

  g_assert_finalize_object (session);
  recorder_clear (&rec);
}

static void
test_session_diverge (void)
{
  Recorder rec;
  BpSession *session = new_session (&rec, 240);
  BpRun setup;
  BpHyperparams hyper;
  g_autoptr(BpSnapshot) snapshot = NULL;

  /* With ηλ/n far above 1 the weight decay overshoots: every step multiplies the weights by
   * about −400, and they overflow within a few mini-batches. */
  small_setup (&setup, 12);
  bp_session_reset (session, &setup);
  bp_session_get_hyperparams (session, &hyper);
  hyper.eta = 100.0f;
  hyper.lambda_l2 = 1000.0f;
  g_assert_true (bp_session_set_hyperparams (session, &hyper, NULL));
  bp_session_set_epochs (session, 1000);
  bp_session_start (session);
  wait_idle (session);

  g_assert_cmpuint (rec.diverged, ==, 1);
  g_assert_nonnull (strstr (rec.last_message->str, "diverged"));
  g_assert_nonnull (strstr (rec.last_message->str, "smaller"));
  g_assert_cmpuint (bp_session_get_epoch (session), ==, 0);
  g_assert_cmpint (bp_session_get_state (session), ==, BP_SESSION_STATE_PAUSED);
  g_assert_true (bp_session_can_start (session));

  /* Back to the last good parameters. */
  snapshot = bp_session_dup_snapshot (session);
  for (size_t i = 0; i < snapshot->net->n_params; i++)
    g_assert_true (isfinite (snapshot->net->params[i]));

  g_assert_finalize_object (session);
  recorder_clear (&rec);
}

/* A snapshot in a reader's hands never changes, however long the worker keeps training. */
static void
test_session_snapshot_immutable (void)
{
  Recorder rec;
  BpSession *session = new_session (&rec, 240);
  guint64 last_serial = 0;

  bp_session_set_epochs (session, 100000);
  /* The first snapshot is published once the worker has built the network. */
  wait_idle (session);
  bp_session_start (session);
  for (guint i = 0; i < 20; i++)
    {
      g_autoptr(BpSnapshot) snapshot = NULL;
      g_autofree float *copy = NULL;
      size_t n;

      spin (5);
      snapshot = bp_session_dup_snapshot (session);
      g_assert_cmpuint (snapshot->serial, >=, last_serial);
      last_serial = snapshot->serial;
      n = snapshot->net->n_params;
      copy = g_memdup2 (snapshot->net->params, n * sizeof (float));
      spin (40);
      g_assert_cmpmem (copy, n * sizeof (float), snapshot->net->params, n * sizeof (float));
    }
  g_assert_cmpuint (last_serial, >, 5);
  bp_session_stop (session);
  wait_idle (session);

  g_assert_finalize_object (session);
  recorder_clear (&rec);
}

/* Dropping the session while its worker trains joins the worker; nothing is left behind. */
static void
test_session_dispose_running (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  for (guint i = 0; i < 40; i++)
    {
      Recorder rec;
      BpSession *session = new_session (&rec, 240);

      bp_session_set_epochs (session, 100000);
      bp_session_start (session);
      spin (g_rand_int_range (rand, 0, 8));
      g_assert_finalize_object (session);
      recorder_clear (&rec);
    }
}

/* The state a sequence of commands leads to, as the session's documentation describes it. */
typedef enum
{
  MODEL_STOPPED,
  MODEL_RUNNING,
  MODEL_PAUSED,
  MODEL_RUNNING_EPOCH, /* becomes MODEL_PAUSED on its own at the end of the epoch */
} ModelState;

static BpSessionState
model_to_state (ModelState model)
{
  switch (model)
    {
    case MODEL_RUNNING:
    case MODEL_RUNNING_EPOCH:
      return BP_SESSION_STATE_RUNNING;
    case MODEL_PAUSED:
      return BP_SESSION_STATE_PAUSED;
    case MODEL_STOPPED:
    default:
      return BP_SESSION_STATE_STOPPED;
    }
}

/* The session's state agrees with the model, allowing for the endings that come by themselves:
 * a run to the end of the epoch pauses, a run that reaches a finite target stops. */
static void
check_state (BpSession  *session,
             ModelState  model,
             gboolean    finite_target)
{
  BpSessionState state = bp_session_get_state (session);

  if (model == MODEL_RUNNING_EPOCH)
    g_assert_true (state == BP_SESSION_STATE_RUNNING || state == BP_SESSION_STATE_PAUSED
                   || (finite_target && state == BP_SESSION_STATE_STOPPED));
  else if (model == MODEL_RUNNING && finite_target)
    g_assert_true (state == BP_SESSION_STATE_RUNNING || state == BP_SESSION_STATE_STOPPED);
  else
    g_assert_cmpint (state, ==, model_to_state (model));
}

typedef enum
{
  OP_START,
  OP_PAUSE,
  OP_STEP,
  OP_STEP_EPOCH,
  OP_STOP,
  OP_HYPER,
  OP_EPOCHS,
  OP_RESET,
  OP_ADOPT,
  OP_WAIT,
  N_OPS
} Op;

static void
random_hyper (GRand         *rand,
              BpHyperparams *hyper)
{
  /* Ranges in which these small networks never diverge, so that no run ends unexpectedly. */
  hyper->eta = (float) g_rand_double_range (rand, 0.05, 2.0);
  hyper->lambda_l2 = g_rand_boolean (rand) ? 0.0f : (float) g_rand_double_range (rand, 0.0, 2.0);
  hyper->lambda_l1 = 0.0f;
  hyper->momentum = g_rand_boolean (rand) ? 0.0f : (float) g_rand_double_range (rand, 0.0, 0.5);
  hyper->dropout = g_rand_boolean (rand) ? 0.0f : (float) g_rand_double_range (rand, 0.0, 0.5);
  hyper->batch_size = (size_t) g_rand_int_range (rand, 1, 40);
  hyper->l2_form = BP_L2_NETWORK2;
}

static void
random_setup (GRand *rand,
              BpRun *setup)
{
  small_setup (setup, (size_t) g_rand_int_range (rand, 1, 24));
  bp_arch_set_activation (&setup->arch,
                          g_rand_boolean (rand) ? BP_ACTIVATION_SIGMOID : BP_ACTIVATION_TANH);
  switch (g_rand_int_range (rand, 0, 3))
    {
    case 0:
      setup->arch.cost = BP_COST_QUADRATIC;
      break;
    case 1:
      setup->arch.cost = BP_COST_CROSS_ENTROPY;
      break;
    default:
      setup->arch.cost = BP_COST_LOG_LIKELIHOOD;
      setup->arch.output = BP_OUTPUT_SOFTMAX;
      break;
    }
  setup->init = g_rand_boolean (rand) ? BP_INIT_LARGE : BP_INIT_DEFAULT;
  setup->seed = g_rand_int (rand);
  setup->train_size = g_rand_boolean (rand) ? 0 : (gsize) g_rand_int_range (rand, 1, 240);
}

/* One random sequence of commands on @session, checked against the model at the end. */
static void
run_sequence (BpSession *session,
              Recorder  *rec,
              GRand     *rand)
{
  ModelState model = (ModelState) bp_session_get_state (session);
  guint n_ops = (guint) g_rand_int_range (rand, 5, 30);
  gboolean finite_target = g_rand_int_range (rand, 0, 4) == 0;
  /* Mini-batches asked for one at a time since the last reset, while nothing else trained. */
  gboolean only_steps = FALSE;
  guint64 steps = 0;

  /* Most sequences keep a target out of reach, so that a run ends only by a command; some
   * have a small one and let runs finish by themselves. */
  bp_session_set_epochs (session, finite_target ? (guint) g_rand_int_range (rand, 1, 6) : 100000);

  for (guint i = 0; i < n_ops; i++)
    {
      Op op = (Op) g_rand_int_range (rand, 0, N_OPS);
      BpHyperparams hyper;
      BpRun setup;

      /* A run to the end of an epoch (or a run with a reachable target) ends by itself, at a
       * moment the test cannot know: before a command whose effect depends on whether it has
       * ended, wait for it to end. */
      if ((model == MODEL_RUNNING_EPOCH || (model == MODEL_RUNNING && finite_target))
          && (op == OP_START || op == OP_STEP || op == OP_STEP_EPOCH || op == OP_PAUSE
              || op == OP_EPOCHS))
        {
          wait_idle (session);
          model = (ModelState) bp_session_get_state (session);
          g_assert_cmpint (model, !=, MODEL_RUNNING);
        }

      switch (op)
        {
        case OP_START:
          if (model != MODEL_RUNNING && model != MODEL_RUNNING_EPOCH)
            {
              /* A run at its target may start again only inside an epoch, which a step still
               * on its way may have begun: let the steps land before deciding. */
              if (!bp_session_can_start (session))
                wait_idle (session);
              if (!bp_session_can_start (session))
                {
                  /* A finished run: start does nothing visible but ends again at once. */
                  bp_session_start (session);
                  wait_idle (session);
                  g_assert_cmpint (bp_session_get_state (session), ==, BP_SESSION_STATE_STOPPED);
                  model = MODEL_STOPPED;
                  break;
                }
              bp_session_start (session);
              model = MODEL_RUNNING;
              only_steps = FALSE;
            }
          else
            bp_session_start (session);
          break;

        case OP_PAUSE:
          bp_session_pause (session);
          if (model == MODEL_RUNNING || model == MODEL_RUNNING_EPOCH)
            model = MODEL_PAUSED;
          break;

        case OP_STEP:
          bp_session_step (session);
          if (model != MODEL_RUNNING && model != MODEL_RUNNING_EPOCH)
            {
              model = MODEL_PAUSED;
              steps++;
            }
          break;

        case OP_STEP_EPOCH:
          bp_session_step_epoch (session);
          if (model != MODEL_RUNNING && model != MODEL_RUNNING_EPOCH)
            {
              model = MODEL_RUNNING_EPOCH;
              only_steps = FALSE;
            }
          break;

        case OP_STOP:
          /* Stop drops the steps still queued: the count stays exact only if they are done. */
          if (only_steps && g_rand_boolean (rand))
            wait_idle (session);
          else
            only_steps = FALSE;
          bp_session_stop (session);
          model = MODEL_STOPPED;
          break;

        case OP_HYPER:
          random_hyper (rand, &hyper);
          g_assert_true (bp_session_set_hyperparams (session, &hyper, NULL));
          break;

        case OP_EPOCHS:
          if (finite_target)
            bp_session_set_epochs (session, (guint) g_rand_int_range (rand, 1, 6));
          break;

        case OP_RESET:
          if (g_rand_boolean (rand))
            {
              random_setup (rand, &setup);
              g_assert_true (bp_session_check_run (session, &setup, NULL));
              bp_session_reset (session, &setup);
            }
          else
            bp_session_reset (session, NULL);
          g_assert_cmpuint (bp_session_get_epoch (session), ==, 0);
          model = MODEL_STOPPED;
          only_steps = TRUE;
          steps = 0;
          break;

        case OP_ADOPT:
          {
            /* The network as it stands, taken over as if from a file, with its history. */
            g_autoptr(BpSnapshot) snapshot = bp_session_dup_snapshot (session);
            const BpEpochMetrics *history;
            guint n;

            if (snapshot == NULL || snapshot->generation != bp_session_get_generation (session))
              break;
            history = bp_session_get_history (session, &n);
            bp_session_get_run (session, &setup);
            g_assert_true (bp_session_adopt (session, snapshot->net, &setup, history,
                                             MIN (n, snapshot->epoch), snapshot->velocity, NULL));
            g_assert_cmpuint (bp_session_get_epoch (session), ==, MIN (n, snapshot->epoch));
            g_assert_true (bp_session_has_network (session));
            model = MODEL_STOPPED;
            only_steps = TRUE;
            steps = 0;
          }
          break;

        case OP_WAIT:
        case N_OPS:
        default:
          spin ((guint) g_rand_int_range (rand, 0, 4));
          break;
        }

      check_state (session, model, finite_target);
      if (g_rand_int_range (rand, 0, 3) == 0)
        g_main_context_iteration (NULL, FALSE);
    }

  /* End every sequence in a state that settles. */
  if (finite_target && (model == MODEL_RUNNING || model == MODEL_RUNNING_EPOCH))
    {
      /* It ends by itself: stopped at the target, or paused at the end of the epoch. */
      wait_idle (session);
      model = (ModelState) bp_session_get_state (session);
      g_assert_cmpint (model, !=, MODEL_RUNNING);
    }
  else if (model == MODEL_RUNNING || model == MODEL_RUNNING_EPOCH)
    {
      if (g_rand_boolean (rand))
        {
          bp_session_pause (session);
          model = MODEL_PAUSED;
        }
      else
        {
          bp_session_stop (session);
          model = MODEL_STOPPED;
        }
    }
  wait_idle (session);

  g_assert_cmpint (bp_session_get_state (session), ==, model_to_state (model));
  check_consistent (session, rec);
  if (only_steps)
    g_assert_cmpuint (bp_session_get_batches_done (session), ==, steps);
}

static void
test_session_random_sequences (void)
{
  const char *seed_env = g_getenv ("BACKPROP_TEST_SEED");
  guint32 seed = seed_env != NULL ? (guint32) g_ascii_strtoull (seed_env, NULL, 10) : 20241128;
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  guint n_sequences = g_test_slow () ? 2000 : 400;
  BpSession *session = NULL;
  Recorder rec;

  g_test_message ("seed %u (set BACKPROP_TEST_SEED to repeat another), %u sequences",
                  seed, n_sequences);

  for (guint i = 0; i < n_sequences; i++)
    {
      /* A new session now and then, so that sessions are also dropped in every state. */
      if (session != NULL && g_rand_int_range (rand, 0, 20) == 0)
        {
          g_assert_finalize_object (g_steal_pointer (&session));
          recorder_clear (&rec);
        }
      if (session == NULL)
        session = new_session (&rec, 240);
      run_sequence (session, &rec, rand);
    }

  g_assert_finalize_object (session);
  recorder_clear (&rec);
}

static void
load_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GError **error = user_data;

  g_assert_false (bp_session_load_mnist_finish (BP_SESSION (source), result, error));
}

static void
test_session_load_missing (void)
{
  BpSession *session = bp_session_new ();
  g_autofree char *dir = g_dir_make_tmp ("backprop-session-XXXXXX", NULL);
  GError *error = NULL;

  bp_session_load_mnist_async (session, dir, NULL, load_done_cb, &error);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "train-images-idx3-ubyte"));
  g_assert_false (bp_session_has_data (session));
  g_assert_false (bp_session_can_start (session));
  g_clear_error (&error);
  g_rmdir (dir);

  g_assert_finalize_object (session);
}

static void
test_session_check_setup (void)
{
  Recorder rec;
  BpSession *session = new_session (&rec, 240);
  BpRun setup;
  g_autoptr(GError) error = NULL;

  small_setup (&setup, 12);
  g_assert_true (bp_session_check_run (session, &setup, NULL));

  setup.arch.in_height = 28;
  setup.arch.in_width = 28;
  g_assert_false (bp_session_check_run (session, &setup, &error));
  g_assert_nonnull (strstr (error->message, "16 neurons"));
  g_clear_error (&error);

  small_setup (&setup, 12);
  setup.arch.layers[1].size = 3;
  g_assert_false (bp_session_check_run (session, &setup, &error));
  g_assert_nonnull (strstr (error->message, "at least 4"));
  g_clear_error (&error);

  small_setup (&setup, 12);
  setup.arch.cost = BP_COST_LOG_LIKELIHOOD;
  g_assert_false (bp_session_check_run (session, &setup, &error));
  g_clear_error (&error);

  wait_idle (session);
  g_assert_finalize_object (session);
  recorder_clear (&rec);
}

/* Every book preset is a valid session on MNIST-shaped data, and is recognised again. */
static void
test_session_presets (void)
{
  BpSession *session = bp_session_new ();
  g_autofree guint8 *pixels = g_new0 (guint8, 20 * 784);
  guint8 labels[20];
  BpError error = { 0 };

  for (guint i = 0; i < 20; i++)
    labels[i] = (guint8) (i % 10);
  bp_session_set_datasets (session, bp_dataset_new_from_data (20, 28, 28, pixels, labels, 10, &error),
                           NULL, NULL);
  g_assert_cmpuint (bp_presets_get_count (), >=, 4);

  for (guint i = 0; i < bp_presets_get_count (); i++)
    {
      const BpPreset *preset = bp_presets_get (i);
      g_autoptr(GError) gerror = NULL;
      const BpRun *run = &preset->book->run;
      BpRun other = *run;

      g_test_message ("%s: %s", preset->book->name, preset->description);
      g_assert_true (g_ascii_isupper (preset->description[0]));
      if (run->early_stop == 0 && run->schedule == 0)
        g_assert_true (bp_session_check_run (session, run, &gerror));
      g_assert_no_error (gerror);
      g_assert_true (bp_hyperparams_check (&run->hyper, &error));
      g_assert_cmpint (bp_presets_find_by_name (preset->book->name), ==, (int) i);
      g_assert_true (bp_presets_matches (i, run));
      /* The first match: this one, or an earlier experiment that starts from the same settings. */
      g_assert_cmpint (bp_presets_find (run), <=, (int) i);
      g_assert_cmpint (bp_presets_find (run), >=, 0);

      /* Another η, or another epoch count, is a custom configuration. */
      other.hyper.eta *= 2.0f;
      g_assert_false (bp_presets_matches (i, &other));
      other = *run;
      other.epochs++;
      g_assert_false (bp_presets_matches (i, &other));
    }
  g_assert_cmpint (bp_presets_find_by_name ("ch1-30"), ==, 0);
  g_assert_cmpint (bp_presets_find_by_name ("no-such-preset"), ==, -1);
  /* Chapter 6's conv nets train in the app too. */
  g_assert_cmpint (bp_presets_find_by_name ("ch6-conv1"), >, 0);
  g_assert_cmpint (bp_presets_find_by_name ("ch6-dropout"), >, 0);

  /* A layer list that does not fit the 28×28 pictures is refused, naming the layer. */
  {
    g_autoptr(GError) gerror = NULL;
    BpRun run = bp_presets_get (bp_presets_find_by_name ("ch6-conv2"))->book->run;

    g_assert_true (bp_arch_parse ("conv20x5,pool2,conv40x5,pool2,conv40x5,softmax10", BP_ACTIVATION_SIGMOID, &run.arch, &error));
    g_assert_false (bp_session_check_run (session, &run, &gerror));
    g_test_message ("%s", gerror->message);
    g_assert_nonnull (strstr (gerror->message, "layer 5 (conv40x5)"));
  }

  wait_idle (session);
  g_assert_finalize_object (session);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/session/start-pause", test_session_start_pause);
  g_test_add_func ("/session/steps", test_session_steps);
  g_test_add_func ("/session/epoch-target", test_session_epoch_target);
  g_test_add_func ("/session/live-hyperparams", test_session_live_hyperparams);
  g_test_add_func ("/session/diverge", test_session_diverge);
  g_test_add_func ("/session/snapshot-immutable", test_session_snapshot_immutable);
  g_test_add_func ("/session/dispose-running", test_session_dispose_running);
  g_test_add_func ("/session/random-sequences", test_session_random_sequences);
  g_test_add_func ("/session/load-missing", test_session_load_missing);
  g_test_add_func ("/session/check-setup", test_session_check_setup);
  g_test_add_func ("/session/presets", test_session_presets);

  return g_test_run ();
}
