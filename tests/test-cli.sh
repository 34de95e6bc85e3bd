#!/usr/bin/env bash
# tests/test-cli.sh — backprop-cli's exit codes, one-line errors and output formats, as TAP
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Meson runs it with the tool's path in $BACKPROP_CLI. The cases that train need MNIST and are
# reported as skipped without it; the rest run anywhere. The whole script takes a few seconds.
set -u

CLI=${BACKPROP_CLI:?BACKPROP_CLI must name the backprop-cli executable}
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

# run ARGS…: the tool's exit status in $status, its output in $out and $err.
run ()
{
  "$CLI" "$@" >"$out" 2>"$err" </dev/null
  status=$?
}

# expect_error CODE DESCRIPTION PATTERN ARGS…: exit CODE, nothing on stdout, and exactly one
# line on stderr that starts with "backprop-cli: " and matches PATTERN (extended regex).
expect_error ()
{
  local code=$1 description=$2 pattern=$3
  shift 3
  run "$@"
  local lines
  lines=$(wc -l <"$err")
  if [ "$status" -ne "$code" ]; then
    fail "$description" "exit status $status, expected $code"
  elif [ "$lines" -ne 1 ]; then
    fail "$description" "$lines lines on stderr, expected 1"
  elif ! grep -Eq "^backprop-cli: .*($pattern)" "$err"; then
    fail "$description" "stderr does not match /$pattern/"
  elif [ -s "$out" ]; then
    fail "$description" "unexpected output on stdout"
  else
    pass "$description"
  fi
}

# ── Anywhere: usage and file errors ─────────────────────────────────────────────────────────

expect_error 2 "an unknown option is a usage error" "frobnicate" train --frobnicate
expect_error 2 "an unknown command is a usage error" "teach" teach
expect_error 2 "no command is a usage error" "command"
expect_error 2 "--eta -1 is a usage error naming η" "η|eta" train --eta -1
expect_error 2 "--eta=abc is a usage error" "eta.*abc" train --eta=abc
expect_error 2 "--batch 0 is a usage error naming the batch size" "batch" train --batch 0
expect_error 2 "--layers 784,abc is a usage error" "layers" train --layers 784,abc
expect_error 2 "--epochs 0 is a usage error" "epoch" train --epochs 0
expect_error 2 "--cost log-likelihood with --output sigmoid is a usage error" \
  "log-likelihood.*sigmoid" train --cost log-likelihood --output sigmoid
expect_error 2 "--cost cross-entropy with --output softmax is a usage error" \
  "cross-entropy.*softmax" train --cost cross-entropy --output softmax
expect_error 2 "an unknown activation is a usage error" "swish" train --activation swish
expect_error 2 "--train-size 0 is a usage error" "train-size" train --train-size 0
expect_error 2 "a stray argument is a usage error" "extra" train extra
expect_error 2 "eval without --model is a usage error" "--model" eval
expect_error 2 "bench --kernel bogus is a usage error" "bogus" bench --kernel bogus

expect_error 2 "an unknown preset is a usage error listing the valid names" \
  "unknown preset 'bogus'.*ch1-30.*ch3-data-size.*best-mlp" train --preset bogus
expect_error 2 "--preset with --load is a usage error" "preset.*--load" \
  train --preset ch1-30 --load "$tmp/model.json"
expect_error 2 "--all-variants with a preset that compares nothing is a usage error naming those that do" \
  "--all-variants.*ch3-init, ch3-eta, ch3-data-size or ch5-depth" train --preset ch1-30 --all-variants
expect_error 2 "--all-variants without --preset is a usage error" "--all-variants" train --all-variants
expect_error 2 "--monitor-every abc is a usage error" "monitor-every.*abc" \
  train --monitor-every abc
expect_error 2 "--net with --layers is a usage error naming both" "--net fc30,sigmoid10 and --layers 784,30,10" \
  train --net fc30,sigmoid10 --layers 784,30,10
expect_error 2 "a --net layer of an unknown kind is a usage error naming the token" \
  '--net: unknown layer "foo10"' train --net fc30,foo10
expect_error 2 "a --net option that is no option is a usage error naming it" \
  '--net: layer "fc30:swish": unknown option "swish"' train --net fc30:swish,softmax10
expect_error 2 "a --net without an output layer is a usage error" \
  "--net: .*the last layer must be the output layer" train --net fc30,fc20
expect_error 2 "--net with a contrary --output is a usage error" \
  "--output sigmoid conflicts with --net fc30,softmax10" train --net fc30,softmax10 --output sigmoid
expect_error 2 "a conv layer that does not fit its input is a usage error naming the layer" \
  "layer 5 \\(conv40x5\\): a 5×5 filter does not fit its 4×4 input" \
  train --net conv20x5,pool2,conv40x5,pool2,conv40x5,softmax10
expect_error 2 "a pool that does not divide its map is a usage error naming the layer" \
  "layer 2 \\(pool5\\): 5×5 windows do not divide its 24×24 input" train --net conv20x5,pool5,softmax10
expect_error 2 "--threads 0 is a usage error" "--threads: must be from 1 to 256, not 0" train --threads 0
expect_error 2 "--threads 999 is a usage error that names the range" \
  "--threads: must be from 1 to 256, not 999" train --threads 999

