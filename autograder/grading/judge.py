"""Judging: a submission's run against its test cases. A case passes iff it ran without error
AND its probe record holds together (probe.holds): exactly as strict as the case's asserts.
Points are otter's; a run's status says how it ended and what went wrong on the way. Every
failure has a `reason` a student may read for a hidden case too (it names no input, value or
message of the test), and a `message` with the detail, shown only for public cases."""
import builtins
import re
from dataclasses import dataclass

from ..course.package import UNAVAILABLE
from . import probe
from .reference import cases_of

NOT_RUN = "not run: the notebook stopped (an error or the time limit) before this test"
ASSERTION = "an assertion failed: your code's result is not the one this test expects"
TIMEOUT = "your code took longer than the time limit of one test"
UNREPORTED = "a value this test checks could not be reported to the grader"
UNCONFIRMED = "the grader could not confirm the values this test read (its recording was changed or skipped)"


@dataclass
class CaseResult:
    case: object        # reference.Case
    passed: bool
    message: str = ""   # why it failed, in detail (shown only for public cases)
    reason: str = ""    # why it failed, in a student's words, revealing nothing of the test (any case)


def _fail(case, reason, message=None):
    return CaseResult(case, False, message or reason, reason)


BUILTIN_ERRORS = {n for n, v in vars(builtins).items() if isinstance(v, type) and issubclass(v, BaseException)}


def _raised(kind, hidden=False):
    """A hidden case's reason names only a built-in exception: a class the notebook made could carry
    what its code saw of the test (an argument, a constant) into the feedback."""
    name = re.sub(r"[^A-Za-z0-9_.]", "", kind)[:60] or "an exception"
    if hidden and name not in BUILTIN_ERRORS:
        name = "an exception"
    return f"your code raised {name} while this test ran"


def judge(case, ref, event):
    """Pass/fail of one case from the student's event (and the reference's record of the case)."""
    if event is None:
        return _fail(case, NOT_RUN, "not run (the notebook stopped before this test)")
    error = event.get("error")
    if error:
        if not isinstance(error, dict):
            return _fail(case, UNCONFIRMED, "failed")
        kind, msg = str(error.get("type"))[:60], str(error.get("message") or "")[:300]
        if kind == "AssertionError":
            return _fail(case, ASSERTION, msg or "the assertion failed")
        reason = TIMEOUT if kind == "Timeout" else UNREPORTED if kind == "ProbeError" else _raised(kind, case.hidden)
        return _fail(case, reason, f"{kind}: {msg}" if msg else kind)
    got = event.get("probes")
    if not isinstance(got, list) or any(not isinstance(g, list) or len(g) != 2 or not isinstance(g[0], int)
                                        or not 0 <= g[0] < len(case.sites) for g in got):
        return _fail(case, UNCONFIRMED)
    want = {}
    for site, entry in (ref or {}).get("probes", ()):
        want.setdefault(site, entry)  # literals are the same each time a site runs
    for site, entry in got:
        info = case.sites[site]
        if not probe.holds(info, entry, want.get(site)):
            return _fail(case, UNCONFIRMED, f"`{info['text'][:200]}`: the values recorded ({probe.short(entry)}) "
                                            "do not hold together or differ from the test's own constants")
    seen = {site for site, _ in got}
    missing = [s for s, info in enumerate(case.sites) if info.get("required") and s not in seen]
    if missing:
        return _fail(case, UNCONFIRMED, f"`{case.sites[missing[0]]['text'][:200]}` was not recorded")
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
            entry = ["w", t, entry[2]]  # class names are no secret
        else:
            entry = t
        probes.append([site, entry])
    return {"ev": "case", "key": case.key, "error": None, "probes": probes}


def forgeable(assignment, ref):
    """Cases whose every check is a bare true/false fact (no literal to match, no result to
    recompute): a submission that tampers with the grader's recording in its own process could
    pass them by recording True everywhere. Reported to the instructor."""
    return [c.key for c in assignment.cases if judge(c, ref[c.key], _forged(c, ref[c.key])).passed]


