#!/usr/bin/env bash
# fault_torch_warmup.sh: tools/torch_train.py (the PyTorch twin used for comparisons) uses
# the learning rate recur uses at every step, for cosine with warm-up of 0, 1, 2 and 5
# steps and for a constant rate with 1 step of warm-up: recur's lr from metrics.jsonl
# (log_every = 1) against the schedulers torch_train.py builds, stepped as it steps them,
# to 1e-5 relative (the log's 6 digits). warmup_steps = 1 started cosine a step early.
# Skipped (77) without Debian's python3 with torch and h5py.
# Usage: RECUR=... fault_torch_warmup.sh PROJECT_ROOT
root=$1
source "$(dirname "$0")/fault_common.sh"
py=/usr/bin/python3
$py -c "import torch, h5py" 2>/dev/null || { echo "skipped: $py has no torch or h5py"; exit 77; }
steps=12
cases=("cosine 0" "cosine 1" "cosine 2" "cosine 5" "constant 1")
for case in "${cases[@]}"; do
  read -r schedule warmup <<<"$case"
  run=$WORK/$schedule-$warmup
  "$RECUR" train "${TINY[@]}" --steps=$steps --log_every=1 --eval_every=0 --schedule="$schedule" \
    --warmup_steps="$warmup" --min_lr=0.001 --run_dir="$run" >/dev/null
  grep '"split": "train"' "$run/metrics.jsonl" | sed -E 's/.*"lr": ([^,]*),.*/\1/' >"$run/recur_lr"
done
# one python for every case (importing torch takes seconds)
$py - "$root/tools" $steps "$WORK" "${cases[@]}" <<'PY' || fail "torch_train.py's rates differ from recur's"
import sys
sys.path.insert(0, sys.argv[1])
import torch, torch_train
steps, work, failed = int(sys.argv[2]), sys.argv[3], 0
for case in sys.argv[4:]:
    schedule, warmup = case.split()[0], int(case.split()[1])
    recur = [float(v) for v in open("%s/%s-%d/recur_lr" % (work, schedule, warmup))]
    s = {"schedule": schedule, "warmup_steps": warmup, "min_lr": 0.001, "step_size": 1, "gamma": 0.1}
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.01)
    per_step, _ = torch_train.make_schedulers(s, opt, steps)
    torch_lr = []
    for _ in range(steps):  # as torch_train.py's loop: the rate of the update, then the schedulers
        torch_lr.append(opt.param_groups[0]["lr"])
        opt.step()
        for sched in per_step:
            sched.step()
    bad = [(k + 1, a, b) for k, (a, b) in enumerate(zip(recur, torch_lr)) if abs(a - b) > 1e-5 * max(abs(b), 1e-12)]
    if len(recur) != steps or bad:
        print("FAIL: %s warmup %d: (step, recur, torch) %s" % (schedule, warmup, bad[:4] or len(recur)))
        failed += 1
    else:
        print("ok: %s, warmup_steps = %d: the same rate at all %d steps" % (schedule, warmup, steps))
sys.exit(1 if failed else 0)
PY
