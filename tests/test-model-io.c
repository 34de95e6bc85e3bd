/* test-model-io.c — model files: bit-exact round trips, network2.py's format, crafted bad files,
 * atomic saves and speed
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <float.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bp-history-csv.h"
#include "bp-model-io.h"

/* ── Helpers ───────────────────────────────────────────────────────────────────────────────── */

static char *
data_path (const char *name)
{
  const char *dir = g_getenv ("BACKPROP_TEST_DATA");

  if (dir != NULL)
    return g_build_filename (dir, "models", name, NULL);
  return g_test_build_filename (G_TEST_DIST, "data", "models", name, NULL);
}

/* A fresh folder for one test; removed (with its files) by remove_dir(). */
static char *
make_dir (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("test-model-io-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_dir (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        remove_dir (path);
      else
        g_assert_cmpint (g_unlink (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static guint
count_dir_entries (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  g_assert_nonnull (d);
  while (g_dir_read_name (d) != NULL)
    n++;
  return n;
}

static BpNetwork *
new_network (const size_t *sizes,
             size_t        n_layers,
             BpActivation  activation,
             BpOutput      output,
             BpCost        cost,
             uint64_t      seed)
{
  BpError error;
  BpNetwork *net;
  BpRng rng;

  bp_error_clear (&error);
  net = bp_network_new_dense (sizes, n_layers, activation, output, cost, &error);
  g_assert_cmpstr (error.message, ==, "");
  g_assert_nonnull (net);
  bp_rng_seed (&rng, seed, BP_RNG_STREAM_INIT);
  bp_network_init (net, BP_INIT_DEFAULT, &rng);
  return net;
}

static void
assert_same_network (const BpNetwork *a,
                     const BpNetwork *b)
{
  g_assert_true (bp_network_same_shape (a, b));
  g_assert_cmpuint (a->arch.n_layers, ==, b->arch.n_layers);
  g_assert_cmpuint (a->n_inputs, ==, b->n_inputs);
  for (size_t l = 0; l < a->arch.n_layers; l++)
    g_assert_cmpuint (a->layers[l].n_out, ==, b->layers[l].n_out);
  g_assert_true (bp_arch_equal (&a->arch, &b->arch));
  g_assert_cmpint (a->arch.output, ==, b->arch.output);
  g_assert_cmpint (a->arch.cost, ==, b->arch.cost);
  g_assert_cmpuint (a->n_params, ==, b->n_params);
  /* Bit for bit: -0.0 and 0.0 differ here, as they must. */
  g_assert_cmpmem (a->params, a->n_params * sizeof (float), b->params, b->n_params * sizeof (float));
}

static void
assert_info_zeroed (const BpModelInfo *info)
{
  BpModelInfo zero;

  memset (&zero, 0, sizeof zero);
  g_assert_cmpmem (info, sizeof *info, &zero, sizeof zero);
}

/* NaN equals NaN here; otherwise the bits must agree. */
static void
assert_same_double (double a,
                    double b)
{
  if (isnan (a) || isnan (b))
    {
      g_assert_true (isnan (a));
      g_assert_true (isnan (b));
      return;
    }
  g_assert_cmpmem (&a, sizeof a, &b, sizeof b);
}

static float
random_finite_float (BpRng *rng)
{
  for (;;)
    {
      uint32_t bits = (uint32_t) bp_rng_next (rng);
      float f;

      memcpy (&f, &bits, sizeof f);
      if (isfinite (f))
        return f;
    }
}

static void
save_ok (const BpNetwork   *net,
         const BpModelInfo *info,
         const char        *path)
{
  BpError error;

  bp_error_clear (&error);
  g_assert_true (bp_model_save (net, info, path, &error));
  g_assert_cmpstr (error.message, ==, "");
}

static BpNetwork *
load_ok (const char  *path,
         BpModelInfo *info)
{
  BpError error;
  BpNetwork *net;

  bp_error_clear (&error);
  net = bp_model_load (path, info, &error);
  g_assert_cmpstr (error.message, ==, "");
  g_assert_nonnull (net);
  return net;
}

/* ── Round trips ───────────────────────────────────────────────────────────────────────────── */

/* Every parameter, every field of the info, NaN and ∞ in the history, the velocities and a seed
 * above 2^63 come back exactly. */
static void
test_round_trip (void)
{
  static const size_t sizes[] = { 5, 4, 3 };
  static const float specials[] = {
    -0.0f, 0.1f, FLT_MIN, FLT_MIN / 3.0f, FLT_TRUE_MIN, -FLT_TRUE_MIN, FLT_MAX, -FLT_MAX,
    16777217.0f, 1.00000012f, 3.14159274f, -2.5e-38f, 1e30f, 123456.789f,
  };
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "model.json", NULL);
  BpNetwork *net = new_network (sizes, 3, BP_ACTIVATION_RELU, BP_OUTPUT_SIGMOID,
                                BP_COST_CROSS_ENTROPY, 11);
  BpNetwork *back;
  BpModelInfo info, loaded;
  BpEpochMetrics history[3];
  float *velocity;
  BpRng rng;

  for (size_t i = 0; i < G_N_ELEMENTS (specials); i++)
    net->params[i * 3] = specials[i];

  memset (&info, 0, sizeof info);
  info.has_run = true;
  bp_run_init (&info.run);
  info.run.hyper.eta = 0.1f;
  info.run.hyper.lambda_l2 = 5.0f;
  info.run.hyper.lambda_l1 = 0.25f;
  info.run.hyper.momentum = 0.9f;
  info.run.hyper.dropout = 0.2f;
  info.run.hyper.batch_size = 17;
  info.run.epochs = 60;
  info.run.seed = UINT64_MAX - 5;
  info.run.init = BP_INIT_DEFAULT;
  info.run.expand = BP_EXPAND_SHIFTS;
  info.run.early_stop = 10;
  info.run.schedule = 5;
  info.run.train_size = 50000;

  history[0] = (BpEpochMetrics) { 1, 0.5, 0.9, NAN, 0.8, NAN, NAN, 1.0 / 3.0, 0.1f };
  history[1] = (BpEpochMetrics) { 2, 0.25, 0.95, 0.3, 0.85, INFINITY, 0.875, 2.5e-300, NAN };
  history[2] = (BpEpochMetrics) { 4000000000u, 1e300, 1.0, -INFINITY, 0.1 + 0.2, 0, 1, 0, 1e-7f };
  info.history = history;
  info.n_history = 3;

  velocity = g_new (float, net->n_params);
  bp_rng_seed (&rng, 5, 0);
  for (size_t i = 0; i < net->n_params; i++)
    velocity[i] = random_finite_float (&rng);
  info.velocity = velocity;

  save_ok (net, &info, path);
  memset (&loaded, 0xab, sizeof loaded);
  back = load_ok (path, &loaded);

  /* The run's settings, in the order and the forms files have always had. */
  {
    g_autofree char *text = NULL;

    g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
    g_assert_nonnull (strstr (text, "\n  \"output\": \"sigmoid\",\n"
                                    "  \"hyperparameters\": {\"eta\": 0.1, \"lambda\": 5.0, "
                                    "\"l1\": 0.25, \"momentum\": 0.9, \"dropout\": 0.2, "
                                    "\"batch_size\": 17, \"epochs\": 60, \"init\": \"default\", "
                                    "\"expand\": \"shifts\", \"early_stop\": 10, \"schedule\": 5},\n"
                                    "  \"seed\": 18446744073709551610,\n"
                                    "  \"train_size\": 50000,\n"
                                    "  \"history\": ["));
  }

  assert_same_network (net, back);
  g_assert_true (signbit (back->params[0]));

  g_assert_true (loaded.has_run);
  g_assert_cmpmem (&loaded.run.hyper, sizeof loaded.run.hyper,
                   &info.run.hyper, sizeof info.run.hyper);
  g_assert_cmpuint (loaded.run.epochs, ==, 60);
  g_assert_cmpuint (loaded.run.seed, ==, UINT64_MAX - 5);
  g_assert_cmpint (loaded.run.init, ==, BP_INIT_DEFAULT);
  g_assert_cmpint (loaded.run.expand, ==, BP_EXPAND_SHIFTS);
  g_assert_cmpuint (loaded.run.early_stop, ==, 10);
  g_assert_cmpuint (loaded.run.schedule, ==, 5);
  /* Monitors and kernel are not part of a model: BpRun has none (they are BpTrainOptions). */
  g_assert_cmpuint (loaded.run.train_size, ==, 50000);

  g_assert_cmpuint (loaded.n_history, ==, 3);
  for (size_t i = 0; i < 3; i++)
    {
      const BpEpochMetrics *a = &history[i], *b = &loaded.history[i];
      /* JSON has no ∞: it is written as null like NaN and comes back as NaN. */
      double test_cost = isinf (a->test_cost) ? NAN : a->test_cost;
      double validation_cost = isinf (a->validation_cost) ? NAN : a->validation_cost;

      g_assert_cmpuint (a->epoch, ==, b->epoch);
      assert_same_double (a->train_cost, b->train_cost);
      assert_same_double (a->train_accuracy, b->train_accuracy);
      assert_same_double (validation_cost, b->validation_cost);
      assert_same_double (a->validation_accuracy, b->validation_accuracy);
      assert_same_double (test_cost, b->test_cost);
      assert_same_double (a->test_accuracy, b->test_accuracy);
      assert_same_double (a->seconds, b->seconds);
      assert_same_double (a->eta, b->eta);
    }
  g_assert_true (isnan (loaded.history[1].test_cost));
  g_assert_true (isnan (loaded.history[2].validation_cost));

  g_assert_nonnull (loaded.velocity);
  g_assert_cmpmem (loaded.velocity, net->n_params * sizeof (float),
                   velocity, net->n_params * sizeof (float));

  bp_model_info_clear (&loaded);
  assert_info_zeroed (&loaded);
  bp_network_free (back);
  bp_network_free (net);
  g_free (velocity);
  remove_dir (dir);
}

/* Random bit patterns over every exponent, subnormals included, survive the decimal detour. */
static void
test_round_trip_random_bits (void)
{
  static const size_t sizes[] = { 200, 100 };
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "bits.json", NULL);
  BpNetwork *net = new_network (sizes, 2, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                                BP_COST_QUADRATIC, 1);
  BpNetwork *back;
  BpRng rng;

  bp_rng_seed (&rng, 2024, 0);
  for (int round = 0; round < 5; round++)
    {
      for (size_t i = 0; i < net->n_params; i++)
        net->params[i] = random_finite_float (&rng);
      save_ok (net, NULL, path);
      back = load_ok (path, NULL);
      assert_same_network (net, back);
      bp_network_free (back);
    }

  bp_network_free (net);
  remove_dir (dir);
}

/* Seeds are unsigned 64-bit; json-glib reads int64: the top half must still come back. */
static void
test_round_trip_seeds (void)
{
  static const uint64_t seeds[] = {
    0, 1, (UINT64_C (1) << 53) + 1, INT64_MAX, UINT64_C (1) << 63, (UINT64_C (1) << 63) + 12345,
    UINT64_MAX,
  };
  static const size_t sizes[] = { 2, 2 };
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "seed.json", NULL);
  BpNetwork *net = new_network (sizes, 2, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                                BP_COST_QUADRATIC, 1);

  for (size_t i = 0; i < G_N_ELEMENTS (seeds); i++)
    {
      BpModelInfo info, loaded;
      BpNetwork *back;

      memset (&info, 0, sizeof info);
      info.has_run = true;
      bp_run_init (&info.run);
      info.run.seed = seeds[i];
      save_ok (net, &info, path);
      back = load_ok (path, &loaded);
      g_assert_true (loaded.has_run);
      g_assert_cmpuint (loaded.run.seed, ==, seeds[i]);
      bp_model_info_clear (&loaded);
      bp_network_free (back);
    }

  bp_network_free (net);
  remove_dir (dir);
}

/* A softmax / log-likelihood model tells network2.py "CrossEntropyCost" and us the truth. */
static void
test_round_trip_softmax (void)
{
  static const size_t sizes[] = { 6, 5, 4, 3 };
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "softmax.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) gerror = NULL;
  BpNetwork *net = new_network (sizes, 4, BP_ACTIVATION_TANH, BP_OUTPUT_SOFTMAX,
                                BP_COST_LOG_LIKELIHOOD, 3);
  BpNetwork *back;
  JsonObject *root;

  save_ok (net, NULL, path);
  back = load_ok (path, NULL);
  assert_same_network (net, back);

  json_parser_load_from_file (parser, path, &gerror);
  g_assert_no_error (gerror);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "cost"), ==, "CrossEntropyCost");
  g_assert_cmpstr (json_object_get_string_member (root, "backprop_cost"), ==, "log-likelihood");
  g_assert_cmpstr (json_object_get_string_member (root, "output"), ==, "softmax");
  g_assert_cmpstr (json_object_get_string_member (root, "activation"), ==, "tanh");

  bp_network_free (back);
  bp_network_free (net);
  remove_dir (dir);
}

