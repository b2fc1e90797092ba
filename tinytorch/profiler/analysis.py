# Generated from notebooks/masters/14_profiling.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.profiler.analysis: measuring by hand and reasoning about a profile: a timer
that takes the median of repeats, the roofline bound of an op, and Amdahl's law."""

import statistics
import time


class Timer:
    """`with Timer() as t: ...` measures the block: t.elapsed is its wall time in
    seconds.

    Timer.median(fn, repeats=...) calls fn that many times and returns the median of the
    times (seconds): robust to the odd slow repeat that a mean would absorb."""

    def __enter__(self):
        self.elapsed = None
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc_info):
        self.elapsed = time.perf_counter() - self._start
        return False

    @staticmethod
    def median(fn, repeats=5):
        if not isinstance(repeats, int) or repeats < 1:
            raise ValueError(
                f"Timer.median: repeats must be an int >= 1, got {repeats!r}"
            )
        times = []
        for _ in range(repeats):
            with Timer() as run:
                fn()
            times.append(run.elapsed)
        return statistics.median(times)


def arithmetic_intensity(flops, bytes_moved):
    """FLOPs per byte of memory traffic."""
    if bytes_moved <= 0:
        raise ValueError(
            f"arithmetic_intensity: bytes_moved must be > 0, got {bytes_moved}"
        )
    return flops / bytes_moved


def roofline(flops, bytes_moved, peak_flops, bandwidth):
    """The roofline model of one op: (attainable FLOP/s, "compute" or "memory").

    attainable = min(peak_flops, intensity · bandwidth); the op is memory-bound when the
    bandwidth term is the smaller one. peak_flops in FLOP/s, bandwidth in bytes/s."""
    intensity = arithmetic_intensity(flops, bytes_moved)
    memory_roof = intensity * bandwidth
    if memory_roof < peak_flops:
        return memory_roof, "memory"
    return peak_flops, "compute"


def amdahl_speedup(fraction, factor):
    """Overall speed-up when a part taking `fraction` of the time (0..1) runs `factor`
    times faster and the rest is unchanged: 1 / ((1 - fraction) + fraction / factor)."""
    if not 0 <= fraction <= 1:
        raise ValueError(f"amdahl_speedup: fraction must be in [0, 1], got {fraction}")
    if factor <= 0:
        raise ValueError(f"amdahl_speedup: factor must be > 0, got {factor}")
    return 1 / ((1 - fraction) + fraction / factor)
