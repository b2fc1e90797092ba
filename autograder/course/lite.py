"""What the in-browser (JupyterLite) notebooks install, resolved offline: Pyodide's own packages
come from the Pyodide URL, every other package from the course site's piplite index.

lite-lock.json (beside this file) records both sides, so builds and tests need no network:
  pyodide  the pinned Pyodide's pyodide-lock.json, trimmed: {version, python, packages: {name:
           {version, depends}}} (Pyodide's wasm builds: numpy, pandas, pyyaml, ...)
  wheels   the pure-Python wheels the site serves: [{name, version, file, sha256, requires_dist}]
           (otter-grader and the dependencies Pyodide lacks, at the versions the course pins)
Remake it after changing a pin or the Pyodide version (needs npm and PyPI):
    python -m autograder.course.lite lock
The site build downloads the wheels once into _build/piplite-wheels (checked against sha256), so
later builds run offline: `fetch_wheels`.
"""
import ast
import hashlib
import importlib.metadata
import json
import re
import subprocess
import sys
import tarfile
import tempfile
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from . import registry

LOCK = Path(__file__).with_name("lite-lock.json")
WHEEL_CACHE = registry.ROOT / "_build" / "piplite-wheels"
PURE_TAG = re.compile(r"-py3-none-any\.whl$|-py2\.py3-none-any\.whl$")


def load_lock(path=LOCK):
    return json.loads(Path(path).read_text())


def marker_env(python):
    """The environment markers of Pyodide (a `python` such as "3.14.2"), as micropip evaluates them."""
    return {"sys_platform": "emscripten", "platform_system": "Emscripten", "os_name": "posix",
            "platform_machine": "wasm32", "implementation_name": "cpython",
            "platform_python_implementation": "CPython", "python_version": ".".join(python.split(".")[:2]),
            "python_full_version": python, "implementation_version": python, "platform_release": "",
            "platform_version": "", "extra": ""}


