"""Milestone 1958 (perceptron): the notebook runs cleanly and reports that training separated the data."""
import os
import re
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "milestones" / "1958_perceptron.ipynb"


def test_perceptron_milestone_runs_and_reaches_full_accuracy(tmp_path, monkeypatch):
    # The kernel inherits the environment: make it import this checkout's tinytorch.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()  # raises on any cell error

    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    printed = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    found = re.findall(r"^Final accuracy: ([\d.]+)%", printed, flags=re.MULTILINE)
    assert len(found) == 1, f"expected one 'Final accuracy: N%' line in the output, found {found}"
    assert float(found[0]) == 100.0, f"the perceptron should separate the data, got {found[0]}%"
    assert any("image/png" in o.get("data", {}) for o in outputs), "the notebook should draw its plots"
