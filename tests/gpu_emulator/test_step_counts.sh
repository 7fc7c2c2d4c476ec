#!/usr/bin/env bash
# test_step_counts.sh: what one GPU training step asks of the device, counted on the
# emulated device (tools/count_step.sh): per step exactly 1 host synchronisation (one read
# of the loss and the gradient norms together, at the end of the step: no download of the
# outputs; also with clip_value and clip_norm, which read the norm on the device), 1
# device-to-host copy, 4
# host-to-device copies (lengths, tokens, the token links of the embedding gradient,
# labels: the batch staged ahead is the one used, not uploaded again) from pinned memory,
# and no scaling pass of the gradients with one rank. With the persistent recurrence
# kernels, the launches, GEMMs and copies per step do not depend on T: T = 12 and 24 give
# the same counts. With the layer wavefront (RECUR_WAVEFRONT=1 against 0), a 3-layer
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
echo "$table" | sed -n '1,14p'
failed=0
# recurrence_launches: the per-step launches of the persistent recurrence kernels in a table.
recurrence_launches() { grep -E '^\| (recurrence|wavefront)_(forward|backward)_kernel' | awk -F'|' '{ n += $3 } END { print n + 0 }'; }
for T in 12 24; do
  for wave in 0 1; do
    t=$(LAYERS=3 RECUR_WAVEFRONT=$wave count_table "$T" --clip_norm=0) ||
      { echo "FAIL: count_step.sh (3 layers, RECUR_WAVEFRONT=$wave): $t"; exit 1; }
    got=$(recurrence_launches <<<"$t") want=$((wave ? 2 : 6))
    if [ "$got" = "$want" ]; then echo "ok   3 layers, T = $T, RECUR_WAVEFRONT=$wave: $got recurrence launches per step"
    else echo "FAIL 3 layers, T = $T, RECUR_WAVEFRONT=$wave: $got recurrence launches per step, expected $want"; failed=1; fi
  done
done
row() { grep -E "^\| $1 \|" | cut -d'|' -f3; }
for what in "kernel launches" "GEMMs \(cuBLAS\)" "copy H2D pinned" "host synchronisations"; do
  a=$(row "$what" <<<"$table") b=$(row "$what" <<<"$table_24")
  if [ -n "$a" ] && [ "$a" = "$b" ]; then echo "ok   ${what//\\/} per step independent of T ($a at T = 12 and 24)"
  else echo "FAIL ${what//\\/} per step: $a at T = 12, $b at T = 24"; failed=1; fi
done
expect() { if grep -Eq -- "$2" <<<"$table"; then echo "ok   $1"; else echo "FAIL $1"; failed=1; fi; }
expect "1 host synchronisation per step" '^\| host synchronisations \| 1 \|'
expect "1 device-to-host copy (loss and norms together), pageable" '^\| copy D2H pageable \| 1 \|'
if grep -Eq '^\| host synchronisations \| 1 \|' <<<"$clipped"; then echo "ok   1 host synchronisation per step with clip_value and clip_norm"
else echo "FAIL host synchronisations with clip_value and clip_norm: $(row "host synchronisations" <<<"$clipped")"; failed=1; fi
expect "4 host-to-device copies from pinned memory" '^\| copy H2D pinned \| 4 \|'
if grep -q "copy H2D pageable" <<<"$table"; then echo "FAIL pageable uploads"; failed=1; else echo "ok   no pageable uploads"; fi
if grep -q "scale_vector_kernel" <<<"$table"; then echo "FAIL scaling pass with scale 1"; failed=1; else echo "ok   no scaling pass"; fi
exit $failed
