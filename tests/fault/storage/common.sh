# common.sh: sourced by the storage fault tests (tests/fault/storage.cmake). A scratch
# directory $WORK removed on exit; recur run with 1 GiB of address space beyond what its
# libraries map at start (LIMIT_KB); helpers
# that say what failed and exit 1. Expects RECUR, POKE, ENOSPC_SHIM, SAMPLES.
set -euo pipefail
: "${RECUR:?RECUR is not set}" "${POKE:?POKE is not set}" "${ENOSPC_SHIM:?}" "${SAMPLES:?}"
WORK=$(mktemp -d)
MOUNTED=""
BACKGROUND=()  # processes a test started in the background, ended on exit
cleanup() {
  local p
  for p in "${BACKGROUND[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  [[ -z $MOUNTED ]] || umount "$MOUNTED" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
unset RECUR_DEBUG_HDF5

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }

# The address space recur has before it allocates anything: its libraries, MPI set up
# (with the CUDA backend linked, cuBLAS, cuBLASLt and NCCL alone map about 1 GB that is
# never touched). Read off a run that waits for its config on a pipe; the tests' 1 GiB
# allowance comes on top of it.
baseline_kb() {
  local pid kb=0
  sleep 3 | "$RECUR" train --config=/dev/stdin >/dev/null 2>&1 &
  pid=$!
  sleep 2
  kb=$(awk '/^VmPeak:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
  wait "$pid" 2>/dev/null || true
  echo "${kb:-0}"
}
LIMIT_KB=$(( $(baseline_kb) + 1048576 ))

# recur ARGS...: the program under the memory limit; stdout to $WORK/out, stderr to
# $WORK/err; sets RC (never fails itself).
recur() {
  RC=0
  (ulimit -v "$LIMIT_KB"; exec "$RECUR" "$@") >"$WORK/out" 2>"$WORK/err" || RC=$?
}

# expect STATUS PATTERN ARGS...: recur ARGS must exit STATUS with exactly one stderr line (notes and
# warnings aside) matching the extended regular expression PATTERN.
expect() {
  local status=$1 pattern=$2; shift 2
  recur "$@"
  [[ $RC -eq $status ]] || fail "expected exit $status, got $RC from: recur $* (stderr: $(head -c 800 "$WORK/err"))"
  grep -Eq -- "$pattern" "$WORK/err" || fail "stderr of 'recur $*' does not match /$pattern/: $(head -c 800 "$WORK/err")"
  [[ $(grep -Evc '^recur: (note|warning):' "$WORK/err") -eq 1 ]] || fail "'recur $*' printed more than one error line: $(head -c 800 "$WORK/err")"
  ok "exit $status: $(grep -Ev '^recur: (note|warning):' "$WORK/err")"
}

# expect_ok ARGS...: recur ARGS exits 0.
expect_ok() {
  recur "$@"
  [[ $RC -eq 0 ]] || fail "recur $* exited $RC: $(tail -c 800 "$WORK/err")"
}

no_temp_files() {
  local left
  left=$(find "$1" -name '*.tmp-*' | head -5)
  [[ -z $left ]] || fail "temporary files left in $1: $left"
}

# A tiny token-classification dataset file ($WORK/ag.h5).
make_tiny_dataset() {
  expect_ok prep text-csv --train="$SAMPLES/ag_news/train.csv" --header=0 --label_column=1 --text_columns=2,3 \
    --max_len=8 --valid_fraction=0.25 --output="$WORK/ag.h5"
}

# The settings of a small run on the synthetic corpus, and such a run in $WORK/run with
# checkpoints at steps 10 and 20.
TINY=(--hidden_size=8 --input_size=8 --synthetic_valid_size=64 --eval_every=10 --keep_checkpoints=10 --progress=lines)
make_tiny_run() {
  expect_ok train --run_dir="$WORK/run" "${TINY[@]}" --steps=20
}
