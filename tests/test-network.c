/* test-network.c — gradient checks, kernel agreement and the SGD update rules
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib.h>
#include <math.h>
#include <string.h>

#include "bp-network.h"

/* ── A double-precision oracle ─────────────────────────────────────────────────────────────── */

/* The summed cost of a batch computed in double from the float parameters, with parameter
 * @index moved by @h. Central differences of this are the gradient's reference values. */
static double
reference_cost (const BpNetwork *net,
                const float     *x,
                const uint8_t   *labels,
                size_t           batch,
                size_t           index,
                double           h)
{
  size_t sizes[BP_MAX_LAYERS];
  size_t L = bp_arch_get_sizes (&net->arch, sizes);
  double total = 0.0;
  double *a = g_new0 (double, BP_MAX_LAYER_SIZE);
  double *b = g_new0 (double, BP_MAX_LAYER_SIZE);

  for (size_t r = 0; r < batch; r++)
    {
      size_t n_out = sizes[L - 1];

      for (size_t k = 0; k < sizes[0]; k++)
        a[k] = x[r * sizes[0] + k];

      for (size_t l = 1; l < L; l++)
        {
          size_t n_in = sizes[l - 1];

          for (size_t j = 0; j < sizes[l]; j++)
            {
              size_t bi = net->layers[l - 1].b_offset + j;
              double z = net->params[bi] + (bi == index ? h : 0.0);

              for (size_t k = 0; k < n_in; k++)
                {
                  size_t wi = net->layers[l - 1].w_offset + j * n_in + k;

                  z += (net->params[wi] + (wi == index ? h : 0.0)) * a[k];
                }
              b[j] = z;
            }

          if (l + 1 < L)
            for (size_t j = 0; j < sizes[l]; j++)
              switch (net->arch.layers[l - 1].activation)
                {
                case BP_ACTIVATION_SIGMOID:
                  b[j] = 1.0 / (1.0 + exp (-b[j]));
                  break;
                case BP_ACTIVATION_TANH:
                  b[j] = tanh (b[j]);
                  break;
                case BP_ACTIVATION_RELU:
                  b[j] = b[j] > 0.0 ? b[j] : 0.0;
                  break;
                }
          memcpy (a, b, sizes[l] * sizeof (double));
        }

      /* a holds the output layer's z. */
      if (net->arch.output == BP_OUTPUT_SOFTMAX)
        {
          double max = a[0], sum = 0.0;

          for (size_t j = 1; j < n_out; j++)
            max = MAX (max, a[j]);
          for (size_t j = 0; j < n_out; j++)
            sum += exp (a[j] - max);
          total += max + log (sum) - a[labels[r]];
        }
      else
        for (size_t j = 0; j < n_out; j++)
          {
            double s = 1.0 / (1.0 + exp (-a[j]));
            double y = j == labels[r] ? 1.0 : 0.0;

            if (net->arch.cost == BP_COST_QUADRATIC)
              total += 0.5 * (s - y) * (s - y);
            else
              total += -y * log (s) - (1.0 - y) * log (1.0 - s);
          }
    }

  g_free (a);
  g_free (b);
  return total;
}

static BpNetwork *
make_network (const size_t *sizes,
              size_t        n_layers,
              BpActivation  activation,
              BpOutput      output,
              BpCost        cost,
              BpInit        init,
              uint64_t      seed)
{
  BpError error = { 0 };
  BpNetwork *net = bp_network_new_dense (sizes, n_layers, activation, output, cost, &error);
  BpRng rng;

  g_assert_cmpstr (error.message, ==, "");
  g_assert_nonnull (net);
  bp_rng_seed (&rng, seed, BP_RNG_STREAM_INIT);
  bp_network_init (net, init, &rng);
  return net;
}

static void
random_batch (float   *x,
              uint8_t *labels,
              size_t   batch,
              size_t   n_in,
              size_t   n_classes,
              uint64_t seed)
{
  BpRng rng;

  bp_rng_seed (&rng, seed, BP_RNG_STREAM_SAMPLE);
  for (size_t i = 0; i < batch * n_in; i++)
    x[i] = bp_rng_uniform_float (&rng);
  for (size_t r = 0; r < batch; r++)
    labels[r] = (uint8_t) bp_rng_below (&rng, n_classes);
}

typedef struct
{
  BpActivation activation;
  BpOutput     output;
  BpCost       cost;
} Combo;

