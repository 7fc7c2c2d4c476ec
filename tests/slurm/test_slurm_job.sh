#!/usr/bin/env bash
# test_slurm_job.sh: jobs/slurm_single_node.sbatch runs for real under Slurm. Starts a
# throwaway one-node Slurm here (start_slurm.sh, with 2 stand-in GPUs so the script's
# --gpus-per-node request is scheduled as on a GPU node), prepares the AG News sample,
# submits the script with sbatch as a 2-task job (jobs/ag_news_gru.conf made small, on
# the CPU: RECUR_DEVICE=cpu), waits for it, then checks: the job COMPLETED; the log names
# both ranks; metrics.jsonl has train and valid lines, each once (only rank 0 writes);
# the run directory holds nothing else but checkpoints; the newest step-*.h5 is a whole
# HDF5 checkpoint of the last step that `recur eval` loads. Stops Slurm at the end.
# Usage: RECUR=path/to/recur test_slurm_job.sh PROJECT_DIR
# Exit 77 (skipped) when not root or slurm-wlm/munge are missing.
set -u
project=$(cd "${1:?usage: test_slurm_job.sh PROJECT_DIR}" && pwd)
: "${RECUR:?set RECUR to the recur program}"
here=$(cd "$(dirname "$0")" && pwd)
steps=12
work=$(mktemp -d /tmp/recur-slurm-test.XXXXXX)
chmod 755 "$work"
export RECUR_SLURM_DIR=$work/slurm
cleanup() { "$here/stop_slurm.sh"; rm -rf "$work"; }
trap cleanup EXIT

passed=0 failed=0
check() { if eval "$2"; then echo "ok   $1"; passed=$((passed+1)); else echo "FAIL $1"; failed=$((failed+1)); fi; }
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit; }

t0=$(date +%s%N)
elapsed() { local ms=$(( ($(date +%s%N) - t0) / 1000000 )); printf '%d.%d s' $(( ms / 1000 )) $(( ms % 1000 / 100 )); }

env_line=$("$here/start_slurm.sh" --gpus=2)
status=$?
if [ $status -eq 77 ]; then trap - EXIT; rm -rf "$work"; echo "skipped (start_slurm.sh says why)"; exit 77; fi
[ $status -eq 0 ] || { echo "FAIL start_slurm.sh exited $status"; exit 1; }
eval "$env_line"
echo "slurm up after $(elapsed) (SLURM_CONF=$SLURM_CONF)"

samples=$project/datasets/samples/ag_news
"$RECUR" prep text-csv --train="$samples/train.csv" --test="$samples/test.csv" --header=0 \
  --label_column=1 --text_columns=2,3 --valid_fraction=0.25 --output="$work/ag.h5" > "$work/prep.log" 2>&1 ||
  { cat "$work/prep.log"; echo "FAIL recur prep"; exit 1; }

# A small model and a few steps: 2 ranks x batch 2, evaluation (and a checkpoint) every
# 6 steps and at each epoch end; only rank 0 may write the run directory.
cd "$project" || exit 1
export RECUR RECUR_RUNS=$work/runs RECUR_DEVICE=cpu
job=$(timeout 30 sbatch --parsable --job-name=recur-test --ntasks-per-node=2 --gpus-per-node=2 \
        --cpus-per-task=1 --time=10 --output="$work/%x-%j.out" \
        jobs/slurm_single_node.sbatch jobs/ag_news_gru.conf --data="$work/ag.h5" \
        --epochs=0 --steps=$steps --batch_size=2 --input_size=16 --hidden_size=16 \
        --log_every=3 --eval_every=6 --checkpoint_every=0)
check "sbatch accepted the job (id '$job')" '[[ $job =~ ^[0-9]+$ ]]'
[[ $job =~ ^[0-9]+$ ]] || finish
echo "submitted job $job after $(elapsed)"

# Wait for it to leave the queue (at most 180 s), then read its final state.
for (( i = 0; i < 360; i++ )); do
  [ -z "$(squeue -h -j "$job" 2>/dev/null)" ] && break
  sleep 0.5
