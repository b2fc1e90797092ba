"""A student's export that passes every check must work with the package's own tests (issue 13).

The masters' solutions, written the way a student may write them (every error message the
student writes cut down to what the student notebook states, nbtools.stated_only), are exported
module by module into a workspace's own tinytorch, as `tinytorch export` does. The package's unit
tests then run on that package in a fresh process. A unit test may therefore rely only on what
the notebooks state: the contracts between modules (CONTRIBUTING.md, "Contracts between
modules"), not on the reference's wording. (tests/grader grades the same variant: full marks.)
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import course
from autograder.course import master
from tests.pipeline import nbtools
from tinytorch.cli import workspace
from tinytorch.export import export_notebook

TESTS = Path(__file__).resolve().parents[1]
UNIT = ("core", "data", "optim", "training", "accel", "viz")  # tests/unit/cli and the layout tests read the checkout
MODULES = [m for m in course.modules() if m.exists and m.number <= 8]
CONFTEST = '''import pathlib
import tinytorch

here = pathlib.Path(__file__).resolve().parents[1]
assert pathlib.Path(tinytorch.__file__).resolve().is_relative_to(here), f"tests ran on {tinytorch.__file__}"
'''


@pytest.fixture(scope="module")
def student_workspace(tmp_path_factory):
    ws = tmp_path_factory.mktemp("student") / "work"
    workspace.ensure(ws)
    for m in MODULES:
        path = ws / f"{m.id}.ipynb"
        stated = nbtools.stated_text(json.loads(m.student.read_text()))
        path.write_text(json.dumps(nbtools.stated_only(nbtools.filled(master.read(m.master), m.id), stated)))
        export_notebook(path, workspace.package(ws), source_name=path.name)
    for area in UNIT:
        shutil.copytree(TESTS / "unit" / area, ws / "tests" / "unit" / area,
                        ignore=shutil.ignore_patterns("__pycache__"))
    for init in ("tests/__init__.py", "tests/unit/__init__.py"):
        (ws / init).write_text("")
    (ws / "tests" / "conftest.py").write_text(CONFTEST)
    return ws


def test_the_export_holds_the_students_code(student_workspace):
    tensor = (workspace.package(student_workspace) / "core" / "tensor.py").read_text()
    assert "(in my words)" in tensor  # the student's messages, not the course's copy


def test_package_unit_tests_pass_on_a_students_export(student_workspace):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "tests/unit"], cwd=student_workspace, env=env, capture_output=True, text=True,
                          timeout=1800)
    failed = [line for line in proc.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
    assert proc.returncode == 0, "\n".join(failed) or proc.stdout[-3000:] + proc.stderr[-3000:]
