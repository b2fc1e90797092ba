"""tinytorch.core.module and tinytorch.core.layers: Module, Parameter, Linear, Sequential, Flatten, Dropout."""
import copy
import math
from collections import OrderedDict

import numpy as np
import pytest

import tinytorch.nn.functional as F

from tinytorch import manual_seed
from tinytorch.core.activations import ReLU
from tinytorch.core.layers import Dropout, Flatten, Linear, Sequential
from tinytorch.core.module import Module, Parameter
from tinytorch.core.tensor import Tensor


class Block(Module):
    def __init__(self):
        super().__init__()
        self.a = Parameter(np.zeros(2))
        self.b = Parameter(np.zeros(3))


class Net(Module):
    def __init__(self):
        super().__init__()
        self.first = Block()
        self.gain = Parameter(np.ones(1))
        self.second = Block()


class Tied(Module):
    def __init__(self):
        super().__init__()
        self.enc = Block()
        self.dec = self.enc
        self.w = Parameter(np.ones(4))
        self.w_tied = self.w


def names(pairs):
    return [name for name, _ in pairs]


# --- Parameter -------------------------------------------------------------------------------------
def test_parameter_is_a_float32_tensor_that_requires_grad():
    p = Parameter(np.arange(3))
    assert isinstance(p, Tensor) and p.requires_grad and p.dtype == np.float32
    assert repr(p).startswith("Parameter containing:\ntensor(") and "requires_grad=True" in repr(p)
    assert Parameter().shape == (0,)
    assert not Parameter(np.ones(2), requires_grad=False).requires_grad
    assert type(p + 1) is Tensor and type(p.T) is Tensor, "results of ops are plain Tensors"


# --- registration ----------------------------------------------------------------------------------
def test_assignment_registers_parameters_and_children_only():
    m = Net()
    assert list(m._parameters) == ["gain"] and list(m._modules) == ["first", "second"]
    m.scale = 2.0
    m.buffer = Tensor(np.ones(2))
    assert m.scale == 2.0 and "scale" not in m._parameters and "buffer" not in m._parameters
    assert m.gain is m._parameters["gain"] and "gain" not in m.__dict__


def test_reassignment_rules_follow_pytorch():
    m = Net()
    m.gain = None
    assert "gain" in m._parameters and m.gain is None and "gain" not in names(m.named_parameters())
    with pytest.raises(TypeError, match="parameter 'gain'"):
        m.gain = Tensor(np.ones(1))
    with pytest.raises(TypeError, match="parameter 'gain'"):
        m.gain = Block()
    m.first = None
    assert "first" in m._modules and names(m.named_children()) == ["second"]
    with pytest.raises(TypeError, match="child module 'first'"):
        m.first = 3
    m.first = Parameter(np.ones(1))
    assert "first" not in m._modules and list(m._parameters) == ["gain", "first"]
    m.plain = 1
    m.plain = Block()
    assert "plain" in m._modules and "plain" not in m.__dict__


def test_assigning_before_init_names_the_problem():
    class Forgot(Module):
        def __init__(self, value):
            self.ok = 1  # plain attributes are allowed, as in PyTorch
            self.value = value

    with pytest.raises(AttributeError, match=r"before Module.__init__\(\)"):
        Forgot(Parameter(np.ones(1)))
    with pytest.raises(AttributeError, match=r"before Module.__init__\(\)"):
        Forgot(Block())


def test_register_parameter_and_add_module_validate_names_and_types():
    m = Block()
    m.register_parameter("c", None)
    assert "c" in m._parameters and m.c is None
    with pytest.raises(KeyError, match="contain"):
        m.register_parameter("x.y", None)
    with pytest.raises(KeyError, match="empty"):
        m.register_parameter("", None)
    with pytest.raises(TypeError, match="string"):
        m.register_parameter(3, None)
    m.plain = 1
    with pytest.raises(KeyError, match="attribute 'plain' already exists"):
        m.register_parameter("plain", None)
    with pytest.raises(TypeError, match="parameter 'z'"):
        m.register_parameter("z", Tensor(np.ones(1)))
    with pytest.raises(TypeError, match="int is not a Module subclass"):
        m.add_module("child", 3)
    with pytest.raises(KeyError, match="attribute 'a' already exists"):
        m.add_module("a", Block())
    m.add_module("child", None)
    assert m._modules == {"child": None} and m.child is None


