/* test-conv.c — chapter 6's layers: convolution and max-pooling against their oracles
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The fast conv kernels against the naive loops, the pool's routing, a gradient check of every
 * layer kind (a conv layer with several input channels on an odd-sized map among them), the
 * --net grammar of conv and pool layers and its shape errors, network3.py's initialisation, and
 * the same bits from the shares of a layer that threads compute and for any number of threads.
 */
#include "config.h"

#include <glib.h>
#include <math.h>
#include <string.h>

#include "bp-gradcheck.h"
#include "bp-kernels.h"
#include "bp-network.h"
#include "bp-rng.h"

static void
fill_random (float  *v,
             size_t  n,
             BpRng  *rng)
{
  for (size_t i = 0; i < n; i++)
    v[i] = (float) bp_rng_gaussian (rng);
}

static void
assert_close (const float *a,
              const float *b,
              size_t       n,
              double       tol)
{
  for (size_t i = 0; i < n; i++)
    {
      double scale = fmax (1.0, fmax (fabs (a[i]), fabs (b[i])));

      if (fabs ((double) a[i] - (double) b[i]) > tol * scale)
        g_error ("element %zu: %.9g against %.9g", i, (double) a[i], (double) b[i]);
    }
}

/* The im2col kernels give what the naive loops give, on shapes with several channels in and
 * out, odd and non-square maps and a batch of several examples. */
static void
test_kernels_against_naive (void)
{
  static const BpConvShape shapes[] = {
    { 1, 28, 28, 20, 5 },
    { 3, 9, 7, 4, 3 },
    { 20, 12, 12, 40, 5 },
    { 2, 5, 5, 3, 5 },
    { 5, 6, 11, 2, 1 },
  };
  static const char *const kernels[] = { "naive", "avx2", "avx512" };
  BpRng rng;

  bp_rng_seed (&rng, 7, 0);
  for (size_t t = 0; t < 3 * G_N_ELEMENTS (shapes); t++)
    {
      const BpKernelTable *k = bp_kernel_table_by_name (kernels[t % 3]);
      const BpConvShape *s = &shapes[t / 3];
      size_t batch = 3;
      size_t n_in = s->c_in * s->h * s->w;
      size_t n_out = s->c_out * (s->h - s->k + 1) * (s->w - s->k + 1);
      size_t n_w = s->c_out * s->c_in * s->k * s->k;
      g_autofree float *in = g_new (float, batch * n_in);
      g_autofree float *w = g_new (float, n_w);
      g_autofree float *b = g_new (float, s->c_out);
      g_autofree float *d = g_new (float, batch * n_out);
      g_autofree float *out0 = g_new (float, batch * n_out);
      g_autofree float *out1 = g_new (float, batch * n_out);
      g_autofree float *din0 = g_new (float, batch * n_in);
      g_autofree float *din1 = g_new (float, batch * n_in);
      g_autofree float *dw0 = g_new (float, n_w);
      g_autofree float *dw1 = g_new (float, n_w);
      g_autofree float *db0 = g_new (float, s->c_out);
      g_autofree float *db1 = g_new (float, s->c_out);
      g_autofree float *scratch = g_new (float, bp_conv_scratch_size (s));

      if (k == NULL)
        {
          g_test_message ("no %s kernels on this CPU", kernels[t % 3]);
          continue;
        }
      fill_random (in, batch * n_in, &rng);
      fill_random (w, n_w, &rng);
      fill_random (b, s->c_out, &rng);
      fill_random (d, batch * n_out, &rng);

      bp_conv_forward_naive (out0, in, w, b, batch, s);
      bp_conv_forward_fast (out1, in, w, b, batch, s, k, scratch);
      assert_close (out0, out1, batch * n_out, 1e-4);

      bp_conv_backward_input_naive (din0, d, w, batch, s);
      bp_conv_backward_input_fast (din1, d, w, batch, s, k, scratch);
      assert_close (din0, din1, batch * n_in, 1e-4);

      bp_conv_gradient_naive (dw0, db0, d, in, batch, s);
      bp_conv_gradient_fast (dw1, db1, d, in, batch, s, k, scratch);
      assert_close (dw0, dw1, n_w, 1e-3);
      assert_close (db0, db1, s->c_out, 1e-4);
    }

  /* One known value: a 2×2 filter over a 3×3 ramp, no flip. */
  {
    BpConvShape s = { 1, 3, 3, 1, 2 };
    float in[9] = { 0, 1, 2, 3, 4, 5, 6, 7, 8 };
    float w[4] = { 1, 10, 100, 1000 };
    float b[1] = { 0.5f };
    float out[4];

    bp_conv_forward_naive (out, in, w, b, 1, &s);
    /* top-left window 0 1 / 3 4: 0 + 10 + 300 + 4000 */
    g_assert_cmpfloat (out[0], ==, 4310.5f);
    g_assert_cmpfloat (out[3], ==, 4 + 50 + 700 + 8000 + 0.5f);
  }
}

