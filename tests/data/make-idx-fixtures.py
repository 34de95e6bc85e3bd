#!/usr/bin/python3
# tests/data/make-idx-fixtures.py — write the crafted IDX files that test-dataset and fuzz-idx use
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Run by hand from anywhere (`/usr/bin/python3 tests/data/make-idx-fixtures.py`); the outputs in
# tests/data/idx/ and tests/fuzz/corpus-idx/ are committed, so the build never runs Python.
# Each bad file breaks exactly one rule of the loader, so each test can assert one message.
# gzip output uses mtime 0 and no file name, so reruns give the same bytes.

import gzip
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "idx")
CORPUS = os.path.join(HERE, "..", "fuzz", "corpus-idx")

# The tiny valid set: 5 images of 3 rows × 4 columns (not square, so rows and columns cannot be
# confused), labels 3 1 4 1 5. Pixel p of image i is (i × 37 + p × 11) mod 256; test-dataset.c
# computes the same formula.
N, ROWS, COLS = 5, 3, 4
PIXELS = bytes((i * 37 + p * 11) % 256 for i in range(N) for p in range(ROWS * COLS))
LABELS = bytes([3, 1, 4, 1, 5])


def header(type_byte, dims):
    return bytes([0, 0, type_byte, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims)


def gz(data):
    return gzip.compress(data, compresslevel=9, mtime=0)


def write(name, data, corpus=False):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
    if corpus:
        with open(os.path.join(CORPUS, name), "wb") as f:
            f.write(data)


def main():
    os.makedirs(OUT, exist_ok=True)
    os.makedirs(CORPUS, exist_ok=True)

    images = header(0x08, [N, ROWS, COLS]) + PIXELS
    labels = header(0x08, [N]) + LABELS

    # Valid: raw, gzip, and gzip in two members (what `cat a.gz b.gz` makes).
    write("tiny-images-idx3-ubyte", images, corpus=True)
    write("tiny-labels-idx1-ubyte", labels, corpus=True)
    write("tiny-images-idx3-ubyte.gz", gz(images), corpus=True)
    write("tiny-labels-idx1-ubyte.gz", gz(labels))
    write("two-members-images-idx3-ubyte.gz", gz(images[:20]) + gz(images[20:]), corpus=True)

    # Header says 5×3×4 = 60 pixel bytes; 20 follow.
    write("truncated-images-idx3-ubyte", images[:16 + 20], corpus=True)
    # Header says 5 labels; 3 follow.
    write("truncated-labels-idx1-ubyte", labels[:8 + 3])
    # The header of MNIST's training images, 1000 pixel bytes after it.
    write("claims-mnist-idx3-ubyte", header(0x08, [60000, 28, 28]) + bytes(1000))
    # 7 bytes after the declared end.
    write("trailing-images-idx3-ubyte", images + b"EXTRA!!", corpus=True)
    # First byte 0x01.
    write("bad-magic-idx3-ubyte", b"\x01" + images[1:], corpus=True)
    # Type 0x0D: 32-bit floats, 4 bytes per value.
    write("float-images-idx3-ubyte", header(0x0D, [N, ROWS, COLS]) + bytes(4 * N * ROWS * COLS))
    # 4 dimensions.
    write("four-dims-idx-ubyte", header(0x08, [1, 2, 2, 2]) + bytes(8), corpus=True)
    # 5×0×4.
    write("zero-dim-images-idx3-ubyte", header(0x08, [N, 0, COLS]), corpus=True)
    # 10 bytes: the prefix and one and a half of three dimensions.
    write("truncated-header-idx3-ubyte", images[:10])
    # 100000×1000×1000 = 10^11 bytes: above the 2 GiB limit whatever follows.
    write("huge-images-idx3-ubyte", header(0x08, [100000, 1000, 1000]) + bytes(16))
    # Images 65 pixels wide: above BP_DATASET_MAX_SIDE.
    write("wide-images-idx3-ubyte", header(0x08, [1, 2, 65]) + bytes(130))
    # Only 4 labels for the 5 tiny images.
    write("mismatch-labels-idx1-ubyte", header(0x08, [4]) + LABELS[:4])
    # Label 10 at example 2: out of range for 10 classes.
    write("range-labels-idx1-ubyte", header(0x08, [N]) + bytes([3, 1, 10, 1, 5]))
    # Nothing at all.
    write("empty-idx3-ubyte", b"")

    # gzip damage. A valid gzip header, then a deflate block of the reserved type 3.
    write("bad-deflate-idx3-ubyte.gz",
          b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + b"\x07" + bytes(16), corpus=True)
    # The tiny images compressed, one bit of the CRC-32 in the trailer flipped.
    good = bytearray(gz(images))
    good[-8] ^= 0x01
    write("bad-crc-idx3-ubyte.gz", bytes(good))
    # The tiny images compressed, cut in the middle of the deflate stream.
    compressed = gz(images)
    write("truncated-idx3-ubyte.gz", compressed[:len(compressed) // 2], corpus=True)


if __name__ == "__main__":
    main()
