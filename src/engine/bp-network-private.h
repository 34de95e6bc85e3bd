/* bp-network-private.h — the workspace and the passes bp-network.c shares with bp-step.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "bp-kernels.h"
#include "bp-network.h"
#include "bp-pool.h"
#include "bp-rng.h"

struct _BpWorkspace
{
  size_t max_batch;
  size_t n_layers;

  /* For layer i (after the input):
   * act[i] (B, n_out): its activations after dropout (the next layer's input);
   * deriv[i] (B, n_out) for a hidden layer: f′(z)·mask, written by the training forward;
   * delta[i] (B, n_out): ∂C/∂z. out_z (B, n_outputs): the output layer's z.
   * x_drop (B, n_inputs): the input after a fixed dropout of the first layer, or NULL. */
  float *act[BP_MAX_LAYERS];
  float *deriv[BP_MAX_LAYERS];
  float *delta[BP_MAX_LAYERS];
  float *out_z;
  float *x_drop;
  float *grad;          /* (n_params) */
  float *conv_scratch;  /* one example's im2col matrix for the largest conv layer, or NULL */
  /* mask[i] (B, n_in of layer i): the factors 0 or 1/q that drop layer i's inputs, drawn for a
   * whole mini-batch before any example is computed (so that threads may share it out); NULL
   * for a layer that never drops. drop_p[i]: this mini-batch's probability, 0 for none. */
  float *mask[BP_MAX_LAYERS];
  float  drop_p[BP_MAX_LAYERS];
  bool   has_deriv;
  bool   input_dropped; /* the last forward fed x_drop to the first layer, not x */
  size_t last_batch;

  /* The fast kernels, picked once for this CPU rather than on every call. */
  const BpKernelTable *fast;

  /* Threads (bp_workspace_set_threads()): the pool, one scratch per thread (bp-step.c's), and the floating-point work of one example, which decides whether a
   * mini-batch is worth splitting. */
  BpPool *pool;
  size_t  n_threads;
  float **thread_scratch;
  float  *thread_block;
  double  flops_per_example;

  float *block;    /* one allocation behind all of the above */

  /* The next mini-batch's dropout draws, made by a thread during this one's gradient stage
   * (bp-step.c): pre[i] (B, n_in of layer i) are the uniform numbers that the dropout RNG gives
   * from state pre_from on, for layers whose p > 0 in pre_p, in draw_masks()'s order; pre_to is
   * its state after them. Used only when the next step starts from pre_from with the same batch
   * and the same layers dropping: otherwise it draws as always. */
  float *pre[BP_MAX_LAYERS];
  float *pre_block;
  bool   pre_valid;
  size_t pre_batch;
  float  pre_p[BP_MAX_LAYERS];
  BpRng  pre_from, pre_to;
};

/* What the first layer read in the last forward: @x, or its copy after dropout. */
static inline const float *
first_input (const BpWorkspace *ws,
             const float       *x)
{
  return ws->input_dropped ? ws->x_drop : x;
}

/* Draw this mini-batch's dropout masks (bp-network.c). */
void bp_network_draw_masks (const BpNetwork *net,
                            BpWorkspace     *ws,
                            size_t           batch,
                            bool             training,
                            float            dropout,
                            BpRng           *rng);

/* Hidden layer @i's activation over entries [j0, j1) of examples [r0, r1), and the next
 * layer's dropout (bp-network.c). */
void bp_network_activate_rows (const BpNetwork *net,
                               BpWorkspace     *ws,
                               size_t           i,
                               size_t           r0,
                               size_t           r1,
                               size_t           j0,
                               size_t           j1,
                               bool             training);

/* Examples [r0, r1) of the mini-batch through layers [i0, i1) (bp-network.c). */
void bp_network_forward_rows (const BpNetwork     *net,
                              BpWorkspace         *ws,
                              const float         *x,
                              size_t               r0,
                              size_t               r1,
                              size_t               i0,
                              size_t               i1,
                              bool                 training,
                              const BpKernelTable *k,
                              float               *scratch);

/* The δ of @batch examples sent down by layers i_top … i_stop + 1 (and the output layer's δ
 * first when @labels is not NULL) from their activations (bp-network.c). */
void bp_network_deltas (const BpNetwork     *net,
                        const float *const  *act,
                        float *const        *deriv,
                        bool                 have_deriv,
                        float *const        *delta,
                        const uint8_t       *labels,
                        size_t               batch,
                        size_t               i_top,
                        size_t               i_stop,
                        const BpKernelTable *k,
                        float               *scratch);

/* The update factors of layer @i (bp-network.c). */
void bp_network_fill_update (const BpNetwork     *net,
                             size_t               i,
                             size_t               batch,
                             const BpHyperparams *hyper,
                             size_t               n_train,
                             float               *velocity,
                             BpUpdate            *u);

/* Floats of scratch each of @n_threads needs in bp_network_train_batch_fast() (bp-step.c). */
size_t bp_step_scratch_size (const BpNetwork *net,
                             size_t           n_threads,
                             size_t           max_batch);

/* bp_network_train_batch() with the fast kernels, on the workspace's threads (bp-step.c). */
double bp_network_train_batch_fast (BpNetwork           *net,
                                    BpWorkspace         *ws,
                                    const float         *x,
                                    const uint8_t       *labels,
                                    size_t               batch,
                                    const BpHyperparams *hyper,
                                    size_t               n_train,
                                    float               *velocity,
                                    BpRng               *dropout_rng,
                                    bool                 want_cost);
