#!/usr/bin/env python3
"""forecast_summary.py: the test numbers of forecasting runs, one row per run and a mean row
per group, from their metrics.jsonl (recur or tools/torch_train.py runs alike).

    forecast_summary.py RUN [RUN ...] [--split test] [--steps 1,6,12,24,48]

For each run: the `split` evaluation at the step with the lowest valid loss (what best.h5
holds), and the final one. Prints MAE, RMSE, median AE, MAE at the last horizon step,
persistence and seasonal-naive MAE (and at the last step) and the skills, in real units.
Runs are grouped by their name without a trailing _s<seed> (and _torch kept apart);
each group gets mean and sd (n-1) rows. With --steps, one more line per run (best valid):
the model's, persistence's and seasonal naive's MAE at those horizon steps and the steps
where the model's skill against persistence is below 0. Reads only the files named.
"""
import json
import os
import re
import statistics
import sys

FIELDS = ("mae", "rmse", "median_ae", "mae_last", "persistence_mae", "persistence_last", "skill_persistence",
          "skill_persistence_last", "seasonal_mae", "skill_seasonal")


def lines(run):
    out = []
    for text in open(os.path.join(run, "metrics.jsonl"), encoding="utf-8"):
        try:
            out.append(json.loads(text))
        except json.JSONDecodeError:
            pass
    return out


def row(r):
    p = r["per_step"]
    skill_last = p.get("skill_persistence", [None])[-1]
    return {"mae": r["mae"], "rmse": r["rmse"], "median_ae": r["median_ae"], "mae_last": p["mae"][-1],
            "persistence_mae": r.get("persistence_mae"), "persistence_last": p.get("persistence_mae", [None])[-1],
            "skill_persistence": r.get("skill_persistence"), "skill_persistence_last": skill_last,
            "seasonal_mae": r.get("seasonal_mae"), "skill_seasonal": r.get("skill_seasonal"), "step": r["step"]}


def pick(run, split):
    ls = lines(run)
    valid = [r for r in ls if r.get("split") == "valid" and r.get("loss") is not None]
    best = min(valid, key=lambda r: r["loss"])["step"]
    ev = [r for r in ls if r.get("split") == split and "per_step" in r]
    return row([r for r in ev if r["step"] == best][-1]), row(ev[-1])


def step_line(run, split, steps):
    ls = lines(run)
    valid = [r for r in ls if r.get("split") == "valid" and r.get("loss") is not None]
    best = min(valid, key=lambda r: r["loss"])["step"]
    p = [r for r in ls if r.get("split") == split and r.get("step") == best and "per_step" in r][-1]["per_step"]
    at = lambda key: " ".join(fmt(p[key][h - 1]) if key in p else "-" for h in steps)  # noqa: E731
    worse = [h + 1 for h, v in enumerate(p.get("skill_persistence", [])) if v is not None and v < 0]
    print("%s | MAE at steps %s: %s | persistence %s | seasonal %s | steps with skill vs persistence < 0: %s"
          % (run, ",".join(map(str, steps)), at("mae"), at("persistence_mae"), at("seasonal_mae"), worse or "none"))


def fmt(v):
    return "-" if v is None else ("%.4g" % v)


def main(argv):
    split = "test"
    if "--split" in argv:
        i = argv.index("--split")
        split = argv[i + 1]
        argv = argv[:i] + argv[i + 2:]
    steps = None
    if "--steps" in argv:
        i = argv.index("--steps")
        steps = [int(v) for v in argv[i + 1].split(",")]
        argv = argv[:i] + argv[i + 2:]
    groups = {}
    print("run | which | step | " + " | ".join(FIELDS))
    for run in argv:
        best, final = pick(run, split)
        name = re.sub(r"_s\d+(_torch)?$", r"\1", os.path.basename(run.rstrip("/")))
        groups.setdefault(name, []).append((best, final))
        for which, r in (("best valid", best), ("final", final)):
            print("%s | %s | %d | %s" % (run, which, r["step"], " | ".join(fmt(r[f]) for f in FIELDS)))
    for name, rs in groups.items():
        for k, which in ((0, "best valid"), (1, "final")):
            vals = {f: [r[k][f] for r in rs if r[k][f] is not None] for f in FIELDS}
            mean = " | ".join(fmt(statistics.mean(v)) if v else "-" for v in vals.values())
            sd = " | ".join(fmt(statistics.stdev(v)) if len(v) > 1 else "-" for v in vals.values())
            print("%s (n=%d) | %s mean | - | %s" % (name, len(rs), which, mean))
            print("%s (n=%d) | %s sd | - | %s" % (name, len(rs), which, sd))
    for run in argv if steps else []:
        step_line(run, split, steps)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
