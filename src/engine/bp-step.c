/* bp-step.c — the fast training step of one mini-batch, shared out between threads
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A step is a few stages, each a fork and a join on the workspace's pool. The layers are cut
 * into segments: a large fully-connected hidden layer alone, and runs of the other layers.
 * A run of layers is shared out by examples (forward, and its layers' δ); a large layer by its
 * neurons in the forward pass and by its inputs in the backward pass, so that each thread
 * streams its part of the weight matrix once for the whole mini-batch rather than every thread
 * all of it for its examples. The last stage is the rows of every layer (gradient folded into
 * the update). Dropout masks are drawn before all of them, in the order one thread would draw
 * them. Nothing is summed across threads: every value is computed by one thread in the order a
 * single thread computes it, and every parameter's gradient sums the mini-batch in example order
 * on one thread, so the step gives the same bits for any number of threads.
 */
#include "config.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bp-network-private.h"

/* A mini-batch step smaller than this many floating-point operations runs on one thread: waking
 * another costs more than it saves (784-30-10 at batch 10 is 1.4 MFLOP). The numbers are the
 * same either way. */
#define PARALLEL_MIN_FLOPS 4e6

/* A fully-connected hidden layer with at least this many weights (512 KiB, half a core's L2
 * cache on today's machines) is shared out by neurons rather than by examples. */
#define LARGE_DENSE_WEIGHTS (1u << 17)

/* The gradient stage's tasks: the shares of every layer, largest first, and the next step's
 * dropout draws. */
#define MAX_GRADIENT_TASKS (BP_MAX_LAYERS * BP_POOL_MAX_THREADS + 1)

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
  size_t               n_chunks; /* the shares of the examples, and of each layer */

  /* This stage: layers [i0, i1) by examples (with the output layer's δ and the deltas down to
   * layer i_stop when @backward), or large layer i0 by neurons or inputs. */
  size_t               i0, i1, i_stop;
  bool                 backward;

  /* The gradient stage: task t is share part[t] of layer layer[t], or the next step's dropout
   * draws from @rng's state when layer[t] is BP_MAX_LAYERS. */
  BpRng               *rng;
  size_t               n_tasks;
  unsigned char        layer[MAX_GRADIENT_TASKS];
  unsigned short       part[MAX_GRADIENT_TASKS];
} Step;

/* Share @part of @n_parts of [0, n): [*lo, *hi), with inner bounds on multiples of @align. */
static inline void
share (size_t  n,
       size_t  part,
       size_t  n_parts,
       size_t  align,
       size_t *lo,
       size_t *hi)
{
  size_t a = (n * part / n_parts + align / 2) / align * align;
  size_t b = (n * (part + 1) / n_parts + align / 2) / align * align;

  *lo = part == 0 ? 0 : (a < n ? a : n);
  *hi = part + 1 == n_parts ? n : (b < n ? b : n);
}

static inline float *
thread_scratch (BpWorkspace *ws,
                size_t       thread)
{
  return ws->thread_scratch != NULL ? ws->thread_scratch[thread] : ws->conv_scratch;
}

static inline bool
is_large (const BpNetwork *net,
          size_t           i,
          bool             threaded)
{
  return threaded && net->arch.layers[i].kind == BP_LAYER_DENSE && i + 1 < net->arch.n_layers
         && net->layers[i].n_weights >= LARGE_DENSE_WEIGHTS;
}

size_t
bp_step_scratch_size (const BpNetwork *net,
                      size_t           n_threads,
                      size_t           max_batch)
{
  size_t max = bp_network_conv_scratch_size (net);

  /* A large layer's share of inputs for every example: at most n_in/n_chunks + 16 of them
   * (shares end on multiples of 16), n_chunks being n_threads or the batch when it is smaller. */
  for (size_t i = 0; i < net->arch.n_layers; i++)
    if (is_large (net, i, n_threads > 1))
      {
        size_t n_in = net->layers[i].n_in;
        size_t a = n_in + 16 * max_batch + 16;
        size_t b = max_batch * (n_in / n_threads + 32);

        max = a > max ? a : max;
        max = b > max ? b : max;
      }
  return max;
}

/* Layers [i0, i1) for examples [r0, r1) of the share, forward or backward. Whole chunks rather
 * than single examples, so that the dense kernels' register tiles still reuse each weight over
 * several examples. */
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
  bool has_output = st->i1 == L;
  size_t r0, r1;

  share (st->batch, task, st->n_chunks, 1, &r0, &r1);
  if (r0 == r1)
    return;
  if (!st->backward || has_output)
    bp_network_forward_rows (net, ws, st->x, r0, r1, st->i0, st->i1, true, ws->fast,
                             thread_scratch (ws, thread));
  if (!st->backward)
    return;
  for (size_t i = 0; i < L; i++)
    {
      size_t n = net->layers[i].n_out;

      act[i] = ws->act[i] + r0 * n;
      deriv[i] = ws->deriv[i] + r0 * n;
      delta[i] = ws->delta[i] + r0 * n;
    }
  bp_network_deltas (net, (const float *const *) act, deriv, true, delta,
                     has_output ? st->labels + r0 : NULL, r1 - r0, st->i1 - 1, st->i_stop,
                     ws->fast, thread_scratch (ws, thread));
}

