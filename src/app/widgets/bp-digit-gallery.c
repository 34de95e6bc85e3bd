/* bp-digit-gallery.c — BpDigitGallery, a grid of small digit images with the network's verdict
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One widget draws every tile: a gallery of a few hundred digits stays one render node per tile
 * picture instead of a few hundred widgets. Its height follows its width (height-for-width), so
 * it scrolls in a GtkScrolledWindow like a flow box would.
 *
 * The keyboard reaches every digit: the arrow keys move a cursor (outlined while the focus is
 * visible, and scrolled into view), Enter or Space does what a click does, and the accessible
 * description says which digit the cursor is on and what the network made of it.
 */
#include "config.h"

#include "bp-digit-gallery.h"

#include <glib/gi18n.h>
#include <math.h>

#include "bp-focus-ring.h"
#include "bp-widget-utils.h"

#define IMAGE   56.0  /* the 28 pixels twice */
#define TILE_W  76.0
#define TILE_H  98.0

struct _BpDigitGallery
{
  GtkWidget        parent_instance;

  GArray          *digits;   /* BpGalleryDigit */
  GPtrArray       *surfaces; /* cairo_surface_t, A8, one per digit */
  int              hover;
  int              cursor;      /* the keyboard's digit, or -1 */
  char            *description; /* the accessible description last set */
  gboolean         activations; /* sigmoid outputs, not probabilities */
};

G_DEFINE_FINAL_TYPE (BpDigitGallery, bp_digit_gallery, GTK_TYPE_WIDGET)

