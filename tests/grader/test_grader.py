"""The batch grader (`python -m autograder grade`): hostile and broken submissions, end to end.

One batch of the toy fixture module (tests/grader/fixtures/99_toy.ipynb: q1 2 points over 3 cases,
q2 3 points over 3, q3 3 points as 0.5 + 0.5 + 2) holds every hostile case; each test asserts
the row (status and points) of one submission. The real modules are graded end to end too.
"""
import copy
import csv
import hashlib
import json
import os
import zipfile
from pathlib import Path

import pytest

from tinytorch.export import collect_exports

from autograder import course
from autograder.course import master, student as student_files
from autograder.course.package import UNAVAILABLE
from autograder.grading import gradebook, judge, probe, reference, sandbox
from autograder.grading.batch import GradeError, Grader
from autograder.grading.sandbox import Limits
from autograder.grading.submissions import safe_name
from tests.pipeline import nbtools

FIXTURE = Path(__file__).parent / "fixtures" / "99_toy.ipynb"
LIMITS = Limits(timeout=15, cell_timeout=5, case_timeout=3, output_mb=4)  # roomy enough for a busy 2-core machine
SOLUTIONS = {"def double(": "def double(x):\n    return 2 * x",
             "def normalize(": "def normalize(v):\n    v = np.asarray(v, dtype=np.float32)\n    return v / v.sum()",
             "def scale(": "def scale(t, k):\n    return Tensor(t.data * k)"}
SANDBOX = sandbox.Sandbox("/nonexistent", "/nonexistent")  # only to ask what this machine enforces


def _cell(source):
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}


def _edit(student, answers=None, after=None, drop_from=None, solved=True):
    """The student notebook, solved (or not), with cells replaced (answers: marker -> new source),
    extra cells inserted after the cell containing a marker (after: marker -> [sources]), or
    every cell from the one containing `drop_from` on removed."""
    answers = {**(SOLUTIONS if solved else {}), **(answers or {})}
    nb = copy.deepcopy(student)
    cells = []
    for cell in nb["cells"]:
        src = master.source(cell)
        if drop_from and drop_from in src:
            break
        for marker, new in answers.items():
            if marker in src:
                cell["source"] = new
        cells.append(cell)
        for marker, extra in (after or {}).items():
            if marker in src:
                cells += [_cell(x) for x in extra]
    nb["cells"] = cells
    return nb


def _json(nb):
    return json.dumps(nb).encode()


# ---------------------------------------------------------------- fixtures

@pytest.fixture(scope="session")
def toy(tmp_path_factory):
    """(student notebook, autograder zip) of the toy module, built by the real pipeline."""
    out = tmp_path_factory.mktemp("toy-assign")
    nb = student_files.student_notebook(FIXTURE, out)
    return nb, out / "99_toy-autograder.zip"


SNOOP = r'''
import gc, os, sys
targets = [{subs!r}, {master!r}, {repo!r}, {cache!r}, {out!r}, "/tmp"]
secret = "double(-1." + "5)"      # the hidden test of q1, never written out in this cell
found = []
for obj in gc.get_objects():      # is a hidden test already in this process? (it must not be)
    if isinstance(obj, str) and secret in obj:
        found.append("memory")
        break
for top in targets:
    for root, dirs, files in os.walk(top):
        if root.startswith((os.getcwd(), sys.prefix)):  # its own folder; the Python install it runs on
            dirs[:] = []
            continue
        for name in files:
            path = os.path.join(root, name)
            try:
                with open(path, errors="ignore") as f:
                    text = f.read(2_000_000)
            except OSError:
                continue
            if secret in text or "correct" in name or "Hidden tests" in text:
                found.append(path)
raise RuntimeError(("LEAKED " + repr(found[:5])) if found else "NOTHING LEAKED")
'''

