"""Module 08 (Training): train_step, evaluate, accuracy, clip_grad_norm_, checkpoints, early stopping, fit."""
import json
import sys
import types
import zipfile

import numpy as np
import pytest

import tinytorch
from tinytorch.data import DataLoader, TensorDataset
from tinytorch.nn import CrossEntropyLoss, Dropout, Linear, Module, MSELoss, Parameter, ReLU, Sequential
from tinytorch.optim import SGD, Adam
from tinytorch.optim.lr_scheduler import StepLR
from tinytorch.training import (CheckpointError, EarlyStopping, NotebookProgress, TextProgress, accuracy,
                                clip_grad_norm_, evaluate, fit, in_notebook, load_checkpoint, make_progress,
                                save_checkpoint, train_step)
from tinytorch.training import checkpoint as checkpoint_module


def blobs(n=120, seed=0):
    """Three separable clouds of 2-D points: (X (n, 2) float32, y (n,) int64)."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, size=n)
    centres = np.array([[0.0, 3.0], [-3.0, -2.0], [3.0, -2.0]])
    points = (centres[labels] + rng.normal(0, 0.5, size=(n, 2))).astype(np.float32)
    return tinytorch.Tensor(points), tinytorch.tensor(labels)


def loader(batch_size=16, shuffle=False, n=120):
    X, y = blobs(n)
    return DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=shuffle, generator=0)


def with_grads(*grads, dtype=np.float32):
    """Parameters whose .grad are the given arrays."""
    params = []
    for g in grads:
        p = Parameter(np.zeros(np.shape(g)))
        p.grad = tinytorch.Tensor(np.asarray(g), dtype=dtype)
        params.append(p)
    return params


# --- train_step --------------------------------------------------------------------------------
def test_train_step_is_one_sgd_step_and_returns_loss_before_update():
    tinytorch.manual_seed(0)
    model = Linear(3, 2)
    x = tinytorch.Tensor(np.arange(12.0).reshape(4, 3) / 10)
    t = tinytorch.Tensor(np.ones((4, 2)))
    w, b = model.weight.data.copy(), model.bias.data.copy()
    err = x.data @ w.T + b - t.data
    loss, out = train_step(model, MSELoss(), SGD(model.parameters(), lr=0.1), x, t)
    assert isinstance(loss, float) and np.isclose(loss, np.mean(err ** 2), rtol=1e-6)
    grad_out = 2 * err / err.size
    np.testing.assert_allclose(model.weight.data, w - 0.1 * grad_out.T @ x.data, atol=1e-6)
    np.testing.assert_allclose(model.bias.data, b - 0.1 * grad_out.sum(axis=0), atol=1e-6)
    assert not out.requires_grad and out.grad_fn is None
    np.testing.assert_allclose(out.data, x.data @ w.T + b, atol=1e-6)


def test_train_step_clears_old_gradients_and_clips():
    tinytorch.manual_seed(1)
    model = Linear(4, 1)
    for p in model.parameters():
        p.grad = tinytorch.Tensor(np.full(p.shape, 1e3))
    x, t = tinytorch.Tensor(np.full((2, 4), 10.0)), tinytorch.Tensor(np.zeros((2, 1)))
    before = [p.data.copy() for p in model.parameters()]
    train_step(model, MSELoss(), SGD(model.parameters(), lr=1.0), x, t, max_grad_norm=0.25)
    moved = np.sqrt(sum(np.sum((p.data - b0) ** 2) for p, b0 in zip(model.parameters(), before)))
    assert moved == pytest.approx(0.25, rel=1e-4)


# --- accuracy and evaluate ---------------------------------------------------------------------
def test_accuracy_values_and_errors():
    logits = np.array([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [1.0, 0.0, 0.5], [0.0, 0.0, 5.0]])
    assert accuracy(tinytorch.Tensor(logits), tinytorch.tensor(np.array([0, 1, 2, 2]))) == 0.75
    assert accuracy(logits, np.array([0, 1, 0, 2])) == 1.0
    with pytest.raises(ValueError, match=r"logits \(4, 3\) and targets \(5,\)"):
        accuracy(logits, np.zeros(5))
    with pytest.raises(ValueError, match=r"\(4,\)"):
        accuracy(np.zeros(4), np.zeros(4))
    with pytest.raises(ValueError, match="empty"):
        accuracy(np.zeros((0, 3)), np.zeros(0))


class Probe(Module):
    """Records, for each forward call, (training flag, grad mode, whether its output records a graph)."""

    def __init__(self):
        super().__init__()
        self.linear = Linear(2, 3)
        self.drop = Dropout(0.5)
        self.seen = []

    def forward(self, x):
        out = self.drop(self.linear(x))
        self.seen.append((self.training, self.drop.training, tinytorch.is_grad_enabled(), out.requires_grad))
        return out


def test_evaluate_runs_in_eval_mode_without_graph_and_restores_mode():
    probe = Probe()
    data = loader(batch_size=50)
    evaluate(probe, data, CrossEntropyLoss(), accuracy)
    assert probe.seen == [(False, False, False, False)] * 3
    assert probe.training and probe.drop.training and tinytorch.is_grad_enabled()
    assert all(p.grad is None for p in probe.parameters())
    probe.eval()
    evaluate(probe, data, CrossEntropyLoss())
    assert not probe.training and not probe.drop.training


def test_evaluate_restores_mode_after_an_error():
    class Broken(Module):
        def forward(self, x):
            raise ArithmeticError("boom")

    model = Broken()
    with pytest.raises(ArithmeticError):
        evaluate(model, loader(), CrossEntropyLoss())
    assert model.training and tinytorch.is_grad_enabled()


def test_evaluate_weights_batches_by_size():
    tinytorch.manual_seed(0)
    model = Linear(2, 3)
    X, y = blobs(10)
    z = X.data @ model.weight.data.T + model.bias.data
    logp = z - np.log(np.exp(z - z.max(1, keepdims=True)).sum(1, keepdims=True)) - z.max(1, keepdims=True)
    loss, acc = evaluate(model, DataLoader(TensorDataset(X, y), batch_size=4), CrossEntropyLoss(), accuracy)
    assert loss == pytest.approx(-logp[np.arange(10), y.data].mean(), rel=1e-5)
    assert acc == pytest.approx(np.mean(z.argmax(1) == y.data))
    with pytest.raises(ValueError, match="no samples"):
        evaluate(model, [], CrossEntropyLoss())


# --- clip_grad_norm_ ---------------------------------------------------------------------------
GRADS = [np.array([1.0, -7.0, 2.0]), np.array([[4.0, 0.5], [0.0, -3.0]]), np.array([0.25])]


@pytest.mark.parametrize("norm_type", [1.0, 2.0, 3.0, 0.5, float("inf")])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_numpy(norm_type, max_norm):
    params = with_grads(*GRADS)
    total = clip_grad_norm_(params, max_norm, norm_type=norm_type)
    flat = np.concatenate([g.ravel() for g in GRADS])
    expected = np.linalg.norm(flat, ord=norm_type)
    assert total.shape == () and total.dtype == np.float32
    assert total.item() == pytest.approx(expected, rel=1e-5)
    factor = min(1.0, max_norm / (expected + 1e-6))
    for p, g in zip(params, GRADS):
        np.testing.assert_allclose(p.grad.data, g * factor, rtol=1e-5)


@pytest.mark.parametrize("norm_type", [1.0, 2.0, 3.0, 0.5, 0.0, float("inf"), -float("inf")])
def test_clip_grad_norm_matches_torch(norm_type):
    torch = pytest.importorskip("torch")
    mine = with_grads(*GRADS)
    theirs = [torch.zeros(g.shape, requires_grad=True) for g in GRADS]
    for t, g in zip(theirs, GRADS):
        t.grad = torch.tensor(g, dtype=torch.float32)
    total = clip_grad_norm_(mine, 1.5, norm_type=norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, 1.5, norm_type=norm_type)
    assert total.item() == pytest.approx(expected.item(), rel=1e-5)
    for p, t in zip(mine, theirs):
        np.testing.assert_allclose(p.grad.data, t.grad.numpy(), rtol=1e-5, atol=1e-7)


def test_clip_grad_norm_edge_cases():
    with_grad, without = with_grads([6.0, 8.0])[0], Parameter(np.zeros(2))
    assert clip_grad_norm_(with_grad, 5.0).item() == pytest.approx(10.0)      # a single Tensor
    np.testing.assert_allclose(with_grad.grad.data, [3.0, 4.0], atol=1e-5)
    assert clip_grad_norm_((p for p in [with_grad, without]), 1.0).item() == pytest.approx(5.0, rel=1e-5)
    assert without.grad is None
    none = clip_grad_norm_([without], 1.0)
    assert isinstance(none, tinytorch.Tensor) and none.item() == 0.0
    assert clip_grad_norm_(with_grads([3.0, 4.0], dtype=np.float64), 1.0).dtype == np.float64


def test_clip_grad_norm_non_finite():
    p = with_grads([np.nan, 1.0])[0]
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    assert p.grad.data[1] == 1.0
    assert np.isnan(clip_grad_norm_([p], 1.0).item()) and np.isnan(p.grad.data).all()
    q = with_grads([np.inf, 1.0])[0]
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_([q], 1.0, error_if_nonfinite=True)


def test_clip_grad_norm_is_nn_utils_clip_grad_norm_():
    from tinytorch.nn.utils import clip_grad_norm_ as from_nn
    assert from_nn is clip_grad_norm_


# --- checkpoints -------------------------------------------------------------------------------
def trained(seed=0, steps=3, optimizer_cls=Adam, **options):
    tinytorch.manual_seed(seed)
    model = Sequential(Linear(2, 5), ReLU(), Linear(5, 3))
    opt = optimizer_cls(model.parameters(), **options)
    X, y = blobs(32)
    for _ in range(steps):
        train_step(model, CrossEntropyLoss(), opt, X, y)
    return model, opt


def test_checkpoint_round_trip_resumes_exactly(tmp_path):
    model, opt = trained(lr=0.01, betas=(0.8, 0.9))
    sched = StepLR(opt, step_size=2)
    sched.step()
    path = save_checkpoint(tmp_path / "run.npz", model, opt, epoch=3, history={"loss": [0.5, 0.25]},
                           scheduler=sched.state_dict(), table={1: "one"}, pair=(1, 2.5),
                           mask=np.array([True, False]), bias=tinytorch.Tensor([1.0, 2.0]))
    assert path == tmp_path / "run.npz" and sorted(p.name for p in tmp_path.iterdir()) == ["run.npz"]

    clone, clone_opt = trained(seed=1, steps=0, lr=0.5)
    extra = load_checkpoint(path, clone, clone_opt)
    assert extra["epoch"] == 3 and extra["history"] == {"loss": [0.5, 0.25]}
    assert extra["table"] == {1: "one"} and extra["pair"] == (1, 2.5)
    assert extra["mask"].dtype == np.bool_ and extra["mask"].tolist() == [True, False]
    assert isinstance(extra["bias"], tinytorch.Tensor) and extra["bias"].tolist() == [1.0, 2.0]
    assert extra["scheduler"] == sched.state_dict()
    assert clone_opt.param_groups[0]["betas"] == (0.8, 0.9)
    for a, b in zip(model.parameters(), clone.parameters()):
        assert np.array_equal(a.data, b.data)

    X, y = blobs(32, seed=5)
    for _ in range(2):
        train_step(model, CrossEntropyLoss(), opt, X, y)
        train_step(clone, CrossEntropyLoss(), clone_opt, X, y)
    for a, b in zip(model.parameters(), clone.parameters()):
        np.testing.assert_array_equal(a.data, b.data)


def test_checkpoint_file_is_npz_of_arrays_and_a_json_header(tmp_path):
    model, opt = trained(optimizer_cls=SGD, lr=0.1, momentum=0.9)
    path = save_checkpoint(tmp_path / "ckpt.bin", model, opt, epoch=1)
    assert path.name == "ckpt.bin"                                   # no ".npz" appended
    with zipfile.ZipFile(path) as archive:
        assert all(name.endswith(".npy") for name in archive.namelist())
    with np.load(path, allow_pickle=False) as archive:
        header = json.loads(str(archive["__header__"]))
        assert "model/0.weight" in archive.files and "optimizer/state/0/momentum_buffer" in archive.files
    assert header["format"] == "tinytorch-checkpoint" and header["version"] == 1
    assert header["model"] == "Sequential" and header["optimizer"]["class"] == "SGD"
    assert header["extra"] == {"epoch": 1}


def test_save_rejects_values_it_cannot_store(tmp_path):
    with pytest.raises(TypeError, match="extra/fn"):
        save_checkpoint(tmp_path / "x.npz", Linear(2, 2), fn=print)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("failure", [OSError("disk full"), KeyboardInterrupt()])
def test_interrupted_save_keeps_the_old_checkpoint(tmp_path, monkeypatch, failure):
    model = Linear(2, 2)
    path = save_checkpoint(tmp_path / "ckpt.npz", model, epoch=1)
    old = path.read_bytes()

    def crash_midway(file, *args, **kwargs):
        file.write(b"PK\x03\x04 half an archive")
        raise failure

    monkeypatch.setattr(checkpoint_module.np, "savez", crash_midway)
    model.weight.data[...] = 7.0
    with pytest.raises(type(failure)):
        save_checkpoint(path, model, epoch=2)
    monkeypatch.undo()
    assert path.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt.npz"]
    assert load_checkpoint(path, Linear(2, 2)) == {"epoch": 1}


def corrupt_member(data):
    """Flip one byte inside the first member's data, so that its CRC no longer matches."""
    at = data.index(b"\x93NUMPY") + 200
    return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1:]


