/* bp-backprop-view.c — the Backprop view: chapter 2's algorithm on one example, step by step
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The view keeps its own copy of the network it explains (the one the Draw view asks: the
 * network in training once it has trained, else the built-in model) and a BpTrace of one
 * example through it. Every number on screen is the trace's: the view computes none. While
 * training runs, each new snapshot is traced again at the next frame (1 to 3 ms for 784-800-10),
 * until the user takes a gradient step of their own: the view then shows its stepped copy until
 * the steps are undone.
 *
 * The walk: the input; the forward pass one layer at a time; δᴸ (BP1); δ moved back one layer at
 * a time (BP2); the gradient (BP3, BP4); one gradient step. → and ← walk it, Home restarts.
 * Section 2.8's check with finite differences runs in a GTask thread on a copy of the network.
 */
#include "config.h"

#include "bp-backprop-view.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdatomic.h>

#include "bp-backprop-conv.h"
#include "bp-backprop-maps.h"
#include "bp-backprop-text.h"
#include "bp-backprop-view-private.h"
#include "bp-colormap.h"
#include "bp-default-model.h"
#include "bp-draw-canvas.h"
#include "bp-gradcheck.h"
#include "bp-network-columns.h"
#include "bp-preprocess.h"
#include "bp-weight-grid.h"
#include "bp-widget-utils.h"

#define N_PIXELS   BP_PREPROCESS_N_PIXELS
#define SIDE       BP_PREPROCESS_SIDE
#define MAX_OUT    16
#define MAX_UNDO   32
#define MAX_POINTS 20000

G_DEFINE_FINAL_TYPE (BpBackpropView, bp_backprop_view, BP_TYPE_VIEW)

enum {
  STEP_CHANGED,
  EXAMPLE_CHANGED,
  NEURON_SHOWN,
  GRADIENT_STEP,
  GRADIENT_STEP_UNDONE,
  GRADCHECK_DONE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];


const char *
bp_backprop_step_kind_to_string (BpBackpropStepKind kind)
{
  static const char *const names[] = { "input", "forward", "output-error", "backward", "gradient",
                                       "update" };

  g_return_val_if_fail ((guint) kind < G_N_ELEMENTS (names), "input");
  return names[kind];
}

/* ── Steps ────────────────────────────────────────────────────────────────────────────────── */

static guint
n_steps (BpBackpropView *self)
{
  guint L = n_layers (self);

  /* input, L forward, BP1, L − 1 BP2, gradient, update */
  return L > 0 ? 2 * L + 3 : 1;
}

static BpBackpropStepKind
step_info (BpBackpropView *self,
           guint           step,
           int            *layer)
{
  int L = (int) n_layers (self);
  int s = (int) step;

  *layer = -1;
  if (s == 0 || L == 0)
    return BP_BACKPROP_STEP_INPUT;
  if (s <= L)
    {
      *layer = s - 1;
      return BP_BACKPROP_STEP_FORWARD;
    }
  if (s == L + 1)
    {
      *layer = L - 1;
      return BP_BACKPROP_STEP_OUTPUT_ERROR;
    }
  if (s <= 2 * L)
    {
      *layer = L - 2 - (s - (L + 2));
      return BP_BACKPROP_STEP_BACKWARD;
    }
  if (s == 2 * L + 1)
    return BP_BACKPROP_STEP_GRADIENT;
  return BP_BACKPROP_STEP_UPDATE;
}

static Quantity
quantity_for (BpBackpropStepKind kind)
{
  switch (kind)
    {
    case BP_BACKPROP_STEP_OUTPUT_ERROR:
    case BP_BACKPROP_STEP_BACKWARD:
      return QUANTITY_DELTA;
    case BP_BACKPROP_STEP_GRADIENT:
      return QUANTITY_NABLA_B;
    case BP_BACKPROP_STEP_INPUT:
    case BP_BACKPROP_STEP_FORWARD:
    case BP_BACKPROP_STEP_UPDATE:
    default:
      return QUANTITY_A;
    }
}

void
bp_backprop_view_set_step (BpBackpropView *self,
                           guint           step)
{
  BpBackpropStepKind kind;
  int layer;

  step = MIN (step, n_steps (self) - 1);
  self->step = step;
  kind = step_info (self, step, &layer);
  self->setting_quantity = TRUE;
  gtk_drop_down_set_selected (self->quantity_drop, quantity_for (kind));
  self->setting_quantity = FALSE;
  bp_backprop_view_update (self);
  g_signal_emit (self, signals[STEP_CHANGED], 0);
}

static void
next_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  BpBackpropView *self = BP_BACKPROP_VIEW (widget);

  if (self->trace != NULL && self->step + 1 < n_steps (self))
    bp_backprop_view_set_step (self, self->step + 1);
}

static void
previous_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  BpBackpropView *self = BP_BACKPROP_VIEW (widget);

  if (self->trace != NULL && self->step > 0)
    bp_backprop_view_set_step (self, self->step - 1);
}

static void
last_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  BpBackpropView *self = BP_BACKPROP_VIEW (widget);

  if (self->trace != NULL)
    bp_backprop_view_set_step (self, n_steps (self) - 1);
}

static void
restart_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  BpBackpropView *self = BP_BACKPROP_VIEW (widget);

  if (self->trace != NULL)
    bp_backprop_view_set_step (self, 0);
}

/* → ← Home and End walk the steps from anywhere in the view but a text field or the speed scale
 * — also when the gradient pictures, whose arrow keys choose a neuron, have the
 * keyboard. */
