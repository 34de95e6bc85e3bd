/* test-run.c — the run description: its table of settings, its checks, the presets as runs, and
 * the text forms of a layer list
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <math.h>
#include <string.h>

#include "bp-book-presets.h"
#include "bp-run.h"

/* A run away from every default, so that a field that does not round-trip shows. */
static void
unusual_run (BpRun *run)
{
  static const size_t sizes[] = { 784, 100, 50, 10 };

  bp_run_init (run);
  g_assert_true (bp_arch_from_sizes (&run->arch, sizes, G_N_ELEMENTS (sizes),
                                     BP_ACTIVATION_RELU, BP_OUTPUT_SOFTMAX,
                                     BP_COST_LOG_LIKELIHOOD, NULL));
  run->init = BP_INIT_DEFAULT;
  run->seed = G_MAXUINT64 - 3;
  run->train_size = 12345;
  run->expand = BP_EXPAND_AFFINE;
  run->hyper.eta = 0.1f;
  run->hyper.lambda_l2 = 5.0f;
  run->hyper.lambda_l1 = 1e-4f;
  run->hyper.momentum = 0.9f;
  run->hyper.dropout = 0.3f;
  run->hyper.batch_size = 37;
  run->epochs = 60;
  run->early_stop = 7;
  run->schedule = 9;
}

/* Remove @path and everything below it. */
static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_remove (child);
    }
  g_rmdir (path);
}

/* Switch LC_NUMERIC to a locale whose decimal point is a comma: an installed one, or else
 * de_DE compiled from the locale sources into @dir (LOCPATH tells the C library where), as
 * test-export does. FALSE when neither can be had. */
static gboolean
use_comma_locale (const char *dir)
{
  static const char * const names[] = { "de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8" };
  g_autofree char *localedef = g_find_program_in_path ("localedef");

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (setlocale (LC_NUMERIC, names[i]) != NULL)
      return TRUE;
  if (localedef != NULL && g_file_test ("/usr/share/i18n/locales/de_DE", G_FILE_TEST_EXISTS))
    {
      g_autofree char *target = g_build_filename (dir, "de_DE.UTF-8", NULL);
      const char *argv[] = { localedef, "-i", "de_DE", "-f", "UTF-8", target, NULL };

      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL
                    | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, NULL, NULL);
      g_setenv ("LOCPATH", dir, TRUE);
      if (setlocale (LC_NUMERIC, "de_DE.UTF-8") != NULL)
        return TRUE;
      g_unsetenv ("LOCPATH");
    }
  return FALSE;
}