# The 20 names are stable (the issues fix them); each starts a line, padded to one column, and
# the presets that compare runs have an indented "variants:" line under them.
presets=(ch1-30 ch1-100 ch3-xent ch3-overfit ch3-overfit-l2 ch3-l2 ch3-100 ch3-100-60 ch3-init
         ch3-eta ch3-data-size ch5-depth ch6-shallow ch6-conv1 ch6-conv2 ch6-relu ch6-expanded
         ch6-fc2 ch6-dropout best-mlp)
run train --list-presets
missing=
for preset in "${presets[@]}"; do
  grep -Eq "^$preset +(chapter|beyond)" "$out" || missing="$missing $preset"
done
if [ "$status" -eq 0 ] && [ -z "$missing" ] && [ "$(grep -c '^[^ ]' "$out")" -eq 20 ] &&
   [ "$(grep -Ec '^ +variants: --' "$out")" -eq 4 ] &&
   [ "$(awk '/^[^ ]/ { print index($0, $2) }' "$out" | sort -u | wc -l)" -eq 1 ] &&
   grep -A1 '^ch3-eta ' "$out" | grep -q 'variants: --eta 0.025 | --eta 0.25 | --eta 2.5' &&
   [ ! -s "$err" ]; then
  pass "--list-presets lists the 20 presets in one column, with their variants"
else
  fail "--list-presets lists the 20 presets in one column, with their variants" \
    "exit status $status; missing:$missing"
fi

printf 'this is not JSON' >"$tmp/bad.json"
expect_error 1 "eval of a malformed model file fails naming the file" "$tmp/bad.json" \
  eval --model "$tmp/bad.json"
expect_error 1 "eval of a missing model file fails naming the file" "$tmp/missing.json" \
  eval --model "$tmp/missing.json"
expect_error 1 "train --load of a malformed model fails naming the file" "$tmp/bad.json" \
  train --load "$tmp/bad.json"
expect_error 1 "a missing data folder is a run-time error naming the folder" "$tmp/no-mnist" \
  train --epochs 1 --data-dir "$tmp/no-mnist"
expect_error 1 "an unwritable --save path fails before training, naming it" \
  "$tmp/no-folder/model.json" train --save "$tmp/no-folder/model.json"

# ── export: the embedded default model as ONNX, and the saves that fail ───────────────────

expect_error 2 "export without --onnx is a usage error" "--onnx" export
expect_error 2 "export with a stray argument is a usage error" "extra" export --onnx "$tmp/x.onnx" extra
expect_error 1 "export of a missing model fails naming it" "$tmp/missing.json" \
  export --model "$tmp/missing.json" --onnx "$tmp/x.onnx"
expect_error 1 "export of a malformed model fails naming it" "$tmp/bad.json" \
  export --model "$tmp/bad.json" --onnx "$tmp/x.onnx"
expect_error 1 "export into a missing folder fails in one line naming the file" \
  "$tmp/no-folder/model.onnx: not saved: .*No such file" export --onnx "$tmp/no-folder/model.onnx"

# The protobuf starts with ir_version (field 1, varint 7) and the default model is ~380 KB; a
# conv net is named by its layer list, as --net takes it.
default_net=conv20x5:relu,pool2,conv40x5:relu,pool2,fc100:relu,fc100:relu,softmax10:dropout=0.25
run export --onnx "$tmp/default.onnx"
if [ "$status" -eq 0 ] && [ ! -s "$out" ] && [ "$(wc -l <"$err")" -eq 1 ] &&
   grep -qxF "backprop-cli: wrote $tmp/default.onnx: the embedded default model ($default_net) as ONNX" "$err" &&
   [ "$(head -c 2 "$tmp/default.onnx" | od -An -tx1 | tr -d ' ')" = 0807 ] &&
   [ "$(wc -c <"$tmp/default.onnx")" -gt 300000 ]; then
  pass "export writes the embedded default model and says so in one line"
else
  fail "export writes the embedded default model and says so in one line" "exit status $status"
fi

# A disk that fills up half-way (a 64 KiB file size limit, SIGXFSZ ignored so that write()
# fails with EFBIG): the older file stays whole and no temporary file is left.
mkdir "$tmp/full"
printf 'the older export' >"$tmp/full/model.onnx"
(ulimit -f 64; trap '' XFSZ; exec "$CLI" export --onnx "$tmp/full/model.onnx") >"$out" 2>"$err" </dev/null
status=$?
if [ "$status" -eq 1 ] && [ "$(wc -l <"$err")" -eq 1 ] &&
   grep -q "^backprop-cli: $tmp/full/model.onnx: not saved: .*File too large" "$err" &&
   [ "$(cat "$tmp/full/model.onnx")" = "the older export" ] && [ "$(ls "$tmp/full")" = model.onnx ]; then
  pass "an export that fills the disk keeps the older file and leaves no temporary file"
else
  fail "an export that fills the disk keeps the older file and leaves no temporary file" \
    "exit status $status; folder: $(ls "$tmp/full")"
fi

