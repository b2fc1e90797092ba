"""Regenerate everything derived from the master notebooks, or check that nothing drifted.

    python -m autograder sync            # write the package, student notebooks, book pages, toc, zips
    python -m autograder sync --check    # exit 1 and list every generated file that differs

Derived from each master notebooks/masters/NN_name.ipynb:
  tinytorch/<target>.py          its `#| export` cells (tinytorch.export)
  notebooks/NN_name.ipynb        the student notebook (otter assign: solutions and hidden tests removed)
  book/notebooks/NN_name.ipynb   the reader's page: solution cells run but show the student's skeleton
  notebooks/NN_name-autograder.zip   the Otter autograder (build output, git-ignored)
and from notebooks/modules.toml: _toc.yml.
"""
import copy
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tinytorch.export import render as render_package_files

from . import course

ROOT = course.ROOT
ZIP_DIR = course.NOTEBOOKS  # next to the student notebooks (git-ignored)


def _read(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _dump(nb):
    return json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def _src(cell):
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def _raw_marker(cell):
    """'BEGIN SOLUTION', 'END TESTS', 'ASSIGNMENT CONFIG', … for an Otter raw cell, else None."""
    if cell["cell_type"] != "raw":
        return None
    first = _src(cell).strip().splitlines()[0] if _src(cell).strip() else ""
    return first.lstrip("#").strip().upper() or None


def _code_cell(source, tags=()):
    cell = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}
    if tags:
        cell["metadata"]["tags"] = list(tags)
    return cell


def _strip_directives(code):
    return "\n".join(l for l in code.splitlines() if not l.lstrip().startswith("#|")).strip("\n")


def reader_notebook(master_nb):
    """The book's version of a master: tests and Otter cells removed, solutions hidden.

    Each solution cell still runs (so later cells have their outputs) but its input is removed
    from the page; in its place the reader sees the skeleton the student gets.
    """
    from otter.assign.solutions import replace_solutions

    out = {"cells": [], "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                                    "name": "python3"},
                                     "language_info": {"name": "python"}},
           "nbformat": 4, "nbformat_minor": 5}
    state = None
    for cell in master_nb["cells"]:
        marker = _raw_marker(cell)
        if marker is not None:
            if marker.startswith("BEGIN SOLUTION"):
                state = "solution"
            elif marker.startswith("BEGIN TESTS"):
                state = "tests"
            elif marker.startswith(("END SOLUTION", "END TESTS", "END QUESTION", "BEGIN QUESTION")):
                state = None
            continue
        if cell["cell_type"] == "raw" or state == "tests":
            continue
        new = {"cell_type": cell["cell_type"], "metadata": {}, "source": _src(cell)}
        if cell["cell_type"] == "markdown":
            out["cells"].append(new)
            continue
        code = _src(cell)
        if state == "solution" or "# BEGIN SOLUTION" in code or "# SOLUTION" in code:
            skeleton = _strip_directives("\n".join(replace_solutions(code.splitlines(), "python")))
            out["cells"].append({"cell_type": "markdown", "metadata": {},
                                 "source": "```python\n" + skeleton + "\n```"})
            out["cells"].append(_code_cell(code, tags=["remove-input"]))
        else:
            out["cells"].append(_code_cell(_strip_directives(code)))
    for i, cell in enumerate(out["cells"]):
        cell["id"] = f"cell-{i}"
    return out


def student_notebook(master_path, zip_dir=None):
    """Run `otter assign` on a master; return the student notebook (and copy the zip out)."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        shutil.copy(master_path, tmp / master_path.name)
        proc = subprocess.run([sys.executable, "-m", "otter", "assign", "--no-run-tests", "--no-pdfs",
                               master_path.name, "dist"], cwd=tmp, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"otter assign failed on {master_path.name}:\n{proc.stdout}\n{proc.stderr}")
        nb = _read(tmp / "dist" / "student" / master_path.name)
        if zip_dir is not None:
            zips = list((tmp / "dist" / "autograder").glob("*.zip"))
            zip_dir.mkdir(parents=True, exist_ok=True)
            for z in zips:
                shutil.copy(z, zip_dir / f"{master_path.stem}-autograder.zip")
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    return nb


def toc():
    """_toc.yml: modules in tier order, each milestone right after the module it follows."""
    lines = ["# Generated by `python -m autograder sync` from notebooks/modules.toml: do not edit.",
             "format: jb-book", "root: book/intro", "parts:",
             "- caption: Getting started", "  chapters:", "  - file: book/howto"]
    after = {}
    for ms in course.milestones():
        if ms.exists:
            after.setdefault(ms.after, []).append(ms)
    placed = set()
    tier = None
    for m in course.modules():
        if not m.exists:
            continue
        if m.tier != tier:
            tier = m.tier
            lines += [f"- caption: {tier}", "  chapters:"]
        lines += [f"  - file: book/modules/{m.id}", "    sections:", f"    - file: book/notebooks/{m.id}"]
        for ms in after.get(m.id, []):
            lines += [f"  - file: book/milestones/{ms.id}", "    sections:",
                      f"    - file: notebooks/milestones/{ms.id}"]
            placed.add(ms.id)
    missing = [ms.id for ms in course.milestones() if ms.exists and ms.id not in placed]
    if missing:
        raise RuntimeError(f"milestones {missing} follow modules that have no master notebook yet")
    return "\n".join(lines) + "\n"


def generated_files(zip_dir=None, only=None):
    """{path: text} for every file derived from the masters and the registry (or one module's)."""
    files = {} if only else {ROOT / "_toc.yml": toc()}
    for m in course.modules():
        if not m.exists or (only and m.id != only):
            continue
        master = _read(m.master)
        for rel, text in render_package_files(master, f"notebooks/masters/{m.id}.ipynb").items():
            files[ROOT / "tinytorch" / rel] = text
        files[m.student] = _dump(student_notebook(m.master, zip_dir))
        files[m.reader] = _dump(reader_notebook(master))
    return files


def sync(check=False, only=None):
    """Write (or, with check=True, compare) the generated files; returns the drifted paths."""
    if only:
        only = course.module(only).id
        if not course.module(only).exists:
            raise FileNotFoundError(f"{course.module(only).master.relative_to(ROOT)} does not exist")
    files = generated_files(zip_dir=None if check else ZIP_DIR, only=only)
    drifted = []
    for path, text in files.items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            drifted.append(path.relative_to(ROOT))
            if not check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    return drifted
