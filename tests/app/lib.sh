# tests/app/lib.sh — shared helpers of the UI tests: start the real app, read its event lines
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Sourced by the tests/app/test-*.sh scripts, which meson runs under
# `xvfb-run -a -s '-screen 0 1280x1024x24'` with BACKPROP_APP (the binary) and
# BACKPROP_BUILD_DIR set. The app prints one line per event on stdout in its test mode
# (BACKPROP_TEST_EVENTS=1, see the README's developer section); the tests drive it with xdotool
# and read those lines back. Output is TAP.
#
# Writing a fast app test. The suite runs these scripts two at a time beside the engine tests on
# a 2-core CI machine, so a second of needless waiting here is a second of CI. Launch the app as
# few times as the test needs (a launch is about a second; a relaunch is only for what needs a
# fresh process: another language, settings read at start, Ctrl+Q itself) and share that launch
# between checks, resetting state through the UI (Ctrl+R, Delete, Escape) or the test mode. Wait
# for a condition, never for the clock: `wait_for REGEX TIMEOUT "$(mark)"` on an event line (add
# one to src/app/bp-test-probe.c when none says what you need; the README lists them), and keep
# `sleep` for the moment before a screenshot (0.2–0.5 s for the frame to paint). Train on little:
# BACKPROP_TRAIN_SIZE=1000 for the run at launch, BACKPROP_MNIST_SIZE=2000 when the book's
# presets (which set their own training-set size) or the Mistakes view should be quick too
# (above 1,000: a preset that asks for the whole set, as ch3-overfit's 1,000 would be, shows as
# Custom).
# Read JSON or other files once per file, not with a Python per check. Two xdotool traps cost
# seconds each time: `mousemove --sync` to where the pointer already is waits out a 15-second
# time limit (stroke_line and click_widget avoid it), and two clicks on one spot within the
# double-click time are one double click, which a button takes as one click
# (click_widget NAME 3 clicks elsewhere). Keep the test able to fail: every wait whose result
# matters is inside `check`. Time a script with its TAP lines:
#   meson test -C _build test-NAME --verbose   (or --num-processes 2 for the suite's times)

set -u

TEST_NAME=$(basename "$0" .sh)
OUT_DIR=${BACKPROP_BUILD_DIR:?}/tests/app/$TEST_NAME
mkdir -p "$OUT_DIR"
EVENTS=$OUT_DIR/events.log
APP_STDERR=$OUT_DIR/stderr.log
APP_PID=
WID=
N_TESTS=0
N_FAILED=0

# Skip the whole script. In TAP, meson reads a skip from the "1..0 # SKIP" plan and counts any
# non-zero status (77 included) as an error, so the status is 0.
skip_all ()
{
  echo "1..0 # SKIP $*"
  exit 0
}

# Skip without a display, the tools, or MNIST.
require_environment ()
{
  [ -n "${DISPLAY:-}" ] || skip_all "no display"
  for tool in xdotool import; do
    command -v "$tool" >/dev/null 2>&1 || skip_all "$tool is not installed"
  done
  [ -x "${BACKPROP_APP:-}" ] || skip_all "the app was not built"
}

mnist_dir ()
{
  if [ -n "${BACKPROP_DATA_DIR:-}" ]; then
    echo "$BACKPROP_DATA_DIR"
  elif [ -n "${XDG_DATA_HOME:-}" ] && [ "${XDG_DATA_HOME#/}" != "$XDG_DATA_HOME" ]; then
    echo "$XDG_DATA_HOME/backprop/mnist"
  else
    echo "$HOME/.local/share/backprop/mnist"
  fi
}

require_mnist ()
{
  local dir f
  dir=$(mnist_dir)
  for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte \
           t10k-labels-idx1-ubyte; do
    [ -f "$dir/$f" ] || [ -f "$dir/$f.gz" ] || skip_all "MNIST is not in $dir (build-aux/fetch-mnist.sh)"
  done
}

ok ()
{
  N_TESTS=$((N_TESTS + 1))
  echo "ok $N_TESTS - $*"
}

not_ok ()
{
  N_TESTS=$((N_TESTS + 1))
  N_FAILED=$((N_FAILED + 1))
  echo "not ok $N_TESTS - $*"
  if [ -f "$EVENTS" ]; then
    sed 's/^/# event: /' "$EVENTS" | tail -n 15
  fi
  if [ -s "$APP_STDERR" ]; then
    sed 's/^/# stderr: /' "$APP_STDERR" | tail -n 15
  fi
}

check ()
{
  local description=$1
  shift
  if "$@"; then
    ok "$description"
  else
    not_ok "$description"
  fi
}

finish ()
{
  if [ -n "$APP_PID" ] && kill -0 "$APP_PID" 2>/dev/null; then
    kill "$APP_PID" 2>/dev/null
    wait "$APP_PID" 2>/dev/null
  fi
  echo "1..$N_TESTS"
  [ "$N_FAILED" -eq 0 ]
  exit $?
}

