"""tinytorch.core.module / core.layers: buffers, forward hooks, ModuleList, ModuleDict, Identity, with PyTorch parity."""
from collections import OrderedDict

import numpy as np
import pytest

from tinytorch import nn
from tinytorch.core.tensor import Tensor
from tinytorch import tensor as tt_tensor

torch = pytest.importorskip("torch")


def names(pairs):
    return [name for name, _ in pairs]


def build(lib, tensor):
    """The same small tree in tinytorch (lib=nn, tensor=Tensor) or PyTorch: buffers at two depths, a
    shared child, a non-persistent buffer, a None buffer."""
    class Norm(lib.Module):
        def __init__(self):
            super().__init__()
            self.weight = lib.Parameter(tensor(np.ones(3, dtype=np.float32)))
            self.register_buffer("running_mean", tensor(np.arange(3, dtype=np.float32)))
            self.register_buffer("cache", tensor(np.zeros(2, dtype=np.float32)), persistent=False)
            self.register_buffer("absent", None)
            self.register_buffer("count", tensor(np.array(5, dtype=np.int64)))

    class Net(lib.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("step", tensor(np.zeros(1, dtype=np.float64)))
            self.lin = lib.Linear(3, 3)
            self.norm = Norm()
            self.again = self.norm
            self.gain = lib.Parameter(tensor(np.ones(1, dtype=np.float32)))

    return Net()


# --- buffers -----------------------------------------------------------------------------------------
def test_buffers_names_state_dict_and_parameters_match_pytorch():
    ours, theirs = build(nn, tt_tensor), build(torch.nn, torch.tensor)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert names(ours.named_buffers()) == names(theirs.named_buffers())
    assert names(ours.named_buffers(remove_duplicate=False)) == names(theirs.named_buffers(remove_duplicate=False))
    assert names(ours.named_buffers(recurse=False)) == names(theirs.named_buffers(recurse=False))
    assert names(ours.named_buffers(prefix="m")) == names(theirs.named_buffers(prefix="m"))
    assert names(ours.named_parameters()) == names(theirs.named_parameters())
    assert len(list(ours.buffers())) == len(list(theirs.buffers())) == 4
    assert all(not isinstance(p, Tensor) or p.requires_grad for p in ours.parameters())
    assert not any(b is ours.norm.running_mean for b in ours.parameters()), "a buffer is not a parameter"
    for key, value in theirs.state_dict().items():
        if "lin" not in key:
            np.testing.assert_array_equal(ours.state_dict()[key], value.numpy())
            assert ours.state_dict()[key].dtype == value.numpy().dtype


def test_load_state_dict_loads_buffers_in_place_and_checks_them():
    src, dst = build(nn, tt_tensor), build(nn, tt_tensor)
    src.norm.running_mean.data[...] = [7, 8, 9]
    src.norm.count.data[...] = 11
    target = dst.norm.running_mean
    result = dst.load_state_dict(src.state_dict())
    assert result == ([], []) and dst.norm.running_mean is target
    np.testing.assert_array_equal(target.data, [7, 8, 9])
    assert int(dst.norm.count.data) == 11
    state = src.state_dict()
    del state["norm.running_mean"]
    with pytest.raises(RuntimeError, match="norm.running_mean"):
        dst.load_state_dict(state)
    state = src.state_dict()
    state["norm.running_mean"] = np.zeros(4)
    with pytest.raises(RuntimeError, match=r"size mismatch for norm.running_mean"):
        dst.load_state_dict(state)
    state = src.state_dict()
    state["norm.cache"] = np.zeros(2)
    with pytest.raises(RuntimeError, match="Unexpected key.*norm.cache"):
        dst.load_state_dict(state)  # a non-persistent buffer is not part of the state


def test_buffer_assignment_getattr_delattr_and_errors_follow_pytorch():
    for lib, tensor in ((nn, tt_tensor), (torch.nn, torch.tensor)):
        m = lib.Module()
        m.register_buffer("b", tensor(np.ones(2)))
        new = tensor(np.zeros(2))
        m.b = new
        assert m.b is new and "b" in m._buffers and "b" not in m.__dict__
        m.b = None
        assert m.b is None and "b" in m._buffers and list(m.buffers()) == []
        with pytest.raises(TypeError):
            m.b = 3.0
        with pytest.raises(TypeError):
            m.register_buffer("c", np.ones(2))
        with pytest.raises(KeyError):
            m.register_buffer("a.b", tensor(np.ones(2)))
        with pytest.raises(KeyError):
            m.register_buffer("", tensor(np.ones(2)))
        with pytest.raises(TypeError):
            m.register_buffer(1, tensor(np.ones(2)))
        m.plain = 1
        with pytest.raises(KeyError, match="already exists"):
            m.register_buffer("plain", tensor(np.ones(2)))
        m.w = lib.Parameter(tensor(np.ones(2, dtype=np.float32)))
        with pytest.raises(KeyError):
            m.register_buffer("w", tensor(np.ones(2)))
        m.register_buffer("b", tensor(np.ones(3)), persistent=False)
        assert list(m.state_dict()) == ["w"]
        m.register_buffer("b", tensor(np.ones(3)))  # persistent again
        assert list(m.state_dict()) == ["w", "b"]
        m.b = lib.Parameter(tensor(np.ones(2, dtype=np.float32)))  # a Parameter takes the name over
        assert "b" not in m._buffers and "b" in m._parameters
        m.register_buffer("gone", tensor(np.ones(1)))
        del m.gone
        assert "gone" not in m._buffers and not hasattr(m, "gone")


def test_register_buffer_before_init_raises():
    class Forgot(nn.Module):
        def __init__(self):
            self.register_buffer("b", Tensor(np.ones(1)))
    with pytest.raises(AttributeError, match="__init__"):
        Forgot()


def test_buffers_survive_deepcopy_and_show_in_optimizer_free_training():
    import copy
    m = build(nn, tt_tensor)
    c = copy.deepcopy(m)
    c.norm.running_mean.data[...] = -1
    assert m.norm.running_mean.data[0] == 0
    assert c.again is c.norm


# --- hooks -------------------------------------------------------------------------------------------
def _hook_trace(lib, tensor):
    """Register a mix of hooks on a Linear and return (log, outputs) of three calls, removing hooks in between."""
    if lib is nn:
        from tinytorch import manual_seed
        manual_seed(0)
    lin = lib.Linear(2, 2, bias=False)
    with (torch.no_grad() if lib is torch.nn else _null()):
        lin.weight.data[...] = tensor(np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32)) if lib is torch.nn \
            else np.array([[1.0, 2.0], [3.0, 4.0]])
    log = []
    h1 = lin.register_forward_pre_hook(lambda m, args: log.append(("pre1", len(args))))
    h2 = lin.register_forward_pre_hook(lambda m, args: args[0] * 2)  # a non-tuple result becomes (result,)
    h3 = lin.register_forward_hook(lambda m, args, out: log.append(("post", tuple(out.shape))))
    h4 = lin.register_forward_hook(lambda m, args, out: out + 1)
    h5 = lin.register_forward_hook(lambda m, args, out: log.append(("first", float(out.detach().sum()))), prepend=True)
    h6 = lin.register_forward_pre_hook(lambda m, args, kwargs: ((args[0] + 1,), kwargs), with_kwargs=True)
    h7 = lin.register_forward_hook(lambda m, args, kwargs, out: log.append(("kw", float(args[0].sum()))),
                                   with_kwargs=True)
    x = tensor(np.array([[1.0, -1.0]], dtype=np.float32))
    outputs = [lin(x).detach().numpy() if lib is torch.nn else lin(x).data.copy()]
    h2.remove()
    h4.remove()
    outputs.append(lin(x).detach().numpy() if lib is torch.nn else lin(x).data.copy())
    for handle in (h1, h3, h5, h6, h7):
        handle.remove()
    h1.remove()  # removing twice is harmless
    outputs.append(lin(x).detach().numpy() if lib is torch.nn else lin(x).data.copy())
    return log, outputs


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_forward_hooks_match_pytorch():
    ours, theirs = _hook_trace(nn, tt_tensor), _hook_trace(torch.nn, torch.tensor)
    assert ours[0] == theirs[0]
    for a, b in zip(ours[1], theirs[1]):
        np.testing.assert_allclose(a, b)


