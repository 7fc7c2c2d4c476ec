#!/usr/bin/env bash
# expect_caught.sh PROGRAM CASE REGEX: the planted bug CASE (planted_bugs.cpp) must make
# the emulated run fail: PROGRAM CASE exits non-zero and its output matches REGEX.
set -u
out=$("$1" "$2" 2>&1)
rc=$?
printf '%s\n' "$out" | head -8
if [ "$rc" -eq 0 ]; then
  echo "NOT CAUGHT: planted bug '$2' ran to the end (exit 0)"
  exit 1
fi
if ! grep -Eq -- "$3" <<<"$out"; then
  echo "caught (exit $rc), but the output lacks the expected message /$3/"
  exit 1
fi
echo "caught: $2 (exit $rc)"
