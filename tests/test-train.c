/* test-train.c — the training loop: determinism, monitors, early stopping, schedule,
 * divergence, cancellation and live hyperparameters
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib.h>
#include <math.h>
#include <string.h>

#include "bp-dataset.h"
#include "bp-metrics.h"
#include "bp-train.h"

/* A small learnable problem: 8×8 images of 4 classes, class c a bright horizontal bar on rows
 * 2c and 2c+1 at a random column offset, with noise. */
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
  g_assert_cmpstr (error.message, ==, "");
  g_assert_nonnull (ds);
  return ds;
}

typedef struct
{
  BpDataset *train;
  BpDataset *validation;
  BpDataset *test;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->train = make_bars (600, 1);
  f->validation = make_bars (200, 2);
  f->test = make_bars (200, 3);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  bp_dataset_free (f->train);
  bp_dataset_free (f->validation);
  bp_dataset_free (f->test);
}

static BpNetwork *
new_network (BpActivation activation,
             BpOutput     output,
             BpCost       cost,
             BpInit       init,
             uint64_t     seed)
{
  const size_t sizes[] = { 64, 16, 4 };
  BpError error = { 0 };
  BpNetwork *net = bp_network_new_dense (sizes, 3, activation, output, cost, &error);
  BpRng rng;

  g_assert_nonnull (net);
  bp_rng_seed (&rng, seed, BP_RNG_STREAM_INIT);
  bp_network_init (net, init, &rng);
  return net;
}

static void
small_config (BpRun          *c,
              BpTrainOptions *o)
{
  bp_run_init (c);
  bp_train_options_init (o);
  c->hyper.eta = 0.5f;
  c->hyper.batch_size = 10;
  c->epochs = 5;
  c->seed = 7;
}

/* Train a fresh network and return it, with its history copied to @history (may be NULL). */
static BpNetwork *
train_once (Fixture              *f,
            const BpRun          *config,
            const BpTrainOptions *options,
            GArray              **history)
{
  BpNetwork *net = new_network (BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID, BP_COST_CROSS_ENTROPY,
                                BP_INIT_DEFAULT, config->seed);
  BpError error = { 0 };
  BpTrainer *trainer = bp_trainer_new (net, config, options, f->train, f->validation, f->test, &error);
  const BpEpochMetrics *h;
  size_t n;

  g_assert_nonnull (trainer);
  g_assert_true (bp_trainer_run (trainer, NULL, NULL, NULL, NULL, &error));
  h = bp_trainer_get_history (trainer, &n);
  if (history != NULL)
    {
      *history = g_array_new (FALSE, FALSE, sizeof (BpEpochMetrics));
      g_array_append_vals (*history, h, n);
    }
  bp_trainer_free (trainer);
  return net;
}

static void
test_same_seed_same_bits (Fixture       *f,
                          gconstpointer  data)
{
  BpRun c;
  BpTrainOptions o;
  BpNetwork *a, *b, *other;
  g_autoptr (GArray) ha = NULL;
  g_autoptr (GArray) hb = NULL;

  small_config (&c, &o);
  c.hyper.dropout = 0.2f;
  c.hyper.momentum = 0.5f;
  a = train_once (f, &c, &o, &ha);
  b = train_once (f, &c, &o, &hb);
  g_assert_cmpmem (a->params, a->n_params * sizeof (float), b->params, b->n_params * sizeof (float));
  g_assert_cmpuint (ha->len, ==, 5);
  for (guint i = 0; i < ha->len; i++)
    {
      BpEpochMetrics *ma = &g_array_index (ha, BpEpochMetrics, i);
      BpEpochMetrics *mb = &g_array_index (hb, BpEpochMetrics, i);

      g_assert_cmpuint (ma->epoch, ==, i + 1);
      g_assert_cmpfloat (ma->train_cost, ==, mb->train_cost);
      g_assert_cmpfloat (ma->validation_accuracy, ==, mb->validation_accuracy);
    }

  c.seed = 8;
  other = train_once (f, &c, &o, NULL);
  g_assert_true (memcmp (a->params, other->params, a->n_params * sizeof (float)) != 0);

  bp_network_free (a);
  bp_network_free (b);
  bp_network_free (other);
}

