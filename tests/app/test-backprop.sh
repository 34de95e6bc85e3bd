#!/usr/bin/env bash
# tests/app/test-backprop.sh — the Backprop view (Alt+5) through the real window: the keyboard
# walks the steps, a click on a neuron shows its numbers, and they are the engine's, as
# `backprop-cli backprop --json` writes them for the same model and example; one gradient step
# and its undo; the check with finite differences
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Screenshots of every step in the light and dark styles and in Chinese go to
# <build>/tests/app/test-backprop/.

. "$(dirname "$0")/lib.sh"

require_environment
require_mnist
command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"
trap finish EXIT

CLI=$BACKPROP_BUILD_DIR/src/cli/backprop-cli
WORK=$OUT_DIR/work
rm -rf "$WORK"
mkdir -p "$WORK"

# A small model the view opens from the command line: 784-30-10, sigmoid, quadratic cost (the
# cost whose δᴸ has σ′(zᴸ) in it), one epoch on 1,000 images.
"$CLI" train --layers 784,30,10 --epochs 1 --train-size 1000 --eta 3 --save "$WORK/net.json" \
  >"$WORK/train.log" 2>&1
check "backprop-cli trained a model to open" test -s "$WORK/net.json"
"$CLI" backprop --model "$WORK/net.json" --test-index 0 --json "$WORK/trace0.json" >"$WORK/trace0.txt"
check "backprop-cli traced test image 0" test -s "$WORK/trace0.json"
"$CLI" backprop --model "$WORK/net.json" --test-index 3 --json "$WORK/trace3.json" >"$WORK/trace3.txt"

# Whether a printed number equals the JSON's: both are the engine's float, printed with nine
# significant digits, so they agree to float rounding. check_json FILE KEY LAYER NEURON VALUE
# (LAYER and NEURON "-" for the example's cost). Each JSON file is read once, by one Python,
# into FILE.values ("KEY LAYER NEURON VALUE" lines) that awk looks the numbers up in: a Python
# per check cost a third of a second, some fifty times a launch.
json_values ()
{
  python3 - "$1" >"$1.values" <<'EOF'
import json, sys
data = json.load(open(sys.argv[1]))
for key in ('z', 'a', 'delta', 'nabla_b'):
    for layer, values in enumerate(data[key]):
        for neuron, value in enumerate(values):
            print(key, layer, neuron, repr(float(value)))
print('cost - -', repr(float(data['cost'])))
EOF
}

check_json ()
{
  [ -s "$1.values" ] || json_values "$1" || return 1
  awk -v key="$2" -v layer="$3" -v neuron="$4" -v got="$5" '
    $1 == key && $2 == layer && $3 == neuron {
      want = $4 + 0; got += 0
      scale = want < 0 ? -want : want
      if (scale < 1e-30) scale = 1e-30
      diff = got - want; if (diff < 0) diff = -diff
      found = 1; ok = diff <= 1e-6 * scale + 1e-12
    }
    END { exit !(found && ok) }' "$1.values"
}

# The numbers of a "backprop-neuron" line, checked against the trace's JSON.
# MAP_SIZE: for a neuron of a conv layer, the neurons in one map (its bias is its filter's).
check_neuron_line ()
{
  local what=$1 line=$2 json=$3 map_size=${4:-1} layer neuron
  read -r _ layer neuron _ z _ a _ deriv _ delta _ nabla_b _ <<<"$line"
  check "$what: z is the engine's" check_json "$json" z "$layer" "$neuron" "$z"
  check "$what: a is the engine's" check_json "$json" a "$layer" "$neuron" "$a"
  check "$what: δ is the engine's" check_json "$json" delta "$layer" "$neuron" "$delta"
  check "$what: ∂C/∂b is the engine's (BP3)" \
    check_json "$json" nabla_b "$layer" "$((neuron / map_size))" "$nabla_b"
}

