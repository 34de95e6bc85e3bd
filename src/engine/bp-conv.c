/* bp-conv.c — the convolution and max-pooling kernels: the naive oracle and im2col + GEMM
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shapes follow bp-network.h: an example's map is (C, H, W) row-major, a mini-batch is B maps
 * one after the other, a conv layer's weights are W (C_out, C_in, k, k) and its biases b (C_out).
 * Convolution is a cross-correlation (no filter flip), stride 1, no padding.
 */
#include "config.h"

#include "bp-kernels.h"

#include <assert.h>
#include <string.h>

#include "bp-error.h"
#include "bp-network.h"

/* ── Naive: the oracle ─────────────────────────────────────────────────────────────────────── */

void
bp_conv_forward_naive (float             *out,
                       const float       *in,
                       const float       *w,
                       const float       *b,
                       size_t             batch,
                       const BpConvShape *s)
{
  size_t oh = s->h - s->k + 1, ow = s->w - s->k + 1;
  size_t n_in = s->c_in * s->h * s->w, n_out = s->c_out * oh * ow;

  for (size_t r = 0; r < batch; r++)
    for (size_t o = 0; o < s->c_out; o++)
      for (size_t y = 0; y < oh; y++)
        for (size_t x = 0; x < ow; x++)
          {
            float acc = 0.0f;

            for (size_t c = 0; c < s->c_in; c++)
              for (size_t u = 0; u < s->k; u++)
                for (size_t v = 0; v < s->k; v++)
                  acc += w[((o * s->c_in + c) * s->k + u) * s->k + v]
                         * in[r * n_in + (c * s->h + y + u) * s->w + x + v];
            out[r * n_out + (o * oh + y) * ow + x] = acc + b[o];
          }
}

void
bp_conv_backward_input_naive (float             *d_in,
                              const float       *d_out,
                              const float       *w,
                              size_t             batch,
                              const BpConvShape *s)
{
  size_t oh = s->h - s->k + 1, ow = s->w - s->k + 1;
  size_t n_in = s->c_in * s->h * s->w, n_out = s->c_out * oh * ow;

  memset (d_in, 0, batch * n_in * sizeof (float));
  for (size_t r = 0; r < batch; r++)
    for (size_t o = 0; o < s->c_out; o++)
      for (size_t y = 0; y < oh; y++)
        for (size_t x = 0; x < ow; x++)
          {
            float d = d_out[r * n_out + (o * oh + y) * ow + x];

            for (size_t c = 0; c < s->c_in; c++)
              for (size_t u = 0; u < s->k; u++)
                for (size_t v = 0; v < s->k; v++)
                  d_in[r * n_in + (c * s->h + y + u) * s->w + x + v]
                    += d * w[((o * s->c_in + c) * s->k + u) * s->k + v];
          }
}

void
bp_conv_gradient_naive (float             *dw,
                        float             *db,
                        const float       *d_out,
                        const float       *in,
                        size_t             batch,
                        const BpConvShape *s)
{
  size_t oh = s->h - s->k + 1, ow = s->w - s->k + 1;
  size_t n_in = s->c_in * s->h * s->w, n_out = s->c_out * oh * ow;

  for (size_t o = 0; o < s->c_out; o++)
    {
      float gb = 0.0f;

      for (size_t c = 0; c < s->c_in; c++)
        for (size_t u = 0; u < s->k; u++)
          for (size_t v = 0; v < s->k; v++)
            {
              float g = 0.0f;

              for (size_t r = 0; r < batch; r++)
                for (size_t y = 0; y < oh; y++)
                  for (size_t x = 0; x < ow; x++)
                    g += d_out[r * n_out + (o * oh + y) * ow + x]
                         * in[r * n_in + (c * s->h + y + u) * s->w + x + v];
              dw[((o * s->c_in + c) * s->k + u) * s->k + v] = g;
            }
      for (size_t r = 0; r < batch; r++)
        for (size_t q = 0; q < oh * ow; q++)
          gb += d_out[r * n_out + o * oh * ow + q];
      db[o] = gb;
    }
}

/* ── Max-pooling ───────────────────────────────────────────────────────────────────────────── */

