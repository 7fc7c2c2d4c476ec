#!/usr/bin/env bash
# test_gpu_train.sh: whole training runs on the GPU equal the CPU path.
#  For LSTM, GRU and tanh RNN (2 layers, bidirectional, dropout 0.2, Adam, clip_norm):
#  10 steps with device = gpu (through the NCCL reducer, one rank) and device = cpu from
#  the same seed give the same parameters and Adam state within 1e-4 relative (per tensor,
#  max |gpu - cpu| / max |cpu|). With 2 or more GPUs also 2 ranks on GPUs (NCCL) against
#  2 ranks on the CPU (MPI), same shards and order. Skipped (77) without a GPU build or GPU.
# Usage: RECUR=path/to/recur COMPARE=path/to/compare_checkpoints test_gpu_train.sh
set -u
if ! "$RECUR" version | grep -Eq "cuda \([1-9][0-9]* device"; then
  echo "skipped: no GPU ($("$RECUR" version | tail -1))"
  exit 77
fi
gpus=$("$RECUR" version | sed -n 's/.*cuda (\([0-9]*\) device.*/\1/p')
run_dir=$(mktemp -d)
trap 'rm -rf "$run_dir"' EXIT
passed=0 failed=0
check() { if eval "$2"; then echo "ok   $1"; passed=$((passed+1)); else echo "FAIL $1"; failed=$((failed+1)); fi; }
last() { ls "$1"/checkpoints/step-*.h5 2>/dev/null | tail -1; }

for cell in lstm gru rnn_tanh; do
  common=(--cell=$cell --num_layers=2 --bidirectional=1 --dropout=0.2 --hidden_size=48 --optimizer=adam
          --lr=0.003 --clip_norm=1 --steps=10 --eval_every=0 --log_every=5 --seed=3 --progress=lines)
  "$RECUR" train "${common[@]}" --device=cpu --run_dir="$run_dir/cpu_$cell" > "$run_dir/cpu_$cell.txt" 2>&1
  "$RECUR" train "${common[@]}" --device=gpu --run_dir="$run_dir/gpu_$cell" > "$run_dir/gpu_$cell.txt" 2>&1
  check "$cell: both runs end at step 10" '[ -n "$(last "$run_dir/cpu_$cell")" ] && [ -n "$(last "$run_dir/gpu_$cell")" ]' || { cat "$run_dir/gpu_$cell.txt"; continue; }
  check "$cell: parameters equal to 1e-4" '"$COMPARE" "$(last "$run_dir/cpu_$cell")" "$(last "$run_dir/gpu_$cell")" /model 1e-4'
  check "$cell: Adam state equal to 1e-4" '"$COMPARE" "$(last "$run_dir/cpu_$cell")" "$(last "$run_dir/gpu_$cell")" /optimizer 1e-4'
done

if [ "${gpus:-0}" -ge 2 ]; then
  common=(--cell=gru --hidden_size=48 --optimizer=adam --lr=0.003 --steps=10 --eval_every=0 --seed=5 --progress=lines)
  for device in cpu gpu; do
    OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun -np 2 \
      "$RECUR" train "${common[@]}" --device=$device --run_dir="$run_dir/two_$device" > "$run_dir/two_$device.txt" 2>&1
  done
  check "2 ranks: NCCL on GPUs == MPI on the CPU to 1e-4" \
    '"$COMPARE" "$(last "$run_dir/two_cpu")" "$(last "$run_dir/two_gpu")" /model 1e-4'
else
  echo "skipped: 2-rank NCCL comparison (needs 2 GPUs, this machine has ${gpus:-0})"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
