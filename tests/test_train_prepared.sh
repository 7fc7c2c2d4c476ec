#!/usr/bin/env bash
# test_train_prepared.sh: `recur train` reads every kind of dataset `recur prep` writes —
# tagging (a bidirectional LSTM, one prediction per token), series regression (GRU, mse)
# and window classification — and a model/data mismatch is refused with exit 2 before
# training. Each run must exit 0, log a finite validation loss, and (where it can learn
# something in 60 steps) lower its training loss.
# Usage: RECUR=path/to/recur test_train_prepared.sh PROJECT_ROOT
set -euo pipefail
root=$1
SAMPLES=$root/datasets/samples
source "$root/tests/prep/common.sh"

last_valid_loss() { grep '"split": "valid"' "$1/metrics.jsonl" | tail -1 | sed -E 's/.*"loss": ([0-9.eE+-]+|nan|inf).*/\1/'; }
train_losses() { grep '"split": "train"' "$1/metrics.jsonl" | sed -E 's/.*"loss": ([0-9.eE+-]+).*/\1/'; }
finite() { awk -v x="$1" 'BEGIN { exit !(x == x + 0 && x < 1e30) }'; }

"$RECUR" prep conllu --train="$SAMPLES/ud/en_sample-ud-train.conllu" --valid="$SAMPLES/ud/en_sample-ud-dev.conllu" \
  --test="$SAMPLES/ud/en_sample-ud-test.conllu" --output="$WORK/ud.h5" >/dev/null
"$RECUR" train --data="$WORK/ud.h5" --run_dir="$WORK/tag" --cell=lstm --bidirectional=1 --pooling=none \
  --hidden_size=16 --input_size=8 --batch_size=2 --steps=60 --log_every=10 --eval_every=30 --lr=0.5 >"$WORK/tag.out"
loss=$(last_valid_loss "$WORK/tag")
finite "$loss" || fail "tagging: valid loss '$loss'"
first=$(train_losses "$WORK/tag" | head -1) last=$(train_losses "$WORK/tag" | tail -1)
awk -v f="$first" -v l="$last" 'BEGIN { exit !(l < f) }' || fail "tagging: train loss $first -> $last did not fall"
grep -q '"accuracy"' "$WORK/tag/metrics.jsonl" || fail "tagging: no accuracy logged"
echo "ok: tagging trains (train loss $first -> $last, valid loss $loss)"

"$RECUR" prep series --train="$SAMPLES/jena/jena_sample.csv" --time_column="Date Time" --targets="T (degC)" \
  --input_steps=12 --horizon=3 --stride=2 --valid_fraction=0.2 --test_fraction=0.2 --output="$WORK/jena.h5" >/dev/null
"$RECUR" train --data="$WORK/jena.h5" --run_dir="$WORK/reg" --cell=gru --pooling=last --loss=mse \
  --hidden_size=16 --batch_size=8 --steps=60 --log_every=10 --eval_every=30 --lr=0.05 >"$WORK/reg.out"
loss=$(last_valid_loss "$WORK/reg")
finite "$loss" || fail "regression: valid loss '$loss'"
grep -q "parameters" "$WORK/reg.out" || fail "regression: no model line"
echo "ok: series regression trains (valid mse $loss)"

"$RECUR" prep series-classify --train="$SAMPLES/jena/jena_sample.csv" --time_column="Date Time" --targets="T (degC)" \
  --input_steps=6 --horizon=1 --valid_fraction=0.2 --test_fraction=0.2 --output="$WORK/rise.h5" >/dev/null
"$RECUR" train --data="$WORK/rise.h5" --run_dir="$WORK/rise" --cell=rnn_tanh --pooling=last \
  --hidden_size=8 --batch_size=8 --steps=30 --log_every=10 --eval_every=30 --lr=0.05 >"$WORK/rise.out"
