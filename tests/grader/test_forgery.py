"""Issue 15: grading that cannot be forged. Each attack is a submission of the toy fixture module
that knows nothing of the answers (or, for the fake results, copies an honest run's); each must
earn exactly what its own code earns: the unfilled notebook's 0.

  rewrite   patches json, marshal, builtins and the runner's own functions during its cells so that
            every test compares its expected value with itself
  events    writes `case` events (copied from an honest run) to every open file descriptor
  leak      student code called by a hidden case tries to carry the case's content into the feedback
  reader    a cell (or code a public case calls) swaps the grader's input (any pipe or socket it
            can find) for a pipe it feeds and leaves a thread reading the real one, to take the
            tests and keys and sign copies of an honest run's results
  signal    student code called by a test installs a signal handler and a timer: the handler is
            handed the interrupted frame, walks up to the test machinery's and signs copies of an
            honest run's results with the phase's key it finds there
  fake      a cell imitates the runner: reports every cell and the end of the cells itself, reads
            the tests the grader then sends off the grader's input and signs copies of an honest
            run's results with their keys
"""
import json
import os

import pytest

from autograder.grading import judge, reference
from autograder.grading.batch import Grader
from tests.grader.test_grader import FIXTURE, LIMITS, _edit, _json, toy  # noqa: F401 (toy is a fixture)

REWRITE = r'''
import ast, builtins, gc, json, marshal, types

def forge(src):
    """Every comparison and np.allclose of a rewritten test compares the test's own value with itself."""
    try:
        tree = ast.parse(src)
    except Exception:
        return src
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "__tt_cmp__" and len(node.args) >= 4:
                node.args[2:] = [node.args[-1]] * (len(node.args) - 2)
            elif node.func.id == "__tt_call__" and isinstance(node.args[2], ast.List) and len(node.args[2].elts) > 1:
                node.args[2].elts[0] = node.args[2].elts[1]
    return ast.unparse(tree)

_loads, _mloads, _compile = json.loads, marshal.loads, builtins.compile

def loads(s, *a, **k):
    obj = _loads(s, *a, **k)
    if isinstance(obj, dict) and isinstance(obj.get("cases"), list):
        for case in obj["cases"]:
            case["code"] = forge(case["code"])
    return obj

def mloads(data):
    obj = _mloads(data)
    if isinstance(obj, tuple) and len(obj) == 2 and isinstance(obj[1], list):
        return obj[0], [[k, forge(src)] for k, src in obj[1]]
    return obj

def compile_(src, filename, *a, **k):
    return _compile(forge(src) if isinstance(src, str) and filename == "<test>" else src, filename, *a, **k)

json.loads, marshal.loads, builtins.compile = loads, mloads, compile_
patched = 0
for obj in gc.get_objects():
    if isinstance(obj, types.FunctionType) and obj.__code__.co_filename.endswith(("runner.py", "tester.py")):
        obj.__globals__.update(json=types.SimpleNamespace(loads=loads, dumps=json.dumps), compile=compile_,
                               marshal=types.SimpleNamespace(loads=mloads, dumps=marshal.dumps))
        patched += 1
print("patched", patched, "functions of the grader")
'''

EVENTS = r'''
import os
lines = {lines!r}
written = 0
for fd in range(3, 256):
    try:
        os.write(fd, lines)
        written += 1
    except OSError:
        pass
print("wrote fake results to", written, "file descriptors")
'''

LEAK = r'''
import sys
seen = []

def _steal(frame):
    while frame is not None:
        seen.extend(repr(c) for c in frame.f_code.co_consts if isinstance(c, (str, float)))
        frame = frame.f_back

def double(x):  # called by q1's hidden case too: keep its argument and whatever constants can be reached
    seen.append(repr(x))
    for get in (lambda: sys._getframe(1), lambda: sys.exc_info()[2]):
        try:
            _steal(get())
        except Exception:
            pass
    name = "LEAK_" + "_".join(s.replace("-", "m").replace(".", "_") for s in seen)
    raise type(name[:55], (Exception,), {})("LEAK " + " | ".join(seen))

def normalize(v):
    raise AssertionError("LEAK " + " | ".join(seen))
'''

