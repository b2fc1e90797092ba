"""FLOP formulas, the Chrome trace, the analysis helpers, and the optional torch.profiler oracle."""
import json
import math

import numpy as np
import pytest

import tinytorch
from tinytorch import nn
from tinytorch.profiler import (Timer, amdahl_speedup, arithmetic_intensity, conv_flops, linear_flops,
                                matmul_flops, op_cost, profile, roofline)


def test_flop_formulas():
    assert matmul_flops((3, 4), (4, 5)) == 2 * 3 * 4 * 5
    assert matmul_flops((7, 3, 4), (4, 5)) == 7 * 2 * 3 * 4 * 5
    assert matmul_flops((4,), (4, 5)) == 2 * 4 * 5
    assert linear_flops((2, 6, 10), (3, 10)) == 2 * 12 * 10 * 3
    assert conv_flops((1, 3, 8, 8), (16, 3, 3, 3), (1, 16, 6, 6)) == 2 * 16 * 36 * 27
    assert op_cost("reshape", [(4, 4)], [64], (16,), 0) == (0, 64, 0)
    assert op_cost("sum", [(4, 4)], [64], (), 4)[0] == 16
    assert op_cost("tanh", [(4, 4)], [64], (4, 4), 64) == (16, 64, 64)
    with pytest.raises(ValueError, match="at least 1 dim"):
        matmul_flops((), (3,))


def test_chrome_trace_loads_with_nested_complete_events(tmp_path):
    tinytorch.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 2))
    with profile() as prof:
        model(tinytorch.randn(3, 5)).sum().backward()
    path = prof.export_chrome_trace(tmp_path / "trace.json")
    trace = json.loads(path.read_text())
    complete = [e for e in trace["traceEvents"] if e["ph"] == "X"]
    assert {e["name"] for e in complete} >= {"nn.Module: Linear", "relu", "relu_backward", "backward"}
    assert len(complete) == len(prof.events())
    for e in complete:
        assert e["ts"] >= 0 and e["dur"] >= 0 and isinstance(e["pid"], int) and isinstance(e["tid"], int)
    # nesting: any two complete events on one thread are disjoint or one holds the other
    # (an outer event and its first child may start on the same corrected microsecond)
    spans = sorted(((e["ts"], e["ts"] + e["dur"]) for e in complete), key=lambda s: (s[0], -s[1]))
    for i, (s1, e1) in enumerate(spans):
        for s2, e2 in spans[i + 1:]:
            assert e1 <= s2 + 1e-6 or e2 <= e1 + 1e-6, ((s1, e1), (s2, e2))
    counters = [e for e in trace["traceEvents"] if e["ph"] == "C"]
    assert counters and max(e["args"]["bytes"] for e in counters) == prof.memory.peak


def test_timer_and_median():
    with Timer() as t:
        sum(range(1000))
    assert t.elapsed > 0
    calls = []
    assert Timer.median(lambda: calls.append(1), repeats=3) >= 0 and len(calls) == 3
    with pytest.raises(ValueError, match="repeats must be an int"):
        Timer.median(lambda: None, repeats=0)


def test_roofline_and_amdahl():
    assert arithmetic_intensity(100, 50) == 2
    assert roofline(100, 100, peak_flops=10e9, bandwidth=1e9) == (1e9, "memory")
    assert roofline(1000, 10, peak_flops=10e9, bandwidth=1e9) == (10e9, "compute")
    assert amdahl_speedup(0.5, 2) == pytest.approx(4 / 3)
    assert amdahl_speedup(0.9, float("inf")) == pytest.approx(10)
    with pytest.raises(ValueError, match="fraction"):
        amdahl_speedup(1.5, 2)


def test_same_mlp_as_torch_profiler_same_kinds_and_flops():
    torch = pytest.importorskip("torch")
    tinytorch.manual_seed(0)
    model = nn.Sequential(nn.Linear(20, 16), nn.ReLU(), nn.Linear(16, 4))
    x = tinytorch.randn(8, 20)
    with profile() as prof:
        model(x).sum().backward()
    ours = {a.key: a for a in prof.key_averages()}
    tm = torch.nn.Sequential(torch.nn.Linear(20, 16), torch.nn.ReLU(), torch.nn.Linear(16, 4))
    with torch.profiler.profile(with_flops=True) as tp:
        tm(torch.tensor(x.data)).sum().backward()
    theirs = {a.key: a for a in tp.key_averages()}
    # the same kinds of ops: a product per layer, relu, sum, and a gradient rule for each
    assert {"aten::relu", "aten::sum", "aten::addmm"} <= set(theirs)
    assert {"relu", "sum", "relu_backward", "sum_backward"} <= set(ours)
    product = "linear" if "linear" in ours else "matmul"
    assert ours[product].count == theirs["aten::addmm"].count == 2
    # forward products: addmm's FLOPs; backward: the mm's of the gradient rules
    assert ours[product].flops == theirs["aten::addmm"].flops
    assert ours[f"{product}_backward"].flops == theirs["aten::mm"].flops


@pytest.mark.parametrize("groups", [1, 2])
def test_conv2d_of_module_09_is_counted_by_formula(groups):
    # groups=1 may run module 17's kernel ("conv2d_nhwc"), groups=2 module 09's "conv2d"
    tinytorch.manual_seed(0)
    conv = nn.Conv2d(4, 6, kernel_size=3, stride=2, padding=1, groups=groups)
    x = tinytorch.randn(2, 4, 9, 7, requires_grad=True)
    with profile() as prof:
        conv(x).sum().backward()
    convs = [e for e in prof.events() if e.key.startswith("conv2d")]
    forward = [e for e in convs if e.phase == "forward"]
    backward = [e for e in convs if e.key.endswith("_backward")]
    assert len(forward) == 1 and len(backward) == 1, [e.key for e in convs]
    out = (2, 6, 5, 4)  # (9 + 2 - 3) // 2 + 1, (7 + 2 - 3) // 2 + 1
    flops = 2 * math.prod(out) * (4 // groups) * 3 * 3
    assert forward[0].flops == flops and forward[0].input_shapes[:2] == [(2, 4, 9, 7), (6, 4 // groups, 3, 3)]
    assert backward[0].flops == 2 * flops  # gradients of the input and the weight
