/* bp-rng.h — a small, explicitly seeded random number generator (xoshiro256**)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * No global state: every user owns a BpRng. The same seed and stream give the same sequence on
 * every machine, which is what makes a training run reproducible bit for bit.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct
{
  uint64_t s[4];
  double   spare_gaussian;
  int      has_spare;
} BpRng;

/* Named streams derived from one user seed, so that turning dropout on does not change the
 * order in which examples are shuffled. */
typedef enum
{
  BP_RNG_STREAM_INIT = 1,
  BP_RNG_STREAM_SHUFFLE,
  BP_RNG_STREAM_DROPOUT,
  BP_RNG_STREAM_DISTORT,
  BP_RNG_STREAM_SAMPLE,
} BpRngStream;

/* Seed @rng from (@seed, @stream) through splitmix64. */
void     bp_rng_seed (BpRng   *rng,
                      uint64_t seed,
                      uint64_t stream);

/* Next 64 random bits. */
uint64_t bp_rng_next (BpRng *rng);

/* Uniform double in [0, 1) with 53 random bits. */
double   bp_rng_uniform (BpRng *rng);

/* Uniform float in [0, 1) with 24 random bits. */
float    bp_rng_uniform_float (BpRng *rng);

/* @n draws of bp_rng_uniform_float () into @out, in order, faster. */
void     bp_rng_uniform_floats (BpRng  *rng,
                                float  *out,
                                size_t  n);

/* Uniform integer in [0, n), without modulo bias. @n must be > 0. */
uint64_t bp_rng_below (BpRng   *rng,
                       uint64_t n);

/* Standard normal N(0, 1) (Marsaglia's polar method, computed in double). */
double   bp_rng_gaussian (BpRng *rng);

/* Fisher–Yates shuffle of @n indices. */
void     bp_rng_shuffle (BpRng  *rng,
                         size_t *indices,
                         size_t  n);

#ifdef __cplusplus
}
#endif
