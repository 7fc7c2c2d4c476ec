#!/usr/bin/env bash
# test_gpu_train.sh: whole training runs on the GPU path equal the CPU path. Run by ctest
# twice: `gpu_train` with the real recur (skipped without a GPU) and `gpu_train_emulated`
# with recur_emu, the same program on the emulated device (tests/gpu_emulator, 2 devices).
#
# For LSTM, GRU and tanh RNN (2 layers, bidirectional, dropout 0.2), from the same seed:
#  1. gradients after one step: SGD with momentum keeps the first step's gradient as its
#     momentum buffer, so the checkpoints' /optimizer are the gradients;
#  2. parameters after 10 SGD steps (lr 0.1, momentum 0.9, clip_norm 1).
#  Tolerance 1e-4 per tensor (max |gpu - cpu| / max |cpu|): the two sides sum the same
#  float32 products in different orders (cuBLAS or the emulator's double-accumulating
#  GEMM vs OpenBLAS), about 1e-7 relative per product, grown by the T-step recurrences
#  (the GPU model tests see at most 7e-7 per step); 1e-4 leaves two orders of margin and
#  still catches a wrong element, gate or step. Adam is not compared: its update
#  lr * m / (sqrt(v) + eps) turns a last-bit difference in a near-zero gradient into an
#  lr-sized move of the parameter, so equal backends can differ by lr after a few steps.
#  3. with 2 or more GPUs: 2 ranks on GPUs (NCCL) against 2 ranks on the CPU (MPI), 10
#     SGD steps, 1e-4; and the GPU each rank takes: local rank with 2 visible devices,
#     device 0 for ranks that see exactly one (CUDA_VISIBLE_DEVICES=1). With 4 or more
#     GPUs, 4 ranks the same way (3 steps).
#  4. checkpoint and resume through the GPU path: 4 steps, resume to 8, equals 8 straight
#     (RESUME_TOLERANCE, default 0: bit for bit; the GPU path has no atomics in its sums,
#     so a real GPU must pass it too).
# Usage: RECUR=path/to/recur COMPARE=path/to/compare_checkpoints test_gpu_train.sh
set -u
. "$(dirname "$0")/gpu_test_setup.sh"  # skips without a GPU; gpus, run_dir, check
last() { ls "$1"/checkpoints/step-*.h5 2>/dev/null | tail -1; }
# train NAME ARGS...: one run into $run_dir/NAME; its output is shown when it fails.
train() {
  local name=$1; shift
  if ! "$@" --run_dir="$run_dir/$name" > "$run_dir/$name.txt" 2>&1; then
    echo "---- $name failed:"; tail -20 "$run_dir/$name.txt"
  fi
}

for cell in lstm gru rnn_tanh; do
  common=(--cell=$cell --num_layers=2 --bidirectional=1 --dropout=0.2 --hidden_size=48 --optimizer=sgd
          --momentum=0.9 --lr=0.1 --eval_every=0 --log_every=5 --seed=3 --progress=lines)
  for device in cpu gpu; do
    train "grad_${device}_$cell" "$RECUR" train "${common[@]}" --steps=1 --device=$device
    train "sgd_${device}_$cell" "$RECUR" train "${common[@]}" --steps=10 --clip_norm=1 --device=$device
  done
  train "grad_steps_$cell" "$RECUR" train "${common[@]}" --steps=1 --device=gpu --gpu_recurrence=steps
  check "$cell: the GPU runs took the persistent recurrence kernels" \
    'grep -q "recurrence: persistent kernels" "$run_dir/grad_gpu_$cell.txt"'
  check "$cell: gradients after one step equal to 1e-4" \
    '"$COMPARE" "$(last "$run_dir/grad_cpu_$cell")" "$(last "$run_dir/grad_gpu_$cell")" /optimizer 1e-4'
  check "$cell: gradients after one step equal to 1e-4 (gpu_recurrence = steps)" \
    '"$COMPARE" "$(last "$run_dir/grad_cpu_$cell")" "$(last "$run_dir/grad_steps_$cell")" /optimizer 1e-4'
  check "$cell: parameters after 10 SGD steps equal to 1e-4" \
    '"$COMPARE" "$(last "$run_dir/sgd_cpu_$cell")" "$(last "$run_dir/sgd_gpu_$cell")" /model 1e-4'
done

if [ "${gpus:-0}" -ge 2 ]; then
  common=(--cell=gru --hidden_size=48 --optimizer=sgd --momentum=0.9 --lr=0.1 --eval_every=0 --seed=5
          --progress=lines)
  for device in cpu gpu; do
    train "two_$device" mpirun -np 2 "$RECUR" train "${common[@]}" --steps=10 --device=$device
  done
  check "2 ranks: NCCL on GPUs == MPI on the CPU to 1e-4" \
    '"$COMPARE" "$(last "$run_dir/two_cpu")" "$(last "$run_dir/two_gpu")" /model 1e-4'
  check "2 ranks, 2 visible GPUs: rank r takes GPU r" \
    'grep -q "rank 0 -> GPU 0, rank 1 -> GPU 1" "$run_dir/two_gpu.txt"'
  train one_visible env CUDA_VISIBLE_DEVICES=1 mpirun -x CUDA_VISIBLE_DEVICES -np 2 "$RECUR" train \
    "${common[@]}" --steps=2 --device=gpu
  check "2 ranks that each see one GPU: both take device 0 and train" \
    'grep -q "rank 0 -> GPU 0, rank 1 -> GPU 0" "$run_dir/one_visible.txt" && [ -n "$(last "$run_dir/one_visible")" ]'
else
  echo "skipped: 2-rank NCCL comparison and GPU choice (needs 2 GPUs, this machine has ${gpus:-0})"
fi
if [ "${gpus:-0}" -ge 4 ]; then
  for device in cpu gpu; do
    train "four_$device" mpirun -np 4 "$RECUR" train --cell=lstm --hidden_size=24 --optimizer=sgd --lr=0.1 \
      --batch_size=8 --steps=3 --eval_every=0 --seed=6 --progress=lines --device=$device
  done
  check "4 ranks: NCCL on 4 GPUs == MPI on the CPU to 1e-4" \
    '"$COMPARE" "$(last "$run_dir/four_cpu")" "$(last "$run_dir/four_gpu")" /model 1e-4'
fi

common=(--cell=lstm --hidden_size=32 --optimizer=adam --lr=0.003 --eval_every=0 --checkpoint_every=4 --seed=7
        --progress=lines --device=gpu)
train straight "$RECUR" train "${common[@]}" --steps=8
train resumed "$RECUR" train "${common[@]}" --steps=4
train resumed "$RECUR" train "${common[@]}" --steps=8 --resume=1
check "resume through the GPU path: 4 + 4 steps == 8 steps (tolerance ${RESUME_TOLERANCE:-0})" \
  '"$COMPARE" "$(last "$run_dir/straight")" "$(last "$run_dir/resumed")" /model ${RESUME_TOLERANCE:-0} &&
   "$COMPARE" "$(last "$run_dir/straight")" "$(last "$run_dir/resumed")" /optimizer ${RESUME_TOLERANCE:-0}'
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
