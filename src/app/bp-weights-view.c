/* bp-weights-view.c — the Weights view: the first layer and every conv layer as pictures,
 * deeper fully connected layers as matrices
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The first layer is the template's grid: a dense layer's neurons as pictures of the input, or a
 * conv layer's filters. Each deeper conv layer gets a grid of its own below it, one row of small
 * pictures per filter (bp-layer-pictures.c), made when a network of a new shape arrives.
 *
 * The view reads the session's latest weight snapshot at frame time: when the session announces
 * a new one, a one-shot tick callback picks it up at the next frame, so the pictures follow
 * training as often as the session announces snapshots (about 20 times a second) and cost
 * nothing while the view is hidden.
 */
#include "config.h"

#include "bp-weights-view.h"

#include <glib/gi18n.h>
#include <math.h>

#include "bp-colormap.h"
#include "bp-layer-pictures.h"
#include "bp-neuron-dialog.h"
#include "bp-weight-grid.h"
#include "bp-widget-utils.h"

struct _BpWeightsView
{
  BpView          parent_instance;

  /* Template children */
  GtkLabel       *caption_label;
  GtkToggleButton *fixed_button;
  BpWeightGrid   *grid;
  GtkBox         *conv_box;
  GtkLabel       *deeper_label;
  GtkDrawingArea *deeper_area;

  BpSnapshot     *snapshot;
  guint           tick_id;
  BpNeuronDialog *dialog;  /* weak */
  /* The grids: [0] the template's (layer 0), then one per deeper conv layer, in conv_box. */
  guint           n_grids;
  BpWeightGrid   *grids[BP_MAX_LAYERS];
  guint           grid_layer[BP_MAX_LAYERS];
  double          start_limit[BP_MAX_LAYERS]; /* the largest |w| of the network's first pictures */
};

G_DEFINE_FINAL_TYPE (BpWeightsView, bp_weights_view, BP_TYPE_VIEW)

