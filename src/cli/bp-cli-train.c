/* bp-cli-train.c — `backprop-cli train`: options, the training run, per-epoch lines, saving
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-cli-private.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bp-book-presets.h"
#include "bp-file.h"
#include "bp-history-csv.h"
#include "bp-memory.h"
#include "bp-pool.h"
#include "bp-model-io.h"
#include "bp-run.h"
#include "bp-train.h"

/* The run's settings (bp_run_fields()) that have a flag: at most this many. */
#define MAX_FIELDS 32

/* The option values as typed; NULL when an option was not given, so that a preset or a model
 * loaded with --load can supply what the command line leaves out. */
typedef struct
{
  char     *preset;
  gboolean  list_presets;
  char     *layers;
  char     *net;
  char     *activation;
  char     *output;
  char     *cost;
  char     *fields[MAX_FIELDS]; /* by index in bp_run_fields() */
  char     *monitor_every;
  char     *kernel;
  char     *threads;
  char     *data_dir;
  char     *load;
  char     *save;
  char     *csv;
  gboolean  learning_speed;
  gboolean  all_variants;
  char     *extra_data;
  char     *extra_repeat;
} TrainOptions;

/* Everything the callbacks of one run need. */
typedef struct
{
  BpNetwork     *net;
  BpTrainer     *trainer;
  BpRun          config;         /* the run as it started */
  BpTrainOptions options;
  const char    *save_path;
  const char    *csv_path;
  size_t         train_size;     /* examples in the training set, recorded in the model */
  GArray        *history;        /* BpEpochMetrics: the loaded model's epochs, then this run's */
  unsigned       epoch_offset;   /* epochs the loaded model had already done */
  BpEpochMetrics initial_speed;  /* --learning-speed: epoch 0's, when n_speeds > 0 */
  bool           progress_bar;   /* stderr is a terminal */
  bool           bar_shown;
  gint64         last_bar_time;
  bool           write_failed;   /* a per-epoch save or CSV write failed; the run was cancelled */
  bool           output_failed;  /* standard output failed; the run was cancelled */
  char          *write_error;
} TrainRun;

/* The process-wide state a signal handler can reach: the flag the trainer polls between
 * mini-batches, and which signal asked to stop first (for the exit status, 128 + its number). */
static atomic_int cancel_flag;
static volatile sig_atomic_t stop_signal;

static void
stop_cb (int signum)
{
  if (stop_signal == 0)
    stop_signal = signum;
  atomic_store (&cancel_flag, 1);
}

/* Ctrl+C (SIGINT), kill's default SIGTERM and a closed terminal (SIGHUP) all stop the run
 * between two mini-batches; the model is then saved once, and the command exits with 128 + the
 * signal's number. The handler only sets flags and stays in place until the command ends, so a
 * second signal while a file is being written waits for the write to finish: no temporary file
 * is left and no file is left half-written. (SIGKILL is the way to end it at once.) */
static void
install_stop_handlers (void)
{
  static const int signals[] = { SIGINT, SIGTERM, SIGHUP };
  struct sigaction action;

  memset (&action, 0, sizeof action);
  action.sa_handler = stop_cb;
  sigemptyset (&action.sa_mask);
  for (size_t i = 0; i < G_N_ELEMENTS (signals); i++)
    sigaddset (&action.sa_mask, signals[i]);
  action.sa_flags = SA_RESTART;
  for (size_t i = 0; i < G_N_ELEMENTS (signals); i++)
    sigaction (signals[i], &action, NULL);
}

static void
train_options_clear (TrainOptions *options)
{
  char **fields[] = {
    &options->layers, &options->net, &options->activation, &options->output, &options->cost,
    &options->monitor_every, &options->kernel, &options->data_dir, &options->load,
    &options->save, &options->csv, &options->preset, &options->extra_data,
    &options->extra_repeat, &options->threads,
  };

  for (size_t i = 0; i < G_N_ELEMENTS (fields); i++)
    g_clear_pointer (fields[i], g_free);
  for (size_t i = 0; i < MAX_FIELDS; i++)
    g_clear_pointer (&options->fields[i], g_free);
}

static bool
parse_unsigned_option (const char *option,
                       const char *text,
                       guint64     max,
                       guint64    *out)
{
  if (text == NULL)
    return true;
  return bp_cli_parse_unsigned (option, text, max, out);
}

/* Set @field of @run from the text of its flag. Range checks come later, for the whole run. */
static bool
parse_field (const BpRunField *field,
             const char       *text,
             BpRun            *run)
{
  g_autofree char *option = g_strdup_printf ("--%s", field->flag);

  switch (field->type)
    {
    case BP_RUN_FLOAT:
      {
        double value;

        if (!bp_cli_parse_double (option, text, &value))
          return false;
        bp_run_field_set_number (run, field, value);
        return true;
      }

    case BP_RUN_ENUM:
      if (!bp_run_field_parse (run, field, text, NULL))
        {
          char choices[256];

          bp_run_field_list_choices (field, false, choices, sizeof choices);
          return bp_cli_usage ("%s: unknown %s '%s' (use %s)", option, field->label, text,
                               choices);
        }
      return true;

    case BP_RUN_SIZE:
    case BP_RUN_UINT:
    case BP_RUN_UINT64:
    default:
      {
        guint64 value;

        if (!bp_cli_parse_unsigned (option, text, bp_run_field_type_max (field), &value))
          return false;
        bp_run_field_set_uint (run, field, value);
        return true;
      }
    }
}