static void
check_gradient (const Combo *c)
{
  const size_t sizes[] = { 7, 6, 5, 4 };
  const size_t batch = 5;
  BpNetwork *net = make_network (sizes, G_N_ELEMENTS (sizes), c->activation, c->output, c->cost,
                                 BP_INIT_DEFAULT, 42);
  BpWorkspace *ws = bp_workspace_new (net, batch, NULL);
  float x[5 * 7];
  uint8_t labels[5];
  float *grad = g_new0 (float, net->n_params);
  double worst = 0.0;

  random_batch (x, labels, batch, sizes[0], sizes[3], 7);
  bp_network_forward (net, ws, x, batch, BP_KERNEL_NAIVE);
  g_assert_cmpfloat_with_epsilon (bp_network_batch_cost (net, ws, labels, batch),
                                  reference_cost (net, x, labels, batch, SIZE_MAX, 0.0), 1e-4);
  bp_network_backward (net, ws, x, labels, batch, grad, BP_KERNEL_NAIVE);

  for (size_t i = 0; i < net->n_params; i++)
    {
      const double h = 1e-4;
      double numeric = (reference_cost (net, x, labels, batch, i, h)
                        - reference_cost (net, x, labels, batch, i, -h)) / (2.0 * h);
      double err = fabs (numeric - grad[i]) / MAX (1.0, fabs (numeric));

      worst = MAX (worst, err);
      if (err > 1e-4)
        g_error ("%s/%s/%s: ∂C/∂θ[%zu] analytic %.8g, numeric %.8g", bp_activation_to_string (c->activation),
                 bp_output_to_string (c->output), bp_cost_to_string (c->cost), i, grad[i], numeric);
    }
  g_test_message ("worst relative error %.3g over %zu parameters", worst, net->n_params);

  g_free (grad);
  bp_workspace_free (ws);
  bp_network_free (net);
}

static void
test_gradient_check (gconstpointer data)
{
  check_gradient (data);
}

/* The L1 and L2 terms of the update: one SGD step must move each weight by −η times the
 * numeric derivative of the regularised mean cost C/m + (λ₂/2n)Σw² + (λ₁/n)Σ|w|. */
static void
test_regularisation_update (void)
{
  const size_t sizes[] = { 6, 5, 3 };
  const size_t batch = 4;
  BpNetwork *net = make_network (sizes, 3, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                                 BP_COST_CROSS_ENTROPY, BP_INIT_LARGE, 3);
  BpNetwork *before = bp_network_copy (net);
  BpWorkspace *ws = bp_workspace_new (net, batch, NULL);
  BpHyperparams p = { .eta = 1e-3f, .lambda_l2 = 2.0f, .lambda_l1 = 3.0f, .batch_size = batch };
  const size_t n_train = 100;
  float x[4 * 6];
  uint8_t labels[4];

  random_batch (x, labels, batch, 6, 3, 9);
  bp_network_train_batch (net, ws, x, labels, batch, &p, n_train, NULL, NULL, false,
                          BP_KERNEL_NAIVE);

  for (size_t l = 1; l < net->arch.n_layers + 1; l++)
    for (size_t i = 0; i < sizes[l] * sizes[l - 1] + sizes[l]; i++)
      {
        size_t idx = net->layers[l - 1].w_offset + i;
        bool is_weight = i < sizes[l] * sizes[l - 1];
        const double h = 1e-4;
        double w = before->params[idx];
        double dcost = (reference_cost (before, x, labels, batch, idx, h)
                        - reference_cost (before, x, labels, batch, idx, -h)) / (2.0 * h) / batch;
        double dreg = is_weight ? p.lambda_l2 / n_train * w
                                  + p.lambda_l1 / n_train * (w > 0 ? 1.0 : w < 0 ? -1.0 : 0.0)
                                : 0.0;
        double expected = w - p.eta * (dcost + dreg);

        g_assert_cmpfloat_with_epsilon (net->params[idx], expected, 2e-6 * MAX (1.0, fabs (w)));
      }

  bp_workspace_free (ws);
  bp_network_free (before);
  bp_network_free (net);
}

/* ── Fast kernels agree with the naive oracle ──────────────────────────────────────────────── */

typedef struct
{
  const char *kernel;
  size_t      sizes[4];
  size_t      n_layers;
  size_t      batch;
  float       lambda_l1;
  float       momentum;
} KernelCase;

