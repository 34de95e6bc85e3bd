#!/bin/bash
# bench/predict-time.sh — how long the Draw view's and classify's work takes for one drawing:
# preprocessing a 280×280 canvas and one prediction, with the embedded default model or MODEL.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: bench/predict-time.sh [MODEL.json] [BUILD_DIR]
#
# Runs the timing case of tests/test-drawn-digits (the mean of 300 predictions of a drawn 3)
# three times and prints its lines: the wall-clock milliseconds and the processor time of the
# thread, which on a shared machine leaves out the waits for a core.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
model=${1:-}
build=${2:-$here/_build}
test=$build/tests/test-drawn-digits

if [ ! -x "$test" ]; then
  echo "predict-time.sh: $test is missing: build the project first (ninja -C $build)" >&2
  exit 1
fi
[ -z "$model" ] || model=$(realpath "$model")
for run in 1 2 3; do
  BACKPROP_TEST_DATA="$here/tests/data" BACKPROP_TEST_MODEL="$model" \
    "$test" -p /drawn-digits/timing 2>&1 | sed -n 's/^# \(prediction\|preprocessing\)/\1/p'
done
