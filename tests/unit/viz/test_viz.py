"""tinytorch.viz: tracing, layout and SVG of the computational graph, and the ipywidgets widget."""
import sys
import types
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import tinytorch as tt
from tinytorch import nn
from tinytorch.core.tensor import Tensor
from tinytorch.viz import GraphWidget, backward_steps, draw_graph, trace
from tinytorch.viz.graph import summary_lines

SVG = "{http://www.w3.org/2000/svg}"


def mlp_loss(seed=0):
    """A 3-4-2 MLP with ReLU and cross-entropy on 5 samples: (loss, model, input)."""
    tt.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    x = tt.randn(5, 3)
    return nn.CrossEntropyLoss()(model(x), tt.tensor([0, 1, 1, 0, 1])), model, x


def parse(svg):
    """{node index: (x, y, width, height, [texts])} of the drawn nodes."""
    root = ET.fromstring(svg)
    assert root.tag == SVG + "svg"
    nodes = {}
    for g in root.iter(SVG + "g"):
        if "data-node" in g.attrib:
            rect = g.find(SVG + "rect")
            box = tuple(float(rect.get(k)) for k in ("x", "y", "width", "height"))
            nodes[int(g.get("data-node"))] = box + ([t.text for t in g.iter(SVG + "text")],)
    return nodes


def test_trace_is_topological_with_every_op_and_leaf():
    loss, model, x = mlp_loss()
    graph = trace(loss, dict(model.named_parameters()))
    ops = [node.op for node in graph.nodes if node.kind == "op"]
    assert sorted(ops) == sorted(["linear", "relu", "linear", "softmax_cross_entropy"])  # tinytorch.accel's ops
    assert graph.root.tensor is loss and graph.root.role == "output"
    for node in graph.nodes:
        assert all(i < node.index for i in node.inputs), f"{node} comes before one of its inputs"
        if node.kind == "op":
            assert graph.nodes[node.output].inputs == (node.index,)
    leaves = {node.name or node.role: node.tensor for node in graph.nodes
              if node.kind == "tensor" and not node.inputs}
    assert leaves.keys() == {"0.weight", "0.bias", "2.weight", "2.bias", "input"}
    assert leaves["input"] is x and leaves["0.weight"] is model[0].weight
    assert graph.backward_order() == list(range(len(graph)))[::-1]


def test_trace_shares_nodes_and_survives_deep_graphs():
    a = tt.tensor([1.0, 2.0], requires_grad=True)
    graph = trace(a * a + a)
    leaf = [node.index for node in graph.nodes if node.tensor is a and node.kind == "tensor"]
    assert len(leaf) == 1 and graph.count("op") == 2
    mul = next(node for node in graph.nodes if node.op == "mul" and node.kind == "op")
    assert mul.inputs == (leaf[0], leaf[0])
    y = a
    for _ in range(3000):  # deeper than Python's recursion limit
        y = y + 1.5
    assert len(trace(y)) == 6001
    with pytest.raises(TypeError, match="expected a Tensor"):
        trace(np.ones(3))


def test_svg_is_well_formed_and_shows_every_op_leaf_and_shape():
    loss, model, _ = mlp_loss()
    drawing = draw_graph(loss, params=dict(model.named_parameters()))
    nodes = parse(drawing.svg)
    assert sorted(nodes) == list(range(len(drawing.graph)))
    text = "\n".join(t for *_, texts in nodes.values() for t in texts)
    for op in ("linear", "relu", "cross_entropy"):
        assert op in text
    for name in ("0.weight", "0.bias", "2.weight", "2.bias", "input", "output"):
        assert name in text
    for shape in ("(4, 3) float32", "(4,) float32", "(2, 4) float32", "(5, 3) float32", "(5, 4) float32",
                  "(5, 2) float32", "() float32"):
        assert shape in text
    assert f"{loss.item():.3g}" in text  # a 0-d tensor shows its value
    weight = model[0].weight.data
    assert f"min {weight.min():.3g} max {weight.max():.3g}" in text
    assert "<div" in drawing._repr_html_() and drawing.svg in drawing._repr_html_()
    assert drawing._repr_svg_() == drawing.svg
    assert repr(drawing) == "<graph of output (): 4 ops, 9 tensors>"


