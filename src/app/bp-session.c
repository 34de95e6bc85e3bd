/* bp-session.c — one training session: the data, the network, and the worker thread training it
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two threads share this object. The main thread owns the GObject side (properties, signals,
 * the metric history it has been told about); the worker thread owns the network, the trainer
 * and the training-set view, and is the only one to touch them once it exists. They meet in a
 * few fields under `lock`:
 *
 *   main → worker   mode (park, run, run to the end of the epoch, quit), queued single steps,
 *                   pending hyperparameters, a pending reset, the epoch target;
 *   worker → main   an outbox of events (epoch finished, sample point, diverged, run ended),
 *                   the latest progress (overwritten, not queued), and how far it has caught up.
 *
 * The worker wakes the main thread with one idle source at a time: while one is pending it only
 * adds to the outbox. Every event carries the generation (bumped by each reset) so that the
 * results of a network that has just been replaced are dropped, and mode-changing events carry
 * the serial of the command they answer, so a late "the run has ended" cannot undo a command the
 * person gave after it.
 *
 * Weight snapshots go through a separate, tiny critical section: the worker copies the
 * parameters into a spare buffer without any lock, then swaps it with the published one. A reader
 * takes a reference under the lock, so a snapshot in use is never written; the worker reuses the
 * swapped-out buffer only when nobody holds it (two buffers in the steady state). A network
 * that comes from a file is published by the main thread itself, at once, under a new
 * generation; the worker never replaces a snapshot of a newer generation than its own.
 */
#include "config.h"

#include "bp-session.h"

#include "bp-book-presets.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bp-metrics.h"
#include "bp-model-io.h"
#include "bp-rng.h"
#include "bp-save-file.h"

/* How often the worker publishes progress, snapshots and in-epoch sample points. */
#define PROGRESS_INTERVAL_US (50 * G_TIME_SPAN_MILLISECOND)
#define SNAPSHOT_INTERVAL_US (30 * G_TIME_SPAN_MILLISECOND)
#define SAMPLE_INTERVAL_US   (300 * G_TIME_SPAN_MILLISECOND)
/* The held-out sample evaluated inside an epoch: the first images of the validation set. */
#define SAMPLE_SIZE 500
/* The trainer's own epoch limit is set out of reach: the session stops at its live target. */
#define TRAINER_EPOCHS 100000

typedef enum
{
  MODE_PARK,
  MODE_RUN,
  MODE_EPOCH, /* run to the end of the current epoch, then park */
} Mode;

typedef enum
{
  EVENT_EPOCH,
  EVENT_SAMPLE,
  EVENT_DIVERGED,
  EVENT_FAILED,
  EVENT_FINISHED, /* the run reached its epoch target, early stopping or the schedule's end */
  EVENT_PARKED,   /* a run-to-the-end-of-the-epoch command is done */
} EventKind;

typedef struct
{
  EventKind      kind;
  guint          generation;
  guint          serial;
  BpEpochMetrics metrics;  /* EVENT_EPOCH */
  double         x;        /* EVENT_SAMPLE: epochs, fractional */
  double         accuracy;
  double         cost;
  char          *message;  /* EVENT_DIVERGED, EVENT_FAILED */
} Event;

typedef struct
{
  guint   generation;
  guint64 batches_done;
  guint   batch;         /* mini-batches done in the epoch in progress */
  guint   n_batches;
  gboolean in_epoch;
  double  images_per_second;
  double  seconds_left;  /* < 0 when unknown */
} Progress;

/* A published snapshot: the public part first, so a BpSnapshot * is a Snapshot *. */
typedef struct
{
  BpSnapshot      pub;
  gatomicrefcount ref;
  BpNetwork      *net;
  float          *velocity;  /* (net->n_params) or NULL */
} Snapshot;

/* What only the worker thread touches once it runs (and finalize, after joining it). */
typedef struct
{
  BpNetwork      *net;
  BpTrainer      *trainer;
  BpDataset      *train_view;
  BpDataset      *sample_view;
  BpRun           run;               /* what the network is built from; its live hyperparameters */
  guint           generation;
  guint64         batches_done;
  guint           epochs_done;
  guint           epoch_offset;      /* epochs the network had trained before this trainer */
  BpNetwork      *adopt_net;         /* for worker_build(): a network from a file, or NULL */
  float          *adopt_velocity;    /* its momentum state, or NULL */
  guint64         snapshot_batches;  /* batches_done when the last snapshot was taken */
  Snapshot       *spare;
  gint64          last_progress;
  gint64          last_snapshot;
  gint64          last_sample;
  /* Training speed: examples and time spent in bp_trainer_step() since rate_start. */
  double          rate;
  gint64          rate_examples;
  gint64          rate_time;
  double          eval_seconds;  /* the last end-of-epoch evaluation */
  char           *failure;       /* why the last reset could not build a network */
} Worker;

struct _BpSession
{
  GObject         parent_instance;

  GMainContext   *context;

  /* Data: owned by the session, read by both threads, never changed once set. */
  BpMnist         mnist;
  BpDataset      *own_train;
  BpDataset      *own_validation;
  BpDataset      *own_test;
  const BpDataset *train_full;
  const BpDataset *validation;
  const BpDataset *test;
  char           *data_dir;
  gboolean        loading;

  /* Main-thread state. */
  BpRun           run;      /* the network's, the live hyperparameters and the epoch target */
  BpSessionState  state;
  guint           generation;
  guint           command_serial;
  guint           request_serial;
  GArray         *history;  /* BpEpochMetrics */
  Progress        progress;
  gboolean        busy;
  gboolean        has_network;      /* a network can train: there is data and it was asked for */
  gboolean        had_snapshot;     /* the value of bp_session_has_network() last announced */
  gboolean        network_from_file;
  guint64         snapshot_serial;  /* of the last snapshot announced */

  GThread        *thread;
  Worker          worker;

