"""Interleaved timing on a shared machine: every implementation runs in turn, round after round."""
import math
import statistics
import time
from dataclasses import dataclass


@dataclass
class Timing:
    """Per-call times of one implementation, one entry per round: wall clock and process CPU time."""

    wall: list
    cpu: list
    number: int  # calls per sample: each entry is a sample's time divided by this

    def summary(self):
        """median / min / max wall-clock seconds per call, the CPU-time median, the sample count."""
        return {"median_s": statistics.median(self.wall), "min_s": min(self.wall), "max_s": max(self.wall),
                "cpu_median_s": statistics.median(self.cpu), "samples": len(self.wall),
                "calls_per_sample": self.number}


def _sample(fn, number):
    """(wall, cpu) seconds per call over `number` calls of fn.

    Garbage collection stays on, unlike timeit: a framework that makes many Python objects pays
    for collecting them in real use, so that is part of its time.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(number):
        fn()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return wall / number, cpu / number


def calls_per_sample(fn, min_sample):
    """How many calls of fn make a sample of at least `min_sample` seconds (1 for a slow fn)."""
    wall, _ = _sample(fn, 1)
    if min_sample <= 0 or wall >= min_sample:
        return 1
    return min(1000, math.ceil(min_sample / max(wall, 1e-7)))


def interleave(fns, repeats, warmup, min_sample=0.0):
    """Time the zero-argument callables `fns` ({name: fn}) in interleaved rounds.

    Each round takes one sample of every implementation; the starting implementation rotates
    (A B C, B C A, C A B, ...), so a load that drifts over the run on a shared machine hits all of
    them alike and round r of one implementation can be paired with round r of another.
    The first `warmup` rounds are discarded. Returns {name: Timing} with `repeats` entries each.
    """
    names = list(fns)
    if not names:
        return {}
    numbers = {name: calls_per_sample(fns[name], min_sample) for name in names}
    samples = {name: ([], []) for name in names}
    for round_ in range(warmup + repeats):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            wall, cpu = _sample(fns[name], numbers[name])
            if round_ >= warmup:
                samples[name][0].append(wall)
                samples[name][1].append(cpu)
    return {name: Timing(wall, cpu, numbers[name]) for name, (wall, cpu) in samples.items()}


def paired_ratio(a, b):
    """Median over rounds of a's time / b's time in the same round (Timings from one interleave)."""
    return statistics.median(x / y for x, y in zip(a.wall, b.wall))
