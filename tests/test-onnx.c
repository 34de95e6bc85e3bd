/* test-onnx.c — ONNX exports read back with protobuf-c: the graph, the tensors bit for bit, the
 * metadata, the networks that are refused and the saves that fail
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What ONNX Runtime makes of the files is test-onnx-runtime.sh's job; this one needs no Node.js or
 * Python, so it also runs under the sanitizers.
 */
#include "config.h"

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bp-onnx.h"
#include "onnx.pb-c.h"

/* ── Helpers ───────────────────────────────────────────────────────────────────────────────── */

static char *
make_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("test-onnx-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
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

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The folder's entries, sorted and joined by spaces: a leftover temporary file shows. */
static char *
list_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, (gpointer) name);
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

/* A network whose every parameter is distinct: parameter i is (i + 1) / 1024, alternating in
 * sign, so that a transposed or shifted tensor cannot pass for the right one. */
static BpNetwork *
new_network (const size_t *sizes,
             size_t        n_layers,
             BpActivation  activation,
             BpOutput      output)
{
  BpCost cost = output == BP_OUTPUT_SOFTMAX ? BP_COST_LOG_LIKELIHOOD : BP_COST_CROSS_ENTROPY;
  BpError error;
  BpNetwork *net = bp_network_new_dense (sizes, n_layers, activation, output, cost, &error);

  g_assert_nonnull (net);
  for (size_t i = 0; i < net->n_params; i++)
    net->params[i] = (float) (i + 1) / 1024.0f * (i % 2 == 0 ? 1.0f : -1.0f);
  return net;
}

static Onnx__ModelProto *
pack_and_unpack (const BpNetwork   *net,
                 const BpModelInfo *info)
{
  g_autofree uint8_t *bytes = NULL;
  Onnx__ModelProto *model;
  BpError error;
  size_t len = 0;

  bytes = bp_onnx_pack (net, info, "model.onnx", &len, &error);
  g_assert_nonnull (bytes);
  g_assert_cmpuint (len, >, 0);
  model = onnx__model_proto__unpack (NULL, len, bytes);
  g_assert_nonnull (model);
  return model;
}

static const char *
metadata (const Onnx__ModelProto *model,
          const char             *key)
{
  for (size_t i = 0; i < model->n_metadata_props; i++)
    if (strcmp (model->metadata_props[i]->key, key) == 0)
      return model->metadata_props[i]->value;
  return NULL;
}

static const Onnx__TensorProto *
initializer (const Onnx__GraphProto *graph,
             const char             *name)
{
  for (size_t i = 0; i < graph->n_initializer; i++)
    if (strcmp (graph->initializer[i]->name, name) == 0)
      return graph->initializer[i];
  g_error ("no initializer %s", name);
}

