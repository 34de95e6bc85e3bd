/* bp-train.c — the training loop: epochs, shuffling, mini-batches, monitors, early stopping,
 * the learning-rate schedule, divergence and live hyperparameter changes
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-train.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bp-distort.h"
#include "bp-learning-speed.h"
#include "bp-memory.h"
#include "bp-metrics.h"
#include "bp-pool.h"

struct _BpTrainer
{
  BpNetwork       *net;          /* borrowed, trained in place */
  BpRun            run;          /* live: the hyperparameters change, the schedule lowers η */
  BpTrainOptions   options;
  const BpDataset *train_src;    /* the caller's training set */
  const BpDataset *validation;
  const BpDataset *test;
  BpDataset       *expanded;     /* owned: train_src with its 1-pixel shifts, or NULL */
  const BpDataset *train;        /* what mini-batches are drawn from */

  size_t          *order;        /* (train->n) this epoch's shuffled indices */
  size_t           cursor;       /* examples of this epoch done */
  size_t           batches_done; /* mini-batches of this epoch done */
  bool             in_epoch;
  unsigned         epochs_done;

  BpWorkspace     *ws;
  float           *x;            /* (max_batch, n_pixels) the gathered mini-batch */
  float           *scratch;      /* (2 × n_pixels) bp_distort_thickness()'s, or NULL */
  uint8_t         *y;            /* (max_batch) its labels */
  size_t          *last_batch;   /* (max_batch) the last mini-batch's indices in train_src */
  unsigned char   *last_images;  /* (max_batch) BpBatchImage of each */
  size_t           n_last;       /* examples in the last mini-batch; 0: none */
  float           *velocity;     /* (n_params) momentum state */
  bool             velocity_live;
  float           *good_params;  /* (n_params) parameters at the start of this epoch */

  BpRng            shuffle_rng;
  BpRng            dropout_rng;
  BpRng            distort_rng;

  double           epoch_seconds;
  double           total_seconds;
  double           last_batch_cost;

  float            eta0;         /* η when the schedule started */
  double           best_validation;
  unsigned         epochs_since_best;
  BpStopReason     stop_reason;

  BpEpochMetrics  *history;
  size_t           n_history;
  size_t           history_capacity;

  BpEpochMetrics   initial_speed; /* chapter 5's speed before training, once measured */
  bool             has_initial_speed;
};

void
bp_train_options_init (BpTrainOptions *options)
{
  memset (options, 0, sizeof *options);
  options->monitor = BP_MONITOR_ALL;
  options->monitor_every = 1;
  options->kernel = BP_KERNEL_FAST;
  options->threads = bp_pool_default_threads ();
}

bool
bp_train_options_check (const BpTrainOptions *options,
                        BpError              *error)
{
  if (options->monitor_every > 100000)
    return bp_error_set (error, BP_ERROR_INVALID, "monitor_every = %u is out of range",
                         options->monitor_every);
  if ((unsigned) options->kernel > BP_KERNEL_FAST)
    return bp_error_set (error, BP_ERROR_INVALID, "unknown kernel");
  if (options->threads < 1 || options->threads > BP_POOL_MAX_THREADS)
    return bp_error_set (error, BP_ERROR_INVALID, "%zu threads: use 1 to %d", options->threads,
                         BP_POOL_MAX_THREADS);
  return true;
}

static double
now_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + 1e-9 * (double) ts.tv_nsec;
}

static bool
ensure_batch_capacity (BpTrainer *self,
                       size_t     batch,
                       BpError   *error)
{
  BpWorkspace *ws;
  float *x;
  uint8_t *y;
  size_t *last;
  unsigned char *images;

  if (self->ws != NULL && bp_workspace_max_batch (self->ws) >= batch)
    return true;

  ws = bp_workspace_new (self->net, batch, error);
  if (ws != NULL && self->options.threads > 1
      && !bp_workspace_set_threads (ws, self->net, self->options.threads, error))
    {
      bp_workspace_free (ws);
      return false;
    }
  x = ws != NULL ? aligned_alloc (64, ((batch * self->train->n_pixels * sizeof (float)) + 63) & ~(size_t) 63) : NULL;
  y = x != NULL ? malloc (batch) : NULL;
  last = y != NULL ? malloc (batch * sizeof *last) : NULL;
  images = last != NULL ? malloc (batch) : NULL;
  if (images == NULL)
    {
      bp_workspace_free (ws);
      free (x);
      free (y);
      free (last);
      return bp_error_set (error, BP_ERROR_NOMEM, "not enough memory for mini-batches of %zu", batch);
    }

  bp_workspace_free (self->ws);
  free (self->x);
  free (self->y);
  free (self->last_batch);
  free (self->last_images);
  self->ws = ws;
  self->x = x;
  self->y = y;
  self->last_batch = last;
  self->last_images = images;
  self->n_last = 0; /* the inputs of the last mini-batch are gone with the old buffer */
  return true;
}

