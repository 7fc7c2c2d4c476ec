#!/usr/bin/env bash
# fault_storage_checkpoint_damage.sh: damaged checkpoints are refused, not loaded. Bytes
# of a weight overwritten behind HDF5's back (the file still opens) fail the tensor's
# checksum; a NaN written through HDF5 is refused as non-finite; both name the tensor,
# exit 2, in recur eval, recur predict and resume. Damaged optimizer state is refused on
# resume, a changed step counter by the whole state's checksum. A checkpoint without checksums (an older recur's) loads with a note.
source "$(dirname "$0")/common.sh"
make_tiny_dataset
run=(--data="$WORK/ag.h5" --run_dir="$WORK/run" --cell=gru --hidden_size=8 --input_size=8 --batch_size=4
     --optimizer=adam --lr=0.01 --eval_every=10 --keep_checkpoints=50 --progress=lines)
expect_ok train "${run[@]}" --steps=20
good=$WORK/run/checkpoints/step-000000020.h5
echo "stocks fall as oil prices rise" >"$WORK/text.txt"

expect_ok eval --checkpoint="$good" --data="$WORK/ag.h5" --split=valid
! grep -q "note" "$WORK/err" || fail "a good checkpoint gave a note: $(cat "$WORK/err")"
expect_ok predict --checkpoint="$good" --input="$WORK/text.txt"
ok "the undamaged checkpoint evaluates and predicts"

# ---- a weight's bytes overwritten on disk ----
cp "$good" "$WORK/flipped.h5"
"$POKE" raw "$WORK/flipped.h5" /model/rnn.weight_hh_l0 5
expect 2 "flipped\.h5: tensor model/rnn\.weight_hh_l0 fails its checksum" \
  eval --checkpoint="$WORK/flipped.h5" --data="$WORK/ag.h5" --split=valid
expect 2 "flipped\.h5: tensor model/rnn\.weight_hh_l0 fails its checksum" \
  predict --checkpoint="$WORK/flipped.h5" --input="$WORK/text.txt"

# ---- a NaN weight (written through HDF5, checksum untouched) ----
cp "$good" "$WORK/nan.h5"
"$POKE" set "$WORK/nan.h5" /model/head.out.bias 1 nan
expect 2 "nan\.h5: tensor model/head\.out\.bias holds a non-finite value \(nan at element 1\)" \
  eval --checkpoint="$WORK/nan.h5" --data="$WORK/ag.h5" --split=valid
expect 2 "nan\.h5: tensor model/head\.out\.bias holds a non-finite value" \
  predict --checkpoint="$WORK/nan.h5" --input="$WORK/text.txt"
cp "$good" "$WORK/inf.h5"
"$POKE" set "$WORK/inf.h5" /model/embedding.weight 0 inf
expect 2 "tensor model/embedding\.weight holds a non-finite value \(inf at element 0\)" \
  eval --checkpoint="$WORK/inf.h5" --data="$WORK/ag.h5" --split=valid

# ---- the state around the tensors changed (the step counter) ----
cp "$good" "$WORK/step.h5"
"$POKE" attr "$WORK/step.h5" step 7
expect 2 "step\.h5: the checkpoint's state fails its checksum" eval --checkpoint="$WORK/step.h5" --data="$WORK/ag.h5" --split=valid
cp "$good" "$WORK/ranks.h5"  # the partial loss sums and rank count of a resume are covered too
"$POKE" attr "$WORK/ranks.h5" ranks 3
expect 2 "ranks\.h5: the checkpoint's state fails its checksum" eval --checkpoint="$WORK/ranks.h5" --data="$WORK/ag.h5" --split=valid

# ---- resume from a damaged newest checkpoint ----
cp "$WORK/nan.h5" "$WORK/run/checkpoints/step-000000030.h5"
expect 2 "step-000000030\.h5: tensor model/head\.out\.bias holds a non-finite value" train "${run[@]}" --steps=40 --resume=1
cp "$good" "$WORK/run/checkpoints/step-000000030.h5"
"$POKE" raw "$WORK/run/checkpoints/step-000000030.h5" /optimizer/exp_avg_sq 7
expect 2 "step-000000030\.h5: tensor optimizer/exp_avg_sq fails its checksum" train "${run[@]}" --steps=40 --resume=1
rm "$WORK/run/checkpoints/step-000000030.h5"

# ---- an older recur's checkpoint (no checksums): loads, with a note ----
cp "$good" "$WORK/old.h5"
"$POKE" strip "$WORK/old.h5"
expect_ok eval --checkpoint="$WORK/old.h5" --data="$WORK/ag.h5" --split=valid
grep -q "note: .*old\.h5 has no checksums" "$WORK/err" || fail "no note for a checkpoint without checksums: $(cat "$WORK/err")"
ok "a checkpoint without checksums loads with a note: $(cat "$WORK/err")"
