/* bp-backprop-batch.c — the Backprop view on the mini-batch that Step → One Mini-Batch just took
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The session hands over the mini-batch (BpMiniBatch: the examples' training-set indices, what
 * the network saw of each, the network before and after the step). While the view shows it, it
 * walks each example through the network as it was before the step (the gradient of the
 * mini-batch is the mean of those walks), from the very input the network saw (shifted or
 * distorted when the run expands its data), and its update step tells the cost of the example
 * before and after the mini-batch's step. Choosing another example or source leaves it.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "bp-backprop-text.h"
#include "bp-backprop-view-private.h"

BpMiniBatch *
bp_backprop_view_get_batch (BpBackpropView *self,
                            guint          *position)
{
  g_return_val_if_fail (BP_IS_BACKPROP_VIEW (self), NULL);

  if (position != NULL)
    *position = self->batch != NULL ? self->batch_pos : 0;
  return self->batch;
}

static const char *
image_words (guint8 image)
{
  switch (image)
    {
    case BP_BATCH_IMAGE_SHIFTED_DOWN:
      return _("The network saw it moved one pixel down (the data is expanded with shifts).");
    case BP_BATCH_IMAGE_SHIFTED_UP:
      return _("The network saw it moved one pixel up (the data is expanded with shifts).");
    case BP_BATCH_IMAGE_SHIFTED_RIGHT:
      return _("The network saw it moved one pixel right (the data is expanded with shifts).");
    case BP_BATCH_IMAGE_SHIFTED_LEFT:
      return _("The network saw it moved one pixel left (the data is expanded with shifts).");
    case BP_BATCH_IMAGE_DISTORTED:
      return _("The network saw a random distortion of it, made for this mini-batch, and so "
               "does this view.");
    case BP_BATCH_IMAGE_ORIGINAL:
    default:
      return NULL;
    }
}

static void
update_bar (BpBackpropView *self)
{
  g_autoptr(GString) s = g_string_new (NULL);
  const BpMiniBatch *b = self->batch;
  const char *image;

  gtk_widget_set_visible (self->batch_box, b != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "backprop.batch-previous",
                                 b != NULL && self->batch_pos > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "backprop.batch-next",
                                 b != NULL && self->batch_pos + 1 < b->n);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "backprop.batch-leave", b != NULL);
  if (b == NULL)
    return;

  /* Translators: the example shown, among those of the mini-batch that
   * Step → One Mini-Batch took. */
  g_string_append_printf (s, _("Example %u of %u in the mini-batch just taken"),
                          self->batch_pos + 1, b->n);
  g_string_append (s, " — ");
  /* Translators: the mini-batch's place in training, then what the step did. */
  g_string_append_printf (s, _("epoch %u, mini-batch %u of %u. The network was updated with the "
                               "mean gradient of these %u examples; the steps below walk the "
                               "network as it was before that update."),
                          b->epoch, b->batch, b->n_batches, b->n);
  image = image_words (b->images[self->batch_pos]);
  if (image != NULL)
    g_string_append_printf (s, " %s", image);
  gtk_label_set_text (self->batch_label, s->str);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->batch_box),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, s->str, -1);
}

/* Show example @position of the batch: the training image's index in the spin button, its
 * input and the network before the step at the next frame. */
static void
show_position (BpBackpropView *self,
               guint           position)
{
  self->batch_pos = position;
  self->batch_setting = TRUE;
  gtk_drop_down_set_selected (self->source_drop, SOURCE_TRAIN);
  gtk_spin_button_set_value (self->index_spin, self->batch->indices[position]);
  gtk_drop_down_set_selected (self->label_drop, 0);
  self->batch_setting = FALSE;
  update_bar (self);
  bp_backprop_view_set_step (self, 0);
  bp_backprop_view_queue_refresh (self, TRUE);
}

void
bp_backprop_view_show_batch (BpBackpropView *self,
                             BpMiniBatch    *batch)
{
  g_return_if_fail (BP_IS_BACKPROP_VIEW (self));
  g_return_if_fail (batch != NULL);

  if (batch->n == 0 || batch->before == NULL || batch->after == NULL
      || batch->n_pixels != N_PIXELS)
    return;
  bp_backprop_slow_stop (self);
  /* The view explains the network before the step, not a copy the user has stepped. */
  g_ptr_array_set_size (self->undo, 0);
  g_array_set_size (self->undo_steps, 0);
  self->steps_taken = 0;
  self->have_update = FALSE;
  bp_mini_batch_ref (batch);
  g_clear_pointer (&self->batch, bp_mini_batch_unref);
  self->batch = batch;
  show_position (self, 0);
}

