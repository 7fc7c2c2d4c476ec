#!/usr/bin/env python3
"""check_torch_predict.py: PyTorch gives what `recur predict` gives, from the checkpoint alone.

Loads a recur checkpoint (HDF5) with h5py: the model config (root attribute `config`,
`key = value` lines), the weights (/model/<PyTorch state_dict name>) and the data meta
(/data: classes, features, target_features, scaler). Runs `recur predict
--output-format=json` on an input file, then feeds the same inputs to PyTorch in float32:

  classify / tag (token input): the "ids" recur printed for each line;
  series (regress, classify): the windows recomputed here from the CSV and the stored
    scaler, scaled = (x - offset) / factor, window i = data rows i .. i+input_steps-1,
    through the run's target / window_norm (tools/recur_windows.py): the outputs of a
    delta model are changes from the window's last value, mapped back before comparing.

Two PyTorch models get them: tools/recur_torch.py's build_model (the reference), and, where
the model is a plain one (cell rnn_tanh/rnn_relu/lstm/gru, pooling last or none, no hidden
head layer), torch.nn.RNN/LSTM/GRU + Embedding + Linear loaded straight from the file by
plain_torch_model below — the few lines a PyTorch user needs. Probabilities (softmax) and
forecasts (real units: the scaler undone) must agree with recur's to RTOL relative; the
difference of a forecast is taken relative to max(|value|, the target's scale factor), as
float32 rounding in scaled units is what both sides carry. Prints the largest difference
and exits 1 when it is above RTOL (2 on bad usage).

  /usr/bin/python3 tools/check_torch_predict.py --recur build/recur \
      --checkpoint run/checkpoints/best.h5 --input texts.txt
"""

import argparse
import csv
import json
import math
import os
import subprocess
import sys

import h5py
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import recur_torch  # noqa: E402
import recur_windows  # noqa: E402

RTOL = 1e-5
PLAIN_CELLS = {"rnn_tanh": "RNN", "rnn_relu": "RNN", "lstm": "LSTM", "gru": "GRU"}


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def read_config(f):
    """The config text's `key = value` lines as a dict of strings."""
    cfg = {}
    for line in text(f.attrs["config"]).splitlines():
        line = line.split("#", 1)[0].strip()
        if "=" in line:
            key, value = line.split("=", 1)
            cfg[key.strip()] = value.strip()
    return cfg


def model_config(cfg):
    keys = set(recur_torch.OPTIONAL) | set(recur_torch.REQUIRED)
    return {k: v for k, v in cfg.items() if k in keys}


def read_checkpoint(path):
    with h5py.File(path, "r") as f:
        cfg = read_config(f)
        state = {name: torch.from_numpy(np.asarray(d[()], dtype=np.float32)) for name, d in f["model"].items()}
        g = f["data"]
        meta = {k: text(v) if isinstance(v, (bytes, str)) else int(v) for k, v in g.attrs.items()}
        if "classes" in g:
            meta["classes"] = [text(c) for c in g["classes"][()]]
        if meta["input"] == "series":
            meta["features"] = [text(c) for c in g["features"][()]]
            meta["target_features"] = [int(k) for k in g["target_features"][()]]
            meta["offset"] = np.asarray(g["scaler/offset"][()], dtype=np.float64)
            meta["factor"] = np.asarray(g["scaler/factor"][()], dtype=np.float64)
            meta["change_factor"] = (np.asarray(g["change_scaler/factor"][()], dtype=np.float64).reshape(-1)
                                     if "change_scaler/factor" in g else None)
    return cfg, state, meta


def window_transform(cfg, meta):
    """recur's transform of the checkpoint's windows (tools/recur_windows.py)."""
    target = recur_windows.resolve_target(cfg.get("target", "auto"), meta["task"], meta["change_factor"])
    return recur_windows.WindowTransform(target, cfg.get("window_norm", "none"), meta["target_features"],
                                         meta.get("horizon", 0), meta["change_factor"])


def reference_model(cfg, state):
    """recur_torch's model with the checkpoint's weights, as f(x) for one sequence x."""
    model = recur_torch.build_model(model_config(cfg))
    model.load_state_dict(state)
    model.eval()
    return lambda x: model(x, torch.tensor([x.shape[1]]))