static bool
write_csv (TrainRun *run,
           BpError  *error)
{
  g_autofree char *csv = NULL;

  /* The speed of learning before training is the row of epoch 0. */
  if (run->initial_speed.n_speeds > 0)
    {
      g_autoptr(GArray) rows = g_array_sized_new (FALSE, FALSE, sizeof (BpEpochMetrics),
                                                  run->history->len + 1);

      g_array_append_val (rows, run->initial_speed);
      g_array_append_vals (rows, run->history->data, run->history->len);
      csv = bp_history_csv_format ((const BpEpochMetrics *) (void *) rows->data, rows->len);
    }
  else
    csv = bp_history_csv_format ((const BpEpochMetrics *) (void *) run->history->data,
                                 run->history->len);

  /* A temporary file renamed over the old one, so a reader never sees half a table; a symbolic
   * link is written through and the old file's permissions are kept. */
  return bp_file_replace (run->csv_path, csv, strlen (csv), error);
}

static bool
save_model (TrainRun *run,
            BpError  *error)
{
  BpModelInfo info = { 0 };

  info.has_run = true;
  info.run = run->config;
  info.run.train_size = run->train_size;
  info.history = (BpEpochMetrics *) (void *) run->history->data;
  info.n_history = run->history->len;
  info.n_initial_speeds = run->initial_speed.n_speeds;
  memcpy (info.initial_speed, run->initial_speed.speed, sizeof info.initial_speed);
  /* Borrowed for the call; @info is not cleared, so the trainer keeps its buffer. */
  info.velocity = (float *) bp_trainer_get_velocity (run->trainer);

  return bp_model_save (run->net, &info, run->save_path, error);
}

/* Save and write the CSV after an epoch, so an interrupted run loses at most one epoch. A
 * failure cancels the run: training on for hours with nowhere to save would waste them. */
static void
write_outputs (TrainRun *run)
{
  if (run->write_failed)
    return;

  if (run->save_path != NULL)
    {
      BpError error = { 0 };

      if (!save_model (run, &error))
        {
          run->write_failed = true;
          run->write_error = g_strdup (error.message);
          atomic_store (&cancel_flag, 1);
          return;
        }
    }

  if (run->csv_path != NULL)
    {
      BpError error = { 0 };

      if (!write_csv (run, &error))
        {
          run->write_failed = true;
          run->write_error = g_strdup (error.message);
          atomic_store (&cancel_flag, 1);
        }
    }
}

static void
erase_progress_bar (TrainRun *run)
{
  if (!run->bar_shown)
    return;
  fputs ("\r\033[K", stderr);
  fflush (stderr);
  run->bar_shown = false;
}

static void
progress_cb (const BpProgress *progress,
             void             *user_data)
{
  TrainRun *run = user_data;
  enum { BAR_WIDTH = 30 };
  char bar[BAR_WIDTH + 1];
  size_t filled;
  gint64 now;

  if (!run->progress_bar || progress->n_batches == 0)
    return;

  /* A terminal redrawn after every mini-batch (5,000 per epoch) would cost more than the
   * training; ten updates a second look smooth. */
  now = g_get_monotonic_time ();
  if (run->bar_shown && now - run->last_bar_time < G_USEC_PER_SEC / 10)
    return;
  run->last_bar_time = now;

  filled = progress->batch * BAR_WIDTH / progress->n_batches;
  for (size_t i = 0; i < BAR_WIDTH; i++)
    bar[i] = i < filled ? '#' : '.';
  bar[BAR_WIDTH] = '\0';

  fprintf (stderr, "\r\033[Kepoch %u/%u [%s] %3u%% cost %.4f",
           progress->epoch + run->epoch_offset,
           run->config.epochs + run->epoch_offset,
           bar,
           (unsigned) (progress->batch * 100 / progress->n_batches),
           progress->batch_cost);
  fflush (stderr);
  run->bar_shown = true;
}

/* Whether the trainer computed the monitors after epoch @epoch of this run (1-based, not
 * counting a loaded model's epochs): the rule of bp_trainer_finish_epoch(). */
static bool
epoch_measured (const TrainRun *run,
                unsigned        epoch)
{
  return run->options.monitor_every <= 1
         || epoch % run->options.monitor_every == 0
         || epoch >= run->config.epochs;
}

/* --learning-speed: "speed EPOCH S1 S2 …", one number per hidden layer. */
static void
print_speed (const BpEpochMetrics *m)
{
  printf ("speed %u", m->epoch);
  for (size_t k = 0; k < m->n_speeds; k++)
    printf (" %.6g", m->speed[k]);
  printf ("\n");
}

static void
epoch_done_cb (const BpEpochMetrics *metrics,
               void                 *user_data)
{
  TrainRun *run = user_data;
  BpEpochMetrics m = *metrics;
  char train_cost[32], train_acc[32], val_acc[32], test_acc[32];

  m.epoch += run->epoch_offset;
  g_array_append_val (run->history, m);

  /* An epoch without measurements has nothing to print: a line of "nan"s every epoch would
   * drown the 30 measured ones among 15,000 (--preset ch3-data-size --train-size 100). Saving
   * and the CSV wait for the next measured epoch too; rewriting both after every one of
   * 15,000 tiny epochs would cost more than the training. The run's end writes both again. */
  if (!epoch_measured (run, metrics->epoch))
    return;

  bp_cli_format_fixed (train_cost, sizeof train_cost, 4, m.train_cost);
  bp_cli_format_fixed (train_acc, sizeof train_acc, 4, m.train_accuracy);
  bp_cli_format_fixed (val_acc, sizeof val_acc, 4, m.validation_accuracy);
  bp_cli_format_fixed (test_acc, sizeof test_acc, 4, m.test_accuracy);

  erase_progress_bar (run);
  printf ("epoch %u train_cost %s train_acc %s val_acc %s test_acc %s seconds %.3f\n",
          m.epoch, train_cost, train_acc, val_acc, test_acc, m.seconds);
  if (m.n_speeds > 0)
    print_speed (&m);
  /* A line that cannot be written (a full disk, a closed pipe) stops the run: training on
   * would report nothing. The model is still saved. */
  if (!bp_cli_flush_stdout ())
    {
      run->output_failed = true;
      atomic_store (&cancel_flag, 1);
    }

  write_outputs (run);
}

