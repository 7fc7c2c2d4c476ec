#!/usr/bin/env python3
"""torch_train.py: train recur's model with PyTorch on a recur dataset file, for side-by-side
comparison with `recur train` (docs/RESULTS.md).

    /usr/bin/python3 tools/torch_train.py --config jobs/sst2_gru.conf [--key=value ...]

Reads the same config file and keys as `recur train` (docs/CONFIG.md; later sources win:
defaults, the file, --key=value) and the same HDF5 dataset (docs/FORMATS.md): the same
train / valid / test splits, vocabulary, batch size, optimizer (torch.optim with recur's
keys mapped), schedule (the torch.optim.lr_scheduler equivalents in src/train/schedule.h),
clipping (by value, then by global norm), epochs or steps, and seed (torch.manual_seed;
the data order is drawn the same way as recur's, per-epoch shuffle then length-grouped
batches in pools of 50 batches, but not bit-identical). The model is tools/recur_torch.py's
(PyTorch's own nn.LSTM / GRU / RNN, same parameter names and initialisation). unk_replace
replaces rare training tokens by <unk> with recur's very draws (src/train/unk_replace.h);
a valid/test <unk> class (prep's unknown_labels = unk) is scored as recur scores it.

Evaluates valid and test every `eval_every` steps, at each epoch end and after the last
step, with recur's metrics (accuracy, macro / weighted F1, per-class scores and confusion;
tagging counts real tokens only; regression MAE / RMSE / median AE / MAPE in real units
through /scaler and /target_features; series regression as recur: `target`,
`window_norm`, and the persistence / seasonal-naive baselines with skill per horizon step,
tools/recur_windows.py), and writes <run_dir>/metrics.jsonl in recur's
format (docs/TRAINING.md), so tools/plot_runs.py draws both. Writes no checkpoints.
Ends by printing the last test metrics and the wall time; `--run_dir` defaults to the
config's run_dir with `_torch` appended, so the recur run is not overwritten.
Handles classify (tokens or series windows), tag and regress dataset files.

Two options of this tool only (not recur keys): --recur_init=1 starts from recur's initial
weights for the seed (instead of PyTorch's own draw of the same distributions) and
--recur_order=1 trains on recur's exact batch order (tools/recur_rng.py ports both). With
both, and no dropout, the two trainers differ only in their floating-point arithmetic.
"""
import json
import math
import os
import sys
import time
import types
import warnings

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import recur_rng  # noqa: E402
import recur_windows  # noqa: E402

# torch and recur_torch are imported in main(), after the config is read: OpenBLAS (which
# Debian's torch calls for matrix products) takes its thread count from the environment
# when it loads, and torch.set_num_threads does not reach it.
torch = build_model = compute_loss = None

# SequentialLR (cosine with warm-up) calls scheduler.step(0) itself in torch 1.13: its warning is noise.
warnings.filterwarnings("ignore", message="The epoch parameter in ")

# recur's keys and defaults (docs/CONFIG.md); the type comes from the default.
DEFAULTS = {
    "cell": "lstm", "vocab_size": 0, "input_size": 32, "hidden_size": 64, "num_layers": 1,
    "bidirectional": 0, "dropout": 0.0, "pooling": "last", "head_hidden": 0, "head_dropout": 0.0,
    "output_size": 0, "loss": "cross_entropy", "ignore_index": -100, "huber_delta": 1.0,
    "data": "synthetic", "run_dir": "runs/demo", "batch_size": 32, "steps": 300, "epochs": 0,
    "optimizer": "sgd", "lr": 0.1, "momentum": 0.0, "nesterov": 0, "beta1": 0.9, "beta2": 0.999,
    "eps": 0.0, "alpha": 0.99, "centered": 0, "rho": 0.9, "lr_decay": 0.0,
    "initial_accumulator": 0.0, "weight_decay": 0.0, "clip_norm": 5.0, "clip_value": 0.0,
    "schedule": "constant", "step_size": 1, "gamma": 0.1, "min_lr": 0.0, "warmup_steps": 0,
    "log_every": 50, "eval_every": 100, "checkpoint_every": 0, "keep_checkpoints": 3,
    "best_metric": "auto", "resume": 0, "pretrained_embedding": 1, "freeze_embedding": 0,
    "allreduce_overlap": 1, "nonfinite": "stop", "progress": "auto", "seed": 1, "threads": 0,
    "synthetic_train_size": 2000, "synthetic_valid_size": 500, "synthetic_max_len": 24,
    "device": "cpu", "gpu": -1, "tf32": 0, "target": "auto", "window_norm": "none", "season": 0,
    "unk_replace": "auto",
}
TOOL_DEFAULTS = {"recur_init": 0, "recur_order": 0}  # this tool's own options (see above)
MODEL_KEYS = ("cell", "vocab_size", "input_size", "hidden_size", "num_layers", "bidirectional",
              "dropout", "pooling", "head_hidden", "head_dropout", "output_size", "loss",
              "ignore_index", "huber_delta")
