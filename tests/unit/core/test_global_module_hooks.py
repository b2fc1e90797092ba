"""register_module_forward_pre_hook / register_module_forward_hook: PyTorch's global
module hooks, checked against torch (order, replacement, removal)."""
import numpy as np
import pytest

import tinytorch.nn as nn
from tinytorch import Tensor

torch = pytest.importorskip("torch")
from torch.nn.modules import module as torch_module  # noqa: E402


def _trace(lib, glob, tensor):
    """Log of every hook call on a two-layer model with global and per-module hooks,
    and the outputs with all hooks, with the global ones removed, with none."""
    np.random.seed(0)
    w1, w2 = np.random.randn(3, 2).astype(np.float32), np.random.randn(1, 3).astype(np.float32)
    model = lib.Sequential(lib.Linear(2, 3, bias=False), lib.ReLU(), lib.Linear(3, 1, bias=False))
    for layer, w in ((model[0], w1), (model[2], w2)):
        layer.weight.data[...] = tensor(w) if lib is torch.nn else w
    log = []
    name = lambda m: type(m).__name__  # noqa: E731
    handles = [
        model[0].register_forward_pre_hook(lambda m, a: log.append(("own-pre", name(m)))),
        model[0].register_forward_hook(lambda m, a, o: log.append(("own-post", name(m)))),
        glob.register_module_forward_pre_hook(lambda m, a: log.append(("pre", name(m)))),
        glob.register_module_forward_hook(lambda m, a, o: log.append(("post", name(m)))),
        glob.register_module_forward_pre_hook(lambda m, a: (a[0] * 2,) if name(m) == "Linear" else None),
        glob.register_module_forward_hook(lambda m, a, o: o + 1 if name(m) == "ReLU" else None),
    ]
    x = tensor(np.array([[1.0, -2.0], [0.5, 3.0]], dtype=np.float32))
    value = lambda y: y.detach().numpy().copy() if lib is torch.nn else y.data.copy()  # noqa: E731
    outputs = [value(model(x))]
    for h in handles[2:]:
        h.remove()
    n = len(log)
    outputs.append(value(model(x)))
    handles[2].remove()  # removing twice is harmless
    for h in handles[:2]:
        h.remove()
    outputs.append(value(model(x)))
    return log, n, outputs


def test_global_hooks_match_pytorch_order_replacement_and_removal():
    import tinytorch.core.module as tt_module
    ours = _trace(nn, nn, Tensor)
    theirs = _trace(torch.nn, torch_module, torch.tensor)
    assert ours[0] == theirs[0] and ours[1] == theirs[1]
    for a, b in zip(ours[2], theirs[2]):
        np.testing.assert_allclose(a, b, rtol=1e-5)
    assert not tt_module._global_forward_pre_hooks and not tt_module._global_forward_hooks


def test_global_hook_handle_is_a_context_manager_and_sees_every_module():
    seen = []
    model = nn.Sequential(nn.Linear(2, 2), nn.Tanh())
    with nn.register_module_forward_hook(lambda m, args, out: seen.append(type(m).__name__)):
        model(Tensor(np.ones((1, 2), dtype=np.float32)))
    model(Tensor(np.ones((1, 2), dtype=np.float32)))
    assert seen == ["Linear", "Tanh", "Sequential"]