def test_layers_put_every_input_left_of_its_consumer():
    loss, model, _ = mlp_loss()
    drawing = draw_graph(loss, model)
    nodes = parse(drawing.svg)
    for node in drawing.graph.nodes:
        for i in node.inputs:
            x, _, w, *_ = nodes[i]
            assert x + w < nodes[node.index][0], f"input {i} is not left of node {node.index}"
    root = nodes[drawing.graph.root.index]
    assert all(root[0] >= box[0] for box in nodes.values()), "the output is the rightmost node"
    for a in nodes.values():  # no two boxes overlap
        for b in nodes.values():
            if a is not b:
                assert (a[0] + a[2] <= b[0] or b[0] + b[2] <= a[0] or
                        a[1] + a[3] <= b[1] or b[1] + b[3] <= a[1])


def test_same_graph_gives_identical_svg():
    first, model, _ = mlp_loss(seed=3)
    second, _, _ = mlp_loss(seed=3)
    params = dict(model.named_parameters())
    assert draw_graph(first, params).svg == draw_graph(first, params).svg
    assert draw_graph(first).svg == draw_graph(second).svg


def test_show_values_false_drops_the_summaries():
    loss, model, _ = mlp_loss()
    text = "\n".join(t for *_, texts in parse(draw_graph(loss, model, show_values=False).svg).values()
                     for t in texts)
    assert "(4, 3) float32" in text and "min " not in text and "mean " not in text


def test_large_graphs_are_summarised():
    y = tt.tensor([1.0], requires_grad=True)
    for _ in range(150):
        y = y * 0.5 + 1.0
    drawing = draw_graph(y)
    assert len(drawing.graph) == 601
    root = ET.fromstring(drawing.svg)
    text = " ".join(t.text for t in root.iter(SVG + "text"))
    assert "too large" in text and "601 nodes" in text and "max_nodes=200" in text
    assert "mul x150" in text and not parse(drawing.svg)
    assert len(parse(draw_graph(y, max_nodes=601).svg)) == 601


def test_params_label_leaves_in_any_form():
    loss, model, x = mlp_loss()
    as_dict = draw_graph(loss, dict(model.named_parameters())).svg
    assert draw_graph(loss, model).svg == as_dict
    assert draw_graph(loss, model.named_parameters()).svg == as_dict
    named = {"0.weight": model[0].weight, "batch": x}
    labels = {node.name for node in trace(loss, named).nodes} - {None}
    assert labels == {"0.weight", "batch"}
    with pytest.raises(TypeError, match="'w' is a ndarray, not a Tensor"):
        draw_graph(loss, {"w": np.ones(2)})


def test_grad_summary_appears_once_grad_is_set():
    w = tt.tensor([0.5, -1.0], requires_grad=True)
    x = tt.tensor([2.0, 3.0])
    out = (w * x).sum()
    node_of_w = next(node.index for node in trace(out).nodes if node.tensor is w)
    before = parse(draw_graph(out, {"w": w}).svg)[node_of_w][4]
    assert not any(t.startswith("grad") for t in before)
    w.grad = Tensor([2.0, 3.0])  # what backward would store; set by hand
    after = parse(draw_graph(out, {"w": w}).svg)[node_of_w][4]
    assert "grad [2, 3]" in after
    w.grad = Tensor(np.linspace(-1, 1, 10))
    w2 = tt.ones(10, requires_grad=True)
    w2.grad = w.grad
    texts = parse(draw_graph(w2 * 2.0, {"w2": w2}).svg)[0][4]
    assert "grad min -1 max 1" in texts and "grad mean 0" in texts


