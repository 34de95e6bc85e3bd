/* bp-cli-backprop.c — `backprop-cli backprop` and `gradcheck`: chapter 2's algorithm for one
 * example, and section 2.8's comparison with finite differences
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-cli-private.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bp-file.h"
#include "bp-gradcheck.h"
#include "bp-model-io.h"
#include "bp-png.h"
#include "bp-preprocess.h"
#include "bp-trace.h"

/* The options that choose the example, shared by both commands. */
typedef struct
{
  char *model;
  char *data_dir;
  char *test_index;
  char *train_index;
  char *image;
  char *label;
} ExampleOptions;

/* The example, ready for the network. */
typedef struct
{
  BpNetwork  *net;
  const char *model_name;
  float       x[BP_PREPROCESS_N_PIXELS];
  size_t      label;
  bool        label_guessed; /* --image without --label: the network's guess is the target */
  char        what[256];     /* "test image 12", "train image 3", "digit.png" */
} Example;

static void
example_options_clear (ExampleOptions *o)
{
  g_clear_pointer (&o->model, g_free);
  g_clear_pointer (&o->data_dir, g_free);
  g_clear_pointer (&o->test_index, g_free);
  g_clear_pointer (&o->train_index, g_free);
  g_clear_pointer (&o->image, g_free);
  g_clear_pointer (&o->label, g_free);
}

static void
example_clear (Example *e)
{
  if (e->net != NULL)
    bp_network_free (e->net);
  e->net = NULL;
}

static GOptionEntry *
example_entries (ExampleOptions *o,
                 bool            with_image)
{
  const GOptionEntry entries[] = {
    { "model", 0, 0, G_OPTION_ARG_FILENAME, &o->model,
      "The model file (ours or network2.py's JSON); default: the embedded model", "FILE" },
    { "test-index", 0, 0, G_OPTION_ARG_STRING, &o->test_index,
      "The example: test image I (0 … 9999)", "I" },
    { "train-index", 0, 0, G_OPTION_ARG_STRING, &o->train_index,
      "The example: training image I (0 … 49999, the book's training set)", "I" },
    { "image", 0, 0, G_OPTION_ARG_FILENAME, &o->image,
      "The example: a PNG, preprocessed as classify does", "PNG" },
    { "label", 0, 0, G_OPTION_ARG_STRING, &o->label,
      "The digit the PNG shows (default: the network's guess)", "D" },
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &o->data_dir,
      "Folder of the MNIST IDX files", "DIR" },
    { NULL },
  };
  GOptionEntry *copy = g_memdup2 (entries, sizeof entries);

  /* gradcheck takes the data set's examples only: the book's check is on MNIST. */
  if (!with_image)
    memmove (&copy[3], &copy[5], 2 * sizeof *copy);
  return copy;
}

/* A PNG made into the network's input as `classify` makes it. */
static bool
load_image (const char *path,
            float      *x)
{
  g_autofree char *message = NULL;
  g_autofree guint8 *grey = NULL;
  BpError error = { 0 };
  BpPreprocessStatus status;
  int w = 0, h = 0;

  grey = bp_png_load_grey (path, &w, &h, &message);
  if (grey == NULL)
    {
      bp_cli_fail (BP_CLI_EXIT_FAILURE, "%s: %s", path, message);
      return false;
    }
  status = bp_preprocess_u8 (grey, (size_t) w, (size_t) h, (size_t) w, BP_POLARITY_AUTO, x, NULL,
                             &error);
  if (status == BP_PREPROCESS_ERROR)
    {
      bp_cli_fail (BP_CLI_EXIT_FAILURE, "%s: %s", path, error.message);
      return false;
    }
  if (status == BP_PREPROCESS_EMPTY)
    {
      bp_cli_fail (BP_CLI_EXIT_FAILURE, "%s: no digit: the image is blank (a single shade, or "
                   "nearly)", path);
      return false;
    }
  return true;
}

