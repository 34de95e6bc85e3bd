/* bp-book-presets.c — the book's experiments as named configurations
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Settings and figures from Nielsen's chapters 1, 3 and 5 (see the table in the README's
 * "Reproducing the book" section). Mini-batches of 10 throughout, as in the book.
 */
#include "config.h"

#include "bp-book-presets.h"

/* Marks the descriptions for xgettext (the app's translations have them); the engine has no
 * gettext, so the CLI prints them as they are and the app translates them when it shows them. */
#define N_(String) (String)

#include <string.h>

/* One preset's run, seed 1: a dense 784-h-10 network (its activation, output and cost), the
 * initialiser, η, λ, λ₁, μ, dropout, the mini-batch size, epochs, the training-set size (0: all),
 * early stopping, the schedule and the expansion. */
#define DENSE(size, act) { BP_LAYER_DENSE, act, size, 0, BP_DROPOUT_LIVE }
#define RUN(h, act, out, cost, init_, eta, l2, l1, mu, p, m, n_epochs, n_train, early, sched, exp) \
  {                                                                                             \
    .arch = { 1, 28, 28, 2, { DENSE (h, act), DENSE (10, act) }, out, cost },                   \
    .init = init_, .seed = 1, .train_size = n_train, .expand = exp,                             \
    .hyper = { eta, l2, l1, mu, p, m },                                                         \
    .epochs = n_epochs, .early_stop = early, .schedule = sched,                                 \
  }

/* Chapter 6's runs (network3.py): a layer list, log-likelihood and softmax, network3.py's
 * initialiser and form of L2, mini-batches of 10, seed 1. Conv and pool layers never drop;
 * a dense layer drops its input with probability p (network3.py's p_dropout). */
#define CONV(n, k, act)    { BP_LAYER_CONV, act, n, k, 0.0f }
#define POOL(p, act)       { BP_LAYER_POOL, act, 0, p, 0.0f }
#define FC(n, act, p)      { BP_LAYER_DENSE, act, n, 0, p }
#define NET3(n_layers_, ...) { 1, 28, 28, n_layers_, { __VA_ARGS__ }, BP_OUTPUT_SOFTMAX,        \
                              BP_COST_LOG_LIKELIHOOD }
#define RUN3(arch_, eta, l2, n_epochs, exp)                                                     \
  {                                                                                             \
    .arch = arch_, .init = BP_INIT_NETWORK3, .seed = 1, .train_size = 0, .expand = exp,         \
    .hyper = { eta, l2, 0.0f, 0.0f, 0.0f, 10, BP_L2_NETWORK3 },                                 \
    .epochs = n_epochs,                                                                         \
  }
#define SIG BP_ACTIVATION_SIGMOID
#define RELU BP_ACTIVATION_RELU
#define CONV2(act) CONV (20, 5, act), POOL (2, act), CONV (40, 5, act), POOL (2, act)
#define CH6_METRIC "test at the best validation epoch"

