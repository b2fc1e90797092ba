"""The convolution workloads (module 09): the CNN training step, and Conv2d alone at ResNet shapes.

Each has three implementations built from one seed: tinytorch as a user writes it (nn.Conv2d,
nn.MaxPool2d, ...), PyTorch CPU, and a hand-written NumPy reference (im2col on channels-last
windows + one GEMM, col2im as a scatter-add, max-pool by strided slices). Imported by
benchmarks/run.py after benchmarks/workloads.py, so the report lists these after the MLP.
"""
import itertools
import math
import tracemalloc

import numpy as np
from numpy.lib.stride_tricks import as_strided

from benchmarks.workloads import SEED, Case, _impls, _tt, np_cross_entropy, torch, workload

LR = 1e-3


def _conv_init(rng, c_out, c_in, k):
    """PyTorch's Conv2d/Linear default init, U(±1/sqrt(fan_in)), for weight and bias."""
    bound = 1 / math.sqrt(c_in * k * k)
    return (rng.uniform(-bound, bound, (c_out, c_in, k, k)).astype(np.float32),
            rng.uniform(-bound, bound, c_out).astype(np.float32))


def _cnn_weights(quick):
    """[(w, b)] of conv 3→c1, conv c1→c2, fc (c2·8·8)→hidden, fc hidden→10 (quick: narrower)."""
    c1, c2, hidden = (8, 16, 32) if quick else (32, 64, 128)
    rng = np.random.default_rng(SEED)
    fc1 = _conv_init(rng, hidden, c2 * 64, 1)
    fc2 = _conv_init(rng, 10, hidden, 1)
    return [_conv_init(rng, c1, 3, 3), _conv_init(rng, c2, c1, 3),
            (fc1[0][:, :, 0, 0], fc1[1]), (fc2[0][:, :, 0, 0], fc2[1])]


