/* bp-gradcheck.h — section 2.8's comparison: backpropagation's gradient against finite
 * differences, with the time each takes
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * "In what sense is backpropagation a fast algorithm?" Estimating ∂C/∂θⱼ numerically takes
 * forward passes for every parameter θⱼ; backpropagation gives all of them for about the cost of
 * two. bp_gradcheck_run() does both for one example: a trace (bp-trace.h) for the engine's
 * gradient, and for every parameter (or a seeded sample of them) the central difference
 *
 *   ∂C/∂θⱼ ≈ (C(θ + ε eⱼ) − C(θ − ε eⱼ)) / 2ε,   ε = BP_GRADCHECK_EPSILON,
 *
 * two full forward passes per parameter — section 2.8's point is what that costs, so nothing
 * is saved by starting the passes at the perturbed layer.
 *
 * Precision: the engine computes in float, whose rounding (about 6·10⁻⁸ of C) would swamp a
 * central difference with any ε small enough to be accurate. The numerical side therefore runs
 * in double: the parameters are widened exactly, and a double forward pass of the same network
 * (exp, tanh and log of libm, the costs in the engine's forms) is the oracle, as the naive
 * kernels are the fast ones'. With ε = 10⁻⁵ its truncation error (ε²·C‴/6) and rounding error
 * (10⁻¹⁶·C/ε) are both about 10⁻¹¹, so what the comparison shows is the engine's float
 * backprop: agreement to about 10⁻⁶ relative, worse where a gradient is tiny against the terms
 * it was computed from (hence the floor below). Two true differences remain. In a deeply
 * saturated sigmoid or tanh unit (a within 10⁻⁵ of its bound, as N(0, 1) weights over 784 inputs
 * make many), f′ = a(1 − a) or 1 − a² of the float a keeps few digits, and differences of 10⁻³
 * to 10⁻² show on gradients near the floor: the precision training has, which the check
 * reveals. And a ReLU sitting exactly at z = 0 (a zero bias behind inputs that are all 0) has
 * f′(0) = 0 for backprop but half a slope for a central difference across the kink.
 *
 * The check runs on the caller's thread; the engine knows nothing of threads. An app runs it on
 * a worker (a GTask thread) with its own copy of the network, and watches @progress and @cancel.
 */
#pragma once

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bp-error.h"
#include "bp-network.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The central difference's step, on the double parameters. */
#define BP_GRADCHECK_EPSILON 1e-5

/* The relative difference of a backprop gradient g and a numerical one n is
 *   |g − n| / max(|g|, |n|, BP_GRADCHECK_FLOOR):
 * relative for gradients that matter, absolute (in units of the floor) for those near zero,
 * whose float value is mostly rounding of larger terms (δᴸ = a − y for an output a within 10⁻⁷ of
 * its target, say). With a cost of order 1, a gradient under 10⁻⁵ moves nothing in a training
 * step, and float rounding of the terms that make it is about 10⁻⁷ absolute. */
#define BP_GRADCHECK_FLOOR 1e-5

/* bp_gradcheck_run() calls this from its own thread now and then (every 256 parameters and at
 * the end) with the parameters done and the total to do. */
typedef void (*BpGradcheckProgressFunc) (size_t done,
                                         size_t total,
                                         void  *user_data);

typedef struct
{
  size_t  n_params;           /* parameters of the network */
  size_t  n_checked;          /* parameters checked: all of them, or the sample */
  size_t *index;              /* (n_checked) their places in the parameter buffer, ascending */
  float  *backprop;           /* (n_checked) ∂C/∂θ by backpropagation: the trace's, in float */
  double *numerical;          /* (n_checked) ∂C/∂θ by central differences, in double */
  double  cost;               /* C_x by the double forward pass */
  double  backprop_seconds;   /* one backpropagation: a trace (forward, backward, all of ∇C),
                               * timed over repeats for a steady figure */
  double  numerical_seconds;  /* the 2·n_checked forward passes */
  double  ratio;              /* numerical_seconds / backprop_seconds */
  double  max_relative_error; /* the largest bp_gradcheck_relative_error() */
  size_t  worst;              /* where it is in the arrays */
} BpGradcheck;

/* Check ∂C_x/∂θ of @net for input @x (n_inputs floats) with target class @label, for every
 * parameter when @sample is 0 or at least n_params, else for @sample parameters drawn without
 * replacement from the stream BP_RNG_STREAM_SAMPLE of @seed (the same seed, the same ones).
 * @net is only read (its parameters are copied first), so it must not change during the call.
 * @progress (may be NULL) reports; @cancel (may be NULL) is read before every parameter, and
 * when it is non-zero the check stops with BP_ERROR_CANCELLED. On success fills @result, which
 * bp_gradcheck_clear() frees; on failure @result is zeroed (BP_ERROR_INVALID for a label out of
 * range, BP_ERROR_NOMEM). */
bool bp_gradcheck_run (const BpNetwork        *net,
                       const float            *x,
                       size_t                  label,
                       size_t                  sample,
                       uint64_t                seed,
                       atomic_int             *cancel,
                       BpGradcheckProgressFunc progress,
                       void                   *user_data,
                       BpGradcheck            *result,
                       BpError                *error);

void bp_gradcheck_clear (BpGradcheck *result);

/* |g − n| / max(|g|, |n|, BP_GRADCHECK_FLOOR), the measure of max_relative_error. */
double bp_gradcheck_relative_error (double backprop,
                                    double numerical);

/* The double-precision oracle on its own: C_x of @net for @x and @label, every layer computed in
 * double from @params (n_params doubles in the network's layout; NULL: @net's own parameters,
 * widened), without dropout. What the central differences evaluate. */
double bp_gradcheck_cost (const BpNetwork *net,
                          const double    *params,
                          const float     *x,
                          size_t           label);

#ifdef __cplusplus
}
#endif
