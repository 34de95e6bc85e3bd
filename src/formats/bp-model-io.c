/* bp-model-io.c — models as JSON files that network2.py reads and writes: reading
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The text goes through bp-model-text.c first, which checks it, takes the rows of numbers out
 * of it and has json-glib parse the rest; the readers here then check every member and take the
 * rows from the packed array. Everything is checked before the network is allocated. The run's
 * settings are read from the table of bp-run.h. Writing is in bp-model-write.c.
 */
#include "config.h"

#include "bp-model-io.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "bp-file.h"
#include "bp-json.h"
#include "bp-model-private.h"

#define NETWORK2_QUADRATIC     "QuadraticCost"
#define NETWORK2_CROSS_ENTROPY "CrossEntropyCost"

static bool
fail (Reader     *rd,
      const char *format,
      ...) G_GNUC_PRINTF (2, 3);

static bool
fail (Reader     *rd,
      const char *format,
      ...)
{
  va_list args;
  bool result;

  va_start (args, format);
  result = bp_model_failv (rd, format, args);
  va_end (args);
  return result;
}

/* A string from the file, quoted and escaped for a message, and cut short if long: names in
 * messages must not carry control characters or megabytes of text to the terminal. g_strescape
 * turns every byte outside printable ASCII into an escape, so the cut cannot split a character
 * (at worst an escape, which is still plain ASCII). */
static char *
quote_for_message (const char *s)
{
  g_autofree char *escaped = g_strescape (s, NULL);

  if (strlen (escaped) > 40)
    return g_strdup_printf ("\"%.40s…\"", escaped);
  return g_strdup_printf ("\"%s\"", escaped);
}

/* A finite number that fits in a float. @what names it in messages. */
static bool
read_float (Reader     *rd,
            JsonNode   *node,
            const char *what,
            float      *out)
{
  double value;

  if (!bp_json_is_number (node))
    return fail (rd, "%s is %s, expected a number", what, bp_json_describe (node));

  value = json_node_get_double (node);
  if (!bp_model_to_float (value, out))
    return fail (rd, "%s is %g, which is not a finite float", what, value);

  return true;
}

/* A finite double, or null (NaN), for the history's metrics. */
static bool
read_double_or_null (Reader     *rd,
                     JsonNode   *node,
                     const char *what,
                     double     *out)
{
  double value;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      *out = NAN;
      return true;
    }
  if (!bp_json_is_number (node))
    return fail (rd, "%s is %s, expected a number or null", what, bp_json_describe (node));

  value = json_node_get_double (node);
  if (!isfinite (value))
    return fail (rd, "%s is %g, expected a finite number", what, value);

  *out = value;
  return true;
}

/* An integer from @min (≥ 0) to @max. */
static bool
read_uint (Reader     *rd,
           JsonNode   *node,
           const char *what,
           gint64      min,
           uint64_t    max,
           uint64_t   *out)
{
  gint64 value;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return fail (rd, "%s is %s, expected an integer", what, bp_json_describe (node));

  /* json-glib saturates integers beyond 2^64 and wraps those above 2^63 to negative values,
   * so a huge number always shows up here as negative (not worth echoing) or above @max. */
  value = json_node_get_int (node);
  if (value < min || (uint64_t) value > max)
    {
      if (value < 0)
        return fail (rd, "%s is out of range, expected %" G_GINT64_FORMAT " to %" G_GUINT64_FORMAT,
                     what, min, max);
      return fail (rd, "%s is %" G_GINT64_FORMAT ", expected %" G_GINT64_FORMAT " to %"
                   G_GUINT64_FORMAT, what, value, min, max);
    }

  *out = (uint64_t) value;
  return true;
}

/* @member of @object as a string, or NULL in *@out when it is absent. */
static bool
read_string_member (Reader      *rd,
                    JsonObject  *object,
                    const char  *member,
                    const char **out)
{
  JsonNode *node = json_object_get_member (object, member);

  *out = NULL;
  if (node == NULL)
    return true;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return fail (rd, "\"%s\" is %s, expected a string", member, bp_json_describe (node));

  *out = json_node_get_string (node);
  return true;
}