/* One line on stderr before training, so a log says what produced the numbers below it. */
static void
print_summary (const TrainRun     *run,
               const BpMnist      *mnist,
               const BpBookPreset *preset,
               const char         *load_path)
{
  const BpRun *c = &run->config;
  const BpArch *arch = &run->net->arch;
  g_autoptr(GString) line = g_string_new ("train");
  char layers[256];

  if (preset != NULL)
    g_string_append_printf (line, " preset %s", preset->name);
  bp_arch_format_sizes (arch, '-', layers, sizeof layers);
  g_string_append_printf (line, " layers %s", layers);
  /* What the sizes do not say. */
  if (!bp_arch_is_plain (arch))
    {
      char text[512];

      bp_arch_format (arch, text, sizeof text);
      g_string_append_printf (line, " net %s", text);
    }
  g_string_append_printf (line, " activation %s output %s cost %s",
                          bp_activation_to_string (bp_arch_get_activation (arch)),
                          bp_output_to_string (arch->output),
                          bp_cost_to_string (arch->cost));
  if (load_path != NULL)
    g_string_append_printf (line, " loaded %s (%u epochs done)", load_path, run->epoch_offset);
  else
    g_string_append_printf (line, " init %s", bp_init_to_string (c->init));
  g_string_append_printf (line, " eta %g lambda %g batch %zu epochs %u seed %" G_GUINT64_FORMAT,
                          c->hyper.eta, c->hyper.lambda_l2, c->hyper.batch_size, c->epochs,
                          (guint64) c->seed);
  if (c->hyper.lambda_l1 > 0)
    g_string_append_printf (line, " l1 %g", c->hyper.lambda_l1);
  if (c->hyper.momentum > 0)
    g_string_append_printf (line, " momentum %g", c->hyper.momentum);
  if (c->hyper.dropout > 0)
    g_string_append_printf (line, " dropout %g", c->hyper.dropout);
  if (c->expand != BP_EXPAND_NONE)
    g_string_append_printf (line, " expand %s", bp_expand_to_string (c->expand));
  if (c->early_stop > 0)
    g_string_append_printf (line, " early_stop %u", c->early_stop);
  if (c->schedule > 0)
    g_string_append_printf (line, " schedule %u", c->schedule);
  if (run->options.monitor_every > 1)
    g_string_append_printf (line, " monitor_every %u", run->options.monitor_every);
  g_string_append_printf (line, " train %zu val %zu test %zu kernel %s",
                          mnist->train != NULL ? mnist->train->n : 0,
                          mnist->validation != NULL ? mnist->validation->n : 0,
                          mnist->test != NULL ? mnist->test->n : 0,
                          run->options.kernel == BP_KERNEL_NAIVE ? "naive" : bp_kernel_fast_name ());

  bp_cli_note ("%s", line->str);
}

/* The test accuracy at the epoch of best validation accuracy (the first such epoch), the
 * figure chapter 6 reports: "best validation accuracy 0.9912 at epoch 37: test accuracy 0.9906".
 * Nothing when the validation or test accuracy was not measured. */
static void
print_best_epoch (const TrainRun *run)
{
  const BpEpochMetrics *best = NULL;

  for (guint i = 0; i < run->history->len; i++)
    {
      const BpEpochMetrics *m = &g_array_index (run->history, BpEpochMetrics, i);

      if (isnan (m->validation_accuracy) || isnan (m->test_accuracy))
        continue;
      if (best == NULL || m->validation_accuracy > best->validation_accuracy)
        best = m;
    }
  if (best != NULL)
    bp_cli_note ("best validation accuracy %.4f at epoch %u: test accuracy %.4f",
                 best->validation_accuracy, best->epoch, best->test_accuracy);
}

/* Say why a run that succeeded did fewer epochs than asked; a full run needs no comment. */
static void
print_early_end (const TrainRun *run)
{
  unsigned last_epoch = run->history->len;
  unsigned asked = run->config.epochs + run->epoch_offset;

  switch (bp_trainer_get_stop_reason (run->trainer))
    {
    case BP_STOP_EARLY:
      bp_cli_note ("stopped after epoch %u of %u: no new best validation accuracy in %u epochs "
                   "(--early-stop %u)",
                   last_epoch, asked, run->config.early_stop, run->config.early_stop);
      break;

    case BP_STOP_SCHEDULE:
      bp_cli_note ("stopped after epoch %u of %u: the learning-rate schedule (--schedule %u) "
                   "halved eta from %g down to %g, eta/128",
                   last_epoch, asked, run->config.schedule, run->config.hyper.eta,
                   bp_trainer_get_run (run->trainer)->hyper.eta);
      break;

    case BP_STOP_NONE:
    case BP_STOP_EPOCHS:
    default:
      break;
    }
}

/* Two options naming one file (through a symbolic link or a hard link too) would write over
 * each other: the CSV over the model, or over the model being continued. */
static bool
check_distinct_files (const TrainOptions *options)
{
  if (options->save != NULL && options->csv != NULL
      && bp_file_same_target (options->save, options->csv))
    return bp_cli_usage ("--save %s and --csv %s name the same file: the CSV would overwrite the "
                         "model", options->save, options->csv);
  if (options->load != NULL && options->csv != NULL
      && bp_file_same_target (options->load, options->csv))
    return bp_cli_usage ("--csv %s names the model --load reads: the CSV would overwrite it",
                         options->csv);
  return true;
}