static void
test_learns_and_monitors (Fixture       *f,
                          gconstpointer  data)
{
  BpRun c;
  BpTrainOptions o;
  g_autoptr (GArray) h = NULL;
  BpNetwork *net;
  BpEpochMetrics *last, *first;

  small_config (&c, &o);
  c.epochs = 8;
  net = train_once (f, &c, &o, &h);
  first = &g_array_index (h, BpEpochMetrics, 0);
  last = &g_array_index (h, BpEpochMetrics, h->len - 1);

  g_assert_cmpfloat (last->train_accuracy, >=, 0.97);
  g_assert_cmpfloat (last->validation_accuracy, >=, 0.95);
  g_assert_cmpfloat (last->test_accuracy, >=, 0.95);
  g_assert_cmpfloat (last->train_cost, <, first->train_cost);
  g_assert_false (isnan (last->validation_cost));
  g_assert_cmpfloat (last->seconds, >, 0.0);
  g_assert_cmpfloat (last->eta, ==, 0.5f);

  /* Monitors that are off stay NaN. */
  o.monitor = BP_MONITOR_TEST_ACCURACY;
  c.epochs = 1;
  bp_network_free (net);
  g_array_unref (g_steal_pointer (&h));
  net = train_once (f, &c, &o, &h);
  last = &g_array_index (h, BpEpochMetrics, 0);
  g_assert_true (isnan (last->train_cost) && isnan (last->train_accuracy));
  g_assert_true (isnan (last->validation_accuracy));
  g_assert_false (isnan (last->test_accuracy));
  bp_network_free (net);

  /* monitor_every: measured on epochs 3 and 4 (the last) only. */
  o.monitor = BP_MONITOR_ALL;
  c.epochs = 4;
  o.monitor_every = 3;
  g_array_unref (g_steal_pointer (&h));
  net = train_once (f, &c, &o, &h);
  g_assert_cmpuint (h->len, ==, 4);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpint (isnan (g_array_index (h, BpEpochMetrics, i).test_accuracy), ==, i < 2);
  bp_network_free (net);
}

/* Early stopping: once validation accuracy is perfect it cannot improve, so a patience of 2
 * ends the run two epochs later. */
static void
test_early_stopping (Fixture       *f,
                     gconstpointer  data)
{
  BpRun c;
  BpTrainOptions o;
  BpNetwork *net = new_network (BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID, BP_COST_CROSS_ENTROPY,
                                BP_INIT_DEFAULT, 1);
  BpError error = { 0 };
  BpTrainer *t;
  const BpEpochMetrics *h;
  size_t n;
  double best = -1.0;
  size_t best_epoch = 0;

  small_config (&c, &o);
  c.epochs = 200;
  c.early_stop = 2;
  t = bp_trainer_new (net, &c, &o, f->train, f->validation, NULL, &error);
  g_assert_true (bp_trainer_run (t, NULL, NULL, NULL, NULL, &error));
  h = bp_trainer_get_history (t, &n);
  g_assert_cmpint (bp_trainer_get_stop_reason (t), ==, BP_STOP_EARLY);
  g_assert_cmpuint (n, <, 200);
  for (size_t i = 0; i < n; i++)
    if (h[i].validation_accuracy > best)
      {
        best = h[i].validation_accuracy;
        best_epoch = i + 1;
      }
  /* It stopped exactly 2 epochs after the last improvement. */
  g_assert_cmpuint (n, ==, best_epoch + 2);

  bp_trainer_free (t);
  bp_network_free (net);
}

