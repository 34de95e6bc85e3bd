/* bp-draw-view.c — the Draw view: draw a digit, see the network's guess, what it sees and why
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each change of the drawing asks for one classification at the next frame (a one-shot tick
 * callback), so a fast stroke costs one prediction per frame however many motion events it
 * brings. A prediction renders the strokes into an A8 surface at the widget's scale factor,
 * runs MNIST's preprocessing (bp-preprocess) on it and the network forward on the 28×28
 * result; the saliency map is chapter 2's backpropagation carried down to the input pixels, and
 * a conv net's feature maps are its conv and pool layers' outputs. While the pen moves, all but
 * the preprocessing runs in a thread (bp-draw-prediction.c), one prediction at a time; the end
 * of a stroke is classified at once.
 */
#include "config.h"

#include "bp-draw-view.h"

#include <glib/gi18n.h>
#include <math.h>

#include "bp-png.h"
#include "bp-colormap.h"
#include "bp-default-model.h"
#include "bp-draw-canvas.h"
#include "bp-draw-prediction.h"
#include "bp-feature-maps.h"
#include "bp-focus-ring.h"
#include "bp-layer-maps.h"
#include "bp-my-digits-dialog.h"
#include "bp-prediction-bars.h"
#include "bp-preprocess.h"
#include "bp-widget-utils.h"

#define N_PIXELS   BP_PREPROCESS_N_PIXELS
#define SIDE       BP_PREPROCESS_SIDE
#define MAX_OUT    16
#define STRIP_COLS 20
#define STRIP_CELL 12
#define STRIP_PAD  3     /* room around the cells for the keyboard cursor's ring */

struct _BpDrawView
{
  BpView            parent_instance;

  /* Template children */
  BpDrawCanvas     *canvas;
  GtkLabel         *canvas_caption;
  GtkLabel         *source_label;
  BpPredictionBars *bars;
  GtkDrawingArea   *input_area;
  GtkDrawingArea   *why_area;
  GtkDropDown      *why_class;
  GtkLabel         *why_caption;
  GtkLabel         *hidden_label;
  GtkDrawingArea   *hidden_area;
  BpFeatureMaps    *feature_maps;
  GtkWidget        *guess_scroller;
  GtkScale         *brush_scale;
  GtkMenuButton    *my_digits_button;

  BpSnapshot       *snapshot;        /* keeps the network below alive when it is a snapshot */
  const BpNetwork  *net;             /* the network of the last prediction, or NULL */

  gboolean          have_input;
  float             input[N_PIXELS];
  float             example[N_PIXELS]; /* a test image on the pad */
  float             outputs[MAX_OUT];
  float             saliency[N_PIXELS];
  float            *hidden;          /* the first hidden layer's activations */
  gsize             n_hidden;
  BpLayerMaps       maps;            /* a conv net's feature maps for the input */
  int               strip_cursor;    /* the keyboard's neuron in the strip, or -1 */
  guint             saliency_class;

  /* The accessible descriptions last set, so that a screen reader hears only changes. */
  char             *input_description;
  char             *why_description;
  char             *strip_description;

  guint             predict_tick;
  GCancellable     *predict_cancellable; /* the prediction computing in a thread, if any */
  gboolean          predict_again;       /* the drawing changed while it computed */
  guint             serial;              /* of the last prediction started */
  char             *source;              /* which network answers, for the caption */
};

G_DEFINE_FINAL_TYPE (BpDrawView, bp_draw_view, BP_TYPE_VIEW)

