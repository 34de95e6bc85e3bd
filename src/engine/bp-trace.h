/* bp-trace.h — chapter 2's backpropagation of one example, every layer's numbers kept, for the
 * Backprop view and `backprop-cli backprop`
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A trace takes one example (an input x and its class) through a network and keeps, for every
 * layer after the input, the weighted input zˡ = wˡaˡ⁻¹ + bˡ, the activation aˡ, f′(zˡ), the
 * error δˡ = ∂C/∂zˡ, and the gradients ∂C/∂bˡ and ∂C/∂wˡ; and the cost, the target y and the
 * top guess. The numbers are the engine's own: bp_network_forward_layers() forward and
 * bp_network_backward_layers() back, which is the code of the mini-batch backward pass on a
 * batch of one. So a view that shows a trace's numbers shows what training computes, and needs
 * to recompute none of them. No dropout, no regularisation term, no averaging: the gradient is
 * that of network2.py's backprop(x, y).
 *
 * The equations, in the trace's terms (layers counted after the input, 0 … n_layers − 1; the
 * last is the output layer L):
 *   forward   zˡ = wˡ aˡ⁻¹ + bˡ,  aˡ = f(zˡ)                 (a⁻¹ is x; f of the output layer
 *                                                           is its sigmoid or softmax)
 *   BP1       δᴸ = (aᴸ − y) ⊙ σ′(zᴸ) (quadratic), aᴸ − y (cross-entropy, log-likelihood)
 *   BP2       δˡ = ((wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ f′(zˡ)
 *   BP3, BP4  ∂C/∂bˡ = δˡ,  ∂C/∂wˡⱼₖ = aˡ⁻¹ₖ δˡⱼ
 *
 * Ownership and lifetime. A BpTrace is made for one arch (bp_trace_new()) and owns all its
 * buffers, allocated once: bp_trace_compute() allocates nothing, so a view can recompute on
 * every click. It keeps its own copy of the parameters it was computed with (the network of
 * bp_trace_get_network()), so it never points into the caller's network: the caller may free
 * or train its network right after bp_trace_compute() returns, and every number of the trace
 * (weights included) still belongs to the one computation. Pointers returned by the getters
 * (layers, vectors, the gradient) stay valid, and their contents unchanged, until the next
 * bp_trace_compute() or bp_trace_step() on the same trace, or bp_trace_free(). A trace is not
 * locked: one thread computes it; several may read it while nobody computes.
 *
 * Speed: a trace of 784-800-10 computes in 1 to 3 ms on one core (784-30-10 in 0.04 to 0.1 ms),
 * well inside a 16 ms frame, so the UI thread can run it on a snapshot of the training network.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bp-error.h"
#include "bp-network.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct _BpTrace BpTrace;

/* One layer of a trace: views of the trace's buffers, read-only. A dense layer's output is
 * n_out channels of 1×1; kinds with a spatial output (convolution, pooling) fill out_c×out_h×
 * out_w with n_out = out_c·out_h·out_w, their vectors laid out as the network's (NCHW). */
typedef struct
{
  BpLayerKind  kind;
  bool         is_output;          /* the output layer: its function is arch.output */
  BpActivation activation;         /* a hidden layer's f (see BpLayerSpec.activation) */
  size_t       n_in, n_out;
  size_t       out_c, out_h, out_w;
  const float *in;                 /* aˡ⁻¹ (n_in): the input x for the first layer */
  const float *z;                  /* zˡ (n_out), the weighted input */
  const float *a;                  /* aˡ (n_out), the activation */
  const float *deriv;              /* f′(zˡ) (n_out): σ′, tanh′ or ReLU′ from aˡ; for the output
                                    * layer a(1 − a), which is σ′(zᴸ) of a sigmoid output and
                                    * the diagonal ∂aⱼ/∂zⱼ of a softmax */
  const float *delta;              /* δˡ (n_out) = ∂C/∂zˡ */
  const float *w;                  /* wˡ (n_out, n_in) row-major: the weights the trace used */
  const float *b;                  /* bˡ (n_out) */
  const float *nabla_w;            /* ∂C/∂wˡ (n_out, n_in): a view of the gradient buffer */
  const float *nabla_b;            /* ∂C/∂bˡ (n_out): a view of the gradient buffer */
  size_t       n_weights, n_biases;
  size_t       w_offset, b_offset; /* where w and b sit in the parameter (and gradient) buffer */
} BpTraceLayer;

