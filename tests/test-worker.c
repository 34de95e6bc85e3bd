/* test-worker.c — BpWorker alone: commands in, events out, and the plain trainer's bits
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The worker is driven without GObject or a session, on a main context of the test's own: it
 * starts parked, trains one mini-batch on a step, stops on a pause, takes a new η between two
 * mini-batches, and its events come in order. Whatever it trains is, bit for bit, what
 * bp_trainer_step() gives the same network and the same commands without a thread.
 */
#include "config.h"

#include "bp-worker.h"

#include <math.h>
#include <string.h>

#include "bp-rng.h"
#include "bp-test-data.h"

#define SIDE      4
#define N_PIXELS  (SIDE * SIDE)
#define N_CLASSES 4

typedef struct
{
  GMainContext     *context;
  BpWorker         *worker;
  BpDataset        *train;
  BpDataset        *validation;
  BpDataset        *test;
  BpRun             run;
  GArray           *events;    /* BpWorkerEvent, messages not kept */
  BpWorkerProgress  progress;
  gboolean          caught_up;
  guint             deliveries;
} Fixture;

static void
results_cb (const BpWorkerResults *results,
            gpointer               data)
{
  Fixture *f = data;

  for (guint i = 0; i < results->n_events; i++)
    {
      BpWorkerEvent event = results->events[i];

      event.message = NULL;
      if (event.batch != NULL)
        bp_mini_batch_ref (event.batch);
      g_array_append_val (f->events, event);
    }
  if (results->has_progress)
    f->progress = results->progress;
  f->caught_up = results->caught_up;
  f->deliveries++;
}

static void
fixture_init (Fixture  *f,
              gboolean  learning_speed)
{
  const size_t sizes[] = { N_PIXELS, 8, N_CLASSES };

  memset (f, 0, sizeof *f);
  bp_run_init (&f->run);
  bp_arch_from_sizes (&f->run.arch, sizes, 3, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                      BP_COST_QUADRATIC, NULL);
  f->run.epochs = 2;
  f->train = bp_test_dataset_new (200, SIDE, N_CLASSES, 1, FALSE);
  f->validation = bp_test_dataset_new (60, SIDE, N_CLASSES, 2, FALSE);
  f->test = bp_test_dataset_new (60, SIDE, N_CLASSES, 3, FALSE);
  f->events = g_array_new (FALSE, FALSE, sizeof (BpWorkerEvent));
  f->context = g_main_context_new ();
  f->worker = bp_worker_new (&f->run, f->context, results_cb, f);
  bp_worker_set_learning_speed (f->worker, learning_speed);
  bp_worker_reset (f->worker, &f->run, 1, 1, NULL, NULL, 0);
  bp_worker_start (f->worker, f->train, f->validation, f->test);
}

static void
fixture_clear (Fixture *f)
{
  g_clear_pointer (&f->worker, bp_worker_free);
  g_main_context_unref (f->context);
  for (guint i = 0; i < f->events->len; i++)
    g_clear_pointer (&g_array_index (f->events, BpWorkerEvent, i).batch, bp_mini_batch_unref);
  g_array_unref (f->events);
  bp_dataset_free (f->train);
  bp_dataset_free (f->validation);
  bp_dataset_free (f->test);
}

/* Deliver until the worker has done every command given so far. */
static void
wait_caught_up (Fixture *f)
{
  /* Once caught up, the worker has already scheduled the delivery that says so. */
  while (!bp_worker_is_caught_up (f->worker))
    g_main_context_iteration (f->context, TRUE);
  while (g_main_context_pending (f->context))
    g_main_context_iteration (f->context, FALSE);
  g_assert_true (f->caught_up);
}

/* Deliver until an event of @kind has come; returns its index. */
static guint
wait_event (Fixture           *f,
            BpWorkerEventKind  kind)
{
  for (guint seen = 0;; )
    {
      for (; seen < f->events->len; seen++)
        if (g_array_index (f->events, BpWorkerEvent, seen).kind == kind)
          return seen;
      g_main_context_iteration (f->context, TRUE);
    }
}

/* The same network and trainer as the worker's, without a thread. */
static BpTrainer *
plain_trainer (Fixture    *f,
               BpNetwork **net,
               gboolean    learning_speed)
{
  BpTrainOptions options;
  BpRun config = f->run;
  BpError error = { 0 };
  BpTrainer *trainer;
  BpRng rng;

  *net = bp_network_new (&f->run.arch, &error);
  g_assert_nonnull (*net);
  bp_rng_seed (&rng, f->run.seed, BP_RNG_STREAM_INIT);
  bp_network_init (*net, f->run.init, &rng);
  config.epochs = BP_WORKER_MAX_EPOCHS;
  bp_train_options_init (&options);
  options.learning_speed = learning_speed;
  trainer = bp_trainer_new (*net, &config, &options, f->train, f->validation, f->test, &error);
  g_assert_nonnull (trainer);
  return trainer;
}

