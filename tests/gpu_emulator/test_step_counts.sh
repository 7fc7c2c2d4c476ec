#!/usr/bin/env bash
# test_step_counts.sh: what one GPU training step asks of the device, counted on the
# emulated device (tools/count_step.sh), per step of a run of 4 steps minus one of 2, so
# the counted steps are replays of the step's CUDA graph (gpu_graph = 1: the first step
# of the shape runs by itself, the second is captured): exactly 1 graph launch and no
# separate kernel launch or GEMM, 1 host synchronisation (one read of the loss and the
# gradient norms together, at the end of the step: no download of the outputs; also with
# clip_value and clip_norm, which read the norm on the device), 1 device-to-host copy, 5
# host-to-device copies from pinned memory (the step's scalars — rate, bias corrections,
# dropout seed, loss count — and the batch: lengths, tokens, the token links of the
# embedding gradient, labels; the batch staged ahead is the one used, not uploaded
# again), and no scaling pass of the gradients with one rank. With the persistent
# recurrence kernels, what the graph holds (launches, GEMMs) and the copies per step do
# not depend on T: T = 12 and 24 give the same counts. With gpu_graph = 0 the same step
# is launched op by op: the same kernels and GEMMs, 1 synchronisation, 5 uploads. The
# biases are added and their gradients summed inside the products (cuBLASLt epilogues):
# no bias pass, no GEMV; where cuBLASLt offers no algorithm the separate passes come back.
# With the layer wavefront (RECUR_WAVEFRONT=1 against 0, op by op), a 3-layer
# unidirectional LSTM's recurrence launches per step drop from 2L = 6 (a forward and a
# backward kernel per layer) to 2 (one each for all layers), at T = 12 and 24.
# Batches of one length (bench/make_fixed_length_csv.py), so no step grows a buffer.
# Usage: RECUR=path/to/recur_emu test_step_counts.sh PROJECT_DIR
set -u
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 "$1/bench/make_fixed_length_csv.py" --lines 200 --min_words 30 --max_words 40 --vocab 300 --out "$dir/t.csv"
# count_table T: the per-step table of a 2-layer (LAYERS) LSTM on batches of T tokens.
project=$1
count_table() {
  local T=$1
  shift
  "$RECUR" prep text-csv --train="$dir/t.csv" --output="$dir/t$T.h5" --max_len="$T" > "$dir/prep.txt" 2>&1 ||
    { cat "$dir/prep.txt"; return 1; }
  bash "$project/tools/count_step.sh" "$RECUR" 2 4 --data="$dir/t$T.h5" --cell=lstm --hidden_size=16 \
    --num_layers="${LAYERS:-2}" --batch_size=8 "$@"
}
table=$(count_table 12 --clip_norm=0) || { echo "FAIL: count_step.sh (T = 12): $table"; exit 1; }
table_24=$(count_table 24 --clip_norm=0) || { echo "FAIL: count_step.sh (T = 24): $table_24"; exit 1; }
clipped=$(count_table 12 --clip_norm=1 --clip_value=0.5) || { echo "FAIL: count_step.sh (clipped): $clipped"; exit 1; }
ungraphed=$(count_table 12 --clip_norm=0 --gpu_graph=0) || { echo "FAIL: count_step.sh (gpu_graph = 0): $ungraphed"; exit 1; }
echo "$table" | sed -n '1,24p'
failed=0
# recurrence_launches: the per-step launches of the persistent recurrence kernels in a table.
recurrence_launches() { grep -E '^\| (recurrence|wavefront)_(forward|backward)_kernel' | awk -F'|' '{ n += $3 } END { print n + 0 }'; }
for T in 12 24; do
  for wave in 0 1; do
    t=$(LAYERS=3 RECUR_WAVEFRONT=$wave count_table "$T" --clip_norm=0 --gpu_graph=0) ||
      { echo "FAIL: count_step.sh (3 layers, RECUR_WAVEFRONT=$wave): $t"; exit 1; }
    got=$(recurrence_launches <<<"$t") want=$((wave ? 2 : 6))
    if [ "$got" = "$want" ]; then echo "ok   3 layers, T = $T, RECUR_WAVEFRONT=$wave: $got recurrence launches per step"
    else echo "FAIL 3 layers, T = $T, RECUR_WAVEFRONT=$wave: $got recurrence launches per step, expected $want"; failed=1; fi
  done