enum {
  NEURON_SHOWN,
  FILTERS_UPDATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
image_size (BpWeightsView *self,
            guint         *rows,
            guint         *cols)
{
  BpSession *session = bp_view_get_session (BP_VIEW (self));
  const BpDataset *train = session != NULL ? bp_session_get_train_set (session) : NULL;
  size_t n_inputs = self->snapshot->net->n_inputs;

  if (train != NULL && train->rows * train->cols == n_inputs)
    {
      *rows = (guint) train->rows;
      *cols = (guint) train->cols;
    }
  else
    {
      /* Not an image: one row of inputs. */
      *rows = 1;
      *cols = (guint) n_inputs;
    }
}

/* What layer @layer's grid shows, above it. */
static char *
conv_caption (const BpNetwork *net,
              guint            layer)
{
  const BpLayer *shape = &net->layers[layer];
  size_t k = net->arch.layers[layer].kernel;
  g_autofree char *token = bp_layer_pictures_token (&net->arch, layer);

  if (shape->in_c == 1)
    return g_strdup_printf (_("Convolutional layer %s: %zu filters of %zu×%zu weights, each slid "
                              "over the whole picture to find one feature wherever it is; red "
                              "positive, blue negative. Click one for its numbers."),
                            token, shape->out_c, k, k);
  return g_strdup_printf (_("Convolutional layer %s: %zu filters, one row each: the filter’s %zu "
                            "slices of %zu×%zu weights, one for each channel of the layer below. "
                            "Click one for its numbers."),
                          token, shape->out_c, shape->in_c, k, k);
}

static void
update_captions (BpWeightsView *self)
{
  const BpNetwork *net = self->snapshot->net;
  g_autofree char *caption = NULL;
  g_autoptr(GString) deeper = g_string_new (NULL);
  gboolean maps = bp_arch_has_maps (&net->arch);
  guint rows, cols;

  image_size (self, &rows, &cols);
  if (net->arch.layers[0].kind == BP_LAYER_CONV)
    caption = conv_caption (net, 0);
  else if (net->arch.n_layers > 1)
    caption = g_strdup_printf (_("First hidden layer: %zu neurons. Each picture shows one neuron’s %zu "
                                 "incoming weights as a %u×%u image, red positive and blue negative. "
                                 "Click one to see it large."),
                               net->layers[0].n_out, net->n_inputs, rows, cols);
  else
    caption = g_strdup_printf (_("Output layer: %zu neurons. Each picture shows one neuron’s %zu "
                                 "incoming weights as a %u×%u image, red positive and blue negative. "
                                 "Click one to see it large."),
                               net->layers[0].n_out, net->n_inputs, rows, cols);
  gtk_label_set_text (self->caption_label, caption);

  for (size_t l = 2; l <= net->arch.n_layers; l++)
    {
      g_autofree char *token = NULL;

      if (net->arch.layers[l - 1].kind != BP_LAYER_DENSE)
        continue;
      if (deeper->len > 0)
        g_string_append (deeper, " · ");
      if (maps)
        {
          /* A conv net's layers by their tokens, as its layer list names them. */
          token = bp_layer_pictures_token (&net->arch, (guint) l - 1);
          g_string_append_printf (deeper, _("%s: %zu × %zu"), token, net->layers[l - 1].n_out,
                                  net->layers[l - 1].n_in);
        }
      else
        g_string_append_printf (deeper, _("layer %zu: %zu × %zu"), l, net->layers[l - 1].n_out,
                                net->layers[l - 1].n_in);
    }
  if (deeper->len > 0)
    {
      g_autofree char *text = NULL;

      if (maps)
        text = g_strdup_printf (_("Fully connected layers as weight matrices, one row per neuron (%s)"),
                                deeper->str);
      else
        text = g_strdup_printf (_("Deeper layers as weight matrices, one row per neuron (%s)"),
                                deeper->str);
      gtk_label_set_text (self->deeper_label, text);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->deeper_label), deeper->len > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->deeper_area), deeper->len > 0);
}

static void neuron_activated_cb (BpWeightsView *self,
                                 guint          unit,
                                 BpWeightGrid  *grid);

/* The grids of a network of a new shape: the template's for layer 0, and one for each deeper
 * conv layer, tall enough for four pixels a weight in one column of rows. */
static void
make_grids (BpWeightsView *self)
{
  const BpNetwork *net = self->snapshot->net;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->conv_box))) != NULL)
    gtk_box_remove (self->conv_box, child);
  self->n_grids = 1;
  self->grid_layer[0] = 0;
  bp_weight_grid_set_filters (self->grid, net->arch.layers[0].kind == BP_LAYER_CONV);

  for (guint l = 1; l < net->arch.n_layers; l++)
    {
      g_autofree char *caption = NULL;
      GtkWidget *label, *grid;
      size_t k = net->arch.layers[l].kernel;
      size_t n = net->layers[l].out_c;

      if (net->arch.layers[l].kind != BP_LAYER_CONV)
        continue;
      caption = conv_caption (net, l);
      label = gtk_label_new (caption);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_xalign (GTK_LABEL (label), 0.0f);
      gtk_widget_add_css_class (label, "dim-label");
      grid = bp_weight_grid_new ();
      gtk_widget_add_css_class (grid, "card");
      gtk_widget_set_hexpand (grid, TRUE);
      gtk_widget_set_size_request (grid, -1, (int) MIN (n * (4 * k + 5) + 60, 2400));
      gtk_accessible_update_property (GTK_ACCESSIBLE (grid), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      caption, -1);
      bp_weight_grid_set_filters (BP_WEIGHT_GRID (grid), TRUE);
      g_signal_connect_swapped (grid, "neuron-activated", G_CALLBACK (neuron_activated_cb), self);
      gtk_box_append (self->conv_box, label);
      gtk_box_append (self->conv_box, grid);
      self->grids[self->n_grids] = BP_WEIGHT_GRID (grid);
      self->grid_layer[self->n_grids] = l;
      self->n_grids++;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->conv_box), self->n_grids > 1);
  /* With deeper filters below it, the first layer's keeps room for pictures that read. */
  gtk_widget_set_size_request (GTK_WIDGET (self->grid), -1, self->n_grids > 1 ? 300 : -1);
}

