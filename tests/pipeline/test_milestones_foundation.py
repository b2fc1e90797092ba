"""Milestones 1969 (XOR) and 1986 (MLP): the notebooks run cleanly and report the accuracies they promise."""
import os
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
MILESTONES = ROOT / "notebooks" / "milestones"


def run(name, workdir, monkeypatch):
    """Execute notebooks/milestones/<name>.ipynb in a fresh kernel; return (printed text, outputs)."""
    # The kernel inherits the environment: make it import this checkout's tinytorch.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    # One BLAS thread: on a shared 2-core machine OpenBLAS's threads make these small matrix
    # products many times slower; the results are the same.
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    nb = nbformat.read(MILESTONES / f"{name}.ipynb", as_version=4)
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), f"{name} is stored with outputs"
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(workdir)}}).execute()  # raises on any cell error
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    printed = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    return printed, outputs


def percent(label, printed):
    """The number in the one line '<label>: N%' of the printed output."""
    found = re.findall(rf"^{re.escape(label)}: ([\d.]+)%", printed, flags=re.MULTILINE)
    assert found, f"no '{label}: N%' line in the output"
    assert len(set(found)) == 1, f"'{label}' reported different values: {found}"
    return float(found[0])


def test_xor_single_layer_fails_and_two_layers_succeed(tmp_path, monkeypatch):
    printed, outputs = run("1969_xor", tmp_path, monkeypatch)
    assert percent("Single-layer accuracy", printed) <= 75.0
    assert percent("Two-layer accuracy", printed) == 100.0
    assert re.search(r"best accuracy of any random line: 75%", printed)
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 2, "decision boundaries and loss curves"


def test_mlp_milestone_runs_on_digits_when_mnist_is_absent(tmp_path, monkeypatch):
    pytest.importorskip("sklearn")
    empty = tmp_path / "no-data"
    empty.mkdir()
    monkeypatch.setenv("TINYTORCH_DATA", str(empty))                 # MNIST is "absent": the digits path runs
    printed, outputs = run("1986_mlp", tmp_path, monkeypatch)
    assert re.search(r"^Data: digits \(scikit-learn", printed, flags=re.MULTILINE), printed[:500]
    assert "MNIST is not available" in printed
    assert percent("Test accuracy", printed) >= 95.0
    assert re.search(r"^Wall time: [\d.]+ s training", printed, flags=re.MULTILINE)
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 3
    assert list(empty.iterdir()) == [], "download=False: nothing may be written to the data folder"
