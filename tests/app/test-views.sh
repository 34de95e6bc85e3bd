#!/usr/bin/env bash
# tests/app/test-views.sh — every view of the app in the light and the dark style: Train, Weights,
# the neuron dialog, the reset question, the divergence toast and the missing-MNIST page; and
# where the keyboard goes when a view is shown
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Besides checking what each interaction should do, this takes the screenshots a person looks
# at before calling the UI done: <build>/tests/app/test-views/<style>-<view>.png.

. "$(dirname "$0")/lib.sh"

require_environment
require_mnist
trap finish EXIT

# Open the sidebar's activation menu and close it: the keyboard is then on that row, outside
# any view. The pointer leaves the row first: xdotool's --sync waits for a move, which does
# not come when the pointer is already where it is sent.
focus_sidebar_row ()
{
  xdotool mousemove 0 0
  click_widget activation
  sleep 0.5
  key Escape
  sleep 0.3
}

for style in light dark; do
  start_app ADW_DEBUG_COLOR_SCHEME="prefer-$style" BACKPROP_TRAIN_SIZE=2000 BACKPROP_EPOCHS=1000
  check "$style: ready" wait_for '^ready$' 60
  check "$style: the window can be focused" focus_window
  screenshot "$style-train-empty"

  # A few epochs, then a pause: the curves and the weights have something to show.
  m=$(mark)
  key space
  check "$style: epochs come" wait_for '^epoch 6 ' 30 "$m"
  key space
  check "$style: paused" wait_for '^state paused$' 10 "$m"
  sleep 0.3
  screenshot "$style-train"

  # The smallest size the window allows still shows the curves and the controls.
  xdotool windowsize --sync "$WID" 800 600 2>/dev/null || xdotool windowsize "$WID" 800 600
  sleep 0.8
  screenshot "$style-train-800x600"
  xdotool windowsize "$WID" 1100 760
  sleep 0.5

  # Alt+2 shows the weights; a click on a neuron's picture opens it large.
  m=$(mark)
  key alt+2
  check "$style: Alt+2 shows the weights" wait_for '^widget neuron-0 ' 10 "$m"
  screenshot "$style-weights"
  click_widget neuron-0
  check "$style: a click on a neuron opens it" wait_for '^neuron-dialog 0$' 10 "$m"
  sleep 0.5
  screenshot "$style-neuron"
  key Escape
  sleep 0.3
  focus_window
  key alt+1

  # Changing the activation of a trained network asks first; declining keeps the network.
  m=$(mark)
  click_widget activation
  sleep 0.5
  key Down Return
  check "$style: a new activation asks before a new network" wait_for '^confirm-reset$' 10 "$m"
  sleep 0.5
  screenshot "$style-confirm-reset"
  key Escape
  sleep 0.5
  check "$style: declining keeps the trained network" test -z "$(line_after '^reset$' "$m")"
  focus_window

  # Showing a view puts the keyboard on its main widget, wherever it was outside the view (here
  # the sidebar's activation row, its menu opened and closed): Enter then opens the chosen
  # neuron, or lists a cell of the confusion matrix (the first time, once the test set is
  # classified).
  focus_sidebar_row
  m=$(mark)
  key alt+2
  sleep 0.5
  key Return
  check "$style: after Alt+2 the weights have the keyboard (Enter opens a neuron)" \
    wait_for '^neuron-dialog [0-9]+$' 10 "$m"
  key Escape
  sleep 0.3
  focus_window
  focus_sidebar_row
  m=$(mark)
  key alt+4
  check "$style: Alt+4 classifies the test set" wait_for '^mistakes [0-9]+ accuracy ' 60 "$m"
  sleep 0.5
  key Return
  check "$style: and the confusion matrix has the keyboard (Enter lists a cell)" \
    wait_for '^cell [0-9] [0-9]$' 10 "$m"
  sleep 0.3
  screenshot "$style-mistakes-focus"
  key alt+1

  # Layer sizes that do not fit the data are refused and marked, and nothing is reset. A view
  # shown meanwhile (Alt+4) leaves the keyboard in the text field.
  m=$(mark)
  click_widget layers
  key alt+4
  sleep 0.5
  key ctrl+a
  xdotool type --delay 20 "784,30,5"
  key Return
  check "$style: an output layer too small for 10 digits is refused (typed with the Mistakes view shown)" \
    wait_for '^invalid-layers The output layer must have at least 10 neurons' 10 "$m"
  sleep 0.3
  screenshot "$style-invalid-layers"
  check "$style: and nothing was reset" test -z "$(line_after '^(reset|confirm-reset)$' "$m")"
  key ctrl+a
  xdotool type --delay 20 "784,30,10"
  key Return
  key alt+1
  focus_window

  # ηλ/n far above 1 makes the weight decay overshoot: the run diverges, a toast says so, and
  # the network is back at the start of the epoch, paused.
  m=$(mark)
  click_widget lambda
  key ctrl+a
  xdotool type --delay 20 "1000"
  key Tab
  click_widget eta
  key ctrl+a
  xdotool type --delay 20 "100"
  key space
  check "$style: a diverging run is reported" wait_for '^diverged .*smaller' 30 "$m"
  check "$style: and left paused" wait_for '^state paused$' 10 "$m"
  sleep 0.5
  screenshot "$style-diverged"

  # Ctrl+W closes the window, Ctrl+Q quits: either way the app ends cleanly.
  if [ "$style" = light ]; then quit_key=ctrl+w; quit_name=Ctrl+W; else quit_key=ctrl+q; quit_name=Ctrl+Q; fi
  key "$quit_key"
  wait_exit 20
  check "$style: $quit_name ends the app cleanly (status $EXIT_STATUS)" test "$EXIT_STATUS" = 0
  check "$style: and reports the frame times" wait_for '^frame-stats p50 ' 1
  check "$style: nothing was logged on stderr" test ! -s "$APP_STDERR"

  # First launch without MNIST: a page says what is missing and how to get it, and its button
  # opens a folder chooser; choosing the MNIST folder (typed into the chooser's location
  # field) loads it without a restart.
  mkdir -p "$OUT_DIR/no-mnist"
  start_app ADW_DEBUG_COLOR_SCHEME="prefer-$style" BACKPROP_DATA_DIR="$OUT_DIR/no-mnist"
  check "$style: without MNIST the missing-data page shows" wait_for '^missing-data$' 30
  check "$style: with a button to choose a folder" wait_for '^widget choose-folder ' 10
  focus_window
  screenshot "$style-missing-data"
  m=$(mark)
  click_widget choose-folder
  sleep 1
  screenshot "$style-choose-folder"
  key ctrl+l
  sleep 0.3
  xdotool type --delay 10 "$(mnist_dir)/"
  key Return
  check "$style: the chosen folder loads" wait_for '^ready$' 30 "$m"
  focus_window
  key ctrl+w
  wait_exit 20
  check "$style: closes cleanly after choosing a folder (status $EXIT_STATUS)" test "$EXIT_STATUS" = 0
done
