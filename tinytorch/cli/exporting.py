"""`tinytorch export 01`: checks first, then the student's `#| export` cells into the workspace's
tinytorch (tinytorch.export), then the smoke test (smoke.py) in a fresh process. When the smoke
test fails, the files this export replaced are put back as they were, so the workspace's package
keeps working; the notebook is untouched either way."""
import json
import subprocess
import sys
from pathlib import Path

from tinytorch.export import ExportError, export_notebook, render

from . import checks, progress, workspace

SMOKE = Path(__file__).with_name("smoke.py")


def smoke_test(ws, timeout=180):
    """(passed, lines) of smoke.py run on the workspace's tinytorch."""
    try:
        proc = subprocess.run([sys.executable, str(SMOKE)], cwd=ws, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return False, [f"FAIL the smoke test did not finish within {timeout} s"]
    lines = proc.stdout.splitlines()
    if proc.returncode != 0 and not any(l.startswith("FAIL") for l in lines):
        err = [l for l in proc.stderr.splitlines() if l.strip()]
        lines.append(f"FAIL the smoke test crashed: {err[-1] if err else proc.returncode}")
    return proc.returncode == 0, lines


def command(args):
    ws = workspace.resolve(args.workspace)
    entry = args.entry
    path = workspace.require_notebook(ws, entry)
    if args.force:
        print("--force: exporting without running the checks")
    else:
        print(f"checking {entry.filename} before exporting ...", flush=True)
        found = checks.run_checks(ws, entry, timeout=args.timeout)
        for line in found.lines():
            print(line)
        progress.record(ws, entry.id, "check", progress.code_digest(path), passed=found.passed,
                        failed=[q for q, (ok, _) in found.results.items() if not ok])
        if not found.passed:
            print(f"export refused: {entry.id}'s checks do not all pass (fix them, or `tinytorch export "
                  f"{entry.number} --force` to export anyway)")
            return 1
    package = workspace.package(ws)
    try:
        targets = render(json.loads(path.read_text(encoding="utf-8")), entry.filename)
    except (ExportError, ValueError) as e:
        print(f"export refused: {e}")
        return 1
    before = {rel: (package / rel).read_bytes() if (package / rel).exists() else None for rel in targets}
    for written in export_notebook(path, package, source_name=entry.filename):
        print(f"wrote {written}")
    ok, lines = smoke_test(ws)
    for line in lines:
        print(f"  smoke: {line}")
    if not ok:
        for rel, data in before.items():
            if data is None:
                (package / rel).unlink(missing_ok=True)
            else:
                (package / rel).write_bytes(data)
        print(f"export undone: with {entry.id}'s code the package fails the smoke test above, so the files "
              f"it replaced in {package} are back as they were")
        return 1
    progress.record(ws, entry.id, "export", progress.code_digest(path), files=sorted(targets))
    print(f"{entry.id} exported: notebooks opened from {ws} now use your code")
    return 0
