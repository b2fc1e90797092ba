"""Helpers for tests that read and execute notebooks."""
import ast
import json
import re
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
    """Code for a cell that runs each test case the way `grader.check` and the autograder zip do (a
    doctest made by otter, then run alone by tinytorch.checks.isolate) and prints which passed.

    A doctest also fails when a bare expression prints a value (isolate refuses such a case), and a
    case that needs a variable of an earlier case fails here as it would for the student.
    """
    return ("import json as _json\n"
            "from otter.assign.utils import str_to_doctest as _to_doctest\n"
            "from otter.test_files.ok_test import run_doctest as _run_doctest\n"
            "from tinytorch.checks import isolate as _isolate\n"
            "_cases = " + repr(cases) + "\n_passed = {}\n"
            "for _q, _codes in _cases.items():\n"
            "    _passed[_q] = []\n"
            "    for _i, _code in enumerate(_codes):\n"
            "        _lines = [l for l in _code.strip().split('\\n') if l.strip() != '# HIDDEN']\n"
            "        _doc = _isolate('\\n'.join(_to_doctest(_lines, [])), f'{_q}, case {_i + 1}')\n"
            "        _ok, _ = _run_doctest(f'{_q} {_i}', _doc, globals())\n"
            "        _passed[_q].append(bool(_ok))\n"
            "print(_json.dumps(_passed))")


EXACT = ("inner dimensions",)  # 01's notebook states this message exactly ("exactly the message in the docstring")
WORD = re.compile(r"\S+")
QUOTED = re.compile(r'"([^"\n]*)"|\'([^\'\n]*)\'|`([^`\n]*)`')


def _solution_lines(src):
    lines, start = set(), None
    for n, line in enumerate(src.splitlines(), 1):
        if "# BEGIN SOLUTION" in line:
            start = n
        elif "# END SOLUTION" in line and start:
            lines |= set(range(start, n + 1))
            start = None
        elif line.rstrip().endswith("# SOLUTION"):
            lines.add(n)
    return lines


def _rewrite_messages(nb, rewrite):
    """A copy of `nb` in which the message of every `raise E("...")` / `raise E(f"...")` inside the
    solution markers (a student's own words) is replaced by `rewrite(message node, its source)`."""
    nb = json.loads(json.dumps(nb))
    for cell in nb["cells"]:
        src = master.source(cell)
        mine = _solution_lines(src)
        try:
            tree = ast.parse(src)
        except SyntaxError:
            continue
        args = [n.exc.args[0] for n in ast.walk(tree) if isinstance(n, ast.Raise) and n.lineno in mine
                and isinstance(n.exc, ast.Call) and n.exc.args and isinstance(n.exc.args[0], (ast.Constant, ast.JoinedStr))
                and not any(k in ast.unparse(n.exc.args[0]) for k in EXACT)]
        lines = [line.encode() for line in src.splitlines(keepends=True)]
        for arg in sorted(args, key=lambda a: (a.lineno, a.col_offset), reverse=True):  # offsets: UTF-8 bytes
            old = ast.get_source_segment(src, arg)
            lines[arg.lineno - 1:arg.end_lineno] = [lines[arg.lineno - 1][:arg.col_offset] + rewrite(arg, old).encode()
                                                   + lines[arg.end_lineno - 1][arg.end_col_offset:]]
        cell["source"] = b"".join(lines).decode()
    return nb


def stated_text(student_nb):
    """What a student notebook states: its cells and its public tests."""
    text = "\n".join(master.source(c) for c in student_nb["cells"])
    for test in student_nb["metadata"].get("otter", {}).get("tests", {}).values():
        text += "\n".join(c.get("code", "") for s in test.get("suites", []) for c in s.get("cases", []))
    return text


def _keep(text, stated):
    """The runs of words of `text` that the notebook states: runs of 2+ words found verbatim, single
    words inside a quoted fragment (a message template, a test's string), punctuation."""
    quoted = " ".join(" ".join(g) for g in QUOTED.findall(stated))
    words, out, i = WORD.findall(text), [], 0
    while i < len(words):
        for j in range(len(words), i, -1):
            core = " ".join(words[i:j]).strip(" :;,.()'\"")
            if not core or (core in stated if j - i > 1 else
                            re.search(r"(?<!\w)" + re.escape(core) + r"(?!\w)", quoted)):
                out.append(" ".join(words[i:j]))
                i = j
                break
        else:
            i += 1
    return " ".join(out)


def stated_only(nb, stated):
    """The same solutions with every error message the student writes cut down to the phrases
    `stated` (stated_text) holds and its formatted values: the least a message can say."""
    def rewrite(arg, old):
        new = []
        for part in arg.values if isinstance(arg, ast.JoinedStr) else [arg]:
            if isinstance(part, ast.Constant):
                text, kept = str(part.value), _keep(str(part.value), stated)
                lead, trail = " " if text[:1].isspace() else "", " " if text[-1:].isspace() else ""
                new.append(((lead + kept + trail) if kept else (" " if text.strip() != text else ""))
                           .replace("{", "{{").replace("}", "}}"))
            else:
                spec = ":" + "".join(v.value for v in part.format_spec.values) if part.format_spec else ""
                conv = "!" + chr(part.conversion) if part.conversion != -1 else ""
                new.append("{" + ast.unparse(part.value) + conv + spec + "}")
        return "f" + repr("".join(new) + " (in my words)")
    return _rewrite_messages(nb, rewrite)
