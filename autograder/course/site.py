"""Sphinx extension for the TinyTorch course site, driven by the course registry.

- ``{course-map}``: a mermaid diagram of tiers, modules, prerequisites and milestones, generated
  from notebooks/modules.toml, so the map never drifts from the course.
- ``{course-map} Tier``: the same for one tier (a tier page), and ``{tier-modules} Tier``: its modules
  with time estimates and status, and the milestones it unlocks.
- Launch buttons at the top of every module and milestone page (book/notebooks/<id>.ipynb):
  JupyterLite (in the browser), Binder and Colab, all opening the module's student notebook
  notebooks/NN_name.ipynb (or the milestone notebook), and a link to download that notebook.
- JupyterLite wiring for jupyterlite-sphinx: the student and milestone notebooks as contents, a ``tinytorch``
  wheel built from this repository in the site's own piplite index, and the Pyodide URL.
  A milestone notebook starts with the student notebooks' Setup cell (student.py), so it is
  served as stored, like a student notebook.

Settings (``sphinx: config:`` in _config.yml):
  tinytorch_pyodide_url   where JupyterLite loads Pyodide's pyodide.mjs (default: Pyodide's CDN)
  tinytorch_binderhub_url BinderHub for the Binder buttons (default https://mybinder.org)
  tinytorch_colab_url     Colab for the Colab buttons (default https://colab.research.google.com)
  tinytorch_released_modules  "all" (default) or the ids of the modules whose reference code the
                          site's tinytorch wheel carries; the others are skeletons there, so their
                          answers cannot be downloaded (see the instructor guide)
The repository the Binder and Colab buttons open is ``repository.url`` / ``repository.branch``
in _config.yml; while ``repository.url`` is empty, chapters show only the JupyterLite button.

Jupyter Book loads it as ``autograder.course.site`` (``sphinx: local_extensions:`` in _config.yml,
which also puts the repository root on Sphinx's path).
"""
import json
import os
import tempfile
from pathlib import Path
from urllib.parse import quote

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinxcontrib.mermaid import Mermaid

from . import lite, master
from . import registry as course
from .package import write_site_package
from .wheel import build_wheel

logger = logging.getLogger(__name__)

PYODIDE_VERSION = "314.0.6"  # the Pyodide that jupyterlite-pyodide-kernel 0.8.6 is built for
DEFAULT_PYODIDE_URL = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/pyodide.mjs"
PYODIDE_KERNEL_PLUGIN = "@jupyterlite/pyodide-kernel-extension:kernel"
LITE_DIR = "lite"  # jupyterlite-sphinx's output folder inside the HTML output


# ----------------------------------------------------------------------------- course map

def page_url(item):
    """A module's or milestone's book page, relative to the site root."""
    return f"book/notebooks/{item.id}.html"


