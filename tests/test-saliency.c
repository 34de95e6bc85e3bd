/* test-saliency.c — the input gradient (saliency) against central differences of a double oracle
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib.h>
#include <math.h>
#include <string.h>

#include "bp-network.h"
#include "bp-rng.h"

/* Output @k of @net at input @x, computed in double from the float parameters, with input
 * pixel @index moved by @h (no pixel moved when @index is out of range). */
static double
reference_output (const BpNetwork *net,
                  const float     *x,
                  size_t           index,
                  double           h,
                  size_t           k)
{
  size_t sizes[BP_MAX_LAYERS];
  size_t L = bp_arch_get_sizes (&net->arch, sizes);
  g_autofree double *a = g_new0 (double, BP_MAX_LAYER_SIZE);
  g_autofree double *b = g_new0 (double, BP_MAX_LAYER_SIZE);
  size_t n_out = sizes[L - 1];
  double result;

  for (size_t i = 0; i < sizes[0]; i++)
    a[i] = (double) x[i] + (i == index ? h : 0.0);

  for (size_t l = 1; l < L; l++)
    {
      size_t n_in = sizes[l - 1];
      const float *w = net->params + net->layers[l - 1].w_offset;
      const float *bias = net->params + net->layers[l - 1].b_offset;

      for (size_t j = 0; j < sizes[l]; j++)
        {
          double z = bias[j];

          for (size_t i = 0; i < n_in; i++)
            z += (double) w[j * n_in + i] * a[i];
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
            default:
              b[j] = b[j] > 0.0 ? b[j] : 0.0;
              break;
            }
      memcpy (a, b, sizes[l] * sizeof (double));
    }

  if (net->arch.output == BP_OUTPUT_SIGMOID)
    return 1.0 / (1.0 + exp (-a[k]));

  {
    double max = a[0];
    double sum = 0.0;

    for (size_t j = 1; j < n_out; j++)
      max = a[j] > max ? a[j] : max;
    for (size_t j = 0; j < n_out; j++)
      sum += exp (a[j] - max);
    result = exp (a[k] - max) / sum;
  }
  return result;
}

static BpNetwork *
random_network (const size_t *sizes,
                size_t        n_layers,
                BpActivation  activation,
                BpOutput      output,
                uint64_t      seed)
{
  BpCost cost = output == BP_OUTPUT_SOFTMAX ? BP_COST_LOG_LIKELIHOOD : BP_COST_CROSS_ENTROPY;
  BpError error = { 0 };
  BpNetwork *net = bp_network_new_dense (sizes, n_layers, activation, output, cost, &error);
  BpRng rng;

  g_assert_cmpint (error.code, ==, BP_ERROR_NONE);
  g_assert_nonnull (net);
  bp_rng_seed (&rng, seed, BP_RNG_STREAM_INIT);
  /* The large initialiser puts the hidden units in every regime: saturated, linear, and for
   * ReLU both sides of the kink. */
  bp_network_init (net, BP_INIT_LARGE, &rng);
  return net;
}

/* Compare bp_network_input_gradient() with central differences for every class, input pixel
 * and a few random inputs. Returns the largest error relative to max(|g|, 1e-3). */
static double
check_gradient (const BpNetwork *net,
                uint64_t         seed,
                size_t           n_inputs)
{
  size_t n_in = net->n_inputs;
  size_t n_out = net->n_outputs;
  g_autofree float *x = g_new (float, n_in);
  g_autofree float *grad = g_new (float, n_in);
  g_autofree float *scratch = g_new (float, bp_network_input_gradient_scratch_size (net));
  const double h = 1e-4;
  double worst = 0.0;
  size_t checked = 0;
  BpRng rng;

  bp_rng_seed (&rng, seed, BP_RNG_STREAM_SAMPLE);
  for (size_t r = 0; r < n_inputs; r++)
    {
      for (size_t i = 0; i < n_in; i++)
        x[i] = bp_rng_uniform_float (&rng);

      for (size_t k = 0; k < n_out; k++)
        {
          bp_network_input_gradient (net, x, k, grad, scratch);
          for (size_t i = 0; i < n_in; i++)
            {
              double numeric = (reference_output (net, x, i, h, k)
                                - reference_output (net, x, i, -h, k)) / (2.0 * h);
              double err = fabs ((double) grad[i] - numeric) / fmax (fabs (numeric), 1e-3);

              /* A ReLU kink inside [x − h, x + h] makes the difference quotient meaningless;
               * with random inputs that is rare, and a real bug fails far more entries. */
              g_assert_true (isfinite (grad[i]));
              worst = fmax (worst, err);
              checked++;
            }
        }
    }
  g_test_message ("%zu partial derivatives, worst relative error %.2e", checked, worst);
  return worst;
}

