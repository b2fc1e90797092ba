"""tinytorch.cli: where the workspace is, what `start` copies, that nothing of the student's is overwritten."""
from pathlib import Path

import pytest

from tinytorch.cli import course, workspace
from tinytorch.cli.main import main


def test_workspace_is_the_option_else_the_variable_else_the_default(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert workspace.resolve() == (tmp_path / "tinytorch-work").resolve()
    monkeypatch.setenv("TINYTORCH_WORKSPACE", str(tmp_path / "from-env"))
    assert workspace.resolve() == (tmp_path / "from-env").resolve()
    assert workspace.resolve(str(tmp_path / "given")) == (tmp_path / "given").resolve()
    assert workspace.resolve("~/x") == (tmp_path / "x").resolve()


def test_ensure_copies_the_package_once_without_the_cli(ws):
    created = workspace.ensure(ws)
    pkg = workspace.package(ws)
    assert pkg in created and (pkg / "__init__.py").is_file() and (pkg / "core" / "tensor.py").is_file()
    assert not (pkg / "cli").exists(), "the workspace's tinytorch must not carry the CLI"
    mine = pkg / "core" / "tensor.py"
    mine.write_text("# my own tensor\n")
    assert workspace.ensure(ws) == []
    assert mine.read_text() == "# my own tensor\n", "ensure replaced the student's package"


def test_copy_in_never_overwrites(tmp_path):
    src, dst = tmp_path / "src", tmp_path / "dst"
    src.write_text("course")
    assert workspace.copy_in(src, dst) and dst.read_text() == "course"
    dst.write_text("my work")
    src.write_text("course, newer")
    assert not workspace.copy_in(src, dst)
    assert dst.read_text() == "my work"


def test_start_copies_once_and_keeps_the_students_edits(ws, capsys):
    assert main(["start", "01", "--workspace", str(ws)]) == 0
    out = capsys.readouterr().out
    nb = ws / "01_tensor.ipynb"
    assert nb.is_file() and str(nb) in out and "jupyter lab 01_tensor.ipynb" in out
    assert nb.read_bytes() == course.find(course.modules(course.course_root()), "01").source.read_bytes()
    nb.write_text('{"my": "work"}')
    assert main(["start", "tensor", "--workspace", str(ws)]) == 0
    assert "already in your workspace" in capsys.readouterr().out
    assert nb.read_text() == '{"my": "work"}'


@pytest.mark.parametrize("text", ["01", "1", "01_tensor", "tensor", "01_tensor.ipynb", " Tensor "])
def test_a_module_is_named_by_number_id_or_name(text):
    assert course.find(course.modules(course.course_root()), text).id == "01_tensor"


def test_milestones_by_year_and_unknown_names():
    root = course.course_root()
    assert course.find(course.milestones(root), "1986").id == "1986_mlp"
    with pytest.raises(course.Problem, match="no module '99'.*01_tensor"):
        course.find(course.modules(root), "99")
    with pytest.raises(course.Problem, match="not published yet"):
        course.published(course.find(course.modules(root), "20"))


def test_unknown_or_unpublished_module_exits_2(ws, capsys):
    with pytest.raises(SystemExit) as e:
        main(["start", "99", "--workspace", str(ws)])
    assert e.value.code == 2 and "no module '99'" in capsys.readouterr().err
    assert not ws.exists()


def test_course_from_the_checkout_or_the_variable(tmp_path, monkeypatch):
    assert course.course_root() == Path(workspace.PACKAGE).parent  # installed with `pip install -e .`
    fake = tmp_path / "course"
    (fake / "notebooks").mkdir(parents=True)
    (fake / "notebooks" / "modules.toml").write_text(
        '[modules]\n01_tensor = { title = "T", package = "core.tensor", requires = [] }\n')
    monkeypatch.setenv("TINYTORCH_COURSE", str(fake))
    assert course.course_root() == fake.resolve()
    assert [m.published for m in course.modules(fake)] == [False]
    monkeypatch.setenv("TINYTORCH_COURSE", str(tmp_path / "nowhere"))
    with pytest.raises(course.Problem, match="TINYTORCH_COURSE"):
        course.course_root()


def test_refresh_updates_only_untouched_course_files(ws, monkeypatch, tmp_path):
    course_pkg = tmp_path / "course" / "tinytorch"
    (course_pkg / "core").mkdir(parents=True)
    (course_pkg / "__init__.py").write_text("v1\n")
    (course_pkg / "core" / "tensor.py").write_text("reference v1\n")
    (course_pkg / "core" / "layers.py").write_text("layers v1\n")
    (course_pkg / "cli").mkdir()
    (course_pkg / "cli" / "main.py").write_text("cli\n")
    monkeypatch.setattr(workspace, "PACKAGE", course_pkg)
    workspace.ensure(ws)
    pkg = workspace.package(ws)
    assert (pkg / "core" / "tensor.py").read_text() == "reference v1\n" and not (pkg / "cli").exists()
    (pkg / "core" / "tensor.py").write_text("my export\n")       # what `tinytorch export` writes
    (pkg / "core" / "layers.py").write_text("my hand edit\n")
    for name, text in (("__init__.py", "v2\n"), ("core/tensor.py", "reference v2\n"),
                       ("core/layers.py", "layers v2\n"), ("core/spatial.py", "new module\n")):
        (course_pkg / name).write_text(text)                     # the course was updated (git pull)
    updated = workspace.ensure(ws)
    assert sorted(p.relative_to(pkg).as_posix() for p in updated) == ["__init__.py", "core/spatial.py"]
    assert (pkg / "__init__.py").read_text() == "v2\n" and (pkg / "core" / "spatial.py").read_text() == "new module\n"
    assert (pkg / "core" / "tensor.py").read_text() == "my export\n"
    assert (pkg / "core" / "layers.py").read_text() == "my hand edit\n"
    assert workspace.ensure(ws) == []
