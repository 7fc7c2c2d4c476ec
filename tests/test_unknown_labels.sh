#!/usr/bin/env bash
# test_unknown_labels.sh: unknown labels in valid/test and unknown words in training, end
# to end (issue 16 items 1 and 2).
#  1. A test tag training never saw stops prep with exit 2 naming the tag's own line (not
#     its sentence's first); on a pipe the summary lines come before the error.
#  2. unknown_labels = unk maps it to the <unk> class (root attribute unknown_class, id =
#     the number of classes) and the summary counts it; drop leaves its sentence out; a
#     train tag outside `labels` is an error whatever the setting; the same for a label of
#     a text-lines file.
#  3. Training on the unk dataset: the <unk> row of the confusion holds the unknown tokens,
#     nothing is predicted as <unk>, accuracy counts them as misses, macro F1 leaves <unk>
#     out; `recur eval` and `recur inspect` show the same class.
#  4. prep warns when train has no <unk> token but valid/test have some; recur train turns
#     unk_replace on for tagging (auto) and not for classification; a bad value is exit 2.
#  5. Resume stays exact with unk_replace on, and unk_replace changes training.
#  6. tools/torch_train.py draws the same replacements: from recur's start and order its
#     training losses equal recur's; and it scores the <unk> class as recur does (skipped
#     when /usr/bin/python3 has no torch).
# Usage: RECUR=... SAMPLES=... test_unknown_labels.sh PROJECT_ROOT
set -euo pipefail
root=$1
source "$root/tests/prep/common.sh"
W=$WORK

py() { python3 -c "$1" "${@:2}"; }
# last_test RUN_DIR: the last "test" line of the run's metrics.jsonl.
last_test() { grep '"split": "test"' "$1/metrics.jsonl" | tail -1; }

# ---- 1. the tag's own line; summary before the error on a pipe
printf 'The\tDET\ncat\tNOUN\n\nA\tDET\ndog\tNOUN\n' >"$W/train.tsv"
printf 'The\tDET\ncat\tNOUN\n' >"$W/valid.tsv"
printf 'A\tDET\n\nThe\tDET\ncat\tNOUN\n1.\tI-LST\n\n' >"$W/test.tsv" # I-LST on line 5; its sentence starts on 3
files=(--train="$W/train.tsv" --valid="$W/valid.tsv" --test="$W/test.tsv")
expect_error "test.tsv:5: unknown tag 'I-LST' \(the tags are: DET, NOUN\); unknown_labels = unk" \
  "$RECUR" prep word-tag "${files[@]}" --output="$W/err.h5"
rc=0
"$RECUR" prep word-tag "${files[@]}" --output="$W/err.h5" 2>&1 | cat >"$W/piped" || rc=$?
order=$(grep -n -E '^(valid:|recur: .*unknown tag)' "$W/piped" | cut -d: -f1 | tr '\n' ' ')
[[ $order == "4 5 " ]] || fail "on a pipe the summary must come before the error: $(cat "$W/piped")"
echo "ok: piped output keeps the order of events (the valid summary, then the error)"

# ---- 2. unk, drop, train errors, text labels
"$RECUR" prep word-tag "${files[@]}" --output="$W/unk.h5" --unknown_labels=unk >"$W/unk.out" 2>/dev/null
grep -Fq "test: 2 examples, 4 tokens (25.00% <unk>), 0 truncated, 0 empty; 1 unknown tag (I-LST) mapped to <unk>" \
  "$W/unk.out" || fail "unk summary: $(cat "$W/unk.out")"
[[ $(h5dump -a /unknown_class "$W/unk.h5" | grep -A1 'DATA {' | tail -1 | tr -d ' ') == "(0):2" ]] ||
  fail "no root attribute unknown_class = 2: $(h5dump -a /unknown_class "$W/unk.h5" 2>&1 | head -8)"
"$RECUR" inspect "$W/unk.h5" --split=test --examples=5 >"$W/inspect"
grep -Fxq "test[1]: the/DET cat/NOUN <unk>/<unk>" "$W/inspect" || fail "inspect: $(cat "$W/inspect")"
"$RECUR" inspect "$W/unk.h5" | grep -Fq "tags: DET 2 (50.0%), NOUN 1 (25.0%), <unk> 1 (25.0%)" ||
  fail "inspect summary: $("$RECUR" inspect "$W/unk.h5")"