static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                BpBackpropView        *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  const char *action;

  if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK)) != 0)
    return FALSE;
  /* A text field moves its cursor, the speed scale its value. */
  if (focus != NULL && (GTK_IS_EDITABLE (focus) || GTK_IS_TEXT_VIEW (focus) || GTK_IS_RANGE (focus)))
    return FALSE;
  switch (keyval)
    {
    case GDK_KEY_Right:
    case GDK_KEY_KP_Right:
      action = "backprop.next";
      break;
    case GDK_KEY_Left:
    case GDK_KEY_KP_Left:
      action = "backprop.previous";
      break;
    case GDK_KEY_Home:
    case GDK_KEY_KP_Home:
      action = "backprop.restart";
      break;
    case GDK_KEY_End:
    case GDK_KEY_KP_End:
      action = "backprop.last";
      break;
    default:
      return FALSE;
    }
  gtk_widget_activate_action (GTK_WIDGET (self), action, NULL);
  return TRUE;
}

/* ── The network and the example ──────────────────────────────────────────────────────────── */

static Source
get_source (BpBackpropView *self)
{
  return (Source) gtk_drop_down_get_selected (self->source_drop);
}

static const BpDataset *
source_set (BpBackpropView *self)
{
  BpSession *session = bp_view_get_session (BP_VIEW (self));

  if (session == NULL)
    return NULL;
  switch (get_source (self))
    {
    case SOURCE_TEST:
      return bp_session_get_test_set (session);
    case SOURCE_TRAIN:
      return bp_session_get_train_set (session);
    case SOURCE_DRAWING:
    default:
      return NULL;
    }
}

static void
clear_undo (BpBackpropView *self)
{
  bp_backprop_slow_stop (self);
  g_ptr_array_set_size (self->undo, 0);
  g_array_set_size (self->undo_steps, 0);
  self->steps_taken = 0;
  self->have_update = FALSE;
}

/* Copy the network to explain, unless the user has stepped their own copy. Returns whether it
 * changed. */
static gboolean
refresh_network (BpBackpropView *self)
{
  BpSession *session = bp_view_get_session (BP_VIEW (self));
  g_autoptr(BpSnapshot) snapshot = NULL;
  g_autofree char *description = NULL;
  const BpNetwork *net;

  if (self->undo->len > 0 && self->net != NULL)
    return FALSE;
  net = bp_backprop_batch_get_network (self, &snapshot, &description);
  if (net == NULL)
    net = bp_default_model_choose (session, &snapshot, &description);
  if (net == NULL)
    return FALSE;
  if (net == self->source_net && self->net != NULL
      && (snapshot == NULL || snapshot == self->snapshot
          || (self->snapshot != NULL && snapshot->serial == self->snapshot->serial)))
    return FALSE;

  if (self->net != NULL && bp_network_same_shape (self->net, net))
    memcpy (self->net->params, net->params, net->n_params * sizeof (float));
  else
    {
      BpError error = { 0 };

      g_clear_pointer (&self->net, bp_network_free);
      g_clear_pointer (&self->trace, bp_trace_free);
      self->net = bp_network_copy (net);
      if (self->net != NULL)
        self->trace = bp_trace_new (self->net, &error);
      if (self->trace == NULL)
        {
          g_warning ("Backprop view: %s", error.message);
          g_clear_pointer (&self->net, bp_network_free);
          return FALSE;
        }
      self->step = MIN (self->step, n_steps (self) - 1);
      self->sel_layer = -1;
      bp_network_columns_set_selected (self->columns, -1, -1);
    }
  g_clear_pointer (&self->snapshot, bp_snapshot_unref);
  self->snapshot = g_steal_pointer (&snapshot);
  self->source_net = net;
  g_free (self->net_description);
  self->net_description = g_steal_pointer (&description);
  return TRUE;
}

gboolean
bp_backprop_view_refresh_network (BpBackpropView *self)
{
  return refresh_network (self);
}

/* The example's input into self->x. */
static void
load_example (BpBackpropView *self)
{
  const BpDataset *set = source_set (self);

  self->have_x = FALSE;
  if (bp_backprop_batch_load (self))
    return;
  if (get_source (self) == SOURCE_DRAWING)
    {
      if (self->have_drawing)
        memcpy (self->x, self->drawing, sizeof self->x);
      self->have_x = self->have_drawing;
      return;
    }
  if (set != NULL && set->n > 0 && set->n_pixels == N_PIXELS)
    {
      guint index = (guint) gtk_spin_button_get_value_as_int (self->index_spin);
      const guint8 *pixels;

      index = MIN (index, (guint) set->n - 1);
      pixels = set->pixels + (gsize) index * N_PIXELS;
      for (int i = 0; i < N_PIXELS; i++)
        self->x[i] = pixels[i] / 255.0f;
      self->true_label = set->labels[index];
      self->have_x = TRUE;
    }
}