/* Max-pooling takes each window's maximum and sends δ back to it alone. */
static void
test_pool (void)
{
  float in[2 * 4 * 6];
  float out[2 * 2 * 3];
  float d[2 * 2 * 3];
  float din[2 * 4 * 6];
  float in3[9] = { 1, 2, 3, 4, 9, 6, 7, 8, 5 };
  float out3[1], d3[1] = { 2.0f }, din3[9];

  for (size_t i = 0; i < G_N_ELEMENTS (in); i++)
    in[i] = (float) ((i * 7) % 11);
  bp_pool_forward (out, in, 1, 2, 4, 6, 2);
  for (size_t c = 0; c < 2; c++)
    for (size_t y = 0; y < 2; y++)
      for (size_t x = 0; x < 3; x++)
        {
          float m = -1.0f;

          for (size_t u = 0; u < 2; u++)
            for (size_t v = 0; v < 2; v++)
              m = MAX (m, in[(c * 4 + 2 * y + u) * 6 + 2 * x + v]);
          g_assert_cmpfloat (out[(c * 2 + y) * 3 + x], ==, m);
        }
  for (size_t i = 0; i < G_N_ELEMENTS (d); i++)
    d[i] = (float) (i + 1);
  bp_pool_backward (din, d, in, 1, 2, 4, 6, 2);
  {
    float total = 0.0f;
    size_t nonzero = 0;

    for (size_t i = 0; i < G_N_ELEMENTS (din); i++)
      {
        total += din[i];
        nonzero += din[i] != 0.0f;
      }
    g_assert_cmpfloat (total, ==, 78.0f); /* 1 + … + 12, each δ once */
    g_assert_cmpuint (nonzero, ==, 12);
  }
  /* Each δ at its window's first maximum in row-major order (the values repeat: ties). */
  for (size_t c = 0; c < 2; c++)
    for (size_t y = 0; y < 2; y++)
      for (size_t x = 0; x < 3; x++)
        {
          size_t best = (c * 4 + 2 * y) * 6 + 2 * x;

          for (size_t u = 0; u < 2; u++)
            for (size_t v = 0; v < 2; v++)
              {
                size_t at = (c * 4 + 2 * y + u) * 6 + 2 * x + v;

                if (in[at] > in[best])
                  best = at;
              }
          g_assert_cmpfloat (din[best], ==, d[(c * 2 + y) * 3 + x]);
        }

  /* A 3×3 window: the centre. */
  bp_pool_forward (out3, in3, 1, 1, 3, 3, 3);
  g_assert_cmpfloat (out3[0], ==, 9.0f);
  bp_pool_backward (din3, d3, in3, 1, 1, 3, 3, 3);
  for (size_t i = 0; i < 9; i++)
    g_assert_cmpfloat (din3[i], ==, i == 4 ? 2.0f : 0.0f);
}

static BpNetwork *
network_of (const char *text,
            BpCost      cost,
            BpActivation activation)
{
  BpArch arch = { 0 };
  BpError error = { 0 };
  BpNetwork *net;

  arch.cost = cost;
  if (!bp_arch_parse (text, activation, &arch, &error))
    g_error ("%s: %s", text, error.message);
  net = bp_network_new (&arch, &error);
  if (net == NULL)
    g_error ("%s: %s", text, error.message);
  return net;
}

