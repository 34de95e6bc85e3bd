/* bp-network.c — parameters in one buffer; matrix-form forward and backward over a mini-batch
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The names, checks and text forms of an arch are in bp-arch.c.
 */
#include "config.h"

#include "bp-network.h"

#include <assert.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bp-kernels.h"
#include "bp-memory.h"
#include "bp-network-private.h"
#include "bp-pool.h"


/* ── Creation ──────────────────────────────────────────────────────────────────────────────── */

static void *
aligned_calloc (size_t n_floats)
{
  size_t bytes;
  void *p;

  if (n_floats > SIZE_MAX / sizeof (float) - 64)
    return NULL;
  bytes = (n_floats * sizeof (float) + 63) & ~(size_t) 63;
  if (bytes == 0)
    bytes = 64;
  p = aligned_alloc (64, bytes);
  if (p != NULL)
    memset (p, 0, bytes);
  return p;
}

/* Round a float count up so that every view starts on a 64-byte line. */
static inline size_t
pad16 (size_t n)
{
  return (n + 15) & ~(size_t) 15;
}

BpNetwork *
bp_network_new (const BpArch *arch,
                BpError      *error)
{
  BpNetwork *net;
  size_t total = 0;
  size_t shapes[BP_MAX_LAYERS][3];

  if (!bp_arch_check (arch, error))
    return NULL;

  net = calloc (1, sizeof *net);
  if (net == NULL)
    goto nomem;

  net->arch = *arch;
  net->n_inputs = arch->in_channels * arch->in_height * arch->in_width;

  if (!bp_arch_shapes (arch, shapes, error))
    {
      free (net);
      return NULL;
    }

  /* Dense sizes are at most 2^16 and maps at most 2^20 values, so one layer has at most 2^36
   * parameters: no overflow of size_t on a 64-bit machine; on 32-bit the total is checked. */
  for (size_t i = 0; i < arch->n_layers; i++)
    {
      BpLayer *layer = &net->layers[i];
      const BpLayerSpec *spec = &arch->layers[i];
      size_t nw = 0, nb = 0;

      if (i == 0)
        {
          layer->in_c = arch->in_channels;
          layer->in_h = arch->in_height;
          layer->in_w = arch->in_width;
        }
      else
        {
          layer->in_c = net->layers[i - 1].out_c;
          layer->in_h = net->layers[i - 1].out_h;
          layer->in_w = net->layers[i - 1].out_w;
        }
      layer->n_in = layer->in_c * layer->in_h * layer->in_w;
      layer->out_c = shapes[i][0];
      layer->out_h = shapes[i][1];
      layer->out_w = shapes[i][2];
      layer->n_out = layer->out_c * layer->out_h * layer->out_w;

      switch (spec->kind)
        {
        case BP_LAYER_DENSE:
          nw = layer->n_out * layer->n_in;
          if (nw / layer->n_out != layer->n_in)
            goto nomem;
          nb = layer->n_out;
          break;
        case BP_LAYER_CONV:
          nw = layer->out_c * layer->in_c * spec->kernel * spec->kernel;
          nb = layer->out_c;
          break;
        case BP_LAYER_POOL:
        default:
          break;
        }
      if (total > SIZE_MAX / 8 - nw - nb)
        goto nomem;
      layer->w_offset = total;
      layer->n_weights = nw;
      total += nw;
      layer->b_offset = total;
      layer->n_biases = nb;
      total += nb;
    }
  net->n_outputs = net->layers[arch->n_layers - 1].n_out;
  net->n_params = total;
  /* Refused by its size, with both sizes said, rather than granted by an overcommitting kernel
   * and killed half-way through training (784,65536,65536,10 is 16 GiB of parameters). */
  {
    char layers[128], what[160];

    bp_arch_format_sizes (arch, '-', layers, sizeof layers);
    snprintf (what, sizeof what, "a %s network", layers);
    if (!bp_memory_check ((uint64_t) total * sizeof (float), what, error))
      {
        free (net);
        return NULL;
      }
  }
  net->params = aligned_calloc (total);
  if (net->params == NULL)
    goto nomem;

  return net;

nomem:
  free (net);
  bp_error_set (error, BP_ERROR_NOMEM, "not enough memory for a network of that size");
  return NULL;
}

BpNetwork *
bp_network_new_dense (const size_t *sizes,
                      size_t        n_sizes,
                      BpActivation  activation,
                      BpOutput      output,
                      BpCost        cost,
                      BpError      *error)
{
  BpArch arch;

  if (!bp_arch_from_sizes (&arch, sizes, n_sizes, activation, output, cost, error))
    return NULL;
  return bp_network_new (&arch, error);
}

