"""tinytorch.viz.graph: draw the computational graph that a tensor's history records, as SVG.

Every op stores (op name, input tensors, saved values) on its result (`Tensor._ctx`). trace() walks
that record back from a tensor to the leaves; tinytorch.viz.layout places the nodes; the drawing
is plain SVG text, so it shows in the built book, in any notebook and in the browser without
JavaScript or graphviz.
"""
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from tinytorch.core.autograd import topological_order
from tinytorch.core.tensor import Tensor
from tinytorch.viz.layout import layout

MAX_NODES = 200  # larger graphs are summarised instead of drawn

_FONT = "ui-monospace, SFMono-Regular, Menlo, Consolas, DejaVu Sans Mono, Liberation Mono, monospace"
_FONT_SIZE = 11
_CHAR_W = 6.8         # width of one monospace character at 11 px, with some room (0.6 em is usual)
_LINE_H = 14
_PAD_X, _PAD_Y = 8, 5
_OP_H = 22
_MARGIN = 12
_ARROW = 7

# Explicit contrast, so the picture reads on light and dark pages alike: light fills with dark text
# inside nodes, mid-grey edges and captions (JupyterLab shows SVG output as an <img>, where
# currentColor would not follow the theme).
_TEXT, _GRAD_TEXT, _PENDING_TEXT = "#111827", "#b91c1c", "#6b7280"
_EDGE, _CAPTION, _HIGHLIGHT = "#8b95a5", "#8b95a5", "#ea580c"
_ROLES = {  # role: (fill, stroke, dash pattern, legend text)
    "leaf": ("#dbeafe", "#1d4ed8", "", "leaf (requires grad)"),
    "input": ("#f1f5f9", "#64748b", "4 3", "input (no grad)"),
    "op": ("#ede9fe", "#6d28d9", "", "op"),
    "intermediate": ("#f8fafc", "#64748b", "", "intermediate"),
    "output": ("#fef3c7", "#b45309", "", "output"),
}


class Node:
    """One node of a traced graph: a tensor, or the op that made a tensor.

    kind: "tensor" or "op". index: position in Graph.nodes. inputs: indices of the nodes that feed
    this one (an op's operands in order; a tensor's single op; () for a leaf). tensor: the Tensor
    (for an op node, the tensor it produced). op: the op's name (for a tensor, the op that made it,
    None for a leaf). saved: what the op saved for its gradient rule ({} for tensors). name: the
    label given in params, or None. role: "op", "leaf", "input", "intermediate" or "output".
    output: for an op node, the index of the tensor node it produced (None for tensors).
    """

    __slots__ = ("kind", "index", "inputs", "tensor", "op", "saved", "name", "role", "output")

    def __init__(self, kind, index, inputs, tensor, op, saved, name, role, output=None):
        self.kind, self.index, self.inputs, self.tensor = kind, index, inputs, tensor
        self.op, self.saved, self.name, self.role, self.output = op, saved, name, role, output

    @property
    def label(self):
        """A short name: the op's name, the given name, or the tensor's role and shape."""
        if self.kind == "op":
            return self.op
        title = self.name or ("output" if self.role == "output" else
                              f"{self.op} result" if self.op else self.role)
        return f"{title} {_shape(self.tensor)}"

    def __repr__(self):
        return f"Node({self.index}, {self.kind}, {self.label!r}, inputs={self.inputs})"


class Graph:
    """The recorded history of one tensor. nodes: in topological order (every node after its
    inputs; an op right before the tensor it made), the traced tensor last."""

    def __init__(self, nodes):
        self.nodes = nodes

    @property
    def root(self):
        """The node of the traced tensor."""
        return self.nodes[-1]

    def backward_order(self):
        """Node indices in reverse topological order, the order backward visits them: output first."""
        return [node.index for node in reversed(self.nodes)]

    def count(self, kind):
        """How many nodes of `kind` ("op" or "tensor") there are."""
        return sum(node.kind == kind for node in self.nodes)

    def __len__(self):
        return len(self.nodes)

    def __str__(self):
        return f"graph of {self.root.label}: {self.count('op')} ops, {self.count('tensor')} tensors"


def _names(params):
    """{id(tensor): name} from a {name: Tensor} mapping, (name, Tensor) pairs or a Module."""
    if params is None:
        return {}
    if hasattr(params, "named_parameters"):
        params = params.named_parameters()
    names = {}
    for name, t in (params.items() if hasattr(params, "items") else params):
        if not isinstance(t, Tensor):
            raise TypeError(f"params: '{name}' is a {type(t).__name__}, not a Tensor; pass "
                            f"dict(model.named_parameters()) or any {{name: tensor}} dict")
        names.setdefault(id(t), str(name))
    return names


