/* test-trace.c — chapter 2's trace of one example and section 2.8's gradient check
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The trace's numbers are the engine's (the mini-batch forward and backward on one example give
 * the same bits), obey BP1–BP4, and agree with central differences for every cost, output,
 * activation and depth; the helpers a view needs (the other cost's δᴸ, saturation, the terms of
 * z, a step and its undo) say what they promise.
 */
#include "config.h"

#include <glib.h>
#include <math.h>
#include <string.h>

#include "bp-gradcheck.h"
#include "bp-trace.h"

static BpNetwork *
make_network (const size_t *sizes,
              size_t        n_sizes,
              BpActivation  activation,
              BpOutput      output,
              BpCost        cost,
              BpInit        init,
              uint64_t      seed)
{
  BpError error = { 0 };
  BpNetwork *net = bp_network_new_dense (sizes, n_sizes, activation, output, cost, &error);
  BpRng rng;

  g_assert_cmpstr (error.message, ==, "");
  g_assert_nonnull (net);
  bp_rng_seed (&rng, seed, BP_RNG_STREAM_INIT);
  bp_network_init (net, init, &rng);
  return net;
}

/* An input of @n values in [0, 1), a third of them 0 as MNIST's background is. */
static float *
make_input (size_t   n,
            uint64_t seed)
{
  float *x = g_new (float, n);
  BpRng rng;

  bp_rng_seed (&rng, seed, BP_RNG_STREAM_SAMPLE);
  for (size_t k = 0; k < n; k++)
    x[k] = bp_rng_uniform (&rng) < 0.33 ? 0.0f : bp_rng_uniform_float (&rng);
  return x;
}

static BpTrace *
make_trace (const BpNetwork *net,
            const float     *x,
            size_t           label)
{
  BpError error = { 0 };
  BpTrace *trace = bp_trace_new (net, &error);

  g_assert_nonnull (trace);
  g_assert_false (bp_trace_is_computed (trace));
  g_assert_true (bp_trace_compute (trace, net, x, label, &error));
  g_assert_cmpstr (error.message, ==, "");
  g_assert_true (bp_trace_is_computed (trace));
  return trace;
}

/* Every combination the engine trains: the output and cost that go together, three activations. */
static const struct
{
  BpOutput output;
  BpCost   cost;
} output_costs[] = {
  { BP_OUTPUT_SIGMOID, BP_COST_QUADRATIC },
  { BP_OUTPUT_SIGMOID, BP_COST_CROSS_ENTROPY },
  { BP_OUTPUT_SOFTMAX, BP_COST_LOG_LIKELIHOOD },
};
static const BpActivation activations[] = {
  BP_ACTIVATION_SIGMOID, BP_ACTIVATION_TANH, BP_ACTIVATION_RELU,
};

/* ── The engine's numbers ──────────────────────────────────────────────────────────────────── */

/* The trace's z and a are bp_network_forward_layers()'s; its outputs, cost and gradient are what
 * the mini-batch forward and backward (naive kernel) give for a batch of one, bit for bit. */
