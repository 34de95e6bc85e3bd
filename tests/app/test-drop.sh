#!/usr/bin/env bash
# tests/app/test-drop.sh — files dragged onto the real window from another GTK program: a PNG
# goes to the Draw view and is read, a model is opened, anything else is refused by name
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The drags are real: bp-drag-source (tests/app/bp-drag-source.c) shows a small window below the
# app offering files as a GdkFileList, and xdotool presses the mouse on it, moves in small steps
# onto the app and lets go. The two GTK processes speak XDND through the X server as a file
# manager and the app would. bp-drag-source says how each drag ended ("drag-end copy",
# "drag-cancel no-target"); the app says what it did with the drop. Screenshots while hovering
# and after each drop: <build>/tests/app/test-drop/.

. "$(dirname "$0")/lib.sh"

require_environment
require_mnist
[ -x "${BACKPROP_DRAG_SOURCE:-}" ] || skip_all "bp-drag-source was not built"

DATA_DIR=$(mnist_dir)
PNG_DIR=$(cd "$(dirname "$0")/../data/png" && pwd)
CLI=$BACKPROP_BUILD_DIR/src/cli/backprop-cli
WORK=$(mktemp -d)
SOURCE_PID=
SOURCE_LOG=
SOURCE_WID=
N_DRAGS=0
DRAG_END=
DROP_WAIT=10

stop_source ()
{
  if [ -n "$SOURCE_PID" ] && kill -0 "$SOURCE_PID" 2>/dev/null; then
    kill "$SOURCE_PID" 2>/dev/null
    wait "$SOURCE_PID" 2>/dev/null
  fi
  SOURCE_PID=
}
trap 'stop_source; rm -rf "$WORK"; finish' EXIT

# start_source FILE…: the drag source's window, placed just below the app's so that neither
# covers the other (without a window manager a window appears at 0,0, on top of the app).
start_source ()
{
  local deadline
  stop_source
  N_DRAGS=$((N_DRAGS + 1))
  SOURCE_LOG=$OUT_DIR/source-$N_DRAGS.log
  : >"$SOURCE_LOG"
  env GSK_RENDERER=cairo GDK_DEBUG=gl-disable GTK_A11Y=none GSETTINGS_BACKEND=memory \
    "$BACKPROP_DRAG_SOURCE" "$@" >"$SOURCE_LOG" 2>>"$OUT_DIR/source-stderr.log" &
  SOURCE_PID=$!
  deadline=$((SECONDS + 20))
  until grep -q '^ready ' "$SOURCE_LOG"; do
    [ $SECONDS -lt $deadline ] && kill -0 "$SOURCE_PID" 2>/dev/null || return 1
    sleep 0.05
  done
  SOURCE_WID=$(timeout 20 xdotool search --sync --onlyvisible --pid "$SOURCE_PID" | head -n 1)
  [ -n "$SOURCE_WID" ] || return 1
  eval "$(xdotool getwindowgeometry --shell "$WID")"
  xdotool windowmove --sync "$SOURCE_WID" $((X + 400)) $((Y + HEIGHT + 20))
}

# drag_to TX TY SHOT: press on the source window, move to (TX, TY) on the screen in steps of
# about 15 pixels, one pointer move per call with a pause (GTK starts a drag only after the
# pointer has moved past a threshold, and coalesces moves given at once), hover there for a
# screenshot, and let go. Then wait for the source to say how the drag ended: DRAG_END is the
# action ("copy" when the app took the drop, "none" when nothing did), and DROP_WAIT how long to
# wait for the app's lines (a drop that was not taken leaves nothing to wait for).
drag_to ()
{
  local tx=$1 ty=$2 shot=$3 sx sy steps i deadline
  eval "$(xdotool getwindowgeometry --shell "$SOURCE_WID")"
  sx=$((X + WIDTH / 2)) sy=$((Y + HEIGHT / 2))
  xdotool mousemove --sync "$sx" "$sy"
  sleep 0.1
  xdotool mousedown 1
  sleep 0.1
  steps=$(( ( (tx > sx ? tx - sx : sx - tx) + (ty > sy ? ty - sy : sy - ty) ) / 15 + 1 ))
  for ((i = 1; i <= steps; i++)); do
    xdotool mousemove --sync $((sx + (tx - sx) * i / steps)) $((sy + (ty - sy) * i / steps))
    sleep 0.02
  done
  sleep 0.3
  screenshot "$shot-hover"
  xdotool mouseup 1
  deadline=$((SECONDS + 10))
  until grep -q '^drag-end ' "$SOURCE_LOG" || [ $SECONDS -ge $deadline ]; do
    sleep 0.05
  done
  DRAG_END=$(grep '^drag-end ' "$SOURCE_LOG" | cut -d ' ' -f 2)
  DROP_WAIT=$([ "$DRAG_END" = copy ] && echo 10 || echo 1)
}