SIGNAL = r'''
import hmac, marshal, os, signal
honest = {probes!r}
signed = set()

def _forge(signum, frame):
    while frame is not None:
        found = frame.f_locals
        if isinstance(found.get("key"), bytes) and isinstance(found.get("result_fd"), int) and found["key"] not in signed:
            signed.add(found["key"])
            for case_key, _ in found.get("cases", ()):
                data = marshal.dumps({{"ev": "case", "key": case_key, "error": None, "probes": honest[case_key]}})
                mac = hmac.digest(found["key"], data, "sha256").hex()
                os.write(found["result_fd"], ('{{"ev": "signed", "mac": "%s", "data": "%s"}}\n' % (mac, data.hex())).encode())
        frame = frame.f_back

def double(x):  # called by q1's first test: wait there for the handler (or give up if it cannot be installed)
    try:
        for number, timer in ((signal.SIGALRM, signal.ITIMER_REAL), (signal.SIGVTALRM, signal.ITIMER_VIRTUAL)):
            signal.signal(number, _forge)
            signal.setitimer(timer, 0.001, 0.001)
    except Exception as exc:
        print("no handler:", exc)
        return None
    while not signed:
        pass
    return None
'''

READ = '''def _read(fd, n):
    data = b""
    while len(data) < n:
        chunk = os.read(fd, n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data
'''  # the attacks' own helper: read exactly n bytes

READER = r'''
import fcntl, hmac, marshal, os, stat, threading
honest = {probes!r}

def _pipe(fd, mode):
    try:
        return stat.S_ISFIFO(os.fstat(fd).st_mode) and fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == mode
    except OSError:
        return False

def _arm():
    global results, real, feed
    results = [fd for fd in range(3, 64) if _pipe(fd, os.O_WRONLY)]
    tests = [fd for fd in range(3, 64) if _pipe(fd, os.O_RDONLY) or _socket(fd)]  # the grader's input
    real = os.dup(tests[0]) if tests else None
    mine, feed = os.pipe()
    if tests:
        os.dup2(mine, tests[0])  # the test machinery now reads what this code feeds it
    threading.Thread(target=_steal, daemon=True).start()  # (with nothing to read, it waits for ever)

def _socket(fd):
    try:
        return stat.S_ISSOCK(os.fstat(fd).st_mode)
    except OSError:
        return False

{read}
def _steal():
    if real is None:
        threading.Event().wait()
    for phase in (0, 1):
        key, cases = marshal.loads(_read(real, int.from_bytes(_read(real, 8), "big")))
        decoy = marshal.dumps((b"x" * 32, []))
        os.write(feed, len(decoy).to_bytes(8, "big") + decoy)
        events = [{{"ev": "case", "key": k, "error": None, "probes": honest[k]}} for k, _ in cases]
        for event in events + [{{"ev": "done", "phase": phase}}]:
            blob = marshal.dumps(event)
            line = '{{"ev": "signed", "mac": "%s", "data": "%s"}}\n' % (hmac.digest(key, blob, "sha256").hex(), blob.hex())
            for target in results:
                try:
                    os.write(target, line.encode())
                except OSError:
                    pass

{start}
'''

FAKE = r'''
import fcntl, glob, hmac, marshal, os, stat
honest = {probes!r}

def _kind(fd):
    try:
        mode, access = os.fstat(fd).st_mode, fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE
    except OSError:
        return None
    if stat.S_ISFIFO(mode) and access == os.O_WRONLY:
        return "out"
    if (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)) and access != os.O_WRONLY:
        return "in"

{read}
def _sign(key, event):
    blob = marshal.dumps(event)
    line = '{{"ev": "signed", "mac": "%s", "data": "%s"}}\n' % (hmac.digest(key, blob, "sha256").hex(), blob.hex())
    for fd in outs:
        os.write(fd, line.encode())

outs = [fd for fd in range(3, 64) if _kind(fd) == "out"]   # the result channel
ins = [fd for fd in range(3, 64) if _kind(fd) == "in"]     # the grader's input, if it can be found ...
for path in glob.glob("/proc/self/task/*/fd/*"):  # ... or reopened from another thread's descriptors
    try:
        if stat.S_ISSOCK(os.stat(path).st_mode):
            ins.append(os.open(path, os.O_RDONLY))
    except OSError:  # a socket cannot be opened through /proc (ENXIO); without /proc, nothing
        pass
# what the runner writes once the notebook's cells ran: every cell's report, then the end of the cells
fake = "".join('{{"ev": "cell", "cell": %d, "error": null, "seconds": 0.1}}\n' % i for i in range(100))
for fd in outs:
    os.write(fd, (fake + '{{"ev": "ready"}}\n').encode())
phase = 0
for fd in ins[:1]:
    while phase < 2:  # one frame for both phases, or one per phase (each sent once the last one is done)
        frame = marshal.loads(_read(fd, int.from_bytes(_read(fd, 8), "big")))
        for key, cases in (frame if isinstance(frame, list) else [frame]):
            for case_key, _ in cases:
                _sign(key, {{"ev": "case", "key": case_key, "error": None, "probes": honest[case_key]}})
            _sign(key, {{"ev": "done", "phase": phase}})
            phase += 1
print("inputs", ins, "phases forged", phase)
'''