void
bp_backprop_batch_leave (BpBackpropView *self)
{
  if (self->batch == NULL || self->batch_setting)
    return;
  g_clear_pointer (&self->batch, bp_mini_batch_unref);
  /* Steps the user took on the network before the mini-batch go with it (slow motion leaves
   * the batch before it starts). */
  g_ptr_array_set_size (self->undo, 0);
  g_array_set_size (self->undo_steps, 0);
  self->steps_taken = 0;
  self->have_update = FALSE;
  update_bar (self);
  bp_backprop_view_queue_refresh (self, TRUE);
}

gboolean
bp_backprop_batch_load (BpBackpropView *self)
{
  const BpMiniBatch *b = self->batch;

  if (b == NULL)
    return FALSE;
  memcpy (self->x, b->inputs + (gsize) self->batch_pos * N_PIXELS, sizeof self->x);
  self->true_label = b->labels[self->batch_pos];
  self->have_x = TRUE;
  return TRUE;
}

const BpNetwork *
bp_backprop_batch_get_network (BpBackpropView  *self,
                               BpSnapshot     **snapshot,
                               char           **description)
{
  if (self->batch == NULL)
    return NULL;
  *snapshot = bp_snapshot_ref (self->batch->before);
  /* Translators: which network the Backprop view explains. */
  *description = g_strdup_printf (_("the network before mini-batch %u of epoch %u"),
                                  self->batch->batch, self->batch->epoch);
  return self->batch->before->net;
}

/* The update step's words in front of its result: what the mini-batch's step did to this
 * example's cost. Returns whether there are any. */
gboolean
bp_backprop_batch_describe_update (BpBackpropView *self,
                                   GString        *s)
{
  const BpMiniBatch *b = self->batch;
  const BpNetwork *nets[2];
  g_autofree char *before_text = NULL, *after_text = NULL;
  double costs[2];

  if (b == NULL || self->trace == NULL || !bp_trace_is_computed (self->trace))
    return FALSE;
  /* The example through both networks the session kept (the trace shown may be of the view's
   * own copy, once the user has taken steps on it). */
  nets[0] = b->before->net;
  nets[1] = b->after->net;
  for (int i = 0; i < 2; i++)
    {
      BpError error = { 0 };
      BpTrace *trace = bp_trace_new (nets[i], &error);

      if (trace == NULL
          || !bp_trace_compute (trace, nets[i], self->x, bp_trace_get_label (self->trace), &error))
        {
          g_warning ("Backprop view: %s", error.message);
          bp_trace_free (trace);
          return FALSE;
        }
      costs[i] = bp_trace_get_cost (trace);
      bp_trace_free (trace);
    }
  before_text = bp_backprop_text_number (costs[0], 3);
  after_text = bp_backprop_text_number (costs[1], 3);
  /* Translators: the result of Step → One Mini-Batch for the example shown: two costs. */
  g_string_append_printf (s, _("The network was updated with the mean gradient of these %u "
                               "examples, not of this one alone: the cost of this example went "
                               "from %s before the mini-batch’s step to %s after it."),
                          b->n, before_text, after_text);
  return TRUE;
}

static void
batch_previous_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  BpBackpropView *self = BP_BACKPROP_VIEW (widget);

  if (self->batch != NULL && self->batch_pos > 0)
    show_position (self, self->batch_pos - 1);
}

static void
batch_next_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  BpBackpropView *self = BP_BACKPROP_VIEW (widget);

  if (self->batch != NULL && self->batch_pos + 1 < self->batch->n)
    show_position (self, self->batch_pos + 1);
}

static void
batch_leave_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  bp_backprop_batch_leave (BP_BACKPROP_VIEW (widget));
}

void
bp_backprop_batch_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_child (widget_class, BpBackpropView, batch_box);
  gtk_widget_class_bind_template_child (widget_class, BpBackpropView, batch_label);
  /* For the test mode's probe, which clicks it. */
  gtk_widget_class_bind_template_child_full (widget_class, "batch_next_button", FALSE, 0);
  gtk_widget_class_install_action (widget_class, "backprop.batch-previous", NULL,
                                   batch_previous_action);
  gtk_widget_class_install_action (widget_class, "backprop.batch-next", NULL, batch_next_action);
  gtk_widget_class_install_action (widget_class, "backprop.batch-leave", NULL, batch_leave_action);
}

void
bp_backprop_batch_init (BpBackpropView *self)
{
  update_bar (self);
}

void
bp_backprop_batch_dispose (BpBackpropView *self)
{
  g_clear_pointer (&self->batch, bp_mini_batch_unref);
}
