#!/usr/bin/env bash
# rank_env.sh: runs as every rank of a job, just before recur: prints one line naming the
# rank, its host, its node-local rank and the GPUs it sees, applies RECUR_DEVICE=cpu
# (hides the GPUs), then becomes the given command. Used by jobs/slurm_run.sh (srun or
# mpirun) and jobs/run_local.sh (mpirun). It changes nothing else; recur finds its own
# rank and local rank through MPI.
#
#   rank_env.sh PROGRAM [ARGS...]
#
# Rank variables: Open MPI's (OMPI_COMM_WORLD_RANK, _LOCAL_RANK, _SIZE; set under mpirun)
# first, else Slurm's (SLURM_PROCID, SLURM_LOCALID, SLURM_NTASKS; set under srun). Under
# mpirun in a Slurm job SLURM_PROCID belongs to Open MPI's daemon, not to the rank.
rank=${OMPI_COMM_WORLD_RANK:-${SLURM_PROCID:-0}}
size=${OMPI_COMM_WORLD_SIZE:-${SLURM_NTASKS:-1}}
local_rank=${OMPI_COMM_WORLD_LOCAL_RANK:-${SLURM_LOCALID:-0}}
gpus=${CUDA_VISIBLE_DEVICES-unset}
if [[ ${RECUR_DEVICE:-} == cpu ]]; then
  export CUDA_VISIBLE_DEVICES=
  gpus="$gpus, hidden (RECUR_DEVICE=cpu)"
fi
echo "recur-job: rank $rank/$size on $(hostname -s): local rank $local_rank, CUDA_VISIBLE_DEVICES=$gpus" >&2
exec "$@"
