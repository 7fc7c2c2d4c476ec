#!/usr/bin/env bash
# test_text_folder.sh: `recur prep text-folder` on the aclImdb-layout sample in
# datasets/samples/aclimdb (train|test / pos|neg / ID_RATING.txt, plus train/unsup),
# read back with `recur inspect` and the multi-rank shard check: class folders and files in
# name order, unsup skipped, `labels` choosing and ordering the classes, the seeded carve;
# and broken inputs, each exit 2 naming the file (and line).
source "$(dirname "$0")/common.sh"
IMDB=$SAMPLES/aclimdb
PREP_FORMAT=text-folder
source "$(dirname "$0")/text_helpers.sh"

# ---- every sub-folder a class (sorted: neg, pos), unsup skipped, files in name order ----
prep "$WORK/imdb.h5" --train="$IMDB/train" --test="$IMDB/test" --strip_html=1 --valid_fraction=0
grep -q "unsup skipped" "$WORK/prep.out" || fail "no note about unsup: $(cat "$WORK/prep.out")"
examples "$WORK/imdb.h5" train >"$WORK/train"
examples "$WORK/imdb.h5" test >"$WORK/test"
count_is 6 "$WORK/train" "train examples (unsup left out)"
count_is 4 "$WORK/test" "test examples"
has_line "$WORK/train" 'train[0] label=neg: dull , slow and far too long . i kept checking my watch . avoid .'
has_line "$WORK/train" 'train[2] label=neg: i wanted to like it , but the plot is a mess and the ending makes no sense .'
# strcmp order: 0_9.txt < 10_10.txt < 1_7.txt
has_line "$WORK/train" 'train[3] label=pos: a wonderful little film . the story is simple but the acting is honest and the music is lovely . i will watch it again .'
has_line "$WORK/train" 'train[4] label=pos: one of the best war films ever made . gripping , moving and beautifully shot .'
has_line "$WORK/train" 'train[5] label=pos: great fun from start to finish , with a clever script and a cast that clearly enjoyed itself .'
has_line "$WORK/test" 'test[1] label=neg: far too long and the acting is <unk> . a waste of time .'
has_line "$WORK/test" 'test[2] label=pos: <unk> honest , moving film with a great cast . <unk> it .'
grep -q "theme" "$WORK/train" && fail "unsup text was read"
"$RECUR" inspect "$WORK/imdb.h5" | grep -q "classes: neg 3 (50.0%), pos 3 (50.0%)" || fail "classes neg, pos"
shards_ok "$WORK/imdb.h5"
echo "ok: aclImdb layout round trip"

# ---- labels: only the named folders, in that class order ----
prep "$WORK/order.h5" --train="$IMDB/train" --labels=pos,neg --class_names=positive,negative --valid_fraction=0
grep -q "unsup" "$WORK/prep.out" && fail "labels given: unsup needs no note"
examples "$WORK/order.h5" train >"$WORK/order"
has_line "$WORK/order" 'train[0] label=positive: a wonderful little film . the story is simple but the acting is honest and the music is lovely . < br / > < br / > i will watch it again .'
has_line "$WORK/order" 'train[3] label=negative: dull , slow and far too long . i kept checking my watch . < br / > < br / > avoid .'
"$RECUR" inspect "$WORK/order.h5" | grep -q "classes: positive 3 (50.0%), negative 3 (50.0%)" || fail "class order from labels"
prep "$WORK/unsup.h5" --train="$IMDB/train" --labels=unsup,pos --valid_fraction=0
examples "$WORK/unsup.h5" train | grep -q '^train\[0\] label=unsup: saw this on late night tv' || fail "a named unsup folder is read"
echo "ok: labels choose and order the class folders"

# ---- the carve, seeded ----
prep "$WORK/carve.h5" --train="$IMDB/train" --valid_fraction=0.5 --split_seed=3
examples "$WORK/carve.h5" train >"$WORK/carve.train"
examples "$WORK/carve.h5" valid >"$WORK/carve.valid"
count_is 3 "$WORK/carve.train" "train after carving half of 6"
count_is 3 "$WORK/carve.valid" "valid carved from 6"
cp "$WORK/carve.h5" "$WORK/carve.first.h5"
prep "$WORK/carve.h5" --train="$IMDB/train" --valid_fraction=0.5 --split_seed=3
same_file "$WORK/carve.h5" "$WORK/carve.first.h5"
shards_ok "$WORK/carve.h5"
echo "ok: carve"

# ---- broken inputs ----
folder() { "$RECUR" prep text-folder --output="$WORK/bad.h5" --valid_fraction=0 "$@"; }
mkdir -p "$WORK/utf8/pos" "$WORK/utf8/neg" "$WORK/other/pos" "$WORK/other/funny" "$WORK/none" "$WORK/empty/pos" "$WORK/empty/neg"
printf 'fine\n' >"$WORK/utf8/pos/0_9.txt"
printf 'line one\nline \xc3\x28 two\n' >"$WORK/utf8/neg/0_1.txt"
expect_error 'utf8/neg/0_1\.txt:2: invalid UTF-8 in the text: byte 0xC3 after .line .' folder --train="$WORK/utf8"
printf 'good\n' >"$WORK/other/pos/0_9.txt"
printf 'odd\n' >"$WORK/other/funny/0_5.txt"
expect_error 'other/funny/0_5\.txt:1: unknown label .funny. \(the labels are: neg, pos\)' \
    folder --train="$IMDB/train" --test="$WORK/other"
expect_error "aclimdb/train/neutral: no such class folder \(labels = 'pos,neutral'\)" \
    folder --train="$IMDB/train" --labels=pos,neutral
expect_error 'none: no class sub-folders' folder --train="$WORK/none"
printf 'x\n' >"$WORK/empty/pos/0_9.txt"
expect_error 'empty/neg: no \.txt files' folder --train="$WORK/empty"
expect_error '0_9\.txt: not a folder' folder --train="$IMDB/train/pos/0_9.txt"
expect_error 'missing: cannot read the folder: No such file' folder --train="$WORK/missing"
echo "PASS test_text_folder"
