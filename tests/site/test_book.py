"""The course site builds from a clean tree, lists every existing chapter, and never shows a solution."""
import html
import json
import re

from autograder import course
from autograder.course import sync
from tests.pipeline import nbtools


def test_toc_is_generated_from_the_registry():
    assert (course.ROOT / "_toc.yml").read_text() == sync.toc()


PAGES = [*(m for m in course.modules() if m.exists), *(ms for ms in course.milestones() if ms.exists)]


def _html(site, rel):
    return (site / rel).read_text(encoding="utf-8")


def _hrefs(text, cls):
    """The hrefs of the <a> elements with CSS class `cls` in a page."""
    return [html.unescape(h) for tag in re.findall(r"<a\b[^>]*>", text) if re.search(rf'class="[^"]*\b{cls}\b', tag)
            for h in re.findall(r'href="([^"]*)"', tag)]


def test_one_page_per_module_and_milestone_and_none_left_over(site):
    pages = ["book/intro.html", "book/howto.html", *(f"book/notebooks/{x.id}.html" for x in PAGES)]
    missing = [p for p in pages if not (site / p).exists()]
    assert not missing, f"pages missing from the built site: {missing}"
    # The chapter prose is part of each page now: no separate chapter or walkthrough page.
    leftover = [p.relative_to(site).as_posix() for d in ("book/modules", "book/milestones", "notebooks/milestones")
                for p in (site / d).glob("*.html")]
    assert not leftover, f"pages that should be one with their notebook page: {leftover}"


def test_every_page_opens_with_its_chapter_then_shows_its_notebook_run(site):
    for x in PAGES:
        text = _html(site, f"book/notebooks/{x.id}.html")
        title = x.chapter.read_text(encoding="utf-8").splitlines()[0].lstrip("# ").strip()
        body = text[text.index('<article class="bd-article">'):]
        h1 = html.unescape(re.sub(r"<[^>]+>", "", re.search(r"<h1>(.*?)</h1>", body, re.S).group(1)))
        assert h1.replace("\u2019", "'").rstrip("#").strip() == title, f"{x.id}: the page's title is {h1!r}, not {title!r}"
        assert body.count("<h1") == 1, f"{x.id}: more than one h1 (the notebook's title should be demoted)"
        assert body.index("tt-launch-box") < body.index("<h2>The notebook:"), f"{x.id}: chapter, then notebook"
        assert "cell_output" in body, f"{x.id}: the page shows no executed outputs"


def test_launch_and_download_links_open_the_pages_notebook(site):
    for x in PAGES:
        rel = f"book/notebooks/{x.id}.html"
        text = _html(site, rel)
        source = x.student if isinstance(x, course.Module) else x.notebook
        lite = _hrefs(text, "tt-launch-lite")
        assert lite == [f"../../lite/notebooks/index.html?path={source.name}"], (x.id, lite)
        served = site / "lite" / "files" / source.name
        assert served.exists(), f"{x.id}: {served} is missing"
        # served as stored: a milestone notebook starts with the Setup cell, as a student notebook does
        assert served.read_bytes() == source.read_bytes(), f"{x.id}: {served} is not {source.name}"
        download = _hrefs(text, "tt-download")
        assert len(download) == 1, (x.id, download)
        target = (site / rel).parent / download[0]
        assert target.resolve() == served.resolve(), f"{x.id}: the download link {download[0]} is not {served}"


def test_no_two_pages_share_a_title(site):
    titles = {}
    for page in site.glob("book/**/*.html"):
        title = html.unescape(re.search(r"<title>(.*?)</title>", _html(site, page.relative_to(site)), re.S).group(1))
        titles.setdefault(title.strip(), []).append(page.relative_to(site).as_posix())
    shared = {t: p for t, p in titles.items() if len(p) > 1}
    assert not shared, f"pages with the same title: {shared}"


