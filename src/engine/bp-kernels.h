/* bp-kernels.h — the dense-layer kernels: a naive oracle and SIMD variants (private)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every layer of a fully connected network is two big products per mini-batch: the forward
 * product and the weight update. These kernels are free functions with outputs first, inputs
 * next and dimensions last. Variants are chosen at run time from the CPU's features, so the
 * default build runs on any x86-64 (no -march=native).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* The update folded into the weight-gradient kernel, per weight w with gradient g (summed over
 * the mini-batch):  Δ = −decay·w − l1·sgn(w) − scale·g;  v ← momentum·v + Δ;  w ← w + v
 * (without a velocity buffer: w ← w + Δ). Biases: Δ = −scale·g. */
typedef struct
{
  float  scale;    /* η/m */
  float  decay;    /* ηλ₂/n */
  float  l1;       /* ηλ₁/n */
  float  momentum; /* μ */
  float *vw;       /* velocity of the weights (n_out, n_in), or NULL */
  float *vb;       /* velocity of the biases (n_out), or NULL */
} BpUpdate;

typedef struct
{
  const char *name;

  /* out (B, n_out) = in (B, n_in) · Wᵀ + b,  W (n_out, n_in) */
  void (*linear_forward) (float       *out,
                          const float *in,
                          const float *w,
                          const float *b,
                          size_t       batch,
                          size_t       n_in,
                          size_t       n_out);

  /* W (n_out, n_in) and b (n_out) updated by BpUpdate with
   * ∇W = d_outᵀ (n_out, B) · in (B, n_in) and ∇b = Σ_B d_out */
  void (*linear_update) (float          *w,
                         float          *b,
                         const float    *d_out,
                         const float    *in,
                         size_t          batch,
                         size_t          n_in,
                         size_t          n_out,
                         const BpUpdate *update);
} BpKernelTable;

/* BP_KERNEL_NAIVE → the naive table; BP_KERNEL_FAST → the best table this CPU runs. */
const BpKernelTable *bp_kernel_table (int kernel);

/* A table by name ("naive", "avx2", "avx512"), or NULL when unknown or this CPU lacks it. */
const BpKernelTable *bp_kernel_table_by_name (const char *name);

/* ∇W (n_out, n_in) = d_outᵀ · in;  ∇b (n_out) = Σ_B d_out   (the naive gradient, overwrites) */
void bp_linear_gradient_naive (float       *dw,
                               float       *db,
                               const float *d_out,
                               const float *in,
                               size_t       batch,
                               size_t       n_in,
                               size_t       n_out);

/* d_in (B, n_in) = d_out (B, n_out) · W (n_out, n_in) */
void bp_linear_backward_input (float       *d_in,
                               const float *d_out,
                               const float *w,
                               size_t       batch,
                               size_t       n_in,
                               size_t       n_out);

/* The flat update of n weights (or biases, with decay = l1 = 0) from a gradient buffer. */
void bp_update_flat (float          *w,
                     const float    *g,
                     float          *v,
                     size_t          n,
                     float           scale,
                     float           decay,
                     float           l1,
                     float           momentum);
