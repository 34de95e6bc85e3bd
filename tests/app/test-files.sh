#!/usr/bin/env bash
# tests/app/test-files.sh — files and settings through the real window: save and open models and
# sessions with the file dialogs, export plots and the history, open a PNG, the recent files, and
# what the next launch restores (window view, training settings, brush, last model)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The settings live in a keyfile under a temporary XDG_CONFIG_HOME, so that a second launch reads
# what the first wrote; the recent files in a temporary XDG_DATA_HOME. The file dialogs are GTK's
# own (GTK_USE_PORTAL=0): the test types a full path into them, as a person can.

. "$(dirname "$0")/lib.sh"

require_environment
require_mnist
trap finish EXIT

DATA_DIR=$(mnist_dir)
PNG_DIR=$(cd "$(dirname "$0")/../data/png" && pwd)
WORK=$(mktemp -d)
mkdir -p "$WORK/config" "$WORK/data" "$WORK/out"
trap 'rm -rf "$WORK"; finish' EXIT
PY=/usr/bin/python3

launch ()
{
  start_app BACKPROP_DATA_DIR="$DATA_DIR" BACKPROP_TRAIN_SIZE=2000 \
    GSETTINGS_BACKEND=keyfile XDG_CONFIG_HOME="$WORK/config" XDG_DATA_HOME="$WORK/data" \
    GTK_USE_PORTAL=0 "$@"
  wait_for '^ready$' 60 && focus_window
}

# dialog KEYS TITLE PATH EVENT: open a file dialog with KEYS, wait for it, type PATH, press
# Return, and wait for the EVENT line (a regular expression).
dialog ()
{
  local keys=$1 title=$2 path=$3 event=$4 m
  m=$(mark)
  key "$keys"
  wait_for "^file-dialog $title\$" 10 "$m" || return 1
  sleep 0.5
  # A path typed into the dialog is taken whole, whichever field has the focus. A save dialog
  # suggests a name with its stem selected: select all of it, so the path replaces it all.
  key ctrl+a
  xdotool type --delay 20 "$path"
  sleep 0.3
  key Return
  wait_for "$event" 20 "$m"
}

keyfile_has ()
{
  grep -Eq "$1" "$WORK/config/glib-2.0/settings/keyfile" 2>/dev/null
}

# ── First launch: train, save, export, open ──────────────────────────────────────────────────

check "the app starts with its settings in a keyfile" launch
check "a first launch starts from chapter 1" grep -Eq '^setup view train layers 784-30-10 eta 3 lambda 0 batch 10 epochs 30 brush 18$' "$EVENTS"

# A learning rate to find again at the next launch, typed while the positions the app printed
# at "ready" still hold.
click_widget eta
key ctrl+a
xdotool type --delay 20 "0.5"
key Tab
sleep 0.3

# Before any training the built-in model reads the Draw view's pad.
check "Ctrl+O opens a PNG on the Draw view and reads it" \
  dialog ctrl+o 'Open a Model, a Session or a Picture' "$PNG_DIR/three-light-on-dark.png" '^png three-light-on-dark.png prediction 3$'
screenshot png-opened
key alt+1
sleep 0.3

# Two epochs on 2,000 images, one at a time (Shift+Space trains to the end of the epoch).
m=$(mark)
key shift+space
wait_for '^epoch 1 ' 60 "$m"
key shift+space
check "two epochs train" wait_for '^epoch 2 ' 60 "$m"
wait_for '^state paused' 10 "$m"

check "Ctrl+S saves the model through the dialog" \
  dialog ctrl+s 'Save the Model' "$WORK/out/net.json" '^model-saved net.json$'
check "the saved model is a network2.py file of 784-30-10" \
  $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["sizes"]==[784,30,10] and len(d["weights"])==2' "$WORK/out/net.json"
cp "$WORK/out/net.json" "$WORK/out/net.json.bak"

# Trained since the last save: opening a model asks first, and Cancel keeps the network.
m=$(mark)
key shift+space
wait_for '^epoch 3 ' 60 "$m"
wait_for '^state paused' 10 "$m"
m=$(mark)
key ctrl+o
wait_for '^file-dialog ' 10 "$m"
sleep 0.5
key ctrl+a
xdotool type --delay 20 "$WORK/out/net.json"
sleep 0.3
key Return
check "opening a model over an unsaved network asks first" \
  wait_for '^confirm-replace net.json epochs 1$' 10 "$m"
sleep 0.5
screenshot confirm-replace
key Escape
check "…and Cancel keeps the network" wait_for '^replace-answer cancel$' 10 "$m"
sleep 0.3
check "…without opening the model" bash -c "! tail -n +$((m + 1)) '$EVENTS' | grep -q '^model-opened'"

check "Shift+Ctrl+S saves the session" \
  dialog shift+ctrl+s 'Save the Session' "$WORK/out/run.json" '^session-saved run.json epochs 3$'
