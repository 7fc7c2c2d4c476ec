#!/usr/bin/env python3
"""series_baseline.py: naive baselines for a recur series dataset file (docs/FORMATS.md).

Reads one split (default test) of a file made by `recur prep series` or
`recur prep series-classify` and prints, in the data's real units (the stored scaler
undone), what a model must beat:

  regress (series):
    last      last value carried forward: every target hour t+k is predicted by the
              last input row t (the "next close = last close" of daily prices).
    daily     same hour of the last observed day ("tomorrow = today"): target t+k is
              predicted by row t+k-24*ceil(k/24), i.e. t+k-24 for k <= 24, t+k-48 for
              24 < k <= 48, ...; always a row of the input window. Only when
              horizon > 1 and input_steps >= the period (--period, default 24).
    Each with MAE, RMSE and median absolute error over every (window, step, target).
  classify (series-classify):
    majority  the training split's most frequent class, applied to the split
    last-move the label the last input step would have had (did the target rise from
              row t-1 to row t, by more than the file's rise_threshold); needs
              input_steps >= 2

It only reads the file; it must not write anything or depend on recur being built.
Usage: /usr/bin/python3 tools/series_baseline.py FILE.h5 [--split=test] [--period=24] [--json]
"""
import argparse
import json
import math
import sys

import h5py
import numpy as np


def real_units(f, scaled, feature):
    """Undo the stored scaler for one feature column: x = scaled * factor + offset."""
    offset = float(f["scaler/offset"][feature])
    factor = float(f["scaler/factor"][feature])
    return scaled.astype(np.float64) * factor + offset


def error_stats(pred, truth):
    err = np.abs(pred - truth).ravel()
    return {"mae": float(err.mean()),
            "rmse": float(math.sqrt(np.mean(err ** 2))),
            "median_ae": float(np.median(err)),
            "values": int(err.size)}


def regress_baselines(f, split, period):
    steps, horizon = int(f.attrs["input_steps"]), int(f.attrs["horizon"])
    target_features = [int(t) for t in f["target_features"][:]]
    series = f[split + "/series"][:]
    starts = f[split + "/starts"][:].astype(np.int64)
    targets = f[split + "/targets"][:]            # [N][horizon][num_targets], scaled
    last_row = starts + steps - 1
    k = np.arange(1, horizon + 1)
    results = {}
    truth = np.stack([real_units(f, targets[:, :, j], tf)
                      for j, tf in enumerate(target_features)], axis=2)
    # sanity: the stored targets are the rows right after each window
    check = series[(last_row[:, None] + k[None, :]), :][:, :, target_features]
    if not np.allclose(check, targets):
        sys.exit("series_baseline: targets are not the rows after each window")
    last = np.stack([real_units(f, series[last_row, tf], tf) for tf in target_features],
                    axis=1)
    results["last"] = error_stats(np.broadcast_to(last[:, None, :], truth.shape), truth)
    if horizon > 1 and period > 0 and steps >= period:
        back = period * ((k + period - 1) // period)   # 24 for k<=24, 48 for k<=48, ...
        rows = last_row[:, None] + k[None, :] - back[None, :]
        if rows.min() < 0 or np.any(rows > last_row[:, None]):
            sys.exit("series_baseline: daily baseline row outside the input window")
        daily = np.stack([real_units(f, series[rows, tf], tf) for tf in target_features],
                         axis=2)
        results["daily"] = error_stats(daily, truth)
    return results


def classify_baselines(f, split):
    classes = [c.decode() if isinstance(c, bytes) else str(c) for c in f["classes"][:]]
    train_labels = f["train/labels"][:]
    labels = f[split + "/labels"][:]
    counts = np.bincount(train_labels, minlength=len(classes))
    majority = int(np.argmax(counts))
    results = {"majority": {"class": classes[majority],
                            "accuracy": float(np.mean(labels == majority)),
                            "examples": int(labels.size)}}
    steps = int(f.attrs["input_steps"])
    if steps >= 2 and "rise" in classes:
        recipe = f.attrs.get("recipe", "")
        if isinstance(recipe, bytes):
            recipe = recipe.decode()
        threshold = 0.0
        for line in recipe.splitlines():
            if line.startswith("rise_threshold ="):
                threshold = float(line.split("=", 1)[1])
        tf = int(f["target_features"][0])
        series = f[split + "/series"][:]
        starts = f[split + "/starts"][:].astype(np.int64)
        t = starts + steps - 1
        move = real_units(f, series[t, tf], tf) - real_units(f, series[t - 1, tf], tf)
        guess = np.where(move > threshold, classes.index("rise"),
                         1 - classes.index("rise") if len(classes) == 2 else majority)
        results["last_move"] = {"accuracy": float(np.mean(labels == guess)),
                                "examples": int(labels.size)}
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("file")
    ap.add_argument("--split", default="test", choices=["train", "valid", "test"])
    ap.add_argument("--period", type=int, default=24)
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()
    with h5py.File(args.file, "r") as f:
        if f.attrs.get("input") != "series":
            sys.exit("series_baseline: %s is not a series dataset" % args.file)
        task = f.attrs["task"]
        if task == "regress":
            res = regress_baselines(f, args.split, args.period)
        else:
            res = classify_baselines(f, args.split)
    if args.json:
        print(json.dumps({"file": args.file, "split": args.split, **res}))
        return
    for name, r in res.items():
        print("%s %-9s " % (args.split, name) +
              " ".join("%s=%s" % (k, ("%.6g" % v) if isinstance(v, float) else v)
                       for k, v in r.items()))


if __name__ == "__main__":
    main()
