/* bp-model-write.c — models as JSON that network2.py reads: writing
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Writing is a plain walk over the parameter views into one string: json-glib's generator prints
 * every double with 17 digits, and a float needs only 9 to come back bit for bit, which keeps a
 * 784-100-10 model near 1 MB instead of 1.7 MB. Every string we write is one of our own
 * identifiers, so no escaping is involved. The run's settings are written from the table of
 * bp-run.h, in the order files have always had them. bp_model_save() then hands the bytes to
 * bp_save_file(), which writes a temporary file beside the target, flushes it and renames it
 * over the target.
 */
#include "config.h"

#include "bp-model-io.h"

#include <math.h>
#include <string.h>

#include "bp-json.h"
#include "bp-save-file.h"

#define NETWORK2_QUADRATIC     "QuadraticCost"
#define NETWORK2_CROSS_ENTROPY "CrossEntropyCost"

void
bp_model_info_clear (BpModelInfo *info)
{
  if (info == NULL)
    return;

  free (info->history);
  free (info->velocity);
  memset (info, 0, sizeof *info);
}

/* The shortest of 6 … 9 significant digits that reads back as the same float. Nine digits
 * always do (2^24 < 10^9 with room to spare, also after the parser's detour through double);
 * shorter forms keep round numbers such as 0.1 readable. */
static void
append_float (GString *out,
              float    value)
{
  static const char *const formats[] = { "%.6g", "%.7g", "%.8g" };
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  const char *text = NULL;

  for (size_t i = 0; i < G_N_ELEMENTS (formats) && text == NULL; i++)
    {
      g_ascii_formatd (buf, sizeof buf, formats[i], value);
      if ((float) g_ascii_strtod (buf, NULL) == value)
        text = buf;
    }
  if (text == NULL)
    text = g_ascii_formatd (buf, sizeof buf, "%.9g", value);

  g_string_append (out, text);
  /* "-0" and "16777216" would be read as integers, and an integer has no negative zero:
   * write floats as floats, as Python's json module does. */
  if (strpbrk (text, ".e") == NULL)
    g_string_append (out, ".0");
}

static void
append_float_or_null (GString *out,
                      float    value)
{
  if (!isfinite (value))
    g_string_append (out, "null");
  else
    append_float (out, value);
}

/* One set of per-layer matrices in network2.py's layout: weights as n_out rows of n_in numbers,
 * one row per line; biases as n_out rows of one number, one layer per line. @indent is that of
 * the line holding the key. */
static void
append_layers (GString         *out,
               const BpNetwork *net,
               const float     *buf,
               bool             biases,
               const char      *indent)
{
  size_t L = net->arch.n_layers;

  g_string_append (out, "[\n");
  for (size_t l = 0; l < L; l++)
    {
      const BpLayer *layer = &net->layers[l];
      /* Dense: W (n_out, n_in) as network2.py has it; conv: C_out filters of C_in·k² numbers;
       * pool: nothing. */
      size_t rows = layer->n_biases;
      size_t cols = biases ? 1 : (rows > 0 ? layer->n_weights / rows : 0);
      const float *m = buf + (biases ? layer->b_offset : layer->w_offset);

      g_string_append_printf (out, "%s  [", indent);
      for (size_t r = 0; r < rows; r++)
        {
          if (r > 0 && biases)
            g_string_append (out, ", ");
          else if (r > 0)
            g_string_append_printf (out, ",\n%s   ", indent);
          g_string_append_c (out, '[');
          for (size_t c = 0; c < cols; c++)
            {
              if (c > 0)
                g_string_append (out, ", ");
              append_float (out, m[r * cols + c]);
            }
          g_string_append_c (out, ']');
        }
      g_string_append_printf (out, "]%s\n", l + 1 < L ? "," : "");
    }
  g_string_append_printf (out, "%s]", indent);
}

/* A setting's value as JSON: a float as model files write floats, an integer, a name. */
static void
append_field (GString          *out,
              const BpRun      *run,
              const BpRunField *field)
{
  char text[64];

  if (field->type == BP_RUN_FLOAT)
    append_float (out, (float) bp_run_field_get_number (run, field));
  else if (field->type == BP_RUN_ENUM)
    {
      bp_run_field_format (run, field, text, sizeof text);
      g_string_append_printf (out, "\"%s\"", text);
    }
  else
    g_string_append_printf (out, "%" G_GUINT64_FORMAT, bp_run_field_get_uint (run, field));
}

/* The settings at @place, in their file order, as top-level members or (BP_RUN_MODEL_HYPER)
 * as the members of "hyperparameters". */