def course_map_code(docname, only=None):
    """Mermaid flowchart: one box per tier, top to bottom, prerequisite arrows, each milestone after its module.

    Arrows inside a tier are the registry's prerequisites; a tier as a whole builds on the tiers
    before it (drawn as one arrow between tiers, which keeps the map readable). Published modules
    (those with a master notebook) and milestones link to their pages; the others are drawn as
    planned. `only`: one tier's name, to draw just its modules and milestones (a tier page), the
    planned ones marked "coming".
    """
    up = "../" * docname.count("/")
    mods = [m for m in course.modules() if only in (None, m.tier)]
    if not mods:
        raise ValueError(f"no tier named {only!r}; the tiers are: {', '.join(t for t, _ in course.tiers())}")
    node = {m.id: f"m{m.number:02d}" for m in mods}
    tier_of = {m.id: m.tier for m in mods}
    tiers = list(dict.fromkeys(m.tier for m in mods))
    stones = [ms for ms in course.milestones() if ms.after in tier_of]
    lines = ["flowchart TB"]
    for tier in tiers:
        lines += [f'  subgraph {tier.lower()}["{tier}"]', "    direction TB"]
        for m in mods:
            if m.tier == tier:
                coming = " (coming)" if only and not m.exists else ""
                lines.append(f'    {node[m.id]}["{m.number:02d} {m.title}{coming}"]')
        for m in mods:
            if m.tier == tier:
                lines += [f"    {node[r]} --> {node[m.id]}" for r in m.requires if tier_of.get(r) == tier]
        for ms in stones:
            if tier_of[ms.after] == tier:
                lines += [f'    ms_{ms.id}{{{{"{ms.title}"}}}}', f"    {node[ms.after]} -.-> ms_{ms.id}"]
        lines.append("  end")
    lines += [f"  {a.lower()} --> {b.lower()}" for a, b in zip(tiers, tiers[1:])]
    published = [m for m in mods if m.exists]
    lines += [f'  click {node[m.id]} href "{up}{page_url(m)}" "{m.title}"' for m in published]
    lines += [f'  click ms_{ms.id} href "{up}{page_url(ms)}" "{ms.title}"' for ms in stones if ms.exists]
    lines += ["  classDef published stroke-width:3px", "  classDef planned stroke-dasharray:4 3",
              "  classDef milestone font-style:italic"]
    for cls, ids in [("published", [node[m.id] for m in published]),
                     ("planned", [node[m.id] for m in mods if not m.exists]),
                     ("milestone", [f"ms_{ms.id}" for ms in stones])]:
        if ids:
            lines.append(f"  class {','.join(ids)} {cls}")
    return "\n".join(lines)


class CourseMap(Mermaid):
    """``{course-map}``: the course registry as a mermaid diagram; ``{course-map} Foundation``: one tier's."""

    has_content = False
    required_arguments = 0
    optional_arguments = 1
    final_argument_whitespace = True

    def get_mm_code(self):
        env = self.state.document.settings.env
        env.note_dependency(str(course.NOTEBOOKS / "modules.toml"))
        for m in course.modules():  # a master that appears (or goes) changes the map
            env.note_dependency(str(m.master))
        tier = self.arguments[0].strip() if self.arguments else None
        try:
            return course_map_code(env.docname, tier)
        except ValueError as e:
            raise self.error(f"course-map: {e}") from None

    def run(self):
        what = f"the {self.arguments[0]} tier" if self.arguments else "the modules of each tier"
        self.options.setdefault("alt", f"Course map: {what}, their prerequisites and milestones")
        classes = ["tt-course-map"] + ([] if self.arguments else ["tt-course-map-full"])  # see tinytorch.css
        return [nodes.container("", *super().run(), classes=classes)]


def tier_table_md(tier):
    """MyST markdown lines for a tier page: its modules (hours, prerequisites, status), the total
    time and the milestones it unlocks, from the registry."""
    tiers = dict(course.tiers())
    if tier not in tiers:
        raise ValueError(f"no tier named {tier!r}; the tiers are: {', '.join(tiers)}")
    every = {m.id: m for m in course.modules()}

    def name(m):
        label = f"{m.number:02d} · {m.title}"
        return f"{{doc}}`{label} </{page_url(m)[:-5]}>`" if m.exists else label

    lines = ["| Module | Hours | Builds on | Status |", "|---|---|---|---|"]
    for m in tiers[tier]:
        needs = ", ".join(f"{every[r].number:02d} {every[r].title}" for r in m.requires) or "nothing: start here"
        lines.append(f"| {name(m)} | {f'{m.hours:g}' if m.hours else '?'} | {needs} | "
                     f"{'ready' if m.exists else 'coming'} |")
    total = sum(m.hours for m in tiers[tier])
    lines += ["", f"About **{total:g} hours** in all, over {len(tiers[tier])} modules.", ""]
    stones = [ms for ms in course.milestones() if every[ms.after].tier == tier]
    if stones:
        lines += ["Milestones this tier unlocks:", ""]
        for ms in stones:
            link = f"{{doc}}`{ms.title} </{page_url(ms)[:-5]}>`" if ms.exists else f"{ms.title} (coming)"
            lines.append(f"- {link}, after {every[ms.after].number:02d} {every[ms.after].title}")
    return lines