BpNetwork *
bp_network_copy (const BpNetwork *net)
{
  BpNetwork *copy;

  assert (net != NULL);
  copy = malloc (sizeof *copy);
  if (copy == NULL)
    return NULL;
  *copy = *net;
  copy->params = aligned_calloc (net->n_params);
  if (copy->params == NULL)
    {
      free (copy);
      return NULL;
    }
  memcpy (copy->params, net->params, net->n_params * sizeof (float));
  return copy;
}

void
bp_network_free (BpNetwork *net)
{
  if (net == NULL)
    return;
  free (net->params);
  free (net);
}

bool
bp_network_same_shape (const BpNetwork *a,
                       const BpNetwork *b)
{
  return bp_arch_equal (&a->arch, &b->arch);
}

void
bp_network_init (BpNetwork *net,
                 BpInit     init,
                 BpRng     *rng)
{
  size_t L = net->arch.n_layers;

  for (size_t i = 0; i < L; i++)
    {
      const BpLayer *layer = &net->layers[i];
      const BpLayerSpec *spec = &net->arch.layers[i];
      size_t n_w = layer->n_weights;
      size_t n_b = layer->n_biases;
      /* A weight's fan-in: all inputs for a dense layer, a k×k window of every channel for a
       * conv layer. */
      size_t fan_in = spec->kind == BP_LAYER_CONV ? layer->in_c * spec->kernel * spec->kernel
                                                  : layer->n_in;
      float *w = net->params + layer->w_offset;
      float *b = net->params + layer->b_offset;
      bool relu_layer = spec->activation == BP_ACTIVATION_RELU && i + 1 < L;
      double w_std = 1.0;
      double b_std = 1.0;

      if (spec->kind == BP_LAYER_POOL)
        continue;
      if (init == BP_INIT_DEFAULT)
        {
          /* network2.py's default_weight_initializer; He et al.'s √(2/n_in) for ReLU layers,
           * whose biases start at zero so that no neuron starts dead or saturated. */
          w_std = relu_layer ? sqrt (2.0 / (double) fan_in) : 1.0 / sqrt ((double) fan_in);
          b_std = relu_layer ? 0.0 : 1.0;
        }
      else if (init == BP_INIT_NETWORK3)
        {
          /* network3.py: N(0, √(1/n_out)) with n_out as its layers compute it, a ConvPoolLayer's
           * being filters·k²/(pool area); its SoftmaxLayer starts at zero. */
          double n_out = (double) layer->n_out;

          if (i + 1 == L)
            {
              memset (w, 0, n_w * sizeof (float));
              memset (b, 0, n_b * sizeof (float));
              continue;
            }
          if (spec->kind == BP_LAYER_CONV)
            {
              double pool = i + 1 < L && net->arch.layers[i + 1].kind == BP_LAYER_POOL
                              ? (double) net->arch.layers[i + 1].kernel : 1.0;

              n_out = (double) (layer->out_c * spec->kernel * spec->kernel) / (pool * pool);
            }
          w_std = sqrt (1.0 / n_out);
        }

      for (size_t k = 0; k < n_w; k++)
        w[k] = (float) (w_std * bp_rng_gaussian (rng));
      for (size_t j = 0; j < n_b; j++)
        b[j] = b_std > 0.0 ? (float) (b_std * bp_rng_gaussian (rng)) : 0.0f;
    }
}

bool
bp_network_is_finite (const BpNetwork *net)
{
  /* Summing 0·x over the buffer is NaN exactly when some x is NaN or ∞, and vectorises. */
  float acc = 0.0f;

  for (size_t i = 0; i < net->n_params; i++)
    acc += 0.0f * net->params[i];
  return acc == 0.0f;
}

/* The probability of dropping each input of layer @i in training, given the live setting. A
 * layer with live dropout takes it when its input is a hidden layer (network2-style dropout of
 * hidden neurons), never on the network's input. */
static inline float
input_dropout (const BpNetwork *net,
               size_t           i,
               float            live)
{
  float p = net->arch.layers[i].dropout;

  if (p == BP_DROPOUT_LIVE)
    return i > 0 ? live : 0.0f;
  return p;
}

/* Whether layer @i may drop its inputs in training: a fixed dropout above 0, or the live one on
 * a layer after the first. */
static bool
may_drop (const BpNetwork *net,
          size_t           i)
{
  float p = net->arch.layers[i].dropout;

  return p == BP_DROPOUT_LIVE ? i > 0 : p > 0.0f;
}

/* Multiply-adds ×2 of one example's training step: forward, deltas and gradients. */
static double
flops_per_example (const BpNetwork *net)
{
  double total = 0.0;

  for (size_t i = 0; i < net->arch.n_layers; i++)
    {
      const BpLayer *layer = &net->layers[i];
      double macs = 0.0;

      if (net->arch.layers[i].kind == BP_LAYER_DENSE)
        macs = (double) layer->n_weights;
      else if (net->arch.layers[i].kind == BP_LAYER_CONV)
        macs = (double) layer->n_weights * (double) (layer->out_h * layer->out_w);
      total += 2.0 * macs * (i > 0 ? 3.0 : 2.0);
    }
  return total;
}

