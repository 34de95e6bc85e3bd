#!/usr/bin/env bash
# tests/app/test-my-digits.sh — My Digits: draw a digit with the pointer, add it with a label
# (Ctrl+D, a digit key, Enter), see its file appear, then relabel and delete it in the gallery
# (Shift+Ctrl+D) with the keyboard; and `backprop-cli eval --data` reads the folder the app wrote
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Needs no MNIST: the built-in model reads the pad. $XDG_DATA_HOME points into the test's
# folder, so My Digits is <build>/tests/app/test-my-digits/data/backprop/my-digits. Screenshots
# of the popover and the gallery in light, dark and Chinese, at 800×600.

. "$(dirname "$0")/lib.sh"

require_environment
trap finish EXIT

DATA=$OUT_DIR/data
DIGITS=$DATA/backprop/my-digits
rm -rf "$DATA"

draw_seven ()
{
  stroke_line 300 250 680 250 10
  stroke_line 680 250 470 780 14
  xdotool mouseup 1
}

find_pad ()
{
  local line x y w h
  line=$(grep -E '^canvas ' "$EVENTS" | tail -n 1)
  [ -n "$line" ] || return 1
  read -r _ x y w h <<<"$line"
  eval "$(xdotool getwindowgeometry --shell "$WID")"
  PAD_X=$((X + x)) PAD_Y=$((Y + y)) PAD_W=$w PAD_H=$h
}

# wait_file PATH [present|absent]: up to 10 s.
wait_file ()
{
  local i
  for ((i = 0; i < 200; i++)); do
    if [ "${2:-present}" = present ] && [ -f "$1" ]; then return 0; fi
    if [ "${2:-present}" = absent ] && [ ! -e "$1" ]; then return 0; fi
    sleep 0.05
  done
  return 1
}

has_mnist_here ()
{
  local dir f
  dir=$(mnist_dir)
  for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte \
           t10k-labels-idx1-ubyte; do
    [ -f "$dir/$f" ] || [ -f "$dir/$f.gz" ] || return 1
  done
}

n_pictures ()
{
  find "$DIGITS" -name '*.png' 2>/dev/null | wc -l
}

