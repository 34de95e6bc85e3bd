/* test-distort.c — the stroke-thickness distortion (bp-distort.h)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib.h>
#include <math.h>
#include <string.h>

#include "bp-distort.h"

#define ROWS 9
#define COLS 11

/* A vertical stroke of full ink @width columns wide, centred on column 5, rows 2 to 6. */
static void
stroke (float *img,
        int    width)
{
  memset (img, 0, ROWS * COLS * sizeof (float));
  for (int r = 2; r <= 6; r++)
    for (int c = 5 - width / 2; c <= 5 + width / 2; c++)
      img[r * COLS + c] = 1.0f;
}

static double
ink (const float *img)
{
  double sum = 0.0;

  for (int i = 0; i < ROWS * COLS; i++)
    sum += img[i];
  return sum;
}

/* The ink of row 4 (the stroke's middle), column by column. */
static void
assert_row (const float *img,
            const float  expected[COLS])
{
  for (int c = 0; c < COLS; c++)
    g_assert_cmpfloat_with_epsilon (img[4 * COLS + c], expected[c], 1e-6);
}

static void
test_levels (void)
{
  float img[ROWS * COLS], scratch[2 * ROWS * COLS], before[ROWS * COLS];
  static const float one[COLS] = { 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0 };
  static const float three[COLS] = { 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0 };
  static const float five[COLS] = { 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0 };
  static const float half[COLS] = { 0, 0, 0, 0, 0.5f, 1, 0.5f, 0, 0, 0, 0 };
  static const float four[COLS] = { 0, 0, 0, 0.25f, 1, 1, 1, 0.25f, 0, 0, 0 };
  static const float thin[COLS] = { 0, 0, 0, 0, 0.4f, 1, 0.4f, 0, 0, 0, 0 };
  static const float none[COLS] = { 0 };

  /* Level 0 changes nothing. */
  stroke (img, 3);
  memcpy (before, img, sizeof img);
  bp_distort_thickness (img, ROWS, COLS, 0.0, scratch);
  g_assert_cmpmem (img, sizeof img, before, sizeof before);

  /* One dilation widens a one-pixel stroke to three, two to five; one erosion takes a
   * three-pixel stroke back to one, and a one-pixel stroke away. */
  stroke (img, 1);
  bp_distort_thickness (img, ROWS, COLS, 1.0, scratch);
  assert_row (img, three);
  g_assert_cmpfloat (img[1 * COLS + 5], ==, 1.0f); /* and one row longer at each end */
  g_assert_cmpfloat (img[7 * COLS + 5], ==, 1.0f);
  g_assert_cmpfloat (img[1 * COLS + 4], ==, 0.0f); /* the 4-neighbourhood: no corners */
  stroke (img, 1);
  bp_distort_thickness (img, ROWS, COLS, 2.0, scratch);
  assert_row (img, five);
  stroke (img, 3);
  bp_distort_thickness (img, ROWS, COLS, -1.0, scratch);
  assert_row (img, one);
  stroke (img, 1);
  bp_distort_thickness (img, ROWS, COLS, -1.0, scratch);
  assert_row (img, none);

  /* Levels in between blend the two nearest. */
  stroke (img, 1);
  bp_distort_thickness (img, ROWS, COLS, 0.5, scratch);
  assert_row (img, half);
  stroke (img, 1);
  bp_distort_thickness (img, ROWS, COLS, 1.25, scratch);
  assert_row (img, four);
  stroke (img, 3);
  bp_distort_thickness (img, ROWS, COLS, -0.6, scratch);
  assert_row (img, thin);
}

/* More level, more ink, always within [0, 1], on a picture with grey levels and ink touching
 * the border. */
static void
test_monotonic (void)
{
  float src[ROWS * COLS], img[ROWS * COLS], scratch[2 * ROWS * COLS];
  double last = -1.0;

  for (int i = 0; i < ROWS * COLS; i++)
    src[i] = (float) ((i * 37) % 11 < 4 ? ((i * 53) % 7) / 6.0 : 0.0);
  for (double level = BP_THICKNESS_MIN; level <= BP_THICKNESS_MAX + 1e-9; level += 0.1)
    {
      double sum;

      memcpy (img, src, sizeof img);
      bp_distort_thickness (img, ROWS, COLS, level, scratch);
      sum = ink (img);
      g_assert_cmpfloat (sum, >=, last);
      for (int i = 0; i < ROWS * COLS; i++)
        {
          g_assert_cmpfloat (img[i], >=, 0.0f);
          g_assert_cmpfloat (img[i], <=, 1.0f);
        }
      if (fabs (level) < 1e-9)
        g_assert_cmpfloat (sum, ==, ink (src));
      last = sum;
    }
}

/* The levels come from the seeded generator: the same seed, the same levels, spread over the
 * whole range, thinning about a third of the time. */
static void
test_random_levels (void)
{
  BpRng a, b;
  int thinner = 0;
  double lo = 10.0, hi = -10.0;

  bp_rng_seed (&a, 5, BP_RNG_STREAM_DISTORT);
  bp_rng_seed (&b, 5, BP_RNG_STREAM_DISTORT);
  for (int i = 0; i < 10000; i++)
    {
      double level = bp_distort_thickness_level (&a);

      g_assert_cmpfloat (level, ==, bp_distort_thickness_level (&b));
      g_assert_cmpfloat (level, >=, BP_THICKNESS_MIN);
      g_assert_cmpfloat (level, <, BP_THICKNESS_MAX);
      thinner += level < 0.0;
      lo = MIN (lo, level);
      hi = MAX (hi, level);
    }
  g_assert_cmpfloat (lo, <, BP_THICKNESS_MIN + 0.01);
  g_assert_cmpfloat (hi, >, BP_THICKNESS_MAX - 0.01);
  g_assert_cmpint (thinner, >, 2900);
  g_assert_cmpint (thinner, <, 3500);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/distort/levels", test_levels);
  g_test_add_func ("/distort/monotonic", test_monotonic);
  g_test_add_func ("/distort/random-levels", test_random_levels);
  return g_test_run ();
}