def cnn_flops(weights, batch, size=32):
    """GEMM FLOPs of one training step: forward, the weight gradients, and the input gradients of
    every layer but the first (the images need none). Elementwise work is not counted."""
    (w1, _), (w2, _), (f1, _), (f2, _) = weights
    macs = [batch * size * size * w1[0].size * len(w1), batch * (size // 2) ** 2 * w2[0].size * len(w2),
            batch * f1.size, batch * f2.size]
    return 2.0 * (2 * sum(macs) + sum(macs[1:]))


def tinytorch_cnn(weights):
    """The CNN as a tinytorch user writes it, with the given weights."""
    from tinytorch import nn
    (w1, b1), (w2, b2), (f1, g1), (f2, g2) = weights
    model = nn.Sequential(nn.Conv2d(3, len(w1), 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(len(w1), len(w2), 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(f1.shape[1], len(f1)), nn.ReLU(), nn.Linear(len(f1), 10))
    for layer, (w, b) in zip([model[0], model[3], model[7], model[9]], weights):
        layer.weight.data[...] = w
        layer.bias.data[...] = b
    return model


def torch_cnn(weights):
    """The same CNN in PyTorch."""
    nn = torch.nn
    (w1, _), (w2, _), (f1, _), _ = weights
    model = nn.Sequential(nn.Conv2d(3, len(w1), 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(len(w1), len(w2), 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(f1.shape[1], len(f1)), nn.ReLU(), nn.Linear(len(f1), 10))
    with torch.no_grad():
        for layer, (w, b) in zip([model[0], model[3], model[7], model[9]], weights):
            layer.weight.copy_(torch.from_numpy(w))
            layer.bias.copy_(torch.from_numpy(b))
    return model


# --- the hand-written NumPy reference ---------------------------------------------------------------
def np_conv_forward(x, w, b, padding):
    """x (N, H, W, C) channels-last, w (O, C, k, k), stride 1: (out (N, H', W', O), cols)."""
    o, c, k, _ = w.shape
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0))) if padding else x
    n, hp, wp, _ = xp.shape
    oh, ow = hp - k + 1, wp - k + 1
    s = xp.strides
    cols = as_strided(xp, (n, oh, ow, k, k, c), (s[0], s[1], s[2], s[1], s[2], s[3])).reshape(n * oh * ow, -1)
    out = cols @ w.transpose(0, 2, 3, 1).reshape(o, -1).T + b
    return out.reshape(n, oh, ow, o), cols


def np_conv_backward(g, cols, w, x_shape, padding, need_input_grad=True):
    """g (N, H', W', O): (grad_x (N, H, W, C) or None, grad_w (O, C, k, k), grad_b (O,))."""
    o, c, k, _ = w.shape
    g2 = g.reshape(-1, o)
    grad_w = (g2.T @ cols).reshape(o, k, k, c).transpose(0, 3, 1, 2)
    grad_b = g2.sum(axis=0)
    if not need_input_grad:
        return None, grad_w, grad_b
    n, h, w_, _ = x_shape
    oh, ow = g.shape[1:3]
    dcols = (g2 @ w.transpose(0, 2, 3, 1).reshape(o, -1)).reshape(n, oh, ow, k, k, c)
    dxp = np.zeros((n, h + 2 * padding, w_ + 2 * padding, c), dtype=g.dtype)
    for i, j in itertools.product(range(k), range(k)):  # col2im: a scatter-add per kernel offset
        dxp[:, i:i + oh, j:j + ow] += dcols[:, :, :, i, j]
    return dxp[:, padding:padding + h, padding:padding + w_], grad_w, grad_b


def np_pool_forward(x):
    """2×2 max-pool of (N, H, W, C) by strided slices."""
    return np.maximum(np.maximum(x[:, 0::2, 0::2], x[:, 0::2, 1::2]), np.maximum(x[:, 1::2, 0::2], x[:, 1::2, 1::2]))


def np_pool_backward(x, out, g):
    """The gradient to the first maximum of each 2×2 window, in window order."""
    dx, taken = np.zeros_like(x), np.zeros(out.shape, dtype=bool)
    for i, j in itertools.product(range(2), range(2)):
        mask = (x[:, i::2, j::2] == out) & ~taken
        taken |= mask
        dx[:, i::2, j::2] = g * mask
    return dx


class NumpyAdam:
    """Adam (PyTorch's defaults) over a list of arrays, updated in place."""

    def __init__(self, params, lr=LR, betas=(0.9, 0.999), eps=1e-8):
        self.params, self.lr, self.betas, self.eps, self.t = params, lr, betas, eps, 0
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]

    def step(self, grads):
        self.t += 1
        b1, b2 = self.betas
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            p -= self.lr / (1 - b1 ** self.t) * m / (np.sqrt(v / (1 - b2 ** self.t)) + self.eps)


class NumpyCNN:
    """The CNN's forward, cross-entropy, backward and Adam step written out by hand."""

    def __init__(self, weights):
        self.params = [a.copy() for pair in weights for a in pair]
        self.adam = NumpyAdam(self.params)

    def step(self, x, y):
        w1, b1, w2, b2, f1, c1, f2, c2 = self.params
        a1, cols1 = np_conv_forward(x, w1, b1, 1)
        r1 = np.maximum(a1, 0)
        p1 = np_pool_forward(r1)
        a2, cols2 = np_conv_forward(p1, w2, b2, 1)
        r2 = np.maximum(a2, 0)
        p2 = np_pool_forward(r2)
        flat = p2.transpose(0, 3, 1, 2).reshape(len(x), -1)  # PyTorch's (C, H, W) flattening order
        h = np.maximum(flat @ f1.T + c1, 0)
        logits = h @ f2.T + c2
        loss, g = np_cross_entropy(logits, y)
        grad_f2, grad_c2 = g.T @ h, g.sum(axis=0)
        g = (g @ f2) * (h > 0)
        grad_f1, grad_c1 = g.T @ flat, g.sum(axis=0)
        g = (g @ f1).reshape(p2.shape[0], p2.shape[3], p2.shape[1], p2.shape[2]).transpose(0, 2, 3, 1)
        g = np_pool_backward(r2, p2, g) * (a2 > 0)
        g, grad_w2, grad_b2 = np_conv_backward(g, cols2, w2, p1.shape, 1)
        g = np_pool_backward(r1, p1, g) * (a1 > 0)
        _, grad_w1, grad_b1 = np_conv_backward(g, cols1, w1, x.shape, 1, need_input_grad=False)
        self.adam.step([grad_w1, grad_b1, grad_w2, grad_b2, grad_f1, grad_c1, grad_f2, grad_c2])
        return float(loss)


def _optimizer_step(model, optimizer, loss_fn, x, y):
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()


@workload("cnn_step", "training", "CNN training step", unit="step")
def cnn_step(quick):
    batch = 8 if quick else 64
    weights = _cnn_weights(quick)
    rng = np.random.default_rng(SEED + 1)
    x, y = rng.standard_normal((batch, 3, 32, 32), dtype=np.float32), rng.integers(0, 10, batch)
    tt = _tt()
    from tinytorch import nn, optim
    tt_model = tinytorch_cnn(weights)
    tt_opt, tt_loss = optim.Adam(tt_model.parameters(), lr=LR), nn.CrossEntropyLoss()
    tx, ty = tt.Tensor(x), tt.tensor(y)
    np_model, xt = NumpyCNN(weights), np.ascontiguousarray(x.transpose(0, 2, 3, 1))
    torch_fn = None
    if torch:
        t_model = torch_cnn(weights)
        t_opt, t_loss = torch.optim.Adam(t_model.parameters(), lr=LR), torch.nn.CrossEntropyLoss()
        xx, xy = torch.from_numpy(x.copy()), torch.from_numpy(y.copy())
        torch_fn = lambda: _optimizer_step(t_model, t_opt, t_loss, xx, xy)  # noqa: E731
    (w1, _), (w2, _), (f1, _), _ = weights
    label = (f"conv(3→{len(w1)},3×3,p1)-ReLU-maxpool2-conv({len(w1)}→{len(w2)})-ReLU-maxpool2-"
             f"fc({f1.shape[1]}→{len(f1)})-ReLU-fc({len(f1)}→10), batch {batch}, 32×32 images, Adam")
    return Case(label, _impls(lambda: _optimizer_step(tt_model, tt_opt, tt_loss, tx, ty),
                              lambda: np_model.step(xt, y), torch_fn),
                flops=cnn_flops(weights, batch),
                notes=["NumPy column of the CNN rows: a hand-written channels-last im2col + GEMM "
                       "reference, col2im as a scatter-add per kernel offset"])


def _conv_alone(c, size, batch, quick):
    """Conv2d(c→c, 3×3, padding 1) forward + backward (input, weight and bias gradients)."""
    if quick:
        c, size, batch = c // 8, size // 4, 2
    rng = np.random.default_rng(SEED)
    w, b = _conv_init(rng, c, c, 3)
    x = rng.standard_normal((batch, c, size, size), dtype=np.float32)
    upstream = rng.standard_normal((batch, c, size, size), dtype=np.float32)
    tt = _tt()
    from tinytorch import nn
    conv = nn.Conv2d(c, c, 3, padding=1)
    conv.weight.data[...], conv.bias.data[...] = w, b
    tx, tup = tt.Tensor(x, requires_grad=True), upstream

    def tt_fn():
        conv.weight.grad = conv.bias.grad = tx.grad = None
        conv(tx).backward(tup)
        return conv.weight.grad

    xt, gt = np.ascontiguousarray(x.transpose(0, 2, 3, 1)), np.ascontiguousarray(upstream.transpose(0, 2, 3, 1))

    def np_fn():
        out, cols = np_conv_forward(xt, w, b, 1)
        return np_conv_backward(gt, cols, w, xt.shape, 1)[1]

    torch_fn = None
    if torch:
        t_conv = torch.nn.Conv2d(c, c, 3, padding=1)
        with torch.no_grad():
            t_conv.weight.copy_(torch.from_numpy(w))
            t_conv.bias.copy_(torch.from_numpy(b))
        t_x, t_up = torch.from_numpy(x.copy()).requires_grad_(), torch.from_numpy(upstream.copy())

        def torch_fn():
            t_conv.weight.grad = t_conv.bias.grad = t_x.grad = None
            t_conv(t_x).backward(t_up)
            return t_conv.weight.grad
    tt_fn()
    tracemalloc.start()  # NumPy reports its allocations to tracemalloc: the peak of one pass
    tt_fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rows, width = batch * size * size, 9 * c
    flops = 3 * 2.0 * rows * width * c  # forward, weight gradient, input gradient: one GEMM's worth each
    return Case(f"{c}→{c} 3×3 p1 at {size}×{size}, batch {batch}: forward + backward",
                _impls(tt_fn, np_fn, torch_fn), flops=flops,
                notes=[f"Conv2d {c}→{c} at {size}×{size}, batch {batch}: its im2col matrix is {rows:,}×{width} "
                       f"float32 = {rows * width * 4 / 2**20:.1f} MiB, {rows * width * 4 / x.nbytes:.0f}× the input's "
                       f"{x.nbytes / 2**20:.1f} MiB; tinytorch's peak traced memory over one forward + "
                       f"backward: {peak / 2**20:.1f} MiB"])


workload("conv2d_64_56", "ops", "Conv2d", unit="call")(lambda quick: _conv_alone(64, 56, 8, quick))
workload("conv2d_128_28", "ops", "Conv2d", unit="call")(lambda quick: _conv_alone(128, 28, 8, quick))