double
bp_network_train_flops (const BpNetwork *net)
{
  return flops_per_example (net);
}

/* ── Workspace ─────────────────────────────────────────────────────────────────────────────── */

BpWorkspace *
bp_workspace_new (const BpNetwork *net,
                  size_t           max_batch,
                  BpError         *error)
{
  BpWorkspace *ws;
  size_t total = 0;
  size_t L = net->arch.n_layers;
  bool drops_input = input_dropout (net, 0, 0.0f) > 0.0f;
  float *p;

  if (max_batch == 0 || max_batch > 1000000)
    {
      bp_error_set (error, BP_ERROR_INVALID, "mini-batch size %zu is out of range", max_batch);
      return NULL;
    }

  for (size_t i = 0; i < L; i++)
    {
      size_t n = pad16 (max_batch * net->layers[i].n_out);
      total += 3 * n; /* act, deriv, delta */
    }
  total += pad16 (max_batch * net->n_outputs);
  if (drops_input)
    total += pad16 (max_batch * net->n_inputs);
  total += pad16 (net->n_params);
  total += pad16 (bp_network_conv_scratch_size (net));
  for (size_t i = 0; i < L; i++)
    if (may_drop (net, i))
      total += pad16 (max_batch * net->layers[i].n_in);

  ws = calloc (1, sizeof *ws);
  if (ws == NULL)
    goto nomem;
  ws->block = aligned_calloc (total);
  if (ws->block == NULL)
    goto nomem;

  ws->max_batch = max_batch;
  ws->n_layers = L;
  ws->fast = bp_kernel_table (BP_KERNEL_FAST);
  p = ws->block;
  for (size_t i = 0; i < L; i++)
    {
      size_t n = pad16 (max_batch * net->layers[i].n_out);

      ws->act[i] = p;
      p += n;
      ws->deriv[i] = p;
      p += n;
      ws->delta[i] = p;
      p += n;
    }
  ws->out_z = p;
  p += pad16 (max_batch * net->n_outputs);
  if (drops_input)
    {
      ws->x_drop = p;
      p += pad16 (max_batch * net->n_inputs);
    }
  ws->grad = p;
  p += pad16 (net->n_params);
  if (bp_network_conv_scratch_size (net) > 0)
    ws->conv_scratch = p;
  p += pad16 (bp_network_conv_scratch_size (net));
  for (size_t i = 0; i < L; i++)
    if (may_drop (net, i))
      {
        ws->mask[i] = p;
        p += pad16 (max_batch * net->layers[i].n_in);
      }
  ws->n_threads = 1;
  ws->flops_per_example = flops_per_example (net);

  return ws;

nomem:
  free (ws);
  bp_error_set (error, BP_ERROR_NOMEM, "not enough memory for mini-batches of %zu", max_batch);
  return NULL;
}

void
bp_workspace_free (BpWorkspace *ws)
{
  if (ws == NULL)
    return;
  bp_pool_free (ws->pool);
  free (ws->thread_scratch);
  free (ws->thread_block);
  free (ws->pre_block);
  free (ws->block);
  free (ws);
}

bool
bp_workspace_set_threads (BpWorkspace     *ws,
                          const BpNetwork *net,
                          size_t           n_threads,
                          BpError         *error)
{
  size_t per = pad16 (bp_step_scratch_size (net, n_threads, ws->max_batch));
  BpPool *pool = NULL;
  float **scratch = NULL;
  float *block = NULL;

  if (n_threads < 1 || n_threads > BP_POOL_MAX_THREADS)
    return bp_error_set (error, BP_ERROR_INVALID, "%zu threads: use 1 to %d", n_threads,
                         BP_POOL_MAX_THREADS);
  if (n_threads > 1)
    {
      scratch = calloc (n_threads, sizeof *scratch);
      block = per > 0 ? aligned_calloc (n_threads * per) : NULL;
      if (scratch == NULL || (per > 0 && block == NULL))
        {
          free (scratch);
          free (block);
          return bp_error_set (error, BP_ERROR_NOMEM, "not enough memory for %zu threads",
                               n_threads);
        }
      pool = bp_pool_new (n_threads, error);
      if (pool == NULL)
        {
          free (scratch);
          free (block);
          return false;
        }
      for (size_t t = 0; t < n_threads; t++)
        scratch[t] = per > 0 ? block + t * per : NULL;
    }
  bp_pool_free (ws->pool);
  free (ws->thread_scratch);
  free (ws->thread_block);
  ws->pool = pool;
  ws->thread_scratch = scratch;
  ws->thread_block = block;
  ws->n_threads = n_threads;
  return true;
}

size_t
bp_workspace_get_threads (const BpWorkspace *ws)
{
  return ws->n_threads;
}

