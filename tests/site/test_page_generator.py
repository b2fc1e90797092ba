"""One page per module and milestone, and one per tier, generated from the registry (no build needed)."""
import re
from types import SimpleNamespace

import pytest

from autograder import course
from autograder.course import master, reader, registry, site, student, sync

MODULES = [m for m in course.modules() if m.exists]
MILESTONES = [ms for ms in course.milestones() if ms.exists]


def _headings(nb):
    """The Markdown headings of nb's markdown cells; `# comments` inside ``` fences are code."""
    found = []
    for c in nb["cells"]:
        if c["cell_type"] != "markdown":
            continue
        fenced = False
        for line in master.source(c).splitlines():
            if line.lstrip().startswith("```"):
                fenced = not fenced
            elif not fenced and re.match(r"#{1,6} ", line):
                found.append(line)
    return found


def test_the_notebooks_title_and_headings_move_below_the_chapters():
    text = "# 06 · Autograd\nintro\n## 1. Part\n```python\n# a comment, not a heading\n```\n###### deepest"
    out = reader.demote_headings(text, "06_autograd.ipynb")
    assert out.splitlines()[0] == "## The notebook: 06 · Autograd"
    assert "`06_autograd.ipynb`" in out and "\n### 1. Part\n" in out
    assert "# a comment, not a heading" in out.splitlines() and out.endswith("###### deepest")


def test_a_chapter_needs_a_title():
    with pytest.raises(ValueError, match="must start with a `# Title` line"):
        reader.chapter_cells("no title here\n## Only a section\n")


@pytest.mark.parametrize("m", MODULES, ids=lambda m: m.id)
def test_module_page_is_the_chapter_then_the_notebook(m):
    page = master.read(m.reader)
    assert master.source(page["cells"][0]) == m.chapter.read_text(encoding="utf-8").strip("\n")
    h1 = [h for h in _headings(page) if h.startswith("# ")]
    assert h1 == [m.chapter.read_text(encoding="utf-8").splitlines()[0]], f"{m.id}: one title, the chapter's: {h1}"
    assert any(h.startswith("## The notebook: ") for h in _headings(page))
    console = master.source(page["cells"][1])
    assert "{replite}" in console and "{dropdown}" in console, "the page should offer a collapsed console"


@pytest.mark.parametrize("ms", MILESTONES, ids=lambda ms: ms.id)
def test_milestone_page_is_the_chapter_then_its_notebook(ms):
    page = master.read(ms.reader)
    notebook = master.read(ms.notebook)
    assert master.source(page["cells"][0]) == ms.chapter.read_text(encoding="utf-8").strip("\n")
    code = [master.source(c) for c in page["cells"] if c["cell_type"] == "code"]
    assert code == [master.source(c) for c in notebook["cells"][1:] if c["cell_type"] == "code"]
    assert "tinytorch-setup" not in str(page), f"{ms.id}: the page shows the Setup cell"
    assert not any(c.get("outputs") for c in page["cells"] if c["cell_type"] == "code")
    assert [h for h in _headings(page) if h.startswith("# ")] == [ms.chapter.read_text().splitlines()[0]]


@pytest.mark.parametrize("ms", MILESTONES, ids=lambda ms: ms.id)
def test_milestone_notebook_starts_with_the_setup_cell(ms):
    """Colab and JupyterLite open a milestone notebook as it is stored: like a student notebook,
    it must start with the Setup cell that installs tinytorch there (student.setup_cell)."""
    first = master.read(ms.notebook)["cells"][0]
    assert first == student.milestone_setup_cell(ms), (
        f"{ms.notebook.name}: the first cell is not the current Setup cell; run "
        "`python -m autograder sync`, which puts it there")
    assert 'elif "google.colab" in sys.modules:' in master.source(first)


