/* bp-draw-canvas.c — BpDrawCanvas, a pad to draw a digit on with a round, anti-aliased brush
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Strokes are kept as lists of points in logical pixels, so that Undo drops the last list and
 * both the screen and the ink surface handed to the preprocessing are drawn from the same
 * vectors: sharp at any scale factor, anti-aliased by Cairo. A drag gesture takes mouse, touch
 * and stylus alike (a stylus arrives as a pointer with a tablet device).
 *
 * The pad takes the keyboard focus (the view's Ctrl+Z and Delete then undo and clear it) and
 * tells assistive technology what is on it: nothing, a number of strokes, or an image.
 */
#include "config.h"

#include "bp-draw-canvas.h"

#include <glib/gi18n.h>
#include <math.h>

#include "bp-focus-ring.h"
#include "bp-widget-utils.h"

/* Points and widths are in units of the pad's side (the shorter of its width and height), so
 * that a drawing keeps its shape and its stroke widths, relative to its size, when the window
 * is resized: what the preprocessing gets does not change with the window. */
typedef struct
{
  double  width;   /* brush width of this stroke, in sides */
  GArray *points;  /* graphene_point_t, in sides */
} Stroke;

struct _BpDrawCanvas
{
  GtkWidget  parent_instance;

  GPtrArray *strokes;      /* Stroke */
  double     brush_width;
  double     start_x;      /* where the current drag began */
  double     start_y;
  gboolean   drawing;

  cairo_surface_t *image;  /* A8, or NULL */
  char            *description; /* the accessible description last set */
};

G_DEFINE_FINAL_TYPE (BpDrawCanvas, bp_draw_canvas, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_BRUSH_WIDTH,
  PROP_EMPTY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CHANGED,
  STROKE_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
stroke_free (gpointer data)
{
  Stroke *stroke = data;

  g_array_unref (stroke->points);
  g_free (stroke);
}

/* "changed" comes with every point of a stroke: the description, which depends only on the
 * number of strokes and the image, is set again only when it reads differently. */
static void
update_description (BpDrawCanvas *self)
{
  g_autofree char *description = NULL;

  if (self->image != NULL)
    /* Translators: what is on the drawing pad, for screen readers: "A 28 × 28 image" */
    description = g_strdup_printf (_("A %d × %d image"),
                                   cairo_image_surface_get_width (self->image),
                                   cairo_image_surface_get_height (self->image));
  else if (self->strokes->len > 0)
    description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u stroke", "%u strokes",
                                                self->strokes->len),
                                   self->strokes->len);
  else
    description = g_strdup (_("Empty: draw a digit with the mouse, a finger or a stylus"));

  bp_accessible_update_description (GTK_ACCESSIBLE (self), &self->description, description);
}

static void
changed (BpDrawCanvas *self,
         gboolean      was_empty)
{
  update_description (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  if (was_empty != bp_draw_canvas_get_empty (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EMPTY]);
  g_signal_emit (self, signals[CHANGED], 0);
}

/* The pad's side in logical pixels: the unit of the strokes. */
static double
side_of (BpDrawCanvas *self)
{
  return MAX (1, MIN (gtk_widget_get_width (GTK_WIDGET (self)),
                      gtk_widget_get_height (GTK_WIDGET (self))));
}

/* Trace the strokes in logical pixels; the caller sets the source. */
static void
trace_strokes (BpDrawCanvas *self,
               cairo_t      *cr)
{
  double side = side_of (self);

  cairo_save (cr);
  cairo_scale (cr, side, side);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint i = 0; i < self->strokes->len; i++)
    {
      Stroke *stroke = g_ptr_array_index (self->strokes, i);
      const graphene_point_t *p = (const graphene_point_t *) (gpointer) stroke->points->data;

      if (stroke->points->len == 0)
        continue;
      cairo_new_path (cr);
      cairo_move_to (cr, p[0].x, p[0].y);
      /* A tap is a zero-length segment, which a round cap draws as a dot. */
      for (guint j = stroke->points->len == 1 ? 0 : 1; j < stroke->points->len; j++)
        cairo_line_to (cr, p[j].x, p[j].y);
      cairo_set_line_width (cr, stroke->width);
      cairo_stroke (cr);
    }
  cairo_restore (cr);
}