def test_getattr_and_delattr():
    m = Net()
    with pytest.raises(AttributeError, match="'Net' object has no attribute 'nothing'"):
        m.nothing
    del m.gain, m.first
    assert "gain" not in m._parameters and "first" not in m._modules
    m.plain = 1
    del m.plain
    assert not hasattr(m, "plain")


def test_base_module_forward_is_missing():
    with pytest.raises(NotImplementedError, match="forward"):
        Module()(Tensor(1.0))


def test_deepcopy_gives_an_independent_module():
    m = Net()
    clone = copy.deepcopy(m)
    clone.gain.data[...] = 5
    assert m.gain.data[0] == 1 and names(clone.named_parameters()) == names(m.named_parameters())


# --- walking the tree ------------------------------------------------------------------------------
def test_named_parameters_order_and_dotted_names():
    m = Net()
    assert names(m.named_parameters()) == ["gain", "first.a", "first.b", "second.a", "second.b"]
    assert names(m.named_parameters(prefix="net")) == ["net.gain", "net.first.a", "net.first.b",
                                                       "net.second.a", "net.second.b"]
    assert names(m.named_parameters(recurse=False)) == ["gain"]
    assert names(m.named_modules()) == ["", "first", "second"]
    assert names(m.named_children()) == ["first", "second"]
    assert [type(c) for c in m.children()] == [Block, Block]
    assert sum(p.size for p in m.parameters()) == 11


def test_shared_parameters_and_modules_are_yielded_once():
    t = Tied()
    assert names(t.named_parameters()) == ["w", "enc.a", "enc.b"]
    assert names(t.named_modules()) == ["", "enc"] and names(t.named_children()) == ["enc"]
    assert names(t.named_parameters(remove_duplicate=False)) == ["w", "w_tied", "enc.a", "enc.b", "dec.a", "dec.b"]
    assert names(t.named_modules(remove_duplicate=False)) == ["", "enc", "dec"]
    assert len(list(t.parameters())) == 3


def test_apply_visits_children_before_parents():
    visited = []
    m = Net()
    assert m.apply(lambda mod: visited.append(type(mod).__name__)) is m
    assert visited == ["Block", "Block", "Net"]


# --- modes and gradients ---------------------------------------------------------------------------
def test_train_and_eval_recurse_and_return_self():
    m = Sequential(Net(), Sequential(Dropout(), Net()))
    assert all(x.training for x in m.modules())
    assert m.eval() is m and not any(x.training for x in m.modules())
    assert m.train() is m and all(x.training for x in m.modules())
    m.train(False)
    assert not m[1][0].training
    with pytest.raises(ValueError, match="boolean"):
        m.train(1)


def test_train_calls_each_childs_own_train():
    calls = []

    class Counting(Module):
        def train(self, mode=True):
            calls.append(mode)
            return super().train(mode)

    m = Sequential(Counting(), Sequential(Counting()))
    m.eval()
    assert calls == [False, False]


def test_zero_grad():
    m = Net()
    m.gain.grad = Tensor(np.ones(1))
    m.first.a.grad = Tensor(np.ones(2))
    kept = m.first.a.grad
    m.zero_grad(set_to_none=False)
    assert m.first.a.grad is kept and np.array_equal(kept.data, [0, 0])
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())


