# Generated from notebooks/masters/14_profiling.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.profiler.profiler: `with profile() as prof:` records every op of forward
and backward, every module call and every record_function range, with torch.profiler's
names.

How: while the block runs, sys.setprofile calls the profiler on every Python call and
return (pure Python, so it works in JupyterLite too). A call of Tensor.from_op names the
op that the calling function computes; a gradient rule from GRADIENTS is an op's
backward; autograd's backward is the backward pass. Modules are recorded by a global
forward pre-hook and hook (register_module_forward_pre_hook). Outside the block nothing
is installed: the ops run exactly the code they run without a profiler."""

import sys
import time
import weakref
from dataclasses import dataclass

import numpy as np

from tinytorch.core.autograd import GRADIENTS, backward
from tinytorch.core.module import (
    register_module_forward_hook,
    register_module_forward_pre_hook,
)
from tinytorch.core.tensor import Tensor
from tinytorch.profiler.events import (
    EventList,
    FunctionEvent,
    chrome_trace,
    link_children,
    write_json,
)
from tinytorch.profiler.flops import backward_flops, op_cost

_FROM_OP, _INIT = Tensor.from_op.__code__, Tensor.__init__.__code__
_BACKWARD = backward.__code__
_active = []  # the profile recording now (at most one)


def _nbytes(array, inputs=()):
    """Bytes of a new array: 0 for a view of one of the inputs' memory (or not an
    array)."""
    if not isinstance(array, np.ndarray):
        return 0
    if any(
        np.may_share_memory(array, t.data if isinstance(t, Tensor) else t)
        for t in inputs
    ):
        return 0
    return array.nbytes


@dataclass
class MemoryTimeline:
    """Live tensor bytes over time: times_us, bytes and phase ("forward"/"backward")
    arrays, one sample per allocation or release while profiling."""

    times_us: np.ndarray
    bytes: np.ndarray
    phase: np.ndarray

    @property
    def peak(self):
        """The most bytes live at once (0 when nothing was allocated)."""
        return int(self.bytes.max()) if len(self.bytes) else 0

    @property
    def peak_time_us(self):
        return (
            float(self.times_us[int(np.argmax(self.bytes))]) if len(self.bytes) else 0.0
        )

    def peak_in(self, phase):
        """The peak over the samples of one phase."""
        part = self.bytes[self.phase == phase]
        return int(part.max()) if len(part) else 0


class profile:
    """`with profile(record_shapes=True, profile_memory=True) as prof:` records the
    block.

    Then prof.events() lists every FunctionEvent,
    prof.key_averages(group_by_input_shape=False) adds them up per key
    (.table(sort_by="self_cpu_time_total", row_limit=10) prints them),
    prof.export_chrome_trace(path) writes a trace for Perfetto / chrome://tracing,
    prof.memory is the MemoryTimeline, and prof.overhead_ns the profiler's own cost per
    traced call, measured at the start and taken out of every time."""

    def __init__(self, record_shapes=True, profile_memory=True, with_flops=True):
        self.record_shapes, self.profile_memory, self.with_flops = (
            record_shapes,
            profile_memory,
            with_flops,
        )
        self._events, self.memory, self.overhead_ns = None, None, None

    # --- recording ---
    def __enter__(self):
        if _active:
            raise RuntimeError(
                "profile: another profile is already recording; nest record_function "
                "ranges instead of profiles"
            )
        if sys.getprofile() is not None:
            raise RuntimeError(
                f"profile: sys.setprofile is already in use ({sys.getprofile()!r})"
            )
        self._rules = {rule.__code__: op for op, rule in GRADIENTS.items()}
        self.overhead_ns = self._calibrate()
        self._reset()
        _active.append(self)
        self._hooks = (
            register_module_forward_pre_hook(self._module_start),
            register_module_forward_hook(self._module_end),
        )
        self._t0 = time.perf_counter_ns()
        sys.setprofile(self._callback)
        return self

    def __exit__(self, *exc_info):
        sys.setprofile(None)
        for handle in self._hooks:
            handle.remove()
        _active.remove(self)
        for finalizer in self._finalizers:
            finalizer.detach()
        self._finish()
        return False

    def _reset(self):
        self._py = self._c = self._in_backward = self._spent = 0
        self._open, self._ops, self._args = {}, {}, {}
        self._raw, self._finalizers = [], []
        self._live, self._mem, self._calls, self._now = 0, [], [], None

    def _stamp(self):
        """(perf_counter_ns, ns spent in the profiler so far, Python and C callbacks so
        far)."""
        return time.perf_counter_ns(), self._spent, self._py, self._c

    def _callback(self, frame, event, arg):
        """sys.setprofile's hook: times its own work (self._spent) so it can be taken
        out."""
        if (
            event[1] == "_"
        ):  # c_call, c_return, c_exception: C functions are timed inside ops
            self._c += 1
            return
        now = time.perf_counter_ns()
        self._py += 1
        self._now = (now, self._spent, self._py, self._c)
        self._record(frame, event, arg)
        self._now = None  # a tensor freed outside a callback stamps its own time
        self._spent += time.perf_counter_ns() - now

    def _record(self, frame, event, arg):
        code = frame.f_code
        if event == "call":
            self._open[frame] = self._now
            if code is _FROM_OP:
                self._ops[frame.f_back] = (
                    frame.f_locals["op"],
                    tuple(frame.f_locals["inputs"]),
                )
            elif code in self._rules:
                self._args[frame] = [
                    frame.f_locals[n] for n in code.co_varnames[: code.co_argcount]
                ]
            elif code is _BACKWARD:
                self._in_backward += 1
            return
        start = self._open.pop(frame, None)
        if start is None:
            return
        if code is _FROM_OP or code is _INIT:
            if self.profile_memory:
                local = frame.f_locals
                (
                    self._allocated(arg, local["inputs"])
                    if code is _FROM_OP
                    else self._allocated(local["self"])
                )
            return
        op, now = self._ops.pop(frame, None), self._now
        if (
            op is not None
        ):  # only shapes and sizes are kept: holding the tensors would keep them alive
            self._raw.append(
                ("op", op[0], start, now, _op_facts(op[0], op[1], arg), self._phase())
            )
        elif code in self._rules:
            if self.profile_memory and isinstance(arg, (tuple, list)):
                for g in arg:
                    self._allocated(g)
            facts = _rule_facts(self._rules[code], self._args.pop(frame), arg)
            key = f"{self._rules[code]}_backward"
            self._raw.append(("backward_op", key, start, now, facts, "backward"))
        elif code is _BACKWARD:
            self._in_backward -= 1
            self._raw.append(("backward", "backward", start, now, (), "backward"))

    def _module_start(self, module, args):
        """The global forward pre-hook: a module call starts (the hook's own time is
        counted as the profiler's)."""
        now = time.perf_counter_ns()
        self._calls.append((module, (now, *self._stamp()[1:]), _shapes(args)))
        self._spent += time.perf_counter_ns() - now

    def _module_end(self, module, args, output):
        """The global forward hook: the call of `module` on top of the stack ends (calls
        left open above it raised)."""
        now = time.perf_counter_ns()
        stamp = (now, *self._stamp()[1:])
        while self._calls:
            called, start, shapes = self._calls.pop()
            if called is module:
                key = f"nn.Module: {type(module).__name__}"
                facts = ((shapes,), self._phase())
                self._raw.append(("module", key, start, stamp, *facts))
                break
        self._spent += time.perf_counter_ns() - now

    def _phase(self):
        return "backward" if self._in_backward else "forward"

    def _allocated(self, value, inputs=()):
        """Count a new Tensor's (or gradient array's) bytes as live until it is freed; a
        view of an input's memory counts nothing."""
        n = _nbytes(value.data if isinstance(value, Tensor) else value, inputs)
        if n:
            self._change(n)
            self._finalizers.append(weakref.finalize(value, self._change, -n))

    def _change(self, n):
        """Inside a callback, the callback's start is the time (a clock read later,
        before the callback's cost is counted, would run ahead of every later stamp)."""
        self._live += n
        self._mem.append((*(self._now or self._stamp()), self._live, self._phase()))

    def _calibrate(self, calls=400, repeats=5):
        """(ns per Python call or return, ns per C call or return) that the profiler
        costs beyond the time it measures itself spending: timed loops with and without
        it installed, the best of `repeats`."""

        def empty():
            pass

        def py_loop():
            for _ in range(calls):
                empty()

        def c_loop():
            for _ in range(calls):
                len(())

        def cost(loop):
            best = {}
            for traced in (False, True) * repeats:
                self._reset()
                start = time.perf_counter_ns()
                if traced:
                    sys.setprofile(self._callback)
                loop()
                sys.setprofile(None)
                elapsed = time.perf_counter_ns() - start - self._spent
                best[traced] = min(best.get(traced, elapsed), elapsed)
            return max(best[True] - best[False], 0) / (2 * calls)

        return cost(py_loop), cost(c_loop)

    # --- results ---
    def _finish(self):
        """Turn the raw records into FunctionEvents and the MemoryTimeline on the
        corrected clock."""
        stamps = [r[2] for r in self._raw] + [r[3] for r in self._raw]
        stamps += [m[:4] for m in self._mem]
        clock = _corrected_us(stamps, self._t0, self.overhead_ns)
        n = len(self._raw)
        self._events = EventList(
            _event(r, clock[i], clock[n + i], self.record_shapes)
            for i, r in enumerate(self._raw)
        )
        link_children(self._events)
        self._events.sort(key=lambda e: (e.start_us, -e.end_us))
        self.memory = MemoryTimeline(
            np.asarray(clock[2 * n :], dtype=np.float64),
            np.array([m[4] for m in self._mem], dtype=np.int64),
            np.array([m[5] for m in self._mem], dtype=object),
        )
        self._raw, self._mem, self._open, self._ops, self._args = [], [], {}, {}, {}
        self._calls = []

    def events(self):
        """Every recorded FunctionEvent, by start time (an EventList)."""
        if self._events is None:
            raise RuntimeError(
                "profile: no results yet; read them after the `with profile()` block"
            )
        return self._events

    def key_averages(self, group_by_input_shape=False):
        """The events added up per key (and shapes): an EventList with .table()."""
        return self.events().key_averages(group_by_input_shape)

    def export_chrome_trace(self, path):
        """Write the events (and memory, as a counter) in Chrome's trace-event JSON
        format."""
        return write_json(
            path,
            chrome_trace(self.events(), self.memory if self.profile_memory else None),
        )


def _corrected_us(stamps, t0, overhead_ns):
    """µs since t0 of each (perf_counter_ns, ns spent in the profiler, Python and C
    callbacks) stamp with the profiler's own time taken out (what it measured of itself,
    plus the calibrated cost per callback), made increasing in recording order (by 1 ps
    a step where the correction would tie them, so nesting is kept)."""
    if not stamps:
        return np.zeros(0)
    s = np.asarray(stamps, dtype=np.float64).reshape(-1, 4)
    t = s[:, 0] - t0 - s[:, 1] - s[:, 2] * overhead_ns[0] - s[:, 3] * overhead_ns[1]
    order = np.lexsort((s[:, 0], s[:, 2] + s[:, 3]))
    step = np.arange(len(t)) * 1e-3  # 1 ps
    t[order] = np.maximum.accumulate(np.maximum(t[order], 0.0)) + step
    return t / 1000.0


def _shapes(values):
    return [tuple(v.shape) for v in values if isinstance(v, (Tensor, np.ndarray))]


def _op_facts(op, inputs, result):
    """(input shapes, flops, bytes read, bytes written) of one forward op call."""
    out = result.data if isinstance(result, Tensor) else np.zeros(0)
    written = _nbytes(out, inputs)
    read = sum(t.data.nbytes for t in inputs) if written else 0  # a view moves nothing
    shapes = _shapes(inputs)
    return (shapes, *op_cost(op, shapes, [read], out.shape, written))


def _rule_facts(op, args, grads):
    """(shapes, flops, bytes read, bytes written) of one gradient rule call rule(grad,
    out, inputs, saved) that returned `grads`."""
    grad, out, inputs = args[0], args[1], args[2]
    shapes = _shapes(inputs)
    forward = op_cost(op, shapes, [0], out.shape, 0)[0]
    flops = backward_flops(
        op, forward, shapes, out.shape, [t.requires_grad for t in inputs]
    )
    read = np.asarray(grad).nbytes + sum(t.data.nbytes for t in inputs)
    written = sum(g.nbytes for g in (grads or ()) if isinstance(g, np.ndarray))
    return [np.shape(grad)] + shapes, flops, read, written


def _event(record, start_us, end_us, record_shapes):
    """One FunctionEvent from a raw record (kind, key, start, end, facts, phase)."""
    kind, key, _, _, facts, phase = record
    shapes = facts[0] if facts and record_shapes else ()
    if kind in ("op", "backward_op"):
        flops, read, written = facts[1:]
        return FunctionEvent(
            key, kind, start_us, end_us, shapes, flops, read, written, written, phase
        )
    return FunctionEvent(key, kind, start_us, end_us, shapes, phase=phase)


class record_function:
    """`with record_function("name"):` marks a range of code that the active profile
    records as an event named "name" (kind "user_annotation"); without a profile it does
    nothing."""

    def __init__(self, name):
        self.name = str(name)

    def __enter__(self):
        self._prof = _active[-1] if _active else None
        if self._prof is not None:
            self._start = self._prof._stamp()
        return self

    def __exit__(self, *exc_info):
        prof = self._prof
        if prof is not None and prof in _active:
            prof._raw.append(
                (
                    "user_annotation",
                    self.name,
                    self._start,
                    prof._stamp(),
                    (),
                    prof._phase(),
                )
            )
        return False