uint64_t
bp_trainer_memory_estimate (const BpArch *arch,
                            const BpRun  *run,
                            size_t        n_train)
{
  size_t sizes[BP_MAX_LAYERS];
  size_t n_layers = bp_arch_get_sizes (arch, sizes);
  uint64_t params = 0, units = 0, batch = run->hyper.batch_size;
  uint64_t n = n_train, bytes;

  /* Sizes are at most 2^16, so none of this overflows. */
  for (size_t l = 1; l < n_layers; l++)
    {
      params += (uint64_t) sizes[l] * sizes[l - 1] + sizes[l];
      units += sizes[l];
    }
  if (run->expand == BP_EXPAND_SHIFTS)
    n *= 5;

  /* The network, the velocities, the last good parameters and the gradient. */
  bytes = 4 * params * sizeof (float);
  /* A mini-batch: activations, derivatives and deltas of every layer, the outputs, the inputs
   * (and their copy after a fixed dropout of the first layer's input). */
  bytes += batch * (3 * units + sizes[n_layers - 1] + sizes[0]) * sizeof (float);
  if (arch->layers[0].dropout > 0.0f)
    bytes += batch * sizes[0] * sizeof (float);
  /* The shuffled order, and the expanded copy of the images. */
  bytes += n * sizeof (size_t);
  if (run->expand == BP_EXPAND_SHIFTS)
    bytes += n * (sizes[0] + 1);
  return bytes;
}

BpTrainer *
bp_trainer_new (BpNetwork            *net,
                const BpRun          *run,
                const BpTrainOptions *options,
                const BpDataset      *train,
                const BpDataset      *validation,
                const BpDataset      *test,
                BpError              *error)
{
  BpTrainer *self;
  BpTrainOptions default_options;
  size_t n_out = net->n_outputs;
  const BpDataset *sets[3] = { train, validation, test };
  const char *set_names[3] = { "training", "validation", "test" };

  if (options == NULL)
    {
      bp_train_options_init (&default_options);
      options = &default_options;
    }
  if (!bp_run_check_fields (run, error) || !bp_train_options_check (options, error))
    return NULL;
  if (train == NULL || train->n == 0)
    {
      bp_error_set (error, BP_ERROR_INVALID, "the training set is empty");
      return NULL;
    }
  for (int i = 0; i < 3; i++)
    {
      if (sets[i] == NULL || sets[i]->n == 0)
        continue;
      if (sets[i]->n_pixels != net->n_inputs)
        {
          bp_error_set (error, BP_ERROR_INVALID,
                        "the %s images have %zu pixels but the network's input layer has %zu neurons",
                        set_names[i], sets[i]->n_pixels, net->n_inputs);
          return NULL;
        }
      if (sets[i]->n_classes > n_out)
        {
          bp_error_set (error, BP_ERROR_INVALID,
                        "the %s set has %zu classes but the network has only %zu outputs",
                        set_names[i], sets[i]->n_classes, n_out);
          return NULL;
        }
    }
  if ((run->early_stop > 0 || run->schedule > 0) && (validation == NULL || validation->n == 0))
    {
      bp_error_set (error, BP_ERROR_INVALID,
                    "early stopping and the learning-rate schedule need a validation set");
      return NULL;
    }
  {
    char layers[128], what[160];

    bp_arch_format_sizes (&net->arch, '-', layers, sizeof layers);
    snprintf (what, sizeof what, "training a %s network", layers);
    if (!bp_memory_check (bp_trainer_memory_estimate (&net->arch, run, train->n), what, error))
      return NULL;
  }

  self = calloc (1, sizeof *self);
  if (self == NULL)
    goto nomem;

  self->net = net;
  self->run = *run;
  self->options = *options;
  self->train_src = train;
  self->validation = validation;
  self->test = test;
  self->train = train;

  if (run->expand == BP_EXPAND_SHIFTS)
    {
      self->expanded = bp_dataset_expand_shifts (train, error);
      if (self->expanded == NULL)
        {
          free (self);
          return NULL;
        }
      self->train = self->expanded;
    }

  self->order = malloc (self->train->n * sizeof *self->order);
  self->velocity = calloc (net->n_params, sizeof (float));
  self->good_params = malloc (net->n_params * sizeof (float));
  self->history_capacity = run->epochs < 1024 ? run->epochs : 1024;
  self->history = calloc (self->history_capacity, sizeof *self->history);
  if (BP_EXPAND_HAS_THICKNESS (run->expand))
    {
      self->scratch = malloc (2 * train->n_pixels * sizeof (float));
      if (self->scratch == NULL)
        goto nomem;
    }
  if (self->order == NULL || self->velocity == NULL || self->good_params == NULL
      || self->history == NULL)
    goto nomem;
  if (!ensure_batch_capacity (self, run->hyper.batch_size, error))
    {
      bp_trainer_free (self);
      return NULL;
    }

  for (size_t i = 0; i < self->train->n; i++)
    self->order[i] = i;

  bp_rng_seed (&self->shuffle_rng, run->seed, BP_RNG_STREAM_SHUFFLE);
  bp_rng_seed (&self->dropout_rng, run->seed, BP_RNG_STREAM_DROPOUT);
  bp_rng_seed (&self->distort_rng, run->seed, BP_RNG_STREAM_DISTORT);

  self->eta0 = run->hyper.eta;
  self->best_validation = -1.0;
  self->last_batch_cost = NAN;
  return self;

nomem:
  bp_trainer_free (self);
  bp_error_set (error, BP_ERROR_NOMEM, "not enough memory to train this network");
  return NULL;
}