# ---- the few lines a PyTorch user needs ----

def plain_torch_model(path):
    """A recur checkpoint as plain torch.nn modules: returns f(x) -> logits or outputs,
    x a [1, T] int64 tensor of token ids or a [1, T, F] float32 window (one sequence)."""
    with h5py.File(path, "r") as f:
        cfg = read_config(f)
        w = {k: torch.from_numpy(np.asarray(v[()], dtype=np.float32)) for k, v in f["model"].items()}
    kind, extra = PLAIN_CELLS[cfg["cell"]], {}
    if kind == "RNN":
        extra["nonlinearity"] = cfg["cell"][4:]
    rnn = getattr(torch.nn, kind)(int(cfg["input_size"]), int(cfg["hidden_size"]), int(cfg["num_layers"]),
                                  batch_first=True, bidirectional=cfg["bidirectional"] == "1", **extra)
    rnn.load_state_dict({k[4:]: v for k, v in w.items() if k.startswith("rnn.")})
    out = torch.nn.Linear(w["head.out.weight"].shape[1], w["head.out.weight"].shape[0])
    out.load_state_dict({"weight": w["head.out.weight"], "bias": w["head.out.bias"]})
    emb = torch.nn.Embedding.from_pretrained(w["embedding.weight"]) if "embedding.weight" in w else None

    def forward(x):
        seq, h = rnn(emb(x) if emb is not None else x)
        h = h[0] if kind == "LSTM" else h
        if cfg["pooling"] == "none":
            return out(seq)[0]                                   # [T, C]: one row per token
        last = torch.cat([h[-2], h[-1]], 1) if cfg["bidirectional"] == "1" else h[-1]
        return out(last)[0]                                      # [C]
    return forward


def plain_supported(cfg):
    return cfg["cell"] in PLAIN_CELLS and cfg["pooling"] in ("last", "none") and int(cfg["head_hidden"]) == 0


# ---- running both sides ----

def run_recur(recur, checkpoint, input_path, delimiter):
    cmd = [recur, "predict", "--checkpoint=" + checkpoint, "--input=" + input_path, "--output-format=json",
           "--delimiter=" + ("tab" if delimiter == "\t" else delimiter)]
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    if done.returncode != 0:
        sys.exit("recur predict failed (exit %d): %s" % (done.returncode, done.stderr.strip()))
    return [json.loads(line) for line in done.stdout.splitlines()]


