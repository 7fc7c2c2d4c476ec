# common.sh: shared by the converter test scripts (sourced). Expects RECUR, SHARD_CHECK and
# SAMPLES in the environment (tests/prep/*.cmake pass them); gives each script a scratch
# directory $WORK that is removed on exit, and small assertion helpers that say what
# failed and exit 1.
set -euo pipefail
: "${RECUR:?RECUR is not set}" "${SAMPLES:?SAMPLES is not set}"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1

fail() { echo "FAIL: $*" >&2; exit 1; }

# expect_error PATTERN CMD...: CMD must exit 2 and its stderr must match the extended
# regular expression PATTERN (e.g. a file:line). Prints the message it got.
expect_error() {
  local pattern=$1; shift
  local rc=0
  "$@" >"$WORK/out" 2>"$WORK/err" || rc=$?
  [[ $rc -eq 2 ]] || fail "expected exit 2, got $rc from: $* (stderr: $(head -c 600 "$WORK/err"))"
  grep -Eq -- "$pattern" "$WORK/err" || fail "stderr of '$*' does not match /$pattern/: $(head -c 600 "$WORK/err")"
  [[ $(wc -l <"$WORK/err") -le 3 ]] || fail "error of '$*' is longer than 3 lines: $(head -c 600 "$WORK/err")"
  echo "ok (exit 2): $(head -n 1 "$WORK/err")"
}

# shards_ok FILE: the shard reader, under mpirun with 1, 2 and 3 ranks, reads every
# example of every split exactly once per epoch, equal to the whole split.
shards_ok() {
  : "${SHARD_CHECK:?SHARD_CHECK is not set}"
  local n
  for n in 1 2 3; do
    mpirun -n "$n" "$SHARD_CHECK" "$1" >"$WORK/shards" 2>&1 ||
      fail "shard check with $n ranks on $1: $(tail -n 20 "$WORK/shards")"
    echo "ok: $n rank(s): $(tail -n 1 "$WORK/shards")"
  done
}
