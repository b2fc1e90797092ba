"""Cells tagged `figure` only draw: the batch grader runs neither the master's nor a submission's."""
import json

from autograder import course
from autograder.grading import reference
from autograder.grading.submissions import load_submission


def test_figure_cells_are_not_run_when_grading(tmp_path):
    figure = {"cell_type": "code", "metadata": {"tags": ["figure", "remove-input"]}, "outputs": [],
              "execution_count": None, "source": "import matplotlib\n"}
    plain = dict(figure, metadata={}, source="x = 1\n")
    path = tmp_path / "alice.ipynb"
    path.write_text(json.dumps({"cells": [plain, figure], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    assert load_submission(path, "04_losses").cells == [[1, "x = 1\n"]]
    m = course.module("04_losses")
    nb = json.loads(m.master.read_text())
    figures = {n for n, c in enumerate(nb["cells"], 1) if "figure" in c.get("metadata", {}).get("tags", [])}
    assert figures, "04's master has figures"
    ran = {n for n, _ in reference.parse_master(m.master, all_cells=True).cells}
    assert ran and not ran & figures
