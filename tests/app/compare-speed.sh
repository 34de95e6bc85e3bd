#!/usr/bin/env bash
# tests/app/compare-speed.sh — training speed of the app against backprop-cli, and the app's frame
# times while it trains (a measurement, not a test: its figures depend on the machine's load)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: xvfb-run -a -s '-screen 0 1280x1024x24' tests/app/compare-speed.sh BUILD_DIR [PAIRS]
#
# For the book's chapter-1 network (ch1-30, 15 epochs) and chapter-3 784-100-10 network
# (ch3-100, 8 epochs) on the 50,000 training images, bench/app-conv-speed.sh runs
# `backprop-cli train` and the app (Space to start, until the run stops; the view it opens on)
# in alternating order, PAIRS times each (default 3), and prints per run the training pass per
# epoch (the engine's own "seconds"), the wall-clock time between epoch lines (training plus the
# end-of-epoch evaluation), and the app's frame times while training; then the medians.
set -euo pipefail

BUILD=$(cd "${1:?usage: compare-speed.sh BUILD_DIR [PAIRS]}" && pwd)
PAIRS=${2:-3}
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../bench" && pwd)/app-conv-speed.sh

VIEW=${VIEW:-none} "$BENCH" "$BUILD" ch1-30 50000 15 "$PAIRS"
VIEW=${VIEW:-none} "$BENCH" "$BUILD" ch3-100 50000 8 "$PAIRS"
