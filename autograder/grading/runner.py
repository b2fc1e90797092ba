"""The grading child: run one notebook's code cells, then the test cases it is sent, and report.

The batch grader (autograder/grading/batch.py) starts this file as `python -s runner.py RESULT_FD`
inside the sandbox (autograder/grading/sandbox.py), copied into a support folder next to the
tinytorch package the notebook may import, tester.py (the test side) and lockdown.py (the inside of
the unshare-mode sandbox). It must stay self-contained (stdlib + NumPy + those files).

Protocol:
  stdin, first line   the job (JSON): notebook cells, seed, time limits, resource limits (stdin is
                      a socket: /proc cannot reopen it)
  RESULT_FD           {"ev": "sandbox"}, {"ev": "cell", ...} per cell, then {"ev": "ready"}
  stdin, then         one frame: the public and the hidden cases, each phase with its own key (see
                      tester.py); each case's result line is authenticated with its phase's key;
                      {"ev": "stopped"} when a phase could not be run safely

Threat model. A submission earns exactly what its own code earns on the tests as written: no code
in a notebook can raise that, read a hidden test, or read anything on the host beyond what the
course publishes. The notebook's code runs in this process, so:
  - the tests and keys reach only the keeper (_keeper), a thread started before any notebook code
    with a file table of its own: the grader's input is closed in the table the notebook's code
    runs with, so a notebook that imitates the whole protocol (every cell's report, "ready") gets
    the tests sent, but nothing can read them except the keeper (woken at the end of the cells: a
    notebook that wakes it early only has its tests run early). The keeper reads them without
    allocating (no finalizer of the notebook runs in its thread meanwhile), closes the input, and
    no code may see its frames;
  - before any notebook code runs, this file takes references to what the test side needs (the
    builtins, marshal, os.read/os.write, HMAC, NumPy's types) and compiles tester.py; the keeper
    runs tester.py in a fresh namespace built from those references (patching json, builtins,
    modules or this file's globals changes nothing);
  - an audit hook (_guard_for) refuses what would reach past that: other audit hooks, tracing,
    ctypes, other threads' frames, rewriting the code or defaults of this file's functions; during
    the tests also frames, gc introspection, new code objects, signals and forks;
  - each case runs in a worker thread of its own, started by the keeper; a case's time limit is the
    keeper's wait (a case past it ends its phase); the hidden cases run only once the public results
    are signed and no code of the notebook runs (tester.py), the public ones only if no thread the
    notebook started still runs at the end of the cells; in the sandbox's own pid namespace (this
    process is pid 1 or 2) every other process is ended then;
  - results count only with a valid HMAC under a per-run, per-phase key (channel.py); anything
    else on the channel is reported in the row's status, never counted; a crash during the hidden
    tests is reported without its exit status (which the code a hidden case called could choose).
Left over, stated in the instructor guide: where a thread cannot get a file table of its own (the
sandbox event says "input": "shared"), a notebook imitating the protocol can read the tests; and
corrupting the interpreter's memory (crafted bytecode), which the sandbox contains but this
process cannot. Both need code aimed at the grader, visible to whoever reads the notebook.
"""
import _thread
import json
import os
import random
import re
import resource
import signal
import sys
import time
import types

np = None  # NumPy is imported once the sandbox is set up (creating a user namespace needs one thread)

MAGIC = re.compile(r"^(\s*)([%!].*)$", re.MULTILINE)
TESTER_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tester.py")
with open(TESTER_FILE, encoding="utf-8") as _f:
    TESTER = compile(_f.read(), TESTER_FILE, "exec")  # the test side, see tester.py
exec(TESTER, globals())  # encode, probes_for, _error, Timeout ... for this file (and for tests of the grader)


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


# ---------------------------------------------------------------- what the notebook may not do

PHASE = "RLIMIT_MSGQUEUE"  # its hard limit 0 marks the test phase: lowered by the runner, never raised again
ALWAYS = frozenset({"sys.addaudithook", "sys.settrace", "sys.setprofile", "sys._current_frames",
                    "sys.monitoring.register_callback"})
DURING_TESTS = frozenset({"code.__new__", "sys._getframe", "gc.get_objects", "gc.get_referrers",
                          "gc.get_referents", "os.kill", "os.killpg", "signal.pthread_kill", "os.fork",
                          "os.forkpty"})
GUARDED_ATTRS = frozenset({"__code__", "__defaults__", "__kwdefaults__"})
FRAME_ATTRS = frozenset({"tb_frame", "gi_frame", "cr_frame", "ag_frame"})


