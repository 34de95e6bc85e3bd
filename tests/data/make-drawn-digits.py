#!/usr/bin/python3
# tests/data/make-drawn-digits.py — write the stroke paths of the drawn-digit test set
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Run by hand from anywhere (`/usr/bin/python3 tests/data/make-drawn-digits.py`); the outputs in
# tests/data/drawn-digits/ are committed, so the build never runs Python.
#
# Each digit is drawn in several hand styles (a 7 with and without a crossbar, open and closed
# 4s, a 1 with and without a flag, …). A style is a list of strokes, a stroke a list of points
# [x, y] in a unit box (x to the right, y down), which test-drawn-digits.c renders as a polyline
# with round caps and joins, the way a pen or a brush lays it down. Curves are arcs of ellipses
# sampled every few degrees, dense enough that the polyline reads as a curve at any size.

import json
import math
import os

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "drawn-digits")


def arc(cx, cy, rx, ry, a0, a1, step=10.0):
    """Points of an ellipse from angle a0 to a1 (degrees, 0 = right, 90 = down on screen)."""
    n = max(2, int(math.ceil(abs(a1 - a0) / step)) + 1)
    return [[cx + rx * math.cos(math.radians(a0 + (a1 - a0) * i / (n - 1))),
             cy + ry * math.sin(math.radians(a0 + (a1 - a0) * i / (n - 1)))] for i in range(n)]


def path(*segments):
    """Join segments (lists of points) into one stroke."""
    out = []
    for seg in segments:
        for p in seg:
            if not out or math.hypot(p[0] - out[-1][0], p[1] - out[-1][1]) > 1e-6:
                out.append(list(p))
    return out


def slant(strokes, k):
    """Italic: shift each point right by k × its height above the middle."""
    return [[[x + k * (0.5 - y), y] for x, y in s] for s in strokes]


def pts(*xy):
    return [list(p) for p in xy]


C1 = (0.5, 0.27, 0.17, 0.16)  # upper loop of an 8
C2 = (0.5, 0.69, 0.22, 0.20)  # lower loop of an 8
EIGHT = [path(arc(*C1, -20, -250), arc(*C2, 290, 610), arc(*C1, 70, -20))]

DIGITS = {
    0: {
        "oval": [arc(0.5, 0.5, 0.27, 0.4, -90, -455)],
        "slanted": slant([arc(0.5, 0.5, 0.24, 0.4, -90, -450)], 0.25),
        "narrow-open": [arc(0.5, 0.5, 0.17, 0.42, -75, -420)],
        "round-overlap": [arc(0.5, 0.5, 0.32, 0.38, -50, -430)],
    },
    1: {
        "stick": [pts((0.5, 0.1), (0.5, 0.9))],
        "flag": [pts((0.34, 0.26), (0.53, 0.1), (0.53, 0.9))],
        "flag-base": [pts((0.34, 0.26), (0.53, 0.1), (0.53, 0.9)), pts((0.34, 0.9), (0.72, 0.9))],
        "slanted": [pts((0.62, 0.1), (0.42, 0.9))],
    },
    2: {
        "classic": [path(arc(0.5, 0.32, 0.23, 0.2, 200, 400), pts((0.24, 0.88), (0.8, 0.88)))],
        "looped": [path(arc(0.5, 0.32, 0.23, 0.2, 200, 400), pts((0.3, 0.8)),
                        arc(0.31, 0.83, 0.06, 0.05, 300, 10), pts((0.8, 0.86)))],
        "angular": [pts((0.25, 0.22), (0.48, 0.1), (0.72, 0.2), (0.72, 0.36), (0.24, 0.88),
                        (0.8, 0.88))],
    },
    3: {
        "round": [path(arc(0.48, 0.3, 0.22, 0.19, 200, 450), arc(0.48, 0.68, 0.26, 0.21, 270, 520))],
        "flat-top": [path(pts((0.25, 0.12), (0.72, 0.12), (0.45, 0.42)),
                          arc(0.48, 0.66, 0.25, 0.22, 250, 520))],
        "pointy": [path(arc(0.5, 0.28, 0.2, 0.17, 190, 420), pts((0.4, 0.48)),
                        arc(0.5, 0.68, 0.22, 0.2, 240, 510))],
    },
    4: {
        "open": [pts((0.42, 0.1), (0.2, 0.6), (0.8, 0.6)), pts((0.64, 0.14), (0.64, 0.92))],
        "closed": [pts((0.62, 0.1), (0.2, 0.62), (0.82, 0.62)), pts((0.62, 0.1), (0.62, 0.92))],
        "upright": [pts((0.3, 0.12), (0.27, 0.56), (0.76, 0.56)), pts((0.6, 0.16), (0.6, 0.9))],
    },
    5: {
        "two-strokes": [path(pts((0.32, 0.12), (0.29, 0.46)), arc(0.48, 0.64, 0.24, 0.22, 225, 500)),
                        pts((0.32, 0.12), (0.74, 0.12))],
        "one-stroke": [path(pts((0.74, 0.12), (0.32, 0.12), (0.29, 0.46)),
                            arc(0.48, 0.64, 0.24, 0.22, 225, 500))],
        "slanted-round": slant([path(pts((0.3, 0.12), (0.27, 0.42)),
                                     arc(0.48, 0.64, 0.26, 0.25, 220, 505)),
                                pts((0.3, 0.12), (0.72, 0.1))], 0.18),
    },
    6: {
        "classic": [path(arc(0.75, 0.7, 0.46, 0.58, 260, 180), arc(0.5, 0.7, 0.21, 0.19, 180, -170))],
        "straight-stem": [path(pts((0.66, 0.1), (0.32, 0.62)), arc(0.5, 0.72, 0.19, 0.17, 200, -150))],
        "big-loop": [path(arc(0.8, 0.66, 0.5, 0.55, 250, 180), arc(0.52, 0.66, 0.22, 0.23, 180, -175))],
    },
    7: {
        "plain": [pts((0.22, 0.12), (0.78, 0.12), (0.42, 0.9))],
        "crossbar": [pts((0.22, 0.12), (0.78, 0.12), (0.42, 0.9)), pts((0.36, 0.5), (0.72, 0.5))],
        "curved-stem": [pts((0.22, 0.12), (0.78, 0.12), (0.7, 0.3), (0.6, 0.5), (0.53, 0.7),
                            (0.5, 0.9))],
        "serif": [pts((0.22, 0.24), (0.22, 0.12), (0.78, 0.12), (0.4, 0.9))],
    },
    8: {
        "one-stroke": EIGHT,
        "two-loops": [arc(*C1, -90, 270), arc(*C2, -90, 270)],
        "slanted": slant(EIGHT, 0.2),
    },
    9: {
        "stick": [path(arc(0.48, 0.3, 0.2, 0.18, 0, -360), pts((0.66, 0.9)))],
        "hooked": [path(arc(0.48, 0.3, 0.2, 0.18, 0, -360), pts((0.68, 0.72)),
                        arc(0.52, 0.72, 0.16, 0.17, 0, 150))],
        "slanted": [path(arc(0.54, 0.28, 0.18, 0.16, 10, -355), pts((0.42, 0.92)))],
    },
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for digit, styles in DIGITS.items():
        doc = {
            "digit": digit,
            "styles": [{"name": name,
                        "strokes": [[[round(x, 3), round(y, 3)] for x, y in s] for s in strokes]}
                       for name, strokes in styles.items()],
        }
        with open(os.path.join(OUT, "%d.json" % digit), "w") as f:
            json.dump(doc, f, separators=(",", ":"))
            f.write("\n")


if __name__ == "__main__":
    main()