/* The schedule halves η after each `schedule` epochs without improvement and stops at η₀/128. */
static void
test_schedule (Fixture       *f,
               gconstpointer  data)
{
  BpRun c;
  BpTrainOptions o;
  BpNetwork *net = new_network (BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID, BP_COST_CROSS_ENTROPY,
                                BP_INIT_DEFAULT, 1);
  BpError error = { 0 };
  BpTrainer *t;
  const BpEpochMetrics *h;
  size_t n, halvings = 0;

  small_config (&c, &o);
  c.epochs = 1000;
  c.schedule = 1;
  t = bp_trainer_new (net, &c, &o, f->train, f->validation, NULL, &error);
  g_assert_true (bp_trainer_run (t, NULL, NULL, NULL, NULL, &error));
  h = bp_trainer_get_history (t, &n);
  g_assert_cmpint (bp_trainer_get_stop_reason (t), ==, BP_STOP_SCHEDULE);
  for (size_t i = 1; i < n; i++)
    {
      g_assert_true (h[i].eta == h[i - 1].eta || h[i].eta == h[i - 1].eta / 2);
      halvings += h[i].eta != h[i - 1].eta;
    }
  /* Six halvings show in the history (each epoch records the η it trained with); the seventh,
   * to η₀/128, ends the run. */
  g_assert_cmpfloat (h[0].eta, ==, 0.5f);
  g_assert_cmpfloat (h[n - 1].eta, ==, 0.5f / 64.0f);
  g_assert_cmpuint (halvings, ==, 6);
  g_assert_cmpfloat (bp_trainer_get_run (t)->hyper.eta, ==, 0.5f / 128.0f);
  bp_trainer_free (t);
  bp_network_free (net);
}

static void
test_divergence (Fixture       *f,
                 gconstpointer  data)
{
  BpRun c;
  BpTrainOptions o;
  BpNetwork *net = new_network (BP_ACTIVATION_RELU, BP_OUTPUT_SOFTMAX, BP_COST_LOG_LIKELIHOOD,
                                BP_INIT_LARGE, 3);
  BpNetwork *start = bp_network_copy (net);
  BpError error = { 0 };
  BpTrainer *t;
  size_t n;

  /* Weight decay by (1 − ηλ/n) with ηλ/n ≈ 17 flips and multiplies every weight by −16 each
   * step: the parameters overflow within a few dozen mini-batches. */
  small_config (&c, &o);
  c.hyper.eta = 100.0f;
  c.hyper.lambda_l2 = 100.0f;
  c.hyper.batch_size = 1;
  t = bp_trainer_new (net, &c, &o, f->train, f->validation, f->test, &error);
  g_assert_false (bp_trainer_run (t, NULL, NULL, NULL, NULL, &error));
  g_assert_cmpint (error.code, ==, BP_ERROR_DIVERGED);
  g_test_message ("%s", error.message);
  g_assert_nonnull (strstr (error.message, "training diverged at epoch 1, mini-batch"));
  g_assert_nonnull (strstr (error.message, "try a smaller η (now 100)"));
  /* The last good state: the parameters at the start of the epoch, bit for bit. */
  g_assert_true (bp_network_is_finite (net));
  g_assert_cmpmem (net->params, net->n_params * sizeof (float), start->params,
                   start->n_params * sizeof (float));
  bp_trainer_get_history (t, &n);
  g_assert_cmpuint (n, ==, 0);

  /* With sane settings the same trainer carries on from there. */
  c.hyper.eta = 0.05f;
  c.hyper.lambda_l2 = 0.0f;
  g_assert_true (bp_trainer_set_hyperparams (t, &c.hyper, &error));
  c.hyper.batch_size = 10;
  g_assert_true (bp_trainer_set_hyperparams (t, &c.hyper, &error));
  do
    g_assert_true (bp_trainer_step (t, &error));
  while (!bp_trainer_epoch_complete (t));
  g_assert_true (bp_network_is_finite (net));

  bp_trainer_free (t);
  bp_network_free (start);
  bp_network_free (net);
}

typedef struct
{
  atomic_int cancel;
  int        calls;
  int        cancel_after;
  size_t     last_batch;
} CancelState;

