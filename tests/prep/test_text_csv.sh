#!/usr/bin/env bash
# test_text_csv.sh: `recur prep text-csv` on the samples in datasets/samples (AG News
# without a header, a review file with `review,sentiment`, Chinese `label,review` read by
# characters), read back with `recur inspect` and the multi-rank shard check; the seeded
# carve of valid/test from train; label/class-name mapping, truncation and <bos>/<eos>;
# and broken inputs, each exit 2 with FILE:LINE.
source "$(dirname "$0")/common.sh"
AG=$SAMPLES/ag_news
PREP_FORMAT=text-csv
source "$(dirname "$0")/text_helpers.sh"

ag_args=(--train="$AG/train.csv" --header=0 --label_column=1 --text_columns=2,3)
ag_names=(--labels=1,2,3,4 --class_names=World,Sports,Business,Sci/Tech)

# ---- AG News: no header, title + description joined, labels 1..4 named ----
prep "$WORK/ag.h5" "${ag_args[@]}" --test="$AG/test.csv" "${ag_names[@]}" --valid_fraction=0
examples "$WORK/ag.h5" train >"$WORK/ag.train"
examples "$WORK/ag.h5" test >"$WORK/ag.test"
count_is 12 "$WORK/ag.train" "AG News train examples"
count_is 4 "$WORK/ag.test" "AG News test examples"
[[ -z $(examples "$WORK/ag.h5" valid) ]] || fail "valid_fraction=0 and no valid file: valid must be empty"
# comma inside quotes, the title joined to the description, AG News' backslash kept as a token
has_line "$WORK/ag.train" 'train[0] label=Business: markets edge higher as oil eases ( reuters ) reuters - stocks inched higher on monday , helped by a dip in \ crude prices and upbeat earnings from retailers .'
# a line break inside a quoted field
has_line "$WORK/ag.train" 'train[6] label=Sports: striker signs three - year deal the club confirmed the forward'"'"'s move after he passed a medical on friday . the fee was not disclosed .'
# doubled quotes
has_line "$WORK/ag.train" 'train[7] label=World: minister resigns over " leak " row the foreign minister stepped down on wednesday , saying the " leak " had made his position untenable .'
has_line "$WORK/ag.train" 'train[3] label=World: talks resume on border dispute envoys from both capitals met in geneva on tuesday for a new round of talks , officials said .'
# the vocabulary is train's: words only the test file has are <unk>
has_line "$WORK/ag.test" 'test[3] label=Sci/Tech: browser <unk> <unk> security hole the software company said the <unk> <unk> a flaw that could let attackers take over a pc .'
"$RECUR" inspect "$WORK/ag.h5" >"$WORK/ag.inspect"
grep -q "classes: World 3 (25.0%), Sports 3 (25.0%), Business 3 (25.0%), Sci/Tech 3 (25.0%)" "$WORK/ag.inspect" ||
    fail "AG News class balance: $(cat "$WORK/ag.inspect")"
grep -qE '^vocabulary: [0-9]+ tokens' "$WORK/ag.inspect" || fail "no vocabulary line: $(cat "$WORK/ag.inspect")"
shards_ok "$WORK/ag.h5"
echo "ok: AG News round trip"

# Without `labels` the classes are the training labels sorted as numbers: 1..4 in order.
prep "$WORK/ag_plain.h5" "${ag_args[@]}" --valid_fraction=0
"$RECUR" inspect "$WORK/ag_plain.h5" | grep -q "classes: 1 3 (25.0%), 2 3 (25.0%), 3 3 (25.0%), 4 3 (25.0%)" ||
    fail "AG News labels without names: $("$RECUR" inspect "$WORK/ag_plain.h5")"
examples "$WORK/ag_plain.h5" train | head -n 1 | grep -q '^train\[0\] label=3: markets edge' || fail "label 3 not kept"
# Integers sort as numbers (2 < 9 < 10), anything else bytewise (B < a < b).
printf '10,x\n2,y\n9,z\n10,w\n' >"$WORK/numeric.csv"
prep "$WORK/numeric.h5" --train="$WORK/numeric.csv" --header=0 --valid_fraction=0
"$RECUR" inspect "$WORK/numeric.h5" | grep -q "classes: 2 1 (25.0%), 9 1 (25.0%), 10 2 (50.0%)" ||
    fail "numeric labels not in numeric order: $("$RECUR" inspect "$WORK/numeric.h5")"
