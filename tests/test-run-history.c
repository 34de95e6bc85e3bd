/* test-run-history.c — BpRunHistory: epochs, samples, speeds and pins, without a session
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-run-history.h"

#include <math.h>

static BpEpochMetrics
metrics (guint  epoch,
         double accuracy)
{
  BpEpochMetrics m = { 0 };

  m.epoch = epoch;
  m.train_accuracy = accuracy;
  m.validation_accuracy = accuracy - 0.01;
  m.test_accuracy = NAN;  /* not measured: left out of the curves */
  m.train_cost = 1.0 - accuracy;
  m.validation_cost = 1.0 - accuracy;
  m.test_cost = NAN;
  m.eta = epoch < 2 ? 3.0f : 1.5f;
  return m;
}

/* A pin keeps the live curves' finite points and starts the live curves after them; a pin
 * without points is no pin. */
static void
test_pin (void)
{
  g_autoptr(BpRunHistory) history = bp_run_history_new ();
  const BpSessionPlots *plots;
  const BpSessionPin *pin;
  BpEpochMetrics m;
  BpRun run;
  g_autofree char *label = NULL;
  const size_t sizes[] = { 784, 30, 10 };

  bp_run_init (&run);
  bp_arch_from_sizes (&run.arch, sizes, 3, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                      BP_COST_QUADRATIC, NULL);
  for (guint e = 1; e <= 3; e++)
    {
      bp_run_history_add_sample (history, e - 0.5, 0.5, 0.4);
      m = metrics (e, 0.5 + 0.1 * e);
      bp_run_history_add_epoch (history, &m);
    }
  bp_run_history_add_sample (history, 3.5, NAN, 0.2);
  label = bp_run_history_make_label (history, &run);
  g_assert_cmpstr (label, ==, "784-30-10 quadratic η 3→1.5 w ~ N(0, 1)");

  g_assert_true (bp_run_history_pin (history, label));
  plots = bp_run_history_get_plots (history);
  g_assert_cmpuint (plots->live_from, ==, 3);
  g_assert_cmpuint (plots->samples->len, ==, 0);
  g_assert_cmpuint (plots->pins->len, ==, 1);
  pin = g_ptr_array_index (plots->pins, 0);
  g_assert_cmpstr (pin->label, ==, label);
  g_assert_cmpuint (pin->accuracy[0]->len, ==, 3);
  g_assert_cmpuint (pin->accuracy[2]->len, ==, 0);
  g_assert_cmpuint (pin->accuracy[3]->len, ==, 3);
  g_assert_cmpuint (pin->cost[2]->len, ==, 4);
  g_assert_cmpfloat (g_array_index (pin->accuracy[0], BpSessionPoint, 2).x, ==, 3.0);

  /* Nothing new on the live curves: no second pin. */
  g_assert_false (bp_run_history_pin (history, "empty"));
  g_assert_cmpuint (bp_run_history_get_plots (history)->pins->len, ==, 1);

  /* A new network keeps the pins, and its live curves start from its first epoch. */
  bp_run_history_restart (history, NULL, 0, NULL, 0);
  g_assert_cmpuint (bp_run_history_get_n_epochs (history), ==, 0);
  g_assert_cmpuint (bp_run_history_get_live_from (history), ==, 0);
  g_assert_cmpuint (bp_run_history_get_plots (history)->pins->len, ==, 1);
  bp_run_history_clear_pins (history);
  g_assert_cmpuint (bp_run_history_get_plots (history)->pins->len, ==, 0);
}

/* Pin @history's live curves (one epoch more) under the label made for @run; the label. */
static char *
pin_one (BpRunHistory *history,
         const BpRun  *run)
{
  BpEpochMetrics m = metrics (bp_run_history_get_n_epochs (history) + 1, 0.9);
  char *label;

  m.eta = run->hyper.eta;
  bp_run_history_add_epoch (history, &m);
  label = bp_run_history_make_label (history, run);
  g_assert_true (bp_run_history_pin (history, label));
  return label;
}

/* Pinned runs that differ are told apart by their labels: chapter 3's two initialisations,
 * μ, dropout, the training set's size; runs whose labels would be the same get their seeds,
 * then a number. */
