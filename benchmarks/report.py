"""Render results: the markdown report (latest.md), the book's performance page block, the plot."""
from pathlib import Path

from benchmarks.machine import ROOT

PAGE = ROOT / "book" / "performance.md"
PLOT = ROOT / "book" / "images" / "performance.svg"
BEGIN = ("<!-- BEGIN GENERATED: python -m benchmarks --publish writes this block "
         "from benchmarks/results/latest.json -->")
END = "<!-- END GENERATED -->"
NAMES = {"tinytorch": "tinytorch", "torch": "PyTorch", "numpy": "NumPy"}
MODE_TITLES = {"1": "1 thread", "default": "default threads"}
TARGETS = (  # (workload, what is compared, the limit, how it is phrased)
    ("mlp_step", "ratio", 1.0, "MLP training step ≤ 1.0× PyTorch"),
    ("cnn_step", "ratio", 1.3, "CNN training step ≤ 1.3× PyTorch"),
    ("tiny_ops_forward_backward", "time", 5e-6, "tiny-op chain ≤ 5 µs per op, forward + backward"),
)


# --- numbers -----------------------------------------------------------------------------------
def fmt_time(seconds):
    """3 significant digits in the unit that suits: ns, µs, ms or s."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            break
    else:
        unit, scale = "ns", 1e-9
    value = seconds / scale
    return f"{value:.3g} {unit}" if value < 100 else f"{value:.0f} {unit}"


def fmt_timing(summary):
    if "error" in summary:
        return f"error: {summary['error']}"
    return f"{fmt_time(summary['median_s'])} ({fmt_time(summary['min_s'])}–{fmt_time(summary['max_s'])})"


def fmt_ratio(value):
    return "—" if value is None else f"{value:.2f}×"


def _label(result):
    if "label" not in result:
        return result["title"]
    per = f" (per {result['unit']})" if result["unit"] != "call" else ""
    return f"{result['title']} {result['label']}{per}"


def one_line(result):
    """A short summary of one workload's result, for the progress log."""
    if "error" in result:
        return result["error"]
    parts = [f"{NAMES[name]} {fmt_timing(s)}" for name, s in result["impls"].items()]
    parts += [f"÷{NAMES[base]} {fmt_ratio(r)}" for base, r in result["ratio"].items()]
    if result.get("agree") is False:
        parts.append("RESULTS DIFFER")
    return "  ".join(parts)


# --- markdown ------------------------------------------------------------------------------------
def _blas(machine):
    pools = [f"{p['internal_api']} {p.get('version') or ''} ({p.get('architecture') or p['prefix']}, "
             f"{p['num_threads']} threads by default)".replace("  ", " ")
             for p in machine["threadpools"]]
    return "; ".join(pools) or "none found"


def _header(results):
    m = results["machine"]
    env = ", ".join(f"{k}={v}" for k, v in m["env"].items() if v is not None) or "none set"
    torch = "PyTorch not installed"
    if m["torch"]:
        build = m.get("torch_build") or {}
        torch = (f"PyTorch {m['torch']} (BLAS: {build.get('blas')}, {build.get('cpu_capability')} kernels, "
                 f"{build.get('default_threads')} threads by default)")
    lines = [
        f"Measured {results['created']} with `{results['command'].strip()}`"
        + (f" at commit {m['git_commit']}" if m.get("git_commit") else "") + ".",
        "",
        f"- **Machine:** {m['cpu']}, {m['logical_cpus']} logical CPUs ({m['cpus_available']} available), "
        f"{m['memory_gib']} GiB; {m['platform']}.",
        f"- **Software:** Python {m['python']}, NumPy {m['numpy']}, {torch}, tinytorch {m['tinytorch']}.",
        f"- **Thread pools** (threadpoolctl): {_blas(m)}. Thread variables: {env}.",
        f"- **Method:** each time is the median of {results['repeats']} samples after "
        f"{results['warmup']} warm-up round{'s' if results['warmup'] != 1 else ''}, with the (min–max) "
        f"range; the implementations run interleaved, round by round, in one process. A ratio is "
        f"tinytorch's median ÷ the baseline's: below 1, tinytorch is faster (the targets also give the "
        f"median of the per-round ratios, which a load that changes during the run sways less). "
        f"The CPU-time ratio (1 thread) divides process CPU times instead of wall-clock times. "
        f"GFLOP/s counts the matmul "
        f"FLOPs of one call; % of peak compares them with NumPy's float32 matmul measured at the start "
        f"of the same mode.",
    ]
    loads = [mode[key][0] for mode in results["modes"]
             for key in ("load_before", "load_after") if mode.get(key)]
    if loads:
        cpus = m["cpus_available"]
        lines.append(f"- **Load:** the 1-minute load average was {min(loads):.1f}–{max(loads):.1f} during "
                     f"the run, on {cpus} CPUs: above {cpus}, processes queue for a CPU and every time "
                     f"grows, so compare the ratios (measured side by side) rather than the times.")
    if results["quick"]:
        lines.append("- **Quick run:** tiny sizes, for checking the harness; the times mean little.")
    lines += [f"- **Note:** {note}" for note in results["notes"]]
    return lines


