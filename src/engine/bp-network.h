/* bp-network.h — a network as an input shape and a list of layers over one parameter buffer;
 * forward and backward over a whole mini-batch in matrix form
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A network is described by a BpArch: the input's shape (1×28×28 for MNIST) and the layers after
 * it, each a BpLayerSpec (dense, convolution or max-pooling, with their activation), the last
 * one the dense output layer. bp_network_new() derives each
 * layer's shapes and where its parameters sit in the one buffer `params`: layer i's weights at
 * layers[i].w_offset (n_weights floats), its biases at layers[i].b_offset (n_biases floats). The
 * same offsets locate gradients, momentum velocities and UI snapshots in their twin buffers of
 * n_params floats, so that the SGD update and a snapshot stay flat loops and one memcpy.
 *
 * A dense layer's weights are W (n_out, n_in) row-major and its biases b (n_out); a conv layer's
 * W (C_out, C_in, k, k) and b (C_out); a pool layer has none. An example's values at any layer
 * are (C, H, W) row-major, a dense layer's being n_out channels of 1×1. Shapes in comments are
 * (rows, cols); a mini-batch of B examples is (B, n) row-major.
 *
 * Layers are counted after the input: layer 0 is the first hidden layer (or the output layer of
 * a network without hidden ones). Sizes lists in network2.py's style (784,30,10) count the
 * input too; bp_parse_layers() and bp_arch_from_sizes() speak that form.
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

/* Layers counting the input: at most BP_MAX_LAYERS − 1 = 7 after it, room for chapter 6's
 * conv, pool, conv, pool, fc, fc, softmax. Arrays of BP_MAX_LAYERS hold either count. */
#define BP_MAX_LAYERS     8
#define BP_MAX_LAYER_SIZE 65536
/* The most values a conv or pool layer's output may have (C×H×W): 200 filters over 28×28. */
#define BP_MAX_MAP_SIZE   (1 << 20)

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
  BP_INIT_DEFAULT,  /* network2.py: W ~ N(0, 1/√n_in), b ~ N(0, 1); for ReLU: W ~ N(0, √(2/n_in)), b = 0 */
  BP_INIT_LARGE,    /* network2.py's large_weight_initializer: W, b ~ N(0, 1) */
  BP_INIT_NETWORK3, /* network3.py: W ~ N(0, √(1/n_out)), b ~ N(0, 1), the output layer all zero;
                     * for a conv layer n_out = filters·k²/p², p the pool that follows it (1 if none) */
} BpInit;

typedef enum
{
  BP_KERNEL_NAIVE, /* plain loops: the test oracle */
  BP_KERNEL_FAST,  /* blocked SIMD kernels chosen at run time for this CPU */
} BpKernel;

/* What a layer computes; each kind has its forward/backward pair and its text token.
 *
 * Convolution is a cross-correlation, as in ONNX's Conv and PyTorch's conv2d: out[o][y][x] =
 * b[o] + Σ_c Σ_u Σ_v W[o][c][u][v]·in[c][y + u][x + v], stride 1, no padding ("valid"), so a
 * k×k filter on an H×W map gives (H − k + 1)×(W − k + 1). network3.py's Theano conv2d flips the
 * filters (a true convolution); with random initial weights that is only a relabelling of each
 * filter's taps, so training is the same, but a filter read from a network3.py model must be
 * turned 180° to give the same outputs here. ONNX export writes our filters unchanged.
 *
 * network3.py's ConvPoolLayer pools before adding the bias and applying f; here a conv layer
 * applies f and a pool layer follows. For any increasing f (sigmoid, tanh, ReLU) and a bias per
 * filter, max(f(z + b)) = f(max(z) + b): the same outputs and the same gradients. */
typedef enum
{
  BP_LAYER_DENSE, /* fully connected: z = W·in + b, a = f(z) */
  BP_LAYER_CONV,  /* size k×k filters over every input channel: z = W ⋆ in + b, a = f(z) */
  BP_LAYER_POOL,  /* max over non-overlapping kernel×kernel windows of each channel; no
                   * parameters, no activation; the window must divide the map */
} BpLayerKind;

