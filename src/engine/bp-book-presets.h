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

#ifdef __cplusplus
extern "C" {
#endif

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

#ifdef __cplusplus
}
#endif
