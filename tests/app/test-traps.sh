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

# stroke X0 Y0 X1 Y1 [STEPS]: one straight stroke on the pad, in per-mille of its width and
# height, one pointer move per call (as tests/app/test-draw.sh draws).
draw_seven ()
{
  stroke_line 300 250 680 250 10
  stroke_line 680 250 470 780 14
  xdotool mouseup 1
}

# Show the Draw view and find its pad.
show_draw ()
{
  local m line x y w h
  m=$(mark)
  key alt+3
  wait_for '^canvas ' 10 "$m" || return 1
  line=$(line_after '^canvas ' "$m")
  read -r _ x y w h <<<"$line"
  eval "$(xdotool getwindowgeometry --shell "$WID")"
  PAD_X=$((X + x)) PAD_Y=$((Y + y)) PAD_W=$w PAD_H=$h
}

CONFIG=$OUT_DIR/config
rm -rf "$CONFIG"
mkdir -p "$CONFIG"
app_env=(GSETTINGS_BACKEND=keyfile XDG_CONFIG_HOME="$CONFIG" BACKPROP_TRAIN_SIZE=1000)

# ── Ctrl+Q saves the settings, as closing the window does ──
# 70 epochs: an epoch of 1,000 images takes milliseconds, and Space pausing the run must land
# before the last one, also on a busy machine.
start_app "${app_env[@]}" BACKPROP_EPOCHS=70
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
  grep -Eq '^setup view draw .* eta 0.7 .* epochs 70 ' "$EVENTS"

# ── The Step menu: no tooltip covers One Mini-Batch, its first item (the places printed at
#    "ready" hold while the Start button still says Start) ──
focus_window
m=$(mark)
line=$(grep -E '^widget step ' "$EVENTS" | tail -n 1)
read -r _ _ x y w h <<<"$line"
eval "$(xdotool getwindowgeometry --shell "$WID")"
xdotool mousemove --sync $((X + x + w - 8)) $((Y + y + h / 2)) click 1
check "the Step menu opens" wait_for '^step-menu tooltip ' 10 "$m"
check "with no tooltip over its first item ($(line_after '^step-menu ' "$m"))" \
  test "$(line_after '^step-menu ' "$m")" = "step-menu tooltip none"
sleep 1
screenshot step-menu
key Escape
sleep 0.3

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

# ── A hidden activation clicked in the Draw view opens its neuron there: the view stays ──
m=$(mark)
key space
check "training goes on for an epoch" wait_for '^epoch [0-9]+ ' 30 "$m"
key space
wait_for '^state paused$' 10 "$m"
check "the Draw view shows" show_draw
m=$(mark)
draw_seven
check "a drawing is classified" wait_for '^prediction ' 10 "$m"
check "its hidden activations are laid out" wait_for '^widget hidden-strip ' 10 "$m"
m=$(mark)
click_widget hidden-strip
check "a click on an activation opens its neuron" wait_for '^neuron-dialog [0-9]+$' 10 "$m"
sleep 0.5
screenshot neuron-from-draw
check "and the window stays in the Draw view (the Weights view never shows)" \
  test -z "$(line_after '^widget neuron-0 ' "$m")"
key Escape
sleep 0.5
focus_window
m=$(mark)
key Delete
draw_seven
check "after the dialog the pad is still there to draw on" wait_for '^prediction ' 10 "$m"

# ── The "Why" digit goes back to the top guess for a new drawing ──
m=$(mark)
key Delete
draw_seven
check "a drawing is explained for its top guess" wait_for '^why top$' 10 "$m"
click_widget why-class
sleep 0.5
for _ in 1 2 3 4 5 6; do key Down; done
key Return
sleep 0.3
screenshot why-five
m=$(mark)
stroke_line 300 600 600 600 8
xdotool mouseup 1
check "with 5 chosen, the same drawing is explained for 5" wait_for '^why 5$' 10 "$m"
m=$(mark)
key Delete
draw_seven
check "a new drawing after Delete is explained for its top guess again" wait_for '^why top$' 10 "$m"

# ── The Mistakes view says what a sigmoid output is, as the Draw view does: not "100 %" ──
m=$(mark)
key alt+4
check "the Mistakes view classifies the test set" wait_for '^mistakes [0-9]+ accuracy ' 60 "$m"
check "its gallery is laid out" wait_for '^first-digit-output ' 10 "$m"
check "a sigmoid network's digit shows its output, not a percentage" \
  grep -Eq '^first-digit-output output [01]\.[0-9]{2}$' <<<"$(line_after '^first-digit-output ' "$m")"