printf 'b,x\na,y\nB,z\n' >"$WORK/words.csv"
prep "$WORK/words.h5" --train="$WORK/words.csv" --header=0 --valid_fraction=0
"$RECUR" inspect "$WORK/words.h5" | grep -qE "classes: B 1 \([0-9.]+%\), a 1 \([0-9.]+%\), b 1" ||
    fail "text labels not in byte order: $("$RECUR" inspect "$WORK/words.h5")"
echo "ok: class order"

# ---- the carve: valid (then test) taken from train, seeded, source order kept ----
prep "$WORK/carve1.h5" "${ag_args[@]}" --valid_fraction=0.25 --test_fraction=0.25 --split_seed=7
cp "$WORK/carve1.h5" "$WORK/carve1.first.h5" # the same output name: the recipe stored in the file names it
prep "$WORK/carve1.h5" "${ag_args[@]}" --valid_fraction=0.25 --test_fraction=0.25 --split_seed=7
prep "$WORK/carve2.h5" "${ag_args[@]}" --valid_fraction=0.25 --test_fraction=0.25 --split_seed=8
for s in train valid test; do examples "$WORK/carve1.h5" $s >"$WORK/carve1.$s"; done
count_is 6 "$WORK/carve1.train" "train after carving 3 + 3 of 12"
count_is 3 "$WORK/carve1.valid" "carved valid"
count_is 3 "$WORK/carve1.test" "carved test"
grep -q "valid: 3 examples (carved from train" "$WORK/prep.out" || fail "no carve summary: $(cat "$WORK/prep.out")"
# Every source example is in exactly one split: (label, length) as a multiset (valid and
# test texts have <unk> where only train's vocabulary counts), train texts exactly.
shape() { sed 's/^[a-z]*\[[0-9]*\] //' | awk '{print $1, NF - 1}' | sort; }
examples "$WORK/ag_plain.h5" train | shape >"$WORK/all.shape"
cat "$WORK/carve1.train" "$WORK/carve1.valid" "$WORK/carve1.test" | shape >"$WORK/carved.shape"
cmp -s "$WORK/all.shape" "$WORK/carved.shape" ||
    fail "train + valid + test after the carve differ from the source: $(diff "$WORK/all.shape" "$WORK/carved.shape")"
# Source order within each split: train keeps the original relative order.
sed 's/^train\[[0-9]*\]//' "$WORK/carve1.train" >"$WORK/carve1.train.text"
examples "$WORK/ag_plain.h5" train | sed 's/^train\[[0-9]*\]//' | grep -xFf "$WORK/carve1.train.text" |
    cmp -s - "$WORK/carve1.train.text" || fail "carved train is not in source order"
same_file "$WORK/carve1.h5" "$WORK/carve1.first.h5"
examples "$WORK/carve2.h5" valid >"$WORK/carve2.valid"
cmp -s "$WORK/carve1.valid" "$WORK/carve2.valid" && fail "split_seed 7 and 8 carved the same valid split"
# A split that has its own file is never carved; the others still are.
prep "$WORK/files.h5" "${ag_args[@]}" --valid="$AG/test.csv" --test_fraction=0.25
grep -q "^valid: 4 examples, 89 tokens (" "$WORK/prep.out" ||
    fail "valid from its file: $(cat "$WORK/prep.out")"
grep -q "^test: 3 examples (carved from train: test_fraction 0.25, split_seed 1)" "$WORK/prep.out" ||
    fail "test carved: $(cat "$WORK/prep.out")"
grep -q "^train: 9 examples" "$WORK/prep.out" || fail "train after carving test: $(cat "$WORK/prep.out")"
shards_ok "$WORK/carve1.h5"
echo "ok: carve (6/3/3, same seed same file, other seed other split)"

