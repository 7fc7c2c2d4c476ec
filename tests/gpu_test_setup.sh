# gpu_test_setup.sh: what the GPU training tests (test_gpu_train.sh, test_gpu_graph.sh)
# share, sourced after their `set -u`: exit 77 ("skipped: no GPU") when $RECUR sees no CUDA
# device; else $gpus (devices it sees), $run_dir (a temporary folder removed at exit),
# mpirun allowed as root and oversubscribed, the counters $passed / $failed and
# check NAME CONDITION (prints ok/FAIL and counts).
if ! "$RECUR" version | grep -Eq "cuda \([1-9][0-9]* device"; then
  echo "skipped: no GPU ($("$RECUR" version | tail -1))"
  exit 77
fi
gpus=$("$RECUR" version | sed -n 's/.*cuda (\([0-9]*\) device.*/\1/p')
run_dir=$(mktemp -d)
trap 'rm -rf "$run_dir"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
passed=0 failed=0
check() { if eval "$2"; then echo "ok   $1"; passed=$((passed+1)); else echo "FAIL $1"; failed=$((failed+1)); fi; }