def _guard_for(keeper):
    """The runner's audit hook (PEP 578), installed before any notebook code: it refuses other audit
    hooks, tracing, ctypes, other threads' frames and rewriting the code or defaults of the runner's
    functions: all would let code rewrite the grader in its own process; in the keeper's thread
    (`keeper`, see _keeper) every frame, at any time; once the tests run also frames, gc
    introspection, new code objects, signals and forks (the ways to the test machinery's local
    variables). It uses only its own default arguments, which nothing can change (__defaults__ is
    guarded)."""
    def guard(event, args, _always=ALWAYS, _tests=DURING_TESTS, _attrs=GUARDED_ATTRS, _frames=FRAME_ATTRS,
              _getrlimit=resource.getrlimit, _phase=getattr(resource, PHASE, None), _error=RuntimeError,
              _no_frame=ValueError, _str=str, _type=type, _getattr=getattr, _ours=(__file__, TESTER_FILE),
              _keeper=keeper, _ident=_thread.get_ident):
        if event in _always or event.startswith("ctypes."):
            raise _error(f"{event} is not available while grading")
        if event == "object.__setattr__" and _type(args[1]) is _str and args[1] in _attrs and \
                _getattr(_getattr(args[0], "__code__", None), "co_filename", None) in _ours:
            raise _error(f"setting {args[1]} is not available while grading")
        frame = event == "object.__getattr__" and _type(args[1]) is _str and args[1] in _frames
        if (frame or event == "sys._getframe") and _ident() == _keeper:
            raise (_error if frame else _no_frame)("frames are not available in the grader's thread")
        if _phase is not None and _getrlimit(_phase)[1] == 0:
            if event == "sys._getframe":  # ValueError: what namedtuple, typing and enum expect without frames
                raise _no_frame("sys._getframe is not available while the tests run")
            if event in _tests or frame:
                raise _error(f"{event} is not available while the tests run")
    return guard


def _lock(_setrlimit=resource.setrlimit, _phase=getattr(resource, PHASE, None)):
    """Enter the test phase (irreversibly: a hard limit cannot be raised again without privileges)."""
    if _phase is not None:
        _setrlimit(_phase, (0, 0))


def _handled(_getsignal=signal.getsignal, _numbers=tuple(signal.Signals), _callable=callable,
             _special=(signal.SIGALRM, signal.SIGINT, signal.SIGKILL, signal.SIGSTOP)):
    """The signals with a Python handler (other than the runner's own alarm and Ctrl-C)."""
    return [n for n in _numbers if n not in _special and _callable(_getsignal(n))]


def _pristine():
    """References to what the test side needs, taken before any notebook code runs (see tester.py)."""
    import _thread
    import builtins
    import marshal
    try:
        from _hashlib import hmac_digest as mac
    except ImportError:  # Python built without OpenSSL
        import hmac
        mac = hmac.digest
    numpy = types.SimpleNamespace(**{name: getattr(np, name) for name in (
        "abs", "bool_", "complex128", "complexfloating", "dtype", "float64", "floating", "generic", "integer",
        "ndarray")})
    return (tuple(builtins.__dict__.items()), TESTER, exec, dict, types.SimpleNamespace, (
        ("np", tuple(vars(numpy).items())),
        ("types", (("ModuleType", types.ModuleType), ("FunctionType", types.FunctionType))),
        ("os", (("read", os.read), ("write", os.write), ("getpid", os.getpid), ("_exit", os._exit))),
        ("marshal", (("dumps", marshal.dumps), ("loads", marshal.loads))),
        ("thread", (("start", _thread.start_new_thread), ("lock", _thread.allocate_lock), ("count", _thread._count),
                    ("clock", time.monotonic), ("sentinel", getattr(_thread, "_set_sentinel", None))))), mac)


