"""The codebase's layout rules: where each module's code lives, no import cycles, small files."""
import ast
import json
import re
from pathlib import Path

import pytest

from autograder import course

ROOT = course.ROOT
# Top-level places in tinytorch/ a module's code may go (CONTRIBUTING.md, "Where code goes"):
# core/ for code that records ops, otherwise a package named as in PyTorch.
PLACES = {"core", "nn", "optim", "data", "datasets", "training", "text", "models", "profiler",
          "quantization", "accel", "utils", "viz"}
MAX_LINES = 420  # "about 400": one concern per file


def _default_exp(master):
    for cell in json.loads(master.read_text(encoding="utf-8"))["cells"]:
        src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        m = re.search(r"^#\|\s*default_exp\s+(\S+)", src, re.M)
        if cell["cell_type"] == "code" and m:
            return m.group(1)
    return None


def test_every_module_has_a_place_in_the_package():
    packages = [m.package for m in course.modules()]
    assert len(set(packages)) == len(packages), f"two modules share a package file: {packages}"
    for m in course.modules():
        assert re.fullmatch(r"[a-z_]+(\.[a-z_]+)+", m.package), f"{m.id}: package {m.package!r} is not a dotted path"
        assert m.package.split(".")[0] in PLACES, \
            f"{m.id}: package {m.package!r} is not under one of {sorted(PLACES)} (see CONTRIBUTING.md)"


@pytest.mark.parametrize("module", [m for m in course.modules() if m.exists], ids=lambda m: m.id)
def test_master_exports_to_its_registered_package(module):
    assert _default_exp(module.master) == module.package, (
        f"{module.id}: the master's `#| default_exp` is {_default_exp(module.master)!r} but "
        f"notebooks/modules.toml says package = {module.package!r}")


def _module_name(path, top):
    rel = path.relative_to(top.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


# Imports inside a function that go "forward" in the course on purpose: Tensor.backward (module 01)
# calls the engine of module 06, which a student exports later. Every other import counts, at
# module level or inside a function.
LATE_IMPORTS = {("tinytorch.core.tensor", "tinytorch.core.autograd")}


def _import_graph(top):
    """{module: {modules it imports}} for the package folder `top`, imports inside functions too."""
    modules = {_module_name(p, top): p for p in top.rglob("*.py") if "__pycache__" not in p.parts}
    graph = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        deps = set()
        stack = list(tree.body)
        while stack:
            node = stack.pop()
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1] + ([base] if base else []))
                targets = [base] + [f"{base}.{a.name}" for a in node.names]
            else:
                stack.extend(ast.iter_child_nodes(node))
                continue
            for t in targets:
                while t and t not in modules:
                    t = t.rpartition(".")[0]
                if t and t != name and (name, t) not in LATE_IMPORTS:
                    deps.add(t)
        graph[name] = deps
    return graph


def _cycle(graph):
    state, path = {}, []

    def visit(node):
        state[node] = "open"
        path.append(node)
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == "open":
                return path[path.index(dep):] + [dep]
            if dep not in state:
                found = visit(dep)
                if found:
                    return found
        state[node] = "done"
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def _parent_packages(name):
    parts = name.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts))}


@pytest.mark.parametrize("package", ["tinytorch", "autograder"])
def test_no_import_cycles(package):
    graph = _import_graph(ROOT / package)
    # Importing a.b.c runs a/__init__.py and a/b/__init__.py first: a package's __init__ that
    # imports its own submodules is not a cycle through them, so those edges are left out.
    graph = {n: {d for d in deps if d not in _parent_packages(n)} for n, deps in graph.items()}
    cycle = _cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_cycle_finder_finds_cycles():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize("folder", ["tinytorch", "autograder", "benchmarks"])
def test_source_files_stay_small(folder):
    long = {str(p.relative_to(ROOT)): n for p in sorted((ROOT / folder).rglob("*.py"))
            if "__pycache__" not in p.parts and (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"files over {MAX_LINES} lines (split them by concern): {long}"
