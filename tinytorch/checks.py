"""What `grader.check("qN")` shows in a course notebook: the failing test's message first.

Two halves that agree on one format:
  isolate(code, label)   used when the student notebooks are generated (autograder/course/student.py):
                         an otter OK-format test case (a doctest of several `>>>` lines) becomes ONE
                         doctest line that runs the case's code in a copy of the notebook's globals,
                         so a case stops at its first failing line and leaks no variable.
  Notebook(name)         the notebook's otter init cell: otter.Notebook whose check results print
                         "q3 failed (case 2 of 4): <the assertion's message>" first, then the failing
                         line of the test, instead of otter's whole doctest transcript.
otter is imported only by Notebook(); the rest is the standard library (it runs in Pyodide too).
"""
import ast
import html
import sys

MAX_MESSAGE_LINES = 4  # lines of one failure's message shown (its first line always whole)
MAX_WIDTH = 300        # characters of a continuation or test line shown


def isolate(code, label):
    """The OK-format case `code` (doctest text) as one doctest line that runs it alone.

    label: names the case in tracebacks, e.g. "q3, case 2 of 4". The line is
        >>> exec(compile(<source>, <label>, 'exec'), dict(globals()))
    A case whose doctest expects printed output cannot be expressed so: ValueError."""
    import doctest  # here, not at the top: the init cell of every notebook imports this module
    examples = doctest.DocTestParser().get_examples(code)
    wanting = [e.source.strip() for e in examples if e.want.strip()]
    if wanting:
        raise ValueError(f"{label}: test lines must be asserts, not expressions whose printed value is "
                         f"compared; got {wanting[0]!r} expecting output")
    source = "".join(e.source for e in examples)
    return f">>> exec(compile({source!r}, {label!r}, 'exec'), dict(globals()))\n"


def isolated_source(body):
    """(source, label) of a case made by isolate(), or None for any other doctest text."""
    import doctest
    try:
        examples = doctest.DocTestParser().get_examples(body)
        call = ast.parse(examples[0].source, mode="eval").body if len(examples) == 1 else None
    except (SyntaxError, ValueError):
        return None
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "exec"
            and call.args and isinstance(call.args[0], ast.Call) and len(call.args[0].args) == 3):
        return None
    source, label = call.args[0].args[:2]
    if isinstance(source, ast.Constant) and isinstance(label, ast.Constant) \
            and isinstance(source.value, str) and isinstance(label.value, str):
        return source.value, label.value
    return None


def _first_failure(transcript):
    """The lines of the first failed example in otter's doctest transcript (from its "****" line
    to the next example): later examples of a doctest otter made itself fail only in its wake."""
    lines = transcript.splitlines()
    start = next((i for i, l in enumerate(lines) if l.startswith("*" * 20)), None)
    if start is None:
        return []
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith(("*" * 20, "Trying:"))), len(lines))
    return lines[start:end]


def _traceback(block):
    """(frame lines, exception lines) of the last traceback in a failure block (the exception that
    ended the example, after any it was raised while handling), dedented."""
    starts = [i for i, l in enumerate(block) if l.strip() == "Traceback (most recent call last):"]
    if not starts:
        return [], []
    indent = len(block[starts[-1]]) - len(block[starts[-1]].lstrip())
    rest = [l[indent:] if l[:indent].isspace() else l.strip() for l in block[starts[-1] + 1:]]
    # Frame lines are indented under "Traceback"; the exception starts at the first line that is not.
    cut = next((i for i, l in enumerate(rest) if l and not l[0].isspace()), len(rest))
    return rest[:cut], rest[cut:]


def _failing_line(frames, source, label):
    """(line number, text) of the test's own line that failed, or (None, "")."""
    number = None
    for frame in frames:
        stripped = frame.strip()
        if stripped.startswith(f'File "{label}", line '):
            number = int(stripped[len(f'File "{label}", line '):].split(",")[0])
    lines = (source or "").splitlines()
    if number is None or not 0 < number <= len(lines):
        return number, ""
    return number, lines[number - 1].strip()


def _clip(text):
    return text if len(text) <= MAX_WIDTH else text[:MAX_WIDTH - 3] + "..."


