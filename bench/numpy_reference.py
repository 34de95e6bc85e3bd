#!/usr/bin/env python3
# bench/numpy_reference.py — Nielsen's network.py algorithm in NumPy, timed on part of an epoch and extrapolated
# SPDX-License-Identifier: GPL-3.0-or-later
"""The book's chapter-1 program, timed: network.py's SGD written out again in the same style —
examples as (784, 1) column vectors, backpropagation one example at a time inside each
mini-batch, gradients summed in Python lists, then w ← w − (η/m)·Σ∇w — for the standard
configurations (784-30-10 and 784-100-10, mini-batches of 10 and 100, η 3.0).

A full epoch of this takes many seconds, so each configuration trains on the first --images
examples of a shuffled epoch (after a few untimed warm-up mini-batches) and the time is scaled
to 50,000 images. The lines look like backprop-cli bench's, with " extrapolated_from N" appended:

    bench 784-30-10 batch 10 seconds_per_epoch S images_per_s I gflops G extrapolated_from 10000
"""

import argparse
import random
import sys
import time

import numpy as np

import mnist_idx


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))


class Network:
    """network.py's Network, trimmed to what training needs (no evaluate, no feedforward)."""

    def __init__(self, sizes):
        self.num_layers = len(sizes)
        self.sizes = sizes
        self.biases = [np.random.randn(y, 1) for y in sizes[1:]]
        self.weights = [np.random.randn(y, x) for x, y in zip(sizes[:-1], sizes[1:])]

    def update_mini_batch(self, mini_batch, eta):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in mini_batch:
            delta_nabla_b, delta_nabla_w = self.backprop(x, y)
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        self.weights = [w - (eta / len(mini_batch)) * nw for w, nw in zip(self.weights, nabla_w)]
        self.biases = [b - (eta / len(mini_batch)) * nb for b, nb in zip(self.biases, nabla_b)]

    def backprop(self, x, y):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        activation = x
        activations = [x]
        zs = []
        for b, w in zip(self.biases, self.weights):
            z = np.dot(w, activation) + b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)
        delta = (activations[-1] - y) * sigmoid_prime(zs[-1])
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].transpose())
        for l in range(2, self.num_layers):
            z = zs[-l]
            sp = sigmoid_prime(z)
            delta = np.dot(self.weights[-l + 1].transpose(), delta) * sp
            nabla_b[-l] = delta
            nabla_w[-l] = np.dot(delta, activations[-l - 1].transpose())
        return (nabla_b, nabla_w)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=10000,
                        help="images timed per configuration, scaled to 50,000 (default 10000)")
    parser.add_argument("--data-dir", default=None, help="folder of the MNIST IDX files")
    args = parser.parse_args()
    if not 100 <= args.images <= mnist_idx.TRAIN_IMAGES:
        parser.error(f"--images must be between 100 and {mnist_idx.TRAIN_IMAGES}")

    images, labels, source = mnist_idx.load_train(args.data_dir)
    n = images.shape[0]
    # mnist_loader.py's shapes: float32 (784, 1) inputs, (10, 1) one-hot targets.
    inputs = [np.reshape(im, (784, 1)).astype(np.float32) / np.float32(255.0) for im in images]
    targets = []
    for label in labels:
        e = np.zeros((10, 1))
        e[int(label)] = 1.0
        targets.append(e)
    training_data = list(zip(inputs, targets))
    print(f"numpy_reference.py: numpy {np.__version__}, {source}, network.py-style per-example "
          f"backprop on {args.images} images per configuration, extrapolated to {n}",
          file=sys.stderr)

    for sizes, batch in mnist_idx.STANDARD_CONFIGS:
        random.seed(1)
        np.random.seed(1)
        net = Network(list(sizes))
        random.shuffle(training_data)
        mini_batches = [training_data[k:k + batch] for k in range(0, n, batch)]
        warm_up = max(1, 200 // batch)
        for mini_batch in mini_batches[:warm_up]:
            net.update_mini_batch(mini_batch, 3.0)
        timed = mini_batches[warm_up:warm_up + args.images // batch]
        start = time.perf_counter()
        for mini_batch in timed:
            net.update_mini_batch(mini_batch, 3.0)
        elapsed = time.perf_counter() - start
        done = len(timed) * batch
        seconds = elapsed * n / done
        print(mnist_idx.bench_line(sizes, batch, seconds, n, f" extrapolated_from {done}"),
              flush=True)


if __name__ == "__main__":
    main()
