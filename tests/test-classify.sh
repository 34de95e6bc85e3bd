#!/usr/bin/env bash
# tests/test-classify.sh — `backprop-cli classify` on crafted PNGs: output lines, errors, --show
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Meson runs it with the tool's path in $BACKPROP_CLI, the test data in $BACKPROP_TEST_DATA and,
# when it is built, bp-model-tool's path in $BACKPROP_MODEL_TOOL. The PNGs in tests/data/png/
# come from tests/data/make-png-fixtures.py. Needs no MNIST: the embedded model is used.
set -u
export LC_ALL=C

CLI=${BACKPROP_CLI:?BACKPROP_CLI must name the backprop-cli executable}
PNG=${BACKPROP_TEST_DATA:?BACKPROP_TEST_DATA must name tests/data}/png
MODELS=$BACKPROP_TEST_DATA/models
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0
status=0
out=$tmp/out
err=$tmp/err

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
  echo "# stdout:"
  sed 's/^/#   /' "$out"
  echo "# stderr:"
  sed 's/^/#   /' "$err"
}

skip ()
{
  n=$((n + 1))
  echo "ok $n # SKIP $1"
}

run ()
{
  "$CLI" "$@" >"$out" 2>"$err" </dev/null
  status=$?
}

# A well-formed line: FILE, a digit, ten numbers in [0, 1] with four decimals that sum to ~1.
line_ok ()
{
  awk -v file="$1" -v digit="$2" '
    $1 == file {
      found = 1
      if (NF != 12 || $2 != digit) exit 1
      best = 3; sum = 0
      for (i = 3; i <= 12; i++) {
        if ($i !~ /^[01]\.[0-9][0-9][0-9][0-9]$/) exit 1
        sum += $i
        if ($i > $best) best = i
      }
      if (best - 3 != digit || sum < 0.995 || sum > 1.005) exit 1
    }
    END { exit found ? 0 : 1 }' "$out"
}

# ── The digits, in every kind of PNG ──────────────────────────────────────────────────────────
cd "$PNG" || exit 1
run classify seven-grey.png three-light-on-dark.png four-transparent.png zero-rgb-paper.png
if [ "$status" -ne 0 ]; then
  fail "four good PNGs exit 0" "exit status $status"
elif [ "$(wc -l <"$out")" -ne 4 ] || [ -s "$err" ]; then
  fail "four good PNGs give four lines and no error" "wrong line counts"
else
  pass "four good PNGs exit 0 with four lines and a quiet stderr"
