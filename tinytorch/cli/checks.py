"""`tinytorch check 01`: run the workspace notebook headless and report each `grader.check`.

The notebook runs top to bottom in a fresh kernel (every cell, even after one raises); then one
added cell calls `grader.check` on every question the notebook has and prints the results as JSON,
which this reads back. The notebook file itself is never written."""
import json
from dataclasses import dataclass, field

from . import execute, progress, workspace
from .course import Problem

MARK = "__tinytorch_checks__"

_SUMMARY = '''import json as _tt_json
try:
    grader
except NameError:
    import otter
    grader = otter.Notebook({name!r})
try:  # the message grader.check shows first in the notebook (tinytorch/checks.py)
    from tinytorch.checks import first_failure as _tt_first
except ImportError:
    _tt_first = None
_tt_results = {{}}
for _tt_q in {questions!r}:
    try:
        _tt_r = grader.check(_tt_q)
        _tt_bad = [c for c in _tt_r.test_case_results if not c.passed and not c.test_case.hidden]
        _tt_lines = [l.strip() for l in (_tt_bad[0].message or "").splitlines() if l.strip()] if _tt_bad else []
        _tt_msg = _tt_lines[-1] if _tt_lines else ""
        if _tt_bad and _tt_first is not None:
            _tt_msg = "(%s): %s" % _tt_first(_tt_r)
        _tt_results[_tt_q] = [bool(_tt_r.passed_all), _tt_msg]
    except Exception as _tt_e:
        _tt_results[_tt_q] = [False, f"{{type(_tt_e).__name__}}: {{_tt_e}}"]
try:
    import tinytorch as _tt_pkg
    _tt_where = _tt_pkg.__file__
except Exception as _tt_e:
    _tt_where = f"not importable ({{type(_tt_e).__name__}}: {{_tt_e}})"
print({mark!r} + _tt_json.dumps({{"results": _tt_results, "tinytorch": _tt_where}}))
'''


@dataclass
class Checks:
    results: dict = field(default_factory=dict)   # {question: (passed, message)}
    errors: list = field(default_factory=list)    # one line per cell that raised
    stopped: str = ""                             # why the run stopped early
    tinytorch: str = ""                           # the tinytorch the notebook imported

    @property
    def passed(self):
        return bool(self.results) and not self.stopped and all(ok for ok, _ in self.results.values())

    def lines(self):
        out = [f"{q}: passed" if ok else f"{q}: FAILED" + ("" if not msg else f" {msg}" if msg.startswith("(case ")
                                                          else f" ({msg})")
               for q, (ok, msg) in self.results.items()]
        out += self.errors[:5] + ([f"... and {len(self.errors) - 5} more cells raised"] if len(self.errors) > 5 else [])
        if self.stopped:
            out.append(self.stopped)
        return out


def questions(path):
    """The question names of a student notebook (its otter metadata), in natural order."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    tests = nb.get("metadata", {}).get("otter", {}).get("tests", {})
    return sorted(tests, key=lambda q: (len(q), q))


def run_checks(ws, entry, timeout=120):
    """Execute the student's notebook of `entry` in the workspace and collect every check."""
    path = workspace.require_notebook(ws, entry)
    try:
        names = questions(path)
    except (OSError, ValueError) as e:
        raise Problem(f"{path} is not a readable notebook ({e})", code=1) from None
    if not names:
        raise Problem(f"{path.name} has no checks (no otter tests in its metadata): is it the course's notebook?")
    summary = _SUMMARY.format(name=path.name, questions=names, mark=MARK)
    run = execute.run(path, ws, "check", extra_cells=[summary], timeout=timeout)
    found = Checks(errors=run.errors, stopped=run.stopped)
    for line in execute.stream_text(run.nb.cells[-1]).splitlines():
        if line.startswith(MARK):
            data = json.loads(line[len(MARK):])
            found.results = {q: tuple(r) for q, r in data["results"].items()}
            found.tinytorch = data["tinytorch"]
    if not found.results and not found.stopped:
        found.stopped = "the checks did not run (the notebook's last cells failed before them)"
    return found


def command(args):
    ws = workspace.resolve(args.workspace)
    entry = args.entry
    workspace.require_notebook(ws, entry)
    print(f"checking {entry.filename} in {ws} (public checks; hidden ones run when it is graded) ...", flush=True)
    found = run_checks(ws, entry, timeout=args.timeout)
    for line in found.lines():
        print(line)
    if found.tinytorch:
        print(f"(tinytorch used: {found.tinytorch})")
    progress.record(ws, entry.id, "check", progress.code_digest(workspace.notebook(ws, entry)),
                    passed=found.passed, failed=[q for q, (ok, _) in found.results.items() if not ok])
    total, ok = len(found.results), sum(ok for ok, _ in found.results.values())
    print(f"{entry.id}: {ok}/{total} checks passed" + ("" if found.passed else "; see above what failed"))
    return 0 if found.passed else 1