/* The target: the one chosen, else the image's label, else (a drawing) the top guess. */
void
bp_backprop_view_recompute (BpBackpropView *self)
{
  BpError error = { 0 };
  guint chosen = gtk_drop_down_get_selected (self->label_drop);
  size_t label;

  if (self->net == NULL || self->trace == NULL || !self->have_x
      || self->net->n_inputs != N_PIXELS)
    {
      bp_backprop_view_update (self);
      return;
    }
  if (chosen > 0 && chosen <= self->net->n_outputs)
    label = chosen - 1;
  else if (get_source (self) != SOURCE_DRAWING)
    label = MIN (self->true_label, self->net->n_outputs - 1);
  else
    {
      if (!bp_trace_compute (self->trace, self->net, self->x, 0, &error))
        g_warning ("Backprop view: %s", error.message);
      label = bp_trace_get_guess (self->trace);
    }
  {
    gint64 start = g_get_monotonic_time ();

    if (!bp_trace_compute (self->trace, self->net, self->x, label, &error))
      g_warning ("Backprop view: %s", error.message);
    g_debug ("Backprop view: trace computed in %.2f ms", (g_get_monotonic_time () - start) / 1000.0);
  }
  bp_backprop_view_update (self);
  g_signal_emit (self, signals[EXAMPLE_CHANGED], 0);
}

static gboolean
refresh_tick_cb (GtkWidget     *widget,
                 GdkFrameClock *clock,
                 gpointer       user_data)
{
  BpBackpropView *self = BP_BACKPROP_VIEW (widget);

  self->tick_id = 0;
  if (self->dirty_network)
    refresh_network (self);
  self->dirty_network = FALSE;
  load_example (self);
  bp_backprop_view_recompute (self);
  return G_SOURCE_REMOVE;
}

/* At most one trace per frame, none while hidden (map catches up). */
void
bp_backprop_view_queue_refresh (BpBackpropView *self,
                                gboolean        network)
{
  self->dirty_network |= network;
  if (self->tick_id != 0 || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;
  self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), refresh_tick_cb, NULL, NULL);
}

static void
snapshot_announced_cb (BpBackpropView *self)
{
  if (self->undo->len == 0)
    bp_backprop_view_queue_refresh (self, TRUE);
}

static void
network_reset_cb (BpBackpropView *self)
{
  bp_backprop_batch_leave (self);
  clear_undo (self);
  bp_backprop_view_queue_refresh (self, TRUE);
}

/* ── The display ──────────────────────────────────────────────────────────────────────────── */

static gboolean
forward_known (BpBackpropStepKind kind,
               int                step_layer,
               guint              layer)
{
  if (kind == BP_BACKPROP_STEP_INPUT)
    return FALSE;
  if (kind == BP_BACKPROP_STEP_FORWARD)
    return (int) layer <= step_layer;
  return TRUE;
}

static gboolean
delta_known (BpBackpropStepKind kind,
             int                step_layer,
             guint              layer)
{
  switch (kind)
    {
    case BP_BACKPROP_STEP_INPUT:
    case BP_BACKPROP_STEP_FORWARD:
      return FALSE;
    case BP_BACKPROP_STEP_OUTPUT_ERROR:
    case BP_BACKPROP_STEP_BACKWARD:
      return (int) layer >= step_layer;
    case BP_BACKPROP_STEP_GRADIENT:
    case BP_BACKPROP_STEP_UPDATE:
    default:
      return TRUE;
    }
}

static const char *
quantity_symbol (Quantity q)
{
  static const char *const symbols[] = { "a", "z", "δ", "∂C/∂b" };

  return symbols[q];
}

static void
update_columns (BpBackpropView *self,
                BpBackpropStepKind kind,
                int            step_layer)
{
  guint L = n_layers (self);
  guint sizes[BP_MAX_LAYERS];
  Quantity q = (Quantity) gtk_drop_down_get_selected (self->quantity_drop);
  g_autoptr(GString) words = g_string_new (NULL);
  gboolean quadratic;

  for (guint l = 0; l < L; l++)
    sizes[l] = (guint) bp_trace_get_layer (self->trace, l)->n_out;
  bp_network_columns_set_shape (self->columns, L, sizes);
  bp_backprop_maps_set_shapes (self->columns, self->trace);
  bp_network_columns_set_input (self->columns, bp_trace_get_input (self->trace), SIDE, SIDE);
  bp_network_columns_set_input_caption (self->columns, _("Input x = a¹"));
  quadratic = bp_trace_get_network (self->trace)->arch.cost == BP_COST_QUADRATIC;

  for (guint l = 0; l < L; l++)
    {
      const BpTraceLayer *tl = bp_trace_get_layer (self->trace, l);
      g_autofree char *caption = NULL;
      g_autofree guint8 *marks = NULL;
      g_autofree float *bias_maps = NULL;
      const float *values = NULL;
      gboolean known, maps = tl->kind != BP_LAYER_DENSE;

      known = q == QUANTITY_A || q == QUANTITY_Z ? forward_known (kind, step_layer, l)
                                                 : delta_known (kind, step_layer, l);
      /* A conv layer has one bias per map, a pool layer none; saturation dots do not fit a map. */
      if (known && q == QUANTITY_NABLA_B && maps)
        values = bias_maps = bp_backprop_conv_bias_maps (self->trace, (int) l);
      else if (known)
        values = q == QUANTITY_A ? tl->a : q == QUANTITY_Z ? tl->z : q == QUANTITY_DELTA ? tl->delta
                                                                                        : tl->nabla_b;
      if (known && !maps && forward_known (kind, step_layer, l) && (!tl->is_output || quadratic))
        {
          marks = g_new0 (guint8, tl->n_out);
          bp_trace_count_saturated (self->trace, l, marks);
        }
      bp_network_columns_set_values (self->columns, l, values, marks);
      bp_network_columns_set_labelled (self->columns, l, tl->is_output);
      {
        g_autofree char *symbol = bp_backprop_text_superscript (quantity_symbol (q), l + 2);

        if (tl->is_output)
          /* Translators: the caption of the output layer's column: the quantity, e.g. a³. */
          caption = g_strdup_printf (_("%s (output)"), symbol);
        else if (maps)
          caption = bp_backprop_maps_caption (tl, symbol, q == QUANTITY_NABLA_B);
        else
          /* Translators: the caption of a hidden layer's column: the quantity, e.g. a², and the
           * number of neurons. */
          caption = g_strdup_printf (_("%s (%zu)"), symbol, tl->n_out);
      }
      bp_network_columns_set_caption (self->columns, l, caption);
      bp_backprop_maps_highlight (self->columns, self->trace, kind, step_layer, l);
      if (words->len > 0)
        g_string_append (words, "; ");
      g_strdelimit (caption, "\n", ' ');
      g_string_append (words, caption);
      if (!known)
        g_string_append_printf (words, ": %s", _("not computed yet"));
    }

  switch (kind)
    {
    case BP_BACKPROP_STEP_INPUT:
      bp_network_columns_set_active (self->columns, -1, G_MININT);
      break;
    case BP_BACKPROP_STEP_FORWARD:
      bp_network_columns_set_active (self->columns, step_layer, step_layer - 1);
      break;
    case BP_BACKPROP_STEP_OUTPUT_ERROR:
      bp_network_columns_set_active (self->columns, step_layer, G_MININT);
      break;
    case BP_BACKPROP_STEP_BACKWARD:
      bp_network_columns_set_active (self->columns, step_layer, step_layer + 1);
      break;
    case BP_BACKPROP_STEP_GRADIENT:
    case BP_BACKPROP_STEP_UPDATE:
    default:
      bp_network_columns_set_active (self->columns, G_MININT, G_MININT);
      break;
    }
  g_free (self->columns_words);
  self->columns_words = g_strdup (words->str);
  bp_accessible_update_description (GTK_ACCESSIBLE (self->columns), &self->a11y_columns, words->str);
}

