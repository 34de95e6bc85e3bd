/* bp-backprop-check.c — the Backprop view's gradient pictures, and section 2.8's check of the
 * gradient with finite differences, in a GTask thread
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The check runs bp_gradcheck_run() on a copy of the trace's network, with a progress callback
 * that schedules at most one idle at a time, and a cancel flag that Cancel (or the view going
 * away) sets. The view holds no reference while it runs: the job has a weak one.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdatomic.h>

#include "bp-backprop-text.h"
#include "bp-backprop-view-private.h"
#include "bp-colormap.h"
#include "bp-widget-utils.h"

#define MAX_POINTS 20000

void
bp_backprop_view_update_gradient (BpBackpropView *self)
{
  const BpTraceLayer *first = bp_trace_get_layer (self->trace, 0);
  gboolean image = first->n_in == N_PIXELS;
  g_autofree char *caption = NULL;
  gboolean deeper = FALSE;

  for (guint l = 1; l < n_layers (self); l++)
    deeper |= bp_trace_get_layer (self->trace, l)->n_weights > 0;
  if (first->kind == BP_LAYER_CONV)
    {
      const BpNetwork *net = bp_trace_get_network (self->trace);
      guint k = (guint) net->arch.layers[0].kernel;
      guint in_c = (guint) net->layers[0].in_c;

      /* One k×k picture per filter (its input channels side by side, when there are several). */
      bp_weight_grid_set_weights (self->gradient_grid, first->nabla_w, (guint) first->out_c,
                                  in_c * k * k, k, in_c * k);
      /* Translators: the gradient step's pictures for a conv net: filter count and size. */
      caption = g_strdup_printf (_("∂C/∂w of layer 2: one %u × %u picture per filter, %zu "
                                   "filters, each weight the sum over the map of δ times the "
                                   "input under it (BP4). Below, the deeper layers’ ∂C/∂w as "
                                   "matrices, one row per filter or neuron."), k, k, first->out_c);
      gtk_label_set_text (self->gradient_caption, caption);
      gtk_widget_set_visible (GTK_WIDGET (self->matrices_area), deeper);
      gtk_widget_queue_draw (GTK_WIDGET (self->matrices_area));
      return;
    }
  bp_weight_grid_set_weights (self->gradient_grid, first->nabla_w, (guint) first->n_out,
                              (guint) first->n_in, image ? SIDE : 1, image ? SIDE : (guint) first->n_in);
  if (n_layers (self) > 1)
    /* Translators: the gradient step's pictures; the first is the layer's number. */
    caption = g_strdup_printf (_("∂C/∂w of layer 2: one %u × %u picture per neuron, the input x "
                                 "times the neuron’s δ (BP4). Below, the deeper layers’ ∂C/∂w "
                                 "as matrices, one row per neuron."), SIDE, SIDE);
  else
    caption = g_strdup_printf (_("∂C/∂w of layer 2: one %u × %u picture per neuron, the input x "
                                 "times the neuron’s δ (BP4)."), SIDE, SIDE);
  gtk_label_set_text (self->gradient_caption, caption);
  gtk_widget_set_visible (GTK_WIDGET (self->matrices_area), deeper);
  gtk_widget_queue_draw (GTK_WIDGET (self->matrices_area));
}

/* ── Section 2.8: the check with finite differences ──────────────────────────────────────── */

struct _BpCheckJob
{
  BpNetwork   *net;
  float        x[N_PIXELS];
  size_t       label;
  atomic_int   cancel;
  atomic_size_t done, total;
  atomic_int   idle_pending;
  GWeakRef     view;
  BpGradcheck  result;
  char        *message;
};

static void
check_job_clear (BpCheckJob *job)
{
  bp_network_free (job->net);
  g_weak_ref_clear (&job->view);
  bp_gradcheck_clear (&job->result);
  g_free (job->message);
}

