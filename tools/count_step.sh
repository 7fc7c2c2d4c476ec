#!/usr/bin/env bash
# count_step.sh: what one training step asks of the GPU — kernel launches, GEMMs by shape,
# copies, host synchronisations — counted on the emulated device (tests/gpu_emulator).
# Trains N and then M steps with recur_emu and RECUR_EMU_COUNT, and prints the difference
# per step (tools/emu_counts.py); products run on OpenBLAS (RECUR_EMU_GEMM=blas) so big
# models finish.
#   tools/count_step.sh RECUR_EMU N M [recur train --key=value ...]
# e.g. the AG News model of docs/PERFORMANCE.md:
#   tools/count_step.sh build/tests/gpu_emulator/recur_emu 2 4 --data=agnews64.h5 \
#     --cell=gru --num_layers=3 --hidden_size=512 --embedding_size=512 --batch_size=128 --optimizer=adam
set -euo pipefail
recur=$1 n=$2 m=$3
shift 3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
here=$(cd "$(dirname "$0")" && pwd)
for steps in "$n" "$m"; do
  RECUR_EMU_COUNT="$dir/counts_$steps.tsv" RECUR_EMU_GEMM=blas "$recur" train --device=gpu --eval_every=0 \
    --progress=lines --run_dir="$dir/run_$steps" "$@" --steps="$steps" > "$dir/log_$steps.txt" 2>&1 ||
    { tail -20 "$dir/log_$steps.txt"; exit 1; }
done
python3 "$here/emu_counts.py" "$dir/counts_$n.tsv" "$dir/counts_$m.tsv" "$n" "$m"
