"""The student's workspace: a folder of their own that no course tool ever overwrites.

    ~/tinytorch-work/                 (--workspace DIR, else $TINYTORCH_WORKSPACE, else this)
        01_tensor.ipynb ...           your notebooks, copied in once by `tinytorch start`
        1986_mlp.ipynb ...            milestones, copied in once by `tinytorch milestone`
        tinytorch/                    YOUR tinytorch: the course's package, copied once, into which
                                      `tinytorch export` writes your exported code
        .tinytorch/progress.json      what `check` and `export` recorded
        .tinytorch/package.sha256     each course file of tinytorch/ as it was copied in (refresh)
        .tinytorch/runs/              executed copies of milestone runs (rewritten each run)

Jupyter runs a notebook with its folder as the working directory, and Python looks there first,
so a notebook opened from the workspace imports the workspace's tinytorch, not the installed one.
The CLI runs notebooks the same way.
"""
import hashlib
import os
import shutil
from fnmatch import fnmatch
from pathlib import Path

from .course import PACKAGE, Problem

DEFAULT = "~/tinytorch-work"
STATE = ".tinytorch"
# Not copied into the workspace's package: the CLI itself, backups and build leftovers.
_SKIP = ("cli", "__pycache__", "*.pyc", "*.bak", "*.bak-*", "*.tmp")


def resolve(given=None, environ=None):
    """The workspace folder: `given`, else $TINYTORCH_WORKSPACE, else ~/tinytorch-work (absolute)."""
    environ = os.environ if environ is None else environ
    chosen = given or environ.get("TINYTORCH_WORKSPACE") or DEFAULT
    return Path(os.path.expanduser(chosen)).resolve()


def package(ws):
    return Path(ws) / "tinytorch"


def notebook(ws, entry):
    return Path(ws) / entry.filename


def _digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _course_files():
    """{relative path: file} of the course's package as the workspace gets it."""
    return {path.relative_to(PACKAGE).as_posix(): path for path in sorted(PACKAGE.rglob("*"))
            if path.is_file() and not any(fnmatch(part, pattern) for part in path.relative_to(PACKAGE).parts
                                          for pattern in _SKIP)}


def refresh(ws):
    """Bring the course's files in the workspace's tinytorch up to date with the installed course.

    `.tinytorch/package.sha256` remembers each course file as it was copied in. A file is replaced
    only while it is still exactly that copy (so never a file `export` wrote or the student edited);
    a file the workspace lacks is added. Returns the relative paths written."""
    record = Path(ws) / STATE / "package.sha256"
    known = dict(line.split("  ", 1)[::-1] for line in record.read_text().splitlines() if "  " in line) \
        if record.exists() else {}
    written = []
    for rel, src in _course_files().items():
        dst, new = package(ws) / rel, _digest(src)
        if dst.exists() and (known.get(rel) != _digest(dst) or new == known.get(rel)):
            continue  # the student's (exported or edited), or already this version
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
        known[rel] = new
        written.append(rel)
    if written:
        record.write_text("".join(f"{h}  {rel}\n" for rel, h in sorted(known.items())))
    return written


def ensure(ws):
    """Create the workspace and its tinytorch if missing, and refresh the course's untouched files
    in it (refresh); returns what was created or updated. Never replaces a student's file."""
    ws = Path(ws)
    if ws.exists() and not ws.is_dir():
        raise Problem(f"the workspace {ws} is a file, not a folder")
    created = []
    if not ws.exists():
        ws.mkdir(parents=True)
        created.append(ws)
    (ws / STATE).mkdir(exist_ok=True)
    fresh = not package(ws).exists()
    updated = refresh(ws)
    return created + ([package(ws)] if fresh else [package(ws) / rel for rel in updated])


def copy_in(source, target):
    """Copy `source` to `target` unless `target` exists; True when copied. Never overwrites."""
    data = Path(source).read_bytes()
    try:
        with open(target, "xb") as f:  # "x": fails if the file exists, even if it appeared just now
            f.write(data)
    except FileExistsError:
        return False
    return True


def require_notebook(ws, entry):
    """The student's notebook of `entry`; a Problem saying how to start it when there is none."""
    path = notebook(ws, entry)
    if not path.is_file():
        raise Problem(f"{entry.filename} is not in your workspace {ws}: run `tinytorch start {entry.number}` first")
    ensure(ws)
    return path
