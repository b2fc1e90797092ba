"""tinytorch.cli.progress: a module's state from what check and export recorded, and `tinytorch modules`."""
import json

from tinytorch.cli import course, progress, workspace
from tinytorch.cli.main import main


def _entry():
    return course.find(course.modules(course.course_root()), "01")


def _notebook(path, code, output=""):
    cell = {"cell_type": "code", "source": code, "metadata": {}, "execution_count": None,
            "outputs": [{"output_type": "stream", "name": "stdout", "text": output}] if output else []}
    path.write_text(json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))


def test_states_follow_the_code_in_the_notebook(ws):
    entry = _entry()
    assert progress.state(ws, entry)[0] == progress.NOT_STARTED
    ws.mkdir()
    nb = workspace.notebook(ws, entry)
    _notebook(nb, "x = ...")
    assert progress.state(ws, entry)[0] == progress.IN_PROGRESS
    progress.record(ws, entry.id, "check", progress.code_digest(nb), passed=False)
    assert progress.state(ws, entry) == (progress.IN_PROGRESS, "checks failing")
    _notebook(nb, "x = 1")
    progress.record(ws, entry.id, "check", progress.code_digest(nb), passed=True)
    assert progress.state(ws, entry)[0] == progress.PASSING
    _notebook(nb, "x = 1", output="1\n")  # running and saving in Jupyter changes outputs, not the code
    assert progress.state(ws, entry)[0] == progress.PASSING
    progress.record(ws, entry.id, "export", progress.code_digest(nb))
    assert progress.state(ws, entry)[0] == progress.EXPORTED
    _notebook(nb, "x = 2")
    assert progress.state(ws, entry) == (progress.IN_PROGRESS, "changed since your export")


def test_modules_lists_every_module_with_its_state(ws, capsys):
    entry = _entry()
    ws.mkdir()
    nb = workspace.notebook(ws, entry)
    _notebook(nb, "x = 1")
    progress.record(ws, entry.id, "export", progress.code_digest(nb))
    assert main(["modules", "--workspace", str(ws)]) == 0
    lines = capsys.readouterr().out.splitlines()
    row = {l.split()[0]: l for l in lines if l.startswith("  ")}
    assert len(row) == 20
    assert "exported" in row["01_tensor"] and "not started" in row["02_activations"]
    assert "not published yet" in row["20_capstone"]


def test_an_unreadable_progress_file_counts_as_nothing_recorded(ws):
    (ws / workspace.STATE).mkdir(parents=True)
    (ws / workspace.STATE / "progress.json").write_text("{broken")
    assert progress.load(ws) == {}