static void
update_neuron (BpBackpropView *self)
{
  g_autofree char *markup = NULL;
  g_autofree char *words = NULL;

  if (self->trace == NULL || !bp_trace_is_computed (self->trace) || self->sel_layer < 0
      || (guint) self->sel_layer >= n_layers (self)
      || (size_t) self->sel_neuron >= bp_trace_get_layer (self->trace, (size_t) self->sel_layer)->n_out)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->neuron_label), FALSE);
      return;
    }
  markup = bp_backprop_text_neuron (self->trace, self->sel_layer, (guint) self->sel_neuron, &words);
  gtk_label_set_markup (self->neuron_label, markup);
  gtk_widget_set_visible (GTK_WIDGET (self->neuron_label), TRUE);
  bp_accessible_update_description (GTK_ACCESSIBLE (self->neuron_label), &self->a11y_neuron, words);
  /* The columns have the keyboard when Up and Down choose the neuron: they say its numbers. */
  {
    g_autofree char *full = g_strdup_printf ("%s. %s", words,
                                             self->columns_words != NULL ? self->columns_words : "");

    bp_accessible_update_description (GTK_ACCESSIBLE (self->columns), &self->a11y_columns, full);
  }
}

static void
update_example_label (BpBackpropView *self)
{
  g_autoptr(GString) s = g_string_new (NULL);
  const BpNetwork *net = bp_trace_get_network (self->trace);
  const BpTraceLayer *out = bp_trace_get_layer (self->trace, n_layers (self) - 1);
  size_t guess = bp_trace_get_guess (self->trace);
  g_autofree char *cost = bp_backprop_text_number (bp_trace_get_cost (self->trace), 3);
  g_autofree char *a = bp_backprop_text_number (out->a[guess], 4);
  guint index = (guint) gtk_spin_button_get_value_as_int (self->index_spin);

  switch (get_source (self))
    {
    case SOURCE_TEST:
      /* Translators: the example shown; its index and its label. */
      g_string_append_printf (s, _("Test image %u, a %u"), index, self->true_label);
      break;
    case SOURCE_TRAIN:
      g_string_append_printf (s, _("Training image %u, a %u"), index, self->true_label);
      break;
    case SOURCE_DRAWING:
    default:
      g_string_append (s, _("Your drawing"));
      break;
    }
  /* Translators: after the example: its target y, the guess and its output, the cost. */
  g_string_append_printf (s, _(" · target y = %zu · guess %zu (output %s) · cost %s (%s)"),
                          bp_trace_get_label (self->trace), guess, a, cost,
                          bp_backprop_text_cost_name (net->arch.cost));
  if (self->undo->len > 0)
    g_string_append_printf (s, g_dngettext (GETTEXT_PACKAGE,
                                            " · the network after your %u gradient step (Undo "
                                            "goes back)",
                                            " · the network after your %u gradient steps (Undo "
                                            "goes back)", self->steps_taken), self->steps_taken);
  else if (self->net_description != NULL)
    g_string_append_printf (s, " · %s", self->net_description);
  {
    g_autofree char *escaped = g_markup_escape_text (s->str, -1);

    gtk_label_set_markup (self->example_label, escaped);
  }
}

static void update_now (BpBackpropView *self);

/* Everything the view shows is set here; the time it takes is logged (G_MESSAGES_DEBUG), the
 * figure the README quotes for a step. */
void
bp_backprop_view_update (BpBackpropView *self)
{
  gint64 start = g_get_monotonic_time ();

  update_now (self);
  g_debug ("Backprop view: step %u shown in %.2f ms", self->step,
           (g_get_monotonic_time () - start) / 1000.0);
}

