#!/usr/bin/env bash
# bench/memory-limits.sh — peak memory of the largest inputs backprop-cli accepts, against the
# limits the code states
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: bench/memory-limits.sh [BUILD_DIR] [LIMIT]
#
# Under the memory limit LIMIT (BACKPROP_MEMORY_LIMIT, default 1G: see src/engine/bp-memory.h;
# it keeps the run small on a shared machine, and the code's own limit on this machine is
# printed too), it finds and measures, with GNU time's peak resident set size:
#   - the largest model file accepted: a 784-H-10 model saved by backprop-cli, H chosen so that
#     the file comes near the 256 MiB that model files may have, loaded by `classify --model`;
#   - the largest IDX set accepted: gzip-compressed training images of as many 28×28 images as
#     the limit lets the loader hold (its estimate: the payload twice), loaded by `train`;
#   - the biggest network accepted: the widest 784-H-10 that `train --save` agrees to train,
#     found by asking it (the check comes before the data is loaded), then trained for one
#     epoch on 10 images and saved.
# It prints one line per case: what, its size, the limits, the code's estimate of the large
# buffers (which the limit bounds; the program's own few MiB come on top), the peak RSS; and
# the refusal of the next size up. It takes a minute or two and needs a few hundred MB of disk
# in $TMPDIR.
set -euo pipefail