static void
assert_same_params (BpWorker        *worker,
                    const BpNetwork *net,
                    guint            epoch)
{
  g_autoptr(BpSnapshot) snapshot = bp_worker_dup_snapshot (worker);

  g_assert_nonnull (snapshot);
  g_assert_cmpuint (snapshot->epoch, ==, epoch);
  g_assert_cmpuint (snapshot->net->n_params, ==, net->n_params);
  g_assert_cmpmem (snapshot->net->params, net->n_params * sizeof (float),
                   net->params, net->n_params * sizeof (float));
}

static void
assert_same_metrics (const BpEpochMetrics *a,
                     const BpEpochMetrics *b)
{
  g_assert_cmpuint (a->epoch, ==, b->epoch);
  g_assert_cmpmem (&a->train_cost, sizeof (double), &b->train_cost, sizeof (double));
  g_assert_cmpmem (&a->train_accuracy, sizeof (double), &b->train_accuracy, sizeof (double));
  g_assert_cmpmem (&a->validation_cost, sizeof (double), &b->validation_cost, sizeof (double));
  g_assert_cmpmem (&a->validation_accuracy, sizeof (double), &b->validation_accuracy,
                   sizeof (double));
  g_assert_cmpmem (&a->test_accuracy, sizeof (double), &b->test_accuracy, sizeof (double));
  g_assert_cmpfloat (a->eta, ==, b->eta);
  g_assert_cmpuint (a->n_speeds, ==, b->n_speeds);
  g_assert_cmpmem (a->speed, a->n_speeds * sizeof (double), b->speed,
                   b->n_speeds * sizeof (double));
}

/* Parked after the reset: nothing trains until asked; a step trains one mini-batch; a pause
 * keeps it there. */
static void
test_step_and_pause (void)
{
  BpNetwork *net;
  BpTrainer *trainer;
  BpError error = { 0 };
  Fixture f;

  fixture_init (&f, FALSE);
  trainer = plain_trainer (&f, &net, FALSE);

  wait_caught_up (&f);
  g_assert_cmpuint (f.progress.generation, ==, 1);
  g_assert_cmpuint (f.progress.batches_done, ==, 0);
  g_assert_cmpuint (f.events->len, ==, 0);
  assert_same_params (f.worker, net, 0);

  bp_worker_step (f.worker, 2);
  wait_caught_up (&f);
  {
    BpNetwork *before = bp_network_copy (net);
    const BpMiniBatch *batch;
    const size_t *indices;
    const float *inputs;
    size_t n;

    g_assert_true (bp_trainer_step (trainer, &error));
    g_assert_cmpuint (f.progress.batches_done, ==, 1);
    g_assert_cmpuint (f.progress.batch, ==, 1);
    g_assert_true (f.progress.in_epoch);
    assert_same_params (f.worker, net, 0);
    /* A single step evaluates the held-out sample once, and tells which mini-batch it took:
     * the examples the same trainer takes, the network before and after it. */
    g_assert_cmpuint (f.events->len, ==, 2);
    g_assert_cmpint (g_array_index (f.events, BpWorkerEvent, 0).kind, ==, BP_WORKER_EVENT_SAMPLE);
    g_assert_cmpint (g_array_index (f.events, BpWorkerEvent, 1).kind, ==, BP_WORKER_EVENT_BATCH);
    g_assert_cmpuint (g_array_index (f.events, BpWorkerEvent, 1).serial, ==, 2);
    batch = g_array_index (f.events, BpWorkerEvent, 1).batch;
    indices = bp_trainer_get_last_batch (trainer, &n, NULL, &inputs);
    g_assert_nonnull (batch);
    g_assert_cmpuint (batch->generation, ==, 1);
    g_assert_cmpuint (batch->epoch, ==, 1);
    g_assert_cmpuint (batch->batch, ==, 1);
    g_assert_cmpuint (batch->n, ==, n);
    g_assert_cmpuint (n, ==, f.run.hyper.batch_size);
    for (size_t i = 0; i < n; i++)
      {
        g_assert_cmpuint (batch->indices[i], ==, indices[i]);
        g_assert_cmpuint (batch->labels[i], ==, f.train->labels[indices[i]]);
        g_assert_cmpuint (batch->images[i], ==, BP_BATCH_IMAGE_ORIGINAL);
      }
    g_assert_cmpmem (batch->inputs, n * N_PIXELS * sizeof (float), inputs, n * N_PIXELS * sizeof (float));
    g_assert_cmpmem (batch->before->net->params, before->n_params * sizeof (float),
                     before->params, before->n_params * sizeof (float));
    g_assert_cmpmem (batch->after->net->params, net->n_params * sizeof (float),
                     net->params, net->n_params * sizeof (float));
    bp_network_free (before);
  }

  /* Three steps queued train three mini-batches. */
  for (guint i = 0; i < 3; i++)
    {
      bp_worker_step (f.worker, 3 + i);
      g_assert_true (bp_trainer_step (trainer, &error));
    }
  wait_caught_up (&f);
  g_assert_cmpuint (f.progress.batches_done, ==, 4);
  assert_same_params (f.worker, net, 0);

  /* Run, then park: the worker stops between two mini-batches and stays there. */
  bp_worker_set_epochs (f.worker, BP_WORKER_MAX_EPOCHS);
  bp_worker_set_mode (f.worker, BP_WORKER_MODE_RUN, 10, FALSE);
  while (f.progress.batches_done < 30)
    g_main_context_iteration (f.context, TRUE);
  bp_worker_set_mode (f.worker, BP_WORKER_MODE_PARK, 11, TRUE);
  wait_caught_up (&f);
  {
    guint64 parked_at = f.progress.batches_done;
    g_autoptr(BpSnapshot) snapshot = bp_worker_dup_snapshot (f.worker);

    wait_caught_up (&f);
    g_assert_cmpuint (f.progress.batches_done, ==, parked_at);
    g_assert_cmpuint (bp_worker_get_snapshot_serial (f.worker, NULL), ==, snapshot->serial);
  }

  bp_trainer_free (trainer);
  bp_network_free (net);
  fixture_clear (&f);
}

