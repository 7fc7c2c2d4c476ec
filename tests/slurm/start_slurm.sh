#!/usr/bin/env bash
# start_slurm.sh: starts a throwaway one-node Slurm cluster on this machine, as root, for
# the tests: its own munged (own key and socket), slurmctld and slurmd, every file under
# one directory ($RECUR_SLURM_DIR, default /tmp/recur-slurm). It never touches the
# system's /etc/munge, /etc/slurm or a Slurm/munge already running here (own ports
# from 6917/6918 up, the first free pair; own munge socket), and starts no systemd service.
#
#   eval "$(tests/slurm/start_slurm.sh [--gpus=N])"    # sets SLURM_CONF for sbatch & co.
#   tests/slurm/stop_slurm.sh                           # stops it, removes the directory
#
# On stdout it prints only `export SLURM_CONF=...`; progress goes to stderr. Running it
# again while the cluster is up (same --gpus) just prints that line (idempotent); a
# cluster left half-started is stopped and started anew.
# --gpus=N declares N stand-in GPUs (gres/gpu backed by /dev/null, /dev/zero, ...): Slurm
# then schedules --gpus-per-node and sets CUDA_VISIBLE_DEVICES exactly as on a GPU node,
# with nothing behind them; the jobs must run on the CPU (RECUR_DEVICE=cpu).
# Exits 77 with "skipped: ..." when not root or when slurm-wlm/munge are not installed
# (tools/install-deps.sh installs them); 1 when a daemon does not come up (log tails shown).
set -euo pipefail

dir=${RECUR_SLURM_DIR:-/tmp/recur-slurm}
export PATH=$PATH:/usr/sbin:/sbin   # munged, slurmctld, slurmd live there; not every PATH has it
gpus=0
for arg in "$@"; do
  case $arg in
    --gpus=*) gpus=${arg#--gpus=} ;;
    *) echo "usage: start_slurm.sh [--gpus=N]" >&2; exit 2 ;;
  esac
done
[[ $gpus =~ ^[0-9]+$ ]] || { echo "start_slurm.sh: --gpus needs a number (got '$gpus')" >&2; exit 2; }

say() { echo "start_slurm: $*" >&2; }
skip() { echo "skipped: $*" >&2; exit 77; }

