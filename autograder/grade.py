"""The batch grader: python -m autograder grade MODULE SUBMISSIONS_DIR --out GRADES.csv

Grades every submission in SUBMISSIONS_DIR (.ipynb files or Otter export .zip files; the student
id is the file name without its extension, Otter's export timestamp and the module id) against
the module's master notebook, hidden tests included, and writes

  GRADES.csv                one row per submission: id, points per question, total, percent,
                            status, sha256 of the file, reference (hash of what it was graded against)
  GRADES-feedback/ID.md     per question, which tests passed; public failures with their message,
                            hidden ones only as "hidden test N failed"

How a verdict is reached (nothing a submission does in its own process can forge it):
  1. The master runs in the sandbox (twice, to find values that are not reproducible); every test
     case, rewritten by autograder/probe.py, reports the values its asserts read ("probes").
     These reference probes are cached per module (~/.cache/tinytorch-grader).
  2. Each submission runs in its own sandbox (autograder/sandbox.py): its code cells in order
     (a cell that fails is recorded and the rest still run; cells after the last
     `grader.check` are skipped unless --all-cells), then the same rewritten test cases, which
     are sent to it only now.
  3. Here, in the grader: a case passes iff it ran without error AND every probe agrees with the
     reference's (autograder/probe.py: comparisons and np.allclose-like checks are recomputed here
     on the student's values and must be anchored by a value equal to the reference's; other
     values must equal the reference's, numbers within rtol 1e-5 / atol 1e-6). Points per case
     are otter's: a question's points spread over its cases unless set per case.

The submission sees a tinytorch package with the reference code of EARLIER modules only; the
graded module and later ones are skeletons whose exercise functions raise NotImplementedError
(autograder/reference.py, build_support). What the sandbox enforces is printed at the start.

The CSV is rewritten atomically after each submission; a rerun skips rows whose file and
reference are unchanged (--regrade to redo them) and reproduces the same rows (fixed seeds).
"""
import csv
import hashlib
import io
import json
import os
import re
import sys
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from . import course, probe, reference
from .sandbox import Limits, Sandbox

MAX_FILE = 50 << 20
OTTER_STAMP = re.compile(r"_\d{4}_\d{2}_\d{2}T\d{2}_\d{2}_\d{2}_\d{6}$")
CHECK_CALL = re.compile(r"\bgrader\.check\s*\(")
SUFFIXES = (".ipynb", ".zip", ".json")


class GradeError(Exception):
    """A problem with the command itself (unknown module, missing folder, broken reference)."""


# ---------------------------------------------------------------- submissions

@dataclass
class Submission:
    path: Path
    id: str
    sha256: str = ""
    cells: list = None        # [[cell number, source]] of the code cells, or None if unreadable
    text: str = ""            # the notebook as submitted (a copy goes into the sandbox)
    problem: str = ""         # why it could not be read
    notes: list = field(default_factory=list)


def student_id(filename, module_id):
    """The file name without its extension(s), Otter's export timestamp and the module id:
    'alice_01_tensor_2026_11_22T09_34_44_678300.zip' -> 'alice'."""
    name = filename[: -len(Path(filename).suffix)] if Path(filename).suffix else filename
    while Path(name).suffix.lower() in SUFFIXES:
        name = name[: -len(Path(name).suffix)]
    name = OTTER_STAMP.sub("", name)
    stripped = re.sub(rf"[_\-\s]*{re.escape(module_id)}$", "", name)
    return (stripped or name).strip() or filename