# --- state_dict ------------------------------------------------------------------------------------
def test_state_dict_holds_float32_copies_under_every_name():
    t = Tied()
    sd = t.state_dict()
    assert isinstance(sd, OrderedDict)
    assert list(sd) == ["w", "w_tied", "enc.a", "enc.b", "dec.a", "dec.b"]
    assert all(isinstance(v, np.ndarray) and v.dtype == np.float32 for v in sd.values())
    t.w.data[...] = 7
    assert np.array_equal(sd["w"], np.ones(4))


def test_load_state_dict_copies_in_place_and_accepts_tensors_and_lists():
    src, dst = Net(), Net()
    src.first.a.data[...] = [1, 2]
    target = dst.first.a
    result = dst.load_state_dict(src.state_dict())
    assert dst.first.a is target and np.array_equal(target.data, [1, 2])
    assert result.missing_keys == [] and result.unexpected_keys == []
    sd = src.state_dict()
    sd["gain"] = Tensor([3.0])
    sd["second.b"] = [1, 2, 3]
    dst.load_state_dict(sd)
    assert dst.gain.data[0] == 3 and np.array_equal(dst.second.b.data, [1, 2, 3])
    assert dst.second.b.dtype == np.float32


def test_load_state_dict_errors_name_keys_and_shapes_and_change_nothing():
    m = Net()
    sd = Net().state_dict()
    sd["gain"] = np.full(1, 9.0)
    sd["first.b"] = np.zeros(4)
    with pytest.raises(RuntimeError, match=r"size mismatch for first\.b: .*\(4,\).*\(3,\)"):
        m.load_state_dict(sd)
    assert m.gain.data[0] == 1, "a failed load changes nothing"
    with pytest.raises(RuntimeError, match=r"size mismatch"):
        m.load_state_dict(sd, strict=False)
    partial = {"gain": np.full(1, 4.0), "extra": np.zeros(1)}
    with pytest.raises(RuntimeError) as info:
        m.load_state_dict(partial)
    message = str(info.value)
    assert message.startswith("Error(s) in loading state_dict for Net")
    assert '"first.a"' in message and '"extra"' in message
    missing, unexpected = m.load_state_dict(partial, strict=False)
    assert missing == ["first.a", "first.b", "second.a", "second.b"] and unexpected == ["extra"]
    assert m.gain.data[0] == 4
    with pytest.raises(TypeError, match="dict-like"):
        m.load_state_dict([("gain", np.ones(1))])


# --- printing --------------------------------------------------------------------------------------
def test_repr_nests_children_and_places_extra_repr_like_pytorch():
    class WithExtra(Module):
        def __init__(self, lines):
            super().__init__()
            self.lines = lines

        def extra_repr(self):
            return self.lines

    assert repr(Module()) == "Module()"
    assert repr(WithExtra("k=1")) == "WithExtra(k=1)"
    assert repr(WithExtra("a\nb")) == "WithExtra(\n  a\n  b\n)"
    parent = WithExtra("k=1")
    parent.child = Sequential(Linear(2, 3))
    assert repr(parent) == ("WithExtra(\n  k=1\n  (child): Sequential(\n"
                            "    (0): Linear(in_features=2, out_features=3, bias=True)\n  )\n)")


# --- Linear ----------------------------------------------------------------------------------------
def test_linear_parameters_shapes_and_repr():
    lin = Linear(3, 2)
    assert lin.weight.shape == (2, 3) and lin.bias.shape == (2,)
    assert isinstance(lin.weight, Parameter) and lin.weight.dtype == np.float32 and lin.bias.dtype == np.float32
    assert names(lin.named_parameters()) == ["weight", "bias"]
    assert (lin.in_features, lin.out_features) == (3, 2)
    assert repr(lin) == "Linear(in_features=3, out_features=2, bias=True)"


