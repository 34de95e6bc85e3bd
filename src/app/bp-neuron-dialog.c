/* bp-neuron-dialog.c — one neuron of the first layer, or one filter of a conv layer, large:
 * its weights, bias and outputs, or the filter's numbers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The picture is the neuron's incoming weights as an image, on a colour scale of ±max|w| with
 * its legend; the bars are the weights from this neuron to each neuron of the next layer (the
 * digits, in a 784-N-10 network), which say which digits it votes for and against. A filter is
 * its k × k weights for each input channel side by side (bp-layer-pictures.c), with its numbers
 * beside it.
 */
#include "config.h"

#include "bp-neuron-dialog.h"

#include <glib/gi18n.h>
#include <math.h>

#include "bp-colormap.h"
#include "bp-layer-pictures.h"
#include "bp-widget-utils.h"

struct _BpNeuronDialog
{
  AdwWindow       parent_instance;

  /* Template children */
  AdwWindowTitle *window_title;
  GtkDrawingArea *picture_area;
  GtkLabel       *bias_label;
  GtkLabel       *outgoing_label;
  GtkDrawingArea *outgoing_area;
  GtkWidget      *numbers_window;
  GtkLabel       *numbers_label;

  guint           layer;   /* 0, or a conv layer */
  guint           neuron;  /* or filter */
  BpSnapshot     *snapshot;
  guint           image_rows;
  guint           image_cols;
};

G_DEFINE_FINAL_TYPE (BpNeuronDialog, bp_neuron_dialog, ADW_TYPE_WINDOW)

static void
foreground_color (GtkWidget *widget,
                  GdkRGBA   *color)
{
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), color);
}

static void
draw_picture_cb (GtkDrawingArea *area,
                 cairo_t        *cr,
                 int             width,
                 int             height,
                 gpointer        user_data)
{
  BpNeuronDialog *self = BP_NEURON_DIALOG (user_data);
  g_autofree float *pictures = NULL;
  const float *w;
  cairo_surface_t *surface;
  guint8 *data;
  int stride;
  double max_abs = 0.0, scale;
  const double legend_height = 44.0, gap = 12.0;
  guint n, rows, cols;

  if (self->snapshot == NULL)
    return;
  pictures = bp_layer_pictures_new (self->snapshot->net, self->layer, self->image_rows,
                                    self->image_cols, &n, &rows, &cols);
  if (pictures == NULL || self->neuron >= n)
    return;
  w = pictures + (gsize) self->neuron * rows * cols;
  for (gsize i = 0; i < (gsize) rows * cols; i++)
    if (!isnan (w[i]))
      max_abs = MAX (max_abs, fabs (w[i]));
  if (max_abs == 0.0)
    max_abs = 1.0;

  /* A NaN is the gap between a filter's slices: transparent. */
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) cols, (int) rows);
  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (guint r = 0; r < rows; r++)
    for (guint c = 0; c < cols; c++)
      ((guint32 *) (gpointer) (data + r * (size_t) stride))[c] =
        isnan (w[r * cols + c]) ? 0 : bp_colormap_diverging_pixel (w[r * cols + c] / max_abs);
  cairo_surface_mark_dirty (surface);

  /* Whole pixels per weight keep the picture sharp. */
  scale = floor (MIN ((double) width / cols, ((double) height - legend_height - gap) / rows));
  if (scale < 1.0)
    scale = MIN ((double) width / cols, ((double) height - legend_height - gap) / rows);

  cairo_save (cr);
  cairo_scale (cr, scale, scale);
  cairo_set_source_surface (cr, surface, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
  cairo_paint (cr);
  cairo_restore (cr);
  cairo_surface_destroy (surface);

  bp_colormap_draw_legend (cr, 0, scale * rows + gap, MAX (scale * cols, MIN (width, 240)),
                           legend_height, max_abs, bp_widget_is_dark (GTK_WIDGET (area), NULL));
}