echo "ok: unknown_labels = unk: I-LST is the <unk> class (id 2), counted in the summary, shown by inspect"
"$RECUR" prep word-tag "${files[@]}" --output="$W/drop.h5" --unknown_labels=drop >"$W/drop.out"
grep -Fq "test: 1 examples, 1 tokens (0.00% <unk>), 0 truncated, 0 empty; 1 example dropped for 1 unknown tag (I-LST)" \
  "$W/drop.out" || fail "drop summary: $(cat "$W/drop.out")"
h5dump -a /unknown_class "$W/drop.h5" >/dev/null 2>&1 && fail "drop: the file has an unknown_class attribute"
echo "ok: unknown_labels = drop leaves the sentence out and says so"
expect_error "train.tsv:2: unknown tag 'NOUN' \(the tags are: DET, VERB\)$" \
  "$RECUR" prep word-tag "${files[@]}" --output="$W/x.h5" --unknown_labels=unk --labels=DET,VERB
printf '1 a good film\n0 a dull film\n' >"$W/lines_train.txt"
printf '1 good\n2 odd one\n0 dull\n' >"$W/lines_test.txt"
expect_error "lines_test.txt:2: unknown label '2'" \
  "$RECUR" prep text-lines --train="$W/lines_train.txt" --test="$W/lines_test.txt" --valid_fraction=0 --output="$W/x.h5"
"$RECUR" prep text-lines --train="$W/lines_train.txt" --test="$W/lines_test.txt" --valid_fraction=0 \
  --unknown_labels=unk --output="$W/lines.h5" >"$W/lines.out" 2>/dev/null
grep -Fq "test: 3 examples, 4 tokens (50.00% <unk>), 0 truncated, 0 empty; 1 unknown label (2) mapped to <unk>" \
  "$W/lines.out" || fail "text-lines unk summary: $(cat "$W/lines.out")"
[[ $(h5dump -d /test/labels "$W/lines.h5" | grep -A1 'DATA {' | tail -1 | tr -d ' ') == "(0):1,2,0" ]] ||
  fail "text-lines labels: $(h5dump -d /test/labels "$W/lines.h5")"
"$RECUR" prep text-lines --train="$W/lines_train.txt" --test="$W/lines_test.txt" --valid_fraction=0 \
  --unknown_labels=drop --output="$W/lines_drop.h5" >"$W/lines.out" 2>/dev/null
grep -Fq "test: 2 examples, 2 tokens (0.00% <unk>), 0 truncated, 0 empty; 1 example dropped for 1 unknown label (2)" \
  "$W/lines.out" || fail "text-lines drop: $(cat "$W/lines.out")"
echo "ok: a text label: error naming its line, unk (id 2), drop"

# ---- 3. training and evaluation with the <unk> class
tagger=(--cell=lstm --bidirectional=1 --pooling=none --hidden_size=8 --input_size=4 --batch_size=2 --threads=1
        --progress=lines --log_every=10)
"$RECUR" train --data="$W/unk.h5" --run_dir="$W/r_unk" "${tagger[@]}" --steps=20 --eval_every=10 >/dev/null
check_unk_metrics='
import json, sys
r = json.loads(sys.argv[1])
names = [c["class"] for c in r["per_class"]]
assert names == ["DET", "NOUN", "<unk>"], names
m = r["confusion"]
assert sum(m[2]) == 1 and r["per_class"][2]["support"] == 1, m            # the I-LST token, a true <unk>
assert all(row[2] == 0 for row in m), m                                    # never predicted
right = m[0][0] + m[1][1]
assert abs(r["accuracy"] - right / 4) < 1e-6, (r["accuracy"], m)           # a miss among 4 tokens
f1 = [c["f1"] for c in r["per_class"]]
assert abs(r["macro_f1"] - (f1[0] + f1[1]) / 2) < 1e-5, (r["macro_f1"], f1)  # <unk> left out
assert r["items"] == 3, r["items"]                                         # the loss: 3 tokens
print("ok: test metrics: confusion", m, "accuracy", r["accuracy"], "macro_f1", r["macro_f1"])
'
py "$check_unk_metrics" "$(last_test "$W/r_unk")" || fail "train: the <unk> class in the test metrics"
"$RECUR" eval --checkpoint="$W/r_unk/checkpoints/best.h5" --data="$W/unk.h5" --split=test >"$W/eval.out"
py "$check_unk_metrics" "$(grep '^{' "$W/eval.out")" || fail "eval: the <unk> class"

