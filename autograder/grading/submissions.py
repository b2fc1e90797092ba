"""Submissions: a folder of files, each read into the code cells the grader runs.

A submission is an .ipynb file or an Otter export .zip holding one; the student id is the file
name without its extension, Otter's export timestamp and the module id. A file that cannot be
read still becomes a Submission, with `problem` saying why (its gradebook status).
"""
import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

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
        text = data.decode("utf-8-sig")
    except ValueError as e:  # UnicodeDecodeError is a ValueError
        sub.problem = str(e) if not isinstance(e, UnicodeDecodeError) else "not a notebook (binary file)"
        return sub
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
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
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


def load_folder(folder, module_id, say):
    """The submissions in `folder` (plain visible files, in name order), each with a unique id:
    a second file with the same id (compared as file names, case-insensitively) gets `id~2`."""
    entries = sorted(Path(folder).iterdir())
    files = [p for p in entries if p.is_file() and not p.is_symlink() and not p.name.startswith(".")]
    if len(files) < len(entries):
        skipped = [p.name for p in entries if p not in files]
        say(f"  skipped {len(skipped)} entries that are not plain visible files: {', '.join(skipped[:5])}"
            f"{' …' if len(skipped) > 5 else ''}")
    subs, seen = [], {}  # seen: file-name-safe id (case-insensitive) -> file name
    for path in files:
        sub = load_submission(path, module_id)
        base, n = sub.id, 1
        while safe_name(sub.id).lower() in seen:
            n += 1
            sub.id = f"{base}~{n}"
        if n > 1:
            sub.notes.append(f"another file ({seen[safe_name(base).lower()]}) has the same student id {base!r}")
        seen[safe_name(sub.id).lower()] = path.name
        subs.append(sub)
    return subs
