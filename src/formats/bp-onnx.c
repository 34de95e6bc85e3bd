/* bp-onnx.c — a trained network as an ONNX model, for Netron, ONNX Runtime and PyTorch
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The protobuf is written by protobuf-c, from C bindings that protoc-c generates at build time
 * out of ONNX's own onnx.proto (src/formats/meson.build). The messages are built on the stack
 * and in a list of allocations freed together once the model is packed; the weights are not
 * copied on a little-endian machine: a tensor's raw_data points into the network's parameter
 * buffer, which already holds them in ONNX's order (W (n_out, n_in) row-major, as Gemm with
 * transB = 1 reads it).
 *
 * add_layers() is the one function that knows how a layer of Backprop becomes ONNX operators;
 * everything else here is the model around them.
 */
#include "config.h"

#include "bp-onnx.h"

#include <glib.h>
#include <math.h>
#include <string.h>

#include "bp-save-file.h"
#include "onnx.pb-c.h"

/* protobuf's hard limit on one message; ONNX keeps larger models' weights in external files. */
#define MAX_MODEL_BYTES ((size_t) G_MAXINT32)

/* What the ModelProto points at, until it is packed. */
typedef struct
{
  const char *name;          /* the target file, in messages */
  GPtrArray  *owned;         /* every allocation below, freed together */
  GPtrArray  *nodes;         /* (Onnx__NodeProto *) in graph order */
  GPtrArray  *initializers;  /* (Onnx__TensorProto *) the parameters */
} Graph;

static gpointer
keep (Graph    *g,
      gpointer  p)
{
  g_ptr_array_add (g->owned, p);
  return p;
}

static char *keep_printf (Graph      *g,
                          const char *format,
                          ...) G_GNUC_PRINTF (2, 3);

static char *
keep_printf (Graph      *g,
             const char *format,
             ...)
{
  va_list args;
  char *s;

  va_start (args, format);
  s = g_strdup_vprintf (format, args);
  va_end (args);
  return keep (g, s);
}

/* ── Attributes, tensors, nodes ───────────────────────────────────────────────────────────── */

static Onnx__AttributeProto *
attr_int (Graph      *g,
          const char *name,
          int64_t     value)
{
  Onnx__AttributeProto *a = keep (g, g_new (Onnx__AttributeProto, 1));

  onnx__attribute_proto__init (a);
  a->name = (char *) name;
  a->has_type = TRUE;
  a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
  a->has_i = TRUE;
  a->i = value;
  return a;
}

/* An INTS attribute of two equal values: a square kernel's kernel_shape or strides. */
static Onnx__AttributeProto *
attr_square (Graph      *g,
             const char *name,
             int64_t     side)
{
  Onnx__AttributeProto *a = keep (g, g_new (Onnx__AttributeProto, 1));
  int64_t *values = keep (g, g_new (int64_t, 2));

  onnx__attribute_proto__init (a);
  values[0] = values[1] = side;
  a->name = (char *) name;
  a->has_type = TRUE;
  a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
  a->n_ints = 2;
  a->ints = values;
  return a;
}

/* An initializer named @name holding @data, float32 of shape @dims (@n_dims, up to 4). Returns
 * @name, for the node that reads it. */
static const char *
add_tensor (Graph         *g,
            const char    *name,
            const float   *data,
            size_t         n_dims,
            const int64_t *dims)
{
  Onnx__TensorProto *t = keep (g, g_new (Onnx__TensorProto, 1));
  size_t count = 1;

  onnx__tensor_proto__init (t);
  t->name = (char *) name;
  t->has_data_type = TRUE;
  t->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
  t->n_dims = n_dims;
  t->dims = keep (g, g_memdup2 (dims, n_dims * sizeof *dims));
  for (size_t i = 0; i < n_dims; i++)
    count *= (size_t) dims[i];

  /* raw_data is little-endian IEEE 754, which the parameter buffer already is on every machine
   * this is likely to run on; elsewhere the bytes are swapped into a copy. */
  t->has_raw_data = TRUE;
  t->raw_data.len = count * sizeof (float);
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
  t->raw_data.data = (uint8_t *) data;
#else
  {
    guint32 *swapped = keep (g, g_new (guint32, count));

    for (size_t i = 0; i < count; i++)
      {
        guint32 bits;

        memcpy (&bits, &data[i], sizeof bits);
        swapped[i] = GUINT32_TO_LE (bits);
      }
    t->raw_data.data = (uint8_t *) swapped;
  }
#endif

  g_ptr_array_add (g->initializers, t);
  return name;
}