HIDDEN_SECRETS = ("-1.5", "m1_5", "-3.0", "m3_0")  # q1's hidden case: double(-1.5) == -3.0


def _honest_events(student, tmp_path):
    """The result lines an honest, correct run produces (what the `events` attack copies)."""
    subs = tmp_path / "honest"
    subs.mkdir()
    (subs / "correct.ipynb").write_bytes(_json(_edit(student)))
    grader = Grader(str(FIXTURE), subs, tmp_path / "honest.csv", workers=1, limits=LIMITS,
                    log=open(os.devnull, "w"))
    grader.run()
    lines = [json.dumps({"ev": "case", "key": key, "error": None, "probes": case["probes"]})
             for key, case in grader.ref.items()]
    return ("\n".join(lines) + '\n{"ev": "done"}\n').encode(), {key: case["probes"] for key, case in grader.ref.items()}


@pytest.fixture(scope="module")
def forged(toy, tmp_path_factory):  # noqa: F811
    student, _ = toy
    root = tmp_path_factory.mktemp("forgery")
    subs = root / "subs"
    subs.mkdir()
    lines, probes = _honest_events(student, root)
    files = {
        "rewrite": _edit(student, solved=False, after={"def scale(": [REWRITE]}),
        "events": _edit(student, solved=False, after={"def scale(": [
            EVENTS.format(lines=lines)]}),
        "reader": _edit(student, solved=False, after={"def scale(": [READER.format(probes=probes, read=READ, start="_arm()")]}),
        "reader_hidden": _edit(student, solved=False, after={"def scale(": [READER.format(probes=probes, read=READ, start=(
            "def double(x):  # q1's first public test starts the thread\n"
            "    if 'real' not in globals():\n        _arm()\n    return 2 * x"))]}),
        "signal": _edit(student, {"def double(": SIGNAL.format(probes=probes)}, solved=False),
        "fake": _edit(student, solved=False, after={"def scale(": [FAKE.format(probes=probes, read=READ)]}),
        "leak": _edit(student, {"def double(": LEAK, "def normalize(": "pass"}),
        "unfilled": student,
        "exits": _edit(student, {"def double(": "def double(x):\n    import os\n    if isinstance(x, float) and x == -1.5:\n"
                                                "        os._exit(42)\n    return 2 * x"}),
        "slow": _edit(student, {"def normalize(": "def normalize(v):\n    while True:\n        pass"}),
    }
    for name, nb in files.items():
        (subs / f"{name}.ipynb").write_bytes(_json(nb))
    out = root / "g.csv"
    rows = Grader(str(FIXTURE), subs, out, workers=2, limits=LIMITS, log=open(os.devnull, "w")).run()
    return rows, root / "g-feedback"


def test_rewriting_the_tests_from_inside_the_notebook_earns_nothing(forged):
    rows, feedback = forged
    assert rows["unfilled"].total == 0
    assert rows["rewrite"].total == 0, (feedback / "rewrite.md").read_text()


def test_fake_results_on_every_descriptor_are_ignored_and_reported(forged):
    rows, feedback = forged
    r = rows["events"]
    assert r.total == 0, (feedback / "events.md").read_text()
    assert "forged or garbled lines on the result channel were ignored" in r.status


def test_threads_left_reading_the_graders_input_cannot_take_a_phase(forged):
    """No phase runs while a thread the notebook started still runs (and the notebook's code has no
    descriptor of the grader's input to give it: see the `fake` attack)."""
    rows, feedback = forged
    r = rows["reader"]
    assert r.total == 0, (feedback / "reader.md").read_text()
    assert r.status.startswith("graded; the tests were not run: code of the notebook was still running"), r.status
    r = rows["reader_hidden"]  # started by a public case, waiting for the hidden phase
    assert r.status.startswith("graded; the hidden tests were not run: code of the notebook was still"), r.status
    assert r.scores == {"q1": round(4 / 3, 6), "q2": 0, "q3": 0}, (feedback / "reader_hidden.md").read_text()


