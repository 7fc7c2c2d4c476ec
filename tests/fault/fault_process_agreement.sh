#!/usr/bin/env bash
# fault_process_agreement.sh: the cross-rank check of settings and data (docs/PARALLEL.md,
# "Start-up and hangs"): per-rank differences that do no harm are accepted, a real one is
# named by key with both ranks' values (exit 2, one message). 2 ranks, mpirun; rank 1 gets
# the extra arguments in $ON_RANK_1, rank 0 those in $ON_RANK_0.
#  1. Accepted: threads, run_dir (rank 1 writes nothing to its own), progress, and the same
#     dataset file at another path.
#  2. Refused: lr (key and both values named); another dataset (the fingerprints named).
# Usage: RECUR=... fault_process_agreement.sh PROJECT_ROOT
root=$1
source "$(dirname "$0")/fault_common.sh"
export WORK RECUR
cat >"$WORK/rank.sh" <<'WRAP'
#!/usr/bin/env bash
if [[ $OMPI_COMM_WORLD_RANK == 1 ]]; then exec "$RECUR" "$@" $ON_RANK_1; fi
exec "$RECUR" "$@" $ON_RANK_0
WRAP
chmod +x "$WORK/rank.sh"
host=$(hostname)
"$RECUR" prep text-csv --train="$root/datasets/samples/ag_news/train.csv" --header=0 --text_columns=2,3 \
  --output="$WORK/ag.h5" >/dev/null
mkdir "$WORK/elsewhere" && cp "$WORK/ag.h5" "$WORK/elsewhere/ag.h5"
"$RECUR" prep text-csv --train="$root/datasets/samples/ag_news/train.csv" --header=0 --text_columns=2 \
  --output="$WORK/other.h5" >/dev/null
base=(train --cell=gru --hidden_size=8 --input_size=8 --batch_size=4
      --optimizer=adam --steps=4 --eval_every=0 --log_every=2)

ON_RANK_0="--threads=1 --run_dir=$WORK/rank0 --progress=lines --data=$WORK/ag.h5" \
ON_RANK_1="--threads=2 --run_dir=$WORK/rank1 --progress=bar --data=$WORK/elsewhere/ag.h5" \
  timeout 60 mpirun -np 2 -x ON_RANK_0 -x ON_RANK_1 "$WORK/rank.sh" "${base[@]}" >"$WORK/ok.out" 2>&1 ||
  fail "harmless per-rank differences refused: $(grep recur: "$WORK/ok.out")"
[[ -f $WORK/rank0/checkpoints/step-000000004.h5 && ! -e $WORK/rank1 ]] ||
  fail "rank 0 did not write its run_dir, or rank 1 wrote one"
echo "ok: threads, run_dir, progress and the dataset's path differ per rank: trained"

# refused ARGS_ON_RANK_1 PATTERN (rank 0: --data=ag.h5 --lr=0.01; rank 1: those given)
refused() {
  local rc=0
  ON_RANK_0="--data=$WORK/ag.h5 --lr=0.01" ON_RANK_1=$1 timeout 60 mpirun -np 2 -x ON_RANK_0 -x ON_RANK_1 \
    "$WORK/rank.sh" "${base[@]}" --run_dir="$WORK/no" --progress=lines \
    >"$WORK/no.out" 2>&1 || rc=$?
  [[ $rc -eq 2 ]] || fail "'$1' on rank 1: exit $rc, expected 2: $(grep recur: "$WORK/no.out")"
  grep -Eq -- "$2" "$WORK/no.out" || fail "'$1' on rank 1: no line /$2/: $(grep recur: "$WORK/no.out")"
  [[ $(grep -c '^recur:' "$WORK/no.out") -eq 1 ]] || fail "'$1': not one message: $(grep recur: "$WORK/no.out")"
  echo "ok (exit 2): $(grep '^recur:' "$WORK/no.out")"
}
refused "--lr=0.2 --data=$WORK/ag.h5" "^recur: rank 1/2 on $host has lr = 0.2, but rank 0/2 on $host has lr = 0.01: every rank must"
refused "--lr=0.01 --data=$WORK/other.h5" \
  "^recur: rank 1/2 on $host has dataset fingerprint = [0-9a-f]{16}, but rank 0/2 on $host has dataset fingerprint = [0-9a-f]{16}"
