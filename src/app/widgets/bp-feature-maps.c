/* bp-feature-maps.c — BpFeatureMaps, a convolutional network's feature maps: one small greyscale
 * picture per channel of each conv and pool layer
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Layout, for a width: each layer is its caption (wrapped to the width) and a grid of square
 * cells, one per channel, as many to a row as fit at a cell of at least twice the map's side in
 * pixels (and MIN_CELL), the row then shared out evenly up to MAX_CELL. Every map pixel stays a
 * sharp square (nearest-neighbour scaling): these are the numbers the next layer reads.
 */
#include "config.h"

#include "bp-feature-maps.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "bp-text.h"
#include "bp-widget-utils.h"

#define MAX_LAYERS   8
#define MIN_CELL     30.0
#define MAX_CELL     72.0
#define CELL_GAP     4.0
#define CAPTION_GAP  4.0
#define LAYER_GAP    12.0

typedef struct
{
  char   *caption;
  char   *name;
  guint   channels, height, width;
  float  *values;
  guint8 *grey;      /* (channels, height, width) grey levels */
  float   lo, hi;
  /* Layout for laid_w */
  double  caption_y, caption_h, grid_y, cell;
  guint   cols, rows;
} Layer;

struct _BpFeatureMaps
{
  GtkWidget     parent_instance;

  Layer         layers[MAX_LAYERS];
  guint         n_layers;

  int           laid_w;
  double        laid_h;
  PangoContext *text;
  char         *description;
};

G_DEFINE_FINAL_TYPE (BpFeatureMaps, bp_feature_maps, GTK_TYPE_WIDGET)

GtkWidget *
bp_feature_maps_new (void)
{
  return g_object_new (BP_TYPE_FEATURE_MAPS, NULL);
}

/* ── Layout ───────────────────────────────────────────────────────────────────────────────── */

static PangoContext *
text_context (BpFeatureMaps *self)
{
  if (self->text == NULL)
    self->text = gtk_widget_get_realized (GTK_WIDGET (self))
                   ? gtk_widget_create_pango_context (GTK_WIDGET (self))
                   : bp_text_default_context_new ();
  return self->text;
}

static PangoLayout *
caption_layout (BpFeatureMaps *self,
                const Layer   *layer,
                int            width)
{
  PangoLayout *layout = bp_text_layout_new (text_context (self), layer->caption, 0.9, FALSE);

  pango_layout_set_width (layout, MAX (1, width) * PANGO_SCALE);
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  return layout;
}

static void
layout (BpFeatureMaps *self,
        int            width)
{
  double y = 0.0;

  for (guint l = 0; l < self->n_layers; l++)
    {
      Layer *layer = &self->layers[l];
      double side = MAX (layer->height, layer->width);
      double min_cell = MAX (MIN_CELL, 2.0 * side);
      guint cols;

      if (l > 0)
        y += LAYER_GAP;
      layer->caption_y = y;
      if (layer->caption != NULL && layer->caption[0] != '\0')
        {
          g_autoptr(PangoLayout) text = caption_layout (self, layer, width);
          double tw;

          bp_text_size (text, &tw, &layer->caption_h);
          y += layer->caption_h + CAPTION_GAP;
        }
      else
        layer->caption_h = 0.0;

      cols = (guint) MAX (1.0, floor ((width + CELL_GAP) / (min_cell + CELL_GAP)));
      cols = MIN (cols, MAX (layer->channels, 1));
      layer->cols = cols;
      layer->rows = (layer->channels + cols - 1) / cols;
      layer->cell = MIN (MAX_CELL, floor ((width - (cols - 1) * CELL_GAP) / cols));
      layer->cell = MAX (layer->cell, 1.0);
      layer->grid_y = y;
      y += layer->rows * layer->cell + (layer->rows > 0 ? (layer->rows - 1) * CELL_GAP : 0.0);
    }
  self->laid_w = width;
  self->laid_h = ceil (y);
}

static void
ensure_layout (BpFeatureMaps *self,
               int            width)
{
  if (self->laid_w != width)
    layout (self, width);
}

