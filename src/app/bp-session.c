/* bp-session.c — one training session: the data, the network, and the worker training it
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The GObject façade of a BpWorker (bp-worker.h), which owns the thread, the network being
 * trained and the snapshots. The session keeps the main thread's side: the data, the run, the
 * state, the metric history it has been told about, and the properties and signals the views
 * observe. Every command bumps the command serial and every reset the generation, which the
 * worker's events carry back, so that the results of a replaced network and a late "the run has
 * ended" are dropped as they arrive.
 */
#include "config.h"

#include "bp-session.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bp-session-load.h"
#include "bp-worker.h"

/* The trainer's own epoch limit is set out of reach: the session stops at its live target. */
#define TRAINER_EPOCHS BP_WORKER_MAX_EPOCHS

struct _BpSession
{
  GObject           parent_instance;

  /* Data: owned by the session, read by both threads, never changed once set. */
  BpMnist           mnist;
  BpDataset        *own_train;
  BpDataset        *own_validation;
  BpDataset        *own_test;
  BpMiniBatch      *last_batch;     /* the last single step's, of this generation, or NULL */
  const BpDataset  *train_full;
  const BpDataset  *validation;
  const BpDataset  *test;
  char             *data_dir;
  gboolean          loading;

  BpRun             run;      /* the network's, the live hyperparameters and the epoch target */
  BpSessionState    state;
  guint             generation;
  guint             command_serial;
  BpRunHistory     *history;
  BpWorkerProgress  progress;
  gboolean          busy;
  gboolean          has_network;      /* a network can train: there is data and it was asked for */
  gboolean          had_snapshot;     /* the value of bp_session_has_network() last announced */
  gboolean          network_from_file;
  gboolean          learning_speed;
  guint64           snapshot_serial;  /* of the last snapshot announced */

  BpWorker         *worker;
};

G_DEFINE_FINAL_TYPE (BpSession, bp_session, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (BpSessionState, bp_session_state,
                    G_DEFINE_ENUM_VALUE (BP_SESSION_STATE_STOPPED, "stopped"),
                    G_DEFINE_ENUM_VALUE (BP_SESSION_STATE_RUNNING, "running"),
                    G_DEFINE_ENUM_VALUE (BP_SESSION_STATE_PAUSED, "paused"))

enum {
  PROP_0,
  PROP_STATE,
  PROP_EPOCH,
  PROP_EPOCHS,
  PROP_PROGRESS,
  PROP_IMAGES_PER_SECOND,
  PROP_SECONDS_LEFT,
  PROP_TRAIN_ACCURACY,
  PROP_VALIDATION_ACCURACY,
  PROP_TEST_ACCURACY,
  PROP_BUSY,
  PROP_HAS_DATA,
  PROP_CAN_START,
  PROP_SNAPSHOT_SERIAL,
  PROP_HAS_NETWORK,
  N_PROPS
};

enum {
  EPOCH_FINISHED,
  METRICS_SAMPLED,
  DIVERGED,
  FAILED,
  NETWORK_RESET,
  BATCH_TAKEN,
  PINS_CHANGED,
  SPEED_MEASURED,
  HYPERPARAMS_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ── States ───────────────────────────────────────────────────────────────────────────────── */

const char *
bp_session_state_to_string (BpSessionState state)
{
  switch (state)
    {
    case BP_SESSION_STATE_RUNNING:
      return "running";
    case BP_SESSION_STATE_PAUSED:
      return "paused";
    case BP_SESSION_STATE_STOPPED:
    default:
      return "stopped";
    }
}

BpSnapshot *
bp_session_dup_snapshot (BpSession *self)
{
  g_return_val_if_fail (BP_IS_SESSION (self), NULL);

  return bp_worker_dup_snapshot (self->worker);
}

/* ── Main thread ──────────────────────────────────────────────────────────────────────────── */

static void
set_state (BpSession      *self,
           BpSessionState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_START]);
}

static void
set_busy (BpSession *self,
          gboolean   busy)
{
  if (self->busy == busy)
    return;
  self->busy = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

/* Announce a change of bp_session_has_network(). */
static void
update_has_network (BpSession *self)
{
  gboolean has = bp_session_has_network (self);

  if (self->had_snapshot == has)
    return;
  self->had_snapshot = has;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_NETWORK]);
}

