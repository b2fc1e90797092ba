"""tinytorch.viz.widget: the computational graph with controls, for a live notebook (ipywidgets).

Step through backward node by node (reverse topological order: the output first) and select any
node to see its value, its gradient and what its op saved. Gradients come from tinytorch's own
backward (module 06), replayed one op at a time; until module 06 exists the widget still shows
the graph and the order in which backward will visit it. No threads or subprocesses, so it
also runs in JupyterLite.
"""
from html import escape

import numpy as np

from tinytorch.core.tensor import Tensor
from tinytorch.viz.graph import MAX_NODES, Picture, describe, grad_array, summary, trace


# Room between a button's icon and its label. ipywidgets spaces an <i class="fa"> icon, but a page
# that runs FontAwesome's script (the book's theme) replaces it by an <svg>, which then touched the
# label; this rule, in the widget's own HTML, spaces both wherever the widget is shown.
BUTTON_STYLE = ("<style>.tt-graph-widget .widget-button > i, .tt-graph-widget .widget-button > svg "
                "{ margin-right: 0.4em; }</style>")


def _autograd_missing():
    """True while tinytorch has no autograd module (before module 06 is exported)."""
    try:
        import tinytorch.core.autograd  # noqa: F401
    except ModuleNotFoundError as e:
        if e.name not in ("tinytorch.core.autograd", "tinytorch.core", "tinytorch"):
            raise
        return True
    return False


def _op_backward(graph, op_node, grad):
    """{input node index: gradient the op passes to that input (array or None)} for the gradient
    `grad` of the op's output, computed by tinytorch's backward on this op alone: for the call,
    the inputs are cut from their own history (so backward stops at them and fills their .grad);
    their history and every .grad are restored afterwards."""
    out = op_node.tensor
    inputs = list(dict.fromkeys(op_node.inputs))
    kept = [(t, t._ctx, t.grad) for t in [graph.nodes[i].tensor for i in inputs] + [out]]
    try:
        for t, _, _ in kept[:-1]:
            t._ctx, t.grad = None, None
        out.backward(Tensor(grad, dtype=grad.dtype))
        return {i: grad_array(graph.nodes[i].tensor) for i in inputs}
    finally:
        for t, ctx, g in kept:
            t._ctx, t.grad = ctx, g


def backward_steps(graph):
    """Replay backward on a traced graph one node at a time, in graph.backward_order().

    Yields (node index, gradient flowing into the node, sent). The gradient is an array (for an
    op node: the gradient of its output), or None where none flows. sent: for an op node, the
    (input node index, gradient passed to that input or None) pairs; () for a tensor node.
    The output is seeded with ones (d output / d output). Each op's gradient rule runs through
    tinytorch's backward (module 06), so this raises RuntimeError without it.
    """
    root = graph.root
    total = {root.index: np.ones(root.tensor.shape, dtype=root.tensor.dtype)} \
        if root.tensor.requires_grad else {}
    for index in graph.backward_order():
        node = graph.nodes[index]
        if node.kind == "tensor":
            yield index, total.get(index), ()
            continue
        grad = total.get(node.output)
        sent = {i: None for i in node.inputs} if grad is None else _op_backward(graph, node, grad)
        for i, g in sent.items():
            if g is not None:
                total[i] = total[i] + g if i in total else g
        yield index, grad, tuple(sent.items())


def _ipywidgets():
    try:
        import ipywidgets
    except ModuleNotFoundError:
        raise ModuleNotFoundError("GraphWidget needs ipywidgets: pip install ipywidgets (or "
                                  "pip install 'tinytorch[viz]'); draw_graph(tensor) draws the same "
                                  "graph without it") from None
    return ipywidgets


def _array_html(values):
    text = np.array2string(np.asarray(values), precision=4, threshold=60, edgeitems=3, separator=", ")
    return f"<pre style='margin:2px 0 6px 0'>{escape(text)}</pre>"