fi
for pair in seven-grey.png:7 three-light-on-dark.png:3 four-transparent.png:4 zero-rgb-paper.png:0; do
  file=${pair%:*}
  digit=${pair#*:}
  if line_ok "$file" "$digit"; then
    pass "$file reads as $digit with ten probabilities"
  else
    fail "$file reads as $digit with ten probabilities"
  fi
done

# ── Bad files: one line each, naming the file; the good ones still classified; exit 1 ────────
run classify blank.png seven-grey.png not-a-png.png truncated.png huge-claim.png missing.png
if [ "$status" -ne 1 ]; then
  fail "a batch with bad files exits 1" "exit status $status"
else
  pass "a batch with bad files exits 1"
fi
if [ "$(wc -l <"$out")" -eq 1 ] && line_ok seven-grey.png 7; then
  pass "the good file among bad ones is still classified"
else
  fail "the good file among bad ones is still classified"
fi
if [ "$(wc -l <"$err")" -eq 5 ]; then
  pass "five bad files give five error lines"
else
  fail "five bad files give five error lines"
fi
for pair in "blank.png:blank" "not-a-png.png:not a PNG" "truncated.png:damaged" \
            "huge-claim.png:40000×40000 pixels" "missing.png:No such file"; do
  file=${pair%%:*}
  pattern=${pair#*:}
  if grep -q "^backprop-cli: $file: .*$pattern" "$err"; then
    pass "$file: the error names it ($pattern)"
  else
    fail "$file: the error names it ($pattern)"
  fi
done

# ── --show writes the 28×28 inputs as PNGs that classify reads back the same ─────────────────
run classify --show "$tmp/show" seven-grey.png three-light-on-dark.png
if [ "$status" -eq 0 ] && [ -f "$tmp/show/seven-grey.png" ] && [ -f "$tmp/show/three-light-on-dark.png" ]; then
  pass "--show writes one PNG per image, named after it"
else
  fail "--show writes one PNG per image, named after it"
fi
head -c 24 "$tmp/show/seven-grey.png" | od -An -tx1 | tr -d ' \n' >"$tmp/ihdr"
if grep -q "^89504e470d0a1a0a0000000d494844520000001c0000001c" "$tmp/ihdr"; then
  pass "--show's PNGs are 28×28"
else
  fail "--show's PNGs are 28×28" "header $(cat "$tmp/ihdr")"
fi
cp "$tmp/show/seven-grey.png" "$tmp/again.png"
run classify "$tmp/again.png"
if [ "$status" -eq 0 ] && line_ok "$tmp/again.png" 7; then
  pass "the input --show wrote reads as the same digit"
else
  fail "the input --show wrote reads as the same digit"
fi

# ── --raw and --full-precision: a 28×28 input as it is, the outputs to the last bit ─────────
# --show's PNG is an input already, light ink on dark: --raw hands it to the network unchanged.
run classify --raw --full-precision "$tmp/again.png"
if [ "$status" -eq 0 ] && [ ! -s "$err" ] &&
   awk -v file="$tmp/again.png" '$1 == file && NF == 12 && $2 == 7 {
          for (i = 3; i <= 12; i++) { sum += $i; if ($i ~ /e-|[0-9]\.[0-9][0-9][0-9][0-9][0-9]/) long++ }
          ok = (sum > 0.999999 && sum < 1.000001 && long >= 9) }
        END { exit !ok }' "$out"; then
  pass "--raw --full-precision reads --show's input as 7, with 9 significant digits"
else
  fail "--raw --full-precision reads --show's input as 7, with 9 significant digits"
fi
run classify --raw seven-grey.png
if [ "$status" -eq 1 ] && [ "$(wc -l <"$err")" -eq 1 ] &&
   grep -q "^backprop-cli: seven-grey.png: --raw takes 28×28 pictures, and this one is [0-9]*×[0-9]*$" "$err"; then
  pass "--raw refuses a picture that is not 28×28, naming it"
else
  fail "--raw refuses a picture that is not 28×28, naming it"
fi
run classify --raw --polarity dark-ink "$tmp/again.png"
if [ "$status" -eq 2 ] && grep -q "raw.*polarity" "$err" && [ ! -s "$out" ]; then
  pass "--raw with --polarity is a usage error"
else
  fail "--raw with --polarity is a usage error"
fi

# ── Usage and models ─────────────────────────────────────────────────────────────────────────
run classify
if [ "$status" -eq 2 ] && grep -q "^backprop-cli: no image given" "$err"; then
  pass "no image is a usage error"
else
  fail "no image is a usage error"
fi
run classify --polarity sideways seven-grey.png
if [ "$status" -eq 2 ] && grep -q "polarity" "$err"; then
  pass "an unknown --polarity is a usage error"
else
  fail "an unknown --polarity is a usage error"
fi
run classify --polarity dark-ink three-light-on-dark.png
if [ "$status" -eq 1 ] && grep -q "three-light-on-dark.png: no digit" "$err"; then
  pass "--polarity dark-ink finds no dark ink on a black page"
else
  fail "--polarity dark-ink finds no dark ink on a black page"
fi
run classify --model "$MODELS/does-not-exist.json" seven-grey.png
if [ "$status" -eq 1 ] && [ "$(wc -l <"$err")" -eq 1 ] && grep -q "does-not-exist.json" "$err" && [ ! -s "$out" ]; then
  pass "a missing --model fails in one line naming it"
else
  fail "a missing --model fails in one line naming it"
fi

if [ -n "${BACKPROP_MODEL_TOOL:-}" ] && [ -x "$BACKPROP_MODEL_TOOL" ]; then
  "$BACKPROP_MODEL_TOOL" random 4,3,2 quadratic "$tmp/tiny.json" >/dev/null 2>&1
  run classify --model "$tmp/tiny.json" seven-grey.png
  if [ "$status" -eq 1 ] && grep -q "takes 4 inputs" "$err"; then
    pass "a model that does not take 28×28 inputs is refused"
  else
    fail "a model that does not take 28×28 inputs is refused"
  fi
  "$BACKPROP_MODEL_TOOL" random 784,30,10 cross-entropy "$tmp/sigmoid.json" >/dev/null 2>&1
  run classify --model "$tmp/sigmoid.json" seven-grey.png zero-rgb-paper.png
  if [ "$status" -eq 0 ] && [ "$(grep -c "raw activations" "$err")" -eq 1 ] \
     && [ "$(awk 'NF == 12' "$out" | wc -l)" -eq 2 ]; then
    pass "a sigmoid-output model: its raw activations, said once on stderr"
  else
    fail "a sigmoid-output model: its raw activations, said once on stderr"
  fi
else
  skip "bp-model-tool is not built"
  skip "bp-model-tool is not built"
fi

echo "1..$n"
