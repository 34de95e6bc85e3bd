/* bp-book-presets.h — the book's experiments as named configurations
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each preset is one training run as the book describes it, with the figure the book reports.
 * Experiments that compare several runs (η values, initialisers, depths, training-set sizes)
 * are one preset plus the flag that varies, listed in `variants`; `bench/book-results.sh` runs
 * every variant. Shared by backprop-cli and the desktop app; bp_run_init() is the first.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "bp-run.h"
#include "bp-train.h"

#ifdef __cplusplus
extern "C" {
#endif

/* At most this many runs in one comparison. */
#define BP_BOOK_MAX_VARIANTS 5

/* One run of a comparison: the preset's run with one setting changed, as the book varies it. */
typedef struct
{
  const char  *name;          /* stable, for `variant NAME` lines: "eta-0.025", "layers-2", … */
  const char  *setting;       /* the setting it changes: a bp_run_fields() name, or "layers" */
  const char  *value;         /* its value as that setting's flag takes it: "0.025", "784,30,30,10" */
  const char  *label;         /* for people, marked for translation: "η = 0.025" */
  double       book_value;    /* the book's figure for it (a percentage, or a cost), or NAN */
} BpBookVariant;

typedef struct
{
  const char  *name;          /* stable: "ch1-30", "ch3-l2", … */
  const char  *description;   /* one line, for --list-presets */
  const char  *chapter;       /* "1", "3", "5", "6", or "beyond" */

  BpRun        run;           /* the run as the book describes it, seed 1 */
  /* ch3-data-size: λ = λ·size/50,000 and epochs = epochs·50,000/size for a given
   * --train-size, as the book scales them (bp_book_preset_apply()). */
  bool         scale_with_train_size;

  /* What the book reports, to compare against. */
  const char  *variants;      /* e.g. "--eta 0.025 | --eta 0.25 | --eta 2.5", or NULL */
  const char  *book_metric;   /* "test", "validation", "training cost" or (chapter 6) "test at
                               * the best validation epoch" */
  const char  *book_figures;  /* e.g. "95.42%" or "96.48 / 96.90 / 96.57 / 96.53%" */
  unsigned     book_runs;     /* the book's figure is the best of this many runs */

  /* What to look for, for a learner; the texts are marked for translation (the engine has no
   * gettext: the CLI prints them as they are, the app translates them). */
  const char  *section;       /* the book's chapter and section, "Chapter 3 · Weight initialization" */
  const char  *url;           /* that chapter on neuralnetworksanddeeplearning.com */
  const char  *figure;        /* what the book shows for it: a figure, a table, a number */
  const char  *look_for;      /* one or two sentences: what the learner should see */
  double       book_value;    /* the book's figure in the book's metric (a percentage), or NAN
                               * for a comparison, whose variants carry theirs */

  /* A comparison's runs, in the book's order (bench/book-results.sh reads `variants`). */
  size_t        n_variants;
  BpBookVariant variant[BP_BOOK_MAX_VARIANTS];
} BpBookPreset;

/* All presets, in the book's order; *n_presets receives the count. */
const BpBookPreset *bp_book_presets (size_t *n_presets);

/* The preset called @name, or NULL. */
const BpBookPreset *bp_book_preset_find (const char *name);

/* Make @run @preset's run for a training set of @train_size examples (0 = the preset's own
 * size); the seed stays the caller's. That is the preset's run itself, but for ch3-data-size,
 * whose λ and epochs scale with the size as the book scales them. *@monitor_every (may be NULL)
 * gets how often such a run is worth measuring: 30 times in all, as the book's plots do, rather
 * than after each of 15,000 tiny epochs (1 for the other presets). */
void bp_book_preset_apply (const BpBookPreset *preset,
                           size_t              train_size,
                           BpRun              *run,
                           unsigned           *monitor_every);

/* Make @run variant @index (below @preset->n_variants) of @preset, for a training set of
 * @train_size examples (0: the preset's or the variant's own): bp_book_preset_apply() with the
 * variant's setting changed; for ch3-data-size the variant's size is the training-set size that
 * λ and the epochs scale with. The seed stays the caller's. Returns false (and leaves @run as
 * the preset's) only for a table entry the engine cannot read, a programming error. */
bool bp_book_preset_apply_variant (const BpBookPreset *preset,
                                   size_t              index,
                                   size_t              train_size,
                                   BpRun              *run,
                                   unsigned           *monitor_every);

/* The variant of @preset whose value of the setting the variants change @run has (the rest of
 * @run is not compared), or (size_t) -1. */
size_t bp_book_preset_find_variant (const BpBookPreset *preset,
                                    const BpRun        *run);

/* The book's figure for @preset's variant @index, or for the preset itself when @index is
 * (size_t) -1 or the preset has no variants: a percentage (or a training cost for ch3-eta, whose
 * book_metric says so), NAN when the book gives none. */
double bp_book_preset_book_value (const BpBookPreset *preset,
                                  size_t              index);

/* Whether @book_metric is an accuracy (percentages, higher is better) rather than a cost. */
bool bp_book_metric_is_accuracy (const char *book_metric);

/* A run's result as the book scores @book_metric, from its @n epochs of @history: for "test"
 * or "validation" the best epoch's accuracy of that set; for chapter 6's "test at the best
 * validation epoch" the test accuracy at the first epoch of best validation accuracy; for a
 * cost, the last epoch's training cost. *@value gets the accuracy (a fraction) or the cost and
 * *@epoch the epoch it comes from; false (both untouched) when no epoch measured it. */
bool bp_book_metric_score (const char           *book_metric,
                           const BpEpochMetrics *history,
                           size_t                n,
                           double               *value,
                           unsigned             *epoch);

/* How far below the book a finished run may end before it is called stuck, in percentage
 * points. Runs of the same network differ by a few tenths (bench/BOOK-RESULTS.md); a run that
 * lost this much is a different kind of run: saturated output neurons, not bad luck. */
#define BP_BOOK_STUCK_POINTS 5.0

/* Whether a run that reached @yours % (its best epoch) where the book reports @book % is stuck:
 * more than BP_BOOK_STUCK_POINTS below it, when @full_run says it trained as long and on as much
 * data as the book (a shorter run is simply not finished). False when @book is NAN. */
bool bp_book_run_stuck (double yours,
                        double book,
                        bool   full_run);

/* The digits (bits 0 … 9 of the result) that a network hardly ever predicts, from a
 * @n_classes × @n_classes confusion matrix [true][predicted]: guessed fewer than a tenth as often
 * as they occur. A saturated output neuron whose sigmoid stays near 0 seldom wins. */
unsigned bp_book_digits_rarely_predicted (const size_t *confusion,
                                          size_t        n_classes);

#ifdef __cplusplus
}
#endif
