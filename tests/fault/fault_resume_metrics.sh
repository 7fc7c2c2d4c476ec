#!/usr/bin/env bash
# fault_resume_metrics.sh: a run stopped by SIGTERM and resumed writes the same
# metrics.jsonl as the straight run (apart from wall time and rates) and ends with the same
# parameters and optimizer state, bit for bit: no second train line at the stop step (no
# `"loss": null`), the first train line after the resume averages the same steps as the
# straight run's (the partial sums are in the checkpoint), and a last line cut short (as
# by a kill; appended here) is dropped. 1 rank and 2 ranks.
# Usage: RECUR=... COMPARE=... fault_resume_metrics.sh PROJECT_ROOT
source "$(dirname "$0")/fault_common.sh"
steps=400
run=(train "${TINY[@]}" --steps=$steps --log_every=10 --eval_every=100 --dropout=0.2 --num_layers=2)

# compare_runs A B: same metrics (but time), same final parameters and optimizer state.
compare_runs() {
  diff <(metrics_core "$1/metrics.jsonl") <(metrics_core "$2/metrics.jsonl") >"$WORK/diff" ||
    fail "metrics.jsonl of the resumed run $2 differs from the straight run's: $(head -n 6 "$WORK/diff")"
  local last
  last=$(printf 'step-%09d.h5' $steps)
  for group in /model /optimizer; do
    "$COMPARE" "$1/checkpoints/$last" "$2/checkpoints/$last" $group 0 >"$WORK/cmp" ||
      fail "$2: $group differs from the straight run: $(grep FAIL "$WORK/cmp" | head -n 3)"
  done
}

# stopped_run LAUNCH... : the run, SIGTERM once it has logged, then resume=1 to the end.
stopped_run() {
  local dir=$1; shift
  local rc=0
  "$@" "${run[@]}" --run_dir="$dir" >"$dir.out" 2>&1 &
  local job=$!
  wait_for "^train step (1[3-9]|[2-9])[0-9]/" "$dir.out"
  kill -TERM $job
  wait $job || rc=$?
  [[ $rc -eq 143 ]] || fail "SIGTERM: exit $rc: $(tail -n 3 "$dir.out")"
  grep -q "^stopped by a signal after step" "$dir.out" || fail "no stop line: $(tail -n 3 "$dir.out")"
  printf '{"step": 1' >>"$dir/metrics.jsonl" # a line a kill cut short: dropped on resume
  "$@" "${run[@]}" --run_dir="$dir" --resume=1 >"$dir.2.out" 2>&1 || fail "resume: $(tail -n 3 "$dir.2.out")"
  echo "ok: $(grep -o 'stopped by a signal after step [0-9]*' "$dir.out"), resumed to step $steps"
}

"$RECUR" "${run[@]}" --run_dir="$WORK/straight1" >/dev/null
stopped_run "$WORK/stopped1" "$RECUR"
compare_runs "$WORK/straight1" "$WORK/stopped1"
echo "ok: 1 rank: stopped + resumed = straight (metrics.jsonl and final state)"

# 2 ranks: the SIGTERM goes to the whole job the way run_local.sh sends it (to the ranks).
mpirun -np 2 "$RECUR" "${run[@]}" --run_dir="$WORK/straight2" >/dev/null
cat >"$WORK/two.sh" <<'TWO'
#!/usr/bin/env bash
# mpirun in the background, SIGTERM to it forwarded to its ranks (as jobs/run_local.sh does)
mpirun -np 2 "$@" </dev/null &
job=$!
trap 'pkill -TERM -P $job' TERM
while :; do wait $job; rc=$?; kill -0 $job 2>/dev/null || break; done
exit $rc
TWO
chmod +x "$WORK/two.sh"
stopped_run "$WORK/stopped2" "$WORK/two.sh" "$RECUR"
compare_runs "$WORK/straight2" "$WORK/stopped2"
echo "ok: 2 ranks: stopped + resumed = straight (metrics.jsonl and final state)"
