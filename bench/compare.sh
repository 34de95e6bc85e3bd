#!/usr/bin/env bash
# bench/compare.sh — backprop-cli bench against PyTorch and network.py-style NumPy, side by side
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: bench/compare.sh [--epochs N] [--data-dir DIR] [--no-autograd] [--no-numpy]
#
# Runs, one after the other and each on one thread (OMP_NUM_THREADS=1):
#   1. backprop-cli bench (from $BACKPROP_CLI, or _build, set up with build-aux/backprop-dev),
#   2. bench/pytorch_reference.py --mode matmul (a hand-written loop of matrix products),
#   3. bench/pytorch_reference.py --mode autograd (nn.Linear, autograd, manual SGD),
#   4. bench/pytorch_reference.py --mode optim (the tutorial loop: nn.MSELoss, torch.optim.SGD),
#   5. bench/numpy_reference.py (network.py's per-example backprop, part of an epoch, scaled),
# then prints a table of seconds per epoch and, for each reference, the ratio
# reference seconds / backprop-cli seconds (above 1: backprop-cli is faster).
#
# PyTorch is installed here, for benchmarking only (python3-torch is large, so it is not in
# build-aux/install-deps.sh).
set -euo pipefail

SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
epochs=3
data_dir=
run_autograd=true
run_numpy=true

while [ $# -gt 0 ]; do
  case $1 in
    --epochs) epochs=$2; shift 2 ;;
    --epochs=*) epochs=${1#*=}; shift ;;
    --data-dir) data_dir=$2; shift 2 ;;
    --data-dir=*) data_dir=${1#*=}; shift ;;
    --no-autograd) run_autograd=false; shift ;;
    --no-numpy) run_numpy=false; shift ;;
    -h | --help) sed -n '4,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "compare.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

# ── Bench-only set-up ───────────────────────────────────────────────────────────────────────
# Debian's python3-torch and python3-numpy live in /usr/bin/python3's path; a python3 found
# first on PATH (pyenv, a virtualenv) would not see them.
PYTHON=${PYTHON:-/usr/bin/python3}
if ! "$PYTHON" -c 'import numpy, torch' 2>/dev/null; then
  echo "compare.sh: installing python3-torch and python3-numpy for the benchmark" >&2
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
if [ -z "${BACKPROP_CLI:-}" ]; then
  # Packages, MNIST and an up-to-date _build, exactly as for development.
  "$SRCDIR/build-aux/backprop-dev" setup >&2
fi
if [ ! -x "$CLI" ]; then
  echo "compare.sh: $CLI is missing; build the project first (build-aux/backprop-dev setup)" >&2
  exit 1
fi

data_args=()
if [ -n "$data_dir" ]; then
  data_args=(--data-dir "$data_dir")
fi

# One thread everywhere: the comparison is of kernels, not of how many cores each can use.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)

echo "== backprop-cli bench" >&2
"$CLI" bench --only dense --epochs "$epochs" "${data_args[@]}" 2>"$tmp/ours.err" | tee "$tmp/ours" >&2
cat "$tmp/ours.err" >&2
echo "== PyTorch, hand-written matrix products" >&2
"$PYTHON" "$SRCDIR/bench/pytorch_reference.py" --mode matmul --epochs "$epochs" "${data_args[@]}" |
  tee "$tmp/matmul" >&2
columns=("$tmp/matmul")
titles=("PyTorch matmul")
if $run_autograd; then
  echo "== PyTorch, nn.Linear and autograd" >&2
  "$PYTHON" "$SRCDIR/bench/pytorch_reference.py" --mode autograd --epochs "$epochs" \
    "${data_args[@]}" | tee "$tmp/autograd" >&2
  columns+=("$tmp/autograd")
  titles+=("PyTorch autograd")
  echo "== PyTorch, the tutorial loop (nn.MSELoss, torch.optim.SGD)" >&2
  "$PYTHON" "$SRCDIR/bench/pytorch_reference.py" --mode optim --epochs "$epochs" \
    "${data_args[@]}" | tee "$tmp/optim" >&2
  columns+=("$tmp/optim")
  titles+=("PyTorch optim")
fi
if $run_numpy; then
  echo "== network.py-style NumPy (extrapolated)" >&2
  "$PYTHON" "$SRCDIR/bench/numpy_reference.py" "${data_args[@]}" | tee "$tmp/numpy" >&2
  columns+=("$tmp/numpy")
  titles+=("network.py NumPy*")
fi

echo "CPU: ${cpu:-unknown}; one thread each; $epochs timed epochs after one warm-up, median"
sed -n '1s/^backprop-cli: /backprop-cli /p' "$tmp/ours.err"
echo

# The table: one row per configuration, seconds per epoch and the ratio to backprop-cli.
seconds_of ()
{
  awk -v layers="$2" -v batch="$3" \
    '$1 == "bench" && $2 == layers && $4 == batch { print $6; exit }' "$1"
}

header=$(printf '%-22s %14s' "configuration" "backprop-cli")
for title in "${titles[@]}"; do
  header+=$(printf ' %18s %7s' "$title" "ratio")
done
echo "$header"
echo "${header//?/-}"

while read -r _ layers _ batch _ ours _; do
  row=$(printf '%-22s %12s s' "$layers batch $batch" "$ours")
  for column in "${columns[@]}"; do
    theirs=$(seconds_of "$column" "$layers" "$batch")
    if [ -n "$theirs" ]; then
      ratio=$(awk -v a="$theirs" -v b="$ours" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
      row+=$(printf ' %16s s %6sx' "$theirs" "$ratio")
    else
      row+=$(printf ' %18s %7s' "-" "-")
    fi
  done
  echo "$row"
done <"$tmp/ours"

echo
echo "seconds = one training pass over 50,000 images (shuffle, mini-batches, forward, backward,"
echo "update; no evaluation). ratio = reference seconds / backprop-cli seconds."
if $run_numpy; then
  echo "* network.py's algorithm (per-example backprop, float64) timed on part of an epoch and"
  echo "  scaled to 50,000 images; see bench/numpy_reference.py."
fi
