/* bp-worker.c — the training thread: commands in, events out, weight snapshots
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two threads share a worker. The owner's thread gives commands and publishes snapshots of
 * networks from files; the worker thread owns the network, the trainer and the training-set
 * view, and is the only one to touch them once it runs. They meet in a few fields under `lock`:
 *
 *   owner → worker  mode (park, run, run to the end of the epoch, quit), queued single steps,
 *                   pending hyperparameters, a pending reset, the epoch target;
 *   worker → owner  an outbox of events (epoch finished, sample point, diverged, run ended),
 *                   the latest progress (overwritten, not queued), and how far it has caught up.
 */
#include "config.h"

#include "bp-worker.h"

#include <string.h>

#include "bp-metrics.h"
#include "bp-rng.h"

/* How often the worker publishes progress, snapshots and in-epoch sample points. */
#define PROGRESS_INTERVAL_US (50 * G_TIME_SPAN_MILLISECOND)
#define SNAPSHOT_INTERVAL_US (30 * G_TIME_SPAN_MILLISECOND)
#define SAMPLE_INTERVAL_US   (300 * G_TIME_SPAN_MILLISECOND)
/* …but no more often than this many times the sample's own cost: a conv net's sample can take
 * longer than the interval, and training must keep nine tenths of the worker's time. */
#define SAMPLE_COST_FACTOR 9
/* The held-out sample evaluated inside an epoch: the first images of the validation set. */
#define SAMPLE_SIZE 500

/* A published snapshot: the public part first, so a BpSnapshot * is a Snapshot *. */
typedef struct
{
  BpSnapshot      pub;
  gatomicrefcount ref;
  BpNetwork      *net;
  float          *velocity;  /* (net->n_params) or NULL */
} Snapshot;

/* What only the worker thread touches once it runs (and bp_worker_free(), after joining it). */
typedef struct
{
  BpNetwork      *net;
  BpTrainer      *trainer;
  BpDataset      *train_view;
  BpDataset      *sample_view;
  BpRun           run;               /* what the network is built from; its live hyperparameters */
  gboolean        learning_speed;
  guint           generation;
  guint64         batches_done;
  guint           epochs_done;
  guint           epoch_offset;      /* epochs the network had trained before this trainer */
  BpNetwork      *adopt_net;         /* for build(): a network from a file, or NULL */
  float          *adopt_velocity;    /* its momentum state, or NULL */
  guint64         snapshot_batches;  /* batches_done when the last snapshot was taken */
  Snapshot       *spare;
  gint64          last_progress;
  gint64          last_snapshot;
  gint64          last_sample;   /* when the last sample point was measured (its end) */
  gint64          sample_cost;   /* and how long it took */
  /* Training speed: examples and time spent in bp_trainer_step() since rate_start. */
  double          rate;
  gint64          rate_examples;
  gint64          rate_time;
  double          eval_seconds;  /* the last end-of-epoch evaluation */
  char           *failure;       /* why the last reset could not build a network */
  gboolean        want_batch;    /* train_batch() keeps its mini-batch in took */
  BpMiniBatch    *took;
} Own;

struct _BpWorker
{
  GMainContext        *context;
  BpWorkerResultsFunc  func;
  gpointer             user_data;

  /* Data: borrowed, read by the worker thread, never changed once started. */
  const BpDataset     *train_full;
  const BpDataset     *validation;
  const BpDataset     *test;

  GThread             *thread;
  Own                  own;

  /* Shared, under lock. */
  GMutex               lock;
  GCond                cond;
  BpWorkerMode         mode;
  guint                mode_serial;
  guint                steps_pending;
  guint                epochs_target;
  gboolean             quit;
  gboolean             learning_speed;
  gboolean             hyper_pending;
  BpHyperparams        hyper_next;
  gboolean             reset_pending;
  BpRun                reset_run;
  guint                reset_generation;
  BpNetwork           *reset_net;       /* the network to adopt, or NULL for a fresh one */
  float               *reset_velocity;  /* its momentum state, or NULL */
  guint                reset_epochs_done;
  guint                requests;        /* bumped by every command */
  guint                requests_seen;   /* the value of requests when the worker last went idle */
  gboolean             idle;
  GArray              *outbox;          /* BpWorkerEvent */
  gboolean             progress_fresh;
  BpWorkerProgress     progress_next;
  GSource             *idle_source;