class GraphWidget:
    """The graph of `tensor`'s history with controls, for a live notebook (needs ipywidgets).

    The buttons step through backward: the nodes in reverse topological order, the current one
    outlined, the edges its gradient arrives along lit, and the gradients reached so far written
    in the nodes. The dropdown lists the same nodes; picking one jumps there and shows its
    details (shape, value, gradient, op, saved keys). Gradients need module 06 (Autograd); before
    it the widget shows the order backward will follow and the .grad of leaves that have one.

    params: names for tensors, e.g. dict(model.named_parameters()). Displays itself in Jupyter.
    Attributes: graph (the traced Graph), order (node indices in step order), position (index
    into order), grads ({node index: gradient flowing in}), sent ({op index: ((input, grad), ...)}).
    """

    def __init__(self, tensor, params=None, max_nodes=MAX_NODES):
        widgets = _ipywidgets()
        self.graph = trace(tensor, params)
        self.order = self.graph.backward_order()
        self.grads, self.sent = {}, {}
        self._replayed, self.note = self._replay()
        self._picture = Picture(self.graph, True, self.grads if self._replayed else None, max_nodes)
        self.position = 0
        self.view = widgets.HTML()
        self.reset_button = widgets.Button(description="output", icon="fast-backward",
                                           tooltip="back to the output, where backward starts")
        self.back_button = widgets.Button(description="back", icon="step-backward")
        self.next_button = widgets.Button(description="step", icon="step-forward",
                                          tooltip="the next node backward visits")
        self.node_select = widgets.Dropdown(
            options=[(f"{k + 1}. {self.graph.nodes[i].label}", i) for k, i in enumerate(self.order)],
            value=self.order[0], description="node", layout=widgets.Layout(width="auto"))
        self.status = widgets.HTML()
        self.details = widgets.HTML()
        self.reset_button.on_click(lambda _: self.select(self.order[0]))
        self.back_button.on_click(lambda _: self.step(-1))
        self.next_button.on_click(lambda _: self.step(1))
        self.node_select.observe(lambda change: self._show(), names="value")
        self.box = widgets.VBox([
            widgets.HTML(f"{BUTTON_STYLE}<div style='font-size:90%'>{escape(self.note)}</div>"),
            widgets.HBox([self.reset_button, self.back_button, self.next_button, self.node_select]),
            self.status, self.view, self.details])
        self.box.add_class("tt-graph-widget")
        self._show()

    def _replay(self):
        """Fill grads and sent by replaying backward. Returns (whether it ran, a note for the reader)."""
        if not self.graph.root.tensor.requires_grad:
            return False, "This tensor does not require grad, so no gradient flows backward through it."
        if _autograd_missing():
            return False, ("Gradients appear here once module 06 (Autograd) is in your tinytorch; until "
                           "then the steps show the order in which backward will visit the nodes.")
        try:
            for index, grad, sent in backward_steps(self.graph):
                if grad is not None:
                    self.grads[index] = grad
                if sent:
                    self.sent[index] = sent
        except Exception as e:  # a missing or failing gradient rule: show how far backward got
            return True, f"Backward stopped: {type(e).__name__}: {e}"
        seed = "" if self.graph.root.tensor.ndim == 0 else " (ones, as the output is not a scalar)"
        return True, f"Backward starts at the output with gradient 1{seed} and flows right to left."

    @property
    def current(self):
        """The index (in graph.nodes) of the node the widget is on."""
        return self.order[self.position]

    def step(self, n=1):
        """Move n nodes along backward's order (negative: back), stopping at either end."""
        self.select(self.order[min(max(self.position + n, 0), len(self.order) - 1)])

    def select(self, index):
        """Go to the node graph.nodes[index]."""
        self.node_select.value = index  # the dropdown's observer redraws

    def _show(self):
        self.position = self.order.index(self.node_select.value)
        index = self.current
        reached = set(self.order[:self.position + 1]) if self._replayed else None
        svg = self._picture.svg(highlight=index, reached=reached)
        self.view.value = f'<div style="overflow-x:auto;max-width:100%">{svg}</div>'
        self.back_button.disabled = self.position == 0
        self.next_button.disabled = self.position == len(self.order) - 1
        node = self.graph.nodes[index]
        grad = self.grads.get(index)
        where = f"Step {self.position + 1} of {len(self.order)}: {escape(node.label)}"
        if node.kind == "op":
            flow = (f"receives the gradient of its output ({summary(grad)}) and passes one to each input"
                    if grad is not None else "no gradient computed yet")
        else:
            flow = f"gradient flowing in: {summary(grad)}" if grad is not None else "no gradient computed"
        self.status.value = f"<b>{where}</b> &mdash; {escape(flow)}"
        self.details.value = self._details(node)

    def _details(self, node):
        """HTML with everything about one node."""
        nodes = self.graph.nodes
        if node.kind == "op":
            rows = [f"<b>op {escape(node.op)}</b>",
                    "inputs: " + escape(", ".join(nodes[i].label for i in node.inputs)),
                    "output: " + escape(nodes[node.output].label),
                    "saved: " + (escape(", ".join(f"{k} = {describe(v)}" for k, v in node.saved.items()))
                                 or "nothing")]
            if node.index in self.grads:
                rows.append("gradient of the output, flowing in:" + _array_html(self.grads[node.index]))
            for i, g in self.sent.get(node.index, ()):
                rows.append(f"passes to {escape(nodes[i].label)}: " +
                            (_array_html(g) if g is not None else "nothing (it does not require grad)"))
            return "<br>".join(rows)
        t = node.tensor
        rows = [f"<b>{escape(node.name or node.role)}</b> ({node.role})",
                f"shape {tuple(t.shape)}, dtype {t.dtype}, requires_grad={t.requires_grad}",
                f"made by op {escape(node.op)}" if node.op else "a leaf: no op made it",
                "value:" + _array_html(t.data)]
        if grad_array(t) is not None:
            rows.append(".grad:" + _array_html(grad_array(t)))
        if node.index in self.grads:
            rows.append("gradient flowing in (replayed backward):" + _array_html(self.grads[node.index]))
        return "<br>".join(rows)

    def _repr_mimebundle_(self, **kwargs):
        return self.box._repr_mimebundle_(**kwargs)