enum {
  NEURON_ACTIVATED,
  STROKE_CLASSIFIED,
  TEST_IMAGE_CLASSIFIED,
  PICTURE_CLASSIFIED,
  STROKES_REMOVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ── Prediction ───────────────────────────────────────────────────────────────────────────── */

/* The first hidden layer's activations for the strip (@n 0: no strip). */
static void
set_hidden (BpDrawView  *self,
            const float *hidden,
            gsize        n)
{
  if (n != self->n_hidden)
    {
      g_free (self->hidden);
      self->hidden = g_new0 (float, MAX (n, 1));
      self->n_hidden = n;
      if (self->strip_cursor >= (int) n)
        self->strip_cursor = (int) n - 1;
      gtk_drawing_area_set_content_height (self->hidden_area,
                                           (int) ((n + STRIP_COLS - 1) / STRIP_COLS) * STRIP_CELL
                                           + 2 * STRIP_PAD);
    }
  if (n > 0)
    memcpy (self->hidden, hidden, n * sizeof (float));
}

/* A conv net's feature maps (taken from @maps, NULL for none): every conv and pool layer's
 * output for the input, as the network's forward pass computes it. */
static void
show_maps (BpDrawView  *self,
           BpLayerMaps *maps)
{
  bp_layer_maps_clear (&self->maps);
  if (maps != NULL)
    {
      self->maps = *maps;
      memset (maps, 0, sizeof *maps);
    }
  bp_feature_maps_set_layers (self->feature_maps, self->maps.layers, self->maps.n_layers);
  gtk_widget_set_visible (GTK_WIDGET (self->feature_maps), self->maps.n_layers > 0);

}

static int
top_class (BpDrawView *self)
{
  gsize n_out = MIN (self->net->n_outputs, MAX_OUT);
  int top = 0;

  for (gsize k = 1; k < n_out; k++)
    if (self->outputs[k] > self->outputs[top])
      top = (int) k;
  return top;
}

/* What the strip shows and, once the arrow keys have moved in it, the neuron under the cursor
 * with its activation: a screen reader then says where Enter goes. */
static void
update_strip_description (BpDrawView *self)
{
  g_autofree char *description = NULL;
  const char *what = gtk_label_get_text (self->hidden_label);

  if (self->strip_cursor >= 0 && (gsize) self->strip_cursor < self->n_hidden)
    /* Translators: the hidden-layer strip's caption, then the neuron under the keyboard's
     * cursor (counted from 1, as in the neuron window's title) and its activation. */
    description = g_strdup_printf (_("%s Neuron %d selected, activation %.2f."), what,
                                   self->strip_cursor + 1, self->hidden[self->strip_cursor]);
  else
    description = g_strdup (what);
  bp_accessible_update_description (GTK_ACCESSIBLE (self->hidden_area), &self->strip_description,
                                    description);
}

static void
update_labels (BpDrawView *self,
               const char *source)
{
  gboolean empty = !self->have_input;
  int chosen = (int) gtk_drop_down_get_selected (self->why_class) - 1;
  g_autofree char *why = NULL;
  g_autofree char *hidden = NULL;

  if (source != NULL)
    gtk_label_set_text (self->source_label, source);
  if (empty || self->net == NULL)
    {
      gtk_label_set_text (self->why_caption,
                          _("Red pixels push the chosen digit’s output up, blue ones down."));
      bp_accessible_update_description (GTK_ACCESSIBLE (self->input_area), &self->input_description,
                                        _("Empty: draw a digit on the pad"));
      bp_accessible_update_description (GTK_ACCESSIBLE (self->why_area), &self->why_description,
                                        _("Empty: draw a digit on the pad"));
      /* The keyboard goes back to the pad rather than to wherever GTK would send it. */
      if (gtk_widget_has_focus (GTK_WIDGET (self->hidden_area)))
        gtk_widget_grab_focus (GTK_WIDGET (self->canvas));
      gtk_widget_set_visible (GTK_WIDGET (self->hidden_label), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->hidden_area), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->feature_maps), FALSE);
      return;
    }
  why = g_strdup_printf (chosen < 0 ? _("Red: more ink there would raise the output for %u (the top guess); blue: lower it.")
                                    : _("Red: more ink there would raise the output for %u; blue: lower it."),
                         self->saliency_class);
  gtk_label_set_text (self->why_caption, why);
  bp_accessible_update_description (GTK_ACCESSIBLE (self->input_area), &self->input_description,
                                    gtk_widget_get_tooltip_text (GTK_WIDGET (self->input_area)));
  /* The caption names the digit the map explains. */
  bp_accessible_update_description (GTK_ACCESSIBLE (self->why_area), &self->why_description, why);

  gtk_widget_set_visible (GTK_WIDGET (self->hidden_label),
                          self->n_hidden > 0 || self->maps.n_layers > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->hidden_area), self->n_hidden > 0);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self->hidden_area), self->snapshot != NULL ? "pointer" : NULL);
  if (self->n_hidden > 0)
    {
      if (self->snapshot != NULL)
        hidden = g_strdup_printf (_("The first hidden layer’s %zu activations for this input. Click "
                                    "one to see that neuron’s weights."), self->n_hidden);
      else
        hidden = g_strdup_printf (_("The first hidden layer’s %zu activations for this input."),
                                  self->n_hidden);
      gtk_label_set_text (self->hidden_label, hidden);
      update_strip_description (self);
    }
  else if (self->maps.n_layers > 0)
    gtk_label_set_text (self->hidden_label,
                        _("Feature maps: what each convolution and pooling layer makes of this "
                          "input, one picture per channel. White is where a map responds most "
                          "within its layer, black least."));
}

/* The network to ask and its input from what is on the pad, into self->net and self->input.
 * Without something to classify the view is emptied and FALSE returned. */