size_t
bp_workspace_max_batch (const BpWorkspace *ws)
{
  return ws->max_batch;
}

float *
bp_workspace_gradient (BpWorkspace *ws)
{
  return ws->grad;
}

/* ── Activations ───────────────────────────────────────────────────────────────────────────── */

/* eˣ in float, written so that GCC vectorises loops calling it (libm's expf does not vectorise
 * without -ffast-math) and so that every machine computes the same bits: Cody–Waite range
 * reduction and Cephes' degree-6 polynomial, relative error under 2·10⁻⁷. Inputs are clamped to
 * the finite range; NaN goes through as NaN, which is how divergence is detected. */
static inline float
exp_approx (float x)
{
  const float round_magic = 12582912.0f; /* 1.5·2²³: adding it rounds to an integer */
  float n, r, p, xc;
  uint32_t bits;
  float scale;

  /* NaN is computed as 0 (so the integer conversion below stays defined) and put back at the
   * end; both selects vectorise as blends. */
  xc = x == x ? x : 0.0f;
  xc = xc < -87.0f ? -87.0f : xc;
  xc = xc > 88.0f ? 88.0f : xc;
  n = (xc * 1.44269504088896341f + round_magic) - round_magic;
  r = xc - n * 0.693359375f;
  r = r + n * 2.12194440e-4f;
  p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  bits = (uint32_t) ((int32_t) n + 127) << 23;
  memcpy (&scale, &bits, sizeof scale);
  return x == x ? p * scale : x;
}

static inline float
sigmoidf (float z)
{
  return 1.0f / (1.0f + exp_approx (-z));
}

static inline float
tanh_approx (float z)
{
  /* tanh z = 1 − 2/(e^{2z} + 1), exact at the clamp limits, vectorisable. */
  return 1.0f - 2.0f / (exp_approx (2.0f * z) + 1.0f);
}

/* a = f(z) in place over n values; when @deriv is not NULL also f′(z) (from a). */
BP_TARGET_CLONES static void
activate (BpActivation activation,
          float       *a,
          float       *deriv,
          size_t       n)
{
  switch (activation)
    {
    case BP_ACTIVATION_SIGMOID:
      for (size_t i = 0; i < n; i++)
        a[i] = sigmoidf (a[i]);
      if (deriv != NULL)
        for (size_t i = 0; i < n; i++)
          deriv[i] = a[i] * (1.0f - a[i]);
      break;

    case BP_ACTIVATION_TANH:
      for (size_t i = 0; i < n; i++)
        a[i] = tanh_approx (a[i]);
      if (deriv != NULL)
        for (size_t i = 0; i < n; i++)
          deriv[i] = 1.0f - a[i] * a[i];
      break;

    case BP_ACTIVATION_RELU:
      for (size_t i = 0; i < n; i++)
        a[i] = a[i] > 0.0f ? a[i] : 0.0f;
      if (deriv != NULL)
        for (size_t i = 0; i < n; i++)
          deriv[i] = a[i] > 0.0f ? 1.0f : 0.0f;
      break;

    default:
      assert (!"unknown activation");
    }
}

/* Output layer: keep z in @z, turn @a (holding z) into the output activations. */
static void
activate_output (BpOutput output,
                 float   *a,
                 float   *z,
                 size_t   batch,
                 size_t   n)
{
  if (z != NULL)
    memcpy (z, a, batch * n * sizeof (float));

  if (output == BP_OUTPUT_SIGMOID)
    {
      for (size_t i = 0; i < batch * n; i++)
        a[i] = sigmoidf (a[i]);
      return;
    }

  /* Softmax, shifted by the row maximum so that exp never overflows. */
  for (size_t r = 0; r < batch; r++)
    {
      float *row = a + r * n;
      float max = row[0];
      float sum = 0.0f;

      for (size_t j = 1; j < n; j++)
        max = row[j] > max ? row[j] : max;
      for (size_t j = 0; j < n; j++)
        row[j] = exp_approx (row[j] - max);
      for (size_t j = 0; j < n; j++)
        sum += row[j];
      for (size_t j = 0; j < n; j++)
        row[j] /= sum;
    }
}

/* ── Layers of every kind ──────────────────────────────────────────────────────────────────── */

/* A hidden layer's f over n values of @a in place, and f′ into @deriv (may be NULL); a pool
 * layer has none: f′ = 1. */
static void
layer_activate (const BpNetwork *net,
                size_t           i,
                float           *a,
                float           *deriv,
                size_t           n)
{
  if (net->arch.layers[i].kind == BP_LAYER_POOL)
    {
      if (deriv != NULL)
        for (size_t j = 0; j < n; j++)
          deriv[j] = 1.0f;
      return;
    }
  activate (net->arch.layers[i].activation, a, deriv, n);
}