/* The largest centred square of the pad: where an image is shown. */
static void
image_box (BpDrawCanvas *self,
           double       *x,
           double       *y,
           double       *side)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));

  *side = MIN (width, height);
  *x = (width - *side) / 2.0;
  *y = (height - *side) / 2.0;
}

static void
bp_draw_canvas_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  BpDrawCanvas *self = BP_DRAW_CANVAS (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GdkRGBA color;
  cairo_t *cr;

  if (width <= 0 || height <= 0)
    return;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &color);
  G_GNUC_END_IGNORE_DEPRECATIONS

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  gdk_cairo_set_source_rgba (cr, &color);

  if (self->image != NULL)
    {
      double x, y, side;
      int iw = cairo_image_surface_get_width (self->image);
      cairo_pattern_t *mask = cairo_pattern_create_for_surface (self->image);

      image_box (self, &x, &y, &side);
      /* Nearest: these are the very pixels the network gets, not a smoothed version. */
      cairo_pattern_set_filter (mask, CAIRO_FILTER_NEAREST);
      cairo_save (cr);
      cairo_translate (cr, x, y);
      cairo_scale (cr, side / iw, side / iw);
      cairo_mask (cr, mask);
      cairo_restore (cr);
      cairo_pattern_destroy (mask);
    }
  else if (self->strokes->len == 0)
    {
      PangoLayout *layout = gtk_widget_create_pango_layout (widget, _("Draw a digit"));
      PangoFontDescription *font = pango_font_description_from_string ("Sans 18");
      int lw, lh;

      pango_layout_set_font_description (layout, font);
      pango_font_description_free (font);
      pango_layout_get_pixel_size (layout, &lw, &lh);
      cairo_set_source_rgba (cr, color.red, color.green, color.blue, color.alpha * 0.45);
      cairo_move_to (cr, (width - lw) / 2.0, (height - lh) / 2.0);
      pango_cairo_show_layout (cr, layout);
      g_object_unref (layout);
    }
  else
    trace_strokes (self, cr);

  cairo_destroy (cr);
  bp_focus_ring_snapshot (widget, snapshot);
}

static void
bp_draw_canvas_state_flags_changed (GtkWidget     *widget,
                                    GtkStateFlags  old_flags)
{
  GTK_WIDGET_CLASS (bp_draw_canvas_parent_class)->state_flags_changed (widget, old_flags);

  if (bp_focus_ring_changed (widget, old_flags))
    gtk_widget_queue_draw (widget);
}

/* ── Input ─────────────────────────────────────────────────────────────────────────────────── */

static void
add_point (BpDrawCanvas *self,
           double        x,
           double        y)
{
  Stroke *stroke = g_ptr_array_index (self->strokes, self->strokes->len - 1);
  double side = side_of (self);
  graphene_point_t p = GRAPHENE_POINT_INIT (x / side, y / side);

  /* Moves of under half a pixel add nothing visible. */
  if (stroke->points->len > 0)
    {
      const graphene_point_t *last = &g_array_index (stroke->points, graphene_point_t,
                                                     stroke->points->len - 1);

      if (fabs (last->x - p.x) * side < 0.5 && fabs (last->y - p.y) * side < 0.5)
        return;
    }
  g_array_append_val (stroke->points, p);
  changed (self, FALSE);
}

static void
drag_begin_cb (GtkGestureDrag *gesture,
               double          x,
               double          y,
               BpDrawCanvas   *self)
{
  gboolean was_empty = bp_draw_canvas_get_empty (self);
  Stroke *stroke = g_new0 (Stroke, 1);

  gtk_widget_grab_focus (GTK_WIDGET (self));
  g_clear_pointer (&self->image, cairo_surface_destroy);
  stroke->width = self->brush_width / BP_DRAW_CANVAS_REFERENCE_SIDE;
  stroke->points = g_array_new (FALSE, FALSE, sizeof (graphene_point_t));
  g_ptr_array_add (self->strokes, stroke);
  self->start_x = x;
  self->start_y = y;
  self->drawing = TRUE;
  if (was_empty)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EMPTY]);
  add_point (self, x, y);
}

static void
drag_update_cb (GtkGestureDrag *gesture,
                double          dx,
                double          dy,
                BpDrawCanvas   *self)
{
  if (self->drawing)
    add_point (self, self->start_x + dx, self->start_y + dy);
}