/* BpLayerSpec.dropout: the run's live dropout setting (BpHyperparams.dropout), which drops the
 * neurons of hidden layers as network2-style dropout does: it applies to the input of a dense
 * layer whose input is a hidden layer, and not to the network's input. */
#define BP_DROPOUT_LIVE (-1.0f)

typedef struct
{
  BpLayerKind  kind;
  BpActivation activation; /* a hidden layer's f. On the output layer, whose function is
                            * BpArch.output, it is the network's default activation: the one
                            * the hidden layers have unless they say otherwise, which model
                            * files, settings and the controls show as "the" activation */
  size_t       size;       /* dense: units; conv: filters (output channels); pool: 0 */
  size_t       kernel;     /* conv, pool: k of the k×k window; 0 for dense */
  float        dropout;    /* probability of dropping each *input* of this layer while training
                            * (network3.py's placement), in [0, 1); or BP_DROPOUT_LIVE */
} BpLayerSpec;

typedef struct
{
  size_t      in_channels, in_height, in_width; /* 1×28×28 for MNIST */
  size_t      n_layers;                         /* after the input: 1 … BP_MAX_LAYERS − 1 */
  BpLayerSpec layers[BP_MAX_LAYERS];            /* the last one is dense: the output layer */
  BpOutput    output;                           /* the output layer's function */
  BpCost      cost;
} BpArch;

/* A layer of a built network: its shapes and where its parameters are. A dense layer's output
 * is n_out channels of 1×1. */
typedef struct
{
  size_t in_c, in_h, in_w, n_in;     /* its input: n_in = in_c·in_h·in_w */
  size_t out_c, out_h, out_w, n_out; /* its output */
  size_t w_offset, n_weights;        /* dense: W (n_out, n_in); conv: W (out_c, in_c, k, k);
                                      * pool: none (n_weights 0) */
  size_t b_offset, n_biases;         /* dense: b (n_out); conv: b (out_c); pool: none */
} BpLayer;