/* f′ of hidden layer @i from its activations @a, n values. */
static void
layer_derivative (const BpNetwork *net,
                  size_t           i,
                  const float     *a,
                  float           *deriv,
                  size_t           n)
{
  if (net->arch.layers[i].kind == BP_LAYER_POOL)
    {
      for (size_t j = 0; j < n; j++)
        deriv[j] = 1.0f;
      return;
    }
  bp_activation_derivative (net->arch.layers[i].activation, a, deriv, n);
}

void
bp_network_layer_backward_input (const BpNetwork *net,
                                 size_t           i,
                                 float           *d_in,
                                 const float     *d_out,
                                 const float     *in)
{
  assert (i < net->arch.n_layers);
  bp_layer_backward_input (net, i, d_in, d_out, in, 1, NULL, NULL);
}

void
bp_network_layer_derivative (const BpNetwork *net,
                             size_t           i,
                             const float     *a,
                             float           *deriv)
{
  assert (i < net->arch.n_layers);
  layer_derivative (net, i, a, deriv, net->layers[i].n_out);
}

/* ── Forward ───────────────────────────────────────────────────────────────────────────────── */

/* Draw this mini-batch's dropout masks, layer after layer, each (B, n_in) in order: keep each
 * input with probability q = 1 − p and scale it by 1/q (inverted dropout), so that nothing needs
 * rescaling at test time. The same draws, in the same order, whatever the threads. */
void
bp_network_draw_masks (const BpNetwork *net,
            BpWorkspace     *ws,
            size_t           batch,
            bool             training,
            float            dropout,
            BpRng           *rng)
{
  for (size_t i = 0; i < net->arch.n_layers; i++)
    {
      float p = training ? input_dropout (net, i, dropout) : 0.0f;
      float q = 1.0f - p;
      float keep_scale = 1.0f / q;
      size_t n = batch * net->layers[i].n_in;
      float *m = ws->mask[i];

      ws->drop_p[i] = p;
      if (p <= 0.0f)
        continue;
      assert (rng != NULL && m != NULL);
      bp_rng_uniform_floats (rng, m, n);
      for (size_t j = 0; j < n; j++)
        m[j] = m[j] < q ? keep_scale : 0.0f;
    }
}

/* Hidden layer @i's f over entries [j0, j1) of examples [r0, r1) of its act, f′ into its deriv
 * when @training, then the next layer's dropout mask on both, in place, right after they are
 * computed. Every value on its own: any share of the entries gives the same numbers. */
void
bp_network_activate_rows (const BpNetwork *net,
                          BpWorkspace     *ws,
                          size_t           i,
                          size_t           r0,
                          size_t           r1,
                          size_t           j0,
                          size_t           j1,
                          bool             training)
{
  size_t n_out = net->layers[i].n_out;
  bool whole = j0 == 0 && j1 == n_out; /* then one run of (r1 − r0)·n_out values */
  size_t n = whole ? (r1 - r0) * n_out : j1 - j0;

  for (size_t r = r0; r < (whole ? r0 + 1 : r1); r++)
    {
      float *a = ws->act[i] + r * n_out + j0;
      float *deriv = training ? ws->deriv[i] + r * n_out + j0 : NULL;

      layer_activate (net, i, a, deriv, n);
      if (training && ws->drop_p[i + 1] > 0.0f)
        {
          const float *m = ws->mask[i + 1] + r * n_out + j0;

          for (size_t j = 0; j < n; j++)
            {
              a[j] *= m[j];
              deriv[j] *= m[j];
            }
        }
    }
}

/* Examples [r0, r1) of the mini-batch through layers [i0, i1) (from act[i0 − 1], or the input),
 * with the masks draw_masks() drew when @training (deriv gets f′ with the mask folded in). Each
 * example's numbers do not depend on which others share the call: the kernels compute every row
 * on its own. */
void
bp_network_forward_rows (const BpNetwork     *net,
                         BpWorkspace         *ws,
                         const float         *x,
                         size_t               r0,
                         size_t               r1,
                         size_t               i0,
                         size_t               i1,
                         bool                 training,
                         const BpKernelTable *k,
                         float               *scratch)
{
  size_t L = net->arch.n_layers;
  size_t rows = r1 - r0;
  const float *in = i0 > 0 ? ws->act[i0 - 1] + r0 * net->layers[i0].n_in
                           : x + r0 * net->n_inputs;

  /* A dropout on the first layer drops pixels of the input, into a copy. */
  if (i0 == 0 && training && ws->drop_p[0] > 0.0f)
    {
      const float *m = ws->mask[0] + r0 * net->n_inputs;
      float *xd = ws->x_drop + r0 * net->n_inputs;

      for (size_t j = 0; j < rows * net->n_inputs; j++)
        xd[j] = in[j] * m[j];
      in = xd;
    }

  for (size_t i = i0; i < i1; i++)
    {
      size_t n_out = net->layers[i].n_out;
      float *a = ws->act[i] + r0 * n_out;

      bp_layer_forward (net, i, k, a, in, rows, scratch);
      if (i + 1 < L)
        bp_network_activate_rows (net, ws, i, r0, r1, 0, n_out, training);
      else
        activate_output (net->arch.output, a, ws->out_z + r0 * n_out, rows, n_out);
      in = a;
    }
}

