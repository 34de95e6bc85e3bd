/* bp-confusion-matrix.c — BpConfusionMatrix, true class against predicted class, coloured by count
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Rows are the true digits, columns the network's answers. The diagonal (right answers) is
 * shaded in blue and the rest (mistakes) in orange, each on a logarithmic scale of its own:
 * correct cells hold about a thousand images and mistakes a handful, so one linear scale would
 * leave every mistake invisible. Blue and orange stay apart for the common colour blindnesses.
 *
 * The keyboard reaches every cell: the arrow keys move a cursor (outlined while the focus is
 * visible) and Enter or Space does what a click does. The accessible description gives the
 * accuracy, the most common mistake and the cell under the cursor.
 */
#include "config.h"

#include "bp-confusion-matrix.h"

#include <glib/gi18n.h>
#include <math.h>

#include "bp-focus-ring.h"
#include "bp-text.h"
#include "bp-widget-utils.h"

#define MAX_CLASSES 16

struct _BpConfusionMatrix
{
  GtkWidget parent_instance;

  gsize     counts[MAX_CLASSES * MAX_CLASSES];
  guint     n;
  int       selected_true;
  int       selected_predicted;
  int       hover_true;
  int       hover_predicted;
  int       cursor_true;      /* the keyboard's cell, or -1 */
  int       cursor_predicted;
  char     *description;      /* the accessible description last set */
};

G_DEFINE_FINAL_TYPE (BpConfusionMatrix, bp_confusion_matrix, GTK_TYPE_WIDGET)

