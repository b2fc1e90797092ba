"""What a result was measured on: CPU, BLAS libraries and their threads, versions, load."""
import contextlib
import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

ROOT = Path(__file__).resolve().parent.parent
_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def optional_torch():
    """The torch module, or None when PyTorch is not installed (it is an optional baseline)."""
    try:
        import torch
    except ImportError:
        return None
    return torch


def _cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib():
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return None


def _git_commit():
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return (head + ("+uncommitted changes" if dirty else "")) or None


def _torch_build(torch):
    """PyTorch's BLAS (BLAS_INFO from its build settings) and the SIMD level it dispatches to."""
    if torch is None:
        return None
    config = torch.__config__.show()
    blas = config.split("BLAS_INFO=", 1)[1].split(",", 1)[0] if "BLAS_INFO=" in config else None
    return {"blas": blas, "cpu_capability": torch.backends.cpu.get_cpu_capability(),
            "default_threads": torch.get_num_threads()}


def load_average():
    """The 1-, 5- and 15-minute load averages (runnable processes), or None where unavailable."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def machine_info():
    """A JSON-ready description of this machine and software, threadpoolctl's BLAS report included."""
    import tinytorch
    torch = optional_torch()
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpu": _cpu_model(),
        "logical_cpus": os.cpu_count(),
        "cpus_available": affinity,
        "memory_gib": _memory_gib(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "torch": torch.__version__ if torch else None,
        "torch_build": _torch_build(torch),
        "tinytorch": tinytorch.__version__,
        "git_commit": _git_commit(),
        "env": {name: os.environ.get(name) for name in _ENV},
        "threadpools": threadpool_info(),  # after importing torch, so its OpenMP runtime is listed too
    }


@contextlib.contextmanager
def thread_mode(mode):
    """Run the block with 1 thread everywhere (mode "1") or with the libraries' defaults ("default").

    "1" limits every BLAS and OpenMP pool that threadpoolctl finds (NumPy's OpenBLAS, torch's
    OpenMP) and calls torch.set_num_threads(1). Yields what was in force, for the results.
    """
    torch = optional_torch()
    previous = torch.get_num_threads() if torch else None
    limits = threadpool_limits(limits=1) if mode == "1" else contextlib.nullcontext()
    with limits:
        if torch and mode == "1":
            torch.set_num_threads(1)
        try:
            yield {"threads": mode,
                   "blas_threads": {p["prefix"]: p["num_threads"] for p in threadpool_info()},
                   "torch_threads": torch.get_num_threads() if torch else None}
        finally:
            if torch:
                torch.set_num_threads(previous)
