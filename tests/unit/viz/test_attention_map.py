"""tinytorch.viz.AttentionMap: one heatmap per layer and head with the tokens on both axes, each cell
carrying its weight (data-value, tooltip), the selector jslinked to the maps so that switching
works without a kernel, and its state embeddable as the book stores it."""
import re

import numpy as np
import pytest

from tinytorch import Tensor
from tinytorch.viz import AttentionMap, attention_html

ipywidgets = pytest.importorskip("ipywidgets")


def cell_values(html):
    return [float(v) for v in re.findall(r"data-value='([-0-9.]+)'", html)]


def test_heatmap_has_labels_on_both_axes_and_every_weight():
    w = np.array([[0.9, 0.1, 0.0], [0.25, 0.5, 0.25]])
    html = attention_html(w, ["out <0>", "out 1"], ["a", "b", "c"], "head 1")
    assert re.findall(r"class='tt-query'[^>]*>([^<]*)<", html) == ["out &lt;0&gt;", "out 1"]
    assert re.findall(r"class='tt-key'>([^<]*)<", html) == ["a", "b", "c"]
    np.testing.assert_allclose(cell_values(html), w.ravel())
    assert "data-tip='out 1 → b: 0.500'" in html


def test_one_pane_per_layer_and_head_and_the_selector_is_linked_in_the_page():
    w = np.random.default_rng(0).random((2, 3, 4, 4))          # (layers, heads, L, S)
    amap = AttentionMap(Tensor(w), query_labels=list("wxyz"))
    assert amap.names[0] == "layer 1 · head 1" and len(amap.names) == 6
    assert list(amap.select.options) == amap.names and len(amap.panes.children) == 6
    for pane, m in zip(amap.panes.children, w.reshape(6, 4, 4)):
        np.testing.assert_allclose(cell_values(pane.value), m.ravel(), atol=6e-5)
        assert ">z</th>" in pane.value
    assert amap.link.source == (amap.select, "index") and amap.link.target == (amap.panes, "selected_index")
    amap.select.index = 4                                        # the kernel-side view of the same link
    assert amap.select.value == "layer 2 · head 2"
    assert "application/vnd.jupyter.widget-view+json" in amap._repr_mimebundle_()
    state = ipywidgets.Widget.get_manager_state()["state"]         # what the book embeds in the page
    assert amap.panes.children[0].model_id in state and amap.link.model_id in state


def test_a_single_head_and_bad_input_are_clear():
    amap = AttentionMap(np.eye(3), query_labels=["a", "b", "c"])
    assert amap.names == ["head 1"] and amap.key_labels == ["a", "b", "c"]
    with pytest.raises(ValueError, match="shape"):
        AttentionMap(np.ones(3))
    with pytest.raises(ValueError, match="2 labels for 3"):
        AttentionMap(np.eye(3), query_labels=["a", "b"])