static void
invalidate (BpFeatureMaps *self)
{
  self->laid_w = -1;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

static void
cell_origin (const Layer *layer,
             guint        channel,
             double      *x,
             double      *y)
{
  *x = (channel % layer->cols) * (layer->cell + CELL_GAP);
  *y = layer->grid_y + (channel / layer->cols) * (layer->cell + CELL_GAP);
}

int
bp_feature_maps_height_for_width (BpFeatureMaps *self,
                                  int            width)
{
  g_return_val_if_fail (BP_IS_FEATURE_MAPS (self), 0);

  ensure_layout (self, MAX (width, 1));
  return (int) self->laid_h;
}

int
bp_feature_maps_map_at (BpFeatureMaps *self,
                        double         x,
                        double         y,
                        int            width,
                        guint         *layer)
{
  g_return_val_if_fail (BP_IS_FEATURE_MAPS (self), -1);

  ensure_layout (self, MAX (width, 1));
  for (guint l = 0; l < self->n_layers; l++)
    {
      const Layer *lay = &self->layers[l];
      double pitch = lay->cell + CELL_GAP;
      double cx, cy;
      guint col, row, channel;

      if (y < lay->grid_y || x < 0)
        continue;
      col = (guint) (x / pitch);
      row = (guint) ((y - lay->grid_y) / pitch);
      if (col >= lay->cols || row >= lay->rows)
        continue;
      channel = row * lay->cols + col;
      if (channel >= lay->channels)
        continue;
      cell_origin (lay, channel, &cx, &cy);
      if (x >= cx + lay->cell || y >= cy + lay->cell)
        return -1;
      if (layer != NULL)
        *layer = l;
      return (int) channel;
    }
  return -1;
}

/* ── Drawing ──────────────────────────────────────────────────────────────────────────────── */

static void
draw_map (cairo_t     *cr,
          const Layer *layer,
          guint        channel,
          double       x,
          double       y)
{
  guint h = layer->height, w = layer->width;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) w, (int) h);
  const guint8 *grey = layer->grey + (gsize) channel * h * w;
  double scale = layer->cell / MAX (h, w);
  guint8 *data;
  int stride;

  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (guint r = 0; r < h; r++)
    for (guint c = 0; c < w; c++)
      {
        guint32 g = grey[r * w + c];

        ((guint32 *) (gpointer) (data + r * (gsize) stride))[c] = 0xff000000u | g << 16 | g << 8 | g;
      }
  cairo_surface_mark_dirty (surface);
  cairo_save (cr);
  cairo_translate (cr, x, y);
  cairo_scale (cr, scale, scale);
  cairo_set_source_surface (cr, surface, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
  cairo_rectangle (cr, 0, 0, w, h);
  cairo_fill (cr);
  cairo_restore (cr);
  cairo_surface_destroy (surface);
}

void
bp_feature_maps_draw (BpFeatureMaps *self,
                      cairo_t       *cr,
                      int            width,
                      gboolean       dark)
{
  GdkRGBA fg = dark ? (GdkRGBA) { 1, 1, 1, 1 } : (GdkRGBA) { 0, 0, 0, 0.8f };

  g_return_if_fail (BP_IS_FEATURE_MAPS (self));

  ensure_layout (self, MAX (width, 1));
  for (guint l = 0; l < self->n_layers; l++)
    {
      const Layer *layer = &self->layers[l];

      if (layer->caption_h > 0)
        {
          g_autoptr(PangoLayout) text = caption_layout (self, layer, width);

          cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, fg.alpha * 0.8);
          bp_text_draw (cr, text, 0, layer->caption_y, 0.0, 0.0);
        }
      for (guint c = 0; c < layer->channels; c++)
        {
          double x, y;

          cell_origin (layer, c, &x, &y);
          draw_map (cr, layer, c, x, y);
          /* A thin frame: a black map would vanish into the dark style's background. */
          cairo_rectangle (cr, x - 0.5, y - 0.5, layer->cell + 1.0, layer->cell + 1.0);
          cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.25);
          cairo_set_line_width (cr, 1.0);
          cairo_stroke (cr);
        }
    }
}

static void
bp_feature_maps_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  BpFeatureMaps *self = BP_FEATURE_MAPS (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  gboolean dark;
  cairo_t *cr;

  if (width <= 0 || height <= 0 || self->n_layers == 0)
    return;
  dark = bp_widget_is_dark (widget, NULL);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  bp_feature_maps_draw (self, cr, width, dark);
  cairo_destroy (cr);
}

static GtkSizeRequestMode
bp_feature_maps_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
bp_feature_maps_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  BpFeatureMaps *self = BP_FEATURE_MAPS (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = self->n_layers > 0 ? (int) MIN_CELL : 0;
      *natural = self->n_layers > 0 ? 280 : 0;
      return;
    }
  *minimum = *natural = self->n_layers > 0
                          ? bp_feature_maps_height_for_width (self, for_size > 0 ? for_size : 280)
                          : 0;
}

