/* bp-draw-view.h — the Draw view: draw a digit, see the network's guess, what it sees and why
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "bp-feature-maps.h"
#include "bp-view.h"

G_BEGIN_DECLS

#define BP_TYPE_DRAW_VIEW (bp_draw_view_get_type ())
/* Without a session (bp_view_set_session() with NULL) the view uses the embedded default
 * model. */
G_DECLARE_FINAL_TYPE (BpDrawView, bp_draw_view, BP, DRAW_VIEW, BpView)

/* Put test image @index of the session's test set on the pad: its pixels are the network's
 * input as they are (MNIST's digits are already centred and scaled). */
void bp_draw_view_show_test_image (BpDrawView *self,
                                   guint       index);

/* Put the picture in the PNG @file on the pad and classify it: any size, dark ink on light
 * paper or light on dark (MNIST's preprocessing finds which, scales and centres the digit).
 * FALSE with @error set, naming the file, when it is not a PNG, is damaged or too large, or has
 * no ink on it; the pad is then left as it was. */
gboolean bp_draw_view_load_png (BpDrawView  *self,
                                GFile       *file,
                                GError     **error);

/* The guess for what is on the pad (the largest output), or -1 when there is nothing to read. */
int          bp_draw_view_get_guess (BpDrawView *self);
/* The network's outputs for what is on the pad (*@n_outputs of them, at most 16), or NULL with
 * *@n_outputs 0 when there is nothing to read. Valid until the next prediction. */
const float *bp_draw_view_get_outputs (BpDrawView *self,
                                       guint      *n_outputs);

/* The network's input for what is on the pad: 784 floats after MNIST's preprocessing (a test
 * image's own pixels), or NULL when there is nothing to read. Valid until the next prediction. */
const float *bp_draw_view_get_input (BpDrawView *self);
/* The digit the "Why" map is chosen to explain, or -1 for the top guess (the default). */
int      bp_draw_view_get_why_class (BpDrawView *self);

/* What is on the pad as a picture for My Digits, grey (0 ink … 255 paper, dark on white, rows
 * *@width bytes apart): the strokes at one pixel per logical pixel, or for a test image or a
 * picture the 28×28 input the network saw. NULL when there is nothing to read (g_free). */
guint8      *bp_draw_view_get_drawing (BpDrawView *self,
                                       int        *width,
                                       int        *height);

/* The feature maps of a conv net's conv and pool layers for what is on the pad (no layers for
 * a dense network, or nothing to read). */
BpFeatureMaps *bp_draw_view_get_feature_maps (BpDrawView *self);
double   bp_draw_view_get_brush_width (BpDrawView *self);

/* Keep the brush width in @settings' "brush-width" key. */
void     bp_draw_view_bind_settings (BpDrawView *self,
                                     GSettings  *settings);

/* Signals:
 * "neuron-activated" (guint neuron): a click on a hidden neuron of the strip;
 * "stroke-classified": a stroke ended and the drawing was classified (bp_draw_view_get_guess());
 * "test-image-classified" (guint index): test image @index was put on the pad and classified;
 * "picture-classified" (const char *name): the PNG file @name was put on the pad and classified;
 * "strokes-removed" (guint n_strokes): Undo or Clear left @n_strokes strokes on the pad. */

G_END_DECLS
