#!/usr/bin/python3
"""make_optim_fixtures.py: writes tests/fixtures/optim_reference.h5, torch.optim's answers
for recur's optimizers, gradient clipping and learning-rate schedules.

Every optimizer case applies one torch.optim optimizer (float64, foreach=False) to the same
starting parameters and the same 12 gradients, clipping them first as recur's trainer does
(clip_grad_value_, then clip_grad_norm_), with the learning rate driven by the case's
schedule; it records the rate used at each step, the parameters after each step and the
optimizer state at the end. Every schedule case records the rate of 20 steps. The schedules
are built from torch.optim.lr_scheduler exactly as src/train/schedule.h says they map:
  constant               no scheduler
  step, exponential      StepLR(step_size, gamma) / ExponentialLR(gamma), stepped per epoch
  cosine                 CosineAnnealingLR(T_max = steps - warmup_steps, eta_min = min_lr),
                         stepped per optimizer step
  warmup_steps = W > 0   LinearLR(start_factor = 1/W, end_factor = 1, total_iters = W - 1),
                         stepped per optimizer step, chained with a per-epoch schedule;
                         in front of cosine: SequentialLR([LinearLR, Cosine], milestones=[W])
It must be run with Debian's torch (/usr/bin/python3) when the file is to be committed,
and must not tune anything to make recur pass: it only states PyTorch's view.

    /usr/bin/python3 tools/make_optim_fixtures.py [OUT.h5]

File layout:
  /                   attributes format, version, generator, torch_version
  /params0            float64 [37]: the starting parameters (a [5][5] weight and a [12]
                      bias flattened in that order; torch sees two tensors, so clip_norm is
                      a norm over both)
  /grads              float64 [12][37]: the gradient of each step, before clipping
  /optim/<case>/      attributes: every optimizer and schedule key of recur's config as the
                      text a config file would hold (optimizer, lr, ..., warmup_steps,
                      steps = 12), and steps_per_epoch (int64)
     lrs              float64 [12]: the rate torch used at each step
     params           float64 [12][37]: parameters after each step
     state/<name>     float64 [37]: torch's per-parameter state at the end, under torch's
                      names (exp_avg, exp_avg_sq, momentum_buffer, square_avg, grad_avg,
                      acc_delta, sum); attribute step (int64): updates applied
  /schedule/<case>/   attributes as above (steps = 20), steps_per_epoch
     lrs              float64 [20]: the rate of optimizer steps 1..20
"""

import os
import sys
import warnings

import h5py
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import create_group, open_reproducibly, write_dataset  # noqa: E402

torch.set_default_dtype(torch.float64)
warnings.filterwarnings("ignore", category=UserWarning)  # SequentialLR's step(0) notice

SHAPES = ((5, 5), (12,))
NUM_PARAMS = 37
STEPS = 12
SCHEDULE_STEPS = 20
STEPS_PER_EPOCH = 3

# recur's defaults for every key this file sets (docs/CONFIG.md), except clip_norm: off here.
DEFAULTS = dict(optimizer="sgd", lr=0.1, momentum=0.0, nesterov=0, beta1=0.9, beta2=0.999,
                eps=0.0, alpha=0.99, centered=0, rho=0.9, lr_decay=0.0, initial_accumulator=0.0,
                weight_decay=0.0, clip_norm=0.0, clip_value=0.0, schedule="constant",
                step_size=1, gamma=0.1, min_lr=0.0, warmup_steps=0)
DEFAULT_EPS = dict(adam=1e-8, adamw=1e-8, rmsprop=1e-8, adadelta=1e-6, adagrad=1e-10)


