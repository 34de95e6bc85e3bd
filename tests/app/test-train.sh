#!/usr/bin/env bash
# tests/app/test-train.sh — train in the real app: Space, epochs, pause, η changed live, reset,
# Ctrl+W in the middle of an epoch
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs the app on the first 2,000 training images (an epoch takes a few tens of milliseconds)
# with a high epoch count, so that a run is still going when the test acts on it. Screenshots
# go to <build>/tests/app/test-train/.

. "$(dirname "$0")/lib.sh"

require_environment
require_mnist
trap finish EXIT

start_app BACKPROP_TRAIN_SIZE=2000 BACKPROP_EPOCHS=5000
check "the app says it is ready" wait_for '^ready$' 60
check "the window can be focused" focus_window
screenshot 01-ready

# Space starts; epochs come.
m=$(mark)
key space
check "Space starts training" wait_for '^state running$' 10 "$m"
check "epochs are reported" wait_for '^epoch 3 ' 30 "$m"
screenshot 02-running

# Space pauses within a mini-batch: after the pause, no more epochs.
m=$(mark)
key space
check "Space pauses" wait_for '^state paused$' 10 "$m"
sleep 0.5
m=$(mark)
sleep 0.5
check "nothing trains while paused" test -z "$(line_after '^epoch ' "$m")"
last_epoch=$(grep -E '^epoch ' "$EVENTS" | tail -n 1 | awk '{print $2}')
screenshot 03-paused

# Type a new learning rate into its field (a real edit of the spin button), then resume with
# Space, which commits the value typed: the next epoch uses it and continues the same run.
click_widget eta
key ctrl+a
xdotool type --delay 20 "0.25"
m=$(mark)
key space
check "Space resumes after typing η" wait_for '^state running$' 10 "$m"
check "the next epoch trained with the new η" wait_for '^epoch [0-9]+ .* eta 0\.25$' 30 "$m"
next=$(line_after '^epoch ' "$m")
check "the run went on without a reset ($next after epoch $last_epoch)" \
  test "$(echo "$next" | awk '{print $2}')" -eq $((last_epoch + 1))
check "no reset happened" test -z "$(line_after '^reset$' "$m")"
# Paused between two mini-batches of the next epoch, or between epochs: X is within it.
check "the change of η is marked on the curves where it happened" \
  grep -Eq "^hyper-change $last_epoch\.[0-9]{4} η [0-9.]+ → 0\.25$" <<<"$(line_after '^hyper-change ' "$m")"
screenshot 04-new-eta

# The Weights view while training.
key alt+2
sleep 0.5
screenshot 05-weights
key alt+1

# Pin the run (Alt+I, the Pin Run button's mnemonic) to compare it with the next one.
m=$(mark)
key space
check "paused again" wait_for '^state paused$' 10 "$m"
key alt+i
check "Alt+I pins the run, its label says how η changed" wait_for '^pinned 1 784-30-10 quadratic η 3→0\.25' 10 "$m"

# Reset: a new network, the epochs start again from 1, the η stays.
m=$(mark)
key ctrl+r
check "Ctrl+R resets" wait_for '^reset$' 10 "$m"
check "a reset stops the run" wait_for '^state stopped$' 10 "$m"

# Shift+Space trains to the end of the epoch, then pauses.
m=$(mark)
key shift+space
check "Shift+Space trains one epoch" wait_for '^epoch 1 .* eta 0\.25$' 30 "$m"
check "then pauses" wait_for '^state paused$' 10 "$m"
sleep 0.5
check "and trains no further" test -z "$(line_after '^epoch 2 ' "$m")"

m=$(mark)
key space
check "training goes on after the reset" wait_for '^epoch 2 .* eta 0\.25$' 30 "$m"

# Close the window in the middle of training: the worker is stopped and joined, the app exits
# cleanly and reports its frame times.
check "still training before closing" wait_for '^epoch 3 ' 30 "$m"
screenshot 06-pinned-run-and-new-run
key ctrl+w
wait_exit 20
check "Ctrl+W while training exits cleanly (status $EXIT_STATUS)" test "$EXIT_STATUS" = 0
check "frame times are reported at exit" wait_for '^frame-stats p50 [0-9.]+ p95 [0-9.]+ max [0-9.]+ frames [0-9]+$' 1
check "frame times while training are reported" \
  wait_for '^frame-stats-running p50 [0-9.]+ p95 [0-9.]+ max [0-9.]+ frames [1-9][0-9]*$' 1
check "nothing was logged on stderr" test ! -s "$APP_STDERR"
# Informational, not a pass/fail criterion: a shared machine's load moves these figures.
grep '^frame-stats' "$EVENTS" | sed 's/^/# /'
