#!/usr/bin/env bash
# stop_slurm.sh: stops the throwaway Slurm that tests/slurm/start_slurm.sh started under
# $RECUR_SLURM_DIR (default /tmp/recur-slurm): cancels its jobs, ends slurmd, slurmctld
# and munged by the process ids in that directory's pid files (never by name, so nothing
# else on the machine is touched), then removes the directory (RECUR_SLURM_KEEP=1 keeps
# it, logs included). Idempotent: with nothing running or no directory it does nothing.
set -uo pipefail

dir=${RECUR_SLURM_DIR:-/tmp/recur-slurm}
[[ -d $dir ]] || exit 0
say() { echo "stop_slurm: $*" >&2; }

# stop_daemon PIDFILE NAME: TERM, up to 10 s for it to go, then KILL. Only a live process
# whose command name is NAME is signalled (a stale pid file may name someone else now).
stop_daemon() {
  local pidfile=$1 name=$2 pid i
  [[ -s $pidfile ]] || return 0
  pid=$(cat "$pidfile")
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 0
  [[ $(cat "/proc/$pid/comm" 2>/dev/null) == "$name" ]] || return 0
  kill -TERM "$pid" 2>/dev/null
  for (( i = 0; i < 100; i++ )); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  say "$name ($pid) did not stop within 10 s: killing it"
  kill -KILL "$pid" 2>/dev/null
}

if [[ -f $dir/slurm.conf ]] && pid_file=$dir/slurmctld.pid && [[ -s $pid_file ]] &&
   kill -0 "$(cat "$pid_file")" 2>/dev/null; then
  export SLURM_CONF=$dir/slurm.conf
  mapfile -t jobs < <(timeout 10 squeue -h -o %i 2>/dev/null)
  if [[ ${#jobs[@]} -gt 0 ]]; then
    say "cancelling jobs ${jobs[*]}"
    timeout 10 scancel "${jobs[@]}" 2>/dev/null
    sleep 2
  fi
fi
stop_daemon "$dir/slurmd.pid" slurmd
stop_daemon "$dir/slurmctld.pid" slurmctld
stop_daemon "$dir/munge/run/munged.pid" munged

if [[ ${RECUR_SLURM_KEEP:-0} == 1 ]]; then
  say "stopped; kept $dir"
else
  rm -rf "$dir"
  say "stopped; removed $dir"
fi
