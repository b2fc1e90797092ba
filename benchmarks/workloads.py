"""The workloads: each builds its tinytorch, PyTorch and NumPy implementations from one seed.

A later module adds its workload (CNN training, GPT training, KV-cache generation) with one
decorated function here, nothing else:

    @workload("cnn_step", group="training", title="CNN training step", unit="step")
    def cnn_step(quick):
        ...  # data and initial weights from one seed, shared by every implementation
        return Case(label="conv(3→32)-…, batch 64, Adam", flops=...,
                    impls={"tinytorch": step_tt, "torch": step_torch, "numpy": step_np})

`quick` asks for tiny shapes (the test suite's smoke run). An implementation is a zero-argument
callable doing one unit of work (an op, a training step, an epoch) and returning a number or an
array; the first call's values are compared across implementations (unless Case.check is False),
so a benchmark never times two different computations. The harness does the rest: interleaved
timing in both thread modes, GFLOP/s against the measured peak, the report and the book page.
"""
import math
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

from benchmarks.machine import optional_torch

torch = optional_torch()
SEED = 0


@dataclass
class Case:
    """One workload, built: its implementations and what one call of them computes."""

    label: str                 # the shapes as built, e.g. "256×256 @ 256×256"
    impls: dict                # {"tinytorch": fn, "torch": fn, "numpy": fn}; no "torch" without PyTorch
    flops: Optional[float]     # floating-point operations in one call (None: overhead-bound, not counted)
    per: int = 1               # units of work in one call: times are reported per unit
    check: bool = True         # compare the first call's return values across implementations
    notes: list = field(default_factory=list)


@dataclass
class Workload:
    name: str                  # stable key in the results, e.g. "matmul_1024"
    group: str                 # "ops", "overhead", "training"
    title: str                 # e.g. "matmul"
    unit: str                  # what a reported time is for: "call", "op", "step", "epoch"
    build: Callable            # build(quick) -> Case


WORKLOADS = {}


def workload(name, group, title, unit="call"):
    """Register build(quick) -> Case under `name`, in the order the report lists workloads."""
    def register(build):
        if name in WORKLOADS:
            raise ValueError(f"workload {name!r} is registered twice")
        WORKLOADS[name] = Workload(name, group, title, unit, build)
        return build
    return register


def _tt():
    """tinytorch, imported when a workload is built (so the registry imports without it)."""
    import tinytorch
    return tinytorch


def _impls(tinytorch, numpy, torch_fn=None):
    impls = {"tinytorch": tinytorch, "numpy": numpy}
    if torch_fn is not None:
        impls["torch"] = torch_fn
    return impls


# --- op micro-benchmarks ---------------------------------------------------------------------------
def _matmul(n, quick):
    n = n // 8 if quick else n
    rng = np.random.default_rng(SEED)
    a, b = rng.standard_normal((2, n, n), dtype=np.float32)
    tt = _tt()
    ta, tb = tt.Tensor(a), tt.Tensor(b)
    torch_fn = None
    if torch:
        xa, xb = torch.from_numpy(a.copy()), torch.from_numpy(b.copy())
        torch_fn = lambda: xa @ xb  # noqa: E731
    return Case(f"{n}×{n} @ {n}×{n}", _impls(lambda: ta @ tb, lambda: a @ b, torch_fn), flops=2.0 * n ** 3)


for _n in (256, 512, 1024, 2048):
    workload(f"matmul_{_n}", "ops", "matmul")(lambda quick, n=_n: _matmul(n, quick))


def _elementwise(op, quick):
    n = 10_000 if quick else 1_000_000
    rng = np.random.default_rng(SEED)
    a, b = rng.standard_normal((2, n), dtype=np.float32)
    tt = _tt()
    ta, tb = tt.Tensor(a), tt.Tensor(b)
    fn = {"add": lambda x, y: x + y, "mul": lambda x, y: x * y}[op]
    torch_fn = None
    if torch:
        xa, xb = torch.from_numpy(a.copy()), torch.from_numpy(b.copy())
        torch_fn = lambda: fn(xa, xb)  # noqa: E731
    return Case(f"{n:,} float32", _impls(lambda: fn(ta, tb), lambda: fn(a, b), torch_fn), flops=float(n))


for _op in ("add", "mul"):
    workload(f"{_op}_1m", "ops", _op)(lambda quick, op=_op: _elementwise(op, quick))


