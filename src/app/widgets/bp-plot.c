/* bp-plot.c — BpPlot, a live line chart of training curves drawn with Cairo
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The widget owns a BpChart (the points and the drawing) and adds what needs GTK: the style's
 * colours and font, the hover read-out and the accessible description.
 */
#include "config.h"

#include "bp-plot.h"

#include <glib/gi18n-lib.h>

#include "bp-chart.h"
#include "bp-focus-ring.h"
#include "bp-widget-utils.h"

/* Appends arrive up to a few hundred times a second; the accessible description (which a
 * screen reader may announce) follows them at most this often. */
#define A11Y_UPDATE_MS 500

struct _BpPlot
{
  GtkWidget     parent_instance;

  BpChart      *chart;
  PangoContext *text; /* the widget's font, made on first draw, dropped when the style changes */
  gboolean      hover;
  double        hover_x;
  double        hover_y;
  guint         a11y_source;
  char         *description; /* the accessible description last set */
  GPtrArray    *tooltips;    /* char *, or NULL: the legend's tooltip of each live series */
};

G_DEFINE_FINAL_TYPE (BpPlot, bp_plot, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_TITLE,
  PROP_X_LABEL,
  PROP_Y_LABEL,
  PROP_LOG_Y,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The latest point of each live series and the number of pinned runs: "Training: 0.951 at
 * epoch 3.0; Validation: 0.9541 at epoch 3.0; 1 pinned run". */
static void
update_description (BpPlot *self)
{
  g_autofree char *latest = bp_chart_describe_latest (self->chart);
  g_autofree char *description = NULL;
  guint n_pins = bp_chart_get_n_pins (self->chart);

  if (latest == NULL)
    latest = g_strdup (_("No data yet"));
  if (n_pins > 0)
    {
      g_autofree char *pins = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "%u pinned run",
                                                            "%u pinned runs", n_pins),
                                               n_pins);

      /* Translators: the latest values of the curves, then the number of pinned runs. */
      description = g_strdup_printf (_("%s; %s"), latest, pins);
    }
  else
    description = g_steal_pointer (&latest);

  bp_accessible_update_description (GTK_ACCESSIBLE (self), &self->description, description);
}

static gboolean
update_description_cb (gpointer data)
{
  BpPlot *self = data;

  self->a11y_source = 0;
  update_description (self);

  return G_SOURCE_REMOVE;
}

static void
data_changed (BpPlot *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));

  if (self->a11y_source == 0)
    self->a11y_source = g_timeout_add (A11Y_UPDATE_MS, update_description_cb, self);
}

static void
update_label (BpPlot *self)
{
  const char *title = bp_chart_get_title (self->chart);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  title != NULL ? title : _("Chart"),
                                  -1);
}

static void
drop_text_context (BpPlot *self)
{
  g_clear_object (&self->text);
  bp_chart_set_text_context (self->chart, NULL);
}

static void
color_from_rgba (BpChartColor  *color,
                 const GdkRGBA *rgba)
{
  color->red = rgba->red;
  color->green = rgba->green;
  color->blue = rgba->blue;
  color->alpha = rgba->alpha;
}

