/* bp-backprop-train.c — the Backprop view's own training: one gradient step on the example and
 * its undo
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A step changes the view's copy of the network (bp_trace_step()), never the network in
 * training; the parameters before it go on an undo stack, and while the stack is not empty the
 * view explains its copy rather than the session's latest snapshot.
 *
 * Slow motion trains that copy at a human pace: one training image after another, each
 * through the forward pass, the error moving back and a gradient step, from one example every
 * two seconds (each shown in three phases) to fifty a second. Its start pushes one undo entry,
 * so that Undo gives back the network from before it.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "bp-backprop-text.h"
#include "bp-backprop-view-private.h"

void
bp_backprop_view_update_result (BpBackpropView *self)
{
  g_autoptr(GString) s = g_string_new (NULL);
  g_autofree char *before = NULL, *after = NULL;
  size_t n_out;

  /* On the mini-batch just taken: what its step did to this example. */
  if (bp_backprop_batch_describe_update (self, s) && self->have_update)
    g_string_append_c (s, ' ');
  if (!self->have_update)
    {
      g_autofree char *escaped = g_markup_escape_text (s->str, -1);

      gtk_label_set_markup (self->update_label, escaped);
      gtk_widget_set_visible (GTK_WIDGET (self->update_label), s->len > 0);
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

/* One gradient step on the trace's example, the parameters before it pushed on the undo stack
 * when @push. */
static gboolean
take_step (BpBackpropView *self,
           gboolean        push)
{
  BpSession *session = bp_view_get_session (BP_VIEW (self));
  BpHyperparams hyper = { 0 };
  BpTraceStep result;
  BpError error = { 0 };
  g_autofree float *saved = NULL;
  size_t n_out;

  if (self->trace == NULL || !bp_trace_is_computed (self->trace)
      || (push && self->undo->len >= MAX_UNDO))
    return FALSE;
  if (session != NULL)
    bp_session_get_hyperparams (session, &hyper);
  else
    hyper.eta = 0.5f;

  if (push)
    saved = g_memdup2 (self->net->params, self->net->n_params * sizeof (float));
  if (!bp_trace_step (self->trace, self->net, hyper.eta, &result, &error))
    {
      g_warning ("Backprop view: %s", error.message);
      return FALSE;
    }
  if (push)
    {
      g_ptr_array_add (self->undo, g_steal_pointer (&saved));
      g_array_append_val (self->undo_steps, self->steps_taken);
    }
  self->steps_taken++;
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
  return TRUE;
}

static void
take_step_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  take_step (BP_BACKPROP_VIEW (widget), TRUE);
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
  bp_backprop_slow_stop (self);
  saved = g_ptr_array_steal_index (self->undo, self->undo->len - 1);
  self->steps_taken = g_array_index (self->undo_steps, guint, self->undo_steps->len - 1);
  g_array_set_size (self->undo_steps, self->undo_steps->len - 1);
  memcpy (self->net->params, saved, self->net->n_params * sizeof (float));
  self->have_update = FALSE;
  bp_backprop_view_recompute (self);
  if (self->undo->len == 0)
    /* Back to the network the session shows: follow it again. */
    bp_backprop_view_queue_refresh (self, TRUE);
  g_signal_emit_by_name (self, "gradient-step-undone");
}

/* ── Slow motion ──────────────────────────────────────────────────────────────────────────── */

#define SLOW_PHASES 3

static double
examples_per_second (BpBackpropView *self)
{
  return pow (10.0, gtk_range_get_value (GTK_RANGE (self->speed_scale)));
}

/* Below about one example a second each example is shown in three phases: its forward pass,
 * its error moved back, its gradient step. */
static guint
n_phases (BpBackpropView *self)
{
  return examples_per_second (self) <= 1.2 ? SLOW_PHASES : 1;
}

static gboolean slow_tick_cb (gpointer data);

static void
schedule (BpBackpropView *self)
{
  double interval = 1000.0 / examples_per_second (self) / n_phases (self);

  if (self->slow_timer != 0)
    g_source_remove (self->slow_timer);
  self->slow_timer = g_timeout_add ((guint) MAX (interval, 10.0), slow_tick_cb, self);
}