static const float *
forward (const BpNetwork *net,
         BpWorkspace     *ws,
         const float     *x,
         size_t           batch,
         bool             training,
         float            dropout,
         BpRng           *rng,
         BpKernel         kernel)
{
  const BpKernelTable *k = kernel == BP_KERNEL_NAIVE ? bp_kernel_table (kernel) : ws->fast;
  size_t L = net->arch.n_layers;

  assert (batch >= 1 && batch <= ws->max_batch);
  assert (ws->n_layers == L);

  bp_network_draw_masks (net, ws, batch, training, dropout, rng);
  bp_network_forward_rows (net, ws, x, 0, batch, 0, L, training, k,
                kernel == BP_KERNEL_NAIVE ? NULL : ws->conv_scratch);
  ws->input_dropped = training && ws->drop_p[0] > 0.0f;
  ws->has_deriv = training;
  ws->last_batch = batch;
  return ws->act[L - 1];
}

const float *
bp_network_forward (const BpNetwork *net,
                    BpWorkspace     *ws,
                    const float     *x,
                    size_t           batch,
                    BpKernel         kernel)
{
  return forward (net, ws, x, batch, false, 0.0f, NULL, kernel);
}

const float *
bp_network_forward_train (const BpNetwork *net,
                          BpWorkspace     *ws,
                          const float     *x,
                          size_t           batch,
                          float            dropout,
                          BpRng           *rng,
                          BpKernel         kernel)
{
  assert (dropout >= 0.0f && dropout < 1.0f);
  return forward (net, ws, x, batch, true, dropout, rng, kernel);
}

/* ── Cost ──────────────────────────────────────────────────────────────────────────────────── */

double
bp_network_batch_cost (const BpNetwork   *net,
                       const BpWorkspace *ws,
                       const uint8_t     *labels,
                       size_t             batch)
{
  size_t n = net->n_outputs;
  const float *a = ws->act[net->arch.n_layers - 1];
  const float *z = ws->out_z;
  double total = 0.0;

  assert (batch <= ws->last_batch);

  for (size_t r = 0; r < batch; r++)
    total += bp_cost_example (net->arch.cost, a + r * n, z + r * n, labels[r], n);

  return total;
}

size_t
bp_network_batch_correct (const BpNetwork   *net,
                          const BpWorkspace *ws,
                          const uint8_t     *labels,
                          size_t             batch,
                          uint8_t           *predicted)
{
  size_t n = net->n_outputs;
  const float *a = ws->act[net->arch.n_layers - 1];
  size_t correct = 0;

  for (size_t r = 0; r < batch; r++)
    {
      const float *ar = a + r * n;
      size_t best = 0;

      for (size_t j = 1; j < n; j++)
        if (ar[j] > ar[best])
          best = j;
      if (predicted != NULL)
        predicted[r] = (uint8_t) (best < 255 ? best : 255);
      correct += best == labels[r];
    }
  return correct;
}

/* ── Backward ──────────────────────────────────────────────────────────────────────────────── */

/* All deltas, output to first hidden layer, from every layer's activations @act[i] (B, n_out):
 * δ_L by the cost (BP1), then δ_{i−1} = (δ_i · W_i) ⊙ f′_{i−1} (BP2). @deriv[i] holds f′ of
 * hidden layer i when @have_deriv (the training forward wrote it, dropout masks folded in);
 * otherwise it is computed here from the activations. @labels NULL: δ_L is already in
 * @delta[L − 1]. Only layers i_top down to i_stop + 1 send their δ down (L − 1 and 0: all of
 * them). The mini-batch backward and the single-example one (bp_network_backward_layers())
 * are both this function. */
void
bp_network_deltas (const BpNetwork     *net,
                   const float *const  *act,
                   float *const        *deriv,
                   bool                 have_deriv,
                   float *const        *delta,
                   const uint8_t       *labels,
                   size_t               batch,
                   size_t               i_top,
                   size_t               i_stop,
                   const BpKernelTable *k,
                   float               *scratch)
{
  size_t L = net->arch.n_layers;
  size_t n = net->n_outputs;

  if (labels != NULL)
    for (size_t r = 0; r < batch; r++)
      bp_cost_output_delta (net->arch.cost, act[L - 1] + r * n, labels[r], delta[L - 1] + r * n,
                            n);

  for (size_t i = i_top; i > i_stop; i--)
    {
      size_t n_prev = net->layers[i - 1].n_out;
      float *d_prev = delta[i - 1];
      const float *f;

      bp_layer_backward_input (net, i, d_prev, delta[i], act[i - 1], batch, k, scratch);
      if (!have_deriv)
        layer_derivative (net, i - 1, act[i - 1], deriv[i - 1], batch * n_prev);
      f = deriv[i - 1];
      for (size_t j = 0; j < batch * n_prev; j++)
        d_prev[j] *= f[j];
    }
}

