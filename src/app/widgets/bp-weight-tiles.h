/* bp-weight-tiles.h — the data and the Cairo drawing of a grid of weight heatmaps, without GTK
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * BpWeightGrid shows one; golden-image tests and exports draw one with no display.
 */
#pragma once

#include <cairo.h>
#include <glib.h>
#include <pango/pango.h>

#include "bp-chart.h"

G_BEGIN_DECLS

typedef struct _BpWeightTiles BpWeightTiles;

typedef struct
{
  BpChartColor foreground;
  BpChartColor background;
  gboolean     dark;
  gboolean     paint_background;
  int          selected; /* the neuron outlined as selected, or -1 */
  int          hover;    /* the neuron outlined under the pointer, or -1 */
} BpWeightTilesStyle;

BpWeightTiles *bp_weight_tiles_new (void);
void           bp_weight_tiles_free (BpWeightTiles *tiles);

/* The Pango context of the legend's labels (a widget's); NULL means "Sans 9". */
void bp_weight_tiles_set_text_context (BpWeightTiles *tiles,
                                       PangoContext  *context);

/* Turn @w (@n_neurons rows of @n_inputs floats; row j holds neuron j's incoming weights) into
 * one picture per neuron of @image_rows × @image_cols (their product must equal @n_inputs),
 * coloured on a scale symmetric around zero. This is the expensive step, done once per update
 * so that drawing only scales finished images. */
void bp_weight_tiles_set_weights (BpWeightTiles *tiles,
                                  const float   *w,
                                  guint          n_neurons,
                                  guint          n_inputs,
                                  guint          image_rows,
                                  guint          image_cols);

/* The scale runs from −@limit to +@limit; 0 (or NaN) returns to ±max|w| of each update. */
void   bp_weight_tiles_set_limit (BpWeightTiles *tiles,
                                  double         limit);
/* The limit in use for the current pictures. */
double bp_weight_tiles_get_limit (BpWeightTiles *tiles);

guint bp_weight_tiles_get_n_neurons (BpWeightTiles *tiles);
void  bp_weight_tiles_get_image_size (BpWeightTiles *tiles,
                                      guint         *rows,
                                      guint         *cols);
/* The columns of the grid in a @width × @height drawing. */
guint bp_weight_tiles_get_columns (BpWeightTiles *tiles,
                                   int            width,
                                   int            height);

void bp_weight_tiles_draw (BpWeightTiles            *tiles,
                           cairo_t                  *cr,
                           int                       width,
                           int                       height,
                           const BpWeightTilesStyle *style);

/* The neuron whose picture covers (@x, @y) in a @width × @height drawing, or -1 (the gaps
 * between pictures and the legend belong to none). */
int bp_weight_tiles_neuron_at (BpWeightTiles *tiles,
                               double         x,
                               double         y,
                               int            width,
                               int            height);

/* Fill @style with libadwaita's view colours and no selection. */
void bp_weight_tiles_style_init (BpWeightTilesStyle *style,
                                 gboolean            dark);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BpWeightTiles, bp_weight_tiles_free)

G_END_DECLS
