"""The benchmark harness (benchmarks/): a quick run on tiny sizes has the promised report structure,
its implementations agree, the JSON round-trips, and the book's performance page is the one the
committed results render to. No timed assertions: the times themselves are never checked."""
import json
import re

import pytest

from benchmarks import report, run
from benchmarks.machine import ROOT, optional_torch
from benchmarks.workloads import WORKLOADS, Case, Workload, workload

RESULTS = ROOT / "benchmarks" / "results"
IMPL_KEYS = {"median_s", "min_s", "max_s", "cpu_median_s", "samples", "calls_per_sample", "gflops"}


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    assert run.main(["--quick", "--repeats", "2", "--warmup", "1", "--out", str(out)]) == 0
    return out, json.loads((out / "latest.json").read_text(encoding="utf-8"))


def test_a_quick_run_reports_every_workload_in_both_thread_modes(quick):
    _, results = quick
    assert results["schema"] == run.SCHEMA and results["quick"] is True and results["repeats"] == 2
    machine = results["machine"]
    assert machine["cpu"] and machine["numpy"] and machine["logical_cpus"] >= 1
    assert any(pool["user_api"] == "blas" for pool in machine["threadpools"]), "threadpoolctl found no BLAS"
    assert "OPENBLAS_CORETYPE" in machine["env"]
    assert [mode["threads"] for mode in results["modes"]] == ["1", "default"]
    torch = optional_torch()
    expected = {"tinytorch", "numpy"} | ({"torch"} if torch else set())
    for mode in results["modes"]:
        assert mode["peak"]["gflops"] > 0
        if mode["threads"] == "1":
            assert set(mode["blas_threads"].values()) == {1}, mode["blas_threads"]
            assert mode["torch_threads"] in (None, 1)
        assert [r["name"] for r in mode["results"]] == list(WORKLOADS)
        for r in mode["results"]:
            assert "error" not in r, f"{r['name']}: {r['error']}"
            assert set(r["impls"]) == expected, f"{r['name']}: {r['impls']}"
            for name, summary in r["impls"].items():
                assert set(summary) == IMPL_KEYS, f"{r['name']} {name}: {summary}"
                assert 0 < summary["min_s"] <= summary["median_s"] <= summary["max_s"]
                assert summary["samples"] == 2
                assert (summary["gflops"] is None) == (r["flops"] is None)
            assert set(r["ratio"]) == expected - {"tinytorch"}
            assert r["agree"] is not False, \
                f"{r['name']}: tinytorch and its baselines computed different results"
    if not torch:
        assert any("PyTorch is not installed" in note for note in results["notes"])


def test_the_results_round_trip_and_the_report_renders_from_them(quick):
    out, results = quick
    text = (out / "latest.json").read_text(encoding="utf-8")
    assert run.dumps(json.loads(text)) == text
    markdown = (out / "latest.md").read_text(encoding="utf-8")
    assert markdown == report.markdown(results)
    assert "## Targets" in markdown and "## 1 thread" in markdown and "## Default threads" in markdown
    assert "MLP training step" in markdown and "tiny-op chain" in markdown


def test_publishing_is_reproducible(quick, tmp_path):
    _, results = quick
    page, plot = tmp_path / "performance.md", tmp_path / "images" / "performance.svg"
    page.write_text(f"# Performance\n\nProse.\n\n{report.BEGIN}\n{report.END}\n", encoding="utf-8")
    report.publish(results, page, plot)
    first_page, first_plot = page.read_text(encoding="utf-8"), plot.read_bytes()
    assert first_page.startswith("# Performance\n\nProse.\n")
    assert report.page_block(first_page) == report.book_block(results)
    assert results["created"].encode() in first_plot, "the plot names the run it shows"
    report.publish(results, page, plot)
    assert page.read_text(encoding="utf-8") == first_page and plot.read_bytes() == first_plot


def test_the_book_page_and_plot_match_the_committed_results():
    text = (RESULTS / "latest.json").read_text(encoding="utf-8")
    results = json.loads(text)
    assert run.dumps(results) == text, "benchmarks/results/latest.json is not in the harness's format"
    assert not results["quick"], "the committed results must come from a full run"
    hint = "regenerate with `python -m benchmarks --render` (or re-measure with --publish)"
    assert (RESULTS / "latest.md").read_text(encoding="utf-8") == report.markdown(results), \
        f"benchmarks/results/latest.md drifted from latest.json: {hint}"
    assert report.page_block(report.PAGE.read_text(encoding="utf-8")) == report.book_block(results), \
        f"book/performance.md drifted from benchmarks/results/latest.json: {hint}"
    svg = report.PLOT.read_text(encoding="utf-8")
    assert re.search(rf"<dc:identifier>{re.escape(results['created'])}</dc:identifier>", svg), \
        f"book/images/performance.svg is not the plot of the committed results: {hint}"


def test_a_failing_workload_is_reported_not_fatal():
    def broken(quick):
        raise ImportError("module 42 is not exported")

    result = run.run_workload(Workload("broken", "ops", "broken", "call", broken), True, 2, 0, 0.0)
    assert result["error"].startswith("building the workload failed: ImportError")

    def raises():
        raise RuntimeError("no gradient rule")

    case = Case("tiny", {"tinytorch": raises, "numpy": lambda: 1.0}, flops=None)
    result = run.run_workload(Workload("half", "ops", "half", "call", lambda quick: case), True, 2, 0, 0.0)
    assert result["impls"]["tinytorch"] == {"error": "RuntimeError: no gradient rule"}
    assert result["impls"]["numpy"]["samples"] == 2 and result["ratio"] == {}
    assert "error: RuntimeError" in report.one_line(result)


def test_registering_a_workload_name_twice_is_an_error():
    with pytest.raises(ValueError, match="registered twice"):
        workload("mlp_step", "training", "again")(lambda quick: None)


def test_publishing_a_quick_run_is_refused(capsys):
    with pytest.raises(SystemExit):
        run.parse_args(["--quick", "--publish"])
    assert "full-size runs only" in capsys.readouterr().err


def test_plot_text_is_at_least_10px_as_the_book_shows_it():
    """The book shows the plot at its natural width, scaled down only beyond the article's width
    (about 680 CSS px at 1280 px, measured in Chromium): every text must be >= 10 CSS px there."""
    import matplotlib.pyplot as plt

    article_px = 680
    fig = report.figure(json.loads((RESULTS / "latest.json").read_text(encoding="utf-8")))
    natural_px = fig.get_figwidth() * 96
    scale = min(1.0, article_px / natural_px)
    texts = [t for t in fig.findobj(plt.Text) if t.get_visible() and t.get_text().strip()]
    assert texts
    small = sorted({(round(t.get_fontsize() * 96 / 72 * scale, 1), t.get_text()) for t in texts
                    if t.get_fontsize() * 96 / 72 * scale < 10})
    plt.close(fig)
    assert not small, f"text under 10 px as displayed (px, text): {small[:8]}"
