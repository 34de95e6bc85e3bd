#!/usr/bin/env bash
# tests/app/compare-speed.sh — training speed of the app against backprop-cli, and the app's frame
# times while it trains (a measurement, not a test: its figures depend on the machine's load)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: xvfb-run -a -s '-screen 0 1280x1024x24' tests/app/compare-speed.sh BUILD_DIR [PAIRS]
#
# For the book's chapter-1 network (ch1-30, 15 epochs) and chapter-3 784-100-10 network
# (ch3-100, 8 epochs), runs `backprop-cli train` and the app (Space to start, until the run
# stops) in alternating order, PAIRS times each (default 3), and prints per run the mean
# training pass per epoch (the engine's own "seconds"), the wall-clock time between epoch lines
# (training plus the end-of-epoch evaluation), and the app's p95 frame time while training.
set -euo pipefail

BUILD=$(cd "${1:?usage: compare-speed.sh BUILD_DIR [PAIRS]}" && pwd)
PAIRS=${2:-3}
CLI=$BUILD/src/cli/backprop-cli
APP=$BUILD/src/app/backprop
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

# Prefix each line of stdin with a monotonic time stamp.
stamp ()
{
  python3 -u -c 'import sys, time
for line in sys.stdin:
    print(f"{time.monotonic():.4f} {line.rstrip()}", flush=True)'
}

# summarise FILE FIELD: mean of the epoch lines' FIELD (the seconds) and the wall time per epoch.
summarise ()
{
  python3 - "$1" "$2" <<'EOF'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.split()[1:2] == ["epoch"]]
f = int(sys.argv[2])
t = [float(r[0]) for r in rows]
s = [float(r[f]) for r in rows]
print(f"train pass {sum(s) / len(s):.4f} s/epoch, wall {(t[-1] - t[0]) / (len(t) - 1):.4f} s/epoch")
EOF
}

run_cli ()
{
  local epochs=$1
  shift
  "$CLI" train --epochs "$epochs" "$@" 2>/dev/null | stamp >"$OUT/cli"
  echo "  cli: $(summarise "$OUT/cli" 12)"
}

run_app ()
{
  local preset=$1 epochs=$2 pid wid
  env GSK_RENDERER=cairo GDK_DEBUG=gl-disable GTK_A11Y=none GSETTINGS_BACKEND=memory \
      GSETTINGS_SCHEMA_DIR="$BUILD/data" BACKPROP_TEST_EVENTS=1 BACKPROP_PRESET="$preset" \
      BACKPROP_EPOCHS="$epochs" "$APP" 2>/dev/null | stamp >"$OUT/app" &
  pid=$!
  until grep -q ' ready$' "$OUT/app" 2>/dev/null; do sleep 0.1; done
  wid=$(xdotool search --sync --onlyvisible --name '^Backprop$' | head -n 1)
  xdotool windowfocus --sync "$wid"
  xdotool key space
  until grep -q ' state stopped$' "$OUT/app"; do sleep 0.05; done
  xdotool key ctrl+w
  wait "$pid"
  echo "  app: $(summarise "$OUT/app" 10), p95 frame while training $(grep -o 'frame-stats-running p50 [0-9.]* p95 [0-9.]*' "$OUT/app" | awk '{print $5}') ms"
}

compare ()
{
  local preset=$1 epochs=$2
  shift 2
  echo "$preset, $epochs epochs:"
  for i in $(seq "$PAIRS"); do
    if [ $((i % 2)) -eq 1 ]; then
      run_cli "$epochs" "$@"
      run_app "$preset" "$epochs"
    else
      run_app "$preset" "$epochs"
      run_cli "$epochs" "$@"
    fi
  done
}

compare ch1-30 15 --layers 784,30,10 --cost quadratic --init large --eta 3
compare ch3-100 8 --layers 784,100,10 --cost cross-entropy --init large --eta 0.5 --lambda 5
