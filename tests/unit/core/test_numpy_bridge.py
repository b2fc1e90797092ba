"""Tensor.numpy() refuses a tensor that requires grad, as PyTorch does (issue 14): the array would
leave the recorded graph. detach(), no_grad() and requires_grad=False tensors keep working."""
import numpy as np
import pytest

import tinytorch as tt
from tinytorch.core.tensor import Tensor


def test_numpy_refuses_a_leaf_that_requires_grad_and_says_to_detach():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"requires grad.*t\.detach\(\)\.numpy\(\)"):
        x.numpy()


@pytest.mark.parametrize("op", [lambda x: x * 2.0, lambda x: x.sum(), lambda x: x[0], lambda x: x.reshape(2, 1)])
def test_numpy_refuses_a_result_recorded_in_a_graph(op):
    y = op(Tensor([1.0, 2.0], requires_grad=True))
    assert y.requires_grad and not y.is_leaf
    with pytest.raises(RuntimeError, match=r"t\.detach\(\)\.numpy\(\)"):
        y.numpy()


def test_detach_numpy_gives_the_same_memory():
    x = Tensor([1.0, 2.0], requires_grad=True)
    values = x.detach().numpy()
    np.testing.assert_array_equal(values, [1.0, 2.0])
    assert np.shares_memory(values, x.data)
    y = x * 3.0
    np.testing.assert_array_equal(y.detach().numpy(), [3.0, 6.0])


def test_numpy_works_without_grad():
    t = Tensor([[1.0, 2.0]])
    assert t.numpy() is t.data  # the array itself, not a copy
    x = Tensor([1.0, 2.0], requires_grad=True)
    with tt.no_grad():
        y = x * 2.0
    np.testing.assert_array_equal(y.numpy(), [2.0, 4.0])
    np.testing.assert_array_equal((Tensor([1.0]) + 1.0).numpy(), [2.0])  # no input requires grad
    x.requires_grad_(False)
    assert x.numpy() is x.data


def test_gradients_and_force_are_readable():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0])  # a gradient does not require grad
    assert x.numpy(force=True) is x.data  # PyTorch's numpy(force=True) detaches


def test_the_same_cases_raise_as_in_pytorch():
    torch = pytest.importorskip("torch")

    def cases(make, no_grad):
        x = make([1.0, 2.0])
        with no_grad():
            quiet = x * 2.0
        return {"leaf": x, "result": x * 2.0, "sum": x.sum(), "detached": (x * 2.0).detach(), "no_grad": quiet,
                "plain": make([1.0, 2.0], requires_grad=False)}

    ours = cases(lambda v, requires_grad=True: Tensor(v, requires_grad=requires_grad), tt.no_grad)
    theirs = cases(lambda v, requires_grad=True: torch.tensor(v, requires_grad=requires_grad), torch.no_grad)
    for name in ours:
        outcomes = []
        for t in (ours[name], theirs[name]):
            try:
                outcomes.append(np.asarray(t.numpy()).tolist())
            except RuntimeError:
                outcomes.append("RuntimeError")
        assert outcomes[0] == outcomes[1], f"{name}: tinytorch gives {outcomes[0]}, PyTorch {outcomes[1]}"


def test_a_new_tensor_and_a_leaf_gradient_are_contiguous_as_in_pytorch():
    """torch.tensor(a.T) is contiguous and a leaf's .grad follows its contiguous leaf, so .view
    works on both; a Fortran-ordered copy would make view raise where PyTorch does not."""
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    t = Tensor(a.T)
    assert t.data.flags.c_contiguous, f"Tensor(a.T) strides {t.data.strides}: not C-contiguous"
    np.testing.assert_array_equal(t.view(12).data, a.T.reshape(12))
    w = Tensor(np.ones((3, 4), dtype=np.float32), requires_grad=True)
    (Tensor(a) @ w.T).sum().backward()  # w's gradient comes back through a transpose
    assert w.grad.data.flags.c_contiguous, f"w.grad strides {w.grad.data.strides}"
    np.testing.assert_array_equal(w.grad.view(12).data, (np.ones((3, 3)) @ a).reshape(12))