static void
draw_outgoing_cb (GtkDrawingArea *area,
                  cairo_t        *cr,
                  int             width,
                  int             height,
                  gpointer        user_data)
{
  BpNeuronDialog *self = BP_NEURON_DIALOG (user_data);
  const BpNetwork *net;
  size_t n_out, n_hidden;
  const float *w;
  double max_abs = 0.0, bar, zero_y, half;
  const double label_height = 20.0;
  GdkRGBA fg;

  if (self->snapshot == NULL || self->snapshot->net->arch.n_layers < 2
      || self->snapshot->net->arch.layers[0].kind != BP_LAYER_DENSE
      || self->snapshot->net->arch.layers[1].kind != BP_LAYER_DENSE)
    return;
  net = self->snapshot->net;
  n_hidden = net->layers[0].n_out;
  n_out = net->layers[1].n_out;
  /* W_2 is (n_out, n_hidden): this neuron's outgoing weights are its column. */
  w = net->params + net->layers[1].w_offset + self->neuron;
  for (size_t k = 0; k < n_out; k++)
    max_abs = MAX (max_abs, fabs (w[k * n_hidden]));
  if (max_abs == 0.0)
    max_abs = 1.0;

  foreground_color (GTK_WIDGET (area), &fg);
  bar = (double) width / (double) n_out;
  half = (height - label_height) / 2.0 - 4.0;
  zero_y = 4.0 + half;

  for (size_t k = 0; k < n_out; k++)
    {
      double v = w[k * n_hidden];
      double r, g, b;
      double h = fabs (v) / max_abs * half;
      g_autofree char *label = NULL;
      PangoLayout *layout;
      int lw, lh;

      bp_colormap_diverging (v / max_abs, &r, &g, &b);
      cairo_set_source_rgb (cr, r, g, b);
      cairo_rectangle (cr, k * bar + bar * 0.15, v >= 0 ? zero_y - h : zero_y, bar * 0.7, h);
      cairo_fill_preserve (cr);
      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.35);
      cairo_set_line_width (cr, 1.0);
      cairo_stroke (cr);

      /* Outputs of a 10-way output layer are the digits 0–9; other layers count from 1. */
      label = net->arch.n_layers == 2 ? g_strdup_printf ("%zu", k) : g_strdup_printf ("%zu", k + 1);
      layout = gtk_widget_create_pango_layout (GTK_WIDGET (area), label);
      pango_layout_get_pixel_size (layout, &lw, &lh);
      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, fg.alpha);
      cairo_move_to (cr, k * bar + (bar - lw) / 2.0, height - label_height + (label_height - lh) / 2.0);
      pango_cairo_show_layout (cr, layout);
      g_object_unref (layout);
    }

  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.6);
  cairo_set_line_width (cr, 1.0);
  cairo_move_to (cr, 0, floor (zero_y) + 0.5);
  cairo_line_to (cr, width, floor (zero_y) + 0.5);
  cairo_stroke (cr);
}

