/* bp-kernels.c — dense-layer kernels: the naive oracle, AVX2 and AVX-512, chosen at run time
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-kernels.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bp-error.h"
#include "bp-network.h"

/* ── Shared pieces ─────────────────────────────────────────────────────────────────────────── */

static inline float
sgnf (float x)
{
  return (float) (x > 0.0f) - (float) (x < 0.0f);
}

void
bp_update_flat (float *w,
                const float *g,
                float       *v,
                size_t       n,
                float        scale,
                float        decay,
                float        l1,
                float        momentum)
{
  if (v != NULL)
    {
      for (size_t i = 0; i < n; i++)
        {
          float d = -decay * w[i] - scale * g[i] - l1 * sgnf (w[i]);

          v[i] = momentum * v[i] + d;
          w[i] += v[i];
        }
    }
  else
    {
      for (size_t i = 0; i < n; i++)
        w[i] += -decay * w[i] - scale * g[i] - l1 * sgnf (w[i]);
    }
}

/* b (n_out) updated with ∇b = Σ_B d_out: biases are neither decayed nor L1-regularised. */
static void
update_biases (float          *b,
               const float    *d_out,
               size_t          batch,
               size_t          n_out,
               size_t          ld,
               const BpUpdate *u)
{
  for (size_t j = 0; j < n_out; j++)
    {
      float g = 0.0f;

      for (size_t r = 0; r < batch; r++)
        g += d_out[r * ld + j];
      if (u->vb != NULL)
        {
          u->vb[j] = u->momentum * u->vb[j] - u->scale * g;
          b[j] += u->vb[j];
        }
      else
        b[j] += -u->scale * g;
    }
}

BP_TARGET_CLONES void
bp_linear_backward_input_cols (float       *d_in,
                               size_t       ld,
                               const float *d_out,
                               const float *w,
                               size_t       batch,
                               size_t       n_in,
                               size_t       n_out,
                               size_t       k0,
                               size_t       k1)
{
  /* d_in[r] = Σ_j d_out[r][j] · W[j]: a sum of rows of W, which vectorises along n_in. Row j
   * of W is added to every example's sum before row j + 1 is read, so that W streams from
   * memory once per mini-batch rather than once per example (a 1000 × 1000 layer does not fit
   * in the cache); each sum still adds j = 0, 1, … in order, as one example alone would. */
  for (size_t r = 0; r < batch; r++)
    memset (d_in + r * ld, 0, (k1 - k0) * sizeof (float));
  for (size_t j = 0; j < n_out; j++)
    {
      const float *wj = w + j * n_in + k0;

      for (size_t r = 0; r < batch; r++)
        {
          float d = d_out[r * n_out + j];
          float *di = d_in + r * ld;

          for (size_t k = 0; k < k1 - k0; k++)
            di[k] += d * wj[k];
        }
    }
}

void
bp_linear_backward_input (float       *d_in,
                          const float *d_out,
                          const float *w,
                          size_t       batch,
                          size_t       n_in,
                          size_t       n_out)
{
  bp_linear_backward_input_cols (d_in, n_in, d_out, w, batch, n_in, n_out, 0, n_in);
}

void
bp_linear_gradient_naive (float       *dw,
                          float       *db,
                          const float *d_out,
                          const float *in,
                          size_t       batch,
                          size_t       n_in,
                          size_t       n_out)
{
  for (size_t j = 0; j < n_out; j++)
    {
      float gb = 0.0f;

      for (size_t k = 0; k < n_in; k++)
        {
          float g = 0.0f;

          for (size_t r = 0; r < batch; r++)
            g += d_out[r * n_out + j] * in[r * n_in + k];
          dw[j * n_in + k] = g;
        }
      for (size_t r = 0; r < batch; r++)
        gb += d_out[r * n_out + j];
      db[j] = gb;
    }
}

/* ── Naive: the oracle ─────────────────────────────────────────────────────────────────────── */

static void
linear_forward_naive (float       *out,
                      const float *in,
                      const float *w,
                      const float *b,
                      size_t       batch,
                      size_t       n_in,
                      size_t       n_out,
                      size_t       ld)
{
  for (size_t r = 0; r < batch; r++)
    for (size_t j = 0; j < n_out; j++)
      {
        float s = 0.0f;

        for (size_t k = 0; k < n_in; k++)
          s += in[r * n_in + k] * w[j * n_in + k];
        out[r * ld + j] = s + b[j];
      }
}

