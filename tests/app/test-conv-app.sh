#!/usr/bin/env bash
# tests/app/test-conv-app.sh — chapter 6 in the real app: ch6-conv1 trains on a subset, the Weights
# view shows its 5×5 filters and they change, a filter opens with its numbers, and the conv
# net goes through session files, ONNX and CSV export, the Mistakes view and a session reopened
# with the same filters; a layer list that does not fit is refused, naming the layer
# SPDX-License-Identifier: GPL-3.0-or-later
#
# One launch for every check. Screenshots go to <build>/tests/app/test-conv-app/.

. "$(dirname "$0")/lib.sh"

require_environment
require_mnist
trap finish EXIT

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"; finish' EXIT
PY=/usr/bin/python3

# dialog KEYS TITLE PATH EVENT: open a file dialog with KEYS, type PATH, wait for EVENT.
dialog ()
{
  local keys=$1 title=$2 path=$3 event=$4 m
  m=$(mark)
  key $keys
  wait_for "^file-dialog $title\$" 10 "$m" || return 1
  sleep 0.5
  key ctrl+a
  xdotool type --delay 20 "$path"
  sleep 0.3
  key Return
  wait_for "$event" 30 "$m" || return 1
  # Without a window manager the keyboard does not come back to the window by itself.
  sleep 0.3
  xdotool windowfocus --sync "$WID"
}

# The sum of |w| of the first conv layer's filters in the last "filters layer 0" line after M.
filters_sum ()
{
  tail -n "+$(($1 + 1))" "$EVENTS" | grep -E '^filters layer 0 ' | tail -n 1 | awk '{print $NF}'
}

start_app BACKPROP_PRESET=ch6-conv1 BACKPROP_TRAIN_SIZE=500 BACKPROP_EPOCHS=1 \
  BACKPROP_DATA_DIR="$(mnist_dir)" XDG_DATA_HOME="$WORK/data" GTK_USE_PORTAL=0
check "the app says it is ready" wait_for '^ready$' 60
check "the window can be focused" focus_window
[ "$N_FAILED" -eq 0 ] || exit 1
check "it starts from ch6-conv1's layers" \
  grep -Eq '^setup view [a-z]+ layers 784-11520-2880-100-10 ' "$EVENTS"

# The Weights view: the first layer's twenty 5×5 filters (drawn when the session's network
# arrives, which may be before the view is shown).
key alt+2
check "the Weights view shows 20 filters of 5×5" wait_for '^filters layer 0 count 20 size 5x5 ' 10 0
before=$(filters_sum 0)

# One epoch on 500 images; the filters follow training.
m=$(mark)
key shift+space
check "an epoch of the conv net trains" wait_for '^epoch 1 ' 120 "$m"
wait_for '^state paused' 20 "$m"
sleep 0.5
after=$(filters_sum "$m")
check "the filters changed while it trained ($before → $after)" \
  test -n "$after" -a "$before" != "$after"
screenshot 01-filters

# A click on the first filter opens it with its numbers.
m=$(mark)
wait_for '^widget neuron-0 ' 10 0
click_widget neuron-0
check "a click on the first filter opens it" wait_for '^neuron-dialog 0$' 10 "$m"
sleep 0.5
screenshot 02-filter-dialog
key Escape
sleep 0.3

# Files: the session, ONNX and the history as CSV.
check "Shift+Ctrl+S saves the conv net's session" \
  dialog shift+ctrl+s 'Save the Session' "$WORK/conv.backprop" '^session-saved conv.backprop epochs 1$'
check "the session keeps the layer list" \
  $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["net"].startswith("conv20x5"), d["net"]' "$WORK/conv.backprop"
check "Shift+Ctrl+E exports the history as CSV" \
  dialog shift+ctrl+e 'Export the History' "$WORK/conv.csv" '^history-exported conv.csv epochs 1$'

# The Mistakes view classifies the test set with the conv net.
m=$(mark)
key alt+4
check "the Mistakes view reads the test set with the conv net" \
  wait_for '^mistakes [0-9]+ accuracy 0\.[0-9]+$' 60 "$m"
sleep 0.5
screenshot 03-mistakes

# A new network (Ctrl+R, then Reset), and the saved session brings the trained filters back.
m=$(mark)
key ctrl+r
wait_for '^confirm-reset-network$' 10 "$m"
sleep 0.3
key alt+r
wait_for '^reset$' 10 "$m"
m=$(mark)
key alt+2
sleep 0.3
check "Ctrl+O opens the session again" \
  dialog ctrl+o 'Open a Model, a Session or a Picture' "$WORK/conv.backprop" '^session-opened conv.backprop epochs 1$'
sleep 1
key alt+1
sleep 0.3
m2=$(mark)
key alt+2
wait_for '^filters layer 0 ' 10 "$m2"
check "…with the filters it saved" test "$(filters_sum "$m2")" = "$after"

# Main menu (F10): Open Recent, Save Model As…, Save Session As…, Export → Accuracy Plot…,
# Cost Plot…, History as CSV…, Model as ONNX….
export_onnx ()
{
  local m
  m=$(mark)
  key F10
  sleep 0.5
  key Down Down Down Down
  sleep 0.2
  key Right
  sleep 0.5
  key Down Down Down Down
  sleep 0.3
  key Return
  wait_for '^file-dialog Export the Model as ONNX$' 10 "$m" || return 1
  sleep 0.5
  key ctrl+a
  xdotool type --delay 20 "$1"
  sleep 0.3
  key Return
  wait_for '^onnx-exported conv.onnx$' 20 "$m" || return 1
  sleep 0.3
  xdotool windowfocus --sync "$WID"
}
check "the conv net exports as ONNX" export_onnx "$WORK/conv.onnx"
check "…with Conv and MaxPool nodes" bash -c "grep -aq Conv '$WORK/conv.onnx' && grep -aq MaxPool '$WORK/conv.onnx'"


# A layer list whose third conv layer has no room left is refused, naming it.
m=$(mark)
click_widget layers
sleep 0.3
key ctrl+a
xdotool type --delay 10 "conv20x5,pool2,conv40x5,pool2,conv40x5,softmax10"
sleep 0.3
screenshot 04-layers-refused
key Return
check "a layer that does not fit is refused, by name" \
  wait_for '^invalid-layers .*layer 5 \(conv40x5\)' 10 "$m"