static void
test_gradient_cases (void)
{
  static const size_t small[] = { 12, 9, 7, 4 };
  static const size_t one_hidden[] = { 10, 8, 5 };
  static const struct
  {
    BpActivation activation;
    BpOutput     output;
  } cases[] = {
    { BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID },
    { BP_ACTIVATION_SIGMOID, BP_OUTPUT_SOFTMAX },
    { BP_ACTIVATION_TANH, BP_OUTPUT_SIGMOID },
    { BP_ACTIVATION_TANH, BP_OUTPUT_SOFTMAX },
    { BP_ACTIVATION_RELU, BP_OUTPUT_SIGMOID },
    { BP_ACTIVATION_RELU, BP_OUTPUT_SOFTMAX },
  };

  for (size_t c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      BpNetwork *deep = random_network (small, G_N_ELEMENTS (small), cases[c].activation,
                                        cases[c].output, 10 + c);
      BpNetwork *shallow = random_network (one_hidden, G_N_ELEMENTS (one_hidden),
                                           cases[c].activation, cases[c].output, 20 + c);

      g_test_message ("%s hidden, %s output", bp_activation_to_string (cases[c].activation),
                      bp_output_to_string (cases[c].output));
      g_assert_cmpfloat (check_gradient (deep, 100 + c, 4), <, 2e-3);
      g_assert_cmpfloat (check_gradient (shallow, 200 + c, 4), <, 2e-3);
      bp_network_free (deep);
      bp_network_free (shallow);
    }
}

/* No hidden layer: the gradient is σ′(z_k)·W[k] in closed form. */
static void
test_no_hidden_layer (void)
{
  static const size_t sizes[] = { 6, 3 };
  BpNetwork *net = random_network (sizes, 2, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID, 5);
  float x[6] = { 0.1f, 0.9f, 0.0f, 1.0f, 0.5f, 0.25f };
  float grad[6];
  g_autofree float *scratch = g_new (float, bp_network_input_gradient_scratch_size (net));

  for (size_t k = 0; k < 3; k++)
    {
      const float *w = net->params + net->layers[0].w_offset + k * 6;
      double z = net->params[net->layers[0].b_offset + k];
      double s;

      for (size_t i = 0; i < 6; i++)
        z += (double) w[i] * x[i];
      s = 1.0 / (1.0 + exp (-z));
      bp_network_input_gradient (net, x, k, grad, scratch);
      for (size_t i = 0; i < 6; i++)
        g_assert_cmpfloat_with_epsilon (grad[i], s * (1.0 - s) * w[i], 1e-6);
    }
  bp_network_free (net);
}

/* Softmax probabilities sum to 1, so their input gradients sum to 0; and the gradient works at
 * MNIST's size with the scratch size it asks for, leaving the scratch's neighbours alone. */
static void
test_softmax_sum_and_mnist_size (void)
{
  static const size_t sizes[] = { 784, 30, 10 };
  BpNetwork *net = random_network (sizes, 3, BP_ACTIVATION_RELU, BP_OUTPUT_SOFTMAX, 7);
  size_t n_scratch = bp_network_input_gradient_scratch_size (net);
  g_autofree float *scratch = g_new (float, n_scratch + 1);
  g_autofree float *x = g_new (float, 784);
  g_autofree float *sum = g_new0 (float, 784);
  float grad[784 + 1];
  double largest = 0.0;
  BpRng rng;

  bp_rng_seed (&rng, 3, BP_RNG_STREAM_SAMPLE);
  for (size_t i = 0; i < 784; i++)
    x[i] = bp_rng_uniform_float (&rng) < 0.2f ? bp_rng_uniform_float (&rng) : 0.0f;
  scratch[n_scratch] = 12345.0f;
  grad[784] = 6789.0f;

  for (size_t k = 0; k < 10; k++)
    {
      bp_network_input_gradient (net, x, k, grad, scratch);
      for (size_t i = 0; i < 784; i++)
        {
          sum[i] += grad[i];
          largest = fmax (largest, fabs (grad[i]));
        }
    }
  g_assert_cmpfloat (largest, >, 1e-4);
  for (size_t i = 0; i < 784; i++)
    g_assert_cmpfloat (fabs (sum[i]), <, 1e-5 + 1e-4 * largest);
  g_assert_cmpfloat (scratch[n_scratch], ==, 12345.0f);
  g_assert_cmpfloat (grad[784], ==, 6789.0f);
  g_assert_cmpuint (n_scratch, ==, 30 + 10 + 2 * 784);

  /* And the forward pass it runs agrees with bp_network_predict(). */
  {
    g_autofree float *pscratch = g_new (float, bp_network_scratch_size (net));
    float out[10];

    bp_network_predict (net, x, out, pscratch);
    for (size_t k = 0; k < 10; k++)
      g_assert_cmpfloat_with_epsilon (out[k], reference_output (net, x, SIZE_MAX, 0.0, k), 1e-5);
  }
  bp_network_free (net);
}

