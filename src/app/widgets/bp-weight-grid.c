/* bp-weight-grid.c — BpWeightGrid, the first layer's weights as heatmaps, one per neuron
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The widget owns a BpWeightTiles (the pictures and their drawing) and adds the style's colours
 * and font, hover and selection, clicks, the keyboard and the accessible description.
 */
#include "config.h"

#include "bp-weight-grid.h"

#include <glib/gi18n-lib.h>

#include "bp-focus-ring.h"
#include "bp-weight-tiles.h"
#include "bp-widget-utils.h"

struct _BpWeightGrid
{
  GtkWidget      parent_instance;

  BpWeightTiles *tiles;
  PangoContext  *text; /* the widget's font, made on first draw, dropped when the style changes */
  int            selected;
  gboolean       filters;     /* a conv layer's filters rather than neurons */
  int            hover;
  char          *description; /* the last accessible description set */
};

G_DEFINE_FINAL_TYPE (BpWeightGrid, bp_weight_grid, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_SELECTED,
  N_PROPS
};

enum
{
  NEURON_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
update_description (BpWeightGrid *self)
{
  g_autofree char *description = NULL;
  guint n = bp_weight_tiles_get_n_neurons (self->tiles);
  guint rows, cols;

  bp_weight_tiles_get_image_size (self->tiles, &rows, &cols);

  if (n == 0)
    description = g_strdup (_("No weights yet"));
  else if (self->filters)
    description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                "%u filter, its weights as a %u × %u picture; "
                                                "blue is negative, red positive, scale ±%.2g",
                                                "%u filters, each one's weights as a %u × %u "
                                                "picture; blue is negative, red positive, "
                                                "scale ±%.2g",
                                                n),
                                   n, rows, cols, bp_weight_tiles_get_limit (self->tiles));
  else
    /* Two significant digits of the scale: the description changes when the picture does in
     * a way worth announcing, not on every live update. */
    description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                "%u neuron, its incoming weights as a %u × %u "
                                                "picture; blue is negative, red positive, "
                                                "scale ±%.2g",
                                                "%u neurons, each one's incoming weights as a "
                                                "%u × %u picture; blue is negative, red "
                                                "positive, scale ±%.2g",
                                                n),
                                   n, rows, cols, bp_weight_tiles_get_limit (self->tiles));

  /* Which picture the arrow keys have reached, so that a screen reader says where Enter goes. */
  if (n > 0 && self->selected >= 0 && self->selected < (int) n)
    {
      char *full;

      /* Translators: appended to the weight grid's description; neurons count from 1 here as
       * they do in the neuron window's title. */
      full = self->filters ? g_strdup_printf (_("%s; filter %d selected"), description, self->selected + 1)
                           : g_strdup_printf (_("%s; neuron %d selected"), description, self->selected + 1);
      g_free (description);
      description = full;
    }

  bp_accessible_update_description (GTK_ACCESSIBLE (self), &self->description, description);
}

static void
bp_weight_grid_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  BpWeightGrid *self = BP_WEIGHT_GRID (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  BpWeightTilesStyle style;
  GdkRGBA foreground;
  cairo_t *cr;

  if (width <= 0 || height <= 0)
    return;

  if (self->text == NULL)
    {
      self->text = gtk_widget_create_pango_context (widget);
      bp_weight_tiles_set_text_context (self->tiles, self->text);
    }

  bp_weight_tiles_style_init (&style, bp_widget_is_dark (widget, &foreground));
  style.foreground.red = foreground.red;
  style.foreground.green = foreground.green;
  style.foreground.blue = foreground.blue;
  style.foreground.alpha = foreground.alpha;
  style.paint_background = FALSE;
  style.selected = self->selected;
  style.hover = self->hover;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  bp_weight_tiles_draw (self->tiles, cr, width, height, &style);
  cairo_destroy (cr);
  bp_focus_ring_snapshot (widget, snapshot);
}

static void
bp_weight_grid_state_flags_changed (GtkWidget     *widget,
                                    GtkStateFlags  old_flags)
{
  GTK_WIDGET_CLASS (bp_weight_grid_parent_class)->state_flags_changed (widget, old_flags);

  if (bp_focus_ring_changed (widget, old_flags))
    gtk_widget_queue_draw (widget);
}

static void
bp_weight_grid_measure (GtkWidget      *widget,
                        GtkOrientation  orientation,
                        int             for_size,
                        int            *minimum,
                        int            *natural,
                        int            *minimum_baseline,
                        int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 200;
      *natural = 480;
    }
  else
    {
      *minimum = 160;
      *natural = 400;
    }
}

