"""Helpers for tests that read and execute notebooks."""
import json
import shutil
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from autograder.course import master


def questions(master_nb):
    """{question name: [test cell source, ...]} from a master notebook, hidden cases included."""
    return {q.name: [case.source for case in q.cases] for q in master.questions(master_nb)}


def _secret_and_public_lines(master_nb):
    from otter.assign.solutions import replace_solutions
    secret, public = set(), set()
    for cell in master.walk(master_nb):
        if cell.type == "markdown":
            # The exercise text may quote what to write (`return input * Tensor(mask)`): that is no leak.
            public.add(cell.source.replace("`", ""))
            continue
        if cell.type != "code":
            continue
        if cell.region == "tests":
            case = master.read_case(cell.data)
            if case.hidden:
                secret.update(l.strip() for l in case.code.splitlines())
                continue
        lines = cell.source.splitlines()
        kept = set(l.strip() for l in replace_solutions(lines, "python"))
        public.update(kept)
        secret.update(l.strip() for l in lines if l.strip() not in kept)
    return secret, public


def solution_lines(*master_nbs):
    """Distinctive lines of solution code and hidden tests: none may reach a student or reader.

    With several masters (a whole site), a line any of them shows in public is not a secret.
    """
    secret, public = set(), set()
    for nb in master_nbs:
        s, p = _secret_and_public_lines(nb)
        secret |= s
        public |= p
    prose = " ".join(" ".join(p for p in public if "\n" in p).split())  # markdown reflows lines
    return {l for l in secret - public
            if len(l) >= 12 and "SOLUTION" not in l and "PROMPT" not in l and not l.startswith("#")
            and " ".join(l.split()) not in prose}


def filled(master_nb, module_id, metadata=None):
    """What a student who completed every exercise has: the master's code without its tests, a
    `grader.check` after each question (and the student notebook's `metadata`, so that otter finds
    the public tests there when the notebook checks itself)."""
    cells = [master.code_cell(f'import otter\ngrader = otter.Notebook("{module_id}.ipynb")')]
    for c in master.walk(master_nb):
        if c.is_(master.END_QUESTION):
            cells.append(master.code_cell(f'grader.check("{c.question}")'))
        elif c.type != "raw" and c.region != "tests":
            cells.append(dict(c.data, source=c.source))
    for i, cell in enumerate(cells):
        cell["id"] = f"cell-{i}"
    return {"cells": cells, "metadata": metadata or {}, "nbformat": 4, "nbformat_minor": 5}


def execute(path, workdir, extra_cells=(), allow_errors=False, timeout=300):
    """Execute a notebook (copied into workdir) plus extra code cells; return the executed notebook."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    target = workdir / Path(path).name
    shutil.copy(path, target)
    nb = nbformat.read(target, as_version=4)
    for code in extra_cells:
        nb.cells.append(nbformat.v4.new_code_cell(code))
    NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=allow_errors,
                   resources={"metadata": {"path": str(workdir)}}).execute()
    return nb


def last_json(nb):
    """The JSON printed by the notebook's last cell."""
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("output_type") == "stream")
    return json.loads(text.strip().splitlines()[-1])


def run_cases_cell(cases):
    """Code for a cell that runs each test case the way otter does (as a doctest) and prints which passed.

    A doctest also fails when a bare expression prints a value, so this catches cases that would
    fail under otter even though their asserts hold.
    """
    return ("import json as _json\n"
            "from otter.assign.utils import str_to_doctest as _to_doctest\n"
            "from otter.test_files.ok_test import run_doctest as _run_doctest\n"
            "_cases = " + repr(cases) + "\n_passed = {}\n"
            "for _q, _codes in _cases.items():\n"
            "    _passed[_q] = []\n"
            "    for _i, _code in enumerate(_codes):\n"
            "        _lines = [l for l in _code.strip().split('\\n') if l.strip() != '# HIDDEN']\n"
            "        _ok, _ = _run_doctest(f'{_q} {_i}', '\\n'.join(_to_doctest(_lines, [])), globals())\n"
            "        _passed[_q].append(bool(_ok))\n"
            "print(_json.dumps(_passed))")