def _keeper(state, started, cells_done, over, tests_fd, result_fd, tests,
            _read=os.read, _write=os.write, _close=os.close, _count=_thread._count, _len=len,
            _from_bytes=int.from_bytes):
    """The grader's thread, started before any notebook code: it takes a file table of its own, and
    the runner closes the grader's input (a socket: /proc cannot reopen it) in the notebook's, so
    no notebook code can read the tests or keys, whatever it tells the grader. Woken once the cells
    ran (`cells_done`), it asks for the tests, reads them, closes the input and runs them (`tests`:
    see main). Until that close it allocates no object the garbage collector tracks and raises no
    audit event: no finalizer of the notebook can run in its thread while the input is open; and
    its frames are refused to all code (_guard_for)."""
    opened = True
    try:
        from lockdown import own_file_table  # copied next to this file
        state.append(own_file_table())
        started.release()
        cells_done.acquire()
        message = b""
        if _count() == 1:  # no thread the notebook left (this one is counted)
            _write(result_fd, b'{"ev": "ready"}\n')
            head = b""
            while _len(head) < 8:
                chunk = _read(tests_fd, 8 - _len(head))
                if not chunk:
                    break
                head += chunk
            size = _from_bytes(head, "big") if _len(head) == 8 else 0
            while _len(message) < size:
                chunk = _read(tests_fd, size - _len(message))
                if not chunk:
                    break
                message += chunk
        else:
            _write(result_fd, b'{"ev": "stopped", "phase": 0}\n')
        _close(tests_fd)
        opened = False
        if message:
            namespace, seed, case_timeout, reseed, lock, pristine = tests
            lock()  # the sandbox now refuses frames, gc introspection, signals and forks
            builtin_items, tester, run_code, new_dict, new_ns, modules, mac = pristine
            side = new_dict(__builtins__=new_dict(builtin_items), mac=mac)
            for name, items in modules:
                side[name] = new_ns(**new_dict(items))
            run_code(tester, side)
            side["run_phases"](namespace, message, result_fd, seed, case_timeout, reseed)
    except:  # noqa: E722 (no name lookup: the notebook may have replaced the builtins)
        pass
    finally:
        if opened:
            _close(tests_fd)
        over.release()


def main(result_fd):
    from lockdown import hide_paths, is_hidden, set_limits  # copied next to this file
    job = json.loads(_read_line(0))
    lock = _lock
    try:
        resource.setrlimit(getattr(resource, PHASE), (1, 1))
    except (AttributeError, ValueError, OSError):
        lock = None  # the test-phase rules of the guard cannot be switched on here
    channel = Channel(result_fd)
    writable = []
    if job["isolate"]:
        writable = hide_paths(job["hide"], job["keep"], job["workdir"], job["work_size"])
    global np
    import numpy as np
    os.chdir(job["workdir"])
    with open(job["notebook_name"], "w", encoding="utf-8") as f:
        f.write(job["notebook_text"])
    os.makedirs(".matplotlib", exist_ok=True)
    for font_list in job.get("fonts", ()):  # matplotlib's font list, built once per batch (sandbox.py)
        with open(font_list, "rb") as src, open(os.path.join(".matplotlib", os.path.basename(font_list)), "wb") as dst:
            dst.write(src.read())
    set_limits(job["limits"])

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
    tests = (namespace, seed, case_timeout, _reseed, lock or (lambda: None), _pristine())
    state, started, cells_done, over = [], _thread.allocate_lock(), _thread.allocate_lock(), _thread.allocate_lock()
    for each in (started, cells_done, over):
        each.acquire()
    keeper = _thread.start_new_thread(_keeper, (state, started, cells_done, over, tests_fd, result_fd, tests))
    started.acquire()
    if state[0]:  # the keeper holds the grader's input in its own file table: none left for the notebook
        os.close(tests_fd)
    channel.send({"ev": "sandbox", "writable": writable, "input": "private" if state[0] else "shared"})
    del tests, state
    kill, reap, own_pids, sigkill = os.kill, os.waitpid, os.getpid() <= 2, signal.SIGKILL  # pid 1 or 2: a pid namespace
    handled, set_handler, default, alarm = _handled, signal.signal, signal.SIG_DFL, signal.SIGALRM
    sys.addaudithook(_guard_for(keeper))
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

    # The cells ran: wake the keeper, which runs the tests in threads of its own (see _keeper), and
    # wait for it. Python runs signal handlers in this thread only: the notebook's are reset first.
    if own_pids:  # end every process the notebook left
        try:
            kill(-1, sigkill)
        except:  # noqa: E722 (no name lookup: the notebook may have replaced the builtins)
            pass
        while True:
            try:
                reap(-1, 0)
            except:  # noqa: E722
                break
    try:
        for number in handled() + [alarm]:
            set_handler(number, default)
    except:  # noqa: E722
        pass
    try:
        cells_done.release()
    except:  # noqa: E722 (the notebook released it already: the keeper then ran or stopped early)
        pass
    while True:
        try:
            over.acquire()
            break
        except:  # noqa: E722
            pass


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