TORCH_EPS = {"adam": 1e-8, "adamw": 1e-8, "rmsprop": 1e-8, "adadelta": 1e-6, "adagrad": 1e-10}


def fail(message):
    print("torch_train: %s" % message, file=sys.stderr)
    sys.exit(2)


# ---- configuration ----

def convert(key, text, where):
    if key not in DEFAULTS and key not in TOOL_DEFAULTS:
        fail("%s: unknown key '%s'" % (where, key))
    default = DEFAULTS.get(key, TOOL_DEFAULTS.get(key))
    try:
        if isinstance(default, float):
            return float(text)
        if isinstance(default, int):
            return int(text)
    except ValueError:
        fail("%s: %s: bad value '%s'" % (where, key, text))
    return text


def read_config_file(path):
    settings = {}
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError as e:
        fail("cannot read config file '%s': %s" % (path, e.strerror))
    for number, line in enumerate(lines, 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if "=" not in line:
            fail("%s:%d: expected 'key = value' (got '%s')" % (path, number, line))
        key, value = (s.strip() for s in line.split("=", 1))
        settings[key] = convert(key, value, "%s:%d" % (path, number))
    return settings


def parse_args(argv):
    """Defaults, then --config FILE, then --key=value; returns (settings, run_dir given?)."""
    config_path, overrides = None, {}
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in ("-h", "--help"):
            print(__doc__)
            sys.exit(0)
        if arg == "--config":
            if i + 1 >= len(argv):
                fail("--config needs a file")
            config_path, i = argv[i + 1], i + 2
            continue
        if arg.startswith("--config="):
            config_path, i = arg[len("--config="):], i + 1
            continue
        if not arg.startswith("--") or "=" not in arg:
            fail("expected --key=value (got '%s')" % arg)
        key, value = arg[2:].split("=", 1)
        overrides[key] = convert(key, value, "--" + key)
        i += 1
    settings = dict(DEFAULTS, **TOOL_DEFAULTS)
    if config_path:
        settings.update(read_config_file(config_path))
    settings.update(overrides)
    if "run_dir" not in overrides:
        settings["run_dir"] = settings["run_dir"].rstrip("/") + "_torch"
    return settings


# ---- the dataset file ----

class Split:
    """One split read whole: token sequences (with labels or tags) or series windows."""

    def __init__(self, f, name, meta):
        g = f[name]
        self.name, self.task, self.input = name, meta["task"], meta["input"]
        self.n = int(g.attrs["examples"])
        if self.input == "tokens":
            self.offsets = g["offsets"][:].astype(np.int64)
            self.tokens = g["tokens"][:].astype(np.int64)
            self.lengths = np.diff(self.offsets)
            if self.task == "tag":
                self.tags = g["tags"][:].astype(np.int64)
        else:
            self.series = g["series"][:].astype(np.float32)
            self.starts = g["starts"][:].astype(np.int64)
            self.steps = meta["input_steps"]
            self.lengths = np.full(self.n, self.steps, np.int64)
            if self.task == "regress":
                self.targets = g["targets"][:].astype(np.float32).reshape(self.n, -1)
        if self.task == "classify":
            self.labels = g["labels"][:].astype(np.int64)

    def windows(self, idx):
        """Series: the raw (scaled) windows [len(idx), input_steps, F] of the examples idx."""
        return self.series[self.starts[idx][:, None] + np.arange(self.steps)[None, :]]

    def batch(self, idx):
        """(x, lengths, labels, targets) tensors for the examples idx; series windows go
        through self.window (recur_windows.WindowTransform) when it is not the identity."""
        lengths = self.lengths[idx]
        if self.input == "tokens":
            T = int(lengths.max())
            x = np.zeros((len(idx), T), np.int64)
            tags = np.full((len(idx), T), -100, np.int64) if self.task == "tag" else None
            for b, i in enumerate(idx):
                a, e = self.offsets[i], self.offsets[i + 1]
                x[b, :e - a] = self.tokens[a:e]
                if tags is not None:
                    tags[b, :e - a] = self.tags[a:e]
        else:
            x = self.windows(idx)
            tags = None
        labels = tags if self.task == "tag" else (self.labels[idx] if self.task == "classify" else None)
        targets = torch.from_numpy(self.targets[idx]) if self.task == "regress" else None
        w = getattr(self, "window", None)
        if self.input == "series" and w is not None and not w.identity():
            centre, spread = w.stats(x)
            if self.task == "regress":
                base, scale = w.output_map(x, centre, spread)
                y = (self.targets[idx].astype(np.float64) - base) / scale
                targets = torch.from_numpy(y.astype(np.float32))
            x = w.inputs(x, centre, spread)
        return (torch.from_numpy(x), torch.from_numpy(lengths),
                None if labels is None else torch.from_numpy(labels), targets)


def attr(f, name, default=None):
    v = f.attrs.get(name, default)
    if isinstance(v, bytes):
        v = v.decode()
    if isinstance(v, np.generic):
        v = v.item()
    return v


def strings(ds):
    return [s.decode() if isinstance(s, bytes) else str(s) for s in ds[:]]


def load_dataset(path):
    if path == "synthetic":
        fail("data = synthetic is recur's built-in corpus; give a dataset file made by `recur prep`")
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        fail("cannot open dataset '%s': %s" % (path, e))
    with f:
        if attr(f, "format") != "recur-dataset":
            fail("%s: not a recur dataset file" % path)
        meta = {k: attr(f, k) for k in ("task", "input", "num_classes", "vocab_size", "num_features",
                                         "num_targets", "input_steps", "horizon", "fingerprint")}
        meta["classes"] = strings(f["classes"]) if "classes" in f else None
        meta["unknown_class"] = attr(f, "unknown_class")  # valid/test's <unk> class (id num_classes), or None
        meta["embedding"] = f["embedding"][:].astype(np.float32) if "embedding" in f else None
        if meta["task"] == "regress":
            tf = f["target_features"][:].astype(np.int64)
            offset, factor = f["scaler/offset"][:], f["scaler/factor"][:]
            outputs = meta["horizon"] * meta["num_targets"]
            feat = [tf[c % meta["num_targets"]] for c in range(outputs)]
            meta["target_offset"] = np.array([offset[k] for k in feat], np.float64)
            meta["target_factor"] = np.array([factor[k] for k in feat], np.float64)
            meta["target_features"] = tf
            meta["change_factor"] = f["change_scaler/factor"][:].reshape(-1) if "change_scaler/factor" in f else None
        splits = {name: Split(f, name, meta) for name in ("train", "valid", "test")}
    return meta, splits


def setup_windows(s, meta, splits):
    """Series regression: every split gets recur's window transform (target resolved as
    recur resolves it) and the season of the seasonal-naive baseline."""
    if meta["input"] != "series":
        return
    if meta["task"] != "regress":  # window classification: the inputs only
        for split in splits.values():
            split.window = recur_windows.WindowTransform("level", s["window_norm"], [], 0, None)
        return
    try:
        target = recur_windows.resolve_target(s["target"], meta["task"], meta["change_factor"])
    except ValueError as e:
        fail(str(e))
    if s["season"] > meta["input_steps"]:
        fail("season: %d is longer than the windows (input_steps = %d)" % (s["season"], meta["input_steps"]))
    w = recur_windows.WindowTransform(target, s["window_norm"], meta["target_features"], meta["horizon"],
                                      meta["change_factor"])
    for split in splits.values():
        split.window, split.season = w, s["season"]


def model_config(s, meta):
    """The model keys, with the sizes the data fixes (as src/train/train_data.c)."""
    m = {k: s[k] for k in MODEL_KEYS}
    if meta["task"] == "regress":
        outputs = meta["horizon"] * meta["num_targets"]
    else:
        outputs = meta["num_classes"]
    if meta["input"] == "series":
        m["vocab_size"], m["input_size"] = 0, meta["num_features"]
    elif m["vocab_size"] == 0:
        m["vocab_size"] = meta["vocab_size"]
        if meta["embedding"] is not None and s["pretrained_embedding"]:
            m["input_size"] = meta["embedding"].shape[1]
    elif m["vocab_size"] < meta["vocab_size"]:
        fail("vocab_size: %d is smaller than the vocabulary (%d)" % (m["vocab_size"], meta["vocab_size"]))
    if m["output_size"] == 0:
        m["output_size"] = outputs
    elif m["output_size"] != outputs:
        fail("output_size: %d, but the data has %d outputs" % (m["output_size"], outputs))
    if meta["task"] == "tag" and m["pooling"] != "none":
        fail("a tagging dataset needs pooling = none")
    if meta["task"] != "tag" and m["pooling"] == "none":
        fail("pooling = none is for tagging datasets")
    return m


# ---- batches (docs/FORMATS.md, "Shards and batches") ----

def cut(order, lengths, batch_size):
    """Pools of POOL_BATCHES batches, each pool sorted by length (longest first), cut."""
    batches, pool = [], recur_rng.POOL_BATCHES * batch_size
    for p in range(0, len(order), pool):
        chunk = order[p:p + pool]
        chunk = chunk[np.argsort(-lengths[chunk], kind="stable")]
        batches += [chunk[b:b + batch_size] for b in range(0, len(chunk), batch_size)]
    return batches


def train_plan(split, batch_size, seed, epoch):
    rng = np.random.default_rng([seed, epoch])
    batches = cut(rng.permutation(split.n), split.lengths, batch_size)
    return [batches[i] for i in rng.permutation(len(batches))]


# ---- unknown-word replacement (src/train/unk_replace.c) ----

UNK, SPECIALS, UNK_STREAM = 1, 4, 0x756E6B72


def unk_replace_probabilities(s, meta, train):
    """Per vocabulary id, the chance that a training token becomes <unk>: alpha / (alpha + n)
    for an id seen n > 0 times in train (never a special); None when unk_replace is off."""
    setting = s["unk_replace"]
    try:
        alpha = (0.25 if meta["task"] == "tag" else 0.0) if setting == "auto" else float(setting)
    except ValueError:
        fail("unk_replace = '%s': give auto, 0 (off) or alpha > 0" % setting)
    if not alpha > 0 or train.input != "tokens":
        return None
    count = np.bincount(train.tokens, minlength=meta["vocab_size"]).astype(np.float64)
    p = np.where(count > 0, alpha / (alpha + np.maximum(count, 1)), 0.0)
    p[:SPECIALS] = 0.0
    print("torch_train: unk_replace = %g (n = 1: %.3f)" % (alpha, alpha / (alpha + 1)), flush=True)
    return p


def unk_replace(x, idx, prob, seed, epoch):
    """recur's draws: token t of example i becomes <unk> when
    rng_uniform(rng_bits(seed, UNK_STREAM, epoch), i, t) < prob[token]. x [B, T] in place."""
    if prob is None:
        return x
    epoch_seed = int(recur_rng.rng_bits(seed, UNK_STREAM, 1, start=epoch)[0])
    xs = x.numpy()
    for b, i in enumerate(idx):  # padding is <pad>, never replaced: draw over the whole row
        hit = recur_rng.rng_uniform(epoch_seed, int(i), xs.shape[1]) < prob[xs[b]]
        xs[b][hit] = UNK
    return x


# ---- optimizer and schedule ----

def make_optimizer(s, params):
    name, lr, wd = s["optimizer"], s["lr"], s["weight_decay"]
    eps = s["eps"] if s["eps"] > 0 else TORCH_EPS.get(name, 0.0)
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=s["momentum"], nesterov=bool(s["nesterov"]),
                               weight_decay=wd)
    if name in ("adam", "adamw"):
        cls = torch.optim.Adam if name == "adam" else torch.optim.AdamW
        return cls(params, lr=lr, betas=(s["beta1"], s["beta2"]), eps=eps, weight_decay=wd)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, alpha=s["alpha"], eps=eps, weight_decay=wd,
                                   momentum=s["momentum"], centered=bool(s["centered"]))
    if name == "adadelta":
        return torch.optim.Adadelta(params, lr=lr, rho=s["rho"], eps=eps, weight_decay=wd)
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=lr, lr_decay=s["lr_decay"], weight_decay=wd,
                                   initial_accumulator_value=s["initial_accumulator"], eps=eps)
    fail("optimizer: unknown '%s'" % name)


