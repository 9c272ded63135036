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

from analysis.apa import apa_mediation, format_number
from analysis.style import PALETTE, house_style, new_figure


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


def bootstrap_distribution(result, *, bins: int = 50, width: str | float = "single") -> Figure:
    """Histogram of the bootstrap indirect effects, with the interval and zero marked.

    Parameters
    ----------
    result : MediationResult
        From :func:`analysis.mediation`; uses ``boot_indirect`` (one row per
        resample, one column per mediator) and ``indirect`` (estimates, CIs).
    bins : int, default 50
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
    """
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
    level_text = format_number(100 * getattr(result, "ci", 0.95), 0)
    fig, axes = new_figure(width, aspect=0.6 * k if k > 1 else 0.7, nrows=k)
    axes = np.atleast_1d(axes)
    with house_style():
        for ax, (j, row) in zip(axes, table.iterrows()):
            values = draws[:, j][np.isfinite(draws[:, j])]
            ax.hist(values, bins=bins, color=PALETTE[4], edgecolor="black", linewidth=0.3)
            ax.axvline(0, color="black", linewidth=1.2, label="zero")
            ax.axvline(row["ci_low"], color=PALETTE[3], linestyle="--", label=f"{level_text}% CI")
            ax.axvline(row["ci_high"], color=PALETTE[3], linestyle="--")
            ax.axvline(row["effect"], color=PALETTE[0], linestyle=":", linewidth=1.5, label="estimate")
            ax.set_ylabel("Resamples")
            ax.set_title(f"Indirect effect via {row['mediator']}", loc="left")
        axes[-1].set_xlabel("Indirect effect (a × b)")
        fig.legend(*axes[0].get_legend_handles_labels(), loc="outside upper center", ncols=3)
    return fig


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


def _box(ax, centre, text, size=(0.2, 0.13)):
    x, y = centre
    patch = FancyBboxPatch((x - size[0] / 2, y - size[1] / 2), size[0], size[1],
                           boxstyle="round,pad=0.01", facecolor="white", edgecolor="black", linewidth=1)
    ax.add_patch(patch)
    ax.text(x, y, text, ha="center", va="center")
    return patch, centre


def _arrow(ax, start, end, label, *, at: float = 0.5, ha: str = "center", va: str = "center",
           offset=(0.0, 0.0), bend: float = 0.0):
    """Arrow from box to box; the label sits at fraction ``at`` along the chord, shifted by ``offset``."""
    (start_patch, (x0, y0)), (end_patch, (x1, y1)) = start, end
    ax.add_patch(FancyArrowPatch(posA=(x0, y0), posB=(x1, y1), patchA=start_patch, patchB=end_patch,
                                 arrowstyle="-|>", mutation_scale=10, linewidth=1, color="black",
                                 connectionstyle=f"arc3,rad={bend}"))
    ax.text(x0 + at * (x1 - x0) + offset[0], y0 + at * (y1 - y0) + offset[1], label, ha=ha, va=va,
            fontsize=7, bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5})


def mediation_diagram(result, *, x_label: str | None = None, y_label: str | None = None,
                      width: str | float = "single") -> Figure:
    """Path diagram of a simple or parallel mediation model with estimates and CIs.

    Parameters
    ----------
    result : MediationResult
        From :func:`analysis.mediation`: ``paths`` (a, b, c, c' with CIs) and
        ``indirect`` (one indirect effect per mediator with its bootstrap CI;
        the ``total`` row of a parallel model is written under the diagram).
    x_label, y_label : str, optional
        Box texts for X and Y (default: the names stored in the result, X
        with its 0/1 coding when it was a two-level factor).
    width : "single", "double" or inches

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
    """
    indirect = _indirect_table(result)
    mediators = indirect["mediator"].tolist()
    a, b, c, c_prime = _path_estimates(result, mediators)
    coding = getattr(result, "x_coding", None)
    if x_label is None:
        x_label = str(getattr(result, "x", "X"))
        if coding:  # a two-level factor: say which level is 1
            x_label += "".join(f"\n({level} = 1)" for level, code in coding.items() if code == 1)
    y_label = y_label or str(getattr(result, "y", "Y"))
    level = getattr(result, "ci", 0.95)
    k = len(mediators)
    # one mediator: a triangle; several: a column of mediators, X and Y at its
    # middle height and the direct path bent below the column.
    heights = np.array([0.85]) if k == 1 else 0.9 - 0.26 * np.arange(k)
    xy_height = 0.45 if k == 1 else float(heights.mean())
    bulge = 0.0 if k == 1 else (heights[0] - heights[-1]) / 2 + 0.13
    bend = bulge / 0.4875  # arc3 bend giving that bulge for this figure's proportions
    text_top = xy_height - max(bulge, 0.07) - 0.13
    n_lines = (c is not None) + len(indirect) + (k > 1)
    bottom = text_top - 0.055 * n_lines - 0.03
    fig, ax = new_figure(width, aspect=0.8 * (1.0 - bottom))
    lines = []
    with house_style():
        ax.set_axis_off()
        ax.set_xlim(0, 1)
        ax.set_ylim(bottom, 1)
        x_box = _box(ax, (0.11, xy_height), x_label)
        y_box = _box(ax, (0.89, xy_height), y_label)
        for index, (mediator, height) in enumerate(zip(mediators, heights)):
            m_box = _box(ax, (0.5, height), mediator, size=(0.24, 0.1))
            suffix = str(index + 1) if k > 1 else ""
            if np.isclose(height, xy_height):  # a level arrow: label centred above it
                a_place = {"at": 0.5, "ha": "center", "va": "bottom", "offset": (0.0, 0.01)}
                b_place = a_place
            else:
                va, shift = ("bottom", 0.01) if height > xy_height else ("top", -0.01)
                a_place = {"at": 0.55, "ha": "right", "va": va, "offset": (-0.01, shift)}
                b_place = {"at": 0.45, "ha": "left", "va": va, "offset": (0.01, shift)}
            _arrow(ax, x_box, m_box, _coefficient_text("a" + suffix, a[mediator]), **a_place)
            _arrow(ax, m_box, y_box, _coefficient_text("b" + suffix, b[mediator]), **b_place)
        if c_prime is not None:
            _arrow(ax, x_box, y_box, _coefficient_text("c'", c_prime), va="top",
                   offset=(0.0, -bulge - 0.02), bend=bend)
        if c is not None:
            lines.append(_coefficient_text("total effect c", c).replace("\n", " "))
        for _, row in indirect.iterrows():
            lines.append(apa_mediation(row["effect"], row["ci_low"], row["ci_high"], ci=level,
                                       mediator=row["mediator"] if k > 1 else None, style="unicode"))
        if k > 1 and "total" in result.indirect.index:
            total = result.indirect.loc["total"]
            lines.append("total " + apa_mediation(total["effect"], total["ci_low"], total["ci_high"], ci=level,
                                                  style="unicode"))
        ax.text(0.5, text_top, "\n".join(lines), ha="center", va="top", fontsize=7)
    return fig
