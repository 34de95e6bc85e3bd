#!/usr/bin/env bash
# tests/test-onnx-runtime.sh — ONNX exports checked in the tools people use: ONNX's checker, and ONNX
# Runtime against `backprop-cli classify` on 1,000 MNIST test images
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Exports the embedded default model and small models trained here on 1,000 images for each
# hidden function (sigmoid, tanh, ReLU) and output (sigmoid, softmax), with none, one, two and
# three hidden layers, and two conv nets (Conv, MaxPool). Each file goes through onnx.checker.check_model (tests/onnx-check.py,
# with Debian's python3-onnx) and through onnxruntime-node (tests/onnx-runtime.js) on the first
# 1,000 test images, whose PNGs `classify --raw --full-precision` reads: ONNX Runtime must
# name the same digit for every image, and every output within 1e-5 of classify's.
#
# Meson gives BACKPROP_CLI, ONNX_PYTHON (a python3 with the onnx module), ONNX_NODE_DIR (where
# onnxruntime-node is installed from npm on the first run, ONNXRUNTIME_NODE_VERSION of it) and
# BACKPROP_TEST_SOURCE (this folder). Exits 77 (skipped) with a message when Node.js, npm's
# onnxruntime-node, python3-onnx or MNIST is missing; 1 on any failure.
set -u

