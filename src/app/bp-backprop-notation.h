/* bp-backprop-notation.h — the notation of the Backprop view's text, shared by its dense and
 * conv parts (bp-backprop-text.c, bp-backprop-conv.c)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "bp-trace.h"

G_BEGIN_DECLS

/* Number formatting with a true minus sign: @digits significant digits. */
char *bp_backprop_text_number (double value,
                               int    digits);

/* @symbol with @layer in superscript digits: "a" and 2 → "a²"; "∂C/∂b" → "∂C/∂b²". */
char *bp_backprop_text_superscript (const char *symbol,
                                    guint       layer);

/* The name of the function of layer @layer: "σ", "tanh", "ReLU" or "softmax". */
const char *bp_backprop_text_function (const BpTrace *trace,
                                       int            layer);

G_END_DECLS
