#!/usr/bin/env bash
# test_mpi_abort.sh: multi-rank failures end the whole job, promptly, with one message —
# never a hang (mpirun, 2-3 ranks, the synthetic corpus).
#  1. Bad input on every rank: exit 2, the message names the rank.
#  2. One rank runs with other settings: one message naming that rank, exit 2.
#  3. One of 3 ranks is killed (SIGKILL) in mid-training: mpirun ends the job non-zero
#     within 30 s, and the newest checkpoint is whole (it opens and evaluates).
#  4. One of 2 ranks hangs (SIGSTOP): the watchdog of the other ends the job within
#     RECUR_COMM_TIMEOUT (5 s here) + a margin, naming the collective and the hung rank.
# Usage: RECUR=path/to/recur test_mpi_abort.sh
set -u
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
check() { if eval "$2"; then echo "ok   $1"; passed=$((passed+1)); else echo "FAIL $1"; failed=$((failed+1)); fi; }
# A rank-aware wrapper: writes its pid to $work/pid.RANK, adds $EXTRA_ON_RANK_1 on rank 1.
cat >"$work/rank.sh" <<'WRAP'
#!/usr/bin/env bash
echo $$ >"$WORK/pid.$OMPI_COMM_WORLD_RANK"
if [[ $OMPI_COMM_WORLD_RANK == 1 && -n ${EXTRA_ON_RANK_1:-} ]]; then exec "$RECUR" "$@" $EXTRA_ON_RANK_1; fi
exec "$RECUR" "$@"
WRAP
chmod +x "$work/rank.sh"
export WORK=$work RECUR
quick=(train --data=synthetic --threads=1 --progress=lines --log_every=10)

# 1. bad input everywhere
start=$(date +%s)
timeout 60 mpirun -np 2 "$RECUR" train --threads=1 --data="$work/missing.h5" >"$work/out1" 2>&1
rc=$? elapsed=$(( $(date +%s) - start ))
check "bad input: status 2 (got $rc) in ${elapsed}s" '[ $rc -eq 2 ]'
check "bad input: the message names the rank and the file" 'grep -q "^recur: rank [01]/2 on .*missing.h5: cannot open" "$work/out1"'

# 2. one rank with another learning rate
timeout 60 env EXTRA_ON_RANK_1=--lr=0.2 mpirun -np 2 "$work/rank.sh" "${quick[@]}" --steps=5 --run_dir="$work/r2" >"$work/out2" 2>&1
rc=$?
check "mismatched settings: status 2 (got $rc)" '[ $rc -eq 2 ]'
check "mismatched settings: one message naming rank 1" \
  '[ $(grep -c "rank 1/2 on .* has lr = 0.2, but rank 0/2 on .* has lr = 0.1" "$work/out2") -eq 1 ]'

# 3. kill rank 2 of 3 once a checkpoint exists
rm -f "$work"/pid.*
start=$(date +%s)
timeout 120 mpirun -np 3 "$work/rank.sh" "${quick[@]}" --hidden_size=96 --steps=100000 --checkpoint_every=20 \
  --eval_every=0 --run_dir="$work/r3" >"$work/out3" 2>&1 &
job=$!
for _ in $(seq 1 300); do ls "$work"/r3/checkpoints/step-*.h5 >/dev/null 2>&1 && break; sleep 0.1; done
sleep 0.5
killed_at=$(date +%s)
kill -9 "$(cat "$work/pid.2")" 2>/dev/null
wait $job
rc=$? ended=$(( $(date +%s) - killed_at ))
check "killed rank: the job ends non-zero (got $rc) within 30 s of the kill (${ended}s)" \
  '[ $rc -ne 0 ] && [ $rc -ne 124 ] && [ $ended -le 30 ]'
newest=$(ls "$work"/r3/checkpoints/step-*.h5 2>/dev/null | tail -1)
check "killed rank: the newest checkpoint (${newest##*/}) is whole" \
  '[ -n "$newest" ] && "$RECUR" eval --checkpoint="$newest" --data=synthetic >/dev/null 2>&1 || h5dump -H "$newest" >/dev/null'

# 4. rank 1 hangs: SIGSTOP after start-up
rm -f "$work"/pid.*
start=$(date +%s)
RECUR_COMM_TIMEOUT=5 timeout 120 mpirun -np 2 -x RECUR_COMM_TIMEOUT "$work/rank.sh" "${quick[@]}" --hidden_size=96 \
  --steps=100000 --eval_every=0 --run_dir="$work/r4" >"$work/out4" 2>&1 &
job=$!
for _ in $(seq 1 300); do grep -q "train step" "$work/out4" 2>/dev/null && break; sleep 0.1; done
sleep 1
stopped_at=$(date +%s)
kill -STOP "$(cat "$work/pid.1")" 2>/dev/null
wait $job
rc=$? ended=$(( $(date +%s) - stopped_at ))
kill -9 "$(cat "$work/pid.1")" 2>/dev/null
check "hung rank: the job ends non-zero (got $rc) within 5 s + 20 s (${ended}s)" '[ $rc -ne 0 ] && [ $rc -ne 124 ] && [ $ended -le 25 ]'
check "hung rank: the watchdog names the waiting rank, the collective and the rank that did not arrive" \
  'grep -q "recur: rank 0/2 on .*: .* has waited [0-9]* s (RECUR_COMM_TIMEOUT = 5 s) for rank 1/2 on .*: it has not arrived" "$work/out4"'
[[ $failed -eq 0 ]] || { for f in "$work"/out*; do echo "== $f"; tail -5 "$f"; done; }
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