  GMutex               snapshot_lock;
  Snapshot            *snapshot;
  guint64              snapshot_counter;  /* the serial of the last snapshot published */
};

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

BpSnapshot *
bp_snapshot_new (const BpNetwork *net,
                 const float     *velocity)
{
  Snapshot *self;
  BpNetwork *copy;

  g_return_val_if_fail (net != NULL, NULL);

  copy = bp_network_copy (net);
  if (copy == NULL)
    return NULL;
  self = g_new0 (Snapshot, 1);
  g_atomic_ref_count_init (&self->ref);
  self->net = copy;
  self->pub.net = copy;
  snapshot_set_velocity (self, velocity);
  return &self->pub;
}

/* Publish @snapshot (owned) unless one of a newer generation is there already. Returns its
 * serial, or 0 when it was dropped. */
static guint64
publish (BpWorker *self,
         Snapshot *snapshot,
         Snapshot **old)
{
  guint64 serial;

  g_mutex_lock (&self->snapshot_lock);
  if (self->snapshot != NULL
      && (gint) (self->snapshot->pub.generation - snapshot->pub.generation) > 0)
    {
      /* The owner has already published the network that replaces this one. */
      g_mutex_unlock (&self->snapshot_lock);
      *old = snapshot;
      return 0;
    }
  serial = snapshot->pub.serial = ++self->snapshot_counter;
  *old = self->snapshot;
  self->snapshot = snapshot;
  g_mutex_unlock (&self->snapshot_lock);
  return serial;
}

/* Worker: copy the parameters into the spare buffer and publish it. */
static void
publish_own (BpWorker *self,
             Own      *w)
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
      w->spare = (Snapshot *) bp_snapshot_new (w->net, NULL);
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
  if (publish (self, w->spare, &old) == 0)
    return;
  w->spare = old;
  w->last_snapshot = g_get_monotonic_time ();
}

guint64
bp_worker_publish_snapshot (BpWorker   *self,
                            BpSnapshot *snapshot,
                            guint       generation,
                            guint       epoch)
{
  Snapshot *old = NULL;
  guint64 serial;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (snapshot != NULL, 0);

  snapshot->generation = generation;
  snapshot->epoch = epoch;
  serial = publish (self, (Snapshot *) snapshot, &old);
  if (old != NULL)
    bp_snapshot_unref (&old->pub);
  return serial;
}

BpSnapshot *
bp_worker_dup_snapshot (BpWorker *self)
{
  BpSnapshot *snapshot = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  g_mutex_lock (&self->snapshot_lock);
  if (self->snapshot != NULL)
    snapshot = bp_snapshot_ref (&self->snapshot->pub);
  g_mutex_unlock (&self->snapshot_lock);
  return snapshot;
}

guint64
bp_worker_get_snapshot_serial (BpWorker *self,
                               guint    *generation)
{
  guint64 serial = 0;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->snapshot_lock);
  if (self->snapshot != NULL)
    {
      serial = self->snapshot->pub.serial;
      if (generation != NULL)
        *generation = self->snapshot->pub.generation;
    }
  g_mutex_unlock (&self->snapshot_lock);
  return serial;
}

/* ── Mini-batches ─────────────────────────────────────────────────────────────────────────── */

BpMiniBatch *
bp_mini_batch_ref (BpMiniBatch *batch)
{
  return g_atomic_rc_box_acquire (batch);
}

static void
mini_batch_clear (gpointer data)
{
  BpMiniBatch *batch = data;

  g_free ((gpointer) batch->indices);
  g_free ((gpointer) batch->images);
  g_free ((gpointer) batch->labels);
  g_free ((gpointer) batch->inputs);
  g_clear_pointer (&batch->before, bp_snapshot_unref);
  g_clear_pointer (&batch->after, bp_snapshot_unref);
}

