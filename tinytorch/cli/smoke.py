"""A quick smoke test of a tinytorch package, run as a script in a fresh process after an export:
import it, then one forward + backward through each op family. Prints `ok FAMILY` or
`FAIL FAMILY: error` per family and exits 1 if any failed.

    cd WORKSPACE && python path/to/smoke.py     # tests the tinytorch in WORKSPACE

(It is run as a file, not as `-m tinytorch.cli.smoke`, so that `import tinytorch` finds the
workspace's package first: the script's own folder is not a package root.)"""
import os
import sys

import numpy as np


def _grad_ok(t, shape):
    assert t.grad is not None, "no gradient reached the input"
    g = np.asarray(getattr(t.grad, "data", t.grad))
    assert g.shape == shape and np.all(np.isfinite(g)), f"gradient of shape {g.shape}, not {shape}, or not finite"


def families(tt):
    from tinytorch import nn, optim

    def x(*shape):
        return tt.tensor(np.random.default_rng(0).standard_normal(shape).astype(np.float32), requires_grad=True)

    def arithmetic():
        a, b = x(3, 4), x(3, 4)
        ((a + b) * a - b / 2.0 + a ** 2).sum().backward()
        _grad_ok(a, (3, 4))

    def broadcasting():
        a, b = x(3, 4), x(4)
        (a * b).sum().backward()
        _grad_ok(b, (4,))

    def matmul():
        a, w = x(5, 3), x(3, 2)
        (a @ w).sum().backward()
        _grad_ok(w, (3, 2))

    def reductions():
        a = x(4, 5)
        (a.mean() + a.sum(dim=1).max()).backward()
        _grad_ok(a, (4, 5))

    def shapes():
        a = x(2, 3, 4)
        (a.reshape(6, 4).transpose(0, 1)[1] * 3.0).sum().backward()
        _grad_ok(a, (2, 3, 4))

    def activations():
        a = x(3, 4)
        sum(f(a).sum() for f in (nn.ReLU(), nn.Sigmoid(), nn.Tanh(), nn.Softmax(dim=1))).backward()
        _grad_ok(a, (3, 4))

    def layers():
        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
        model(x(5, 4)).sum().backward()
        _grad_ok(model[0].weight, (8, 4))

    def losses():
        logits, target = x(6, 3), x(6, 3)
        (nn.CrossEntropyLoss()(logits, tt.tensor([0, 1, 2, 0, 1, 2])) + nn.MSELoss()(logits, target.detach())).backward()
        _grad_ok(logits, (6, 3))

    def optimizers():
        layer = nn.Linear(3, 1)
        before = np.array(layer.weight.data, copy=True)
        opt = optim.SGD(layer.parameters(), lr=0.1)
        opt.zero_grad()
        layer(x(4, 3)).sum().backward()
        opt.step()
        assert not np.allclose(before, layer.weight.data), "SGD.step() did not change the weights"

    def data():
        from tinytorch.data import DataLoader, TensorDataset
        batches = list(DataLoader(TensorDataset(x(10, 2).detach(), tt.tensor(list(range(10)))), batch_size=4))
        assert [len(b[1]) for b in batches] == [4, 4, 2], "DataLoader did not yield batches of 4, 4, 2"

    return [arithmetic, broadcasting, matmul, reductions, shapes, activations, layers, losses, optimizers, data]


def main():
    sys.path.insert(0, os.getcwd())  # the workspace's tinytorch before any installed one
    try:
        import tinytorch as tt
    except Exception as e:
        print(f"FAIL import: {type(e).__name__}: {e}")
        return 1
    print(f"using {tt.__file__}")
    failed = 0
    for family in families(tt):
        try:
            family()
            print(f"ok {family.__name__}")
        except Exception as e:
            failed += 1
            print(f"FAIL {family.__name__}: {type(e).__name__}: {' '.join(str(e).split())[:200]}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
