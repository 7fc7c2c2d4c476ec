#!/usr/bin/env bash
# fault_process_startup.sh: a rank that stops during start-up ends the job within
# RECUR_STARTUP_TIMEOUT (3 s here) plus a margin, exit 1, with one message naming it, as
# docs/PARALLEL.md ("Start-up and hangs") promises; never a hang. 2 ranks, mpirun:
#  1. rank 1 never reaches MPI_Init (its wrapper stops before starting recur);
#  2. rank 1 stops inside MPI_Init (the others wait in MPI_Init);
#  3. rank 1 stops right after MPI_Init (the others wait in recur's start-up handshake);
#  4. a normal start-up leaves no check-in file behind; a bad RECUR_STARTUP_TIMEOUT: exit 2.
# Usage: RECUR=... STOP_SHIM=libstop_in_mpi_init.so fault_process_startup.sh PROJECT_ROOT
source "$(dirname "$0")/fault_common.sh"
: "${STOP_SHIM:?STOP_SHIM is not set}"
export TMPDIR=$WORK WORK RECUR # the check-in files go under $TMPDIR
cat >"$WORK/rank.sh" <<'WRAP'
#!/usr/bin/env bash
echo $$ >"$WORK/pid.$OMPI_COMM_WORLD_RANK"
[[ $OMPI_COMM_WORLD_RANK == 1 && ${STOP_BEFORE_START:-} == 1 ]] && kill -STOP $$
exec "$RECUR" "$@"
WRAP
chmod +x "$WORK/rank.sh"
host=$(hostname)

# stopped_startup NAME PATTERN ENV...: the job with ENV, rank 1 stopped somewhere in
# start-up; it must end with exit 1 within 3 s + 12 s and one line matching PATTERN.
stopped_startup() {
  local name=$1 pattern=$2 rc=0
  shift 2
  rm -f "$WORK"/pid.*
  local start=$SECONDS
  env RECUR_STARTUP_TIMEOUT=3 "$@" timeout 60 mpirun -np 2 -x RECUR_STARTUP_TIMEOUT -x TMPDIR -x STOP_RANK -x STOP_WHEN \
    -x STOP_BEFORE_START -x LD_PRELOAD "$WORK/rank.sh" train "${TINY[@]}" --steps=5 --run_dir="$WORK/$name" \
    >"$WORK/$name.out" 2>&1 || rc=$?
  local took=$((SECONDS - start))
  [[ -f $WORK/pid.1 ]] && kill -9 "$(cat "$WORK/pid.1")" 2>/dev/null
  [[ $rc -eq 1 ]] || fail "$name: exit $rc (124: a hang), expected 1: $(tail -n 5 "$WORK/$name.out")"
  [[ $took -le 15 ]] || fail "$name: the job took ${took}s to end, more than 3 s + 12 s"
  grep -Eq -- "$pattern" "$WORK/$name.out" || fail "$name: no line /$pattern/: $(grep recur: "$WORK/$name.out")"
  [[ $(grep -c '^recur: ' "$WORK/$name.out") -le 2 ]] || fail "$name: more than 2 messages: $(grep recur: "$WORK/$name.out")"
  echo "ok: $name: exit 1 after ${took}s: $(grep -E -- "$pattern" "$WORK/$name.out" | head -n 1)"
}
stopped_startup never_started \
  "^recur: rank 0/2 on $host: start-up \(MPI_Init, waiting for every rank\) has waited [3-9] s \(RECUR_STARTUP_TIMEOUT = 3 s\): rank 1/2 on $host never reached MPI_Init" \
  STOP_BEFORE_START=1 STOP_RANK= STOP_WHEN= LD_PRELOAD=
stopped_startup in_mpi_init \
  "^recur: rank 0/2 on $host: start-up \(MPI_Init, waiting for every rank\) has waited [3-9] s .*: rank 1/2 on $host \(pid [0-9]+\) is stopped" \
  STOP_BEFORE_START= STOP_RANK=1 STOP_WHEN=before LD_PRELOAD="$STOP_SHIM"
stopped_startup after_mpi_init \
  "^recur: rank 0/2 on $host: start-up \(every rank.s host name\) has waited [3-9] s \(RECUR_STARTUP_TIMEOUT = 3 s\) for rank 1/2: it has not arrived .*: rank 1/2 on $host \(pid [0-9]+\) is stopped" \
  STOP_BEFORE_START= STOP_RANK=1 STOP_WHEN=after LD_PRELOAD="$STOP_SHIM"

# 4. a whole start-up removes its check-in files (the jobs above, killed, left theirs); a
# bad limit is bad usage
rm -rf "$WORK"/recur-start-*
mpirun -np 2 -x TMPDIR "$RECUR" train "${TINY[@]}" --steps=5 --run_dir="$WORK/fine" >/dev/null 2>&1 ||
  fail "a normal 2-rank run failed"
left=$(find "$WORK" -path "$WORK/recur-start-*" | head -n 3)
[[ -z $left ]] || fail "check-in files left after a normal start-up: $left"
expect_error "RECUR_STARTUP_TIMEOUT must be a number of seconds >= 0" env RECUR_STARTUP_TIMEOUT=soon "$RECUR" train \
  "${TINY[@]}" --steps=1 --run_dir="$WORK/bad"
echo "ok: start-up left no check-in file; a bad RECUR_STARTUP_TIMEOUT is refused"
