"""A student notebook with a planted bug, run in a kernel: what its `grader.check` shows (slow).

The notebook is the master's code with one solution line broken, the student notebook's own init
cell (tinytorch.checks.Notebook) and the public tests its build stored in its metadata."""
import ast
import html as html_text
import json
import re

import pytest

from autograder import course
from autograder.course import master
from tests.pipeline import nbtools
from tinytorch import checks
from tinytorch.cli.main import main

# (module, question, a solution line, the bug planted in its place)
BUGS = {
    "06_autograd": ("q4", "grad_b = np.swapaxes(x, -1, -2) @ grad\n",  # the transpose on the wrong side
                    "grad_b = np.swapaxes(np.swapaxes(x, -1, -2) @ grad, -1, -2)\n"),
    "03_layers": ("q2", "output = input @ weight.T\n", "output = input @ weight\n"),  # raises in matmul
}
MAX_LINES_PER_CASE = 6


def _assigned(source):
    """Names a test case's code assigns at its top level."""
    return {t.id for node in ast.walk(ast.parse(source)) if isinstance(node, (ast.Assign, ast.AugAssign))
            for t in (node.targets if isinstance(node, ast.Assign) else [node.target]) if isinstance(t, ast.Name)}


def _with_bug(mid):
    """(the filled notebook of mid with its bug planted, its student notebook)."""
    q, line, bug = BUGS[mid]
    m = course.module(mid)
    student = json.loads(m.student.read_text(encoding="utf-8"))
    nb = nbtools.filled(master.read(m.master), mid, metadata=student["metadata"])
    init = [c for c in student["cells"] if master.source(c).startswith("# Initialize Otter")]
    nb["cells"][0] = dict(nb["cells"][0], source=master.source(init[0]))
    planted = [c for c in nb["cells"] if line in master.source(c)]
    assert len(planted) == 1, f"{mid}: the solution line to break was not found once"
    planted[0]["source"] = master.source(planted[0]).replace(line, bug)
    return nb, student


def _run_with_bug(mid, tmp_path):
    """(check's text, check's HTML, names the check left in the notebook, the question's case sources)."""
    q = BUGS[mid][0]
    nb, student = _with_bug(mid)
    check = [i for i, c in enumerate(nb["cells"]) if master.source(c).strip() == f'grader.check("{q}")'][0]
    nb["cells"] = nb["cells"][:check] + [master.code_cell("_tt_before = set(globals())"), nb["cells"][check],
                                          master.code_cell("print(sorted(set(globals()) - _tt_before))")]
    for i, cell in enumerate(nb["cells"]):
        cell["id"] = f"cell-{i}"
    path = tmp_path / f"{mid}.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    done = nbtools.execute(path, tmp_path / "run", allow_errors=True)
    result = [o for o in done.cells[-2].outputs if o.get("output_type") == "execute_result"][0]["data"]
    new_names = "".join(o.get("text", "") for o in done.cells[-1].outputs)
    cases = [checks.isolated_source(c["code"])[0] for c in student["metadata"]["otter"]["tests"][q]["suites"][0]["cases"]]
    return result["text/plain"], result.get("text/html", ""), new_names, cases


@pytest.mark.parametrize("mid", sorted(BUGS))
def test_a_failing_check_shows_its_message_first_in_a_few_lines(mid, tmp_path):
    q = BUGS[mid][0]
    text, html, new_names, cases = _run_with_bug(mid, tmp_path)
    lines = text.splitlines()
    assert re.match(rf"{q} failed \(case \d+ of {len(cases)}\): \S", lines[0]), text
    blocks = [i for i, l in enumerate(lines) if l.startswith(f"{q} failed (case ")] + [len(lines) - 1]
    assert all(b - a <= MAX_LINES_PER_CASE for a, b in zip(blocks, blocks[1:])), text
    assert "Trying:" not in text and "NameError" not in text, text  # one error per case, no follow-on
    assert f">{lines[0]}</strong>" in html_text.unescape(html), html
    leaked = sorted(n for source in cases for n in _assigned(source) if f"'{n}'" in new_names)
    assert not leaked, f"{mid}: test cases left these variables in the notebook: {leaked}"
    if mid == "06_autograd":  # the wrong transpose is named as what it is
        assert re.match(rf"{q} failed \(case 1 of \d+\): gradient of b: expected shape \(4, 5\), got \(5, 4\)$",
                        lines[0]), text


def test_tinytorch_check_prints_the_same_first_message(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("TINYTORCH_WORKSPACE", raising=False)
    ws = tmp_path / "work"
    assert main(["start", "06", "--workspace", str(ws)]) == 0
    nb, _ = _with_bug("06_autograd")
    (ws / "06_autograd.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    capsys.readouterr()
    assert main(["check", "06", "--workspace", str(ws)]) == 1
    out = capsys.readouterr().out
    (tmp_path / "notebook").mkdir()
    shown, _, _, _ = _run_with_bug("06_autograd", tmp_path / "notebook")
    first = shown.splitlines()[0]  # "q4 failed (case 1 of 3): gradient of b: ..."
    q, _, rest = first.partition(" failed ")
    assert f"{q}: FAILED {rest}" in out.splitlines(), out
