"""The master-notebook format (Otter assign), read in one place.

A master notebooks/masters/NN_name.ipynb is a notebook whose raw cells are Otter's markers:

    # ASSIGNMENT CONFIG          (YAML below the first line: name, init_cell, ...)
    # BEGIN QUESTION             (YAML: name, points, all_or_nothing, manual)
    # BEGIN SOLUTION / # END SOLUTION   around the cells holding the reference solution
    # BEGIN TESTS / # END TESTS         around the test cells, one test case per code cell
    # END QUESTION

A test cell whose first line is a comment with the word "hidden" (`# HIDDEN`) is hidden from
students; a `# BEGIN TEST CONFIG` ... `# END TEST CONFIG` header (in a triple-quoted string)
may set `hidden` and `points` instead. Inside code, `# BEGIN SOLUTION` / `# END SOLUTION`
comment lines and `x = value  # SOLUTION` mark what the student writes; `#|` lines are export
directives (tinytorch.export). Everything that reads a master (sync, the book page, the grader's
reference, the tests) goes through this module.
"""
import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from textwrap import dedent

import yaml

ASSIGNMENT_CONFIG = "ASSIGNMENT CONFIG"
BEGIN_QUESTION, END_QUESTION = "BEGIN QUESTION", "END QUESTION"
BEGIN_SOLUTION, END_SOLUTION = "BEGIN SOLUTION", "END SOLUTION"
BEGIN_TESTS, END_TESTS = "BEGIN TESTS", "END TESTS"

_HIDDEN = re.compile(r"\bhidden\b", re.IGNORECASE)
_BEGIN_CONFIG = re.compile(r'(?:.\s*=\s*)?""?"?\s*#\s*BEGIN\s*TEST\s*CONFIG', re.IGNORECASE)
_END_CONFIG = re.compile(r'""?"?\s*#\s*END\s*TEST\s*CONFIG', re.IGNORECASE)


class MasterError(ValueError):
    """The master does not follow the format (a question without a name, points that do not add up)."""


def read(path):
    """The notebook (a dict) stored at `path`."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def dump(nb):
    """A notebook as the text the generated files store (stable, so regeneration is reproducible)."""
    return json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def source(cell):
    """A cell's source as one string (notebooks store it as a string or a list of lines)."""
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


FIGURE = "figure"  # the tag of a cell that only draws a picture: graders skip it (it defines nothing)


def is_figure(cell):
    """Is this notebook cell (a dict) tagged as a figure?"""
    tags = cell.get("metadata", {}).get("tags") if isinstance(cell.get("metadata"), dict) else None
    return isinstance(tags, list) and FIGURE in tags


def code_cell(source, tags=()):
    """A new, unexecuted code cell."""
    cell = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}
    if tags:
        cell["metadata"]["tags"] = list(tags)
    return cell


def marker(cell):
    """'BEGIN SOLUTION', 'END TESTS', 'ASSIGNMENT CONFIG', … for an Otter raw cell, else None."""
    if cell["cell_type"] != "raw":
        return None
    first = source(cell).strip().splitlines()[0] if source(cell).strip() else ""
    return first.lstrip("#").strip().upper() or None


def config(cell):
    """The YAML under the first line of an Otter raw cell, as a dict ({} if there is none)."""
    text = "\n".join(source(cell).splitlines()[1:])
    data = yaml.safe_load(text) if text.strip() else {}
    return data if isinstance(data, dict) else {}


def strip_directives(code):
    """Code without its `#|` export directives."""
    return "\n".join(l for l in code.splitlines() if not l.lstrip().startswith("#|")).strip("\n")


# ---------------------------------------------------------------- cells in their context

@dataclass(frozen=True)
class Cell:
    number: int       # position in the notebook, from 1
    data: dict        # the cell as stored
    type: str         # "code", "markdown" or "raw"
    source: str
    marker: str       # the Otter marker of a raw cell ("BEGIN QUESTION", ...), else None
    question: str     # name of the question the cell is part of (its BEGIN/END QUESTION included), else None
    region: str       # "solution" or "tests" for a cell between those markers, else None

    def is_(self, *markers):
        """Is this the raw cell of one of these markers?"""
        return self.marker is not None and self.marker.startswith(markers)


def walk(nb):
    """Every cell of a master with its marker, question and region, in notebook order."""
    question = region = None
    for number, data in enumerate(nb.get("cells", []), start=1):
        mark = marker(data)
        if mark is None:
            yield Cell(number, data, data["cell_type"], source(data), None, question, region)
            continue
        if mark.startswith(BEGIN_QUESTION):
            question, region = config(data).get("name"), None
        elif mark.startswith(BEGIN_SOLUTION):
            region = "solution"
        elif mark.startswith(BEGIN_TESTS):
            region = "tests"
        elif mark.startswith((END_SOLUTION, END_TESTS, END_QUESTION)):
            region = None
        yield Cell(number, data, data["cell_type"], source(data), mark, question, None)
        if mark.startswith(END_QUESTION):
            question = None


