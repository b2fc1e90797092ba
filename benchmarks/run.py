"""`python -m benchmarks`: time every workload against its baselines, save and publish the results.

    python -m benchmarks                  # full sizes, 1-thread and default-thread modes
    python -m benchmarks --publish        # ... and render the book's performance page and plot
    python -m benchmarks --render         # re-render latest.md, the page and the plot from latest.json
    python -m benchmarks --quick --repeats 3 --out /tmp/bench   # tiny sizes (the smoke test)
"""
import argparse
import datetime
import gc
import json
import sys
import time
from pathlib import Path

import numpy as np

from benchmarks import cnn  # noqa: F401  (registers the convolution workloads)
from benchmarks import report
from benchmarks.machine import ROOT, load_average, machine_info, optional_torch, thread_mode
from benchmarks.timing import interleave, paired_ratio
from benchmarks.workloads import WORKLOADS

DEFAULT_OUT = ROOT / "benchmarks" / "results"
SCHEMA = 1
BASELINES = ("torch", "numpy")
NO_TORCH = ("PyTorch is not installed, so there is no PyTorch baseline "
            "(pip install torch==2.13.0 adds it; tinytorch itself never needs it).")


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for a smoke test (seconds)")
    parser.add_argument("--threads", choices=("1", "default", "both"), default="both",
                        help="BLAS/torch threads: 1, the libraries' default, or both modes in turn")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="folder for latest.json and latest.md (default: benchmarks/results)")
    parser.add_argument("--repeats", type=int, help="timed samples per implementation (default 25; quick 3)")
    parser.add_argument("--warmup", type=int, help="untimed rounds first (default 3; quick 1)")
    parser.add_argument("--only", nargs="+", metavar="NAME",
                        help="run the workloads whose name contains one of these strings")
    parser.add_argument("--publish", action="store_true",
                        help="also render the book's performance page and plot from the results")
    parser.add_argument("--render", action="store_true",
                        help="measure nothing: re-render latest.md, the book page and the plot from "
                             "OUT/latest.json")
    args = parser.parse_args(argv)
    if args.repeats is None:
        args.repeats = 3 if args.quick else 25
    if args.warmup is None:
        args.warmup = 1 if args.quick else 3
    if args.repeats < 1 or args.warmup < 0:
        parser.error("--repeats must be at least 1 and --warmup at least 0")
    if args.publish and args.quick:
        parser.error("--publish renders the book from full-size runs only; leave out --quick")
    return args


def measure_peak(quick):
    """The machine's sgemm rate: NumPy float32 n×n @ n×n, best and median of several runs."""
    n = 256 if quick else 2048
    a, b = np.random.default_rng(0).standard_normal((2, n, n), dtype=np.float32)
    a @ b
    times = []
    for _ in range(3 if quick else 7):
        start = time.perf_counter()
        a @ b
        times.append(time.perf_counter() - start)
    flops = 2.0 * n ** 3
    return {"n": n, "gflops": flops / min(times) / 1e9,
            "gflops_median": flops / float(np.median(times)) / 1e9}


def _values(value):
    """A returned Tensor (tinytorch or torch), array or number as a float64 NumPy array."""
    if hasattr(value, "detach"):
        value = value.detach()
    if hasattr(value, "numpy"):
        value = value.numpy()
    return np.asarray(value, dtype=np.float64)


def _agree(values):
    """True when every implementation's first result matches the NumPy one (float32 tolerance)."""
    reference = values["numpy"]
    scale = max(1.0, float(np.max(np.abs(reference)))) if reference.size else 1.0
    return all(v.shape == reference.shape and np.allclose(v, reference, rtol=2e-3, atol=2e-4 * scale)
               for v in values.values())