static void
test_trace_is_engine (void)
{
  for (size_t c = 0; c < G_N_ELEMENTS (output_costs); c++)
    for (size_t a = 0; a < G_N_ELEMENTS (activations); a++)
      {
        const size_t sizes[] = { 20, 9, 7, 5 };
        BpNetwork *net = make_network (sizes, 4, activations[a], output_costs[c].output,
                                       output_costs[c].cost, BP_INIT_DEFAULT, 3 + c * 10 + a);
        g_autofree float *x = make_input (20, 5);
        BpTrace *trace = make_trace (net, x, 2);
        BpWorkspace *ws = bp_workspace_new (net, 1, NULL);
        g_autofree float *grad = g_new (float, net->n_params);
        float *z[BP_MAX_LAYERS], *act[BP_MAX_LAYERS];
        uint8_t label = 2, predicted;
        const float *out;

        for (size_t i = 0; i < 3; i++)
          {
            z[i] = g_new (float, net->layers[i].n_out);
            act[i] = g_new (float, net->layers[i].n_out);
          }
        bp_network_forward_layers (net, x, z, act);
        for (size_t i = 0; i < 3; i++)
          {
            const BpTraceLayer *layer = bp_trace_get_layer (trace, i);

            g_assert_cmpmem (layer->z, layer->n_out * sizeof (float), z[i],
                             net->layers[i].n_out * sizeof (float));
            g_assert_cmpmem (layer->a, layer->n_out * sizeof (float), act[i],
                             net->layers[i].n_out * sizeof (float));
            g_assert_true (layer->in == (i == 0 ? bp_trace_get_input (trace)
                                                : bp_trace_get_layer (trace, i - 1)->a));
            g_free (z[i]);
            g_free (act[i]);
          }

        out = bp_network_forward (net, ws, x, 1, BP_KERNEL_NAIVE);
        g_assert_cmpmem (bp_trace_get_layer (trace, 2)->a, 5 * sizeof (float), out,
                         5 * sizeof (float));
        g_assert_cmpfloat (bp_trace_get_cost (trace), ==,
                           bp_network_batch_cost (net, ws, &label, 1));
        bp_network_backward (net, ws, x, &label, 1, grad, BP_KERNEL_NAIVE);
        g_assert_cmpmem (bp_trace_get_gradient (trace), net->n_params * sizeof (float), grad,
                         net->n_params * sizeof (float));

        g_assert_cmpuint (bp_trace_get_label (trace), ==, 2);
        g_assert_cmpfloat (bp_trace_get_target (trace)[2], ==, 1.0f);
        g_assert_cmpfloat (bp_trace_get_target (trace)[0], ==, 0.0f);
        bp_network_batch_correct (net, ws, &label, 1, &predicted);
        g_assert_cmpuint (bp_trace_get_guess (trace), ==, predicted);

        bp_workspace_free (ws);
        bp_trace_free (trace);
        bp_network_free (net);
      }
}

/* BP1–BP4 as the book writes them, checked in double against the trace's float numbers. */
static void
test_four_equations (void)
{
  for (size_t c = 0; c < G_N_ELEMENTS (output_costs); c++)
    for (size_t a = 0; a < G_N_ELEMENTS (activations); a++)
      {
        const size_t sizes[] = { 16, 8, 6, 4 };
        BpNetwork *net = make_network (sizes, 4, activations[a], output_costs[c].output,
                                       output_costs[c].cost, BP_INIT_DEFAULT, 40 + c * 10 + a);
        g_autofree float *x = make_input (16, 9);
        BpTrace *trace = make_trace (net, x, 1);
        size_t L = bp_trace_get_n_layers (trace);
        const BpTraceLayer *out = bp_trace_get_layer (trace, L - 1);
        const float *y = bp_trace_get_target (trace);

        g_assert_cmpuint (L, ==, 3);

        /* BP1 */
        for (size_t j = 0; j < out->n_out; j++)
          {
            double s = (double) out->a[j] * (1.0 - out->a[j]);
            double expect = (double) out->a[j] - y[j];

            g_assert_cmpfloat_with_epsilon (out->deriv[j], s, 1e-7);
            if (net->arch.cost == BP_COST_QUADRATIC)
              expect *= s;
            g_assert_cmpfloat_with_epsilon (out->delta[j], expect, 1e-6);
          }

        for (size_t l = 0; l < L; l++)
          {
            const BpTraceLayer *layer = bp_trace_get_layer (trace, l);

            /* BP2 */
            if (l + 1 < L)
              {
                const BpTraceLayer *next = bp_trace_get_layer (trace, l + 1);

                for (size_t k = 0; k < layer->n_out; k++)
                  {
                    double back = 0.0, f;

                    for (size_t j = 0; j < next->n_out; j++)
                      back += (double) next->w[j * next->n_in + k] * next->delta[j];
                    switch (activations[a])
                      {
                      case BP_ACTIVATION_SIGMOID:
                        f = (double) layer->a[k] * (1.0 - layer->a[k]);
                        break;
                      case BP_ACTIVATION_TANH:
                        f = 1.0 - (double) layer->a[k] * layer->a[k];
                        break;
                      case BP_ACTIVATION_RELU:
                      default:
                        f = layer->z[k] > 0.0f ? 1.0 : 0.0;
                        break;
                      }
                    g_assert_cmpfloat_with_epsilon (layer->deriv[k], f, 1e-7);
                    g_assert_cmpfloat_with_epsilon (layer->delta[k], back * f,
                                                    1e-6 * (1.0 + fabs (back * f)));
                  }
              }

            /* BP3 and BP4, exactly: the gradient is δ and a δ products, in the network's
             * layout (the views sit at the layer's offsets). */
            g_assert_true (layer->nabla_b == bp_trace_get_gradient (trace) + layer->b_offset);
            g_assert_true (layer->nabla_w == bp_trace_get_gradient (trace) + layer->w_offset);
            g_assert_true (layer->w == bp_trace_get_network (trace)->params + layer->w_offset);
            for (size_t j = 0; j < layer->n_out; j++)
              g_assert_cmpfloat (layer->nabla_b[j], ==, layer->delta[j]);
            for (size_t j = 0; j < layer->n_out; j++)
              for (size_t k = 0; k < layer->n_in; k++)
                g_assert_cmpfloat (layer->nabla_w[j * layer->n_in + k], ==,
                                   layer->in[k] * layer->delta[j]);
          }

        bp_trace_free (trace);
        bp_network_free (net);
      }
}