@pytest.mark.parametrize("damage", ["truncated", "flipped", "noise", "empty", "plain npz", "npy", "json",
                                    "format", "version"])
def test_corrupt_or_foreign_files_are_refused_clearly(tmp_path, damage):
    model = Sequential(Linear(20, 20))
    good = save_checkpoint(tmp_path / "good.npz", model).read_bytes()
    bad = tmp_path / "bad.npz"
    header = {"format": "tinytorch-checkpoint", "version": 1, "model": "Sequential", "optimizer": None, "extra": {}}
    if damage == "truncated":
        bad.write_bytes(good[:len(good) // 2])
    elif damage == "flipped":
        bad.write_bytes(corrupt_member(good))
    elif damage == "noise":
        bad.write_bytes(bytes(range(256)) * 8)
    elif damage == "empty":
        bad.write_bytes(b"")
    elif damage == "plain npz":
        with open(bad, "wb") as f:
            np.savez(f, weight=np.ones(3))
    elif damage == "npy":
        with open(bad, "wb") as f:
            np.save(f, np.ones(3))
    else:
        header.update({"json": {}, "format": {"format": "something-else"}, "version": {"version": 2}}[damage])
        text = "{not json" if damage == "json" else json.dumps(header)
        with open(bad, "wb") as f:
            np.savez(f, **{"__header__": np.array(text), "model/0.weight": np.ones((20, 20)),
                           "model/0.bias": np.ones(20)})
    before = model[0].weight.data.copy()
    with pytest.raises(CheckpointError, match="bad.npz") as error:
        load_checkpoint(bad, model)
    assert "not a readable tinytorch checkpoint" in str(error.value)
    if damage == "version":
        assert "version 2" in str(error.value)
    assert np.array_equal(model[0].weight.data, before)


def test_missing_file():
    with pytest.raises(FileNotFoundError):
        load_checkpoint("/nonexistent/ckpt.npz", Linear(2, 2))


def test_mismatched_model_names_every_problem(tmp_path):
    path = save_checkpoint(tmp_path / "m.npz", Sequential(Linear(4, 3), ReLU(), Linear(3, 3)))
    target = Sequential(Linear(3, 4), ReLU(), Linear(4, 3), ReLU(), Linear(3, 2))
    before = [p.data.copy() for p in target.parameters()]
    with pytest.raises(CheckpointError) as error:
        load_checkpoint(path, target)
    message = str(error.value)
    assert "missing keys (in the model, not in the checkpoint): 4.weight, 4.bias" in message
    assert "shape mismatch for 0.weight: checkpoint (3, 4) vs model (4, 3)" in message
    assert "shape mismatch for 2.weight: checkpoint (3, 3) vs model (3, 4)" in message
    assert "shape mismatch for 0.bias: checkpoint (3,) vs model (4,)" in message
    assert isinstance(error.value, RuntimeError)
    assert all(np.array_equal(p.data, b) for p, b in zip(target.parameters(), before))

    with pytest.raises(CheckpointError, match=r"unexpected keys \(in the checkpoint, not in the model\): 2.weight, 2.bias"):
        load_checkpoint(path, Sequential(Linear(4, 3)))


def test_mismatched_optimizer_changes_nothing(tmp_path):
    model, sgd = trained(optimizer_cls=SGD, lr=0.1, momentum=0.9)
    path = save_checkpoint(tmp_path / "sgd.npz", model, sgd)
    bare = save_checkpoint(tmp_path / "bare.npz", model)
    other, adam = trained(seed=3, steps=1, lr=0.01)
    before = [p.data.copy() for p in other.parameters()]
    adam_state = {k: dict(v) for k, v in adam.state.items()}
    with pytest.raises(CheckpointError, match="SGD.*Adam"):
        load_checkpoint(path, other, adam)
    with pytest.raises(CheckpointError, match="no optimizer state"):
        load_checkpoint(bare, other, adam)
    small = SGD([Parameter(np.zeros(2))], lr=0.1)
    with pytest.raises(CheckpointError, match="does not fit this SGD"):
        load_checkpoint(path, other, small)
    assert all(np.array_equal(p.data, b) for p, b in zip(other.parameters(), before))
    assert adam.state.keys() == adam_state.keys()
    assert load_checkpoint(path, other) == {}                       # the optimizer state is optional


# --- early stopping ----------------------------------------------------------------------------
@pytest.mark.parametrize("values, patience, min_delta, mode, stops_at, best, best_epoch", [
    ([1.0, 0.9, 0.95, 0.93, 0.94], 2, 0.0, "min", 4, 0.9, 2),
    ([1.0, 0.95, 0.8, 0.75, 0.72], 2, 0.1, "min", 5, 0.8, 3),
    ([0.5, 0.6, 0.55, 0.7, 0.65, 0.7], 2, 0.0, "max", 6, 0.7, 4),
    ([3.0, 3.0], 1, 0.0, "min", 2, 3.0, 1),
    ([1.0, float("nan"), 0.5, float("nan"), float("nan")], 2, 0.0, "min", 5, 0.5, 3),
    ([5.0, 4.0, 3.0, 2.0], 1, 0.0, "min", None, 2.0, 4),
])
def test_early_stopping(values, patience, min_delta, mode, stops_at, best, best_epoch):
    stopper = EarlyStopping(patience=patience, min_delta=min_delta, mode=mode)
    answers = [stopper.step(v) for v in values]
    first = answers.index(True) + 1 if True in answers else None
    assert first == stops_at
    assert all(answers[stops_at - 1:]) if stops_at else not any(answers)
    assert stopper.best == best and stopper.best_epoch == best_epoch and stopper.epoch == len(values)


def test_early_stopping_arguments_and_start():
    assert EarlyStopping().best == np.inf and EarlyStopping(mode="max").best == -np.inf
    assert EarlyStopping(patience=1).step(tinytorch.Tensor(1.0)) is False
    for kwargs in [{"patience": 0}, {"patience": 1.5}, {"patience": True}, {"min_delta": -1}, {"mode": "avg"}]:
        with pytest.raises(ValueError, match="EarlyStopping"):
            EarlyStopping(**kwargs)
    stopper = EarlyStopping(patience=3)
    stopper.step(0.25)
    assert repr(stopper) == "EarlyStopping(patience=3, min_delta=0.0, mode='min', best=0.25 at epoch 1, bad epochs=0)"


# --- progress and fit --------------------------------------------------------------------------
def test_in_notebook_detects_a_kernel(monkeypatch):
    assert not in_notebook()                                         # pytest: no IPython kernel
    shell = types.SimpleNamespace(kernel=object())
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: shell))
    assert in_notebook()
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: None))
    assert not in_notebook()


