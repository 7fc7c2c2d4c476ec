#!/usr/bin/env bash
# fault_metrics_mape.sh: MAPE on a series whose target crosses zero. Targets within a tenth
# of the scaler's unit of zero (docs/TRAINING.md) are left out and counted
# (`mape_excluded`, and "N near-zero targets left out" on the screen), so MAPE stays a
# percentage of the targets it can be one of, not 1e7 % from one target of 0.0005.
# Usage: RECUR=... fault_metrics_mape.sh PROJECT_ROOT
source "$(dirname "$0")/fault_common.sh"
awk 'BEGIN { print "t,x"; for (i = 0; i < 600; i++) printf "%d,%.6f\n", i, 10 * sin(i * 3.14159265358979 / 20) + 0.0005 }' \
  >"$WORK/wave.csv"
"$RECUR" prep series --train="$WORK/wave.csv" --time_column=t --targets=x --input_steps=8 --horizon=1 \
  --valid_fraction=0.2 --test_fraction=0.1 --output="$WORK/wave.h5" >/dev/null
"$RECUR" train --data="$WORK/wave.h5" --cell=gru --hidden_size=8 --loss=mse --batch_size=16 --steps=30 \
  --eval_every=0 --threads=1 --progress=lines --run_dir="$WORK/run" >"$WORK/out"
line=$(grep '"split": "valid"' "$WORK/run/metrics.jsonl" | tail -n 1)
mape=$(sed -E 's/.*"mape": ([^,}]*).*/\1/' <<<"$line")
excluded=$(sed -E 's/.*"mape_excluded": ([0-9]+).*/\1/' <<<"$line")
[[ $excluded -ge 3 ]] || fail "near-zero targets not left out (mape_excluded $excluded): $line"
awk -v m="$mape" 'BEGIN { exit !(m + 0 < 1000) }' || fail "MAPE $mape % on a zero-crossing series: $line"
grep -q "mape [0-9.e+]*% ($excluded near-zero targets left out)" "$WORK/out" || fail "the screen does not say how many: $(grep eval "$WORK/out" | tail -n 1)"
echo "ok: MAPE $mape % with $excluded near-zero targets left out (and said so)"
