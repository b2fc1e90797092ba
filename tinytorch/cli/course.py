"""Where the course's notebooks are, and the modules and milestones they hold.

The CLI reads the course from the checkout the package was installed from (`pip install -e .`
in a clone of the course repository: the folder above this package holds notebooks/ with
modules.toml, the student notebooks and milestones/), or from $TINYTORCH_COURSE, a course checkout
named explicitly (for a tinytorch installed some other way). The notebooks are not copied into
the package, so the wheels built from it (the site's, the grading one) stay small.
"""
import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]  # the tinytorch package this CLI belongs to


class Problem(Exception):
    """Something that stops a command before it can do its work; `code` is the exit status."""

    def __init__(self, message, code=2):
        super().__init__(message)
        self.code = code


def _toml(path):
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        try:
            import tomli as tomllib
        except ModuleNotFoundError:
            raise Problem("reading the course registry needs Python 3.11, or `pip install tomli` on 3.10") from None
    return tomllib.loads(path.read_text(encoding="utf-8"))


def course_root(environ=None):
    """The course checkout: $TINYTORCH_COURSE if set, else the checkout this package sits in."""
    environ = os.environ if environ is None else environ
    given = environ.get("TINYTORCH_COURSE")
    root = Path(given).expanduser() if given else PACKAGE.parent
    if not (root / "notebooks" / "modules.toml").is_file():
        where = f"$TINYTORCH_COURSE ({root})" if given else f"the folder tinytorch is installed from ({root})"
        raise Problem(f"the course notebooks are not in {where}: install tinytorch from a clone of the "
                      "course repository with `pip install -e \".[student]\"`, or set TINYTORCH_COURSE "
                      "to such a clone")
    return root.resolve()


@dataclass(frozen=True)
class Entry:
    """A module ("01_tensor") or a milestone ("1986_mlp") and its notebook in the course."""
    id: str
    title: str
    kind: str         # "module" or "milestone"
    source: Path      # the notebook the course ships (may not exist yet: not published)

    @property
    def number(self):
        return self.id.split("_", 1)[0]

    @property
    def name(self):
        return self.id.split("_", 1)[1]

    @property
    def published(self):
        return self.source.is_file()

    @property
    def filename(self):
        return f"{self.id}.ipynb"


def modules(root):
    reg = _toml(root / "notebooks" / "modules.toml")
    return [Entry(mid, info["title"], "module", root / "notebooks" / f"{mid}.ipynb")
            for mid, info in reg["modules"].items()]


def milestones(root):
    reg = _toml(root / "notebooks" / "modules.toml")
    return [Entry(mid, info["title"], "milestone", root / "notebooks" / "milestones" / f"{mid}.ipynb")
            for mid, info in reg.get("milestones", {}).items()]


def find(entries, text):
    """The entry named by its id ("01_tensor"), number ("01", "1", "1986") or name ("tensor")."""
    text = text.strip().lower().removesuffix(".ipynb")
    for e in entries:
        number = e.number.lstrip("0") or "0"
        if text in (e.id, e.number, e.name) or text.lstrip("0") == number and text.isdigit():
            return e
    kind = entries[0].kind if entries else "module"
    known = ", ".join(e.id for e in entries)
    raise Problem(f"no {kind} {text!r}; the {kind}s are: {known}")


def published(entry):
    """The entry, if its notebook is in the course yet."""
    if not entry.published:
        raise Problem(f"{entry.id} is not published yet (no {entry.source.name} in the course)")
    return entry
