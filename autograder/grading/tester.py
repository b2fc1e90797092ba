"""The test side of the grading child, kept apart from the notebook's reach (see runner.py).

runner.py compiles this file before any notebook code runs and, once the cells have run, its keeper
thread executes that code object in a fresh namespace whose builtins, `np`, `os`, `signal`,
`marshal`, `thread` and `mac` are references the runner took at start-up (see runner.py: the
notebook may have replaced anything in the modules, but not these). So nothing here imports or looks anything up in a module: every
name is one of those or defined below. runner.py also executes it into its own globals, which is
how the probe functions are reached from tests (tests/grader/test_grader.py).

Protocol of the test phases (phase 0: public cases, then phase 1: hidden ones): the grader sends one
frame, an 8-byte big-endian length and marshal data [(key, [[case key, rewritten source], ...])
for each phase]; each case then reports one line {"ev": "signed", "mac": HEX, "data": HEX} whose
data is the marshal of {"ev": "case", ...} and mac its HMAC-SHA256 under its phase's key, and each
phase ends with a signed {"ev": "done", "phase": N}. Only the keeper thread can read the frame.
"""

FULL_ARRAY = 10_000      # arrays up to this size are reported element by element
SAMPLE = 256             # larger ones as sums, extremes and an evenly spaced sample
MAX_STR = 2_000
MAX_ITEMS = 1_000        # list/tuple/dict items reported
MAX_DEPTH = 6
MAX_PROBES = 5_000       # per case



class Timeout(BaseException):
    """Raised by SIGALRM when a cell runs past its time limit (test cases: see run_phases)."""


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
    if kind == "c":  # real and imaginary parts interleaved
        flat = flat.astype(np.complex128).view(np.float64)
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


def _error(exc, filename, frames=True):
    """{type, message, line, module} of an exception, read defensively (it may be hostile).
    frames=False during the tests, where the sandbox refuses access to frames."""
    out = {"type": type(exc).__name__, "message": "", "line": None, "module": None}
    try:
        out["message"] = str(exc)[:MAX_STR]
    except BaseException:
        out["message"] = "(the exception's message could not be read)"
    if isinstance(exc, SyntaxError) and exc.filename == filename:
        out["line"] = exc.lineno
    tb = exc.__traceback__ if frames else None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            out["line"] = tb.tb_lineno
        tb = tb.tb_next
    if isinstance(exc, ImportError) and isinstance(getattr(exc, "name", None), str):
        out["module"] = exc.name
    return out


def _encoded(event):
    """marshal data of `event` (a case whose record cannot be encoded fails)."""
    try:
        return marshal.dumps(event)
    except (TypeError, ValueError):  # an unencodable probe: the case fails
        return marshal.dumps({"ev": "case", "key": event.get("key"), "probes": [],
                              "error": {"type": "ProbeError", "message": "a checked value could not be reported",
                                        "line": None, "module": None}})


def _signed(key, data, fd):
    """Write `data` (marshal data) as a line authenticated with `key`."""
    line = (b'{"ev": "signed", "mac": "' + mac(key, data, "sha256").hex().encode() + b'", "data": "'
            + data.hex().encode() + b'"}\n')
    while line:
        line = line[os.write(fd, line):]


def _case(namespace, case_key, source, seed, reseed, box, finished, ends):
    """One test case, in a worker thread of its own: no signal handler can be installed from it and
    nothing it calls can reach the keeper's thread, which holds the keys (runner.py). The case runs
    in a copy of the notebook's globals, as grader.check runs it (tinytorch/checks.py): names it
    defines do not reach the next cases. Leaves the case's record, as marshal data, in `box`."""
    if thread.sentinel is not None:
        ends.append(thread.sentinel())  # released once this thread is gone, its frames and finalizers too
    else:  # Python >= 3.13 has no sentinel: a lock released as the case returns (see _alone)
        done = thread.lock()
        done.acquire()
        ends.append(done)
    probes = []
    error = None
    try:
        code = compile(source, "<test>", "exec")
        env = dict(namespace, __builtins__=__builtins__)  # the test's builtins: the pristine ones
        env.update(probes_for(probes))
        reseed(seed, namespace)
        exec(code, env)
    except BaseException as exc:
        error = _error(exc, "<test>", frames=False)
    try:
        box.append(_encoded({"ev": "case", "key": case_key, "error": error, "probes": probes}))
    finally:
        if thread.sentinel is None:
            done.release()
        finished.release()


def _alone(ends, timeout, others=1):
    """Wait for the workers that ran (their `ends`), then True iff exactly `others` threads besides
    the main one run Python (the caller's own included), waiting up to `timeout` for the count to
    drop to that: a worker's end comes just before its thread is gone (without sentinels, Python
    >= 3.13: a lock it releases as it returns)."""
    deadline = thread.clock() + timeout
    for end in ends:
        if not end.acquire(True, timeout):
            return False
    ends.clear()
    tick = thread.lock()
    tick.acquire()
    while thread.count() != others and thread.clock() < deadline:
        tick.acquire(True, 0.001)  # never released: a one-millisecond wait
    return thread.count() == others


def _stop(fd, phase):
    os.write(fd, b'{"ev": "stopped", "phase": %d}\n' % phase)


def run_phases(namespace, message, result_fd, seed, case_timeout, reseed):
    """The test phases, in the keeper's thread (runner.py), from the grader's frame `message`:
    marshal data of [(key, [[case key, rewritten source], ...]) for the public phase, then the
    hidden one]. Runs every case in a worker thread and signs what the worker left. A case past
    the time limit is reported as such and ends its phase (its worker cannot be stopped). The
    hidden phase runs only once the public one is signed and no code of the notebook runs."""
    ends = []
    phases = marshal.loads(message)
    for phase in (0, 1):
        key, cases = phases[phase]
        for case_key, source in cases:
            box, finished = [], thread.lock()
            finished.acquire()
            thread.start(_case, (namespace, case_key, source, seed, reseed, box, finished, ends))
            in_time = finished.acquire(True, case_timeout)
            if in_time and box:
                _signed(key, box[0], result_fd)
                continue
            kind, text = ("Timeout", f"stopped after {case_timeout:g} s") if not in_time else \
                ("ProbeError", "the test's record could not be reported")
            _signed(key, _encoded({"ev": "case", "key": case_key, "probes": [], "error": {
                "type": kind, "message": text, "line": None, "module": None}}), result_fd)
            if not in_time:
                break
        if phase == 0 and not _alone(ends, case_timeout):
            _stop(result_fd, 1)
            return
        _signed(key, _encoded({"ev": "done", "phase": phase}), result_fd)