def make_schedulers(s, opt, total_steps):
    """(per-step schedulers, per-epoch schedulers), as src/train/schedule.h lists them."""
    from torch.optim import lr_scheduler as L
    W, kind = s["warmup_steps"], s["schedule"]
    # recur's warm-up of W steps: lr * step / W for steps 1 .. W-1; cosine starts after step W.
    # W = 1 leaves the rate alone but still delays cosine by a step: a constant placeholder.
    if W > 1:
        warm = lambda: L.LinearLR(opt, start_factor=1.0 / W, end_factor=1.0, total_iters=W - 1)
    elif W == 1:
        warm = lambda: L.LambdaLR(opt, lambda _: 1.0)
    else:
        warm = None
    if kind == "cosine":
        cos = L.CosineAnnealingLR(opt, T_max=max(total_steps - W, 1), eta_min=s["min_lr"])
        if warm:
            return [L.SequentialLR(opt, [warm(), cos], milestones=[W])], []
        return [cos], []
    per_step = [warm()] if warm else []
    if kind == "step":
        return per_step, [L.StepLR(opt, step_size=s["step_size"], gamma=s["gamma"])]
    if kind == "exponential":
        return per_step, [L.ExponentialLR(opt, gamma=s["gamma"])]
    if kind != "constant":
        fail("schedule: unknown '%s'" % kind)
    return per_step, []