# In an ASan build, leaks of system libraries' caches are not ours to report.
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lsan.supp:print_suppressions=0}

# Start the app in its test mode with the given extra environment (NAME=VALUE…).
start_app ()
{
  : >"$EVENTS"
  env GSK_RENDERER=cairo GDK_DEBUG=gl-disable GTK_A11Y=none GSETTINGS_BACKEND=memory \
      GSETTINGS_SCHEMA_DIR="$BACKPROP_BUILD_DIR/data" BACKPROP_TEST_EVENTS=1 \
      "$@" "$BACKPROP_APP" >"$EVENTS" 2>"$APP_STDERR" &
  APP_PID=$!
}

# The number of event lines so far, to wait for lines after a point.
mark ()
{
  wc -l <"$EVENTS"
}

# wait_for REGEX [TIMEOUT_SECONDS] [AFTER_LINE]: wait until a line after AFTER_LINE matches.
wait_for ()
{
  local regex=$1 timeout=${2:-30} after=${3:-0}
  local deadline=$((SECONDS + timeout))
  while [ $SECONDS -lt $deadline ]; do
    if tail -n "+$((after + 1))" "$EVENTS" | grep -Eq "$regex"; then
      return 0
    fi
    if ! kill -0 "$APP_PID" 2>/dev/null; then
      tail -n "+$((after + 1))" "$EVENTS" | grep -Eq "$regex"
      return $?
    fi
    sleep 0.05
  done
  return 1
}

# The first line after AFTER_LINE matching REGEX.
line_after ()
{
  tail -n "+$(($2 + 1))" "$EVENTS" | grep -E "$1" | head -n 1
}

# Find the app's window and give it the keyboard focus (there is no window manager).
focus_window ()
{
  WID=$(timeout 20 xdotool search --sync --onlyvisible --pid "$APP_PID" | head -n 1)
  [ -n "$WID" ] || return 1
  xdotool windowfocus --sync "$WID"
}

key ()
{
  xdotool key --clearmodifiers "$@"
}

# Click the widget a "widget NAME X Y W H" line placed (X, Y from the window's top left
# corner), a quarter of its width in (or QUARTERS quarters: click_widget NAME [QUARTERS]), half
# its height down. Two clicks on one spot within GTK's double-click time are one double click,
# which a button takes as one click: click the second time at another spot (3 quarters).
click_widget ()
{
  local name=$1 quarters=${2:-1} line x y w h X Y
  line=$(grep -E "^widget $name " "$EVENTS" | tail -n 1)
  [ -n "$line" ] || return 1
  read -r _ _ x y w h <<<"$line"
  eval "$(xdotool getwindowgeometry --shell "$WID")"
  # `mousemove --sync` waits for the pointer to move: from where it already is, it never would.
  xdotool mousemove 0 0
  xdotool mousemove --sync $((X + x + w * quarters / 4)) $((Y + y + h / 2)) click 1
}

screenshot ()
{
  import -window root "$OUT_DIR/$1.png"
}

# Wait up to TIMEOUT seconds for the app to exit; sets EXIT_STATUS to its status, or
# "timeout".
wait_exit ()
{
  local timeout=${1:-20} deadline
  deadline=$((SECONDS + timeout))
  EXIT_STATUS=timeout
  while kill -0 "$APP_PID" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then
      return 1
    fi
    sleep 0.05
  done
  wait "$APP_PID"
  EXIT_STATUS=$?
  APP_PID=
}

# A straight stroke on the pad from (x0,y0) to (x1,y1), in thousandths of the pad whose
# place the caller has set in PAD_X, PAD_Y, PAD_W, PAD_H; the button stays down at the end.
stroke_line ()
{
  local x0=$1 y0=$2 x1=$3 y1=$4 steps=${5:-12} i px py
  for ((i = 0; i <= steps; i++)); do
    px=$((PAD_X + PAD_W * (x0 + (x1 - x0) * i / steps) / 1000))
    py=$((PAD_Y + PAD_H * (y0 + (y1 - y0) * i / steps) / 1000))
    if [ "$i" -eq 0 ]; then
      # A stroke that goes on from where the last one ended (a 7's bar, then its stem) starts
      # where the pointer already is: `mousemove --sync` to there would wait out xdotool's
      # 15-second time limit for a move that never comes.
      if [ "$(xdotool getmouselocation | sed -E 's/^x:([0-9]+) y:([0-9]+) .*/\1 \2/')" != "$px $py" ]; then
        xdotool mousemove --sync "$px" "$py"
      fi
      xdotool mousedown 1
    else
      xdotool mousemove --sync "$px" "$py"
    fi
    sleep 0.02
  done
}