def test_summary_lines():
    assert summary_lines(np.float32(2.5)) == ["2.5"]
    assert summary_lines(np.array([1, 2], dtype=np.int64)) == ["[1, 2]"]
    assert summary_lines(np.zeros((0, 3))) == ["empty"]
    assert summary_lines(np.arange(10.0)) == ["min 0 max 9", "mean 4.5"]
    assert summary_lines(np.array([1.0, np.nan, 3.0, np.inf, 5.0])) == ["min 1 max 5",
                                                                       "mean 3 (2 non-finite)"]
    assert summary_lines(np.full(6, np.nan)) == ["all 6 values non-finite"]
    assert summary_lines(np.array([True, False, True, True, True])) == ["min 0 max 1", "mean 0.8"]


def test_save_writes_svg(tmp_path):
    drawing = draw_graph(tt.tensor([1.0], requires_grad=True) * 2.0)
    drawing.save(tmp_path / "g.svg")
    assert (tmp_path / "g.svg").read_text(encoding="utf-8") == drawing.svg
    with pytest.raises(ValueError, match="ending in .svg"):
        drawing.save(tmp_path / "g.png")


def test_a_leaf_alone_is_drawn():
    nodes = parse(draw_graph(tt.tensor([1.0, 2.0])).svg)
    assert list(nodes) == [0] and "output" in nodes[0][4]


def fake_autograd():
    """A stand-in for module 06 with rules for add, mul and sum (no broadcasting)."""
    rules = {"add": lambda g, a, b: (g, g), "mul": lambda g, a, b: (g * b.data, g * a.data),
             "sum": lambda g, a: (np.broadcast_to(g, a.shape),)}

    def backward(tensor, gradient=None):
        order, seen = [], set()

        def visit(t):
            if id(t) not in seen:
                seen.add(id(t))
                for x in (t._ctx[1] if t._ctx else ()):
                    visit(x)
                order.append(t)
        visit(tensor)
        grads = {id(tensor): np.ones(tensor.shape) if gradient is None else gradient.data}
        for t in reversed(order):
            g = grads.pop(id(t), None)
            if g is None or not t.requires_grad:
                continue
            if t._ctx is None:
                t.grad = Tensor(g if t.grad is None else t.grad.data + g)
                continue
            for x, gx in zip(t._ctx[1], rules[t._ctx[0]](g, *t._ctx[1])):
                grads[id(x)] = grads.get(id(x), 0) + gx
    return types.SimpleNamespace(backward=backward)


def test_backward_steps_replays_each_op_and_restores_the_graph(monkeypatch):
    monkeypatch.setitem(sys.modules, "tinytorch.core.autograd", fake_autograd())
    w = tt.tensor([1.0, -2.0, 3.0], requires_grad=True)
    b = tt.tensor([0.5, 0.5, 0.5], requires_grad=True)
    x = tt.tensor([4.0, 5.0, 6.0])
    square = w * w
    loss = (square + b * x).sum()
    graph = trace(loss, {"w": w, "b": b, "x": x})
    contexts = [node.tensor._ctx for node in graph.nodes]
    sentinel = Tensor([9.0, 9.0, 9.0])
    w.grad = sentinel
    steps = list(backward_steps(graph))
    assert [index for index, _, _ in steps] == graph.backward_order()
    grads = {graph.nodes[i].name or graph.nodes[i].label: g for i, g, sent in steps
             if graph.nodes[i].kind == "tensor"}
    np.testing.assert_allclose(grads["w"], [2.0, -4.0, 6.0])
    np.testing.assert_allclose(grads["b"], [4.0, 5.0, 6.0])
    np.testing.assert_allclose(grads["mul result (3,)"], [1.0, 1.0, 1.0])
    assert grads["x"] is None and grads["output ()"] == 1.0
    square_op = next(node for node in graph.nodes if node.kind == "op" and node.tensor is square)
    sent = dict(next(s for i, _, s in steps if i == square_op.index))
    np.testing.assert_allclose(sent[square_op.inputs[0]], [2.0, -4.0, 6.0])  # w*w sends 2w to w
    assert [node.tensor._ctx for node in graph.nodes] == contexts
    assert w.grad is sentinel and b.grad is None and square.grad is None