static int64_t
attribute_int (const Onnx__NodeProto *node,
               const char            *name)
{
  g_assert_cmpuint (node->n_attribute, ==, 1);
  g_assert_cmpstr (node->attribute[0]->name, ==, name);
  g_assert_true (node->attribute[0]->has_type);
  g_assert_cmpint (node->attribute[0]->type, ==, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
  return node->attribute[0]->i;
}

/* @info's shape as "N,1,28,28" (a named dimension by its name) and its element type. */
static char *
describe_shape (const Onnx__ValueInfoProto *info)
{
  const Onnx__TypeProto__Tensor *tensor;
  GString *out = g_string_new (NULL);

  g_assert_cmpint (info->type->value_case, ==, ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE);
  tensor = info->type->tensor_type;
  g_assert_cmpint (tensor->elem_type, ==, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT);
  for (size_t i = 0; i < tensor->shape->n_dim; i++)
    {
      const Onnx__TensorShapeProto__Dimension *dim = tensor->shape->dim[i];

      if (i > 0)
        g_string_append_c (out, ',');
      if (dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM)
        g_string_append (out, dim->dim_param);
      else
        g_string_append_printf (out, "%" G_GINT64_FORMAT, dim->dim_value);
    }
  return g_string_free (out, FALSE);
}

/* The graph's nodes as "Op(input,…>output)" separated by spaces. */
static char *
describe_nodes (const Onnx__GraphProto *graph)
{
  GString *out = g_string_new (NULL);

  for (size_t i = 0; i < graph->n_node; i++)
    {
      const Onnx__NodeProto *node = graph->node[i];

      g_string_append_printf (out, "%s%s(", i > 0 ? " " : "", node->op_type);
      for (size_t k = 0; k < node->n_input; k++)
        g_string_append_printf (out, "%s%s", k > 0 ? "," : "", node->input[k]);
      g_assert_cmpuint (node->n_output, ==, 1);
      g_string_append_printf (out, ">%s)", node->output[0]);
    }
  return g_string_free (out, FALSE);
}

/* ── The graph ─────────────────────────────────────────────────────────────────────────────── */

/* Chapter 1's 784-30-10: every node, tensor, shape and attribute, and the weights bit for bit
 * in the engine's layout (W (n_out, n_in) row-major, read by Gemm with transB = 1). */
static void
test_graph_784_30_10 (void)
{
  static const size_t sizes[] = { 784, 30, 10 };
  BpNetwork *net = new_network (sizes, 3, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID);
  Onnx__ModelProto *model = pack_and_unpack (net, NULL);
  const Onnx__GraphProto *graph = model->graph;
  g_autofree char *nodes = describe_nodes (graph);
  g_autofree char *input_shape = NULL;
  g_autofree char *output_shape = NULL;

  g_assert_true (model->has_ir_version);
  g_assert_cmpint (model->ir_version, ==, BP_ONNX_IR_VERSION);
  g_assert_cmpuint (model->n_opset_import, ==, 1);
  g_assert_cmpstr (model->opset_import[0]->domain, ==, "");
  g_assert_cmpint (model->opset_import[0]->version, ==, BP_ONNX_OPSET);
  g_assert_cmpstr (model->producer_name, ==, "Backprop");
  g_assert_cmpstr (model->producer_version, ==, PACKAGE_VERSION);
  g_assert_nonnull (strstr (model->doc_string, "784-30-10"));

  g_assert_cmpstr (nodes, ==,
                   "Flatten(input>flatten) "
                   "Gemm(flatten,dense1.weight,dense1.bias>dense1) Sigmoid(dense1>dense1.sigmoid) "
                   "Gemm(dense1.sigmoid,dense2.weight,dense2.bias>dense2) Sigmoid(dense2>output)");
  g_assert_cmpint (attribute_int (graph->node[0], "axis"), ==, 1);
  g_assert_cmpint (attribute_int (graph->node[1], "transB"), ==, 1);
  g_assert_cmpuint (graph->node[2]->n_attribute, ==, 0);
  g_assert_cmpint (attribute_int (graph->node[3], "transB"), ==, 1);

  g_assert_cmpuint (graph->n_input, ==, 1);
  g_assert_cmpstr (graph->input[0]->name, ==, "input");
  input_shape = describe_shape (graph->input[0]);
  g_assert_cmpstr (input_shape, ==, "N,1,28,28");
  g_assert_cmpuint (graph->n_output, ==, 1);
  g_assert_cmpstr (graph->output[0]->name, ==, "output");
  output_shape = describe_shape (graph->output[0]);
  g_assert_cmpstr (output_shape, ==, "N,10");

  g_assert_cmpuint (graph->n_initializer, ==, 4);
  for (size_t l = 1; l < 3; l++)
    {
      g_autofree char *w_name = g_strdup_printf ("dense%zu.weight", l);
      g_autofree char *b_name = g_strdup_printf ("dense%zu.bias", l);
      const Onnx__TensorProto *w = initializer (graph, w_name);
      const Onnx__TensorProto *b = initializer (graph, b_name);
      size_t n_out = sizes[l], n_in = sizes[l - 1];

      g_assert_cmpint (w->data_type, ==, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT);
      g_assert_cmpuint (w->n_dims, ==, 2);
      g_assert_cmpint (w->dims[0], ==, (int64_t) n_out);
      g_assert_cmpint (w->dims[1], ==, (int64_t) n_in);
      g_assert_true (w->has_raw_data);
      g_assert_cmpmem (w->raw_data.data, w->raw_data.len, net->params + net->layers[l - 1].w_offset,
                       n_out * n_in * sizeof (float));
      g_assert_cmpuint (b->n_dims, ==, 1);
      g_assert_cmpint (b->dims[0], ==, (int64_t) n_out);
      g_assert_cmpmem (b->raw_data.data, b->raw_data.len, net->params + net->layers[l - 1].b_offset,
                       n_out * sizeof (float));
    }

  /* Without a history there is no accuracy to tell. */
  g_assert_cmpstr (metadata (model, "layers"), ==, "784-30-10");
  g_assert_cmpstr (metadata (model, "activation"), ==, "sigmoid");
  g_assert_cmpstr (metadata (model, "output"), ==, "sigmoid");
  g_assert_cmpstr (metadata (model, "cost"), ==, "cross-entropy");
  g_assert_null (metadata (model, "test_accuracy"));

  onnx__model_proto__free_unpacked (model, NULL);
  bp_network_free (net);
}

/* A conv network: Conv (the filters as the engine keeps them, (C_out, C_in, k, k); kernel_shape
 * k×k, strides 1, no pads), its function, MaxPool (kernel_shape = strides = p×p), Flatten, Gemm;
 * the input [N, C, H, W] of the network's own shape; the layer list in the metadata. */
static void
test_graph_conv (void)
{
  BpArch arch = { .cost = BP_COST_LOG_LIKELIHOOD };
  BpError error = { 0 };
  BpNetwork *net;
  Onnx__ModelProto *model;
  const Onnx__GraphProto *graph;
  const Onnx__TensorProto *w;
  GString *ops = g_string_new (NULL);
  g_autofree char *input_shape = NULL;

  g_assert_true (bp_arch_parse ("in3x10x12,conv4x3:relu,pool2,conv5x2,fc7,softmax6",
                                BP_ACTIVATION_TANH, &arch, &error));
  net = bp_network_new (&arch, &error);
  g_assert_nonnull (net);
  for (size_t i = 0; i < net->n_params; i++)
    net->params[i] = (float) ((int) (i % 17) - 8) / 16.0f;
  model = pack_and_unpack (net, NULL);
  graph = model->graph;

  for (size_t i = 0; i < graph->n_node; i++)
    g_string_append_printf (ops, "%s%s", i > 0 ? " " : "", graph->node[i]->op_type);
  g_assert_cmpstr (ops->str, ==, "Conv Relu MaxPool Conv Tanh Flatten Gemm Tanh Gemm Softmax");
  g_string_free (ops, TRUE);

  input_shape = describe_shape (graph->input[0]);
  g_assert_cmpstr (input_shape, ==, "N,3,10,12");

  for (size_t i = 0; i < 2; i++)
    {
      const Onnx__NodeProto *node = graph->node[i == 0 ? 0 : 2];
      int64_t side = i == 0 ? 3 : 2;
      int64_t stride = i == 0 ? 1 : 2;

      g_assert_cmpuint (node->n_attribute, ==, 2);
      g_assert_cmpstr (node->attribute[0]->name, ==, "kernel_shape");
      g_assert_cmpuint (node->attribute[0]->n_ints, ==, 2);
      g_assert_cmpint (node->attribute[0]->ints[0], ==, side);
      g_assert_cmpint (node->attribute[0]->ints[1], ==, side);
      g_assert_cmpstr (node->attribute[1]->name, ==, "strides");
      g_assert_cmpint (node->attribute[1]->ints[0], ==, stride);
      g_assert_cmpint (node->attribute[1]->ints[1], ==, stride);
    }

  w = initializer (graph, "conv1.weight");
  g_assert_cmpuint (w->n_dims, ==, 4);
  g_assert_cmpint (w->dims[0], ==, 4);
  g_assert_cmpint (w->dims[1], ==, 3);
  g_assert_cmpint (w->dims[2], ==, 3);
  g_assert_cmpint (w->dims[3], ==, 3);
  g_assert_cmpmem (w->raw_data.data, w->raw_data.len, net->params + net->layers[0].w_offset,
                   4 * 3 * 3 * 3 * sizeof (float));
  w = initializer (graph, "conv3.weight");
  g_assert_cmpint (w->dims[0], ==, 5);
  g_assert_cmpint (w->dims[1], ==, 4);
  w = initializer (graph, "dense4.weight");
  g_assert_cmpint (w->dims[0], ==, 7);
  g_assert_cmpint (w->dims[1], ==, 5 * 3 * 4);
  g_assert_cmpstr (metadata (model, "net"), ==, "in3x10x12,conv4x3:relu,pool2,conv5x2,fc7,softmax6");

  onnx__model_proto__free_unpacked (model, NULL);
  bp_network_free (net);
}

/* Each hidden function and output becomes its operator; a softmax normalises over axis 1, the
 * classes; three hidden layers are three Gemm + function pairs; a network without hidden
 * layers is Flatten, Gemm and the output's function. */
static void
test_graph_functions (void)
{
  static const struct
  {
    size_t       sizes[5];
    size_t       n_layers;
    BpActivation activation;
    BpOutput     output;
    const char  *ops;
  } cases[] = {
    { { 784, 20, 10 }, 3, BP_ACTIVATION_TANH, BP_OUTPUT_SOFTMAX, "Flatten Gemm Tanh Gemm Softmax" },
    { { 784, 20, 10 }, 3, BP_ACTIVATION_RELU, BP_OUTPUT_SIGMOID, "Flatten Gemm Relu Gemm Sigmoid" },
    { { 784, 40, 30, 20, 10 }, 5, BP_ACTIVATION_RELU, BP_OUTPUT_SOFTMAX,
      "Flatten Gemm Relu Gemm Relu Gemm Relu Gemm Softmax" },
    { { 784, 10 }, 2, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SOFTMAX, "Flatten Gemm Softmax" },
  };

  for (size_t c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      BpNetwork *net = new_network (cases[c].sizes, cases[c].n_layers, cases[c].activation,
                                    cases[c].output);
      Onnx__ModelProto *model = pack_and_unpack (net, NULL);
      const Onnx__GraphProto *graph = model->graph;
      const Onnx__NodeProto *last = graph->node[graph->n_node - 1];
      GString *ops = g_string_new (NULL);

      for (size_t i = 0; i < graph->n_node; i++)
        g_string_append_printf (ops, "%s%s", i > 0 ? " " : "", graph->node[i]->op_type);
      g_assert_cmpstr (ops->str, ==, cases[c].ops);
      g_assert_cmpstr (last->output[0], ==, "output");
      if (cases[c].output == BP_OUTPUT_SOFTMAX)
        g_assert_cmpint (attribute_int (last, "axis"), ==, 1);
      g_assert_cmpuint (graph->n_initializer, ==, 2 * (cases[c].n_layers - 1));
      /* A network without hidden layers has no hidden function to name. */
      if (cases[c].n_layers == 2)
        g_assert_null (metadata (model, "activation"));

      g_string_free (ops, TRUE);
      onnx__model_proto__free_unpacked (model, NULL);
      bp_network_free (net);
    }
}

/* Another square input is another picture size: [N, 1, 4, 4] for 16 inputs. */
static void
test_graph_square_input (void)
{
  static const size_t sizes[] = { 16, 3, 2 };
  BpNetwork *net = new_network (sizes, 3, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SOFTMAX);
  Onnx__ModelProto *model = pack_and_unpack (net, NULL);
  g_autofree char *input_shape = describe_shape (model->graph->input[0]);
  g_autofree char *output_shape = describe_shape (model->graph->output[0]);

  g_assert_cmpstr (input_shape, ==, "N,1,4,4");
  g_assert_cmpstr (output_shape, ==, "N,2");

  onnx__model_proto__free_unpacked (model, NULL);
  bp_network_free (net);
}

/* The test accuracy is the history's last measured one: an epoch that did not measure it (a
 * NaN, with --monitor-every) does not hide the one before. */
static void
test_metadata_accuracy (void)
{
  static const size_t sizes[] = { 784, 10 };
  BpNetwork *net = new_network (sizes, 2, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SOFTMAX);
  BpEpochMetrics history[3] = {
    { .epoch = 1, .test_accuracy = 0.9012 },
    { .epoch = 2, .test_accuracy = 0.9143 },
    { .epoch = 3, .test_accuracy = NAN },
  };
  BpModelInfo info = { .history = history, .n_history = G_N_ELEMENTS (history) };
  Onnx__ModelProto *model = pack_and_unpack (net, &info);

  g_assert_cmpstr (metadata (model, "test_accuracy"), ==, "0.9143");
  g_assert_cmpstr (metadata (model, "test_accuracy_epoch"), ==, "2");
  g_assert_cmpstr (metadata (model, "layers"), ==, "784-10");
  g_assert_cmpstr (metadata (model, "cost"), ==, "log-likelihood");

  onnx__model_proto__free_unpacked (model, NULL);
  bp_network_free (net);
}

/* ── Refused networks ──────────────────────────────────────────────────────────────────────── */

/* A network that has no ONNX form is refused with a message naming the file and the layer, and
 * nothing is written. */
static void
test_refused (void)
{
  static const size_t not_square[] = { 20, 5, 2 };
  static const size_t sizes[] = { 784, 30, 10 };
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "model.onnx", NULL);
  g_autofree char *listing = NULL;
  g_autofree char *expected = NULL;
  BpNetwork *net = new_network (not_square, 3, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID);
  BpError error;

  g_assert_false (bp_onnx_save (net, NULL, path, &error));
  g_assert_cmpint (error.code, ==, BP_ERROR_INVALID);
  expected = g_strdup_printf ("%s: not saved: the input layer has 20 units, not a square "
                              "picture's pixels (the ONNX input is [N, 1, H, W] with H = W)",
                              path);
  g_assert_cmpstr (error.message, ==, expected);
  bp_network_free (net);

  /* A diverged network: the layer with the NaN is named. */
  net = new_network (sizes, 3, BP_ACTIVATION_RELU, BP_OUTPUT_SOFTMAX);
  net->params[net->layers[1].b_offset + 3] = NAN;
  g_assert_false (bp_onnx_save (net, NULL, path, &error));
  g_assert_cmpint (error.code, ==, BP_ERROR_INVALID);
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("%s: not saved: layer 2 (dense, 30 → 10) has NaN or infinite "
                              "parameters", path);
  g_assert_cmpstr (error.message, ==, expected);
  net->params[net->layers[1].b_offset + 3] = 0.0f;
  net->params[5] = INFINITY;
  g_assert_false (bp_onnx_save (net, NULL, path, &error));
  g_assert_nonnull (strstr (error.message, "layer 1 (dense, 784 → 30)"));

  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "");

  bp_network_free (net);
  remove_dir (dir);
}