/* ── Finite differences ────────────────────────────────────────────────────────────────────── */

/* Every cost × output × activation, one to four hidden layers: the trace's gradient against
 * central differences of the double oracle, every parameter. */
static void
test_gradient_check (void)
{
  for (size_t depth = 1; depth <= 4; depth++)
    for (size_t c = 0; c < G_N_ELEMENTS (output_costs); c++)
      for (size_t a = 0; a < G_N_ELEMENTS (activations); a++)
        {
          size_t sizes[6] = { 12 };
          BpNetwork *net;
          g_autofree float *x = make_input (12, depth);
          BpGradcheck check;
          BpError error = { 0 };
          double worst = 0.0;

          for (size_t l = 1; l <= depth; l++)
            sizes[l] = 7 - l;
          sizes[depth + 1] = 4;
          net = make_network (sizes, depth + 2, activations[a], output_costs[c].output,
                              output_costs[c].cost, BP_INIT_DEFAULT, 100 * depth + 10 * c + a);
          /* ReLU layers start with zero biases: a neuron whose inputs are all 0 then sits at
           * z = 0, ReLU's kink, where a central difference sees half a slope and backprop
           * f′(0) = 0. Small biases keep every z off the kink. */
          for (size_t l = 0; l < net->arch.n_layers; l++)
            for (size_t j = 0; j < net->layers[l].n_biases; j++)
              net->params[net->layers[l].b_offset + j] += 0.1f * (float) ((j % 3) + 1);
          g_assert_true (bp_gradcheck_run (net, x, depth % 4, 0, 1, NULL, NULL, NULL, &check,
                                           &error));
          g_assert_cmpuint (check.n_checked, ==, net->n_params);
          g_assert_cmpuint (check.n_params, ==, net->n_params);
          for (size_t i = 0; i < check.n_checked; i++)
            {
              g_assert_cmpuint (check.index[i], ==, i);
              worst = MAX (worst, bp_gradcheck_relative_error (check.backprop[i],
                                                               check.numerical[i]));
            }
          g_assert_cmpfloat (worst, ==, check.max_relative_error);
          if (check.max_relative_error > 1e-4)
            g_error ("depth %zu, %s/%s, %s: largest relative difference %g at parameter %zu "
                     "(backprop %.9g, numerical %.9g)", depth,
                     bp_output_to_string (output_costs[c].output),
                     bp_cost_to_string (output_costs[c].cost),
                     bp_activation_to_string (activations[a]), check.max_relative_error,
                     check.index[check.worst], check.backprop[check.worst],
                     check.numerical[check.worst]);
          g_test_message ("depth %zu, %s, %s: %zu parameters, largest relative difference %.2g",
                          depth, bp_cost_to_string (output_costs[c].cost),
                          bp_activation_to_string (activations[a]), check.n_checked,
                          check.max_relative_error);
          g_assert_cmpfloat (check.backprop_seconds, >, 0.0);
          g_assert_cmpfloat (check.numerical_seconds, >=, 0.0);
          /* The oracle's cost is the engine's, up to float rounding. */
          {
            BpTrace *trace = make_trace (net, x, depth % 4);

            g_assert_cmpfloat_with_epsilon (check.cost, bp_trace_get_cost (trace),
                                            1e-5 * (1.0 + check.cost));
            g_assert_cmpfloat (bp_gradcheck_cost (net, NULL, x, depth % 4), ==, check.cost);
            bp_trace_free (trace);
          }
          bp_gradcheck_clear (&check);
          bp_network_free (net);
        }
}

