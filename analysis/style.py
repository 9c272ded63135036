"""The house style of replylab figures, in one place.

- Colours: the Okabe-Ito palette (Okabe & Ito, 2008, *Color Universal Design*),
  distinguishable with the common colour-vision deficiencies. The first
  two colours (blue, orange) also differ in lightness, so two conditions
  stay apart in greyscale.
- Greyscale: every group also gets its own hatch, marker and line style
  (:func:`group_style`), so no figure relies on colour alone.
- Sizes: one journal column is 3.5 in wide, two columns 7.2 in; fonts 9 pt
  (ticks and legends 8 pt), within the 8-14 pt APA asks for at print size.

Figures are built on :class:`matplotlib.figure.Figure` directly, not through
``pyplot``: nothing is registered globally, nothing needs closing, and no GUI
backend is involved. :func:`house_style` applies the settings only inside a
``with`` block (``matplotlib.rc_context``), leaving global rcParams untouched.

>>> fig, ax = new_figure("single")
>>> tuple(round(float(v), 2) for v in fig.get_size_inches())
(3.5, 2.62)
>>> group_style(1)["color"], group_style(1)["hatch"]
('#E69F00', '//')
"""

from __future__ import annotations

import contextlib
import textwrap
from collections.abc import Iterator, Sequence
from pathlib import Path

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

# Okabe & Ito (2008): blue, orange, bluish green, vermillion, sky blue,
# reddish purple, yellow, black -- ordered so neighbours differ in lightness.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"]
HATCHES = ["", "//", "..", "xx", "\\\\", "++", "oo", "--"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
LINESTYLES = ["-", "--", ":", "-."]
NEUTRAL = "#999999"

SINGLE_COLUMN = 3.5  # inches
DOUBLE_COLUMN = 7.2
WIDTHS = {"single": SINGLE_COLUMN, "double": DOUBLE_COLUMN}
FONT_SIZE = 9
SMALL_FONT_SIZE = 8  # also the smallest text in any figure (annotations, bar labels)

RC = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica", "sans-serif"],
    "font.size": FONT_SIZE,
    "axes.titlesize": FONT_SIZE + 1,
    "axes.labelsize": FONT_SIZE,
    "xtick.labelsize": SMALL_FONT_SIZE,
    "ytick.labelsize": SMALL_FONT_SIZE,
    "legend.fontsize": SMALL_FONT_SIZE,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.linewidth": 0.8,
    "axes.prop_cycle": mpl.cycler(color=PALETTE),
    "lines.linewidth": 1.2,
    "lines.markersize": 5,
    "hatch.linewidth": 0.6,
    "hatch.color": "#000000",
    "patch.edgecolor": "#000000",
    "patch.linewidth": 0.6,
    "savefig.bbox": "tight",
    "savefig.pad_inches": 0.02,
    "svg.fonttype": "none",  # text stays text in SVG (editable, searchable)
    "svg.hashsalt": "replylab",  # stable ids: the same figure gives the same file
    "pdf.fonttype": 42,  # TrueType in PDF, as journals ask
}


@contextlib.contextmanager
def house_style() -> Iterator[None]:
    """Apply the house style inside a ``with`` block only.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> before = mpl.rcParams["font.size"]
    >>> with house_style():
    ...     mpl.rcParams["font.size"]
    9.0
    >>> mpl.rcParams["font.size"] == before
    True
    """
    with mpl.rc_context(RC):
        yield


def figure_size(width: str | float = "single", aspect: float = 0.75) -> tuple[float, float]:
    """Width and height in inches for a figure one or two journal columns wide.

    Parameters
    ----------
    width : {"single", "double"} or float
        A named journal width or inches.
    aspect : float, default 0.75
        Height as a fraction of the width.

    Examples
    --------
    >>> figure_size("double", aspect=0.5)
    (7.2, 3.6)
    """
    if isinstance(width, str):
        if width not in WIDTHS:
            raise ValueError(f"`width` must be 'single', 'double' or inches; got {width!r}.")
        inches = WIDTHS[width]
    else:
        inches = float(width)
    if not inches > 0 or not aspect > 0:
        raise ValueError(f"figure width and aspect must be positive; got {width!r} and {aspect!r}.")
    return inches, round(inches * aspect, 4)


