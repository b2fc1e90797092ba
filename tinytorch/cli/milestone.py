"""`tinytorch milestone 1986`: copy a milestone notebook into the workspace (once; never
overwritten) and run it on one BLAS thread with the workspace's tinytorch, showing each cell as it
runs and what it prints. The executed copy goes to .tinytorch/runs/ in the workspace."""
import sys

from . import execute, workspace


def command(args):
    ws = workspace.resolve(args.workspace)
    entry = args.entry
    workspace.ensure(ws)
    path = workspace.notebook(ws, entry)
    if workspace.copy_in(entry.source, path):
        print(f"copied {entry.filename} into your workspace: {path}")
    total = {}

    def on_start(index, cell):
        if cell.cell_type == "code":
            print(f"[{index + 1:>3}/{total['n']}] {execute.first_line(cell)}", flush=True)

    def on_print(text):
        for line in text.rstrip("\n").split("\n"):
            print(f"        {line}", flush=True)

    def on_done(index, cell, seconds):
        if cell.cell_type == "code" and seconds >= 0.1:
            print(f"        ({seconds:.1f} s)", flush=True)

    execute.require("milestone")
    import nbformat
    total["n"] = len(nbformat.read(str(path), as_version=4).cells)
    print(f"running {path.name} on one BLAS thread with the tinytorch in {ws} ...", flush=True)
    run = execute.run(path, ws, "milestone", timeout=args.timeout, env=execute.ONE_THREAD, stop_on_error=True,
                      on_start=on_start, on_done=on_done, on_print=on_print)
    out = ws / workspace.STATE / "runs" / path.name
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(run.nb, str(out))
    if run.stopped:
        print(f"{entry.id} stopped: {run.stopped}", file=sys.stderr)
        return 1
    print(f"{entry.id} finished; the executed notebook is {out}")
    return 0
