"""Building the course from its sources: the registry (notebooks/modules.toml) and the master
notebooks, turned into the package, the student notebooks, the book's pages and the site.

    registry.py   the registry and the paths derived from it (re-exported here: course.modules())
    master.py     the one reader of the master-notebook format (Otter assign)
    package.py    the tinytorch package a graded notebook sees (skeletons of the graded module)
    wheel.py      a tinytorch wheel from a package folder (the grading wheel, the site's piplite wheel)
    student.py    the student notebook and the Otter autograder zip (otter assign)
    reader.py     the book's page of a module or milestone: its chapter, then its notebook (solutions hidden)
    sync.py       regenerate every generated file, or check that none drifted
    site.py       the Sphinx extension of the course site (course map, launch buttons, JupyterLite)
    lite.py       what the in-browser Setup installs, resolved offline (lite-lock.json), and its wheels
"""
from .registry import BOOK, MASTERS, MILESTONES, NOTEBOOKS, ROOT, Milestone, Module, milestones, module, modules, tiers

__all__ = ["BOOK", "MASTERS", "MILESTONES", "NOTEBOOKS", "ROOT", "Milestone", "Module", "milestones", "module",
           "modules", "tiers"]
