/* bp-draw-canvas.h — BpDrawCanvas, a pad to draw a digit on with a round, anti-aliased brush
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The brush width is given for a pad of this side and scales with the pad: a digit drawn across
 * the default pad with the default width has strokes as thick, for its size, as MNIST's. */
#define BP_DRAW_CANVAS_REFERENCE_SIDE 320.0
#define BP_DRAW_CANVAS_DEFAULT_BRUSH  18.0

#define BP_TYPE_DRAW_CANVAS (bp_draw_canvas_get_type ())
G_DECLARE_FINAL_TYPE (BpDrawCanvas, bp_draw_canvas, BP, DRAW_CANVAS, GtkWidget)

GtkWidget *bp_draw_canvas_new (void);

/* Property "brush-width": the width of new strokes, in logical pixels on a pad of
 * BP_DRAW_CANVAS_REFERENCE_SIDE; strokes keep their shape and width relative to the pad when it
 * is resized. */
double   bp_draw_canvas_get_brush_width (BpDrawCanvas *self);
void     bp_draw_canvas_set_brush_width (BpDrawCanvas *self,
                                         double        width);

/* Property "empty": no stroke and no image. */
gboolean bp_draw_canvas_get_empty (BpDrawCanvas *self);
guint    bp_draw_canvas_get_n_strokes (BpDrawCanvas *self);

/* Add a stroke through @n points (logical pixels at the pad's present size, from its top left)
 * @width logical pixels wide, as if drawn by hand ("changed" is emitted, "stroke-finished" is not). For replaying strokes
 * and for tests. */
void     bp_draw_canvas_add_stroke (BpDrawCanvas           *self,
                                    const graphene_point_t *points,
                                    guint                   n,
                                    double                  width);

/* Remove the last stroke; FALSE when there was none. */
gboolean bp_draw_canvas_undo (BpDrawCanvas *self);
/* Remove every stroke and the image. */
void     bp_draw_canvas_clear (BpDrawCanvas *self);

/* Show a greyscale picture (@width × @height bytes, 0 background, 255 ink) filling the pad
 * instead of strokes, e.g. a test image; the next stroke replaces it. NULL removes it. */
void     bp_draw_canvas_set_image (BpDrawCanvas *self,
                                   const guint8 *pixels,
                                   guint         width,
                                   guint         height);
gboolean bp_draw_canvas_has_image (BpDrawCanvas *self);

/* The strokes as ink in a new CAIRO_FORMAT_A8 surface of the pad's size times @scale (the
 * widget's scale factor gives device pixels): 0 background, 255 full ink. */
cairo_surface_t *bp_draw_canvas_render (BpDrawCanvas *self,
                                        int           scale);

/* Signals: "changed" whenever the drawing changes (also during a stroke), "stroke-finished"
 * when the pointer is released. */

G_END_DECLS