static gboolean
prepare (BpDrawView *self)
{
  BpSession *session = bp_view_get_session (BP_VIEW (self));
  g_autoptr(BpSnapshot) snapshot = NULL;
  g_autofree char *source = NULL;
  const BpNetwork *net;

  net = bp_default_model_choose (session, &snapshot, &source);
  g_clear_pointer (&self->snapshot, bp_snapshot_unref);
  self->snapshot = g_steal_pointer (&snapshot);
  self->net = net;
  self->have_input = FALSE;
  /* A conv net's feature maps take what room a wide window has beside the pad. This follows
   * the network, not the drawing: the pad does not move under the pen when maps appear. */
  gtk_widget_set_hexpand (self->guess_scroller, net != NULL && bp_arch_has_maps (&net->arch));

  if (net != NULL && bp_draw_canvas_has_image (self->canvas))
    {
      memcpy (self->input, self->example, sizeof self->input);
      self->have_input = TRUE;
    }
  else if (net != NULL && !bp_draw_canvas_get_empty (self->canvas))
    {
      int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self->canvas));
      cairo_surface_t *surface = bp_draw_canvas_render (self->canvas, scale);
      BpError error = { 0 };
      BpPreprocessStatus status;

      /* An A8 surface is ink as alpha: light ink on a dark ground, as MNIST stores digits. */
      status = bp_preprocess_u8 (cairo_image_surface_get_data (surface),
                                 (size_t) cairo_image_surface_get_width (surface),
                                 (size_t) cairo_image_surface_get_height (surface),
                                 (size_t) cairo_image_surface_get_stride (surface),
                                 BP_POLARITY_LIGHT_INK, self->input, NULL, &error);
      cairo_surface_destroy (surface);
      if (status == BP_PREPROCESS_ERROR)
        g_warning ("%s", error.message);
      self->have_input = status == BP_PREPROCESS_OK;
    }

  g_free (self->source);
  self->source = g_steal_pointer (&source);
  if (!self->have_input)
    {
      /* A digit chosen for the "Why" map was chosen for that drawing: the next one is
       * explained for its own top guess. */
      if (gtk_drop_down_get_selected (self->why_class) != 0)
        gtk_drop_down_set_selected (self->why_class, 0);
      memset (self->input, 0, sizeof self->input);
      bp_prediction_bars_set_outputs (self->bars, NULL, 0, FALSE);
      show_maps (self, NULL);
      update_labels (self, self->source);
      gtk_widget_queue_draw (GTK_WIDGET (self->input_area));
      gtk_widget_queue_draw (GTK_WIDGET (self->why_area));
      return FALSE;
    }
  return TRUE;
}

/* A prediction for the network and input prepare() chose. */
static BpDrawPrediction *
new_prediction (BpDrawView *self)
{
  return bp_draw_prediction_new (self->snapshot, self->net, self->input,
                                 (int) gtk_drop_down_get_selected (self->why_class) - 1,
                                 ++self->serial);
}

/* Show a computed prediction (its maps and hidden layer taken). */
static void
show_prediction (BpDrawView       *self,
                 BpDrawPrediction *p)
{
  memcpy (self->outputs, p->outputs, p->n_outputs * sizeof (float));
  bp_prediction_bars_set_outputs (self->bars, self->outputs, p->n_outputs,
                                  self->net->arch.output == BP_OUTPUT_SOFTMAX);
  self->saliency_class = p->saliency_class;
  memcpy (self->saliency, p->saliency, sizeof self->saliency);
  set_hidden (self, p->hidden, p->n_hidden);
  show_maps (self, &p->maps);
  g_debug ("Draw view: prediction, saliency, hidden layer and feature maps in %.2f ms",
           p->milliseconds);

  update_labels (self, self->source);
  gtk_widget_queue_draw (GTK_WIDGET (self->input_area));
  gtk_widget_queue_draw (GTK_WIDGET (self->why_area));
  gtk_widget_queue_draw (GTK_WIDGET (self->hidden_area));
}

/* Classify what is on the pad now. Returns TRUE when there was something to classify. */
static gboolean
predict (BpDrawView *self)
{
  g_autoptr(BpDrawPrediction) prediction = NULL;

  /* A prediction still computing in its thread is for an older drawing. */
  self->serial++;
  if (!prepare (self))
    return FALSE;
  prediction = new_prediction (self);
  bp_draw_prediction_compute (prediction);
  show_prediction (self, prediction);
  return TRUE;
}

static void predict_async (BpDrawView *self);

static void
prediction_done_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(BpDrawPrediction) prediction = bp_draw_prediction_finish (result);
  BpDrawView *self = BP_DRAW_VIEW (object);

  if (prediction == NULL || self->predict_cancellable == NULL
      || g_cancellable_is_cancelled (self->predict_cancellable))
    return;
  g_clear_object (&self->predict_cancellable);
  /* Shown unless a newer prediction (a stroke's end) has been shown since. */
  if (prediction->serial == self->serial && prediction->net == self->net && self->have_input)
    show_prediction (self, prediction);
  if (self->predict_again)
    {
      self->predict_again = FALSE;
      predict_async (self);
    }
}

/* While the pen moves: the input now, its prediction in a thread, at most one at a time (the
 * drawing as it is when that one is done goes next). */
static void
predict_async (BpDrawView *self)
{
  if (self->predict_cancellable != NULL)
    {
      self->predict_again = TRUE;
      return;
    }
  if (!prepare (self))
    return;
  gtk_widget_queue_draw (GTK_WIDGET (self->input_area));
  self->predict_cancellable = g_cancellable_new ();
  bp_draw_prediction_run_async (new_prediction (self), self, self->predict_cancellable,
                                prediction_done_cb, NULL);
}

static gboolean
predict_tick_cb (GtkWidget     *widget,
                 GdkFrameClock *clock,
                 gpointer       user_data)
{
  BpDrawView *self = BP_DRAW_VIEW (widget);

  self->predict_tick = 0;
  predict_async (self);
  return G_SOURCE_REMOVE;
}