/* The relative difference and its floor. */
static void
test_relative_error (void)
{
  g_assert_cmpfloat (bp_gradcheck_relative_error (1.0, 1.0), ==, 0.0);
  g_assert_cmpfloat_with_epsilon (bp_gradcheck_relative_error (1.0, 1.001), 0.001 / 1.001, 1e-12);
  g_assert_cmpfloat_with_epsilon (bp_gradcheck_relative_error (-2.0, 2.0), 2.0, 1e-12);
  /* Near zero the floor makes it absolute. */
  g_assert_cmpfloat_with_epsilon (bp_gradcheck_relative_error (1e-9, 3e-9),
                                  2e-9 / BP_GRADCHECK_FLOOR, 1e-12);
  g_assert_cmpfloat (bp_gradcheck_relative_error (0.0, 0.0), ==, 0.0);
}

typedef struct
{
  size_t      calls;
  size_t      last_done;
  size_t      total;
  atomic_int *cancel;
  size_t      cancel_at;
} ProgressLog;

static void
progress_cb (size_t done,
             size_t total,
             void  *user_data)
{
  ProgressLog *log = user_data;

  g_assert_cmpuint (done, >, log->last_done);
  g_assert_cmpuint (done, <=, total);
  log->calls++;
  log->last_done = done;
  log->total = total;
  if (log->cancel != NULL && done >= log->cancel_at)
    atomic_store (log->cancel, 1);
}

/* A sample: K distinct parameters, ascending, the same for the same seed; progress up to the
 * end; a cancel flag stops the check. */
