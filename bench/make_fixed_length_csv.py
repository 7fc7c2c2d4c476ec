#!/usr/bin/env python3
"""make_fixed_length_csv.py: a text-classification CSV whose every text has at least
--min_words words, so `recur prep text-csv --max_len=T` (T <= min_words) gives batches of
exactly T steps: per-step counts and timings then do not depend on the batch drawn
(tools/count_step.sh, docs/PERFORMANCE.md). Header `label,text`, labels 1..--classes,
words `w<k>` with k Pareto-distributed below --vocab. Deterministic for a --seed.

    python3 bench/make_fixed_length_csv.py --out /tmp/agnews64.csv
    build/recur prep text-csv --train=/tmp/agnews64.csv --output=/tmp/agnews64.h5 \\
        --max_len=64 --valid_fraction=0.05 --test_fraction=0.05
"""
import argparse
import random


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lines", type=int, default=1200)
    ap.add_argument("--min_words", type=int, default=64)
    ap.add_argument("--max_words", type=int, default=90)
    ap.add_argument("--vocab", type=int, default=20000)
    ap.add_argument("--classes", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    r = random.Random(a.seed)
    with open(a.out, "w") as f:
        f.write("label,text\n")
        for _ in range(a.lines):
            n = r.randint(a.min_words, a.max_words)
            words = ("w%d" % min(int(r.paretovariate(1.1)), a.vocab - 10) for _ in range(n))
            f.write("%d,%s\n" % (r.randint(1, a.classes), " ".join(words)))


if __name__ == "__main__":
    main()
