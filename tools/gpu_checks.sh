#!/usr/bin/env bash
# gpu_checks.sh: everything the CUDA backend has to show, in one go, on a machine with a GPU
# (a lent device machine, or any workstation with a GPU), inside a time budget, ending with
# a summary table. Steps, each under its own `timeout`, all together under
# GPU_CHECKS_BUDGET_S (default 420 s; a step that would start past it is skipped):
#   setup      the binaries: build-devchk-bundle/ (made by tools/gpu_bundle.sh; unpacked from
#              build-devchk-carry/gpu_bundle.tar.xz when only that came along) when it
#              starts here and was built for this GPU; else a build in build-devchk-gpu for
#              this GPU's compute capability (needs cmake, nvcc, MPI, HDF5, OpenBLAS, NCCL)
#   gpu_model  tests/test_gpu_model: the CUDA backend vs the CPU, op by op
#   gpu_train  tests/test_gpu_train.sh: 10 training steps on the GPU vs the CPU (and 2 ranks
#              NCCL vs MPI when there are 2 GPUs)
#   gpu_graph  tests/test_gpu_graph.sh: training with the step replayed as CUDA graphs equals
#              training with it launched op by op, to the bit (its log follows gpu_train's)
#   memcheck, racecheck   compute-sanitizer on test_gpu_model
#   bench, bench_tf32     bench/compare.py --device gpu: recur vs PyTorch/cuDNN (TF32: the
#              T=128 rows only)
#   bench_layers the 25-layer LSTM row with RECUR_WAVEFRONT=0 (one persistent launch per
#              layer instead of the layer wavefront the plan picks there; its log goes into
#              bench.txt)
#   bench_steps  the GRU T=64 row with gpu_recurrence = steps (the per-step loop), to see what
#              the persistent recurrence kernels gain (its log goes into bench.txt)
# Without a GPU every GPU step says "skipped: no GPU" and the script exits 0.
# Exit status: 0 when no step failed or timed out, else 1.
# Logs (8 files at most, for the device tool's $OUT): OUT_DIR/summary.txt, setup.txt and one
# .txt per step.
# Usage: tools/gpu_checks.sh [OUT_DIR]   (default: build-devchk-out)
#   env: GPU_CHECKS_BUDGET_S=420, GPU_CHECKS_BUILD=1 (ignore the bundle, build here)
set -u
cd "$(dirname "$0")/.." || exit 1
root=$(pwd)
out=${1:-build-devchk-out}
mkdir -p "$out" && out=$(cd "$out" && pwd) || exit 1
budget=${GPU_CHECKS_BUDGET_S:-420}
bundle="$root/build-devchk-bundle"
carried="$root/build-devchk-carry/gpu_bundle.tar.xz"
build="$root/build-devchk-gpu"
setup_log="$out/setup.txt"
: > "$setup_log"
orig_ld=${LD_LIBRARY_PATH:-} orig_path=$PATH
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

rows=()
# row STEP STATUS SECONDS KEY: one line of the summary table.
row() { rows+=("$1"$'\t'"$2"$'\t'"$3"$'\t'"$4"); printf '== %-10s %s (%s s) %s\n' "$1" "$2" "$3" "$4"; }
say() { echo "$*" | tee -a "$setup_log"; }

# run_step NAME CAP LOG CMD...: runs CMD under timeout (CAP seconds, less when the budget is
# nearly spent), output to LOG. Sets step_rc, step_status, step_s; returns step_rc.
run_step() {
  local cap=$2 log=$3 left lim t  # $1: the step's name, for the reader
  shift 3
  left=$((budget - SECONDS - 5))
  lim=$((cap < left ? cap : left))
  step_s=0
  if [ "$lim" -lt 15 ]; then
    step_rc=125 step_status="skipped: out of time (budget ${budget}s)"
    echo "$step_status" >> "$log"
    return 125
  fi
  echo "\$ $* (timeout ${lim}s)" >> "$log"
  t=$SECONDS
  timeout -k 10 "$lim" "$@" >> "$log" 2>&1
  step_rc=$?
  step_s=$((SECONDS - t))
  case $step_rc in
    0) step_status=ok ;;
    77) step_status="skipped (77)" ;;
    124 | 137) step_status="TIMEOUT (${lim}s)" ;;
    *) step_status="FAIL (rc $step_rc)" ;;
  esac
  echo "-- exit $step_rc after ${step_s}s" >> "$log"
  return "$step_rc"
}

