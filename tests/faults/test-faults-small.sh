#!/usr/bin/env bash
# tests/faults/test-faults-small.sh — the smaller faults: outputs that are not finite, libpng's
# real problems, pictures wider than 32,767 pixels, file names with a newline, --monitor-every
# 0, a --train-size larger than the data, hexadecimal numbers and two documents in a model file
# SPDX-License-Identifier: GPL-3.0-or-later

. "$(dirname "$0")/lib.sh"

S=$WORK/small
mkdir -p "$S"
PNG=$TEST_DATA/png

# ── Finite but huge weights: a softmax of +∞ outputs is NaN ──
row="[$(printf '1e38,%.0s' $(seq 783))1e38]"
{
  printf '{"sizes": [784, 10], "cost": "CrossEntropyCost", "backprop_cost": "log-likelihood",'
  printf ' "output": "softmax", "weights": [[%s' "$row"
  for i in $(seq 9); do printf ',%s' "$row"; done
  printf ']], "biases": [[[0],[0],[0],[0],[0],[0],[0],[0],[0],[0]]]}\n'
} >"$S/huge-weights.json"
run 30 classify --model "$S/huge-weights.json" "$PNG/seven-grey.png"
if [ "$status" -eq 1 ] && [ ! -s "$out" ] && said 'seven-grey.png: .*outputs that are not finite'; then
  pass "a model whose outputs overflow prints no NaN line, says so and exits 1"
else
  fail "a model whose outputs overflow prints no NaN line, says so and exits 1"
fi

# ── libpng's problems by their names ──
run 30 classify "$PNG/bad-crc.png" "$PNG/truncated.png"
if [ "$status" -eq 1 ] && said 'bad-crc.png: .*checksum \(CRC\)' &&
   said 'truncated.png: .*truncated' && ! said 'out of memory'; then
  pass "a bad CRC and a truncated file are named as such, not as 'out of memory'"
else
  fail "a bad CRC and a truncated file are named as such, not as 'out of memory'"
fi

# ── Wider than 32,767 pixels ──
run 30 classify "$PNG/wide-one.png"
if [ "$status" -eq 0 ] && grep -Eq '^.*wide-one\.png 1 ' "$out"; then
  pass "a 40000×28 picture is decoded and read as the 1 on it"
else
  fail "a 40000×28 picture is decoded and read as the 1 on it"
fi

# ── A newline (and a backslash) in a file name ──
cp "$PNG/seven-grey.png" "$S/two
lines.png"
cp "$PNG/seven-grey.png" "$S/back\\slash.png"
run 30 classify "$S/two
lines.png" "$S/back\\slash.png"
if [ "$status" -eq 0 ] && [ "$(wc -l <"$out")" -eq 2 ] && grep -q 'two\\nlines\.png 7 ' "$out" &&
   grep -q 'back\\\\slash\.png 7 ' "$out"; then
  pass "a newline and a backslash in a name are escaped: one line per image"
else
  fail "a newline and a backslash in a name are escaped: one line per image"
fi

# ── --monitor-every 0 ──
run 20 train --data-dir "$DATA" --epochs 1 --monitor-every 0
if [ "$status" -eq 2 ] && said 'monitor-every'; then
  pass "--monitor-every 0 is a usage error"
else
  fail "--monitor-every 0 is a usage error"
fi

# ── Fewer images than --train-size asks for ──
run 60 train --data-dir "$DATA" --epochs 1 --train-size 500
if [ "$status" -eq 0 ] && said '--train-size 500: the training set has only 200 images'; then
  pass "a --train-size beyond the training set says how many images there are"
else
  fail "a --train-size beyond the training set says how many images there are"
fi

# ── What network2.py (Python's json) refuses ──
make_model "$S/model.json" || { echo "Bail out! cannot train the small model"; exit 1; }
sed '0,/"sizes": \[784/s//"sizes": [0x310/' "$S/model.json" >"$S/hex.json"
run 30 classify --model "$S/hex.json" "$PNG/seven-grey.png"
if [ "$status" -eq 1 ] && said 'hex.json: [0-9]+:[0-9]+: 0x310: hexadecimal numbers are not JSON'; then
  pass "a hexadecimal number in a model file is refused, with its place"
else
  fail "a hexadecimal number in a model file is refused, with its place"
fi
cat "$S/model.json" "$S/model.json" >"$S/two.json"
run 30 classify --model "$S/two.json" "$PNG/seven-grey.png"
if [ "$status" -eq 1 ] && said 'two.json: [0-9]+:[0-9]+: more data after the end of the JSON document'; then
  pass "two concatenated JSON documents are refused as a model"
else
  fail "two concatenated JSON documents are refused as a model"
fi
run 30 classify --model "$S/model.json" "$PNG/seven-grey.png"
if [ "$status" -eq 0 ] && grep -q 'seven-grey.png ' "$out"; then
  pass "…and the model itself still loads"
else
  fail "…and the model itself still loads"
fi

finish