# ---- evaluation ----

def evaluate(model, mcfg, split, meta, batch_size):
    model.eval()
    loss_sum, items = 0.0, 0
    preds, truth, errors = [], [], []
    order = np.arange(split.n)
    with torch.no_grad():
        for idx in cut(order, split.lengths, batch_size):
            x, lengths, labels, targets = split.batch(idx)
            out = model(x, lengths)
            if labels is not None:  # the <unk> class has no logit: out of the loss, a miss below
                for_loss = labels.masked_fill(labels == meta["num_classes"], mcfg["ignore_index"])
            if meta["task"] == "tag":
                valid = torch.arange(x.shape[1]).unsqueeze(0) < lengths.unsqueeze(1)
                n = int((valid & (for_loss != mcfg["ignore_index"])).sum())
                loss_sum += float(compute_loss(mcfg, out, lengths, labels=for_loss)) * n
                preds.append(out[valid].argmax(1).numpy()), truth.append(labels[valid].numpy())
            elif meta["task"] == "classify":
                n = int((for_loss != mcfg["ignore_index"]).sum())
                loss_sum += float(compute_loss(mcfg, out, lengths, labels=for_loss)) * n
                preds.append(out.argmax(1).numpy()), truth.append(labels.numpy())
            else:
                n = out.numel()
                loss_sum += float(compute_loss(mcfg, out, lengths, targets=targets)) * n
                errors.append(levels(split, idx, out.double().numpy()))
            items += n
    model.train()
    result = {"loss": loss_sum / max(items, 1), "samples": split.n, "items": items}
    if meta["task"] == "regress":
        result.update(regression_metrics(errors, meta))
        if getattr(split, "window", None) is not None:
            result.update(forecast_fields(errors, split, meta))
    else:
        result.update(class_metrics(np.concatenate(truth), np.concatenate(preds), meta))
    return result