run --version
if [ "$status" -eq 0 ] && grep -Eq '^backprop-cli [0-9]+\.[0-9]+' "$out"; then
  pass "--version prints the version"
else
  fail "--version prints the version"
fi

help_ok=true
for command in train eval classify export backprop gradcheck bench; do
  run "$command" --help
  if [ "$status" -ne 0 ] || ! grep -q "backprop-cli $command" "$out"; then
    help_ok=false
    break
  fi
done
if $help_ok; then
  pass "every command has --help"
else
  fail "every command has --help" "$command --help failed"
fi

run --help
if [ "$status" -eq 0 ] && grep -Eq '^  backprop +chapter 2' "$out" &&
   grep -Eq '^  gradcheck +backpropagation against finite differences' "$out"; then
  pass "--help lists backprop and gradcheck"
else
  fail "--help lists backprop and gradcheck" "exit status $status"
fi

# ── backprop and gradcheck: the errors that need no MNIST, and a PNG ──────────────────────

png=${BACKPROP_TEST_DATA:?BACKPROP_TEST_DATA must name tests/data}/png
fixture=$BACKPROP_TEST_DATA/models/network2-fixture.json
expect_error 2 "backprop without an example is a usage error naming the options" \
  "no example given.*--test-index, --train-index or --image" backprop
expect_error 2 "backprop with two examples is a usage error" "more than one example" \
  backprop --test-index 1 --image "$png/seven-grey.png"
expect_error 2 "backprop --label without --image is a usage error" "--label goes with --image" \
  backprop --test-index 1 --label 3
expect_error 2 "backprop --test-index abc is a usage error naming the option" "--test-index" \
  backprop --test-index abc
expect_error 2 "backprop --label 10 for a 10-output model is a usage error" \
  "--label 10 is out of range: the embedded default model has 10 outputs" \
  backprop --image "$png/seven-grey.png" --label 10
expect_error 1 "backprop of a blank PNG fails naming it" "blank.png: no digit: the image is blank" \
  backprop --image "$png/blank.png"
expect_error 1 "backprop of a PNG that is no PNG fails naming it" "not-a-png.png" \
  backprop --image "$png/not-a-png.png"
expect_error 1 "backprop with a model whose input is not 784 fails naming it" \
  "network2-fixture.json: the model takes 4 inputs, but MNIST images have 28×28 = 784 pixels" \
  backprop --model "$fixture" --image "$png/seven-grey.png"
expect_error 1 "backprop of a malformed model fails naming it" "$tmp/bad.json" \
  backprop --model "$tmp/bad.json" --image "$png/seven-grey.png"
expect_error 1 "backprop --json into a missing folder fails naming the file" \
  "$tmp/no-folder/trace.json.*\(--json\)" \
  backprop --image "$png/seven-grey.png" --json "$tmp/no-folder/trace.json"
expect_error 2 "gradcheck takes no --image" "image" gradcheck --image "$png/seven-grey.png"
expect_error 2 "gradcheck without an example is a usage error" \
  "no example given.*--test-index, --train-index \(" gradcheck
expect_error 2 "gradcheck --sample 0 is a usage error" "--sample 0" gradcheck --test-index 0 --sample 0

# The embedded model (two ReLU conv-pool layers, two ReLU FC 100, softmax) on a drawn seven: a
# header, the input row, one row per layer, the output layer's saturation not counted
# (log-likelihood has no σ′ in BP1).
run backprop --image "$png/seven-grey.png" --label 7 --json "$tmp/seven.json"
if [ "$status" -eq 0 ] && [ ! -s "$err" ] &&
   grep -q "^$png/seven-grey.png: label 7, guess 7 (output [01]\.[0-9]\{4\})\$" "$out" &&
   grep -Eq '^cost [0-9.e+-]+ \(log-likelihood\)$' "$out" &&
   grep -Eq '^0 +input +784 +[0-9.]+$' "$out" &&
   grep -Eq '^1 +conv relu +11520( +[0-9.e+-]+){3} +[0-9]+$' "$out" &&
   grep -Eq '^2 +max-pool +2880( +[0-9.e+-]+){3} +0$' "$out" &&
   grep -Eq '^6 +relu +100( +[0-9.e+-]+){3} +[0-9]+$' "$out" &&
   grep -Eq '^7 +output softmax +10( +[0-9.e+-]+){3} +–$' "$out" &&
   grep -q '"label": 7,' "$tmp/seven.json" && grep -q '"label_guessed": false,' "$tmp/seven.json"; then
  pass "backprop --image --label prints the walk and writes --json"
else
  fail "backprop --image --label prints the walk and writes --json" "exit status $status"
fi

