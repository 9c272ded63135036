"""Figures of a conditional process result: conditional effects (with Johnson-Neyman), simple slopes, the diagram.

Each takes a :class:`analysis.ProcessResult` and returns a
:class:`matplotlib.figure.Figure` in the house style (:mod:`analysis.style`).
The numbers come from :meth:`analysis.ProcessResult.plot_data`.

Display names come from the caller: ``labels`` maps column names (and the
levels of a categorical X) to what the figure shows, ``moderator_levels`` maps
the values of a coded moderator (``{0: "neutral", 1: "empathic"}``) to names.

>>> import numpy as np, pandas as pd
>>> from analysis.process import process
>>> rng = np.random.default_rng(2)
>>> data = pd.DataFrame({"x": rng.integers(0, 2, 150), "w": rng.normal(size=150)})
>>> data["y"] = 0.3 * data["x"] + 0.5 * data["x"] * data["w"] + rng.normal(size=150)
>>> result = process(data, 1, x="x", w="w", y="y")
>>> fig = conditional_effect_plot(result, labels={"w": "Empathy"})
>>> fig.axes[0].get_xlabel()
'Empathy'
"""

from __future__ import annotations

import itertools
import re

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.apa import apa_mediation, format_number
from analysis.apa_numbers import _check_lang, ci_label
from analysis.figures_mediation import BOX_PAD, GAP, MARGIN, _fit_line, _Layout, _segment_hits_box
from analysis.process.plotting import moderated_paths, x_terms_of
from analysis.style import (
    FONT_SIZE,
    NEUTRAL,
    SMALL_FONT_SIZE,
    _category_ticks,
    _legend_labels,
    group_style,
    house_style,
    new_figure,
    wrap_to_width,
)

__all__ = ["conditional_effect_plot", "process_diagram", "simple_slopes_plot"]

WORDS = {
    "en": {"effect_of": "Effect of {focal} on {outcome}", "conditional_effect": "Conditional effect",
           "significant": "{ci} excludes 0", "jn": "Johnson-Neyman point", "jn_points": "Johnson-Neyman points",
           "predicted": "Predicted {outcome}", "at": "{moderator} = {value}", "covariates": "Covariates: {names}",
           "index": "Index of moderated mediation via {m}: {text}", "versus": "{level} vs. {reference}",
           "reference": "Reference level of {x} (coded first): {level}"},
    "nl": {"effect_of": "Effect van {focal} op {outcome}", "conditional_effect": "Conditioneel effect",
           "significant": "{ci} bevat 0 niet", "jn": "Johnson-Neymanpunt", "jn_points": "Johnson-Neymanpunten",
           "predicted": "Voorspelde {outcome}", "at": "{moderator} = {value}", "covariates": "Covariaten: {names}",
           "index": "Index van gemodereerde mediatie via {m}: {text}", "versus": "{level} vs. {reference}",
           "reference": "Referentieniveau van {x} (als eerste gecodeerd): {level}"},
}


def _shown(labels: dict | None, name) -> str:
    return str((labels or {}).get(name, name))


def _check_labels(labels, what: str = "labels") -> None:
    if labels is not None and not isinstance(labels, dict):
        raise ValueError(f"`{what}` must be a dict mapping names or values to display labels; got {type(labels).__name__}.")


def _value_text(value, moderator_levels: dict | None) -> str:
    """A moderator value as its level's name (when coded) or as a number."""
    for code, name in (moderator_levels or {}).items():
        if float(code) == float(value):
            return str(name)
    return format_number(float(value), style="unicode")


def _contrast_text(result, term: str, labels, words) -> str:
    """``public vs. neutral`` for an indicator code ``condition[public]``; the code's name otherwise."""
    level = term[len(result.x) + 1:-1]
    if result.x_coding == "indicator" and result.x_codes:
        reference = next(iter(result.x_codes))
        return words["versus"].format(level=_shown(labels, level), reference=_shown(labels, reference))
    return _shown(labels, term)


def _paths(result, paths) -> list[tuple[str, str]]:
    if paths is None:  # in causal order: X -> M, then M -> Y and X -> Y
        return sorted(moderated_paths(result), key=lambda path: path[0] == result.y)
    return [tuple(path) for path in paths]