done
row() { grep -E "^\| $1 \|" | cut -d'|' -f3 | tr -d ' '; }
for what in "in graphs: kernel launches" "in graphs: GEMMs \(cuBLAS\)" "copy H2D pinned" "host synchronisations"; do
  a=$(row "$what" <<<"$table") b=$(row "$what" <<<"$table_24")
  if [ -n "$a" ] && [ "$a" = "$b" ]; then echo "ok   ${what//\\/} per step independent of T ($a at T = 12 and 24)"
  else echo "FAIL ${what//\\/} per step: $a at T = 12, $b at T = 24"; failed=1; fi
done
expect() { if grep -Eq -- "$3" <<<"$2"; then echo "ok   $1"; else echo "FAIL $1"; failed=1; fi; }
expect "1 graph launch per step" "$table" '^\| graph launches \(cudaGraphLaunch\) \| 1 \|'
expect "0 separate kernel launches per step" "$table" '^\| kernel launches \| 0 \|'
expect "0 separate GEMMs per step" "$table" '^\| GEMMs \(cuBLAS\) \| 0 \|'
expect "1 host synchronisation per step" "$table" '^\| host synchronisations \| 1 \|'
expect "1 device-to-host copy (loss and norms together), pageable" "$table" '^\| copy D2H pageable \| 1 \|'
expect "1 host synchronisation per step with clip_value and clip_norm" "$clipped" '^\| host synchronisations \| 1 \|'
expect "5 host-to-device copies from pinned memory (the step's scalars and the batch)" "$table" \
  '^\| copy H2D pinned \| 5 \|'
if grep -q "in graphs: copy H2D" <<<"$table"; then echo "FAIL an upload inside the graph"; failed=1; fi
if grep -q "copy H2D pageable" <<<"$table"; then echo "FAIL pageable uploads"; failed=1; else echo "ok   no pageable uploads"; fi
if grep -q "scale_vector_kernel" <<<"$table"; then echo "FAIL scaling pass with scale 1"; failed=1; else echo "ok   no scaling pass"; fi
# gpu_graph = 0: the same work, launched op by op
a=$(row "in graphs: kernel launches" <<<"$table") b=$(row "kernel launches" <<<"$ungraphed")
if [ -n "$a" ] && [ "$a" = "$b" ]; then echo "ok   gpu_graph = 0 launches the graph's $a kernels one by one"
else echo "FAIL kernels: $a in the graph, $b launched with gpu_graph = 0"; failed=1; fi
if grep -q "graph launches" <<<"$ungraphed"; then echo "FAIL a graph launch with gpu_graph = 0"; failed=1; fi
expect "gpu_graph = 0: 1 host synchronisation per step" "$ungraphed" '^\| host synchronisations \| 1 \|'
expect "gpu_graph = 0: 5 host-to-device copies from pinned memory" "$ungraphed" '^\| copy H2D pinned \| 5 \|'
# The biases ride in the products (cuBLASLt epilogues), counted op by op (gpu_graph = 0).
expect "no GEMV: bias gradients fused into the weight-gradient products" "$ungraphed" '^\| GEMVs \(cuBLAS\) \| 0 \|'
if grep -q "add_row_bias_kernel" <<<"$ungraphed"; then echo "FAIL a separate bias pass"; failed=1; else echo "ok   no separate bias pass"; fi
unfused=$(RECUR_EMU_LT_ALGOS=0 count_table 12 --clip_norm=0 --gpu_graph=0) || { echo "FAIL: count_step.sh (no cuBLASLt): $unfused"; exit 1; }
if grep -Eq '^\| GEMVs \(cuBLAS\) \| [1-9]' <<<"$unfused" && grep -q "add_row_bias_kernel" <<<"$unfused"; then
  echo "ok   without cuBLASLt algorithms: GEMVs and bias passes instead"
else echo "FAIL without cuBLASLt algorithms: $(row "GEMVs \(cuBLAS\)" <<<"$unfused") GEMVs"; failed=1; fi
exit $failed
