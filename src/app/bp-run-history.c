/* bp-run-history.c — what a session's runs have measured: epochs, samples, speeds and pins
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The live curves are not stored: they are the epochs after live_from and the samples, which a
 * pin copies into its series as the charts draw them (finite points only).
 */
#include "config.h"

#include "bp-run-history.h"

#include <glib/gi18n.h>

#include <math.h>
#include <string.h>

#include "bp-layer-pictures.h"

struct _BpRunHistory
{
  GArray         *epochs;   /* BpEpochMetrics */
  size_t          n_initial_speeds;
  double          initial_speed[BP_MAX_LAYERS];
  BpSessionPlots *plots;    /* live_from, samples, pins */
};

BpRunHistory *
bp_run_history_new (void)
{
  BpRunHistory *self = g_new0 (BpRunHistory, 1);

  self->epochs = g_array_new (FALSE, FALSE, sizeof (BpEpochMetrics));
  self->plots = bp_session_plots_new ();
  return self;
}

void
bp_run_history_free (BpRunHistory *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->epochs);
  bp_session_plots_free (self->plots);
  g_free (self);
}

void
bp_run_history_restart (BpRunHistory         *self,
                        const BpEpochMetrics *epochs,
                        guint                 n_epochs,
                        const double         *initial_speed,
                        size_t                n_speeds)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (epochs != NULL || n_epochs == 0);

  g_array_set_size (self->epochs, 0);
  if (n_epochs > 0)
    g_array_append_vals (self->epochs, epochs, n_epochs);
  bp_run_history_set_initial_speed (self, initial_speed, n_speeds);
  g_array_set_size (self->plots->samples, 0);
  g_array_set_size (self->plots->marks, 0);
  self->plots->live_from = 0;
}

/* ── Changes of η, λ and μ ────────────────────────────────────────────────────────────────── */

static void
add_change (BpRunHistory *self,
            double        x,
            const char   *name,
            float         from,
            float         to)
{
  BpHyperChange change = { 0 };

  if (from == to)
    return;
  change.x = x;
  g_strlcpy (change.name, name, sizeof change.name);
  change.from = from;
  change.to = to;
  g_array_append_val (self->plots->marks, change);
}

void
bp_run_history_add_changes (BpRunHistory        *self,
                            double               x,
                            const BpHyperparams *from,
                            const BpHyperparams *to)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (from != NULL && to != NULL);

  add_change (self, x, "η", from->eta, to->eta);
  add_change (self, x, "λ", from->lambda_l2, to->lambda_l2);
  add_change (self, x, "μ", from->momentum, to->momentum);
}

const BpHyperChange *
bp_run_history_get_changes (const BpRunHistory *self,
                            guint              *n_changes)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (n_changes != NULL)
    *n_changes = self->plots->marks->len;
  return (const BpHyperChange *) (void *) self->plots->marks->data;
}

char *
bp_hyper_change_to_string (const BpHyperChange *change)
{
  g_return_val_if_fail (change != NULL, NULL);

  return g_strdup_printf ("%s %g → %g", change->name, change->from, change->to);
}

/* ── Epochs ───────────────────────────────────────────────────────────────────────────────── */

void
bp_run_history_add_epoch (BpRunHistory         *self,
                          const BpEpochMetrics *metrics)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (metrics != NULL);

  g_array_append_vals (self->epochs, metrics, 1);
}

guint
bp_run_history_get_n_epochs (const BpRunHistory *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->epochs->len;
}

const BpEpochMetrics *
bp_run_history_get_epochs (const BpRunHistory *self,
                           guint              *n_epochs)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (n_epochs != NULL)
    *n_epochs = self->epochs->len;
  return (const BpEpochMetrics *) (gpointer) self->epochs->data;
}

void
bp_run_history_set_initial_speed (BpRunHistory *self,
                                  const double *speed,
                                  size_t        n_speeds)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (speed != NULL || n_speeds == 0);
  g_return_if_fail (n_speeds <= BP_MAX_LAYERS);

  memset (self->initial_speed, 0, sizeof self->initial_speed);
  if (n_speeds > 0)
    memcpy (self->initial_speed, speed, n_speeds * sizeof (double));
  self->n_initial_speeds = n_speeds;
}

const double *
bp_run_history_get_initial_speed (const BpRunHistory *self,
                                  size_t             *n_speeds)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (n_speeds != NULL, NULL);

  *n_speeds = self->n_initial_speeds;
  return self->n_initial_speeds > 0 ? self->initial_speed : NULL;
}

/* ── The held-out sample ──────────────────────────────────────────────────────────────────── */

void
bp_run_history_add_sample (BpRunHistory *self,
                           double        x,
                           double        accuracy,
                           double        cost)
{
  BpSessionSample sample = { x, accuracy, cost };

  g_return_if_fail (self != NULL);

  g_array_append_val (self->plots->samples, sample);
}