static void
update_labels (BpNeuronDialog *self)
{
  const BpNetwork *net = self->snapshot->net;
  g_autofree char *title = NULL;
  g_autofree char *bias = NULL;
  g_autofree char *subtitle = NULL;
  gboolean filter = net->arch.layers[self->layer].kind == BP_LAYER_CONV;
  float b = net->params[net->layers[self->layer].b_offset + self->neuron];

  if (filter)
    {
      g_autofree char *token = bp_layer_pictures_token (&net->arch, self->layer);
      g_autofree char *numbers = bp_layer_pictures_filter_text (net, self->layer, self->neuron);

      /* Translators: "Filter 3 of 20 · conv20x5", filters counted from 1. */
      title = g_strdup_printf (_("Filter %u of %zu · %s"), self->neuron + 1,
                               net->layers[self->layer].out_c, token);
      gtk_label_set_text (self->numbers_label, numbers);
    }
  else if (net->arch.n_layers > 1)
    title = g_strdup_printf (_("Hidden Neuron %u of %zu"), self->neuron + 1, net->layers[0].n_out);
  else
    title = g_strdup_printf (_("Output Neuron %u"), self->neuron);
  adw_window_title_set_title (self->window_title, title);
  /* Translators: the epoch the weights shown were taken at. */
  subtitle = g_strdup_printf (_("After %u epochs"), self->snapshot->epoch);
  adw_window_title_set_subtitle (self->window_title, subtitle);

  /* A true minus sign, as the legends write it. */
  bias = g_strdup_printf (_("Bias %s%.4f"), b < 0.0f ? "−" : "+", fabs ((double) b));
  gtk_label_set_text (self->bias_label, bias);

  gtk_widget_set_visible (self->numbers_window, filter);
  gtk_widget_set_visible (GTK_WIDGET (self->outgoing_label), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->outgoing_area), !filter && net->arch.n_layers > 1);
  if (filter)
    gtk_label_set_text (self->outgoing_label, _("Its weights, one row of the filter per line"));
  else if (net->arch.n_layers == 1)
    gtk_widget_set_visible (GTK_WIDGET (self->outgoing_label), FALSE);
  else if (net->arch.n_layers == 2)
    gtk_label_set_text (self->outgoing_label, _("Outgoing weights to the digits"));
  else
    gtk_label_set_text (self->outgoing_label, _("Outgoing weights to the next layer"));
}

void
bp_neuron_dialog_set_snapshot (BpNeuronDialog *self,
                               BpSnapshot     *snapshot,
                               guint           image_rows,
                               guint           image_cols)
{
  g_return_if_fail (BP_IS_NEURON_DIALOG (self));
  g_return_if_fail (snapshot != NULL);
  g_return_if_fail (bp_layer_pictures_shown (snapshot->net, self->layer));
  g_return_if_fail (self->neuron < snapshot->net->layers[self->layer].out_c);

  bp_snapshot_ref (snapshot);
  g_clear_pointer (&self->snapshot, bp_snapshot_unref);
  self->snapshot = snapshot;
  self->image_rows = image_rows;
  self->image_cols = image_cols;
  update_labels (self);
  gtk_widget_queue_draw (GTK_WIDGET (self->picture_area));
  gtk_widget_queue_draw (GTK_WIDGET (self->outgoing_area));
}

guint
bp_neuron_dialog_get_neuron (BpNeuronDialog *self)
{
  g_return_val_if_fail (BP_IS_NEURON_DIALOG (self), 0);

  return self->neuron;
}

static void
bp_neuron_dialog_dispose (GObject *object)
{
  BpNeuronDialog *self = BP_NEURON_DIALOG (object);

  g_clear_pointer (&self->snapshot, bp_snapshot_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), BP_TYPE_NEURON_DIALOG);

  G_OBJECT_CLASS (bp_neuron_dialog_parent_class)->dispose (object);
}

static void
bp_neuron_dialog_class_init (BpNeuronDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bp_neuron_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/nndl/Backprop/ui/bp-neuron-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, BpNeuronDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, BpNeuronDialog, picture_area);
  gtk_widget_class_bind_template_child (widget_class, BpNeuronDialog, bias_label);
  gtk_widget_class_bind_template_child (widget_class, BpNeuronDialog, outgoing_label);
  gtk_widget_class_bind_template_child (widget_class, BpNeuronDialog, outgoing_area);
  gtk_widget_class_bind_template_child (widget_class, BpNeuronDialog, numbers_window);
  gtk_widget_class_bind_template_child (widget_class, BpNeuronDialog, numbers_label);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
bp_neuron_dialog_init (BpNeuronDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_drawing_area_set_draw_func (self->picture_area, draw_picture_cb, self, NULL);
  gtk_drawing_area_set_draw_func (self->outgoing_area, draw_outgoing_cb, self, NULL);
}

BpNeuronDialog *
bp_neuron_dialog_new (GtkWindow *parent,
                      guint      layer,
                      guint      neuron)
{
  BpNeuronDialog *self = g_object_new (BP_TYPE_NEURON_DIALOG,
                                       "transient-for", parent,
                                       NULL);

  self->layer = layer;
  self->neuron = neuron;
  return self;
}
