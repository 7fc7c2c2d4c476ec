# text_helpers.sh: assertions shared by test_text_csv.sh and test_text_folder.sh (sourced
# after common.sh). PREP_FORMAT names the converter that `prep` runs.

prep() { # prep OUTPUT ARGS...: recur prep $PREP_FORMAT must succeed; its output goes to $WORK/prep.out
    local out=$1; shift
    "$RECUR" prep "$PREP_FORMAT" --output="$out" "$@" >"$WORK/prep.out" 2>&1 ||
        fail "recur prep $PREP_FORMAT $*: $(cat "$WORK/prep.out")"
}
examples() { # examples FILE SPLIT: every decoded example of the split, one per line
    "$RECUR" inspect "$1" --split="$2" --examples=1000000 | grep -E "^$2\[[0-9]+\]" || true
}
has_line() { # has_line FILE LINE: FILE holds exactly that line
    grep -qxF -- "$2" "$1" || fail "$1 lacks the line: $2
--- it holds:
$(head -n 20 "$1")"
}
count_is() { # count_is WANT FILE WHAT: FILE has WANT lines
    local n
    n=$(wc -l <"$2")
    [[ $n -eq $1 ]] || fail "$3: $n lines, want $1"
}
fingerprint() { "$RECUR" inspect "$1" | head -n 1 | sed 's/.*fingerprint //'; }
same_file() { # same_file A B: the same fingerprint, the same examples, the same bytes
    local s
    [[ $(fingerprint "$1") == $(fingerprint "$2") ]] || fail "the same split_seed: other fingerprint"
    for s in train valid test; do
        cmp -s <(examples "$1" $s) <(examples "$2" $s) || fail "the same split_seed: other $s examples"
    done
    cmp -s "$1" "$2" || fail "the same split_seed: same content, but the files differ in" \
        "$(cmp -l "$1" "$2" | wc -l) bytes (HDF5 object modification times? the writer must not track them)"
}
