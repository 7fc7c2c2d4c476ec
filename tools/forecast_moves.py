#!/usr/bin/env python3
"""forecast_moves.py: how far a forecaster moves away from persistence, and whether the
moves point the right way — for checkpoints whose MAE is close to persistence's.

    /usr/bin/python3 tools/forecast_moves.py --data DATA.h5 CHECKPOINT [CHECKPOINT ...] [--split test] [--step 1]

For each checkpoint, over the split's windows, at horizon step `--step` of the first target
(real units): the predicted change (forecast - last observed value) — mean, sd, mean
absolute — against the actual change, their correlation, and the share of windows where
both have the same sign. The forecasts are the checkpoint applied by PyTorch through the
run's target / window_norm (tools/check_torch_predict.py, held equal to `recur predict` by
the forecast_predict test). Needs h5py and torch. Reads only; prints one line per checkpoint.
"""
import argparse
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--split", default="test")
    ap.add_argument("--step", type=int, default=1)
    ap.add_argument("checkpoints", nargs="+")
    a = ap.parse_args(argv)
    import torch
    import check_torch_predict as ctp
    torch.set_grad_enabled(False)
    for path in a.checkpoints:
        cfg, state, meta = ctp.read_checkpoint(path)
        model, w = ctp.reference_model(cfg, state), ctp.window_transform(cfg, meta)
        T, K = meta["input_steps"], len(meta["target_features"])
        if not 1 <= a.step <= meta["horizon"]:
            sys.exit("forecast_moves: --step must be in 1 .. %d" % meta["horizon"])
        with h5py.File(a.data, "r") as f:
            series, starts = f[a.split]["series"][:], f[a.split]["starts"][:]
            targets = f[a.split]["targets"][:].reshape(len(starts), -1).astype(np.float64)
        x = np.stack([series[i:i + T] for i in starts]).astype(np.float32)
        centre, spread = w.stats(x)
        y = np.stack([model(torch.from_numpy(v[None])).reshape(-1).numpy() for v in w.inputs(x, centre, spread)])
        y = y.astype(np.float64)
        if not w.identity():
            base, scale = w.output_map(x, centre, spread)
            y = base + y * scale
        c = (a.step - 1) * K
        factor = meta["factor"][meta["target_features"][0]]
        last = w.persistence(x)[:, c]
        move, actual = (y[:, c] - last) * factor, (targets[:, c] - last) * factor
        print("%s: %d windows, step %d: predicted change mean %.4g sd %.4g mean|.| %.4g; actual change mean %.4g "
              "sd %.4g mean|.| %.4g; correlation %.3f; same sign %.3f"
              % (path, len(x), a.step, move.mean(), move.std(), np.abs(move).mean(), actual.mean(), actual.std(),
                 np.abs(actual).mean(), np.corrcoef(move, actual)[0, 1], np.mean(np.sign(move) == np.sign(actual))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