  /* Shared with the worker, under lock. */
  GMutex          lock;
  GCond           cond;
  Mode            mode;
  guint           mode_serial;
  guint           steps_pending;
  guint           epochs_target;
  gboolean        quit;
  gboolean        hyper_pending;
  BpHyperparams   hyper_next;
  gboolean        reset_pending;
  BpRun           reset_run;
  guint           reset_generation;
  BpNetwork      *reset_net;       /* the network to adopt, or NULL for a fresh one */
  float          *reset_velocity;  /* its momentum state, or NULL */
  guint           reset_epochs_done;
  guint           requests;        /* bumped by every request */
  guint           requests_seen;   /* the value of requests when the worker last went idle */
  gboolean        worker_idle;
  GArray         *outbox;          /* Event */
  gboolean        progress_fresh;
  Progress        progress_next;
  GSource        *idle_source;

  GMutex          snapshot_lock;
  Snapshot       *snapshot;
  guint64         snapshot_counter;  /* the serial of the last snapshot published */
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

/* ── Snapshots ────────────────────────────────────────────────────────────────────────────── */

BpSnapshot *
bp_snapshot_ref (BpSnapshot *snapshot)
{
  Snapshot *self = (Snapshot *) snapshot;

  g_return_val_if_fail (snapshot != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref);
  return snapshot;
}

void
bp_snapshot_unref (BpSnapshot *snapshot)
{
  Snapshot *self = (Snapshot *) snapshot;

  g_return_if_fail (snapshot != NULL);

  if (g_atomic_ref_count_dec (&self->ref))
    {
      bp_network_free (self->net);
      g_free (self->velocity);
      g_free (self);
    }
}

static Snapshot *
snapshot_new (const BpNetwork *net)
{
  Snapshot *self;
  BpNetwork *copy = bp_network_copy (net);

  if (copy == NULL)
    return NULL;
  self = g_new0 (Snapshot, 1);
  g_atomic_ref_count_init (&self->ref);
  self->net = copy;
  self->pub.net = copy;
  return self;
}

/* Keep a copy of @velocity (NULL: none) with the parameters. Only on an unpublished snapshot. */
static void
snapshot_set_velocity (Snapshot    *self,
                       const float *velocity)
{
  size_t n = self->net->n_params;

  if (velocity == NULL)
    g_clear_pointer (&self->velocity, g_free);
  else
    {
      if (self->velocity == NULL)
        self->velocity = g_new (float, n);
      memcpy (self->velocity, velocity, n * sizeof (float));
    }
  self->pub.velocity = self->velocity;
}

/* Worker: copy the parameters into the spare buffer and publish it. */
static void
worker_publish_snapshot (BpSession *self,
                         Worker    *w)
{
  Snapshot *old;

  /* Set first: a snapshot that cannot be allocated is skipped, not retried in a loop. */
  w->snapshot_batches = w->batches_done;
  if (w->spare != NULL
      && (!g_atomic_ref_count_compare (&w->spare->ref, 1)
          || !bp_network_same_shape (w->spare->net, w->net)))
    {
      /* Still read by a view, or the shape of a network that has been replaced. */
      bp_snapshot_unref (&w->spare->pub);
      w->spare = NULL;
    }
  if (w->spare == NULL)
    {
      w->spare = snapshot_new (w->net);
      if (w->spare == NULL)
        return;
    }
  else
    memcpy (w->spare->net->params, w->net->params, w->net->n_params * sizeof (float));
  /* The velocities go with the parameters, so that a saved session resumes its momentum. */
  snapshot_set_velocity (w->spare,
                         w->trainer != NULL ? bp_trainer_get_velocity (w->trainer) : NULL);

  w->spare->pub.generation = w->generation;
  w->spare->pub.epoch = w->epochs_done;

  g_mutex_lock (&self->snapshot_lock);
  if (self->snapshot != NULL && (gint) (self->snapshot->pub.generation - w->generation) > 0)
    {
      /* The main thread has already published the network that replaces this one. */
      g_mutex_unlock (&self->snapshot_lock);
      return;
    }
  w->spare->pub.serial = ++self->snapshot_counter;
  old = self->snapshot;
  self->snapshot = w->spare;
  g_mutex_unlock (&self->snapshot_lock);

  w->spare = old;
  w->last_snapshot = g_get_monotonic_time ();
}

BpSnapshot *
bp_session_dup_snapshot (BpSession *self)
{
  BpSnapshot *snapshot = NULL;

  g_return_val_if_fail (BP_IS_SESSION (self), NULL);

  g_mutex_lock (&self->snapshot_lock);
  if (self->snapshot != NULL)
    snapshot = bp_snapshot_ref (&self->snapshot->pub);
  g_mutex_unlock (&self->snapshot_lock);
  return snapshot;
}

/* ── Worker → main ────────────────────────────────────────────────────────────────────────── */

static gboolean deliver_cb (gpointer data);

/* Wake the main thread unless a wake-up is already pending. Called with the lock held. */
static void
schedule_delivery_locked (BpSession *self)
{
  if (self->idle_source != NULL)
    return;
  self->idle_source = g_idle_source_new ();
  g_source_set_priority (self->idle_source, G_PRIORITY_DEFAULT_IDLE);
  g_source_set_callback (self->idle_source, deliver_cb, self, NULL);
  g_source_set_static_name (self->idle_source, "[backprop] session results");
  g_source_attach (self->idle_source, self->context);
}

static void
post_locked (BpSession   *self,
             const Event *event)
{
  g_array_append_vals (self->outbox, event, 1);
  schedule_delivery_locked (self);
}

static void
event_clear (gpointer data)
{
  Event *event = data;

  g_clear_pointer (&event->message, g_free);
}

/* ── The worker thread ────────────────────────────────────────────────────────────────────── */

static void
worker_free_network (Worker *w)
{
  g_clear_pointer (&w->trainer, bp_trainer_free);
  g_clear_pointer (&w->net, bp_network_free);
  g_clear_pointer (&w->sample_view, bp_dataset_free);
  g_clear_pointer (&w->train_view, bp_dataset_free);
}

/* Build the network and trainer of the run (w->run). Runs on the worker (or before it exists). */
static gboolean
worker_build (BpSession *self,
              Worker    *w)
{
  const BpRun *s = &w->run;
  const BpDataset *sample_src;
  BpRun config;
  BpError error = { 0 };
  BpRng rng;
  size_t n_train;

  worker_free_network (w);
  g_clear_pointer (&w->failure, g_free);
  w->batches_done = 0;
  w->epochs_done = 0;
  w->rate = 0.0;
  w->rate_examples = 0;
  w->rate_time = 0;
  w->eval_seconds = 0.0;
  w->last_sample = 0;

  n_train = self->train_full->n;
  if (s->train_size > 0 && s->train_size < n_train)
    n_train = s->train_size;
  w->train_view = bp_dataset_view (self->train_full, 0, n_train, &error);
  if (w->train_view == NULL)
    goto fail;

  if (self->validation != NULL && self->validation->n > 0)
    sample_src = self->validation;
  else if (self->test != NULL && self->test->n > 0)
    sample_src = self->test;
  else
    sample_src = w->train_view;
  w->sample_view = bp_dataset_view (sample_src, 0, MIN (SAMPLE_SIZE, sample_src->n), &error);
  if (w->sample_view == NULL)
    goto fail;

  if (w->adopt_net != NULL)
    w->net = g_steal_pointer (&w->adopt_net);
  else
    {
      w->net = bp_network_new (&s->arch, &error);
      if (w->net == NULL)
        goto fail;
      bp_rng_seed (&rng, s->seed, BP_RNG_STREAM_INIT);
      bp_network_init (w->net, s->init, &rng);
    }

  config = *s;
  config.epochs = TRAINER_EPOCHS;
  /* A resumed network must not shuffle its next epochs as its first ones were: its trainer
   * gets a seed of its own, the same for every resumption from the same epoch. */
  config.seed = s->seed + (guint64) w->epoch_offset * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15);
  /* Every monitor, the fast kernel. */
  w->trainer = bp_trainer_new (w->net, &config, NULL, w->train_view, self->validation,
                               self->test, &error);
  if (w->trainer == NULL)
    goto fail;
  if (w->adopt_velocity != NULL)
    bp_trainer_set_velocity (w->trainer, w->adopt_velocity);
  g_clear_pointer (&w->adopt_velocity, g_free);
  w->epochs_done = w->epoch_offset;