static void
drop_text_context (BpWeightGrid *self)
{
  g_clear_object (&self->text);
  bp_weight_tiles_set_text_context (self->tiles, NULL);
}

static void
bp_weight_grid_css_changed (GtkWidget         *widget,
                            GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (bp_weight_grid_parent_class)->css_changed (widget, change);

  drop_text_context (BP_WEIGHT_GRID (widget));
  gtk_widget_queue_draw (widget);
}

static void
bp_weight_grid_system_setting_changed (GtkWidget       *widget,
                                       GtkSystemSetting setting)
{
  GTK_WIDGET_CLASS (bp_weight_grid_parent_class)->system_setting_changed (widget, setting);

  drop_text_context (BP_WEIGHT_GRID (widget));
  gtk_widget_queue_draw (widget);
}

static void
set_hover (BpWeightGrid *self,
           int           neuron)
{
  if (self->hover == neuron)
    return;

  self->hover = neuron;
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), neuron >= 0 ? "pointer" : NULL);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
motion_cb (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           BpWeightGrid             *self)
{
  GtkWidget *widget = GTK_WIDGET (self);

  set_hover (self, bp_weight_tiles_neuron_at (self->tiles, x, y,
                                              gtk_widget_get_width (widget),
                                              gtk_widget_get_height (widget)));
}

static void
leave_cb (GtkEventControllerMotion *controller,
          BpWeightGrid             *self)
{
  set_hover (self, -1);
}

static void
pressed_cb (GtkGestureClick *gesture,
            int              n_press,
            double           x,
            double           y,
            BpWeightGrid    *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  int neuron;

  neuron = bp_weight_tiles_neuron_at (self->tiles, x, y,
                                      gtk_widget_get_width (widget),
                                      gtk_widget_get_height (widget));
  if (neuron < 0)
    return;

  gtk_widget_grab_focus (widget);
  bp_weight_grid_set_selected (self, neuron);
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  g_signal_emit (self, signals[NEURON_ACTIVATED], 0, (guint) neuron);
}

/* Arrow keys move the selection through the grid as it is laid out; Enter or Space opens it. */
static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                BpWeightGrid          *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  int n = (int) bp_weight_tiles_get_n_neurons (self->tiles);
  int columns;
  int next;

  if (n == 0 || (state & (GDK_CONTROL_MASK | GDK_ALT_MASK)) != 0)
    return FALSE;

  columns = (int) bp_weight_tiles_get_columns (self->tiles,
                                               gtk_widget_get_width (widget),
                                               gtk_widget_get_height (widget));
  columns = MAX (columns, 1);
  next = self->selected;

  switch (keyval)
    {
    case GDK_KEY_Left:
    case GDK_KEY_KP_Left:
      next = self->selected < 0 ? 0 : MAX (self->selected - 1, 0);
      break;

    case GDK_KEY_Right:
    case GDK_KEY_KP_Right:
      next = self->selected < 0 ? 0 : MIN (self->selected + 1, n - 1);
      break;

    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      next = self->selected < 0 ? 0
                                : (self->selected >= columns ? self->selected - columns
                                                             : self->selected);
      break;

    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      next = self->selected < 0 ? 0
                                : (self->selected + columns < n ? self->selected + columns
                                                                : self->selected);
      break;

    case GDK_KEY_Home:
      next = 0;
      break;

    case GDK_KEY_End:
      next = n - 1;
      break;

    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
    case GDK_KEY_space:
    case GDK_KEY_KP_Space:
      if (self->selected < 0 || self->selected >= n)
        bp_weight_grid_set_selected (self, 0);
      g_signal_emit (self, signals[NEURON_ACTIVATED], 0, (guint) self->selected);
      return TRUE;

    default:
      return FALSE;
    }

  bp_weight_grid_set_selected (self, next);

  return TRUE;
}

static void
bp_weight_grid_finalize (GObject *object)
{
  BpWeightGrid *self = BP_WEIGHT_GRID (object);

  g_clear_pointer (&self->tiles, bp_weight_tiles_free);
  g_clear_object (&self->text);
  g_clear_pointer (&self->description, g_free);

  G_OBJECT_CLASS (bp_weight_grid_parent_class)->finalize (object);
}

