#!/usr/bin/python3
# tests/network2_interop.py — model files move both ways between Backprop and Nielsen's network2.py
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage:
#   network2_interop.py BP_MODEL_TOOL [BP_SESSION_TOOL]
#                                            run the interop checks (meson test network2-interop)
#   network2_interop.py --write-fixture OUT  write tests/data/models/network2-fixture.json with
#                                            network2's own save() and print what it predicts
#   network2_interop.py --backprop BACKPROP_CLI
#                                            backprop-cli backprop --json against network2's
#                                            backprop() (meson test network2-backprop)
#
# The checks: (1) files written by bp_model_save() load in network2.load() and its feedforward()
# gives our bp_network_predict() outputs to 1e-5; (2) files written by network2's save() load in
# bp_model_load() and predict what its feedforward() does; (3) with BP_SESSION_TOOL
# (tests/bp-session-tool.c), a saved session file (bp-session-file.h) is a model file too:
# network2.load() opens it and predicts what the network saved in it does. bp-model-tool
# (tests/bp-model-tool.c) is the C side: "random SIZES COST OUT [SEED]" and "predict MODEL".
#
# With --backprop (needs MNIST): models trained by `backprop-cli train`, and for several MNIST
# examples `backprop-cli backprop --json`: its z, a, delta, nabla_b and nabla_w are what
# network2's Network.backprop(x, y) computes for the same model and example (sigmoid networks,
# both of network2's costs), and for the activations, outputs and costs network2 lacks, its
# nabla_b and nabla_w are central differences of the cost in double precision.

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
# and backprop() (SGD and the other training methods are left out: these checks move files,
# predict and backpropagate one example). Its licence:
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

    def backprop(self, x, y):
        """Return a tuple ``(nabla_b, nabla_w)`` representing the
        gradient for the cost function C_x.  ``nabla_b`` and
        ``nabla_w`` are layer-by-layer lists of numpy arrays, similar
        to ``self.biases`` and ``self.weights``."""
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        # feedforward
        activation = x
        activations = [x] # list to store all the activations, layer by layer
        zs = [] # list to store all the z vectors, layer by layer
        for b, w in zip(self.biases, self.weights):
            z = np.dot(w, activation)+b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)
        # backward pass
        delta = (self.cost).delta(zs[-1], activations[-1], y)
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].transpose())
        # Note that the variable l in the loop below is used a little
        # differently to the notation in Chapter 2 of the book.  Here,
        # l = 1 means the last layer of neurons, l = 2 is the
        # second-last layer, and so on.  It's a renumbering of the
        # scheme in the book, used here to take advantage of the fact
        # that Python can use negative indices in lists.
        for l in range(2, self.num_layers):
            z = zs[-l]
            sp = sigmoid_prime(z)
            delta = np.dot(self.weights[-l+1].transpose(), delta) * sp
            nabla_b[-l] = delta
            nabla_w[-l] = np.dot(delta, activations[-l-1].transpose())
        return (nabla_b, nabla_w)

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


# ── backprop-cli backprop --json against network2's backprop() ──────────────────────────────

BACKPROP_TOLERANCE = 1e-5
MNIST_FILES = ("train-images-idx3-ubyte", "t10k-images-idx3-ubyte")


