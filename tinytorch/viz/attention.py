"""tinytorch.viz.attention: attention weights as heatmaps, one per layer and head, queries down and
keys across, with the tokens as labels on both axes and each weight shown on hover.

attention_html(weights, query_labels, key_labels) is one heatmap as plain HTML (any notebook, no
JavaScript). AttentionMap(weights, ...) puts every layer's and head's heatmap in ipywidgets with a
selector; the selector is linked to the maps in the page itself (jslink), so switching head also
works in the built book, where no kernel runs.
"""
from html import escape

import numpy as np

_FONT = "font-family:system-ui,-apple-system,'Segoe UI',sans-serif;font-size:12px"
# The weight of a cell, shown beside it while the pointer is over it (CSS only: works without a kernel).
_STYLE = ("<style>.tt-attn td.tt-cell{position:relative;width:26px;height:22px;padding:0;"
          "border:1px solid #fff}"
          ".tt-attn td.tt-cell:hover{outline:2px solid #d62728}"
          ".tt-attn td.tt-cell:hover::after{content:attr(data-tip);position:absolute;left:100%;top:0;"
          "z-index:5;background:#222;color:#fff;padding:1px 5px;border-radius:3px;white-space:nowrap}"
          ".tt-attn th{font-weight:500;padding:0 4px}</style>")


def _as_array(weights):
    """weights (a Tensor, array or nested list) as a float NumPy array (layers, heads, L, S)."""
    a = np.asarray(getattr(weights, "data", weights), dtype=np.float64)
    if a.ndim == 2:
        a = a[None, None]
    elif a.ndim == 3:
        a = a[None]
    if a.ndim != 4:
        raise ValueError("AttentionMap: expected weights of shape (L, S), (heads, L, S) or "
                         f"(layers, heads, L, S), got shape {np.shape(a)}")
    return a


def _labels(labels, n, name):
    labels = [str(i) for i in range(n)] if labels is None else [str(t) for t in labels]
    if len(labels) != n:
        raise ValueError(f"AttentionMap: {name} has {len(labels)} labels for {n} rows/columns of weights")
    return labels


def attention_html(weights, query_labels=None, key_labels=None, caption=""):
    """One heatmap as an HTML table: weights (L, S), rows = queries, columns = keys, darker =
    more weight; each cell has data-value (the weight) and a tooltip "query → key: weight"."""
    w = np.asarray(weights, dtype=np.float64)
    rows, cols = _labels(query_labels, w.shape[0], "query_labels"), _labels(key_labels, w.shape[1], "key_labels")
    top = max(float(np.nanmax(w)) if w.size else 0.0, 1e-12)
    head = "".join(f"<th class='tt-key'>{escape(k)}</th>" for k in cols)
    lines = [f"<div class='tt-attn' style='{_FONT}'>{_STYLE}",
             f"<div class='tt-attn-caption' style='font-weight:600;margin:2px 0'>{escape(caption)}</div>",
             "<table style='border-collapse:collapse'><tr><th style='text-align:right'>query ↓ key →</th>"
             f"{head}</tr>"]
    for q, row in zip(rows, w):
        cells = "".join(
            f"<td class='tt-cell' data-value='{v:.4f}' data-tip='{escape(q)} → {escape(k)}: {v:.3f}' "
            f"title='{escape(q)} → {escape(k)}: {v:.3f}' "
            f"style='background:rgba(31,119,180,{v / top:.3f})'></td>" for k, v in zip(cols, row))
        lines.append(f"<tr><th class='tt-query' style='text-align:right'>{escape(q)}</th>{cells}</tr>")
    lines.append("</table></div>")
    return "".join(lines)


class AttentionMap:
    """Attention weights of every layer and head as heatmaps, with a selector (needs ipywidgets).

    weights: (L, S), (heads, L, S) or (layers, heads, L, S) (a Tensor or array; an
    nn.MultiheadAttention's weights with average_attn_weights=False, one sample). query_labels (L)
    and key_labels (S, default the query labels): the tokens. Attributes: maps ((layers, heads, L,
    S) array), names (one per map), select (ToggleButtons), panes (Stack of the maps), link, box.
    The selector is jslinked to the panes: switching works in the page, with or without a kernel.
    """

    def __init__(self, weights, query_labels=None, key_labels=None, title="attention weights"):
        try:
            import ipywidgets as widgets
        except ModuleNotFoundError:
            raise ModuleNotFoundError("AttentionMap needs ipywidgets: pip install ipywidgets; "
                                      "attention_html(weights) draws one map without it") from None
        self.maps = _as_array(weights)
        layers, heads, L, S = self.maps.shape
        self.query_labels = _labels(query_labels, L, "query_labels")
        self.key_labels = _labels(self.query_labels if key_labels is None and L == S else key_labels,
                                  S, "key_labels")
        self.names = [f"layer {i + 1} · head {h + 1}" if layers > 1 else f"head {h + 1}"
                      for i in range(layers) for h in range(heads)]
        self.select = widgets.ToggleButtons(options=self.names, description="show",
                                            style={"button_width": "auto"})
        self.panes = widgets.Stack([widgets.HTML(attention_html(m, self.query_labels, self.key_labels,
                                                                f"{title}: {name}"))
                                    for m, name in zip(self.maps.reshape(-1, L, S), self.names)],
                                   selected_index=0)
        self.link = widgets.jslink((self.select, "index"), (self.panes, "selected_index"))
        self.box = widgets.VBox([self.select, self.panes])

    def _repr_mimebundle_(self, **kwargs):
        return self.box._repr_mimebundle_(**kwargs)