typedef struct
{
  BpArch   arch;
  BpLayer  layers[BP_MAX_LAYERS]; /* [i] for arch.layers[i] */
  size_t   n_inputs;              /* in_channels·in_height·in_width */
  size_t   n_outputs;             /* units of the output layer */
  size_t   n_params;
  float   *params;                /* (n_params), 64-byte aligned */
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

/* ── Architectures (bp-arch.c) ─────────────────────────────────────────────────────────────── */

/* A dense network from network2.py's sizes list (input first, @n_sizes entries): hidden layers
 * and the output layer all of @activation (see BpLayerSpec.activation), live dropout, the input
 * shaped 1×√n×√n when n is a square and 1×1×n otherwise. Fails only when @n_sizes is not 2 …
 * BP_MAX_LAYERS; bp_arch_check() judges the rest. */
bool bp_arch_from_sizes (BpArch       *arch,
                         const size_t *sizes,
                         size_t        n_sizes,
                         BpActivation  activation,
                         BpOutput      output,
                         BpCost        cost,
                         BpError      *error);

/* Whether @arch describes a network that can be built: 1 … BP_MAX_LAYERS − 1 layers, an input
 * and layers of 1 … BP_MAX_LAYER_SIZE values, known activations, dropouts in [0, 1) or live,
 * the cost suiting the output, a softmax of 2 outputs or more. The message says what is wrong
 * ("layer 2 has 0 neurons; each layer needs 1 to 65536", counting the input as layer 0). */
bool bp_arch_check (const BpArch *arch,
                    BpError      *error);

/* Every layer's output shape (channels, height, width) into @shapes[i], a dense layer's being
 * size×1×1. Fails when a layer does not fit its input (a 5×5 filter on a 3×3 map, a 2×2 pool on
 * a 5×5 map, a size out of range), with a message that names the layer by its number and its
 * token: "layer 3 (conv40x5): a 5×5 filter does not fit its 3×3 input". */
bool bp_arch_shapes (const BpArch *arch,
                     size_t        shapes[][3],
                     BpError      *error);

/* Whether @arch has a conv or pool layer (a model network2.py cannot read). */
bool bp_arch_has_maps (const BpArch *arch);

/* Every field equal (the unused slots after n_layers aside). */
bool bp_arch_equal (const BpArch *a,
                    const BpArch *b);

/* The default activation: the output layer's BpLayerSpec.activation. */
BpActivation bp_arch_get_activation (const BpArch *arch);

/* Give every layer @activation (the hidden layers' f and the output layer's default). */
void bp_arch_set_activation (BpArch      *arch,
                             BpActivation activation);

/* Whether @arch is what network2.py's sizes list and one activation say: dense layers only,
 * one activation throughout, live dropout, the input shaped as bp_arch_from_sizes() shapes it.
 * Such an arch is written in the old forms (784,30,10; "sizes" and "activation" in model files)
 * and needs no "net" text. */
bool bp_arch_is_plain (const BpArch *arch);

/* The number of values of the input and of each layer's output, input first, into @sizes
 * (BP_MAX_LAYERS entries); returns the count, n_layers + 1. */
size_t bp_arch_get_sizes (const BpArch *arch,
                          size_t       *sizes);

/* bp_arch_get_sizes() as "784-30-10" (or with @separator), the form CLI lines, file names and
 * test-mode lines print. */
void bp_arch_format_sizes (const BpArch *arch,
                           char          separator,
                           char         *buf,
                           size_t        buf_size);

/* The text form of a layer list (--net, model files' "net"):
 *
 *   [in H "x" W | in C "x" H "x" W ","]  layer ("," layer)*
 *   layer := "fc" N opts | "conv" N "x" K opts | "pool" P opts | "softmax" N opts | "sigmoid" N opts
 *   opts  := (":" ("sigmoid" | "tanh" | "relu" | "dropout=" P))*
 *
 * convNxK is N filters of K×K (stride 1, no padding), poolP max-pooling over P×P windows (no
 * activation of its own), as in conv20x5,pool2,conv40x5,pool2,fc100,softmax10. Dense layers
 * after a map read it flattened in (C, H, W) order. The input is 1×28×28 unless a first token
 * says otherwise. The last layer is the output layer,
 * softmax N or sigmoid N (dense, that function), and takes only a dropout; the others take
 * @activation unless they name their own. dropout=P drops each input of that layer with
 * probability P (a fixed dropout); without it a layer has live dropout. @arch's cost is kept;
 * everything else is replaced. On error @arch is unchanged and the message names the token. */
bool bp_arch_parse (const char  *text,
                    BpActivation activation,
                    BpArch      *arch,
                    BpError     *error);

/* The text form of @arch, readable by bp_arch_parse() with bp_arch_get_activation (@arch): a
 * layer's activation is written only when it differs from that one, the input only when it is
 * not 1×28×28. Cut to @buf_size like snprintf. */
void bp_arch_format (const BpArch *arch,
                     char         *buf,
                     size_t        buf_size);

/* Either form, for fields that take both: "784,30,10" (a sizes list, with @activation and
 * @output as bp_arch_from_sizes() takes them) when @text starts with a digit, the text form
 * otherwise. @arch's cost is kept; on error @arch is unchanged. */
bool bp_arch_parse_any (const char  *text,
                        BpActivation activation,
                        BpOutput     output,
                        BpArch      *arch,
                        BpError     *error);

/* ── Networks ─────────────────────────────────────────────────────────────────────────────── */

/* A network of @arch, parameters zeroed. Fails (NULL) when bp_arch_check() does, or memory runs
 * out. */
BpNetwork *bp_network_new (const BpArch *arch,
                           BpError      *error);

/* bp_network_new() of bp_arch_from_sizes(): the dense network of network2.py's sizes list. */
BpNetwork *bp_network_new_dense (const size_t *sizes,
                                 size_t        n_sizes,
                                 BpActivation  activation,
                                 BpOutput      output,
                                 BpCost        cost,
                                 BpError      *error);

/* A deep copy, or NULL when memory runs out. */
BpNetwork *bp_network_copy (const BpNetwork *net);

void bp_network_free (BpNetwork *net);

/* True if both networks have the same arch. */
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

/* Split bp_network_train_batch()'s fast step of a large enough mini-batch between @n_threads
 * threads (1 … 256, counting the caller's), which the workspace starts and owns: its examples
 * for the forward pass and the deltas, each layer's neurons or filters for the gradients and the
 * update. Nothing is summed across threads, so the parameters after a step are the same bits
 * for any number of threads (and a small network simply stays on one). False with @error set
 * when a thread cannot be started or memory runs out; the workspace keeps its threads then. */
bool   bp_workspace_set_threads (BpWorkspace     *ws,
                                 const BpNetwork *net,
                                 size_t           n_threads,
                                 BpError         *error);
size_t bp_workspace_get_threads (const BpWorkspace *ws);

/* The gradient buffer filled by bp_network_backward() (n_params, the network's layout). */
float       *bp_workspace_gradient (BpWorkspace *ws);

/* Inference: x (B, n_inputs) → output activations (B, n_outputs), which live in @ws until the
 * next call. No dropout. */
const float *bp_network_forward (const BpNetwork *net,
                                 BpWorkspace     *ws,
                                 const float     *x,
                                 size_t           batch,
                                 BpKernel         kernel);

/* Training forward: as bp_network_forward(), with dropout: each input of a layer is kept with
 * probability q = 1 − p and scaled by 1/q (inverted dropout), p being the layer's fixed dropout
 * or, for a layer with BP_DROPOUT_LIVE, @dropout. The masks are drawn from @rng (which may be
 * NULL when no dropout applies), layer by layer, all examples of a layer before the next layer,
 * before any example is computed, and kept in @ws for the backward pass. */
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

/* bp_network_backward() without the weights' gradient: only ∂(Σ_x C_x)/∂b of every layer, the
 * deltas summed over the batch, into @grad at each layer's b_offset (the weights' part of @grad
 * is left as it was). Chapter 5's speed of learning (bp-learning-speed.h) needs only these. */
void bp_network_backward_biases (const BpNetwork *net,
                                 BpWorkspace     *ws,
                                 const uint8_t   *labels,
                                 size_t           batch,
                                 float           *grad);

/* ── One example's cost and output error ──────────────────────────────────────────────────── */

/* The cost C_x of one example with target class @label, from the output layer's activations @a
 * and weighted inputs @z (n values each), in double, as bp_network_batch_cost() sums it:
 * quadratic from @a, cross-entropy and log-likelihood from @z (finite where network2.py needs
 * nan_to_num). @cost must suit the output that made @a (bp_cost_check_output()). */
double bp_cost_example (BpCost       cost,
                        const float *a,
                        const float *z,
                        size_t       label,
                        size_t       n);

/* BP1 for one example: the output error δᴸ = ∂C_x/∂zᴸ (n values) of @cost for outputs @a and
 * target class @label, as the backward pass computes it: (a − y) ⊙ σ′(zᴸ) with σ′ = a(1 − a)
 * for the quadratic cost, a − y for cross-entropy (sigmoid output) and log-likelihood (softmax).
 * @cost must suit the output that made @a. */
void bp_cost_output_delta (BpCost       cost,
                           const float *a,
                           size_t       label,
                           float       *delta,
                           size_t       n);

/* f′(z) of @activation from the activations a = f(z), n values: a(1 − a), 1 − a², or 1 for
 * a > 0 and 0 otherwise (ReLU's f′(0) is 0). What the backward pass multiplies δ by (BP2). */
void bp_activation_derivative (BpActivation activation,
                               const float *a,
                               float       *deriv,
                               size_t       n);

/* ── One SGD step ─────────────────────────────────────────────────────────────────────────── */

/* Where λ of L2 regularisation enters. network2.py decays every weight by ηλ/n per mini-batch
 * (λ/2n·‖w‖² in the cost, n the training-set size); network3.py adds 0.5·λ·‖w‖² / (n/m) to
 * each mini-batch's mean cost, n/m being its number of mini-batches (⌊n/m⌋, Python 2's integer
 * division), a decay of ηλ/⌊n/m⌋: about m times network2.py's for the same λ. */
typedef enum
{
  BP_L2_NETWORK2,
  BP_L2_NETWORK3,
} BpL2Form;

/* The learning settings that may change between two mini-batches without a new network: the
 * live part of a run (BpRun.hyper; bp-run.h has their ranges). */
typedef struct
{
  float  eta;        /* η, the learning rate; > 0 and ≤ 1000 */
  float  lambda_l2;  /* λ of network2.py's weight decay: w ← (1 − ηλ/n)·w − (η/m)·∇w */
  float  lambda_l1;  /* λ of L1: w ← w − (ηλ/n)·sgn(w) − (η/m)·∇w */
  float  momentum;   /* μ in [0, 1): v ← μ·v + Δ, w ← w + v; μ = 0 is plain SGD bit for bit */
  float  dropout;    /* probability of dropping a hidden neuron (BP_DROPOUT_LIVE), in [0, 1) */
  size_t batch_size; /* m, the mini-batch size: 1 … 60,000 */
  BpL2Form l2_form;  /* how lambda_l2 enters the cost */
} BpHyperparams;

/* λ in network2.py's form for @hyper and a training set of @n_train: lambda_l2 itself, or for
 * network3.py's form λ·n/⌊n/m⌋, so that ηλ'/n is network3.py's decay ηλ/⌊n/m⌋. What the SGD
 * step and the cost monitors use. */
float bp_hyper_l2_lambda (const BpHyperparams *hyper,
                          size_t               n_train);

/* Apply Δ = −(ηλ₂/n)·w − (ηλ₁/n)·sgn(w) − (η/m)·grad to the weights (biases: −(η/m)·grad only),
 * through @velocity (n_params) when it is not NULL, with η, λ₂, λ₁ and μ from @hyper. @batch is
 * m (the mini-batch at hand, which the last one of an epoch may make smaller than
 * hyper->batch_size), @n_train is n. The flat reference update. */
void bp_sgd_apply (BpNetwork           *net,
                   const float         *grad,
                   float               *velocity,
                   size_t               batch,
                   const BpHyperparams *hyper,
                   size_t               n_train);

/* One training step on a mini-batch: forward (with @hyper's dropout), backward, update. With
 * BP_KERNEL_NAIVE this is bp_network_forward_train + bp_network_backward + bp_sgd_apply; the
 * fast kernel fuses the gradient into the update and never writes a gradient buffer.
 * Returns the batch's summed cost (before the update) when @want_cost, else 0 — in both cases
 * NaN when the outputs were not finite: the step diverged, and the parameters may already be
 * damaged (the trainer restores them). Computing the cost costs a logarithm per output, so
 * the trainer asks for it only now and then. */
double bp_network_train_batch (BpNetwork           *net,
                               BpWorkspace         *ws,
                               const float         *x,
                               const uint8_t       *labels,
                               size_t               batch,
                               const BpHyperparams *hyper,
                               size_t               n_train,
                               float               *velocity,
                               BpRng               *dropout_rng,
                               bool                 want_cost,
                               BpKernel             kernel);

/* ── Single examples, for the UI ──────────────────────────────────────────────────────────── */

/* Floats of scratch bp_network_predict() needs. */
size_t bp_network_scratch_size (const BpNetwork *net);

/* One example: x (n_inputs) → @out (n_outputs); @scratch (bp_network_scratch_size floats) is
 * the caller's, so several threads may predict with one network that nobody is writing. */
void bp_network_predict (const BpNetwork *net,
                         const float     *x,
                         float           *out,
                         float           *scratch);

/* One example through every layer, keeping what each computed: z[i] gets layer i's weighted
 * input and a[i] its activation (net->layers[i].n_out floats each; for the output layer the
 * output function's values). bp_network_predict() is this with two buffers taking turns. No
 * dropout. z may be NULL, or z[i] NULL for a layer whose weighted input is not wanted; a[i]
 * may be the buffer of a[i − 2] but not of a[i − 1]. Buffers are the caller's, so several
 * threads may trace one network that nobody is writing. */
void bp_network_forward_layers (const BpNetwork *net,
                                const float     *x,
                                float *const    *z,
                                float *const    *a);

/* Backpropagation of one example after bp_network_forward_layers() on @x gave every layer's
 * activations @a: the code of bp_network_backward() on a mini-batch of one, without dropout.
 * Writes for every layer i f′ of its weighted input into @deriv[i] (for the output layer
 * a(1 − a): σ′(zᴸ) of a sigmoid output, the diagonal ∂a_j/∂z_j of a softmax's Jacobian), its
 * error δ = ∂C_x/∂z into @delta[i] (net->layers[i].n_out floats each), and ∂C_x/∂θ into @grad
 * (n_params, the network's layout): ∂C/∂b = δ (BP3), ∂C/∂w_jk = a_in,k δ_j (BP4). No
 * regularisation, no averaging: network2.py's backprop(x, y). @label < n_outputs. Buffers are
 * the caller's, so several threads may use one network that nobody is writing. */
void bp_network_backward_layers (const BpNetwork    *net,
                                 const float        *x,
                                 const float *const *a,
                                 size_t              label,
                                 float *const       *deriv,
                                 float *const       *delta,
                                 float              *grad);

/* One example's δ through layer @i: d_in (n_in) = ∂(δ·z_i)/∂in from d_out (n_out) = ∂C/∂z_i,
 * with the layer's input @in (a pool layer sends each δ to its window's maximum). Overwrites
 * @d_in. The backward pass's code, naive kernels. */
void bp_network_layer_backward_input (const BpNetwork *net,
                                      size_t           i,
                                      float           *d_in,
                                      const float     *d_out,
                                      const float     *in);

/* f′ of hidden layer @i from its activations @a (n_out values) into @deriv: the activation's,
 * or 1 for a pool layer. */
void bp_network_layer_derivative (const BpNetwork *net,
                                  size_t           i,
                                  const float     *a,
                                  float           *deriv);

/* Floats of scratch bp_network_input_gradient() needs: every layer's activations and two
 * delta vectors. */
size_t bp_network_input_gradient_scratch_size (const BpNetwork *net);

/* Saliency: the gradient of output @class_index — its activation, or for a softmax output its
 * probability — with respect to the input pixels, ∂a_L[k]/∂x, written into @grad (n_inputs).
 * Chapter 2's backpropagation carried one step further: the output delta is that of a_L[k]
 * instead of a cost's, and W₁ᵀδ₁ gives the input's gradient. @scratch is the caller's, so
 * several threads may use one network that nobody is writing. */
void bp_network_input_gradient (const BpNetwork *net,
                                const float     *x,
                                size_t           class_index,
                                float           *grad,
                                float           *scratch);

/* The useful floating-point operations of one example's training step: 2 per multiply-add of the
 * forward products, of the weight gradients and of the deltas sent down to a hidden layer (a
 * conv layer's products counted as weights × output positions). What bench's GFLOP/s count. */
double bp_network_train_flops (const BpNetwork *net);

/* Name of the fast kernel picked for this CPU ("avx512", "avx2", "generic"). */
const char *bp_kernel_fast_name (void);

#ifdef __cplusplus
}
#endif
