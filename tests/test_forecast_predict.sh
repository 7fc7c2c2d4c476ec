#!/usr/bin/env bash
# test_forecast_predict.sh: issue 15 end to end on the Jena sample (2 targets, 12 steps in,
# 3 ahead): `recur prep series` writes the change scaler, so target = auto trains deltas;
# `recur predict` on CSV windows prints real units — a delta checkpoint whose head is
# zeroed (h5py) forecasts exactly each window's last reading of every target (persistence),
# and trained delta / window_norm checkpoints agree with PyTorch through
# tools/check_torch_predict.py; `recur train` and `recur eval` lines carry the
# persistence and seasonal baselines; target = delta on a file without a change scaler and
# a season longer than the window are refused with exit 2. Needs /usr/bin/python3 with
# h5py and torch (exit 77, skipped, without them).
# Usage: RECUR=path/to/recur test_forecast_predict.sh PROJECT_ROOT
set -euo pipefail
root=$1
SAMPLES=$root/datasets/samples
source "$root/tests/prep/common.sh"
PY=/usr/bin/python3
if ! $PY -c "import h5py, torch" 2>/dev/null; then echo "skipped: $PY has no h5py or torch"; exit 77; fi
quiet() { "$@" >"$WORK/quiet.out" 2>&1 || fail "$* failed: $(tail -n 5 "$WORK/quiet.out")"; }

csv=$SAMPLES/jena/jena_sample.csv
quiet "$RECUR" prep series --train="$csv" --time_column="Date Time" --valid_fraction=0.2 --test_fraction=0.2 \
  --targets="T (degC),p (mbar)" --input_steps=12 --horizon=3 --output="$WORK/jena.h5"
$PY -c "import h5py, sys; f = h5py.File(sys.argv[1]); assert f['change_scaler/factor'].shape == (3, 2)" \
  "$WORK/jena.h5" || fail "no /change_scaler/factor [3][2] in the dataset"
train() { quiet "$RECUR" train --data="$WORK/jena.h5" --cell=gru --loss=mse --hidden_size=8 --batch_size=8 \
  --steps=20 --eval_every=10 --lr=0.05 --season=6 --progress=lines "$@"; }
train --run_dir="$WORK/delta"
grep -Eq '"split": "test", .*"persistence_mae": [0-9.e-]+, .*"skill_seasonal": .*"season": 6, "per_step": \{"mae": \[' \
  "$WORK/delta/metrics.jsonl" || fail "no baselines in metrics.jsonl: $(tail -n 1 "$WORK/delta/metrics.jsonl" | head -c 400)"
grep -Eq 'eval  step 20 test: .* \| persistence mae [0-9.]+ \(skill -?[0-9.]+\)  seasonal\(6\) mae' "$WORK/quiet.out" \
  || fail "no baselines in the eval line: $(grep 'eval' "$WORK/quiet.out" | tail -n 1)"
echo "ok: train logs persistence and seasonal(6) with skill"
"$RECUR" eval --checkpoint="$WORK/delta/checkpoints/best.h5" --data="$WORK/jena.h5" --split=test --season=3 >"$WORK/eval.out"
grep -q 'seasonal(3) mae' "$WORK/eval.out" && grep -q '"season": 3' "$WORK/eval.out" || fail "recur eval --season=3: $(head -c 400 "$WORK/eval.out")"
echo "ok: recur eval reports the baselines (--season overrides the checkpoint's)"

# Two ranks: each evaluates its shard, rank 0 reduces; the baselines do not depend on the
# model, so they must be the 1-rank ones (sums, medians of the gathered errors, per step).
baselines() { tail -n 1 "$1" | grep -oE '"(persistence|seasonal)_[a-z_]+": (\[[^]]*\]|[-0-9.e]+)'; }
quiet mpirun -n 2 "$RECUR" train --data="$WORK/jena.h5" --cell=gru --loss=mse --hidden_size=8 --batch_size=4 \
  --steps=20 --eval_every=10 --lr=0.05 --season=6 --progress=lines --run_dir="$WORK/delta2"
[[ $(baselines "$WORK/delta2/metrics.jsonl" | wc -l) -eq 12 ]] || fail "2 ranks: baselines missing"
diff <(baselines "$WORK/delta/metrics.jsonl") <(baselines "$WORK/delta2/metrics.jsonl") >&2 \
  || fail "2 ranks report other baselines than 1 rank (above)"
echo "ok: 2 ranks report the 1-rank baselines, per step included"

# A delta model that outputs 0: every forecast is the window's last reading, in real units.
# The edited checkpoint has its checksums stripped (it then loads as one written before
# checksums existed, with a note), since an edit that kept them would be refused as damage.
cp "$WORK/delta/checkpoints/best.h5" "$WORK/zero.h5"
$PY -c "
import h5py, sys
with h5py.File(sys.argv[1], 'r+') as f:
    for k in ('head.out.weight', 'head.out.bias'): f['model'][k][...] = 0
    objects = [f]
    f.visit(lambda name: objects.append(f[name]))
    for o in objects:
        if 'checksum' in o.attrs: del o.attrs['checksum']