static bool
read_sizes (Reader     *rd,
            JsonObject *root,
            size_t     *sizes,
            size_t     *n_layers)
{
  JsonNode *node = json_object_get_member (root, "sizes");
  JsonArray *array;
  guint n;

  if (node == NULL)
    return fail (rd, "missing \"sizes\"");
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return fail (rd, "\"sizes\" is %s, expected a list of layer sizes", bp_json_describe (node));

  array = json_node_get_array (node);
  n = json_array_get_length (array);
  if (n < 2 || n > BP_MAX_LAYERS)
    return fail (rd, "\"sizes\" has %u entr%s, expected 2 to %d layers",
                 n, n == 1 ? "y" : "ies", BP_MAX_LAYERS);

  for (guint l = 0; l < n; l++)
    {
      JsonNode *element = json_array_get_element (array, l);
      char what[32];
      uint64_t size;

      g_snprintf (what, sizeof what, "sizes[%u]", l);
      if (!read_uint (rd, element, what, 1, BP_MAX_LAYER_SIZE, &size))
        return false;
      sizes[l] = (size_t) size;
    }

  *n_layers = n;
  return true;
}

/* Cost, activation and output. "backprop_cost" wins over network2.py's "cost"; a file without
 * "activation" or "output" is a sigmoid network, as every network2.py file is. */
static bool
read_kind (Reader       *rd,
           JsonObject   *root,
           BpActivation *activation,
           BpOutput     *output,
           BpCost       *cost)
{
  const char *network2_cost, *our_cost, *activation_name, *output_name;
  BpError check;

  if (!read_string_member (rd, root, "cost", &network2_cost) ||
      !read_string_member (rd, root, "backprop_cost", &our_cost) ||
      !read_string_member (rd, root, "activation", &activation_name) ||
      !read_string_member (rd, root, "output", &output_name))
    return false;

  if (network2_cost == NULL && our_cost == NULL)
    return fail (rd, "missing \"cost\"");
  if (network2_cost != NULL)
    {
      if (strcmp (network2_cost, NETWORK2_QUADRATIC) == 0)
        *cost = BP_COST_QUADRATIC;
      else if (strcmp (network2_cost, NETWORK2_CROSS_ENTROPY) == 0)
        *cost = BP_COST_CROSS_ENTROPY;
      else
        {
          g_autofree char *quoted = quote_for_message (network2_cost);

          return fail (rd, "unknown cost %s, expected \"%s\" or \"%s\"",
                       quoted, NETWORK2_QUADRATIC, NETWORK2_CROSS_ENTROPY);
        }
    }
  if (our_cost != NULL && !bp_cost_from_string (our_cost, cost))
    {
      g_autofree char *quoted = quote_for_message (our_cost);

      return fail (rd, "unknown backprop_cost %s, expected \"%s\", \"%s\" or \"%s\"", quoted,
                   bp_cost_to_string (BP_COST_QUADRATIC),
                   bp_cost_to_string (BP_COST_CROSS_ENTROPY),
                   bp_cost_to_string (BP_COST_LOG_LIKELIHOOD));
    }

  *activation = BP_ACTIVATION_SIGMOID;
  if (activation_name != NULL && !bp_activation_from_string (activation_name, activation))
    {
      g_autofree char *quoted = quote_for_message (activation_name);

      return fail (rd, "unknown activation %s, expected \"%s\", \"%s\" or \"%s\"", quoted,
                   bp_activation_to_string (BP_ACTIVATION_SIGMOID),
                   bp_activation_to_string (BP_ACTIVATION_TANH),
                   bp_activation_to_string (BP_ACTIVATION_RELU));
    }

  *output = BP_OUTPUT_SIGMOID;
  if (output_name != NULL && !bp_output_from_string (output_name, output))
    {
      g_autofree char *quoted = quote_for_message (output_name);

      return fail (rd, "unknown output %s, expected \"%s\" or \"%s\"", quoted,
                   bp_output_to_string (BP_OUTPUT_SIGMOID),
                   bp_output_to_string (BP_OUTPUT_SOFTMAX));
    }

  bp_error_clear (&check);
  if (!bp_cost_check_output (*cost, *output, &check))
    return fail (rd, "%s", check.message);

  return true;
}

/* The rows and columns of each layer's weights as files hold them, from the arch (checked):
 * a dense layer's W (n_out, n_in) as network2.py has it, a conv layer's filters as C_out rows
 * of C_in·k² numbers (channel, then filter row, then column), a pool layer's as no rows. Biases
 * are n_biases rows of one number. */
