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


def solution_lines(master_nb):
    """Distinctive lines of solution code and hidden tests: none may reach a student."""
    from otter.assign.solutions import replace_solutions
    secret, public = set(), set()
    in_solution = in_tests = False
    for cell in master_nb["cells"]:
        marker = _raw_marker(cell)
        if marker:
            in_solution = marker.startswith("BEGIN SOLUTION") or (in_solution and not marker.startswith("END SOLUTION"))
            in_tests = marker.startswith("BEGIN TESTS") or (in_tests and not marker.startswith("END TESTS"))
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
    return {l for l in secret - public
            if len(l) >= 12 and "SOLUTION" not in l and "PROMPT" not in l and not l.startswith("#")}


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
    """Code for a cell that runs each test case in the notebook's namespace and prints which passed."""
    return ("import json as _json\n_cases = " + repr(cases) + "\n_passed = {}\n"
            "for _q, _codes in _cases.items():\n"
            "    _passed[_q] = []\n"
            "    for _code in _codes:\n"
            "        try:\n"
            "            exec(compile(_code, '<test case>', 'exec'), globals())\n"
            "            _passed[_q].append(True)\n"
            "        except BaseException:\n"
            "            _passed[_q].append(False)\n"
            "print(_json.dumps(_passed))")