static void
test_kernels_agree (gconstpointer data)
{
  const KernelCase *kc = data;
  BpHyperparams p = { .eta = 0.5f, .lambda_l2 = 5.0f, .lambda_l1 = kc->lambda_l1,
                      .momentum = kc->momentum, .batch_size = kc->batch };
  BpNetwork *a, *b;
  BpWorkspace *wsa, *wsb;
  float *x, *va, *vb;
  uint8_t *labels;
  size_t n_in = kc->sizes[0];
  size_t n_out = kc->sizes[kc->n_layers - 1];
  double max_diff = 0.0;

  if (!g_setenv ("BACKPROP_KERNEL", kc->kernel, TRUE))
    g_assert_not_reached ();
  a = make_network (kc->sizes, kc->n_layers, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                    BP_COST_QUADRATIC, BP_INIT_DEFAULT, 11);
  b = bp_network_copy (a);
  wsa = bp_workspace_new (a, kc->batch, NULL);
  wsb = bp_workspace_new (b, kc->batch, NULL);
  g_unsetenv ("BACKPROP_KERNEL");

  x = g_new (float, kc->batch * n_in);
  labels = g_new (uint8_t, kc->batch);
  va = g_new0 (float, a->n_params);
  vb = g_new0 (float, a->n_params);

  for (int step = 0; step < 6; step++)
    {
      const float *oa, *ob;

      random_batch (x, labels, kc->batch, n_in, n_out, 100 + step);
      oa = bp_network_forward (a, wsa, x, kc->batch, BP_KERNEL_NAIVE);
      ob = bp_network_forward (b, wsb, x, kc->batch, BP_KERNEL_FAST);
      for (size_t i = 0; i < kc->batch * n_out; i++)
        g_assert_cmpfloat_with_epsilon (oa[i], ob[i], 1e-5);

      bp_network_train_batch (a, wsa, x, labels, kc->batch, &p, 1000,
                              kc->momentum > 0 ? va : NULL, NULL, false, BP_KERNEL_NAIVE);
      bp_network_train_batch (b, wsb, x, labels, kc->batch, &p, 1000,
                              kc->momentum > 0 ? vb : NULL, NULL, false, BP_KERNEL_FAST);
    }

  for (size_t i = 0; i < a->n_params; i++)
    {
      double d = fabs ((double) a->params[i] - b->params[i]);

      max_diff = MAX (max_diff, d);
      g_assert_cmpfloat (d, <=, 1e-5 * MAX (1.0, fabs (a->params[i])));
    }
  g_test_message ("kernel %s: largest parameter difference after 6 steps %.3g", kc->kernel, max_diff);

  g_free (x);
  g_free (labels);
  g_free (va);
  g_free (vb);
  bp_workspace_free (wsa);
  bp_workspace_free (wsb);
  bp_network_free (a);
  bp_network_free (b);
}

/* ── Update rules ──────────────────────────────────────────────────────────────────────────── */

static BpNetwork *
train_steps (BpKernel kernel,
             float    momentum,
             bool     with_velocity,
             float    dropout,
             bool     with_rng)
{
  const size_t sizes[] = { 20, 12, 8, 4 };
  BpNetwork *net = make_network (sizes, 4, BP_ACTIVATION_RELU, BP_OUTPUT_SOFTMAX,
                                 BP_COST_LOG_LIKELIHOOD, BP_INIT_DEFAULT, 5);
  BpWorkspace *ws = bp_workspace_new (net, 8, NULL);
  BpHyperparams p = { .eta = 0.1f, .lambda_l2 = 1.0f, .momentum = momentum, .dropout = dropout,
                      .batch_size = 8 };
  float *v = g_new0 (float, net->n_params);
  float x[8 * 20];
  uint8_t labels[8];
  BpRng rng;

  bp_rng_seed (&rng, 77, BP_RNG_STREAM_DROPOUT);
  for (int step = 0; step < 20; step++)
    {
      random_batch (x, labels, 8, 20, 4, 300 + step);
      bp_network_train_batch (net, ws, x, labels, 8, &p, 500, with_velocity ? v : NULL,
                              with_rng ? &rng : NULL, false, kernel);
    }
  g_free (v);
  bp_workspace_free (ws);
  return net;
}

static void
assert_same_bits (const BpNetwork *a,
                  const BpNetwork *b)
{
  g_assert_cmpuint (a->n_params, ==, b->n_params);
  g_assert_cmpmem (a->params, a->n_params * sizeof (float), b->params, b->n_params * sizeof (float));
}

static void
test_momentum_zero_is_sgd (void)
{
  for (int k = 0; k < 2; k++)
    {
      BpNetwork *plain = train_steps (k, 0.0f, false, 0.0f, false);
      BpNetwork *mom = train_steps (k, 0.0f, true, 0.0f, false);
      BpNetwork *moving = train_steps (k, 0.9f, true, 0.0f, false);

      assert_same_bits (plain, mom);
      /* …and momentum is not a no-op. */
      g_assert_true (memcmp (plain->params, moving->params, plain->n_params * sizeof (float)) != 0);
      bp_network_free (plain);
      bp_network_free (mom);
      bp_network_free (moving);
    }
}