void
bp_mini_batch_unref (BpMiniBatch *batch)
{
  g_atomic_rc_box_release_full (batch, mini_batch_clear);
}

/* What the trainer's last step took, with @before (owned) and the network now. */
static BpMiniBatch *
mini_batch_take (Own        *w,
                 BpSnapshot *before)
{
  BpMiniBatch *batch = g_atomic_rc_box_new0 (BpMiniBatch);
  const unsigned char *images;
  const float *inputs;
  const size_t *indices;
  size_t n;
  guint *idx;
  guint8 *labels;
  BpProgress progress;

  indices = bp_trainer_get_last_batch (w->trainer, &n, &images, &inputs);
  bp_trainer_get_progress (w->trainer, &progress);
  batch->generation = w->generation;
  batch->epoch = progress.epoch + w->epoch_offset;
  batch->batch = (guint) progress.batch;
  batch->n_batches = (guint) progress.n_batches;
  batch->n = (guint) n;
  batch->n_pixels = w->train_view->n_pixels;
  idx = g_new (guint, MAX (n, 1));
  labels = g_new (guint8, MAX (n, 1));
  for (size_t i = 0; i < n; i++)
    {
      idx[i] = (guint) indices[i];
      labels[i] = w->train_view->labels[indices[i]];
    }
  batch->indices = idx;
  batch->labels = labels;
  batch->images = g_memdup2 (images, MAX (n, 1));
  batch->inputs = g_memdup2 (inputs, MAX (n, 1) * batch->n_pixels * sizeof (float));
  batch->before = before;
  batch->after = bp_snapshot_new (w->net, bp_trainer_get_velocity (w->trainer));
  if (batch->after != NULL)
    {
      batch->after->generation = w->generation;
      batch->after->epoch = w->epochs_done;
    }
  return batch;
}

/* ── Worker → owner ───────────────────────────────────────────────────────────────────────── */

static void
event_clear (gpointer data)
{
  BpWorkerEvent *event = data;

  g_clear_pointer (&event->message, g_free);
  g_clear_pointer (&event->batch, bp_mini_batch_unref);
}

static GArray *
outbox_new (void)
{
  GArray *outbox = g_array_new (FALSE, FALSE, sizeof (BpWorkerEvent));

  g_array_set_clear_func (outbox, event_clear);
  return outbox;
}

static gboolean
caught_up_locked (BpWorker *self)
{
  return self->idle && self->requests_seen == self->requests;
}

static gboolean
deliver_cb (gpointer data)
{
  BpWorker *self = data;
  g_autoptr(GArray) events = NULL;
  BpWorkerResults results = { 0 };
  BpWorkerResultsFunc func = self->func;
  gpointer user_data = self->user_data;

  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->idle_source, g_source_unref);
  events = self->outbox;
  self->outbox = outbox_new ();
  results.has_progress = self->progress_fresh;
  results.progress = self->progress_next;
  self->progress_fresh = FALSE;
  results.caught_up = caught_up_locked (self);
  g_mutex_unlock (&self->lock);

  results.events = (const BpWorkerEvent *) (gpointer) events->data;
  results.n_events = events->len;
  /* The callback may free the worker: nothing of it is touched after. */
  func (&results, user_data);
  return G_SOURCE_REMOVE;
}

/* Wake the owner unless a wake-up is already pending. Called with the lock held. */
static void
schedule_delivery_locked (BpWorker *self)
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
post_locked (BpWorker            *self,
             const BpWorkerEvent *event)
{
  g_array_append_vals (self->outbox, event, 1);
  schedule_delivery_locked (self);
}

static void
post (BpWorker            *self,
      const BpWorkerEvent *event)
{
  g_mutex_lock (&self->lock);
  post_locked (self, event);
  g_mutex_unlock (&self->lock);
}

/* ── The worker thread ────────────────────────────────────────────────────────────────────── */