check_prerequisites() {
  [[ $(id -u) -eq 0 ]] || skip "a local Slurm needs root (munged, slurmctld, slurmd)"
  local cmd missing=()
  for cmd in munged munge unmunge slurmctld slurmd sbatch srun scontrol squeue sinfo; do
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
  done
  [[ ${#missing[@]} -eq 0 ]] ||
    skip "slurm-wlm/munge not installed (no ${missing[*]}; tools/install-deps.sh installs them)"
  id munge >/dev/null 2>&1 || skip "no 'munge' user (the munge package creates it)"
}

conf=$dir/slurm.conf
socket=$dir/munge/run/munge.socket
node=$(hostname -s)

pid_alive() { [[ -s $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

cluster_is_up() {
  [[ -f $conf && "$(cat "$dir/gpus" 2>/dev/null)" == "$gpus" ]] || return 1
  pid_alive "$dir/munge/run/munged.pid" && pid_alive "$dir/slurmctld.pid" && pid_alive "$dir/slurmd.pid" || return 1
  SLURM_CONF=$conf scontrol ping 2>/dev/null | grep -q UP
}

start_munge() {
  mkdir -p "$dir/munge/key" "$dir/munge/run"
  chmod 755 "$dir" "$dir/munge" "$dir/munge/run"   # munged wants its socket dir world-executable
  chmod 700 "$dir/munge/key"                        # ... and its key private to it
  if command -v mungekey >/dev/null 2>&1; then
    mungekey --create --keyfile="$dir/munge/key/munge.key"
  else
    dd if=/dev/urandom of="$dir/munge/key/munge.key" bs=1024 count=1 status=none
  fi
  chmod 600 "$dir/munge/key/munge.key"
  chown -R munge:munge "$dir/munge"
  runuser -u munge -- munged --socket="$socket" --key-file="$dir/munge/key/munge.key" \
    --pid-file="$dir/munge/run/munged.pid" --log-file="$dir/munge/key/munged.log" \
    --seed-file="$dir/munge/key/munged.seed"
  wait_for "munged" 'munge -S "$socket" -n | unmunge -S "$socket" >/dev/null 2>&1'
}

# The node line as slurmd itself sees the hardware (sockets, cores, threads), so the
# node is not drained for a mismatch; memory is left out (not scheduled here).
node_hardware() {
  local line
  line=$(slurmd -C 2>/dev/null | head -1 | tr ' ' '\n' | grep -E '^(CPUs|Boards|SocketsPerBoard|CoresPerSocket|ThreadsPerCore)=' | tr '\n' ' ')
  [[ $line == *CPUs=* ]] && echo "$line" || echo "CPUs=$(nproc)"
}

write_gres() {
  local files=(/dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty) i
  (( gpus <= ${#files[@]} )) || { say "at most ${#files[@]} stand-in GPUs"; exit 2; }
  : > "$dir/gres.conf"
  for (( i = 0; i < gpus; i++ )); do
    echo "NodeName=$node Name=gpu File=${files[i]}" >> "$dir/gres.conf"
  done
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Sets ctld_port and slurmd_port: RECUR_SLURMCTLD_PORT / RECUR_SLURMD_PORT if given, else
# the first pair from 6917 on that nothing listens on (another test cluster, a real Slurm).
choose_ports() {
  ctld_port=${RECUR_SLURMCTLD_PORT:-} slurmd_port=${RECUR_SLURMD_PORT:-}
  [[ -n $ctld_port && -n $slurmd_port ]] && return
  local p
  for (( p = 6917; p < 7017; p += 2 )); do
    if ! port_in_use "$p" && ! port_in_use $(( p + 1 )); then
      ctld_port=$p slurmd_port=$(( p + 1 ))
      return
    fi
  done
  say "no free port pair between 6917 and 7017"
  exit 1
}

write_conf() {
  local gres_line="" gres_types="" ctld_port slurmd_port
  choose_ports
  if (( gpus > 0 )); then
    write_gres
    gres_types="GresTypes=gpu"
    gres_line="Gres=gpu:$gpus"
  fi
  cat > "$conf" <<EOF
# Written by tests/slurm/start_slurm.sh: a throwaway one-node cluster under $dir.
ClusterName=recurtest
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
TmpFS=$dir/tmp
FirstJobId=$(( (ctld_port - 6915) / 2 * 100000 + 1 ))
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/builtin
ReturnToService=2
MpiDefault=none
MailProg=/bin/true
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
MinJobAge=600
$gres_types
NodeName=$node NodeAddr=127.0.0.1 $(node_hardware) $gres_line State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
  echo "$gpus" > "$dir/gpus"
}

show_logs() {
  local f
  for f in "$dir/munge/key/munged.log" "$dir/log/slurmctld.log" "$dir/log/slurmd.log"; do
    [[ -f $f ]] && { echo "--- $f" >&2; tail -n 15 "$f" >&2; }
  done
}

# wait_for WHAT CONDITION: polls the condition (eval'd) for up to 30 s.
wait_for() {
  local i
  for (( i = 0; i < 60; i++ )); do
    eval "$2" && return 0
    sleep 0.5
  done
  say "$1 did not come up within 30 s"
  show_logs
  exit 1
}

node_state() { sinfo -h -n "$node" -o %t 2>/dev/null | head -1; }

start_slurm() {
  # Per-job files (the PMIx plugin's spmix_appdir_<uid>_<job>.<step>) go to TmpFS, and job
  # ids start apart per port pair, so two clusters on one machine never share a path.
  mkdir -p "$dir/state" "$dir/spool" "$dir/log" "$dir/tmp"
  chmod 1777 "$dir/tmp"
  write_conf
  export SLURM_CONF=$conf
  slurmctld -f "$conf" -c
  wait_for "slurmctld" 'scontrol ping 2>/dev/null | grep -q UP'
  slurmd -f "$conf" -N "$node"
  wait_for "slurmd (node $node idle)" '[[ $(node_state) == idle ]]'
}

check_prerequisites
if cluster_is_up; then
  say "already up under $dir"
else
  [[ -d $dir ]] && "$(dirname "$0")/stop_slurm.sh" >&2
  mkdir -p "$dir"
  start_munge
  start_slurm
  say "up: node $node ($(node_hardware)$( (( gpus )) && echo "with $gpus stand-in GPUs")), SLURM_CONF=$conf"
fi
echo "export SLURM_CONF=$conf"