/* Parse the options that choose the example, load the model and the example. On failure the
 * one-line error is printed and *@status says how to exit. */
static bool
load_example (const ExampleOptions *o,
              Example              *e,
              int                  *status)
{
  int n_sources = (o->test_index != NULL) + (o->train_index != NULL) + (o->image != NULL);
  guint64 index = 0, label = 0;

  *status = BP_CLI_EXIT_USAGE;
  if (n_sources != 1)
    {
      bp_cli_fail (BP_CLI_EXIT_USAGE, "%s: choose the example with one of --test-index, "
                   "--train-index%s (see `%s --help`)",
                   n_sources == 0 ? "no example given" : "more than one example given",
                   strstr (g_get_prgname (), "gradcheck") != NULL ? "" : " or --image",
                   g_get_prgname ());
      return false;
    }
  if (o->label != NULL && o->image == NULL)
    {
      bp_cli_fail (BP_CLI_EXIT_USAGE, "--label goes with --image: the data set's examples have "
                   "their own labels");
      return false;
    }
  if ((o->test_index != NULL
       && !bp_cli_parse_unsigned ("--test-index", o->test_index, G_MAXSIZE, &index))
      || (o->train_index != NULL
          && !bp_cli_parse_unsigned ("--train-index", o->train_index, G_MAXSIZE, &index))
      || (o->label != NULL && !bp_cli_parse_unsigned ("--label", o->label, 255, &label)))
    return false;

  *status = BP_CLI_EXIT_FAILURE;
  e->net = bp_cli_load_model (o->model, NULL, &e->model_name);
  if (e->net == NULL)
    return false;
  if (e->net->n_inputs != BP_PREPROCESS_N_PIXELS)
    {
      bp_cli_fail (BP_CLI_EXIT_FAILURE, "%s: the model takes %zu inputs, but MNIST images have "
                   "%d×%d = %d pixels", e->model_name, e->net->n_inputs, BP_PREPROCESS_SIDE,
                   BP_PREPROCESS_SIDE, BP_PREPROCESS_N_PIXELS);
      return false;
    }

  if (o->image != NULL)
    {
      if (o->label != NULL && label >= e->net->n_outputs)
        {
          *status = BP_CLI_EXIT_USAGE;
          bp_cli_fail (BP_CLI_EXIT_USAGE, "--label %" G_GUINT64_FORMAT " is out of range: %s "
                       "has %zu outputs (0 … %zu)", label, e->model_name, e->net->n_outputs,
                       e->net->n_outputs - 1);
          return false;
        }
      if (!load_image (o->image, e->x))
        return false;
      g_snprintf (e->what, sizeof e->what, "%s", o->image);
      if (o->label != NULL)
        e->label = (size_t) label;
      else
        {
          g_autofree float *out = g_new (float, e->net->n_outputs);
          g_autofree float *scratch = g_new (float, bp_network_scratch_size (e->net));

          bp_network_predict (e->net, e->x, out, scratch);
          e->label = 0;
          for (size_t k = 1; k < e->net->n_outputs; k++)
            if (out[k] > out[e->label])
              e->label = k;
          e->label_guessed = true;
        }
    }
  else
    {
      bool test = o->test_index != NULL;
      BpMnist mnist = { 0 };
      const BpDataset *set;

      if (!bp_cli_load_mnist (&mnist, o->data_dir, 0))
        return false;
      set = test ? mnist.test : mnist.train;
      if (index >= set->n)
        {
          *status = BP_CLI_EXIT_USAGE;
          bp_cli_fail (BP_CLI_EXIT_USAGE, "%s %" G_GUINT64_FORMAT " is out of range: the %s set "
                       "has %zu images (0 … %zu)", test ? "--test-index" : "--train-index",
                       index, test ? "test" : "training", set->n, set->n - 1);
          bp_mnist_clear (&mnist);
          return false;
        }
      if (set->labels[index] >= e->net->n_outputs)
        {
          bp_cli_fail (BP_CLI_EXIT_FAILURE, "%s has %zu outputs, too few for label %u",
                       e->model_name, e->net->n_outputs, set->labels[index]);
          bp_mnist_clear (&mnist);
          return false;
        }
      {
        size_t i = (size_t) index;

        bp_dataset_gather (set, &i, 1, e->x);
      }
      e->label = set->labels[index];
      g_snprintf (e->what, sizeof e->what, "%s image %zu", test ? "test" : "training",
                  (size_t) index);
      bp_mnist_clear (&mnist);
    }

  *status = BP_CLI_EXIT_OK;
  return true;
}

