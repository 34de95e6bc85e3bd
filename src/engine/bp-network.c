/* bp-network.c — parameters in one buffer; matrix-form forward and backward over a mini-batch
 * SPDX-License-Identifier: GPL-3.0-or-later
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

struct _BpWorkspace
{
  size_t max_batch;
  size_t n_layers;
  size_t sizes[BP_MAX_LAYERS];

  /* act[l] (B, sizes[l]) for l ≥ 1: activations after dropout (the next layer's input).
   * deriv[l] (B, sizes[l]) for hidden l: f′(z)·mask, written by the training forward.
   * delta[l] (B, sizes[l]) for l ≥ 1: ∂C/∂z. out_z (B, sizes[L−1]): output pre-activations. */
  float *act[BP_MAX_LAYERS];
  float *deriv[BP_MAX_LAYERS];
  float *delta[BP_MAX_LAYERS];
  float *out_z;
  float *grad;     /* (n_params) */
  bool   has_deriv;
  size_t last_batch;

  /* The fast kernels, picked once for this CPU rather than on every call. */
  const BpKernelTable *fast;

  float *block;    /* one allocation behind all of the above */
};

/* ── Names ─────────────────────────────────────────────────────────────────────────────────── */

static const char *const activation_names[] = { "sigmoid", "tanh", "relu" };
static const char *const output_names[] = { "sigmoid", "softmax" };
static const char *const cost_names[] = { "quadratic", "cross-entropy", "log-likelihood" };
static const char *const init_names[] = { "default", "large" };

static bool
lookup_name (const char *const *names,
             size_t             n_names,
             const char        *s,
             int               *out)
{
  if (s == NULL)
    return false;
  for (size_t i = 0; i < n_names; i++)
    if (strcmp (names[i], s) == 0)
      {
        *out = (int) i;
        return true;
      }
  return false;
}

#define N_ELEMENTS(a) (sizeof (a) / sizeof (a)[0])

const char *
bp_activation_to_string (BpActivation activation)
{
  return (size_t) activation < N_ELEMENTS (activation_names) ? activation_names[activation] : "?";
}

bool
bp_activation_from_string (const char   *s,
                           BpActivation *out)
{
  int v;

  if (!lookup_name (activation_names, N_ELEMENTS (activation_names), s, &v))
    return false;
  *out = (BpActivation) v;
  return true;
}

const char *
bp_output_to_string (BpOutput output)
{
  return (size_t) output < N_ELEMENTS (output_names) ? output_names[output] : "?";
}

bool
bp_output_from_string (const char *s,
                       BpOutput   *out)
{
  int v;

  if (!lookup_name (output_names, N_ELEMENTS (output_names), s, &v))
    return false;
  *out = (BpOutput) v;
  return true;
}

const char *
bp_cost_to_string (BpCost cost)
{
  return (size_t) cost < N_ELEMENTS (cost_names) ? cost_names[cost] : "?";
}

bool
bp_cost_from_string (const char *s,
                     BpCost     *out)
{
  int v;

  if (!lookup_name (cost_names, N_ELEMENTS (cost_names), s, &v))
    return false;
  *out = (BpCost) v;
  return true;
}

const char *
bp_init_to_string (BpInit init)
{
  return (size_t) init < N_ELEMENTS (init_names) ? init_names[init] : "?";
}

bool
bp_init_from_string (const char *s,
                     BpInit     *out)
{
  int v;

  if (!lookup_name (init_names, N_ELEMENTS (init_names), s, &v))
    return false;
  *out = (BpInit) v;
  return true;
}