static void
cancel_progress_cb (const BpProgress *p,
                    void             *user_data)
{
  CancelState *st = user_data;

  st->calls++;
  g_assert_cmpuint (p->batch, ==, st->last_batch + 1);
  st->last_batch = p->batch;
  g_assert_cmpuint (p->n_batches, ==, 60);
  g_assert_cmpuint (p->examples_seen, ==, p->batch * 10);
  if (st->calls == st->cancel_after)
    atomic_store (&st->cancel, 1);
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  BpRun c;
  BpTrainOptions o;
  BpNetwork *net = new_network (BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID, BP_COST_QUADRATIC,
                                BP_INIT_LARGE, 1);
  BpError error = { 0 };
  CancelState st = { 0 };
  BpTrainer *t;
  BpProgress p;

  small_config (&c, &o);
  st.cancel_after = 3;
  t = bp_trainer_new (net, &c, &o, f->train, NULL, NULL, &error);
  g_assert_false (bp_trainer_run (t, &st.cancel, cancel_progress_cb, NULL, &st, &error));
  g_assert_cmpint (error.code, ==, BP_ERROR_CANCELLED);
  /* The flag is read between mini-batches: exactly 3 were done. */
  g_assert_cmpint (st.calls, ==, 3);
  bp_trainer_get_progress (t, &p);
  g_assert_cmpuint (p.batch, ==, 3);
  g_assert_cmpuint (p.epoch, ==, 1);
  g_assert_true (bp_network_is_finite (net));
  bp_trainer_free (t);
  bp_network_free (net);
}

static void
test_live_hyperparams (Fixture       *f,
                       gconstpointer  data)
{
  BpRun c;
  BpTrainOptions o;
  BpNetwork *net = new_network (BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID, BP_COST_CROSS_ENTROPY,
                                BP_INIT_DEFAULT, 1);
  BpError error = { 0 };
  BpTrainer *t;
  BpHyperparams h;
  BpProgress p;
  BpEpochMetrics m;
  bool stop;

  small_config (&c, &o);
  t = bp_trainer_new (net, &c, &o, f->train, f->validation, NULL, &error);
  for (int i = 0; i < 10; i++)
    g_assert_true (bp_trainer_step (t, &error));

  /* 100 of 600 examples done; the rest of the epoch in mini-batches of 50: 10 + 10 = 20. */
  h = c.hyper;
  h.batch_size = 50;
  h.eta = 0.25f;
  g_assert_true (bp_trainer_set_hyperparams (t, &h, &error));
  g_assert_true (bp_trainer_step (t, &error));
  bp_trainer_get_progress (t, &p);
  g_assert_cmpuint (p.examples_seen, ==, 150);
  g_assert_cmpuint (p.n_batches, ==, 20);
  while (!bp_trainer_epoch_complete (t))
    g_assert_true (bp_trainer_step (t, &error));
  g_assert_true (bp_trainer_finish_epoch (t, &m, &stop, &error));
  g_assert_cmpfloat (m.eta, ==, 0.25f);
  g_assert_false (stop);

  /* Invalid values are refused with a message naming the setting; nothing changes. */
  h.eta = -1.0f;
  g_assert_false (bp_trainer_set_hyperparams (t, &h, &error));
  g_assert_nonnull (strstr (error.message, "η (learning rate) = -1 is out of range"));
  h.eta = NAN;
  g_assert_false (bp_trainer_set_hyperparams (t, &h, &error));
  h.eta = 0.25f;
  h.dropout = 1.0f;
  g_assert_false (bp_trainer_set_hyperparams (t, &h, &error));
  g_assert_nonnull (strstr (error.message, "dropout probability"));
  h.dropout = 0.0f;
  h.batch_size = 0;
  g_assert_false (bp_trainer_set_hyperparams (t, &h, &error));
  g_assert_nonnull (strstr (error.message, "mini-batch size = 0"));
  g_assert_cmpfloat (bp_trainer_get_run (t)->hyper.eta, ==, 0.25f);
  g_assert_cmpuint (bp_trainer_get_run (t)->hyper.batch_size, ==, 50);

  bp_trainer_free (t);
  bp_network_free (net);
}