" "$WORK/zero.h5"
head -n 41 "$csv" >"$WORK/in.csv"  # 40 data rows: windows ending at rows 12 .. 40
"$RECUR" predict --checkpoint="$WORK/zero.h5" --input="$WORK/in.csv" >"$WORK/zero.out"
awk -F'\t' 'NR == FNR { if (FNR > 1) { split($0, f, ","); T[FNR - 1] = f[3]; p[FNR - 1] = f[2] } ; next }
  FNR == 1 { next }
  { n++; row = $1
    for (h = 0; h < 3; h++) {
      if ((d = $(2 + 2 * h) - T[row]) > 1e-4 || d < -1e-4) { print "row " row " T@+" h + 1 ": " $(2 + 2 * h) " != " T[row]; bad = 1 }
      if ((d = $(3 + 2 * h) - p[row]) > 1e-3 || d < -1e-3) { print "row " row " p@+" h + 1 ": " $(3 + 2 * h) " != " p[row]; bad = 1 } } }
  END { if (n != 29) { print n " windows, expected 29"; bad = 1 }; exit bad }' "$WORK/in.csv" "$WORK/zero.out" \
  || fail "a zero-change forecast is not the last reading in real units (above)"
echo "ok: zero change = the last reading of each target, real units, 29 windows"

# Trained checkpoints: PyTorch, given the same windows and transform, prints the same.
"$RECUR" predict --checkpoint="$WORK/delta/checkpoints/best.h5" --input="$WORK/in.csv" >"$WORK/delta.out"
awk -F'\t' 'NR > 1 { for (h = 0; h < 3; h++) if ($(2 + 2 * h) < -40 || $(2 + 2 * h) > 40 || $(3 + 2 * h) < 900 || $(3 + 2 * h) > 1100) bad = 1 }
  END { exit bad }' "$WORK/delta.out" || fail "forecasts outside degrees C / mbar: $(sed -n 2p "$WORK/delta.out")"
for norm in none last standard; do
  train --run_dir="$WORK/norm_$norm" --window_norm=$norm --target=delta
  $PY "$root/tools/check_torch_predict.py" --recur "$RECUR" --checkpoint "$WORK/norm_$norm/checkpoints/best.h5" \
    --input "$WORK/in.csv" >"$WORK/check.out" 2>&1 || fail "window_norm $norm: $(cat "$WORK/check.out")"
  echo "ok: delta, window_norm $norm: $(head -n 1 "$WORK/check.out")"
done
train --run_dir="$WORK/level_last" --window_norm=last --target=level
$PY "$root/tools/check_torch_predict.py" --recur "$RECUR" --checkpoint "$WORK/level_last/checkpoints/best.h5" \
  --input "$WORK/in.csv" >"$WORK/check.out" 2>&1 || fail "level, window_norm last: $(cat "$WORK/check.out")"
echo "ok: level, window_norm last: $(head -n 1 "$WORK/check.out")"

# Refusals: delta without a change scaler (a file from before it), a season longer than the window.
cp "$WORK/jena.h5" "$WORK/old.h5"
$PY -c "import h5py, sys; f = h5py.File(sys.argv[1], 'r+'); del f['change_scaler']" "$WORK/old.h5"
expect_error "^recur: target: delta needs the change scaler .*old.h5" \
  "$RECUR" train --data="$WORK/old.h5" --run_dir="$WORK/old" --loss=mse --target=delta --steps=1
quiet "$RECUR" train --data="$WORK/old.h5" --run_dir="$WORK/old_auto" --loss=mse --steps=2 --eval_every=1 --progress=lines
echo "ok: target = auto on a file without a change scaler trains levels"
expect_error "^recur: season: 13 steps is longer than the windows of .*jena.h5 \(input_steps = 12\)" \
  "$RECUR" train --data="$WORK/jena.h5" --run_dir="$WORK/season" --loss=mse --season=13 --steps=1

# The forecast plot (tools/plot_forecast.py), when matplotlib is there.
if $PY -c "import matplotlib" 2>/dev/null; then
  quiet $PY "$root/tools/plot_forecast.py" --data="$WORK/jena.h5" --checkpoint="$WORK/delta/checkpoints/best.h5" \
    --runs "$WORK/delta" "$WORK/norm_last" --labels delta "delta, last" --windows 2 --history 20 -o "$WORK/plot.png"
  [[ -s $WORK/plot.png ]] || fail "plot_forecast.py wrote no PNG"
  echo "ok: plot_forecast.py drew $(stat -c %s "$WORK/plot.png") bytes"
else
  echo "skipped: plot_forecast.py (no matplotlib)"
fi
echo "test_forecast_predict: all passed"