/* The index in the map of a window's maximum: the first one in row-major order on ties, so that
 * the backward pass, which finds it again from the same input, routes δ where the forward took
 * the value from. NaN never wins a comparison, so a window of NaN answers its first cell. */
static inline size_t
window_argmax (const float *map,
               size_t       w,
               size_t       y0,
               size_t       x0,
               size_t       p)
{
  size_t best = y0 * w + x0;

  for (size_t u = 0; u < p; u++)
    for (size_t v = 0; v < p; v++)
      {
        size_t at = (y0 + u) * w + x0 + v;

        if (map[at] > map[best])
          best = at;
      }
  return best;
}

void
bp_pool_forward (float       *out,
                 const float *in,
                 size_t       batch,
                 size_t       c,
                 size_t       h,
                 size_t       w,
                 size_t       p)
{
  size_t oh = h / p, ow = w / p;

  assert (oh * p == h && ow * p == w);
  for (size_t m = 0; m < batch * c; m++)
    {
      const float *map = in + m * h * w;
      float *o = out + m * oh * ow;

      if (p == 2)
        {
          /* The common case, without the generic window loop. */
          for (size_t y = 0; y < oh; y++)
            for (size_t x = 0; x < ow; x++)
              {
                const float *r0 = map + 2 * y * w + 2 * x, *r1 = r0 + w;
                float a = r0[0], v;

                v = r0[1];
                a = v > a ? v : a;
                v = r1[0];
                a = v > a ? v : a;
                v = r1[1];
                a = v > a ? v : a;
                o[y * ow + x] = a;
              }
          continue;
        }
      for (size_t y = 0; y < oh; y++)
        for (size_t x = 0; x < ow; x++)
          o[y * ow + x] = map[window_argmax (map, w, y * p, x * p, p)];
    }
}

void
bp_pool_backward (float       *d_in,
                  const float *d_out,
                  const float *in,
                  size_t       batch,
                  size_t       c,
                  size_t       h,
                  size_t       w,
                  size_t       p)
{
  size_t oh = h / p, ow = w / p;

  memset (d_in, 0, batch * c * h * w * sizeof (float));
  for (size_t m = 0; m < batch * c; m++)
    {
      const float *map = in + m * h * w;
      const float *d = d_out + m * oh * ow;
      float *di = d_in + m * h * w;

      if (p == 2)
        {
          /* The forward's comparisons in its order: the first maximum wins. */
          for (size_t y = 0; y < oh; y++)
            for (size_t x = 0; x < ow; x++)
              {
                size_t at = 2 * y * w + 2 * x;
                float a0 = map[at], a1 = map[at + 1], a2 = map[at + w], a3 = map[at + w + 1];
                /* Without branches, which random data would mispredict: each comparison
                 * becomes a mask that picks the offset. */
                size_t c1 = (size_t) 0 - (size_t) (a1 > a0);
                float m1 = a1 > a0 ? a1 : a0;
                size_t off = c1 & 1;
                size_t c2 = (size_t) 0 - (size_t) (a2 > m1);
                float m2 = a2 > m1 ? a2 : m1;
                size_t c3 = (size_t) 0 - (size_t) (a3 > m2);

                off = (off & ~c2) | (w & c2);
                off = (off & ~c3) | ((w + 1) & c3);
                di[at + off] = d[y * ow + x];
              }
          continue;
        }
      for (size_t y = 0; y < oh; y++)
        for (size_t x = 0; x < ow; x++)
          di[window_argmax (map, w, y * p, x * p, p)] = d[y * ow + x];
    }
}

/* ── im2col + GEMM ─────────────────────────────────────────────────────────────────────────── */

/* cols (C_in·k·k, H_out·W_out): row (c, u, v) holds in[c][y + u][x + v] for every output (y, x),
 * so that the convolution of one example is the product W (C_out, C_in·k²) · cols. */
