#!/bin/bash
# ab_binaries.sh: two builds of bench_model (before, after) timed in turn, round by round,
# so the drift of a shared machine falls on both alike; prints each round's medians and
# the median over rounds of before/after (> 1: after is faster). Measures; asserts nothing.
#
#   bench/ab_binaries.sh BEFORE AFTER ROUNDS [bench_model keys...]
#   e.g. bench/ab_binaries.sh /tmp/before/bench_model build/bench/bench_model 6 --cell=gru \
#          --vocab_size=5000 --input_size=128 --hidden_size=128 --num_layers=2 --batch_size=64 \
#          --seq_len=48 --output_size=2 --full_step=1 --optimizer=adam --threads=1
set -euo pipefail
if [ $# -lt 3 ]; then
  sed -n '2,10p' "$0" >&2
  exit 2
fi
before=$1 after=$2 rounds=$3
shift 3
median_of() { /usr/bin/python3 -c "import json,sys; print(json.loads(sys.stdin.read().splitlines()[-1])['median_ms'])"; }
for r in $(seq "$rounds"); do
  a=$("$before" --iters=15 --probe=0 "$@" | median_of)
  b=$("$after" --iters=15 --probe=0 "$@" | median_of)
  echo "$a $b"
done | /usr/bin/python3 -c "
import statistics, sys
rows = [tuple(map(float, l.split())) for l in sys.stdin]
for i, (a, b) in enumerate(rows):
    print(f'round {i + 1}: before {a:.2f} ms, after {b:.2f} ms, before/after {a / b:.3f}')
print(f'median before/after over {len(rows)} rounds: {statistics.median(a / b for a, b in rows):.3f}')"
