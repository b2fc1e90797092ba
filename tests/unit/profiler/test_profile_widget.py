"""tinytorch.viz.profile: the pictures of a profile (bars, timeline, memory) and ProfileWidget."""
import re

import numpy as np
import pytest

import tinytorch
from tinytorch import nn
from tinytorch.profiler import profile
from tinytorch.viz import ProfileWidget, profile_html
from tinytorch.viz.profile import SORTS, bars_html


@pytest.fixture(scope="module")
def prof():
    tinytorch.manual_seed(0)
    model = nn.Sequential(nn.Linear(12, 8), nn.ReLU(), nn.Linear(8, 3))
    x, y = tinytorch.randn(6, 12), tinytorch.tensor(np.arange(6) % 3)
    with profile() as p:
        for _ in range(2):
            nn.CrossEntropyLoss()(model(x), y).backward()
    return p


def _rows(html):
    return [(k, float(v)) for k, v in re.findall(r"data-key='([^']*)' data-value='([^']*)'", html)]


def test_bars_are_sorted_by_the_chosen_key(prof):
    averages = prof.key_averages()
    for _, key in SORTS:
        rows = _rows(bars_html(averages, key, "t"))
        values = [v for _, v in rows]
        assert values == sorted(values, reverse=True) and len(rows) == min(len(averages), 12), (key, rows)
    top = max(averages, key=lambda a: a.count)
    assert _rows(bars_html(averages, "count", "t"))[0] == (top.key, top.count)


def test_static_html_has_timeline_and_memory_peak(prof):
    html = profile_html(prof)
    assert html.count("class='tt-event'") == len(prof.events())
    assert html.count("class='tt-peak'") == 1
    kib = prof.memory.peak / 1024
    assert f"peak {kib:.1f} KiB" in html
    layers = _rows(html.split("per layer (module)")[1])
    assert {k for k, _ in layers} == {"nn.Module: Linear", "nn.Module: ReLU", "nn.Module: Sequential",
                                      "nn.Module: CrossEntropyLoss"}


def test_widget_links_sort_buttons_to_panes_in_the_page(prof):
    pytest.importorskip("ipywidgets")
    from ipywidgets.widgets.widget_link import Link
    widget = ProfileWidget(prof)
    assert list(widget.sort.options) == [label for label, _ in SORTS]
    assert len(widget.panes.children) == len(SORTS) and widget.panes.selected_index == 0
    # a link that runs in the browser (jslink), not a kernel callback: sorting works in the book
    link = widget.link
    assert isinstance(link, Link) and link.source == (widget.sort, "index") and \
        link.target == (widget.panes, "selected_index")
    for pane, (_, key) in zip(widget.panes.children, SORTS):
        assert f"data-sort='{key}'" in pane.value
    assert "application/vnd.jupyter.widget-view+json" in widget._repr_mimebundle_()
