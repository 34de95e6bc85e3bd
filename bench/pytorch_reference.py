#!/usr/bin/env python3
# bench/pytorch_reference.py — the standard training configurations in PyTorch, timed as backprop-cli bench
# SPDX-License-Identifier: GPL-3.0-or-later
"""Train 784-30-10 and 784-100-10 (sigmoid, quadratic cost, η 3.0, mini-batches of 10 and 100)
for one warm-up and N timed passes over the first 50,000 MNIST training images on one CPU thread,
and print for each configuration the line backprop-cli bench prints:

    bench 784-30-10 batch 10 seconds_per_epoch S images_per_s I gflops G

S is the median of the timed epochs. An epoch is what backprop-cli times: shuffle, gather each
mini-batch from the preloaded float tensor, forward, backward, update. The cost is network.py's
quadratic cost, ½‖a − y‖² per example, and the update is network.py's w ← w − (η/m)·Σ∇w.

--mode matmul (the default) is a hand-written loop of matrix products with in-place updates:
the fastest way to write this network in PyTorch. --mode autograd builds it from nn.Linear and
lets autograd find the gradients, with the same manual SGD step. --mode optim is the loop of
PyTorch's own tutorials: nn.Sequential, nn.MSELoss, torch.optim.SGD with zero_grad(), backward()
and step() — what most PyTorch code does.
"""

import argparse
import statistics
import sys
import time

import numpy as np
import torch

import mnist_idx


def make_params(sizes, gen):
    """network.py's (and network2's large_weight_initializer) N(0, 1) weights and biases."""
    weights = [torch.randn(n_out, n_in, generator=gen) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    biases = [torch.randn(n_out, generator=gen) for n_out in sizes[1:]]
    return weights, biases


def epoch_matmul(x_all, y_all, weights, biases, batch, eta, gen):
    n = x_all.shape[0]
    order = torch.randperm(n, generator=gen)
    step = -eta / batch
    n_layers = len(weights)
    for start in range(0, n, batch):
        idx = order[start:start + batch]
        x = x_all.index_select(0, idx)
        y = y_all.index_select(0, idx)

        # Forward: a_l (B, n_l) = σ(a_{l−1} · W_lᵀ + b_l).
        activations = [x]
        for w, b in zip(weights, biases):
            activations.append(torch.sigmoid_(torch.addmm(b, activations[-1], w.t())))

        # Backward: δ_L = (a_L − y) ⊙ σ′, δ_l = (δ_{l+1} · W_{l+1}) ⊙ σ′, with σ′ = a(1 − a).
        a = activations[-1]
        delta = (a - y) * a * (1.0 - a)
        for l in range(n_layers - 1, -1, -1):
            a_in = activations[l]
            delta_down = None
            if l > 0:
                delta_down = torch.mm(delta, weights[l]) * a_in * (1.0 - a_in)
            # w ← w − (η/m)·δᵀ·a_in, b ← b − (η/m)·Σδ, after δ has gone down through the old w.
            weights[l].addmm_(delta.t(), a_in, alpha=step)
            biases[l].add_(delta.sum(0), alpha=step)
            delta = delta_down


def make_autograd_model(sizes, gen):
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        linear = torch.nn.Linear(n_in, n_out)
        with torch.no_grad():
            linear.weight.copy_(torch.randn(n_out, n_in, generator=gen))
            linear.bias.copy_(torch.randn(n_out, generator=gen))
        layers += [linear, torch.nn.Sigmoid()]
    return torch.nn.Sequential(*layers)


def epoch_autograd(x_all, y_all, model, batch, eta, gen):
    n = x_all.shape[0]
    order = torch.randperm(n, generator=gen)
    params = list(model.parameters())
    step = -eta / batch
    for start in range(0, n, batch):
        idx = order[start:start + batch]
        x = x_all.index_select(0, idx)
        y = y_all.index_select(0, idx)
        # Σ over the batch of ½‖a − y‖²: its gradient is Σ∇C_x, which the step scales by η/m.
        loss = 0.5 * (model(x) - y).pow(2).sum()
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p.add_(p.grad, alpha=step)


def epoch_optim(x_all, y_all, model, loss_fn, optimizer, batch, gen):
    """The tutorial loop: a loss module, torch.optim.SGD, zero_grad / backward / step."""
    n = x_all.shape[0]
    order = torch.randperm(n, generator=gen)
    for start in range(0, n, batch):
        idx = order[start:start + batch]
        x = x_all.index_select(0, idx)
        y = y_all.index_select(0, idx)
        optimizer.zero_grad()
        loss = 0.5 * loss_fn(model(x), y)
        loss.backward()
        optimizer.step()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=3,
                        help="timed epochs per configuration after one warm-up (default 3); the median is printed")
    parser.add_argument("--mode", choices=("matmul", "autograd", "optim"), default="matmul")
    parser.add_argument("--data-dir", default=None, help="folder of the MNIST IDX files")
    args = parser.parse_args()
    if args.epochs < 1:
        parser.error("--epochs must be at least 1")

    # One thread, like backprop-cli: the comparison is of kernels, not of core counts.
    torch.set_num_threads(1)
    torch.set_grad_enabled(args.mode != "matmul")

    images, labels, source = mnist_idx.load_train(args.data_dir)
    n = images.shape[0]
    x_all = torch.from_numpy(images.astype(np.float32) / 255.0)
    y_all = torch.zeros(n, 10)
    y_all[torch.arange(n), torch.from_numpy(labels.astype(np.int64))] = 1.0
    print(f"pytorch_reference.py: torch {torch.__version__}, {torch.get_num_threads()} thread, "
          f"mode {args.mode}, {source}, 1 warm-up + {args.epochs} timed epochs, median",
          file=sys.stderr)

    for sizes, batch in mnist_idx.STANDARD_CONFIGS:
        gen = torch.Generator().manual_seed(1)
        if args.mode == "matmul":
            weights, biases = make_params(sizes, gen)
            run = lambda: epoch_matmul(x_all, y_all, weights, biases, batch, 3.0, gen)
        elif args.mode == "autograd":
            model = make_autograd_model(sizes, gen)
            run = lambda: epoch_autograd(x_all, y_all, model, batch, 3.0, gen)
        else:
            # Σ½‖a − y‖² with torch.optim.SGD at lr η/m: the same update as network.py.
            model = make_autograd_model(sizes, gen)
            loss_fn = torch.nn.MSELoss(reduction="sum")
            optimizer = torch.optim.SGD(model.parameters(), lr=3.0 / batch)
            run = lambda: epoch_optim(x_all, y_all, model, loss_fn, optimizer, batch, gen)

        times = []
        for _ in range(1 + args.epochs):
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
        seconds = statistics.median(times[1:])
        print(mnist_idx.bench_line(sizes, batch, seconds, n), flush=True)


if __name__ == "__main__":
    main()
