#!/usr/bin/env bash
# fault_bce_loss.sh: `loss = bce` is not offered as a training loss it cannot be: recur
# train refuses it on every dataset kind with one line saying why and what to use (exit 2),
# and docs/CONFIG.md and `recur train --help` say so instead of listing it as a choice.
# Usage: RECUR=... fault_bce_loss.sh PROJECT_ROOT
root=$1
source "$(dirname "$0")/fault_common.sh"
expect_error "^recur: loss = bce: no dataset kind trains with it .* is a classify dataset: use cross_entropy" \
  "$RECUR" train --data=synthetic --loss=bce --steps=1 --run_dir="$WORK/r"
grep '^| `loss`' "$root/docs/CONFIG.md" | grep -q 'refused by `recur train` for every dataset kind' ||
  fail "docs/CONFIG.md still offers bce as a training loss: $(grep '^| `loss`' "$root/docs/CONFIG.md")"
"$RECUR" train --help | grep -E '^  loss ' | grep -q 'bce is refused' || fail "recur train --help still offers bce"
echo "ok: bce refused with a reason; the docs and --help say so"
