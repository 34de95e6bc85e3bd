/* bp-backprop-train.c — the Backprop view's own training: one gradient step on the example and
 * its undo
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A step changes the view's copy of the network (bp_trace_step()), never the network in
 * training; the parameters before it go on an undo stack, and while the stack is not empty the
 * view explains its copy rather than the session's latest snapshot.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "bp-backprop-text.h"
#include "bp-backprop-view-private.h"

void
bp_backprop_view_update_result (BpBackpropView *self)
{
  g_autoptr(GString) s = g_string_new (NULL);
  g_autofree char *before = NULL, *after = NULL;
  size_t n_out;

  if (!self->have_update)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->update_label), FALSE);
      return;
    }
  before = bp_backprop_text_number (self->cost_before, 3);
  after = bp_backprop_text_number (self->cost_after, 3);
  if (self->cost_after < self->cost_before)
    /* Translators: the result of one gradient step: two costs. */
    g_string_append_printf (s, _("The cost of this example fell from %s to %s."), before, after);
  else
    g_string_append_printf (s, _("The cost of this example rose from %s to %s: η is too large "
                                 "for this step."), before, after);
  g_string_append_printf (s, " %s", _("Outputs before → after:"));
  n_out = MIN (bp_trace_get_network (self->trace)->n_outputs, MAX_OUT);
  for (size_t j = 0; j < n_out; j++)
    {
      g_autofree char *a = bp_backprop_text_number (self->out_before[j], 3);
      g_autofree char *b = bp_backprop_text_number (self->out_after[j], 3);

      g_string_append_printf (s, "%s%zu: %s → %s", j > 0 ? ", " : " ", j, a, b);
    }
  g_string_append_c (s, '.');
  if (self->guess_before != self->guess_after)
    g_string_append_printf (s, " %s", _("The guess changed."));
  {
    g_autofree char *escaped = g_markup_escape_text (s->str, -1);

    gtk_label_set_markup (self->update_label, escaped);
  }
  gtk_widget_set_visible (GTK_WIDGET (self->update_label), TRUE);
}

/* ── One gradient step ────────────────────────────────────────────────────────────────────── */

static void
take_step_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  BpBackpropView *self = BP_BACKPROP_VIEW (widget);
  BpSession *session = bp_view_get_session (BP_VIEW (self));
  BpHyperparams hyper = { 0 };
  BpTraceStep result;
  BpError error = { 0 };
  float *saved;
  size_t n_out;

  if (self->trace == NULL || !bp_trace_is_computed (self->trace) || self->undo->len >= MAX_UNDO)
    return;
  if (session != NULL)
    bp_session_get_hyperparams (session, &hyper);
  else
    hyper.eta = 0.5f;

  saved = g_memdup2 (self->net->params, self->net->n_params * sizeof (float));
  if (!bp_trace_step (self->trace, self->net, hyper.eta, &result, &error))
    {
      g_warning ("Backprop view: %s", error.message);
      g_free (saved);
      return;
    }
  g_ptr_array_add (self->undo, saved);
  n_out = MIN (self->net->n_outputs, MAX_OUT);
  memcpy (self->out_before, result.output_before, n_out * sizeof (float));
  memcpy (self->out_after, result.output_after, n_out * sizeof (float));
  self->cost_before = result.cost_before;
  self->cost_after = result.cost_after;
  self->guess_before = result.guess_before;
  self->guess_after = result.guess_after;
  self->have_update = TRUE;
  /* The view now explains the stepped network: walking again shows the new numbers. */
  bp_backprop_view_recompute (self);
  g_signal_emit_by_name (self, "gradient-step", self->cost_before, self->cost_after);
}

static void
undo_step_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  BpBackpropView *self = BP_BACKPROP_VIEW (widget);
  g_autofree float *saved = NULL;

  if (self->undo->len == 0)
    return;
  /* The keyboard stays in the view when Undo goes insensitive under it. */
  if (self->undo->len == 1 && gtk_widget_has_focus (self->undo_button))
    gtk_widget_grab_focus (self->take_step_button);
  saved = g_ptr_array_steal_index (self->undo, self->undo->len - 1);
  memcpy (self->net->params, saved, self->net->n_params * sizeof (float));
  self->have_update = FALSE;
  bp_backprop_view_recompute (self);
  if (self->undo->len == 0)
    /* Back to the network the session shows: follow it again. */
    bp_backprop_view_queue_refresh (self, TRUE);
  g_signal_emit_by_name (self, "gradient-step-undone");
}

void
bp_backprop_train_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "backprop.take-step", NULL, take_step_action);
  gtk_widget_class_install_action (widget_class, "backprop.undo-step", NULL, undo_step_action);
}