static void
update_now (BpBackpropView *self)
{
  BpBackpropStepKind kind;
  int layer;
  guint n = n_steps (self);
  g_autofree char *count = NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "backprop.next",
                                 self->trace != NULL && self->step + 1 < n);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "backprop.previous",
                                 self->trace != NULL && self->step > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "backprop.restart",
                                 self->trace != NULL && self->step > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "backprop.undo-step", self->undo->len > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "backprop.check",
                                 self->check == NULL && self->trace != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "backprop.cancel-check", self->check != NULL);

  if (self->trace == NULL || !bp_trace_is_computed (self->trace) || !self->have_x)
    {
      gtk_label_set_text (self->step_title, "");
      gtk_label_set_text (self->equation_label, "");
      gtk_label_set_text (self->explain_label,
                          get_source (self) == SOURCE_DRAWING
                            ? _("Draw a digit on the pad, or on the Draw view’s pad.")
                            : _("No example yet."));
      gtk_label_set_text (self->example_label, "");
      gtk_label_set_text (self->step_count, "");
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "backprop.take-step", FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->neuron_label), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->slow_label), FALSE);
      bp_network_columns_set_input (self->columns, NULL, 0, 0);
      for (guint l = 0; l < bp_network_columns_get_n_layers (self->columns); l++)
        bp_network_columns_set_values (self->columns, l, NULL, NULL);
      return;
    }

  kind = step_info (self, self->step, &layer);
  {
    g_autofree char *title = bp_backprop_text_title (self->trace, kind, layer);
    g_autofree char *equation = bp_backprop_text_equation (self->trace, kind, layer);
    g_autofree char *words = bp_backprop_text_equation_words (self->trace, kind, layer);
    g_autofree char *explain = NULL;
    g_autofree char *full = NULL;
    g_autofree char *slow = NULL;
    BpHyperparams hyper = { 0 };
    BpSession *session = bp_view_get_session (BP_VIEW (self));

    if (session != NULL)
      bp_session_get_hyperparams (session, &hyper);
    else
      hyper.eta = 0.5f;
    explain = bp_backprop_text_explain (self->trace, kind, layer, hyper.eta);

    /* Translators: the step's number and the number of steps. */
    count = g_strdup_printf (_("Step %u of %u"), self->step + 1, n);
    gtk_label_set_text (self->step_count, count);
    gtk_label_set_text (self->step_title, title);
    gtk_label_set_markup (self->equation_label, equation);
    gtk_label_set_markup (self->explain_label, explain);
    full = g_strdup_printf ("%s: %s. %s", count, title, words);
    bp_accessible_update_description (GTK_ACCESSIBLE (self->equation_label), &self->a11y_equation,
                                      full);

    slow = kind == BP_BACKPROP_STEP_OUTPUT_ERROR ? bp_backprop_text_slowdown (self->trace) : NULL;
    if (slow != NULL)
      gtk_label_set_markup (self->slow_label, slow);
    gtk_widget_set_visible (GTK_WIDGET (self->slow_label), slow != NULL);
  }

  update_example_label (self);
  update_columns (self, kind, layer);
  {
    GtkWidget *shown = kind == BP_BACKPROP_STEP_GRADIENT ? GTK_WIDGET (self->gradient_grid)
                                                         : GTK_WIDGET (self->columns);
    GtkWidget *hidden = shown == GTK_WIDGET (self->columns) ? GTK_WIDGET (self->gradient_grid)
                                                            : GTK_WIDGET (self->columns);
    gboolean had_focus = gtk_widget_has_focus (hidden);

    gtk_stack_set_visible_child_name (self->main_stack,
                                      kind == BP_BACKPROP_STEP_GRADIENT ? "gradient" : "columns");
    /* The keyboard stays on the picture of the network, whichever page shows it. */
    if (had_focus)
      gtk_widget_grab_focus (shown);
  }
  if (kind == BP_BACKPROP_STEP_GRADIENT)
    bp_backprop_view_update_gradient (self);
  /* The keyboard stays in the view when the buttons it is on go with their step. */
  {
    GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
    GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

    if (focus != NULL
        && ((kind != BP_BACKPROP_STEP_UPDATE && gtk_widget_is_ancestor (focus, self->update_box))
            || (kind != BP_BACKPROP_STEP_GRADIENT && gtk_widget_is_ancestor (focus, self->check_box))))
      gtk_widget_grab_focus (GTK_WIDGET (self->columns));
  }
  gtk_widget_set_visible (self->update_box, kind == BP_BACKPROP_STEP_UPDATE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "backprop.take-step",
                                 kind == BP_BACKPROP_STEP_UPDATE && self->undo->len < MAX_UNDO);
  if (kind == BP_BACKPROP_STEP_UPDATE)
    bp_backprop_view_update_result (self);
  else
    gtk_widget_set_visible (GTK_WIDGET (self->update_label), FALSE);
  gtk_widget_set_visible (self->check_box, kind == BP_BACKPROP_STEP_GRADIENT);
  gtk_widget_set_visible (self->check_result_box,
                          kind == BP_BACKPROP_STEP_GRADIENT && self->have_check_result);
  update_neuron (self);
}

/* ── Template callbacks ───────────────────────────────────────────────────────────────────── */

