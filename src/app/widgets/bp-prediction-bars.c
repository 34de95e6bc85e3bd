/* bp-prediction-bars.c — BpPredictionBars, the network's ten outputs as bars, the top guess large
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The caption says what the numbers are: a softmax output gives probabilities that sum to 1,
 * while the book's sigmoid outputs are ten independent activations whose sum means nothing, so
 * calling those "probabilities" would teach something false.
 *
 * For assistive technology the widget is a status whose name is the guess ("Prediction: 7,
 * 98% sure; next: 1, 1%") and whose description lists the ten outputs, so that a screen reader
 * can say what the network thinks of the digit being drawn.
 */
#include "config.h"

#include "bp-prediction-bars.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "bp-focus-ring.h"
#include "bp-text.h"
#include "bp-widget-utils.h"

#define MAX_OUTPUTS 16
#define HEADER      64.0
#define ROW         19.0

struct _BpPredictionBars
{
  GtkWidget parent_instance;

  float    outputs[MAX_OUTPUTS];
  guint    n;
  gboolean probabilities;
  char    *label;       /* the accessible label and description last set */
  char    *description;
};

G_DEFINE_FINAL_TYPE (BpPredictionBars, bp_prediction_bars, GTK_TYPE_WIDGET)

/* The top output's index and the runner-up's (-1 when there is none). */
static void
top_two (BpPredictionBars *self,
         int              *first,
         int              *second)
{
  *first = *second = -1;
  for (guint i = 0; i < self->n; i++)
    {
      if (*first < 0 || self->outputs[i] > self->outputs[*first])
        {
          *second = *first;
          *first = (int) i;
        }
      else if (*second < 0 || self->outputs[i] > self->outputs[*second])
        *second = (int) i;
    }
}

/* Predictions arrive once per frame while a digit is drawn: the strings are short, and the
 * accessible properties (which a screen reader may announce) are set only when the rounded
 * numbers they show have changed. */
static void
update_accessible (BpPredictionBars *self)
{
  g_autofree char *label = NULL;
  g_autoptr(GString) description = NULL;
  int first, second;

  top_two (self, &first, &second);
  if (first < 0)
    {
      label = g_strdup (_("No prediction: draw a digit"));
      description = g_string_new (_("The network’s outputs appear here when it has a digit to read."));
    }
  else
    {
      double top = self->outputs[first];

      if (self->probabilities && second >= 0)
        /* Translators: the network's guess for a drawn digit and its runner-up, with their
         * softmax probabilities, for screen readers. */
        label = g_strdup_printf (_("Prediction: %d, %.0f%% sure; next: %d, %.0f%%"),
                                 first, 100.0 * top, second, 100.0 * self->outputs[second]);
      else if (self->probabilities)
        label = g_strdup_printf (_("Prediction: %d, %.0f%% sure"), first, 100.0 * top);
      else if (second >= 0)
        /* Translators: the guess and its runner-up with their sigmoid outputs (0 … 1), which
         * are not probabilities. */
        label = g_strdup_printf (_("Prediction: %d, output %.2f; next: %d, output %.2f"),
                                 first, top, second, self->outputs[second]);
      else
        label = g_strdup_printf (_("Prediction: %d, output %.2f"), first, top);

      description = g_string_new (self->probabilities
                                  ? _("Softmax probabilities:")
                                  : _("Sigmoid activations, not probabilities:"));
      for (guint i = 0; i < self->n; i++)
        {
          g_string_append (description, i == 0 ? " " : "; ");
          if (self->probabilities)
            /* Translators: one output in the list of all ten: "7: 98.2%" */
            g_string_append_printf (description, _("%u: %.1f%%"), i, 100.0 * self->outputs[i]);
          else
            g_string_append_printf (description, "%u: %.3f", i, self->outputs[i]);
        }
    }

  if (g_strcmp0 (label, self->label) != 0)
    {
      gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                      -1);
      g_free (self->label);
      self->label = g_steal_pointer (&label);
    }
  bp_accessible_update_description (GTK_ACCESSIBLE (self), &self->description, description->str);
}