# ---- the GPU ----
gpu_names="" gpu_count=0 cc=""
if command -v nvidia-smi > /dev/null; then
  nvidia-smi >> "$setup_log" 2>&1
  gpu_names=$(nvidia-smi --query-gpu=name,compute_cap,driver_version,memory.total --format=csv,noheader 2>/dev/null)
  gpu_count=$(printf '%s' "$gpu_names" | grep -c .)
  cc=$(printf '%s\n' "$gpu_names" | head -1 | awk -F', ' '{print $2}' | tr -d .)
fi
if [ "$gpu_count" -gt 0 ]; then
  row gpu "$gpu_count found" 0 "$(printf '%s\n' "$gpu_names" | head -1)"
else
  row gpu none 0 "nvidia-smi: $(command -v nvidia-smi > /dev/null && echo 'no GPU listed' || echo 'not installed')"
fi

# ---- the binaries ----
# find_so NAME: a folder holding the library NAME (CUDA toolkit, or PyTorch's nvidia-* wheels).
site_dirs=""
find_so() {
  local d
  for d in "${CUDA_HOME:-/usr/local/cuda}"/lib64 "${CUDA_HOME:-/usr/local/cuda}"/lib /usr/local/cuda/targets/x86_64-linux/lib \
           /usr/local/cuda-*/lib64 /usr/local/cuda-*/lib /usr/lib/x86_64-linux-gnu; do
    [ -e "$d/$1" ] && { echo "$d"; return 0; }
  done
  if [ -z "$site_dirs" ] && command -v python3 > /dev/null; then
    site_dirs=$(timeout 20 python3 -c 'import site, sys; print("\n".join(site.getsitepackages() + [site.getusersitepackages()] + sys.path))' 2>/dev/null | sort -u)
  fi
  while read -r d; do
    [ -d "$d/nvidia" ] || [ -d "$d/torch" ] || continue
    d=$(find "$d/nvidia" "$d/torch/lib" -maxdepth 4 -name "$1" -print -quit 2>/dev/null)
    [ -n "$d" ] && { dirname "$d"; return 0; }
  done <<< "$site_dirs"
  return 1
}
# add_missing_libs BINARY: puts the folders of the libraries BINARY lacks on LD_LIBRARY_PATH.
add_missing_libs() {
  local so d
  for so in $(ldd "$1" 2>/dev/null | awk '$3 == "not" {print $1}'); do
    if d=$(find_so "$so"); then
      export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$d"; say "found $so in $d"
    else
      say "not found anywhere: $so"
    fi
  done
}

RECUR="" GPU_MODEL="" COMPARE="" BENCH="" bins_from="" setup_note=""
use_bundle() {  # use_bundle: 0 when the bundle's binaries start here (and suit this GPU)
  local arch v t=$SECONDS
  if [ ! -x "$bundle/bin/recur" ] && [ -f "$carried" ]; then
    say "unpacking $carried"
    mkdir -p "$bundle"
    if ! { xz -dc "$carried" | tar -x -C "$bundle"; } >> "$setup_log" 2>&1; then
      python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$carried" "$bundle" >> "$setup_log" 2>&1
    fi
  fi
  [ -x "$bundle/bin/recur" ] || { setup_note="no bundle"; return 1; }
  say "bundle: $(head -1 "$bundle/INFO.txt" 2>/dev/null)"
  arch=$(sed -n 's/^cuda_arch=//p' "$bundle/INFO.txt" 2>/dev/null)
  if [ -n "$cc" ] && [[ ";$arch;" != *";$cc;"* ]]; then
    setup_note="bundle is for sm_$arch, this GPU is sm_$cc"; say "$setup_note"; return 1
  fi
  # shellcheck disable=SC1091
  . "$bundle/env.sh"
  add_missing_libs "$bundle/bin/recur"
  add_missing_libs "$bundle/bin/test_gpu_model"
  if ! v=$(timeout 60 "$bundle/bin/recur" version 2>&1); then
    setup_note="bundle's recur does not start here: $(printf '%s' "$v" | tail -1 | sed 's/^.*: error while loading shared libraries: //' | cut -c1-120)"
    say "$v"; say "$setup_note"
    export LD_LIBRARY_PATH="$orig_ld" PATH="$orig_path"
    unset OPAL_PREFIX PMIX_PREFIX PMIX_PKGLIBDIR PMIX_PKGDATADIR
    return 1
  fi
  RECUR="$bundle/bin/recur" GPU_MODEL="$bundle/bin/test_gpu_model"
  COMPARE="$bundle/bin/compare_checkpoints" BENCH="$bundle/bin/bench_model"
  bins_from="bundle (sm_$arch, built from $(sed -n '1s/.* from //p' "$bundle/INFO.txt"), $((SECONDS - t)) s)"
}

