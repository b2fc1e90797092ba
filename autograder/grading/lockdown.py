"""The sandbox from the inside: what the grading child (runner.py) does to itself before any
notebook code runs. The parent side (starting the child in namespaces, limits, the wall clock)
is sandbox.py; together they are the sandbox, which `Sandbox.describe()` states in words.

This file is copied next to runner.py into the support folder and imported from there by the
child, so it must stay self-contained (standard library only).
"""
import os
import re
import resource
import signal


def _libc():
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)

    def call(name, *args):
        if getattr(libc, name)(*args) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"{name}{args[:2]}: {os.strerror(err)}")
    return call


def own_file_table():
    """Give the calling thread a private copy of the file descriptor table (unshare(CLONE_FILES),
    see runner.py's _keeper); False where this kernel or Python cannot."""
    try:
        if hasattr(os, "unshare"):  # Python >= 3.12
            os.unshare(os.CLONE_FILES)
        else:
            _libc()("unshare", 0x400)  # CLONE_FILES
        return True
    except (OSError, ImportError, AttributeError):
        return False


def _under(path, parent):
    return path == parent or path.startswith(parent.rstrip("/") + "/")


def is_hidden(path, hide, keep):
    """Is `path` hidden: is the deepest of the hide and keep paths above it a hidden one?"""
    above = [(len(h), 0) for h in hide if _under(path, h)] + [(len(k), 1) for k in keep if _under(path, k)]
    return bool(above) and max(above)[1] == 0


def hide_paths(hide, keep, workdir, work_size):
    """Inside the private mount namespace that `unshare` made: cover `hide` with empty tmpfs,
    re-expose the `keep` paths that lie under them, give this process a fresh size-limited working
    directory, then lock it all by moving into a nested user + mount namespace (mounts inherited
    from a more privileged namespace cannot be unmounted or bind-mounted around there)."""
    call = _libc()
    MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_BIND, MS_REC = 2, 4, 8, 4096, 16384
    CLONE_NEWNS, CLONE_NEWUSER = 0x00020000, 0x10000000

    def tmpfs(path, flags, options):
        call("mount", b"none", path.encode(), b"tmpfs", flags, options.encode())

    with open("/proc/self/mountinfo") as f:
        inherited = {line.split()[0] for line in f}
    fds = {k: os.open(k, os.O_PATH | os.O_DIRECTORY) for k in keep if os.path.isdir(k)}
    steps = sorted([(p.count("/"), 0, p) for p in hide] + [(k.count("/"), 1, k) for k in fds])
    hidden = []
    for _, is_keep, path in steps:
        if is_keep:
            if any(_under(path, h) for h in hidden):
                os.makedirs(path, exist_ok=True)
                call("mount", f"/proc/self/fd/{fds[path]}".encode(), path.encode(), None,
                     MS_BIND | MS_REC, None)
        elif os.path.isdir(path):  # (if under a hidden path, it lies in a re-exposed keep path)
            tmpfs(path, MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=64k,mode=755")
            hidden.append(path)
    for fd in fds.values():
        os.close(fd)
    os.makedirs(workdir, exist_ok=True)
    tmpfs(workdir, MS_NOSUID | MS_NODEV, f"size={work_size},mode=700")
    writable = _read_only_except(call, workdir, hidden, inherited)

    uid, gid = os.geteuid(), os.getegid()
    call("unshare", CLONE_NEWUSER | CLONE_NEWNS)
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
        with open(f"/proc/self/{name}", "w") as f:
            f.write(text)
    return writable


_MOUNT_FLAGS = {"nosuid": 2, "nodev": 4, "noexec": 8, "noatime": 1024, "nodiratime": 2048,
                "relatime": 1 << 21, "strictatime": 1 << 24}


def _read_only_except(call, workdir, hidden, inherited):
    """Remount every mount read-only except the working directory (and /proc, which the kernel
    guards itself), so nothing outlives this run: not in the support folder shared with the next
    submissions, not in the Python installation, not in /dev/shm. Returns the mount points that
    stayed writable (reported to the grader)."""
    MS_RDONLY, MS_REMOUNT, MS_BIND = 1, 32, 4096
    writable = []
    with open("/proc/self/mountinfo") as f:
        mounts = [line.split() for line in f]
    for fields in mounts:
        point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[4])
        options = fields[5].split(",")
        covered = fields[0] in inherited and any(_under(point, h) for h in hidden)  # out of reach
        if "ro" in options or covered or _under(point, workdir) or _under(point, "/proc"):
            continue
        flags = MS_RDONLY | MS_REMOUNT | MS_BIND
        for option in options:
            flags |= _MOUNT_FLAGS.get(option, 0)
        try:
            call("mount", b"none", point.encode(), None, flags, None)
        except OSError:
            writable.append(point)
    return writable


def set_limits(limits):
    for name, value in limits.items():
        resource.setrlimit(getattr(resource, name), (value, value))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writing past RLIMIT_FSIZE fails with EFBIG