static void
update_source_controls (BpBackpropView *self)
{
  const BpDataset *set = source_set (self);
  Source source = get_source (self);

  gtk_widget_set_visible (self->pad_box, source == SOURCE_DRAWING);
  gtk_widget_set_sensitive (GTK_WIDGET (self->index_spin), source != SOURCE_DRAWING);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "backprop.next-example", set != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "backprop.random-example", set != NULL);
  if (set != NULL && set->n > 0)
    gtk_adjustment_set_upper (gtk_spin_button_get_adjustment (self->index_spin), (double) set->n - 1);
}

static void
source_changed_cb (BpBackpropView *self)
{
  bp_backprop_batch_leave (self);
  if (get_source (self) != SOURCE_TRAIN)
    bp_backprop_slow_stop (self);
  update_source_controls (self);
  /* A mini-batch setting its example traces it once, with its own network, at the next frame. */
  if (self->batch_setting)
    return;
  load_example (self);
  bp_backprop_view_recompute (self);
}

static void
index_changed_cb (BpBackpropView *self)
{
  bp_backprop_batch_leave (self);
  if (self->batch_setting)
    return;
  load_example (self);
  bp_backprop_view_recompute (self);
}

static void
label_changed_cb (BpBackpropView *self)
{
  if (self->batch_setting)
    return;
  bp_backprop_view_recompute (self);
}

static void
quantity_changed_cb (BpBackpropView *self)
{
  if (!self->setting_quantity && self->trace != NULL && bp_trace_is_computed (self->trace))
    bp_backprop_view_update (self);
}

/* The pad's strokes through MNIST's preprocessing, as the Draw view does it. */
static void
pad_changed_cb (BpBackpropView *self)
{
  if (bp_draw_canvas_has_image (self->pad))
    return;
  self->pad_is_import = FALSE;
  self->have_drawing = FALSE;
  if (!bp_draw_canvas_get_empty (self->pad))
    {
      int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self->pad));
      cairo_surface_t *surface = bp_draw_canvas_render (self->pad, scale);
      BpError error = { 0 };
      BpPreprocessStatus status;

      status = bp_preprocess_u8 (cairo_image_surface_get_data (surface),
                                 (size_t) cairo_image_surface_get_width (surface),
                                 (size_t) cairo_image_surface_get_height (surface),
                                 (size_t) cairo_image_surface_get_stride (surface),
                                 BP_POLARITY_LIGHT_INK, self->drawing, NULL, &error);
      cairo_surface_destroy (surface);
      self->have_drawing = status == BP_PREPROCESS_OK;
    }
  if (get_source (self) == SOURCE_DRAWING)
    {
      /* While the user draws, every layer lights up: the walk goes to the end of the forward
       * pass, where every activation is known. */
      if (self->have_drawing && self->trace != NULL && self->step < n_layers (self))
        bp_backprop_view_set_step (self, n_layers (self));
      bp_backprop_view_queue_refresh (self, FALSE);
    }
}

static void
clear_pad_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  BpBackpropView *self = BP_BACKPROP_VIEW (widget);

  bp_draw_canvas_clear (self->pad);
  self->have_drawing = FALSE;
  bp_backprop_view_queue_refresh (self, FALSE);
}

static void
next_example_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  BpBackpropView *self = BP_BACKPROP_VIEW (widget);
  const BpDataset *set = source_set (self);
  int index = gtk_spin_button_get_value_as_int (self->index_spin);

  if (set != NULL && set->n > 0)
    gtk_spin_button_set_value (self->index_spin, (double) ((gsize) (index + 1) % set->n));
}

static void
random_example_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  BpBackpropView *self = BP_BACKPROP_VIEW (widget);
  const BpDataset *set = source_set (self);

  if (set != NULL && set->n > 0)
    gtk_spin_button_set_value (self->index_spin, (double) g_random_int_range (0, (gint32) set->n));
}

static void
neuron_activated_cb (BpBackpropView *self,
                     int             layer,
                     guint           neuron)
{
  self->sel_layer = layer;
  self->sel_neuron = (int) neuron;
  bp_network_columns_set_selected (self->columns, layer, (int) neuron);
  update_neuron (self);
  if (gtk_widget_get_visible (GTK_WIDGET (self->neuron_label)))
    g_signal_emit (self, signals[NEURON_SHOWN], 0, layer, neuron);
}

static void
gradient_neuron_cb (BpBackpropView *self,
                    guint           neuron)
{
  neuron_activated_cb (self, 0, neuron);
}

/* ── Public ───────────────────────────────────────────────────────────────────────────────── */

guint
bp_backprop_view_get_step (BpBackpropView *self,
                           guint          *n,
                           int            *layer)
{
  int l;

  g_return_val_if_fail (BP_IS_BACKPROP_VIEW (self), 0);

  step_info (self, self->step, &l);
  if (n != NULL)
    *n = n_steps (self);
  if (layer != NULL)
    *layer = l;
  return self->step;
}

BpBackpropStepKind
bp_backprop_view_get_step_kind (BpBackpropView *self)
{
  int layer;

  g_return_val_if_fail (BP_IS_BACKPROP_VIEW (self), BP_BACKPROP_STEP_INPUT);

  return step_info (self, self->step, &layer);
}

const BpTrace *
bp_backprop_view_get_trace (BpBackpropView *self)
{
  g_return_val_if_fail (BP_IS_BACKPROP_VIEW (self), NULL);

  if (self->trace == NULL || !bp_trace_is_computed (self->trace) || !self->have_x)
    return NULL;
  return self->trace;
}