/* Grid @i's pictures from the snapshot, coloured on its fixed or fitted scale. */
static void
set_grid_weights (BpWeightsView *self,
                  guint          i)
{
  const BpNetwork *net = self->snapshot->net;
  g_autofree float *pictures = NULL;
  guint image_rows, image_cols, n = 0, rows = 0, cols = 0;
  const BpLayer *shape;
  double sum = 0.0, max_abs = 0.0;

  image_size (self, &image_rows, &image_cols);
  /* A dense first layer's rows are its pictures already: no copy, twenty times a second. */
  if (net->arch.layers[self->grid_layer[i]].kind == BP_LAYER_DENSE)
    {
      bp_weight_grid_set_weights (self->grids[i], net->params + net->layers[0].w_offset,
                                  (guint) net->layers[0].n_out, (guint) net->n_inputs,
                                  image_rows, image_cols);
      return;
    }
  pictures = bp_layer_pictures_new (net, self->grid_layer[i], image_rows, image_cols, &n, &rows, &cols);
  if (pictures == NULL)
    return;

  /* A conv layer's filters. Their weights grow far beyond the small ones they start from: the
   * fixed scale only widens for them, so that filters that grow keep their pattern rather than
   * turning solid red and blue, and filters that shrink still fade. */
  shape = &net->layers[self->grid_layer[i]];
  for (size_t j = 0; j < shape->n_weights; j++)
    {
      double a = fabs (net->params[shape->w_offset + j]);

      sum += a;
      max_abs = MAX (max_abs, a);
    }
  if (gtk_toggle_button_get_active (self->fixed_button) && self->start_limit[i] > 0.0
      && max_abs > self->start_limit[i] && isfinite (max_abs))
    {
      self->start_limit[i] = max_abs;
      bp_weight_grid_set_limit (self->grids[i], max_abs);
    }
  bp_weight_grid_set_weights (self->grids[i], pictures, n, rows * cols, rows, cols);
  g_signal_emit (self, signals[FILTERS_UPDATED], 0, self->grid_layer[i], n, rows, cols, sum);
}

/* Show the latest snapshot if it is new. */
static void
refresh (BpWeightsView *self)
{
  BpSession *session = bp_view_get_session (BP_VIEW (self));
  g_autoptr(BpSnapshot) snapshot = NULL;
  const BpNetwork *net;
  gboolean new_shape;
  guint rows, cols;

  if (session == NULL)
    return;
  snapshot = bp_session_dup_snapshot (session);
  if (snapshot == NULL)
    return;
  if (self->snapshot != NULL && self->snapshot->serial == snapshot->serial)
    return;

  new_shape = self->snapshot == NULL || self->snapshot->generation != snapshot->generation;
  g_clear_pointer (&self->snapshot, bp_snapshot_unref);
  self->snapshot = g_steal_pointer (&snapshot);
  net = self->snapshot->net;

  image_size (self, &rows, &cols);
  if (new_shape)
    make_grids (self);
  for (guint i = 0; i < self->n_grids; i++)
    {
      /* A new network sets the fixed scale: the weights it starts from, fitted. */
      if (new_shape)
        {
          self->start_limit[i] = 0.0;
          bp_weight_grid_set_limit (self->grids[i], 0.0);
        }
      set_grid_weights (self, i);
      if (new_shape)
        {
          self->start_limit[i] = bp_weight_grid_get_limit (self->grids[i]);
          if (gtk_toggle_button_get_active (self->fixed_button))
            bp_weight_grid_set_limit (self->grids[i], self->start_limit[i]);
          bp_weight_grid_set_selected (self->grids[i], -1);
        }
    }
  if (new_shape)
    {
      update_captions (self);
      if (self->dialog != NULL)
        gtk_window_close (GTK_WINDOW (self->dialog));
    }
  if (net->arch.n_layers > 1)
    gtk_widget_queue_draw (GTK_WIDGET (self->deeper_area));
  if (self->dialog != NULL)
    bp_neuron_dialog_set_snapshot (self->dialog, self->snapshot, rows, cols);
}