def assignment_config(nb):
    """(the ASSIGNMENT CONFIG cell, its YAML as a dict)."""
    for cell in nb.get("cells", []):
        if marker(cell) == ASSIGNMENT_CONFIG:
            return cell, config(cell)
    raise MasterError(f"no raw `# {ASSIGNMENT_CONFIG}` cell")


# ---------------------------------------------------------------- questions and test cases

@dataclass
class Case:
    number: int       # cell number
    source: str       # the test cell as the master has it
    code: str         # the test code (without the hidden line or the test config)
    hidden: bool
    points: float     # as the case sets them, or None


@dataclass
class Question:
    name: str
    number: int       # cell number of its BEGIN QUESTION
    config: dict
    cases: list = field(default_factory=list)  # [Case]

    @property
    def manual(self):
        return bool(self.config.get("manual"))

    @property
    def all_or_nothing(self):
        return bool(self.config.get("all_or_nothing", False))

    def case_points(self):
        """Points of each test case, as otter resolves them."""
        return resolve_points(self.config.get("points"), [c.points for c in self.cases])


def read_case(cell, number=0):
    """A test cell, read the way `otter assign` reads it."""
    text = source(cell)
    lines = text.splitlines()
    hidden = bool(lines) and lines[0].lstrip().startswith("#") and bool(_HIDDEN.search(lines[0]))
    start = 1 if hidden else 0
    settings = {}
    if lines and _BEGIN_CONFIG.match(lines[0]):
        end = next((i for i, l in enumerate(lines) if _END_CONFIG.match(l)), len(lines) - 1)
        settings = yaml.safe_load("\n".join(lines[1:end])) or {}
        start = end + 1
    return Case(number, text, dedent("\n".join(lines[start:])), bool(settings.get("hidden", hidden)),
                    settings.get("points"))


def questions(nb, filename="the master"):
    """The questions of a master (each completed by its END QUESTION), with their test cases."""
    out, current = [], None
    for cell in walk(nb):
        if cell.is_(BEGIN_QUESTION):
            current = Question(cell.question, cell.number, config(cell.data))
            if not current.name:
                raise MasterError(f"{filename}, cell {cell.number}: a question without a name")
        elif cell.is_(END_QUESTION):
            if current is not None:
                out.append(current)
            current = None
        elif current is not None and cell.type == "code" and cell.region == "tests":
            current.cases.append(read_case(cell.data, cell.number))
    return out


def resolve_points(total, case_points):
    """Points per case from the question's `points` and per-case points, as otter resolves them
    (otter.test_files.abstract_test.TestFile.resolve_test_file_points)."""
    n = len(case_points)
    if isinstance(total, dict):
        total = total.get("each", 1) * n
    if isinstance(total, list):
        if len(total) != n:
            raise MasterError(f"points lists {len(total)} values for {n} test cases")
        case_points, total = list(total), None
    given = sum(p for p in case_points if p is not None)
    unset = sum(p is None for p in case_points)
    if total is not None:
        if given > total:
            raise MasterError("more points given to test cases than the question is worth")
        each = (total - given) / unset if unset else 0.0
    elif given == 0:
        each = 1 / unset if unset else 0.0
    else:
        each = 0.0
    return [p if p is not None else each for p in case_points]


# ---------------------------------------------------------------- solutions

_BEGIN_SOLUTION_LINE = re.compile(r"^(\s*)# BEGIN SOLUTION( NO PROMPT)?\s*$")
_SOLUTION_LINE = re.compile(r"^(\s*)(.*?)\s*# ?SOLUTION\s*$")


def without_solutions(code):
    """Code with its solutions removed, by the rules otter assign applies for students."""
    out, inside = [], False
    for line in code.splitlines():
        stripped = line.rstrip()
        if inside:
            inside = not stripped.endswith("# END SOLUTION")
            continue
        begin = _BEGIN_SOLUTION_LINE.match(line)
        if begin:
            inside = True
            if not begin.group(2):
                out.append(begin.group(1) + "...")
            continue
        if stripped.endswith("# SOLUTION NO PROMPT"):
            continue
        marked = _SOLUTION_LINE.match(line) if stripped.endswith("SOLUTION") else None
        if marked:  # `x = value  # SOLUTION` -> `x = ...`; any other marked line -> `...`
            indent, statement = marked.groups()
            try:
                node = ast.parse(statement).body[0]
                value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value else None
            except (SyntaxError, IndexError):
                value = None
            out.append(indent + (statement[:value.col_offset].rstrip() + " ..." if value else "..."))
        else:
            out.append(line)
    return "\n".join(out)


def module_number(module_id):
    """01 for "01_tensor"; 0 for an id without a number."""
    head = module_id.split("_", 1)[0]
    return int(head) if head.isdigit() else 0
