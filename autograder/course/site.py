"""Sphinx extension for the TinyTorch course site, driven by the course registry.

- ``{course-map}``: a mermaid diagram of tiers, modules, prerequisites and milestones, generated
  from notebooks/modules.toml, so the map never drifts from the course.
- Launch buttons at the top of every module chapter (book/modules/NN_name.md): JupyterLite (in
  the browser), Binder and Colab, all opening the module's student notebook notebooks/NN_name.ipynb.
- JupyterLite wiring for jupyterlite-sphinx: the student notebooks as contents, a ``tinytorch``
  wheel built from this repository in the site's own piplite index, and the Pyodide URL.

Settings (``sphinx: config:`` in _config.yml):
  tinytorch_pyodide_url   where JupyterLite loads Pyodide's pyodide.mjs (default: Pyodide's CDN)
  tinytorch_binderhub_url BinderHub for the Binder buttons (default https://mybinder.org)
  tinytorch_colab_url     Colab for the Colab buttons (default https://colab.research.google.com)
The repository the Binder and Colab buttons open is ``repository.url`` / ``repository.branch``
in _config.yml; while ``repository.url`` is empty, chapters show only the JupyterLite button.

Jupyter Book loads it as ``autograder.course.site`` (``sphinx: local_extensions:`` in _config.yml,
which also puts the repository root on Sphinx's path).
"""
import json
from pathlib import Path
from urllib.parse import quote

from docutils import nodes
from sphinx.util import logging
from sphinxcontrib.mermaid import Mermaid

from . import registry as course
from .wheel import build_wheel

logger = logging.getLogger(__name__)

PYODIDE_VERSION = "314.0.6"  # the Pyodide that jupyterlite-pyodide-kernel 0.8.6 is built for
DEFAULT_PYODIDE_URL = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/pyodide.mjs"
PYODIDE_KERNEL_PLUGIN = "@jupyterlite/pyodide-kernel-extension:kernel"
LITE_DIR = "lite"  # jupyterlite-sphinx's output folder inside the HTML output


# ----------------------------------------------------------------------------- course map

def course_map_code(docname):
    """Mermaid flowchart: one box per tier, top to bottom, prerequisite arrows, each milestone after its module.

    Arrows inside a tier are the registry's prerequisites; a tier as a whole builds on the tiers
    before it (drawn as one arrow between tiers, which keeps the map readable). Published modules
    (those with a master notebook) link to their chapter; the others are drawn as planned.
    """
    up = "../" * docname.count("/")
    mods = course.modules()
    node = {m.id: f"m{m.number:02d}" for m in mods}
    tier_of = {m.id: m.tier for m in mods}
    tiers = list(dict.fromkeys(m.tier for m in mods))
    lines = ["flowchart TB"]
    for tier in tiers:
        lines += [f'  subgraph {tier.lower()}["{tier}"]', "    direction TB"]
        for m in mods:
            if m.tier == tier:
                lines.append(f'    {node[m.id]}["{m.number:02d} {m.title}"]')
        for m in mods:
            if m.tier == tier:
                lines += [f"    {node[r]} --> {node[m.id]}" for r in m.requires if tier_of[r] == tier]
        for ms in course.milestones():
            if tier_of[ms.after] == tier:
                lines += [f'    ms_{ms.id}{{{{"{ms.title}"}}}}', f"    {node[ms.after]} -.-> ms_{ms.id}"]
        lines.append("  end")
    lines += [f"  {a.lower()} --> {b.lower()}" for a, b in zip(tiers, tiers[1:])]
    published = [m for m in mods if m.exists]
    lines += [f'  click {node[m.id]} href "{up}book/modules/{m.id}.html" "{m.title}"' for m in published]
    lines += ["  classDef published stroke-width:3px", "  classDef planned stroke-dasharray:4 3",
              "  classDef milestone font-style:italic"]
    for cls, ids in [("published", [node[m.id] for m in published]),
                     ("planned", [node[m.id] for m in mods if not m.exists]),
                     ("milestone", [f"ms_{ms.id}" for ms in course.milestones()])]:
        if ids:
            lines.append(f"  class {','.join(ids)} {cls}")
    return "\n".join(lines)


class CourseMap(Mermaid):
    """``{course-map}``: the course registry as a mermaid diagram."""

    has_content = False
    optional_arguments = 0

    def get_mm_code(self):
        env = self.state.document.settings.env
        env.note_dependency(str(course.NOTEBOOKS / "modules.toml"))
        for m in course.modules():  # a master that appears (or goes) changes the map
            env.note_dependency(str(m.master))
        return course_map_code(env.docname)

    def run(self):
        self.options.setdefault("alt", "Course map: the modules of each tier, their prerequisites and milestones")
        return super().run()