typedef struct
{
  size_t w_rows, w_cols, b_rows;
} LayerMatrix;

static void
layer_matrices (const BpArch *arch,
                LayerMatrix  *out)
{
  size_t shapes[BP_MAX_LAYERS][3];
  size_t c = arch->in_channels, values = arch->in_channels * arch->in_height * arch->in_width;

  if (!bp_arch_shapes (arch, shapes, NULL))
    g_assert_not_reached ();
  for (size_t i = 0; i < arch->n_layers; i++)
    {
      const BpLayerSpec *spec = &arch->layers[i];

      switch (spec->kind)
        {
        case BP_LAYER_CONV:
          out[i] = (LayerMatrix) { spec->size, c * spec->kernel * spec->kernel, spec->size };
          break;
        case BP_LAYER_POOL:
          out[i] = (LayerMatrix) { 0, 0, 0 };
          break;
        case BP_LAYER_DENSE:
        default:
          out[i] = (LayerMatrix) { spec->size, values, spec->size };
          break;
        }
      c = shapes[i][0];
      values = shapes[i][0] * shapes[i][1] * shapes[i][2];
    }
}

/* One set of per-layer matrices @field, shaped as layer_matrices() says (network2.py's shapes
 * for a dense network). With @dest NULL only checks; otherwise copies into @dest at the
 * network's offsets (after a check, so it cannot fail). */
static bool
read_layers (Reader          *rd,
             JsonNode        *node,
             const char      *field,
             Field            packed_field,
             bool             biases,
             const BpArch    *arch,
             const BpNetwork *net,
             float           *dest)
{
  LayerMatrix shapes[BP_MAX_LAYERS];
  size_t n_layers = arch->n_layers + 1;
  JsonArray *layers;
  guint n;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return fail (rd, "%s is %s, expected a list of layers", field, bp_json_describe (node));

  layers = json_node_get_array (node);
  n = json_array_get_length (layers);
  if (n != n_layers - 1)
    return fail (rd, "%s has %u layers, expected %zu (one per layer after the input)",
                 field, n, n_layers - 1);
  bp_model_packed_rewind (rd->packed, packed_field);
  layer_matrices (arch, shapes);

  for (size_t l = 1; l < n_layers; l++)
    {
      JsonNode *layer_node = json_array_get_element (layers, (guint) (l - 1));
      size_t rows = biases ? shapes[l - 1].b_rows : shapes[l - 1].w_rows;
      size_t cols = biases ? 1 : shapes[l - 1].w_cols;
      float *m = NULL;
      JsonArray *layer;

      if (dest != NULL)
        m = dest + (biases ? net->layers[l - 1].b_offset : net->layers[l - 1].w_offset);

      if (!JSON_NODE_HOLDS_ARRAY (layer_node))
        return fail (rd, "%s[%zu] is %s, expected a list of rows",
                     field, l - 1, bp_json_describe (layer_node));
      layer = json_node_get_array (layer_node);
      if (json_array_get_length (layer) != rows)
        return fail (rd, "%s[%zu] has %u rows, expected %zu",
                     field, l - 1, json_array_get_length (layer), rows);

      for (size_t r = 0; r < rows; r++)
        {
          JsonNode *row_node = json_array_get_element (layer, (guint) r);
          const Row *packed;
          JsonArray *row;
          guint length;

          if (!JSON_NODE_HOLDS_ARRAY (row_node))
            return fail (rd, "%s[%zu][%zu] is %s, expected a list of %zu number%s",
                         field, l - 1, r, bp_json_describe (row_node), cols, cols == 1 ? "" : "s");
          row = json_node_get_array (row_node);
          length = json_array_get_length (row);
          /* An empty array in the tree may be a row scan() took the numbers of. */
          packed = length == 0 ? bp_model_packed_row (rd->packed, packed_field, (guint) (l - 1),
                                                      (guint) r)
                               : NULL;
          if (packed != NULL)
            length = packed->count;
          if (length != cols)
            return fail (rd, "%s[%zu][%zu] has %u columns, expected %zu",
                         field, l - 1, r, length, cols);
          if (packed != NULL)
            {
              if (packed->bad_column != G_MAXUINT)
                return fail (rd, "%s[%zu][%zu][%u] is %g, which is not a finite float",
                             field, l - 1, r, packed->bad_column, packed->bad_value);
              if (m != NULL)
                memcpy (m + r * cols, &g_array_index (rd->packed->values, float, packed->first),
                        cols * sizeof (float));
              continue;
            }

          for (size_t c = 0; c < cols; c++)
            {
              JsonNode *value = json_array_get_element (row, (guint) c);
              char what[96];
              float v;

              /* The common case stays free of formatting: the name is built only on error. */
              if (bp_json_is_number (value) && bp_model_to_float (json_node_get_double (value), &v))
                {
                  if (m != NULL)
                    m[r * cols + c] = v;
                  continue;
                }
              g_snprintf (what, sizeof what, "%s[%zu][%zu][%zu]", field, l - 1, r, c);
              if (!read_float (rd, value, what, &v))
                return false;
            }
        }
    }

  return true;
}