static void
own_free_network (Own *w)
{
  g_clear_pointer (&w->trainer, bp_trainer_free);
  g_clear_pointer (&w->net, bp_network_free);
  g_clear_pointer (&w->sample_view, bp_dataset_free);
  g_clear_pointer (&w->train_view, bp_dataset_free);
}

/* Build the network and trainer of the run (w->run), and measure the new network's speed of
 * learning into @initial_speed when asked (its n_speeds stays 0 otherwise). */
static gboolean
build (BpWorker       *self,
       Own            *w,
       BpEpochMetrics *initial_speed)
{
  const BpRun *s = &w->run;
  const BpDataset *sample_src;
  BpTrainOptions options;
  BpRun config;
  BpError error = { 0 };
  BpRng rng;
  size_t n_train;

  own_free_network (w);
  g_clear_pointer (&w->failure, g_free);
  w->batches_done = 0;
  w->epochs_done = 0;
  w->rate = 0.0;
  w->rate_examples = 0;
  w->rate_time = 0;
  w->eval_seconds = 0.0;
  w->last_sample = 0;
  w->sample_cost = 0;

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
  config.epochs = BP_WORKER_MAX_EPOCHS;
  /* A resumed network must not shuffle its next epochs as its first ones were: its trainer
   * gets a seed of its own, the same for every resumption from the same epoch. */
  config.seed = s->seed + (guint64) w->epoch_offset * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15);
  /* Every monitor, the fast kernel; the speed of learning when asked and there is a hidden
   * layer to measure. */
  bp_train_options_init (&options);
  options.learning_speed = w->learning_speed && s->arch.n_layers >= 2;
  w->trainer = bp_trainer_new (w->net, &config, &options, w->train_view, self->validation,
                               self->test, &error);
  if (w->trainer == NULL)
    goto fail;
  if (w->adopt_velocity != NULL)
    bp_trainer_set_velocity (w->trainer, w->adopt_velocity);
  g_clear_pointer (&w->adopt_velocity, g_free);
  w->epochs_done = w->epoch_offset;

  /* A resumed network's epoch 0 was measured before it was saved, if at all. */
  if (options.learning_speed && w->epoch_offset == 0
      && !bp_trainer_get_initial_speed (w->trainer, initial_speed, &error))
    goto fail;

  publish_own (self, w);
  return TRUE;

fail:
  g_clear_pointer (&w->adopt_net, bp_network_free);
  g_clear_pointer (&w->adopt_velocity, g_free);
  own_free_network (w);
  w->failure = g_strdup (error.message);
  return FALSE;
}

static void
fill_progress (Own              *w,
               guint             target,
               BpWorkerProgress *p)
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

/* Post the progress now. Called with the lock held. */
static void
post_progress_locked (BpWorker *self,
                      guint     target)
{
  fill_progress (&self->own, target, &self->progress_next);
  self->progress_fresh = TRUE;
  schedule_delivery_locked (self);
}

