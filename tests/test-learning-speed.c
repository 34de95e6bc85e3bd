/* test-learning-speed.c — chapter 5's speed of learning of each hidden layer, alone and in the
 * trainer
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib.h>
#include <math.h>
#include <string.h>

#include "bp-dataset.h"
#include "bp-learning-speed.h"
#include "bp-trace.h"
#include "bp-train.h"

/* 8×8 images of 4 classes, class c a bright bar on rows 2c and 2c+1, with noise (test-train's
 * problem). */
static BpDataset *
make_bars (size_t   n,
           uint64_t seed)
{
  g_autofree uint8_t *pixels = g_new0 (uint8_t, n * 64);
  g_autofree uint8_t *labels = g_new0 (uint8_t, n);
  BpRng rng;
  BpError error = { 0 };
  BpDataset *ds;

  bp_rng_seed (&rng, seed, BP_RNG_STREAM_SAMPLE);
  for (size_t i = 0; i < n; i++)
    {
      uint8_t c = (uint8_t) bp_rng_below (&rng, 4);
      size_t start = bp_rng_below (&rng, 3);

      labels[i] = c;
      for (size_t p = 0; p < 64; p++)
        pixels[i * 64 + p] = (uint8_t) bp_rng_below (&rng, 60);
      for (size_t row = 2 * (size_t) c; row < 2 * (size_t) c + 2; row++)
        for (size_t col = start; col < start + 6; col++)
          pixels[i * 64 + row * 8 + col] = (uint8_t) (200 + bp_rng_below (&rng, 56));
    }
  ds = bp_dataset_new_from_data (n, 8, 8, pixels, labels, 4, &error);
  g_assert_nonnull (ds);
  return ds;
}

static BpNetwork *
make_network (const size_t *sizes,
              size_t        n_sizes,
              BpActivation  activation,
              BpOutput      output,
              BpCost        cost,
              uint64_t      seed)
{
  BpError error = { 0 };
  BpNetwork *net = bp_network_new_dense (sizes, n_sizes, activation, output, cost, &error);
  BpRng rng;

  g_assert_nonnull (net);
  bp_rng_seed (&rng, seed, BP_RNG_STREAM_INIT);
  bp_network_init (net, BP_INIT_DEFAULT, &rng);
  return net;
}

/* The book's definition, the long way: backprop(x, y)'s nabla_b of every example (a trace
 * each), averaged over the first @n examples in double, then each hidden layer's norm. */
static void
speed_by_traces (const BpNetwork *net,
                 const BpDataset *data,
                 size_t           n,
                 double          *speed)
{
  size_t n_hidden = net->arch.n_layers - 1;
  BpTrace *trace = bp_trace_new (net, NULL);
  g_autofree double *sum = g_new0 (double, net->n_params);
  g_autofree float *x = g_new (float, data->n_pixels);

  for (size_t i = 0; i < n; i++)
    {
      bp_dataset_gather (data, &i, 1, x);
      g_assert_true (bp_trace_compute (trace, net, x, data->labels[i], NULL));
      for (size_t p = 0; p < net->n_params; p++)
        sum[p] += bp_trace_get_gradient (trace)[p];
    }
  for (size_t l = 0; l < n_hidden; l++)
    {
      double norm2 = 0.0;

      for (size_t j = 0; j < net->layers[l].n_biases; j++)
        {
          double mean = sum[net->layers[l].b_offset + j] / (double) n;

          norm2 += mean * mean;
        }
      speed[l] = sqrt (norm2);
    }
  bp_trace_free (trace);
}