static void
im2col (float             *cols,
        const float       *in,
        const BpConvShape *s)
{
  size_t oh = s->h - s->k + 1, ow = s->w - s->k + 1;

  for (size_t c = 0; c < s->c_in; c++)
    for (size_t u = 0; u < s->k; u++)
      for (size_t v = 0; v < s->k; v++)
        {
          float *row = cols + ((c * s->k + u) * s->k + v) * oh * ow;

          /* A loop rather than memcpy: rows are short (24 or 8 floats in chapter 6), too short
           * for a call to pay. */
          for (size_t y = 0; y < oh; y++)
            {
              const float *src = in + (c * s->h + y + u) * s->w + v;
              float *dst = row + y * ow;

              for (size_t x = 0; x < ow; x++)
                dst[x] = src[x];
            }
        }
}

/* The reverse of im2col: every entry of cols added back to the input cell it came from. */
static void
col2im (float             *d_in,
        const float       *cols,
        const BpConvShape *s)
{
  size_t oh = s->h - s->k + 1, ow = s->w - s->k + 1;

  memset (d_in, 0, s->c_in * s->h * s->w * sizeof (float));
  for (size_t c = 0; c < s->c_in; c++)
    for (size_t u = 0; u < s->k; u++)
      for (size_t v = 0; v < s->k; v++)
        {
          const float *row = cols + ((c * s->k + u) * s->k + v) * oh * ow;

          for (size_t y = 0; y < oh; y++)
            {
              float *dst = d_in + (c * s->h + y + u) * s->w + v;
              const float *src = row + y * ow;

              for (size_t x = 0; x < ow; x++)
                dst[x] += src[x];
            }
        }
}

size_t
bp_conv_scratch_size (const BpConvShape *s)
{
  size_t oh = s->h - s->k + 1, ow = s->w - s->k + 1;

  return s->c_in * s->k * s->k * oh * ow;
}

/* rows (Q, j1 − j0): columns [j0, j1) of im2col's transpose, row (y, x) holding those entries
 * (c, u, v) of the window under output (y, x), so that the weight gradient of one example is
 * the product δ (C_out, Q) · rows. A thread that computes columns [j0, j1) of the gradient copies
 * only its own part of each window. */
static void
im2row_cols (float             *rows,
             const float       *in,
             const BpConvShape *s,
             size_t             j0,
             size_t             j1)
{
  size_t oh = s->h - s->k + 1, ow = s->w - s->k + 1, k = s->k, nj = j1 - j0;
  size_t cu0 = j0 / k, c0 = cu0 / k, u0 = cu0 % k;

  for (size_t y = 0; y < oh; y++)
    for (size_t x = 0; x < ow; x++)
      {
        float *row = rows + (y * ow + x) * nj - j0;
        const float *src = in + (c0 * s->h + y + u0) * s->w + x;

        /* The window's rows (c, u) that meet [j0, j1), each clipped to it; row (c, u + 1)
         * starts a map row further down, (c + 1, 0) a map further on. */
        for (size_t cu = cu0, u = u0; cu * k < j1; cu++)
          {
            size_t v0 = cu * k < j0 ? j0 - cu * k : 0;
            size_t v1 = (cu + 1) * k > j1 ? j1 - cu * k : k;
            float *dst = row + cu * k;

            /* Chapter 6's 5×5 filters: a whole window row is a copy of known size, which
             * compiles to two moves rather than a loop of five. */
            if (k == 5 && v0 == 0 && v1 == 5)
              memcpy (dst, src, 5 * sizeof (float));
            else
              for (size_t v = v0; v < v1; v++)
                dst[v] = src[v];
            if (++u < k)
              src += s->w;
            else
              {
                u = 0;
                src += (s->h - k + 1) * s->w;
              }
          }
      }
}

void
bp_conv_forward_fast (float               *out,
                      const float         *in,
                      const float         *w,
                      const float         *b,
                      size_t               batch,
                      const BpConvShape   *s,
                      const BpKernelTable *k,
                      float               *scratch)
{
  size_t oh = s->h - s->k + 1, ow = s->w - s->k + 1, q = oh * ow;
  size_t n_in = s->c_in * s->h * s->w, n_out = s->c_out * q, kk = s->c_in * s->k * s->k;

  for (size_t r = 0; r < batch; r++)
    {
      float *o = out + r * n_out;

      /* out (C_out, Q) = b + W (C_out, C_in·k²) · cols (C_in·k², Q) */
      im2col (scratch, in + r * n_in, s);
      for (size_t c = 0; c < s->c_out; c++)
        for (size_t j = 0; j < q; j++)
          o[c * q + j] = b[c];
      k->gemm (o, w, scratch, s->c_out, q, kk, kk, 1, q, q);
    }
}

