#!/usr/bin/env python3
"""torch_model.py: the PyTorch side of bench/bench_model.c — times one training step's
worth of model work (zero grads, forward, loss, backward; with full_step=1 also
clip_grad_norm_ and the optimizer step) on the CPU or (device=gpu) CUDA, where
nn.GRU/LSTM/RNN run cuDNN, for one model config, and prints the same JSON line as
bench_model.

    /usr/bin/python3 bench/torch_model.py --KEY=VALUE ...

Keys are bench_model's: seq_len, iters, warmup, ragged, and the recur config keys of the
model (cell, vocab_size, input_size, hidden_size, num_layers, bidirectional, dropout,
pooling, head_hidden, head_dropout, output_size, loss, ignore_index, huber_delta) plus
batch_size, threads and seed; and one of its own, pack: `auto` (default) runs
tools/recur_torch.py as written, which, as a PyTorch user would, skips
pack_padded_sequence when no sample is padded (the same arithmetic); `always` packs every
batch. profile=1 adds one untimed step under torch.autograd.profiler and prints its
top operators to stderr. This script does not know recur's defaults, so every model
key must be given; bench/compare.py passes the full config that bench_model printed.

The model comes from tools/recur_torch.py (build_model / compute_loss). Tokens, features,
labels, targets, lengths and the initial weights are drawn with a port of src/core/rng.c
from the same (seed, stream, index) as bench_model, so the first loss of both sides agrees
when dropout is 0. This file measures; it holds no model code and asserts nothing about
speed.
"""
import json
import os
import statistics
import sys
import time

MODEL_KEYS = {
    "cell": str, "vocab_size": int, "input_size": int, "hidden_size": int, "num_layers": int,
    "bidirectional": int, "dropout": float, "pooling": str, "head_hidden": int,
    "head_dropout": float, "output_size": int, "loss": str, "ignore_index": int,
    "huber_delta": float,
}
OTHER_KEYS = {"batch_size": int, "threads": int, "seed": int, "seq_len": int, "iters": int,
              "warmup": int, "ragged": int, "pack": str, "profile": int, "full_step": int,
              "optimizer": str, "lr": float, "clip_norm": float, "device": str, "tf32": int}
OPTIMIZERS = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSprop",
              "adadelta": "Adadelta", "adagrad": "Adagrad"}
# Streams of the synthetic data: the same numbers as bench/bench_model.c.
S_LENGTHS, S_TOKENS, S_FEATURES, S_LABELS, S_TARGETS = 1001, 1002, 1003, 1004, 1005


def parse_args(argv):
    vals = {"seq_len": 50, "iters": 20, "warmup": 3, "ragged": 0, "threads": 0, "seed": 1,
            "pack": "auto", "profile": 0, "full_step": 0, "optimizer": "adam", "lr": 1e-3,
            "clip_norm": 0.0, "device": "cpu", "tf32": 0}
    for a in argv:
        if a in ("-h", "--help"):
            print(__doc__)
            sys.exit(0)
        if not a.startswith("--") or "=" not in a:
            sys.exit(f"torch_model.py: argument '{a}': expected --key=value")
        key, v = a[2:].split("=", 1)
        kind = MODEL_KEYS.get(key) or OTHER_KEYS.get(key)
        if kind is None:
            sys.exit(f"torch_model.py: unknown key '{key}'")
        try:
            vals[key] = kind(v)
        except ValueError:
            sys.exit(f"torch_model.py: --{key}: bad value '{v}'")
    if vals["device"] not in ("cpu", "gpu"):
        sys.exit(f"torch_model.py: --device: expected cpu or gpu (got '{vals['device']}')")
    if vals["optimizer"] not in OPTIMIZERS:
        sys.exit(f"torch_model.py: --optimizer: one of {', '.join(OPTIMIZERS)}")
    if vals["pack"] not in ("auto", "always"):
        sys.exit(f"torch_model.py: --pack: expected auto or always (got '{vals['pack']}')")
    missing = [k for k in list(MODEL_KEYS) + ["batch_size"] if k not in vals]
    if missing:
        sys.exit("torch_model.py: missing keys (give every model key; compare.py does): "
                 + ", ".join(missing))
    return vals


ARGS = parse_args(sys.argv[1:])
if ARGS["threads"] > 0:  # before torch loads OpenBLAS / OpenMP
    os.environ["OMP_NUM_THREADS"] = str(ARGS["threads"])
    os.environ["OPENBLAS_NUM_THREADS"] = str(ARGS["threads"])

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import recur_torch  # noqa: E402

from recur_rng import U, init_like_recur, rng_bits, rng_normal, rng_uniform  # noqa: E402,F401

# ---- the same synthetic batch and initial weights as bench_model ----

