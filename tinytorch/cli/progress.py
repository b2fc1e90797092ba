"""What `tinytorch check` and `tinytorch export` recorded, and a module's state from it.

A module is "not started" (no notebook in the workspace), "in progress", "checks passing" (the
last `tinytorch check` passed on the code now in the notebook) or "exported" (the code now in the
notebook is the code `tinytorch export` last wrote into the workspace's tinytorch). Only the code
cells count: saving, running cells or clearing outputs in Jupyter does not change a state.
"""
import hashlib
import json
import os
import time
from pathlib import Path

from .workspace import STATE, notebook

NOT_STARTED, IN_PROGRESS, PASSING, EXPORTED = "not started", "in progress", "checks passing", "exported"


def code_digest(path):
    """sha256 of a notebook's code cells (their sources, in order)."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    code = [c.get("source", "") for c in nb.get("cells", []) if c.get("cell_type") == "code"]
    text = "\0".join("".join(s) if isinstance(s, list) else s for s in code)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _file(ws):
    return Path(ws) / STATE / "progress.json"


def load(ws):
    try:
        return json.loads(_file(ws).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def record(ws, module_id, what, digest, **details):
    """Remember a check ("check") or an export ("export") of a module's notebook with this code."""
    data = load(ws)
    data.setdefault(module_id, {})[what] = dict(details, code=digest, at=time.strftime("%Y-%m-%d %H:%M:%S"))
    path = _file(ws)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def state(ws, entry, data=None):
    """(state, note) of a module in the workspace."""
    path = notebook(ws, entry)
    if not path.is_file():
        return NOT_STARTED, ""
    rec = (load(ws) if data is None else data).get(entry.id, {})
    try:
        digest = code_digest(path)
    except (OSError, ValueError):
        return IN_PROGRESS, "the notebook is not readable JSON"
    export, check = rec.get("export"), rec.get("check")
    if export and export.get("code") == digest:
        return EXPORTED, f"at {export['at']}"
    if check and check.get("code") == digest and check.get("passed"):
        return PASSING, f"at {check['at']}"
    note = "changed since your export" if export else ("checks failing" if check and check.get("code") == digest
                                                      else "")
    return IN_PROGRESS, note
