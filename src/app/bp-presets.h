/* bp-presets.h — the book's experiments (bp-book-presets) as the controls panel offers them
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "bp-session.h"

G_BEGIN_DECLS

typedef struct
{
  const char    *name;        /* the engine's stable name: "ch1-30", "ch3-l2", … */
  char          *description; /* the engine's one-line description, capitalised */
  BpSessionSetup setup;       /* seed 1 */
  BpHyperparams  hyper;
  guint          epochs;
} BpPreset;

guint           bp_presets_get_count (void);
/* The preset at @index (below bp_presets_get_count()). */
const BpPreset *bp_presets_get (guint index);
/* The index of the preset called @name (the engine's stable names), or -1. */
int             bp_presets_find_by_name (const char *name);
/* Whether preset @index has the network, training-set size, run options and learning settings
 * of @setup, @hyper and @epochs (the seed aside). Some experiments start from the same
 * settings (chapter 5's depths from chapter 3's initialisation run), so several may match. */
gboolean        bp_presets_matches (guint                 index,
                                    const BpSessionSetup *setup,
                                    const BpHyperparams  *hyper,
                                    guint                 epochs);
/* The index of the first preset that matches, or -1 for a custom configuration. */
int             bp_presets_find (const BpSessionSetup *setup,
                                 const BpHyperparams  *hyper,
                                 guint                 epochs);

G_END_DECLS
