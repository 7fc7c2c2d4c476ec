"""recur_torch.py: recur's model written as a PyTorch user would write it.

Holds the reference for tools/make_fixtures.py and the PyTorch side of bench/: embedding
or dense input, a torch.nn.RNN / LSTM / GRU over packed sequences, pooling, an optional
hidden head layer, the output layer, and the losses, with state_dict() names equal to
recur's parameter names (src/model/model.h). It must not hold recur's own arithmetic
tricks: the point is to be an independent, idiomatic statement of the same model.

Shapes here are batch-first, as in PyTorch: x [B, T] int64 tokens or [B, T, F] features,
lengths [B] (each in [1, T]); logits [B, C] (pooled) or [B, T, C] (pooling 'none').
Sample b has steps t < lengths[b]; padding never influences anything.

    model = build_model(cfg)            # cfg: ModelConfig field names -> values
    logits = model(x, lengths)
    loss = compute_loss(cfg, logits, lengths, labels=..., targets=...)
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

CELLS = ("rnn_tanh", "rnn_relu", "lstm", "gru", "gru_textbook")
POOLINGS = ("last", "mean", "max", "none")
LOSSES = ("cross_entropy", "bce", "mse", "l1", "huber")

# Keys a cfg may leave out, and what they then mean here (recur's own defaults are
# documented with its config keys in src/config); the rest are required.
OPTIONAL = {
    "vocab_size": 0, "num_layers": 1, "bidirectional": 0, "dropout": 0.0, "pooling": "last",
    "head_hidden": 0, "head_dropout": 0.0, "loss": "cross_entropy", "ignore_index": -100,
    "huber_delta": 1.0,
}
REQUIRED = ("cell", "input_size", "hidden_size", "output_size")
_INTS = ("vocab_size", "input_size", "hidden_size", "num_layers", "bidirectional",
         "head_hidden", "output_size", "ignore_index")
_FLOATS = ("dropout", "head_dropout", "huber_delta")


def normalize_config(cfg):
    """cfg with OPTIONAL filled in and values converted (config text gives strings)."""
    unknown = set(cfg) - set(OPTIONAL) - set(REQUIRED)
    if unknown:
        raise ValueError("unknown model config keys: %s" % ", ".join(sorted(unknown)))
    missing = [k for k in REQUIRED if k not in cfg]
    if missing:
        raise ValueError("missing model config keys: %s" % ", ".join(missing))
    out = dict(OPTIONAL)
    out.update(cfg)
    for k in _INTS:
        out[k] = int(out[k])
    for k in _FLOATS:
        out[k] = float(out[k])
    for k, allowed in (("cell", CELLS), ("pooling", POOLINGS), ("loss", LOSSES)):
        out[k] = str(out[k])
        if out[k] not in allowed:
            raise ValueError("%s: %r is not one of %s" % (k, out[k], ", ".join(allowed)))
    return out


class TextbookGRU(nn.Module):
    """Cho et al.'s GRU, n = tanh(W_in x + b_in + W_hn (r * h) + b_hn), which PyTorch lacks.

    Same parameter names, shapes and initialisation as torch.nn.GRU; batch-first input
    with explicit lengths. A sample past its length keeps its state and outputs zeros, so
    the reverse direction starts at the sample's own last step (as packed sequences do).
    Returns (out [B, T, H * directions], h_n [layers * directions, B, H])."""

    def __init__(self, input_size, hidden_size, num_layers=1, bidirectional=False, dropout=0.0):
        super().__init__()
        self.hidden_size, self.num_layers, self.dropout = hidden_size, num_layers, dropout
        self.directions = 2 if bidirectional else 1
        H = hidden_size
        for l in range(num_layers):
            width = input_size if l == 0 else H * self.directions
            for d in range(self.directions):
                sfx = "_l%d%s" % (l, "_reverse" if d else "")
                setattr(self, "weight_ih" + sfx, nn.Parameter(torch.empty(3 * H, width)))
                setattr(self, "weight_hh" + sfx, nn.Parameter(torch.empty(3 * H, H)))
                setattr(self, "bias_ih" + sfx, nn.Parameter(torch.empty(3 * H)))
                setattr(self, "bias_hh" + sfx, nn.Parameter(torch.empty(3 * H)))
        bound = 1.0 / math.sqrt(H)
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def _direction(self, x, valid, l, d):
        sfx = "_l%d%s" % (l, "_reverse" if d else "")
        w_ih, w_hh = getattr(self, "weight_ih" + sfx), getattr(self, "weight_hh" + sfx)
        b_ih, b_hh = getattr(self, "bias_ih" + sfx), getattr(self, "bias_hh" + sfx)
        B, T, _ = x.shape
        H = self.hidden_size
        xp = F.linear(x, w_ih, b_ih)                      # [B, T, 3H]
        h = x.new_zeros(B, H)
        outs = [None] * T
        for t in (range(T - 1, -1, -1) if d else range(T)):
            x_r, x_z, x_n = xp[:, t].chunk(3, dim=1)
            r = torch.sigmoid(x_r + F.linear(h, w_hh[:H], b_hh[:H]))
            z = torch.sigmoid(x_z + F.linear(h, w_hh[H:2 * H], b_hh[H:2 * H]))
            n = torch.tanh(x_n + F.linear(r * h, w_hh[2 * H:], b_hh[2 * H:]))
            h_new = (1 - z) * n + z * h
            m = valid[:, t].unsqueeze(1)
            h = torch.where(m, h_new, h)
            outs[t] = torch.where(m, h_new, torch.zeros_like(h_new))
        return torch.stack(outs, dim=1), h

    def forward(self, x, lengths):
        T = x.shape[1]
        valid = torch.arange(T, device=x.device).unsqueeze(0) < lengths.to(x.device).unsqueeze(1)
        finals = []
        for l in range(self.num_layers):
            if l > 0:
                x = F.dropout(x, self.dropout, self.training)
            outs = []
            for d in range(self.directions):
                y, h = self._direction(x, valid, l, d)
                outs.append(y)
                finals.append(h)
            x = torch.cat(outs, dim=2)
        return x, torch.stack(finals, dim=0)


class Head(nn.Module):
    """Optional hidden layer (Linear + tanh + dropout), then the output Linear."""

    def __init__(self, in_features, head_hidden, head_dropout, output_size):
        super().__init__()
        if head_hidden > 0:
            self.hidden = nn.Linear(in_features, head_hidden)
            self.dropout = nn.Dropout(head_dropout)
            in_features = head_hidden
        self.out = nn.Linear(in_features, output_size)

    def forward(self, x):
        if hasattr(self, "hidden"):
            x = self.dropout(torch.tanh(self.hidden(x)))
        return self.out(x)


class RecurModel(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        c = self.cfg = normalize_config(cfg)
        self.directions = 2 if c["bidirectional"] else 1
        if c["vocab_size"] > 0:
            self.embedding = nn.Embedding(c["vocab_size"], c["input_size"])
        args = dict(input_size=c["input_size"], hidden_size=c["hidden_size"],
                    num_layers=c["num_layers"], bidirectional=bool(c["bidirectional"]),
                    dropout=c["dropout"] if c["num_layers"] > 1 else 0.0)
        cell = c["cell"]
        if cell in ("rnn_tanh", "rnn_relu"):
            self.rnn = nn.RNN(nonlinearity=cell[4:], batch_first=True, **args)
        elif cell == "lstm":
            self.rnn = nn.LSTM(batch_first=True, **args)
        elif cell == "gru":
            self.rnn = nn.GRU(batch_first=True, **args)
        else:
            self.rnn = TextbookGRU(**args)
        self.head = Head(c["hidden_size"] * self.directions, c["head_hidden"],
                         c["head_dropout"], c["output_size"])

    # Pack even when every sample has all T steps (the benchmark's pack=always).
    always_pack = False

    def recurrent(self, x, lengths):
        """Top layer outputs [B, T, D] (zero at padding) and final states [L*dirs, B, H].
        A batch with no padding runs unpacked, as a PyTorch user would: same result."""
        if isinstance(self.rnn, TextbookGRU):
            return self.rnn(x, lengths)
        if not self.always_pack and bool((lengths == x.shape[1]).all()):
            out, h_n = self.rnn(x)
            return out, (h_n[0] if isinstance(h_n, tuple) else h_n)
        packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        out, h_n = self.rnn(packed)
        if isinstance(h_n, tuple):  # LSTM: (h_n, c_n)
            h_n = h_n[0]
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
        return out, h_n

    def forward(self, x, lengths):
        lengths = torch.as_tensor(lengths, dtype=torch.int64)
        if hasattr(self, "embedding"):
            x = self.embedding(x)
        out, h_n = self.recurrent(x, lengths)
        pooling = self.cfg["pooling"]
        if pooling == "last":
            pooled = torch.cat([h_n[-2], h_n[-1]], dim=1) if self.directions == 2 else h_n[-1]
        elif pooling == "none":
            pooled = out
        else:
            T = out.shape[1]
            valid = torch.arange(T, device=out.device).unsqueeze(0) < lengths.to(out.device).unsqueeze(1)
            if pooling == "mean":
                pooled = out.sum(dim=1) / lengths.to(out.device, out.dtype).unsqueeze(1)
            else:
                pooled = out.masked_fill(~valid.unsqueeze(2), float("-inf")).max(dim=1).values
        return self.head(pooled)


def build_model(cfg):
    return RecurModel(cfg)


def compute_loss(cfg, logits, lengths, labels=None, targets=None):
    """Mean loss over the counted items, as recur counts them (src/model/loss.h).

    Pooled: logits [B, C], labels [B] or targets [B, C]. Pooling 'none': logits [B, T, C],
    labels [B, T] or targets [B, T, C], and padded steps (t >= lengths[b]) are dropped.
    cross_entropy counts rows whose label != ignore_index; the others count rows x C.
    Nothing counted gives 0 (PyTorch would give nan)."""
    c = normalize_config(cfg)
    if logits.dim() == 3:
        T = logits.shape[1]
        lengths = torch.as_tensor(lengths, dtype=torch.int64, device=logits.device)
        valid = torch.arange(T, device=logits.device).unsqueeze(0) < lengths.unsqueeze(1)
        logits = logits[valid]
        labels = labels[valid] if labels is not None else None
        targets = targets[valid] if targets is not None else None
    kind = c["loss"]
    if kind == "cross_entropy":
        if not (labels != c["ignore_index"]).any():
            return logits.sum() * 0
        return F.cross_entropy(logits, labels.long(), ignore_index=c["ignore_index"])
    if logits.numel() == 0:
        return logits.sum() * 0
    if kind == "bce":
        return F.binary_cross_entropy_with_logits(logits, targets)
    if kind == "mse":
        return F.mse_loss(logits, targets)
    if kind == "l1":
        return F.l1_loss(logits, targets)
    return F.huber_loss(logits, targets, delta=c["huber_delta"])