const char *
bp_backprop_view_get_source (BpBackpropView *self,
                             guint          *index)
{
  static const char *const names[] = { "test", "train", "drawing" };
  Source source;

  g_return_val_if_fail (BP_IS_BACKPROP_VIEW (self), NULL);

  source = get_source (self);
  if (index != NULL)
    *index = source == SOURCE_DRAWING ? 0 : (guint) gtk_spin_button_get_value_as_int (self->index_spin);
  return names[MIN ((guint) source, 2u)];
}

void
bp_backprop_view_set_drawing (BpBackpropView *self,
                              const float    *x)
{
  guint8 pixels[N_PIXELS];

  g_return_if_fail (BP_IS_BACKPROP_VIEW (self));

  if (x == NULL)
    {
      if (self->pad_is_import)
        bp_draw_canvas_clear (self->pad);
      return;
    }
  for (int i = 0; i < N_PIXELS; i++)
    pixels[i] = (guint8) lrintf (CLAMP (x[i], 0.0f, 1.0f) * 255.0f);
  memcpy (self->drawing, x, sizeof self->drawing);
  self->have_drawing = TRUE;
  bp_draw_canvas_set_image (self->pad, pixels, SIDE, SIDE);
  self->pad_is_import = TRUE;
  if (get_source (self) == SOURCE_DRAWING)
    bp_backprop_view_queue_refresh (self, FALSE);
}

void
bp_backprop_view_show_test_image (BpBackpropView *self,
                                  guint           index)
{
  g_return_if_fail (BP_IS_BACKPROP_VIEW (self));

  gtk_drop_down_set_selected (self->source_drop, SOURCE_TEST);
  update_source_controls (self);
  gtk_spin_button_set_value (self->index_spin, index);
  load_example (self);
  bp_backprop_view_recompute (self);
}

/* ── GObject ──────────────────────────────────────────────────────────────────────────────── */

static void
bp_backprop_view_session_changed (BpView *view)
{
  BpBackpropView *self = BP_BACKPROP_VIEW (view);

  clear_undo (self);
  update_source_controls (self);
  bp_backprop_view_queue_refresh (self, TRUE);
}

static void
bp_backprop_view_map (GtkWidget *widget)
{
  BpBackpropView *self = BP_BACKPROP_VIEW (widget);
  gboolean take_focus = bp_view_may_take_focus (BP_VIEW (self));

  GTK_WIDGET_CLASS (bp_backprop_view_parent_class)->map (widget);

  update_source_controls (self);
  self->dirty_network = TRUE;
  refresh_tick_cb (widget, NULL, NULL);
  if (take_focus)
    bp_view_take_focus (BP_VIEW (self), GTK_WIDGET (self->columns));
}

static void
bp_backprop_view_unmap (GtkWidget *widget)
{
  BpBackpropView *self = BP_BACKPROP_VIEW (widget);

  if (self->tick_id != 0)
    gtk_widget_remove_tick_callback (widget, self->tick_id);
  self->tick_id = 0;
  /* Slow motion is for watching. */
  bp_backprop_slow_stop (self);
  GTK_WIDGET_CLASS (bp_backprop_view_parent_class)->unmap (widget);
}

static void
bp_backprop_view_dispose (GObject *object)
{
  BpBackpropView *self = BP_BACKPROP_VIEW (object);

  bp_backprop_check_dispose (self);
  bp_backprop_batch_dispose (self);
  bp_backprop_slow_stop (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), BP_TYPE_BACKPROP_VIEW);
  g_clear_pointer (&self->snapshot, bp_snapshot_unref);
  g_clear_pointer (&self->trace, bp_trace_free);
  g_clear_pointer (&self->net, bp_network_free);
  g_clear_pointer (&self->undo, g_ptr_array_unref);
  g_clear_pointer (&self->undo_steps, g_array_unref);
  g_clear_pointer (&self->net_description, g_free);
  g_clear_pointer (&self->a11y_columns, g_free);
  g_clear_pointer (&self->columns_words, g_free);
  g_clear_pointer (&self->a11y_equation, g_free);
  g_clear_pointer (&self->a11y_neuron, g_free);

  G_OBJECT_CLASS (bp_backprop_view_parent_class)->dispose (object);
}

