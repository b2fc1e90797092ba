"""The reference side of grading: a master's autograded questions and test cases, the support
folder a submission runs with (the child's files and the tinytorch it may import), and the
reference probes (every case run on the master, cached per module).

The reference run executes only the master (trusted code) in the same sandbox a submission gets,
with the same seeds and the same package, so the two runs differ only in the notebook's code.
"""
import hashlib
import json
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..course import master
from ..course.package import write_grading_package
from . import probe
from .sandbox import CHILD_FILES


class ReferenceError(Exception):
    """The master cannot serve as a reference (unparsable, or its own tests fail)."""


@dataclass
class Case:
    question: str
    index: int          # position in the question (0-based)
    hidden: bool
    points: float
    code: str           # the test case as the master has it
    rewritten: str = ""  # with probes (probe.instrument)
    sites: list = field(default_factory=list)

    @property
    def key(self):
        return f"{self.question}/{self.index}"


@dataclass
class Question:
    name: str
    cases: list
    all_or_nothing: bool = False

    @property
    def possible(self):
        return round(sum(c.points for c in self.cases), 6)


@dataclass
class Assignment:
    module_id: str
    number: int
    master: Path
    questions: list     # [Question]
    cells: list         # [[cell number (1-based), source]] the reference run executes

    @property
    def cases(self):
        return [c for q in self.questions for c in q.cases]

    @property
    def possible(self):
        return round(sum(q.possible for q in self.questions), 6)


def parse_master(master_path, module_id=None, all_cells=False):
    """The Assignment of a master notebook: its autograded questions (not `manual`, with test
    cases), each case rewritten with probes, and the code cells the reference run executes (up
    to the last END QUESTION unless all_cells)."""
    master_path = Path(master_path)
    nb = master.read(master_path)
    module_id = module_id or master_path.stem
    cells, last_end = [], 0
    for cell in master.walk(nb):
        if cell.is_(master.END_QUESTION):
            last_end = len(cells)
        elif cell.type == "code" and cell.region != "tests" and not master.is_figure(cell.data):
            cells.append([cell.number, cell.source])
    questions = []
    for q in master.questions(nb, master_path.name):
        if q.cases and not q.manual:
            points = q.case_points()
            questions.append(Question(q.name, [Case(q.name, i, case.hidden, pts, case.code)
                                               for i, (case, pts) in enumerate(zip(q.cases, points))],
                                      q.all_or_nothing))
    if not questions:
        raise ReferenceError(f"{master_path.name} has no autograded questions")
    for case in (c for q in questions for c in q.cases):
        try:
            case.rewritten, case.sites = probe.instrument(case.code)
        except SyntaxError as e:
            raise ReferenceError(f"{master_path.name}: test case {case.key} does not parse: {e}") from None
    return Assignment(module_id, master.module_number(module_id), master_path, questions,
                      cells if all_cells else cells[:last_end])


def build_support(dest, assignment):
    """Write the child's files (runner.py, lockdown.py) and the tinytorch package a submission may
    import (course/package.py) into `dest`. Returns the dotted module names of the graded
    module's files."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    for path in CHILD_FILES:
        shutil.copy(path, dest / path.name)
    return write_grading_package(dest / "tinytorch", assignment.master, assignment.module_id)


def reference_key(assignment, support, seed):
    """A hash of everything the reference probes depend on."""
    import numpy
    h = hashlib.sha256()
    for part in (Path(probe.__file__).read_bytes(), *(p.read_bytes() for p in CHILD_FILES),
                 assignment.master.read_bytes(), json.dumps(assignment.cells).encode(), tests_message(assignment),
                 f"{seed} {sys.version} {numpy.__version__}".encode()):
        h.update(hashlib.sha256(part).digest())
    for path in sorted(Path(support, "tinytorch").rglob("*.py")):
        h.update(path.relative_to(support).as_posix().encode() + hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "tinytorch-grader"


def tests_message(assignment):
    """The one line the child receives after running the notebook: every case, rewritten.

    Public cases run first, hidden ones last: student code that a hidden case calls can see that
    case's source, and nothing it learns there may reach the failure messages of public cases,
    the only messages the feedback shows."""
    in_order = sorted(assignment.cases, key=lambda c: c.hidden)  # stable: notebook order within each group
    cases = [{"key": c.key, "code": c.rewritten, "hidden": c.hidden} for c in in_order]
    return (json.dumps({"cases": cases}) + "\n").encode()


def cases_of(result):
    out = {}
    for event in result.events:
        if event.get("ev") == "case" and isinstance(event.get("key"), str) and event["key"] not in out:
            out[event["key"]] = event
    return out


def reference_probes(assignment, sandbox, job, key, use_cache=True):
    """({case key: {"probes": [...]}}, [warnings]) from a run of the master: the record each case
    leaves on the reference solution (judge.py reads the literals in it, and what a forgery of it
    would look like). A failing test case is fatal; a cell that raises is a warning (what matters
    is that every case passes)."""
    path = cache_dir() / f"{assignment.module_id}-{key[:16]}.json"
    if use_cache and path.exists():
        try:
            data = json.loads(path.read_text())
            if data.get("key") == key:
                return data["cases"], data.get("warnings", [])
        except (OSError, ValueError):
            pass
    run = sandbox.run("reference", job, tests_message(assignment))
    events = cases_of(run)
    problems, warnings = [], []
    for event in run.events:
        if event.get("ev") == "sandbox" and event.get("writable"):
            warnings.append("these mounts could not be made read-only in the sandbox: "
                            + ", ".join(map(str, event["writable"][:10])))
        if event.get("ev") == "sandbox" and event.get("input") == "shared":
            warnings.append("the tests' input could not be kept from the notebooks' code (this kernel gives a "
                            "thread no file table of its own): a notebook aimed at the grader could read the tests")
    for event in run.events:
        if event.get("ev") == "cell" and event.get("error"):
            e = event["error"]
            warnings.append(f"cell {event['cell']} of the master raised {e.get('type')}: {str(e.get('message'))[:200]}")
    cases = {}
    for case in assignment.cases:
        event = events.get(case.key)
        if event is None:
            problems.append(f"test case {case.key} did not run (killed: {run.killed}; "
                            f"stderr: {run.stderr.decode(errors='replace')[-500:]})")
        elif event.get("error"):
            e = event["error"]
            problems.append(f"test case {case.key} fails on the master: {e.get('type')}: {e.get('message')}")
        else:
            cases[case.key] = {"probes": event["probes"]}
    if problems:
        raise ReferenceError(f"the reference run of {assignment.master.name} failed:\n  "
                             + "\n  ".join((problems + warnings)[:12]))
    if use_cache:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"key": key, "cases": cases, "warnings": warnings}))
            os.chmod(tmp, 0o600)
            os.replace(tmp, path)
        except OSError as e:
            warnings.append(f"could not cache the reference probes in {path.parent} ({e.strerror})")
    return cases, warnings
