"""The grader on a Python without `_thread._set_sentinel` (removed in 3.13): tester.py then waits
for a lock each test case's worker releases as it returns, and for the thread count to drop.

The child runs under a shim (a sitecustomize on PYTHONPATH, so the real runner, tester and keeper
run as in any batch) that removes `_set_sentinel` and makes each thread linger after its function
returns, as a thread does between its last line of Python and its end: a grader that took the
released lock for the thread's end would find the workers still running and skip the hidden tests."""
import os

from autograder.grading import sandbox
from autograder.grading.batch import Grader
from tests.grader.test_grader import FIXTURE, LIMITS, _edit, _json, toy  # noqa: F401 (toy is a fixture)

SHIM = '''
import threading  # keeps its own reference to _set_sentinel
import _thread

del _thread._set_sentinel
_start = _thread.start_new_thread


def start_new_thread(function, args, kwargs={}):
    def run(*a, **k):
        try:
            return function(*a, **k)
        finally:  # the thread is still counted a while after its function returned
            linger = _thread.allocate_lock()
            linger.acquire()
            linger.acquire(True, 0.2)
    return _start(run, args, kwargs)


_thread.start_new_thread = start_new_thread
'''

IN_SHIM = 'import _thread\nassert not hasattr(_thread, "_set_sentinel"), "the shim is not active"'


def test_without_thread_sentinels_every_phase_runs_and_counts(toy, tmp_path, monkeypatch):  # noqa: F811
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text(SHIM)
    monkeypatch.setattr(sandbox.Sandbox, "extra_env", {"PYTHONPATH": str(shim)})
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "correct.ipynb").write_bytes(_json(_edit(toy[0], after={"def scale(": [IN_SHIM]})))
    rows = Grader(str(FIXTURE), subs, tmp_path / "g.csv", workers=1, limits=LIMITS, isolate=False, use_cache=False,
                  log=open(os.devnull, "w")).run()
    r = rows["correct"]
    assert r.status == "graded", r.status  # the shim's cell passed: no sentinel; the hidden tests ran
    assert r.total == 8, (tmp_path / "g-feedback" / "correct.md").read_text()
