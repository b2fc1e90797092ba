"""Run one notebook in an isolated child process, with limits, timeouts and a private channel.

Each run is a fresh interpreter, `python -s runner.py FD`, started with a clean environment in a
fresh working directory (`-s` and a cleared environment instead of `-I`, which would also ignore
the fixed PYTHONHASHSEED that makes runs reproducible). On Linux with unprivileged user
namespaces it is wrapped in `unshare --user --map-root-user --net --mount --pid --fork
--kill-child --mount-proc`, and the runner then hides paths and locks its mounts (lockdown.py,
the inside of the sandbox; host.py finds what this machine can enforce). `Sandbox.describe()`
says exactly what is enforced on this machine; the batch grader prints it before grading.

Resource limits are set by the runner on itself before any notebook code runs (setrlimit with
soft = hard, inherited by everything it starts), not in a `preexec_fn`: the grader starts
children from several threads, where `preexec_fn` can deadlock.
"""
import json
import os
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .channel import Phases
from .host import UNSHARE, Cgroup, bwrap_args, bwrap_works, namespaces_work, tasks_of

RUNNER = Path(__file__).with_name("runner.py")       # the child (see runner.py)
LOCKDOWN = Path(__file__).with_name("lockdown.py")   # the sandbox's inside, which the child applies
TESTER = Path(__file__).with_name("tester.py")       # the child's test side
CHILD_FILES = (RUNNER, LOCKDOWN, TESTER)             # copied into the support folder


@dataclass
class Limits:
    timeout: float = 120.0     # wall clock per submission (s); then the whole sandbox is killed
    cell_timeout: float = 30.0  # per notebook cell (SIGALRM in the child)
    case_timeout: float = 10.0  # per test case (the child's control thread stops waiting on it)
    memory_mb: int = 2048      # address space per process (RLIMIT_AS)
    total_memory_mb: int = 3072  # memory of all the submission's processes together (a memory cgroup)
    procs: int = 32            # processes + threads in the sandbox (RLIMIT_NPROC or a pids cgroup)
    file_mb: int = 64          # largest file written (RLIMIT_FSIZE) and size of the working directory
    output_mb: float = 8.0     # stdout + stderr beyond this stops the run
    keep_output_kb: int = 16   # how much of stdout/stderr is kept
    open_files: int = 256      # RLIMIT_NOFILE


@dataclass
class RunResult:
    events: list = field(default_factory=list)  # decoded events from the result channel
    stdout: bytes = b""
    stderr: bytes = b""
    output_bytes: int = 0      # stdout + stderr in total (only the head is kept)
    returncode: int = None
    killed: str = None         # "timeout", "output", "channel" or "memory" when the run was stopped
    malformed: int = 0         # lines on the result channel that were not valid events or not authentic
    seconds: float = 0.0


