#!/usr/bin/python3
# tests/network2_interop.py — model files move both ways between Backprop and Nielsen's network2.py
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage:
#   network2_interop.py BP_MODEL_TOOL [BP_SESSION_TOOL]
#                                            run the interop checks (meson test network2-interop)
#   network2_interop.py --write-fixture OUT  write tests/data/models/network2-fixture.json with
#                                            network2's own save() and print what it predicts
#
# The checks: (1) files written by bp_model_save() load in network2.load() and its feedforward()
# gives our bp_network_predict() outputs to 1e-5; (2) files written by network2's save() load in
# bp_model_load() and predict what its feedforward() does; (3) with BP_SESSION_TOOL
# (tests/bp-session-tool.c), a saved session file (bp-session-file.h) is a model file too:
# network2.load() opens it and predicts what the network saved in it does. bp-model-tool
# (tests/bp-model-tool.c) is the C side: "random SIZES COST OUT [SEED]" and "predict MODEL".

import json
import os
import sys
import tempfile
import subprocess

try:
    import numpy as np
except ImportError:
    print("1..0 # SKIP numpy is not installed (build-aux/install-deps.sh installs python3-numpy)")
    sys.exit(0)


# ── network2.py, ported to Python 3 ──────────────────────────────────────────────────────────
#
# The cost classes, Network's constructor, initialisers, feedforward() and save(), the module's
# load(), sigmoid() and sigmoid_prime() from src/network2.py of
# github.com/mnielsen/neural-networks-and-deep-learning, changed only as far as Python 3 needs
# (the training methods are left out: these checks only move files and predict). Its licence:
#
#   MIT License
#
#   Copyright (c) 2012-2015 Michael Nielsen
#
#   Permission is hereby granted, free of charge, to any person obtaining a copy of this
#   software and associated documentation files (the "Software"), to deal in the Software
#   without restriction, including without limitation the rights to use, copy, modify, merge,
#   publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons to
#   whom the Software is furnished to do so, subject to the following conditions:
#
#   The above copyright notice and this permission notice shall be included in all copies or
#   substantial portions of the Software.
#
#   THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED,
#   INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR
#   PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR
#   ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE,
#   ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
#   SOFTWARE.

class QuadraticCost(object):

    @staticmethod
    def fn(a, y):
        """Return the cost associated with an output ``a`` and desired output
        ``y``.

        """
        return 0.5*np.linalg.norm(a-y)**2

    @staticmethod
    def delta(z, a, y):
        """Return the error delta from the output layer."""
        return (a-y) * sigmoid_prime(z)


class CrossEntropyCost(object):

    @staticmethod
    def fn(a, y):
        """Return the cost associated with an output ``a`` and desired output
        ``y``.  Note that np.nan_to_num is used to ensure numerical
        stability.

        """
        return np.sum(np.nan_to_num(-y*np.log(a)-(1-y)*np.log(1-a)))

    @staticmethod
    def delta(z, a, y):
        """Return the error delta from the output layer."""
        return (a-y)


class Network(object):

    def __init__(self, sizes, cost=CrossEntropyCost):
        """The list ``sizes`` contains the number of neurons in the respective
        layers of the network.  The biases and weights are initialized
        randomly, using ``self.default_weight_initializer``.

        """
        self.num_layers = len(sizes)
        self.sizes = sizes
        self.default_weight_initializer()
        self.cost=cost

    def default_weight_initializer(self):
        """Weights N(0, 1/sqrt(n_in)), biases N(0, 1); no biases for the
        input layer."""
        self.biases = [np.random.randn(y, 1) for y in self.sizes[1:]]
        self.weights = [np.random.randn(y, x)/np.sqrt(x)
                        for x, y in zip(self.sizes[:-1], self.sizes[1:])]

    def large_weight_initializer(self):
        """Weights and biases N(0, 1), as in Chapter 1."""
        self.biases = [np.random.randn(y, 1) for y in self.sizes[1:]]
        self.weights = [np.random.randn(y, x)
                        for x, y in zip(self.sizes[:-1], self.sizes[1:])]

    def feedforward(self, a):
        """Return the output of the network if ``a`` is input."""
        for b, w in zip(self.biases, self.weights):
            a = sigmoid(np.dot(w, a)+b)
        return a

    def save(self, filename):
        """Save the neural network to the file ``filename``."""
        data = {"sizes": self.sizes,
                "weights": [w.tolist() for w in self.weights],
                "biases": [b.tolist() for b in self.biases],
                "cost": str(self.cost.__name__)}
        f = open(filename, "w")
        json.dump(data, f)
        f.close()