def setup_requirements(source):
    """The requirement strings of `await piplite.install([...])` in a Setup cell's source."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "install"
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "piplite" and node.args):
            return list(ast.literal_eval(node.args[0]))
    raise ValueError("the Setup cell has no `piplite.install([...])` call with a literal list")


def local_packages():
    """{name: (version, requires)} of the packages the site builds itself: the tinytorch wheel."""
    project = tomllib.loads((registry.ROOT / "pyproject.toml").read_text())["project"]
    return {canonicalize_name(project["name"]): (project["version"], project.get("dependencies", []))}


def _wanted(req, env):
    return req.marker is None or any(req.marker.evaluate({**env, "extra": e}) for e in (req.extras or {""}))


def resolve(requirements, lock, local=None, site=None):
    """Resolve requirement strings as micropip 0.11 does under piplite; return (plan, problems, missing).

    Order per requirement (micropip's): an index package already chosen must satisfy it; else
    Pyodide's lock, if its version satisfies; else the first index that has the name: the kernel's
    own (lock["kernel"]), then the site's (`site`, {name: version}; default: the lock's wheels,
    with `local`, the packages the site builds: tinytorch). plan: {name: (source, version)}.
    problems: lines for what would fail or come from elsewhere; missing: those Requirements that
    would come from PyPI.
    """
    env = marker_env(lock["pyodide"]["python"])
    pyodide = {canonicalize_name(n): p for n, p in lock["pyodide"]["packages"].items()}
    local = local_packages() if local is None else local
    wheels = {canonicalize_name(w["name"]): w for w in lock["wheels"]}
    wheels.update({n: {"name": n, "version": v, "file": f"{n}-{v}-py3-none-any.whl", "requires_dist": reqs}
                   for n, (v, reqs) in local.items()})
    site = ({n: v for n, (v, _) in local.items()} | {n: w["version"] for n, w in wheels.items() if n not in local}
            if site is None else {canonicalize_name(n): v for n, v in site.items()})
    kernel = {canonicalize_name(w["name"]): w for w in lock.get("kernel", [])}
    plan, problems, missing = {}, [], []
    todo = [(Requirement(r), "the Setup cell") for r in requirements]
    while todo:
        req, needed_by = todo.pop(0)
        name = canonicalize_name(req.name)
        if name in plan and req.specifier.contains(plan[name][1], prereleases=True):
            continue
        if name in plan and plan[name][0] != "pyodide":
            problems.append(f"{req} (needed by {needed_by}) conflicts with {name} {plan[name][1]} from {plan[name][0]}")
            continue
        if name in plan:  # micropip would install a second copy from an index over Pyodide's
            problems.append(f"{req} (needed by {needed_by}): Pyodide's {name} {plan[name][1]} was chosen first "
                            "and does not satisfy it")
            continue
        if name in pyodide and req.specifier.contains(pyodide[name]["version"], prereleases=True):
            plan[name] = ("pyodide", pyodide[name]["version"])
            todo += [(Requirement(d), name) for d in pyodide[name]["depends"]]
            continue
        source, wheel = ("kernel", kernel[name]) if name in kernel else ("site", wheels.get(name))
        version = wheel["version"] if source == "kernel" else site.get(name)
        if version is None or wheel is None or not req.specifier.contains(version, prereleases=True):
            have = [f"Pyodide {lock['pyodide']['version']} has {pyodide[name]['version']}"] if name in pyodide else []
            have += [f"the {source} index has {version}"] if version else []
            problems.append(f"{req} (needed by {needed_by}) would come from PyPI: "
                            + ("; ".join(have) if have else "neither Pyodide nor the site's index has it"))
            missing.append(req)
            continue
        if wheel["version"] != version:
            problems.append(f"{name} {version} is in the site's index but {LOCK.name} records {wheel['version']}")
        elif not PURE_TAG.search(wheel["file"]):
            problems.append(f"{wheel['file']} (needed by {needed_by}) is not pure Python: no wasm build")
        plan[name] = (source if name not in local else "local", version)
        todo += [(r, name) for r in map(Requirement, wheel["requires_dist"]) if _wanted(r, env)]
    return plan, problems, missing


def _sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _pip_download(specs, dest, python):
    """Download pure-Python wheels of `name==version` specs (no dependencies) into dest."""
    proc = subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                           "--platform", "any", "--implementation", "py", "--abi", "none",
                           "--python-version", ".".join(python.split(".")[:2]), "-d", str(dest), *specs],
                          capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        raise RuntimeError(f"could not download the piplite wheels {' '.join(specs)} (PyPI needed once; "
                           f"later builds use {WHEEL_CACHE}): {proc.stderr.strip()[-600:]}")


def fetch_wheels(cache=WHEEL_CACHE, lock=None):
    """Paths of the lock's pure-Python wheels in `cache`, downloading the missing ones (sha256-checked)."""
    lock = lock or load_lock()
    cache = Path(cache)
    cache.mkdir(parents=True, exist_ok=True)
    missing = [w for w in lock["wheels"] if not (cache / w["file"]).is_file() or _sha256(cache / w["file"]) != w["sha256"]]
    if missing:
        _pip_download([f"{w['name']}=={w['version']}" for w in missing], cache, lock["pyodide"]["python"])
    paths = []
    for w in lock["wheels"]:
        path = cache / w["file"]
        if not path.is_file() or _sha256(path) != w["sha256"]:
            raise RuntimeError(f"{path}: expected the wheel with sha256 {w['sha256']} ({LOCK.name}), "
                               f"got {'nothing' if not path.is_file() else _sha256(path)}")
        paths.append(path)
    return paths


def _wheel_requires(path):
    with zipfile.ZipFile(path) as z:
        meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        return Parser().parsestr(z.read(meta).decode()).get_all("Requires-Dist") or []