/* Evaluate the held-out sample and post the point. */
static void
sample (BpWorker *self,
        Own      *w)
{
  BpEvaluation ev;
  BpProgress bp;
  BpWorkerEvent event = { 0 };
  gint64 start = g_get_monotonic_time ();
  gboolean done;

  done = bp_evaluate (w->net, w->sample_view, w->run.hyper.lambda_l2, w->run.hyper.lambda_l1,
                      w->train_view->n, false, &ev, NULL);
  w->last_sample = g_get_monotonic_time ();
  w->sample_cost = w->last_sample - start;
  if (!done)
    return;

  bp_trainer_get_progress (w->trainer, &bp);
  event.kind = BP_WORKER_EVENT_SAMPLE;
  event.generation = w->generation;
  event.x = bp.n_batches > 0 ? (double) (bp.epoch - 1) + (double) bp.batch / (double) bp.n_batches
                             : (double) bp.epoch;
  event.x += w->epoch_offset;
  event.accuracy = ev.accuracy;
  event.cost = ev.cost;
  post (self, &event);
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
train_batch (Own            *w,
             guint           target,
             BpEpochMetrics *metrics,
             BpError        *error)
{
  gint64 t0, t1;
  bool stop = false;

  BpSnapshot *before = NULL;

  /* A single step keeps its mini-batch and the network before it, for the Backprop view. */
  g_clear_pointer (&w->took, bp_mini_batch_unref);
  if (w->want_batch)
    {
      before = bp_snapshot_new (w->net, bp_trainer_get_velocity (w->trainer));
      if (before != NULL)
        {
          before->generation = w->generation;
          before->epoch = w->epochs_done;
        }
    }

  t0 = g_get_monotonic_time ();
  if (!bp_trainer_step (w->trainer, error))
    {
      g_clear_pointer (&before, bp_snapshot_unref);
      return STEP_DIVERGED;
    }
  t1 = g_get_monotonic_time ();
  w->batches_done++;
  if (before != NULL)
    w->took = mini_batch_take (w, before);

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

/* Take up a pending reset and build its network. Called with the lock held, which it drops
 * while it builds. */
static void
take_reset_locked (BpWorker *self)
{
  Own *w = &self->own;
  BpHyperparams hyper = w->run.hyper;
  BpWorkerEvent event = { 0 };
  BpEpochMetrics speed = { 0 };

  self->reset_pending = FALSE;
  /* The worker keeps its own live hyperparameters; newer ones come just below. */
  w->run = self->reset_run;
  w->run.hyper = hyper;
  w->generation = self->reset_generation;
  w->adopt_net = g_steal_pointer (&self->reset_net);
  w->adopt_velocity = g_steal_pointer (&self->reset_velocity);
  w->epoch_offset = self->reset_epochs_done;
  w->learning_speed = self->learning_speed;
  /* The new trainer starts with the latest hyperparameters: applied afterwards, a momentum
   * turned on would zero the velocities the network was adopted with. */
  if (self->hyper_pending)
    {
      self->hyper_pending = FALSE;
      w->run.hyper = self->hyper_next;
    }
  g_mutex_unlock (&self->lock);

  event.generation = w->generation;
  if (!build (self, w, &speed))
    {
      event.kind = BP_WORKER_EVENT_FAILED;
      event.message = g_strdup (w->failure);
    }
  else if (speed.n_speeds > 0)
    {
      event.kind = BP_WORKER_EVENT_INITIAL_SPEED;
      event.metrics = speed;
    }

  g_mutex_lock (&self->lock);
  if (event.message != NULL || event.metrics.n_speeds > 0)
    post_locked (self, &event);
  post_progress_locked (self, self->epochs_target);
}

static gpointer
worker_main (gpointer data)
{
  BpWorker *self = data;
  Own *w = &self->own;

  bp_worker_lower_priority ();
  g_mutex_lock (&self->lock);
  for (;;)
    {
      BpEpochMetrics metrics;
      BpError error = { 0 };
      StepResult result;
      BpWorkerEvent event = { 0 };
      gboolean single = FALSE;
      guint serial, target;
      BpWorkerMode mode;
      gint64 now;

      if (self->quit)
        break;

      if (self->reset_pending)
        {
          take_reset_locked (self);
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
          mode = self->mode = BP_WORKER_MODE_PARK;
        }
      if (self->steps_pending > 0)
        {
          self->steps_pending--;
          single = TRUE;
        }
      else if (mode == BP_WORKER_MODE_PARK)
        {
          if (w->trainer != NULL && w->snapshot_batches != w->batches_done)
            {
              /* Parking: publish the parameters trained since the last snapshot, so that the
               * views show the network exactly as it stands. */
              g_mutex_unlock (&self->lock);
              publish_own (self, w);
              g_mutex_lock (&self->lock);
              continue;
            }
          if (!caught_up_locked (self))
            {
              /* Tell the owner that everything it asked for is done. */
              self->idle = TRUE;
              self->requests_seen = self->requests;
              post_progress_locked (self, target);
            }
          g_cond_wait (&self->cond, &self->lock);
          continue;
        }
      else if (bp_trainer_epoch_complete (w->trainer) && w->epochs_done >= target)
        {
          /* Started with the target already reached: the run ends without training. */
          event.kind = BP_WORKER_EVENT_FINISHED;
          event.generation = w->generation;
          event.serial = self->mode_serial;
          self->mode = BP_WORKER_MODE_PARK;
          post_locked (self, &event);
          continue;
        }

      self->idle = FALSE;
      serial = self->mode_serial;
      g_mutex_unlock (&self->lock);

      w->want_batch = single;
      result = train_batch (w, target, &metrics, &error);
      now = g_get_monotonic_time ();

      if (result != STEP_DIVERGED
          && (single || result != STEP_OK || now - w->last_snapshot >= SNAPSHOT_INTERVAL_US))
        publish_own (self, w);
      /* Sample points inside epochs, and one at each epoch's end so that the sample's curve
       * runs on between epochs too short to be sampled inside. */
      if (result == STEP_EPOCH_DONE || result == STEP_FINISHED
          || (result == STEP_OK
              && (single || now - w->last_sample >= MAX (SAMPLE_INTERVAL_US,
                                                         SAMPLE_COST_FACTOR * w->sample_cost))))
        sample (self, w);

      g_mutex_lock (&self->lock);
      event.generation = w->generation;
      event.serial = serial;
      switch (result)
        {
        case STEP_OK:
          break;

        case STEP_EPOCH_DONE:
        case STEP_FINISHED:
          event.kind = BP_WORKER_EVENT_EPOCH;
          event.metrics = metrics;
          post_locked (self, &event);
          if (result == STEP_FINISHED && !single)
            event.kind = BP_WORKER_EVENT_FINISHED;
          else if (mode == BP_WORKER_MODE_EPOCH && !single)
            event.kind = BP_WORKER_EVENT_PARKED;
          else
            break;
          post_locked (self, &event);
          if (self->mode_serial == serial)
            self->mode = BP_WORKER_MODE_PARK;
          break;

        case STEP_DIVERGED:
          event.kind = BP_WORKER_EVENT_DIVERGED;
          event.message = g_strdup (error.message);
          post_locked (self, &event);
          if (self->mode_serial == serial)
            {
              self->mode = BP_WORKER_MODE_PARK;
              self->steps_pending = 0;
            }
          publish_own (self, w);
          break;
        }
      if (w->took != NULL)
        {
          BpWorkerEvent taken = { 0 };

          taken.kind = BP_WORKER_EVENT_BATCH;
          taken.generation = w->generation;
          taken.serial = serial;
          taken.batch = g_steal_pointer (&w->took);
          post_locked (self, &taken);
        }

      if (result != STEP_OK || single || now - w->last_progress >= PROGRESS_INTERVAL_US)
        {
          w->last_progress = now;
          post_progress_locked (self, self->epochs_target);
        }
    }
  g_mutex_unlock (&self->lock);
  return NULL;
}

/* ── Commands ─────────────────────────────────────────────────────────────────────────────── */

/* A command was given. Called with the lock held. */
static void
request_locked (BpWorker *self)
{
  self->requests++;
  g_cond_signal (&self->cond);
}

void
bp_worker_set_mode (BpWorker     *self,
                    BpWorkerMode  mode,
                    guint         serial,
                    gboolean      clear_steps)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->lock);
  self->mode = mode;
  self->mode_serial = serial;
  if (clear_steps)
    self->steps_pending = 0;
  request_locked (self);
  g_mutex_unlock (&self->lock);
}

