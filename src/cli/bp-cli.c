/* bp-cli.c — backprop-cli: subcommand dispatch and the helpers the subcommands share
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-cli-private.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>

#include "bp-digit-folder.h"
#include "bp-model-io.h"

/* Where resources/backprop-model.gresource.xml puts the default model. */
#define DEFAULT_MODEL_RESOURCE "/io/github/nndl/Backprop/model/default-model.json"

typedef struct
{
  const char *name;
  int       (*run) (int    argc,
                    char **argv);
  const char *summary;
} Subcommand;

static const Subcommand subcommands[] = {
  { "train", bp_cli_train, "train a network on MNIST, one line of metrics per epoch" },
  { "eval",  bp_cli_eval,  "test accuracy and confusion matrix of a saved model" },
  { "classify", bp_cli_classify, "the digit in each PNG image, by the embedded or a saved model" },
  { "export", bp_cli_export, "write a model as ONNX, for Netron, ONNX Runtime and PyTorch" },
  { "backprop", bp_cli_backprop, "chapter 2's backpropagation of one example, layer by layer" },
  { "gradcheck", bp_cli_gradcheck, "backpropagation against finite differences: agreement and time" },
  { "bench", bp_cli_bench, "time one training pass of the standard configurations" },
};

static void
print_usage (FILE *out)
{
  fprintf (out,
           "Usage:\n"
           "  backprop-cli COMMAND [OPTION…]\n"
           "\n"
           "Train and test fully connected networks on MNIST, as in Michael Nielsen's\n"
           "\"Neural Networks and Deep Learning\".\n"
           "\n"
           "Commands:\n");
  for (size_t i = 0; i < G_N_ELEMENTS (subcommands); i++)
    fprintf (out, "  %-9s %s\n", subcommands[i].name, subcommands[i].summary);
  fprintf (out,
           "\n"
           "Options:\n"
           "  -h, --help     show this help\n"
           "  --version      show the version\n"
           "\n"
           "Run `backprop-cli COMMAND --help` for the options of a command.\n");
}

static void vprint_line (const char *format,
                         va_list     args) G_GNUC_PRINTF (1, 0);

static void
vprint_line (const char *format,
             va_list     args)
{
  g_autofree char *message = g_strdup_vprintf (format, args);

  /* Scripts read errors as one line: a message that spans lines would be cut in two. */
  for (char *p = message; *p != '\0'; p++)
    if (*p == '\n' || *p == '\r')
      *p = ' ';
  fprintf (stderr, "backprop-cli: %s\n", message);
  fflush (stderr);
}

int
bp_cli_fail (int         exit_code,
             const char *format,
             ...)
{
  va_list args;

  va_start (args, format);
  vprint_line (format, args);
  va_end (args);

  return exit_code;
}

bool
bp_cli_usage (const char *format,
              ...)
{
  va_list args;

  va_start (args, format);
  vprint_line (format, args);
  va_end (args);

  return false;
}

void
bp_cli_note (const char *format,
             ...)
{
  va_list args;

  va_start (args, format);
  vprint_line (format, args);
  va_end (args);
}

bool
bp_cli_parse_options (GOptionContext *context,
                      int            *argc,
                      char         ***argv)
{
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      bp_cli_fail (BP_CLI_EXIT_USAGE, "%s (see `%s --help`)", error->message, g_get_prgname ());
      return false;
    }

  if (*argc > 1)
    {
      bp_cli_fail (BP_CLI_EXIT_USAGE, "unexpected argument '%s' (see `%s --help`)",
                   (*argv)[1], g_get_prgname ());
      return false;
    }

  return true;
}

bool
bp_cli_parse_double (const char *option,
                     const char *text,
                     double     *out)
{
  char *end = NULL;
  double value;

  errno = 0;
  value = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || errno == ERANGE || !isfinite (value))
    {
      bp_cli_fail (BP_CLI_EXIT_USAGE, "%s: '%s' is not a finite number", option, text);
      return false;
    }

  *out = value;
  return true;
}