static void
test_gradient_check_sample_and_cancel (void)
{
  const size_t sizes[] = { 64, 30, 10 };
  BpNetwork *net = make_network (sizes, 3, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                                 BP_COST_CROSS_ENTROPY, BP_INIT_DEFAULT, 7);
  g_autofree float *x = make_input (64, 7);
  BpGradcheck one, two, other;
  ProgressLog log = { 0 };
  atomic_int cancel = 0;
  BpError error = { 0 };

  g_assert_true (bp_gradcheck_run (net, x, 3, 500, 42, NULL, progress_cb, &log, &one, &error));
  g_assert_cmpuint (one.n_checked, ==, 500);
  g_assert_cmpuint (log.last_done, ==, 500);
  g_assert_cmpuint (log.total, ==, 500);
  g_assert_cmpuint (log.calls, ==, 2); /* 256 and 500 */
  for (size_t i = 1; i < one.n_checked; i++)
    g_assert_cmpuint (one.index[i - 1], <, one.index[i]);
  g_assert_cmpuint (one.index[one.n_checked - 1], <, net->n_params);
  g_assert_cmpfloat (one.max_relative_error, <, 1e-4);

  g_assert_true (bp_gradcheck_run (net, x, 3, 500, 42, NULL, NULL, NULL, &two, &error));
  g_assert_cmpmem (one.index, 500 * sizeof (size_t), two.index, 500 * sizeof (size_t));
  g_assert_cmpmem (one.numerical, 500 * sizeof (double), two.numerical, 500 * sizeof (double));
  g_assert_true (bp_gradcheck_run (net, x, 3, 500, 43, NULL, NULL, NULL, &other, &error));
  g_assert_true (memcmp (one.index, other.index, 500 * sizeof (size_t)) != 0);
  bp_gradcheck_clear (&one);
  bp_gradcheck_clear (&two);
  bp_gradcheck_clear (&other);

  /* A sample as large as the network is the whole network. */
  g_assert_true (bp_gradcheck_run (net, x, 3, net->n_params + 5, 1, NULL, NULL, NULL, &one,
                                   &error));
  g_assert_cmpuint (one.n_checked, ==, net->n_params);
  bp_gradcheck_clear (&one);

  memset (&log, 0, sizeof log);
  log.cancel = &cancel;
  log.cancel_at = 256;
  g_assert_false (bp_gradcheck_run (net, x, 3, 0, 1, &cancel, progress_cb, &log, &one, &error));
  g_assert_cmpint (error.code, ==, BP_ERROR_CANCELLED);
  g_assert_cmpuint (log.last_done, ==, 256);
  g_assert_null (one.index);
  g_assert_cmpuint (one.n_checked, ==, 0);

  bp_error_clear (&error);
  g_assert_false (bp_gradcheck_run (net, x, 10, 0, 1, NULL, NULL, NULL, &one, &error));
  g_assert_cmpint (error.code, ==, BP_ERROR_INVALID);
  bp_network_free (net);
}

/* ── Chapters 2 and 3 ──────────────────────────────────────────────────────────────────────── */

/* Chapter 3's neuron: one input of 1, w = b = 2, output 0.98 where 0 is wanted, with the
 * quadratic cost: saturated, confidently wrong, its δᴸ tiny because of σ′(zᴸ); cross-entropy's
 * δᴸ would be a − y. (Output 1 of two is that neuron: the label is 0, so its target is 0.) */
static void
test_quadratic_slowdown (void)
{
  const size_t sizes[] = { 1, 2 };
  BpNetwork *net = make_network (sizes, 2, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                                 BP_COST_QUADRATIC, BP_INIT_DEFAULT, 1);
  const float x[] = { 1.0f };
  float ce[2], quadratic[2], ll[2] = { 7.0f, 7.0f };
  uint8_t mask[2];
  BpTrace *trace;
  const BpTraceLayer *out;
  double a;

  /* W (2, 1), then b (2): output 0 right (z = 5), output 1 wrong (z = 4). */
  net->params[0] = 2.0f;
  net->params[1] = 2.0f;
  net->params[2] = 3.0f;
  net->params[3] = 2.0f;
  trace = make_trace (net, x, 0);
  out = bp_trace_get_layer (trace, 0);
  a = 1.0 / (1.0 + exp (-4.0));

  g_assert_cmpfloat_with_epsilon (out->a[1], a, 1e-6);
  g_assert_true (bp_trace_is_saturated (trace, 0, 1));
  g_assert_cmpuint (bp_trace_count_saturated (trace, 0, mask), ==, 2);
  g_assert_cmpuint (bp_trace_slowed_outputs (trace, mask), ==, 1);
  g_assert_cmpuint (mask[0], ==, 0);
  g_assert_cmpuint (mask[1], ==, 1);

  g_assert_cmpfloat_with_epsilon (out->delta[1], a * a * (1.0 - a), 1e-6);
  g_assert_true (bp_trace_output_delta_for_cost (trace, BP_COST_QUADRATIC, quadratic));
  g_assert_cmpmem (quadratic, sizeof quadratic, out->delta, sizeof quadratic);
  g_assert_true (bp_trace_output_delta_for_cost (trace, BP_COST_CROSS_ENTROPY, ce));
  g_assert_cmpfloat (ce[1], ==, out->a[1]);
  g_assert_cmpfloat (ce[0], ==, out->a[0] - 1.0f);
  g_assert_cmpfloat (ce[1] / out->delta[1], >, 50.0);
  /* Log-likelihood needs a softmax. */
  g_assert_false (bp_trace_output_delta_for_cost (trace, BP_COST_LOG_LIKELIHOOD, ll));
  g_assert_cmpfloat (ll[0], ==, 7.0f);
  bp_trace_free (trace);

  /* The same neuron with cross-entropy is not slowed. */
  net->arch.cost = BP_COST_CROSS_ENTROPY;
  trace = make_trace (net, x, 0);
  g_assert_cmpuint (bp_trace_slowed_outputs (trace, NULL), ==, 0);
  g_assert_cmpfloat (bp_trace_get_layer (trace, 0)->delta[1], ==,
                     bp_trace_get_layer (trace, 0)->a[1]);
  bp_trace_free (trace);

  /* w = 0.6, b = 0.9 (output 0.82): wrong, but not saturated, so not slowed. */
  net->arch.cost = BP_COST_QUADRATIC;
  net->params[1] = 0.6f;
  net->params[3] = 0.9f;
  trace = make_trace (net, x, 0);
  g_assert_false (bp_trace_is_saturated (trace, 0, 1));
  g_assert_cmpuint (bp_trace_slowed_outputs (trace, NULL), ==, 0);
  bp_trace_free (trace);
  bp_network_free (net);
}

