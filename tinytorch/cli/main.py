"""The `tinytorch` command's argument parser and the two small commands, `modules` and `start`."""
import argparse
import shlex
import sys

from . import course, progress, workspace

DESCRIPTION = """Work through the tinytorch course in a workspace of your own.

Your workspace is --workspace DIR, else $TINYTORCH_WORKSPACE, else ~/tinytorch-work. `start` copies a
module's notebook there (never overwriting one), `export` writes your code into the workspace's own
copy of tinytorch, and a notebook opened from the workspace imports that copy. No command overwrites
a file of yours.

Name a module by number or id (`01`, `1`, `01_tensor`, `tensor`) and a milestone by year or id."""

EPILOG = """exit status: 0 done; 1 checks failed, a notebook raised or hung, an export was refused or
undone; 2 the command could not run (unknown module, notebook not started, course or a package missing).
`tinytorch COMMAND --help` tells more."""


def modules_command(args):
    root = course.course_root()
    ws = workspace.resolve(args.workspace)
    data = progress.load(ws)
    print(f"workspace: {ws}" + ("" if ws.is_dir() else " (not created yet)"))
    for entry in course.modules(root):
        if not entry.published:
            state, note = "not published yet", ""
        else:
            state, note = progress.state(ws, entry, data)
        print(f"  {entry.id:<18} {entry.title:<14} {state}" + (f" ({note})" if note else ""))
    shown = [m for m in course.milestones(root) if m.published]
    if shown:
        print("milestones (tinytorch milestone YEAR): " + ", ".join(m.id for m in shown))
    return 0


def start_command(args):
    ws = workspace.resolve(args.workspace)
    entry = args.entry
    for made in workspace.ensure(ws):
        if made == ws or made == workspace.package(ws):
            print(f"created {made}" + (" (your tinytorch: `tinytorch export` writes your code here)"
                                       if made != ws else ""))
        else:
            print(f"updated {made} from the course (a file you never exported or edited)")
    path = workspace.notebook(ws, entry)
    if workspace.copy_in(entry.source, path):
        print(f"copied {entry.filename} into your workspace: {path}")
    else:
        print(f"{path} is already in your workspace (left as it is; delete or rename it to start over)")
    print(f"open it:   cd {shlex.quote(str(ws))} && jupyter lab {entry.filename}")
    print(f"then:      tinytorch check {entry.number}   and, when the checks pass,   tinytorch export {entry.number}")
    return 0


def _lookup(kind):
    def parse(text):
        root = course.course_root()
        entries = course.modules(root) if kind == "module" else course.milestones(root)
        try:
            return course.published(course.find(entries, text))
        except course.Problem as e:
            raise argparse.ArgumentTypeError(str(e)) from None
    parse.__name__ = kind
    return parse


def parser():
    from . import checks, doctor, exporting, milestone
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--workspace", metavar="DIR",
                        help="your workspace (default: $TINYTORCH_WORKSPACE, else ~/tinytorch-work)")
    top = argparse.ArgumentParser(prog="tinytorch", description=DESCRIPTION, epilog=EPILOG,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name, function, help, doc):
        p = sub.add_parser(name, parents=[common], help=help, description=doc, epilog=EPILOG,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        p.set_defaults(run=function)
        return p

    add("modules", modules_command, "list the modules with your progress in each",
        "List every module with its state in your workspace: not started, in progress, checks passing\n"
        "(the last `tinytorch check` passed on the code now in the notebook) or exported.")
    p = add("start", start_command, "copy a module's notebook into your workspace (never overwrites)",
            "Copy a module's student notebook into your workspace, creating the workspace and its own\n"
            "tinytorch on first use. An existing notebook is never overwritten.")
    p.add_argument("module", type=_lookup("module"), help="01, 1, 01_tensor or tensor")
    p = add("check", checks.command, "run a notebook's checks headless, one line per question",
            checks.__doc__)
    p.add_argument("module", type=_lookup("module"), help="01, 1, 01_tensor or tensor")
    p.add_argument("--timeout", type=int, default=120, metavar="S", help="seconds a cell may run (default 120)")
    p = add("export", exporting.command, "check, then write your code into your workspace's tinytorch",
            exporting.__doc__)
    p.add_argument("module", type=_lookup("module"), help="01, 1, 01_tensor or tensor")
    p.add_argument("--force", action="store_true", help="export even if the checks fail (or without running them)")
    p.add_argument("--timeout", type=int, default=120, metavar="S", help="seconds a cell may run (default 120)")
    p = add("milestone", milestone.command, "run a milestone notebook on one BLAS thread, with progress",
            milestone.__doc__)
    p.add_argument("milestone", type=_lookup("milestone"), help="1986, 1986_mlp, ...")
    p.add_argument("--timeout", type=int, default=600, metavar="S", help="seconds a cell may run (default 600)")
    add("doctor", doctor.command, "versions, BLAS and threads, and what is missing",
        "Show Python, tinytorch, NumPy, BLAS and its threads, where the course and your workspace are,\n"
        "and which optional packages are missing, with the command that installs them. Exit 1 if any is.")
    return top


def main(argv=None):
    try:
        args = parser().parse_args(argv)
        args.entry = getattr(args, "module", None) or getattr(args, "milestone", None)
        return args.run(args)
    except course.Problem as e:
        print(f"tinytorch: {e}", file=sys.stderr)
        return e.code
    except KeyboardInterrupt:
        print("tinytorch: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