/* A network that "sizes" and one "activation" cannot describe keeps its layer list in "net"
 * and comes back as it was; a plain one has no "net"; a "net" that disagrees with the rest of
 * the file is refused with a message that says so. */
static void
test_round_trip_net (void)
{
  static const struct
  {
    const char *member;
    const char *message;
  } bad[] = {
    { "\"net\": 3", "\"net\" is an integer, expected a string" },
    { "\"net\": \"fc9,softmax3\"", "\"net\" has the sizes 784,9,3 but \"sizes\" is [6,5,4,3]" },
    { "\"net\": \"in1x6,fc5,fc4,sigmoid3\"", "\"net\" ends in a sigmoid output layer" },
    { "\"net\": \"in1x6,fc5:swish,fc4,softmax3\"", "\"net\": layer \"fc5:swish\": unknown option" },
    { "\"net\": \"in1x6,fc5:dropout=2,fc4,softmax3\"", "dropout must be a probability" },
  };
  static const size_t sizes[] = { 6, 5, 4, 3 };
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "net.json", NULL);
  g_autofree char *text = NULL;
  BpNetwork *net = new_network (sizes, 4, BP_ACTIVATION_TANH, BP_OUTPUT_SOFTMAX,
                                BP_COST_LOG_LIKELIHOOD, 5);
  BpNetwork *back, *other;
  BpArch arch = net->arch;
  gsize len;

  save_ok (net, NULL, path);
  g_assert_true (g_file_get_contents (path, &text, &len, NULL));
  g_assert_null (strstr (text, "\"net\""));
  g_clear_pointer (&text, g_free);

  /* Per-layer activations and a fixed dropout. */
  arch.layers[0].activation = BP_ACTIVATION_RELU;
  arch.layers[1].dropout = 0.5f;
  other = bp_network_new (&arch, NULL);
  memcpy (other->params, net->params, net->n_params * sizeof (float));
  save_ok (other, NULL, path);
  g_assert_true (g_file_get_contents (path, &text, &len, NULL));
  g_assert_nonnull (strstr (text, "  \"activation\": \"tanh\",\n  \"output\": \"softmax\",\n"
                                  "  \"net\": \"in1x6,fc5:relu,fc4:dropout=0.5,softmax3\",\n"));
  back = load_ok (path, NULL);
  g_assert_true (bp_arch_equal (&back->arch, &other->arch));
  g_assert_cmpmem (back->params, back->n_params * sizeof (float), other->params,
                   other->n_params * sizeof (float));
  bp_network_free (back);

  for (size_t i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *edited = NULL;
      const char *at = strstr (text, "\"net\": \"");
      const char *end = strchr (at + 8, '"') + 1;
      BpError error = { 0 };

      edited = g_strdup_printf ("%.*s%s%s", (int) (at - text), text, bad[i].member, end);
      g_test_message ("%s", bad[i].member);
      g_assert_null (bp_model_load_from_data (edited, strlen (edited), "edited", NULL, &error));
      g_assert_nonnull (strstr (error.message, bad[i].message));
    }

  bp_network_free (other);
  bp_network_free (net);
  remove_dir (dir);
}