static void
test_definition (void)
{
  BpDataset *data = make_bars (1300, 5);
  const struct
  {
    BpActivation activation;
    BpOutput     output;
    BpCost       cost;
  } kinds[] = {
    { BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID, BP_COST_CROSS_ENTROPY },
    { BP_ACTIVATION_TANH, BP_OUTPUT_SIGMOID, BP_COST_QUADRATIC },
    { BP_ACTIVATION_RELU, BP_OUTPUT_SOFTMAX, BP_COST_LOG_LIKELIHOOD },
  };

  for (size_t k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      const size_t sizes[] = { 64, 20, 12, 4 };
      BpNetwork *net = make_network (sizes, 4, kinds[k].activation, kinds[k].output,
                                     kinds[k].cost, 3 + k);
      double speed[BP_MAX_LAYERS], expect[BP_MAX_LAYERS], few[BP_MAX_LAYERS];
      size_t n_speeds = 99;
      BpError error = { 0 };

      g_assert_cmpuint (bp_learning_speed_count (net), ==, 2);
      /* 0 means the book's 1,000, not all 1,300. */
      g_assert_true (bp_learning_speed_measure (net, data, 0, speed, &n_speeds, &error));
      g_assert_cmpuint (n_speeds, ==, 2);
      speed_by_traces (net, data, BP_LEARNING_SPEED_EXAMPLES, expect);
      for (size_t l = 0; l < 2; l++)
        {
          g_assert_cmpfloat (speed[l], >, 0.0);
          g_assert_cmpfloat_with_epsilon (speed[l], expect[l], 1e-5 * expect[l]);
        }

      /* 137 examples: the measurement's last mini-batch has 37. */
      g_assert_true (bp_learning_speed_measure (net, data, 137, few, NULL, &error));
      speed_by_traces (net, data, 137, expect);
      for (size_t l = 0; l < 2; l++)
        g_assert_cmpfloat_with_epsilon (few[l], expect[l], 1e-5 * expect[l]);
      bp_network_free (net);
    }

  /* A data set smaller than asked for is used whole; an empty one is refused. */
  {
    const size_t sizes[] = { 64, 10, 4 };
    BpNetwork *net = make_network (sizes, 3, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                                   BP_COST_CROSS_ENTROPY, 1);
    BpDataset *small = bp_dataset_view (data, 0, 50, NULL);
    BpDataset *empty = bp_dataset_view (data, 0, 0, NULL);
    double speed[BP_MAX_LAYERS], expect[BP_MAX_LAYERS];
    BpError error = { 0 };

    g_assert_true (bp_learning_speed_measure (net, small, 1000, speed, NULL, &error));
    speed_by_traces (net, data, 50, expect);
    g_assert_cmpfloat_with_epsilon (speed[0], expect[0], 1e-5 * expect[0]);
    g_assert_false (bp_learning_speed_measure (net, empty, 1000, speed, NULL, &error));
    g_assert_cmpint (error.code, ==, BP_ERROR_INVALID);
    bp_dataset_free (small);
    bp_dataset_free (empty);
    bp_network_free (net);
  }
  bp_dataset_free (data);
}

/* Chapter 5's picture on MNIST: in fresh [784, 30, …, 30, 10] sigmoid networks with network2's
 * initialiser and cross-entropy, each hidden layer learns several times slower than the next.
 * network2.py gave 0.0032, 0.0138, 0.0685, 0.334 for one random four-hidden-layer network (ratios
 * 4.3, 5.0, 4.9; first to last 1/104); the book's figures are 0.07, 0.31 (two), 0.012, 0.060,
 * 0.283 (three) and 0.003, 0.017, 0.070, 0.285 (four). A seed changes the numbers, not the
 * picture: the geometric mean of five seeds' ratios is checked. */