static void
test_bad_setups (Fixture       *f,
                 gconstpointer  data)
{
  BpRun c;
  BpTrainOptions o;
  BpError error = { 0 };
  const size_t wrong[] = { 784, 10, 10 };
  const size_t few[] = { 64, 10, 3 };
  BpNetwork *net = bp_network_new_dense (wrong, 3, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                                   BP_COST_QUADRATIC, NULL);
  BpNetwork *net3 = bp_network_new_dense (few, 3, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                                    BP_COST_QUADRATIC, NULL);

  small_config (&c, &o);
  g_assert_null (bp_trainer_new (net, &c, &o, f->train, NULL, NULL, &error));
  g_assert_nonnull (strstr (error.message, "have 64 pixels but the network's input layer has 784"));
  g_assert_null (bp_trainer_new (net3, &c, &o, f->train, NULL, NULL, &error));
  g_assert_nonnull (strstr (error.message, "has 4 classes but the network has only 3 outputs"));
  c.early_stop = 3;
  g_assert_null (bp_trainer_new (net3, &c, &o, f->train, NULL, NULL, &error));
  c.early_stop = 0;
  c.epochs = 0;
  g_assert_null (bp_trainer_new (net3, &c, &o, f->train, NULL, NULL, &error));
  g_assert_nonnull (strstr (error.message, "epochs = 0 is out of range"));
  c.epochs = 1;
  c.hyper.momentum = 1.0f;
  g_assert_false (bp_run_check_fields (&c, &error));
  g_assert_nonnull (strstr (error.message, "μ (momentum) = 1 is out of range: it must be ≥ 0 and < 1"));

  bp_network_free (net);
  bp_network_free (net3);
}

static void
test_expansion (Fixture       *f,
                gconstpointer  data)
{
  BpRun c;
  BpTrainOptions o;
  BpNetwork *net = new_network (BP_ACTIVATION_RELU, BP_OUTPUT_SOFTMAX, BP_COST_LOG_LIKELIHOOD,
                                BP_INIT_DEFAULT, 1);
  BpNetwork *plain = bp_network_copy (net);
  BpError error = { 0 };
  BpTrainer *t;
  BpProgress p;
  BpExpand e;

  g_assert_true (bp_expand_from_string ("affine", &e) && e == BP_EXPAND_AFFINE);
  g_assert_false (bp_expand_from_string ("elastic", &e));
  g_assert_true (bp_expand_from_string ("thickness", &e) && e == BP_EXPAND_THICKNESS);
  g_assert_true (bp_expand_from_string ("affine,thickness", &e) && e == BP_EXPAND_AFFINE_THICKNESS);
  g_assert_true (bp_expand_from_string ("thickness,affine", &e) && e == BP_EXPAND_AFFINE_THICKNESS);
  g_assert_false (bp_expand_from_string ("affine,shifts", &e));
  g_assert_false (bp_expand_from_string ("affine,", &e));
  g_assert_cmpstr (bp_expand_to_string (BP_EXPAND_AFFINE_THICKNESS), ==, "affine,thickness");
  g_assert_cmpstr (bp_expand_to_string (BP_EXPAND_THICKNESS), ==, "thickness");

  small_config (&c, &o);
  c.hyper.eta = 0.05f;
  c.expand = BP_EXPAND_SHIFTS;
  t = bp_trainer_new (net, &c, &o, f->train, NULL, NULL, &error);
  g_assert_true (bp_trainer_step (t, &error));
  bp_trainer_get_progress (t, &p);
  g_assert_cmpuint (p.n_batches, ==, 5 * 600 / 10);
  bp_trainer_free (t);

  /* Affine distortion: fresh images every epoch, learning still works. */
  c.expand = BP_EXPAND_AFFINE;
  c.epochs = 10;
  t = bp_trainer_new (plain, &c, &o, f->train, f->validation, NULL, &error);
  g_assert_true (bp_trainer_run (t, NULL, NULL, NULL, NULL, &error));
  {
    size_t n;
    const BpEpochMetrics *h = bp_trainer_get_history (t, &n);

    g_assert_cmpfloat (h[n - 1].validation_accuracy, >=, 0.9);
  }
  bp_trainer_free (t);
  bp_network_free (net);
  bp_network_free (plain);
}

/* Thicker and thinner strokes, alone and after the affine distortion: learning still works, the
 * same seed gives the same bits, and each kind gives other bits than the others. */
