/* test-metrics.c — bp-metrics: accuracy, cost, confusion matrix, mistakes and weight norms
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A network whose weights are set by hand reads 2×2 images in a known way: output k looks at
 * pixel k (weight 8, bias −4), pixel 3 at nothing. Eight images, some with the wrong label,
 * then give known answers for every number bp-metrics computes, and a larger set checks that
 * the batched evaluation agrees with bp_network_predict() one image at a time.
 */
#include "config.h"

#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bp-dataset.h"
#include "bp-metrics.h"
#include "bp-network.h"

#define N_IN  4
#define N_OUT 3

/* 4 inputs, 3 sigmoid outputs, quadratic cost: output k = σ(8·x_k − 4). */
static BpNetwork *
reader_network (void)
{
  const size_t sizes[] = { N_IN, N_OUT };
  BpError error = { 0 };
  BpNetwork *net = bp_network_new_dense (sizes, 2, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                                         BP_COST_QUADRATIC, &error);
  float *w, *b;

  g_assert_nonnull (net);
  w = net->params + net->layers[0].w_offset;
  b = net->params + net->layers[0].b_offset;
  for (size_t k = 0; k < N_OUT; k++)
    {
      for (size_t i = 0; i < N_IN; i++)
        w[k * N_IN + i] = i == k ? 8.0f : 0.0f;
      b[k] = -4.0f;
    }
  return net;
}

/* One image: @label, and pixel @lit at @value (the others 0). */
typedef struct
{
  guint8 label;
  guint  lit;
  guint8 value;
} Example;

/* Four read right, four wrong: image 3 (a 0 read as 1, pixel 1 at 200), 4 and 7 (2s read as 0
 * with the full pixel 0: the most confident, equally) and 5 (a 1 read as 2, pixel 2 at 128). */
static const Example examples[] = {
  { 0, 0, 255 },
  { 1, 1, 255 },
  { 2, 2, 255 },
  { 0, 1, 200 },
  { 2, 0, 255 },
  { 1, 2, 128 },
  { 1, 1, 255 },
  { 2, 0, 255 },
};

static BpDataset *
make_data (const Example *ex,
           size_t         n,
           size_t         n_classes)
{
  g_autofree guint8 *pixels = g_new0 (guint8, MAX (n, 1) * N_IN);
  g_autofree guint8 *labels = g_new0 (guint8, MAX (n, 1));
  BpError error = { 0 };
  BpDataset *data;

  for (size_t i = 0; i < n; i++)
    {
      labels[i] = ex[i].label;
      pixels[i * N_IN + ex[i].lit] = ex[i].value;
    }
  data = bp_dataset_new_from_data (n, 2, 2, pixels, labels, n_classes, &error);
  g_assert_nonnull (data);
  return data;
}

/* The output σ(8·v/255 − 4) of a lit pixel of value @v, and of an unlit one (@v = 0). */
static double
output_for (guint8 v)
{
  return 1.0 / (1.0 + exp (-(8.0 * (double) ((float) v / 255.0f) - 4.0)));
}