gboolean
bp_run_history_drop_samples_after (BpRunHistory *self,
                                   double        x)
{
  GArray *samples;
  guint keep = 0;

  g_return_val_if_fail (self != NULL, FALSE);

  samples = self->plots->samples;
  while (keep < samples->len && g_array_index (samples, BpSessionSample, keep).x <= x)
    keep++;
  if (keep == samples->len)
    return FALSE;
  g_array_set_size (samples, keep);
  return TRUE;
}

const BpSessionSample *
bp_run_history_get_samples (const BpRunHistory *self,
                            guint              *n_samples)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (n_samples != NULL)
    *n_samples = self->plots->samples->len;
  return (const BpSessionSample *) (gpointer) self->plots->samples->data;
}

/* ── Pinned runs ──────────────────────────────────────────────────────────────────────────── */

/* A point as a chart keeps it: NaN and ∞ are left out. Returns whether it was kept. */
static gboolean
add_point (GArray *series,
           double  x,
           double  y)
{
  BpSessionPoint point = { x, y };

  if (!isfinite (x) || !isfinite (y))
    return FALSE;
  g_array_append_val (series, point);
  return TRUE;
}

gboolean
bp_run_history_pin (BpRunHistory *self,
                    const char   *label)
{
  g_autoptr(BpSessionPin) pin = NULL;
  gboolean any = FALSE;

  g_return_val_if_fail (self != NULL, FALSE);

  pin = bp_session_pin_new (label);
  for (guint i = self->plots->live_from; i < self->epochs->len; i++)
    {
      const BpEpochMetrics *m = &g_array_index (self->epochs, BpEpochMetrics, i);
      double x = m->epoch;

      any |= add_point (pin->accuracy[BP_SESSION_ACCURACY_TRAIN], x, m->train_accuracy);
      any |= add_point (pin->accuracy[BP_SESSION_ACCURACY_VALIDATION], x, m->validation_accuracy);
      any |= add_point (pin->accuracy[BP_SESSION_ACCURACY_TEST], x, m->test_accuracy);
      any |= add_point (pin->cost[BP_SESSION_COST_TRAIN], x, m->train_cost);
      any |= add_point (pin->cost[BP_SESSION_COST_VALIDATION], x, m->validation_cost);
    }
  for (guint i = 0; i < self->plots->samples->len; i++)
    {
      const BpSessionSample *s = &g_array_index (self->plots->samples, BpSessionSample, i);

      any |= add_point (pin->accuracy[BP_SESSION_ACCURACY_SAMPLE], s->x, s->accuracy);
      any |= add_point (pin->cost[BP_SESSION_COST_SAMPLE], s->x, s->cost);
    }
  g_array_append_vals (pin->marks, self->plots->marks->data, self->plots->marks->len);
  if (any)
    g_ptr_array_add (self->plots->pins, g_steal_pointer (&pin));
  /* The pinned points now belong to the pin: the live curves start after them. */
  self->plots->live_from = self->epochs->len;
  g_array_set_size (self->plots->samples, 0);
  g_array_set_size (self->plots->marks, 0);
  return any;
}

static gboolean
has_pin_label (const BpRunHistory *self,
               const char         *label)
{
  for (guint i = 0; i < self->plots->pins->len; i++)
    {
      const BpSessionPin *pin = g_ptr_array_index (self->plots->pins, i);

      if (g_strcmp0 (pin->label, label) == 0)
        return TRUE;
    }
  return FALSE;
}

char *
bp_run_history_make_label (const BpRunHistory *self,
                           const BpRun        *run)
{
  GString *text = g_string_new (NULL);
  const BpHyperparams *hyper = &run->hyper;
  const BpEpochMetrics *epochs;
  BpActivation activation;
  float first_eta, last_eta;
  guint n_epochs, live_from;
  g_autofree char *layers = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (run != NULL, NULL);

  layers = bp_layer_pictures_arch_label (&run->arch);
  epochs = bp_run_history_get_epochs (self, &n_epochs);
  live_from = self->plots->live_from;
  first_eta = n_epochs > live_from ? epochs[live_from].eta : hyper->eta;
  last_eta = n_epochs > 0 ? epochs[n_epochs - 1].eta : hyper->eta;
  g_string_append_printf (text, "%s %s η %g", layers, bp_cost_to_string (run->arch.cost),
                          (double) first_eta);
  /* η changed during the run (by hand or by the schedule): say from what to what. */
  if (last_eta != first_eta)
    g_string_append_printf (text, "→%g", (double) last_eta);
  if (hyper->lambda_l2 > 0.0f)
    g_string_append_printf (text, " λ %g", (double) hyper->lambda_l2);
  if (hyper->batch_size != 10)
    g_string_append_printf (text, " m %zu", hyper->batch_size);
  if (hyper->lambda_l1 > 0.0f)
    g_string_append_printf (text, " λ₁ %g", (double) hyper->lambda_l1);
  if (hyper->momentum > 0.0f)
    g_string_append_printf (text, " μ %g", (double) hyper->momentum);
  if (hyper->dropout > 0.0f)
    g_string_append_printf (text, " dropout %g", (double) hyper->dropout);
  if (run->train_size > 0)
    g_string_append_printf (text, " %zu images", run->train_size);
  if (run->expand != BP_EXPAND_NONE)
    g_string_append_printf (text, " expand %s", bp_expand_to_string (run->expand));
  activation = bp_arch_get_activation (&run->arch);
  if (activation != BP_ACTIVATION_SIGMOID)
    g_string_append_printf (text, " %s", bp_activation_to_string (activation));
  /* The initial weights, as the Initial weights row names them: chapter 3's two runs differ in
   * nothing else. */
  switch (run->init)
    {
    case BP_INIT_LARGE:
      g_string_append (text, " w ~ N(0, 1)");
      break;
    case BP_INIT_NETWORK3:
      g_string_append (text, " w ~ N(0, 1/n_out)");
      break;
    case BP_INIT_DEFAULT:
    default:
      g_string_append (text, " w ~ N(0, 1/√n)");
      break;
    }
  /* Runs that differ in nothing above (another seed, or the same run again) are still told
   * apart: by their seeds, then by their places among the pins. */
  if (has_pin_label (self, text->str))
    g_string_append_printf (text, " seed %" G_GUINT64_FORMAT, (guint64) run->seed);
  if (has_pin_label (self, text->str))
    {
      gsize len = text->len;

      for (guint k = self->plots->pins->len + 1; ; k++)
        {
          g_string_truncate (text, len);
          g_string_append_printf (text, " #%u", k);
          if (!has_pin_label (self, text->str))
            break;
        }
    }
  return g_string_free (text, FALSE);
}

