"""The kernel table: the one extension point through which tinytorch gets faster.

The code each module teaches is the code the package runs. Speed tricks that the course has
not taught (fused ops, buffer reuse, memory-layout choices) live in `tinytorch.accel`, and each
is registered here as a faster, equal replacement of one plain function:

    @replaces(adam_update)            # in tinytorch/accel/
    def fused_adam_update(...): ...

A caller that may use a fast version asks for it by the plain function, and gets the plain
function back when there is none:

    kernel(adam_update)(p.data, p.grad.data, state, **options)

The table is keyed by the function object itself, so a function written in a student's notebook
(a different object) always runs as written. `plain()` switches every replacement off for a
block (tests compare the two paths with it). Module 17 (Acceleration) teaches this layer.
"""
from contextlib import contextmanager

_FAST = {}        # plain function -> its registered replacement
_enabled = True


def replaces(plain):
    """Decorator: register the decorated function as the fast version of `plain`."""
    def register(fast):
        _FAST[plain] = fast
        return fast
    return register


def kernel(plain):
    """The registered fast version of `plain`, or `plain` itself (none registered, or plain())."""
    return _FAST.get(plain, plain) if _enabled else plain


def registered():
    """{plain function: fast version} for every registered kernel (a copy)."""
    return dict(_FAST)


@contextmanager
def plain():
    """`with plain():` runs a block on the plain, taught code only."""
    global _enabled
    previous, _enabled = _enabled, False
    try:
        yield
    finally:
        _enabled = previous