static gboolean
refresh_tick_cb (GtkWidget     *widget,
                 GdkFrameClock *clock,
                 gpointer       user_data)
{
  BpWeightsView *self = BP_WEIGHTS_VIEW (widget);

  self->tick_id = 0;
  refresh (self);
  return G_SOURCE_REMOVE;
}

static void
snapshot_announced_cb (BpWeightsView *self)
{
  if (self->tick_id != 0 || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;
  self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), refresh_tick_cb, NULL, NULL);
}

static void
network_reset_cb (BpWeightsView *self)
{
  if (self->dialog != NULL)
    gtk_window_close (GTK_WINDOW (self->dialog));
}

/* A matrix is drawn into a slot a few hundred pixels wide: a conv net's fully connected layers
 * (1,000 × 1,000 weights in ch6-dropout) are sampled down to this many rows and columns, as the
 * nearest-pixel scaling would have sampled them, so that a frame never colours a million
 * weights. */
#define MATRIX_MAX_SIDE 512
#define LUT_SIZE 1024

/* One weight matrix as an image: a pixel per weight (or per sampled weight), coloured on the
 * scale ±max|w| through a look-up table. */
static cairo_surface_t *
matrix_surface (const float *w,
                size_t       n_rows,
                size_t       n_cols,
                double      *limit)
{
  static guint32 lut[LUT_SIZE];
  cairo_surface_t *surface;
  guint8 *data;
  int stride;
  double max_abs = 0.0, to_index;
  size_t out_rows = MIN (n_rows, MATRIX_MAX_SIDE), out_cols = MIN (n_cols, MATRIX_MAX_SIDE);

  /* Only the main thread draws: the table is filled on the first call. */
  if (lut[0] == 0)
    for (guint i = 0; i < LUT_SIZE; i++)
      lut[i] = bp_colormap_diverging_pixel (2.0 * i / (LUT_SIZE - 1) - 1.0);

  for (size_t i = 0; i < n_rows * n_cols; i++)
    max_abs = MAX (max_abs, fabs (w[i]));
  if (!(max_abs > 0.0) || !isfinite (max_abs))
    max_abs = 1.0;
  *limit = max_abs;
  to_index = (LUT_SIZE - 1) / (2.0 * max_abs);

  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) out_cols, (int) out_rows);
  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (size_t r = 0; r < out_rows; r++)
    {
      guint32 *row = (guint32 *) (gpointer) (data + r * (size_t) stride);
      const float *src = w + (r * n_rows / out_rows) * n_cols;

      for (size_t c = 0; c < out_cols; c++)
        {
          double pos = (src[c * n_cols / out_cols] + max_abs) * to_index + 0.5;

          row[c] = lut[pos >= LUT_SIZE - 1 ? LUT_SIZE - 1 : pos > 0.0 ? (int) pos : 0];
        }
    }
  cairo_surface_mark_dirty (surface);
  return surface;
}

