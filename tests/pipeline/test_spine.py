"""The authoring pipeline: registry, generated files, student notebooks, checks that really check."""
import json
import re

import pytest

from autograder import course
from autograder.course import master, sync
from tests.pipeline import nbtools

MODULES = [m for m in course.modules() if m.exists]
IDS = [m.id for m in MODULES]


def test_registry_lists_the_twenty_modules_in_order():
    mods = course.modules()
    assert [m.number for m in mods] == list(range(1, 21))
    for m in mods:
        assert re.fullmatch(r"\d\d_[a-z]+", m.id), m.id
        assert all(course.module(r).number < m.number for r in m.requires), f"{m.id} requires a later module"
    assert {m.tier for m in mods} == {"Foundation", "Architecture", "Optimization", "Capstone"}
    assert [m.id for m in mods][:4] == ["01_tensor", "02_activations", "03_layers", "04_losses"]
    assert all(course.module(ms.after) for ms in course.milestones())


def test_lookup_by_number_and_unknown_module():
    assert course.module("1").id == course.module("01").id == "01_tensor"
    with pytest.raises(KeyError, match="unknown module '99_nope'"):
        course.module("99_nope")


@pytest.fixture(scope="session")
def generated():
    return sync.generated_files()


def test_generated_files_match_their_sources(generated):
    drifted = [str(p.relative_to(course.ROOT)) for p, text in generated.items()
               if not p.exists() or p.read_text(encoding="utf-8") != text]
    assert not drifted, f"generated files differ from the masters; run `python -m autograder sync`: {drifted}"


def test_manifest_holds_the_hash_of_every_generated_file(generated):
    """notebooks/generated.sha256 is what lets sync tell its own output from a hand edit: it must list exactly
    the generated files, each with the hash of the text sync writes."""
    want = {p.relative_to(course.ROOT).as_posix(): sync.digest(text) for p, text in generated.items()}
    have = sync.read_manifest()
    stale = sorted(set(want.items()) ^ set(have.items()))
    assert not stale, f"notebooks/generated.sha256 is out of date; run `python -m autograder sync`: {stale[:5]}"


def test_every_existing_module_has_its_files():
    for m in MODULES:
        for path in (m.student, m.reader, m.chapter):
            assert path.exists(), f"{m.id}: missing {path.relative_to(course.ROOT)}"


@pytest.mark.parametrize("mid", IDS)
def test_masters_are_stored_without_outputs(mid):
    nb = json.loads(course.module(mid).master.read_text())
    assert not any(c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")


@pytest.mark.parametrize("mid", IDS)
def test_no_solution_or_hidden_test_reaches_the_student(mid):
    m = course.module(mid)
    secrets = nbtools.solution_lines(master.read(m.master))
    assert secrets, "found no solution lines to look for: the leak test would be vacuous"
    student_text = m.student.read_text()
    student = json.loads(student_text)
    student_code = "\n".join(master.source(c) for c in student["cells"])
    leaked = sorted(s for s in secrets if s in student_code or json.dumps(s)[1:-1] in student_text)
    assert not leaked, f"{mid}: solution or hidden-test lines in the student notebook: {leaked[:5]}"
    assert all(not case["hidden"] for q in student["metadata"]["otter"]["tests"].values()
               for suite in q["suites"] for case in suite["cases"])


@pytest.mark.parametrize("mid", IDS)
def test_book_page_hides_solutions(mid):
    m = course.module(mid)
    secrets = nbtools.solution_lines(json.loads(m.master.read_text()))
    reader = json.loads(m.reader.read_text())
    shown = "\n".join(master.source(c) for c in reader["cells"]
                      if "remove-input" not in c["metadata"].get("tags", []))
    leaked = sorted(s for s in secrets if s in shown)
    assert not leaked, f"{mid}: the book page shows solution lines: {leaked[:5]}"


@pytest.mark.parametrize("mid", IDS)
def test_every_check_passes_on_the_master_and_fails_on_the_unfilled_notebook(mid, tmp_path):
    m = course.module(mid)
    cases = nbtools.questions(json.loads(m.master.read_text()))
    assert len(cases) >= 4, f"{mid} has {len(cases)} graded questions; the course promises at least 4"
    for q, codes in cases.items():
        assert any(c.lstrip().startswith("# HIDDEN") for c in codes), f"{mid} {q} has no hidden case"

    # The master runs top to bottom (its test cells are asserts) and every case passes.
    master = nbtools.execute(m.master, tmp_path / "master", [nbtools.run_cases_cell(cases)])
    passed = nbtools.last_json(master)
    failing = [f"{q} case {i + 1}" for q, r in passed.items() for i, ok in enumerate(r) if not ok]
    assert not failing, f"{mid}: reference solution fails {failing}"

    # The unfilled student notebook: grader.check reports failure and every single case fails.
    check = ("import json as _json\nprint(_json.dumps({q: bool(grader.check(q).passed_all) for q in "
             + repr(list(cases)) + "}))")
    student = nbtools.execute(m.student, tmp_path / "student", [check, nbtools.run_cases_cell(cases)],
                              allow_errors=True)
    checks = json.loads([l for o in student.cells[-2].outputs if o.get("output_type") == "stream"
                         for l in o["text"].splitlines() if l.startswith("{")][-1])
    assert not any(checks.values()), f"{mid}: grader.check passes on an unfilled notebook: {checks}"
    unfilled = nbtools.last_json(student)
    vacuous = [f"{q} case {i + 1}" for q, r in unfilled.items() for i, ok in enumerate(r) if ok]
    assert not vacuous, f"{mid}: these checks pass without any student code (they cannot fail): {vacuous}"
