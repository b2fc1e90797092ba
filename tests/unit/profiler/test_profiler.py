"""tinytorch.profiler.profile: what it records (ops, gradient rules, modules, ranges), nesting,
memory, and that nothing stays installed once the block ends."""
import sys

import numpy as np
import pytest

import tinytorch
from tinytorch import nn
from tinytorch.core import tensor as tensor_module
from tinytorch.profiler import profile, record_function


def _mlp_step(batch=8):
    tinytorch.manual_seed(0)
    model = nn.Sequential(nn.Linear(20, 16), nn.ReLU(), nn.Linear(16, 4))
    x = tinytorch.randn(batch, 20)
    with profile() as prof:
        with record_function("step"):
            loss = model(x).sum()
            loss.backward()
    return prof


def test_records_every_op_of_forward_and_backward_and_every_module():
    prof = _mlp_step()
    keys = {e.key: e.count for e in prof.key_averages()}
    assert keys["nn.Module: Linear"] == 2 and keys["nn.Module: ReLU"] == 1 and keys["nn.Module: Sequential"] == 1
    assert keys["relu"] == 1 and keys["sum"] == 1 and keys["relu_backward"] == 1 and keys["sum_backward"] == 1
    # the product of each layer is one op, forward and backward (fused "linear", or "matmul")
    layer = "linear" if "linear" in keys else "matmul"
    assert keys[layer] == 2 and keys[f"{layer}_backward"] == 2
    assert keys["step"] == 1 and keys["backward"] == 1
    phases = {e.key: e.phase for e in prof.events()}
    assert phases["relu"] == "forward" and phases["relu_backward"] == "backward"


def test_events_carry_pytorch_attribute_names_and_shapes():
    prof = _mlp_step(batch=8)
    relu = next(e for e in prof.events() if e.key == "relu")
    assert relu.input_shapes == [(8, 16)] and relu.count == 1
    assert relu.flops == 8 * 16  # elementwise: one per output element
    assert relu.bytes_read == relu.bytes_written == 8 * 16 * 4
    for e in prof.events():
        assert 0 <= e.self_cpu_time_total <= e.cpu_time_total + 1e-9, e


def test_nesting_self_time_is_total_minus_children():
    prof = _mlp_step()
    events = prof.events()
    step = next(e for e in events if e.key == "step")
    assert step.cpu_parent is None
    for e in events:
        if e is not step:
            parent = e.cpu_parent
            assert parent is not None and parent.start_us <= e.start_us and e.end_us <= parent.end_us, e
        children = sum(c.cpu_time_total for c in e.cpu_children)
        assert e.self_cpu_time_total == pytest.approx(max(e.cpu_time_total - children, 0.0))
    relu = next(e for e in events if e.key == "relu")
    assert relu.cpu_parent.key == "nn.Module: ReLU"
    rule = next(e for e in events if e.key == "relu_backward")
    assert rule.cpu_parent.key == "backward"


def test_totals_add_up_in_key_averages():
    prof = _mlp_step()
    averages = {a.key: a for a in prof.key_averages()}
    events = [e for e in prof.events() if e.key == "nn.Module: Linear"]
    linear = averages["nn.Module: Linear"]
    assert linear.count == 2
    assert linear.cpu_time_total == pytest.approx(sum(e.cpu_time_total for e in events))
    assert linear.cpu_time == pytest.approx(linear.cpu_time_total / 2)
    by_shape = prof.key_averages(group_by_input_shape=True)
    assert sum(1 for a in by_shape if a.key == "nn.Module: Linear") == 2  # (8, 20) and (8, 16)


def test_table_sorts_and_limits_rows():
    prof = _mlp_step()
    text = prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=3)
    rows = [line for line in text.splitlines()[3:] if line and not line.startswith(("-", "Self CPU time"))]
    assert len(rows) == 3
    top = max(prof.key_averages(), key=lambda a: a.self_cpu_time_total)
    assert rows[0].startswith(top.key)
    with pytest.raises(ValueError, match="sort_by must be one of"):
        prof.key_averages().table(sort_by="speed")


def test_memory_peak_on_a_known_sequence():
    x = tinytorch.ones(1000)  # made before profiling: not counted
    with profile(profile_memory=True) as prof:
        a = x * 2.0          # 4000 bytes live
        b = a + 1.0          # 8000
        del a                # 4000
        c = b.reshape(10, 100)  # a view: nothing new
        d = c * 3.0          # 8000
    assert prof.memory.peak == 8000
    assert list(prof.memory.bytes) == [4000, 8000, 4000, 8000]
    assert prof.memory.peak_in("forward") == 8000 and prof.memory.peak_in("backward") == 0
    assert np.all(np.diff(prof.memory.times_us) >= 0)
    del b, c, d