for style in light dark zh; do
  case $style in
    # gettext ignores LANGUAGE under the C locale; the catalogue is the build's.
    zh) extra=(LC_ALL=C.UTF-8 LANGUAGE=zh_CN BACKPROP_LOCALEDIR="$BACKPROP_BUILD_DIR/po"
               ADW_DEBUG_COLOR_SCHEME=prefer-light) ;;
    *) extra=(ADW_DEBUG_COLOR_SCHEME="prefer-$style") ;;
  esac
  start_app BACKPROP_DATA_DIR="$OUT_DIR/no-such-folder" XDG_DATA_HOME="$DATA" "${extra[@]}"
  check "$style: the missing-data page shows" wait_for '^missing-data$' 30
  check "$style: the window can be focused" focus_window
  xdotool windowsize "$WID" 1100 760
  sleep 0.5
  wait_for '^widget draw-digit ' 10
  m=$(mark)
  click_widget draw-digit
  check "$style: the pad shows" wait_for '^canvas ' 10 "$m"
  sleep 0.3
  find_pad

  m=$(mark)
  draw_seven
  wait_for '^prediction ' 10 "$m"
  guess=$(line_after '^prediction ' "$m" | cut -d ' ' -f 2)
  check "$style: the drawn 7 is read as 7 (got ${guess:-nothing})" test "$guess" = 7
  # The smallest window, for the screenshots.
  xdotool windowsize "$WID" 800 600
  sleep 0.5

  if [ "$style" = light ]; then
    # Ctrl+D offers the guess; Enter adds it as a 7.
    m=$(mark)
    key ctrl+d
    sleep 0.5
    screenshot "$style-add-popover"
    key Return
    check "Ctrl+D, Enter: added with the guess as its label" wait_for '^my-digit-added 7 ' 10 "$m"
    check "the file is DIGIT/NNNN.png in the user's data folder" wait_file "$DIGITS/7/0001.png"
    check "and it is a PNG" bash -c "file '$DIGITS/7/0001.png' | grep -q 'PNG image'"

    # A digit key picks another label: the same drawing as a 1.
    m=$(mark)
    key ctrl+d
    sleep 0.3
    key 1
    key Return
    check "Ctrl+D, 1, Enter: added as a 1" wait_for '^my-digit-added 1 ' 10 "$m"
    check "as 1/0001.png" wait_file "$DIGITS/1/0001.png"
    check "two pictures stored" test "$(n_pictures)" -eq 2

    # The gallery: its first row (the 1) has the keyboard; 4 relabels it, Delete deletes it.
    m=$(mark)
    key shift+ctrl+d
    sleep 0.8
    screenshot "$style-gallery"
    key 4
    check "in the gallery, typing 4 relabels the 1" wait_file "$DIGITS/4/0001.png"
    check "which leaves the 1's folder" wait_file "$DIGITS/1/0001.png" absent
    check "the store says it changed" wait_for '^my-digits 2$' 10 "$m"
    sleep 0.5
    m=$(mark)
    key Delete
    check "Delete deletes the focused picture (the 4)" wait_file "$DIGITS/4/0001.png" absent
    check "and one is left" wait_for '^my-digits 1$' 10 "$m"
    check "the 7 is still there" test -f "$DIGITS/7/0001.png"
    sleep 0.5
    screenshot "$style-gallery-after"
    key Escape
    sleep 0.3

    if [ -n "${BACKPROP_CLI:-}" ]; then
      out=$("$BACKPROP_CLI" eval --data "$DIGITS" 2>&1)
      check "backprop-cli eval --data reads the folder the app wrote (${out%%$'\n'*})" \
        grep -q '^data_acc 1.0000 n 1 skipped 0$' <<<"$out"
    fi
  else
    key ctrl+d
    sleep 0.5
    screenshot "$style-add-popover"
    key Escape
    sleep 0.3
    key shift+ctrl+d
    sleep 0.8
    screenshot "$style-gallery"
    key Escape
    sleep 0.3
  fi

  # Without a window manager the closed gallery leaves no window focused.
  focus_window
  key ctrl+q
  check "$style: Ctrl+Q quits" wait_exit 20
done

# Train on My Digits, with MNIST (a 2,000-image subset): five 7s added, the gallery's Train
# button (Alt+T) fine-tunes the network, which the session adopts ("reset").
if has_mnist_here; then
  rm -rf "$DATA"
  start_app BACKPROP_DATA_DIR="$(mnist_dir)" XDG_DATA_HOME="$DATA" BACKPROP_TRAIN_SIZE=2000
  check "MNIST: ready" wait_for '^ready$' 60
  focus_window
  xdotool windowsize "$WID" 1100 760
  sleep 0.5
  m=$(mark)
  key alt+3
  wait_for '^canvas ' 10 "$m"
  sleep 0.3
  find_pad
  draw_seven
  sleep 0.5
  for i in 1 2 3 4 5; do
    key ctrl+d
    sleep 0.3
    key 7
    key Return
    sleep 0.2
  done
  check "MNIST: five 7s stored" test "$(n_pictures)" -eq 5
  key shift+ctrl+d
  sleep 0.8
  m=$(mark)
  key alt+t
  check "Train on My Digits fine-tunes and the session adopts the network" wait_for '^reset$' 120 "$m"
  sleep 0.8
  screenshot "light-gallery-trained"
  key Escape
  sleep 0.3
  focus_window
  key ctrl+q
  check "MNIST: Ctrl+Q quits" wait_exit 20
else
  echo "# MNIST is not in $(mnist_dir): Train on My Digits is not tested"
fi

# The empty gallery.
rm -rf "$DATA"
start_app BACKPROP_DATA_DIR="$OUT_DIR/no-such-folder" XDG_DATA_HOME="$DATA"
wait_for '^missing-data$' 30
focus_window
xdotool windowsize "$WID" 1100 760
sleep 0.5
wait_for '^widget draw-digit ' 10
m=$(mark)
click_widget draw-digit
wait_for '^canvas ' 10 "$m"
key shift+ctrl+d
sleep 0.8
screenshot "light-gallery-empty"
key Escape
key ctrl+q
check "empty gallery: Ctrl+Q quits" wait_exit 20
