#!/usr/bin/env bash
# test_demo_trains.sh: the quick synthetic run is a real training run: `recur train` with
# jobs/synthetic.conf must write metrics.jsonl whose last validation accuracy is at least 0.9
# and whose training loss falls by more than half from the first log line to the last.
# Usage: RECUR=path/to/recur test_demo_trains.sh PROJECT_ROOT
set -u
root=$1
run_dir=$(mktemp -d)
trap 'rm -rf "$run_dir"' EXIT
passed=0 failed=0
check() { if eval "$2"; then echo "ok   $1"; passed=$((passed+1)); else echo "FAIL $1"; failed=$((failed+1)); fi; }

"$RECUR" train --config "$root/jobs/synthetic.conf" --run_dir="$run_dir" > "$run_dir/out.txt" 2>&1
rc=$?
cat "$run_dir/out.txt"
check "recur train exits 0 (got $rc)" '[ $rc -eq 0 ]'
metrics=$run_dir/metrics.jsonl
check "metrics.jsonl written" '[ -s "$metrics" ]'
acc=$(grep '"split": "valid"' "$metrics" 2>/dev/null | tail -1 | sed -E 's/.*"accuracy": ([0-9.eE+-]+).*/\1/')
first=$(grep '"split": "train"' "$metrics" 2>/dev/null | head -1 | sed -E 's/.*"loss": ([0-9.eE+-]+).*/\1/')
last=$(grep '"split": "train"' "$metrics" 2>/dev/null | tail -1 | sed -E 's/.*"loss": ([0-9.eE+-]+).*/\1/')
check "final valid accuracy ${acc:-none} >= 0.9" "awk -v a='${acc:-0}' 'BEGIN{exit !(a >= 0.9)}'"
check "train loss falls by half (${first:-none} -> ${last:-none})" "awk -v f='${first:-0}' -v l='${last:-1}' 'BEGIN{exit !(l < f / 2)}'"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