static void
test_labels_differ (void)
{
  g_autoptr(BpRunHistory) history = bp_run_history_new ();
  g_autofree char *large = NULL, *scaled = NULL, *seed1 = NULL, *seed2 = NULL, *again = NULL;
  g_autofree char *more = NULL;
  BpRun run;
  const size_t sizes[] = { 784, 30, 10 };

  bp_run_init (&run);
  bp_arch_from_sizes (&run.arch, sizes, 3, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                      BP_COST_CROSS_ENTROPY, NULL);
  run.hyper.eta = 0.1f;
  run.hyper.lambda_l2 = 5.0f;
  run.init = BP_INIT_LARGE;
  large = pin_one (history, &run);
  run.init = BP_INIT_DEFAULT;
  scaled = pin_one (history, &run);
  g_assert_cmpstr (large, ==, "784-30-10 cross-entropy η 0.1 λ 5 w ~ N(0, 1)");
  g_assert_cmpstr (scaled, ==, "784-30-10 cross-entropy η 0.1 λ 5 w ~ N(0, 1/√n)");

  g_assert_cmpuint (bp_run_history_get_pin_costs (history), ==, 1u << BP_COST_CROSS_ENTROPY);
  run.arch.cost = BP_COST_QUADRATIC;
  g_free (pin_one (history, &run));
  g_assert_cmpuint (bp_run_history_get_pin_costs (history), ==,
                    (1u << BP_COST_CROSS_ENTROPY) | (1u << BP_COST_QUADRATIC));

  bp_run_history_clear_pins (history);
  g_assert_cmpuint (bp_run_history_get_pin_costs (history), ==, 0);
  run.arch.cost = BP_COST_CROSS_ENTROPY;
  run.hyper.momentum = 0.5f;
  run.hyper.dropout = 0.25f;
  run.train_size = 1000;
  run.seed = 1;
  seed1 = pin_one (history, &run);
  g_assert_cmpstr (seed1, ==,
                   "784-30-10 cross-entropy η 0.1 λ 5 μ 0.5 dropout 0.25 1000 images w ~ N(0, 1/√n)");
  run.seed = 2;
  seed2 = pin_one (history, &run);
  g_assert_cmpstr (seed2, ==,
                   "784-30-10 cross-entropy η 0.1 λ 5 μ 0.5 dropout 0.25 1000 images w ~ N(0, 1/√n) seed 2");
  again = pin_one (history, &run);
  g_assert_cmpstr (again, ==,
                   "784-30-10 cross-entropy η 0.1 λ 5 μ 0.5 dropout 0.25 1000 images w ~ N(0, 1/√n) seed 2 #3");
  run.seed = 3;
  more = pin_one (history, &run);
  g_assert_cmpstr (more, ==,
                   "784-30-10 cross-entropy η 0.1 λ 5 μ 0.5 dropout 0.25 1000 images w ~ N(0, 1/√n) seed 3");
}

/* A change of η, λ or μ is recorded where it happened, one mark per setting; a pin and a new
 * network forget them. */