def _notebook_bytes(data, module_id, notes):
    """The .ipynb bytes of a submission: the file itself, or the notebook inside an Otter zip."""
    if not data.startswith(b"PK\x03\x04"):
        return data
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = [i for i in z.infolist() if i.filename.endswith(".ipynb") and not i.is_dir()
                     and "__MACOSX" not in i.filename and ".ipynb_checkpoints" not in i.filename]
            if not names:
                raise ValueError("zip file without a notebook")
            chosen = [i for i in names if Path(i.filename).name == f"{module_id}.ipynb"] or names
            if len(chosen) > 1:
                raise ValueError("zip file with several notebooks: " + ", ".join(i.filename for i in names[:5]))
            info = chosen[0]
            if info.file_size > MAX_FILE:
                raise ValueError(f"the notebook in the zip file is too large ({info.file_size >> 20} MB)")
            with z.open(info) as f:
                data = f.read(MAX_FILE + 1)
            if len(data) > MAX_FILE:
                raise ValueError("the notebook in the zip file is too large")
            notes.append(f"graded {info.filename} from the zip file")
            return data
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError, EOFError) as e:
        raise ValueError(f"corrupt zip file ({e})") from None


def load_submission(path, module_id):
    sub = Submission(path, student_id(path.name, module_id))
    try:
        data = path.read_bytes() if path.stat().st_size <= MAX_FILE else None
    except OSError as e:
        sub.problem = f"unreadable file ({e.strerror})"
        return sub
    if data is None:
        sub.problem = f"file too large (over {MAX_FILE >> 20} MB)"
        return sub
    sub.sha256 = hashlib.sha256(data).hexdigest()
    if not data.strip():
        sub.problem = "empty file"
        return sub
    try:
        data = _notebook_bytes(data, module_id, sub.notes)
        text = data.decode("utf-8-sig")
    except ValueError as e:  # UnicodeDecodeError is a ValueError
        sub.problem = str(e) if not isinstance(e, UnicodeDecodeError) else "not a notebook (binary file)"
        return sub
    try:
        nb = json.loads(text)
    except (ValueError, RecursionError) as e:
        sub.problem = ("corrupt notebook (invalid JSON: " + str(e)[:80] + ")") if text.lstrip().startswith("{") \
            else "not a notebook (not JSON)"
        return sub
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        sub.problem = "not a notebook (JSON without a list of cells)" if "worksheets" not in nb \
            else "unsupported notebook format (nbformat 3)"
        return sub
    cells = []
    for number, cell in enumerate(nb["cells"], start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(s, str) for s in source):
            source = "".join(source)
        if not isinstance(source, str):
            sub.notes.append(f"cell {number} has no readable source and was skipped")
            continue
        cells.append([number, source])
    if not any(src.strip() for _, src in cells):
        sub.problem = "empty notebook (no code)"
        return sub
    sub.cells, sub.text = cells, text
    return sub


def _until_last_check(cells):
    """Cells up to the last `grader.check(...)`: later cells cannot change what was checked."""
    last = max((i for i, (_, src) in enumerate(cells) if CHECK_CALL.search(src)), default=None)
    return cells if last is None else cells[:last + 1]


# ---------------------------------------------------------------- verdicts

@dataclass
class CaseResult:
    case: reference.Case
    passed: bool
    message: str = ""   # why it failed (shown only for public cases)


def judge(case, ref, event):
    """Pass/fail of one case from the student's event and the reference probes."""
    if event is None:
        return CaseResult(case, False, "not run (the notebook stopped before this test)")
    error = event.get("error")
    if error:
        if not isinstance(error, dict):
            return CaseResult(case, False, "failed")
        kind, msg = str(error.get("type"))[:60], str(error.get("message") or "")[:300]
        if kind == "AssertionError":
            return CaseResult(case, False, msg or "the assertion failed")
        return CaseResult(case, False, f"{kind}: {msg}" if msg else kind)
    got, want = event.get("probes"), ref["probes"]
    if not isinstance(got, list) or len(got) != len(want) or \
            any(not isinstance(g, list) or len(g) != 2 or g[0] != w[0] for g, w in zip(got, want)):
        return CaseResult(case, False, "the test did not run the way it runs on the reference solution")
    unstable = ref["unstable"]
    if unstable is None:
        return CaseResult(case, True)
    for i, ((site, g), (_, w)) in enumerate(zip(got, want)):
        flaky = unstable.get(str(i), unstable.get(i, ()))
        if flaky is True:
            continue
        info = case.sites[site]
        if not probe.agrees(info, g, w, flaky):
            return CaseResult(case, False, f"`{info['text'][:200]}`: your values ({probe.short(g)}) do not give "
                                           f"the reference solution's result ({probe.short(w)})")
    return CaseResult(case, True)


