#!/usr/bin/env bash
# run_local.sh: trains on one workstation with N ranks (one per GPU, or N CPU processes),
# without Slurm: `mpirun -n N recur train --config CONFIG --resume=1 [--key=value ...]`.
#
#   jobs/run_local.sh N CONFIG [--key=value ...]
#   jobs/run_local.sh 2 jobs/ag_news_gru.conf                  # 2 GPUs: ranks 0 and 1
#   jobs/run_local.sh 2 jobs/ag_news_gru.conf --run_dir=runs/ag2 --lr=0.002
#   RECUR_DEVICE=cpu jobs/run_local.sh 2 jobs/synthetic.conf   # CPU only, GPUs hidden
#
# The run goes to the config's run_dir (or --run_dir=...). --resume=1 is passed unless a
# --resume= is given: running the same command again after a crash or Ctrl-C continues
# from the newest checkpoint, and on a finished run it says there is nothing to do (give
# another --run_dir for a fresh run). Only rank 0 writes the run directory and draws the
# progress line.
# GPUs: rank r uses GPU r (recur picks its GPU by node-local rank); N should be the
# number of GPUs. CUDA_VISIBLE_DEVICES=2,3 jobs/run_local.sh 2 ... uses GPUs 2 and 3.
# CPU threads: each rank gets cores / N OpenBLAS threads (OPENBLAS_NUM_THREADS), unless
# it or the config's `threads` says otherwise. Ranks are not bound to cores
# (--bind-to none: Open MPI would otherwise pin each rank, threads and all, to one core).
# More ranks than cores is allowed (--oversubscribe), for tests on small machines.
# Stopping: SIGTERM/SIGINT to this script (or Ctrl-C) stops every rank after its current
# step with a checkpoint; the script exits 143 (docs/PARALLEL.md, "Exit statuses").
# Environment: RECUR (the recur program; default `recur` on PATH, else build/recur next
# to this jobs/ folder), RECUR_DEVICE=cpu, MPIRUN_ARGS (more mpirun options, split on
# spaces). As root, Open MPI's two OMPI_ALLOW_RUN_AS_ROOT variables are set for mpirun.
set -uo pipefail

die() { echo "run_local: $*" >&2; exit 2; }
[[ $# -ge 2 ]] || die "usage: jobs/run_local.sh N CONFIG [--key=value ...]"
ranks=$1 config=$2
shift 2
[[ $ranks =~ ^[1-9][0-9]*$ ]] || die "N is the number of ranks, a positive integer (got '$ranks')"
[[ -r $config ]] || die "cannot read config '$config'"
resume=(--resume=1)
for arg in "$@"; do
  [[ $arg == --?*=* ]] || die "'$arg': extra arguments are --key=value settings (docs/CONFIG.md)"
  [[ $arg == --resume=* ]] && resume=()
done

jobs_dir=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
if [[ -n ${RECUR:-} ]]; then recur=$RECUR
elif command -v recur >/dev/null 2>&1; then recur=$(command -v recur)
else recur=$jobs_dir/../build/recur
fi
[[ -x $recur ]] || die "no recur program at '$recur' (set RECUR=path/to/recur)"
command -v mpirun >/dev/null 2>&1 || die "no mpirun (Open MPI: tools/install-deps.sh installs it)"

cores=$(nproc)
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-$(( cores / ranks > 0 ? cores / ranks : 1 ))}
if [[ $(id -u) -eq 0 ]]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
read -r -a extra_mpirun <<< "${MPIRUN_ARGS:-}"

# SIGTERM or SIGINT (kill, Ctrl-C) to this script goes to the ranks, not to mpirun. Open
# MPI's mpirun answers a signal of its own by ending the job with status 1 before the
# ranks' statuses arrive; ranks signalled directly finish their step, write a checkpoint
# and exit 143, and mpirun passes that status on (test: fault_process_sigterm_mpirun).
# set -m puts mpirun in its own process group, so a terminal's Ctrl-C reaches this script
# alone; stdin is closed because a background group reading the terminal would stop.
set -m
mpirun -n "$ranks" --oversubscribe --bind-to none "${extra_mpirun[@]}" \
  bash "$jobs_dir/rank_env.sh" "$recur" train --config "$config" "${resume[@]}" "$@" </dev/null &
job=$!
stop_ranks() { pkill -TERM -P "$job" || kill -TERM "$job"; } # no ranks yet: mpirun itself
trap stop_ranks TERM INT
while :; do
  wait "$job"
  status=$?
  kill -0 "$job" 2>/dev/null || break # the wait was cut short by a signal: keep waiting
done
exit "$status"
