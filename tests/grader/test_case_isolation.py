"""Each test case runs alone, in a copy of the notebook's globals, in the batch grader as in
grader.check (tinytorch/checks.py): a case that uses a name another case defined fails in both,
so the two never disagree on it."""
import json
import os

import numpy as np
import pytest

from autograder.course import master, student as student_files
from autograder.grading.batch import GradeError, Grader
from tests.grader.test_grader import FIXTURE, LIMITS

LEANING = 'assert out.dtype == np.float32, "uses `out`, which the previous case defined"'


@pytest.fixture(scope="module")
def leaning_master(tmp_path_factory):
    """The toy master whose second q2 case (public) reads `out`, a name only the first q2 case defines."""
    nb = json.loads(FIXTURE.read_text())
    [cell] = [c for c in nb["cells"] if master.source(c).startswith("# HIDDEN\nassert normalize(np.array([2.0, 2.0]))")]
    cell["source"] = LEANING.splitlines(keepends=True)
    path = tmp_path_factory.mktemp("leaning") / FIXTURE.name
    path.write_text(json.dumps(nb, indent=1))
    return path


def test_the_batch_grader_runs_each_case_in_a_copy_of_the_globals(leaning_master, tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    grader = Grader(str(leaning_master), subs, tmp_path / "g.csv", workers=1, limits=LIMITS, use_cache=False,
                    log=open(os.devnull, "w"))
    with pytest.raises(GradeError) as err:  # the reference solution itself fails that case
        grader.run()
    assert "test case q2/1 fails on the master: NameError: name 'out' is not defined" in str(err.value)


def test_grader_check_runs_each_case_in_a_copy_of_the_globals(leaning_master, tmp_path):
    nb = student_files.student_notebook(leaning_master, tmp_path)
    cases = [case["code"] for suite in nb["metadata"]["otter"]["tests"]["q2"]["suites"] for case in suite["cases"]]
    notebook_globals = {"np": np, "normalize": lambda v: np.asarray(v, dtype=np.float32) / np.sum(v)}
    lines = [line[4:] for code in cases for line in code.splitlines() if line.startswith(">>> ")]
    assert len(lines) == len(cases) == 2  # one isolated doctest line per public case
    exec(lines[0], notebook_globals)  # the case that defines `out` passes ...
    assert "out" not in notebook_globals  # ... and leaves nothing behind
    with pytest.raises(NameError, match="'out' is not defined"):
        exec(lines[1], notebook_globals)
