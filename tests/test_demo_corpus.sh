#!/usr/bin/env bash
# test_demo_corpus.sh: the README's demo end to end — datasets/make_demo_corpus.sh builds
# the package-description corpus from this machine's apt index, and a short GRU run with
# jobs/demo.conf (300 steps instead of 4 epochs) must beat 0.6 valid accuracy on its 10
# classes (the largest class is under 20%). Skipped (77) when the apt index is empty.
# Usage: RECUR=path/to/recur test_demo_corpus.sh PROJECT_ROOT
set -euo pipefail
root=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [[ $(apt-cache dumpavail 2>/dev/null | grep -c '^Package:') -lt 1000 ]]; then
  echo "skipped: the apt package index is empty (run apt-get update)"
  exit 77
fi
"$root/datasets/make_demo_corpus.sh" "$work/demo.h5" "$RECUR"
"$RECUR" inspect "$work/demo.h5"
# Deterministic: the same index gives the same file content.
"$root/datasets/make_demo_corpus.sh" "$work/again.h5" "$RECUR" >/dev/null
fp() { "$RECUR" inspect "$1" | sed -n 's/.*fingerprint \([0-9a-f]*\).*/\1/p'; }
[[ "$(fp "$work/demo.h5")" == "$(fp "$work/again.h5")" ]] || { echo "FAIL: two builds differ"; exit 1; }
"$RECUR" train --config "$root/jobs/demo.conf" --data="$work/demo.h5" --run_dir="$work/run" \
  --epochs=0 --steps=300 --eval_every=300 | tail -n 4
acc=$(grep '"split": "valid"' "$work/run/metrics.jsonl" | tail -1 | sed -E 's/.*"accuracy": ([0-9.eE+-]+).*/\1/')
awk -v a="$acc" 'BEGIN { exit !(a > 0.6) }' || { echo "FAIL: valid accuracy $acc <= 0.6"; exit 1; }
echo "ok: demo corpus built twice identically; valid accuracy $acc after 300 steps"
