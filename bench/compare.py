#!/usr/bin/env python3
"""compare.py: recur vs PyTorch on this machine's CPU or GPU, side by side, in one run.

For each model config it runs bench/bench_model (recur, C + OpenBLAS) and then
bench/torch_model.py (tools/recur_torch.py on PyTorch) with the same config, threads,
T, B, lengths, data and initial weights, and prints a table: median ms per iteration of
zero-grad + forward + loss + backward for each, and the ratio PyTorch / recur (> 1 means
recur is faster), with the machine it ran on.

    /usr/bin/python3 bench/compare.py [--device cpu|gpu] [--tf32] [--bench build/bench/bench_model] [--threads N]
        [--only NAME ...] [--iters N] [--warmup N] [--torch-pack auto|always]
        [--torch-env KEY=VALUE ...] [--json-out FILE] [--python PY]

Run it with a Python that has torch (Debian's /usr/bin/python3 here); the PyTorch side
runs under the same interpreter unless --python says otherwise. The recur side prints
its full resolved config and the PyTorch side is given exactly that, so recur's own
defaults decide every key a config below leaves out. Timings vary with machine load: the
load average before and after is printed with the table. No assertion is made on speed.

--device gpu runs the GPU rows instead (issue 6's AG News model: embedding 512, 3 layers of
512, batch 128, T = 64 and 128, GRU, LSTM and tanh RNN, float32) as full training steps
(forward, backward, Adam) on the GPU: recur's CUDA backend against PyTorch's nn.GRU/LSTM/RNN
(cuDNN), TF32 off on both sides unless --tf32. It also prints the step's matrix-product FLOPs
and the fraction of the GPU's float32 and TF32 peak each side reaches.

On the CPU it prints the step's matrix-product FLOPs, each side's GFLOP/s and its share of
the SGEMM peak that bench_model measured in its own process (OpenBLAS, same threads; the
best over the run's rows), and the SGEMM rate at the recurrent product's shape. The best
rate of a run against a median step is a lopsided yardstick on a shared machine whose
speed drifts by tens of percent within seconds, so it also prints recur's share of the
paired SGEMM: one 1024^3 OpenBLAS product timed right after each of recur's steps, the
step's FLOPs over the work that product rate does in the step's time, median over the
steps (and the median paired rate beside it). FLOPs count
all T*B rows (ragged rows therefore overstate the work). `--only steps` runs issue 17's
full-step rows (step_*: forward, backward, Adam; fixed lengths).
"""
import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# name -> (bench_model keys). Text configs use ragged lengths (uniform in [T/2, T]) as
# real token data has; the dense regression uses fixed windows, as time series do.
TEXT = dict(vocab_size=5000, input_size=64, batch_size=32, seq_len=50, ragged=1,
            num_layers=1, bidirectional=0, dropout=0, head_hidden=0, pooling="last",
            loss="cross_entropy", output_size=2)
CONFIGS = {
    "lstm_h128": dict(TEXT, cell="lstm", hidden_size=128),
    "lstm_h256_l2_bi_t100": dict(TEXT, cell="lstm", hidden_size=256, num_layers=2,
                                 bidirectional=1, seq_len=100, iters=10),
    "gru_h128": dict(TEXT, cell="gru", hidden_size=128),
    "rnn_tanh_h128": dict(TEXT, cell="rnn_tanh", hidden_size=128),
    "tag_bilstm_h128": dict(TEXT, cell="lstm", hidden_size=128, bidirectional=1,
                            pooling="none", output_size=10),
    "regress_dense_lstm_h128": dict(cell="lstm", vocab_size=0, input_size=8, hidden_size=128,
                                    num_layers=1, bidirectional=0, dropout=0, head_hidden=0,
                                    pooling="last", loss="mse", output_size=1, batch_size=32,
                                    seq_len=120, ragged=0),
}
# Issue 17's rows: full training steps (forward, backward, Adam), fixed lengths, small
# (E 64, H 64, 1 layer, B 32, T 32) and mid size (E 128, H 128, 2 layers, B 64, T 48).
STEP = dict(TEXT, ragged=0, full_step=1, optimizer="adam", lr=1e-3, clip_norm=0)
for _cell in ("gru", "lstm", "rnn_tanh"):
    CONFIGS[f"step_{_cell}_small"] = dict(STEP, cell=_cell, input_size=64, hidden_size=64,
                                         batch_size=32, seq_len=32)
    CONFIGS[f"step_{_cell}_mid"] = dict(STEP, cell=_cell, input_size=128, hidden_size=128,
                                       num_layers=2, batch_size=64, seq_len=48)
