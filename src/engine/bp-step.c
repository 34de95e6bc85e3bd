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
  size_t               n_chunks; /* the shares of the examples, and of each layer's rows */
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
thread_scratch (BpWorkspace *ws,
                size_t       thread)
{
  return ws->thread_scratch != NULL ? ws->thread_scratch[thread] : ws->conv_scratch;
}

/* First half, task @task of n_chunks: examples [r0, r1) forward and every delta, which need the
 * weights before any update. Whole chunks rather than single examples, so that the dense
 * kernels' register tiles still reuse each weight over several examples. */
static void
examples_task_cb (size_t task,
                  size_t thread,
                  void  *data)
{
  Step *st = data;
  const BpNetwork *net = st->net;
  BpWorkspace *ws = st->ws;
  size_t L = net->arch.n_layers;
  float *act[BP_MAX_LAYERS], *deriv[BP_MAX_LAYERS], *delta[BP_MAX_LAYERS];
  size_t r0, r1;

  share (st->batch, task, st->n_chunks, &r0, &r1);
  if (r0 == r1)
    return;
  bp_network_forward_rows (net, ws, st->x, r0, r1, true, ws->fast, thread_scratch (ws, thread));
  for (size_t i = 0; i < L; i++)
    {
      size_t n = net->layers[i].n_out;

      act[i] = ws->act[i] + r0 * n;
      deriv[i] = ws->deriv[i] + r0 * n;
      delta[i] = ws->delta[i] + r0 * n;
    }
  bp_network_deltas (net, (const float *const *) act, deriv, true, delta, st->labels + r0,
                     r1 - r0, ws->fast, thread_scratch (ws, thread));
}

/* Second half, task @task of n_layers·n_chunks: a share of one layer's rows (neurons, filters),
 * their gradient folded into their update; every parameter's gradient sums the whole mini-batch
 * in order on one thread. */
static void
rows_task_cb (size_t task,
              size_t thread,
              void  *data)
{
  Step *st = data;
  BpNetwork *net = st->net;
  BpWorkspace *ws = st->ws;
  const BpKernelTable *k = ws->fast;
  size_t i = task / st->n_chunks;
  const BpLayer *layer = &net->layers[i];
  const float *in = i == 0 ? first_input (ws, st->x) : ws->act[i - 1];
  size_t rows = layer->n_biases;
  size_t cols = rows > 0 ? layer->n_weights / rows : 0;
  size_t j0, j1;
  BpUpdate u;

  share (rows, task % st->n_chunks, st->n_chunks, &j0, &j1);
  if (j0 == j1)
    return;
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
                        net->params + layer->b_offset + j0, ws->delta[i] + j0, in, st->batch,
                        layer->n_in, j1 - j0, layer->n_out, &u);
      break;
    case BP_LAYER_CONV:
      {
        BpConvShape shape = bp_conv_shape (net, i);
        float *gw = ws->grad + layer->w_offset + j0 * cols;
        float *gb = ws->grad + layer->b_offset + j0;

        /* A conv layer's gradient is small (C_out·C_in·k²): through the buffer. */
        bp_conv_gradient_rows (gw, gb, ws->delta[i], in, st->batch, &shape, j0, j1, k,
                               thread_scratch (ws, thread));
        bp_update_flat (net->params + layer->w_offset + j0 * cols, gw, u.vw, (j1 - j0) * cols,
                        u.scale, u.decay, u.l1, u.momentum);
        bp_update_flat (net->params + layer->b_offset + j0, gb, u.vb, j1 - j0, u.scale, 0.0f,
                        0.0f, u.momentum);
      }
      break;
    case BP_LAYER_POOL:
    default:
      break;
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
  Step st = { net, ws, x, labels, batch, hyper, n_train, velocity, 1 };
  BpPool *pool = NULL;
  const float *z = ws->out_z;
  size_t n_z = batch * net->n_outputs;
  double cost = 0.0;
  float probe = 0.0f;

  assert (batch >= 1 && batch <= ws->max_batch);
  if (ws->pool != NULL && ws->flops_per_example * (double) batch >= PARALLEL_MIN_FLOPS)
    {
      pool = ws->pool;
      st.n_chunks = ws->n_threads < batch ? ws->n_threads : batch;
    }

  bp_network_draw_masks (net, ws, batch, true, hyper->dropout, dropout_rng);
  ws->input_dropped = ws->drop_p[0] > 0.0f;
  ws->has_deriv = true;
  ws->last_batch = batch;
  bp_pool_run (pool, st.n_chunks, examples_task_cb, &st);

  /* 0·z sums to NaN exactly when some output pre-activation is NaN or infinite. */
  for (size_t i = 0; i < n_z; i++)
    probe += 0.0f * z[i];
  if (probe != 0.0f)
    return NAN;
  if (want_cost)
    cost = bp_network_batch_cost (net, ws, labels, batch);

  bp_pool_run (pool, net->arch.n_layers * st.n_chunks, rows_task_cb, &st);
  return cost;
}