def test_backward_steps_agree_with_backward():
    pytest.importorskip("tinytorch.core.autograd")
    loss, model, _ = mlp_loss()
    graph = trace(loss, model)
    steps = {index: grad for index, grad, _ in backward_steps(graph)}
    assert all(p.grad is None for p in model.parameters())
    loss.backward()
    for node in graph.nodes:
        if node.name:
            np.testing.assert_allclose(steps[node.index], node.tensor.grad.data, rtol=1e-5, atol=1e-7)


def test_widget_steps_in_reverse_topological_order():
    pytest.importorskip("ipywidgets")
    loss, model, _ = mlp_loss()
    widget = GraphWidget(loss, params=dict(model.named_parameters()))
    graph = widget.graph
    assert widget.current == graph.root.index and widget.back_button.disabled
    visited = [widget.current]
    while not widget.next_button.disabled:
        widget.next_button.click()
        visited.append(widget.current)
    assert visited == graph.backward_order()
    position = {index: k for k, index in enumerate(visited)}
    for node in graph.nodes:  # backward reaches every node before its inputs
        assert all(position[node.index] < position[i] for i in node.inputs)
    widget.next_button.click()
    assert widget.current == visited[-1], "stepping past the last node stays there"
    widget.back_button.click()
    assert widget.current == visited[-2]
    widget.reset_button.click()
    assert widget.position == 0
    assert "data-node" in widget.view.value and 'stroke="#ea580c"' in widget.view.value
    assert "output" in widget.status.value and "Step 1 of 13" in widget.status.value
    assert "application/vnd.jupyter.widget-view+json" in widget._repr_mimebundle_()


def test_widget_select_shows_node_details():
    pytest.importorskip("ipywidgets")
    loss, model, _ = mlp_loss()
    widget = GraphWidget(loss, model)
    layer = next(node for node in widget.graph.nodes if node.op == "linear" and node.kind == "op")
    widget.node_select.value = layer.index
    assert widget.current == layer.index and widget.position == widget.order.index(layer.index)
    assert "op linear" in widget.details.value and "inputs: input (5, 3), 0.weight (4, 3), 0.bias (4,)" in widget.details.value
    relu = next(node for node in widget.graph.nodes if node.op == "relu" and node.kind == "op")
    widget.select(relu.index)
    assert "saved: out = array (5, 4) float32" in widget.details.value
    weight = next(node for node in widget.graph.nodes if node.name == "2.weight")
    widget.select(weight.index)
    assert "(2, 4)" in widget.details.value and "requires_grad=True" in widget.details.value


def test_widget_shows_a_saved_number_by_its_value():
    pytest.importorskip("ipywidgets")
    w = Tensor([1.0, 2.0], requires_grad=True)
    widget = GraphWidget((w * 0.5).sum())
    mul = next(node for node in widget.graph.nodes if node.op == "mul" and node.kind == "op")
    widget.select(mul.index)
    assert "b = 0.5" in widget.details.value and "a = tensor (2,) float32" in widget.details.value


def test_widget_without_ipywidgets_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    with pytest.raises(ModuleNotFoundError, match="pip install ipywidgets.*draw_graph"):
        GraphWidget(tt.tensor([1.0], requires_grad=True) * 2.0)


def test_widget_explains_missing_autograd(monkeypatch):
    pytest.importorskip("ipywidgets")
    monkeypatch.setitem(sys.modules, "tinytorch.core.autograd", None)  # as before module 06
    loss, model, _ = mlp_loss()
    widget = GraphWidget(loss, model)
    assert "module 06" in widget.note and widget.grads == {}
    widget.step(3)
    assert widget.position == 3 and "not reached yet" not in widget.view.value


def test_widget_with_fake_autograd_reveals_gradients_step_by_step(monkeypatch):
    pytest.importorskip("ipywidgets")
    monkeypatch.setitem(sys.modules, "tinytorch.core.autograd", fake_autograd())
    w = tt.tensor([1.0, -2.0], requires_grad=True)
    widget = GraphWidget((w * w).sum(), {"w": w})
    assert "not reached yet" in widget.view.value
    widget.step(len(widget.order))
    assert "not reached yet" not in widget.view.value and "grad [2, -4]" in widget.view.value
    assert w.grad is None