/* At most one prediction per frame, and none while the view is hidden (map catches up). */
static void
queue_predict (BpDrawView *self)
{
  if (self->predict_tick != 0 || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;
  self->predict_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), predict_tick_cb, NULL, NULL);
}

/* The final shape of the stroke is classified now rather than at the next frame, so that
 * "stroke-classified" tells what it is. */
static void
stroke_finished_cb (BpDrawView *self)
{
  if (predict (self))
    g_signal_emit (self, signals[STROKE_CLASSIFIED], 0);
}

static void
canvas_changed_cb (BpDrawView *self)
{
  if (!bp_draw_canvas_has_image (self->canvas))
    gtk_label_set_text (self->canvas_caption,
                        _("Draw with the mouse, a finger or a stylus. Ctrl+Z undoes a stroke, Delete clears."));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "draw.undo",
                                 bp_draw_canvas_get_n_strokes (self->canvas) > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "draw.clear",
                                 !bp_draw_canvas_get_empty (self->canvas));
  queue_predict (self);
}

/* ── Pictures ─────────────────────────────────────────────────────────────────────────────── */

/* A square of @side pixels centred in the area. */
static void
square_in (int     width,
           int     height,
           double *x,
           double *y,
           double *side)
{
  *side = floor (MIN (width, height) / (double) SIDE) * SIDE;
  if (*side < SIDE)
    *side = MIN (width, height);
  *x = floor ((width - *side) / 2.0);
  *y = floor ((height - *side) / 2.0);
}

static void
paint_pixels (cairo_t       *cr,
              const guint32 *pixels,
              int            width,
              int            height)
{
  double x, y, side;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, SIDE, SIDE);
  guint8 *data;
  int stride;

  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (int r = 0; r < SIDE; r++)
    memcpy (data + r * stride, pixels + r * SIDE, SIDE * sizeof (guint32));
  cairo_surface_mark_dirty (surface);

  square_in (width, height, &x, &y, &side);
  cairo_save (cr);
  cairo_translate (cr, x, y);
  cairo_scale (cr, side / SIDE, side / SIDE);
  cairo_set_source_surface (cr, surface, 0, 0);
  /* Every input pixel stays a sharp square: this is what the network gets. */
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
  cairo_paint (cr);
  cairo_restore (cr);
  cairo_surface_destroy (surface);
}

static void
draw_input_cb (GtkDrawingArea *area,
               cairo_t        *cr,
               int             width,
               int             height,
               gpointer        user_data)
{
  BpDrawView *self = BP_DRAW_VIEW (user_data);
  guint32 pixels[N_PIXELS];

  /* MNIST's way: light ink on black. */
  for (int i = 0; i < N_PIXELS; i++)
    {
      guint32 v = (guint32) lrintf (CLAMP (self->input[i], 0.0f, 1.0f) * 255.0f);

      pixels[i] = 0xff000000u | v << 16 | v << 8 | v;
    }
  paint_pixels (cr, pixels, width, height);
}

static void
draw_why_cb (GtkDrawingArea *area,
             cairo_t        *cr,
             int             width,
             int             height,
             gpointer        user_data)
{
  BpDrawView *self = BP_DRAW_VIEW (user_data);
  guint32 pixels[N_PIXELS];
  float max_abs = 0.0f;

  /* With nothing to explain the map is a placeholder in the style's own colours, like the
   * guess's empty bars, rather than a square of white paper that glares in the dark style. */
  if (!self->have_input)
    {
      double x, y, side;
      GdkRGBA color;

      G_GNUC_BEGIN_IGNORE_DEPRECATIONS
      gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (area)), &color);
      G_GNUC_END_IGNORE_DEPRECATIONS
      color.alpha *= 0.1f;
      square_in (width, height, &x, &y, &side);
      gdk_cairo_set_source_rgba (cr, &color);
      cairo_rectangle (cr, x, y, side, side);
      cairo_fill (cr);
      return;
    }

  for (int i = 0; i < N_PIXELS; i++)
    max_abs = MAX (max_abs, fabsf (self->saliency[i]));

  /* The input in grey, dark ink on white, under the gradient in the weight pictures' colours:
   * where the gradient is strong its colour covers the pixel. */
  for (int i = 0; i < N_PIXELS; i++)
    {
      double grey = 1.0 - 0.45 * CLAMP (self->input[i], 0.0f, 1.0f);
      double t = max_abs > 0.0f ? self->saliency[i] / max_abs : 0.0;
      double a = MIN (1.0, 1.6 * fabs (t));
      double r, g, b;

      bp_colormap_diverging (t >= 0 ? 0.35 + 0.65 * t : -0.35 + 0.65 * t, &r, &g, &b);
      r = grey * (1.0 - a) + r * a;
      g = grey * (1.0 - a) + g * a;
      b = grey * (1.0 - a) + b * a;
      pixels[i] = 0xff000000u | (guint32) lrint (r * 255.0) << 16 | (guint32) lrint (g * 255.0) << 8
                  | (guint32) lrint (b * 255.0);
    }
  paint_pixels (cr, pixels, width, height);
}