/* ── Saves ─────────────────────────────────────────────────────────────────────────────────── */

/* The file holds exactly the packed bytes, replaces an older file, and nothing else is left
 * in the folder. */
static void
test_save (void)
{
  static const size_t sizes[] = { 784, 30, 10 };
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "model.onnx", NULL);
  g_autofree uint8_t *bytes = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *listing = NULL;
  BpNetwork *net = new_network (sizes, 3, BP_ACTIVATION_TANH, BP_OUTPUT_SOFTMAX);
  BpError error;
  gsize saved_len = 0;
  size_t len = 0;

  g_assert_true (g_file_set_contents (path, "an older file", -1, NULL));
  g_assert_true (bp_onnx_save (net, NULL, path, &error));
  g_assert_true (g_file_get_contents (path, &contents, &saved_len, NULL));
  bytes = bp_onnx_pack (net, NULL, path, &len, &error);
  g_assert_nonnull (bytes);
  g_assert_cmpmem (contents, saved_len, bytes, len);
  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "model.onnx");

  bp_network_free (net);
  remove_dir (dir);
}

/* A target in a folder that does not exist, or where a folder stands: one message naming the
 * file and why, and nothing left behind. */
static void
test_save_fails (void)
{
  static const size_t sizes[] = { 784, 30, 10 };
  g_autofree char *dir = make_dir ();
  g_autofree char *missing = g_build_filename (dir, "no-such-folder", "model.onnx", NULL);
  g_autofree char *folder = g_build_filename (dir, "folder.onnx", NULL);
  g_autofree char *prefix = NULL;
  g_autofree char *listing = NULL;
  BpNetwork *net = new_network (sizes, 3, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID);
  BpError error;

  g_assert_false (bp_onnx_save (net, NULL, missing, &error));
  g_assert_cmpint (error.code, ==, BP_ERROR_IO);
  prefix = g_strdup_printf ("%s: not saved: ", missing);
  g_assert_true (g_str_has_prefix (error.message, prefix));
  g_assert_true (g_str_has_suffix (error.message, g_strerror (ENOENT)));
  g_assert_null (strchr (error.message, '\n'));

  /* The rename over a folder fails after the temporary file is complete: it must go too. */
  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
  g_assert_false (bp_onnx_save (net, NULL, folder, &error));
  g_assert_cmpint (error.code, ==, BP_ERROR_IO);
  g_assert_true (g_str_has_prefix (error.message, folder));
  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "folder.onnx");

  bp_network_free (net);
  remove_dir (dir);
}