static BpCheckJob *
check_job_ref (BpCheckJob *job)
{
  return g_atomic_rc_box_acquire (job);
}

static void
check_job_unref (BpCheckJob *job)
{
  g_atomic_rc_box_release_full (job, (GDestroyNotify) check_job_clear);
}

static gboolean
check_progress_idle_cb (gpointer data)
{
  BpCheckJob *job = data;
  g_autoptr(BpBackpropView) self = g_weak_ref_get (&job->view);
  size_t done = atomic_load (&job->done), total = atomic_load (&job->total);

  atomic_store (&job->idle_pending, 0);
  if (self != NULL && self->check == job && total > 0)
    {
      g_autofree char *text = NULL;

      /* Translators: the progress of the check with finite differences. */
      text = g_strdup_printf (_("%zu of %zu parameters"), done, total);
      gtk_progress_bar_set_fraction (self->check_progress, (double) done / (double) total);
      gtk_progress_bar_set_text (self->check_progress, text);
    }
  return G_SOURCE_REMOVE;
}

/* From the check's thread: at most one idle pending. */
static void
check_progress_cb (size_t done,
                   size_t total,
                   void  *user_data)
{
  BpCheckJob *job = user_data;

  atomic_store (&job->done, done);
  atomic_store (&job->total, total);
  if (atomic_exchange (&job->idle_pending, 1) == 0)
    g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, check_progress_idle_cb, check_job_ref (job),
                     (GDestroyNotify) check_job_unref);
}

static void
check_thread_cb (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  BpCheckJob *job = task_data;
  BpError error = { 0 };

  if (bp_gradcheck_run (job->net, job->x, job->label, 0, 1, &job->cancel, check_progress_cb, job,
                        &job->result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_new_error (task, G_IO_ERROR,
                             error.code == BP_ERROR_CANCELLED ? G_IO_ERROR_CANCELLED : G_IO_ERROR_FAILED,
                             "%s", error.message);
}

static void
show_check_result (BpBackpropView *self)
{
  const BpGradcheck *r = &self->check_result;
  g_autofree char *bp = bp_backprop_text_number (r->backprop_seconds * 1000.0, 3);
  g_autofree char *fd = bp_backprop_text_number (r->numerical_seconds, 3);
  g_autofree char *ratio = g_strdup_printf ("%.0f", r->ratio);
  g_autofree char *err = bp_backprop_text_number (r->max_relative_error, 2);
  g_autofree char *text = NULL;

  /* Translators: section 2.8's comparison: parameters, two times, their ratio, the largest
   * relative difference. */
  text = g_strdup_printf (_("%zu parameters. Backpropagation computed every ∂C/∂w and ∂C/∂b in "
                            "%s ms (one forward and one backward pass); finite differences took "
                            "%s s (two forward passes per parameter): %s times as long. Largest "
                            "relative difference: %s. The points lie on the diagonal: both give "
                            "the same gradient."),
                          r->n_checked, bp, fd, ratio, err);
  gtk_label_set_text (self->check_label, text);
  gtk_widget_queue_draw (GTK_WIDGET (self->scatter_area));
}

static void
check_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  BpCheckJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(BpBackpropView) self = g_weak_ref_get (&job->view);
  g_autoptr(GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  if (self == NULL || self->check != job)
    return;
  self->check = NULL;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "backprop.check", TRUE);
  gtk_widget_set_visible (self->check_button, TRUE);
  if (gtk_widget_has_focus (self->cancel_button))
    gtk_widget_grab_focus (self->check_button);
  gtk_widget_set_visible (GTK_WIDGET (self->check_progress), FALSE);
  gtk_widget_set_visible (self->cancel_button, FALSE);
  if (ok)
    {
      bp_gradcheck_clear (&self->check_result);
      self->check_result = job->result;
      memset (&job->result, 0, sizeof job->result);
      self->have_check_result = TRUE;
      show_check_result (self);
      g_signal_emit_by_name (self, "gradcheck-done", &self->check_result);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Backprop view: %s", error->message);
  bp_backprop_view_update (self);
}

static void
check_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  BpBackpropView *self = BP_BACKPROP_VIEW (widget);
  g_autoptr(GTask) task = NULL;
  BpCheckJob *job;

  if (self->check != NULL || self->trace == NULL || !bp_trace_is_computed (self->trace))
    return;
  job = g_atomic_rc_box_new0 (BpCheckJob);
  job->net = bp_network_copy (bp_trace_get_network (self->trace));
  if (job->net == NULL)
    {
      check_job_unref (job);
      return;
    }
  memcpy (job->x, bp_trace_get_input (self->trace), sizeof job->x);
  job->label = bp_trace_get_label (self->trace);
  g_weak_ref_init (&job->view, self);
  self->check = job;
  /* The progress bar and Cancel take the button's place while the check runs, the keyboard
   * too. */
  gtk_widget_set_visible (self->cancel_button, TRUE);
  if (gtk_widget_has_focus (self->check_button))
    gtk_widget_grab_focus (self->cancel_button);
  gtk_widget_set_visible (self->check_button, FALSE);

  gtk_progress_bar_set_fraction (self->check_progress, 0.0);
  gtk_progress_bar_set_text (self->check_progress, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->check_progress), TRUE);
  gtk_widget_set_visible (self->cancel_button, TRUE);

  task = g_task_new (NULL, NULL, check_done_cb, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) check_job_unref);
  g_task_run_in_thread (task, check_thread_cb);
  bp_backprop_view_update (self);
}

