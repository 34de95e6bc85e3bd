/* bp-cli-bench.c — `backprop-cli bench`: time one training pass of the standard configurations
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-cli-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bp-book-presets.h"
#include "bp-pool.h"
#include "bp-rng.h"
#include "bp-train.h"

#define BENCH_TRAIN_IMAGES 50000

typedef struct
{
  size_t      sizes[3];
  size_t      batch;
  const char *preset;  /* chapter 6: the preset's network and run (no expansion), or NULL */
  size_t      threads; /* 0: every core */
} BenchConfig;

/* The chapter-1 networks at network.py's mini-batch size and at a size where matrix kernels
 * pay off. */
static const BenchConfig bench_configs[] = {
  { { 784, 30, 10 }, 10, NULL, 1 },
  { { 784, 30, 10 }, 100, NULL, 1 },
  { { 784, 100, 10 }, 10, NULL, 1 },
  { { 784, 100, 10 }, 100, NULL, 1 },
  /* Chapter 6's at network3.py's mini-batch of 10, on one thread and on every core. */
  { { 0 }, 10, "ch6-conv2", 1 },
  { { 0 }, 10, "ch6-conv2", 0 },
  { { 0 }, 10, "ch6-dropout", 1 },
  { { 0 }, 10, "ch6-dropout", 0 },
};

typedef struct
{
  double *seconds;
  size_t  n_seconds;
} BenchTimes;