def levels(split, idx, out):
    """(model levels, target levels, persistence, seasonal) of the examples idx, scaled
    units, float64 [len(idx), outputs]: the outputs mapped back through the window transform."""
    target = split.targets[idx].astype(np.float64)
    w = getattr(split, "window", None)
    if w is None:
        return out, target, None, None
    x = split.windows(idx)
    if not w.identity():
        base, scale = w.output_map(x, *w.stats(x))
        out = base + out * scale
    return out, target, w.persistence(x), (w.seasonal(x, split.season) if split.season else None)


def forecast_fields(errors, split, meta):
    cat = lambda k: np.concatenate([e[k] for e in errors])  # noqa: E731
    seasonal = cat(3) if split.season else None
    return recur_windows.forecast_metrics(cat(0), cat(1), {"persistence": cat(2), "seasonal": seasonal},
                                          meta["target_factor"], meta["horizon"], meta["num_targets"],
                                          split.season)


def regression_metrics(errors, meta):
    pred = np.concatenate([e[0] for e in errors])
    target = np.concatenate([e[1] for e in errors])
    factor, offset = meta["target_factor"], meta["target_offset"]
    e = np.abs((pred - target) * factor)
    real = np.abs(target * factor + offset)
    counted = real > np.maximum(0.1 * np.abs(factor), 1e-8)  # near zero: left out (regression_metrics.h)
    return {"mae": float(e.mean()), "rmse": float(math.sqrt((e ** 2).mean())),
            "median_ae": float(np.median(e)),
            "mape": float(100 * (e[counted] / real[counted]).mean()) if counted.any() else None,
            "mape_excluded": int((~counted).sum())}


