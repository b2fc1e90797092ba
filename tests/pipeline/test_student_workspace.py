"""The student's flow with the `tinytorch` command, notebooks executed: start -> check -> export.

An unfilled notebook fails its checks (exit 1) and cannot be exported; the same notebook filled
with the master's solutions passes, exports into the workspace's own tinytorch and shows as
exported. A notebook that hangs or raises gets one line, not a traceback."""
import json

import pytest

from autograder import course
from autograder.course import master
from tests.pipeline import nbtools
from tinytorch.cli import workspace
from tinytorch.cli.main import main

MODULE = course.module("01_tensor")


def _run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def ws(tmp_path, monkeypatch):
    monkeypatch.delenv("TINYTORCH_WORKSPACE", raising=False)
    return tmp_path / "work"


def test_unfilled_notebook_fails_its_checks_and_export_refuses(ws, capsys):
    assert _run(capsys, "start", "01", "--workspace", str(ws))[0] == 0
    tensor = workspace.package(ws) / "core" / "tensor.py"
    before = tensor.read_bytes()
    code, out, _ = _run(capsys, "check", "01", "--workspace", str(ws))
    questions = [q.name for q in master.questions(master.read(MODULE.master))]
    assert code == 1
    for q in questions:
        assert f"{q}: FAILED" in out, out
    assert "Traceback" not in out
    code, out, _ = _run(capsys, "export", "01", "--workspace", str(ws))
    assert code == 1 and "export refused" in out
    assert tensor.read_bytes() == before
    assert "in progress" in [l for l in _run(capsys, "modules", "--workspace", str(ws))[1].splitlines()
                             if "01_tensor" in l][0]


def test_filled_notebook_passes_exports_and_shows_exported(ws, capsys):
    assert _run(capsys, "start", "01", "--workspace", str(ws))[0] == 0
    nb = ws / "01_tensor.ipynb"
    student = json.loads(nb.read_text())
    nb.write_text(json.dumps(nbtools.filled(master.read(MODULE.master), MODULE.id, student["metadata"])))
    code, out, _ = _run(capsys, "check", "01", "--workspace", str(ws))
    assert code == 0, out
    assert "FAILED" not in out and out.count(": passed") == len(student["metadata"]["otter"]["tests"])
    # the kernel ran in the workspace, so the notebook imported the workspace's tinytorch
    assert f"(tinytorch used: {workspace.package(ws) / '__init__.py'})" in out
    assert "checks passing" in [l for l in _run(capsys, "modules", "--workspace", str(ws))[1].splitlines()
                                if "01_tensor" in l][0]
    code, out, _ = _run(capsys, "export", "01", "--workspace", str(ws))
    assert code == 0, out
    assert "smoke: ok arithmetic" in out and "01_tensor exported" in out
    assert (workspace.package(ws) / "core" / "tensor.py").read_text().startswith("# Generated from 01_tensor.ipynb")
    assert "exported" in [l for l in _run(capsys, "modules", "--workspace", str(ws))[1].splitlines()
                          if "01_tensor" in l][0]


def _with_cell(ws, capsys, code):
    assert _run(capsys, "start", "01", "--workspace", str(ws))[0] == 0
    nb = ws / "01_tensor.ipynb"
    data = json.loads(nb.read_text())
    data["cells"].insert(3, dict(master.code_cell(code), id="inserted"))
    nb.write_text(json.dumps(data))


def test_a_hanging_notebook_is_stopped_with_one_line(ws, capsys):
    _with_cell(ws, capsys, "while True:\n    pass")
    code, out, err = _run(capsys, "check", "01", "--workspace", str(ws), "--timeout", "5")
    assert code == 1
    assert "cell 4 (while True:) did not finish within 5 s" in out
    assert "Traceback" not in out + err


def test_a_raising_cell_is_one_line(ws, capsys):
    _with_cell(ws, capsys, "raise ValueError('my mistake')")
    code, out, err = _run(capsys, "check", "01", "--workspace", str(ws))
    assert code == 1
    assert "cell 4 (raise ValueError('my mistake')) raised ValueError: my mistake" in out
    assert "Traceback" not in out + err


def test_milestone_runs_on_one_blas_thread_with_progress(ws, capsys):
    assert _run(capsys, "start", "01", "--workspace", str(ws))[0] == 0
    milestone = course.milestones()[0]  # 1958: a few seconds
    nb = ws / milestone.notebook.name
    data = json.loads(milestone.notebook.read_text())
    data["cells"].append(dict(master.code_cell('import os\nprint("threads:", os.environ["OPENBLAS_NUM_THREADS"])'),
                              id="threads"))
    nb.write_text(json.dumps(data))  # the student's copy, which the command runs (and never replaces)
    code, out, err = _run(capsys, "milestone", milestone.id.split("_")[0], "--workspace", str(ws))
    assert code == 0, out + err
    n = len(data["cells"])
    assert f"[{n:>3}/{n}] import os" in out and "        threads: 1" in out
    assert json.loads(nb.read_text()) == data, "the milestone command changed the student's copy"
    assert (ws / workspace.STATE / "runs" / nb.name).is_file()
