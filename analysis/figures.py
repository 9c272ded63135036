"""Publication figures for between-subjects experiments.

Every function takes the canonical data set (one row per participant) or a
result of this package and returns a :class:`matplotlib.figure.Figure` in the
house style (:mod:`analysis.style`). None calls ``plt.show()`` or registers
the figure with pyplot; save with :func:`analysis.style.save_figure`. The
mediation figures are defined in :mod:`analysis.figures_mediation` and
available here too.

>>> import pandas as pd
>>> data = pd.DataFrame({"condition": ["public", "private"] * 10,
...                      "attitude": [5.0, 4.0, 6.0, 4.5, 5.5] * 4})
>>> fig = attitude_by_condition(data)
>>> fig.axes[0].get_ylabel()
'attitude'
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from analysis._checks import as_name_list, numeric_column, ordered_groups, require_columns
from analysis.crosstab import motives_by_condition
from analysis.descriptives import describe
from analysis.figures_mediation import bootstrap_distribution, mediation_diagram
from analysis.style import group_style, house_style, new_figure

__all__ = [
    "attitude_by_condition",
    "bootstrap_distribution",
    "likert_diverging",
    "mediation_diagram",
    "motives_by_condition_plot",
]


def _label(labels, key) -> str:
    if labels is None:
        return str(key)
    if isinstance(labels, dict):
        return str(labels.get(key, key))
    raise ValueError(f"labels must be a dict mapping names to display labels; got {type(labels).__name__}.")


def attitude_by_condition(
    data: pd.DataFrame,
    dv: str = "attitude",
    by: str = "condition",
    *,
    ci: float = 0.95,
    seed: int = 0,
    labels: dict | None = None,
    ylabel: str | None = None,
    ylim: tuple[float, float] | None = None,
    width: str | float = "single",
) -> Figure:
    """Each participant's score (jittered) with the condition means and CIs.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per participant.
    dv : str, default "attitude"
        Numeric outcome.
    by : str, default "condition"
        Grouping column.
    ci : float, default 0.95
        Level of the t-based interval around each mean (:func:`analysis.describe`).
    seed : int, default 0
        Seed of the horizontal jitter of the points.
    labels : dict, optional
        Display names of the groups.
    ylabel : str, optional
        Axis label (default: ``dv``).
    ylim : (float, float), optional
        Axis range, e.g. the scale's ``(1, 7)``.
    width : "single", "double" or inches

    Returns
    -------
    matplotlib.figure.Figure
        One axes: a scatter of the points per group (own colour and marker)
        and a black error bar per group (mean and interval).

    Examples
    --------
    >>> data = pd.DataFrame({"condition": ["public", "private"] * 5, "attitude": range(10)})
    >>> fig = attitude_by_condition(data, ylim=(0, 10), labels={"public": "Public reply"})
    >>> [t.get_text() for t in fig.axes[0].get_xticklabels()]
    ['private', 'Public reply']
    """
    require_columns(data, [dv, by])
    table = describe(data, dv, by, ci=ci)
    values = numeric_column(data, dv)
    rng = np.random.default_rng(seed)
    fig, ax = new_figure(width, aspect=0.8)
    with house_style():
        for position, row in table.iterrows():
            group = row[by]
            points = values[(data[by] == group).to_numpy()].dropna().to_numpy()
            style = group_style(position)
            jitter = rng.uniform(-0.18, 0.18, size=len(points))
            ax.scatter(position + jitter, points, s=10, alpha=0.45, color=style["color"],
                       marker=style["marker"], linewidths=0, label=_label(labels, group))
            error = [[row["mean"] - row["ci_low"]], [row["ci_high"] - row["mean"]]]
            ax.errorbar(position, row["mean"], yerr=error, fmt=style["marker"], color="black",
                        markerfacecolor=style["color"], markeredgecolor="black", markersize=7,
                        capsize=4, elinewidth=1.2, zorder=5)
        ax.set_xticks(range(len(table)), [_label(labels, g) for g in table[by]])
        ax.set_xlim(-0.6, len(table) - 0.4)
        ax.set_xlabel(by)
        ax.set_ylabel(ylabel or dv)
        if ylim is not None:
            ax.set_ylim(*ylim)
    return fig


def motives_by_condition_plot(
    data: pd.DataFrame,
    codes,
    by: str = "condition",
    *,
    labels: dict | None = None,
    motive_labels: dict | None = None,
    annotate: bool = True,
    width: str | float = "double",
) -> Figure:
    """Grouped bars: the percentage of participants per condition mentioning each motive.

    Parameters
    ----------
    data : pandas.DataFrame
    codes : str or list of str
        0/1 code columns (see :func:`analysis.motives_by_condition`).
    by : str, default "condition"
    labels : dict, optional
        Display names of the conditions.
    motive_labels : dict, optional
        Display names of the motives (keys without the ``code_`` prefix).
    annotate : bool, default True
        Print each bar's percentage above it.
    width : "single", "double" or inches

    Returns
    -------
    matplotlib.figure.Figure
        One axes with one bar container per condition (own colour and hatch).

    Examples
    --------
    >>> data = pd.DataFrame({"condition": ["public", "private"] * 4,
    ...                      "code_image_showcase": [1, 0, 1, 0, 0, 0, 1, 1]})
    >>> fig = motives_by_condition_plot(data, ["code_image_showcase"])
    >>> [float(bar.get_height()) for bar in fig.axes[0].containers[0]]  # private
    [25.0]
    """
    table = motives_by_condition(data, codes, by)
    levels = ordered_groups(data, by)
    fig, ax = new_figure(width, aspect=0.45)
    positions = np.arange(len(table))
    bar_width = 0.8 / len(levels)
    with house_style():
        for index, level in enumerate(levels):
            style = group_style(index)
            offset = (index - (len(levels) - 1) / 2) * bar_width
            bars = ax.bar(positions + offset, table[f"pct_{level}"], bar_width, color=style["color"],
                          hatch=style["hatch"], edgecolor="black", label=_label(labels, level))
            if annotate:
                ax.bar_label(bars, fmt="%.0f", padding=1, fontsize=6)
        ax.set_xticks(positions, [_label(motive_labels, m).replace("_", " ") for m in table["motive"]])
        ax.set_ylim(0, 105)
        ax.set_ylabel("Mentioned (% of participants)")
        ax.legend(title=by)
    return fig


def _likert_counts(series: pd.Series, item: str, points: int) -> np.ndarray:
    values = pd.to_numeric(series, errors="coerce")
    bad = series[values.isna() & series.notna()]
    present = values.dropna()
    outside = present[(present < 1) | (present > points) | (present != present.round())]
    if len(bad) or len(outside):
        example = bad.iloc[0] if len(bad) else outside.iloc[0].item()
        raise ValueError(
            f"item {item!r} must hold whole numbers 1..{points}; found {example!r}. Pass the "
            "raw answers (as presented), or the right `points`."
        )
    return np.bincount(present.astype(int), minlength=points + 1)[1:]


def likert_diverging(
    data: pd.DataFrame,
    items,
    labels: dict | None = None,
    by: str | None = None,
    *,
    points: int | None = None,
    category_labels: list[str] | None = None,
    width: str | float = "double",
) -> Figure:
    """Diverging stacked bars of Likert answers, centred on the neutral point.

    Disagreeing answers extend left of zero, agreeing ones right; the middle
    category of an odd scale is split over both sides.

    Parameters
    ----------
    data : pandas.DataFrame
    items : str or list of str
        Item columns with whole-number answers 1..``points``.
    labels : dict, optional
        Display text per item (e.g. the item wording).
    by : str, optional
        One bar per item and group.
    points : int, optional
        Number of answer categories (default: the highest answer given).
    category_labels : list of str, optional
        Legend text per category (default ``"1"`` .. ``str(points)``).
    width : "single", "double" or inches

    Returns
    -------
    matplotlib.figure.Figure
        One axes with one bar container per category; colours from a
        colour-blind-safe diverging map (PuOr), hatches slanting one way for
        disagreement and the other for agreement, none for neutral.

    Examples
    --------
    >>> data = pd.DataFrame({"att_1": [1, 2, 3, 4, 5], "att_2": [5, 5, 4, 4, 3]})
    >>> fig = likert_diverging(data, ["att_1", "att_2"], points=5)
    >>> len(fig.axes[0].containers)  # one stack segment per answer category
    5
    """
    names = as_name_list(items, what="`items`")
    if not names:
        raise ValueError("`items` is empty; pass the Likert item columns, e.g. ['att_1', 'att_2'].")
    require_columns(data, names + ([by] if by else []))
    if points is None:
        points = int(np.nanmax([pd.to_numeric(data[n], errors="coerce").max() for n in names]))
    if points < 2:
        raise ValueError(f"`points` must be at least 2; got {points}.")
    if category_labels is not None and len(category_labels) != points:
        raise ValueError(f"`category_labels` needs {points} labels (one per answer); got {len(category_labels)}.")
    groups = ordered_groups(data, by) if by else [None]
    rows, names_shown = [], []
    for item in names:
        for group in groups:
            subset = data[item] if group is None else data.loc[data[by] == group, item]
            counts = _likert_counts(subset, item, points)
            total = counts.sum()
            rows.append(100 * counts / total if total else np.zeros(points))
            shown = _label(labels, item)
            names_shown.append(shown if group is None else f"{shown} ({group})")
    percentages = np.array(rows)
    middle = (points - 1) / 2  # index of the centre (fractional for even scales)
    below = percentages[:, : int(np.ceil(middle))].sum(axis=1)
    if points % 2:
        below = below + percentages[:, int(middle)] / 2
    height = max(0.35 * len(rows) + 0.9, 1.6)
    fig, ax = new_figure(width, aspect=height / (7.2 if width == "double" else 3.5))
    from matplotlib import colormaps

    colours = colormaps["PuOr"](np.linspace(0.08, 0.92, points))
    with house_style():
        left = -below
        y = np.arange(len(rows))[::-1]
        for category in range(points):
            distance = category - middle
            slant = "/" if distance < 0 else "\\"
            hatch = slant * int(np.ceil(abs(distance))) if abs(distance) >= 0.5 else ""
            text = category_labels[category] if category_labels else str(category + 1)
            ax.barh(y, percentages[:, category], left=left, height=0.7, color=colours[category],
                    hatch=hatch, edgecolor="black", label=text)
            left = left + percentages[:, category]
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_yticks(y, names_shown)
        ax.set_xlim(-100, 100)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{abs(value):.0f}"))
        ax.set_xlabel("Percentage of answers (disagree left, agree right)")
        fig.legend(*ax.get_legend_handles_labels(), ncols=points, loc="outside lower center")
    return fig
