/* bp-digit-folder.h — a folder of PNG pictures named DIGIT/NAME.png as an MNIST-like data set
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The layout is the one the app's My Digits keeps and anyone can make by hand:
 *
 *   DIR/0/any-name.png  DIR/1/…  …  DIR/9/…
 *
 * Each picture is read as `backprop-cli classify` and the Draw view's Open Picture read one
 * (bp-png.c: regular files only, the header checked before any pixel is decoded, at most
 * BP_PNG_MAX_PIXELS) and preprocessed the MNIST way (bp-preprocess.c, polarity detected from the
 * border), so the network sees each the way it sees a drawing. The rules for what is there:
 *
 *   - Only the subfolders named by one digit, 0 to 9, are read; anything else in DIR (a README,
 *     a folder "misc") is not looked at. Inside them only names ending in ".png" (any case)
 *     count; hidden names (".NAME", as the atomic writer's temporary files are) are skipped.
 *   - A picture that cannot be used — not a regular file, not a PNG, damaged, too large, or
 *     blank (one flat colour: no ink) — is SKIPPED, and a one-line warning naming the file says
 *     why. One bad picture among a person's hundred should not cost the other ninety-nine; the
 *     caller sees how many were skipped and may refuse (eval says so in its output).
 *   - DIR itself missing or not a folder, more than BP_DIGIT_FOLDER_MAX_PICTURES pictures, or no
 *     usable picture at all is an error, with one line naming DIR.
 *
 * The order is fixed: digit 0 first, and inside a digit the names in byte order, so the same
 * folder gives the same data set on every machine.
 */
#pragma once

#include <glib.h>

#include "bp-dataset.h"

G_BEGIN_DECLS

#define BP_DIGIT_FOLDER_MAX_PICTURES 100000u

typedef struct
{
  BpDataset *set;      /* n pictures, 28×28, 0 background … 255 ink, n_classes 10 */
  GPtrArray *paths;    /* (n) the file each example came from, in the set's order */
  GPtrArray *warnings; /* one line per skipped picture, "PATH: why" */
} BpDigitFolder;

/* Read @dir as the header says. Returns NULL with @error set (one line naming @dir) when it
 * cannot be read or holds no usable picture. Free with bp_digit_folder_free(). */
BpDigitFolder *bp_digit_folder_load (const char *dir,
                                     GError    **error);

void bp_digit_folder_free (BpDigitFolder *folder);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BpDigitFolder, bp_digit_folder_free)

/* One picture, as the folder reader reads it, into @input (28×28 floats, 0 background … 1 ink).
 * Returns FALSE with @message (g_free) saying why without naming the file; a blank picture is
 * "the picture is one flat colour: no digit on it". */
gboolean bp_digit_folder_read_picture (const char *path,
                                       float      *input,
                                       char      **message);

/* @width × @height grey pixels (0 black … 255 white, rows @stride bytes apart) as PNG bytes,
 * 8-bit RGB: how My Digits stores a drawing (dark ink on white, as on paper). NULL with
 * @message set when the encoder fails. */
GBytes *bp_digit_folder_encode_png (const guint8 *grey,
                                    int           width,
                                    int           height,
                                    int           stride,
                                    char        **message);

/* The training set for `train --extra-data`: every example of @mnist followed by @extra's
 * examples repeated @repeat times (the trainer shuffles the whole set each epoch). NULL with
 * @error on a size mismatch or no memory. */
BpDataset *bp_digit_folder_mix (const BpDataset *mnist,
                                const BpDataset *extra,
                                guint            repeat,
                                GError         **error);

/* How many times to repeat @n_extra examples mixed into @n_train: enough for them to make about
 * 1 % of the set (a handful of a person's digits would otherwise be 0.01 % of MNIST's 50,000 and
 * change nothing), at most 20 times (beyond that the network memorises those few pictures),
 * at least once. */
guint bp_digit_folder_auto_repeat (gsize n_train,
                                   gsize n_extra);

G_END_DECLS