/* A conv network: format_version 2, "net" with conv and pool layers, each conv layer's filters
 * as C_out rows of C_in·k² numbers and a pool layer's as empty lists; every parameter back
 * exactly, with its momentum velocities; and files whose shapes do not chain are refused with
 * the layer named. */
static void
test_round_trip_conv (void)
{
  static const struct
  {
    const char *from;
    const char *to;
    const char *message;
  } bad[] = {
    { "\"net\": \"in2x9x7,conv3x3,pool1,fc5,softmax4\"", "\"net\": \"in2x9x7,conv3x3,pool2,fc5,softmax4\"",
      "layer 2 (pool2): 2×2 windows do not divide its 7×5 input" },
    { "\"net\": \"in2x9x7,conv3x3,pool1,fc5,softmax4\"", "\"net\": \"in2x3x3,conv3x5,pool1,fc5,softmax4\"",
      "layer 1 (conv3x5): a 5×5 filter does not fit its 3×3 input" },
    { "\"net\": \"in2x9x7,conv3x3,pool1,fc5,softmax4\"", "\"net\": \"in2x9x7,conv3x2,pool1,fc5,softmax4\"",
      "\"net\" has the sizes 126,144,144,5,4" },
    { "\"format_version\": 2", "\"format_version\": 1",
      "\"net\" has conv or pool layers, which need format_version 2 or later" },
    { "    [],\n", "    [[1.0]],\n", "weights[1] has 1 rows, expected 0" },
  };
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "conv.json", NULL);
  g_autofree char *text = NULL;
  g_autofree float *velocity = NULL;
  BpArch arch = { .cost = BP_COST_LOG_LIKELIHOOD };
  BpModelInfo info = { 0 }, back_info = { 0 };
  BpNetwork *net, *back;
  BpError error = { 0 };
  BpRng rng;
  gsize len;

  g_assert_true (bp_arch_parse ("in2x9x7,conv3x3,pool1,fc5,softmax4", BP_ACTIVATION_RELU, &arch,
                                &error));
  net = bp_network_new (&arch, &error);
  g_assert_nonnull (net);
  bp_rng_seed (&rng, 9, 0);
  velocity = g_new (float, net->n_params);
  for (size_t i = 0; i < net->n_params; i++)
    {
      net->params[i] = random_finite_float (&rng);
      velocity[i] = (float) bp_rng_gaussian (&rng);
    }
  info.velocity = velocity;
  save_ok (net, &info, path);
  g_assert_true (g_file_get_contents (path, &text, &len, NULL));
  g_assert_nonnull (strstr (text, "\"format_version\": 2,\n"));
  g_assert_nonnull (strstr (text, "\"sizes\": [126, 105, 105, 5, 4],\n"));
  g_assert_nonnull (strstr (text, "\"net\": \"in2x9x7,conv3x3,pool1,fc5,softmax4\",\n"));

  back = load_ok (path, &back_info);
  g_assert_true (bp_arch_equal (&back->arch, &net->arch));
  g_assert_cmpmem (back->params, back->n_params * sizeof (float), net->params,
                   net->n_params * sizeof (float));
  g_assert_nonnull (back_info.velocity);
  g_assert_cmpmem (back_info.velocity, back->n_params * sizeof (float), velocity,
                   net->n_params * sizeof (float));
  bp_model_info_clear (&back_info);
  bp_network_free (back);

  /* The filters: 3 rows of 2·3·3 = 18 numbers. */
  {
    g_autoptr (JsonParser) parser = json_parser_new ();
    JsonArray *weights, *biases;

    g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
    weights = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                            "weights");
    biases = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                           "biases");
    g_assert_cmpuint (json_array_get_length (weights), ==, 4);
    g_assert_cmpuint (json_array_get_length (json_array_get_array_element (weights, 0)), ==, 3);
    g_assert_cmpuint (json_array_get_length (json_array_get_array_element (
                        json_array_get_array_element (weights, 0), 0)), ==, 18);
    g_assert_cmpuint (json_array_get_length (json_array_get_array_element (weights, 1)), ==, 0);
    g_assert_cmpuint (json_array_get_length (json_array_get_array_element (biases, 1)), ==, 0);
    g_assert_cmpuint (json_array_get_length (json_array_get_array_element (weights, 2)), ==, 5);
  }

  for (size_t i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *edited = NULL;
      const char *at = strstr (text, bad[i].from);
      BpError load_error = { 0 };

      g_assert_nonnull (at);
      edited = g_strdup_printf ("%.*s%s%s", (int) (at - text), text, bad[i].to,
                                at + strlen (bad[i].from));
      g_test_message ("%s", bad[i].to);
      g_assert_null (bp_model_load_from_data (edited, strlen (edited), "edited", NULL,
                                              &load_error));
      g_test_message ("  %s", load_error.message);
      g_assert_nonnull (strstr (load_error.message, bad[i].message));
    }

  bp_network_free (net);
  remove_dir (dir);
}

/* The file has network2.py's fields in network2.py's shapes, read with a plain JSON parser,
 * and only the extra keys the header documents. */