/* ── backprop ──────────────────────────────────────────────────────────────────────────────── */

static double
norm (const float *v,
      size_t       n)
{
  double s = 0.0;

  for (size_t i = 0; i < n; i++)
    s += (double) v[i] * v[i];
  return sqrt (s);
}

static void
append_float (GString *out,
              float    value)
{
  if (isfinite (value))
    g_string_append_printf (out, "%.9g", (double) value);
  else
    g_string_append (out, "null");
}

static void
append_vector (GString     *out,
               const float *v,
               size_t       n)
{
  g_string_append_c (out, '[');
  for (size_t i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append (out, ", ");
      append_float (out, v[i]);
    }
  g_string_append_c (out, ']');
}

/* One list per layer after the input, of the member of BpTraceLayer at @offset. */
static void
append_layers (GString       *out,
               const BpTrace *trace,
               const char    *name,
               size_t         offset)
{
  g_string_append_printf (out, ",\n  \"%s\": [", name);
  for (size_t l = 0; l < bp_trace_get_n_layers (trace); l++)
    {
      const BpTraceLayer *layer = bp_trace_get_layer (trace, l);
      const float *v = G_STRUCT_MEMBER (const float *, layer, offset);

      g_string_append (out, l > 0 ? ",\n    " : "\n    ");
      /* ∂C/∂b has one number per bias: a dense layer's n_out, a conv layer's one per filter
       * (the sum of δ over its map), a pool layer's none. */
      append_vector (out, v, offset == G_STRUCT_OFFSET (BpTraceLayer, nabla_b)
                             ? layer->n_biases : layer->n_out);
    }
  g_string_append (out, "\n  ]");
}

/* The trace in the shapes of network2.py's backprop(x, y): x and y as lists, z, activations
 * after the input, deltas and nabla_b one list per layer, nabla_w one n_out × n_in nested list
 * per layer; numbers with 9 significant digits (each float exactly). */
static char *
trace_json (const BpTrace *trace,
            const Example *e)
{
  const BpNetwork *net = bp_trace_get_network (trace);
  GString *out = g_string_sized_new (16 * net->n_params + 4096);
  g_autofree char *what = g_strescape (e->what, NULL);

  g_string_append_printf (out, "{\n  \"example\": \"%s\",\n  \"label\": %zu,\n"
                          "  \"label_guessed\": %s,\n  \"guess\": %zu,\n  \"cost_function\": \"%s\",\n"
                          "  \"cost\": %.17g,\n  \"x\": ",
                          what, bp_trace_get_label (trace),
                          e->label_guessed ? "true" : "false", bp_trace_get_guess (trace),
                          bp_cost_to_string (net->arch.cost), bp_trace_get_cost (trace));
  append_vector (out, bp_trace_get_input (trace), net->n_inputs);
  g_string_append (out, ",\n  \"y\": ");
  append_vector (out, bp_trace_get_target (trace), net->n_outputs);
  append_layers (out, trace, "z", G_STRUCT_OFFSET (BpTraceLayer, z));
  append_layers (out, trace, "a", G_STRUCT_OFFSET (BpTraceLayer, a));
  append_layers (out, trace, "delta", G_STRUCT_OFFSET (BpTraceLayer, delta));
  append_layers (out, trace, "nabla_b", G_STRUCT_OFFSET (BpTraceLayer, nabla_b));
  g_string_append (out, ",\n  \"nabla_w\": [");
  for (size_t l = 0; l < bp_trace_get_n_layers (trace); l++)
    {
      const BpTraceLayer *layer = bp_trace_get_layer (trace, l);
      /* As model files lay them out: a dense layer's n_out × n_in, a conv layer's C_out
       * filters of C_in·k², a pool layer's nothing. */
      size_t rows = layer->n_biases;
      size_t cols = rows > 0 ? layer->n_weights / rows : 0;

      g_string_append (out, l > 0 ? ",\n    [" : "\n    [");
      for (size_t j = 0; j < rows; j++)
        {
          g_string_append (out, j > 0 ? ",\n     " : "");
          append_vector (out, layer->nabla_w + j * cols, cols);
        }
      g_string_append_c (out, ']');
    }
  g_string_append (out, "\n  ]\n}\n");
  return g_string_free (out, FALSE);
}