class TierTable(SphinxDirective):
    """``{tier-modules} Foundation``: the tier's modules, time estimates and milestones (from the registry)."""

    required_arguments = 1
    final_argument_whitespace = True

    def run(self):
        self.env.note_dependency(str(course.NOTEBOOKS / "modules.toml"))
        for m in course.modules():
            self.env.note_dependency(str(m.master))
        try:
            lines = tier_table_md(self.arguments[0].strip())
        except ValueError as e:
            raise self.error(f"tier-modules: {e}") from None
        box = nodes.container(classes=["tt-tier"])
        self.state.nested_parse(StringList(lines, source=self.env.docname), self.content_offset, box)
        return [box]


# ----------------------------------------------------------------------------- launch buttons

def _repository(config):
    theme = config.html_theme_options or {}
    url = (theme.get("repository_url") or "").strip().rstrip("/")
    if url.endswith(".git"):
        url = url[:-4]
    return url, (theme.get("repository_branch") or "main").strip()


def notebook_of(item):
    """The notebook a module's or milestone's page launches: the student notebook, or the milestone's."""
    return item.student if isinstance(item, course.Module) else item.notebook


def launch_links(config, item, docname):
    """[(label, url, css class)] for one module or milestone page: JupyterLite, then Binder and Colab."""
    up = "../" * docname.count("/")
    notebook = notebook_of(item).name
    links = [("Open in the browser (JupyterLite)", f"{up}{LITE_DIR}/notebooks/index.html?path={quote(notebook)}",
              "tt-launch-lite")]
    repo, branch = _repository(config)
    if not repo:
        return links
    path = notebook_of(item).relative_to(course.ROOT).as_posix()
    binder = config.tinytorch_binderhub_url.rstrip("/")
    if repo.startswith("https://github.com/"):
        slug = repo[len("https://github.com/"):]
        links.append(("Open on Binder", f"{binder}/v2/gh/{slug}/{quote(branch)}?urlpath={quote('lab/tree/' + path)}",
                      "tt-launch-binder"))
        colab = config.tinytorch_colab_url.rstrip("/")
        links.append(("Open in Colab", f"{colab}/github/{slug}/blob/{quote(branch)}/{path}", "tt-launch-colab"))
    else:  # any other git host: Binder's generic git provider (Colab opens GitHub notebooks only)
        links.append(("Open on Binder", f"{binder}/v2/git/{quote(repo, safe='')}/{quote(branch)}"
                      f"?urlpath={quote('lab/tree/' + path)}", "tt-launch-binder"))
    return links


def _item_of(docname):
    """The published module or milestone whose book page `docname` is, or None."""
    if not docname.startswith("book/notebooks/"):
        return None
    name = docname.rsplit("/", 1)[1]
    return next((x for x in [*course.modules(), *course.milestones()] if x.id == name and x.exists), None)


def download_link(item, docname):
    """(label, url) of the notebook's copy in the site's JupyterLite files, to save and open anywhere."""
    name = notebook_of(item).name
    return f"Download {name}", f"{'../' * docname.count('/')}{LITE_DIR}/files/{quote(name)}"