STEP_ROWS = [n for n in CONFIGS if n.startswith("step_")]
# GPU rows: the AG News model of issue 6, full training steps with Adam.
AG_NEWS_GPU = dict(vocab_size=30000, input_size=512, hidden_size=512, num_layers=3, bidirectional=0,
                   dropout=0, head_hidden=0, pooling="last", loss="cross_entropy", output_size=4,
                   batch_size=128, ragged=0, full_step=1, optimizer="adam", lr=1e-3, clip_norm=0,
                   device="gpu", iters=50, warmup=10)
GPU_CONFIGS = {f"agnews_{cell}_t{T}": dict(AG_NEWS_GPU, cell=cell, seq_len=T)
               for cell in ("gru", "lstm", "rnn_tanh") for T in (64, 128)}
# Issue 13's two other GPU rows: the 2-layer BiLSTM tagger (embedding 100, hidden 128,
# batch 64, T 40, a tag per token) and the 25-layer LSTM of hidden 8 (batch 1000, T 200).
GPU_CONFIGS["tagger_bilstm_t40"] = dict(AG_NEWS_GPU, cell="lstm", vocab_size=20000, input_size=100,
                                        hidden_size=128, num_layers=2, bidirectional=1,
                                        pooling="none", output_size=17, batch_size=64, seq_len=40)
GPU_CONFIGS["deep_lstm_l25_h8_t200"] = dict(AG_NEWS_GPU, cell="lstm", vocab_size=0, input_size=8,
                                            hidden_size=8, num_layers=25, pooling="last", loss="mse",
                                            output_size=1, batch_size=1000, seq_len=200, iters=20,
                                            warmup=5)
GATES = {"rnn_tanh": 1, "rnn_relu": 1, "lstm": 4, "gru": 3, "gru_textbook": 3}
# Dense peak TFLOP/s (float32 CUDA cores, TF32 tensor cores) from NVIDIA's H100 datasheet.
PEAKS = {"H100 PCIe": (51.2, 378.0), "H100": (66.9, 494.7), "H200": (66.9, 494.7)}


def step_gflop(c):
    """Matrix-product FLOPs of one training step: per layer and direction the forward GEMMs
    2*T*B*G*H*(I + H), and twice that in backward (input and weight gradients)."""
    T, B, H, G = c["seq_len"], c["batch_size"], c["hidden_size"], GATES[c["cell"]]
    dirs, total = 1 + c["bidirectional"], 0.0
    for layer in range(c["num_layers"]):
        I = c["input_size"] if layer == 0 else H * dirs
        total += dirs * 3 * 2.0 * T * B * G * H * (I + H)
    return total / 1e9


def cpu_columns(hdr, rows, results, clock):
    """Adds GFLOP per step, the SGEMM rates bench_model measured in its own process (same
    OpenBLAS, same threads), and each side's GFLOP/s with its share of the SGEMM peak
    (the best large-SGEMM rate of the run), by wall or by CPU time."""
    cpu = clock == "cpu"
    peak = max(rec["sgemm_peak_cpu_gflops" if cpu else "sgemm_peak_gflops"] for _, rec, _ in results)
    key = "cpu_median_ms" if cpu else "median_ms"
    hdr = hdr + ("GFLOP/step", "SGEMM step shape GFLOP/s", "recur GFLOP/s (% peak)",
                 "PyTorch GFLOP/s (% peak)", "recur % of paired SGEMM")
    out = []
    for row, (_, rec, tor) in zip(rows, results):
        g = step_gflop(rec["config"])

        def rate(ms):
            return f"{g / ms * 1e3:.1f} ({100 * g / ms * 1e3 / peak:.0f} %)"
        # The step's FLOPs over the matrix work OpenBLAS did in the step's time, measured
        # right after each step (bench_model's paired probe; wall time): median over steps.
        equiv = rec.get("sgemm_paired_equiv_gflop")
        paired = f"{100 * g / equiv:.0f} % (of {rec['sgemm_paired_gflops']:.1f})" if equiv else "n/a"
        out.append(row + (f"{g:.3f}", f"{rec['sgemm_step_gflops']:.1f}", rate(rec[key]), rate(tor[key]), paired))
    if any("threads_vs_1" in rec for _, rec, _ in results):
        multi = any(len(rec.get("threads_vs_1", {}).get("rounds", [])) > 1 for _, rec, _ in results)
        hdr = hdr + ("recur N vs 1 thread (CPUs used" + (", rounds' range)" if multi else ")"),)
        out = [row + (threads_vs_1(rec),) for row, (_, rec, _) in zip(out, results)]
    return hdr, out, peak