# ----------------------------------------------------------------------------- launch buttons

def _repository(config):
    theme = config.html_theme_options or {}
    url = (theme.get("repository_url") or "").strip().rstrip("/")
    if url.endswith(".git"):
        url = url[:-4]
    return url, (theme.get("repository_branch") or "main").strip()


def launch_links(config, module, docname):
    """[(label, url, css class)] for one module chapter: JupyterLite, then Binder and Colab."""
    up = "../" * docname.count("/")
    notebook = f"{module.id}.ipynb"
    links = [("Open in the browser (JupyterLite)", f"{up}{LITE_DIR}/notebooks/index.html?path={quote(notebook)}",
              "tt-launch-lite")]
    repo, branch = _repository(config)
    if not repo:
        return links
    path = f"notebooks/{notebook}"
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


def _module_of(docname):
    if not docname.startswith("book/modules/"):
        return None
    mid = docname.rsplit("/", 1)[1]
    return next((m for m in course.modules() if m.id == mid and m.exists), None)


def add_launch_buttons(app, doctree, docname):
    """Insert the launch buttons right under the title of each module chapter."""
    module = _module_of(docname)
    if module is None:
        return
    section = doctree.next_node(nodes.section)
    if section is None:
        logger.warning(f"{docname}: a module chapter needs a title; no launch buttons added", location=docname)
        return
    links = launch_links(app.config, module, docname)
    para = nodes.paragraph(classes=["tt-launch"])
    for label, url, cls in links:
        para += nodes.reference("", label, refuri=url, classes=["sd-btn", "sd-btn-primary", cls])
    note = nodes.paragraph(classes=["tt-launch-note"])
    note += nodes.Text(f"{'Each button opens' if len(links) > 1 else 'This opens'} the student notebook "
                       f"{module.id}.ipynb; run its first cell, which installs what it needs. See ")
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
    wheel = build_wheel(course.ROOT / "tinytorch", work / "wheels")
    lite_config = {"PipliteAddon": {"piplite_urls": [str(wheel)]}}
    lite_settings = {"jupyter-lite-schema-version": 0,
                     "jupyter-config-data": {"litePluginSettings": {
                         PYODIDE_KERNEL_PLUGIN: {"pyodideUrl": config.tinytorch_pyodide_url}}}}
    (work / "jupyter_lite_config.json").write_text(json.dumps(lite_config, indent=2) + "\n")
    (work / "jupyter-lite.json").write_text(json.dumps(lite_settings, indent=2) + "\n")
    config.jupyterlite_dir = str(work)
    config.jupyterlite_config = str(work / "jupyter_lite_config.json")
    config.jupyterlite_content_dir = str(work / "contents")
    config.jupyterlite_contents = [str(m.student) for m in course.modules() if m.exists and m.student.exists()]
    config.jupyterlite_bind_ipynb_suffix = False


# ----------------------------------------------------------------------------- page assets

WIDGETS_JS = "vendor/html-manager/embed-amd.js"  # as in nb_ipywidgets_js (_config.yml)


def page_assets(app, pagename, templatename, context, doctree):
    """Fix up a page's scripts once the other extensions have added theirs.

    - With Sphinx 7.4, sphinx-thebe 0.3.1 (loaded by Jupyter Book) ends up with its inline
      configuration script twice on every page; the second `const THEBE_JS_URL` is a page error.
      Keep one copy of each inline script.
    - The vendored ipywidgets HTML manager finds its fonts next to its AMD modules, which
      RequireJS would look for beside the page: point those module paths at the vendored copy.
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
        app.add_js_file(None, body=f"require.config({{paths: {json.dumps(paths)}}});",
                        priority=scripts[widgets[0]].priority)
        scripts.insert(widgets[0], scripts.pop())  # right before the manager (a stable sort keeps it there)


def setup(app):
    app.setup_extension("sphinxcontrib.mermaid")
    app.setup_extension("jupyterlite_sphinx")
    # jupyterlite-sphinx links a Google Fonts stylesheet on every page; the site needs no CDN.
    app.registry.css_files = [(f, a) for f, a in app.registry.css_files if "fonts.googleapis.com" not in (f or "")]
    app.connect("html-page-context", page_assets, priority=900)
    app.add_config_value("tinytorch_pyodide_url", DEFAULT_PYODIDE_URL, "env")
    app.add_config_value("tinytorch_binderhub_url", "https://mybinder.org", "env")
    app.add_config_value("tinytorch_colab_url", "https://colab.research.google.com", "env")
    app.add_directive("course-map", CourseMap)
    app.connect("config-inited", configure_jupyterlite, priority=400)  # before jupyterlite-sphinx's
    app.connect("doctree-resolved", add_launch_buttons)  # at write time: follows repository.url
    app.add_css_file("tinytorch.css")
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