/* One mini-batch, a new η, then a run to the epoch target: the events come in order (samples
 * inside epochs, each epoch once, then the end of the run answering the run's command), and the
 * parameters and metrics are the plain trainer's given the same commands. */
static void
test_live_change_and_events (void)
{
  BpEpochMetrics expected[2];
  BpHyperparams hyper;
  BpNetwork *net;
  BpTrainer *trainer;
  BpError error = { 0 };
  guint finished, epoch = 0, steps = 1;
  double last_x = 0.0;
  bool stop = false;
  Fixture f;

  fixture_init (&f, FALSE);
  trainer = plain_trainer (&f, &net, FALSE);

  bp_worker_step (f.worker, 2);
  wait_caught_up (&f);
  g_assert_true (bp_trainer_step (trainer, &error));

  hyper = f.run.hyper;
  hyper.eta = 1.5f;
  hyper.batch_size = 7;
  bp_worker_set_hyperparams (f.worker, &hyper);
  g_assert_true (bp_trainer_set_hyperparams (trainer, &hyper, &error));

  bp_worker_set_mode (f.worker, BP_WORKER_MODE_RUN, 3, FALSE);
  finished = wait_event (&f, BP_WORKER_EVENT_FINISHED);
  wait_caught_up (&f);

  for (guint e = 0; e < 2; e++)
    {
      do
        {
          g_assert_true (bp_trainer_step (trainer, &error));
          steps++;
        }
      while (!bp_trainer_epoch_complete (trainer));
      g_assert_true (bp_trainer_finish_epoch (trainer, &expected[e], &stop, &error));
    }

  g_assert_cmpuint (finished, ==, f.events->len - 1);
  g_assert_cmpuint (g_array_index (f.events, BpWorkerEvent, finished).serial, ==, 3);
  for (guint i = 0; i < f.events->len; i++)
    {
      const BpWorkerEvent *event = &g_array_index (f.events, BpWorkerEvent, i);

      g_assert_cmpuint (event->generation, ==, 1);
      switch (event->kind)
        {
        case BP_WORKER_EVENT_SAMPLE:
          g_assert_cmpfloat (event->x, >=, last_x);
          g_assert_cmpfloat (event->x, <=, epoch + 1.0);
          last_x = event->x;
          break;
        case BP_WORKER_EVENT_EPOCH:
          g_assert_cmpuint (epoch, <, 2);
          assert_same_metrics (&event->metrics, &expected[epoch]);
          g_assert_cmpfloat (event->metrics.eta, ==, 1.5f);
          epoch++;
          break;
        case BP_WORKER_EVENT_FINISHED:
          g_assert_cmpuint (i, ==, finished);
          break;
        case BP_WORKER_EVENT_BATCH: /* the single step's */
          g_assert_cmpuint (event->serial, ==, 2);
          break;
        default:
          g_assert_not_reached ();
        }
    }
  g_assert_cmpuint (epoch, ==, 2);
  assert_same_params (f.worker, net, 2);
  g_assert_cmpuint (f.progress.batches_done, ==, steps);

  bp_trainer_free (trainer);
  bp_network_free (net);
  fixture_clear (&f);
}