  worker_publish_snapshot (self, w);
  return TRUE;

fail:
  g_clear_pointer (&w->adopt_net, bp_network_free);
  g_clear_pointer (&w->adopt_velocity, g_free);
  worker_free_network (w);
  w->failure = g_strdup (error.message);
  return FALSE;
}

static void
worker_fill_progress (Worker   *w,
                      guint     target,
                      Progress *p)
{
  BpProgress bp;
  double left_examples, epochs_left;

  memset (p, 0, sizeof *p);
  p->generation = w->generation;
  p->batches_done = w->batches_done;
  p->seconds_left = -1.0;
  if (w->trainer == NULL)
    return;

  bp_trainer_get_progress (w->trainer, &bp);
  p->in_epoch = !bp_trainer_epoch_complete (w->trainer);
  p->batch = p->in_epoch ? (guint) bp.batch : 0;
  p->n_batches = (guint) bp.n_batches;
  p->images_per_second = w->rate;

  if (w->rate > 0.0 && target > w->epochs_done)
    {
      size_t n = w->train_view->n * (w->run.expand == BP_EXPAND_SHIFTS ? 5 : 1);

      epochs_left = (double) (target - w->epochs_done);
      left_examples = epochs_left * (double) n - (p->in_epoch ? (double) bp.examples_seen : 0.0);
      p->seconds_left = left_examples / w->rate + epochs_left * w->eval_seconds;
    }
  else if (target <= w->epochs_done)
    p->seconds_left = 0.0;
}

/* Evaluate the held-out sample and post the point. */
static void
worker_sample (BpSession *self,
               Worker    *w)
{
  BpEvaluation ev;
  BpProgress bp;
  Event event = { 0 };

  w->last_sample = g_get_monotonic_time ();
  if (!bp_evaluate (w->net, w->sample_view, w->run.hyper.lambda_l2, w->run.hyper.lambda_l1,
                    w->train_view->n, false, &ev, NULL))
    return;

  bp_trainer_get_progress (w->trainer, &bp);
  event.kind = EVENT_SAMPLE;
  event.generation = w->generation;
  event.x = bp.n_batches > 0 ? (double) (bp.epoch - 1) + (double) bp.batch / (double) bp.n_batches
                             : (double) bp.epoch;
  event.x += w->epoch_offset;
  event.accuracy = ev.accuracy;
  event.cost = ev.cost;

  g_mutex_lock (&self->lock);
  post_locked (self, &event);
  g_mutex_unlock (&self->lock);
}

typedef enum
{
  STEP_OK,
  STEP_EPOCH_DONE,
  STEP_FINISHED,
  STEP_DIVERGED,
} StepResult;