def test_fit_trains_and_prints_text_lines(capsys):
    tinytorch.manual_seed(0)
    model = Sequential(Linear(2, 8), ReLU(), Linear(8, 3))
    opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
    history = fit(model, loader(shuffle=True), CrossEntropyLoss(), opt, 4, val_loader=loader(batch_size=50),
                  scheduler=StepLR(opt, step_size=2, gamma=0.5), metric=accuracy, max_grad_norm=10.0)
    assert list(history) == ["epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr", "time"]
    assert history["epoch"] == [1, 2, 3, 4] and history["lr"] == [0.1, 0.1, 0.05, 0.05]
    assert history["train_loss"][-1] < 0.5 * history["train_loss"][0]
    assert history["val_accuracy"][-1] == 1.0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4 and lines[0].startswith("epoch 1/4  train_loss ") and "val_accuracy" in lines[0]
    assert lines[-1].endswith(" s)")


def test_fit_silent_and_early_stopping(capsys):
    tinytorch.manual_seed(0)
    model = Linear(2, 3)
    stopper = EarlyStopping(patience=2, min_delta=10.0)              # nothing counts as an improvement after epoch 1
    history = fit(model, loader(), CrossEntropyLoss(), SGD(model.parameters(), lr=0.01), 10,
                  early_stopping=stopper, progress=False)
    assert history["epoch"] == [1, 2, 3] and stopper.should_stop
    assert set(history) == {"epoch", "train_loss", "lr", "time"}
    assert capsys.readouterr().out == ""
    with pytest.raises(ValueError, match="no samples"):
        fit(model, [], CrossEntropyLoss(), SGD(model.parameters(), lr=0.01), 1, progress=False)