# ---- review file: header, columns by name or index, <br /> stripped ----
REV=$SAMPLES/reviews/reviews.csv
prep "$WORK/rev.h5" --train="$REV" --label_column=sentiment --text_columns=review --strip_html=1 --valid_fraction=0
examples "$WORK/rev.h5" train >"$WORK/rev.train"
count_is 8 "$WORK/rev.train" "review examples"
has_line "$WORK/rev.train" 'train[0] label=positive: one of the best films i have seen this year . the acting is superb , the story moves quickly and the ending made me smile . highly recommended .'
has_line "$WORK/rev.train" 'train[2] label=negative: i expected a lot more from this director . the first half drags , the jokes fall flat , and the " twist " is obvious from the start .'
grep -qE '<|br' "$WORK/rev.train" && fail "strip_html=1 left tag pieces: $(grep -E '<|br' "$WORK/rev.train")"
"$RECUR" inspect "$WORK/rev.h5" | grep -q "classes: negative 4 (50.0%), positive 4 (50.0%)" || fail "review classes"
prep "$WORK/rev_idx.h5" --train="$REV" --label_column=2 --text_columns=1 --strip_html=1 --valid_fraction=0
examples "$WORK/rev_idx.h5" train | cmp -s - "$WORK/rev.train" || fail "columns by index differ from columns by name"
prep "$WORK/rev_html.h5" --train="$REV" --label_column=sentiment --text_columns=review --valid_fraction=0
examples "$WORK/rev_html.h5" train | grep -qF 'highly recommended' || fail "review text"
examples "$WORK/rev_html.h5" train | grep -qF 'smile . < br / > < br / > highly' || fail "strip_html=0 must keep <br /> as tokens"
# min_freq: words seen once in train become <unk>; max_len and <bos>/<eos>
prep "$WORK/rev_trunc.h5" --train="$REV" --label_column=sentiment --text_columns=review --strip_html=1 \
     --valid_fraction=0 --max_len=6 --bos_eos=1 --min_freq=2
examples "$WORK/rev_trunc.h5" train >"$WORK/rev_trunc.train"
has_line "$WORK/rev_trunc.train" 'train[0] label=positive: <bos> <unk> of the <unk> <eos>' # one, best: once
has_line "$WORK/rev_trunc.train" 'train[1] label=negative: <bos> this was a <unk> <eos>'
has_line "$WORK/rev_trunc.train" 'train[5] label=negative: <bos> <unk> acting and a <eos>'
grep -q "train: 8 examples, 48 tokens" "$WORK/prep.out" || fail "truncation summary: $(cat "$WORK/prep.out")"
grep -q "8 truncated" "$WORK/prep.out" || fail "truncation count: $(cat "$WORK/prep.out")"
shards_ok "$WORK/rev.h5"
echo "ok: review file"

# An empty text becomes one <unk>; surrounding spaces of a label are trimmed.
printf 'label,text\n a ,hello world\nb,\n' >"$WORK/empty_text.csv"
prep "$WORK/empty_text.h5" --train="$WORK/empty_text.csv" --valid_fraction=0
examples "$WORK/empty_text.h5" train >"$WORK/empty_text.train"
has_line "$WORK/empty_text.train" 'train[0] label=a: hello world'
has_line "$WORK/empty_text.train" 'train[1] label=b: <unk>'
grep -q "1 empty" "$WORK/prep.out" || fail "empty example not counted: $(cat "$WORK/prep.out")"
# Tab-separated, CRLF, with a byte-order mark.
printf '\xEF\xBB\xBFtext\tlabel\r\n"a, b"\tx\r\nc d\ty\r\n' >"$WORK/tab.tsv"
prep "$WORK/tab.h5" --train="$WORK/tab.tsv" --delimiter=tab --label_column=label --text_columns=text --valid_fraction=0
examples "$WORK/tab.h5" train >"$WORK/tab.train"
has_line "$WORK/tab.train" 'train[0] label=x: a , b'
has_line "$WORK/tab.train" 'train[1] label=y: c d'
echo "ok: empty text, labels trimmed, TSV with CRLF and BOM"

