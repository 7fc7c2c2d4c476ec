#!/usr/bin/env bash
# gpu_checks.sh: everything the CUDA backend has to show, in one go, on a machine with a
# GPU (a lent device machine: copy the checkout there and run this; results under OUT).
#   1. build with the GPU's own architecture (native)
#   2. ctest: the GPU tests (gpu_model: op by op vs the CPU; gpu_train: 10 training steps
#      vs the CPU, and 2 ranks NCCL vs MPI when there are 2 GPUs) and the rest of the suite
#   3. compute-sanitizer memcheck and racecheck on test_gpu_model
#   4. bench/compare.py --device gpu (recur vs PyTorch/cuDNN, issue 6's rows), then --tf32
# Usage: tools/gpu_checks.sh [OUT_DIR]   (default: gpu_checks_out)
set -u
out=${1:-gpu_checks_out}
mkdir -p "$out"
log() { echo "== $*" | tee -a "$out/summary.txt"; }
log "$(date -u) $(nvidia-smi -L 2>&1 | head -4)"
cmake -S . -B build-gpu -DRECUR_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=native > "$out/cmake.txt" 2>&1 &&
  cmake --build build-gpu -j"$(nproc)" > "$out/build.txt" 2>&1
log "build: exit $? (tail of build.txt below)"; tail -3 "$out/build.txt" | tee -a "$out/summary.txt"
build-gpu/recur version | tee -a "$out/summary.txt"
(cd build-gpu && ctest --output-on-failure -R "gpu_" > "../$out/ctest_gpu.txt" 2>&1)
log "ctest gpu_*: exit $?"; grep -E "tests passed|Failed|Skipped|FAIL" "$out/ctest_gpu.txt" | tee -a "$out/summary.txt"
for tool in memcheck racecheck; do
  compute-sanitizer --tool $tool --error-exitcode 9 build-gpu/tests/test_gpu_model > "$out/sanitizer_$tool.txt" 2>&1
  log "compute-sanitizer $tool: exit $?"; tail -2 "$out/sanitizer_$tool.txt" | tee -a "$out/summary.txt"
done
python3 bench/compare.py --device gpu --bench build-gpu/bench/bench_model --json-out "$out/bench.jsonl" \
  > "$out/bench.txt" 2> "$out/bench_err.txt"
log "bench (float32): exit $?"; cat "$out/bench.txt" | tee -a "$out/summary.txt"
python3 bench/compare.py --device gpu --tf32 --bench build-gpu/bench/bench_model > "$out/bench_tf32.txt" 2>&1
log "bench (tf32): exit $?"; tail -12 "$out/bench_tf32.txt" | tee -a "$out/summary.txt"
(cd build-gpu && ctest -j"$(nproc)" -E "gpu_|slurm" > "../$out/ctest_rest.txt" 2>&1)
log "ctest (the rest): exit $?"; tail -4 "$out/ctest_rest.txt" | tee -a "$out/summary.txt"
