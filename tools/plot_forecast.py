#!/usr/bin/env python3
"""plot_forecast.py: one forecasting run in one PNG — forecast against truth on a few test
windows, and the error by horizon step of one or several runs against the baselines.

    plot_forecast.py --data DATA.h5 --checkpoint RUN/checkpoints/best.h5 \\
                     --runs RUN [RUN ...] [--labels NAME ...] [--split test] \\
                     [--windows 3] [--history 72] [--title TEXT] -o forecast.png

Top row, one panel per window (evenly spaced over the split): the last `--history` steps of
the first target before the window ends, the truth after it, the checkpoint's forecast,
persistence and (with the run's `season`) seasonal naive, all in real units. The forecast
is the checkpoint applied by PyTorch (tools/check_torch_predict.py's model, which the
forecast_predict test holds equal to `recur predict`) to the dataset's own windows,
through the run's target / window_norm (tools/recur_windows.py).
Bottom: MAE per horizon step from each run's metrics.jsonl (the `per_step` member of the
split's evaluation with the lowest valid loss: what best.h5 holds; recur or
tools/torch_train.py runs alike), with persistence and seasonal naive from the first run.
Needs matplotlib, h5py, torch (/usr/bin/python3 on Debian). Writes only the PNG; exit 2
on a bad argument or missing data.
"""
import argparse
import json
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def fail(message):
    print("plot_forecast: %s" % message, file=sys.stderr)
    sys.exit(2)


def best_eval(run, split):
    """The `split` eval line at the step whose valid loss is lowest (ties: the first)."""
    path = run if os.path.isfile(run) else os.path.join(run, "metrics.jsonl")
    if not os.path.isfile(path):
        fail("%s: no metrics.jsonl" % run)
    lines = []
    for text in open(path, encoding="utf-8"):
        try:
            lines.append(json.loads(text))
        except json.JSONDecodeError:
            continue  # a torn last line
    valid = [r for r in lines if r.get("split") == "valid" and r.get("loss") is not None]
    if not valid:
        fail("%s: no valid evaluations" % path)
    step = min(valid, key=lambda r: r["loss"])["step"]
    found = [r for r in lines if r.get("split") == split and r.get("step") == step and "per_step" in r]
    if not found:
        fail("%s: no %s evaluation with per_step at step %d (a run from before issue 15?)" % (path, split, step))
    return found[-1]


def forecasts(data, checkpoint, split, count):
    """(windows' real history, truth, model, persistence, seasonal or None, season) of
    `count` windows of the split, first target, real units."""
    import torch
    import check_torch_predict as ctp
    torch.set_grad_enabled(False)
    cfg, state, meta = ctp.read_checkpoint(checkpoint)
    if meta["task"] != "regress":
        fail("%s: not a regression checkpoint" % checkpoint)
    model = ctp.reference_model(cfg, state)
    w = ctp.window_transform(cfg, meta)
    season = int(cfg.get("season", "0"))
    with h5py.File(data, "r") as f:
        g = f[split]
        series, starts = g["series"][:], g["starts"][:]
        targets = g["targets"][:].reshape(len(starts), -1).astype(np.float64)
    if len(starts) == 0:
        fail("%s: the %s split is empty" % (data, split))
    T, K, H = meta["input_steps"], len(meta["target_features"]), meta["horizon"]
    f0 = meta["target_features"][0]
    real = lambda v: v * meta["factor"][f0] + meta["offset"][f0]  # noqa: E731
    picks = np.linspace(0, len(starts) - 1, count + 2)[1:-1].astype(int) if count > 1 else [len(starts) // 2]
    x = np.stack([series[starts[i]:starts[i] + T] for i in picks]).astype(np.float32)
    centre, spread = w.stats(x)
    y = np.stack([model(torch.from_numpy(v[None])).reshape(-1).numpy() for v in w.inputs(x, centre, spread)])
    y = y.astype(np.float64)
    if not w.identity():
        base, scale = w.output_map(x, centre, spread)
        y = base + y * scale
    cols = slice(0, H * K, K)  # the first target at every step
    seasonal = real(w.seasonal(x, season)[:, cols]) if season else None
    return (real(x[:, :, f0]), real(targets[picks][:, cols]), real(y[:, cols]), real(w.persistence(x)[:, cols]),
            seasonal, season, meta["features"][f0], picks)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--runs", nargs="+", required=True)
    ap.add_argument("--labels", nargs="+")
    ap.add_argument("--split", default="test", choices=("valid", "test"))
    ap.add_argument("--windows", type=int, default=3)
    ap.add_argument("--history", type=int, default=72)
    ap.add_argument("--title", default="")
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args(argv)
    if a.labels and len(a.labels) != len(a.runs):
        fail("--labels: %d names for %d runs" % (len(a.labels), len(a.runs)))
    if a.windows < 1 or a.history < 1:
        fail("--windows and --history must be at least 1")
    evals = [best_eval(r, a.split) for r in a.runs]
    hist, truth, model, last, seasonal, season, name, picks = forecasts(a.data, a.checkpoint, a.split, a.windows)
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    n = len(picks)
    fig = plt.figure(figsize=(4.2 * max(n, 2), 7.5))
    H = truth.shape[1]
    dot = "o" if H == 1 else None  # one step ahead: points, not lines
    for j in range(n):
        ax = fig.add_subplot(2, n, j + 1)
        h = hist[j][-a.history:]
        past, ahead = np.arange(-len(h) + 1, 1), np.arange(1, H + 1)
        ax.plot(past, h, color="0.3", lw=1, label="observed")
        ax.plot(ahead, truth[j], color="black", lw=1.5, marker=dot, label="truth")
        ax.plot(ahead, model[j], color="tab:blue", lw=1.5, marker=dot, label="model")
        ax.plot(ahead, last[j], color="tab:orange", ls="--", lw=1, marker=dot and "x", label="persistence")
        if seasonal is not None:
            ax.plot(ahead, seasonal[j], color="tab:green", ls=":", lw=1, marker=dot and "+",
                    label="seasonal (%d)" % season)
        ax.axvline(0.5, color="0.8", lw=0.8)
        ax.set_title("%s window %d" % (a.split, picks[j]), fontsize=9)
        ax.set_xlabel("steps from the window's end")
        if j == 0:
            ax.set_ylabel(name)
            ax.legend(fontsize=7)
    ax = fig.add_subplot(2, 1, 2)
    steps = np.arange(1, len(evals[0]["per_step"]["mae"]) + 1)
    for i, r in enumerate(evals):
        label = a.labels[i] if a.labels else os.path.basename(os.path.abspath(a.runs[i]).rstrip(os.sep))
        ax.plot(steps, r["per_step"]["mae"], marker="o" if len(steps) < 60 else None,
                label="%s (MAE %.4g)" % (label, r["mae"]))
    first = evals[0]["per_step"]
    ax.plot(steps, first["persistence_mae"], color="black", ls="--", marker="x" if len(steps) < 60 else None,
            label="persistence (MAE %.4g)" % evals[0]["persistence_mae"])
    if "seasonal_mae" in first:
        ax.plot(steps, first["seasonal_mae"], color="0.5", ls=":", marker="+" if len(steps) < 60 else None,
                label="seasonal naive, %d (MAE %.4g)" % (evals[0]["season"], evals[0]["seasonal_mae"]))
    ax.set_xlabel("horizon step")
    ax.set_ylabel("%s MAE, real units (%s split, best valid loss)" % (name, a.split))
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    if a.title:
        fig.suptitle(a.title)
    fig.tight_layout()
    fig.savefig(a.output, dpi=110)
    print("plot_forecast: wrote %s" % a.output)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