/* Large layer i0, forward: neurons [j0, j1) of the share for every example. */
static void
neurons_task_cb (size_t task,
                 size_t thread,
                 void  *data)
{
  Step *st = data;
  const BpNetwork *net = st->net;
  BpWorkspace *ws = st->ws;
  size_t i = st->i0;
  const BpLayer *layer = &net->layers[i];
  const float *in = i == 0 ? first_input (ws, st->x) : ws->act[i - 1];
  size_t j0, j1;

  (void) thread;
  share (layer->n_out, task, st->n_chunks, 4, &j0, &j1);
  if (j0 == j1)
    return;
  ws->fast->linear_forward (ws->act[i] + j0, in, net->params + layer->w_offset + j0 * layer->n_in,
                            net->params + layer->b_offset + j0, st->batch, layer->n_in, j1 - j0,
                            layer->n_out);
  bp_network_activate_rows (net, ws, i, 0, st->batch, j0, j1, true);
}

/* Large layer i0, backward: inputs [k0, k1) of the share of δ_{i0 − 1}, for every example. */
static void
inputs_task_cb (size_t task,
                size_t thread,
                void  *data)
{
  Step *st = data;
  const BpNetwork *net = st->net;
  BpWorkspace *ws = st->ws;
  size_t i = st->i0;
  const BpLayer *layer = &net->layers[i];
  size_t n_in = layer->n_in;
  size_t k0, k1;

  float *buf = thread_scratch (ws, thread);

  share (n_in, task, st->n_chunks, 16, &k0, &k1);
  if (k0 == k1)
    return;
  /* Summed in the thread's own buffer, then copied out once with f′ applied. */
  ws->fast->linear_backward_input (buf, k1 - k0, ws->delta[i], net->params + layer->w_offset,
                                   st->batch, n_in, layer->n_out, k0, k1);
  for (size_t r = 0; r < st->batch; r++)
    {
      float *d = ws->delta[i - 1] + r * n_in;
      const float *f = ws->deriv[i - 1] + r * n_in;
      const float *b = buf + r * (k1 - k0);

      for (size_t k = k0; k < k1; k++)
        d[k] = b[k - k0] * f[k];
    }
}

/* The next step's dropout draws, assuming that it drops the same layers of as many examples as
 * this one: from the RNG's state now, which no thread changes before the step ends. */
static void
predraw (Step *st)
{
  const BpNetwork *net = st->net;
  BpWorkspace *ws = st->ws;
  BpRng rng = *st->rng;

  ws->pre_from = rng;
  for (size_t i = 0; i < net->arch.n_layers; i++)
    {
      ws->pre_p[i] = ws->drop_p[i];
      if (ws->drop_p[i] > 0.0f)
        bp_rng_uniform_floats (&rng, ws->pre[i], st->batch * net->layers[i].n_in);
    }
  ws->pre_to = rng;
  ws->pre_batch = st->batch;
  ws->pre_valid = true;
}

/* This step's masks from the draws predraw() made during the last one, when they are the very
 * draws that draw_masks() would make now; false otherwise. */
static bool
masks_from_predraw (const BpNetwork *net,
                    BpWorkspace     *ws,
                    size_t           batch,
                    float            dropout,
                    BpRng           *rng)
{
  bool ok = ws->pre_valid && batch == ws->pre_batch && rng->has_spare == ws->pre_from.has_spare
            && memcmp (rng->s, ws->pre_from.s, sizeof rng->s) == 0;

  float p[BP_MAX_LAYERS];

  ws->pre_valid = false;
  /* Each layer's p as draw_masks() takes it: its own, or the live one after the first layer. */
  for (size_t i = 0; ok && i < net->arch.n_layers; i++)
    {
      p[i] = net->arch.layers[i].dropout;
      if (p[i] == BP_DROPOUT_LIVE)
        p[i] = i > 0 ? dropout : 0.0f;
      ok = (p[i] > 0.0f) == (ws->pre_p[i] > 0.0f);
    }
  if (!ok)
    return false;
  for (size_t i = 0; i < net->arch.n_layers; i++)
    {
      float q = 1.0f - p[i], keep_scale = 1.0f / q;
      const float *u = ws->pre[i];
      float *m = ws->mask[i];

      ws->drop_p[i] = p[i];
      if (p[i] > 0.0f)
        for (size_t j = 0; j < batch * net->layers[i].n_in; j++)
          m[j] = u[j] < q ? keep_scale : 0.0f;
    }
  rng->s[0] = ws->pre_to.s[0];
  rng->s[1] = ws->pre_to.s[1];
  rng->s[2] = ws->pre_to.s[2];
  rng->s[3] = ws->pre_to.s[3];
  return true;
}

