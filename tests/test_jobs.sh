#!/usr/bin/env bash
# test_jobs.sh ROOT: what the comments of ROOT/jobs/ claim stays true where a machine can
# check it without data:
#  - every jobs/*.conf loads: `recur train --config FILE --print-config` (every key exists,
#    every value is allowed);
#  - every `recur prep ...` and `recur train ...` command a comment line of jobs/* starts
#    with (after `Run:`; continuation lines joined, optional `[...]` parts left out, $W as
#    6) loads its
#    settings: the same command with --print-config exits 0;
#  - every jobs/, tools/, docs/, datasets/, tests/ or src/ path a comment names exists.
# It does not run the commands (the datasets are not here) nor check numbers: those come
# from docs/RESULTS.md, beside the commands that made them. Env RECUR = the binary.
# Fails (exit 1) naming the file, the command or path, and recur's message.
set -u
: "${RECUR:?set RECUR to the recur binary}"
root=${1:?usage: test_jobs.sh ROOT}
cd "$root" || exit 1
failed=0 checked=0
fail() { echo "FAIL: $*"; failed=1; }

for conf in jobs/*.conf; do
  out=$("$RECUR" train --config "$conf" --print-config 2>&1 >/dev/null) || fail "$conf does not load: $out"
  checked=$((checked + 1))
done

# comments FILE: the comment text of FILE (no #! or #SBATCH lines), one line each, the
# leading '#' and spaces removed, lines ending in '\' joined with the next.
comments() {
  sed -n 's/^#[[:space:]]*//p' "$1" | grep -v '^!' | grep -v '^SBATCH' |
    awk '{ if (sub(/\\[[:space:]]*$/, "")) { part = part $0; next } print part $0; part = "" }'
}

# check_command FILE TEXT: TEXT from "recur prep" or "recur train" on, without [...], must
# load with --print-config.
check_command() {
  local file=$1 text=$2 args=()
  text=$(sed -E 's/\[[^]]*\]//g; s/\$\{?W\}?/6/g; s/\$\{?s\}?/1/g' <<<"$text")
  mapfile -t args < <(xargs -n 1 printf '%s\n' <<<"$text") || { fail "$file: cannot split: $text"; return; }
  local out
  out=$("$RECUR" "${args[@]:1}" --print-config 2>&1 >/dev/null) ||
    fail "$file: '$text' does not load: $out"
  checked=$((checked + 1))
}

for file in jobs/*; do
  while IFS= read -r line; do
    command=$(grep -oE '^(Run:[[:space:]]*)?recur (prep|train) .*' <<<"$line") || continue
    command=${command#Run:}
    check_command "$file" "${command%%;*}"
  done < <(comments "$file")
  while IFS= read -r path; do
    [[ -e $path ]] || fail "$file names $path, which does not exist"
    checked=$((checked + 1))
  done < <(comments "$file" | grep -oE '(^|[^A-Za-z0-9_./-])(jobs|tools|docs|datasets|tests|src)/[A-Za-z0-9_./-]*[A-Za-z0-9_]' |
           sed -E 's/^[^a-z]//' | grep -v '\$' | sort -u)
done

[[ $failed -eq 0 ]] && echo "ok: jobs/: $checked configs, commands and paths in comments checked"
exit "$failed"
