#!/usr/bin/env bash
# tests/app/test-speed.sh — chapter 5's speed of learning in the real app: turned on from the
# main menu, measured before training and after every epoch, drawn beside the cost, and off
# again for the next network
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs the app on the first 1,000 training images for two epochs. Screenshots go to
# <build>/tests/app/test-speed/.

. "$(dirname "$0")/lib.sh"

require_environment
require_mnist
trap finish EXIT

start_app BACKPROP_TRAIN_SIZE=1000 BACKPROP_EPOCHS=2
check "the app says it is ready" wait_for '^ready$' 60
check "the window can be focused" focus_window

# Main menu (F10), Measure Speed of Learning (its mnemonic L): the network has not trained, so
# it is built again and its speed before training is measured at once, one number per hidden
# layer (784-30-10 has one).
m=$(mark)
key F10
sleep 0.7
key l
check "turning it on builds the untrained network again" wait_for '^reset$' 10 "$m"
check "the speed before training is measured" wait_for '^speed 0 [0-9.e-]+$' 20 "$m"
screenshot 01-epoch-0

# Space trains two epochs; each epoch line is followed by the epoch's speed.
m=$(mark)
key space
check "two epochs train" wait_for '^epoch 2 ' 60 "$m"
check "the speed after epoch 1" wait_for '^speed 1 [0-9.e-]+$' 10 "$m"
check "the speed after epoch 2" wait_for '^speed 2 [0-9.e-]+$' 10 "$m"
check "each speed line follows its epoch line" \
  test "$(tail -n "+$((m + 1))" "$EVENTS" | grep -E '^(epoch|speed) ' | awk '{print $1 $2}' | tr '\n' ' ')" \
       = "epoch1 speed1 epoch2 speed2 "
# The same numbers as backprop-cli's for the same run (the same seed, images and settings).
if [ -n "${BACKPROP_CLI:-}" ]; then
  cli_speeds=$("$BACKPROP_CLI" train --train-size 1000 --epochs 2 --learning-speed 2>/dev/null \
               | grep -E '^speed ')
  check "the speeds are backprop-cli train --learning-speed's" \
    test "$(grep -E '^speed ' "$EVENTS")" = "$cli_speeds"
fi
sleep 0.5
screenshot 02-trained

# Off again: a trained network is not rebuilt, and the next one measures nothing.
m=$(mark)
key F10
sleep 0.7
key l
sleep 0.5
check "turning it off keeps the trained network" test -z "$(line_after '^reset$' "$m")"
# Reset asks first for a trained network whose run is not pinned; its Reset (Alt+R) resets.
key ctrl+r
wait_for '^confirm-reset-network$' 10 "$m"
sleep 0.3
key alt+r
check "Ctrl+R makes a new network" wait_for '^reset$' 10 "$m"
sleep 1
check "the new network's speed is not measured" test -z "$(line_after '^speed ' "$m")"
screenshot 03-off