/* Backpropagation through every layer kind against central differences in double. */
static void
test_gradcheck (void)
{
  static const struct
  {
    const char  *net;
    BpCost       cost;
    BpActivation activation;
    double       tol;
  } cases[] = {
    /* Several input channels on an odd, non-square map. */
    { "in3x9x7,conv4x3:tanh,fc6,softmax4", BP_COST_LOG_LIKELIHOOD, BP_ACTIVATION_SIGMOID, 1e-3 },
    { "in1x10x8,conv3x3,pool2,fc6,sigmoid3", BP_COST_CROSS_ENTROPY, BP_ACTIVATION_SIGMOID, 1e-3 },
    { "in2x11x11,conv3x2,pool2,conv2x3,pool3,softmax5", BP_COST_LOG_LIKELIHOOD,
      BP_ACTIVATION_TANH, 1e-3 },
    { "in2x9x9,conv3x4:relu,pool3,fc5:relu,softmax3", BP_COST_LOG_LIKELIHOOD,
      BP_ACTIVATION_RELU, 2e-3 },
    { "in1x6x6,conv2x3,pool4,fc3,sigmoid2", BP_COST_QUADRATIC, BP_ACTIVATION_SIGMOID, 1e-3 },
  };

  for (size_t t = 0; t < G_N_ELEMENTS (cases); t++)
    {
      BpNetwork *net = network_of (cases[t].net, cases[t].cost, cases[t].activation);
      g_autofree float *x = g_new (float, net->n_inputs);
      BpGradcheck check = { 0 };
      BpError error = { 0 };
      BpRng rng;

      g_test_message ("%s: %zu parameters", cases[t].net, net->n_params);
      bp_rng_seed (&rng, 11 + t, 0);
      bp_network_init (net, BP_INIT_DEFAULT, &rng);
      for (size_t k = 0; k < net->n_inputs; k++)
        x[k] = (float) bp_rng_uniform (&rng);
      g_assert_true (bp_gradcheck_run (net, x, 1, 0, 1, NULL, NULL, NULL, &check, &error));
      g_assert_cmpuint (check.n_checked, ==, net->n_params);
      g_test_message ("  max relative error %.3g", check.max_relative_error);
      g_assert_cmpfloat (check.max_relative_error, <, cases[t].tol);
      bp_gradcheck_clear (&check);
      bp_network_free (net);
    }
}

/* A mini-batch step with the fast kernels lands where the naive one does, and the mini-batch
 * gradient is the sum of the single examples' (bp_network_backward_layers()). */
static void
test_batch_against_single (void)
{
  BpNetwork *net = network_of ("in2x10x10,conv3x3:relu,pool2,fc7,softmax4",
                               BP_COST_LOG_LIKELIHOOD, BP_ACTIVATION_SIGMOID);
  BpNetwork *other;
  size_t batch = 5;
  g_autofree float *x = g_new (float, batch * net->n_inputs);
  g_autofree float *sum = g_new0 (float, net->n_params);
  g_autofree float *one = g_new (float, net->n_params);
  g_autofree float *grad = g_new (float, net->n_params);
  uint8_t labels[5] = { 0, 3, 1, 2, 3 };
  float *a[BP_MAX_LAYERS], *deriv[BP_MAX_LAYERS], *delta[BP_MAX_LAYERS];
  BpHyperparams hyper = { .eta = 0.5f, .lambda_l2 = 1.0f, .momentum = 0.0f, .batch_size = 5 };
  BpWorkspace *ws;
  BpError error = { 0 };
  BpRng rng;

  bp_rng_seed (&rng, 3, 0);
  bp_network_init (net, BP_INIT_DEFAULT, &rng);
  for (size_t k = 0; k < batch * net->n_inputs; k++)
    x[k] = (float) bp_rng_uniform (&rng);
  for (size_t i = 0; i < net->arch.n_layers; i++)
    {
      a[i] = g_new (float, net->layers[i].n_out);
      deriv[i] = g_new (float, net->layers[i].n_out);
      delta[i] = g_new (float, net->layers[i].n_out);
    }
  for (size_t r = 0; r < batch; r++)
    {
      bp_network_forward_layers (net, x + r * net->n_inputs, NULL, a);
      bp_network_backward_layers (net, x + r * net->n_inputs, (const float *const *) a,
                                  labels[r], deriv, delta, one);
      for (size_t p = 0; p < net->n_params; p++)
        sum[p] += one[p];
    }

  ws = bp_workspace_new (net, batch, &error);
  g_assert_nonnull (ws);
  for (int kernel = BP_KERNEL_NAIVE; kernel <= BP_KERNEL_FAST; kernel++)
    {
      bp_network_forward (net, ws, x, batch, kernel);
      bp_network_backward (net, ws, x, labels, batch, grad, kernel);
      assert_close (grad, sum, net->n_params, 1e-4);
    }

  other = bp_network_copy (net);
  bp_network_train_batch (net, ws, x, labels, batch, &hyper, 100, NULL, NULL, false,
                          BP_KERNEL_NAIVE);
  bp_network_train_batch (other, ws, x, labels, batch, &hyper, 100, NULL, NULL, false,
                          BP_KERNEL_FAST);
  assert_close (net->params, other->params, net->n_params, 1e-5);

  for (size_t i = 0; i < net->arch.n_layers; i++)
    {
      g_free (a[i]);
      g_free (deriv[i]);
      g_free (delta[i]);
    }
  bp_workspace_free (ws);
  bp_network_free (other);
  bp_network_free (net);
}

