#!/usr/bin/env bash
# test_fatal_abort.sh: a GPU run that dies after NCCL is set up aborts its communicator
# (ncclCommAbort, through recur_on_fatal) before ending the job. On the emulated device,
# whose counting mode records the NCCL calls: a diverging run (relu RNN, lr 1e12, nonfinite = stop)
# must exit 1 naming the step, and its counts must show ncclCommAbort.
# Usage: RECUR=path/to/recur_emu test_fatal_abort.sh
set -u
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
RECUR_EMU_COUNT="$dir/counts.tsv" "$RECUR" train --device=gpu --cell=rnn_relu --lr=1e12 --steps=20 --eval_every=0 \
  --progress=lines --run_dir="$dir/run" > "$dir/out.txt" 2>&1
rc=$?
tail -3 "$dir/out.txt"
grep -E "^nccl" "$dir/counts.tsv"
[ "$rc" -eq 1 ] || { echo "FAIL: exit $rc, expected 1"; exit 1; }
grep -q "training diverged" "$dir/out.txt" || { echo "FAIL: no divergence message"; exit 1; }
grep -q "ncclCommAbort" "$dir/counts.tsv" || { echo "FAIL: the communicator was not aborted"; exit 1; }
echo "ok: the fatal path aborted the NCCL communicator"
