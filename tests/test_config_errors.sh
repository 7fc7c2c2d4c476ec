#!/usr/bin/env bash
# test_config_errors.sh: the command line's bad-usage contract, run against the real
# binary (env RECUR). Every bad case must exit exactly 2 with exactly one stderr line
# that names the key or file:line, and print nothing on stdout; valid cases must exit 0
# and --print-config must reload to the identical text.
# It must not start training or MPI: every case stops before comm_init.
# Prints one line per case and ends with "N passed, M failed"; exits 1 on any failure.
set -u
: "${RECUR:?set RECUR to the recur binary}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

report() { # report NAME WHY (empty WHY = pass)
    if [ -z "$2" ]; then
        passed=$((passed + 1))
        echo "ok    $1"
    else
        failed=$((failed + 1))
        echo "FAIL  $1:$2"
        sed 's/^/        stderr: /' "$tmp/err"
    fi
}

# bad NAME EXPECTED ARGS...: exit 2, one stderr line "recur: ..." containing EXPECTED, no stdout.
bad() {
    local name=$1 expected=$2 why="" rc lines
    shift 2
    "$RECUR" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    lines=$(wc -l <"$tmp/err")
    [ "$rc" -eq 2 ] || why="$why exit status $rc, want 2;"
    [ "$lines" -eq 1 ] || why="$why $lines stderr lines, want 1;"
    head -c 7 "$tmp/err" | grep -qx 'recur: ' || why="$why stderr does not start with 'recur: ';"
    grep -qF -- "$expected" "$tmp/err" || why="$why stderr lacks \"$expected\";"
    [ -s "$tmp/out" ] && why="$why unexpected stdout;"
    report "$name" "$why"
}

# good NAME ARGS...: exit 0 (stdout kept in $tmp/out).
good() {
    local name=$1 rc
    shift
    "$RECUR" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -eq 0 ]; then report "$name" ""; else report "$name" " exit status $rc, want 0;"; fi
}

conf() { # conf NAME LINES...: writes $tmp/NAME.conf, one argument per line
    local f="$tmp/$1.conf"
    shift
    printf '%s\n' "$@" >"$f"
}

# ---- bad values on the command line ----
bad "hidden_size=0" "--hidden_size=0: hidden_size must be in [1, 1048576] (got 0)" train --hidden_size=0
bad "cell=lsmt lists the cells" "--cell=lsmt: cell must be one of rnn_tanh, rnn_relu, lstm, gru, gru_textbook" \
    train --cell=lsmt
bad "unknown key on the command line" "--hiden_size=64: unknown key 'hiden_size' (did you mean 'hidden_size'?)" \
    train --hiden_size=64
bad "unknown key, nothing close" "--frobnication=3: unknown key 'frobnication'" train --frobnication=3
bad "hidden_size=12abc" "--hidden_size=12abc: hidden_size must be an integer (got '12abc')" train --hidden_size=12abc
bad "int overflow" "--hidden_size=99999999999: hidden_size must be an integer from -2147483648 to 2147483647" train --hidden_size=99999999999
bad "long overflow" "--steps=99999999999999999999: steps must be an integer from" train --steps=99999999999999999999
bad "empty value" "--lr=: lr needs a value" train --lr=
bad "dropout=1.5" "--dropout=1.5: dropout must be in [0, 1) (got 1.5)" train --dropout=1.5
bad "dropout=nan" "--dropout=nan: dropout must be a finite number" train --dropout=nan
bad "lr=inf" "--lr=inf: lr must be a finite number" train --lr=inf
bad "lr=0" "--lr=0: lr must be greater than 0 (got 0)" train --lr=0
bad "lr=0.1x" "--lr=0.1x: lr must be a number (got '0.1x')" train --lr=0.1x
bad "seed=-1" "--seed=-1: seed must be an integer from 0 to" train --seed=-1
bad "bidirectional=2" "--bidirectional=2: bidirectional must be 0 or 1" train --bidirectional=2
bad "unknown loss" "--loss=hinge: loss must be one of cross_entropy, bce, mse, l1, huber" train --loss=hinge
bad "key given twice on the command line" "--lr=0.2: lr is given twice" train --lr=0.1 --lr=0.2
bad "--key without =value" "--hidden_size: expected --key=value" train --hidden_size 12
bad "positional argument" "x.conf: unexpected argument" train x.conf
bad "--config without a file" "--config: needs a file name" train --config
bad "newline in a value stays one line" "--cell=a?b: cell must be one of" train "--cell=a
b"
bad "bad value before --print-config" "--num_layers=0: num_layers must be in [1, 1024]" \
    train --print-config --num_layers=0