void
bp_trainer_free (BpTrainer *self)
{
  if (self == NULL)
    return;
  bp_dataset_free (self->expanded);
  bp_workspace_free (self->ws);
  free (self->x);
  free (self->scratch);
  free (self->y);
  free (self->last_batch);
  free (self->last_images);
  free (self->order);
  free (self->velocity);
  free (self->good_params);
  free (self->history);
  free (self);
}

const BpRun *
bp_trainer_get_run (const BpTrainer *self)
{
  return &self->run;
}

bool
bp_trainer_set_hyperparams (BpTrainer           *self,
                            const BpHyperparams *hyper,
                            BpError             *error)
{
  if (!bp_hyperparams_check (hyper, error))
    return false;
  if (!ensure_batch_capacity (self, hyper->batch_size, error))
    return false;

  /* A run that turns momentum on starts from rest, not from a velocity left over from before. */
  if (self->run.hyper.momentum == 0.0f && hyper->momentum > 0.0f)
    memset (self->velocity, 0, self->net->n_params * sizeof (float));
  /* A new η restarts the schedule's count from there. */
  if (hyper->eta != self->run.hyper.eta)
    self->eta0 = hyper->eta;

  self->run.hyper = *hyper;
  return true;
}

/* ── Affine distortion ─────────────────────────────────────────────────────────────────────── */

/* Draw a small random affine map (rotation, scale, aspect, shear, shift) and resample @src
 * (rows, cols) through it with bilinear interpolation into @dst, as floats in [0, 1]. The map
 * keeps the image's centre near the centre, as MNIST's centring would. */