/* The parsed command line, with the defaults or the loaded model's values filled in. */
typedef struct
{
  BpRun          run;
  BpTrainOptions options;
} TrainSetup;

/* The activation, output and cost flags and the layer list (--layers or --net) over @arch;
 * *@have_output says whether the command line named the output layer. */
static bool
build_arch (const TrainOptions *options,
            BpArch             *arch,
            bool               *have_output)
{
  BpActivation activation = bp_arch_get_activation (arch);
  BpOutput output = arch->output;
  BpError error = { 0 };

  if (options->activation != NULL && !bp_activation_from_string (options->activation, &activation))
    return bp_cli_usage ("--activation: unknown activation '%s' (use sigmoid, tanh or relu)",
                         options->activation);

  *have_output = options->output != NULL;
  if (*have_output && !bp_output_from_string (options->output, &output))
    return bp_cli_usage ("--output: unknown output layer '%s' (use sigmoid or softmax)",
                         options->output);

  if (options->cost != NULL && !bp_cost_from_string (options->cost, &arch->cost))
    return bp_cli_usage ("--cost: unknown cost '%s' (use quadratic, cross-entropy or "
                         "log-likelihood)", options->cost);

  if (options->layers != NULL && options->net != NULL)
    return bp_cli_usage ("--net %s and --layers %s both describe the network: give one of them",
                         options->net, options->layers);

  if (options->layers != NULL)
    {
      size_t sizes[BP_MAX_LAYERS], n_sizes;

      if (!bp_parse_layers (options->layers, sizes, &n_sizes, &error))
        return bp_cli_usage ("--layers: %s", error.message);
      bp_arch_from_sizes (arch, sizes, n_sizes, activation, output, arch->cost, NULL);
    }
  else if (options->net != NULL)
    {
      if (!bp_arch_parse (options->net, activation, arch, &error))
        return bp_cli_usage ("--net: %s", error.message);
      /* The layer list names its output layer. */
      if (*have_output && output != arch->output)
        return bp_cli_usage ("--output %s conflicts with --net %s, whose output layer is %s",
                             options->output, options->net, bp_output_to_string (arch->output));
      *have_output = true;
    }
  else
    {
      if (options->activation != NULL)
        bp_arch_set_activation (arch, activation);
      arch->output = output;
    }
  return true;
}

/* Fill @setup from @options over what it holds (the chapter-1 defaults, a preset, or the loaded
 * model's recorded settings). Prints the usage error and returns false on a bad value. */
static bool
build_setup (const TrainOptions *options,
             const BpNetwork    *loaded,
             const char         *load_path,
             TrainSetup         *setup)
{
  BpArch *arch = &setup->run.arch;
  BpError error = { 0 };
  size_t n_fields;
  const BpRunField *fields = bp_run_fields (&n_fields);
  guint64 value;
  bool have_cost, have_output = false;

  for (size_t i = 0; i < n_fields; i++)
    if (options->fields[i] != NULL && !parse_field (&fields[i], options->fields[i], &setup->run))
      return false;
  if (options->fields[bp_run_field_find ("train_size") - fields] != NULL
      && setup->run.train_size == 0)
    return bp_cli_usage ("--train-size: must be at least 1");

  value = setup->options.monitor_every;
  if (!parse_unsigned_option ("--monitor-every", options->monitor_every, G_MAXUINT, &value))
    return false;
  if (options->monitor_every != NULL && value == 0)
    return bp_cli_usage ("--monitor-every: must be at least 1");
  setup->options.monitor_every = (unsigned) value;

  if (options->kernel != NULL)
    {
      if (strcmp (options->kernel, "fast") == 0)
        setup->options.kernel = BP_KERNEL_FAST;
      else if (strcmp (options->kernel, "naive") == 0)
        setup->options.kernel = BP_KERNEL_NAIVE;
      else
        return bp_cli_usage ("--kernel: unknown kernel '%s' (use fast or naive)",
                             options->kernel);
    }

  if (options->threads != NULL)
    {
      guint64 threads = 0;

      if (!parse_unsigned_option ("--threads", options->threads, G_MAXUINT32, &threads))
        return false;
      if (threads == 0 || threads > BP_POOL_MAX_THREADS)
        return bp_cli_usage ("--threads: must be from 1 to %d, not %s", BP_POOL_MAX_THREADS,
                             options->threads);
      setup->options.threads = (size_t) threads;
    }

  have_cost = options->cost != NULL;
  if (!build_arch (options, arch, &have_output))
    return false;

  if (loaded != NULL)
    {
      const BpArch *file = &loaded->arch;
      char file_layers[256];
      BpCost cost = arch->cost;

      /* The architecture comes from the file; a different one on the command line is a
       * mistake worth stopping for, not something to guess about. */
      bp_arch_format_sizes (file, ',', file_layers, sizeof file_layers);
      if (options->layers != NULL)
        {
          size_t a[BP_MAX_LAYERS], b[BP_MAX_LAYERS];
          size_t na = bp_arch_get_sizes (arch, a), nb = bp_arch_get_sizes (file, b);

          if (na != nb || memcmp (a, b, na * sizeof a[0]) != 0)
            return bp_cli_usage ("--layers %s conflicts with the model in %s (%s); leave --layers "
                                 "out to continue training it",
                                 options->layers, load_path, file_layers);
        }
      if (options->net != NULL)
        {
          BpArch wanted = *arch;

          wanted.cost = file->cost;
          if (!bp_arch_equal (&wanted, file))
            {
              char file_net[512];

              bp_arch_format (file, file_net, sizeof file_net);
              return bp_cli_usage ("--net %s conflicts with the model in %s (%s); leave --net "
                                   "out to continue training it",
                                   options->net, load_path, file_net);
            }
        }
      if (options->activation != NULL
          && bp_arch_get_activation (arch) != bp_arch_get_activation (file))
        return bp_cli_usage ("--activation %s conflicts with the model in %s (%s)",
                             options->activation, load_path,
                             bp_activation_to_string (bp_arch_get_activation (file)));
      if (options->output != NULL && arch->output != file->output)
        return bp_cli_usage ("--output %s conflicts with the model in %s (%s)",
                             options->output, load_path,
                             bp_output_to_string (file->output));

      *arch = *file;
      if (have_cost)
        arch->cost = cost;
    }
  else if (have_cost != have_output && !bp_cost_check_output (arch->cost, arch->output, NULL))
    {
      /* Each of a softmax output and the log-likelihood cost implies the other, so either
       * alone is enough to ask for chapter 3's softmax layer. The one not given changes only
       * when it no longer fits: `--preset ch3-xent --output sigmoid` keeps cross-entropy.
       * A sigmoid output taking over from a softmax one (`--preset best-mlp --output sigmoid`)
       * gets chapter 3's cross-entropy rather than chapter 1's quadratic cost. With --net the
       * layer list names the output layer. */
      if (have_cost)
        arch->output = arch->cost == BP_COST_LOG_LIKELIHOOD ? BP_OUTPUT_SOFTMAX
                                                             : BP_OUTPUT_SIGMOID;
      else
        arch->cost = arch->output == BP_OUTPUT_SOFTMAX ? BP_COST_LOG_LIKELIHOOD
                                                       : BP_COST_CROSS_ENTROPY;
    }

  if (!bp_cost_check_output (arch->cost, arch->output, &error))
    return bp_cli_usage ("--cost %s with --output %s: %s",
                         bp_cost_to_string (arch->cost), bp_output_to_string (arch->output),
                         error.message);

  if (!bp_run_check_fields (&setup->run, &error)
      || !bp_train_options_check (&setup->options, &error))
    return bp_cli_usage ("%s", error.message);

  return true;
}

