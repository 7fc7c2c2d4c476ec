#!/usr/bin/env bash
# test_resume.sh: checkpoints and resume.
#  1. Exact resume: 100 steps in one run, and the same run killed after its step-50
#     checkpoint then resumed, give the same parameters and optimizer state bit for bit
#     (h5diff, no tolerance): adam, dropout, a cosine schedule with warm-up, resuming
#     mid-epoch (63 batches per epoch) and crossing the epoch end after it.
#  2. A crash between writing a checkpoint and renaming it into place (the process is
#     SIGKILLed there by an LD_PRELOAD shim) leaves the previous checkpoint whole, and
#     --resume=1 continues from it to the end.
#  3. keep_checkpoints and best.h5; a checkpoint from other data or another model shape
#     is refused with exit 2.
# Usage: RECUR=... CRASH_SHIM=libcrash_on_rename.so test_resume.sh PROJECT_ROOT
set -euo pipefail
root=$1
SAMPLES=$root/datasets/samples
source "$root/tests/prep/common.sh"
common=(--data=synthetic --cell=gru --hidden_size=16 --input_size=8 --num_layers=2 --dropout=0.3
        --optimizer=adam --lr=0.01 --schedule=cosine --warmup_steps=10 --batch_size=32 --threads=1
        --log_every=25 --eval_every=0 --progress=lines)

"$RECUR" train "${common[@]}" --steps=100 --run_dir="$WORK/a" >/dev/null
# B: the same 100-step run, killed as it commits the checkpoint after step 50 (the one at
# the epoch end, step 63), then resumed from step 50.
set +e
CRASH_AT=step-000000063.h5 LD_PRELOAD=$CRASH_SHIM "$RECUR" train "${common[@]}" --steps=100 --checkpoint_every=50 \
  --run_dir="$WORK/b" >/dev/null 2>&1
rc=$?
set -e
[[ $rc -eq 137 && -f $WORK/b/checkpoints/step-000000050.h5 ]] || fail "run B: exit $rc, $(ls "$WORK/b/checkpoints")"
"$RECUR" train "${common[@]}" --steps=100 --checkpoint_every=50 --run_dir="$WORK/b" --resume=1 >"$WORK/b.out"
grep -q "resume: .*step-000000050.h5 (step 50, epoch 0)" "$WORK/b.out" || fail "resume line missing: $(head -3 "$WORK/b.out")"
for group in /model /optimizer; do
  h5diff "$WORK/a/checkpoints/step-000000100.h5" "$WORK/b/checkpoints/step-000000100.h5" $group $group >"$WORK/diff" ||
    fail "resumed run differs from the straight run in $group: $(head -5 "$WORK/diff")"
done
echo "ok: 50 + resume + 50 steps equal 100 steps bit for bit (parameters and adam state)"

# metrics.jsonl: the lines after the resumed-from step (the killed run's step-63 evaluation)
# are dropped, the resumed run's are appended: train lines at 25, 50, 75, 100, once each.
steps=$(grep '"split": "train"' "$WORK/b/metrics.jsonl" | sed -E 's/.*"step": ([0-9]+).*/\1/' | tr '\n' ' ')
[[ $steps == "25 50 75 100 " ]] || fail "train lines of the resumed run at steps: $steps"
[[ $(grep -c '"step": 63, .*"split": "valid"' "$WORK/b/metrics.jsonl") -eq 1 ]] || fail "step-63 evaluation not exactly once"
echo "ok: metrics.jsonl of the resumed run has each step once"

# 2. Crash at the second checkpoint's rename (step 40); the step-20 one must survive.
set +e
CRASH_AT=step-000000040.h5 LD_PRELOAD=$CRASH_SHIM "$RECUR" train "${common[@]}" --steps=60 --checkpoint_every=20 \
  --run_dir="$WORK/c" >/dev/null 2>&1
rc=$?
set -e
[[ $rc -eq 137 ]] || fail "the shim did not kill the run (exit $rc)"
ls "$WORK/c/checkpoints" | grep -q 'step-000000040.h5.tmp-' || fail "no half-done temporary file: $(ls "$WORK/c/checkpoints")"
[[ ! -e $WORK/c/checkpoints/step-000000040.h5 ]] || fail "step 40 appeared although its rename never ran"
"$RECUR" train "${common[@]}" --steps=60 --checkpoint_every=20 --run_dir="$WORK/c" --resume=1 >"$WORK/c.out"
grep -q "resume: .*step-000000020.h5 (step 20" "$WORK/c.out" || fail "did not resume from step 20: $(head -3 "$WORK/c.out")"
[[ -f $WORK/c/checkpoints/step-000000060.h5 ]] || fail "the resumed run did not finish"
echo "ok: killed between write and rename, the previous checkpoint loads and the run finishes"

# 3. keep_checkpoints = 2 keeps the two newest plus best.h5; refusals.
"$RECUR" train "${common[@]}" --steps=60 --checkpoint_every=10 --keep_checkpoints=2 --run_dir="$WORK/d" >/dev/null
n=$(ls "$WORK/d/checkpoints" | grep -c '^step-')
[[ $n -le 3 && -f $WORK/d/checkpoints/best.h5 && -f $WORK/d/checkpoints/step-000000060.h5 ]] ||
  fail "keep_checkpoints=2: $(ls "$WORK/d/checkpoints")"
echo "ok: keep_checkpoints=2 leaves $(ls "$WORK/d/checkpoints" | tr '\n' ' ')"
expect_error "resume: head_hidden = 4, but the checkpoint .* was made with head_hidden = 0" "$RECUR" train "${common[@]}" --head_hidden=4 --steps=70 \
  --run_dir="$WORK/d" --resume=1
"$RECUR" prep text-csv --train="$SAMPLES/ag_news/train.csv" --header=0 --text_columns=2,3 --output="$WORK/ag.h5" >/dev/null
cp -r "$WORK/d" "$WORK/e"
expect_error "made from dataset .* but the data given is dataset" "$RECUR" train "${common[@]:1}" --data="$WORK/ag.h5" \
  --steps=70 --run_dir="$WORK/e" --resume=1

# 4. SIGTERM (Slurm's time limit, scancel): the run writes a checkpoint of the step it is
# in, exits 143, and resume=1 continues from exactly there.
"$RECUR" train "${common[@]}" --steps=100000 --run_dir="$WORK/t" >"$WORK/t.out" 2>&1 &
pid=$!
for _ in $(seq 1 100); do grep -q "train step" "$WORK/t.out" && break; sleep 0.1; done
kill -TERM $pid
rc=0
wait $pid || rc=$?
[[ $rc -eq 143 ]] || fail "SIGTERM: exit $rc, expected 143: $(tail -2 "$WORK/t.out")"
stopped=$(sed -n 's/^stopped by a signal after step \([0-9]*\);.*/\1/p' "$WORK/t.out")
[[ -n $stopped && -f $WORK/t/checkpoints/$(printf 'step-%09d.h5' "$stopped") ]] || fail "no checkpoint at the stop step: $(tail -2 "$WORK/t.out")"
"$RECUR" train "${common[@]}" --steps=$((stopped + 5)) --run_dir="$WORK/t" --resume=1 >"$WORK/t2.out"
grep -q "resume: .*(step $stopped," "$WORK/t2.out" || fail "did not resume from step $stopped"
echo "ok: SIGTERM after step $stopped wrote its checkpoint, exit 143, resume continued from it"
