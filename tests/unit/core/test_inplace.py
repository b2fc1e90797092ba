"""In-place operators (+=, -=, *=, /=) and the version counter, against PyTorch (issue 14)."""
import numpy as np
import pytest

import tinytorch as tt
from tinytorch import nn
from tinytorch.core.tensor import Tensor

torch = pytest.importorskip("torch")

OPS = {"add": lambda t, x: t.__iadd__(x), "sub": lambda t, x: t.__isub__(x),
       "mul": lambda t, x: t.__imul__(x), "div": lambda t, x: t.__itruediv__(x)}
DTYPES = [(np.float32, torch.float32), (np.float64, torch.float64)]


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("dtype,torch_dtype", DTYPES)
@pytest.mark.parametrize("operand", ["tensor", "broadcast", "number"])
def test_in_place_keeps_object_and_array_like_pytorch(op, dtype, torch_dtype, operand):
    a = np.array([[1.5, -2.0, 3.0], [0.5, 4.0, -1.0]])
    b = {"tensor": np.array([[2.0, 0.5, -1.0], [3.0, 2.0, 4.0]]), "broadcast": np.array([2.0, -0.5, 4.0]),
         "number": 2.5}[operand]
    t, ref = Tensor(a, dtype=dtype), torch.tensor(a, dtype=torch_dtype)
    view = t.reshape(6)
    array = t.data
    x = b if operand == "number" else Tensor(b, dtype=dtype)
    xr = b if operand == "number" else torch.tensor(b, dtype=torch_dtype)
    out, out_ref = OPS[op](t, x), OPS[op](ref, xr)
    assert out is t and t.data is array and t.dtype == dtype
    assert out_ref is ref
    np.testing.assert_allclose(t.data, ref.numpy(), rtol=1e-6)
    np.testing.assert_array_equal(view.data, t.data.reshape(6))  # views see the change
    assert t._version == ref._version == 1


def test_sgd_loop_under_no_grad_changes_the_model():
    tt.manual_seed(0)
    model = nn.Linear(3, 2)
    before = [p.data.copy() for p in model.parameters()]
    model(tt.randn(4, 3)).sum().backward()
    with tt.no_grad():
        for p in model.parameters():
            p -= 0.1 * p.grad
    for p, old in zip(model.parameters(), before):
        np.testing.assert_allclose(p.data, old - 0.1 * p.grad.data, rtol=1e-6)
        assert p.is_leaf and p.requires_grad


@pytest.mark.parametrize("op", OPS)
def test_leaf_that_requires_grad_raises_while_recording(op):
    w, wr = Tensor([1.0, 2.0], requires_grad=True), torch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError) as theirs:
        OPS[op](wr, 2.0)
    with pytest.raises(RuntimeError) as ours:
        OPS[op](w, 2.0)
    assert str(theirs.value) in str(ours.value)  # PyTorch's sentence, then what to do
    np.testing.assert_array_equal(w.data, [1.0, 2.0])
    assert w._version == 0


def test_shape_and_dtype_errors_like_pytorch():
    for ours, theirs in [(lambda: Tensor([1.0, 2.0, 3.0]).__iadd__(Tensor(np.ones((2, 3)))),
                          lambda: torch.ones(3).__iadd__(torch.ones(2, 3))),
                         (lambda: Tensor([1, 2], dtype=np.int64).__itruediv__(2),
                          lambda: torch.tensor([1, 2]).__itruediv__(2)),
                         (lambda: Tensor([1, 2], dtype=np.int64).__iadd__(1.5),
                          lambda: torch.tensor([1, 2]).__iadd__(1.5))]:
        with pytest.raises(RuntimeError):
            theirs()
        with pytest.raises(RuntimeError, match="in-place"):
            ours()
    t = Tensor([1.0, 2.0])
    t += Tensor([1.0, 1.0], dtype=np.float64)  # float64 fits float32, as in PyTorch
    assert t.dtype == np.float32 and t.tolist() == [2.0, 3.0]


@pytest.mark.parametrize("dtype,torch_dtype", DTYPES)
def test_in_place_on_non_leaf_records_and_gradients_match(dtype, torch_dtype):
    a = np.array([0.5, -1.5, 2.0])
    b = np.array([3.0, 0.25, -2.0])
    x, y = Tensor(a, dtype=dtype, requires_grad=True), Tensor(b, dtype=dtype, requires_grad=True)
    xr, yr = (torch.tensor(v, dtype=torch_dtype, requires_grad=True) for v in (a, b))
    for u, v, lib in ((x, y, "tt"), (xr, yr, "torch")):
        h = u * 1.5 + 0.5
        h *= v      # records mul with h's old values as its input
        h += u * u
        h /= v + 4
        h -= 1.0
        (h * h).sum().backward()
        assert not h.is_leaf and h.requires_grad
    np.testing.assert_allclose(x.grad.data, xr.grad.numpy(), rtol=1e-5)
    np.testing.assert_allclose(y.grad.data, yr.grad.numpy(), rtol=1e-5)
    assert x.grad.dtype == dtype


def test_in_place_on_an_output_a_rule_needs_keeps_the_gradient_right():
    """A deliberate difference: PyTorch raises here (exp saved the output that *= overwrote);
    tinytorch records *= on a copy of the old values, so the gradient stays right."""
    xr = torch.tensor([0.5, -1.0], requires_grad=True)
    yr = xr.exp()
    yr *= 3
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        yr.sum().backward()
    x = Tensor([0.5, -1.0], requires_grad=True)
    y = x.exp()
    y *= 3
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, 3 * np.exp([0.5, -1.0]), rtol=1e-6)


def test_plain_tensor_meeting_a_tensor_that_requires_grad_records():
    w, wr = Tensor([1.0, 2.0], requires_grad=True), torch.tensor([1.0, 2.0], requires_grad=True)
    acc, acc_r = Tensor([0.0, 0.0]), torch.zeros(2)
    acc += w * w
    acc_r += wr * wr
    assert not acc.is_leaf and acc.requires_grad and not acc_r.is_leaf
    acc.sum().backward()
    acc_r.sum().backward()
    np.testing.assert_allclose(w.grad.data, wr.grad.numpy())


@pytest.mark.parametrize("case", ["output", "input"])
def test_modified_after_recording_raises_like_pytorch(case):
    def run(lib, no_grad):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        if case == "output":          # exp's rule uses its output
            y = x.exp()
            with no_grad():
                y += 1
            return y.sum()
        h = x * 1.0
        y = h * h                     # mul's rule uses its inputs
        with no_grad():
            h *= 3
        return y.sum()
    with pytest.raises(RuntimeError, match="is at version 1; expected version 0 instead") as theirs:
        run(torch, torch.no_grad).backward()
    with pytest.raises(RuntimeError, match="is at version 1; expected version 0 instead") as ours:
        run(tt, tt.no_grad).backward()
    prefix = "one of the variables needed for gradient computation has been modified by an inplace operation"
    assert str(theirs.value).startswith(prefix) and str(ours.value).startswith(prefix)


def test_update_after_backward_then_new_forward_is_fine():
    w = Tensor([1.0, 2.0], requires_grad=True)
    for _ in range(3):
        loss = (w * w).sum()
        loss.backward()
        with tt.no_grad():
            w -= 0.1 * w.grad
        w.grad = None
    assert w._version == 3
    np.testing.assert_allclose(w.data, np.array([1.0, 2.0]) * 0.8 ** 3, rtol=1e-6)
