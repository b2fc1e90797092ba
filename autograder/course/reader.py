"""The book's page of a module or milestone, book/notebooks/<id>.ipynb, generated.

One page per module and per milestone: the hand-written chapter (book/modules/NN_name.md or
book/milestones/<id>.md: what it builds, objectives, how to work on it) on top, then the
notebook itself, executed when the book is built. The notebook's title becomes the heading
"The notebook: ..." and its other headings move one level down, so the chapter's title is the
page's only title.
"""
import re

from . import master

KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
HEADING = re.compile(r"^(#{1,6})(\s.*)$")

# The in-place console of a module page: collapsed, and JupyterLite starts only when asked.
TRY_IT = """\
````{{dropdown}} Try it here: a Python console in this page
:class-container: tt-try-it

A console running Python in your browser, like the notebook's JupyterLite. Its first cell
installs `tinytorch` from this site (a minute the first time, online); then try the
chapter's ideas on inputs of your own. Nothing you type here is saved.

```{{replite}}
:kernel: python
:height: 420px
:prompt: Start the console
:prompt_color: var(--pst-color-surface)
:execute: False
{code}
```
````"""
TRY_IT_CODE = ('import piplite\nawait piplite.install("tinytorch")\nimport tinytorch as tt\n'
               'x = tt.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)\nprint(x @ x)')


def chapter_cells(prose):
    """The chapter's markdown (its front matter dropped) as the page's first cell."""
    if prose.startswith("---\n"):
        prose = prose.split("\n---\n", 1)[1] if "\n---\n" in prose else prose
    title = next((line for line in prose.splitlines() if line.startswith("# ")), None)
    if title is None:
        raise ValueError("a chapter must start with a `# Title` line (the page's title); found none")
    return [{"cell_type": "markdown", "metadata": {}, "source": prose.strip("\n")}]


def demote_headings(text, notebook):
    """A notebook's markdown with every heading one level down; its `# Title` becomes
    `## The notebook: Title`. Lines inside code fences are left alone."""
    out, fence = [], None
    for line in text.split("\n"):
        opened = FENCE.match(line)
        if fence is None and opened:
            fence = opened.group(1)[0] * 3
        elif fence is not None and line.strip().startswith(fence):
            fence = None
        heading = HEADING.match(line) if fence is None and not opened else None
        if heading and len(heading.group(1)) == 1:
            line = f"## The notebook:{heading.group(2)}\n\nBelow is `{notebook}` run from top to bottom."
        elif heading:
            line = "#" * min(len(heading.group(1)) + 1, 6) + heading.group(2)
        out.append(line)
    return "\n".join(out)


def _markdown(text):
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def _finish(cells):
    for i, cell in enumerate(cells):
        cell["id"] = f"cell-{i}"
    return {"cells": cells, "metadata": {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


def reader_notebook(master_nb, prose=None, notebook="the notebook", try_it=True):
    """The book's page of a module: the chapter `prose` (markdown, or None), a collapsed console
    (`try_it`), then the master with tests and Otter cells removed and solutions hidden.

    Each solution cell still runs (so later cells have their outputs) but its input is removed
    from the page; in its place the reader sees the skeleton the student gets.
    """
    from otter.assign.solutions import replace_solutions

    cells = chapter_cells(prose) if prose is not None else []
    if try_it:
        cells.append(_markdown(TRY_IT.format(code=TRY_IT_CODE)))
    for cell in master.walk(master_nb):
        if cell.type == "raw" or cell.region == "tests":
            continue
        if cell.type == "markdown":
            cells.append(_markdown(demote_headings(cell.source, notebook) if prose is not None else cell.source))
            continue
        code = cell.source
        if cell.region == "solution" or "# BEGIN SOLUTION" in code or "# SOLUTION" in code:
            skeleton = master.strip_directives("\n".join(replace_solutions(code.splitlines(), "python")))
            cells.append(_markdown("```python\n" + skeleton + "\n```"))
            cells.append(master.code_cell(code, tags=["remove-input"]))
        else:
            cells.append(_shown_cell(cell))
    return _finish(cells)


def _shown_cell(cell):
    """A plain code cell of the master as the page runs it, keeping its display metadata: `tags`
    (`remove-input` shows a figure without its drawing code) and `mystnb` (e.g. a figure's alt text)."""
    out = master.code_cell(master.strip_directives(cell.source), tags=cell.data.get("metadata", {}).get("tags", ()))
    if "mystnb" in cell.data.get("metadata", {}):
        out["metadata"]["mystnb"] = cell.data["metadata"]["mystnb"]
    return out


def milestone_page(notebook_nb, prose, notebook):
    """The book's page of a milestone: its chapter `prose`, then its notebook's cells (outputs
    dropped: the book runs it), but not the Setup cell, which installs tinytorch where the page's
    launch buttons open the notebook (as module pages leave out the student notebook's)."""
    cells = chapter_cells(prose)
    for cell in notebook_nb["cells"]:
        if "tinytorch-setup" in cell.get("metadata", {}).get("tags", []):
            continue
        text = master.source(cell)
        if cell["cell_type"] == "markdown":
            cells.append(_markdown(demote_headings(text, notebook)))
        elif cell["cell_type"] == "code":
            cells.append(master.code_cell(text, tags=list(cell.get("metadata", {}).get("tags", []))))
    return _finish(cells)