def test_hook_replacing_output_keeps_autograd_and_handle_is_a_context_manager():
    lin = nn.Linear(3, 1)
    with lin.register_forward_hook(lambda m, args, out: out * 3):
        y = lin(Tensor(np.ones((2, 3), dtype=np.float32)))
    y.sum().backward()
    np.testing.assert_allclose(lin.weight.grad.data, np.full((1, 3), 6.0))
    assert not lin._forward_hooks
    seen = []
    model = nn.Sequential(nn.Linear(3, 4), nn.Identity(), nn.Linear(4, 2))
    for child in model.children():
        child.register_forward_hook(lambda m, args, out: seen.append((type(m).__name__, out.shape)))
    model(Tensor(np.ones((5, 3), dtype=np.float32)))
    assert seen == [("Linear", (5, 4)), ("Identity", (5, 4)), ("Linear", (5, 2))]


def test_pre_hook_with_kwargs_must_return_a_pair():
    lin = nn.Linear(2, 2)
    lin.register_forward_pre_hook(lambda m, args, kwargs: "bad", with_kwargs=True)
    with pytest.raises(RuntimeError, match="new_args, new_kwargs"):
        lin(Tensor(np.ones((1, 2), dtype=np.float32)))


# --- containers --------------------------------------------------------------------------------------
def _list_ops(lib):
    lin = [lib.Linear(i + 1, i + 2) for i in range(6)]
    ml = lib.ModuleList(lin[:3])
    trace = [list(ml._modules), len(ml)]
    ml.append(lin[3])
    ml.extend([lin[4]])
    ml += [lin[5]]
    trace.append([m.in_features for m in ml])
    ml.insert(1, lib.Identity())
    trace.append([type(m).__name__ for m in ml])
    del ml[1]
    trace.append([m.in_features for m in ml])
    trace.append(ml.pop(2).in_features)
    trace.append(ml.pop(-1).in_features)
    trace.append([m.in_features for m in ml[1:3]])
    trace.append(type(ml[1:3]).__name__)
    trace.append(ml[-1].in_features)
    ml[0] = lib.Linear(9, 9)
    trace.append([m.in_features for m in ml])
    del ml[::2]
    trace.append((list(ml._modules), [m.in_features for m in ml]))
    both = ml + lib.ModuleList([lib.Linear(7, 1)])
    trace.append((type(both).__name__, list(both._modules), [m.in_features for m in both]))
    trace.append(list(lib.Sequential(*ml).state_dict()))
    trace.append(list(lib.ModuleList([lib.Linear(1, 1), lib.Linear(1, 1)]).state_dict()))
    for bad in (5, -6):
        try:
            ml[bad]
            trace.append("no error")
        except IndexError:
            trace.append("IndexError")
    try:
        lib.ModuleList([lib.Linear(1, 1)])(Tensor(np.ones(1)) if lib is nn else torch.ones(1))
    except NotImplementedError:
        trace.append("no forward")
    return trace


