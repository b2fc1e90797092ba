"""The tinytorch packages built from the masters: the one a graded notebook may import (the batch
grader's and the grading wheel's) and the one the course site serves.

The grading package holds the repository's hand-written files, the exports of the masters of
EARLIER modules (reference code), and, for the module being graded and every later one, only
their skeletons: the names exist (so `import tinytorch` works and a master may import its own
package file, as 03_layers does), but every solution is removed and a function whose body was a
solution raises NotImplementedError saying so. The site package is the same with the released
modules as reference code. In both, an accel kernel that restates withheld code is withheld too.
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
        files[target.replace(".", "/") + ".py"] = (f"# Skeleton of {source_name} (solutions removed).\n"
                                                   + text)
    return files


def _unavailable(dotted, module_id):
    return (f"the reference code of {dotted} {UNAVAILABLE} {module_id}: "
            "your notebook must use the code it defines itself")


def write_grading_package(package, master_path, module_id=None):
    """Write the tinytorch package for grading the master at `master_path` into the folder `package`.

    Returns the dotted module names of the graded module's files."""
    master_path = Path(master_path)
    module_id = module_id or master_path.stem
    number = master.module_number(module_id)
    graded = master.read(master_path)
    sources = [(m.number, m.id, master.read(m.master), f"notebooks/masters/{m.id}.ipynb")
               for m in registry.modules() if m.exists and m.master.resolve() != master_path.resolve()]
    sources.append((number, module_id, graded, master_path.name))
    sources.sort(key=lambda s: (s[0], s[0] == number))
    _write(package, sources, lambda n, mid: n < number, lambda targets: _unavailable(targets, module_id))
    return sorted("tinytorch." + t for t in collect_exports(graded))


def write_site_package(package, released):
    """Write the tinytorch package the course site serves (JupyterLite) into the folder `package`:
    the reference code of the modules whose ids are in `released`, skeletons of the others."""
    sources = [(m.number, m.id, master.read(m.master), f"notebooks/masters/{m.id}.ipynb")
               for m in registry.modules() if m.exists]
    _write(package, sources, lambda n, mid: mid in released,
           lambda targets: f"the reference code of {targets} is not released on this course site yet")


def _write(package, sources, reference, message):
    """Write the package: `sources` ((number, id, master, name), in order) exported as reference
    code where reference(number, id) holds, as skeletons raising message(targets) elsewhere, plus
    the repository's hand-written files."""
    package = Path(package)
    files, withheld = {}, set()
    for n, mid, nb, name in sources:
        if reference(n, mid):
            files.update(render(nb, name))
        else:
            targets = sorted("tinytorch." + t for t in collect_exports(nb))
            files.update(render_skeleton(nb, name, message(", ".join(targets))))
            withheld.update(targets)
    for path in sorted((registry.ROOT / "tinytorch" / "accel").glob("*.py")):
        if path.name != "__init__.py" and _imports(path) & withheld:  # a kernel restates the code it replaces
            files[f"accel/{path.name}"] = (f'"""Kernels that replace code of {", ".join(sorted(_imports(path) & withheld))}: '
                                           'withheld with it (none registered)."""\n')
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


def _imports(path):
    """The tinytorch modules a file imports from (dotted names)."""
    tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    return ({n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
            | {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names})
