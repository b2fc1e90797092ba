"""The reference side of grading: a master's questions and test cases, the tinytorch a submission
may import, and the reference probes (every case run on the master, cached per module).

The reference run executes only the master (trusted code) in the same sandbox a submission gets,
with the same seeds and the same package, so the two runs differ only in the notebook's code.
"""
import ast
import hashlib
import json
import os
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from textwrap import dedent

import yaml

from tinytorch.export import collect_exports, render

from . import course, probe
from .build import _raw_marker, _src
from .sandbox import RUNNER

_HIDDEN = re.compile(r"\bhidden\b", re.IGNORECASE)
_BEGIN_CONFIG = re.compile(r'(?:.\s*=\s*)?""?"?\s*#\s*BEGIN\s*TEST\s*CONFIG', re.IGNORECASE)
_END_CONFIG = re.compile(r'""?"?\s*#\s*END\s*TEST\s*CONFIG', re.IGNORECASE)


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


def _config(cell):
    """The YAML under the first line of an Otter raw cell."""
    text = "\n".join(_src(cell).splitlines()[1:])
    data = yaml.safe_load(text) if text.strip() else {}
    return data if isinstance(data, dict) else {}


def _test_case(cell):
    """(code, hidden, points) of a test cell, read the way `otter assign` reads it."""
    lines = _src(cell).splitlines()
    hidden = bool(lines) and lines[0].lstrip().startswith("#") and bool(_HIDDEN.search(lines[0]))
    start = 1 if hidden else 0
    config = {}
    if lines and _BEGIN_CONFIG.match(lines[0]):
        end = next((i for i, l in enumerate(lines) if _END_CONFIG.match(l)), len(lines) - 1)
        config = yaml.safe_load("\n".join(lines[1:end])) or {}
        start = end + 1
    return dedent("\n".join(lines[start:])), bool(config.get("hidden", hidden)), config.get("points")


def resolve_points(total, case_points):
    """Points per case from the question's `points` and per-case points, as otter resolves them
    (otter.test_files.abstract_test.TestFile.resolve_test_file_points)."""
    n = len(case_points)
    if isinstance(total, dict):
        total = total.get("each", 1) * n
    if isinstance(total, list):
        if len(total) != n:
            raise ReferenceError(f"points lists {len(total)} values for {n} test cases")
        case_points, total = list(total), None
    given = sum(p for p in case_points if p is not None)
    unset = sum(p is None for p in case_points)
    if total is not None:
        if given > total:
            raise ReferenceError("more points given to test cases than the question is worth")
        each = (total - given) / unset if unset else 0.0
    elif given == 0:
        each = 1 / unset if unset else 0.0
    else:
        each = 0.0
    return [p if p is not None else each for p in case_points]


def parse_master(master_path, module_id=None, all_cells=False):
    """An Assignment from a master notebook (Otter assign format)."""
    master_path = Path(master_path)
    nb = json.loads(master_path.read_text(encoding="utf-8"))
    module_id = module_id or master_path.stem
    questions, cells = [], []
    question = config = None
    in_tests = False
    raw_cases = []
    last_end = 0
    for number, cell in enumerate(nb.get("cells", []), start=1):
        marker = _raw_marker(cell)
        if marker and marker.startswith("BEGIN QUESTION"):
            config = _config(cell)
            question, raw_cases = config.get("name"), []
            if not question:
                raise ReferenceError(f"{master_path.name}, cell {number}: a question without a name")
        elif marker and marker.startswith("BEGIN TESTS"):
            in_tests = True
        elif marker and marker.startswith("END TESTS"):
            in_tests = False
        elif marker and marker.startswith("END QUESTION"):
            if question and raw_cases and not config.get("manual"):
                points = resolve_points(config.get("points"), [p for _, _, p in raw_cases])
                questions.append(Question(question, [
                    Case(question, i, hidden, pts, code)
                    for i, ((code, hidden, _), pts) in enumerate(zip(raw_cases, points))],
                    bool(config.get("all_or_nothing", False))))
            question = None
            last_end = len(cells)
        elif cell.get("cell_type") == "code":
            if in_tests:
                raw_cases.append(_test_case(cell))
            else:
                cells.append([number, _src(cell)])
    if not questions:
        raise ReferenceError(f"{master_path.name} has no autograded questions")
    for case in (c for q in questions for c in q.cases):
        try:
            case.rewritten, case.sites = probe.instrument(case.code)
        except SyntaxError as e:
            raise ReferenceError(f"{master_path.name}: test case {case.key} does not parse: {e}") from None
    number = int(module_id.split("_", 1)[0]) if module_id.split("_", 1)[0].isdigit() else 0
    return Assignment(module_id, number, master_path, questions, cells if all_cells else cells[:last_end])


