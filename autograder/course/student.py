"""The student notebook notebooks/NN_name.ipynb (otter assign: solutions and hidden tests removed)
and the Otter autograder zip notebooks/NN_name-autograder.zip, which carries a grading tinytorch
wheel and pinned requirements so that Gradescope's environment can import tinytorch."""
import pprint
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import yaml

from tinytorch import checks

from . import master, package, registry, wheel

GRADING_REQUIREMENTS = ("numpy", "matplotlib", "ipywidgets", "scikit-learn")  # what the notebooks import
GRADESCOPE_SOURCE = "/autograder/source"  # where Gradescope unpacks the autograder zip


def pins(names):
    """The `name==version` lines of requirements.txt for these distributions."""
    found = {l.split("==")[0].strip().lower(): l.strip()
             for l in (registry.ROOT / "requirements.txt").read_text().splitlines()
             if "==" in l and not l.startswith("#")}
    return [found[n] for n in names]


def setup_cell(notebook_name, folder="notebooks"):
    """First cell of a student notebook: installs what it needs in JupyterLite or on Colab, else a no-op.

    JupyterLite (Pyodide, sys.platform "emscripten") installs tinytorch, otter-grader and its
    pure-Python dependencies from the course site's piplite index (lite.py), NumPy & co. from
    Pyodide; if that fails (offline, a blocked network) it says so in plain words and what to do
    instead. Colab clones the course repository (repository.url in _config.yml), installs it with
    otter-grader, and puts this notebook's file (`folder`/notebook_name in the repository) beside it
    so that otter can read the tests stored in its metadata. Locally, on Binder and when grading,
    nothing runs.
    """
    otter = pins(["otter-grader"])[0]  # the grader's pin, so students check with the same otter
    url, branch = registry.repository()
    lines = ["# Setup. In JupyterLite (in your browser) and on Colab this cell installs tinytorch and",
             "# otter-grader; anywhere else (your own machine, Binder, grading) it does nothing.",
             "import sys",
             'if sys.platform == "emscripten":  # JupyterLite: packages from the course site and Pyodide',
             "    try:",
             "        import piplite",
             f'        await piplite.install(["tinytorch", "{otter}"])',
             "        import tinytorch  # Pyodide only logs a package it could not load (NumPy): check",
             "    except Exception as setup_error:  # offline, a blocked network, a missing package",
             '        reason = (str(setup_error).strip().splitlines() or [""])[0]',
             '        print(f"Setup could not install tinytorch and otter-grader in your browser "',
             '              f"({type(setup_error).__name__}: {reason}).\\n"',
             '              "Your network probably blocks Pyodide (the Python this page downloads)\\n"',
             '              "or the course site. What to do: open this notebook on Binder or in Colab\\n"',
             '              "(buttons on the module\'s page), or install the course on your computer\\n"',
             '              "(How to take this course); or ask your instructor to self-host Pyodide.",',
             "              file=sys.stderr)",
             '        raise RuntimeError("Setup failed: see the message above.") from None',
             'elif "google.colab" in sys.modules:  # Colab: tinytorch from the course repository']
    if url:
        checkout = "/content/tinytorch-course"
        lines += ["    import os, shutil, subprocess",
                  f'    if not os.path.isdir("{checkout}"):',
                  f'        subprocess.run(["git", "clone", "--quiet", "--depth", "1", "--branch", "{branch}",',
                  f'                        "{url}", "{checkout}"], check=True)',
                  f'    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "{checkout}", "{otter}"],',
                  "                   check=True)",
                  f'    shutil.copy("{checkout}/{folder}/{notebook_name}", "{notebook_name}")  # otter reads its tests']
    else:
        lines += ['    raise RuntimeError("This course has no repository URL yet (repository.url in its _config.yml), "',
                  '                       "so Colab cannot install tinytorch: open the notebook in JupyterLite or "',
                  '                       "on your own machine, or ask your instructor.")']
    cell = master.code_cell("\n".join(lines))
    cell["metadata"] = {"deletable": False, "editable": False, "tags": ["tinytorch-setup"]}
    return cell


def milestone_setup_cell(ms):
    """The Setup cell a milestone notebook starts with: the student notebooks' (student.setup_cell),
    which installs tinytorch in JupyterLite and on Colab; both open the notebook as it is stored."""
    cell = setup_cell(ms.notebook.name, registry.MILESTONES.relative_to(registry.ROOT).as_posix())
    return dict(cell, id="tinytorch-setup", source=cell["source"].splitlines(keepends=True))


def write_milestone_setup_cells():
    """Put the current Setup cell first in every milestone notebook, replacing an older one
    (after a change to setup_cell, the otter pin or repository.url); returns those changed."""
    changed = []
    for ms in (ms for ms in registry.milestones() if ms.exists):
        nb = master.read(ms.notebook)
        cells = [c for c in nb["cells"] if "tinytorch-setup" not in c.get("metadata", {}).get("tags", [])]
        nb["cells"] = [milestone_setup_cell(ms), *cells]
        text = master.dump(nb)
        if text != ms.notebook.read_text(encoding="utf-8"):
            ms.notebook.write_text(text, encoding="utf-8")
            changed.append(ms.notebook)
    return changed


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