static void
draw_deeper_cb (GtkDrawingArea *area,
                cairo_t        *cr,
                int             width,
                int             height,
                gpointer        user_data)
{
  BpWeightsView *self = BP_WEIGHTS_VIEW (user_data);
  const BpNetwork *net;
  const double pad = 12.0, legend_width = 150.0;
  double slot, x;
  size_t n;
  double limit = 0.0;

  if (self->snapshot == NULL || self->snapshot->net->arch.n_layers <= 1)
    return;
  net = self->snapshot->net;
  /* The fully connected layers after the first: conv layers have grids, pool layers nothing. */
  n = 0;
  for (size_t l = 2; l <= net->arch.n_layers; l++)
    n += net->arch.layers[l - 1].kind == BP_LAYER_DENSE;
  if (n == 0)
    return;
  slot = (width - legend_width - pad * (double) (n + 2)) / (double) n;
  if (slot <= 0.0)
    return;

  x = pad;
  for (size_t l = 2; l <= net->arch.n_layers; l++)
    {
      const BpLayer *layer = &net->layers[l - 1];
      cairo_surface_t *surface;
      double layer_limit;

      if (net->arch.layers[l - 1].kind != BP_LAYER_DENSE)
        continue;

      surface = matrix_surface (net->params + layer->w_offset, layer->n_out, layer->n_in,
                                &layer_limit);
      limit = MAX (limit, layer_limit);

      cairo_save (cr);
      cairo_rectangle (cr, x, pad, slot, height - 2 * pad);
      cairo_clip (cr);
      cairo_translate (cr, x, pad);
      /* Stretch to the slot: a matrix of 10 × 100 weights is a strip, not a picture. */
      cairo_scale (cr, slot / (double) cairo_image_surface_get_width (surface),
                   (height - 2 * pad) / (double) cairo_image_surface_get_height (surface));
      cairo_set_source_surface (cr, surface, 0, 0);
      cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
      cairo_paint (cr);
      cairo_restore (cr);
      cairo_surface_destroy (surface);
      x += slot + pad;
    }

  /* Each matrix is coloured on its own scale; the legend shows the widest. */
  bp_colormap_draw_legend (cr, width - legend_width - pad, pad, legend_width, MIN (48.0, height - 2 * pad),
                           limit, bp_widget_is_dark (GTK_WIDGET (area), NULL));
}

/* Open the neuron/filter dialog on unit @unit of layer @layer. */
static void
show_unit (BpWeightsView *self,
           guint          layer,
           guint          unit)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  guint rows, cols;

  if (self->snapshot == NULL)
    return;
  if (self->dialog != NULL)
    gtk_window_close (GTK_WINDOW (self->dialog));

  self->dialog = bp_neuron_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, layer, unit);
  g_object_add_weak_pointer (G_OBJECT (self->dialog), (gpointer *) &self->dialog);
  image_size (self, &rows, &cols);
  bp_neuron_dialog_set_snapshot (self->dialog, self->snapshot, rows, cols);
  gtk_window_present (GTK_WINDOW (self->dialog));
  g_signal_emit (self, signals[NEURON_SHOWN], 0, layer, unit);
}

static void
neuron_activated_cb (BpWeightsView *self,
                     guint          unit,
                     BpWeightGrid  *grid)
{
  for (guint i = 0; i < self->n_grids; i++)
    if (self->grids[i] == grid)
      show_unit (self, self->grid_layer[i], unit);
}

void
bp_weights_view_show_neuron (BpWeightsView *self,
                             guint          neuron)
{
  g_return_if_fail (BP_IS_WEIGHTS_VIEW (self));

  refresh (self);
  if (self->snapshot == NULL || neuron >= bp_weight_grid_get_n_neurons (self->grid))
    return;
  bp_weight_grid_set_selected (self->grid, (int) neuron);
  show_unit (self, 0, neuron);
}

static void
bp_weights_view_session_changed (BpView *view)
{
  BpWeightsView *self = BP_WEIGHTS_VIEW (view);

  g_clear_pointer (&self->snapshot, bp_snapshot_unref);
  refresh (self);
}

static void
bp_weights_view_map (GtkWidget *widget)
{
  BpWeightsView *self = BP_WEIGHTS_VIEW (widget);
  gboolean take_focus = bp_view_may_take_focus (BP_VIEW (self));

  GTK_WIDGET_CLASS (bp_weights_view_parent_class)->map (widget);

  /* Snapshots announced while hidden were skipped: catch up. */
  refresh (self);

  /* The keyboard goes to the pictures, where the arrow keys choose a neuron. */
  if (take_focus)
    bp_view_take_focus (BP_VIEW (self), GTK_WIDGET (self->grid));
}