static void
set_mode (BpSession    *self,
          BpWorkerMode  mode,
          gboolean      clear_steps)
{
  self->command_serial++;
  bp_worker_set_mode (self->worker, mode, self->command_serial, clear_steps);
  set_busy (self, TRUE);
}

static void
apply_progress (BpSession              *self,
                const BpWorkerProgress *p)
{
  GObject *object = G_OBJECT (self);
  double old_progress = bp_session_get_progress (self);
  gboolean could_start = bp_session_can_start (self);
  double old_rate = self->progress.images_per_second;
  double old_left = self->progress.seconds_left;

  self->progress = *p;
  if (bp_session_get_progress (self) != old_progress)
    g_object_notify_by_pspec (object, properties[PROP_PROGRESS]);
  if (p->images_per_second != old_rate)
    g_object_notify_by_pspec (object, properties[PROP_IMAGES_PER_SECOND]);
  if (p->seconds_left != old_left)
    g_object_notify_by_pspec (object, properties[PROP_SECONDS_LEFT]);
  if (bp_session_can_start (self) != could_start)
    g_object_notify_by_pspec (object, properties[PROP_CAN_START]);
}

static void
dispatch (BpSession           *self,
          const BpWorkerEvent *event)
{
  switch (event->kind)
    {
    case BP_WORKER_EVENT_INITIAL_SPEED:
      bp_run_history_set_initial_speed (self->history, event->metrics.speed,
                                        event->metrics.n_speeds);
      g_signal_emit (self, signals[SPEED_MEASURED], 0, &event->metrics);
      break;

    case BP_WORKER_EVENT_EPOCH:
      bp_run_history_add_epoch (self->history, &event->metrics);
      g_object_freeze_notify (G_OBJECT (self));
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EPOCH]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRAIN_ACCURACY]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VALIDATION_ACCURACY]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEST_ACCURACY]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_START]);
      g_object_thaw_notify (G_OBJECT (self));
      g_signal_emit (self, signals[EPOCH_FINISHED], 0, &event->metrics);
      break;

    case BP_WORKER_EVENT_SAMPLE:
      bp_run_history_add_sample (self->history, event->x, event->accuracy, event->cost);
      g_signal_emit (self, signals[METRICS_SAMPLED], 0, event->x, event->accuracy, event->cost);
      break;

    case BP_WORKER_EVENT_DIVERGED:
      /* The network is back at the start of the epoch that diverged: its sample points
       * describe parameters that no longer exist (and their huge costs would flatten the cost
       * axis). */
      bp_run_history_drop_samples_after (self->history, bp_session_get_epoch (self));
      if (event->serial == self->command_serial)
        set_state (self, BP_SESSION_STATE_PAUSED);
      g_signal_emit (self, signals[DIVERGED], 0, event->message);
      break;

    case BP_WORKER_EVENT_FAILED:
      self->has_network = FALSE;
      set_state (self, BP_SESSION_STATE_STOPPED);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_START]);
      g_signal_emit (self, signals[FAILED], 0, event->message);
      break;

    case BP_WORKER_EVENT_FINISHED:
      if (event->serial == self->command_serial)
        set_state (self, BP_SESSION_STATE_STOPPED);
      break;

    case BP_WORKER_EVENT_BATCH:
      g_clear_pointer (&self->last_batch, bp_mini_batch_unref);
      self->last_batch = bp_mini_batch_ref (event->batch);
      g_signal_emit (self, signals[BATCH_TAKEN], 0, self->last_batch);
      break;

    case BP_WORKER_EVENT_PARKED:
      if (event->serial == self->command_serial && self->state == BP_SESSION_STATE_RUNNING)
        set_state (self, BP_SESSION_STATE_PAUSED);
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
results_cb (const BpWorkerResults *results,
            gpointer               data)
{
  BpSession *self = data;
  guint64 snapshot_serial;

  /* A handler may reset the session or drop its last reference: keep it alive, and compare
   * each event's generation with the current one as it comes. */
  g_object_ref (self);
  for (guint i = 0; i < results->n_events; i++)
    if (results->events[i].generation == self->generation)
      dispatch (self, &results->events[i]);
  if (results->has_progress && results->progress.generation == self->generation)
    apply_progress (self, &results->progress);

  /* Announce a new snapshot; views read it when they next draw. */
  snapshot_serial = bp_worker_get_snapshot_serial (self->worker, NULL);
  if (snapshot_serial != self->snapshot_serial)
    {
      self->snapshot_serial = snapshot_serial;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SNAPSHOT_SERIAL]);
    }
  update_has_network (self);
  /* The worker caught up with every request, but a handler above may have made a new one. */
  if (results->caught_up && bp_worker_is_caught_up (self->worker))
    set_busy (self, FALSE);
  g_object_unref (self);
}

