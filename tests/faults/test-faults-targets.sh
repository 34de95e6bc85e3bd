#!/usr/bin/env bash
# tests/faults/test-faults-targets.sh — saving replaces only what it should: a symbolic link is
# written through, a device node, FIFO or socket is refused before training, a file's mode is
# kept, two outputs naming one file are a usage error, a 255-byte name saves, and classify
# --show never replaces a file nor leaves an empty one behind
# SPDX-License-Identifier: GPL-3.0-or-later

. "$(dirname "$0")/lib.sh"

T=$WORK/targets
mkdir -p "$T"
make_model "$WORK/model.json" || { echo "Bail out! cannot train the small model"; exit 1; }

# Whether a run got as far as training: its summary line comes after the checks of its outputs.
trained ()
{
  grep -q '^backprop-cli: train layers' "$err"
}

# ── A symbolic link: written through, the link stays ──
cp "$WORK/model.json" "$T/real.json"
ln -s real.json "$T/link.json"
echo "old" >"$T/real.csv"
ln -s real.csv "$T/link.csv"
run 60 train --data-dir "$DATA" --epochs 1 --seed 2 --save "$T/link.json" --csv "$T/link.csv"
if [ "$status" -eq 0 ] && [ -L "$T/link.json" ] && [ -L "$T/link.csv" ] &&
   ! cmp -s "$WORK/model.json" "$T/real.json" && grep -q '^epoch,' "$T/real.csv"; then
  pass "--save and --csv through symbolic links replace the files they point to, and keep the links"
else
  fail "--save and --csv through symbolic links replace the files they point to, and keep the links" \
    "link.json: $(stat -c %F "$T/link.json" 2>&1); link.csv: $(stat -c %F "$T/link.csv" 2>&1)"
fi

# ── A device node: refused before any training, and left a device ──
if [ "$(id -u)" -eq 0 ] && mknod "$T/null-device" c 1 3 2>/dev/null; then
  run 60 train --data-dir "$DATA" --epochs 1 --save "$T/null-device"
  if [ "$status" -eq 1 ] && said 'null-device: is a character device, not a regular file' &&
     ! trained && [ -c "$T/null-device" ]; then
    pass "a device node as --save is refused before training and stays a device"
  else
    fail "a device node as --save is refused before training and stays a device" \
      "null-device is now: $(stat -c %F "$T/null-device" 2>&1)"
  fi
else
  skip "a device node as --save (mknod needs root)"
fi

# ── A FIFO: refused at once (no reader would ever come), and left a FIFO ──
mkfifo "$T/pipe.csv"
run 20 train --data-dir "$DATA" --epochs 1 --csv "$T/pipe.csv"
if [ "$status" -eq 1 ] && said 'pipe.csv: is a FIFO \(named pipe\), not a regular file' &&
   ! trained && [ -p "$T/pipe.csv" ]; then
  pass "a FIFO as --csv is refused before training and stays a FIFO"
else
  fail "a FIFO as --csv is refused before training and stays a FIFO" \
    "pipe.csv is now: $(stat -c %F "$T/pipe.csv" 2>&1)"
fi

# ── A socket ──
if command -v python3 >/dev/null 2>&1 &&
   python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$T/sock.json" 2>/dev/null; then
  run 20 train --data-dir "$DATA" --epochs 1 --save "$T/sock.json"
  if [ "$status" -eq 1 ] && said 'sock.json: is a socket, not a regular file' && ! trained &&
     [ -S "$T/sock.json" ]; then
    pass "a socket as --save is refused before training and stays a socket"
  else
    fail "a socket as --save is refused before training and stays a socket"
  fi
else
  skip "a socket as --save (no python3 to make one)"
fi

# ── The mode of the file replaced ──
cp "$WORK/model.json" "$T/private.json"
echo "old" >"$T/private.csv"
chmod 600 "$T/private.json" "$T/private.csv"
run 60 train --data-dir "$DATA" --epochs 1 --seed 3 --save "$T/private.json" --csv "$T/private.csv"
if [ "$status" -eq 0 ] && [ "$(stat -c %a "$T/private.json")" = 600 ] &&
   [ "$(stat -c %a "$T/private.csv")" = 600 ] && ! cmp -s "$WORK/model.json" "$T/private.json"; then
  pass "a 0600 model and CSV stay 0600 when they are replaced"