/* A reset replaces the network under a new generation; the worker can be freed while it runs. */
static void
test_reset_and_stop (void)
{
  BpNetwork *adopted;
  BpTrainer *trainer;
  Fixture f;

  fixture_init (&f, FALSE);
  bp_worker_set_epochs (f.worker, BP_WORKER_MAX_EPOCHS);
  bp_worker_set_mode (f.worker, BP_WORKER_MODE_RUN, 2, FALSE);
  while (f.progress.batches_done < 50)
    g_main_context_iteration (f.context, TRUE);

  /* The network of a file, 3 epochs old: the worker takes it, parked, at epoch 3. */
  trainer = plain_trainer (&f, &adopted, FALSE);
  bp_trainer_free (trainer);
  adopted->params[0] = 0.25f;
  bp_worker_reset (f.worker, &f.run, 2, 3, bp_network_copy (adopted), NULL, 3);
  g_array_set_size (f.events, 0);
  wait_caught_up (&f);
  g_assert_cmpuint (f.progress.generation, ==, 2);
  g_assert_cmpuint (f.progress.batches_done, ==, 0);
  assert_same_params (f.worker, adopted, 3);
  for (guint i = 0; i < f.events->len; i++)
    g_assert_cmpuint (g_array_index (f.events, BpWorkerEvent, i).generation, <=, 2);

  bp_worker_set_mode (f.worker, BP_WORKER_MODE_RUN, 4, FALSE);
  while (f.progress.batches_done < 10 || f.progress.generation != 2)
    g_main_context_iteration (f.context, TRUE);
  /* Freed while it trains: it stops within a mini-batch. */
  bp_network_free (adopted);
  fixture_clear (&f);
}

/* With the speed of learning: the new network's comes first, then each epoch's. */
static void
test_learning_speed (void)
{
  BpEpochMetrics initial, expected;
  const BpWorkerEvent *event;
  BpNetwork *net;
  BpTrainer *trainer;
  BpError error = { 0 };
  bool stop = false;
  guint epoch;
  Fixture f;

  fixture_init (&f, TRUE);
  trainer = plain_trainer (&f, &net, TRUE);
  g_assert_true (bp_trainer_get_initial_speed (trainer, &initial, &error));

  bp_worker_set_epochs (f.worker, 1);
  bp_worker_set_mode (f.worker, BP_WORKER_MODE_RUN, 2, FALSE);
  epoch = wait_event (&f, BP_WORKER_EVENT_EPOCH);
  do
    g_assert_true (bp_trainer_step (trainer, &error));
  while (!bp_trainer_epoch_complete (trainer));
  g_assert_true (bp_trainer_finish_epoch (trainer, &expected, &stop, &error));

  event = &g_array_index (f.events, BpWorkerEvent, 0);
  g_assert_cmpint (event->kind, ==, BP_WORKER_EVENT_INITIAL_SPEED);
  g_assert_cmpuint (event->metrics.epoch, ==, 0);
  g_assert_cmpuint (event->metrics.n_speeds, ==, 1);
  g_assert_cmpmem (event->metrics.speed, sizeof (double), initial.speed, sizeof (double));
  g_assert_true (event->metrics.speed[0] > 0.0);
  event = &g_array_index (f.events, BpWorkerEvent, epoch);
  assert_same_metrics (&event->metrics, &expected);
  g_assert_cmpuint (event->metrics.n_speeds, ==, 1);

  bp_trainer_free (trainer);
  bp_network_free (net);
  fixture_clear (&f);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/worker/step-and-pause", test_step_and_pause);
  g_test_add_func ("/worker/live-change-and-events", test_live_change_and_events);
  g_test_add_func ("/worker/reset-and-stop", test_reset_and_stop);
  g_test_add_func ("/worker/learning-speed", test_learning_speed);

  return g_test_run ();
}