static void
test_network2_layout (void)
{
  static const size_t sizes[] = { 3, 4, 2 };
  static const char *const allowed[] = {
    "format", "format_version", "sizes", "weights", "biases", "cost", "backprop_cost",
    "activation", "output", "hyperparameters", "seed", "train_size", "history", "velocity",
  };
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "layout.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) gerror = NULL;
  g_autoptr (GList) members = NULL;
  BpNetwork *net = new_network (sizes, 3, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                                BP_COST_QUADRATIC, 9);
  BpEpochMetrics history[1] = { { 1, NAN, NAN, 0.5, 0.75, NAN, NAN, 2.0, 0.5f } };
  BpModelInfo info;
  JsonObject *root;
  JsonArray *array, *layer, *row;

  memset (&info, 0, sizeof info);
  info.history = history;
  info.n_history = 1;
  save_ok (net, &info, path);

  json_parser_load_from_file (parser, path, &gerror);
  g_assert_no_error (gerror);
  root = json_node_get_object (json_parser_get_root (parser));

  array = json_object_get_array_member (root, "sizes");
  g_assert_cmpuint (json_array_get_length (array), ==, 3);
  for (guint l = 0; l < 3; l++)
    {
      g_assert_cmpint (json_node_get_value_type (json_array_get_element (array, l)), ==,
                       G_TYPE_INT64);
      g_assert_cmpint (json_array_get_int_element (array, l), ==, (gint64) sizes[l]);
    }

  array = json_object_get_array_member (root, "weights");
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  for (guint l = 1; l < 3; l++)
    {
      layer = json_array_get_array_element (array, l - 1);
      g_assert_cmpuint (json_array_get_length (layer), ==, sizes[l]);
      for (guint j = 0; j < sizes[l]; j++)
        {
          row = json_array_get_array_element (layer, j);
          g_assert_cmpuint (json_array_get_length (row), ==, sizes[l - 1]);
          for (guint k = 0; k < sizes[l - 1]; k++)
            g_assert_cmpfloat ((float) json_array_get_double_element (row, k), ==,
                               net->params[net->layers[l - 1].w_offset + j * sizes[l - 1] + k]);
        }
    }

  array = json_object_get_array_member (root, "biases");
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  for (guint l = 1; l < 3; l++)
    {
      layer = json_array_get_array_element (array, l - 1);
      g_assert_cmpuint (json_array_get_length (layer), ==, sizes[l]);
      for (guint j = 0; j < sizes[l]; j++)
        {
          row = json_array_get_array_element (layer, j);
          g_assert_cmpuint (json_array_get_length (row), ==, 1);
          g_assert_cmpfloat ((float) json_array_get_double_element (row, 0), ==,
                             net->params[net->layers[l - 1].b_offset + j]);
        }
    }

  g_assert_cmpstr (json_object_get_string_member (root, "cost"), ==, "QuadraticCost");
  g_assert_cmpstr (json_object_get_string_member (root, "format"), ==, "backprop-model");
  /* A dense network's file is still version 1, which older readers take. */
  g_assert_cmpint (json_object_get_int_member (root, "format_version"), ==, 1);
  /* No hyperparameters given, none written; the history's NaN are nulls. */
  g_assert_false (json_object_has_member (root, "hyperparameters"));
  g_assert_false (json_object_has_member (root, "seed"));
  g_assert_false (json_object_has_member (root, "velocity"));
  array = json_object_get_array_member (root, "history");
  g_assert_true (json_object_get_null_member (json_array_get_object_element (array, 0),
                                              "train_cost"));

  members = json_object_get_members (root);
  for (GList *m = members; m != NULL; m = m->next)
    {
      bool known = false;

      for (size_t i = 0; i < G_N_ELEMENTS (allowed); i++)
        known = known || strcmp (m->data, allowed[i]) == 0;
      g_assert_true (known);
    }

  bp_network_free (net);
  remove_dir (dir);
}

/* ── network2.py's own file ────────────────────────────────────────────────────────────────── */

/* tests/data/models/network2-fixture.json was written by network2.py's save() (through the port
 * in tests/network2_interop.py --write-fixture): a 4-3-2 QuadraticCost network whose parameters
 * were rounded to two decimals. Its outputs for x = (0, 0.25, 0.5, 1) were computed in double
 * with numpy; by hand, the first hidden neuron is σ(−0.07·0.25 + 0.64·0.5 + 0.35) = σ(0.6525). */
static void
test_network2_fixture (void)
{
  static const float x[] = { 0.0f, 0.25f, 0.5f, 1.0f };
  static const double expected[] = { 0.4133971282476222, 0.74591970604990465 };
  g_autofree char *path = data_path ("network2-fixture.json");
  BpModelInfo info;
  BpNetwork *net;
  float out[2], *scratch;
  char buf[128];

  memset (&info, 0xab, sizeof info);
  net = load_ok (path, &info);
  g_assert_cmpuint (net->arch.n_layers + 1, ==, 3);
  g_assert_cmpuint (net->n_inputs, ==, 4);
  g_assert_cmpuint (net->layers[0].n_out, ==, 3);
  g_assert_cmpuint (net->layers[1].n_out, ==, 2);
  g_assert_cmpint (net->arch.cost, ==, BP_COST_QUADRATIC);
  g_assert_cmpint (bp_arch_get_activation (&net->arch), ==, BP_ACTIVATION_SIGMOID);
  g_assert_cmpint (net->arch.output, ==, BP_OUTPUT_SIGMOID);
  g_assert_null (bp_model_describe_extensions (net, buf, sizeof buf));

  /* weights[0][0] is [0.0, -0.07, 0.64, -0.0]: the sign of zero survives. */
  g_assert_cmpfloat (net->params[net->layers[0].w_offset + 1], ==, -0.07f);
  g_assert_true (signbit (net->params[net->layers[0].w_offset + 3]));
  g_assert_cmpfloat (net->params[net->layers[0].b_offset + 0], ==, 0.35f);
  g_assert_cmpfloat (net->params[net->layers[1].b_offset + 1], ==, 0.25f);

  /* A network2.py file has none of our fields. */
  g_assert_false (info.has_run);
  g_assert_cmpuint (info.run.train_size, ==, 0);
  g_assert_null (info.history);
  g_assert_cmpuint (info.n_history, ==, 0);
  g_assert_null (info.velocity);

  scratch = g_new (float, bp_network_scratch_size (net));
  bp_network_predict (net, x, out, scratch);
  g_assert_cmpfloat_with_epsilon (out[0], expected[0], 1e-6);
  g_assert_cmpfloat_with_epsilon (out[1], expected[1], 1e-6);

  g_free (scratch);
  bp_model_info_clear (&info);
  bp_network_free (net);
}

/* Keys we do not know are ignored, and integers are numbers too. */
static void
test_extra_keys (void)
{
  g_autofree char *path = data_path ("good-extra-keys.json");
  BpNetwork *net = load_ok (path, NULL);

  g_assert_cmpuint (net->arch.n_layers + 1, ==, 3);
  g_assert_cmpfloat (net->params[net->layers[1].w_offset + 2], ==, -2.0f);
  g_assert_cmpfloat (net->params[net->layers[1].w_offset + 4], ==, 0.5f);
  bp_network_free (net);
}

/* A document read once (what a session file's reader does): the model from its tree is the
 * file's, read as often as asked, the other members are there for their own reader, and the rows
 * of numbers are not in the tree. Its errors are bp_model_load_from_data()'s. */
static void
test_document (void)
{
  static const size_t sizes[] = { 6, 5, 3 };
  BpNetwork *net = new_network (sizes, 3, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                                BP_COST_QUADRATIC, 9);
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (BpModelDocument) doc = NULL;
  BpModelInfo info = { 0 };
  BpError error = { 0 };
  JsonObject *root;
  JsonArray *layer;

  g_assert_true (bp_model_write_begin (out, net, NULL, "doc", &error));
  g_string_append (out, ",\n  \"extra\": {\"n\": 7}");
  bp_model_write_end (out);

  doc = bp_model_document_new (out->str, out->len, "doc", &error);
  g_assert_cmpstr (error.message, ==, "");
  g_assert_nonnull (doc);
  root = bp_model_document_get_root (doc);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (root, "extra"), "n"),
                   ==, 7);
  layer = json_array_get_array_element (json_object_get_array_member (root, "weights"), 0);
  g_assert_cmpuint (json_array_get_length (layer), ==, 5);
  g_assert_cmpuint (json_array_get_length (json_array_get_array_element (layer, 0)), ==, 0);

  for (int i = 0; i < 2; i++)
    {
      BpNetwork *back = bp_model_document_read (doc, &info, &error);

      g_assert_cmpstr (error.message, ==, "");
      assert_same_network (net, back);
      g_assert_false (info.has_run);
      bp_network_free (back);
      bp_model_info_clear (&info);
    }
  g_clear_pointer (&doc, bp_model_document_free);

  g_assert_null (bp_model_document_new ("[1]", 3, "doc", &error));
  g_assert_cmpstr (error.message, ==, "doc: the top level is an array, expected an object");
  bp_error_clear (&error);
  g_assert_null (bp_model_document_new ("{\"a\": 1} {}", 11, "doc", &error));
  g_assert_cmpstr (error.message, ==, "doc: 1:10: more data after the end of the JSON document");

  /* A document the model reader refuses: its message, as bp_model_load_from_data() gives it. */
  bp_error_clear (&error);
  doc = bp_model_document_new ("{\"sizes\": [2, 0]}", 17, "doc", &error);
  g_assert_nonnull (doc);
  g_assert_null (bp_model_document_read (doc, &info, &error));
  g_assert_nonnull (strstr (error.message, "doc: "));
  assert_info_zeroed (&info);
  {
    BpError direct = { 0 };

    g_assert_null (bp_model_load_from_data ("{\"sizes\": [2, 0]}", 17, "doc", NULL, &direct));
    g_assert_cmpstr (error.message, ==, direct.message);
  }

  bp_network_free (net);
}

