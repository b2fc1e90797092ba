"""What the book shows reads well without a browser: code fits 88 columns, tables keep their
columns, figures have readable text and no empty panels; and the book build stays in budget."""
import json
import os
import re
import sqlite3
import types
from contextlib import nullcontext
from pathlib import Path

import numpy as np
import pytest
import yaml

from autograder import course
from autograder.course import site as site_ext

MAX_COLUMNS = 88
PAGE_SECONDS = 10  # budget per executed page (recorded by jupyter-cache), on an idle 2-core machine


def _toc_sources():
    toc = yaml.safe_load((course.ROOT / "_toc.yml").read_text())
    files, stack = [toc["root"]], list(toc["parts"])
    while stack:
        entry = stack.pop(0)
        files += [entry["file"]] if "file" in entry else []
        stack[:0] = entry.get("chapters", []) + entry.get("sections", [])
    found = []
    for f in files:
        path = next((course.ROOT / (f + ext) for ext in (".md", ".ipynb") if (course.ROOT / (f + ext)).exists()), None)
        if path is not None:
            found.append(path)
    return found


HIDDEN_TAGS = {"remove-input", "remove-cell", "hide-input", "hide-cell"}


def shown_code(path):
    """(line) for every code line the book shows from one source page (.md fences, .ipynb cells)."""
    if path.suffix == ".ipynb":
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            tags = set(cell.get("metadata", {}).get("tags", []))
            if cell["cell_type"] == "code" and not tags & {"remove-input", "remove-cell"}:
                yield from "".join(cell["source"]).splitlines()
            elif cell["cell_type"] == "markdown":
                yield from _fenced("".join(cell["source"]))
        return
    yield from _fenced(path.read_text(encoding="utf-8"))


def _fenced(text):
    """Lines of fenced code blocks and {code-cell}s (not of other directives, nor their :options:)."""
    fence, code, head = None, False, False
    for line in text.splitlines():
        mark = re.match(r"\s*(```+|~~~+)\s*(\S*)", line)
        if fence is None and mark:
            fence, head = mark.group(1), True
            code = not mark.group(2).startswith("{") or mark.group(2).startswith("{code-cell")
        elif fence is not None and line.strip() == fence:
            fence = None
        elif fence is not None and code:
            head = head and re.match(r"\s*:\w[\w-]*:", line) is not None
            if not head:
                yield line


def _source_of(path):
    """The file to edit for a page: a walkthrough page's master, else the page itself."""
    if not path.is_relative_to(course.ROOT):
        return str(path)
    rel = path.relative_to(course.ROOT).as_posix()
    if rel.startswith("book/notebooks/"):
        for folder in ("masters", "milestones"):
            if (course.NOTEBOOKS / folder / path.name).exists():
                return (course.NOTEBOOKS / folder / path.name).relative_to(course.ROOT).as_posix()
    return rel


def long_code_lines(paths):
    """(source to edit, line) for every code line over MAX_COLUMNS that the pages `paths` show."""
    return sorted({(_source_of(p), line.rstrip()) for p in paths for line in shown_code(p)
                   if len(line.rstrip()) > MAX_COLUMNS})


def test_code_the_book_shows_fits_88_columns():
    found = long_code_lines(_toc_sources())
    assert not found, (f"{len(found)} code lines over {MAX_COLUMNS} columns (they scroll sideways in "
                       "the book); wrap them in their source:\n"
                       + "\n".join(f"{s}: {line}" for s, line in found[:20]))


def test_the_88_column_check_finds_long_lines(tmp_path):
    """The check above sees a long line in a notebook cell, in a fenced block and in a
    {code-cell}, and not in prose, a hidden cell or a directive's options."""
    long = "x = " + "1 + " * 30 + "1"
    page = tmp_path / "page.md"
    page.write_text(f"{long}\n\n```python\n{long}\n```\n\n```{{code-cell}} python\n"
                    f":tags: [{long}]\n\n{long} + 2\n```\n\n```{{figure}} x.png\n{long}\n```\n")
    notebook = tmp_path / "page.ipynb"
    notebook.write_text(json.dumps({"cells": [
        {"cell_type": "code", "metadata": {}, "source": [long + "  # shown"]},
        {"cell_type": "code", "metadata": {"tags": ["remove-input"]}, "source": [long + "  # hidden"]},
        {"cell_type": "markdown", "metadata": {}, "source": [long]}]}))
    assert [line for _, line in long_code_lines([page])] == [long, long + " + 2"]
    assert [line for _, line in long_code_lines([notebook])] == [long + "  # shown"]


