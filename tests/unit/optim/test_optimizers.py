"""tinytorch.optim (module 07): optimizers and learning-rate schedulers against NumPy re-statements
of their rules and, when torch is installed, against PyTorch."""
import copy
import itertools
import math
import warnings

import numpy as np
import pytest

import tinytorch.optim
from tinytorch import Tensor, kernels
from tinytorch.nn import Linear, Parameter
from tinytorch.optim import SGD, Adam, AdamW, Optimizer, RMSprop, lr_scheduler
from tinytorch.optim.lr_scheduler import (CosineAnnealingLR, LambdaLR, LinearLR, LRScheduler, SequentialLR,
                                          StepLR)

SHAPES = [(3, 4), (5,), ()]
STEPS = 20


# --- NumPy re-statements of the rules (float64, one parameter at a time) ---------------------------
def ref_sgd(theta, grads, lr, momentum=0, dampening=0, weight_decay=0, nesterov=False, maximize=False):
    theta, buf = theta.astype(np.float64), None
    for g in grads:
        d = (-g if maximize else g) + weight_decay * theta
        if momentum:
            buf = d.copy() if buf is None else momentum * buf + (1 - dampening) * d
            d = d + momentum * buf if nesterov else buf
        theta = theta - lr * d
    return theta


def ref_adam(theta, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False,
             maximize=False, decoupled_weight_decay=False):
    theta = theta.astype(np.float64)
    m, v, vmax = np.zeros_like(theta), np.zeros_like(theta), np.zeros_like(theta)
    for t, g in enumerate(grads, start=1):
        g = -g if maximize else g.astype(np.float64)
        if decoupled_weight_decay:
            theta = theta * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * theta
        m = betas[0] * m + (1 - betas[0]) * g
        v = betas[1] * v + (1 - betas[1]) * g * g
        vmax = np.maximum(vmax, v)
        m_hat = m / (1 - betas[0] ** t)
        v_hat = (vmax if amsgrad else v) / (1 - betas[1] ** t)
        theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
    return theta


def ref_rmsprop(theta, grads, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                maximize=False):
    theta = theta.astype(np.float64)
    sq, avg, buf = np.zeros_like(theta), np.zeros_like(theta), np.zeros_like(theta)
    for g in grads:
        g = (-g if maximize else g) + weight_decay * theta
        sq = alpha * sq + (1 - alpha) * g * g
        avg = alpha * avg + (1 - alpha) * g
        d = np.sqrt(sq - avg * avg if centered else sq) + eps
        if momentum > 0:
            buf = momentum * buf + g / d
            theta = theta - lr * buf
        else:
            theta = theta - lr * g / d
    return theta


def grid(**options):
    return [dict(zip(options, values)) for values in itertools.product(*options.values())]


SGD_CASES = [o for o in grid(momentum=[0, 0.9], dampening=[0, 0.5], weight_decay=[0, 0.1], nesterov=[False, True],
                              maximize=[False, True])
             if not o["nesterov"] or (o["momentum"] > 0 and o["dampening"] == 0)]
ADAM_CASES = grid(betas=[(0.9, 0.999), (0.5, 0.8)], weight_decay=[0, 0.1], amsgrad=[False, True],
                  maximize=[False, True], decoupled_weight_decay=[False, True])
RMSPROP_CASES = grid(alpha=[0.99, 0.6], weight_decay=[0, 0.1], momentum=[0, 0.9], centered=[False, True],
                     maximize=[False, True])
ALL_CASES = ([(SGD, dict(lr=0.05, **o), ref_sgd) for o in SGD_CASES]
             + [(Adam, dict(lr=0.02, **o), ref_adam) for o in ADAM_CASES]
             + [(RMSprop, dict(lr=0.01, **o), ref_rmsprop) for o in RMSPROP_CASES])


def case_id(case):
    cls, options, _ = case
    return cls.__name__ + "-" + "-".join(f"{k}={v}" for k, v in options.items() if k != "lr")


def problem(seed=0, shapes=SHAPES, steps=STEPS):
    """Start values and a sequence of float32 gradients for parameters of the given shapes."""
    rng = np.random.default_rng(seed)
    start = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    grads = [[rng.standard_normal(s).astype(np.float32) for s in shapes] for _ in range(steps)]
    return start, grads


