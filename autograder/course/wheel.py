"""Build a tinytorch wheel from a package folder: the grading wheel in the Otter autograder zip
(student.py) and the wheel the course site serves to JupyterLite (site.py)."""
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from . import registry


def build_wheel(package, dest, what="the tinytorch wheel"):
    """Build a wheel of the `tinytorch` package folder `package` (with the repository's
    pyproject.toml and README.md) into `dest`, replacing the tinytorch wheels there; return its path."""
    dest = Path(dest).resolve()
    dest.mkdir(parents=True, exist_ok=True)
    for old in dest.glob("tinytorch-*.whl"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp)
        for name in ("pyproject.toml", "README.md"):
            shutil.copy(registry.ROOT / name, src / name)
        shutil.copytree(package, src / "tinytorch", ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.bak", "*.bak-*"))
        proc = subprocess.run([sys.executable, "-c", "import sys; from setuptools import build_meta; "
                               "print(build_meta.build_wheel(sys.argv[1]))", str(dest)],
                              cwd=src, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"building {what} failed:\n{proc.stdout}\n{proc.stderr}")
    return dest / proc.stdout.strip().splitlines()[-1]
