#!/usr/bin/env bash
# slurm_run.sh: the body shared by jobs/slurm_single_node.sbatch and
# jobs/slurm_multi_node.sbatch, run inside the Slurm allocation (those scripts `exec` it,
# so it stays the batch shell and receives --signal=B:USR1). Not for submitting itself.
#
#   slurm_run.sh CONFIG [--key=value ...]
#
# Starts one `recur train --config CONFIG` rank per Slurm task, adding
#   --run_dir=$RECUR_RUNS/<config name>-<job id>   unless a --run_dir= is given
#   --resume=1                                     unless a --resume= is given
#   --progress=lines                               unless a --progress= is given
# so a requeued job (same job id) continues from its newest checkpoint.
#
# Environment it honours (sbatch passes the submitting shell's environment on):
#   RECUR           the recur program (default: `recur` on PATH, else
#                   $SLURM_SUBMIT_DIR/build/recur)
#   RECUR_RUNS      where run directories go (default $SLURM_SUBMIT_DIR/runs); on several
#                   nodes it must be a shared file system (rank 0 may be on another node
#                   after a requeue)
#   RECUR_LAUNCHER  srun | mpirun | auto (default auto: srun --mpi=pmix when this Slurm
#                   has the pmix plugin, `srun --mpi=list`; else mpirun)
#   RECUR_DEVICE    cpu: hide the allocated GPUs from recur (CUDA_VISIBLE_DEVICES= for
#                   every rank), for a CPU run or a node without GPUs; default: use them
#   RECUR_MAX_REQUEUES  how often the job requeues itself at the time limit (default 10)
# Exit status: recur's (through srun/mpirun).
set -uo pipefail

log() { echo "recur-job: $*" >&2; }
die() { echo "recur-job: $*" >&2; exit 2; }

[[ -n ${SLURM_JOB_ID:-} ]] || die "not inside a Slurm job (submit the .sbatch script with sbatch)"
[[ $# -ge 1 ]] || die "usage: sbatch jobs/slurm_single_node.sbatch CONFIG [--key=value ...]"
config=$1
shift
[[ -r $config ]] || die "cannot read config '$config' (relative paths start at $SLURM_SUBMIT_DIR)"
for arg in "$@"; do
  [[ $arg == --?*=* ]] || die "'$arg': extra arguments are --key=value settings (docs/CONFIG.md)"
done

# has_key KEY ARGS...: whether ARGS set --KEY=...
has_key() {
  local key=$1 arg
  shift
  for arg in "$@"; do [[ $arg == "--$key="* ]] && return 0; done
  return 1
}

find_recur() {
  if [[ -n ${RECUR:-} ]]; then echo "$RECUR"
  elif command -v recur >/dev/null 2>&1; then command -v recur
  else echo "$SLURM_SUBMIT_DIR/build/recur"
  fi
}

choose_launcher() {
  case ${RECUR_LAUNCHER:-auto} in
    srun|mpirun) echo "$RECUR_LAUNCHER" ;;
    *) if srun --mpi=list 2>&1 | grep -qw pmix; then echo srun; else echo mpirun; fi ;;
  esac
}

# The command that starts one rank on every task. srun: Slurm starts the tasks and Open
# MPI wires them up through PMIx; a task that fails takes the step down. mpirun: Open MPI
# reads the allocation from Slurm and starts its daemons with srun itself.
launcher_command() {
  if [[ $1 == srun ]]; then
    # Slurm 22.05 stopped passing the job's --cpus-per-task on to srun: pass it again.
    echo srun --mpi=pmix --kill-on-bad-exit=1 ${SLURM_CPUS_PER_TASK:+--cpus-per-task=$SLURM_CPUS_PER_TASK}
  else
    echo mpirun -n "$SLURM_NTASKS" --bind-to none
  fi
}

recur=$(find_recur)
[[ -x $recur ]] || die "no recur program at '$recur' (set RECUR=path/to/recur)"
args=("$@")
if ! has_key run_dir "$@"; then
  run_dir=${RECUR_RUNS:-$SLURM_SUBMIT_DIR/runs}/$(basename "${config%.*}")-$SLURM_JOB_ID
  args+=("--run_dir=$run_dir")
fi
has_key resume "$@" || args+=("--resume=1")
# mpirun hands its ranks a terminal, which would draw the live bar into the log file.
has_key progress "$@" || args+=("--progress=lines")
[[ ${RECUR_DEVICE:-} == "" || ${RECUR_DEVICE:-} == cpu ]] || die "RECUR_DEVICE is cpu or unset (got '$RECUR_DEVICE')"
[[ ${RECUR_LAUNCHER:-auto} =~ ^(srun|mpirun|auto)$ ]] || die "RECUR_LAUNCHER is srun, mpirun or auto (got '$RECUR_LAUNCHER')"

# Threads per rank for the CPU path (OpenBLAS; recur's `threads = 0` follows it).
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-${SLURM_CPUS_PER_TASK:-1}}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-$OPENBLAS_NUM_THREADS}

launcher=$(choose_launcher)
# Open MPI's mpirun refuses root unless told twice (containers, test clusters run as root).
if [[ $launcher == mpirun && $(id -u) -eq 0 ]]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
read -r -a launch <<< "$(launcher_command "$launcher")"
rank_wrapper=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/rank_env.sh
cmd=("${launch[@]}" bash "$rank_wrapper" "$recur" train --config "$config" "${args[@]}")

log "job $SLURM_JOB_ID (restart ${SLURM_RESTART_COUNT:-0}): ${SLURM_NTASKS:-?} ranks on ${SLURM_JOB_NUM_NODES:-?} node(s) [${SLURM_JOB_NODELIST:-?}], GPUs per node: ${SLURM_GPUS_ON_NODE:-none}${RECUR_DEVICE:+ (hidden: RECUR_DEVICE=$RECUR_DEVICE)}, $OPENBLAS_NUM_THREADS thread(s) per rank"
log "launcher $launcher: ${cmd[*]}"

# --signal=B:USR1@T reaches this shell T seconds before the time limit: requeue the job
# (same id, so the same run_dir) and let it resume from the newest checkpoint.
requeue_before_time_limit() {
  if (( ${SLURM_RESTART_COUNT:-0} >= ${RECUR_MAX_REQUEUES:-10} )); then
    log "time limit near; already requeued ${SLURM_RESTART_COUNT} times (RECUR_MAX_REQUEUES): not again"
    return
  fi
  log "time limit near: requeueing job $SLURM_JOB_ID; it resumes from the newest checkpoint"
  scontrol requeue "$SLURM_JOB_ID"
}
trap requeue_before_time_limit USR1

"${cmd[@]}" &
pid=$!
while :; do
  wait "$pid"
  status=$?
  kill -0 "$pid" 2>/dev/null || break   # wait was interrupted by the trap: keep waiting
done
log "ranks finished with status $status"
exit "$status"
