/* bp-cost.c — one example's cost, its output error (BP1) and the activations' derivatives
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-network.h"

#include <assert.h>
#include <math.h>
#include <stdbool.h>

/* ln(1 + eˣ) without overflow. */
static inline double
softplus (double x)
{
  return x > 0.0 ? x + log1p (exp (-x)) : log1p (exp (x));
}

double
bp_cost_example (BpCost       cost,
                 const float *a,
                 const float *z,
                 size_t       label,
                 size_t       n)
{
  double total = 0.0;

  switch (cost)
    {
    case BP_COST_QUADRATIC:
      for (size_t j = 0; j < n; j++)
        {
          double d = (double) a[j] - (j == label ? 1.0 : 0.0);
          total += 0.5 * d * d;
        }
      break;

    case BP_COST_CROSS_ENTROPY:
      /* −ln σ(z) = softplus(−z) and −ln(1 − σ(z)) = softplus(z): finite where network2.py
       * needs nan_to_num. */
      for (size_t j = 0; j < n; j++)
        total += j == label ? softplus (-(double) z[j]) : softplus ((double) z[j]);
      break;

    case BP_COST_LOG_LIKELIHOOD:
      {
        /* −ln softmax(z)_y = logsumexp(z) − z_y */
        double max = z[0];
        double sum = 0.0;

        for (size_t j = 1; j < n; j++)
          max = z[j] > max ? z[j] : max;
        for (size_t j = 0; j < n; j++)
          sum += exp ((double) z[j] - max);
        total += max + log (sum) - (label < n ? (double) z[label] : 0.0);
      }
      break;

    default:
      assert (!"unknown cost");
    }

  return total;
}

void
bp_cost_output_delta (BpCost       cost,
                      const float *a,
                      size_t       label,
                      float       *delta,
                      size_t       n)
{
  bool quadratic = cost == BP_COST_QUADRATIC;

  for (size_t j = 0; j < n; j++)
    {
      float aj = a[j];
      float diff = aj - (j == label ? 1.0f : 0.0f);

      /* Quadratic: (a − y)·σ′(z). Cross-entropy with sigmoid and log-likelihood with softmax
       * both give a − y: the σ′ that slows learning cancels out (chapter 3). */
      delta[j] = quadratic ? diff * aj * (1.0f - aj) : diff;
    }
}

void
bp_activation_derivative (BpActivation activation,
                          const float *a,
                          float       *deriv,
                          size_t       n)
{
  for (size_t k = 0; k < n; k++)
    switch (activation)
      {
      case BP_ACTIVATION_SIGMOID:
        deriv[k] = a[k] * (1.0f - a[k]);
        break;
      case BP_ACTIVATION_TANH:
        deriv[k] = 1.0f - a[k] * a[k];
        break;
      case BP_ACTIVATION_RELU:
      default:
        deriv[k] = a[k] > 0.0f ? 1.0f : 0.0f;
        break;
      }
}