CLI=${BACKPROP_CLI:?BACKPROP_CLI must name the backprop-cli executable}
PYTHON=${ONNX_PYTHON:-/usr/bin/python3}
ORT_DIR=${ONNX_NODE_DIR:?ONNX_NODE_DIR must name the folder for onnxruntime-node}
ORT_VERSION=${ONNXRUNTIME_NODE_VERSION:-1.31.1}
SOURCE=${BACKPROP_TEST_SOURCE:-${BASH_SOURCE[0]%/*}}
N_IMAGES=1000

skip ()
{
  echo "SKIP: $1"
  exit 77
}

# ── What the test needs ─────────────────────────────────────────────────────────────────────

command -v node >/dev/null 2>&1 ||
  skip "no Node.js (node): the exports run in onnxruntime-node (build-aux/install-deps.sh installs nodejs)"
"$PYTHON" -c 'import onnx' 2>/dev/null ||
  skip "$PYTHON has no onnx module: install python3-onnx (build-aux/install-deps.sh does)"

data_dir=${BACKPROP_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/backprop/mnist}
if [ ! -e "$data_dir/t10k-images-idx3-ubyte" ] && [ ! -e "$data_dir/t10k-images-idx3-ubyte.gz" ]; then
  skip "no MNIST in $data_dir (build-aux/fetch-mnist.sh fetches it)"
fi

# onnxruntime-node from npm, once per build folder. Its install script would fetch the CUDA
# provider from NuGet: ONNXRUNTIME_NODE_INSTALL=skip and --ignore-scripts keep it to the CPU
# binaries the package carries. Loading the module is the check that it is whole.
ort_module=$ORT_DIR/node_modules/onnxruntime-node
ort_ready ()
{
  node -e "const p = require(process.argv[1] + '/package.json');
           if (p.version !== process.argv[2]) process.exit(1);
           require(process.argv[1]);" "$ort_module" "$ORT_VERSION" >/dev/null 2>&1
}
if ! ort_ready; then
  command -v npm >/dev/null 2>&1 || skip "no npm to install onnxruntime-node@$ORT_VERSION with"
  echo "# installing onnxruntime-node@$ORT_VERSION into $ORT_DIR"
  mkdir -p "$ORT_DIR"
  if ! ONNXRUNTIME_NODE_INSTALL=skip npm install --prefix "$ORT_DIR" --no-save --no-audit \
       --no-fund --ignore-scripts --loglevel=error "onnxruntime-node@$ORT_VERSION" >"$ORT_DIR/npm.log" 2>&1 ||
     ! ort_ready; then
    sed 's/^/# /' "$ORT_DIR/npm.log" | tail -n 20
    skip "could not install onnxruntime-node@$ORT_VERSION from npm (see above)"
  fi
fi

# ── The models ──────────────────────────────────────────────────────────────────────────────

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0
failed=0
pass ()
{
  n=$((n + 1))
  echo "ok $n - $1"
}
fail ()
{
  n=$((n + 1))
  failed=$((failed + 1))
  echo "not ok $n - $1"
  shift
  local line
  for line in "$@"; do
    echo "# $line"
  done
}

node "$SOURCE/onnx-runtime.js" pngs "$data_dir" "$N_IMAGES" "$tmp/pngs" ||
  { echo "could not write the test images as PNG"; exit 1; }
pngs=("$tmp"/pngs/*.png)

# check NAME LAYERS OPS [MODEL.json]: export (the default model without MODEL), check, run,
# compare. The test accuracy the metadata must carry is $accuracy (empty: not checked).
check ()
{
  local name=$1 layers=$2 ops=$3 model=${4:-}
  local onnx=$tmp/$name.onnx model_args=()
  [ -n "$model" ] && model_args=(--model "$model")

  if ! "$CLI" export ${model_args[@]+"${model_args[@]}"} --onnx "$onnx" 2>"$tmp/err"; then
    fail "$name: export" "$(cat "$tmp/err")"
    return
  fi
  local checked
  if ! checked=$("$PYTHON" "$SOURCE/onnx-check.py" "$onnx" "$layers" "$ops" ${accuracy:+"$accuracy"} 2>&1); then
    fail "$name: onnx.checker and the file's promises" "$checked"
    return
  fi
  if ! "$CLI" classify ${model_args[@]+"${model_args[@]}"} --raw --full-precision "${pngs[@]}" \
       >"$tmp/$name.classify" 2>"$tmp/err"; then
    fail "$name: classify --raw --full-precision" "$(head -n 5 "$tmp/err")"
    return
  fi
  local compared
  if compared=$(node "$SOURCE/onnx-runtime.js" compare "$ort_module" "$onnx" "$data_dir" "$N_IMAGES" \
                  "$tmp/$name.classify" 2>&1); then
    pass "$name ($layers): $compared; $checked"
  else
    fail "$name ($layers): ONNX Runtime agrees with classify" "$compared"
  fi
}

# The embedded default model: two ReLU conv-pool layers, two ReLU FC 100, softmax; its history
# ends at 99.41 %.
accuracy=0.9941
check default 784-11520-2880-2560-640-100-100-10 \
  Conv,Relu,MaxPool,Conv,Relu,MaxPool,Flatten,Gemm,Relu,Gemm,Relu,Gemm,Softmax

# name layers activation output cost eta init
models=(
  "sigmoid-sigmoid 784,30,10 sigmoid sigmoid quadratic 3.0 large"
  "sigmoid-softmax 784,30,10 sigmoid softmax log-likelihood 0.5 default"
  "tanh-sigmoid 784,30,10 tanh sigmoid cross-entropy 0.5 default"
  "tanh-softmax 784,30,10 tanh softmax log-likelihood 0.5 default"
  "relu-sigmoid 784,30,10 relu sigmoid cross-entropy 0.1 default"
  "relu-softmax 784,30,10 relu softmax log-likelihood 0.1 default"
  "two-hidden 784,30,20,10 tanh softmax log-likelihood 0.5 default"
  "three-hidden 784,40,30,20,10 relu sigmoid cross-entropy 0.1 default"
  "no-hidden 784,10 sigmoid softmax log-likelihood 0.5 default"
)
declare -A op_of=([sigmoid]=Sigmoid [tanh]=Tanh [relu]=Relu [softmax]=Softmax)

for spec in "${models[@]}"; do
  read -r name layers activation output cost eta init <<<"$spec"
  if ! "$CLI" train --layers "$layers" --activation "$activation" --output "$output" \
       --cost "$cost" --eta "$eta" --init "$init" --train-size 1000 --epochs 1 \
       --data-dir "$data_dir" --save "$tmp/$name.json" >"$tmp/train" 2>"$tmp/err"; then
    fail "$name: train" "$(cat "$tmp/err")"
    continue
  fi
  accuracy=$(awk '{ print $10 }' "$tmp/train")
  IFS=, read -r -a sizes <<<"$layers"
  ops=Flatten
  for ((i = 1; i < ${#sizes[@]}; i++)); do
    if ((i + 1 < ${#sizes[@]})); then
      ops="$ops,Gemm,${op_of[$activation]}"
    else
      ops="$ops,Gemm,${op_of[$output]}"
    fi
  done
  check "$name" "${layers//,/-}" "$ops" "$tmp/$name.json"
done

# Conv nets: name, layer list, cost, eta, layers metadata, nodes.
conv_models=(
  "conv-pool conv6x5:relu,pool2,fc20,softmax10 log-likelihood 0.1 784-3456-864-20-10 Conv,Relu,MaxPool,Flatten,Gemm,Sigmoid,Gemm,Softmax"
  "conv-conv conv4x5:tanh,pool2,conv6x3,pool2,fc20:relu,sigmoid10 cross-entropy 0.5 784-2304-576-600-150-20-10 Conv,Tanh,MaxPool,Conv,Sigmoid,MaxPool,Flatten,Gemm,Relu,Gemm,Sigmoid"
)
for spec in "${conv_models[@]}"; do
  read -r name net cost eta layers ops <<<"$spec"
  if ! "$CLI" train --net "$net" --cost "$cost" --eta "$eta" --init default --train-size 1000 \
       --epochs 1 --data-dir "$data_dir" --save "$tmp/$name.json" >"$tmp/train" 2>"$tmp/err"; then
    fail "$name: train" "$(cat "$tmp/err")"
    continue
  fi
  accuracy=$(awk '{ print $10 }' "$tmp/train")
  check "$name" "$layers" "$ops" "$tmp/$name.json"
done

echo "1..$n"
[ "$failed" -eq 0 ]
