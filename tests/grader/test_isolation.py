"""Issue 15: isolation by construction. A submission sees an empty root with only the Python runtime,
its packages and the grader's support folder (bubblewrap), not a copy of the machine with a few
paths hidden: another checkout of the course, root's home and /etc/shadow are out of its reach.
Without bubblewrap the grader falls back to the unshare mode and says so."""
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from autograder.grading import host, sandbox
from autograder.grading.batch import Grader
from tests.grader.test_grader import FIXTURE, LIMITS, _edit, _json, toy  # noqa: F401 (toy is a fixture)

READER = r'''
found = []
for path in {paths!r}:
    try:
        with open(path, errors="ignore") as f:
            f.read(100)
        found.append(path)
    except OSError:
        pass
raise RuntimeError(("READ " + repr(found)) if found else "NOTHING READ")
'''


@pytest.fixture
def secrets_outside(tmp_path):
    """Files a submission must not read: a checkout outside every folder the grader knows about,
    a file in root's home (when this user may write there), /etc/shadow (when this user may read it)."""
    made = [Path(tempfile.mkdtemp(prefix="other-checkout-", dir="/var/tmp"))]
    master = made[0] / "notebooks" / "masters" / "99_toy.ipynb"
    master.parent.mkdir(parents=True)
    master.write_text("SECRET hidden tests")
    paths = [str(master)]
    if os.access("/root", os.W_OK):
        cache = Path(tempfile.mkdtemp(prefix="grader-cache-", dir="/root"))
        made.append(cache)
        (cache / "probes.json").write_text("SECRET")
        paths.append(str(cache / "probes.json"))
    if os.access("/etc/shadow", os.R_OK):
        paths.append("/etc/shadow")
    yield paths
    for path in made:
        shutil.rmtree(path, ignore_errors=True)


def _grade(student, tmp_path, cells):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "reader.ipynb").write_bytes(_json(_edit(student, after={"def scale(": cells})))
    log = tmp_path / "log.txt"
    with open(log, "w") as f:
        rows = Grader(str(FIXTURE), subs, tmp_path / "g.csv", workers=1, limits=LIMITS, log=f).run()
    return rows["reader"], (tmp_path / "g-feedback" / "reader.md").read_text(), log.read_text()


def test_a_submission_reads_nothing_of_the_machine(toy, tmp_path, secrets_outside):  # noqa: F811
    probe = sandbox.Sandbox(tmp_path / "s", tmp_path / "r")
    if probe.mode != "bwrap":
        pytest.skip("bubblewrap cannot run here (install the bubblewrap package); the log says so")
    row, text, log = _grade(toy[0], tmp_path, [READER.format(paths=secrets_outside)])
    assert row.total == 8
    assert "NOTHING READ" in text, text
    assert "(bubblewrap): an empty root" in log


def test_without_bubblewrap_the_grader_falls_back_and_says_so(toy, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setattr(sandbox, "bwrap_works", lambda *a, **k: False)
    probe = sandbox.Sandbox(tmp_path / "s", tmp_path / "r")
    assert probe.mode == ("unshare" if host.namespaces_work() else "none")
    described = "\n".join(probe.describe())
    assert ("bubblewrap is not available here" in described) == (probe.mode == "unshare")
    row, _, log = _grade(toy[0], tmp_path, [])
    assert row.total == 8 and row.status == "graded"
    assert "(bubblewrap)" not in log


def test_bubblewrap_root_holds_only_what_it_is_given(tmp_path):
    args = host.bwrap_args(["/opt/python", "/opt/python/lib", str(tmp_path)], "/w/run-1", 1 << 20)
    binds = [args[i + 1] for i, a in enumerate(args) if a == "--ro-bind"]
    assert "/opt/python/lib" not in binds and str(tmp_path) in binds  # a folder inside another is not bound twice
    assert not [b for b in binds if b in ("/", "/etc", "/home", "/root", "/tmp", "/proc")]
    assert args[args.index("--tmpfs") - 1] == str(1 << 20) and args[args.index("--tmpfs") + 1] == "/w/run-1"
    assert "--unshare-all" in args and args[args.index("--cap-drop") + 1] == "ALL"



def test_describe_says_what_is_and_is_not_enforced_here(tmp_path):
    """As root and as an ordinary user (tests/grader/test_unprivileged.py runs this file as one)."""
    probe = sandbox.Sandbox(tmp_path / "s", tmp_path / "r")
    text = "\n".join(probe.describe())
    assert ("memory of a submission's processes together NOT limited" in text) == (not probe.memory and not probe.shared)
    assert ("process count NOT limited" in text) == (probe.procs_mode() == "none")
    assert ("running as root" in text) == (os.geteuid() == 0)
    assert ("(bubblewrap): an empty root" in text) == (probe.mode == "bwrap")
    assert ("isolation: NONE" in text) == (probe.mode == "none")
    assert "on an input only the grader's thread in the child can read" in text


def test_a_run_whose_input_was_shared_with_the_notebook_says_so():
    """Where the keeper thread gets no file table of its own (runner.py), the row's status says so."""
    from autograder.grading import judge, reference
    assignment = reference.parse_master(FIXTURE)
    ref = {c.key: {"probes": []} for c in assignment.cases}
    run = sandbox.RunResult(events=[{"ev": "sandbox", "writable": [], "input": "shared"}, {"ev": "ready"}])
    status = judge.judge_run(assignment, ref, run, LIMITS, []).status
    assert "the tests' input could not be kept from the notebook's code here" in status, status
    run.events[0]["input"] = "private"
    assert "input" not in judge.judge_run(assignment, ref, run, LIMITS, []).status
