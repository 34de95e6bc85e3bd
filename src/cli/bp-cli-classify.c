/* bp-cli-classify.c — `backprop-cli classify`: the digit in each PNG, by the embedded or a given model
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-cli-private.h"
#include "bp-png.h"

#include <cairo.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bp-file.h"
#include "bp-model-io.h"
#include "bp-preprocess.h"

static cairo_status_t
append_cb (void                *closure,
           const unsigned char *data,
           unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

/* The 28×28 input as MNIST shows it, light ink on black, as PNG bytes. */
static GBytes *
input_png (const float *input,
           char       **message)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, BP_PREPROCESS_SIDE,
                                                         BP_PREPROCESS_SIDE);
  guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);
  GByteArray *bytes = g_byte_array_new ();
  cairo_status_t status;

  cairo_surface_flush (surface);
  for (int y = 0; y < BP_PREPROCESS_SIDE; y++)
    for (int x = 0; x < BP_PREPROCESS_SIDE; x++)
      {
        float v = input[y * BP_PREPROCESS_SIDE + x];
        guint32 g = (guint32) (CLAMP (v, 0.0f, 1.0f) * 255.0f + 0.5f);

        ((guint32 *) (void *) (data + y * stride))[x] = (g << 16) | (g << 8) | g;
      }
  cairo_surface_mark_dirty (surface);
  status = cairo_surface_write_to_png_stream (surface, append_cb, bytes);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      *message = g_strdup_printf ("cannot encode the picture: %s", cairo_status_to_string (status));
      g_byte_array_unref (bytes);
      return NULL;
    }
  return g_byte_array_free_to_bytes (bytes);
}

/* Write the input made from @path into @dir as its base name with ".png", or, when that name is
 * taken (by this run or by a file already there, which is never replaced), with "-2.png",
 * "-3.png"…; @used holds this run's names. The file appears whole or not at all. */
static bool
write_input_png (const char  *dir,
                 const char  *path,
                 GHashTable  *used,
                 const float *input,
                 char       **message)
{
  g_autofree char *base = g_path_get_basename (path);
  g_autoptr(GBytes) png = input_png (input, message);
  char *dot = strrchr (base, '.');

  if (png == NULL)
    return false;
  if (dot != NULL && dot != base)
    *dot = '\0';

  for (unsigned n = 1; n < 10000; n++)
    {
      g_autofree char *name = n == 1 ? g_strdup_printf ("%s.png", base)
                                     : g_strdup_printf ("%s-%u.png", base, n);
      g_autofree char *target = NULL;
      BpError error = { 0 };
      gsize len;
      const void *data;

      if (g_hash_table_contains (used, name))
        continue;
      g_hash_table_add (used, g_strdup (name));
      target = g_build_filename (dir, name, NULL);
      data = g_bytes_get_data (png, &len);
      if (bp_file_create_new (target, data, len, &error))
        return true;
      if (errno != EEXIST)
        {
          *message = g_strdup (error.message);
          return false;
        }
    }
  *message = g_strdup_printf ("no free name for %s.png in %s", base, dir);
  return false;
}

/* @name for a line of output: its backslashes and control characters (a newline would split
 * the line) escaped as C escapes them. */
static void
append_escaped (GString    *out,
                const char *name)
{
  for (const unsigned char *p = (const unsigned char *) name; *p != '\0'; p++)
    switch (*p)
      {
      case '\\':
        g_string_append (out, "\\\\");
        break;
      case '\n':
        g_string_append (out, "\\n");
        break;
      case '\r':
        g_string_append (out, "\\r");
        break;
      case '\t':
        g_string_append (out, "\\t");
        break;
      default:
        if (*p < 0x20 || *p == 0x7f)
          g_string_append_printf (out, "\\x%02x", *p);
        else
          g_string_append_c (out, (char) *p);
        break;
      }
}

static bool
parse_polarity (const char *text,
                BpPolarity *out)
{
  for (BpPolarity p = BP_POLARITY_AUTO; p <= BP_POLARITY_LIGHT_INK; p++)
    if (strcmp (text, bp_polarity_to_string (p)) == 0)
      {
        *out = p;
        return true;
      }
  return bp_cli_usage ("--polarity: '%s' is not auto, dark-ink or light-ink", text);
}

