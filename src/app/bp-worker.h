/* bp-worker.h — the training thread: commands in, events out, weight snapshots
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * BpWorker trains one network on a thread of its own. It uses GLib only (no GObject), so that it
 * is tested alone (tests/test-worker.c); BpSession is the GObject façade on top of it.
 *
 * Its owner (one thread, the one whose main context it was given) sends commands: a mode (park,
 * run, run to the end of the epoch), single steps, live hyperparameters, the epoch target, a new
 * network. The worker answers with events (an epoch finished, a held-out sample point, diverged,
 * a network could not be built, the run ended, parked) and its latest progress, delivered in
 * batches to the owner's callback on its main context, one idle source at a time: while one is
 * pending the worker only adds to it.
 *
 * Every event carries the generation of the network it belongs to (the owner gives one with
 * every reset), so that the results of a network that has just been replaced are dropped, and
 * the events that change the mode carry the serial of the command they answer, so that a late
 * "the run has ended" cannot undo a command given after it.
 *
 * Weight snapshots go through a slot of their own: the worker copies the parameters into a
 * spare buffer without any lock, then swaps it with the published one under a tiny critical
 * section. A reader takes a reference, so a snapshot in use is never written; the worker reuses
 * the swapped-out buffer only when nobody holds it (two buffers in the steady state). The owner
 * may publish a snapshot itself (a network from a file, at once, under a new generation); the
 * worker never replaces a snapshot of a newer generation than its own.
 */
#pragma once

#include <glib.h>

#include "bp-dataset.h"
#include "bp-network.h"
#include "bp-run.h"
#include "bp-train.h"

G_BEGIN_DECLS

/* The trainer's own epoch limit is set out of reach: the worker stops at its live target, which
 * is at most this. */
#define BP_WORKER_MAX_EPOCHS 100000

/* A copy of the parameters of the network being trained, taken by the worker at most every
 * ~30 ms. Immutable once published: a reader may keep one as long as it holds a reference. */
typedef struct
{
  const BpNetwork *net;        /* shape and parameters; net->params is the copy */
  guint            generation; /* bumped by every reset */
  guint64          serial;     /* increases with every snapshot published */
  guint            epoch;      /* epochs finished when it was taken */
  const float     *velocity;   /* the momentum velocities (net->n_params) taken with the
                                * parameters, or NULL while the network has been at rest */
} BpSnapshot;

/* An unpublished snapshot of a copy of @net and of @velocity (NULL: at rest); NULL when memory
 * runs out. */
BpSnapshot *bp_snapshot_new (const BpNetwork *net,
                             const float     *velocity);
BpSnapshot *bp_snapshot_ref (BpSnapshot *snapshot);
void        bp_snapshot_unref (BpSnapshot *snapshot);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BpSnapshot, bp_snapshot_unref)

/* The mini-batch a single step (bp_worker_step()) trained on, and the network before and after
 * it. Immutable; reference-counted. */
typedef struct
{
  guint          generation;
  guint          epoch;        /* the epoch it belongs to, 1-based (counting the network's
                                * earlier epochs) */
  guint          batch;        /* its number in that epoch, 1-based */
  guint          n_batches;    /* mini-batches in that epoch */
  guint          n;            /* examples */
  const guint   *indices;      /* (n) in the training set, in the batch's order */
  const guint8  *images;       /* (n) BpBatchImage: the image itself, shifted or distorted */
  const guint8  *labels;       /* (n) */
  gsize          n_pixels;
  const float   *inputs;       /* (n × n_pixels) what the network saw, in [0, 1] */
  BpSnapshot    *before;       /* the network as the step found it (NULL: no memory left) */
  BpSnapshot    *after;        /* the network the step left (NULL: no memory left) */
} BpMiniBatch;

BpMiniBatch *bp_mini_batch_ref (BpMiniBatch *batch);
void         bp_mini_batch_unref (BpMiniBatch *batch);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BpMiniBatch, bp_mini_batch_unref)

typedef enum
{
  BP_WORKER_MODE_PARK,  /* wait between two mini-batches (single steps still run) */
  BP_WORKER_MODE_RUN,
  BP_WORKER_MODE_EPOCH, /* run to the end of the current epoch, then park */
} BpWorkerMode;

typedef enum
{
  BP_WORKER_EVENT_INITIAL_SPEED, /* metrics: the speed of learning of a new network, epoch 0 */
  BP_WORKER_EVENT_EPOCH,         /* metrics: an epoch finished */
  BP_WORKER_EVENT_SAMPLE,        /* x, accuracy, cost: the held-out sample, inside an epoch */
  BP_WORKER_EVENT_DIVERGED,      /* message; the network is back at the epoch's start */
  BP_WORKER_EVENT_FAILED,        /* message: the network of a reset could not be built */
  BP_WORKER_EVENT_FINISHED,      /* the run reached its target, early stopping or the schedule's
                                  * end (serial) */
  BP_WORKER_EVENT_PARKED,        /* a run-to-the-end-of-the-epoch command is done (serial) */
  BP_WORKER_EVENT_BATCH,         /* batch: the mini-batch a single step took (serial) */
} BpWorkerEventKind;

typedef struct
{
  BpWorkerEventKind kind;
  guint             generation;
  guint             serial;    /* FINISHED, PARKED, DIVERGED: of the command it answers */
  BpEpochMetrics    metrics;   /* EPOCH, INITIAL_SPEED */
  double            x;         /* SAMPLE: epochs, fractional */
  double            accuracy;
  double            cost;
  char             *message;   /* DIVERGED, FAILED */
  BpMiniBatch      *batch;     /* BATCH (the event's reference) */
} BpWorkerEvent;

