#!/usr/bin/env bash
# test_text_lines.sh: `recur prep text-lines` — `label text` per line (SST-2 and TREC in
# the harvardnlp layout; fastText's __label__ prefix; TAB or spaces after the label):
# decoded examples, carving, the shard reader under mpirun, and broken inputs.
source "$(dirname "$0")/common.sh"
S=$SAMPLES/text_lines

"$RECUR" prep text-lines --train="$S/train.txt" --test="$S/test_fasttext.txt" --valid_fraction=0 \
  --output="$WORK/sst.h5" >/dev/null
"$RECUR" inspect "$WORK/sst.h5" --split=train --examples=2 >"$WORK/ex"
grep -qx 'train\[0\] label=1: a warm , funny and quietly clever film about growing up .' "$WORK/ex" || fail "train[0]: $(cat "$WORK/ex")"
grep -qx 'train\[1\] label=0: the plot wanders and the jokes fall flat .' "$WORK/ex" || fail "train[1]: $(cat "$WORK/ex")"
"$RECUR" inspect "$WORK/sst.h5" >"$WORK/sum"
grep -q "train 6 examples" "$WORK/sum" || fail "blank line not skipped: $(cat "$WORK/sum")"
"$RECUR" inspect "$WORK/sst.h5" --split=test --examples=1 | grep -qx 'test\[0\] label=1: a <unk> <unk> that <unk> <unk> <unk> .' ||
  fail "fastText prefix or CRLF: $("$RECUR" inspect "$WORK/sst.h5" --split=test --examples=1)"
echo "ok: label-first lines, blank line skipped, __label__ prefix and CRLF"
"$RECUR" prep text-lines --train="$S/trec_like.txt" --output="$WORK/trec.h5" --valid_fraction=0 >/dev/null
"$RECUR" inspect "$WORK/trec.h5" --split=train --examples=3 | grep -qx 'train\[2\] label=0: why do cats purr ?' ||
  fail "TAB after the label: $("$RECUR" inspect "$WORK/trec.h5" --split=train --examples=3)"
"$RECUR" inspect "$WORK/trec.h5" | grep -q "classes: 0 1 (33.3%), 2 1 (33.3%), 5 1 (33.3%)" ||
  fail "numeric class order: $("$RECUR" inspect "$WORK/trec.h5" | grep classes)"
echo "ok: TAB separator; classes 0, 2, 5 in numeric order"
"$RECUR" prep text-lines --train="$S/train.txt" --output="$WORK/carved.h5" --valid_fraction=0.3 --test_fraction=0.3 >/dev/null
shards_ok "$WORK/carved.h5"

printf '1 fine\n0 bad \xff byte\n' >"$WORK/bad_utf8.txt"
expect_error "bad_utf8.txt:2: .*UTF-8" "$RECUR" prep text-lines --train="$WORK/bad_utf8.txt" --output="$WORK/x.h5"
printf '\n\n' >"$WORK/blank.txt"
expect_error "blank.txt: no examples" "$RECUR" prep text-lines --train="$WORK/blank.txt" --output="$WORK/x.h5"
printf '1 good\n7 unseen label\n' >"$WORK/test7.txt"
expect_error "test7.txt:2: unknown label '7'" "$RECUR" prep text-lines --train="$S/train.txt" --test="$WORK/test7.txt" --output="$WORK/x.h5"
[[ ! -e $WORK/x.h5 ]] || fail "a failed conversion left an output file"

# encoding = latin-1 re-encodes (TREC's files are Latin-1); utf-8 refuses the same bytes.
printf '1 caf\xe9 au lait\n0 na\xefve plan\n' >"$WORK/latin1.txt"
"$RECUR" prep text-lines --train="$WORK/latin1.txt" --encoding=latin-1 --valid_fraction=0 --output="$WORK/l1.h5" >/dev/null
"$RECUR" inspect "$WORK/l1.h5" --examples=2 | grep -qx 'train\[1\] label=0: naïve plan' ||
  fail "latin-1: $("$RECUR" inspect "$WORK/l1.h5" --examples=2)"
expect_error "latin1.txt:1: invalid UTF-8" "$RECUR" prep text-lines --train="$WORK/latin1.txt" --output="$WORK/x.h5"
echo "ok: latin-1 input re-encoded"

# gzip-compressed inputs are read as they are (by their magic bytes): the same dataset.
gzip -c "$S/train.txt" >"$WORK/train.txt.gz"
"$RECUR" prep text-lines --train="$WORK/train.txt.gz" --valid_fraction=0 --output="$WORK/gz.h5" >/dev/null
"$RECUR" prep text-lines --train="$S/train.txt" --valid_fraction=0 --output="$WORK/plain.h5" >/dev/null
fp() { "$RECUR" inspect "$1" | sed -n 's/.*fingerprint \([0-9a-f]*\).*/\1/p'; }
[[ $(fp "$WORK/gz.h5") == $(fp "$WORK/plain.h5") ]] || fail "gzip input gives another dataset"
{ gzip -c "$S/train.txt"; gzip -c "$S/train.txt"; } >"$WORK/members.gz"
"$RECUR" prep text-lines --train="$WORK/members.gz" --valid_fraction=0 --output="$WORK/members.h5" >/dev/null
"$RECUR" inspect "$WORK/members.h5" | grep -q "train 12 examples" || fail "two gzip members: $("$RECUR" inspect "$WORK/members.h5" | grep train)"
head -c 60 "$WORK/train.txt.gz" >"$WORK/cut.gz"
expect_error "cut.gz.*(truncated|damaged|ends early)" "$RECUR" prep text-lines --train="$WORK/cut.gz" --output="$WORK/x.h5"
echo "ok: gzip input (one or two members) equals plain; a truncated .gz is refused"
