#!/usr/bin/env bash
# tests/faults/test-faults-output.sh — lost output is not success: classify, eval and train exit
# 1 with one line naming standard output when it is /dev/full or closed
# SPDX-License-Identifier: GPL-3.0-or-later

. "$(dirname "$0")/lib.sh"

make_model "$WORK/model.json" || { echo "Bail out! cannot train the small model"; exit 1; }
PNG=$TEST_DATA/png

# output_case DESCRIPTION REDIRECTION ARGS…: the tool with its stdout sent to /dev/full or closed.
output_case ()
{
  local description=$1 how=$2
  shift 2
  if [ "$how" = full ]; then
    timeout 60 "$CLI" "$@" >/dev/full 2>"$err" </dev/null
  else
    timeout 60 "$CLI" "$@" >&- 2>"$err" </dev/null
  fi
  status=$?
  : >"$out"
  if [ "$status" -eq 1 ] && said 'standard output: '; then
    pass "$description"
  else
    fail "$description"
  fi
}

output_case "classify to /dev/full exits 1 saying standard output failed" full \
  classify "$PNG/seven-grey.png"
output_case "classify with standard output closed exits 1 saying so" closed \
  classify "$PNG/seven-grey.png"
output_case "eval to /dev/full exits 1" full eval --model "$WORK/model.json" --data-dir "$DATA"
output_case "eval with standard output closed exits 1" closed \
  eval --model "$WORK/model.json" --data-dir "$DATA"
output_case "train to /dev/full exits 1" full train --data-dir "$DATA" --epochs 2
output_case "train with standard output closed exits 1" closed train --data-dir "$DATA" --epochs 2

# A closed standard output must not be taken over by a file the tool opens: the saved model
# stays a model, not a model with epoch lines in it.
timeout 60 "$CLI" train --data-dir "$DATA" --epochs 2 --save "$WORK/closed.json" >&- 2>"$err" </dev/null
status=$?
if [ "$status" -eq 1 ] && ! grep -q '^epoch ' "$WORK/closed.json" &&
   timeout 20 "$CLI" eval --model "$WORK/closed.json" --data-dir "$DATA" >/dev/null 2>&1; then
  pass "with standard output closed, the model saved is a model and nothing else"
else
  fail "with standard output closed, the model saved is a model and nothing else"
fi

# Where output works, nothing changes: one line per image, exit 0.
run 30 classify "$PNG/seven-grey.png"
if [ "$status" -eq 0 ] && [ "$(wc -l <"$out")" -eq 1 ] && [ ! -s "$err" ]; then
  pass "classify to a file still exits 0 with its line and a quiet stderr"
else
  fail "classify to a file still exits 0 with its line and a quiet stderr"
fi

finish
