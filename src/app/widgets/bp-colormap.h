/* bp-colormap.h — the diverging, colour-blind-safe colour map of the weight pictures, its legend
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The map is ColorBrewer's RdBu (marked safe for the common forms of colour blindness): negative
 * values blue, zero near-white, positive values red, with lightness falling symmetrically on
 * both sides so that the sign reads from the hue and the size from the lightness alone.
 */
#pragma once

#include <cairo.h>
#include <glib.h>
#include <pango/pango.h>

G_BEGIN_DECLS

/* The colour of @t in −1 … 1 (clamped; NaN maps to the centre) as sRGB components, 0 … 1. */
void bp_colormap_diverging (double  t,
                            double *r,
                            double *g,
                            double *b);

/* The colour of @t packed as an opaque CAIRO_FORMAT_RGB24 / ARGB32 pixel (0xffRRGGBB). */
guint32 bp_colormap_diverging_pixel (double t);

/* Draw a gradient bar with the tick labels −@limit, 0 and +@limit under it, filling the box
 * (@x, @y, @width, @height); the bar takes what the labels leave. Text is dark on a light
 * background, light when @dark. */
void bp_colormap_draw_legend (cairo_t *cr,
                              double   x,
                              double   y,
                              double   width,
                              double   height,
                              double   limit,
                              gboolean dark);

/* Like bp_colormap_draw_legend(), with the labels set in @context's font (a widget's Pango
 * context, so the legend follows the desktop's font and text scale); NULL means "Sans 9". */
void bp_colormap_draw_legend_full (cairo_t      *cr,
                                   PangoContext *context,
                                   double        x,
                                   double        y,
                                   double        width,
                                   double        height,
                                   double        limit,
                                   gboolean      dark);

G_END_DECLS