# ---- Chinese, one token per character ----
ZH=$SAMPLES/chinese/waimai.csv
prep "$WORK/zh.h5" --train="$ZH" --label_column=label --text_columns=review --tokenize=char --valid_fraction=0
examples "$WORK/zh.h5" train >"$WORK/zh.train"
count_is 10 "$WORK/zh.train" "Chinese examples"
has_line "$WORK/zh.train" 'train[0] label=1: 送 餐 很 快 ， 味 道 不 错 ， 分 量 也 足'
has_line "$WORK/zh.train" 'train[5] label=0: 送 错 了 地 址 , 打 电 话 也 没 人 接'
"$RECUR" inspect "$WORK/zh.h5" | grep -q "classes: 0 5 (50.0%), 1 5 (50.0%)" || fail "Chinese classes"
prep "$WORK/zh_punct.h5" --train="$ZH" --label_column=label --text_columns=review --tokenize=char --strip_punct=1 --valid_fraction=0
examples "$WORK/zh_punct.h5" train | grep -qxF 'train[0] label=1: 送 餐 很 快 味 道 不 错 分 量 也 足' || fail "strip_punct with char tokens"
shards_ok "$WORK/zh.h5"
echo "ok: Chinese by characters"

# ---- defaults that lose data say so: a headerless file read with header = 1 warns (its
# first row's label is one of the labels: seen in the other rows, or in `labels`); every
# file's line names the rows read and the label, text and unused columns ----
printf '1,good film\n0,bad film\n1,great\n0,awful\n' >"$WORK/nohead.csv"
prep "$WORK/nohead.h5" --train="$WORK/nohead.csv" --valid_fraction=0
grep -qxF "recur: warning: $WORK/nohead.csv:1: header = 1, but this first row's label '1' is one of the labels: if the file has no header, set header = 0 (the row was skipped)" "$WORK/prep.out" ||
    fail "headerless file with header = 1: no warning: $(cat "$WORK/prep.out")"
grep -qxF "$WORK/nohead.csv: 3 rows read after the header; label: column 1 '1'; text: column 2 'good film'" "$WORK/prep.out" ||
    fail "no rows/columns line: $(cat "$WORK/prep.out")"
printf '4,odd one\n1,good film\n2,bad film\n' >"$WORK/nohead4.csv"
prep "$WORK/nohead.h5" --train="$WORK/nohead4.csv" --valid_fraction=0 --labels=1,2,3,4
grep -q "nohead4.csv:1: header = 1, but this first row's label '4' is one of the labels" "$WORK/prep.out" ||
    fail "header cell in labels = 1,2,3,4: no warning: $(cat "$WORK/prep.out")"
prep "$WORK/nohead.h5" --train="$WORK/nohead.csv" --valid_fraction=0 --header=0
! grep -q "warning" "$WORK/prep.out" || fail "header = 0: a warning: $(cat "$WORK/prep.out")"
grep -qxF "$WORK/nohead.csv: 4 rows read; label: column 1; text: column 2" "$WORK/prep.out" ||
    fail "header = 0: no rows/columns line: $(cat "$WORK/prep.out")"
printf 'label,title,body\n1,a,good film\n0,b,bad\n' >"$WORK/head.csv"
prep "$WORK/head.h5" --train="$WORK/head.csv" --valid_fraction=0
! grep -q "warning" "$WORK/prep.out" || fail "a real header: a warning: $(cat "$WORK/prep.out")"
grep -qxF "$WORK/head.csv: 2 rows read after the header; label: column 1 'label'; text: column 2 'title'; not used: column 3 'body'" "$WORK/prep.out" ||
    fail "no unused-column note: $(cat "$WORK/prep.out")"
echo "ok: header and text-column notes"

