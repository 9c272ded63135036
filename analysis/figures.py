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
from analysis.figures_forest import forest_plot
from analysis.figures_mediation import bootstrap_distribution, mediation_diagram
from analysis.style import (FONT_SIZE, SMALL_FONT_SIZE, _category_ticks, _legend_labels, _row_major, chars_per_line,
                            figure_size, group_style, house_style, new_figure, text_size, wrap_label, wrap_to_width)

__all__ = ["attitude_by_condition", "bootstrap_distribution", "forest_plot", "likert_diverging",
           "mediation_diagram", "motives_by_condition_plot"]


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
    fig, ax = new_figure(width, aspect=min(0.8, 3.2 / figure_size(width)[0]))  # at most 3.2 in tall
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
        ticks_height = _category_ticks(fig, ax, range(len(table)), [_label(labels, g) for g in table[by]])
        ax.set_xlim(-0.6, len(table) - 0.4)
        ax.set_xlabel(by)
        # tall (wrapped) tick labels make the figure taller, not the plot smaller
        extra = ticks_height - 0.45
        if extra > 0:
            fig.set_size_inches(fig.get_figwidth(), fig.get_figheight() + extra)
        plot_height = fig.get_figheight() - max(extra, 0) - 0.75
        ylabel = ylabel or dv
        if text_size(fig, ylabel, FONT_SIZE)[0] > plot_height + 0.3:  # longer than the axis
            ylabel = wrap_to_width(fig, ylabel, plot_height, FONT_SIZE)
        ax.set_ylabel(ylabel)
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
    inches = figure_size(width)[0]
    fig, ax = new_figure(width, aspect=max(0.45, 2.6 / inches))  # at least 2.6 in tall
    positions = np.arange(len(table))
    bar_width = 0.8 / len(levels)
    bar_inches = bar_width * (inches - 0.7) / max(len(table), 1)
    shown, legend_columns = _legend_labels(fig, [_label(labels, level) for level in levels], inches - 0.7)
    with house_style():
        for index, level in enumerate(levels):
            style = group_style(index)
            offset = (index - (len(levels) - 1) / 2) * bar_width
            bars = ax.bar(positions + offset, table[f"pct_{level}"], bar_width, color=style["color"],
                          hatch=style["hatch"], edgecolor="black", label=shown[index])
            if annotate:  # upright numbers on bars too narrow for them
                ax.bar_label(bars, fmt="%.0f", padding=1, fontsize=SMALL_FONT_SIZE,
                             rotation=0 if bar_inches >= text_size(fig, "100", SMALL_FONT_SIZE)[0] else 90)
        ticks_height = _category_ticks(fig, ax, positions,
                                       [_label(motive_labels, m).replace("_", " ") for m in table["motive"]])
        ax.set_ylim(0, 105)
        ax.set_ylabel("Mentioned (% of participants)")
        # above the bars, never on them
        handles, texts = ax.get_legend_handles_labels()
        order = _row_major(len(texts), legend_columns)
        ax.legend([handles[i] for i in order], [texts[i] for i in order], title=by, loc="lower center",
                  bbox_to_anchor=(0.5, 1.0), ncols=legend_columns)
        # a tall legend or tall tick labels make the figure taller, not the plot smaller
        rows = [shown[i:i + legend_columns] for i in range(0, len(shown), legend_columns)]
        legend_height = 0.25 + sum(max(text_size(fig, t, SMALL_FONT_SIZE)[1] for t in row) + 0.06 for row in rows)
        extra = max(legend_height - 0.5, 0) + max(ticks_height - 0.45, 0)
        fig.set_size_inches(inches, fig.get_figheight() + extra)
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


# the words of the Likert figure per language
LIKERT_WORDS = {
    "en": {"likert": "Percentage of answers (disagree left, agree right)",
           "semantic_differential": "Percentage of answers (negative pole left, positive pole right)",
           "recoded": "(recoded)", "negative": "negative", "positive": "positive"},
    "nl": {"likert": "Percentage antwoorden (oneens links, eens rechts)",
           "semantic_differential": "Percentage antwoorden (negatieve pool links, positieve pool rechts)",
           "recoded": "(gehercodeerd)", "negative": "negatief", "positive": "positief"},
}
ITEM_KINDS = ("likert", "semantic_differential")


