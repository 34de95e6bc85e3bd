/* bp-text.h — Pango text helpers shared by the drawing code of the widgets (private to them)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>
#include <glib.h>
#include <pango/pango.h>

G_BEGIN_DECLS

/* A new Pango context for drawing when no widget supplies one: "Sans 9" at 96 dpi with grey
 * antialiasing and no hinting, so that exported and test images look the same everywhere the
 * same fonts are installed. */
PangoContext *bp_text_default_context_new (void);

/* A layout of @text in @context's font, scaled by @scale, bold when @bold. */
PangoLayout *bp_text_layout_new (PangoContext *context,
                                 const char   *text,
                                 double        scale,
                                 gboolean      bold);

/* The logical size of @layout in user units. */
void bp_text_size (PangoLayout *layout,
                   double      *width,
                   double      *height);

/* Draw @layout so that the point (@xalign, @yalign) of its logical box (0 = left or top,
 * 1 = right or bottom) lands on (@x, @y), in the current source. */
void bp_text_draw (cairo_t     *cr,
                   PangoLayout *layout,
                   double       x,
                   double       y,
                   double       xalign,
                   double       yalign);

/* Format @value with @decimals digits after the point, a true minus sign and no "-0". */
char *bp_text_format_number (double value,
                             int    decimals);

G_END_DECLS
