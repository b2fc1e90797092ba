"""The gradebook survives what instructors do to it: interrupts, spreadsheets, Gradescope exports,
notebooks saved in another encoding."""
import csv
import json
import os
import signal
import subprocess
import sys
import time

from autograder.grading import gradebook
from autograder.grading.gradebook import Row
from autograder.grading.submissions import load_folder, load_submission
from tests.grader.test_grader import FIXTURE, _edit, _json, toy  # noqa: F401 (toy is a fixture)

NOTEBOOK = {"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                       "source": "x = 1  # caf\u00e9\n"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def test_formula_like_cells_are_stored_as_text_and_read_back(tmp_path):
    out = tmp_path / "g.csv"
    rows = {sid: Row(sid, {"q1": 1.0}, 1.0, 100.0, status, "ab" * 32, "0" * 12)
            for sid, status in [('=HYPERLINK("http://x","y")', "ok"), ("+1", "-2 points"), ("@me", "ok"),
                                ("bob", "ok"), ("'quoted", "ok")]}
    gradebook.write(out, rows, ["q1"])
    cells = {r[0]: r for r in csv.reader(open(out, newline="", encoding="utf-8"))}
    assert "'=HYPERLINK(\"http://x\",\"y\")" in cells and "'+1" in cells and "'@me" in cells
    assert cells["'+1"][4] == "'-2 points"
    assert "bob" in cells and "'quoted" in cells  # nothing to escape
    back = gradebook.read(out, ["q1"])
    assert sorted(back) == sorted(rows)
    assert back["+1"].status == "-2 points"


def test_gradescope_export_folders_are_submissions(tmp_path):
    nb = json.dumps(NOTEBOOK).encode()
    (tmp_path / "submission_metadata.yml").write_text(
        "submission_11:\n  :submitters:\n  - :name: Alice A\n    :sid: '1001'\n    :email: a@x.edu\n"
        "submission_12:\n  :submitters:\n  - :name: Bob\n    :email: bob@x.edu\n  - :name: Cy\n"
        "submission_13:\n  :submitters: []\n")
    for folder, files in {"submission_11": {"01_tensor.ipynb": nb, "notes.txt": b"hi"},
                          "submission_12": {"work/mine.ipynb": nb},
                          "submission_13": {"a.ipynb": nb, "b.ipynb": nb},
                          "submission_14": {"readme.pdf": b"%PDF"}}.items():
        for name, data in files.items():
            (tmp_path / folder / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / folder / name).write_bytes(data)
    (tmp_path / "carol.ipynb").write_bytes(nb)
    said = []
    subs = {s.id: s for s in load_folder(tmp_path, "01_tensor", said.append)}
    assert sorted(subs) == ["1001", "bob@x.edu+Cy", "carol", "submission_13", "submission_14"]
    assert subs["1001"].cells and subs["bob@x.edu+Cy"].cells and subs["carol"].cells
    assert subs["submission_13"].problem == "folder with several notebooks: a.ipynb, b.ipynb"
    assert subs["submission_14"].problem == "folder without a notebook"
    assert said == []  # the metadata file is part of the export, not a skipped entry


def test_a_stray_latin1_byte_does_not_zero_a_notebook(tmp_path):
    path = tmp_path / "eve.ipynb"
    path.write_bytes(json.dumps(NOTEBOOK, ensure_ascii=False).encode("latin-1"))
    sub = load_submission(path, "01_tensor")
    assert sub.problem == "" and sub.cells == [[1, "x = 1  # caf\u00e9\n"]]
    assert any("not valid UTF-8 (byte 0xE9" in n and "Latin-1" in n for n in sub.notes)
    binary = tmp_path / "pic.ipynb"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    assert load_submission(binary, "01_tensor").problem == "not a notebook (binary file)"


def _started(tmp, run):
    try:
        return any(tmp.glob(f"ttgrade-*/runs/{run}"))
    except OSError:  # a folder vanished while we looked
        return False


def _wait_for(condition, what, timeout=300):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def test_sigterm_keeps_finished_rows_only_and_leaves_nothing_behind(toy, tmp_path):  # noqa: F811
    student, _ = toy
    subs, out, tmp = tmp_path / "subs", tmp_path / "grades" / "g.csv", tmp_path / "tmp"
    subs.mkdir()
    tmp.mkdir()
    (subs / "a_done.ipynb").write_bytes(_json(_edit(student)))
    (subs / "b_hangs.ipynb").write_bytes(_json(_edit(student, after={"def scale(": ["while True:\n    pass"]})))
    (subs / "c_queued.ipynb").write_bytes(_json(_edit(student)))
    cmd = [sys.executable, "-m", "autograder", "grade", str(FIXTURE), str(subs), "--out", str(out),
           "--workers", "1", "--cell-timeout", "600", "--timeout", "900"]
    env = {**os.environ, "TMPDIR": str(tmp)}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        _wait_for(lambda: out.exists() and "a_done" in out.read_text(), "the first row")
        _wait_for(lambda: _started(tmp, "run-2"), "the second run to start")
        proc.send_signal(signal.SIGTERM)
        log, _ = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 130, log
    assert [r["id"] for r in csv.DictReader(open(out))] == ["a_done"], log
    assert "the 1 rows graded so far" in log
    assert list(tmp.iterdir()) == [], "temporary files left behind"
    (subs / "b_hangs.ipynb").write_bytes(_json(_edit(student)))
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "2 to grade, 1 unchanged" in done.stderr
    assert [(r["id"], r["total"]) for r in csv.DictReader(open(out))] == [
        ("a_done", "8"), ("b_hangs", "8"), ("c_queued", "8")]


MEMORY_HOGS = '''import os
ready_r, ready_w = os.pipe()
hold_r, hold_w = os.pipe()
kids = []
for _ in range(4):  # four processes of 600 MB each: every one is under the per-process limit
    pid = os.fork()
    if pid == 0:
        os.close(hold_w)
        hog = b"x" * (600 << 20)
        os.write(ready_w, b"1")
        os.close(ready_w)
        os.read(hold_r, 1)  # all four hold their memory until the parent lets go
        os._exit(0)
    kids.append(pid)
os.close(ready_w)
while os.read(ready_r, 8):  # until every child has allocated or been killed
    pass
os.close(hold_w)
for pid in kids:
    os.waitpid(pid, 0)
'''


def test_memory_is_limited_for_all_of_a_submissions_processes_together(toy, tmp_path):  # noqa: F811
    from autograder.grading.batch import Grader
    from autograder.grading.sandbox import Limits, Sandbox
    probe = Sandbox(tmp_path / "s", tmp_path / "r")
    if not probe.memory and not probe.shared:
        lines = probe.describe()
        assert any("memory of a submission's processes together NOT limited" in line for line in lines)
        return  # said so at the start of every batch; nothing to enforce here
    student, _ = toy
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "hogs.ipynb").write_bytes(_json(_edit(student, after={"def scale(": [MEMORY_HOGS]})))
    out = tmp_path / "g.csv"
    limits = Limits(timeout=120, cell_timeout=60, case_timeout=5, total_memory_mb=1500)
    with open(tmp_path / "log.txt", "w") as log:
        rows = Grader(str(FIXTURE), subs, out, workers=1, limits=limits, log=log).run()
    assert "at most 1500 MB of memory for all of a submission's processes" in (tmp_path / "log.txt").read_text()
    assert "more than 1500 MB of memory together" in rows["hogs"].status