void
bp_conv_backward_input_fast (float               *d_in,
                             const float         *d_out,
                             const float         *w,
                             size_t               batch,
                             const BpConvShape   *s,
                             const BpKernelTable *k,
                             float               *scratch)
{
  size_t oh = s->h - s->k + 1, ow = s->w - s->k + 1, q = oh * ow;
  size_t n_in = s->c_in * s->h * s->w, n_out = s->c_out * q, kk = s->c_in * s->k * s->k;

  for (size_t r = 0; r < batch; r++)
    {
      /* cols (C_in·k², Q) = Wᵀ (C_in·k², C_out) · δ (C_out, Q) */
      memset (scratch, 0, kk * q * sizeof (float));
      k->gemm (scratch, w, d_out + r * n_out, kk, q, s->c_out, 1, kk, q, q);
      col2im (d_in + r * n_in, scratch, s);
    }
}

/* Σ v[0 … n) in a fixed order of eight interleaved partial sums, which vectorises (one chain
 * of dependent additions would cost a conv layer's bias gradient a second per epoch). */
static inline float
sum_map (const float *v,
         size_t       n)
{
  float s[8] = { 0.0f };
  size_t j = 0;

  for (; j + 8 <= n; j += 8)
    for (size_t l = 0; l < 8; l++)
      s[l] += v[j + l];
  for (; j < n; j++)
    s[0] += v[j];
  return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

void
bp_conv_gradient_cols (float               *dw,
                       float               *db,
                       const float         *d_out,
                       const float         *in,
                       size_t               batch,
                       const BpConvShape   *s,
                       size_t               j0,
                       size_t               j1,
                       const BpKernelTable *k,
                       float               *scratch)
{
  size_t oh = s->h - s->k + 1, ow = s->w - s->k + 1, q = oh * ow;
  size_t n_in = s->c_in * s->h * s->w, n_out = s->c_out * q, nj = j1 - j0;

  memset (dw, 0, s->c_out * nj * sizeof (float));
  if (db != NULL)
    memset (db, 0, s->c_out * sizeof (float));
  for (size_t r = 0; r < batch; r++)
    {
      const float *d = d_out + r * n_out;

      /* ∇W (C_out, j1 − j0) += δ (C_out, Q) · rows (Q, j1 − j0), example after example */
      im2row_cols (scratch, in + r * n_in, s, j0, j1);
      k->gemm (dw, d, scratch, s->c_out, nj, q, q, 1, nj, nj);
      if (db != NULL)
        for (size_t o = 0; o < s->c_out; o++)
          db[o] += sum_map (d + o * q, q);
    }
}

void
bp_conv_gradient_fast (float               *dw,
                       float               *db,
                       const float         *d_out,
                       const float         *in,
                       size_t               batch,
                       const BpConvShape   *s,
                       const BpKernelTable *k,
                       float               *scratch)
{
  bp_conv_gradient_cols (dw, db, d_out, in, batch, s, 0, s->c_in * s->k * s->k, k, scratch);
}

/* ── The layers of a network ───────────────────────────────────────────────────────────────── */

/* The shape of conv layer @i for the kernels. */
BpConvShape
bp_conv_shape (const BpNetwork *net,
               size_t           i)
{
  const BpLayer *layer = &net->layers[i];
  BpConvShape shape = { layer->in_c, layer->in_h, layer->in_w, layer->out_c,
                        net->arch.layers[i].kernel };

  return shape;
}

/* Floats of im2col scratch the largest conv layer needs (0 without conv layers). */
size_t
bp_network_conv_scratch_size (const BpNetwork *net)
{
  size_t max = 0;

  for (size_t i = 0; i < net->arch.n_layers; i++)
    if (net->arch.layers[i].kind == BP_LAYER_CONV)
      {
        BpConvShape shape = bp_conv_shape (net, i);
        size_t n = bp_conv_scratch_size (&shape);

        max = n > max ? n : max;
      }
  return max;
}

/* Layer @i's weighted input: out (B, n_out) from in (B, n_in). A dense layer takes @k's kernel;
 * a conv layer the im2col one through @scratch, or the naive loops when @scratch is NULL; a
 * pool layer's "weighted input" is its output. */
void
bp_layer_forward (const BpNetwork     *net,
                  size_t               i,
                  const BpKernelTable *k,
                  float               *out,
                  const float         *in,
                  size_t               batch,
                  float               *scratch)
{
  const BpLayer *layer = &net->layers[i];
  const float *w = net->params + layer->w_offset;
  const float *b = net->params + layer->b_offset;

  switch (net->arch.layers[i].kind)
    {
    case BP_LAYER_CONV:
      {
        BpConvShape shape = bp_conv_shape (net, i);

        if (scratch != NULL)
          bp_conv_forward_fast (out, in, w, b, batch, &shape, k, scratch);
        else
          bp_conv_forward_naive (out, in, w, b, batch, &shape);
      }
      break;
    case BP_LAYER_POOL:
      bp_pool_forward (out, in, batch, layer->in_c, layer->in_h, layer->in_w,
                       net->arch.layers[i].kernel);
      break;
    case BP_LAYER_DENSE:
    default:
      k->linear_forward (out, in, w, b, batch, layer->n_in, layer->n_out, layer->n_out);
      break;
    }
}

/* d_in (B, n_in) from layer @i's d_out (B, n_out) = ∂C/∂z, its weights and (for a pool layer)
 * its input @in; the conv layer's fast kernel when @scratch is not NULL. */
void
bp_layer_backward_input (const BpNetwork     *net,
                         size_t               i,
                         float               *d_in,
                         const float         *d_out,
                         const float         *in,
                         size_t               batch,
                         const BpKernelTable *k,
                         float               *scratch)
{
  const BpLayer *layer = &net->layers[i];
  const float *w = net->params + layer->w_offset;

  switch (net->arch.layers[i].kind)
    {
    case BP_LAYER_CONV:
      {
        BpConvShape shape = bp_conv_shape (net, i);

        if (scratch != NULL)
          bp_conv_backward_input_fast (d_in, d_out, w, batch, &shape, k, scratch);
        else
          bp_conv_backward_input_naive (d_in, d_out, w, batch, &shape);
      }
      break;
    case BP_LAYER_POOL:
      bp_pool_backward (d_in, d_out, in, batch, layer->in_c, layer->in_h, layer->in_w,
                        net->arch.layers[i].kernel);
      break;
    case BP_LAYER_DENSE:
    default:
      if (k != NULL)
        k->linear_backward_input (d_in, layer->n_in, d_out, w, batch, layer->n_in, layer->n_out,
                                  0, layer->n_in);
      else
        bp_linear_backward_input (d_in, d_out, w, batch, layer->n_in, layer->n_out);
      break;
    }
}

/* Layer @i's ∇W and ∇b into @grad at its offsets (overwriting), summed over the batch. */
void
bp_layer_gradient (const BpNetwork     *net,
                   size_t               i,
                   float               *grad,
                   const float         *d_out,
                   const float         *in,
                   size_t               batch,
                   const BpKernelTable *k,
                   float               *scratch)
{
  const BpLayer *layer = &net->layers[i];

  switch (net->arch.layers[i].kind)
    {
    case BP_LAYER_CONV:
      {
        BpConvShape shape = bp_conv_shape (net, i);

        if (scratch != NULL)
          bp_conv_gradient_fast (grad + layer->w_offset, grad + layer->b_offset, d_out, in, batch,
                                 &shape, k, scratch);
        else
          bp_conv_gradient_naive (grad + layer->w_offset, grad + layer->b_offset, d_out, in,
                                  batch, &shape);
      }
      break;
    case BP_LAYER_POOL:
      break;
    case BP_LAYER_DENSE:
    default:
      bp_linear_gradient_naive (grad + layer->w_offset, grad + layer->b_offset, d_out, in, batch,
                                layer->n_in, layer->n_out);
      break;
    }
}

