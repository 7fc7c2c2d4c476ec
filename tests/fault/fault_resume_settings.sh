#!/usr/bin/env bash
# fault_resume_settings.sh: what a resumed run may change, as docs/TRAINING.md ("Faults:
# processes, signals and resume") lists it.
#  1. Refused with exit 2, one line naming the key and both values: beta1, beta2,
#     weight_decay, pooling, dropout, seed, batch_size, the generated corpus's size.
#  2. Another dataset: refused naming both fingerprints; the generated corpus has a real
#     one (16 hex digits of its arrays: another size, another fingerprint).
#  3. Accepted with a note and a "resume_change" event in metrics.jsonl: lr, steps, and
#     the rank count (1 -> 2 ranks, mpirun).
#  4. Free, no note: threads, and the same dataset file at another path.
# Usage: RECUR=... fault_resume_settings.sh PROJECT_ROOT
root=$1
source "$(dirname "$0")/fault_common.sh"
base=(train "${TINY[@]}" --log_every=10 --eval_every=0)
"$RECUR" "${base[@]}" --steps=20 --run_dir="$WORK/r" >/dev/null

# 1. refused keys
without() { local a; for a in "${base[@]}"; do [[ $a == --$1=* ]] || echo "$a"; done; } # base minus a key
refuse() { # refuse KEY NEW OLD
  local args
  mapfile -t args < <(without "$1")
  expect_error "^recur: resume: $1 = $2, but the checkpoint .*step-000000020.h5 was made with $1 = $3; a resumed run cannot change $1" \
    "$RECUR" "${args[@]}" --steps=30 --run_dir="$WORK/r" --resume=1 --"$1=$2"
}
refuse beta1 0.8 0.9
refuse beta2 0.99 0.999
refuse weight_decay 0.01 0
refuse pooling mean last
refuse dropout 0.5 0
refuse seed 7 1
refuse batch_size 8 16
refuse synthetic_train_size 300 256
[[ ! -e $WORK/r/checkpoints/step-000000030.h5 ]] || fail "a refused resume trained on"

# 2. another dataset file: the fingerprints named
"$RECUR" prep text-csv --train="$root/datasets/samples/ag_news/train.csv" --header=0 --text_columns=2,3 \
  --output="$WORK/ag.h5" >/dev/null
cp -r "$WORK/r" "$WORK/other"
mapfile -t other_data < <(without data)
expect_error "^recur: resume: the checkpoint .* was made from dataset [0-9a-f]{16}, but the data given is dataset [0-9a-f]{16}" \
  "$RECUR" "${other_data[@]}" --data="$WORK/ag.h5" --steps=30 --run_dir="$WORK/other" --resume=1

# the generated corpus has a fingerprint of its own arrays: 16 hex digits, another per size
mapfile -t other_valid < <(without synthetic_valid_size)
fingerprint() { "$RECUR" "${other_valid[@]}" --steps=1 --run_dir="$WORK/fp$1" --synthetic_valid_size="$1" |
                  sed -n 's/.*(data \([^)]*\)).*/\1/p'; }
a=$(fingerprint 64) b=$(fingerprint 65)
[[ $a =~ ^[0-9a-f]{16}$ && $b =~ ^[0-9a-f]{16}$ && $a != "$b" ]] || fail "generated corpus fingerprints: '$a' '$b'"
echo "ok: the generated corpus's fingerprint is its own ($a; with one more valid example $b)"

# 3. accepted on purpose: lr and steps, then another rank count
mapfile -t other_lr < <(without lr)
"$RECUR" "${other_lr[@]}" --steps=30 --lr=0.005 --run_dir="$WORK/r" --resume=1 >"$WORK/acc.out" 2>&1 ||
  fail "resume with another lr: $(tail -n 3 "$WORK/acc.out")"
grep -q "^resume: note: lr changed from 0.01 to 0.005 at step 20" "$WORK/acc.out" || fail "no lr note: $(head -n 4 "$WORK/acc.out")"
grep -q "^resume: note: steps changed from 20 to 30 at step 20" "$WORK/acc.out" || fail "no steps note"
grep -q '{"step": 20, "epoch": [0-9]*, "event": "resume_change", "key": "lr", "was": "0.01", "now": "0.005"}' \
  "$WORK/r/metrics.jsonl" || fail "no lr event in metrics.jsonl: $(grep event "$WORK/r/metrics.jsonl")"
echo "ok: lr and steps changed on resume: noted on the screen and in metrics.jsonl"
mpirun -np 2 "$RECUR" "${other_lr[@]}" --steps=40 --lr=0.005 --run_dir="$WORK/r" --resume=1 >"$WORK/ranks.out" 2>&1 ||
  fail "resume on 2 ranks: $(tail -n 3 "$WORK/ranks.out")"
grep -q "^resume: note: ranks changed from 1 to 2 at step 30" "$WORK/ranks.out" || fail "no ranks note: $(head -n 4 "$WORK/ranks.out")"
grep -q '"event": "resume_change", "key": "ranks", "was": "1", "now": "2"' "$WORK/r/metrics.jsonl" || fail "no ranks event"
[[ -f $WORK/r/checkpoints/step-000000040.h5 ]] || fail "the 2-rank resume did not reach step 40"
echo "ok: 1 -> 2 ranks on resume: noted, and the run went on to the end"

# 4. free: threads and the dataset at another path
mapfile -t free_args < <(without threads | grep -v -- '^--data=')
"$RECUR" "${free_args[@]}" --data="$WORK/ag.h5" --steps=10 --run_dir="$WORK/ag" >/dev/null
mkdir "$WORK/moved" && cp "$WORK/ag.h5" "$WORK/moved/copy.h5"
"$RECUR" "${free_args[@]}" --data="$WORK/moved/copy.h5" --threads=2 --steps=10 --run_dir="$WORK/ag" --resume=1 >"$WORK/free.out" 2>&1 ||
  fail "resume on the same data at another path: $(tail -n 3 "$WORK/free.out")"
! grep -q "note:" "$WORK/free.out" || fail "a note for a free change: $(grep note: "$WORK/free.out")"
echo "ok: the same dataset at another path and other threads: resumed without a note"
