#!/usr/bin/env bash
# tests/faults/test-faults-divergence.sh — a failed run does not destroy the last good model: a
# run that diverges, or is stopped, in its first epoch leaves an existing --save file and the
# CSV's rows as they were; one that diverges later saves the last good epoch
# SPDX-License-Identifier: GPL-3.0-or-later

. "$(dirname "$0")/lib.sh"

D=$WORK/diverge
mkdir -p "$D"
run 60 train --data-dir "$DATA" --epochs 2 --save "$D/model.json" --csv "$D/run.csv"
if [ "$status" -ne 0 ] || [ "$(wc -l <"$D/run.csv")" -ne 3 ]; then
  echo "Bail out! cannot train the first model"
  exit 1
fi
cp "$D/model.json" "$D/model.good"
cp "$D/run.csv" "$D/run.good"

# With η = 1000 and λ = 1000 on 200 images, weight decay multiplies every weight by
# 1 − ηλ/n = −4999 per mini-batch: the network overflows within the first epoch.
run 60 train --data-dir "$DATA" --epochs 2 --eta 1000 --lambda 1000 \
  --save "$D/model.json" --csv "$D/run.csv"
if [ "$status" -eq 1 ] && said 'diverged'; then
  pass "a run that diverges in its first epoch exits 1 saying so"
else
  fail "a run that diverges in its first epoch exits 1 saying so"
fi
if cmp -s "$D/model.json" "$D/model.good" && said 'model.json: not saved over'; then
  pass "…the model file it would have replaced is untouched, and it says so"
else
  fail "…the model file it would have replaced is untouched, and it says so"
fi
if cmp -s "$D/run.csv" "$D/run.good"; then
  pass "…and the CSV keeps its rows"
else
  fail "…and the CSV keeps its rows" "run.csv: $(head -c 300 "$D/run.csv")"
fi

# Continuing the good model and diverging: the loaded network is no better kept by overwriting
# it with itself, and its history must not be cut either.
run 60 train --data-dir "$DATA" --load "$D/model.json" --epochs 1 --eta 1000 --lambda 1000 \
  --save "$D/model.json" --csv "$D/run.csv"
if [ "$status" -eq 1 ] && cmp -s "$D/model.json" "$D/model.good" && cmp -s "$D/run.csv" "$D/run.good"; then
  pass "a run continuing a model that diverges at once leaves its model and CSV as they were"
else
  fail "a run continuing a model that diverges at once leaves its model and CSV as they were"
fi

# A new file is still written: the network it gets is the last good one, here the untrained
# start, and the model loader's checks prove it finite.
run 60 train --data-dir "$DATA" --epochs 2 --eta 1000 --lambda 1000 --save "$D/new.json"
if [ "$status" -eq 1 ] && [ -f "$D/new.json" ] && run 20 eval --model "$D/new.json" --data-dir "$DATA" &&
   [ "$status" -eq 0 ]; then
  pass "a diverging run still writes a --save file that did not exist, with a finite model"
else
  fail "a diverging run still writes a --save file that did not exist, with a finite model"
fi

# Stopped in its first epoch: a network big enough that one epoch of the small data takes
# seconds, Ctrl+C as soon as training starts.
cp "$D/model.good" "$D/slow.json"
"$CLI" train --data-dir "$DATA" --layers 784,1500,1500,10 --epochs 5 --save "$D/slow.json" \
  >"$out" 2>"$err" </dev/null &
pid=$!
for _ in $(seq 600); do
  grep -q '^backprop-cli: train ' "$err" 2>/dev/null && break
  sleep 0.05
done
kill -INT "$pid" 2>/dev/null
timeout 60 tail --pid="$pid" -f /dev/null
wait "$pid"
status=$?
if [ "$status" -eq 130 ] && ! grep -q '^epoch 1 ' "$out" && cmp -s "$D/slow.json" "$D/model.good"; then
  pass "a run interrupted in its first epoch exits 130 and leaves the existing model as it was"
elif grep -q '^epoch 1 ' "$out"; then
  skip "a run interrupted in its first epoch (the machine finished the epoch before the signal)"
else
  fail "a run interrupted in its first epoch exits 130 and leaves the existing model as it was"
fi

finish
