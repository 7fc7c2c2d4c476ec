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
grep -Fq "series train: 44 rows (01.01.2009 00:10:00 .. 02.01.2009 19:10:00), 37 windows" "$WORK/prep.out" ||
  fail "train split summary"
grep -Fq "series valid: 14 rows (02.01.2009 20:10:00 .. 03.01.2009 09:10:00), 7 windows" "$WORK/prep.out" ||
  fail "valid split summary"
grep -Fq "series test : 14 rows (03.01.2009 10:10:00 .. 03.01.2009 23:10:00), 7 windows" "$WORK/prep.out" ||
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
grep -Fq "series train: 44 rows (01.01.2009 00:10:00 .. 02.01.2009 19:10:00), 8 windows" "$WORK/prep.out" ||
  fail "stride 5: $(cat "$WORK/prep.out")"
same "stride 5 train[1]" "$(example "$WORK/jena_s.h5" train 1)" "start=5: $(column "$JENA" 3 6 11 12)"
same "stride 5 train[7]" "$(example "$WORK/jena_s.h5" train 7)" "start=35: $(column "$JENA" 3 6 41 42)"

# no resampling: 432 rows, split 260 / 86 / 86; the 10-minute rows come back
jena --output="$WORK/jena_10.h5" --every=1 >"$WORK/prep.out" || fail "prep series jena every=1"
grep -Fq "series train: 260 rows (01.01.2009 00:10:00 .. 02.01.2009 19:20:00), 253 windows" "$WORK/prep.out" ||
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
grep -Fq "series train: 156 rows, 127 windows" "$WORK/prep.out" || fail "pm25 train split"
grep -Fq "series test : 36 rows, 7 windows" "$WORK/prep.out" || fail "pm25 test split"
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
grep -Fq "series train: 70 rows (2017-03-01 .. 2017-06-06), 60 windows" "$WORK/prep.out" || fail "msft train split"
same "msft train[0]" "$(example "$WORK/msft.h5" train 0)" "start=0: $(column "$MSFT" 5 1 10)"
same "msft test[4]" "$(example "$WORK/msft.h5" test 4)" "start=4: $(column "$MSFT" 5 1 99)"
same "constant OpenInt: offset 0, factor 1" "$("$RECUR" inspect "$WORK/msft.h5" | grep -F "OpenInt " |
                                             awk '{ print $(NF - 2), $NF }')" "0 1"
shards_ok "$WORK/msft.h5"
"$RECUR" prep series --train="$MSFT" --output="$WORK/msft2.h5" --time_column=Date --columns="Close, Volume" \
  --targets=Close --input_steps=10 --valid_fraction=0.15 --test_fraction=0.15 >"$WORK/prep.out" || fail "prep msft columns"
grep -Fq "100 rows of 2 features" "$WORK/prep.out" || fail "columns=Close,Volume: $(head -n 1 "$WORK/prep.out")"

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