bool
bp_cli_parse_unsigned (const char *option,
                       const char *text,
                       guint64     max,
                       guint64    *out)
{
  g_autoptr(GError) error = NULL;

  if (!g_ascii_string_to_unsigned (text, 10, 0, max, out, &error))
    {
      bp_cli_fail (BP_CLI_EXIT_USAGE, "%s: %s", option, error->message);
      return false;
    }

  return true;
}

bool
bp_cli_load_mnist (BpMnist    *mnist,
                   const char *data_dir,
                   size_t      train_size)
{
  BpError error = { 0 };
  char *dir;
  bool ok;

  dir = bp_mnist_find_dir (data_dir);
  if (dir == NULL)
    {
      bp_cli_fail (BP_CLI_EXIT_FAILURE, "out of memory");
      return false;
    }

  ok = bp_mnist_load (mnist, dir, train_size, &error);
  free (dir);
  if (!ok)
    bp_cli_fail (BP_CLI_EXIT_FAILURE, "%s", error.message);

  return ok;
}

bool
bp_cli_check_extra_repeat (const char *extra_data,
                           const char *repeat_text)
{
  guint64 repeat = 0;

  if (repeat_text == NULL)
    return true;
  if (!bp_cli_parse_unsigned ("--extra-repeat", repeat_text, 1000, &repeat))
    return false;
  if (repeat == 0)
    return bp_cli_usage ("--extra-repeat: 0 would leave the pictures out; give 1 to 1000");
  if (extra_data == NULL)
    return bp_cli_usage ("--extra-repeat needs --extra-data");
  return true;
}

BpDataset *
bp_cli_mix_extra_data (const BpDataset *train,
                       const char      *dir,
                       const char      *repeat_text)
{
  g_autoptr(BpDigitFolder) folder = NULL;
  g_autoptr(GError) gerror = NULL;
  BpDataset *mixed;
  guint64 repeat = 0;

  /* Checked by the caller before anything was loaded. */
  if (repeat_text != NULL
      && !bp_cli_parse_unsigned ("--extra-repeat", repeat_text, 1000, &repeat))
    return NULL;

  folder = bp_digit_folder_load (dir, &gerror);
  if (folder == NULL)
    {
      bp_cli_fail (BP_CLI_EXIT_FAILURE, "--extra-data: %s", gerror->message);
      return NULL;
    }
  for (guint i = 0; i < folder->warnings->len; i++)
    bp_cli_note ("%s", (const char *) folder->warnings->pdata[i]);
  if (repeat == 0)
    repeat = bp_digit_folder_auto_repeat (train->n, folder->set->n);

  mixed = bp_digit_folder_mix (train, folder->set, (guint) repeat, &gerror);
  if (mixed == NULL)
    {
      bp_cli_fail (BP_CLI_EXIT_FAILURE, "--extra-data %s: %s", dir, gerror->message);
      return NULL;
    }
  bp_cli_note ("--extra-data %s: %zu pictures (%u skipped), each %" G_GUINT64_FORMAT
               " times: %zu training examples", dir, folder->set->n, folder->warnings->len,
               repeat, mixed->n);
  return mixed;
}

BpNetwork *
bp_cli_load_model (const char   *path,
                   BpModelInfo  *info,
                   const char  **name)
{
  BpError error = { 0 };
  BpNetwork *net;

  if (path != NULL)
    {
      *name = path;
      net = bp_model_load (path, info, &error);
    }
  else
    {
      g_autoptr(GError) gerror = NULL;
      g_autoptr(GBytes) bytes = g_resources_lookup_data (DEFAULT_MODEL_RESOURCE,
                                                         G_RESOURCE_LOOKUP_FLAGS_NONE, &gerror);
      gsize len = 0;
      const char *data;

      *name = "the embedded default model";
      if (bytes == NULL)
        {
          bp_cli_fail (BP_CLI_EXIT_FAILURE, "cannot find the embedded default model: %s",
                       gerror->message);
          return NULL;
        }
      data = g_bytes_get_data (bytes, &len);
      net = bp_model_load_from_data (data, len, *name, info, &error);
    }

  if (net == NULL)
    bp_cli_fail (BP_CLI_EXIT_FAILURE, "%s", error.message);
  return net;
}

