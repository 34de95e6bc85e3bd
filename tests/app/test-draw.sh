#!/usr/bin/env bash
# tests/app/test-draw.sh — the Draw and Mistakes views: draw digits with the pointer on the real
# pad and read the guesses back, undo and clear, then the test set's mistakes
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Screenshots for a person to look at: <build>/tests/app/test-draw/<style>-<view>.png, at
# 1100×760 and at the smallest size the window allows, 800×600.

. "$(dirname "$0")/lib.sh"

require_environment
trap finish EXIT

# stroke X0 Y0 X1 Y1 [STEPS]: one straight stroke on the pad, in per-mille of its width and
# height, with one pointer move per call (GTK coalesces moves given in one call).
# A "7": a bar along the top, then down to the left without lifting the pen.
draw_seven ()
{
  stroke_line 300 250 680 250 10
  stroke_line 680 250 470 780 14
  xdotool mouseup 1
}

# A "1": one stroke down the middle, nearly upright.
draw_one ()
{
  stroke_line 510 180 480 820 16
  xdotool mouseup 1
}

# Show the Draw view (with Alt+3, or the command given) and find the pad ("canvas X Y W H",
# from the window's top left corner).
show_draw ()
{
  local m line x y w h
  m=$(mark)
  if [ $# -eq 0 ]; then key alt+3; else "$@"; fi
  wait_for '^canvas ' 10 "$m" || return 1
  line=$(line_after '^canvas ' "$m")
  read -r _ x y w h <<<"$line"
  eval "$(xdotool getwindowgeometry --shell "$WID")"
  PAD_X=$((X + x)) PAD_Y=$((Y + y)) PAD_W=$w PAD_H=$h
  [ "$w" -ge 100 ] && [ "$h" -ge 100 ]
}

# The digit of the first "prediction" line after line $1.
predicted_digit ()
{
  line_after '^prediction ' "$1" | cut -d ' ' -f 2
}

# The ten outputs of a prediction line are numbers in [0, 1].
outputs_valid ()
{
  line_after '^prediction ' "$1" | awk 'NF == 12 { for (i = 3; i <= 12; i++) if ($i < 0 || $i > 1) exit 1; ok = 1 } END { exit !ok }'
}

click_point ()
{
  local name=$1 line x y w h
  line=$(grep -E "^widget $name " "$EVENTS" | tail -n 1)
  [ -n "$line" ] || return 1
  read -r _ _ x y w h <<<"$line"
  eval "$(xdotool getwindowgeometry --shell "$WID")"
  xdotool mousemove --sync $((X + x + w / 2)) $((Y + y + h / 2)) click 1
}

has_mnist ()
{
  local dir f
  dir=$(mnist_dir)
  for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte \
           t10k-labels-idx1-ubyte; do
    [ -f "$dir/$f" ] || [ -f "$dir/$f.gz" ] || return 1
  done
}

# First launch without MNIST: the missing-data page offers the pad, and the built-in model
# reads what is drawn on it.
start_app BACKPROP_DATA_DIR="$OUT_DIR/no-such-folder"
check "no MNIST: the missing-data page shows" wait_for '^missing-data$' 30
check "no MNIST: the window can be focused" focus_window
xdotool windowsize "$WID" 1100 760
sleep 0.5
check "no MNIST: the page offers to draw" wait_for '^widget draw-digit ' 10
check "no MNIST: its button shows the pad" show_draw click_widget draw-digit
m=$(mark)
draw_seven
wait_for '^prediction ' 10 "$m"
digit=$(predicted_digit "$m")
check "no MNIST: the built-in model reads a drawn 7 (got ${digit:-nothing})" test "$digit" = 7
sleep 0.3
screenshot "light-draw-no-mnist"
key ctrl+q
check "no MNIST: Ctrl+Q quits" wait_exit 20

if ! has_mnist; then
  echo "# MNIST is not in $(mnist_dir): the views that need it are not tested"
  exit 0
fi

for style in light dark; do
  start_app ADW_DEBUG_COLOR_SCHEME="prefer-$style" BACKPROP_TRAIN_SIZE=2000
  check "$style: ready" wait_for '^ready$' 60
  check "$style: the window can be focused" focus_window
  xdotool windowsize "$WID" 1100 760
  sleep 0.5

  check "$style: Alt+3 shows the pad and says where it is" show_draw
  sleep 0.3
  screenshot "$style-draw-empty"

  # Before any training the built-in model answers.
  m=$(mark)
  draw_seven
  check "$style: a stroke ends with a prediction" wait_for '^prediction ' 10 "$m"
  check "$style: the prediction has ten outputs in [0, 1]" outputs_valid "$m"
  digit=$(predicted_digit "$m")
  check "$style: a drawn 7 is read as 7 (got ${digit:-nothing})" test "$digit" = 7
  sleep 0.3
  screenshot "$style-draw"

  if [ "$style" = light ]; then
    m=$(mark)
    key ctrl+z
    check "Ctrl+Z takes the stroke back" wait_for '^strokes 0$' 10 "$m"

    m=$(mark)
    draw_one
    wait_for '^prediction ' 10 "$m"
    digit=$(predicted_digit "$m")
    check "a drawn 1 is read as 1 (got ${digit:-nothing})" test "$digit" = 1
    m=$(mark)
    key Delete
    check "Delete clears the pad" wait_for '^strokes 0$' 10 "$m"
    sleep 0.3
    screenshot "$style-draw-cleared"
  fi

  # The test set's mistakes, computed off the main thread.
  m=$(mark)
  key alt+4
  check "$style: Alt+4 classifies the test set" wait_for '^mistakes [0-9]+ accuracy 0\.9[0-9]+$' 60 "$m"
  check "$style: and places the first mistake" wait_for '^widget first-digit ' 10 "$m"
  sleep 0.5
  screenshot "$style-mistakes"

  if [ "$style" = light ]; then
    # A click on the cell of the most confident mistake lists that cell's images.
    m=$(mark)
    wait_for '^widget mistake-cell ' 5 0
    click_point mistake-cell
    check "a click on a cell selects it" wait_for '^cell [0-9] [0-9]$' 10 "$m"
    sleep 0.3
    screenshot "$style-mistakes-cell"

    # A click on a misread digit puts it on the pad, where the network misreads it again.
    m=$(mark)
    click_point first-digit
    check "a click on a mistake opens it in the Draw view" wait_for '^test-image ' 10 "$m"
    line=$(line_after '^test-image ' "$m")
    check "and the network still gets it wrong there ($line)" \
      awk -v l="$line" 'BEGIN { split (l, f, " "); exit !(f[4] != f[6]) }'
    sleep 0.3
    screenshot "$style-draw-mistake"

    # Once training has begun the pad asks the network in training, and a click on one of its
    # hidden neurons opens that neuron in the Weights view.
    m=$(mark)
    key space
    check "training runs" wait_for '^epoch 2 ' 60 "$m"
    key space
    wait_for '^state paused$' 10 "$m"
    m=$(mark)
    draw_seven
    check "the network in training answers a stroke" wait_for '^prediction ' 10 "$m"
    check "the hidden-layer strip is placed" wait_for '^widget hidden-strip ' 10 "$m"
    click_widget hidden-strip
    check "a click on a hidden neuron opens it in the Weights view" wait_for '^neuron-dialog [0-9]+$' 10 "$m"
    sleep 0.5
    screenshot "$style-neuron-from-draw"
    key Escape
    sleep 0.3
    focus_window
    key alt+3
    sleep 0.5
    screenshot "$style-draw-trained"

    # The keyboard reaches the strip too: Tab from the pad (past the guess and the saliency
    # map's digit), the arrow keys move its cursor from the neuron clicked, Enter opens one.
    clicked=$(line_after '^neuron-dialog ' "$m" | cut -d ' ' -f 2)
    key Tab Tab Tab Right Right
    sleep 0.3
    screenshot "$style-draw-strip-cursor"
    m=$(mark)
    key Return
    check "Enter on the hidden-layer strip opens the neuron under its cursor ($((clicked + 2)))" \
      wait_for "^neuron-dialog $((clicked + 2))\$" 10 "$m"
    sleep 0.5
    key Escape
    sleep 0.3
    focus_window
    key alt+3
    sleep 0.5

    # The smallest window.
    xdotool windowsize --sync "$WID" 800 600 2>/dev/null || xdotool windowsize "$WID" 800 600
    sleep 0.8
    screenshot "$style-draw-800x600"
    key alt+4
    sleep 0.8
    screenshot "$style-mistakes-800x600"
  fi

  key ctrl+q
  check "$style: Ctrl+Q quits" wait_exit 20
  check "$style: with status 0" test "$EXIT_STATUS" = 0
done