# ---------------------------------------------------------------- the package a submission sees

_BEGIN_SOLUTION = re.compile(r"^(\s*)# BEGIN SOLUTION( NO PROMPT)?\s*$")
_SOLUTION_LINE = re.compile(r"^(\s*)(.*?)\s*# ?SOLUTION\s*$")
UNAVAILABLE = "is not available while grading"


class _RaiseInEmptyFunctions(ast.NodeTransformer):
    """A function whose whole body was a solution raises a clear error instead of returning None."""

    def __init__(self, message):
        self.message = message

    def visit_FunctionDef(self, node):
        self.generic_visit(node)
        body = node.body[1:] if ast.get_docstring(node) is not None else node.body
        if body and all(isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant) and s.value.value is ...
                        for s in body):
            exc = ast.Call(ast.Name("NotImplementedError", ast.Load()), [ast.Constant(self.message)], [])
            node.body = node.body[:len(node.body) - len(body)] + [ast.Raise(exc, None)]
        return node

    visit_AsyncFunctionDef = visit_FunctionDef


def _without_solutions(code):
    """Code with its solutions removed, by the rules otter assign applies for students."""
    out, inside = [], False
    for line in code.splitlines():
        stripped = line.rstrip()
        if inside:
            inside = not stripped.endswith("# END SOLUTION")
            continue
        begin = _BEGIN_SOLUTION.match(line)
        if begin:
            inside = True
            if not begin.group(2):
                out.append(begin.group(1) + "...")
            continue
        if stripped.endswith("# SOLUTION NO PROMPT"):
            continue
        marked = _SOLUTION_LINE.match(line) if stripped.endswith("SOLUTION") else None
        if marked:  # `x = value  # SOLUTION` -> `x = ...`; any other marked line -> `...`
            indent, statement = marked.groups()
            try:
                node = ast.parse(statement).body[0]
                value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value else None
            except (SyntaxError, IndexError):
                value = None
            out.append(indent + (statement[:value.col_offset].rstrip() + " ..." if value else "..."))
        else:
            out.append(line)
    return "\n".join(out)


def render_skeleton(nb, source_name, message):
    """Like tinytorch.export.render, but of the student's skeleton: every solution removed."""
    skeleton = {"cells": [dict(c, source=_without_solutions(_src(c))) if c.get("cell_type") == "code" else c
                          for c in nb.get("cells", [])]}
    files = {}
    for target, cells in collect_exports(skeleton).items():
        text = "\n\n\n".join(code for _, code in cells) + "\n"
        try:
            text = ast.unparse(_RaiseInEmptyFunctions(message).visit(ast.parse(text))) + "\n"
        except SyntaxError:
            pass
        files[target.replace(".", "/") + ".py"] = (f"# Skeleton of {source_name} (solutions removed) for grading.\n"
                                                   + text)
    return files


def _unavailable(dotted, module_id):
    return (f"the reference code of {dotted} {UNAVAILABLE} {module_id}: "
            "your notebook must use the code it defines itself")


