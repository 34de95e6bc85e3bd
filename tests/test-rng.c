/* test-rng.c — the seeded random number generator
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib.h>
#include <math.h>

#include "bp-rng.h"

static void
test_reproducible (void)
{
  BpRng a, b, c;

  bp_rng_seed (&a, 42, BP_RNG_STREAM_INIT);
  bp_rng_seed (&b, 42, BP_RNG_STREAM_INIT);
  bp_rng_seed (&c, 42, BP_RNG_STREAM_SHUFFLE);
  for (int i = 0; i < 1000; i++)
    {
      uint64_t x = bp_rng_next (&a);

      g_assert_cmpuint (x, ==, bp_rng_next (&b));
      g_assert_cmpuint (x, !=, bp_rng_next (&c));
    }
  /* Known values pin the algorithm (xoshiro256** seeded by splitmix64), so that a seed means
   * the same run on every machine and in every later version. */
  bp_rng_seed (&a, 1, 1);
  g_assert_cmpuint (bp_rng_next (&a), ==, UINT64_C (0xbaa24e21d05c2935));
  for (int i = 0; i < 998; i++)
    bp_rng_next (&a);
  g_assert_cmpuint (bp_rng_next (&a), ==, UINT64_C (0x8c2284ecb5939d5b));
}

static void
test_uniform (void)
{
  BpRng rng;
  double sum = 0.0;
  const int n = 200000;

  bp_rng_seed (&rng, 5, 0);
  for (int i = 0; i < n; i++)
    {
      double u = bp_rng_uniform (&rng);
      float f = bp_rng_uniform_float (&rng);

      g_assert_cmpfloat (u, >=, 0.0);
      g_assert_cmpfloat (u, <, 1.0);
      g_assert_cmpfloat (f, >=, 0.0f);
      g_assert_cmpfloat (f, <, 1.0f);
      sum += u;
    }
  g_assert_cmpfloat (fabs (sum / n - 0.5), <, 0.005);
}

/* The batch of floats is the same draws as one call after another, and leaves the same state. */
static void
test_uniform_floats (void)
{
  BpRng a, b;
  float many[1001];

  bp_rng_seed (&a, 9, BP_RNG_STREAM_DROPOUT);
  bp_rng_seed (&b, 9, BP_RNG_STREAM_DROPOUT);
  bp_rng_uniform_floats (&a, many, G_N_ELEMENTS (many));
  for (size_t i = 0; i < G_N_ELEMENTS (many); i++)
    {
      float f = bp_rng_uniform_float (&b);

      g_assert_cmpmem (&many[i], sizeof (float), &f, sizeof (float));
    }
  g_assert_cmpmem (a.s, sizeof a.s, b.s, sizeof b.s);
  g_assert_cmpuint (bp_rng_next (&a), ==, bp_rng_next (&b));
}

static void
test_below (void)
{
  BpRng rng;
  int counts[7] = { 0 };

  bp_rng_seed (&rng, 9, 0);
  for (int i = 0; i < 70000; i++)
    {
      uint64_t v = bp_rng_below (&rng, 7);

      g_assert_cmpuint (v, <, 7);
      counts[v]++;
    }
  for (int i = 0; i < 7; i++)
    g_assert_cmpint (abs (counts[i] - 10000), <, 400);
  g_assert_cmpuint (bp_rng_below (&rng, 1), ==, 0);
}

static void
test_gaussian (void)
{
  BpRng rng;
  double s = 0.0, s2 = 0.0, s4 = 0.0;
  const int n = 400000;

  bp_rng_seed (&rng, 3, 0);
  for (int i = 0; i < n; i++)
    {
      double g = bp_rng_gaussian (&rng);

      s += g;
      s2 += g * g;
      s4 += g * g * g * g;
    }
  g_assert_cmpfloat (fabs (s / n), <, 0.01);
  g_assert_cmpfloat (fabs (s2 / n - 1.0), <, 0.01);
  g_assert_cmpfloat (fabs (s4 / n - 3.0), <, 0.06); /* the normal's kurtosis */
}

static void
test_shuffle (void)
{
  BpRng rng;
  size_t idx[1000];
  gboolean seen[1000] = { FALSE };
  size_t fixed = 0;

  for (size_t i = 0; i < 1000; i++)
    idx[i] = i;
  bp_rng_seed (&rng, 11, BP_RNG_STREAM_SHUFFLE);
  bp_rng_shuffle (&rng, idx, 1000);
  for (size_t i = 0; i < 1000; i++)
    {
      g_assert_cmpuint (idx[i], <, 1000);
      g_assert_false (seen[idx[i]]);
      seen[idx[i]] = TRUE;
      fixed += idx[i] == i;
    }
  /* A random permutation has about one fixed point. */
  g_assert_cmpuint (fixed, <, 10);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/rng/reproducible", test_reproducible);
  g_test_add_func ("/rng/uniform", test_uniform);
  g_test_add_func ("/rng/uniform-floats", test_uniform_floats);
  g_test_add_func ("/rng/below", test_below);
  g_test_add_func ("/rng/gaussian", test_gaussian);
  g_test_add_func ("/rng/shuffle", test_shuffle);
  return g_test_run ();
}