static void
bp_plot_snapshot (GtkWidget   *widget,
                  GtkSnapshot *snapshot)
{
  BpPlot *self = BP_PLOT (widget);
  GtkStyleContext *context = gtk_widget_get_style_context (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  BpChartStyle style;
  GdkRGBA foreground, background;
  cairo_t *cr;

  if (width <= 0 || height <= 0)
    return;

  if (self->text == NULL)
    {
      self->text = gtk_widget_create_pango_context (widget);
      bp_chart_set_text_context (self->chart, self->text);
    }

  /* The CSS draws the widget's own background, if any; the chart only needs to know it for
   * the read-out's box and the ring around the hovered point. */
  bp_chart_style_init (&style, bp_widget_is_dark (widget, &foreground));
  color_from_rgba (&style.foreground, &foreground);
  if (gtk_style_context_lookup_color (context, "view_bg_color", &background))
    color_from_rgba (&style.background, &background);
  style.paint_background = FALSE;
  style.hover = self->hover;
  style.hover_x = self->hover_x;
  style.hover_y = self->hover_y;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  bp_chart_draw (self->chart, cr, width, height, &style);
  cairo_destroy (cr);
  bp_focus_ring_snapshot (widget, snapshot);
}

static void
bp_plot_state_flags_changed (GtkWidget     *widget,
                             GtkStateFlags  old_flags)
{
  GTK_WIDGET_CLASS (bp_plot_parent_class)->state_flags_changed (widget, old_flags);

  if (bp_focus_ring_changed (widget, old_flags))
    gtk_widget_queue_draw (widget);
}

static void
bp_plot_measure (GtkWidget      *widget,
                 GtkOrientation  orientation,
                 int             for_size,
                 int            *minimum,
                 int            *natural,
                 int            *minimum_baseline,
                 int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 240;
      *natural = 480;
    }
  else
    {
      *minimum = 160;
      *natural = 300;
    }
}

static void
bp_plot_css_changed (GtkWidget         *widget,
                     GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (bp_plot_parent_class)->css_changed (widget, change);

  /* The font may have changed with the style. */
  drop_text_context (BP_PLOT (widget));
  gtk_widget_queue_draw (widget);
}

static void
bp_plot_system_setting_changed (GtkWidget       *widget,
                                GtkSystemSetting setting)
{
  GTK_WIDGET_CLASS (bp_plot_parent_class)->system_setting_changed (widget, setting);

  /* Font, resolution (text scale) and font rendering settings. */
  drop_text_context (BP_PLOT (widget));
  gtk_widget_queue_draw (widget);
}

