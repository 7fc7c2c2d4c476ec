#!/usr/bin/env bash
# test_predict.sh: `recur predict` on tiny models of the four kinds recur trains — AG News
# text classification (GRU, max_len 8 with <bos>/<eos>), UD tagging (bidirectional LSTM),
# Jena forecasting (GRU, two targets, horizon 3) and Jena rise/no-rise windows (tanh RNN):
# the exact shape of every output (labels among the classes, probabilities summing to 1,
# one tag per word with the words as written, one forecast line per window, finite, window
# rows counted), the same input giving the same output (twice, CRLF, upper case, stdin,
# any batch size), and bad input (invalid UTF-8, a missing feature column, too few rows, a
# missing cell, a file that is no checkpoint) ending with exit 2 and FILE:LINE. Then, when
# /usr/bin/python3 has torch and h5py, tools/check_torch_predict.py checks PyTorch's outputs
# equal recur's on each checkpoint (else that part says skipped; the rest still counts).
# Usage: RECUR=path/to/recur test_predict.sh PROJECT_ROOT
set -euo pipefail
root=$1
SAMPLES=$root/datasets/samples
source "$root/tests/prep/common.sh"

quiet() { "$@" >"$WORK/quiet.out" 2>&1 || fail "$* failed: $(tail -n 5 "$WORK/quiet.out")"; }
predict() { "$RECUR" predict "$@"; }
lines_of() { grep -c '' "$1" || true; }

# ---- four tiny models ----
quiet "$RECUR" prep text-csv --train="$SAMPLES/ag_news/train.csv" --test="$SAMPLES/ag_news/test.csv" --header=0 \
  --label_column=1 --text_columns=2,3 --labels=1,2,3,4 --class_names=World,Sports,Business,Sci/Tech \
  --lowercase=1 --max_len=8 --bos_eos=1 --valid_fraction=0.25 --output="$WORK/ag.h5"
quiet "$RECUR" train --data="$WORK/ag.h5" --run_dir="$WORK/ag" --cell=gru --hidden_size=12 --input_size=8 \
  --batch_size=4 --steps=20 --eval_every=10
quiet "$RECUR" prep conllu --train="$SAMPLES/ud/en_sample-ud-train.conllu" --valid="$SAMPLES/ud/en_sample-ud-dev.conllu" \
  --test="$SAMPLES/ud/en_sample-ud-test.conllu" --output="$WORK/ud.h5"
quiet "$RECUR" train --data="$WORK/ud.h5" --run_dir="$WORK/tag" --cell=lstm --bidirectional=1 --pooling=none \
  --hidden_size=12 --input_size=8 --batch_size=2 --steps=20 --eval_every=10 --lr=0.5
jena=(--train="$SAMPLES/jena/jena_sample.csv" --time_column="Date Time" --valid_fraction=0.2 --test_fraction=0.2)
quiet "$RECUR" prep series "${jena[@]}" --targets="T (degC),p (mbar)" --input_steps=12 --horizon=3 --stride=2 \
  --output="$WORK/jena.h5"
quiet "$RECUR" train --data="$WORK/jena.h5" --run_dir="$WORK/reg" --cell=gru --loss=mse --hidden_size=12 \
  --batch_size=8 --steps=20 --eval_every=10 --lr=0.05
quiet "$RECUR" prep series-classify "${jena[@]}" --targets="T (degC)" --input_steps=6 --horizon=1 --output="$WORK/rise.h5"
quiet "$RECUR" train --data="$WORK/rise.h5" --run_dir="$WORK/rise" --cell=rnn_tanh --hidden_size=8 --batch_size=8 \
  --steps=20 --eval_every=10 --lr=0.05
AG=$WORK/ag/checkpoints/best.h5 TAG=$WORK/tag/checkpoints/best.h5
REG=$WORK/reg/checkpoints/best.h5 RISE=$WORK/rise/checkpoints/best.h5
echo "ok: four checkpoints trained"