static void
drag_end_cb (GtkGestureDrag *gesture,
             double          dx,
             double          dy,
             BpDrawCanvas   *self)
{
  if (!self->drawing)
    return;
  add_point (self, self->start_x + dx, self->start_y + dy);
  self->drawing = FALSE;
  g_signal_emit (self, signals[STROKE_FINISHED], 0);
}

/* ── Public ───────────────────────────────────────────────────────────────────────────────── */

GtkWidget *
bp_draw_canvas_new (void)
{
  return g_object_new (BP_TYPE_DRAW_CANVAS, NULL);
}

double
bp_draw_canvas_get_brush_width (BpDrawCanvas *self)
{
  g_return_val_if_fail (BP_IS_DRAW_CANVAS (self), 0.0);

  return self->brush_width;
}

void
bp_draw_canvas_set_brush_width (BpDrawCanvas *self,
                                double        width)
{
  g_return_if_fail (BP_IS_DRAW_CANVAS (self));

  width = CLAMP (width, 1.0, 100.0);
  if (self->brush_width == width)
    return;
  self->brush_width = width;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BRUSH_WIDTH]);
}

gboolean
bp_draw_canvas_get_empty (BpDrawCanvas *self)
{
  g_return_val_if_fail (BP_IS_DRAW_CANVAS (self), TRUE);

  return self->strokes->len == 0 && self->image == NULL;
}

guint
bp_draw_canvas_get_n_strokes (BpDrawCanvas *self)
{
  g_return_val_if_fail (BP_IS_DRAW_CANVAS (self), 0);

  return self->strokes->len;
}

void
bp_draw_canvas_add_stroke (BpDrawCanvas           *self,
                           const graphene_point_t *points,
                           guint                   n,
                           double                  width)
{
  gboolean was_empty;
  Stroke *stroke;
  double side;

  g_return_if_fail (BP_IS_DRAW_CANVAS (self));
  g_return_if_fail (points != NULL || n == 0);

  if (n == 0 || self->drawing)
    return;
  was_empty = bp_draw_canvas_get_empty (self);
  side = side_of (self);
  g_clear_pointer (&self->image, cairo_surface_destroy);
  stroke = g_new0 (Stroke, 1);
  stroke->width = CLAMP (width, 1.0, 100.0) / side;
  stroke->points = g_array_sized_new (FALSE, FALSE, sizeof (graphene_point_t), n);
  for (guint i = 0; i < n; i++)
    {
      graphene_point_t p = GRAPHENE_POINT_INIT (points[i].x / side, points[i].y / side);

      g_array_append_val (stroke->points, p);
    }
  g_ptr_array_add (self->strokes, stroke);
  changed (self, was_empty);
}

gboolean
bp_draw_canvas_undo (BpDrawCanvas *self)
{
  g_return_val_if_fail (BP_IS_DRAW_CANVAS (self), FALSE);

  if (self->strokes->len == 0 || self->drawing)
    return FALSE;
  g_ptr_array_set_size (self->strokes, self->strokes->len - 1);
  changed (self, FALSE);
  return TRUE;
}

void
bp_draw_canvas_clear (BpDrawCanvas *self)
{
  gboolean was_empty;

  g_return_if_fail (BP_IS_DRAW_CANVAS (self));

  was_empty = bp_draw_canvas_get_empty (self);
  if (was_empty)
    return;
  self->drawing = FALSE;
  g_ptr_array_set_size (self->strokes, 0);
  g_clear_pointer (&self->image, cairo_surface_destroy);
  changed (self, was_empty);
}

void
bp_draw_canvas_set_image (BpDrawCanvas *self,
                          const guint8 *pixels,
                          guint         width,
                          guint         height)
{
  gboolean was_empty;

  g_return_if_fail (BP_IS_DRAW_CANVAS (self));

  was_empty = bp_draw_canvas_get_empty (self);
  self->drawing = FALSE;
  g_ptr_array_set_size (self->strokes, 0);
  g_clear_pointer (&self->image, cairo_surface_destroy);
  if (pixels != NULL && width > 0 && height > 0)
    {
      guint8 *data;
      int stride;

      self->image = cairo_image_surface_create (CAIRO_FORMAT_A8, (int) width, (int) height);
      cairo_surface_flush (self->image);
      data = cairo_image_surface_get_data (self->image);
      stride = cairo_image_surface_get_stride (self->image);
      for (guint r = 0; r < height; r++)
        memcpy (data + (gsize) r * (gsize) stride, pixels + (gsize) r * width, width);
      cairo_surface_mark_dirty (self->image);
    }
  changed (self, was_empty);
}

