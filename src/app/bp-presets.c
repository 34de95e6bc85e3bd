/* bp-presets.c — the book's experiments (bp-book-presets) as the controls panel offers them
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The table itself lives in the engine, shared with `backprop-cli train --preset`, each entry a
 * BpRun; this file adds the translated descriptions and finds the preset a run is.
 */
#include "config.h"

#include "bp-presets.h"

#include <glib/gi18n.h>

static GArray *presets;  /* BpPreset, built on first use */

static void
preset_clear (gpointer data)
{
  BpPreset *preset = data;

  g_free (preset->description);
}

static void
ensure_presets (void)
{
  const BpBookPreset *book;
  size_t n;

  if (presets != NULL)
    return;

  presets = g_array_new (FALSE, TRUE, sizeof (BpPreset));
  g_array_set_clear_func (presets, preset_clear);
  book = bp_book_presets (&n);
  for (size_t i = 0; i < n; i++)
    {
      const char *text;
      BpPreset preset;

      /* The engine's descriptions are marked for translation in bp-book-presets.c; an English
       * one starts in lower case, to follow "--preset NAME:" on a terminal. */
      text = g_dgettext (GETTEXT_PACKAGE, book[i].description);
      preset.book = &book[i];
      preset.description = g_strdup_printf ("%c%s", g_ascii_toupper (text[0]), text + 1);
      g_array_append_val (presets, preset);
    }
}

guint
bp_presets_get_count (void)
{
  ensure_presets ();
  return presets->len;
}

const BpPreset *
bp_presets_get (guint index)
{
  ensure_presets ();
  g_return_val_if_fail (index < presets->len, NULL);

  return &g_array_index (presets, BpPreset, index);
}

int
bp_presets_find_by_name (const char *name)
{
  ensure_presets ();
  for (guint i = 0; i < presets->len; i++)
    if (g_strcmp0 (g_array_index (presets, BpPreset, i).book->name, name) == 0)
      return (int) i;
  return -1;
}

gboolean
bp_presets_matches (guint        index,
                    const BpRun *run)
{
  BpRun candidate;

  ensure_presets ();
  g_return_val_if_fail (index < presets->len, FALSE);
  g_return_val_if_fail (run != NULL, FALSE);

  candidate = g_array_index (presets, BpPreset, index).book->run;
  candidate.seed = run->seed;
  if (bp_run_equal (&candidate, run))
    return TRUE;
  /* A comparison's runs are the preset's too (chapter 5's two to four hidden layers). */
  return bp_presets_variant_of (index, run) >= 0;
}

int
bp_presets_variant_of (guint        index,
                       const BpRun *run)
{
  const BpBookPreset *book;
  BpRun candidate;

  ensure_presets ();
  g_return_val_if_fail (index < presets->len, -1);
  g_return_val_if_fail (run != NULL, -1);

  book = g_array_index (presets, BpPreset, index).book;
  for (size_t v = 0; v < book->n_variants; v++)
    if (bp_book_preset_apply_variant (book, v, 0, &candidate, NULL))
      {
        candidate.seed = run->seed;
        if (bp_run_equal (&candidate, run))
          return (int) v;
      }
  return -1;
}

int
bp_presets_find (const BpRun *run)
{
  ensure_presets ();
  for (guint i = 0; i < presets->len; i++)
    if (bp_presets_matches (i, run))
      return (int) i;
  return -1;
}