FORGER = r'''
import gc, types

class Anything:
    def __getattr__(self, name): return Anything()
    def __call__(self, *a, **k): return Anything()
    def __eq__(self, other): return True
    def __bool__(self): return True
    def __iter__(self): return iter(())

double = normalize = scale = Anything()

def forged_probes_for(probes):
    t = ["b", True]
    def probe(site, value): probes.append([site, t]); return value
    def check(site, value): probes.append([site, t]); return True
    def compare(site, ops, *thunks): probes.append([site, {"o": [t] * len(thunks), "r": [t] * len(ops)}]); return True
    def call(site, fn, args, kwargs): probes.append([site, {"a": [t] * len(args), "k": {k: t for k in kwargs}, "r": t}]); return True
    def shallow(site, fn, args): probes.append([site, ["w", t, []]]); return True
    return {"__tt_probe__": probe, "__tt_check__": check, "__tt_cmp__": compare, "__tt_call__": call, "__tt_shallow__": shallow}

patched = 0
for obj in gc.get_objects():
    if isinstance(obj, types.FunctionType) and obj.__name__ == "probes_for":
        obj.__globals__["probes_for"] = forged_probes_for
        obj.__globals__["encode"] = lambda value, depth=0: ["b", True]
        patched += 1
print("patched the grader's recording", patched, "times; All tests passed!")
'''

OTTER_PATCH = '''
import otter
otter.Notebook.check = lambda self, *a, **k: print("q1 results: All test cases passed!")
grader = otter.Notebook("99_toy.ipynb")
grader.check("q1")
from otter.test_files import abstract_test
abstract_test.TestFile.passed_all = property(lambda self: True)
'''

REWRITER = '''
import json, glob
for path in glob.glob("*.ipynb"):
    nb = json.load(open(path))
    for test in nb.get("metadata", {}).get("otter", {}).get("tests", {}).values():
        for suite in test["suites"]:
            for case in suite["cases"]:
                case["code"] = ">>> assert True"
    json.dump(nb, open(path, "w"))
__tt_check__ = lambda *a: True
__tt_probe__ = lambda site, value: value
class AssertionError(Warning):
    pass
'''

TAMPER = '''
import sys, os
support = os.path.dirname(sys.argv[0])  # the grader's runner and tinytorch copy, shared by the batch
failures = []
for path in (sys.argv[0], os.path.join(support, "tinytorch", "__init__.py")):
    try:
        with open(path, "a") as f:
            f.write("\\nraise SystemExit('tampered')\\n")
    except OSError as e:
        failures.append(type(e).__name__)
if failures:
    raise OSError("could not tamper: " + ", ".join(failures))
'''

RELAY = '''
import sys
seen = []

def double(x):  # collects the constants of every test case that calls it (a hidden one included)
    try:
        frame = sys._getframe(1)
    except (RuntimeError, ValueError):  # the grader refuses frames while the tests run
        frame = None
    while frame is not None:
        if frame.f_code.co_filename == "<test>":
            seen.extend(repr(c) for c in frame.f_code.co_consts if isinstance(c, (str, float)))
        frame = frame.f_back
    return 2 * x

def normalize(v):  # ... and fails a later public case with them as its message
    raise AssertionError("relay: " + " | ".join(seen))
'''

FORK_BOMB = '''
import os, time
children = 0
for _ in range(300):
    pid = os.fork()
    if pid == 0:
        time.sleep(30)
        os._exit(0)
    children += 1
'''


