"""Issue 15: the Otter autograder zip (what Gradescope runs, here through `otter run`, offline) and
the batch grader give the same score per question on every honest submission of a held-out set:
the toy fixture module (correct; partly correct with other valid code; a function missing; one
raising) and module 01_tensor (the master's solutions; the same with its error messages reworded
to what the student notebook states)."""
import json
import os
import subprocess
import sys
import zipfile

import pytest
import yaml

from autograder import course
from autograder.course import master
from autograder.course import student as student_files
from autograder.grading import reference
from autograder.grading.batch import Grader
from autograder.grading.sandbox import Limits
from tests.grader.test_grader import FIXTURE, LIMITS, _edit, _json, toy  # noqa: F401 (toy is a fixture)
from tests.pipeline import nbtools

TOY = {
    "correct": {},
    "other_code": {  # q1, q2 right in other words; q3 right on the public case only
        "def double(": "def double(x):\n    return x + x",
        "def normalize(": "def normalize(v):\n    v = np.array(v, dtype=np.float32)\n    return v / np.sum(v)",
        "def scale(": "def scale(t, k):\n    return Tensor(t.data * abs(k))"},
    "missing": {"def normalize(": "# not done yet"},
    "raising": {"def scale(": "def scale(t, k):\n    raise ValueError(f'scale: cannot scale by {k}')"},
}

COPYING_RESHAPE = """_reshape = Tensor.reshape

def _copying_reshape(self, *shape):
    out = _reshape(self, *shape)
    out.data = out.data.copy()
    return out

Tensor.reshape = _copying_reshape
"""


def _otter_site(zip_path, dest):
    """The grading tinytorch of the zip (environment.yml's local wheel), installed offline into `dest`."""
    source = dest / "source"
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(source)
    env = yaml.safe_load((source / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    wheel = next(p for p in pip if p.startswith(student_files.GRADESCOPE_SOURCE + "/"))
    site = dest / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", "--target",
                    str(site), str(source / wheel[len(student_files.GRADESCOPE_SOURCE) + 1:])], check=True)
    return site


def _otter_scores(zip_path, notebook_name, subs, work):
    """{submission: {question: points}} from `otter run -a ZIP` on each notebook in `subs`."""
    site = _otter_site(zip_path, work)
    env = {**os.environ, "PYTHONPATH": str(site)}
    out = {}
    for path in sorted(subs.glob("*.ipynb")):
        folder = work / path.stem
        folder.mkdir()
        (folder / notebook_name).write_bytes(path.read_bytes())
        done = subprocess.run([sys.executable, "-m", "otter", "run", "-a", str(zip_path), "-o", str(folder),
                               str(folder / notebook_name)], env=env, cwd=folder, capture_output=True, text=True,
                              timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
        results = json.loads((folder / "results.json").read_text())
        scores = {}
        for test in results["tests"]:
            if test["name"] == "Public Tests":  # otter's summary of the public results, worth nothing
                assert not test.get("score")
                continue
            question = test["name"].split(" ")[0]
            scores[question] = round(scores.get(question, 0) + test.get("score", 0), 6)
        out[path.stem] = scores
    return out


def _same(batch, otter):
    """Equal scores per question (otter's results.json rounds to 5 decimals, the gradebook to 6)."""
    assert batch.keys() == otter.keys()
    for name in batch:
        assert batch[name] == pytest.approx(otter[name], abs=1e-5), name


def _batch_scores(assignment, subs, out, limits):
    rows = Grader(assignment, subs, out, workers=2, limits=limits, log=open(os.devnull, "w")).run()
    return {name: {q: round(p, 6) for q, p in row.scores.items()} for name, row in rows.items()}


def test_toy_module_scores_the_same_with_otter_and_the_batch_grader(toy, tmp_path):  # noqa: F811
    student, zip_path = toy
    subs = tmp_path / "subs"
    subs.mkdir()
    for name, answers in TOY.items():
        (subs / f"{name}.ipynb").write_bytes(_json(_edit(student, answers)))
    batch = _batch_scores(str(FIXTURE), subs, tmp_path / "g.csv", LIMITS)
    otter = _otter_scores(zip_path, "99_toy.ipynb", subs, tmp_path / "otter")
    print("toy scores (batch, otter):", json.dumps(batch), json.dumps(otter))
    _same(batch, otter)
    assert batch["correct"] == {"q1": 2, "q2": 3, "q3": 3}
    assert len({json.dumps(s, sort_keys=True) for s in batch.values()}) == len(TOY)  # four different results


def test_module_01_scores_the_same_with_otter_and_the_batch_grader(tmp_path):
    m = course.module("01_tensor")
    master_nb = master.read(m.master)
    student = json.loads(m.student.read_text())
    subs = tmp_path / "subs"
    subs.mkdir()
    solved = nbtools.filled(master_nb, m.id, student["metadata"])  # otter checks the assignment name there
    (subs / "solutions.ipynb").write_bytes(_json(solved))
    (subs / "reworded.ipynb").write_bytes(_json(nbtools.stated_only(solved, nbtools.stated_text(student))))
    copying = json.loads(json.dumps(solved))  # partly right: reshape returns a copy, not a view
    at = next(i for i, c in enumerate(copying["cells"]) if "class Tensor" in master.source(c))
    copying["cells"].insert(at + 1, dict(copying["cells"][at], id="copying", source=COPYING_RESHAPE))
    (subs / "copying_reshape.ipynb").write_bytes(_json(copying))
    student_files.student_notebook(m.master, tmp_path / "zip")  # the zip as sync builds it (git-ignored)
    zip_path = tmp_path / "zip" / f"{m.id}-autograder.zip"
    batch = _batch_scores(m.id, subs, tmp_path / "g.csv", Limits(timeout=120))
    otter = _otter_scores(zip_path, m.student.name, subs, tmp_path / "otter")
    print("01_tensor scores (batch, otter):", json.dumps(batch), json.dumps(otter))
    _same(batch, otter)
    assert batch["solutions"] == batch["reworded"] != batch["copying_reshape"]
    assert sum(batch["solutions"].values()) == pytest.approx(reference.parse_master(m.master).possible)