static void
bench_epoch_cb (const BpEpochMetrics *metrics,
                void                 *user_data)
{
  BenchTimes *times = user_data;

  times->seconds[times->n_seconds++] = metrics->seconds;
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

/* The useful floating-point operations of one pass over @n_images: forward 2·n_in·n_out per
 * image and layer; backward the same for ∂W, and again for the deltas sent down to a hidden
 * layer (the input layer needs none). Activations and the update are not counted. */
static double
pass_flops (const size_t *sizes,
            size_t        n_layers,
            size_t        n_images)
{
  double per_image = 0.0;

  for (size_t l = 1; l < n_layers; l++)
    {
      double mac = (double) sizes[l - 1] * (double) sizes[l];

      per_image += 2.0 * mac + 2.0 * mac;
      if (l >= 2)
        per_image += 2.0 * mac;
    }

  return per_image * (double) n_images;
}

/* 50,000 images of uniform random bytes and labels: the arithmetic is the same as on MNIST,
 * which is all a timing needs. */
static BpDataset *
synthetic_train_set (BpError *error)
{
  g_autofree uint8_t *pixels = g_malloc ((size_t) BENCH_TRAIN_IMAGES * 784);
  g_autofree uint8_t *labels = g_malloc (BENCH_TRAIN_IMAGES);
  BpRng rng;

  bp_rng_seed (&rng, 1, BP_RNG_STREAM_SAMPLE);
  for (size_t i = 0; i < (size_t) BENCH_TRAIN_IMAGES * 784; i++)
    pixels[i] = (uint8_t) bp_rng_below (&rng, 256);
  for (size_t i = 0; i < BENCH_TRAIN_IMAGES; i++)
    labels[i] = (uint8_t) bp_rng_below (&rng, 10);

  return bp_dataset_new_from_data (BENCH_TRAIN_IMAGES, 28, 28, pixels, labels, 10, error);
}

static bool
bench_one (const BenchConfig *bench,
           const BpDataset   *train,
           unsigned           timed_epochs,
           BpKernel           kernel,
           double            *seconds,
           double            *flops,
           BpError           *error)
{
  g_autofree double *times = g_new0 (double, timed_epochs + 1);
  BenchTimes collected = { times, 0 };
  BpRun config;
  BpTrainOptions options;
  BpTrainer *trainer;
  BpNetwork *net;
  BpRng rng;
  bool ok;

  bp_run_init (&config);
  if (bench->preset != NULL)
    {
      bp_book_preset_apply (bp_book_preset_find (bench->preset), 0, &config, NULL);
      /* The 50,000 images themselves: an epoch of the expanded set is five of these. */
      config.expand = BP_EXPAND_NONE;
      net = bp_network_new (&config.arch, error);
    }
  else
    {
      net = bp_network_new_dense (bench->sizes, 3, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                                  BP_COST_QUADRATIC, error);
      config.hyper.eta = 3.0f;
      config.init = BP_INIT_LARGE;
    }
  if (net == NULL)
    return false;
  bp_rng_seed (&rng, 1, BP_RNG_STREAM_INIT);
  bp_network_init (net, config.init, &rng);

  config.hyper.batch_size = bench->batch;
  config.epochs = timed_epochs + 1;
  config.seed = 1;
  bp_train_options_init (&options);
  /* No monitors: the figure is the training pass alone, as the per-epoch `seconds`. */
  options.monitor = 0;
  options.kernel = kernel;
  if (bench->threads > 0)
    options.threads = bench->threads;
  *flops = bp_network_train_flops (net) * (double) train->n;

  trainer = bp_trainer_new (net, &config, &options, train, NULL, NULL, error);
  if (trainer == NULL)
    {
      bp_network_free (net);
      return false;
    }

  ok = bp_trainer_run (trainer, NULL, NULL, bench_epoch_cb, &collected, error);
  bp_trainer_free (trainer);
  bp_network_free (net);
  if (!ok)
    return false;
  if (collected.n_seconds != timed_epochs + 1)
    return bp_error_set (error, BP_ERROR_INVALID, "the trainer ran %zu epochs, expected %u",
                         collected.n_seconds, timed_epochs + 1);

  /* The first epoch warms caches, page tables and the CPU clock and is dropped; the median of
   * the rest shrugs off a timed epoch disturbed by another process. */
  qsort (times + 1, timed_epochs, sizeof (double), compare_doubles);
  if (timed_epochs % 2 == 1)
    *seconds = times[1 + timed_epochs / 2];
  else
    *seconds = 0.5 * (times[timed_epochs / 2] + times[1 + timed_epochs / 2]);

  return true;
}

int
bp_cli_bench (int    argc,
              char **argv)
{
  g_autofree char *epochs_text = NULL;
  g_autofree char *kernel_text = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *only = NULL;
  g_autoptr(GOptionContext) context = NULL;
  bool want_dense = true, want_ch6 = true;
  guint64 timed_epochs = 3;
  BpKernel kernel = BP_KERNEL_FAST;
  BpMnist mnist = { 0 };
  BpDataset *synthetic = NULL;
  const BpDataset *train;
  BpError error = { 0 };
  char *dir;
  int status = BP_CLI_EXIT_OK;
  const GOptionEntry entries[] = {
    { "epochs", 0, 0, G_OPTION_ARG_STRING, &epochs_text,
      "Timed epochs per configuration, after one warm-up epoch (default 3)", "N" },
    { "kernel", 0, 0, G_OPTION_ARG_STRING, &kernel_text,
      "Compute kernel: fast (default) or naive", "KIND" },
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &data_dir,
      "Folder of the MNIST IDX files", "DIR" },
    { "only", 0, 0, G_OPTION_ARG_STRING, &only,
      "Only the dense networks (dense) or only chapter 6's (ch6)", "SET" },
    { NULL },
  };

  context = g_option_context_new ("— time one training pass of the standard configurations");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
    "For 784-30-10 and 784-100-10 (sigmoid, quadratic cost, η 3.0, seed 1), each with\n"
    "mini-batches of 10 and of 100, prints one line:\n"
    "  bench LAYERS batch M seconds_per_epoch S images_per_s I gflops G\n"
    "S is the MEDIAN of the timed epochs (one untimed warm-up epoch first) of one training pass\n"
    "over the 50,000 training images, shuffling and gathering included, evaluation excluded.\n"
    "G counts the useful flops: forward 2·B·Σ n_in·n_out, backward 2·B·Σ n_in·n_out for the\n"
    "weight gradients plus 2·B·Σ n_in·n_out for the deltas of hidden layers.\n"
    "Then chapter 6's ch6-conv2 and ch6-dropout (the presets' networks and settings, on the\n"
    "50,000 images without expansion), mini-batches of 10, with 1 thread and with every core:\n"
    "  bench PRESET batch 10 threads T seconds_per_epoch S images_per_s I gflops G\n"
    "counting for a conv layer 2·B·(weights)·(output positions) per product the same way.\n"
    "Without MNIST the timing runs on 50,000 synthetic random images (said on stderr).");

  if (!bp_cli_parse_options (context, &argc, &argv))
    return BP_CLI_EXIT_USAGE;

  if (epochs_text != NULL)
    {
      if (!bp_cli_parse_unsigned ("--epochs", epochs_text, 1000, &timed_epochs))
        return BP_CLI_EXIT_USAGE;
      if (timed_epochs == 0)
        return bp_cli_fail (BP_CLI_EXIT_USAGE, "--epochs: must be at least 1");
    }

  if (only != NULL)
    {
      if (strcmp (only, "dense") == 0)
        want_ch6 = false;
      else if (strcmp (only, "ch6") == 0)
        want_dense = false;
      else
        return bp_cli_fail (BP_CLI_EXIT_USAGE, "--only: unknown set '%s' (use dense or ch6)",
                            only);
    }

  if (kernel_text != NULL)
    {
      if (strcmp (kernel_text, "fast") == 0)
        kernel = BP_KERNEL_FAST;
      else if (strcmp (kernel_text, "naive") == 0)
        kernel = BP_KERNEL_NAIVE;
      else
        return bp_cli_fail (BP_CLI_EXIT_USAGE,
                            "--kernel: unknown kernel '%s' (use fast or naive)", kernel_text);
    }

  dir = bp_mnist_find_dir (data_dir);
  if (dir != NULL && bp_mnist_load (&mnist, dir, 0, &error) && mnist.train->n >= BENCH_TRAIN_IMAGES)
    {
      train = mnist.train;
      bp_cli_note ("bench on MNIST from %s, kernel %s, 1 warm-up + %u timed epochs, median",
                   dir, kernel == BP_KERNEL_NAIVE ? "naive" : bp_kernel_fast_name (),
                   (unsigned) timed_epochs);
    }
  else
    {
      char reason[BP_ERROR_MESSAGE_MAX];

      g_strlcpy (reason, error.message[0] != '\0' ? error.message : "fewer than 50,000 images",
                 sizeof reason);
      bp_mnist_clear (&mnist);
      bp_error_clear (&error);
      synthetic = synthetic_train_set (&error);
      if (synthetic == NULL)
        {
          free (dir);
          return bp_cli_fail (BP_CLI_EXIT_FAILURE, "%s", error.message);
        }
      train = synthetic;
      bp_cli_note ("MNIST not available (%s); timing on 50,000 synthetic random images, "
                   "kernel %s, 1 warm-up + %u timed epochs, median",
                   reason, kernel == BP_KERNEL_NAIVE ? "naive" : bp_kernel_fast_name (),
                   (unsigned) timed_epochs);
    }
  free (dir);

  for (size_t i = 0; i < G_N_ELEMENTS (bench_configs); i++)
    {
      const BenchConfig *bench = &bench_configs[i];
      char layers[64];
      double seconds = 0.0, flops = 0.0;

      if ((bench->preset != NULL && !want_ch6) || (bench->preset == NULL && !want_dense))
        continue;
      bp_error_clear (&error);
      if (!bench_one (bench, train, (unsigned) timed_epochs, kernel, &seconds, &flops, &error))
        {
          status = bp_cli_fail (BP_CLI_EXIT_FAILURE, "%s", error.message);
          break;
        }

      if (bench->preset != NULL)
        printf ("bench %s batch %zu threads %zu seconds_per_epoch %.3f images_per_s %.0f "
                "gflops %.2f\n",
                bench->preset, bench->batch,
                bench->threads > 0 ? bench->threads : bp_pool_default_threads (), seconds,
                (double) train->n / seconds, flops / seconds / 1e9);
      else
        {
          bp_format_layers (bench->sizes, 3, '-', layers, sizeof layers);
          printf ("bench %s batch %zu seconds_per_epoch %.3f images_per_s %.0f gflops %.2f\n",
                  layers, bench->batch, seconds, (double) train->n / seconds,
                  pass_flops (bench->sizes, 3, train->n) / seconds / 1e9);
        }
      fflush (stdout);
    }

  if (synthetic != NULL)
    bp_dataset_free (synthetic);
  bp_mnist_clear (&mnist);

  return status;
}