@pytest.fixture(scope="session")
def batch(toy, tmp_path_factory):
    """Grade one folder holding every hostile and broken submission of the toy module."""
    student, zip_path = toy
    root = tmp_path_factory.mktemp("batch")
    subs, out = root / "submissions", root / "grades" / "grades.csv"
    subs.mkdir()
    files = {
        "aaa_tamper.ipynb": _json(_edit(student, after={"def scale(": [TAMPER]})),
        "correct.ipynb": _json(_edit(student)),
        "zzz_after_tamper.ipynb": _json(_edit(student)),
        "partial.ipynb": _json(_edit(student, {
            "def double(": "def double(x):\n    return abs(2 * x)",
            "def normalize(": "def normalize(v):\n    return np.asarray(v) / np.sum(v)",
            "def scale(": "def scale(t, k):\n    return Tensor(t.data * abs(k))"})),
        "unfilled.ipynb": _json(student),
        "infinite_loop.ipynb": _json(_edit(student, {"def scale(": SOLUTIONS["def scale("] + "\nwhile True:\n    pass"})),
        "stubborn_loop.ipynb": _json(_edit(student, after={"def scale(": [
            "import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\nwhile True:\n    pass"]})),
        "raises.ipynb": _json(_edit(student, {"def normalize(": 'raise ValueError("oops")\n' + SOLUTIONS["def normalize("]})),
        "syntax_error.ipynb": _json(_edit(student, {"def double(": "def double(x)\n    return 2 * x"})),
        "renamed_function.ipynb": _json(_edit(student, {"def double(": "def twice(x):\n    return 2 * x"})),
        "missing_questions.ipynb": _json(_edit(student, drop_from="## Q2")),
        "corrupt.ipynb": _json(_edit(student))[:700],
        "not_a_notebook.ipynb": b"these are my answers: 6, 0.25, [3, 6]\n",
        "picture.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
        "json_not_notebook.ipynb": b'{"answers": [6, 0.25]}',
        "empty_notebook.ipynb": b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
        "empty_file.ipynb": b"",
        "dave final (1).json": _json(_edit(student)),
        "chatty.ipynb": _json(_edit(student, after={"def scale(": ['print("x" * 3_000_000)']})),
        "flood.ipynb": _json(_edit(student, after={"def scale(": ['while True:\n    print("spam" * 1000)']})),
        "memory_hog.ipynb": _json(_edit(student, after={"def scale(": ["hog = bytearray(3 * 1024 ** 3)"]})),
        "fork_bomb.ipynb": _json(_edit(student, after={"def scale(": [FORK_BOMB, "import os\nos.fork()"]})),
        "snoop.ipynb": _json(_edit(student, after={"def scale(": [SNOOP.format(
            subs=str(subs), master=str(FIXTURE), repo=str(course.ROOT), cache=str(reference.cache_dir()),
            out=str(out.parent))]})),
        "otter_patch.ipynb": _json(_edit(student, solved=False, after={"def scale(": [OTTER_PATCH]})),
        "forger.ipynb": _json(_edit(student, solved=False, after={"def scale(": [FORGER]})),
        "printer.ipynb": _json(_edit(student, solved=False, after={"def scale(": [
            'print("All tests passed!")\nprint("q1 results: All test cases passed!")\n'
            'open("results.json", "w").write(\'{"score": 8, "tests": []}\')']})),
        "rewriter.ipynb": _json(_edit(student, solved=False, after={"def scale(": [REWRITER]})),
        "relay.ipynb": _json(_edit(student, {"def double(": RELAY, "def normalize(": "pass"})),
        "importer.ipynb": _json(_edit(student, {"def double(": "from tinytorch.core.toy import double",
                                                "def normalize(": "from tinytorch.core.toy import normalize",
                                                "def scale(": "from tinytorch.core.toy import scale"},
                                         solved=False)),
    }
    for name, data in files.items():
        (subs / name).write_bytes(data)
    with zipfile.ZipFile(subs / "erin_99_toy_2026_11_22T09_34_44_678300.zip", "w") as z:
        z.writestr("99_toy.ipynb", _json(_edit(student)))
        z.writestr(".OTTER_LOG", b"\x00\x01binary log")
    (subs / "frank.zip").write_bytes(b"PK\x03\x04" + os.urandom(200))
    before = {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in subs.iterdir()}
    log = root / "log.txt"
    with open(log, "w") as f:
        rows = Grader(str(FIXTURE), subs, out, workers=2, limits=LIMITS, log=f).run()
    after = {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in subs.iterdir()}
    return {"rows": rows, "out": out, "feedback": out.parent / "grades-feedback", "subs": subs,
            "before": before, "after": after, "log": log.read_text(), "files": files}


def row(batch, sid):
    return batch["rows"][sid]


def feedback(batch, sid):
    return (batch["feedback"] / f"{safe_name(sid)}.md").read_text()


# ---------------------------------------------------------------- correct and partial work

def test_correct_submission_gets_full_marks(batch):
    r = row(batch, "correct")
    assert (r.scores, r.total, r.percent, r.status) == ({"q1": 2, "q2": 3, "q3": 3}, 8, 100, "graded")