# ---- 4. the prep warning; unk_replace on for tagging, off for classification
UD=$SAMPLES/ud
"$RECUR" prep conllu --train="$UD/en_sample-ud-train.conllu" --valid="$UD/en_sample-ud-dev.conllu" \
  --test="$UD/en_sample-ud-test.conllu" --output="$W/ud.h5" >/dev/null 2>"$W/warn"
grep -Fq "recur: warning: train has no <unk> token but valid has 57.14% and test has 71.43%: recur train trains its embedding with unk_replace" \
  "$W/warn" || fail "no warning on train without <unk>: $(cat "$W/warn")"
"$RECUR" prep conllu --train="$UD/en_sample-ud-train.conllu" --valid="$UD/en_sample-ud-dev.conllu" \
  --test="$UD/en_sample-ud-test.conllu" --output="$W/ud2.h5" --min_freq=2 >/dev/null 2>"$W/warn"
[[ ! -s $W/warn ]] || fail "a warning although train has <unk> tokens: $(cat "$W/warn")"
echo "ok: prep warns when only valid/test have <unk> tokens"
"$RECUR" train --data="$W/ud.h5" --run_dir="$W/r_auto" "${tagger[@]}" --steps=2 >"$W/auto.out"
grep -Fq "recur: unk_replace = 0.25: a training token seen n times becomes <unk> with probability 0.25 / (0.25 + n) (n = 1: 0.200)" \
  "$W/auto.out" || fail "tagging: unk_replace not on: $(cat "$W/auto.out")"
"$RECUR" train --run_dir="$W/r_cls" --steps=2 --threads=1 --progress=lines >"$W/cls.out"
! grep -q "unk_replace" "$W/cls.out" || fail "classification: unk_replace on by default"
expect_error "unk_replace = 'often': give auto, 0 \(off\) or alpha > 0" \
  "$RECUR" train --data="$W/ud.h5" --run_dir="$W/r_bad" --unk_replace=often "${tagger[@]}" --steps=2
echo "ok: unk_replace auto is on for tagging, off for classification"

# ---- 5. exact resume with unk_replace; and it changes training
base=("${tagger[@]}" --data="$W/ud.h5" --eval_every=0 --optimizer=adam --lr=0.01)
"$RECUR" train "${base[@]}" --unk_replace=1 --steps=40 --run_dir="$W/straight" >/dev/null
"$RECUR" train "${base[@]}" --unk_replace=1 --steps=20 --run_dir="$W/resumed" >/dev/null
"$RECUR" train "${base[@]}" --unk_replace=1 --steps=40 --run_dir="$W/resumed" --resume=1 >/dev/null
for group in /model /optimizer; do
  h5diff "$W/straight/checkpoints/step-000000040.h5" "$W/resumed/checkpoints/step-000000040.h5" $group $group \
    >"$W/diff" || fail "unk_replace: resumed run differs in $group: $(head -5 "$W/diff")"
done
"$RECUR" train "${base[@]}" --unk_replace=0 --steps=40 --run_dir="$W/off" >/dev/null
! h5diff -q "$W/straight/checkpoints/step-000000040.h5" "$W/off/checkpoints/step-000000040.h5" /model /model ||
  fail "unk_replace = 1 trained the same weights as unk_replace = 0"
echo "ok: 20 + resume + 20 steps equal 40 steps bit for bit with unk_replace on; off trains other weights"
# A checkpoint stores unk_replace resolved (auto -> 0.25 here).
if /usr/bin/python3 -c "import h5py" 2>/dev/null; then
  "$RECUR" train "${base[@]}" --steps=2 --run_dir="$W/auto_stored" >/dev/null
  /usr/bin/python3 -c '