static void
bp_feature_maps_css_changed (GtkWidget         *widget,
                             GtkCssStyleChange *change)
{
  BpFeatureMaps *self = BP_FEATURE_MAPS (widget);

  GTK_WIDGET_CLASS (bp_feature_maps_parent_class)->css_changed (widget, change);
  g_clear_object (&self->text);
  invalidate (self);
}

static void
bp_feature_maps_realize (GtkWidget *widget)
{
  BpFeatureMaps *self = BP_FEATURE_MAPS (widget);

  GTK_WIDGET_CLASS (bp_feature_maps_parent_class)->realize (widget);
  /* The widget's own font from now on, not the default context of an unrealized widget. */
  g_clear_object (&self->text);
  invalidate (self);
}

/* Which map the pointer is on, and the range of its numbers. */
static gboolean
bp_feature_maps_query_tooltip (GtkWidget  *widget,
                               int         x,
                               int         y,
                               gboolean    keyboard,
                               GtkTooltip *tooltip)
{
  BpFeatureMaps *self = BP_FEATURE_MAPS (widget);
  guint l = 0;
  int channel;
  const Layer *layer;
  const float *v;
  float lo, hi;
  g_autofree char *lo_text = NULL, *hi_text = NULL, *text = NULL;

  if (keyboard)
    return FALSE;
  channel = bp_feature_maps_map_at (self, x, y, gtk_widget_get_width (widget), &l);
  if (channel < 0)
    return FALSE;
  layer = &self->layers[l];
  v = layer->values + (gsize) channel * layer->height * layer->width;
  lo = hi = v[0];
  for (gsize i = 1; i < (gsize) layer->height * layer->width; i++)
    {
      lo = MIN (lo, v[i]);
      hi = MAX (hi, v[i]);
    }
  lo_text = bp_text_format_number (lo, 2);
  hi_text = bp_text_format_number (hi, 2);
  /* Translators: a feature map's tooltip: the layer's name ("layer 2"), the map's number (from
   * 1) and the count, the map's size, its smallest and largest value. */
  text = g_strdup_printf (_("%s, map %d of %u (%u×%u): from %s to %s"),
                          layer->name != NULL ? layer->name : "", channel + 1, layer->channels,
                          layer->height, layer->width, lo_text, hi_text);
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

/* ── Public ───────────────────────────────────────────────────────────────────────────────── */

/* What a screen reader hears: each layer's caption and its strongest map (the most activation
 * in all), which follows the drawing. */
static void
update_description (BpFeatureMaps *self)
{
  g_autoptr(GString) words = g_string_new (NULL);

  for (guint l = 0; l < self->n_layers; l++)
    {
      const Layer *layer = &self->layers[l];
      gsize size = (gsize) layer->height * layer->width;
      guint strongest = 0;
      double best = -G_MAXDOUBLE;

      for (guint c = 0; c < layer->channels; c++)
        {
          double sum = 0.0;

          for (gsize i = 0; i < size; i++)
            sum += layer->values[c * size + i];
          if (sum > best)
            {
              best = sum;
              strongest = c;
            }
        }
      if (words->len > 0)
        g_string_append (words, " ");
      /* Translators: a layer's feature maps read aloud: its caption, then the map (from 1) with
       * the most activation in all. */
      g_string_append_printf (words, _("%s; map %u responds most."),
                              layer->caption != NULL ? layer->caption : "", strongest + 1);
    }
  bp_accessible_update_description (GTK_ACCESSIBLE (self), &self->description, words->str);
}

static void
clear_layer (Layer *layer)
{
  g_clear_pointer (&layer->caption, g_free);
  g_clear_pointer (&layer->name, g_free);
  g_clear_pointer (&layer->values, g_free);
  g_clear_pointer (&layer->grey, g_free);
  layer->channels = layer->height = layer->width = 0;
}

void
bp_feature_maps_set_layers (BpFeatureMaps            *self,
                            const BpFeatureMapsLayer *layers,
                            guint                     n_layers)
{
  gboolean same_shape;

  g_return_if_fail (BP_IS_FEATURE_MAPS (self));
  g_return_if_fail (n_layers <= MAX_LAYERS);
  g_return_if_fail (n_layers == 0 || layers != NULL);

  same_shape = n_layers == self->n_layers;
  for (guint l = 0; same_shape && l < n_layers; l++)
    same_shape = layers[l].channels == self->layers[l].channels
                 && layers[l].height == self->layers[l].height
                 && layers[l].width == self->layers[l].width
                 && g_strcmp0 (layers[l].caption, self->layers[l].caption) == 0;

  for (guint l = 0; l < MAX_LAYERS; l++)
    clear_layer (&self->layers[l]);
  self->n_layers = n_layers;
  for (guint l = 0; l < n_layers; l++)
    {
      Layer *layer = &self->layers[l];
      gsize n = (gsize) layers[l].channels * layers[l].height * layers[l].width;
      float lo = 0.0f, hi = 0.0f;
      gboolean first = TRUE;

      layer->caption = g_strdup (layers[l].caption);
      layer->name = g_strdup (layers[l].name);
      layer->channels = layers[l].channels;
      layer->height = layers[l].height;
      layer->width = layers[l].width;
      layer->values = g_memdup2 (layers[l].values, n * sizeof (float));
      layer->grey = g_new (guint8, MAX (n, 1));
      for (gsize i = 0; i < n; i++)
        if (isfinite (layer->values[i]))
          {
            lo = first ? layer->values[i] : MIN (lo, layer->values[i]);
            hi = first ? layer->values[i] : MAX (hi, layer->values[i]);
            first = FALSE;
          }
      layer->lo = lo;
      layer->hi = hi;
      for (gsize i = 0; i < n; i++)
        {
          float v = layer->values[i];
          double t = hi > lo && isfinite (v) ? (v - lo) / (double) (hi - lo) : 0.0;

          layer->grey[i] = (guint8) lrint (CLAMP (t, 0.0, 1.0) * 255.0);
        }
    }
  update_description (self);
  /* New numbers for the same maps only need a redraw: the pad's strokes change them every frame. */
  if (same_shape)
    gtk_widget_queue_draw (GTK_WIDGET (self));
  else
    invalidate (self);
}

guint
bp_feature_maps_get_n_layers (BpFeatureMaps *self)
{
  g_return_val_if_fail (BP_IS_FEATURE_MAPS (self), 0);

  return self->n_layers;
}

const float *
bp_feature_maps_get_values (BpFeatureMaps *self,
                            guint          layer,
                            guint         *channels,
                            guint         *height,
                            guint         *width)
{
  g_return_val_if_fail (BP_IS_FEATURE_MAPS (self), NULL);
  g_return_val_if_fail (layer < self->n_layers, NULL);

  if (channels != NULL)
    *channels = self->layers[layer].channels;
  if (height != NULL)
    *height = self->layers[layer].height;
  if (width != NULL)
    *width = self->layers[layer].width;
  return self->layers[layer].values;
}

guint8
bp_feature_maps_get_grey (BpFeatureMaps *self,
                          guint          layer,
                          guint          channel,
                          guint          y,
                          guint          x)
{
  const Layer *lay;

  g_return_val_if_fail (BP_IS_FEATURE_MAPS (self), 0);
  g_return_val_if_fail (layer < self->n_layers, 0);

  lay = &self->layers[layer];
  g_return_val_if_fail (channel < lay->channels && y < lay->height && x < lay->width, 0);
  return lay->grey[((gsize) channel * lay->height + y) * lay->width + x];
}

/* ── GObject ──────────────────────────────────────────────────────────────────────────────── */

static void
bp_feature_maps_finalize (GObject *object)
{
  BpFeatureMaps *self = BP_FEATURE_MAPS (object);

  for (guint l = 0; l < MAX_LAYERS; l++)
    clear_layer (&self->layers[l]);
  g_clear_object (&self->text);
  g_clear_pointer (&self->description, g_free);

  G_OBJECT_CLASS (bp_feature_maps_parent_class)->finalize (object);
}

static void
bp_feature_maps_class_init (BpFeatureMapsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = bp_feature_maps_finalize;
  widget_class->snapshot = bp_feature_maps_snapshot;
  widget_class->get_request_mode = bp_feature_maps_get_request_mode;
  widget_class->measure = bp_feature_maps_measure;
  widget_class->css_changed = bp_feature_maps_css_changed;
  widget_class->realize = bp_feature_maps_realize;
  widget_class->query_tooltip = bp_feature_maps_query_tooltip;

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
  gtk_widget_class_set_css_name (widget_class, "bpfeaturemaps");
}

static void
bp_feature_maps_init (BpFeatureMaps *self)
{
  self->laid_w = -1;
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
}
