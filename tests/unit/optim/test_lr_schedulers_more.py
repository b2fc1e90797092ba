"""ExponentialLR, MultiStepLR, OneCycleLR and ReduceLROnPlateau: the same rates as PyTorch, step by step."""
import itertools
import math

import numpy as np
import pytest

from tinytorch.core.module import Parameter
from tinytorch.optim import SGD, Adam, AdamW, RMSprop, lr_scheduler

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.filterwarnings("ignore:Detected call of `lr_scheduler.step\\(\\)` before")

OPTIMIZERS = {"SGD": (SGD, torch.optim.SGD, {"momentum": 0.5}), "Adam": (Adam, torch.optim.Adam, {}),
              "AdamW": (AdamW, torch.optim.AdamW, {}), "RMSprop": (RMSprop, torch.optim.RMSprop, {})}


def pair(name="SGD", lrs=(0.1, 0.3), **extra):
    """The same optimizer, ours and PyTorch's, with one parameter group per rate in `lrs`."""
    ours_cls, theirs_cls, options = OPTIMIZERS[name]
    options = {**options, **extra}
    ours = ours_cls([{"params": [Parameter(np.zeros(2))], "lr": lr} for lr in lrs], lr=lrs[0], **options)
    theirs = theirs_cls([{"params": [torch.zeros(2, requires_grad=True)], "lr": lr} for lr in lrs], lr=lrs[0], **options)
    return ours, theirs


def trace(optimizer, scheduler, steps, metrics=None, momentum=False):
    """The rates (and momenta) at construction and after each step."""
    def snapshot():
        rates = [group["lr"] for group in optimizer.param_groups]
        if momentum:
            rates += [group["betas"][0] if "betas" in group else group["momentum"] for group in optimizer.param_groups]
        return rates
    out = [snapshot()]
    for step in range(steps):
        if metrics is None:
            scheduler.step()
        else:
            scheduler.step(metrics[step])
        out.append(snapshot())
    assert np.allclose(scheduler.get_last_lr(), [group["lr"] for group in optimizer.param_groups])
    return out


def assert_same(ours, theirs):
    assert len(ours) == len(theirs)
    np.testing.assert_allclose(np.array(ours, dtype=np.float64), np.array(theirs, dtype=np.float64), rtol=1e-12, atol=0)


def assert_same_error(name, kwargs, error):
    """Constructing scheduler `name` with kwargs raises `error` with PyTorch's message."""
    ours, theirs = pair()
    with pytest.raises(error) as want:
        getattr(torch.optim.lr_scheduler, name)(theirs, **kwargs)
    with pytest.raises(error) as got:
        getattr(lr_scheduler, name)(ours, **kwargs)
    assert str(got.value) == str(want.value)


# --- ExponentialLR and MultiStepLR -----------------------------------------------------------------
@pytest.mark.parametrize("gamma", [0.9, 0.5, 1.0, 1.05])
def test_exponential_lr_matches_pytorch(gamma):
    ours, theirs = pair()
    assert_same(trace(ours, lr_scheduler.ExponentialLR(ours, gamma), 60),
                trace(theirs, torch.optim.lr_scheduler.ExponentialLR(theirs, gamma), 60))


@pytest.mark.parametrize("milestones, gamma", [([3, 7, 12], 0.1), ([5, 5, 9], 0.5), ([0, 4], 0.3), ([12, 2], 0.2), ([], 0.1),
                                               ((30, 60), 0.1)])
def test_multistep_lr_matches_pytorch(milestones, gamma):
    ours, theirs = pair()
    assert_same(trace(ours, lr_scheduler.MultiStepLR(ours, milestones, gamma), 70),
                trace(theirs, torch.optim.lr_scheduler.MultiStepLR(theirs, milestones, gamma), 70))


@pytest.mark.parametrize("make", [lambda lib, opt: lib.ExponentialLR(opt, 0.8),
                                  lambda lib, opt: lib.MultiStepLR(opt, [2, 2, 5], 0.5)])
def test_closed_form_epoch_argument_and_chaining_match_pytorch(make):
    ours, theirs = pair()
    ours_s, theirs_s = make(lr_scheduler, ours), make(torch.optim.lr_scheduler, theirs)
    ours_w = lr_scheduler.LinearLR(ours, start_factor=0.5, total_iters=3)
    theirs_w = torch.optim.lr_scheduler.LinearLR(theirs, start_factor=0.5, total_iters=3)
    got, want = [], []
    for _ in range(8):
        ours_s.step(), ours_w.step(), theirs_s.step(), theirs_w.step()
        got.append([g["lr"] for g in ours.param_groups])
        want.append([g["lr"] for g in theirs.param_groups])
    assert_same(got, want)
    with pytest.warns(UserWarning):
        ours_s.step(6)
    with pytest.warns(UserWarning):
        theirs_s.step(6)
    assert_same([ours_s.get_last_lr()], [theirs_s.get_last_lr()])


