"""Fixtures shared by the test files."""
import subprocess
import sys

import pytest

from autograder import course


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The course site, built once per test run with warnings as errors, as CI builds it."""
    out = tmp_path_factory.mktemp("site")
    proc = subprocess.run([sys.executable, "-c", "from jupyter_book.cli.main import main; main()", "build",
                           str(course.ROOT), "--path-output", str(out), "-n", "-W", "--keep-going"],
                          capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, f"book build failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    return out / "_build" / "html"