def add_launch_buttons(app, doctree, docname):
    """Insert the launch buttons and the download link right under the title of each module and milestone page."""
    item = _item_of(docname)
    if item is None:
        return
    section = doctree.next_node(nodes.section)
    if section is None:
        logger.warning(f"{docname}: a module or milestone page needs a title; no launch buttons added",
                       location=docname)
        return
    links = launch_links(app.config, item, docname)
    para = nodes.paragraph(classes=["tt-launch"])
    for label, url, cls in links:
        para += nodes.reference("", label, refuri=url, classes=["sd-btn", "sd-btn-primary", cls])
    label, url = download_link(item, docname)
    para += nodes.raw("", f'<a class="sd-btn sd-btn-outline-primary tt-download" href="{url}" '
                          f'download>{label}</a>', format="html")
    which = "the student notebook" if isinstance(item, course.Module) else "the milestone notebook"
    note = nodes.paragraph(classes=["tt-launch-note"])
    note += nodes.Text(f"{'Each button opens' if len(links) > 1 else 'The first button opens'} {which} "
                       f"{notebook_of(item).name}; run its first cell, which installs what it needs. See ")
    howto = "../" * docname.count("/") + "book/howto.html"
    note += nodes.reference("", "How to take this course", refuri=howto)
    note += nodes.Text(".")
    section.insert(1, nodes.container("", para, note, classes=["tt-launch-box"]))


# ----------------------------------------------------------------------------- JupyterLite

def configure_jupyterlite(app, config):
    """Point jupyterlite-sphinx at generated lite settings, the wheel and the student notebooks.

    Everything is written under the build folder (next to the HTML output), never into the sources.
    """
    work = Path(app.outdir).parent / "jupyterlite"
    wheel = site_wheel(work / "wheels", config.tinytorch_released_modules)
    # otter-grader and the pure-Python packages it needs that Pyodide lacks (lite.py): downloaded
    # once into _build/piplite-wheels, so students' Setup needs only the site and Pyodide's URL.
    lite_config = {"PipliteAddon": {"piplite_urls": [str(wheel), *map(str, lite.fetch_wheels())]}}
    lite_settings = {"jupyter-lite-schema-version": 0,
                     "jupyter-config-data": {"litePluginSettings": {
                         PYODIDE_KERNEL_PLUGIN: {"pyodideUrl": config.tinytorch_pyodide_url}}}}
    (work / "jupyter_lite_config.json").write_text(json.dumps(lite_config, indent=2) + "\n")
    (work / "jupyter-lite.json").write_text(json.dumps(lite_settings, indent=2) + "\n")
    config.jupyterlite_dir = str(work)
    config.jupyterlite_config = str(work / "jupyter_lite_config.json")
    config.jupyterlite_content_dir = str(work / "contents")
    config.jupyterlite_contents = [str(m.student) for m in course.modules() if m.exists and m.student.exists()] + [
        str(ms.notebook) for ms in course.milestones() if ms.exists]
    config.jupyterlite_bind_ipynb_suffix = False


def released(setting):
    """The module ids whose reference code the site's tinytorch carries: "all", or a list of ids."""
    ids = [m.id for m in course.modules() if m.exists]
    if setting == "all":
        return set(ids)
    chosen = {course.module(str(x)).id for x in (setting or [])}  # KeyError names an unknown module
    return chosen & set(ids)


def site_wheel(dest, setting):
    """The tinytorch wheel for JupyterLite: the repository's package when every module is released,
    else one whose unreleased modules are skeletons (package.write_site_package)."""
    try:
        chosen = released(setting)
    except KeyError as e:
        raise ValueError(f"tinytorch_released_modules in _config.yml: {e.args[0]}") from None
    if chosen == released("all"):
        return build_wheel(course.ROOT / "tinytorch", dest)
    with tempfile.TemporaryDirectory() as tmp:
        write_site_package(Path(tmp) / "tinytorch", chosen)
        return build_wheel(Path(tmp) / "tinytorch", dest, what="the site's tinytorch wheel")


# ----------------------------------------------------------------------------- page assets

WIDGETS_JS = "vendor/html-manager/embed-amd.js"  # as in nb_ipywidgets_js (_config.yml)
# MathJax 2's Hub.Queue(["Typeset", Hub, element]), which the widgets call, on top of MathJax 3
# (set once MathJax 3 has replaced its configuration object, before the widgets render).
MATHJAX2_QUEUE = ("\ndocument.addEventListener('DOMContentLoaded', function () {"
                  " var M = window.MathJax; if (!M || M.Hub) return;"
                  " M.Hub = {Queue: function (job) { if (M.typesetPromise) M.typesetPromise(job && job[2] ? [job[2]] : undefined)"
                  ".catch(function (e) { console.warn('MathJax:', e); }); }}; });")


