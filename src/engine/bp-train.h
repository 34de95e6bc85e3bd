/* bp-train.h — the training loop: epochs, seeded shuffling, mini-batches, monitors, early
 * stopping, the learning-rate schedule and live hyperparameter changes
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The trainer knows nothing of threads. A caller that wants training in the background runs
 * bp_trainer_step() or bp_trainer_run() on a thread of its own, passes a cancel flag, and copies
 * the parameters it wants to show from the progress callback.
 */
#pragma once

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bp-dataset.h"
#include "bp-error.h"
#include "bp-network.h"
#include "bp-run.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum
{
  BP_MONITOR_TRAIN_COST     = 1 << 0,
  BP_MONITOR_TRAIN_ACCURACY = 1 << 1,
  BP_MONITOR_EVAL_COST      = 1 << 2, /* on the validation set */
  BP_MONITOR_EVAL_ACCURACY  = 1 << 3, /* on the validation set */
  BP_MONITOR_TEST_ACCURACY  = 1 << 4,
  BP_MONITOR_ALL            = 0x1f,
} BpMonitor;

/* The trainer's own options, which are not part of a run: what to measure and how to compute. */
typedef struct
{
  unsigned monitor;       /* BpMonitor flags */
  unsigned monitor_every; /* compute the monitors every this many epochs (and after the last);
                           * 0 or 1 = every epoch. Early stopping and the schedule still look at
                           * the validation set every epoch. 0 … 100,000 */
  BpKernel kernel;
  size_t   threads;        /* threads a mini-batch step may use, counting the caller's: 1 … 256
                            * (default: every core). Any number gives the same bits */
  bool     learning_speed; /* measure chapter 5's speed of learning of every hidden layer
                            * (bp-learning-speed.h) before training and after every epoch whose
                            * monitors are computed (see monitor_every) */
} BpTrainOptions;

/* Every monitor, every epoch, the fast kernel, no speed of learning. */
void bp_train_options_init (BpTrainOptions *options);

bool bp_train_options_check (const BpTrainOptions *options,
                             BpError              *error);

/* What one epoch measured. Fields not monitored (or not this epoch) are NaN. */
typedef struct
{
  unsigned epoch;               /* 1-based: the number of passes done */
  double   train_cost;
  double   train_accuracy;      /* fractions in [0, 1] */
  double   validation_cost;
  double   validation_accuracy;
  double   test_cost;
  double   test_accuracy;
  double   seconds;             /* the training pass alone, without the monitors */
  float    eta;                 /* the η this epoch trained with */
  size_t   n_speeds;            /* hidden layers whose speed of learning was measured after
                                 * this epoch (BpTrainOptions.learning_speed); 0: not measured */
  double   speed[BP_MAX_LAYERS]; /* speed[i]: hidden layer i + 1's, i < n_speeds; the rest 0 */
} BpEpochMetrics;

/* Reported after every mini-batch. */
typedef struct
{
  unsigned epoch;          /* the epoch in progress, 1-based */
  size_t   batch;          /* mini-batches done in this epoch */
  size_t   n_batches;      /* mini-batches in this epoch */
  size_t   examples_seen;  /* in this epoch */
  double   batch_cost;     /* mean cost of a recent mini-batch (one in 64 is measured; no regularisation) */
} BpProgress;

typedef void (*BpProgressFunc) (const BpProgress *progress,
                                void             *user_data);
typedef void (*BpEpochFunc) (const BpEpochMetrics *metrics,
                             void                 *user_data);

typedef struct _BpTrainer BpTrainer;

/* A trainer for @net (borrowed: it is trained in place and must outlive the trainer) on @train,
 * monitoring @validation and @test (either may be NULL or empty), as @run says: its live
 * hyperparameters, epochs, seed, expansion, early stopping and schedule. The rest of @run is the
 * caller's business: @net is its arch, initialised as it likes, and @train its first train_size
 * examples. @options may be NULL (bp_train_options_init()'s). The data sets are borrowed.
 * Checks @run's settings, @options and that the data fits the network (pixels = inputs,
 * classes ≤ outputs). Allocates everything training needs now, so training never runs out of
 * memory half-way. */
BpTrainer *bp_trainer_new (BpNetwork            *net,
                           const BpRun          *run,
                           const BpTrainOptions *options,
                           const BpDataset      *train,
                           const BpDataset      *validation,
                           const BpDataset      *test,
                           BpError              *error);

/* The bytes training a network of @arch as @run says on @n_train examples needs, the network's
 * own parameters included: bp_trainer_new() checks it against bp_memory_limit() before
 * allocating, and a program can check it before it creates a network it cannot train. */
uint64_t bp_trainer_memory_estimate (const BpArch *arch,
                                     const BpRun  *run,
                                     size_t        n_train);

void bp_trainer_free (BpTrainer *trainer);

/* The run as the trainer has it now: the live hyperparameters of the last
 * bp_trainer_set_hyperparams(), η as the schedule has left it. */
const BpRun *bp_trainer_get_run (const BpTrainer *trainer);

/* Change the live hyperparameters; they apply from the next mini-batch. A new batch size applies
 * from the next mini-batch too (the rest of the epoch is cut into mini-batches of the new size). */
