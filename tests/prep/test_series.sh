# test_series.sh: `recur prep series` and `recur prep series-classify` on the samples in
# datasets/samples/{jena,pm25,stocks}, read back with `recur inspect` and the shard reader:
# split sizes and time ranges, resampling, stride, targets and labels recomputed here
# with awk from the sample files, the scaler fitted on train only, missing-value rules;
# then each broken input exits 2 naming the file, line and column or option.
source "$(dirname "$0")/common.sh"

JENA=$SAMPLES/jena/jena_sample.csv
PM25=$SAMPLES/pm25/pm25_sample.csv
MSFT=$SAMPLES/stocks/msft_sample.csv

# same WHAT GOT WANT: fail unless the two strings are equal.
same() { [[ "$2" == "$3" ]] || fail "$1: got '$2', want '$3'"; echo "ok: $1: $2"; }

# example FILE SPLIT I: the inspect line of example I of SPLIT, without "SPLIT[I] ".
example() {
  "$RECUR" inspect "$1" --split="$2" --examples=$(($3 + 1)) >"$WORK/inspect" ||
    fail "recur inspect $1 --split=$2 failed: $(tail -n 5 "$WORK/inspect")"
  grep -F "$2[$3] " "$WORK/inspect" | sed "s/^$2\[$3\] //" || fail "no $2[$3] in: $(head -n 20 "$WORK/inspect")"
}

# column FILE COL EVERY ROWS...: values (%.6g, space separated) of column COL (1-based,
# comma-separated file, header skipped, CR stripped) at the given rows of the series
# after keeping every EVERY-th row.
column() {
  local file=$1 col=$2 every=$3; shift 3
  tr -d '\r' <"$file" | awk -F, -v col="$col" -v every="$every" -v rows="$*" '
    BEGIN { n = split(rows, want, " ") }
    NR > 1 && (NR - 2) % every == 0 { v[(NR - 2) / every] = $col }
    END { for (i = 1; i <= n; i++) printf "%s%.6g", (i > 1 ? " " : ""), v[want[i]]; print "" }'
}

# h5values FILE DATASET: the dataset's values, one per line (needs h5dump).
h5values() {
  h5dump -y -w 0 -d "$2" "$1" | sed -n '/DATA {/,/}/p' | grep -v '[{}]' | tr ',' '\n' | awk 'NF { print $1 }'
}