static void
linear_update_naive (float          *w,
                     float          *b,
                     const float    *d_out,
                     const float    *in,
                     size_t          batch,
                     size_t          n_in,
                     size_t          n_out,
                     size_t          ld,
                     const BpUpdate *u)
{
  for (size_t j = 0; j < n_out; j++)
    for (size_t k = 0; k < n_in; k++)
      {
        float g = 0.0f;

        for (size_t r = 0; r < batch; r++)
          g += d_out[r * ld + j] * in[r * n_in + k];
        bp_update_flat (w + j * n_in + k, &g, u->vw != NULL ? u->vw + j * n_in + k : NULL, 1,
                        u->scale, u->decay, u->l1, u->momentum);
      }
  update_biases (b, d_out, batch, n_out, ld, u);
}

static void
gemm_naive (float       *c,
            const float *a,
            const float *b,
            size_t       m,
            size_t       n,
            size_t       k,
            size_t       ars,
            size_t       acs,
            size_t       ldb,
            size_t       ldc)
{
  for (size_t i = 0; i < m; i++)
    for (size_t j = 0; j < n; j++)
      {
        float s = c[i * ldc + j];

        for (size_t p = 0; p < k; p++)
          s += a[i * ars + p * acs] * b[p * ldb + j];
        c[i * ldc + j] = s;
      }
}

static const BpKernelTable naive_table = {
  "naive",
  linear_forward_naive,
  linear_update_naive,
  bp_linear_backward_input_cols,
  gemm_naive,
};

/* ── SIMD variants ─────────────────────────────────────────────────────────────────────────── */

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HAVE_X86_SIMD 1
#include <immintrin.h>

/* The conv product's register tile: 6 rows of two vectors, 12 sums (AVX2 has 16 registers). */
#define GEMM_RM_MAX 6

/* AVX-512: 32 registers hold a 5×4 tile of sums with its 5 inputs and a weight row. */
#define SFX      avx512
#define TARGET   __attribute__ ((target ("avx512f,avx2,fma")))
#define V        __m512
#define W        16
#define RB_MAX   5
#define RJ_MAX   4
#define UJ_MAX   6
#define BI_RB_MAX 10
#define MASK_T   __mmask16
#define MASK(rem)            ((__mmask16) ((1u << (rem)) - 1u))
#define VZERO()              _mm512_setzero_ps ()
#define VLOAD(p)             _mm512_loadu_ps (p)
#define VSTORE(p, v)         _mm512_storeu_ps ((p), (v))
#define VLOADM(m, p)         _mm512_maskz_loadu_ps ((m), (p))
#define VSTOREM(p, m, v)     _mm512_mask_storeu_ps ((p), (m), (v))
#define VSET1(x)             _mm512_set1_ps (x)
#define VFMA(a, b, c)        _mm512_fmadd_ps ((a), (b), (c))
#define VMUL(a, b)           _mm512_mul_ps ((a), (b))
#define VADD(a, b)           _mm512_add_ps ((a), (b))
#define VSUB(a, b)           _mm512_sub_ps ((a), (b))
#define VSUM(v)              _mm512_reduce_add_ps (v)
#define VSGN(v)                                                                                \
  _mm512_mask_blend_ps (_mm512_cmp_ps_mask ((v), _mm512_setzero_ps (), _CMP_LT_OQ),            \
                        _mm512_mask_blend_ps (_mm512_cmp_ps_mask ((v), _mm512_setzero_ps (),   \
                                                                  _CMP_GT_OQ),                 \
                                              _mm512_setzero_ps (), _mm512_set1_ps (1.0f)),    \
                        _mm512_set1_ps (-1.0f))
#include "bp-kernels-simd.inc"
#undef SFX
#undef TARGET
#undef V
#undef W
#undef RB_MAX
#undef RJ_MAX
#undef UJ_MAX
#undef BI_RB_MAX
#undef MASK_T
#undef MASK
#undef VZERO
#undef VLOAD
#undef VSTORE
#undef VLOADM
#undef VSTOREM
#undef VSET1
#undef VFMA
#undef VMUL
#undef VADD
#undef VSUB
#undef VSUM
#undef VSGN