def load(filename):
    """Load a neural network from the file ``filename``.  Returns an
    instance of Network.

    """
    f = open(filename, "r")
    data = json.load(f)
    f.close()
    cost = getattr(sys.modules[__name__], data["cost"])
    net = Network(data["sizes"], cost=cost)
    net.weights = [np.array(w) for w in data["weights"]]
    net.biases = [np.array(b) for b in data["biases"]]
    return net


def sigmoid(z):
    """The sigmoid function."""
    return 1.0/(1.0+np.exp(-z))


def sigmoid_prime(z):
    """Derivative of the sigmoid function."""
    return sigmoid(z)*(1-sigmoid(z))

# ── end of the network2.py port ──────────────────────────────────────────────────────────────


N_INPUTS = 5
TOLERANCE = 1e-5


def probe_inputs(n):
    """The inputs bp-model-tool predicts: x_i of input k is ((37 i + 11 k) mod 32) / 32, exact in
    float and double alike, as a column vector like network2's."""
    return [np.array([[((37 * i + 11 * k) % 32) / 32.0] for i in range(n)])
            for k in range(N_INPUTS)]


def our_predictions(tool, path):
    out = subprocess.run([tool, "predict", path], check=True, capture_output=True, text=True)
    rows = [[float(v) for v in line.split()] for line in out.stdout.splitlines()]
    if len(rows) != N_INPUTS:
        raise AssertionError("bp-model-tool predicted %d inputs, expected %d" % (len(rows), N_INPUTS))
    return rows


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def check(self, ok, description, detail=""):
        self.n += 1
        print("%s %d - %s" % ("ok" if ok else "not ok", self.n, description))
        if not ok:
            self.failed += 1
            for line in detail.splitlines():
                print("# " + line)


def compare(tap, description, net, rows, softmax=False):
    """Our rows against network2's feedforward(); a softmax model is compared by its argmax,
    which is all network2 (sigmoid everywhere) can share with it."""
    worst = 0.0
    detail = ""
    same_argmax = True
    for k, x in enumerate(probe_inputs(net.sizes[0])):
        theirs = net.feedforward(x).ravel()
        ours = np.array(rows[k])
        if ours.shape != theirs.shape:
            tap.check(False, description, "input %d: %d outputs against %d" % (k, len(ours), len(theirs)))
            return
        if int(np.argmax(ours)) != int(np.argmax(theirs)):
            same_argmax = False
            detail += "input %d: argmax %d against network2's %d\n" % (
                k, int(np.argmax(ours)), int(np.argmax(theirs)))
        diff = float(np.max(np.abs(ours - theirs)))
        if diff > worst:
            worst = diff
            detail += "input %d: ours %s\n         network2 %s\n" % (k, ours, theirs)
    if softmax:
        tap.check(same_argmax, description + " (same argmax)", detail)
    else:
        tap.check(worst <= TOLERANCE, "%s (max difference %.2e)" % (description, worst), detail)


def session_checks(tap, tool, session_tool, tmp):
    """A session file written by bp_session_file_write(): network2.load() reads it, predicts as
    bp_model_load() does for the same file, and our extra member is there."""
    for side, hidden, epochs in ((4, 12, 3), (28, 30, 1)):
        path = os.path.join(tmp, "session-%d-%d.backprop" % (side * side, hidden))
        out = subprocess.run([session_tool, "write", path, str(side), str(hidden), str(epochs)],
                             check=True, capture_output=True, text=True)
        net = load(path)
        sizes = [side * side, hidden, 10]
        tap.check(net.cost is CrossEntropyCost and net.sizes == sizes,
                  "network2.load() reads our %s session file" % "-".join(map(str, sizes)),
                  "cost %s, sizes %s" % (net.cost.__name__, net.sizes))
        compare(tap, "network2 feedforward() = our predict for our %s session file"
                % "-".join(map(str, sizes)), net, our_predictions(tool, path))
        with open(path) as f:
            data = json.load(f)
        session = data.get("backprop-session", {})
        tap.check(session.get("version") == 1 and session.get("epoch") == epochs
                  and int(out.stdout) == epochs and len(data.get("history", [])) == epochs
                  and len(session.get("plots", {}).get("pins", [])) == 1,
                  "the %s session file keeps its own member beside network2's"
                  % "-".join(map(str, sizes)),
                  "backprop-session: %s" % json.dumps(session)[:400])


