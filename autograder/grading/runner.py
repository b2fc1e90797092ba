"""The grading child: run one notebook's code cells, then the test cases it is sent, and report.

The batch grader (autograder/grading/batch.py) starts this file as `python -s runner.py RESULT_FD`
inside the sandbox (autograder/grading/sandbox.py), copied into a support folder next to the
tinytorch package the notebook may import and to lockdown.py, the sandbox's inside, which it
applies first. It must stay self-contained (stdlib + NumPy + lockdown.py): the course repository
is neither importable nor visible from here.

Protocol (one JSON document per line):
  stdin, first line   the job: notebook cells, seed, time limits, resource limits, paths to hide
  RESULT_FD           {"ev": "cell", ...} per cell, then {"ev": "ready"}
  stdin, second line  the test cases, rewritten by autograder/grading/probe.py (sent only now: they are
                      never on disk and never in this process while the notebook's cells run)
  RESULT_FD           {"ev": "case", ...} per case, then {"ev": "done"}

Nothing this process reports is trusted: the parent compares the probes of each case (the
values the case's asserts read) with those of the reference run. This file only has to behave
identically for the reference solution and for a submission.
"""
import json
import os
import random
import re
import signal
import sys
import time
import types

np = None  # NumPy is imported once the sandbox is set up (creating a user namespace needs one thread)

FULL_ARRAY = 10_000      # arrays up to this size are reported element by element
SAMPLE = 256             # larger ones as sums, extremes and an evenly spaced sample
MAX_STR = 2_000
MAX_ITEMS = 1_000        # list/tuple/dict items reported
MAX_DEPTH = 6
MAX_PROBES = 5_000       # per case
MAGIC = re.compile(r"^(\s*)([%!].*)$", re.MULTILINE)


class Timeout(BaseException):
    """Raised by SIGALRM when a cell or a test case runs past its time limit."""


def _on_alarm(signum, frame):
    raise Timeout()


# ---------------------------------------------------------------- canonical encoding of values

