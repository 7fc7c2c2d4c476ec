#!/usr/bin/env bash
# test_divergence.sh: a run that explodes (relu RNN, lr 1000, no clipping) stops at the
# first non-finite loss or gradient with exit status 1 and a message naming the step;
# the metrics it already logged stay on disk.
# Usage: RECUR=path/to/recur test_divergence.sh
set -u
run_dir=$(mktemp -d)
trap 'rm -rf "$run_dir"' EXIT
passed=0 failed=0
check() { if eval "$2"; then echo "ok   $1"; passed=$((passed+1)); else echo "FAIL $1"; failed=$((failed+1)); fi; }

"$RECUR" train --cell=rnn_relu --lr=1000 --momentum=0 --clip_norm=0 --steps=200 --log_every=1 \
  --run_dir="$run_dir" > "$run_dir/out.txt" 2> "$run_dir/err.txt"
rc=$?
cat "$run_dir/err.txt"
check "exit status 1, runtime failure (got $rc)" '[ $rc -eq 1 ]'
check "message names the step and non-finite value" 'grep -Eq "^recur: step [0-9]+: the (loss|gradient norm) is not finite" "$run_dir/err.txt"'
check "metrics.jsonl kept" '[ -f "$run_dir/metrics.jsonl" ]'
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
