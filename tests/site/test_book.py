"""The course site builds from a clean tree, lists every existing chapter, and never shows a solution."""
import html
import json
import re

from autograder import course
from autograder.course import sync
from tests.pipeline import nbtools


def test_toc_is_generated_from_the_registry():
    assert (course.ROOT / "_toc.yml").read_text() == sync.toc()


def test_every_chapter_and_walkthrough_is_built(site):
    pages = ["book/intro.html", "book/howto.html"]
    for m in course.modules():
        if m.exists:
            pages += [f"book/modules/{m.id}.html", f"book/notebooks/{m.id}.html"]
    for ms in course.milestones():
        if ms.exists:
            pages += [f"book/milestones/{ms.id}.html", f"notebooks/milestones/{ms.id}.html"]
    missing = [p for p in pages if not (site / p).exists()]
    assert not missing, f"pages missing from the built site: {missing}"


def test_built_site_contains_no_solution_and_no_source_notebooks(site):
    secrets = nbtools.solution_lines(*(json.loads(m.master.read_text()) for m in course.modules() if m.exists))
    assert secrets
    # The only notebooks served are JupyterLite's copies of the student notebooks (checked byte for
    # byte in test_site_browser.py) and its settings notebooks, never a master or a walkthrough source.
    offered = [p.relative_to(site).as_posix() for p in site.rglob("*.ipynb")]
    assert all(p.startswith("lite/") for p in offered), f"notebook sources offered outside JupyterLite: {offered}"
    for page in [*site.rglob("*.html"), *site.rglob("*.ipynb"), site / "searchindex.js"]:
        # Highlighted code is split into <span>s: compare the page's text, not its markup.
        text = html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8", errors="replace")))
        lines = {line.strip() for line in text.splitlines()}
        leaked = [s for s in secrets if s in lines or (len(s) >= 30 and s in text)]
        assert not leaked, f"{page.relative_to(site)} shows solution lines: {leaked[:3]}"


def test_walkthrough_pages_show_executed_outputs(site):
    for m in course.modules():
        if m.exists:
            text = (site / f"book/notebooks/{m.id}.html").read_text(encoding="utf-8")
            assert "cell_output" in text, f"{m.id}: the walkthrough page has no outputs"