static void
backward_deltas (const BpNetwork *net,
                 BpWorkspace     *ws,
                 const uint8_t   *labels,
                 size_t           batch,
                 BpKernel         kernel)
{
  bp_network_deltas (net, (const float *const *) ws->act, ws->deriv, ws->has_deriv, ws->delta,
                     labels, batch, net->arch.n_layers - 1, 0,
                     kernel == BP_KERNEL_NAIVE ? bp_kernel_table (kernel) : ws->fast,
                     kernel == BP_KERNEL_NAIVE ? NULL : ws->conv_scratch);
}


void
bp_network_backward (const BpNetwork *net,
                     BpWorkspace     *ws,
                     const float     *x,
                     const uint8_t   *labels,
                     size_t           batch,
                     float           *grad,
                     BpKernel         kernel)
{
  size_t L = net->arch.n_layers;

  float *scratch = kernel == BP_KERNEL_NAIVE ? NULL : ws->conv_scratch;

  assert (batch == ws->last_batch);

  backward_deltas (net, ws, labels, batch, kernel);
  for (size_t i = 0; i < L; i++)
    {
      const float *in = i == 0 ? first_input (ws, x) : ws->act[i - 1];

      bp_layer_gradient (net, i, grad, ws->delta[i], in, batch, ws->fast, scratch);
    }
}

void
bp_network_backward_biases (const BpNetwork *net,
                            BpWorkspace     *ws,
                            const uint8_t   *labels,
                            size_t           batch,
                            float           *grad)
{
  assert (batch == ws->last_batch);

  backward_deltas (net, ws, labels, batch, BP_KERNEL_FAST);
  for (size_t i = 0; i < net->arch.n_layers; i++)
    {
      size_t n_out = net->layers[i].n_out;
      size_t n_b = net->layers[i].n_biases;
      size_t q = n_b > 0 ? n_out / n_b : 0; /* values per bias: 1, or a conv map's H·W */
      const float *d = ws->delta[i];
      float *db = grad + net->layers[i].b_offset;

      /* ∇b = Σ_B δ, summed in the order bp_linear_gradient_naive() and
       * bp_conv_gradient_naive() sum it. */
      for (size_t j = 0; j < n_b; j++)
        {
          float g = 0.0f;

          for (size_t r = 0; r < batch; r++)
            for (size_t t = 0; t < q; t++)
              g += d[r * n_out + j * q + t];
          db[j] = g;
        }
    }
}

void
bp_network_backward_layers (const BpNetwork    *net,
                            const float        *x,
                            const float *const *a,
                            size_t              label,
                            float *const       *deriv,
                            float *const       *delta,
                            float              *grad)
{
  size_t L = net->arch.n_layers;

  assert (label < net->n_outputs);

  bp_cost_output_delta (net->arch.cost, a[L - 1], label, delta[L - 1], net->n_outputs);
  bp_network_deltas (net, a, deriv, false, delta, NULL, 1, L - 1, 0, NULL, NULL);
  /* The output layer's f′, which BP1 folds into δ_L for the quadratic cost: σ′(z_L), or for a
   * softmax the diagonal of its Jacobian, ∂a_j/∂z_j = a_j(1 − a_j), the same expression. */
  bp_activation_derivative (BP_ACTIVATION_SIGMOID, a[L - 1], deriv[L - 1], net->n_outputs);
  for (size_t i = 0; i < L; i++)
    bp_layer_gradient (net, i, grad, delta[i], i == 0 ? x : a[i - 1], 1, NULL, NULL);
}

/* ── SGD ───────────────────────────────────────────────────────────────────────────────────── */

float
bp_hyper_l2_lambda (const BpHyperparams *hyper,
                    size_t               n_train)
{
  size_t n = n_train > 0 ? n_train : 1;
  size_t m = hyper->batch_size > 0 ? hyper->batch_size : 1;
  size_t batches = n / m > 0 ? n / m : 1;

  if (hyper->l2_form != BP_L2_NETWORK3)
    return hyper->lambda_l2;
  return (float) ((double) hyper->lambda_l2 * (double) n / (double) batches);
}

/* The one place where the hyperparameters become the update's factors: η/m, ηλ₂/n, ηλ₁/n, μ. */
void
bp_network_fill_update (const BpNetwork     *net,
             size_t               i,
             size_t               batch,
             const BpHyperparams *hyper,
             size_t               n_train,
             float               *velocity,
             BpUpdate            *u)
{
  float n = (float) (n_train > 0 ? n_train : 1);

  u->scale = hyper->eta / (float) batch;
  u->decay = hyper->eta * bp_hyper_l2_lambda (hyper, n_train) / n;
  u->l1 = hyper->eta * hyper->lambda_l1 / n;
  u->momentum = hyper->momentum;
  u->vw = velocity != NULL ? velocity + net->layers[i].w_offset : NULL;
  u->vb = velocity != NULL ? velocity + net->layers[i].b_offset : NULL;
}