def run_checks(tool, session_tool=None):
    tap = Tap()
    print("1..%d" % (10 + (6 if session_tool else 0)))
    with tempfile.TemporaryDirectory(prefix="network2-interop-") as tmp:
        # (1) our files in network2.
        for sizes, cost, n2cost in (("784,30,10", "cross-entropy", CrossEntropyCost),
                                    ("5,4,3,2", "quadratic", QuadraticCost),
                                    ("3,2", "cross-entropy", CrossEntropyCost)):
            path = os.path.join(tmp, "ours-%s.json" % sizes.replace(",", "-"))
            subprocess.run([tool, "random", sizes, cost, path, "7"], check=True)
            net = load(path)
            tap.check(net.cost is n2cost and net.sizes == [int(s) for s in sizes.split(",")],
                      "network2.load() reads our %s %s file" % (sizes, cost),
                      "cost %s, sizes %s" % (net.cost.__name__, net.sizes))
            compare(tap, "network2 feedforward() = our predict for our %s file" % sizes,
                    net, our_predictions(tool, path))

        # A softmax / log-likelihood model still loads in network2 and ranks outputs alike.
        path = os.path.join(tmp, "ours-softmax.json")
        subprocess.run([tool, "random", "6,5,4", "log-likelihood", path, "3"], check=True)
        net = load(path)
        compare(tap, "network2 reads our softmax model as CrossEntropyCost",
                net, our_predictions(tool, path), softmax=True)

        # (2) network2's own files in ours.
        np.random.seed(20150101)
        for sizes, cost, large in (([6, 5, 3], QuadraticCost, False),
                                   ([784, 30, 10], CrossEntropyCost, True),
                                   ([4, 8, 8, 2], CrossEntropyCost, False)):
            net = Network(sizes, cost=cost)
            if large:
                net.large_weight_initializer()
            path = os.path.join(tmp, "network2-%s.json" % "-".join(map(str, sizes)))
            net.save(path)
            compare(tap, "our predict = network2 feedforward() for its %s %s file"
                    % ("-".join(map(str, sizes)), cost.__name__), net, our_predictions(tool, path))

        # (3) our session files in network2.
        if session_tool:
            session_checks(tap, tool, session_tool, tmp)
    return 1 if tap.failed else 0


def write_fixture(path):
    """The committed fixture: a 4-3-2 QuadraticCost network made by network2's constructor with
    a fixed seed, rounded to two decimals so that a person can follow the arithmetic, and written
    by network2's save(). Prints what feedforward() gives for the input test-model-io.c uses."""
    np.random.seed(4032)
    net = Network([4, 3, 2], cost=QuadraticCost)
    net.weights = [np.round(w, 2) for w in net.weights]
    net.biases = [np.round(b, 2) for b in net.biases]
    net.save(path)
    x = np.array([[0.0], [0.25], [0.5], [1.0]])
    hidden = sigmoid(np.dot(net.weights[0], x) + net.biases[0])
    print("hidden:", " ".join("%.17g" % v for v in hidden.ravel()))
    print("output:", " ".join("%.17g" % v for v in net.feedforward(x).ravel()))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--write-fixture":
        write_fixture(sys.argv[2])
        return 0
    if len(sys.argv) not in (2, 3):
        print("usage: network2_interop.py BP_MODEL_TOOL [BP_SESSION_TOOL] | --write-fixture OUT",
              file=sys.stderr)
        return 2
    return run_checks(sys.argv[1], sys.argv[2] if len(sys.argv) == 3 else None)


if __name__ == "__main__":
    sys.exit(main())
