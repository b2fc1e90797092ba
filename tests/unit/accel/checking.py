"""What the kernel tests share: the record of which plain functions a test compares with their
kernel, and running a computation on both paths."""
import numpy as np

from tinytorch import kernels

CHECKED = {}  # plain function -> the tests that compare its kernel with it


def checks(plain):
    """Mark a test as comparing kernel(plain) with plain."""
    def mark(test):
        CHECKED.setdefault(plain, []).append(test.__name__)
        return test
    return mark


def both_paths(fn):
    """fn() with the kernels on, then with them off (kernels.plain()): (fast result, plain result)."""
    fast = fn()
    with kernels.plain():
        slow = fn()
    return fast, slow


def tolerance(dtype):
    return dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)
