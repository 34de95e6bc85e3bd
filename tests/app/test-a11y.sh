#!/usr/bin/env bash
# tests/app/test-a11y.sh — the real app as a screen reader sees it: over the AT-SPI bus, the
# guess for a digit drawn on the pad, the pad's state, and the Train view's latest accuracy
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs in a private session bus (dbus-run-session), on which the AT-SPI bus is started; the app
# runs with GTK's AT-SPI backend (the other UI tests turn it off) and tests/app/a11y-find.py
# reads its accessibility tree with pyatspi, the library Orca uses. Skipped without the bus
# tools or pyatspi (build-aux/install-deps.sh installs them). The training part needs MNIST.

. "$(dirname "$0")/lib.sh"

require_environment
command -v dbus-run-session >/dev/null 2>&1 || skip_all "dbus-run-session is not installed"
A11Y_BUS_LAUNCHER=
for launcher in /usr/libexec/at-spi-bus-launcher /usr/lib/at-spi2-core/at-spi-bus-launcher; do
  if [ -x "$launcher" ]; then
    A11Y_BUS_LAUNCHER=$launcher
    break
  fi
done
[ -n "$A11Y_BUS_LAUNCHER" ] || skip_all "the AT-SPI bus launcher (at-spi2-core) is not installed"
/usr/bin/python3 -c 'import pyatspi' 2>/dev/null || skip_all "pyatspi (python3-pyatspi) is not installed"

# A session bus of our own, gone when the test ends: the AT-SPI bus and the app find it through
# DBUS_SESSION_BUS_ADDRESS.
if [ -z "${BACKPROP_A11Y_SESSION:-}" ]; then
  BACKPROP_A11Y_SESSION=1 exec dbus-run-session -- bash "$0" "$@" 2>"$OUT_DIR/dbus.log"
fi

FIND="$(dirname "$0")/a11y-find.py"
A11Y_BUS_PID=

# At the end the app goes first, then the finder and the AT-SPI bus, then finish() prints the
# plan.
stop_app_and_bus ()
{
  local pid
  for pid in "$APP_PID" "${FINDER_PID:-}" "$A11Y_BUS_PID"; do
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null
      wait "$pid" 2>/dev/null
    fi
  done
  APP_PID=
}
trap 'stop_app_and_bus; finish' EXIT

"$A11Y_BUS_LAUNCHER" --launch-immediately >"$OUT_DIR/a11y-bus.log" 2>&1 &
A11Y_BUS_PID=$!

# find ROLE NAME_REGEX [DESCRIPTION_REGEX [--focused]]: wait for a matching object (with the
# keyboard focus, with --focused); its line (or what was there instead) goes to the TAP log as
# a comment.
# One finder answers every query (a Python and pyatspi per query cost a second each): the
# query's options go to it as shell words, and its answer ends with "a11y-find-status N" and an empty line.
coproc FINDER { exec /usr/bin/python3 "$FIND" --serve 2>>"$OUT_DIR/a11y-find.log"; }
FINDER_PID=$FINDER_PID
exec {FINDER_IN}>&"${FINDER[1]}" {FINDER_OUT}<&"${FINDER[0]}"
find_object ()
{
  local line status=1
  printf '%q ' --role "$1" --name "$2" --description "${3:-}" ${4:-} --timeout 15 >&"$FINDER_IN"
  echo >&"$FINDER_IN"
  while IFS= read -r -t 60 line <&"$FINDER_OUT"; do
    case $line in
      "a11y-find-status "*) status=${line#a11y-find-status }; IFS= read -r -t 5 line <&"$FINDER_OUT"; break ;;
      *) echo "# a11y: $line" ;;
    esac
  done
  return "$status"
}

# stroke X0 Y0 X1 Y1 [STEPS]: one straight stroke on the pad, in per-mille of its width and
# height, one pointer move per call (GTK coalesces moves given in one call).
# A "7" in one stroke: a bar along the top, then down to the left.
draw_seven ()
{
  stroke_line 300 250 680 250 10
  stroke_line 680 250 470 780 14
  xdotool mouseup 1
}