def _significant_runs(effects: pd.DataFrame, key: str) -> list[tuple[float, float]]:
    """The stretches of the moderator where the interval excludes zero (the grid holds the JN points)."""
    values = effects[key].to_numpy()
    significant = ((effects["ci_low"] > 0) | (effects["ci_high"] < 0)).to_numpy()
    runs, start = [], None
    for i, flag in enumerate(significant):
        if flag and start is None:
            start = i
        if start is not None and (not flag or i == len(values) - 1):
            stop = i if flag else i - 1
            # a run ends at a JN point exactly (on the grid, where p = alpha) or at the range's end
            low = values[start - 1] if start > 0 and _at_boundary(effects.iloc[start - 1]) else values[start]
            high = values[stop + 1] if stop + 1 < len(values) and _at_boundary(effects.iloc[stop + 1]) else values[stop]
            runs.append((float(low), float(high)))
            start = None
    return runs


def _at_boundary(row) -> bool:
    return bool(min(abs(row["ci_low"]), abs(row["ci_high"])) < 1e-9)


def conditional_effect_plot(result, *, paths=None, labels: dict | None = None, moderator_levels: dict | None = None,
                            lang: str = "en", width: str | float = "single", points: int = 201) -> Figure:
    """The conditional effect of the focal variable across the moderator, one panel per moderated path.

    A continuous moderator: the effect as a line with its confidence band, the
    region where the interval excludes zero shaded and the Johnson-Neyman
    points marked (dashed lines, their values in the legend). A dichotomous
    moderator: the effect at each of its two values with its interval. A
    multicategorical X: one line (or point) per contrast; a second moderator:
    one per value of it.

    Parameters
    ----------
    result : ProcessResult
    paths : list of (outcome, focal), optional
        The moderated paths to show (default: all of them; see
        :meth:`analysis.ProcessResult.plot_data`).
    labels : dict, optional
        Display names of the variables and of X's levels, by column name or level.
    moderator_levels : dict, optional
        Names of a coded moderator's values, e.g. ``{0: "neutral", 1: "empathic"}``.
    lang : {"en", "nl"}
        Language of the figure's own words (axis titles, legend).
    width : "single", "double" or inches
    points : int, default 201
        Values spanning a continuous moderator.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per path, stacked.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from analysis.process import process
    >>> rng = np.random.default_rng(4)
    >>> data = pd.DataFrame({"x": rng.integers(0, 2, 200), "w": rng.integers(0, 2, 200)})
    >>> data["m"] = 0.5 * data["x"] * data["w"] + rng.normal(size=200)
    >>> data["y"] = 0.4 * data["m"] + 0.2 * data["x"] * data["w"] + rng.normal(size=200)
    >>> fig = conditional_effect_plot(process(data, 8, x="x", m="m", w="w", y="y", n_boot=200, seed=1),
    ...                               moderator_levels={0: "neutral", 1: "empathic"})
    >>> len(fig.axes), [t.get_text() for t in fig.axes[0].get_xticklabels()]
    (2, ['neutral', 'empathic'])
    """
    words = WORDS[_check_lang(lang)]
    _check_labels(labels)
    _check_labels(moderator_levels, "moderator_levels")
    chosen = _paths(result, paths)
    panels = [result.plot_data(outcome=outcome, focal=focal, points=points) for outcome, focal in chosen]
    fig, axes = new_figure(width, aspect=0.62 * len(panels), nrows=len(panels), ncols=1)
    axes = np.atleast_1d(axes)
    ci = ci_label(result.ci, lang)
    with house_style():
        for ax, data in zip(axes, panels):
            _effect_panel(ax, result, data, labels, moderator_levels, words, ci)
            title = words["effect_of"].format(focal=_shown(labels, data.focal),
                                              outcome=_lower_first(_shown(labels, data.outcome)))
            ax.set_title(wrap_to_width(fig, title, fig.get_figwidth() - 0.3, FONT_SIZE + 1), loc="left")
        handles = {}
        for ax in axes:
            for handle, text in zip(*ax.get_legend_handles_labels()):
                handles.setdefault(text, handle)
        if handles:
            texts, columns = _legend_labels(fig, list(handles), fig.get_figwidth() - 0.2)
            fig.legend(list(handles.values()), texts, loc="outside lower center", ncols=columns)
    return fig


