#!/usr/bin/env bash
# test_step_counts.sh: what one GPU training step asks of the device, counted on the
# emulated device (tools/count_step.sh): per step exactly 2 host synchronisations (the
# loss and the gradient norm: no download of the outputs), 2 device-to-host copies, 4
# host-to-device copies (lengths, tokens, the token links of the embedding gradient,
# labels: the batch staged ahead is the one used, not uploaded again) from pinned memory,
# and no scaling pass of the gradients with one rank.
# Batches of one length (bench/make_fixed_length_csv.py), so no step grows a buffer.
# Usage: RECUR=path/to/recur_emu test_step_counts.sh PROJECT_DIR
set -u
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 "$1/bench/make_fixed_length_csv.py" --lines 200 --min_words 12 --max_words 20 --vocab 300 --out "$dir/t.csv"
"$RECUR" prep text-csv --train="$dir/t.csv" --output="$dir/t.h5" --max_len=12 > "$dir/prep.txt" 2>&1 ||
  { cat "$dir/prep.txt"; exit 1; }
table=$(bash "$1/tools/count_step.sh" "$RECUR" 2 4 --data="$dir/t.h5" --cell=lstm --hidden_size=16 --num_layers=2 \
  --batch_size=8 --clip_norm=0) || { echo "FAIL: count_step.sh: $table"; exit 1; }
echo "$table" | sed -n '1,14p'
failed=0
expect() { if grep -Eq -- "$2" <<<"$table"; then echo "ok   $1"; else echo "FAIL $1"; failed=1; fi; }
expect "2 host synchronisations per step" '^\| host synchronisations \| 2 \|'
expect "2 device-to-host copies (loss, norm), pageable" '^\| copy D2H pageable \| 2 \|'
expect "4 host-to-device copies from pinned memory" '^\| copy H2D pinned \| 4 \|'
if grep -q "copy H2D pageable" <<<"$table"; then echo "FAIL pageable uploads"; failed=1; else echo "ok   no pageable uploads"; fi
if grep -q "scale_vector_kernel" <<<"$table"; then echo "FAIL scaling pass with scale 1"; failed=1; else echo "ok   no scaling pass"; fi
exit $failed