# Show the Draw view (with the command given) and find the pad ("canvas X Y W H").
show_draw ()
{
  local m line x y w h
  m=$(mark)
  "$@"
  wait_for '^canvas ' 10 "$m" || return 1
  line=$(line_after '^canvas ' "$m")
  read -r _ x y w h <<<"$line"
  eval "$(xdotool getwindowgeometry --shell "$WID")"
  PAD_X=$((X + x)) PAD_Y=$((Y + y)) PAD_W=$w PAD_H=$h
  [ "$w" -ge 100 ] && [ "$h" -ge 100 ]
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

if has_mnist; then
  start_app GTK_A11Y=atspi BACKPROP_TRAIN_SIZE=2000 BACKPROP_EPOCHS=5000
  check "the app says it is ready" wait_for '^ready$' 60
else
  start_app GTK_A11Y=atspi BACKPROP_DATA_DIR="$OUT_DIR/no-such-folder"
  check "no MNIST: the missing-data page shows" wait_for '^missing-data$' 30
fi
check "the window can be focused" focus_window
xdotool windowsize "$WID" 1100 760
sleep 0.5

check "the app is on the accessibility bus with its window" \
  find_object frame '^Backprop$'

# The Draw view: before anything is drawn, the pad says it is empty and the guess says there
# is none.
if has_mnist; then
  check "Alt+3 shows the pad" show_draw key alt+3
else
  wait_for '^widget draw-digit ' 10
  check "the missing-data page's button shows the pad" show_draw click_widget draw-digit
fi
check "the pad is an image named Drawing pad, described as empty" \
  find_object image '^Drawing pad$' '^Empty'
check "the guess is a status saying there is none" \
  find_object 'status bar' '^No prediction'

# The pad's icon buttons have names (not "GtkImage"), and its pictures are images (not unnamed
# fillers) that say what they show.
check "the Undo button is named" find_object 'push button' '^Undo the last stroke$'
check "the Clear button is named" find_object 'push button' '^Clear the pad$'
check "what the network sees is an image, described as empty" find_object image '^What it sees$' '^Empty'
check "the saliency map is an image, described as empty" find_object image '^Why$' '^Empty'

# Draw a 7: the status names the guess, the digit the app reports, with its probability, and
# the runner-up; the pad counts the stroke.
m=$(mark)
draw_seven
check "a stroke ends with a prediction" wait_for '^prediction ' 10 "$m"
digit=$(line_after '^prediction ' "$m" | cut -d ' ' -f 2)
check "the built-in model reads a drawn 7 (got ${digit:-nothing})" test "$digit" = 7
check "a screen reader finds the guess: a status named \"Prediction: ${digit:-?}, …% sure; next: …\"" \
  find_object 'status bar' "^Prediction: ${digit:-X}, [0-9]+% sure; next: [0-9], [0-9]+%\$" \
  '^Softmax probabilities: 0: '
check "the pad's description counts the stroke" find_object image '^Drawing pad$' '^1 stroke$'
check "what it sees is described as the network's 28×28 input" \
  find_object image '^What it sees$' '^The 28×28 input'
check "the saliency map's description names the digit it explains, ${digit:-?}" \
  find_object image '^Why$' "output for ${digit:-X} \\(the top guess\\)"
# The built-in model is a conv net: its layers are feature maps, read aloud layer by layer.
check "the feature maps are an image named Feature maps, each layer's strongest map described" \
  find_object image '^Feature maps$' '; map [0-9]+ responds most\.'
screenshot draw-seven

# Delete clears the pad: the guess goes back to none, and the pad keeps the keyboard.
m=$(mark)
key Delete
check "Delete clears the pad" wait_for '^strokes 0$' 10 "$m"
check "the guess says there is none again" find_object 'status bar' '^No prediction'
check "the pad is described as empty again" find_object image '^Drawing pad$' '^Empty'
check "and has the keyboard" find_object image '^Drawing pad$' '' --focused

if ! has_mnist; then
  echo "# MNIST is not in $(mnist_dir): the Train view's accuracy is not tested"
  key ctrl+q
  check "Ctrl+Q quits" wait_exit 20
  exit 0
fi

# Train two epochs, pause, and read the Train view's latest accuracy as a screen reader does:
# a status whose text is the validation accuracy of the last epoch the app reported.
key alt+1
sleep 0.3
m=$(mark)
key space
check "Space starts training" wait_for '^state running$' 10 "$m"
check "epochs are reported" wait_for '^epoch 2 ' 60 "$m"
m2=$(mark)
key space
check "Space pauses" wait_for '^state paused$' 10 "$m2"
sleep 0.5
val=$(grep -E '^epoch ' "$EVENTS" | tail -n 1 | awk '{ for (i = 1; i < NF; i++) if ($i == "val_acc") printf "%.2f", 100 * $(i + 1) }')
check "the app reported a validation accuracy (${val:-none})" test -n "$val"
check "the accuracy line is a status naming the validation accuracy, ${val:-?} %" \
  find_object 'status bar' "Validation ${val//./\\.} %"
check "the accuracy plot is an image named Accuracy, its description the latest points" \
  find_object image '^Accuracy$' 'Validation: 0\.[0-9]+ at epoch'
screenshot train-paused

# The trained 784-30-10 network's first hidden layer on the Draw view: an image the keyboard
# reaches (Tab from the pad: the guess, the saliency map's digit, the strip), whose arrow keys
# move its cursor, which the description follows; Delete gives the keyboard back to the pad.
key alt+3
sleep 0.3
m=$(mark)
draw_seven
check "the trained network classifies a drawing" wait_for '^prediction ' 10 "$m"
check "the hidden layer is an image named First hidden layer, described" \
  find_object image '^First hidden layer$' '^The first hidden layer’s [0-9]+ activations'
key Tab Tab Tab
check "Tab from the pad reaches the hidden layer" find_object image '^First hidden layer$' '' --focused
key Right Right
check "the arrow keys move the hidden layer's cursor: neuron 3, and its activation" \
  find_object image '^First hidden layer$' 'Neuron 3 selected, activation [0-9]+\.[0-9]{2}\.$' --focused
screenshot draw-strip-cursor
m=$(mark)
key Delete
check "Delete clears the pad, from the hidden layer too" wait_for '^strokes 0$' 10 "$m"
check "and the pad has the keyboard again" find_object image '^Drawing pad$' '' --focused

# Showing the Mistakes and the Weights views puts the keyboard on their main widget.
m=$(mark)
key alt+4
check "Alt+4 classifies the test set" wait_for '^mistakes [0-9]+ accuracy ' 60 "$m"
check "and the confusion matrix has the keyboard" \
  find_object image '^Confusion matrix of the test set$' '' --focused
key alt+2
check "Alt+2: the weights have the keyboard" find_object image '^Weights$' '' --focused

# The Backprop view: the network is an image that has the keyboard; the step and its equation
# are read in words; a neuron chosen with the keyboard says its numbers.
m=$(mark)
key alt+5
check "Alt+5 shows the Backprop view" wait_for '^backprop-example test 0 ' 10 "$m"
check "the network is an image with the keyboard, its columns described" \
  find_object image '^The network, layer by layer$' 'a² \(30\)' --focused
key Right
check "the step's equation is read in words" \
  find_object label '' '^Step 2 of [0-9]+: Forward pass: layer 2\. z 2 equals the weight matrix w 2 times a 1'
key Down
check "Down chooses neuron 0 of layer 2, and the network says its numbers" \
  find_object image '^The network, layer by layer$' '^Layer 2, neuron 0: weighted input z [−0-9]' --focused
check "…which the neuron's equation says too" \
  find_object label '' '^Layer 2, neuron 0: weighted input z .*error delta'
screenshot backprop

key ctrl+q
check "Ctrl+Q quits" wait_exit 20
check "with status 0" test "$EXIT_STATUS" = 0
