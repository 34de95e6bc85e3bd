#!/usr/bin/env bash
# tests/faults/test-faults-app.sh — hostile files handed to the real app: a JSON file nested
# 100,000 levels deep and a FIFO, each refused with a message naming it, and the window still
# answers after both (it opens a good model)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The app runs without MNIST (an empty data folder), so it starts at once and a model opened
# goes to the solo Draw view. The nested file comes from the command line (`backprop FILE`),
# the FIFO and the good model through the Open dialog (GTK's own, GTK_USE_PORTAL=0), typed as a
# person can. Before the fix the nested file crashed the app (json-glib's recursive parser ran
# off the stack) and the FIFO froze the window reading it on the UI thread.

. "$(dirname "$0")/../app/lib.sh"

require_environment
trap finish EXIT

SRC=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"; finish' EXIT
mkdir -p "$WORK/no-mnist"

# 100,000 brackets open and as many closed: 200 KB that nest 100,000 deep.
head -c 100000 /dev/zero | tr '\0' '[' >"$WORK/nested.json"
head -c 100000 /dev/zero | tr '\0' ']' >>"$WORK/nested.json"
mkfifo "$WORK/pipe.json"
cp "$SRC/resources/default-model.json" "$WORK/good.json"

# start_app_with ARGS…: start_app, with arguments for the app itself.
start_app_with ()
{
  : >"$EVENTS"
  env GSK_RENDERER=cairo GDK_DEBUG=gl-disable GTK_A11Y=none GSETTINGS_BACKEND=memory \
      GSETTINGS_SCHEMA_DIR="$BACKPROP_BUILD_DIR/data" BACKPROP_TEST_EVENTS=1 \
      BACKPROP_DATA_DIR="$WORK/no-mnist" GTK_USE_PORTAL=0 XDG_DATA_HOME="$WORK/data" \
      "$BACKPROP_APP" "$@" >"$EVENTS" 2>"$APP_STDERR" &
  APP_PID=$!
}

# open_dialog PATH EVENT: Ctrl+O, type PATH, Return, and wait for the EVENT line.
open_dialog ()
{
  local path=$1 event=$2 m
  m=$(mark)
  key ctrl+o
  wait_for '^file-dialog ' 10 "$m" || return 1
  sleep 0.5
  xdotool type --delay 20 "$path"
  sleep 0.3
  key Return
  wait_for "$event" 20 "$m"
}

close_error ()
{
  sleep 0.3
  key Escape
  sleep 0.3
}

start_app_with "$WORK/nested.json"
check "the app starts with a file nested 100,000 deep on its command line" \
  wait_for '^missing-data$' 30
check "…which is refused with a file-error line naming it" \
  wait_for '^file-error .*nested\.json.*nested deeper than 32 levels' 20
check "…and the app is still running" kill -0 "$APP_PID"
focus_window
close_error

m=$(mark)
start=$SECONDS
check "a FIFO given to Open is refused at once, naming it" \
  open_dialog "$WORK/pipe.json" '^file-error .*pipe\.json.*FIFO'
check "…within seconds, not blocked on the pipe" test $((SECONDS - start)) -lt 20
close_error

check "the app still answers: it opens a good model" \
  open_dialog "$WORK/good.json" '^model-opened good\.json layers 784-11520-2880-2560-640-100-100-10$'
check "…and it is still running" kill -0 "$APP_PID"
screenshot after-faults
