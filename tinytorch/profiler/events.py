# Generated from notebooks/masters/14_profiling.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.profiler.events: what a profile holds, with torch.profiler's names:
FunctionEvent (one timed call), FunctionEventAvg (the calls of one key added up),
EventList (key_averages, table)."""

import json

SORT_KEYS = (
    "cpu_time_total",
    "self_cpu_time_total",
    "cpu_time",
    "self_cpu_time",
    "count",
    "flops",
    "cpu_memory_usage",
    "bytes_moved",
)


class FunctionEvent:
    """One timed call: an op (kind "op"), its gradient rule ("backward_op"), a module
    ("module"), the backward pass ("backward") or a record_function range
    ("user_annotation").

    Times in µs on the profiler's clock (its own overhead taken out), from the profile's
    start. cpu_time_total = end - start; self_cpu_time_total = that minus the
    cpu_time_total of the events directly inside it (cpu_children). input_shapes: list
    of shape tuples."""

    count = 1

    def __init__(
        self,
        key,
        kind,
        start_us,
        end_us,
        input_shapes=(),
        flops=0,
        bytes_read=0,
        bytes_written=0,
        cpu_memory_usage=0,
        phase="forward",
    ):
        self.key, self.kind, self.phase = key, kind, phase
        self.start_us, self.end_us = start_us, end_us
        self.input_shapes = [tuple(s) for s in input_shapes]
        self.flops, self.bytes_read, self.bytes_written = (
            flops,
            bytes_read,
            bytes_written,
        )
        self.cpu_memory_usage = cpu_memory_usage
        self.cpu_parent, self.cpu_children = None, []

    name = property(lambda self: self.key)
    cpu_time_total = property(lambda self: self.end_us - self.start_us)
    cpu_time = cpu_time_total
    bytes_moved = property(lambda self: self.bytes_read + self.bytes_written)

    @property
    def self_cpu_time_total(self):
        return max(
            self.cpu_time_total - sum(c.cpu_time_total for c in self.cpu_children), 0.0
        )

    self_cpu_time = self_cpu_time_total

    def __repr__(self):
        return (
            f"<FunctionEvent {self.key} ({self.kind}, {self.phase}) "
            f"{self.cpu_time_total:.1f} us, self {self.self_cpu_time_total:.1f} us>"
        )


class FunctionEventAvg:
    """The events of one key (and input shapes, when grouped by them) added up.

    count, cpu_time_total, self_cpu_time_total, flops, bytes_read/written and
    cpu_memory_usage are sums; cpu_time and self_cpu_time are the per-call means (µs).
    """

    def __init__(self, key, input_shapes=None):
        self.key, self.input_shapes = key, input_shapes
        self.count = 0
        self.cpu_time_total = self.self_cpu_time_total = 0.0
        self.flops = self.bytes_read = self.bytes_written = self.cpu_memory_usage = 0

    def add(self, event):
        """Add one FunctionEvent (or FunctionEventAvg) into this one; returns self."""
        self.count += event.count
        self.cpu_time_total += event.cpu_time_total
        self.self_cpu_time_total += event.self_cpu_time_total
        self.flops += event.flops
        self.bytes_read += event.bytes_read
        self.bytes_written += event.bytes_written
        self.cpu_memory_usage += event.cpu_memory_usage
        return self

    cpu_time = property(lambda self: self.cpu_time_total / max(self.count, 1))
    self_cpu_time = property(lambda self: self.self_cpu_time_total / max(self.count, 1))
    bytes_moved = property(lambda self: self.bytes_read + self.bytes_written)

    def __repr__(self):
        return (
            f"<FunctionEventAvg {self.key} count={self.count} "
            f"cpu_time_total={self.cpu_time_total:.1f} us "
            f"self_cpu_time_total={self.self_cpu_time_total:.1f} us>"
        )


def _time(us):
    return f"{us / 1000:.3f}ms" if us >= 1000 else f"{us:.3f}us"


def _count(n, unit=""):
    for scale, prefix in ((1e9, "G"), (1e6, "M"), (1e3, "K")):
        if n >= scale:
            return f"{n / scale:.2f}{prefix}{unit}"
    return f"{n:g}{unit}" if n else "0"


class EventList(list):
    """A list of events (FunctionEvent or FunctionEventAvg) with torch.profiler's
    methods."""

    def key_averages(self, group_by_input_shape=False):
        return key_averages(self, group_by_input_shape)

    def total_average(self):
        """Every event added into one FunctionEventAvg with key "Total"."""
        total = FunctionEventAvg("Total")
        for event in self:
            total.add(event)
        return total

    def table(self, sort_by=None, row_limit=100):
        """A text table, one row per event, sorted by `sort_by` (largest first; one of
        SORT_KEYS, None keeps the order), at most row_limit rows (-1: all). The
        percentages are of the summed self time, which counts every moment once."""
        if sort_by is not None and sort_by not in SORT_KEYS:
            raise ValueError(
                f"table: sort_by must be one of {', '.join(SORT_KEYS)} or None, "
                f"got {sort_by!r}"
            )
        rows = (
            sorted(self, key=lambda e: getattr(e, sort_by), reverse=True)
            if sort_by
            else list(self)
        )
        rows = rows if row_limit is None or row_limit < 0 else rows[:row_limit]
        total = sum(e.self_cpu_time_total for e in self) or 1.0
        shapes = any(getattr(e, "input_shapes", None) for e in rows)
        head = [
            "Name",
            "Self CPU %",
            "Self CPU",
            "CPU total",
            "CPU time avg",
            "# of Calls",
            "FLOPs",
            "Bytes moved",
            "CPU Mem",
        ] + (["Input Shapes"] if shapes else [])
        body = [
            [
                e.key,
                f"{100 * e.self_cpu_time_total / total:.2f}%",
                _time(e.self_cpu_time_total),
                _time(e.cpu_time_total),
                _time(e.cpu_time),
                str(e.count),
                _count(e.flops),
                _count(e.bytes_moved, "B"),
                _count(e.cpu_memory_usage, "B"),
            ]
            + ([str(e.input_shapes or "")] if shapes else [])
            for e in rows
        ]
        widths = [max(len(r[i]) for r in [head] + body) for i in range(len(head))]
        line = "-" * (sum(widths) + 2 * len(widths))
        fmt = lambda r: "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths))
        )
        text = [line, fmt(head), line] + [fmt(r) for r in body] + [line]
        text.append(
            f"Self CPU time total: {_time(sum(e.self_cpu_time_total for e in self))}"
        )
        return "\n".join(text)


def key_averages(events, group_by_input_shape=False):
    """Add the events up per key (per key and input shapes when group_by_input_shape),
    in the order each group first appears: an EventList of FunctionEventAvg."""
    groups = {}
    for event in events:
        group = (
            (event.key, str(event.input_shapes)) if group_by_input_shape else event.key
        )
        if group not in groups:
            groups[group] = FunctionEventAvg(
                event.key, event.input_shapes if group_by_input_shape else None
            )
        groups[group].add(event)
    return EventList(groups.values())


def link_children(events):
    """Set every event's cpu_parent and cpu_children from the time ranges: an event's
    parent is the shortest event whose range holds it. Events must nest (they do: calls
    return in order), listed in the order they ended, so that of two with the same range
    the later one is outside."""
    ordered = sorted(
        enumerate(events), key=lambda p: (p[1].start_us, -p[1].end_us, -p[0])
    )
    stack = []
    for _, event in ordered:
        while stack and stack[-1].end_us < event.end_us:
            stack.pop()
        event.cpu_parent, event.cpu_children = (stack[-1] if stack else None), []
        if stack:
            stack[-1].cpu_children.append(event)
        stack.append(event)
    return events


def chrome_trace(events, memory=None, pid=0, tid=0):
    """The events in Chrome's trace-event format (a dict; json.dump it): one complete
    event ("ph": "X", ts and dur in µs) per event, and memory as a counter track ("ph":
    "C")."""
    trace = [
        {
            "name": e.key,
            "cat": e.kind,
            "ph": "X",
            "ts": e.start_us,
            "dur": e.cpu_time_total,
            "pid": pid,
            "tid": tid,
            "args": {
                "Input Dims": [list(s) for s in e.input_shapes],
                "flops": e.flops,
                "bytes": e.bytes_moved,
                "phase": e.phase,
            },
        }
        for e in events
    ]
    if memory is not None:
        trace += [
            {
                "name": "live tensor bytes",
                "ph": "C",
                "ts": t,
                "pid": pid,
                "tid": tid,
                "args": {"bytes": int(b)},
            }
            for t, b in zip(memory.times_us, memory.bytes)
        ]
    return {"traceEvents": trace, "displayTimeUnit": "ms"}


def write_json(path, data):
    """Write data as JSON to path (str or Path); returns the path."""
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f)
    return path