def make_data(cfg, seed, T, B, ragged):
    """Returns batch-first tensors: x, lengths, labels or targets, and the lengths' sum."""
    TB, C = T * B, cfg["output_size"]
    lo = max(T // 2, 1)
    if ragged:
        lengths = lo + (rng_bits(seed, S_LENGTHS, B) % U(T - lo + 1)).astype(np.int64)
        lengths = np.sort(lengths)[::-1].copy()  # longest first, as bench_model.c
    else:
        lengths = np.full(B, T, dtype=np.int64)
    if cfg["vocab_size"] > 0:  # drawn time-major [T][B] as in C, then made batch-first
        x = (rng_bits(seed, S_TOKENS, TB) % U(cfg["vocab_size"])).astype(np.int64).reshape(T, B).T
    else:
        F = cfg["input_size"]
        x = (2 * rng_uniform(seed, S_FEATURES, TB * F) - 1).astype(np.float32).reshape(T, B, F)
        x = x.transpose(1, 0, 2)
    tagging = cfg["pooling"] == "none"
    rows = TB if tagging else B
    labels = targets = None
    if cfg["loss"] == "cross_entropy":
        lab = (rng_bits(seed, S_LABELS, rows) % U(C)).astype(np.int64)
        labels = torch.from_numpy(np.ascontiguousarray(lab.reshape(T, B).T if tagging else lab))
    else:
        tg = rng_uniform(seed, S_TARGETS, rows * C).astype(np.float32)
        tg = tg.reshape(T, B, C).transpose(1, 0, 2) if tagging else tg.reshape(B, C)
        targets = torch.from_numpy(np.ascontiguousarray(tg))
    return (torch.from_numpy(np.ascontiguousarray(x)), torch.from_numpy(lengths), labels, targets,
            int(lengths.sum()))


def main():
    a = ARGS
    cfg = {k: a[k] for k in MODEL_KEYS}
    T, B, seed = a["seq_len"], a["batch_size"], a["seed"]
    if a["threads"] > 0:
        torch.set_num_threads(a["threads"])
    torch.manual_seed(seed)
    device = torch.device("cuda" if a["device"] == "gpu" else "cpu")
    # tf32 = 0 is full float32 on both sides (cuDNN would otherwise use TF32 by default)
    torch.backends.cuda.matmul.allow_tf32 = bool(a["tf32"])
    torch.backends.cudnn.allow_tf32 = bool(a["tf32"])
    model = recur_torch.build_model(cfg).to(torch.float32)
    model.train()
    same_init = init_like_recur(model, cfg, seed)
    model = model.to(device)
    x, lengths, labels, targets, lengths_sum = make_data(cfg, seed, T, B, a["ragged"])
    x = x.to(device)  # lengths stay on the host, where pack_padded_sequence wants them
    labels = labels.to(device) if labels is not None else None
    targets = targets.to(device) if targets is not None else None
    opt = getattr(torch.optim, OPTIMIZERS[a["optimizer"]])(model.parameters(), lr=a["lr"])
    model.always_pack = a["pack"] == "always"
    packed = model.always_pack or isinstance(model.rnn, recur_torch.TextbookGRU) or not bool((lengths == T).all())

    ms, cpu_ms, first_loss = [], [], None
    for it in range(a["warmup"] + a["iters"]):
        t0, c0 = time.perf_counter(), time.process_time()
        model.zero_grad(set_to_none=True)
        logits = model(x, lengths)
        loss = recur_torch.compute_loss(cfg, logits, lengths, labels=labels, targets=targets)
        loss.backward()
        if a["full_step"]:
            if a["clip_norm"] > 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), a["clip_norm"])
            opt.step()
        if device.type == "cuda":
            torch.cuda.synchronize()
        t1, c1 = time.perf_counter(), time.process_time()
        if it == 0:
            first_loss = float(loss.detach())
        if it >= a["warmup"]:
            ms.append((t1 - t0) * 1e3)
            cpu_ms.append((c1 - c0) * 1e3)
    med = statistics.median(ms)
    if a["profile"]:
        with torch.autograd.profiler.profile() as prof:
            model.zero_grad(set_to_none=True)
            logits = model(x, lengths)
            recur_torch.compute_loss(cfg, logits, lengths, labels=labels, targets=targets).backward()
        print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=15), file=sys.stderr)
    out = {
        "impl": "pytorch",
        "config": {**cfg, "batch_size": B, "threads": a["threads"], "seed": seed, "seq_len": T,
                   "ragged": a["ragged"], "iters": a["iters"], "warmup": a["warmup"],
                   "pack": a["pack"], "full_step": a["full_step"], "optimizer": a["optimizer"],
                   "lr": a["lr"], "clip_norm": a["clip_norm"], "device": a["device"],
                   "tf32": a["tf32"]},
        "precision": "float32",
        "torch_threads": torch.get_num_threads(),
        "num_params": sum(p.numel() for p in model.parameters()),
        "lengths_sum": lengths_sum,
        "packed": packed,
        "same_init_as_recur": same_init,
        "first_loss": first_loss,
        "median_ms": round(med, 4),
        "min_ms": round(min(ms), 4),
        "cpu_median_ms": round(statistics.median(cpu_ms), 4),
        "samples_per_s": round(B / (med * 1e-3), 2),
        "torch": torch.__version__,
        "gpu": torch.cuda.get_device_name(0) if device.type == "cuda" else None,
        "cudnn": torch.backends.cudnn.version() if device.type == "cuda" else None,
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
