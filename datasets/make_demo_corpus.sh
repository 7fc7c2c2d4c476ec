#!/usr/bin/env bash
# make_demo_corpus.sh: builds the README's demo dataset from this machine's Debian package
# index: each package's one-line description, labelled by its archive section, for the 10
# largest sections. Needs only apt (run `apt-get update` once) and a built recur.
#
#   datasets/make_demo_corpus.sh [OUTPUT.h5] [RECUR]     (default build/demo.h5, build/recur)
#
# Deterministic for the same package index: packages are de-duplicated by name and sorted;
# valid and test (10% each) are carved from them by recur prep with a fixed seed. The CSV
# it converts is kept beside the output (OUTPUT with .csv) for a look with any tool.
set -euo pipefail
out=${1:-build/demo.h5}
recur=${2:-build/recur}
csv=${out%.h5}.csv
export LC_ALL=C

[[ -x "$recur" ]] || { echo "make_demo_corpus: $recur is not built (cmake --build build)" >&2; exit 2; }
mkdir -p "$(dirname "$out")"
tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.all"' EXIT

# An image with empty apt lists (Docker) gets them once, as tools/install-deps.sh would.
if [[ $(apt-cache dumpavail 2>/dev/null | grep -c '^Package:') -lt 1000 ]]; then
  echo "make_demo_corpus: the apt package index is empty; running apt-get update" >&2
  as_root=()
  [[ $(id -u) -ne 0 ]] && as_root=(sudo)
  "${as_root[@]}" apt-get update -qq || true
fi

# Package, section (without its archive area: contrib/net -> net), description; one per package.
apt-cache dumpavail | awk '
  /^Package: /     { pkg = substr($0, 10) }
  /^Section: /     { sec = substr($0, 10); sub(/.*\//, "", sec) }
  /^Description: / { desc = substr($0, 14) }
  /^$/ { if (pkg != "" && sec != "" && desc != "") print pkg "\t" sec "\t" desc; pkg = sec = desc = "" }
  END  { if (pkg != "" && sec != "" && desc != "") print pkg "\t" sec "\t" desc }' |
  sort -t $'\t' -k1,1 -u >"$tmp.all"
count=$(wc -l <"$tmp.all")
if [[ $count -lt 1000 ]]; then
  echo "make_demo_corpus: the package index has only $count packages; run apt-get update first" >&2
  exit 2
fi

# The 10 largest sections (ties by name).
cut -f2 "$tmp.all" | sort | uniq -c | sort -k1,1nr -k2,2 | head -n 10 | awk '{print $2}' >"$tmp"

# section,description as RFC 4180 CSV (quotes doubled), in package-name order.
{
  echo "section,description"
  awk -F '\t' 'NR == FNR { keep[$1] = 1; next }
               ($2 in keep) { d = $3; gsub(/"/, "\"\"", d); print $2 ",\"" d "\"" }' "$tmp" "$tmp.all"
} >"$csv"
echo "make_demo_corpus: $(($(wc -l <"$csv") - 1)) package descriptions in 10 sections: $(paste -sd ' ' "$tmp")"

"$recur" prep text-csv --train="$csv" --output="$out" --header=1 --label_column=section \
  --text_columns=description --valid_fraction=0.1 --test_fraction=0.1 --split_seed=1 --min_freq=2