/* The saliency map of a conv network against central differences of the output. */
static void
test_saliency (void)
{
  BpNetwork *net = network_of ("in1x8x8,conv2x3:tanh,pool2,fc5,softmax3",
                               BP_COST_LOG_LIKELIHOOD, BP_ACTIVATION_SIGMOID);
  g_autofree float *x = g_new (float, net->n_inputs);
  g_autofree float *grad = g_new (float, net->n_inputs);
  g_autofree float *scratch = g_new (float, bp_network_input_gradient_scratch_size (net));
  g_autofree float *pscratch = g_new (float, bp_network_scratch_size (net));
  float out_p[3], out_m[3];
  BpRng rng;

  bp_rng_seed (&rng, 5, 0);
  bp_network_init (net, BP_INIT_DEFAULT, &rng);
  for (size_t k = 0; k < net->n_inputs; k++)
    x[k] = (float) bp_rng_uniform (&rng);
  bp_network_input_gradient (net, x, 2, grad, scratch);
  for (size_t k = 0; k < net->n_inputs; k++)
    {
      float keep = x[k];
      double numerical;

      x[k] = keep + 1e-2f;
      bp_network_predict (net, x, out_p, pscratch);
      x[k] = keep - 1e-2f;
      bp_network_predict (net, x, out_m, pscratch);
      x[k] = keep;
      numerical = ((double) out_p[2] - (double) out_m[2]) / 2e-2;
      g_assert_cmpfloat (fabs (numerical - grad[k]), <, 2e-3);
    }
  bp_network_free (net);
}

