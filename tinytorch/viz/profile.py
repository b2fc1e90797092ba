"""tinytorch.viz.profile: a recorded profile (tinytorch.profiler) as pictures: time per op and per
layer as sortable bars, a timeline of forward and backward, and live tensor memory over time with
the peak marked.

profile_html(prof) is plain HTML and SVG (any notebook, no JavaScript). ProfileWidget(prof) puts the
same pictures in ipywidgets: the sort buttons are linked to the bar charts in the page itself
(jslink), so sorting also works in the built book, where no kernel runs.
"""
from html import escape

import numpy as np

from tinytorch.viz.widget import _ipywidgets

SORTS = (("self time", "self_cpu_time_total"), ("total time", "cpu_time_total"),
         ("calls", "count"), ("FLOPs", "flops"))
_FORWARD, _BACKWARD, _OTHER = "#4c78a8", "#f58518", "#9d9d9d"
_FONT = "font-family:system-ui,-apple-system,'Segoe UI',sans-serif;font-size:12px"
MAX_TIMELINE_EVENTS = 400


def _fmt(value, key):
    if key in ("self_cpu_time_total", "cpu_time_total"):
        return f"{value / 1000:.2f} ms" if value >= 1000 else f"{value:.1f} µs"
    if key == "flops":
        for scale, prefix in ((1e9, "G"), (1e6, "M"), (1e3, "K")):
            if value >= scale:
                return f"{value / scale:.1f} {prefix}FLOP"
        return f"{value:g} FLOP"
    return f"{value:g}"


def _bytes(n):
    for scale, unit in ((1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} B"


def bars_html(averages, key, title, limit=12):
    """A bar chart (HTML) of FunctionEventAvg rows sorted by attribute `key`, largest first.
    Each row carries data-key and data-value, so a test can read the order."""
    rows = sorted(averages, key=lambda a: getattr(a, key), reverse=True)[:limit]
    top = max((getattr(a, key) for a in rows), default=0) or 1
    lines = [f"<div class='tt-profile-bars' data-sort='{key}' style='{_FONT};margin:4px 0'>"
             f"<div style='font-weight:600;margin-bottom:2px'>{escape(title)}</div>"]
    for a in rows:
        value = getattr(a, key)
        colour = _BACKWARD if a.key.endswith("_backward") or a.key == "backward" else _FORWARD
        lines.append(
            f"<div class='tt-bar-row' data-key='{escape(a.key)}' data-value='{value:.6g}' "
            f"style='display:flex;align-items:center;gap:6px;margin:1px 0'>"
            f"<span style='width:170px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap'>"
            f"{escape(a.key)}</span>"
            f"<span style='flex:1;background:#eee;height:12px'><span class='tt-bar' style='display:block;"
            f"height:12px;width:{100 * value / top:.1f}%;background:{colour}'></span></span>"
            f"<span style='width:90px;text-align:right;white-space:nowrap'>{escape(_fmt(value, key))}</span></div>")
    lines.append("</div>")
    return "".join(lines)


class _Layer:
    """The calls of one module added up: times as recorded, FLOPs of the ops inside them."""

    def __init__(self, key):
        self.key, self.count, self.cpu_time_total, self.self_cpu_time_total, self.flops = key, 0, 0.0, 0.0, 0


def _inner_flops(event):
    return sum(c.flops if c.kind in ("op", "backward_op") else _inner_flops(c) for c in event.cpu_children)


def _split(prof):
    """(per-op averages, per-layer rows) of a profile: ops and gradient rules; modules, whose
    "self time" is their total (a layer's own code is a few lines) and FLOPs those of its ops."""
    events = prof.events()
    ops = events.__class__(e for e in events if e.kind in ("op", "backward_op")).key_averages()
    layers = {}
    for e in events:
        if e.kind == "module":
            row = layers.setdefault(e.key, _Layer(e.key))
            row.count += 1
            row.cpu_time_total += e.cpu_time_total
            row.self_cpu_time_total += e.cpu_time_total
            row.flops += _inner_flops(e)
    return ops, list(layers.values())


def _depth(event):
    depth = 0
    while event.cpu_parent is not None:
        event, depth = event.cpu_parent, depth + 1
    return depth


def timeline_svg(prof, width=760, row=14):
    """The events as nested bars on one time axis: forward blue, backward orange."""
    events = list(prof.events())[:MAX_TIMELINE_EVENTS]
    if not events:
        return "<div class='tt-profile-timeline'>no events recorded</div>"
    end = max(e.end_us for e in events) or 1.0
    depths = [_depth(e) for e in events]
    height = (max(depths) + 1) * row + 22
    scale = (width - 10) / end
    parts = [f"<svg class='tt-profile-timeline' xmlns='http://www.w3.org/2000/svg' width='100%' "
             f"viewBox='0 0 {width} {height}' style='{_FONT};max-width:{width}px'>"]
    for e, d in zip(events, depths):
        colour = _BACKWARD if e.phase == "backward" else (_OTHER if e.kind == "user_annotation" else _FORWARD)
        x, w = 5 + e.start_us * scale, max(e.cpu_time_total * scale, 0.5)
        label = escape(e.key) if w > 7 * len(e.key) else ""
        parts.append(f"<g><title>{escape(e.key)}: {e.cpu_time_total:.1f} µs ({e.phase})</title>"
                     f"<rect class='tt-event' x='{x:.1f}' y='{d * row:.1f}' width='{w:.1f}' "
                     f"height='{row - 2}' fill='{colour}' fill-opacity='0.85'/>"
                     f"<text x='{x + 2:.1f}' y='{d * row + row - 5:.1f}' fill='white' font-size='9'>"
                     f"{label}</text></g>")
    parts.append(f"<text x='5' y='{height - 4}' fill='currentColor'>0</text>"
                 f"<text x='{width - 5}' y='{height - 4}' text-anchor='end' fill='currentColor'>"
                 f"{end / 1000:.2f} ms</text></svg>")
    return "".join(parts)


def memory_svg(prof, width=760, height=150):
    """Live tensor bytes over time as a step line, the backward pass shaded, the peak marked."""
    memory = prof.memory
    if memory is None or not len(memory.bytes):
        return "<div class='tt-profile-memory'>no memory recorded (profile_memory=False?)</div>"
    end = max(max(e.end_us for e in prof.events()), float(memory.times_us[-1])) or 1.0
    peak = memory.peak or 1
    sx, sy = (width - 10) / end, (height - 30) / peak
    times, live = np.concatenate([[0.0], memory.times_us]), np.concatenate([[0], memory.bytes])
    xs = 5 + np.repeat(times, 2)[1:] * sx  # a step line: level until the next change
    ys = height - 20 - np.repeat(live, 2)[:-1] * sy
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys))
    parts = [f"<svg class='tt-profile-memory' xmlns='http://www.w3.org/2000/svg' width='100%' "
             f"viewBox='0 0 {width} {height}' style='{_FONT};max-width:{width}px'>"]
    for e in prof.events():
        if e.kind == "backward":
            parts.append(f"<rect x='{5 + e.start_us * sx:.1f}' y='0' width='{e.cpu_time_total * sx:.1f}' "
                         f"height='{height - 20}' fill='{_BACKWARD}' fill-opacity='0.12'/>")
    px = 5 + memory.peak_time_us * sx
    parts.append(f"<polyline points='{points}' fill='none' stroke='{_FORWARD}' stroke-width='1.5'/>"
                 f"<circle class='tt-peak' cx='{px:.1f}' cy='{height - 20 - peak * sy:.1f}' r='4' fill='#d62728'/>"
                 f"<text x='{min(px + 6, width - 120):.1f}' y='12' fill='#d62728'>peak {_bytes(memory.peak)}</text>"
                 f"<text x='5' y='{height - 4}' fill='currentColor'>0</text>"
                 f"<text x='{width - 5}' y='{height - 4}' text-anchor='end' fill='currentColor'>"
                 f"{end / 1000:.2f} ms · shaded: backward</text></svg>")
    return "".join(parts)