static void
test_dropout_zero_is_plain (void)
{
  for (int k = 0; k < 2; k++)
    {
      BpNetwork *plain = train_steps (k, 0.0f, false, 0.0f, false);
      BpNetwork *dropout0 = train_steps (k, 0.0f, false, 0.0f, true);
      BpNetwork *dropout = train_steps (k, 0.0f, false, 0.5f, true);

      assert_same_bits (plain, dropout0);
      g_assert_true (memcmp (plain->params, dropout->params, plain->n_params * sizeof (float)) != 0);
      bp_network_free (plain);
      bp_network_free (dropout0);
      bp_network_free (dropout);
    }
}

/* Inverted dropout keeps each hidden neuron with probability 1 − p and scales it by 1/(1 − p).
 * With ReLU and huge biases every pre-activation is positive, so ∂C/∂W2[0][j] = δ₀·a_j is
 * non-zero exactly when neuron j was kept, and a_j/(1 − p) shows in the next layer's input. */
static void
test_dropout_scaling (void)
{
  const size_t sizes[] = { 30, 200, 2 };
  BpNetwork *net = make_network (sizes, 3, BP_ACTIVATION_RELU, BP_OUTPUT_SOFTMAX,
                                 BP_COST_LOG_LIKELIHOOD, BP_INIT_DEFAULT, 8);
  BpWorkspace *ws = bp_workspace_new (net, 1, NULL);
  float *grad = g_new0 (float, net->n_params);
  float *plain = g_new0 (float, net->n_params);
  float x[30];
  uint8_t label;
  BpRng rng;
  size_t n_kept = 0;
  const int trials = 200;

  random_batch (x, &label, 1, 30, 2, 1);
  for (size_t j = 0; j < 200; j++)
    net->params[net->layers[0].b_offset + j] = 1000.0f;

  /* Without dropout: the reference gradient row. */
  bp_network_forward (net, ws, x, 1, BP_KERNEL_NAIVE);
  bp_network_backward (net, ws, x, &label, 1, plain, BP_KERNEL_NAIVE);

  bp_rng_seed (&rng, 3, BP_RNG_STREAM_DROPOUT);
  for (int t = 0; t < trials; t++)
    {
      bp_network_forward_train (net, ws, x, 1, 0.3f, &rng, BP_KERNEL_NAIVE);
      bp_network_backward (net, ws, x, &label, 1, grad, BP_KERNEL_NAIVE);
      for (size_t j = 0; j < 200; j++)
        {
          float g = grad[net->layers[1].w_offset + j];

          if (g == 0.0f)
            continue;
          n_kept++;
          /* The same sign as without dropout, and (per unit δ) the activation scaled by 1/0.7. */
          g_assert_cmpint (g > 0, ==, plain[net->layers[1].w_offset + j] > 0);
        }
    }
  g_assert_cmpfloat (fabs ((double) n_kept / (trials * 200.0) - 0.7), <, 0.01);

  g_free (grad);
  g_free (plain);
  bp_workspace_free (ws);
  bp_network_free (net);
}

/* ── Shapes, names, init ───────────────────────────────────────────────────────────────────── */

static void
test_layout (void)
{
  const size_t sizes[] = { 784, 30, 10 };
  BpNetwork *net = make_network (sizes, 3, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                                 BP_COST_QUADRATIC, BP_INIT_LARGE, 1);

  g_assert_cmpuint (net->n_params, ==, 784 * 30 + 30 + 30 * 10 + 10);
  g_assert_cmpuint (net->layers[0].w_offset, ==, 0);
  g_assert_cmpuint (net->layers[0].b_offset, ==, 784 * 30);
  g_assert_cmpuint (net->layers[1].w_offset, ==, 784 * 30 + 30);
  g_assert_cmpuint (net->layers[1].b_offset, ==, 784 * 30 + 30 + 300);
  g_assert_true (((uintptr_t) net->params & 63) == 0);
  g_assert_true (bp_network_is_finite (net));
  net->params[1234] = NAN;
  g_assert_false (bp_network_is_finite (net));
  net->params[1234] = INFINITY;
  g_assert_false (bp_network_is_finite (net));
  bp_network_free (net);
}