def new_figure(width: str | float = "single", aspect: float = 0.75, nrows: int = 1, ncols: int = 1, **subplot_kw):
    """A new Figure in the house style (not registered with pyplot) and its axes.

    Call it inside :func:`house_style` if more artists follow; the axes
    created here already carry the style.

    Returns
    -------
    (matplotlib.figure.Figure, Axes or array of Axes)
    """
    with house_style():
        fig = Figure(figsize=figure_size(width, aspect), layout="constrained")
        axes = fig.subplots(nrows, ncols, squeeze=True, subplot_kw=subplot_kw or None)
    return fig, axes


def wrap_label(text, max_chars: int) -> str:
    r"""Break a display label into lines of at most ``max_chars`` characters (at spaces).

    Existing line breaks are kept; a single word longer than ``max_chars`` stays whole.

    Examples
    --------
    >>> wrap_label("Solved publicly in the open thread", 16)
    'Solved publicly\nin the open\nthread'
    >>> wrap_label("condition\n(public = 1)", 30)
    'condition\n(public = 1)'
    """
    if max_chars < 1:
        raise ValueError(f"`max_chars` must be a positive whole number; got {max_chars!r}.")
    return "\n".join(textwrap.fill(line, max_chars, break_long_words=False, break_on_hyphens=False) or line
                     for line in str(text).split("\n"))


def chars_per_line(inches: float, font_size: float = SMALL_FONT_SIZE) -> int:
    """About how many characters of the house font fit on a line ``inches`` wide.

    An average character of DejaVu Sans is taken as 0.6 em wide (a safe upper
    bound for mixed lower-case text), so a wrapped label stays within ``inches``.

    Examples
    --------
    >>> chars_per_line(3.5, 8)
    52
    """
    return max(1, int(inches * 72 / (0.6 * font_size)))


def text_size(fig: Figure, text: str, font_size: float, **text_kw) -> tuple[float, float]:
    r"""Width and height in inches that ``text`` takes in ``fig`` at ``font_size`` points.

    Measured with the figure's renderer, so the figure can be laid out around
    its texts before it is drawn.

    Examples
    --------
    >>> fig, ax = new_figure()
    >>> width, height = text_size(fig, "a = 0.43\n[0.12, 0.73]", 8)
    >>> 0.5 < width < 1.0 and 0.2 < height < 0.35
    True
    """
    with house_style():
        artist = fig.text(0, 0, text, fontsize=font_size, **text_kw)
        box = artist.get_window_extent()
        artist.remove()
    return float(box.width / fig.dpi), float(box.height / fig.dpi)


def wrap_to_width(fig: Figure, text, inches: float, font_size: float, **text_kw) -> str:
    r"""Break ``text`` at spaces so that each line, as measured in ``fig``, is at most ``inches`` wide.

    Existing line breaks are kept; a single word wider than ``inches`` stays whole.
    ``text_kw`` (e.g. ``fontweight="bold"``) are measured as they will be drawn.

    Examples
    --------
    >>> fig, ax = new_figure()
    >>> wrap_to_width(fig, "Channel of the reply", 1.0, 9)
    'Channel of the\nreply'
    """
    lines = []
    for paragraph in str(text).split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if line and text_size(fig, candidate, font_size, **text_kw)[0] > inches:
                lines.append(line)
                candidate = word
            line = candidate
        lines.append(line)
    return "\n".join(lines)