void
bp_worker_step (BpWorker *self,
                guint     serial)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->lock);
  self->mode = BP_WORKER_MODE_PARK;
  self->mode_serial = serial;
  self->steps_pending++;
  request_locked (self);
  g_mutex_unlock (&self->lock);
}

void
bp_worker_set_hyperparams (BpWorker            *self,
                           const BpHyperparams *hyper)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (hyper != NULL);

  g_mutex_lock (&self->lock);
  self->hyper_next = *hyper;
  self->hyper_pending = TRUE;
  request_locked (self);
  g_mutex_unlock (&self->lock);
}

void
bp_worker_set_epochs (BpWorker *self,
                      guint     epochs)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (epochs >= 1 && epochs <= BP_WORKER_MAX_EPOCHS);

  g_mutex_lock (&self->lock);
  self->epochs_target = epochs;
  request_locked (self);
  g_mutex_unlock (&self->lock);
}

void
bp_worker_set_learning_speed (BpWorker *self,
                              gboolean  learning_speed)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->lock);
  self->learning_speed = learning_speed;
  g_mutex_unlock (&self->lock);
}

void
bp_worker_reset (BpWorker    *self,
                 const BpRun *run,
                 guint        generation,
                 guint        serial,
                 BpNetwork   *net,
                 float       *velocity,
                 guint        epochs_done)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (run != NULL);

  g_mutex_lock (&self->lock);
  self->mode = BP_WORKER_MODE_PARK;
  self->mode_serial = serial;
  self->steps_pending = 0;
  self->reset_pending = TRUE;
  self->reset_run = *run;
  self->reset_generation = generation;
  /* A reset not yet taken up is replaced, with the network it carried. */
  g_clear_pointer (&self->reset_net, bp_network_free);
  g_clear_pointer (&self->reset_velocity, g_free);
  self->reset_net = net;
  self->reset_velocity = velocity;
  self->reset_epochs_done = net != NULL ? epochs_done : 0;
  request_locked (self);
  g_mutex_unlock (&self->lock);
}

