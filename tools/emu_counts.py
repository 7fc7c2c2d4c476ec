#!/usr/bin/env python3
"""emu_counts.py: what one training step asks of the GPU, from the emulated device's
counting mode (tests/gpu_emulator/emu_counts.cpp).

Run the same training twice on the emulated device with RECUR_EMU_COUNT set, for N and
for M > N steps; the difference divided by M - N is one step, with set-up, the final
evaluation and checkpoint cancelled out. Prints markdown tables: totals (kernel
launches, GEMMs, GEMVs, copies and bytes, memsets, NCCL calls, host synchronisations,
event polls; CUDA graph launches, and what the launched graphs contained, counted as
"in graphs"), then launches by kernel (separate and in graphs) and GEMMs by shape.

    emu_counts.py COUNTS_N COUNTS_M STEPS_N STEPS_M [--label TEXT]
"""
import argparse
import collections


def read(path):
    counts = collections.defaultdict(lambda: [0, 0.0])
    with open(path) as f:
        for line in f:
            kind, key, count, amount = line.rstrip("\n").split("\t")
            counts[(kind, key)][0] += int(count)
            counts[(kind, key)][1] += float(amount)
    return counts


def per_step(a, b, steps):
    out = {}
    for k in set(a) | set(b):
        n = (b[k][0] - a[k][0]) / steps
        amount = (b[k][1] - a[k][1]) / steps
        if n:
            out[k] = (n, amount)
    return out


def fmt(x):
    return f"{x:.0f}" if abs(x - round(x)) < 1e-9 else f"{x:.2f}"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("counts_n")
    p.add_argument("counts_m")
    p.add_argument("steps_n", type=int)
    p.add_argument("steps_m", type=int)
    p.add_argument("--label", default="per training step")
    p.add_argument("--top", type=int, default=12, help="rows of the by-kernel and by-shape tables")
    a = p.parse_args()
    if a.steps_m <= a.steps_n:
        p.error("STEPS_M must be larger than STEPS_N")
    step = per_step(read(a.counts_n), read(a.counts_m), a.steps_m - a.steps_n)

    def total(kind, keys=None):
        rows = [v for (k, key), v in step.items() if k == kind and (keys is None or key in keys)]
        return sum(r[0] for r in rows), sum(r[1] for r in rows)

    def work(prefix, label):
        launches, _ = total(prefix + "launch")
        print(f"| {label}kernel launches | {fmt(launches)} | |")
        gemms, flops = total(prefix + "gemm")
        print(f"| {label}GEMMs (cuBLAS) | {fmt(gemms)} | {flops / 1e9:.1f} GFLOP |")
        gemvs, vflops = total(prefix + "gemv")
        print(f"| {label}GEMVs (cuBLAS) | {fmt(gemvs)} | {vflops / 1e9:.3f} GFLOP |")
        for (kind, key), (n, amount) in sorted(step.items()):
            if kind in (prefix + "copy", prefix + "memset", prefix + "nccl"):
                print(f"| {label}{kind[len(prefix):]} {key} | {fmt(n)} | {amount / 1e6:.3f} MB |")

    print(f"| {a.label} | count | MB or GFLOP |")
    print("| --- | ---: | ---: |")
    work("", "")
    graphs, _ = total("graph")
    if graphs:
        print(f"| graph launches (cudaGraphLaunch) | {fmt(graphs)} | |")
        work("graph ", "in graphs: ")
    syncs, _ = total("sync")
    print(f"| host synchronisations | {fmt(syncs)} | |")
    for (kind, key), (n, _) in sorted(step.items()):
        if kind == "sync":
            print(f"| &nbsp; {key} | {fmt(n)} | |")
    polls, _ = total("query")
    print(f"| event polls (cudaEventQuery) | {fmt(polls)} | |")
    print()
    print("| launches by kernel | per step | in graphs |")
    print("| --- | ---: | ---: |")
    kernels = collections.defaultdict(lambda: [0.0, 0.0])
    for (kind, key), (n, _) in step.items():
        if kind in ("launch", "graph launch"):
            kernels[key][kind != "launch"] += n
    for key, (n, in_graphs) in sorted(kernels.items(), key=lambda kv: (-sum(kv[1]), kv[0])):
        print(f"| {key} | {fmt(n)} | {fmt(in_graphs)} |")
    print()
    print("| GEMMs by shape (cuBLAS column-major: op m n k) | per step | GFLOP |")
    print("| --- | ---: | ---: |")
    shapes = collections.defaultdict(lambda: [0.0, 0.0])
    for (kind, key), (n, amount) in step.items():
        if kind in ("gemm", "graph gemm"):
            shapes[key][0] += n
            shapes[key][1] += amount
    rows = sorted(shapes.items(), key=lambda kv: (-kv[1][0], kv[0]))
    for key, (n, amount) in rows[: a.top]:
        print(f"| {key} | {fmt(n)} | {amount / 1e9:.2f} |")
    if len(rows) > a.top:
        rest = rows[a.top:]
        print(f"| ({len(rest)} more shapes) | {fmt(sum(v[0] for _, v in rest))} | "
              f"{sum(v[1] for _, v in rest) / 1e9:.2f} |")


if __name__ == "__main__":
    main()