static void
draw_hidden_cb (GtkDrawingArea *area,
                cairo_t        *cr,
                int             width,
                int             height,
                gpointer        user_data)
{
  BpDrawView *self = BP_DRAW_VIEW (user_data);
  double cell = (double) (width - 2 * STRIP_PAD) / STRIP_COLS;
  float max_abs = 0.0f;

  for (gsize j = 0; j < self->n_hidden; j++)
    max_abs = MAX (max_abs, fabsf (self->hidden[j]));
  if (max_abs == 0.0f)
    max_abs = 1.0f;

  /* The weight pictures' colour map: the sign shows for tanh, the size for every activation. */
  for (gsize j = 0; j < self->n_hidden; j++)
    {
      double r, g, b;

      bp_colormap_diverging (self->hidden[j] / max_abs, &r, &g, &b);
      cairo_set_source_rgb (cr, r, g, b);
      cairo_rectangle (cr, STRIP_PAD + (j % STRIP_COLS) * cell + 0.5,
                       STRIP_PAD + (double) (j / STRIP_COLS) * STRIP_CELL + 0.5,
                       cell - 1.0, STRIP_CELL - 1.0);
      cairo_fill (cr);
    }

  /* The keyboard's neuron, in the colour of focus rings, while the focus is visible; a halo of
   * the background's colour keeps it apart from the dark red of active neurons. */
  if (gtk_widget_has_visible_focus (GTK_WIDGET (area)) && self->strip_cursor >= 0
      && (gsize) self->strip_cursor < self->n_hidden)
    {
      int j = self->strip_cursor;
      GdkRGBA ring;

      cairo_rectangle (cr, STRIP_PAD + (j % STRIP_COLS) * cell - 1.0,
                       STRIP_PAD + (double) (j / STRIP_COLS) * STRIP_CELL - 1.0,
                       cell + 2.0, STRIP_CELL + 2.0);
      if (bp_widget_is_dark (GTK_WIDGET (area), NULL))
        cairo_set_source_rgb (cr, 0.12, 0.12, 0.12);
      else
        cairo_set_source_rgb (cr, 1.0, 1.0, 1.0);
      cairo_set_line_width (cr, 4.0);
      cairo_stroke_preserve (cr);
      bp_focus_ring_color (GTK_WIDGET (area), &ring);
      ring.alpha = MIN (1.0f, ring.alpha * 2.0f);
      gdk_cairo_set_source_rgba (cr, &ring);
      cairo_set_line_width (cr, 2.0);
      cairo_stroke (cr);
    }
}

/* The neuron at (@x, @y) of the strip, or -1. */
static int
strip_neuron_at (BpDrawView *self,
                 double      x,
                 double      y)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self->hidden_area));
  double cell = (double) (width - 2 * STRIP_PAD) / STRIP_COLS;
  double col = floor ((x - STRIP_PAD) / cell);
  double row = floor ((y - STRIP_PAD) / STRIP_CELL);
  double neuron = row * STRIP_COLS + col;

  if (cell <= 0.0 || col < 0.0 || col >= STRIP_COLS || row < 0.0
      || neuron >= (double) self->n_hidden)
    return -1;
  return (int) neuron;
}

static void
set_strip_cursor (BpDrawView *self,
                  int         neuron)
{
  if (neuron == self->strip_cursor)
    return;
  self->strip_cursor = neuron;
  update_strip_description (self);
  gtk_widget_queue_draw (GTK_WIDGET (self->hidden_area));
}

/* The Weights view shows the network in training, not the built-in model. */
static void
activate_neuron (BpDrawView *self,
                 int         neuron)
{
  if (neuron < 0 || (gsize) neuron >= self->n_hidden || self->snapshot == NULL)
    return;
  g_signal_emit (self, signals[NEURON_ACTIVATED], 0, (guint) neuron);
}

static void
hidden_pressed_cb (GtkGestureClick *gesture,
                   int              n_press,
                   double           x,
                   double           y,
                   BpDrawView      *self)
{
  int neuron = strip_neuron_at (self, x, y);

  if (neuron < 0)
    return;
  set_strip_cursor (self, neuron);
  activate_neuron (self, neuron);
}

/* The keyboard arrives on the neuron it left, or the first one. */
static void
strip_focus_enter_cb (GtkEventControllerFocus *controller,
                      BpDrawView              *self)
{
  if (self->strip_cursor < 0 && self->n_hidden > 0)
    set_strip_cursor (self, 0);
}

static void
strip_state_flags_changed_cb (GtkWidget     *area,
                              GtkStateFlags  old_flags,
                              BpDrawView    *self)
{
  if (bp_focus_ring_changed (area, old_flags))
    gtk_widget_queue_draw (area);
}

/* The arrow keys move the cursor through the strip as it is laid out, Home and End to its ends;
 * Enter opens the neuron as a click does (Space is the window's start and pause). */