BUILD=${1:-_build}
LIMIT=${2:-1G}
CLI=${BACKPROP_CLI:-$BUILD/src/cli/backprop-cli}
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PNG=$SRC/tests/data/png/seven-grey.png
[ -x "$CLI" ] || { echo "memory-limits: no backprop-cli at $CLI (build first)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "memory-limits: needs GNU time (/usr/bin/time, Debian's time)" >&2; exit 2; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export BACKPROP_MEMORY_LIMIT=$LIMIT

be32 ()
{
  local v=$1
  printf "\\x$(printf %02x $(((v >> 24) & 255)))\\x$(printf %02x $(((v >> 16) & 255)))"
  printf "\\x$(printf %02x $(((v >> 8) & 255)))\\x$(printf %02x $((v & 255)))"
}

# peak ARGS…: the peak RSS of the tool in MiB (GNU time's %M is in KiB) in $p, the run's status
# in $status.
peak ()
{
  set +e
  /usr/bin/time -o "$WORK/time" -f '%M' "$CLI" "$@" >"$WORK/out" 2>"$WORK/err" </dev/null
  status=$?
  set -e
  p=$(( $(tail -n 1 "$WORK/time") / 1024 ))
}

mib ()
{
  echo $(( $1 / 1048576 ))
}

# The limits as the code states them: its own on this machine (a refusal's message says it),
# and the one in force here.
set +e
machine=$(env -u BACKPROP_MEMORY_LIMIT "$CLI" train --layers 784,65536,65536,10 --data-dir "$WORK/none" 2>&1 |
          sed -n 's/.*more than the \(.*\)$/\1/p')
set -e
echo "memory limit in force: BACKPROP_MEMORY_LIMIT=$LIMIT; this machine's own: ${machine:-unknown}"
printf '%-44s %-36s %-30s %-12s %s\n' "case" "size" "limits" "estimate" "peak RSS"

# A small data folder: 20 random images to train on, 20 to test.
DATA=$WORK/data
mkdir -p "$DATA"
for set in train t10k; do
  { printf '\x00\x00\x08\x03'; be32 20; be32 28; be32 28; head -c $((20 * 784)) /dev/urandom; } \
    >"$DATA/$set-images-idx3-ubyte"
  { printf '\x00\x00\x08\x01'; be32 20; head -c 20 /dev/zero; } >"$DATA/$set-labels-idx1-ubyte"
done

# ── The largest model file: 784-H-10 near 256 MiB of text ──
# A saved weight takes about 12 bytes: H = 28000 gives some 250 MiB, just under the loader's
# limit of 256 MiB (a narrower network is tried if it comes out over).
H=28000
while :; do
  "$CLI" train --data-dir "$DATA" --layers 784,$H,10 --epochs 1 --save "$WORK/model.json" \
    >/dev/null 2>"$WORK/err" || { cat "$WORK/err" >&2; exit 1; }
  size=$(stat -c %s "$WORK/model.json")
  [ "$size" -le $((256 << 20)) ] && break
  H=$((H - 500))
done
peak classify --model "$WORK/model.json" "$PNG"
[ "$status" -eq 0 ] || { cat "$WORK/err" >&2; exit 1; }
numbers=$((784 * H + 11 * H + 10))
# The loader's estimates: the text, then the packed numbers and the network they go into (8
# bytes a number) and json-glib's tree of the rest (a few thousand nodes, left out here).
printf '%-44s %-36s %-30s %-12s %s MiB\n' "model file 784-$H-10 (classify --model)" \
  "$(mib "$size") MiB of JSON, $numbers numbers" "256 MiB file, $LIMIT memory" \
  "$(mib $((size + 8 * numbers))) MiB" "$p"
rm -f "$WORK/model.json"

# ── The largest IDX set: as many images as the limit lets the loader hold ──
limit_bytes=$(numfmt --from=iec "$LIMIT")
# The loader needs the payload twice, and the rest of the run (the network, the test set) a
# few MiB: 1 MiB of room.
count=$(( (limit_bytes / 2 - 1048576) / 784 ))
[ "$count" -gt $(( (1 << 31) / 784 )) ] && count=$(( (1 << 31) / 784 ))
IDX=$WORK/idx
mkdir -p "$IDX"
cp "$DATA"/t10k-* "$IDX/"
{ printf '\x00\x00\x08\x03'; be32 "$count"; be32 28; be32 28; head -c $((count * 784)) /dev/zero; } |
  gzip -1 >"$IDX/train-images-idx3-ubyte.gz"
{ printf '\x00\x00\x08\x01'; be32 "$count"; head -c "$count" /dev/zero; } >"$IDX/train-labels-idx1-ubyte"
peak train --data-dir "$IDX" --layers 784,10,10 --epochs 1 --train-size 10
[ "$status" -eq 0 ] || { cat "$WORK/err" >&2; exit 1; }
printf '%-44s %-36s %-30s %-12s %s MiB\n' "IDX set of $count images (train)" \
  "$(mib $((count * 784))) MiB of pixels, $(( $(stat -c %s "$IDX/train-images-idx3-ubyte.gz") / 1024 )) KiB gzip" \
  "2 GiB payload, $LIMIT memory" "$(mib $((2 * count * 784))) MiB" "$p"
# One image more than the estimate allows is refused by the header.
{ printf '\x00\x00\x08\x03'; be32 $((count + 1400)); be32 28; be32 28; } | gzip -1 >"$IDX/train-images-idx3-ubyte.gz"
set +e
"$CLI" train --data-dir "$IDX" --epochs 1 --train-size 10 >/dev/null 2>"$WORK/err"
set -e
printf '  %-42s %s\n' "with 1400 images more:" "$(sed 's/^backprop-cli: //' "$WORK/err" | head -n 1)"
rm -rf "$IDX"

# ── The biggest network: the widest 784-H-10 `train --save` accepts ──
accepted ()
{
  local said
  # The memory check comes before the data is loaded: a missing folder is the answer "yes".
  said=$("$CLI" train --layers "784,$1,10" --save "$WORK/net.json" --data-dir "$WORK/none" 2>&1 || true)
  case $said in
    *"more than the"*) return 1 ;;
    *) return 0 ;;
  esac
}
lo=1
hi=65536
if accepted $hi; then
  lo=$hi
else
  while [ $((hi - lo)) -gt 1 ]; do
    mid=$(((lo + hi) / 2))
    if accepted $mid; then lo=$mid; else hi=$mid; fi
  done
fi
peak train --data-dir "$DATA" --layers "784,$lo,10" --epochs 1 --train-size 10 --save "$WORK/net.json"
[ "$status" -eq 0 ] || { cat "$WORK/err" >&2; exit 1; }
params=$((784 * lo + lo + 10 * lo + 10))
# The trainer's estimate (four buffers of the parameters, the mini-batch's) and the model file's
# text (16 bytes a number).
printf '%-44s %-36s %-30s %-12s %s MiB\n' "network 784-$lo-10 (train --save, 1 epoch)" \
  "$params parameters" "$LIMIT memory" "$(mib $((32 * params))) MiB" "$p"
set +e
"$CLI" train --layers "784,$((lo + 1)),10" --save "$WORK/net.json" --data-dir "$WORK/none" \
  >/dev/null 2>"$WORK/err"
set -e
printf '  %-42s %s\n' "784-$((lo + 1))-10:" "$(sed 's/^backprop-cli: //' "$WORK/err" | head -n 1)"