def test_a_stale_milestone_setup_cell_is_replaced(tmp_path, monkeypatch):
    """write_milestone_setup_cells puts the current Setup cell first, once, keeping the rest."""
    ms = MILESTONES[0]
    copy = tmp_path / "notebooks" / "milestones" / ms.notebook.name
    copy.parent.mkdir(parents=True)
    nb = master.read(ms.notebook)
    body = [c for c in nb["cells"] if "tinytorch-setup" not in c.get("metadata", {}).get("tags", [])]
    stale = dict(student.milestone_setup_cell(ms), source=["# an old Setup cell\n"])
    copy.write_text(master.dump(dict(nb, cells=[stale, *body])), encoding="utf-8")
    monkeypatch.setattr(type(ms), "notebook", property(lambda self: copy))
    monkeypatch.setattr(registry, "milestones", lambda: [ms])
    assert student.write_milestone_setup_cells() == [copy]
    cells = master.read(copy)["cells"]
    assert cells[0] == student.milestone_setup_cell(ms) and cells[1:] == body
    assert student.write_milestone_setup_cells() == []


def test_toc_lists_each_tier_page_then_one_page_per_module_and_milestone():
    files = re.findall(r"- file: (\S+)", sync.toc())
    for tier, mods in course.tiers():
        page = sync.tier_page(tier)
        assert page in files and (course.ROOT / f"{page}.md").exists(), f"no page for the {tier} tier"
        at = files.index(page)
        published = [f"book/notebooks/{m.id}" for m in mods if m.exists]
        assert files[at + 1:at + 1 + len(published)][:1] == published[:1]
    pages = [f for f in files if f.startswith("book/notebooks/")]
    assert sorted(pages) == sorted(f"book/notebooks/{x.id}" for x in MODULES + MILESTONES)
    assert not [f for f in files if f.startswith(("book/modules/", "book/milestones/", "notebooks/"))]


def test_a_published_module_without_its_chapter_is_a_clear_error():
    missing = SimpleNamespace(chapter=course.ROOT / "book" / "modules" / "99_missing.md")
    with pytest.raises(FileNotFoundError, match=r"^book/modules/99_missing\.md is missing: every published module"):
        sync._chapter(missing)


def test_hours_must_be_a_number(monkeypatch):
    reg = registry._load()
    first = next(iter(reg["modules"]))
    reg["modules"][first]["hours"] = "four"
    monkeypatch.setattr(registry, "_load", lambda: reg)
    with pytest.raises(ValueError, match=f"module {first}'s hours must be a number of hours.*'four'"):
        registry.modules()


def test_tier_diagram_draws_its_own_modules_and_marks_the_coming_ones():
    for tier, mods in course.tiers():
        code = site.course_map_code(f"{sync.tier_page(tier)}", tier)
        nodes = set(re.findall(r"^\s+(m\d\d)\[", code, re.M))
        assert nodes == {f"m{m.number:02d}" for m in mods}
        for m in mods:
            assert (f'{m.title} (coming)"]' in code) == (not m.exists)
    with pytest.raises(ValueError, match="no tier named 'Nope'; the tiers are: Foundation"):
        site.course_map_code("book/tiers/x", "Nope")


def test_course_map_links_every_published_milestone():
    code = site.course_map_code("book/intro")
    for ms in course.milestones():
        assert (f'click ms_{ms.id} href "../book/notebooks/{ms.id}.html"' in code) == ms.exists


def test_tier_table_gives_hours_status_and_milestones():
    for tier, mods in course.tiers():
        text = "\n".join(site.tier_table_md(tier))
        assert f"About **{sum(m.hours for m in mods):g} hours**" in text
        assert text.count("| coming |") == sum(not m.exists for m in mods)
        for ms in course.milestones():
            if course.module(ms.after).tier == tier:
                assert ms.title in text


def test_milestone_pages_launch_the_milestone_notebook():
    class Config:
        html_theme_options = {"repository_url": "https://github.com/someone/tinytorch", "repository_branch": "main"}
        tinytorch_binderhub_url = "https://mybinder.org"
        tinytorch_colab_url = "https://colab.research.google.com"

    ms = MILESTONES[0]
    links = {cls: url for _, url, cls in site.launch_links(Config, ms, f"book/notebooks/{ms.id}")}
    assert links["tt-launch-lite"] == f"../../lite/notebooks/index.html?path={ms.id}.ipynb"
    assert links["tt-launch-colab"].endswith(f"/blob/main/notebooks/milestones/{ms.id}.ipynb")
    assert f"urlpath=lab/tree/notebooks/milestones/{ms.id}.ipynb" in links["tt-launch-binder"]
    assert site.download_link(ms, f"book/notebooks/{ms.id}") == (f"Download {ms.id}.ipynb",
                                                                  f"../../lite/files/{ms.id}.ipynb")