def _forged(case, ref):
    """What a submission that replaced the grader's recording with "true" everywhere would report."""
    t = ["b", True]
    probes = []
    for site, entry in ref["probes"]:
        kind = case.sites[site]["kind"]
        if kind == "compare":
            entry = {"o": [t] * len(entry["o"]), "r": [t] * len(entry["r"])}
        elif kind == "call":
            entry = {"a": [t] * len(entry["a"]), "k": {k: t for k in entry["k"]}, "r": t}
        elif kind == "shallow":
            entry = ["w", t, []]
        else:
            entry = t
        probes.append([site, entry])
    return {"ev": "case", "key": case.key, "error": None, "probes": probes}


def forgeable(assignment, ref):
    """Cases whose every check is a bare true/false fact: a submission that tampers with the
    grader's recording in its own process could pass them. Reported to the instructor."""
    return [c.key for c in assignment.cases if judge(c, ref[c.key], _forged(c, ref[c.key])).passed]


def score(question, results):
    if question.all_or_nothing:
        return question.possible if all(r.passed for r in results) else 0.0
    return round(sum(r.case.points for r in results if r.passed), 6)


def fmt(x):
    return f"{x:.4f}".rstrip("0").rstrip(".") if x == x else ""


# ---------------------------------------------------------------- the batch

@dataclass
class Row:
    id: str
    scores: dict
    total: float
    percent: float
    status: str
    sha256: str
    reference: str

    def cells(self, questions):
        return ([self.id] + [fmt(self.scores.get(q, 0.0)) for q in questions]
                + [fmt(self.total), fmt(self.percent), self.status, self.sha256, self.reference])


