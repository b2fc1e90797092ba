# Generated from notebooks/masters/14_profiling.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.profiler.flops: what one op costs by formula, from its name and its inputs'
shapes: floating-point operations (FLOPs) and bytes read and written."""

import math

import numpy as np

# ops that only relabel memory (a view, a copy of the layout) and do no arithmetic
NO_ARITHMETIC = {
    "reshape",
    "view",
    "transpose",
    "permute",
    "getitem",
    "expand",
    "squeeze",
    "unsqueeze",
    "flatten",
    "detach",
    "to",
    "to_tensor",
    "tensor",
    "cat",
    "stack",
    "clone",
    "contiguous",
}
# ops whose work grows with their input, not their (smaller) output
REDUCTIONS = {
    "sum",
    "mean",
    "max",
    "min",
    "amax",
    "amin",
    "var",
    "std",
    "norm",
    "cumsum",
    "softmax",
    "log_softmax",
    "softmax_cross_entropy",
    "mse_loss",
    "l1_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
}


def matmul_flops(a_shape, b_shape):
    """FLOPs of a @ b: one multiply and one add per term of every dot product, 2·M·K·N
    for (M, K) @ (K, N), times the batch dims (broadcast). A 1-D operand counts as one
    row/column."""
    if len(a_shape) == 0 or len(b_shape) == 0:
        raise ValueError(
            f"matmul_flops: both operands need at least 1 dim, got shapes "
            f"{tuple(a_shape)} and {tuple(b_shape)}"
        )
    m = a_shape[-2] if len(a_shape) > 1 else 1
    k = a_shape[-1]
    n = b_shape[-1] if len(b_shape) > 1 else 1
    batch = math.prod(np.broadcast_shapes(tuple(a_shape[:-2]), tuple(b_shape[:-2])))
    return 2 * batch * m * k * n


def linear_flops(input_shape, weight_shape):
    """FLOPs of linear(x, W, b) = x Wᵀ + b with x (*, in) and W (out, in): the product's
    2·N·in·out, N the product of x's leading dims (the bias add is not counted, as
    PyTorch's addmm does not)."""
    rows = math.prod(input_shape[:-1])
    return 2 * rows * weight_shape[1] * weight_shape[0]


def conv_flops(input_shape, weight_shape, output_shape):
    """FLOPs of a convolution: 2·(Cin/groups)·kh·kw per output element."""
    return 2 * math.prod(output_shape) * math.prod(weight_shape[1:])


def op_cost(op, input_shapes, input_bytes, output_shape, output_bytes):
    """(flops, bytes_read, bytes_written) of one forward op, by formula.

    matmul, linear and convolutions by their formulas; ops that only move or relabel
    memory 0 FLOPs; reductions and losses one per input element; any other op
    (elementwise) one per output element. A view writes nothing: output_bytes is 0 for
    it."""
    if op == "matmul":
        flops = matmul_flops(input_shapes[0], input_shapes[1])
    elif op == "linear":
        flops = linear_flops(input_shapes[0], input_shapes[1])
    elif op.startswith("conv"):
        flops = conv_flops(input_shapes[0], input_shapes[1], output_shape)
    elif op in NO_ARITHMETIC:
        flops = 0
    elif op in REDUCTIONS:
        flops = max((math.prod(s) for s in input_shapes), default=0)
    else:
        flops = math.prod(output_shape)
    return flops, sum(input_bytes), output_bytes


def backward_flops(op, forward_flops, input_shapes, output_shape, needs_grad):
    """FLOPs of an op's gradient rule. needs_grad: one bool per input. matmul, linear
    and convolutions: one product as large as the forward per operand (the first two
    inputs) that needs a gradient; reductions one per input element, other ops one per
    output element, per input that needs a gradient."""
    if op == "matmul" or op == "linear" or op.startswith("conv"):
        return forward_flops * sum(bool(n) for n in needs_grad[:2])
    if op in NO_ARITHMETIC:
        return 0
    size = (
        max((math.prod(s) for s in input_shapes), default=0)
        if op in REDUCTIONS
        else math.prod(output_shape)
    )
    return size * sum(bool(n) for n in needs_grad)