static void
bp_weights_view_unmap (GtkWidget *widget)
{
  BpWeightsView *self = BP_WEIGHTS_VIEW (widget);

  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (widget, self->tick_id);
      self->tick_id = 0;
    }
  GTK_WIDGET_CLASS (bp_weights_view_parent_class)->unmap (widget);
}

static void
bp_weights_view_dispose (GObject *object)
{
  BpWeightsView *self = BP_WEIGHTS_VIEW (object);

  if (self->dialog != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->dialog), (gpointer *) &self->dialog);
      gtk_window_destroy (GTK_WINDOW (g_steal_pointer (&self->dialog)));
    }
  g_clear_pointer (&self->snapshot, bp_snapshot_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), BP_TYPE_WEIGHTS_VIEW);

  G_OBJECT_CLASS (bp_weights_view_parent_class)->dispose (object);
}

/* Fixed: the scale of the network's first pictures, for the whole run; fitted: each update's. */
static void
scale_toggled_cb (BpWeightsView *self)
{
  gboolean fixed = gtk_toggle_button_get_active (self->fixed_button);

  for (guint i = 0; i < self->n_grids; i++)
    {
      bp_weight_grid_set_limit (self->grids[i],
                                fixed && self->start_limit[i] > 0.0 ? self->start_limit[i] : 0.0);
      /* The pictures are coloured when their weights are set. */
      if (self->snapshot != NULL)
        set_grid_weights (self, i);
    }
}

static void
bp_weights_view_class_init (BpWeightsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  BpViewClass *view_class = BP_VIEW_CLASS (klass);

  object_class->dispose = bp_weights_view_dispose;
  widget_class->map = bp_weights_view_map;
  widget_class->unmap = bp_weights_view_unmap;
  view_class->session_changed = bp_weights_view_session_changed;

  signals[NEURON_SHOWN] = g_signal_new ("neuron-shown", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                        G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);
  signals[FILTERS_UPDATED] = g_signal_new ("filters-updated", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 5, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_UINT,
                                           G_TYPE_UINT, G_TYPE_DOUBLE);

  g_type_ensure (BP_TYPE_WEIGHT_GRID);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/nndl/Backprop/ui/bp-weights-view.ui");
  gtk_widget_class_bind_template_child (widget_class, BpWeightsView, caption_label);
  gtk_widget_class_bind_template_child (widget_class, BpWeightsView, fixed_button);
  gtk_widget_class_bind_template_child (widget_class, BpWeightsView, grid);
  gtk_widget_class_bind_template_child (widget_class, BpWeightsView, conv_box);
  gtk_widget_class_bind_template_child (widget_class, BpWeightsView, deeper_label);
  gtk_widget_class_bind_template_child (widget_class, BpWeightsView, deeper_area);
}

static void
bp_weights_view_init (BpWeightsView *self)
{
  GSignalGroup *session_signals;

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_drawing_area_set_draw_func (self->deeper_area, draw_deeper_cb, self, NULL);
  self->n_grids = 1;
  self->grids[0] = self->grid;
  g_signal_connect_swapped (self->grid, "neuron-activated", G_CALLBACK (neuron_activated_cb), self);
  g_signal_connect_swapped (self->fixed_button, "toggled", G_CALLBACK (scale_toggled_cb), self);

  session_signals = bp_view_get_session_signals (BP_VIEW (self));
  g_signal_group_connect_swapped (session_signals, "notify::snapshot-serial",
                                  G_CALLBACK (snapshot_announced_cb), self);
  g_signal_group_connect_swapped (session_signals, "network-reset",
                                  G_CALLBACK (network_reset_cb), self);
}