/* Saturation follows BP_TRACE_SATURATION for each activation; a dead ReLU counts. */
static void
test_saturation (void)
{
  for (size_t a = 0; a < G_N_ELEMENTS (activations); a++)
    {
      const size_t sizes[] = { 30, 40, 3 };
      BpNetwork *net = make_network (sizes, 3, activations[a], BP_OUTPUT_SIGMOID,
                                     BP_COST_CROSS_ENTROPY, BP_INIT_LARGE, 11 + a);
      g_autofree float *x = make_input (30, 2);
      BpTrace *trace = make_trace (net, x, 1);
      const BpTraceLayer *hidden = bp_trace_get_layer (trace, 0);
      float peak = activations[a] == BP_ACTIVATION_SIGMOID ? 0.25f : 1.0f;
      uint8_t mask[40];
      size_t count = bp_trace_count_saturated (trace, 0, mask), expect = 0;

      for (size_t j = 0; j < 40; j++)
        {
          bool saturated = hidden->deriv[j] < BP_TRACE_SATURATION * peak;

          if (activations[a] == BP_ACTIVATION_RELU)
            g_assert_true (saturated == (hidden->z[j] <= 0.0f));
          g_assert_cmpuint (mask[j], ==, saturated);
          g_assert_true (bp_trace_is_saturated (trace, 0, j) == saturated);
          expect += saturated;
        }
      g_assert_cmpuint (count, ==, expect);
      /* N(0, 1) weights over 30 inputs saturate some sigmoids and tanhs, and kill some ReLUs. */
      g_assert_cmpuint (count, >, 0);
      g_assert_cmpuint (count, <, 40);
      bp_trace_free (trace);
      bp_network_free (net);
    }
}