def trace(tensor, params=None):
    """The Graph of `tensor`'s recorded history: a node per op and per tensor.

    params: names for tensors, e.g. dict(model.named_parameters()) (a Module also works);
    other leaves are called "leaf" (requires grad) or "input" (no grad).
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"trace: expected a Tensor, got {type(tensor).__name__}")
    names = _names(params)
    nodes, node_of = [], {}
    for t in reversed(topological_order(tensor, constants=True)):  # every tensor after its operands
        inputs, op = (), None
        if t._ctx is not None:
            op, operands, saved = t._ctx
            index = len(nodes)
            nodes.append(Node("op", index, tuple(node_of[id(x)] for x in operands), t, op, saved,
                              None, "op", output=index + 1))
            inputs = (index,)
        role = ("output" if t is tensor else "intermediate" if op else
                "leaf" if t.requires_grad else "input")
        nodes.append(Node("tensor", len(nodes), inputs, t, op, {}, names.get(id(t)), role))
        node_of[id(t)] = len(nodes) - 1
    return Graph(nodes)


# --- text --------------------------------------------------------------------------------------
def _shape(t):
    return str(tuple(t.shape))


def _num(x):
    return f"{x:.3g}"


def summary_lines(values):
    """A short summary of an array: its values when there are at most 4, else
    ["min .. max ..", "mean .."] over the finite values."""
    a = np.asarray(values)
    if a.dtype == np.bool_:
        a = a.astype(np.int8)
    if a.size == 0:
        return ["empty"]
    if a.size <= 4:
        return [_num(a.item()) if a.ndim == 0 else np.array2string(a, separator=", ",
                                                                   formatter={"all": _num})]
    low, high, note = a.min(), a.max(), ""
    if not (np.isfinite(low) and np.isfinite(high)):  # NaN or infinity: summarise the finite part
        finite = a[np.isfinite(a)]
        if finite.size == 0:
            return [f"all {a.size} values non-finite"]
        a, low, high, note = finite, finite.min(), finite.max(), f" ({a.size - finite.size} non-finite)"
    return [f"min {_num(low)} max {_num(high)}", f"mean {_num(a.mean(dtype=np.float64))}{note}"]


def summary(values):
    """summary_lines(values) on one line."""
    return ", ".join(summary_lines(values))


def describe(value):
    """A short description of a saved value: tensors and arrays by shape and dtype, a 0-d array by
    its value and dtype, anything else (a number an op saved, e.g. the 0.5 of x * 0.5) by its repr."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return f"{value.item()!r} ({value.dtype})"
    if isinstance(value, (Tensor, np.ndarray)):
        return f"{'tensor' if isinstance(value, Tensor) else 'array'} {tuple(value.shape)} {value.dtype}"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def grad_array(t):
    """t.grad as a NumPy array, or None."""
    return None if t.grad is None else np.asarray(getattr(t.grad, "data", t.grad))


def _lines(node, show_values, grad):
    """[(text, style)] for a node; style is "title", "body" or "grad"."""
    if node.kind == "op":
        return [(node.op, "title")]
    t = node.tensor
    title = node.name or ("output" if node.role == "output" else None if node.op else node.role)
    lines = [(title, "title")] if title else []
    lines.append((f"{_shape(t)} {t.dtype}", "body"))
    if show_values:
        lines += [(text, "body") for text in summary_lines(t.data)]
    return lines if grad is None else lines + [("grad " + text, "grad") for text in summary_lines(grad)]


def _waiting(lines):
    """The lines with the gradient replaced by a note that backward has not reached the node yet."""
    kept = [line for line in lines if line[1] != "grad"]
    return lines if len(kept) == len(lines) else kept + [("grad: not reached yet", "pending")]


def _tooltip(graph, node):
    if node.kind == "op":
        parts = [f"op {node.op}",
                 "inputs: " + ", ".join(graph.nodes[i].label for i in node.inputs),
                 "output: " + graph.nodes[node.output].label]
        parts += [f"saved {key}: {describe(value)}" for key, value in node.saved.items()]
        return "\n".join(parts)
    t = node.tensor
    parts = [f"{node.name or node.role} ({node.role})",
             f"shape {_shape(t)} {t.dtype}, requires_grad={t.requires_grad}",
             f"made by {node.op}" if node.op else "leaf", "value " + summary(t.data)]
    if grad_array(t) is not None:
        parts.append("grad " + summary(grad_array(t)))
    return "\n".join(parts)


# --- SVG ---------------------------------------------------------------------------------------
def _f(x):
    return f"{x:.1f}"


