"""Figures of a mediation result: the path diagram and the bootstrap distribution.

Both take a :class:`analysis.MediationResult` and return a
:class:`matplotlib.figure.Figure` in the house style (:mod:`analysis.style`);
they are also available as ``analysis.figures.mediation_diagram`` and
``analysis.figures.bootstrap_distribution``.

>>> from analysis.mediation import mediation
>>> import pandas as pd
>>> data = pd.DataFrame({"x": [0, 1] * 10, "m": [1, 2, 2, 3, 1, 3, 2, 4, 1, 2] * 2,
...                      "y": [2, 3, 3, 5, 2, 4, 3, 5, 1, 3] * 2})
>>> result = mediation(data, x="x", m="m", y="y", n_boot=200, seed=1)
>>> [ax.get_title(loc="left") for ax in bootstrap_distribution(result).axes]
['Indirect effect via m']
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from analysis.apa import apa_mediation, ci_label, format_number
from analysis.apa_numbers import _check_lang
from analysis.style import (FONT_SIZE, PALETTE, SMALL_FONT_SIZE, chars_per_line, house_style, new_figure,
                            text_size, wrap_label, wrap_to_width)

# the words of these figures per language ("indirect effect" is the same in Dutch)
WORDS = {
    "en": {"total_effect": "total effect", "total": "total", "indirect_via": "Indirect effect via {m}",
           "indirect_axis": "Indirect effect (a × b)", "resamples": "Resamples", "zero": "zero",
           "estimate": "estimate"},
    "nl": {"total_effect": "totaal effect", "total": "totaal", "indirect_via": "Indirect effect via {m}",
           "indirect_axis": "Indirect effect (a × b)", "resamples": "Bootstrapsteekproeven", "zero": "nul",
           "estimate": "schatting"},
}


def _indirect_table(result) -> pd.DataFrame:
    """One row per mediator (the ``total`` row of parallel models left out)."""
    indirect = getattr(result, "indirect", None)
    if not isinstance(indirect, pd.DataFrame) or not {"effect", "ci_low", "ci_high"} <= set(indirect.columns):
        raise ValueError(
            "expected a MediationResult from analysis.mediation (an `indirect` table with "
            f"effect, ci_low, ci_high); got {type(result).__name__}."
        )
    mediators = [str(m) for m in getattr(result, "m", [name for name in indirect.index if name != "total"])]
    table = indirect.loc[mediators, ["effect", "ci_low", "ci_high"]].astype(float)
    return table.rename_axis("mediator").reset_index()


def bootstrap_distribution(result, *, bins: int = 50, labels: dict | None = None, lang: str = "en",
                           width: str | float = "single") -> Figure:
    """Histogram of the bootstrap indirect effects, with the interval and zero marked.

    Parameters
    ----------
    result : MediationResult
        From :func:`analysis.mediation`; uses ``boot_indirect`` (one row per
        resample, one column per mediator) and ``indirect`` (estimates, CIs).
    bins : int, default 50
    labels : dict, optional
        Display names of the mediators (default: their column names).
    lang : {"en", "nl"}, default "en"
        Language of the words (``Resamples``/``Bootstrapsteekproeven``,
        ``95% CI``/``95%-BI``, ...).
    width : "single", "double" or inches

    Returns
    -------
    matplotlib.figure.Figure
        One axes per mediator: the histogram, dashed lines at the interval
        bounds, a dotted line at the estimate and a solid black line at zero.

    Examples
    --------
    >>> from analysis.mediation import mediation
    >>> data = pd.DataFrame({"x": [0, 1] * 10, "m": [1, 2, 2, 3, 1, 3, 2, 4, 1, 2] * 2,
    ...                      "y": [2, 3, 3, 5, 2, 4, 3, 5, 1, 3] * 2})
    >>> result = mediation(data, x="x", m="m", y="y", n_boot=200, seed=1)
    >>> len(bootstrap_distribution(result).axes)
    1
    >>> fig = bootstrap_distribution(result, labels={"m": "Motives named"}, lang="nl")
    >>> fig.axes[0].get_title(loc="left"), fig.axes[0].get_ylabel()
    ('Indirect effect via Motives named', 'Bootstrapsteekproeven')
    """
    words = WORDS[_check_lang(lang)]
    _check_labels(labels)
    table = _indirect_table(result)
    draws = np.asarray(getattr(result, "boot_indirect", None), dtype=float)
    if draws.ndim == 1:
        draws = draws[:, None]
    if draws.ndim != 2 or draws.shape[1] != len(table) or draws.shape[0] == 0:
        raise ValueError(
            "the result has no bootstrap draws matching its indirect effects; run the "
            "mediation with n_boot > 0."
        )
    k = len(table)
    fig, axes = new_figure(width, aspect=0.6 * k if k > 1 else 0.7, nrows=k)
    axes = np.atleast_1d(axes)
    title_chars = chars_per_line(fig.get_figwidth() - 0.4, FONT_SIZE + 1)
    with house_style():
        for ax, (j, row) in zip(axes, table.iterrows()):
            values = draws[:, j][np.isfinite(draws[:, j])]
            ax.hist(values, bins=bins, color=PALETTE[4], edgecolor="black", linewidth=0.3)
            ax.axvline(0, color="black", linewidth=1.2, label=words["zero"])
            ax.axvline(row["ci_low"], color=PALETTE[3], linestyle="--",
                       label=ci_label(getattr(result, "ci", 0.95), lang))
            ax.axvline(row["ci_high"], color=PALETTE[3], linestyle="--")
            ax.axvline(row["effect"], color=PALETTE[0], linestyle=":", linewidth=1.5, label=words["estimate"])
            ax.set_ylabel(words["resamples"])
            title = words["indirect_via"].format(m=_shown(labels, row["mediator"]))
            ax.set_title(wrap_label(title, title_chars), loc="left")
        axes[-1].set_xlabel(words["indirect_axis"])
        fig.legend(*axes[0].get_legend_handles_labels(), loc="outside upper center", ncols=3)
    return fig


def _check_labels(labels) -> None:
    if labels is not None and not isinstance(labels, dict):
        raise ValueError(f"`labels` must be a dict mapping names to display labels; got {type(labels).__name__}.")


def _shown(labels: dict | None, name) -> str:
    return str((labels or {}).get(name, name))


def _path_estimates(result, mediators: list[str]) -> tuple[dict, dict, tuple | None, tuple | None]:
    """(a per mediator, b per mediator, c or None, c' or None), each (coef, ci_low, ci_high).

    Path rows are named ``a``, ``b``, ``c``, ``c_prime``, or ``a[<m>]`` and
    ``b[<m>]`` with several mediators (see :class:`analysis.MediationResult`).
    """
    paths = getattr(result, "paths", None)
    if not isinstance(paths, pd.DataFrame) or "coef" not in paths.columns:
        raise ValueError(f"expected a MediationResult with a `paths` table; got {type(result).__name__}.")

    def estimate(name):
        if name not in paths.index:
            return None
        row = paths.loc[name]
        return float(row["coef"]), float(row.get("ci_low", np.nan)), float(row.get("ci_high", np.nan))

    single = len(mediators) == 1
    a = {m: estimate("a" if single and "a" in paths.index else f"a[{m}]") for m in mediators}
    b = {m: estimate("b" if single and "b" in paths.index else f"b[{m}]") for m in mediators}
    missing = [f"{p}[{m}]" for p, table in (("a", a), ("b", b)) for m, v in table.items() if v is None]
    if missing:
        raise ValueError(f"the `paths` table lacks the path(s) {', '.join(missing)}.")
    return a, b, estimate("c"), estimate("c_prime")


def _coefficient_text(name: str, estimate: tuple) -> str:
    value, low, high = estimate
    text = f"{name} = {format_number(value, style='unicode')}"
    if np.isfinite(low) and np.isfinite(high):
        text += f"\n[{format_number(low, style='unicode')}, {format_number(high, style='unicode')}]"
    return text


# Lengths of the diagram, in inches (the diagram's data units are inches).
MARGIN = 0.04  # around the whole diagram
BOX_PAD = 0.07  # between a box's text and its outline
GAP = 0.04  # between a path and its label


def _fit_line(fig, line: str, inches: float) -> str:
    """A summary line within ``inches``: if too wide, broken before its ``=`` first, then at spaces."""
    if text_size(fig, line, SMALL_FONT_SIZE)[0] <= inches:
        return line
    name, equals, value = line.partition(" = ")
    parts = [name, f"= {value}"] if equals else [line]
    return "\n".join(wrap_to_width(fig, part, inches, SMALL_FONT_SIZE) for part in parts)


def _segment_hits_box(start, end, box) -> bool:
    """Whether the segment from ``start`` to ``end`` passes through the rectangle ``box`` (x0, y0, x1, y1):
    Liang-Barsky clipping.

    >>> _segment_hits_box((0, 0), (2, 2), (0.5, 0.5, 1, 1)), _segment_hits_box((0, 0), (2, 0), (0, 1, 2, 2))
    (True, False)
    """
    (xa, ya), (xb, yb) = start, end
    x0, y0, x1, y1 = box
    dx, dy = xb - xa, yb - ya
    low, high = 0.0, 1.0
    for p, q in ((-dx, xa - x0), (dx, x1 - xa), (-dy, ya - y0), (dy, y1 - ya)):
        if p == 0:
            if q < 0:
                return False
            continue
        r = q / p
        if p < 0:
            low = max(low, r)
        else:
            high = min(high, r)
        if low > high:
            return False
    return True


class _Layout:
    """Boxes, arrows and labels placed in inches; the figure is sized to them at the end."""

    def __init__(self, fig, ax):
        self.fig, self.ax = fig, ax
        self.extents = []  # (x0, y0, x1, y1) of everything drawn
        self.segments = []  # (start centre, end centre) of every arrow
        self._sizes = {}  # box centre -> (width, height)

    def size(self, text: str, font_size: float, pad: float = 0.0) -> tuple[float, float]:
        width, height = text_size(self.fig, text, font_size)
        return width + 2 * pad, height + 2 * pad

    def box(self, centre, text: str):
        (x, y), (w, h) = centre, self.size(text, FONT_SIZE, BOX_PAD)
        patch = FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0,rounding_size=0.05",
                               facecolor="white", edgecolor="black", linewidth=1)
        self.ax.add_patch(patch)
        self.ax.text(x, y, text, ha="center", va="center", fontsize=FONT_SIZE)
        self.extents.append((x - w / 2, y - h / 2, x + w / 2, y + h / 2))
        self._sizes[(x, y)] = (w, h)
        return patch, (x, y)

    def arrow(self, start, end) -> None:
        (start_patch, centre_a), (end_patch, centre_b) = start, end
        self.ax.add_patch(FancyArrowPatch(posA=centre_a, posB=centre_b, patchA=start_patch, patchB=end_patch,
                                          arrowstyle="-|>", mutation_scale=10, linewidth=1, color="black",
                                          ))
        self.segments.append((centre_a, centre_b))

    def label(self, x: float, y: float, text: str, ha: str, va: str, font_size: float = SMALL_FONT_SIZE):
        w, h = self.size(text, font_size)
        x0 = {"left": x, "center": x - w / 2, "right": x - w}[ha]
        y0 = {"bottom": y, "center": y - h / 2, "top": y - h}[va]
        self.ax.text(x, y, text, ha=ha, va=va, fontsize=font_size,
                     bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5})
        self.extents.append((x0, y0, x0 + w, y0 + h))
        return x0, y0, x0 + w, y0 + h

    def free(self, extent) -> bool:
        """Whether ``extent`` lies inside the figure's width and clear of everything drawn
        (boxes, labels and arrows)."""
        x0, y0, x1, y1 = extent
        inside = x0 >= MARGIN - 1e-9 and x1 <= self.fig.get_figwidth() - MARGIN + 1e-9
        gap = GAP / 2  # labels keep a little air from boxes and other labels
        return inside and all(x1 + gap <= e[0] or x0 - gap >= e[2] or y1 + gap <= e[1] or y0 - gap >= e[3]
                              for e in self.extents) and not any(
            _segment_hits_box(a, b, (x0 - 0.02, y0 - 0.02, x1 + 0.02, y1 + 0.02)) for a, b in self.segments)

    def path_label(self, start, end, text: str, ha: str, above: bool):
        """Label a path beside its visible part, above or below it, on the ``ha`` side of the anchor.

        The anchor slides along the visible part of the path (between the boxes)
        until the label overlaps nothing drawn so far.
        """
        (_, (x0, y0)), (_, (x1, y1)) = start, end
        (start_w, start_h), end_size = self._sizes[start[1]], self._sizes[end[1]]
        dx, dy = x1 - x0, y1 - y0

        def leaving(half_w, half_h):  # fraction of the chord inside a box centred on one end
            return min(half_w / abs(dx) if dx else np.inf, half_h / abs(dy) if dy else np.inf)

        t0, t1 = leaving(start_w / 2, start_h / 2), 1 - leaving(end_size[0] / 2, end_size[1] / 2)
        w, h = self.size(text, SMALL_FONT_SIZE)
        shift = {"left": GAP, "center": 0.0, "right": -GAP}[ha]
        candidates = []
        for lift in (0.0, 0.1, 0.2, 0.35, 0.5, 0.7):  # away from the path only if nothing nearer is free
            for fraction in (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8):
                px = x0 + (t0 + fraction * (t1 - t0)) * dx + shift
                py = y0 + (t0 + fraction * (t1 - t0)) * dy + (GAP + lift if above else -GAP - lift)
                left = {"left": px, "center": px - w / 2, "right": px - w}[ha]
                bottom = py if above else py - h
                candidates.append((px, py, (left, bottom, left + w, bottom + h)))
        px, py, _ = next((c for c in candidates if self.free(c[2])), candidates[0])
        return self.label(px, py, text, ha, "bottom" if above else "top")

    def fit(self, width: float) -> None:
        """Size the figure to what was drawn: ``width`` wide, as tall as needed."""
        bottom = min(e[1] for e in self.extents) - MARGIN
        top = max(e[3] for e in self.extents) + MARGIN
        self.fig.set_size_inches(width, top - bottom)
        self.ax.set_xlim(0, width)
        self.ax.set_ylim(bottom, top)


def mediation_diagram(result, *, x_label: str | None = None, y_label: str | None = None,
                      labels: dict | None = None, lang: str = "en", width: str | float = "single") -> Figure:
    """Path diagram of a simple or parallel mediation model with estimates and CIs.

    Parameters
    ----------
    result : MediationResult
        From :func:`analysis.mediation`: ``paths`` (a, b, c, c' with CIs) and
        ``indirect`` (one indirect effect per mediator with its bootstrap CI;
        the ``total`` row of a parallel model is written under the diagram).
    x_label, y_label : str, optional
        Box texts for X and Y, used as given (default: built from ``labels``).
    labels : dict, optional
        Display names of the variables (X, the mediators, Y) and of X's levels,
        keyed by column name or level, e.g. ``{"channel": "Channel of the reply",
        "public": "Public reply", "pk_scale": "Persuasion knowledge"}``. The X
        box reads ``<X>`` and, for a two-level factor, ``(<level coded 1> = 1)``.
        Names without a label show as they are.
    lang : {"en", "nl"}, default "en"
        Language of the words under the diagram (``total effect``/``totaal
        effect``, ``95% CI``/``95%-BI``).
    width : "single", "double" or inches
        The height follows from the contents. Long labels are wrapped; boxes
        grow to fit their text and stay inside the figure.

    Returns
    -------
    matplotlib.figure.Figure
        One axes without ticks: a box per variable, an arrow per path
        labelled ``a``/``b`` (per mediator) and ``c'`` (direct), with the
        total effect ``c`` and the indirect effects written underneath.

    Examples
    --------
    >>> from analysis.mediation import mediation
    >>> data = pd.DataFrame({"x": [0, 1] * 10, "m": [1, 2, 2, 3, 1, 3, 2, 4, 1, 2] * 2,
    ...                      "y": [2, 3, 3, 5, 2, 4, 3, 5, 1, 3] * 2})
    >>> fig = mediation_diagram(mediation(data, x="x", m="m", y="y", n_boot=200, seed=1))
    >>> len(fig.axes[0].patches)  # three boxes and three arrows
    6
    >>> fig = mediation_diagram(mediation(data, x="x", m="m", y="y", n_boot=200, seed=1),
    ...                         labels={"m": "Motives named"}, lang="nl")
    >>> "Motives named" in [t.get_text() for t in fig.axes[0].texts]
    True
    """
    words = WORDS[_check_lang(lang)]
    _check_labels(labels)
    indirect = _indirect_table(result)
    mediators = indirect["mediator"].tolist()
    a, b, c, c_prime = _path_estimates(result, mediators)
    if x_label is None:
        x_label = _shown(labels, getattr(result, "x", "X"))
        coding = getattr(result, "x_coding", None)
        if coding:  # a two-level factor: say which level is 1
            x_label += "".join(f"\n({_shown(labels, level)} = 1)" for level, code in coding.items() if code == 1)
    y_label = y_label or _shown(labels, getattr(result, "y", "Y"))
    fig, ax = new_figure(width)
    total_width = float(fig.get_figwidth())
    fig.set_layout_engine("none")  # the axes is the whole figure; one data unit is one inch
    ax.set_position([0, 0, 1, 1])
    ax.set_axis_off()
    with house_style():
        _draw_diagram(_Layout(fig, ax), total_width, words, result, indirect, (a, b, c, c_prime),
                      texts=(wrap_to_width(fig, x_label, 0.28 * total_width, FONT_SIZE),
                             wrap_to_width(fig, y_label, 0.28 * total_width, FONT_SIZE),
                             [wrap_to_width(fig, _shown(labels, m), 0.34 * total_width, FONT_SIZE)
                              for m in mediators]),
                      labels=labels, lang=lang)
    return fig


def _draw_diagram(layout: _Layout, total_width: float, words: dict, result, indirect, estimates, *, texts,
                  labels, lang) -> None:
    """One mediator: a triangle. Several: a column of mediators with X and Y between
    its two middle ones, so the direct path runs straight between them. Labels sit on
    the outer side of their arrow and slide along it until they overlap nothing."""
    a, b, c, c_prime = estimates
    x_text, y_text, m_texts = texts
    mediators = indirect["mediator"].tolist()
    k = len(mediators)
    suffixes = [str(i + 1) if k > 1 else "" for i in range(k)]
    a_texts = [_coefficient_text("a" + s, a[m]) for s, m in zip(suffixes, mediators)]
    b_texts = [_coefficient_text("b" + s, b[m]) for s, m in zip(suffixes, mediators)]
    x_size, y_size = layout.size(x_text, FONT_SIZE, BOX_PAD), layout.size(y_text, FONT_SIZE, BOX_PAD)
    m_sizes = [layout.size(t, FONT_SIZE, BOX_PAD) for t in m_texts]
    label_h = max(layout.size(t, SMALL_FONT_SIZE)[1] for t in a_texts + b_texts)
    m_h, m_w = max(h for _, h in m_sizes), max(w for w, _ in m_sizes)
    side_h = max(x_size[1], y_size[1])
    if k == 1:
        m_heights = [0.0]
        rise = max(label_h + 0.15, (side_h - m_h) / 2 + 0.1)
        xy_height = -(m_h / 2 + rise + side_h / 2)
    else:  # X and Y between the two middle mediators: the direct path runs straight between them
        step = max(m_h + 2 * (label_h + GAP) + 0.15, side_h + 0.35, m_h + 0.5)
        m_heights = [-i * step for i in range(k)]
        xy_height = (m_heights[(k - 1) // 2] + m_heights[(k - 1) // 2 + 1]) / 2
    x_box = layout.box((MARGIN + x_size[0] / 2, xy_height), x_text)
    y_box = layout.box((total_width - MARGIN - y_size[0] / 2, xy_height), y_text)
    centre = total_width / 2
    lowest = xy_height - side_h / 2
    for m_text, height, a_text, b_text in zip(m_texts, m_heights, a_texts, b_texts):
        m_box = layout.box((centre, height), m_text)
        layout.arrow(x_box, m_box)
        layout.arrow(m_box, y_box)
        above = height > xy_height  # labels on the outer side of the arrows
        extent_a = layout.path_label(x_box, m_box, a_text, "right", above)
        extent_b = layout.path_label(m_box, y_box, b_text, "left", above)
        lowest = min(lowest, height - m_h / 2, extent_a[1], extent_b[1])
    words_lines = []
    if c_prime is not None:
        c_text = _coefficient_text("c'", c_prime)
        c_w, _ = layout.size(c_text, SMALL_FONT_SIZE)
        room = (y_box[1][0] - y_size[0] / 2) - (x_box[1][0] + x_size[0] / 2) - 2 * GAP
        layout.arrow(x_box, y_box)
        top = xy_height - GAP if c_w <= room else xy_height - side_h / 2 - GAP
        lowest = min(lowest, layout.label(centre, top, c_text, "center", "top")[1])
    level = getattr(result, "ci", 0.95)
    if c is not None:
        words_lines.append(_coefficient_text(f"{words['total_effect']} c", c).replace("\n", " "))
    for _, row in indirect.iterrows():
        words_lines.append(apa_mediation(row["effect"], row["ci_low"], row["ci_high"], ci=level, lang=lang,
                                         mediator=_shown(labels, row["mediator"]) if k > 1 else None,
                                         style="unicode"))
    if k > 1 and "total" in result.indirect.index:
        total = result.indirect.loc["total"]
        words_lines.append(f"{words['total']} " + apa_mediation(total["effect"], total["ci_low"], total["ci_high"],
                                                                ci=level, style="unicode", lang=lang))
    layout.label(centre, lowest - 0.1, "\n".join(_fit_line(layout.fig, line, total_width - 2 * MARGIN)
                                                 for line in words_lines), "center", "top")
    layout.fit(total_width)
