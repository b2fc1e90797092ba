"""The batch grader: python -m autograder grade MODULE SUBMISSIONS_DIR --out GRADES.csv

Grades every submission in SUBMISSIONS_DIR (.ipynb files or Otter export .zip files; the student
id is the file name without its extension, Otter's export timestamp and the module id) against
the module's master notebook, hidden tests included, and writes

  GRADES.csv                one row per submission: id, points per question, total, percent,
                            status, sha256 of the file, reference (hash of what it was graded against)
  GRADES-feedback/ID.md     per question, which tests passed; public failures with their message,
                            hidden ones as "hidden test N failed — REASON" (a reason that names
                            no input, value or message of the test)

How a verdict is reached (nothing a submission does in its own process can forge it):
  1. The master runs in the sandbox; every test case, rewritten by autograder/grading/probe.py,
     reports the values its asserts read ("probes"). These reference probes are cached per module
     (~/.cache/tinytorch-grader); the grader reads the test's literals in them.
  2. Each submission runs in its own sandbox (autograder/grading/sandbox.py): its code cells in
     order (a cell that fails is recorded and the rest still run; cells after the last
     `grader.check` are skipped unless --all-cells), then the same rewritten test cases, which
     are sent to it only now.
  3. Here, in the grader: a case passes iff it ran without error AND its probes hold together
     (autograder/grading/probe.py): exactly as strict as the asserts (any submission that
     satisfies every assert of a case passes it; error wording and values the asserts do not test
     never count), while a recording faked inside the submission's process fails: comparisons and
     np.allclose-like checks are recomputed here on the recorded values, and the test's literals
     (`6`, `(2, 3)`, `"shape"`) must be the ones the reference recorded.
     Points per case are otter's: a question's points spread over its cases unless set per case.

The submission sees a tinytorch package with the reference code of EARLIER modules only; the
graded module and later ones are skeletons whose exercise functions raise NotImplementedError
(autograder/course/package.py). What the sandbox enforces is printed at the start.

The CSV is rewritten atomically after each submission; a rerun skips rows whose file and
reference are unchanged (--regrade to redo them) and reproduces the same rows (fixed seeds).
"""
import signal
import sys

from .batch import GradeError, Grader
from .sandbox import Limits


def add_arguments(p):
    p.add_argument("module", help="module id (01_tensor) or the path of a master notebook")
    p.add_argument("submissions", help="folder of .ipynb or Otter .zip submissions (one per student)")
    p.add_argument("--out", required=True, help="gradebook CSV to write (resumed if it exists)")
    p.add_argument("--workers", type=int, default=None, help="submissions graded in parallel (default: CPU count)")
    p.add_argument("--timeout", type=float, default=Limits.timeout, help="seconds per submission (wall clock)")
    p.add_argument("--cell-timeout", type=float, default=Limits.cell_timeout, help="seconds per notebook cell")
    p.add_argument("--case-timeout", type=float, default=Limits.case_timeout, help="seconds per test case")
    p.add_argument("--memory", type=int, default=Limits.memory_mb, help="MB of address space per process")
    p.add_argument("--total-memory", type=int, default=Limits.total_memory_mb,
                   help="MB of memory for all of a submission's processes together (a memory cgroup)")
    p.add_argument("--procs", type=int, default=Limits.procs, help="processes + threads per submission")
    p.add_argument("--feedback", default=None, help="folder for the feedback files (default: next to the CSV)")
    p.add_argument("--regrade", action="store_true", help="grade every submission again, even unchanged ones")
    p.add_argument("--all-cells", action="store_true", help="also run the cells after the last grader.check")
    p.add_argument("--seed", type=int, default=0, help="seed for NumPy, random and tinytorch (default 0)")
    p.add_argument("--no-cache", action="store_true", help="recompute the reference probes")


def _interrupt(signum, frame):
    raise KeyboardInterrupt  # SIGTERM ends a batch as Ctrl-C does: finished rows kept, nothing left behind


def main(args):
    signal.signal(signal.SIGTERM, _interrupt)
    limits = Limits(timeout=args.timeout, cell_timeout=args.cell_timeout, case_timeout=args.case_timeout,
                    memory_mb=args.memory, total_memory_mb=args.total_memory, procs=args.procs)
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