/* Every setting of the table goes to text and back to the same value, under any LC_NUMERIC. */
static void
test_fields_round_trip (void)
{
  size_t n_fields;
  const BpRunField *fields = bp_run_fields (&n_fields);
  BpRun run, back;

  unusual_run (&run);
  g_assert_true (bp_run_check (&run, NULL));
  g_assert_cmpuint (n_fields, >=, 13);

  for (size_t i = 0; i < n_fields; i++)
    {
      const BpRunField *field = &fields[i];
      BpError error = { 0 };
      char text[64];

      g_test_message ("%s", field->name);
      g_assert_true (bp_run_field_find (field->name) == field);
      bp_run_field_format (&run, field, text, sizeof text);
      bp_run_init (&back);
      g_assert_true (bp_run_field_parse (&back, field, text, &error));
      g_assert_cmpstr (error.message, ==, "");
      g_assert_cmpuint (bp_run_field_get_uint (&back, field), ==, bp_run_field_get_uint (&run, field));
      g_assert_cmpfloat (bp_run_field_get_number (&back, field), ==,
                         bp_run_field_get_number (&run, field));
      bp_run_field_copy (&back, &run, field);
      g_assert_cmpfloat (bp_run_field_get_number (&back, field), ==,
                         bp_run_field_get_number (&run, field));
      /* Every setting has a flag, a help line and a settings key, and one place in files. */
      g_assert_nonnull (field->flag);
      g_assert_nonnull (field->flag_help);
      g_assert_nonnull (field->settings_key);
      g_assert_nonnull (field->label);
      g_assert_cmpint (field->model_place, !=, BP_RUN_MODEL_NONE);
      for (size_t j = 0; j < i; j++)
        {
          g_assert_cmpstr (fields[j].name, !=, field->name);
          g_assert_false (fields[j].model_place == field->model_place
                          && fields[j].model_order == field->model_order);
        }
    }

  /* All of them at once: the same run. */
  bp_run_init (&back);
  back.arch = run.arch;
  for (size_t i = 0; i < n_fields; i++)
    {
      char text[64];

      bp_run_field_format (&run, &fields[i], text, sizeof text);
      g_assert_true (bp_run_field_parse (&back, &fields[i], text, NULL));
    }
  g_assert_true (bp_run_equal (&back, &run));

  /* A decimal comma in the process's locale changes nothing, here nor in a layer list. */
  {
    g_autofree char *dir = g_dir_make_tmp ("test-run-XXXXXX", NULL);
    g_autofree char *target = g_build_filename (dir, "de_DE.UTF-8", NULL);
    g_autofree char *probe = NULL;
    const BpRunField *eta = bp_run_field_find ("eta");
    char text[64];
    BpArch arch;

    if (use_comma_locale (dir))
      {
        probe = g_strdup_printf ("%g", 0.5);
        g_assert_cmpstr (probe, ==, "0,5");
        bp_run_field_format (&run, eta, text, sizeof text);
        g_assert_cmpstr (text, ==, "0.1");
        g_assert_true (bp_run_field_parse (&back, eta, "0.25", NULL));
        g_assert_cmpfloat (back.hyper.eta, ==, 0.25f);
        g_assert_false (bp_run_field_parse (&back, eta, "0,5", NULL));
        arch.cost = BP_COST_QUADRATIC;
        g_assert_true (bp_arch_parse ("fc30:dropout=0.5,sigmoid10", BP_ACTIVATION_SIGMOID, &arch,
                                      NULL));
        g_assert_cmpfloat (arch.layers[0].dropout, ==, 0.5f);
        bp_arch_format (&arch, text, sizeof text);
        g_assert_cmpstr (text, ==, "fc30:dropout=0.5,sigmoid10");
        setlocale (LC_NUMERIC, "C");
        g_unsetenv ("LOCPATH");
      }
    else
      g_test_message ("no locale with a decimal comma");
    remove_tree (target);
    g_rmdir (dir);
  }
}

static void
assert_message (const BpError *error,
                const char    *expected)
{
  if (strstr (error->message, expected) == NULL)
    g_error ("message \"%s\" does not contain \"%s\"", error->message, expected);
}

/* A value out of range is refused with a message that names the setting, the value and the
 * range; text that is no value names the setting too; nothing changes. */
