#!/usr/bin/env bash
# tests/app/test-lessons.sh — the book's experiments as lessons in the app: the preset picked is
# the one shown, and it says what to look for
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs the app on the first 2,000 images of MNIST's training, validation and test sets
# (BACKPROP_MNIST_SIZE: the presets' runs too; more than ch3-overfit's 1,000, which would
# otherwise be the whole set and so no longer that preset's), with 2 epochs a run until a preset
# sets its own. Screenshots go to <build>/tests/app/test-lessons/.

. "$(dirname "$0")/lib.sh"

require_environment
require_mnist
trap finish EXIT

# The preset of the last "preset" line after line $1, once the controls have settled.
shown_preset ()
{
  sleep 0.5
  tail -n "+$(($1 + 1))" "$EVENTS" | grep -E '^preset ' | tail -n 1 | cut -d' ' -f2
}

# Pick the preset at position $1 of the list (0: the first) with the keyboard.
pick_preset ()
{
  local i
  click_widget preset
  sleep 0.5
  key Home
  for ((i = 0; i < $1; i++)); do key Down; done
  key Return
}

start_app BACKPROP_MNIST_SIZE=2000 BACKPROP_EPOCHS=2
check "the app says it is ready" wait_for '^ready$' 60
check "the window can be focused" focus_window

# ch5-depth (the 12th preset) starts from the same run as ch3-init (the 9th): the one picked
# is the one shown, and stays so when its network is built.
m=$(mark)
pick_preset 11
check "the network of the preset picked is built" wait_for '^reset$' 10 "$m"
check "choosing ch5-depth shows ch5-depth, not ch3-init ($(shown_preset "$m"))" \
  test "$(shown_preset "$m")" = ch5-depth
screenshot ch5-depth-picked
m=$(mark)
pick_preset 8
check "choosing ch3-init then shows ch3-init ($(shown_preset "$m"))" test "$(shown_preset "$m")" = ch3-init

# ch3-overfit (the 4th) says what to look for.
m=$(mark)
pick_preset 3
check "choosing ch3-overfit shows it" test "$(shown_preset "$m")" = ch3-overfit
sleep 0.3
screenshot ch3-overfit-lesson

# ch1-30 (the first), on 1,000 images: its 30 epochs end with the result beside the book's
# 95.42 %, and a run on so few images is not called stuck.
m=$(mark)
pick_preset 0
check "choosing ch1-30 shows it" test "$(shown_preset "$m")" = ch1-30
m=$(mark)
key space
check "its 30 epochs run" wait_for '^epoch 30 ' 120 "$m"
check "its result is set beside the book's" \
  wait_for '^lesson-result You: [0-9]+\.[0-9]{2} %, the book: 95\.42 % \(test accuracy, best epoch [0-9]+\)$' 10 "$m"
sleep 0.5
screenshot ch1-30-result

# ch5-depth runs its four depths in turn, each pinned when it ends: the Train view ends with the
# book's comparison, and the results beside the book's, one line per depth.
m=$(mark)
pick_preset 11
check "over a trained network, choosing ch5-depth asks first" wait_for '^confirm-reset$' 10 "$m"
sleep 0.3
key alt+n
check "and makes its network once asked" wait_for '^reset$' 10 "$m"
check "choosing ch5-depth again shows it" test "$(shown_preset "$m")" = ch5-depth
m=$(mark)
key space
for depth in 1 2 3 4; do
  check "the run with $depth hidden layer(s) is pinned when it ends" \
    wait_for "^pinned $depth 784(-30){$depth}-10 " 240 "$m"
done
check "the results are set beside the book's, one per depth" \
  wait_for '^lesson-result 1 hidden layer: You: [0-9.]+ %, the book: 96\.48 % ' 10 "$m"
check "and no fifth run starts" test -z "$(line_after '^pinned 5 ' "$m")"
sleep 1
screenshot ch5-depth-all

key ctrl+q
check "Ctrl+Q quits" wait_exit 20

# BACKPROP_PRESET=ch5-depth at launch shows ch5-depth, not ch3-init, whose run it starts from.
start_app BACKPROP_MNIST_SIZE=2000 BACKPROP_PRESET=ch5-depth
check "BACKPROP_PRESET=ch5-depth: ready" wait_for '^ready$' 60
focus_window
sleep 0.5
check "BACKPROP_PRESET=ch5-depth shows ch5-depth ($(grep '^preset ' "$EVENTS" | tail -n 1))" \
  test "$(grep '^preset ' "$EVENTS" | tail -n 1)" = "preset ch5-depth"
screenshot ch5-depth-at-launch