/* The one piece of state of the output checks: standard output failed once already. */
static bool stdout_failed;

bool
bp_cli_flush_stdout (void)
{
  if (stdout_failed)
    return false;
  if (fflush (stdout) == 0 && !ferror (stdout))
    return true;

  stdout_failed = true;
  /* A write that failed inside an earlier printf() left no errno behind: say what is known. */
  bp_cli_fail (BP_CLI_EXIT_FAILURE, "standard output: %s",
               errno != 0 ? g_strerror (errno) : "a write failed");
  return false;
}

/* Descriptors 0, 1 and 2 that a parent closed are opened on /dev/null, read-only: otherwise the
 * next file opened would take the number, and what is printed would go into it (into a model
 * being saved, say). Read-only, so that printing to a standard output that was closed fails,
 * and says so, rather than vanishing. */
static void
reserve_standard_fds (void)
{
  for (int fd = 0; fd <= 2; fd++)
    if (fcntl (fd, F_GETFD) == -1 && errno == EBADF)
      {
        int null = open ("/dev/null", O_RDONLY | O_NOCTTY);

        if (null >= 0 && null != fd)
          {
            dup2 (null, fd);
            close (null);
          }
      }
}

/* The end of every command: what it printed must have reached its file. */
static int
finish (int status)
{
  errno = 0;
  if (!bp_cli_flush_stdout ())
    return status == BP_CLI_EXIT_OK ? BP_CLI_EXIT_FAILURE : status;
  if (fclose (stdout) != 0)
    {
      bp_cli_fail (BP_CLI_EXIT_FAILURE, "standard output: %s", g_strerror (errno));
      return status == BP_CLI_EXIT_OK ? BP_CLI_EXIT_FAILURE : status;
    }
  return status;
}

void
bp_cli_format_fixed (char   *buf,
                     size_t  buf_size,
                     int     decimals,
                     double  value)
{
  if (isnan (value))
    g_strlcpy (buf, "nan", buf_size);
  else
    g_snprintf (buf, buf_size, "%.*f", decimals, value);
}

int
main (int    argc,
      char **argv)
{
  /* Messages may be translated, but numbers are always written with a decimal point so that
   * the per-epoch lines parse the same everywhere. */
  setlocale (LC_ALL, "");
  setlocale (LC_NUMERIC, "C");
  reserve_standard_fds ();

  if (argc < 2)
    {
      g_set_prgname ("backprop-cli");
      return bp_cli_fail (BP_CLI_EXIT_USAGE,
                          "no command given: use train, eval, classify, export, backprop, gradcheck or bench (see `backprop-cli --help`)");
    }

  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0
      || strcmp (argv[1], "help") == 0)
    {
      print_usage (stdout);
      return finish (BP_CLI_EXIT_OK);
    }

  if (strcmp (argv[1], "--version") == 0)
    {
      printf ("backprop-cli %s\n", PACKAGE_VERSION);
      return finish (BP_CLI_EXIT_OK);
    }

  for (size_t i = 0; i < G_N_ELEMENTS (subcommands); i++)
    {
      if (strcmp (argv[1], subcommands[i].name) == 0)
        {
          g_autofree char *prgname = g_strdup_printf ("backprop-cli %s", subcommands[i].name);

          /* GOption's --help names the program from here: "Usage: backprop-cli train …". */
          g_set_prgname (prgname);
          return finish (subcommands[i].run (argc - 1, argv + 1));
        }
    }

  g_set_prgname ("backprop-cli");
  if (argv[1][0] == '-')
    return bp_cli_fail (BP_CLI_EXIT_USAGE,
                        "unknown option '%s' before the command (see `backprop-cli --help`)",
                        argv[1]);

  return bp_cli_fail (BP_CLI_EXIT_USAGE,
                      "unknown command '%s': use train, eval, classify, export, backprop, gradcheck or bench (see `backprop-cli --help`)",
                      argv[1]);
}