static gboolean
strip_key_pressed_cb (GtkEventControllerKey *controller,
                      guint                  keyval,
                      guint                  keycode,
                      GdkModifierType        state,
                      BpDrawView            *self)
{
  int n = (int) self->n_hidden;
  int cursor = MAX (self->strip_cursor, 0);

  if (n == 0 || (state & (GDK_CONTROL_MASK | GDK_ALT_MASK)) != 0)
    return FALSE;

  if (bp_focus_grid_move (keyval, cursor, n, STRIP_COLS, &cursor))
    {
      set_strip_cursor (self, cursor);
      return TRUE;
    }

  switch (keyval)
    {
    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
    case GDK_KEY_ISO_Enter:
      set_strip_cursor (self, cursor);
      activate_neuron (self, cursor);
      return TRUE;

    default:
      return FALSE;
    }
}

/* ── Actions ──────────────────────────────────────────────────────────────────────────────── */

static void
undo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  BpDrawCanvas *canvas = BP_DRAW_VIEW (widget)->canvas;

  bp_draw_canvas_undo (canvas);
  g_signal_emit (widget, signals[STROKES_REMOVED], 0, bp_draw_canvas_get_n_strokes (canvas));
}

static void
clear_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  BpDrawCanvas *canvas = BP_DRAW_VIEW (widget)->canvas;

  gtk_drop_down_set_selected (BP_DRAW_VIEW (widget)->why_class, 0);
  bp_draw_canvas_clear (canvas);
  g_signal_emit (widget, signals[STROKES_REMOVED], 0, bp_draw_canvas_get_n_strokes (canvas));
}

/* ── Public ───────────────────────────────────────────────────────────────────────────────── */

int
bp_draw_view_get_why_class (BpDrawView *self)
{
  g_return_val_if_fail (BP_IS_DRAW_VIEW (self), -1);

  return (int) gtk_drop_down_get_selected (self->why_class) - 1;
}

void
bp_draw_view_show_test_image (BpDrawView *self,
                              guint       index)
{
  BpSession *session;
  const BpDataset *test;
  const guint8 *pixels;
  g_autofree char *caption = NULL;

  g_return_if_fail (BP_IS_DRAW_VIEW (self));

  session = bp_view_get_session (BP_VIEW (self));
  test = session != NULL ? bp_session_get_test_set (session) : NULL;
  g_return_if_fail (test != NULL && index < test->n && test->n_pixels == N_PIXELS);

  pixels = test->pixels + (gsize) index * N_PIXELS;
  for (int i = 0; i < N_PIXELS; i++)
    self->example[i] = pixels[i] / 255.0f;
  gtk_drop_down_set_selected (self->why_class, 0);
  bp_draw_canvas_set_image (self->canvas, pixels, SIDE, SIDE);
  /* Translators: a test image shown on the drawing pad; the number and the true digit. */
  caption = g_strdup_printf (_("Test image %u, a %u. Draw on the pad to replace it."), index,
                             test->labels[index]);
  gtk_label_set_text (self->canvas_caption, caption);
  if (predict (self))
    g_signal_emit (self, signals[TEST_IMAGE_CLASSIFIED], 0, index);
}

gboolean
bp_draw_view_load_png (BpDrawView  *self,
                       GFile       *file,
                       GError     **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *name = NULL;
  g_autofree char *message = NULL;
  g_autofree char *caption = NULL;
  g_autofree guint8 *grey = NULL;
  g_autoptr(GError) local_error = NULL;
  BpPreprocessInfo info;
  BpError engine_error = { 0 };
  BpPreprocessStatus status;
  float input[N_PIXELS];
  gsize length, n;
  int width, height;

  g_return_val_if_fail (BP_IS_DRAW_VIEW (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  name = g_file_get_parse_name (file);
  if (!g_file_load_contents (file, NULL, &contents, &length, NULL, &local_error))
    {
      g_set_error (error, local_error->domain, local_error->code,
                   /* Translators: a file name, then why it could not be read. */
                   _("Could not open “%s”: %s"), name, local_error->message);
      return FALSE;
    }
  grey = bp_png_to_grey ((const guint8 *) contents, length, &width, &height, &message);
  if (grey == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("Could not open “%s”: %s"), name,
                   message);
      return FALSE;
    }

  status = bp_preprocess_u8 (grey, (size_t) width, (size_t) height, (size_t) width,
                             BP_POLARITY_AUTO, input, &info, &engine_error);
  if (status != BP_PREPROCESS_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   status == BP_PREPROCESS_EMPTY
                     /* Translators: a PNG file that is all one colour. */
                     ? _("“%s” has no digit on it: the picture is one flat colour")
                     : _("Could not open “%s”: %s"),
                   name, engine_error.message);
      return FALSE;
    }

  /* The pad shows ink as ink, light on its dark ground, whichever way the picture has it. */
  n = (gsize) width * (gsize) height;
  if (info.polarity == BP_POLARITY_DARK_INK)
    for (gsize i = 0; i < n; i++)
      grey[i] = (guint8) (255 - grey[i]);
  memcpy (self->example, input, sizeof self->example);
  gtk_drop_down_set_selected (self->why_class, 0);
  bp_draw_canvas_set_image (self->canvas, grey, (guint) width, (guint) height);

  g_clear_pointer (&name, g_free);
  name = g_file_get_basename (file);
  /* Translators: a picture file shown on the drawing pad. */
  caption = g_strdup_printf (_("The picture “%s”. Draw on the pad to replace it."), name);
  gtk_label_set_text (self->canvas_caption, caption);
  if (predict (self))
    g_signal_emit (self, signals[PICTURE_CLASSIFIED], 0, name);
  return TRUE;
}