def optimizer_cases():
    """(name, config overrides): plain, with weight decay, each optimizer with clipping once,
    and a few with a schedule driving the rate."""
    return [
        ("sgd", dict(lr=0.02)),
        ("sgd_momentum", dict(lr=0.01, momentum=0.9)),
        ("sgd_nesterov", dict(lr=0.01, momentum=0.9, nesterov=1)),
        ("sgd_weight_decay", dict(lr=0.02, weight_decay=0.5)),
        ("sgd_momentum_weight_decay", dict(lr=0.02, momentum=0.5, weight_decay=0.5)),
        ("adam", dict(optimizer="adam", lr=0.01)),
        ("adam_weight_decay", dict(optimizer="adam", lr=0.01, beta1=0.8, beta2=0.99, eps=1e-6,
                                   weight_decay=0.1)),
        ("adamw_weight_decay", dict(optimizer="adamw", lr=0.01, weight_decay=0.1)),
        ("rmsprop", dict(optimizer="rmsprop", lr=0.01)),
        ("rmsprop_momentum_centered", dict(optimizer="rmsprop", lr=0.01, alpha=0.9, momentum=0.8,
                                           centered=1, weight_decay=0.01)),
        ("rmsprop_centered", dict(optimizer="rmsprop", lr=0.005, centered=1)),
        ("adadelta", dict(optimizer="adadelta", lr=1.0)),
        ("adadelta_weight_decay", dict(optimizer="adadelta", lr=0.5, rho=0.8, eps=1e-5,
                                       weight_decay=0.02)),
        ("adagrad", dict(optimizer="adagrad", lr=0.1, lr_decay=0.01, initial_accumulator=0.1)),
        ("adagrad_weight_decay", dict(optimizer="adagrad", lr=0.05, weight_decay=0.03)),
        # clipping: every optimizer once
        ("sgd_clip_norm", dict(lr=0.1, clip_norm=1.0)),
        ("sgd_momentum_clip_value", dict(lr=0.05, momentum=0.9, clip_value=0.5)),
        ("adam_clip_norm", dict(optimizer="adam", lr=0.01, clip_norm=2.0)),
        ("adamw_clip_value_and_norm", dict(optimizer="adamw", lr=0.01, weight_decay=0.01,
                                           clip_value=2.0, clip_norm=3.0)),
        ("rmsprop_clip_norm", dict(optimizer="rmsprop", lr=0.01, momentum=0.5, clip_norm=1.0)),
        ("adadelta_clip_value", dict(optimizer="adadelta", lr=1.0, clip_value=0.1)),
        ("adagrad_clip_norm", dict(optimizer="adagrad", lr=0.1, clip_norm=0.5)),
        # a schedule driving the rate of a stateful optimizer
        ("sgd_momentum_step_warmup", dict(lr=0.01, momentum=0.9, schedule="step", step_size=2,
                                          gamma=0.5, warmup_steps=4)),
        ("adamw_cosine_warmup", dict(optimizer="adamw", lr=0.01, weight_decay=0.1,
                                     schedule="cosine", min_lr=0.001, warmup_steps=3)),
        ("adagrad_exponential", dict(optimizer="adagrad", lr=0.1, lr_decay=0.05,
                                     schedule="exponential", gamma=0.9)),
    ]


def schedule_cases():
    cases = []
    for name, over in (("constant", {}),
                       ("step", dict(schedule="step", step_size=2, gamma=0.5)),
                       ("exponential", dict(schedule="exponential", gamma=0.9)),
                       ("cosine", dict(schedule="cosine", min_lr=0.01))):
        cases.append((name, over))
        cases.append((name + "_warmup", dict(over, warmup_steps=5)))
    return cases


def make_optimizer(params, cfg):
    """The torch.optim optimizer recur's config names, with recur's eps rule (0 = default)."""
    kind, lr, wd = cfg["optimizer"], cfg["lr"], cfg["weight_decay"]
    eps = cfg["eps"] or DEFAULT_EPS.get(kind, 0.0)
    if kind == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=cfg["momentum"],
                               nesterov=bool(cfg["nesterov"]), weight_decay=wd, foreach=False)
    if kind in ("adam", "adamw"):
        cls = torch.optim.Adam if kind == "adam" else torch.optim.AdamW
        return cls(params, lr=lr, betas=(cfg["beta1"], cfg["beta2"]), eps=eps,
                   weight_decay=wd, foreach=False)
    if kind == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, alpha=cfg["alpha"], eps=eps, weight_decay=wd,
                                   momentum=cfg["momentum"], centered=bool(cfg["centered"]),
                                   foreach=False)
    if kind == "adadelta":
        return torch.optim.Adadelta(params, lr=lr, rho=cfg["rho"], eps=eps, weight_decay=wd,
                                    foreach=False)
    if kind == "adagrad":
        return torch.optim.Adagrad(params, lr=lr, lr_decay=cfg["lr_decay"], weight_decay=wd,
                                   initial_accumulator_value=cfg["initial_accumulator"], eps=eps,
                                   foreach=False)
    raise ValueError(kind)


def make_schedulers(opt, cfg, total_steps):
    """(per-step schedulers, per-epoch schedulers) as schedule.h maps recur's schedules."""
    sched = torch.optim.lr_scheduler
    warmup = cfg["warmup_steps"]
    per_step, per_epoch = [], []
    ramp = None
    if warmup > 0:
        ramp = sched.LinearLR(opt, start_factor=1.0 / warmup, end_factor=1.0,
                              total_iters=warmup - 1)
    if cfg["schedule"] == "cosine":
        cosine = sched.CosineAnnealingLR(opt, T_max=total_steps - warmup, eta_min=cfg["min_lr"])
        per_step.append(sched.SequentialLR(opt, [ramp, cosine], milestones=[warmup])
                        if ramp else cosine)
        return per_step, per_epoch
    if ramp:
        per_step.append(ramp)
    if cfg["schedule"] == "step":
        per_epoch.append(sched.StepLR(opt, step_size=cfg["step_size"], gamma=cfg["gamma"]))
    elif cfg["schedule"] == "exponential":
        per_epoch.append(sched.ExponentialLR(opt, gamma=cfg["gamma"]))
    return per_step, per_epoch


def advance(per_step, per_epoch, step):
    """The scheduler steps that follow optimizer step `step` (1-based)."""
    for s in per_step:
        s.step()
    if step % STEPS_PER_EPOCH == 0:
        for s in per_epoch:
            s.step()