build_here() {  # build_here: 0 when build-devchk-gpu was built for this GPU
  local arch=${cc:-90} nccl_args=() h l t=$SECONDS from
  from=$(($(wc -l < "$setup_log") + 1))  # this build's lines of setup.txt start here
  command -v nvcc > /dev/null || export PATH="${CUDA_HOME:-/usr/local/cuda}/bin:$PATH"
  if ! command -v cmake > /dev/null || ! command -v nvcc > /dev/null; then
    setup_note="cannot build here: no $(command -v cmake > /dev/null || echo cmake) $(command -v nvcc > /dev/null || echo nvcc)"
    say "$setup_note"; return 1
  fi
  # NCCL: the toolkit's, or else PyTorch's nvidia-nccl wheel (shimmed into an NCCL_HOME).
  if [ -z "${NCCL_HOME:-}" ] && ! ls "$(dirname "$(command -v nvcc)")"/../include/nccl.h > /dev/null 2>&1 &&
     l=$(find_so libnccl.so.2) && h=$(find "$l/.." -maxdepth 2 -name nccl.h -print -quit) && [ -n "$h" ]; then
    mkdir -p "$tmp/nccl/include" "$tmp/nccl/lib"
    ln -sf "$h" "$tmp/nccl/include/nccl.h"; ln -sf "$l/libnccl.so.2" "$tmp/nccl/lib/libnccl.so"
    nccl_args=(-DNCCL_HOME="$tmp/nccl"); export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$l"
    say "NCCL from $l"
  fi
  say "building $build for sm_$arch"
  if ! run_step build 60 "$setup_log" cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DRECUR_CUDA=ON \
         -DCMAKE_CUDA_ARCHITECTURES="$arch" "${nccl_args[@]}"; then
    h=$(tail -n +"$from" "$setup_log" | grep -oE 'Could NOT find [A-Za-z0-9_]+( \(missing: [^)]*\))?' | sort -u | tr '\n' ' ')
    [ -n "$h" ] || h=$(tail -n +"$from" "$setup_log" | grep -E 'CMake Error|error' | grep -v '^\$' | head -2 | tr '\n' ' ')
    setup_note="cmake failed ($step_status): ${h:-$(grep -v '^-- exit' "$setup_log" | tail -1)}"
    [ "$step_rc" = 124 ] || setup_note="${setup_note:0:200} (build deps missing? see setup.txt)"
    say "$setup_note"; return 1
  fi
  if ! run_step build 300 "$setup_log" cmake --build "$build" -j"$(nproc)" --target recur test_gpu_model compare_checkpoints bench_model; then
    setup_note="build failed ($step_status): $(tail -n +"$from" "$setup_log" | grep -m1 -E 'error' | cut -c1-150)"; say "$setup_note"; return 1
  fi
  add_missing_libs "$build/recur"
  RECUR="$build/recur" GPU_MODEL="$build/tests/test_gpu_model"
  COMPARE="$build/tests/compare_checkpoints" BENCH="$build/bench/bench_model"
  bins_from="built here (sm_$arch, $((SECONDS - t)) s)"
}

t=$SECONDS
if [ "${GPU_CHECKS_BUILD:-0}" != 1 ] && use_bundle; then
  row setup ok $((SECONDS - t)) "$bins_from"
elif [ "$gpu_count" -eq 0 ] && [ "${GPU_CHECKS_BUILD:-0}" != 1 ]; then
  row setup "skipped: no GPU" $((SECONDS - t)) "$setup_note; not building without a GPU"
elif bundle_note=$setup_note; build_here; then
  row setup ok $((SECONDS - t)) "$bins_from${bundle_note:+; $bundle_note}"
else
  row setup FAIL $((SECONDS - t)) "$setup_note${bundle_note:+; $bundle_note}"
fi

