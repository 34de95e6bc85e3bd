/* bp-network.h — a fully connected network in one parameter buffer, forward and backward over a
 * whole mini-batch in matrix form
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Layout: for each layer l = 1 … n_layers − 1 (layer 0 is the input), the weight matrix
 * W_l (sizes[l], sizes[l−1]) row-major, then the bias vector b_l (sizes[l]), all in `params`.
 * `w_offset[l]` and `b_offset[l]` locate them; the same offsets locate gradients, momentum
 * velocities and UI snapshots in their twin buffers of n_params floats.
 *
 * Shapes in comments are (rows, cols); a mini-batch of B examples is (B, n) row-major.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bp-error.h"
#include "bp-rng.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BP_MAX_LAYERS    8
#define BP_MAX_LAYER_SIZE 65536

typedef enum
{
  BP_ACTIVATION_SIGMOID,
  BP_ACTIVATION_TANH,
  BP_ACTIVATION_RELU,
} BpActivation;

typedef enum
{
  BP_OUTPUT_SIGMOID,
  BP_OUTPUT_SOFTMAX,
} BpOutput;

typedef enum
{
  BP_COST_QUADRATIC,      /* ½‖a − y‖², sigmoid output */
  BP_COST_CROSS_ENTROPY,  /* Σ −y ln a − (1 − y) ln(1 − a), sigmoid output */
  BP_COST_LOG_LIKELIHOOD, /* −ln a_y, softmax output */
} BpCost;

typedef enum
{
  BP_INIT_DEFAULT, /* network2.py: W ~ N(0, 1/√n_in), b ~ N(0, 1); for ReLU: W ~ N(0, √(2/n_in)), b = 0 */
  BP_INIT_LARGE,   /* network2.py's large_weight_initializer: W, b ~ N(0, 1) */
} BpInit;

typedef enum
{
  BP_KERNEL_NAIVE, /* plain loops: the test oracle */
  BP_KERNEL_FAST,  /* blocked SIMD kernels chosen at run time for this CPU */
} BpKernel;

typedef struct
{
  size_t       n_layers;              /* including the input layer; 2 … BP_MAX_LAYERS */
  size_t       sizes[BP_MAX_LAYERS];
  BpActivation activation;            /* of the hidden layers */
  BpOutput     output;                /* of the output layer */
  BpCost       cost;
  size_t       n_params;
  size_t       w_offset[BP_MAX_LAYERS]; /* [l] for l ≥ 1 */
  size_t       b_offset[BP_MAX_LAYERS];
  float       *params;                /* (n_params), 64-byte aligned */
} BpNetwork;

/* Names used on the command line and in model files ("sigmoid", "tanh", "relu"; "sigmoid",
 * "softmax"; "quadratic", "cross-entropy", "log-likelihood"; "default", "large"). The parsers
 * return false for an unknown name. */
const char *bp_activation_to_string (BpActivation activation);
bool        bp_activation_from_string (const char *s, BpActivation *out);
const char *bp_output_to_string (BpOutput output);
bool        bp_output_from_string (const char *s, BpOutput *out);
const char *bp_cost_to_string (BpCost cost);
bool        bp_cost_from_string (const char *s, BpCost *out);
const char *bp_init_to_string (BpInit init);
bool        bp_init_from_string (const char *s, BpInit *out);

/* Check that @cost suits @output: sigmoid with quadratic or cross-entropy, softmax with
 * log-likelihood. Fills @error with an explanation otherwise. */
bool bp_cost_check_output (BpCost   cost,
                           BpOutput output,
                           BpError *error);

/* A network with the given layer sizes (input first), parameters zeroed. Fails (NULL) if there
 * are fewer than 2 or more than BP_MAX_LAYERS layers, a size is 0 or above BP_MAX_LAYER_SIZE,
 * the cost does not suit the output, or memory runs out. */
BpNetwork *bp_network_new (const size_t *sizes,
                           size_t        n_layers,
                           BpActivation  activation,
                           BpOutput      output,
                           BpCost        cost,
                           BpError      *error);

/* A deep copy, or NULL when memory runs out. */
BpNetwork *bp_network_copy (const BpNetwork *net);

void bp_network_free (BpNetwork *net);

/* True if both networks have the same shape, activation, output and cost. */
bool bp_network_same_shape (const BpNetwork *a,
                            const BpNetwork *b);

/* Draw all parameters from @rng as @init says, layer by layer (weights, then biases). */
void bp_network_init (BpNetwork *net,
                      BpInit     init,
                      BpRng     *rng);

/* True if every parameter is finite. */
bool bp_network_is_finite (const BpNetwork *net);

/* Parse "784,30,10" into @sizes (at most BP_MAX_LAYERS entries). */
bool bp_parse_layers (const char *text,
                      size_t     *sizes,
                      size_t     *n_layers,
                      BpError    *error);

/* Write "784-30-10" (or with @separator) into @buf. */
void bp_format_layers (const size_t *sizes,
                       size_t        n_layers,
                       char          separator,
                       char         *buf,
                       size_t        buf_size);

/* ── Mini-batch computation ───────────────────────────────────────────────────────────────── */

/* Scratch for forward and backward over mini-batches of up to max_batch examples: pre-
 * activations, activations, deltas, dropout masks and a gradient buffer. Owned by one thread. */
typedef struct _BpWorkspace BpWorkspace;

BpWorkspace *bp_workspace_new (const BpNetwork *net,
                               size_t           max_batch,
                               BpError         *error);