# prep FORMAT DEFAULTS ARGS...: `recur prep FORMAT` with the --key=value ARGS, plus those
# of the associative array named DEFAULTS whose key ARGS do not give (a key twice is an
# error).
prep() {
  local format=$1 key arg
  local -n defaults=$2
  local -A given=()
  shift 2
  local args=("$@")
  for arg in "$@"; do key=${arg%%=*}; given[${key#--}]=1; done
  for key in "${!defaults[@]}"; do [[ -v given[$key] ]] || args+=("--$key=${defaults[$key]}"); done
  "$RECUR" prep "$format" "${args[@]}"
}

# ---- Jena: hourly (every=6), 6 hours in, 2 out, split 60/20/20 by time ----
declare -A JENA_OPTS=([train]="$JENA" [time_column]="Date Time" [targets]="T (degC)" [every]=6
                      [input_steps]=6 [horizon]=2 [valid_fraction]=0.2 [test_fraction]=0.2)
jena() { prep series JENA_OPTS "$@"; }
jena --output="$WORK/jena.h5" --scale=minmax >"$WORK/prep.out" || fail "prep series jena: $(cat "$WORK/prep.out")"
cat "$WORK/prep.out"
# 432 rows -> 72 hourly; test 14, valid 14, train 44; windows of 8 rows: 37, 7, 7
grep -Fq "series train: 44 rows (file rows 1 .. 259: 01.01.2009 00:10:00 .. 02.01.2009 19:10:00), 37 windows" "$WORK/prep.out" ||
  fail "train split summary"
grep -Fq "series valid: 14 rows (file rows 265 .. 343: 02.01.2009 20:10:00 .. 03.01.2009 09:10:00), 7 windows" "$WORK/prep.out" ||
  fail "valid split summary"
grep -Fq "series test : 14 rows (file rows 349 .. 427: 03.01.2009 10:10:00 .. 03.01.2009 23:10:00), 7 windows" "$WORK/prep.out" ||
  fail "test split summary"
# targets: T (column 3) at hourly rows start+6, start+7 of the split (train starts at
# hourly row 0, valid at 44, test at 58)
same "jena train[0]" "$(example "$WORK/jena.h5" train 0)" "start=0: $(column "$JENA" 3 6 6 7)"
same "jena train[36]" "$(example "$WORK/jena.h5" train 36)" "start=36: $(column "$JENA" 3 6 42 43)"
same "jena valid[0]" "$(example "$WORK/jena.h5" valid 0)" "start=0: $(column "$JENA" 3 6 50 51)"
same "jena test[6]" "$(example "$WORK/jena.h5" test 6)" "start=6: $(column "$JENA" 3 6 70 71)"
shards_ok "$WORK/jena.h5"

# the scaler (as inspect prints it) is fitted on the 44 train rows: minmax offset = their
# minimum of T, factor = their range; zscore offset = their mean
scaler() { "$RECUR" inspect "$1" | grep -F "$2 " | grep offset | awk '{ printf "%.6g %.6g", $(NF - 2), $NF }'; }
train_t() { tr -d '\r' <"$JENA" | awk -F, 'NR > 1 && (NR - 2) % 6 == 0 && (NR - 2) / 6 < 44 { print $3 }'; }
same "minmax scaler of T fitted on train rows only" "$(scaler "$WORK/jena.h5" "T (degC)")" \
  "$(train_t | awk 'NR == 1 || $1 < lo { lo = $1 } NR == 1 || $1 > hi { hi = $1 } END { printf "%.6g %.6g", lo, hi - lo }')"
jena --output="$WORK/jena_z.h5" >/dev/null || fail "prep series jena zscore"
same "zscore scaler of T: mean and population std of the train rows" "$(scaler "$WORK/jena_z.h5" "T (degC)")" \
  "$(train_t | awk '{ s += $1; q += $1 * $1 } END { m = s / NR; printf "%.6g %.6g", m, sqrt(q / NR - m * m) }')"
if command -v h5dump >/dev/null; then
  # pressure rises through the sample: scaled test pressures lie above train's maximum (> 1)
  above=$(h5values "$WORK/jena.h5" /test/series | awk 'NR % 14 == 1 && $1 > 1 { n++ } END { print n + 0 }')
  [[ $above -gt 0 ]] || fail "no scaled test pressure above 1: the scaler saw the test rows?"
  echo "ok: $above of 14 scaled test pressures are above 1 (scaler from train only)"
else
  echo "skipped: scaled test rows above 1 (no h5dump)"
fi

# stride 5: train windows start 0, 5, ..., 35 (8 of them)
jena --output="$WORK/jena_s.h5" --stride=5 >"$WORK/prep.out" || fail "prep series jena stride"
grep -Fq "series train: 44 rows (file rows 1 .. 259: 01.01.2009 00:10:00 .. 02.01.2009 19:10:00), 8 windows" "$WORK/prep.out" ||
  fail "stride 5: $(cat "$WORK/prep.out")"
same "stride 5 train[1]" "$(example "$WORK/jena_s.h5" train 1)" "start=5: $(column "$JENA" 3 6 11 12)"
same "stride 5 train[7]" "$(example "$WORK/jena_s.h5" train 7)" "start=35: $(column "$JENA" 3 6 41 42)"

# no resampling: 432 rows, split 260 / 86 / 86; the 10-minute rows come back
jena --output="$WORK/jena_10.h5" --every=1 >"$WORK/prep.out" || fail "prep series jena every=1"
grep -Fq "series train: 260 rows (file rows 1 .. 260: 01.01.2009 00:10:00 .. 02.01.2009 19:20:00), 253 windows" "$WORK/prep.out" ||
  fail "every=1: $(cat "$WORK/prep.out")"
same "every=1 train[100]" "$(example "$WORK/jena_10.h5" train 100)" "start=100: $(column "$JENA" 3 1 106 107)"

# two targets, in the order given: [horizon][target]
jena --output="$WORK/jena_2.h5" --targets="p (mbar),T (degC)" >/dev/null || fail "prep series two targets"
same "two targets train[0]" "$(example "$WORK/jena_2.h5" train 0)" \
  "start=0: $(column "$JENA" 2 6 6) $(column "$JENA" 3 6 6) $(column "$JENA" 2 6 7) $(column "$JENA" 3 6 7)"

# ---- Jena, series-classify: does T rise by more than 0.5 degC 3 hours after the window? ----
"$RECUR" prep series-classify --train="$JENA" --output="$WORK/jena_c.h5" --time_column="Date Time" \
  --targets="T (degC)" --every=6 --input_steps=6 --horizon=3 --rise_threshold=0.5 --valid_fraction=0.2 \
  --test_fraction=0.2 >"$WORK/prep.out" || fail "prep series-classify: $(cat "$WORK/prep.out")"
cat "$WORK/prep.out"
"$RECUR" inspect "$WORK/jena_c.h5" --split=train --examples=36 >"$WORK/inspect" || fail "inspect classify"
got=$(grep -E '^train\[[0-9]+\] ' "$WORK/inspect")
want=$(tr -d '\r' <"$JENA" | awk -F, 'NR > 1 && (NR - 2) % 6 == 0 { t[(NR - 2) / 6] = $3 }
         END { for (s = 0; s + 9 <= 44; s++)
                 printf "train[%d] start=%d label=%s\n", s, s, (t[s + 8] - t[s + 5] > 0.5 ? "rise" : "no_rise") }')
[[ "$got" == "$want" ]] || fail "classify labels differ: $(diff <(echo "$want") <(echo "$got") | head)"
echo "ok: 36 train labels as computed from the sample ($(grep -c 'label=rise' <<<"$got") rise)"
grep -Eq "series train: 44 rows .*, 36 windows \([0-9]+ rise, [0-9]+ no_rise\)" "$WORK/prep.out" || fail "classify summary"
shards_ok "$WORK/jena_c.h5"

# ---- Beijing PM2.5: CRLF, no final newline, NA cells, categorical cbwd dropped ----
declare -A PM25_OPTS=([train]="$PM25" [drop_columns]=No,year,month,day,hour,cbwd [targets]=pm2.5
                      [input_steps]=24 [horizon]=6 [valid_fraction]=0.2 [test_fraction]=0.15)
pm25() { prep series PM25_OPTS "$@"; }
pm25 --output="$WORK/pm25.h5" --missing=interpolate >"$WORK/prep.out" || fail "prep pm25: $(cat "$WORK/prep.out")"
cat "$WORK/prep.out"
grep -Fq "240 rows of 7 features (28 missing cells)" "$WORK/prep.out" || fail "pm25: 7 features, 28 NA"
grep -Fq "missing=interpolate: 28 cells filled" "$WORK/prep.out" || fail "pm25: 28 filled"
grep -Fq "series train: 156 rows (file rows 1 .. 156), 127 windows" "$WORK/prep.out" || fail "pm25 train split"
grep -Fq "series test : 36 rows (file rows 205 .. 240), 7 windows" "$WORK/prep.out" || fail "pm25 test split"
# rows 100..102 are NA between rows 99 and 103: train[72] predicts rows 96..101
want=$(column "$PM25" 6 1 96 97 98 99 103 | awk '{ d = ($5 - $4) / 4
         printf "start=72: %.6g %.6g %.6g %.6g %.6g %.6g", $1, $2, $3, $4, $4 + d, $4 + 2 * d }')
same "pm25 interpolated train[72]" "$(example "$WORK/pm25.h5" train 72)" "$want"
# the last row (no line end after it) is the last target of the last test window
same "pm25 test[6]" "$(example "$WORK/pm25.h5" test 6)" "start=6: $(column "$PM25" 6 1 234 235 236 237 238 239)"
shards_ok "$WORK/pm25.h5"
pm25 --output="$WORK/pm25_f.h5" --missing=ffill >/dev/null || fail "prep pm25 ffill"
v99=$(column "$PM25" 6 1 99)
same "pm25 ffill train[72]" "$(example "$WORK/pm25_f.h5" train 72)" "start=72: $(column "$PM25" 6 1 96 97 98 99) $v99 $v99"
pm25 --output="$WORK/pm25_d.h5" --missing=drop >"$WORK/prep.out" || fail "prep pm25 drop"
grep -Fq "212 kept (every=1), missing=drop: 28 rows dropped" "$WORK/prep.out" ||
  fail "pm25 drop: $(head -n 1 "$WORK/prep.out")"

# ---- MSFT daily: 10 days in, next close out, minmax ----
"$RECUR" prep series --train="$MSFT" --output="$WORK/msft.h5" --time_column=Date --targets=Close \
  --input_steps=10 --horizon=1 --scale=minmax --valid_fraction=0.15 --test_fraction=0.15 >"$WORK/prep.out" ||
  fail "prep msft: $(cat "$WORK/prep.out")"
cat "$WORK/prep.out"
grep -Fq "series train: 70 rows (file rows 1 .. 70: 2017-03-01 .. 2017-06-06), 60 windows" "$WORK/prep.out" || fail "msft train split"
same "msft train[0]" "$(example "$WORK/msft.h5" train 0)" "start=0: $(column "$MSFT" 5 1 10)"
same "msft test[4]" "$(example "$WORK/msft.h5" test 4)" "start=4: $(column "$MSFT" 5 1 99)"
same "constant OpenInt: offset 0, factor 1" "$("$RECUR" inspect "$WORK/msft.h5" | grep -F "OpenInt " |
                                             awk '{ print $(NF - 2), $NF }')" "0 1"
shards_ok "$WORK/msft.h5"
"$RECUR" prep series --train="$MSFT" --output="$WORK/msft2.h5" --time_column=Date --columns="Close, Volume" \
  --targets=Close --input_steps=10 --valid_fraction=0.15 --test_fraction=0.15 >"$WORK/prep.out" || fail "prep msft columns"
grep -Fq "100 rows of 2 features" "$WORK/prep.out" || fail "columns=Close,Volume: $(head -n 1 "$WORK/prep.out")"

# ---- the fraction split is as before train_until existed: fingerprints recorded with
# commit 45a705d (the parent of the split by rows and dates) for the datasets made above ----
fingerprint() { "$RECUR" inspect "$1" | sed -n 's/.*fingerprint \([0-9a-f]\{16\}\).*/\1/p' | head -n 1; }
same "fingerprint of jena (minmax)" "$(fingerprint "$WORK/jena.h5")" 8ccde566605e8959
same "fingerprint of jena (zscore)" "$(fingerprint "$WORK/jena_z.h5")" d2923fafd81d636e
same "fingerprint of pm25 (interpolate)" "$(fingerprint "$WORK/pm25.h5")" c0579e04a92db486
same "fingerprint of msft" "$(fingerprint "$WORK/msft.h5")" cbe7c5ea654ed692

# ---- splits by dates and by row counts (train_until, valid_until; inclusive) ----
declare -A JENA_UNTIL=([train]="$JENA" [time_column]="Date Time" [targets]="T (degC)" [every]=6
                       [input_steps]=6 [horizon]=2 [scale]=minmax)
jena_until() { prep series JENA_UNTIL "$@"; }
# day 1 is file rows 1 .. 143 (00:10 .. 23:50), day 2 rows 144 .. 287; every=6 keeps rows
# 1, 7, 13, ...: 24 hourly rows per split, 17 windows of 8
jena_until --output="$WORK/jena_dates.h5" --train_until=2009-01-01 --valid_until=2009-01-02 >"$WORK/prep.out" ||
  fail "prep series by dates: $(cat "$WORK/prep.out")"
cat "$WORK/prep.out"
for line in "series split: train_until = 2009-01-01 (file row 143), valid_until = 2009-01-02 (file row 287)" \
            "series train: 24 rows (file rows 1 .. 139: 01.01.2009 00:10:00 .. 01.01.2009 23:10:00), 17 windows" \
            "series valid: 24 rows (file rows 145 .. 283: 02.01.2009 00:10:00 .. 02.01.2009 23:10:00), 17 windows" \
            "series test : 24 rows (file rows 289 .. 427: 03.01.2009 00:10:00 .. 03.01.2009 23:10:00), 17 windows"; do
  grep -Fxq "$line" "$WORK/prep.out" || fail "by dates: no line '$line'"
done
echo "ok: split by dates: 24 / 24 / 24 hourly rows, one day each"
same "by dates valid[0]" "$(example "$WORK/jena_dates.h5" valid 0)" "start=0: $(column "$JENA" 3 6 30 31)"
same "by dates test[16]" "$(example "$WORK/jena_dates.h5" test 16)" "start=16: $(column "$JENA" 3 6 70 71)"
same "by dates: minmax scaler of T from the 24 train rows" "$(scaler "$WORK/jena_dates.h5" "T (degC)")" \
  "$(tr -d '\r' <"$JENA" | awk -F, 'NR > 1 && (NR - 2) % 6 == 0 && (NR - 2) / 6 < 24 { print $3 }' |
     awk 'NR == 1 || $1 < lo { lo = $1 } NR == 1 || $1 > hi { hi = $1 } END { printf "%.6g %.6g", lo, hi - lo }')"
shards_ok "$WORK/jena_dates.h5"
# the same boundaries as row counts, or as times in the file's own layout: the same dataset
jena_until --output="$WORK/jena_rows.h5" --train_until=143 --valid_until=287 >/dev/null || fail "prep series by rows"
jena_until --output="$WORK/jena_clock.h5" --train_until="01.01.2009 23:50:00" --valid_until="2009-01-02 23:59" \
  >/dev/null || fail "prep series by times"
same "by rows = by dates" "$(fingerprint "$WORK/jena_rows.h5")" "$(fingerprint "$WORK/jena_dates.h5")"
same "by times = by dates" "$(fingerprint "$WORK/jena_clock.h5")" "$(fingerprint "$WORK/jena_dates.h5")"

declare -A PM25_UNTIL=([train]="$PM25" [drop_columns]=No,year,month,day,hour,cbwd [targets]=pm2.5
                       [input_steps]=24 [horizon]=6 [missing]=interpolate)
pm25_until() { prep series PM25_UNTIL "$@"; }
pm25_until --output="$WORK/pm25_rows.h5" --train_until=144 --valid_until=192 >"$WORK/prep.out" ||
  fail "prep pm25 by rows: $(cat "$WORK/prep.out")"
cat "$WORK/prep.out"
for line in "series train: 144 rows (file rows 1 .. 144), 115 windows" \
            "series valid: 48 rows (file rows 145 .. 192), 19 windows" \
            "series test : 48 rows (file rows 193 .. 240), 19 windows"; do
  grep -Fxq "$line" "$WORK/prep.out" || fail "pm25 by rows: no line '$line'"
done
same "pm25 by rows test[0]" "$(example "$WORK/pm25_rows.h5" test 0)" "start=0: $(column "$PM25" 6 1 216 217 218 219 220 221)"
shards_ok "$WORK/pm25_rows.h5"
# train_until alone: valid is the rest, no test
pm25_until --output="$WORK/pm25_rest.h5" --train_until=200 >"$WORK/prep.out" || fail "prep pm25 train_until only"
grep -Fxq "series valid: 40 rows (file rows 201 .. 240), 11 windows" "$WORK/prep.out" &&
  grep -Fxq "series test : 0 rows, 0 windows" "$WORK/prep.out" || fail "train_until only: $(cat "$WORK/prep.out")"
# missing=drop after the boundaries: the rows dropped (file rows 151, ...) leave the boundary where it was
pm25_until --output="$WORK/pm25_drop.h5" --train_until=144 --valid_until=192 --missing=drop >"$WORK/prep.out" ||
  fail "prep pm25 by rows, drop"
grep -Fxq "series valid: 47 rows (file rows 145 .. 192), 18 windows" "$WORK/prep.out" ||
  fail "by rows with missing=drop: $(cat "$WORK/prep.out")"
# test_until: file rows 231 .. 240 are left out; the last test window ends on row 230
pm25_until --output="$WORK/pm25_cut.h5" --train_until=144 --valid_until=192 --test_until=230 >"$WORK/prep.out" ||
  fail "prep pm25 test_until: $(cat "$WORK/prep.out")"
grep -Fxq "series test : 38 rows (file rows 193 .. 230), 9 windows" "$WORK/prep.out" &&
  grep -Fxq "series after test_until: 10 rows left out" "$WORK/prep.out" || fail "test_until: $(cat "$WORK/prep.out")"
same "pm25 test_until test[8]" "$(example "$WORK/pm25_cut.h5" test 8)" "start=8: $(column "$PM25" 6 1 224 225 226 227 228 229)"
echo "ok: split by row counts, with and without valid_until and test_until, with missing=drop"

# a month: every trading day of May 2017 is train (ISO dates compare as text)
want=$(awk -F, 'NR > 1 && $1 < "2017-06"' "$MSFT" | wc -l)
"$RECUR" prep series --train="$MSFT" --output="$WORK/msft_m.h5" --time_column=Date --targets=Close --input_steps=5 \
  --train_until=2017-05 --valid_until=2017-06-15 >"$WORK/prep.out" || fail "prep msft by month: $(cat "$WORK/prep.out")"
grep -Fq "series split: train_until = 2017-05 (file row $want)," "$WORK/prep.out" &&
  grep -Eq "^series train: $want rows \(file rows 1 \.\. $want: 2017-03-01 \.\. 2017-05-31\)" "$WORK/prep.out" ||
  fail "msft by month (train rows $want): $(cat "$WORK/prep.out")"
echo "ok: train_until = 2017-05 takes the $want rows to 2017-05-31"
# a 4-digit row count beside a time column is a row count, with a warning (a year is 1000-12)
awk 'BEGIN { print "t,a"; for (i = 0; i < 1200; i++) printf "2000-01-01 %02d:%02d,%d\n", i / 60, i % 60, i % 7 }' \
  >"$WORK/minutes.csv"
"$RECUR" prep series --train="$WORK/minutes.csv" --output="$WORK/minutes.h5" --time_column=t --targets=a \
  --input_steps=2 --train_until=1000 2>"$WORK/prep.err" >"$WORK/prep.out" || fail "prep train_until=1000: $(cat "$WORK/prep.err")"
grep -Fxq "recur: warning: train_until = 1000 is a row count (rows 1 .. 1000); a year is written with its month: 1000-12" \
  "$WORK/prep.err" && grep -Fq "series valid: 200 rows (file rows 1001 .. 1200: 2000-01-01 16:40 .. 2000-01-01 19:59)" \
  "$WORK/prep.out" || fail "train_until = 1000: $(cat "$WORK/prep.err" "$WORK/prep.out")"
echo "ok: train_until = 1000 is a row count, with a warning"

# contradictory and out-of-range split keys: exit 2 naming the key and value
expect_error "jena_sample.csv: train_until = 143 splits by rows or dates, valid_fraction = 0.2" \
  jena --output="$WORK/x.h5" --train_until=143
expect_error "pm25_sample.csv: valid_until = 100 needs train_until \(valid starts after train\)" pm25_until --output="$WORK/x.h5" --valid_until=100
expect_error "pm25_sample.csv: valid_until = 100 ends at row 100, not after train_until = 150 \(row 150\)" \
  pm25_until --output="$WORK/x.h5" --train_until=150 --valid_until=100
expect_error "jena_sample.csv: valid_until = 2009-01-01 ends at row 143, not after train_until = 2009-01-01" \
  jena_until --output="$WORK/x.h5" --train_until=2009-01-01 --valid_until=2009-01-01
expect_error "pm25_sample.csv: train_until = 240: a row count must be 1 to 239 \(the file has 240 data rows" \
  pm25_until --output="$WORK/x.h5" --train_until=240
expect_error "pm25_sample.csv: train_until = 0: a row count must be 1 to 239" pm25_until --output="$WORK/x.h5" --train_until=0
expect_error "jena_sample.csv:2: train_until = 2008-12-31 is before the first row's time '01.01.2009 00:10:00'" \
  jena_until --output="$WORK/x.h5" --train_until=2008-12-31
expect_error "jena_sample.csv:433: valid_until = 2009-01-04: no row follows it \(the last row's time is '04.01.2009 00:00:00'\)" \
  jena_until --output="$WORK/x.h5" --train_until=2009-01-01 --valid_until=2009-01-04
expect_error "jena_sample.csv:433: test_until = 2009-01-05: after the last row \(the last row's time is '04.01.2009 00:00:00'\)" \
  jena_until --output="$WORK/x.h5" --train_until=2009-01-01 --valid_until=2009-01-02 --test_until=2009-01-05
jena_until --output="$WORK/jena_end.h5" --train_until=2009-01-01 --valid_until=2009-01-02 --test_until=2009-01-04 \
  >/dev/null || fail "test_until on the last row's day"
same "test_until = the last day: the dataset of no test_until" "$(fingerprint "$WORK/jena_end.h5")" \
  "$(fingerprint "$WORK/jena_dates.h5")"
expect_error "pm25_sample.csv: test_until = 241: a row count must be 1 to 240 \(the file has 240 data rows\)" \
  pm25_until --output="$WORK/x.h5" --train_until=144 --valid_until=192 --test_until=241
expect_error "pm25_sample.csv: test_until = 200 needs valid_until \(test starts after valid\)" \
  pm25_until --output="$WORK/x.h5" --train_until=144 --test_until=200
expect_error "pm25_sample.csv: train_until = 2010-01-05: a date needs time_column" \
  pm25_until --output="$WORK/x.h5" --train_until=2010-01-05
expect_error "jena_sample.csv: train_until = 1/1/2009: neither a row count \(e.g. 26304\) nor a date" \
  jena_until --output="$WORK/x.h5" --train_until=1/1/2009
printf 't,a\n1,1\n2,2\n3,3\n' >"$WORK/nodate.csv"
expect_error "nodate.csv:2: time_column 't': '1' is not a date .*give a row count" \
  "$RECUR" prep series --train="$WORK/nodate.csv" --output="$WORK/x.h5" --time_column=t --targets=a --input_steps=1 \
  --train_until=2010-01-01
{ head -n 3 "$MSFT"; sed -n 5p "$MSFT"; sed -n 4p "$MSFT"; tail -n +6 "$MSFT"; } >"$WORK/msft_unsorted.csv"
expect_error "msft_unsorted.csv:5: time_column 'Date': '2017-03-03' comes before the row above it \('2017-03-06'\)" \
  "$RECUR" prep series --train="$WORK/msft_unsorted.csv" --output="$WORK/x.h5" --time_column=Date --targets=Close \
  --train_until=2017-05
"$RECUR" prep series --train="$WORK/msft_unsorted.csv" --output="$WORK/msft_unsorted.h5" --time_column=Date \
  --targets=Close --input_steps=5 --train_until=70 >/dev/null || fail "a row count needs no sorted time column"
expect_error "pm25_sample.csv: split 'test' has 10 of the 240 rows .*input_steps \+ horizon = 30" \
  pm25_until --output="$WORK/x.h5" --train_until=144 --valid_until=230
expect_error "train_until: only series and series-classify split by rows or dates" \
  "$RECUR" prep text-csv --train="$SAMPLES/ag_news/train.csv" --output="$WORK/x.h5" --train_until=10

# ---- broken inputs: exit 2, file:line and what ----
head -n 9 "$JENA" >"$WORK/jena_bad.csv"
sed -n 10p "$JENA" | awk -F, -v OFS=, '{ $3 = "\"12,5x\""; print }' >>"$WORK/jena_bad.csv"
tail -n +11 "$JENA" >>"$WORK/jena_bad.csv"
expect_error "jena_bad.csv:10: column 'T \(degC\)': '12,5x' is not a number" \
  "$RECUR" prep series --train="$WORK/jena_bad.csv" --output="$WORK/x.h5" --time_column="Date Time" --targets="T (degC)"
expect_error "jena_sample.csv:1: columns: 'T' is not in the header" \
  jena --output="$WORK/x.h5" --columns="T,p (mbar)"
expect_error "jena_sample.csv:1: targets: 'Temp' is not a feature column" jena --output="$WORK/x.h5" --targets=Temp
expect_error "jena_sample.csv:1: time_column: 'Date' is not in the header" jena --output="$WORK/x.h5" --time_column=Date
expect_error "pm25_sample.csv:2: column 'cbwd': 'NW' is not a number.*drop_columns" \
  pm25 --output="$WORK/x.h5" --drop_columns=No,year,month,day,hour --missing=interpolate
expect_error "pm25_sample.csv:2: column 'pm2.5': missing value.*missing=error" pm25 --output="$WORK/x.h5"
expect_error "jena_sample.csv: split 'valid' has 14 of the 72 rows .*input_steps \+ horizon = 22" \
  jena --output="$WORK/x.h5" --input_steps=20
expect_error "jena_sample.csv: valid: a series comes as one file" jena --output="$WORK/x.h5" --valid="$JENA"
expect_error "jena_sample.csv: header=0" jena --output="$WORK/x.h5" --header=0
expect_error "jena_sample.csv: targets: name exactly one column" \
  "$RECUR" prep series-classify --train="$JENA" --output="$WORK/x.h5" --time_column="Date Time" --targets="T (degC),p (mbar)"
head -n 25 "$PM25" >"$WORK/pm25_na.csv"
expect_error "pm25_na.csv:1: column 'pm2.5' has no value in any row" \
  "$RECUR" prep series --train="$WORK/pm25_na.csv" --output="$WORK/x.h5" --targets=DEWP --drop_columns=cbwd \
  --missing=ffill --input_steps=2 --valid_fraction=0
{ head -n 5 "$MSFT"; printf '2017-03-08,1,2,3,4,5,0,7\r\n'; } >"$WORK/msft_bad.csv"
expect_error "msft_bad.csv:6: 8 fields, the header has 7" \
  "$RECUR" prep series --train="$WORK/msft_bad.csv" --output="$WORK/x.h5" --time_column=Date --targets=Close
printf 't,a\n1,1\n2,1e300\n3,2\n' >"$WORK/huge.csv"
expect_error "huge.csv:3: column 'a': 1e\+300 is beyond float32's range after scale=none" \
  "$RECUR" prep series --train="$WORK/huge.csv" --output="$WORK/x.h5" --time_column=t --targets=a --scale=none \
  --input_steps=1 --valid_fraction=0
: >"$WORK/empty.csv"
expect_error "empty.csv: empty file" "$RECUR" prep series --train="$WORK/empty.csv" --output="$WORK/x.h5" --targets=a
[[ ! -e "$WORK/x.h5" ]] || fail "a failed prep left $WORK/x.h5 behind"
echo "all series checks passed"
