#!/usr/bin/env bash
# tests/faults/test-faults-memory.sh — memory bounded by the input and by the machine: a network
# too large to train, an IDX header that promises too much and a model file too large for the
# limit are refused before anything of that size is allocated, with a message naming the size
# and the limit; a model file of small numbers costs a small multiple of its size
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The limit is that of src/engine/bp-memory.h; BACKPROP_MEMORY_LIMIT lowers it, so these cases
# do not depend on the machine's memory.

. "$(dirname "$0")/lib.sh"

M=$WORK/memory
mkdir -p "$M"
limit_message='needs [0-9.]+ (bytes|KiB|MiB|GiB|TiB), more than the [0-9.]+ (bytes|KiB|MiB|GiB) limit \('

# ── A network too large for the machine: refused before it is made ──
# (It needs 65 GiB: on a machine with more than 80 GiB the limit is set below it.)
machine_kib=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo 2>/dev/null || echo 0)
if [ "${machine_kib:-0}" -gt $((80 * 1024 * 1024)) ]; then
  export BACKPROP_MEMORY_LIMIT=16G
fi
start=$(date +%s%N)
run 20 train --data-dir "$DATA" --layers 784,65536,65536,10 --epochs 1
unset BACKPROP_MEMORY_LIMIT
elapsed=$((($(date +%s%N) - start) / 1000000))
if [ "$status" -eq 1 ] && said "training a 784-65536-65536-10 network $limit_message" &&
   [ "$elapsed" -lt 10000 ]; then
  pass "--layers 784,65536,65536,10 is refused at once, naming the bytes it needs and the limit"
else
  fail "--layers 784,65536,65536,10 is refused at once, naming the bytes it needs and the limit" \
    "took ${elapsed} ms"
fi
BACKPROP_MEMORY_LIMIT=64M run 20 train --data-dir "$DATA" --layers 784,8192,10 --epochs 1 --save "$M/n.json"
if [ "$status" -eq 1 ] && said "training a 784-8192-10 network and saving it $limit_message" &&
   said 'BACKPROP_MEMORY_LIMIT=64 MiB' && [ ! -e "$M/n.json" ]; then
  pass "under a 64 MiB limit a 784-8192-10 network is refused before training"
else
  fail "under a 64 MiB limit a 784-8192-10 network is refused before training"
fi

# ── An IDX header that promises more than the limit: refused before inflating ──
mkdir -p "$M/bomb"
cp "$DATA"/t10k-* "$DATA"/train-labels-idx1-ubyte "$M/bomb/"
{ printf '\x00\x00\x08\x03'; be32 200000; be32 28; be32 28; head -c 1048576 /dev/zero; } |
  gzip -1 >"$M/bomb/train-images-idx3-ubyte.gz"
BACKPROP_MEMORY_LIMIT=64M run 20 train --data-dir "$M/bomb" --epochs 1
if [ "$status" -eq 1 ] &&
   said "train-images-idx3-ubyte.gz: loading its 200000×28×28 pixel bytes $limit_message"; then
  pass "an IDX header promising 150 MiB of images is refused by its header under a 64 MiB limit"
else
  fail "an IDX header promising 150 MiB of images is refused by its header under a 64 MiB limit"
fi

# ── A model file of small numbers ──
# 784-2000-10 written with one-character numbers: 3.2 MB of text, 1.6 million numbers.
small=$M/small-numbers.json
{
  printf '{"sizes": [784, 2000, 10], "cost": "CrossEntropyCost", "weights": [['
  row784="[$(printf '0,%.0s' $(seq 783))0]"
  row2000="[$(printf '0,%.0s' $(seq 1999))0]"
  for i in $(seq 2000); do [ "$i" -gt 1 ] && printf ','; printf '%s' "$row784"; done
  printf '], ['
  for i in $(seq 10); do [ "$i" -gt 1 ] && printf ','; printf '%s' "$row2000"; done
  printf ']], "biases": [[%s], [%s]]}\n' "$(printf '[0],%.0s' $(seq 1999))[0]" "$(printf '[0],%.0s' $(seq 9))[0]"
} >"$small"
size_kib=$(( $(stat -c %s "$small") / 1024 ))
if [ ! -x /usr/bin/time ] || sanitized; then
  skip "a model file of small numbers costs a small multiple of its size (no GNU time, or a sanitizer build)"
else
  # Against the tool doing nothing: the text, its numbers packed as floats (4 bytes for each
  # 2 bytes of "0,"), and the network they go into. json-glib's tree cost some 45 times.
  peak_kib --version
  base_kib=$peak
  peak_kib classify --model "$small" "$TEST_DATA/png/seven-grey.png"
  if [ "$status" -eq 0 ] && [ $((peak - base_kib)) -lt $((6 * size_kib)) ]; then
    pass "a ${size_kib} KiB model of small numbers costs $((peak - base_kib)) KiB to load (under 6 times its size)"
  else
    fail "a ${size_kib} KiB model of small numbers costs under 6 times its size to load" \
      "peak ${peak} KiB, ${base_kib} KiB for --version"
  fi
fi
BACKPROP_MEMORY_LIMIT=4M run 20 classify --model "$small" "$TEST_DATA/png/seven-grey.png"
if [ "$status" -eq 1 ] && said "reading .*small-numbers.json $limit_message"; then
  pass "under a 4 MiB limit the same file is refused with a message, not an abort"
else
  fail "under a 4 MiB limit the same file is refused with a message, not an abort"
fi

# Under a real address-space limit (ulimit -v), which a sanitizer's shadow memory cannot live
# with: the limit follows RLIMIT_AS, so the small file loads, and one ten times its size is
# refused with a message (json-glib's tree of either ran out and aborted in GSlice).
big=$M/big-numbers.json
{
  printf '{"sizes": [784, 12800, 10], "cost": "CrossEntropyCost", "weights": [['
  for i in $(seq 12800); do [ "$i" -gt 1 ] && printf ','; printf '%s' "$row784"; done
  printf '], [%s' "[$(printf '0,%.0s' $(seq 12799))0]"
  for i in $(seq 9); do printf ',%s' "[$(printf '0,%.0s' $(seq 12799))0]"; done
  printf ']], "biases": [[%s], [%s]]}\n' "$(printf '[0],%.0s' $(seq 12799))[0]" "$(printf '[0],%.0s' $(seq 9))[0]"
} >"$big"
if sanitized; then
  skip "under ulimit -v, the small model loads (sanitizer build)"
  skip "under ulimit -v, a model too large is refused with a message (sanitizer build)"
else
  ( ulimit -v 150000; exec timeout 20 "$CLI" classify --model "$small" "$TEST_DATA/png/seven-grey.png" ) \
    >"$out" 2>"$err" </dev/null
  status=$?
  if [ "$status" -eq 0 ]; then
    pass "under ulimit -v 150000 the ${size_kib} KiB model of small numbers loads"
  else
    fail "under ulimit -v 150000 the ${size_kib} KiB model of small numbers loads"
  fi
  ( ulimit -v 150000; exec timeout 20 "$CLI" classify --model "$big" "$TEST_DATA/png/seven-grey.png" ) \
    >"$out" 2>"$err" </dev/null
  status=$?
  if [ "$status" -eq 1 ] && said "reading .*big-numbers.json $limit_message.*RLIMIT_AS"; then
    pass "under ulimit -v 150000 a $(( $(stat -c %s "$big") / 1048576 )) MiB model is refused with a message naming RLIMIT_AS, not an abort"
  else
    fail "under ulimit -v 150000 a model too large is refused with a message naming RLIMIT_AS, not an abort"
  fi
fi

finish
