"""What a failing `grader.check` shows (tinytorch/checks.py): the message first, each case alone."""
import json
import pickle
import re
import sys
import types
import zipfile

import numpy as np
import pytest
from otter.test_files.ok_test import OKTestFile

from autograder.course import master, registry, student
from tinytorch import Tensor, checks
from tinytorch.cli.checks import Checks
from tinytorch.core.autograd import GRADIENTS, backward

MAX_LINES_PER_CASE = 6


def _spec(name, *codes, hidden_note=None):
    """An OK-format test of the student notebook, each case made by checks.isolate as the build does."""
    cases = [{"code": checks.isolate(_doctest(c), f"{name}, case {i} of {len(codes)}"),
              "hidden": False, "locked": False} for i, c in enumerate(codes, 1)]
    if hidden_note:
        cases[-1]["success_message"] = cases[-1]["failure_message"] = hidden_note
    return {"name": name, "points": 1, "suites": [{"cases": cases, "scored": True, "setup": "", "teardown": "",
                                                   "type": "doctest"}]}


def _doctest(code):
    """Python lines as otter assign stores them: `>>> ` before each statement, `... ` after."""
    out = []
    for line in code.splitlines():
        out.append(("... " if line.startswith((" ", "else", "except", "elif", "finally")) else ">>> ") + line)
    return "\n".join(out) + "\n"


def _run(spec, env):
    test = OKTestFile.from_spec(spec)
    test.run(env)
    return checks.present(test)


def test_a_failing_check_shows_the_assertion_message_first_and_alone():
    env = {"np": np, "Tensor": Tensor, "__builtins__": __builtins__}
    result = _run(_spec("q3", "x = 2\nassert x == 2, 'x should be 2'",
                        "c = Tensor(np.ones((4, 2)))\nassert c.shape == (2, 4), f'matmul(a, b) should have shape (2, 4), "
                        "got {c.shape}'\nassert False, 'never reached'"), env)
    lines = repr(result).splitlines()
    assert lines[0] == "q3 failed (case 2 of 2): matmul(a, b) should have shape (2, 4), got (4, 2)", lines
    assert lines[1].strip().startswith("at line 2 of the test: assert c.shape == (2, 4)"), lines
    assert len(lines) - 1 <= MAX_LINES_PER_CASE and "Trying:" not in repr(result)
    html = result._repr_html_()
    assert re.search(r"<strong[^>]*>q3 failed \(case 2 of 2\): matmul\(a, b\) should have shape", html), html


def test_otter_keeps_its_own_result_and_ours_pickles():
    # Gradescope's otter pickles the results it collected; a notebook's otter log pickles them too.
    test = OKTestFile.from_spec(_spec("q1", "assert 1 == 2, 'one is not two'"))
    test.run({"__builtins__": __builtins__})
    shown = checks.present(test)
    assert type(test) is OKTestFile and shown.result is test and not shown.passed_all
    again = pickle.loads(pickle.dumps(shown))
    assert repr(again) == repr(shown) and repr(shown).startswith("q1 failed (case 1 of 1): one is not two\n")
    pickle.dumps(test)


def test_a_case_stops_at_its_first_failing_line_with_one_error():
    # Otter runs each line as a doctest example and goes on after one raises: `y` is then undefined too.
    result = _run(_spec("q1", "y = not_defined_by_the_student(3)\nassert y == 3, f'y should be 3, got {y}'"),
                  {"__builtins__": __builtins__})
    transcript = result.test_case_results[0].message
    assert transcript.count("Traceback") == 1 and "name 'y' is not defined" not in transcript, transcript
    assert repr(result).splitlines()[0] == \
        "q1 failed (case 1 of 1): NameError: name 'not_defined_by_the_student' is not defined"


def test_cases_share_no_variables_with_the_notebook_or_each_other():
    env = {"__builtins__": __builtins__, "kept": 1}
    result = _run(_spec("q2", "leaked = 5\nkept = 2\nassert kept == 2",
                        "assert 'leaked' not in globals(), 'leaked from case 1'\nassert kept == 1, 'kept was changed'"),
                  env)
    assert result.passed_all, repr(result)
    assert "leaked" not in env and env["kept"] == 1


