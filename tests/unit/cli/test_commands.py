"""tinytorch.cli commands that run no notebook: exit codes, refusals, missing packages, --help, doctor."""
import json
import re

import pytest

from autograder import course as authoring
from tinytorch.cli import exporting, needs, workspace
from tinytorch.cli.main import main

COMMANDS = ["modules", "start", "check", "export", "milestone", "doctor"]


def _notebook(path, *cells):
    path.write_text(json.dumps({"cells": [{"cell_type": "code", "source": c, "metadata": {}, "outputs": [],
                                           "execution_count": None} for c in cells],
                                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))


@pytest.mark.parametrize("command", [[]] + [[c] for c in COMMANDS])
def test_help_everywhere(command, capsys):
    with pytest.raises(SystemExit) as e:
        main(command + ["--help"])
    assert e.value.code == 0 and "usage: tinytorch" in capsys.readouterr().out


def test_commands_on_a_notebook_not_started_exit_2(ws, capsys):
    for command in ("check", "export"):
        assert main([command, "01", "--workspace", str(ws)]) == 2
        assert "run `tinytorch start 01` first" in capsys.readouterr().err


def test_missing_packages_are_named_with_the_install_command(ws, monkeypatch, capsys):
    assert main(["start", "01", "--workspace", str(ws)]) == 0
    real = needs.installed
    monkeypatch.setattr(needs, "installed", lambda name: name not in ("nbclient", "otter") and real(name))
    assert main(["check", "01", "--workspace", str(ws)]) == 2
    err = capsys.readouterr().err
    assert "tinytorch check needs nbclient, otter-grader" in err and 'pip install -e ".[student]"' in err


def test_export_of_an_unfinished_notebook_is_refused_even_with_force(ws, capsys):
    assert main(["start", "01", "--workspace", str(ws)]) == 0
    before = (workspace.package(ws) / "core" / "tensor.py").read_bytes()
    assert main(["export", "01", "--force", "--workspace", str(ws)]) == 1
    out = capsys.readouterr().out
    assert "export refused" in out and "is still `...`" in out
    assert (workspace.package(ws) / "core" / "tensor.py").read_bytes() == before


def test_an_export_that_breaks_the_package_is_undone(ws, capsys):
    workspace.ensure(ws)
    target = workspace.package(ws) / "core" / "reductions.py"
    before = target.read_bytes()
    _notebook(ws / "01_tensor.ipynb", "#| default_exp core.reductions\n#| export\nraise RuntimeError('broken')")
    assert main(["export", "01", "--force", "--workspace", str(ws)]) == 1
    out = capsys.readouterr().out
    assert "FAIL import: RuntimeError: broken" in out and "export undone" in out
    assert target.read_bytes() == before


def test_a_good_export_passes_the_smoke_test_and_is_recorded(ws, capsys):
    workspace.ensure(ws)
    target = workspace.package(ws) / "core" / "grad_mode.py"
    code = target.read_text().split("\n", 1)[1] if target.read_text().startswith("# Generated") else target.read_text()
    _notebook(ws / "01_tensor.ipynb", "#| default_exp core.grad_mode\n#| export\n" + code)
    assert main(["export", "01", "--force", "--workspace", str(ws)]) == 0
    out = capsys.readouterr().out
    assert "smoke: ok data" in out and "01_tensor exported" in out
    assert target.read_text().startswith("# Generated from 01_tensor.ipynb")
    assert "exported" in [l for l in _modules(ws, capsys) if "01_tensor" in l][0]


def _modules(ws, capsys):
    assert main(["modules", "--workspace", str(ws)]) == 0
    return capsys.readouterr().out.splitlines()


def test_smoke_test_of_the_reference_package_passes(ws):
    workspace.ensure(ws)
    ok, lines = exporting.smoke_test(ws)
    assert ok, lines
    assert lines[0] == f"using {workspace.package(ws) / '__init__.py'}", "the smoke test did not test the workspace"
    assert sum(l.startswith("ok ") for l in lines) == 10


def test_doctor_reports_and_exits_1_only_when_something_is_missing(ws, monkeypatch, capsys):
    code = main(["doctor", "--workspace", str(ws)])
    out = capsys.readouterr().out
    assert re.search(r"^numpy \d", out, re.M) and "course: " in out and "workspace: " in out
    assert code == (1 if "MISSING" in out else 0)
    monkeypatch.setattr(needs, "installed", lambda name: name != "nbclient")
    assert main(["doctor", "--workspace", str(ws)]) == 1
    out = capsys.readouterr().out
    assert "nbclient       MISSING" in out and "missing: nbclient" in out


def test_student_extra_is_pinned_like_requirements_txt():
    text = (authoring.ROOT / "pyproject.toml").read_text()
    import tomllib
    extra = tomllib.loads(text)["project"]["optional-dependencies"]["student"]
    pins = dict(r.split("==") for r in extra)
    assert {"jupyterlab", "otter-grader", "nbclient", "ipykernel"} <= set(pins), "the student extra lacks a package"
    required = {l.split("==")[0].strip().lower(): l.split("==")[1].strip()
                for l in (authoring.ROOT / "requirements.txt").read_text().splitlines()
                if "==" in l and not l.startswith("#")}
    differ = {name: (pin, required[name]) for name, pin in pins.items() if name in required and required[name] != pin}
    assert not differ, f"student extra pins differ from requirements.txt: {differ}"
    assert "tinytorch" in tomllib.loads(text)["project"]["scripts"]