def test_linear_init_is_uniform_within_one_over_sqrt_fan_in():
    manual_seed(0)
    lin = Linear(400, 300)
    bound = 1 / math.sqrt(400)
    w, b = lin.weight.data, lin.bias.data
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01 * bound
    assert abs(w.mean()) < 0.01 * bound
    assert np.abs(w).max() > 0.99 * bound, "the whole interval is used"
    hist, _ = np.histogram(w, bins=10, range=(-bound, bound))
    assert hist.min() > 0.9 * w.size / 10, "uniform, not normal"
    assert abs(b.std() - bound / math.sqrt(3)) < 0.15 * bound


def test_linear_init_is_reproducible_and_reset_in_place():
    manual_seed(3)
    first = Linear(6, 4)
    manual_seed(3)
    second = Linear(6, 4)
    assert np.array_equal(first.weight.data, second.weight.data) and np.array_equal(first.bias.data, second.bias.data)
    weight = second.weight
    second.reset_parameters()
    assert second.weight is weight and not np.array_equal(weight.data, first.weight.data)


def test_linear_forward_matches_numpy_for_any_leading_shape():
    lin = Linear(3, 2)
    rng = np.random.default_rng(0)
    for shape in [(4, 3), (2, 5, 3), (3,), (0, 3)]:
        x = Tensor(rng.standard_normal(shape))
        y = lin(x)
        assert isinstance(y, Tensor) and y.shape == shape[:-1] + (2,) and y.dtype == np.float32
        np.testing.assert_allclose(y.data, x.data @ lin.weight.data.T + lin.bias.data, rtol=1e-6, atol=1e-6)


def test_linear_forward_is_recorded_for_autograd_as_one_op():
    lin = Linear(3, 2)
    y = lin(Tensor(np.ones((1, 3))))
    inputs = y._ctx[1]
    assert y.grad_fn == "linear" and y.requires_grad and inputs[1] is lin.weight and inputs[2] is lin.bias
    assert Linear(3, 2, bias=False)(Tensor(np.ones((1, 3)))).grad_fn == "linear"
    y64 = lin(Tensor(np.ones((1, 3)), dtype=np.float64))  # mixed dtypes: the tensor ops promote
    assert y64.dtype == np.float64 and y64.grad_fn == "add"


def test_functional_linear_names_mismatched_shapes():
    # the plain linear is input @ weight.T: the matrix product names the shapes that do not fit
    with pytest.raises(ValueError, match=r"\(2, 4\) @ \(5, 3\)"):
        F.linear(Tensor(np.ones((2, 4))), Tensor(np.ones((3, 5))))


def test_linear_without_bias():
    lin = Linear(3, 2, bias=False)
    assert lin.bias is None and "bias" in lin._parameters
    assert names(lin.named_parameters()) == ["weight"] and list(lin.state_dict()) == ["weight"]
    x = Tensor(np.ones((4, 3)))
    np.testing.assert_allclose(lin(x).data, x.data @ lin.weight.data.T, rtol=1e-6)
    assert repr(lin) == "Linear(in_features=3, out_features=2, bias=False)"


def test_linear_with_zero_features():
    empty_in = Linear(0, 3)
    assert empty_in.weight.shape == (3, 0) and np.array_equal(empty_in.bias.data, np.zeros(3))
    assert np.array_equal(empty_in(Tensor(np.ones((2, 0)))).data, np.zeros((2, 3)))
    assert Linear(3, 0)(Tensor(np.ones((2, 3)))).shape == (2, 0)


def test_linear_rejects_a_wrong_last_dimension_naming_the_shapes():
    lin = Linear(3, 2)
    with pytest.raises(ValueError, match=r"\(4, 5\).*in_features=3"):
        lin(Tensor(np.ones((4, 5))))
    with pytest.raises(ValueError, match=r"\(\)"):
        lin(Tensor(1.0))