def test_multistep_state_dict_resumes():
    ours, _ = pair()
    sched = lr_scheduler.MultiStepLR(ours, [2, 4], 0.5)
    for _ in range(3):
        sched.step()
    saved_opt, saved = ours.state_dict(), sched.state_dict()
    again, _ = pair()
    resumed = lr_scheduler.MultiStepLR(again, [9], 0.9)
    again.load_state_dict(saved_opt)
    resumed.load_state_dict(saved)
    assert trace(again, resumed, 4) == trace(ours, sched, 4)


# --- OneCycleLR --------------------------------------------------------------------------------------
ONE_CYCLE_CASES = [
    dict(max_lr=1.0, total_steps=100),
    dict(max_lr=[0.5, 2.0], total_steps=37),
    dict(max_lr=0.1, epochs=4, steps_per_epoch=9),
    dict(max_lr=1.0, total_steps=50, anneal_strategy="linear"),
    dict(max_lr=1.0, total_steps=50, three_phase=True),
    dict(max_lr=1.0, total_steps=61, three_phase=True, anneal_strategy="linear", pct_start=0.25),
    dict(max_lr=0.3, total_steps=20, pct_start=0.5, div_factor=10.0, final_div_factor=100.0),
    dict(max_lr=0.3, total_steps=20, base_momentum=[0.8, 0.7], max_momentum=0.99),
    dict(max_lr=0.3, total_steps=20, cycle_momentum=False),
    dict(max_lr=1.0, total_steps=7, pct_start=0.0),
    dict(max_lr=1.0, total_steps=7, pct_start=1.0),
    dict(max_lr=1.0, total_steps=3),
]


@pytest.mark.parametrize("optimizer", ["SGD", "Adam", "AdamW", "RMSprop"])
@pytest.mark.parametrize("case", range(len(ONE_CYCLE_CASES)))
def test_one_cycle_lr_and_momentum_match_pytorch(optimizer, case):
    options = ONE_CYCLE_CASES[case]
    ours, theirs = pair(optimizer)
    steps = options.get("total_steps") or options["epochs"] * options["steps_per_epoch"]
    try:
        want = trace(theirs, torch.optim.lr_scheduler.OneCycleLR(theirs, **options), steps, momentum=True)
    except ZeroDivisionError:
        with pytest.raises(ZeroDivisionError):
            trace(ours, lr_scheduler.OneCycleLR(ours, **options), steps, momentum=True)
        return
    got = trace(ours, lr_scheduler.OneCycleLR(ours, **options), steps, momentum=True)
    assert_same(got, want)
    for key in ("initial_lr", "max_lr", "min_lr") + (("max_momentum", "base_momentum") if options.get("cycle_momentum", True) else ()):
        assert [g[key] for g in ours.param_groups] == pytest.approx([g[key] for g in theirs.param_groups], rel=1e-12)


def test_one_cycle_steps_past_the_end_and_really_trains():
    ours, theirs = pair()
    o = lr_scheduler.OneCycleLR(ours, max_lr=1.0, total_steps=5)
    t = torch.optim.lr_scheduler.OneCycleLR(theirs, max_lr=1.0, total_steps=5)
    for _ in range(5):
        o.step()
        t.step()
    with pytest.raises(ValueError, match="Tried to step 6 times"):
        o.step()
    with pytest.raises(ValueError, match="Tried to step 6 times"):
        t.step()
    # the momentum it sets is the one SGD uses: a step with momentum 0.95 differs from plain SGD
    w = Parameter(np.ones(1))
    opt = SGD([w], lr=0.1)
    lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10)
    assert opt.param_groups[0]["momentum"] == pytest.approx(0.95)


@pytest.mark.parametrize("kwargs, error", [
    (dict(max_lr=1.0), ValueError), (dict(max_lr=1.0, epochs=3), ValueError),
    (dict(max_lr=1.0, total_steps=0), ValueError), (dict(max_lr=1.0, total_steps=5.0), ValueError),
    (dict(max_lr=1.0, epochs=0, steps_per_epoch=3), ValueError), (dict(max_lr=1.0, epochs=2, steps_per_epoch=-1), ValueError),
    (dict(max_lr=1.0, total_steps=5, pct_start=1), ValueError), (dict(max_lr=1.0, total_steps=5, pct_start=1.5), ValueError),
    (dict(max_lr=1.0, total_steps=5, anneal_strategy="exp"), ValueError),
    (dict(max_lr=[1.0, 2.0, 3.0], total_steps=5), ValueError),
    (dict(max_lr=1.0, total_steps=5, max_momentum=[0.9]), ValueError),
])
def test_one_cycle_errors_match_pytorch(kwargs, error):
    assert_same_error("OneCycleLR", kwargs, error)


def test_one_cycle_needs_momentum_when_cycling_it():
    opt = SGD([Parameter(np.zeros(1))], lr=0.1)
    opt.defaults = {"lr": 0.1}
    with pytest.raises(ValueError, match="momentum or beta1"):
        lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=5)
    lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=5, cycle_momentum=False)


