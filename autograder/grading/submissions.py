"""Submissions: a folder of files, each read into the code cells the grader runs.

A submission is an .ipynb file or an Otter export .zip holding one, or a folder holding one (a
Gradescope export: submission_NNN/ folders and submission_metadata.yml); the student id is the file
name without its extension, Otter's export timestamp and the module id (for a folder: the
submitter's id from submission_metadata.yml, else the folder's name). A file that cannot be
read still becomes a Submission, with `problem` saying why (its gradebook status).
"""
import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..course.master import is_figure

MAX_FILE = 50 << 20
OTTER_STAMP = re.compile(r"_\d{4}_\d{2}_\d{2}T\d{2}_\d{2}_\d{2}_\d{6}$")
CHECK_CALL = re.compile(r"\bgrader\.check\s*\(")
SUFFIXES = (".ipynb", ".zip", ".json")


@dataclass
class Submission:
    path: Path
    id: str
    sha256: str = ""
    cells: list = None        # [[cell number, source]] of the code cells, or None if unreadable
    text: str = ""            # the notebook as submitted (a copy goes into the sandbox)
    problem: str = ""         # why it could not be read
    notes: list = field(default_factory=list)


def student_id(filename, module_id):
    """The file name without its extension(s), Otter's export timestamp and the module id:
    'alice_01_tensor_2026_11_22T09_34_44_678300.zip' -> 'alice'."""
    name = filename[: -len(Path(filename).suffix)] if Path(filename).suffix else filename
    while Path(name).suffix.lower() in SUFFIXES:
        name = name[: -len(Path(name).suffix)]
    name = OTTER_STAMP.sub("", name)
    stripped = re.sub(rf"[_\-\s]*{re.escape(module_id)}$", "", name)
    return (stripped or name).strip() or filename


def _notebook_bytes(data, module_id, notes):
    """The .ipynb bytes of a submission: the file itself, or the notebook inside an Otter zip."""
    if not data.startswith(b"PK\x03\x04"):
        return data
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = [i for i in z.infolist() if i.filename.endswith(".ipynb") and not i.is_dir()
                     and "__MACOSX" not in i.filename and ".ipynb_checkpoints" not in i.filename]
            if not names:
                raise ValueError("zip file without a notebook")
            chosen = [i for i in names if Path(i.filename).name == f"{module_id}.ipynb"] or names
            if len(chosen) > 1:
                raise ValueError("zip file with several notebooks: " + ", ".join(i.filename for i in names[:5]))
            info = chosen[0]
            if info.file_size > MAX_FILE:
                raise ValueError(f"the notebook in the zip file is too large ({info.file_size >> 20} MB)")
            with z.open(info) as f:
                data = f.read(MAX_FILE + 1)
            if len(data) > MAX_FILE:
                raise ValueError("the notebook in the zip file is too large")
            notes.append(f"graded {info.filename} from the zip file")
            return data
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError, EOFError) as e:
        raise ValueError(f"corrupt zip file ({e})") from None


def load_submission(path, module_id):
    sub = Submission(path, student_id(path.name, module_id))
    try:
        data = path.read_bytes() if path.stat().st_size <= MAX_FILE else None
    except OSError as e:
        sub.problem = f"unreadable file ({e.strerror})"
        return sub
    if data is None:
        sub.problem = f"file too large (over {MAX_FILE >> 20} MB)"
        return sub
    sub.sha256 = hashlib.sha256(data).hexdigest()
    if not data.strip():
        sub.problem = "empty file"
        return sub
    try:
        data = _notebook_bytes(data, module_id, sub.notes)
    except ValueError as e:
        sub.problem = str(e)
        return sub
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        if not data.lstrip().startswith(b"{") or b"\x00" in data:
            sub.problem = "not a notebook (binary file)"
            return sub
        text = data.decode("latin-1")  # an editor saved a stray byte in another encoding: keep the work
        sub.notes.append(f"the file is not valid UTF-8 (byte 0x{data[e.start]:02X} at position {e.start}); "
                         "read as Latin-1")
    try:
        nb = json.loads(text)
    except (ValueError, RecursionError) as e:
        sub.problem = ("corrupt notebook (invalid JSON: " + str(e)[:80] + ")") if text.lstrip().startswith("{") \
            else "not a notebook (not JSON)"
        return sub
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        sub.problem = "not a notebook (JSON without a list of cells)" if "worksheets" not in nb \
            else "unsupported notebook format (nbformat 3)"
        return sub
    cells = []
    for number, cell in enumerate(nb["cells"], start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code" or is_figure(cell):
            continue  # a figure cell only draws (tagged by the course; skipping one only skips a picture)
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(s, str) for s in source):
            source = "".join(source)
        if not isinstance(source, str):
            sub.notes.append(f"cell {number} has no readable source and was skipped")
            continue
        cells.append([number, source])
    if not any(src.strip() for _, src in cells):
        sub.problem = "empty notebook (no code)"
        return sub
    sub.cells, sub.text = cells, text
    return sub


