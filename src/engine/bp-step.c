/* bp-step.c — the fast training step of one mini-batch, shared out between threads
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two halves, each a fork and a join on the workspace's pool: the examples (forward pass and
 * deltas, which need the weights before any update), then the rows of every layer (gradient
 * folded into the update). Dropout masks are drawn before either, in the order one thread
 * would draw them. Nothing is summed across threads: every parameter's gradient is the sum over
 * the mini-batch in example order on one thread, so the step gives the same bits for any number
 * of threads.
 */
#include "config.h"

#include <assert.h>
#include <math.h>

#include "bp-network-private.h"

/* A mini-batch step smaller than this many floating-point operations runs on one thread: waking
 * another costs more than it saves (784-30-10 at batch 10 is 1.4 MFLOP). The numbers are the
 * same either way. */
#define PARALLEL_MIN_FLOPS 4e6

typedef struct
{
  BpNetwork           *net;
  BpWorkspace         *ws;
  const float         *x;
  const uint8_t       *labels;
  size_t               batch;
  const BpHyperparams *hyper;
  size_t               n_train;
  float               *velocity;
} Step;

/* Share @n of @n_tasks: [*lo, *hi). */
static inline void
share (size_t  n,
       size_t  task,
       size_t  n_tasks,
       size_t *lo,
       size_t *hi)
{
  *lo = n * task / n_tasks;
  *hi = n * (task + 1) / n_tasks;
}

static inline float *
task_scratch (BpWorkspace *ws,
              size_t       task)
{
  return ws->thread_scratch != NULL ? ws->thread_scratch[task] : ws->conv_scratch;
}

/* First half: examples [r0, r1) forward and every delta, which need the weights before any
 * update. */
static void
examples_task_cb (size_t task,
                  size_t n_tasks,
                  void  *data)
{
  Step *st = data;
  const BpNetwork *net = st->net;
  BpWorkspace *ws = st->ws;
  size_t L = net->arch.n_layers;
  float *act[BP_MAX_LAYERS], *deriv[BP_MAX_LAYERS], *delta[BP_MAX_LAYERS];
  size_t r0, r1;

  share (st->batch, task, n_tasks, &r0, &r1);
  if (r0 == r1)
    return;
  bp_network_forward_rows (net, ws, st->x, r0, r1, true, ws->fast, task_scratch (ws, task));
  for (size_t i = 0; i < L; i++)
    {
      size_t n = net->layers[i].n_out;

      act[i] = ws->act[i] + r0 * n;
      deriv[i] = ws->deriv[i] + r0 * n;
      delta[i] = ws->delta[i] + r0 * n;
    }
  bp_network_deltas (net, (const float *const *) act, deriv, true, delta, st->labels + r0, r1 - r0,
          ws->fast, task_scratch (ws, task));
}

/* Second half: each layer's gradient folded into its update, rows (neurons, filters) shared
 * out; every parameter's gradient sums the whole mini-batch in order on one thread. */
static void
rows_task_cb (size_t task,
              size_t n_tasks,
              void  *data)
{
  Step *st = data;
  BpNetwork *net = st->net;
  BpWorkspace *ws = st->ws;
  const BpKernelTable *k = ws->fast;

  for (size_t i = 0; i < net->arch.n_layers; i++)
    {
      const BpLayer *layer = &net->layers[i];
      const float *in = i == 0 ? first_input (ws, st->x) : ws->act[i - 1];
      size_t rows = layer->n_biases;
      size_t cols = rows > 0 ? layer->n_weights / rows : 0;
      size_t j0, j1;
      BpUpdate u;

      share (rows, task, n_tasks, &j0, &j1);
      if (j0 == j1)
        continue;
      bp_network_fill_update (net, i, st->batch, st->hyper, st->n_train, st->velocity, &u);
      if (u.vw != NULL)
        {
          u.vw += j0 * cols;
          u.vb += j0;
        }
      switch (net->arch.layers[i].kind)
        {
        case BP_LAYER_DENSE:
          k->linear_update (net->params + layer->w_offset + j0 * cols,
                            net->params + layer->b_offset + j0, ws->delta[i] + j0, in,
                            st->batch, layer->n_in, j1 - j0, layer->n_out, &u);
          break;
        case BP_LAYER_CONV:
          {
            BpConvShape shape = bp_conv_shape (net, i);
            float *gw = ws->grad + layer->w_offset + j0 * cols;
            float *gb = ws->grad + layer->b_offset + j0;

            /* A conv layer's gradient is small (C_out·C_in·k²): through the buffer. */
            bp_conv_gradient_rows (gw, gb, ws->delta[i], in, st->batch, &shape, j0, j1, k,
                                   task_scratch (ws, task));
            bp_update_flat (net->params + layer->w_offset + j0 * cols, gw, u.vw,
                            (j1 - j0) * cols, u.scale, u.decay, u.l1, u.momentum);
            bp_update_flat (net->params + layer->b_offset + j0, gb, u.vb, j1 - j0, u.scale,
                            0.0f, 0.0f, u.momentum);
          }
          break;
        case BP_LAYER_POOL:
        default:
          break;
        }
    }
}

double
bp_network_train_batch_fast (BpNetwork           *net,
                  BpWorkspace         *ws,
                  const float         *x,
                  const uint8_t       *labels,
                  size_t               batch,
                  const BpHyperparams *hyper,
                  size_t               n_train,
                  float               *velocity,
                  BpRng               *dropout_rng,
                  bool                 want_cost)
{
  Step st = { net, ws, x, labels, batch, hyper, n_train, velocity };
  const float *z = ws->out_z;
  size_t n_z = batch * net->n_outputs;
  size_t n_tasks = 1;
  double cost = 0.0;
  float probe = 0.0f;

  assert (batch >= 1 && batch <= ws->max_batch);
  if (ws->pool != NULL && ws->flops_per_example * (double) batch >= PARALLEL_MIN_FLOPS)
    n_tasks = ws->n_threads;

  bp_network_draw_masks (net, ws, batch, true, hyper->dropout, dropout_rng);
  ws->input_dropped = ws->drop_p[0] > 0.0f;
  ws->has_deriv = true;
  ws->last_batch = batch;
  bp_pool_run (ws->pool, n_tasks < batch ? n_tasks : batch, examples_task_cb, &st);

  /* 0·z sums to NaN exactly when some output pre-activation is NaN or infinite. */
  for (size_t i = 0; i < n_z; i++)
    probe += 0.0f * z[i];
  if (probe != 0.0f)
    return NAN;
  if (want_cost)
    cost = bp_network_batch_cost (net, ws, labels, batch);

  bp_pool_run (ws->pool, n_tasks, rows_task_cb, &st);
  return cost;
}

