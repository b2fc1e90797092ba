"""Issue 15: the hostile suite holds as an ordinary user too, not only as root (CI runs as root).

As root, this runs the forgery and isolation suites again as `nobody`, with a virtual environment
that user can read: one made from a Python of the same version that `nobody` may run (the one
the tests run on may sit in root's home, mode 700), which loads this environment's packages."""
import os
import pwd
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import pytest

from autograder import course

SUITES = ["tests/grader/test_forgery.py", "tests/grader/test_isolation.py"]


def _as(user, cmd, env=(), **kwargs):
    """Run `cmd` as `user` without capabilities, in a cleared environment plus `env` (NAME=value)."""
    return subprocess.run(["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups",
                           "--inh-caps=-all", "--bounding-set=-all", "env", "-i",
                           f"PATH={os.environ.get('PATH', '/usr/bin:/bin')}", *env] + cmd,
                          capture_output=True, text=True, **kwargs)


@pytest.fixture(scope="module")
def ordinary_user():
    """(user, python, home): `nobody`, a Python it can run with this environment's packages, and
    a folder it owns; skipped (saying why) where no such setup is possible."""
    if os.geteuid() != 0:
        pytest.skip("already running as an ordinary user: the grader suites themselves are the check")
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv (util-linux) is not installed: cannot switch to an ordinary user")
    try:
        user = pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("no user `nobody` on this machine")
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    candidates = [os.path.realpath(sys.executable)] + [p for p in (shutil.which(version, path=d) for d in
                                                                   ("/usr/local/bin", "/usr/bin")) if p]
    base = next((p for p in candidates if _as(user, [p, "-c", "pass"]).returncode == 0), None)
    if base is None:
        pytest.skip(f"no {version} that `nobody` may run (tried {', '.join(candidates)})")
    home = Path(tempfile.mkdtemp(prefix="tt-ordinary-", dir="/var/tmp"))
    try:
        subprocess.run([base, "-m", "venv", "--without-pip", str(home / "venv")], check=True, capture_output=True)
        site = subprocess.run([str(home / "venv" / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                              check=True, capture_output=True, text=True).stdout.strip()
        Path(site, "tinytorch-tests.pth").write_text(f"import site; site.addsitedir({sysconfig.get_paths()['purelib']!r})\n")
        for path in [home] + list(home.rglob("*")):
            os.chown(path, user.pw_uid, user.pw_gid, follow_symlinks=False)
        python = str(home / "venv" / "bin" / "python")
        probe = _as(user, [python, "-c", "import numpy, pytest, autograder"], cwd=course.ROOT)
        if probe.returncode != 0:
            pytest.skip(f"`nobody` cannot import this environment's packages: {probe.stderr.strip()[-300:]}")
        yield user, python, home
    finally:
        shutil.rmtree(home, ignore_errors=True)


def test_the_hostile_suites_hold_as_an_ordinary_user(ordinary_user):
    user, python, home = ordinary_user
    env = [f"HOME={home}", f"XDG_CACHE_HOME={home / 'cache'}", "PYTHONDONTWRITEBYTECODE=1"]
    proc = _as(user, [python, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "--basetemp",
                      str(home / "pytest")] + SUITES, env=env, cwd=course.ROOT, timeout=1800)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    assert " passed" in proc.stdout and " skipped" not in proc.stdout.splitlines()[-1], proc.stdout[-2000:]
