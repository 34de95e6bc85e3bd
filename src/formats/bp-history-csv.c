/* bp-history-csv.c — the metric history as CSV, for backprop-cli train --csv and the app's export
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-history-csv.h"

#include <math.h>

/* A cell: empty for a metric that was not measured; g_ascii_formatd() for a '.' decimal point
 * under any locale (the app runs with the user's LC_NUMERIC, where it may be a comma, the CSV
 * separator). */
static void
append_number (GString *out,
               double   value)
{
  char cell[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_c (out, ',');
  if (!isnan (value))
    g_string_append (out, g_ascii_formatd (cell, sizeof cell, "%.9g", value));
}

char *
bp_history_csv_format (const BpEpochMetrics *history,
                       size_t                n_epochs)
{
  GString *out;
  size_t n_speeds = 0;

  g_return_val_if_fail (history != NULL || n_epochs == 0, NULL);

  for (size_t i = 0; i < n_epochs; i++)
    n_speeds = MAX (n_speeds, MIN (history[i].n_speeds, (size_t) BP_MAX_LAYERS));

  out = g_string_new (BP_HISTORY_CSV_HEADER);
  /* The speed columns only when there are speeds, so that other tables stay as they were. */
  if (n_speeds > 0)
    {
      g_string_truncate (out, out->len - 1);
      for (size_t k = 1; k <= n_speeds; k++)
        g_string_append_printf (out, ",speed_%zu", k);
      g_string_append_c (out, '\n');
    }
  for (size_t i = 0; i < n_epochs; i++)
    {
      const BpEpochMetrics *m = &history[i];

      g_string_append_printf (out, "%u", m->epoch);
      append_number (out, m->train_cost);
      append_number (out, m->train_accuracy);
      append_number (out, m->validation_cost);
      append_number (out, m->validation_accuracy);
      append_number (out, m->test_cost);
      append_number (out, m->test_accuracy);
      append_number (out, m->seconds);
      append_number (out, m->eta);
      for (size_t k = 0; k < n_speeds; k++)
        append_number (out, k < m->n_speeds ? m->speed[k] : NAN);
      g_string_append_c (out, '\n');
    }

  return g_string_free (out, FALSE);
}