static gboolean
slow_tick_cb (gpointer data)
{
  BpBackpropView *self = data;
  guint L = n_layers (self);
  guint phases = n_phases (self);
  guint phase = self->slow_phase % phases;

  if (L == 0)
    return G_SOURCE_CONTINUE;
  if (phase == 0)
    {
      BpSession *session = bp_view_get_session (BP_VIEW (self));
      const BpDataset *train = session != NULL ? bp_session_get_train_set (session) : NULL;
      int index = gtk_spin_button_get_value_as_int (self->index_spin);

      if (train == NULL || train->n == 0)
        {
          bp_backprop_slow_stop (self);
          return G_SOURCE_REMOVE;
        }
      /* The next training image: the spin button's handler traces it. */
      gtk_spin_button_set_value (self->index_spin, (double) ((gsize) (index + 1) % train->n));
      bp_backprop_view_set_step (self, L);            /* the forward pass done */
    }
  if (phase == 1 || phases == 1)
    bp_backprop_view_set_step (self, 2 * L);          /* δ moved back to the first layer */
  if (phase == 2 || phases == 1)
    {
      take_step (self, FALSE);
      bp_backprop_view_set_step (self, 2 * L + 2);    /* the gradient step: cost before, after */
    }
  self->slow_phase = (phase + 1) % phases;
  return G_SOURCE_CONTINUE;
}

void
bp_backprop_slow_stop (BpBackpropView *self)
{
  if (self->slow_timer != 0)
    g_source_remove (self->slow_timer);
  self->slow_timer = 0;
  if (self->slow_button != NULL && gtk_toggle_button_get_active (self->slow_button))
    gtk_toggle_button_set_active (self->slow_button, FALSE);
  if (self->speed_scale != NULL)
    gtk_widget_set_visible (GTK_WIDGET (self->speed_scale), FALSE);
  if (self->slow_button != NULL)
    gtk_button_set_icon_name (GTK_BUTTON (self->slow_button), "media-playback-start-symbolic");
}

static void
slow_toggled_cb (BpBackpropView *self)
{
  if (!gtk_toggle_button_get_active (self->slow_button))
    {
      bp_backprop_slow_stop (self);
      return;
    }
  if (self->trace == NULL || !bp_trace_is_computed (self->trace) || self->undo->len >= MAX_UNDO)
    {
      gtk_toggle_button_set_active (self->slow_button, FALSE);
      return;
    }
  /* On a mini-batch just taken, slow motion trains the network as it is now, from the batch's
   * training image on. */
  if (self->batch != NULL)
    {
      bp_backprop_batch_leave (self);
      bp_backprop_view_refresh_network (self);
    }
  /* Training images, and the network as it is now kept for Undo. */
  gtk_drop_down_set_selected (self->source_drop, 1);
  g_ptr_array_add (self->undo, g_memdup2 (self->net->params, self->net->n_params * sizeof (float)));
  g_array_append_val (self->undo_steps, self->steps_taken);
  gtk_widget_set_visible (GTK_WIDGET (self->speed_scale), TRUE);
  gtk_button_set_icon_name (GTK_BUTTON (self->slow_button), "media-playback-pause-symbolic");
  self->slow_phase = 0;
  schedule (self);
}

static void
speed_changed_cb (BpBackpropView *self)
{
  if (self->slow_timer != 0)
    {
      self->slow_phase = 0;
      schedule (self);
    }
}

static char *
format_speed_cb (GtkScale *scale,
                 double    value,
                 gpointer  user_data)
{
  double rate = pow (10.0, value);

  /* Translators: slow motion's speed, examples per second. */
  return g_strdup_printf (_("%.*f/s"), rate < 10.0 ? 1 : 0, rate);
}

void
bp_backprop_train_init (BpBackpropView *self)
{
  gtk_scale_set_format_value_func (self->speed_scale, format_speed_cb, NULL, NULL);
}

void
bp_backprop_train_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, slow_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, speed_changed_cb);
  gtk_widget_class_install_action (widget_class, "backprop.take-step", NULL, take_step_action);
  gtk_widget_class_install_action (widget_class, "backprop.undo-step", NULL, undo_step_action);
}
