"""The package the course site serves (JupyterLite) carries the reference code of released
modules only: an unreleased module is a skeleton there, so its answers cannot be downloaded."""
import ast

import pytest

from autograder import course
from autograder.course import master, package
from tests.pipeline import nbtools

PUBLISHED = [m for m in course.modules() if m.exists]


CONTROL = ("if ", "elif ", "else", "for ", "while ", "try", "except", "with ", "def ", "class ", "return ", "super(")


def _parses(line):
    try:
        ast.parse(line)
        return True
    except SyntaxError:  # a fragment of a wrapped statement, e.g. `dtype=dtype)`
        return False


def _distinctive(lines):
    """Solution lines that compute something on their own (not `except ValueError:`,
    `super().__init__()` or the tail of a wrapped call)."""
    return {line for line in lines if not line.startswith(CONTROL) and _parses(line)
            and any(op in line.replace("==", "") for op in ("=", "+", "*", "/", "@", " - "))}


def _package_text(folder):
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.py")))


@pytest.mark.parametrize("released", [2, 5])
def test_unreleased_modules_are_skeletons_in_the_site_package(tmp_path, released):
    out, unreleased = tmp_path / "tinytorch", PUBLISHED[released:]
    package.write_site_package(out, {m.id for m in PUBLISHED[:released]})
    text = _package_text(out)
    secrets = _distinctive(nbtools.solution_lines(*(master.read(m.master) for m in unreleased)))
    shown = nbtools.solution_lines(*(master.read(m.master) for m in PUBLISHED[:released]))
    leaked = sorted(line for line in secrets - shown if line in text)
    assert not leaked, f"{len(leaked)} solution lines of unreleased modules in the site package, e.g. {leaked[:3]}"
    assert any(line in text for line in shown), "the released modules' reference code is missing"
    assert "is not released on this course site yet" in text
    assert "withheld with it" in (out / "accel" / "optim.py").read_text()  # Adam's kernel restates 07's answer


def test_everything_released_is_the_repository_package(tmp_path):
    package.write_site_package(tmp_path / "tinytorch", {m.id for m in PUBLISHED})
    repo = course.ROOT / "tinytorch"
    for path in sorted((tmp_path / "tinytorch").rglob("*.py")):
        assert path.read_text(encoding="utf-8") == (repo / path.relative_to(tmp_path / "tinytorch")).read_text(
            encoding="utf-8"), path


def test_the_site_wheel_follows_the_released_setting(tmp_path):
    import zipfile

    from autograder.course import site
    wheel = site.site_wheel(tmp_path / "wheels", ["01_tensor", "02_activations"])
    with zipfile.ZipFile(wheel) as z:
        text = "\n".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".py"))
    secrets = _distinctive(nbtools.solution_lines(*(master.read(m.master) for m in PUBLISHED[2:])))
    shown = nbtools.solution_lines(*(master.read(m.master) for m in PUBLISHED[:2]))
    assert not [line for line in secrets - shown if line in text]
    assert "is not released on this course site yet" in text
    with pytest.raises(ValueError, match="tinytorch_released_modules in _config.yml: .*99_nothing"):
        site.site_wheel(tmp_path / "wheels", ["99_nothing"])
