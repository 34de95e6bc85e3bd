/* bp-cli-lessons.c — `backprop-cli train --preset`: the book's experiments as lessons: the list,
 * what to look for, every variant of a comparison, and the result set beside the book's
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-cli-private.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bp-file.h"
#include "bp-memory.h"
#include "bp-metrics.h"

/* --list-presets: "NAME  description", the names padded to one column, and under a preset that
 * compares runs the flags that vary, as bench/book-results.sh reads them. */
void
bp_cli_print_presets (void)
{
  const BpBookPreset *presets;
  size_t n_presets, width = 0;

  presets = bp_book_presets (&n_presets);
  for (size_t i = 0; i < n_presets; i++)
    width = MAX (width, strlen (presets[i].name));

  for (size_t i = 0; i < n_presets; i++)
    {
      printf ("%-*s  %s\n", (int) width, presets[i].name, presets[i].description);
      if (presets[i].variants != NULL)
        printf ("%-*s  variants: %s\n", (int) width, "", presets[i].variants);
    }
}

const BpBookPreset *
bp_cli_find_preset (const char *name)
{
  const BpBookPreset *preset = bp_book_preset_find (name);
  const BpBookPreset *presets;
  g_autoptr(GString) names = g_string_new (NULL);
  size_t n_presets;

  if (preset != NULL)
    return preset;

  presets = bp_book_presets (&n_presets);
  for (size_t i = 0; i < n_presets; i++)
    g_string_append_printf (names, "%s%s", i > 0 ? ", " : "", presets[i].name);
  bp_cli_usage ("--preset: unknown preset '%s' (use %s; see --list-presets)", name, names->str);
  return NULL;
}

void
bp_cli_print_lesson (const BpBookPreset *preset)
{
  bp_cli_note ("%s (%s)", preset->section, preset->url);
  bp_cli_note ("figure: %s", preset->figure);
  bp_cli_note ("look for: %s", preset->look_for);
}

char *
bp_cli_variant_path (const char *path,
                     const char *variant)
{
  g_autofree char *folder = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  const char *dot = strrchr (base, '.');
  g_autofree char *name = NULL;

  /* net.json → net-eta-0.25.json; a name without an extension gets the suffix at its end. */
  if (dot != NULL && dot != base)
    name = g_strdup_printf ("%.*s-%s%s", (int) (dot - base), base, variant, dot);
  else
    name = g_strdup_printf ("%s-%s", base, variant);
  return strcmp (folder, ".") == 0 && !g_str_has_prefix (path, "./")
         ? g_steal_pointer (&name) : g_build_filename (folder, name, NULL);
}

/* "8 or 9", "0, 8 and 9" */
static void
append_digits (GString  *text,
               unsigned  mask)
{
  unsigned n = 0, seen = 0;

  for (unsigned d = 0; d < 32; d++)
    n += (mask >> d) & 1u;
  for (unsigned d = 0; d < 32; d++)
    if (mask & (1u << d))
      {
        seen++;
        if (seen > 1)
          g_string_append (text, seen == n ? " or " : ", ");
        g_string_append_printf (text, "%u", d);
      }
}

