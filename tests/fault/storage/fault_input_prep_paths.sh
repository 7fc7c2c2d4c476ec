#!/usr/bin/env bash
# fault_input_prep_paths.sh: `recur prep` checks its output path before reading any
# input. The output being one of its inputs (the same file by device and inode: the same
# name, ./name, a symbolic or a hard link) or lying inside an input folder is refused,
# and the input is left as it was; a missing or non-directory output directory, or an
# output that is a directory, is one line; all exit 2. So are a run directory that cannot
# be made and `recur eval --checkpoint=DIR`.
source "$(dirname "$0")/common.sh"
cp "$SAMPLES/ag_news/train.csv" "$WORK/train.csv"
cp "$WORK/train.csv" "$WORK/pristine.csv"
csv=(text-csv --header=0 --label_column=1 --text_columns=2,3 --valid_fraction=0.25)
ln -s train.csv "$WORK/sym.csv"
ln "$WORK/train.csv" "$WORK/hard.csv"
cd "$WORK"
for out in "$WORK/train.csv" ./train.csv sym.csv hard.csv "$WORK//train.csv"; do
  expect 2 "output: .* is the same file as the input train = .*prep would replace its own input" \
    prep "${csv[@]}" --train=train.csv --output="$out"
  cmp -s train.csv pristine.csv || fail "the input changed (output $out)"
done
expect 2 "output: .* is the same file as the input valid = " \
  prep "${csv[@]}" --train="$SAMPLES/ag_news/test.csv" --valid=train.csv --output=hard.csv
cmp -s train.csv pristine.csv || fail "the input changed (valid)"
ok "prep onto its own input refused; the input is intact"

cp -r "$SAMPLES/aclimdb" "$WORK/imdb"
expect 2 "output: .*lies inside the input folder train = " \
  prep text-folder --train="$WORK/imdb/train" --output="$WORK/imdb/train/pos/data.h5"
[[ ! -e $WORK/imdb/train/pos/data.h5 ]] || fail "prep wrote into its input folder"

expect 2 "output: cannot write .*/nowhere/x\.h5: directory .*/nowhere: No such file or directory" \
  prep "${csv[@]}" --train=train.csv --output="$WORK/nowhere/x.h5"
expect 2 "output: cannot write .*: .*train\.csv is not a directory" \
  prep "${csv[@]}" --train=train.csv --output="$WORK/train.csv/x.h5"
expect 2 "output: .*imdb is a directory" prep "${csv[@]}" --train=train.csv --output="$WORK/imdb"

# a run directory that cannot be made: one line before any data is read
expect 2 "cannot create directory '.*/train\.csv/run': Not a directory" \
  train --run_dir="$WORK/train.csv/run" --hidden_size=8 --steps=1

# a checkpoint directory instead of a checkpoint file
expect_ok train --run_dir="$WORK/run" --hidden_size=8 --input_size=8 --synthetic_valid_size=64 --steps=5 --eval_every=5
expect 2 "checkpoints is a directory; a checkpoint is a file in it, such as .*checkpoints/best\.h5" \
  eval --checkpoint="$WORK/run/checkpoints" --data="$WORK/x.h5"
expect 2 "checkpoints is a directory" predict --checkpoint="$WORK/run/checkpoints" --input=train.csv