# start_backprop_app [MODEL] [NAME=VALUE…]: the app in its test mode, opening MODEL ("-": none,
# so that the view explains the built-in model).
start_backprop_app ()
{
  local model=$1
  shift
  : >"$EVENTS"
  env GSK_RENDERER=cairo GDK_DEBUG=gl-disable GTK_A11Y=none GSETTINGS_BACKEND=memory \
      GSETTINGS_SCHEMA_DIR="$BACKPROP_BUILD_DIR/data" BACKPROP_TEST_EVENTS=1 \
      BACKPROP_LOCALEDIR="$BACKPROP_BUILD_DIR/po" BACKPROP_TRAIN_SIZE=1000 GTK_USE_PORTAL=0 "$@" \
      "$BACKPROP_APP" ${model#-} >"$EVENTS" 2>"$APP_STDERR" &
  APP_PID=$!
}

# Click the middle of a place the probe printed ("widget NAME X Y W H").
click_place ()
{
  local name=$1 line x y w h X Y
  line=$(grep -E "^widget $name " "$EVENTS" | tail -n 1)
  [ -n "$line" ] || return 1
  read -r _ _ x y w h <<<"$line"
  eval "$(xdotool getwindowgeometry --shell "$WID")"
  xdotool mousemove 0 0
  xdotool mousemove --sync $((X + x + w / 2)) $((Y + y + h / 2)) click 1
}

# Press → until the step of KIND shows.
step_to ()
{
  local kind=$1 i m
  for i in $(seq 12); do
    grep "^backprop-step" "$EVENTS" | tail -n 1 | grep -Eq "^backprop-step [0-9]+ [0-9]+ $kind " \
      && return 0
    m=$(mark)
    key Right
    wait_for '^backprop-step ' 3 "$m" || break
  done
  grep "^backprop-step" "$EVENTS" | tail -n 1 | grep -Eq "^backprop-step [0-9]+ [0-9]+ $kind "
}

for variant in light dark zh_CN; do
  case $variant in
    zh_CN) start_backprop_app "$WORK/net.json" ADW_DEBUG_COLOR_SCHEME=prefer-light LC_ALL=C.UTF-8 \
             LANGUAGE=zh_CN ;;
    *) start_backprop_app "$WORK/net.json" ADW_DEBUG_COLOR_SCHEME="prefer-$variant" ;;
  esac
  check "$variant: ready" wait_for '^ready$' 60
  check "$variant: the model opened" wait_for '^model-opened net.json layers 784-30-10$' 10
  check "$variant: the window can be focused" focus_window
  xdotool windowsize "$WID" 1100 760
  sleep 0.5

  m=$(mark)
  key alt+5
  check "$variant: Alt+5 shows test image 0, a 7, through the opened model" \
    wait_for '^backprop-example test 0 label 7 ' 10 "$m"
  check "$variant: the cells are laid out" wait_for '^widget backprop-hidden-0 ' 10 "$m"
  line=$(line_after '^backprop-example ' "$m")
  check "$variant: the example's cost is the engine's" check_json "$WORK/trace0.json" cost - - \
    "$(awk '{print $NF}' <<<"$line")"
  screenshot "$variant-0-input"

  # → walks forward, ← back, Home to the start.
  m=$(mark)
  key Right
  check "$variant: → shows the forward pass of layer 2" \
    wait_for '^backprop-step 1 7 forward 0$' 5 "$m"
  key Right
  check "$variant: → again, the output layer" wait_for '^backprop-step 2 7 forward 1$' 5 "$m"
  key Left
  check "$variant: ← goes back" wait_for '^backprop-step 1 7 forward 0$' 5 "$(($(mark) - 1))"
  key Home
  check "$variant: Home restarts" wait_for '^backprop-step 0 7 input -1$' 5 "$m"

  n=0
  for kind in forward forward output-error backward gradient update; do
    key Right
    n=$((n + 1))
    wait_for "^backprop-step $n 7 $kind " 5 "$m"
    sleep 0.15
    screenshot "$variant-$n-$kind"
  done
  check "$variant: seven steps, the last the gradient step" \
    wait_for '^backprop-step 6 7 update -1$' 5 "$m"

  # A click on the first hidden neuron and on output 0: their numbers are the engine's.
  key Home
  sleep 0.3
  m=$(mark)
  click_place backprop-hidden-0
  check "$variant: a click on a hidden neuron shows its numbers" \
    wait_for '^backprop-neuron 0 0 ' 5 "$m"
  check_neuron_line "$variant: hidden neuron 0" "$(line_after '^backprop-neuron 0 0 ' "$m")" \
    "$WORK/trace0.json"
  sleep 0.3
  screenshot "$variant-neuron"
  m=$(mark)
  click_place backprop-output-0
  check "$variant: a click on output 0 shows its numbers" wait_for '^backprop-neuron 1 0 ' 5 "$m"
  check_neuron_line "$variant: output 0" "$(line_after '^backprop-neuron 1 0 ' "$m")" \
    "$WORK/trace0.json"
  # The keyboard moves the selection down the column.
  m=$(mark)
  key Down
  check "$variant: Down selects the next output" wait_for '^backprop-neuron 1 1 ' 5 "$m"
  check_neuron_line "$variant: output 1" "$(line_after '^backprop-neuron 1 1 ' "$m")" \
    "$WORK/trace0.json"

  # Test image 2 through this quadratic-cost model has an output that is confidently wrong:
  # BP1's step says its δᴸ is tiny because of σ′(zᴸ), and shows cross-entropy's.
  key Home
  m=$(mark)
  click_place backprop-next-image
  check "$variant: Next shows test image 1" wait_for '^backprop-example test 1 label 2 ' 5 "$m"
  click_place backprop-next-image
  check "$variant: …and test image 2" wait_for '^backprop-example test 2 label 1 ' 5 "$m"
  check "$variant: → reaches BP1" step_to output-error
  check "$variant: BP1 on a confidently wrong output tells of the slowdown" \
    wait_for '^backprop-slowdown [1-9][0-9]* shown 1$' 5 "$m"
  sleep 0.3
  screenshot "$variant-slowdown"
  # Test image 3 has no such output: nothing is said.
  key Home
  m=$(mark)
  click_place backprop-next-image
  check "$variant: Next again, test image 3" wait_for '^backprop-example test 3 label 0 ' 5 "$m"
  check "$variant: → reaches BP1 again" step_to output-error
  check "$variant: …where no slowdown is told" wait_for '^backprop-slowdown 0 shown 0$' 5 "$m"

  if [ "$variant" = light ]; then
    # One gradient step lowers the example's cost; Undo gives the network back.
    m=$(mark)
    check "light: → reaches the gradient step" step_to update
    check "light: its buttons are placed" wait_for '^widget backprop-take-step ' 5 "$m"
    click_place backprop-take-step
    check "light: the step is taken" wait_for '^backprop-gradient-step ' 5 "$m"
    line=$(line_after '^backprop-gradient-step ' "$m")
    read -r _ _ before _ after <<<"$line"
    check "light: the cost before is the trace's (test image 3)" check_json "$WORK/trace3.json" cost - - "$before"
    check "light: the cost of the example fell ($before → $after)" \
      python3 -c "import sys; sys.exit(0 if float('$after') < float('$before') else 1)"
    sleep 0.3
    screenshot "light-step-taken"
    m=$(mark)
    click_place backprop-undo
    check "light: Undo" wait_for '^backprop-gradient-step-undone$' 5 "$m"
    check "light: …gives back the trace of the opened model" \
      check_json "$WORK/trace3.json" cost - - "$(line_after '^backprop-example ' "$m" | awk '{print $NF}')"

    sleep 0.3
    screenshot "light-undone"

    # Section 2.8: the check with finite differences agrees with backprop.
    key Home
    sleep 0.3
    screenshot "light-home"
    m=$(mark)
    check "light: → reaches the gradient" step_to gradient
    check "light: the check's button is placed" wait_for '^widget backprop-check ' 5 "$m"
    click_place backprop-check
    check "light: the check with finite differences finishes" wait_for '^gradcheck params 23860 ' 60 "$m"
    line=$(line_after '^gradcheck ' "$m")
    check "light: every parameter agrees to 10⁻² ($line)" \
      python3 -c "import sys; sys.exit(0 if float('${line##* }') < 1e-2 else 1)"
    sleep 0.5
    screenshot "light-gradcheck"

    # Slow motion trains the view's copy on one training image after another, a gradient step
    # each, at a human pace (one a second by default); a second click stops it, and Undo gives
    # back the network from before it.
    m=$(mark)
    click_place backprop-slow
    check "light: slow motion walks the training images" wait_for '^backprop-example train ' 10 "$m"
    first=$(line_after '^backprop-example train ' "$m" | awk '{print $3}')
    check "light: …taking a gradient step on each" wait_for '^backprop-gradient-step ' 10 "$m"
    check "light: …one after another (from $first)" \
      wait_for "^backprop-example train $((first + 2)) " 10 "$m"
    screenshot "light-slow-motion"
    click_place backprop-slow
    # A step under way when the click came may still report; then none for longer than the
    # one second between two steps.
    sleep 1
    n=$(grep -c '^backprop-gradient-step ' "$EVENTS")
    sleep 1.5
    check "light: a second click stops it" test "$n" = "$(grep -c '^backprop-gradient-step ' "$EVENTS")"

    # 800×600 still shows the steps.
    xdotool windowsize "$WID" 800 600
    sleep 0.8
    screenshot "light-800x600-gradient"
    key Home
    sleep 0.5
    screenshot "light-800x600-input"
    key Right Right Right
    sleep 0.5
    screenshot "light-800x600-bp1"
  fi

  # Quitting frees everything (an AddressSanitizer build reports a leak with another status).
  key ctrl+q
  check "$variant: Ctrl+Q quits" wait_exit 20
  check "$variant: …with status 0" test "$EXIT_STATUS" = 0