def test_markdown_tables_keep_their_columns():
    """A `|` inside a table cell (even in `code`) must be escaped as `\\|`, or the row gains a column."""
    bad = []
    for path in _toc_sources():
        lines = (path.read_text(encoding="utf-8").splitlines() if path.suffix == ".md" else
                 [l for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "markdown"
                  for l in "".join(c["source"]).splitlines()])
        table = []
        for number, line in enumerate(lines + [""], 1):
            if line.lstrip().startswith("|"):
                table.append((number, len(re.findall(r"(?<!\\)\|", line))))
            elif table:
                bad += [f"{path.relative_to(course.ROOT)}:{n}: {k} cells, the header has {table[0][1]}"
                        for n, k in table if k != table[0][1]]
                table = []
    assert not bad, "\n".join(bad)


def test_1986_mistakes_figure_has_readable_counts_and_no_empty_panels(monkeypatch):
    """Run the milestone's "What it gets wrong" cell on a small stand-in model with 11 mistakes."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    nb = json.loads((course.NOTEBOOKS / "milestones" / "1986_mlp.ipynb").read_text(encoding="utf-8"))
    source = next("".join(c["source"]) for c in nb["cells"] if "confusion" in "".join(c["source"])
                  and c["cell_type"] == "code")
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(10), 36)
    predictions = labels.copy()
    predictions[:11] = 1 + np.arange(11) % 3  # 11 mistakes: zeros read as 1, 2 or 3 (4, 4 and 3 times)

    class Model:
        def eval(self):
            return self

        def __call__(self, x):
            return types.SimpleNamespace(numpy=lambda: np.eye(10)[predictions])

    shown = []
    monkeypatch.setattr(plt, "show", lambda: shown.append(plt.gcf()))
    exec(source, {"np": np, "plt": plt, "no_grad": nullcontext, "model": Model(), "side": 8,
                  "test_set": types.SimpleNamespace(tensors=[None]), "test_labels": labels,
                  "test_images": rng.random((len(labels), 64))})
    fig = shown[-1]
    empty = [ax for ax in fig.get_axes() if ax.axison and not ax.images and not ax.lines and not ax.patches]
    assert not empty, f"{len(empty)} empty axes with frames"
    matrix = next(ax for ax in fig.get_axes() if ax.images and ax.get_xlabel() == "predicted")
    image = matrix.images[0]
    scale = min(1.0, 680 / (fig.get_figwidth() * 96))  # displayed at most 680 px wide at 1280 px
    for text in matrix.texts:
        j, i = (round(v) for v in text.get_position())
        cell = np.array(image.cmap(image.norm(image.get_array()[i, j]))[:3])
        ink = np.array(matplotlib.colors.to_rgb(text.get_color()))
        lum = [0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2] for c in (cell ** 2.2, ink ** 2.2)]
        contrast = (max(lum) + 0.05) / (min(lum) + 0.05)
        assert contrast >= 4.5, f"count {text.get_text()} at ({i}, {j}): contrast {contrast:.1f} with its cell"
        assert text.get_fontsize() * 96 / 72 * scale >= 10, f"count {text.get_text()}: under 10 px as displayed"
    plt.close("all")


def test_book_build_runs_notebooks_on_one_blas_thread(monkeypatch):
    for name in site_ext.BUILD_THREAD_VARS:
        monkeypatch.setenv(name, "8")
    site_ext.one_blas_thread()
    assert {os.environ[n] for n in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")} == {"1"}


def test_every_executed_page_is_within_its_time_budget(site):
    """jupyter-cache records how long each page took to execute in the build; a page over budget
    should record its heavy results instead of recomputing them (see CONTRIBUTING.md)."""
    db = site.parent / ".jupyter_cache" / "global.db"
    if not db.exists():
        pytest.skip(f"{db}: no execution cache (execute_notebooks is not `cache` in _config.yml)")
    with sqlite3.connect(db) as con:
        rows = [(uri, json.loads(data)) for uri, data in con.execute("select uri, data from nbcache")]
    assert rows, "the build executed no page"
    # The budget holds on an idle machine. The site was built minutes ago in this session: on a
    # machine busy with other work (load above its core count), allow time in proportion.
    busy = max(1.0, os.getloadavg()[1] / (os.cpu_count() or 1))
    budget = PAGE_SECONDS * busy
    slow = [(Path(uri).relative_to(course.ROOT).as_posix(), round(d["execution_seconds"], 1)) for uri, d in rows
            if d.get("execution_seconds", 0) > budget]
    assert not slow, (f"pages over the {PAGE_SECONDS} s execution budget (x{busy:.1f} for the machine's load: "
                      f"{budget:.0f} s), in seconds: {slow}")
