/* bp-preprocess.c — any greyscale image to an MNIST-like 28×28 input (see the header for the recipe)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-preprocess.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* Either kind of source pixels, read as floats in [0, 1] (0 black). */
typedef struct
{
  const uint8_t *u8;
  const float   *f;
  size_t         width;
  size_t         height;
  size_t         stride; /* in elements */
} Source;

/* How source values become ink, decided once per image. */
typedef struct
{
  bool  dark;     /* ink is darker than the ground */
  float ground;
  float contrast; /* the largest distance from the ground towards the ink */
} InkMap;

static const char *const polarity_names[] = { "auto", "dark-ink", "light-ink" };

const char *
bp_polarity_to_string (BpPolarity polarity)
{
  return (unsigned) polarity <= BP_POLARITY_LIGHT_INK ? polarity_names[polarity] : "?";
}

static inline float
sample (const Source *src,
        size_t        x,
        size_t        y)
{
  float v;

  if (src->u8 != NULL)
    return (float) src->u8[y * src->stride + x] * (1.0f / 255.0f);

  v = src->f[y * src->stride + x];
  /* The comparisons are written so that NaN lands on 0. */
  if (!(v > 0.0f))
    return 0.0f;
  return v < 1.0f ? v : 1.0f;
}

/* Ink in [0, 1] of value @v: the distance from the ground towards the ink, over the contrast. */
static inline float
ink_of (const InkMap *map,
        float         v)
{
  float d = map->dark ? map->ground - v : v - map->ground;

  if (!(d > 0.0f))
    return 0.0f;
  d /= map->contrast;
  return d < 1.0f ? d : 1.0f;
}

/* The ink that counts as mass: the noise floor removed, the rest stretched back to [0, 1]. */
static inline float
mass_of (float ink)
{
  if (ink <= BP_PREPROCESS_NOISE_FLOOR)
    return 0.0f;
  return (ink - BP_PREPROCESS_NOISE_FLOOR) * (1.0f / (1.0f - BP_PREPROCESS_NOISE_FLOOR));
}

static void
add_to_histogram (const Source *src,
                  size_t        x,
                  size_t        y,
                  size_t       *hist)
{
  hist[(size_t) lrintf (sample (src, x, y) * 255.0f)]++;
}

/* The median of the outermost rows and columns, to the nearest 1/255. */
static float
border_median (const Source *src)
{
  size_t hist[256] = { 0 };
  size_t n = 0;
  size_t half;
  size_t w = src->width;
  size_t h = src->height;

  for (size_t x = 0; x < w; x++)
    {
      add_to_histogram (src, x, 0, hist);
      if (h > 1)
        add_to_histogram (src, x, h - 1, hist);
    }
  for (size_t y = 1; y + 1 < h; y++)
    {
      add_to_histogram (src, 0, y, hist);
      if (w > 1)
        add_to_histogram (src, w - 1, y, hist);
    }

  for (size_t i = 0; i < 256; i++)
    n += hist[i];
  half = (n + 1) / 2;
  for (size_t i = 0, seen = 0; i < 256; i++)
    {
      seen += hist[i];
      if (seen >= half)
        return (float) i / 255.0f;
    }
  return 1.0f; /* not reached: n ≥ 1 */
}

static bool
check_args (const void *pixels,
            size_t      width,
            size_t      height,
            size_t      stride,
            BpPolarity  polarity,
            const float *out,
            BpError    *error)
{
  if (pixels == NULL || out == NULL)
    return bp_error_set (error, BP_ERROR_INVALID, "preprocessing: no pixels or no output buffer");
  if (width == 0 || height == 0)
    return bp_error_set (error, BP_ERROR_INVALID, "preprocessing: the image is %zu×%zu pixels",
                         width, height);
  if (stride < width)
    return bp_error_set (error, BP_ERROR_INVALID,
                         "preprocessing: rows start %zu pixels apart but are %zu pixels wide",
                         stride, width);
  if (height - 1 > (SIZE_MAX - width) / stride)
    return bp_error_set (error, BP_ERROR_INVALID,
                         "preprocessing: a %zu×%zu image with stride %zu overflows memory",
                         width, height, stride);
  if ((unsigned) polarity > BP_POLARITY_LIGHT_INK)
    return bp_error_set (error, BP_ERROR_INVALID, "preprocessing: unknown polarity %d",
                         (int) polarity);
  return true;
}