def _path(points):
    """SVG path data through `points`: straight when level, else an S-curve with level ends."""
    (x0, y0), d = points[0], [f"M{_f(points[0][0])},{_f(points[0][1])}"]
    for x1, y1 in points[1:]:
        if abs(y1 - y0) < 0.05:
            d.append(f"L{_f(x1)},{_f(y1)}")
        else:
            mid = (x0 + x1) / 2
            d.append(f"C{_f(mid)},{_f(y0)} {_f(mid)},{_f(y1)} {_f(x1)},{_f(y1)}")
        x0, y0 = x1, y1
    return " ".join(d)


def _svg_open(width, height, label):
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{_f(width)}" height="{_f(height)}" '
            f'viewBox="0 0 {_f(width)} {_f(height)}" font-family="{_FONT}" font-size="{_FONT_SIZE}" '
            f'role="img" aria-label={quoteattr(label)} style="max-width:none">'
            f"<title>{escape(label)}</title>")


def _too_large(graph, max_nodes):
    """An SVG that says the graph is too large to draw, with its size and its most common ops."""
    counts = {}
    for node in graph.nodes:
        if node.kind == "op":
            counts[node.op] = counts.get(node.op, 0) + 1
    common = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:8]
    lines = [f"Graph too large to draw: {len(graph)} nodes ({graph.count('op')} ops, "
             f"{graph.count('tensor')} tensors), more than max_nodes={max_nodes}.",
             "Most frequent ops: " + ", ".join(f"{op} x{k}" for op, k in common),
             "Draw a smaller part (e.g. draw_graph of an intermediate tensor) or raise max_nodes."]
    width = max(len(line) for line in lines) * _CHAR_W + 2 * _PAD_X
    height = len(lines) * _LINE_H + 2 * _PAD_Y
    out = [_svg_open(width + 2 * _MARGIN, height + 2 * _MARGIN, lines[0]),
           f'<rect x="{_MARGIN}" y="{_MARGIN}" width="{_f(width)}" height="{_f(height)}" rx="4" '
           f'fill="#fef3c7" stroke="#b45309"/>']
    for k, line in enumerate(lines):
        out.append(f'<text x="{_MARGIN + _PAD_X}" y="{_f(_MARGIN + _PAD_Y + k * _LINE_H + 11)}" '
                   f'fill="{_TEXT}">{escape(line)}</text>')
    return "".join(out) + "</svg>"


