#!/usr/bin/env bash
# tests/test-digit-folder-cli.sh — `eval --data DIR` and `train --extra-data DIR` on a folder of
# DIGIT/NAME.png pictures made from tests/data/png (bad pictures among them)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Meson runs it with $BACKPROP_CLI and $BACKPROP_TEST_DATA. The training case needs MNIST and is
# skipped without it; the rest use the embedded model.
set -u
export LC_ALL=C

CLI=${BACKPROP_CLI:?BACKPROP_CLI must name the backprop-cli executable}
PNG=${BACKPROP_TEST_DATA:?BACKPROP_TEST_DATA must name tests/data}/png
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0
status=0
out=$tmp/out
err=$tmp/err

pass () { n=$((n + 1)); echo "ok $n - $1"; }
skip () { n=$((n + 1)); echo "ok $n # SKIP $1"; }
fail ()
{
  n=$((n + 1))
  echo "not ok $n - $1"
  echo "# stdout:"; sed 's/^/#   /' "$out"
  echo "# stderr:"; sed 's/^/#   /' "$err"
}
run () { "$CLI" "$@" >"$out" 2>"$err" </dev/null; status=$?; }

d=$tmp/digits
mkdir -p "$d"/{0,1,2,3,4,5,7,9}
cp "$PNG/seven-grey.png" "$d/7/"
cp "$PNG/three-light-on-dark.png" "$d/3/"
cp "$PNG/four-transparent.png" "$d/4/a.png"
cp "$PNG/zero-rgb-paper.png" "$d/0/"
cp "$PNG/blank.png" "$d/5/"
cp "$PNG/not-a-png.png" "$d/1/"
mkfifo "$d/2/fifo.png"
echo hello >"$d/README"

# ── eval --data ─────────────────────────────────────────────────────────────────────────────
run eval --data "$d"
if [ "$status" -eq 0 ] && grep -qx 'data_acc 1.0000 n 4 skipped 3' "$out" \
   && grep -qx 'digit 7 n 1 correct 1' "$out" && grep -qx 'digit 5 n 0 correct 0' "$out" \
   && [ "$(grep -c '^digit ' "$out")" -eq 10 ] && grep -q '^true\\pred' "$out"; then
  pass "eval --data: accuracy, the ten digits' counts, the matrix"
else
  fail "eval --data: accuracy, the ten digits' counts, the matrix"
fi

if [ "$(wc -l <"$err")" -eq 3 ] && grep -q "$d/5/blank.png: skipped: .*no digit" "$err" \
   && grep -q "$d/2/fifo.png: skipped: .*FIFO" "$err" && grep -q "$d/1/not-a-png.png: skipped" "$err"; then
  pass "eval --data: each unusable picture named on one line of stderr (a FIFO does not block)"
else
  fail "eval --data: each unusable picture named on one line of stderr (a FIFO does not block)"
fi

run eval --data "$tmp/missing"
if [ "$status" -eq 1 ] && [ "$(wc -l <"$err")" -eq 1 ] && grep -q "$tmp/missing: No such file" "$err"; then
  pass "eval --data on a missing folder: exit 1, one line naming it"
else
  fail "eval --data on a missing folder: exit 1, one line naming it"
fi

mkdir "$tmp/empty"
run eval --data "$tmp/empty"
if [ "$status" -eq 1 ] && grep -q "no PNG pictures in subfolders 0 to 9" "$err"; then
  pass "eval --data on an empty folder: exit 1"
else
  fail "eval --data on an empty folder: exit 1"
fi

run eval --data "$d/README"
if [ "$status" -eq 1 ] && grep -q "not a folder" "$err"; then
  pass "eval --data on a file: exit 1"
else
  fail "eval --data on a file: exit 1"
fi

run eval --data "$d" --data-dir "$tmp"
if [ "$status" -eq 2 ]; then
  pass "eval --data with --data-dir: usage error"
else
  fail "eval --data with --data-dir: usage error"
fi

# ── train --extra-data ───────────────────────────────────────────────────────────────────────
run train --extra-data "$d" --extra-repeat 0 --train-size 100 --epochs 1
if [ "$status" -eq 2 ] && grep -q -- "--extra-repeat" "$err"; then
  pass "train --extra-repeat 0: usage error"
else
  fail "train --extra-repeat 0: usage error"
fi

data_dir=${BACKPROP_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/backprop/mnist}
if [ ! -e "$data_dir/train-images-idx3-ubyte" ] && [ ! -e "$data_dir/train-images-idx3-ubyte.gz" ]; then
  skip "train --extra-data (no MNIST in $data_dir)"
  skip "train --extra-data --extra-repeat"
  skip "train --extra-data on a missing folder"
else
  run train --extra-data "$d" --train-size 1000 --epochs 1 --save "$tmp/m.json"
  if [ "$status" -eq 0 ] && grep -q -- "--extra-data $d: 4 pictures (3 skipped), each 3 times: 1012 training examples" "$err" \
     && grep -q '^epoch 1 ' "$out"; then
    pass "train --extra-data: 4 pictures, 3 times each (1 % of 1,000), mixed in"
  else
    fail "train --extra-data: 4 pictures, 3 times each (1 % of 1,000), mixed in"
  fi

  run train --extra-data "$d" --extra-repeat 5 --train-size 1000 --epochs 1
  if [ "$status" -eq 0 ] && grep -q "each 5 times: 1020 training examples" "$err"; then
    pass "train --extra-data --extra-repeat 5"
  else
    fail "train --extra-data --extra-repeat 5"
  fi

  run train --extra-data "$tmp/missing" --train-size 1000 --epochs 1
  if [ "$status" -eq 1 ] && grep -q -- "--extra-data: $tmp/missing" "$err" && ! grep -q '^epoch' "$out"; then
    pass "train --extra-data on a missing folder: exit 1 before training"
  else
    fail "train --extra-data on a missing folder: exit 1 before training"
  fi
fi

echo "1..$n"