def class_metrics(truth, pred, meta):
    """recur's scores; with the <unk> class (meta["unknown_class"]) one more row and column,
    never predicted, and left out of the macro mean."""
    K = meta["num_classes"]
    C = K + (meta["unknown_class"] is not None)
    conf = np.bincount(truth * C + pred, minlength=C * C).reshape(C, C)
    names = (meta["classes"] or [str(k) for k in range(K)]) + ["<unk>"] * (C - K)
    ratio = lambda a, b: float(a) / float(b) if b else 0.0  # noqa: E731
    per_class, f1s, support = [], [], conf.sum(1)
    for k in range(C):
        tp, predicted = conf[k, k], conf[:, k].sum()
        f1 = ratio(2 * tp, support[k] + predicted)
        f1s.append(f1)
        per_class.append({"class": names[k], "precision": ratio(tp, predicted),
                          "recall": ratio(tp, support[k]), "f1": f1, "support": int(support[k])})
    return {"accuracy": ratio(np.trace(conf), conf.sum()), "macro_f1": float(np.mean(f1s[:K])),
            "weighted_f1": ratio(float(np.dot(f1s, support)), support.sum()),
            "per_class": per_class, "confusion": conf.tolist()}


# ---- the log ----

def json_number(v):
    return None if v is None or (isinstance(v, float) and not math.isfinite(v)) else v