/* Train one mini-batch, and finish the epoch when it was the last. */
static StepResult
worker_train_batch (BpSession      *self,
                    Worker         *w,
                    guint           target,
                    BpEpochMetrics *metrics,
                    BpError        *error)
{
  BpProgress before;
  gint64 t0, t1;
  bool stop = false;

  bp_trainer_get_progress (w->trainer, &before);
  t0 = g_get_monotonic_time ();
  if (!bp_trainer_step (w->trainer, error))
    return STEP_DIVERGED;
  t1 = g_get_monotonic_time ();
  w->batches_done++;

  /* The speed shown is that of the training passes: an exponential average over about a
   * second of training time. */
  w->rate_time += t1 - t0;
  w->rate_examples += (gint64) MIN (w->run.hyper.batch_size, w->train_view->n);
  if (w->rate_time >= 100 * G_TIME_SPAN_MILLISECOND)
    {
      double r = (double) w->rate_examples / ((double) w->rate_time / G_USEC_PER_SEC);

      w->rate = w->rate > 0.0 ? 0.8 * w->rate + 0.2 * r : r;
      w->rate_examples = 0;
      w->rate_time = 0;
    }

  if (!bp_trainer_epoch_complete (w->trainer))
    return STEP_OK;

  t0 = g_get_monotonic_time ();
  if (!bp_trainer_finish_epoch (w->trainer, metrics, &stop, error))
    return STEP_DIVERGED;
  w->eval_seconds = (double) (g_get_monotonic_time () - t0) / G_USEC_PER_SEC;
  /* The trainer counts from its own start; a resumed network's epochs go on from its history. */
  metrics->epoch += w->epoch_offset;
  w->epochs_done = metrics->epoch;
  if (stop || metrics->epoch >= target)
    return STEP_FINISHED;
  return STEP_EPOCH_DONE;
}

static gpointer
worker_main (gpointer data)
{
  BpSession *self = data;
  Worker *w = &self->worker;

  g_mutex_lock (&self->lock);
  for (;;)
    {
      BpEpochMetrics metrics;
      BpError error = { 0 };
      StepResult result;
      Event event = { 0 };
      gboolean single = FALSE;
      guint serial, target;
      Mode mode;
      gint64 now;

      if (self->quit)
        break;

      if (self->reset_pending)
        {
          self->reset_pending = FALSE;
          {
            /* The worker keeps its own live hyperparameters; newer ones come just below. */
            BpHyperparams hyper = w->run.hyper;

            w->run = self->reset_run;
            w->run.hyper = hyper;
          }
          w->generation = self->reset_generation;
          w->adopt_net = g_steal_pointer (&self->reset_net);
          w->adopt_velocity = g_steal_pointer (&self->reset_velocity);
          w->epoch_offset = self->reset_epochs_done;
          /* The new trainer starts with the latest hyperparameters: applied afterwards, a
           * momentum turned on would zero the velocities the network was adopted with. */
          if (self->hyper_pending)
            {
              self->hyper_pending = FALSE;
              w->run.hyper = self->hyper_next;
            }
          g_mutex_unlock (&self->lock);

          if (!worker_build (self, w))
            {
              event.kind = EVENT_FAILED;
              event.generation = w->generation;
              event.message = g_strdup (w->failure);
            }

          g_mutex_lock (&self->lock);
          if (event.kind == EVENT_FAILED)
            post_locked (self, &event);
          worker_fill_progress (w, self->epochs_target, &self->progress_next);
          self->progress_fresh = TRUE;
          schedule_delivery_locked (self);
          continue;
        }

      if (self->hyper_pending)
        {
          self->hyper_pending = FALSE;
          w->run.hyper = self->hyper_next;
          if (w->trainer != NULL && !bp_trainer_set_hyperparams (w->trainer, &w->run.hyper, &error))
            g_warning ("Could not apply hyperparameters: %s", error.message);
          continue;
        }

      mode = self->mode;
      target = self->epochs_target;
      if (w->trainer == NULL)
        {
          /* No network (its reset failed): nothing can run until the next reset. */
          self->steps_pending = 0;
          mode = self->mode = MODE_PARK;
        }
      if (self->steps_pending > 0)
        {
          self->steps_pending--;
          single = TRUE;
        }
      else if (mode == MODE_PARK)
        {
          if (w->trainer != NULL && w->snapshot_batches != w->batches_done)
            {
              /* Parking: publish the parameters trained since the last snapshot, so that the
               * views show the network exactly as it stands. */
              g_mutex_unlock (&self->lock);
              worker_publish_snapshot (self, w);
              g_mutex_lock (&self->lock);
              continue;
            }
          if (!self->worker_idle || self->requests_seen != self->requests)
            {
              /* Tell the main thread that everything it asked for is done. */
              self->worker_idle = TRUE;
              self->requests_seen = self->requests;
              worker_fill_progress (w, target, &self->progress_next);
              self->progress_fresh = TRUE;
              schedule_delivery_locked (self);
            }
          g_cond_wait (&self->cond, &self->lock);
          continue;
        }
      else if (bp_trainer_epoch_complete (w->trainer) && w->epochs_done >= target)
        {
          /* Started with the target already reached: the run ends without training. */
          event.kind = EVENT_FINISHED;
          event.generation = w->generation;
          event.serial = self->mode_serial;
          self->mode = MODE_PARK;
          post_locked (self, &event);
          continue;
        }

      self->worker_idle = FALSE;
      serial = self->mode_serial;
      g_mutex_unlock (&self->lock);

      result = worker_train_batch (self, w, target, &metrics, &error);
      now = g_get_monotonic_time ();

      if (result != STEP_DIVERGED
          && (single || result != STEP_OK || now - w->last_snapshot >= SNAPSHOT_INTERVAL_US))
        worker_publish_snapshot (self, w);
      /* Sample points inside epochs, and one at each epoch's end so that the sample's curve
       * runs on between epochs too short to be sampled inside. */
      if (result == STEP_EPOCH_DONE || result == STEP_FINISHED
          || (result == STEP_OK && (single || now - w->last_sample >= SAMPLE_INTERVAL_US)))
        worker_sample (self, w);

      g_mutex_lock (&self->lock);
      switch (result)
        {
        case STEP_OK:
          break;

        case STEP_EPOCH_DONE:
        case STEP_FINISHED:
          event.kind = EVENT_EPOCH;
          event.generation = w->generation;
          event.metrics = metrics;
          post_locked (self, &event);
          if (result == STEP_FINISHED && !single)
            {
              event.kind = EVENT_FINISHED;
              event.serial = serial;
              post_locked (self, &event);
              if (self->mode_serial == serial)
                self->mode = MODE_PARK;
            }
          else if (mode == MODE_EPOCH && !single)
            {
              event.kind = EVENT_PARKED;
              event.serial = serial;
              post_locked (self, &event);
              if (self->mode_serial == serial)
                self->mode = MODE_PARK;
            }
          break;

        case STEP_DIVERGED:
          event.kind = EVENT_DIVERGED;
          event.generation = w->generation;
          event.serial = serial;
          event.message = g_strdup (error.message);
          post_locked (self, &event);
          if (self->mode_serial == serial)
            {
              self->mode = MODE_PARK;
              self->steps_pending = 0;
            }
          worker_publish_snapshot (self, w);
          break;
        }

      if (result != STEP_OK || single || now - w->last_progress >= PROGRESS_INTERVAL_US)
        {
          w->last_progress = now;
          worker_fill_progress (w, self->epochs_target, &self->progress_next);
          self->progress_fresh = TRUE;
          schedule_delivery_locked (self);
        }
    }
  g_mutex_unlock (&self->lock);
  return NULL;
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

/* Queue a request for the worker. Called with the lock held. */
static void
request_locked (BpSession *self)
{
  self->requests++;
  set_busy (self, TRUE);
  g_cond_signal (&self->cond);
}

static void
set_mode (BpSession *self,
          Mode       mode,
          gboolean   clear_steps)
{
  self->command_serial++;
  g_mutex_lock (&self->lock);
  self->mode = mode;
  self->mode_serial = self->command_serial;
  if (clear_steps)
    self->steps_pending = 0;
  request_locked (self);
  g_mutex_unlock (&self->lock);
}

static void
apply_progress (BpSession      *self,
                const Progress *p)
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
dispatch (BpSession   *self,
          const Event *event)
{
  switch (event->kind)
    {
    case EVENT_EPOCH:
      g_array_append_val (self->history, event->metrics);
      g_object_freeze_notify (G_OBJECT (self));
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EPOCH]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRAIN_ACCURACY]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VALIDATION_ACCURACY]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEST_ACCURACY]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_START]);
      g_object_thaw_notify (G_OBJECT (self));
      g_signal_emit (self, signals[EPOCH_FINISHED], 0, &event->metrics);
      break;

    case EVENT_SAMPLE:
      g_signal_emit (self, signals[METRICS_SAMPLED], 0, event->x, event->accuracy, event->cost);
      break;

    case EVENT_DIVERGED:
      if (event->serial == self->command_serial)
        set_state (self, BP_SESSION_STATE_PAUSED);
      g_signal_emit (self, signals[DIVERGED], 0, event->message);
      break;

    case EVENT_FAILED:
      self->has_network = FALSE;
      set_state (self, BP_SESSION_STATE_STOPPED);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_START]);
      g_signal_emit (self, signals[FAILED], 0, event->message);
      break;

    case EVENT_FINISHED:
      if (event->serial == self->command_serial)
        set_state (self, BP_SESSION_STATE_STOPPED);
      break;

    case EVENT_PARKED:
      if (event->serial == self->command_serial && self->state == BP_SESSION_STATE_RUNNING)
        set_state (self, BP_SESSION_STATE_PAUSED);
      break;

    default:
      g_assert_not_reached ();
    }
}

