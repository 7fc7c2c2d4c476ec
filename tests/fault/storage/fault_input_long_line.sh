#!/usr/bin/env bash
# fault_input_long_line.sh: a line (record) longer than max_record_bytes stops every
# text reader with FILE:LINE and exit 2, instead of growing until the OOM killer: a
# stream with no line break (/dev/zero) under the 64 MiB default, and with a small limit
# a long line 3 in plain and gzip input, a quoted CSV field that never closes, a GloVe
# file, recur predict's input and a config file. Memory stays under the 1 GiB limit.
source "$(dirname "$0")/common.sh"
lines=(text-lines --valid_fraction=0.25)
expect 2 "^recur: /dev/zero:1: a line \(record\) longer than 67108864 bytes, the max_record_bytes limit" \
  prep "${lines[@]}" --train=/dev/zero --output="$WORK/x.h5"
expect 2 "^recur: /dev/zero:1: a line \(record\) longer than 67108864 bytes" train --config=/dev/zero

{ head -n 2 "$SAMPLES/text_lines/train.txt"; printf '1 %06000d\n' 0; cat "$SAMPLES/text_lines/train.txt"; } >"$WORK/long.txt"
expect 2 "long\.txt:3: a line \(record\) longer than 4096 bytes" \
  prep "${lines[@]}" --train="$WORK/long.txt" --max_record_bytes=4096 --output="$WORK/x.h5"
gzip -c "$WORK/long.txt" >"$WORK/long.txt.gz"
expect 2 "long\.txt\.gz:3: a line \(record\) longer than 4096 bytes" \
  prep "${lines[@]}" --train="$WORK/long.txt.gz" --max_record_bytes=4096 --output="$WORK/x.h5"
expect_ok prep "${lines[@]}" --train="$WORK/long.txt" --output="$WORK/ok.h5"
ok "the same file passes under the default limit"

# a quoted field of short lines that runs on for 200 of them (opens on line 2)
{ echo '"1","fine","text"'; echo '"2","runs on'; for i in $(seq 200); do echo "more text on line $i of the field"; done
  echo 'end","x"'; } >"$WORK/quote.csv"
expect 2 "quote\.csv:2: a record longer than 4096 bytes, the max_record_bytes limit" \
  prep text-csv --header=0 --train="$WORK/quote.csv" --max_record_bytes=4096 --output="$WORK/x.h5"

# GloVe vectors with a long line 2
{ echo "the 0.1 0.2"; printf 'film'; for i in $(seq 1000); do printf ' 0.5'; done; echo; } >"$WORK/glove.txt"
expect 2 "glove\.txt:2: a line \(record\) longer than 2048 bytes" \
  prep "${lines[@]}" --train="$SAMPLES/text_lines/train.txt" --glove="$WORK/glove.txt" --max_record_bytes=2048 \
  --output="$WORK/x.h5"

# recur predict's input
expect_ok train --data="$WORK/ok.h5" --run_dir="$WORK/run" --hidden_size=8 --input_size=8 --batch_size=4 --steps=4 \
  --eval_every=4 --progress=lines
expect 2 "/dev/zero:1: a line \(record\) longer than 4096 bytes" \
  predict --checkpoint="$WORK/run/checkpoints/best.h5" --input=/dev/zero --max_record_bytes=4096
expect 2 "long\.txt:3: a line \(record\) longer than 4096 bytes" \
  predict --checkpoint="$WORK/run/checkpoints/best.h5" --input="$WORK/long.txt" --max_record_bytes=4096