static void
distort_image (const uint8_t *src,
               size_t         rows,
               size_t         cols,
               float         *dst,
               BpRng         *rng)
{
  const double deg = 3.14159265358979323846 / 180.0;
  double angle = (bp_rng_uniform (rng) * 2.0 - 1.0) * 12.0 * deg;
  double scale = 0.9 + 0.2 * bp_rng_uniform (rng);
  double aspect = 0.92 + 0.16 * bp_rng_uniform (rng);
  double shear = (bp_rng_uniform (rng) * 2.0 - 1.0) * 0.12;
  double tx = (bp_rng_uniform (rng) * 2.0 - 1.0) * 2.0;
  double ty = (bp_rng_uniform (rng) * 2.0 - 1.0) * 2.0;
  double cx = 0.5 * (double) (cols - 1);
  double cy = 0.5 * (double) (rows - 1);
  double c = cos (angle);
  double s = sin (angle);
  /* Forward map A = R · Shear · diag(scale·aspect, scale/aspect); we need A⁻¹ to look up the
   * source of each destination pixel. */
  double sx = scale * aspect;
  double sy = scale / aspect;
  double a00 = c * sx, a01 = c * shear * sy - s * sy;
  double a10 = s * sx, a11 = s * shear * sy + c * sy;
  double det = a00 * a11 - a01 * a10;
  double i00 = a11 / det, i01 = -a01 / det;
  double i10 = -a10 / det, i11 = a00 / det;
  const float inv255 = 1.0f / 255.0f;

  for (size_t v = 0; v < rows; v++)
    for (size_t u = 0; u < cols; u++)
      {
        double dx = (double) u - cx - tx;
        double dy = (double) v - cy - ty;
        double x = i00 * dx + i01 * dy + cx;
        double y = i10 * dx + i11 * dy + cy;
        double fx = floor (x);
        double fy = floor (y);
        long x0 = (long) fx;
        long y0 = (long) fy;
        double ax = x - fx;
        double ay = y - fy;
        double acc = 0.0;

        for (int k = 0; k < 4; k++)
          {
            long xx = x0 + (k & 1);
            long yy = y0 + (k >> 1);
            double wgt = ((k & 1) ? ax : 1.0 - ax) * ((k >> 1) ? ay : 1.0 - ay);

            if (xx >= 0 && yy >= 0 && (size_t) xx < cols && (size_t) yy < rows)
              acc += wgt * src[(size_t) yy * cols + (size_t) xx];
          }
        dst[v * cols + u] = (float) acc * inv255;
      }
}

/* ── Steps ─────────────────────────────────────────────────────────────────────────────────── */

/* The mean cost reported with the progress comes from one mini-batch in this many. */
#define COST_EVERY 64

static void
prefetch_batch (const BpTrainer *self,
                size_t           first)
{
#if defined(__GNUC__)
  const BpDataset *data = self->train;
  size_t end = first + self->run.hyper.batch_size;

  if (self->run.hyper.batch_size > 64)
    return; /* large batches already stream well; prefetching them would evict the weights */
  end = end < data->n ? end : data->n;
  for (size_t i = first; i < end; i++)
    {
      const uint8_t *img = data->pixels + self->order[i] * data->n_pixels;

      for (size_t off = 0; off < data->n_pixels; off += 64)
        __builtin_prefetch (img + off);
    }
#else
  (void) self;
  (void) first;
#endif
}

static void
start_epoch (BpTrainer *self)
{
  bp_rng_shuffle (&self->shuffle_rng, self->order, self->train->n);
  self->cursor = 0;
  self->batches_done = 0;
  self->epoch_seconds = 0.0;
  self->in_epoch = true;
  memcpy (self->good_params, self->net->params, self->net->n_params * sizeof (float));
}

/* Put the parameters back to the start of the epoch and drop the epoch in progress. */
static void
restore_good_state (BpTrainer *self)
{
  memcpy (self->net->params, self->good_params, self->net->n_params * sizeof (float));
  memset (self->velocity, 0, self->net->n_params * sizeof (float));
  self->in_epoch = false;
  self->cursor = 0;
  self->batches_done = 0;
}

static size_t
batches_in_epoch (const BpTrainer *self)
{
  size_t m = self->run.hyper.batch_size;
  size_t left = self->train->n - self->cursor;

  return self->batches_done + (left + m - 1) / m;
}