/* Through conv and pool layers, every class: the saliency map against central differences of
 * the engine's own prediction (in float: a wider step and tolerance than the dense oracle's; a
 * max-pool's winner may change within a step, where the difference quotient means little, so
 * a few entries may miss and a real bug misses most). */
static void
test_conv_layers (void)
{
  static const char *const nets[] = {
    "in1x12x12,conv3x3:tanh,pool2,conv4x3:sigmoid,fc6,softmax4",
    "in2x10x10,conv3x3:sigmoid,pool2,conv3x3:tanh,pool2,sigmoid3",
  };

  for (gsize n = 0; n < G_N_ELEMENTS (nets); n++)
    {
      BpArch arch = { 0 };
      BpError error = { 0 };
      BpNetwork *net;
      g_autofree float *x = NULL, *grad = NULL, *scratch = NULL, *pscratch = NULL;
      float out_p[8], out_m[8];
      double worst = 0.0;
      gsize checked = 0, missed = 0;
      BpRng rng;

      arch.cost = g_str_has_suffix (nets[n], "softmax4") ? BP_COST_LOG_LIKELIHOOD
                                                          : BP_COST_CROSS_ENTROPY;
      g_assert_true (bp_arch_parse (nets[n], BP_ACTIVATION_SIGMOID, &arch, &error));
      net = bp_network_new (&arch, &error);
      g_assert_nonnull (net);
      bp_rng_seed (&rng, 40 + n, BP_RNG_STREAM_INIT);
      bp_network_init (net, BP_INIT_DEFAULT, &rng);
      x = g_new (float, net->n_inputs);
      grad = g_new (float, net->n_inputs);
      scratch = g_new (float, bp_network_input_gradient_scratch_size (net));
      pscratch = g_new (float, bp_network_scratch_size (net));
      for (gsize i = 0; i < net->n_inputs; i++)
        x[i] = bp_rng_uniform_float (&rng);

      for (gsize k = 0; k < net->n_outputs; k++)
        {
          bp_network_input_gradient (net, x, k, grad, scratch);
          for (gsize i = 0; i < net->n_inputs; i++)
            {
              float keep = x[i];
              double numeric;

              x[i] = keep + 1e-2f;
              bp_network_predict (net, x, out_p, pscratch);
              x[i] = keep - 1e-2f;
              bp_network_predict (net, x, out_m, pscratch);
              x[i] = keep;
              numeric = ((double) out_p[k] - (double) out_m[k]) / 2e-2;
              worst = fmax (worst, fabs (numeric - grad[i]));
              missed += fabs (numeric - grad[i]) > 2e-3 + 0.05 * fabs (numeric);
              checked++;
            }
        }
      g_test_message ("%s: %zu partial derivatives, %zu off by more than 2e-3 + 5 %%, worst "
                      "absolute difference %.2e", nets[n], checked, missed, worst);
      g_assert_cmpuint (missed * 100, <=, checked);
      bp_network_free (net);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/saliency/gradient-check", test_gradient_cases);
  g_test_add_func ("/saliency/no-hidden-layer", test_no_hidden_layer);
  g_test_add_func ("/saliency/softmax-sum-and-mnist-size", test_softmax_sum_and_mnist_size);
  g_test_add_func ("/saliency/conv-layers", test_conv_layers);

  return g_test_run ();
}
