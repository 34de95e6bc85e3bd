#!/usr/bin/env bash
# bench/compare-conv.sh — chapter 6's conv nets: backprop-cli bench against PyTorch, side by side
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: bench/compare-conv.sh [--epochs N] [--images N] [--data-dir DIR]
#
# In one run on this machine: `backprop-cli bench --only ch6` (ch6-conv2 and ch6-dropout at
# mini-batches of 10, on one thread and on every core), bench/pytorch_conv.py on the same
# networks, batch and thread counts, and PyTorch's 2048² single-precision matrix product on one
# thread and on every core (the machine's SGEMM rate, which the GFLOP/s are to be read
# against). Prints a table of seconds per epoch with PyTorch's seconds / ours (above 1: ours is
# faster), GFLOP/s, and our speed-up from one thread to all.
#
# --images N times PyTorch on the first N images and scales to 50,000 (its epoch is slow);
# backprop-cli always times the full 50,000. PyTorch (Debian's python3-torch, large) is
# installed here for benchmarking only, as bench/compare.sh does.
set -euo pipefail

SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
epochs=1
images=10000
data_dir=

while [ $# -gt 0 ]; do
  case $1 in
    --epochs) epochs=$2; shift 2 ;;
    --images) images=$2; shift 2 ;;
    --data-dir) data_dir=$2; shift 2 ;;
    -h | --help) sed -n '4,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "compare-conv.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

PYTHON=${PYTHON:-/usr/bin/python3}
if ! "$PYTHON" -c 'import numpy, torch' 2>/dev/null; then
  echo "compare-conv.sh: installing python3-torch and python3-numpy for the benchmark" >&2
  SUDO=
  if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 \
    python3-torch python3-numpy >/dev/null
fi

CLI=${BACKPROP_CLI:-$SRCDIR/_build/src/cli/backprop-cli}
if [ ! -x "$CLI" ]; then
  echo "compare-conv.sh: $CLI is missing; build the project first (build-aux/backprop-dev setup)" >&2
  exit 1
fi
data_args=()
[ -n "$data_dir" ] && data_args=(--data-dir "$data_dir")

all=$(nproc)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)

echo "== backprop-cli bench --only ch6" >&2
"$CLI" bench --only ch6 --epochs "$epochs" "${data_args[@]}" 2>"$tmp/ours.err" | tee "$tmp/ours" >&2
cat "$tmp/ours.err" >&2
for t in 1 "$all"; do
  echo "== pytorch_conv.py --threads $t" >&2
  (cd "$SRCDIR/bench" && OMP_NUM_THREADS=$t "$PYTHON" pytorch_conv.py --threads "$t" \
     --epochs "$epochs" --images "$images" --sgemm "${data_args[@]}") | tee -a "$tmp/torch" >&2
done

field ()  # FILE NET THREADS FIELD
{
  awk -v net="$2" -v t="$3" -v f="$4" \
    '$1 == "bench" && $2 == net && $6 == t { for (i = 1; i < NF; i++) if ($i == f) print $(i + 1) }' "$1"
}

echo
echo "Chapter 6 at mini-batch 10 on $cpu ($all cores); seconds per epoch of 50,000 images"
echo
echo "| network | threads | backprop-cli s | GFLOP/s | PyTorch s | GFLOP/s | PyTorch / ours |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
for net in ch6-conv2 ch6-dropout; do
  for t in 1 "$all"; do
    ours=$(field "$tmp/ours" "$net" "$t" seconds_per_epoch)
    ours_g=$(field "$tmp/ours" "$net" "$t" gflops)
    torch_s=$(field "$tmp/torch" "$net" "$t" seconds_per_epoch)
    torch_g=$(field "$tmp/torch" "$net" "$t" gflops)
    ratio=$(awk -v a="$torch_s" -v b="$ours" 'BEGIN { if (b > 0) printf "%.2f×", a / b }')
    echo "| $net | $t | $ours | $ours_g | $torch_s | $torch_g | $ratio |"
  done
  one=$(field "$tmp/ours" "$net" 1 seconds_per_epoch)
  many=$(field "$tmp/ours" "$net" "$all" seconds_per_epoch)
  awk -v a="$one" -v b="$many" -v n="$net" -v t="$all" \
    'BEGIN { if (b > 0) printf "\n%s: backprop-cli on %d threads is %.2f× its one-thread speed\n", n, t, a / b }' >&2
done
echo
awk '$1 == "sgemm" { printf "SGEMM (PyTorch, 2048²): %s GFLOP/s on %s thread(s)\n", $7, $5 }' "$tmp/torch"
