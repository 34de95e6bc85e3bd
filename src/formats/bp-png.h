/* bp-png.h — PNG bytes or files to the 8-bit grey image bp-preprocess reads, by libpng
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Larger images are refused before decoding: a few kilobytes of PNG can claim 40000×40000
 * pixels, 6 GiB once decoded. 64 megapixels covers any photo of a sheet of paper, at any
 * width or height (a PNG side may be up to 2^31 − 1 pixels: a 1 × 64M strip decodes too). */
#define BP_PNG_MAX_PIXELS (64u * 1024u * 1024u)

/* Decode the PNG in @data (@len bytes) to grey (0 black, 255 white, Rec. 601 luma, rows of
 * @width bytes), alpha-composited on white first so that a transparent PNG with black strokes
 * reads as black on white (the same bytes Cairo's PNG reader and compositing give). Returns a
 * g_malloc'ed buffer, or NULL with @message set (g_free) to a sentence that does not name the
 * file and says what is wrong: not a PNG, too large, truncated, a bad checksum (CRC), an
 * unsupported or damaged part (libpng's own words in brackets), or not enough memory. */
guint8 *bp_png_to_grey (const guint8 *data,
                        gsize         len,
                        int          *width,
                        int          *height,
                        char        **message);

/* The same from the file @path, read as it is decoded: only a regular file is read (a FIFO, a
 * device or a socket is refused before a byte is read), its signature and header are read and
 * checked first, and no more of it is read than an image of the size its header gives can
 * take (so a huge file that is not a PNG costs 8 bytes, and garbage after a PNG's end is never
 * read). On failure @message (g_free) says why without naming the file. */
guint8 *bp_png_load_grey (const char *path,
                          int        *width,
                          int        *height,
                          char      **message);

G_END_DECLS
