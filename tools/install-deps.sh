#!/usr/bin/env bash
# install-deps.sh: installs what recur needs to build and test on Debian 12 / Ubuntu, with
# apt-get (as root, or through sudo). Does nothing when everything is already installed.
# Add --torch to also install Debian's PyTorch and h5py (fixtures, benchmarks).
set -euo pipefail
packages=(build-essential cmake pkg-config libopenblas-dev libhdf5-dev hdf5-tools
          zlib1g-dev libopenmpi-dev openmpi-bin python3 clang slurm-wlm munge)
[[ "${1:-}" == "--torch" ]] && packages+=(python3-torch python3-h5py python3-numpy python3-matplotlib)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

as_root=()
[[ $(id -u) -ne 0 ]] && as_root=(sudo)
echo "install-deps: installing ${missing[*]}" >&2
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