/* The half-open range of source indices whose pixels [i, i + 1) land, through t = i·s + off, on
 * some part of [0, BP_PREPROCESS_SIDE). */
static void
source_range (double  scale,
              double  offset,
              size_t  n,
              size_t *lo,
              size_t *hi)
{
  double a = floor (-offset / scale) - 1.0;
  double b = ceil (((double) BP_PREPROCESS_SIDE - offset) / scale) + 1.0;

  a = a > 0.0 ? a : 0.0;
  b = b < (double) n ? b : (double) n;
  *lo = (size_t) a;
  *hi = b > a ? (size_t) b : *lo;
}

/* Add @mass × the area of [t0, t0 + s)² ∩ pixel into every output pixel it covers: the
 * source pixel's share of each output pixel's area, which is what area averaging sums. */
static void
splat (double *acc,
       double  mass,
       double  tx0,
       double  ty0,
       double  s)
{
  const double side = (double) BP_PREPROCESS_SIDE;
  double tx1 = tx0 + s;
  double ty1 = ty0 + s;
  double cx0 = tx0 > 0.0 ? tx0 : 0.0;
  double cx1 = tx1 < side ? tx1 : side;
  double cy0 = ty0 > 0.0 ? ty0 : 0.0;
  double cy1 = ty1 < side ? ty1 : side;

  if (cx1 <= cx0 || cy1 <= cy0)
    return;

  for (size_t r = (size_t) cy0; (double) r < cy1 && r < BP_PREPROCESS_SIDE; r++)
    {
      double oy = fmin (cy1, (double) (r + 1)) - fmax (cy0, (double) r);

      if (oy <= 0.0)
        continue;
      for (size_t c = (size_t) cx0; (double) c < cx1 && c < BP_PREPROCESS_SIDE; c++)
        {
          double ox = fmin (cx1, (double) (c + 1)) - fmax (cx0, (double) c);

          if (ox > 0.0)
            acc[r * BP_PREPROCESS_SIDE + c] += mass * ox * oy;
        }
    }
}

