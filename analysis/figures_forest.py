"""The forest plot of a meta-analysis: each study's estimate and interval, and the pooled one.

Takes the per-study table and the one-row result of :func:`analysis.meta_analysis`
and returns a :class:`matplotlib.figure.Figure` in the house style; also available as
``analysis.figures.forest_plot``.

>>> import pandas as pd
>>> from analysis.meta_analysis import meta_analysis
>>> sites = pd.DataFrame({"site": ["A", "B", "C"], "d": [0.2, 0.5, 0.35], "v": [0.02, 0.03, 0.025]})
>>> fig = forest_plot(sites, meta_analysis(sites, "d", variance="v"), estimate="d", variance="v",
...                   label="site", xlabel="Cohen's d")
>>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
['A', 'B', 'C', 'Pooled (random effects)']
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Polygon
from scipy import stats

from analysis._checks import require_columns
from analysis.style import house_style, new_figure

__all__ = ["forest_plot"]


def forest_plot(data: pd.DataFrame, pooled: pd.DataFrame, *, estimate: str, variance: str, label: str,
                xlabel: str = "", pooled_label: str = "Pooled (random effects)", ci: float = 0.95,
                transform=None, null: float = 0.0) -> Figure:
    """A forest plot: one row per study, the pooled estimate as a diamond, its prediction interval.

    Parameters
    ----------
    data : DataFrame
        One row per study with the columns named by ``estimate``, ``variance`` and ``label``.
    pooled : DataFrame
        The one-row result of :func:`analysis.meta_analysis` on ``data``.
    estimate, variance, label : str
        Column names: the effect, its sampling variance and the study's name.
    xlabel : str
        The axis label (the effect's name and scale).
    pooled_label : str
        The label of the pooled row.
    ci : float, default 0.95
        Level of the per-study intervals (normal: estimate ± z·√variance).
    transform : callable, optional
        Applied to every number before drawing (e.g. ``numpy.tanh`` to show
        correlations pooled as Fisher's z).
    null : float, default 0
        Where the dashed line of no effect is drawn (on the shown scale).

    Returns
    -------
    matplotlib.figure.Figure
    """
    require_columns(data, [estimate, variance, label])
    shown = transform or (lambda x: x)
    z = stats.norm.ppf(0.5 + ci / 2)
    est = data[estimate].to_numpy(float)
    half = z * np.sqrt(data[variance].to_numpy(float))
    k = len(data)
    fig, ax = new_figure("single", aspect=0.35 + 0.09 * k)
    row = pooled.iloc[0]
    with house_style():
        rows = np.arange(k, 0, -1) + 1  # studies from the top, the pooled row at 0.5
        ax.errorbar(shown(est), rows, xerr=[shown(est) - shown(est - half), shown(est + half) - shown(est)],
                    fmt="s", color="#333333", markersize=4, capsize=0, linewidth=1)
        centre, low, high = (float(shown(row[c])) for c in ("estimate", "ci_low", "ci_high"))
        ax.add_patch(Polygon([[low, 0.5], [centre, 0.8], [high, 0.5], [centre, 0.2]], closed=True,
                             facecolor="#1d4ed8", edgecolor="#1d4ed8"))
        if np.isfinite(row["pi_low"]):
            ax.hlines(0.5, float(shown(row["pi_low"])), float(shown(row["pi_high"])), color="#1d4ed8",
                      linewidth=1, linestyle=(0, (2, 2)))
        ax.axvline(null, color="#888888", linewidth=0.8, linestyle="--")
        ax.set_yticks([*rows, 0.5], [*map(str, data[label]), pooled_label])
        ax.set_ylim(-0.2, k + 1.8)
        ax.set_xlabel(xlabel)
        ax.spines[["left", "top", "right"]].set_visible(False)
        ax.tick_params(axis="y", length=0)
    return fig