else
  fail "a 0600 model and CSV stay 0600 when they are replaced" \
    "modes $(stat -c %a "$T/private.json" "$T/private.csv" | tr '\n' ' ')"
fi

# ── Two outputs naming one file ──
cp "$WORK/model.json" "$T/same.json"
run 20 train --data-dir "$DATA" --epochs 1 --save "$T/same.json" --csv "$T/./same.json"
if [ "$status" -eq 2 ] && said 'name the same file' && cmp -s "$WORK/model.json" "$T/same.json"; then
  pass "--save F --csv F is a usage error and F is untouched"
else
  fail "--save F --csv F is a usage error and F is untouched"
fi
ln -s same.json "$T/same-link.json"
run 20 train --data-dir "$DATA" --epochs 1 --save "$T/same.json" --csv "$T/same-link.json"
if [ "$status" -eq 2 ] && said 'name the same file'; then
  pass "--save F --csv (a link to F) is a usage error"
else
  fail "--save F --csv (a link to F) is a usage error"
fi
run 20 train --data-dir "$DATA" --epochs 1 --load "$T/same.json" --csv "$T/same.json"
if [ "$status" -eq 2 ] && said 'the model --load reads' && cmp -s "$WORK/model.json" "$T/same.json"; then
  pass "--load F --csv F is a usage error and F is untouched"
else
  fail "--load F --csv F is a usage error and F is untouched"
fi

# ── A valid long name: the temporary file's name must not be what fails ──
long=$(printf 'm%.0s' $(seq 250)).json
run 60 train --data-dir "$DATA" --epochs 1 --save "$T/$long"
if [ "$status" -eq 0 ] && [ -f "$T/$long" ] && run 20 eval --model "$T/$long" --data-dir "$DATA" &&
   [ "$status" -eq 0 ]; then
  pass "a 255-byte --save name saves a model that loads"
else
  fail "a 255-byte --save name saves a model that loads"
fi
if [ -z "$(find "$T" -name '.*' ! -name . | head -n 1)" ] &&
   [ -z "$(find "$T" -name '*.json.*' | head -n 1)" ]; then
  pass "no temporary file is left in the folder"
else
  fail "no temporary file is left in the folder" "$(ls -A "$T")"
fi

# ── classify --show: a file already there is never replaced ──
S=$WORK/show
mkdir -p "$S"
echo "precious" >"$S/seven-grey.png"
run 30 classify --show "$S" "$TEST_DATA/png/seven-grey.png"
if [ "$status" -eq 0 ] && grep -qx precious "$S/seven-grey.png" && [ -s "$S/seven-grey-2.png" ]; then
  pass "--show writes name-2.png beside an existing name.png and leaves that one alone"
else
  fail "--show writes name-2.png beside an existing name.png and leaves that one alone" "$(ls -A "$S")"
fi

# ── classify --show on a full disk: an error, and no empty PNG behind ──
# Past RLIMIT_FSIZE write() fails with EFBIG (once SIGXFSZ, ignored here, no longer kills):
# what a full disk looks like to the writer.
F=$WORK/full
mkdir -p "$F"
# The messages go through a pipe, which the limit does not bind.
( trap '' XFSZ; ulimit -f 0; exec timeout 30 "$CLI" classify --show "$F" "$TEST_DATA/png/seven-grey.png" ) \
  2>&1 >/dev/null </dev/null | cat >"$err"
status=${PIPESTATUS[0]}
if [ "$status" -eq 1 ] && said 'seven-grey.png: --show: ' && [ -z "$(ls -A "$F")" ]; then
  pass "--show on a full disk fails naming the image, and leaves no file behind"
else
  fail "--show on a full disk fails naming the image, and leaves no file behind" "$(ls -lA "$F")"
fi

finish
