# bench/mnist_idx.py — MNIST IDX files for the reference scripts: find the folder, read, fall back
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The reference scripts read the same four files as backprop-cli, from the same folder, with
# NumPy alone, so that their figures do not depend on a data loader of some framework.

import gzip
import os
import struct
import sys

import numpy as np

TRAIN_IMAGES = 50000


def find_dir(explicit=None):
    """The folder backprop-cli would use: --data-dir, $BACKPROP_DATA_DIR, then XDG."""
    if explicit:
        return explicit
    if os.environ.get("BACKPROP_DATA_DIR"):
        return os.environ["BACKPROP_DATA_DIR"]
    xdg = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(xdg, "backprop", "mnist")


def read_idx(path):
    """One IDX file (raw or gzip, told apart by content) as a uint8 array of its shape."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise ValueError(f"{path}: not an IDX file (bad magic)")
    if data[2] != 0x08:
        raise ValueError(f"{path}: element type 0x{data[2]:02x}, only unsigned bytes are supported")
    n_dims = data[3]
    if not 1 <= n_dims <= 3 or len(data) < 4 + 4 * n_dims:
        raise ValueError(f"{path}: bad number of dimensions {n_dims}")
    dims = struct.unpack(">" + "I" * n_dims, data[4:4 + 4 * n_dims])
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * n_dims)
    if body.size != int(np.prod(dims)):
        raise ValueError(f"{path}: header says {dims}, file holds {body.size} bytes of data")
    return body.reshape(dims)


def _open_pair(folder, stem):
    for suffix in ("", ".gz"):
        path = os.path.join(folder, stem + suffix)
        if os.path.exists(path):
            return path
    raise FileNotFoundError(f"{folder}: no {stem} (raw or .gz); run build-aux/fetch-mnist.sh")


def load_train(data_dir=None, n=TRAIN_IMAGES):
    """The first @n training images as (n, 784) uint8 and their labels as (n,) uint8.

    Falls back to random bytes (said on stderr) when MNIST is missing, as backprop-cli bench
    does: the arithmetic of a training pass does not depend on the pixel values."""
    folder = find_dir(data_dir)
    try:
        images = read_idx(_open_pair(folder, "train-images-idx3-ubyte"))
        labels = read_idx(_open_pair(folder, "train-labels-idx1-ubyte"))
        if images.shape[0] < n or labels.shape[0] != images.shape[0]:
            raise ValueError(f"{folder}: fewer than {n} training images")
        return images[:n].reshape(n, -1), labels[:n], f"MNIST from {folder}"
    except (OSError, ValueError) as e:
        print(f"{os.path.basename(sys.argv[0])}: MNIST not available ({e}); "
              f"timing on {n} synthetic random images", file=sys.stderr)
        rng = np.random.RandomState(1)
        images = rng.randint(0, 256, size=(n, 784)).astype(np.uint8)
        labels = rng.randint(0, 10, size=n).astype(np.uint8)
        return images, labels, "synthetic random images"


def useful_flops(sizes, n_images):
    """Forward 2·n_in·n_out per image and layer, the same again for ∂W, and again for the deltas
    sent down to hidden layers — the count backprop-cli bench uses."""
    per_image = 0.0
    for l in range(1, len(sizes)):
        mac = sizes[l - 1] * sizes[l]
        per_image += 4.0 * mac
        if l >= 2:
            per_image += 2.0 * mac
    return per_image * n_images


def bench_line(sizes, batch, seconds, n_images, extra=""):
    layers = "-".join(str(s) for s in sizes)
    line = (f"bench {layers} batch {batch} seconds_per_epoch {seconds:.3f} "
            f"images_per_s {n_images / seconds:.0f} gflops {useful_flops(sizes, n_images) / seconds / 1e9:.2f}")
    return line + extra


STANDARD_CONFIGS = [
    ((784, 30, 10), 10),
    ((784, 30, 10), 100),
    ((784, 100, 10), 10),
    ((784, 100, 10), 100),
]