def test_partly_correct_submission_gets_exactly_its_partial_marks(batch):
    r = row(batch, "partial")
    # q1: |2x| fails the hidden negative case (2 of 3 cases x 2/3); q2: float64 fails the hidden
    # dtype case (2 x 1); q3: |k| passes 0.5 + 0.5 and fails the 2-point negative-scale case.
    assert r.scores == {"q1": pytest.approx(4 / 3), "q2": 2, "q3": 1}
    assert r.total == pytest.approx(13 / 3) and r.percent == pytest.approx(54.17)
    assert r.status == "graded"
    text = feedback(batch, "partial")
    assert "hidden test 1 failed" in text and "double(-1.5)" not in text  # hidden: no details


def test_hidden_test_content_cannot_reach_public_feedback_through_student_code(batch):
    """Student code sees the source constants of the cases that call it; public cases run before
    hidden ones, so nothing from a hidden case can come back in a public failure message."""
    r = row(batch, "relay")
    assert r.scores["q1"] == 2 and r.scores["q2"] == 0
    text = feedback(batch, "relay")
    assert "relay: " in text  # the channel works (empty: the sandbox refuses frames while the tests run)
    assert "-1.5" not in text and "-3.0" not in text  # but carries nothing of q1's hidden case


def test_unfilled_notebook_gets_nothing(batch):
    assert row(batch, "unfilled").total == 0


# ---------------------------------------------------------------- broken notebooks

def test_infinite_loop_in_a_cell_is_stopped_and_the_rest_graded(batch):
    r = row(batch, "infinite_loop")
    assert r.total == 8 and r.status.startswith("graded; 1 cell raised errors") and "Timeout" in r.status


def test_loop_that_ignores_the_cell_alarm_hits_the_wall_clock(batch):
    r = row(batch, "stubborn_loop")
    assert r.status.startswith(f"timeout: stopped after {LIMITS.timeout:g} s during cell") and r.total == 0


def test_exception_in_a_cell_costs_only_what_depends_on_it(batch):
    r = row(batch, "raises")
    assert r.scores == {"q1": 2, "q2": 0, "q3": 3} and "ValueError" in r.status
    assert "raised ValueError (line 1): oops" in feedback(batch, "raises")


def test_syntax_error(batch):
    r = row(batch, "syntax_error")
    assert r.scores == {"q1": 0, "q2": 3, "q3": 3} and "SyntaxError" in r.status


def test_renamed_and_missing_questions(batch):
    r = row(batch, "renamed_function")
    assert r.scores == {"q1": 0, "q2": 3, "q3": 3} and r.status == "graded"
    assert "NameError: name 'double' is not defined" in feedback(batch, "renamed_function")
    assert row(batch, "missing_questions").scores == {"q1": 2, "q2": 0, "q3": 0}


@pytest.mark.parametrize("sid, status", [
    ("corrupt", "corrupt notebook (invalid JSON"),
    ("not_a_notebook", "not a notebook (not JSON)"),
    ("picture", "not a notebook (binary file)"),
    ("json_not_notebook", "not a notebook (JSON without a list of cells)"),
    ("empty_notebook", "empty notebook (no code)"),
    ("empty_file", "empty file"),
    ("frank", "corrupt zip file"),
])
def test_unreadable_files_get_a_row_with_a_clear_status(batch, sid, status):
    r = row(batch, sid)
    assert r.status.startswith(status) and r.total == 0 and r.scores == {"q1": 0, "q2": 0, "q3": 0}
    assert status in feedback(batch, sid)


def test_renamed_file_and_otter_export_zip(batch):
    assert row(batch, "dave final (1)").total == 8
    erin = row(batch, "erin")  # otter's export timestamp and the module id are stripped from the id
    assert erin.total == 8 and "graded 99_toy.ipynb from the zip file" in erin.status


def test_every_file_has_a_row_and_no_submission_was_modified(batch):
    assert len(batch["rows"]) == len(batch["before"])
    assert batch["before"] == batch["after"]
    with open(batch["out"], newline="") as f:
        assert len(list(csv.reader(f))) == len(batch["before"]) + 1


# ---------------------------------------------------------------- resource abuse

def test_megabytes_of_output_are_truncated(batch):
    r = row(batch, "chatty")
    assert r.total == 8 and "printed 2.9 MB (truncated)" in r.status


def test_endless_output_stops_the_run(batch):
    r = row(batch, "flood")
    assert r.status.startswith(f"too much output: over {LIMITS.output_mb:g} MB") and r.total == 0


