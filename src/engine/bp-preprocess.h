/* bp-preprocess.h — any greyscale image (a drawing, a scan, a PNG) to an MNIST-like 28×28 input
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * MNIST's own recipe (LeCun et al.): the digit's bounding box is scaled so that its longer side
 * is 20 pixels, keeping the aspect ratio, with anti-aliased (area-averaging) resampling, and
 * placed in a 28×28 field so that the intensity centre of mass sits at the centre. Measured on
 * the training set, that centre is pixel (14, 14) counting from 0 (mean 14.01, 13.99), not the
 * geometric middle 13.5: the output here puts it there too. Pixels come out as MNIST's do in
 * training, pixel/255: 0 is background, 1 full ink.
 *
 * The steps, in the order the code takes them:
 *   1. Ground and polarity. The ground level g is the median of the image's outermost rows and
 *      columns (the border is mostly paper, whatever the digit does). With BP_POLARITY_AUTO the
 *      ink is dark when the image's mean is at most g (ink pulls the mean away from the
 *      ground, towards itself), light otherwise.
 *   2. Contrast. Ink = how far a pixel is from g towards the ink side, divided by the largest
 *      such distance in the image, so the strongest ink is 1 whatever the paper, pen or
 *      exposure. An image whose largest distance is below BP_PREPROCESS_MIN_CONTRAST is empty.
 *   3. Noise floor. Ink below BP_PREPROCESS_NOISE_FLOOR (a fraction of the strongest ink:
 *      paper grain, shading, JPEG ringing) is dropped and the rest rescaled to [0, 1]
 *      continuously, so that anti-aliased edges stay smooth.
 *   4. Bounding box of the pixels with at least half the strongest ink: in an anti-aliased image
 *      that is the outline of the binary digit, which is what MNIST's box was measured on.
 *   5. One area-averaging resampling from the source straight into the 28×28 field, with the
 *      scale 20 / (longer side of the box) and the sub-pixel offset that maps the ink's centre of
 *      mass to the centre of pixel (14, 14): no second interpolation blurs the digit.
 *   6. The result is divided by its maximum: MNIST's digits nearly all reach 255 (mean maximum
 *      254.9), so a thin stroke scaled down is brought back to full ink.
 *
 * No allocation and no global state: any thread may call these functions.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bp-error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BP_PREPROCESS_SIDE     28                     /* MNIST's field */
#define BP_PREPROCESS_N_PIXELS (28 * 28)
#define BP_PREPROCESS_BOX      20                     /* the longer side of the digit's box */
#define BP_PREPROCESS_CENTRE   14.0f                  /* where the centre of mass lands, in pixel indices */

#define BP_PREPROCESS_MIN_CONTRAST 0.05f /* below this (about 13 grey levels of 255) there is no ink */
#define BP_PREPROCESS_NOISE_FLOOR  0.1f  /* fraction of the strongest ink that counts as none */
#define BP_PREPROCESS_BOX_LEVEL    0.5f  /* fraction of the strongest ink that the box encloses */

typedef enum
{
  BP_POLARITY_AUTO,      /* decide from the image, as step 1 above says */
  BP_POLARITY_DARK_INK,  /* dark ink on a light ground: paper, scans, most PNGs */
  BP_POLARITY_LIGHT_INK, /* light ink on a dark ground: MNIST itself, an alpha-only canvas */
} BpPolarity;

typedef enum
{
  BP_PREPROCESS_OK,    /* the output holds the digit */
  BP_PREPROCESS_EMPTY, /* no ink: the output is all zeros; nothing to classify */
  BP_PREPROCESS_ERROR, /* bad arguments: the error says which */
} BpPreprocessStatus;

/* What the preprocessing found, for display and tests. Coordinates are in source pixels with
 * pixel (x, y) covering [x, x + 1) × [y, y + 1). */
typedef struct
{
  BpPolarity polarity;   /* the polarity used: the detected one under BP_POLARITY_AUTO */
  float      ground;     /* the ground level g in [0, 1] (0 black, 1 white) */
  float      contrast;   /* the largest distance from g towards the ink */
  size_t     box_x;      /* the ink's bounding box (step 4) */
  size_t     box_y;
  size_t     box_width;
  size_t     box_height;
  float      scale;      /* output pixels per source pixel */
  float      centre_x;   /* the ink's centre of mass in the source */
  float      centre_y;
} BpPreprocessInfo;

/* Preprocess an 8-bit greyscale image (0 black, 255 white) of @width × @height pixels whose rows
 * start @stride bytes apart into @out (BP_PREPROCESS_N_PIXELS floats, row-major). @info may be
 * NULL. Returns BP_PREPROCESS_EMPTY when the image has no ink (@out is then zeroed) and
 * BP_PREPROCESS_ERROR, with @error filled, for a NULL pointer, a zero size or a stride shorter
 * than a row. */
BpPreprocessStatus bp_preprocess_u8 (const uint8_t    *pixels,
                                     size_t            width,
                                     size_t            height,
                                     size_t            stride,
                                     BpPolarity        polarity,
                                     float            *out,
                                     BpPreprocessInfo *info,
                                     BpError          *error);

/* The same for float pixels in [0, 1] (0 black, 1 white) whose rows start @stride floats
 * apart. Values outside [0, 1] are clamped and NaN counts as 0. */
BpPreprocessStatus bp_preprocess_float (const float      *pixels,
                                        size_t            width,
                                        size_t            height,
                                        size_t            stride,
                                        BpPolarity        polarity,
                                        float            *out,
                                        BpPreprocessInfo *info,
                                        BpError          *error);

/* "auto", "dark-ink", "light-ink". */
const char *bp_polarity_to_string (BpPolarity polarity);

#ifdef __cplusplus
}
#endif