# A conv layer's ∂C/∂b has one number per filter and a pool layer's none (the trace once wrote
# n_out numbers from the bias offset, running on into the next layer's weight gradients).
nabla_b_sizes=$(python3 -c '
import json, sys
print(",".join(str(len(b)) for b in json.load(open(sys.argv[1]))["nabla_b"]))' "$tmp/seven.json" 2>&1)
if [ "$nabla_b_sizes" = "20,0,40,0,100,100,10" ]; then
  pass "backprop --json writes a conv layer's nabla_b per filter, a pool layer's empty"
else
  fail "backprop --json writes a conv layer's nabla_b per filter, a pool layer's empty" \
    "sizes $nabla_b_sizes"
fi

run backprop --image "$png/three-light-on-dark.png"
if [ "$status" -eq 0 ] && grep -q ': label 3 (the guess: no --label given), guess 3 ' "$out"; then
  pass "backprop --image without --label takes the guess as the target and says so"
else
  fail "backprop --image without --label takes the guess as the target and says so" \
    "exit status $status"
fi

# ── With MNIST: training, saving, evaluating ────────────────────────────────────────────────

data_dir=${BACKPROP_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/backprop/mnist}
have_mnist=false
if [ -e "$data_dir/train-images-idx3-ubyte" ] || [ -e "$data_dir/train-images-idx3-ubyte.gz" ]; then
  have_mnist=true
fi

mnist_cases=(
  "train prints exactly one well-formed line per epoch"
  "train's stderr is the summary line and the best epoch's"
  "--csv writes a header and one row per epoch"
  "eval prints test_acc and a 10x10 confusion matrix over the 10,000 test images"
  "eval of the saved model agrees with the last epoch's test_acc"
  "--load with conflicting --layers is a usage error"
  "--load continues training and numbers epochs on"
  "a diverging run exits 1 with the engine's message"
  "a diverging run still saves a finite model"
  "Ctrl+C stops the run, saves the model and exits 130"
  "--preset ch3-overfit --epochs 2 prints 2 lines and names the preset"
  "options given with --preset override it and keep the rest"
  "--preset ch3-data-size --train-size 100 scales λ, the epochs and the monitoring"
  "with --monitor-every 2 only measured epochs print a line; the CSV keeps every epoch"
  "--net fc10,sigmoid10 trains as --layers 784,10,10 does, bit for bit"
  "--net with per-layer options saves its layer list and continues with --load"
  "backprop --test-index 10000 is a usage error naming the test set's size"
  "backprop --train-index 50000 is a usage error naming the training set's size"
  "backprop --json has network2's shapes for every vector"
  "backprop of a quadratic model compares its δᴸ with cross-entropy's"
  "gradcheck prints one line, and backprop agrees with finite differences"
  "gradcheck --sample K checks K parameters"
  "train --learning-speed prints speed 0 first, then one speed line per epoch line"
  "--learning-speed adds speed_1 … speed_k and an epoch-0 row to the CSV, and initial_speed to the model"
  "--learning-speed on a network without hidden layers is a usage error"
  "a conv net trains, saves format_version 2 and eval says network2.py cannot read it"
  "--threads 1 and --threads 2 save the same model, bit for bit"
  "eval with three --model takes their plurality vote"
  "backprop on a conv model names conv and max-pool and writes nabla_w as the model file lays it out"
  "--all-variants runs ch3-eta's three η in turn, each after a variant line, beside the book's"
  "--all-variants writes each variant's --save and --csv file under its own name"
  "a preset's run says what to look for and sets its accuracy beside the book's"
)

if ! $have_mnist; then
  for description in "${mnist_cases[@]}"; do
    skip "$description (no MNIST in $data_dir)"
  done
  echo "1..$n"
  exit 0
fi

number='[0-9]+\.[0-9]{4}'
epoch_line="^epoch [0-9]+ train_cost $number train_acc $number val_acc $number test_acc $number seconds [0-9]+\.[0-9]{3}\$"

run train --train-size 1000 --epochs 2 --layers 784,10,10 --data-dir "$data_dir" \
  --save "$tmp/model.json" --csv "$tmp/history.csv"
if [ "$status" -eq 0 ] && [ "$(wc -l <"$out")" -eq 2 ] &&
   [ "$(grep -Ec "$epoch_line" "$out")" -eq 2 ] &&
   grep -q '^epoch 1 ' "$out" && sed -n 2p "$out" | grep -q '^epoch 2 '; then
  pass "${mnist_cases[0]}"
else
  fail "${mnist_cases[0]}" "exit status $status"
fi
last_test_acc=$(sed -n 2p "$out" | awk '{ print $10 }')
cut -d' ' -f1-10 "$out" >"$tmp/layers-lines"

if [ "$(wc -l <"$err")" -eq 2 ] &&
   sed -n 1p "$err" | grep -Eq '^backprop-cli: train layers 784-10-10 .*train 1000 val 10000 test 10000 kernel [a-z0-9]+$' &&
   sed -n 2p "$err" | grep -Eq "^backprop-cli: best validation accuracy $number at epoch [12]: test accuracy $number\$"; then
  pass "${mnist_cases[1]}"
else
  fail "${mnist_cases[1]}"
fi

if [ -f "$tmp/history.csv" ] && [ "$(wc -l <"$tmp/history.csv")" -eq 3 ] &&
   head -n 1 "$tmp/history.csv" | grep -q '^epoch,train_cost,train_accuracy,' &&
   sed -n 3p "$tmp/history.csv" | grep -Eq '^2,[0-9.eE+-]+,'; then
  pass "${mnist_cases[2]}"
else
  fail "${mnist_cases[2]}" "history.csv: $(cat "$tmp/history.csv" 2>&1)"
fi

run eval --model "$tmp/model.json" --data-dir "$data_dir"
# Line 1 is test_acc, line 2 the header of predicted labels 0…9, lines 3–12 one row per true
# label: the label, then ten counts, which add up to the size of the test set.
if [ "$status" -eq 0 ] && grep -Eq "^test_acc $number\$" <(head -n 1 "$out") &&
   awk 'NR == 2 { if (NF != 11) exit 1; for (i = 2; i <= 11; i++) if ($i != i - 2) exit 1 }
        NR >= 3 && NR <= 12 { if (NF != 11 || $1 != NR - 3) exit 1;
                              for (i = 2; i <= 11; i++) sum += $i }
        END { if (NR < 12 || sum != 10000) exit 1 }' "$out"; then
  pass "${mnist_cases[3]}"
else
  fail "${mnist_cases[3]}" "exit status $status"
fi

eval_test_acc=$(head -n 1 "$out" | awk '{ print $2 }')
if [ -n "$last_test_acc" ] && [ "$eval_test_acc" = "$last_test_acc" ]; then
  pass "${mnist_cases[4]}"
else
  fail "${mnist_cases[4]}" "eval says '$eval_test_acc', the last epoch said '$last_test_acc'"
fi

expect_error 2 "${mnist_cases[5]}" "784,30,10.*conflicts.*784,10,10" \
  train --load "$tmp/model.json" --layers 784,30,10 --epochs 1 --data-dir "$data_dir"

run train --load "$tmp/model.json" --epochs 1 --train-size 1000 --data-dir "$data_dir" \
  --save "$tmp/model.json"
if [ "$status" -eq 0 ] && [ "$(wc -l <"$out")" -eq 1 ] && grep -Eq "${epoch_line/\[0-9\]+/3}" "$out"; then
  pass "${mnist_cases[6]}"
else
  fail "${mnist_cases[6]}" "exit status $status"
fi

# With η = 1000 and λ = 1000 on 1,000 images, weight decay multiplies every weight by
# 1 − ηλ/n = −999 per mini-batch: the weights overflow to ∞ within a few dozen steps. (ReLU and
# softmax at η = 1000 alone do not get there: the ReLUs die and the cost stays finite.)
run train --train-size 1000 --epochs 2 --layers 784,30,10 --eta 1000 --lambda 1000 \
  --data-dir "$data_dir" --save "$tmp/diverged.json"
if [ "$status" -eq 1 ] && [ ! -s "$out" ] && [ "$(grep -c '' "$err")" -eq 2 ] &&
   grep -Eiq '^backprop-cli: .*(diverg|nan|infinite)' "$err"; then
  pass "${mnist_cases[7]}"
else
  fail "${mnist_cases[7]}" "exit status $status"
fi

# The model loader rejects any non-finite number, so a successful eval proves the file finite.
run eval --model "$tmp/diverged.json" --data-dir "$data_dir"
if [ -f "$tmp/diverged.json" ] && [ "$status" -eq 0 ]; then
  pass "${mnist_cases[8]}"
else
  fail "${mnist_cases[8]}" "exit status $status"
fi

# A background job of a non-interactive shell starts with SIGINT ignored; the tool installs its
# own handler, so the signal still reaches it. Wait for the summary line (data loaded, training
# started) before sending it.
"$CLI" train --layers 784,30,10 --epochs 30 --data-dir "$data_dir" --save "$tmp/interrupted.json" \
  >"$out" 2>"$err" </dev/null &
pid=$!
for _ in $(seq 100); do
  grep -q '^backprop-cli: train ' "$err" 2>/dev/null && break
  sleep 0.1
done
sleep 0.5
kill -INT "$pid" 2>/dev/null
wait "$pid"
status=$?
if [ "$status" -eq 130 ] && grep -q 'interrupted' "$err" && [ -f "$tmp/interrupted.json" ] &&
   "$CLI" eval --model "$tmp/interrupted.json" --data-dir "$data_dir" >/dev/null 2>&1; then
  pass "${mnist_cases[9]}"
else
  fail "${mnist_cases[9]}" "exit status $status"
fi

# ── Presets ──

run train --preset ch3-overfit --epochs 2 --data-dir "$data_dir"
if [ "$status" -eq 0 ] && [ "$(wc -l <"$out")" -eq 2 ] && [ "$(grep -Ec "$epoch_line" "$out")" -eq 2 ] &&
   grep -Eq '^backprop-cli: train preset ch3-overfit layers 784-30-10 .*cost cross-entropy init large eta 0.5 lambda 0 batch 10 epochs 2 .*train 1000 ' "$err"; then
  pass "${mnist_cases[10]}"
else
  fail "${mnist_cases[10]}" "exit status $status"
fi

run train --preset ch3-overfit-l2 --epochs 1 --eta 0.25 --batch 20 --init default \
  --data-dir "$data_dir"
if [ "$status" -eq 0 ] && [ "$(wc -l <"$out")" -eq 1 ] &&
   grep -Eq '^backprop-cli: train preset ch3-overfit-l2 layers 784-30-10 activation sigmoid output sigmoid cost cross-entropy init default eta 0.25 lambda 0.1 batch 20 epochs 1 .*train 1000 ' "$err"; then
  pass "${mnist_cases[11]}"
else
  fail "${mnist_cases[11]}" "exit status $status"
fi

# 1.5 million examples as 15,000 epochs of 100 with λ = 5·100/50,000, measured 30 times: read
# the summary line, then stop the run (the whole of it takes a few seconds).
"$CLI" train --preset ch3-data-size --train-size 100 --data-dir "$data_dir" \
  >"$out" 2>"$err" </dev/null &
pid=$!
for _ in $(seq 100); do
  grep -q '^backprop-cli: train ' "$err" 2>/dev/null && break
  sleep 0.1
done
kill -INT "$pid" 2>/dev/null
wait "$pid"
status=$?
if { [ "$status" -eq 130 ] || [ "$status" -eq 0 ]; } &&
   grep -Eq '^backprop-cli: train preset ch3-data-size .* lambda 0.01 batch 10 epochs 15000 seed 5 monitor_every 500 train 100 ' "$err"; then
  pass "${mnist_cases[12]}"
else
  fail "${mnist_cases[12]}" "exit status $status"
fi

run train --preset ch3-data-size --train-size 1000 --epochs 4 --monitor-every 2 \
  --data-dir "$data_dir" --csv "$tmp/monitored.csv"
if [ "$status" -eq 0 ] && [ "$(wc -l <"$out")" -eq 2 ] && [ "$(grep -Ec "$epoch_line" "$out")" -eq 2 ] &&
   grep -q '^epoch 2 ' "$out" && sed -n 2p "$out" | grep -q '^epoch 4 ' &&
   grep -Eq ' lambda 0.1 batch 10 epochs 4 seed 5 monitor_every 2 train 1000 ' "$err" &&
   [ "$(wc -l <"$tmp/monitored.csv")" -eq 5 ] && grep -q '^1,,,,,,,[0-9]' "$tmp/monitored.csv" &&
   grep -Eq '^4,[0-9]' "$tmp/monitored.csv"; then
  pass "${mnist_cases[13]}"
else
  fail "${mnist_cases[13]}" "exit status $status" "csv: $(cat "$tmp/monitored.csv" 2>&1)"
fi

run train --train-size 1000 --epochs 2 --net fc10,sigmoid10 --data-dir "$data_dir"
if [ "$status" -eq 0 ] && cut -d' ' -f1-10 "$out" | cmp -s - "$tmp/layers-lines" &&
   grep -q ' layers 784-10-10 activation sigmoid output sigmoid cost quadratic ' "$err"; then
  pass "${mnist_cases[14]}"
else
  fail "${mnist_cases[14]}" "exit status $status"
fi

run train --train-size 500 --epochs 1 --net fc20:relu:dropout=0.2,fc10,softmax10 --activation tanh \
  --data-dir "$data_dir" --save "$tmp/net.json"
if [ "$status" -eq 0 ] && [ "$(grep -Ec "$epoch_line" "$out")" -eq 1 ] &&
   grep -q '"net": "fc20:relu:dropout=0.2,fc10,softmax10"' "$tmp/net.json" &&
   grep -q ' layers 784-20-10-10 net fc20:relu:dropout=0.2,fc10,softmax10 activation tanh output softmax cost log-likelihood ' "$err"; then
  run train --load "$tmp/net.json" --epochs 1 --train-size 500 --data-dir "$data_dir"
  if [ "$status" -eq 0 ] && grep -Eq "${epoch_line/\[0-9\]+/2}" "$out" &&
     grep -q ' net fc20:relu:dropout=0.2,fc10,softmax10 ' "$err"; then
    pass "${mnist_cases[15]}"
  else
    fail "${mnist_cases[15]}" "continued: exit status $status"
  fi
else
  fail "${mnist_cases[15]}" "exit status $status"
fi

# ── backprop, gradcheck and the speed of learning on MNIST ──

expect_error 2 "${mnist_cases[16]}" "--test-index 10000 is out of range: the test set has 10000 images \\(0 … 9999\\)" \
  backprop --test-index 10000 --data-dir "$data_dir"
expect_error 2 "${mnist_cases[17]}" "--train-index 50000 is out of range: the training set has 50000 images \\(0 … 49999\\)" \
  backprop --train-index 50000 --data-dir "$data_dir"

# The 784-10-10 model trained above: x (784), y (10), z, a, delta, nabla_b (10 and 10),
# nabla_w (10 × 784 and 10 × 10), the cost.
run backprop --model "$tmp/model.json" --test-index 0 --data-dir "$data_dir" --json "$tmp/trace.json"
shapes=
if command -v python3 >/dev/null; then
  shapes=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
shape = lambda v: [len(v)] + (shape(v[0]) if isinstance(v[0], list) else []) if isinstance(v, list) else []
print(" ".join("%s=%s" % (k, ",".join(str(s) for s in shape(d[k])) if k != "nabla_w"
                          else "|".join(",".join(map(str, shape(w))) for w in d[k]))
               for k in ("x", "y", "z", "a", "delta", "nabla_b", "nabla_w")), type(d["cost"]).__name__)
' "$tmp/trace.json" 2>&1)
fi
if [ "$status" -eq 0 ] && grep -q '^test image 0: label 7, guess ' "$out" &&
   { [ -z "$shapes" ] ||
     [ "$shapes" = "x=784 y=10 z=2,10 a=2,10 delta=2,10 nabla_b=2,10 nabla_w=10,784|10,10 float" ]; }; then
  pass "${mnist_cases[18]}"
else
  fail "${mnist_cases[18]}" "exit status $status; shapes: $shapes"
fi

if [ "$status" -eq 0 ] && grep -Eq '^quadratic cost: ‖δᴸ‖ [0-9.e+-]+; with cross-entropy \(δᴸ = aᴸ − y, no σ′\(zᴸ\)\) it would be [0-9.e+-]+' "$out" &&
   grep -Eq '^2 +output sigmoid +10( +[0-9.e+-]+){3} +[0-9]+$' "$out"; then
  pass "${mnist_cases[19]}"
else
  fail "${mnist_cases[19]}" "exit status $status"
fi

grad_line='^params [0-9]+ backprop_seconds [0-9.e+-]+ finite_difference_seconds [0-9.e+-]+ ratio [0-9.e+-]+ max_relative_error [0-9.e+-]+$'
run gradcheck --model "$tmp/model.json" --test-index 0 --data-dir "$data_dir"
if [ "$status" -eq 0 ] && [ "$(wc -l <"$out")" -eq 1 ] && grep -Eq "$grad_line" "$out" &&
   grep -q '^params 7960 ' "$out" &&
   awk '{ exit !($12 < 1e-3 && $8 > 0 && $4 > 0) }' "$out"; then
  pass "${mnist_cases[20]}"
else
  fail "${mnist_cases[20]}" "exit status $status"
fi

run gradcheck --model "$tmp/model.json" --train-index 3 --sample 100 --seed 5 --data-dir "$data_dir"
if [ "$status" -eq 0 ] && grep -Eq "$grad_line" "$out" && grep -q '^params 100 ' "$out"; then
  pass "${mnist_cases[21]}"
else
  fail "${mnist_cases[21]}" "exit status $status"
fi

speed_line='^speed [0-9]+ [0-9.e+-]+ [0-9.e+-]+$'
run train --train-size 1000 --epochs 2 --layers 784,12,11,10 --learning-speed --data-dir "$data_dir" \
  --csv "$tmp/speed.csv" --save "$tmp/speed.json"
if [ "$status" -eq 0 ] && [ "$(wc -l <"$out")" -eq 5 ] &&
   [ "$(grep -Ec "$speed_line" "$out")" -eq 3 ] && [ "$(grep -Ec "$epoch_line" "$out")" -eq 2 ] &&
   [ "$(cut -d' ' -f1-2 "$out" | tr '\n' ' ')" = "speed 0 epoch 1 speed 1 epoch 2 speed 2 " ]; then
  pass "${mnist_cases[22]}"
else
  fail "${mnist_cases[22]}" "exit status $status"
fi

# The CSV: the usual columns, then speed_1 and speed_2; a row for epoch 0 with only the speeds.
speed0=$(sed -n 1p "$out" | cut -d' ' -f3)
if [ "$(wc -l <"$tmp/speed.csv")" -eq 4 ] &&
   head -n 1 "$tmp/speed.csv" | grep -q '^epoch,train_cost,train_accuracy,validation_cost,validation_accuracy,test_cost,test_accuracy,seconds,eta,speed_1,speed_2$' &&
   sed -n 2p "$tmp/speed.csv" | grep -Eq '^0,,,,,,,,,[0-9.e+-]+,[0-9.e+-]+$' &&
   awk -F, -v s="$speed0" 'NR == 2 { d = $10 - s; exit !(d < 1e-5 * s && -d < 1e-5 * s) }' "$tmp/speed.csv" &&
   sed -n 4p "$tmp/speed.csv" | grep -Eq '^2,[0-9.e+-]+,.*,[0-9.e+-]+,[0-9.e+-]+$' &&
   grep -q '"initial_speed": \[' "$tmp/speed.json" && grep -q '"speed": \[' "$tmp/speed.json" &&
   ! grep -q speed "$tmp/history.csv" && ! grep -q speed "$tmp/model.json"; then
  pass "${mnist_cases[23]}"
else
  fail "${mnist_cases[23]}" "csv: $(cat "$tmp/speed.csv" 2>&1)"
fi

expect_error 2 "${mnist_cases[24]}" "--learning-speed measures hidden layers, and this network has none" \
  train --layers 784,10 --learning-speed --epochs 1 --data-dir "$data_dir"

run train --net conv4x5,pool2,fc20,softmax10 --init network3 --eta 0.1 --train-size 1000 \
  --epochs 1 --threads 1 --data-dir "$data_dir" --save "$tmp/conv1.json"
status1=$status
run eval --model "$tmp/conv1.json" --data-dir "$data_dir"
if [ "$status1" -eq 0 ] && [ "$status" -eq 0 ] && grep -q '"format_version": 2,' "$tmp/conv1.json" &&
   grep -q '"net": "conv4x5,pool2,fc20,softmax10",' "$tmp/conv1.json" &&
   grep -q '^note: .*network2.py cannot read this file' "$out"; then
  pass "${mnist_cases[25]}"
else
  fail "${mnist_cases[25]}" "exit status $status1, $status"
fi

run train --net conv4x5,pool2,fc20,softmax10 --init network3 --eta 0.1 --train-size 1000 \
  --epochs 1 --threads 2 --data-dir "$data_dir" --save "$tmp/conv2.json"
# The files differ only in the seconds the epoch took.
if [ "$status" -eq 0 ] &&
   diff <(grep -v '"seconds"' "$tmp/conv1.json" | sed 's/"seconds": [0-9.e+-]*//') \
        <(grep -v '"seconds"' "$tmp/conv2.json" | sed 's/"seconds": [0-9.e+-]*//') >/dev/null; then
  pass "${mnist_cases[26]}"
else
  fail "${mnist_cases[26]}" "exit status $status"
fi

run eval --model "$tmp/conv1.json" --model "$tmp/conv2.json" --model "$tmp/model.json" \
  --data-dir "$data_dir"
if [ "$status" -eq 0 ] && grep -Eq "^model 1 test_acc $number " "$out" &&
   grep -Eq "^model 3 test_acc $number " "$out" && grep -Eq "^test_acc $number\$" "$out" &&
   grep -q '^note: the plurality vote of 3 models' "$out"; then
  pass "${mnist_cases[27]}"
else
  fail "${mnist_cases[27]}" "exit status $status"
fi

run backprop --model "$tmp/conv1.json" --test-index 0 --data-dir "$data_dir" --json "$tmp/conv-trace.json"
shapes=
if command -v python3 >/dev/null; then
  shapes=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print("|".join("%d,%d" % (len(w), len(w[0]) if w else 0) for w in d["nabla_w"]))
' "$tmp/conv-trace.json" 2>&1)
fi
if [ "$status" -eq 0 ] && grep -Eq '^1 +conv sigmoid +2304 ' "$out" && grep -Eq '^2 +max-pool +576 ' "$out" &&
   { [ -z "$shapes" ] || [ "$shapes" = "4,25|0,0|20,576|10,20" ]; }; then
  pass "${mnist_cases[28]}"
else
  fail "${mnist_cases[28]}" "exit status $status; shapes: $shapes"
fi

# ── Lessons: every variant of a comparison, the book's figure beside ours ──

run train --preset ch3-eta --all-variants --train-size 500 --epochs 2 --data-dir "$data_dir" \
  --save "$tmp/eta.json" --csv "$tmp/eta.csv"
if [ "$status" -eq 0 ] && [ "$(wc -l <"$out")" -eq 9 ] &&
   [ "$(grep -c '^variant ' "$out")" -eq 3 ] && [ "$(grep -Ec "$epoch_line" "$out")" -eq 6 ] &&
   [ "$(grep '^variant ' "$out" | tr '\n' ' ')" = "variant eta-0.025 variant eta-0.25 variant eta-2.5 " ] &&
   [ "$(sed -n '1p;4p;7p' "$out" | grep -c '^variant ')" -eq 3 ] &&
   [ "$(grep -Ec '^backprop-cli: train preset ch3-eta .* eta (0.025|0.25|2.5) lambda 5 ' "$err")" -eq 3 ] &&
   [ "$(grep -c '^backprop-cli: you: training cost [0-9.]*, the book: 0.339 ' "$err")" -eq 2 ] &&
   grep -q '^backprop-cli: you: training cost [0-9.]*, the book: 0.861 ' "$err"; then
  pass "${mnist_cases[29]}"
else
  fail "${mnist_cases[29]}" "exit status $status"
fi

if [ -s "$tmp/eta-eta-0.025.json" ] && [ -s "$tmp/eta-eta-0.25.json" ] && [ -s "$tmp/eta-eta-2.5.json" ] &&
   [ "$(wc -l <"$tmp/eta-eta-2.5.csv")" -eq 3 ] && [ ! -e "$tmp/eta.json" ] && [ ! -e "$tmp/eta.csv" ] &&
   grep -q '"eta": 2.5' "$tmp/eta-eta-2.5.json"; then
  pass "${mnist_cases[30]}"
else
  fail "${mnist_cases[30]}" "files: $(ls "$tmp")"
fi

# A short run is not called stuck, however far below the book it ends.
run train --preset ch1-100 --train-size 300 --epochs 1 --data-dir "$data_dir"
if [ "$status" -eq 0 ] &&
   grep -q '^backprop-cli: Chapter 1 · Implementing our network to classify digits (http://neuralnetworksanddeeplearning.com/chap1.html)$' "$err" &&
   grep -q '^backprop-cli: look for: ' "$err" &&
   grep -Eq '^backprop-cli: you: [0-9]+\.[0-9]{2} %, the book: 96.59 % \(test accuracy, best epoch: 1\)$' "$err" &&
   ! grep -q 'stuck' "$err"; then
  pass "${mnist_cases[31]}"
else
  fail "${mnist_cases[31]}" "exit status $status"
fi

echo "1..$n"