enum {
  CELL_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The square of cells: room on the left and the top for the axis titles and the digits. */
typedef struct
{
  double x, y, cell;
} Layout;

#define MARGIN_LEFT 40.0
#define MARGIN_TOP  40.0

static Layout
layout_for (BpConfusionMatrix *self,
            int                width,
            int                height)
{
  Layout l;
  guint n = self->n > 0 ? self->n : 10;
  double side = MIN (width - MARGIN_LEFT - 4.0, height - MARGIN_TOP - 4.0);

  l.cell = floor (MAX (side, (double) n) / n);
  l.x = MARGIN_LEFT + floor ((width - MARGIN_LEFT - l.cell * n) / 2.0);
  l.y = MARGIN_TOP;
  return l;
}

/* "Accuracy 95.41% (9541 of 10000); most common mistake: 4 read as 9, 23 times; cell 4 read
 * as 9: 23 images". Set only when it reads differently: results come once per evaluation,
 * the cursor moves once per key press. */
static void
update_description (BpConfusionMatrix *self)
{
  g_autoptr(GString) text = g_string_new (NULL);
  gsize total = 0, right = 0, worst = 0;
  guint worst_true = 0, worst_predicted = 0;

  if (self->n == 0)
    g_string_assign (text, _("No results yet"));
  else
    {
      for (guint t = 0; t < self->n; t++)
        for (guint p = 0; p < self->n; p++)
          {
            gsize c = self->counts[t * self->n + p];

            total += c;
            if (t == p)
              right += c;
            else if (c > worst)
              {
                worst = c;
                worst_true = t;
                worst_predicted = p;
              }
          }
      /* Translators: the confusion matrix's summary for screen readers. */
      g_string_append_printf (text, _("Accuracy %.2f%% (%zu of %zu)"),
                              total > 0 ? 100.0 * (double) right / (double) total : 0.0,
                              right, total);
      g_string_append (text, "; ");
      if (worst > 0)
        g_string_append_printf (text,
                                g_dngettext (GETTEXT_PACKAGE,
                                             "most common mistake: %u read as %u, %zu time",
                                             "most common mistake: %u read as %u, %zu times",
                                             worst),
                                worst_true, worst_predicted, worst);
      else
        g_string_append (text, _("no mistakes"));

      if (self->cursor_true >= 0 && self->cursor_predicted >= 0)
        {
          gsize c = self->counts[self->cursor_true * self->n + self->cursor_predicted];

          g_string_append (text, "; ");
          /* Translators: the cell under the keyboard cursor: "cell 4 read as 9: 23 images" */
          g_string_append_printf (text,
                                  g_dngettext (GETTEXT_PACKAGE,
                                               "cell %d read as %d: %zu image",
                                               "cell %d read as %d: %zu images",
                                               c),
                                  self->cursor_true, self->cursor_predicted, c);
        }
    }

  bp_accessible_update_description (GTK_ACCESSIBLE (self), &self->description, text->str);
}

static void
set_cursor (BpConfusionMatrix *self,
            int                true_class,
            int                predicted)
{
  if (true_class < 0 || predicted < 0 || true_class >= (int) self->n || predicted >= (int) self->n)
    true_class = predicted = -1;
  if (true_class == self->cursor_true && predicted == self->cursor_predicted)
    return;
  self->cursor_true = true_class;
  self->cursor_predicted = predicted;
  update_description (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

GtkWidget *
bp_confusion_matrix_new (void)
{
  return g_object_new (BP_TYPE_CONFUSION_MATRIX, NULL);
}

void
bp_confusion_matrix_set_counts (BpConfusionMatrix *self,
                                const gsize       *counts,
                                guint              n_classes)
{
  g_return_if_fail (BP_IS_CONFUSION_MATRIX (self));

  self->n = counts != NULL ? MIN (n_classes, MAX_CLASSES) : 0;
  for (guint t = 0; t < self->n; t++)
    for (guint p = 0; p < self->n; p++)
      self->counts[t * self->n + p] = counts[t * n_classes + p];
  if (self->cursor_true >= (int) self->n || self->cursor_predicted >= (int) self->n)
    self->cursor_true = self->cursor_predicted = -1;
  update_description (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
bp_confusion_matrix_set_selected (BpConfusionMatrix *self,
                                  int                true_class,
                                  int                predicted)
{
  g_return_if_fail (BP_IS_CONFUSION_MATRIX (self));

  self->selected_true = true_class;
  self->selected_predicted = predicted;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
bp_confusion_matrix_cell_at (BpConfusionMatrix *self,
                             double             x,
                             double             y,
                             int                width,
                             int                height,
                             guint             *true_class,
                             guint             *predicted)
{
  Layout l;
  double col, row;

  g_return_val_if_fail (BP_IS_CONFUSION_MATRIX (self), FALSE);

  if (self->n == 0)
    return FALSE;
  l = layout_for (self, width, height);
  col = floor ((x - l.x) / l.cell);
  row = floor ((y - l.y) / l.cell);
  if (col < 0 || row < 0 || col >= self->n || row >= self->n)
    return FALSE;
  *true_class = (guint) row;
  *predicted = (guint) col;
  return TRUE;
}

void
bp_confusion_matrix_draw (BpConfusionMatrix *self,
                          cairo_t           *cr,
                          PangoContext      *context,
                          int                width,
                          int                height,
                          gboolean           dark)
{
  PangoContext *own_context = NULL;
  g_autoptr(PangoLayout) title = NULL;
  double fg = dark ? 1.0 : 0.0;
  gsize max_right = 1, max_wrong = 1;
  guint n;
  Layout l;

  g_return_if_fail (BP_IS_CONFUSION_MATRIX (self));

  if (context == NULL)
    context = own_context = bp_text_default_context_new ();
  n = self->n > 0 ? self->n : 10;
  l = layout_for (self, width, height);

  for (guint t = 0; t < self->n; t++)
    for (guint p = 0; p < self->n; p++)
      {
        gsize c = self->counts[t * self->n + p];

        if (t == p)
          max_right = MAX (max_right, c);
        else
          max_wrong = MAX (max_wrong, c);
      }

  /* Axis titles and the digits along them. */
  cairo_set_source_rgba (cr, fg, fg, fg, 0.7);
  title = bp_text_layout_new (context, _("predicted →"), 1.0, FALSE);
  bp_text_draw (cr, title, l.x + l.cell * n / 2.0, 2.0, 0.5, 0.0);
  cairo_save (cr);
  cairo_translate (cr, 2.0, l.y + l.cell * n / 2.0);
  cairo_rotate (cr, -G_PI / 2.0);
  pango_layout_set_text (title, _("← true digit"), -1);
  bp_text_draw (cr, title, 0.0, 0.0, 0.5, 0.0);
  cairo_restore (cr);

  for (guint i = 0; i < n; i++)
    {
      char digit[8];
      g_autoptr(PangoLayout) layout = NULL;

      g_snprintf (digit, sizeof digit, "%u", i);
      layout = bp_text_layout_new (context, digit, 1.0, TRUE);
      cairo_set_source_rgb (cr, fg, fg, fg);
      bp_text_draw (cr, layout, l.x + (i + 0.5) * l.cell, l.y - 4.0, 0.5, 1.0);
      bp_text_draw (cr, layout, l.x - 6.0, l.y + (i + 0.5) * l.cell, 1.0, 0.5);
    }

  for (guint t = 0; t < n; t++)
    for (guint p = 0; p < n; p++)
      {
        double x = l.x + p * l.cell, y = l.y + t * l.cell;
        gsize c = self->n > 0 ? self->counts[t * self->n + p] : 0;
        double level = c == 0 ? 0.0 : log1p ((double) c) / log1p ((double) (t == p ? max_right : max_wrong));
        double r, g, b;

        /* From the background towards full blue (right) or orange (wrong). */
        if (t == p)
          r = 0.129, g = 0.443, b = 0.710;
        else
          r = 0.902, g = 0.380, b = 0.004;
        level = c == 0 ? 0.0 : 0.15 + 0.85 * level;
        cairo_set_source_rgba (cr, r, g, b, level);
        cairo_rectangle (cr, x + 0.5, y + 0.5, l.cell - 1.0, l.cell - 1.0);
        cairo_fill (cr);
        cairo_set_source_rgba (cr, fg, fg, fg, 0.12);
        cairo_rectangle (cr, x + 0.5, y + 0.5, l.cell - 1.0, l.cell - 1.0);
        cairo_set_line_width (cr, 1.0);
        cairo_stroke (cr);

        if (c > 0 && l.cell >= 22.0)
          {
            char text[24];
            g_autoptr(PangoLayout) layout = NULL;
            double tw, th;

            g_snprintf (text, sizeof text, "%zu", c);
            layout = bp_text_layout_new (context, text, 1.0, FALSE);
            bp_text_size (layout, &tw, &th);
            /* A four-digit count shrinks to fit its cell rather than spill over. */
            if (tw > l.cell - 4.0)
              {
                g_object_unref (layout);
                layout = bp_text_layout_new (context, text, (l.cell - 4.0) / tw, FALSE);
              }
            /* White on the deep shades, the text colour on the pale ones. */
            if (level > 0.55)
              cairo_set_source_rgb (cr, 1, 1, 1);
            else
              cairo_set_source_rgb (cr, fg, fg, fg);
            bp_text_draw (cr, layout, x + l.cell / 2.0, y + l.cell / 2.0, 0.5, 0.5);
          }

        if (((int) t == self->selected_true && (int) p == self->selected_predicted)
            || ((int) t == self->hover_true && (int) p == self->hover_predicted))
          {
            cairo_set_source_rgb (cr, fg, fg, fg);
            cairo_set_line_width (cr, (int) t == self->selected_true && (int) p == self->selected_predicted ? 2.5 : 1.5);
            cairo_rectangle (cr, x + 1.5, y + 1.5, l.cell - 3.0, l.cell - 3.0);
            cairo_stroke (cr);
          }
      }
  g_clear_object (&own_context);
}

static void
bp_confusion_matrix_snapshot (GtkWidget   *widget,
                              GtkSnapshot *snapshot)
{
  BpConfusionMatrix *self = BP_CONFUSION_MATRIX (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  gboolean dark;
  cairo_t *cr;

  if (width <= 0 || height <= 0)
    return;
  dark = bp_widget_is_dark (widget, NULL);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  bp_confusion_matrix_draw (self, cr, gtk_widget_get_pango_context (widget), width, height, dark);

  /* The keyboard's cell, in the colour of focus rings, while the focus is visible; a halo of
   * the background's colour keeps it apart from the blue of the diagonal's cells. */
  if (gtk_widget_has_visible_focus (widget) && self->cursor_true >= 0)
    {
      Layout l = layout_for (self, width, height);
      GdkRGBA ring;
      double halo = dark ? 0.12 : 1.0;

      cairo_rectangle (cr, l.x + self->cursor_predicted * l.cell + 3.0,
                       l.y + self->cursor_true * l.cell + 3.0, l.cell - 6.0, l.cell - 6.0);
      cairo_set_source_rgb (cr, halo, halo, halo);
      cairo_set_line_width (cr, 5.0);
      cairo_stroke_preserve (cr);
      bp_focus_ring_color (widget, &ring);
      ring.alpha = MIN (1.0f, ring.alpha * 2.0f);
      gdk_cairo_set_source_rgba (cr, &ring);
      cairo_set_line_width (cr, 3.0);
      cairo_stroke (cr);
    }
  cairo_destroy (cr);

  if (self->cursor_true < 0)
    bp_focus_ring_snapshot (widget, snapshot);
}

static void
bp_confusion_matrix_state_flags_changed (GtkWidget     *widget,
                                         GtkStateFlags  old_flags)
{
  GTK_WIDGET_CLASS (bp_confusion_matrix_parent_class)->state_flags_changed (widget, old_flags);

  if (bp_focus_ring_changed (widget, old_flags))
    gtk_widget_queue_draw (widget);
}

static void
bp_confusion_matrix_measure (GtkWidget      *widget,
                             GtkOrientation  orientation,
                             int             for_size,
                             int            *minimum,
                             int            *natural,
                             int            *minimum_baseline,
                             int            *natural_baseline)
{
  *minimum = 40 + 10 * 18;
  *natural = 40 + 10 * 26;
}

static void
pressed_cb (GtkGestureClick   *gesture,
            int                n_press,
            double             x,
            double             y,
            BpConfusionMatrix *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  guint t, p;

  if (!bp_confusion_matrix_cell_at (self, x, y, gtk_widget_get_width (widget),
                                    gtk_widget_get_height (widget), &t, &p))
    return;
  gtk_widget_grab_focus (widget);
  set_cursor (self, (int) t, (int) p);
  bp_confusion_matrix_set_selected (self, (int) t, (int) p);
  g_signal_emit (self, signals[CELL_ACTIVATED], 0, t, p);
}

/* The keyboard arrives on the selected cell, or the first one. */
static void
focus_enter_cb (GtkEventControllerFocus *controller,
                BpConfusionMatrix       *self)
{
  if (self->cursor_true < 0 && self->n > 0)
    set_cursor (self, MAX (self->selected_true, 0), MAX (self->selected_predicted, 0));
}

/* The arrow keys move the cursor, Home and End to the ends of its row; Enter or Space
 * activates its cell as a click would. */
static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                BpConfusionMatrix     *self)
{
  int n = (int) self->n;
  int t = MAX (self->cursor_true, 0);
  int p = MAX (self->cursor_predicted, 0);

  if (n == 0 || (state & (GDK_CONTROL_MASK | GDK_ALT_MASK)) != 0)
    return FALSE;

  switch (keyval)
    {
    case GDK_KEY_Left:
    case GDK_KEY_KP_Left:
      p = MAX (p - 1, 0);
      break;

    case GDK_KEY_Right:
    case GDK_KEY_KP_Right:
      p = MIN (p + 1, n - 1);
      break;

    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      t = MAX (t - 1, 0);
      break;

    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      t = MIN (t + 1, n - 1);
      break;

    case GDK_KEY_Home:
    case GDK_KEY_KP_Home:
      p = 0;
      break;

    case GDK_KEY_End:
    case GDK_KEY_KP_End:
      p = n - 1;
      break;

    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
    case GDK_KEY_ISO_Enter:
    case GDK_KEY_space:
    case GDK_KEY_KP_Space:
      set_cursor (self, t, p);
      bp_confusion_matrix_set_selected (self, t, p);
      g_signal_emit (self, signals[CELL_ACTIVATED], 0, (guint) t, (guint) p);
      return TRUE;

    default:
      return FALSE;
    }

  set_cursor (self, t, p);
  return TRUE;
}

static void
bp_confusion_matrix_finalize (GObject *object)
{
  BpConfusionMatrix *self = BP_CONFUSION_MATRIX (object);

  g_clear_pointer (&self->description, g_free);

  G_OBJECT_CLASS (bp_confusion_matrix_parent_class)->finalize (object);
}

static void
motion_cb (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           BpConfusionMatrix        *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  guint t, p;
  int ht = -1, hp = -1;

  if (bp_confusion_matrix_cell_at (self, x, y, gtk_widget_get_width (widget),
                                   gtk_widget_get_height (widget), &t, &p))
    {
      ht = (int) t;
      hp = (int) p;
    }
  if (ht == self->hover_true && hp == self->hover_predicted)
    return;
  self->hover_true = ht;
  self->hover_predicted = hp;
  gtk_widget_set_cursor_from_name (widget, ht >= 0 ? "pointer" : NULL);
  gtk_widget_queue_draw (widget);
}

static void
leave_cb (GtkEventControllerMotion *motion,
          BpConfusionMatrix        *self)
{
  self->hover_true = self->hover_predicted = -1;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
bp_confusion_matrix_class_init (BpConfusionMatrixClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = bp_confusion_matrix_finalize;
  widget_class->snapshot = bp_confusion_matrix_snapshot;
  widget_class->measure = bp_confusion_matrix_measure;
  widget_class->state_flags_changed = bp_confusion_matrix_state_flags_changed;

  signals[CELL_ACTIVATED] = g_signal_new ("cell-activated", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);

  gtk_widget_class_set_css_name (widget_class, "confusionmatrix");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
bp_confusion_matrix_init (BpConfusionMatrix *self)
{
  GtkGesture *click = gtk_gesture_click_new ();
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkEventController *key = gtk_event_controller_key_new ();
  GtkEventController *focus = gtk_event_controller_focus_new ();

  self->selected_true = self->selected_predicted = -1;
  self->hover_true = self->hover_predicted = -1;
  self->cursor_true = self->cursor_predicted = -1;
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  g_signal_connect (key, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), key);
  g_signal_connect (focus, "enter", G_CALLBACK (focus_enter_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), focus);
  g_signal_connect (click, "pressed", G_CALLBACK (pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  g_signal_connect (motion, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect (motion, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Confusion matrix of the test set"), -1);
  update_description (self);
}
