/* bp-distort.c — the stroke-thickness distortion of the training expansion
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-distort.h"

#include <math.h>
#include <stdbool.h>

/* One grey-level dilation (@dilate) or erosion of @src into @dst over the 4-neighbourhood.
 * Outside the image is background (0): it never wins a maximum and always wins a minimum. */
static void
morph (const float *src,
       size_t       rows,
       size_t       cols,
       bool         dilate,
       float       *dst)
{
  for (size_t r = 0; r < rows; r++)
    for (size_t c = 0; c < cols; c++)
      {
        float v = src[r * cols + c];
        float n[4] = {
          r > 0 ? src[(r - 1) * cols + c] : 0.0f,
          r + 1 < rows ? src[(r + 1) * cols + c] : 0.0f,
          c > 0 ? src[r * cols + c - 1] : 0.0f,
          c + 1 < cols ? src[r * cols + c + 1] : 0.0f,
        };

        for (int k = 0; k < 4; k++)
          v = dilate ? (n[k] > v ? n[k] : v) : (n[k] < v ? n[k] : v);
        dst[r * cols + c] = v;
      }
}

void
bp_distort_thickness (float  *img,
                      size_t  rows,
                      size_t  cols,
                      double  level,
                      float  *scratch)
{
  size_t n = rows * cols;
  float *a = scratch;
  float *b = scratch + n;
  const float *lo, *hi;
  float t;

  if (level == 0.0 || n == 0)
    return;
  if (level < 0.0)
    {
      /* Between the image (level 0) and its erosion (level −1). */
      morph (img, rows, cols, false, a);
      lo = img;
      hi = a;
      t = (float) (level < -1.0 ? 1.0 : -level);
    }
  else if (level <= 1.0)
    {
      morph (img, rows, cols, true, a);
      lo = img;
      hi = a;
      t = (float) level;
    }
  else
    {
      /* Between one dilation and two. */
      morph (img, rows, cols, true, a);
      morph (a, rows, cols, true, b);
      lo = a;
      hi = b;
      t = (float) (level > 2.0 ? 1.0 : level - 1.0);
    }
  for (size_t i = 0; i < n; i++)
    img[i] = lo[i] + t * (hi[i] - lo[i]);
}

double
bp_distort_thickness_level (BpRng *rng)
{
  return BP_THICKNESS_MIN + (BP_THICKNESS_MAX - BP_THICKNESS_MIN) * bp_rng_uniform (rng);
}