/* A trace for networks of @net's arch, not yet computed (bp_trace_compute() it). NULL when
 * memory runs out (BP_ERROR_NOMEM). Costs about two copies of the parameters. */
BpTrace *bp_trace_new (const BpNetwork *net,
                       BpError         *error);

void bp_trace_free (BpTrace *trace);

/* Take @x (n_inputs floats) with target class @label through @net and back, keeping everything
 * (see above). @net must have the trace's arch; it is only read, and its parameters are copied.
 * Fails with BP_ERROR_INVALID, the trace unchanged, when the arch differs or @label is not
 * below n_outputs. */
bool bp_trace_compute (BpTrace         *trace,
                       const BpNetwork *net,
                       const float     *x,
                       size_t           label,
                       BpError         *error);

/* Whether bp_trace_compute() has succeeded once. The getters below need it. */
bool bp_trace_is_computed (const BpTrace *trace);

/* The trace's network: the arch, the layers' shapes and the parameters it was computed with
 * (a copy the trace owns). */
const BpNetwork *bp_trace_get_network (const BpTrace *trace);

/* Layers after the input, and one of them (@layer < that count). */
size_t              bp_trace_get_n_layers (const BpTrace *trace);
const BpTraceLayer *bp_trace_get_layer (const BpTrace *trace,
                                        size_t         layer);

/* The input x (n_inputs), the target y (n_outputs, one-hot: 1 at the label), the label, the
 * top guess (the largest output; the first of equal ones) and the cost C_x in double (the
 * network's cost; bp_cost_example()). */
const float *bp_trace_get_input (const BpTrace *trace);
const float *bp_trace_get_target (const BpTrace *trace);
size_t       bp_trace_get_label (const BpTrace *trace);
size_t       bp_trace_get_guess (const BpTrace *trace);
double       bp_trace_get_cost (const BpTrace *trace);

/* ∂C_x/∂θ for every parameter (n_params floats, the network's layout: the layers' nabla_w and
 * nabla_b are views of it). */
const float *bp_trace_get_gradient (const BpTrace *trace);

/* ── What chapters 2 and 3 explain ───────────────────────────────────────────────────────── */

/* A neuron is saturated when f′(z) is below this fraction of f′'s largest value: σ′(z) < 0.025
 * for a sigmoid (|z| > 3.6: a below 0.026 or above 0.974, so chapter 3's neuron stuck at 0.98
 * counts), tanh′(z) < 0.1 (|z| > 1.8); a ReLU with z ≤ 0 (f′ = 0) counts too: no gradient goes
 * through it. For the output layer the test is on a(1 − a), as for a sigmoid. Such a neuron
 * learns slowly (BP2, BP4). */
#define BP_TRACE_SATURATION 0.1f

/* Whether neuron @neuron of @layer is saturated (BP_TRACE_SATURATION). */
bool bp_trace_is_saturated (const BpTrace *trace,
                            size_t         layer,
                            size_t         neuron);

/* How many neurons of @layer are saturated; when @mask (n_out bytes) is not NULL it gets 1 for
 * each saturated neuron and 0 for the others. */
size_t bp_trace_count_saturated (const BpTrace *trace,
                                 size_t         layer,
                                 uint8_t       *mask);