static void
data_changed (BpSession *self)
{
  g_autoptr(BpSnapshot) opened = NULL;

  self->has_network = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_DATA]);

  /* A model opened before the data came stays the network, if it fits the data. */
  if (self->network_from_file)
    opened = bp_session_dup_snapshot (self);
  if (opened == NULL || opened->generation != self->generation
      || !bp_session_adopt (self, opened->net, &self->run, NULL, 0, opened->velocity, NULL))
    bp_session_reset (self, NULL);
  bp_worker_start (self->worker, self->train_full, self->validation, self->test);
}

/* ── Public API ───────────────────────────────────────────────────────────────────────────── */

void
bp_session_load_mnist_async (BpSession           *self,
                             const char          *dir,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BP_IS_SESSION (self));
  g_return_if_fail (!bp_session_has_data (self));
  g_return_if_fail (!self->loading);

  self->loading = TRUE;
  task = bp_session_load_task_new (self, dir, cancellable, callback, user_data);
  g_task_set_source_tag (task, bp_session_load_mnist_async);
  bp_session_load_task_run (task);
}

gboolean
bp_session_load_mnist_finish (BpSession     *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  BpMnist *mnist;

  g_return_val_if_fail (BP_IS_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  self->loading = FALSE;
  mnist = g_task_propagate_pointer (G_TASK (result), error);
  if (mnist == NULL)
    return FALSE;

  self->mnist = *mnist;
  g_free (mnist);
  self->train_full = self->mnist.train;
  self->validation = self->mnist.validation;
  self->test = self->mnist.test;
  self->data_dir = g_strdup (bp_session_load_task_get_dir (G_TASK (result)));
  data_changed (self);
  return TRUE;
}

void
bp_session_set_datasets (BpSession *self,
                         BpDataset *train,
                         BpDataset *validation,
                         BpDataset *test)
{
  g_return_if_fail (BP_IS_SESSION (self));
  g_return_if_fail (!bp_session_has_data (self));
  g_return_if_fail (train != NULL && train->n > 0);

  self->own_train = train;
  self->own_validation = validation;
  self->own_test = test;
  self->train_full = train;
  self->validation = validation;
  self->test = test;
  data_changed (self);
}

gboolean
bp_session_has_data (BpSession *self)
{
  g_return_val_if_fail (BP_IS_SESSION (self), FALSE);

  return self->train_full != NULL;
}

const char *
bp_session_get_data_dir (BpSession *self)
{
  g_return_val_if_fail (BP_IS_SESSION (self), NULL);

  return self->data_dir;
}

const BpDataset *
bp_session_get_train_set (BpSession *self)
{
  g_return_val_if_fail (BP_IS_SESSION (self), NULL);

  return self->train_full;
}

const BpDataset *
bp_session_get_validation_set (BpSession *self)
{
  g_return_val_if_fail (BP_IS_SESSION (self), NULL);

  return self->validation;
}

const BpDataset *
bp_session_get_test_set (BpSession *self)
{
  g_return_val_if_fail (BP_IS_SESSION (self), NULL);

  return self->test;
}

void
bp_session_get_run (BpSession *self,
                    BpRun     *run)
{
  g_return_if_fail (BP_IS_SESSION (self));

  *run = self->run;
}

gboolean
bp_session_check_run (BpSession    *self,
                      const BpRun  *run,
                      GError      **error)
{
  BpError bp_error = { 0 };

  g_return_val_if_fail (BP_IS_SESSION (self), FALSE);
  g_return_val_if_fail (run != NULL, FALSE);

  if (bp_worker_check_run (run, self->train_full, self->validation, &bp_error))
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s", bp_error.message);
  return FALSE;
}

void
bp_session_get_hyperparams (BpSession     *self,
                            BpHyperparams *hyper)
{
  g_return_if_fail (BP_IS_SESSION (self));

  *hyper = self->run.hyper;
}

gboolean
bp_session_set_hyperparams (BpSession           *self,
                            const BpHyperparams *hyper,
                            GError             **error)
{
  BpError bp_error = { 0 };
  gboolean in_run; /* a change within a run is marked where it happened: "hyperparams-changed" */

  g_return_val_if_fail (BP_IS_SESSION (self), FALSE);
  g_return_val_if_fail (hyper != NULL, FALSE);

  if (!bp_hyperparams_check (hyper, &bp_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s", bp_error.message);
      return FALSE;
    }
  if (bp_hyperparams_equal (hyper, &self->run.hyper))
    return TRUE;

  in_run = bp_session_get_epoch (self) > 0 || self->progress.in_epoch;
  if (in_run)
    bp_run_history_add_changes (self->history, bp_session_get_epoch (self)
                                + bp_session_get_progress (self), &self->run.hyper, hyper);
  self->run.hyper = *hyper;
  bp_worker_set_hyperparams (self->worker, hyper);
  if (in_run)
    g_signal_emit (self, signals[HYPERPARAMS_CHANGED], 0);
  set_busy (self, TRUE);
  return TRUE;
}

guint
bp_session_get_epochs (BpSession *self)
{
  g_return_val_if_fail (BP_IS_SESSION (self), 0);

  return self->run.epochs;
}

void
bp_session_set_epochs (BpSession *self,
                       guint      epochs)
{
  g_return_if_fail (BP_IS_SESSION (self));
  g_return_if_fail (epochs >= 1 && epochs <= TRAINER_EPOCHS);

  if (self->run.epochs == epochs)
    return;
  self->run.epochs = epochs;
  bp_worker_set_epochs (self->worker, epochs);
  set_busy (self, TRUE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EPOCHS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_START]);
}

BpSessionState
bp_session_get_state (BpSession *self)
{
  g_return_val_if_fail (BP_IS_SESSION (self), BP_SESSION_STATE_STOPPED);

  return self->state;
}

gboolean
bp_session_can_start (BpSession *self)
{
  g_return_val_if_fail (BP_IS_SESSION (self), FALSE);

  if (!self->has_network || self->state == BP_SESSION_STATE_RUNNING)
    return FALSE;
  /* A finished run continues only once the epoch count has been raised. */
  return self->progress.in_epoch || bp_session_get_epoch (self) < self->run.epochs;
}

void
bp_session_start (BpSession *self)
{
  g_return_if_fail (BP_IS_SESSION (self));

  if (!self->has_network || self->state == BP_SESSION_STATE_RUNNING)
    return;
  set_mode (self, BP_WORKER_MODE_RUN, FALSE);
  set_state (self, BP_SESSION_STATE_RUNNING);
}

void
bp_session_pause (BpSession *self)
{
  g_return_if_fail (BP_IS_SESSION (self));

  if (self->state != BP_SESSION_STATE_RUNNING)
    return;
  set_mode (self, BP_WORKER_MODE_PARK, TRUE);
  set_state (self, BP_SESSION_STATE_PAUSED);
}

void
bp_session_step (BpSession *self)
{
  g_return_if_fail (BP_IS_SESSION (self));

  if (!self->has_network || self->state == BP_SESSION_STATE_RUNNING)
    return;
  self->command_serial++;
  bp_worker_step (self->worker, self->command_serial);
  set_busy (self, TRUE);
  set_state (self, BP_SESSION_STATE_PAUSED);
}

BpMiniBatch *
bp_session_get_last_batch (BpSession *self)
{
  g_return_val_if_fail (BP_IS_SESSION (self), NULL);

  return self->last_batch;
}

void
bp_session_step_epoch (BpSession *self)
{
  g_return_if_fail (BP_IS_SESSION (self));

  if (!self->has_network || self->state == BP_SESSION_STATE_RUNNING)
    return;
  set_mode (self, BP_WORKER_MODE_EPOCH, FALSE);
  set_state (self, BP_SESSION_STATE_RUNNING);
}

void
bp_session_stop (BpSession *self)
{
  g_return_if_fail (BP_IS_SESSION (self));

  set_mode (self, BP_WORKER_MODE_PARK, TRUE);
  set_state (self, BP_SESSION_STATE_STOPPED);
}

/* Replace the network: a fresh one from the run (@snapshot NULL), or the network of
 * @snapshot, which is published at once, and given to the worker as @net (both owned; @net is
 * NULL without data, when there is no worker to train it). The history becomes @history. */
static void
replace_network (BpSession            *self,
                 BpSnapshot           *snapshot,
                 BpNetwork            *net,
                 float                *velocity,
                 const BpEpochMetrics *history,
                 guint                 n_history)
{
  GObject *object = G_OBJECT (self);

  g_object_freeze_notify (object);
  self->generation++;
  g_clear_pointer (&self->last_batch, bp_mini_batch_unref);
  self->command_serial++;
  bp_run_history_restart (self->history, history, n_history, NULL, 0);
  memset (&self->progress, 0, sizeof self->progress);
  self->progress.seconds_left = -1.0;
  self->network_from_file = snapshot != NULL;

  if (snapshot != NULL)
    {
      self->snapshot_serial = bp_worker_publish_snapshot (self->worker, snapshot,
                                                          self->generation, n_history);
      g_object_notify_by_pspec (object, properties[PROP_SNAPSHOT_SERIAL]);
    }

  if (self->train_full != NULL)
    {
      self->has_network = TRUE;
      bp_worker_reset (self->worker, &self->run, self->generation, self->command_serial,
                       g_steal_pointer (&net), g_steal_pointer (&velocity), n_history);
      set_busy (self, TRUE);
    }
  g_clear_pointer (&net, bp_network_free);
  g_free (velocity);

  set_state (self, BP_SESSION_STATE_STOPPED);
  for (guint p = PROP_EPOCH; p <= PROP_TEST_ACCURACY; p++)
    g_object_notify_by_pspec (object, properties[p]);
  g_object_notify_by_pspec (object, properties[PROP_CAN_START]);
  update_has_network (self);
  g_signal_emit (self, signals[NETWORK_RESET], 0);
  g_object_thaw_notify (object);
}

/* Give the session @run's arch and settings that go with the network, keeping its live ones. */
static void
take_network_part (BpSession   *self,
                   const BpRun *run)
{
  BpHyperparams hyper = self->run.hyper;
  unsigned epochs = self->run.epochs;

  self->run = *run;
  self->run.hyper = hyper;
  self->run.epochs = epochs;
}

void
bp_session_reset (BpSession   *self,
                  const BpRun *run)
{
  g_return_if_fail (BP_IS_SESSION (self));

  if (run != NULL)
    {
      g_return_if_fail (bp_session_check_run (self, run, NULL));
      take_network_part (self, run);
    }
  replace_network (self, NULL, NULL, NULL, NULL, 0);
}

guint
bp_session_get_epoch (BpSession *self)
{
  g_return_val_if_fail (BP_IS_SESSION (self), 0);

  return bp_run_history_get_n_epochs (self->history);
}

const BpEpochMetrics *
bp_session_get_history (BpSession *self,
                        guint     *n_epochs)
{
  g_return_val_if_fail (BP_IS_SESSION (self), NULL);

  return bp_run_history_get_epochs (self->history, n_epochs);
}

guint64
bp_session_get_batches_done (BpSession *self)
{
  g_return_val_if_fail (BP_IS_SESSION (self), 0);

  return self->progress.batches_done;
}

double
bp_session_get_progress (BpSession *self)
{
  g_return_val_if_fail (BP_IS_SESSION (self), 0.0);

  if (!self->progress.in_epoch || self->progress.n_batches == 0)
    return 0.0;
  return (double) self->progress.batch / (double) self->progress.n_batches;
}

guint
bp_session_get_generation (BpSession *self)
{
  g_return_val_if_fail (BP_IS_SESSION (self), 0);

  return self->generation;
}

gboolean
bp_session_get_busy (BpSession *self)
{
  g_return_val_if_fail (BP_IS_SESSION (self), FALSE);

  return self->busy;
}

static double
last_metric (BpSession *self,
             gsize      offset)
{
  const BpEpochMetrics *m;
  double value;
  guint n;

  m = bp_run_history_get_epochs (self->history, &n);
  if (n == 0)
    return -1.0;
  m += n - 1;
  memcpy (&value, (const char *) m + offset, sizeof value);
  return isnan (value) ? -1.0 : value;
}

/* ── Networks from files ──────────────────────────────────────────────────────────────────── */

static gboolean
all_finite (const float *values,
            size_t       n)
{
  for (size_t i = 0; i < n; i++)
    if (!isfinite (values[i]))
      return FALSE;
  return TRUE;
}

gboolean
bp_session_adopt (BpSession            *self,
                  const BpNetwork      *net,
                  const BpRun          *run,
                  const BpEpochMetrics *history,
                  guint                 n_history,
                  const float          *velocity,
                  GError              **error)
{
  g_autofree BpEpochMetrics *history_copy = NULL;
  g_autofree float *velocity_copy = NULL;
  BpNetwork *worker_net = NULL;
  BpSnapshot *snapshot;
  BpError bp_error = { 0 };

  g_return_val_if_fail (BP_IS_SESSION (self), FALSE);
  g_return_val_if_fail (net != NULL, FALSE);
  g_return_val_if_fail (run != NULL, FALSE);
  g_return_val_if_fail (history != NULL || n_history == 0, FALSE);

  if (!bp_arch_equal (&run->arch, &net->arch))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "The setup does not describe the network");
      return FALSE;
    }
  if (!bp_session_check_run (self, run, error))
    return FALSE;
  if (!bp_hyperparams_check (&run->hyper, &bp_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s", bp_error.message);
      return FALSE;
    }
  if (run->epochs < 1 || run->epochs > TRAINER_EPOCHS || n_history > TRAINER_EPOCHS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "A run has at most %d epochs", TRAINER_EPOCHS);
      return FALSE;
    }
  for (guint i = 0; i < n_history; i++)
    if (history[i].epoch != i + 1)
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                     "Epoch %u of the history is numbered %u", i + 1, history[i].epoch);
        return FALSE;
      }
  if (!all_finite (net->params, net->n_params)
      || (velocity != NULL && !all_finite (velocity, net->n_params)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "The network has NaN or infinite parameters");
      return FALSE;
    }

  /* Every copy is made before anything changes: running out of memory changes nothing. */
  snapshot = bp_snapshot_new (net, velocity);
  if (snapshot != NULL && self->train_full != NULL)
    {
      worker_net = bp_network_copy (net);
      if (worker_net == NULL)
        g_clear_pointer (&snapshot, bp_snapshot_unref);
    }
  if (snapshot == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   "Not enough memory for a copy of the network");
      return FALSE;
    }
  if (velocity != NULL && worker_net != NULL)
    velocity_copy = g_memdup2 (velocity, net->n_params * sizeof (float));
  /* @history may be the session's own. */
  if (n_history > 0)
    history_copy = g_memdup2 (history, n_history * sizeof (BpEpochMetrics));

  g_object_freeze_notify (G_OBJECT (self));
  if (!bp_hyperparams_equal (&run->hyper, &self->run.hyper))
    {
      /* The new network trains with them from its first mini-batch. */
      self->run.hyper = run->hyper;
      bp_worker_set_hyperparams (self->worker, &run->hyper);
    }
  bp_session_set_epochs (self, run->epochs);
  take_network_part (self, run);
  replace_network (self, snapshot, worker_net, g_steal_pointer (&velocity_copy), history_copy,
                   n_history);
  g_object_thaw_notify (G_OBJECT (self));
  return TRUE;
}

