#!/usr/bin/env bash
# test_tagging.sh: `recur prep conllu` and `recur prep word-tag` end to end — the samples in
# datasets/samples/{ud,word_tag} go through the converter into an HDF5 file whose decoded
# examples (`recur inspect --examples`) must hold the expected words and tags; the shard
# reader must read every example once with 1, 2 and 3 ranks; each broken input must end
# with exit 2 and `FILE:LINE:`. The parsers' finer rules are in test_conllu.c.
source "$(dirname "$0")/common.sh"

UD=$SAMPLES/ud
WT=$SAMPLES/word_tag

# example_is FILE SPLIT LINE: `recur inspect` prints LINE (exactly) among the split's examples.
example_is() {
  "$RECUR" inspect "$1" --split="$2" --examples=100 >"$WORK/inspect" ||
    fail "recur inspect $1 --split=$2 failed"
  grep -Fxq -- "$3" "$WORK/inspect" || fail "$1: no example line '$3' in: $(grep -F "$2[" "$WORK/inspect" | head -n 5)"
  echo "ok: $3"
}

# examples_are FILE SPLIT N: the split holds N examples.
examples_are() {
  "$RECUR" inspect "$1" --split="$2" --examples=100 >"$WORK/inspect" || fail "recur inspect $1 failed"
  local n
  n=$(grep -c "^$2\[" "$WORK/inspect" || true)
  [[ $n -eq $3 ]] || fail "$1: $2 has $n examples, expected $3"
  echo "ok: $2 has $3 examples"
}

prep_ud() { # prep_ud OUTPUT --KEY=VALUE ...: the three UD sample files
  local out=$1; shift
  "$RECUR" prep conllu --train="$UD/en_sample-ud-train.conllu" --valid="$UD/en_sample-ud-dev.conllu" \
    --test="$UD/en_sample-ud-test.conllu" --output="$out" "$@" >"$WORK/prep.log" ||
    fail "recur prep conllu $*: $(cat "$WORK/prep.log")"
}

# ---- CoNLL-U, UPOS: comments skipped, `Don't` (range 1-2) gives Do + n't, the empty node
# 8.1 (a copy of `ordered`) is not a word; words unseen in train are <unk> in dev/test.
H=$WORK/ud_upos.h5
prep_ud "$H" --lowercase=0
examples_are "$H" train 6
examples_are "$H" valid 2
examples_are "$H" test 2
example_is "$H" train "train[0]: Do/AUX n't/PART forget/VERB the/DET keys/NOUN ./PUNCT"
example_is "$H" train "train[1]: My/PRON older/ADJ sister/NOUN ordered/VERB tea/NOUN and/CCONJ my/PRON brother/NOUN coffee/NOUN ./PUNCT"
example_is "$H" valid "valid[0]: <unk>/PRON <unk>/AUX n't/PART <unk>/VERB <unk>/ADV ./PUNCT"
example_is "$H" test "test[0]: <unk>/PROPN <unk>/AUX n't/PART <unk>/VERB the/DET <unk>/NOUN ./PUNCT"
for split in train valid test; do "$RECUR" inspect "$H" --split=$split --examples=100; done >"$WORK/all"
! grep -Eq "Don't|isn't|can't|didn't|sent_id" "$WORK/all" || fail "a multi-word token or a comment became a word"
shards_ok "$H"

# ---- XPOS column, lower-cased words, truncation to max_len.
H=$WORK/ud_xpos.h5
prep_ud "$H" --tag_column=xpos --lowercase=1
example_is "$H" train "train[0]: do/VB n't/RB forget/VB the/DT keys/NNS ./."
example_is "$H" train "train[2]: the/DT train/NN to/IN boston/NNP leaves/VBZ at/IN 9/CD tomorrow/NN ./."
example_is "$H" test "test[0]: <unk>/NNP <unk>/VBD n't/RB <unk>/VB the/DT <unk>/NN ./."
H=$WORK/ud_short.h5
prep_ud "$H" --max_len=3 --lowercase=0
example_is "$H" train "train[1]: My/PRON older/ADJ sister/NOUN"
shards_ok "$H"

# ---- word-tag: CoNLL-2003 layout (space-separated, 4 columns, -DOCSTART-: first field the
# word, last the tag) for train, `word<TAB>tag` for test; valid carved from train.
H=$WORK/wt.h5
"$RECUR" prep word-tag --train="$WT/train.txt" --test="$WT/test.txt" --output="$H" --lowercase=0 >"$WORK/prep.log" ||
  fail "recur prep word-tag: $(cat "$WORK/prep.log")"
"$RECUR" inspect "$H" --split=train --examples=100 >"$WORK/all"
"$RECUR" inspect "$H" --split=valid --examples=100 >>"$WORK/all"
n=$(grep -Ec '^(train|valid)\[' "$WORK/all" || true)
[[ $n -eq 6 ]] || fail "train + valid hold $n sentences, expected the 6 of train.txt"
grep -Fxq "train[0]: Alice/B-PER flew/O to/O New/B-LOC York/I-LOC on/O Monday/O ./O" "$WORK/all" ||
  fail "word-tag train[0]: $(head -n 3 "$WORK/all")"
! grep -q -- "-DOCSTART-\|NNP\|B-NP" "$WORK/all" || fail "a -DOCSTART- line or a middle column became a token or tag"
examples_are "$H" test 2
example_is "$H" test "test[0]: <unk>/B-PER visited/O Geneva/B-LOC ./O"
example_is "$H" test "test[1]: Acme/B-ORG <unk>/I-ORG <unk>/O <unk>/O office/O in/O New/B-LOC York/I-LOC ./O"
shards_ok "$H"

# ---- broken inputs: exit 2, the file and the line.
GOOD=$'1\tThe\tthe\tDET\tDT\t_\t2\tdet\t_\t_\n2\tcat\tcat\tNOUN\tNN\t_\t0\troot\t_\t_\n\n'
conllu() { # conllu NAME TEXT [KEY=VALUE ...]: prep a one-file CoNLL-U train set
  local name=$1 text=$2; shift 2
  printf '%s' "$text" >"$WORK/$name"
  "$RECUR" prep conllu --train="$WORK/$name" --output="$WORK/out.h5" --valid_fraction=0 "$@"
}
expect_error "bad_fields.conllu:5: expected 10 tab-separated fields, found 7" \
  conllu bad_fields.conllu "$GOOD"$'# c\n1\tA\ta\tDET\tDT\t_\t0\n'
expect_error "bad_id.conllu:4: ID 'x' is not a word number" \
  conllu bad_id.conllu "$GOOD"$'x\tA\ta\tDET\tDT\t_\t0\troot\t_\t_\n'
expect_error "gap.conllu:2: word IDs not consecutive: expected 2, found 3" \
  conllu gap.conllu $'1\tThe\tthe\tDET\tDT\t_\t2\tdet\t_\t_\n3\tcat\tcat\tNOUN\tNN\t_\t0\troot\t_\t_\n'
expect_error "empty_form.conllu:1: empty FORM" \
  conllu empty_form.conllu $'1\t\tthe\tDET\tDT\t_\t2\tdet\t_\t_\n'
expect_error "utf8.conllu:2: invalid UTF-8 in the word at byte 2" \
  conllu utf8.conllu $'1\tThe\tthe\tDET\tDT\t_\t2\tdet\t_\t_\n2\tca\xfft\tcat\tNOUN\tNN\t_\t0\troot\t_\t_\n'
expect_error "utf8_tag.conllu:1: invalid UTF-8 in the tag" \
  conllu utf8_tag.conllu $'1\tThe\tthe\tD\xc3T\tDT\t_\t2\tdet\t_\t_\n'
expect_error "xpos.conllu:2: XPOS is '_' \(not annotated\); use tag_column = upos" \
  conllu xpos.conllu $'1\tThe\tthe\tDET\tDT\t_\t2\tdet\t_\t_\n2\tto\tto\tADP\t_\t_\t0\troot\t_\t_\n' --tag_column=xpos
expect_error "empty.conllu: empty file" conllu empty.conllu ""
expect_error "comments.conllu: no sentences \(only comment" conllu comments.conllu $'# sent_id = 1\n\n'
printf '%s' "$GOOD" >"$WORK/train.conllu"
printf '%s' $'# sent_id = t1\n1\tThe\tthe\tDET\tDT\t_\t2\tdet\t_\t_\n2\truns\trun\tVERB\tVBZ\t_\t0\troot\t_\t_\n' >"$WORK/unknown_tag.conllu"
# the tag's own line (3), not its sentence's first word's (2)
expect_error "unknown_tag.conllu:3: unknown tag 'VERB'" \
  "$RECUR" prep conllu --train="$WORK/train.conllu" --test="$WORK/unknown_tag.conllu" --valid_fraction=0 \
  --output="$WORK/out.h5"

word_tag() { # word_tag NAME TEXT [KEY=VALUE ...]: prep a one-file word-tag train set
  local name=$1 text=$2; shift 2
  printf '%s' "$text" >"$WORK/$name"
  "$RECUR" prep word-tag --train="$WORK/$name" --output="$WORK/out.h5" --valid_fraction=0 "$@"
}

# ---- word-tag columns: CoNLL-2000 (word POS chunk, space-separated). By default the last
# field is the tag (chunk); tag_column = 2 takes the POS; word_column moves the word.
CHUNK=$'He PRP B-NP\nreckons VBZ B-VP\nthe DT B-NP\ndeficit NN I-NP\n\nRockwell NNP B-NP\nsaid VBD B-VP\n'
H=$WORK/out.h5
word_tag chunk.txt "$CHUNK" --lowercase=0 >/dev/null || fail "prep word-tag chunk.txt"
example_is "$H" train "train[0]: He/B-NP reckons/B-VP the/B-NP deficit/I-NP"
word_tag chunk.txt "$CHUNK" --lowercase=0 --tag_column=2 >/dev/null || fail "prep word-tag --tag_column=2"
example_is "$H" train "train[0]: He/PRP reckons/VBZ the/DT deficit/NN"
example_is "$H" train "train[1]: Rockwell/NNP said/VBD"
word_tag chunk.txt "$CHUNK" --lowercase=0 --word_column=2 --tag_column=1 >/dev/null ||
  fail "prep word-tag --word_column=2 --tag_column=1"
example_is "$H" train "train[1]: NNP/Rockwell VBD/said"
expect_error "short.txt:3: no tag column 3 \(tag_column\): the line has 2 fields" \
  word_tag short.txt $'He\tPRP\tB-NP\nreckons\tVBZ\tB-VP\nthe\tDT\n' --tag_column=3
expect_error "wide.txt:1: no tag column 4 \(tag_column\): the line has 3 fields" \
  word_tag wide.txt "$CHUNK" --tag_column=4
expect_error "wcol.txt:1: no word column 3 \(word_column\): the line has 2 fields" \
  word_tag wcol.txt $'He PRP\n' --word_column=3 --tag_column=1
expect_error "same.txt:1: the word column 2 is the tag column \(the last of 2 fields\); set tag_column" \
  word_tag same.txt $'He PRP\n' --word_column=2
expect_error "tag_column = xpos: word-tag takes the tag's 1-based field number" \
  word_tag x.txt "$CHUNK" --tag_column=xpos
expect_error "tag_column and word_column are both 2" word_tag x.txt "$CHUNK" --tag_column=2 --word_column=2
expect_error "tag_column = 2: conllu takes upos or xpos" conllu x.conllu "$GOOD" --tag_column=2
expect_error "word_column = 2: only word-tag has a word column setting" conllu x.conllu "$GOOD" --word_column=2

expect_error "one_field.txt:3: expected a word and a tag separated by space, found 1 field" \
  word_tag one_field.txt $'The DT\ncat NN\nsat\n'
expect_error "space_word.txt:2: expected 2 space-separated fields as on line 1, found 3" \
  word_tag space_word.txt $'The DT\nNew York NNP\n'
expect_error "wt_utf8.txt:1: invalid UTF-8 in the word" word_tag wt_utf8.txt $'caf\xe9\tNN\n'
expect_error "blank.txt: no sentences \(only blank and -DOCSTART-" word_tag blank.txt $'\n-DOCSTART- O\n\n'
expect_error "wt_empty.txt: empty file" word_tag wt_empty.txt ""
echo "all tagging checks passed"