@pytest.fixture(params=["accel", "plain"])
def path(request):
    """The shipped package (tinytorch.accel's kernels) and, under kernels.plain(), the taught code."""
    if request.param == "plain":
        with kernels.plain():
            yield request.param
    else:
        yield request.param


def run(cls, options, start, grads):
    params = [Parameter(x) for x in start]
    opt = cls(params, **options)
    for step_grads in grads:
        for p, g in zip(params, step_grads):
            p.grad = Tensor(g)
        assert opt.step() is None
    return params, opt


def run_torch(torch_cls, options, start, grads):
    """The same steps with PyTorch's optimizer `torch_cls`; returns (its parameters, the optimizer)."""
    import torch
    tparams = [torch.tensor(x, requires_grad=True) for x in start]
    topt = torch_cls(tparams, **options)
    for step_grads in grads:
        for p, g in zip(tparams, step_grads):
            p.grad = torch.tensor(g)
        topt.step()
    return tparams, topt


@pytest.mark.parametrize("case", ALL_CASES, ids=case_id)
def test_optimizer_matches_numpy_restatement(case, path):
    cls, options, reference = case
    start, grads = problem()
    params, _ = run(cls, options, start, grads)
    for i, p in enumerate(params):
        assert p.dtype == np.float32 and p.shape == start[i].shape
        expected = reference(start[i], [g[i] for g in grads], **options)
        np.testing.assert_allclose(p.data, expected, rtol=1e-5, atol=2e-5)


@pytest.mark.parametrize("case", ALL_CASES, ids=case_id)
def test_optimizer_matches_torch(case, path):
    torch = pytest.importorskip("torch")
    cls, options, _ = case
    start, grads = problem(seed=1)
    params, opt = run(cls, options, start, grads)
    torch_cls = {SGD: torch.optim.SGD, Adam: torch.optim.Adam, RMSprop: torch.optim.RMSprop}[cls]
    tparams, topt = run_torch(torch_cls, options, start, grads)
    for p, tp in zip(params, tparams):
        np.testing.assert_allclose(p.data, tp.detach().numpy(), rtol=1e-5, atol=1e-5)
    # same state layout: the same parameter numbers and, for each, the same state entries
    ours, theirs = opt.state_dict(), topt.state_dict()
    assert ours["state"].keys() == theirs["state"].keys()
    for index, state in theirs["state"].items():
        assert ours["state"][index].keys() == state.keys()
        for key, value in state.items():
            np.testing.assert_allclose(np.asarray(ours["state"][index][key], dtype=np.float64),
                                       value.detach().numpy(), rtol=1e-5, atol=1e-5)
    for group, tgroup in zip(ours["param_groups"], theirs["param_groups"]):
        assert {k: tgroup[k] for k in group} == group


@pytest.mark.parametrize("options", grid(weight_decay=[0.01, 0.3], amsgrad=[False, True], maximize=[False, True]))
def test_adamw_is_adam_with_decoupled_decay_and_matches_torch(options, path):
    start, grads = problem(seed=2)
    params, opt = run(AdamW, dict(lr=0.02, **options), start, grads)
    assert opt.param_groups[0]["decoupled_weight_decay"] is True
    for i, p in enumerate(params):
        expected = ref_adam(start[i], [g[i] for g in grads], lr=0.02, decoupled_weight_decay=True, **options)
        np.testing.assert_allclose(p.data, expected, rtol=1e-5, atol=2e-5)
    torch = pytest.importorskip("torch")
    tparams, _ = run_torch(torch.optim.AdamW, dict(lr=0.02, **options), start, grads)
    for p, tp in zip(params, tparams):
        np.testing.assert_allclose(p.data, tp.detach().numpy(), rtol=1e-5, atol=1e-5)


def test_defaults_are_pytorchs():
    p = Parameter(np.ones(2))
    assert SGD([p]).defaults == dict(lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, maximize=False)
    assert Adam([p]).defaults == dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False,
                                      maximize=False, decoupled_weight_decay=False)
    assert AdamW([p]).defaults["weight_decay"] == 1e-2 and AdamW([p]).defaults["decoupled_weight_decay"]
    assert RMSprop([p]).defaults == dict(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                                         maximize=False)


def test_package_layout():
    assert tinytorch.optim.lr_scheduler is lr_scheduler
    assert lr_scheduler.StepLR is StepLR
    assert all(issubclass(c, Optimizer) for c in (SGD, Adam, AdamW, RMSprop)) and issubclass(AdamW, Adam)