static void
test_init_statistics (void)
{
  const size_t sizes[] = { 400, 300, 10 };
  BpNetwork *def = make_network (sizes, 3, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                                 BP_COST_CROSS_ENTROPY, BP_INIT_DEFAULT, 2);
  BpNetwork *large = make_network (sizes, 3, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                                   BP_COST_CROSS_ENTROPY, BP_INIT_LARGE, 2);
  BpNetwork *relu = make_network (sizes, 3, BP_ACTIVATION_RELU, BP_OUTPUT_SOFTMAX,
                                  BP_COST_LOG_LIKELIHOOD, BP_INIT_DEFAULT, 2);
  BpNetwork *nets[3] = { def, large, relu };
  double expect_w[3] = { 1.0 / 20.0, 1.0, sqrt (2.0 / 400.0) };
  double expect_b[3] = { 1.0, 1.0, 0.0 };

  for (int i = 0; i < 3; i++)
    {
      const float *w = nets[i]->params + nets[i]->layers[0].w_offset;
      const float *b = nets[i]->params + nets[i]->layers[0].b_offset;
      double s = 0, s2 = 0, b2 = 0;

      for (size_t k = 0; k < 400 * 300; k++)
        {
          s += w[k];
          s2 += (double) w[k] * w[k];
        }
      for (size_t k = 0; k < 300; k++)
        b2 += (double) b[k] * b[k];
      g_assert_cmpfloat (fabs (s / 120000.0), <, 0.01 * expect_w[i] + 1e-4);
      g_assert_cmpfloat (fabs (sqrt (s2 / 120000.0) / expect_w[i] - 1.0), <, 0.01);
      g_assert_cmpfloat (fabs (sqrt (b2 / 300.0) - expect_b[i]), <, 0.15);
    }

  bp_network_free (def);
  bp_network_free (large);
  bp_network_free (relu);
}

static void
test_bad_networks (void)
{
  BpError error = { 0 };
  size_t sizes[3] = { 784, 30, 10 };
  size_t zero[3] = { 784, 0, 10 };

  g_assert_null (bp_network_new_dense (sizes, 1, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                                       BP_COST_QUADRATIC, &error));
  g_assert_nonnull (strstr (error.message, "2 to 8 layers"));
  g_assert_null (bp_network_new_dense (zero, 3, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                                       BP_COST_QUADRATIC, &error));
  g_assert_nonnull (strstr (error.message, "layer 1 has 0 neurons"));
  g_assert_null (bp_network_new_dense (sizes, 3, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SOFTMAX,
                                       BP_COST_QUADRATIC, &error));
  g_assert_nonnull (strstr (error.message, "softmax output layer goes with the log-likelihood"));
  g_assert_null (bp_network_new_dense (sizes, 3, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                                       BP_COST_LOG_LIKELIHOOD, &error));
  g_assert_nonnull (strstr (error.message, "needs a softmax output"));
}

static void
test_parse_layers (void)
{
  size_t sizes[BP_MAX_LAYERS], n = 0;
  BpError error = { 0 };
  char buf[64];

  g_assert_true (bp_parse_layers ("784,30,10", sizes, &n, &error));
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpuint (sizes[1], ==, 30);
  bp_format_layers (sizes, n, '-', buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "784-30-10");
  g_assert_false (bp_parse_layers ("784,abc", sizes, &n, &error));
  g_assert_nonnull (strstr (error.message, "expected a number at \"abc\""));
  g_assert_false (bp_parse_layers ("784", sizes, &n, &error));
  g_assert_false (bp_parse_layers ("784,0,10", sizes, &n, &error));
  g_assert_false (bp_parse_layers ("1,2,3,4,5,6,7,8,9", sizes, &n, &error));
  g_assert_false (bp_parse_layers ("784,,10", sizes, &n, &error));
  g_assert_false (bp_parse_layers ("99999999999999999999999,10", sizes, &n, &error));
}

static void
test_names (void)
{
  BpActivation a;
  BpCost c;
  BpOutput o;
  BpInit i;

  g_assert_true (bp_activation_from_string ("relu", &a) && a == BP_ACTIVATION_RELU);
  g_assert_true (bp_cost_from_string ("log-likelihood", &c) && c == BP_COST_LOG_LIKELIHOOD);
  g_assert_true (bp_output_from_string ("softmax", &o) && o == BP_OUTPUT_SOFTMAX);
  g_assert_true (bp_init_from_string ("large", &i) && i == BP_INIT_LARGE);
  g_assert_false (bp_activation_from_string ("Relu", &a));
  g_assert_false (bp_cost_from_string (NULL, &c));
  g_assert_cmpstr (bp_cost_to_string (BP_COST_CROSS_ENTROPY), ==, "cross-entropy");
}

