"""Pictures where the concept lives: the masters' figures (drawn by code with tinytorch.viz.diagram)
reach the book as images with alt text and without their drawing code, and the instructor guide shows
the course workflow as a diagram."""
import ast
import html
import re

from autograder import course
from autograder.course import master
from autograder.course.reader import reader_notebook

# How many figures each module's notebook draws, one where each idea is taught (issue 12).
FIGURES = {"01_tensor": 2, "03_layers": 2, "04_losses": 4, "05_dataloader": 1, "06_autograd": 1,
           "09_spatial": 2, "10_tokenization": 1, "11_embeddings": 2}


def _figure_cells(nb):
    """[(index, cell)] of the code cells that finish with tinytorch.viz.diagram's show(fig, alt)."""
    found = []
    for i, cell in enumerate(nb["cells"]):
        code = master.source(cell)
        if cell["cell_type"] == "code" and "tinytorch.viz.diagram" in code:
            found.append((i, cell))
    return found


def _alt(code):
    """The alt text given to the cell's last statement, show(fig, "...")."""
    call = ast.parse(code).body[-1].value
    assert isinstance(call, ast.Call) and getattr(call.func, "id", None) == "show", \
        f"a figure cell must end with show(fig, alt):\n{code[-200:]}"
    return ast.literal_eval(call.args[1])


def test_each_figure_cell_hides_its_code_carries_its_alt_and_has_a_caption():
    for mid, count in FIGURES.items():
        nb = master.read(course.module(mid).master)
        figures = _figure_cells(nb)
        assert len(figures) == count, f"{mid}: {len(figures)} figure cells, expected {count}"
        first_code = next(master.source(c) for c in nb["cells"] if c["cell_type"] == "code")
        assert "matplotlib" not in first_code and "diagram" not in first_code, \
            f"{mid}: figures import matplotlib in their own cells, not in the first one (CONTRIBUTING.md)"
        for i, cell in figures:
            meta = cell["metadata"]
            assert "remove-input" in meta.get("tags", []), f"{mid} cell {i}: a figure hides its code in the book"
            assert "figure" in meta.get("tags", []), f"{mid} cell {i}: a figure is tagged `figure` (graders skip it)"
            image = meta.get("mystnb", {}).get("image", {})
            assert image.get("alt") and image["alt"] == _alt(master.source(cell)), \
                f"{mid} cell {i}: the image's alt text (cell metadata mystnb.image.alt) must be the one given to show()"
            assert "tt-figure" in image.get("classes", "").split(), \
                f"{mid} cell {i}: class tt-figure (mystnb.image.classes) keeps the theme's dark-mode panel off the figure"
            above = nb["cells"][i - 1]
            assert above["cell_type"] == "markdown" and master.source(above).startswith("**Picture it.**"), \
                f"{mid} cell {i}: a figure has a caption line in the markdown cell above it"


def test_the_book_page_keeps_a_cells_tags_and_image_options():
    nb = {"cells": [
        {"cell_type": "code", "metadata": {"tags": ["remove-input"], "mystnb": {"image": {"alt": "a picture"}}},
         "source": "print('figure')", "outputs": [], "execution_count": None},
        {"cell_type": "code", "metadata": {}, "source": "print('plain')", "outputs": [], "execution_count": None}]}
    cells = [c for c in reader_notebook(nb)["cells"] if c["cell_type"] == "code"]
    assert cells[0]["metadata"]["tags"] == ["remove-input"]
    assert cells[0]["metadata"]["mystnb"] == {"image": {"alt": "a picture"}}
    assert "tags" not in cells[1]["metadata"] and "mystnb" not in cells[1]["metadata"]


def _images(text):
    """{alt: (src, classes)} of a page's <img> elements."""
    found = {}
    for tag in re.findall(r"<img\b[^>]*>", text):
        alt, src, cls = (re.search(rf'{key}="([^"]*)"', tag) for key in ("alt", "src", "class"))
        if alt and src:
            found[html.unescape(alt.group(1))] = (html.unescape(src.group(1)), cls.group(1).split() if cls else [])
    return found


def test_each_page_shows_its_figures_as_images_with_alt_text(site):
    for mid in FIGURES:
        page = site / "book" / "notebooks" / f"{mid}.html"
        text = page.read_text(encoding="utf-8")
        images = _images(text)
        for _, cell in _figure_cells(master.read(course.module(mid).master)):
            alt = cell["metadata"]["mystnb"]["image"]["alt"]
            assert alt in images, f"{mid}: no <img> with the alt text {alt[:60]!r}…"
            src, classes = images[alt]
            assert "tt-figure" in classes, f"{mid}: the figure's <img> lacks the class tt-figure: {classes}"
            src = (page.parent / src).resolve()
            assert src.suffix == ".svg" and src.exists(), f"{mid}: the figure's image {images[alt][0]} is missing"
            assert "<svg" in src.read_text(encoding="utf-8")[:2000]
            assert "tinytorch.viz.diagram" not in text, f"{mid}: the page shows a figure's drawing code"


def test_the_instructor_guide_draws_the_workflow(site):
    text = (site / "book" / "instructors.html").read_text(encoding="utf-8")
    assert re.search(r'class="[^"]*\btt-diagram\b', text), "the workflow sits in a tt-diagram container (dark-mode CSS)"
    block = re.search(r'<pre\b[^>]*class="(?:[^"]*\s)?mermaid(?:\s[^"]*)?"[^>]*>(.*?)</pre>', text, re.S)
    assert block, "the instructor guide has no mermaid diagram"
    code = html.unescape(block.group(1))
    for step in ("Master notebook", "autograder sync", "Student notebook", "Autograder zip",
                 "Submissions", "autograder grade", "Gradebook"):
        assert step in code, f"the workflow diagram does not show {step!r}"
