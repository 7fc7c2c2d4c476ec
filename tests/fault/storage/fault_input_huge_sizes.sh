#!/usr/bin/env bash
# fault_input_huge_sizes.sh: model and data sizes that overflowed 32-bit arithmetic
# (hidden_size 2147483647 crashed; 1073741824 wrapped the parameter count to 0 and ran
# into the OOM killer; 2000000000 asked for 13727267289478449168 bytes) are refused by
# the keys' bounds, and a model within the bounds but larger than the machine is refused
# before anything is allocated, with its parameter count and bytes. Exit 2, one line,
# and never more than the 1 GiB the test allows (ulimit -v in common.sh).
source "$(dirname "$0")/common.sh"
for h in 2147483647 1073741824 2000000000 1048577; do
  expect 2 "hidden_size must be in \[1, 1048576\] \(got $h\)" train --run_dir="$WORK/run" --hidden_size=$h --steps=1
done
expect 2 "input_size must be in \[1, 1048576\]" train --run_dir="$WORK/run" --input_size=2147483647 --steps=1
expect 2 "num_layers must be in \[1, 1024\]" train --run_dir="$WORK/run" --num_layers=1000000 --steps=1
expect 2 "head_hidden must be in \[0, 1048576\]" train --run_dir="$WORK/run" --head_hidden=2000000000 --steps=1
expect 2 "vocab_size must be in \[0, 16777216\]" train --run_dir="$WORK/run" --vocab_size=2000000000 --steps=1
expect 2 "batch_size must be in \[1, 1048576\]" train --run_dir="$WORK/run" --batch_size=2147483647 --steps=1
# within every bound, far beyond any machine: 4 x 1048576 x (1048576 + 1048576) x 2 layers
expect 2 "model too large: lstm, 2 layer\(s\), hidden_size 1048576.*: [0-9]+ parameters need [0-9]+ bytes for weights and gradients, more than this machine's [0-9]+ bytes" \
  train --run_dir="$WORK/run" --hidden_size=1048576 --input_size=1048576 --num_layers=2 --steps=1
expect 2 "--batch_size=99999999999: expected a batch size of 1 to 1048576" \
  eval --checkpoint="$WORK/none.h5" --data="$WORK/none.h5" --batch_size=99999999999
expect 2 "input_steps must be in \[1, 1048576\]" prep series --train="$SAMPLES/jena/jena_sample.csv" \
  --input_steps=2000000000 --output="$WORK/x.h5"
expect 2 "max_vocab must be in \[0, 16777216\]" prep text-csv --train="$SAMPLES/ag_news/train.csv" \
  --max_vocab=2147483647 --output="$WORK/x.h5"