def test_memory_hog(batch):
    r = row(batch, "memory_hog")
    assert r.total == 8 and "MemoryError" in r.status


def test_fork_bomb_is_bounded(batch):
    r = row(batch, "fork_bomb")
    assert r.total == 8  # and the forked copy of the runner (last cell) did not report twice
    if SANDBOX.procs_mode() == "none":
        pytest.skip("this machine cannot limit the process count (root without a pids cgroup)")
    assert "BlockingIOError" in r.status or "PermissionError" in r.status


# ---------------------------------------------------------------- attacks on the grading

def test_student_code_cannot_read_other_submissions_hidden_tests_or_the_master(batch):
    r = row(batch, "snoop")
    assert r.total == 8
    if not SANDBOX.namespaces:
        pytest.skip("no user namespaces here: the grader says so and cannot hide paths")
    assert "NOTHING LEAKED" in feedback(batch, "snoop"), feedback(batch, "snoop")


def test_a_submission_cannot_tamper_with_the_grading_of_later_ones(batch):
    assert row(batch, "aaa_tamper").total == 8 and row(batch, "zzz_after_tamper").total == 8
    if not SANDBOX.namespaces:
        pytest.skip("no user namespaces here: the grader's files are writable by student code")
    assert "could not tamper: OSError, OSError" in feedback(batch, "aaa_tamper")


@pytest.mark.parametrize("sid", ["otter_patch", "forger", "printer", "rewriter"])
def test_forging_a_result_earns_nothing(batch, sid):
    assert row(batch, sid).total == 0


def test_importing_the_reference_solution_earns_nothing_and_says_why(batch):
    r = row(batch, "importer")
    assert r.total == 0 and "uses tinytorch.core.toy, the reference code of the module being graded" in r.status
    assert "is not available while grading 99_toy" in feedback(batch, "importer")


def test_batch_log_says_what_is_enforced(batch):
    assert "reference probes ready" in batch["log"] and f"wall clock {LIMITS.timeout:g} s per submission" in batch["log"]
    assert ("isolation: user, mount, pid and network namespaces" in batch["log"]) == SANDBOX.namespaces


# ---------------------------------------------------------------- nothing lost: atomic, resumable, reproducible

def test_rerun_resumes_regrades_and_reproduces(toy, tmp_path):
    student, _ = toy
    subs = tmp_path / "subs"
    subs.mkdir()
    for name, nb in {"a": _edit(student), "b": student,
                     "c": _edit(student, {"def double(": "def double(x):\n    return x + x + np.random.rand() * 0"})}.items():
        (subs / f"{name}.ipynb").write_bytes(_json(nb))

    def run(out, **kw):
        log = tmp_path / "log.txt"
        with open(log, "w") as f:
            Grader(str(FIXTURE), subs, out, workers=2, limits=LIMITS, log=f, **kw).run()
        return log.read_text()

    first, second = tmp_path / "one" / "g.csv", tmp_path / "two" / "g.csv"
    run(first)
    run(second)
    assert first.read_bytes() == second.read_bytes()  # deterministic
    assert sorted(p.name for p in first.parent.iterdir()) == ["g-feedback", "g.csv"]  # no temp files left
    assert "0 to grade, 3 unchanged" in run(first)  # resumed
    (subs / "b.ipynb").write_bytes(_json(_edit(student)))
    assert "1 to grade, 2 unchanged" in run(first)  # only the changed submission
    assert "3 to grade, 0 unchanged" in run(first, regrade=True)
    rows = list(csv.DictReader(open(first)))
    assert [(r["id"], r["total"]) for r in rows] == [("a", "8"), ("b", "8"), ("c", "8")]