# --- Sequential ------------------------------------------------------------------------------------
def test_sequential_chains_and_names_children_by_position():
    a, b = Linear(4, 3), Linear(3, 2)
    seq = Sequential(a, ReLU(), b)
    x = Tensor(np.random.default_rng(1).standard_normal((5, 4)))
    np.testing.assert_allclose(seq(x).data, b(Tensor(np.maximum(a(x).data, 0))).data, rtol=1e-6)
    assert len(seq) == 3 and names(seq.named_children()) == ["0", "1", "2"]
    assert names(seq.named_parameters()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_sequential_indexing_slicing_iteration():
    layers = [Linear(2, 2) for _ in range(4)]
    seq = Sequential(*layers)
    assert seq[0] is layers[0] and seq[-1] is layers[3] and seq[np.int64(2)] is layers[2]
    assert list(seq) == layers
    tail = seq[1:]
    assert type(tail) is Sequential and list(tail) == layers[1:] and names(tail.named_children()) == ["1", "2", "3"]
    assert names(seq[::2].named_children()) == ["0", "2"] and len(seq[5:]) == 0
    for bad in (4, -5):
        with pytest.raises(IndexError, match="out of range"):
            seq[bad]
    with pytest.raises(TypeError):
        seq["0"]


def test_sequential_from_ordered_dict_append_and_repr():
    seq = Sequential(OrderedDict([("fc", Linear(4, 3)), ("act", ReLU())]))
    assert names(seq.named_children()) == ["fc", "act"] and seq.fc is seq[0]
    assert seq.append(Dropout(0.1)) is seq and list(seq._modules) == ["fc", "act", "2"]
    assert repr(seq) == ("Sequential(\n  (fc): Linear(in_features=4, out_features=3, bias=True)\n"
                         "  (act): ReLU()\n  (2): Dropout(p=0.1, inplace=False)\n)")


def test_sequential_edge_cases():
    x = Tensor(np.ones(3))
    assert Sequential()(x) is x and repr(Sequential()) == "Sequential()"
    for bad in (lambda t: t, 3, Linear):
        with pytest.raises(TypeError, match="not a Module subclass"):
            Sequential(bad)
    nested = Sequential(Linear(2, 3), Sequential(Linear(3, 3), Linear(3, 1)))
    assert list(nested.state_dict()) == ["0.weight", "0.bias", "1.0.weight", "1.0.bias", "1.1.weight", "1.1.bias"]
    shared = Linear(2, 2)
    twice = Sequential(shared, shared)
    assert len(twice) == 2 and names(twice.named_parameters()) == ["0.weight", "0.bias"]
    assert list(twice.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]


# --- Flatten ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("dims, shape", [
    ((), (2, 60)), ((0, -1), (120,)), ((1, 2), (2, 12, 5)), ((-2, -1), (2, 3, 20)),
    ((2, 2), (2, 3, 4, 5)), ((0, 0), (2, 3, 4, 5)), ((0, 1), (6, 4, 5)),
])
def test_flatten_shapes_and_order(dims, shape):
    x = Tensor(np.arange(120).reshape(2, 3, 4, 5))
    y = Flatten(*dims)(x)
    assert y.shape == shape and np.array_equal(y.data, x.data.reshape(shape))


def test_flatten_edge_cases_and_errors():
    assert Flatten(0)(Tensor(3.0)).shape == (1,) and Flatten(-1, 0)(Tensor(3.0)).shape == (1,)
    assert Flatten()(Tensor(np.ones((2, 3)))).shape == (2, 3)
    assert Flatten()(Tensor(np.ones((2, 0, 3)))).shape == (2, 0)
    with pytest.raises(RuntimeError, match="start_dim"):
        Flatten(2, 1)(Tensor(np.ones((2, 3, 4))))
    with pytest.raises(IndexError, match=r"out of range.*\(5,\)"):
        Flatten()(Tensor(np.ones(5)))
    with pytest.raises(IndexError, match="out of range"):
        Flatten()(Tensor(3.0))
    with pytest.raises(IndexError, match="out of range"):
        Flatten(0, 3)(Tensor(np.ones((2, 3, 4))))
    assert repr(Flatten()) == "Flatten(start_dim=1, end_dim=-1)"
    assert Flatten()(Tensor(np.ones((2, 3, 4)), requires_grad=True)).grad_fn == "reshape"