check "the session file opens as a model too (network2.py keys)" \
  $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["sizes"]==[784,30,10] and d["cost"]' "$WORK/out/run.json"

check "Ctrl+E exports the accuracy plot as SVG" \
  dialog ctrl+e 'Export the Accuracy Plot' "$WORK/out/accuracy.svg" '^plot-exported accuracy accuracy.svg$'
check "the SVG is an SVG drawing" grep -q '<svg' "$WORK/out/accuracy.svg"
check "a plot exports as PNG when no extension is typed" \
  dialog ctrl+e 'Export the Accuracy Plot' "$WORK/out/curves" '^plot-exported accuracy curves.png$'
check "…and that PNG is a PNG" $PY -c 'import sys; assert open(sys.argv[1],"rb").read(8)==b"\x89PNG\r\n\x1a\n"' "$WORK/out/curves.png"
check "Shift+Ctrl+E exports the history as CSV" \
  dialog shift+ctrl+e 'Export the History' "$WORK/out/history.csv" '^history-exported history.csv epochs 3$'
check "the CSV has a header and three epochs" \
  $PY -c 'import csv,sys; r=list(csv.reader(open(sys.argv[1]))); assert r[0][0]=="epoch" and [x[0] for x in r[1:]]==["1","2","3"] and 0<float(r[3][r[0].index("test_accuracy")])<=1' "$WORK/out/history.csv"

# A failed save says why and writes nothing: /proc takes no new files, even from root.
check "a save the system refuses fails with a message naming the file" \
  dialog ctrl+s 'Save the Model' "/proc/net.json" '^file-error .*/proc/net\.json'
sleep 0.3
key Escape   # the error dialog
sleep 0.3
check "…and the model saved before is untouched" cmp -s "$WORK/out/net.json" "$WORK/out/net.json.bak"

check "a damaged file gives a message naming it" \
  dialog ctrl+o 'Open a Model, a Session or a Picture' "$PNG_DIR/truncated.png" '^file-error .*truncated\.png'
sleep 0.3
key Escape
sleep 0.3

# The main menu is a keyboard's reach away: F10, then Up to its last item, About.
m=$(mark)
key F10
sleep 0.5
key Up
sleep 0.2
key Return
check "F10 and the keyboard reach the About window" wait_for '^about-window$' 10 "$m"
sleep 0.5
screenshot about
key Escape
sleep 0.3

check "the files went to the recent list" grep -q 'net.json' "$WORK/data/recently-used.xbel"

# Settings to find again: the Weights view and a wider brush (Alt+B reaches its scale).
m=$(mark)
key alt+3
sleep 0.3
key alt+b Right Right Right Right
sleep 0.3
check "the brush width goes to the settings as it changes" keyfile_has '^brush-width=22'
key alt+2
sleep 0.3
m=$(mark)
key ctrl+w
check "the window closes" wait_exit 20

cp "$EVENTS" "$OUT_DIR/events-first-launch.log"
sed "s/^/# keyfile: /" "$WORK/config/glib-2.0/settings/keyfile"
check "the settings were saved on closing" keyfile_has "^last-model='$WORK/out/net.json'"
check "…with the view" keyfile_has "^last-view='weights'"
check "…and the learning rate" keyfile_has '^eta=0.5'

# ── Second launch: everything comes back ─────────────────────────────────────────────────────

check "the app starts again" launch
check "the last model comes back" grep -Eq '^model-opened net.json layers 784-30-10$' "$EVENTS"
check "the view, the learning rate and the brush come back" \
  grep -Eq '^setup view weights layers 784-30-10 eta 0.5 lambda 0 batch 10 epochs 30 brush 22$' "$EVENTS"

# The session brings its history back: three epochs, ready to go on with the fourth.
key alt+1
sleep 0.3
# Open Recent, by the keyboard: F10, down to the submenu, into it; its first item is the newest,
# the session saved last. (Its mnemonic, R, opens the submenu too, but GTK 4.8 then keeps the
# keyboard from the window after the menu closes, so the test goes by the arrows, as a user
# who hits that would.)
m=$(mark)
key F10
sleep 0.5
key Down     # the first item has the focus: Down reaches Open Recent, Right opens it
sleep 0.2
key Right
sleep 0.5
key Down
sleep 0.2
screenshot recent-menu
key Return
check "the session opens from Open Recent" wait_for '^session-opened run.json epochs 3$' 10 "$m"
# Under Xvfb, without a window manager, an item chosen in a submenu leaves GTK 4.8's window
# without keyboard input once the menu has closed: the rest of this launch uses the pointer.
sleep 0.5
m=$(mark)
click_widget start
check "training continues with epoch 4" wait_for '^epoch 4 ' 60 "$m"
click_widget start 3
check "and pauses" wait_for '^state paused' 10 "$m"
sleep 0.5
screenshot session-continued
eval "$(xdotool getwindowgeometry --shell "$WID")"
xdotool mousemove --sync $((X + WIDTH - 24)) $((Y + 27)) click 1
check "the window closes again" wait_exit 20