# check_probabilities FILE FIRST_PROB_FIELD CLASSES...: every line after the header has a
# label among CLASSES in the field before FIRST_PROB_FIELD (tab-separated), one
# probability per class (space-separated, in [0, 1]) summing to 1 within 1e-5, and the
# label is the most probable class.
check_probabilities() {
  local file=$1 field=$2; shift 2
  awk -F'\t' -v field="$field" -v classes="$*" '
    BEGIN { n = split(classes, names, " ") }
    NR == 1 { next }
    { k = split($field, p, " "); sum = 0; best = 1
      if (k != n) { print "line " NR ": " k " probabilities for " n " classes: " $0; bad = 1; next }
      for (i = 1; i <= k; i++) { if (!(p[i] >= 0 && p[i] <= 1)) bad = 1; sum += p[i]; if (p[i] > p[best]) best = i }
      if (sum < 1 - 1e-5 || sum > 1 + 1e-5) { print "line " NR ": probabilities sum to " sum; bad = 1 }
      if ($(field - 1) != names[best]) { print "line " NR ": label " $(field - 1) ", most probable " names[best]; bad = 1 } }
    END { exit bad }' "$file" || fail "$file: probabilities (above)"
}

# same_numbers A B: the two outputs hold the same words and numbers within 1e-5 relative.
same_numbers() {
  paste -d'\n' "$1" "$2" | awk '
    NR % 2 == 1 { a = $0; next }
    { na = split(a, x, /[ \t]+/); nb = split($0, y, /[ \t]+/)
      if (na != nb) { print "line " NR / 2 ": " a " vs " $0; bad = 1; next }
      for (i = 1; i <= na; i++) {
        if (x[i] == y[i]) continue
        d = x[i] - y[i]; d = d < 0 ? -d : d; m = x[i] < 0 ? -x[i] : x[i]
        if (x[i] + 0 != x[i] || d > 1e-5 * m) { print "line " NR / 2 ": " x[i] " vs " y[i]; bad = 1 } } }
    END { exit bad }' || fail "$1 and $2 differ (above)"
  [[ $(lines_of "$1") -eq $(lines_of "$2") ]] || fail "$1 and $2 have different line counts"
}

# ---- text classification ----
printf '%s\n' "Oil prices rise as markets edge higher on Monday" "The striker scored twice in the final" "" \
  "A new chip promises faster laptops and longer battery life for notebooks" \
  "Oil prices rise as markets edge higher on Monday" "OIL PRICES RISE AS MARKETS EDGE HIGHER ON MONDAY" >"$WORK/texts.txt"
printf 'The striker scored twice in the final\r\n' >>"$WORK/texts.txt"
predict --checkpoint="$AG" --input="$WORK/texts.txt" >"$WORK/ag.out"
[[ $(head -n 1 "$WORK/ag.out") == $'# label\tp(World) p(Sports) p(Business) p(Sci/Tech)' ]] ||
  fail "classify header: $(head -n 1 "$WORK/ag.out")"
[[ $(lines_of "$WORK/ag.out") -eq 8 ]] || fail "7 texts, 1 header: $(cat "$WORK/ag.out")"
check_probabilities "$WORK/ag.out" 2 World Sports Business Sci/Tech
out() { sed -n "$(($2 + 1))p" "$1"; }
[[ $(out "$WORK/ag.out" 1) == "$(out "$WORK/ag.out" 5)" ]] || fail "the same text twice, two outputs"
[[ $(out "$WORK/ag.out" 1) == "$(out "$WORK/ag.out" 6)" ]] || fail "lowercase = 1, yet upper case changes the output"
[[ $(out "$WORK/ag.out" 2) == "$(out "$WORK/ag.out" 7)" ]] || fail "a CRLF line end changes the output"
predict --checkpoint="$AG" <"$WORK/texts.txt" | cmp -s - "$WORK/ag.out" || fail "standard input differs from --input"
predict --checkpoint="$AG" --input="$WORK/texts.txt" --batch_size=1 >"$WORK/ag.b1"
same_numbers "$WORK/ag.out" "$WORK/ag.b1"
predict --checkpoint="$AG" --input="$WORK/texts.txt" --output-format=json >"$WORK/ag.json"
[[ $(lines_of "$WORK/ag.json") -eq 7 ]] || fail "json: 7 lines expected: $(cat "$WORK/ag.json")"
grep -q '^{"line": 3, "label": "[^"]*", "probabilities": {"World": [0-9.e-]*, "Sports": [0-9.e-]*, "Business": [0-9.e-]*, "Sci/Tech": [0-9.e-]*}, "ids": \[2, 1, 3\]}$' \
  "$WORK/ag.json" || fail "json: the empty line must be <bos> <unk> <eos>: $(sed -n 3p "$WORK/ag.json")"