def mnist_dir():
    """The folder backprop-cli reads MNIST from (bp_mnist_find_dir()), or None without it."""
    base = os.environ.get("BACKPROP_DATA_DIR") or os.path.join(
        os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share"), "backprop", "mnist")
    for name in MNIST_FILES:
        if not (os.path.exists(os.path.join(base, name))
                or os.path.exists(os.path.join(base, name + ".gz"))):
            return None
    return base


def cli_backprop(cli, data_dir, model, where, index, out):
    subprocess.run([cli, "backprop", "--model", model, "--data-dir", data_dir,
                    "--%s-index" % where, str(index), "--json", out],
                   check=True, capture_output=True, text=True)
    with open(out) as f:
        return json.load(f)


def relative_difference(ours, theirs):
    """max |ours − theirs| over the largest |theirs|: a whole vector or matrix at once, since a
    float's rounding is relative to the terms that made a number, not to the number."""
    ours = np.asarray(ours, dtype=float)
    theirs = np.asarray(theirs, dtype=float)
    if ours.shape != theirs.shape:
        return float("inf")
    scale = max(float(np.max(np.abs(theirs))), 1e-30)
    return float(np.max(np.abs(ours - theirs))) / scale


def network2_differences(data, net):
    """One example's --json against network2: its forward pass (z, a) and backprop(), layer by
    layer; the largest relative difference of each member."""
    x = np.array(data["x"], dtype=float).reshape(-1, 1)
    y = np.array(data["y"], dtype=float).reshape(-1, 1)
    nabla_b, nabla_w = net.backprop(x, y)
    zs, activations, a = [], [], x
    for b, w in zip(net.biases, net.weights):
        z = np.dot(w, a) + b
        zs.append(z)
        a = sigmoid(z)
        activations.append(a)
    worst = {}
    # BP3: delta is nabla_b.
    for name, theirs in (("z", zs), ("a", activations), ("delta", nabla_b),
                         ("nabla_b", nabla_b), ("nabla_w", nabla_w)):
        ours = data[name]
        if len(ours) != len(theirs):
            worst[name] = float("inf")
            continue
        worst[name] = max(relative_difference(o, t.reshape(-1) if t.shape[1] == 1 else t)
                          for o, t in zip(ours, theirs))
    cost = net.cost.fn(activations[-1], y)
    worst["cost"] = abs(data["cost"] - cost) / max(abs(cost), 1e-30)
    return worst


def forward_cost(weights, biases, activation, output, cost, x, label):
    """C_x in double for any of our dense networks: hidden layers of @activation, an output
    layer of @output, and @cost — network2's forward pass widened to tanh, ReLU and softmax."""
    functions = {"sigmoid": sigmoid, "tanh": np.tanh, "relu": lambda v: np.maximum(v, 0.0)}
    a = x
    for l, (w, b) in enumerate(zip(weights, biases)):
        z = np.dot(w, a) + b
        if l + 1 < len(weights):
            a = functions[activation[l]](z)
    y = np.zeros(z.shape)
    y[label] = 1.0
    if output == "softmax":
        m = float(np.max(z))
        return m + np.log(np.sum(np.exp(z - m))) - float(z[label, 0])
    s = sigmoid(z)
    if cost == "quadratic":
        return 0.5 * float(np.sum((s - y) ** 2))
    return float(np.sum(np.logaddexp(0.0, -z) * y + np.logaddexp(0.0, z) * (1.0 - y)))


def finite_difference_check(data, model_path, activation, n_samples=300, eps=1e-6):
    """Central differences of forward_cost() for a sample of weights and biases against the
    --json gradient; the largest |g − n| / max(|g|, |n|, 1e-5)."""
    with open(model_path) as f:
        model = json.load(f)
    weights = [np.array(w, dtype=float) for w in model["weights"]]
    biases = [np.array(b, dtype=float) for b in model["biases"]]
    x = np.array(data["x"], dtype=float).reshape(-1, 1)
    args = (activation, model["output"], model["backprop_cost"], x, data["label"])
    rng = np.random.RandomState(12345)
    worst = 0.0
    for _ in range(n_samples):
        l = int(rng.randint(len(weights)))
        is_bias = rng.rand() < 0.3
        target = biases[l] if is_bias else weights[l]
        j = int(rng.randint(target.shape[0]))
        k = 0 if is_bias else int(rng.randint(target.shape[1]))
        saved = target[j, k]
        target[j, k] = saved + eps
        plus = forward_cost(weights, biases, *args)
        target[j, k] = saved - eps
        minus = forward_cost(weights, biases, *args)
        target[j, k] = saved
        numerical = (plus - minus) / (2 * eps)
        ours = data["nabla_b"][l][j] if is_bias else data["nabla_w"][l][j][k]
        worst = max(worst, abs(ours - numerical) / max(abs(ours), abs(numerical), 1e-5))
    return worst


def train_model(cli, data_dir, path, args):
    subprocess.run([cli, "train", "--data-dir", data_dir, "--train-size", "1000", "--epochs", "1",
                    "--init", "default", "--save", path] + args,
                   check=True, capture_output=True, text=True)


def run_backprop_checks(cli):
    data_dir = mnist_dir()
    if data_dir is None:
        print("1..0 # SKIP MNIST is not installed (build-aux/fetch-mnist.sh)")
        return 0
    tap = Tap()
    # network2's networks: sigmoid throughout, its two costs, one and two hidden layers.
    network2_models = (
        ("784-30-10", "cross-entropy", ["--layers", "784,30,10", "--cost", "cross-entropy",
                                        "--eta", "0.5"]),
        ("784-20-15-10", "quadratic", ["--layers", "784,20,15,10", "--cost", "quadratic",
                                       "--eta", "3.0"]),
    )
    examples = (("test", 0), ("test", 1), ("test", 9999), ("train", 7), ("train", 49999))
    # Ours beyond network2, checked by central differences: the hidden layers' activations,
    # then the output layer and the cost. network2's default initialiser keeps the hidden
    # layers out of deep saturation, where f′ = 1 − a² of a float a within 10⁻⁷ of ±1 keeps
    # few digits (a property of float the check would show, not an error of backprop).
    other_models = (
        (["tanh"], "sigmoid output, quadratic",
         ["--layers", "784,20,10", "--activation", "tanh", "--cost", "quadratic", "--eta", "0.5"]),
        (["relu"], "softmax, log-likelihood",
         ["--layers", "784,20,10", "--activation", "relu", "--output", "softmax", "--eta", "0.1"]),
        (["sigmoid", "relu"], "sigmoid output, cross-entropy",
         ["--net", "fc20,fc12:relu,sigmoid10", "--cost", "cross-entropy", "--eta", "0.5"]),
        (["tanh", "sigmoid"], "softmax, log-likelihood",
         ["--net", "fc16:tanh,fc12,softmax10", "--eta", "0.1"]),
    )
    print("1..%d" % (len(network2_models) * (len(examples) + 1) + len(other_models)))
    with tempfile.TemporaryDirectory(prefix="network2-backprop-") as tmp:
        for sizes, cost, args in network2_models:
            name = "%s %s" % (sizes, cost)
            path = os.path.join(tmp, sizes + ".json")
            train_model(cli, data_dir, path, args)
            net = load(path)
            tap.check(net.sizes == [int(s) for s in sizes.split("-")]
                      and net.cost is (QuadraticCost if cost == "quadratic" else CrossEntropyCost),
                      "network2.load() reads the %s model backprop-cli trained" % name,
                      "sizes %s, cost %s" % (net.sizes, net.cost.__name__))
            for where, index in examples:
                data = cli_backprop(cli, data_dir, path, where, index,
                                    os.path.join(tmp, "trace.json"))
                worst = network2_differences(data, net)
                tap.check(max(worst.values()) <= BACKPROP_TOLERANCE,
                          "%s, %s image %d: z, a, delta, nabla_b, nabla_w and the cost are "
                          "network2's backprop() (largest relative difference %.1e)"
                          % (name, where, index, max(worst.values())),
                          json.dumps(worst))
        for activation, rest, args in other_models:
            path = os.path.join(tmp, "other.json")
            train_model(cli, data_dir, path, args)
            data = cli_backprop(cli, data_dir, path, "test", 3, os.path.join(tmp, "trace.json"))
            worst = finite_difference_check(data, path, activation)
            tap.check(worst <= 1e-3,
                      "%s hidden, %s: --json's gradient is central differences of the cost "
                      "(largest relative difference %.1e)" % ("+".join(activation), rest, worst))
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
    if len(sys.argv) == 3 and sys.argv[1] == "--backprop":
        return run_backprop_checks(sys.argv[2])
    if len(sys.argv) not in (2, 3):
        print("usage: network2_interop.py BP_MODEL_TOOL [BP_SESSION_TOOL] | --write-fixture OUT"
              " | --backprop BACKPROP_CLI", file=sys.stderr)
        return 2
    return run_checks(sys.argv[1], sys.argv[2] if len(sys.argv) == 3 else None)


if __name__ == "__main__":
    sys.exit(main())