/* "weights" and "biases" of @object, both required. @prefix is "" or "velocity.". */
static bool
read_parameters (Reader          *rd,
                 JsonObject      *object,
                 const char      *prefix,
                 const BpArch    *arch,
                 const BpNetwork *net,
                 float           *dest)
{
  static const char *const fields[] = { "weights", "biases" };

  for (size_t i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      JsonNode *node = json_object_get_member (object, fields[i]);
      char field[32];

      g_snprintf (field, sizeof field, "%s%s", prefix, fields[i]);
      if (node == NULL)
        return fail (rd, "missing \"%s\"", field);
      if (!read_layers (rd, node, field,
                        (Field) ((strcmp (prefix, "") == 0 ? FIELD_WEIGHTS : FIELD_VELOCITY_WEIGHTS) + i),
                        i == 1, arch, net, dest))
        return false;
    }

  return true;
}

/* One setting of the table from @node (present), as @what in messages. */
static bool
read_field (Reader           *rd,
            JsonNode         *node,
            const char       *what,
            const BpRunField *field,
            BpRun            *run)
{
  switch (field->type)
    {
    case BP_RUN_FLOAT:
      {
        float value;

        if (!read_float (rd, node, what, &value))
          return false;
        bp_run_field_set_number (run, field, value);
        return true;
      }

    case BP_RUN_ENUM:
      {
        g_autofree char *quoted = NULL;
        char choices[256];

        if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
          return fail (rd, "\"%s\" is %s, expected a string", field->name,
                       bp_json_describe (node));
        if (bp_run_field_parse (run, field, json_node_get_string (node), NULL))
          return true;
        quoted = quote_for_message (json_node_get_string (node));
        bp_run_field_list_choices (field, true, choices, sizeof choices);
        return fail (rd, "unknown %s %s, expected %s", what, quoted, choices);
      }

    case BP_RUN_UINT64:
      /* Seeds of 2^63 and above were written as unsigned numbers, which json-glib hands back
       * wrapped to negative int64: take the bits as they are. */
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
        return fail (rd, "%s is %s, expected an integer", what, bp_json_describe (node));
      bp_run_field_set_uint (run, field, (uint64_t) json_node_get_int (node));
      return true;

    case BP_RUN_SIZE:
    case BP_RUN_UINT:
    default:
      {
        uint64_t value;

        if (!read_uint (rd, node, what, 0, bp_run_field_type_max (field), &value))
          return false;
        bp_run_field_set_uint (run, field, value);
        return true;
      }
    }
}

/* The members of @object that are settings at @place, in the order files were always read:
 * the numbers, then the whole numbers, then the names, each in file order. */
static bool
read_fields (Reader          *rd,
             JsonObject      *object,
             BpRunModelPlace  place,
             BpRun           *run)
{
  static const BpRunType groups[][3] = {
    { BP_RUN_FLOAT, BP_RUN_FLOAT, BP_RUN_FLOAT },
    { BP_RUN_SIZE, BP_RUN_UINT, BP_RUN_UINT64 },
    { BP_RUN_ENUM, BP_RUN_ENUM, BP_RUN_ENUM },
  };
  size_t n_fields;
  const BpRunField *fields = bp_run_fields (&n_fields);

  for (size_t g = 0; g < G_N_ELEMENTS (groups); g++)
    for (unsigned order = 0; order < n_fields; order++)
      for (size_t i = 0; i < n_fields; i++)
        {
          const BpRunField *field = &fields[i];
          char what[64];
          JsonNode *member;

          if (field->model_place != place || field->model_order != order
              || (field->type != groups[g][0] && field->type != groups[g][1]
                  && field->type != groups[g][2]))
            continue;
          member = json_object_get_member (object, field->name);
          if (member == NULL)
            continue;
          if (place == BP_RUN_MODEL_HYPER)
            g_snprintf (what, sizeof what, "hyperparameters.%s", field->name);
          else
            g_snprintf (what, sizeof what, "\"%s\"", field->name);
          if (!read_field (rd, member, what, field, run))
            return false;
        }
  return true;
}