static void
test_range_errors (void)
{
  static const struct
  {
    const char *field;
    const char *text;
    const char *message;
  } cases[] = {
    { "eta", "0", "η (learning rate) = 0 is out of range: it must be > 0 and ≤ 1000" },
    { "eta", "1e9", "η (learning rate) = 1e+09 is out of range: it must be > 0 and ≤ 1000" },
    { "lambda", "-1", "λ (L2 regularisation) = -1 is out of range: it must be ≥ 0 and ≤ 1e+06" },
    { "l1", "2e6", "λ₁ (L1 regularisation) = 2e+06 is out of range: it must be ≥ 0 and ≤ 1e+06" },
    { "momentum", "1", "μ (momentum) = 1 is out of range: it must be ≥ 0 and < 1" },
    { "dropout", "1", "dropout probability = 1 is out of range: it must be ≥ 0 and < 1" },
    { "batch_size", "0", "mini-batch size = 0 is out of range: it must be ≥ 1 and ≤ 60000" },
    { "batch_size", "60001", "mini-batch size = 60001 is out of range: it must be ≥ 1 and ≤ 60000" },
    { "epochs", "0", "epochs = 0 is out of range: it must be ≥ 1 and ≤ 100000" },
    { "early_stop", "100001", "early stopping and the schedule take a patience of 0 to 100000 epochs" },
    { "schedule", "100001", "early stopping and the schedule take a patience of 0 to 100000 epochs" },
    { "eta", "fast", "η (learning rate): \"fast\" is not a number" },
    { "eta", "nan", "η (learning rate): \"nan\" is not a number" },
    { "eta", " 1", "η (learning rate): \" 1\" is not a number" },
    { "epochs", "-1", "epochs: \"-1\" is not a whole number" },
    { "epochs", "4294967296", "epochs: 4294967296 is too large" },
    { "seed", "18446744073709551616", "seed: \"18446744073709551616\" is not a whole number" },
    { "init", "xavier", "initialiser: unknown value \"xavier\" (use default, large or network3)" },
    { "expand", "elastic", "expansion: unknown value \"elastic\" (use none, shifts, affine, thickness or affine,thickness)" },
  };

  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const BpRunField *field = bp_run_field_find (cases[i].field);
      BpError error = { 0 };
      BpRun run, before;

      g_test_message ("%s %s", cases[i].field, cases[i].text);
      g_assert_nonnull (field);
      bp_run_init (&run);
      before = run;
      g_assert_false (bp_run_field_parse (&run, field, cases[i].text, &error));
      g_assert_cmpint (error.code, ==, BP_ERROR_INVALID);
      assert_message (&error, cases[i].message);
      g_assert_true (bp_run_equal (&run, &before));
    }

  /* The whole run: the first setting out of range, and the live ones alone. */
  {
    BpError error = { 0 };
    BpRun run;

    bp_run_init (&run);
    run.hyper.momentum = NAN;
    g_assert_false (bp_run_check_fields (&run, &error));
    assert_message (&error, "μ (momentum) = nan is out of range");
    g_assert_false (bp_hyperparams_check (&run.hyper, &error));
    assert_message (&error, "μ (momentum)");
    run.hyper.momentum = 0.0f;
    run.expand = (BpExpand) 7;
    g_assert_true (bp_hyperparams_check (&run.hyper, NULL));
    g_assert_false (bp_run_check_fields (&run, &error));
    assert_message (&error, "unknown expansion");
    run.expand = BP_EXPAND_NONE;
    run.arch.cost = BP_COST_LOG_LIKELIHOOD;
    g_assert_true (bp_run_check_fields (&run, NULL));
    g_assert_false (bp_run_check (&run, &error));
    assert_message (&error, "log-likelihood cost needs a softmax output layer");
  }

  /* Numbers beyond a float are ∞, which the check names. */
  {
    BpError error = { 0 };
    BpRun run;

    bp_run_init (&run);
    g_assert_true (bp_run_field_set_number (&run, bp_run_field_find ("lambda"), 1e300));
    g_assert_true (isinf (run.hyper.lambda_l2));
    g_assert_false (bp_run_check_fields (&run, &error));
    assert_message (&error, "λ (L2 regularisation) = inf is out of range");
    g_assert_false (bp_run_field_set_number (&run, bp_run_field_find ("epochs"), 1.5));
    g_assert_false (bp_run_field_set_number (&run, bp_run_field_find ("epochs"), -1.0));
    g_assert_false (bp_run_field_set_uint (&run, bp_run_field_find ("init"), 3));
  }
}

/* Every preset is a valid run of a plain network, and the first is bp_run_init()'s, but for the
 * seed: the defaults keep seed 1, the preset has one that reproduces the book's figure. */
/* The expansion's kinds combine in either order, and print in one. */
static void
test_expand_combined (void)
{
  const BpRunField *field = bp_run_field_find ("expand");
  static const char *const texts[] = { "thickness", "affine,thickness", "thickness,affine" };
  static const BpExpand values[] = { BP_EXPAND_THICKNESS, BP_EXPAND_AFFINE_THICKNESS,
                                     BP_EXPAND_AFFINE_THICKNESS };

  for (size_t i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      BpRun run;
      BpError error = { 0 };
      char buf[64];

      bp_run_init (&run);
      g_assert_true (bp_run_field_parse (&run, field, texts[i], &error));
      g_assert_cmpint (run.expand, ==, values[i]);
      bp_run_field_format (&run, field, buf, sizeof buf);
      g_assert_cmpstr (buf, ==, i == 0 ? "thickness" : "affine,thickness");
    }
}