/* Start @setup from @preset: the options given on the command line are applied over it later,
 * by build_setup(). A --train-size given for ch3-data-size rescales λ, the epochs and how often
 * to measure, as the book does; --lambda, --epochs or --monitor-every, if given, win again. */
static bool
apply_preset (const BpBookPreset *preset,
              const TrainOptions *options,
              TrainSetup         *setup)
{
  size_t n_fields;
  const BpRunField *fields = bp_run_fields (&n_fields);
  const BpRunField *train_size_field = bp_run_field_find ("train_size");
  guint64 train_size = 0;

  if (!parse_unsigned_option ("--train-size", options->fields[train_size_field - fields],
                              G_MAXSIZE, &train_size))
    return false;

  bp_book_preset_apply (preset, (size_t) train_size, &setup->run, &setup->options.monitor_every);
  return true;
}

static void
setup_defaults (TrainSetup        *setup,
                const BpModelInfo *info)
{
  memset (setup, 0, sizeof *setup);

  /* The chapter-1 program: network.py's 784-30-10 sigmoid network with the quadratic cost,
   * N(0, 1) weights, η 3.0, mini-batches of 10, 30 epochs. */
  bp_run_init (&setup->run);
  bp_train_options_init (&setup->options);

  /* Continuing a run: what the command line leaves out is what the run recorded. */
  if (info != NULL && info->has_run)
    setup->run = info->run;
  else if (info != NULL)
    setup->run.train_size = info->run.train_size;
}

/* One training run of the command line's @options (a variant's setting among them), from
 * @preset (or NULL) and its @variant (or (size_t) -1). Returns the exit status. */
