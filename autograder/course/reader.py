"""The book's page of a module, book/notebooks/NN_name.ipynb, generated from its master."""
from . import master


def reader_notebook(master_nb):
    """The book's version of a master: tests and Otter cells removed, solutions hidden.

    Each solution cell still runs (so later cells have their outputs) but its input is removed
    from the page; in its place the reader sees the skeleton the student gets.
    """
    from otter.assign.solutions import replace_solutions

    out = {"cells": [], "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                                    "name": "python3"},
                                     "language_info": {"name": "python"}},
           "nbformat": 4, "nbformat_minor": 5}
    for cell in master.walk(master_nb):
        if cell.type == "raw" or cell.region == "tests":
            continue
        if cell.type == "markdown":
            out["cells"].append({"cell_type": "markdown", "metadata": {}, "source": cell.source})
            continue
        code = cell.source
        if cell.region == "solution" or "# BEGIN SOLUTION" in code or "# SOLUTION" in code:
            skeleton = master.strip_directives("\n".join(replace_solutions(code.splitlines(), "python")))
            out["cells"].append({"cell_type": "markdown", "metadata": {},
                                 "source": "```python\n" + skeleton + "\n```"})
            out["cells"].append(master.code_cell(code, tags=["remove-input"]))
        else:
            out["cells"].append(master.code_cell(master.strip_directives(code)))
    for i, cell in enumerate(out["cells"]):
        cell["id"] = f"cell-{i}"
    return out