static void
cancel_check_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  BpBackpropView *self = BP_BACKPROP_VIEW (widget);

  if (self->check != NULL)
    atomic_store (&self->check->cancel, 1);
}

/* Backprop's gradient against the numerical one, on equal axes ±max: the points lie on the
 * diagonal. */
static void
draw_scatter_cb (GtkDrawingArea *area,
                 cairo_t        *cr,
                 int             width,
                 int             height,
                 gpointer        user_data)
{
  BpBackpropView *self = BP_BACKPROP_VIEW (user_data);
  const BpGradcheck *r = &self->check_result;
  GdkRGBA fg;
  double side = MIN (width, height) - 8, x0 = 4, y0 = 4;
  double limit = 0.0;
  size_t stride;

  bp_widget_is_dark (GTK_WIDGET (area), &fg);
  if (!self->have_check_result || r->n_checked == 0 || side <= 0)
    return;
  for (size_t i = 0; i < r->n_checked; i++)
    limit = MAX (limit, MAX (fabs (r->backprop[i]), fabs (r->numerical[i])));
  if (limit == 0.0)
    limit = 1.0;

  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.3);
  cairo_set_line_width (cr, 1.0);
  cairo_rectangle (cr, x0 + 0.5, y0 + 0.5, side - 1, side - 1);
  cairo_move_to (cr, x0 + side / 2 + 0.5, y0);
  cairo_line_to (cr, x0 + side / 2 + 0.5, y0 + side);
  cairo_move_to (cr, x0, y0 + side / 2 + 0.5);
  cairo_line_to (cr, x0 + side, y0 + side / 2 + 0.5);
  cairo_stroke (cr);
  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.5);
  cairo_move_to (cr, x0, y0 + side);
  cairo_line_to (cr, x0 + side, y0);
  cairo_stroke (cr);

  {
    PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (area), _("numerical →"));
    int tw, th;

    cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.7);
    pango_layout_get_pixel_size (layout, &tw, &th);
    cairo_move_to (cr, x0 + side - tw - 3, y0 + side / 2 + 2);
    pango_cairo_show_layout (cr, layout);
    pango_layout_set_text (layout, _("↑ backprop"), -1);
    cairo_move_to (cr, x0 + side / 2 + 3, y0 + 2);
    pango_cairo_show_layout (cr, layout);
    g_object_unref (layout);
  }

  /* At most MAX_POINTS points, evenly spread over the parameters. */
  stride = MAX ((size_t) 1, r->n_checked / MAX_POINTS);
  cairo_set_source_rgba (cr, 0.8, 0.2, 0.15, 0.7);
  for (size_t i = 0; i < r->n_checked; i += stride)
    {
      double px = x0 + side / 2 + r->numerical[i] / limit * side / 2;
      double py = y0 + side / 2 - r->backprop[i] / limit * side / 2;

      cairo_rectangle (cr, px - 1, py - 1, 2, 2);
    }
  cairo_fill (cr);
}