static const BpBookPreset presets[] = {
  {
    "ch1-30", N_ ("chapter 1: 784-30-10 sigmoid, quadratic cost, η 3.0, 30 epochs (network.py)"), "1",
    RUN (30, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID, BP_COST_QUADRATIC, BP_INIT_LARGE,
         3.0f, 0.0f, 0.0f, 0.0f, 0.0f, 10, 30, 0, 0, 0, BP_EXPAND_NONE),
    false,
    NULL, "test", "95.42%", 3,
  },
  {
    "ch1-100", N_ ("chapter 1: 784-100-10 sigmoid, quadratic cost, η 3.0, 30 epochs"), "1",
    RUN (100, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID, BP_COST_QUADRATIC, BP_INIT_LARGE,
         3.0f, 0.0f, 0.0f, 0.0f, 0.0f, 10, 30, 0, 0, 0, BP_EXPAND_NONE),
    false,
    NULL, "test", "96.59%", 3,
  },
  {
    "ch3-xent", N_ ("chapter 3: 784-30-10 cross-entropy cost, η 0.5, 30 epochs (network2.py)"), "3",
    RUN (30, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID, BP_COST_CROSS_ENTROPY, BP_INIT_LARGE,
         0.5f, 0.0f, 0.0f, 0.0f, 0.0f, 10, 30, 0, 0, 0, BP_EXPAND_NONE),
    false,
    NULL, "test", "95.49%", 1,
  },
  {
    "ch3-overfit", N_ ("chapter 3: overfitting — 784-30-10 on the first 1,000 images, 400 epochs, λ 0"), "3",
    RUN (30, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID, BP_COST_CROSS_ENTROPY, BP_INIT_LARGE,
         0.5f, 0.0f, 0.0f, 0.0f, 0.0f, 10, 400, 1000, 0, 0, BP_EXPAND_NONE),
    false,
    NULL, "test", "82.27% (peak)", 1,
  },
  {
    "ch3-overfit-l2", N_ ("chapter 3: the same 1,000 images with L2 regularisation λ 0.1, 400 epochs"), "3",
    RUN (30, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID, BP_COST_CROSS_ENTROPY, BP_INIT_LARGE,
         0.5f, 0.1f, 0.0f, 0.0f, 0.0f, 10, 400, 1000, 0, 0, BP_EXPAND_NONE),
    false,
    NULL, "test", "87.1% (peak)", 1,
  },
  {
    "ch3-l2", N_ ("chapter 3: 784-30-10 on all 50,000 images with λ 5.0, η 0.5, 30 epochs"), "3",
    RUN (30, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID, BP_COST_CROSS_ENTROPY, BP_INIT_LARGE,
         0.5f, 5.0f, 0.0f, 0.0f, 0.0f, 10, 30, 0, 0, 0, BP_EXPAND_NONE),
    false,
    NULL, "test", "96.49%", 1,
  },
  {
    "ch3-100", N_ ("chapter 3: 784-100-10 cross-entropy, λ 5.0, η 0.5, 30 epochs"), "3",
    RUN (100, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID, BP_COST_CROSS_ENTROPY, BP_INIT_LARGE,
         0.5f, 5.0f, 0.0f, 0.0f, 0.0f, 10, 30, 0, 0, 0, BP_EXPAND_NONE),
    false,
    NULL, "validation", "97.92%", 1,
  },
  {
    "ch3-100-60", N_ ("chapter 3: 784-100-10 cross-entropy, λ 5.0, η 0.1, 60 epochs (\"breaks 98%\")"), "3",
    RUN (100, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID, BP_COST_CROSS_ENTROPY, BP_INIT_LARGE,
         0.1f, 5.0f, 0.0f, 0.0f, 0.0f, 10, 60, 0, 0, 0, BP_EXPAND_NONE),
    false,
    NULL, "validation", "98.04%", 1,
  },
  {
    "ch3-init", N_ ("chapter 3: weight initialisation — N(0, 1/√n_in) against --init large, 784-30-10, η 0.1, λ 5"), "3",
    RUN (30, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID, BP_COST_CROSS_ENTROPY, BP_INIT_DEFAULT,
         0.1f, 5.0f, 0.0f, 0.0f, 0.0f, 10, 30, 0, 0, 0, BP_EXPAND_NONE),
    false,
    "--init default | --init large", "validation", "96.50% | 96.37%", 1,
  },
  {
    "ch3-eta", N_ ("chapter 3: choosing η — training cost of 784-30-10, λ 5, with η 0.025, 0.25 or 2.5"), "3",
    RUN (30, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID, BP_COST_CROSS_ENTROPY, BP_INIT_DEFAULT,
         0.25f, 5.0f, 0.0f, 0.0f, 0.0f, 10, 30, 0, 0, 0, BP_EXPAND_NONE),
    false,
    "--eta 0.025 | --eta 0.25 | --eta 2.5", "training cost",
    "η 0.025 falls slowly, η 0.25 falls fastest, η 2.5 oscillates", 1,
  },
  {
    "ch3-data-size", N_ ("chapter 3: more data — 784-30-10 on the first N images (λ and epochs scaled with N)"), "3",
    RUN (30, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID, BP_COST_CROSS_ENTROPY, BP_INIT_LARGE,
         0.5f, 5.0f, 0.0f, 0.0f, 0.0f, 10, 30, 0, 0, 0, BP_EXPAND_NONE),
    true,
    "--train-size 100 | 1000 | 5000 | 10000 | 50000", "validation",
    "69.09% (100) … 93.24% (5,000) … 95.97% (50,000)", 1,
  },
  {
    "ch5-depth", N_ ("chapter 5: deeper is not better — 784-30-10 with 1 to 4 hidden layers of 30, η 0.1, λ 5"), "5",
    RUN (30, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID, BP_COST_CROSS_ENTROPY, BP_INIT_DEFAULT,
         0.1f, 5.0f, 0.0f, 0.0f, 0.0f, 10, 30, 0, 0, 0, BP_EXPAND_NONE),
    false,
    "--layers 784,30,10 | 784,30,30,10 | 784,30,30,30,10 | 784,30,30,30,30,10", "validation",
    "96.48 / 96.90 / 96.57 / 96.53%", 1,
  },
  {
    "ch6-shallow", N_ ("chapter 6: 784-100-10, sigmoid and softmax, η 0.1, 60 epochs (network3.py)"), "6",
    RUN3 (NET3 (2, FC (100, SIG, 0.0f), FC (10, SIG, 0.0f)), 0.1f, 0.0f, 60, BP_EXPAND_NONE),
    false,
    NULL, CH6_METRIC, "97.80%", 3,
  },
  {
    "ch6-conv1", N_ ("chapter 6: one conv-pool layer of 20 5×5 filters, then FC 100, η 0.1, 60 epochs"), "6",
    RUN3 (NET3 (4, CONV (20, 5, SIG), POOL (2, SIG), FC (100, SIG, 0.0f), FC (10, SIG, 0.0f)),
          0.1f, 0.0f, 60, BP_EXPAND_NONE),
    false,
    NULL, CH6_METRIC, "98.78%", 3,
  },
  {
    "ch6-conv2", N_ ("chapter 6: a second conv-pool layer of 40 5×5 filters, η 0.1, 60 epochs"), "6",
    RUN3 (NET3 (6, CONV2 (SIG), FC (100, SIG, 0.0f), FC (10, SIG, 0.0f)), 0.1f, 0.0f, 60,
          BP_EXPAND_NONE),
    false,
    NULL, CH6_METRIC, "99.06%", 3,
  },
  {
    "ch6-relu", N_ ("chapter 6: the same with ReLU, η 0.03, λ 0.1 (network3.py's L2), 60 epochs"), "6",
    RUN3 (NET3 (6, CONV2 (RELU), FC (100, RELU, 0.0f), FC (10, RELU, 0.0f)), 0.03f, 0.1f, 60,
          BP_EXPAND_NONE),
    false,
    NULL, CH6_METRIC, "99.23%", 3,
  },
  {
    "ch6-expanded", N_ ("chapter 6: ReLU conv net on the 250,000 images of expand_mnist.py"), "6",
    RUN3 (NET3 (6, CONV2 (RELU), FC (100, RELU, 0.0f), FC (10, RELU, 0.0f)), 0.03f, 0.1f, 60,
          BP_EXPAND_SHIFTS),
    false,
    NULL, CH6_METRIC, "99.37%", 3,
  },
  {
    "ch6-fc2", N_ ("chapter 6: a second FC 100 layer, expanded data"), "6",
    RUN3 (NET3 (7, CONV2 (RELU), FC (100, RELU, 0.0f), FC (100, RELU, 0.0f), FC (10, RELU, 0.0f)),
          0.03f, 0.1f, 60, BP_EXPAND_SHIFTS),
    false,
    NULL, CH6_METRIC, "99.43%", 3,
  },
  {
    "ch6-dropout", N_ ("chapter 6: two FC 1000 layers, dropout 0.5 on their inputs and the softmax's, 40 epochs, expanded data"), "6",
    RUN3 (NET3 (7, CONV2 (RELU), FC (1000, RELU, 0.5f), FC (1000, RELU, 0.5f), FC (10, RELU, 0.5f)),
          0.03f, 0.0f, 40, BP_EXPAND_SHIFTS),
    false,
    NULL, CH6_METRIC, "99.60% (an ensemble of five: 99.67%)", 3,
  },
  {
    "best-mlp", N_ ("beyond the book: 784-800-10 ReLU, softmax, dropout 0.3, momentum 0.9, affine distortions"), "beyond",
    RUN (800, BP_ACTIVATION_RELU, BP_OUTPUT_SOFTMAX, BP_COST_LOG_LIKELIHOOD, BP_INIT_DEFAULT,
         0.02f, 0.0f, 0.0f, 0.9f, 0.3f, 50, 100, 0, 0, 4, BP_EXPAND_AFFINE),
    false,
    NULL, "test", "98.9% (Simard et al., 800 hidden, affine distortions)", 1,
  },
};