def read_windows(path, meta, delimiter):
    """The scaled windows [n, input_steps, F] float32 and their end rows, as recur makes them."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = [r for r in csv.reader(f, delimiter=delimiter) if r]
    header, rows = rows[0], rows[1:]
    cols = [header.index(name) for name in meta["features"]]
    x = np.array([[float(r[c]) for c in cols] for r in rows], dtype=np.float64)
    scaled = ((x - meta["offset"]) / meta["factor"]).astype(np.float32)
    steps = meta["input_steps"]
    windows = np.stack([scaled[i:i + steps] for i in range(len(rows) - steps + 1)])
    return torch.from_numpy(windows), [i + steps for i in range(len(windows))]


class Diff:
    """The largest relative difference seen, and where."""

    def __init__(self):
        self.worst, self.where, self.count = 0.0, "", 0

    def add(self, ours, theirs, where, scale=0.0):
        ours, theirs = float(ours), float(theirs)
        if not math.isfinite(ours) or not math.isfinite(theirs):
            raise SystemExit("%s: non-finite value (recur %r, torch %r)" % (where, ours, theirs))
        d = abs(ours - theirs) / max(abs(ours), abs(theirs), scale, 1e-30)
        self.count += 1
        if d > self.worst:
            self.worst, self.where = d, "%s (recur %.9g, torch %.9g)" % (where, ours, theirs)


def check_label(name, probs, classes, where):
    """recur's label must be torch's argmax, unless the top two are within float rounding."""
    top = sorted(range(len(probs)), key=lambda k: -probs[k])
    if classes[top[0]] != name and probs[top[0]] - probs[top[1]] > 1e-6:
        raise SystemExit("%s: recur says %s, torch %s" % (where, name, classes[top[0]]))


def check_tokens(lines, meta, models, diffs):
    classes = meta["classes"]
    for rec in lines:
        if not rec["ids"]:
            continue
        x = torch.tensor([rec["ids"]], dtype=torch.int64)
        for label, model in models.items():
            logits = model(x)
            probs = torch.softmax(logits.reshape(-1, len(classes)), dim=1).tolist()
            where = "line %d" % rec["line"]
            if meta["task"] == "tag":
                for t, (p_ours, p_torch) in enumerate(zip(rec["probabilities"], probs)):
                    for k, c in enumerate(classes):
                        diffs[label].add(p_ours[k], p_torch[k], "%s token %d p(%s)" % (where, t + 1, c))
                    check_label(rec["tags"][t], p_torch, classes, "%s token %d" % (where, t + 1))
            else:
                for k, c in enumerate(classes):
                    diffs[label].add(rec["probabilities"][c], probs[0][k], "%s p(%s)" % (where, c))
                check_label(rec["label"], probs[0], classes, where)


def check_series(lines, meta, models, diffs, windows, ends, transform):
    if len(lines) != len(windows):
        raise SystemExit("recur gave %d windows, the CSV has %d" % (len(lines), len(windows)))
    names, tf = meta["features"], meta["target_features"]
    raw = windows.numpy()
    centre, spread = transform.stats(raw)
    inputs = torch.from_numpy(transform.inputs(raw, centre, spread))
    if meta["task"] == "regress":
        base, scale = transform.output_map(raw, centre, spread)
    for n, (rec, x, end) in enumerate(zip(lines, inputs, ends)):
        if rec["window_end_row"] != end:
            raise SystemExit("window %d: recur says it ends at row %d, expected %d" % (end, rec["window_end_row"], end))
        where = "window ending at row %d" % end
        for label, model in models.items():
            y = model(x.unsqueeze(0)).reshape(-1)
            if meta["task"] == "classify":
                probs = torch.softmax(y, dim=0).tolist()
                for k, c in enumerate(meta["classes"]):
                    diffs[label].add(rec["probabilities"][c], probs[k], "%s p(%s)" % (where, c))
                check_label(rec["label"], probs, meta["classes"], where)
                continue
            K = len(tf)
            for c, v in enumerate(y.tolist()):
                f = tf[c % K]
                level = base[n, c] + v * scale[n, c] if not transform.identity() else v
                real = level * meta["factor"][f] + meta["offset"][f]
                ours = rec["forecast"][names[f]][c // K]
                diffs[label].add(ours, real, "%s %s@+%d" % (where, names[f], c // K + 1), meta["factor"][f])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--recur", required=True, help="the recur program")
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--input", required=True, help="texts, sentences or CSV, as recur predict reads them")
    ap.add_argument("--delimiter", default=",", help="CSV field separator (series): one character or tab")
    a = ap.parse_args()
    delimiter = "\t" if a.delimiter == "tab" else a.delimiter
    torch.set_grad_enabled(False)
    cfg, state, meta = read_checkpoint(a.checkpoint)
    models = {"recur_torch": reference_model(cfg, state)}
    if plain_supported(cfg):
        models["plain torch.nn"] = plain_torch_model(a.checkpoint)
    lines = run_recur(a.recur, a.checkpoint, a.input, delimiter)
    diffs = {label: Diff() for label in models}
    if meta["input"] == "series":
        windows, ends = read_windows(a.input, meta, delimiter)
        check_series(lines, meta, models, diffs, windows, ends, window_transform(cfg, meta))
    else:
        check_tokens(lines, meta, models, diffs)
    ok = True
    for label, d in diffs.items():
        print("%s %s (%s): %d values, max relative difference %.3g%s" % (
            meta["task"], meta["input"], label, d.count, d.worst, " at " + d.where if d.where else ""))
        ok = ok and d.count > 0 and d.worst <= RTOL
    if not ok:
        print("FAIL: torch and recur predict differ by more than %g (or nothing was compared)" % RTOL)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