def _array(a):
    """[kind, shape, values (or a summary of a large array), dtype]."""
    kind, shape, dtype = a.dtype.kind, list(a.shape), str(a.dtype)
    if kind not in "biufcUS":
        return [kind, shape, None, dtype]
    flat = a.ravel()
    if kind in "US":
        return [kind, shape, [str(x)[:MAX_STR] for x in flat[:MAX_ITEMS].tolist()], dtype]
    if kind == "c":
        flat = np.stack([flat.real, flat.imag], axis=-1).ravel()
    if flat.size <= FULL_ARRAY:
        return [kind, shape, flat.astype(np.float64).tolist() if kind in "fc" else flat.tolist(), dtype]
    f64 = flat.astype(np.float64)
    step = max(1, f64.size // SAMPLE)
    return [kind, shape, {"n": int(f64.size), "sum": float(f64.sum()), "abs": float(np.abs(f64).sum()),
                          "min": float(f64.min()), "max": float(f64.max()),
                          "sample": f64[::step][:SAMPLE].tolist()}, dtype]


def encode(value, depth=0):
    """A JSON-able canonical form of a probed value (compared in autograder/grading/probe.py)."""
    if value is None:
        return ["none"]
    if isinstance(value, (bool, np.bool_)):
        return ["b", bool(value)]
    if isinstance(value, (int, np.integer)):
        return ["i", int(value)] + ([str(value.dtype)] if isinstance(value, np.integer) else [])
    if isinstance(value, (float, np.floating)):
        return ["f", float(value)] + ([str(value.dtype)] if isinstance(value, np.floating) else [])
    if isinstance(value, (complex, np.complexfloating)):
        return ["c", float(value.real), float(value.imag)]
    if isinstance(value, str):
        return ["s", value[:MAX_STR]]
    if isinstance(value, bytes):
        return ["y", value[:MAX_STR].hex()]
    if isinstance(value, np.ndarray):
        return ["a"] + _array(value)
    if isinstance(value, np.dtype):
        return ["dt", str(value)]
    if isinstance(value, type) and issubclass(value, np.generic):
        return ["dt", str(np.dtype(value))]
    if isinstance(value, BaseException):
        return ["e", type(value).__name__, [c.__name__ for c in type(value).__mro__]]
    if depth < MAX_DEPTH and isinstance(value, (tuple, list)):
        tag = "t" if isinstance(value, tuple) else "l"
        return [tag, len(value), [encode(v, depth + 1) for v in list(value)[:MAX_ITEMS]]]
    if depth < MAX_DEPTH and isinstance(value, dict):
        items = list(value.items())[:MAX_ITEMS]
        return ["d", len(value), [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in items]]
    if not isinstance(value, (type, types.ModuleType, types.FunctionType)):
        data = getattr(value, "data", None)
        if isinstance(data, np.ndarray):
            return ["T", type(value).__name__] + _array(data)
    return ["o", type(value).__name__]


OPS = {"Eq": lambda a, b: a == b, "NotEq": lambda a, b: a != b, "Lt": lambda a, b: a < b,
       "LtE": lambda a, b: a <= b, "Gt": lambda a, b: a > b, "GtE": lambda a, b: a >= b,
       "Is": lambda a, b: a is b, "IsNot": lambda a, b: a is not b,
       "In": lambda a, b: a in b, "NotIn": lambda a, b: a not in b}


def probes_for(probes):
    """The functions a rewritten test case calls (see autograder/grading/probe.py), recording into `probes`."""
    def record(site, entry):
        if len(probes) < MAX_PROBES:
            probes.append([site, entry])

    def probe(site, value):
        record(site, encode(value))
        return value

    def check(site, value):
        truth = bool(value)
        record(site, ["b", truth])
        return truth

    def compare(site, ops, *thunks):
        left = thunks[0]()
        operands, results = [encode(left)], []
        for op, thunk in zip(ops, thunks[1:]):
            right = thunk()
            operands.append(encode(right))
            result = OPS[op](left, right)
            results.append(encode(result))
            if len(ops) > 1 and not result:  # a chain stops at its first false link, as in Python
                break
            left = right
        record(site, {"o": operands, "r": results})
        return result

    def call(site, fn, args, kwargs):
        result = fn(*args, **kwargs)
        record(site, {"a": [encode(a) for a in args], "k": {k: encode(v) for k, v in kwargs.items()},
                      "r": encode(result)})
        return result

    def shallow(site, fn, args):
        result = fn(*args)
        record(site, ["w", encode(result), [type(a).__name__ for a in args]])
        return result

    return {"__tt_probe__": probe, "__tt_check__": check, "__tt_cmp__": compare, "__tt_call__": call,
            "__tt_shallow__": shallow}


# ---------------------------------------------------------------- running the notebook

def _otter_stub():
    """`import otter; grader = otter.Notebook(...); grader.check("q1")` cost nothing and do nothing."""
    otter = types.ModuleType("otter")

    class Notebook:
        def __init__(self, *args, **kwargs):
            pass

        def __getattr__(self, name):
            return lambda *args, **kwargs: None

    otter.Notebook = Notebook
    return otter


def _display(*objs, **kwargs):
    for obj in objs:
        print(repr(obj))


def _error(exc, filename):
    """{type, message, line, module} of an exception, read defensively (it may be hostile)."""
    out = {"type": type(exc).__name__, "message": "", "line": None, "module": None}
    try:
        out["message"] = str(exc)[:MAX_STR]
    except BaseException:
        out["message"] = "(the exception's message could not be read)"
    if isinstance(exc, SyntaxError) and exc.filename == filename:
        out["line"] = exc.lineno
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            out["line"] = tb.tb_lineno
        tb = tb.tb_next
    if isinstance(exc, ImportError) and isinstance(getattr(exc, "name", None), str):
        out["module"] = exc.name
    return out


def _compile(source, filename):
    """Compile a cell as Jupyter would: top-level `await` allowed, IPython magics dropped."""
    flags = 0x2000  # ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    try:
        return compile(source, filename, "exec", flags=flags)
    except SyntaxError:
        if not MAGIC.search(source):
            raise
    # IPython magics and shell escapes (%time, !pip …) mean nothing here: drop them and retry
    return compile(MAGIC.sub(r"\1pass  # \2", source), filename, "exec", flags=flags)


def _run(code, namespace):
    if code.co_flags & 0x80:  # CO_COROUTINE: the cell awaits at top level
        import asyncio
        asyncio.run(eval(code, namespace))
    else:
        exec(code, namespace)


def _reseed(seed, namespace):
    np.random.seed(seed)
    random.seed(seed)
    tt = sys.modules.get("tinytorch")
    for fn in (getattr(tt, "manual_seed", None), namespace.get("manual_seed")):
        if callable(fn):
            try:
                fn(seed)
            except Exception:
                pass


class Channel:
    def __init__(self, fd):
        self.fd = fd

    def send(self, event):
        data = (json.dumps(event, allow_nan=True) + "\n").encode()
        while data:
            data = data[os.write(self.fd, data):]


def _read_line(fd):
    chunks = []
    while True:
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            break
        chunks.append(chunk)
        if chunk.endswith(b"\n"):
            break
    return b"".join(chunks)


def _timed(seconds, fn):
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def main(result_fd):
    from lockdown import hide_paths, is_hidden, set_limits  # copied next to this file
    job = json.loads(_read_line(0))
    channel = Channel(result_fd)
    writable = []
    if job["isolate"]:
        writable = hide_paths(job["hide"], job["keep"], job["workdir"], job["work_size"])
    global np
    import numpy as np
    os.chdir(job["workdir"])
    with open(job["notebook_name"], "w", encoding="utf-8") as f:
        f.write(job["notebook_text"])
    set_limits(job["limits"])
    channel.send({"ev": "sandbox", "writable": writable})

    # Only the package copy next to this file provides tinytorch (no editable-install finders).
    sys.path[:] = [job["support"]] + [p for p in sys.path if p and p != job["support"]
                                      and not is_hidden(os.path.abspath(p), job["hide"], job["keep"])]
    sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in getattr(f, "__name__", "").lower()
                        and "editable" not in type(f).__name__.lower()]
    sys.modules["otter"] = _otter_stub()

    # Keep the protocol's input away from the notebook: fd 0 becomes /dev/null for its code.
    tests_fd = os.dup(0)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)

    module = types.ModuleType("__main__")
    module.__dict__["display"] = _display
    sys.modules["__main__"] = module
    namespace = module.__dict__
    cells, seed = job["cells"], job["seed"]
    cell_timeout, case_timeout = job["cell_timeout"], job["case_timeout"]
    del job
    signal.signal(signal.SIGALRM, _on_alarm)

    main_pid = os.getpid()  # a process the notebook forked must not carry on as the runner
    _reseed(seed, namespace)
    for index, source in cells:
        filename = f"<cell {index}>"
        channel.send({"ev": "start", "cell": index})
        began = time.perf_counter()
        error = None
        try:
            code = _compile(source, filename)
            _timed(cell_timeout, lambda: _run(code, namespace))
        except Timeout:
            error = {"type": "Timeout", "message": f"stopped after {cell_timeout:g} s", "line": None,
                     "module": None}
        except BaseException as exc:  # SystemExit and KeyboardInterrupt included
            error = _error(exc, filename)
        if os.getpid() != main_pid:
            os._exit(0)
        signal.setitimer(signal.ITIMER_REAL, 0)
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:
            pass
        channel.send({"ev": "cell", "cell": index, "error": error, "seconds": round(time.perf_counter() - began, 3)})

    channel.send({"ev": "ready"})
    tests = json.loads(_read_line(tests_fd))
    os.close(tests_fd)
    for case in tests["cases"]:
        probes = []
        namespace.update(probes_for(probes))
        error = None
        try:
            code = compile(case["code"], "<test>", "exec")
            _timed(case_timeout, lambda: (_reseed(seed, namespace), exec(code, namespace)))
        except Timeout:
            error = {"type": "Timeout", "message": f"stopped after {case_timeout:g} s", "line": None,
                     "module": None}
        except BaseException as exc:
            error = _error(exc, "<test>")
        if os.getpid() != main_pid:
            os._exit(0)
        signal.setitimer(signal.ITIMER_REAL, 0)
        try:
            channel.send({"ev": "case", "key": case["key"], "error": error, "probes": probes})
        except (TypeError, ValueError):  # an unencodable probe: report the case as failed
            channel.send({"ev": "case", "key": case["key"], "probes": [],
                          "error": {"type": "ProbeError", "message": "a checked value could not be reported",
                                    "line": None, "module": None}})
    channel.send({"ev": "done"})


if __name__ == "__main__":
    status = 0
    try:
        main(int(sys.argv[1]))
    except BaseException:
        import traceback
        traceback.print_exc()
        status = 70
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(status)  # skip atexit handlers and finalizers the notebook may have registered