# ---- config files ----
conf unknown "# a comment" "hidden_size = 32" "" "hiden_size = 64"
bad "unknown key in a file" "$tmp/unknown.conf:4: unknown key 'hiden_size' (did you mean 'hidden_size'?)" \
    train --config "$tmp/unknown.conf"
conf malformed "lr = 0.1" "hidden_size 64"
bad "malformed line" "$tmp/malformed.conf:2: expected 'key = value'" train --config "$tmp/malformed.conf"
conf novalue "hidden_size ="
bad "empty value in a file" "$tmp/novalue.conf:1: hidden_size needs a value" train --config "$tmp/novalue.conf"
conf dup "lr = 0.1" "momentum = 0.5" "" "lr = 0.2   # again"
bad "duplicate key in a file" "$tmp/dup.conf:4: duplicate key 'lr' (first set on line 1)" \
    train --config "$tmp/dup.conf"
conf badvalue "cell = gru" "hidden_size = -3"
bad "bad value in a file" "$tmp/badvalue.conf:2: hidden_size must be in [1, 1048576] (got -3)" \
    train --config "$tmp/badvalue.conf"
conf badenum "pooling = average"
bad "bad enum in a file" "$tmp/badenum.conf:1: pooling must be one of last, mean, max, none" \
    train --config="$tmp/badenum.conf"
bad "missing config file" "cannot read config file '$tmp/nope.conf': No such file or directory" \
    train --config "$tmp/nope.conf"
bad "config file is a directory" "cannot read config file '$tmp'" train --config "$tmp"
bad "two config files" "only one --config FILE" train --config "$tmp/dup.conf" --config "$tmp/badenum.conf"

# ---- commands ----
bad "recur frobnicate" "unknown command 'frobnicate'" frobnicate
bad "no command" "missing command" 
bad "help for an unknown command" "help: unknown command 'frobnicate'" help frobnicate
bad "version with an argument" "version takes no arguments" version extra

# ---- valid use ----
good "recur help" help
good "recur --help" --help
good "recur version" version
good "recur train --help" train --help
grep -q '^  hidden_size ' "$tmp/out" && report "train --help lists hidden_size" "" ||
    report "train --help lists hidden_size" " not listed;"
good "recur help train" help train
good "print defaults" train --print-config
cp "$tmp/out" "$tmp/defaults.conf"
"$RECUR" train --help | sed -n 's/^  \([a-z][a-z0-9_]*\) .*/\1/p' | sort >"$tmp/help_keys"
sed -n 's/^\([a-z][a-z0-9_]*\) = .*/\1/p' "$tmp/defaults.conf" | sort >"$tmp/printed_keys"
[ -s "$tmp/help_keys" ] && cmp -s "$tmp/help_keys" "$tmp/printed_keys" &&
    report "--print-config writes every key of --help once" "" ||
    report "--print-config writes every key of --help once" " key lists differ;"
good "defaults reload" train --config "$tmp/defaults.conf" --print-config
cmp -s "$tmp/out" "$tmp/defaults.conf" && report "defaults round trip" "" ||
    report "defaults round trip" " printed config differs after reloading;"

good "print a changed config" train --print-config --cell=gru --hidden_size=7 --bidirectional=1 \
    --dropout=0.3 --lr=0.05 --momentum=0.333333333333 --seed=18446744073709551615 \
    --steps=9223372036854775807 --ignore_index=-2147483648 --data=my_data.h5 --run_dir=runs/x
cp "$tmp/out" "$tmp/a.conf"
good "reload it" train --config "$tmp/a.conf" --print-config
cp "$tmp/out" "$tmp/b.conf"
cmp -s "$tmp/a.conf" "$tmp/b.conf" && report "print-config round trip" "" ||
    report "print-config round trip" " $(diff "$tmp/a.conf" "$tmp/b.conf" | tr '\n' ' ');"
grep -qx 'seed = 18446744073709551615' "$tmp/b.conf" && grep -qx 'dropout = 0.3' "$tmp/b.conf" &&
    report "values survive the round trip" "" || report "values survive the round trip" " seed or dropout changed;"

conf layered "hidden_size = 10" "num_layers = 3   # trailing comment" "  cell=gru  "
good "file then command line" train --hidden_size=20 --config "$tmp/layered.conf" --print-config
grep -qx 'hidden_size = 20' "$tmp/out" && grep -qx 'num_layers = 3' "$tmp/out" &&
    grep -qx 'cell = gru' "$tmp/out" && report "precedence: defaults < file < --key=value" "" ||
    report "precedence: defaults < file < --key=value" " wrong resolved values;"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
