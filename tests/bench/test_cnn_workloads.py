"""The convolution workloads (benchmarks/cnn.py) at tiny size: tinytorch, PyTorch and the hand-written
NumPy reference compute the same training steps and the same Conv2d gradients, and the report
states the im2col memory. No timed assertions."""
import re

import numpy as np
import pytest

from benchmarks import cnn, report, run
from benchmarks.machine import optional_torch
from benchmarks.workloads import WORKLOADS


def _values(value):
    return run._values(value)


def test_the_cnn_step_implementations_train_alike_for_several_steps():
    case = WORKLOADS["cnn_step"].build(True)
    expected = {"tinytorch", "numpy"} | ({"torch"} if optional_torch() else set())
    assert set(case.impls) == expected
    losses = {name: [float(fn()) for _ in range(4)] for name, fn in case.impls.items()}
    for name, values in losses.items():  # the same initial weights and Adam updates: the same losses
        np.testing.assert_allclose(values, losses["numpy"], rtol=2e-4, err_msg=name)
    assert losses["numpy"][-1] < losses["numpy"][0], "four Adam steps on one batch lower its loss"
    assert "Adam" in case.label and "batch 8" in case.label


def test_the_flop_count_is_the_gemm_work_of_a_step():
    weights = cnn._cnn_weights(quick=False)
    # conv1 27·32 and conv2 288·64 per pixel, fc 4096·128 + 128·10, for 64 images; forward, weight
    # gradients, and input gradients except the first layer's
    forward = 64 * (32 * 32 * 27 * 32 + 16 * 16 * 288 * 64 + 4096 * 128 + 128 * 10)
    input_grads = 64 * (16 * 16 * 288 * 64 + 4096 * 128 + 128 * 10)
    assert cnn.cnn_flops(weights, 64) == 2.0 * (2 * forward + input_grads)


@pytest.mark.parametrize("name", ["conv2d_64_56", "conv2d_128_28"])
def test_conv_alone_agrees_and_reports_im2col_memory(name):
    case = WORKLOADS[name].build(True)
    grads = {impl: _values(fn()) for impl, fn in case.impls.items()}
    for impl, grad in grads.items():
        np.testing.assert_allclose(grad, grads["numpy"], rtol=1e-3, atol=1e-3, err_msg=impl)
    note, = case.notes
    assert re.search(r"its im2col matrix is [\d,]+×\d+ float32 = [\d.]+ MiB, 9× the input's", note), note
    assert re.search(r"peak traced memory over one forward \+ backward: [\d.]+ MiB", note), note


def test_the_report_has_the_cnn_target():
    assert ("cnn_step", "ratio", 1.3, "CNN training step ≤ 1.3× PyTorch") in report.TARGETS
