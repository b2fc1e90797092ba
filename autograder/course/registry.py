"""The course registry (notebooks/modules.toml), the paths derived from it, and the course
repository named in _config.yml."""
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
MASTERS = NOTEBOOKS / "masters"
MILESTONES = NOTEBOOKS / "milestones"
BOOK = ROOT / "book"


class _Page:
    """A module's or milestone's page in the book: its hand-written chapter (book/<chapters>/<id>.md:
    objectives, how to work on it; or the history) and the page generated from it and the notebook."""
    chapters = ""

    @property
    def chapter(self):
        return BOOK / self.chapters / f"{self.id}.md"

    @property
    def reader(self):
        return BOOK / "notebooks" / f"{self.id}.ipynb"


@dataclass(frozen=True)
class Module(_Page):
    id: str          # "01_tensor"
    number: int      # 1
    title: str       # "Tensor"
    tier: str        # "Foundation"
    requires: tuple  # ("01_tensor", ...)
    package: str     # "core.tensor": the master's `#| default_exp`, tinytorch/core/tensor.py
    hours: float = 0  # the time a learner plans for it (0: not estimated yet)
    chapters = "modules"

    @property
    def master(self):
        return MASTERS / f"{self.id}.ipynb"

    @property
    def student(self):
        return NOTEBOOKS / f"{self.id}.ipynb"

    @property
    def exists(self):
        return self.master.exists()


@dataclass(frozen=True)
class Milestone(_Page):
    id: str      # "1958_perceptron"
    title: str
    after: str   # module id
    chapters = "milestones"

    @property
    def notebook(self):
        return MILESTONES / f"{self.id}.ipynb"

    @property
    def exists(self):
        return self.notebook.exists()


def _load():
    return tomllib.loads((NOTEBOOKS / "modules.toml").read_text(encoding="utf-8"))


def modules():
    """All 20 modules in course order."""
    reg = _load()
    tier_of = {m: t["name"] for t in reg["tier"] for m in t["modules"]}
    out = []
    for mid, info in reg["modules"].items():
        hours = info.get("hours", 0)
        if not isinstance(hours, (int, float)) or isinstance(hours, bool) or hours < 0:
            raise ValueError(f"notebooks/modules.toml: module {mid}'s hours must be a number of hours "
                             f"(0 or more), got {hours!r}")
        out.append(Module(mid, int(mid.split("_", 1)[0]), info["title"], tier_of[mid],
                          tuple(info["requires"]), info["package"], hours))
    return out


def tiers():
    """[(tier name, [Module, ...])] in course order."""
    mods = {m.id: m for m in modules()}
    return [(t["name"], [mods[mid] for mid in t["modules"]]) for t in _load()["tier"]]


def milestones():
    return [Milestone(mid, info["title"], info["after"]) for mid, info in _load()["milestones"].items()]


def module(module_id):
    """Look a module up by id ("01_tensor") or number ("1", "01")."""
    for m in modules():
        if module_id in (m.id, str(m.number), f"{m.number:02d}"):
            return m
    known = ", ".join(m.id for m in modules())
    raise KeyError(f"unknown module {module_id!r}; modules are: {known}")


def repository():
    """(url, branch) of the course repository from _config.yml's `repository`; url may be ""."""
    import yaml
    repo = (yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8")) or {}).get("repository") or {}
    return (repo.get("url") or "").strip().rstrip("/"), (repo.get("branch") or "main").strip()