def threads_vs_1(rec):
    """recur's 1-thread median over its N-thread median, alternated in one process, and the
    CPUs its N-thread iterations got (CPU time over wall: under N, the machine's host or
    other work took the rest, and the ratio says little about recur)."""
    t = rec.get("threads_vs_1")
    if not t:
        return "n/a"
    spread = f", {t['rounds'][0]:.2f}-{t['rounds'][-1]:.2f}" if len(t.get("rounds", [])) > 1 else ""
    return (f"{t['alt_b_median_ms'] / t['alt_a_median_ms']:.2f} "
            f"({t['alt_a_cpu_median_ms'] / t['alt_a_median_ms']:.1f}{spread})")


def peak_of(gpu_name):
    for key in sorted(PEAKS, key=len, reverse=True):
        if gpu_name and key in gpu_name:
            return PEAKS[key]
    return None


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "n/a"


def cpu_ticks():
    """(all ticks, steal ticks) of /proc/stat's cpu line, or None: steal is the time a
    virtual machine's host ran something else while a vCPU wanted to run."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:9]]
        return sum(v), v[7]
    except (OSError, ValueError, IndexError):
        return None


def steal_share(before, after):
    if not before or not after or after[0] <= before[0]:
        return "n/a"
    return f"{100 * (after[1] - before[1]) / (after[0] - before[0]):.1f} %"


def run_json(cmd, env):
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        sys.stderr.write(p.stderr)
        sys.exit(f"compare.py: failed (exit {p.returncode}): {' '.join(cmd)}")
    lines = [l for l in p.stdout.splitlines() if l.startswith("{")]
    if not lines:
        sys.exit(f"compare.py: no JSON line from: {' '.join(cmd)}\n{p.stdout}{p.stderr}")
    out = json.loads(lines[-1])
    out["wall_s"] = round(time.monotonic() - t0, 2)
    if p.stderr.strip():
        sys.stderr.write(p.stderr)
    return out


def median_round(rounds, ratio):
    """The round whose ratio(round) is the median of the rounds' (the lower middle one for an
    even count), and every round's ratio, sorted and rounded."""
    ordered = sorted(rounds, key=ratio)
    return ordered[(len(ordered) - 1) // 2], [round(ratio(r), 3) for r in ordered]


def kv_args(d):
    return [f"--{k}={v}" for k, v in d.items()]


def gpu_columns(hdr, rows, results, peak):
    """Adds GFLOP per step and each side's share of the float32 and TF32 peak."""
    hdr = hdr + ("GFLOP/step", "recur % fp32 / tf32 peak", "PyTorch % fp32 / tf32 peak")
    out = []
    for row, (_, rec, tor) in zip(rows, results):
        g = step_gflop(rec["config"])

        def share(ms):
            if not peak:
                return "n/a (unknown GPU)"
            tflops = g / ms  # GFLOP per ms = TFLOP/s
            return f"{100 * tflops / peak[0]:.1f} / {100 * tflops / peak[1]:.1f}"
        out.append(row + (f"{g:.1f}", share(rec["median_ms"]), share(tor["median_ms"])))
    return hdr, out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bench", default=None, help="bench_model binary (default: build/bench/bench_model)")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                    help="OpenBLAS threads for recur, torch.set_num_threads for PyTorch (default: cores)")
    ap.add_argument("--device", choices=("cpu", "gpu"), default="cpu",
                    help="cpu: the CPU rows; gpu: the GPU rows (AG News model, full steps with Adam)")
    ap.add_argument("--tf32", action="store_true", help="GPU: let both sides use TF32 tensor cores")
    ap.add_argument("--gpu-recurrence", choices=("persistent", "steps"), default="persistent",
                    help="GPU: recur's time loop (the gpu_recurrence key): persistent kernels or the step loop")
    ap.add_argument("--only", nargs="+", choices=list(CONFIGS) + list(GPU_CONFIGS) + ["steps"],
                    help="run only these configs ('steps': issue 17's full-step rows)")
    ap.add_argument("--iters", type=int, help="timed iterations for every config (default: per config, 20 or 10)")
    ap.add_argument("--warmup", type=int, help="untimed iterations first (default 3)")
    ap.add_argument("--python", default=sys.executable, help="interpreter with torch for the PyTorch side")
    ap.add_argument("--torch-pack", choices=("auto", "always"), default="auto",
                    help="auto: PyTorch skips pack_padded_sequence when no sample is shorter "
                         "than T; always: tools/recur_torch.py as written (default auto)")
    ap.add_argument("--torch-env", nargs="+", default=[], metavar="KEY=VALUE",
                    help="extra environment for the PyTorch side only (e.g. OMP_WAIT_POLICY=PASSIVE)")
    ap.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                    help="wall: wall time (default); cpu: the process's CPU time (all its threads), "
                         "which other processes' load does not inflate; only comparable with --threads 1")
    ap.add_argument("--rounds", type=int, default=1,
                    help="run each row's pair (recur, PyTorch) this many times, interleaved, and report "
                         "the round with the median ratio, with the range of the rounds' ratios: on a "
                         "host whose speed drifts, one pair is luck (default 1)")
    ap.add_argument("--json-out", help="also write every raw JSON result here, one per line")
    a = ap.parse_args()

    bench = a.bench or os.path.join(ROOT, "build", "bench", "bench_model")
    if not os.access(bench, os.X_OK):
        sys.exit(f"compare.py: {bench} not found; build it: cmake -S . -B build && cmake --build build -j2")
    torch_script = os.path.join(HERE, "torch_model.py")
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(a.threads), OMP_NUM_THREADS=str(a.threads))
    # recur keeps OpenBLAS on one thread (core/blas.c), but OpenBLAS starts its workers at load
    # and they spin ~0.1 s (and again after each of bench_model's N-thread SGEMM probes) on
    # the cores recur's threads then want: a short row's whole run, counted as recur's CPU
    # time. 2^4 cycles instead of OpenBLAS's 2^28 puts them to sleep at once.
    recur_env = dict(env, OPENBLAS_THREAD_TIMEOUT=env.get("OPENBLAS_THREAD_TIMEOUT", "4"))

    torch_env = dict(env)
    for kv in a.torch_env:
        if "=" not in kv:
            sys.exit(f"compare.py: --torch-env {kv}: expected KEY=VALUE")
        k, v = kv.split("=", 1)
        torch_env[k] = v

    table = GPU_CONFIGS if a.device == "gpu" else CONFIGS
    names = a.only or list(table)
    names = [m for n in names for m in (STEP_ROWS if n == "steps" else [n])]
    load_before, t_start, ticks_before = loadavg(), time.monotonic(), cpu_ticks()
    results = []
    tkey = "cpu_median_ms" if a.clock == "cpu" else "median_ms"
    for name in names:
        keys = dict(iters=20, warmup=3)
        keys.update(table[name])
        if a.device == "gpu":
            keys["tf32"] = int(a.tf32)
            keys["gpu_recurrence"] = a.gpu_recurrence
        if a.iters is not None:
            keys["iters"] = a.iters
        if a.warmup is not None:
            keys["warmup"] = a.warmup
        keys["threads"] = a.threads
        pairs = []
        for r in range(max(1, a.rounds)):
            tag = f" (round {r + 1} of {a.rounds})" if a.rounds > 1 else ""
            print(f"[{name}] recur{tag} ...", file=sys.stderr, flush=True)
            rec = run_json([bench] + kv_args(keys), recur_env)
            # The PyTorch side gets recur's full resolved config, defaults included.
            print(f"[{name}] pytorch{tag} ...", file=sys.stderr, flush=True)
            tor = run_json([a.python, torch_script] + kv_args(rec["config"]) + [f"--pack={a.torch_pack}"],
                           torch_env)
            pairs.append((rec, tor))
        (rec, tor), ratios = median_round(pairs, lambda p: p[1][tkey] / p[0][tkey])
        if len(pairs) > 1:
            rec["ratio_rounds"] = ratios
        if a.device == "cpu" and a.threads > 1:
            # recur's own N threads against 1, iteration by iteration in one process, once
            # per round: the round with the median ratio, and the rounds' range.
            alts = []
            for r in range(max(1, a.rounds)):
                print(f"[{name}] recur {a.threads} vs 1 thread ...", file=sys.stderr, flush=True)
                alt = run_json([bench] + kv_args(dict(keys, iters=2 * keys["iters"], probe=0))
                               + ["--alternate=threads"], recur_env)
                alts.append({k: alt[k] for k in alt if k.startswith("alt_")})
            alt, gains = median_round(alts, lambda t: t["alt_b_median_ms"] / t["alt_a_median_ms"])
            rec["threads_vs_1"] = dict(alt, rounds=gains)
        rec["name"] = tor["name"] = name
        results.append((name, rec, tor))
    wall = time.monotonic() - t_start

    if a.json_out:
        with open(a.json_out, "w") as f:
            for _, rec, tor in results:
                f.write(json.dumps(rec) + "\n" + json.dumps(tor) + "\n")

    sys.stdout.flush()
    rec0, tor0 = results[0][1], results[0][2]
    blas = re.sub(r"\s+", " ", rec0.get("blas", "?"))
    print(f"machine: {cpu_model()}, {os.cpu_count()} cores; threads {a.threads} "
          f"(recur OpenBLAS threads {rec0.get('blas_threads')}, torch threads {tor0.get('torch_threads')})")
    print(f"recur: {rec0['precision']}, {blas}")
    print(f"pytorch: {tor0['torch']} (tools/recur_torch.py; pack={a.torch_pack}"
          f"{'; env ' + ' '.join(a.torch_env) if a.torch_env else ''}), Python {platform.python_version()}")
    print(f"load average before: {load_before}; after: {loadavg()}; total wall {wall:.0f} s; "
          f"host steal during the run: {steal_share(ticks_before, cpu_ticks())} of CPU time")
    if a.device == "gpu":
        print(f"GPU: {tor0.get('gpu')}, cuDNN {tor0.get('cudnn')}; TF32 {'on' if a.tf32 else 'off'} on both sides")
        print("per iteration = zero grads + forward + loss + backward + Adam, on the GPU, waited for; "
              "median (min) ms")
    else:
        print("per iteration = zero grads + forward + loss + backward (+ Adam on step_* rows), "
              + ("median (min) wall ms" if a.clock == "wall" else "median CPU ms (process time)")
              + " over the timed iterations")
    print()
    hdr = ("config", "cell", "H", "L", "dirs", "T", "B", "ragged", "iters",
           "torch packed", "recur ms", "PyTorch ms", "ratio", "loss rel diff")
    rows = []
    for name, rec, tor in results:
        c = rec["config"]
        if rec["lengths_sum"] != tor["lengths_sum"]:
            sys.exit(f"compare.py: {name}: lengths differ between the two sides")
        lr, lt = rec["first_loss"], tor["first_loss"]
        if tor.get("same_init_as_recur") and c["dropout"] == 0 and c["head_dropout"] == 0:
            diff = f"{abs(lr - lt) / max(abs(lr), 1e-30):.1e}"
        else:
            diff = "n/a"
        rows.append((name, c["cell"], str(c["hidden_size"]), str(c["num_layers"]),
                     str(1 + c["bidirectional"]), str(c["seq_len"]), str(c["batch_size"]),
                     str(c["ragged"]), str(c["iters"]), "yes" if tor["packed"] else "no",
                     f"{rec['median_ms']:.2f} ({rec['min_ms']:.2f})" if a.clock == "wall" else f"{rec['cpu_median_ms']:.2f}",
                     f"{tor['median_ms']:.2f} ({tor['min_ms']:.2f})" if a.clock == "wall" else f"{tor['cpu_median_ms']:.2f}",
                     f"{tor[tkey] / rec[tkey]:.2f}" + (f" ({rec['ratio_rounds'][0]:.2f}-{rec['ratio_rounds'][-1]:.2f})"
                                                      if "ratio_rounds" in rec else ""), diff))
    if a.device == "gpu":
        hdr, rows = gpu_columns(hdr, rows, results, peak_of(tor0.get("gpu")))
    else:
        hdr, rows, peak = cpu_columns(hdr, rows, results, a.clock)
        print(f"SGEMM peak (OpenBLAS, 1024^3, {a.threads} threads, best in this run, {a.clock} time): "
              f"{peak:.1f} GFLOP/s; recur's packed kernel: {rec0.get('cpu_kernel')}")
        print()
    width = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(hdr)]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(hdr, width)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in width) + "|")
    for r in rows:
        print("| " + " | ".join(v.ljust(w) for v, w in zip(r, width)) + " |")
    print()
    print("ratio = PyTorch median / recur median (> 1: recur faster)"
          + (f"; each row is the round (of {a.rounds}, interleaved) with the median ratio, the range of "
             "the rounds' ratios in brackets" if a.rounds > 1 else "")
          + ". loss rel diff: first loss of the two sides from the same weights and data (a check "
          "they time the same model).")


if __name__ == "__main__":
    main()
