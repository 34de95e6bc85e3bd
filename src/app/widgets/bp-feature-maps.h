/* bp-feature-maps.h — BpFeatureMaps, a convolutional network's feature maps: one small greyscale
 * picture per channel of each conv and pool layer
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The widget only draws what it is given: layers of channels × height × width numbers (the Draw
 * view gives it the network's own forward pass, bp-layer-maps.c). Each layer has a caption above
 * its maps; the maps wrap into as many rows as the width needs (height for width). Within a
 * layer one scale serves every map, from black at the layer's smallest value to white at its
 * largest, so that a map that responds strongly looks brighter than one that barely does.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define BP_TYPE_FEATURE_MAPS (bp_feature_maps_get_type ())
G_DECLARE_FINAL_TYPE (BpFeatureMaps, bp_feature_maps, BP, FEATURE_MAPS, GtkWidget)

/* One layer's maps, as bp_feature_maps_set_layers() takes them (everything is copied). */
typedef struct
{
  const char  *caption;  /* above the maps, e.g. "Layer 2: 20 filters of 5×5 → 20 maps of 24×24" */
  const char  *name;     /* the layer's short name in tooltips, e.g. "layer 2" */
  guint        channels;
  guint        height, width;
  const float *values;   /* (channels, height, width) row-major */
} BpFeatureMapsLayer;

GtkWidget *bp_feature_maps_new (void);

/* Show @n_layers layers (0 clears the widget). */
void  bp_feature_maps_set_layers (BpFeatureMaps            *self,
                                  const BpFeatureMapsLayer *layers,
                                  guint                     n_layers);
guint bp_feature_maps_get_n_layers (BpFeatureMaps *self);

/* The numbers of layer @layer as given, and its shape. */
const float *bp_feature_maps_get_values (BpFeatureMaps *self,
                                         guint          layer,
                                         guint         *channels,
                                         guint         *height,
                                         guint         *width);

/* The grey level (0 black … 255 white) the widget draws for pixel (@y, @x) of map @channel of
 * layer @layer: (v − lo) / (hi − lo), lo and hi the layer's smallest and largest value; a
 * layer of one value throughout is drawn black. */
guint8 bp_feature_maps_get_grey (BpFeatureMaps *self,
                                 guint          layer,
                                 guint          channel,
                                 guint          y,
                                 guint          x);

/* The map under (@x, @y) for a widget @width wide: its channel, and its layer into *@layer;
 * -1 when none. */
int bp_feature_maps_map_at (BpFeatureMaps *self,
                            double         x,
                            double         y,
                            int            width,
                            guint         *layer);

/* The height the widget needs at @width. */
int bp_feature_maps_height_for_width (BpFeatureMaps *self,
                                      int            width);

/* Draw into any cairo context (tests, screenshots). */
void bp_feature_maps_draw (BpFeatureMaps *self,
                           cairo_t       *cr,
                           int            width,
                           gboolean       dark);

G_END_DECLS