int
bp_draw_view_get_guess (BpDrawView *self)
{
  g_return_val_if_fail (BP_IS_DRAW_VIEW (self), -1);

  if (!self->have_input || self->net == NULL)
    return -1;
  return top_class (self);
}

const float *
bp_draw_view_get_outputs (BpDrawView *self,
                          guint      *n_outputs)
{
  g_return_val_if_fail (BP_IS_DRAW_VIEW (self), NULL);
  g_return_val_if_fail (n_outputs != NULL, NULL);

  if (!self->have_input || self->net == NULL)
    {
      *n_outputs = 0;
      return NULL;
    }
  *n_outputs = (guint) MIN (self->net->n_outputs, MAX_OUT);
  return self->outputs;
}

const float *
bp_draw_view_get_input (BpDrawView *self)
{
  g_return_val_if_fail (BP_IS_DRAW_VIEW (self), NULL);

  return self->have_input && self->net != NULL ? self->input : NULL;
}

guint8 *
bp_draw_view_get_drawing (BpDrawView *self,
                          int        *width,
                          int        *height)
{
  cairo_surface_t *surface;
  const guint8 *ink;
  guint8 *grey;
  int stride;

  g_return_val_if_fail (BP_IS_DRAW_VIEW (self), NULL);

  if (!self->have_input)
    return NULL;
  if (bp_draw_canvas_has_image (self->canvas))
    {
      grey = g_new (guint8, N_PIXELS);
      for (int i = 0; i < N_PIXELS; i++)
        grey[i] = (guint8) (255 - (int) lrintf (CLAMP (self->input[i], 0.0f, 1.0f) * 255.0f));
      *width = *height = SIDE;
      return grey;
    }
  surface = bp_draw_canvas_render (self->canvas, 1);
  *width = cairo_image_surface_get_width (surface);
  *height = cairo_image_surface_get_height (surface);
  stride = cairo_image_surface_get_stride (surface);
  ink = cairo_image_surface_get_data (surface);
  grey = g_new (guint8, (gsize) *width * (gsize) *height);
  for (int y = 0; y < *height; y++)
    for (int x = 0; x < *width; x++)
      grey[(gsize) y * (gsize) *width + (gsize) x] = (guint8) (255 - ink[(gsize) y * (gsize) stride + (gsize) x]);
  cairo_surface_destroy (surface);
  return grey;
}

BpFeatureMaps *
bp_draw_view_get_feature_maps (BpDrawView *self)
{
  g_return_val_if_fail (BP_IS_DRAW_VIEW (self), NULL);

  return self->feature_maps;
}

double
bp_draw_view_get_brush_width (BpDrawView *self)
{
  g_return_val_if_fail (BP_IS_DRAW_VIEW (self), 0.0);

  return bp_draw_canvas_get_brush_width (self->canvas);
}

void
bp_draw_view_bind_settings (BpDrawView *self,
                            GSettings  *settings)
{
  g_return_if_fail (BP_IS_DRAW_VIEW (self));
  g_return_if_fail (G_IS_SETTINGS (settings));

  g_settings_bind (settings, "brush-width", self->canvas, "brush-width", G_SETTINGS_BIND_DEFAULT);
}

/* ── GObject ──────────────────────────────────────────────────────────────────────────────── */

static void
bp_draw_view_session_changed (BpView *view)
{
  queue_predict (BP_DRAW_VIEW (view));
}

static void
bp_draw_view_map (GtkWidget *widget)
{
  BpDrawView *self = BP_DRAW_VIEW (widget);
  gboolean take_focus = bp_view_may_take_focus (BP_VIEW (self));

  GTK_WIDGET_CLASS (bp_draw_view_parent_class)->map (widget);

  /* The network may have trained on while the view was hidden. */
  queue_predict (self);
  /* The keyboard goes to the pad, as the pen does. */
  if (take_focus)
    bp_view_take_focus (BP_VIEW (self), GTK_WIDGET (self->canvas));
}

static void
bp_draw_view_unmap (GtkWidget *widget)
{
  BpDrawView *self = BP_DRAW_VIEW (widget);

  if (self->predict_tick != 0)
    gtk_widget_remove_tick_callback (widget, self->predict_tick);
  self->predict_tick = 0;

  GTK_WIDGET_CLASS (bp_draw_view_parent_class)->unmap (widget);
}

static void
bp_draw_view_dispose (GObject *object)
{
  BpDrawView *self = BP_DRAW_VIEW (object);

  g_clear_pointer (&self->snapshot, bp_snapshot_unref);
  self->net = NULL;
  g_clear_pointer (&self->hidden, g_free);
  self->n_hidden = 0;
  g_clear_pointer (&self->input_description, g_free);
  g_clear_pointer (&self->why_description, g_free);
  g_clear_pointer (&self->strip_description, g_free);
  bp_layer_maps_clear (&self->maps);
  /* A prediction still computing is dropped when it is done. */
  if (self->predict_cancellable != NULL)
    g_cancellable_cancel (self->predict_cancellable);
  g_clear_object (&self->predict_cancellable);
  g_clear_pointer (&self->source, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), BP_TYPE_DRAW_VIEW);

  G_OBJECT_CLASS (bp_draw_view_parent_class)->dispose (object);
}