def likert_diverging(
    data: pd.DataFrame,
    items,
    labels: dict | None = None,
    by: str | None = None,
    *,
    points: int | None = None,
    category_labels: list[str] | None = None,
    kind: str = "likert",
    reverse=None,
    group_labels: dict | None = None,
    group_headings: bool = False,
    lang: str = "en",
    xlabel: str | None = None,
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
        Display text per item (e.g. the item wording, or the poles
        ``"Bad – good"`` of a semantic differential).
    by : str, optional
        Grouping column: one bar per item and group.
    points : int, optional
        Number of answer categories (default: the highest answer given).
    category_labels : list of str, optional
        Legend text per category (default ``"1"`` .. ``str(points)``; for a
        semantic differential the first and last name their pole, e.g.
        ``"1 negative"``).
    kind : {"likert", "semantic_differential"}, default "likert"
        The item type; sets the default axis label and category labels.
    reverse : str or list of str, optional
        Reverse-keyed items, shown recoded (answer ``k`` counted as
        ``points + 1 - k``) so that agreement, or the positive pole, is always
        on the right; their label gets ``(recoded)``. Pass the raw answers.
    group_labels : dict, optional
        Display names of the groups of ``by``.
    group_headings : bool, default False
        With ``by``: order the bars group by group and write each group's
        label once, as a heading above its bars, instead of in every tick label
        (for long group labels).
    lang : {"en", "nl"}, default "en"
        Language of the default axis label, ``(recoded)`` and pole words.
    xlabel : str, optional
        Axis label (default: says which side is which, for ``kind``).
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
    >>> fig = likert_diverging(data, ["att_1", "att_2"], points=5, kind="semantic_differential",
    ...                        reverse=["att_2"], labels={"att_1": "Bad – good", "att_2": "Unpleasant – pleasant"})
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['Bad – good', 'Unpleasant – pleasant (recoded)']
    """
    names = as_name_list(items, what="`items`")
    if not names:
        raise ValueError("`items` is empty; pass the Likert item columns, e.g. ['att_1', 'att_2'].")
    if kind not in ITEM_KINDS:
        raise ValueError(f"`kind` must be one of {', '.join(ITEM_KINDS)}; got {kind!r}.")
    if lang not in LIKERT_WORDS:
        raise ValueError(f"`lang` must be one of {', '.join(LIKERT_WORDS)}; got {lang!r}.")
    words = LIKERT_WORDS[lang]
    reversed_items = as_name_list(reverse, what="`reverse`") if reverse is not None else []
    strangers = [item for item in reversed_items if item not in names]
    if strangers:
        raise ValueError(f"`reverse` names {', '.join(map(repr, strangers))}, which are not among `items`; "
                         "list only plotted items there.")
    require_columns(data, names + ([by] if by else []))
    if points is None:
        points = int(np.nanmax([pd.to_numeric(data[n], errors="coerce").max() for n in names]))
    if points < 2:
        raise ValueError(f"`points` must be at least 2; got {points}.")
    if category_labels is not None and len(category_labels) != points:
        raise ValueError(f"`category_labels` needs {points} labels (one per answer); got {len(category_labels)}.")
    if category_labels is None:
        category_labels = [str(k) for k in range(1, points + 1)]
        if kind == "semantic_differential":
            category_labels[0] += f" {words['negative']}"
            category_labels[-1] += f" {words['positive']}"
    groups = ordered_groups(data, by) if by else [None]
    headings = bool(by) and group_headings
    pairs = [(item, group) for group in groups for item in names] if headings else \
        [(item, group) for item in names for group in groups]
    rows, names_shown = [], []
    for item, group in pairs:
        subset = data[item] if group is None else data.loc[data[by] == group, item]
        counts = _likert_counts(subset, item, points)
        if item in reversed_items:
            counts = counts[::-1]  # category k holds the answers points + 1 - k
        total = counts.sum()
        rows.append(100 * counts / total if total else np.zeros(points))
        shown = _label(labels, item) + (f" {words['recoded']}" if item in reversed_items else "")
        names_shown.append(shown if group is None or headings else f"{shown} ({_label(group_labels, group)})")
    return _draw_likert(np.array(rows), names_shown, category_labels, xlabel or words[kind], width,
                        [_label(group_labels, g) for g in groups] if headings else None)


def _draw_likert(percentages, names_shown, category_labels, xlabel, width, headings) -> Figure:
    """The diverging bars; with ``headings``, one block of rows per group under its heading."""
    from matplotlib import colormaps

    n_rows, points = percentages.shape
    middle = (points - 1) / 2  # index of the centre (fractional for even scales)
    below = percentages[:, : int(np.ceil(middle))].sum(axis=1)
    if points % 2:
        below = below + percentages[:, int(middle)] / 2
    per_block = n_rows // len(headings) if headings else n_rows
    blocks = n_rows // per_block
    inches = figure_size(width)[0]
    fig, ax = new_figure(width)  # its height is set below, once the texts are measured
    ticks = [wrap_label(name, chars_per_line(0.4 * inches)) for name in names_shown]
    lines = max(tick.count("\n") + 1 for tick in ticks)
    pitch = max(0.35, 0.14 * lines + 0.06)  # inches per row: wrapped tick labels never touch
    # the bars' width: the figure less the tick labels (headings and axis label fit in it)
    room = inches - max(text_size(fig, tick, SMALL_FONT_SIZE)[0] for tick in ticks) - 0.5
    headings = [wrap_to_width(fig, heading, room, FONT_SIZE, fontweight="bold") for heading in headings or []]
    # a heading sits above its block; it takes its own height plus some air, in rows
    heading_rows = max((text_size(fig, h, FONT_SIZE, fontweight="bold")[1] / pitch + 0.8 for h in headings),
                       default=0.0)
    # y position of each row, top to bottom
    y = np.array([(blocks - 1 - r // per_block) * (per_block + heading_rows) + (per_block - 1 - r % per_block)
                  for r in range(n_rows)], dtype=float)
    height = max(pitch * (n_rows + blocks * heading_rows) + 0.9, 1.6)
    fig.set_size_inches(inches, height)
    colours = colormaps["PuOr"](np.linspace(0.08, 0.92, points))
    with house_style():
        left = -below
        for category in range(points):
            distance = category - middle
            slant = "/" if distance < 0 else "\\"
            hatch = slant * int(np.ceil(abs(distance))) if abs(distance) >= 0.5 else ""
            ax.barh(y, percentages[:, category], left=left, height=0.7, color=colours[category],
                    hatch=hatch, edgecolor="black", label=category_labels[category])
            left = left + percentages[:, category]
        if headings:
            for block, heading in enumerate(headings):
                rows = y[block * per_block:(block + 1) * per_block]
                ax.vlines(0, rows.min() - 0.5, rows.max() + 0.5, color="black", linewidth=0.8)
                ax.text(-100, rows.max() + 0.55, heading, ha="left", va="bottom", fontsize=FONT_SIZE,
                        fontweight="bold")
            ax.set_ylim(-0.6, y.max() + heading_rows - 0.1)
        else:
            ax.axvline(0, color="black", linewidth=0.8)
        ax.set_yticks(y, ticks)
        ax.set_xlim(-100, 100)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{abs(value):.0f}"))
        # constrained layout narrows the margins a little for a long label; wrap only beyond that
        if text_size(fig, xlabel, FONT_SIZE)[0] > room + 0.4:
            xlabel = wrap_to_width(fig, xlabel, room, FONT_SIZE)
        ax.set_xlabel(xlabel)
        ncols = points if inches >= 5 else int(np.ceil(points / 2))
        handles, texts = ax.get_legend_handles_labels()
        order = _row_major(points, ncols)
        fig.legend([handles[i] for i in order], [texts[i] for i in order], ncols=ncols, loc="outside lower center")
    return fig
