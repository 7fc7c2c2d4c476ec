#!/usr/bin/python3
"""make_fixtures.py: writes tests/fixtures/torch_reference.h5, PyTorch's answers for recur.

For every case (a model config, random weights, a ragged batch) it runs tools/recur_torch.py
in float64 and stores the inputs, parameters, outputs, loss and every parameter gradient in
recur's layouts, for tests/test_torch_fixtures.c to compare against the C model. It must
not be run with anything but Debian's torch (/usr/bin/python3) when the file is to be
committed, and it must not tune anything to make recur pass: it only states PyTorch's view.

    /usr/bin/python3 tools/make_fixtures.py [OUT.h5]

File layout (one group per case, named {cell}_{uni|bi}_l{layers}_{pooling}_{loss}[_dense][_head]):
  attributes  the ModelConfig: cell, pooling, loss as fixed-length ASCII strings; int64;
              float64; and the seed of the weights and batch
  tokens      int32 [T][B]        (vocab_size > 0)  or  features float64 [T][B][F]
  lengths     int32 [B]
  labels      int32 [B] or [T][B] (cross_entropy)   or  targets  float64 [B][C] / [T][B][C]
  params/<n>  float64, recur's names and shapes     grads/<n>  d(loss)/d(param)
  outputs     float64 [rows][C], row b (pooled) or t*B+b (pooling none)
  loss        float64 scalar
Time-major like recur: row t*B+b is step t of sample b. Padding steps (t >= lengths[b])
hold random tokens, features, labels and targets: they must never matter.
Every case is also checked here: each sample run alone, unpadded, gives the same outputs.
"""

import ctypes
import os
import sys

import h5py
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import recur_torch  # noqa: E402

torch.set_default_dtype(torch.float64)
torch.use_deterministic_algorithms(True)

VOCAB, EMBED, FEATURES, CLASSES, OUTPUTS = 8, 3, 3, 3, 2
BATCHES = (  # (T, lengths): ragged, one sample of length 1 in some, T > max length in some
    (6, [6, 3, 1, 5]),
    (7, [4, 7, 2]),
    (7, [5, 2, 6, 3]),
    (5, [5, 1, 4, 2]),
)
MARGIN = 1e-5  # discrete choices (max pooling, L1/Huber kinks) must be this clear


def case_list():
    """(name, cfg, options) for every case."""
    cases = []

    def add(cell, bi, layers, pooling, loss, dense=False, head=0, ignore_index=-100,
            huber_delta=1.0, ignored=0.0):
        name = "%s_%s_l%d_%s_%s%s%s" % (cell, "bi" if bi else "uni", layers, pooling, loss,
                                        "_dense" if dense else "", "_head" if head else "")
        k = len(cases)
        cfg = dict(cell=cell, vocab_size=0 if dense else VOCAB,
                   input_size=FEATURES if dense else EMBED, hidden_size=(3, 4, 3, 5)[k % 4],
                   num_layers=layers, bidirectional=int(bi), dropout=0.0, pooling=pooling,
                   head_hidden=head, head_dropout=0.0,
                   output_size=CLASSES if loss == "cross_entropy" else OUTPUTS, loss=loss,
                   ignore_index=ignore_index, huber_delta=huber_delta)
        cases.append((name, cfg, dict(batch=BATCHES[k % len(BATCHES)], ignored=ignored)))

    for cell in recur_torch.CELLS:
        for bi in (0, 1):
            for layers in (1, 2):
                for pooling in ("last", "mean", "max"):
                    add(cell, bi, layers, pooling, "cross_entropy")
    for cell in recur_torch.CELLS:  # tagging, some labels ignored
        add(cell, 0, 1, "none", "cross_entropy", ignored=0.25)
        add(cell, 1, 2, "none", "cross_entropy", ignored=0.25)
    # hidden head layer, each with its own ignore_index (one a real class index)
    add("lstm", 1, 2, "none", "cross_entropy", head=3, ignore_index=2, ignored=0.3)
    add("gru", 0, 1, "max", "cross_entropy", head=5, ignore_index=-1, ignored=0.3)
    add("rnn_tanh", 1, 1, "last", "cross_entropy", head=4, ignore_index=0, ignored=0.3)
    add("rnn_relu", 0, 1, "last", "cross_entropy", dense=True)
    # other losses, mostly on dense features
    add("lstm", 0, 1, "mean", "bce", dense=True)
    add("gru", 1, 2, "last", "bce", dense=True, head=3)
    add("gru_textbook", 0, 1, "none", "bce", dense=True)
    add("rnn_tanh", 0, 2, "last", "mse", dense=True)
    add("gru_textbook", 1, 1, "mean", "mse", dense=True)
    add("gru_textbook", 0, 1, "last", "mse")
    add("gru", 0, 1, "max", "l1", dense=True)
    add("lstm", 1, 1, "none", "l1", dense=True)
    add("rnn_relu", 1, 1, "mean", "huber", dense=True, huber_delta=0.5)
    add("lstm", 0, 2, "none", "huber", dense=True, head=4, huber_delta=0.7)
    add("rnn_tanh", 1, 2, "max", "huber", huber_delta=0.3)
    names = [c[0] for c in cases]
    assert len(set(names)) == len(names), "duplicate case names"
    return cases


