#!/usr/bin/env bash
# test_plot_runs.sh: self-test of tools/plot_runs.py. Makes fake runs (metrics.jsonl by
# hand: two classification runs, one regression run with a torn last line) in a temporary
# directory and checks that a non-empty PNG appears for each chart, and that a missing
# run directory or a wrong --labels count is an error (exit 2). Exits 77 (skipped) when no
# python3 with matplotlib is found. Writes only under its temporary directory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

python=
for candidate in "${PYTHON:-}" python3 /usr/bin/python3; do
  if [[ -n "$candidate" ]] && "$candidate" -c 'import matplotlib' 2>/dev/null; then
    python=$candidate
    break
  fi
done
if [[ -z "$python" ]]; then
  echo "skipped: python3 matplotlib not installed"
  exit 77
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# fake_run DIR METRIC SCALE: train loss SCALE/step every 10 steps, eval lines every 20.
fake_run() {
  mkdir -p "$1"
  "$python" - "$2" "$3" > "$1/metrics.jsonl" <<'PY'
import json, sys
metric, scale = sys.argv[1], float(sys.argv[2])
for step in range(10, 70, 10):
    print(json.dumps({"step": step, "epoch": 1, "split": "train", "loss": scale / step}))
    if step % 20 == 0:
        print(json.dumps({"step": step, "epoch": 1, "split": "valid", "loss": scale / step + 0.1,
                          metric: step / 100}))
PY
}

# png_ok FILE: exists, non-empty, starts with the PNG signature.
png_ok() {
  [[ -s "$1" ]] || fail "$1 was not written"
  [[ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" == "89504e470d0a1a0a" ]] || fail "$1 is not a PNG"
}

fake_run "$work/gru" accuracy 5
fake_run "$work/lstm" accuracy 7
"$python" "$here/plot_runs.py" "$work/gru" "$work/lstm" -o "$work/curves.png" > "$work/out.txt"
png_ok "$work/curves.png"
grep -q "wrote $work/curves.png" "$work/out.txt" || fail "no 'wrote' line"

fake_run "$work/forecast" mae 3
echo '{"step": 70, "split": "tra' >> "$work/forecast/metrics.jsonl"   # torn by a kill
"$python" "$here/plot_runs.py" "$work/forecast/metrics.jsonl" "$work/gru" --metric mae \
  --labels forecast gru --title "mae" -o "$work/mae.png" 2> "$work/err.txt" > /dev/null
png_ok "$work/mae.png"
grep -q "metrics.jsonl:10: not JSON, skipped" "$work/err.txt" || fail "torn line not reported"

set +e
"$python" "$here/plot_runs.py" "$work/missing" -o "$work/x.png" 2> "$work/err.txt"
rc=$?
"$python" "$here/plot_runs.py" "$work/gru" --labels a b -o "$work/y.png" 2>> "$work/err.txt"
rc2=$?
set -e
[[ $rc -eq 2 ]] || fail "missing run: exit $rc, want 2"
[[ $rc2 -eq 2 ]] || fail "wrong --labels count: exit $rc2, want 2"
grep -q "missing/metrics.jsonl: no such file" "$work/err.txt" || fail "no message for a missing run"
grep -q -- "--labels: 2 labels for 1 runs" "$work/err.txt" || fail "no message for --labels"
[[ ! -e "$work/x.png" && ! -e "$work/y.png" ]] || fail "a PNG was written on error"
echo "plot_runs: all passed"