def _sorted_pane(ops, layers, key):
    return (f"<div style='display:flex;flex-wrap:wrap;gap:18px'>"
            f"<div style='flex:1;min-width:420px'>{bars_html(ops, key, 'per op (forward and backward)')}</div>"
            f"<div style='flex:1;min-width:420px'>{bars_html(layers, key, 'per layer (module)')}</div></div>")


def profile_html(prof, sort_by="self_cpu_time_total"):
    """Everything as one static HTML string: bars sorted by `sort_by`, the timeline, memory."""
    ops, layers = _split(prof)
    return (f"<div class='tt-profile'>{_sorted_pane(ops, layers, sort_by)}"
            f"<div style='{_FONT};font-weight:600;margin-top:8px'>timeline</div>{timeline_svg(prof)}"
            f"<div style='{_FONT};font-weight:600;margin-top:8px'>live tensor memory</div>{memory_svg(prof)}</div>")


class ProfileWidget:
    """A profile with controls (needs ipywidgets): sort buttons over the bars of time per op and
    per layer, then the timeline and the memory curve. Displays itself in Jupyter; the sorting
    runs in the page (jslink), with or without a kernel. Attributes: sort (ToggleButtons),
    panes (Stack, one pane per sort key), link (their jslink), box (the VBox shown)."""

    def __init__(self, prof):
        widgets = _ipywidgets()
        ops, layers = _split(prof)
        self.sort = widgets.ToggleButtons(options=[label for label, _ in SORTS], description="sort by",
                                          style={"button_width": "auto"})
        self.panes = widgets.Stack([widgets.HTML(_sorted_pane(ops, layers, key)) for _, key in SORTS],
                                   selected_index=0)
        self.link = widgets.jslink((self.sort, "index"), (self.panes, "selected_index"))
        total = sum(e.cpu_time_total for e in prof.events() if e.cpu_parent is None)
        summary = (f"<div style='{_FONT}'>{len(prof.events())} events, {total / 1000:.2f} ms recorded "
                   f"(the profiler's own time taken out); peak live tensor memory "
                   f"{_bytes(prof.memory.peak if prof.memory is not None else 0)}</div>")
        self.box = widgets.VBox([widgets.HTML(summary), self.sort, self.panes,
                                 widgets.HTML(f"<div style='{_FONT};font-weight:600'>timeline</div>"
                                              + timeline_svg(prof)),
                                 widgets.HTML(f"<div style='{_FONT};font-weight:600'>live tensor memory</div>"
                                              + memory_svg(prof))])

    def _repr_mimebundle_(self, **kwargs):
        return self.box._repr_mimebundle_(**kwargs)