def pyodide_lock(version):
    """Pyodide `version`'s pyodide-lock.json, trimmed (from npm's `pyodide` package; needs npm)."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", "--silent", f"pyodide@{version}", "--pack-destination", tmp],
                       check=True, capture_output=True, timeout=300)
        with tarfile.open(next(Path(tmp).glob("pyodide-*.tgz"))) as tgz:
            full = json.load(tgz.extractfile("package/pyodide-lock.json"))
    return trim_pyodide_lock(full, version)


def trim_pyodide_lock(full, version):
    """The part of a pyodide-lock.json that resolving needs."""
    return {"version": version, "python": full["info"]["python"],
            "packages": {n: {"version": p["version"], "depends": sorted(p["depends"])}
                         for n, p in sorted(full["packages"].items())}}


# Versions for the browser that differ from this environment's: the book's Sphinx 7.4 needs
# docutils < 0.22, but Pyodide ships docutils 0.22 (otter-grader's fica needs both).
LITE_VERSIONS = {"sphinx": "9.2.0"}
BOOT = ["pyodide-kernel"]  # what the kernel installs when it starts (from its own index)


def _kernel_index():
    """The wheels the Pyodide kernel serves itself (its labextension's static/pypi)."""
    import jupyterlite_pyodide_kernel
    share = Path(sys.prefix) / "share/jupyter/labextensions/@jupyterlite/pyodide-kernel-extension/static/pypi"
    if not share.is_dir():
        raise RuntimeError(f"{share}: not found (jupyterlite-pyodide-kernel {jupyterlite_pyodide_kernel.__version__})")
    return [{"name": canonicalize_name(p.name.split("-")[0]), "version": p.name.split("-")[1], "file": p.name,
             "requires_dist": _wheel_requires(p)} for p in sorted(share.glob("*.whl"))]


def _choose(req):
    """pip spec for a package the site must serve: LITE_VERSIONS, else the installed version, else the newest."""
    name = canonicalize_name(req.name)
    if name in LITE_VERSIONS:
        return f"{name}=={LITE_VERSIONS[name]}"
    try:
        installed = importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        installed = None
    return f"{name}=={installed}" if installed and req.specifier.contains(installed, prereleases=True) else \
        f"{name}{req.specifier}"


def make_lock(requirements, pyodide_version):
    """A new lock: Pyodide's packages, the kernel's own index, and pure-Python wheels for everything
    else that the kernel's boot and the requirements need."""
    lock = {"pyodide": pyodide_lock(pyodide_version), "kernel": _kernel_index(), "wheels": []}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(100):
            plan, problems, missing = resolve(BOOT + list(requirements), lock)
            if not missing:
                if problems:
                    raise RuntimeError("cannot resolve the Setup cell's requirements:\n" + "\n".join(problems))
                return lock
            for req in {canonicalize_name(r.name): r for r in missing}.values():
                before = set(Path(tmp).glob("*.whl"))
                _pip_download([_choose(req)], tmp, lock["pyodide"]["python"])
                path = (set(Path(tmp).glob("*.whl")) - before or {
                    p for p in Path(tmp).glob("*.whl") if canonicalize_name(p.name.split("-")[0]) == canonicalize_name(req.name)}).pop()
                lock["wheels"].append({"name": canonicalize_name(req.name), "version": path.name.split("-")[1],
                                       "file": path.name, "sha256": _sha256(path),
                                       "requires_dist": _wheel_requires(path)})
            lock["wheels"].sort(key=lambda w: w["name"])
    raise RuntimeError("resolving the Setup cell's requirements did not converge")


def main(argv=None):
    from jupyterlite_pyodide_kernel.constants import PYODIDE_VERSION  # the Pyodide the kernel is built for

    from . import student
    argv = sys.argv[1:] if argv is None else argv
    if argv != ["lock"]:
        print(__doc__, file=sys.stderr)
        return 2
    requirements = setup_requirements("".join(student.setup_cell("NN_name.ipynb")["source"]))
    lock = make_lock(requirements, PYODIDE_VERSION)
    LOCK.write_text(json.dumps(lock, indent=1, sort_keys=True) + "\n")
    print(f"{LOCK}: {len(lock['wheels'])} wheels for the site's piplite index, Pyodide {PYODIDE_VERSION}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
