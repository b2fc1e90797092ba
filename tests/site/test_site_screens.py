"""The built site on phone, tablet and laptop screens, and the in-browser path when Pyodide is
out of reach, in Chromium (offline: see test_site_browser.py, whose fixtures these tests share).
Every wait is on a condition, never a fixed sleep."""
import pytest

from autograder import course
from tests.site.test_site_browser import (  # noqa: F401  (fixtures)
    CHROMIUM, _open, browser, lite_notebook, offline_pyodide, open_page, pyodide_url, server)
from tests.site.test_reading import MAX_COLUMNS

MODULES = [m for m in course.modules() if m.exists]
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")


@pytest.mark.parametrize("width", [390, 900])
def test_sidebar_toggle_opens_the_navigation(open_page, width):
    """pydata-sphinx-theme binds only the first toggle (its #2451); the visible one must work too."""
    page, errors, net = open_page("book/howto.html", width=width)
    page.wait_for_load_state("networkidle")
    toggle = page.locator(".primary-toggle:visible")
    assert toggle.count() == 1, f"{toggle.count()} visible sidebar toggles at {width} px"
    toggle.click()
    dialog = page.locator("#pst-primary-sidebar-modal")
    dialog.locator("nav a").first.wait_for(state="visible")
    assert dialog.evaluate("d => d.open"), "the navigation drawer did not open"
    assert dialog.get_by_role("link", name="How to take this course").first.is_visible()
    page.keyboard.press("Escape")
    page.wait_for_function("() => !document.querySelector('#pst-primary-sidebar-modal').open")
    assert not errors and not net.blocked, (errors, net.blocked)


def _toc_pages():
    from tests.site.test_reading import _toc_sources
    return [p.relative_to(course.ROOT).with_suffix(".html").as_posix() for p in _toc_sources()]


@pytest.mark.parametrize("path", _toc_pages())
def test_code_blocks_fit_at_1280px(open_page, path):
    """At 1280 px a code block scrolls sideways only if it holds a line over 88 columns (which
    test_reading.py lists as debt); a block of 88-column lines fits."""
    page, errors, net = open_page(path, width=1280)
    page.wait_for_load_state("networkidle")
    wide = page.evaluate("""max => [...document.querySelectorAll('article pre')]
        .filter(pre => pre.scrollWidth > pre.clientWidth + 1)
        .map(pre => Math.max(...pre.innerText.split('\\n').map(line => line.length)))
        .filter(longest => longest <= max)""", MAX_COLUMNS)
    assert not wide, f"{path}: {len(wide)} code blocks with lines of at most {MAX_COLUMNS} columns scroll sideways"
    capacity = page.evaluate("""() => {
        const pres = [...document.querySelectorAll('article div.highlight pre')]
            .filter(pre => pre.offsetParent !== null && pre.clientWidth > 0);
        if (!pres.length) return null;
        const pre = pres.reduce((a, b) => (b.clientWidth > a.clientWidth ? b : a));
        const style = getComputedStyle(pre);
        const probe = document.createElement('span');
        probe.textContent = 'x'.repeat(88);
        pre.appendChild(probe);
        const needed = probe.getBoundingClientRect().width;
        probe.remove();
        const room = pre.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        return needed <= room + 0.5; }""")
    assert capacity in (None, True), f"{path}: 88 columns do not fit in a code block at 1280 px"


def test_performance_plot_is_shown_at_full_size_at_1280px(open_page):
    page, errors, net = open_page("book/performance.html", width=1280)
    img = page.locator("article img[src*='performance']").first
    img.wait_for()
    page.wait_for_function("i => i.complete && i.naturalWidth > 0", arg=img.element_handle())
    shown, natural = img.evaluate("i => [i.getBoundingClientRect().width, i.naturalWidth]")
    assert shown >= natural - 1, f"the plot is scaled down to {shown:.0f} of {natural} px: its text shrinks below 10 px"


@pytest.mark.skipif(not MODULES, reason="no module is published yet")
def test_lite_button_says_when_pyodide_is_out_of_reach(open_page):
    """Pyodide blocked (the Pyodide URL answers 404): the button warns instead of opening a
    notebook whose kernel would never start."""
    m = MODULES[0]
    page, errors, net = open_page(f"book/notebooks/{m.id}.html")
    before = page.url
    page.locator("a.tt-launch-lite").click()
    warning = page.locator(".tt-lite-unreachable")
    warning.wait_for(state="visible")
    text = warning.inner_text()
    for words in ("cannot start", "Binder", "Colab", "install the course"):
        assert words in text, text
    assert page.url == before
    assert net.pyodide_missing, "the check did not ask for Pyodide"


@pytest.mark.skipif(not MODULES, reason="no module is published yet")
def test_lite_button_opens_the_notebook_when_pyodide_is_reachable(open_page, offline_pyodide):
    m = MODULES[0]
    page, errors, net = open_page(f"book/notebooks/{m.id}.html", pyodide_dir=offline_pyodide)
    page.locator("a.tt-launch-lite").click()
    page.wait_for_url(f"**/lite/notebooks/index.html?path={m.id}.ipynb")
    assert not page.locator(".tt-lite-unreachable").count()


def test_setup_cell_ends_with_a_plain_message_when_installing_fails(lite_notebook):
    """The offline Pyodide has no NumPy, so Setup cannot install tinytorch: it must stop with
    what happened and what to do, not hang nor end in an installer traceback."""
    m, page, errors, net = lite_notebook
    cell = page.locator(".jp-Notebook .jp-Cell").filter(has_text="piplite.install").first
    cell.locator(".jp-InputPrompt").click()
    page.keyboard.press("Control+Enter")
    output = cell.locator(".jp-OutputArea")
    # The message goes to stderr, then the short error: wait for the error, which comes last.
    output.get_by_text("Setup failed: see the message above").first.wait_for(timeout=420_000)
    text = output.inner_text()
    for words in ("Binder", "Colab", "self-host Pyodide", "Setup failed: see the message above"):
        assert words in text, text
    assert not net.blocked, f"Setup asked for something outside the site and Pyodide: {net.blocked}"