static void
append_fields (GString         *out,
               const BpRun     *run,
               BpRunModelPlace  place)
{
  size_t n_fields;
  const BpRunField *fields = bp_run_fields (&n_fields);
  bool first = true;

  if (place == BP_RUN_MODEL_HYPER)
    g_string_append (out, "  \"hyperparameters\": {");
  for (unsigned order = 0; order < n_fields; order++)
    for (size_t i = 0; i < n_fields; i++)
      {
        const BpRunField *field = &fields[i];

        if (field->model_place != place || field->model_order != order)
          continue;
        if (place == BP_RUN_MODEL_TOP_NONZERO && bp_run_field_get_number (run, field) == 0.0)
          continue;
        if (place == BP_RUN_MODEL_HYPER)
          g_string_append_printf (out, "%s\"%s\": ", first ? "" : ", ", field->name);
        else
          /* Seeds are unsigned 64-bit; json-glib reads integers as int64 and wraps the top
           * half round, which the reader undoes, so every seed comes back bit for bit. */
          g_string_append_printf (out, "  \"%s\": ", field->name);
        append_field (out, run, field);
        if (place != BP_RUN_MODEL_HYPER)
          g_string_append (out, ",\n");
        first = false;
      }
  if (place == BP_RUN_MODEL_HYPER)
    g_string_append (out, "},\n");
}

/* Chapter 5's speeds of learning, one per hidden layer: [s₁, s₂, …]. */
static void
append_speeds (GString      *out,
               const double *speed,
               size_t        n_speeds)
{
  g_string_append_c (out, '[');
  for (size_t k = 0; k < n_speeds && k < BP_MAX_LAYERS; k++)
    {
      if (k > 0)
        g_string_append (out, ", ");
      bp_json_append_double (out, speed[k]);
    }
  g_string_append_c (out, ']');
}

static void
append_history (GString              *out,
                const BpEpochMetrics *history,
                size_t                n_history)
{
  g_string_append (out, "  \"history\": [");
  for (size_t i = 0; i < n_history; i++)
    {
      const BpEpochMetrics *m = &history[i];

      g_string_append_printf (out, "%s\n    {\"epoch\": %u, \"train_cost\": ",
                              i > 0 ? "," : "", m->epoch);
      bp_json_append_double (out, m->train_cost);
      g_string_append (out, ", \"train_accuracy\": ");
      bp_json_append_double (out, m->train_accuracy);
      g_string_append (out, ", \"validation_cost\": ");
      bp_json_append_double (out, m->validation_cost);
      g_string_append (out, ", \"validation_accuracy\": ");
      bp_json_append_double (out, m->validation_accuracy);
      g_string_append (out, ", \"test_cost\": ");
      bp_json_append_double (out, m->test_cost);
      g_string_append (out, ", \"test_accuracy\": ");
      bp_json_append_double (out, m->test_accuracy);
      g_string_append (out, ", \"seconds\": ");
      bp_json_append_double (out, m->seconds);
      g_string_append (out, ", \"eta\": ");
      append_float_or_null (out, m->eta);
      if (m->n_speeds > 0)
        {
          g_string_append (out, ", \"speed\": ");
          append_speeds (out, m->speed, m->n_speeds);
        }
      g_string_append_c (out, '}');
    }
  g_string_append (out, "\n  ],\n");
}

static bool
all_finite (const float *values,
            size_t       n)
{
  for (size_t i = 0; i < n; i++)
    if (!isfinite (values[i]))
      return false;
  return true;
}

static const char *
network2_cost_name (BpCost cost)
{
  /* network2.py knows no log-likelihood; "CrossEntropyCost" lets it load the file and rank the
   * outputs as we do, and "backprop_cost" tells us the truth. */
  return cost == BP_COST_QUADRATIC ? NETWORK2_QUADRATIC : NETWORK2_CROSS_ENTROPY;
}