ids4=$(sed -n 4p "$WORK/ag.json" | sed -E 's/.*"ids": \[([^]]*)\].*/\1/')
[[ $ids4 =~ ^2(,\ [0-9]+){6},\ 3$ ]] || fail "json: a long text is cut to max_len 8 with <bos> ... <eos>: [$ids4]"
echo "ok: text classification (labels, probabilities, same text same output, truncation, json)"

# ---- tagging ----
printf '%s\n' "The cat sat on the mat ." "" "  Dogs   bark	loudly  " "The cat sat on the mat ." >"$WORK/sentences.txt"
predict --checkpoint="$TAG" --input="$WORK/sentences.txt" >"$WORK/tag.out"
[[ $(lines_of "$WORK/tag.out") -eq 4 ]] || fail "tagging: one line per input line: $(cat "$WORK/tag.out")"
[[ -z $(sed -n 2p "$WORK/tag.out") ]] || fail "tagging: an empty line stays empty"
upos=" ADJ ADP ADV AUX CCONJ DET INTJ NOUN NUM PART PRON PROPN PUNCT VERB _ "
for n in 1 3 4; do
  read -r -a words <<<"$(sed -n "${n}p" "$WORK/sentences.txt")"
  read -r -a tagged <<<"$(sed -n "${n}p" "$WORK/tag.out")"
  [[ ${#tagged[@]} -eq ${#words[@]} ]] || fail "line $n: ${#words[@]} words, ${#tagged[@]} tags: ${tagged[*]}"
  for i in "${!words[@]}"; do
    [[ ${tagged[$i]%/*} == "${words[$i]}" ]] || fail "line $n word $i: ${tagged[$i]} is not ${words[$i]}/TAG"
    [[ $upos == *" ${tagged[$i]##*/} "* ]] || fail "line $n: tag ${tagged[$i]##*/} is not a UD tag"
  done
done
[[ $(sed -n 1p "$WORK/tag.out") == "$(sed -n 4p "$WORK/tag.out")" ]] || fail "tagging: the same sentence twice, two outputs"
predict --checkpoint="$TAG" --input="$WORK/sentences.txt" --output-format=json >"$WORK/tag.json"
grep -q '^{"line": 2, "words": \[\], "tags": \[\], "ids": \[\], "probabilities": \[\]}$' "$WORK/tag.json" ||
  fail "tagging json: the empty line: $(sed -n 2p "$WORK/tag.json")"
sed -n 3p "$WORK/tag.json" | grep -q '^{"line": 3, "words": \["Dogs", "bark", "loudly"\], "tags": \["[A-Z_]*", "[A-Z_]*", "[A-Z_]*"\], "ids": \[[0-9]*, [0-9]*, [0-9]*\], "probabilities": \[\[' ||
  fail "tagging json: $(sed -n 3p "$WORK/tag.json")"
# per token: one probability per tag, summing to 1
sed -n 1p "$WORK/tag.json" | sed -E 's/.*"probabilities": \[\[(.*)\]\]\}$/\1/; s/\], \[/\n/g' | awk -F', ' '
  { s = 0; for (i = 1; i <= NF; i++) s += $i; if (s < 1 - 1e-5 || s > 1 + 1e-5) bad = 1; n++; k = NF }
  END { exit bad || n != 7 }' || fail "tagging json: 7 tokens with probabilities summing to 1: $(sed -n 1p "$WORK/tag.json")"
echo "ok: tagging (one tag per word, words as written, empty lines kept, json)"

# ---- series forecasting ----
head -n 41 "$SAMPLES/jena/jena_sample.csv" >"$WORK/jena40.csv" # header + 40 rows
predict --checkpoint="$REG" --input="$WORK/jena40.csv" >"$WORK/reg.out"
[[ $(head -n 1 "$WORK/reg.out") == $'# window_end_row\tT (degC)@+1\tp (mbar)@+1\tT (degC)@+2\tp (mbar)@+2\tT (degC)@+3\tp (mbar)@+3' ]] ||
  fail "forecast header: $(head -n 1 "$WORK/reg.out")"
[[ $(lines_of "$WORK/reg.out") -eq $((40 - 12 + 1 + 1)) ]] || fail "40 rows, input_steps 12: 29 windows expected"
awk -F'\t' 'NR > 1 { if (NF != 7 || $1 != NR - 1 + 11) bad = 1
                     for (i = 2; i <= 7; i++) if ($i + 0 != $i || $i > 1e30 || $i < -1e30) bad = 1
                     if ($2 < -60 || $2 > 60 || $3 < 800 || $3 > 1200) bad = 1 }
            END { exit bad }' "$WORK/reg.out" || fail "forecasts: window rows 12..40, 6 finite real-unit values: $(head -n 3 "$WORK/reg.out")"
predict --checkpoint="$REG" --input=- --batch_size=5 <"$WORK/jena40.csv" >"$WORK/reg.b5"
same_numbers "$WORK/reg.out" "$WORK/reg.b5"
predict --checkpoint="$REG" --input="$WORK/jena40.csv" --output-format=json >"$WORK/reg.json"
sed -n 1p "$WORK/reg.json" | grep -Eq '^\{"window_end_row": 12, "line": 13, "forecast": \{"T \(degC\)": \[[^],]+, [^],]+, [^],]+\], "p \(mbar\)": \[[^],]+, [^],]+, [^],]+\]\}\}$' ||
  fail "forecast json: $(sed -n 1p "$WORK/reg.json")"
# extra columns (text too) are ignored; the columns may come in any order
awk -F, -v OFS=, '{ note = NR == 1 ? "note" : "row " NR; t = $2; $2 = $3; $3 = t; print note, $0 }' \
  "$WORK/jena40.csv" >"$WORK/jena_shuffled.csv"
predict --checkpoint="$REG" --input="$WORK/jena_shuffled.csv" | cmp -s - "$WORK/reg.out" ||
  fail "an extra text column and swapped columns change the forecasts"
echo "ok: series forecasting (29 windows, real units, any batch size, json)"

# ---- window classification ----
predict --checkpoint="$RISE" --input="$WORK/jena40.csv" >"$WORK/rise.out"
[[ $(head -n 1 "$WORK/rise.out") == $'# window_end_row\tlabel\tp(no_rise) p(rise)' ]] || fail "rise header: $(head -n 1 "$WORK/rise.out")"
[[ $(lines_of "$WORK/rise.out") -eq $((40 - 6 + 1 + 1)) ]] || fail "40 rows, input_steps 6: 35 windows expected"
check_probabilities "$WORK/rise.out" 3 no_rise rise
awk -F'\t' 'NR > 1 && $1 != NR + 4 { bad = 1 } END { exit bad }' "$WORK/rise.out" || fail "rise: window rows 6..40"
echo "ok: window classification (35 windows, labels, probabilities)"

# ---- bad input: exit 2, FILE:LINE ----
printf 'fine text\nbad \xff byte\n' >"$WORK/bad_utf8.txt"
expect_error "bad_utf8.txt:2: invalid UTF-8" predict --checkpoint="$AG" --input="$WORK/bad_utf8.txt"
expect_error "bad_utf8.txt:2: invalid UTF-8" predict --checkpoint="$TAG" --input="$WORK/bad_utf8.txt"
expect_error "standard input:2: invalid UTF-8" predict --checkpoint="$AG" <"$WORK/bad_utf8.txt"
cut -d, -f1,2,4- "$WORK/jena40.csv" >"$WORK/no_t.csv"
expect_error "no_t.csv:1: no column 'T \(degC\)'" predict --checkpoint="$REG" --input="$WORK/no_t.csv"
head -n 6 "$WORK/jena40.csv" >"$WORK/five_rows.csv"
expect_error "five_rows.csv:6: 5 data rows.*input_steps = 12.*at least 12" predict --checkpoint="$REG" --input="$WORK/five_rows.csv"
awk -F, -v OFS=, 'NR == 9 { $3 = "NA" } 1' "$WORK/jena40.csv" >"$WORK/na.csv"
expect_error "na.csv:9: column 'T \(degC\)': missing value" predict --checkpoint="$RISE" --input="$WORK/na.csv"
awk -F, -v OFS=, 'NR == 7 { $4 = "warm" } 1' "$WORK/jena40.csv" >"$WORK/word.csv"
expect_error "word.csv:7: column 'Tpot \(K\)': 'warm' is not a number" predict --checkpoint="$REG" --input="$WORK/word.csv"
expect_error "texts.txt: not an HDF5 file" predict --checkpoint="$WORK/texts.txt" --input="$WORK/texts.txt"
expect_error "ag.h5: not a recur checkpoint" predict --checkpoint="$WORK/ag.h5" --input="$WORK/texts.txt"
expect_error "cannot read '.*nowhere.txt'" predict --checkpoint="$AG" --input="$WORK/nowhere.txt"
expect_error "--checkpoint is required" predict --input="$WORK/texts.txt"
expect_error "output format must be text or json" predict --checkpoint="$AG" --output-format=xml
echo "ok: bad input ends with exit 2 and FILE:LINE"

# ---- run-time keys every command takes (--threads), with the same results ----
predict --checkpoint="$AG" --input="$WORK/texts.txt" --threads=1 >"$WORK/ag_threads.out"
cmp -s "$WORK/ag.out" "$WORK/ag_threads.out" || fail "predict --threads=1 printed other outputs"
"$RECUR" eval --checkpoint="$AG" --data="$WORK/ag.h5" --split=valid --threads=1 >"$WORK/eval_threads.out" ||
  fail "eval --threads=1 failed"
grep -q "accuracy" "$WORK/eval_threads.out" || fail "eval --threads=1 printed no metrics"
expect_error "--threads=many: expected a thread count of 0 to 4096" predict --checkpoint="$AG" --threads=many
expect_error "--threads=-1: expected a thread count of 0 to 4096" "$RECUR" eval --checkpoint="$AG" --data="$WORK/ag.h5" --threads=-1
echo "ok: predict and eval take --threads (same outputs) and refuse a bad count"

# ---- PyTorch gives the same outputs ----
if /usr/bin/python3 -c 'import torch, h5py' 2>/dev/null; then
  check() { /usr/bin/python3 "$root/tools/check_torch_predict.py" --recur "$RECUR" --checkpoint "$1" --input "$2" ||
              fail "torch and recur predict differ on $1"; }
  check "$AG" "$WORK/texts.txt"
  check "$TAG" "$WORK/sentences.txt"
  check "$REG" "$WORK/jena40.csv"
  check "$RISE" "$WORK/jena40.csv"
  echo "ok: PyTorch equals recur predict on all four checkpoints"
else
  echo "skipped: torch not installed (/usr/bin/python3 lacks torch or h5py): PyTorch comparison"
fi
