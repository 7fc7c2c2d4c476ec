#!/usr/bin/env bash
# test_config_docs.sh DOCS [COMMAND]: DOCS documents exactly the keys that
# `recur COMMAND --help` lists (env RECUR = the binary; COMMAND defaults to train: CONFIG.md;
# prep: FORMATS.md), each once and with the same default.
# It only compares the two lists; it must not judge the wording of either.
# Fails (exit 1) naming every key missing from either side or documented differently.
set -u
: "${RECUR:?set RECUR to the recur binary}"
docs=${1:?usage: test_config_docs.sh docs/CONFIG.md [COMMAND]}
command=${2:-train}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# help lines: "  key  default  meaning"; docs rows: "| `key` | `default` | meaning |"
"$RECUR" "$command" --help >"$tmp/help" || { echo "FAIL: recur $command --help exited $?"; exit 1; }
awk '/^  [a-z][a-z0-9_]* / { print $1, $2 }' "$tmp/help" | sort >"$tmp/help_keys"
sed -n 's/^| `\([a-z][a-z0-9_]*\)` | `\([^`]*\)` |.*/\1 \2/p' "$docs" | sort >"$tmp/doc_keys"

failed=0
fail() { echo "FAIL: $*"; failed=1; }
[ -s "$tmp/help_keys" ] || fail "no keys found in 'recur $command --help'"
[ -s "$tmp/doc_keys" ] || fail "no key rows found in $docs"
for dup in $(cut -d' ' -f1 "$tmp/doc_keys" | uniq -d); do fail "$docs documents '$dup' more than once"; done
cut -d' ' -f1 "$tmp/help_keys" | sort -u >"$tmp/h"
cut -d' ' -f1 "$tmp/doc_keys" | sort -u >"$tmp/d"
for key in $(comm -23 "$tmp/h" "$tmp/d"); do fail "key '$key' is in recur $command --help but not in $docs"; done
for key in $(comm -13 "$tmp/h" "$tmp/d"); do fail "key '$key' is in $docs but not in recur $command --help"; done
for key in $(comm -12 "$tmp/h" "$tmp/d"); do
    want=$(awk -v k="$key" '$1 == k { print $2 }' "$tmp/help_keys")
    got=$(awk -v k="$key" '$1 == k { print $2; exit }' "$tmp/doc_keys")
    [ "$want" = "$got" ] || fail "key '$key': default is '$want' in recur $command --help but '$got' in $docs"
done
if [ "$failed" -eq 0 ]; then echo "ok: $docs documents the $(wc -l <"$tmp/h") keys of recur $command --help"; fi
exit "$failed"