done
state=$(scontrol show job "$job" | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p')
echo "job $job ended after $(elapsed): $state"
[ "$state" = COMPLETED ] || scancel "$job" 2>/dev/null
log=$work/recur-test-$job.out
echo "---- job log"; cat "$log"; echo "----"
check "job state COMPLETED (got '$state')" '[ "$state" = COMPLETED ]'

check "log names rank 0 of 2 and rank 1 of 2" \
  'grep -q "^recur-job: rank 0/2 on " "$log" && grep -q "^recur-job: rank 1/2 on " "$log"'
check "each rank saw the stand-in GPUs, hidden for the CPU run" \
  '[ "$(grep -c "CUDA_VISIBLE_DEVICES=0,1, hidden (RECUR_DEVICE=cpu)" "$log")" -eq 2 ]'
check "recur says it runs on 2 ranks" 'grep -q "on 2 rank(s)" "$log"'
check "the log ends with status 0" 'grep -q "^recur-job: ranks finished with status 0" "$log"'

run=$work/runs/ag_news_gru-$job
metrics=$run/metrics.jsonl
check "run_dir is runs/<config>-<job id>: $run" '[ -d "$run" ]'
check "metrics.jsonl exists" '[ -s "$metrics" ]'
check "metrics.jsonl has train lines" 'grep -q "\"split\": \"train\"" "$metrics"'
check "metrics.jsonl has valid lines" 'grep -q "\"split\": \"valid\"" "$metrics"'
check "no line is written twice (2 ranks, one writer)" '[ -z "$(sort "$metrics" | uniq -d)" ]'
train_lines=$(grep -c '"split": "train"' "$metrics")
train_steps=$(grep '"split": "train"' "$metrics" | sed 's/.*"step": \([0-9]*\).*/\1/' | sort -un | wc -l)
check "one train line per logged step ($train_lines lines, $train_steps steps)" \
  '[ "$train_lines" -eq "$train_steps" ] && [ "$train_lines" -ge 4 ]'
valid_lines=$(grep -c '"split": "valid"' "$metrics")
valid_evals=$(grep -c '^eval .* valid:' "$log")
check "one valid line per evaluation in the log ($valid_lines lines, $valid_evals evaluations)" \
  '[ "$valid_lines" -eq "$valid_evals" ] && [ "$valid_lines" -ge 2 ]'
check "the last train line is step $steps" \
  '[ "$(grep "\"split\": \"train\"" "$metrics" | tail -1 | sed "s/.*\"step\": \([0-9]*\).*/\1/")" -eq $steps ]'
others=$(cd "$run" && find . -mindepth 1 ! -path ./metrics.jsonl ! -path ./checkpoints ! -path './checkpoints/*' | tr '\n' ' ')
check "the run directory holds only metrics.jsonl and checkpoints/ (others: '$others')" '[ -z "$others" ]'

ckpt=$(ls "$run"/checkpoints/step-*.h5 2>/dev/null | sort | tail -1)
check "a checkpoint step-*.h5 exists ($ckpt)" '[ -n "$ckpt" ]'
check "it is step $steps" '[[ $ckpt == */step-$(printf %09d $steps).h5 ]]'
check "h5dump reads it whole: /model and the recur-checkpoint format" \
  'h5dump -H "$ckpt" > "$work/h5.txt" 2>&1 && grep -q "GROUP \"model\"" "$work/h5.txt" && h5dump -a /format "$ckpt" | grep -q recur-checkpoint'
check "recur eval loads it and evaluates the test split" \
  '"$RECUR" eval --checkpoint="$ckpt" --data="$work/ag.h5" --split=test > "$work/eval.txt" 2>&1 && grep -q "\"accuracy\"" "$work/eval.txt"'
[ -s "$work/eval.txt" ] && cat "$work/eval.txt" | cut -c1-160
echo "done after $(elapsed)"
finish
