/* bp-distort.h — the stroke-thickness distortion of the training expansion
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * People draw with pens of every width, and the preprocessing scales a small drawing's ink up to
 * MNIST's 20-pixel box, strokes and all: a drawn digit's strokes can be much thicker or thinner
 * than MNIST's. `--expand thickness` shows the network each training image with its strokes
 * made thicker or thinner by a random amount, drawn afresh per image and mini-batch from the
 * run's seeded generator, so a run still repeats bit for bit.
 */
#pragma once

#include <stddef.h>

#include "bp-rng.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The range of bp_distort_thickness()'s level: below 0 thins, above 0 thickens. */
#define BP_THICKNESS_MIN (-0.7)
#define BP_THICKNESS_MAX 1.5

/* Make the strokes of @img (rows × cols grey levels in [0, 1], ink light on dark as MNIST's)
 * thicker or thinner by @level, in place, with grey-level morphology over the 4-neighbourhood
 * (the pixel and the four next to it): @level 1 is one dilation (each pixel the maximum of its
 * neighbourhood: every stroke about two pixels wider), 2 two of them, −1 one erosion (the
 * minimum, the edges outside the image counting as background: about two pixels narrower), and
 * a level in between blends the two nearest linearly; 0 leaves the image as it was. @scratch
 * holds 2 × rows × cols floats. The result stays in [0, 1]. */
void   bp_distort_thickness (float  *img,
                             size_t  rows,
                             size_t  cols,
                             double  level,
                             float  *scratch);

/* A random level, uniform in [BP_THICKNESS_MIN, BP_THICKNESS_MAX), drawn from @rng. */
double bp_distort_thickness_level (BpRng *rng);

#ifdef __cplusplus
}
#endif
