/* bp-presets.h — the book's experiments (bp-book-presets) as the controls panel offers them
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "bp-book-presets.h"

G_BEGIN_DECLS

typedef struct
{
  const BpBookPreset *book;        /* the engine's preset: its stable name and its run */
  char               *description; /* the engine's one-line description, translated, capitalised */
} BpPreset;

guint           bp_presets_get_count (void);
/* The preset at @index (below bp_presets_get_count()). */
const BpPreset *bp_presets_get (guint index);
/* The index of the preset called @name (the engine's stable names), or -1. */
int             bp_presets_find_by_name (const char *name);
/* Whether preset @index is @run, the seed aside, or one of its variants. Some experiments
 * start from the same run (chapter 5's depths from chapter 3's initialisation run), so several
 * may match. */
gboolean        bp_presets_matches (guint        index,
                                    const BpRun *run);
/* The variant of preset @index that @run is, the seed aside, or -1. */
int             bp_presets_variant_of (guint        index,
                                       const BpRun *run);
/* The index of the first preset that matches, or -1 for a custom configuration. */
int             bp_presets_find (const BpRun *run);

G_END_DECLS
