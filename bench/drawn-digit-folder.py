#!/usr/bin/python3
# bench/drawn-digit-folder.py — the project's drawn-digit strokes as a folder of DIGIT/NAME.png
# pictures, for `backprop-cli eval --data` and `train --extra-data` (bench/my-digits.sh)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: drawn-digit-folder.py OUT_DIR [VARIANTS]
#
# Each style of tests/data/drawn-digits/ is rasterised VARIANTS times (default 8) in pure Python
# (no Cairo binding needed): a 64×64 white square, the stroke polyline as dark ink with round
# caps, anti-aliased by distance, at a varied size, place, slant and stroke width. Variants with
# an even number go to OUT_DIR/train/, odd ones to OUT_DIR/test/, so the two folders hold the same
# hands drawn differently: train on one, evaluate on the other.

import json
import math
import os
import random
import struct
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
STROKES = os.path.join(HERE, "..", "tests", "data", "drawn-digits")
SIDE = 64


def png(path, rows):
    raw = b"".join(b"\0" + bytes(r) for r in rows)

    def chunk(kind, data):
        c = kind + data
        return struct.pack(">I", len(data)) + c + struct.pack(">I", zlib.crc32(c) & 0xFFFFFFFF)

    data = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", SIDE, SIDE, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))
    with open(path, "wb") as f:
        f.write(data)


def segment_distance(px, py, ax, ay, bx, by):
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    ex, ey = ax + t * dx - px, ay + t * dy - py
    return math.sqrt(ex * ex + ey * ey)


def render(strokes, rng):
    side = rng.uniform(34, 54)
    x0 = rng.uniform(2, SIDE - side - 2)
    y0 = rng.uniform(2, SIDE - side - 2)
    tilt = math.radians(rng.uniform(-12, 12))
    half_width = rng.uniform(1.6, 3.4)
    c, s = math.cos(tilt), math.sin(tilt)
    segments = []
    for stroke in strokes:
        pts = []
        for x, y in stroke:
            u, v = (x - 0.5) * side, (y - 0.5) * side
            pts.append((x0 + side / 2 + c * u - s * v, y0 + side / 2 + s * u + c * v))
        if len(pts) == 1:
            pts.append(pts[0])
        segments += [(pts[i], pts[i + 1]) for i in range(len(pts) - 1)]
    rows = []
    for y in range(SIDE):
        row = []
        for x in range(SIDE):
            px, py = x + 0.5, y + 0.5
            d = min(segment_distance(px, py, a[0], a[1], b[0], b[1]) for a, b in segments)
            ink = max(0.0, min(1.0, half_width + 0.5 - d))
            row.append(int(round(255 * (1 - ink))))
        rows.append(row)
    return rows


def main():
    out = sys.argv[1]
    variants = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    rng = random.Random(15)
    n = 0
    for digit in range(10):
        with open(os.path.join(STROKES, "%d.json" % digit)) as f:
            styles = json.load(f)["styles"]
        for style in styles:
            for v in range(variants):
                part = "train" if v % 2 == 0 else "test"
                folder = os.path.join(out, part, str(digit))
                os.makedirs(folder, exist_ok=True)
                png(os.path.join(folder, "%s-%d.png" % (style["name"], v)), render(style["strokes"], rng))
                n += 1
    print("%d pictures in %s/train and %s/test" % (n, out, out))


main()