class Grader:
    def __init__(self, module, submissions, out, workers=None, limits=None, feedback=None, regrade=False,
                 all_cells=False, seed=0, use_cache=True, isolate=True, log=sys.stderr):
        self.master, self.module_id = _resolve_module(module)
        self.submissions = Path(submissions)
        if not self.submissions.is_dir():
            raise GradeError(f"{submissions}: not a folder of submissions")
        self.out = Path(out)
        self.feedback = Path(feedback) if feedback else self.out.with_name(self.out.stem + "-feedback")
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.limits = limits or Limits()
        self.regrade, self.all_cells, self.seed = regrade, all_cells, seed
        self.use_cache, self.isolate, self.log = use_cache, isolate, log
        self.lock = threading.Lock()
        self.runs = 0

    def _say(self, line):
        with self.lock:
            print(line, file=self.log, flush=True)

    def run(self):
        """Grade the folder; returns the rows written (a dict id -> Row)."""
        try:
            assignment = reference.parse_master(self.master, self.module_id, self.all_cells)
        except (reference.ReferenceError, ValueError, OSError) as e:
            raise GradeError(str(e)) from None
        self.assignment, self.questions = assignment, [q.name for q in assignment.questions]
        self.rows = {} if self.regrade else self._read_csv()  # a CSV that is not ours stops us here
        with tempfile.TemporaryDirectory(prefix="ttgrade-") as tmp:
            tmp = Path(tmp)
            self.graded_modules = reference.build_support(tmp / "support", assignment)
            hide = [course.ROOT, self.submissions.resolve(), self.out.resolve().parent, self.feedback.resolve(),
                    reference.cache_dir()] + _installed_tinytorch()
            self.sandbox = Sandbox(tmp / "support", tmp / "runs", hide=hide, limits=self.limits,
                                   isolate=self.isolate)
            self._say(f"grading {self.module_id}: {len(assignment.questions)} questions, "
                      f"{len(assignment.cases)} test cases ({sum(c.hidden for c in assignment.cases)} hidden), "
                      f"{fmt(assignment.possible)} points")
            for line in self.sandbox.describe():
                self._say("  " + line)
            self.key = reference.reference_key(assignment, tmp / "support", self.seed)
            started = time.monotonic()
            try:
                self.ref, warnings = reference.reference_probes(assignment, self.sandbox,
                                                                self._job(assignment.cells, "{}"), self.key,
                                                                self.use_cache)
            except reference.ReferenceError as e:
                raise GradeError(str(e)) from None
            self._say(f"  reference probes ready ({time.monotonic() - started:.1f} s)")
            for warning in warnings:
                self._say(f"  warning: {warning}")
            weak = forgeable(assignment, self.ref)
            if weak:
                self._say(f"  note: {len(weak)} test case(s) check only true/false facts, which a submission that "
                          f"tampers with the grader inside its own process could fake: {', '.join(weak[:8])}"
                          f"{' …' if len(weak) > 8 else ''} (assert a value, e.g. `x == expected`, to anchor them)")
            self.tests = reference.tests_message(assignment)
            return self._batch()

    def _job(self, cells, text):
        L = self.limits
        return {"cells": cells, "seed": self.seed, "cell_timeout": L.cell_timeout, "case_timeout": L.case_timeout,
                "notebook_name": f"{self.module_id}.ipynb", "notebook_text": text}

    def _batch(self):
        entries = sorted(self.submissions.iterdir())
        files = [p for p in entries if p.is_file() and not p.is_symlink() and not p.name.startswith(".")]
        if len(files) < len(entries):
            skipped = [p.name for p in entries if p not in files]
            self._say(f"  skipped {len(skipped)} entries that are not plain visible files: {', '.join(skipped[:5])}"
                      f"{' …' if len(skipped) > 5 else ''}")
        subs, seen = [], {}  # seen: file-name-safe id (case-insensitive) -> file name
        for path in files:
            sub = load_submission(path, self.module_id)
            base, n = sub.id, 1
            while _safe(sub.id).lower() in seen:
                n += 1
                sub.id = f"{base}~{n}"
            if n > 1:
                sub.notes.append(f"another file ({seen[_safe(base).lower()]}) has the same student id {base!r}")
            seen[_safe(sub.id).lower()] = path.name
            subs.append(sub)
        keep = set(self.rows)
        todo = [s for s in subs if self.regrade or not self._unchanged(s)]
        resumed = len(subs) - len(todo)
        self._say(f"{len(subs)} submissions in {self.submissions}: {len(todo)} to grade, {resumed} unchanged "
                  f"since the last run; {min(self.workers, max(1, len(todo)))} workers")
        self.feedback.mkdir(parents=True, exist_ok=True)
        for sub in subs:
            keep.add(sub.id)
        self.rows = {k: v for k, v in self.rows.items() if k in keep}
        self.done, self.total_todo, self.counts = 0, len(todo), {}
        started = time.monotonic()
        pool = ThreadPoolExecutor(max_workers=self.workers)
        try:
            for future in as_completed([pool.submit(self._one_safely, sub) for sub in todo]):
                future.result()
        except KeyboardInterrupt:
            pool.shutdown(wait=False, cancel_futures=True)
            self.sandbox.kill_all()
            self._say(f"interrupted: the {self.done} rows graded so far are in {self.out}; "
                      "run the same command again to resume")
            raise
        pool.shutdown()
        elapsed = time.monotonic() - started
        self._write_csv()
        rate = f", {len(todo) / elapsed:.2f} submissions/s" if todo and elapsed > 0 else ""
        counts = ", ".join(f"{k} {v}" for k, v in sorted(self.counts.items()))
        self._say(f"done: {len(todo)} graded in {elapsed:.1f} s{rate}; {resumed} unchanged"
                  f"{'; ' + counts if counts else ''}. Gradebook: {self.out}, feedback: {self.feedback}/")
        return self.rows

    def _unchanged(self, sub):
        row = self.rows.get(sub.id)
        return (row is not None and row.sha256 == sub.sha256 and row.reference == self.key[:12]
                and (self.feedback / f"{_safe(sub.id)}.md").exists())

    def _one_safely(self, sub):
        started = time.monotonic()
        try:
            row, text = self._grade(sub)
        except Exception as e:  # a bug or an OS failure: the batch goes on, the row says so
            row = Row(sub.id, {}, 0.0, 0.0, f"grader error: {type(e).__name__}: {e}", sub.sha256, self.key[:12])
            text = _feedback_header(self, sub.id, row) + "\nThe grader failed on this submission; "\
                "your instructor will look at it.\n"
        kind = row.status.split(":")[0].split(";")[0].strip()
        with self.lock:
            self.rows[sub.id] = row
            self.counts[kind] = self.counts.get(kind, 0) + 1
            _write_atomic(self.feedback / f"{_safe(sub.id)}.md", text)
            self._write_csv_locked()
            self.done += 1
            width = len(str(self.total_todo))
            print(f"[{self.done:>{width}}/{self.total_todo}] {sub.id}: {fmt(row.total)}/{fmt(self.assignment.possible)}"
                  f" — {row.status} ({time.monotonic() - started:.1f} s)", file=self.log, flush=True)

    def _grade(self, sub):
        a = self.assignment
        if sub.cells is None:
            row = Row(sub.id, {q: 0.0 for q in self.questions}, 0.0, 0.0, sub.problem, sub.sha256, self.key[:12])
            return row, _feedback(self, sub, row, [], [], [])
        cells = sub.cells if self.all_cells else _until_last_check(sub.cells)
        with self.lock:
            self.runs += 1
            name = f"run-{self.runs}"
        result = self.sandbox.run(name, self._job(cells, sub.text), self.tests)
        events = result.events
        cell_events = [e for e in events if e.get("ev") == "cell"]
        cases = reference._cases_of(result)
        ready = any(e.get("ev") == "ready" for e in events)
        done = any(e.get("ev") == "done" for e in events)
        started = [e.get("cell") for e in events if e.get("ev") == "start"]
        results = [judge(c, self.ref[c.key], cases.get(c.key)) for c in a.cases]
        by_q = {q.name: [r for r in results if r.case.question == q.name] for q in a.questions}
        scores = {q.name: score(q, by_q[q.name]) for q in a.questions}
        total = round(sum(scores.values()), 6)
        percent = round(100 * total / a.possible, 2) if a.possible else 0.0

        L = self.limits
        where = f"during cell {started[-1]}" if started and not ready else "during the tests"
        if result.killed == "timeout":
            status = f"timeout: stopped after {L.timeout:g} s {where}"
        elif result.killed == "output":
            status = f"too much output: over {L.output_mb:g} MB, stopped {where}"
        elif result.killed == "channel":
            status = f"stopped: flooded the grader's result channel {where}"
        elif not done:
            status = f"crashed {where} (exit status {result.returncode})"
        else:
            status = "graded"
        notes, errors = [], [e for e in cell_events if e.get("error")]
        if errors:
            first = errors[0]["error"]
            notes.append(f"{len(errors)} cell{'s' if len(errors) > 1 else ''} raised errors "
                         f"(first: cell {errors[0].get('cell')} {str(first.get('type'))[:40]})")
        failures = [e["error"] for e in errors] + [e["error"] for e in cases.values() if isinstance(e.get("error"), dict)]
        reference_imports = sorted({str(f.get("module")) for f in failures
                                    if _is_graded_import(f.get("module"), self.graded_modules)})
        if reference_imports or any(reference.UNAVAILABLE in str(f.get("message")) for f in failures):
            reference_imports = reference_imports or self.graded_modules
            notes.append(f"uses {', '.join(reference_imports)}, the reference code of the module being graded, "
                         "which is not available at grading")
        if result.output_bytes > L.keep_output_kb << 10:
            notes.append(f"printed {result.output_bytes / (1 << 20):.1f} MB (truncated)")
        disowned = sum(1 for r in results if not r.passed and cases.get(r.case.key) is not None
                       and not cases[r.case.key].get("error"))
        if disowned:
            notes.append(f"{disowned} test case{'s' if disowned > 1 else ''} passed inside the notebook's process but "
                         "not the grader's check of the values it read")
        if result.malformed:
            notes.append(f"{result.malformed} forged or garbled lines on the result channel were ignored")
        notes += sub.notes
        status = "; ".join([status] + notes)
        row = Row(sub.id, scores, total, percent, status, sub.sha256, self.key[:12])
        return row, _feedback(self, sub, row, results, errors, reference_imports)

    # ------------------------------------------------------------ the CSV
    def _header(self):
        return ["id"] + self.questions + ["total", "percent", "status", "sha256", "reference"]

    def _read_csv(self):
        if not self.out.exists():
            return {}
        try:
            with open(self.out, newline="", encoding="utf-8") as f:
                reader = csv.reader(f)
                header = next(reader)
                if header != self._header():
                    raise GradeError(f"{self.out} exists and is not this module's gradebook (its columns are "
                                     f"{', '.join(header[:8])}): choose another --out, or pass --regrade to replace it")
                rows = {}
                for cells in reader:
                    if len(cells) != len(header):
                        continue
                    n = len(self.questions)
                    rows[cells[0]] = Row(cells[0], {q: float(x or 0) for q, x in zip(self.questions, cells[1:1 + n])},
                                         float(cells[1 + n] or 0), float(cells[2 + n] or 0), cells[3 + n],
                                         cells[4 + n], cells[5 + n])
                return rows
        except GradeError:
            raise
        except (OSError, ValueError, StopIteration, csv.Error) as e:
            raise GradeError(f"{self.out} exists but cannot be read as a gradebook ({e}); "
                             "move it away or pass --regrade") from None

    def _write_csv(self):
        with self.lock:
            self._write_csv_locked()

    def _write_csv_locked(self):
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(self._header())
        for key in sorted(self.rows):
            writer.writerow(self.rows[key].cells(self.questions))
        _write_atomic(self.out, buf.getvalue())


