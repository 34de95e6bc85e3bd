#!/usr/bin/env bash
# tests/app/test-traps.sh — the traps that cost a learner their work or their attention: every
# way out saves the settings, the keyboard comes back after the layer sizes, the Draw view
# stays where the drawing is, a trained run is not thrown away without asking
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs the app on the first 1,000 training images. The settings go to a key file in the test's
# folder (not the memory backend), so that a second launch reads what the first one saved.
# Screenshots go to <build>/tests/app/test-traps/.

. "$(dirname "$0")/lib.sh"

require_environment
require_mnist
trap finish EXIT

CONFIG=$OUT_DIR/config
rm -rf "$CONFIG"
mkdir -p "$CONFIG"
app_env=(GSETTINGS_BACKEND=keyfile XDG_CONFIG_HOME="$CONFIG" BACKPROP_TRAIN_SIZE=1000)

# ── Ctrl+Q saves the settings, as closing the window does ──
start_app "${app_env[@]}" BACKPROP_EPOCHS=7
check "the app says it is ready" wait_for '^ready$' 60
check "the window can be focused" focus_window
click_widget eta
key ctrl+a
xdotool type --delay 20 "0.7"
key Tab
key alt+3
sleep 0.5
key ctrl+q
wait_exit 20
check "Ctrl+Q ends the app cleanly (status $EXIT_STATUS)" test "$EXIT_STATUS" = 0

start_app "${app_env[@]}"
check "the second launch is ready" wait_for '^ready$' 60
check "Ctrl+Q saved the view and η: the next launch starts from them" \
  grep -Eq '^setup view draw .* eta 0.7 .* epochs 7 ' "$EVENTS"

# ── Enter in the layer sizes applies them and gives the keyboard back: Space then starts ──
focus_window
key alt+1
sleep 0.3
m=$(mark)
click_widget layers
key ctrl+a
xdotool type --delay 20 "784,20,10"
key Return
check "Enter in the layer sizes makes the new network" wait_for '^reset$' 10 "$m"
m=$(mark)
key space
check "Space after Enter starts training, not a space in the field" wait_for '^state running$' 10 "$m"
key space
check "and Space pauses it" wait_for '^state paused$' 10 "$m"
screenshot layers-entered