static void
test_describe_extensions (void)
{
  static const size_t deep[] = { 4, 3, 2 };
  static const size_t shallow[] = { 4, 2 };
  char buf[128], tiny[8];
  BpNetwork *net;

  net = new_network (deep, 3, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID, BP_COST_CROSS_ENTROPY, 1);
  g_assert_null (bp_model_describe_extensions (net, buf, sizeof buf));
  bp_network_free (net);

  net = new_network (deep, 3, BP_ACTIVATION_RELU, BP_OUTPUT_SOFTMAX, BP_COST_LOG_LIKELIHOOD, 1);
  g_assert_cmpstr (bp_model_describe_extensions (net, buf, sizeof buf), ==,
                   "softmax output with log-likelihood cost, ReLU hidden layers");
  g_assert_cmpstr (bp_model_describe_extensions (net, tiny, sizeof tiny), ==, "softmax");
  bp_network_free (net);

  net = new_network (deep, 3, BP_ACTIVATION_TANH, BP_OUTPUT_SIGMOID, BP_COST_QUADRATIC, 1);
  g_assert_cmpstr (bp_model_describe_extensions (net, buf, sizeof buf), ==, "tanh hidden layers");
  bp_network_free (net);

  /* Without hidden layers the hidden activation is never used. */
  net = new_network (shallow, 2, BP_ACTIVATION_RELU, BP_OUTPUT_SIGMOID, BP_COST_QUADRATIC, 1);
  g_assert_null (bp_model_describe_extensions (net, buf, sizeof buf));
  bp_network_free (net);

  net = new_network (shallow, 2, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SOFTMAX,
                     BP_COST_LOG_LIKELIHOOD, 1);
  g_assert_cmpstr (bp_model_describe_extensions (net, buf, sizeof buf), ==,
                   "softmax output with log-likelihood cost");
  bp_network_free (net);
}

/* ── Bad files ─────────────────────────────────────────────────────────────────────────────── */

typedef struct
{
  const char *file;
  const char *message;  /* after "<path>" */
} BadFile;

static const BadFile bad_files[] = {
  { "bad-malformed.json", ":3:35: Parse error: unexpected character `]', expected character `,'" },
  { "bad-empty.json", ": the file is empty, expected a JSON object" },
  { "bad-top-level.json", ": the top level is an array, expected an object" },
  { "bad-missing-sizes.json", ": missing \"sizes\"" },
  { "bad-missing-weights.json", ": missing \"weights\"" },
  { "bad-missing-biases.json", ": missing \"biases\"" },
  { "bad-missing-cost.json", ": missing \"cost\"" },
  { "bad-sizes-type.json", ": \"sizes\" is a string, expected a list of layer sizes" },
  { "bad-sizes-one.json", ": \"sizes\" has 1 entry, expected 2 to 8 layers" },
  { "bad-sizes-nine.json", ": \"sizes\" has 9 entries, expected 2 to 8 layers" },
  { "bad-sizes-zero.json", ": sizes[1] is 0, expected 1 to 65536" },
  { "bad-sizes-too-large.json", ": sizes[1] is 65537, expected 1 to 65536" },
  { "bad-sizes-negative.json", ": sizes[1] is out of range, expected 1 to 65536" },
  { "bad-sizes-fraction.json", ": sizes[1] is a fractional number, expected an integer" },
  { "bad-sizes-huge.json", ": weights[0] has 3 rows, expected 65536" },
  { "bad-sizes-large.json", ": weights[0] has 3 rows, expected 8192" },
  { "bad-weights-type.json", ": weights is an object, expected a list of layers" },
  { "bad-weights-layers.json",
    ": weights has 3 layers, expected 2 (one per layer after the input)" },
  { "bad-weights-rows.json", ": weights[1] has 9 rows, expected 10" },
  { "bad-weights-columns.json", ": weights[0][1] has 3 columns, expected 4" },
  { "bad-weights-string.json", ": weights[0][1][1] is a string, expected a number" },
  { "bad-biases-flat.json", ": biases[0][0] is a fractional number, expected a list of 1 number" },
  { "bad-biases-rows.json", ": biases[1] has 3 rows, expected 2" },
  { "bad-nan.json", ":1:71: Parse error: unexpected identifier `NaN', expected value" },
  { "bad-infinity.json", ":1:76: Parse error: unexpected identifier `Infinity', expected value" },
  { "bad-float-overflow.json", ": weights[0][1][2] is 1e+39, which is not a finite float" },
  { "bad-double-overflow.json", ": weights[0][1][2] is inf, which is not a finite float" },
  { "bad-cost.json",
    ": unknown cost \"LogLikelihoodCost\", expected \"QuadraticCost\" or \"CrossEntropyCost\"" },
  { "bad-backprop-cost.json", ": unknown backprop_cost \"hinge\", expected \"quadratic\", "
                              "\"cross-entropy\" or \"log-likelihood\"" },
  { "bad-activation.json",
    ": unknown activation \"swish\", expected \"sigmoid\", \"tanh\" or \"relu\"" },
  { "bad-output.json", ": unknown output \"linear\", expected \"sigmoid\" or \"softmax\"" },
  { "bad-cost-output.json",
    ": a softmax output layer goes with the log-likelihood cost, not quadratic" },
  { "bad-format.json", ": \"format\" is \"keras\", expected \"backprop-model\"" },
  { "bad-format-version.json", ": format version 3 is newer than this program reads (2)" },
  { "bad-hyperparameters.json", ": hyperparameters: mini-batch size = 0 is out of range" },
  { "bad-init.json", ": unknown hyperparameters.init \"xavier\", expected \"default\", \"large\" or \"network3\"" },
  { "bad-seed.json", ": \"seed\" is a string, expected an integer" },
  { "bad-history.json",
    ": history[1].validation_accuracy is a string, expected a number or null" },
  { "bad-history-epoch.json", ": history[0] has no \"epoch\"" },
  { "bad-velocity.json", ": velocity.weights[0] has 2 rows, expected 3" },
  { "bad-nesting.json", ": 1:262: nested deeper than 32 levels" },
  { "bad-single-quotes.json", ": 1:2: unexpected character '''" },
  { "bad-comment.json", ": 1:22: unexpected character '/'" },
};

/* Each crafted file fails with its own message, naming the file; nothing is half-loaded. */
static void
test_bad_files (void)
{
  for (size_t i = 0; i < G_N_ELEMENTS (bad_files); i++)
    {
      g_autofree char *path = data_path (bad_files[i].file);
      g_autofree char *expected = g_strconcat (path, bad_files[i].message, NULL);
      BpModelInfo info;
      BpError error;
      BpNetwork *net;

      g_test_message ("%s", bad_files[i].file);
      bp_error_clear (&error);
      memset (&info, 0xab, sizeof info);
      net = bp_model_load (path, &info, &error);
      g_assert_null (net);
      assert_info_zeroed (&info);
      g_assert_cmpint (error.code, ==, BP_ERROR_FORMAT);
      /* The hyperparameter range message belongs to bp-train: only its start is ours. */
      if (g_str_has_prefix (bad_files[i].file, "bad-hyperparameters"))
        g_assert_true (g_str_has_prefix (error.message, expected));
      else
        g_assert_cmpstr (error.message, ==, expected);
    }
}