static int
train_one (TrainOptions       *options,
           const BpBookPreset *preset,
           size_t              variant)
{
  TrainSetup setup;
  TrainRun run = { 0 };
  BpModelInfo info = { 0 };
  BpNetwork *loaded = NULL;
  BpMnist mnist = { 0 };
  BpError error = { 0 };
  BpDataset *mixed = NULL;
  unsigned epochs_done;
  int status = BP_CLI_EXIT_FAILURE;
  bool ok, keep_files;

  if (options->load != NULL)
    {
      loaded = bp_model_load (options->load, &info, &error);
      if (loaded == NULL)
        {
          status = bp_cli_fail (BP_CLI_EXIT_FAILURE, "%s", error.message);
          goto out;
        }
    }

  setup_defaults (&setup, loaded != NULL ? &info : NULL);
  if ((preset != NULL && !apply_preset (preset, options, &setup))
      || !build_setup (options, loaded, options->load, &setup))
    {
      status = BP_CLI_EXIT_USAGE;
      goto out;
    }

  setup.options.learning_speed = options->learning_speed;
  if (options->learning_speed && setup.run.arch.n_layers < 2)
    {
      status = bp_cli_fail (BP_CLI_EXIT_USAGE, "--learning-speed measures hidden layers, and "
                            "this network has none");
      goto out;
    }

  /* Before a network of that size is made (which zeroes every page of it). */
  if (!bp_cli_check_training_memory (&setup.run, options->save != NULL))
    goto out;

  if (loaded != NULL)
    {
      run.net = g_steal_pointer (&loaded);
      run.net->arch.cost = setup.run.arch.cost;
      run.epoch_offset = (unsigned) info.n_history;
    }
  else
    {
      BpRng rng;

      run.net = bp_network_new (&setup.run.arch, &error);
      if (run.net == NULL)
        {
          status = bp_cli_fail (error.code == BP_ERROR_NOMEM ? BP_CLI_EXIT_FAILURE
                                                             : BP_CLI_EXIT_USAGE,
                                "%s", error.message);
          goto out;
        }
      bp_rng_seed (&rng, setup.run.seed, BP_RNG_STREAM_INIT);
      bp_network_init (run.net, setup.run.init, &rng);
    }

  if ((options->save != NULL && !bp_cli_check_writable ("--save", options->save))
      || (options->csv != NULL && !bp_cli_check_writable ("--csv", options->csv)))
    goto out;

  if (!bp_cli_load_mnist (&mnist, options->data_dir, setup.run.train_size))
    goto out;
  if (setup.run.train_size > mnist.train->n)
    bp_cli_note ("--train-size %zu: the training set has only %zu images; training on all of "
                 "them", setup.run.train_size, mnist.train->n);
  if (options->extra_data != NULL
      && (mixed = bp_cli_mix_extra_data (mnist.train, options->extra_data,
                                         options->extra_repeat)) == NULL)
    goto out;

  run.config = setup.run;
  run.options = setup.options;
  run.save_path = options->save;
  run.csv_path = options->csv;
  run.train_size = mixed != NULL ? mixed->n : mnist.train->n;
  run.progress_bar = isatty (STDERR_FILENO);
  run.history = g_array_new (FALSE, FALSE, sizeof (BpEpochMetrics));
  if (info.n_history > 0)
    g_array_append_vals (run.history, info.history, (guint) info.n_history);
  /* A continued run keeps the speed its model had before its first epoch. */
  run.initial_speed.n_speeds = info.n_initial_speeds;
  memcpy (run.initial_speed.speed, info.initial_speed, sizeof info.initial_speed);
  run.initial_speed.train_cost = run.initial_speed.train_accuracy = NAN;
  run.initial_speed.validation_cost = run.initial_speed.validation_accuracy = NAN;
  run.initial_speed.test_cost = run.initial_speed.test_accuracy = NAN;
  run.initial_speed.seconds = NAN;
  run.initial_speed.eta = NAN;

  run.trainer = bp_trainer_new (run.net, &run.config, &run.options,
                                mixed != NULL ? mixed : mnist.train,
                                mnist.validation, mnist.test, &error);
  if (run.trainer == NULL)
    {
      /* The data not fitting the network (--layers 100,10 on 784-pixel images) is a usage
       * error; running out of memory is not. */
      status = bp_cli_fail (error.code == BP_ERROR_INVALID ? BP_CLI_EXIT_USAGE
                                                           : BP_CLI_EXIT_FAILURE,
                            "%s", error.message);
      goto out;
    }
  /* A continued run picks up its momentum where the saved one left it. */
  if (info.velocity != NULL)
    bp_trainer_set_velocity (run.trainer, info.velocity);

  print_summary (&run, &mnist, preset, options->load);
  if (preset != NULL && (variant == (size_t) -1 || variant == 0))
    bp_cli_print_lesson (preset);

  /* Chapter 5's speed before training: epoch 0 of a new network (the CSV's first row, the
   * model's "initial_speed"); for a loaded one, the speed after its last epoch, which that
   * epoch keeps if it was not measured then. */
  if (options->learning_speed)
    {
      BpEpochMetrics initial;

      if (!bp_trainer_get_initial_speed (run.trainer, &initial, &error))
        {
          status = bp_cli_fail (BP_CLI_EXIT_FAILURE, "%s", error.message);
          goto out;
        }
      initial.epoch = run.epoch_offset;
      if (run.epoch_offset == 0)
        run.initial_speed = initial;
      else
        {
          BpEpochMetrics *last = &g_array_index (run.history, BpEpochMetrics,
                                                 run.epoch_offset - 1);

          if (last->n_speeds == 0)
            {
              last->n_speeds = initial.n_speeds;
              memcpy (last->speed, initial.speed, sizeof last->speed);
            }
        }
      print_speed (&initial);
      if (!bp_cli_flush_stdout ())
        goto out;
    }

  atomic_store (&cancel_flag, 0);
  stop_signal = 0;
  install_stop_handlers ();
  ok = bp_trainer_run (run.trainer, &cancel_flag, progress_cb, epoch_done_cb, &run, &error);
  erase_progress_bar (&run);
  epochs_done = run.history->len - run.epoch_offset;
  /* A file that is there is replaced only by a network that has finished an epoch of this run
   * without diverging: a run that fails or is stopped in its first epoch leaves the last good
   * model (and the CSV's rows) as they were. A file not there yet is written all the same. */
  keep_files = epochs_done == 0;

  if (run.write_failed)
    {
      status = bp_cli_fail (BP_CLI_EXIT_FAILURE, "%s", run.write_error);
      goto out;
    }

  if (ok)
    {
      print_early_end (&run);
      print_best_epoch (&run);
      status = BP_CLI_EXIT_OK;
      if (preset != NULL)
        bp_cli_report_book (preset, variant, &setup.run,
                            (const BpEpochMetrics *) (void *) run.history->data + run.epoch_offset,
                            run.history->len - run.epoch_offset, run.train_size, run.net,
                            mnist.test);
    }
  else if (error.code == BP_ERROR_CANCELLED && stop_signal != 0)
    {
      const char *how = stop_signal == SIGINT ? "interrupted"
                        : stop_signal == SIGTERM ? "stopped by SIGTERM" : "stopped by SIGHUP";

      if (options->save != NULL && (!keep_files || !g_file_test (options->save, G_FILE_TEST_EXISTS)))
        bp_cli_note ("%s in epoch %u; saving the model to %s",
                     how, run.epoch_offset + epochs_done + 1, options->save);
      else
        bp_cli_note ("%s in epoch %u", how, run.epoch_offset + epochs_done + 1);
      status = 128 + stop_signal;
    }
  else if (error.code == BP_ERROR_CANCELLED)
    {
      /* Standard output failed, which bp_cli_flush_stdout() has said. */
      status = BP_CLI_EXIT_FAILURE;
    }
  else
    {
      /* Divergence: the trainer has put back the parameters of the start of the epoch, the
       * last good ones, and those are what gets saved below (if an epoch finished). */
      status = bp_cli_fail (BP_CLI_EXIT_FAILURE, "%s", error.message);
    }
  if (run.output_failed && status == BP_CLI_EXIT_OK)
    status = BP_CLI_EXIT_FAILURE;

  /* The end-of-run save: after an interruption it keeps the mini-batches done in the last,
   * incomplete epoch; otherwise it repeats the last epoch's save. Never write non-finite
   * numbers over a good file, nor a network that has not finished an epoch. */
  if (options->save != NULL && bp_network_is_finite (run.net))
    {
      BpError save_error = { 0 };

      if (keep_files && g_file_test (options->save, G_FILE_TEST_EXISTS))
        bp_cli_note ("%s: not saved over: no epoch of this run finished, so the file keeps its "
                     "model", options->save);
      else if (!save_model (&run, &save_error))
        status = bp_cli_fail (BP_CLI_EXIT_FAILURE, "%s", save_error.message);
    }

  /* With --monitor-every the epochs after the last measured one are not in the CSV yet. */
  if (options->csv != NULL)
    {
      BpError csv_error = { 0 };

      if (keep_files && g_file_test (options->csv, G_FILE_TEST_EXISTS))
        bp_cli_note ("%s: not written over: no epoch of this run finished, so the file keeps its "
                     "rows", options->csv);
      else if (!write_csv (&run, &csv_error))
        status = bp_cli_fail (BP_CLI_EXIT_FAILURE, "%s", csv_error.message);
    }

out:
  if (run.trainer != NULL)
    bp_trainer_free (run.trainer);
  if (run.net != NULL)
    bp_network_free (run.net);
  if (loaded != NULL)
    bp_network_free (loaded);
  if (run.history != NULL)
    g_array_unref (run.history);
  g_free (run.write_error);
  g_clear_pointer (&mixed, bp_dataset_free);
  bp_mnist_clear (&mnist);
  bp_model_info_clear (&info);

  return status;
}

