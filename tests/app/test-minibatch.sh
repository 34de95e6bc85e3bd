#!/usr/bin/env bash
# tests/app/test-minibatch.sh — Step → One Mini-Batch through the real window: the step's menu
# item trains one mini-batch and opens the Backprop view on its first example, the training
# index the engine's trainer took (bp_trainer_get_last_batch(), through the worker and the
# session); its next button goes through the batch's examples.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Screenshots in the light and dark styles and in Chinese go to
# <build>/tests/app/test-minibatch/.

. "$(dirname "$0")/lib.sh"

require_environment
require_mnist
trap finish EXIT

# Open the step button's menu (its arrow, the right end) and choose its first item,
# One Mini-Batch.
step_one_mini_batch ()
{
  local line x y w h X Y
  line=$(grep -E "^widget step " "$EVENTS" | tail -n 1)
  [ -n "$line" ] || return 1
  read -r _ _ x y w h <<<"$line"
  eval "$(xdotool getwindowgeometry --shell "$WID")"
  xdotool mousemove 0 0
  xdotool mousemove --sync $((X + x + w - 8)) $((Y + y + h / 2)) click 1
  sleep 0.6
  key Return
}

for variant in light dark zh_CN; do
  case $variant in
    zh_CN) start_app ADW_DEBUG_COLOR_SCHEME=prefer-light LC_ALL=C.UTF-8 LANGUAGE=zh_CN \
             BACKPROP_LOCALEDIR="$BACKPROP_BUILD_DIR/po" BACKPROP_TRAIN_SIZE=1000 GTK_USE_PORTAL=0 ;;
    *) start_app ADW_DEBUG_COLOR_SCHEME="prefer-$variant" BACKPROP_TRAIN_SIZE=1000 GTK_USE_PORTAL=0 ;;
  esac
  check "$variant: ready" wait_for '^ready$' 60
  check "$variant: the step button is placed" wait_for '^widget step ' 5
  check "$variant: the window can be focused" focus_window
  xdotool windowsize "$WID" 1100 760
  sleep 0.5

  m=$(mark)
  step_one_mini_batch
  check "$variant: Step → One Mini-Batch takes a mini-batch" wait_for '^batch-taken ' 20 "$m"
  line=$(line_after '^batch-taken ' "$m")
  read -r _ _ epoch _ batch _ n_batches _ n first second _ <<<"$line"
  check "$variant: the first mini-batch of epoch 1 ($line)" test "$epoch $batch" = "1 1"
  check "$variant: it has examples" test "${n:-0}" -gt 1
  check "$variant: the Backprop view shows its first example, training image $first" \
    wait_for "^backprop-batch example 1 of $n index $first epoch 1 batch 1$" 10 "$m"
  check "$variant: …as a training image" wait_for "^backprop-example train $first " 10 "$m"
  check "$variant: the batch's next button is placed" wait_for '^widget backprop-batch-next ' 10 "$m"
  sleep 0.5
  screenshot "$variant-batch-1"

  m=$(mark)
  click_place_next=$(grep -E '^widget backprop-batch-next ' "$EVENTS" | tail -n 1)
  read -r _ _ x y w h <<<"$click_place_next"
  eval "$(xdotool getwindowgeometry --shell "$WID")"
  xdotool mousemove 0 0
  xdotool mousemove --sync $((X + x + w / 2)) $((Y + y + h / 2)) click 1
  check "$variant: next shows the batch's second example, training image $second" \
    wait_for "^backprop-batch example 2 of $n index $second " 10 "$m"

  # The update step: the words of the mini-batch's own step.
  key End
  sleep 0.5
  screenshot "$variant-batch-2-update"

  if [ "$variant" = light ]; then
    # Slow motion from the batch's example leaves the batch and goes on through the training
    # images after it, stepping the network as it is now.
    m=$(mark)
    line=$(grep -E '^widget backprop-slow ' "$EVENTS" | tail -n 1)
    read -r _ _ x y w h <<<"$line"
    eval "$(xdotool getwindowgeometry --shell "$WID")"
    xdotool mousemove 0 0
    xdotool mousemove --sync $((X + x + w / 2)) $((Y + y + h / 2)) click 1
    check "light: slow motion goes on to training image $((second + 1))" \
      wait_for "^backprop-example train $((second + 1)) " 10 "$m"
    check "light: …taking its gradient steps" wait_for '^backprop-gradient-step ' 10 "$m"
    xdotool click 1
    sleep 0.5
    check "light: …outside the mini-batch" \
      test -z "$(tail -n "+$((m + 1))" "$EVENTS" | grep -E '^backprop-batch ')"
  fi

  # A second Step → One Mini-Batch: the view follows to mini-batch 2.
  m=$(mark)
  step_one_mini_batch
  check "$variant: a second step takes mini-batch 2" wait_for '^batch-taken epoch 1 batch 2 ' 20 "$m"
  line=$(line_after '^batch-taken ' "$m")
  read -r _ _ _ _ _ _ _ _ n first _ <<<"$line"
  check "$variant: the view follows, on training image $first" \
    wait_for "^backprop-batch example 1 of $n index $first epoch 1 batch 2$" 10 "$m"

  # 800×600 still shows it.
  xdotool windowsize "$WID" 800 600
  sleep 0.8
  screenshot "$variant-800x600"

  key ctrl+q
  wait_exit 20
  check "$variant: the app quits with status 0" test "$EXIT_STATUS" = 0
done