def write_line(log, record):
    record = {k: json_number(v) if not isinstance(v, (list, str)) else v for k, v in record.items()}
    log.write(json.dumps(record, ensure_ascii=False) + "\n")
    log.flush()


def human_line(step, name, r, task):
    text = "eval  step %d %s: loss %.4f" % (step, name, r["loss"])
    if task == "regress":
        text += "  mae %.5g  rmse %.5g  median_ae %.5g (real units)" % (r["mae"], r["rmse"], r["median_ae"])
        for b in ("persistence", "seasonal"):
            if b + "_mae" in r:
                text += "  %s mae %.5g (skill %.3f)" % (b, r[b + "_mae"], r["skill_" + b])
        return text
    return text + "  accuracy %.4f  macro_f1 %.4f" % (r["accuracy"], r["macro_f1"])


# ---- training ----

def import_torch(threads):
    global torch, build_model, compute_loss
    if threads > 0:
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
            os.environ.setdefault(var, str(threads))
    import torch as torch_module
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from recur_torch import build_model as build, compute_loss as loss
    torch, build_model, compute_loss = torch_module, build, loss
    if threads > 0:
        torch.set_num_threads(threads)


def unpacked_recurrent(self, x, lengths):
    """RecurModel.recurrent for one direction without packing: the padded batch runs
    whole, then padding is zeroed and each sample's state is read at its own last step.
    The same numbers as packing (a forward recurrence never looks ahead, so the steps
    past a sample's length cannot change its real ones), but torch 1.13's CPU backward
    through a PackedSequence slices the input once per step into full-size gradient
    buffers (SliceBackward0 + add: quadratic in the length, 10 s per IMDB batch of 256
    steps instead of 0.2 s). Only the top layer's state is returned: that is all that
    pooling uses with one direction."""
    out, _ = self.rnn(x)
    T, B = x.shape[1], x.shape[0]
    lengths = lengths.to(out.device)
    valid = torch.arange(T, device=out.device).unsqueeze(0) < lengths.unsqueeze(1)
    out = out.masked_fill(~valid.unsqueeze(2), 0.0)
    last = out[torch.arange(B, device=out.device), lengths - 1]
    return out, last.unsqueeze(0)


