#!/usr/bin/env bash
# shellcheck disable=SC1091  # sources env.sh, which it writes itself
# gpu_bundle.sh: build recur's GPU binaries HERE (no GPU needed) and pack them, with every
# shared library they load that a bare device machine may lack, for tools/gpu_checks.sh.
#   1. release build for sm_90 (H100/H200) in build-devchk: recur, tests/test_gpu_model,
#      tests/compare_checkpoints, bench/bench_model (ARCH=NN to build another architecture)
#   2. build-devchk-bundle/: bin/ (the four, stripped), lib/ (their non-system libraries:
#      HDF5, OpenBLAS, Open MPI, libcudart and their deps, found with ldd), ompi/ and pmix/
#      (Open MPI's plugins, help files, mpirun and orted, relocated with OPAL_PREFIX and
#      PMIX_PREFIX), env.sh (source it to use the bundle) and INFO.txt
#   3. build-devchk-carry/gpu_bundle.tar.xz: the same, compressed, for the device tool's
#      `carry` (gpu_checks.sh unpacks it); must stay under 60 MiB.
# Not bundled (too large, and on any CUDA machine): libcuda (the driver), cuBLAS/cuBLASLt and
# NCCL; gpu_checks.sh finds them there (CUDA toolkit or PyTorch's nvidia-* packages). Nor
# glibc, libstdc++, libgcc_s: the device's are newer than the build machine's.
# Both output folders match .gitignore's /build*/, so nothing here shows in git status.
# Usage: tools/gpu_bundle.sh   (env: ARCH=90, BUILD_DIR=build-devchk, JOBS=nproc; SKIP_BUILD=1
#        packs BUILD_DIR as it is)
set -euo pipefail
cd "$(dirname "$0")/.."
arch=${ARCH:-90}
build=${BUILD_DIR:-build-devchk}
stage="build-devchk-bundle"
carry="build-devchk-carry"
jobs=${JOBS:-$(nproc)}
limit_mib=60

if [ "${SKIP_BUILD:-0}" = 1 ]; then
  echo "== SKIP_BUILD=1: packing the existing $build"
else
  echo "== configure + build ($build, sm_$arch, Release)"
  mkdir -p "$build"
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DRECUR_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES="$arch" \
    > "$build/cmake.log" 2>&1 || { tail -20 "$build/cmake.log"; echo "gpu_bundle: cmake failed ($build/cmake.log)"; exit 1; }
  cmake --build "$build" -j"$jobs" --target recur test_gpu_model compare_checkpoints bench_model \
    > "$build/build.log" 2>&1 || { tail -30 "$build/build.log"; echo "gpu_bundle: build failed ($build/build.log)"; exit 1; }
  grep -q "RECUR_HAVE_GPU:INTERNAL=ON\|GPU backend ON" "$build/cmake.log" "$build/CMakeCache.txt" ||
    { echo "gpu_bundle: the GPU backend is OFF in $build"; exit 1; }
fi

arch=$(sed -n 's/^CMAKE_CUDA_ARCHITECTURES:[A-Z]*=//p' "$build/CMakeCache.txt")
echo "== assemble $stage (CUDA architectures: $arch)"
rm -rf "$stage" "$carry"
mkdir -p "$stage/bin" "$stage/lib" "$carry"
bins=(recur tests/test_gpu_model tests/compare_checkpoints bench/bench_model)
for b in "${bins[@]}"; do
  cp "$build/$b" "$stage/bin/"
  strip "$stage/bin/$(basename "$b")"
done