static void
test_evaluate (void)
{
  BpNetwork *net = reader_network ();
  BpDataset *data = make_data (examples, G_N_ELEMENTS (examples), N_OUT);
  BpEvaluation ev;
  BpError error = { 0 };
  double expected_cost = 0.0;
  const size_t expected[N_OUT][N_OUT] = {
    { 1, 1, 0 },
    { 0, 2, 1 },
    { 2, 0, 1 },
  };

  g_assert_true (bp_evaluate (net, data, 0.0f, 0.0f, data->n, TRUE, &ev, &error));
  g_assert_cmpuint (ev.n, ==, 8);
  g_assert_cmpuint (ev.correct, ==, 4);
  g_assert_cmpfloat (ev.accuracy, ==, 0.5);
  g_assert_cmpuint (ev.n_classes, ==, N_OUT);
  g_assert_nonnull (ev.confusion);
  for (size_t t = 0; t < N_OUT; t++)
    for (size_t p = 0; p < N_OUT; p++)
      g_assert_cmpuint (ev.confusion[t * N_OUT + p], ==, expected[t][p]);

  /* network2.py's QuadraticCost, ½‖a − y‖², averaged over the examples. */
  for (size_t i = 0; i < G_N_ELEMENTS (examples); i++)
    for (guint k = 0; k < N_OUT; k++)
      {
        double a = output_for (k == examples[i].lit ? examples[i].value : 0);
        double d = a - (k == examples[i].label ? 1.0 : 0.0);

        expected_cost += 0.5 * d * d / G_N_ELEMENTS (examples);
      }
  g_assert_cmpfloat_with_epsilon (ev.cost, expected_cost, 1e-6);

  bp_evaluation_clear (&ev);
  g_assert_null (ev.confusion);
  g_assert_cmpuint (ev.n, ==, 0);

  /* Without a confusion matrix nothing is allocated, and the rest is the same. */
  g_assert_true (bp_evaluate (net, data, 0.0f, 0.0f, data->n, FALSE, &ev, &error));
  g_assert_null (ev.confusion);
  g_assert_cmpuint (ev.correct, ==, 4);
  g_assert_cmpfloat_with_epsilon (ev.cost, expected_cost, 1e-6);
  bp_evaluation_clear (&ev);

  bp_dataset_free (data);
  bp_network_free (net);
}

/* The regularisation terms are divided by the training set's size, whichever set is evaluated. */
static void
test_evaluate_regularised (void)
{
  BpNetwork *net = reader_network ();
  BpDataset *data = make_data (examples, G_N_ELEMENTS (examples), N_OUT);
  BpEvaluation plain, reg;
  BpError error = { 0 };
  const double sum_sq = 3 * 64.0, sum_abs = 3 * 8.0; /* three weights of 8; biases excluded */
  const size_t n_train = 1000;

  g_assert_true (bp_evaluate (net, data, 0.0f, 0.0f, n_train, FALSE, &plain, &error));
  g_assert_true (bp_evaluate (net, data, 5.0f, 0.5f, n_train, FALSE, &reg, &error));
  g_assert_cmpfloat_with_epsilon (reg.cost - plain.cost,
                                  0.5 * (5.0 / n_train) * sum_sq + (0.5 / n_train) * sum_abs, 1e-9);
  g_assert_cmpuint (reg.correct, ==, plain.correct);

  /* n_train 0 counts as 1, not as a division by zero. */
  bp_evaluation_clear (&reg);
  g_assert_true (bp_evaluate (net, data, 1.0f, 0.0f, 0, FALSE, &reg, &error));
  g_assert_cmpfloat_with_epsilon (reg.cost - plain.cost, 0.5 * sum_sq, 1e-6);

  bp_evaluation_clear (&plain);
  bp_evaluation_clear (&reg);
  bp_dataset_free (data);
  bp_network_free (net);
}

static void
test_evaluate_edges (void)
{
  BpNetwork *net = reader_network ();
  BpDataset *empty = make_data (NULL, 0, N_OUT);
  BpDataset *wide;
  BpEvaluation ev;
  BpError error = { 0 };
  g_autofree guint8 *pixels = g_new0 (guint8, 2 * 9);
  guint8 labels[2] = { 0, 1 };

  /* No examples: no accuracy and no cost to speak of, but no failure either. */
  g_assert_true (bp_evaluate (net, empty, 0.0f, 0.0f, 10, TRUE, &ev, &error));
  g_assert_cmpuint (ev.n, ==, 0);
  g_assert_true (isnan (ev.accuracy));
  g_assert_true (isnan (ev.cost));
  g_assert_nonnull (ev.confusion);
  for (size_t i = 0; i < N_OUT * N_OUT; i++)
    g_assert_cmpuint (ev.confusion[i], ==, 0);
  bp_evaluation_clear (&ev);

  /* Images of another size are refused, saying why. */
  wide = bp_dataset_new_from_data (2, 3, 3, pixels, labels, N_OUT, &error);
  g_assert_nonnull (wide);
  g_assert_false (bp_evaluate (net, wide, 0.0f, 0.0f, 2, TRUE, &ev, &error));
  g_assert_nonnull (strstr (error.message, "9 pixels"));
  g_assert_nonnull (strstr (error.message, "4 inputs"));
  g_assert_null (ev.confusion);

  memset (&error, 0, sizeof error);
  {
    BpMistake *mistakes = (BpMistake *) &error; /* anything but NULL */

    g_assert_cmpuint (bp_find_mistakes (net, wide, &mistakes, &error), ==, (size_t) -1);
    g_assert_null (mistakes);
    g_assert_nonnull (strstr (error.message, "9 pixels"));
  }

  bp_dataset_free (wide);
  bp_dataset_free (empty);
  bp_network_free (net);
}