char *
bp_run_history_display_label (const char *label)
{
  /* The controls' names: the same messages as their rows' items in ui/bp-controls.ui. */
  static const char *const cost_names[] = { N_ ("Quadratic"), N_ ("Cross-entropy"),
                                            N_ ("Log-likelihood, softmax") };
  static const char *const activation_names[] = { N_ ("Sigmoid"), N_ ("Tanh"), N_ ("ReLU") };
  static const char *const expand_names[] = { N_ ("None"), N_ ("Shifted copies (5×)"),
                                              N_ ("Random distortions") };
  g_auto(GStrv) words = NULL;
  GString *text;
  BpActivation activation;
  BpExpand expand;
  BpCost cost;

  g_return_val_if_fail (label != NULL, NULL);

  words = g_strsplit (label, " ", -1);
  text = g_string_new (NULL);
  for (guint i = 0; words[i] != NULL; i++)
    {
      const char *word = words[i];

      if (text->len > 0)
        g_string_append_c (text, ' ');
      if (i == 1 && bp_cost_from_string (word, &cost) && (guint) cost < G_N_ELEMENTS (cost_names))
        g_string_append (text, _(cost_names[cost]));
      else if (g_str_equal (word, "dropout"))
        g_string_append (text, _("Dropout"));
      else if (g_str_equal (word, "expand") && words[i + 1] != NULL
               && bp_expand_from_string (words[i + 1], &expand)
               && (guint) expand < G_N_ELEMENTS (expand_names))
        g_string_append (text, _(expand_names[expand])), i++;
      else if (g_str_equal (word, "seed"))
        g_string_append (text, _("Seed"));
      else if (words[i + 1] != NULL && g_str_equal (words[i + 1], "images"))
        {
          /* Translators: the training set's size in a pinned run's legend entry. */
          g_string_append_printf (text, _("%s images"), word);
          i++;
        }
      else if (i > 1 && bp_activation_from_string (word, &activation)
               && (guint) activation < G_N_ELEMENTS (activation_names))
        g_string_append (text, _(activation_names[activation]));
      else
        g_string_append (text, word);
    }
  return g_string_free (text, FALSE);
}

guint
bp_run_history_get_pin_costs (const BpRunHistory *self)
{
  guint mask = 0;

  g_return_val_if_fail (self != NULL, 0);

  for (guint i = 0; i < self->plots->pins->len; i++)
    {
      const BpSessionPin *pin = g_ptr_array_index (self->plots->pins, i);
      g_auto(GStrv) words = g_strsplit (pin->label != NULL ? pin->label : "", " ", 3);
      BpCost cost;

      if (g_strv_length (words) >= 2 && bp_cost_from_string (words[1], &cost))
        mask |= 1u << cost;
    }
  return mask;
}

void
bp_run_history_clear_pins (BpRunHistory *self)
{
  g_return_if_fail (self != NULL);

  g_ptr_array_set_size (self->plots->pins, 0);
}

guint
bp_run_history_get_live_from (const BpRunHistory *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->plots->live_from;
}

const BpSessionPlots *
bp_run_history_get_plots (const BpRunHistory *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->plots;
}

void
bp_run_history_set_plots (BpRunHistory   *self,
                          BpSessionPlots *plots)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (plots != NULL);

  bp_session_plots_free (self->plots);
  self->plots = plots;
  self->plots->live_from = MIN (self->plots->live_from, self->epochs->len);
}
