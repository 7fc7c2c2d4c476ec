#!/usr/bin/env python3
"""plot_runs.py: training curves of one or several recur runs in one PNG.

    plot_runs.py RUN_DIR [RUN_DIR ...] -o curves.png [--metric accuracy|macro_f1|mae|...]
                 [--split valid] [--labels NAME ...] [--title TEXT]

Reads each run's metrics.jsonl (RUN_DIR/metrics.jsonl, or the file itself): train lines
({"split": "train", "step", "loss"}) and eval lines ({"split": "valid"/"test", "step",
"loss", "accuracy" or "mae", ...}). Left panel: train loss (solid) and eval loss (dashed);
right panel: the chosen eval metric; x = step; one colour per run, labelled with the run
directory's name or --labels. The default metric is accuracy when the runs log it, else
mae. So RNN, LSTM and GRU runs can be compared on one chart.
Needs matplotlib (Debian: python3-matplotlib); draws with the Agg backend, no display.
Reads only the files named; writes only the PNG. Exit 2 on a bad argument or no data.
"""
import argparse
import json
import os
import sys


def fail(message):
    print(f"plot_runs: {message}", file=sys.stderr)
    sys.exit(2)


def metrics_path(run):
    return run if os.path.isfile(run) else os.path.join(run, "metrics.jsonl")


def run_label(run):
    path = os.path.abspath(run)
    if os.path.isfile(path):
        path = os.path.dirname(path)
    return os.path.basename(path.rstrip(os.sep)) or run


def read_lines(path):
    """The JSON objects of a metrics.jsonl; a torn last line (a killed run) is skipped."""
    if not os.path.isfile(path):
        fail(f"{path}: no such file (is it a recur run directory?)")
    records = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                print(f"plot_runs: {path}:{number}: not JSON, skipped", file=sys.stderr)
    return records


def series(records, split, key):
    """(steps, values) of `key` on the lines of `split` that have a number there."""
    points = [(r["step"], r[key]) for r in records
              if r.get("split") == split and isinstance(r.get(key), (int, float)) and "step" in r]
    points.sort()
    return [p[0] for p in points], [p[1] for p in points]


def default_metric(runs, split):
    for records in runs:
        if series(records, split, "accuracy")[0]:
            return "accuracy"
    return "mae"


def parse_args(argv):
    p = argparse.ArgumentParser(description="Draw train/eval loss and an eval metric of recur runs.")
    p.add_argument("runs", nargs="+", metavar="RUN_DIR", help="run directory (or its metrics.jsonl)")
    p.add_argument("-o", "--output", required=True, help="PNG file to write")
    p.add_argument("--metric", help="eval metric of the right panel (default: accuracy, else mae)")
    p.add_argument("--split", default="valid", help="eval split to draw (default: valid)")
    p.add_argument("--labels", nargs="+", help="one legend label per run")
    p.add_argument("--title", help="title of the figure")
    args = p.parse_args(argv)
    if args.labels and len(args.labels) != len(args.runs):
        fail(f"--labels: {len(args.labels)} labels for {len(args.runs)} runs")
    return args


def draw_run(axes, records, label, colour, split, metric):
    """Draws one run; returns how many series it had points for."""
    drawn = 0
    for (key, panel, style, name) in (("loss", 0, "-", "train"), ("loss", 0, "--", split),
                                      (metric, 1, "-", split)):
        steps, values = series(records, "train" if name == "train" else split, key)
        if steps:
            axes[panel].plot(steps, values, style, color=colour, label=f"{label} {name}",
                             marker="o" if len(steps) < 3 else None)
            drawn += 1
    return drawn


def plot(args, runs):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metric = args.metric or default_metric(runs, args.split)
    labels = args.labels or [run_label(r) for r in args.runs]
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    drawn = sum(draw_run(axes, records, label, colours[i % len(colours)], args.split, metric)
                for i, (records, label) in enumerate(zip(runs, labels)))
    if not drawn:
        fail("no train or eval lines with a step in the runs given")
    axes[0].set_title("loss")
    axes[1].set_title(f"{args.split} {metric}")
    for ax, ylabel in zip(axes, ("loss", metric)):
        ax.set_xlabel("step")
        ax.set_ylabel(ylabel)
        ax.grid(True, alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize="small")
    if args.title:
        fig.suptitle(args.title)
    fig.tight_layout()
    fig.savefig(args.output, dpi=100)
    plt.close(fig)


def main(argv):
    args = parse_args(argv)
    runs = [read_lines(metrics_path(r)) for r in args.runs]
    try:
        plot(args, runs)
    except ImportError:
        fail("matplotlib is not installed (Debian: apt-get install python3-matplotlib)")
    print(f"plot_runs: wrote {args.output}")


if __name__ == "__main__":
    main(sys.argv[1:])