def test_a_long_message_keeps_its_first_line_whole_and_the_rest_short():
    result = _run(_spec("q4", "got = np.arange(40.0).reshape(20, 2)\nassert False, f'wrong values, got\\n{got}'"),
                  {"np": np, "__builtins__": __builtins__})
    lines = repr(result).splitlines()
    assert lines[0] == "q4 failed (case 1 of 1): wrong values, got"
    assert len(lines) - 1 <= MAX_LINES_PER_CASE and "more lines" in repr(result), lines


def test_a_passing_check_is_one_line_with_the_hidden_tests_note():
    note = "3 hidden tests were not run here; they run when your notebook is graded."
    result = _run(_spec("q1", "assert 1 + 1 == 2", hidden_note=note), {"__builtins__": __builtins__})
    assert repr(result) == f"q1 passed! {note}"
    failed = _run(_spec("q1", "assert 1 + 1 == 3, 'arithmetic'", "assert True", hidden_note=note),
                  {"__builtins__": __builtins__})
    assert repr(failed).splitlines()[-1] == f"q1: 1 of 2 test cases passed here. {note}"


def test_a_case_otter_made_alone_still_shows_its_message_first():
    # A notebook generated before isolate(): otter's doctest of several lines goes on after the
    # failing assert (a NameError follows); the first failure is the one shown.
    spec = _spec("q1", "assert True")
    spec["suites"][0]["cases"][0]["code"] = ">>> a = 1\n>>> assert a == 2, f'a should be 2, got {a}'\n>>> c = undefined\n"
    lines = repr(_run(spec, {"__builtins__": __builtins__})).splitlines()
    assert lines[0] == "q1 failed (case 1 of 1): a should be 2, got 1", lines
    assert lines[1].strip() == "in the test: assert a == 2, f'a should be 2, got {a}'", lines


def test_a_case_that_prints_fails_as_under_otter_and_says_so():
    result = _run(_spec("q2", "print('debugging', 42)\nassert True"), {"__builtins__": __builtins__})
    assert repr(result).splitlines()[0] == "q2 failed (case 1 of 1): the test printed output where none was " \
                                           "expected: debugging 42"


def test_a_case_that_expects_printed_output_is_refused():
    with pytest.raises(ValueError, match=r"q1, case 1 of 1: test lines must be asserts.*'x'"):
        checks.isolate(">>> x = 1\n>>> x\n1\n", "q1, case 1 of 1")


def test_the_first_failure_is_what_tinytorch_check_prints():
    result = _run(_spec("q5", "assert True", "assert 2 < 1, 'two is not less than one'"),
                  {"__builtins__": __builtins__})
    where, message = checks.first_failure(result)
    assert (where, message) == ("case 2 of 2", "two is not less than one")
    found = Checks(results={"q5": (False, f"({where}): {message}"), "q6": (True, "")})
    assert found.lines() == ["q5: FAILED (case 2 of 2): two is not less than one", "q6: passed"]


