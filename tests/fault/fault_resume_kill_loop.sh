#!/usr/bin/env bash
# fault_resume_kill_loop.sh: 24 kill -9 of one training run at random moments, each
# followed by resume=1, then a last resume to the end: the run ends with the straight
# run's parameters and optimizer state (bit for bit), the same metrics.jsonl (apart from
# wall time and rates), and no temporary file left in the run directory. Kills: 6 at a
# random moment 0.05-0.65 s after the start (start-up, resume, or training), 14 at a random
# moment within 0.1 s after the run has logged a training step (so each kill costs a few
# dozen steps of progress, on any machine speed), 4 by the crash_on_rename shim as a
# finished temporary file is renamed. Checkpoints are written every 3 steps, so many of
# the random kills land inside a write too.
# Usage: RECUR=... COMPARE=... CRASH_SHIM=... fault_resume_kill_loop.sh PROJECT_ROOT
source "$(dirname "$0")/fault_common.sh"
: "${CRASH_SHIM:?CRASH_SHIM is not set}"
steps=3000
run=(train "${TINY[@]}" --steps=$steps --log_every=10 --eval_every=50 --checkpoint_every=3 --keep_checkpoints=2
     --dropout=0.2 --num_layers=2 --schedule=cosine --warmup_steps=20)
dir=$WORK/killed
"$RECUR" "${run[@]}" --run_dir="$WORK/straight" >/dev/null

# the newest checkpoint's step ("" before the first: a loaded machine may not get there)
newest_step() {
  { ls "$dir/checkpoints" 2>/dev/null || true; } | sed -n 's/^step-0*\([0-9][0-9]*\)\.h5$/\1/p' | sort -n | tail -n 1
}
kills=0 in_write=0
for ((i = 0; i < 24; i++)); do
  at= # every 6th: the shim kills the run as it renames the checkpoint about 30 steps on
  if ((i % 6 == 5)); then
    newest=$(newest_step)
    at=$(printf 'step-%09d.h5' $(( (${newest:-0} + 30) / 3 * 3 )))
  fi
  rc=0 log=$WORK/log.$i
  CRASH_AT=$at LD_PRELOAD=${at:+$CRASH_SHIM} "$RECUR" "${run[@]}" --run_dir="$dir" --resume=1 >"$log" 2>&1 &
  pid=$!
  if [[ -z $at ]]; then
    if ((i % 4 == 0)); then sleep "$(printf '0.%02d' $((RANDOM % 60 + 5)))" # anywhere, start-up included
    else
      for ((t = 0; t < 300; t++)); do grep -q "^train step" "$log" && break; sleep 0.05; done
      sleep "0.0$((RANDOM % 10))"
    fi
    kill -9 $pid 2>/dev/null || true
  fi
  wait $pid || rc=$?
  [[ $rc -eq 137 ]] || fail "kill $i: the run ended with $rc before it was killed: $(tail -n 3 "$log")"
  kills=$((kills + 1))
  ls "$dir/checkpoints" 2>/dev/null | grep -q "\.tmp-$pid\$" && in_write=$((in_write + 1))
done
newest=$(newest_step)
[[ ${newest:-0} -lt $steps ]] || fail "the run finished before the last kill (make steps larger)"
"$RECUR" "${run[@]}" --run_dir="$dir" --resume=1 >"$WORK/log" 2>&1 || fail "last resume: $(tail -n 3 "$WORK/log")"
echo "ok: $kills kill -9 ($in_write of them inside a checkpoint write), newest checkpoint then at step $newest; resumed to step $steps"
[[ $in_write -ge 4 ]] || fail "only $in_write kills landed inside a checkpoint write"

diff <(metrics_core "$WORK/straight/metrics.jsonl") <(metrics_core "$dir/metrics.jsonl") >"$WORK/diff" ||
  fail "metrics.jsonl after the kills differs from the straight run's: $(head -n 6 "$WORK/diff")"
last=$(printf 'step-%09d.h5' $steps)
for group in /model /optimizer; do
  "$COMPARE" "$WORK/straight/checkpoints/$last" "$dir/checkpoints/$last" $group 0 >"$WORK/cmp" ||
    fail "$group differs from the straight run: $(grep FAIL "$WORK/cmp" | head -n 3)"
done
echo "ok: parameters, optimizer state and metrics.jsonl equal the straight run's"
left=$(find "$dir" -name '*.tmp-*' | sed "s|$dir/||")
[[ -z $left ]] || fail "temporary files left: $left"
echo "ok: no temporary file left"