# --- parameter groups, zero_grad, state -------------------------------------------------------------
def test_param_groups_with_their_own_options():
    start, grads = problem(seed=3, shapes=[(4,), (2, 2), (3,)])
    params = [Parameter(x) for x in start]
    opt = SGD([{"params": params[:2]}, {"params": params[2], "lr": 0.5, "momentum": 0.5}], lr=0.1, momentum=0.9)
    assert [len(g["params"]) for g in opt.param_groups] == [2, 1]
    assert opt.param_groups[1]["dampening"] == 0 and opt.param_groups[1]["momentum"] == 0.5
    for step_grads in grads:
        for p, g in zip(params, step_grads):
            p.grad = Tensor(g)
        opt.step()
    for i, (lr, mom) in enumerate([(0.1, 0.9), (0.1, 0.9), (0.5, 0.5)]):
        np.testing.assert_allclose(params[i].data, ref_sgd(start[i], [g[i] for g in grads], lr, mom), atol=1e-5)


def test_param_groups_match_torch(path):
    torch = pytest.importorskip("torch")
    start, grads = problem(seed=4, shapes=[(4,), (3,)])
    params = [Parameter(x) for x in start]
    tparams = [torch.tensor(x, requires_grad=True) for x in start]
    opt = Adam([{"params": [params[0]]}, {"params": [params[1]], "lr": 0.1, "amsgrad": True}], lr=0.01)
    topt = torch.optim.Adam([{"params": [tparams[0]]}, {"params": [tparams[1]], "lr": 0.1, "amsgrad": True}], lr=0.01)
    for step_grads in grads:
        for p, tp, g in zip(params, tparams, step_grads):
            p.grad, tp.grad = Tensor(g), torch.tensor(g)
        opt.step()
        topt.step()
    for p, tp in zip(params, tparams):
        np.testing.assert_allclose(p.data, tp.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_step_skips_parameters_without_grad_and_plain_sgd_keeps_no_state():
    a, b = Parameter([1.0, 2.0]), Parameter([3.0])
    for opt in (SGD([a, b], lr=0.1), SGD([a, b], lr=0.1, momentum=0.9), Adam([a, b]), RMSprop([a, b])):
        a.grad, b.grad = Tensor([1.0, 1.0]), None
        before = b.data.copy()
        opt.step()
        assert np.array_equal(b.data, before) and b not in opt.state
        assert len(opt.state) == (0 if opt.defaults.get("momentum") == 0 and isinstance(opt, SGD) else 1)


def test_zero_grad():
    w, b = Parameter(np.ones((2, 2))), Parameter(np.ones(2))
    opt = SGD([{"params": [w]}, {"params": [b]}], lr=0.1)
    w.grad, b.grad = Tensor(np.ones((2, 2))), None
    grad = w.grad
    opt.zero_grad(set_to_none=False)
    assert w.grad is grad and not grad.data.any() and b.grad is None
    opt.zero_grad()
    assert w.grad is None


def test_updates_are_in_place_float32_and_record_nothing():
    w = Parameter(np.ones(3))
    data = w.data
    for opt in (SGD([w], lr=0.1, momentum=0.9, nesterov=True), Adam([w], amsgrad=True), AdamW([w]),
                RMSprop([w], momentum=0.5, centered=True)):
        w.grad = Tensor(np.array([0.1, -0.2, 0.3], dtype=np.float64), dtype=np.float64)
        for _ in range(2):
            opt.step()
        assert w.data is data and w.dtype == np.float32 and w.is_leaf and w.grad_fn is None
        assert all(v.dtype == np.float32 for v in opt.state[w].values() if isinstance(v, np.ndarray))


def test_zero_dimensional_parameters():
    start, grads = problem(seed=5, shapes=[()])
    for cls, options, reference in [(SGD, dict(lr=0.1, momentum=0.9, maximize=True, weight_decay=0.1), ref_sgd),
                                    (Adam, dict(lr=0.1, amsgrad=True, maximize=True), ref_adam),
                                    (RMSprop, dict(lr=0.01, momentum=0.9, centered=True, maximize=True), ref_rmsprop)]:
        (p,), _ = run(cls, options, start, grads)
        assert p.shape == () and p.dtype == np.float32
        np.testing.assert_allclose(p.data, reference(start[0], [g[0] for g in grads], **options), atol=2e-5)


def test_closure_is_called_with_grad_enabled_and_its_loss_returned():
    import tinytorch
    w = Parameter([1.0])
    seen = []
    opt = SGD([w], lr=0.1)
    previous = tinytorch.set_grad_enabled(False)
    try:
        loss = opt.step(lambda: seen.append(tinytorch.is_grad_enabled()) or 2.5)
        assert loss == 2.5 and seen == [True] and not tinytorch.is_grad_enabled()
    finally:
        tinytorch.set_grad_enabled(previous)


def test_gradient_of_the_wrong_shape_is_named():
    w = Parameter(np.ones((2, 3)))
    w.grad = Tensor(np.ones(3))
    with pytest.raises(RuntimeError, match=r"\(2, 3\).*\(3,\)"):
        Adam([w]).step()


def test_module_parameters_and_named_parameters():
    layer = Linear(3, 2)
    opt = SGD(layer.parameters(), lr=0.5)
    assert [p is q for p, q in zip(opt.param_groups[0]["params"], layer.parameters())] == [True, True]
    named = SGD(layer.named_parameters(), lr=0.5)
    assert named.param_groups[0]["param_names"] == ["weight", "bias"]
    assert named.state_dict()["param_groups"][0]["param_names"] == ["weight", "bias"]
    with pytest.raises(ValueError, match="with/without names"):
        SGD([("weight", layer.weight), layer.bias], lr=0.1)
    with pytest.raises(ValueError, match="with/without names"):
        named.add_param_group({"params": [Parameter(np.ones(1))]})


# --- argument checks ------------------------------------------------------------------------------------
BAD_ARGUMENTS = [
    (SGD, dict(lr=-0.1), "Invalid learning rate: -0.1"),
    (SGD, dict(lr=0.1, momentum=-0.5), "Invalid momentum value: -0.5"),
    (SGD, dict(lr=0.1, weight_decay=-1), "Invalid weight_decay value: -1"),
    (SGD, dict(lr=0.1, nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
    (SGD, dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
    (Adam, dict(lr=-1e-3), "Invalid learning rate: -0.001"),
    (Adam, dict(eps=-1.0), "Invalid epsilon value: -1.0"),
    (Adam, dict(betas=(1.0, 0.999)), "Invalid beta parameter at index 0: 1.0"),
    (Adam, dict(betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
    (AdamW, dict(weight_decay=-0.01), "Invalid weight_decay value: -0.01"),
    (RMSprop, dict(alpha=-0.5), "Invalid alpha value: -0.5"),
    (RMSprop, dict(momentum=-0.5), "Invalid momentum value: -0.5"),
    (RMSprop, dict(eps=-1.0), "Invalid epsilon value: -1.0"),
]


def sys_torch():
    """torch if it is installed, else None."""
    try:
        import torch
    except ImportError:
        return None
    return torch


@pytest.mark.parametrize("cls, options, message", BAD_ARGUMENTS)
def test_invalid_arguments(cls, options, message):
    with pytest.raises(ValueError) as error:
        cls([Parameter([1.0])], **options)
    assert str(error.value) == message
    torch = sys_torch()
    if torch is not None:
        torch_cls = getattr(torch.optim, cls.__name__)
        with pytest.raises(ValueError) as torch_error:
            torch_cls([torch.zeros(1, requires_grad=True)], **options)
        assert str(torch_error.value) == message


def test_bad_params():
    a, b = Parameter(np.ones(2)), Parameter(np.ones(3))
    with pytest.raises(TypeError, match="iterable of Tensors or dicts"):
        SGD(a, lr=0.1)
    with pytest.raises(ValueError, match="empty parameter list"):
        SGD([], lr=0.1)
    with pytest.raises(TypeError):  # a set: 07 states the error, not its words
        SGD([{"params": {a, b}}], lr=0.1)
    with pytest.raises(TypeError, match="can only optimize Tensors, but one of the params is ndarray"):
        SGD([np.ones(2)], lr=0.1)
    with pytest.raises(ValueError, match="non-leaf"):
        SGD([Tensor(np.ones(2), requires_grad=True) * 2], lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        SGD([{"params": [a]}, {"params": [b, a]}], lr=0.1)
    with pytest.raises(TypeError, match="param_group must be a dict"):
        SGD([a], lr=0.1).add_param_group([b])
    with pytest.warns(UserWarning, match="duplicate parameters"):
        SGD([a, a], lr=0.1)


def test_add_param_group_takes_the_defaults():
    a, b = Parameter(np.ones(2)), Parameter(np.ones(3))
    opt = Adam([a], lr=0.1, amsgrad=True)
    opt.add_param_group({"params": b, "betas": (0.5, 0.6)})
    group = opt.param_groups[1]
    assert len(group["params"]) == 1 and group["params"][0] is b
    assert group["lr"] == 0.1 and group["amsgrad"] and group["betas"] == (0.5, 0.6)


def test_repr_lists_every_option_of_every_group():
    opt = SGD([{"params": [Parameter([1.0])]}, {"params": [Parameter([1.0])], "lr": 0.5}], lr=0.1)
    assert repr(opt) == ("SGD (\nParameter Group 0\n    dampening: 0\n    lr: 0.1\n    maximize: False\n"
                         "    momentum: 0\n    nesterov: False\n    weight_decay: 0\nParameter Group 1\n"
                         "    dampening: 0\n    lr: 0.5\n    maximize: False\n    momentum: 0\n"
                         "    nesterov: False\n    weight_decay: 0\n)")


# --- checkpoints ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [lambda ps: SGD(ps, lr=0.05, momentum=0.9, nesterov=True),
                                  lambda ps: Adam(ps, lr=0.01, amsgrad=True),
                                  lambda ps: AdamW([{"params": ps[:1]}, {"params": ps[1:], "lr": 0.1}]),
                                  lambda ps: RMSprop(ps, momentum=0.5, centered=True)],
                         ids=["SGD", "Adam", "AdamW-groups", "RMSprop"])
def test_state_dict_round_trip_continues_identically(make):
    start, grads = problem(seed=6, steps=15)
    params = [Parameter(x) for x in start]
    opt = make(params)

    def train(ps, optimizer, gradient_steps):
        for step_grads in gradient_steps:
            for p, g in zip(ps, step_grads):
                p.grad = Tensor(g)
            optimizer.step()

    train(params, opt, grads[:5])
    saved = opt.state_dict()
    snapshot = copy.deepcopy(saved)
    weights = [p.data.copy() for p in params]
    train(params, opt, grads[5:])

    fresh = [Parameter(w) for w in weights]
    restored = make(fresh)
    restored.load_state_dict(saved)
    train(fresh, restored, grads[5:])
    for p, q in zip(params, fresh):
        assert np.array_equal(p.data, q.data)
    assert [g["lr"] for g in restored.param_groups] == [g["lr"] for g in opt.param_groups]
    # saving and loading copied the arrays: training on did not change the checkpoint
    assert all(np.array_equal(value, snapshot["state"][i][key])
               for i, state in saved["state"].items() for key, value in state.items())


def test_state_dict_layout():
    a, b, c = Parameter(np.ones(2)), Parameter(np.ones(3)), Parameter(np.ones(1))
    opt = SGD([{"params": [a, b]}, {"params": [c], "lr": 0.5}], lr=0.1, momentum=0.9)
    b.grad = Tensor(np.ones(3))
    opt.step()
    sd = opt.state_dict()
    assert list(sd) == ["state", "param_groups"]
    assert list(sd["state"]) == [1] and list(sd["state"][1]) == ["momentum_buffer"]
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]
    assert sd["param_groups"][1] == dict(lr=0.5, momentum=0.9, dampening=0, weight_decay=0, nesterov=False,
                                         maximize=False, params=[2])
    sd["param_groups"][0]["lr"] = 99.0
    assert opt.param_groups[0]["lr"] == 0.1


def test_load_state_dict_refuses_a_mismatch_and_changes_nothing():
    ps = [Parameter(np.ones(2)) for _ in range(3)]
    src = Adam([{"params": ps[:2]}, {"params": ps[2:]}], lr=0.5)
    for p in ps:
        p.grad = Tensor(np.ones(2))
    src.step()
    saved = src.state_dict()
    qs = [Parameter(np.ones(2)) for _ in range(3)]
    for groups, match in [([{"params": qs}], "different number of parameter groups"),
                          ([{"params": qs[:1]}, {"params": qs[1:]}], "group 0 has 2 parameters in the state dict and 1")]:
        dst = Adam(groups, lr=0.1)
        with pytest.raises(ValueError, match=match):
            dst.load_state_dict(saved)
        assert all(g["lr"] == 0.1 for g in dst.param_groups) and not dst.state
    wrong = Adam([{"params": [Parameter(np.ones(2)), Parameter(np.ones(5))]}, {"params": [Parameter(np.ones(2))]}])
    with pytest.raises(ValueError, match=r"'exp_avg' of shape \(2,\) for parameter 1, whose shape is \(5,\)"):
        wrong.load_state_dict(saved)
    assert not wrong.state and wrong.param_groups[0]["lr"] == 1e-3
    saved["state"][7] = {"step": 1}
    with pytest.raises(ValueError, match="parameter 7"):
        Adam([{"params": qs[:2]}, {"params": qs[2:]}]).load_state_dict(saved)


def test_load_state_dict_from_torch_layout():
    torch = pytest.importorskip("torch")
    start, grads = problem(seed=7, shapes=[(3,), (2,)])
    tparams = [torch.tensor(x, requires_grad=True) for x in start]
    topt = torch.optim.SGD(tparams, lr=0.1, momentum=0.9)
    for step_grads in grads[:3]:
        for p, g in zip(tparams, step_grads):
            p.grad = torch.tensor(g)
        topt.step()
    tsd = topt.state_dict()
    converted = {"state": {i: {k: v.numpy() for k, v in s.items()} for i, s in tsd["state"].items()},
                 "param_groups": [{k: v for k, v in g.items() if k in SGD([Parameter([0.0])]).defaults or k == "params"}
                                  for g in tsd["param_groups"]]}
    params = [Parameter(p.detach().numpy()) for p in tparams]
    opt = SGD(params, lr=0.5)
    opt.load_state_dict(converted)
    for step_grads in grads[3:]:
        for p, tp, g in zip(params, tparams, step_grads):
            p.grad, tp.grad = Tensor(g), torch.tensor(g)
        opt.step()
        topt.step()
    for p, tp in zip(params, tparams):
        np.testing.assert_allclose(p.data, tp.detach().numpy(), rtol=1e-5, atol=1e-6)


# --- learning-rate schedulers ---------------------------------------------------------------------------
def lr_sequence(make_optimizer, make_scheduler, steps=30):
    opt = make_optimizer()
    scheduler = make_scheduler(opt)
    lrs = [scheduler.get_last_lr()]
    for _ in range(steps):
        opt.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr())
        assert lrs[-1] == [g["lr"] for g in opt.param_groups]
    return np.array(lrs), scheduler


def two_groups(lrs=(0.1, 0.4)):
    return lambda: SGD([{"params": [Parameter([0.0])]}, {"params": [Parameter([0.0])], "lr": lrs[1]}], lr=lrs[0])


SCHEDULES = {
    "StepLR": (lambda o, m: m.StepLR(o, step_size=4, gamma=0.5),
               lambda t: [b * 0.5 ** (t // 4) for b in (0.1, 0.4)]),
    "CosineAnnealingLR": (lambda o, m: m.CosineAnnealingLR(o, T_max=7),
                          lambda t: [b * (1 + math.cos(math.pi * t / 7)) / 2 for b in (0.1, 0.4)]),
    "CosineAnnealingLR-eta_min": (lambda o, m: m.CosineAnnealingLR(o, T_max=5, eta_min=0.05),
                                  lambda t: [0.05 + (b - 0.05) * (1 + math.cos(math.pi * t / 5)) / 2 for b in (0.1, 0.4)]),
    "LinearLR-warmup": (lambda o, m: m.LinearLR(o),
                        lambda t: [b * (1 / 3 + (2 / 3) * min(t, 5) / 5) for b in (0.1, 0.4)]),
    "LinearLR-decay": (lambda o, m: m.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=12),
                       lambda t: [b * (1 - 0.9 * min(t, 12) / 12) for b in (0.1, 0.4)]),
    "LambdaLR": (lambda o, m: m.LambdaLR(o, [lambda t: 0.9 ** t, lambda t: 1 / (t + 1)]),
                 lambda t: [0.1 * 0.9 ** t, 0.4 / (t + 1)]),
    "SequentialLR": (lambda o, m: m.SequentialLR(o, [m.LinearLR(o, start_factor=0.1, total_iters=5),
                                                     m.CosineAnnealingLR(o, T_max=20)], milestones=[5]),
                     lambda t: [b * (0.1 + 0.9 * t / 5) if t < 5 else b * (1 + math.cos(math.pi * (t - 5) / 20)) / 2
                                for b in (0.1, 0.4)]),
    "SequentialLR-three": (lambda o, m: m.SequentialLR(o, [m.StepLR(o, 2, 0.5), m.LinearLR(o, 0.2, total_iters=4),
                                                           m.CosineAnnealingLR(o, 6, eta_min=0.01)], milestones=[5, 12]),
                           None),
}


@pytest.mark.parametrize("name", SCHEDULES)
def test_scheduler_matches_closed_form(name):
    make, closed_form = SCHEDULES[name]
    if closed_form is None:
        pytest.skip("no simple closed form; compared with torch below")
    lrs, scheduler = lr_sequence(two_groups(), lambda o: make(o, lr_scheduler), steps=40)
    np.testing.assert_allclose(lrs, [closed_form(t) for t in range(41)], rtol=1e-12, atol=1e-14)
    assert scheduler.last_epoch == 40


@pytest.mark.parametrize("name", SCHEDULES)
def test_scheduler_matches_torch(name):
    torch = pytest.importorskip("torch")
    make, _ = SCHEDULES[name]
    ours, _ = lr_sequence(two_groups(), lambda o: make(o, lr_scheduler), steps=40)

    def torch_opt():
        return torch.optim.SGD([{"params": [torch.zeros(1, requires_grad=True)]},
                                {"params": [torch.zeros(1, requires_grad=True)], "lr": 0.4}], lr=0.1)
    topt = torch_opt()
    tsched = make(topt, torch.optim.lr_scheduler)
    theirs = [tsched.get_last_lr()]
    for _ in range(40):
        topt.step()
        tsched.step()
        theirs.append(tsched.get_last_lr())
    np.testing.assert_allclose(ours, theirs, rtol=1e-13, atol=1e-15)


def test_schedulers_compose_like_torch():
    def build(o, m):
        return [m.LinearLR(o, start_factor=0.25, total_iters=4), m.StepLR(o, step_size=3, gamma=0.5),
                m.CosineAnnealingLR(o, T_max=10, eta_min=0.001)]
    opt = two_groups()()
    schedulers = build(opt, lr_scheduler)
    ours = [[g["lr"] for g in opt.param_groups]]
    for _ in range(25):
        for s in schedulers:
            s.step()
        ours.append([g["lr"] for g in opt.param_groups])
    assert ours[0] == pytest.approx([0.025, 0.1])
    torch = pytest.importorskip("torch")
    topt = torch.optim.SGD([{"params": [torch.zeros(1, requires_grad=True)]},
                            {"params": [torch.zeros(1, requires_grad=True)], "lr": 0.4}], lr=0.1)
    tschedulers = build(topt, torch.optim.lr_scheduler)
    theirs = [[g["lr"] for g in topt.param_groups]]
    for _ in range(25):
        for s in tschedulers:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                s.step()
        theirs.append([g["lr"] for g in topt.param_groups])
    np.testing.assert_allclose(ours, theirs, rtol=1e-13)


def test_construction_sets_initial_lr_and_takes_step_zero():
    opt = SGD([Parameter([0.0])], lr=0.3)
    scheduler = LinearLR(opt, start_factor=0.5, total_iters=2)
    assert scheduler.last_epoch == 0 and scheduler.base_lrs == [0.3]
    assert opt.param_groups[0]["initial_lr"] == 0.3 and opt.param_groups[0]["lr"] == pytest.approx(0.15)
    StepLR(opt, 2)  # a second scheduler keeps the recorded initial_lr
    assert opt.param_groups[0]["initial_lr"] == 0.3


@pytest.mark.parametrize("name", ["StepLR", "CosineAnnealingLR", "LinearLR-decay", "SequentialLR"])
def test_scheduler_state_dict_round_trip(name):
    make, _ = SCHEDULES[name]
    opt = two_groups()()
    scheduler = make(opt, lr_scheduler)
    for _ in range(7):
        opt.step()
        scheduler.step()
    saved_opt, saved = opt.state_dict(), scheduler.state_dict()
    assert "optimizer" not in saved and saved["last_epoch"] == 7
    opt2 = two_groups()()
    resumed = make(opt2, lr_scheduler)
    opt2.load_state_dict(saved_opt)
    resumed.load_state_dict(saved)
    for _ in range(20):
        scheduler.step()
        resumed.step()
        assert resumed.get_last_lr() == scheduler.get_last_lr()


@pytest.mark.parametrize("last_epoch", [3, 6])
@pytest.mark.parametrize("name", ["StepLR", "CosineAnnealingLR", "LinearLR-warmup"])
def test_resuming_with_last_epoch_matches_torch(name, last_epoch):
    torch = pytest.importorskip("torch")
    make, _ = SCHEDULES[name]

    def run_resumed(module, opt, params_lr):
        scheduler = make(opt, module)
        for _ in range(last_epoch):
            scheduler.step()
        state = opt.state_dict()
        fresh = params_lr()
        fresh.load_state_dict(state)
        kwargs = {"StepLR": dict(step_size=4, gamma=0.5), "CosineAnnealingLR": dict(T_max=7),
                  "LinearLR-warmup": {}}[name]
        cls = getattr(module, name.split("-")[0])
        resumed = cls(fresh, last_epoch=last_epoch, **kwargs)
        lrs = [resumed.get_last_lr()]
        for _ in range(10):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                resumed.step()
            lrs.append(resumed.get_last_lr())
        return lrs

    ours = run_resumed(lr_scheduler, two_groups()(), two_groups())

    def torch_opt():
        return torch.optim.SGD([{"params": [torch.zeros(1, requires_grad=True)]},
                                {"params": [torch.zeros(1, requires_grad=True)], "lr": 0.4}], lr=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = run_resumed(torch.optim.lr_scheduler, torch_opt(), torch_opt)
    np.testing.assert_allclose(ours, theirs, rtol=1e-13)


def test_step_with_epoch_uses_the_closed_form():
    opt = SGD([Parameter([0.0])], lr=1.0)
    scheduler = StepLR(opt, step_size=2, gamma=0.1)
    with pytest.warns(UserWarning, match="deprecated"):
        scheduler.step(5)
    assert scheduler.last_epoch == 5 and scheduler.get_last_lr() == pytest.approx([0.01])


def test_lambda_lr_saves_callable_objects_but_not_functions():
    class Decay:
        def __init__(self, rate):
            self.rate = rate

        def __call__(self, t):
            return self.rate ** t

    opt = two_groups()()
    scheduler = LambdaLR(opt, [Decay(0.5), lambda t: 1.0])
    saved = scheduler.state_dict()
    assert saved["lr_lambdas"] == [{"rate": 0.5}, None]
    other = LambdaLR(two_groups()(), [Decay(0.9), lambda t: 1.0])
    other.load_state_dict(saved)
    assert other.lr_lambdas[0].rate == 0.5
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 1"):
        LambdaLR(opt, [lambda t: 1.0])


def test_scheduler_argument_checks():
    opt = SGD([Parameter([0.0])], lr=0.1)
    with pytest.raises(TypeError, match="list is not an Optimizer"):
        StepLR([], step_size=2)
    with pytest.raises(ValueError, match="Starting multiplicative factor"):
        LinearLR(opt, start_factor=0)
    with pytest.raises(ValueError, match="Ending multiplicative factor"):
        LinearLR(opt, end_factor=1.5)
    with pytest.raises(ValueError, match="step_size"):
        StepLR(opt, step_size=0)
    with pytest.raises(ValueError, match="T_max"):
        CosineAnnealingLR(opt, T_max=0)
    with pytest.raises(KeyError, match=r"initial_lr.*param_groups\[0\]"):
        StepLR(SGD([Parameter([0.0])], lr=0.1), step_size=2, last_epoch=4)
    other = SGD([Parameter([0.0])], lr=0.1)
    with pytest.raises(ValueError, match="same optimizer"):
        SequentialLR(opt, [StepLR(opt, 2), StepLR(other, 2)], milestones=[3])
    with pytest.raises(ValueError, match="one more than the number of milestone"):
        SequentialLR(opt, [StepLR(opt, 2), StepLR(opt, 3)], milestones=[3, 5])
    with pytest.raises(ValueError, match="at least one scheduler"):
        SequentialLR(opt, [], milestones=[])
    with pytest.raises(NotImplementedError):
        LRScheduler(opt)