def _series(data, result, labels, moderator_levels, words):
    """(name, rows) per line or set of points: by contrast and by the second moderator."""
    effects = data.effects
    keys = [key for key in ("contrast", *data.roles[1:]) if key in effects.columns]
    if not keys:
        return [(None, effects)]
    out = []
    for values, rows in effects.groupby(keys, sort=False):
        values = values if isinstance(values, tuple) else (values,)
        parts = []
        for key, value in zip(keys, values):
            if key == "contrast":
                parts.append(_contrast_text(result, value, labels, words))
            else:
                moderator = data.moderators[data.roles.index(key)]
                parts.append(words["at"].format(moderator=_shown(labels, moderator), value=_value_text(value, None)))
        out.append((", ".join(parts), rows))
    return out


def _effect_panel(ax, result, data, labels, moderator_levels, words, ci) -> None:
    key = data.roles[0]
    series = _series(data, result, labels, moderator_levels, words)
    ax.axhline(0, color=NEUTRAL, linewidth=0.8, zorder=1)
    if data.continuous:
        for index, (name, rows) in enumerate(series):
            style = group_style(index)
            ax.plot(rows[key], rows["effect"], color=style["color"], linestyle=style["linestyle"], label=name, zorder=3)
            ax.fill_between(rows[key], rows["ci_low"], rows["ci_high"], color=style["color"], alpha=0.18, linewidth=0,
                            zorder=2)
        if len(series) == 1:
            for low, high in _significant_runs(series[0][1], key):
                ax.axvspan(low, high, color=NEUTRAL, alpha=0.22, linewidth=0, zorder=0,
                           label=words["significant"].format(ci=ci))
            if data.jn_points:
                points = ", ".join(format_number(p, style="unicode") for p in data.jn_points)
                name = words["jn" if len(data.jn_points) == 1 else "jn_points"] + f": {points}"
                for i, point in enumerate(data.jn_points):
                    ax.axvline(point, color="black", linestyle="--", linewidth=0.9, zorder=4, label=name if i == 0 else None)
        else:
            ax.legend_ = None
        ax.set_xlim(float(data.effects[key].min()), float(data.effects[key].max()))
    else:
        values = list(dict.fromkeys(data.effects[key]))
        offsets = np.linspace(-0.12, 0.12, len(series)) if len(series) > 1 else [0.0]
        for index, ((name, rows), offset) in enumerate(zip(series, offsets)):
            style = group_style(index)
            positions = [values.index(v) + offset for v in rows[key]]
            error = [rows["effect"] - rows["ci_low"], rows["ci_high"] - rows["effect"]]
            ax.errorbar(positions, rows["effect"], yerr=error, fmt=style["marker"], color=style["color"], capsize=4,
                        elinewidth=1.2, markersize=6, label=name, zorder=3)
        _category_ticks(ax.figure, ax, range(len(values)), [_value_text(v, moderator_levels) for v in values])
        ax.set_xlim(-0.5, len(values) - 0.5)
    ax.set_xlabel(_shown(labels, data.moderators[0]))
    ax.set_ylabel(words["conditional_effect"])


