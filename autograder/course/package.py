"""The tinytorch package a graded notebook may import (the batch grader's and the grading wheel's).

It holds the repository's hand-written files, the exports of the masters of EARLIER modules
(reference code), and, for the module being graded and every later one, only their skeletons:
the names exist (so `import tinytorch` works and a master may import its own package file, as
03_layers does), but every solution is removed and a function whose body was a solution raises
NotImplementedError saying so.
"""
import ast
import shutil
from pathlib import Path

from tinytorch.export import collect_exports, render

from . import master, registry

UNAVAILABLE = "is not available while grading"


class _RaiseInEmptyFunctions(ast.NodeTransformer):
    """A function whose whole body was a solution raises a clear error instead of returning None."""

    def __init__(self, message):
        self.message = message

    def visit_FunctionDef(self, node):
        self.generic_visit(node)
        body = node.body[1:] if ast.get_docstring(node) is not None else node.body
        if body and all(isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant) and s.value.value is ...
                        for s in body):
            exc = ast.Call(ast.Name("NotImplementedError", ast.Load()), [ast.Constant(self.message)], [])
            node.body = node.body[:len(node.body) - len(body)] + [ast.Raise(exc, None)]
        return node

    visit_AsyncFunctionDef = visit_FunctionDef


def render_skeleton(nb, source_name, message):
    """Like tinytorch.export.render, but of the student's skeleton: every solution removed."""
    skeleton = {"cells": [dict(c, source=master.without_solutions(master.source(c))) if c.get("cell_type") == "code"
                          else c for c in nb.get("cells", [])]}
    files = {}
    for target, cells in collect_exports(skeleton).items():
        text = "\n\n\n".join(code for _, code in cells) + "\n"
        try:
            text = ast.unparse(_RaiseInEmptyFunctions(message).visit(ast.parse(text))) + "\n"
        except SyntaxError:
            pass
        files[target.replace(".", "/") + ".py"] = (f"# Skeleton of {source_name} (solutions removed) for grading.\n"
                                                   + text)
    return files


def _unavailable(dotted, module_id):
    return (f"the reference code of {dotted} {UNAVAILABLE} {module_id}: "
            "your notebook must use the code it defines itself")


def write_grading_package(package, master_path, module_id=None):
    """Write the tinytorch package for grading the master at `master_path` into the folder `package`.

    Returns the dotted module names of the graded module's files."""
    master_path, package = Path(master_path), Path(package)
    module_id = module_id or master_path.stem
    number = master.module_number(module_id)
    graded = master.read(master_path)
    sources = [(m.number, m.id, master.read(m.master), f"notebooks/masters/{m.id}.ipynb")
               for m in registry.modules() if m.exists and m.master.resolve() != master_path.resolve()]
    sources.append((number, module_id, graded, master_path.name))
    files, own = {}, []
    for n, mid, nb, name in sorted(sources, key=lambda s: (s[0], s[0] == number)):
        targets = sorted("tinytorch." + t for t in collect_exports(nb))
        if n < number:
            files.update(render(nb, name))
        else:
            files.update(render_skeleton(nb, name, _unavailable(", ".join(targets), module_id)))
        if nb is graded:
            own = targets
    generated = set(files)
    src = registry.ROOT / "tinytorch"
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src).as_posix()
        if path.is_file() and "__pycache__" not in path.parts and not rel.endswith((".bak", ".pyc", ".tmp")) \
                and ".bak-" not in path.name and rel not in generated:
            (package / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, package / rel)
    for rel, text in files.items():
        (package / rel).parent.mkdir(parents=True, exist_ok=True)
        (package / rel).write_text(text, encoding="utf-8")
    return own
