"""The packages the notebook commands need beyond NumPy, and how to install them.

The pins come from tinytorch's own `student` extra (pyproject.toml), so there is one list."""
import importlib.util
import re
from importlib import metadata

# import name -> distribution name, for what `tinytorch check/export/milestone` run
RUN_NOTEBOOKS = {"nbformat": "nbformat", "nbclient": "nbclient", "ipykernel": "ipykernel", "otter": "otter-grader"}
OPTIONAL = {"jupyterlab": "jupyterlab", "threadpoolctl": "threadpoolctl"}


def student_pins():
    """{distribution: requirement} of the `student` extra, e.g. {"nbclient": "nbclient==0.11.0"}."""
    try:
        reqs = metadata.requires("tinytorch") or []
    except metadata.PackageNotFoundError:
        reqs = []
    pins = {}
    for req in reqs:
        spec, _, marker = req.partition(";")
        if re.search(r"extra\s*==\s*['\"]student['\"]", marker):
            name = re.split(r"[<>=!~ \[]", spec.strip(), maxsplit=1)[0]
            pins[name.lower()] = spec.strip().replace(" ", "")
    return pins


def installed(import_name):
    return importlib.util.find_spec(import_name) is not None


def version(distribution):
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def install_hint(distributions):
    pins = student_pins()
    named = " ".join(pins.get(d, d) for d in distributions)
    return (f"pip install -e \".[student]\" in the course checkout (everything for the course), "
            f"or just: pip install {named}")


def missing(imports):
    """Distributions of the import names in `imports` ({import: distribution}) not installed."""
    return [dist for name, dist in imports.items() if not installed(name)]


def require(command, imports=None):
    """Raise Problem naming what to install when something `command` needs is missing."""
    from .course import Problem
    absent = missing(imports or RUN_NOTEBOOKS)
    if absent:
        raise Problem(f"tinytorch {command} needs {', '.join(absent)}, which "
                      f"{'is' if len(absent) == 1 else 'are'} not installed: {install_hint(absent)}")