def _reduction(op, along_axis, quick):
    rng = np.random.default_rng(SEED)
    if along_axis:
        rows = 100 if quick else 1000
        shape, label = (rows, rows), f"{rows}×{rows}, dim=1"
    else:
        shape = (10_000,) if quick else (1_000_000,)
        label = f"{shape[0]:,} float32, all"
    a = rng.standard_normal(shape, dtype=np.float32)
    ta = _tt().Tensor(a)
    dim = 1 if along_axis else None
    tt_fn = {"sum": lambda: ta.sum(dim=dim), "mean": lambda: ta.mean(dim=dim),
             "max": lambda: ta.amax(dim=() if dim is None else dim)}[op]
    np_fn = {"sum": lambda: a.sum(axis=dim), "mean": lambda: a.mean(axis=dim),
             "max": lambda: a.max(axis=dim)}[op]
    torch_fn = None
    if torch:
        xa = torch.from_numpy(a.copy())
        dims = () if dim is None else (dim,)  # amax: the values only, as on the tinytorch side
        torch_fn = {"sum": lambda: xa.sum(dim=dim), "mean": lambda: xa.mean(dim=dim),
                    "max": lambda: torch.amax(xa, dim=dims)}[op]
    return Case(label, _impls(tt_fn, np_fn, torch_fn), flops=float(a.size))


for _op in ("sum", "mean", "max"):
    workload(f"{_op}_1m", "ops", _op)(lambda quick, op=_op: _reduction(op, False, quick))
for _op in ("sum", "mean", "max"):
    workload(f"{_op}_axis", "ops", _op)(lambda quick, op=_op: _reduction(op, True, quick))


# --- per-op overhead: a chain of tiny ops ----------------------------------------------------------
def _chain(backward, quick):
    """x ← x·0.999, x ← x + 0.001, alternating, on a one-element tensor of shape (1,); then
    (optionally) backward. Shape (1,), not (): NumPy turns 0-d results into scalars, and scalar
    arithmetic would not be the array work a NumPy framework does."""
    n = 50 if quick else 1000
    mul, add = 0.999, 0.001
    tt = _tt()
    leaf = tt.Tensor([1.0], requires_grad=True)

    def tt_fn():
        x = leaf
        for i in range(n // 2):
            x = x * mul
            x = x + add
        if not backward:
            return x
        leaf.grad = None
        x.backward()
        return leaf.grad

    mul32, add32, one32 = np.float32(mul), np.float32(add), np.float32(1.0)  # made once, not timed

    def np_fn():
        # The same arithmetic with a hand-written tape: each op stores its local derivative.
        x, tape = np.ones(1, dtype=np.float32), []
        for i in range(n // 2):
            x = x * mul32
            tape.append(mul32)
            x = x + add32
            tape.append(one32)
        if not backward:
            return x
        grad = np.ones(1, dtype=np.float32)
        for local in reversed(tape):
            grad = grad * local
        return grad

    t_leaf = torch.tensor([1.0], requires_grad=True) if torch else None

    def torch_fn():
        x = t_leaf
        for i in range(n // 2):
            x = x * mul
            x = x + add
        if not backward:
            return x
        t_leaf.grad = None
        x.backward()
        return t_leaf.grad

    what = "forward + backward" if backward else "forward only, recording the graph"
    return Case(f"{n} ops on a tensor of shape (1,), {what}",
                _impls(tt_fn, np_fn, torch_fn if torch else None), flops=None, per=n)


workload("tiny_ops_forward", "overhead", "tiny-op chain", "op")(lambda quick: _chain(False, quick))
workload("tiny_ops_forward_backward", "overhead", "tiny-op chain", "op")(lambda quick: _chain(True, quick))


# --- training: the MLP 784-256-128-10 with SGD -------------------------------------------------------
LR = 0.01


def _mlp_sizes(quick):
    return (784, 64, 32, 10) if quick else (784, 256, 128, 10)


def _mlp_weights(sizes):
    """PyTorch's Linear initialisation, U(±1/sqrt(fan_in)), drawn once with NumPy for every
    framework."""
    rng = np.random.default_rng(SEED)
    weights = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1 / math.sqrt(fan_in)
        weights.append((rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32),
                        rng.uniform(-bound, bound, fan_out).astype(np.float32)))
    return weights


def _mlp_flops(sizes, samples):
    """Matmul FLOPs of forward + backward for `samples` samples (elementwise work not counted):
    forward x·Wᵀ, backward ∂W for every layer and ∂x for all but the first (the data needs none)."""
    products = [fan_in * fan_out for fan_in, fan_out in zip(sizes[:-1], sizes[1:])]
    return 2.0 * samples * (2 * sum(products) + sum(products[1:]))


def _data(n, sizes):
    rng = np.random.default_rng(SEED + 1)
    return rng.random((n, sizes[0]), dtype=np.float32), rng.integers(0, sizes[-1], n)


class TinytorchMLP:
    """The MLP as a tinytorch user writes it: nn.Sequential, CrossEntropyLoss, optim.SGD."""

    def __init__(self, weights):
        tt = _tt()
        from tinytorch import nn
        from tinytorch.optim import SGD
        layers = []
        for w, b in weights:
            linear = nn.Linear(w.shape[1], w.shape[0])
            linear.weight.data[...] = w
            linear.bias.data[...] = b
            layers += [linear, nn.ReLU()]
        self.tt = tt
        self.model = nn.Sequential(*layers[:-1])
        self.loss_fn = nn.CrossEntropyLoss()
        self.optimizer = SGD(self.model.parameters(), lr=LR)

    def step(self, x, y):
        self.optimizer.zero_grad()
        loss = self.loss_fn(self.model(x), y)
        loss.backward()
        self.optimizer.step()
        return loss.item()


class TorchMLP:
    """The same MLP in PyTorch."""

    def __init__(self, weights):
        layers = []
        for w, b in weights:
            linear = torch.nn.Linear(w.shape[1], w.shape[0])
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(w))
                linear.bias.copy_(torch.from_numpy(b))
            layers += [linear, torch.nn.ReLU()]
        self.model = torch.nn.Sequential(*layers[:-1])
        self.loss_fn = torch.nn.CrossEntropyLoss()
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=LR)

    def step(self, x, y):
        self.optimizer.zero_grad()
        loss = self.loss_fn(self.model(x), y)
        loss.backward()
        self.optimizer.step()
        return loss.item()


