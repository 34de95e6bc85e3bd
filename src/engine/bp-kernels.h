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

#include "bp-network.h"

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

  /* out (B, n_out) = in (B, n_in) · Wᵀ + b,  W (n_out, n_in), out's rows @ld ≥ n_out floats
   * apart: so that a thread may compute neurons j0 … j1 of a layer, given out + j0, W's rows
   * from j0 and b + j0, with the very numbers the whole layer's call gives them */
  void (*linear_forward) (float       *out,
                          const float *in,
                          const float *w,
                          const float *b,
                          size_t       batch,
                          size_t       n_in,
                          size_t       n_out,
                          size_t       ld);

  /* W (n_out, n_in) and b (n_out) updated by BpUpdate with
   * ∇W = d_outᵀ (n_out, B) · in (B, n_in) and ∇b = Σ_B d_out, d_out's rows @ld ≥ n_out floats
   * apart: so that a thread may update rows j0 … j1 of a layer, given d_out + j0 (and w, b and
   * the velocities from row j0), with the very numbers the whole layer's call gives them */
  void (*linear_update) (float          *w,
                         float          *b,
                         const float    *d_out,
                         const float    *in,
                         size_t          batch,
                         size_t          n_in,
                         size_t          n_out,
                         size_t          ld,
                         const BpUpdate *update);

  /* Columns [k0, k1) of d_in (B, n_in) = d_out (B, n_out) · W (n_out, n_in), d_in's element
   * (r, k) at d_in[r·ld + k − k0]: bp_linear_backward_input_cols()'s very numbers (each a sum
   * over j in order, of products rounded before they are added) */
  void (*linear_backward_input) (float       *d_in,
                                 size_t       ld,
                                 const float *d_out,
                                 const float *w,
                                 size_t       batch,
                                 size_t       n_in,
                                 size_t       n_out,
                                 size_t       k0,
                                 size_t       k1);

  /* C (M, N) += A (M, K) · B (K, N): the conv layers' products (im2col). A's element (i, p) is
   * a[i·ars + p·acs] (a row-major A has ars = K, acs = 1; Aᵀ of a row-major (K, M) has ars = 1,
   * acs = M); B's and C's rows are ldb and ldc floats apart. Each element of C is its own sum
   * over p = 0 … K−1 in order. */
  void (*gemm) (float       *c,
                const float *a,
                const float *b,
                size_t       m,
                size_t       n,
                size_t       k,
                size_t       ars,
                size_t       acs,
                size_t       ldb,
                size_t       ldc);
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

/* Columns [k0, k1) of bp_linear_backward_input()'s d_in alone, the same numbers, for threads
 * that share a layer's inputs out: d_in's element (r, k) at d_in[r·ld + k − k0] (a thread's
 * own buffer, so that no cache line is written by two threads for every row of W). */
void bp_linear_backward_input_cols (float       *d_in,
                                    size_t       ld,
                                    const float *d_out,
                                    const float *w,
                                    size_t       batch,
                                    size_t       n_in,
                                    size_t       n_out,
                                    size_t       k0,
                                    size_t       k1);

/* The flat update of n weights (or biases, with decay = l1 = 0) from a gradient buffer. */
void bp_update_flat (float          *w,
                     const float    *g,
                     float          *v,
                     size_t          n,
                     float           scale,
                     float           decay,
                     float           l1,
                     float           momentum);

/* ── Convolution and max-pooling (bp-conv.c) ──────────────────────────────────────────────── */

/* A conv layer's shape: C_in maps of H×W in, C_out maps of (H − k + 1)×(W − k + 1) out. */
typedef struct
{
  size_t c_in, h, w, c_out, k;
} BpConvShape;

/* out (B, C_out, H_out, W_out) = W (C_out, C_in, k, k) ⋆ in (B, C_in, H, W) + b   (naive) */
void bp_conv_forward_naive (float             *out,
                            const float       *in,
                            const float       *w,
                            const float       *b,
                            size_t             batch,
                            const BpConvShape *s);

/* d_in (B, C_in, H, W) = ∂(δ · out)/∂in: each δ spread back over its window through W
 * (naive, overwrites) */
void bp_conv_backward_input_naive (float             *d_in,
                                   const float       *d_out,
                                   const float       *w,
                                   size_t             batch,
                                   const BpConvShape *s);