bool
bp_trainer_step (BpTrainer *self,
                 BpError   *error)
{
  const BpHyperparams *h = &self->run.hyper;
  const BpDataset *data = self->train;
  size_t batch;
  double t0, cost;
  float *velocity = NULL;
  bool want_cost;

  /* The speed before training is measured before the first mini-batch changes the network. */
  if (self->options.learning_speed && !self->has_initial_speed)
    {
      BpEpochMetrics initial;

      if (!bp_trainer_get_initial_speed (self, &initial, error))
        return false;
    }

  if (!self->in_epoch)
    start_epoch (self);

  t0 = now_seconds ();
  batch = data->n - self->cursor < h->batch_size ? data->n - self->cursor : h->batch_size;

  if (BP_EXPAND_HAS_AFFINE (self->run.expand))
    for (size_t i = 0; i < batch; i++)
      {
        size_t idx = self->order[self->cursor + i];

        distort_image (data->pixels + idx * data->n_pixels, data->rows, data->cols,
                       self->x + i * data->n_pixels, &self->distort_rng);
      }
  else
    bp_dataset_gather (data, self->order + self->cursor, batch, self->x);
  /* The thickness after the affine map, from the same generator: an image's affine draws, then
   * its level, in the mini-batch's order, on this one thread. */
  if (BP_EXPAND_HAS_THICKNESS (self->run.expand))
    for (size_t i = 0; i < batch; i++)
      bp_distort_thickness (self->x + i * data->n_pixels, data->rows, data->cols,
                            bp_distort_thickness_level (&self->distort_rng), self->scratch);
  for (size_t i = 0; i < batch; i++)
    self->y[i] = data->labels[self->order[self->cursor + i]];

  if (h->momentum > 0.0f)
    {
      velocity = self->velocity;
      self->velocity_live = true;
    }

  /* Hide the memory latency of the next mini-batch's randomly placed images behind this one. */
  prefetch_batch (self, self->cursor + batch);

  want_cost = self->batches_done % COST_EVERY == 0 || self->cursor + batch == data->n;
  cost = bp_network_train_batch (self->net, self->ws, self->x, self->y, batch, h, data->n,
                                 velocity, &self->dropout_rng, want_cost, self->options.kernel);

  if (!isfinite (cost))
    {
      unsigned epoch = self->epochs_done + 1;
      size_t batch_no = self->batches_done + 1;
      size_t n_batches = batches_in_epoch (self);

      double decay = (double) h->eta * bp_hyper_l2_lambda (h, data->n) / (double) data->n;

      restore_good_state (self);
      self->n_last = 0;
      if (decay >= 1.0)
        return bp_error_set (error, BP_ERROR_DIVERGED,
                             "training diverged at epoch %u, mini-batch %zu of %zu: the outputs became "
                             "NaN or infinite; the network is back to its parameters at the start of "
                             "epoch %u; ηλ/n = %.3g ≥ 1 makes the weight decay overshoot: try a smaller "
                             "η (now %g) or λ (now %g)",
                             epoch, batch_no, n_batches, epoch, decay, (double) h->eta,
                             (double) h->lambda_l2);
      return bp_error_set (error, BP_ERROR_DIVERGED,
                           "training diverged at epoch %u, mini-batch %zu of %zu: the outputs became "
                           "NaN or infinite; the network is back to its parameters at the start of "
                           "epoch %u; try a smaller η (now %g)",
                           epoch, batch_no, n_batches, epoch, (double) h->eta);
    }

  /* Which examples these were, in the caller's numbering. */
  for (size_t i = 0; i < batch; i++)
    {
      size_t idx = self->order[self->cursor + i];

      if (self->run.expand == BP_EXPAND_SHIFTS)
        {
          /* bp_dataset_expand_shifts(): each image, then its four shifts, 5 rows apiece. */
          self->last_batch[i] = idx / 5;
          self->last_images[i] = (unsigned char) (BP_BATCH_IMAGE_ORIGINAL + idx % 5);
        }
      else
        {
          self->last_batch[i] = idx;
          self->last_images[i] = self->run.expand != BP_EXPAND_NONE ? BP_BATCH_IMAGE_DISTORTED
                                                                    : BP_BATCH_IMAGE_ORIGINAL;
        }
    }
  self->n_last = batch;

  self->cursor += batch;
  self->batches_done++;
  if (want_cost)
    self->last_batch_cost = cost / (double) batch;
  self->epoch_seconds += now_seconds () - t0;

  if (self->cursor == data->n)
    {
      self->in_epoch = false;
      self->epochs_done++;
      self->total_seconds += self->epoch_seconds;
    }
  return true;
}

const size_t *
bp_trainer_get_last_batch (const BpTrainer      *self,
                           size_t               *n_examples,
                           const unsigned char **images,
                           const float         **inputs)
{
  *n_examples = self->n_last;
  if (images != NULL)
    *images = self->n_last > 0 ? self->last_images : NULL;
  if (inputs != NULL)
    *inputs = self->n_last > 0 ? self->x : NULL;
  return self->n_last > 0 ? self->last_batch : NULL;
}

bool
bp_trainer_epoch_complete (const BpTrainer *self)
{
  return !self->in_epoch;
}