done

# Before any training the view explains the built-in model (a conv net: two ReLU conv-pool
# layers, two ReLU FC 100, softmax and log-likelihood, whose BP1 is aᴸ − y), and its numbers are
# those backprop-cli gives for it.
"$CLI" backprop --test-index 0 --json "$WORK/builtin0.json" >"$WORK/builtin0.txt"
# Its settings are kept in a key file, to see that the view is remembered.
start_backprop_app - ADW_DEBUG_COLOR_SCHEME=prefer-light GSETTINGS_BACKEND=keyfile \
  XDG_CONFIG_HOME="$WORK/config"
check "built-in: ready" wait_for '^ready$' 60
check "built-in: the window can be focused" focus_window
xdotool windowsize "$WID" 1100 760
sleep 0.5
m=$(mark)
key alt+5
check "built-in: Alt+5 shows test image 0 through the built-in model" \
  wait_for '^backprop-example test 0 label 7 guess 7 ' 10 "$m"
check "built-in: the maps are laid out" wait_for '^widget backprop-map-0 ' 10 "$m"
check "built-in: the example's cost is the engine's" check_json "$WORK/builtin0.json" cost - - \
  "$(line_after '^backprop-example ' "$m" | awk '{print $NF}')"
m=$(mark)
click_place backprop-map-0
check "built-in: a click in the first conv layer's first map shows a neuron's numbers" \
  wait_for '^backprop-neuron 0 [0-9]+ ' 5 "$m"