gboolean
bp_draw_canvas_has_image (BpDrawCanvas *self)
{
  g_return_val_if_fail (BP_IS_DRAW_CANVAS (self), FALSE);

  return self->image != NULL;
}

cairo_surface_t *
bp_draw_canvas_render (BpDrawCanvas *self,
                       int           scale)
{
  int width, height;
  cairo_surface_t *surface;
  cairo_t *cr;

  g_return_val_if_fail (BP_IS_DRAW_CANVAS (self), NULL);

  scale = MAX (scale, 1);
  width = MAX (gtk_widget_get_width (GTK_WIDGET (self)), 1);
  height = MAX (gtk_widget_get_height (GTK_WIDGET (self)), 1);
  surface = cairo_image_surface_create (CAIRO_FORMAT_A8, width * scale, height * scale);
  cr = cairo_create (surface);
  cairo_scale (cr, scale, scale);
  cairo_set_source_rgba (cr, 0, 0, 0, 1);
  trace_strokes (self, cr);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  return surface;
}

/* ── GObject ──────────────────────────────────────────────────────────────────────────────── */

static void
bp_draw_canvas_measure (GtkWidget      *widget,
                        GtkOrientation  orientation,
                        int             for_size,
                        int            *minimum,
                        int            *natural,
                        int            *minimum_baseline,
                        int            *natural_baseline)
{
  /* Big enough to draw on comfortably, small enough for an 800×600 window. */
  *minimum = 200;
  *natural = 320;
}

static void
bp_draw_canvas_finalize (GObject *object)
{
  BpDrawCanvas *self = BP_DRAW_CANVAS (object);

  g_clear_pointer (&self->strokes, g_ptr_array_unref);
  g_clear_pointer (&self->image, cairo_surface_destroy);
  g_clear_pointer (&self->description, g_free);

  G_OBJECT_CLASS (bp_draw_canvas_parent_class)->finalize (object);
}

static void
bp_draw_canvas_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  BpDrawCanvas *self = BP_DRAW_CANVAS (object);

  switch (prop_id)
    {
    case PROP_BRUSH_WIDTH:
      g_value_set_double (value, self->brush_width);
      break;
    case PROP_EMPTY:
      g_value_set_boolean (value, bp_draw_canvas_get_empty (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bp_draw_canvas_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  BpDrawCanvas *self = BP_DRAW_CANVAS (object);

  switch (prop_id)
    {
    case PROP_BRUSH_WIDTH:
      bp_draw_canvas_set_brush_width (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bp_draw_canvas_class_init (BpDrawCanvasClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = bp_draw_canvas_finalize;
  object_class->get_property = bp_draw_canvas_get_property;
  object_class->set_property = bp_draw_canvas_set_property;
  widget_class->snapshot = bp_draw_canvas_snapshot;
  widget_class->measure = bp_draw_canvas_measure;
  widget_class->state_flags_changed = bp_draw_canvas_state_flags_changed;

  properties[PROP_BRUSH_WIDTH] =
    g_param_spec_double ("brush-width", NULL, NULL, 1.0, 100.0, BP_DRAW_CANVAS_DEFAULT_BRUSH,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_EMPTY] =
    g_param_spec_boolean ("empty", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[STROKE_FINISHED] = g_signal_new ("stroke-finished", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 0);

  gtk_widget_class_set_css_name (widget_class, "drawcanvas");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
bp_draw_canvas_init (BpDrawCanvas *self)
{
  GtkGesture *drag;

  self->strokes = g_ptr_array_new_with_free_func (stroke_free);
  self->brush_width = BP_DRAW_CANVAS_DEFAULT_BRUSH;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "crosshair");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Drawing pad"), -1);
  update_description (self);

  drag = gtk_gesture_drag_new ();
  /* Mouse button 1, a finger, or a stylus tip. */
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (drag_update_cb), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (drag_end_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
}
