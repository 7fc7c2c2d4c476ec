#!/usr/bin/env bash
# run_fuzz.sh: builds the libFuzzer targets of tests/fuzz/ (one per pure parser) with clang,
# AddressSanitizer and UndefinedBehaviorSanitizer, and runs each for a bounded time.
#
#   tests/fuzz/run_fuzz.sh SECONDS OUTDIR [TARGET ...]     (TARGET: csv tokenizer ...)
#
# Everything it writes goes under OUTDIR: build/ (objects, binaries), corpus/<target>/ (what
# the run found; the seeds in tests/fuzz/corpus/<target>/ are only read), artifacts/<target>/
# (reproducers), logs/<target>.log. Exit status: 0 when every target ran its time with no
# crash, sanitizer report, leak, timeout or out-of-memory; 1 otherwise, naming the target and
# the reproducer; 77 (ctest's SKIP_RETURN_CODE) with "skipped: clang with libFuzzer not found"
# when clang cannot build a libFuzzer binary. Set FUZZ_CC to use another clang.
# It never edits the sources or the seed corpora.
set -uo pipefail

usage() { echo "usage: $0 SECONDS OUTDIR [TARGET ...]" >&2; exit 2; }
[[ $# -ge 2 && "$1" =~ ^[0-9]+$ && "$1" -gt 0 ]] || usage
seconds=$1
out=$2
shift 2
root=$(cd "$(dirname "$0")/../.." && pwd)
cc=${FUZZ_CC:-clang}

# Sources each target links besides its harness tests/fuzz/fuzz_<target>.c and
# fuzz_support.c (the check.c symbols, without MPI/HDF5). glove.c also holds glove_attach,
# hence vocab, rng and prep_fail.
declare -A sources=(
  [csv]="src/data/csv.c src/data/parse_error.c src/core/record_limit.c"
  [tokenizer]="src/data/tokenizer.c src/data/utf8.c src/data/parse_error.c"
  [conllu]="src/prep/conllu.c src/prep/tagged_sentence.c src/data/parse_error.c"
  [word_tag]="src/prep/word_tag.c src/prep/tagged_sentence.c src/data/parse_error.c"
  [glove]="src/prep/glove.c src/data/utf8.c src/data/vocab.c src/core/rng.c src/prep/prep_fail.c src/data/parse_error.c src/core/record_limit.c"
  [numeric_table]="src/prep/numeric_table.c src/data/csv.c src/data/parse_error.c src/core/record_limit.c"
  [series_time]="src/prep/series_time.c"
)
all_targets=(csv tokenizer conllu word_tag glove numeric_table series_time)
targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
  [[ -n "${sources[$t]:-}" ]] || { echo "run_fuzz: unknown target '$t' (${all_targets[*]})" >&2; exit 2; }
done

sanitize="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
cflags=(-std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 -fno-omit-frame-pointer $sanitize
        -Wall -Wextra -Wno-unused-parameter -I"$root/src")
build=$out/build
mkdir -p "$build/obj" "$build/bin" "$out/logs" || exit 1

# ---- clang with libFuzzer? ----
skip() {
  echo "skipped: clang with libFuzzer not found${1:+ ($1)}"
  exit 77
}
command -v "$cc" >/dev/null 2>&1 || skip "no '$cc' on PATH"
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' \
  >"$build/probe.c"
"$cc" -fsanitize=fuzzer,address,undefined "$build/probe.c" -o "$build/probe" >"$build/probe.log" 2>&1 ||
  skip "$cc cannot link -fsanitize=fuzzer,address,undefined: $(head -n 1 "$build/probe.log")"

# ---- build: every source once (in parallel), then one binary per target ----
object_of() { local p=${1#"$root"/}; echo "$build/obj/${p//\//_}.o"; }

compile_all() {
  local -A seen=()
  local src t
  for t in "${targets[@]}"; do
    for src in ${sources[$t]}; do seen[$root/$src]=project; done
    seen[$root/tests/fuzz/fuzz_$t.c]=fuzz
  done
  seen[$root/tests/fuzz/fuzz_support.c]=fuzz
  local jobs=0 failed=0
  for src in "${!seen[@]}"; do
    local strict=()
    [[ ${seen[$src]} == fuzz ]] && strict=(-Werror)
    "$cc" "${cflags[@]}" "${strict[@]}" -fsanitize=fuzzer-no-link -c "$src" -o "$(object_of "$src")" &
    if (( ++jobs >= $(nproc) )); then wait -n || failed=1; jobs=$((jobs - 1)); fi
  done
  while (( jobs > 0 )); do wait -n || failed=1; jobs=$((jobs - 1)); done
  return $failed
}

link_target() {
  local t=$1 objects=() src
  for src in ${sources[$t]} tests/fuzz/fuzz_support.c tests/fuzz/fuzz_$t.c; do
    objects+=("$(object_of "$root/$src")")
  done
  "$cc" -g -fsanitize=fuzzer $sanitize "${objects[@]}" -lm -o "$build/bin/fuzz_$t"
}

build_start=$(date +%s)
compile_all || { echo "run_fuzz: FAILED to compile the fuzz targets" >&2; exit 1; }
for t in "${targets[@]}"; do
  link_target "$t" || { echo "run_fuzz: FAILED to link fuzz_$t" >&2; exit 1; }
done
echo "run_fuzz: built ${#targets[@]} targets in $(( $(date +%s) - build_start )) s with $("$cc" --version | head -n 1)"

# ---- run ----
# The final figures of a run: executions, coverage (cov) and features (ft).
summary() {
  local log=$1
  local runs cov
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  cov=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n 1 | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[^ ]+')
  echo "${runs:-?} runs, ${cov:-no coverage line}"
}

failures=0
for t in "${targets[@]}"; do
  corpus=$out/corpus/$t artifacts=$out/artifacts/$t log=$out/logs/$t.log
  mkdir -p "$corpus" "$artifacts"
  rm -f "$artifacts"/*
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
    "$build/bin/fuzz_$t" -max_total_time="$seconds" -max_len=4096 -timeout=5 -rss_limit_mb=2048 \
    -error_exitcode=1 -timeout_exitcode=1 -print_final_stats=1 -artifact_prefix="$artifacts/" \
    "$corpus" "$root/tests/fuzz/corpus/$t" >"$log" 2>&1
  rc=$?
  reproducers=$(find "$artifacts" -type f | sort)
  reports=$(grep -cE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|fuzz invariant violated|recur_die\(' "$log")
  if [[ $rc -ne 0 || -n "$reproducers" || "$reports" -ne 0 ]] || ! grep -q '^Done [0-9]* runs' "$log"; then
    failures=$((failures + 1))
    echo "FAIL fuzz_$t (exit $rc): log $log"
    grep -E 'ERROR: |runtime error:|fuzz invariant violated|recur_die\(|SUMMARY' "$log" | head -n 5 | sed 's/^/  /'
    for r in $reproducers; do
      echo "  reproducer: $r"
      echo "  replay:     $build/bin/fuzz_$t $r"
    done
  else
    echo "ok   fuzz_$t: $(summary "$log") in ${seconds} s"
  fi
done

if (( failures > 0 )); then
  echo "run_fuzz: $failures of ${#targets[@]} fuzz targets FAILED"
  exit 1
fi
echo "run_fuzz: all ${#targets[@]} fuzz targets ran ${seconds} s each without a crash, sanitizer report or leak"
