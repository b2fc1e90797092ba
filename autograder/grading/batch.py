"""A batch: grade a folder of submissions against one master with worker threads, one sandbox
run per submission, writing the gradebook and the feedback files as each one finishes."""
import os
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from ..course import registry
from . import feedback as feedback_files
from . import gradebook, reference
from .gradebook import Row, fmt
from .judge import forgeable, judge_run
from .sandbox import Limits, Sandbox
from .submissions import load_folder, safe_name, until_last_check


class GradeError(Exception):
    """A problem with the command itself (unknown module, missing folder, broken reference)."""


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
        self.interrupted = False  # set on Ctrl-C / SIGTERM: runs in flight then end without a row

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
        try:  # a CSV that is not ours stops us here
            self.rows = {} if self.regrade else gradebook.read(self.out, self.questions)
        except gradebook.GradebookError as e:
            raise GradeError(str(e)) from None
        with tempfile.TemporaryDirectory(prefix="ttgrade-") as tmp:
            tmp = Path(tmp)
            self.graded_modules = reference.build_support(tmp / "support", assignment)
            hide = [registry.ROOT, self.submissions.resolve(), self.out.resolve().parent, self.feedback.resolve(),
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
                          f"{' …' if len(weak) > 8 else ''} (compare with a written-out value, e.g. `x.shape == (2, 3)`, to anchor them)")
            self.tests = reference.tests_message(assignment)
            return self._batch()

    def _job(self, cells, text):
        L = self.limits
        return {"cells": cells, "seed": self.seed, "cell_timeout": L.cell_timeout, "case_timeout": L.case_timeout,
                "notebook_name": f"{self.module_id}.ipynb", "notebook_text": text}

    def _batch(self):
        subs = load_folder(self.submissions, self.module_id, self._say)
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
            with self.lock:
                self.interrupted = True
            pool.shutdown(wait=False, cancel_futures=True)
            self.sandbox.kill_all()
            pool.shutdown(wait=True)  # the killed runs end at once; their rows are not written
            self._say(f"interrupted: the {self.done} rows graded so far are in {self.out}; "
                      "run the same command again to grade the rest")
            raise
        pool.shutdown()
        elapsed = time.monotonic() - started
        with self.lock:
            gradebook.write(self.out, self.rows, self.questions)
        rate = f", {len(todo) / elapsed:.2f} submissions/s" if todo and elapsed > 0 else ""
        counts = ", ".join(f"{k} {v}" for k, v in sorted(self.counts.items()))
        self._say(f"done: {len(todo)} graded in {elapsed:.1f} s{rate}; {resumed} unchanged"
                  f"{'; ' + counts if counts else ''}. Gradebook: {self.out}, feedback: {self.feedback}/")
        return self.rows

    def _unchanged(self, sub):
        row = self.rows.get(sub.id)
        return (row is not None and row.sha256 == sub.sha256 and row.reference == self.key[:12]
                and (self.feedback / f"{safe_name(sub.id)}.md").exists())

    def _one_safely(self, sub):
        started = time.monotonic()
        try:
            row, text = self._grade(sub)
        except Exception as e:  # a bug or an OS failure: the batch goes on, the row says so
            row = Row(sub.id, {}, 0.0, 0.0, f"grader error: {type(e).__name__}: {e}", sub.sha256, self.key[:12])
            text = feedback_files.grader_failed(self.assignment, sub.id, row)
        kind = row.status.split(":")[0].split(";")[0].strip()
        with self.lock:
            if self.interrupted:  # its run was killed by the interrupt: no verdict, graded on resume
                return
            self.rows[sub.id] = row
            self.counts[kind] = self.counts.get(kind, 0) + 1
            gradebook.write_atomic(self.feedback / f"{safe_name(sub.id)}.md", text)
            gradebook.write(self.out, self.rows, self.questions)
            self.done += 1
            width = len(str(self.total_todo))
            print(f"[{self.done:>{width}}/{self.total_todo}] {sub.id}: {fmt(row.total)}/{fmt(self.assignment.possible)}"
                  f" — {row.status} ({time.monotonic() - started:.1f} s)", file=self.log, flush=True)

    def _grade(self, sub):
        """(Row, feedback text) of one submission."""
        a = self.assignment
        if sub.cells is None:
            row = Row(sub.id, {q: 0.0 for q in self.questions}, 0.0, 0.0, sub.problem, sub.sha256, self.key[:12])
            return row, feedback_files.feedback(a, sub, row, [], [], [])
        cells = sub.cells if self.all_cells else until_last_check(sub.cells)
        with self.lock:
            self.runs += 1
            name = f"run-{self.runs}"
        result = self.sandbox.run(name, self._job(cells, sub.text), self.tests)
        v = judge_run(a, self.ref, result, self.limits, self.graded_modules, sub.notes)
        row = Row(sub.id, v.scores, v.total, v.percent, v.status, sub.sha256, self.key[:12])
        return row, feedback_files.feedback(a, sub, row, v.results, v.errors, v.reference_imports)


def _resolve_module(module):
    try:
        m = registry.module(module)
    except KeyError as e:
        path = Path(module)
        if path.suffix == ".ipynb" and path.is_file():
            return path.resolve(), path.stem
        raise GradeError(str(e).strip("'\"")) from None
    if not m.exists:
        raise GradeError(f"{m.id} has no master notebook yet ({m.master.relative_to(registry.ROOT)})")
    return m.master, m.id


def _installed_tinytorch():
    """Where an installed (non-editable) tinytorch lives outside the repository: hidden too."""
    import importlib.util
    spec = importlib.util.find_spec("tinytorch")
    out = []
    for loc in (spec.submodule_search_locations or []) if spec else []:
        if not Path(loc).resolve().is_relative_to(registry.ROOT):
            out.append(Path(loc).resolve())
    return out