def test_fit_reports_early_stop_in_text(capsys):
    model = Linear(2, 3)
    fit(model, loader(), CrossEntropyLoss(), SGD(model.parameters(), lr=0.0), 5,
        early_stopping=EarlyStopping(patience=1, min_delta=1.0))
    out = capsys.readouterr().out
    assert "early stopping after epoch 2" in out and "best" in out


def test_text_progress_prints_steps_only_after_interval():
    import io
    stream = io.StringIO()
    text = TextProgress(2, 10, stream=stream, interval=0.0)
    text.step(1, 3, 0.5)
    quiet = TextProgress(2, 10, stream=stream, interval=3600.0)
    quiet.step(1, 4, 0.25)
    quiet.close("done")
    assert stream.getvalue().splitlines() == ["epoch 1/2  step 3/10  loss 0.5", "done"]
    assert isinstance(make_progress(2, 10), TextProgress)


def test_notebook_progress_shows_a_bar_and_a_plot(monkeypatch):
    pytest.importorskip("matplotlib")
    shown = []
    from IPython.display import DisplayHandle
    monkeypatch.setattr(DisplayHandle, "display", lambda self, obj, **kw: shown.append((self, obj)))
    monkeypatch.setattr(DisplayHandle, "update", lambda self, obj, **kw: shown.append((self, obj)))
    progress = NotebookProgress(2, 5, interval=0.0, plot_interval=0.0)
    progress.step(1, 3, 0.75)
    bar_html = shown[-1][1].data
    assert '<progress value="3" max="10"' in bar_html and "loss 0.75" in bar_html
    progress.epoch_end({"epoch": 1, "train_loss": 0.5, "train_accuracy": 0.8, "val_loss": 0.6,
                        "val_accuracy": 0.7, "lr": 0.1, "time": 0.1})
    progress.close("finished")
    bars = [obj.data for handle, obj in shown if handle is progress.bar]
    plots = [obj for handle, obj in shown if handle is progress.plot]
    assert '<progress value="5" max="10"' in bars[-1] and "finished" in bars[-1]
    assert plots and plots[-1].format == "png" and progress._plotted == 1