# ---- what the binaries see ----
seen=0
if [ -n "$RECUR" ]; then
  version=$(timeout 60 "$RECUR" version 2>&1); rc=$?
  echo "$version" >> "$setup_log"
  seen=$(printf '%s\n' "$version" | sed -n 's/.*cuda (\([0-9]*\) device.*/\1/p')
  seen=${seen:-0}
  if [ "$rc" -ne 0 ]; then row version "FAIL (rc $rc)" 0 "$(printf '%s' "$version" | tail -1)"
  elif [ "$gpu_count" -gt 0 ] && [ "$seen" -eq 0 ]; then row version FAIL 0 "recur sees no CUDA device, nvidia-smi lists $gpu_count: $(printf '%s' "$version" | tail -1)"
  else row version ok 0 "$(printf '%s' "$version" | tr '\n' ' ' | cut -c1-120)"
  fi
fi
# no_gpu_reason: why the GPU steps cannot run, or nothing when they can.
no_gpu_reason() {
  if [ "$gpu_count" -eq 0 ] && [ "$seen" -eq 0 ]; then echo "skipped: no GPU"
  elif [ -z "$RECUR" ]; then echo "skipped: no binaries (setup failed)"
  fi
}

# ---- tests ----
log="$out/gpu_model.txt"; : > "$log"
if r=$(no_gpu_reason) && [ -n "$r" ]; then row gpu_model "$r" 0 ""; gpu_model_rc=125
else
  run_step gpu_model 90 "$log" "$GPU_MODEL"; gpu_model_rc=$step_rc
  key=$(awk '/^(ok|FAIL) / {n[$1]++; for (i = 1; i < NF; i++) if ($i == "grads" && $(i + 1) + 0 > w) w = $(i + 1) + 0}
        END {if (n["ok"] + n["FAIL"]) printf "%d ok, %d FAIL; worst grad rel err %.2e", n["ok"], n["FAIL"], w}' "$log")
  row gpu_model "$step_status" "$step_s" "${key:-$(grep -v '^-- exit' "$log" | tail -1 | cut -c1-150)}"
fi

log="$out/gpu_train.txt"; : > "$log"
if r=$(no_gpu_reason) && [ -n "$r" ]; then row gpu_train "$r" 0 ""
else
  note=""
  if [ "$seen" -ge 2 ] && ! command -v mpirun > /dev/null; then note="; no mpirun: its 2-rank part cannot run"; fi
  run_step gpu_train 150 "$log" env RECUR="$RECUR" COMPARE="$COMPARE" bash "$root/tests/test_gpu_train.sh"
  key=$(grep -E '^[0-9]+ passed' "$log" | tail -1)
  row gpu_train "$step_status" "$step_s" "${key:-$(grep -v '^-- exit' "$log" | tail -1 | cut -c1-150)}$note"
fi

log="$out/gpu_train.txt" # appended: the logs stay at 8 files
if r=$(no_gpu_reason) && [ -n "$r" ]; then row gpu_graph "$r" 0 ""
else
  run_step gpu_graph 120 "$log" env RECUR="$RECUR" COMPARE="$COMPARE" bash "$root/tests/test_gpu_graph.sh"
  key=$(grep -E '^[0-9]+ passed' "$log" | tail -1)
  row gpu_graph "$step_status" "$step_s" "${key:-$(grep -v '^-- exit' "$log" | tail -1 | cut -c1-150)}"
fi

# ---- compute-sanitizer ----
sanitizer=$(command -v compute-sanitizer)
for f in "${CUDA_HOME:-/usr/local/cuda}"/bin/compute-sanitizer /usr/local/cuda*/bin/compute-sanitizer; do
  [ -z "$sanitizer" ] && [ -x "$f" ] && sanitizer=$f
done
for tool in memcheck racecheck; do
  log="$out/$tool.txt"; : > "$log"
  if r=$(no_gpu_reason) && [ -n "$r" ]; then row "$tool" "$r" 0 ""
  elif [ -z "$sanitizer" ]; then row "$tool" "skipped: no compute-sanitizer" 0 ""
  elif [ "$gpu_model_rc" = 124 ] || [ "$gpu_model_rc" = 137 ]; then row "$tool" "skipped: gpu_model timed out" 0 ""
  else
    run_step "$tool" 90 "$log" "$sanitizer" --tool "$tool" --error-exitcode 9 "$GPU_MODEL"
    row "$tool" "$step_status" "$step_s" "$(grep -hE '(ERROR|RACECHECK) SUMMARY' "$log" | tail -1 | sed 's/^=* *//')$(grep -hE '^(PASS|FAIL):' "$log" | tail -1 | sed 's/^/; test /')"
  fi
done

# ---- bench: recur vs PyTorch ----
# bench_keys JSONL: "gru/64 1.23 ..." = PyTorch median / recur median per config (> 1: recur faster).
bench_keys() {
  python3 - "$1" << 'EOF' 2>/dev/null
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = {}
for r in rows:
    by.setdefault(r["name"], []).append(r)
print("torch/recur: " + " ".join(
    f'{n.replace("agnews_", "").replace("rnn_tanh", "rnn").replace("_t", "/")} {p[1]["median_ms"] / p[0]["median_ms"]:.2f}'
    for n, p in by.items() if len(p) == 2) + f' (recur {rows[0].get("precision", "")})')
EOF
}
torch_ok=""
for variant in bench bench_tf32 bench_steps bench_layers; do
  log="$out/$variant.txt"
  case $variant in bench_steps | bench_layers) log="$out/bench.txt" ;; *) : > "$log" ;; esac # the logs stay 8 files
  if r=$(no_gpu_reason) && [ -n "$r" ]; then row "$variant" "$r" 0 ""; continue; fi
  if [ -z "$torch_ok" ]; then
    # The PyTorch side runs under this python3, without the bundle's libraries.
    run_step torch 90 "$log" env LD_LIBRARY_PATH="$orig_ld" python3 -c \
      'import torch; assert torch.cuda.is_available(), "no CUDA in torch"; print("torch", torch.__version__, torch.cuda.get_device_name(0))'
    case $step_rc in
      0) torch_ok=yes ;;
      125) torch_ok="$step_status" ;;
      *) torch_ok="skipped: no PyTorch with CUDA"; torch_msg=$(grep -v '^-- exit' "$log" | tail -1 | cut -c1-150) ;;
    esac
  fi
  if [ "$torch_ok" != yes ]; then row "$variant" "$torch_ok" 0 "${torch_msg:-}"; continue; fi
  args=(--device gpu --bench "$BENCH" --json-out "$tmp/$variant.jsonl" --torch-env "LD_LIBRARY_PATH=$orig_ld")
  cap=240 # 8 rows: 6 AG News, the tagger, the 25-layer LSTM
  if [ "$variant" = bench_tf32 ]; then args+=(--tf32 --only agnews_gru_t128 agnews_lstm_t128 agnews_rnn_tanh_t128); cap=120; fi
  # the step loop on one row: what the persistent kernels gain over it
  if [ "$variant" = bench_steps ]; then args+=(--gpu-recurrence steps --only agnews_gru_t64); cap=60; fi
  # one launch per layer on the deep row: what the layer wavefront gains there
  wave=""
  if [ "$variant" = bench_layers ]; then args+=(--only deep_lstm_l25_h8_t200); cap=60 wave=0; fi
  run_step "$variant" "$cap" "$log" env PYTHONUNBUFFERED=1 RECUR_WAVEFRONT="$wave" python3 "$root/bench/compare.py" "${args[@]}"
  key=$( [ -s "$tmp/$variant.jsonl" ] && bench_keys "$tmp/$variant.jsonl")
  row "$variant" "$step_status" "$step_s" "${key:-$(grep -v '^\[' "$log" | tail -1 | cut -c1-150)}"
  [ -s "$tmp/$variant.jsonl" ] && { echo "--- raw JSON (--json-out)"; cat "$tmp/$variant.jsonl"; } >> "$log"
done

# ---- summary: the table last ----
failed=0
{
  echo "gpu_checks.sh $(date -u +%FT%TZ) on $(hostname); $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'); total ${SECONDS}s of ${budget}s; logs in $out"
  printf '| %-10s | %-35s | %5s | %s\n' step status s "key numbers"
  printf '|%s|%s|%s|%s\n' "------------" "-------------------------------------" "-------" "------------"
  for r in "${rows[@]}"; do
    IFS=$'\t' read -r step status secs key <<< "$r"
    case $status in FAIL* | TIMEOUT*) failed=$((failed + 1)) ;; esac
    printf '| %-10s | %-35s | %5s | %s\n' "$step" "$status" "$secs" "$key"
  done
} > "$out/summary.txt"
echo
cat "$out/summary.txt"
[ "$failed" -eq 0 ]