def test_memory_splits_forward_and_backward():
    prof = _mlp_step()
    phases = set(prof.memory.phase)
    assert phases == {"forward", "backward"} and prof.memory.peak_in("backward") > 0


def test_profile_installs_nothing_once_the_block_ends():
    before = {name: getattr(tensor_module, name) for name in dir(tensor_module)}
    methods = dict(vars(tinytorch.Tensor))
    assert sys.getprofile() is None
    _mlp_step()
    assert sys.getprofile() is None
    with pytest.raises(ZeroDivisionError):
        with profile():
            tinytorch.ones(3) * 2.0
            1 / 0
    assert sys.getprofile() is None
    assert {name: getattr(tensor_module, name) for name in dir(tensor_module)} == before
    assert dict(vars(tinytorch.Tensor)) == methods


def test_results_only_after_the_block_and_no_nesting():
    prof = profile()
    with pytest.raises(RuntimeError, match="after the `with profile"):
        prof.events()
    with profile():
        with pytest.raises(RuntimeError, match="already recording"):
            profile().__enter__()
    assert sys.getprofile() is None


def test_overhead_is_measured_and_non_negative():
    prof = _mlp_step()
    assert len(prof.overhead_ns) == 2 and all(v >= 0 for v in prof.overhead_ns)


def test_record_function_without_a_profile_does_nothing():
    with record_function("alone") as r:
        y = tinytorch.ones(2) + 1.0
    assert r.name == "alone" and y.shape == (2,)


def test_modules_are_recorded_through_global_hooks_removed_after_the_block():
    from tinytorch.core import module as module_module
    hooks = (module_module._global_forward_pre_hooks, module_module._global_forward_hooks)
    model = nn.Sequential(nn.Linear(3, 2), nn.Tanh())
    x = tinytorch.ones(4, 3)
    with profile() as prof:
        assert all(len(h) == 1 for h in hooks)  # one pre-hook and one hook while recording
        model(x)
    assert not any(hooks)
    modules = [e for e in prof.events() if e.kind == "module"]
    assert [e.key for e in modules] == ["nn.Module: Sequential", "nn.Module: Linear", "nn.Module: Tanh"]
    assert modules[1].input_shapes == [(4, 3)] and modules[2].input_shapes == [(4, 2)]
    assert modules[0].start_us <= modules[1].start_us and modules[2].end_us <= modules[0].end_us
    with pytest.raises(ValueError, match="boom"):
        with profile():
            model(x)
            raise ValueError("boom")
    assert not any(hooks) and sys.getprofile() is None


def test_a_module_that_raises_leaves_its_parent_recorded():
    class Fails(nn.Module):
        def forward(self, x):
            raise KeyError("inner")

    class Parent(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner, self.lin = Fails(), nn.Linear(2, 2)

        def forward(self, x):
            try:
                self.inner(x)
            except KeyError:
                pass
            return self.lin(x)

    with profile() as prof:
        Parent()(tinytorch.ones(1, 2))
    keys = [e.key for e in prof.events() if e.kind == "module"]
    assert keys == ["nn.Module: Parent", "nn.Module: Linear"]


def test_a_stall_inside_the_profilers_own_callback_does_not_shift_later_events(monkeypatch):
    """The process stalls (is descheduled) while the profiler counts a new tensor: that time is
    the profiler's, so no event may be pushed later by it."""
    import time as real_time

    from tinytorch.profiler import profiler as profiler_module

    shift = [0]
    fake = type("FakeTime", (), {"perf_counter_ns": staticmethod(lambda: real_time.perf_counter_ns() + shift[0]),
                                 "perf_counter": staticmethod(real_time.perf_counter)})
    monkeypatch.setattr(profiler_module, "time", fake)

    class Stalling(profile):
        def _allocated(self, value, inputs=()):
            if not shift[0]:
                shift[0] = 10**9  # one second, inside the callback
            return super()._allocated(value, inputs)

    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU())
    with Stalling() as prof:
        with record_function("step"):
            model(tinytorch.ones(2, 4)).sum().backward()
    assert shift[0]
    step = next(e for e in prof.events() if e.key == "step")
    assert step.end_us < 0.5e6, step  # the stall is not in any recorded time
    rule = next(e for e in prof.events() if e.key == "relu_backward")
    assert rule.cpu_parent.key == "backward"


def test_corrected_clock_never_ties_two_stamps_so_nesting_stays_readable():
    from tinytorch.profiler.profiler import _corrected_us
    # the 2nd and 3rd stamps come out before the 1st once their overhead is taken out
    stamps = [(5_000, 0, 1, 0), (5_200, 900, 2, 0), (5_300, 900, 3, 0), (9_000, 900, 4, 0)]
    clock = _corrected_us(stamps, 0, (0.0, 0.0))
    assert np.all(np.diff(clock) > 0) and clock[0] == pytest.approx(5.0)
    assert clock[3] == pytest.approx(8.1, abs=1e-5)