static void
bp_backprop_view_class_init (BpBackpropViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  BpViewClass *view_class = BP_VIEW_CLASS (klass);

  object_class->dispose = bp_backprop_view_dispose;
  widget_class->map = bp_backprop_view_map;
  widget_class->unmap = bp_backprop_view_unmap;
  view_class->session_changed = bp_backprop_view_session_changed;

  signals[STEP_CHANGED] = g_signal_new ("step-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[EXAMPLE_CHANGED] = g_signal_new ("example-changed", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[NEURON_SHOWN] = g_signal_new ("neuron-shown", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                        G_TYPE_INT, G_TYPE_UINT);
  signals[GRADIENT_STEP] = g_signal_new ("gradient-step", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                         G_TYPE_DOUBLE, G_TYPE_DOUBLE);
  signals[GRADIENT_STEP_UNDONE] = g_signal_new ("gradient-step-undone", G_TYPE_FROM_CLASS (klass),
                                                G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                G_TYPE_NONE, 0);
  signals[GRADCHECK_DONE] = g_signal_new ("gradcheck-done", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                                          G_TYPE_POINTER);

  g_type_ensure (BP_TYPE_DRAW_CANVAS);
  g_type_ensure (BP_TYPE_NETWORK_COLUMNS);
  g_type_ensure (BP_TYPE_WEIGHT_GRID);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/nndl/Backprop/ui/bp-backprop-view.ui");
  gtk_widget_class_bind_template_child (widget_class, BpBackpropView, source_drop);
  gtk_widget_class_bind_template_child (widget_class, BpBackpropView, index_spin);
  gtk_widget_class_bind_template_child (widget_class, BpBackpropView, next_example_button);
  gtk_widget_class_bind_template_child (widget_class, BpBackpropView, label_drop);
  gtk_widget_class_bind_template_child (widget_class, BpBackpropView, quantity_drop);
  gtk_widget_class_bind_template_child (widget_class, BpBackpropView, example_label);
  gtk_widget_class_bind_template_child (widget_class, BpBackpropView, pad_box);
  gtk_widget_class_bind_template_child (widget_class, BpBackpropView, pad);
  gtk_widget_class_bind_template_child (widget_class, BpBackpropView, main_stack);
  gtk_widget_class_bind_template_child (widget_class, BpBackpropView, columns);
  gtk_widget_class_bind_template_child (widget_class, BpBackpropView, gradient_caption);
  gtk_widget_class_bind_template_child (widget_class, BpBackpropView, gradient_grid);
  gtk_widget_class_bind_template_child (widget_class, BpBackpropView, matrices_area);
  gtk_widget_class_bind_template_child (widget_class, BpBackpropView, step_title);
  gtk_widget_class_bind_template_child (widget_class, BpBackpropView, equation_label);
  gtk_widget_class_bind_template_child (widget_class, BpBackpropView, explain_label);
  gtk_widget_class_bind_template_child (widget_class, BpBackpropView, slow_label);
  gtk_widget_class_bind_template_child (widget_class, BpBackpropView, update_box);
  gtk_widget_class_bind_template_child (widget_class, BpBackpropView, take_step_button);
  gtk_widget_class_bind_template_child (widget_class, BpBackpropView, undo_button);
  gtk_widget_class_bind_template_child (widget_class, BpBackpropView, check_button);
  gtk_widget_class_bind_template_child (widget_class, BpBackpropView, update_label);
  gtk_widget_class_bind_template_child (widget_class, BpBackpropView, check_box);
  gtk_widget_class_bind_template_child (widget_class, BpBackpropView, check_progress);
  gtk_widget_class_bind_template_child (widget_class, BpBackpropView, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, BpBackpropView, check_result_box);
  gtk_widget_class_bind_template_child (widget_class, BpBackpropView, scatter_area);
  gtk_widget_class_bind_template_child (widget_class, BpBackpropView, check_label);
  gtk_widget_class_bind_template_child (widget_class, BpBackpropView, neuron_label);
  gtk_widget_class_bind_template_child (widget_class, BpBackpropView, step_count);
  gtk_widget_class_bind_template_child (widget_class, BpBackpropView, slow_button);
  gtk_widget_class_bind_template_child (widget_class, BpBackpropView, speed_scale);
  gtk_widget_class_bind_template_callback (widget_class, source_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, index_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, label_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, quantity_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, pad_changed_cb);

  gtk_widget_class_install_action (widget_class, "backprop.next", NULL, next_action);
  gtk_widget_class_install_action (widget_class, "backprop.previous", NULL, previous_action);
  gtk_widget_class_install_action (widget_class, "backprop.restart", NULL, restart_action);
  gtk_widget_class_install_action (widget_class, "backprop.last", NULL, last_action);
  gtk_widget_class_install_action (widget_class, "backprop.next-example", NULL, next_example_action);
  gtk_widget_class_install_action (widget_class, "backprop.random-example", NULL,
                                   random_example_action);
  gtk_widget_class_install_action (widget_class, "backprop.clear-pad", NULL, clear_pad_action);
  bp_backprop_train_class_init (widget_class);
  bp_backprop_check_class_init (widget_class);
  bp_backprop_batch_class_init (widget_class);
}

static void
bp_backprop_view_init (BpBackpropView *self)
{
  GSignalGroup *session_signals = bp_view_get_session_signals (BP_VIEW (self));
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  GtkEventController *key;

  self->undo = g_ptr_array_new_with_free_func (g_free);
  self->undo_steps = g_array_new (FALSE, FALSE, sizeof (guint));
  self->sel_layer = -1;
  self->sel_neuron = -1;
  gtk_widget_init_template (GTK_WIDGET (self));

  /* Translators: the target y chosen for the example: its label, or for a drawing the top
   * guess. */
  gtk_string_list_append (labels, _("Automatic"));
  for (int d = 0; d < 10; d++)
    {
      char digit[4];

      g_snprintf (digit, sizeof digit, "%d", d);
      gtk_string_list_append (labels, digit);
    }
  gtk_drop_down_set_model (self->label_drop, G_LIST_MODEL (labels));

  key = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (key, GTK_PHASE_CAPTURE);
  g_signal_connect (key, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), key);

  bp_backprop_check_init (self);
  bp_backprop_train_init (self);
  bp_backprop_batch_init (self);
  g_signal_connect_swapped (self->columns, "neuron-activated", G_CALLBACK (neuron_activated_cb), self);
  g_signal_connect_swapped (self->gradient_grid, "neuron-activated", G_CALLBACK (gradient_neuron_cb),
                            self);

  g_signal_group_connect_swapped (session_signals, "notify::snapshot-serial",
                                  G_CALLBACK (snapshot_announced_cb), self);
  g_signal_group_connect_swapped (session_signals, "network-reset",
                                  G_CALLBACK (network_reset_cb), self);
  bp_backprop_view_update (self);
}