class Picture:
    """A graph laid out once and drawn as SVG, possibly several times with different highlights.

    grads: {tensor node index: gradient array} to show instead of the tensors' .grad (the widget's
    step-by-step gradients), or None to show .grad where it is set. The layout leaves room for
    every gradient line, so it stays still while a widget reveals them one step at a time.
    """

    def __init__(self, graph, show_values=True, grads=None, max_nodes=MAX_NODES):
        self.graph, self.show_values, self.max_nodes = graph, show_values, max_nodes
        self.grads = {node.index: grad_array(node.tensor) for node in graph.nodes
                      if node.kind == "tensor"} if grads is None else grads
        self.too_large = len(graph) > max_nodes
        if self.too_large:
            return
        self.lines = [_lines(node, show_values, self.grads.get(node.index)) for node in graph.nodes]
        self.tooltips = [_tooltip(graph, node) for node in graph.nodes]
        sizes = []
        for node, lines in zip(graph.nodes, self.lines):
            width = max(len(text) for text, _ in lines) * _CHAR_W + 2 * _PAD_X
            height = _OP_H if node.kind == "op" else len(lines) * _LINE_H + 2 * _PAD_Y
            sizes.append((max(width, 40.0), height))
        self.boxes, self.routes, self.width, self.height = layout(graph, sizes)

    def svg(self, highlight=None, reached=None):
        """The SVG text. highlight: a node index to outline, with the edges along which the gradient
        reaches it. reached: node indices whose gradients show (None: all)."""
        graph = self.graph
        if self.too_large:
            return _too_large(graph, self.max_nodes)
        roles = [role for role in _ROLES if any(node.role == role for node in graph.nodes)]
        legend = [(role, _ROLES[role][3]) for role in roles]
        legend_w = sum(len(text) * _CHAR_W + 26 for _, text in legend)
        caption = str(graph)
        width = max(self.width, legend_w, len(caption) * _CHAR_W) + 2 * _MARGIN
        top = _MARGIN + 20
        height = top + self.height + 28 + _MARGIN
        out = [_svg_open(width, height, "computational " + caption),
               f'<text x="{_MARGIN}" y="{_MARGIN + 10}" fill="{_CAPTION}">{escape(caption)}</text>',
               f'<g transform="translate({_MARGIN},{top})">']
        plain, lit = [], []
        for source, target, points in self.routes:
            (lit if source == highlight else plain).append(points)
        for group, colour, stroke_width in ((plain, _EDGE, 1.3), (lit, _HIGHLIGHT, 2.4)):
            for points in group:
                tip_x, tip_y = points[-1]
                points = points[:-1] + [(tip_x - _ARROW, tip_y)]
                out.append(f'<path d="{_path(points)}" fill="none" stroke="{colour}" '
                           f'stroke-width="{stroke_width}"/>')
                out.append(f'<path d="M{_f(tip_x - _ARROW)},{_f(tip_y - 3.5)} L{_f(tip_x)},{_f(tip_y)} '
                           f'L{_f(tip_x - _ARROW)},{_f(tip_y + 3.5)} Z" fill="{colour}"/>')
        for node, (x, y, w, h) in zip(graph.nodes, self.boxes):
            fill, stroke, dash, _ = _ROLES[node.role]
            lines = self.lines[node.index]
            if reached is not None and node.index not in reached:
                lines = _waiting(lines)
            if node.index == highlight:
                outline = f'stroke="{_HIGHLIGHT}" stroke-width="3"'
            else:
                outline = f'stroke="{stroke}" stroke-width="1.2"' + (dash and f' stroke-dasharray="{dash}"')
            out.append(f'<g class="node {node.kind}" data-node="{node.index}">'
                       f"<title>{escape(self.tooltips[node.index])}</title>"
                       f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(w)}" height="{_f(h)}" '
                       f'rx="{h / 2 if node.kind == "op" else 4:.1f}" fill="{fill}" {outline}/>')
            for k, (text, style) in enumerate(lines):
                colour = {"grad": _GRAD_TEXT, "pending": _PENDING_TEXT}.get(style, _TEXT)
                weight = ' font-weight="bold"' if style == "title" else ""
                if node.kind == "op":
                    where = f'x="{_f(x + w / 2)}" y="{_f(y + h / 2 + 4)}" text-anchor="middle"'
                else:
                    where = f'x="{_f(x + _PAD_X)}" y="{_f(y + _PAD_Y + k * _LINE_H + 11)}"'
                out.append(f'<text {where} fill="{colour}"{weight}>{escape(text)}</text>')
            out.append("</g>")
        out.append("</g>")
        x, y = _MARGIN, top + self.height + 20
        for role, text in legend:
            fill, stroke, dash, _ = _ROLES[role]
            out.append(f'<rect x="{_f(x)}" y="{_f(y - 9)}" width="14" height="10" rx="2" fill="{fill}" '
                       f'stroke="{stroke}"' + (' stroke-dasharray="2 2"' if dash else "") + "/>")
            out.append(f'<text x="{_f(x + 19)}" y="{_f(y)}" fill="{_CAPTION}">{escape(text)}</text>')
            x += len(text) * _CHAR_W + 26
        return "".join(out) + "</svg>"


class GraphDrawing:
    """A drawn graph. Shows itself in notebooks and in the built book (static SVG);
    .svg is the markup, .graph the traced Graph, .save(path) writes an .svg file."""

    def __init__(self, graph, svg):
        self.graph, self.svg = graph, svg

    def __repr__(self):
        return f"<{self.graph}>"

    def _repr_svg_(self):
        return self.svg

    def _repr_html_(self):
        return f'<div style="overflow-x:auto;max-width:100%">{self.svg}</div>'

    def save(self, path):
        """Write the SVG to `path` (which must end in .svg)."""
        path = Path(path)
        if path.suffix.lower() != ".svg":
            raise ValueError(f"save: the drawing is SVG; give a path ending in .svg, not '{path.name}'")
        path.write_text(self.svg, encoding="utf-8")


def draw_graph(tensor, params=None, show_values=True, max_nodes=MAX_NODES):
    """Draw the computational graph of `tensor`: the ops and tensors its history records.

    Op nodes show the op's name; tensor nodes their name, shape and dtype, with show_values a
    value summary (the values when there are at most 4, else min/mean/max), and a grad summary
    once .grad is set. Leaves on the left, `tensor` on the right.
    params: names for tensors, e.g. dict(model.named_parameters()).
    max_nodes: a graph with more nodes is summarised ("graph too large") instead of drawn.
    Returns a GraphDrawing (displays in Jupyter; .save("graph.svg")).
    """
    graph = trace(tensor, params)
    return GraphDrawing(graph, Picture(graph, show_values, max_nodes=max_nodes).svg())