static BpPreprocessStatus
preprocess (const Source     *src,
            BpPolarity        polarity,
            float            *out,
            BpPreprocessInfo *info)
{
  double acc[BP_PREPROCESS_N_PIXELS] = { 0 };
  BpPreprocessInfo found = { 0 };
  InkMap map;
  double sum = 0.0;
  float vmin = 1.0f;
  float vmax = 0.0f;
  double mass_sum = 0.0, mass_x = 0.0, mass_y = 0.0;
  size_t bx0 = SIZE_MAX, by0 = SIZE_MAX, bx1 = 0, by1 = 0;
  double s, off_x, off_y, peak;
  size_t x_lo, x_hi, y_lo, y_hi;

  memset (out, 0, BP_PREPROCESS_N_PIXELS * sizeof (float));
  if (info != NULL)
    *info = found;

  /* 1. The ground, the mean, and the extremes. */
  map.ground = border_median (src);
  for (size_t y = 0; y < src->height; y++)
    for (size_t x = 0; x < src->width; x++)
      {
        float v = sample (src, x, y);

        sum += v;
        vmin = v < vmin ? v : vmin;
        vmax = v > vmax ? v : vmax;
      }

  if (polarity == BP_POLARITY_AUTO)
    {
      double mean = sum / ((double) src->width * (double) src->height);

      /* Ink pulls the mean away from the ground towards its own side; a tie (a uniform image)
       * is read as paper, and is empty anyway. */
      polarity = mean <= (double) map.ground ? BP_POLARITY_DARK_INK : BP_POLARITY_LIGHT_INK;
    }
  map.dark = polarity == BP_POLARITY_DARK_INK;

  /* 2. Contrast. */
  map.contrast = map.dark ? map.ground - vmin : vmax - map.ground;
  found.polarity = polarity;
  found.ground = map.ground;
  found.contrast = map.contrast > 0.0f ? map.contrast : 0.0f;
  if (info != NULL)
    *info = found;
  if (!(map.contrast >= BP_PREPROCESS_MIN_CONTRAST))
    return BP_PREPROCESS_EMPTY;

  /* 3–4. Bounding box and centre of mass. */
  for (size_t y = 0; y < src->height; y++)
    for (size_t x = 0; x < src->width; x++)
      {
        float ink = ink_of (&map, sample (src, x, y));
        float m;

        if (ink >= BP_PREPROCESS_BOX_LEVEL)
          {
            bx0 = x < bx0 ? x : bx0;
            by0 = y < by0 ? y : by0;
            bx1 = x > bx1 ? x : bx1;
            by1 = y > by1 ? y : by1;
          }
        m = mass_of (ink);
        if (m > 0.0f)
          {
            mass_sum += m;
            mass_x += (double) m * ((double) x + 0.5);
            mass_y += (double) m * ((double) y + 0.5);
          }
      }
  /* The strongest pixel has ink 1, so both are found whenever the contrast is; the check keeps
   * the arithmetic below safe if rounding ever says otherwise. */
  if (bx0 == SIZE_MAX || !(mass_sum > 0.0))
    return BP_PREPROCESS_EMPTY;

  found.box_x = bx0;
  found.box_y = by0;
  found.box_width = bx1 - bx0 + 1;
  found.box_height = by1 - by0 + 1;
  found.centre_x = (float) (mass_x / mass_sum);
  found.centre_y = (float) (mass_y / mass_sum);

  /* 5. Output coordinate of source coordinate u: u·s + off, with the centre of mass landing on
   * the middle of pixel (14, 14). */
  s = (double) BP_PREPROCESS_BOX
      / (double) (found.box_width > found.box_height ? found.box_width : found.box_height);
  off_x = (double) BP_PREPROCESS_CENTRE + 0.5 - mass_x / mass_sum * s;
  off_y = (double) BP_PREPROCESS_CENTRE + 0.5 - mass_y / mass_sum * s;
  found.scale = (float) s;
  if (info != NULL)
    *info = found;

  source_range (s, off_x, src->width, &x_lo, &x_hi);
  source_range (s, off_y, src->height, &y_lo, &y_hi);
  for (size_t y = y_lo; y < y_hi; y++)
    for (size_t x = x_lo; x < x_hi; x++)
      {
        float m = mass_of (ink_of (&map, sample (src, x, y)));

        if (m > 0.0f)
          splat (acc, m, (double) x * s + off_x, (double) y * s + off_y, s);
      }

  /* 6. Full ink at the strongest pixel, as in MNIST. */
  peak = 0.0;
  for (size_t i = 0; i < BP_PREPROCESS_N_PIXELS; i++)
    peak = acc[i] > peak ? acc[i] : peak;
  if (!(peak > 0.0))
    return BP_PREPROCESS_EMPTY;
  for (size_t i = 0; i < BP_PREPROCESS_N_PIXELS; i++)
    out[i] = (float) (acc[i] / peak);

  return BP_PREPROCESS_OK;
}

BpPreprocessStatus
bp_preprocess_u8 (const uint8_t    *pixels,
                  size_t            width,
                  size_t            height,
                  size_t            stride,
                  BpPolarity        polarity,
                  float            *out,
                  BpPreprocessInfo *info,
                  BpError          *error)
{
  Source src = { pixels, NULL, width, height, stride };

  if (!check_args (pixels, width, height, stride, polarity, out, error))
    return BP_PREPROCESS_ERROR;
  return preprocess (&src, polarity, out, info);
}

BpPreprocessStatus
bp_preprocess_float (const float      *pixels,
                     size_t            width,
                     size_t            height,
                     size_t            stride,
                     BpPolarity        polarity,
                     float            *out,
                     BpPreprocessInfo *info,
                     BpError          *error)
{
  Source src = { NULL, pixels, width, height, stride };

  if (!check_args (pixels, width, height, stride, polarity, out, error))
    return BP_PREPROCESS_ERROR;
  return preprocess (&src, polarity, out, info);
}
