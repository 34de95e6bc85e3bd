/* test-settings.c — the training settings remembered between launches (bp-settings)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs with the memory GSettings backend and the schema compiled in the build folder, so every
 * test case starts from the schema's defaults.
 */
#include "config.h"

#include <string.h>

#include "bp-presets.h"
#include "bp-session.h"
#include "bp-settings.h"

/* 28×28 images of ten classes, enough for bp_session_check_run() to know the data's shape. */
static BpDataset *
make_mnist_shaped (void)
{
  g_autofree guint8 *pixels = g_new0 (guint8, 20 * 784);
  guint8 labels[20];
  BpError error = { 0 };
  BpDataset *data;

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    labels[i] = (guint8) (i % 10);
  data = bp_dataset_new_from_data (20, 28, 28, pixels, labels, 10, &error);
  g_assert_nonnull (data);
  return data;
}

static GSettings *
fresh_settings (void)
{
  GSettings *settings = g_settings_new (APPLICATION_ID);
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  /* The memory backend lives as long as the process: start each case from the defaults. */
  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (settings, keys[i]);
  return settings;
}

static void
assert_hyper_equal (const BpHyperparams *a,
                    const BpHyperparams *b)
{
  g_assert_cmpfloat (a->eta, ==, b->eta);
  g_assert_cmpfloat (a->lambda_l2, ==, b->lambda_l2);
  g_assert_cmpfloat (a->lambda_l1, ==, b->lambda_l1);
  g_assert_cmpfloat (a->momentum, ==, b->momentum);
  g_assert_cmpfloat (a->dropout, ==, b->dropout);
  g_assert_cmpuint (a->batch_size, ==, b->batch_size);
}

/* The schema's defaults are the session's own (chapter 1): a first launch changes nothing. */
static void
test_defaults_are_chapter_one (void)
{
  g_autoptr(GSettings) settings = fresh_settings ();
  g_autoptr(BpSession) fresh = bp_session_new ();
  g_autoptr(BpSession) restored = bp_session_new ();
  g_autoptr(GError) error = NULL;
  BpRun a, b;
  BpHyperparams ha, hb;

  g_assert_true (bp_settings_restore_training (settings, restored, &error));
  g_assert_no_error (error);
  bp_session_get_run (fresh, &a);
  bp_session_get_run (restored, &b);
  g_assert_true (bp_run_same_network (&a, &b));
  bp_session_get_hyperparams (fresh, &ha);
  bp_session_get_hyperparams (restored, &hb);
  assert_hyper_equal (&ha, &hb);
  g_assert_cmpuint (bp_session_get_epochs (restored), ==, bp_session_get_epochs (fresh));
  g_assert_cmpuint (bp_session_get_epochs (restored), ==, 30);
}

/* Every preset's settings, changed a little further, come back as they were saved. */
static void
test_round_trip (void)
{
  for (guint i = 0; i < bp_presets_get_count (); i++)
    {
      const BpPreset *preset = bp_presets_get (i);
      g_autoptr(GSettings) settings = fresh_settings ();
      g_autoptr(BpSession) saved = bp_session_new ();
      g_autoptr(BpSession) restored = bp_session_new ();
      g_autoptr(GError) error = NULL;
      BpRun setup, a, b;
      BpHyperparams hyper, ha, hb;

      setup = preset->book->run;
      setup.seed = G_GUINT64_CONSTANT (0x123456789ab) + i;
      setup.train_size = 1000 + i;
      bp_session_reset (saved, &setup);
      hyper = preset->book->run.hyper;
      hyper.eta *= 0.5f;
      hyper.lambda_l1 = 0.25f;
      hyper.batch_size = 17;
      g_assert_true (bp_session_set_hyperparams (saved, &hyper, NULL));
      bp_session_set_epochs (saved, 7 + i);

      bp_settings_save_training (settings, saved);
      g_assert_true (bp_settings_restore_training (settings, restored, &error));
      g_assert_no_error (error);

      bp_session_get_run (saved, &a);
      bp_session_get_run (restored, &b);
      g_assert_true (bp_run_same_network (&a, &b));
      g_assert_cmpuint (b.seed, ==, setup.seed);
      g_assert_cmpuint (b.train_size, ==, setup.train_size);
      bp_session_get_hyperparams (saved, &ha);
      bp_session_get_hyperparams (restored, &hb);
      assert_hyper_equal (&ha, &hb);
      g_assert_cmpuint (bp_session_get_epochs (restored), ==, 7 + i);
    }
}

/* A malformed layer list is not applied and is named; the valid settings still are. */
static void
test_bad_layers (void)
{
  g_autoptr(GSettings) settings = fresh_settings ();
  g_autoptr(BpSession) session = bp_session_new ();
  g_autoptr(GError) error = NULL;
  BpRun setup;
  BpHyperparams hyper;

  g_settings_set_string (settings, "layers", "784,thirty,10");
  g_settings_set_double (settings, "eta", 0.5);
  g_settings_set_uint (settings, "epochs", 12);
  g_assert_false (bp_settings_restore_training (settings, session, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "layers"));

  bp_session_get_run (session, &setup);
  g_assert_cmpuint (setup.arch.n_layers + 1, ==, 3);
  g_assert_cmpuint (setup.arch.layers[0].size, ==, 30);
  bp_session_get_hyperparams (session, &hyper);
  g_assert_cmpfloat (hyper.eta, ==, 0.5f);
  g_assert_cmpuint (bp_session_get_epochs (session), ==, 12);
}