static gboolean
deliver_cb (gpointer data)
{
  BpSession *self = data;
  g_autoptr(GArray) events = NULL;
  gboolean fresh, idle;
  Progress progress;
  guint64 snapshot_serial;

  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->idle_source, g_source_unref);
  events = self->outbox;
  self->outbox = g_array_new (FALSE, FALSE, sizeof (Event));
  g_array_set_clear_func (self->outbox, event_clear);
  fresh = self->progress_fresh;
  progress = self->progress_next;
  self->progress_fresh = FALSE;
  idle = self->worker_idle && self->requests_seen == self->requests;
  g_mutex_unlock (&self->lock);

  /* A handler may reset the session or drop its last reference: keep it alive, and compare
   * each event's generation with the current one as it comes. */
  g_object_ref (self);
  for (guint i = 0; i < events->len; i++)
    {
      const Event *event = &g_array_index (events, Event, i);

      if (event->generation == self->generation)
        dispatch (self, event);
    }
  if (fresh && progress.generation == self->generation)
    apply_progress (self, &progress);

  /* Announce a new snapshot; views read it when they next draw. */
  g_mutex_lock (&self->snapshot_lock);
  snapshot_serial = self->snapshot != NULL ? self->snapshot->pub.serial : 0;
  g_mutex_unlock (&self->snapshot_lock);
  if (snapshot_serial != self->snapshot_serial)
    {
      self->snapshot_serial = snapshot_serial;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SNAPSHOT_SERIAL]);
    }
  update_has_network (self);
  if (idle)
    {
      /* The worker caught up with every request, but a handler above may have made a new one. */
      g_mutex_lock (&self->lock);
      idle = self->worker_idle && self->requests_seen == self->requests;
      g_mutex_unlock (&self->lock);
      if (idle)
        set_busy (self, FALSE);
    }
  g_object_unref (self);

  return G_SOURCE_REMOVE;
}

static void
ensure_worker (BpSession *self)
{
  if (self->thread != NULL)
    return;
  self->thread = g_thread_new ("backprop-train", worker_main, self);
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
  ensure_worker (self);
}

/* ── Public API ───────────────────────────────────────────────────────────────────────────── */

typedef struct
{
  char *dir;
} LoadData;

static void
load_data_free (gpointer data)
{
  LoadData *load = data;

  g_free (load->dir);
  g_free (load);
}

