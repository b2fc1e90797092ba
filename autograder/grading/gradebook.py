"""The gradebook CSV: one row per submission (id, points per question, total, percent, status,
sha256 of the file, reference). It is rewritten atomically, so an interrupted batch never
leaves a half-written file, and read back to resume a batch. A text cell that a spreadsheet would
run as a formula (`=HYPERLINK(...)` as a student id) is stored with a leading `'`."""
import csv
import io
import os
import threading
from dataclasses import dataclass
from pathlib import Path


class GradebookError(Exception):
    """The file at the gradebook's path is not this module's gradebook, or cannot be read."""


FORMULA = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet runs a cell starting with one of these


def escape(text):
    """A text cell as the CSV stores it: one starting like a formula gets a leading `'`."""
    return "'" + text if text.startswith(FORMULA) else text


def unescape(text):
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA) else text


def fmt(x):
    """A number as the gradebook and the feedback show it (at most 4 decimals, no trailing zeros)."""
    return f"{x:.4f}".rstrip("0").rstrip(".") if x == x else ""


@dataclass
class Row:
    id: str
    scores: dict
    total: float
    percent: float
    status: str
    sha256: str
    reference: str

    def cells(self, questions):
        return ([escape(self.id)] + [fmt(self.scores.get(q, 0.0)) for q in questions]
                + [fmt(self.total), fmt(self.percent), escape(self.status), self.sha256, self.reference])


def header(questions):
    return ["id"] + list(questions) + ["total", "percent", "status", "sha256", "reference"]


def read(path, questions):
    """{id: Row} of the gradebook at `path` ({} if there is none)."""
    path = Path(path)
    if not path.exists():
        return {}
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            columns = next(reader)
            if columns != header(questions):
                raise GradebookError(f"{path} exists and is not this module's gradebook (its columns are "
                                     f"{', '.join(columns[:8])}): choose another --out, or pass --regrade to replace it")
            rows = {}
            for cells in reader:
                if len(cells) != len(columns):
                    continue
                n = len(questions)
                sid = unescape(cells[0])
                rows[sid] = Row(sid, {q: float(x or 0) for q, x in zip(questions, cells[1:1 + n])},
                                float(cells[1 + n] or 0), float(cells[2 + n] or 0), unescape(cells[3 + n]),
                                cells[4 + n], cells[5 + n])
            return rows
    except GradebookError:
        raise
    except (OSError, ValueError, StopIteration, csv.Error) as e:
        raise GradebookError(f"{path} exists but cannot be read as a gradebook ({e}); "
                             "move it away or pass --regrade") from None


def write(path, rows, questions):
    """Replace the gradebook at `path` with `rows` ({id: Row}), sorted by id."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header(questions))
    for key in sorted(rows):
        writer.writerow(rows[key].cells(questions))
    write_atomic(path, buf.getvalue())


def write_atomic(path, text):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
