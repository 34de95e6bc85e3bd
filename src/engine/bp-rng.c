/* bp-rng.c — xoshiro256** seeded through splitmix64
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-rng.h"

#include <assert.h>
#include <math.h>

static uint64_t
splitmix64 (uint64_t *state)
{
  uint64_t z = (*state += UINT64_C (0x9E3779B97F4A7C15));

  z = (z ^ (z >> 30)) * UINT64_C (0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * UINT64_C (0x94D049BB133111EB);
  return z ^ (z >> 31);
}

static inline uint64_t
rotl (uint64_t x,
      int      k)
{
  return (x << k) | (x >> (64 - k));
}

void
bp_rng_seed (BpRng   *rng,
             uint64_t seed,
             uint64_t stream)
{
  uint64_t state = seed ^ (stream * UINT64_C (0xD1B54A32D192ED03));

  for (int i = 0; i < 4; i++)
    rng->s[i] = splitmix64 (&state);
  rng->spare_gaussian = 0.0;
  rng->has_spare = 0;
}

uint64_t
bp_rng_next (BpRng *rng)
{
  uint64_t *s = rng->s;
  uint64_t result = rotl (s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);

  return result;
}

double
bp_rng_uniform (BpRng *rng)
{
  return (double) (bp_rng_next (rng) >> 11) * 0x1.0p-53;
}

float
bp_rng_uniform_float (BpRng *rng)
{
  return (float) (bp_rng_next (rng) >> 40) * 0x1.0p-24f;
}

void
bp_rng_uniform_floats (BpRng  *rng,
                       float  *out,
                       size_t  n)
{
  /* bp_rng_next () and bp_rng_uniform_float () inline, with the state in registers: a
   * mini-batch's dropout masks are tens of thousands of draws. */
  uint64_t s0 = rng->s[0], s1 = rng->s[1], s2 = rng->s[2], s3 = rng->s[3];

  for (size_t i = 0; i < n; i++)
    {
      uint64_t result = rotl (s1 * 5, 7) * 9;
      uint64_t t = s1 << 17;

      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = rotl (s3, 45);
      out[i] = (float) (result >> 40) * 0x1.0p-24f;
    }
  rng->s[0] = s0;
  rng->s[1] = s1;
  rng->s[2] = s2;
  rng->s[3] = s3;
}

uint64_t
bp_rng_below (BpRng   *rng,
              uint64_t n)
{
  /* Lemire's nearly divisionless method would be faster; rejection on the top bits is simple
   * and this is not a hot path. */
  uint64_t threshold;
  uint64_t r;

  assert (n > 0);
  threshold = (UINT64_MAX - n + 1) % n; /* 2^64 mod n */
  do
    r = bp_rng_next (rng);
  while (r < threshold);

  return r % n;
}

double
bp_rng_gaussian (BpRng *rng)
{
  double u, v, s, f;

  if (rng->has_spare)
    {
      rng->has_spare = 0;
      return rng->spare_gaussian;
    }

  do
    {
      u = 2.0 * bp_rng_uniform (rng) - 1.0;
      v = 2.0 * bp_rng_uniform (rng) - 1.0;
      s = u * u + v * v;
    }
  while (s >= 1.0 || s == 0.0);

  f = sqrt (-2.0 * log (s) / s);
  rng->spare_gaussian = v * f;
  rng->has_spare = 1;

  return u * f;
}

void
bp_rng_shuffle (BpRng  *rng,
                size_t *indices,
                size_t  n)
{
  for (size_t i = n; i > 1; i--)
    {
      size_t j = (size_t) bp_rng_below (rng, i);
      size_t tmp = indices[i - 1];

      indices[i - 1] = indices[j];
      indices[j] = tmp;
    }
}
