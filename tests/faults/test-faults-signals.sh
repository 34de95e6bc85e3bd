#!/usr/bin/env bash
# tests/faults/test-faults-signals.sh — interrupted saves leave no litter: SIGTERM and a second
# Ctrl+C during a large save wait for it, the run saves once, no temporary file is left, the
# file is a whole model, and the exit status is 143 or 130
# SPDX-License-Identifier: GPL-3.0-or-later
#
# A 784-1500-1500-10 network (3.4 million parameters) trained on 20 images: its model file is
# some 40 MB, saved after every short epoch and long enough to write for a signal to land while
# the temporary file exists.

. "$(dirname "$0")/lib.sh"

G=$WORK/signals
mkdir -p "$G"
LAYERS=784,1500,1500,10

# Anything in the folder besides the model and the logs: a temporary file.
litter ()
{
  ls -A "$G" | grep -v -x -e big.json -e out -e err
}

# start_training: the run in the background, $pid.
start_training ()
{
  "$CLI" train --data-dir "$DATA" --train-size 20 --layers "$LAYERS" --epochs 1000 --save "$G/big.json" \
    >"$G/out" 2>"$G/err" </dev/null &
  pid=$!
}

# wait_for_temporary SECONDS: until a temporary file appears beside the model (a save is being
# written) or the run ends.
wait_for_temporary ()
{
  local deadline=$((SECONDS + $1))
  while [ $SECONDS -lt $deadline ] && kill -0 "$pid" 2>/dev/null; do
    litter >/dev/null && return 0
  done
  return 1
}

# finish_run: wait for the run (at most a minute), its status in $status.
finish_run ()
{
  timeout 120 tail --pid="$pid" -f /dev/null
  kill -KILL "$pid" 2>/dev/null
  wait "$pid"
  status=$?
  cp "$G/out" "$out"
  cp "$G/err" "$err"
}

whole_model ()
{
  timeout 60 "$CLI" eval --model "$G/big.json" --data-dir "$DATA" >/dev/null 2>&1
}

# ── SIGTERM while a per-epoch save is being written ──
start_training
if wait_for_temporary 120; then
  kill -TERM "$pid"
  finish_run
  if [ "$status" -eq 143 ] && said 'stopped by SIGTERM in epoch' && [ -z "$(litter)" ] && whole_model; then
    pass "SIGTERM during a save: it finishes, the run saves once more and exits 143, no temporary file, a whole model"
  else
    fail "SIGTERM during a save: it finishes, the run saves once more and exits 143, no temporary file, a whole model" \
      "left: $(litter | tr '\n' ' ')"
  fi
else
  kill -KILL "$pid" 2>/dev/null
  wait "$pid"
  fail "SIGTERM during a save: no save was seen within two minutes"
fi
litter | while read -r name; do rm -f "$G/$name"; done

# ── Ctrl+C, then a second Ctrl+C while the model is being saved ──
start_training
for _ in $(seq 1200); do
  grep -q '^epoch 1 ' "$G/out" 2>/dev/null && break
  sleep 0.1
done
# The epoch's own save starts at once; let it end, then stop the run: the final save follows.
while litter >/dev/null && kill -0 "$pid" 2>/dev/null; do :; done
kill -INT "$pid"
if wait_for_temporary 60; then
  kill -INT "$pid"
  finish_run
  if [ "$status" -eq 130 ] && said 'interrupted in epoch' && [ -z "$(litter)" ] && whole_model; then
    pass "a second Ctrl+C while the model is being saved waits for the save: exit 130, no temporary file, a whole model"
  else
    fail "a second Ctrl+C while the model is being saved waits for the save: exit 130, no temporary file, a whole model" \
      "left: $(litter | tr '\n' ' ')"
  fi
else
  kill -KILL "$pid" 2>/dev/null
  wait "$pid"
  fail "a second Ctrl+C during the final save: no save was seen"
fi
if [ "$(grep -c 'interrupted' "$err")" -eq 1 ]; then
  pass "…and it says once that it was interrupted"
else
  fail "…and it says once that it was interrupted"
fi

finish