/* "sizes": [8192, 8192, 2] asks for 268 MB of parameters (and [65536, 65536, 65536] for 34 GB,
 * which would simply fail to allocate): the tiny arrays must be caught before anything of that
 * size is allocated and cleared. */
static void
test_huge_sizes_allocate_nothing (void)
{
  g_autofree char *path = data_path ("bad-sizes-large.json");
  struct rusage before, after;
  BpError error;

  g_assert_cmpint (getrusage (RUSAGE_SELF, &before), ==, 0);
  g_assert_null (bp_model_load (path, NULL, &error));
  g_assert_cmpint (getrusage (RUSAGE_SELF, &after), ==, 0);
  /* ru_maxrss is in KiB. */
  g_assert_cmpint (after.ru_maxrss - before.ru_maxrss, <, 64 * 1024);
}

static void
test_unreadable (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *missing = g_build_filename (dir, "missing.json", NULL);
  g_autofree char *expected = g_strdup_printf ("%s: %s", missing, g_strerror (ENOENT));
  g_autofree char *folder_expected = g_strdup_printf ("%s: is a folder, not a model file", dir);
  BpModelInfo info;
  BpError error;

  memset (&info, 0xab, sizeof info);
  g_assert_null (bp_model_load (missing, &info, &error));
  assert_info_zeroed (&info);
  g_assert_cmpint (error.code, ==, BP_ERROR_IO);
  g_assert_cmpstr (error.message, ==, expected);

  g_assert_null (bp_model_load (dir, NULL, &error));
  g_assert_cmpint (error.code, ==, BP_ERROR_IO);
  g_assert_cmpstr (error.message, ==, folder_expected);

  remove_dir (dir);
}

/* Every proper prefix of a good file fails cleanly, with the name in the message. */
static void
test_truncated (void)
{
  static const size_t sizes[] = { 3, 2, 2 };
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "whole.json", NULL);
  g_autofree char *data = NULL;
  BpNetwork *net = new_network (sizes, 3, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                                BP_COST_CROSS_ENTROPY, 4);
  BpEpochMetrics history[2] = {
    { 1, 0.5, 0.5, 0.5, 0.5, NAN, NAN, 1.0, 0.5f },
    { 2, 0.25, 0.75, 0.4, 0.6, NAN, NAN, 1.0, 0.5f },
  };
  float velocity[14] = { 0 };
  BpModelInfo info;
  const char *last;
  gsize len;

  g_assert_cmpuint (net->n_params, ==, G_N_ELEMENTS (velocity));
  memset (&info, 0, sizeof info);
  info.has_run = true;
  bp_run_init (&info.run);
  info.history = history;
  info.n_history = 2;
  info.velocity = velocity;
  save_ok (net, &info, path);
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  last = strrchr (data, '}');
  g_assert_nonnull (last);

  for (size_t n = 0; n <= (size_t) (last - data); n++)
    {
      BpModelInfo loaded;
      BpError error;

      memset (&loaded, 0xab, sizeof loaded);
      bp_error_clear (&error);
      /* A copy of exactly n bytes, so that reading past the end is caught by ASan. */
      {
        g_autofree char *copy = g_memdup2 (data, n > 0 ? n : 1);

        g_assert_null (bp_model_load_from_data (copy, n, "cut.json", &loaded, &error));
      }
      assert_info_zeroed (&loaded);
      g_assert_cmpint (error.code, ==, BP_ERROR_FORMAT);
      g_assert_true (g_str_has_prefix (error.message, "cut.json"));
    }

  {
    BpModelInfo loaded;
    BpNetwork *back;
    BpError error;

    back = bp_model_load_from_data (data, (size_t) (last - data) + 1, "whole.json", &loaded,
                                    &error);
    g_assert_nonnull (back);
    assert_same_network (net, back);
    g_assert_cmpuint (loaded.n_history, ==, 2);
    bp_model_info_clear (&loaded);
    bp_network_free (back);
  }

  bp_network_free (net);
  remove_dir (dir);
}

/* ── Atomic saves ──────────────────────────────────────────────────────────────────────────── */

static void
test_save_refuses_nan (void)
{
  static const size_t sizes[] = { 2, 2 };
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "nan.json", NULL);
  g_autofree char *expected = g_strdup_printf (
    "%s: not saved: the network has NaN or infinite parameters", path);
  BpNetwork *net = new_network (sizes, 2, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                                BP_COST_QUADRATIC, 1);
  BpError error;

  net->params[3] = NAN;
  g_assert_false (bp_model_save (net, NULL, path, &error));
  g_assert_cmpint (error.code, ==, BP_ERROR_INVALID);
  g_assert_cmpstr (error.message, ==, expected);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  bp_network_free (net);
  remove_dir (dir);
}

/* A save into a folder that does not exist names the path and the reason. */
static void
test_save_missing_folder (void)
{
  static const size_t sizes[] = { 2, 2 };
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "no-such-folder", "model.json", NULL);
  g_autofree char *prefix = g_strdup_printf ("%s: not saved: ", path);
  BpNetwork *net = new_network (sizes, 2, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                                BP_COST_QUADRATIC, 1);
  BpError error;

  g_assert_false (bp_model_save (net, NULL, path, &error));
  g_assert_cmpint (error.code, ==, BP_ERROR_IO);
  g_assert_true (g_str_has_prefix (error.message, prefix));
  g_assert_true (g_str_has_suffix (error.message, g_strerror (ENOENT)));

  bp_network_free (net);
  remove_dir (dir);
}

static void
assert_file_contents (const char *path,
                      const char *expected)
{
  g_autofree char *data = NULL;

  g_assert_true (g_file_get_contents (path, &data, NULL, NULL));
  g_assert_cmpstr (data, ==, expected);
}

/* Failed saves leave the old file as it was and no temporary file behind. Root may write
 * anywhere, so the failures are made without permissions: a write beyond RLIMIT_FSIZE fails
 * with EFBIG (a full disk as far as the writer can tell), and a folder in the target's place
 * cannot be replaced. A 255-byte name, the longest a file may have, still saves: the temporary
 * file's name is short whatever the target's. */