static void
test_find_mistakes (void)
{
  BpNetwork *net = reader_network ();
  BpDataset *data = make_data (examples, G_N_ELEMENTS (examples), N_OUT);
  BpDataset *right = make_data (examples, 3, N_OUT);
  BpMistake *mistakes = NULL;
  BpError error = { 0 };
  size_t n;
  /* Most confident first; the two equally confident ones in the order of the set. */
  const struct { size_t index; guint8 label, predicted, value; } expected[] = {
    { 4, 2, 0, 255 },
    { 7, 2, 0, 255 },
    { 3, 0, 1, 200 },
    { 5, 1, 2, 128 },
  };

  n = bp_find_mistakes (net, data, &mistakes, &error);
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (expected));
  g_assert_nonnull (mistakes);
  for (size_t i = 0; i < n; i++)
    {
      g_assert_cmpuint (mistakes[i].index, ==, expected[i].index);
      g_assert_cmpuint (mistakes[i].label, ==, expected[i].label);
      g_assert_cmpuint (mistakes[i].predicted, ==, expected[i].predicted);
      g_assert_cmpfloat_with_epsilon (mistakes[i].confidence, output_for (expected[i].value), 1e-6);
    }
  g_assert_cmpfloat (mistakes[0].confidence, ==, mistakes[1].confidence);
  free (mistakes);

  /* Nothing wrong: no list at all. */
  mistakes = (BpMistake *) &error;
  g_assert_cmpuint (bp_find_mistakes (net, right, &mistakes, &error), ==, 0);
  g_assert_null (mistakes);

  bp_dataset_free (right);
  bp_dataset_free (data);
  bp_network_free (net);
}