# --- Dropout ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_statistics(p):
    manual_seed(0)
    y = Dropout(p)(Tensor(np.ones((200, 500)))).data
    dropped = (y == 0).mean()
    assert abs(dropped - p) < 0.01
    np.testing.assert_allclose(y[y != 0], 1 / (1 - p), rtol=1e-6)
    assert abs(y.mean() - 1) < 0.03 and y.dtype == np.float32


def test_dropout_eval_and_extreme_p():
    x = Tensor(np.arange(1.0, 7.0))
    drop = Dropout(0.5)
    assert drop.eval()(x) is x
    assert np.array_equal(Dropout(1.0)(x).data, np.zeros(6)) and np.array_equal(Dropout(1)(x).data, np.zeros(6))
    assert np.array_equal(Dropout(0.0)(x).data, x.data)
    assert repr(Dropout()) == "Dropout(p=0.5, inplace=False)" and repr(Dropout(1)) == "Dropout(p=1, inplace=False)"


@pytest.mark.parametrize("p", [-0.1, 1.1, 2])
def test_dropout_rejects_p_outside_0_1(p):
    with pytest.raises(ValueError, match=f"between 0 and 1, but got {p}"):
        Dropout(p)


def test_dropout_mask_comes_from_the_seeded_generator():
    x = Tensor(np.ones((30, 30)))
    drop = Dropout(0.5)
    manual_seed(7)
    first, second = drop(x).data, drop(x).data
    manual_seed(7)
    assert np.array_equal(drop(x).data, first) and not np.array_equal(first, second)


def test_dropout_records_the_mask_for_autograd():
    x = Tensor(np.ones((3, 4)), requires_grad=True)
    y = Dropout(0.5)(x)
    assert y.grad_fn == "mul"
    op, inputs, saved = y._ctx
    assert inputs[0] is x and np.array_equal(saved["b"].data, y.data)


def test_dropout_inplace():
    manual_seed(1)
    x = Tensor(np.ones((20, 20)))
    drop = Dropout(0.25, inplace=True)
    assert drop(x) is x and (x.data == 0).any()
    np.testing.assert_allclose(x.data[x.data != 0], 4 / 3, rtol=1e-6)
    assert repr(drop) == "Dropout(p=0.25, inplace=True)"
    with pytest.raises(RuntimeError, match="requires grad"):
        drop(Tensor(np.ones(3), requires_grad=True))


# --- parity with PyTorch ---------------------------------------------------------------------------
def _torch_model(nn):
    return nn.Sequential(nn.Flatten(), nn.Linear(12, 5), nn.ReLU(), nn.Dropout(0.2),
                         nn.Sequential(nn.Linear(5, 4), nn.Linear(4, 3, bias=False)))


def _our_model():
    return Sequential(Flatten(), Linear(12, 5), ReLU(), Dropout(0.2),
                      Sequential(Linear(5, 4), Linear(4, 3, bias=False)))


def test_torch_parity_repr_names_and_state_dict_keys():
    torch = pytest.importorskip("torch")
    theirs, ours = _torch_model(torch.nn), _our_model()
    assert repr(ours) == repr(theirs)
    assert names(ours.named_parameters()) == names(theirs.named_parameters())
    assert names(ours.named_modules()) == names(theirs.named_modules())
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [tuple(p.shape) for p in ours.parameters()] == [tuple(p.shape) for p in theirs.parameters()]
    assert repr(Flatten(0, 2)) == repr(torch.nn.Flatten(0, 2))
    assert repr(Dropout(0.3, inplace=True)) == repr(torch.nn.Dropout(0.3, inplace=True))
    assert repr(Linear(3, 2, bias=False)) == repr(torch.nn.Linear(3, 2, bias=False))
    assert repr(ours[1:3]) == repr(theirs[1:3])