/* Predicting one example with caller scratch gives the batch forward's answer. */
static void
test_predict_matches_batch (void)
{
  const size_t sizes[] = { 50, 17, 9, 10 };
  BpNetwork *net = make_network (sizes, 4, BP_ACTIVATION_TANH, BP_OUTPUT_SOFTMAX,
                                 BP_COST_LOG_LIKELIHOOD, BP_INIT_DEFAULT, 4);
  BpWorkspace *ws = bp_workspace_new (net, 3, NULL);
  float *scratch = g_new (float, bp_network_scratch_size (net));
  float x[3 * 50], out[10];
  uint8_t labels[3];
  const float *batch_out;

  random_batch (x, labels, 3, 50, 10, 5);
  batch_out = bp_network_forward (net, ws, x, 3, BP_KERNEL_FAST);
  for (int r = 0; r < 3; r++)
    {
      double sum = 0;

      bp_network_predict (net, x + r * 50, out, scratch);
      for (int j = 0; j < 10; j++)
        {
          g_assert_cmpfloat_with_epsilon (out[j], batch_out[r * 10 + j], 1e-6);
          sum += out[j];
        }
      g_assert_cmpfloat_with_epsilon (sum, 1.0, 1e-5);
    }
  g_free (scratch);
  bp_workspace_free (ws);
  bp_network_free (net);
}

/* Known answers for the costs: a saturated correct output costs ~0, a uniform softmax costs
 * ln 10. */
static void
test_cost_known_answers (void)
{
  const size_t sizes[] = { 1, 10 };
  BpNetwork *net = make_network (sizes, 2, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SOFTMAX,
                                 BP_COST_LOG_LIKELIHOOD, BP_INIT_DEFAULT, 1);
  BpWorkspace *ws = bp_workspace_new (net, 1, NULL);
  float x = 0.0f;
  uint8_t y = 3;

  memset (net->params, 0, net->n_params * sizeof (float));
  bp_network_forward (net, ws, &x, 1, BP_KERNEL_NAIVE);
  g_assert_cmpfloat_with_epsilon (bp_network_batch_cost (net, ws, &y, 1), log (10.0), 1e-6);

  /* Cross-entropy with saturated sigmoid outputs stays finite where a naive log would not. */
  net->arch.cost = BP_COST_CROSS_ENTROPY;
  net->arch.output = BP_OUTPUT_SIGMOID;
  for (int j = 0; j < 10; j++)
    net->params[net->layers[0].b_offset + j] = j == 3 ? 100.0f : -100.0f;
  bp_network_forward (net, ws, &x, 1, BP_KERNEL_NAIVE);
  g_assert_cmpfloat (bp_network_batch_cost (net, ws, &y, 1), <, 1e-30);
  y = 4;
  g_assert_cmpfloat_with_epsilon (bp_network_batch_cost (net, ws, &y, 1), 200.0, 1e-6);

  bp_workspace_free (ws);
  bp_network_free (net);
}

/* ── Per-layer forward and per-layer dropout ───────────────────────────────────────────────── */

/* bp_network_forward_layers() keeps every layer's z and a: the prediction's last layer bit for
 * bit, and each layer what the double-precision formula says. */
static void
test_forward_layers (void)
{
  const size_t sizes[] = { 12, 9, 7, 5 };
  BpNetwork *net = make_network (sizes, 4, BP_ACTIVATION_TANH, BP_OUTPUT_SOFTMAX,
                                 BP_COST_LOG_LIKELIHOOD, BP_INIT_DEFAULT, 21);
  float x[12], out[5];
  float zbuf[9 + 7 + 5], abuf[9 + 7 + 5];
  float *z[3] = { zbuf, zbuf + 9, zbuf + 16 };
  float *a[3] = { abuf, abuf + 9, abuf + 16 };
  g_autofree float *scratch = g_new (float, bp_network_scratch_size (net));
  uint8_t label;

  /* Per-layer activations: layer 0 tanh, layer 1 relu, the output softmax. */
  net->arch.layers[1].activation = BP_ACTIVATION_RELU;
  random_batch (x, &label, 1, 12, 5, 4);
  bp_network_forward_layers (net, x, z, a);
  bp_network_predict (net, x, out, scratch);
  g_assert_cmpmem (out, sizeof out, a[2], sizeof out);

  for (size_t l = 0; l < 3; l++)
    {
      const BpLayer *layer = &net->layers[l];
      const float *in = l == 0 ? x : a[l - 1];
      double sum = 0.0;

      for (size_t j = 0; j < layer->n_out; j++)
        {
          double zj = net->params[layer->b_offset + j];

          for (size_t k = 0; k < layer->n_in; k++)
            zj += (double) net->params[layer->w_offset + j * layer->n_in + k] * in[k];
          g_assert_cmpfloat_with_epsilon (z[l][j], zj, 1e-5 * MAX (1.0, fabs (zj)));
          if (l == 0)
            g_assert_cmpfloat_with_epsilon (a[l][j], tanh (zj), 1e-6);
          else if (l == 1)
            g_assert_cmpfloat_with_epsilon (a[l][j], zj > 0 ? zj : 0.0, 1e-5);
          sum += a[l][j];
        }
      if (l == 2)
        g_assert_cmpfloat_with_epsilon (sum, 1.0, 1e-6);
    }

  /* Without z, and with two buffers taking turns, the same activations. */
  {
    float p[9], q[9];
    float *turns[3] = { p, q, p };

    bp_network_forward_layers (net, x, NULL, turns);
    g_assert_cmpmem (p, 5 * sizeof (float), a[2], 5 * sizeof (float));
  }
  bp_network_free (net);
}