def simple_slopes_plot(result, *, outcome: str | None = None, focal: str | None = None, labels: dict | None = None,
                       moderator_levels: dict | None = None, x_levels: dict | None = None, lang: str = "en",
                       width: str | float = "single") -> Figure:
    """Predicted outcome by the focal variable at the moderator's probed values (simple slopes).

    One line per moderator value (PROCESS's "data for visualizing" block:
    other predictors at their means), with the interval of each predicted
    value as error bars (a categorical or dichotomous focal variable, shown at
    its values) or bands (a continuous one, at its 16th, 50th and 84th percentiles).

    Parameters
    ----------
    result : ProcessResult
    outcome, focal : str, optional
        The moderated path (default: the first; see :meth:`analysis.ProcessResult.plot_data`).
    labels, moderator_levels, lang, width
        As in :func:`conditional_effect_plot`.
    x_levels : dict, optional
        Names of the values of a coded two-level X, e.g. ``{0: "private", 1: "public"}``.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from analysis.process import process
    >>> rng = np.random.default_rng(4)
    >>> data = pd.DataFrame({"x": rng.normal(size=200), "w": rng.normal(size=200)})
    >>> data["y"] = 0.4 * data["x"] * data["w"] + rng.normal(size=200)
    >>> fig = simple_slopes_plot(process(data, 1, x="x", w="w", y="y"), labels={"y": "Attitude"})
    >>> fig.axes[0].get_ylabel(), len(fig.axes[0].get_lines())
    ('Predicted attitude', 3)
    """
    words = WORDS[_check_lang(lang)]
    _check_labels(labels)
    _check_labels(moderator_levels, "moderator_levels")
    _check_labels(x_levels, "x_levels")
    data = result.plot_data(outcome=outcome, focal=focal)
    predicted, moderators = data.predicted, data.moderators
    categorical = data.focal == result.x and bool(result.x_codes)
    focal_values = list(dict.fromkeys(predicted[data.focal]))
    as_categories = categorical or len(focal_values) == 2
    fig, ax = new_figure(width, aspect=0.8)
    with house_style():
        groups = predicted.groupby(moderators, sort=False)
        offsets = np.linspace(-0.1, 0.1, groups.ngroups) if as_categories and groups.ngroups > 1 else np.zeros(groups.ngroups)
        for index, ((values, rows), offset) in enumerate(zip(groups, offsets)):
            values = values if isinstance(values, tuple) else (values,)
            style = group_style(index)
            name = ", ".join(words["at"].format(moderator=_shown(labels, m), value=_value_text(v, moderator_levels if i == 0 else None))
                             for i, (m, v) in enumerate(zip(moderators, values)))
            if as_categories:
                positions = np.array([focal_values.index(v) for v in rows[data.focal]]) + offset
                error = [rows["yhat"] - rows["ci_low"], rows["ci_high"] - rows["yhat"]]
                ax.errorbar(positions, rows["yhat"], yerr=error, fmt=style["marker"], linestyle=style["linestyle"],
                            color=style["color"], capsize=3, elinewidth=1, markersize=5, label=name)
            else:
                ax.plot(rows[data.focal], rows["yhat"], color=style["color"], linestyle=style["linestyle"],
                        marker=style["marker"], label=name)
                ax.fill_between(rows[data.focal], rows["ci_low"], rows["ci_high"], color=style["color"], alpha=0.15,
                                linewidth=0)
        xlabel = _shown(labels, data.focal)
        if as_categories:
            coded = x_levels if data.focal == result.x else None
            shown = [_shown(labels, v) if categorical else _value_text(v, coded) for v in focal_values]
            ticks_height = _category_ticks(fig, ax, range(len(focal_values)), shown)
            ax.set_xlim(-0.5, len(focal_values) - 0.5)
            if categorical or coded:  # the ticks name the levels: the label needs no "(public = 1)"
                xlabel = re.sub(r" \(.*\)$", "", xlabel)
            extra = ticks_height - 0.3
            if extra > 0:  # tall (wrapped) tick labels make the figure taller, not the plot smaller
                fig.set_size_inches(fig.get_figwidth(), fig.get_figheight() + extra)
        ax.set_xlabel(wrap_to_width(fig, xlabel, fig.get_figwidth() - 0.6, FONT_SIZE))
        ylabel = words["predicted"].format(outcome=_lower_first(_shown(labels, data.outcome)))
        ax.set_ylabel(wrap_to_width(fig, ylabel, 1.9, FONT_SIZE))
        texts, columns = _legend_labels(fig, [line.get_label() for line in ax.get_legend_handles_labels()[0]],
                                        fig.get_figwidth() - 0.2)
        fig.legend(ax.get_legend_handles_labels()[0], texts, loc="outside lower center", ncols=columns)
    return fig


