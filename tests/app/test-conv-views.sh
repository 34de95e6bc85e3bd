#!/usr/bin/env bash
# tests/app/test-conv-views.sh — chapter 6 in the real window, one launch: a small conv model opened
# with File → Open (Ctrl+O); the Draw view's feature maps appear for a drawing and change with
# the next one; the Backprop view walks the conv net's steps, highlights max-pooling's winners
# and sends δ to them alone, and a click on a map shows that neuron's numbers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Screenshots for a person to look at: <build>/tests/app/test-conv-views/*.png.

. "$(dirname "$0")/lib.sh"

require_environment
require_mnist
trap finish EXIT

CLI=$BACKPROP_BUILD_DIR/src/cli/backprop-cli
WORK=$OUT_DIR/work
rm -rf "$WORK"
mkdir -p "$WORK"

# A small conv net, two conv-pool pairs as chapter 6's, on 1,000 images for one epoch: what it
# reads matters less than its shape. Six layers after the input: 2·6 + 3 = 15 steps.
"$CLI" train --net conv6x5,pool2,conv8x3:relu,pool2,fc20,softmax10 --cost log-likelihood \
  --epochs 1 --train-size 1000 --eta 0.1 --save "$WORK/conv.json" >"$WORK/train.log" 2>&1
check "backprop-cli trained a small conv model" test -s "$WORK/conv.json"

start_app BACKPROP_TRAIN_SIZE=1000 GTK_USE_PORTAL=0
check "the app starts" wait_for '^ready$' 60
focus_window

# File → Open: the same dialog as the menu's.
m=$(mark)
key ctrl+o
if wait_for '^file-dialog ' 10 "$m"; then
  sleep 0.5
  key ctrl+a
  xdotool type --delay 20 "$WORK/conv.json"
  sleep 0.3
  key Return
fi
check "File → Open opens the conv model" \
  wait_for '^model-opened conv.json layers 784-3456-864-800-200-20-10$' 20 "$m"

# A "7" and a "1" on the Draw view's pad (Alt+3).
m=$(mark)
key alt+3
wait_for '^canvas ' 10 "$m"
read -r _ x y w h <<<"$(line_after '^canvas ' "$m")"
eval "$(xdotool getwindowgeometry --shell "$WID")"
PAD_X=$((X + x)) PAD_Y=$((Y + y)) PAD_W=$w PAD_H=$h

m=$(mark)
stroke_line 300 250 680 250 10
stroke_line 680 250 470 780 14
xdotool mouseup 1
check "a drawing is classified by the conv net" wait_for '^prediction [0-9]' 10 "$m"
check "its feature maps show every conv and pool layer, with their shapes" \
  wait_for '^feature-maps 4 6x24x24:[0-9.e+-]+ 6x12x12:[0-9.e+-]+ 8x10x10:[0-9.e+-]+ 8x5x5:[0-9.e+-]+$' 5 "$m"
first=$(line_after '^feature-maps ' "$m")
screenshot draw-seven

m=$(mark)
key Delete
wait_for '^strokes 0$' 10 "$m"
m=$(mark)
stroke_line 510 180 480 820 16
xdotool mouseup 1
wait_for '^feature-maps ' 10 "$m"
second=$(line_after '^feature-maps ' "$m")
check "a second drawing gives other feature maps" test -n "$second" -a "$first" != "$second"
screenshot draw-one

# The Backprop view (Alt+5) walks the net: input, 6 forward steps, BP1, 5 BP2 steps, the
# gradient and the update.
m=$(mark)
key alt+5
check "the Backprop view traces an example through the conv net" \
  wait_for '^backprop-example ' 15 "$m"
for ((i = 1; i <= 14; i++)); do
  key Right
  wait_for "^backprop-step $i 15 " 10 "$m"
done
steps=$(tail -n "+$((m + 1))" "$EVENTS" | grep -E '^backprop-step ' | cut -d ' ' -f 2-5 | tr '\n' ';')
check "the steps walk forward through the conv and pool layers and back" \
  test "$steps" = "1 15 forward 0;2 15 forward 1;3 15 forward 2;4 15 forward 3;5 15 forward 4;6 15 forward 5;7 15 output-error 5;8 15 backward 4;9 15 backward 3;10 15 backward 2;11 15 backward 1;12 15 backward 0;13 15 gradient -1;14 15 update -1;"

# Forward through the first pool (step 2): one winner per 2×2 window of the conv maps before it.
check "the first max-pool's forward step highlights one winner per window" \
  bash -c "tail -n +$((m + 1)) '$EVENTS' | grep -A4 '^backprop-step 2 15 forward 1\$' | grep -q '^backprop-maps 0 conv 6 24 24 winners 864 '"
# BP2 through it (step 12): δ of the conv layer is not 0 at winners, and 0 everywhere else.
line=$(tail -n "+$((m + 1))" "$EVENTS" | grep -A4 '^backprop-step 12 15 backward 0$' | grep '^backprop-maps 0 ')
check "BP2 through max-pooling sends δ to the winners only" \
  bash -c "[[ '$line' =~ winners\ 864\ delta-at-winners\ ([0-9]+)\ delta-elsewhere\ 0$ ]] && [ \${BASH_REMATCH[1]} -gt 0 ]"
line=$(tail -n "+$((m + 1))" "$EVENTS" | grep -A4 '^backprop-step 10 15 backward 2$' | grep '^backprop-maps 2 ')
check "…and through the second max-pool too" \
  bash -c "[[ '$line' =~ winners\ 200\ delta-at-winners\ ([0-9]+)\ delta-elsewhere\ 0$ ]]"

# Back to BP2 into the first conv layer, then a click on the first map's first pixel.
m=$(mark)
key Left
key Left
wait_for '^backprop-step 12 15 backward 0$' 10 "$m"
screenshot backprop-pool-bp2
m=$(mark)
key Right
wait_for '^backprop-step 13 15 gradient -1$' 10 "$m"
screenshot backprop-gradient
# A click inside the first layer's first map (which the app placed when the view showed; the
# maps may have moved a few pixels since, with the words under them) shows a neuron of it.
m=$(mark)
key Home
wait_for '^backprop-step 0 15 input -1$' 10 "$m"
sleep 0.3
m=$(mark)
click_widget backprop-map-0
check "a click on a map shows that neuron's numbers" \
  wait_for '^backprop-neuron 0 ([0-9]|[1-9][0-9]|[1-4][0-9][0-9]|5[0-6][0-9]|57[0-5]) z ' 10 "$m"
screenshot backprop-neuron
check "the app is still running" kill -0 "$APP_PID"
check "no critical warning" bash -c "! grep -q CRITICAL '$APP_STDERR'"
