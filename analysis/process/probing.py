"""Probing a moderated effect of X: conditional effects at moderator values and the Johnson-Neyman technique.

The conditional effect ``theta(w) = L(w)' b`` of X (``b1 + b3 w`` in model 1)
has standard error ``sqrt(L' V L)`` with the model's covariance V (classical
or HC), and a t test on the residual df. The Johnson-Neyman points are the
moderator values where ``theta(w)^2 = t_crit^2 var(theta(w))``, the roots of

    (b3^2 - t^2 v33) w^2 + 2 (b1 b3 - t^2 v13) w + (b1^2 - t^2 v11) = 0

that lie within the observed range of the moderator (Johnson & Neyman 1936;
Hayes & Matthes 2009). As PROCESS does, the table spans the moderator's range
in 20 equal steps, with the transition points added.

>>> b, cov = np.array([0.0, -0.5, 0.1, 0.2]), np.diag([0.02, 0.04, 0.001, 0.002])
>>> points = johnson_neyman_points(b[[1, 3]], cov[np.ix_([1, 3], [1, 3])], 200, 0.95, 1.0, 9.0)
>>> [round(p, 3) for p in points]
[5.692]
"""

from __future__ import annotations

import functools
import itertools

import numpy as np
import pandas as pd
from scipy.special import stdtrit

from analysis.process.coding import two_values_at_most
from analysis.process.effects import path_moderators, path_weights
from analysis.process.ols import OLSFit, linear_table

EFFECT_COLUMNS = ["effect", "se", "t", "p", "ci_low", "ci_high"]


def moderator_grid(names: list[str], values: dict[str, np.ndarray]) -> list[dict[str, float]]:
    """Every combination of the probed values of the moderators in ``names`` (W varying slowest)."""
    return [dict(zip(names, combination)) for combination in itertools.product(*(values[name] for name in names))]


def conditional_effects(
    fit: OLSFit, equation, x_terms, roles: dict[str, str], values: dict[str, np.ndarray], level: float,
    contrast: bool,
) -> pd.DataFrame | None:
    """The effect of each X term on the equation's outcome at every combination of moderator values.

    ``roles`` maps each moderator's column name to its role (``"w"``/``"z"``).
    None when the effect depends on no moderator.
    """
    moderators = sorted(set().union(*(path_moderators(equation, term, roles) for term in x_terms)), key=list(roles).index)
    if not moderators:
        return None
    grid = moderator_grid(moderators, values)
    weights = np.array([path_weights(equation, x_term, point) for x_term in x_terms for point in grid])
    estimate = weights @ fit.coef
    se = np.sqrt(((weights @ fit.cov) * weights).sum(axis=1))
    table = linear_table(estimate, se, fit.df_resid, level)
    key_columns = [roles[name] for name in moderators]
    keys = np.array([[point[name] for name in moderators] for point in grid], dtype=np.float64)
    keys = np.tile(keys, (len(x_terms), 1))
    if not contrast:
        return pd.DataFrame(np.column_stack([keys, table]), columns=_columns((*key_columns, *EFFECT_COLUMNS)).view())
    columns = dict(zip(key_columns, keys.T))
    columns["contrast"] = [x_term for x_term in x_terms for _ in grid]
    columns.update(zip(EFFECT_COLUMNS, table.T))
    return pd.DataFrame(columns)


@functools.lru_cache(maxsize=64)
def _columns(names: tuple[str, ...]) -> pd.Index:
    """A table's column labels, built once (an Index costs more to build than a small all-float table); use a view."""
    return pd.Index(list(names))


def johnson_neyman_points(b: np.ndarray, cov: np.ndarray, df: int, level: float, low: float, high: float) -> list[float]:
    """Moderator values in ``[low, high]`` where ``b[0] + b[1] w`` is significant at exactly ``level``.

    ``b`` and ``cov`` are the focal coefficient and its product with the
    moderator, and their 2 x 2 covariance.
    """
    t2 = stdtrit(df, 1 - (1 - level) / 2) ** 2
    a = b[1] ** 2 - t2 * cov[1, 1]
    half_b = b[0] * b[1] - t2 * cov[0, 1]
    c = b[0] ** 2 - t2 * cov[0, 0]
    if a == 0:
        roots = [-c / (2 * half_b)] if half_b != 0 else []
    else:
        disc = half_b * half_b - a * c
        if disc < 0:
            return []
        root = np.sqrt(disc)
        roots = sorted({(-half_b - root) / a, (-half_b + root) / a})
    return [float(w) for w in roots if low <= w <= high]


def johnson_neyman(fit: OLSFit, equation, x_term: str, moderator: str, observed: np.ndarray, level: float, role: str = "w"):
    """``(points, table)`` for the effect of ``x_term`` moderated by ``moderator`` alone; None if not applicable.

    Applicable when the effect is ``b_x + b_xw w`` with a continuous moderator
    (more than two distinct values).
    """
    weights_at_0 = path_weights(equation, x_term, {moderator: 0.0})
    weights_at_1 = path_weights(equation, x_term, {moderator: 1.0})
    focal, product = int(np.argmax(weights_at_0)), int(np.argmax(weights_at_1 - weights_at_0))
    if weights_at_0.sum() != 1.0 or (weights_at_1 - weights_at_0).sum() != 1.0 or two_values_at_most(observed):
        return None
    low, high = float(observed.min()), float(observed.max())
    pair = [focal, product]
    points = johnson_neyman_points(fit.coef[pair], fit.cov[np.ix_(pair, pair)], fit.df_resid, level, low, high)
    grid = np.unique(np.concatenate([np.linspace(low, high, 21), points]))
    estimate = fit.coef[focal] + grid * fit.coef[product]
    variance = fit.cov[focal, focal] + 2 * grid * fit.cov[focal, product] + grid**2 * fit.cov[product, product]
    effects = linear_table(estimate, np.sqrt(variance), fit.df_resid, level)
    table = pd.DataFrame(np.column_stack([grid, effects]), columns=_columns((role, *EFFECT_COLUMNS)).view())
    return points, table
