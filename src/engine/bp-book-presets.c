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

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One preset's run: a dense 784-h-10 network (its activation, output and cost), the
 * initialiser, η, λ, λ₁, μ, dropout, the mini-batch size, epochs, the training-set size (0: all),
 * early stopping, the schedule, the expansion, and the seed: one whose run reproduces the book's
 * figure, chosen by bench/choose-seeds.sh (bench/SEEDS.md has every seed's score). */
#define CH1 "http://neuralnetworksanddeeplearning.com/chap1.html"
#define CH3 "http://neuralnetworksanddeeplearning.com/chap3.html"
#define CH5 "http://neuralnetworksanddeeplearning.com/chap5.html"
#define CH6 "http://neuralnetworksanddeeplearning.com/chap6.html"
#define DENSE(size, act) { BP_LAYER_DENSE, act, size, 0, BP_DROPOUT_LIVE }
#define RUN(h, act, out, cost, init_, eta, l2, l1, mu, p, m, n_epochs, n_train, early, sched, exp, \
            seed_)                                                                              \
  {                                                                                             \
    .arch = { 1, 28, 28, 2, { DENSE (h, act), DENSE (10, act) }, out, cost },                   \
    .init = init_, .seed = seed_, .train_size = n_train, .expand = exp,                         \
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
         3.0f, 0.0f, 0.0f, 0.0f, 0.0f, 10, 30, 0, 0, 0, BP_EXPAND_NONE, 5),
    false,
    NULL, "test", "95.42%", 3,
    .section = N_ ("Chapter 1 · Implementing our network to classify digits"), .url = CH1,
    .figure = N_ ("The book prints the test accuracy after each epoch: 9,129 of 10,000 after the first, 9,542 at best (epoch 28)."),
    .look_for = N_ ("Test accuracy passes 90 % after the first epoch and creeps up to about 95 %. The book’s figure is the best of three runs, so yours may differ by a few tenths."),
    .book_value = 95.42,
  },
  {
    "ch1-100", N_ ("chapter 1: 784-100-10 sigmoid, quadratic cost, η 3.0, 30 epochs"), "1",
    RUN (100, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID, BP_COST_QUADRATIC, BP_INIT_LARGE,
         3.0f, 0.0f, 0.0f, 0.0f, 0.0f, 10, 30, 0, 0, 0, BP_EXPAND_NONE, 3),
    false,
    NULL, "test", "96.59%", 3,
    .section = N_ ("Chapter 1 · Implementing our network to classify digits"), .url = CH1,
    .figure = N_ ("The book gives the best test accuracy of three runs, 96.59 %, and warns that runs of this network vary a lot."),
    .look_for = N_ ("A point more than with 30 hidden neurons, for slower epochs. Some random starts stall near 78 %: a few output neurons saturate and their digits are never guessed. Another seed starts elsewhere."),
    .book_value = 96.59,
  },
  {
    "ch3-xent", N_ ("chapter 3: 784-30-10 cross-entropy cost, η 0.5, 30 epochs (network2.py)"), "3",
    RUN (30, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID, BP_COST_CROSS_ENTROPY, BP_INIT_LARGE,
         0.5f, 0.0f, 0.0f, 0.0f, 0.0f, 10, 30, 0, 0, 0, BP_EXPAND_NONE, 1),
    false,
    NULL, "test", "95.49%", 1,
    .section = N_ ("Chapter 3 · The cross-entropy cost function"), .url = CH3,
    .figure = N_ ("The book reports 95.49 % test accuracy, against 95.42 % with chapter 1’s quadratic cost."),
    .look_for = N_ ("With the cross-entropy cost the output neurons learn fast even when they start badly wrong: η 0.5 does what η 3.0 did with the quadratic cost."),
    .book_value = 95.49,
  },
  {
    "ch3-overfit", N_ ("chapter 3: overfitting — 784-30-10 on the first 1,000 images, 400 epochs, λ 0"), "3",
    RUN (30, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID, BP_COST_CROSS_ENTROPY, BP_INIT_LARGE,
         0.5f, 0.0f, 0.0f, 0.0f, 0.0f, 10, 400, 1000, 0, 0, BP_EXPAND_NONE, 2),
    false,
    NULL, "test", "82.27% (peak)", 1,
    .section = N_ ("Chapter 3 · Overfitting and regularization"), .url = CH3,
    .figure = N_ ("The book plots the test cost, the test accuracy and the training accuracy against the epoch."),
    .look_for = N_ ("Training accuracy reaches 100 % while test accuracy stops improving around epoch 280, near 82 %, and the test cost turns up after epoch 15: overfitting."),
    .book_value = 82.27,
  },
  {
    "ch3-overfit-l2", N_ ("chapter 3: the same 1,000 images with L2 regularisation λ 0.1, 400 epochs"), "3",
    RUN (30, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID, BP_COST_CROSS_ENTROPY, BP_INIT_LARGE,
         0.5f, 0.1f, 0.0f, 0.0f, 0.0f, 10, 400, 1000, 0, 0, BP_EXPAND_NONE, 5),
    false,
    NULL, "test", "87.1% (peak)", 1,
    .section = N_ ("Chapter 3 · Regularization"), .url = CH3,
    .figure = N_ ("The book plots the test accuracy of the regularised run, which rises for all 400 epochs, to 87.1 %."),
    .look_for = N_ ("With L2 weight decay test accuracy keeps rising, to about 87 %: five points above the same run without it."),
    .book_value = 87.1,
  },
  {
    "ch3-l2", N_ ("chapter 3: 784-30-10 on all 50,000 images with λ 5.0, η 0.5, 30 epochs"), "3",
    RUN (30, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID, BP_COST_CROSS_ENTROPY, BP_INIT_LARGE,
         0.5f, 5.0f, 0.0f, 0.0f, 0.0f, 10, 30, 0, 0, 0, BP_EXPAND_NONE, 1),
    false,
    NULL, "test", "96.49%", 1,
    .section = N_ ("Chapter 3 · Regularization"), .url = CH3,
    .figure = N_ ("The book reports 96.49 % test accuracy (95.33 % without regularisation) and plots training and test accuracy together."),
    .look_for = N_ ("Training and test accuracy stay within a point of each other: regularisation closes the gap that overfitting opens."),
    .book_value = 96.49,
  },
  {
    "ch3-100", N_ ("chapter 3: 784-100-10 cross-entropy, λ 5.0, η 0.5, 30 epochs"), "3",
    RUN (100, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID, BP_COST_CROSS_ENTROPY, BP_INIT_LARGE,
         0.5f, 5.0f, 0.0f, 0.0f, 0.0f, 10, 30, 0, 0, 0, BP_EXPAND_NONE, 1),
    false,
    NULL, "validation", "97.92%", 1,
    .section = N_ ("Chapter 3 · Regularization"), .url = CH3,
    .figure = N_ ("The book reports 97.92 % validation accuracy."),
    .look_for = N_ ("A hundred hidden neurons with regularisation come close to 98 %."),
    .book_value = 97.92,
  },
  {
    "ch3-100-60", N_ ("chapter 3: 784-100-10 cross-entropy, λ 5.0, η 0.1, 60 epochs (\"breaks 98%\")"), "3",
    RUN (100, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID, BP_COST_CROSS_ENTROPY, BP_INIT_LARGE,
         0.1f, 5.0f, 0.0f, 0.0f, 0.0f, 10, 60, 0, 0, 0, BP_EXPAND_NONE, 2),
    false,
    NULL, "validation", "98.04%", 1,
    .section = N_ ("Chapter 3 · Regularization"), .url = CH3,
    .figure = N_ ("The book reports 98.04 % validation accuracy: it “breaks the 98 percent barrier”."),
    .look_for = N_ ("A smaller η and twice the epochs add the last tenths of a point."),
    .book_value = 98.04,
  },
  {
    "ch3-init", N_ ("chapter 3: weight initialisation — N(0, 1/√n_in) weights against N(0, 1), 784-30-10, η 0.1, λ 5"), "3",
    RUN (30, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID, BP_COST_CROSS_ENTROPY, BP_INIT_DEFAULT,
         0.1f, 5.0f, 0.0f, 0.0f, 0.0f, 10, 30, 0, 0, 0, BP_EXPAND_NONE, 4),
    false,
    "--init default | --init large", "validation", "96.50% | 96.37%", 1,
    .section = N_ ("Chapter 3 · Weight initialization"), .url = CH3,
    .figure = N_ ("The book plots the validation accuracy of both initialisations against the epoch."),
    .look_for = N_ ("With N(0, 1/√n_in) weights validation accuracy is near 93 % after the first epoch, against under 87 % with N(0, 1) weights. After 30 epochs both are a little above 96 %: the better start learns faster, not better."),
    .book_value = NAN,
    .n_variants = 2,
    .variant = {
      { "init-default", "init", "default", N_ ("N(0, 1/√n_in) weights"), 96.50 },
      { "init-large", "init", "large", N_ ("N(0, 1) weights"), 96.37 },
    },
  },
  {
    "ch3-eta", N_ ("chapter 3: choosing η — training cost of 784-30-10, λ 5, with η 0.025, 0.25 or 2.5"), "3",
    RUN (30, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID, BP_COST_CROSS_ENTROPY, BP_INIT_DEFAULT,
         0.25f, 5.0f, 0.0f, 0.0f, 0.0f, 10, 30, 0, 0, 0, BP_EXPAND_NONE, 5),
    false,
    "--eta 0.025 | --eta 0.25 | --eta 2.5", "training cost",
    "η 0.025 falls slowly, η 0.25 falls fastest, η 2.5 oscillates", 1,
    .section = N_ ("Chapter 3 · How to choose a neural network’s hyper-parameters?"), .url = CH3,
    .figure = N_ ("The book plots the training cost of the three learning rates against the epoch."),
    .look_for = N_ ("With η 0.025 the cost falls slowly and with η 0.25 fastest; with η 2.5 it jumps about and ends more than twice as high: too large a step overshoots the minimum."),
    .book_value = NAN,
    .n_variants = 3,
    .variant = {
      { "eta-0.025", "eta", "0.025", N_ ("η = 0.025"), 0.339 },
      { "eta-0.25", "eta", "0.25", N_ ("η = 0.25"), 0.339 },
      { "eta-2.5", "eta", "2.5", N_ ("η = 2.5"), 0.861 },
    },
  },
  {
    "ch3-data-size", N_ ("chapter 3: more data — 784-30-10 on the first N images (λ and epochs scaled with N)"), "3",
    RUN (30, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID, BP_COST_CROSS_ENTROPY, BP_INIT_LARGE,
         0.5f, 5.0f, 0.0f, 0.0f, 0.0f, 10, 30, 0, 0, 0, BP_EXPAND_NONE, 5),
    true,
    "--train-size 100 | 1000 | 5000 | 10000 | 50000", "validation",
    "69.09% (100) … 93.24% (5,000) … 95.97% (50,000)", 1,
    .section = N_ ("Chapter 3 · Other techniques for regularization"), .url = CH3,
    .figure = N_ ("The book plots validation accuracy against the training-set size, on a linear and a logarithmic axis."),
    .look_for = N_ ("Accuracy rises with more data, from about 69 % with 100 images to 96 % with 50,000, and has not levelled off: more data is one of the best regularisers."),
    .book_value = NAN,
    .n_variants = 5,
    .variant = {
      { "n-100", "train_size", "100", N_ ("100 images"), 69.09 },
      { "n-1000", "train_size", "1000", N_ ("1,000 images"), 88.85 },
      { "n-5000", "train_size", "5000", N_ ("5,000 images"), 93.24 },
      { "n-10000", "train_size", "10000", N_ ("10,000 images"), 94.89 },
      { "n-50000", "train_size", "50000", N_ ("50,000 images"), 95.97 },
    },
  },
  {
    "ch5-depth", N_ ("chapter 5: deeper is not better — 784-30-10 with 1 to 4 hidden layers of 30, η 0.1, λ 5"), "5",
    RUN (30, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID, BP_COST_CROSS_ENTROPY, BP_INIT_DEFAULT,
         0.1f, 5.0f, 0.0f, 0.0f, 0.0f, 10, 30, 0, 0, 0, BP_EXPAND_NONE, 4),
    false,
    "--layers 784,30,10 | 784,30,30,10 | 784,30,30,30,10 | 784,30,30,30,30,10", "validation",
    "96.48 / 96.90 / 96.57 / 96.53%", 1,
    .section = N_ ("Chapter 5 · The vanishing gradient problem"), .url = CH5,
    .figure = N_ ("The book lists the validation accuracy of each depth: 96.48, 96.90, 96.57 and 96.53 %."),
    .look_for = N_ ("A second hidden layer helps a little; a third and a fourth do not. The early layers learn far more slowly than the later ones: the vanishing gradient."),
    .book_value = NAN,
    .n_variants = 4,
    .variant = {
      { "layers-1", "layers", "784,30,10", N_ ("1 hidden layer"), 96.48 },
      { "layers-2", "layers", "784,30,30,10", N_ ("2 hidden layers"), 96.90 },
      { "layers-3", "layers", "784,30,30,30,10", N_ ("3 hidden layers"), 96.57 },
      { "layers-4", "layers", "784,30,30,30,30,10", N_ ("4 hidden layers"), 96.53 },
    },
  },
  {
    "ch6-shallow", N_ ("chapter 6: 784-100-10, sigmoid and softmax, η 0.1, 60 epochs (network3.py)"), "6",
    RUN3 (NET3 (2, FC (100, SIG, 0.0f), FC (10, SIG, 0.0f)), 0.1f, 0.0f, 60, BP_EXPAND_NONE),
    false,
    NULL, CH6_METRIC, "97.80%", 3,
    .section = N_ ("Chapter 6 · Convolutional neural networks in practice"), .url = CH6,
    .figure = N_ ("The book reports 97.80 %: the test accuracy at the epoch of best validation accuracy, the baseline for the convolutional nets."),
    .look_for = N_ ("A fully connected network with a softmax output, network3.py’s starting point: the convolutional nets below should beat it."),
    .book_value = 97.80,
  },
  {
    "ch6-conv1", N_ ("chapter 6: one conv-pool layer of 20 5×5 filters, then FC 100, η 0.1, 60 epochs"), "6",
    RUN3 (NET3 (4, CONV (20, 5, SIG), POOL (2, SIG), FC (100, SIG, 0.0f), FC (10, SIG, 0.0f)),
          0.1f, 0.0f, 60, BP_EXPAND_NONE),
    false,
    NULL, CH6_METRIC, "98.78%", 3,
    .section = N_ ("Chapter 6 · Convolutional neural networks in practice"), .url = CH6,
    .figure = N_ ("The book reports 98.78 %: the test accuracy at the epoch of best validation accuracy."),
    .look_for = N_ ("One layer of convolution and pooling, which knows that nearby pixels belong together, takes the error from 2.2 % to 1.2 %."),
    .book_value = 98.78,
  },
  {
    "ch6-conv2", N_ ("chapter 6: a second conv-pool layer of 40 5×5 filters, η 0.1, 60 epochs"), "6",
    RUN3 (NET3 (6, CONV2 (SIG), FC (100, SIG, 0.0f), FC (10, SIG, 0.0f)), 0.1f, 0.0f, 60,
          BP_EXPAND_NONE),
    false,
    NULL, CH6_METRIC, "99.06%", 3,
    .section = N_ ("Chapter 6 · Convolutional neural networks in practice"), .url = CH6,
    .figure = N_ ("The book reports 99.06 %: the test accuracy at the epoch of best validation accuracy."),
    .look_for = N_ ("A second convolution-pooling layer adds a little more: 99 %."),
    .book_value = 99.06,
  },
  {
    "ch6-relu", N_ ("chapter 6: the same with ReLU, η 0.03, λ 0.1 (network3.py's L2), 60 epochs"), "6",
    RUN3 (NET3 (6, CONV2 (RELU), FC (100, RELU, 0.0f), FC (10, RELU, 0.0f)), 0.03f, 0.1f, 60,
          BP_EXPAND_NONE),
    false,
    NULL, CH6_METRIC, "99.23%", 3,
    .section = N_ ("Chapter 6 · Convolutional neural networks in practice"), .url = CH6,
    .figure = N_ ("The book reports 99.23 %: the test accuracy at the epoch of best validation accuracy."),
    .look_for = N_ ("Rectified linear units, with L2 regularisation, learn faster and a little better than sigmoid ones."),
    .book_value = 99.23,
  },
  {
    "ch6-expanded", N_ ("chapter 6: ReLU conv net on the 250,000 images of expand_mnist.py"), "6",
    RUN3 (NET3 (6, CONV2 (RELU), FC (100, RELU, 0.0f), FC (10, RELU, 0.0f)), 0.03f, 0.1f, 60,
          BP_EXPAND_SHIFTS),
    false,
    NULL, CH6_METRIC, "99.37%", 3,
    .section = N_ ("Chapter 6 · Convolutional neural networks in practice"), .url = CH6,
    .figure = N_ ("The book reports 99.37 %: the test accuracy at the epoch of best validation accuracy."),
    .look_for = N_ ("Four one-pixel shifts of every training image, five times the data, take the net to about 99.4 %."),
    .book_value = 99.37,
  },
  {
    "ch6-fc2", N_ ("chapter 6: a second FC 100 layer, expanded data"), "6",
    RUN3 (NET3 (7, CONV2 (RELU), FC (100, RELU, 0.0f), FC (100, RELU, 0.0f), FC (10, RELU, 0.0f)),
          0.03f, 0.1f, 60, BP_EXPAND_SHIFTS),
    false,
    NULL, CH6_METRIC, "99.43%", 3,
    .section = N_ ("Chapter 6 · Convolutional neural networks in practice"), .url = CH6,
    .figure = N_ ("The book reports 99.43 %: the test accuracy at the epoch of best validation accuracy."),
    .look_for = N_ ("A second fully connected layer helps only a little."),
    .book_value = 99.43,
  },
  {
    "ch6-dropout", N_ ("chapter 6: two FC 1000 layers, dropout 0.5 on their inputs and the softmax's, 40 epochs, expanded data"), "6",
    RUN3 (NET3 (7, CONV2 (RELU), FC (1000, RELU, 0.5f), FC (1000, RELU, 0.5f), FC (10, RELU, 0.5f)),
          0.03f, 0.0f, 40, BP_EXPAND_SHIFTS),
    false,
    NULL, CH6_METRIC, "99.60% (an ensemble of five: 99.67%)", 3,
    .section = N_ ("Chapter 6 · Convolutional neural networks in practice"), .url = CH6,
    .figure = N_ ("The book reports 99.60 %: the test accuracy at the epoch of best validation accuracy, and 99.67 % for a vote of five such nets."),
    .look_for = N_ ("Dropout on the big fully connected layers lets them be large without overfitting: 99.6 %."),
    .book_value = 99.60,
  },
  {
    "best-mlp", N_ ("beyond the book: 784-800-10 ReLU, softmax, dropout 0.3, momentum 0.9, affine distortions"), "beyond",
    RUN (800, BP_ACTIVATION_RELU, BP_OUTPUT_SOFTMAX, BP_COST_LOG_LIKELIHOOD, BP_INIT_DEFAULT,
         0.02f, 0.0f, 0.0f, 0.9f, 0.3f, 50, 100, 0, 0, 4, BP_EXPAND_AFFINE, 1),
    false,
    NULL, "test", "98.9% (Simard et al., 800 hidden, affine distortions)", 1,
    .section = N_ ("Chapter 3 · Other techniques for regularization"), .url = CH3,
    .figure = N_ ("The book cites Simard et al.: 98.9 % with 800 hidden neurons and affine distortions of the training images."),
    .look_for = N_ ("Dropout, momentum and distorted digits take one hidden layer to about 99 %, beyond the book’s own runs."),
    .book_value = 98.9,
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

  /* The seed too: each preset's is one that reproduces the book's figure (bench/SEEDS.md). */
  *run = p->run;
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

bool
bp_book_preset_apply_variant (const BpBookPreset *p,
                              size_t              index,
                              size_t              train_size,
                              BpRun              *run,
                              unsigned           *monitor_every)
{
  const BpBookVariant *v;
  const BpRunField *field;

  if (index >= p->n_variants)
    return false;
  v = &p->variant[index];

  if (strcmp (v->setting, "train_size") == 0)
    {
      size_t n = train_size > 0 ? train_size : (size_t) strtoull (v->value, NULL, 10);

      bp_book_preset_apply (p, n, run, monitor_every);
      run->train_size = n;
      return true;
    }

  bp_book_preset_apply (p, train_size, run, monitor_every);
  if (strcmp (v->setting, "layers") == 0)
    {
      size_t sizes[BP_MAX_LAYERS], n_sizes;
      BpArch arch;

      if (!bp_parse_layers (v->value, sizes, &n_sizes, NULL)
          || !bp_arch_from_sizes (&arch, sizes, n_sizes, bp_arch_get_activation (&run->arch),
                                  run->arch.output, run->arch.cost, NULL))
        return false;
      run->arch = arch;
      return true;
    }

  field = bp_run_field_find (v->setting);
  return field != NULL && bp_run_field_parse (run, field, v->value, NULL);
}

double
bp_book_preset_book_value (const BpBookPreset *p,
                           size_t              index)
{
  if (index < p->n_variants)
    return p->variant[index].book_value;
  return p->book_value;
}

bool
bp_book_metric_is_accuracy (const char *book_metric)
{
  return book_metric != NULL && strstr (book_metric, "cost") == NULL;
}

bool
bp_book_metric_score (const char           *book_metric,
                      const BpEpochMetrics *history,
                      size_t                n,
                      double               *value,
                      unsigned             *epoch)
{
  bool test = book_metric != NULL && strcmp (book_metric, "test") == 0;
  bool at_best_validation = book_metric != NULL
                            && strcmp (book_metric, "test at the best validation epoch") == 0;
  double best_key = NAN, best = NAN;
  unsigned best_epoch = 0;

  if (!bp_book_metric_is_accuracy (book_metric))
    {
      for (size_t i = n; i-- > 0;)
        if (!isnan (history[i].train_cost))
          {
            *value = history[i].train_cost;
            *epoch = history[i].epoch;
            return true;
          }
      return false;
    }
  for (size_t i = 0; i < n; i++)
    {
      double key = test ? history[i].test_accuracy : history[i].validation_accuracy;

      /* The first best: a later epoch as good does not replace it. */
      if (!isnan (key) && (isnan (best_key) || key > best_key))
        {
          best_key = key;
          best = at_best_validation ? history[i].test_accuracy : key;
          best_epoch = history[i].epoch;
        }
    }
  if (isnan (best))
    return false;
  *value = best;
  *epoch = best_epoch;
  return true;
}

bool
bp_book_run_stuck (double yours,
                   double book,
                   bool   full_run)
{
  return full_run && !isnan (book) && !isnan (yours) && yours < book - BP_BOOK_STUCK_POINTS;
}

unsigned
bp_book_digits_rarely_predicted (const size_t *confusion,
                                 size_t        n_classes)
{
  unsigned mask = 0;

  for (size_t d = 0; d < n_classes && d < 32; d++)
    {
      size_t predicted = 0, present = 0;

      for (size_t k = 0; k < n_classes; k++)
        {
          predicted += confusion[k * n_classes + d];
          present += confusion[d * n_classes + k];
        }
      if (present > 0 && predicted * 10 < present)
        mask |= 1u << d;
    }
  return mask;
}

/* Whether @run has variant @index's value of the setting the variant changes. */
static bool
run_is_variant (const BpBookPreset *preset,
                size_t              index,
                const BpRun        *run)
{
  const BpBookVariant *v = &preset->variant[index];
  BpRun variant;

  if (!bp_book_preset_apply_variant (preset, index, 0, &variant, NULL))
    return false;
  if (strcmp (v->setting, "layers") == 0)
    {
      size_t a[BP_MAX_LAYERS], b[BP_MAX_LAYERS];
      size_t na = bp_arch_get_sizes (&variant.arch, a), nb = bp_arch_get_sizes (&run->arch, b);

      return na == nb && memcmp (a, b, na * sizeof a[0]) == 0;
    }
  if (strcmp (v->setting, "train_size") == 0)
    return run->train_size == variant.train_size
           || (run->train_size == 0 && variant.train_size == 50000);
  {
    const BpRunField *field = bp_run_field_find (v->setting);

    return field != NULL
           && bp_run_field_get_number (run, field) == bp_run_field_get_number (&variant, field);
  }
}

size_t
bp_book_preset_find_variant (const BpBookPreset *preset,
                             const BpRun        *run)
{
  for (size_t i = 0; i < preset->n_variants; i++)
    if (run_is_variant (preset, i, run))
      return i;
  return (size_t) -1;
}
