"""tinytorch.viz.diagram: the course's explanatory figures, drawn with matplotlib, shown as SVG.

A notebook draws a picture of the idea it teaches (a broadcast, a view, a layer, a pipeline, a graph)
with these few helpers, so every figure looks alike and reads on light and dark pages: a transparent
background, light fills with dark text inside shapes, mid-grey for lines and for text on the page.

    fig, ax = canvas(10, 4)                        # coordinates 0..10 across, 0..4 up
    box(ax, 0, 1, 3, 2, "Dataset", "blue")
    arrow(ax, (3, 2), (5, 2), "indices")
    show(fig, "a dataset feeding indices")         # the figure as SVG, for Jupyter and the book

matplotlib (optional for the package) is imported only when a figure is made.
"""
import io
from xml.sax.saxutils import quoteattr

import numpy as np

INK = "#111827"    # text inside a filled shape
PAGE = "#6b7280"   # lines, arrows and text on the page itself: mid-grey reads on white and on black
COLOURS = {        # name: (fill, edge)
    "blue": ("#dbeafe", "#1d4ed8"), "violet": ("#ede9fe", "#6d28d9"), "amber": ("#fef3c7", "#b45309"),
    "green": ("#dcfce7", "#15803d"), "red": ("#fee2e2", "#b91c1c"), "grey": ("#f1f5f9", "#64748b"),
}
CURVES = ("#2563eb", "#ea580c", "#16a34a", "#9333ea")  # line colours for plots, for both page colours
FONT = 10          # points; the figures are about 7 inches wide, the width of the book's text column


def _colours(colour):
    if colour not in COLOURS:
        raise ValueError(f"colour must be one of {sorted(COLOURS)}, got {colour!r}")
    return COLOURS[colour]


def _figure(figsize):
    from matplotlib.figure import Figure  # no pyplot: nothing global, and no GUI backend is needed
    return Figure(figsize=figsize)


def canvas(width, height, figsize=(7, 3)):
    """(fig, ax) for a diagram: data coordinates 0..width across and 0..height up, one unit the same
    length both ways, no axes drawn, transparent background."""
    fig = _figure(figsize)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig, ax


def plots(ncols=2, figsize=(7, 2.8)):
    """(fig, axes) for `ncols` side-by-side plots, styled like the diagrams (grey axes and text)."""
    fig = _figure(figsize)
    axes = fig.subplots(1, ncols, squeeze=False)[0]
    fig.subplots_adjust(left=0.08, right=0.99, bottom=0.18, top=0.9, wspace=0.25)  # fixed: a layout engine costs 0.15 s
    for ax in axes:
        ax.set_facecolor("none")
        ax.tick_params(colors=PAGE, labelsize=FONT - 1)
        for spine in ax.spines.values():
            spine.set_color(PAGE)
        ax.axhline(0, color=PAGE, lw=0.6, alpha=0.6)
        ax.axvline(0, color=PAGE, lw=0.6, alpha=0.6)
    return fig, axes


def style(ax, title="", xlabel="", ylabel="", legend=True):
    """Title, axis labels and legend of a plot made by `plots`, in the page colour."""
    ax.set_title(title, color=PAGE, fontsize=FONT)
    ax.set_xlabel(xlabel, color=PAGE, fontsize=FONT)
    ax.set_ylabel(ylabel, color=PAGE, fontsize=FONT)
    if legend and ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=FONT - 1, frameon=False, labelcolor=PAGE, loc="upper center")


def text(ax, x, y, words, size=FONT, colour=PAGE, **kwargs):
    """`words` on the page at (x, y), centred unless ha/va say otherwise."""
    kwargs.setdefault("ha", "center")
    kwargs.setdefault("va", "center")
    return ax.text(x, y, words, fontsize=size, color=colour, **kwargs)


