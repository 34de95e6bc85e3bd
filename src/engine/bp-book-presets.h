/* bp-book-presets.h — the book's experiments as named configurations
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each preset is one training run as the book describes it, with the figure the book reports.
 * Experiments that compare several runs (η values, initialisers, depths, training-set sizes)
 * are one preset plus the flag that varies, listed in `variants`; `bench/book-results.sh` runs
 * every variant. Shared by backprop-cli and the desktop app.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "bp-network.h"
#include "bp-train.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct
{
  const char  *name;          /* stable: "ch1-30", "ch3-l2", … */
  const char  *description;   /* one line, for --list-presets */
  const char  *chapter;       /* "1", "3", "5", or "beyond" */

  size_t       sizes[BP_MAX_LAYERS];
  size_t       n_layers;
  BpActivation activation;
  BpOutput     output;
  BpCost       cost;
  BpInit       init;
  float        eta;
  float        lambda_l2;
  float        lambda_l1;
  float        momentum;
  float        dropout;
  size_t       batch_size;
  unsigned     epochs;
  size_t       train_size;    /* 0 = the full 50,000 */
  unsigned     early_stop;
  unsigned     schedule;
  BpExpand     expand;
  /* ch3-data-size: λ = lambda_l2·size/50,000 and epochs = epochs·50,000/size for a given
   * --train-size, as the book scales them. */
  bool         scale_with_train_size;

  /* What the book reports, to compare against. */
  const char  *variants;      /* e.g. "--eta 0.025 | --eta 0.25 | --eta 2.5", or NULL */
  const char  *book_metric;   /* "test", "validation" or "training cost" */
  const char  *book_figures;  /* e.g. "95.42%" or "96.48 / 96.90 / 96.57 / 96.53%" */
  unsigned     book_runs;     /* the book's figure is the best of this many runs */
} BpBookPreset;

/* All presets, in the book's order; *n_presets receives the count. */
const BpBookPreset *bp_book_presets (size_t *n_presets);

/* The preset called @name, or NULL. */
const BpBookPreset *bp_book_preset_find (const char *name);

/* Fill @config (hyperparameters, epochs, init, early stop, schedule, expansion; seed and kernel
 * are left as they are) from @preset, for a training set of @train_size examples (0 = the
 * preset's own size). */
void bp_book_preset_apply (const BpBookPreset *preset,
                           size_t              train_size,
                           BpTrainConfig      *config);

#ifdef __cplusplus
}
#endif