/* The walk for a reader: the example, the cost, then one row per layer. */
static void
print_trace (const BpTrace *trace,
             const Example *e)
{
  const BpNetwork *net = bp_trace_get_network (trace);
  size_t L = bp_trace_get_n_layers (trace);
  const BpTraceLayer *out = bp_trace_get_layer (trace, L - 1);
  size_t guess = bp_trace_get_guess (trace);

  printf ("%s: label %zu%s, guess %zu (output %.4f)\n", e->what, bp_trace_get_label (trace),
          e->label_guessed ? " (the guess: no --label given)" : "", guess,
          (double) out->a[guess]);
  printf ("cost %.6g (%s)\n\n", bp_trace_get_cost (trace), bp_cost_to_string (net->arch.cost));
  printf ("layer  kind             neurons         ‖z‖         ‖a‖         ‖δ‖   saturated\n");
  printf ("0      input           %8zu %11s %11.6g\n", net->n_inputs, "",
          norm (bp_trace_get_input (trace), net->n_inputs));
  for (size_t l = 0; l < L; l++)
    {
      const BpTraceLayer *layer = bp_trace_get_layer (trace, l);
      char kind[32], saturated[32];
      int width = 11;

      /* An output layer's σ′ enters BP1 only with the quadratic cost: with cross-entropy or
       * log-likelihood a saturated output does not slow learning, and no count is shown. */
      if (layer->is_output && net->arch.cost != BP_COST_QUADRATIC)
        {
          g_strlcpy (saturated, "–", sizeof saturated);
          width = 13; /* printf pads bytes, and "–" is three of them in one column */
        }
      else
        g_snprintf (saturated, sizeof saturated, "%zu", bp_trace_count_saturated (trace, l, NULL));
      if (layer->is_output)
        g_snprintf (kind, sizeof kind, "output %s", bp_output_to_string (net->arch.output));
      else if (layer->kind == BP_LAYER_CONV)
        g_snprintf (kind, sizeof kind, "conv %s", bp_activation_to_string (layer->activation));
      else if (layer->kind == BP_LAYER_POOL)
        g_strlcpy (kind, "max-pool", sizeof kind);
      else
        g_snprintf (kind, sizeof kind, "%s", bp_activation_to_string (layer->activation));
      printf ("%-6zu %-15s %8zu %11.6g %11.6g %11.6g %*s\n", l + 1, kind, layer->n_out,
              norm (layer->z, layer->n_out), norm (layer->a, layer->n_out),
              norm (layer->delta, layer->n_out), width, saturated);
    }

  /* Chapter 3's point, where it applies: σ′(zᴸ) in BP1 of the quadratic cost. */
  if (net->arch.cost == BP_COST_QUADRATIC)
    {
      g_autofree float *ce = g_new (float, net->n_outputs);
      size_t slowed = bp_trace_slowed_outputs (trace, NULL);

      bp_trace_output_delta_for_cost (trace, BP_COST_CROSS_ENTROPY, ce);
      printf ("\nquadratic cost: ‖δᴸ‖ %.6g; with cross-entropy (δᴸ = aᴸ − y, no σ′(zᴸ)) it would "
              "be %.6g", norm (out->delta, out->n_out), norm (ce, net->n_outputs));
      if (slowed > 0)
        printf ("; %zu output%s confidently wrong and saturated", slowed, slowed == 1 ? " is"
                                                                                    : "s are");
      printf ("\n");
    }
}

