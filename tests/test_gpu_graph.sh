#!/usr/bin/env bash
# test_gpu_graph.sh: the training step replayed as one CUDA graph per batch shape
# (gpu_graph = 1, train/step_graph.h) gives the bits of the same step launched op by op
# (gpu_graph = 0): the same losses in metrics.jsonl and the same weights and optimizer
# state in every checkpoint (compare_checkpoints, tolerance 0), over runs whose batch
# shapes repeat and change (ragged synthetic sequences bucketed by length, a short last
# batch), with dropout between layers and in the head, Adam under a warm-up + cosine
# schedule (the rate and bias corrections change every step), clip_norm, evaluations in
# between; on 1 and 2 ranks (NCCL inside the graph); and
# a run whose non-finite steps are skipped (relu RNN, SGD with momentum, lr 1000,
# nonfinite = skip). Each graph run must have replayed steps (its last line counts them).
# Run by ctest as `gpu_graph_emulated` (recur_emu, 2 emulated devices) and `gpu_graph` (the
# real recur: skipped without a GPU; the 2-rank part needs 2 GPUs, as NCCL takes one per rank).
# Usage: RECUR=path/to/recur COMPARE=path/to/compare_checkpoints test_gpu_graph.sh
set -u
. "$(dirname "$0")/gpu_test_setup.sh"  # skips without a GPU; gpus, run_dir, check
# train NAME LAUNCHER... -- ARGS...: one run into $run_dir/NAME; its output is shown when it fails.
train() {
  local name=$1; shift
  if ! "$@" --run_dir="$run_dir/$name" > "$run_dir/$name.txt" 2>&1; then
    echo "---- $name failed:"; tail -20 "$run_dir/$name.txt"
  fi
}
# metrics NAME: metrics.jsonl without the timings
metrics() { sed -E 's/, "(wall_s|samples_per_s)": [0-9.e+-]+//g' "$run_dir/$1/metrics.jsonl" 2>/dev/null; }
# same_run A B: equal metrics, and every checkpoint's weights and optimizer state equal to the bit
same_run() {
  local a=$1 b=$2 n=0
  [ -s "$run_dir/$a/metrics.jsonl" ] && [ "$(metrics "$a")" = "$(metrics "$b")" ] || return 1
  for ckpt in "$run_dir/$a"/checkpoints/step-*.h5; do
    other="$run_dir/$b/checkpoints/$(basename "$ckpt")"
    "$COMPARE" "$ckpt" "$other" /model 0 > /dev/null && "$COMPARE" "$ckpt" "$other" /optimizer 0 > /dev/null || return 1
    n=$((n + 1))
  done
  [ $n -ge 2 ]
}
replayed() { sed -n 's/^recur: step graphs: [0-9]* step(s) captured, \([0-9]*\) replayed$/\1/p' "$run_dir/$1.txt"; }

common=(--device=gpu --cell=lstm --num_layers=2 --dropout=0.3 --head_hidden=8 --head_dropout=0.2 --hidden_size=12
        --batch_size=8 --synthetic_train_size=196 --synthetic_valid_size=40 --synthetic_max_len=14 --optimizer=adam
        --lr=0.02 --schedule=cosine --warmup_steps=6 --clip_norm=0.5 --eval_every=15 --keep_checkpoints=10
        --log_every=1 --seed=11 --progress=lines)
for graph in 1 0; do
  train "one_$graph" "$RECUR" train "${common[@]}" --steps=60 --gpu_graph=$graph
  [ "${gpus:-0}" -ge 2 ] && train "two_$graph" mpirun -np 2 "$RECUR" train "${common[@]}" --steps=30 --gpu_graph=$graph
  train "skip_$graph" "$RECUR" train --device=gpu --cell=rnn_relu --lr=1000 --momentum=0.9 --clip_norm=0 \
    --nonfinite=skip --batch_size=8 --synthetic_max_len=10 --eval_every=10 --keep_checkpoints=10 --log_every=1 \
    --progress=lines --steps=30 --gpu_graph=$graph
done
check "1 rank: the graph run says so at start" 'grep -q "step graphs: on" "$run_dir/one_1.txt"'
check "1 rank: steps replayed from graphs ($(replayed one_1))" '[ "$(replayed one_1)" -gt 10 ]'
check "1 rank: gpu_graph = 0 says so and replays nothing" \
  'grep -q "step graphs: off (gpu_graph = 0)" "$run_dir/one_0.txt" && [ -z "$(replayed one_0)" ]'
check "1 rank: same losses, weights and Adam state to the bit, graph or not" 'same_run one_1 one_0'
if [ "${gpus:-0}" -ge 2 ]; then
  check "2 ranks (NCCL in the graph): steps replayed ($(replayed two_1))" '[ "$(replayed two_1)" -gt 3 ]'
  check "2 ranks: same losses, weights and Adam state to the bit, graph or not" 'same_run two_1 two_0'
else
  echo "skipped: 2 ranks (needs 2 GPUs, this machine has ${gpus:-0})"
fi
check "nonfinite = skip: steps were skipped" 'grep -q "update skipped" "$run_dir/skip_1.txt"'
check "nonfinite = skip: steps replayed ($(replayed skip_1))" '[ "$(replayed skip_1)" -gt 3 ]'
check "nonfinite = skip: the same steps skipped, same weights to the bit, graph or not" \
  '[ "$(grep -c "update skipped" "$run_dir/skip_1.txt")" = "$(grep -c "update skipped" "$run_dir/skip_0.txt")" ] && same_run skip_1 skip_0'
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
