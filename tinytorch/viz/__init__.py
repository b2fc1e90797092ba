"""tinytorch.viz: pictures of the computational graph that backward walks.

draw_graph(t) draws t's recorded history as static SVG: it shows in the built book and in any
notebook, with no JavaScript and no graphviz. GraphWidget(t) adds controls for a live notebook
(needs ipywidgets): step through backward node by node and inspect any node's value and gradient.
"""
from tinytorch.viz.graph import Graph, GraphDrawing, Node, draw_graph, trace
from tinytorch.viz.widget import GraphWidget, backward_steps
from tinytorch.viz.profile import ProfileWidget, profile_html
from tinytorch.viz.attention import AttentionMap, attention_html