int
bp_cli_backprop (int    argc,
                 char **argv)
{
  ExampleOptions options = { 0 };
  g_autofree char *json_path = NULL;
  g_autofree GOptionEntry *entries = example_entries (&options, true);
  const GOptionEntry json_entry[] = {
    { "json", 0, 0, G_OPTION_ARG_FILENAME, &json_path,
      "Also write every vector to OUT as JSON, in network2.py's shapes", "OUT" },
    { NULL },
  };
  g_autoptr(GOptionContext) context = NULL;
  Example example = { 0 };
  BpTrace *trace = NULL;
  BpError error = { 0 };
  int status;

  context = g_option_context_new ("— backpropagation of one example, layer by layer");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_main_entries (context, json_entry, NULL);
  g_option_context_set_description (context,
    "Chapter 2's algorithm for one example: the forward pass (zˡ = wˡaˡ⁻¹ + bˡ, aˡ = σ(zˡ)), the\n"
    "output error δᴸ (BP1), the error moved back (BP2) and the gradients (BP3, BP4), with the\n"
    "engine's own numbers. Prints the example, its cost and one row per layer: neurons, ‖z‖,\n"
    "‖a‖, ‖δ‖ and how many neurons are saturated (f′(z) below a tenth of its peak).\n"
    "--json OUT writes \"x\", \"y\", and one list per layer after the input of \"z\", \"a\",\n"
    "\"delta\" and \"nabla_b\" (a conv layer's nabla_b: one per filter; a pool layer's: none),\n"
    "one n_out × n_in nested list per layer of \"nabla_w\" (a conv layer's: C_out filters of\n"
    "C_in·k², as model files have them), and \"cost\":\n"
    "nabla_b and nabla_w are network2.py's backprop(x, y) (one example, no L2 term).\n"
    "Exit codes: 0 done, 1 a bad model, image or data, 2 usage error (an index out of range).");

  if (!bp_cli_parse_options (context, &argc, &argv))
    {
      example_options_clear (&options);
      return BP_CLI_EXIT_USAGE;
    }
  if (!load_example (&options, &example, &status))
    goto out;

  status = BP_CLI_EXIT_FAILURE;
  trace = bp_trace_new (example.net, &error);
  if (trace == NULL || !bp_trace_compute (trace, example.net, example.x, example.label, &error))
    {
      bp_cli_fail (BP_CLI_EXIT_FAILURE, "%s", error.message);
      goto out;
    }
  if (!isfinite (bp_trace_get_cost (trace)))
    {
      bp_cli_fail (BP_CLI_EXIT_FAILURE, "%s gives outputs that are not finite numbers for %s "
                   "(its weights are too large)", example.model_name, example.what);
      goto out;
    }

  /* The file first: a run that fails prints nothing but its error. */
  if (json_path != NULL)
    {
      g_autofree char *json = trace_json (trace, &example);

      if (!bp_file_replace (json_path, json, strlen (json), &error))
        {
          bp_cli_fail (BP_CLI_EXIT_FAILURE, "%s (--json)", error.message);
          goto out;
        }
    }
  print_trace (trace, &example);
  status = bp_cli_flush_stdout () ? BP_CLI_EXIT_OK : BP_CLI_EXIT_FAILURE;

out:
  bp_trace_free (trace);
  example_clear (&example);
  example_options_clear (&options);
  return status;
}

/* ── gradcheck ─────────────────────────────────────────────────────────────────────────────── */

typedef struct
{
  bool   bar_shown;
  gint64 last_time;
} Bar;