/* Room for predraw(): as many numbers as the masks (false when there is none to draw). */
static bool
predraw_buffers (const BpNetwork *net,
                 BpWorkspace     *ws)
{
  size_t total = 0;

  if (ws->pre_block != NULL)
    return true;
  for (size_t i = 0; i < net->arch.n_layers; i++)
    if (ws->mask[i] != NULL)
      total += (ws->max_batch * net->layers[i].n_in + 15) & ~(size_t) 15;
  if (total == 0 || (ws->pre_block = malloc (total * sizeof (float))) == NULL)
    return false;
  total = 0;
  for (size_t i = 0; i < net->arch.n_layers; i++)
    if (ws->mask[i] != NULL)
      {
        ws->pre[i] = ws->pre_block + total;
        total += (ws->max_batch * net->layers[i].n_in + 15) & ~(size_t) 15;
      }
  return true;
}

/* The gradient stage, task @task: a share of one layer's parameters, their gradient folded into
 * their update; every parameter's gradient sums the whole mini-batch in order on one thread.
 * A dense layer is shared out by neurons, a conv layer by the entries of its filters (so that
 * each thread copies only its part of every window). */
static void
gradient_task_cb (size_t task,
                  size_t thread,
                  void  *data)
{
  Step *st = data;
  BpNetwork *net = st->net;
  BpWorkspace *ws = st->ws;
  const BpKernelTable *k = ws->fast;
  size_t i = st->layer[task];
  size_t part = st->part[task];
  const BpLayer *layer;
  const float *in;
  size_t rows, cols, j0, j1;
  BpUpdate u;

  if (i == BP_MAX_LAYERS)
    {
      predraw (st);
      return;
    }
  layer = &net->layers[i];
  in = i == 0 ? first_input (ws, st->x) : ws->act[i - 1];
  rows = layer->n_biases;
  cols = rows > 0 ? layer->n_weights / rows : 0;

  bp_network_fill_update (net, i, st->batch, st->hyper, st->n_train, st->velocity, &u);
  switch (net->arch.layers[i].kind)
    {
    case BP_LAYER_DENSE:
      share (rows, part, st->n_chunks, 1, &j0, &j1);
      if (j0 == j1)
        return;
      if (u.vw != NULL)
        {
          u.vw += j0 * cols;
          u.vb += j0;
        }
      k->linear_update (net->params + layer->w_offset + j0 * cols,
                        net->params + layer->b_offset + j0, ws->delta[i] + j0, in, st->batch,
                        layer->n_in, j1 - j0, layer->n_out, &u);
      break;
    case BP_LAYER_CONV:
      {
        BpConvShape shape = bp_conv_shape (net, i);
        float *w = net->params + layer->w_offset;
        size_t nj;
        float *gw;
        float *gb;

        share (cols, part, st->n_chunks, 16, &j0, &j1);
        if (j0 == j1)
          return;
        /* The biases go with the first columns. */
        gb = j0 == 0 ? ws->grad + layer->b_offset : NULL;
        /* The share's gradient (C_out, j1 − j0), compact, in its own part of the buffer. */
        nj = j1 - j0;
        gw = ws->grad + layer->w_offset + rows * j0;
        bp_conv_gradient_cols (gw, gb, ws->delta[i], in, st->batch, &shape, j0, j1, k,
                               thread_scratch (ws, thread));
        for (size_t o = 0; o < rows; o++)
          bp_update_flat (w + o * cols + j0, gw + o * nj, u.vw != NULL ? u.vw + o * cols + j0 : NULL,
                          nj, u.scale, u.decay, u.l1, u.momentum);
        if (gb != NULL)
          bp_update_flat (net->params + layer->b_offset, gb, u.vb, rows, u.scale, 0.0f, 0.0f,
                          u.momentum);
      }
      break;
    case BP_LAYER_POOL:
    default:
      break;
    }
}

/* The gradient stage's tasks, the largest shares first, so that the last ones to be claimed are
 * small. */