enum {
  DIGIT_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static guint
columns_for (int width)
{
  return (guint) MAX (1, (int) (width / TILE_W));
}

/* "120 digits; digit 3 of 120: the network says 5 (87%), it is 3". */
static void
update_description (BpDigitGallery *self)
{
  g_autofree char *description = NULL;
  guint n = self->digits->len;

  if (n == 0)
    description = g_strdup (_("No digits"));
  else
    description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u digit", "%u digits", n), n);

  if (self->cursor >= 0 && self->cursor < (int) n)
    {
      const BpGalleryDigit *d = &g_array_index (self->digits, BpGalleryDigit, self->cursor);
      char *full;

      /* Translators: the gallery's digit under the keyboard cursor, for screen readers. */
      g_autofree char *output = bp_digit_gallery_format_output (self, (guint) self->cursor);

      full = g_strdup_printf (_("%s; digit %d of %u: the network says %u (%s), it is %u"),
                              description, self->cursor + 1, n, d->predicted, output, d->label);
      g_free (description);
      description = full;
    }

  bp_accessible_update_description (GTK_ACCESSIBLE (self), &self->description, description);
}

char *
bp_digit_gallery_format_output (BpDigitGallery *self,
                                guint           position)
{
  const BpGalleryDigit *d;

  g_return_val_if_fail (BP_IS_DIGIT_GALLERY (self), NULL);
  g_return_val_if_fail (position < self->digits->len, NULL);

  d = &g_array_index (self->digits, BpGalleryDigit, position);
  if (self->activations)
    /* Translators: a sigmoid output neuron's activation, not a probability. */
    return g_strdup_printf (_("output %.2f"), d->confidence);
  return g_strdup_printf ("%.0f%%", 100.0 * d->confidence);
}

void
bp_digit_gallery_set_probabilities (BpDigitGallery *self,
                                    gboolean        probabilities)
{
  g_return_if_fail (BP_IS_DIGIT_GALLERY (self));

  if (self->activations == !probabilities)
    return;
  self->activations = !probabilities;
  update_description (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

GtkWidget *
bp_digit_gallery_new (void)
{
  return g_object_new (BP_TYPE_DIGIT_GALLERY, NULL);
}

void
bp_digit_gallery_set_digits (BpDigitGallery       *self,
                             const BpGalleryDigit *digits,
                             guint                 n)
{
  g_return_if_fail (BP_IS_DIGIT_GALLERY (self));

  g_array_set_size (self->digits, 0);
  g_ptr_array_set_size (self->surfaces, 0);
  if (n > 0)
    g_array_append_vals (self->digits, digits, n);
  for (guint i = 0; i < n; i++)
    {
      cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_A8, BP_DIGIT_GALLERY_SIDE,
                                                             BP_DIGIT_GALLERY_SIDE);
      guint8 *data;
      int stride;

      cairo_surface_flush (surface);
      data = cairo_image_surface_get_data (surface);
      stride = cairo_image_surface_get_stride (surface);
      for (int r = 0; r < BP_DIGIT_GALLERY_SIDE; r++)
        memcpy (data + r * stride, digits[i].pixels + r * BP_DIGIT_GALLERY_SIDE, BP_DIGIT_GALLERY_SIDE);
      cairo_surface_mark_dirty (surface);
      g_ptr_array_add (self->surfaces, surface);
    }
  self->hover = -1;
  /* A new set of digits: the keyboard starts again from the first one. An empty gallery has
   * no height and nothing to do: no stop for Tab. */
  self->cursor = n > 0 && gtk_widget_has_focus (GTK_WIDGET (self)) ? 0 : -1;
  gtk_widget_set_focusable (GTK_WIDGET (self), n > 0);
  update_description (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

guint
bp_digit_gallery_get_n_digits (BpDigitGallery *self)
{
  g_return_val_if_fail (BP_IS_DIGIT_GALLERY (self), 0);

  return self->digits->len;
}

const BpGalleryDigit *
bp_digit_gallery_get_digit (BpDigitGallery *self,
                            guint           position)
{
  g_return_val_if_fail (BP_IS_DIGIT_GALLERY (self), NULL);
  g_return_val_if_fail (position < self->digits->len, NULL);

  return &g_array_index (self->digits, BpGalleryDigit, position);
}

void
bp_digit_gallery_get_tile (BpDigitGallery  *self,
                           guint            position,
                           int              width,
                           graphene_rect_t *rect)
{
  guint columns = columns_for (width);
  /* The spare width is shared out between the columns. */
  double tile_w = (double) width / columns;

  graphene_rect_init (rect, (position % columns) * tile_w, (position / columns) * TILE_H,
                      tile_w, TILE_H);
}

int
bp_digit_gallery_position_at (BpDigitGallery *self,
                              double          x,
                              double          y,
                              int             width)
{
  guint columns = columns_for (width);
  double tile_w = (double) width / columns;
  int col = (int) floor (x / tile_w), row = (int) floor (y / TILE_H);
  guint position;

  g_return_val_if_fail (BP_IS_DIGIT_GALLERY (self), -1);

  if (x < 0 || y < 0 || col >= (int) columns)
    return -1;
  position = (guint) row * columns + (guint) col;
  return position < self->digits->len ? (int) position : -1;
}

static void
bp_digit_gallery_snapshot (GtkWidget   *widget,
                           GtkSnapshot *snapshot)
{
  BpDigitGallery *self = BP_DIGIT_GALLERY (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GdkRGBA color;
  cairo_t *cr;

  if (width <= 0 || height <= 0 || self->digits->len == 0)
    return;
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &color);
  G_GNUC_END_IGNORE_DEPRECATIONS

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  for (guint i = 0; i < self->digits->len; i++)
    {
      const BpGalleryDigit *d = &g_array_index (self->digits, BpGalleryDigit, i);
      graphene_rect_t tile;
      double ix, iy;
      g_autofree char *line1 = NULL;
      g_autofree char *line2 = NULL;
      PangoLayout *layout;
      int lw, lh;
      cairo_pattern_t *mask;

      bp_digit_gallery_get_tile (self, i, width, &tile);
      ix = tile.origin.x + (tile.size.width - IMAGE) / 2.0;
      iy = tile.origin.y + 4.0;

      /* The digit as MNIST stores it, light ink on a dark square, in both styles. */
      cairo_set_source_rgb (cr, 0.0, 0.0, 0.0);
      cairo_rectangle (cr, ix, iy, IMAGE, IMAGE);
      cairo_fill (cr);
      mask = cairo_pattern_create_for_surface (g_ptr_array_index (self->surfaces, i));
      cairo_pattern_set_filter (mask, CAIRO_FILTER_NEAREST);
      cairo_save (cr);
      cairo_translate (cr, ix, iy);
      cairo_scale (cr, IMAGE / BP_DIGIT_GALLERY_SIDE, IMAGE / BP_DIGIT_GALLERY_SIDE);
      cairo_set_source_rgb (cr, 1.0, 1.0, 1.0);
      cairo_mask (cr, mask);
      cairo_restore (cr);
      cairo_pattern_destroy (mask);

      if ((int) i == self->hover)
        {
          gdk_cairo_set_source_rgba (cr, &color);
          cairo_set_line_width (cr, 2.0);
          cairo_rectangle (cr, ix - 2.0, iy - 2.0, IMAGE + 4.0, IMAGE + 4.0);
          cairo_stroke (cr);
        }

      /* The keyboard's digit: its whole tile, in the colour of focus rings. */
      if ((int) i == self->cursor && gtk_widget_has_visible_focus (widget))
        {
          GdkRGBA ring;

          bp_focus_ring_color (widget, &ring);
          ring.alpha = MIN (1.0f, ring.alpha * 2.0f);
          gdk_cairo_set_source_rgba (cr, &ring);
          cairo_set_line_width (cr, 3.0);
          cairo_rectangle (cr, tile.origin.x + 2.5, tile.origin.y + 0.5,
                           tile.size.width - 5.0, tile.size.height - 3.0);
          cairo_stroke (cr);
        }

      /* Translators: what the network answered and what the digit is, in a tile of a gallery. */
      line1 = d->predicted == d->label ? g_strdup_printf (_("says %u ✓"), d->predicted)
                                       : g_strdup_printf (_("says %u, is %u"), d->predicted, d->label);
      line2 = bp_digit_gallery_format_output (self, i);
      layout = gtk_widget_create_pango_layout (widget, line1);
      pango_layout_get_pixel_size (layout, &lw, &lh);
      gdk_cairo_set_source_rgba (cr, &color);
      cairo_move_to (cr, tile.origin.x + (tile.size.width - lw) / 2.0, iy + IMAGE + 3.0);
      pango_cairo_show_layout (cr, layout);
      pango_layout_set_text (layout, line2, -1);
      pango_layout_get_pixel_size (layout, &lw, &lh);
      cairo_set_source_rgba (cr, color.red, color.green, color.blue, color.alpha * 0.65);
      cairo_move_to (cr, tile.origin.x + (tile.size.width - lw) / 2.0, iy + IMAGE + 3.0 + lh);
      pango_cairo_show_layout (cr, layout);
      g_object_unref (layout);
    }
  cairo_destroy (cr);
}

static void
bp_digit_gallery_state_flags_changed (GtkWidget     *widget,
                                      GtkStateFlags  old_flags)
{
  GTK_WIDGET_CLASS (bp_digit_gallery_parent_class)->state_flags_changed (widget, old_flags);

  if (bp_focus_ring_changed (widget, old_flags))
    gtk_widget_queue_draw (widget);
}

/* Scroll the cursor's tile into view when the gallery sits in a scrolled window. */
static void
scroll_to_cursor (BpDigitGallery *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GtkWidget *scrolled = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  GtkWidget *content;
  GtkAdjustment *adjustment;
  graphene_rect_t tile;
  graphene_point_t top;

  if (scrolled == NULL || self->cursor < 0)
    return;
  content = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scrolled));
  /* The viewport a scrolled window puts around the gallery would otherwise scroll back to the
   * focus child, the whole gallery, at its next allocation: its top, not the cursor. */
  if (GTK_IS_VIEWPORT (content))
    gtk_viewport_set_scroll_to_focus (GTK_VIEWPORT (content), FALSE);
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  bp_digit_gallery_get_tile (self, (guint) self->cursor, gtk_widget_get_width (widget), &tile);
  /* The content's coordinates move with the scrolling: the adjustment's value puts them back
   * into the scrolled area's. */
  if (content == NULL || !gtk_widget_compute_point (widget, content, &tile.origin, &top))
    return;
  gtk_adjustment_clamp_page (adjustment, top.y + gtk_adjustment_get_value (adjustment),
                             top.y + gtk_adjustment_get_value (adjustment) + tile.size.height);
}

static void
set_cursor (BpDigitGallery *self,
            int             position)
{
  if (position < 0 || position >= (int) self->digits->len)
    position = -1;
  if (position == self->cursor)
    return;
  self->cursor = position;
  update_description (self);
  scroll_to_cursor (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static GtkSizeRequestMode
bp_digit_gallery_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
bp_digit_gallery_measure (GtkWidget      *widget,
                          GtkOrientation  orientation,
                          int             for_size,
                          int            *minimum,
                          int            *natural,
                          int            *minimum_baseline,
                          int            *natural_baseline)
{
  BpDigitGallery *self = BP_DIGIT_GALLERY (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = (int) TILE_W;
      *natural = (int) (TILE_W * 3);
    }
  else
    {
      guint columns = columns_for (for_size < 0 ? (int) (TILE_W * 3) : for_size);
      guint rows = (self->digits->len + columns - 1) / columns;

      *minimum = *natural = (int) (rows * TILE_H);
    }
}

static void
pressed_cb (GtkGestureClick *gesture,
            int              n_press,
            double           x,
            double           y,
            BpDigitGallery  *self)
{
  int position = bp_digit_gallery_position_at (self, x, y, gtk_widget_get_width (GTK_WIDGET (self)));

  if (position < 0)
    return;
  gtk_widget_grab_focus (GTK_WIDGET (self));
  set_cursor (self, position);
  g_signal_emit (self, signals[DIGIT_ACTIVATED], 0, (guint) position);
}

static void
focus_enter_cb (GtkEventControllerFocus *controller,
                BpDigitGallery          *self)
{
  if (self->cursor < 0)
    set_cursor (self, 0);
  else
    scroll_to_cursor (self);
}

/* The arrow keys move the cursor through the tiles as they are laid out, Home and End to the
 * first and last digit; Enter or Space activates the digit as a click would. */
static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                BpDigitGallery        *self)
{
  int n = (int) self->digits->len;
  int columns = (int) columns_for (gtk_widget_get_width (GTK_WIDGET (self)));
  int cursor = MAX (self->cursor, 0);

  if (n == 0 || (state & (GDK_CONTROL_MASK | GDK_ALT_MASK)) != 0)
    return FALSE;

  if (bp_focus_grid_move (keyval, cursor, n, columns, &cursor))
    {
      set_cursor (self, cursor);
      return TRUE;
    }

  switch (keyval)
    {
    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
    case GDK_KEY_ISO_Enter:
    case GDK_KEY_space:
    case GDK_KEY_KP_Space:
      set_cursor (self, cursor);
      g_signal_emit (self, signals[DIGIT_ACTIVATED], 0, (guint) cursor);
      return TRUE;

    default:
      return FALSE;
    }
}

static void
motion_cb (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           BpDigitGallery           *self)
{
  int position = bp_digit_gallery_position_at (self, x, y, gtk_widget_get_width (GTK_WIDGET (self)));

  if (position == self->hover)
    return;
  self->hover = position;
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), position >= 0 ? "pointer" : NULL);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
leave_cb (GtkEventControllerMotion *motion,
          BpDigitGallery           *self)
{
  self->hover = -1;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
bp_digit_gallery_finalize (GObject *object)
{
  BpDigitGallery *self = BP_DIGIT_GALLERY (object);

  g_clear_pointer (&self->digits, g_array_unref);
  g_clear_pointer (&self->surfaces, g_ptr_array_unref);
  g_clear_pointer (&self->description, g_free);

  G_OBJECT_CLASS (bp_digit_gallery_parent_class)->finalize (object);
}

static void
bp_digit_gallery_class_init (BpDigitGalleryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = bp_digit_gallery_finalize;
  widget_class->snapshot = bp_digit_gallery_snapshot;
  widget_class->measure = bp_digit_gallery_measure;
  widget_class->get_request_mode = bp_digit_gallery_get_request_mode;
  widget_class->state_flags_changed = bp_digit_gallery_state_flags_changed;

  signals[DIGIT_ACTIVATED] = g_signal_new ("digit-activated", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 1, G_TYPE_UINT);

  gtk_widget_class_set_css_name (widget_class, "digitgallery");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
bp_digit_gallery_init (BpDigitGallery *self)
{
  GtkGesture *click = gtk_gesture_click_new ();
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkEventController *key = gtk_event_controller_key_new ();
  GtkEventController *focus = gtk_event_controller_focus_new ();

  self->digits = g_array_new (FALSE, FALSE, sizeof (BpGalleryDigit));
  self->surfaces = g_ptr_array_new_with_free_func ((GDestroyNotify) cairo_surface_destroy);
  self->hover = -1;
  self->cursor = -1;

  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Digits"), -1);
  update_description (self);
  g_signal_connect (key, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), key);
  g_signal_connect (focus, "enter", G_CALLBACK (focus_enter_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), focus);

  g_signal_connect (click, "pressed", G_CALLBACK (pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  g_signal_connect (motion, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect (motion, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
}