/* The text form: chapter 6's nets, their shapes and round trip; errors that name the layer. */
static void
test_parse (void)
{
  static const struct
  {
    const char *text;
    const char *message; /* a part of the error, or NULL when it parses and builds */
  } cases[] = {
    { "conv20x5,pool2,conv40x5,pool2,fc100,softmax10", NULL },
    { "conv20x5:relu,pool2,conv40x5:relu,pool2,fc1000:relu:dropout=0.5,softmax10:dropout=0.5",
      NULL },
    { "in3x9x7,conv4x3,fc6,softmax4", NULL },
    { "conv20x5,pool2,conv40x5,pool2,conv40x5,softmax10",
      "layer 5 (conv40x5): a 5×5 filter does not fit its 4×4 input" },
    { "conv20x5,pool5,softmax10", "layer 2 (pool5): 5×5 windows do not divide its 24×24 input" },
    { "conv20x5,pool2,conv40x5,pool3,fc100,softmax10", "layer 4 (pool3)" },
    { "conv20x5,pool2", "the last layer must be the output layer" },
    { "conv20,softmax10", "expected filters and their size after \"conv\"" },
    { "conv0x5,softmax10", "must be 1 to" },
    { "pool,softmax10", "expected a window size after \"pool\"" },
    { "conv20x5,pool2:relu,softmax10", "a pool layer has no activation" },
    { "conv20x29,softmax10", "layer 1 (conv20x29): a 29×29 filter does not fit its 28×28 input" },
    { "cnv20x5,softmax10", "unknown layer" },
  };

  for (size_t t = 0; t < G_N_ELEMENTS (cases); t++)
    {
      BpArch arch = { .cost = BP_COST_LOG_LIKELIHOOD };
      BpError error = { 0 };
      BpNetwork *net = NULL;
      bool ok;

      ok = bp_arch_parse (cases[t].text, BP_ACTIVATION_SIGMOID, &arch, &error);
      if (ok)
        {
          net = bp_network_new (&arch, &error);
          ok = net != NULL;
        }
      if (cases[t].message == NULL)
        {
          char text[256];
          BpArch again = { .cost = BP_COST_LOG_LIKELIHOOD };

          if (!ok)
            g_error ("%s: %s", cases[t].text, error.message);
          bp_arch_format (&arch, text, sizeof text);
          g_assert_cmpstr (text, ==, cases[t].text);
          g_assert_true (bp_arch_parse (text, BP_ACTIVATION_SIGMOID, &again, &error));
          g_assert_true (bp_arch_equal (&arch, &again));
          g_assert_true (bp_arch_has_maps (&arch));
          g_assert_false (bp_arch_is_plain (&arch));
        }
      else
        {
          g_assert_false (ok);
          g_test_message ("%s: %s", cases[t].text, error.message);
          g_assert_nonnull (strstr (error.message, cases[t].message));
        }
      bp_network_free (net);
    }

  /* network3.py's second conv net, layer by layer. */
  {
    BpNetwork *net = network_of ("conv20x5,pool2,conv40x5,pool2,fc100,softmax10",
                                 BP_COST_LOG_LIKELIHOOD, BP_ACTIVATION_SIGMOID);
    static const size_t shapes[6][3] = {
      { 20, 24, 24 }, { 20, 12, 12 }, { 40, 8, 8 }, { 40, 4, 4 }, { 100, 1, 1 }, { 10, 1, 1 }
    };
    size_t sizes[BP_MAX_LAYERS];

    g_assert_cmpuint (net->arch.n_layers, ==, 6);
    for (size_t i = 0; i < 6; i++)
      {
        g_assert_cmpuint (net->layers[i].out_c, ==, shapes[i][0]);
        g_assert_cmpuint (net->layers[i].out_h, ==, shapes[i][1]);
        g_assert_cmpuint (net->layers[i].out_w, ==, shapes[i][2]);
      }
    g_assert_cmpuint (net->layers[0].n_weights, ==, 20 * 25);
    g_assert_cmpuint (net->layers[2].n_weights, ==, 40 * 20 * 25);
    g_assert_cmpuint (net->layers[1].n_weights + net->layers[1].n_biases, ==, 0);
    g_assert_cmpuint (net->layers[4].n_in, ==, 640);
    g_assert_cmpuint (net->n_params, ==, 520 + 20040 + 64100 + 1010);
    g_assert_cmpuint (bp_arch_get_sizes (&net->arch, sizes), ==, 7);
    g_assert_cmpuint (sizes[1], ==, 11520);
    g_assert_cmpuint (sizes[4], ==, 640);
    bp_network_free (net);
  }
}

/* network3.py's initialisation: N(0, √(1/n_out)) with a conv-pool layer's n_out = filters·k²/p²
 * (125 for conv20x5 + pool2), biases N(0, 1), the softmax layer zero. */
static void
test_network3_init (void)
{
  BpNetwork *net = network_of ("conv20x5,pool2,fc100,softmax10", BP_COST_LOG_LIKELIHOOD,
                               BP_ACTIVATION_SIGMOID);
  BpRng rng;
  double sum2;
  const BpLayer *out;

  bp_rng_seed (&rng, 1, 0);
  bp_network_init (net, BP_INIT_NETWORK3, &rng);

  sum2 = 0.0;
  for (size_t k = 0; k < net->layers[0].n_weights; k++)
    sum2 += (double) net->params[net->layers[0].w_offset + k]
            * net->params[net->layers[0].w_offset + k];
  /* 500 draws of variance 1/125: the sample variance within 20 % of it. */
  g_assert_cmpfloat (fabs (sum2 / 500.0 * 125.0 - 1.0), <, 0.2);

  sum2 = 0.0;
  for (size_t k = 0; k < net->layers[2].n_weights; k++)
    sum2 += (double) net->params[net->layers[2].w_offset + k]
            * net->params[net->layers[2].w_offset + k];
  g_assert_cmpfloat (fabs (sum2 / (double) net->layers[2].n_weights * 100.0 - 1.0), <, 0.05);

  sum2 = 0.0;
  for (size_t k = 0; k < net->layers[2].n_biases; k++)
    sum2 += (double) net->params[net->layers[2].b_offset + k]
            * net->params[net->layers[2].b_offset + k];
  g_assert_cmpfloat (fabs (sum2 / 100.0 - 1.0), <, 0.4);

  out = &net->layers[3];
  for (size_t k = 0; k < out->n_weights + out->n_biases; k++)
    g_assert_cmpfloat (net->params[out->w_offset + k], ==, 0.0f);
  bp_network_free (net);
}