static void
mnist_free (gpointer data)
{
  BpMnist *mnist = data;

  bp_mnist_clear (mnist);
  g_free (mnist);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *load = task_data;
  BpMnist *mnist = g_new0 (BpMnist, 1);
  BpError error = { 0 };

  if (!bp_mnist_load (mnist, load->dir, 0, &error))
    {
      g_free (mnist);
      g_task_return_new_error (task, G_IO_ERROR,
                               error.code == BP_ERROR_IO ? G_IO_ERROR_NOT_FOUND
                                                         : G_IO_ERROR_INVALID_DATA,
                               "%s", error.message);
      return;
    }
  g_task_return_pointer (task, mnist, mnist_free);
}

void
bp_session_load_mnist_async (BpSession           *self,
                             const char          *dir,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LoadData *load;

  g_return_if_fail (BP_IS_SESSION (self));
  g_return_if_fail (!bp_session_has_data (self));
  g_return_if_fail (!self->loading);

  load = g_new0 (LoadData, 1);
  if (dir != NULL)
    load->dir = g_strdup (dir);
  else
    {
      char *found = bp_mnist_find_dir (NULL);

      load->dir = g_strdup (found);
      free (found);
    }

  self->loading = TRUE;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bp_session_load_mnist_async);
  g_task_set_name (task, "[backprop] load MNIST");
  g_task_set_task_data (task, load, load_data_free);
  g_task_run_in_thread (task, load_thread);
}

gboolean
bp_session_load_mnist_finish (BpSession     *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  BpMnist *mnist;
  LoadData *load;

  g_return_val_if_fail (BP_IS_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  self->loading = FALSE;
  mnist = g_task_propagate_pointer (G_TASK (result), error);
  if (mnist == NULL)
    return FALSE;

  load = g_task_get_task_data (G_TASK (result));
  self->mnist = *mnist;
  g_free (mnist);
  self->train_full = self->mnist.train;
  self->validation = self->mnist.validation;
  self->test = self->mnist.test;
  self->data_dir = g_strdup (load->dir);
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
  const BpArch *arch;
  BpError bp_error = { 0 };
  size_t size;

  g_return_val_if_fail (BP_IS_SESSION (self), FALSE);
  g_return_val_if_fail (run != NULL, FALSE);

  arch = &run->arch;
  if (arch->n_layers < 1 || arch->n_layers > BP_MAX_LAYERS - 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "A network has 2 to %d layers, not %zu", BP_MAX_LAYERS, arch->n_layers + 1);
      return FALSE;
    }
  for (size_t l = 0; l <= arch->n_layers; l++)
    {
      size = l == 0 ? arch->in_channels * arch->in_height * arch->in_width
                    : arch->layers[l - 1].size;
      if (size == 0 || size > BP_MAX_LAYER_SIZE)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "Layer %zu has %zu neurons; a layer has 1 to %d", l + 1, size,
                       BP_MAX_LAYER_SIZE);
          return FALSE;
        }
    }
  if (!bp_arch_check (arch, &bp_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s", bp_error.message);
      return FALSE;
    }
  /* The settings that go with the network; the live ones have their own setters. */
  {
    size_t n_fields;
    const BpRunField *fields = bp_run_fields (&n_fields);

    for (size_t i = 0; i < n_fields; i++)
      if (!fields[i].live && !bp_run_field_check (run, &fields[i], &bp_error))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s", bp_error.message);
          return FALSE;
        }
  }

  if (self->train_full == NULL)
    return TRUE;

  if (arch->in_channels * arch->in_height * arch->in_width != self->train_full->n_pixels)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "The input layer must have %zu neurons, one per pixel of the %zu×%zu images",
                   self->train_full->n_pixels, self->train_full->rows, self->train_full->cols);
      return FALSE;
    }
  if (arch->layers[arch->n_layers - 1].size < self->train_full->n_classes)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "The output layer must have at least %zu neurons, one per class",
                   self->train_full->n_classes);
      return FALSE;
    }
  if ((run->early_stop > 0 || run->schedule > 0)
      && (self->validation == NULL || self->validation->n == 0))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Early stopping and the learning-rate schedule need a validation set");
      return FALSE;
    }
  return TRUE;
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

  g_return_val_if_fail (BP_IS_SESSION (self), FALSE);
  g_return_val_if_fail (hyper != NULL, FALSE);

  if (!bp_hyperparams_check (hyper, &bp_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s", bp_error.message);
      return FALSE;
    }
  if (bp_hyperparams_equal (hyper, &self->run.hyper))
    return TRUE;

  self->run.hyper = *hyper;
  g_mutex_lock (&self->lock);
  self->hyper_next = *hyper;
  self->hyper_pending = TRUE;
  request_locked (self);
  g_mutex_unlock (&self->lock);
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
  g_mutex_lock (&self->lock);
  self->epochs_target = epochs;
  request_locked (self);
  g_mutex_unlock (&self->lock);
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
  return self->progress.in_epoch || self->history->len < self->run.epochs;
}

void
bp_session_start (BpSession *self)
{
  g_return_if_fail (BP_IS_SESSION (self));

  if (!self->has_network || self->state == BP_SESSION_STATE_RUNNING)
    return;
  set_mode (self, MODE_RUN, FALSE);
  set_state (self, BP_SESSION_STATE_RUNNING);
}

void
bp_session_pause (BpSession *self)
{
  g_return_if_fail (BP_IS_SESSION (self));

  if (self->state != BP_SESSION_STATE_RUNNING)
    return;
  set_mode (self, MODE_PARK, TRUE);
  set_state (self, BP_SESSION_STATE_PAUSED);
}

void
bp_session_step (BpSession *self)
{
  g_return_if_fail (BP_IS_SESSION (self));

  if (!self->has_network || self->state == BP_SESSION_STATE_RUNNING)
    return;
  self->command_serial++;
  g_mutex_lock (&self->lock);
  self->mode = MODE_PARK;
  self->mode_serial = self->command_serial;
  self->steps_pending++;
  request_locked (self);
  g_mutex_unlock (&self->lock);
  set_state (self, BP_SESSION_STATE_PAUSED);
}

