"""tinytorch.export: master and student notebooks into package files."""
import json

import nbformat
import pytest

from tinytorch.export import ExportError, export_notebook, main, render, strip_otter_markers


def notebook(*cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    return nb


def test_strip_otter_markers_keeps_solution_code():
    code = ("def f(x):\n    # BEGIN SOLUTION\n    y = x + 1\n    # END SOLUTION\n    return y\n"
            "z = 3  # SOLUTION\n\"\"\" # BEGIN PROMPT\nz = ...\n\"\"\" # END PROMPT")
    assert strip_otter_markers(code) == "def f(x):\n    y = x + 1\n    return y\nz = 3"


def test_render_groups_cells_by_target_in_order():
    nb = notebook("#| default_exp core.a\nimport numpy as np", "#| export\nA = 1", "print('not exported')",
                  "#| export core.b\nB = 2", "#| export\nC = 3")
    files = render(nb, "x.ipynb")
    assert set(files) == {"core/a.py", "core/b.py"}
    assert "A = 1\n\n\nC = 3\n" in files["core/a.py"] and "not exported" not in files["core/a.py"]
    assert files["core/a.py"].startswith("# Generated from x.ipynb")


def test_unfinished_exercise_is_refused_with_the_cell_number():
    nb = notebook("#| default_exp core.a", "#| export\ndef f(x):\n    \"\"\"doc\"\"\"\n    ...")
    # Cells are counted from 1, as a person counts them, and named by their first line of code
    with pytest.raises(ExportError, match=r"cell 2 \(counting from 1; it starts `def f\(x\):`\): line 3 is still `...`"):
        render(nb, "x.ipynb")


def test_syntax_error_and_missing_default_are_named():
    with pytest.raises(ExportError, match="syntax error"):
        render(notebook("#| default_exp core.a", "#| export\ndef f(:\n"), "x.ipynb")
    with pytest.raises(ExportError, match="default_exp"):
        render(notebook("#| export\nA = 1"), "x.ipynb")


def test_export_into_a_checkout_keeps_a_backup(tmp_path):
    (tmp_path / "tinytorch" / "core").mkdir(parents=True)
    old = tmp_path / "tinytorch" / "core" / "a.py"
    old.write_text("OLD = True\n")
    path = tmp_path / "mine.ipynb"
    nbformat.write(notebook("#| default_exp core.a", "#| export\nNEW = True"), path)
    written = export_notebook(path, tmp_path)
    assert written == [old] and "NEW = True" in old.read_text()
    assert (tmp_path / "tinytorch" / "core" / "a.py.bak").read_text() == "OLD = True\n"
    export_notebook(path, tmp_path)  # a second export keeps the first backup
    assert (tmp_path / "tinytorch" / "core" / "a.py.bak").read_text() == "OLD = True\n"


def test_bad_files_give_one_line_errors(tmp_path, capsys):
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{not json")
    assert main([str(broken), "--to", str(tmp_path)]) == 1
    assert "not a readable .ipynb" in capsys.readouterr().err
    assert main([str(tmp_path / "absent.ipynb"), "--to", str(tmp_path)]) == 1
    assert "no such notebook" in capsys.readouterr().err
    empty = tmp_path / "empty.ipynb"
    empty.write_text(json.dumps(notebook("x = 1")))
    assert main([str(empty), "--to", str(tmp_path)]) == 1
    assert "no `#| export` cells" in capsys.readouterr().err