typedef struct
{
  guint    generation;
  guint64  batches_done;      /* since the last reset */
  guint    batch;             /* mini-batches done in the epoch in progress */
  guint    n_batches;
  gboolean in_epoch;
  double   images_per_second;
  double   seconds_left;      /* < 0 when unknown */
} BpWorkerProgress;

/* One delivery: what the worker posted since the last one, oldest first. */
typedef struct
{
  const BpWorkerEvent *events;
  guint                n_events;
  gboolean             has_progress;  /* progress is newer than the last delivered */
  BpWorkerProgress     progress;
  gboolean             caught_up;     /* every command given so far is done */
} BpWorkerResults;

/* Called on the owner's main context with a delivery, valid during the call. It may give
 * commands, and free the worker (nothing of it is touched after the call). */
typedef void (*BpWorkerResultsFunc) (const BpWorkerResults *results,
                                     gpointer               user_data);

typedef struct _BpWorker BpWorker;

/* A worker for networks of @run, delivering to @func on @context (NULL: the thread-default
 * context of the caller). No thread runs until bp_worker_start(). */
BpWorker *bp_worker_new (const BpRun         *run,
                         GMainContext        *context,
                         BpWorkerResultsFunc  func,
                         gpointer             user_data);
/* Stop the thread (within one mini-batch) and free everything; pending deliveries are
 * dropped. */
void      bp_worker_free (BpWorker *self);

/* Start the thread on @train (its first run.train_size examples), sampling and monitoring
 * @validation and @test (may be NULL); the data sets are borrowed and must outlive the
 * worker. Give a network first (bp_worker_reset()). Only once. */
void      bp_worker_start (BpWorker        *self,
                           const BpDataset *train,
                           const BpDataset *validation,
                           const BpDataset *test);
/* Stop the thread and wait for it; no delivery comes after. The snapshot stays readable. */
void      bp_worker_stop (BpWorker *self);

/* Measure the speed of learning of every hidden layer (BpTrainOptions.learning_speed) from the
 * next reset on: of a new network before training (an INITIAL_SPEED event), and after every
 * epoch (in the EPOCH events' metrics). Off by default. */
void      bp_worker_set_learning_speed (BpWorker *self,
                                        gboolean  learning_speed);

/* How many nice steps the training threads run below the thread that started the worker. */
#define BP_WORKER_NICE 5

/* Lower the calling thread's priority by BP_WORKER_NICE, and so that of every thread it starts
 * (Linux; elsewhere nothing). The worker thread calls it first. */
void      bp_worker_lower_priority (void);

/* Whether a network of @run can be built and trained: the arch and the settings that are not
 * live in their ranges and, with @train (may be NULL), that the data fits it (inputs = pixels,
 * outputs ≥ classes, a @validation set for early stopping and the schedule). */
gboolean  bp_worker_check_run (const BpRun     *run,
                               const BpDataset *train,
                               const BpDataset *validation,
                               BpError         *error);

/* ── Commands (the owner's thread) ───────────────────────────────────────────────────────── */

/* Run, park or run to the end of the epoch; the answers to it carry @serial. @clear_steps drops
 * single steps still queued. */
void bp_worker_set_mode (BpWorker     *self,
                         BpWorkerMode  mode,
                         guint         serial,
                         gboolean      clear_steps);
/* Park, then one mini-batch more (queued: three calls train three). */
void bp_worker_step (BpWorker *self,
                     guint     serial);
/* Applied before the next mini-batch; @hyper must pass bp_hyperparams_check(). */
void bp_worker_set_hyperparams (BpWorker            *self,
                                const BpHyperparams *hyper);
/* A run stops after this many epochs (≤ BP_WORKER_MAX_EPOCHS). */
void bp_worker_set_epochs (BpWorker *self,
                           guint     epochs);
/* Park and replace the network: a fresh one from @run's arch and initialiser (@net NULL), or
 * @net (owned) with its momentum @velocity (owned, may be NULL), which has trained
 * @epochs_done epochs already. The live hyperparameters stay those of the last
 * bp_worker_set_hyperparams(). Events of the new network carry @generation; @serial is that of
 * the command. A reset not yet taken up is replaced. */
void bp_worker_reset (BpWorker    *self,
                      const BpRun *run,
                      guint        generation,
                      guint        serial,
                      BpNetwork   *net,
                      float       *velocity,
                      guint        epochs_done);
/* Whether every command given so far is done and its results delivered or pending. */
gboolean bp_worker_is_caught_up (BpWorker *self);

/* ── Snapshots (any thread) ──────────────────────────────────────────────────────────────── */

/* The latest snapshot (a new reference), or NULL. */
BpSnapshot *bp_worker_dup_snapshot (BpWorker *self);
/* The serial and generation of the latest snapshot without taking it; 0 when there is none. */
guint64     bp_worker_get_snapshot_serial (BpWorker *self,
                                           guint    *generation);
/* Publish @snapshot (owned, from bp_snapshot_new()) as that of @generation after @epoch epochs;
 * returns its serial. The owner's thread. */
guint64     bp_worker_publish_snapshot (BpWorker   *self,
                                        BpSnapshot *snapshot,
                                        guint       generation,
                                        guint       epoch);

G_END_DECLS