def failure(body, transcript):
    """(message, [context lines]) of one failed case, from its doctest text and otter's transcript.

    message: the assertion's message (or "TypeName: message" for any other error) on one line;
    context: what remains of a multi-line message, then the failing line of the test."""
    found = isolated_source(body)
    source, label = found if found else (None, None)
    block = _first_failure(transcript or "")
    frames, exception = _traceback(block)
    if exception:
        head, _, rest = exception[0].partition(": ")
        if head.split(".")[-1] == "AssertionError":
            first = rest.strip() or "an assert failed"
        else:
            first = exception[0].strip()
        more = [l.rstrip() for l in exception[1:] if l.strip()]
    else:  # no exception: the case printed something where nothing was expected
        got = [i for i, l in enumerate(block) if l == "Got:"]
        printed = [l.strip() for l in block[got[0] + 1:] if l.strip()] if got else []
        first = "the test printed output where none was expected" + (f": {printed[0]}" if printed else "")
        more = printed[1:]
    context = [_clip(l) for l in more[:MAX_MESSAGE_LINES - 1]]
    if len(more) > MAX_MESSAGE_LINES - 1:
        context.append(f"... ({len(more) - MAX_MESSAGE_LINES + 1} more lines)")
    if label:
        number, text = _failing_line(frames, source, label)
        where = f"at line {number} of the test" if text else ""
    else:  # otter's own doctest (not made by isolate): the example that failed
        failed = [i for i, l in enumerate(block) if l == "Failed example:"]
        text = block[failed[0] + 1].strip() if failed and failed[0] + 1 < len(block) else ""
        where = "in the test"
    if text:
        context.append(f"{where}: {_clip(text)}")
    return first, context


def report(result):
    """The lines that a check result (otter's TestFile, after running) shows, failures first.

    Failed: per failing public case "qN failed (case i of n): message" and ≤ 5 indented lines of
    context; then the count of public cases that passed and the cases' messages (the hidden tests note).
    Passed: "qN passed!" and the cases' success messages."""
    results = [r for r in result.test_case_results if not r.test_case.hidden]
    notes = []
    if all(r.passed for r in results):
        for r in results:
            if r.test_case.success_message and r.test_case.success_message not in notes:
                notes.append(r.test_case.success_message)
        return [f"{result.name} passed!" + "".join(" " + n for n in notes)]
    lines = []
    for i, r in enumerate(results, 1):
        if r.passed:
            continue
        message, context = failure(r.test_case.body, r.message)
        lines.append(f"{result.name} failed (case {i} of {len(results)}): {message}")
        lines += ["    " + c for c in context]
    for r in results:  # otter's per-case messages (the hidden tests note), once each
        note = r.test_case.success_message if r.passed else r.test_case.failure_message
        if note and note not in notes:
            notes.append(note)
    passed = sum(r.passed for r in results)
    lines.append(f"{result.name}: {passed} of {len(results)} test cases passed here." + "".join(" " + n for n in notes))
    return lines


def first_failure(result):
    """("case i of n", message) of the first failing public case of a check result, or None."""
    results = [r for r in result.test_case_results if not r.test_case.hidden]
    for i, r in enumerate(results, 1):
        if not r.passed:
            return f"case {i} of {len(results)}", failure(r.test_case.body, r.message)[0]
    return None


class CheckResult:
    """A check result (otter's TestFile, which otter keeps unchanged) shown as report(result) in
    text and HTML; every other attribute (passed_all, test_case_results, ...) is the result's."""

    def __init__(self, result):
        self.result = result

    def __getattr__(self, name):
        if name.startswith("__") or "result" not in self.__dict__:  # unpickling, copying
            raise AttributeError(name)
        return getattr(self.result, name)

    def __repr__(self):
        return "\n".join(report(self.result))

    def _repr_html_(self):
        lines = report(self.result)
        color = "#1a7f37" if self.result.passed_all_public else "#b3261e"
        rest = "\n".join(html.escape(l) for l in lines[1:])
        return (f"<pre style='white-space: pre-wrap'><strong style='color: {color}'>{html.escape(lines[0])}"
                "</strong>" + (f"\n{rest}" if rest else "") + "</pre>")


def present(result):
    """report(result) first, as text and as HTML: a CheckResult of otter's check result."""
    if not hasattr(result, "test_case_results"):
        return result  # e.g. None while otter grades, or a stand-in's result
    return CheckResult(result)


def Notebook(*args, **kwargs):
    """otter.Notebook(*args, **kwargs) whose `check` results show the failing message first (report)."""
    import otter
    base = otter.Notebook
    if not isinstance(base, type) or not hasattr(base, "check"):
        return base(*args, **kwargs)  # a stand-in (the batch grader's): nothing to present

    class CourseNotebook(base):
        def check(self, question, global_env=None):
            if global_env is None:
                global_env = sys._getframe(1).f_globals  # the notebook's globals, as otter would take
            return present(super().check(question, global_env))

    return CourseNotebook(*args, **kwargs)