/* More images than one evaluation batch holds: the batched answers are the one-by-one ones. */
static void
test_batches_agree (void)
{
  const size_t sizes[] = { N_IN, 5, N_OUT };
  const size_t n = 601;
  g_autofree Example *ex = g_new (Example, n);
  g_autofree float *scratch = NULL;
  BpError error = { 0 };
  BpNetwork *net = bp_network_new_dense (sizes, 3, BP_ACTIVATION_TANH, BP_OUTPUT_SOFTMAX,
                                         BP_COST_LOG_LIKELIHOOD, &error);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  BpDataset *data;
  BpEvaluation ev;
  BpMistake *mistakes = NULL;
  size_t correct = 0, n_mistakes;
  double cost = 0.0;
  gsize confusion[N_OUT * N_OUT] = { 0 };

  g_assert_nonnull (net);
  for (size_t i = 0; i < net->n_params; i++)
    net->params[i] = (float) g_rand_double_range (rand, -2.0, 2.0);
  for (size_t i = 0; i < n; i++)
    {
      ex[i].label = (guint8) g_rand_int_range (rand, 0, N_OUT);
      ex[i].lit = (guint) g_rand_int_range (rand, 0, N_IN);
      ex[i].value = (guint8) g_rand_int_range (rand, 0, 256);
    }
  data = make_data (ex, n, N_OUT);
  scratch = g_new (float, bp_network_scratch_size (net));

  for (size_t i = 0; i < n; i++)
    {
      float x[N_IN] = { 0 }, out[N_OUT];
      guint top = 0;

      x[ex[i].lit] = (float) ex[i].value / 255.0f;
      bp_network_predict (net, x, out, scratch);
      for (guint k = 1; k < N_OUT; k++)
        if (out[k] > out[top])
          top = k;
      correct += top == ex[i].label;
      confusion[ex[i].label * N_OUT + top]++;
      cost += -log ((double) out[ex[i].label]) / n;
    }

  g_assert_true (bp_evaluate (net, data, 0.0f, 0.0f, n, TRUE, &ev, &error));
  g_assert_cmpuint (ev.n, ==, n);
  g_assert_cmpuint (ev.correct, ==, correct);
  g_assert_cmpfloat_with_epsilon (ev.accuracy, (double) correct / n, 1e-12);
  g_assert_cmpfloat_with_epsilon (ev.cost, cost, 1e-5);
  for (size_t i = 0; i < N_OUT * N_OUT; i++)
    g_assert_cmpuint (ev.confusion[i], ==, confusion[i]);
  bp_evaluation_clear (&ev);

  n_mistakes = bp_find_mistakes (net, data, &mistakes, &error);
  g_assert_cmpuint (n_mistakes, ==, n - correct);
  for (size_t i = 0; i < n_mistakes; i++)
    {
      g_assert_cmpuint (mistakes[i].label, ==, ex[mistakes[i].index].label);
      g_assert_cmpuint (mistakes[i].label, !=, mistakes[i].predicted);
      if (i > 0)
        g_assert_true (mistakes[i - 1].confidence > mistakes[i].confidence
                       || (mistakes[i - 1].confidence == mistakes[i].confidence
                           && mistakes[i - 1].index < mistakes[i].index));
    }
  free (mistakes);

  bp_dataset_free (data);
  bp_network_free (net);
}

/* Σw² and Σ|w| over every layer's weights, the biases left out. */
static void
test_weight_norms (void)
{
  const size_t sizes[] = { 2, 2, 1 };
  BpError error = { 0 };
  BpNetwork *net = bp_network_new_dense (sizes, 3, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                                         BP_COST_QUADRATIC, &error);
  const float w1[] = { 1.0f, -2.0f, 0.5f, 0.0f };
  const float w2[] = { -3.0f, 0.25f };
  double sum_sq = -1.0, sum_abs = -1.0;

  g_assert_nonnull (net);
  for (size_t i = 0; i < net->n_params; i++)
    net->params[i] = 100.0f; /* the biases keep this: they must not count */
  memcpy (net->params + net->layers[0].w_offset, w1, sizeof w1);
  memcpy (net->params + net->layers[1].w_offset, w2, sizeof w2);

  bp_network_weight_norms (net, &sum_sq, &sum_abs);
  g_assert_cmpfloat (sum_sq, ==, 1.0 + 4.0 + 0.25 + 9.0 + 0.0625);
  g_assert_cmpfloat (sum_abs, ==, 1.0 + 2.0 + 0.5 + 3.0 + 0.25);

  /* Either result may be left out. */
  bp_network_weight_norms (net, NULL, &sum_abs);
  bp_network_weight_norms (net, &sum_sq, NULL);
  g_assert_cmpfloat (sum_sq, ==, 14.3125);

  bp_network_free (net);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/metrics/evaluate/counts", test_evaluate);
  g_test_add_func ("/metrics/evaluate/regularised", test_evaluate_regularised);
  g_test_add_func ("/metrics/evaluate/edges", test_evaluate_edges);
  g_test_add_func ("/metrics/mistakes", test_find_mistakes);
  g_test_add_func ("/metrics/batches-agree", test_batches_agree);
  g_test_add_func ("/metrics/weight-norms", test_weight_norms);

  return g_test_run ();
}