def run_workload(w, quick, repeats, warmup, min_sample):
    """Build workload `w`, check its implementations agree, time them interleaved; a JSON-ready dict."""
    result = {"name": w.name, "group": w.group, "title": w.title, "unit": w.unit}
    try:
        case = w.build(quick)
    except Exception as e:  # a module the workload needs is missing or broken: report, go on
        result["error"] = f"building the workload failed: {type(e).__name__}: {e}"
        return result
    result.update(label=case.label, per=case.per, flops=case.flops, notes=list(case.notes))
    fns, first, errors = {}, {}, {}
    for name, fn in case.impls.items():
        try:
            first[name] = _values(fn())
            fns[name] = fn
        except Exception as e:
            errors[name] = f"{type(e).__name__}: {e}"
    result["agree"] = _agree(first) if case.check and "numpy" in first and len(first) > 1 else None
    timings = interleave(fns, repeats, warmup, min_sample)
    impls = {}
    for name, timing in timings.items():
        summary = timing.summary()
        for key in ("median_s", "min_s", "max_s", "cpu_median_s"):
            summary[key] /= case.per  # per op, step or epoch
        summary["gflops"] = case.flops / (summary["median_s"] * case.per) / 1e9 if case.flops else None
        impls[name] = summary
    for name, message in errors.items():
        impls[name] = {"error": message}
    result["impls"] = impls
    result["ratio"], result["paired_ratio"], result["cpu_ratio"] = {}, {}, {}
    if "tinytorch" in timings:
        mine = timings["tinytorch"]
        for base in BASELINES:
            if base in timings:
                result["ratio"][base] = impls["tinytorch"]["median_s"] / impls[base]["median_s"]
                result["paired_ratio"][base] = paired_ratio(mine, timings[base])
                result["cpu_ratio"][base] = impls["tinytorch"]["cpu_median_s"] / impls[base]["cpu_median_s"]
    return result


def measure(args, log=print):
    """Run the selected workloads in each thread mode; the results as one JSON-ready dict."""
    torch = optional_torch()
    selected = [w for w in WORKLOADS.values()
                if not args.only or any(part in w.name for part in args.only)]
    results = {
        "schema": SCHEMA,
        "created": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": "python -m benchmarks " + " ".join(args.argv),
        "quick": args.quick, "repeats": args.repeats, "warmup": args.warmup,
        "machine": machine_info(),
        "notes": [] if torch else [NO_TORCH],
        "modes": [],
    }
    min_sample = 0.0 if args.quick else 0.005
    load, cpus = load_average(), results["machine"]["cpus_available"]
    if load and load[0] > cpus:
        log(f"note: the load average is {load[0]} on {cpus} CPUs: other processes compete for them, so "
            f"times will be inflated and noisy; the 1-thread ratios are the figures to trust")
    for mode in (("1", "default") if args.threads == "both" else (args.threads,)):
        with thread_mode(mode) as settings:
            entry = dict(settings, load_before=load_average())
            entry["peak"] = measure_peak(args.quick)
            log(f"[{mode} thread{'s' if mode != '1' else ''}] sgemm peak "
                f"{entry['peak']['gflops']:.0f} GFLOP/s, load {entry['load_before']}")
            entry["results"] = []
            for w in selected:
                gc.collect()
                start = time.perf_counter()
                entry["results"].append(run_workload(w, args.quick, args.repeats, args.warmup, min_sample))
                seconds = time.perf_counter() - start
                log(f"  {w.name:28s} {report.one_line(entry['results'][-1])}  ({seconds:.1f} s)")
            entry["load_after"] = load_average()
        results["modes"].append(entry)
    return results


def dumps(results):
    """The results as the text of latest.json."""
    return json.dumps(results, indent=1, ensure_ascii=False) + "\n"


def save(results, out):
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(dumps(results), encoding="utf-8")
    (out / "latest.md").write_text(report.markdown(results), encoding="utf-8")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse_args(argv)
    args.argv = argv
    if args.render:
        results = json.loads((args.out / "latest.json").read_text(encoding="utf-8"))
        save(results, args.out)
        report.publish(results)
        print(f"rendered {args.out / 'latest.md'}, {report.PAGE} and {report.PLOT} "
              f"from {args.out / 'latest.json'}")
        return 0
    results = measure(args, log=lambda line: print(line, flush=True))
    save(results, args.out)
    print(f"wrote {args.out / 'latest.json'} and {args.out / 'latest.md'}")
    if args.publish:
        report.publish(results)
        print(f"published {report.PAGE} and {report.PLOT}")
    return 0
