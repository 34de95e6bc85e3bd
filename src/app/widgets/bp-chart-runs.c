/* bp-chart-runs.c — the curves a chart draws: the live run's series and the pinned runs
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-chart-runs.h"

#include <glib/gi18n-lib.h>

typedef struct
{
  char      *label;
  GPtrArray *series; /* BpChartSeries, indexed like the live series when the run was pinned */
} Pin;

struct _BpChartRuns
{
  GPtrArray *series; /* BpChartSeries: the live run */
  GPtrArray *pins;   /* Pin */
};

static void
pin_free (gpointer data)
{
  Pin *pin = data;

  g_free (pin->label);
  g_ptr_array_unref (pin->series);
  g_free (pin);
}

BpChartRuns *
bp_chart_runs_new (void)
{
  BpChartRuns *runs = g_new0 (BpChartRuns, 1);

  runs->series = g_ptr_array_new_with_free_func ((GDestroyNotify) bp_chart_series_free);
  runs->pins = g_ptr_array_new_with_free_func (pin_free);

  return runs;
}

void
bp_chart_runs_free (BpChartRuns *runs)
{
  if (runs == NULL)
    return;

  g_ptr_array_unref (runs->series);
  g_ptr_array_unref (runs->pins);
  g_free (runs);
}

guint
bp_chart_runs_add_series (BpChartRuns *runs,
                          const char  *name,
                          guint        color_index)
{
  g_return_val_if_fail (runs != NULL, 0);

  g_ptr_array_add (runs->series, bp_chart_series_new (name, color_index));

  return runs->series->len - 1;
}

gboolean
bp_chart_runs_append (BpChartRuns *runs,
                      guint        series,
                      double       x,
                      double       y)
{
  g_return_val_if_fail (runs != NULL, FALSE);
  g_return_val_if_fail (series < runs->series->len, FALSE);

  return bp_chart_series_append (g_ptr_array_index (runs->series, series), x, y);
}

void
bp_chart_runs_clear (BpChartRuns *runs)
{
  g_return_if_fail (runs != NULL);

  for (guint i = 0; i < runs->series->len; i++)
    bp_chart_series_clear (g_ptr_array_index (runs->series, i));
}

gboolean
bp_chart_runs_pin (BpChartRuns *runs,
                   const char  *label)
{
  Pin *pin;
  gboolean any = FALSE;

  g_return_val_if_fail (runs != NULL, FALSE);

  for (guint i = 0; i < runs->series->len; i++)
    any |= bp_chart_series_get_n_points (g_ptr_array_index (runs->series, i)) > 0;
  if (!any)
    return FALSE;

  pin = g_new0 (Pin, 1);
  if (label != NULL && *label != '\0')
    pin->label = g_strdup (label);
  else
    pin->label = g_strdup_printf (_("Pinned run %u"), runs->pins->len + 1);
  pin->series = g_ptr_array_new_with_free_func ((GDestroyNotify) bp_chart_series_free);

  /* The live points move into the pin whole; the live series start again empty. */
  for (guint i = 0; i < runs->series->len; i++)
    g_ptr_array_add (pin->series, bp_chart_series_take (g_ptr_array_index (runs->series, i)));

  g_ptr_array_add (runs->pins, pin);

  return TRUE;
}

void
bp_chart_runs_clear_pins (BpChartRuns *runs)
{
  g_return_if_fail (runs != NULL);

  g_ptr_array_set_size (runs->pins, 0);
}

void
bp_chart_runs_remove_series (BpChartRuns *runs)
{
  g_return_if_fail (runs != NULL);

  g_ptr_array_set_size (runs->pins, 0);
  g_ptr_array_set_size (runs->series, 0);
}

guint
bp_chart_runs_get_n_series (const BpChartRuns *runs)
{
  g_return_val_if_fail (runs != NULL, 0);

  return runs->series->len;
}

BpChartSeries *
bp_chart_runs_get_series (const BpChartRuns *runs,
                          guint              series)
{
  g_return_val_if_fail (runs != NULL, NULL);
  g_return_val_if_fail (series < runs->series->len, NULL);

  return g_ptr_array_index (runs->series, series);
}

guint
bp_chart_runs_get_n_pins (const BpChartRuns *runs)
{
  g_return_val_if_fail (runs != NULL, 0);

  return runs->pins->len;
}

const char *
bp_chart_runs_get_pin_label (const BpChartRuns *runs,
                             guint              pin)
{
  g_return_val_if_fail (runs != NULL, NULL);
  g_return_val_if_fail (pin < runs->pins->len, NULL);

  return ((const Pin *) g_ptr_array_index (runs->pins, pin))->label;
}

guint
bp_chart_runs_get_pin_n_series (const BpChartRuns *runs,
                                guint              pin)
{
  g_return_val_if_fail (runs != NULL, 0);
  g_return_val_if_fail (pin < runs->pins->len, 0);

  return ((const Pin *) g_ptr_array_index (runs->pins, pin))->series->len;
}

BpChartSeries *
bp_chart_runs_get_pinned_series (const BpChartRuns *runs,
                                 guint              pin,
                                 guint              series)
{
  const Pin *p;

  g_return_val_if_fail (runs != NULL, NULL);
  g_return_val_if_fail (pin < runs->pins->len, NULL);

  p = g_ptr_array_index (runs->pins, pin);
  g_return_val_if_fail (series < p->series->len, NULL);

  return g_ptr_array_index (p->series, series);
}

gboolean
bp_chart_runs_get_range (const BpChartRuns *runs,
                         gboolean           positive_y,
                         BpChartRange      *range)
{
  gboolean any = FALSE;

  g_return_val_if_fail (runs != NULL, FALSE);
  g_return_val_if_fail (range != NULL, FALSE);

  bp_chart_range_clear (range);
  for (guint p = 0; p < runs->pins->len; p++)
    {
      const Pin *pin = g_ptr_array_index (runs->pins, p);

      for (guint i = 0; i < pin->series->len; i++)
        any |= bp_chart_series_extend_range (g_ptr_array_index (pin->series, i), positive_y, range);
    }
  for (guint i = 0; i < runs->series->len; i++)
    any |= bp_chart_series_extend_range (g_ptr_array_index (runs->series, i), positive_y, range);

  return any;
}
