"""python -m autograder sync [--check] [--discard] [--module NN_name]
python -m autograder grade MODULE SUBMISSIONS_DIR --out GRADES.csv [--workers N] [--timeout S] ..."""
import argparse
import sys

from .course.sync import MANIFEST, REFUSED, ROOT, EditedByHand, sync
from .grading import cli as grade

SYNC_EPILOG = """exit status: 0 done (or, with --check, nothing differs); 1 with --check, something differs;
2 a master could not be read; 3 refused: a generated file was edited by hand since sync last wrote
it (sync names it; move the edit into the master, or rerun with --discard to overwrite it after
keeping a backup <file>.bak-YYYYmmdd-HHMMSS)."""


def _sync(args):
    try:
        outcome, zips = sync(check=args.check, only=args.module, discard=args.discard)
    except EditedByHand as e:
        for path in e.paths:
            print(f"{path}: edited by hand since `python -m autograder sync` last wrote it", file=sys.stderr)
        print(f"sync refused: overwriting would lose those edits, so nothing was overwritten. Move the edits "
              f"into the master notebook, or rerun with --discard to overwrite (a backup is kept).", file=sys.stderr)
        return REFUSED
    except Exception as e:  # a broken master: one clear line, not a traceback
        print(f"sync failed: {e}", file=sys.stderr)
        return 2
    manifest = MANIFEST.relative_to(ROOT)
    if args.check:
        for path in outcome.written:
            print(f"{path}: differs from its source" + (" (edited by hand)" if path in outcome.edited else ""))
        if outcome.manifest_changed:
            print(f"{manifest}: out of date")
        if outcome.written or outcome.manifest_changed:
            print("run `python -m autograder sync` to regenerate", file=sys.stderr)
            return 1
        print("all generated files are up to date")
        return 0
    backups = dict(zip(outcome.edited, outcome.backups))
    for path in outcome.written:
        print(f"{path}: written" + (f" (your edit kept as {backups[path]})" if path in backups else ""))
    if outcome.manifest_changed:
        print(f"{manifest}: written")
    what = (f"wrote {len(outcome.written)} generated file{'s' * (len(outcome.written) != 1)}"
            if outcome.written else "generated files were already up to date")
    print(what + (f"; rebuilt {len(zips)} autograder zip{'s' * (len(zips) != 1)} (notebooks/NN_name-autograder.zip)"
                  if zips else ""))
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("sync", help="regenerate package, student notebooks, book pages and toc from the masters",
                       epilog=SYNC_EPILOG)
    p.add_argument("--check", action="store_true", help="only report files that differ; exit 1 if any do")
    p.add_argument("--discard", action="store_true",
                   help="overwrite generated files edited by hand, keeping each as <file>.bak-YYYYmmdd-HHMMSS")
    p.add_argument("--module", help="only this module (e.g. 01_tensor); the toc is left alone")
    g = sub.add_parser("grade", help="grade a folder of submissions into a gradebook CSV and feedback files",
                       description=grade.__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    grade.add_arguments(g)
    args = parser.parse_args(argv)
    if args.command == "grade":
        return grade.main(args)
    return _sync(args)


if __name__ == "__main__":
    sys.exit(main())
