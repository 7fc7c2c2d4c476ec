#!/usr/bin/env bash
# fault_input_dataset_tamper.sh: a dataset file's fingerprint is recomputed from its
# arrays when recur train and recur eval open it (docs/FORMATS.md lists the bytes), so a
# file changed after `recur prep` wrote it (one token id, one tag, one series value
# edited through HDF5, its stored fingerprint untouched) is refused with exit 2 instead
# of trusted. Untouched files of every kind pass. And `recur predict` on a checkpoint
# whose vocabulary is missing says so (it used to blame the synthetic corpus).
source "$(dirname "$0")/common.sh"
small=(--hidden_size=8 --input_size=8 --batch_size=2 --steps=2 --eval_every=2 --progress=lines)
make_tiny_dataset
expect_ok prep conllu --train="$SAMPLES/ud/en_sample-ud-train.conllu" --valid="$SAMPLES/ud/en_sample-ud-dev.conllu" \
  --output="$WORK/ud.h5"
jena=(--train="$SAMPLES/jena/jena_sample.csv" --time_column="Date Time" --valid_fraction=0.2 --test_fraction=0.2
      --input_steps=6 --horizon=1)
expect_ok prep series "${jena[@]}" --targets="T (degC)" --output="$WORK/jena.h5"
expect_ok prep series-classify "${jena[@]}" --targets="T (degC)" --output="$WORK/rise.h5"

# untouched: they train (the recomputed fingerprint equals the stored one)
expect_ok train --data="$WORK/ag.h5" --run_dir="$WORK/ag" "${small[@]}"
expect_ok train --data="$WORK/ud.h5" --run_dir="$WORK/ud" --pooling=none "${small[@]}"
expect_ok train --data="$WORK/jena.h5" --run_dir="$WORK/jena" --loss=mse "${small[@]}"
expect_ok train --data="$WORK/rise.h5" --run_dir="$WORK/rise" "${small[@]}"
ok "untouched token, tagging, series and window-classification files pass"

cp "$WORK/ag.h5" "$WORK/ag_edit.h5"
"$POKE" set "$WORK/ag_edit.h5" /train/tokens 3 4
expect 2 "ag_edit\.h5: its arrays do not match its fingerprint \(stored [0-9a-f]{16}, computed [0-9a-f]{16}\)" \
  train --data="$WORK/ag_edit.h5" --run_dir="$WORK/x" "${small[@]}"
expect 2 "ag_edit\.h5: its arrays do not match its fingerprint" \
  eval --checkpoint="$WORK/ag/checkpoints/best.h5" --data="$WORK/ag_edit.h5" --split=valid
"$POKE" set "$WORK/ud.h5" /valid/tags 0 2
expect 2 "ud\.h5: its arrays do not match its fingerprint" train --data="$WORK/ud.h5" --run_dir="$WORK/x" --pooling=none "${small[@]}"
"$POKE" set "$WORK/jena.h5" /test/series 5 0.25
expect 2 "jena\.h5: its arrays do not match its fingerprint" train --data="$WORK/jena.h5" --run_dir="$WORK/x" --loss=mse "${small[@]}"
"$POKE" set "$WORK/rise.h5" /train/labels 0 1
"$POKE" set "$WORK/rise.h5" /train/labels 1 0
expect 2 "rise\.h5: its arrays do not match its fingerprint" train --data="$WORK/rise.h5" --run_dir="$WORK/x" "${small[@]}"

# predict: a checkpoint whose /data/vocab was removed
cp "$WORK/ag/checkpoints/best.h5" "$WORK/novocab.h5"
"$POKE" delete "$WORK/novocab.h5" /data/vocab
echo "oil prices" >"$WORK/text.txt"
expect 2 "novocab\.h5: the checkpoint holds no vocabulary \(/data/vocab is missing" \
  predict --checkpoint="$WORK/novocab.h5" --input="$WORK/text.txt"
! grep -q synthetic "$WORK/err" || fail "the message still blames the synthetic corpus"