/* A rate out of the engine's range keeps the session's rates, and the message names it. */
static void
test_bad_hyperparams (void)
{
  g_autoptr(GSettings) settings = fresh_settings ();
  g_autoptr(BpSession) session = bp_session_new ();
  g_autoptr(GError) error = NULL;
  BpHyperparams hyper;

  g_settings_set_double (settings, "momentum", 1.5);
  g_settings_set_uint (settings, "epochs", 0);
  g_assert_false (bp_settings_restore_training (settings, session, &error));
  g_assert_nonnull (strstr (error->message, "momentum"));
  bp_session_get_hyperparams (session, &hyper);
  g_assert_cmpfloat (hyper.momentum, ==, 0.0f);
  g_assert_cmpfloat (hyper.eta, ==, 3.0f);
  g_assert_cmpuint (bp_session_get_epochs (session), ==, 30);
}

/* A network the data cannot feed (stored for other data, or edited by hand) is not built. */
static void
test_setup_must_fit_data (void)
{
  g_autoptr(GSettings) settings = fresh_settings ();
  g_autoptr(BpSession) session = bp_session_new ();
  g_autoptr(GError) error = NULL;
  BpRun setup;

  bp_session_set_datasets (session, make_mnist_shaped (), NULL, NULL);
  g_settings_set_string (settings, "layers", "100,30,10");
  g_assert_false (bp_settings_restore_training (settings, session, &error));
  g_assert_nonnull (error);
  bp_session_get_run (session, &setup);
  g_assert_cmpuint (setup.arch.in_channels * setup.arch.in_height * setup.arch.in_width, ==, 784);

  /* The log-likelihood cost without its softmax layer is refused too. */
  g_clear_error (&error);
  g_settings_reset (settings, "layers");
  g_settings_set_string (settings, "cost", "log-likelihood");
  g_assert_false (bp_settings_restore_training (settings, session, &error));
  bp_session_get_run (session, &setup);
  g_assert_cmpint (setup.arch.cost, ==, BP_COST_QUADRATIC);

  /* …and accepted with it. */
  g_clear_error (&error);
  g_settings_set_string (settings, "output", "softmax");
  g_assert_true (bp_settings_restore_training (settings, session, &error));
  g_assert_no_error (error);
  bp_session_get_run (session, &setup);
  g_assert_cmpint (setup.arch.cost, ==, BP_COST_LOG_LIKELIHOOD);
  g_assert_cmpint (setup.arch.output, ==, BP_OUTPUT_SOFTMAX);
}

/* A network that the sizes cannot say is kept as its layer list, and comes back as it was; a
 * plain one keeps the "784,30,10" form every version has written. */
static void
test_layer_list (void)
{
  g_autoptr(GSettings) settings = fresh_settings ();
  g_autoptr(BpSession) saved = bp_session_new ();
  g_autoptr(BpSession) restored = bp_session_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *layers = NULL;
  g_autofree char *plain = NULL;
  BpRun run, back;

  bp_session_set_datasets (saved, make_mnist_shaped (), NULL, NULL);
  bp_session_set_datasets (restored, make_mnist_shaped (), NULL, NULL);
  bp_settings_save_training (settings, saved);
  plain = g_settings_get_string (settings, "layers");
  g_assert_cmpstr (plain, ==, "784,30,10");

  bp_session_get_run (saved, &run);
  run.arch.cost = BP_COST_LOG_LIKELIHOOD;
  g_assert_true (bp_arch_parse ("fc100:relu,fc30:dropout=0.25,softmax10", BP_ACTIVATION_TANH,
                                &run.arch, NULL));
  g_assert_true (bp_session_check_run (saved, &run, NULL));
  bp_session_reset (saved, &run);

  bp_settings_save_training (settings, saved);
  layers = g_settings_get_string (settings, "layers");
  g_assert_cmpstr (layers, ==, "fc100:relu,fc30:dropout=0.25,softmax10");
  g_assert_true (bp_settings_restore_training (settings, restored, &error));
  g_assert_no_error (error);
  bp_session_get_run (restored, &back);
  g_assert_true (bp_run_same_network (&run, &back));
  g_assert_cmpint (bp_arch_get_activation (&back.arch), ==, BP_ACTIVATION_TANH);

  /* A conv net (chapter 6) comes back too. */
  g_clear_pointer (&layers, g_free);
  g_assert_true (bp_arch_parse ("conv20x5,pool2,conv40x5:relu,pool2,fc100,softmax10",
                                BP_ACTIVATION_SIGMOID, &run.arch, NULL));
  g_assert_true (bp_session_check_run (saved, &run, NULL));
  bp_session_reset (saved, &run);
  bp_settings_save_training (settings, saved);
  layers = g_settings_get_string (settings, "layers");
  g_assert_cmpstr (layers, ==, "conv20x5,pool2,conv40x5:relu,pool2,fc100,softmax10");
  g_assert_true (bp_settings_restore_training (settings, restored, &error));
  g_assert_no_error (error);
  bp_session_get_run (restored, &back);
  g_assert_true (bp_run_same_network (&run, &back));
  g_assert_true (bp_arch_has_maps (&back.arch));
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/settings/defaults-are-chapter-one", test_defaults_are_chapter_one);
  g_test_add_func ("/settings/round-trip", test_round_trip);
  g_test_add_func ("/settings/bad-layers", test_bad_layers);
  g_test_add_func ("/settings/bad-hyperparams", test_bad_hyperparams);
  g_test_add_func ("/settings/setup-must-fit-data", test_setup_must_fit_data);
  g_test_add_func ("/settings/layer-list", test_layer_list);

  return g_test_run ();
}