/* --all-variants: every variant of @preset in turn, each announced by a line "variant NAME" on
 * standard output, its setting replacing the command line's (and its name added to the --save
 * and --csv files). Stops at the first run that fails or is stopped. */
static int
train_variants (TrainOptions       *options,
                const BpBookPreset *preset)
{
  size_t n_fields;
  const BpRunField *fields = bp_run_fields (&n_fields);
  char *save = options->save, *csv = options->csv;
  int status = BP_CLI_EXIT_OK;

  for (size_t i = 0; i < preset->n_variants && status == BP_CLI_EXIT_OK; i++)
    {
      const BpBookVariant *v = &preset->variant[i];
      char **slot;
      char *given;

      if (strcmp (v->setting, "layers") == 0)
        slot = &options->layers;
      else
        slot = &options->fields[bp_run_field_find (v->setting) - fields];
      given = *slot;
      *slot = g_strdup (v->value);
      options->save = save != NULL ? bp_cli_variant_path (save, v->name) : NULL;
      options->csv = csv != NULL ? bp_cli_variant_path (csv, v->name) : NULL;

      printf ("variant %s\n", v->name);
      if (!bp_cli_flush_stdout ())
        status = BP_CLI_EXIT_FAILURE;
      else
        status = train_one (options, preset, i);

      g_free (*slot);
      *slot = given;
      g_free (options->save);
      g_free (options->csv);
      options->save = save;
      options->csv = csv;
    }
  return status;
}

/* The option entries: the fixed ones, and a flag for each setting of the run that has one, in
 * the table's order (with --monitor-every, the trainer's, after --expand). Free with g_free(). */
