"""tinytorch.viz.diagram: the helpers the notebooks' figures are drawn with."""
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

pytest.importorskip("matplotlib")
from matplotlib.colors import to_hex  # noqa: E402

from tinytorch.viz import diagram  # noqa: E402
from tinytorch.viz.diagram import arrow, box, canvas, cells, plots, show, style, text  # noqa: E402

SVG = "{http://www.w3.org/2000/svg}"


def test_importing_the_helpers_does_not_import_matplotlib():
    code = "import sys, tinytorch.viz.diagram; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_show_gives_inline_svg_with_text_and_alt_and_no_background():
    fig, ax = canvas(10, 4)
    box(ax, 0, 1, 3, 2, "Dataset")
    text(ax, 6, 3, "indices & more")
    arrow(ax, (3, 2), (5, 2), "to <the> sampler")
    drawing = show(fig, 'a "dataset" feeding a sampler')
    assert drawing._repr_svg_() is drawing.svg and drawing.alt == 'a "dataset" feeding a sampler'
    root = ET.fromstring(drawing.svg)  # well formed, and no XML prolog or doctype before it
    assert drawing.svg.startswith("<svg") and root.tag == SVG + "svg"
    assert root.get("role") == "img" and root.get("aria-label") == 'a "dataset" feeding a sampler'
    words = [t.text for t in root.iter(SVG + "text")]
    assert {"Dataset", "indices & more", "to <the> sampler"} <= set(words), words
    fills = {p.get("style", "") for p in root.iter(SVG + "path")}
    assert not any("fill: #ffffff" in f for f in fills), "the background must be transparent"


def test_show_wants_a_description():
    fig, _ = canvas(2, 2)
    for alt in ("", "   ", None):
        with pytest.raises(ValueError, match="alt"):
            show(fig, alt)


def test_cells_draw_one_square_per_value_with_faded_and_lit_ones():
    fig, ax = canvas(10, 5)
    values = np.arange(6).reshape(2, 3)
    faded = np.array([[False, True, True], [False, True, True]])
    lit = np.zeros((2, 3), bool)
    lit[0, 0] = True
    assert cells(ax, 1, 4, values, faded=faded, lit=lit, cell=0.5) == (1.5, 1.0)
    patches = ax.patches
    assert len(patches) == 6
    blue, amber = diagram.COLOURS["blue"][0], diagram.COLOURS["amber"][0]
    colours = [to_hex(p.get_facecolor()) for p in patches]  # row by row
    assert colours[0] == amber and colours[3] == blue
    assert colours[1] not in (blue, amber) and patches[1].get_linestyle() == "--"  # pale, dashed
    assert [t.get_text() for t in ax.texts] == [str(v) for v in range(6)]
    xs = sorted({round(p.get_x(), 6) for p in patches})
    assert xs == [1.0, 1.5, 2.0] and min(p.get_y() for p in patches) == pytest.approx(3.0)


def test_bad_arguments_are_named():
    fig, ax = canvas(4, 4)
    with pytest.raises(ValueError, match=r"cells: values must be 2-D .* got shape \(3,\)"):
        cells(ax, 0, 4, np.arange(3))
    with pytest.raises(ValueError, match="colour must be one of .* got 'purple'"):
        box(ax, 0, 0, 1, 1, colour="purple")


def test_an_arrow_label_sits_at_the_middle_of_its_curve():
    fig, ax = canvas(10, 10)
    arrow(ax, (0, 0), (4, 0), "straight", offset=(0, 0))
    arrow(ax, (0, 0), (4, 0), "bent", bend=0.5, offset=(0, 0))
    straight, bent = (t.get_position() for t in ax.texts)
    assert straight == pytest.approx((2, 0))
    # arc3: control point 0.5 * (dy, -dx) = (0, -2) off the middle; the curve's middle half of that
    assert bent == pytest.approx((2, -1))


def test_plots_are_styled_for_light_and_dark_pages():
    fig, (left, right) = plots()
    left.plot([0, 1], [0, 1], label="line")
    style(left, "loss", "x", "y")
    style(right, "gradient", "x")
    assert left.get_title() == "loss" and left.title.get_color() == diagram.PAGE
    assert left.get_legend() is not None and right.get_legend() is None  # a legend only where there are labels
    svg = show(fig, "two plots").svg
    assert "fill: #ffffff" not in svg