def test_torch_parity_shared_parameters():
    torch = pytest.importorskip("torch")
    nn = torch.nn

    class TorchTied(nn.Module):
        def __init__(self):
            super().__init__()
            self.enc = nn.Linear(2, 2)
            self.dec = self.enc
            self.w = nn.Parameter(torch.ones(4))
            self.w_tied = self.w

    class OurTied(Module):
        def __init__(self):
            super().__init__()
            self.enc = Linear(2, 2)
            self.dec = self.enc
            self.w = Parameter(np.ones(4))
            self.w_tied = self.w

    theirs, ours = TorchTied(), OurTied()
    assert names(ours.named_parameters()) == names(theirs.named_parameters())
    assert names(ours.named_modules()) == names(theirs.named_modules())
    assert names(ours.named_children()) == names(theirs.named_children())
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours).replace("OurTied", "T") == repr(theirs).replace("TorchTied", "T")


def test_torch_parity_forward_with_the_same_weights():
    torch = pytest.importorskip("torch")
    theirs, ours = _torch_model(torch.nn).eval(), _our_model().eval()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((7, 3, 4)).astype(np.float32)
    with torch.no_grad():
        expected = theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours(Tensor(x)).data, expected, rtol=1e-5, atol=1e-6)
    lin_t, lin = torch.nn.Linear(3, 2), Linear(3, 2)
    lin.load_state_dict({k: v.detach().numpy() for k, v in lin_t.state_dict().items()})
    z = np.random.default_rng(1).standard_normal((2, 5, 3)).astype(np.float32)
    with torch.no_grad():
        np.testing.assert_allclose(lin(Tensor(z)).data, lin_t(torch.from_numpy(z)).numpy(), rtol=1e-5, atol=1e-6)


def test_torch_parity_flatten_shapes_and_errors():
    torch = pytest.importorskip("torch")
    shapes = [(2, 3, 4, 5), (2, 3), (6,), (), (2, 0, 3)]
    dims = [(1, -1), (0, -1), (1, 2), (-2, -1), (2, 2), (0, 0), (2, 1), (0, 3), (-1, 0)]
    for shape in shapes:
        for start, end in dims:
            x = np.zeros(shape, dtype=np.float32)
            try:
                expected = tuple(torch.nn.Flatten(start, end)(torch.from_numpy(x)).shape)
            except (IndexError, RuntimeError) as error:
                with pytest.raises(type(error)):
                    Flatten(start, end)(Tensor(x))
                continue
            assert Flatten(start, end)(Tensor(x)).shape == expected, (shape, start, end)


def test_torch_parity_load_state_dict_errors():
    torch = pytest.importorskip("torch")
    theirs, ours = torch.nn.Linear(3, 2), Linear(3, 2)
    bad = {"weight": np.zeros((2, 4), np.float32), "bias": np.zeros(2, np.float32)}
    for model, state in ((theirs, {k: torch.from_numpy(v) for k, v in bad.items()}), (ours, bad)):
        with pytest.raises(RuntimeError, match="size mismatch for weight"):
            model.load_state_dict(state)
    partial = {"weight": np.zeros((2, 3), np.float32), "foo": np.zeros(1, np.float32)}
    result_t = theirs.load_state_dict({k: torch.from_numpy(v) for k, v in partial.items()}, strict=False)
    result = ours.load_state_dict(partial, strict=False)
    assert (result.missing_keys, result.unexpected_keys) == (result_t.missing_keys, result_t.unexpected_keys)


def test_torch_parity_linear_init_range():
    torch = pytest.importorskip("torch")
    lin_t, lin = torch.nn.Linear(50, 20), Linear(50, 20)
    bound_t = float(lin_t.weight.detach().abs().max())
    assert np.abs(lin.weight.data).max() <= 1 / math.sqrt(50) and bound_t <= 1 / math.sqrt(50)
    assert abs(lin.weight.data.std() - float(lin_t.weight.detach().std())) < 0.1 / math.sqrt(50)