/* network3.py's L2: 0.5·λ·‖w‖² over ⌊n/m⌋ mini-batches, a decay of ηλ/⌊n/m⌋ per step; biases
 * are not decayed. */
static void
test_l2_network3 (void)
{
  BpNetwork *net = network_of ("in1x4x4,conv2x3,fc3,softmax2", BP_COST_LOG_LIKELIHOOD,
                               BP_ACTIVATION_SIGMOID);
  BpNetwork *before;
  g_autofree float *zero = g_new0 (float, net->n_params);
  BpHyperparams hyper = { .eta = 0.03f, .lambda_l2 = 0.1f, .batch_size = 10,
                          .l2_form = BP_L2_NETWORK3 };
  BpRng rng;

  g_assert_cmpfloat (bp_hyper_l2_lambda (&hyper, 50000), ==, 1.0f);
  g_assert_cmpfloat_with_epsilon (bp_hyper_l2_lambda (&hyper, 1005), 0.1 * 1005.0 / 100.0, 1e-6);
  hyper.l2_form = BP_L2_NETWORK2;
  g_assert_cmpfloat (bp_hyper_l2_lambda (&hyper, 50000), ==, 0.1f);
  hyper.l2_form = BP_L2_NETWORK3;

  bp_rng_seed (&rng, 2, 0);
  bp_network_init (net, BP_INIT_DEFAULT, &rng);
  before = bp_network_copy (net);
  bp_sgd_apply (net, zero, NULL, 10, &hyper, 1000);
  for (size_t i = 0; i < net->arch.n_layers; i++)
    {
      const BpLayer *layer = &net->layers[i];

      for (size_t k = 0; k < layer->n_weights; k++)
        {
          float w0 = before->params[layer->w_offset + k];

          /* ηλ/⌊n/m⌋ = 0.03·0.1/100 */
          g_assert_cmpfloat_with_epsilon (net->params[layer->w_offset + k],
                                          w0 * (1.0 - 0.03 * 0.1 / 100.0), 1e-6);
        }
      for (size_t k = 0; k < layer->n_biases; k++)
        g_assert_cmpfloat (net->params[layer->b_offset + k], ==,
                           before->params[layer->b_offset + k]);
    }
  bp_network_free (before);
  bp_network_free (net);
}

/* The shares that threads compute give the very numbers of the whole call: a dense layer's
 * neurons (forward) and inputs (δ sent down, the SIMD tiles against the plain loop, which is
 * the oracle), a conv layer's gradient by columns of its filters. */