/* Append the node @name: @op on @inputs (NULL-terminated) with @attrs (NULL-terminated, may be
 * NULL), into the one new tensor @output. Returns @output, the next node's input. */
static const char *
add_node (Graph                       *g,
          const char                  *op,
          const char                  *name,
          const char                  *output,
          const char *const           *inputs,
          Onnx__AttributeProto *const *attrs)
{
  Onnx__NodeProto *node = keep (g, g_new (Onnx__NodeProto, 1));
  size_t n_inputs = 0, n_attrs = 0;

  while (inputs[n_inputs] != NULL)
    n_inputs++;
  while (attrs != NULL && attrs[n_attrs] != NULL)
    n_attrs++;

  onnx__node_proto__init (node);
  node->op_type = (char *) op;
  node->name = (char *) name;
  node->n_input = n_inputs;
  node->input = keep (g, g_memdup2 (inputs, n_inputs * sizeof *inputs));
  node->n_output = 1;
  node->output = keep (g, g_new (char *, 1));
  node->output[0] = (char *) output;
  node->n_attribute = n_attrs;
  node->attribute = n_attrs > 0 ? keep (g, g_memdup2 (attrs, n_attrs * sizeof *attrs)) : NULL;

  g_ptr_array_add (g->nodes, node);
  return output;
}

#define INPUTS(...) ((const char *const[]) { __VA_ARGS__, NULL })
#define ATTRS(...)  ((Onnx__AttributeProto *const[]) { __VA_ARGS__, NULL })

static bool
all_finite (const float *v,
            size_t       n)
{
  for (size_t i = 0; i < n; i++)
    if (!isfinite (v[i]))
      return false;
  return true;
}

/* ── The layers ───────────────────────────────────────────────────────────────────────────── */

static const char *
activation_op (BpActivation activation)
{
  switch (activation)
    {
    case BP_ACTIVATION_SIGMOID:
      return "Sigmoid";
    case BP_ACTIVATION_TANH:
      return "Tanh";
    case BP_ACTIVATION_RELU:
      return "Relu";
    default:
      g_assert_not_reached ();
    }
}

/* The function's name in a sentence. */
static const char *
activation_display (BpActivation activation)
{
  return activation == BP_ACTIVATION_RELU ? "ReLU" : bp_activation_to_string (activation);
}

/* A layer's function on @x, into @output: the node is named after the layer and the function
 * ("dense1.relu"). A softmax normalises over the classes, axis 1 of [N, n_out]. */
static const char *
add_function (Graph      *g,
              const char *layer,
              const char *op,
              const char *x,
              const char *output)
{
  const char *name = keep (g, g_ascii_strdown (keep_printf (g, "%s.%s", layer, op), -1));

  if (output == NULL)
    output = name;
  if (strcmp (op, "Softmax") == 0)
    return add_node (g, op, name, output, INPUTS (x), ATTRS (attr_int (g, "axis", 1)));
  return add_node (g, op, name, output, INPUTS (x), NULL);
}

/* The network as ONNX nodes, from "input" to "output": the one function that knows how each
 * layer becomes ONNX operators, and so the one to extend for new kinds of layers.
 *   a conv layer l:                Conv (x, conv<l>.weight (C_out, C_in, k, k), conv<l>.bias
 *                                  (C_out); kernel_shape k×k, strides 1×1, no padding), then
 *                                  its function. ONNX's Conv is a cross-correlation, as the
 *                                  engine's: the filters go as they are (network3.py's Theano
 *                                  conv2d would flip them)
 *   a pool layer l:                MaxPool (kernel_shape = strides = p×p)
 *   before the first dense layer:  Flatten (axis 1), [N, C, H, W] → [N, C·H·W], which is the
 *                                  engine's (C, H, W) order
 *   a dense layer l:               Gemm (x, dense<l>.weight, dense<l>.bias; transB 1), the
 *                                  weight (n_out, n_in) as the engine stores it, the bias (n_out)
 *   then its function:             Sigmoid | Tanh | Relu (hidden layers); Sigmoid | Softmax
 *                                  (axis 1) for the output layer, whose tensor is "output"
 * Fails, naming the layer, on a layer that has no ONNX form here (a conv or pool layer after a
 * dense one) or parameters that are not finite. */