/* AVX2: 16 registers hold a 3×4 tile of sums with its 3 inputs and a weight row. */
static const int32_t avx2_mask_table[16] = { -1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0 };

static inline __attribute__ ((always_inline, target ("avx2,fma"))) float
hsum256 (__m256 v)
{
  __m128 lo = _mm256_castps256_ps128 (v);
  __m128 hi = _mm256_extractf128_ps (v, 1);
  __m128 s = _mm_add_ps (lo, hi);

  s = _mm_add_ps (s, _mm_movehl_ps (s, s));
  s = _mm_add_ss (s, _mm_movehdup_ps (s));
  return _mm_cvtss_f32 (s);
}

#define SFX      avx2
#define TARGET   __attribute__ ((target ("avx2,fma")))
#define V        __m256
#define W        8
#define RB_MAX   3
#define RJ_MAX   4
#define UJ_MAX   4
#define BI_RB_MAX 6
#define MASK_T   __m256i
#define MASK(rem)            _mm256_loadu_si256 ((const __m256i *) (avx2_mask_table + 8 - (rem)))
#define VZERO()              _mm256_setzero_ps ()
#define VLOAD(p)             _mm256_loadu_ps (p)
#define VSTORE(p, v)         _mm256_storeu_ps ((p), (v))
#define VLOADM(m, p)         _mm256_maskload_ps ((p), (m))
#define VSTOREM(p, m, v)     _mm256_maskstore_ps ((p), (m), (v))
#define VSET1(x)             _mm256_set1_ps (x)
#define VFMA(a, b, c)        _mm256_fmadd_ps ((a), (b), (c))
#define VMUL(a, b)           _mm256_mul_ps ((a), (b))
#define VADD(a, b)           _mm256_add_ps ((a), (b))
#define VSUB(a, b)           _mm256_sub_ps ((a), (b))
#define VSUM(v)              hsum256 (v)
#define VSGN(v)                                                                                \
  _mm256_sub_ps (_mm256_and_ps (_mm256_cmp_ps ((v), _mm256_setzero_ps (), _CMP_GT_OQ),         \
                                _mm256_set1_ps (1.0f)),                                        \
                 _mm256_and_ps (_mm256_cmp_ps ((v), _mm256_setzero_ps (), _CMP_LT_OQ),         \
                                _mm256_set1_ps (1.0f)))
#include "bp-kernels-simd.inc"

static const BpKernelTable avx512_table = {
  "avx512",
  linear_forward_avx512,
  linear_update_avx512,
  linear_backward_input_avx512,
  gemm_avx512,
};

static const BpKernelTable avx2_table = {
  "avx2",
  linear_forward_avx2,
  linear_update_avx2,
  linear_backward_input_avx2,
  gemm_avx2,
};
#endif

/* ── Dispatch ──────────────────────────────────────────────────────────────────────────────── */

const BpKernelTable *
bp_kernel_table_by_name (const char *name)
{
  if (name == NULL)
    return NULL;
  if (strcmp (name, "naive") == 0)
    return &naive_table;
#ifdef HAVE_X86_SIMD
  __builtin_cpu_init ();
  if (strcmp (name, "avx512") == 0 && __builtin_cpu_supports ("avx512f"))
    return &avx512_table;
  if (strcmp (name, "avx2") == 0 && __builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma"))
    return &avx2_table;
#endif
  return NULL;
}

const BpKernelTable *
bp_kernel_table (int kernel)
{
  const BpKernelTable *t;

  if (kernel == BP_KERNEL_NAIVE)
    return &naive_table;

  /* BACKPROP_KERNEL=avx2 (or naive) forces a variant, to test and measure each on one machine. */
  t = bp_kernel_table_by_name (getenv ("BACKPROP_KERNEL"));
  if (t != NULL)
    return t;
  t = bp_kernel_table_by_name ("avx512");
  if (t == NULL)
    t = bp_kernel_table_by_name ("avx2");
  return t != NULL ? t : &naive_table;
}

const char *
bp_kernel_fast_name (void)
{
  return bp_kernel_table (BP_KERNEL_FAST)->name;
}
