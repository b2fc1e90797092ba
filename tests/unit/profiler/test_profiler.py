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