GtkWidget *
bp_prediction_bars_new (void)
{
  return g_object_new (BP_TYPE_PREDICTION_BARS, NULL);
}

void
bp_prediction_bars_set_outputs (BpPredictionBars *self,
                                const float      *outputs,
                                guint             n,
                                gboolean          probabilities)
{
  float clean[MAX_OUTPUTS];

  g_return_if_fail (BP_IS_PREDICTION_BARS (self));

  n = outputs != NULL ? MIN (n, MAX_OUTPUTS) : 0;
  for (guint i = 0; i < n; i++)
    clean[i] = isfinite (outputs[i]) ? outputs[i] : 0.0f;
  /* The view asks again on every new weight snapshot; an unchanged answer costs nothing. */
  if (n == self->n && !probabilities == !self->probabilities
      && memcmp (clean, self->outputs, n * sizeof (float)) == 0)
    return;
  self->n = n;
  memcpy (self->outputs, clean, n * sizeof (float));
  self->probabilities = probabilities;
  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

int
bp_prediction_bars_get_top (BpPredictionBars *self)
{
  int top = -1;

  g_return_val_if_fail (BP_IS_PREDICTION_BARS (self), -1);

  for (guint i = 0; i < self->n; i++)
    if (top < 0 || self->outputs[i] > self->outputs[top])
      top = (int) i;
  return top;
}

void
bp_prediction_bars_draw (BpPredictionBars *self,
                         cairo_t          *cr,
                         PangoContext     *context,
                         int               width,
                         int               height,
                         gboolean          dark)
{
  PangoContext *own_context = NULL;
  double fg = dark ? 1.0 : 0.0;
  /* libadwaita's accent blue; its dark-style variant is lighter to keep the contrast. */
  double accent[3] = { dark ? 0.471 : 0.208, dark ? 0.682 : 0.518, dark ? 0.929 : 0.894 };
  int top = bp_prediction_bars_get_top (self);
  const guint n = self->n > 0 ? self->n : 10;
  double label_w = 18.0, value_w = 54.0, bar_x, bar_w, row;

  g_return_if_fail (BP_IS_PREDICTION_BARS (self));

  if (context == NULL)
    context = own_context = bp_text_default_context_new ();

  /* The guess, large, and what the numbers are. */
  {
    g_autoptr(PangoLayout) big = bp_text_layout_new (context, top >= 0 ? "" : "–", 4.0, TRUE);
    g_autoptr(PangoLayout) caption = NULL;
    g_autofree char *digit = NULL;
    g_autofree char *what = NULL;

    if (top >= 0)
      {
        digit = g_strdup_printf ("%d", top);
        pango_layout_set_text (big, digit, -1);
        if (self->probabilities)
          what = g_strdup_printf (_("%.0f%% probability\n(softmax outputs)"),
                                  100.0 * self->outputs[top]);
        else
          what = g_strdup_printf (_("output %.2f\n(sigmoid activations, not probabilities)"),
                                  self->outputs[top]);
      }
    else
      what = g_strdup (_("Draw a digit"));
    caption = bp_text_layout_new (context, what, 1.0, FALSE);
    pango_layout_set_width (caption, (int) ((width - 70.0) * PANGO_SCALE));
    pango_layout_set_wrap (caption, PANGO_WRAP_WORD_CHAR);

    cairo_set_source_rgb (cr, fg, fg, fg);
    bp_text_draw (cr, big, 30.0, HEADER / 2.0, 0.5, 0.5);
    cairo_set_source_rgba (cr, fg, fg, fg, 0.7);
    bp_text_draw (cr, caption, 66.0, HEADER / 2.0, 0.0, 0.5);
  }

  /* One row per output. */
  row = MIN (ROW, (height - HEADER) / n);
  bar_x = label_w + 6.0;
  bar_w = MAX (width - bar_x - value_w - 6.0, 10.0);
  for (guint i = 0; i < n; i++)
    {
      double y = HEADER + i * row;
      double value = self->n > 0 ? self->outputs[i] : 0.0;
      char label[8];
      g_autofree char *number = NULL;
      g_autoptr(PangoLayout) label_layout = NULL;
      g_autoptr(PangoLayout) value_layout = NULL;

      g_snprintf (label, sizeof label, "%u", i);
      label_layout = bp_text_layout_new (context, label, 1.0, (int) i == top);
      cairo_set_source_rgb (cr, fg, fg, fg);
      bp_text_draw (cr, label_layout, label_w, y + row / 2.0, 1.0, 0.5);

      /* The track, then the bar over it. */
      cairo_set_source_rgba (cr, fg, fg, fg, 0.08);
      cairo_rectangle (cr, bar_x, y + 3.0, bar_w, row - 6.0);
      cairo_fill (cr);
      if ((int) i == top)
        cairo_set_source_rgb (cr, accent[0], accent[1], accent[2]);
      else
        cairo_set_source_rgba (cr, fg, fg, fg, 0.45);
      cairo_rectangle (cr, bar_x, y + 3.0, bar_w * CLAMP (value, 0.0, 1.0), row - 6.0);
      cairo_fill (cr);

      if (self->n > 0)
        {
          number = self->probabilities ? g_strdup_printf ("%.1f%%", 100.0 * value)
                                       : g_strdup_printf ("%.3f", value);
          value_layout = bp_text_layout_new (context, number, 1.0, FALSE);
          cairo_set_source_rgba (cr, fg, fg, fg, 0.8);
          bp_text_draw (cr, value_layout, width, y + row / 2.0, 1.0, 0.5);
        }
    }
  g_clear_object (&own_context);
}

static void
bp_prediction_bars_snapshot (GtkWidget   *widget,
                             GtkSnapshot *snapshot)
{
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  cairo_t *cr;

  if (width <= 0 || height <= 0)
    return;
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  bp_prediction_bars_draw (BP_PREDICTION_BARS (widget), cr, gtk_widget_get_pango_context (widget),
                           width, height, bp_widget_is_dark (widget, NULL));
  cairo_destroy (cr);
  bp_focus_ring_snapshot (widget, snapshot);
}

static void
bp_prediction_bars_state_flags_changed (GtkWidget     *widget,
                                        GtkStateFlags  old_flags)
{
  GTK_WIDGET_CLASS (bp_prediction_bars_parent_class)->state_flags_changed (widget, old_flags);

  if (bp_focus_ring_changed (widget, old_flags))
    gtk_widget_queue_draw (widget);
}

static void
bp_prediction_bars_finalize (GObject *object)
{
  BpPredictionBars *self = BP_PREDICTION_BARS (object);

  g_clear_pointer (&self->label, g_free);
  g_clear_pointer (&self->description, g_free);

  G_OBJECT_CLASS (bp_prediction_bars_parent_class)->finalize (object);
}

static void
bp_prediction_bars_measure (GtkWidget      *widget,
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
      *natural = 260;
    }
  else
    {
      *minimum = (int) (HEADER + 10 * 14.0);
      *natural = (int) (HEADER + 10 * ROW);
    }
}

static void
bp_prediction_bars_class_init (BpPredictionBarsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = bp_prediction_bars_finalize;
  widget_class->snapshot = bp_prediction_bars_snapshot;
  widget_class->measure = bp_prediction_bars_measure;
  widget_class->state_flags_changed = bp_prediction_bars_state_flags_changed;
  gtk_widget_class_set_css_name (widget_class, "predictionbars");
  /* A status (AT-SPI's status bar): advisory information that changes as the user works, the
   * closest GTK 4.8 has to a live region. */
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_STATUS);
}

static void
bp_prediction_bars_init (BpPredictionBars *self)
{
  /* Focusable, so that Tab from the pad reaches the guess and a screen reader reads it out. */
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  update_accessible (self);
}