static void
test_presets_are_runs (void)
{
  size_t n;
  const BpBookPreset *presets = bp_book_presets (&n);
  BpRun first;

  bp_run_init (&first);
  g_assert_cmpuint (first.seed, ==, 1);
  first.seed = presets[0].run.seed;
  g_assert_true (bp_run_equal (&first, &presets[0].run));
  g_assert_cmpstr (presets[0].name, ==, "ch1-30");
  for (size_t i = 0; i < n; i++)
    {
      BpError error = { 0 };
      BpRun run;
      unsigned every;

      g_test_message ("%s", presets[i].name);
      g_assert_true (bp_run_check (&presets[i].run, &error));
      g_assert_cmpstr (error.message, ==, "");
      /* Chapter 6's are layer lists; the others network2.py's sizes. */
      g_assert_true (bp_arch_is_plain (&presets[i].run.arch)
                     || g_str_equal (presets[i].chapter, "6"));
      g_assert_cmpuint (presets[i].run.seed, >=, 1);

      /* Applied, a preset is itself, its seed too (one that reproduces the book's figure). */
      bp_run_init (&run);
      run.seed = 42;
      bp_book_preset_apply (&presets[i], 0, &run, &every);
      g_assert_cmpuint (run.seed, ==, presets[i].run.seed);
      g_assert_true (bp_run_equal (&run, &presets[i].run));
      g_assert_cmpuint (every, ==, 1);
      g_assert_true (bp_run_same_network (&run, &presets[i].run));
    }
}

/* Live settings change without a new network; the others make one. */
static void
test_same_network (void)
{
  size_t n_fields;
  const BpRunField *fields = bp_run_fields (&n_fields);
  BpRun a, b;

  unusual_run (&a);
  for (size_t i = 0; i < n_fields; i++)
    {
      const BpRunField *field = &fields[i];

      b = a;
      if (field->type == BP_RUN_ENUM)
        bp_run_field_set_uint (&b, field, bp_run_field_get_uint (&a, field) == 0 ? 1 : 0);
      else if (field->type == BP_RUN_FLOAT)
        bp_run_field_set_number (&b, field, bp_run_field_get_number (&a, field) / 2.0);
      else
        g_assert_true (bp_run_field_set_uint (&b, field, bp_run_field_get_uint (&a, field) + 1));
      g_assert_false (bp_run_equal (&a, &b));
      g_assert_cmpint (bp_run_same_network (&a, &b), ==, field->live);
      g_assert_cmpint (bp_hyperparams_equal (&a.hyper, &b.hyper), ==,
                       !bp_run_field_is_hyper (field));
      /* The live settings are the hyperparameters and the epoch count. */
      g_assert_cmpint (field->live, ==,
                       bp_run_field_is_hyper (field) || g_str_equal (field->name, "epochs"));
    }
  b = a;
  bp_arch_set_activation (&b.arch, BP_ACTIVATION_TANH);
  g_assert_false (bp_run_same_network (&a, &b));
}

/* ── Layer lists ──────────────────────────────────────────────────────────────────────────── */

static void
assert_round_trip (const char  *text,
                   BpActivation activation,
                   const char  *printed)
{
  BpError error = { 0 };
  BpArch arch, back;
  char buf[512];

  memset (&arch, 0xa5, sizeof arch);
  arch.cost = BP_COST_CROSS_ENTROPY;
  if (!bp_arch_parse (text, activation, &arch, &error))
    g_error ("\"%s\": %s", text, error.message);
  g_assert_cmpint (arch.cost, ==, BP_COST_CROSS_ENTROPY);
  bp_arch_format (&arch, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, printed);

  back.cost = BP_COST_CROSS_ENTROPY;
  g_assert_true (bp_arch_parse (buf, bp_arch_get_activation (&arch), &back, NULL));
  g_assert_true (bp_arch_equal (&arch, &back));
}