gboolean
bp_session_has_network (BpSession *self)
{
  guint generation = 0;

  g_return_val_if_fail (BP_IS_SESSION (self), FALSE);

  return bp_worker_get_snapshot_serial (self->worker, &generation) != 0
         && generation == self->generation;
}

gboolean
bp_session_get_network_from_file (BpSession *self)
{
  g_return_val_if_fail (BP_IS_SESSION (self), FALSE);

  return self->network_from_file;
}

/* ── The run history ──────────────────────────────────────────────────────────────────────── */

BpRunHistory *
bp_session_get_run_history (BpSession *self)
{
  g_return_val_if_fail (BP_IS_SESSION (self), NULL);

  return self->history;
}

void
bp_session_pin_run (BpSession *self)
{
  g_autofree char *label = NULL;

  g_return_if_fail (BP_IS_SESSION (self));

  label = bp_run_history_make_label (self->history, &self->run);
  bp_run_history_pin (self->history, label);
  g_signal_emit (self, signals[PINS_CHANGED], 0, label);
}

void
bp_session_clear_pins (BpSession *self)
{
  g_return_if_fail (BP_IS_SESSION (self));

  bp_run_history_clear_pins (self->history);
  g_signal_emit (self, signals[PINS_CHANGED], 0, NULL);
}

