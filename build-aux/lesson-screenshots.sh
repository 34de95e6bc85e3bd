#!/usr/bin/env bash
# build-aux/lesson-screenshots.sh — each comparison preset run through in the app to its finished
# Train view, in the light and dark styles and in Chinese (and at 800×600 in light), to set
# beside the book's figures
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: build-aux/lesson-screenshots.sh [BUILD]    (BUILD: _build by default)
#
# Starts the app with BACKPROP_PRESET (a comparison starts from its first variant) and presses
# Start, which runs every variant in turn and pins each; the shot is taken after the last pin.
# LESSON_MNIST_SIZE=N (2000 by default; empty for the whole of MNIST, which takes minutes a
# preset) is BACKPROP_MNIST_SIZE; LESSON_PRESETS and LESSON_STYLES choose (default: ch3-init
# ch3-eta ch5-depth; light dark zh). PNGs and event logs go to BUILD/tests/app/lesson-screenshots/.
set -u

if [ -z "${BACKPROP_BUILD_DIR:-}" ]; then
  build=$(cd "${1:-_build}" && pwd) || exit 2
  exec env BACKPROP_BUILD_DIR="$build" BACKPROP_APP="$build/src/app/backprop" \
    xvfb-run -a -s '-screen 0 1280x1024x24' bash "$0"
fi

. "$(dirname "$0")/../tests/app/lib.sh"
require_environment
require_mnist
trap finish EXIT

size=${LESSON_MNIST_SIZE-2000}
for preset in ${LESSON_PRESETS:-ch3-init ch3-eta ch5-depth}; do
  case $preset in
    ch3-init) n=2 ;;
    ch3-eta) n=3 ;;
    ch5-depth) n=4 ;;
    *) echo "# $preset is not a comparison the app runs through"; continue ;;
  esac
  for style in ${LESSON_STYLES:-light dark zh}; do
    case $style in
      zh) extra=(LC_ALL=C.UTF-8 LANGUAGE=zh_CN BACKPROP_LOCALEDIR="$BACKPROP_BUILD_DIR/po"
                 ADW_DEBUG_COLOR_SCHEME=prefer-light) ;;
      *) extra=(ADW_DEBUG_COLOR_SCHEME="prefer-$style") ;;
    esac
    start_app BACKPROP_PRESET="$preset" ${size:+BACKPROP_MNIST_SIZE=$size} "${extra[@]}"
    check "$preset $style: ready" wait_for '^ready$' 120 || continue
    focus_window
    xdotool windowsize "$WID" 1100 760
    key alt+1
    sleep 0.5
    m=$(mark)
    key space
    # The last variant stops, then is pinned.
    check "$preset $style: its $n runs end pinned" wait_for "^pinned $n " 3600 "$m"
    xdotool mousemove 0 0
    sleep 1.5
    screenshot "$preset-$style"
    if [ "$style" = light ]; then
      xdotool windowsize "$WID" 800 600
      sleep 1.5
      screenshot "$preset-$style-800x600"
    fi
    grep -E '^pinned ' "$EVENTS" | sed "s/^/# $preset $style: /"
    key ctrl+q
    wait_exit 20
  done
done