static bool
add_layers (Graph           *g,
            const BpNetwork *net,
            BpError         *error)
{
  const char *x = BP_ONNX_INPUT_NAME;
  bool flat = false;

  for (size_t l = 1; l <= net->arch.n_layers; l++)
    {
      const BpLayer *shape = &net->layers[l - 1];
      const BpLayerSpec *spec = &net->arch.layers[l - 1];
      bool last = l == net->arch.n_layers;
      int64_t n_in = (int64_t) shape->n_in, n_out = (int64_t) shape->n_out;
      const float *w = net->params + shape->w_offset;
      const float *b = net->params + shape->b_offset;
      const char *layer;
      const char *weight, *bias;

      if (!all_finite (w, shape->n_weights) || !all_finite (b, shape->n_biases))
        return bp_error_set (error, BP_ERROR_INVALID,
                             "%s: not saved: layer %zu (%s, %zu → %zu) has NaN or infinite "
                             "parameters", g->name, l,
                             spec->kind == BP_LAYER_CONV ? "conv" : "dense", shape->n_in,
                             shape->n_out);
      if (spec->kind != BP_LAYER_DENSE && flat)
        return bp_error_set (error, BP_ERROR_INVALID,
                             "%s: not saved: layer %zu (%s) comes after a dense layer, which has "
                             "no ONNX form here", g->name, l,
                             spec->kind == BP_LAYER_CONV ? "conv" : "pool");

      switch (spec->kind)
        {
        case BP_LAYER_CONV:
          layer = keep_printf (g, "conv%zu", l);
          weight = add_tensor (g, keep_printf (g, "%s.weight", layer), w, 4,
                               (const int64_t[]) { (int64_t) shape->out_c, (int64_t) shape->in_c,
                                                   (int64_t) spec->kernel,
                                                   (int64_t) spec->kernel });
          bias = add_tensor (g, keep_printf (g, "%s.bias", layer), b, 1,
                             (const int64_t[]) { (int64_t) shape->out_c });
          x = add_node (g, "Conv", layer, layer, INPUTS (x, weight, bias),
                        ATTRS (attr_square (g, "kernel_shape", (int64_t) spec->kernel),
                               attr_square (g, "strides", 1)));
          x = add_function (g, layer, activation_op (spec->activation), x, NULL);
          continue;

        case BP_LAYER_POOL:
          layer = keep_printf (g, "pool%zu", l);
          x = add_node (g, "MaxPool", layer, layer, INPUTS (x),
                        ATTRS (attr_square (g, "kernel_shape", (int64_t) spec->kernel),
                               attr_square (g, "strides", (int64_t) spec->kernel)));
          continue;

        case BP_LAYER_DENSE:
        default:
          break;
        }

      layer = keep_printf (g, "dense%zu", l);
      if (!flat)
        {
          x = add_node (g, "Flatten", "flatten", "flatten", INPUTS (x),
                        ATTRS (attr_int (g, "axis", 1)));
          flat = true;
        }
      weight = add_tensor (g, keep_printf (g, "%s.weight", layer), w, 2,
                           (const int64_t[]) { n_out, n_in });
      bias = add_tensor (g, keep_printf (g, "%s.bias", layer), b, 1, (const int64_t[]) { n_out });
      x = add_node (g, "Gemm", layer, layer, INPUTS (x, weight, bias),
                    ATTRS (attr_int (g, "transB", 1)));
      if (last)
        x = add_function (g, layer, net->arch.output == BP_OUTPUT_SOFTMAX ? "Softmax" : "Sigmoid",
                          x, BP_ONNX_OUTPUT_NAME);
      else
        x = add_function (g, layer, activation_op (spec->activation), x, NULL);
    }
  return true;
}

/* ── The model around the graph ───────────────────────────────────────────────────────────── */

/* A float32 tensor's name, type and shape; a dimension of 0 is the dynamic batch size "N". */
static Onnx__ValueInfoProto *
value_info (Graph         *g,
            const char    *name,
            const char    *doc,
            size_t         n_dims,
            const int64_t *dims)
{
  Onnx__ValueInfoProto *info = keep (g, g_new (Onnx__ValueInfoProto, 1));
  Onnx__TypeProto *type = keep (g, g_new (Onnx__TypeProto, 1));
  Onnx__TypeProto__Tensor *tensor = keep (g, g_new (Onnx__TypeProto__Tensor, 1));
  Onnx__TensorShapeProto *shape = keep (g, g_new (Onnx__TensorShapeProto, 1));
  Onnx__TensorShapeProto__Dimension **dim;

  dim = keep (g, g_new (Onnx__TensorShapeProto__Dimension *, n_dims));
  onnx__tensor_shape_proto__init (shape);
  shape->n_dim = n_dims;
  shape->dim = dim;
  for (size_t i = 0; i < n_dims; i++)
    {
      dim[i] = keep (g, g_new (Onnx__TensorShapeProto__Dimension, 1));
      onnx__tensor_shape_proto__dimension__init (dim[i]);
      if (dims[i] == 0)
        {
          dim[i]->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
          dim[i]->dim_param = (char *) "N";
        }
      else
        {
          dim[i]->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
          dim[i]->dim_value = dims[i];
        }
    }

  onnx__type_proto__tensor__init (tensor);
  tensor->has_elem_type = TRUE;
  tensor->elem_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
  tensor->shape = shape;
  onnx__type_proto__init (type);
  type->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
  type->tensor_type = tensor;
  onnx__value_info_proto__init (info);
  info->name = (char *) name;
  info->type = type;
  info->doc_string = (char *) doc;
  return info;
}