static void
progress_cb (size_t done,
             size_t total,
             void  *user_data)
{
  Bar *bar = user_data;
  gint64 now = g_get_monotonic_time ();

  if (bar->bar_shown && now - bar->last_time < G_USEC_PER_SEC / 10 && done < total)
    return;
  bar->last_time = now;
  bar->bar_shown = true;
  fprintf (stderr, "\r\033[Kfinite differences %zu/%zu %3u%%", done, total,
           (unsigned) (done * 100 / total));
  fflush (stderr);
}

int
bp_cli_gradcheck (int    argc,
                  char **argv)
{
  ExampleOptions options = { 0 };
  g_autofree char *sample_text = NULL;
  g_autofree char *seed_text = NULL;
  g_autofree GOptionEntry *entries = example_entries (&options, false);
  const GOptionEntry more[] = {
    { "sample", 0, 0, G_OPTION_ARG_STRING, &sample_text,
      "Check K parameters drawn at random instead of all of them", "K" },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &seed_text,
      "The seed that draws the sample (default 1)", "S" },
    { NULL },
  };
  g_autoptr(GOptionContext) context = NULL;
  Example example = { 0 };
  BpGradcheck check = { 0 };
  BpError error = { 0 };
  guint64 sample = 0, seed = 1;
  Bar bar = { 0 };
  int status;

  context = g_option_context_new ("— backpropagation against finite differences");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_main_entries (context, more, NULL);
  g_option_context_set_description (context,
    "Section 2.8, \"in what sense is backpropagation a fast algorithm?\": for one example, every\n"
    "∂C/∂w and ∂C/∂b by backpropagation (one forward and one backward pass), and by central\n"
    "differences (C(θ + ε) − C(θ − ε)) / 2ε, ε = 1e-5, two full forward passes per parameter,\n"
    "computed in double precision. Prints one line:\n"
    "  params N backprop_seconds S finite_difference_seconds S ratio R max_relative_error E\n"
    "the relative error being |g − n| / max(|g|, |n|, 1e-5). With --sample K only K parameters\n"
    "are checked (and timed).\n"
    "Exit codes: 0 done, 1 a bad model or data, 2 usage error (an index out of range).");

  if (!bp_cli_parse_options (context, &argc, &argv))
    {
      example_options_clear (&options);
      return BP_CLI_EXIT_USAGE;
    }
  if ((sample_text != NULL && !bp_cli_parse_unsigned ("--sample", sample_text, G_MAXSIZE, &sample))
      || (seed_text != NULL && !bp_cli_parse_unsigned ("--seed", seed_text, G_MAXUINT64, &seed)))
    {
      example_options_clear (&options);
      return BP_CLI_EXIT_USAGE;
    }
  if (sample_text != NULL && sample == 0)
    {
      example_options_clear (&options);
      return bp_cli_fail (BP_CLI_EXIT_USAGE, "--sample 0: check at least one parameter (or "
                          "leave --sample out to check all)");
    }
  if (!load_example (&options, &example, &status))
    goto out;

  status = BP_CLI_EXIT_FAILURE;
  if (!bp_gradcheck_run (example.net, example.x, example.label, (size_t) sample, seed, NULL,
                         isatty (STDERR_FILENO) ? progress_cb : NULL, &bar, &check, &error))
    {
      bp_cli_fail (BP_CLI_EXIT_FAILURE, "%s", error.message);
      goto out;
    }
  if (bar.bar_shown)
    fputs ("\r\033[K", stderr);
  printf ("params %zu backprop_seconds %.6g finite_difference_seconds %.6g ratio %.6g "
          "max_relative_error %.6g\n", check.n_checked, check.backprop_seconds,
          check.numerical_seconds, check.ratio, check.max_relative_error);
  status = bp_cli_flush_stdout () ? BP_CLI_EXIT_OK : BP_CLI_EXIT_FAILURE;

out:
  bp_gradcheck_clear (&check);
  example_clear (&example);
  example_options_clear (&options);
  return status;
}