def test_the_course_notebook_presents_otter_results_and_leaves_a_stand_in_alone(tmp_path, monkeypatch):
    nb = {"cells": [], "metadata": {"otter": {"OK_FORMAT": True, "assignment_name": "m",
                                              "tests": {"q1": _spec("q1", "assert value == 2, f'value should be 2, got {value}'")}}},
          "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "m.ipynb").write_text(json.dumps(nb))
    monkeypatch.chdir(tmp_path)
    ns = {"grader": checks.Notebook("m.ipynb"), "value": 3}
    exec("result = grader.check('q1')", ns)  # no global_env: the caller's globals, as in a notebook
    assert repr(ns["result"]).splitlines()[0] == "q1 failed (case 1 of 1): value should be 2, got 3"
    stub = types.ModuleType("otter")
    stub.Notebook = type("Notebook", (), {"__init__": lambda self, *a: None,
                                          "__getattr__": lambda self, name: (lambda *a, **k: None)})
    monkeypatch.setitem(sys.modules, "otter", stub)  # what the batch grader's runner.py provides
    assert checks.Notebook("m.ipynb").check("q1") is None


def test_the_build_isolates_every_case_and_installs_the_course_init_cell():
    nb = {"cells": [master.code_cell('# Initialize Otter\nimport otter\ngrader = otter.Notebook("m.ipynb")')],
          "metadata": {"otter": {"tests": {"q1": {"name": "q1", "suites": [{"cases": [{"code": ">>> a = 1\n>>> assert a == 1\n"},
                                                                        {"code": ">>> assert True\n"}]}]}}}}}
    student.isolate_cases(nb)
    codes = [c["code"] for c in nb["metadata"]["otter"]["tests"]["q1"]["suites"][0]["cases"]]
    assert [checks.isolated_source(c) for c in codes] == [("a = 1\nassert a == 1\n", "q1, case 1 of 2"),
                                                         ("assert True\n", "q1, case 2 of 2")]
    student.use_course_checks(nb, "m.ipynb")
    init = master.source(nb["cells"][0])
    assert "from tinytorch.checks import Notebook" in init and 'grader = Notebook("m.ipynb")' in init
    with pytest.raises(ValueError, match="expected one otter init cell"):
        student.use_course_checks({"cells": []}, "m.ipynb")


def test_the_autograder_zip_runs_every_case_alone_too(tmp_path):
    path = tmp_path / "m-autograder.zip"
    spec = _spec("q1", "assert True")
    spec["suites"][0]["cases"] = [{"code": ">>> a = 1\n>>> assert a == 1\n", "hidden": False},
                                  {"code": ">>> assert 'a' not in globals(), 'a leaked'\n", "hidden": True}]
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("tests/q1.py", f"OK_FORMAT = True\n\ntest = {spec!r}\n")
        z.writestr("run_otter.py", "print('unchanged')\n")
    student.isolate_zip_tests(path)
    with zipfile.ZipFile(path) as z:
        assert z.read("run_otter.py") == b"print('unchanged')\n"
        loaded = {}
        exec(z.read("tests/q1.py").decode(), loaded)
    assert checks.isolated_source(loaded["test"]["suites"][0]["cases"][1]["code"]) == \
        ("assert 'a' not in globals(), 'a leaked'\n", "q1, case 2 of 2")
    test = OKTestFile.from_spec(loaded["test"])
    test.run({"__builtins__": __builtins__})
    assert test.passed_all and [c.hidden for c in test.test_cases] == [False, True]


def _gradient_check():
    """The gradient_check helper that 06_autograd's tests use (a code cell of its master)."""
    nb = json.loads((registry.ROOT / "notebooks" / "masters" / "06_autograd.ipynb").read_text(encoding="utf-8"))
    code = [master.source(c) for c in nb["cells"] if "def gradient_check(" in master.source(c)]
    helper = code[0][:code[0].index("\nrng = ")]
    ns = {"np": np, "Tensor": Tensor, "backward": backward, "GRADIENTS": GRADIENTS}
    exec(helper, ns)
    return ns["gradient_check"]


def test_a_transposed_matmul_gradient_is_named_a_shape_error(monkeypatch):
    # backward's unbroadcast reshapes a (3, 2) gradient to (2, 3) silently: only the values differed.
    gradient_check = _gradient_check()
    right = GRADIENTS["matmul"]

    def transposed(grad, out, inputs, saved):  # the bug: b's gradient is (a^T @ grad)^T
        grad_a, grad_b = right(grad, out, inputs, saved)
        return [grad_a, grad_b.T]

    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 2))
    assert gradient_check(lambda a, b: a @ b, a, b) < 1e-6
    monkeypatch.setitem(GRADIENTS, "matmul", transposed)
    with pytest.raises(AssertionError, match=r"^gradient of b: expected shape \(3, 2\), got \(2, 3\)$"):
        gradient_check(lambda a, b: a @ b, a, b)
    assert GRADIENTS["matmul"] is transposed, "gradient_check must put the rules back"
    monkeypatch.setitem(GRADIENTS, "matmul", right)
    with pytest.raises(AssertionError, match=r"gradient of a: expected shape \(4, 3\), got no gradient"):
        gradient_check(lambda a, b: b * 2.0, a, b)