def test_a_notebook_imitating_the_end_of_the_cells_cannot_read_the_tests(forged):
    """The grader sends the tests when told the cells ran; only the runner's keeper thread, which
    holds the grader's input in a file table of its own, can read them."""
    rows, feedback = forged
    r = rows["fake"]
    assert r.total == 0, (feedback / "fake.md").read_text()
    assert r.status.startswith("graded;") and "forged or garbled lines" in r.status, r.status


def test_a_signal_handler_cannot_sign_results_with_the_key_of_the_running_phase(forged):
    """Signal handlers run in the main thread and receive its frame; the tests run in other threads."""
    rows, feedback = forged
    r = rows["signal"]
    assert r.total == 0, (feedback / "signal.md").read_text()
    assert "forged" not in r.status and r.status.startswith("graded"), r.status


def test_a_test_case_past_its_time_limit_is_reported_and_ends_its_phase(forged):
    """The per-case limit holds without an alarm signal: the case is reported as timed out, the
    rest of its phase is not run, nor the hidden phase while that code still runs."""
    rows, feedback = forged
    r, text = rows["slow"], (feedback / "slow.md").read_text()
    assert r.status.startswith("graded; the hidden tests were not run: code of the notebook was still running")
    assert r.scores == {"q1": round(4 / 3, 6), "q2": 0, "q3": 0}, text  # q1's public cases ran before the time-out
    assert "public test 1 failed — Timeout: stopped after" in text and judge.NOT_RUN in text, text


def test_a_crash_during_the_hidden_tests_shows_no_exit_status(forged):
    """The code a hidden case calls could otherwise choose the exit status to carry what it saw."""
    rows, _ = forged
    r = rows["exits"]
    assert r.status == "crashed during the hidden tests", r.status
    assert r.scores == {"q1": round(4 / 3, 6), "q2": 1, "q3": 0.5}  # the public cases still count


def test_nothing_of_a_hidden_case_reaches_the_feedback(forged):
    rows, feedback = forged
    text = (feedback / "leak.md").read_text()
    assert "LEAK" in text  # the public failures do carry the notebook's message
    assert rows["leak"].scores["q3"] == 3  # the rest of the notebook is graded as usual
    assert not [s for s in HIDDEN_SECRETS if s in text], text


def test_reference_messages_split_public_and_hidden_cases():
    """The grader sends public cases first and hidden ones only after the public results are in."""
    tests = json.loads(reference.tests_message(reference.parse_master(FIXTURE)))["cases"]
    hidden = [c["hidden"] for c in tests]
    assert hidden == sorted(hidden) and any(hidden) and not all(hidden)


def test_the_channel_takes_only_authenticated_results_after_every_cell_reported():
    import hmac
    import marshal
    from autograder.grading.channel import Phases
    tests = json.dumps({"cases": [{"key": "q1/0", "code": "pass", "hidden": False},
                                  {"key": "q1/1", "code": "pass", "hidden": True}]}).encode()
    phases = Phases(tests, [[1, "x = 1"], [2, "y = 2"]])
    assert phases.accept({"ev": "cell", "cell": 1}) is not None
    assert phases.accept({"ev": "ready"}) is None  # cell 2 never reported: a notebook's own "ready"
    phases.accept({"ev": "cell", "cell": 2})
    ready = phases.accept({"ev": "ready"})
    frame = phases.next_frame(ready)
    (key, cases), (hidden_key, hidden) = marshal.loads(frame[8:])
    assert cases == [["q1/0", "pass"]] and hidden == [["q1/1", "pass"]] and key != hidden_key
    assert phases.accept({"ev": "ready"}) is None and phases.next_frame(ready) is None  # sent once

    def signed(k, event):
        data = marshal.dumps(event)
        return {"ev": "signed", "mac": hmac.digest(k, data, "sha256").hex(), "data": data.hex()}
    case = {"ev": "case", "key": "q1/0", "error": None, "probes": []}
    assert phases.accept(dict(case)) is None  # unsigned
    assert phases.accept(signed(b"guess" * 7, case)) is None  # another key
    assert phases.accept(signed(key, dict(case, key="q1/1"))) is None  # a hidden case under the public key
    assert phases.accept(signed(key, case)) == case
    assert phases.accept(signed(key, {"ev": "done", "phase": 0})) == {"ev": "phase-done", "phase": 0}
    assert phases.accept(signed(hidden_key, dict(case, key="q1/1"))) == dict(case, key="q1/1")