import h5py, sys
text = h5py.File(sys.argv[1], "r").attrs["config"]
text = text.decode() if isinstance(text, bytes) else text
assert "unk_replace = 0.25" in text.splitlines(), [l for l in text.splitlines() if "unk" in l]' \
    "$W/auto_stored/checkpoints/step-000000002.h5" || fail "the checkpoint does not store auto resolved (0.25)"
  echo "ok: the checkpoint stores unk_replace = 0.25 for auto"
fi
# A checkpoint from before the key (no unk_replace in its settings) trained without
# replacement: resuming it with auto on tagging data is refused, with unk_replace = 0 it
# resumes. tests/fixtures/tagger_before_unk_replace.h5 is step 20 of this run made by recur
# at 45a705d (before unk_replace): `recur train "${base[@]}" --steps=20` on the UD sample.
mkdir -p "$W/legacy/checkpoints"
cp "$root/tests/fixtures/tagger_before_unk_replace.h5" "$W/legacy/checkpoints/step-000000020.h5"
expect_error "resume: unk_replace = 0.25, but the checkpoint .*step-000000020.h5 was made with unk_replace = 0;" \
  "$RECUR" train "${base[@]}" --steps=40 --run_dir="$W/legacy" --resume=1
"$RECUR" train "${base[@]}" --unk_replace=0 --steps=40 --run_dir="$W/legacy" --resume=1 >"$W/legacy.out" ||
  fail "a checkpoint without unk_replace did not resume with unk_replace = 0: $(tail -3 "$W/legacy.out")"
grep -q "resume: .*step-000000020.h5 (step 20" "$W/legacy.out" || fail "no resume line: $(head -3 "$W/legacy.out")"
echo "ok: a checkpoint without the key resumes as unk_replace = 0 (auto on tagging data is refused)"

# ---- 6. PyTorch draws the same replacements
if ! /usr/bin/python3 -c "import torch, h5py" 2>/dev/null; then
  echo "skipped: /usr/bin/python3 has no torch/h5py (the PyTorch comparison)"
  exit 0
fi
same=(--data="$W/ud.h5" --cell=lstm --bidirectional=1 --pooling=none --hidden_size=16 --input_size=8 --batch_size=2
      --steps=40 --log_every=10 --eval_every=0 --lr=0.1 --optimizer=sgd --threads=1 --unk_replace=2)
"$RECUR" train "${same[@]}" --run_dir="$W/recur_same" --progress=lines >/dev/null
/usr/bin/python3 "$root/tools/torch_train.py" "${same[@]}" --run_dir="$W/torch_same" --recur_init=1 --recur_order=1 \
  >"$W/torch.out" || fail "torch_train.py: $(tail -5 "$W/torch.out")"
losses() { grep '"split": "train"' "$1/metrics.jsonl" | sed -E 's/.*"loss": ([0-9.eE+-]+).*/\1/' | tr '\n' ' '; }
a=$(losses "$W/recur_same") b=$(losses "$W/torch_same")
py '
import sys
a, b = [list(map(float, s.split())) for s in sys.argv[1:3]]
assert len(a) == len(b) == 4 and all(abs(x - y) < 2e-4 for x, y in zip(a, b)), (a, b)' "$a" "$b" ||
  fail "recur's training losses $a differ from PyTorch's $b (same start, order and replacements)"
echo "ok: PyTorch from recur's start and order with unk_replace = 2: losses $b = recur's $a"
/usr/bin/python3 "$root/tools/torch_train.py" --data="$W/unk.h5" "${tagger[@]}" --steps=20 --eval_every=10 \
  --run_dir="$W/torch_unk" --recur_init=1 --recur_order=1 >"$W/torch.out" || fail "torch_train.py on <unk>: $(tail -5 "$W/torch.out")"
py '
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
assert a["confusion"] == b["confusion"] and a["items"] == b["items"], (a["confusion"], b["confusion"])
assert all(abs(a[k] - b[k]) < 1e-5 for k in ("loss", "accuracy", "macro_f1", "weighted_f1")), (a, b)
print("ok: PyTorch scores the <unk> class as recur does: confusion", a["confusion"], "loss", b["loss"])' \
  "$(last_test "$W/r_unk")" "$(last_test "$W/torch_unk")" || fail "PyTorch's test metrics with <unk> differ from recur's"