static void
test_save_failure_keeps_old_file (void)
{
  static const size_t sizes[] = { 3, 3 };
  static const char old_contents[] = "{\"old\": true}\n";
  g_autofree char *dir = make_dir ();
  g_autofree char *long_name = NULL;
  g_autofree char *long_path = NULL;
  g_autofree char *folder_path = g_build_filename (dir, "folder.json", NULL);
  g_autofree char *inside = g_build_filename (folder_path, "keep", NULL);
  BpNetwork *net = new_network (sizes, 2, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                                BP_COST_QUADRATIC, 1);
  BpError error;
  FILE *f;

  {
    GString *name = g_string_new (NULL);

    while (name->len < 250)
      g_string_append_c (name, 'm');
    g_string_append (name, ".json");
    g_assert_cmpuint (name->len, ==, 255);
    long_name = g_string_free (name, FALSE);
  }
  long_path = g_build_filename (dir, long_name, NULL);
  f = fopen (long_path, "w");
  g_assert_nonnull (f);
  fputs (old_contents, f);
  g_assert_cmpint (fclose (f), ==, 0);

  {
    struct rlimit saved, limited;
    void (*saved_handler) (int);
    bool saved_ok;

    g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &saved), ==, 0);
    limited = saved;
    limited.rlim_cur = 8;
    /* Past the limit write() fails with EFBIG, once SIGXFSZ no longer kills the process. */
    saved_handler = signal (SIGXFSZ, SIG_IGN);
    g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limited), ==, 0);
    saved_ok = bp_model_save (net, NULL, long_path, &error);
    g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &saved), ==, 0);
    signal (SIGXFSZ, saved_handler);
    g_assert_false (saved_ok);
  }
  g_assert_cmpint (error.code, ==, BP_ERROR_IO);
  g_assert_true (g_str_has_prefix (error.message, long_path));
  g_assert_true (g_str_has_suffix (error.message, g_strerror (EFBIG)));
  assert_file_contents (long_path, old_contents);
  g_assert_cmpuint (count_dir_entries (dir), ==, 1);

  /* With room to write, the long name saves over the old file. */
  g_assert_true (bp_model_save (net, NULL, long_path, &error));
  {
    BpNetwork *back = bp_model_load (long_path, NULL, &error);

    g_assert_nonnull (back);
    bp_network_free (back);
  }
  g_assert_cmpuint (count_dir_entries (dir), ==, 1);

  g_assert_cmpint (g_mkdir (folder_path, 0755), ==, 0);
  g_assert_true (g_file_set_contents (inside, old_contents, -1, NULL));
  g_assert_false (bp_model_save (net, NULL, folder_path, &error));
  g_assert_cmpint (error.code, ==, BP_ERROR_IO);
  g_assert_true (g_str_has_prefix (error.message, folder_path));
  assert_file_contents (inside, old_contents);
  g_assert_cmpuint (count_dir_entries (dir), ==, 2);

  /* Without root, a read-only folder is the everyday case. */
  if (geteuid () != 0)
    {
      g_autofree char *ro = g_build_filename (dir, "read-only", NULL);
      g_autofree char *ro_path = g_build_filename (ro, "model.json", NULL);

      g_assert_cmpint (g_mkdir (ro, 0755), ==, 0);
      g_assert_true (g_file_set_contents (ro_path, old_contents, -1, NULL));
      g_assert_cmpint (g_chmod (ro, 0555), ==, 0);
      g_assert_false (bp_model_save (net, NULL, ro_path, &error));
      g_assert_true (g_str_has_prefix (error.message, ro_path));
      g_assert_true (g_str_has_suffix (error.message, g_strerror (EACCES)));
      assert_file_contents (ro_path, old_contents);
      g_assert_cmpuint (count_dir_entries (ro), ==, 1);
      g_assert_cmpint (g_chmod (ro, 0755), ==, 0);
    }

  bp_network_free (net);
  remove_dir (dir);
}

/* A save killed at a random moment leaves either the old or the new model, never a mix. */
static void
test_save_interrupted (void)
{
  static const size_t sizes[] = { 784, 100, 10 };
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "model.json", NULL);
  BpNetwork *a = new_network (sizes, 3, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                              BP_COST_CROSS_ENTROPY, 1);
  BpNetwork *b = new_network (sizes, 3, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                              BP_COST_CROSS_ENTROPY, 2);
  unsigned n_a = 0, n_b = 0;

  save_ok (a, NULL, path);
  for (int round = 0; round < 6; round++)
    {
      BpNetwork *back;
      pid_t pid;
      int status;

      fflush (NULL);
      pid = fork ();
      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        {
          for (;;)
            {
              bp_model_save (b, NULL, path, NULL);
              bp_model_save (a, NULL, path, NULL);
            }
        }
      g_usleep (g_test_rand_int_range (5000, 120000));
      g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      g_assert_true (WIFSIGNALED (status));

      back = load_ok (path, NULL);
      if (memcmp (back->params, a->params, a->n_params * sizeof (float)) == 0)
        n_a++;
      else
        {
          assert_same_network (b, back);
          n_b++;
        }
      bp_network_free (back);
    }
  g_test_message ("interrupted saves: %u times the first model, %u times the second", n_a, n_b);

  bp_network_free (a);
  bp_network_free (b);
  remove_dir (dir);
}

/* ── Speed ─────────────────────────────────────────────────────────────────────────────────── */

/* A 784-100-10 model is about 1 MB. The times are reported, not asserted: the machines that run
 * the tests are shared (the benchmarks measure speed). */
static void
test_speed (void)
{
  static const size_t sizes[] = { 784, 100, 10 };
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "big.json", NULL);
  BpNetwork *net = new_network (sizes, 3, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                                BP_COST_CROSS_ENTROPY, 7);
  BpEpochMetrics history[30];
  BpModelInfo info, loaded;
  BpNetwork *back;
  GStatBuf st;
  gint64 t0, t1, t2, t3, t4;

  memset (&info, 0, sizeof info);
  info.has_run = true;
  bp_run_init (&info.run);
  for (unsigned e = 0; e < 30; e++)
    history[e] = (BpEpochMetrics) { e + 1, 0.1, 0.97, 0.2, 0.96, NAN, NAN, 3.2, 0.5f };
  info.history = history;
  info.n_history = 30;

  t0 = g_get_monotonic_time ();
  save_ok (net, &info, path);
  t1 = g_get_monotonic_time ();
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  t2 = g_get_monotonic_time ();
  back = load_ok (path, &loaded);
  t3 = g_get_monotonic_time ();
  assert_same_network (net, back);

  /* With momentum velocities the file doubles. */
  info.velocity = net->params;
  save_ok (net, &info, path);
  t4 = g_get_monotonic_time ();

  g_test_message ("784-100-10: %.2f MB, saved in %.1f ms, loaded in %.1f ms; "
                  "with velocities saved in %.1f ms",
                  st.st_size / 1e6, (t1 - t0) / 1e3, (t3 - t2) / 1e3, (t4 - t3) / 1e3);
  g_assert_cmpint (st.st_size, <, 1200000);

  bp_model_info_clear (&loaded);
  bp_network_free (back);
  bp_network_free (net);
  remove_dir (dir);
}

/* Messages about damaged files are valid UTF-8 whatever the file holds, so that the app can show
 * them: json-glib's own message for a lone surrogate escape, a token cut inside a character, and
 * a message cut to the error's buffer inside a character (the fuzz-session reproducers). */
static void
test_messages_are_utf8 (void)
{
  g_autoptr(GString) long_key = g_string_new ("{\"");
  g_autoptr(GString) cut_token = g_string_new ("{\"");
  const char *surrogate = "[\"\\ud800\", \"a\"]";
  const char *inputs[3];

  for (int i = 0; i < 300; i++)
    g_string_append (long_key, "\xf0\x9f\x98\x80");      /* 😀 */
  g_string_append (long_key, "\": 1}");
  for (int i = 0; i < 12; i++)
    g_string_append (cut_token, "\xe8\xae\xad");          /* 训 */
  g_string_append (cut_token, "\" 1}");                     /* the colon is missing */
  inputs[0] = surrogate;
  inputs[1] = long_key->str;
  inputs[2] = cut_token->str;

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      BpError error = { 0 };
      BpNetwork *net = bp_model_load_from_data (inputs[i], strlen (inputs[i]), "bad.json", NULL, &error);

      g_assert_null (net);
      g_assert_cmpint (error.code, ==, BP_ERROR_FORMAT);
      g_assert_true (g_str_has_prefix (error.message, "bad.json"));
      g_assert_true (g_utf8_validate (error.message, -1, NULL));
    }

  /* The engine's own truncation, for any message. */
  {
    BpError error = { 0 };
    g_autoptr(GString) text = g_string_new (NULL);

    for (int i = 0; i < 700; i++)
      g_string_append (text, "\xc3\xa9");                 /* é: 1400 bytes */
    bp_error_set (&error, BP_ERROR_INVALID, "x%s", text->str);
    g_assert_true (g_utf8_validate (error.message, -1, NULL));
    g_assert_cmpuint (strlen (error.message), >=, sizeof error.message - 3);
    bp_error_prefix (&error, "%s", "y");
    g_assert_true (g_utf8_validate (error.message, -1, NULL));
  }
}

/* ── Chapter 5's speed of learning ─────────────────────────────────────────────────────────── */

