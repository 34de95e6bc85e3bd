/* bp-digit-gallery.h — BpDigitGallery, a grid of small digit images with the network's verdict
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define BP_DIGIT_GALLERY_SIDE 28

/* One digit: its pixels (0 background, 255 ink), what it is, what the network said. */
typedef struct
{
  guint8 pixels[BP_DIGIT_GALLERY_SIDE * BP_DIGIT_GALLERY_SIDE];
  guint  index;      /* in its data set */
  guint8 label;
  guint8 predicted;
  float  confidence; /* the output of the predicted class */
} BpGalleryDigit;

#define BP_TYPE_DIGIT_GALLERY (bp_digit_gallery_get_type ())
G_DECLARE_FINAL_TYPE (BpDigitGallery, bp_digit_gallery, BP, DIGIT_GALLERY, GtkWidget)

GtkWidget *bp_digit_gallery_new (void);

/* Copy @n digits (the order is kept); @n 0 empties the gallery. */
void  bp_digit_gallery_set_digits (BpDigitGallery       *self,
                                   const BpGalleryDigit *digits,
                                   guint                 n);
guint bp_digit_gallery_get_n_digits (BpDigitGallery *self);
const BpGalleryDigit *bp_digit_gallery_get_digit (BpDigitGallery *self,
                                                  guint           position);

/* Whether the outputs are softmax probabilities (TRUE, the default) or sigmoid activations,
 * which are not: they are shown as "output 0.99", as the Draw view shows them. */
void  bp_digit_gallery_set_probabilities (BpDigitGallery *self,
                                          gboolean        probabilities);

/* The second line of @position's tile: the network's output for its answer, "87%" for a
 * probability, "output 0.99" for an activation. */
char *bp_digit_gallery_format_output (BpDigitGallery *self,
                                      guint           position);

/* The position of the digit under (@x, @y) in a gallery @width wide, -1 for none. */
int bp_digit_gallery_position_at (BpDigitGallery *self,
                                  double          x,
                                  double          y,
                                  int             width);

/* The tile of @position in a gallery @width wide (for tests that click it). */
void bp_digit_gallery_get_tile (BpDigitGallery *self,
                                guint           position,
                                int             width,
                                graphene_rect_t *rect);

/* Signal "digit-activated" (guint position): a click on a digit. */

G_END_DECLS
