"""The profiling widget on module 14's built page, in Chromium without a kernel (fixtures and network
rules from test_site_browser.py): the bars per op and per layer, the timeline and the memory curve
render from the widget state embedded in the page, and the sort buttons reorder the bars in the page."""
from tests.site.test_site_browser import (  # noqa: F401  (fixtures are used by name)
    _shot, browser, open_page, pytestmark, pyodide_url, server)

PAGE = "book/notebooks/14_profiling.html"
VISIBLE_BARS = """() => {
  const pane = [...document.querySelectorAll('.tt-profile-bars')].find(e => e.offsetParent !== null);
  return pane ? {sort: pane.dataset.sort,
                 rows: [...pane.querySelectorAll('.tt-bar-row')].map(r => [r.dataset.key, parseFloat(r.dataset.value)])}
              : null; }"""


def _shown_sorted_by(page, key):
    page.wait_for_function("k => [...document.querySelectorAll('.tt-profile-bars')].some("
                           "e => e.offsetParent !== null && e.dataset.sort === k)", arg=key)
    bars = page.evaluate(VISIBLE_BARS)
    values = [value for _, value in bars["rows"]]
    assert bars["sort"] == key and len(values) >= 4, bars
    assert values == sorted(values, reverse=True), f"bars sorted by {key} are out of order: {bars['rows']}"
    return bars


def test_profile_widget_renders_and_sorts_without_a_kernel(open_page):
    page, errors, net = open_page(PAGE)
    first = _shown_sorted_by(page, "self_cpu_time_total")
    assert {"relu", "relu_backward"} <= {key for key, _ in first["rows"]}, first
    timeline = page.locator("svg.tt-profile-timeline rect.tt-event")
    assert timeline.count() >= 10 and timeline.first.is_visible()
    assert page.locator("svg.tt-profile-memory circle.tt-peak").count() == 2  # the MLP and the CNN
    cnn_keys = page.evaluate("() => [...document.querySelectorAll('.tt-bar-row')].map(r => r.dataset.key)")
    assert any(key.startswith("conv2d") for key in cnn_keys), cnn_keys
    page.get_by_role("button", name="calls", exact=True).first.click()  # the MLP's widget
    calls = _shown_sorted_by(page, "count")
    assert calls["rows"][0][1] >= 2, calls  # relu and the products run more than once per step
    for label, key in (("FLOPs", "flops"), ("total time", "cpu_time_total"), ("self time", "self_cpu_time_total")):
        page.get_by_role("button", name=label, exact=True).first.click()
        _shown_sorted_by(page, key)
    assert not errors and not net.blocked, (errors, net.blocked)
    _shot(page, "profile-widget")