void
bp_session_set_plots (BpSession      *self,
                      BpSessionPlots *plots)
{
  g_return_if_fail (BP_IS_SESSION (self));
  g_return_if_fail (plots != NULL);

  bp_run_history_set_plots (self->history, plots);
  g_signal_emit (self, signals[PINS_CHANGED], 0, NULL);
}

void
bp_session_set_learning_speed (BpSession *self,
                               gboolean   learning_speed)
{
  g_return_if_fail (BP_IS_SESSION (self));

  if (self->learning_speed == !!learning_speed)
    return;
  self->learning_speed = !!learning_speed;
  bp_worker_set_learning_speed (self->worker, learning_speed);
  /* A network that has not trained yet is built again, the same from the run's seed, so that
   * the speed is measured from its epoch 0. */
  if (self->has_network && !self->network_from_file && bp_session_get_epoch (self) == 0
      && self->progress.batches_done == 0 && !self->progress.in_epoch)
    bp_session_reset (self, NULL);
}

gboolean
bp_session_get_learning_speed (BpSession *self)
{
  g_return_val_if_fail (BP_IS_SESSION (self), FALSE);

  return self->learning_speed;
}

/* ── GObject ──────────────────────────────────────────────────────────────────────────────── */

static void
bp_session_dispose (GObject *object)
{
  BpSession *self = BP_SESSION (object);

  /* Nothing may be left running on a session that is going away. */
  bp_worker_stop (self->worker);

  G_OBJECT_CLASS (bp_session_parent_class)->dispose (object);
}