# A point of the app's window, given in fractions (per mille) of its width and height.
app_point ()
{
  eval "$(xdotool getwindowgeometry --shell "$WID")"
  echo $((X + WIDTH * $1 / 1000)) $((Y + HEIGHT * $2 / 1000))
}

# Close the error dialog with the keyboard and give the window its focus back.
close_error ()
{
  sleep 0.3
  key Escape
  sleep 0.3
  focus_window
}

# A model to drop: one epoch of chapter 1's network on 1,000 images, saved by backprop-cli.
# Its epoch line goes to a log, not into this script's TAP output.
save_model ()
{
  "$CLI" train --layers 784,30,10 --epochs 1 --train-size 1000 --data-dir "$DATA_DIR" \
    --save "$WORK/model.json" >"$WORK/train.log"
}
check "backprop-cli saves a model to drop" save_model
printf 'Not a network: a note.\n' >"$WORK/notes.txt"

start_app BACKPROP_DATA_DIR="$DATA_DIR" BACKPROP_TRAIN_SIZE=2000
check "the app is ready" wait_for '^ready$' 60
check "its window can be focused" focus_window

# ── A PNG dropped on the Train view goes to the Draw view's pad and is read ───────────────────

check "the drag source shows one PNG" start_source "$PNG_DIR/three-light-on-dark.png"
m=$(mark)
drag_to $(app_point 600 450) png-three
check "the drag began in the source" grep -q '^drag-begin 1$' "$SOURCE_LOG"
check "the drop ends as a copy in the source (${DRAG_END:-no end})" test "$DRAG_END" = copy
check "the app takes the drop of one file" wait_for '^dropped 1$' "$DROP_WAIT" "$m"
check "the PNG is read as 3 by the built-in model" \
  wait_for '^png three-light-on-dark\.png prediction 3$' "$DROP_WAIT" "$m"
check "the Draw view is shown with its pad" wait_for '^canvas ' "$DROP_WAIT" "$m"
sleep 0.5
screenshot png-three-dropped

# ── A drag let go outside the window drops nothing ────────────────────────────────────────────

check "the drag source shows the PNG again" start_source "$PNG_DIR/seven-grey.png"
m=$(mark)
eval "$(xdotool getwindowgeometry --shell "$WID")"
drag_to $((X + WIDTH + 60)) $((Y + HEIGHT + 60)) outside
check "a drag let go on the bare screen is cancelled in the source" \
  grep -q '^drag-cancel no-target$' "$SOURCE_LOG"
sleep 0.5
check "…and the app takes no drop" test -z "$(line_after '^dropped ' "$m")"

# ── A file that is neither a model nor a PNG: an error naming it, and the app goes on ─────────

check "the drag source shows a text file" start_source "$WORK/notes.txt"
m=$(mark)
drag_to $(app_point 300 500) notes
check "the app takes the drop of the text file" wait_for '^dropped 1$' "$DROP_WAIT" "$m"
check "it is refused with a message naming notes.txt" \
  wait_for '^file-error .*notes\.txt' "$DROP_WAIT" "$m"
sleep 0.5
screenshot notes-dropped
close_error

# Two PNGs at once: the first is the one opened, and the built-in model still answers.
key alt+1
sleep 0.3
check "the drag source shows two PNGs" start_source "$PNG_DIR/seven-grey.png" "$PNG_DIR/three-light-on-dark.png"
m=$(mark)
drag_to $(app_point 500 300) two-pngs
check "the app takes the drop of two files" wait_for '^dropped 2$' "$DROP_WAIT" "$m"
check "the first of them goes to the pad and is read as 7" \
  wait_for '^png seven-grey\.png prediction 7$' "$DROP_WAIT" "$m"
check "the Draw view is shown again" wait_for '^canvas ' "$DROP_WAIT" "$m"
check "…and only the first is opened" test -z "$(line_after '^png three' "$m")"
sleep 0.5
screenshot two-pngs-dropped

# ── A model file becomes the network in training ──────────────────────────────────────────────

check "the drag source shows the model" start_source "$WORK/model.json"
m=$(mark)
drag_to $(app_point 400 600) model
check "the drop of the model ends as a copy (${DRAG_END:-no end})" test "$DRAG_END" = copy
check "the app takes the drop of the model" wait_for '^dropped 1$' "$DROP_WAIT" "$m"
check "the model is opened as 784-30-10" \
  wait_for '^model-opened model\.json layers 784-30-10$' "$DROP_WAIT" "$m"
sleep 0.5
screenshot model-dropped
stop_source

m=$(mark)
key ctrl+q
check "Ctrl+Q quits" wait_exit 20
check "with status 0" test "$EXIT_STATUS" = 0