# Libraries every Linux machine with a CUDA driver has (glibc, the C++ runtime, the driver) or
# that are too large to carry (cuBLAS, NCCL: the device has them in its toolkit or PyTorch).
system_re='^(linux-vdso|ld-linux|libc\.so|libm\.so|libmvec|libdl\.so|libpthread\.so|librt\.so|libresolv\.so|libutil\.so|libanl\.so|libnsl\.so|libstdc\+\+\.so|libgcc_s\.so|libcuda\.so|libnvidia-|libcublas|libcublasLt|libnccl|libcudadevrt)'
missing=0
# add_deps FILE...: copy every non-system library FILE loads (transitively: ldd) into lib/.
add_deps() {
  local f name arrow path rest
  for f in "$@"; do
    while read -r name arrow path rest; do
      [ "$arrow" = "=>" ] || continue
      [[ $name =~ $system_re ]] && continue
      if [ "$path" = "not" ]; then echo "gpu_bundle: $f: $name not found"; missing=1; continue; fi
      [ -e "$stage/lib/$name" ] || cp -L "$path" "$stage/lib/$name"
    done < <(ldd "$f")
  done
}
add_deps "$stage"/bin/*

# Open MPI (recur calls MPI_Init even on one rank): plugins, help files, mpirun, orted, laid
# out as under its prefix so OPAL_PREFIX relocates it. Plugins for fabrics a one-node run
# never uses (UCX, libfabric, verbs, PSM) and OpenSHMEM are left out.
ompi_path() { ompi_info --path "$1" 2>/dev/null | awk -F': *' 'NR==1 {print $2}'; }
if command -v ompi_info > /dev/null; then
  prefix=$(ompi_path prefix); pkglib=$(ompi_path pkglibdir); pkgdata=$(ompi_path pkgdatadir)
  o="$stage/ompi"
  mkdir -p "$o/${pkglib#"$prefix"/}" "$o/${pkgdata#"$prefix"/}" "$o/bin"
  skip_re='libuc[mpst]\.so|libfabric|libibverbs|librdmacm|libpsm|libinfinipath|libefa|liboshmem|not found'
  kept=0 dropped=0
  for p in "$pkglib"/mca_*.so; do
    deps=$(ldd "$p" 2>&1)  # (not piped into grep -q: under pipefail its early exit fails ldd)
    if grep -Eq "$skip_re" <<< "$deps"; then dropped=$((dropped + 1)); continue; fi
    cp "$p" "$o/${pkglib#"$prefix"/}/"; kept=$((kept + 1))
  done
  add_deps "$o/${pkglib#"$prefix"/}"/*.so
  cp -r "$pkgdata"/. "$o/${pkgdata#"$prefix"/}/"
  orterun=$(readlink -f "$(command -v mpirun)")
  cp "$orterun" "$o/bin/orterun"
  ln -sf orterun "$o/bin/mpirun"; ln -sf orterun "$o/bin/mpiexec"
  orted=$(command -v orted || true)
  [ -n "$orted" ] && cp "$orted" "$o/bin/orted"
  add_deps "$o"/bin/orte*
  echo "Open MPI $(ompi_info --version 2>/dev/null | head -1 | awk '{print $NF}'): $kept plugins kept, $dropped (fabrics, OpenSHMEM) left out"
  # PMIx (mpirun's launch protocol), relocated with PMIX_PREFIX.
  if [ -e "$stage/lib/libpmix.so.2" ]; then
    pmix_lib=$(readlink -f "$(ldd "$o/${pkglib#"$prefix"/}"/mca_pmix_*.so | awk '$1 == "libpmix.so.2" {print $3; exit}')")
    pmix_prefix=$(dirname "$(dirname "$pmix_lib")")
    mkdir -p "$stage/pmix/lib"
    [ -d "$pmix_prefix/lib/pmix" ] && cp -r "$pmix_prefix/lib/pmix" "$stage/pmix/lib/"
    [ -d "$pmix_prefix/share" ] && cp -r "$pmix_prefix/share" "$stage/pmix/"
    [ -d "$stage/pmix/lib/pmix" ] && add_deps "$stage"/pmix/lib/pmix/*.so
  fi
else
  echo "gpu_bundle: no ompi_info here: the bundle carries libmpi but not Open MPI's plugins"
fi
[ "$missing" = 0 ] || { echo "gpu_bundle: unresolved libraries (above)"; exit 1; }

cat > "$stage/env.sh" << 'EOF'
# Source this to run the bundle's binaries: its libraries first, its Open MPI relocated.
_b=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export LD_LIBRARY_PATH="$_b/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export PATH="$_b/bin:$_b/ompi/bin:$PATH"
export OPAL_PREFIX="$_b/ompi" PMIX_PREFIX="$_b/pmix"
# Debian's PMIx keeps absolute plugin and help-file dirs, which PMIX_PREFIX does not move.
export PMIX_PKGLIBDIR="$_b/pmix/lib/pmix" PMIX_PKGDATADIR="$_b/pmix/share/pmix"
export PMIX_MCA_mca_base_component_show_load_errors=0
export OMPI_MCA_mca_base_component_show_load_errors=0 OMPI_MCA_btl_base_warn_component_unused=0
unset _b
EOF

{
  echo "recur GPU bundle: built $(date -u +%FT%TZ) on $(hostname) from $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo ' + local changes')"
  echo "cuda_arch=$arch"
  echo "nvcc: $(nvcc --version | tail -1)"
  echo "glibc: $(ldd --version | head -1)"
  echo "recur: $(LD_LIBRARY_PATH="$stage/lib" "$stage/bin/recur" version 2>&1 | head -1)"
  echo "needs from the machine: libcuda.so.1 (driver), libcublas.so.13, libcublasLt.so.13, libnccl.so.2, glibc >= this one, libstdc++"
  (cd "$stage" && find . -type f -printf '%s %p\n' | sort -k2)
} > "$stage/INFO.txt"

echo "== check: the bundle's binaries start with only its libraries"

(. "$stage/env.sh"; "$stage/bin/recur" version) || { echo "gpu_bundle: bin/recur does not start"; exit 1; }
# ...and every library they load resolves inside the bundle, or is one the machine provides.
leaks=$(. "$stage/env.sh"; for f in "$stage"/bin/* "$stage"/ompi/bin/orterun; do ldd "$f"; done |
        awk -v re="$system_re" -v lib="$(cd "$stage/lib" && pwd)/" '$2 == "=>" && $1 !~ re && index($3, lib) != 1 {print $1, $3}' | sort -u)
[ -z "$leaks" ] || { echo "gpu_bundle: loaded from outside the bundle: $leaks"; exit 1; }

echo "== pack $carry/gpu_bundle.tar.xz"
tar -C "$stage" -cf - . | xz -T0 -6 > "$carry/gpu_bundle.tar.xz"
dir_b=$(du -sb "$stage" | cut -f1); tar_b=$(stat -c %s "$carry/gpu_bundle.tar.xz")
awk -v s="$stage" -v n="$(find "$stage" -type f | wc -l)" -v d="$dir_b" -v c="$carry/gpu_bundle.tar.xz" -v t="$tar_b" \
  'BEGIN { printf "bundle: %s (%d files, %.1f MiB unpacked); carried: %s (%.1f MiB)\n", s, n, d / 1048576, c, t / 1048576 }'
if [ "$tar_b" -ge $((limit_mib * 1048576)) ]; then echo "gpu_bundle: $carry is over $limit_mib MiB"; exit 1; fi
echo "device run: carry [\"$carry\"], command: tools/gpu_checks.sh \$OUT"
