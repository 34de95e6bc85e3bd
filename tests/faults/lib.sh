# tests/faults/lib.sh — what the fault tests share: TAP, commands under a time limit, small data
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Sourced by tests/faults/test-faults-*.sh, which meson runs with $BACKPROP_CLI (the tool) and
# $BACKPROP_TEST_DATA (tests/data). They need no MNIST: a small data set of random 28×28 images
# is made in a temporary folder. Every command runs under `timeout`, so a read that never ends
# fails its case instead of hanging the suite.

set -u

CLI=${BACKPROP_CLI:?BACKPROP_CLI must name the backprop-cli executable}
TEST_DATA=${BACKPROP_TEST_DATA:?BACKPROP_TEST_DATA must name tests/data}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

n=0
out=$WORK/out
err=$WORK/err
status=0
: >"$out"
: >"$err"

pass ()
{
  n=$((n + 1))
  echo "ok $n - $1"
}

fail ()
{
  n=$((n + 1))
  echo "not ok $n - $1"
  shift
  local line
  for line in "$@"; do
    echo "# $line"
  done
  echo "# exit status $status; stdout:"
  head -c 2000 "$out" | sed 's/^/#   /'
  echo "# stderr:"
  head -c 2000 "$err" | sed 's/^/#   /'
}

skip ()
{
  n=$((n + 1))
  echo "ok $n # SKIP $1"
}

# check DESCRIPTION COMMAND…: pass when COMMAND succeeds.
check ()
{
  local description=$1
  shift
  if "$@"; then
    pass "$description"
  else
    fail "$description"
  fi
}

finish ()
{
  echo "1..$n"
}

# run SECONDS ARGS…: the tool under a time limit; $status (124 when the limit struck), $out,
# $err.
run ()
{
  local limit=$1
  shift
  timeout -k 5 "$limit" "$CLI" "$@" >"$out" 2>"$err" </dev/null
  status=$?
}

# One line on stderr matching PATTERN (extended regex), after "backprop-cli: ".
said ()
{
  grep -Eq "^backprop-cli: .*($1)" "$err"
}

# A sanitizer build is slower and its memory is not the program's: cases that time or weigh
# a run skip themselves there.
sanitized ()
{
  [ -n "${BACKPROP_SANITIZED:-}" ]
}

# peak_kib ARGS…: the tool's peak resident memory in KiB, by GNU time, in $peak (empty without
# it); $status, $out and $err as run() sets them.
peak_kib ()
{
  local time_out=$WORK/time.out
  peak=
  if [ ! -x /usr/bin/time ]; then
    run 120 "$@"
    return 0
  fi
  timeout -k 5 120 /usr/bin/time -o "$time_out" -f '%M' "$CLI" "$@" >"$out" 2>"$err" </dev/null
  status=$?
  peak=$(tail -n 1 "$time_out")
}

be32 ()
{
  local v=$1
  printf "\\x$(printf %02x $(((v >> 24) & 255)))\\x$(printf %02x $(((v >> 16) & 255)))"
  printf "\\x$(printf %02x $(((v >> 8) & 255)))\\x$(printf %02x $((v & 255)))"
}

# make_data DIR [N]: an MNIST-like folder of N (200) random 28×28 training and test images, all
# labelled 0: enough to train, evaluate and save in a fraction of a second.
make_data ()
{
  local dir=$1 count=${2:-200} set
  mkdir -p "$dir"
  for set in train t10k; do
    { printf '\x00\x00\x08\x03'; be32 "$count"; be32 28; be32 28
      head -c $((count * 784)) /dev/urandom; } >"$dir/$set-images-idx3-ubyte"
    { printf '\x00\x00\x08\x01'; be32 "$count"; head -c "$count" /dev/zero; } \
      >"$dir/$set-labels-idx1-ubyte"
  done
}

DATA=$WORK/data
make_data "$DATA"

# make_model PATH [ARGS…]: a 784-30-10 model trained for one epoch on the small data.
make_model ()
{
  local path=$1
  shift
  timeout 60 "$CLI" train --data-dir "$DATA" --epochs 1 --save "$path" "$@" >/dev/null 2>&1
}