def _is_graded_import(module, graded):
    return isinstance(module, str) and any(module == g or g.startswith(module + ".") or module.startswith(g + ".")
                                           for g in graded)


def _safe(name):
    return re.sub(r"[^\w.\-~]", "_", name)[:120] or "_"


def _write_atomic(path, text):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _resolve_module(module):
    try:
        m = course.module(module)
    except KeyError as e:
        path = Path(module)
        if path.suffix == ".ipynb" and path.is_file():
            return path.resolve(), path.stem
        raise GradeError(str(e).strip("'\"")) from None
    if not m.exists:
        raise GradeError(f"{m.id} has no master notebook yet ({m.master.relative_to(course.ROOT)})")
    return m.master, m.id


def _installed_tinytorch():
    """Where an installed (non-editable) tinytorch lives outside the repository: hidden too."""
    import importlib.util
    spec = importlib.util.find_spec("tinytorch")
    out = []
    for loc in (spec.submodule_search_locations or []) if spec else []:
        if not Path(loc).resolve().is_relative_to(course.ROOT):
            out.append(Path(loc).resolve())
    return out


# ---------------------------------------------------------------- feedback

def _feedback_header(grader, sid, row):
    return (f"# {grader.module_id}: feedback for {sid}\n\n"
            f"**Score: {fmt(row.total)} / {fmt(grader.assignment.possible)}** ({fmt(row.percent)}%)  \n"
            f"Status: {row.status}\n")