static void
test_vanishing_gradient_mnist (void)
{
  char *dir = bp_mnist_find_dir (NULL);
  BpMnist mnist = { 0 };
  BpError error = { 0 };

  if (!bp_mnist_load (&mnist, dir, BP_LEARNING_SPEED_EXAMPLES, &error))
    {
      g_free (dir);
      g_test_skip ("MNIST is not installed (run build-aux/fetch-mnist.sh)");
      return;
    }
  g_free (dir);

  for (size_t hidden = 2; hidden <= 4; hidden++)
    {
      size_t sizes[BP_MAX_LAYERS] = { 784 };
      double log_ratio[BP_MAX_LAYERS] = { 0.0 };
      double mean_last = 0.0;
      const unsigned n_seeds = 5;

      for (size_t l = 1; l <= hidden; l++)
        sizes[l] = 30;
      sizes[hidden + 1] = 10;
      for (unsigned seed = 1; seed <= n_seeds; seed++)
        {
          BpNetwork *net = make_network (sizes, hidden + 2, BP_ACTIVATION_SIGMOID,
                                         BP_OUTPUT_SIGMOID, BP_COST_CROSS_ENTROPY, seed);
          double speed[BP_MAX_LAYERS];
          size_t n_speeds;

          g_assert_true (bp_learning_speed_measure (net, mnist.train, 0, speed, &n_speeds,
                                                    &error));
          g_assert_cmpuint (n_speeds, ==, hidden);
          g_test_message ("%zu hidden layers, seed %u: %.4g %.4g %.4g %.4g", hidden, seed,
                          speed[0], speed[1], hidden > 2 ? speed[2] : NAN,
                          hidden > 3 ? speed[3] : NAN);
          for (size_t l = 0; l + 1 < hidden; l++)
            log_ratio[l] += log (speed[l + 1] / speed[l]) / n_seeds;
          mean_last += speed[hidden - 1] / n_seeds;
          bp_network_free (net);
        }
      /* The last hidden layer near the book's 0.3; each step towards the input 3 to 8 times
       * slower (the book's 4.3 to 5), which makes the first of four 30 to 500 times slower. */
      g_assert_cmpfloat (mean_last, >, 0.15);
      g_assert_cmpfloat (mean_last, <, 0.6);
      for (size_t l = 0; l + 1 < hidden; l++)
        {
          g_test_message ("%zu hidden layers: layer %zu to %zu: %.2f times faster", hidden,
                          l + 1, l + 2, exp (log_ratio[l]));
          g_assert_cmpfloat (exp (log_ratio[l]), >, 3.0);
          g_assert_cmpfloat (exp (log_ratio[l]), <, 8.0);
        }
    }
  bp_mnist_clear (&mnist);
}

/* ── In the trainer ────────────────────────────────────────────────────────────────────────── */

static void
small_run (BpRun          *run,
           BpTrainOptions *options)
{
  bp_run_init (run);
  bp_train_options_init (options);
  run->hyper.eta = 0.5f;
  run->hyper.batch_size = 10;
  run->epochs = 3;
  run->seed = 7;
}

/* Epoch 0 before any mini-batch, then every measured epoch; the numbers are
 * bp_learning_speed_measure()'s on the network as it was; training is the same bits as without
 * the measurements. */
static void
test_trainer (void)
{
  BpDataset *train = make_bars (1200, 1), *validation = make_bars (200, 2);
  const size_t sizes[] = { 64, 16, 12, 4 };
  BpNetwork *net = make_network (sizes, 4, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                                 BP_COST_CROSS_ENTROPY, 9);
  BpNetwork *plain = bp_network_copy (net);
  BpNetwork *fresh = bp_network_copy (net);
  BpRun run;
  BpTrainOptions options;
  BpTrainer *trainer, *plain_trainer;
  BpEpochMetrics initial, again;
  const BpEpochMetrics *history;
  double expect[BP_MAX_LAYERS];
  BpError error = { 0 };
  size_t n;

  small_run (&run, &options);
  options.monitor_every = 2;

  /* Without the option: nothing measured, no epoch 0. */
  plain_trainer = bp_trainer_new (plain, &run, &options, train, validation, NULL, &error);
  g_assert_false (bp_trainer_get_initial_speed (plain_trainer, &initial, &error));
  g_assert_cmpint (error.code, ==, BP_ERROR_INVALID);
  bp_error_clear (&error);
  g_assert_true (bp_trainer_run (plain_trainer, NULL, NULL, NULL, NULL, &error));
  history = bp_trainer_get_history (plain_trainer, &n);
  g_assert_cmpuint (n, ==, 3);
  for (size_t e = 0; e < n; e++)
    g_assert_cmpuint (history[e].n_speeds, ==, 0);

  options.learning_speed = true;
  trainer = bp_trainer_new (net, &run, &options, train, validation, NULL, &error);
  g_assert_nonnull (trainer);
  /* The first step measures epoch 0 before it trains. */
  g_assert_true (bp_trainer_step (trainer, &error));
  g_assert_true (bp_trainer_get_initial_speed (trainer, &initial, &error));
  g_assert_cmpuint (initial.epoch, ==, 0);
  g_assert_true (isnan (initial.train_cost) && isnan (initial.test_accuracy)
                 && isnan (initial.seconds) && isnan (initial.eta));
  g_assert_cmpuint (initial.n_speeds, ==, 2);
  g_assert_true (bp_learning_speed_measure (fresh, train, 0, expect, NULL, &error));
  g_assert_cmpfloat (initial.speed[0], ==, expect[0]);
  g_assert_cmpfloat (initial.speed[1], ==, expect[1]);
  g_assert_cmpfloat (initial.speed[2], ==, 0.0);
  g_assert_true (bp_trainer_get_initial_speed (trainer, &again, &error));
  g_assert_cmpmem (&again, sizeof again, &initial, sizeof initial);

  g_assert_true (bp_trainer_run (trainer, NULL, NULL, NULL, NULL, &error));
  history = bp_trainer_get_history (trainer, &n);
  g_assert_cmpuint (n, ==, 3);
  /* monitor_every 2: epochs 2 and 3 (the last) are measured, epoch 1 is not. */
  g_assert_cmpuint (history[0].n_speeds, ==, 0);
  g_assert_cmpuint (history[1].n_speeds, ==, 2);
  g_assert_cmpuint (history[2].n_speeds, ==, 2);
  g_assert_true (bp_learning_speed_measure (net, train, 0, expect, NULL, &error));
  g_assert_cmpfloat (history[2].speed[0], ==, expect[0]);
  g_assert_cmpfloat (history[2].speed[1], ==, expect[1]);
  /* Training itself is untouched by the measurements. */
  g_assert_cmpmem (net->params, net->n_params * sizeof (float), plain->params,
                   plain->n_params * sizeof (float));

  bp_trainer_free (trainer);
  bp_trainer_free (plain_trainer);
  bp_network_free (net);
  bp_network_free (plain);
  bp_network_free (fresh);
  bp_dataset_free (train);
  bp_dataset_free (validation);
}