def _category_ticks(fig, ax, positions, names: list[str]) -> float:
    """Tick labels of categories on x, wrapped within their slot; if a word is still too wide, slanted.

    Returns the height in inches the labels take below the axis.
    """
    slot = 0.9 * (fig.get_figwidth() - 0.7) / max(len(names), 1)
    wrapped = [wrap_to_width(fig, str(name).replace("\n", " "), slot, SMALL_FONT_SIZE) for name in names]
    sizes = [text_size(fig, name, SMALL_FONT_SIZE) for name in wrapped]
    if max(w for w, _ in sizes) <= slot:
        ax.set_xticks(positions, wrapped)
        return max(h for _, h in sizes)
    # slanted if each fits on one line of 1.6 in, else upright in lines of up to 1.6 in
    slanted = [wrap_to_width(fig, str(name).replace("\n", " "), 1.6, SMALL_FONT_SIZE) for name in names]
    ax.set_xticks(positions, slanted)
    one_line = not any("\n" in name for name in slanted)
    angle = np.radians(35 if one_line else 90)
    for tick in ax.get_xticklabels():
        tick.set(rotation=35, ha="right", rotation_mode="anchor") if one_line else tick.set(rotation=90)
    return max(w * np.sin(angle) + h * np.cos(angle)
               for w, h in (text_size(fig, name, SMALL_FONT_SIZE) for name in slanted))


def _row_major(n: int, ncols: int) -> list[int]:
    """The order to pass ``n`` legend entries in so they read row by row (legends fill column by column).

    >>> _row_major(7, 4)
    [0, 4, 1, 5, 2, 6, 3]
    """
    nrows = int(np.ceil(n / ncols))
    return [r * ncols + c for c in range(ncols) for r in range(nrows) if r * ncols + c < n]


LEGEND_HANDLE = 0.45  # inches a legend entry needs besides its text (handle and spacing)


def _legend_labels(fig, texts: list[str], room: float) -> tuple[list[str], int]:
    """Legend texts and columns: one row if they fit in ``room`` inches, else columns of about 1.8 in."""
    widths = [text_size(fig, text, SMALL_FONT_SIZE)[0] + LEGEND_HANDLE for text in texts]
    if sum(widths) <= room:
        return texts, len(texts)
    columns = max(1, min(len(texts), int(room // 1.8)))
    return [wrap_to_width(fig, text.replace("\n", " "), room / columns - LEGEND_HANDLE, SMALL_FONT_SIZE)
            for text in texts], columns


def group_style(index: int) -> dict:
    """Colour, hatch, marker and line style of the ``index``-th group (cycling).

    Examples
    --------
    >>> group_style(0)
    {'color': '#0072B2', 'hatch': '', 'marker': 'o', 'linestyle': '-'}
    """
    return {
        "color": PALETTE[index % len(PALETTE)],
        "hatch": HATCHES[index % len(HATCHES)],
        "marker": MARKERS[index % len(MARKERS)],
        "linestyle": LINESTYLES[index % len(LINESTYLES)],
    }


def save_figure(fig: Figure, path_stem, formats: Sequence[str] = ("png", "svg", "pdf"), dpi: int = 300) -> list[Path]:
    """Save one figure in several formats: ``<path_stem>.<format>`` for each.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    path_stem : str or pathlib.Path
        Path without suffix (``out/figures/attitude``); folders are created.
    formats : sequence of str, default ("png", "svg", "pdf")
    dpi : int, default 300
        Resolution of raster formats.

    Returns
    -------
    list of pathlib.Path
        The files written, in the order of ``formats``.

    Examples
    --------
    >>> import tempfile
    >>> fig, ax = new_figure()
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     [p.name for p in save_figure(fig, Path(folder) / "demo", formats=("png", "svg"), dpi=72)]
    ['demo.png', 'demo.svg']
    """
    if not isinstance(fig, Figure):
        raise ValueError(f"`fig` must be a matplotlib Figure; got {type(fig).__name__}.")
    if isinstance(formats, str):
        formats = (formats,)
    supported = fig.canvas.get_supported_filetypes()
    unknown = [f for f in formats if f not in supported]
    if unknown:
        raise ValueError(
            f"cannot save figures as {', '.join(map(repr, unknown))}; choose from "
            f"{', '.join(sorted(supported))}."
        )
    stem = Path(path_stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    written = []
    with house_style():
        for fmt in formats:
            path = stem.with_name(f"{stem.name}.{fmt}")
            # no creation dates: the same figure gives the same file
            metadata = {"Date": None} if fmt in ("svg", "pdf") else None
            fig.savefig(path, format=fmt, dpi=dpi, metadata=metadata)
            written.append(path)
    return written