def split(flat):
    """A flat [37] vector as the two parameter tensors."""
    out, at = [], 0
    for shape in SHAPES:
        size = int(np.prod(shape))
        out.append(torch.tensor(flat[at:at + size]).reshape(shape))
        at += size
    return out


def flat(tensors):
    return np.concatenate([t.detach().numpy().ravel() for t in tensors])


def inputs():
    """The starting parameters and the gradient sequence: normal values at step scales from
    1e-7 to 10, two elements 10 times larger and two 1e4 times smaller than the rest, one
    element whose gradient is always 0 and one that is 0 every other step."""
    rng = np.random.default_rng(20261124)
    params0 = rng.standard_normal(NUM_PARAMS)
    scales = np.array([1.0, 0.3, 5.0, 1e-4, 2.0, 1e-7, 10.0, 1.0, 0.05, 3.0, 1e-3, 0.7])
    grads = rng.standard_normal((STEPS, NUM_PARAMS)) * scales[:, None]
    grads[:, 3] *= 1e-4
    grads[:, 17] *= 1e-4
    grads[:, 8] *= 10.0
    grads[:, 30] *= 10.0
    grads[:, 36] = 0.0
    grads[::2, 35] = 0.0
    return params0, grads


def run_optimizer_case(cfg, params0, grads):
    params = [p.requires_grad_() for p in split(params0)]
    opt = make_optimizer(params, cfg)
    per_step, per_epoch = make_schedulers(opt, cfg, STEPS)
    lrs, after = [], []
    for k in range(1, STEPS + 1):
        for p, g in zip(params, split(grads[k - 1])):
            p.grad = g.clone()
        if cfg["clip_value"] > 0:
            torch.nn.utils.clip_grad_value_(params, cfg["clip_value"])
        if cfg["clip_norm"] > 0:
            torch.nn.utils.clip_grad_norm_(params, cfg["clip_norm"])
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        after.append(flat(params))
        advance(per_step, per_epoch, k)
    return np.array(lrs), np.array(after), final_state(opt, params)


def final_state(opt, params):
    """{name: flat [37]} for every per-parameter state tensor, and the step count."""
    names = [n for n, v in opt.state[params[0]].items() if n != "step" and v is not None]
    state = {n: flat([opt.state[p][n] for p in params]) for n in names}
    step = opt.state[params[0]].get("step")
    return state, int(step) if step is not None else STEPS  # a tensor, or an int (rmsprop)


def run_schedule_case(cfg):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=cfg["lr"])
    per_step, per_epoch = make_schedulers(opt, cfg, SCHEDULE_STEPS)
    lrs = []
    for k in range(1, SCHEDULE_STEPS + 1):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        advance(per_step, per_epoch, k)
    return np.array(lrs)


def config_text(value):
    """A value as a config file would hold it (repr round-trips a float64 exactly)."""
    return value if isinstance(value, str) else repr(value)


def write_config(group, cfg, steps):
    for key, value in cfg.items():
        group.attrs[key] = np.bytes_(config_text(value))
    group.attrs["steps"] = np.bytes_(str(steps))
    group.attrs["steps_per_epoch"] = np.int64(STEPS_PER_EPOCH)


def write_optimizer_cases(f, params0, grads):
    root = create_group(f, "optim")
    for name, over in optimizer_cases():
        cfg = dict(DEFAULTS, **over)
        lrs, after, (state, step) = run_optimizer_case(cfg, params0, grads)
        g = create_group(root, name)
        write_config(g, cfg, STEPS)
        write_dataset(g, "lrs", lrs)
        write_dataset(g, "params", after)
        sg = create_group(g, "state")
        sg.attrs["step"] = np.int64(step)
        for sname, values in sorted(state.items()):
            write_dataset(sg, sname, values)
        print("optim/%-28s state %-40s |w| max %.4g" % (name, ",".join(sorted(state)),
                                                        np.abs(after[-1]).max()))


def write_schedule_cases(f):
    root = create_group(f, "schedule")
    for name, over in schedule_cases():
        cfg = dict(DEFAULTS, **over)
        lrs = run_schedule_case(cfg)
        g = create_group(root, name)
        write_config(g, cfg, SCHEDULE_STEPS)
        write_dataset(g, "lrs", lrs)
        print("schedule/%-20s %s" % (name, " ".join("%.4g" % x for x in lrs)))


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "tests", "fixtures",
                                                               "optim_reference.h5")
    params0, grads = inputs()
    tmp = path + ".tmp"
    with open_reproducibly(tmp) as f:
        f.attrs["format"] = np.bytes_("recur-optim-fixtures")
        f.attrs["version"] = np.int64(1)
        f.attrs["generator"] = np.bytes_("tools/make_optim_fixtures.py")
        f.attrs["torch_version"] = np.bytes_(str(torch.__version__))
        write_dataset(f, "params0", params0)
        write_dataset(f, "grads", grads)
        write_optimizer_cases(f, params0, grads)
        write_schedule_cases(f)
    os.replace(tmp, path)


if __name__ == "__main__":
    main()
