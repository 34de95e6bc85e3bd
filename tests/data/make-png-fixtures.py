#!/usr/bin/python3
# tests/data/make-png-fixtures.py — write the PNG files that test-classify.sh and fuzz-preprocess use
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Run by hand from anywhere (`/usr/bin/python3 tests/data/make-png-fixtures.py`) after
# make-drawn-digits.py; the outputs in tests/data/png/ and tests/fuzz/corpus-preprocess/ are
# committed, so the build never runs Python. Pure Python (zlib and struct): the digits are the
# drawn-digit strokes rasterised with anti-aliasing by distance to the stroke, in the kinds of
# PNG people hand to `backprop-cli classify`: grey, RGB, RGBA with transparency, either polarity.

import json
import math
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "png")
CORPUS = os.path.join(HERE, "..", "fuzz", "corpus-preprocess")


def chunk(kind, body):
    return (struct.pack(">I", len(body)) + kind + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xffffffff))


def png(width, height, colour_type, rows):
    """colour_type 0 grey, 2 RGB, 6 RGBA; rows: lists of byte values, 8 bits per sample."""
    raw = b"".join(b"\0" + bytes(r) for r in rows)
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b""))


def strokes_of(digit, style):
    with open(os.path.join(HERE, "drawn-digits", "%d.json" % digit)) as f:
        doc = json.load(f)
    return next(s["strokes"] for s in doc["styles"] if s["name"] == style)


def segment_distance(px, py, ax, ay, bx, by):
    dx, dy = bx - ax, by - ay
    t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy)
                                               / (dx * dx + dy * dy)))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def coverage(width, height, strokes, x0, y0, side, pen):
    """Ink coverage in [0, 1] per pixel: 1 inside the pen's half width, a one-pixel ramp out."""
    segs = []
    for s in strokes:
        pts = [(x0 + side * x, y0 + side * y) for x, y in s]
        segs += list(zip(pts, pts[1:]))
    cov = []
    for y in range(height):
        row = []
        for x in range(width):
            d = min(segment_distance(x + 0.5, y + 0.5, a[0], a[1], b[0], b[1]) for a, b in segs)
            row.append(max(0.0, min(1.0, pen / 2 + 0.5 - d)))
        cov.append(row)
    return cov


def mix(paper, ink, c):
    return [int(round(p + (i - p) * c)) for p, i in zip(paper, ink)]


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def main():
    os.makedirs(OUT, exist_ok=True)
    os.makedirs(CORPUS, exist_ok=True)

    # A 7 in black on white, 8-bit grey.
    cov = coverage(160, 200, strokes_of(7, "plain"), 10, 20, 150, 14)
    seven = png(160, 200, 0, [[mix([255], [0], c)[0] for c in r] for r in cov])
    write("seven-grey.png", seven)

    # A 3 in white on black, wider than tall, the digit off to the right.
    cov = coverage(300, 200, strokes_of(3, "round"), 140, 20, 160, 16)
    write("three-light-on-dark.png", png(300, 200, 0, [[mix([0], [255], c)[0] for c in r]
                                                       for r in cov]))

    # A 4 as black strokes on a transparent ground, as drawing programs export them.
    cov = coverage(120, 120, strokes_of(4, "open"), 5, 5, 110, 10)
    write("four-transparent.png", png(120, 120, 6, [sum(([0, 0, 0, int(round(255 * c))] for c in r),
                                                        []) for r in cov]))

    # A 0 in dark blue ink on cream paper with a little grain, RGB.
    cov = coverage(140, 180, strokes_of(0, "oval"), 10, 15, 150, 12)
    rows = []
    for y, r in enumerate(cov):
        row = []
        for x, c in enumerate(r):
            grain = ((x * 7919 + y * 104729) % 13) - 6
            row += mix([225 + grain, 215 + grain, 190 + grain], [40, 45, 100], c)
        rows.append(row)
    write("zero-rgb-paper.png", png(140, 180, 2, rows))

    # Nothing to classify: a blank page.
    write("blank.png", png(64, 48, 0, [[255] * 64 for _ in range(48)]))

    # Broken files: cut short, not a PNG at all, and a header claiming 40000×40000 pixels.
    write("truncated.png", seven[:80])
    write("not-a-png.png", b"this is a text file, not an image\n")
    write("huge-claim.png", b"\x89PNG\r\n\x1a\n"
          + chunk(b"IHDR", struct.pack(">IIBBBBB", 40000, 40000, 8, 0, 0, 0, 0))
          + chunk(b"IEND", b""))

    # A checksum that does not match: the last byte of the IDAT chunk's CRC flipped.
    idat = seven.index(b"IDAT")
    crc_end = idat + 4 + struct.unpack(">I", seven[idat - 4:idat])[0] + 4
    write("bad-crc.png", seven[:crc_end - 1] + bytes([seven[crc_end - 1] ^ 0xff])
          + seven[crc_end:])

    # Wider than Cairo's 32,767 pixels (and well under 64 megapixels): a 1 in the middle of a
    # strip 40,000 pixels wide and 28 high.
    tile = coverage(28, 28, strokes_of(1, "stick"), 4, 4, 20, 3)
    rows = [[255] * 20000 + [mix([255], [0], c)[0] for c in r] + [255] * (40000 - 20028)
            for r in tile]
    write("wide-one.png", png(40000, 28, 0, rows))

    # Seeds for fuzz-preprocess: the first byte picks the mode (0 bytes, 1 floats, 2 PNG).
    with open(os.path.join(CORPUS, "png-seven"), "wb") as f:
        f.write(b"\x02" + png(40, 50, 0, [[mix([255], [0], c)[0] for c in r] for r in
                                          coverage(40, 50, strokes_of(7, "plain"), 2, 5, 40, 4)]))
    small = coverage(24, 20, strokes_of(1, "flag"), 2, 0, 20, 3)
    with open(os.path.join(CORPUS, "bytes-one"), "wb") as f:
        f.write(b"\x00" + struct.pack("<H", 24 - 1) + b"\x00"
                + bytes(mix([255], [0], c)[0] for r in small for c in r))
    with open(os.path.join(CORPUS, "floats-one"), "wb") as f:
        f.write(b"\x01" + struct.pack("<H", 24 - 1) + b"\x02"
                + b"".join(struct.pack("<f", c) for r in small for c in r))


if __name__ == "__main__":
    main()