void
bp_trainer_get_progress (const BpTrainer *self,
                         BpProgress      *progress)
{
  progress->epoch = self->epochs_done + (self->in_epoch ? 1 : 0);
  progress->batch = self->in_epoch ? self->batches_done : 0;
  progress->examples_seen = self->in_epoch ? self->cursor : 0;
  progress->n_batches = self->in_epoch ? batches_in_epoch (self)
                                       : (self->train->n + self->run.hyper.batch_size - 1)
                                           / self->run.hyper.batch_size;
  if (!self->in_epoch && self->epochs_done > 0)
    {
      /* Between epochs, report the epoch just finished as complete. */
      progress->epoch = self->epochs_done;
      progress->batch = progress->n_batches;
      progress->examples_seen = self->train->n;
    }
  progress->batch_cost = self->last_batch_cost;
}

static bool
append_history (BpTrainer            *self,
                const BpEpochMetrics *m,
                BpError              *error)
{
  if (self->n_history == self->history_capacity)
    {
      size_t cap = self->history_capacity ? 2 * self->history_capacity : 16;
      BpEpochMetrics *h = realloc (self->history, cap * sizeof *h);

      if (h == NULL)
        return bp_error_set (error, BP_ERROR_NOMEM, "not enough memory for the metric history");
      self->history = h;
      self->history_capacity = cap;
    }
  self->history[self->n_history++] = *m;
  return true;
}

/* Chapter 5's speed of learning of @self's network now, on the first
 * BP_LEARNING_SPEED_EXAMPLES of the caller's training set (not an expanded copy), into @m. */
static bool
measure_speed (BpTrainer      *self,
               BpEpochMetrics *m,
               BpError        *error)
{
  memset (m->speed, 0, sizeof m->speed);
  m->n_speeds = 0;
  return bp_learning_speed_measure (self->net, self->train_src, BP_LEARNING_SPEED_EXAMPLES,
                                    m->speed, &m->n_speeds, error);
}

bool
bp_trainer_get_initial_speed (BpTrainer      *self,
                              BpEpochMetrics *metrics,
                              BpError        *error)
{
  if (!self->options.learning_speed)
    return bp_error_set (error, BP_ERROR_INVALID, "the trainer does not measure the speed of "
                         "learning");
  if (!self->has_initial_speed)
    {
      BpEpochMetrics *m = &self->initial_speed;

      m->epoch = 0;
      m->train_cost = m->train_accuracy = NAN;
      m->validation_cost = m->validation_accuracy = NAN;
      m->test_cost = m->test_accuracy = NAN;
      m->seconds = NAN;
      m->eta = NAN;
      if (!measure_speed (self, m, error))
        return false;
      self->has_initial_speed = true;
    }
  *metrics = self->initial_speed;
  return true;
}