bool
bp_model_write_begin (GString           *out,
                      const BpNetwork   *net,
                      const BpModelInfo *info,
                      const char        *name,
                      BpError           *error)
{
  const BpArch *arch;
  size_t sizes[BP_MAX_LAYERS], n_sizes;

  g_return_val_if_fail (out != NULL, false);
  g_return_val_if_fail (net != NULL, false);
  g_return_val_if_fail (name != NULL, false);

  arch = &net->arch;
  /* JSON has no NaN, and a file we would refuse to read back is worse than no file. */
  if (!all_finite (net->params, net->n_params))
    return bp_error_set (error, BP_ERROR_INVALID,
                         "%s: not saved: the network has NaN or infinite parameters", name);
  if (info != NULL && info->velocity != NULL && !all_finite (info->velocity, net->n_params))
    return bp_error_set (error, BP_ERROR_INVALID,
                         "%s: not saved: the momentum velocities contain NaN or infinite values",
                         name);
  if (info != NULL && info->has_run && !bp_run_check_fields (&info->run, error))
    {
      bp_error_prefix (error, "%s: not saved: hyperparameters: ", name);
      return false;
    }

  g_string_append_printf (out, "{\n  \"format\": \"backprop-model\",\n  \"format_version\": %d,\n",
                          bp_arch_has_maps (arch) ? BP_MODEL_FORMAT_MAPS : 1);
  g_string_append (out, "  \"sizes\": [");
  n_sizes = bp_arch_get_sizes (arch, sizes);
  for (size_t l = 0; l < n_sizes; l++)
    g_string_append_printf (out, "%s%zu", l > 0 ? ", " : "", sizes[l]);
  g_string_append (out, "],\n");
  g_string_append_printf (out,
                          "  \"cost\": \"%s\",\n  \"backprop_cost\": \"%s\",\n"
                          "  \"activation\": \"%s\",\n  \"output\": \"%s\",\n",
                          network2_cost_name (arch->cost), bp_cost_to_string (arch->cost),
                          bp_activation_to_string (bp_arch_get_activation (arch)),
                          bp_output_to_string (arch->output));
  /* What "sizes" and one "activation" cannot say, the layer list says. */
  if (!bp_arch_is_plain (arch))
    {
      char text[512];

      bp_arch_format (arch, text, sizeof text);
      g_string_append_printf (out, "  \"net\": \"%s\",\n", text);
    }
  if (info != NULL && info->has_run)
    {
      append_fields (out, &info->run, BP_RUN_MODEL_HYPER);
      append_fields (out, &info->run, BP_RUN_MODEL_TOP);
    }
  if (info != NULL)
    append_fields (out, &info->run, BP_RUN_MODEL_TOP_NONZERO);
  if (info != NULL && info->n_history > 0)
    append_history (out, info->history, info->n_history);
  if (info != NULL && info->n_initial_speeds > 0)
    {
      g_string_append (out, "  \"initial_speed\": ");
      append_speeds (out, info->initial_speed, info->n_initial_speeds);
      g_string_append (out, ",\n");
    }
  if (info != NULL && info->velocity != NULL)
    {
      g_string_append (out, "  \"velocity\": {\n    \"weights\": ");
      append_layers (out, net, info->velocity, false, "    ");
      g_string_append (out, ",\n    \"biases\": ");
      append_layers (out, net, info->velocity, true, "    ");
      g_string_append (out, "\n  },\n");
    }
  g_string_append (out, "  \"weights\": ");
  append_layers (out, net, net->params, false, "  ");
  g_string_append (out, ",\n  \"biases\": ");
  append_layers (out, net, net->params, true, "  ");
  return true;
}

void
bp_model_write_end (GString *out)
{
  g_string_append (out, "\n}\n");
}

bool
bp_model_save (const BpNetwork   *net,
               const BpModelInfo *info,
               const char        *path,
               BpError           *error)
{
  g_autoptr (GString) out = NULL;

  g_return_val_if_fail (net != NULL, false);
  g_return_val_if_fail (path != NULL, false);

  out = g_string_sized_new (16 * net->n_params + 4096);
  if (!bp_model_write_begin (out, net, info, path, error))
    return false;
  bp_model_write_end (out);

  return bp_save_file (path, out->str, out->len, error);
}

/* ── What network2.py cannot represent ───────────────────────────────────────────────────── */

const char *
bp_model_describe_extensions (const BpNetwork *net,
                              char            *buf,
                              size_t           buf_size)
{
  const char *parts[4];
  size_t n = 0;
  bool tanh = false, relu = false;

  g_return_val_if_fail (net != NULL, NULL);
  g_return_val_if_fail (buf != NULL && buf_size > 0, NULL);

  /* First, because it alone makes the file unreadable for network2.py rather than read with
   * other results: its "sizes" and "weights" do not describe a chain of dense layers. */
  if (bp_arch_has_maps (&net->arch))
    parts[n++] = "convolution and max-pooling layers (network2.py cannot read this file)";
  if (net->arch.output == BP_OUTPUT_SOFTMAX || net->arch.cost == BP_COST_LOG_LIKELIHOOD)
    parts[n++] = "softmax output with log-likelihood cost";

  /* The hidden activations only matter when there are hidden layers. */
  for (size_t l = 0; l + 1 < net->arch.n_layers; l++)
    {
      tanh = tanh || net->arch.layers[l].activation == BP_ACTIVATION_TANH;
      relu = relu || net->arch.layers[l].activation == BP_ACTIVATION_RELU;
    }
  if (tanh)
    parts[n++] = "tanh hidden layers";
  if (relu)
    parts[n++] = "ReLU hidden layers";

  if (n == 0)
    return NULL;

  /* Truncated to @buf_size if need be, like snprintf. */
  buf[0] = '\0';
  for (size_t i = 0; i < n; i++)
    {
      if (i > 0)
        g_strlcat (buf, ", ", buf_size);
      g_strlcat (buf, parts[i], buf_size);
    }
  return buf;
}