def make_batch(cfg, opts, rng):
    """Batch-first tensors: x, lengths, labels or targets."""
    T, lengths = opts["batch"]
    B, C = len(lengths), cfg["output_size"]
    lengths = torch.tensor(lengths, dtype=torch.int64)
    if cfg["vocab_size"] > 0:
        x = torch.tensor(rng.integers(0, cfg["vocab_size"], (B, T)), dtype=torch.int64)
    else:
        x = torch.tensor(rng.standard_normal((B, T, cfg["input_size"])))
    tagging = cfg["pooling"] == "none"
    rows = (B, T) if tagging else (B,)
    labels = targets = None
    if cfg["loss"] == "cross_entropy":
        lab = rng.integers(0, C, rows)
        ignore = rng.random(rows) < opts["ignored"]
        if opts["ignored"] > 0 and not tagging:
            ignore[0] = True  # at least one ignored row in a pooled case
        lab[ignore] = cfg["ignore_index"]
        labels = torch.tensor(lab, dtype=torch.int64)
    elif cfg["loss"] == "bce":
        targets = torch.tensor(rng.random(rows + (C,)))
    else:
        targets = torch.tensor(rng.standard_normal(rows + (C,)))
    return x, lengths, labels, targets


def valid_mask(lengths, T):
    return torch.arange(T).unsqueeze(0) < lengths.unsqueeze(1)


def margins_ok(model, cfg, x, lengths, logits, targets):
    """True unless a discrete choice sits within MARGIN of flipping (float32 would differ)."""
    with torch.no_grad():
        if cfg["pooling"] == "max":
            xin = model.embedding(x) if hasattr(model, "embedding") else x
            out, _ = model.recurrent(xin, lengths)
            out = out.masked_fill(~valid_mask(lengths, out.shape[1]).unsqueeze(2), float("-inf"))
            top2 = out.topk(2, dim=1).values if out.shape[1] > 1 else None
            if top2 is not None:
                gap = top2[:, 0] - top2[:, 1]
                # ties at exactly 0 are relu's dead units: zero gradient either way
                tie = gap < MARGIN
                if cfg["cell"] == "rnn_relu":
                    tie &= top2[:, 0] != 0
                if tie.any():
                    return False
        if cfg["loss"] in ("l1", "huber"):
            d = (logits - targets).abs()
            if cfg["pooling"] == "none":
                d = d[valid_mask(lengths, d.shape[1])]
            if (d < MARGIN).any():
                return False
            if cfg["loss"] == "huber" and ((d - cfg["huber_delta"]).abs() < MARGIN).any():
                return False
    return True


def check_unpadded(model, cfg, x, lengths, logits):
    """Each sample alone, cut to its own length, must give the same outputs."""
    with torch.no_grad():
        for b in range(x.shape[0]):
            n = int(lengths[b])
            alone = model(x[b:b + 1, :n], lengths[b:b + 1])
            ref = logits[b:b + 1, :n] if cfg["pooling"] == "none" else logits[b:b + 1]
            if not torch.allclose(alone, ref, rtol=1e-12, atol=1e-12):
                raise AssertionError("sample %d alone differs from the padded batch" % b)


def run_case(name, cfg, opts, seed):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = recur_torch.build_model(cfg)
    model.eval()  # dropout is 0 anyway; recur runs train = 0
    x, lengths, labels, targets = make_batch(cfg, opts, rng)
    logits = model(x, lengths)
    loss = recur_torch.compute_loss(cfg, logits, lengths, labels=labels, targets=targets)
    model.zero_grad()
    loss.backward()
    if not margins_ok(model, cfg, x, lengths, logits, targets):
        return None
    if any(p.grad is None or p.grad.abs().max() < 1e-8 for p in model.parameters()):
        return None  # a parameter with no gradient at all tests nothing
    check_unpadded(model, cfg, x, lengths, logits)
    return model, x, lengths, labels, targets, logits.detach(), loss.detach()


def time_major(t):
    """[B, T, ...] -> [T, B, ...] as a contiguous numpy array."""
    return np.ascontiguousarray(t.transpose(0, 1).numpy())