gboolean
bp_worker_is_caught_up (BpWorker *self)
{
  gboolean caught_up;

  g_return_val_if_fail (self != NULL, FALSE);

  g_mutex_lock (&self->lock);
  caught_up = caught_up_locked (self);
  g_mutex_unlock (&self->lock);
  return caught_up;
}

/* ── Life ─────────────────────────────────────────────────────────────────────────────────── */

BpWorker *
bp_worker_new (const BpRun         *run,
               GMainContext        *context,
               BpWorkerResultsFunc  func,
               gpointer             user_data)
{
  BpWorker *self;

  g_return_val_if_fail (run != NULL, NULL);
  g_return_val_if_fail (func != NULL, NULL);

  self = g_new0 (BpWorker, 1);
  self->context = context != NULL ? g_main_context_ref (context)
                                  : g_main_context_ref_thread_default ();
  self->func = func;
  self->user_data = user_data;
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  g_mutex_init (&self->snapshot_lock);
  self->own.run = *run;
  self->hyper_next = run->hyper;
  self->epochs_target = run->epochs;
  self->outbox = outbox_new ();
  return self;
}

void
bp_worker_start (BpWorker        *self,
                 const BpDataset *train,
                 const BpDataset *validation,
                 const BpDataset *test)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->thread == NULL && self->train_full == NULL);
  g_return_if_fail (train != NULL && train->n > 0);

  self->train_full = train;
  self->validation = validation;
  self->test = test;
  self->thread = g_thread_new ("backprop-train", worker_main, self);
}

void
bp_worker_stop (BpWorker *self)
{
  g_return_if_fail (self != NULL);

  /* Stop the worker within one mini-batch (or one end-of-epoch evaluation) and wait for it:
   * nothing may be left running for an owner that is going away. */
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
}

void
bp_worker_free (BpWorker *self)
{
  Own *w;

  if (self == NULL)
    return;

  bp_worker_stop (self);
  w = &self->own;
  own_free_network (w);
  g_clear_pointer (&w->failure, g_free);
  g_clear_pointer (&w->took, bp_mini_batch_unref);
  g_clear_pointer (&w->adopt_net, bp_network_free);
  g_clear_pointer (&w->adopt_velocity, g_free);
  g_clear_pointer (&self->reset_net, bp_network_free);
  g_clear_pointer (&self->reset_velocity, g_free);
  if (w->spare != NULL)
    bp_snapshot_unref (&w->spare->pub);
  if (self->snapshot != NULL)
    bp_snapshot_unref (&self->snapshot->pub);
  g_array_unref (self->outbox);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_mutex_clear (&self->snapshot_lock);
  g_free (self);
}
