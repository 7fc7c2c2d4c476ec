# fault_common.sh: shared by the process/resume fault scripts (sourced). Expects RECUR (and
# COMPARE, the checkpoint comparer, where a script uses it) in the environment; gives each
# script a scratch directory $WORK removed on exit, mpirun settings for root and small
# machines, and helpers that say what failed and exit 1.
set -euo pipefail
: "${RECUR:?RECUR is not set}"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
# A tiny model on a small generated corpus: a step takes about a millisecond.
TINY=(--data=synthetic --synthetic_train_size=256 --synthetic_valid_size=64 --cell=gru --hidden_size=8
      --input_size=8 --batch_size=16 --threads=1 --progress=lines --optimizer=adam --lr=0.01)

fail() { echo "FAIL: $*" >&2; exit 1; }

# expect_error PATTERN CMD...: CMD must exit 2 with one stderr line matching PATTERN (ERE).
expect_error() {
  local pattern=$1; shift
  local rc=0
  "$@" >"$WORK/out" 2>"$WORK/err" || rc=$?
  [[ $rc -eq 2 ]] || fail "expected exit 2, got $rc from: $* (stderr: $(head -c 600 "$WORK/err"))"
  grep -Eq -- "$pattern" "$WORK/err" || fail "stderr of '$*' does not match /$pattern/: $(head -c 600 "$WORK/err")"
  [[ $(grep -vc '^recur-job:' "$WORK/err") -le 1 ]] || fail "error of '$*' is more than one line: $(head -c 600 "$WORK/err")"
  echo "ok (exit 2): $(grep -v '^recur-job:' "$WORK/err" | head -n 1)"
}

# metrics_core FILE: metrics.jsonl without what differs between runs of the same steps
# (wall time and rates), one object per line, for comparing runs.
metrics_core() { sed -E 's/, "(wall_s|samples_per_s)": [-0-9.e+]+//g' "$1"; }

# wait_for PATTERN FILE [TENTHS]: until FILE has a line matching PATTERN (default 30 s).
wait_for() {
  local i
  for ((i = 0; i < ${3:-300}; i++)); do grep -Eq -- "$1" "$2" 2>/dev/null && return 0; sleep 0.1; done
  fail "no line /$1/ in $2 after $(( ${3:-300} / 10 )) s: $(tail -n 3 "$2" 2>/dev/null)"
}