void         bp_workspace_free (BpWorkspace *ws);
size_t       bp_workspace_max_batch (const BpWorkspace *ws);

/* The gradient buffer filled by bp_network_backward() (n_params, the network's layout). */
float       *bp_workspace_gradient (BpWorkspace *ws);

/* Inference: x (B, sizes[0]) → output activations (B, sizes[L−1]), which live in @ws until the
 * next call. No dropout. */
const float *bp_network_forward (const BpNetwork *net,
                                 BpWorkspace     *ws,
                                 const float     *x,
                                 size_t           batch,
                                 BpKernel         kernel);

/* Training forward: as bp_network_forward(), and when @dropout > 0 each hidden activation is
 * kept with probability 1 − dropout and scaled by 1/(1 − dropout) (inverted dropout), the mask
 * drawn from @rng and kept in @ws for the backward pass. */
const float *bp_network_forward_train (const BpNetwork *net,
                                       BpWorkspace     *ws,
                                       const float     *x,
                                       size_t           batch,
                                       float            dropout,
                                       BpRng           *rng,
                                       BpKernel         kernel);

/* Cost of the last forward, summed over the batch (no regularisation term), in double. */
double bp_network_batch_cost (const BpNetwork   *net,
                              const BpWorkspace *ws,
                              const uint8_t     *labels,
                              size_t             batch);

/* Number of examples of the last forward whose largest output is at their label. Also writes
 * each example's predicted class to @predicted (may be NULL). */
size_t bp_network_batch_correct (const BpNetwork   *net,
                                 const BpWorkspace *ws,
                                 const uint8_t     *labels,
                                 size_t             batch,
                                 uint8_t           *predicted);

/* Backpropagation after a forward pass (either kind) on the same @x: writes into @grad
 * (n_params) the gradient of the batch's summed cost, ∂(Σ_x C_x)/∂θ. No regularisation. */
void bp_network_backward (const BpNetwork *net,
                          BpWorkspace     *ws,
                          const float     *x,
                          const uint8_t   *labels,
                          size_t           batch,
                          float           *grad,
                          BpKernel         kernel);

/* ── One SGD step ─────────────────────────────────────────────────────────────────────────── */

typedef struct
{
  float  eta;       /* η, the learning rate */
  float  lambda_l2; /* λ of network2.py's weight decay: w ← (1 − ηλ/n)·w − (η/m)·∇w */
  float  lambda_l1; /* λ of L1: w ← w − (ηλ/n)·sgn(w) − (η/m)·∇w */
  float  momentum;  /* μ: v ← μ·v + Δ, w ← w + v; μ = 0 is plain SGD bit for bit */
  float  dropout;   /* probability of dropping a hidden neuron, in [0, 1) */
  size_t n_train;   /* n, the training-set size in the regularisation terms */
} BpSgdParams;

/* Apply Δ = −(ηλ₂/n)·w − (ηλ₁/n)·sgn(w) − (η/m)·grad to the weights (biases: −(η/m)·grad only),
 * through @velocity (n_params) when it is not NULL. @batch is m. The flat reference update. */
void bp_sgd_apply (BpNetwork         *net,
                   const float       *grad,
                   float             *velocity,
                   size_t             batch,
                   const BpSgdParams *params);

/* One training step on a mini-batch: forward (with dropout), backward, update. With
 * BP_KERNEL_NAIVE this is bp_network_forward_train + bp_network_backward + bp_sgd_apply; the
 * fast kernel fuses the gradient into the update and never writes a gradient buffer.
 * Returns the batch's summed cost (before the update) when @want_cost, else 0 — in both cases
 * NaN when the outputs were not finite: the step diverged, and the parameters may already be
 * damaged (the trainer restores them). Computing the cost costs a logarithm per output, so
 * the trainer asks for it only now and then. */
double bp_network_train_batch (BpNetwork         *net,
                               BpWorkspace       *ws,
                               const float       *x,
                               const uint8_t     *labels,
                               size_t             batch,
                               const BpSgdParams *params,
                               float             *velocity,
                               BpRng             *dropout_rng,
                               bool               want_cost,
                               BpKernel           kernel);

/* ── Single examples, for the UI ──────────────────────────────────────────────────────────── */

/* Floats of scratch bp_network_predict() needs. */
size_t bp_network_scratch_size (const BpNetwork *net);

/* One example: x (sizes[0]) → @out (sizes[L−1]); @scratch (bp_network_scratch_size floats) is
 * the caller's, so several threads may predict with one network that nobody is writing. */
void bp_network_predict (const BpNetwork *net,
                         const float     *x,
                         float           *out,
                         float           *scratch);

/* Floats of scratch bp_network_input_gradient() needs: every layer's activations and two
 * delta vectors. */
size_t bp_network_input_gradient_scratch_size (const BpNetwork *net);

/* Saliency: the gradient of output @class_index — its activation, or for a softmax output its
 * probability — with respect to the input pixels, ∂a_L[k]/∂x, written into @grad (sizes[0]).
 * Chapter 2's backpropagation carried one step further: the output delta is that of a_L[k]
 * instead of a cost's, and W₁ᵀδ₁ gives the input's gradient. @scratch is the caller's, so
 * several threads may use one network that nobody is writing. */
void bp_network_input_gradient (const BpNetwork *net,
                                const float     *x,
                                size_t           class_index,
                                float           *grad,
                                float           *scratch);

/* Name of the fast kernel picked for this CPU ("avx512", "avx2", "generic"). */
const char *bp_kernel_fast_name (void);

#ifdef __cplusplus
}
#endif