static void
test_shares_same_bits (void)
{
  static const char *const kernels[] = { "naive", "avx2", "avx512" };
  static const size_t dims[][3] = { /* batch, n_in, n_out */
    { 1, 1, 1 }, { 3, 7, 5 }, { 10, 33, 37 }, { 11, 100, 17 }, { 10, 640, 40 }, { 7, 16, 64 },
  };
  static const BpConvShape shapes[] = {
    { 1, 28, 28, 20, 5 }, { 3, 9, 7, 4, 3 }, { 20, 12, 12, 40, 5 }, { 2, 6, 6, 3, 2 },
  };
  BpRng rng;

  bp_rng_seed (&rng, 12, 0);
  for (size_t t = 0; t < G_N_ELEMENTS (kernels); t++)
    {
      const BpKernelTable *k = bp_kernel_table_by_name (kernels[t]);

      if (k == NULL)
        {
          g_test_message ("no %s kernels on this CPU", kernels[t]);
          continue;
        }
      for (size_t d = 0; d < G_N_ELEMENTS (dims); d++)
        {
          size_t batch = dims[d][0], n_in = dims[d][1], n_out = dims[d][2];
          g_autofree float *w = g_new (float, n_in * n_out);
          g_autofree float *b = g_new (float, n_out);
          g_autofree float *x = g_new (float, batch * n_in);
          g_autofree float *dz = g_new (float, batch * n_out);
          g_autofree float *ref = g_new (float, batch * MAX (n_in, n_out));
          g_autofree float *got = g_new0 (float, batch * MAX (n_in, n_out));
          g_autofree float *part = g_new (float, batch * n_in);

          fill_random (w, n_in * n_out, &rng);
          fill_random (b, n_out, &rng);
          fill_random (x, batch * n_in, &rng);
          fill_random (dz, batch * n_out, &rng);

          /* Forward, the neurons in three shares. */
          k->linear_forward (ref, x, w, b, batch, n_in, n_out, n_out);
          for (size_t p = 0; p < 3; p++)
            {
              size_t j0 = n_out * p / 3, j1 = n_out * (p + 1) / 3;

              k->linear_forward (got + j0, x, w + j0 * n_in, b + j0, batch, n_in, j1 - j0, n_out);
            }
          g_assert_cmpmem (got, batch * n_out * sizeof (float), ref, batch * n_out * sizeof (float));

          /* δ sent down: the plain loop, then the table's kernel whole and in three shares
           * each in its own buffer. */
          bp_linear_backward_input (ref, dz, w, batch, n_in, n_out);
          k->linear_backward_input (got, n_in, dz, w, batch, n_in, n_out, 0, n_in);
          g_assert_cmpmem (got, batch * n_in * sizeof (float), ref, batch * n_in * sizeof (float));
          memset (got, 0, batch * n_in * sizeof (float));
          for (size_t p = 0; p < 3; p++)
            {
              size_t k0 = n_in * p / 3, k1 = n_in * (p + 1) / 3;

              k->linear_backward_input (part, k1 - k0, dz, w, batch, n_in, n_out, k0, k1);
              for (size_t r = 0; r < batch; r++)
                memcpy (got + r * n_in + k0, part + r * (k1 - k0), (k1 - k0) * sizeof (float));
            }
          g_assert_cmpmem (got, batch * n_in * sizeof (float), ref, batch * n_in * sizeof (float));
        }

      for (size_t c = 0; c < G_N_ELEMENTS (shapes); c++)
        {
          const BpConvShape *s = &shapes[c];
          size_t batch = 3, q = (s->h - s->k + 1) * (s->w - s->k + 1);
          size_t kk = s->c_in * s->k * s->k, n_w = s->c_out * kk;
          g_autofree float *in = g_new (float, batch * s->c_in * s->h * s->w);
          g_autofree float *dz = g_new (float, batch * s->c_out * q);
          g_autofree float *dw = g_new (float, n_w);
          g_autofree float *db = g_new (float, s->c_out);
          g_autofree float *gw = g_new (float, n_w);
          g_autofree float *gb = g_new (float, s->c_out);
          g_autofree float *scratch = g_new (float, bp_conv_scratch_size (s));

          fill_random (in, batch * s->c_in * s->h * s->w, &rng);
          fill_random (dz, batch * s->c_out * q, &rng);
          bp_conv_gradient_fast (dw, db, dz, in, batch, s, k, scratch);
          /* Shares of 0, 1, 7 and the rest of the columns, the empty one included. */
          for (size_t j0 = 0, p = 0; j0 < kk; p++)
            {
              size_t j1 = MIN (kk, j0 + (p == 0 ? 0 : p == 1 ? 1 : p == 2 ? 7 : kk));
              g_autofree float *share = g_new (float, s->c_out * (j1 - j0) + 1);

              bp_conv_gradient_cols (share, j0 == 0 ? gb : NULL, dz, in, batch, s, j0, j1, k,
                                     scratch);
              for (size_t o = 0; o < s->c_out; o++)
                memcpy (gw + o * kk + j0, share + o * (j1 - j0), (j1 - j0) * sizeof (float));
              j0 = j1;
            }
          g_assert_cmpmem (gw, n_w * sizeof (float), dw, n_w * sizeof (float));
          g_assert_cmpmem (gb, s->c_out * sizeof (float), db, s->c_out * sizeof (float));
        }
    }
}