def score(question, results):
    if question.all_or_nothing:
        return question.possible if all(r.passed for r in results) else 0.0
    return round(sum(r.case.points for r in results if r.passed), 6)


@dataclass
class Verdict:
    results: list          # [CaseResult], one per case of the assignment
    scores: dict           # question -> points
    total: float
    percent: float
    status: str            # how the run ended ("graded", "timeout: …"), then its notes, "; "-separated
    errors: list           # the events of the cells that raised
    reference_imports: list  # the graded module's reference code the notebook tried to use


def _is_graded_import(module, graded):
    return isinstance(module, str) and any(module == g or g.startswith(module + ".") or module.startswith(g + ".")
                                           for g in graded)


def judge_run(assignment, ref, result, limits, graded_modules, extra_notes=()):
    """The Verdict on one sandbox run (a RunResult) of a submission."""
    a, L = assignment, limits
    events = result.events
    cell_events = [e for e in events if e.get("ev") == "cell"]
    cases = cases_of(result)
    ready = any(e.get("ev") == "ready" for e in events)
    done = any(e.get("ev") == "done" for e in events)
    started = [e.get("cell") for e in events if e.get("ev") == "start"]
    results = [judge(c, ref[c.key], cases.get(c.key)) for c in a.cases]
    by_q = {q.name: [r for r in results if r.case.question == q.name] for q in a.questions}
    scores = {q.name: score(q, by_q[q.name]) for q in a.questions}
    total = round(sum(scores.values()), 6)
    percent = round(100 * total / a.possible, 2) if a.possible else 0.0

    hidden = any(e.get("ev") == "phase-done" for e in events)  # the public phase ended: the hidden one ran
    stopped = [e.get("phase") for e in events if e.get("ev") == "stopped" and not done]  # tester.py refused a phase
    where = f"during cell {started[-1]}" if started and not ready else \
        "during the hidden tests" if hidden else "during the tests"
    if result.killed == "timeout":
        status = f"timeout: stopped after {L.timeout:g} s {where}"
    elif result.killed == "output":
        status = f"too much output: over {L.output_mb:g} MB, stopped {where}"
    elif result.killed == "channel":
        status = f"stopped: flooded the grader's result channel {where}"
    elif result.killed == "memory" and not done:
        status = f"stopped: its processes used more than {L.total_memory_mb} MB of memory together {where}"
    elif stopped:
        status = f"graded; {'the hidden' if stopped[0] == 1 else 'the'} tests were not run: code of the notebook was still " \
                 "running when they were due (a test past its time limit, or a thread it started)"
    elif not done and hidden:  # no exit status: the code a hidden case called could choose it
        status = f"crashed {where}"
    elif not done:
        status = f"crashed {where} (exit status {result.returncode})"
    else:
        status = "graded"
    notes, errors = [], [e for e in cell_events if e.get("error")]
    if result.killed == "memory" and done:
        notes.append(f"a process was stopped: its processes used more than {L.total_memory_mb} MB of memory together")
    if errors:
        first = errors[0]["error"]
        notes.append(f"{len(errors)} cell{'s' if len(errors) > 1 else ''} raised errors "
                     f"(first: cell {errors[0].get('cell')} {str(first.get('type'))[:40]})")
    failures = [e["error"] for e in errors] + [e["error"] for e in cases.values() if isinstance(e.get("error"), dict)]
    reference_imports = sorted({str(f.get("module")) for f in failures
                                if _is_graded_import(f.get("module"), graded_modules)})
    if reference_imports or any(UNAVAILABLE in str(f.get("message")) for f in failures):
        reference_imports = reference_imports or graded_modules
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
    if any(e.get("ev") == "sandbox" and e.get("input") == "shared" for e in events):
        notes.append("the tests' input could not be kept from the notebook's code here (no file table of its "
                     "own for the grader's thread): a notebook aimed at the grader could have read the tests")
    notes += list(extra_notes)
    return Verdict(results, scores, total, percent, "; ".join([status] + notes), errors, reference_imports)