def box(ax, x, y, w, h, words="", colour="blue", size=FONT, dashed=False, faded=False, rounded=True,
        filled=True):
    """A filled rectangle with its lower-left corner at (x, y), `words` centred in it.
    dashed: a dashed edge; faded: pale, for something that is not really there (a broadcast copy);
    filled=False: the edge only (a frame around other shapes)."""
    from matplotlib.patches import FancyBboxPatch

    fill, edge = _colours(colour)
    if faded:  # opaque and pale (half way to white), so it reads the same on a dark page
        fill = "#" + "".join(f"{(int(fill[k:k + 2], 16) + 255) // 2:02x}" for k in (1, 3, 5))
    pad = min(w, h) * 0.12 if rounded else 0.0
    patch = FancyBboxPatch((x + pad, y + pad), w - 2 * pad, h - 2 * pad, boxstyle=f"round,pad={pad}",
                           facecolor=fill if filled else "none", edgecolor=edge, linewidth=1.2,
                           linestyle="--" if dashed else "-")
    ax.add_patch(patch)
    if words != "":
        ax.text(x + w / 2, y + h / 2, str(words), ha="center", va="center", fontsize=size,
                color=PAGE if faded or not filled else INK)
    return patch


def cells(ax, x, y, values, colour="blue", size=FONT, cell=0.5, faded=None, lit=None):
    """A grid with one square per entry of the 2-D `values` (rows from the top), its top-left corner at
    (x, y). faded, lit: boolean arrays of values' shape: cells drawn pale and dashed (broadcast copies)
    or in amber (the ones an example picks). Returns the grid's (width, height)."""
    values = np.asarray(values, dtype=object)
    if values.ndim != 2:
        raise ValueError(f"cells: values must be 2-D (rows, columns), got shape {values.shape}")
    faded = np.zeros(values.shape, bool) if faded is None else np.broadcast_to(faded, values.shape)
    lit = np.zeros(values.shape, bool) if lit is None else np.broadcast_to(lit, values.shape)
    for (i, j), value in np.ndenumerate(values):
        box(ax, x + j * cell, y - (i + 1) * cell, cell, cell, value, "amber" if lit[i, j] else colour,
            size, dashed=bool(faded[i, j]), faded=bool(faded[i, j]), rounded=False)
    return values.shape[1] * cell, values.shape[0] * cell


def arrow(ax, start, end, words="", colour=PAGE, size=FONT - 1, bend=0.0, dashed=False, offset=(0, 0.2)):
    """An arrow from `start` to `end`, bent by `bend` (0: straight; matplotlib's arc3 radius), with
    `words` by the middle of the curve (moved by `offset`)."""
    from matplotlib.patches import FancyArrowPatch

    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, color=colour,
                                 linewidth=1.3, linestyle="--" if dashed else "-",
                                 connectionstyle=f"arc3,rad={bend}", shrinkA=2, shrinkB=2))
    if words:
        (x0, y0), (x1, y1) = start, end
        # arc3 is a quadratic Bezier through a control point bend * (dy, -dx) off the chord's middle;
        # the curve's own middle lies half as far off
        middle = (np.array([x0 + x1, y0 + y1]) / 2 + bend / 2 * np.array([y1 - y0, x0 - x1])
                  + np.asarray(offset, float))
        ax.text(*middle, words, ha="center", va="bottom", fontsize=size, color=colour)


def badge(ax, x, y, words, colour="#ea580c", size=FONT - 1):
    """A small filled circle at (x, y) with `words` (a number, a letter) in white."""
    ax.text(x, y, str(words), ha="center", va="center", fontsize=size, color="white", fontweight="bold",
            bbox={"boxstyle": "circle,pad=0.25", "facecolor": colour, "edgecolor": "none"})


class Drawing:
    """A finished figure as SVG: shows itself in Jupyter (and so in the built book);
    .svg is the markup, .alt the description."""

    def __init__(self, svg, alt):
        self.svg, self.alt = svg, alt

    def __repr__(self):
        return f"<figure: {self.alt}>"

    def _repr_svg_(self):
        return self.svg


def show(fig, alt):
    """The matplotlib figure `fig` as a Drawing (SVG, transparent background), described by `alt` for
    readers who cannot see it."""
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError("show: give `alt`, a sentence that says what the figure shows")
    import matplotlib

    # A diagram (axes off) is cropped to what is drawn; plots have fixed margins, and cropping would
    # draw them twice (a third of the time).
    crop = "tight" if any(not ax.axison for ax in fig.axes) else None
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # text stays text: smaller, sharper, selectable
        fig.savefig(buffer, format="svg", transparent=True, bbox_inches=crop, pad_inches=0.05,
                    metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") + len("<svg"):]  # drop the XML prolog and doctype: the markup goes inline too
    return Drawing(f"<svg role=\"img\" aria-label={quoteattr(alt)}" + svg, alt)