def np_cross_entropy(logits, y):
    """Mean softmax cross-entropy of (N, C) logits and its gradient: (loss, softmax − one_hot over N)."""
    rows = np.arange(len(y))
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    grad = np.exp(log_probs)
    grad[rows, y] -= 1
    grad /= len(y)
    return -log_probs[rows, y].mean(), grad


class NumpyMLP:
    """The same MLP and SGD step written out by hand in NumPy: forward, cross-entropy, backward."""

    def __init__(self, weights):
        self.params = [(w.copy(), b.copy()) for w, b in weights]

    def step(self, x, y):
        activations = [x]
        h = x
        for i, (w, b) in enumerate(self.params):
            h = h @ w.T + b
            if i < len(self.params) - 1:
                h = np.maximum(h, 0)
            activations.append(h)
        loss, grad = np_cross_entropy(h, y)
        for i in reversed(range(len(self.params))):
            w, b = self.params[i]
            grad_w, grad_b = grad.T @ activations[i], grad.sum(axis=0)
            if i > 0:
                grad = (grad @ w) * (activations[i] > 0)
            w -= LR * grad_w
            b -= LR * grad_b
        return float(loss)


@workload("mlp_step", "training", "MLP training step", unit="step")
def mlp_step(quick):
    sizes, batch = _mlp_sizes(quick), (16 if quick else 64)
    weights = _mlp_weights(sizes)
    x, y = _data(batch, sizes)
    tt = _tt()
    tt_model, np_model = TinytorchMLP(weights), NumpyMLP(weights)
    tx, ty = tt.Tensor(x), tt.tensor(y)
    torch_fn = None
    if torch:
        torch_model, xx, xy = TorchMLP(weights), torch.from_numpy(x.copy()), torch.from_numpy(y.copy())
        torch_fn = lambda: torch_model.step(xx, xy)  # noqa: E731
    label = f"{'-'.join(map(str, sizes))}, batch {batch}, SGD: forward, cross-entropy, backward, step"
    return Case(label, _impls(lambda: tt_model.step(tx, ty), lambda: np_model.step(x, y), torch_fn),
                flops=_mlp_flops(sizes, batch))


@workload("mlp_epoch", "training", "MLP epoch with a DataLoader", unit="epoch")
def mlp_epoch(quick):
    sizes, batch, n = _mlp_sizes(quick), 64, (256 if quick else 10_000)
    weights = _mlp_weights(sizes)
    x, y = _data(n, sizes)
    tt = _tt()
    from tinytorch.data import DataLoader, TensorDataset
    tt_model, np_model = TinytorchMLP(weights), NumpyMLP(weights)
    tt_loader = DataLoader(TensorDataset(tt.Tensor(x), tt.tensor(y)), batch_size=batch, shuffle=True)
    rng = np.random.default_rng(SEED + 2)

    def tt_fn():
        for xb, yb in tt_loader:
            loss = tt_model.step(xb, yb)
        return loss

    def np_fn():
        order = rng.permutation(n)
        for start in range(0, n, batch):
            rows = order[start:start + batch]
            loss = np_model.step(x[rows], y[rows])
        return loss

    torch_fn = None
    if torch:
        from torch.utils.data import DataLoader as TorchLoader, TensorDataset as TorchDataset
        torch_model = TorchMLP(weights)
        torch_loader = TorchLoader(TorchDataset(torch.from_numpy(x.copy()), torch.from_numpy(y.copy())),
                                   batch_size=batch, shuffle=True)

        def torch_epoch():
            for xb, yb in torch_loader:
                loss = torch_model.step(xb, yb)
            return loss
        torch_fn = torch_epoch

    label = (f"{n:,} MNIST-shaped synthetic samples, batch {batch}, shuffled; "
             f"MLP {'-'.join(map(str, sizes))} with SGD")
    return Case(label, _impls(tt_fn, np_fn, torch_fn), flops=_mlp_flops(sizes, n), check=False,
                notes=["each framework shuffles with its own generator, so the losses are not compared"])
