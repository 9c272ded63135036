"""Data for plotting a moderated effect: :meth:`ProcessResult.plot_data`.

Two tables for one moderated path of a fitted model (X -> Y, X -> M or M -> Y):

- ``effects``: the conditional effect of the focal variable across the
  moderator, ``theta(w) = L(w)' b`` with standard error ``sqrt(L' V L)`` (V the
  equation's covariance, classical or HC) and a t interval on the residual df.
  A continuous moderator is spanned from its minimum to its maximum (with
  the probed values and the Johnson-Neyman points added); a dichotomous one
  takes its two values. A second moderator takes its probed values.
- ``predicted``: predicted values of the outcome at every combination of the
  focal variable's values and the moderators' probed values, the other
  predictors (covariates, mediators, moderators off this path) held at their
  means, with the standard error ``sqrt(x0' V x0)`` and interval of each.
  This is the layout of PROCESS's "Data for visualizing the conditional effect
  of the focal predictor" block (``plot=1``; with ``plot=2`` PROCESS adds
  ``se, LLCI, ULCI``): one row per combination, the focal variable varying
  fastest, then W, then Z. The focal values are PROCESS's too: the levels of
  a categorical X, the two values of a dichotomous variable, else the 16th,
  50th and 84th percentiles.

>>> import numpy as np, pandas as pd
>>> from analysis.process import process
>>> rng = np.random.default_rng(2)
>>> data = pd.DataFrame({"x": rng.integers(0, 2, 120), "w": rng.normal(size=120)})
>>> data["y"] = 0.3 * data["x"] + 0.4 * data["x"] * data["w"] + rng.normal(size=120)
>>> plotted = process(data, 1, x="x", w="w", y="y").plot_data()
>>> plotted.predicted.columns.tolist()
['x', 'w', 'yhat', 'se', 'ci_low', 'ci_high']
>>> plotted.predicted["x"].tolist()[:2]
[0.0, 1.0]
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.process.coding import moderator_values
from analysis.process.effects import path_moderators, path_weights
from analysis.process.ols import linear_table
from analysis.process.probing import EFFECT_COLUMNS, johnson_neyman_points

PREDICTED_COLUMNS = ["yhat", "se", "ci_low", "ci_high"]


@dataclass(frozen=True, eq=False)
class ProcessPlotData:
    """What a plot of one moderated path needs (see :mod:`analysis.process.plotting`).

    Attributes
    ----------
    outcome : str
        The equation's outcome (Y, or a mediator for a moderated first stage).
    focal : str
        The variable whose effect is moderated (X's column name, or a mediator).
    moderators : list of str
        The moderators of this path (column names), W before Z.
    roles : list of str
        Their roles, ``"w"``/``"z"``: the column names of ``effects``.
    continuous : bool
        Whether the first moderator is continuous (spanned) rather than dichotomous.
    effects : DataFrame
        Columns: the roles, ``contrast`` for a multicategorical X, then
        ``effect, se, t, p, ci_low, ci_high``.
    predicted : DataFrame
        Columns: ``focal`` (X's levels for a multicategorical X), the
        moderators by column name, then ``yhat, se, ci_low, ci_high``.
    jn_points : list of float
        Johnson-Neyman points of this path within the moderator's range (empty
        when none, or when the path has a dichotomous, a second moderator or a
        multicategorical X).
    ci : float
        The interval level.
    """

    outcome: str
    focal: str
    moderators: list
    roles: list
    continuous: bool
    effects: pd.DataFrame
    predicted: pd.DataFrame
    jn_points: list = field(default_factory=list)
    ci: float = 0.95


def x_terms_of(result) -> list[str]:
    """X's columns in the equations: its codes (multicategorical X) or X itself."""
    if result.x_codes:
        return list(next(iter(result.x_codes.values())))
    return [result.x]


def moderated_paths(result) -> list[tuple[str, str]]:
    """Every ``(outcome, focal)`` whose effect depends on a moderator: X -> Y, X -> M, then M -> Y."""
    roles = _roles(result)
    by_outcome = {equation.outcome: equation for equation in result.equations}
    x_terms = x_terms_of(result)
    found = []
    for outcome in [result.y, *result.m]:
        if any(path_moderators(by_outcome[outcome], term, roles) for term in x_terms):
            found.append((outcome, result.x))
    for mediator in result.m:
        if path_moderators(by_outcome[result.y], mediator, roles):
            found.append((result.y, mediator))
    return found


def _roles(result) -> dict[str, str]:
    return {name: role for role, name in (("w", result.w), ("z", result.z)) if name is not None}


def _choose(result, outcome, focal) -> tuple[str, str]:
    paths = moderated_paths(result)
    if not paths:
        raise ValueError(f"model {result.model.number or 'custom'} has no moderated path to plot.")
    chosen = [(o, f) for o, f in paths if (outcome is None or o == outcome) and (focal is None or f == focal)]
    if not chosen:
        listed = ", ".join(f"{f} -> {o}" for o, f in paths)
        raise ValueError(f"no moderated path with outcome={outcome!r}, focal={focal!r}; this model's are: {listed}.")
    return chosen[0]


def _focal_rows(result, focal: str) -> tuple[list, list[dict[str, float]]]:
    """The focal variable's values as shown, and the base-variable values each sets."""
    if focal == result.x and result.x_codes:
        return list(result.x_codes), [dict(codes) for codes in result.x_codes.values()]
    values = moderator_values(result.columns[focal], None, "focal")
    return [float(v) for v in values], [{focal: float(v)} for v in values]


def _row(equation, values: dict[str, float]) -> np.ndarray:
    return np.array([np.prod([values[part] for part in term.parts]) if term.parts else 1.0 for term in equation.terms])


def plot_data(result, *, outcome: str | None = None, focal: str | None = None, points: int = 101) -> ProcessPlotData:
    """The :class:`ProcessPlotData` of one moderated path of ``result`` (see the module)."""
    if isinstance(points, bool) or not isinstance(points, (int, np.integer)) or points < 2:
        raise ValueError(f"`points` must be a whole number of at least 2; got {points!r}.")
    outcome, focal = _choose(result, outcome, focal)
    equation = next(eq for eq in result.equations if eq.outcome == outcome)
    fit, roles = result.fits[outcome], _roles(result)
    terms = x_terms_of(result) if focal == result.x else [focal]
    categorical = focal == result.x and bool(result.x_codes)
    involved = sorted(set().union(*(path_moderators(equation, term, roles) for term in terms)), key=list(roles).index)
    observed = {name: result.columns[name] for name in involved}
    probes = {name: np.asarray(result.moderator_values[roles[name]], dtype=float) for name in involved}
    lead = involved[0]
    low, high = float(observed[lead].min()), float(observed[lead].max())
    continuous = np.unique(observed[lead]).size > 2

    jn_points: list[float] = []
    if continuous and len(involved) == 1 and len(terms) == 1:
        at_0, at_1 = path_weights(equation, terms[0], {lead: 0.0}), path_weights(equation, terms[0], {lead: 1.0})
        pair = [int(np.argmax(at_0)), int(np.argmax(at_1 - at_0))]
        jn_points = johnson_neyman_points(fit.coef[pair], fit.cov[np.ix_(pair, pair)], fit.df_resid, result.ci,
                                          low, high)
    grid = {name: probes[name] for name in involved}
    if continuous:
        span = np.linspace(low, high, points)
        grid[lead] = np.unique(np.concatenate([span, probes[lead], jn_points]))

    rows, keys = [], []
    for term in terms:
        for combination in itertools.product(*(grid[name] for name in involved)):
            point = dict(zip(involved, map(float, combination)))
            weights = path_weights(equation, term, point)
            rows.append((weights @ fit.coef, np.sqrt(weights @ fit.cov @ weights)))
            keys.append([*combination, *([term] if categorical else [])])
    estimate, se = np.array(rows).T
    key_columns = [roles[name] for name in involved] + (["contrast"] if categorical else [])
    effects = pd.DataFrame({key: [k[i] for k in keys] for i, key in enumerate(key_columns)})
    for name, column in zip(EFFECT_COLUMNS, linear_table(estimate, se, fit.df_resid, result.ci).T):
        effects[name] = column

    shown, settings = _focal_rows(result, focal)
    means = {name: float(values.mean()) for name, values in result.columns.items()}
    design, labels = [], []
    for combination in itertools.product(*(probes[name] for name in involved)):
        for label, setting in zip(shown, settings):
            values = {**means, **dict(zip(involved, map(float, combination))), **setting}
            design.append(_row(equation, values))
            labels.append([label, *map(float, combination)])
    design = np.array(design)
    yhat = design @ fit.coef
    se = np.sqrt(np.einsum("ij,jk,ik->i", design, fit.cov, design))
    table = linear_table(yhat, se, fit.df_resid, result.ci)
    predicted = pd.DataFrame(labels, columns=[focal, *involved])
    for name, column in zip(PREDICTED_COLUMNS, table[:, [0, 1, 4, 5]].T):
        predicted[name] = column
    return ProcessPlotData(outcome=outcome, focal=focal, moderators=involved, roles=[roles[n] for n in involved],
                           continuous=continuous, effects=effects, predicted=predicted, jn_points=jn_points,
                           ci=result.ci)