static void
test_expansion_thickness (Fixture       *f,
                          gconstpointer  data)
{
  static const BpExpand kinds[] = { BP_EXPAND_AFFINE, BP_EXPAND_THICKNESS,
                                    BP_EXPAND_AFFINE_THICKNESS };
  BpNetwork *nets[G_N_ELEMENTS (kinds)];

  for (size_t k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      BpRun c;
      BpTrainOptions o;
      BpError error = { 0 };
      BpNetwork *again;
      BpTrainer *t;
      size_t n;
      const BpEpochMetrics *h;

      small_config (&c, &o);
      c.hyper.eta = 0.05f;
      c.expand = kinds[k];
      c.epochs = 10;
      nets[k] = new_network (BP_ACTIVATION_RELU, BP_OUTPUT_SOFTMAX, BP_COST_LOG_LIKELIHOOD,
                             BP_INIT_DEFAULT, 1);
      again = bp_network_copy (nets[k]);
      t = bp_trainer_new (nets[k], &c, &o, f->train, f->validation, NULL, &error);
      g_assert_true (bp_trainer_run (t, NULL, NULL, NULL, NULL, &error));
      h = bp_trainer_get_history (t, &n);
      g_assert_cmpfloat (h[n - 1].validation_accuracy, >=, 0.9);
      bp_trainer_free (t);

      c.epochs = 3;
      t = bp_trainer_new (again, &c, &o, f->train, NULL, NULL, &error);
      g_assert_true (bp_trainer_run (t, NULL, NULL, NULL, NULL, &error));
      bp_trainer_free (t);
      {
        BpNetwork *first = new_network (BP_ACTIVATION_RELU, BP_OUTPUT_SOFTMAX,
                                        BP_COST_LOG_LIKELIHOOD, BP_INIT_DEFAULT, 1);

        t = bp_trainer_new (first, &c, &o, f->train, NULL, NULL, &error);
        g_assert_true (bp_trainer_run (t, NULL, NULL, NULL, NULL, &error));
        bp_trainer_free (t);
        g_assert_cmpmem (first->params, first->n_params * sizeof (float),
                         again->params, again->n_params * sizeof (float));
        bp_network_free (first);
      }
      bp_network_free (again);
    }
  for (size_t a = 0; a < G_N_ELEMENTS (kinds); a++)
    for (size_t b = a + 1; b < G_N_ELEMENTS (kinds); b++)
      g_assert_true (memcmp (nets[a]->params, nets[b]->params,
                             nets[a]->n_params * sizeof (float)) != 0);
  for (size_t k = 0; k < G_N_ELEMENTS (kinds); k++)
    bp_network_free (nets[k]);
}

/* bp_trainer_get_last_batch() names the examples the trainer used: the same gradient step
 * taken by hand on a copy of the network, from those indices (and, for shifted images, the
 * shift named), gives the same bits; for distorted images, from the inputs it gives and the
 * labels of the indices. Two epochs of batches of 7 out of 600, so the last is short. */