sleep 0.5
screenshot mistakes-sigmoid

# ── Reset asks before throwing away a trained network whose run is not pinned ──
key alt+1
sleep 0.3
m=$(mark)
key ctrl+r
check "Ctrl+R on a trained, unpinned network asks first" wait_for '^confirm-reset-network$' 10 "$m"
sleep 0.5
screenshot reset-asked
check "and nothing is thrown away while it asks" test -z "$(line_after '^reset$' "$m")"
key Escape
sleep 0.5
check "Escape keeps the network" test -z "$(line_after '^reset$' "$m")"
focus_window
m=$(mark)
key ctrl+r
wait_for '^confirm-reset-network$' 10 "$m"
sleep 0.3
key alt+r
check "the dialog's Reset resets" wait_for '^reset$' 10 "$m"
focus_window
m=$(mark)
key ctrl+r
check "an untrained network resets at once" wait_for '^reset$' 10 "$m"
check "without asking" test -z "$(line_after '^confirm-reset-network$' "$m")"

# ── The weight pictures keep one colour scale while the network trains ──
m=$(mark)
key alt+2
check "the Weights view shows its pictures" wait_for '^weights-scale ' 10 "$m"
scale0=$(line_after '^weights-scale ' "$m" | cut -d' ' -f2)
key alt+1
m=$(mark)
key space
wait_for '^epoch 3 ' 60 "$m"
key space
wait_for '^state paused$' 10 "$m"
m=$(mark)
key alt+2
wait_for '^weights-scale ' 10 "$m"
scale1=$(line_after '^weights-scale ' "$m" | cut -d' ' -f2)
sleep 0.3
screenshot weights-fixed-scale
check "three epochs later the scale is the same: ±$scale0 then ±$scale1" test "$scale0" = "$scale1"

# ── The pad stays where it is when a one-line caption replaces the two-line hint ──
key Escape
m=$(mark)
key alt+3
wait_for '^canvas ' 10 "$m"
pad_hint=$(line_after '^canvas ' "$m")
m=$(mark)
key alt+4
wait_for '^widget first-digit ' 60 "$m"
m=$(mark)
click_widget first-digit
check "a digit of the gallery opens on the pad" wait_for '^canvas ' 10 "$m"
pad_image=$(line_after '^canvas ' "$m")
sleep 0.3
screenshot pad-with-test-image
check "the pad has not moved: $pad_hint, then $pad_image" test "$pad_hint" = "$pad_image"


# ── One mini-batch stepped: the header says how many epochs are done, not "Epoch 1" over an
#    empty bar ──
key Escape
key alt+1
sleep 0.3
focus_window
m=$(mark)
key ctrl+r
if wait_for '^confirm-reset-network$' 5 "$m"; then
  sleep 0.3
  key alt+r
fi
wait_for '^reset$' 10 "$m"
focus_window
m=$(mark)
click_widget step
check "Step trains one mini-batch" wait_for '^state paused$' 10 "$m"
sleep 0.5
header=$(grep '^epoch-label ' "$EVENTS" | tail -n 1)
check "the header counts the epochs done and how far the next one got: $header" \
  grep -Eq '^epoch-label 0 of [0-9]+ epochs done · epoch 1 at [0-9]+ %$' <<<"$header"
screenshot stepped-header

# ── One mini-batch stepped: the x axis counts mini-batches, and the line under the header says
#    what the step did ──
check "the x axis counts mini-batches: $(grep '^x-axis ' "$EVENTS" | tail -n 1)" \
  test "$(grep '^x-axis ' "$EVENTS" | tail -n 1)" = "x-axis Mini-batch"
hint=$(grep '^train-hint ' "$EVENTS" | tail -n 1)
check "the hint says what the step did: $hint" \
  grep -Eq '^train-hint Mini-batch 1 of [0-9]+ trained: held-out sample [0-9.]+ % correct, cost ' <<<"$hint"
m=$(mark)
key shift+space
check "Shift+Space trains the rest of the epoch" wait_for '^epoch 1 ' 30 "$m"
sleep 0.5
check "then the x axis counts epochs again" \
  test "$(grep '^x-axis ' "$EVENTS" | tail -n 1)" = "x-axis Epoch"
screenshot stepped-epoch