def until_last_check(cells):
    """Cells up to the last `grader.check(...)`: later cells cannot change what was checked."""
    last = max((i for i, (_, src) in enumerate(cells) if CHECK_CALL.search(src)), default=None)
    return cells if last is None else cells[:last + 1]


def safe_name(student):
    """A student id as a file name (the feedback file's)."""
    return re.sub(r"[^\w.\-~]", "_", student)[:120] or "_"


def gradescope_ids(folder):
    """{submission folder name: student id} from a Gradescope export's submission_metadata.yml
    (the submitters' sid, else email, else name; a group's joined with '+'); {} if there is none."""
    path = Path(folder) / "submission_metadata.yml"
    try:
        meta = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except (OSError, ValueError, yaml.YAMLError):
        return {}
    ids = {}
    for key, entry in (meta if isinstance(meta, dict) else {}).items():
        people = entry.get(":submitters") if isinstance(entry, dict) else None
        names = [str(p.get(":sid") or p.get(":email") or p.get(":name") or "").strip()
                 for p in (people if isinstance(people, list) else []) if isinstance(p, dict)]
        if any(names):
            ids[str(key)] = "+".join(n for n in names if n)
    return ids


def _in_subfolder(folder, module_id):
    """The submission inside a per-student folder (a Gradescope export's submission_NNN/):
    its `NN_name.ipynb`, else its only notebook or zip; a Submission with a problem otherwise."""
    found = [p for p in sorted(folder.rglob("*")) if p.suffix.lower() in (".ipynb", ".zip") and p.is_file()
             and not p.is_symlink() and not any(part.startswith(".") for part in p.relative_to(folder).parts)]
    chosen = [p for p in found if p.name == f"{module_id}.ipynb"] or found
    if len(chosen) == 1:
        return load_submission(chosen[0], module_id)
    sub = Submission(folder, folder.name)
    sub.problem = ("folder without a notebook" if not chosen else
                   "folder with several notebooks: " + ", ".join(p.name for p in chosen[:5]))
    return sub


def load_folder(folder, module_id, say):
    """The submissions in `folder` (plain visible files, in name order, and per-student subfolders
    as in a Gradescope export), each with a unique id: a second one with the same id (compared
    as file names, case-insensitively) gets `id~2`."""
    entries = sorted(Path(folder).iterdir())
    usable = [p for p in entries if not p.is_symlink() and not p.name.startswith(".") and (p.is_file() or p.is_dir())
              and p.name != "submission_metadata.yml"]
    if len(usable) < len(entries):
        skipped = [p.name for p in entries if p not in usable and p.name != "submission_metadata.yml"]
        if skipped:
            say(f"  skipped {len(skipped)} entries that are not plain visible files or folders: "
                f"{', '.join(skipped[:5])}{' …' if len(skipped) > 5 else ''}")
    ids = gradescope_ids(folder)
    subs, seen = [], {}  # seen: file-name-safe id (case-insensitive) -> file name
    for path in usable:
        sub = load_submission(path, module_id) if path.is_file() else _in_subfolder(path, module_id)
        if path.is_dir():
            sub.id = ids.get(path.name, path.name)
        base, n = sub.id, 1
        while safe_name(sub.id).lower() in seen:
            n += 1
            sub.id = f"{base}~{n}"
        if n > 1:
            sub.notes.append(f"another file ({seen[safe_name(base).lower()]}) has the same student id {base!r}")
        seen[safe_name(sub.id).lower()] = path.name
        subs.append(sub)
    return subs