def _result(mode, name):
    return next((r for r in mode["results"] if r["name"] == name), None)


def _targets(results, level):
    modes = results["modes"]
    lines = [f"{'#' * level} Targets", "",
             "| target | " + " | ".join(MODE_TITLES[m["threads"]] for m in modes) + " |",
             "|---|" + "---|" * len(modes)]
    for name, kind, limit, text in TARGETS:
        cells = []
        for mode in modes:
            r = _result(mode, name)
            if r is None or "error" in r:
                cells.append("not measured")
                continue
            if kind == "ratio":
                value = r["ratio"].get("torch")
                shown = None if value is None else (f"{value:.3f}× (per-round ratios: median "
                                                    f"{r['paired_ratio']['torch']:.3f}×)")
            else:
                value = r["impls"].get("tinytorch", {}).get("median_s")
                shown = None if value is None else fmt_time(value)
            if shown is None:
                cells.append("no PyTorch baseline" if kind == "ratio" else "not measured")
            else:
                cells.append(f"{shown} ({'met' if value <= limit else 'missed'})")
        lines.append(f"| {text} | " + " | ".join(cells) + " |")
    return lines


def _mode_table(mode, level):
    title = MODE_TITLES[mode["threads"]]
    blas = ", ".join(f"{k} {v}" for k, v in mode["blas_threads"].items())
    torch = f", torch {mode['torch_threads']}" if mode["torch_threads"] is not None else ""
    cpu_column = mode["threads"] == "1"
    lines = [f"{'#' * level} {title.capitalize()}", "",
             f"Threads: {blas}{torch}. Measured sgemm peak ({mode['peak']['n']}×{mode['peak']['n']}): "
             f"{mode['peak']['gflops']:.0f} GFLOP/s (median run {mode['peak']['gflops_median']:.0f}). "
             f"Load average (1, 5, 15 min) before: {mode['load_before']}, after: {mode['load_after']}.",
             "",
             "| workload | tinytorch | PyTorch | NumPy | tinytorch ÷ PyTorch | tinytorch ÷ NumPy |"
             + (" ÷ PyTorch, CPU time |" if cpu_column else "") + " tinytorch GFLOP/s (% of peak) |",
             "|---|---|---|---|---|---|" + ("---|" if cpu_column else "") + "---|"]
    for r in mode["results"]:
        if "error" in r:
            lines.append(f"| {r['title']} | error: {r['error']} |" + " |" * (5 + cpu_column))
            continue
        label = _label(r) + (" ⚠ results differ" if r.get("agree") is False else "")
        cells = [fmt_timing(r["impls"][n]) if n in r["impls"] else "—"
                 for n in ("tinytorch", "torch", "numpy")]
        cells += [fmt_ratio(r["ratio"].get("torch")), fmt_ratio(r["ratio"].get("numpy"))]
        if cpu_column:
            cells.append(fmt_ratio(r["cpu_ratio"].get("torch")))
        gflops = r["impls"].get("tinytorch", {}).get("gflops")
        peak = mode["peak"]["gflops"]
        cells.append("—" if gflops is None else f"{gflops:.1f} ({100 * gflops / peak:.0f}%)")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    notes = sorted({note for r in mode["results"] for note in r.get("notes", [])})
    if notes:
        lines += [""] + [f"Note: {note}." for note in notes]
    return lines


def body(results, level):
    """Header, targets and one table per thread mode, with headings at `level` (2: ##)."""
    lines = _header(results) + [""] + _targets(results, level)
    for mode in results["modes"]:
        lines += [""] + _mode_table(mode, level)
    return "\n".join(lines) + "\n"


def markdown(results):
    """The text of latest.md."""
    return "# tinytorch benchmarks\n\n" + body(results, 2)


