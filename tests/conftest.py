"""Fixtures shared by the test files, and the `slow` marker.

Tests are laid out like the code: tests/unit/<area>/ for the tinytorch package (fast), and
tests/pipeline/ (master -> generated files, notebooks executed), tests/grader/ (batch grading in
sandboxes), tests/site/ (the book built and driven in Chromium), tests/bench/ (the benchmark
harness). Everything outside tests/unit/ is marked `slow`: `pytest -m "not slow"` is the quick
developer run, plain `pytest` (CI) runs everything. A unit test may also mark itself slow.
"""
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import course

_SLOW_FOLDERS = ("pipeline", "grader", "site", "bench")
_TESTS = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        parts = Path(str(item.fspath)).resolve().relative_to(_TESTS).parts
        if parts and parts[0] in _SLOW_FOLDERS:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The course site, built once per test run with warnings as errors, as CI builds it."""
    out = tmp_path_factory.mktemp("site")
    proc = subprocess.run([sys.executable, "-c", "from jupyter_book.cli.main import main; main()", "build",
                           str(course.ROOT), "--path-output", str(out), "-n", "-W", "--keep-going"],
                          capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, f"book build failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    return out / "_build" / "html"