/* The run's settings: "seed", the members of "hyperparameters", "train_size". Settings a file
 * leaves out keep bp_run_init()'s values; the monitors and the kernel are choices of the
 * trainer, not of the model, and are never stored. *@has_run says whether the file has
 * "hyperparameters". */
static bool
read_run (Reader     *rd,
          JsonObject *root,
          BpRun      *run,
          bool       *has_run)
{
  JsonNode *node = json_object_get_member (root, "hyperparameters");

  bp_run_init (run);
  *has_run = false;

  if (!read_fields (rd, root, BP_RUN_MODEL_TOP, run))
    return false;

  if (node != NULL)
    {
      BpError check;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return fail (rd, "\"hyperparameters\" is %s, expected an object", bp_json_describe (node));
      if (!read_fields (rd, json_node_get_object (node), BP_RUN_MODEL_HYPER, run))
        return false;
      bp_error_clear (&check);
      if (!bp_run_check_fields (run, &check))
        return fail (rd, "hyperparameters: %s", check.message);
      *has_run = true;
    }

  return read_fields (rd, root, BP_RUN_MODEL_TOP_NONZERO, run);
}

/* Chapter 5's speeds of learning: a list of 1 … BP_MAX_LAYERS finite numbers ≥ 0, or absent
 * (*@n_speeds 0). @what names it in messages. */
static bool
read_speeds (Reader     *rd,
             JsonNode   *node,
             const char *what,
             double     *speed,
             size_t     *n_speeds)
{
  JsonArray *array;
  guint n;

  *n_speeds = 0;
  memset (speed, 0, BP_MAX_LAYERS * sizeof *speed);
  if (node == NULL)
    return true;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return fail (rd, "%s is %s, expected a list of numbers", what, bp_json_describe (node));
  array = json_node_get_array (node);
  n = json_array_get_length (array);
  if (n == 0 || n > BP_MAX_LAYERS)
    return fail (rd, "%s has %u numbers, expected 1 to %d", what, n, BP_MAX_LAYERS);
  for (guint k = 0; k < n; k++)
    {
      JsonNode *element = json_array_get_element (array, k);
      double value;

      if (!bp_json_is_number (element))
        return fail (rd, "%s[%u] is %s, expected a number", what, k, bp_json_describe (element));
      value = json_node_get_double (element);
      if (!isfinite (value) || value < 0.0)
        return fail (rd, "%s[%u] is %g, expected a finite number ≥ 0", what, k, value);
      speed[k] = value;
    }
  *n_speeds = n;
  return true;
}