static void
test_net_round_trip (void)
{
  BpArch arch;
  char buf[512];

  assert_round_trip ("fc30,sigmoid10", BP_ACTIVATION_SIGMOID, "fc30,sigmoid10");
  assert_round_trip ("fc30, softmax10", BP_ACTIVATION_SIGMOID, "fc30,softmax10");
  assert_round_trip ("softmax10", BP_ACTIVATION_RELU, "softmax10");
  assert_round_trip ("fc100:relu,fc30,softmax10", BP_ACTIVATION_TANH, "fc100:relu,fc30,softmax10");
  assert_round_trip ("fc100:relu:tanh,softmax10", BP_ACTIVATION_TANH, "fc100,softmax10");
  assert_round_trip ("fc1000:dropout=0.5,fc1000:dropout=0.5,softmax10:dropout=0.5",
                     BP_ACTIVATION_RELU,
                     "fc1000:dropout=0.5,fc1000:dropout=0.5,softmax10:dropout=0.5");
  assert_round_trip ("fc30:dropout=0,sigmoid10", BP_ACTIVATION_SIGMOID, "fc30:dropout=0,sigmoid10");
  assert_round_trip ("fc30:dropout=0.1:relu,sigmoid10", BP_ACTIVATION_SIGMOID,
                     "fc30:relu:dropout=0.1,sigmoid10");
  assert_round_trip ("in28x28,fc30,sigmoid10", BP_ACTIVATION_SIGMOID, "fc30,sigmoid10");
  assert_round_trip ("in1x28x28,fc30,sigmoid10", BP_ACTIVATION_SIGMOID, "fc30,sigmoid10");
  assert_round_trip ("in10x10,sigmoid10", BP_ACTIVATION_SIGMOID, "in10x10,sigmoid10");
  assert_round_trip ("in3x32x32,fc50,softmax10", BP_ACTIVATION_SIGMOID, "in3x32x32,fc50,softmax10");
  assert_round_trip ("fc1,fc2,fc3,fc4,fc5,fc6,sigmoid7", BP_ACTIVATION_SIGMOID,
                     "fc1,fc2,fc3,fc4,fc5,fc6,sigmoid7");

  /* What it says. */
  arch.cost = BP_COST_LOG_LIKELIHOOD;
  g_assert_true (bp_arch_parse ("fc100:relu,fc30:dropout=0.25,softmax10", BP_ACTIVATION_TANH,
                                &arch, NULL));
  g_assert_cmpuint (arch.in_channels * arch.in_height * arch.in_width, ==, 784);
  g_assert_cmpuint (arch.n_layers, ==, 3);
  g_assert_cmpuint (arch.layers[0].size, ==, 100);
  g_assert_cmpint (arch.layers[0].activation, ==, BP_ACTIVATION_RELU);
  g_assert_true (arch.layers[0].dropout == BP_DROPOUT_LIVE);
  g_assert_cmpint (arch.layers[1].activation, ==, BP_ACTIVATION_TANH);
  g_assert_cmpfloat (arch.layers[1].dropout, ==, 0.25f);
  g_assert_cmpint (arch.output, ==, BP_OUTPUT_SOFTMAX);
  g_assert_cmpint (bp_arch_get_activation (&arch), ==, BP_ACTIVATION_TANH);
  g_assert_true (bp_arch_check (&arch, NULL));
  g_assert_false (bp_arch_is_plain (&arch));
  bp_arch_format_sizes (&arch, '-', buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "784-100-30-10");

  /* The sizes list and the layer list say the same plain network. */
  {
    static const size_t sizes[] = { 784, 30, 10 };
    BpArch from_sizes, from_text;

    g_assert_true (bp_arch_from_sizes (&from_sizes, sizes, 3, BP_ACTIVATION_RELU,
                                       BP_OUTPUT_SOFTMAX, BP_COST_LOG_LIKELIHOOD, NULL));
    from_text.cost = BP_COST_LOG_LIKELIHOOD;
    g_assert_true (bp_arch_parse ("fc30,softmax10", BP_ACTIVATION_RELU, &from_text, NULL));
    g_assert_true (bp_arch_equal (&from_sizes, &from_text));
    g_assert_true (bp_arch_is_plain (&from_sizes));
    bp_arch_format (&from_sizes, buf, sizeof buf);
    g_assert_cmpstr (buf, ==, "fc30,softmax10");
    bp_arch_format_sizes (&from_sizes, ',', buf, sizeof buf);
    g_assert_cmpstr (buf, ==, "784,30,10");

    /* Fields that take both forms. */
    from_text.cost = BP_COST_LOG_LIKELIHOOD;
    g_assert_true (bp_arch_parse_any ("784,30,10", BP_ACTIVATION_RELU, BP_OUTPUT_SOFTMAX,
                                      &from_text, NULL));
    g_assert_true (bp_arch_equal (&from_sizes, &from_text));
    g_assert_true (bp_arch_parse_any ("fc30,softmax10", BP_ACTIVATION_RELU, BP_OUTPUT_SIGMOID,
                                      &from_text, NULL));
    g_assert_true (bp_arch_equal (&from_sizes, &from_text));
  }

  /* A sizes list whose input is not a square is a row. */
  {
    static const size_t sizes[] = { 50, 10 };

    g_assert_true (bp_arch_from_sizes (&arch, sizes, 2, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                                       BP_COST_QUADRATIC, NULL));
    g_assert_cmpuint (arch.in_height, ==, 1);
    g_assert_cmpuint (arch.in_width, ==, 50);
    bp_arch_format (&arch, buf, sizeof buf);
    g_assert_cmpstr (buf, ==, "in1x50,sigmoid10");
    g_assert_true (bp_arch_is_plain (&arch));
  }
}