static void
test_changes (void)
{
  g_autoptr(BpRunHistory) history = bp_run_history_new ();
  const BpHyperChange *changes;
  BpHyperparams from = { .eta = 0.5f, .lambda_l2 = 5.0f, .batch_size = 10 };
  BpHyperparams to = from;
  BpEpochMetrics m = metrics (1, 0.5);
  g_autofree char *text = NULL;
  guint n;

  to.eta = 0.25f;
  to.momentum = 0.5f;
  bp_run_history_add_changes (history, 2.5, &from, &to);
  changes = bp_run_history_get_changes (history, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpfloat (changes[0].x, ==, 2.5);
  text = bp_hyper_change_to_string (&changes[0]);
  g_assert_cmpstr (text, ==, "η 0.5 → 0.25");
  g_free (text);
  text = bp_hyper_change_to_string (&changes[1]);
  g_assert_cmpstr (text, ==, "μ 0 → 0.5");
  bp_run_history_add_changes (history, 3.0, &to, &to);
  bp_run_history_get_changes (history, &n);
  g_assert_cmpuint (n, ==, 2);

  bp_run_history_add_epoch (history, &m);
  g_assert_true (bp_run_history_pin (history, "pinned"));
  bp_run_history_get_changes (history, &n);
  g_assert_cmpuint (n, ==, 0);
  /* The pin takes its run's marks along (and so do session files). */
  {
    const BpSessionPlots *plots = bp_run_history_get_plots (history);
    const BpSessionPin *pin = g_ptr_array_index (plots->pins, 0);

    g_assert_cmpuint (pin->marks->len, ==, 2);
    g_assert_cmpstr (g_array_index (pin->marks, BpHyperChange, 0).name, ==, "η");
    g_assert_cmpfloat (g_array_index (pin->marks, BpHyperChange, 1).to, ==, 0.5);
  }
  bp_run_history_add_changes (history, 1.5, &to, &from);
  bp_run_history_restart (history, NULL, 0, NULL, 0);
  bp_run_history_get_changes (history, &n);
  g_assert_cmpuint (n, ==, 0);
}

/* Samples after a diverged epoch's start go; saved plots come back with live_from cut to the
 * epochs there are; the speed before training is kept and replaced. */
static void
test_samples_plots_speed (void)
{
  g_autoptr(BpRunHistory) history = bp_run_history_new ();
  BpSessionPlots *plots = bp_session_plots_new ();
  BpEpochMetrics epochs[2] = { metrics (1, 0.6), metrics (2, 0.7) };
  const double speed[] = { 0.01, 0.05 };
  const double *speed_back;
  size_t n_speeds;
  guint n;

  bp_run_history_restart (history, epochs, 2, speed, 2);
  speed_back = bp_run_history_get_initial_speed (history, &n_speeds);
  g_assert_cmpuint (n_speeds, ==, 2);
  g_assert_cmpfloat (speed_back[1], ==, 0.05);
  for (guint i = 0; i < 6; i++)
    bp_run_history_add_sample (history, 1.0 + 0.5 * i, 0.5, 0.5);
  g_assert_true (bp_run_history_drop_samples_after (history, 2.0));
  bp_run_history_get_samples (history, &n);
  g_assert_cmpuint (n, ==, 3);
  g_assert_false (bp_run_history_drop_samples_after (history, 2.0));

  plots->live_from = 7;
  bp_run_history_set_plots (history, plots);
  g_assert_cmpuint (bp_run_history_get_live_from (history), ==, 2);
  bp_run_history_get_samples (history, &n);
  g_assert_cmpuint (n, ==, 0);

  bp_run_history_restart (history, NULL, 0, NULL, 0);
  g_assert_null (bp_run_history_get_initial_speed (history, &n_speeds));
  g_assert_cmpuint (n_speeds, ==, 0);
}

/* A pin's label in the legend: the controls' words for what the stored label says in the CLI's. */
static void
test_display_label (void)
{
  struct { const char *label, *shown; } cases[] = {
    { "784-30-10 cross-entropy η 0.1 λ 5 w ~ N(0, 1/√n)",
      "784-30-10 Cross-entropy η 0.1 λ 5 w ~ N(0, 1/√n)" },
    { "784-30-10 quadratic η 3→1.5 m 20 μ 0.5 dropout 0.5 1000 images expand shifts relu w ~ N(0, 1) seed 4 #3",
      "784-30-10 Quadratic η 3→1.5 m 20 μ 0.5 Dropout 0.5 1000 images Shifted copies (5×) ReLU w ~ N(0, 1) Seed 4 #3" },
    { "784-100-10 log-likelihood η 0.1 tanh w ~ N(0, 1/n_out)",
      "784-100-10 Log-likelihood, softmax η 0.1 Tanh w ~ N(0, 1/n_out)" },
    /* A label from elsewhere (a session file written by hand) is kept as it is. */
    { "my run", "my run" },
    { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *shown = bp_run_history_display_label (cases[i].label);

      g_assert_cmpstr (shown, ==, cases[i].shown);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/run-history/display-label", test_display_label);
  g_test_add_func ("/run-history/pin", test_pin);
  g_test_add_func ("/run-history/labels-differ", test_labels_differ);
  g_test_add_func ("/run-history/changes", test_changes);
  g_test_add_func ("/run-history/samples-plots-speed", test_samples_plots_speed);

  return g_test_run ();
}
