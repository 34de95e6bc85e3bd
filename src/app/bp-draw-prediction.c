/* bp-draw-prediction.c — what the Draw view computes for a drawing, on any thread
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-draw-prediction.h"

BpDrawPrediction *
bp_draw_prediction_new (BpSnapshot      *snapshot,
                        const BpNetwork *net,
                        const float     *input,
                        int              chosen,
                        guint            serial)
{
  BpDrawPrediction *self = g_new0 (BpDrawPrediction, 1);

  g_return_val_if_fail (net != NULL && input != NULL, NULL);

  self->snapshot = snapshot != NULL ? bp_snapshot_ref (snapshot) : NULL;
  self->net = net;
  memcpy (self->input, input, sizeof self->input);
  self->chosen = chosen;
  self->serial = serial;
  return self;
}

void
bp_draw_prediction_free (BpDrawPrediction *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->snapshot, bp_snapshot_unref);
  g_free (self->hidden);
  bp_layer_maps_clear (&self->maps);
  g_free (self);
}

void
bp_draw_prediction_compute (BpDrawPrediction *self)
{
  const BpNetwork *net = self->net;
  gint64 start = g_get_monotonic_time ();
  g_autofree float *scratch = g_new (float, MAX (bp_network_scratch_size (net),
                                                 bp_network_input_gradient_scratch_size (net)));
  g_autofree float *out = g_new (float, net->n_outputs);

  bp_network_predict (net, self->input, out, scratch);
  self->n_outputs = (guint) MIN (net->n_outputs, BP_DRAW_MAX_OUT);
  memcpy (self->outputs, out, self->n_outputs * sizeof (float));
  self->top = 0;
  for (guint k = 1; k < self->n_outputs; k++)
    if (self->outputs[k] > self->outputs[self->top])
      self->top = k;

  self->saliency_class = self->chosen >= 0 && (guint) self->chosen < self->n_outputs
                           ? (guint) self->chosen : self->top;
  bp_network_input_gradient (net, self->input, self->saliency_class, self->saliency, scratch);

  /* The first hidden layer, a¹ = σ(W¹x + b¹), as the network's own forward pass computes it; a
   * conv net's first layer is maps of thousands of values, which the feature maps show. */
  if (net->arch.n_layers > 1 && net->arch.layers[0].kind == BP_LAYER_DENSE)
    {
      float *a[BP_MAX_LAYERS];
      g_autofree float *buffer = bp_layer_maps_forward (net, self->input, a);

      self->n_hidden = net->layers[0].n_out;
      self->hidden = g_memdup2 (a[0], self->n_hidden * sizeof (float));
    }
  bp_layer_maps_compute (&self->maps, net, self->input);
  self->milliseconds = (g_get_monotonic_time () - start) / 1000.0;
}

static void
compute_thread_cb (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  BpDrawPrediction *self = task_data;

  bp_draw_prediction_compute (self);
  /* The task owns the prediction from here: if nobody takes it, it frees it. */
  g_task_return_pointer (task, self, (GDestroyNotify) bp_draw_prediction_free);
}

void
bp_draw_prediction_run_async (BpDrawPrediction    *self,
                              gpointer             source_object,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (source_object, cancellable, callback, user_data);

  g_task_set_task_data (task, self, NULL);
  g_task_run_in_thread (task, compute_thread_cb);
}

BpDrawPrediction *
bp_draw_prediction_finish (GAsyncResult *result)
{
  /* NULL when cancelled. */
  return g_task_propagate_pointer (G_TASK (result), NULL);
}