static void
bp_draw_view_class_init (BpDrawViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  BpViewClass *view_class = BP_VIEW_CLASS (klass);

  object_class->dispose = bp_draw_view_dispose;
  widget_class->map = bp_draw_view_map;
  widget_class->unmap = bp_draw_view_unmap;
  view_class->session_changed = bp_draw_view_session_changed;

  signals[NEURON_ACTIVATED] = g_signal_new ("neuron-activated", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                            G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[STROKE_CLASSIFIED] = g_signal_new ("stroke-classified", G_TYPE_FROM_CLASS (klass),
                                             G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                             G_TYPE_NONE, 0);
  signals[TEST_IMAGE_CLASSIFIED] = g_signal_new ("test-image-classified", G_TYPE_FROM_CLASS (klass),
                                                 G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                 G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[PICTURE_CLASSIFIED] = g_signal_new ("picture-classified", G_TYPE_FROM_CLASS (klass),
                                              G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                              G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[STROKES_REMOVED] = g_signal_new ("strokes-removed", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 1, G_TYPE_UINT);

  g_type_ensure (BP_TYPE_DRAW_CANVAS);
  g_type_ensure (BP_TYPE_PREDICTION_BARS);
  g_type_ensure (BP_TYPE_FEATURE_MAPS);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/nndl/Backprop/ui/bp-draw-view.ui");
  gtk_widget_class_bind_template_child (widget_class, BpDrawView, canvas);
  gtk_widget_class_bind_template_child (widget_class, BpDrawView, canvas_caption);
  gtk_widget_class_bind_template_child (widget_class, BpDrawView, source_label);
  gtk_widget_class_bind_template_child (widget_class, BpDrawView, bars);
  gtk_widget_class_bind_template_child (widget_class, BpDrawView, input_area);
  gtk_widget_class_bind_template_child (widget_class, BpDrawView, why_area);
  gtk_widget_class_bind_template_child (widget_class, BpDrawView, why_class);
  gtk_widget_class_bind_template_child (widget_class, BpDrawView, why_caption);
  gtk_widget_class_bind_template_child (widget_class, BpDrawView, hidden_label);
  gtk_widget_class_bind_template_child (widget_class, BpDrawView, hidden_area);
  gtk_widget_class_bind_template_child (widget_class, BpDrawView, feature_maps);
  gtk_widget_class_bind_template_child (widget_class, BpDrawView, guess_scroller);
  gtk_widget_class_bind_template_child (widget_class, BpDrawView, brush_scale);
  gtk_widget_class_bind_template_child (widget_class, BpDrawView, my_digits_button);
  gtk_widget_class_bind_template_callback (widget_class, canvas_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, stroke_finished_cb);
  gtk_widget_class_bind_template_callback (widget_class, queue_predict);
  gtk_widget_class_bind_template_callback (widget_class, hidden_pressed_cb);
  gtk_widget_class_bind_template_callback (widget_class, strip_key_pressed_cb);
  gtk_widget_class_bind_template_callback (widget_class, strip_focus_enter_cb);
  gtk_widget_class_bind_template_callback (widget_class, strip_state_flags_changed_cb);

  gtk_widget_class_install_action (widget_class, "draw.undo", NULL, undo_action);
  gtk_widget_class_install_action (widget_class, "draw.clear", NULL, clear_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK, "draw.undo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "draw.clear", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Delete, 0, "draw.clear", NULL);
  bp_my_digits_install_actions (widget_class);
}

static void
bp_draw_view_init (BpDrawView *self)
{
  GSignalGroup *session_signals = bp_view_get_session_signals (BP_VIEW (self));

  self->strip_cursor = -1;
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_drawing_area_set_draw_func (self->input_area, draw_input_cb, self, NULL);
  gtk_drawing_area_set_draw_func (self->why_area, draw_why_cb, self, NULL);
  gtk_drawing_area_set_draw_func (self->hidden_area, draw_hidden_cb, self, NULL);
  /* Both ways: the brush width remembered in the settings reaches the scale through the pad. */
  g_object_bind_property (gtk_range_get_adjustment (GTK_RANGE (self->brush_scale)), "value",
                          self->canvas, "brush-width", G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL);

  /* Predictions sharpen as training runs: each new snapshot is asked again, once per frame. */
  g_signal_group_connect_swapped (session_signals, "notify::snapshot-serial",
                                  G_CALLBACK (queue_predict), self);
  g_signal_group_connect_swapped (session_signals, "network-reset",
                                  G_CALLBACK (queue_predict), self);
  bp_my_digits_setup_button (self->my_digits_button, self);
  /* The first prediction, and the loading of the built-in model, wait for the view to show. */
  canvas_changed_cb (self);
  update_labels (self, NULL);
}
