"""recur_windows.py: recur's series-window arithmetic in numpy, for the Python tools
(torch_train.py, check_torch_predict.py, plot_forecast.py): target = level | delta,
window_norm = none | last | standard, the persistence and seasonal-naive baselines, and
the forecast metrics of recur's evaluation lines (src/data/window_transform.h,
src/train/forecast_metrics.h; the formulas are written there).

Windows are float32 [N, input_steps, num_features] in the dataset's scaled units; levels,
bases and scales are float64 [N, horizon * num_targets] (output c = h * num_targets + k).
"""
import math

import numpy as np

WINDOW_MIN_SPREAD = 1e-6


def resolve_target(target, task, change_factor):
    """auto -> delta when the data has a change scaler (/change_scaler), else level."""
    if task != "regress":
        return "level"
    if target == "auto":
        return "delta" if change_factor is not None else "level"
    if target == "delta" and change_factor is None:
        raise ValueError("target: delta needs the change scaler that recur prep series writes")
    return target


class WindowTransform:
    def __init__(self, target, norm, target_features, horizon, change_factor):
        self.target, self.norm = target, norm
        self.tf = np.asarray(target_features, np.int64)
        self.K, self.H = len(self.tf), horizon
        self.change = None if change_factor is None else np.asarray(change_factor, np.float64).reshape(-1)

    def identity(self):
        return self.target != "delta" and self.norm == "none"

    def stats(self, w):
        """centre, spread [N, F] of each window's features."""
        w64 = w.astype(np.float64)
        N, _, F = w.shape
        centre, spread = np.zeros((N, F)), np.ones((N, F))
        if self.norm == "last":
            centre = w64[:, -1, :]
        elif self.norm == "standard":
            centre = w64.mean(1)
            std = np.sqrt(((w64 - centre[:, None, :]) ** 2).mean(1))
            spread = np.where(std >= WINDOW_MIN_SPREAD, std, 1.0)
        return centre, spread

    def inputs(self, w, centre, spread):
        return ((w.astype(np.float64) - centre[:, None, :]) / spread[:, None, :]).astype(np.float32)

    def output_map(self, w, centre, spread):
        """base, scale [N, H*K]: level = base + output * scale."""
        cols = np.tile(self.tf, self.H)
        if self.target == "delta":
            return (w[:, -1, :][:, cols].astype(np.float64),
                    spread[:, cols] * self.change[None, :])
        return centre[:, cols], spread[:, cols]

    def persistence(self, w):
        return np.tile(w[:, -1, :][:, self.tf].astype(np.float64), (1, self.H))

    def seasonal(self, w, season):
        T = w.shape[1]
        out = []
        for h in range(self.H):
            ahead = h + 1
            row = T - 1 + ahead - season * ((ahead + season - 1) // season)
            out.append(w[:, row, :][:, self.tf].astype(np.float64))
        return np.concatenate(out, 1)


def _scores(pred, target, factor):
    e = np.abs((pred - target) * factor)
    return e


def _summary(e):
    return (float(e.mean()), float(math.sqrt((e ** 2).mean())), float(np.median(e))) if e.size else (0.0, 0.0, 0.0)


def skill(model_mae, base_mae):
    return 1 - model_mae / base_mae if base_mae > 0 else None


def forecast_metrics(model, target, baselines, factor, horizon, num_targets, season):
    """recur's forecast fields: baselines = {"persistence": levels, "seasonal": levels or None};
    all [N, H*K] scaled levels; factor [H*K] the target scaler's factor."""
    sources = [("model", model)] + [(n, v) for n, v in baselines.items() if v is not None]
    errors = {n: _scores(v, target, factor[None, :]) for n, v in sources}
    out, per_step = {}, {}
    model_mae = _summary(errors["model"])[0]
    for n, e in errors.items():
        prefix = "" if n == "model" else n + "_"
        steps = [_summary(e[:, h * num_targets:(h + 1) * num_targets]) for h in range(horizon)]
        for k, field in enumerate(("mae", "rmse", "median_ae")):
            per_step[prefix + field] = [s[k] for s in steps]
        if n != "model":
            mae, rmse, med = _summary(e)
            out.update({prefix + "mae": mae, prefix + "rmse": rmse, prefix + "median_ae": med,
                        "skill_" + n: skill(model_mae, mae)})
    for n, _ in sources[1:]:
        per_step["skill_" + n] = [skill(m, b) for m, b in zip(per_step["mae"], per_step[n + "_mae"])]
    if season:
        out["season"] = season
    out["per_step"] = per_step
    return out