# --- ReduceLROnPlateau -------------------------------------------------------------------------------
def metric_series(seed, n=80):
    rng = np.random.default_rng(seed)
    noisy = 1.0 / (1 + np.arange(n) / 10) + rng.normal(0, 0.02, n)
    flat = np.repeat(rng.uniform(0.5, 1.0, n // 8), 8)  # long plateaus, exact ties
    creeping = 2.0 * (1 - 5e-6) ** np.arange(30)  # improvements far below the default threshold 1e-4
    return [float(v) for v in np.concatenate([creeping, noisy, flat, noisy[::-1] * 1.0001])]


PLATEAU_OPTIONS = [dict(), dict(factor=0.5, patience=2), dict(mode="max", patience=3),
                   dict(threshold_mode="abs", threshold=0.01, patience=1),
                   dict(mode="max", threshold_mode="abs", threshold=0.0, patience=0),
                   dict(cooldown=3, patience=2, factor=0.3), dict(min_lr=0.02, patience=1, factor=0.5),
                   dict(min_lr=[0.05, 0.0], patience=0, factor=0.9), dict(eps=0.01, patience=1, factor=0.9),
                   dict(threshold=0.1, patience=4, cooldown=1)]


@pytest.mark.parametrize("options, seed", list(itertools.product(range(len(PLATEAU_OPTIONS)), [0, 1])))
def test_reduce_lr_on_plateau_matches_pytorch(options, seed):
    options = PLATEAU_OPTIONS[options]
    metrics = metric_series(seed)
    ours, theirs = pair()
    o = lr_scheduler.ReduceLROnPlateau(ours, **options)
    t = torch.optim.lr_scheduler.ReduceLROnPlateau(theirs, **options)
    assert_same(trace(ours, o, len(metrics), metrics), trace(theirs, t, len(metrics), metrics))
    assert isinstance(o, lr_scheduler.LRScheduler) and isinstance(t, torch.optim.lr_scheduler.LRScheduler)
    assert (o.best, o.num_bad_epochs, o.cooldown_counter, o.last_epoch, o.in_cooldown) == \
        (t.best, t.num_bad_epochs, t.cooldown_counter, t.last_epoch, t.in_cooldown)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_plateau_accepts_a_tensor_metric_and_resumes_from_state_dict(dtype):
    from tinytorch import tensor
    ours, _ = pair()
    o = lr_scheduler.ReduceLROnPlateau(ours, patience=1)
    for value in (1.0, 1.0, 1.0):
        o.step(tensor(np.array(value, dtype=dtype)))
    assert ours.param_groups[0]["lr"] == pytest.approx(0.01)
    saved_opt, saved = ours.state_dict(), o.state_dict()
    assert "optimizer" not in saved and saved["best"] == 1.0
    again, _ = pair()
    resumed = lr_scheduler.ReduceLROnPlateau(again, patience=5)
    again.load_state_dict(saved_opt)
    resumed.load_state_dict(saved)
    metrics = [1.0, 1.0, 0.5, 0.6, 0.7]
    assert trace(again, resumed, 5, metrics) == trace(ours, o, 5, metrics)


@pytest.mark.parametrize("kwargs", [dict(factor=1.0), dict(mode="avg"), dict(threshold_mode="pct"), dict(min_lr=[0.1])])
def test_plateau_errors_match_pytorch(kwargs):
    assert_same_error("ReduceLROnPlateau", kwargs, ValueError)


def test_plateau_epoch_argument_warns_and_new_groups_take_the_default_min_lr():
    ours, theirs = pair()
    o = lr_scheduler.ReduceLROnPlateau(ours, patience=0, min_lr=0.05)
    t = torch.optim.lr_scheduler.ReduceLROnPlateau(theirs, patience=0, min_lr=0.05)
    with pytest.warns(UserWarning):
        o.step(1.0, epoch=10)
    with pytest.warns(UserWarning):
        t.step(1.0, epoch=10)
    assert o.last_epoch == t.last_epoch == 10
    ours.add_param_group({"params": [Parameter(np.zeros(1))], "lr": 1.0})
    theirs.add_param_group({"params": [torch.zeros(1, requires_grad=True)], "lr": 1.0})
    assert_same(trace(ours, o, 3, [2.0] * 3), trace(theirs, t, 3, [2.0] * 3))
    fixed, _ = pair()
    f = lr_scheduler.ReduceLROnPlateau(fixed, patience=0, min_lr=[0.0, 0.0])
    f.step(1.0)
    fixed.add_param_group({"params": [Parameter(np.zeros(1))], "lr": 1.0})
    with pytest.raises(RuntimeError, match="param groups"):
        f.step(2.0)


def test_one_cycle_with_epochs_and_steps_per_epoch_ends_at_min_lr():
    """A one-cycle schedule over 3 epochs of 4 batches, stepped per batch, ends at min_lr."""
    ours, _ = pair(lrs=(0.1,))
    sched = lr_scheduler.OneCycleLR(ours, max_lr=0.5, epochs=3, steps_per_epoch=4)
    for _ in range(11):
        sched.step()
    assert math.isclose(ours.param_groups[0]["lr"], 0.5 / 25 / 1e4, rel_tol=1e-12)
