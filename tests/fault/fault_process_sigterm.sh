#!/usr/bin/env bash
# fault_process_sigterm.sh: SIGTERM to a multi-rank job ends it with status 143, as
# docs/PARALLEL.md ("Exit statuses") promises, with a checkpoint of the step it stopped
# after, and resume=1 continues from that step.
#  1. jobs/run_local.sh 2 (a real mpirun job), SIGTERM to the launcher: exit 143.
#  2. The same with SIGINT (Ctrl-C): exit 143.
#  3. SIGTERM to one rank of a bare mpirun job: every rank stops at the same step, exit 143.
# Usage: RECUR=... fault_process_sigterm.sh PROJECT_ROOT
root=$1
source "$(dirname "$0")/fault_common.sh"
printf '%s\n' "data = synthetic" "steps = 1000000" "eval_every = 0" "log_every = 20" >"$WORK/long.conf"

# stop_job SIGNAL RUN: starts run_local.sh on 2 ranks, sends SIGNAL once training logs,
# and checks the exit status, the checkpoint at the stop step and the resume.
stop_job() {
  local sig=$1 run=$WORK/$2 rc=0
  set -m # or the background job would start with SIGINT ignored, as a shell's jobs do
  RECUR=$RECUR "$root/jobs/run_local.sh" 2 "$WORK/long.conf" "${TINY[@]}" --steps=1000000 --run_dir="$run" \
    >"$run.out" 2>&1 &
  local job=$!
  set +m
  wait_for "^train step" "$run.out"
  kill -"$sig" $job
  wait $job || rc=$?
  [[ $rc -eq 143 ]] || fail "SIG$sig to run_local.sh: exit $rc, expected 143: $(tail -n 4 "$run.out")"
  local stopped
  stopped=$(sed -n 's/^stopped by a signal after step \([0-9]*\);.*/\1/p' "$run.out")
  [[ -n $stopped && -f $run/checkpoints/$(printf 'step-%09d.h5' "$stopped") ]] ||
    fail "SIG$sig: no checkpoint of the stop step: $(tail -n 3 "$run.out")"
  RECUR=$RECUR "$root/jobs/run_local.sh" 2 "$WORK/long.conf" "${TINY[@]}" --steps=$((stopped + 3)) \
    --run_dir="$run" >"$run.2.out" 2>&1 || fail "resume after SIG$sig: $(tail -n 3 "$run.2.out")"
  grep -q "resume: .*(step $stopped," "$run.2.out" || fail "SIG$sig: did not resume from step $stopped"
  echo "ok: SIG$sig to mpirun's launcher: exit 143 after step $stopped, checkpoint written, resumed from it"
}
stop_job TERM term
stop_job INT int

# 3. one rank of a bare mpirun job gets SIGTERM (what Slurm does to the tasks).
cat >"$WORK/rank.sh" <<'WRAP'
#!/usr/bin/env bash
echo $$ >"$WORK/pid.$OMPI_COMM_WORLD_RANK"
exec "$RECUR" "$@"
WRAP
chmod +x "$WORK/rank.sh"
export WORK RECUR
rc=0
mpirun -np 2 "$WORK/rank.sh" train "${TINY[@]}" --steps=1000000 --eval_every=0 --log_every=20 \
  --run_dir="$WORK/r3" >"$WORK/r3.out" 2>&1 &
job=$!
wait_for "^train step" "$WORK/r3.out"
kill -TERM "$(cat "$WORK/pid.1")"
wait $job || rc=$?
[[ $rc -eq 143 ]] || fail "SIGTERM to rank 1: mpirun exit $rc, expected 143: $(tail -n 4 "$WORK/r3.out")"
echo "ok: SIGTERM to one rank: mpirun exit 143"
