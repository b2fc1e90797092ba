"""Module, milestone and tier pages in a real browser (fixtures and network rules from test_site_browser.py):
the course map readable on a phone and in dark mode, the executed GraphWidget on 06 without a kernel,
graph drawings inside the text column, and the in-page console running on the offline Pyodide."""
import pytest

from tests.site.test_site_browser import (  # noqa: F401  (fixtures are used by name)
    MODULES, SCREENSHOTS, _open, _shot, browser, offline_pyodide, open_page, pytestmark, pyodide_url, server)


def _contrast(a, b):
    """WCAG contrast ratio of two CSS rgb() colours."""
    def luminance(css):
        channels = [int(c) / 255 for c in css[css.index("(") + 1:-1].split(",")[:3]]
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    hi, lo = sorted([luminance(a), luminance(b)], reverse=True)
    return (hi + 0.05) / (lo + 0.05)


MAP_STYLE = """() => { const pre = document.querySelector('.tt-course-map pre.mermaid'); const node = pre.querySelector('g.node');
  const filters = []; for (let e = node; e && e !== document.body; e = e.parentElement) filters.push(getComputedStyle(e).filter);
  const label = node.querySelector('.nodeLabel').getBoundingClientRect();
  return {fill: getComputedStyle(node.querySelector('rect, polygon')).fill,
          text: getComputedStyle(node.querySelector('.nodeLabel')).color, filters, labelHeight: label.height,
          pageWidth: document.documentElement.scrollWidth, mapScrolls: pre.scrollWidth > pre.clientWidth}; }"""


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_course_map_is_readable_at_phone_width(browser, server, pyodide_url, dark):
    ctx, page, errors, net = _open(browser, server, pyodide_url, "book/intro.html", dark=dark, width=390)
    try:
        page.wait_for_function("() => document.querySelectorAll('pre.mermaid svg.flowchart g.node').length > 0")
        style = page.evaluate(MAP_STYLE)
        assert style["labelHeight"] >= 12, f"module names are {style['labelHeight']:.1f}px tall at 390px: {style}"
        assert style["pageWidth"] <= 390 and style["mapScrolls"], f"the map should scroll inside its box: {style}"
        assert all(f == "none" for f in style["filters"]), f"the map is recoloured by a filter: {style['filters']}"
        assert _contrast(style["fill"], style["text"]) >= 4.5, f"labels hard to read: {style}"
        assert not errors and not net.blocked, (errors, net.blocked)
        _shot(page, f"intro-390-{'dark' if dark else 'light'}")
    finally:
        ctx.close()


# The room between each GraphWidget button's icon (an <i>, or the <svg> the theme's FontAwesome script
# puts in its place) and its label (the text node after it): negative where the two boxes overlap.
BUTTON_GAPS = """box => [...box.querySelectorAll('.widget-button')].filter(b => b.querySelector('i, svg')).map(b => {
  const icon = b.querySelector('i, svg').getBoundingClientRect();
  const text = [...b.childNodes].find(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
  const range = document.createRange(); range.selectNodeContents(text);
  const label = range.getBoundingClientRect();
  return {label: text.textContent.trim(), gap: Math.max(label.left - icon.right, icon.left - label.right)}; })"""


def test_graph_widget_renders_on_the_06_page_without_a_kernel(open_page):
    page, errors, net = open_page("book/notebooks/06_autograd.html")
    widget = page.locator("#from-numbers-to-tensors .widget-vbox").first
    widget.locator(".widget-html svg[aria-label^='computational graph']").first.wait_for()
    assert widget.locator("button", has_text="step").count() == 1, "the GraphWidget's controls are missing"
    assert "node" in widget.locator(".widget-dropdown").inner_text()
    gaps = widget.evaluate(BUTTON_GAPS)
    assert len(gaps) == 3 and all(g["gap"] >= 3 for g in gaps), f"a button's icon touches its label: {gaps}"
    assert not errors and not net.blocked, (errors, net.blocked)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    widget.screenshot(path=str(SCREENSHOTS / "06-graph-widget.png"))


def test_graph_drawings_fit_the_text_column(open_page):
    """draw_graph's SVG and the GraphWidget's are wider than the column: each scrolls in its own box."""
    page, errors, net = open_page("book/notebooks/06_autograd.html")
    page.locator(".widget-html svg").first.wait_for()
    boxes = page.evaluate("""() => { const col = document.querySelector('article').getBoundingClientRect();
      return [...document.querySelectorAll('.cell_output svg[aria-label^="computational graph"]')].map(svg => {
        const box = svg.parentElement.getBoundingClientRect();
        return {right: box.right, column: col.right, scrolls: svg.parentElement.scrollWidth >= svg.getBoundingClientRect().width - 1,
                inWidget: !!svg.closest('.widget-html')}; }); }""")
    assert {b["inWidget"] for b in boxes} == {True, False}, f"expected a widget drawing and a static one: {boxes}"
    for b in boxes:
        assert b["right"] <= b["column"] + 1 and b["scrolls"], f"a graph drawing overflows the text column: {b}"


@pytest.mark.skipif(not MODULES, reason="no module is published yet")
def test_console_on_a_module_page_opens_and_runs_python_offline(browser, server, pyodide_url, offline_pyodide):
    """The collapsed "Try it here" console (jupyterlite-sphinx's replite) starts JupyterLite's REPL in
    the page, on the local Pyodide, with the install cell ready and Python running."""
    m = MODULES[0]
    ctx, page, errors, net = _open(browser, server, pyodide_url, f"book/notebooks/{m.id}.html", pyodide_dir=offline_pyodide)
    try:
        assert page.locator(".tt-try-it iframe").count() == 0, "the console should start only when asked"
        page.locator(".tt-try-it summary").click()
        page.locator(".tt-try-it .jupyterlite_sphinx_try_it_button").click()
        frame = page.frame_locator(".tt-try-it iframe")
        prompt = frame.locator(".jp-CodeConsole-promptCell .cm-content")
        prompt.wait_for(timeout=300_000)
        assert "piplite.install" in prompt.inner_text(), "the console should start with the install cell"
        prompt.click()
        page.keyboard.press("Control+a")
        page.keyboard.insert_text("import sys; print(sys.platform, sum(i * i for i in range(10)))")
        page.keyboard.press("Shift+Enter")
        frame.locator(".jp-CodeConsole-content .jp-OutputArea-output", has_text="emscripten 285").wait_for(timeout=420_000)
        assert not net.blocked, f"the console asked for something outside 127.0.0.1 and Pyodide: {net.blocked}"
        assert not net.pyodide_missing, net.pyodide_missing
        _shot(page, f"try-it-{m.id}")
    finally:
        ctx.close()
