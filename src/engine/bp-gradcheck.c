/* bp-gradcheck.c — backpropagation's gradient against central differences in double precision
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-gradcheck.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bp-rng.h"
#include "bp-trace.h"

/* Progress is reported every this many parameters. */
#define PROGRESS_EVERY 256

/* The backprop time is the mean of at least this many traces, and of as many as fit in
 * BACKPROP_TIMING_SECONDS: one trace of 784-30-10 takes tens of microseconds, too short to time
 * once. */
#define BACKPROP_TIMING_RUNS    5
#define BACKPROP_TIMING_SECONDS 0.02

static double
now_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + 1e-9 * (double) ts.tv_nsec;
}

double
bp_gradcheck_relative_error (double backprop,
                             double numerical)
{
  double scale = fmax (fmax (fabs (backprop), fabs (numerical)), BP_GRADCHECK_FLOOR);

  return fabs (backprop - numerical) / scale;
}

/* ── The double oracle ─────────────────────────────────────────────────────────────────────── */

/* Σ w[k]·x[k] in double with eight independent sums, which the compiler turns into vector
 * lanes: the oracle's passes are what section 2.8 times, and they should not be slower than
 * they need to be. */
BP_TARGET_CLONES static double
dot (const double *w,
     const double *x,
     size_t        n)
{
  double s[8] = { 0.0 };
  size_t k = 0;

  for (; k + 8 <= n; k += 8)
    for (size_t l = 0; l < 8; l++)
      s[l] += w[k + l] * x[k + l];
  for (; k < n; k++)
    s[0] += w[k] * x[k];
  return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

static inline double
softplus (double v)
{
  return v > 0.0 ? v + log1p (exp (-v)) : log1p (exp (v));
}

static inline double
sigmoid (double v)
{
  return 1.0 / (1.0 + exp (-v));
}

/* A conv layer in double, the cross-correlation of bp_conv_forward_naive(). */
static void
conv_double (double        *out,
             const double  *in,
             const double  *w,
             const double  *b,
             const BpLayer *l,
             size_t         k)
{
  for (size_t o = 0; o < l->out_c; o++)
    for (size_t y = 0; y < l->out_h; y++)
      for (size_t x = 0; x < l->out_w; x++)
        {
          double acc = b[o];

          for (size_t c = 0; c < l->in_c; c++)
            for (size_t u = 0; u < k; u++)
              acc += dot (w + ((o * l->in_c + c) * k + u) * k, in + (c * l->in_h + y + u) * l->in_w + x,
                          k);
          out[(o * l->out_h + y) * l->out_w + x] = acc;
        }
}

/* Max-pooling in double. */
static void
pool_double (double        *out,
             const double  *in,
             const BpLayer *l,
             size_t         p)
{
  for (size_t c = 0; c < l->out_c; c++)
    for (size_t y = 0; y < l->out_h; y++)
      for (size_t x = 0; x < l->out_w; x++)
        {
          const double *map = in + c * l->in_h * l->in_w;
          double m = map[y * p * l->in_w + x * p];

          for (size_t u = 0; u < p; u++)
            for (size_t v = 0; v < p; v++)
              m = fmax (m, map[(y * p + u) * l->in_w + x * p + v]);
          out[(c * l->out_h + y) * l->out_w + x] = m;
        }
}

/* C_x of @net from the double parameters @p and the double input @x, through @buf0 and @buf1
 * (each as wide as the widest layer). */
static double
oracle_cost (const BpNetwork *net,
             const double    *p,
             const double    *x,
             size_t           label,
             double          *buf0,
             double          *buf1)
{
  size_t L = net->arch.n_layers;
  size_t n = net->n_outputs;
  const double *in = x;
  double *out = buf0;
  double total = 0.0;

  for (size_t i = 0; i < L; i++)
    {
      const BpLayer *layer = &net->layers[i];
      const double *w = p + layer->w_offset;
      const double *b = p + layer->b_offset;

      const BpLayerSpec *spec = &net->arch.layers[i];

      if (spec->kind == BP_LAYER_CONV)
        conv_double (out, in, w, b, layer, spec->kernel);
      else if (spec->kind == BP_LAYER_POOL)
        pool_double (out, in, layer, spec->kernel);
      else
        for (size_t j = 0; j < layer->n_out; j++)
          out[j] = dot (w + j * layer->n_in, in, layer->n_in) + b[j];
      if (spec->kind == BP_LAYER_POOL)
        ; /* no activation */
      else if (i + 1 < L)
        switch (net->arch.layers[i].activation)
          {
          case BP_ACTIVATION_SIGMOID:
            for (size_t j = 0; j < layer->n_out; j++)
              out[j] = sigmoid (out[j]);
            break;
          case BP_ACTIVATION_TANH:
            for (size_t j = 0; j < layer->n_out; j++)
              out[j] = tanh (out[j]);
            break;
          case BP_ACTIVATION_RELU:
          default:
            for (size_t j = 0; j < layer->n_out; j++)
              out[j] = out[j] > 0.0 ? out[j] : 0.0;
            break;
          }
      in = out;
      out = out == buf0 ? buf1 : buf0;
    }

  /* @in is now z of the output layer; the costs in the forms of bp_cost_example(). */
  switch (net->arch.cost)
    {
    case BP_COST_QUADRATIC:
      for (size_t j = 0; j < n; j++)
        {
          double d = sigmoid (in[j]) - (j == label ? 1.0 : 0.0);

          total += 0.5 * d * d;
        }
      break;

    case BP_COST_CROSS_ENTROPY:
      for (size_t j = 0; j < n; j++)
        total += j == label ? softplus (-in[j]) : softplus (in[j]);
      break;

    case BP_COST_LOG_LIKELIHOOD:
    default:
      {
        double max = in[0], sum = 0.0;

        for (size_t j = 1; j < n; j++)
          max = in[j] > max ? in[j] : max;
        for (size_t j = 0; j < n; j++)
          sum += exp (in[j] - max);
        total = max + log (sum) - in[label];
      }
      break;
    }
  return total;
}

static size_t
max_width (const BpNetwork *net)
{
  size_t max = net->n_inputs;

  for (size_t i = 0; i < net->arch.n_layers; i++)
    max = net->layers[i].n_out > max ? net->layers[i].n_out : max;
  return max;
}

double
bp_gradcheck_cost (const BpNetwork *net,
                   const double    *params,
                   const float     *x,
                   size_t           label)
{
  size_t width = max_width (net);
  double *own = NULL, *xd, *buf;
  double cost = NAN;

  assert (label < net->n_outputs);
  xd = malloc ((net->n_inputs + 2 * width) * sizeof (double));
  if (params == NULL)
    {
      own = malloc (net->n_params * sizeof (double));
      if (own != NULL)
        for (size_t i = 0; i < net->n_params; i++)
          own[i] = net->params[i];
      params = own;
    }
  if (xd != NULL && params != NULL)
    {
      for (size_t k = 0; k < net->n_inputs; k++)
        xd[k] = x[k];
      buf = xd + net->n_inputs;
      cost = oracle_cost (net, params, xd, label, buf, buf + width);
    }
  free (own);
  free (xd);
  return cost;
}

/* ── The check ─────────────────────────────────────────────────────────────────────────────── */

void
bp_gradcheck_clear (BpGradcheck *result)
{
  free (result->index);
  free (result->backprop);
  free (result->numerical);
  memset (result, 0, sizeof *result);
}

static int
compare_size (const void *a,
              const void *b)
{
  size_t x = *(const size_t *) a, y = *(const size_t *) b;

  return (x > y) - (x < y);
}

/* The parameters to check, ascending: all, or @sample of them drawn by a partial Fisher–Yates
 * shuffle. */
static size_t *
choose_parameters (size_t   n_params,
                   size_t   sample,
                   uint64_t seed,
                   size_t  *n_checked)
{
  size_t *index = malloc ((n_params > 0 ? n_params : 1) * sizeof *index);
  BpRng rng;

  if (index == NULL)
    return NULL;
  for (size_t i = 0; i < n_params; i++)
    index[i] = i;
  if (sample == 0 || sample >= n_params)
    {
      *n_checked = n_params;
      return index;
    }

  bp_rng_seed (&rng, seed, BP_RNG_STREAM_SAMPLE);
  for (size_t i = 0; i < sample; i++)
    {
      size_t j = i + (size_t) bp_rng_below (&rng, n_params - i);
      size_t t = index[i];

      index[i] = index[j];
      index[j] = t;
    }
  qsort (index, sample, sizeof *index, compare_size);
  *n_checked = sample;
  return index;
}

bool
bp_gradcheck_run (const BpNetwork        *net,
                  const float            *x,
                  size_t                  label,
                  size_t                  sample,
                  uint64_t                seed,
                  atomic_int             *cancel,
                  BpGradcheckProgressFunc progress,
                  void                   *user_data,
                  BpGradcheck            *result,
                  BpError                *error)
{
  size_t n_params = net->n_params;
  size_t width = max_width (net);
  BpTrace *trace = NULL;
  double *params = NULL, *xd = NULL;
  const float *grad;
  double t0, elapsed;
  unsigned runs = 0;
  bool ok = false;

  memset (result, 0, sizeof *result);
  if (label >= net->n_outputs)
    return bp_error_set (error, BP_ERROR_INVALID, "label %zu is out of range: the network has %zu "
                         "outputs", label, net->n_outputs);

  trace = bp_trace_new (net, error);
  if (trace == NULL)
    return false;
  result->n_params = n_params;
  result->index = choose_parameters (n_params, sample, seed, &result->n_checked);
  params = malloc (n_params * sizeof *params);
  xd = malloc ((net->n_inputs + 2 * width) * sizeof *xd);
  if (result->index != NULL)
    {
      result->backprop = malloc (result->n_checked * sizeof *result->backprop);
      result->numerical = malloc (result->n_checked * sizeof *result->numerical);
    }
  if (result->index == NULL || params == NULL || xd == NULL || result->backprop == NULL
      || result->numerical == NULL)
    {
      bp_error_set (error, BP_ERROR_NOMEM, "not enough memory to check the gradient");
      goto out;
    }

  /* Backpropagation: all of ∇C at once, timed over several runs. */
  t0 = now_seconds ();
  do
    {
      bp_trace_compute (trace, net, x, label, NULL);
      runs++;
      elapsed = now_seconds () - t0;
    }
  while (runs < BACKPROP_TIMING_RUNS || elapsed < BACKPROP_TIMING_SECONDS);
  result->backprop_seconds = elapsed / runs;
  grad = bp_trace_get_gradient (trace);

  /* Finite differences on the parameters the trace used, widened to double. */
  for (size_t i = 0; i < n_params; i++)
    params[i] = net->params[i];
  for (size_t k = 0; k < net->n_inputs; k++)
    xd[k] = x[k];
  {
    double *buf0 = xd + net->n_inputs, *buf1 = buf0 + width;

    result->cost = oracle_cost (net, params, xd, label, buf0, buf1);
    t0 = now_seconds ();
    for (size_t c = 0; c < result->n_checked; c++)
      {
        size_t i = result->index[c];
        double saved = params[i];
        double plus, minus;

        if (cancel != NULL && atomic_load_explicit (cancel, memory_order_relaxed) != 0)
          {
            bp_error_set (error, BP_ERROR_CANCELLED, "the gradient check was cancelled");
            goto out;
          }
        params[i] = saved + BP_GRADCHECK_EPSILON;
        plus = oracle_cost (net, params, xd, label, buf0, buf1);
        params[i] = saved - BP_GRADCHECK_EPSILON;
        minus = oracle_cost (net, params, xd, label, buf0, buf1);
        params[i] = saved;

        result->backprop[c] = grad[i];
        result->numerical[c] = (plus - minus) / (2.0 * BP_GRADCHECK_EPSILON);
        if (progress != NULL && ((c + 1) % PROGRESS_EVERY == 0 || c + 1 == result->n_checked))
          progress (c + 1, result->n_checked, user_data);
      }
    result->numerical_seconds = now_seconds () - t0;
  }

  result->ratio = result->backprop_seconds > 0.0
                    ? result->numerical_seconds / result->backprop_seconds : INFINITY;
  for (size_t c = 0; c < result->n_checked; c++)
    {
      double e = bp_gradcheck_relative_error (result->backprop[c], result->numerical[c]);

      if (e > result->max_relative_error || c == 0)
        {
          result->max_relative_error = e;
          result->worst = c;
        }
    }
  ok = true;

out:
  if (!ok)
    bp_gradcheck_clear (result);
  bp_trace_free (trace);
  free (params);
  free (xd);
  return ok;
}
