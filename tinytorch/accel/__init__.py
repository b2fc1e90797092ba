"""tinytorch.accel: the speed layer. Module 17 (Acceleration) teaches it.

Every module teaches plain code, and that plain code is what the package runs, except where a
caller asks `tinytorch.kernels.kernel(plain_function)` and this package has registered a faster
replacement with `@replaces(plain_function)`. Each replacement gives the same values and gradients
as the plain function (tests/unit/accel/test_kernels.py compares the two paths, with
`tinytorch.kernels.plain()` switching the replacements off) and falls back to it for any call
it does not handle. `import tinytorch` imports this package last, so the shipped package is fast
by default; a function written in a notebook is never replaced.

The kernels and what each saves. Medians, float32, 1 BLAS thread, measured against the plain path
(kernels.plain()) in the same process, on a 2-core Xeon shared with other jobs (load 1.2):

- arithmetic.fast_arithmetic replaces tensor._arithmetic (module 01), called by add, sub, mul, div
  and pow: a float tensor with a Python number, or two float tensors of one dtype, go straight to
  NumPy (the number as a 0-d array of the tensor's dtype, kept per value) without the general
  promotion, conversion and shape checks. A chain of 1000 ops on a one-element tensor, forward +
  backward: 35-40% less time per op (the benchmark's tiny-op chain: 3.9 µs instead of 5.7 µs).
- linear.fused_linear replaces layers.linear (module 03), called by nn.Linear: one recorded op
  "linear" instead of three (.T, @, +), the product computed as (W xᵀ)ᵀ (OpenBLAS's faster
  order) and written out row-major while the bias is added, one gradient rule with the weight
  gradient made row-major. Forward + backward of a Linear: 64×784→256 0.63 ms vs 0.71 ms (−10%),
  64×256→128 −12%, 64×128→10 −31%, 16×784→256 −30%, a (8, 32, 256) input →256 −27%.
- losses.fused_cross_entropy replaces losses.cross_entropy (module 04), called by
  nn.CrossEntropyLoss, for class indices with (N, C) logits and no weight, ignored target or
  label smoothing: one op "softmax_cross_entropy" whose rule is softmax − one_hot made in place,
  instead of the general rule's (N, C) coefficient matrix. Forward + backward: 64×10 31 µs vs
  60 µs (−49%), 256×1000 0.37 ms vs 2.7 ms (−86%).
- optim.scratch_adam_update / scratch_rmsprop_update replace optimizers.adam_update /
  rmsprop_update (module 07), called by Adam, AdamW and RMSprop: one scratch array for every
  intermediate result. A step over the 784-256-128-10 MLP's 235,146 parameters: Adam 0.37 ms vs
  0.39 ms (−5%), AdamW with AMSGrad −7%, RMSprop −12%; peak temporary memory 0.80 MB instead of
  2.41 MB (Adam) and 1.61 MB (RMSprop).
- spatial.fast_conv2d, fast_max_pool2d and fast_batch_norm replace spatial.conv2d, pooling.max_pool2d
  and batchnorm.batch_norm (module 09), called by nn.Conv2d, nn.MaxPool2d and nn.BatchNorm2d:
  activations kept channels-last between layers (a conv's output is the (N, C, H, W) view of an
  (N, H, W, C) array), the input gradient of a conv as one GEMM per kernel offset added into the
  padded gradient (col2im fused), max-pool recording the winning offset of each window, batch norm
  as an (N·H·W, C) matrix. Forward + backward (load about 6, CPU time): conv 32→64 3×3 at 16×16,
  batch 64, −16%; 2×2 max-pool −53%; batch norm −33% (figures in the module's docstring).

Together, on the benchmark's MLP training step (batch 64, SGD): 0.94 ms vs 1.37 ms on the plain path.
"""
from tinytorch.accel import arithmetic, linear, losses, optim, spatial  # noqa: F401  (importing registers the kernels)