/* ∇W (C_out, C_in, k, k) = Σ_B Σ_(y,x) δ[o][y][x]·in[c][y + u][x + v];  ∇b (C_out) = Σ_B Σ δ
 * (naive, overwrites) */
void bp_conv_gradient_naive (float             *dw,
                             float             *db,
                             const float       *d_out,
                             const float       *in,
                             size_t             batch,
                             const BpConvShape *s);

/* Floats of scratch the fast conv kernels need: one example's im2col matrix. */
size_t bp_conv_scratch_size (const BpConvShape *s);

/* The same three by im2col and @k's matrix product, through @scratch (bp_conv_scratch_size()).
 * The weight gradient sums example after example, each example's sum in the order of its
 * output positions. */
void bp_conv_forward_fast (float               *out,
                           const float         *in,
                           const float         *w,
                           const float         *b,
                           size_t               batch,
                           const BpConvShape   *s,
                           const BpKernelTable *k,
                           float               *scratch);
void bp_conv_backward_input_fast (float               *d_in,
                                  const float         *d_out,
                                  const float         *w,
                                  size_t               batch,
                                  const BpConvShape   *s,
                                  const BpKernelTable *k,
                                  float               *scratch);
void bp_conv_gradient_fast (float               *dw,
                            float               *db,
                            const float         *d_out,
                            const float         *in,
                            size_t               batch,
                            const BpConvShape   *s,
                            const BpKernelTable *k,
                            float               *scratch);

/* Columns [j0, j1) of bp_conv_gradient_fast()'s ∇W alone (the entries (c, u, v) of every
 * filter, flattened), into dw (C_out, j1 − j0), and ∇b into db unless it is NULL: the same
 * numbers as the whole layer's call, for threads that share a layer out. Each thread copies
 * only its part of every window, so that the shares add up to one layer's work. */
void bp_conv_gradient_cols (float               *dw,
                            float               *db,
                            const float         *d_out,
                            const float         *in,
                            size_t               batch,
                            const BpConvShape   *s,
                            size_t               j0,
                            size_t               j1,
                            const BpKernelTable *k,
                            float               *scratch);

/* out (B, C, H/p, W/p) = the maximum of each p×p window of in (B, C, H, W); p divides H and W. */
void bp_pool_forward (float       *out,
                      const float *in,
                      size_t       batch,
                      size_t       c,
                      size_t       h,
                      size_t       w,
                      size_t       p);

/* d_in (B, C, H, W): each window's δ at the cell the forward took its maximum from (the first
 * on ties), found again from @in; zero elsewhere. Overwrites. */
void bp_pool_backward (float       *d_in,
                       const float *d_out,
                       const float *in,
                       size_t       batch,
                       size_t       c,
                       size_t       h,
                       size_t       w,
                       size_t       p);

/* ── A network's layers of every kind (bp-conv.c), for bp-network.c ────────────────────────── */

/* The shape of conv layer @i for the kernels. */
BpConvShape bp_conv_shape (const BpNetwork *net,
                           size_t           i);

/* Floats of im2col scratch the largest conv layer of @net needs (0 without conv layers). */
size_t bp_network_conv_scratch_size (const BpNetwork *net);

/* Layer @i's weighted input: out (B, n_out) from in (B, n_in). A dense layer takes @k's kernel;
 * a conv layer the im2col one through @scratch, or the naive loops when @scratch is NULL; a
 * pool layer's "weighted input" is its output. */
void bp_layer_forward (const BpNetwork     *net,
                       size_t               i,
                       const BpKernelTable *k,
                       float               *out,
                       const float         *in,
                       size_t               batch,
                       float               *scratch);

/* d_in (B, n_in) from layer @i's d_out (B, n_out) = ∂C/∂z, its weights and (for a pool layer)
 * its input @in; the conv layer's fast kernel when @scratch is not NULL. Overwrites. */
void bp_layer_backward_input (const BpNetwork     *net,
                              size_t               i,
                              float               *d_in,
                              const float         *d_out,
                              const float         *in,
                              size_t               batch,
                              const BpKernelTable *k,
                              float               *scratch);

/* Layer @i's ∇W and ∇b into @grad at its offsets (overwriting), summed over the batch. */
void bp_layer_gradient (const BpNetwork     *net,
                        size_t               i,
                        float               *grad,
                        const float         *d_out,
                        const float         *in,
                        size_t               batch,
                        const BpKernelTable *k,
                        float               *scratch);