/* A disk that fills up half-way: the file size limit (RLIMIT_FSIZE) stops writes past 4 KiB,
 * for root too. The older file stays whole and no temporary file stays behind. */
static void
test_save_disk_full (void)
{
  static const size_t sizes[] = { 784, 30, 10 };
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "model.onnx", NULL);
  g_autofree char *kept = NULL;
  g_autofree char *listing = NULL;
  BpNetwork *net = new_network (sizes, 3, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SOFTMAX);
  struct rlimit saved, limited;
  void (*saved_handler) (int);
  BpError error;
  gboolean ok;

  g_assert_true (g_file_set_contents (path, "the older model", -1, NULL));
  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  limited = saved;
  limited.rlim_cur = 4096;
  /* Past the limit write() fails with EFBIG, once SIGXFSZ no longer kills the process. */
  saved_handler = signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limited), ==, 0);
  ok = bp_onnx_save (net, NULL, path, &error);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  signal (SIGXFSZ, saved_handler);

  g_assert_false (ok);
  g_test_message ("%s", error.message);
  g_assert_cmpint (error.code, ==, BP_ERROR_IO);
  g_assert_true (g_str_has_prefix (error.message, path));
  g_assert_nonnull (strstr (error.message, g_strerror (EFBIG)));
  g_assert_true (g_file_get_contents (path, &kept, NULL, NULL));
  g_assert_cmpstr (kept, ==, "the older model");
  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "model.onnx");

  bp_network_free (net);
  remove_dir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/onnx/graph-784-30-10", test_graph_784_30_10);
  g_test_add_func ("/onnx/graph-functions", test_graph_functions);
  g_test_add_func ("/onnx/graph-conv", test_graph_conv);
  g_test_add_func ("/onnx/graph-square-input", test_graph_square_input);
  g_test_add_func ("/onnx/metadata-accuracy", test_metadata_accuracy);
  g_test_add_func ("/onnx/refused", test_refused);
  g_test_add_func ("/onnx/save", test_save);
  g_test_add_func ("/onnx/save-fails", test_save_fails);
  g_test_add_func ("/onnx/save-disk-full", test_save_disk_full);

  return g_test_run ();
}
