/* bp-saliency.c — the gradient of one output with respect to the input pixels, by backpropagation
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For the Draw view's "why": which pixels, made inkier, would raise the chosen class's output.
 * The forward pass is bp_network_predict()'s, keeping every layer's activations; the backward
 * pass is chapter 2's (BP2: δˡ = (Wˡ⁺¹)ᵀ δˡ⁺¹ ⊙ σ′(zˡ)) with one more step, ∂y/∂x = (W¹)ᵀ δ¹.
 */
#include "config.h"

#include "bp-network.h"

#include <assert.h>
#include <math.h>
#include <string.h>

size_t
bp_network_input_gradient_scratch_size (const BpNetwork *net)
{
  size_t total = 0;
  size_t max = 0;

  for (size_t l = 0; l < net->n_layers; l++)
    {
      if (l > 0)
        total += net->sizes[l];
      max = net->sizes[l] > max ? net->sizes[l] : max;
    }
  return total + 2 * max;
}

/* a = f(z) in place over n values. libm's functions: this runs once per drawing, not per batch,
 * and agrees with the training kernels' approximations to float precision. */
static void
activate (BpActivation activation,
          float       *a,
          size_t       n)
{
  switch (activation)
    {
    case BP_ACTIVATION_SIGMOID:
      for (size_t i = 0; i < n; i++)
        a[i] = 1.0f / (1.0f + expf (-a[i]));
      break;

    case BP_ACTIVATION_TANH:
      for (size_t i = 0; i < n; i++)
        a[i] = tanhf (a[i]);
      break;

    case BP_ACTIVATION_RELU:
      for (size_t i = 0; i < n; i++)
        a[i] = a[i] > 0.0f ? a[i] : 0.0f;
      break;

    default:
      assert (!"unknown activation");
    }
}

/* f′(z) from a = f(z). */
static inline float
derivative (BpActivation activation,
            float        a)
{
  switch (activation)
    {
    case BP_ACTIVATION_SIGMOID:
      return a * (1.0f - a);
    case BP_ACTIVATION_TANH:
      return 1.0f - a * a;
    case BP_ACTIVATION_RELU:
    default:
      return a > 0.0f ? 1.0f : 0.0f;
    }
}

void
bp_network_input_gradient (const BpNetwork *net,
                           const float     *x,
                           size_t           class_index,
                           float           *grad,
                           float           *scratch)
{
  size_t L = net->n_layers;
  size_t n_out = net->sizes[L - 1];
  size_t max = 0;
  float *act[BP_MAX_LAYERS];
  float *delta, *next;
  float *p = scratch;
  const float *in = x;

  assert (class_index < n_out);

  for (size_t l = 0; l < L; l++)
    max = net->sizes[l] > max ? net->sizes[l] : max;
  act[0] = NULL; /* the input is x itself */
  for (size_t l = 1; l < L; l++)
    {
      act[l] = p;
      p += net->sizes[l];
    }
  delta = p;
  next = p + max;

  /* Forward: aˡ = f(Wˡ aˡ⁻¹ + bˡ), every layer kept for its f′. */
  for (size_t l = 1; l < L; l++)
    {
      size_t n_in = net->sizes[l - 1];
      size_t n = net->sizes[l];
      const float *w = net->params + net->w_offset[l];
      const float *b = net->params + net->b_offset[l];
      float *a = act[l];

      for (size_t j = 0; j < n; j++)
        {
          float s = 0.0f;

          for (size_t k = 0; k < n_in; k++)
            s += w[j * n_in + k] * in[k];
          a[j] = s + b[j];
        }
      if (l + 1 < L)
        activate (net->activation, a, n);
      in = a;
    }

  /* Output: y = a_L[k]. Its delta ∂y/∂z_L is σ′ at k alone for sigmoid outputs, and
   * y·(δ_jk − a_j) for softmax, whose every logit moves every probability. */
  {
    float *z = act[L - 1];

    if (net->output == BP_OUTPUT_SIGMOID)
      {
        float y = 1.0f / (1.0f + expf (-z[class_index]));

        memset (delta, 0, n_out * sizeof (float));
        delta[class_index] = y * (1.0f - y);
      }
    else
      {
        float zmax = z[0];
        float sum = 0.0f;
        float y;

        for (size_t j = 1; j < n_out; j++)
          zmax = z[j] > zmax ? z[j] : zmax;
        for (size_t j = 0; j < n_out; j++)
          {
            delta[j] = expf (z[j] - zmax);
            sum += delta[j];
          }
        for (size_t j = 0; j < n_out; j++)
          delta[j] /= sum;
        y = delta[class_index];
        for (size_t j = 0; j < n_out; j++)
          delta[j] = y * ((j == class_index ? 1.0f : 0.0f) - delta[j]);
      }
  }

  /* Backward: δˡ⁻¹ = (Wˡ)ᵀ δˡ ⊙ f′(zˡ⁻¹), and at the input (W¹)ᵀ δ¹ alone. */
  for (size_t l = L - 1; l >= 1; l--)
    {
      size_t n_in = net->sizes[l - 1];
      size_t n = net->sizes[l];
      const float *w = net->params + net->w_offset[l];
      float *target = l == 1 ? grad : next;
      float *tmp;

      memset (target, 0, n_in * sizeof (float));
      /* Row by row over W keeps the reads contiguous. */
      for (size_t j = 0; j < n; j++)
        {
          float d = delta[j];

          if (d == 0.0f)
            continue;
          for (size_t k = 0; k < n_in; k++)
            target[k] += w[j * n_in + k] * d;
        }
      if (l == 1)
        break;
      for (size_t k = 0; k < n_in; k++)
        target[k] *= derivative (net->activation, act[l - 1][k]);
      tmp = delta;
      delta = next;
      next = tmp;
    }
}