/* The deeper layers' ∂C/∂w as matrices, each on its own scale. */
static void
draw_matrices_cb (GtkDrawingArea *area,
                  cairo_t        *cr,
                  int             width,
                  int             height,
                  gpointer        user_data)
{
  BpBackpropView *self = BP_BACKPROP_VIEW (user_data);
  guint L = n_layers (self);
  const double pad = 4.0;
  double slot, x = pad;
  guint n_matrices = 0;

  if (self->trace == NULL || L < 2 || !bp_trace_is_computed (self->trace))
    return;
  for (guint l = 1; l < L; l++)
    n_matrices += bp_trace_get_layer (self->trace, l)->n_weights > 0;
  if (n_matrices == 0)
    return;
  slot = (width - pad * (n_matrices + 1)) / (double) n_matrices;
  if (slot <= 0)
    return;
  for (guint l = 1; l < L; l++)
    {
      const BpTraceLayer *tl = bp_trace_get_layer (self->trace, l);
      /* A dense layer's rows are its neurons; a conv layer's its filters (C_in·k² each). A pool
       * layer has no weights. */
      size_t rows = tl->n_biases, cols = rows > 0 ? tl->n_weights / rows : 0;
      cairo_surface_t *surface;

      if (tl->n_weights == 0 || rows == 0)
        continue;
      surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) cols, (int) rows);
      guint8 *data;
      int stride;
      double max_abs = 0.0;

      for (size_t i = 0; i < tl->n_weights; i++)
        max_abs = MAX (max_abs, fabs (tl->nabla_w[i]));
      if (max_abs == 0.0)
        max_abs = 1.0;
      cairo_surface_flush (surface);
      data = cairo_image_surface_get_data (surface);
      stride = cairo_image_surface_get_stride (surface);
      for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++)
          ((guint32 *) (gpointer) (data + r * (size_t) stride))[c] =
            bp_colormap_diverging_pixel (tl->nabla_w[r * cols + c] / max_abs);
      cairo_surface_mark_dirty (surface);
      cairo_save (cr);
      cairo_rectangle (cr, x, pad, slot, height - 2 * pad);
      cairo_clip (cr);
      cairo_translate (cr, x, pad);
      cairo_scale (cr, slot / (double) cols, (height - 2 * pad) / (double) rows);
      cairo_set_source_surface (cr, surface, 0, 0);
      cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
      cairo_paint (cr);
      cairo_restore (cr);
      cairo_surface_destroy (surface);
      x += slot + pad;
    }
}

void
bp_backprop_check_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "backprop.check", NULL, check_action);
  gtk_widget_class_install_action (widget_class, "backprop.cancel-check", NULL,
                                   cancel_check_action);
}

void
bp_backprop_check_init (BpBackpropView *self)
{
  gtk_drawing_area_set_draw_func (self->scatter_area, draw_scatter_cb, self, NULL);
  gtk_drawing_area_set_draw_func (self->matrices_area, draw_matrices_cb, self, NULL);
}

void
bp_backprop_check_dispose (BpBackpropView *self)
{
  if (self->check != NULL)
    atomic_store (&self->check->cancel, 1);
  self->check = NULL;
  bp_gradcheck_clear (&self->check_result);
  self->have_check_result = FALSE;
}
