/* fuzz-preprocess.c — libFuzzer target for bp-preprocess and classify's PNG decoding
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The first byte picks what the rest is:
 *   0  an 8-bit image: 2 bytes (little-endian) give the width − 1 (mod 1024), 1 byte the
 *      polarity and extra stride, then the pixels, as many full rows as there are;
 *   1  the same with float pixels (any bits: NaN, infinities, subnormals);
 *   2  PNG bytes, decoded as `backprop-cli classify` does (bp-png.c) and preprocessed.
 * Whatever comes in, the result must be OK with every pixel in [0, 1] and the strongest exactly
 * 1, or EMPTY with every pixel 0, never ERROR for valid arguments; and the same input must give
 * the same bits twice. The seed corpus is corpus-preprocess/ (tests/data/make-png-fixtures.py).
 */
#include "config.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "bp-png.h"
#include "bp-preprocess.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
check (bool ok)
{
  if (!ok)
    abort ();
}

static void
check_result (BpPreprocessStatus status,
              const float       *out)
{
  float peak = 0.0f;

  check (status == BP_PREPROCESS_OK || status == BP_PREPROCESS_EMPTY);
  for (size_t i = 0; i < BP_PREPROCESS_N_PIXELS; i++)
    {
      check (out[i] >= 0.0f && out[i] <= 1.0f);
      peak = out[i] > peak ? out[i] : peak;
    }
  check (status == BP_PREPROCESS_OK ? peak == 1.0f : peak == 0.0f);
}

/* Run the 8-bit or float entry point twice and check both results. */
static void
run (const void *pixels,
     bool        is_float,
     size_t      width,
     size_t      height,
     size_t      stride,
     BpPolarity  polarity)
{
  float a[BP_PREPROCESS_N_PIXELS], b[BP_PREPROCESS_N_PIXELS];
  BpPreprocessInfo info;
  BpPreprocessStatus s1, s2;
  BpError error = { 0 };

  if (is_float)
    {
      s1 = bp_preprocess_float (pixels, width, height, stride, polarity, a, &info, &error);
      s2 = bp_preprocess_float (pixels, width, height, stride, polarity, b, NULL, &error);
    }
  else
    {
      s1 = bp_preprocess_u8 (pixels, width, height, stride, polarity, a, &info, &error);
      s2 = bp_preprocess_u8 (pixels, width, height, stride, polarity, b, NULL, &error);
    }
  check (error.code == BP_ERROR_NONE);
  check_result (s1, a);
  check (s1 == s2 && memcmp (a, b, sizeof a) == 0);
  if (s1 == BP_PREPROCESS_OK)
    {
      check (info.box_x + info.box_width <= width && info.box_y + info.box_height <= height);
      check (info.box_width >= 1 && info.box_height >= 1);
      check (info.scale > 0.0f);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  uint8_t mode;

  if (size < 1)
    return 0;
  mode = data[0];
  data++;
  size--;

  if (mode == 0 || mode == 1)
    {
      size_t width, extra, elem, n, height, stride;
      BpPolarity polarity;
      void *pixels;

      if (size < 3)
        return 0;
      width = 1 + ((size_t) data[0] | (size_t) data[1] << 8) % 1024;
      polarity = (BpPolarity) (data[2] % 3);
      extra = data[2] / 3 % 4; /* bytes (or floats) of padding after each row */
      data += 3;
      size -= 3;
      elem = mode == 0 ? 1 : sizeof (float);
      stride = width + extra;
      n = size / elem;
      if (n < width)
        return 0;
      height = (n - width) / stride + 1; /* the last row needs no padding */

      /* A copy of exactly the bytes the image spans, so that ASan sees any read past them. */
      pixels = malloc (((height - 1) * stride + width) * elem);
      check (pixels != NULL);
      memcpy (pixels, data, ((height - 1) * stride + width) * elem);
      run (pixels, mode == 1, width, height, stride, polarity);
      free (pixels);
      return 0;
    }

  if (mode == 2)
    {
      char *message = NULL;
      guint8 *grey;
      int w = 0, h = 0;

      grey = bp_png_to_grey (data, size, &w, &h, &message);
      if (grey == NULL)
        {
          check (message != NULL && *message != '\0');
          g_free (message);
          return 0;
        }
      check (w > 0 && h > 0 && (guint64) w * (guint64) h <= BP_PNG_MAX_PIXELS);
      run (grey, false, (size_t) w, (size_t) h, (size_t) w, BP_POLARITY_AUTO);
      g_free (grey);
    }
  return 0;
}