static void
bp_weight_grid_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  BpWeightGrid *self = BP_WEIGHT_GRID (object);

  switch (prop_id)
    {
    case PROP_SELECTED:
      g_value_set_int (value, self->selected);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bp_weight_grid_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  BpWeightGrid *self = BP_WEIGHT_GRID (object);

  switch (prop_id)
    {
    case PROP_SELECTED:
      bp_weight_grid_set_selected (self, g_value_get_int (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bp_weight_grid_class_init (BpWeightGridClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = bp_weight_grid_finalize;
  object_class->get_property = bp_weight_grid_get_property;
  object_class->set_property = bp_weight_grid_set_property;

  widget_class->snapshot = bp_weight_grid_snapshot;
  widget_class->measure = bp_weight_grid_measure;
  widget_class->css_changed = bp_weight_grid_css_changed;
  widget_class->system_setting_changed = bp_weight_grid_system_setting_changed;
  widget_class->state_flags_changed = bp_weight_grid_state_flags_changed;

  properties[PROP_SELECTED] =
    g_param_spec_int ("selected", NULL, NULL,
                      -1, G_MAXINT, -1,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* BpWeightGrid::neuron-activated:
   * @neuron: the index of the neuron clicked, or chosen with the keyboard */
  signals[NEURON_ACTIVATED] =
    g_signal_new ("neuron-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 1, G_TYPE_UINT);

  gtk_widget_class_set_css_name (widget_class, "weightgrid");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
bp_weight_grid_init (BpWeightGrid *self)
{
  GtkEventController *motion;
  GtkEventController *key;
  GtkGesture *click;

  self->tiles = bp_weight_tiles_new ();
  self->selected = -1;
  self->hover = -1;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);

  motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "enter", G_CALLBACK (motion_cb), self);
  g_signal_connect (motion, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect (motion, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect (click, "pressed", G_CALLBACK (pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  key = gtk_event_controller_key_new ();
  g_signal_connect (key, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), key);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Weights"),
                                  -1);
  update_description (self);
}

GtkWidget *
bp_weight_grid_new (void)
{
  return g_object_new (BP_TYPE_WEIGHT_GRID, NULL);
}

void
bp_weight_grid_set_weights (BpWeightGrid *self,
                            const float  *w,
                            guint         n_neurons,
                            guint         n_inputs,
                            guint         image_rows,
                            guint         image_cols)
{
  g_return_if_fail (BP_IS_WEIGHT_GRID (self));
  g_return_if_fail (w != NULL || n_neurons == 0 || n_inputs == 0);
  g_return_if_fail ((guint64) image_rows * image_cols == n_inputs);

  bp_weight_tiles_set_weights (self->tiles, w, n_neurons, n_inputs, image_rows, image_cols);
  if (self->hover >= (int) n_neurons)
    set_hover (self, -1);
  update_description (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
bp_weight_grid_set_limit (BpWeightGrid *self,
                          double        limit)
{
  g_return_if_fail (BP_IS_WEIGHT_GRID (self));

  /* Takes effect with the next set_weights(): the pictures are coloured there. */
  bp_weight_tiles_set_limit (self->tiles, limit);
}

double
bp_weight_grid_get_limit (BpWeightGrid *self)
{
  g_return_val_if_fail (BP_IS_WEIGHT_GRID (self), 1.0);

  return bp_weight_tiles_get_limit (self->tiles);
}

guint
bp_weight_grid_get_n_neurons (BpWeightGrid *self)
{
  g_return_val_if_fail (BP_IS_WEIGHT_GRID (self), 0);

  return bp_weight_tiles_get_n_neurons (self->tiles);
}

void
bp_weight_grid_set_selected (BpWeightGrid *self,
                             int           neuron)
{
  g_return_if_fail (BP_IS_WEIGHT_GRID (self));

  neuron = MAX (neuron, -1);
  if (self->selected == neuron)
    return;

  self->selected = neuron;
  update_description (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED]);
}

int
bp_weight_grid_get_selected (BpWeightGrid *self)
{
  g_return_val_if_fail (BP_IS_WEIGHT_GRID (self), -1);

  return self->selected;
}

void
bp_weight_grid_draw (BpWeightGrid *self,
                     cairo_t      *cr,
                     int           width,
                     int           height,
                     gboolean      dark)
{
  BpWeightTilesStyle style;

  g_return_if_fail (BP_IS_WEIGHT_GRID (self));
  g_return_if_fail (cr != NULL);

  bp_weight_tiles_style_init (&style, dark);
  style.selected = self->selected;
  bp_weight_tiles_draw (self->tiles, cr, width, height, &style);
}

int
bp_weight_grid_neuron_at (BpWeightGrid *self,
                          double        x,
                          double        y,
                          int           width,
                          int           height)
{
  g_return_val_if_fail (BP_IS_WEIGHT_GRID (self), -1);

  return bp_weight_tiles_neuron_at (self->tiles, x, y, width, height);
}

void
bp_weight_grid_set_filters (BpWeightGrid *self,
                            gboolean      filters)
{
  g_return_if_fail (BP_IS_WEIGHT_GRID (self));

  if (self->filters == !!filters)
    return;
  self->filters = !!filters;
  update_description (self);
}
