"""The in-browser path: what the Setup cell installs resolves, offline, to Pyodide's own packages
plus the course site's piplite index (autograder/course/lite.py, lite-lock.json), and a failing
Setup says what happened and what to do. No network: everything comes from the shipped lock."""
import ast
import asyncio
import concurrent.futures
import copy
import io
import sys
import types
from contextlib import redirect_stderr

import pytest
import yaml

from autograder import course
from autograder.course import lite, site, student


def _setup_source():
    return "".join(student.setup_cell("01_tensor.ipynb")["source"])


def test_setup_requirements_resolve_to_pyodide_and_the_site_index():
    lock = lite.load_lock()
    requirements = lite.setup_requirements(_setup_source())
    assert requirements == ["tinytorch", *student.pins(["otter-grader"])]
    plan, problems, missing = lite.resolve(lite.BOOT + requirements, lock)
    assert not problems, "the in-browser Setup would fail or reach beyond the site and Pyodide:\n" + "\n".join(problems)
    assert plan["tinytorch"][0] == "local" and plan["otter-grader"] == ("site", "7.0.0")
    assert plan["numpy"][0] == plan["pandas"][0] == "pyodide", "NumPy and pandas come from Pyodide"
    assert all(lite.PURE_TAG.search(w["file"]) for w in lock["wheels"]), "the site serves pure-Python wheels only"


def test_resolver_names_what_would_come_from_pypi_or_has_no_wasm_build():
    lock = lite.load_lock()
    requirements = lite.setup_requirements(_setup_source())
    without = copy.deepcopy(lock)
    without["wheels"] = [w for w in without["wheels"] if w["name"] != "fica"]
    _, problems, missing = lite.resolve(requirements, without)
    assert [r.name for r in missing] == ["fica"] and "would come from PyPI" in problems[0], problems
    compiled = copy.deepcopy(lock)
    wheel = next(w for w in compiled["wheels"] if w["name"] == "dill")
    wheel["file"] = wheel["file"].replace("py3-none-any", "cp314-cp314-manylinux_2_17_x86_64")
    _, problems, _ = lite.resolve(requirements, compiled)
    assert any("dill" in p and "no wasm build" in p for p in problems), problems
    # Only tinytorch in the site's index (the old site): otter-grader would come from PyPI.
    _, problems, missing = lite.resolve(requirements, lock, site={"tinytorch": "0.1.0"})
    assert "otter-grader" in [r.name for r in missing], problems


def test_lock_is_for_the_pinned_pyodide_and_kernel():
    from jupyterlite_pyodide_kernel import constants
    lock = lite.load_lock()
    assert lock["pyodide"]["version"] == site.PYODIDE_VERSION == constants.PYODIDE_VERSION, \
        "remake autograder/course/lite-lock.json: `python -m autograder.course.lite lock`"
    config = yaml.safe_load((course.ROOT / "_config.yml").read_text())["sphinx"]["config"]
    assert f"/v{site.PYODIDE_VERSION}/" in config["tinytorch_pyodide_url"]
    assert lock["kernel"] == lite._kernel_index(), "the installed Pyodide kernel serves other wheels than the lock says"
    pinned = {p.split("==")[0].lower(): p.split("==")[1] for p in student.pins(["otter-grader", "ipywidgets", "nbformat"])}
    served = {w["name"]: w["version"] for w in lock["wheels"]}
    assert {n: served[n] for n in pinned} == pinned, "the browser gets other versions than requirements.txt pins"


def _run_setup(monkeypatch, install):
    """Run the Setup cell as Pyodide would (top-level await, sys.platform "emscripten"): (stderr, error)."""
    monkeypatch.setattr(sys, "platform", "emscripten")
    monkeypatch.setitem(sys.modules, "piplite", types.SimpleNamespace(install=install))
    code = compile(_setup_source(), "<setup>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    err, error = io.StringIO(), None
    with redirect_stderr(err):
        try:
            result = eval(code, {"__name__": "__main__"})
            if asyncio.iscoroutine(result):
                # in a thread of its own: a browser test's Playwright may keep a loop running here
                with concurrent.futures.ThreadPoolExecutor(1) as pool:
                    pool.submit(asyncio.run, result).result()
        except Exception as e:
            error = e
    return err.getvalue(), error


def test_setup_failure_in_the_browser_says_what_happened_and_what_to_do(monkeypatch):
    async def offline(requirements):
        raise ValueError("Can't fetch metadata for 'otter-grader'.\nSee the console for details.")

    err, error = _run_setup(monkeypatch, offline)
    assert isinstance(error, RuntimeError) and str(error) == "Setup failed: see the message above.", repr(error)
    assert error.__suppress_context__, "the raw installer traceback would be shown"
    for words in ("could not install", "Can't fetch metadata for 'otter-grader'", "Binder", "Colab",
                  "install the course on your computer", "self-host Pyodide"):
        assert words in err, f"{words!r} missing from the Setup cell's message:\n{err}"


def test_setup_succeeds_quietly_when_the_install_works(monkeypatch):
    asked = []

    async def works(requirements):
        asked.append(requirements)

    assert _run_setup(monkeypatch, works) == ("", None)
    assert asked == [lite.setup_requirements(_setup_source())]


def test_lock_matches_the_real_pyodide_lock_when_cached():
    """Check the shipped Pyodide packages against the real pyodide-lock.json that the browser tests
    cache (test_site_browser.py's offline_pyodide; it adds `comm`, which Pyodide lacks)."""
    import json

    cached = course.ROOT / "_build" / "pyodide-offline" / site.PYODIDE_VERSION / "pyodide-lock.json"
    if not cached.exists():
        pytest.skip(f"{cached} is not cached yet (the browser tests fetch it with npm)")
    real = lite.trim_pyodide_lock(json.loads(cached.read_text()), site.PYODIDE_VERSION)
    shipped = lite.load_lock()["pyodide"]
    assert real["python"] == shipped["python"]
    assert {n: real["packages"].get(n) for n in shipped["packages"]} == shipped["packages"]


def test_setup_reports_a_package_that_pyodide_only_logged_as_missing(monkeypatch):
    """Pyodide logs a package it cannot fetch (NumPy offline) to the browser console and micropip
    returns normally; Setup must still notice, by importing tinytorch, and say so."""
    async def quietly_incomplete(requirements):
        pass

    monkeypatch.setitem(sys.modules, "tinytorch", None)  # `import tinytorch` raises ImportError
    err, error = _run_setup(monkeypatch, quietly_incomplete)
    assert isinstance(error, RuntimeError) and "could not install" in err and "self-host Pyodide" in err, err