/* The terms of a neuron's z: largest first, the rest counted and summed, all adding up to z. */
static void
test_neuron_terms (void)
{
  const size_t sizes[] = { 784, 30, 10 };
  BpNetwork *net = make_network (sizes, 3, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                                 BP_COST_CROSS_ENTROPY, BP_INIT_DEFAULT, 5);
  g_autofree float *x = make_input (784, 3);
  BpTrace *trace = make_trace (net, x, 4);
  BpTraceTerm top[8], all[784];
  BpTraceRest rest, rest_all;

  for (size_t l = 0; l < 2; l++)
    for (size_t j = 0; j < 10; j += 3)
      {
        const BpTraceLayer *layer = bp_trace_get_layer (trace, l);
        size_t n = bp_trace_neuron_terms (trace, l, j, top, 5, &rest);
        size_t n_all = bp_trace_neuron_terms (trace, l, j, all, layer->n_in, &rest_all);
        double sum = rest.sum + layer->b[j];
        size_t zeros = 0;

        g_assert_cmpuint (n, ==, 5);
        g_assert_cmpuint (rest.n, ==, layer->n_in - 5);
        g_assert_cmpuint (n_all, ==, layer->n_in);
        g_assert_cmpuint (rest_all.n, ==, 0);
        g_assert_cmpfloat (rest_all.sum, ==, 0.0);
        for (size_t i = 0; i < n; i++)
          {
            g_assert_cmpfloat (top[i].w, ==, layer->w[j * layer->n_in + top[i].k]);
            g_assert_cmpfloat (top[i].a, ==, layer->in[top[i].k]);
            g_assert_cmpfloat (top[i].product, ==, top[i].w * top[i].a);
            /* The first five of the full sort. */
            g_assert_cmpuint (top[i].k, ==, all[i].k);
            sum += top[i].product;
          }
        for (size_t i = 0; i < n_all; i++)
          {
            zeros += all[i].product == 0.0f;
            if (i > 0)
              {
                float prev = fabsf (all[i - 1].product), cur = fabsf (all[i].product);

                g_assert_true (prev > cur || (prev == cur && all[i - 1].k < all[i].k));
              }
          }
        g_assert_cmpuint (rest_all.n_zero, ==, 0);
        g_assert_cmpuint (rest.n_zero, ==, zeros);
        if (l == 0)
          g_assert_cmpuint (zeros, >, 100); /* the input's zeros */
        g_assert_cmpfloat_with_epsilon (sum, layer->z[j], 1e-5 * (1.0 + fabs (sum)));
      }

  /* No terms wanted: only the rest. */
  g_assert_cmpuint (bp_trace_neuron_terms (trace, 1, 0, NULL, 0, &rest), ==, 0);
  g_assert_cmpuint (rest.n, ==, 30);
  bp_trace_free (trace);
  bp_network_free (net);
}

/* A step with a small η lowers this example's cost, changes each parameter by −η∂C/∂θ, and
 * bp_trace_restore() undoes it bit for bit. */
static void
test_step_and_undo (void)
{
  for (size_t c = 0; c < G_N_ELEMENTS (output_costs); c++)
    for (size_t a = 0; a < G_N_ELEMENTS (activations); a++)
      {
        const size_t sizes[] = { 50, 20, 10 };
        BpNetwork *net = make_network (sizes, 3, activations[a], output_costs[c].output,
                                       output_costs[c].cost, BP_INIT_DEFAULT, 60 + 3 * c + a);
        BpNetwork *copy = bp_network_copy (net);
        g_autofree float *x = make_input (50, 8);
        BpTrace *trace = make_trace (net, x, 6);
        const float *grad = bp_trace_get_gradient (trace);
        BpTraceStep step;
        BpError error = { 0 };

        g_assert_true (bp_trace_step (trace, copy, 0.05f, &step, &error));
        g_assert_cmpfloat (step.eta, ==, 0.05f);
        g_assert_cmpfloat (step.cost_before, ==, bp_trace_get_cost (trace));
        g_assert_cmpfloat (step.cost_after, <, step.cost_before);
        g_assert_cmpuint (step.guess_before, ==, bp_trace_get_guess (trace));
        g_assert_true (step.output_before == bp_trace_get_layer (trace, 1)->a);
        for (size_t i = 0; i < net->n_params; i++)
          g_assert_cmpfloat (copy->params[i], ==, net->params[i] - 0.05f * grad[i]);
        /* The label's output moved towards 1. */
        g_assert_cmpfloat (step.output_after[6], >, step.output_before[6]);

        /* The trace is still the one before the step; a new one shows the step's network. */
        g_assert_cmpfloat (bp_trace_get_cost (trace), ==, step.cost_before);
        g_assert_true (bp_trace_restore (trace, copy, &error));
        g_assert_cmpmem (copy->params, net->n_params * sizeof (float), net->params,
                         net->n_params * sizeof (float));

        g_assert_false (bp_trace_step (trace, copy, 0.0f, &step, &error));
        g_assert_false (bp_trace_step (trace, copy, NAN, &step, &error));
        g_assert_cmpint (error.code, ==, BP_ERROR_INVALID);
        g_assert_cmpmem (copy->params, net->n_params * sizeof (float), net->params,
                         net->n_params * sizeof (float));

        bp_trace_free (trace);
        bp_network_free (copy);
        bp_network_free (net);
      }
}

