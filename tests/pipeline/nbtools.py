"""Helpers for tests that read and execute notebooks."""
import json
import shutil
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from autograder.build import _raw_marker, _src


def questions(master_nb):
    """{question name: [test case code, ...]} from a master notebook, hidden cases included."""
    out, name, in_tests = {}, None, False
    for cell in master_nb["cells"]:
        marker = _raw_marker(cell)
        if marker and marker.startswith("BEGIN QUESTION"):
            name = next(l.split(":", 1)[1].strip() for l in _src(cell).splitlines() if l.strip().startswith("name:"))
            out[name] = []
        elif marker and marker.startswith("BEGIN TESTS"):
            in_tests = True
        elif marker and marker.startswith("END TESTS"):
            in_tests = False
        elif in_tests and cell["cell_type"] == "code":
            out[name].append(_src(cell))
    return out


def _secret_and_public_lines(master_nb):
    from otter.assign.solutions import replace_solutions
    secret, public = set(), set()
    in_solution = in_tests = False
    for cell in master_nb["cells"]:
        marker = _raw_marker(cell)
        if marker:
            in_solution = marker.startswith("BEGIN SOLUTION") or (in_solution and not marker.startswith("END SOLUTION"))
            in_tests = marker.startswith("BEGIN TESTS") or (in_tests and not marker.startswith("END TESTS"))
            continue
        if cell["cell_type"] == "markdown":
            # The exercise text may quote what to write (`return input * Tensor(mask)`): that is no leak.
            public.add(_src(cell).replace("`", ""))
            continue
        if cell["cell_type"] != "code":
            continue
        lines = _src(cell).splitlines()
        if in_tests and lines and lines[0].strip() == "# HIDDEN":
            secret.update(l.strip() for l in lines[1:])
            continue
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
