#!/usr/bin/env bash
# fault_process_hang.sh: a rank that hangs in mid-training (SIGSTOP) is named: the job ends
# within RECUR_COMM_TIMEOUT (3 s here) + the 2 s the others wait for its answer + a margin,
# exit 1, with one message "... has waited N s (RECUR_COMM_TIMEOUT = 3 s) for rank R/W on
# HOST: it has not arrived and does not answer", as docs/PARALLEL.md ("Start-up and hangs")
# promises, also when another rank is held up in an earlier collective (3 ranks).
#  1. 3 ranks, rank 2 stopped: rank 0 names rank 2/3.
#  2. 2 ranks, rank 0 stopped: rank 1 names rank 0/2.
# Usage: RECUR=... fault_process_hang.sh PROJECT_ROOT
source "$(dirname "$0")/fault_common.sh"
export WORK RECUR
cat >"$WORK/rank.sh" <<'WRAP'
#!/usr/bin/env bash
echo $$ >"$WORK/pid.$OMPI_COMM_WORLD_RANK"
exec "$RECUR" "$@"
WRAP
chmod +x "$WORK/rank.sh"
host=$(hostname)

# hang RANKS STOPPED: stops rank STOPPED once training runs; checks the end and the message.
hang() {
  local ranks=$1 stopped=$2 rc=0 out=$WORK/hang$1.out
  rm -f "$WORK"/pid.*
  RECUR_COMM_TIMEOUT=3 timeout 60 mpirun -np "$ranks" -x RECUR_COMM_TIMEOUT "$WORK/rank.sh" train "${TINY[@]}" \
    --steps=1000000 --eval_every=0 --log_every=20 --run_dir="$WORK/r$ranks" >"$out" 2>&1 &
  local job=$!
  wait_for "^train step" "$out"
  kill -STOP "$(cat "$WORK/pid.$stopped")"
  local start=$SECONDS
  wait $job || rc=$?
  local took=$((SECONDS - start))
  kill -9 "$(cat "$WORK/pid.$stopped")" 2>/dev/null || true
  [[ $rc -eq 1 ]] || fail "$ranks ranks, rank $stopped stopped: exit $rc (124: a hang): $(grep recur: "$out")"
  [[ $took -le 15 ]] || fail "$ranks ranks: the job took ${took}s to end, more than 3 s + 2 s + 10 s"
  local pattern="^recur: rank [0-9]/$ranks on $host: .* has waited [3-9] s \(RECUR_COMM_TIMEOUT = 3 s\) for rank $stopped/$ranks on $host: it has not arrived"
  grep -Eq -- "$pattern" "$out" || fail "$ranks ranks: the stopped rank is not named: $(grep recur: "$out")"
  [[ $(grep -c '^recur: rank' "$out") -eq 1 ]] || fail "$ranks ranks: not one message: $(grep recur: "$out")"
  echo "ok: $ranks ranks, rank $stopped stopped: exit 1 after ${took}s: $(grep -E -- "$pattern" "$out")"
}
hang 3 2
hang 2 0
