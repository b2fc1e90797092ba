"""python -m autograder sync [--check] [--module NN_name]
python -m autograder grade MODULE SUBMISSIONS_DIR --out GRADES.csv [--workers N] [--timeout S] ..."""
import argparse
import sys

from .course.sync import sync
from .grading import cli as grade


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("sync", help="regenerate package, student notebooks, book pages and toc from the masters")
    p.add_argument("--check", action="store_true", help="only report files that differ; exit 1 if any do")
    p.add_argument("--module", help="only this module (e.g. 01_tensor); the toc is left alone")
    g = sub.add_parser("grade", help="grade a folder of submissions into a gradebook CSV and feedback files",
                       description=grade.__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    grade.add_arguments(g)
    args = parser.parse_args(argv)
    if args.command == "grade":
        return grade.main(args)
    if args.command == "sync":
        try:
            drifted = sync(check=args.check, only=args.module)
        except Exception as e:  # a broken master: one clear line, not a traceback
            print(f"sync failed: {e}", file=sys.stderr)
            return 2
        verb = "differs from its source" if args.check else "written"
        for path in drifted:
            print(f"{path}: {verb}")
        if args.check and drifted:
            print("run `python -m autograder sync` to regenerate", file=sys.stderr)
            return 1
        if not drifted:
            print("all generated files are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
