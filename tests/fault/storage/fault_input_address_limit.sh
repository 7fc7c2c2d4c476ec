#!/usr/bin/env bash
# fault_input_address_limit.sh: under an address-space limit (ulimit -v) that leaves too
# little beyond what recur's libraries map, recur stops at once with one line naming the
# limit, exit 1 — never a hang (OpenBLAS's workers spin when they cannot map their
# buffers, and an exit that waits for them hung). Also: a fatal error exits promptly.
source "$(dirname "$0")/common.sh"
base_kb=$(( LIMIT_KB - 1048576 ))
tight_kb=$(( base_kb + 100 * 1024 ))  # 100 MB beyond the start-up mappings
for args in "version" "train --run_dir=$WORK/run --steps=1"; do
  RC=0
  # shellcheck disable=SC2086
  (ulimit -v "$tight_kb"; exec timeout -s KILL 30 "$RECUR" $args) >"$WORK/out" 2>"$WORK/err" || RC=$?
  [[ $RC -ne 137 ]] || fail "recur $args under ulimit -v $tight_kb hung (killed after 30 s)"
  [[ $RC -eq 1 ]] || fail "recur $args under ulimit -v $tight_kb: exit $RC, expected 1: $(head -c 400 "$WORK/err")"
  grep -Eq "the address-space limit \(ulimit -v\) is [0-9]+ MB and recur's libraries already map [0-9]+ MB" \
    "$WORK/err" || fail "message: $(head -c 400 "$WORK/err")"
  [[ $(wc -l <"$WORK/err") -eq 1 ]] || fail "more than one line: $(cat "$WORK/err")"
done
ok "a tight ulimit -v ($tight_kb kB) stops recur at once: $(head -n 1 "$WORK/err")"
