/* bp-learning-speed.h — chapter 5's speed of learning of each hidden layer
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Nielsen measures how fast hidden layer l learns as the length of ∂C/∂bˡ over the first 1,000
 * training images: the mean of backprop(x, y)'s nabla_b for that layer over those images, then
 * its Euclidean norm (fig/generate_gradient.py). In a deep sigmoid network it shrinks layer by
 * layer towards the input — the vanishing gradient: for a fresh [784, 30, 30, 30, 30, 10]
 * network2.py network about 0.003, 0.017, 0.07, 0.29, the first hidden layer learning a hundred
 * times slower than the last.
 *
 * Measured with the engine's mini-batch forward (no dropout) and the deltas of its backward
 * pass (bp_network_backward_biases()): under 1 ms for 784-30-10, about 1 % of a training epoch
 * on 50,000 images.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "bp-dataset.h"
#include "bp-error.h"
#include "bp-network.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The book's number of training images. */
#define BP_LEARNING_SPEED_EXAMPLES 1000

/* The hidden layers whose speed is measured: every layer before the output layer. A conv
 * layer's biases are one per filter, so its speed is over its filters; a pool layer has none,
 * and its speed is 0. */
size_t bp_learning_speed_count (const BpNetwork *net);

/* The speed of learning of every hidden layer of @net, ‖(1/n) Σₓ ∂C_x/∂bˡ‖ over the first
 * @n_examples of @data (all of them if it has fewer; 0 means BP_LEARNING_SPEED_EXAMPLES), into
 * @speed[0 … bp_learning_speed_count() − 1], the first hidden layer first; *@n_speeds (may be
 * NULL) gets that count. Fails on an empty data set, data that does not fit the network
 * (BP_ERROR_INVALID) or when memory runs out (BP_ERROR_NOMEM, for a workspace of 100
 * examples). @net is only read. */
bool bp_learning_speed_measure (const BpNetwork *net,
                                const BpDataset *data,
                                size_t           n_examples,
                                double          *speed,
                                size_t          *n_speeds,
                                BpError         *error);

#ifdef __cplusplus
}
#endif
