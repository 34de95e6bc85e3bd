#!/usr/bin/env bash
# tests/app/test-export-onnx.sh — Export → Model as ONNX… in the real window: the menu item,
# its file dialog, the file it writes, and the dialog of a failed export
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The item sits in the main menu's Export submenu, reached with F10 and the arrow keys. Under
# Xvfb without a window manager, an item chosen in a submenu leaves GTK 4.8's window without
# keyboard input once its dialog has closed (test-files.sh meets the same), so each export is
# a launch of its own, closed with the pointer.

. "$(dirname "$0")/lib.sh"

require_environment
require_mnist
trap finish EXIT

DATA_DIR=$(mnist_dir)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"; finish' EXIT
PY=/usr/bin/python3

launch ()
{
  start_app BACKPROP_DATA_DIR="$DATA_DIR" BACKPROP_TRAIN_SIZE=2000 XDG_DATA_HOME="$WORK/data" \
    GTK_USE_PORTAL=0
  wait_for '^ready$' 60 && focus_window
}

# export_onnx PATH EVENT: F10, down to Export, into it, down to Model as ONNX…, Return; type
# PATH into the dialog and wait for the EVENT line (a regular expression). The menu is left
# open on the screenshot NAME ($3, optional) before the item is chosen.
export_onnx ()
{
  local path=$1 event=$2 shot=${3:-} m
  m=$(mark)
  key F10
  sleep 0.5
  key Down Down Down Down   # Open Recent, Save Model As…, Save Session As…, Export
  sleep 0.2
  key Right
  sleep 0.5
  key Down Down Down Down   # Accuracy Plot…, Cost Plot…, History as CSV…, Model as ONNX…
  sleep 0.3
  [ -n "$shot" ] && screenshot "$shot"
  key Return
  wait_for '^file-dialog Export the Model as ONNX$' 10 "$m" || return 1
  sleep 0.5
  key ctrl+a   # the suggested name's stem is selected: the path replaces all of it
  xdotool type --delay 20 "$path"
  sleep 0.3
  key Return
  wait_for "$event" 20 "$m"
}

# One epoch (Shift+Space trains to the end of the epoch), so that the menu is the same in both
# launches: the arrow keys skip the Export items that have nothing to export yet.
train_epoch ()
{
  local m
  m=$(mark)
  key shift+space
  wait_for '^epoch 1 ' 60 "$m" && wait_for '^state paused' 10 "$m"
}

# Click the bottom middle of the app's other window, the error dialog: its Close button.
dismiss_dialog ()
{
  local w
  for w in $(xdotool search --onlyvisible --pid "$APP_PID"); do
    [ "$w" = "$WID" ] && continue
    eval "$(xdotool getwindowgeometry --shell "$w")"
    xdotool mousemove --sync $((X + WIDTH / 2)) $((Y + HEIGHT - 20)) click 1
    return 0
  done
  return 1
}

close_window ()
{
  eval "$(xdotool getwindowgeometry --shell "$WID")"
  xdotool mousemove --sync $((X + WIDTH - 24)) $((Y + 27)) click 1
  wait_exit 20
}

# ── An export after an epoch of training ─────────────────────────────────────────────────────

check "the app starts" launch
m=$(mark)
train_epoch
check "an epoch trains" wait_for '^epoch 1 ' 1 "$m"
test_acc=$(line_after '^epoch 1 ' "$m" | awk '{ print $8 }')

check "Export → Model as ONNX… writes the network through its dialog" \
  export_onnx "$WORK/net.onnx" '^onnx-exported net\.onnx$' export-menu
check "…a 784-30-10 graph with the epoch's test accuracy in its metadata" \
  $PY -c 'import sys
data = open(sys.argv[1], "rb").read()
assert data[:2] == b"\x08\x07" and len(data) > 90000, len(data)   # ir_version 7; 23,860 floats
try:
    import onnx
except ImportError:
    sys.exit(0)
model = onnx.load(sys.argv[1])
onnx.checker.check_model(model)
meta = {p.key: p.value for p in model.metadata_props}
assert [n.op_type for n in model.graph.node] == ["Flatten", "Gemm", "Sigmoid", "Gemm", "Sigmoid"]
assert meta["layers"] == "784-30-10" and meta["test_accuracy"] == sys.argv[2], meta' \
  "$WORK/net.onnx" "$test_acc"
sleep 0.5
screenshot exported
check "the window closes" close_window

# ── A failed export: the dialog names the file, and nothing is written ──────────────────────

check "the app starts again" launch
train_epoch
# /proc takes no new files, even from root.
check "an export the system refuses fails with a message naming the file" \
  export_onnx /proc/net.onnx '^file-error /proc/net\.onnx: not saved: '
sleep 0.5
screenshot export-failed
check "…and writes nothing" test ! -e /proc/net.onnx
check "the dialog closes" dismiss_dialog
sleep 0.5
check "the window closes" close_window
