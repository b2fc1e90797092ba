"""Export a module notebook's `#| export` cells into the tinytorch package.

    from tinytorch.export import export_notebook
    export_notebook("01_tensor.ipynb")              # into the tinytorch you imported
    export_notebook("01_tensor.ipynb", "my-copy/")  # into another checkout's tinytorch/

A notebook names its default target once, `#| default_exp core.tensor`, and marks each cell
to export with `#| export` (or `#| export core.other` for another file). Otter's solution
markers are stripped, so the same function exports the master notebook and a student's own.
Nothing here needs threads or subprocesses: it runs in the browser too.
"""
import ast
import json
import os
import re
from pathlib import Path

_DIRECTIVE = re.compile(r"^#\|\s*(default_exp|export)\b\s*(\S*)\s*$")
_MARKER_LINE = re.compile(r"^\s*# (BEGIN|END) SOLUTION( NO PROMPT)?\s*$")
_SOLUTION_SUFFIX = re.compile(r"\s*# SOLUTION( NO PROMPT)?\s*$")


class ExportError(Exception):
    """A notebook that cannot be exported; the message names the cell and the problem."""


def _source(cell):
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def strip_otter_markers(code):
    """Remove Otter's solution and prompt markers, keeping the solution code."""
    kept, in_prompt = [], False
    for line in code.splitlines():
        stripped = line.rstrip()
        if stripped.endswith("# BEGIN PROMPT"):
            in_prompt = True
            continue
        if stripped.endswith("# END PROMPT"):
            in_prompt = False
            continue
        if in_prompt or _MARKER_LINE.match(line) or stripped.endswith("# IGNORE"):
            continue
        kept.append(_SOLUTION_SUFFIX.sub("", line))
    return "\n".join(kept)


def collect_exports(nb):
    """{target module ("core.tensor"): [code, ...]} from a notebook dict, in cell order."""
    default, exports = None, {}
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        lines = _source(cell).splitlines()
        body, target = [], None
        for line in lines:
            m = _DIRECTIVE.match(line)
            if not m:
                body.append(line)
            elif m.group(1) == "default_exp":
                default = m.group(2)
            else:
                target = m.group(2) or default or ""
        if target is None:
            continue
        if not target:
            raise ExportError(f"cell {index + 1} (counting from 1): `#| export` before any "
                              f"`#| default_exp <module>` line")
        exports.setdefault(target, []).append((index, strip_otter_markers("\n".join(body)).strip("\n")))
    return exports


def _unfinished(code):
    """Line number of a bare `...` placeholder left in `code`, or None."""
    for node in ast.walk(ast.parse(code)):
        value = getattr(node, "value", None)
        if isinstance(node, (ast.Expr, ast.Assign, ast.Return)) and isinstance(value, ast.Constant) \
                and value.value is Ellipsis:
            return node.lineno
    return None


def _cell(source_name, index, code):
    """Where a cell is, as a person finds it: counted from 1, with its first line of code."""
    first = next((l.strip() for l in code.splitlines() if l.strip()), "")
    return f"{source_name}, cell {index + 1} (counting from 1; it starts `{first[:60]}`)"


def render(nb, source_name):
    """{relative path ("core/tensor.py"): file text} for a notebook dict."""
    files = {}
    for target, cells in collect_exports(nb).items():
        chunks = []
        for index, code in cells:
            try:
                line = _unfinished(code)
            except SyntaxError as e:
                raise ExportError(f"{_cell(source_name, index, code)}: syntax error on line {e.lineno}: "
                                  f"{e.msg}") from None
            if line is not None:
                raise ExportError(f"{_cell(source_name, index, code)}: line {line} is still `...` — "
                                  f"finish the exercise before exporting")
            chunks.append(code)
        header = (f"# Generated from {source_name} by tinytorch.export: edit the notebook, not this file.\n")
        files[target.replace(".", "/") + ".py"] = header + "\n\n\n".join(chunks) + "\n"
    return files


def _write_atomic(path, text):
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def export_notebook(notebook, package_dir=None, source_name=None):
    """Write the notebook's exported cells into `package_dir` (default: this tinytorch).

    `package_dir` may be a checkout (containing `tinytorch/`) or the package folder itself.
    Returns the paths written. A previous file is kept once as `<name>.py.bak`.
    """
    notebook = Path(notebook)
    try:
        nb = json.loads(notebook.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ExportError(f"{notebook}: no such notebook") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ExportError(f"{notebook}: not a readable .ipynb file ({e})") from None
    root = Path(package_dir) if package_dir is not None else Path(__file__).parent
    if (root / "tinytorch").is_dir():
        root = root / "tinytorch"
    written = []
    files = render(nb, source_name or notebook.name)
    if not files:
        raise ExportError(f"{notebook}: no `#| export` cells found")
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        backup = path.with_name(path.name + ".bak")
        if path.exists() and not backup.exists():
            backup.write_bytes(path.read_bytes())
        _write_atomic(path, text)
        written.append(path)
    return written


def main(argv=None):
    """python -m tinytorch.export NOTEBOOK.ipynb [--to DIR]"""
    import argparse
    import sys
    parser = argparse.ArgumentParser(prog="python -m tinytorch.export",
                                     description="Export a finished module notebook into a tinytorch checkout.")
    parser.add_argument("notebook")
    parser.add_argument("--to", default=None, help="checkout or package folder (default: the imported tinytorch)")
    args = parser.parse_args(argv)
    try:
        for path in export_notebook(args.notebook, args.to):
            print(f"wrote {path}")
    except ExportError as e:
        print(f"export failed: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
