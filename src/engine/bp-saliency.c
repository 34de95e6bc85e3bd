/* bp-saliency.c — the gradient of one output with respect to the input pixels, by backpropagation
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For the Draw view's "why": which pixels, made inkier, would raise the chosen class's output.
 * The forward pass is bp_network_forward_layers(), keeping every layer's activations; the backward
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
  size_t max = net->n_inputs;

  for (size_t i = 0; i < net->arch.n_layers; i++)
    {
      total += net->layers[i].n_out;
      max = net->layers[i].n_out > max ? net->layers[i].n_out : max;
    }
  return total + 2 * max;
}

void
bp_network_input_gradient (const BpNetwork *net,
                           const float     *x,
                           size_t           class_index,
                           float           *grad,
                           float           *scratch)
{
  size_t L = net->arch.n_layers;
  size_t n_out = net->n_outputs;
  size_t max = net->n_inputs;
  float *act[BP_MAX_LAYERS];
  float *zs[BP_MAX_LAYERS] = { NULL };
  float *delta, *next, *z;
  float *p = scratch;

  assert (class_index < n_out);

  for (size_t i = 0; i < L; i++)
    {
      act[i] = p;
      p += net->layers[i].n_out;
      max = net->layers[i].n_out > max ? net->layers[i].n_out : max;
    }
  delta = p;
  next = p + max;

  /* Forward, every hidden layer kept for its f′. The output layer's z, which its delta needs,
   * goes where its activations would, and those (not needed) to the delta's buffer, which the
   * delta then overwrites. */
  z = act[L - 1];
  zs[L - 1] = z;
  act[L - 1] = delta;
  bp_network_forward_layers (net, x, zs, act);

  /* Output: y = a_L[k]. Its delta ∂y/∂z_L is σ′ at k alone for sigmoid outputs, and
   * y·(δ_jk − a_j) for softmax, whose every logit moves every probability. */
  if (net->arch.output == BP_OUTPUT_SIGMOID)
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

  /* Backward: δ_{i−1} = W_iᵀ δ_i ⊙ f′(z_{i−1}) (through a conv or pool layer by its own rule),
   * and at the input W_0ᵀ δ_0 alone. */
  for (size_t i = L; i-- > 0;)
    {
      size_t n_in = net->layers[i].n_in;
      float *target = i == 0 ? grad : next;
      float *tmp;

      bp_network_layer_backward_input (net, i, target, delta, i == 0 ? x : act[i - 1]);
      if (i == 0)
        break;
      bp_network_layer_derivative (net, i - 1, act[i - 1], delta);
      for (size_t k = 0; k < n_in; k++)
        target[k] *= delta[k];
      tmp = delta;
      delta = next;
      next = tmp;
    }
}