void
bp_sgd_apply (BpNetwork           *net,
              const float         *grad,
              float               *velocity,
              size_t               batch,
              const BpHyperparams *hyper,
              size_t               n_train)
{
  for (size_t i = 0; i < net->arch.n_layers; i++)
    {
      const BpLayer *layer = &net->layers[i];
      size_t wo = layer->w_offset;
      size_t bo = layer->b_offset;
      BpUpdate u;

      bp_network_fill_update (net, i, batch, hyper, n_train, velocity, &u);
      bp_update_flat (net->params + wo, grad + wo, u.vw, layer->n_weights, u.scale, u.decay, u.l1,
                      u.momentum);
      bp_update_flat (net->params + bo, grad + bo, u.vb, layer->n_biases, u.scale, 0.0f, 0.0f,
                      u.momentum);
    }
}

double
bp_network_train_batch (BpNetwork           *net,
                        BpWorkspace         *ws,
                        const float         *x,
                        const uint8_t       *labels,
                        size_t               batch,
                        const BpHyperparams *hyper,
                        size_t               n_train,
                        float               *velocity,
                        BpRng               *dropout_rng,
                        bool                 want_cost,
                        BpKernel             kernel)
{
  const float *z = ws->out_z;
  size_t n_z = batch * net->n_outputs;
  double cost = 0.0;
  float probe = 0.0f;

  if (kernel != BP_KERNEL_NAIVE)
    return bp_network_train_batch_fast (net, ws, x, labels, batch, hyper, n_train, velocity, dropout_rng,
                             want_cost);

  forward (net, ws, x, batch, true, hyper->dropout, dropout_rng, kernel);

  /* 0·z sums to NaN exactly when some output pre-activation is NaN or infinite. */
  for (size_t i = 0; i < n_z; i++)
    probe += 0.0f * z[i];
  if (probe != 0.0f)
    return NAN;
  if (want_cost)
    cost = bp_network_batch_cost (net, ws, labels, batch);

  bp_network_backward (net, ws, x, labels, batch, ws->grad, kernel);
  bp_sgd_apply (net, ws->grad, velocity, batch, hyper, n_train);
  return cost;
}

/* ── Single examples ───────────────────────────────────────────────────────────────────────── */

/* The widest layer, the input included. */
static size_t
max_width (const BpNetwork *net)
{
  size_t max = net->n_inputs;

  for (size_t i = 0; i < net->arch.n_layers; i++)
    max = net->layers[i].n_out > max ? net->layers[i].n_out : max;
  return max;
}

size_t
bp_network_scratch_size (const BpNetwork *net)
{
  return 2 * max_width (net) + net->n_outputs;
}

void
bp_network_forward_layers (const BpNetwork *net,
                           const float     *x,
                           float *const    *z,
                           float *const    *a)
{
  size_t L = net->arch.n_layers;
  const float *in = x;

  for (size_t i = 0; i < L; i++)
    {
      size_t n_out = net->layers[i].n_out;
      float *zi = z != NULL ? z[i] : NULL;
      float *ai = a[i];

      assert (ai != in);
      if (net->arch.layers[i].kind == BP_LAYER_DENSE)
        {
          const BpLayer *layer = &net->layers[i];
          size_t n_in = layer->n_in;
          const float *w = net->params + layer->w_offset;
          const float *b = net->params + layer->b_offset;

          for (size_t j = 0; j < n_out; j++)
            {
              float s = 0.0f;

              for (size_t k = 0; k < n_in; k++)
                s += w[j * n_in + k] * in[k];
              ai[j] = s + b[j];
            }
        }
      else
        bp_layer_forward (net, i, NULL, ai, in, 1, NULL);
      if (i + 1 < L)
        {
          if (zi != NULL)
            memcpy (zi, ai, n_out * sizeof (float));
          layer_activate (net, i, ai, NULL, n_out);
        }
      else
        activate_output (net->arch.output, ai, zi, 1, n_out);
      in = ai;
    }
}

void
bp_network_predict (const BpNetwork *net,
                    const float     *x,
                    float           *out,
                    float           *scratch)
{
  size_t L = net->arch.n_layers;
  size_t max = max_width (net);
  float *a[BP_MAX_LAYERS];

  /* Two buffers taking turns: each layer reads the one the layer before it wrote. */
  for (size_t i = 0; i < L; i++)
    a[i] = scratch + (i & 1) * max;
  bp_network_forward_layers (net, x, NULL, a);
  memcpy (out, a[L - 1], net->n_outputs * sizeof (float));
}