def test_module_list_matches_pytorch():
    assert _list_ops(nn) == _list_ops(torch.nn)


def _dict_ops(lib):
    md = lib.ModuleDict({"b": lib.Linear(1, 2), "a": lib.Linear(2, 3)})
    trace = [list(md), list(md.keys()), len(md), "a" in md, "z" in md]
    md["c"] = lib.Identity()
    md.update([("d", lib.Linear(4, 4)), ("b", lib.Linear(5, 5))])
    md.update(OrderedDict([("e", lib.Linear(6, 6))]))
    md.update(lib.ModuleDict({"f": lib.Linear(7, 7)}))
    trace.append([(k, type(v).__name__) for k, v in md.items()])
    trace.append(md["b"].in_features)
    trace.append(md.pop("a").in_features)
    del md["c"]
    trace.append(list(md))
    trace.append(list(md.state_dict()))
    trace.append([type(v).__name__ for v in md.values()])
    for bad in ([("x",)], [("x", lib.Linear(1, 1), 3)]):
        try:
            md.update(bad)
            trace.append("no error")
        except ValueError:
            trace.append("ValueError")
    try:
        md["missing"]
    except KeyError:
        trace.append("KeyError")
    md.clear()
    trace.append(len(md))
    return trace


def test_module_dict_matches_pytorch():
    assert _dict_ops(nn) == _dict_ops(torch.nn)


def test_containers_register_children_for_parameters_train_and_repr():
    blocks = nn.ModuleList([nn.Linear(2, 2), nn.Dropout(0.5)])
    heads = nn.ModuleDict({"x": nn.Linear(2, 1)})
    model = nn.Sequential(OrderedDict([("blocks", blocks), ("heads", heads)]))
    assert len(list(model.parameters())) == 4
    model.eval()
    assert not blocks[1].training and not heads["x"].training
    assert repr(nn.ModuleDict({"x": nn.Identity()})) == repr(torch.nn.ModuleDict({"x": torch.nn.Identity()}))


def test_module_list_repr_compresses_runs_like_pytorch():
    def build(lib):
        inner = lib.Sequential(lib.Linear(2, 2), lib.ReLU())
        return [lib.ModuleList(), lib.ModuleList([lib.ReLU()]),
                lib.ModuleList([lib.Linear(2, 2), lib.Linear(2, 2), lib.ReLU(), lib.Linear(2, 2)]),
                lib.ModuleList([inner, lib.Sequential(lib.Linear(2, 2), lib.ReLU()), lib.Identity(), lib.Identity()])]
    assert [repr(m) for m in build(nn)] == [repr(m) for m in build(torch.nn)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_identity_returns_its_input_and_passes_gradients(dtype):
    x = tt_tensor(np.arange(6, dtype=dtype).reshape(2, 3), requires_grad=True)
    identity = nn.Identity(54, unused="ignored")
    y = identity(x)
    assert y is x and y.dtype == dtype
    (identity(x) * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.data, np.full((2, 3), 2.0))
    assert repr(identity) == repr(torch.nn.Identity()) == "Identity()"
    assert list(identity.parameters()) == []


def test_checkpoints_save_and_restore_buffers(tmp_path):
    from tinytorch.training.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
    src = build(nn, tt_tensor)
    src.norm.running_mean.data[...] = [4, 5, 6]
    src.step.data[...] = 9
    save_checkpoint(tmp_path / "ckpt.npz", src)
    dst = build(nn, tt_tensor)
    load_checkpoint(tmp_path / "ckpt.npz", dst)
    np.testing.assert_array_equal(dst.norm.running_mean.data, [4, 5, 6])
    assert dst.step.data[0] == 9 and dst.step.dtype == np.float64
    np.testing.assert_array_equal(dst.lin.weight.data, src.lin.weight.data)
    plain = nn.Module()
    plain.lin = nn.Linear(3, 3)
    with pytest.raises(CheckpointError, match="unexpected keys"):
        load_checkpoint(tmp_path / "ckpt.npz", plain)