/* "history": a list of per-epoch objects. With @dest NULL only checks and counts. */
static bool
read_history (Reader         *rd,
              JsonNode       *node,
              BpEpochMetrics *dest,
              size_t         *n_history)
{
  static const struct
  {
    const char *name;
    size_t      offset;
  } metrics[] = {
    { "train_cost", G_STRUCT_OFFSET (BpEpochMetrics, train_cost) },
    { "train_accuracy", G_STRUCT_OFFSET (BpEpochMetrics, train_accuracy) },
    { "validation_cost", G_STRUCT_OFFSET (BpEpochMetrics, validation_cost) },
    { "validation_accuracy", G_STRUCT_OFFSET (BpEpochMetrics, validation_accuracy) },
    { "test_cost", G_STRUCT_OFFSET (BpEpochMetrics, test_cost) },
    { "test_accuracy", G_STRUCT_OFFSET (BpEpochMetrics, test_accuracy) },
    { "seconds", G_STRUCT_OFFSET (BpEpochMetrics, seconds) },
  };
  JsonArray *array;
  guint n;

  *n_history = 0;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return true;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return fail (rd, "\"history\" is %s, expected a list of epochs", bp_json_describe (node));

  array = json_node_get_array (node);
  n = json_array_get_length (array);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      BpEpochMetrics m;
      JsonObject *object;
      JsonNode *member;
      char what[64];
      uint64_t epoch;
      double eta;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return fail (rd, "history[%u] is %s, expected an object", i, bp_json_describe (element));
      object = json_node_get_object (element);

      member = json_object_get_member (object, "epoch");
      if (member == NULL)
        return fail (rd, "history[%u] has no \"epoch\"", i);
      g_snprintf (what, sizeof what, "history[%u].epoch", i);
      if (!read_uint (rd, member, what, 0, UINT_MAX, &epoch))
        return false;
      m.epoch = (unsigned) epoch;

      for (size_t k = 0; k < G_N_ELEMENTS (metrics); k++)
        {
          g_snprintf (what, sizeof what, "history[%u].%s", i, metrics[k].name);
          if (!read_double_or_null (rd, json_object_get_member (object, metrics[k].name), what,
                                    G_STRUCT_MEMBER_P (&m, metrics[k].offset)))
            return false;
        }

      g_snprintf (what, sizeof what, "history[%u].eta", i);
      if (!read_double_or_null (rd, json_object_get_member (object, "eta"), what, &eta))
        return false;
      if (isnan (eta))
        m.eta = NAN;
      else if (!bp_model_to_float (eta, &m.eta))
        return fail (rd, "%s is %g, which is not a finite float", what, eta);

      g_snprintf (what, sizeof what, "history[%u].speed", i);
      if (!read_speeds (rd, json_object_get_member (object, "speed"), what, m.speed,
                        &m.n_speeds))
        return false;

      if (dest != NULL)
        dest[i] = m;
    }

  *n_history = n;
  return true;
}

/* The layer list: "net" when the file has one (the layers that "sizes" and one "activation"
 * cannot describe), which must agree with "sizes" and "output"; otherwise what those say. */
static bool
read_arch (Reader       *rd,
           JsonObject   *root,
           const size_t *sizes,
           size_t        n_sizes,
           BpActivation  activation,
           BpOutput      output,
           BpCost        cost,
           uint64_t      version,
           BpArch       *arch)
{
  JsonNode *node = json_object_get_member (root, "net");
  size_t net_sizes[BP_MAX_LAYERS], n_net_sizes;
  BpError error;

  bp_error_clear (&error);
  if (node == NULL)
    {
      if (!bp_arch_from_sizes (arch, sizes, n_sizes, activation, output, cost, &error)
          || !bp_arch_check (arch, &error))
        return fail (rd, "%s", error.message);
      return true;
    }

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return fail (rd, "\"net\" is %s, expected a string", bp_json_describe (node));
  arch->cost = cost;
  if (!bp_arch_parse (json_node_get_string (node), activation, arch, &error))
    return fail (rd, "\"net\": %s", error.message);
  if (arch->output != output)
    return fail (rd, "\"net\" ends in a %s output layer but \"output\" is \"%s\"",
                 bp_output_to_string (arch->output), bp_output_to_string (output));
  /* Every shape is checked before a weight is read: a 5×5 filter on a 3×3 map, a pool that does
   * not divide its map, are refused with the layer named. */
  if (!bp_arch_check (arch, &error))
    return fail (rd, "\"net\": %s", error.message);
  if (bp_arch_has_maps (arch) && version < BP_MODEL_FORMAT_MAPS)
    return fail (rd, "\"net\" has conv or pool layers, which need format_version %d or later",
                 BP_MODEL_FORMAT_MAPS);
  n_net_sizes = bp_arch_get_sizes (arch, net_sizes);
  if (n_net_sizes != n_sizes || memcmp (net_sizes, sizes, n_sizes * sizeof sizes[0]) != 0)
    {
      char said[256], listed[256];

      bp_arch_format_sizes (arch, ',', said, sizeof said);
      bp_format_layers (sizes, n_sizes, ',', listed, sizeof listed);
      return fail (rd, "\"net\" has the sizes %s but \"sizes\" is [%s]", said, listed);
    }
  return true;
}