static void
motion_cb (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           BpPlot                   *self)
{
  self->hover = TRUE;
  self->hover_x = x;
  self->hover_y = y;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
leave_cb (GtkEventControllerMotion *controller,
          BpPlot                   *self)
{
  self->hover = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
bp_plot_dispose (GObject *object)
{
  BpPlot *self = BP_PLOT (object);

  g_clear_handle_id (&self->a11y_source, g_source_remove);

  G_OBJECT_CLASS (bp_plot_parent_class)->dispose (object);
}

static void
bp_plot_finalize (GObject *object)
{
  BpPlot *self = BP_PLOT (object);

  g_clear_pointer (&self->chart, bp_chart_free);
  g_clear_object (&self->text);
  g_clear_pointer (&self->description, g_free);
  g_clear_pointer (&self->tooltips, g_ptr_array_unref);

  G_OBJECT_CLASS (bp_plot_parent_class)->finalize (object);
}

static void
bp_plot_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  BpPlot *self = BP_PLOT (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, bp_chart_get_title (self->chart));
      break;

    case PROP_X_LABEL:
      g_value_set_string (value, bp_chart_get_x_label (self->chart));
      break;

    case PROP_Y_LABEL:
      g_value_set_string (value, bp_chart_get_y_label (self->chart));
      break;

    case PROP_LOG_Y:
      g_value_set_boolean (value, bp_chart_get_log_y (self->chart));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bp_plot_set_property (GObject      *object,
                      guint         prop_id,
                      const GValue *value,
                      GParamSpec   *pspec)
{
  BpPlot *self = BP_PLOT (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      bp_plot_set_title (self, g_value_get_string (value));
      break;

    case PROP_X_LABEL:
      bp_plot_set_x_label (self, g_value_get_string (value));
      break;

    case PROP_Y_LABEL:
      bp_plot_set_y_label (self, g_value_get_string (value));
      break;

    case PROP_LOG_Y:
      bp_plot_set_log_y (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bp_plot_class_init (BpPlotClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bp_plot_dispose;
  object_class->finalize = bp_plot_finalize;
  object_class->get_property = bp_plot_get_property;
  object_class->set_property = bp_plot_set_property;

  widget_class->snapshot = bp_plot_snapshot;
  widget_class->measure = bp_plot_measure;
  widget_class->css_changed = bp_plot_css_changed;
  widget_class->system_setting_changed = bp_plot_system_setting_changed;
  widget_class->state_flags_changed = bp_plot_state_flags_changed;

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_X_LABEL] =
    g_param_spec_string ("x-label", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_Y_LABEL] =
    g_param_spec_string ("y-label", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOG_Y] =
    g_param_spec_boolean ("log-y", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "plot");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

/* A legend entry that has a tooltip explains its series. */
static gboolean
query_tooltip_cb (GtkWidget  *widget,
                  int         x,
                  int         y,
                  gboolean    keyboard,
                  GtkTooltip *tooltip)
{
  const char *text;

  if (keyboard)
    return FALSE;
  text = bp_plot_get_tooltip_at (BP_PLOT (widget), x, y, gtk_widget_get_width (widget));
  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
bp_plot_init (BpPlot *self)
{
  GtkEventController *motion;

  self->chart = bp_chart_new ();
  self->tooltips = g_ptr_array_new_with_free_func (g_free);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (query_tooltip_cb), NULL);

  motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "enter", G_CALLBACK (motion_cb), self);
  g_signal_connect (motion, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect (motion, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  /* Focusable, so that Tab reaches the curves and a screen reader reads their latest values. */
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  update_label (self);
  update_description (self);
}

GtkWidget *
bp_plot_new (void)
{
  return g_object_new (BP_TYPE_PLOT, NULL);
}

void
bp_plot_set_title (BpPlot     *self,
                   const char *title)
{
  g_return_if_fail (BP_IS_PLOT (self));

  if (g_strcmp0 (bp_chart_get_title (self->chart), title) == 0)
    return;

  bp_chart_set_title (self->chart, title);
  update_label (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

const char *
bp_plot_get_title (BpPlot *self)
{
  g_return_val_if_fail (BP_IS_PLOT (self), NULL);

  return bp_chart_get_title (self->chart);
}

void
bp_plot_set_x_label (BpPlot     *self,
                     const char *label)
{
  g_return_if_fail (BP_IS_PLOT (self));

  if (g_strcmp0 (bp_chart_get_x_label (self->chart), label) == 0)
    return;

  bp_chart_set_x_label (self->chart, label);
  /* The description names the x axis ("at epoch 12.0"). */
  data_changed (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_X_LABEL]);
}

const char *
bp_plot_get_x_label (BpPlot *self)
{
  g_return_val_if_fail (BP_IS_PLOT (self), NULL);

  return bp_chart_get_x_label (self->chart);
}

void
bp_plot_set_y_label (BpPlot     *self,
                     const char *label)
{
  g_return_if_fail (BP_IS_PLOT (self));

  if (g_strcmp0 (bp_chart_get_y_label (self->chart), label) == 0)
    return;

  bp_chart_set_y_label (self->chart, label);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_Y_LABEL]);
}

const char *
bp_plot_get_y_label (BpPlot *self)
{
  g_return_val_if_fail (BP_IS_PLOT (self), NULL);

  return bp_chart_get_y_label (self->chart);
}

void
bp_plot_set_log_y (BpPlot  *self,
                   gboolean log_y)
{
  g_return_if_fail (BP_IS_PLOT (self));

  log_y = !!log_y;
  if (bp_chart_get_log_y (self->chart) == log_y)
    return;

  bp_chart_set_log_y (self->chart, log_y);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOG_Y]);
}

gboolean
bp_plot_get_log_y (BpPlot *self)
{
  g_return_val_if_fail (BP_IS_PLOT (self), FALSE);

  return bp_chart_get_log_y (self->chart);
}

void
bp_plot_set_y_range (BpPlot *self,
                     double  min,
                     double  max)
{
  g_return_if_fail (BP_IS_PLOT (self));

  bp_chart_set_y_range (self->chart, min, max);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
bp_plot_add_series (BpPlot     *self,
                    const char *name,
                    guint       color_index)
{
  guint id;

  g_return_val_if_fail (BP_IS_PLOT (self), 0);

  id = bp_chart_add_series (self->chart, name, color_index);
  g_ptr_array_set_size (self->tooltips, bp_chart_get_n_series (self->chart));
  gtk_widget_queue_draw (GTK_WIDGET (self));

  return id;
}

void
bp_plot_append (BpPlot *self,
                guint   series,
                double  x,
                double  y)
{
  g_return_if_fail (BP_IS_PLOT (self));
  g_return_if_fail (series < bp_chart_get_n_series (self->chart));

  if (bp_chart_append (self->chart, series, x, y))
    data_changed (self);
}

void
bp_plot_clear (BpPlot *self)
{
  g_return_if_fail (BP_IS_PLOT (self));

  bp_chart_clear (self->chart);
  data_changed (self);
}

void
bp_plot_pin_run (BpPlot     *self,
                 const char *label)
{
  g_return_if_fail (BP_IS_PLOT (self));

  if (bp_chart_pin_run (self->chart, label))
    data_changed (self);
}

void
bp_plot_clear_pins (BpPlot *self)
{
  g_return_if_fail (BP_IS_PLOT (self));

  bp_chart_clear_pins (self->chart);
  data_changed (self);
}

void
bp_plot_remove_series (BpPlot *self)
{
  g_return_if_fail (BP_IS_PLOT (self));

  bp_chart_remove_series (self->chart);
  g_ptr_array_set_size (self->tooltips, 0);
  data_changed (self);
}

void
bp_plot_add_mark (BpPlot     *self,
                  double      x,
                  const char *label)
{
  g_return_if_fail (BP_IS_PLOT (self));

  bp_chart_add_mark (self->chart, x, label);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
bp_plot_clear_marks (BpPlot *self)
{
  g_return_if_fail (BP_IS_PLOT (self));

  bp_chart_clear_marks (self->chart);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
bp_plot_set_series_tooltip (BpPlot     *self,
                            guint       series,
                            const char *tooltip)
{
  g_return_if_fail (BP_IS_PLOT (self));
  g_return_if_fail (series < self->tooltips->len);

  g_free (g_ptr_array_index (self->tooltips, series));
  g_ptr_array_index (self->tooltips, series) = g_strdup (tooltip);
}

const char *
bp_plot_get_tooltip_at (BpPlot *self,
                        double  x,
                        double  y,
                        int     width)
{
  int item;

  g_return_val_if_fail (BP_IS_PLOT (self), NULL);

  item = bp_chart_legend_item_at (self->chart, x, y, width);
  if (item < 0 || (guint) item >= self->tooltips->len)
    return NULL;
  return g_ptr_array_index (self->tooltips, item);
}


guint
bp_plot_get_n_series (BpPlot *self)
{
  g_return_val_if_fail (BP_IS_PLOT (self), 0);

  return bp_chart_get_n_series (self->chart);
}

guint
bp_plot_get_n_pins (BpPlot *self)
{
  g_return_val_if_fail (BP_IS_PLOT (self), 0);

  return bp_chart_get_n_pins (self->chart);
}

guint
bp_plot_get_n_points (BpPlot *self,
                      guint   series)
{
  g_return_val_if_fail (BP_IS_PLOT (self), 0);
  g_return_val_if_fail (series < bp_chart_get_n_series (self->chart), 0);

  return bp_chart_get_n_points (self->chart, series);
}

void
bp_plot_draw (BpPlot  *self,
              cairo_t *cr,
              int      width,
              int      height,
              gboolean dark)
{
  BpChartStyle style;

  g_return_if_fail (BP_IS_PLOT (self));
  g_return_if_fail (cr != NULL);

  bp_chart_style_init (&style, dark);
  bp_chart_draw (self->chart, cr, width, height, &style);
}

char *
bp_plot_describe_nearest (BpPlot *self,
                          double  x,
                          double  y,
                          int     width,
                          int     height)
{
  g_return_val_if_fail (BP_IS_PLOT (self), NULL);

  return bp_chart_describe_nearest (self->chart, x, y, width, height);
}