int
bp_cli_classify (int    argc,
                 char **argv)
{
  g_autofree char *model_path = NULL;
  g_autofree char *show_dir = NULL;
  g_autofree char *polarity_text = NULL;
  g_auto(GStrv) files = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GHashTable) used = NULL;
  g_autofree float *scratch = NULL;
  BpPolarity polarity = BP_POLARITY_AUTO;
  gboolean raw = FALSE;
  gboolean full_precision = FALSE;
  BpNetwork *net;
  const char *model_name = NULL;
  size_t n_out;
  size_t n_failed = 0;
  const GOptionEntry entries[] = {
    { "model", 0, 0, G_OPTION_ARG_FILENAME, &model_path,
      "The model file (ours or network2.py's JSON); default: the embedded model", "FILE" },
    { "show", 0, 0, G_OPTION_ARG_FILENAME, &show_dir,
      "Write each 28×28 input the network saw as a PNG in DIR (made if missing)", "DIR" },
    { "polarity", 0, 0, G_OPTION_ARG_STRING, &polarity_text,
      "Ink: auto (the default: the border's shade is the paper), dark-ink or light-ink", "KIND" },
    { "raw", 0, 0, G_OPTION_ARG_NONE, &raw,
      "Each image is already a 28×28 input, light ink on dark as MNIST's: its grey levels / 255 "
      "go to the network as they are, without the preprocessing", NULL },
    { "full-precision", 0, 0, G_OPTION_ARG_NONE, &full_precision,
      "Print the outputs with 9 significant digits (enough to give back each float exactly) "
      "instead of 4 decimals", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, "IMAGE.png…" },
    { NULL },
  };

  context = g_option_context_new ("— the digit in each PNG image");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
    "Any PNG works: a drawing, a scan, a photo of paper, a screenshot; dark ink on light or\n"
    "light on dark; any size. Each is composited on white, turned grey, and preprocessed as\n"
    "MNIST was made: ink box scaled to 20×20 keeping its aspect, centre of mass at the centre\n"
    "of 28×28. With --raw, a 28×28 picture goes to the network as it is instead.\n"
    "\n"
    "Prints one line per image on stdout:\n"
    "  FILE DIGIT P0 … P9\n"
    "the outputs being softmax probabilities (for a sigmoid-output model, the raw activations,\n"
    "which stderr says once). An unreadable, non-PNG or blank image gets one error line on\n"
    "stderr naming it; the others are still classified.\n"
    "Exit codes: 0 all classified, 1 some image or the model failed, 2 usage error.");

  if (!bp_cli_parse_options (context, &argc, &argv))
    return BP_CLI_EXIT_USAGE;
  if (files == NULL || files[0] == NULL)
    return bp_cli_fail (BP_CLI_EXIT_USAGE, "no image given (see `%s --help`)", g_get_prgname ());
  if (polarity_text != NULL && !parse_polarity (polarity_text, &polarity))
    return BP_CLI_EXIT_USAGE;
  if (raw && polarity_text != NULL)
    return bp_cli_fail (BP_CLI_EXIT_USAGE,
                        "--raw and --polarity do not go together: a raw picture goes to the "
                        "network as it is, light ink on dark");
  if (show_dir != NULL && g_mkdir_with_parents (show_dir, 0777) != 0)
    return bp_cli_fail (BP_CLI_EXIT_FAILURE, "--show: cannot make the folder %s: %s", show_dir,
                        g_strerror (errno));

  net = bp_cli_load_model (model_path, NULL, &model_name);
  if (net == NULL)
    return BP_CLI_EXIT_FAILURE;
  if (net->n_inputs != BP_PREPROCESS_N_PIXELS)
    {
      bp_cli_fail (BP_CLI_EXIT_FAILURE, "%s: the model takes %zu inputs, but images become %d×%d",
                   model_name, net->n_inputs, BP_PREPROCESS_SIDE, BP_PREPROCESS_SIDE);
      bp_network_free (net);
      return BP_CLI_EXIT_FAILURE;
    }
  n_out = net->n_outputs;
  if (net->arch.output == BP_OUTPUT_SIGMOID)
    bp_cli_note ("%s has sigmoid outputs: the numbers printed are its raw activations, not "
                 "probabilities", model_name);

  used = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  scratch = g_new (float, bp_network_scratch_size (net));

  for (size_t i = 0; files[i] != NULL; i++)
    {
      const char *file = files[i];
      g_autofree char *message = NULL;
      g_autofree guint8 *grey = NULL;
      g_autofree float *out = g_new (float, n_out);
      float input[BP_PREPROCESS_N_PIXELS];
      BpPreprocessStatus status;
      BpError error = { 0 };
      GString *line;
      size_t best = 0;
      bool finite = true;
      int w = 0, h = 0;

      /* A regular file only (a FIFO would block for ever, /dev/zero never end), its signature
       * and header first, and no more of it than its image needs. */
      grey = bp_png_load_grey (file, &w, &h, &message);
      if (grey == NULL)
        {
          bp_cli_note ("%s: %s", file, message);
          n_failed++;
          continue;
        }

      if (raw)
        {
          /* The scaling of the MNIST loader (bp-dataset.c), division and all, so that a PNG
           * of a test image reaches the network with the very floats training saw. */
          if (w != BP_PREPROCESS_SIDE || h != BP_PREPROCESS_SIDE)
            {
              bp_cli_note ("%s: --raw takes %d×%d pictures, and this one is %d×%d", file,
                           BP_PREPROCESS_SIDE, BP_PREPROCESS_SIDE, w, h);
              n_failed++;
              continue;
            }
          for (size_t p = 0; p < BP_PREPROCESS_N_PIXELS; p++)
            input[p] = (float) grey[p] / 255.0f;
        }
      else
        {
          status = bp_preprocess_u8 (grey, (size_t) w, (size_t) h, (size_t) w, polarity, input,
                                     NULL, &error);
          if (status == BP_PREPROCESS_ERROR)
            {
              bp_cli_note ("%s: %s", file, error.message);
              n_failed++;
              continue;
            }
          if (status == BP_PREPROCESS_EMPTY)
            {
              bp_cli_note ("%s: no digit: the image is blank (a single shade, or nearly)", file);
              n_failed++;
              continue;
            }
        }

      if (show_dir != NULL && !write_input_png (show_dir, file, used, input, &message))
        {
          bp_cli_note ("%s: --show: %s", file, message);
          n_failed++;
        }

      bp_network_predict (net, input, out, scratch);
      /* Finite weights can still overflow the arithmetic (a model with weights of 1e30): NaN
       * is no probability to print. */
      for (size_t k = 0; k < n_out; k++)
        if (!isfinite (out[k]))
          {
            finite = false;
            break;
          }
      if (!finite)
        {
          bp_cli_note ("%s: %s gives outputs that are not finite numbers (its weights are too "
                       "large): no digit", file, model_name);
          n_failed++;
          continue;
        }
      for (size_t k = 1; k < n_out; k++)
        if (out[k] > out[best])
          best = k;

      line = g_string_new (NULL);
      append_escaped (line, file);
      g_string_append_printf (line, " %zu", best);
      for (size_t k = 0; k < n_out; k++)
        {
          char buf[32];

          if (full_precision)
            g_snprintf (buf, sizeof buf, "%.9g", out[k]);
          else
            bp_cli_format_fixed (buf, sizeof buf, 4, out[k]);
          g_string_append_printf (line, " %s", buf);
        }
      printf ("%s\n", line->str);
      g_string_free (line, TRUE);
      /* A line lost (a full disk, a closed pipe) is a failure, said at once. */
      if (!bp_cli_flush_stdout ())
        {
          bp_network_free (net);
          return BP_CLI_EXIT_FAILURE;
        }
    }

  bp_network_free (net);
  return n_failed > 0 ? BP_CLI_EXIT_FAILURE : BP_CLI_EXIT_OK;
}