bool
bp_trainer_finish_epoch (BpTrainer      *self,
                         BpEpochMetrics *m,
                         bool           *stop,
                         BpError        *error)
{
  const BpHyperparams *h = &self->run.hyper;
  unsigned mon = self->options.monitor;
  size_t n = self->train->n;
  bool need_validation = self->run.early_stop > 0 || self->run.schedule > 0;
  bool measured = true;
  BpEvaluation ev;

  *stop = false;
  if (self->options.monitor_every > 1 && self->epochs_done % self->options.monitor_every != 0
      && self->epochs_done < self->run.epochs)
    {
      mon = 0;
      measured = false;
    }
  m->epoch = self->epochs_done;
  m->train_cost = m->train_accuracy = NAN;
  m->validation_cost = m->validation_accuracy = NAN;
  m->test_cost = m->test_accuracy = NAN;
  m->seconds = self->epoch_seconds;
  m->eta = h->eta;
  m->n_speeds = 0;
  memset (m->speed, 0, sizeof m->speed);

  if (!bp_network_is_finite (self->net))
    {
      unsigned epoch = self->epochs_done;

      restore_good_state (self);
      self->epochs_done--;
      return bp_error_set (error, BP_ERROR_DIVERGED,
                           "training diverged in epoch %u: some parameters became NaN or infinite; "
                           "the network is back to its parameters at the start of the epoch; "
                           "try a smaller η (now %g)",
                           epoch, (double) h->eta);
    }

  if (mon & (BP_MONITOR_TRAIN_COST | BP_MONITOR_TRAIN_ACCURACY))
    {
      if (!bp_evaluate_threads (self->net, self->train_src, bp_hyper_l2_lambda (h, n), h->lambda_l1, n, false, self->options.threads, &ev, error))
        return false;
      if (mon & BP_MONITOR_TRAIN_COST)
        m->train_cost = ev.cost;
      if (mon & BP_MONITOR_TRAIN_ACCURACY)
        m->train_accuracy = ev.accuracy;
    }
  if (self->validation != NULL && self->validation->n > 0
      && (need_validation || (mon & (BP_MONITOR_EVAL_COST | BP_MONITOR_EVAL_ACCURACY))))
    {
      if (!bp_evaluate_threads (self->net, self->validation, bp_hyper_l2_lambda (h, n), h->lambda_l1, n, false, self->options.threads, &ev, error))
        return false;
      if ((mon & BP_MONITOR_EVAL_COST) || need_validation)
        m->validation_cost = ev.cost;
      m->validation_accuracy = ev.accuracy;
    }
  if (self->test != NULL && self->test->n > 0 && (mon & BP_MONITOR_TEST_ACCURACY))
    {
      if (!bp_evaluate_threads (self->net, self->test, bp_hyper_l2_lambda (h, n), h->lambda_l1, n, false, self->options.threads, &ev, error))
        return false;
      m->test_cost = ev.cost;
      m->test_accuracy = ev.accuracy;
    }

  if (self->options.learning_speed && measured && !measure_speed (self, m, error))
    return false;

  /* Early stopping and the schedule (chapter 3's exercises) count epochs since the best
   * validation accuracy so far. */
  if (need_validation)
    {
      if (m->validation_accuracy > self->best_validation)
        {
          self->best_validation = m->validation_accuracy;
          self->epochs_since_best = 0;
        }
      else
        self->epochs_since_best++;

      if (self->run.early_stop > 0 && self->epochs_since_best >= self->run.early_stop)
        {
          self->stop_reason = BP_STOP_EARLY;
          *stop = true;
        }

      if (self->run.schedule > 0 && self->epochs_since_best >= self->run.schedule)
        {
          self->run.hyper.eta *= 0.5f;
          self->epochs_since_best = 0;
          /* Stop once η has been halved down to η₀/128 (seven halvings). */
          if (self->run.hyper.eta <= self->eta0 / 128.0f * 1.0001f)
            {
              self->stop_reason = BP_STOP_SCHEDULE;
              *stop = true;
            }
        }
    }

  if (!*stop && self->epochs_done >= self->run.epochs)
    {
      self->stop_reason = BP_STOP_EPOCHS;
      *stop = true;
    }

  return append_history (self, m, error);
}

bool
bp_trainer_run (BpTrainer      *self,
                atomic_int     *cancel,
                BpProgressFunc  progress,
                BpEpochFunc     epoch_done,
                void           *user_data,
                BpError        *error)
{
  for (;;)
    {
      BpEpochMetrics m;
      bool stop = false;

      if (cancel != NULL && atomic_load (cancel) != 0)
        return bp_error_set (error, BP_ERROR_CANCELLED, "training was cancelled");

      if (!bp_trainer_step (self, error))
        return false;

      if (progress != NULL)
        {
          BpProgress p;

          bp_trainer_get_progress (self, &p);
          progress (&p, user_data);
        }

      if (!bp_trainer_epoch_complete (self))
        continue;

      if (!bp_trainer_finish_epoch (self, &m, &stop, error))
        return false;
      if (epoch_done != NULL)
        epoch_done (&m, user_data);
      if (stop)
        return true;
    }
}

const BpEpochMetrics *
bp_trainer_get_history (const BpTrainer *self,
                        size_t          *n_epochs)
{
  *n_epochs = self->n_history;
  return self->history;
}

const float *
bp_trainer_get_velocity (const BpTrainer *self)
{
  return self->run.hyper.momentum > 0.0f || self->velocity_live ? self->velocity : NULL;
}

double
bp_trainer_get_train_seconds (const BpTrainer *self)
{
  return self->total_seconds;
}

BpStopReason
bp_trainer_get_stop_reason (const BpTrainer *self)
{
  return self->stop_reason;
}

void
bp_trainer_set_velocity (BpTrainer   *self,
                         const float *velocity)
{
  memcpy (self->velocity, velocity, self->net->n_params * sizeof (float));
  self->velocity_live = true;
}