/* The output error δᴸ (n_outputs floats into @delta) that BP1 would give for the trace's outputs
 * under @cost instead of the network's own: for a sigmoid output, quadratic ((a − y) ⊙ σ′(zᴸ))
 * or cross-entropy (a − y) — chapter 3's comparison; for a softmax output, log-likelihood.
 * Returns false, @delta untouched, when @cost does not suit the output (bp_cost_check_output()). */
bool bp_trace_output_delta_for_cost (const BpTrace *trace,
                                     BpCost         cost,
                                     float         *delta);

/* Chapter 3's slowdown: with the quadratic cost, the output neurons that are confidently wrong
 * — |aⱼ − yⱼ| > 0.5 and saturated (BP_TRACE_SATURATION) — and so have a tiny δᴸⱼ because of
 * σ′(zᴸⱼ). Returns their count (0 for the other costs); @mask (n_outputs bytes, may be NULL)
 * marks them. bp_trace_output_delta_for_cost (…, BP_COST_CROSS_ENTROPY, …) says what δᴸ would
 * be without σ′. */
size_t bp_trace_slowed_outputs (const BpTrace *trace,
                                uint8_t       *mask);

/* One term wˡⱼₖ aˡ⁻¹ₖ of a neuron's weighted input. */
typedef struct
{
  size_t k;       /* the input's index */
  float  w;       /* wˡⱼₖ */
  float  a;       /* aˡ⁻¹ₖ */
  float  product; /* wˡⱼₖ · aˡ⁻¹ₖ */
} BpTraceTerm;

/* The terms not shown. */
typedef struct
{
  size_t n;      /* how many ("… and 779 more terms") */
  size_t n_zero; /* of which exactly 0 (an input of 0, such as a black pixel, or a 0 weight) */
  double sum;    /* their sum */
} BpTraceRest;

/* The weighted input of neuron @neuron of dense layer @layer as zˡⱼ = Σₖ wˡⱼₖ aˡ⁻¹ₖ + bˡⱼ: the
 * @max_terms terms largest in magnitude into @top, largest first (equal magnitudes by k), and
 * the rest summed into @rest. Returns the number of terms written, min (@max_terms, n_in). The
 * trace's z[neuron] is the engine's float sum; Σ top + rest.sum + b equals it up to float
 * rounding. Meant for a handful of terms: it costs n_in · @max_terms at worst. */
size_t bp_trace_neuron_terms (const BpTrace *trace,
                              size_t         layer,
                              size_t         neuron,
                              BpTraceTerm   *top,
                              size_t         max_terms,
                              BpTraceRest   *rest);

/* ── One gradient step on this example ───────────────────────────────────────────────────── */

typedef struct
{
  float        eta;
  double       cost_before;   /* the trace's cost */
  double       cost_after;    /* the example's cost after the step */
  size_t       guess_before, guess_after;
  const float *output_before; /* aᴸ before (n_outputs): the trace's */
  const float *output_after;  /* aᴸ after (n_outputs): the trace's buffer, valid until the next
                               * bp_trace_step() or bp_trace_compute() */
} BpTraceStep;

/* One plain gradient-descent step on the trace's example: @net's parameters become the trace's
 * minus η·∂C_x/∂θ (w ← w − η ∂C/∂w, b ← b − η ∂C/∂b; no regularisation, no momentum, no
 * averaging), whatever @net held before; then the example goes through @net again, and @step
 * gets the cost and outputs before and after. @net is the caller's (a copy it is free to
 * change, not a network being trained on another thread) and must have the trace's arch. The
 * trace itself is not recomputed: bp_trace_compute() on @net shows the new state. Fails with
 * BP_ERROR_INVALID, @net untouched, when the arch differs or @eta is not a finite number > 0. */
bool bp_trace_step (BpTrace     *trace,
                    BpNetwork   *net,
                    float        eta,
                    BpTraceStep *step,
                    BpError     *error);

/* Undo: put the parameters the trace was computed with back into @net (same arch). */
bool bp_trace_restore (const BpTrace *trace,
                       BpNetwork     *net,
                       BpError       *error);

#ifdef __cplusplus
}
#endif