def test_module_pages_offer_a_console_in_place(site):
    assert (site / "lite" / "repl" / "index.html").exists()
    for m in (x for x in PAGES if isinstance(x, course.Module)):
        text = _html(site, f"book/notebooks/{m.id}.html")
        assert "tt-try-it" in text and "../../lite/repl/index.html?" in text, f"{m.id}: no console to try code in"


def _mermaid(text):
    return [html.unescape(block) for block in re.findall(r'<pre[^>]*class="[^"]*mermaid[^"]*"[^>]*>(.*?)</pre>', text, re.S)]


def test_tier_pages_draw_every_module_of_their_tier(site):
    for tier, mods in course.tiers():
        rel = f"{sync.tier_page(tier)}.html"
        assert (site / rel).exists(), f"no page for the {tier} tier"
        text = _html(site, rel)
        diagram = "\n".join(_mermaid(text))
        for m in mods:
            label = f'm{m.number:02d}["{m.number:02d} {m.title}{"" if m.exists else " (coming)"}"]'
            assert label in diagram, f"{tier}: no node {label} in its diagram"
        others = [m for m in course.modules() if m.tier != tier]
        assert not any(f"m{m.number:02d}[" in diagram for m in others), f"{tier}'s diagram draws other tiers' modules"
        table = re.search(r'class="[^"]*\btt-tier\b[^"]*">.*?<table.*?</table>', text, re.S)
        assert table, f"{tier}: the page has no table of its modules"
        cells = html.unescape(re.sub(r"<[^>]+>", " ", table.group(0)))
        for m in mods:  # every module with its time estimate and status
            row = re.search(rf"{m.number:02d} · {re.escape(m.title)}\s+(\S+)\s.*?(ready|coming)", cells, re.S)
            assert row and row.group(1) == f"{m.hours:g}" and row.group(2) == ("ready" if m.exists else "coming"), \
                f"{tier}: {m.id}'s row is wrong or missing"


def test_course_map_links_modules_and_milestones_to_their_pages(site):
    diagram = "\n".join(_mermaid(_html(site, "book/intro.html")))
    links = dict(re.findall(r'click (\S+) href "([^"]+)"', diagram))
    want = {f"m{m.number:02d}" for m in PAGES if isinstance(m, course.Module)}
    want |= {f"ms_{ms.id}" for ms in PAGES if isinstance(ms, course.Milestone)}
    assert set(links) == want, sorted(set(links) ^ want)
    broken = [h for h in links.values() if not (site / "book" / h).resolve().exists()]
    assert not broken, f"course map links to missing pages: {broken}"


def test_the_first_graph_of_06_is_an_executed_widget_with_its_state(site):
    text = _html(site, "book/notebooks/06_autograd.html")
    state = re.search(r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>', text, re.S)
    assert state, "the 06 page embeds no widget state: its widgets would need a kernel"
    models = json.loads(html.unescape(state.group(1)))["state"]
    graphs = [m for m in models.values() if "computational graph" in str(m.get("state", {}).get("value", ""))]
    assert graphs, "no widget of the 06 page shows a computational graph"
    # Shown where graphs are introduced: in section 2, before section 3 begins.
    start, end = text.index('<section id="from-numbers-to-tensors">'), text.index('<section id="topological-order')
    assert "application/vnd.jupyter.widget-view+json" in text[start:end], "no widget where graphs are introduced"


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


def test_site_piplite_index_serves_all_the_setup_cell_needs_beyond_pyodide(site):
    """Resolved against the built site's piplite index (lite/pypi/all.json) and the pinned
    Pyodide's packages: nothing the Setup cell installs would come from PyPI."""
    from packaging.version import Version

    from autograder.course import lite, student
    index = json.loads((site / "lite" / "pypi" / "all.json").read_text())
    served = {name: max(entry["releases"], key=Version) for name, entry in index.items()}
    requirements = lite.setup_requirements("".join(student.setup_cell("01_tensor.ipynb")["source"]))
    plan, problems, _ = lite.resolve(lite.BOOT + requirements, lite.load_lock(), site=served)
    assert not problems, "\n".join(problems)
    assert plan["otter-grader"][0] == "site"
