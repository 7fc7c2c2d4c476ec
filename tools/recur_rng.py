"""recur_rng.py: recur's random draws in Python (numpy), for running PyTorch on exactly
what recur runs: the counter RNG of src/core/rng.h, the initial weights of
src/model/model.c (init_weights) and the epoch order of src/data/epoch_plan.c.

    from recur_rng import rng_bits, rng_uniform, rng_normal, init_like_recur, recur_epoch_batches

bench/torch_model.py uses it to time the same model from the same weights;
tools/torch_train.py --recur_init=1 --recur_order=1 trains from recur's initial weights
on recur's batch order, so the two trainers differ only in their arithmetic.
"""
import math
import sys

import numpy as np

U = np.uint64
ORDER_STREAM, BATCH_STREAM = 1 << 24, 1 << 25  # src/data/epoch_plan.c
POOL_BATCHES = 50                              # src/data/epoch_plan.h


def _mix64(z):
    z = (z ^ (z >> U(30))) * U(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> U(27))) * U(0x94D049BB133111EB)
    return z ^ (z >> U(31))


def rng_bits(seed, stream, n, start=0):
    """rng_bits(seed, stream, i) for i in [start, start + n) as a uint64 array."""
    with np.errstate(over="ignore"):
        z = _mix64(np.array([seed], dtype=U) + U(0x9E3779B97F4A7C15))
        z = _mix64(z ^ (U(stream) * U(0xD1B54A32D192ED03) + U(0x632BE59BD9B4E019)))
        idx = np.arange(start, start + n, dtype=U)
        return _mix64(z ^ (idx * U(0x9E3779B97F4A7C15)))


def rng_uniform(seed, stream, n):
    return (rng_bits(seed, stream, n) >> U(11)).astype(np.float64) * 2.0 ** -53


def rng_normal(seed, stream, n):
    u = (rng_bits(seed, stream, 2 * n) >> U(11)).astype(np.float64) * 2.0 ** -53
    u1, u2 = np.maximum(u[0::2], 1e-300), u[1::2]
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(6.283185307179586 * u2)


# ---- initial weights (src/model/model.c) ----

def recur_tensor_table(cfg):
    """(name, is_embedding, fan) in src/model/model.c's order; index = RNG stream."""
    D = 2 if cfg["bidirectional"] else 1
    H = cfg["hidden_size"]
    table = []
    if cfg["vocab_size"] > 0:
        table.append(("embedding.weight", True, 0))
    for layer in range(cfg["num_layers"]):
        for d in range(D):
            sfx = "_reverse" if d else ""
            for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                table.append((f"rnn.{kind}_l{layer}{sfx}", False, H))
    width = H * D
    if cfg["head_hidden"] > 0:
        table += [("head.hidden.weight", False, width), ("head.hidden.bias", False, width)]
        width = cfg["head_hidden"]
    table += [("head.out.weight", False, width), ("head.out.bias", False, width)]
    return table


def init_like_recur(model, cfg, seed):
    """Overwrites the parameters with recur's initial values; False if the names differ."""
    import torch
    params = dict(model.named_parameters())
    table = recur_tensor_table(cfg)
    if set(params) != {name for name, _, _ in table}:
        print("recur_rng.py: parameter names differ from recur's; keeping PyTorch's own init "
              f"(torch: {sorted(params)})", file=sys.stderr)
        return False
    with torch.no_grad():
        for stream, (name, is_embedding, fan) in enumerate(table):
            p = params[name]
            n = p.numel()
            if is_embedding:
                v = rng_normal(seed, stream, n)
            else:
                v = (2 * rng_uniform(seed, stream, n) - 1) * (1.0 / math.sqrt(fan))
            p.copy_(torch.from_numpy(v.astype(np.float32)).reshape(p.shape))
    return True


# ---- the epoch order (src/data/epoch_plan.c) ----

def _shuffle(v, seed, stream):
    """Fisher-Yates with draw rng_bits(seed, stream, i) at position i, as epoch_plan.c."""
    n = len(v)
    draws = rng_bits(seed, stream, n)
    for i in range(n - 1, 0, -1):
        j = int(draws[i] % U(i + 1))
        v[i], v[j] = v[j], v[i]
    return v


def recur_epoch_batches(lengths, batch_size, seed, epoch, first=0, limit=None):
    """The batches (arrays of example indices of the shard) recur trains on in `epoch`, in
    its order: a seeded shuffle, pools of POOL_BATCHES batches sorted longest first
    (stable), the batch order shuffled (from the first shard's stream on every rank). `first` is the shard's first example (0 with one
    rank); `limit` the examples used per epoch (all by default)."""
    n_all = len(lengths)
    n = n_all if limit is None else min(limit, n_all)
    with np.errstate(over="ignore"):
        s = int(U(seed) ^ (U(0x9E3779B97F4A7C15) * U(first + 1)))   # this shard's stream
        s0 = int(U(seed) ^ U(0x9E3779B97F4A7C15))                    # the first shard's
    order = _shuffle(list(range(n_all)), s, ORDER_STREAM + epoch)
    order = np.array(order[:n] if n < n_all else order, dtype=np.int64)
    pool = batch_size * POOL_BATCHES
    for at in range(0, n, pool):
        chunk = order[at:at + pool]
        order[at:at + pool] = chunk[np.argsort(-lengths[chunk], kind="stable")]
    starts = _shuffle(list(range(0, n, batch_size)), s0, BATCH_STREAM + epoch)  # same on every rank
    return [order[b:b + batch_size] for b in starts]