/* Ten steps of training with @arch's dropouts and @live, from the same start and the same
 * random stream. */
static BpNetwork *
train_with_dropout (const BpArch *arch,
                    float         live,
                    BpKernel      kernel)
{
  BpNetwork *net = bp_network_new (arch, NULL);
  BpWorkspace *ws;
  BpHyperparams p = { .eta = 0.3f, .dropout = live, .batch_size = 6 };
  float x[6 * 16];
  uint8_t labels[6];
  BpRng rng;

  g_assert_nonnull (net);
  ws = bp_workspace_new (net, 6, NULL);
  bp_rng_seed (&rng, 5, BP_RNG_STREAM_INIT);
  bp_network_init (net, BP_INIT_DEFAULT, &rng);
  bp_rng_seed (&rng, 6, BP_RNG_STREAM_DROPOUT);
  for (int step = 0; step < 10; step++)
    {
      random_batch (x, labels, 6, 16, 4, 40 + step);
      bp_network_train_batch (net, ws, x, labels, 6, &p, 100, NULL, &rng, false, kernel);
    }
  bp_workspace_free (ws);
  return net;
}

/* A layer's fixed dropout is the live setting where network2-style dropout puts it (on the
 * inputs of the layers after a hidden one): the same masks, drawn in the same order. The live
 * setting never drops the network's input; a fixed dropout on the first layer does. */
static void
test_layer_dropout (void)
{
  const size_t sizes[] = { 16, 12, 8, 4 };
  BpArch live, fixed, input;
  BpNetwork *a, *b, *c, *d;

  g_assert_true (bp_arch_from_sizes (&live, sizes, 4, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                                     BP_COST_CROSS_ENTROPY, NULL));
  fixed = live;
  fixed.layers[1].dropout = 0.4f;
  fixed.layers[2].dropout = 0.4f;
  for (int k = 0; k < 2; k++)
    {
      a = train_with_dropout (&live, 0.4f, k);
      b = train_with_dropout (&fixed, 0.0f, k);
      assert_same_bits (a, b);
      /* The first layer's live dropout is nothing: the input is not a hidden layer. */
      c = train_with_dropout (&live, 0.0f, k);
      g_assert_true (memcmp (a->params, c->params, a->n_params * sizeof (float)) != 0);
      bp_network_free (a);
      bp_network_free (b);
      bp_network_free (c);
    }

  /* A fixed dropout on the first layer drops pixels: with every pixel 1, a weight of the first
   * layer gets a gradient only where its pixel was kept, and the kept ones are scaled by 1/q. */
  input = live;
  input.layers[0].dropout = 0.5f;
  d = bp_network_new (&input, NULL);
  {
    BpWorkspace *ws = bp_workspace_new (d, 1, NULL);
    g_autofree float *grad = g_new0 (float, d->n_params);
    g_autofree float *plain = g_new0 (float, d->n_params);
    float x[16];
    uint8_t label = 1;
    BpRng rng;
    size_t kept = 0;

    for (size_t i = 0; i < 16; i++)
      x[i] = 1.0f;
    bp_rng_seed (&rng, 3, BP_RNG_STREAM_INIT);
    bp_network_init (d, BP_INIT_LARGE, &rng);
    bp_network_forward (d, ws, x, 1, BP_KERNEL_NAIVE);
    bp_network_backward (d, ws, x, &label, 1, plain, BP_KERNEL_NAIVE);
    bp_rng_seed (&rng, 9, BP_RNG_STREAM_DROPOUT);
    for (int t = 0; t < 50; t++)
      {
        bp_network_forward_train (d, ws, x, 1, 0.0f, &rng, BP_KERNEL_NAIVE);
        bp_network_backward (d, ws, x, &label, 1, grad, BP_KERNEL_NAIVE);
        for (size_t k = 0; k < 16; k++)
          {
            /* Column k of W_0: ∂C/∂W_0[j][k] = δ_j·x̃_k, with x̃_k 0 or 2. */
            gboolean column_zero = TRUE;

            for (size_t j = 0; j < 12; j++)
              column_zero = column_zero && grad[d->layers[0].w_offset + j * 16 + k] == 0.0f;
            kept += !column_zero;
          }
      }
    g_assert_cmpfloat (fabs ((double) kept / (50.0 * 16) - 0.5), <, 0.06);
    bp_workspace_free (ws);
  }
  bp_network_free (d);
}