/* A conv net's speeds are over its layers' biases: a conv layer's one per filter, the mean of
 * ∂C/∂b over the examples as the traces give it, and a pool layer's none (0). In this small net
 * the output layer's biases come within a conv map's size of the conv layer's: counting the
 * map's values rather than the biases took them into the conv layer's speed. */
static void
test_conv (void)
{
  uint8_t pixels[30 * 16], labels[30];
  BpDataset *data;
  BpArch arch;
  BpError error = { 0 };
  BpNetwork *net;
  BpRng rng;
  double speed[BP_MAX_LAYERS] = { 0 }, by_traces[BP_MAX_LAYERS] = { 0 };
  size_t n_speeds = 0;

  bp_rng_seed (&rng, 5, BP_RNG_STREAM_SAMPLE);
  for (size_t i = 0; i < 30; i++)
    {
      labels[i] = (uint8_t) (i % 2);
      for (size_t p = 0; p < 16; p++)
        pixels[i * 16 + p] = (uint8_t) bp_rng_below (&rng, 256);
    }
  data = bp_dataset_new_from_data (30, 4, 4, pixels, labels, 2, &error);
  g_assert_nonnull (data);
  g_assert_true (bp_arch_parse ("in1x4x4,conv1x3,pool2,softmax2", BP_ACTIVATION_SIGMOID,
                                &arch, &error));
  arch.cost = BP_COST_LOG_LIKELIHOOD;
  net = bp_network_new (&arch, &error);
  g_assert_nonnull (net);
  bp_rng_seed (&rng, 3, BP_RNG_STREAM_INIT);
  bp_network_init (net, BP_INIT_LARGE, &rng);

  g_assert_true (bp_learning_speed_measure (net, data, 0, speed, &n_speeds, &error));
  g_assert_cmpuint (n_speeds, ==, 2);
  g_assert_cmpfloat (speed[1], ==, 0.0);
  speed_by_traces (net, data, data->n, by_traces);
  g_test_message ("conv speed %g, by traces %g", speed[0], by_traces[0]);
  g_assert_cmpfloat (by_traces[0], >, 0.0);
  g_assert_cmpfloat_with_epsilon (speed[0], by_traces[0], 1e-4 * by_traces[0]);
  bp_network_free (net);
  bp_dataset_free (data);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/learning-speed/definition", test_definition);
  g_test_add_func ("/learning-speed/vanishing-gradient-mnist", test_vanishing_gradient_mnist);
  g_test_add_func ("/learning-speed/trainer", test_trainer);
  g_test_add_func ("/learning-speed/conv", test_conv);

  return g_test_run ();
}
