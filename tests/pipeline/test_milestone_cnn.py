"""Milestone 1998 (CNNs): the full-run command on generated tiny data sets (resuming from a checkpoint
gives the uninterrupted run's result; the JSON has its fields), the notebook runs offline on the
digits, and the recorded results name their provenance and appear on the page."""
import gzip
import json
import pickle
import re
from pathlib import Path

import numpy as np
import pytest

from tests.pipeline.test_milestones_foundation import percent, run
from tinytorch.milestones import cnn1998

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "notebooks" / "milestones" / "results"
FIELDS = {"milestone", "part", "title", "model", "parameters", "test_accuracy", "correct", "test_images",
          "train_images", "target_accuracy", "epochs", "batch_size", "recipe", "schedule", "train_seconds",
          "seconds_per_epoch", "history", "seed", "subset", "date", "machine", "data", "command"}


def write_idx(path, array):
    """array (uint8) as a gzipped IDX file, the format of MNIST's files."""
    header = bytes([0, 0, 8, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    path.write_bytes(gzip.compress(header + array.tobytes()))


def fake_mnist(root, n_train=160, n_test=40):
    """Digit-like data: class k has a bright bar at row 2k, so a CNN can learn it."""
    folder = root / "mnist"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for split, n in (("train", n_train), ("t10k", n_test)):
        labels = rng.integers(0, 10, n).astype(np.uint8)
        images = rng.integers(0, 60, (n, 28, 28)).astype(np.uint8)
        images[np.arange(n), 2 * labels + 4] = 255
        write_idx(folder / f"{split}-images-idx3-ubyte.gz", images)
        write_idx(folder / f"{split}-labels-idx1-ubyte.gz", labels)
    return root


def fake_cifar(root, per_batch=24):
    """CIFAR-10's python version in miniature: five training batches and a test batch."""
    folder = root / "cifar10" / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(1)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        labels = rng.integers(0, 10, per_batch)
        data = rng.integers(0, 256, (per_batch, 3072)).astype(np.uint8)
        with open(folder / name, "wb") as f:
            pickle.dump({b"data": data, b"labels": labels.tolist()}, f)
    return root


def command(data, *options):
    return ["--data", str(data), *map(str, options)]


def test_a_resumed_run_ends_exactly_where_an_uninterrupted_one_does(tmp_path, capsys):
    data = fake_mnist(tmp_path / "data")
    whole, parts = tmp_path / "whole.json", tmp_path / "parts.json"
    assert cnn1998.main(command(data, "--part", "lenet", "--epochs", 3, "--checkpoint", tmp_path / "whole.npz",
                                "--out", whole)) == 0
    resumable = command(data, "--part", "lenet", "--epochs", 3, "--checkpoint", tmp_path / "parts.npz")
    assert cnn1998.main(resumable + ["--stop-after", "1"]) == 0
    assert "stopped after epoch 1" in capsys.readouterr().out and not parts.exists()
    assert cnn1998.main(resumable + ["--stop-after", "1"]) == 0  # epoch 2, from the checkpoint
    assert cnn1998.main(resumable + ["--out", str(parts)]) == 0   # epoch 3 and the test
    a, b = json.loads(whole.read_text()), json.loads(parts.read_text())
    assert set(a) == FIELDS and set(b) == FIELDS
    assert [h["train_loss"] for h in a["history"]] == [h["train_loss"] for h in b["history"]]
    assert (a["test_accuracy"], a["correct"]) == (b["test_accuracy"], b["correct"])
    with np.load(tmp_path / "whole.npz") as x, np.load(tmp_path / "parts.npz") as y:
        for name in x.files:
            if name.startswith("model/"):
                np.testing.assert_array_equal(x[name], y[name], err_msg=name)
    assert a["test_images"] == 40 and a["train_images"] == 160 and a["epochs"] == 3
    assert a["history"][-1]["train_loss"] < a["history"][0]["train_loss"], "it should learn the bars"
    assert a["data"]["provenance"].startswith("MNIST") and len(a["data"]["sha256"]) == 4
    assert a["machine"]["cpus_available"] >= 1 and a["machine"]["numpy"] == np.__version__
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", a["date"])


def test_the_cifar_part_trains_the_batchnorm_cnn_with_augmentation(tmp_path):
    data = fake_cifar(tmp_path / "data")
    out = tmp_path / "cifar.json"
    assert cnn1998.main(command(data, "--part", "cifar", "--epochs", 1, "--subset", 40,
                                "--provenance", "JPEG copy", "--out", out)) == 0
    result = json.loads(out.read_text())
    assert result["data"]["provenance"] == "JPEG copy" and result["subset"] == 40
    assert result["train_images"] == 40 and result["test_images"] == 24
    assert "BatchNorm2d" in result["model"] and "RandomCrop(32, padding=4)" in result["recipe"]
    assert sorted(result["data"]["sha256"]) == ["data_batch_1", "data_batch_2", "data_batch_3",
                                                "data_batch_4", "data_batch_5", "test_batch"]


def test_a_checkpoint_of_other_settings_and_missing_data_are_clear_errors(tmp_path, capsys):
    data = fake_mnist(tmp_path / "data")
    checkpoint = tmp_path / "run.npz"
    assert cnn1998.main(command(data, "--part", "lenet", "--epochs", 2, "--checkpoint", checkpoint,
                                "--stop-after", 1)) == 0
    capsys.readouterr()
    assert cnn1998.main(command(data, "--part", "lenet", "--epochs", 3, "--checkpoint", checkpoint)) == 2
    assert "was written by a run with settings" in capsys.readouterr().err
    assert cnn1998.main(command(tmp_path / "nowhere", "--part", "cifar")) == 2
    assert "download=False" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cnn1998.parse_args(command(data, "--part", "lenet", "--epochs", 0))
    assert "--epochs must be at least 1, got 0" in capsys.readouterr().err


def test_the_notebook_runs_offline_and_shows_the_recorded_results(tmp_path, monkeypatch):
    pytest.importorskip("sklearn")
    empty = tmp_path / "no-data"
    empty.mkdir()
    monkeypatch.setenv("TINYTORCH_DATA", str(empty))
    printed, outputs = run("1998_cnn", tmp_path, monkeypatch)
    assert re.search(r"^Data: digits \(scikit-learn", printed, flags=re.MULTILINE), printed[:500]
    assert percent("Test accuracy", printed) >= 80.0
    assert re.search(r"^61,706 parameters$", printed, flags=re.MULTILINE)
    assert re.search(r"ms per step of 128 images", printed)
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 1, "the filters and feature maps"
    recorded = sorted(RESULTS.glob("1998_*.json"))
    assert recorded, "no recorded full run in notebooks/milestones/results/"
    for path in recorded:
        result = json.loads(path.read_text(encoding="utf-8"))
        assert set(result) == FIELDS, f"{path.name}: fields {sorted(set(result) ^ FIELDS)}"
        provenance = result["data"]["provenance"]
        assert provenance and (result["part"] != "cifar" or "JPEG copy" in provenance), path.name
        assert f"  data: {provenance}\n" in printed, f"the page does not show {path.name}'s provenance"
        assert f"{result['test_accuracy']:.2f}% test accuracy" in printed
