#!/usr/bin/env bash
# fault_storage_run_lock.sh: one run per run directory. A second `recur train` (here a
# `resume = 1`) beside a running one is refused with exit 2 naming the holder's PID and
# host, and the first run goes on unharmed. After a kill -9 the next run takes the lock
# over with a note, and removes the temporary files of dead processes (a write cut by a
# kill) but not those of live ones.
source "$(dirname "$0")/common.sh"
run=(--run_dir="$WORK/run" --hidden_size=32 --input_size=8 --synthetic_valid_size=64 --eval_every=50 --progress=lines)

(ulimit -v "$LIMIT_KB"; exec "$RECUR" train "${run[@]}" --steps=1000000) >"$WORK/first.out" 2>&1 &
first=$!
BACKGROUND+=("$first")
for _ in $(seq 100); do [[ -s $WORK/run/lock ]] && break; sleep 0.1; done
[[ -s $WORK/run/lock ]] || fail "the first run made no lock file: $(cat "$WORK/first.out")"
grep -q " $first\$" "$WORK/run/lock" || fail "the lock file does not name PID $first: $(cat "$WORK/run/lock")"
ok "lock file: $(cat "$WORK/run/lock")"

expect 2 "run directory is in use by recur process $first on $(cat /proc/sys/kernel/hostname)" train "${run[@]}" --steps=10 --resume=1
kill -0 "$first" 2>/dev/null || fail "the first run died: $(tail -3 "$WORK/first.out")"
grep -q " $first\$" "$WORK/run/lock" || fail "the refused run changed the lock file: $(cat "$WORK/run/lock")"
ok "the first run still runs and still holds the lock"

# a temporary file of a dead process appearing while the run goes on: pruning removes it
sleep 0 & gone=$!
wait "$gone"
mkdir -p "$WORK/run/checkpoints"
touch "$WORK/run/checkpoints/step-000000555.h5.tmp-$gone"
for _ in $(seq 150); do [[ -e $WORK/run/checkpoints/step-000000555.h5.tmp-$gone ]] || break; sleep 0.1; done
[[ ! -e $WORK/run/checkpoints/step-000000555.h5.tmp-$gone ]] || fail "pruning did not remove a dead process's temp file"
grep -q "note: removed .*step-000000555.h5.tmp-$gone" "$WORK/first.out" || fail "no note for the pruned temp file"
ok "pruning removed a dead process's temporary file, with a note"

kill -9 "$first"
wait "$first" 2>/dev/null || true
[[ -e $WORK/run/lock ]] || fail "expected the killed run's lock file to remain"

# temporary files: one of a dead process, one of a live one
sleep 0 & dead=$!
wait "$dead"
sleep 60 & live=$!
BACKGROUND+=("$live")
mkdir -p "$WORK/run/checkpoints"
touch "$WORK/run/checkpoints/step-000000777.h5.tmp-$dead" "$WORK/run/checkpoints/step-000000778.h5.tmp-$live"
expect_ok train "${run[@]}" --steps=60 --resume=1
kill "$live" 2>/dev/null || true
grep -q "note: .*taking over the lock of recur process $first" "$WORK/err" ||
  fail "no note about the taken-over lock: $(cat "$WORK/err")"
grep -q "note: removed .*step-000000777.h5.tmp-$dead" "$WORK/err" || fail "the dead process's temp file was not removed: $(cat "$WORK/err")"
[[ ! -e $WORK/run/checkpoints/step-000000777.h5.tmp-$dead ]] || fail "the dead process's temp file is still there"
[[ -e $WORK/run/checkpoints/step-000000778.h5.tmp-$live ]] || fail "a live process's temp file was removed"
[[ ! -e $WORK/run/lock ]] || fail "the lock file was left after a normal end"
ok "$(grep note "$WORK/err" | tr '\n' ' ')"