/* The trace owns its numbers: the caller's network may change or go; a network of another
 * arch or a label out of range is refused and leaves the trace as it was. */
static void
test_ownership_and_errors (void)
{
  const size_t sizes[] = { 10, 6, 3 };
  const size_t other_sizes[] = { 10, 7, 3 };
  BpNetwork *net = make_network (sizes, 3, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SOFTMAX,
                                 BP_COST_LOG_LIKELIHOOD, BP_INIT_DEFAULT, 2);
  BpNetwork *other = make_network (other_sizes, 3, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SOFTMAX,
                                   BP_COST_LOG_LIKELIHOOD, BP_INIT_DEFAULT, 2);
  g_autofree float *x = make_input (10, 4);
  g_autofree float *saved = g_new (float, net->n_params);
  BpTrace *trace = make_trace (net, x, 2);
  double cost = bp_trace_get_cost (trace);
  BpError error = { 0 };

  memcpy (saved, bp_trace_get_gradient (trace), net->n_params * sizeof (float));
  x[0] = 100.0f;
  net->params[0] = 100.0f;
  g_assert_cmpfloat (bp_trace_get_network (trace)->params[0], !=, 100.0f);
  g_assert_cmpfloat (bp_trace_get_input (trace)[0], !=, 100.0f);
  bp_network_free (net);
  g_assert_cmpfloat (bp_trace_get_cost (trace), ==, cost);

  g_assert_false (bp_trace_compute (trace, other, x, 1, &error));
  g_assert_cmpint (error.code, ==, BP_ERROR_INVALID);
  bp_error_clear (&error);
  g_assert_false (bp_trace_restore (trace, other, &error));
  bp_error_clear (&error);
  net = make_network (sizes, 3, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SOFTMAX, BP_COST_LOG_LIKELIHOOD,
                      BP_INIT_DEFAULT, 2);
  g_assert_false (bp_trace_compute (trace, net, x, 3, &error));
  g_assert_nonnull (strstr (error.message, "label 3"));
  g_assert_cmpfloat (bp_trace_get_cost (trace), ==, cost);
  g_assert_cmpmem (saved, net->n_params * sizeof (float), bp_trace_get_gradient (trace),
                   net->n_params * sizeof (float));

  bp_trace_free (trace);
  bp_network_free (net);
  bp_network_free (other);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/trace/is-the-engine", test_trace_is_engine);
  g_test_add_func ("/trace/four-equations", test_four_equations);
  g_test_add_func ("/trace/gradient-check", test_gradient_check);
  g_test_add_func ("/trace/relative-error", test_relative_error);
  g_test_add_func ("/trace/gradient-check-sample-cancel", test_gradient_check_sample_and_cancel);
  g_test_add_func ("/trace/quadratic-slowdown", test_quadratic_slowdown);
  g_test_add_func ("/trace/saturation", test_saturation);
  g_test_add_func ("/trace/neuron-terms", test_neuron_terms);
  g_test_add_func ("/trace/step-and-undo", test_step_and_undo);
  g_test_add_func ("/trace/ownership-and-errors", test_ownership_and_errors);

  return g_test_run ();
}