int
main (int   argc,
      char *argv[])
{
  static const Combo combos[] = {
    { BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID, BP_COST_QUADRATIC },
    { BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID, BP_COST_CROSS_ENTROPY },
    { BP_ACTIVATION_SIGMOID, BP_OUTPUT_SOFTMAX, BP_COST_LOG_LIKELIHOOD },
    { BP_ACTIVATION_TANH, BP_OUTPUT_SIGMOID, BP_COST_CROSS_ENTROPY },
    { BP_ACTIVATION_TANH, BP_OUTPUT_SOFTMAX, BP_COST_LOG_LIKELIHOOD },
    { BP_ACTIVATION_RELU, BP_OUTPUT_SOFTMAX, BP_COST_LOG_LIKELIHOOD },
    { BP_ACTIVATION_RELU, BP_OUTPUT_SIGMOID, BP_COST_QUADRATIC },
  };
  static const KernelCase kernel_cases[] = {
    { "avx512", { 784, 30, 10 }, 3, 10, 0.0f, 0.0f },
    { "avx512", { 784, 100, 10 }, 3, 100, 0.0f, 0.0f },
    { "avx512", { 37, 23, 13, 11 }, 4, 7, 0.0f, 0.0f },
    { "avx512", { 37, 23, 11 }, 3, 13, 2.0f, 0.0f },
    { "avx512", { 37, 23, 11 }, 3, 6, 0.0f, 0.9f },
    { "avx512", { 37, 23, 11 }, 3, 9, 2.0f, 0.5f },
    { "avx2", { 784, 30, 10 }, 3, 10, 0.0f, 0.0f },
    { "avx2", { 37, 23, 13, 11 }, 4, 7, 0.0f, 0.0f },
    { "avx2", { 37, 23, 11 }, 3, 9, 2.0f, 0.5f },
  };

  g_test_init (&argc, &argv, NULL);

  for (size_t i = 0; i < G_N_ELEMENTS (combos); i++)
    {
      g_autofree char *path = g_strdup_printf ("/network/gradient-check/%s-%s-%s",
                                               bp_activation_to_string (combos[i].activation),
                                               bp_output_to_string (combos[i].output),
                                               bp_cost_to_string (combos[i].cost));
      g_test_add_data_func (path, &combos[i], test_gradient_check);
    }
  for (size_t i = 0; i < G_N_ELEMENTS (kernel_cases); i++)
    {
      const KernelCase *kc = &kernel_cases[i];
      g_autofree char *path = NULL;
      char layers[64];

      bp_format_layers (kc->sizes, kc->n_layers, '-', layers, sizeof layers);
      path = g_strdup_printf ("/network/kernels-agree/%s/%s-batch%zu-l1-%g-mu-%g", kc->kernel,
                              layers, kc->batch, kc->lambda_l1, kc->momentum);
      /* A variant this CPU cannot run is not built into the test (it would only skip). */
      if (g_strcmp0 (kc->kernel, bp_kernel_fast_name ()) == 0
          || (g_str_equal (kc->kernel, "avx2") && g_str_equal (bp_kernel_fast_name (), "avx512")))
        g_test_add_data_func (path, kc, test_kernels_agree);
    }
  g_test_add_func ("/network/regularisation-update", test_regularisation_update);
  g_test_add_func ("/network/momentum-zero-is-sgd", test_momentum_zero_is_sgd);
  g_test_add_func ("/network/dropout-zero-is-plain", test_dropout_zero_is_plain);
  g_test_add_func ("/network/dropout-keeps-1-p", test_dropout_scaling);
  g_test_add_func ("/network/layout", test_layout);
  g_test_add_func ("/network/init-statistics", test_init_statistics);
  g_test_add_func ("/network/bad-networks", test_bad_networks);
  g_test_add_func ("/network/parse-layers", test_parse_layers);
  g_test_add_func ("/network/names", test_names);
  g_test_add_func ("/network/predict-matches-batch", test_predict_matches_batch);
  g_test_add_func ("/network/cost-known-answers", test_cost_known_answers);
  g_test_add_func ("/network/forward-layers", test_forward_layers);
  g_test_add_func ("/network/layer-dropout", test_layer_dropout);

  return g_test_run ();
}