def _feedback(grader, sub, row, results, errors, reference_imports):
    out = [_feedback_header(grader, sub.id, row)]
    if sub.cells is None:
        out.append(f"\nYour file could not be graded: {sub.problem}. Submit the notebook "
                   f"({grader.module_id}.ipynb) or the zip file that `grader.export()` makes.\n")
    for q in grader.assignment.questions:
        mine = [r for r in results if r.case.question == q.name]
        if not mine:
            continue
        got = row.scores.get(q.name, 0.0)
        out.append(f"\n## {q.name}: {fmt(got)} / {fmt(q.possible)}"
                   + (" (all or nothing)" if q.all_or_nothing else "") + "\n")
        public = hidden = 0
        for r in mine:
            if r.case.hidden:
                hidden += 1
                out.append(f"- hidden test {hidden} {'passed' if r.passed else 'failed'}\n")
            else:
                public += 1
                line = "passed" if r.passed else "failed — " + r.message.replace("\n", " ")
                out.append(f"- public test {public} {line}\n")
    notes = []
    for e in errors[:10]:
        err = e["error"]
        line = f" (line {err['line']})" if isinstance(err.get("line"), int) else ""
        first = next((src.strip().splitlines()[0] for n, src in (sub.cells or []) if n == e.get("cell")
                      and src.strip()), "")
        notes.append(f"- Cell {e.get('cell')} (`{first[:60]}`) raised {str(err.get('type'))[:60]}{line}: "
                     f"{str(err.get('message') or '')[:300]}")
    if len(errors) > 10:
        notes.append(f"- … and {len(errors) - 10} more cells raised errors")
    if reference_imports:
        notes.append(f"- Your notebook uses {', '.join(reference_imports)} from the tinytorch package: while grading "
                     f"{grader.module_id} the grader provides only the reference code of earlier modules (this "
                     "module's functions raise NotImplementedError there), so your notebook must use the code it "
                     "defines itself.")
    if notes:
        out.append("\n## Notes\n" + "\n".join(notes) + "\n")
    text = "".join(out)
    return text if text.endswith("\n") else text + "\n"


