#!/usr/bin/env bash
# test_divergence.sh: a run that explodes (relu RNN, lr 1000, no clipping).
#  nonfinite = stop: ends at the first non-finite loss or gradient with exit status 1 and
#  a message naming the step (and the first parameter whose gradient is not finite); the
#  metrics already logged stay, no metrics line holds nan, a nonfinite event is logged,
#  and the checkpoint written there holds finite weights (the last good state).
#  nonfinite = skip: the run goes on to its last step, counting skipped steps; the skipped
#  updates were not applied (the last checkpoint's weights are finite) and not counted by
#  the optimizer (its step = steps - skipped).
# Usage: RECUR=path/to/recur [RECUR_TRAIN_ARGS="--device=gpu"] test_divergence.sh
# (on the GPU the update is skipped by the device itself, which learns of the non-finite
# gradients without the host: tests/gpu_emulator runs this with recur_emu.)
set -u
run_dir=$(mktemp -d)
trap 'rm -rf "$run_dir"' EXIT
passed=0 failed=0
check() { if eval "$2"; then echo "ok   $1"; passed=$((passed+1)); else echo "FAIL $1"; failed=$((failed+1)); fi; }
explode=(--cell=rnn_relu --lr=1000 --momentum=0 --clip_norm=0 --log_every=1 --progress=lines ${RECUR_TRAIN_ARGS:-})

"$RECUR" train "${explode[@]}" --steps=200 --run_dir="$run_dir/stop" > "$run_dir/out.txt" 2> "$run_dir/err.txt"
rc=$?
cat "$run_dir/err.txt"
check "exit status 1, runtime failure (got $rc)" '[ $rc -eq 1 ]'
check "message names the step and what is not finite" \
  'grep -Eq "^recur: step [0-9]+: the (loss|gradient of [a-z_.0-9]+) is not finite" "$run_dir/err.txt"'
check "metrics.jsonl kept" '[ -f "$run_dir/stop/metrics.jsonl" ]'
check "no nan or inf in metrics.jsonl" '! grep -Eiq "nan|inf" "$run_dir/stop/metrics.jsonl"'
check "a nonfinite event is logged" 'grep -q "\"event\": \"nonfinite\"" "$run_dir/stop/metrics.jsonl"'
ckpt=$(ls "$run_dir"/stop/checkpoints/step-*.h5 2>/dev/null | tail -1)
check "a checkpoint of the last good state is written (${ckpt:-none})" '[ -n "$ckpt" ]'
check "its weights are finite" '[ -n "$ckpt" ] && ! h5dump -d /model/rnn.weight_hh_l0 "$ckpt" | grep -Eiq "nan|inf"'

"$RECUR" train "${explode[@]}" --steps=40 --nonfinite=skip --run_dir="$run_dir/skip" > "$run_dir/skip.txt" 2>&1
rc=$?
check "nonfinite=skip runs to the end (exit $rc)" '[ $rc -eq 0 ] && grep -q "step 40/40" "$run_dir/skip.txt"'
check "skipped steps are counted" 'grep -q "update skipped" "$run_dir/skip.txt" && grep -Eq "\"skipped\": [1-9]" "$run_dir/skip/metrics.jsonl"'
check "metrics.jsonl stays valid JSON (null, never nan)" '! grep -Eiq "nan|inf" "$run_dir/skip/metrics.jsonl"'
last="$run_dir/skip/checkpoints/step-000000040.h5"
skipped=$(grep -Eo '"skipped": [0-9]+' "$run_dir/skip/metrics.jsonl" | tail -1 | grep -Eo '[0-9]+$')
opt_step=$(h5dump -a /optimizer/step "$last" 2>/dev/null | grep -Eo '\(0\): [0-9]+' | grep -Eo '[0-9]+$')
check "the last checkpoint's weights are finite after skipped steps" \
  '[ -f "$last" ] && ! h5dump -g /model "$last" | grep -Eiq "nan|inf"'
check "the optimizer counted only the applied updates (step $opt_step = 40 - $skipped)" \
  '[ -n "$skipped" ] && [ "$skipped" -gt 0 ] && [ "$opt_step" = $((40 - skipped)) ]'
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