static void
add_property (Graph      *g,
              GPtrArray  *props,
              const char *key,
              const char *value)
{
  Onnx__StringStringEntryProto *entry = keep (g, g_new (Onnx__StringStringEntryProto, 1));

  onnx__string_string_entry_proto__init (entry);
  entry->key = (char *) key;
  entry->value = (char *) value;
  g_ptr_array_add (props, entry);
}

/* The last test accuracy the history measured, or NaN. */
static double
last_test_accuracy (const BpModelInfo *info,
                    unsigned          *epoch)
{
  if (info == NULL)
    return NAN;
  for (size_t i = info->n_history; i-- > 0;)
    if (isfinite (info->history[i].test_accuracy))
      {
        *epoch = info->history[i].epoch;
        return info->history[i].test_accuracy;
      }
  return NAN;
}

uint8_t *
bp_onnx_pack (const BpNetwork   *net,
              const BpModelInfo *info,
              const char        *name,
              size_t            *len,
              BpError           *error)
{
  g_autoptr(GPtrArray) owned = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) nodes = g_ptr_array_new ();
  g_autoptr(GPtrArray) initializers = g_ptr_array_new ();
  g_autoptr(GPtrArray) props = g_ptr_array_new ();
  Graph g = { name, owned, nodes, initializers };
  Onnx__ModelProto model = ONNX__MODEL_PROTO__INIT;
  Onnx__GraphProto graph = ONNX__GRAPH_PROTO__INIT;
  Onnx__OperatorSetIdProto opset = ONNX__OPERATOR_SET_ID_PROTO__INIT;
  Onnx__OperatorSetIdProto *opsets[] = { &opset };
  Onnx__ValueInfoProto *input, *output;
  char layers[BP_MAX_LAYERS * 8];
  const char *output_doc;
  size_t n_out, side;
  unsigned epoch = 0;
  double accuracy;
  uint8_t *bytes;

  g_return_val_if_fail (net != NULL, NULL);
  g_return_val_if_fail (net->arch.n_layers >= 1 && net->arch.n_layers < BP_MAX_LAYERS, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (len != NULL, NULL);

  *len = 0;
  n_out = net->n_outputs;
  bp_arch_format_sizes (&net->arch, '-', layers, sizeof layers);

  /* Our networks read pictures: the input is the picture's square, one grey channel (a conv
   * network's input shape is its own). */
  side = (size_t) sqrt ((double) net->n_inputs);
  while (side * side > net->n_inputs)
    side--;
  while ((side + 1) * (side + 1) <= net->n_inputs)
    side++;
  if (side * side != net->n_inputs && !bp_arch_has_maps (&net->arch))
    {
      bp_error_set (error, BP_ERROR_INVALID,
                    "%s: not saved: the input layer has %zu units, not a square picture's "
                    "pixels (the ONNX input is [N, 1, H, W] with H = W)", name, net->n_inputs);
      return NULL;
    }
  if (net->n_params > MAX_MODEL_BYTES / sizeof (float))
    {
      bp_error_set (error, BP_ERROR_INVALID,
                    "%s: not saved: the network's %zu parameters take more than the 2 GiB one "
                    "ONNX file holds", name, net->n_params);
      return NULL;
    }

  if (!add_layers (&g, net, error))
    return NULL;

  input = value_info (&g, BP_ONNX_INPUT_NAME,
                      "Grey pictures, pixels in [0, 1]: light ink (1) on a dark ground (0), as "
                      "MNIST's bytes divided by 255",
                      4, bp_arch_has_maps (&net->arch)
                           ? (const int64_t[]) { 0, (int64_t) net->arch.in_channels,
                                                 (int64_t) net->arch.in_height,
                                                 (int64_t) net->arch.in_width }
                           : (const int64_t[]) { 0, 1, (int64_t) side, (int64_t) side });
  output_doc = net->arch.output == BP_OUTPUT_SOFTMAX
                 ? "The probability of each class (softmax)"
                 : "The activation of each output neuron (sigmoid); the largest is the guess";
  output = value_info (&g, BP_ONNX_OUTPUT_NAME, output_doc, 2,
                       (const int64_t[]) { 0, (int64_t) n_out });

  graph.name = (char *) "backprop";
  graph.n_node = nodes->len;
  graph.node = (Onnx__NodeProto **) nodes->pdata;
  graph.n_initializer = initializers->len;
  graph.initializer = (Onnx__TensorProto **) initializers->pdata;
  graph.n_input = 1;
  graph.input = &input;
  graph.n_output = 1;
  graph.output = &output;

  add_property (&g, props, "layers", layers);
  if (!bp_arch_is_plain (&net->arch))
    {
      char text[512];

      bp_arch_format (&net->arch, text, sizeof text);
      add_property (&g, props, "net", keep (&g, g_strdup (text)));
    }
  if (net->arch.n_layers > 1)
    add_property (&g, props, "activation",
                  bp_activation_to_string (bp_arch_get_activation (&net->arch)));
  add_property (&g, props, "output", bp_output_to_string (net->arch.output));
  add_property (&g, props, "cost", bp_cost_to_string (net->arch.cost));
  accuracy = last_test_accuracy (info, &epoch);
  if (isfinite (accuracy))
    {
      char text[G_ASCII_DTOSTR_BUF_SIZE];

      add_property (&g, props, "test_accuracy",
                    keep (&g, g_strdup (g_ascii_formatd (text, sizeof text, "%.4f", accuracy))));
      add_property (&g, props, "test_accuracy_epoch", keep_printf (&g, "%u", epoch));
    }

  opset.domain = (char *) "";
  opset.has_version = TRUE;
  opset.version = BP_ONNX_OPSET;
  model.has_ir_version = TRUE;
  model.ir_version = BP_ONNX_IR_VERSION;
  model.n_opset_import = G_N_ELEMENTS (opsets);
  model.opset_import = opsets;
  model.producer_name = (char *) "Backprop";
  model.producer_version = (char *) PACKAGE_VERSION;
  if (bp_arch_has_maps (&net->arch))
    model.doc_string = keep_printf (&g, "A %s convolutional network (%s hidden layers, %s "
                                    "output), exported by Backprop", layers,
                                    activation_display (bp_arch_get_activation (&net->arch)),
                                    bp_output_to_string (net->arch.output));
  else if (net->arch.n_layers > 1)
    model.doc_string = keep_printf (&g, "A %s fully connected network (%s hidden layers, %s "
                                    "output), exported by Backprop", layers,
                                    activation_display (bp_arch_get_activation (&net->arch)),
                                    bp_output_to_string (net->arch.output));
  else
    model.doc_string = keep_printf (&g, "A %s fully connected network (%s output), exported "
                                    "by Backprop", layers, bp_output_to_string (net->arch.output));
  model.graph = &graph;
  model.n_metadata_props = props->len;
  model.metadata_props = (Onnx__StringStringEntryProto **) props->pdata;

  *len = onnx__model_proto__get_packed_size (&model);
  if (*len > MAX_MODEL_BYTES)
    {
      bp_error_set (error, BP_ERROR_INVALID,
                    "%s: not saved: the model takes %zu bytes, more than the 2 GiB one ONNX file "
                    "holds", name, *len);
      *len = 0;
      return NULL;
    }
  bytes = g_try_malloc (MAX (*len, 1));
  if (bytes == NULL)
    {
      bp_error_set (error, BP_ERROR_NOMEM, "%s: not saved: out of memory for %zu bytes", name,
                    *len);
      *len = 0;
      return NULL;
    }
  onnx__model_proto__pack (&model, bytes);
  return bytes;
}

bool
bp_onnx_save (const BpNetwork   *net,
              const BpModelInfo *info,
              const char        *path,
              BpError           *error)
{
  g_autofree uint8_t *bytes = NULL;
  size_t len = 0;

  g_return_val_if_fail (net != NULL, false);
  g_return_val_if_fail (path != NULL, false);

  bytes = bp_onnx_pack (net, info, path, &len, error);
  if (bytes == NULL)
    return false;
  return bp_save_file (path, bytes, len, error);
}
