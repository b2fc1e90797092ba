"""The attention-map widget on module 12's built page, in Chromium without a kernel (fixtures and
network rules from test_site_browser.py): the heatmap of the trained Reverser renders from the widget
state embedded in the page with the tokens on both axes, switching head shows another map, and
hovering a cell shows its weight."""
from tests.site.test_site_browser import (  # noqa: F401  (fixtures are used by name)
    _shot, browser, open_page, pytestmark, pyodide_url, server)

PAGE = "book/notebooks/12_attention.html"
SHOWN = """() => {
  const map = [...document.querySelectorAll('.tt-attn')].find(e => e.offsetParent !== null);
  return map ? {caption: map.querySelector('.tt-attn-caption').textContent,
                queries: [...map.querySelectorAll('th.tt-query')].map(e => e.textContent),
                keys: [...map.querySelectorAll('th.tt-key')].map(e => e.textContent),
                values: [...map.querySelectorAll('td.tt-cell')].map(e => parseFloat(e.dataset.value))}
             : null; }"""


def _shown(page, caption_end):
    page.wait_for_function("end => [...document.querySelectorAll('.tt-attn')].some("
                           "e => e.offsetParent !== null && "
                           "e.querySelector('.tt-attn-caption').textContent.endsWith(end))", arg=caption_end)
    return page.evaluate(SHOWN)


def test_attention_map_renders_switches_head_and_hovers_without_a_kernel(open_page):
    page, errors, net = open_page(PAGE)
    first = _shown(page, "head 1")
    assert first["queries"] == [f"out {i}" for i in range(6)], first
    assert len(first["keys"]) == 6 and all("@" in k for k in first["keys"]), first
    assert len(first["values"]) == 36 and abs(sum(first["values"]) - 6) < 0.01, first  # each row sums to 1
    page.get_by_role("button", name="head 2", exact=True).click()
    second = _shown(page, "head 2")
    assert second["keys"] == first["keys"] and second["values"] != first["values"], (first, second)
    cell = page.locator(".tt-attn td.tt-cell >> visible=true").first  # query out 0, the first key
    cell.hover()
    tip = page.evaluate("e => getComputedStyle(e, '::after').content", cell.element_handle())
    assert f"out 0 → {first['keys'][0]}: {second['values'][0]:.3f}" in tip, tip
    assert not errors and not net.blocked, (errors, net.blocked)
    _shot(page, "attention-map-widget")
