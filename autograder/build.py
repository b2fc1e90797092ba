"""Regenerate everything derived from the master notebooks, or check that nothing drifted.

    python -m autograder sync            # write the package, student notebooks, book pages, toc, zips
    python -m autograder sync --check    # exit 1 and list every generated file that differs

Derived from each master notebooks/masters/NN_name.ipynb:
  tinytorch/<target>.py          its `#| export` cells (tinytorch.export)
  notebooks/NN_name.ipynb        the student notebook (otter assign: solutions and hidden tests removed)
  book/notebooks/NN_name.ipynb   the reader's page: solution cells run but show the student's skeleton
  notebooks/NN_name-autograder.zip   the Otter autograder (build output, git-ignored); it carries
                                 a tinytorch wheel for grading (see grading_wheel) and pinned
                                 requirements, so Gradescope's environment can import tinytorch
and from notebooks/modules.toml: _toc.yml.
"""
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


def site_repository():
    """(url, branch) of the course repository from _config.yml's `repository`; url may be ""."""
    import yaml
    repo = (yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8")) or {}).get("repository") or {}
    return (repo.get("url") or "").strip().rstrip("/"), (repo.get("branch") or "main").strip()


def setup_cell(notebook_name):
    """First cell of a student notebook: installs what it needs in JupyterLite or on Colab, else a no-op.

    JupyterLite (Pyodide, sys.platform "emscripten") installs tinytorch from the course site's piplite
    index and otter-grader from PyPI. Colab clones the course repository (repository.url in
    _config.yml), installs it with otter-grader, and puts this notebook's file beside it so that
    otter can read the tests stored in its metadata. Locally, on Binder and when grading, nothing runs.
    """
    otter = _pins(["otter-grader"])[0]  # the grader's pin, so students check with the same otter
    url, branch = site_repository()
    lines = ["# Setup. In JupyterLite (in your browser) and on Colab this cell installs tinytorch and",
             "# otter-grader; anywhere else (your own machine, Binder, grading) it does nothing.",
             "import sys",
             'if sys.platform == "emscripten":  # JupyterLite: tinytorch from the course site, otter from PyPI',
             "    import piplite",
             f'    await piplite.install(["tinytorch", "{otter}"])',
             'elif "google.colab" in sys.modules:  # Colab: tinytorch from the course repository']
    if url:
        checkout = "/content/tinytorch-course"
        lines += ["    import os, shutil, subprocess",
                  f'    if not os.path.isdir("{checkout}"):',
                  f'        subprocess.run(["git", "clone", "--quiet", "--depth", "1", "--branch", "{branch}",',
                  f'                        "{url}", "{checkout}"], check=True)',
                  f'    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "{checkout}", "{otter}"],',
                  "                   check=True)",
                  f'    shutil.copy("{checkout}/notebooks/{notebook_name}", "{notebook_name}")  # otter reads its tests']
    else:
        lines += ['    raise RuntimeError("This course has no repository URL yet (repository.url in its _config.yml), "',
                  '                       "so Colab cannot install tinytorch: open the notebook in JupyterLite or "',
                  '                       "on your own machine, or ask your instructor.")']
    cell = _code_cell("\n".join(lines))
    cell["metadata"] = {"deletable": False, "editable": False, "tags": ["tinytorch-setup"]}
    return cell


def announce_hidden_tests(student_nb, autograder_nb):
    """Make `grader.check("qN")` say how many hidden tests qN has and that they were not run.

    Otter prints a test case's success_message when it passes and its failure_message when it
    fails; both are set on the last public case of each question with hidden tests, from the
    test counts in otter's own autograder notebook. Example output of a passing check:
        q1 results: All test cases passed!
        q1 - 2 message: 3 hidden tests were not run here; they run when your notebook is graded.
    """
    every = autograder_nb["metadata"]["otter"]["tests"]
    for name, test in student_nb["metadata"]["otter"]["tests"].items():
        hidden = sum(case.get("hidden", False) for suite in every[name]["suites"] for case in suite["cases"])
        public = [case for suite in test["suites"] for case in suite["cases"] if not case.get("hidden", False)]
        if hidden and public:
            message = (f"{hidden} hidden test{'s' if hidden > 1 else ''} {'were' if hidden > 1 else 'was'} not run "
                       f"here; {'they run' if hidden > 1 else 'it runs'} when your notebook is graded.")
            public[-1]["success_message"] = public[-1]["failure_message"] = message


GRADING_REQUIREMENTS = ("numpy", "matplotlib", "ipywidgets", "scikit-learn")  # what the notebooks import
GRADESCOPE_SOURCE = "/autograder/source"  # where Gradescope unpacks the autograder zip


def _pins(names):
    """The `name==version` lines of requirements.txt for these distributions."""
    pins = {l.split("==")[0].strip().lower(): l.strip()
            for l in (ROOT / "requirements.txt").read_text().splitlines() if "==" in l and not l.startswith("#")}
    return [pins[n] for n in names]


def grading_wheel(master_path, dest):
    """Build the tinytorch wheel a graded notebook of this master may import; return its path.

    It is the batch grader's support package (autograder/reference.build_support): reference code
    of the earlier modules, and only skeletons of this module and the later ones, so that code
    which imports this module's solution from tinytorch earns nothing on Gradescope either."""
    from . import reference  # (reference imports this module)
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        reference.build_support(tmp / "support", reference.parse_master(master_path))
        src = tmp / "src"
        src.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copy(ROOT / name, src / name)
        shutil.move(tmp / "support" / "tinytorch", src / "tinytorch")
        proc = subprocess.run([sys.executable, "-c", "import sys; from setuptools import build_meta; "
                               "print(build_meta.build_wheel(sys.argv[1]))", str(dest.resolve())],
                              cwd=src, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"building the grading wheel of {master_path.name} failed:\n{proc.stdout}\n{proc.stderr}")
    return dest / proc.stdout.strip().splitlines()[-1]


def _configure_zip(master_copy):
    """Make otter's autograder zip installable: add the grading wheel (`files`) and pinned
    requirements that install it from where Gradescope unpacks the zip (`requirements`)."""
    folder = master_copy.parent
    wheel = grading_wheel(master_copy, folder)
    (folder / "grading-requirements.txt").write_text(
        "\n".join(_pins(GRADING_REQUIREMENTS) + [f"{GRADESCOPE_SOURCE}/files/{wheel.name}"]) + "\n")
    import yaml
    nb = _read(master_copy)
    cell = next(c for c in nb["cells"] if _raw_marker(c) == "ASSIGNMENT CONFIG")
    first, *rest = _src(cell).splitlines()
    config = yaml.safe_load("\n".join(rest)) or {}
    if "requirements" in config or "files" in config:
        raise ValueError(f"{master_copy.name}: leave `requirements` and `files` out of ASSIGNMENT CONFIG; "
                         "the build sets them (autograder/build.py)")
    config.update(requirements="grading-requirements.txt", files=[wheel.name])
    cell["source"] = first + "\n" + yaml.safe_dump(config, sort_keys=False)
    master_copy.write_text(_dump(nb), encoding="utf-8")


def student_notebook(master_path, zip_dir=None):
    """Run `otter assign` on a master; return the student notebook (and copy the zip out)."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        shutil.copy(master_path, tmp / master_path.name)
        if zip_dir is not None:
            _configure_zip(tmp / master_path.name)
        proc = subprocess.run([sys.executable, "-m", "otter", "assign", "--no-run-tests", "--no-pdfs",
                               master_path.name, "dist"], cwd=tmp, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"otter assign failed on {master_path.name}:\n{proc.stdout}\n{proc.stderr}")
        nb = _read(tmp / "dist" / "student" / master_path.name)
        announce_hidden_tests(nb, _read(tmp / "dist" / "autograder" / master_path.name))
        if zip_dir is not None:
            zips = list((tmp / "dist" / "autograder").glob("*.zip"))
            zip_dir.mkdir(parents=True, exist_ok=True)
            for z in zips:
                shutil.copy(z, zip_dir / f"{master_path.stem}-autograder.zip")
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    nb["cells"].insert(0, setup_cell(master_path.name))
    for i, cell in enumerate(nb["cells"]):
        cell["id"] = f"cell-{i}"  # otter gives its cells random ids; fixed ids keep regeneration reproducible
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
    lines += ["- caption: About the course", "  chapters:", "  - file: book/performance",
              "  - file: book/instructors"]
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
