"""What this machine can enforce for the sandbox: user namespaces (`unshare`), a pids cgroup when
the grader runs as root, a memory cgroup for a whole run, and how many tasks RLIMIT_NPROC already
counts for this user."""
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

UNSHARE = ["unshare", "--user", "--map-root-user", "--net", "--mount", "--pid", "--fork",
           "--kill-child", "--mount-proc", "--"]


def tasks_of(uid):
    """Processes + threads of `uid` now (what RLIMIT_NPROC counts outside a user namespace)."""
    total = 0
    if not os.path.isdir("/proc"):  # not Linux: RLIMIT_NPROC then counts the user's processes; guess generously
        return 512
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/status") as f:
                    fields = dict(line.split(":", 1) for line in f if ":" in line)
                if int(fields["Uid"].split()[0]) == uid:
                    total += int(fields["Threads"])
            except (OSError, KeyError, ValueError):
                continue
    return total


class Cgroup:
    """Per-run cgroups of one controller ("pids" or "memory"), on cgroup v1 or v2: a limit for
    all the processes of a run together, which rlimits (per process) cannot give."""

    LIMIT = {"pids": ("pids.max",), "memory": ("memory.max", "memory.limit_in_bytes")}  # v2, v1

    def __init__(self, base, controller):
        self.base, self.controller = Path(base), controller

    @classmethod
    def find(cls, controller):
        """A writable place for `controller`'s cgroups (v1 hierarchy, or v2 below our own cgroup), or None."""
        candidates = [Path("/sys/fs/cgroup") / controller]
        try:
            for line in Path("/proc/self/cgroup").read_text().splitlines():
                if line.startswith("0::"):
                    for root in (Path("/sys/fs/cgroup"), Path("/sys/fs/cgroup/unified")):
                        here = root / line[3:].lstrip("/")
                        control = here / "cgroup.subtree_control"
                        if control.exists() and controller in control.read_text().split():
                            candidates.append(here)
        except OSError:
            pass
        for base in candidates:
            probe = base / f"ttgrade-probe-{os.getpid()}"
            try:
                probe.mkdir()
                ok = any((probe / f).exists() for f in cls.LIMIT[controller]) and (probe / "cgroup.procs").exists()
                probe.rmdir()
                if ok:
                    return cls(base, controller)
            except OSError:
                continue
        return None

    def create(self, name, limit):
        path = self.base / f"ttgrade-{os.getpid()}-{name}"
        path.mkdir()
        limit_file = next(path / f for f in self.LIMIT[self.controller] if (path / f).exists())
        limit_file.write_text(str(limit))
        if self.controller == "memory":  # swap must not extend the limit
            for swap, value in (("memory.swap.max", "0"), ("memory.memsw.limit_in_bytes", str(limit))):
                try:
                    (path / swap).write_text(value)
                except OSError:
                    pass
        return path

    @staticmethod
    def out_of_memory(path):
        """Did the kernel kill a process of this memory cgroup for going over its limit?"""
        for name in ("memory.events", "memory.oom_control"):
            try:
                fields = dict(line.split() for line in (path / name).read_text().splitlines() if line.strip())
                return int(fields.get("oom_kill", 0)) > 0
            except (OSError, ValueError):
                continue
        return False

    @staticmethod
    def add(path, pid):
        (path / "cgroup.procs").write_text(str(pid))

    @staticmethod
    def remove(path):
        deadline = time.monotonic() + 5
        while True:
            try:
                pids = [int(p) for p in (path / "cgroup.procs").read_text().split()]
            except OSError:
                pids = []
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            try:
                path.rmdir()
                return
            except OSError:
                if time.monotonic() > deadline:
                    return
                time.sleep(0.05)


_PROBED = {}


def namespaces_work(python=sys.executable):
    """Can this machine run the sandbox with namespaces (and mount a tmpfs inside)? Cached."""
    if python not in _PROBED:
        if shutil.which("unshare") is None:
            _PROBED[python] = False
        else:
            code = ("import ctypes,os,tempfile;d=tempfile.mkdtemp();"
                    "l=ctypes.CDLL(None,use_errno=True);"
                    "assert l.mount(b'none',d.encode(),b'tmpfs',0,b'size=64k')==0;"
                    "assert l.unshare(0x10020000)==0")
            try:
                proc = subprocess.run(UNSHARE + [python, "-s", "-c", code], capture_output=True,
                                      timeout=30, env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")})
                _PROBED[python] = proc.returncode == 0
            except (OSError, subprocess.TimeoutExpired):
                _PROBED[python] = False
    return _PROBED[python]


def bwrap_args(read_only, workdir, work_size):
    """Bubblewrap's arguments for an empty root holding only `read_only` (read-only), the shared
    libraries, a few devices and a private size-limited tmpfs as `workdir`; no /proc, no /etc, no
    network, new user, pid, IPC, UTS and cgroup namespaces, no capabilities."""
    args = [BWRAP, "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
            "--hostname", "grader", "--dev", "/dev"]
    for top in ("/lib", "/lib64", "/lib32", "/usr/lib", "/usr/lib64", "/usr/lib32"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    paths = sorted(set(read_only))
    for path in paths:
        if os.path.exists(path) and not any(path.startswith(p.rstrip("/") + "/") for p in paths):
            args += ["--ro-bind", path, path]
    return args + ["--size", str(work_size), "--tmpfs", str(workdir), "--chdir", str(workdir), "--"]


BWRAP = shutil.which("bwrap")


def bwrap_works(read_only, python=sys.executable):
    """Does bubblewrap start Python with NumPy in such a root here (not in every container)? Cached."""
    key = ("bwrap", python)
    if key not in _PROBED:
        ok = False
        if BWRAP:
            try:
                proc = subprocess.run(bwrap_args(read_only, "/tmp/probe", 1 << 20)
                                      + [python, "-s", "-c", "import numpy"], capture_output=True, timeout=60,
                                      env={"PATH": "/usr/bin:/bin"})
                ok = proc.returncode == 0
            except (OSError, subprocess.TimeoutExpired):
                ok = False
        _PROBED[key] = ok
    return _PROBED[key]
