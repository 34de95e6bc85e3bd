/* bp-presets.c — the book's experiments (bp-book-presets) as the controls panel offers them
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The table itself lives in the engine, shared with `backprop-cli train --preset`; this file
 * turns each entry into the session's terms once.
 */
#include "config.h"

#include "bp-presets.h"

#include <glib/gi18n.h>
#include <string.h>

#include "bp-book-presets.h"

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
      const BpBookPreset *p = &book[i];
      BpPreset preset = { 0 };
      BpTrainConfig config;

      bp_session_setup_init (&preset.setup);
      memcpy (preset.setup.sizes, p->sizes, sizeof preset.setup.sizes);
      preset.setup.n_layers = p->n_layers;
      preset.setup.activation = p->activation;
      preset.setup.output = p->output;
      preset.setup.cost = p->cost;
      preset.setup.init = p->init;
      preset.setup.train_size = p->train_size;

      bp_train_config_init (&config);
      bp_book_preset_apply (p, 0, &config);
      preset.hyper = config.hyper;
      preset.epochs = config.epochs;
      preset.setup.early_stop = config.early_stop;
      preset.setup.schedule = config.schedule;
      preset.setup.expand = config.expand;

      preset.name = p->name;
      /* The engine's descriptions are marked for translation in bp-book-presets.c; an English
       * one starts in lower case, to follow "--preset NAME:" on a terminal. */
      {
        const char *text = g_dgettext (GETTEXT_PACKAGE, p->description);

        preset.description = g_strdup_printf ("%c%s", g_ascii_toupper (text[0]), text + 1);
      }
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
    if (g_strcmp0 (g_array_index (presets, BpPreset, i).name, name) == 0)
      return (int) i;
  return -1;
}

static gboolean
hyper_equal (const BpHyperparams *a,
             const BpHyperparams *b)
{
  return a->eta == b->eta
         && a->lambda_l2 == b->lambda_l2
         && a->lambda_l1 == b->lambda_l1
         && a->momentum == b->momentum
         && a->dropout == b->dropout
         && a->batch_size == b->batch_size;
}

gboolean
bp_presets_matches (guint                 index,
                    const BpSessionSetup *setup,
                    const BpHyperparams  *hyper,
                    guint                 epochs)
{
  const BpPreset *p;
  BpSessionSetup candidate;

  ensure_presets ();
  g_return_val_if_fail (index < presets->len, FALSE);

  p = &g_array_index (presets, BpPreset, index);
  candidate = p->setup;
  candidate.seed = setup->seed;
  return bp_session_setup_equal (&candidate, setup)
         && hyper_equal (&p->hyper, hyper)
         && p->epochs == epochs;
}

int
bp_presets_find (const BpSessionSetup *setup,
                 const BpHyperparams  *hyper,
                 guint                 epochs)
{
  ensure_presets ();
  for (guint i = 0; i < presets->len; i++)
    if (bp_presets_matches (i, setup, hyper, epochs))
      return (int) i;
  return -1;
}