/* "speed" in the epochs that measured it and "initial_speed" (epoch 0) come back exactly; a
 * history without speeds writes neither member and reads back as zero speeds; bad speeds are
 * refused by name. The history's CSV gets the columns speed_1 … speed_k only when there are
 * speeds. */
static void
test_learning_speed (void)
{
  static const size_t sizes[] = { 6, 5, 4, 3 };
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "model.json", NULL);
  BpNetwork *net = new_network (sizes, 4, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                                BP_COST_CROSS_ENTROPY, 3);
  BpEpochMetrics history[3] = {
    { 1, 0.5, 0.9, NAN, 0.8, NAN, NAN, 1.5, 0.1f, 2, { 0.0125, 1.0 / 3.0 } },
    { 2, NAN, NAN, NAN, NAN, NAN, NAN, 1.25, 0.1f, 0, { 0 } },
    { 3, 0.25, 0.95, 0.3, 0.85, NAN, 0.875, 2.0, 0.1f, 1, { 2.5e-300 } },
  };
  BpEpochMetrics with_initial[4];
  BpModelInfo info = { 0 }, loaded;
  g_autofree char *text = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *plain_csv = NULL;
  BpNetwork *back;
  static const struct
  {
    const char *member;
    const char *message;
  } bad[] = {
    { "\"initial_speed\": \"fast\",", ": \"initial_speed\" is a string, expected a list of numbers" },
    { "\"initial_speed\": [],", ": \"initial_speed\" has 0 numbers, expected 1 to 8" },
    { "\"initial_speed\": [0.1, -0.5],", ": \"initial_speed\"[1] is -0.5, expected a finite number ≥ 0" },
    { "\"initial_speed\": [1, 2, 3, 4, 5, 6, 7, 8, 9],", ": \"initial_speed\" has 9 numbers" },
    { "\"initial_speed\": [null],", ": \"initial_speed\"[0] is null, expected a number" },
    { "\"history\": [{\"epoch\": 1, \"speed\": {}}],", ": history[0].speed is an object, expected a list" },
  };

  info.history = history;
  info.n_history = 3;
  info.n_initial_speeds = 2;
  info.initial_speed[0] = 0.003;
  info.initial_speed[1] = 0.25;
  save_ok (net, &info, path);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "\"eta\": 0.1, \"speed\": [0.0125, 0.3333333333333333]}"));
  g_assert_nonnull (strstr (text, "\"seconds\": 1.25, \"eta\": 0.1},"));
  g_assert_nonnull (strstr (text, "\"eta\": 0.1, \"speed\": [2.5e-300]}\n  ],"));
  g_assert_nonnull (strstr (text, "\n  ],\n  \"initial_speed\": [0.003, 0.25],\n  \"weights\""));

  memset (&loaded, 0xab, sizeof loaded);
  back = load_ok (path, &loaded);
  g_assert_cmpuint (loaded.n_initial_speeds, ==, 2);
  g_assert_cmpfloat (loaded.initial_speed[0], ==, 0.003);
  g_assert_cmpfloat (loaded.initial_speed[1], ==, 0.25);
  g_assert_cmpfloat (loaded.initial_speed[2], ==, 0.0);
  g_assert_cmpuint (loaded.n_history, ==, 3);
  for (size_t i = 0; i < 3; i++)
    {
      g_assert_cmpuint (loaded.history[i].n_speeds, ==, history[i].n_speeds);
      for (size_t k = 0; k < BP_MAX_LAYERS; k++)
        g_assert_cmpfloat (loaded.history[i].speed[k], ==, history[i].speed[k]);
    }
  bp_model_info_clear (&loaded);
  bp_network_free (back);

  for (size_t i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *edited = NULL;
      const char *at = strstr (text, "\"weights\"");
      BpError error = { 0 };

      edited = g_strdup_printf ("%.*s%s\n  %s", (int) (at - text), text, bad[i].member, at);
      /* The history of the file comes first; a second "history" member replaces it. */
      g_test_message ("%s", bad[i].member);
      g_assert_null (bp_model_load_from_data (edited, strlen (edited), "edited", NULL, &error));
      g_assert_nonnull (strstr (error.message, bad[i].message));
    }

  /* No speeds: neither member, byte for byte the file of before. */
  for (size_t i = 0; i < 3; i++)
    history[i].n_speeds = 0;
  info.n_initial_speeds = 0;
  save_ok (net, &info, path);
  g_clear_pointer (&text, g_free);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_null (strstr (text, "speed"));
  back = load_ok (path, &loaded);
  g_assert_cmpuint (loaded.n_initial_speeds, ==, 0);
  for (size_t i = 0; i < 3; i++)
    g_assert_cmpuint (loaded.history[i].n_speeds, ==, 0);
  bp_model_info_clear (&loaded);
  bp_network_free (back);

  /* The CSV: no speed, the columns of before; speeds, epoch 0 first, then the measured ones. */
  plain_csv = bp_history_csv_format (history, 3);
  g_assert_true (g_str_has_prefix (plain_csv, BP_HISTORY_CSV_HEADER));
  g_assert_null (strstr (plain_csv, "speed"));
  history[0].n_speeds = 2;
  history[2].n_speeds = 1;
  with_initial[0] = (BpEpochMetrics) { 0, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, 2,
                                       { 0.003, 0.25 } };
  memcpy (with_initial + 1, history, sizeof history);
  csv = bp_history_csv_format (with_initial, 4);
  g_assert_cmpstr (csv, ==,
                   "epoch,train_cost,train_accuracy,validation_cost,validation_accuracy,test_cost,"
                   "test_accuracy,seconds,eta,speed_1,speed_2\n"
                   "0,,,,,,,,,0.003,0.25\n"
                   "1,0.5,0.9,,0.8,,,1.5,0.100000001,0.0125,0.333333333\n"
                   "2,,,,,,,1.25,0.100000001,,\n"
                   "3,0.25,0.95,0.3,0.85,,0.875,2,0.100000001,2.5e-300,\n");

  bp_network_free (net);
  remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/model-io/round-trip", test_round_trip);
  g_test_add_func ("/model-io/round-trip-random-bits", test_round_trip_random_bits);
  g_test_add_func ("/model-io/round-trip-seeds", test_round_trip_seeds);
  g_test_add_func ("/model-io/round-trip-softmax", test_round_trip_softmax);
  g_test_add_func ("/model-io/round-trip-net", test_round_trip_net);
  g_test_add_func ("/model-io/round-trip-conv", test_round_trip_conv);
  g_test_add_func ("/model-io/network2-layout", test_network2_layout);
  g_test_add_func ("/model-io/network2-fixture", test_network2_fixture);
  g_test_add_func ("/model-io/extra-keys", test_extra_keys);
  g_test_add_func ("/model-io/document", test_document);
  g_test_add_func ("/model-io/describe-extensions", test_describe_extensions);
  g_test_add_func ("/model-io/bad-files", test_bad_files);
  g_test_add_func ("/model-io/huge-sizes-allocate-nothing", test_huge_sizes_allocate_nothing);
  g_test_add_func ("/model-io/unreadable", test_unreadable);
  g_test_add_func ("/model-io/truncated", test_truncated);
  g_test_add_func ("/model-io/save-refuses-nan", test_save_refuses_nan);
  g_test_add_func ("/model-io/save-missing-folder", test_save_missing_folder);
  g_test_add_func ("/model-io/save-failure-keeps-old-file", test_save_failure_keeps_old_file);
  g_test_add_func ("/model-io/save-interrupted", test_save_interrupted);
  g_test_add_func ("/model-io/messages-are-utf8", test_messages_are_utf8);
  g_test_add_func ("/model-io/speed", test_speed);
  g_test_add_func ("/model-io/learning-speed", test_learning_speed);

  return g_test_run ();
}