static void
bp_session_finalize (GObject *object)
{
  BpSession *self = BP_SESSION (object);

  /* The worker's views of the data go before the data. */
  g_clear_pointer (&self->worker, bp_worker_free);
  g_clear_pointer (&self->last_batch, bp_mini_batch_unref);
  bp_mnist_clear (&self->mnist);
  bp_dataset_free (self->own_train);
  bp_dataset_free (self->own_validation);
  bp_dataset_free (self->own_test);
  g_free (self->data_dir);

  bp_run_history_free (self->history);

  G_OBJECT_CLASS (bp_session_parent_class)->finalize (object);
}

static void
bp_session_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  BpSession *self = BP_SESSION (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_EPOCH:
      g_value_set_uint (value, bp_session_get_epoch (self));
      break;

    case PROP_EPOCHS:
      g_value_set_uint (value, self->run.epochs);
      break;

    case PROP_PROGRESS:
      g_value_set_double (value, bp_session_get_progress (self));
      break;

    case PROP_IMAGES_PER_SECOND:
      g_value_set_double (value, self->progress.images_per_second);
      break;

    case PROP_SECONDS_LEFT:
      g_value_set_double (value, self->progress.seconds_left);
      break;

    case PROP_TRAIN_ACCURACY:
      g_value_set_double (value, last_metric (self, G_STRUCT_OFFSET (BpEpochMetrics, train_accuracy)));
      break;

    case PROP_VALIDATION_ACCURACY:
      g_value_set_double (value, last_metric (self, G_STRUCT_OFFSET (BpEpochMetrics, validation_accuracy)));
      break;

    case PROP_TEST_ACCURACY:
      g_value_set_double (value, last_metric (self, G_STRUCT_OFFSET (BpEpochMetrics, test_accuracy)));
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;

    case PROP_HAS_DATA:
      g_value_set_boolean (value, bp_session_has_data (self));
      break;

    case PROP_CAN_START:
      g_value_set_boolean (value, bp_session_can_start (self));
      break;

    case PROP_SNAPSHOT_SERIAL:
      g_value_set_uint64 (value, self->snapshot_serial);
      break;

    case PROP_HAS_NETWORK:
      g_value_set_boolean (value, bp_session_has_network (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bp_session_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  BpSession *self = BP_SESSION (object);

  switch (prop_id)
    {
    case PROP_EPOCHS:
      bp_session_set_epochs (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bp_session_class_init (BpSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = bp_session_dispose;
  object_class->finalize = bp_session_finalize;
  object_class->get_property = bp_session_get_property;
  object_class->set_property = bp_session_set_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       BP_TYPE_SESSION_STATE, BP_SESSION_STATE_STOPPED, ro);
  properties[PROP_EPOCH] =
    g_param_spec_uint ("epoch", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_EPOCHS] =
    g_param_spec_uint ("epochs", NULL, NULL, 1, TRAINER_EPOCHS, 30,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROGRESS] =
    g_param_spec_double ("progress", NULL, NULL, 0.0, 1.0, 0.0, ro);
  properties[PROP_IMAGES_PER_SECOND] =
    g_param_spec_double ("images-per-second", NULL, NULL, 0.0, G_MAXDOUBLE, 0.0, ro);
  properties[PROP_SECONDS_LEFT] =
    g_param_spec_double ("seconds-left", NULL, NULL, -1.0, G_MAXDOUBLE, -1.0, ro);
  /* The accuracies of the last finished epoch as fractions; −1 before the first. */
  properties[PROP_TRAIN_ACCURACY] =
    g_param_spec_double ("train-accuracy", NULL, NULL, -1.0, 1.0, -1.0, ro);
  properties[PROP_VALIDATION_ACCURACY] =
    g_param_spec_double ("validation-accuracy", NULL, NULL, -1.0, 1.0, -1.0, ro);
  properties[PROP_TEST_ACCURACY] =
    g_param_spec_double ("test-accuracy", NULL, NULL, -1.0, 1.0, -1.0, ro);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE, ro);
  properties[PROP_HAS_DATA] =
    g_param_spec_boolean ("has-data", NULL, NULL, FALSE, ro);
  properties[PROP_CAN_START] =
    g_param_spec_boolean ("can-start", NULL, NULL, FALSE, ro);
  /* Changes when a new weight snapshot is there to read (bp_session_dup_snapshot()); announced
   * with the progress, so at most about 20 times a second. */
  properties[PROP_SNAPSHOT_SERIAL] =
    g_param_spec_uint64 ("snapshot-serial", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  /* bp_session_has_network(). */
  properties[PROP_HAS_NETWORK] =
    g_param_spec_boolean ("has-network", NULL, NULL, FALSE, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* (const BpEpochMetrics *metrics): valid during the emission. */
  signals[EPOCH_FINISHED] =
    g_signal_new ("epoch-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  /* (double epoch, double accuracy, double cost) on the held-out sample, inside an epoch. */
  signals[METRICS_SAMPLED] =
    g_signal_new ("metrics-sampled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_DOUBLE, G_TYPE_DOUBLE, G_TYPE_DOUBLE);
  /* (const char *message): the engine's message; the network is back at the epoch's start. */
  signals[DIVERGED] =
    g_signal_new ("diverged", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* (const char *message): a network could not be built (memory, or data that does not fit). */
  signals[FAILED] =
    g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* A new network replaces the old one: views drop what they drew of it. */
  /* (const char *label): the history's pinned runs changed; @label is that of the run just
   * pinned (bp_session_pin_run()), NULL when they were cleared or came from a file. */
  signals[PINS_CHANGED] =
    g_signal_new ("pins-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* (const BpEpochMetrics *metrics): the speed of learning of a new network before training,
   * epoch 0 (bp_session_set_learning_speed()); the epochs' come with "epoch-finished". */
  signals[SPEED_MEASURED] =
    g_signal_new ("speed-measured", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[NETWORK_RESET] =
    g_signal_new ("network-reset", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[BATCH_TAKEN] =
    g_signal_new ("batch-taken", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[HYPERPARAMS_CHANGED] =
    g_signal_new ("hyperparams-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
bp_session_init (BpSession *self)
{
  bp_run_init (&self->run);
  self->progress.seconds_left = -1.0;
  self->history = bp_run_history_new ();
  /* Results come back to the thread that creates the session. */
  self->worker = bp_worker_new (&self->run, NULL, results_cb, self);
}

BpSession *
bp_session_new (void)
{
  return g_object_new (BP_TYPE_SESSION, NULL);
}
