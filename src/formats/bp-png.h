/* bp-png.h — PNG bytes to the 8-bit grey image bp-preprocess reads, by Cairo
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Larger images are refused before decoding: a few kilobytes of PNG can claim 32767×32767
 * pixels, 4 GiB once decoded. 64 megapixels covers any photo of a sheet of paper. */
#define BP_PNG_MAX_PIXELS (64u * 1024u * 1024u)

/* Decode the PNG in @data (@len bytes) to grey (0 black, 255 white, Rec. 601 luma, rows of
 * @width bytes), alpha-composited on white first so that a transparent PNG with black strokes
 * reads as black on white. Returns a g_malloc'ed buffer, or NULL with @message set (g_free) to
 * a sentence that does not name the file: not a PNG, damaged, or too large. */
guint8 *bp_png_to_grey (const guint8 *data,
                            gsize         len,
                            int          *width,
                            int          *height,
                            char        **message);

G_END_DECLS