def _hdf5_c_library():
    """The HDF5 C library this process runs (h5py's own), through ctypes; None if unknown.

    Used for two file-size settings h5py does not expose; HDF5 metadata is most of this
    file (some 190 bytes per dataset), and these halve it. Handles from h5py are valid in
    it because it is the library already loaded, not a second copy."""
    try:
        with open("/proc/self/maps") as maps:
            paths = sorted({line.split()[-1] for line in maps if "libhdf5" in line})
    except OSError:
        return None
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
            hint, phase = lib.H5Pset_dset_no_attrs_hint, lib.H5Pset_link_phase_change
        except (OSError, AttributeError):
            continue
        hint.argtypes = [ctypes.c_int64, ctypes.c_uint]
        phase.argtypes = [ctypes.c_int64, ctypes.c_uint, ctypes.c_uint]
        return lib
    return None


HDF5 = _hdf5_c_library()


def create_group(parent, name):
    """A group keeping its links and attributes in its object header (no dense storage)."""
    gcpl = h5py.h5p.create(h5py.h5p.GROUP_CREATE)
    gcpl.set_obj_track_times(False)
    gcpl.set_attr_phase_change(32, 24)
    if HDF5 is not None and HDF5.H5Pset_link_phase_change(gcpl.id, 64, 48) < 0:
        raise RuntimeError("H5Pset_link_phase_change failed")
    return h5py.Group(h5py.h5g.create(parent.id, name.encode(), gcpl=gcpl))


def write_dataset(group, name, array):
    """A dataset with its data in a minimal object header (no chunk index, no timestamps)."""
    array = np.array(array, order="C")  # a copy; keeps 0-d (ascontiguousarray would not)
    if array.ndim:
        space = h5py.h5s.create_simple(array.shape)
    else:
        space = h5py.h5s.create(h5py.h5s.SCALAR)
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_layout(h5py.h5d.COMPACT)
    dcpl.set_obj_track_times(False)
    if HDF5 is not None and HDF5.H5Pset_dset_no_attrs_hint(dcpl.id, 1) < 0:
        raise RuntimeError("H5Pset_dset_no_attrs_hint failed")
    tid = h5py.h5t.py_create(array.dtype)
    dset = h5py.h5d.create(group.id, name.encode(), tid, space, dcpl=dcpl)
    dset.write(h5py.h5s.ALL, h5py.h5s.ALL, array)


def write_case(f, name, cfg, seed, result):
    model, x, lengths, labels, targets, logits, loss = result
    g = create_group(f, name)
    for key, value in cfg.items():
        g.attrs[key] = np.bytes_(value) if isinstance(value, str) else np.array(value)
    g.attrs["seed"] = np.int64(seed)
    if cfg["vocab_size"] > 0:
        write_dataset(g, "tokens", time_major(x).astype(np.int32))
    else:
        write_dataset(g, "features", time_major(x))
    write_dataset(g, "lengths", lengths.numpy().astype(np.int32))
    tagging = cfg["pooling"] == "none"
    if labels is not None:
        lab = time_major(labels) if tagging else labels.numpy()
        write_dataset(g, "labels", lab.astype(np.int32))
    else:
        write_dataset(g, "targets", time_major(targets) if tagging else targets.numpy())
    out = time_major(logits).reshape(-1, cfg["output_size"]) if tagging else logits.numpy()
    write_dataset(g, "outputs", out)
    write_dataset(g, "loss", np.float64(loss.item()))
    params, grads = create_group(g, "params"), create_group(g, "grads")
    for pname, p in model.named_parameters():
        write_dataset(params, pname, p.detach().numpy())
        write_dataset(grads, pname, p.grad.numpy())


def open_reproducibly(path):
    """A new file without timestamps, so the same generator run gives the same bytes."""
    fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
    fapl.set_libver_bounds(h5py.h5f.LIBVER_V18, h5py.h5f.LIBVER_V18)
    fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    fcpl.set_obj_track_times(False)
    fcpl.set_attr_phase_change(32, 24)
    return h5py.File(h5py.h5f.create(path.encode(), h5py.h5f.ACC_TRUNC, fcpl=fcpl, fapl=fapl))


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "tests", "fixtures",
                                                               "torch_reference.h5")
    cases = case_list()
    tmp = path + ".tmp"
    with open_reproducibly(tmp) as f:
        f.attrs["format"] = np.bytes_("recur-torch-fixtures")
        f.attrs["version"] = np.int64(1)
        f.attrs["generator"] = np.bytes_("tools/make_fixtures.py")
        f.attrs["torch_version"] = np.bytes_(str(torch.__version__))
        for k, (name, cfg, opts) in enumerate(cases):
            for attempt in range(20):
                seed = 1000 * k + attempt
                result = run_case(name, cfg, opts, seed)
                if result is not None:
                    break
            else:
                raise RuntimeError("%s: no seed gave a well-conditioned case" % name)
            write_case(f, name, cfg, seed, result)
            print("%-44s seed %5d  loss %.6f" % (name, seed, result[-1].item()))
    os.replace(tmp, path)
    if HDF5 is None:
        print("note: HDF5 C library not found through ctypes; the file is larger than usual")
    print("%d cases -> %s (%d bytes)" % (len(cases), path, os.path.getsize(path)))


if __name__ == "__main__":
    main()