const BpBookPreset *
bp_book_presets (size_t *n_presets)
{
  *n_presets = sizeof presets / sizeof presets[0];
  return presets;
}

const BpBookPreset *
bp_book_preset_find (const char *name)
{
  for (size_t i = 0; name != NULL && i < sizeof presets / sizeof presets[0]; i++)
    if (strcmp (presets[i].name, name) == 0)
      return &presets[i];
  return NULL;
}

void
bp_book_preset_apply (const BpBookPreset *p,
                      size_t              train_size,
                      BpRun              *run,
                      unsigned           *monitor_every)
{
  size_t n = train_size > 0 ? train_size : (p->run.train_size > 0 ? p->run.train_size : 50000);
  uint64_t seed = run->seed;

  *run = p->run;
  run->seed = seed;
  if (monitor_every != NULL)
    *monitor_every = 1;
  if (p->scale_with_train_size)
    {
      /* The book keeps the number of examples seen (1.5 million) and the weight decay per
       * example constant as the training set shrinks: λ ∝ n, epochs ∝ 1/n. */
      run->hyper.lambda_l2 = p->run.hyper.lambda_l2 * (float) n / 50000.0f;
      run->epochs = (unsigned) ((p->run.epochs * (size_t) 50000 + n / 2) / n);
      /* 15,000 epochs of 100 images: measure 30 times, not after each. */
      if (monitor_every != NULL)
        *monitor_every = run->epochs > p->run.epochs ? run->epochs / p->run.epochs : 1;
    }
}