static void
check_last_batch (Fixture  *f,
                  BpExpand  expand)
{
  BpRun c;
  BpTrainOptions o;
  BpNetwork *net = new_network (BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID, BP_COST_CROSS_ENTROPY,
                                BP_INIT_DEFAULT, 3);
  BpError error = { 0 };
  BpDataset *expanded = NULL;
  BpWorkspace *ws;
  BpTrainer *t;
  size_t n = 99;
  const unsigned char *images = NULL;
  const float *inputs = NULL;
  g_autofree float *x = NULL;
  g_autofree uint8_t *y = NULL;
  size_t n_train = expand == BP_EXPAND_SHIFTS ? 5 * f->train->n : f->train->n;
  size_t seen = 0, short_batches = 0;

  small_config (&c, &o);
  c.hyper.batch_size = 7;
  c.expand = expand;
  t = bp_trainer_new (net, &c, &o, f->train, NULL, NULL, &error);
  g_assert_nonnull (t);
  g_assert_null (bp_trainer_get_last_batch (t, &n, &images, &inputs));
  g_assert_cmpuint (n, ==, 0);
  g_assert_null (images);
  g_assert_null (inputs);
  if (expand == BP_EXPAND_SHIFTS)
    expanded = bp_dataset_expand_shifts (f->train, &error);
  ws = bp_workspace_new (net, 7, &error);
  x = g_new (float, 7 * f->train->n_pixels);
  y = g_new (uint8_t, 7);

  for (int step = 0; step < 2 * 86; step++)
    {
      g_autoptr (GHashTable) distinct = g_hash_table_new (NULL, NULL);
      BpNetwork *copy = bp_network_copy (net);
      const size_t *idx;

      g_assert_true (bp_trainer_step (t, &error));
      idx = bp_trainer_get_last_batch (t, &n, &images, &inputs);
      g_assert_nonnull (idx);
      g_assert_cmpuint (n, ==, seen + 7 <= n_train ? 7 : n_train - seen);
      seen = (seen + n) % n_train;
      short_batches += n < 7;
      for (size_t i = 0; i < n; i++)
        {
          size_t row = idx[i];

          g_assert_cmpuint (idx[i], <, f->train->n);
          g_hash_table_add (distinct, GSIZE_TO_POINTER (idx[i] * 8 + images[i] + 1));
          y[i] = f->train->labels[idx[i]];
          switch (expand)
            {
            case BP_EXPAND_NONE:
              g_assert_cmpuint (images[i], ==, BP_BATCH_IMAGE_ORIGINAL);
              bp_dataset_gather (f->train, &row, 1, x + i * f->train->n_pixels);
              break;
            case BP_EXPAND_SHIFTS:
              g_assert_cmpuint (images[i], <=, BP_BATCH_IMAGE_SHIFTED_LEFT);
              row = 5 * idx[i] + (images[i] - BP_BATCH_IMAGE_ORIGINAL);
              bp_dataset_gather (expanded, &row, 1, x + i * f->train->n_pixels);
              break;
            case BP_EXPAND_AFFINE:
            case BP_EXPAND_THICKNESS:
            case BP_EXPAND_AFFINE_THICKNESS:
            default:
              g_assert_cmpuint (images[i], ==, BP_BATCH_IMAGE_DISTORTED);
              memcpy (x + i * f->train->n_pixels, inputs + i * f->train->n_pixels,
                      f->train->n_pixels * sizeof (float));
              break;
            }
        }
      g_assert_cmpuint (g_hash_table_size (distinct), ==, n);
      g_assert_cmpmem (inputs, n * f->train->n_pixels * sizeof (float),
                       x, n * f->train->n_pixels * sizeof (float));
      bp_network_train_batch (copy, ws, x, y, n, &c.hyper, n_train, NULL, NULL, false, o.kernel);
      g_assert_cmpmem (copy->params, copy->n_params * sizeof (float),
                       net->params, net->n_params * sizeof (float));
      bp_network_free (copy);
    }
  if (expand != BP_EXPAND_SHIFTS)
    g_assert_cmpuint (short_batches, ==, 2); /* 600 = 85 × 7 + 5 */

  bp_workspace_free (ws);
  bp_dataset_free (expanded);
  bp_trainer_free (t);
  bp_network_free (net);
}

static void
test_last_batch (Fixture       *f,
                 gconstpointer  data)
{
  check_last_batch (f, BP_EXPAND_NONE);
  check_last_batch (f, BP_EXPAND_SHIFTS);
  check_last_batch (f, BP_EXPAND_AFFINE);
  check_last_batch (f, BP_EXPAND_THICKNESS);
  check_last_batch (f, BP_EXPAND_AFFINE_THICKNESS);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/train/same-seed-same-bits", test_same_seed_same_bits);
  ADD ("/train/learns-and-monitors", test_learns_and_monitors);
  ADD ("/train/early-stopping", test_early_stopping);
  ADD ("/train/schedule", test_schedule);
  ADD ("/train/divergence", test_divergence);
  ADD ("/train/cancel", test_cancel);
  ADD ("/train/live-hyperparams", test_live_hyperparams);
  ADD ("/train/bad-setups", test_bad_setups);
  ADD ("/train/expansion", test_expansion);
  ADD ("/train/expansion-thickness", test_expansion_thickness);
  ADD ("/train/last-batch", test_last_batch);
#undef ADD

  return g_test_run ();
}