def build_support(dest, assignment):
    """Write the runner and the tinytorch package a submission may import into `dest`.

    The package holds the repository's hand-written files, the exports of the masters of EARLIER
    modules (reference code), and, for the module being graded and every later one, only their
    skeletons: the names exist (so `import tinytorch` works and a master may import its own
    package file, as 03_layers does), but every solution is removed and a function whose body
    was a solution raises NotImplementedError saying so. Returns the dotted module names of the
    graded module's files."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(RUNNER, dest / RUNNER.name)
    graded = json.loads(assignment.master.read_text(encoding="utf-8"))
    sources = [(m.number, m.id, json.loads(m.master.read_text(encoding="utf-8")), f"notebooks/masters/{m.id}.ipynb")
               for m in course.modules() if m.exists and m.master.resolve() != assignment.master.resolve()]
    sources.append((assignment.number, assignment.module_id, graded, assignment.master.name))
    files, own = {}, []
    for number, module_id, nb, name in sorted(sources, key=lambda s: (s[0], s[0] == assignment.number)):
        targets = sorted("tinytorch." + t for t in collect_exports(nb))
        if number < assignment.number:
            files.update(render(nb, name))
        else:
            files.update(render_skeleton(nb, name, _unavailable(", ".join(targets), assignment.module_id)))
        if nb is graded:
            own = targets
    generated = set(files)
    src = course.ROOT / "tinytorch"
    package = dest / "tinytorch"
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src).as_posix()
        if path.is_file() and "__pycache__" not in path.parts and not rel.endswith((".bak", ".pyc", ".tmp")) \
                and rel not in generated:
            (package / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, package / rel)
    for rel, text in files.items():
        (package / rel).parent.mkdir(parents=True, exist_ok=True)
        (package / rel).write_text(text, encoding="utf-8")
    return own


def reference_key(assignment, support, seed):
    """A hash of everything the reference probes depend on."""
    import numpy
    h = hashlib.sha256()
    for part in (Path(__file__).with_name("probe.py").read_bytes(), RUNNER.read_bytes(),
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
    cases = [{"key": c.key, "code": c.rewritten} for c in in_order]
    return (json.dumps({"cases": cases}) + "\n").encode()


def _cases_of(result):
    out = {}
    for event in result.events:
        if event.get("ev") == "case" and isinstance(event.get("key"), str) and event["key"] not in out:
            out[event["key"]] = event
    return out


def reference_probes(assignment, sandbox, job, key, use_cache=True):
    """({case key: {"probes": [...], "unstable": {position: True or [operand indices]}}}, [warnings])
    from two runs of the master. A failing test case is fatal; a cell that raises is a warning
    (what matters is that every case passes)."""
    path = cache_dir() / f"{assignment.module_id}-{key[:16]}.json"
    if use_cache and path.exists():
        try:
            data = json.loads(path.read_text())
            if data.get("key") == key:
                return data["cases"], data.get("warnings", [])
        except (OSError, ValueError):
            pass
    tests = tests_message(assignment)
    runs = [sandbox.run(f"reference-{i}", job, tests) for i in (1, 2)]
    first, second = (_cases_of(r) for r in runs)
    problems, warnings = [], []
    for event in runs[0].events:
        if event.get("ev") == "sandbox" and event.get("writable"):
            warnings.append("these mounts could not be made read-only in the sandbox: "
                            + ", ".join(map(str, event["writable"][:10])))
    for event in runs[0].events:
        if event.get("ev") == "cell" and event.get("error"):
            e = event["error"]
            warnings.append(f"cell {event['cell']} of the master raised {e.get('type')}: {str(e.get('message'))[:200]}")
    cases = {}
    for case in assignment.cases:
        a, b = first.get(case.key), second.get(case.key)
        if a is None or b is None:
            problems.append(f"test case {case.key} did not run (killed: {runs[0].killed or runs[1].killed}; "
                            f"stderr: {runs[0].stderr.decode(errors='replace')[-500:]})")
            continue
        if a.get("error") or b.get("error"):
            e = a.get("error") or b.get("error")
            problems.append(f"test case {case.key} fails on the master: {e.get('type')}: {e.get('message')}")
            continue
        pa, pb = a["probes"], b["probes"]
        if [p[0] for p in pa] != [p[0] for p in pb]:
            unstable = None  # the case does not even read the same things twice: compare nothing
        else:
            unstable = {}
            for i, ((site, x), (_, y)) in enumerate(zip(pa, pb)):
                kind = case.sites[site]["kind"]
                if kind in ("compare", "call"):
                    diff = [j for j, (u, v) in enumerate(zip(probe.operands(kind, x), probe.operands(kind, y)))
                            if not probe.same(u, v)]
                    if not probe.agrees(case.sites[site], y, x, diff):
                        unstable[i] = True
                    elif diff:
                        unstable[i] = diff
                elif not probe.same(y, x):
                    unstable[i] = True
        cases[case.key] = {"probes": pa, "unstable": unstable}
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