# --- the book ------------------------------------------------------------------------------------
def book_block(results):
    """The generated part of book/performance.md, markers included."""
    image = PLOT.relative_to(PAGE.parent).as_posix()
    return "\n".join([BEGIN, "", "## Latest measurements", "",
                      f"![tinytorch's time relative to PyTorch and NumPy per workload, and matmul GFLOP/s]"
                      f"({image})", "", body(results, 3).rstrip("\n"), "", END])


def page_block(text):
    """The generated block of a performance page's text (markers included), or None."""
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        return None
    return text[start:end + len(END)]


def publish(results, page=PAGE, plot_path=PLOT):
    """Write the generated block into the book page (between the markers) and the plot."""
    text = page.read_text(encoding="utf-8")
    old = page_block(text)
    if old is None:
        raise RuntimeError(f"{page} has no generated block: add the lines\n{BEGIN}\n{END}\nwhere it belongs")
    page.write_text(text.replace(old, book_block(results)), encoding="utf-8")
    plot(results, plot_path)


# The book shows the plot at its natural width up to the article's (about 680 CSS px at a 1280 px
# window): a figure this wide is never scaled down there, so FONT_PT stays >= 10 px on screen.
FIGURE_WIDTH_IN = 7.0
FONT_PT = 8.5  # the smallest text: 8.5 pt = 11.3 CSS px


def figure(results):
    """Two panels, one above the other: tinytorch's time ÷ a baseline per workload and mode;
    matmul GFLOP/s against n. Returns the matplotlib Figure."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker  # noqa: F401  (matplotlib.ticker.ScalarFormatter below)

    plt.rcParams["svg.hashsalt"] = "tinytorch-benchmarks"
    modes = results["modes"]
    base = "torch" if any(r.get("ratio", {}).get("torch") for m in modes for r in m["results"]) else "numpy"
    names = [r["name"] for r in modes[0]["results"] if "error" not in r]
    with plt.rc_context({"font.size": FONT_PT + 1, "axes.titlesize": FONT_PT + 1, "xtick.labelsize": FONT_PT,
                         "ytick.labelsize": FONT_PT, "legend.fontsize": FONT_PT}):
        fig, (left, right) = plt.subplots(2, 1, figsize=(FIGURE_WIDTH_IN, 0.28 * len(names) + 5.2),
                                          gridspec_kw={"height_ratios": [0.28 * len(names) + 0.8, 3]},
                                          layout="constrained")
        height = 0.8 / len(modes)
        for i, mode in enumerate(modes):
            ratios = [(_result(mode, n) or {}).get("ratio", {}).get(base) for n in names]
            ys = [k + (i - (len(modes) - 1) / 2) * height for k in range(len(names))]
            left.barh([y for y, r in zip(ys, ratios) if r], [r for r in ratios if r], height=height,
                      label=MODE_TITLES[mode["threads"]])
        left.axvline(1.0, color="black", linewidth=1)
        left.set_xscale("log")
        left.set_yticks(range(len(names)), [n.replace("_", " ") for n in names])
        left.invert_yaxis()
        left.set_xlabel(f"tinytorch time ÷ {NAMES[base]} time (log; below 1: tinytorch is faster)")
        left.legend()
        colors = {"tinytorch": "tab:red", "torch": "tab:blue", "numpy": "tab:green"}
        for mode, style in zip(modes, ("-", "--")):
            matmuls = [r for r in mode["results"] if r["name"].startswith("matmul_") and "error" not in r]
            sizes = [int(r["label"].split("×")[0]) for r in matmuls]
            for impl, color in colors.items():
                values = [r["impls"].get(impl, {}).get("gflops") for r in matmuls]
                if sizes and all(values):
                    right.plot(sizes, values, style, color=color, marker="o", markersize=4,
                               label=f"{NAMES[impl]}, {MODE_TITLES[mode['threads']]}")
            right.axhline(mode["peak"]["gflops"], linestyle=style, color="grey", linewidth=0.8)
        right.set_xscale("log", base=2)
        right.xaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
        right.set_xlabel("matmul n (n×n @ n×n, float32)")
        right.set_ylabel("GFLOP/s (grey: sgemm peak)")
        right.set_ylim(bottom=0)
        right.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)
        fig.suptitle(f"{results['machine']['cpu']}, {results['created']}")
    return fig


def plot(results, path):
    """The figure as a reproducible SVG (no date, fixed ids) that names the run in its metadata."""
    import matplotlib.pyplot as plt
    fig = figure(results)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="svg", metadata={"Date": None, "Identifier": results["created"]})
    plt.close(fig)