void
bp_session_step_epoch (BpSession *self)
{
  g_return_if_fail (BP_IS_SESSION (self));

  if (!self->has_network || self->state == BP_SESSION_STATE_RUNNING)
    return;
  set_mode (self, MODE_EPOCH, FALSE);
  set_state (self, BP_SESSION_STATE_RUNNING);
}

void
bp_session_stop (BpSession *self)
{
  g_return_if_fail (BP_IS_SESSION (self));

  set_mode (self, MODE_PARK, TRUE);
  set_state (self, BP_SESSION_STATE_STOPPED);
}

/* Replace the network: a fresh one from the run (@snapshot NULL), or the network of
 * @snapshot, which is published at once, and given to the worker as @net (both owned; @net is
 * NULL without data, when there is no worker to train it). The history becomes @history. */
static void
replace_network (BpSession            *self,
                 Snapshot             *snapshot,
                 BpNetwork            *net,
                 float                *velocity,
                 const BpEpochMetrics *history,
                 guint                 n_history)
{
  GObject *object = G_OBJECT (self);

  g_object_freeze_notify (object);
  self->generation++;
  self->command_serial++;
  g_array_set_size (self->history, 0);
  if (n_history > 0)
    g_array_append_vals (self->history, history, n_history);
  memset (&self->progress, 0, sizeof self->progress);
  self->progress.seconds_left = -1.0;
  self->network_from_file = snapshot != NULL;

  if (snapshot != NULL)
    {
      Snapshot *old;

      snapshot->pub.generation = self->generation;
      snapshot->pub.epoch = n_history;
      g_mutex_lock (&self->snapshot_lock);
      snapshot->pub.serial = ++self->snapshot_counter;
      old = self->snapshot;
      self->snapshot = snapshot;
      g_mutex_unlock (&self->snapshot_lock);
      if (old != NULL)
        bp_snapshot_unref (&old->pub);
      self->snapshot_serial = snapshot->pub.serial;
      g_object_notify_by_pspec (object, properties[PROP_SNAPSHOT_SERIAL]);
    }

  if (self->train_full != NULL)
    {
      self->has_network = TRUE;
      g_mutex_lock (&self->lock);
      self->mode = MODE_PARK;
      self->mode_serial = self->command_serial;
      self->steps_pending = 0;
      self->reset_pending = TRUE;
      self->reset_run = self->run;
      self->reset_generation = self->generation;
      /* A request not yet taken up is replaced, with the network it carried. */
      g_clear_pointer (&self->reset_net, bp_network_free);
      g_clear_pointer (&self->reset_velocity, g_free);
      self->reset_net = g_steal_pointer (&net);
      self->reset_velocity = g_steal_pointer (&velocity);
      self->reset_epochs_done = self->reset_net != NULL ? n_history : 0;
      request_locked (self);
      g_mutex_unlock (&self->lock);
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

  return self->history->len;
}

const BpEpochMetrics *
bp_session_get_history (BpSession *self,
                        guint     *n_epochs)
{
  g_return_val_if_fail (BP_IS_SESSION (self), NULL);

  if (n_epochs != NULL)
    *n_epochs = self->history->len;
  return (const BpEpochMetrics *) (gpointer) self->history->data;
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

  if (self->history->len == 0)
    return -1.0;
  m = &g_array_index (self->history, BpEpochMetrics, self->history->len - 1);
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
  Snapshot *snapshot;
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
  snapshot = snapshot_new (net);
  if (snapshot != NULL && self->train_full != NULL)
    {
      worker_net = bp_network_copy (net);
      if (worker_net == NULL)
        {
          bp_snapshot_unref (&snapshot->pub);
          snapshot = NULL;
        }
    }
  if (snapshot == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   "Not enough memory for a copy of the network");
      return FALSE;
    }
  snapshot_set_velocity (snapshot, velocity);
  if (velocity != NULL && worker_net != NULL)
    velocity_copy = g_memdup2 (velocity, net->n_params * sizeof (float));
  /* @history may be the session's own. */
  if (n_history > 0)
    history_copy = g_memdup2 (history, n_history * sizeof (BpEpochMetrics));

  g_object_freeze_notify (G_OBJECT (self));
  if (!bp_hyperparams_equal (&run->hyper, &self->run.hyper))
    {
      self->run.hyper = run->hyper;
      g_mutex_lock (&self->lock);
      self->hyper_next = run->hyper;
      self->hyper_pending = TRUE;
      g_mutex_unlock (&self->lock);
    }
  bp_session_set_epochs (self, run->epochs);
  take_network_part (self, run);
  replace_network (self, snapshot, worker_net, g_steal_pointer (&velocity_copy), history_copy,
                   n_history);
  g_object_thaw_notify (G_OBJECT (self));
  return TRUE;
}