def isolate_cases(student_nb):
    """Make each public test case of the student notebook run alone (tinytorch.checks.isolate).

    A case becomes one doctest line that runs its code in a copy of the notebook's globals: it stops
    at its first failing line (no NameError from the lines after it) and leaks no variable into the
    notebook or into the next case. Its label, e.g. "q3, case 2 of 4", names it in tracebacks."""
    for test in student_nb["metadata"]["otter"]["tests"].values():
        _isolate_test(test)


def _isolate_test(test):
    """Each case of one OK-format test (a question), labelled "qN, case i of n", run alone."""
    cases = [case for suite in test["suites"] for case in suite["cases"]]
    for i, case in enumerate(cases, 1):
        case["code"] = checks.isolate(case["code"], f"{test['name']}, case {i} of {len(cases)}")


def isolate_zip_tests(zip_path):
    """Make the test cases in otter's autograder zip (tests/qN.py) run alone, as in the student
    notebook (isolate_cases), so that a case is graded on Gradescope as `grader.check` ran it."""
    with zipfile.ZipFile(zip_path) as z:
        entries = [(info, z.read(info)) for info in z.infolist()]
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in entries:
            if info.filename.startswith("tests/") and info.filename.endswith(".py"):
                spec = {}
                exec(data.decode("utf-8"), spec)  # otter's OK-format file: OK_FORMAT and a `test` dict
                _isolate_test(spec["test"])
                data = f"OK_FORMAT = True\n\ntest = {pprint.pformat(spec['test'], width=110, sort_dicts=False)}\n".encode()
            z.writestr(info, data)


INIT_CELL = """# Initialize Otter (tinytorch.checks: a failing check shows the test's message first)
try:
    from tinytorch.checks import Notebook
except ImportError:  # a tinytorch without it: otter's own output
    from otter import Notebook
grader = Notebook("{name}")"""


def use_course_checks(student_nb, notebook_name):
    """Replace otter's init cell (`grader = otter.Notebook(...)`) by one that makes the checks
    show the failing message first (tinytorch.checks.Notebook); the cell keeps its metadata."""
    found = [c for c in student_nb["cells"] if c["cell_type"] == "code"
             and master.source(c).startswith("# Initialize Otter")]
    if len(found) != 1:
        raise ValueError(f"{notebook_name}: expected one otter init cell ('# Initialize Otter'), found {len(found)}")
    found[0]["source"] = INIT_CELL.format(name=notebook_name).splitlines(keepends=True)


def grading_wheel(master_path, dest):
    """Build the tinytorch wheel a graded notebook of this master may import; return its path.

    It is the batch grader's package (package.write_grading_package): reference code of the
    earlier modules, and only skeletons of this module and the later ones, so that code which
    imports this module's solution from tinytorch earns nothing on Gradescope either."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "tinytorch"
        package.write_grading_package(folder, master_path)
        return wheel.build_wheel(folder, dest, what=f"the grading wheel of {Path(master_path).name}")


def _configure_zip(master_copy):
    """Make otter's autograder zip installable: add the grading wheel (`files`) and pinned
    requirements that install it from where Gradescope unpacks the zip (`requirements`)."""
    folder = master_copy.parent
    built = grading_wheel(master_copy, folder)
    (folder / "grading-requirements.txt").write_text(
        "\n".join(pins(GRADING_REQUIREMENTS) + [f"{GRADESCOPE_SOURCE}/files/{built.name}"]) + "\n")
    nb = master.read(master_copy)
    cell, config = master.assignment_config(nb)
    if "requirements" in config or "files" in config:
        raise ValueError(f"{master_copy.name}: leave `requirements` and `files` out of ASSIGNMENT CONFIG; "
                         "the build sets them (autograder/course/student.py)")
    config.update(requirements="grading-requirements.txt", files=[built.name])
    cell["source"] = master.source(cell).splitlines()[0] + "\n" + yaml.safe_dump(config, sort_keys=False)
    master_copy.write_text(master.dump(nb), encoding="utf-8")


def student_notebook(master_path, zip_dir=None):
    """Run `otter assign` on a master; return the student notebook (and copy the zip out)."""
    master_path = Path(master_path)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        shutil.copy(master_path, tmp / master_path.name)
        if zip_dir is not None:
            _configure_zip(tmp / master_path.name)
        proc = subprocess.run([sys.executable, "-m", "otter", "assign", "--no-run-tests", "--no-pdfs",
                               master_path.name, "dist"], cwd=tmp, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"otter assign failed on {master_path.name}:\n{proc.stdout}\n{proc.stderr}")
        nb = master.read(tmp / "dist" / "student" / master_path.name)
        announce_hidden_tests(nb, master.read(tmp / "dist" / "autograder" / master_path.name))
        isolate_cases(nb)
        use_course_checks(nb, master_path.name)
        if zip_dir is not None:
            zips = list((tmp / "dist" / "autograder").glob("*.zip"))
            Path(zip_dir).mkdir(parents=True, exist_ok=True)
            for z in zips:
                isolate_zip_tests(z)
                shutil.copy(z, Path(zip_dir) / f"{master_path.stem}-autograder.zip")
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    nb["cells"].insert(0, setup_cell(master_path.name))
    for i, cell in enumerate(nb["cells"]):
        cell["id"] = f"cell-{i}"  # otter gives its cells random ids; fixed ids keep regeneration reproducible
    return nb