def _lower_first(text: str) -> str:
    """``Attitude toward the company`` -> ``attitude toward the company`` (not an acronym such as ``PK``)."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _term_text(term: str, result, labels, words=WORDS["en"]) -> str:
    """A term's box text: variable names joined by ×, a code of X as its level (an indicator
    code as its level against the reference).

    A name's closing parenthetical (``Channel (public = 1)``) goes on its own
    line, and is left out of a product term, where the single term's box says it.
    """
    parts = []
    for part in term.split(":"):
        if result.x_codes and part.startswith(f"{result.x}[") and part.endswith("]"):
            level = part[len(result.x) + 1:-1]
            shown = words["versus"].format(level=_shown(labels, level), reference=_shown(labels, next(iter(result.x_codes)))) \
                if result.x_coding == "indicator" else _shown(labels, level)
            parts.append(f"{_shown(labels, result.x)}: {shown}")
        else:
            parts.append(_shown(labels, part))
    if len(parts) == 1:
        return re.sub(r" \((.*)\)$", r"\n(\1)", parts[0])
    return " × ".join(re.sub(r" \(.*\)$", "", part) for part in parts)


def _coefficient_names(result) -> dict[tuple[str, str], str]:
    """(outcome, term) -> Hayes's names: a1, a2, ... into a mediator; into Y, c'1, c'2, ... for X and the
    terms of a moderated direct path, b1, b2, ... for the mediators and their terms (all of Y's in models 1-3)."""
    names = {}
    k = len(result.m)
    x_parts = set(x_terms_of(result))
    for j, equation in enumerate(result.equations):
        drawn = [term for term in equation.terms[1:] if term.name not in result.covariates]
        if equation.outcome != result.y:
            suffix = f"{j + 1}." if k > 1 else ""
            for i, term in enumerate(drawn):
                names[(equation.outcome, term.name)] = f"a{suffix}{i + 1}" if len(drawn) > 1 else f"a{suffix.rstrip('.')}"
            continue
        direct = bool(result.model.direct) and bool(result.m)
        c_terms = [t for t in drawn if result.m and (x_parts & set(t.parts) or (direct and not set(t.parts) & set(result.m)))]
        b_terms = [t for t in drawn if t not in c_terms]
        for prefix, terms in (("c'", c_terms), ("b", b_terms)):
            for i, term in enumerate(terms):
                names[(equation.outcome, term.name)] = f"{prefix}{i + 1}" if len(terms) > 1 else prefix
    return names


def process_diagram(result, *, labels: dict | None = None, lang: str = "en", width: str | float = "double") -> Figure:
    """Statistical diagram of the fitted model: a box per predictor term, an arrow per coefficient.

    As Hayes draws them (2022, appendix A): X, the moderators and the product
    terms in a column on the left, the mediators in the middle above them, Y
    on the right; each arrow carries its coefficient (``a`` into a mediator,
    ``b`` from a mediator, ``c'`` for the other terms into Y). Covariates are
    named under the diagram, with the index of moderated mediation where the
    model has one.

    Parameters
    ----------
    result : ProcessResult
    labels : dict, optional
        Display names of the variables and of X's levels.
    lang : {"en", "nl"}
    width : "single", "double" or inches
        The height follows from the contents.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from analysis.process import process
    >>> rng = np.random.default_rng(4)
    >>> data = pd.DataFrame({"x": rng.integers(0, 2, 200), "w": rng.integers(0, 2, 200)})
    >>> data["m"] = 0.5 * data["x"] * data["w"] + rng.normal(size=200)
    >>> data["y"] = 0.4 * data["m"] + 0.2 * data["x"] * data["w"] + rng.normal(size=200)
    >>> fig = process_diagram(process(data, 8, x="x", m="m", w="w", y="y", n_boot=200, seed=1))
    >>> texts = [t.get_text() for t in fig.axes[0].texts]
    >>> "x × w" in texts, any(t.startswith("a3 = ") for t in texts)
    (True, True)
    """
    words = WORDS[_check_lang(lang)]
    _check_labels(labels)
    fig, ax = new_figure(width)
    total_width = float(fig.get_figwidth())
    fig.set_layout_engine("none")  # one data unit is one inch, as in the mediation diagram
    ax.set_position([0, 0, 1, 1])
    ax.set_axis_off()
    names = _coefficient_names(result)
    left_terms = []
    for equation in result.equations:
        for term in equation.terms[1:]:
            if term.name not in result.covariates and term.name not in result.m and term.name not in left_terms:
                left_terms.append(term.name)
    layout = _DiagramLayout(fig, ax)
    with house_style():
        box_width = 0.26 * total_width
        left_texts = [wrap_to_width(fig, _term_text(term, result, labels, words), box_width, FONT_SIZE)
                      for term in left_terms]
        m_texts = [wrap_to_width(fig, _shown(labels, m), box_width, FONT_SIZE) for m in result.m]
        y_text = wrap_to_width(fig, _shown(labels, result.y), box_width, FONT_SIZE)
        sizes = [layout.size(text, FONT_SIZE, BOX_PAD) for text in left_texts]
        step = max(h for _, h in sizes) + 0.42
        left_heights = [-i * step for i in range(len(left_terms))]
        left_x = MARGIN + max(w for w, _ in sizes) / 2
        boxes = {term: layout.box((left_x, height), text)
                 for term, height, text in zip(left_terms, left_heights, left_texts)}
        y_size = layout.size(y_text, FONT_SIZE, BOX_PAD)
        centre = (left_heights[0] + left_heights[-1]) / 2
        boxes[result.y] = layout.box((total_width - MARGIN - y_size[0] / 2, centre), y_text)
        arrows = []
        for equation in result.equations:
            table = result.coefficients[equation.outcome]
            for term in equation.terms[1:]:
                if (equation.outcome, term.name) in names:
                    arrows.append((term.name, equation.outcome, names[(equation.outcome, term.name)],
                                   float(table.loc[term.name, "coef"])))
        placed = {name: (box[1], layout.size(text, FONT_SIZE, BOX_PAD))
                  for name, box, text in [(t, boxes[t], x) for t, x in zip(left_terms, left_texts)]
                  + [(result.y, boxes[result.y], y_text)]}
        m_sizes = [layout.size(t, FONT_SIZE, BOX_PAD) for t in m_texts]
        for mediator, centre in _mediator_centres(placed, result.m, m_sizes, [(s, t) for s, t, _, _ in arrows],
                                                  total_width, step).items():
            boxes[mediator] = layout.box(centre, m_texts[result.m.index(mediator)])
        for source, target, _, _ in arrows:
            layout.arrow(boxes[source], boxes[target])
        for source, target, name, value in arrows:
            text = f"{name} = {format_number(value, style='unicode')}"
            rising = boxes[target][1][1] > boxes[source][1][1]
            layout.path_label(boxes[source], boxes[target], text, "center", above=rising or target != result.y)
        lines = []
        if result.x_codes and len(result.x_codes) > 2:
            lines.append(words["reference"].format(x=_shown(labels, result.x),
                                                   level=_shown(labels, next(iter(result.x_codes)))))
        if result.covariates:
            lines.append(words["covariates"].format(names=", ".join(_shown(labels, c) for c in result.covariates)))
        if result.index is not None:
            for key, row in result.index.iterrows():
                mediator = key[0] if isinstance(key, tuple) else key
                text = apa_mediation(row["index"], row["ci_low"], row["ci_high"], ci=result.ci, lang=lang, style="unicode")
                lines.append(words["index"].format(m=_shown(labels, mediator), text=text.split("= ", 1)[-1]))
        if lines:
            lowest = min(extent[1] for extent in layout.extents)
            layout.label(total_width / 2, lowest - GAP - 0.05,
                         "\n".join(_fit_line(fig, line, total_width - 2 * MARGIN) for line in lines), "center", "top")
        layout.fit(total_width)
    return fig


class _DiagramLayout(_Layout):
    """The process diagram's layout: a label may sit on either side of its path."""

    def path_label(self, start, end, text: str, ha: str, above: bool):
        """Label a path on either side of it, nearest to its middle, clear of boxes, labels and arrows."""
        (_, (x0, y0)), (_, (x1, y1)) = start, end
        (start_w, start_h), end_size = self._sizes[start[1]], self._sizes[end[1]]
        dx, dy = x1 - x0, y1 - y0

        def leaving(half_w, half_h):
            return min(half_w / abs(dx) if dx else np.inf, half_h / abs(dy) if dy else np.inf)

        t0, t1 = leaving(start_w / 2, start_h / 2), 1 - leaving(end_size[0] / 2, end_size[1] / 2)
        w, h = self.size(text, SMALL_FONT_SIZE)
        length = float(np.hypot(dx, dy)) or 1.0
        normal = np.array([-dy, dx]) / length
        if normal[1] < 0 or (normal[1] == 0 and normal[0] < 0):
            normal = -normal  # the first side tried is the upper one
        reach = abs(normal[0]) * w / 2 + abs(normal[1]) * h / 2  # the label's half-extent across the path
        candidates = []
        for lift in (0.0, 0.08, 0.16, 0.28):
            for fraction in (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.15, 0.85):
                for side in ((1.0, -1.0) if above else (-1.0, 1.0)):
                    point = np.array([x0, y0]) + (t0 + fraction * (t1 - t0)) * np.array([dx, dy])
                    cx, cy = point + side * normal * (GAP / 2 + lift + reach)
                    candidates.append((cx, cy, (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)))
        chosen = next((c for c in candidates if self.free(c[2])), None)
        if chosen is None:
            return super().path_label(start, end, text, ha, above)
        cx, cy, _ = chosen
        return self.label(cx, cy, text, "center", "center")


def _mediator_centres(placed: dict, mediators: list, sizes: list, arrows: list, total_width: float,
                      step: float) -> dict:
    """Centres of the mediator boxes, chosen so that no arrow crosses a box it does not join.

    Candidates: each mediator above the left column (Hayes's usual place) or below it, shifted
    left or right; the arrangement with the fewest crossings wins, then the one with the most
    mediators above, then the most compact. ``placed`` maps the other boxes to (centre, size).
    Beyond two mediators they are stacked above, as in the single-mediator drawing.
    """
    if not mediators:
        return {}
    base = max(h for _, h in sizes) + 0.55
    lowest = min(c[1] - sz[1] / 2 for c, sz in placed.values())
    highest = max(c[1] + sz[1] / 2 for c, sz in placed.values())
    if len(mediators) > 2:
        return {m: (total_width / 2, step * 0.9 + (len(mediators) - 1 - i) * base) for i, m in enumerate(mediators)}
    rows = [("above", highest + 0.45 + sizes_h / 2 + lift) for sizes_h in (max(h for _, h in sizes),)
            for lift in (0.0, 0.5, 1.0)]
    rows += [("below", lowest - 0.45 - max(h for _, h in sizes) / 2 - lift) for lift in (0.0, 0.5)]
    offsets = (0.0, -0.1, 0.1, -0.2, 0.2, 0.3)
    best = None
    for choice in itertools.product(itertools.product(rows, offsets), repeat=len(mediators)):
        centres = {m: (total_width / 2 + shift * total_width, y) for m, ((_, y), shift) in zip(mediators, choice)}
        boxes = {**placed, **{m: (centres[m], size) for m, size in zip(mediators, sizes)}}
        overlap = any(abs(centres[a][0] - centres[b][0]) < (sizes[i][0] + sizes[j][0]) / 2 + 0.15
                      and abs(centres[a][1] - centres[b][1]) < (sizes[i][1] + sizes[j][1]) / 2 + 0.15
                      for i, a in enumerate(mediators) for j, b in enumerate(mediators) if i < j)
        if overlap:
            continue
        crossings = sum(
            _segment_hits_box(boxes[s][0], boxes[t][0], (c[0] - w / 2 - 0.05, c[1] - h / 2 - 0.05,
                                                         c[0] + w / 2 + 0.05, c[1] + h / 2 + 0.05))
            for s, t in arrows if s in boxes and t in boxes
            for name, (c, (w, h)) in boxes.items() if name not in (s, t))
        ys = [c[1] for c in centres.values()]
        height = max(max(ys), highest) - min(min(ys), lowest)
        score = (crossings, sum(side == "below" for (side, _), _ in choice), round(height, 3),
                 sum(abs(shift) for _, shift in choice))
        if best is None or score < best[0]:
            best = (score, centres)
    return best[1]