bool bp_trainer_set_hyperparams (BpTrainer           *trainer,
                                 const BpHyperparams *hyper,
                                 BpError             *error);

/* Train on one mini-batch. Starts a new epoch (reshuffling) when the previous one is complete.
 * On divergence (NaN or ∞ cost or parameters) returns false with BP_ERROR_DIVERGED, a message
 * naming the epoch and mini-batch and suggesting a smaller η, and the network restored to the
 * parameters it had at the start of the epoch. */
bool bp_trainer_step (BpTrainer *trainer,
                      BpError   *error);

/* What the network saw of an example of the last mini-batch (bp_trainer_get_last_batch()). */
typedef enum
{
  BP_BATCH_IMAGE_ORIGINAL,      /* the training image itself */
  BP_BATCH_IMAGE_SHIFTED_DOWN,  /* BP_EXPAND_SHIFTS: the image moved one pixel down */
  BP_BATCH_IMAGE_SHIFTED_UP,
  BP_BATCH_IMAGE_SHIFTED_RIGHT,
  BP_BATCH_IMAGE_SHIFTED_LEFT,
  BP_BATCH_IMAGE_DISTORTED,     /* BP_EXPAND_AFFINE: a random distortion made for this batch */
} BpBatchImage;

/* The mini-batch the last successful bp_trainer_step() trained on: the indices of its examples
 * in the caller's training set (the one given to bp_trainer_new(), never an expanded copy), in
 * the batch's order, *@n_examples of them; NULL and 0 before the first step and after a
 * diverged one. @images (may be NULL) receives a pointer to what the network saw of each
 * (BpBatchImage, one per example), and @inputs (may be NULL) a pointer to the inputs themselves,
 * n_examples × n_pixels floats in [0, 1] exactly as fed to the network (before input dropout):
 * the shifted or distorted image when the run expands its data. Valid until the next
 * bp_trainer_step() or bp_trainer_set_hyperparams(). */
const size_t *bp_trainer_get_last_batch (const BpTrainer      *trainer,
                                         size_t               *n_examples,
                                         const unsigned char **images,
                                         const float         **inputs);

/* True when the mini-batches of the current epoch are all done (and before the first step). */
bool bp_trainer_epoch_complete (const BpTrainer *trainer);

/* Where training is. */
void bp_trainer_get_progress (const BpTrainer *trainer,
                              BpProgress      *progress);

/* After the last mini-batch of an epoch: compute the monitors, append them to the history, and
 * apply early stopping and the schedule. *@stop is set when training should end (early stop,
 * schedule finished, or the run's epoch count reached). Fails with BP_ERROR_DIVERGED if the
 * parameters are not finite. */
bool bp_trainer_finish_epoch (BpTrainer      *trainer,
                              BpEpochMetrics *metrics,
                              bool           *stop,
                              BpError        *error);

/* The whole run: epochs of steps, @progress after every mini-batch, @epoch_done after every
 * epoch. @cancel (may be NULL) is read between mini-batches; when it becomes non-zero the run
 * stops with BP_ERROR_CANCELLED and the network keeps its parameters at that point. */
bool bp_trainer_run (BpTrainer      *trainer,
                     atomic_int     *cancel,
                     BpProgressFunc  progress,
                     BpEpochFunc     epoch_done,
                     void           *user_data,
                     BpError        *error);

/* With BpTrainOptions.learning_speed, the speed of learning of the network as it came to the
 * trainer, before any of its mini-batches ("epoch 0" of a new network), into @metrics: epoch 0,
 * n_speeds and speed set, every other field NaN. The first call measures it; the first
 * bp_trainer_step() calls it if nobody has, so that it is always measured before training, and
 * a caller that calls it first chooses which thread pays for it (a few milliseconds for
 * 784-30-10) and can show it at once. Later calls give the same numbers. Fails with
 * BP_ERROR_INVALID without learning_speed, or when memory runs out. */
bool bp_trainer_get_initial_speed (BpTrainer      *trainer,
                                   BpEpochMetrics *metrics,
                                   BpError        *error);

/* The metrics of every finished epoch, oldest first. */
const BpEpochMetrics *bp_trainer_get_history (const BpTrainer *trainer,
                                              size_t          *n_epochs);

/* The momentum velocities (n_params), or NULL while μ has always been 0. */
const float *bp_trainer_get_velocity (const BpTrainer *trainer);

typedef enum
{
  BP_STOP_NONE,     /* still running, or stopped by the caller */
  BP_STOP_EPOCHS,   /* the run's number of epochs is done */
  BP_STOP_EARLY,    /* early stopping: no better validation accuracy in `early_stop` epochs */
  BP_STOP_SCHEDULE, /* the schedule halved η down to η₀/128 */
} BpStopReason;

/* Why bp_trainer_finish_epoch() last asked to stop. */
BpStopReason bp_trainer_get_stop_reason (const BpTrainer *trainer);

/* Resume momentum from a saved state: copy @velocity (n_params, the network's layout) into the
 * trainer. It is used from the next mini-batch on when μ > 0. */
void bp_trainer_set_velocity (BpTrainer   *trainer,
                              const float *velocity);

/* Seconds spent in training passes so far. */
double bp_trainer_get_train_seconds (const BpTrainer *trainer);

#ifdef __cplusplus
}
#endif