# Its maps are 24×24: the neuron's bias is its filter's, whose ∂C/∂b is δ summed over the map.
check_neuron_line "built-in: first conv layer" "$(line_after '^backprop-neuron 0 [0-9]+ ' "$m")" \
  "$WORK/builtin0.json" 576
m=$(mark)
click_place backprop-output-0
check "built-in: a click on the softmax output 0" wait_for '^backprop-neuron 6 0 ' 5 "$m"
check_neuron_line "built-in: output 0" "$(line_after '^backprop-neuron 6 0 ' "$m")" \
  "$WORK/builtin0.json"
check "built-in: → reaches BP1" step_to output-error
check "built-in: log-likelihood has no slowdown to tell" wait_for '^backprop-slowdown 0 shown 0$' 5 "$m"
screenshot "builtin-bp1"

# Closed with the Backprop view shown, the window opens on it again.
key ctrl+w
check "built-in: the window closes" wait_exit 20
check "built-in: the settings keep the Backprop view" \
  grep -q "^last-view='backprop'" "$WORK/config/glib-2.0/settings/keyfile"
start_backprop_app - GSETTINGS_BACKEND=keyfile XDG_CONFIG_HOME="$WORK/config"
check "built-in: the next launch starts on the Backprop view" wait_for '^setup view backprop ' 60
check "built-in: …and traces its example once ready" wait_for '^backprop-example test 0 ' 60
key ctrl+q
check "built-in: Ctrl+Q quits" wait_exit 20
check "built-in: …with status 0" test "$EXIT_STATUS" = 0