loss=$(last_valid_loss "$WORK/rise")
finite "$loss" || fail "window classification: valid loss '$loss'"
echo "ok: window classification trains (valid loss $loss)"

expect_error "tagging dataset.*pooling = none" "$RECUR" train --data="$WORK/ud.h5" --pooling=last --steps=1
expect_error "regression dataset.*mse, l1 or huber" "$RECUR" train --data="$WORK/jena.h5" --steps=1
expect_error "output_size: 5, but .* has 3 targets" "$RECUR" train --data="$WORK/jena.h5" --loss=mse --output_size=5 --steps=1
expect_error "not a recur dataset" "$RECUR" train --data="$root/tests/fixtures/torch_reference.h5" --steps=1

# Pretrained vectors: prep --glove puts them in the dataset; train starts its embedding from
# them (input_size becomes their width) and, frozen, keeps them exactly.
printf 'the 0.5 -0.25 0.125 1 2 3 4 5\nkeys 1 1 1 1 -1 -1 -1 -1\n' >"$WORK/vectors.txt"
"$RECUR" prep conllu --train="$SAMPLES/ud/en_sample-ud-train.conllu" --valid="$SAMPLES/ud/en_sample-ud-dev.conllu" \
  --test="$SAMPLES/ud/en_sample-ud-test.conllu" --glove="$WORK/vectors.txt" --output="$WORK/ud_glove.h5" >"$WORK/glove.out"
grep -q "glove: 2 of" "$WORK/glove.out" || fail "glove hit line: $(cat "$WORK/glove.out")"
"$RECUR" train --data="$WORK/ud_glove.h5" --run_dir="$WORK/glove" --cell=lstm --pooling=none --hidden_size=8 \
  --freeze_embedding=1 --batch_size=2 --steps=5 --lr=0.5 --progress=lines >"$WORK/glove_train.out"
grep -q "recur: lstm" "$WORK/glove_train.out" || fail "glove train: $(cat "$WORK/glove_train.out")"
# the id of a word: its position among the quoted strings of h5dump's /vocab listing
vocab_index() { awk -v w="$1" 'BEGIN{i=-1} /^ *\([0-9]+\)/ {n=split($0,a,"\""); for(k=2;k<=n;k+=2){i++; if(a[k]==w){print i; exit}}}' ; }
i=$(h5dump -d /vocab "$WORK/ud_glove.h5" | vocab_index the)
h5dump -d /model/embedding.weight -s "$i,0" -c "1,8" "$WORK/glove/checkpoints/step-000000005.h5" |
  grep -Eq '0\.5, -0\.25, 0\.125, 1, 2, 3, 4, 5' || fail "frozen pretrained row of 'the' (id $i) changed"
echo "ok: pretrained vectors start the embedding (row of 'the', id $i, unchanged when frozen)"

# No valid split: said once at start, and best.h5 follows the newest checkpoint.
"$RECUR" prep conllu --train="$SAMPLES/ud/en_sample-ud-train.conllu" --test="$SAMPLES/ud/en_sample-ud-test.conllu" \
  --valid_fraction=0 --output="$WORK/ud_novalid.h5" >/dev/null
"$RECUR" train --data="$WORK/ud_novalid.h5" --run_dir="$WORK/novalid" --cell=gru --pooling=none --hidden_size=8 \
  --input_size=8 --batch_size=2 --steps=10 --eval_every=5 --checkpoint_every=5 --progress=lines >"$WORK/novalid.out"
[[ $(grep -c "no valid split" "$WORK/novalid.out") -eq 1 ]] || fail "no-valid note: $(cat "$WORK/novalid.out")"
cmp -s "$WORK/novalid/checkpoints/best.h5" "$WORK/novalid/checkpoints/step-000000010.h5" ||
  fail "no valid split: best.h5 is not the newest checkpoint ($(ls -l "$WORK/novalid/checkpoints"))"
echo "ok: no valid split: one note at start, best.h5 = the newest checkpoint"