/* The document is parsed and @root is its top-level object: check everything, and only then
 * allocate, so a file whose "sizes" promise gigabytes is refused on the shape of its arrays
 * (which are only as large as the file) before anything of that size is allocated. */
static BpNetwork *
read_model (Reader      *rd,
            JsonObject  *root,
            BpModelInfo *info)
{
  size_t sizes[BP_MAX_LAYERS];
  size_t n_layers = 0;
  BpActivation activation;
  BpOutput output;
  BpCost cost;
  JsonNode *node, *velocity_node, *history_node;
  JsonObject *velocity_object = NULL;
  BpArch arch;
  BpRun run;
  bool has_run;
  size_t n_history, n_initial_speeds;
  double initial_speed[BP_MAX_LAYERS];
  BpEpochMetrics *history = NULL;
  float *velocity = NULL;
  BpNetwork *net;
  const char *format;
  uint64_t version = 1;

  if (!read_string_member (rd, root, "format", &format))
    return NULL;
  if (format != NULL && strcmp (format, "backprop-model") != 0)
    {
      g_autofree char *quoted = quote_for_message (format);

      fail (rd, "\"format\" is %s, expected \"backprop-model\"", quoted);
      return NULL;
    }
  node = json_object_get_member (root, "format_version");
  if (node != NULL)
    {
      if (!read_uint (rd, node, "\"format_version\"", 0, UINT64_MAX, &version))
        return NULL;
      if (version > BP_MODEL_FORMAT_VERSION)
        {
          fail (rd, "format version %" G_GUINT64_FORMAT " is newer than this program reads (%d)",
                version, BP_MODEL_FORMAT_VERSION);
          return NULL;
        }
    }

  if (!read_sizes (rd, root, sizes, &n_layers) ||
      !read_kind (rd, root, &activation, &output, &cost) ||
      !read_arch (rd, root, sizes, n_layers, activation, output, cost, version, &arch) ||
      !read_parameters (rd, root, "", &arch, NULL, NULL))
    return NULL;

  velocity_node = json_object_get_member (root, "velocity");
  if (velocity_node != NULL && !JSON_NODE_HOLDS_NULL (velocity_node))
    {
      if (!JSON_NODE_HOLDS_OBJECT (velocity_node))
        {
          fail (rd, "\"velocity\" is %s, expected an object with \"weights\" and \"biases\"",
                bp_json_describe (velocity_node));
          return NULL;
        }
      velocity_object = json_node_get_object (velocity_node);
      if (!read_parameters (rd, velocity_object, "velocity.", &arch, NULL, NULL))
        return NULL;
    }

  if (!read_run (rd, root, &run, &has_run))
    return NULL;
  history_node = json_object_get_member (root, "history");
  if (!read_history (rd, history_node, NULL, &n_history))
    return NULL;
  if (!read_speeds (rd, json_object_get_member (root, "initial_speed"), "\"initial_speed\"",
                    initial_speed, &n_initial_speeds))
    return NULL;

  /* Everything is checked: allocate, then copy (which cannot fail). */
  {
    BpError new_error;

    bp_error_clear (&new_error);
    net = bp_network_new (&arch, &new_error);
    if (net == NULL)
      {
        bp_error_set (rd->error, new_error.code, "%s: %s", rd->name, new_error.message);
        return NULL;
      }
  }
  if (info != NULL && velocity_object != NULL)
    velocity = calloc (net->n_params, sizeof *velocity);
  if (info != NULL && n_history > 0)
    history = calloc (n_history, sizeof *history);
  if ((info != NULL && velocity_object != NULL && velocity == NULL) ||
      (info != NULL && n_history > 0 && history == NULL))
    {
      free (velocity);
      free (history);
      bp_network_free (net);
      bp_error_set (rd->error, BP_ERROR_NOMEM, "%s: out of memory", rd->name);
      return NULL;
    }

  read_parameters (rd, root, "", &arch, net, net->params);
  if (info == NULL)
    return net;

  if (velocity != NULL)
    read_parameters (rd, velocity_object, "velocity.", &arch, net, velocity);
  if (history != NULL)
    read_history (rd, history_node, history, &n_history);

  info->has_run = has_run;
  info->run = run;
  info->run.arch = net->arch;
  info->history = history;
  info->n_history = history != NULL ? n_history : 0;
  info->velocity = velocity;
  info->n_initial_speeds = n_initial_speeds;
  memcpy (info->initial_speed, initial_speed, sizeof initial_speed);
  return net;
}