/* Each mistake gets one line that names the token at fault; the arch is left as it was. */
static void
test_net_errors (void)
{
  static const struct
  {
    const char *text;
    const char *message;
  } cases[] = {
    { "", "empty layer list: expected layers like fc30,softmax10" },
    { "fc30", "layer list \"fc30\": the last layer must be the output layer, softmax30 or sigmoid30" },
    { "fc30,foo10", "unknown layer \"foo10\": expected fcN, convNxK, poolP, softmaxN or sigmoidN" },
    { "conv20x5x2,softmax10", "layer \"conv20x5x2\": expected filters and their size" },
    { "pool2:dropout=2,softmax10", "dropout must be a probability in [0, 1)" },
    { "fc,softmax10", "layer \"fc\": expected a size after \"fc\", as in fc30" },
    { "fcx,softmax10", "unknown layer \"fcx\"" },
    { "fc0,softmax10", "layer \"fc0\": the size must be 1 to 65536" },
    { "fc65537,softmax10", "layer \"fc65537\": the size must be 1 to 65536" },
    { "fc99999999999999999999999,softmax10", "the size must be 1 to 65536" },
    { "fc30:swish,softmax10", "layer \"fc30:swish\": unknown option \"swish\" (use sigmoid, tanh, relu or dropout=P)" },
    { "fc30:,softmax10", "layer \"fc30:\": unknown option \"\"" },
    { "fc30:dropout=1,softmax10", "layer \"fc30:dropout=1\": dropout must be a probability in [0, 1)" },
    { "fc30:dropout=-0.1,softmax10", "dropout must be a probability in [0, 1)" },
    { "fc30:dropout=0.5x,softmax10", "dropout must be a probability in [0, 1)" },
    { "fc30:dropout=nan,softmax10", "dropout must be a probability in [0, 1)" },
    { "fc30,softmax10:relu", "layer \"softmax10:relu\": the output layer's function is its name" },
    { "softmax10,fc30", "layer \"fc30\" comes after the output layer, which must be the last" },
    { "fc30,,softmax10", "layer list \"fc30,,softmax10\": an empty layer between commas" },
    { "fc30,softmax10,", "an empty layer between commas" },
    { "in28,softmax10", "input \"in28\": expected inHxW or inCxHxW" },
    { "in0x28,softmax10", "input \"in0x28\"" },
    { "in1x2x3x4,softmax10", "input \"in1x2x3x4\"" },
    { "in300x300,softmax10", "input \"in300x300\": an input has 1 to 65536 values" },
    { "fc30,in28x28,softmax10", "\"in28x28\" names the input, which comes first" },
    { "in28x28", "layer list \"in28x28\": no layers after the input" },
    { "fc1,fc1,fc1,fc1,fc1,fc1,fc1,softmax10", "layer \"softmax10\": at most 7 layers after the input" },
    { "fc30,soft\001max10", "unknown layer \"soft?max10\"" },
  };

  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      BpError error = { 0 };
      BpArch arch, before;

      g_test_message ("%s", cases[i].text);
      bp_arch_from_sizes (&arch, (const size_t[]) { 784, 30, 10 }, 3, BP_ACTIVATION_SIGMOID,
                          BP_OUTPUT_SIGMOID, BP_COST_QUADRATIC, NULL);
      before = arch;
      g_assert_false (bp_arch_parse (cases[i].text, BP_ACTIVATION_SIGMOID, &arch, &error));
      g_assert_cmpint (error.code, ==, BP_ERROR_INVALID);
      assert_message (&error, cases[i].message);
      g_assert_null (strchr (error.message, '\n'));
      g_assert_true (g_utf8_validate (error.message, -1, NULL));
      g_assert_true (bp_arch_equal (&arch, &before));
    }

  /* A long token is cut in the message, at a character's start. */
  {
    g_autoptr(GString) text = g_string_new (NULL);
    BpError error = { 0 };
    BpArch arch;

    for (int i = 0; i < 30; i++)
      g_string_append (text, "λ");
    g_string_append (text, ",softmax10");
    g_assert_false (bp_arch_parse (text->str, BP_ACTIVATION_SIGMOID, &arch, &error));
    g_assert_true (g_utf8_validate (error.message, -1, NULL));
    assert_message (&error, "…\"");
    g_assert_cmpuint (strlen (error.message), <, 200);
  }
}

