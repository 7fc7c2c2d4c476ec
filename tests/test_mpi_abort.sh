#!/usr/bin/env bash
# test_mpi_abort.sh: a failure on the ranks of an mpirun job ends the whole job promptly,
# with recur's message naming the rank and a non-zero status — never a hang. Today
# `recur train` refuses more than one rank (exit 2); the job must end within 60 s.
# Usage: RECUR=path/to/recur test_mpi_abort.sh
set -u
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
out=$(mktemp)
trap 'rm -f "$out"' EXIT
passed=0 failed=0
check() { if eval "$2"; then echo "ok   $1"; passed=$((passed+1)); else echo "FAIL $1"; failed=$((failed+1)); fi; }

start=$(date +%s)
timeout 60 mpirun -np 2 "$RECUR" train --steps=5 > "$out" 2>&1
rc=$?
elapsed=$(( $(date +%s) - start ))
cat "$out"
check "mpirun ends without a hang (status $rc, ${elapsed}s)" '[ $rc -ne 124 ] && [ $rc -ne 137 ]'
check "status is 2, bad usage (got $rc)" '[ $rc -eq 2 ]'
check "message names the rank" 'grep -q "^recur: rank [01]/2 on .*: train: 2 ranks" "$out"'
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