def test_an_unrelated_csv_is_never_overwritten(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    out = tmp_path / "marks.csv"
    out.write_text("name,mark\nalice,12\n")
    with pytest.raises(GradeError, match="is not this module's gradebook"):
        Grader(str(FIXTURE), subs, out, log=open(os.devnull, "w")).run()
    assert out.read_text() == "name,mark\nalice,12\n"


def test_csv_is_replaced_atomically(tmp_path, monkeypatch):
    out = tmp_path / "g.csv"
    out.write_text("old gradebook\n")

    def fail(src, dst):
        raise OSError("disk full")
    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        gradebook.write_atomic(out, "new gradebook\n")
    assert out.read_text() == "old gradebook\n"


# ---------------------------------------------------------------- points and student-facing checks

def test_points_and_hidden_flags_agree_with_otter(toy):
    pytest.importorskip("otter")
    from otter.test_files.ok_test import OKTestFile
    _, zip_path = toy
    ours = reference.parse_master(FIXTURE)
    with zipfile.ZipFile(zip_path) as z:
        for q in ours.questions:
            spec = {}
            exec(z.read(f"tests/{q.name}.py").decode(), spec)
            theirs = OKTestFile.from_spec(spec["test"]).test_cases
            assert [(c.hidden, pytest.approx(c.points)) for c in q.cases] == [(t.hidden, t.points) for t in theirs]


def test_student_check_says_how_many_hidden_tests_were_not_run(toy):
    pytest.importorskip("otter")
    from otter.test_files.ok_test import OKTestFile
    student, _ = toy
    tests = student["metadata"]["otter"]["tests"]
    expected = {"q1": "1 hidden test was not run here", "q2": "2 hidden tests were not run here",
                "q3": "2 hidden tests were not run here"}
    env = {}
    exec("import numpy as np\nfrom tinytorch import Tensor\n" + "\n".join(SOLUTIONS.values()), env)
    for name, text in expected.items():
        check = OKTestFile.from_spec(tests[name])
        check.run(env)
        assert check.passed_all and "All test cases passed!" in check.summary() and text in check.summary()


# ---------------------------------------------------------------- probes judge like the asserts do

def _record(code, env, probes=None):
    """(case, event) of one test case run in `env`, as the child reports it."""
    rewritten, sites = probe.instrument(code)
    case = reference.Case("q1", 0, False, 1.0, code, rewritten, sites)
    probes = [] if probes is None else probes
    try:
        exec(rewritten, dict(env, **probe_functions(probes)))
        error = None
    except Exception as e:
        error = {"type": type(e).__name__, "message": str(e)}
    return case, {"ev": "case", "key": case.key, "error": error, "probes": probes}


def _judge(code, student_env, reference_env):
    case, ref = _record(code, reference_env)
    assert ref["error"] is None, ref["error"]
    _, event = _record(code, student_env)
    return judge.judge(case, {"probes": ref["probes"]}, event).passed


def probe_functions(probes):
    import importlib.util
    import numpy
    spec = importlib.util.spec_from_file_location("_runner", sandbox.RUNNER)
    runner = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(runner)
    runner.np = numpy
    return runner.probes_for(probes)


ERRORS = """errors = []
for left, right in [((2, 3), (4,)), ((3,), (4,))]:
    try:
        f(left, right)
        errors.append(None)
    except ValueError as e:
        errors.append(str(e))
assert all(errors), "both should raise"
"""


def test_probes_accept_what_the_assert_accepts():
    import numpy as np
    # a message that differs from the reference's but contains what the test looks for
    assert _judge('assert "(2, 3)" in error', {"error": "shapes (2, 3) and (4,) differ"},
                  {"error": "cannot broadcast (2, 3) with (4,)"})
    # float32 compared with a Python float, as NumPy compares them
    assert _judge("assert x == 0.1", {"x": np.float32(0.1)}, {"x": np.float32(0.1)})
    # a subclass of the exception the test expects
    student, ref = {}, {}
    exec("class ShapeError(ValueError): pass\ndef f(): raise ShapeError('bad')", student)
    exec("def f(): raise ValueError('bad')", ref)
    assert _judge("try:\n    f()\n    ok = False\nexcept ValueError:\n    ok = True\nassert ok", student, ref)
    # numbers close to the reference's, within the test's own tolerance
    assert _judge("assert np.allclose(y, [1.0, 2.0])", {"np": np, "y": np.array([1.0, 2.0 + 1e-9])},
                  {"np": np, "y": np.array([1.0, 2.0])})


def _raises(message):
    def f(*args):
        raise ValueError(message)
    return f


def test_a_case_checks_only_what_its_asserts_check():
    """Issue 13: a correct submission lost a hidden case that asserts only `all(errors)` because its
    error messages were worded differently, and one that asserts only `np.shares_memory` because
    other values it read differed from the reference's."""
    import numpy as np
    assert _judge(ERRORS, {"f": _raises("my own wording")}, {"f": _raises("the reference's wording")})
    assert not _judge(ERRORS, {"f": lambda *a: None}, {"f": _raises("the reference's wording")})
    base_s, base_r = np.arange(6), np.arange(6.0, dtype=np.float32)
    assert _judge("assert np.shares_memory(v, base)", {"np": np, "v": base_s[:3], "base": base_s},
                  {"np": np, "v": base_r.reshape(2, 3), "base": base_r})
    # both sides computed by the submission (a valid order other than the reference's)
    order = "position = {t: i for i, t in enumerate(order)}\nassert all(position[a] < position[b] for a, b in edges)"
    assert _judge(order, {"order": ["x", "y", "z"], "edges": [("x", "z"), ("y", "z")]},
                  {"order": ["y", "x", "z"], "edges": [("x", "z"), ("y", "z")]})
    # a branch of `or` the reference did not need, an exception the reference did not raise
    assert _judge("assert x > 5 or y > 5", {"np": np, "x": 0, "y": 9}, {"np": np, "x": 9, "y": 0})
    catch = "try:\n    f()\n    e = None\nexcept (IndexError, ValueError) as exc:\n    e = exc\nassert e is not None"
    assert _judge(catch, {"f": _raises("a")}, {"f": lambda: [][1]})


def test_probes_reject_what_the_assert_rejects_or_cannot_show():
    import numpy as np
    assert not _judge("assert t.shape == (2, 3)", {"t": np.zeros((3, 2))}, {"t": np.zeros((2, 3))})
    assert not _judge("assert f(3) == 6", {"f": lambda x: 7}, {"f": lambda x: 2 * x})
    assert not _judge("assert y.dtype == np.float32", {"np": np, "y": np.zeros(2)},
                      {"np": np, "y": np.zeros(2, np.float32)})


def _forge(code, env, edit):
    """The judge's verdict on a record that was faked after an honest run (`edit` changes it)."""
    case, ref = _record(code, env)
    probes = [[site, edit(case.sites[site], entry)] for site, entry in ref["probes"]]
    return judge.judge(case, {"probes": ref["probes"]}, dict(ref, probes=[p for p in probes if p[1] is not None]))


def test_a_faked_recording_fails():
    import numpy as np
    t = ["b", True]
    env = {"np": np, "f": lambda x: 2 * x}
    code = "assert f(3) == 6\nassert np.allclose(f(np.ones(2)), [2.0, 2.0])"
    assert _forge(code, env, lambda site, e: e).passed  # the honest record
    everything_true = {"compare": {"o": [t, t], "r": [t]}, "call": {"a": [t, t], "k": {}, "r": t}}
    result = _forge(code, env, lambda site, e: everything_true.get(site["kind"], t))
    assert not result.passed and "could not confirm" in result.reason
    # operands that do not give the recorded result; a required assert left out of the record
    assert not _forge(code, env, lambda s, e: dict(e, o=[["i", 5], ["i", 6]]) if s["kind"] == "compare" else e).passed
    assert not _forge(code, env, lambda s, e: None if s["kind"] == "check" else e).passed
    # an object whose __eq__ says yes to everything: recorded honestly, it still decides nothing
    magic = {"np": np, "f": lambda x: type("Anything", (), {"__eq__": lambda s, o: True})()}
    case, event = _record("assert f(3) == 6", magic)
    assert event["error"] is None and not judge.judge(case, {"probes": []}, event).passed


def test_hidden_failures_give_a_reason_that_reveals_nothing(batch):
    text = feedback(batch, "partial")
    hidden = [line for line in text.splitlines() if line.startswith("- hidden test") and "failed" in line]
    assert hidden and all("failed — " in line for line in hidden), text
    assert all(secret not in text for secret in ("-1.5", "-3.0", "float32", "sum to 1")), text
    assert "hidden test 1 failed — an assertion failed" in text


# ---------------------------------------------------------------- the real modules

MODULES = [m.id for m in course.modules() if m.exists and m.student.exists()]
@pytest.mark.parametrize("mid", MODULES)
def test_real_module_end_to_end(mid, tmp_path):
    m = course.module(mid)
    master_nb = master.read(m.master)
    student = json.loads(m.student.read_text())
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "complete.ipynb").write_bytes(_json(nbtools.filled(master_nb, mid)))
    # the same solutions with every error message cut down to what the student notebook states
    stated = nbtools.stated_only(nbtools.filled(master_nb, mid), nbtools.stated_text(student))
    (subs / "stated.ipynb").write_bytes(_json(stated))
    (subs / "unfilled.ipynb").write_bytes(_json(student))
    targets = sorted(collect_exports(master_nb))
    importer = copy.deepcopy(student)  # the package's code in place of the student's, before every check
    imports = "".join(f"from tinytorch.{t} import *\n" for t in targets)
    importer["cells"] = [c2 for c in importer["cells"]
                         for c2 in ([_cell(imports)] if "grader.check(" in master.source(c) else []) + [c]]
    (subs / "importer.ipynb").write_bytes(_json(importer))
    rows = Grader(mid, subs, tmp_path / "g.csv", workers=2, limits=Limits(timeout=120),
                  log=open(os.devnull, "w")).run()
    possible = reference.parse_master(m.master).possible
    assert rows["complete"].total == pytest.approx(possible), rows["complete"].status
    # issue 13: a hidden case grades no wording the notebook does not state
    assert rows["stated"].total == pytest.approx(possible), (tmp_path / "g-feedback" / "stated.md").read_text()
    assert rows["complete"].status == "graded"
    assert rows["unfilled"].total == 0 and rows["importer"].total == 0