gboolean
bp_session_load_model (BpSession   *self,
                       const char  *path,
                       GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *display = NULL;
  BpModelInfo info = { 0 };
  BpError bp_error = { 0 };
  BpRun run;
  BpNetwork *net;
  gboolean ok;

  g_return_val_if_fail (BP_IS_SESSION (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  net = bp_model_load (path, &info, &bp_error);
  if (net == NULL)
    {
      GIOErrorEnum code = G_IO_ERROR_INVALID_DATA;

      if (bp_error.code == BP_ERROR_IO)
        code = g_file_test (path, G_FILE_TEST_EXISTS) ? G_IO_ERROR_FAILED : G_IO_ERROR_NOT_FOUND;
      g_set_error (error, G_IO_ERROR, code, "%s", bp_error.message);
      return FALSE;
    }

  /* The network is the model's; the other settings stay. */
  run = self->run;
  run.arch = net->arch;
  /* network2.py's own files say nothing of it: they come from its default initialiser. */
  run.init = info.has_run ? info.run.init : BP_INIT_DEFAULT;

  ok = bp_session_adopt (self, net, &run, NULL, 0, info.velocity, &local_error);
  if (!ok)
    {
      display = g_filename_display_name (path);
      /* Translators: a model file's name, then why it cannot be used. */
      g_set_error (error, G_IO_ERROR, local_error->code, _("%s does not fit: %s"), display,
                   local_error->message);
    }
  bp_network_free (net);
  bp_model_info_clear (&info);
  return ok;
}

gboolean
bp_session_write_snapshot (BpSession   *self,
                           BpSnapshot  *snapshot,
                           GString     *out,
                           const char  *name,
                           guint       *n_saved,
                           GError     **error)
{
  BpModelInfo info = { 0 };
  BpError bp_error = { 0 };

  g_return_val_if_fail (BP_IS_SESSION (self), FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (snapshot == NULL || snapshot->generation != self->generation)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("%s: not saved: there is no network yet"), name);
      return FALSE;
    }

  info.has_run = TRUE;
  info.run = self->run;
  /* While training runs, the epochs the snapshot had finished. */
  info.history = (BpEpochMetrics *) (gpointer) self->history->data;
  info.n_history = MIN (self->history->len, snapshot->epoch);
  info.velocity = (float *) snapshot->velocity;
  if (!bp_model_write_begin (out, snapshot->net, &info, name, &bp_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s", bp_error.message);
      return FALSE;
    }
  if (n_saved != NULL)
    *n_saved = (guint) info.n_history;
  return TRUE;
}

gboolean
bp_session_save_snapshot (BpSession   *self,
                          BpSnapshot  *snapshot,
                          const char  *path,
                          guint       *n_saved,
                          GError     **error)
{
  g_autoptr(GString) out = NULL;
  g_autofree char *display = NULL;
  BpError bp_error = { 0 };

  g_return_val_if_fail (BP_IS_SESSION (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (snapshot == NULL || snapshot->generation != self->generation)
    {
      display = g_filename_display_name (path);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("%s: not saved: there is no network yet"), display);
      return FALSE;
    }
  out = g_string_sized_new (16 * snapshot->net->n_params + 4096);
  if (!bp_session_write_snapshot (self, snapshot, out, path, n_saved, error))
    return FALSE;
  bp_model_write_end (out);
  /* The atomic write model files go through (bp_model_save()'s). */
  if (!bp_save_file (path, out->str, out->len, &bp_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", bp_error.message);
      return FALSE;
    }
  return TRUE;
}

gboolean
bp_session_save_model (BpSession   *self,
                       const char  *path,
                       GError     **error)
{
  g_autoptr(BpSnapshot) snapshot = NULL;

  g_return_val_if_fail (BP_IS_SESSION (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  snapshot = bp_session_dup_snapshot (self);
  return bp_session_save_snapshot (self, snapshot, path, NULL, error);
}

gboolean
bp_session_has_network (BpSession *self)
{
  gboolean has;

  g_return_val_if_fail (BP_IS_SESSION (self), FALSE);

  g_mutex_lock (&self->snapshot_lock);
  has = self->snapshot != NULL && self->snapshot->pub.generation == self->generation;
  g_mutex_unlock (&self->snapshot_lock);
  return has;
}

gboolean
bp_session_get_network_from_file (BpSession *self)
{
  g_return_val_if_fail (BP_IS_SESSION (self), FALSE);

  return self->network_from_file;
}

/* ── GObject ──────────────────────────────────────────────────────────────────────────────── */

static void
bp_session_dispose (GObject *object)
{
  BpSession *self = BP_SESSION (object);

  /* Stop the worker within one mini-batch (or one end-of-epoch evaluation) and wait for it:
   * nothing may be left running on a session that is going away. */
  if (self->thread != NULL)
    {
      g_mutex_lock (&self->lock);
      self->quit = TRUE;
      g_cond_signal (&self->cond);
      g_mutex_unlock (&self->lock);
      g_thread_join (g_steal_pointer (&self->thread));
    }

  g_mutex_lock (&self->lock);
  if (self->idle_source != NULL)
    {
      g_source_destroy (self->idle_source);
      g_clear_pointer (&self->idle_source, g_source_unref);
    }
  g_mutex_unlock (&self->lock);

  G_OBJECT_CLASS (bp_session_parent_class)->dispose (object);
}

static void
bp_session_finalize (GObject *object)
{
  BpSession *self = BP_SESSION (object);
  Worker *w = &self->worker;

  worker_free_network (w);
  g_clear_pointer (&w->failure, g_free);
  g_clear_pointer (&w->adopt_net, bp_network_free);
  g_clear_pointer (&w->adopt_velocity, g_free);
  g_clear_pointer (&self->reset_net, bp_network_free);
  g_clear_pointer (&self->reset_velocity, g_free);
  if (w->spare != NULL)
    bp_snapshot_unref (&w->spare->pub);
  if (self->snapshot != NULL)
    bp_snapshot_unref (&self->snapshot->pub);

  bp_mnist_clear (&self->mnist);
  bp_dataset_free (self->own_train);
  bp_dataset_free (self->own_validation);
  bp_dataset_free (self->own_test);
  g_free (self->data_dir);

  g_array_unref (self->history);
  g_array_unref (self->outbox);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_mutex_clear (&self->snapshot_lock);

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
  signals[NETWORK_RESET] =
    g_signal_new ("network-reset", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
bp_session_init (BpSession *self)
{
  self->context = g_main_context_ref_thread_default ();
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  g_mutex_init (&self->snapshot_lock);

  bp_run_init (&self->run);
  self->hyper_next = self->run.hyper;
  self->worker.run = self->run;
  self->epochs_target = self->run.epochs;
  self->progress.seconds_left = -1.0;

  self->history = g_array_new (FALSE, FALSE, sizeof (BpEpochMetrics));
  self->outbox = g_array_new (FALSE, FALSE, sizeof (Event));
  g_array_set_clear_func (self->outbox, event_clear);
}

BpSession *
bp_session_new (void)
{
  return g_object_new (BP_TYPE_SESSION, NULL);
}