# ---------------------------------------------------------------- command line

def add_arguments(p):
    p.add_argument("module", help="module id (01_tensor) or the path of a master notebook")
    p.add_argument("submissions", help="folder of .ipynb or Otter .zip submissions (one per student)")
    p.add_argument("--out", required=True, help="gradebook CSV to write (resumed if it exists)")
    p.add_argument("--workers", type=int, default=None, help="submissions graded in parallel (default: CPU count)")
    p.add_argument("--timeout", type=float, default=Limits.timeout, help="seconds per submission (wall clock)")
    p.add_argument("--cell-timeout", type=float, default=Limits.cell_timeout, help="seconds per notebook cell")
    p.add_argument("--case-timeout", type=float, default=Limits.case_timeout, help="seconds per test case")
    p.add_argument("--memory", type=int, default=Limits.memory_mb, help="MB of address space per process")
    p.add_argument("--procs", type=int, default=Limits.procs, help="processes + threads per submission")
    p.add_argument("--feedback", default=None, help="folder for the feedback files (default: next to the CSV)")
    p.add_argument("--regrade", action="store_true", help="grade every submission again, even unchanged ones")
    p.add_argument("--all-cells", action="store_true", help="also run the cells after the last grader.check")
    p.add_argument("--seed", type=int, default=0, help="seed for NumPy, random and tinytorch (default 0)")
    p.add_argument("--no-cache", action="store_true", help="recompute the reference probes")


def main(args):
    limits = Limits(timeout=args.timeout, cell_timeout=args.cell_timeout, case_timeout=args.case_timeout,
                    memory_mb=args.memory, procs=args.procs)
    try:
        Grader(args.module, args.submissions, args.out, workers=args.workers, limits=limits,
               feedback=args.feedback, regrade=args.regrade, all_cells=args.all_cells, seed=args.seed,
               use_cache=not args.no_cache).run()
    except GradeError as e:
        print(f"grade failed: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0