bool
bp_cost_check_output (BpCost   cost,
                      BpOutput output,
                      BpError *error)
{
  if (output == BP_OUTPUT_SOFTMAX && cost != BP_COST_LOG_LIKELIHOOD)
    return bp_error_set (error, BP_ERROR_INVALID,
                         "a softmax output layer goes with the log-likelihood cost, not %s",
                         bp_cost_to_string (cost));
  if (output == BP_OUTPUT_SIGMOID && cost == BP_COST_LOG_LIKELIHOOD)
    return bp_error_set (error, BP_ERROR_INVALID,
                         "the log-likelihood cost needs a softmax output layer");
  if ((unsigned) cost > BP_COST_LOG_LIKELIHOOD || (unsigned) output > BP_OUTPUT_SOFTMAX)
    return bp_error_set (error, BP_ERROR_INVALID, "unknown cost or output layer");
  return true;
}

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
bp_network_new (const size_t *sizes,
                size_t        n_layers,
                BpActivation  activation,
                BpOutput      output,
                BpCost        cost,
                BpError      *error)
{
  BpNetwork *net;
  size_t total = 0;

  if (n_layers < 2 || n_layers > BP_MAX_LAYERS)
    {
      bp_error_set (error, BP_ERROR_INVALID,
                    "a network needs 2 to %d layers (input and output included), not %zu",
                    BP_MAX_LAYERS, n_layers);
      return NULL;
    }
  for (size_t l = 0; l < n_layers; l++)
    if (sizes[l] == 0 || sizes[l] > BP_MAX_LAYER_SIZE)
      {
        bp_error_set (error, BP_ERROR_INVALID,
                      "layer %zu has %zu neurons; each layer needs 1 to %d", l, sizes[l],
                      BP_MAX_LAYER_SIZE);
        return NULL;
      }
  if ((unsigned) activation > BP_ACTIVATION_RELU)
    {
      bp_error_set (error, BP_ERROR_INVALID, "unknown activation");
      return NULL;
    }
  if (!bp_cost_check_output (cost, output, error))
    return NULL;
  if (output == BP_OUTPUT_SOFTMAX && sizes[n_layers - 1] < 2)
    {
      bp_error_set (error, BP_ERROR_INVALID, "a softmax output layer needs at least 2 neurons");
      return NULL;
    }

  net = calloc (1, sizeof *net);
  if (net == NULL)
    goto nomem;

  net->n_layers = n_layers;
  memcpy (net->sizes, sizes, n_layers * sizeof sizes[0]);
  net->activation = activation;
  net->output = output;
  net->cost = cost;

  /* Sizes are at most 2^16, so one layer has at most 2^32 + 2^16 parameters: no overflow of
   * size_t on a 64-bit machine; on 32-bit the total is checked below. */
  for (size_t l = 1; l < n_layers; l++)
    {
      size_t nw = sizes[l] * sizes[l - 1];

      if (nw / sizes[l] != sizes[l - 1] || total > SIZE_MAX / 8 - nw)
        goto nomem;
      net->w_offset[l] = total;
      total += nw;
      net->b_offset[l] = total;
      total += sizes[l];
    }
  net->n_params = total;
  /* Refused by its size, with both sizes said, rather than granted by an overcommitting kernel
   * and killed half-way through training (784,65536,65536,10 is 16 GiB of parameters). */
  {
    char layers[128], what[160];

    bp_format_layers (sizes, n_layers, '-', layers, sizeof layers);
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
  if (a->n_layers != b->n_layers || a->activation != b->activation || a->output != b->output
      || a->cost != b->cost)
    return false;
  return memcmp (a->sizes, b->sizes, a->n_layers * sizeof a->sizes[0]) == 0;
}

void
bp_network_init (BpNetwork *net,
                 BpInit     init,
                 BpRng     *rng)
{
  for (size_t l = 1; l < net->n_layers; l++)
    {
      size_t n_in = net->sizes[l - 1];
      size_t n_out = net->sizes[l];
      float *w = net->params + net->w_offset[l];
      float *b = net->params + net->b_offset[l];
      bool relu_layer = net->activation == BP_ACTIVATION_RELU && l + 1 < net->n_layers;
      double w_std = 1.0;
      double b_std = 1.0;

      if (init == BP_INIT_DEFAULT)
        {
          /* network2.py's default_weight_initializer; He et al.'s √(2/n_in) for ReLU layers,
           * whose biases start at zero so that no neuron starts dead or saturated. */
          w_std = relu_layer ? sqrt (2.0 / (double) n_in) : 1.0 / sqrt ((double) n_in);
          b_std = relu_layer ? 0.0 : 1.0;
        }

      for (size_t i = 0; i < n_out * n_in; i++)
        w[i] = (float) (w_std * bp_rng_gaussian (rng));
      for (size_t j = 0; j < n_out; j++)
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

bool
bp_parse_layers (const char *text,
                 size_t     *sizes,
                 size_t     *n_layers,
                 BpError    *error)
{
  const char *p = text;
  size_t n = 0;

  if (text == NULL || *text == '\0')
    return bp_error_set (error, BP_ERROR_INVALID, "empty layer list: expected sizes like 784,30,10");

  for (;;)
    {
      char *end;
      unsigned long long v;

      if (*p < '0' || *p > '9')
        return bp_error_set (error, BP_ERROR_INVALID,
                             "layer list \"%s\": expected a number at \"%s\" (sizes like 784,30,10)",
                             text, p);
      errno = 0;
      v = strtoull (p, &end, 10);
      if (errno != 0 || v == 0 || v > BP_MAX_LAYER_SIZE)
        return bp_error_set (error, BP_ERROR_INVALID,
                             "layer list \"%s\": each size must be between 1 and %d", text,
                             BP_MAX_LAYER_SIZE);
      if (n == BP_MAX_LAYERS)
        return bp_error_set (error, BP_ERROR_INVALID,
                             "layer list \"%s\": at most %d layers", text, BP_MAX_LAYERS);
      sizes[n++] = (size_t) v;
      p = end;
      if (*p == '\0')
        break;
      if (*p != ',' && *p != '-')
        return bp_error_set (error, BP_ERROR_INVALID,
                             "layer list \"%s\": unexpected \"%c\" (sizes like 784,30,10)", text, *p);
      p++;
    }

  if (n < 2)
    return bp_error_set (error, BP_ERROR_INVALID,
                         "layer list \"%s\": at least an input and an output layer are needed", text);
  *n_layers = n;
  return true;
}

void
bp_format_layers (const size_t *sizes,
                  size_t        n_layers,
                  char          separator,
                  char         *buf,
                  size_t        buf_size)
{
  size_t used = 0;

  if (buf_size == 0)
    return;
  buf[0] = '\0';
  for (size_t l = 0; l < n_layers && used < buf_size; l++)
    {
      int n;

      if (l == 0)
        n = snprintf (buf + used, buf_size - used, "%zu", sizes[l]);
      else
        n = snprintf (buf + used, buf_size - used, "%c%zu", separator, sizes[l]);
      if (n < 0)
        return;
      used += (size_t) n;
    }
}

/* ── Workspace ─────────────────────────────────────────────────────────────────────────────── */

BpWorkspace *
bp_workspace_new (const BpNetwork *net,
                  size_t           max_batch,
                  BpError         *error)
{
  BpWorkspace *ws;
  size_t total = 0;
  size_t L = net->n_layers;
  float *p;

  if (max_batch == 0 || max_batch > 1000000)
    {
      bp_error_set (error, BP_ERROR_INVALID, "mini-batch size %zu is out of range", max_batch);
      return NULL;
    }

  for (size_t l = 1; l < L; l++)
    {
      size_t n = pad16 (max_batch * net->sizes[l]);
      total += 3 * n; /* act, deriv, delta */
    }
  total += pad16 (max_batch * net->sizes[L - 1]);
  total += pad16 (net->n_params);

  ws = calloc (1, sizeof *ws);
  if (ws == NULL)
    goto nomem;
  ws->block = aligned_calloc (total);
  if (ws->block == NULL)
    goto nomem;

  ws->max_batch = max_batch;
  ws->n_layers = L;
  ws->fast = bp_kernel_table (BP_KERNEL_FAST);
  memcpy (ws->sizes, net->sizes, sizeof ws->sizes);
  p = ws->block;
  for (size_t l = 1; l < L; l++)
    {
      size_t n = pad16 (max_batch * net->sizes[l]);

      ws->act[l] = p;
      p += n;
      ws->deriv[l] = p;
      p += n;
      ws->delta[l] = p;
      p += n;
    }
  ws->out_z = p;
  p += pad16 (max_batch * net->sizes[L - 1]);
  ws->grad = p;

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
  free (ws->block);
  free (ws);
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

/* ── Forward ───────────────────────────────────────────────────────────────────────────────── */

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
  size_t L = net->n_layers;
  const float *in = x;

  assert (batch >= 1 && batch <= ws->max_batch);
  assert (ws->n_layers == L);

  for (size_t l = 1; l < L; l++)
    {
      size_t n_in = net->sizes[l - 1];
      size_t n_out = net->sizes[l];
      float *a = ws->act[l];

      k->linear_forward (a, in, net->params + net->w_offset[l], net->params + net->b_offset[l],
                         batch, n_in, n_out);

      if (l + 1 < L)
        {
          float *deriv = training ? ws->deriv[l] : NULL;

          activate (net->activation, a, deriv, batch * n_out);

          /* Inverted dropout: keep with probability q = 1 − p and scale by 1/q now, so that
           * nothing needs rescaling at test time. The mask folds into f′ for the backward pass. */
          if (training && dropout > 0.0f)
            {
              float q = 1.0f - dropout;
              float keep_scale = 1.0f / q;

              for (size_t i = 0; i < batch * n_out; i++)
                {
                  float m = bp_rng_uniform_float (rng) < q ? keep_scale : 0.0f;

                  a[i] *= m;
                  deriv[i] *= m;
                }
            }
        }
      else
        activate_output (net->output, a, ws->out_z, batch, n_out);

      in = a;
    }

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
  assert (dropout == 0.0f || rng != NULL);
  return forward (net, ws, x, batch, true, dropout, rng, kernel);
}

/* ── Cost ──────────────────────────────────────────────────────────────────────────────────── */

/* ln(1 + eˣ) without overflow. */
static inline double
softplus (double x)
{
  return x > 0.0 ? x + log1p (exp (-x)) : log1p (exp (x));
}

double
bp_network_batch_cost (const BpNetwork   *net,
                       const BpWorkspace *ws,
                       const uint8_t     *labels,
                       size_t             batch)
{
  size_t n = net->sizes[net->n_layers - 1];
  const float *a = ws->act[net->n_layers - 1];
  const float *z = ws->out_z;
  double total = 0.0;

  assert (batch <= ws->last_batch);

  for (size_t r = 0; r < batch; r++)
    {
      const float *ar = a + r * n;
      const float *zr = z + r * n;
      size_t y = labels[r];

      switch (net->cost)
        {
        case BP_COST_QUADRATIC:
          for (size_t j = 0; j < n; j++)
            {
              double d = (double) ar[j] - (j == y ? 1.0 : 0.0);
              total += 0.5 * d * d;
            }
          break;

        case BP_COST_CROSS_ENTROPY:
          /* −ln σ(z) = softplus(−z) and −ln(1 − σ(z)) = softplus(z): finite where network2.py
           * needs nan_to_num. */
          for (size_t j = 0; j < n; j++)
            total += j == y ? softplus (-(double) zr[j]) : softplus ((double) zr[j]);
          break;

        case BP_COST_LOG_LIKELIHOOD:
          {
            /* −ln softmax(z)_y = logsumexp(z) − z_y */
            double max = zr[0];
            double sum = 0.0;

            for (size_t j = 1; j < n; j++)
              max = zr[j] > max ? zr[j] : max;
            for (size_t j = 0; j < n; j++)
              sum += exp ((double) zr[j] - max);
            total += max + log (sum) - (y < n ? (double) zr[y] : 0.0);
          }
          break;

        default:
          assert (!"unknown cost");
        }
    }

  return total;
}

size_t
bp_network_batch_correct (const BpNetwork   *net,
                          const BpWorkspace *ws,
                          const uint8_t     *labels,
                          size_t             batch,
                          uint8_t           *predicted)
{
  size_t n = net->sizes[net->n_layers - 1];
  const float *a = ws->act[net->n_layers - 1];
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

/* δ of the output layer (B, n) = ∂C/∂z for each example's cost. */
static void
output_delta (const BpNetwork *net,
              BpWorkspace     *ws,
              const uint8_t   *labels,
              size_t           batch)
{
  size_t L = net->n_layers;
  size_t n = net->sizes[L - 1];
  const float *a = ws->act[L - 1];
  float *d = ws->delta[L - 1];

  for (size_t r = 0; r < batch; r++)
    {
      size_t y = labels[r];

      for (size_t j = 0; j < n; j++)
        {
          float ar = a[r * n + j];
          float diff = ar - (j == y ? 1.0f : 0.0f);

          /* Quadratic: (a − y)·σ′(z). Cross-entropy with sigmoid and log-likelihood with
           * softmax both give a − y: the σ′ that slows learning cancels out (chapter 3). */
          d[r * n + j] = net->cost == BP_COST_QUADRATIC ? diff * ar * (1.0f - ar) : diff;
        }
    }
}

/* f′ of hidden layer @l when the last forward did not record it (inference forward: no dropout,
 * so f′ follows from the activations alone). */
static void
ensure_deriv (const BpNetwork *net,
              BpWorkspace     *ws,
              size_t           l,
              size_t           batch)
{
  const float *a = ws->act[l];
  float *deriv = ws->deriv[l];
  size_t n = batch * net->sizes[l];

  if (ws->has_deriv)
    return;

  for (size_t i = 0; i < n; i++)
    switch (net->activation)
      {
      case BP_ACTIVATION_SIGMOID:
        deriv[i] = a[i] * (1.0f - a[i]);
        break;
      case BP_ACTIVATION_TANH:
        deriv[i] = 1.0f - a[i] * a[i];
        break;
      case BP_ACTIVATION_RELU:
      default:
        deriv[i] = a[i] > 0.0f ? 1.0f : 0.0f;
        break;
      }
}

/* All deltas, output to first hidden layer: δ_{l−1} = (δ_l · W_l) ⊙ f′_{l−1}. */
static void
backward_deltas (const BpNetwork *net,
                 BpWorkspace     *ws,
                 const uint8_t   *labels,
                 size_t           batch)
{
  size_t L = net->n_layers;

  output_delta (net, ws, labels, batch);

  for (size_t l = L - 1; l >= 2; l--)
    {
      size_t n_prev = net->sizes[l - 1];
      float *d_prev = ws->delta[l - 1];
      const float *deriv;

      bp_linear_backward_input (d_prev, ws->delta[l], net->params + net->w_offset[l], batch,
                                n_prev, net->sizes[l]);
      ensure_deriv (net, ws, l - 1, batch);
      deriv = ws->deriv[l - 1];
      for (size_t i = 0; i < batch * n_prev; i++)
        d_prev[i] *= deriv[i];
    }
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
  size_t L = net->n_layers;

  (void) kernel; /* the gradient itself is only needed by tests and gradient checks */
  assert (batch == ws->last_batch);

  backward_deltas (net, ws, labels, batch);
  for (size_t l = 1; l < L; l++)
    {
      const float *in = l == 1 ? x : ws->act[l - 1];

      bp_linear_gradient_naive (grad + net->w_offset[l], grad + net->b_offset[l], ws->delta[l],
                                in, batch, net->sizes[l - 1], net->sizes[l]);
    }
}

/* ── SGD ───────────────────────────────────────────────────────────────────────────────────── */

static void
fill_update (const BpNetwork   *net,
             size_t             l,
             size_t             batch,
             const BpSgdParams *params,
             float             *velocity,
             BpUpdate          *u)
{
  float n = (float) (params->n_train > 0 ? params->n_train : 1);

  u->scale = params->eta / (float) batch;
  u->decay = params->eta * params->lambda_l2 / n;
  u->l1 = params->eta * params->lambda_l1 / n;
  u->momentum = params->momentum;
  u->vw = velocity != NULL ? velocity + net->w_offset[l] : NULL;
  u->vb = velocity != NULL ? velocity + net->b_offset[l] : NULL;
}

void
bp_sgd_apply (BpNetwork         *net,
              const float       *grad,
              float             *velocity,
              size_t             batch,
              const BpSgdParams *params)
{
  for (size_t l = 1; l < net->n_layers; l++)
    {
      BpUpdate u;
      size_t nw = net->sizes[l] * net->sizes[l - 1];
      size_t wo = net->w_offset[l];
      size_t bo = net->b_offset[l];

      fill_update (net, l, batch, params, velocity, &u);
      bp_update_flat (net->params + wo, grad + wo, u.vw, nw, u.scale, u.decay, u.l1, u.momentum);
      bp_update_flat (net->params + bo, grad + bo, u.vb, net->sizes[l], u.scale, 0.0f, 0.0f,
                      u.momentum);
    }
}

double
bp_network_train_batch (BpNetwork         *net,
                        BpWorkspace       *ws,
                        const float       *x,
                        const uint8_t     *labels,
                        size_t             batch,
                        const BpSgdParams *params,
                        float             *velocity,
                        BpRng             *dropout_rng,
                        bool               want_cost,
                        BpKernel           kernel)
{
  const BpKernelTable *k;
  const float *z = ws->out_z;
  size_t n_z = batch * net->sizes[net->n_layers - 1];
  double cost = 0.0;
  float probe = 0.0f;

  forward (net, ws, x, batch, true, params->dropout, dropout_rng, kernel);

  /* 0·z sums to NaN exactly when some output pre-activation is NaN or infinite. */
  for (size_t i = 0; i < n_z; i++)
    probe += 0.0f * z[i];
  if (probe != 0.0f)
    return NAN;
  if (want_cost)
    cost = bp_network_batch_cost (net, ws, labels, batch);

  if (kernel == BP_KERNEL_NAIVE)
    {
      bp_network_backward (net, ws, x, labels, batch, ws->grad, kernel);
      bp_sgd_apply (net, ws->grad, velocity, batch, params);
      return cost;
    }

  /* Fast path: every delta first (they need the weights before the update), then each layer's
   * gradient folded straight into its update, with no gradient buffer in between. */
  k = ws->fast;
  backward_deltas (net, ws, labels, batch);
  for (size_t l = 1; l < net->n_layers; l++)
    {
      BpUpdate u;
      const float *in = l == 1 ? x : ws->act[l - 1];

      fill_update (net, l, batch, params, velocity, &u);
      k->linear_update (net->params + net->w_offset[l], net->params + net->b_offset[l],
                        ws->delta[l], in, batch, net->sizes[l - 1], net->sizes[l], &u);
    }

  return cost;
}

/* ── Single examples ───────────────────────────────────────────────────────────────────────── */

size_t
bp_network_scratch_size (const BpNetwork *net)
{
  size_t max = 0;

  for (size_t l = 0; l < net->n_layers; l++)
    max = net->sizes[l] > max ? net->sizes[l] : max;
  return 2 * max + net->sizes[net->n_layers - 1];
}

void
bp_network_predict (const BpNetwork *net,
                    const float     *x,
                    float           *out,
                    float           *scratch)
{
  size_t L = net->n_layers;
  size_t max = (bp_network_scratch_size (net) - net->sizes[L - 1]) / 2;
  float *bufs[2] = { scratch, scratch + max };
  float *z = scratch + 2 * max;
  const float *in = x;

  for (size_t l = 1; l < L; l++)
    {
      size_t n_in = net->sizes[l - 1];
      size_t n_out = net->sizes[l];
      float *a = bufs[l & 1];
      const float *w = net->params + net->w_offset[l];
      const float *b = net->params + net->b_offset[l];

      for (size_t j = 0; j < n_out; j++)
        {
          float s = 0.0f;

          for (size_t k = 0; k < n_in; k++)
            s += w[j * n_in + k] * in[k];
          a[j] = s + b[j];
        }
      if (l + 1 < L)
        activate (net->activation, a, NULL, n_out);
      else
        activate_output (net->output, a, z, 1, n_out);
      in = a;
    }

  memcpy (out, in, net->sizes[L - 1] * sizeof (float));
}