# ---- broken inputs: exit 2, FILE:LINE ----
bad() { # bad NAME CONTENT: writes $WORK/NAME (printf format)
    printf "$2" >"$WORK/$1"
}
csv() { "$RECUR" prep text-csv --output="$WORK/bad.h5" --valid_fraction=0 "$@"; }
bad unbalanced.csv 'label,text\n1,fine\n2,"never closed\n3,more\n'
expect_error 'unbalanced\.csv:3: quoted field is never closed' csv --train="$WORK/unbalanced.csv"
bad inner_quote.csv 'label,text\n1,fine\n2,say "hi"\n'
expect_error 'inner_quote\.csv:3: quote inside an unquoted field' csv --train="$WORK/inner_quote.csv"
bad after_quote.csv 'label,text\n1,"quoted" tail\n'
expect_error 'after_quote\.csv:2: text after the closing quote' csv --train="$WORK/after_quote.csv"
bad columns.csv 'label,text\n1,a\n2,"multi\nline",extra\n'
expect_error 'columns\.csv:3: expected 2 fields, found 3' csv --train="$WORK/columns.csv"
bad short.csv '"1","t","d"\n"2","t"\n'
expect_error 'short\.csv:2: expected 3 fields, found 2' csv --train="$WORK/short.csv" --header=0 --text_columns=2,3
bad unknown_label.csv '"5","Strange Row","A label AG News does not have."\n'
expect_error 'unknown_label\.csv:1: unknown label .5. \(the labels are: 1, 2, 3, 4\)' \
    csv "${ag_args[@]}" --test="$WORK/unknown_label.csv"
# with `labels` given, a training label outside it is an error too
expect_error 'train\.csv:2: unknown label .4. \(the labels are: 1, 3\)' csv "${ag_args[@]}" --labels=1,3
bad utf8.csv 'label,text\n1,fine\n2,"two\nlines \xff here"\n'
expect_error 'utf8\.csv:4: invalid UTF-8 in column 2: byte 0xFF after .lines .' csv --train="$WORK/utf8.csv"
bad utf8_label.csv 'label,text\n\xe9t\xe9,fine\n'
expect_error 'utf8_label\.csv:2: invalid UTF-8 in column 1' csv --train="$WORK/utf8_label.csv"
bad empty.csv ''
expect_error 'empty\.csv: no records' csv --train="$WORK/empty.csv"
bad blank.csv '\n\r\n'
expect_error 'blank\.csv: no records' csv --train="$WORK/blank.csv"
bad header_only.csv 'label,text\n'
expect_error 'header_only\.csv: no records \(only a header\)' csv --train="$WORK/header_only.csv"
bad rev_header.csv 'review,sentiment\r\n'
expect_error 'rev_header\.csv: no records \(only a header\)' \
    csv --train="$REV" --label_column=sentiment --text_columns=review --test="$WORK/rev_header.csv"
expect_error "reviews\.csv:1: text_columns: no column named 'body' \(the columns are: review, sentiment\)" \
    csv --train="$REV" --label_column=sentiment --text_columns=body
expect_error "reviews\.csv: label_column: column 5 is out of range: the file has 2 columns" \
    csv --train="$REV" --label_column=5 --text_columns=review
expect_error "train\.csv: label_column: 'label' is a column name, but header = 0" \
    csv --train="$AG/train.csv" --header=0 --label_column=label
bad empty_label.csv 'label,text\n1,a\n ,b\n'
expect_error 'empty_label\.csv:3: empty label' csv --train="$WORK/empty_label.csv"
expect_error 'cannot read .*missing\.csv' csv --train="$WORK/missing.csv"
expect_error 'class_names has 3 names but labels has 4 values' csv "${ag_args[@]}" --labels=1,2,3,4 --class_names=a,b,c
expect_error "labels = '1,2,1': '1' appears twice" csv "${ag_args[@]}" --labels=1,2,1
bad one.csv 'label,text\n1,only one\n'
expect_error 'valid_fraction = 0.5 takes 1 of the 1 training examples and leaves train empty' \
    "$RECUR" prep text-csv --output="$WORK/bad.h5" --train="$WORK/one.csv" --valid_fraction=0.5
[[ ! -e $WORK/bad.h5 ]] || fail "a failed conversion left $WORK/bad.h5 behind"
echo "ok: broken inputs"
echo "PASS test_text_csv"