static GOptionEntry *
option_entries (TrainOptions *options)
{
  size_t n_fields;
  const BpRunField *fields = bp_run_fields (&n_fields);
  GArray *entries = g_array_new (TRUE, TRUE, sizeof (GOptionEntry));
  const GOptionEntry head[] = {
    { "preset", 0, 0, G_OPTION_ARG_STRING, &options->preset,
      "Start from one of the book's experiments; the options given override it", "NAME" },
    { "list-presets", 0, 0, G_OPTION_ARG_NONE, &options->list_presets,
      "List the presets and exit", NULL },
    { "all-variants", 0, 0, G_OPTION_ARG_NONE, &options->all_variants,
      "Run every variant of a comparison preset in turn (--save and --csv get the variant's "
      "name)", NULL },
    { "layers", 0, 0, G_OPTION_ARG_STRING, &options->layers,
      "Layer sizes, input first (default 784,30,10)", "N,N,…" },
    { "net", 0, 0, G_OPTION_ARG_STRING, &options->net,
      "Layer list instead of --layers: fc30,softmax10, fc100:relu, fc30:dropout=0.5", "LAYERS" },
    { "activation", 0, 0, G_OPTION_ARG_STRING, &options->activation,
      "Hidden activation: sigmoid (default), tanh or relu", "NAME" },
    { "output", 0, 0, G_OPTION_ARG_STRING, &options->output,
      "Output layer: sigmoid (default) or softmax", "NAME" },
    { "cost", 0, 0, G_OPTION_ARG_STRING, &options->cost,
      "Cost: quadratic (default), cross-entropy or log-likelihood (softmax)", "NAME" },
  };
  const GOptionEntry monitor_every = {
    "monitor-every", 0, 0, G_OPTION_ARG_STRING, &options->monitor_every,
    "Measure every Nth epoch and the last one only (default 1, every epoch)", "N"
  };
  const GOptionEntry tail[] = {
    { "kernel", 0, 0, G_OPTION_ARG_STRING, &options->kernel,
      "Compute kernel: fast (default) or naive", "KIND" },
    { "threads", 0, 0, G_OPTION_ARG_STRING, &options->threads,
      "Threads for each mini-batch (default: every core); any number gives the same result",
      "N" },
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &options->data_dir,
      "Folder of the MNIST IDX files", "DIR" },
    { "extra-data", 0, 0, G_OPTION_ARG_FILENAME, &options->extra_data,
      "Mix the PNG pictures of DIR/0/ … DIR/9/ into the training set", "DIR" },
    { "extra-repeat", 0, 0, G_OPTION_ARG_STRING, &options->extra_repeat,
      "Each --extra-data picture N times (default: ~1 % of the set, at most 20)", "N" },
    { "load", 0, 0, G_OPTION_ARG_FILENAME, &options->load,
      "Continue training the model in FILE (architecture and unset options from it)", "FILE" },
    { "save", 0, 0, G_OPTION_ARG_FILENAME, &options->save,
      "Save the model to FILE after every epoch and at the end", "FILE" },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &options->csv,
      "Write the metrics of every epoch to FILE", "FILE" },
    { "learning-speed", 0, 0, G_OPTION_ARG_NONE, &options->learning_speed,
      "Measure each hidden layer's speed of learning (chapter 5) before training and after "
      "each measured epoch", NULL },
  };

  g_assert (n_fields <= MAX_FIELDS);
  g_array_append_vals (entries, head, G_N_ELEMENTS (head));
  for (size_t i = 0; i < n_fields; i++)
    {
      const BpRunField *field = &fields[i];
      GOptionEntry entry = {
        field->flag, 0, 0, G_OPTION_ARG_STRING, &options->fields[i], field->flag_help,
        field->flag_arg
      };

      if (field->flag == NULL)
        continue;
      g_array_append_val (entries, entry);
      if (strcmp (field->name, "expand") == 0)
        g_array_append_val (entries, monitor_every);
    }
  g_array_append_vals (entries, tail, G_N_ELEMENTS (tail));
  return (GOptionEntry *) (void *) g_array_free (entries, FALSE);
}

int
bp_cli_train (int    argc,
              char **argv)
{
  TrainOptions options = { 0 };
  const BpBookPreset *preset = NULL;
  g_autoptr(GOptionContext) context = NULL;
  int status = BP_CLI_EXIT_FAILURE;
  g_autofree GOptionEntry *entries = option_entries (&options);

  context = g_option_context_new ("— train a network on MNIST");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
    "Prints one line per epoch on stdout:\n"
    "  epoch N train_cost C train_acc A val_acc V test_acc T seconds S\n"
    "(accuracies are fractions; seconds count the training pass alone); with --monitor-every N\n"
    "only measured epochs print a line. --learning-speed adds a line before training and after\n"
    "each of those, `speed N S1 S2 …`: the length of ∂C/∂b of each hidden layer, averaged over\n"
    "the first 1,000 training images (the CSV gets columns speed_1 … speed_k). Ctrl+C (SIGINT) or SIGTERM stops between mini-batches,\n"
    "saves the model if --save was given and exits with 130 (143 for SIGTERM); a second signal\n"
    "waits for the save to finish. A --save or --csv file that exists is replaced only once an\n"
    "epoch of this run has finished without diverging.\n"
    "--preset NAME starts from one of the book's experiments (see --list-presets): its network\n"
    "and settings replace the defaults above, and every option given on the command line\n"
    "overrides the preset's value. With --all-variants every variant of a comparison runs in\n"
    "turn, each after a line `variant NAME`. When a preset's run ends, stderr sets the result\n"
    "beside the book's, and says why a run stuck far below it.\n"
    "--extra-data DIR appends DIR's pictures (preprocessed as `classify` does), repeated\n"
    "--extra-repeat times, to the training set; the trainer shuffles them in every epoch.\n"
    "Exit codes: 0 done (also after early stopping), 1 run-time failure (bad file, missing\n"
    "data, divergence, output lost), 2 usage error, 130/143 stopped by SIGINT/SIGTERM.");

  if (!bp_cli_parse_options (context, &argc, &argv))
    {
      train_options_clear (&options);
      return BP_CLI_EXIT_USAGE;
    }

  if (options.list_presets)
    {
      bp_cli_print_presets ();
      status = BP_CLI_EXIT_OK;
      goto out;
    }

  if (!check_distinct_files (&options))
    {
      status = BP_CLI_EXIT_USAGE;
      goto out;
    }

  if (!bp_cli_check_extra_repeat (options.extra_data, options.extra_repeat))
    {
      status = BP_CLI_EXIT_USAGE;
      goto out;
    }

  if (options.preset != NULL)
    {
      preset = bp_cli_find_preset (options.preset);
      if (preset == NULL)
        {
          status = BP_CLI_EXIT_USAGE;
          goto out;
        }
      /* A preset describes a new network; a loaded model brings its own and its settings. */
      if (options.load != NULL)
        {
          status = bp_cli_fail (BP_CLI_EXIT_USAGE,
                                "--preset starts a new network and cannot be combined with "
                                "--load %s", options.load);
          goto out;
        }
    }

  if (options.all_variants && (preset == NULL || preset->n_variants == 0))
    {
      status = bp_cli_fail (BP_CLI_EXIT_USAGE, "--all-variants runs the variants of a comparison "
                            "preset: ch3-init, ch3-eta, ch3-data-size or ch5-depth");
      goto out;
    }
  if (options.all_variants)
    status = train_variants (&options, preset);
  else
    status = train_one (&options, preset, (size_t) -1);

out:
  train_options_clear (&options);
  return status;
}
