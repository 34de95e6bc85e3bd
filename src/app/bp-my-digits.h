/* bp-my-digits.h — BpMyDigits, the user's own handwritten digits kept as DIGIT/NNNN.png
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The folder is g_get_user_data_dir()/backprop/my-digits (so $XDG_DATA_HOME moves it), laid out
 * as bp-digit-folder.h reads it and `backprop-cli eval --data` / `train --extra-data` take it:
 * DIR/7/0001.png, DIR/7/0002.png … Every file appears whole or not at all (bp_file_create_new():
 * a temporary file renamed into place, never over another), numbers are never reused while a
 * higher one exists, and relabelling moves a picture to its new digit's folder under the next
 * free number there. GIO only: tested without a display.
 */
#pragma once

#include <gio/gio.h>

#include "bp-digit-folder.h"

G_BEGIN_DECLS

#define BP_TYPE_MY_DIGITS (bp_my_digits_get_type ())
G_DECLARE_FINAL_TYPE (BpMyDigits, bp_my_digits, BP, MY_DIGITS, GObject)

/* The store of @dir (NULL: the default folder above; it is made when the first digit is added). */
BpMyDigits *bp_my_digits_new (const char *dir);

/* The application's store of the default folder (one per process, never freed). */
BpMyDigits *bp_my_digits_get_default (void);

const char *bp_my_digits_get_dir (BpMyDigits *self);

/* Store the picture @grey (@width × @height, 0 ink … 255 paper, rows @stride bytes apart) as a
 * @digit. Returns the new file's path (g_free), or NULL with @error naming the file. Emits
 * "added" (digit, path) and then "changed". */
char *bp_my_digits_add (BpMyDigits   *self,
                        const guint8 *grey,
                        int           width,
                        int           height,
                        int           stride,
                        guint         digit,
                        GError      **error);

/* Move the picture @path (one of the store's) to @digit's folder. Returns its new path, or NULL
 * with @error (the picture stays where it was). Emits "changed". */
char *bp_my_digits_relabel (BpMyDigits *self,
                            const char *path,
                            guint       digit,
                            GError    **error);

/* Delete the picture @path (one of the store's). Emits "changed". */
gboolean bp_my_digits_delete (BpMyDigits *self,
                              const char *path,
                              GError    **error);

/* Every usable picture (bp_digit_folder_load()); NULL and no error when there is none yet. */
BpDigitFolder *bp_my_digits_load (BpMyDigits *self,
                                  GError    **error);

/* Whether the picture @path is one of those held out of *Train on My Digits* to test on: one
 * in five, by a hash of its file name, so adding or relabelling another picture never moves one
 * between training and testing. */
gboolean bp_my_digits_is_held_out (const char *path);

G_END_DECLS