static void
plan_gradients (Step *st)
{
  const BpNetwork *net = st->net;
  double cost[BP_MAX_LAYERS];
  size_t order[BP_MAX_LAYERS], n = 0;

  for (size_t i = 0; i < net->arch.n_layers; i++)
    {
      const BpLayer *layer = &net->layers[i];

      if (layer->n_weights == 0)
        continue;
      cost[i] = (double) layer->n_weights
                * (net->arch.layers[i].kind == BP_LAYER_CONV ? (double) (layer->out_h * layer->out_w)
                                                             : 1.0);
      order[n++] = i;
    }
  for (size_t a = 1; a < n; a++)
    for (size_t b = a; b > 0 && cost[order[b]] > cost[order[b - 1]]; b--)
      {
        size_t t = order[b];

        order[b] = order[b - 1];
        order[b - 1] = t;
      }
  st->n_tasks = 0;
  /* The next step's dropout draws first, while the other threads start on the largest shares. */
  if (st->rng != NULL)
    {
      st->layer[0] = BP_MAX_LAYERS;
      st->part[0] = 0;
      st->n_tasks = 1;
    }
  for (size_t a = 0; a < n; a++)
    for (size_t p = 0; p < st->n_chunks; p++)
      {
        st->layer[st->n_tasks] = (unsigned char) order[a];
        st->part[st->n_tasks] = (unsigned short) p;
        st->n_tasks++;
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
  Step st = { .net = net, .ws = ws, .x = x, .labels = labels, .batch = batch, .hyper = hyper,
              .n_train = n_train, .velocity = velocity, .n_chunks = 1 };
  BpPool *pool = NULL;
  size_t L = net->arch.n_layers;
  size_t seg_start[BP_MAX_LAYERS + 1], n_segs = 0;
  const float *z = ws->out_z;
  size_t n_z = batch * net->n_outputs;
  double cost = 0.0;
  float probe = 0.0f;

  assert (batch >= 1 && batch <= ws->max_batch);
  assert (BP_MAX_LAYERS <= 255 && BP_POOL_MAX_THREADS <= 65535);
  if (ws->pool != NULL && ws->flops_per_example * (double) batch >= PARALLEL_MIN_FLOPS)
    {
      pool = ws->pool;
      st.n_chunks = ws->n_threads < batch ? ws->n_threads : batch;
    }

  /* With threads, one of them draws the next step's dropout masks during this one. */
  if (!masks_from_predraw (net, ws, batch, hyper->dropout, dropout_rng))
    bp_network_draw_masks (net, ws, batch, true, hyper->dropout, dropout_rng);
  if (pool != NULL && dropout_rng != NULL && predraw_buffers (net, ws))
    st.rng = dropout_rng;
  ws->input_dropped = ws->drop_p[0] > 0.0f;
  ws->has_deriv = true;
  ws->last_batch = batch;

  /* The segments: each large layer alone, and the runs of other layers between them. */
  for (size_t i = 0; i < L; i++)
    if (i == 0 || is_large (net, i, pool != NULL) || is_large (net, i - 1, pool != NULL))
      seg_start[n_segs++] = i;
  seg_start[n_segs] = L;

  /* A large first layer reads the input after its dropout, all of it, from the start. */
  if (ws->input_dropped && is_large (net, 0, pool != NULL))
    for (size_t j = 0; j < batch * net->n_inputs; j++)
      ws->x_drop[j] = x[j] * ws->mask[0][j];

  /* Forward, segment after segment; the last one (the output layer's) turns back at once. */
  for (size_t s = 0; s < n_segs; s++)
    {
      st.i0 = seg_start[s];
      st.i1 = seg_start[s + 1];
      st.i_stop = st.i0 > 0 ? st.i0 - 1 : 0;
      st.backward = st.i1 == L;
      if (is_large (net, st.i0, pool != NULL))
        bp_pool_run (pool, st.n_chunks, neurons_task_cb, &st);
      else
        bp_pool_run (pool, st.n_chunks, examples_task_cb, &st);
    }
  /* Backward through the segments below it. */
  for (size_t s = n_segs - 1; s-- > 0;)
    {
      st.i0 = seg_start[s];
      st.i1 = seg_start[s + 1];
      st.i_stop = st.i0 > 0 ? st.i0 - 1 : 0;
      st.backward = true;
      if (is_large (net, st.i0, pool != NULL))
        {
          if (st.i0 > 0)
            bp_pool_run (pool, st.n_chunks, inputs_task_cb, &st);
        }
      else if (st.i1 - 1 > st.i_stop)
        bp_pool_run (pool, st.n_chunks, examples_task_cb, &st);
    }

  /* 0·z sums to NaN exactly when some output pre-activation is NaN or infinite. */
  for (size_t i = 0; i < n_z; i++)
    probe += 0.0f * z[i];
  if (probe != 0.0f)
    return NAN;
  if (want_cost)
    cost = bp_network_batch_cost (net, ws, labels, batch);

  plan_gradients (&st);
  bp_pool_run (pool, st.n_tasks, gradient_task_cb, &st);
  return cost;
}
