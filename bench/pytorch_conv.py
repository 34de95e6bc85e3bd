#!/usr/bin/env python3
# bench/pytorch_conv.py — chapter 6's conv nets in PyTorch, timed as backprop-cli bench times them
# SPDX-License-Identifier: GPL-3.0-or-later
"""Train network3.py's ch6-conv2 and ch6-dropout networks in PyTorch at mini-batches of 10 for
one warm-up and N timed passes over the first 50,000 MNIST training images (or --images of
them, the time scaled to 50,000), on --threads threads, and print for each the line
backprop-cli bench prints:

    bench ch6-conv2 batch 10 threads T seconds_per_epoch S images_per_s I gflops G

then, with --sgemm, the machine's single-precision matrix product rate in the same run:

    sgemm n 2048 threads T gflops G

ch6-conv2: Conv(20, 5×5) sigmoid, max-pool 2, Conv(40, 5×5) sigmoid, max-pool 2, FC 100 sigmoid,
softmax 10, η 0.1. ch6-dropout: the same convs with ReLU, FC 1000, FC 1000 (ReLU), softmax 10,
dropout 0.5 on the input of each of the three, η 0.03. Log-likelihood cost, plain SGD
(torch.optim.SGD on the mean cost of a mini-batch: network3.py's update), network3.py's
initialisation. GFLOP/s counts what backprop-cli bench counts: 2 per multiply-add of the forward
products, the weight gradients, and the deltas sent down to hidden layers (conv layers as
weights × output positions).
"""

import argparse
import math
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import mnist_idx


class Net(nn.Module):
    def __init__(self, kind):
        super().__init__()
        self.kind = kind
        self.conv1 = nn.Conv2d(1, 20, 5)
        self.conv2 = nn.Conv2d(20, 40, 5)
        width = 100 if kind == "ch6-conv2" else 1000
        self.fc = [nn.Linear(640, width)]
        if kind == "ch6-dropout":
            self.fc.append(nn.Linear(1000, 1000))
        self.fc = nn.ModuleList(self.fc)
        self.out = nn.Linear(width, 10)
        self.p = 0.5 if kind == "ch6-dropout" else 0.0
        self.f = torch.sigmoid if kind == "ch6-conv2" else F.relu
        # network3.py: N(0, √(1/n_out)), a conv-pool layer's n_out = filters·k²/pool area,
        # biases N(0, 1), the softmax layer zero.
        with torch.no_grad():
            for layer, n_out in ((self.conv1, 20 * 25 / 4), (self.conv2, 40 * 25 / 4)):
                layer.weight.normal_(0.0, math.sqrt(1.0 / n_out))
                layer.bias.normal_(0.0, 1.0)
            for layer in self.fc:
                layer.weight.normal_(0.0, math.sqrt(1.0 / layer.out_features))
                layer.bias.normal_(0.0, 1.0)
            self.out.weight.zero_()
            self.out.bias.zero_()

    def forward(self, x):
        x = F.max_pool2d(self.f(self.conv1(x)), 2)
        x = F.max_pool2d(self.f(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        for layer in self.fc:
            x = self.f(layer(F.dropout(x, self.p, self.training)))
        return F.log_softmax(self.out(F.dropout(x, self.p, self.training)), dim=1)


def train_flops(kind):
    """Per example: 2·MACs ×2 for the first layer (forward, ∂W), ×3 for the others (+ deltas)."""
    convs = [(20 * 25, 24 * 24, 2), (40 * 20 * 25, 8 * 8, 3)]
    dense = [(640 * 100, 3), (100 * 10, 3)] if kind == "ch6-conv2" else \
            [(640 * 1000, 3), (1000 * 1000, 3), (1000 * 10, 3)]
    total = sum(2.0 * w * q * k for w, q, k in convs) + sum(2.0 * w * k for w, k in dense)
    return total


def epoch(model, optimizer, x_all, y_all, batch, gen):
    n = x_all.shape[0]
    order = torch.randperm(n, generator=gen)
    model.train()
    for start in range(0, n, batch):
        idx = order[start:start + batch]
        x = x_all.index_select(0, idx)
        y = y_all.index_select(0, idx)
        optimizer.zero_grad(set_to_none=True)
        loss = F.nll_loss(model(x), y)
        loss.backward()
        optimizer.step()


def sgemm_gflops(n=2048, repeats=5):
    a = torch.randn(n, n)
    b = torch.randn(n, n)
    c = torch.mm(a, b)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        torch.mm(a, b, out=c)
        times.append(time.perf_counter() - t0)
    return 2.0 * n ** 3 / min(times) / 1e9


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--net", choices=("ch6-conv2", "ch6-dropout"), action="append")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=1,
                        help="timed epochs after one warm-up (default 1); the median is printed")
    parser.add_argument("--images", type=int, default=50000,
                        help="train on the first N images and scale the time to 50,000")
    parser.add_argument("--sgemm", action="store_true", help="also time a 2048² matrix product")
    parser.add_argument("--data-dir", default=None, help="folder of the MNIST IDX files")
    args = parser.parse_args()
    if args.threads < 1 or args.epochs < 1 or not 10 <= args.images <= 50000:
        parser.error("--threads and --epochs must be at least 1, --images 10 … 50000")

    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    images, labels, source = mnist_idx.load_train(args.data_dir)
    images, labels = images[:args.images], labels[:args.images]
    x_all = torch.from_numpy(images.astype(np.float32) / 255.0).reshape(-1, 1, 28, 28)
    y_all = torch.from_numpy(labels.astype(np.int64))
    print(f"pytorch_conv.py: torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"{source}, {args.images} images, 1 warm-up + {args.epochs} timed epochs, median",
          file=sys.stderr)

    for kind in args.net or ["ch6-conv2", "ch6-dropout"]:
        model = Net(kind)
        eta = 0.1 if kind == "ch6-conv2" else 0.03
        optimizer = torch.optim.SGD(model.parameters(), lr=eta)
        gen = torch.Generator().manual_seed(1)
        times = []
        for e in range(args.epochs + 1):
            t0 = time.perf_counter()
            epoch(model, optimizer, x_all, y_all, 10, gen)
            if e > 0:
                times.append((time.perf_counter() - t0) * 50000.0 / args.images)
        seconds = statistics.median(times)
        print(f"bench {kind} batch 10 threads {args.threads} seconds_per_epoch {seconds:.3f} "
              f"images_per_s {50000 / seconds:.0f} gflops {train_flops(kind) * 50000 / seconds / 1e9:.2f}",
              flush=True)

    if args.sgemm:
        print(f"sgemm n 2048 threads {args.threads} gflops {sgemm_gflops():.2f}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
