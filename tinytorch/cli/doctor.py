"""`tinytorch doctor`: what this machine has for the course, and how to install what is missing."""
import os
import platform
import sys

from . import course, needs, workspace

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def blas_lines():
    if not needs.installed("threadpoolctl"):
        return [f"BLAS: unknown (threadpoolctl is not installed: pip install "
                f"{needs.student_pins().get('threadpoolctl', 'threadpoolctl')} to see it)"]
    from threadpoolctl import threadpool_info
    pools = threadpool_info()
    if not pools:
        return ["BLAS: no thread pools found (NumPy not loaded?)"]
    return [f"BLAS: {p.get('internal_api')} {p.get('version') or ''} ({p.get('user_api')}), "
            f"{p.get('num_threads')} threads, {p.get('filepath')}" for p in pools]


def report(ws):
    """(lines, missing distributions)."""
    import numpy as np

    import tinytorch
    lines = [f"python {platform.python_version()} ({sys.executable}) on {platform.platform()}",
             f"tinytorch {needs.version('tinytorch') or '(not installed)'} at {os.path.dirname(tinytorch.__file__)}",
             f"numpy {np.__version__}"]
    lines += blas_lines()
    lines.append("thread settings: " + ", ".join(f"{v}={os.environ.get(v, 'unset')}" for v in THREAD_VARIABLES)
                 + f"; {os.cpu_count()} CPUs")
    try:
        root = course.course_root()
        mods = course.modules(root)
        lines.append(f"course: {root} ({sum(m.published for m in mods)} of {len(mods)} modules published)")
    except course.Problem as e:
        lines.append(f"course: NOT FOUND: {e}")
    lines.append(f"workspace: {ws}" + ("" if ws.is_dir() else " (not created yet: `tinytorch start 01` creates it)"))
    missing = []
    for imports, purpose in ((needs.RUN_NOTEBOOKS, "check, export, milestone"),
                             ({"jupyterlab": "jupyterlab"}, "working in notebooks"),
                             ({"threadpoolctl": "threadpoolctl"}, "seeing BLAS threads")):
        for name, dist in imports.items():
            have = needs.version(dist) if needs.installed(name) else None
            lines.append(f"  {dist:<14} {have or 'MISSING'}  (for {purpose})")
            if not have:
                missing.append(dist)
    if missing:
        lines.append(f"missing: {', '.join(missing)}. Install: {needs.install_hint(missing)}")
    else:
        lines.append("nothing missing")
    return lines, missing


def command(args):
    lines, missing = report(workspace.resolve(args.workspace))
    print("\n".join(lines))
    return 1 if missing else 0