# ---------------------------------------------------------------- the Otter autograder zip (Gradescope, otter run)

def test_autograder_zip_installs_a_grading_tinytorch_and_grades_with_otter_run(toy, tmp_path):
    """What Gradescope does with the zip: create environment.yml's environment (its pip list must be
    pinned, and any local path must be a file of the zip unpacked at /autograder/source), then run
    the submission. Here: the wheel is installed offline into a folder put first on PYTHONPATH, and
    `otter run` grades a correct and an unfilled submission against it."""
    import subprocess
    import sys
    import yaml
    student, zip_path = toy
    source = tmp_path / "source"
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(source)
        names = set(z.namelist())
    env = yaml.safe_load((source / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    local = [p for p in pip if p.startswith("/")]
    assert all("==" in p for p in pip if p not in local), pip
    assert [p for p in pip if p.startswith("numpy==")] == [l.strip() for l in
                                                            (course.ROOT / "requirements.txt").read_text().splitlines()
                                                            if l.startswith("numpy==")]
    assert len(local) == 1 and local[0].startswith(student_files.GRADESCOPE_SOURCE + "/files/tinytorch-")
    assert local[0][len(student_files.GRADESCOPE_SOURCE) + 1:] in names

    site = tmp_path / "site"
    wheel = source / local[0][len(student_files.GRADESCOPE_SOURCE) + 1:]
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                    "--target", str(site), str(wheel)], check=True)
    env = {**os.environ, "PYTHONPATH": str(site)}
    probe_code = ("import tinytorch, tinytorch.core.toy as toy\n"
                  "print(tinytorch.__file__)\n"
                  "print(tinytorch.Tensor([1.0, 2.0]).sum().item())\n"  # earlier modules: reference code
                  "try:\n    toy.double(2)\nexcept NotImplementedError as e:\n    print('skeleton:', e)\n")
    out = subprocess.run([sys.executable, "-c", probe_code], env=env, cwd=tmp_path,
                         capture_output=True, text=True, check=True).stdout.splitlines()
    assert out[0].startswith(str(site)) and float(out[1]) == 3.0
    assert out[2].startswith("skeleton:") and UNAVAILABLE in out[2]

    scores = {}
    for name, nb in (("solved", _edit(student)), ("unfilled", student)):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "99_toy.ipynb").write_bytes(_json(nb))
        subprocess.run([sys.executable, "-m", "otter", "run", "-a", str(zip_path), "-o", str(folder),
                        str(folder / "99_toy.ipynb")], env=env, cwd=folder, capture_output=True, check=True,
                       timeout=300)
        results = json.loads((folder / "results.json").read_text())
        scores[name] = sum(t.get("score", 0) for t in results["tests"])
    assert scores == {"solved": 8, "unfilled": 0}
