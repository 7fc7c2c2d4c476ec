#!/usr/bin/env bash
# fault_storage_disk_full.sh: a full disk (ENOSPC) or a failing one (EIO) while a
# checkpoint or a prepared dataset is written. Promise (docs/TRAINING.md, "Faults and
# hostile input: storage"): one line naming the file and the OS error, exit 1, no
# crash in HDF5's exit-time clean-up (was exit 139), the temporary file removed, the
# older checkpoints and an older dataset file intact. Injected with the ENOSPC shim; also
# on a real 400 KiB tmpfs where one can be mounted.
source "$(dirname "$0")/common.sh"
make_tiny_dataset
make_tiny_run
cp "$WORK/run/checkpoints/step-000000020.h5" "$WORK/before.h5"

# ---- a checkpoint write fails: step 30's file gets 4 KB, then ENOSPC ----
for err in 28:"No space left on device" 5:"Input/output error"; do
  code=${err%%:*} text=${err#*:}
  FAULT_PATH=step-000000030.h5 FAULT_BYTES=4000 FAULT_ERRNO=$code LD_PRELOAD=$ENOSPC_SHIM \
    expect 1 "checkpoints/step-000000030\.h5: cannot write: $text" \
    train --run_dir="$WORK/run" "${TINY[@]}" --steps=40 --resume=1
  no_temp_files "$WORK/run"
  [[ ! -e $WORK/run/checkpoints/step-000000030.h5 ]] || fail "a half-written step-30 checkpoint is there"
  cmp -s "$WORK/before.h5" "$WORK/run/checkpoints/step-000000020.h5" || fail "the step-20 checkpoint changed"
  [[ ! -e $WORK/run/lock ]] || fail "the run directory lock was left behind"
done
ok "older checkpoint intact, no temporary file, no lock left"
# the run goes on from the intact checkpoint once the disk has room again
expect_ok train --run_dir="$WORK/run" "${TINY[@]}" --steps=40 --resume=1
grep -q "resume: .*step-000000020.h5 (step 20" "$WORK/out" || fail "did not resume from step 20: $(head -3 "$WORK/out")"
ok "resumed from step 20 afterwards"

# RECUR_DEBUG_HDF5=1 adds HDF5's own error stack
FAULT_PATH=step-000000050.h5 FAULT_BYTES=4000 LD_PRELOAD=$ENOSPC_SHIM RECUR_DEBUG_HDF5=1 \
  recur train --run_dir="$WORK/run" "${TINY[@]}" --steps=50 --resume=1
[[ $RC -eq 1 ]] && grep -q "HDF5-DIAG" "$WORK/err" || fail "RECUR_DEBUG_HDF5=1 printed no HDF5 stack (exit $RC)"
ok "RECUR_DEBUG_HDF5=1 prints HDF5's stack"

# ---- recur prep onto a full disk: the existing output stays as it was ----
cp "$WORK/ag.h5" "$WORK/ag_before.h5"
FAULT_PATH=ag.h5.tmp- FAULT_BYTES=30000 LD_PRELOAD=$ENOSPC_SHIM \
  expect 1 "ag\.h5: cannot write: No space left on device" \
  prep text-csv --train="$SAMPLES/ag_news/train.csv" --header=0 --label_column=1 --text_columns=2,3 \
  --max_len=8 --valid_fraction=0.25 --output="$WORK/ag.h5"
no_temp_files "$WORK"
cmp -s "$WORK/ag.h5" "$WORK/ag_before.h5" || fail "prep replaced or damaged the existing output"
ok "prep: existing output intact, no temporary file"

# ---- a real full file system (root only) ----
mkdir "$WORK/small"
if mount -t tmpfs -o size=400k tmpfs "$WORK/small" 2>/dev/null; then
  MOUNTED=$WORK/small
  expect 1 "small/run/checkpoints/step-0000000[0-9]0\.h5: cannot write: No space left on device" \
    train --run_dir="$WORK/small/run" --hidden_size=128 --steps=40 --eval_every=10 --progress=lines
  no_temp_files "$WORK/small"
  ls "$WORK/small/run/checkpoints"/step-*.h5 >/dev/null 2>&1 || fail "no older checkpoint survived on the tmpfs"
  for c in "$WORK/small/run/checkpoints"/step-*.h5; do
    expect_ok train --run_dir="$WORK/small/run" --hidden_size=128 --steps=1 --resume=1 --progress=lines
  done
  ok "tmpfs: one line, exit 1, no temporary file, the older checkpoint loads"
  umount "$WORK/small" && MOUNTED=""
else
  echo "note: cannot mount a tmpfs here (not root?): the shim's cases above stand for it"
fi