/* The same seed gives the same bits whatever the number of threads: several steps of a conv
 * network with dropout on a conv layer's output and on a dense layer, momentum and L2, of a
 * dense network large enough to be shared out, and of a conv network whose large dense layers
 * are shared out by neurons and inputs, with 1, 2, 3 and 4 threads. */
static void
test_threads_same_bits (void)
{
  static const char *const nets[] = {
    "conv8x5:relu,pool2,conv10x3,pool2,fc30:dropout=0.3,softmax10",
    "in1x28x28,fc300:dropout=0.2,fc100,softmax10",
    /* Large dense layers (shared out by neurons and inputs) between conv layers and the
     * output, with dropout on their inputs: chapter 6's last net in small. */
    "conv4x5:relu,pool2,fc400:relu:dropout=0.5,fc400:relu:dropout=0.5,softmax10:dropout=0.5",
  };

  for (size_t t = 0; t < G_N_ELEMENTS (nets); t++)
    {
      BpNetwork *start = network_of (nets[t], BP_COST_LOG_LIKELIHOOD, BP_ACTIVATION_SIGMOID);
      size_t batch = 10, steps = 6;
      g_autofree float *x = g_new (float, steps * batch * start->n_inputs);
      g_autofree uint8_t *labels = g_new (uint8_t, steps * batch);
      g_autofree float *reference = NULL;
      BpHyperparams hyper = { .eta = 0.1f, .lambda_l2 = 0.5f, .momentum = 0.5f, .dropout = 0.2f,
                              .batch_size = 10 };
      BpRng rng;

      bp_rng_seed (&rng, 4, 0);
      bp_network_init (start, BP_INIT_NETWORK3, &rng);
      for (size_t k = 0; k < steps * batch * start->n_inputs; k++)
        x[k] = (float) bp_rng_uniform (&rng);
      for (size_t k = 0; k < steps * batch; k++)
        labels[k] = (uint8_t) bp_rng_below (&rng, 10);

      for (size_t threads = 1; threads <= 4; threads++)
        {
          BpNetwork *net = bp_network_copy (start);
          g_autofree float *velocity = g_new0 (float, net->n_params);
          BpError error = { 0 };
          BpWorkspace *ws = bp_workspace_new (net, batch, &error);
          BpRng drop_rng;

          g_assert_nonnull (ws);
          g_assert_true (bp_workspace_set_threads (ws, net, threads, &error));
          g_assert_cmpuint (bp_workspace_get_threads (ws), ==, threads);
          bp_rng_seed (&drop_rng, 4, BP_RNG_STREAM_DROPOUT);
          for (size_t step = 0; step < steps; step++)
            {
              double cost = bp_network_train_batch (net, ws, x + step * batch * net->n_inputs,
                                                    labels + step * batch, batch, &hyper, 600,
                                                    velocity, &drop_rng, true, BP_KERNEL_FAST);

              g_assert_true (isfinite (cost));
            }
          if (reference == NULL)
            reference = g_memdup2 (net->params, net->n_params * sizeof (float));
          else
            g_assert_cmpmem (net->params, net->n_params * sizeof (float), reference,
                             net->n_params * sizeof (float));
          bp_workspace_free (ws);
          bp_network_free (net);
        }
      bp_network_free (start);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/conv/kernels", test_kernels_against_naive);
  g_test_add_func ("/conv/pool", test_pool);
  g_test_add_func ("/conv/gradcheck", test_gradcheck);
  g_test_add_func ("/conv/batch-against-single", test_batch_against_single);
  g_test_add_func ("/conv/saliency", test_saliency);
  g_test_add_func ("/conv/parse", test_parse);
  g_test_add_func ("/conv/network3-init", test_network3_init);
  g_test_add_func ("/conv/l2-network3", test_l2_network3);
  g_test_add_func ("/conv/shares-same-bits", test_shares_same_bits);
  g_test_add_func ("/conv/threads-same-bits", test_threads_same_bits);
  return g_test_run ();
}