class Sandbox:
    """Runs jobs (see runner.py) one child process each; safe to use from several threads."""

    extra_env = {}  # added to each child's environment (for tests of the grader: a shim on PYTHONPATH)

    def kill_all(self):
        """Stop every run in progress and any started later (e.g. on Ctrl-C)."""
        with self._lock:
            self._closed = True
            procs = list(self._live)
        for proc in procs:
            self._kill(proc)

    def __init__(self, support_dir, runs_dir, hide=(), limits=None, isolate=True):
        self._lock, self._live, self._closed = threading.Lock(), set(), False
        self.support = Path(support_dir)
        self.runs = Path(runs_dir)
        self.limits = limits or Limits()
        self.root = os.geteuid() == 0
        self.cgroup = Cgroup.find("pids") if self.root else None
        self.memory = Cgroup.find("memory")
        if self.memory and self.cgroup and self.memory.base == self.cgroup.base:
            self.memory = None  # cgroup v2, one hierarchy: the run's pids cgroup takes the memory limit too
            self.shared = True
        else:
            self.shared = False
        extra = [Path.home(), Path(tempfile.gettempdir()), self.runs, Path("/sys/fs/cgroup")]
        self.hide = sorted({str(Path(p).resolve()) for p in list(hide) + extra
                            if str(p) and Path(p).resolve() != Path("/")})
        keep = {sys.prefix, sys.base_prefix, sys.exec_prefix, str(self.support),
                *sysconfig.get_paths().values(), os.path.dirname(os.path.realpath(sys.executable)),
                *(p for p in sys.path if p.endswith(("site-packages", "dist-packages")))}  # also those a .pth adds
        self.keep = sorted({str(Path(k).resolve()) for k in keep if k and Path(k).is_dir()}
                           - set(self.hide))
        # bubblewrap: an empty root with only these paths; else unshare and hidden paths (lockdown.py)
        self.mode = "none" if not isolate else "bwrap" if bwrap_works(self.keep) else \
            "unshare" if namespaces_work() else "none"
        self.namespaces = self.mode != "none"
        self._fonts = None  # matplotlib's font list, built once (see _font_cache)

    def _font_cache(self):
        """Matplotlib's font list (fontlist-*.json), built once per sandbox in the support folder.

        Each run has a fresh MPLCONFIGDIR; without this file every notebook that plots would scan
        the system's fonts again (≈ 0.2–0.3 s). None when matplotlib is not installed."""
        with self._lock:
            if self._fonts is None:
                cache = self.support / "matplotlib"
                cache.mkdir(parents=True, exist_ok=True)
                try:
                    subprocess.run([sys.executable, "-s", "-c", "import matplotlib.font_manager"],
                                   env={"PATH": "/usr/bin:/bin", "MPLCONFIGDIR": str(cache), "MPLBACKEND": "Agg"},
                                   capture_output=True, timeout=120)
                except (OSError, subprocess.SubprocessError):
                    pass
                self._fonts = sorted(cache.glob("fontlist-*.json"))
            return self._fonts

    # ------------------------------------------------------------------ what is enforced
    def procs_mode(self):
        if self.root:
            return "cgroup" if self.cgroup else "none"
        return "userns" if self.namespaces else "uid"

    def describe(self):
        L = self.limits
        procs = {
            "userns": f"at most {L.procs} processes + threads (RLIMIT_NPROC, counted in the sandbox's own user namespace)",
            "uid": f"at most {L.procs} more processes + threads than this user already runs (RLIMIT_NPROC; "
                   "without user namespaces it counts all of the user's processes)",
            "cgroup": f"at most {L.procs} processes + threads (a pids cgroup: RLIMIT_NPROC does not bind root)",
            "none": "process count NOT limited (running as root without a writable pids cgroup; "
                    "RLIMIT_NPROC does not bind root) — grade as an ordinary user",
        }[self.procs_mode()]
        lines = [
            f"wall clock {L.timeout:g} s per submission (then the sandbox's processes are killed); "
            f"{L.cell_timeout:g} s per cell (SIGALRM) and {L.case_timeout:g} s per test case (a thread wait)",
            f"memory {L.memory_mb} MB of address space per process (RLIMIT_AS); CPU {int(L.timeout) + 1} s per "
            f"process (RLIMIT_CPU); files up to {L.file_mb} MB (RLIMIT_FSIZE); {L.open_files} open files; no core dumps",
            procs,
            (f"at most {L.total_memory_mb} MB of memory for all of a submission's processes together "
             "(a memory cgroup; beyond it the kernel stops the run)") if self.memory or self.shared else
            (f"memory of a submission's processes together NOT limited beyond {L.procs} × {L.memory_mb} MB "
             "(no writable memory cgroup here: grade as root, or where cgroups can be delegated)"),
            f"stdout + stderr: the first {L.keep_output_kb} KB kept, more than {L.output_mb:g} MB stops the run",
            "tests: sent once the cells reported their end, on an input only the grader's thread in the child can "
            "read (a file table of its own, unshare CLONE_FILES; where a kernel refuses it, each row's status says "
            "so); hidden cases run after the public results; the child's test side compiled before the notebook "
            "ran; results count only with an HMAC under a per-run key (runner.py)",
        ]
        if self.mode == "bwrap":
            lines += [
                "isolation: user, mount, pid and network namespaces (bubblewrap): an empty root holding only the Python installation, its packages, "
                "the shared libraries and the grader's support folder, all read-only, and a private "
                f"{L.file_mb} MB tmpfs as working directory; no /proc, no /etc, nothing else of this machine; "
                "new user, pid, network (none), IPC and UTS namespaces, no capabilities"]
        elif self.namespaces:
            lines += [
                "isolation: user, mount, pid and network namespaces (unshare; bubblewrap is not available here — "
                "install the bubblewrap package for an empty root): no network, /proc shows only "
                f"the sandbox, everything read-only except a private {L.file_mb} MB tmpfs as working directory, "
                "and these paths hidden (empty; the mounts are locked): " + ", ".join(self.hide),
            ]
        else:
            lines += ["isolation: NONE beyond a separate process, working directory and copy of the grader's "
                      "files per submission — user namespaces are unavailable here, so the network is reachable, "
                      "and other submissions, the course repository, the reference cache and the Python "
                      "installation can be read (and what this user may write, written) by student code"]
        if self.root:
            lines += ["running as root: student code runs as root" + (
                " in its user namespace, without capabilities, seeing only the sandbox's root" if self.mode == "bwrap"
                else " in its user namespace (it can read what root can read outside the hidden paths)"
                if self.namespaces else "") + "; grade as an ordinary user"]
        return lines

    # ------------------------------------------------------------------ one run
    def _rlimits(self):
        L = self.limits
        limits = {"RLIMIT_AS": L.memory_mb << 20, "RLIMIT_CPU": int(L.timeout) + 1,
                  "RLIMIT_FSIZE": L.file_mb << 20, "RLIMIT_CORE": 0, "RLIMIT_NOFILE": L.open_files}
        mode = self.procs_mode()
        if mode == "userns":
            limits["RLIMIT_NPROC"] = L.procs
        elif mode == "uid":
            limits["RLIMIT_NPROC"] = tasks_of(os.getuid()) + L.procs
        return limits

    def _cgroups(self, name):
        """The cgroups of one run (created; the caller removes them): pids when root, memory."""
        L, made = self.limits, []
        try:
            if self.procs_mode() == "cgroup":
                made.append(self.cgroup.create(name, L.procs))
                if self.shared:
                    (made[0] / "memory.max").write_text(str(L.total_memory_mb << 20))
            if self.memory:
                made.append(self.memory.create(name, L.total_memory_mb << 20))
        except OSError:
            for path in made:
                Cgroup.remove(path)
            raise
        return made

    def run(self, name, job, tests):
        """Run `job` (cells etc., see runner.py) in a fresh sandbox; send `tests` (bytes, one JSON
        line) once the child reports that all cells ran. Returns a RunResult."""
        L = self.limits
        workdir = self.runs / name
        workdir.mkdir(parents=True, mode=0o700)
        fonts = self._font_cache()
        (workdir / ".matplotlib").mkdir()
        for font_list in fonts:
            shutil.copy(font_list, workdir / ".matplotlib" / font_list.name)
        support = self.support
        if not self.namespaces:  # no read-only mounts: each run gets its own copy to spoil
            support = workdir / ".grader"
            shutil.copytree(self.support, support)
        unshare = self.mode == "unshare"
        job = dict(job, isolate=unshare, hide=self.hide if unshare else [], keep=self.keep, workdir=str(workdir),
                   work_size=L.file_mb << 20, support=str(support), limits=self._rlimits(),
                   fonts=[str(support / "matplotlib" / f.name) for f in fonts])
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(workdir), "TMPDIR": str(workdir),
               "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1",
               "PYTHONIOENCODING": "utf-8", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
               "MKL_NUM_THREADS": "1", "NUMEXPR_NUM_THREADS": "1", "MPLBACKEND": "Agg",
               "MPLCONFIGDIR": str(workdir / ".matplotlib")}
        read_fd, write_fd = os.pipe()
        wrap = bwrap_args(self.keep, workdir, L.file_mb << 20) if self.mode == "bwrap" else \
            UNSHARE if unshare else []
        cmd = wrap + [sys.executable, "-s", str(support / RUNNER.name), str(write_fd)]
        cgroups = self._cgroups(name)
        if cgroups:  # wait at a gate until the cgroups hold the process, so nothing escapes them
            cmd = ["/bin/sh", "-c", 'read -r _gate && exec "$@"', "sh"] + cmd
        result = RunResult()
        start = time.monotonic()
        tests_in, child_in = socket.socketpair()  # the child's stdin: a socket, which /proc cannot reopen
        try:
            with child_in:
                proc = subprocess.Popen(cmd, stdin=child_in.fileno(), stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, pass_fds=(write_fd,), cwd=workdir,
                                        env=dict(env, **self.extra_env), start_new_session=True)
        except OSError:
            tests_in.close()
            os.close(read_fd)
            os.close(write_fd)
            shutil.rmtree(workdir, ignore_errors=True)
            for path in cgroups:
                Cgroup.remove(path)
            raise
        os.close(write_fd)
        with self._lock:
            self._live.add(proc)
            closed = self._closed
        if closed:
            self._kill(proc)
        try:
            pending = b""
            if cgroups:
                for path in cgroups:
                    Cgroup.add(path, proc.pid)
                pending = b"go\n"
            pending += json.dumps(job).encode() + b"\n"
            self._talk(proc, (tests_in, read_fd), pending, Phases(tests, job["cells"]), start, result)
        finally:
            self._kill(proc)
            with self._lock:
                self._live.discard(proc)
            os.close(read_fd)
            for f in (tests_in, proc.stdout, proc.stderr):
                try:
                    f.close()
                except OSError:
                    pass
            result.returncode = proc.wait()
            result.seconds = time.monotonic() - start
            if any(Cgroup.out_of_memory(path) for path in cgroups) and not result.killed:
                result.killed = "memory"
            for path in cgroups:
                Cgroup.remove(path)
            shutil.rmtree(workdir, ignore_errors=True)
        return result

    def _talk(self, proc, pipes, pending, tests, start, result):
        heads = {"stdout": bytearray(), "stderr": bytearray()}
        try:
            self._loop(proc, pipes, pending, tests, start, result, heads)
        finally:
            result.stdout, result.stderr = bytes(heads["stdout"]), bytes(heads["stderr"])

    def _loop(self, proc, pipes, pending, tests, start, result, heads):
        L = self.limits
        keep, cap = L.keep_output_kb << 10, int(L.output_mb * (1 << 20))
        channel_cap = 64 << 20
        sel = selectors.DefaultSelector()
        tests_in, read_fd = pipes
        stdin = tests_in.fileno()
        streams = {proc.stdout.fileno(): "stdout", proc.stderr.fileno(): "stderr", read_fd: "channel"}
        for fd in list(streams) + [stdin]:
            os.set_blocking(fd, False)
        for fd in streams:
            sel.register(fd, selectors.EVENT_READ)
        sel.register(stdin, selectors.EVENT_WRITE)
        writing, tests_sent, buffer, channel_bytes = True, False, b"", 0
        deadline = start + L.timeout
        exited_at = None
        while streams:
            now = time.monotonic()
            if now >= deadline:
                result.killed = "timeout"
                return
            if exited_at is None and proc.poll() is not None:
                exited_at = now
            if exited_at is not None and now - exited_at > 0.5:
                return  # the child is gone; whatever still holds its pipes is killed with it
            for key, _ in sel.select(timeout=min(0.1, deadline - now)):
                fd = key.fd
                if fd == stdin:
                    try:
                        n = os.write(stdin, pending)
                    except BlockingIOError:
                        continue
                    except (BrokenPipeError, OSError):
                        pending = b""
                        n = 0
                    pending = pending[n:]
                    if not pending:
                        sel.unregister(stdin)
                        writing = False
                        if tests_sent:
                            try:
                                tests_in.shutdown(socket.SHUT_WR)
                            except OSError:
                                pass
                    continue
                try:
                    data = os.read(fd, 1 << 16)
                except BlockingIOError:
                    continue
                if not data:
                    sel.unregister(fd)
                    del streams[fd]
                    continue
                kind = streams[fd]
                if kind != "channel":
                    result.output_bytes += len(data)
                    head = heads[kind]
                    if len(head) < keep:
                        head += data[:keep - len(head)]
                    if result.output_bytes > cap:
                        result.killed = "output"
                        return
                    continue
                channel_bytes += len(data)
                if channel_bytes > channel_cap:
                    result.killed = "channel"
                    return
                buffer += data
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    event = tests.accept(_event(line))
                    if event is None:
                        result.malformed += 1
                        continue
                    result.events.append(event)
                    frame = tests.next_frame(event)
                    if frame is not None:
                        tests_sent = tests.sent == len(tests.keys)  # then the child's input is closed
                        pending += frame
                        if not writing:
                            writing = True
                            sel.register(stdin, selectors.EVENT_WRITE)

    @staticmethod
    def _kill(proc):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _event(line):
    try:
        event = json.loads(line)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    if not isinstance(event, dict) or not isinstance(event.get("ev"), str):
        return None
    return event