def page_assets(app, pagename, templatename, context, doctree):
    """Fix up a page's scripts once the other extensions have added theirs.

    - With Sphinx 7.4, sphinx-thebe 0.3.1 (loaded by Jupyter Book) ends up with its inline
      configuration script twice on every page; the second `const THEBE_JS_URL` is a page error.
      Keep one copy of each inline script.
    - The vendored ipywidgets HTML manager finds its fonts next to its AMD modules, which
      RequireJS would look for beside the page: point those module paths at the vendored copy.
    - The manager typesets a widget's text with MathJax 2's `MathJax.Hub.Queue`; the site loads
      MathJax 3, so on a page with math every widget was a page error. Give it that one call.
    """
    scripts = context.get("script_files", [])
    seen, kept = set(), []
    for js in scripts:
        body = getattr(js, "attributes", {}).get("body")
        if body and body in seen:
            continue
        seen.add(body)
        kept.append(js)
    scripts[:] = kept  # in place: the builder keeps adding to this list
    widgets = [i for i, js in enumerate(scripts) if str(js.filename or "").endswith(WIDGETS_JS)]
    if widgets:
        vendor = context["pathto"]("_static/" + WIDGETS_JS.rsplit("/", 1)[0], resource=True)
        paths = {"@jupyter-widgets/html-manager/dist": vendor, "@jupyter-widgets": vendor}
        app.add_js_file(None, body=f"require.config({{paths: {json.dumps(paths)}}});" + MATHJAX2_QUEUE,
                        priority=scripts[widgets[0]].priority)
        scripts.insert(widgets[0], scripts.pop())  # right before the manager (a stable sort keeps it there)


# One BLAS/OpenMP thread for the notebooks the book build executes: the kernels myst-nb starts
# inherit this process's environment. On a small machine, NumPy's default of a thread per core
# made the 1986 milestone 18x slower (48 s against 2.6 s), and builds share their machine.
BUILD_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
                     "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


def one_blas_thread(app=None, config=None):
    """Make the notebooks executed by this build use one BLAS thread (config-inited hook)."""
    os.environ.update(dict.fromkeys(BUILD_THREAD_VARS, "1"))


def setup(app):
    app.setup_extension("sphinxcontrib.mermaid")
    app.setup_extension("jupyterlite_sphinx")
    # jupyterlite-sphinx links a Google Fonts stylesheet on every page; the site needs no CDN.
    app.registry.css_files = [(f, a) for f, a in app.registry.css_files if "fonts.googleapis.com" not in (f or "")]
    app.connect("html-page-context", page_assets, priority=900)
    app.add_config_value("tinytorch_pyodide_url", DEFAULT_PYODIDE_URL, "env")
    app.add_config_value("tinytorch_binderhub_url", "https://mybinder.org", "env")
    app.add_config_value("tinytorch_colab_url", "https://colab.research.google.com", "env")
    app.add_config_value("tinytorch_released_modules", "all", "env")
    app.add_directive("course-map", CourseMap)
    app.add_directive("tier-modules", TierTable)
    app.connect("config-inited", one_blas_thread)
    app.connect("config-inited", configure_jupyterlite, priority=400)  # before jupyterlite-sphinx's
    app.connect("doctree-resolved", add_launch_buttons)  # at write time: follows repository.url
    app.add_css_file("tinytorch.css")
    app.add_css_file("tinytorch-code.css")  # 88-column code blocks fit at 1280 px
    app.add_js_file("tinytorch-toggles.js", loading_method="defer")  # sidebar toggles on small screens
    app.add_js_file("tinytorch-lite-check.js", loading_method="defer")  # warn when Pyodide is unreachable
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