void
bp_cli_report_book (const BpBookPreset   *preset,
                    size_t                variant,
                    const BpRun          *run,
                    const BpEpochMetrics *history,
                    size_t                n_history,
                    size_t                train_size,
                    const BpNetwork      *net,
                    const BpDataset      *test)
{
  bool accuracy = bp_book_metric_is_accuracy (preset->book_metric);
  bool test_metric = strcmp (preset->book_metric, "test") == 0;
  bool at_best_validation = strncmp (preset->book_metric, "test at", 7) == 0;
  double book, best = NAN, best_key = NAN, last_cost = NAN;
  unsigned best_epoch = 0;
  BpRun book_run;
  bool full_run;

  if (n_history == 0)
    return;

  /* The run is the book's when it trained as long, on as much data and with the same learning
   * settings; a shorter run is not finished, and may end anywhere. */
  if (variant == (size_t) -1)
    variant = bp_book_preset_find_variant (preset, run);
  if (variant == (size_t) -1
      || !bp_book_preset_apply_variant (preset, variant, 0, &book_run, NULL))
    bp_book_preset_apply (preset, 0, &book_run, NULL);
  full_run = n_history >= book_run.epochs
             && train_size >= (book_run.train_size > 0 ? book_run.train_size : 50000)
             && bp_hyperparams_equal (&book_run.hyper, &run->hyper);
  book = bp_book_preset_book_value (preset, variant);
  for (size_t i = 0; i < n_history; i++)
    {
      double a = test_metric ? history[i].test_accuracy : history[i].validation_accuracy;

      if (!isnan (a) && (isnan (best_key) || a > best_key))
        {
          best_key = a;
          /* Chapter 6 scores the test accuracy at the epoch of best validation accuracy. */
          best = at_best_validation ? history[i].test_accuracy : a;
          best_epoch = history[i].epoch;
        }
      if (!isnan (history[i].train_cost))
        last_cost = history[i].train_cost;
    }

  if (!accuracy)
    {
      if (isnan (book))
        bp_cli_note ("you: training cost %.3f after epoch %u", last_cost,
                     history[n_history - 1].epoch);
      else
        bp_cli_note ("you: training cost %.3f, the book: %.3f (after the last epoch)",
                     last_cost, book);
      return;
    }
  if (isnan (best))
    return;
  if (isnan (book))
    {
      bp_cli_note ("you: %.2f %% %s accuracy (best, epoch %u); the book gives a figure for each "
                   "variant (--all-variants runs them all)", best * 100, preset->book_metric,
                   best_epoch);
      return;
    }
  if (at_best_validation)
    bp_cli_note ("you: %.2f %%, the book: %.2f %% (test accuracy at the best validation epoch: %u)",
                 best * 100, book, best_epoch);
  else
    bp_cli_note ("you: %.2f %%, the book: %.2f %% (%s accuracy, best epoch: %u)",
                 best * 100, book, preset->book_metric, best_epoch);

  if (bp_book_run_stuck (best * 100, book, full_run))
    {
      g_autoptr(GString) why = g_string_new (NULL);
      BpEvaluation evaluation = { 0 };
      unsigned never = 0;
      uint64_t other = preset->run.seed != run->seed ? preset->run.seed : run->seed + 1;

      if (test != NULL && bp_evaluate (net, test, 0, 0, 1, true, &evaluation, NULL))
        never = bp_book_digits_rarely_predicted (evaluation.confusion, evaluation.n_classes);
      bp_evaluation_clear (&evaluation);

      g_string_append_printf (why, "stuck: %.2f %% is far below the book's %.2f %%. ",
                              best * 100, book);
      if (never != 0)
        {
          g_string_append (why, "The network hardly ever guesses ");
          append_digits (why, never);
          g_string_append (why, ": their output neurons");
        }
      else
        g_string_append (why, "Some output neurons");
      g_string_append (why, " saturated early (a sigmoid stuck near 0, where "
                       "σ′ ≈ 0, hardly learns), the bad start the book warns of when it says "
                       "runs vary. ");
      g_string_append_printf (why, "Another seed starts elsewhere: try --seed %" G_GUINT64_FORMAT
                              ".", (guint64) other);
      bp_cli_note ("%s", why->str);
    }
}

/* ── Checks before training (bp-cli-train.c) ── */

/* Fail before training rather than after the first epoch when @path cannot be written: an hour
 * of training should not end in "No such file or directory". A symbolic link is judged by what
 * it points to, and anything but a regular file (a device, a FIFO, a socket) is refused: a save
 * replaces the file, and must not turn /dev/sda into a model. */
bool
bp_cli_check_writable (const char *option,
                       const char *path)
{
  g_autofree char *folder = NULL;
  BpError error = { 0 };
  char *target;

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      bp_cli_fail (BP_CLI_EXIT_FAILURE, "%s: is a folder, not a file", path);
      return false;
    }
  target = bp_file_resolve_target (path, &error);
  if (target == NULL)
    {
      bp_cli_fail (BP_CLI_EXIT_FAILURE, "%s (%s)", error.message, option);
      return false;
    }
  folder = g_path_get_dirname (target);
  free (target);
  if (access (folder, W_OK) != 0)
    {
      bp_cli_fail (BP_CLI_EXIT_FAILURE, "%s: cannot write in the folder %s: %s",
                   path, folder, g_strerror (errno));
      return false;
    }
  return true;
}

/* Whether training the network of @run (and saving it, with @save) fits in the memory limit,
 * estimated before anything of that size is allocated or touched: the trainer's buffers for up
 * to MNIST's 60,000 images, and the text of the model file, which is built whole before it is
 * written (some 12 bytes a number; twice as many numbers with momentum's velocities). */
bool
bp_cli_check_training_memory (const BpRun *run,
                              bool         save)
{
  size_t sizes[BP_MAX_LAYERS], n_layers;
  char layers[128], what[160];
  BpError error = { 0 };
  uint64_t need, params = 0;

  n_layers = bp_arch_get_sizes (&run->arch, sizes);
  for (size_t l = 1; l < n_layers; l++)
    params += (uint64_t) sizes[l] * sizes[l - 1] + sizes[l];
  need = bp_trainer_memory_estimate (&run->arch, run,
                                     run->train_size > 0 ? run->train_size : 60000);
  if (save)
    need += params * 16 * (run->hyper.momentum > 0.0f ? 2 : 1);
  bp_arch_format_sizes (&run->arch, '-', layers, sizeof layers);
  g_snprintf (what, sizeof what, "training a %s network%s", layers, save ? " and saving it" : "");
  if (bp_memory_check (need, what, &error))
    return true;
  bp_cli_fail (BP_CLI_EXIT_FAILURE, "%s", error.message);
  return false;
}