/* bp_arch_check() names what cannot be built, as bp_network_new() always has. */
static void
test_arch_check (void)
{
  static const size_t sizes[] = { 784, 30, 10 };
  BpError error = { 0 };
  BpArch arch;

  g_assert_false (bp_arch_from_sizes (&arch, sizes, 1, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                                      BP_COST_QUADRATIC, &error));
  assert_message (&error, "a network needs 2 to 8 layers (input and output included), not 1");

  bp_arch_from_sizes (&arch, sizes, 3, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                      BP_COST_QUADRATIC, NULL);
  g_assert_true (bp_arch_check (&arch, NULL));
  arch.layers[0].dropout = 1.0f;
  g_assert_false (bp_arch_check (&arch, &error));
  assert_message (&error, "layer 1: dropout 1 is not a probability in [0, 1)");
  arch.layers[0].dropout = BP_DROPOUT_LIVE;
  arch.layers[1].size = 0;
  g_assert_false (bp_arch_check (&arch, &error));
  assert_message (&error, "layer 2 has 0 neurons; each layer needs 1 to 65536");
  arch.layers[1].size = 10;
  arch.in_width = 0;
  g_assert_false (bp_arch_check (&arch, &error));
  assert_message (&error, "layer 0 has 0 neurons");
  arch.in_width = 28;
  arch.n_layers = BP_MAX_LAYERS;
  g_assert_false (bp_arch_check (&arch, &error));
  assert_message (&error, "2 to 8 layers");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/run/fields-round-trip", test_fields_round_trip);
  g_test_add_func ("/run/range-errors", test_range_errors);
  g_test_add_func ("/run/expand-combined", test_expand_combined);
  g_test_add_func ("/run/presets-are-runs", test_presets_are_runs);
  g_test_add_func ("/run/same-network", test_same_network);
  g_test_add_func ("/run/net-round-trip", test_net_round_trip);
  g_test_add_func ("/run/net-errors", test_net_errors);
  g_test_add_func ("/run/arch-check", test_arch_check);
  return g_test_run ();
}
