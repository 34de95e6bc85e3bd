#!/usr/bin/env bash
# tests/faults/test-faults-reads.sh — reads that end: a FIFO given as an IDX file, a model
# (--load, --model) or a PNG fails at once, and classify reads the files after it; /dev/zero
# behind a .png name is refused; a 1 GB file that is not a PNG costs its signature
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Every command runs under a time limit of 10 seconds: before the fix each of them blocked for
# ever (a FIFO with no writer) or read until memory ran out.

. "$(dirname "$0")/lib.sh"

R=$WORK/reads
mkdir -p "$R"
make_model "$WORK/model.json" || { echo "Bail out! cannot train the small model"; exit 1; }
PNG=$TEST_DATA/png

# ── A FIFO as an IDX file ──
mkdir -p "$R/fifo-data"
cp "$DATA"/* "$R/fifo-data/"
rm "$R/fifo-data/train-images-idx3-ubyte"
mkfifo "$R/fifo-data/train-images-idx3-ubyte"
run 10 train --data-dir "$R/fifo-data" --epochs 1
if [ "$status" -eq 1 ] && said 'train-images-idx3-ubyte: cannot open: it is a FIFO'; then
  pass "a FIFO as an IDX file fails at once, naming it"
else
  fail "a FIFO as an IDX file fails at once, naming it"
fi

# ── A FIFO as a model ──
mkfifo "$R/model-fifo.json"
run 10 train --data-dir "$DATA" --epochs 1 --load "$R/model-fifo.json"
if [ "$status" -eq 1 ] && said 'model-fifo.json: is a FIFO \(named pipe\), not a model file'; then
  pass "train --load of a FIFO fails at once, naming it"
else
  fail "train --load of a FIFO fails at once, naming it"
fi
run 10 eval --model "$R/model-fifo.json" --data-dir "$DATA"
if [ "$status" -eq 1 ] && said 'model-fifo.json: is a FIFO'; then
  pass "eval --model of a FIFO fails at once"
else
  fail "eval --model of a FIFO fails at once"
fi
run 10 classify --model "$R/model-fifo.json" "$PNG/seven-grey.png"
if [ "$status" -eq 1 ] && said 'model-fifo.json: is a FIFO'; then
  pass "classify --model of a FIFO fails at once"
else
  fail "classify --model of a FIFO fails at once"
fi
run 10 eval --model /dev/zero --data-dir "$DATA"
if [ "$status" -eq 1 ] && said '/dev/zero: is a character device, not a model file'; then
  pass "eval --model /dev/zero fails at once"
else
  fail "eval --model /dev/zero fails at once"
fi

# ── A FIFO, /dev/zero and a huge non-PNG among pictures: the others are still read ──
mkfifo "$R/pipe.png"
ln -s /dev/zero "$R/zero.png"
truncate -s 1G "$R/big.png"
run 10 classify "$R/pipe.png" "$PNG/seven-grey.png" "$R/zero.png" "$PNG/three-light-on-dark.png" "$R/big.png"
if [ "$status" -eq 1 ] && said 'pipe.png: cannot open: it is a FIFO'; then
  pass "classify refuses a FIFO picture at once"
else
  fail "classify refuses a FIFO picture at once"
fi
if said 'zero.png: cannot open: it is a character device'; then
  pass "classify refuses /dev/zero behind a .png name"
else
  fail "classify refuses /dev/zero behind a .png name"
fi
if said 'big.png: not a PNG file'; then
  pass "classify refuses a 1 GB file that is not a PNG by its signature"
else
  fail "classify refuses a 1 GB file that is not a PNG by its signature"
fi
if [ "$(wc -l <"$out")" -eq 2 ] && grep -q "seven-grey.png 7 " "$out" &&
   grep -q "three-light-on-dark.png 3 " "$out"; then
  pass "…and the pictures after each of them are classified"
else
  fail "…and the pictures after each of them are classified"
fi

# The huge file costs its signature, not its size: time it alone.
if sanitized; then
  skip "a 1 GB non-PNG is refused in a fraction of its reading time (sanitizer build)"
else
  start=$(date +%s%N)
  run 10 classify "$R/big.png"
  elapsed=$((($(date +%s%N) - start) / 1000000))
  if [ "$status" -eq 1 ] && [ "$elapsed" -lt 2000 ]; then
    pass "a 1 GB non-PNG is refused in ${elapsed} ms"
  else
    fail "a 1 GB non-PNG is refused in under 2 s" "took ${elapsed} ms"
  fi
fi

# Headers before bodies: a PNG whose header claims 40000×40000 pixels is refused by that claim,
# and one cut short says it is truncated.
run 10 classify "$PNG/huge-claim.png" "$PNG/truncated.png"
if [ "$status" -eq 1 ] && said 'huge-claim.png: the image is 40000×40000 pixels' &&
   said 'truncated.png: a damaged PNG file: it is truncated'; then
  pass "a header's size claim is checked before decoding, and a cut file is called truncated"
else
  fail "a header's size claim is checked before decoding, and a cut file is called truncated"
fi

finish