def main(argv):
    s = parse_args(argv)
    start = time.time()
    import_torch(s["threads"])
    torch.manual_seed(s["seed"] % (2 ** 63))
    meta, splits = load_dataset(s["data"])
    train = splits["train"]
    if train.n == 0:
        fail("%s: the training split is empty" % s["data"])
    mcfg = model_config(s, meta)
    setup_windows(s, meta, splits)
    model = build_model(mcfg)
    if s["recur_init"] and not recur_rng.init_like_recur(model, mcfg, s["seed"]):
        fail("--recur_init=1: the model's parameter names differ from recur's")
    if model.directions == 1 and isinstance(model.rnn, (torch.nn.RNN, torch.nn.LSTM, torch.nn.GRU)):
        model.recurrent = types.MethodType(unpacked_recurrent, model)
    if hasattr(model, "embedding") and meta["embedding"] is not None and s["pretrained_embedding"] \
            and mcfg["vocab_size"] == meta["vocab_size"]:
        with torch.no_grad():
            model.embedding.weight.copy_(torch.from_numpy(meta["embedding"]))
    if s["freeze_embedding"] and hasattr(model, "embedding"):
        model.embedding.weight.requires_grad_(False)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = make_optimizer(s, params)
    unk_prob = unk_replace_probabilities(s, meta, train)
    B = s["batch_size"]
    per_epoch = math.ceil(train.n / B)
    total = s["epochs"] * per_epoch if s["epochs"] > 0 else s["steps"]
    step_scheds, epoch_scheds = make_schedulers(s, opt, total)
    os.makedirs(s["run_dir"], exist_ok=True)
    log = open(os.path.join(s["run_dir"], "metrics.jsonl"), "w", encoding="utf-8")
    print("torch_train: %s, %d layer(s)%s, hidden %d: %d parameters; %d train / %d valid / %d test "
          "examples (data %s); %d steps of %d (%d per epoch); %d threads"
          % (mcfg["cell"], mcfg["num_layers"], " bidirectional" if mcfg["bidirectional"] else "",
             mcfg["hidden_size"], sum(p.numel() for p in model.parameters()), train.n, splits["valid"].n,
             splits["test"].n, meta["fingerprint"], total, B, per_epoch, torch.get_num_threads()), flush=True)
    last = {}
    step, epoch, skipped = 0, 0, 0
    loss_sum, loss_steps, samples, since = 0.0, 0, 0, time.time()
    model.train()
    while step < total:
        if s["recur_order"]:
            plan = recur_rng.recur_epoch_batches(train.lengths, B, s["seed"], epoch)
        else:
            plan = train_plan(train, B, s["seed"], epoch)
        for bi, idx in enumerate(plan):
            x, lengths, labels, targets = train.batch(idx)
            x = unk_replace(x, idx, unk_prob, s["seed"], epoch)
            out = model(x, lengths)
            loss = compute_loss(mcfg, out, lengths, labels=labels, targets=targets)
            opt.zero_grad()
            loss.backward()
            grads_ok = math.isfinite(float(loss)) and all(
                bool(torch.isfinite(p.grad).all()) for p in params if p.grad is not None)
            step += 1
            if not grads_ok:
                if s["nonfinite"] == "stop":
                    write_line(log, {"step": step, "epoch": epoch, "event": "nonfinite", "loss": float(loss)})
                    print("torch_train: step %d: loss or gradient not finite: training diverged" % step,
                          file=sys.stderr)
                    sys.exit(1)
                skipped += 1
            else:
                if s["clip_value"] > 0:
                    torch.nn.utils.clip_grad_value_(params, s["clip_value"])
                if s["clip_norm"] > 0:
                    torch.nn.utils.clip_grad_norm_(params, s["clip_norm"])
                lr_now = opt.param_groups[0]["lr"]
                opt.step()
                loss_sum, loss_steps = loss_sum + float(loss), loss_steps + 1
            for sch in step_scheds:
                sch.step()
            samples += len(idx)
            epoch_end, is_last = bi == len(plan) - 1, step == total
            if step % s["log_every"] == 0 or is_last:
                rate = samples / max(time.time() - since, 1e-9)
                write_line(log, {"step": step, "epoch": epoch, "split": "train",
                                 "loss": loss_sum / loss_steps if loss_steps else None, "lr": lr_now,
                                 "samples_per_s": round(rate, 1), "skipped": skipped,
                                 "wall_s": round(time.time() - start, 3)})
                print("step %d epoch %d loss %.4f lr %.4g %.0f samples/s" %
                      (step, epoch, loss_sum / max(loss_steps, 1), lr_now, rate), flush=True)
                loss_sum, loss_steps, samples, since = 0.0, 0, 0, time.time()
            if (s["eval_every"] > 0 and step % s["eval_every"] == 0) or epoch_end or is_last:
                for name in ("valid", "test"):
                    if splits[name].n == 0:
                        continue
                    r = evaluate(model, mcfg, splits[name], meta, B)
                    last[name] = r
                    write_line(log, dict({"step": step, "epoch": epoch, "split": name}, **r,
                                         wall_s=round(time.time() - start, 3)))
                    print(human_line(step, name, r, meta["task"]), flush=True)
            if is_last:
                break
        for sch in epoch_scheds:
            sch.step()
        epoch += 1
    log.close()
    wall = time.time() - start
    t = last.get("test") or last.get("valid")
    if meta["task"] == "regress":
        print("torch_train: final test mae %.6g rmse %.6g median_ae %.6g (real units); wall %.1f s"
              % (t["mae"], t["rmse"], t["median_ae"], wall))
    else:
        print("torch_train: final test accuracy %.4f macro_f1 %.4f; wall %.1f s" % (t["accuracy"], t["macro_f1"], wall))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