/* The top-level object of the model in @text (modified), whose bytes the caller has checked
 * against the limits: checked, its rows of numbers in @packed, the rest parsed by @parser. */
static JsonObject *
parse_root (Reader     *rd,
            char       *text,
            size_t      len,
            JsonParser *parser,
            Packed     *packed)
{
  JsonNode *root;

  if (!bp_model_parse_text (rd, text, len, parser, packed))
    return NULL;

  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      fail (rd, "the file is empty, expected a JSON object");
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      fail (rd, "the top level is %s, expected an object", bp_json_describe (root));
      return NULL;
    }
  return json_node_get_object (root);
}

/* The model in @text (modified), whose bytes the caller has checked against the limits. */
static BpNetwork *
load_text (Reader      *rd,
           char        *text,
           size_t       len,
           BpModelInfo *info)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  Packed packed = { 0 };
  BpNetwork *net = NULL;
  JsonObject *root;

  root = parse_root (rd, text, len, parser, &packed);
  if (root != NULL)
    net = read_model (rd, root, info);
  bp_model_packed_clear (&packed);
  return net;
}

BpNetwork *
bp_model_load_from_data (const char  *data,
                         size_t       len,
                         const char  *name,
                         BpModelInfo *info,
                         BpError     *error)
{
  Reader rd = { name != NULL ? name : "model", error, NULL };
  g_autofree char *text = NULL;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (info != NULL)
    memset (info, 0, sizeof *info);

  text = bp_model_copy_text (&rd, data, len);
  if (text == NULL)
    return NULL;
  return load_text (&rd, text, len, info);
}

BpNetwork *
bp_model_load (const char  *path,
               BpModelInfo *info,
               BpError     *error)
{
  Reader rd = { path, error, NULL };
  g_autofree char *text = NULL;
  size_t len = 0;

  g_return_val_if_fail (path != NULL, NULL);

  if (info != NULL)
    memset (info, 0, sizeof *info);

  /* A regular file only (a FIFO would block the read for ever, /dev/zero fill the memory), of
   * at most MAX_FILE_BYTES; the buffer is ours, so the rows are blanked in place. */
  if (!bp_file_read_all (path, MAX_FILE_BYTES, "a model file", &text, &len, error))
    return NULL;
  return load_text (&rd, text, len, info);
}

/* ── A document read once for the model and for other members ───────────────────────────── */

struct _BpModelDocument
{
  char       *name;
  char       *text;   /* the file's bytes, its rows of numbers blanked */
  JsonParser *parser;
  Packed      packed; /* the rows of numbers */
  JsonObject *root;   /* the parser's */
};

BpModelDocument *
bp_model_document_new (const char *data,
                       size_t      len,
                       const char *name,
                       BpError    *error)
{
  g_autoptr(BpModelDocument) doc = NULL;
  Reader rd = { name != NULL ? name : "model", error, NULL };

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  doc = g_new0 (BpModelDocument, 1);
  doc->name = g_strdup (rd.name);
  doc->text = bp_model_copy_text (&rd, data, len);
  if (doc->text == NULL)
    return NULL;
  doc->parser = json_parser_new_immutable ();
  doc->root = parse_root (&rd, doc->text, len, doc->parser, &doc->packed);
  if (doc->root == NULL)
    return NULL;
  return g_steal_pointer (&doc);
}

void
bp_model_document_free (BpModelDocument *doc)
{
  if (doc == NULL)
    return;

  bp_model_packed_clear (&doc->packed);
  g_clear_object (&doc->parser);
  g_free (doc->text);
  g_free (doc->name);
  g_free (doc);
}

JsonObject *
bp_model_document_get_root (BpModelDocument *doc)
{
  g_return_val_if_fail (doc != NULL, NULL);

  return doc->root;
}

BpNetwork *
bp_model_document_read (BpModelDocument *doc,
                        BpModelInfo     *info,
                        BpError         *error)
{
  Reader rd = { NULL, error, NULL };

  g_return_val_if_fail (doc != NULL, NULL);

  rd.name = doc->name;
  rd.packed = &doc->packed;
  if (info != NULL)
    memset (info, 0, sizeof *info);
  return read_model (&rd, doc->root, info);
}
