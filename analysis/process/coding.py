"""Coding a multicategorical X (PROCESS's ``mcx``) and choosing moderator values (PROCESS's rule).

A categorical X with g levels (sorted, or a pandas Categorical's order; with
``x_reference`` that level first) becomes g - 1 code columns, as PROCESS's
``mcx`` 1-4 builds them:

>>> code_matrix(3, "indicator")
array([[0., 0.],
       [1., 0.],
       [0., 1.]])
>>> code_matrix(3, "helmert").round(4)
array([[-0.6667,  0.    ],
       [ 0.3333, -0.5   ],
       [ 0.3333,  0.5   ]])

Moderator values default to the 16th, 50th and 84th percentiles computed as
PROCESS computes them (the ``p(n + 1)`` order statistic, interpolated; SPSS's
and Minitab's definition, numpy's ``method="weibull"``; PROCESS for R 4.3.1,
function ``process.describ3``), or the two values of a dichotomous moderator
(every value is the minimum or the maximum):

>>> process_percentiles(np.arange(1.0, 11.0))
array([1.76, 5.5 , 9.24])
>>> moderator_values(np.array([0.0, 1.0, 1.0, 0.0]), None, "w")
array([0., 1.])
"""

from __future__ import annotations

import numpy as np
import pandas as pd

X_CODINGS = ("indicator", "sequential", "helmert", "effect")
PERCENTILES = (0.16, 0.50, 0.84)


def code_matrix(n_levels: int, coding: str) -> np.ndarray:
    """The (g, g - 1) codes of g ordered levels (PROCESS ``mcx`` 1-4).

    indicator: level 1 is the reference (all 0); sequential: level j + 1 has 1
    in the first j codes (each code compares a level with the one before);
    helmert: code j compares level j with the mean of the later levels; effect:
    indicator codes with level 1 coded -1 (each code compares a level with the
    unweighted mean of all levels).
    """
    g = n_levels
    codes = np.zeros((g, g - 1))
    if coding in ("indicator", "effect"):
        codes[1:] = np.eye(g - 1)
        if coding == "effect":
            codes[0] = -1.0
    elif coding == "sequential":
        codes[np.tril_indices(g, -1)] = 1.0
    elif coding == "helmert":
        for j in range(g - 1):
            codes[j, j] = -(g - 1 - j) / (g - j)
            codes[j + 1 :, j] = 1.0 / (g - j)
    else:
        raise ValueError(f"x_coding must be one of {X_CODINGS}; got {coding!r}.")
    return codes


def _levels_and_rows(series: pd.Series, name: str = "x") -> tuple[list, np.ndarray, np.ndarray]:
    """The levels present (sorted, or a Categorical's order), each case's level number and each level's count.

    >>> levels, rows, counts = _levels_and_rows(pd.Series(["b", "a", "b"]))
    >>> levels, rows.tolist(), counts.tolist()
    (['a', 'b'], [1, 0, 1], [1, 2])
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy()
        counts = np.bincount(codes, minlength=len(series.cat.categories))
        present = np.flatnonzero(counts)
        renumbered = np.zeros(counts.size, dtype=np.intp)
        renumbered[present] = np.arange(present.size)
        return series.cat.categories[present].tolist(), renumbered[codes], counts[present]
    try:
        levels, rows, counts = np.unique(series.to_numpy(), return_inverse=True, return_counts=True)
    except TypeError:  # levels that cannot be ordered: numbers and text mixed in one column
        raise ValueError(mixed_levels_message(series, name)) from None
    return list(levels), rows, counts


def mixed_levels_message(series: pd.Series, name: str) -> str:
    """The error for a categorical x whose levels mix types (``1, 2, "control"``), naming the types found."""
    kinds = sorted({type(value).__name__ for value in series.dropna().unique()})
    return (f"column {name!r} (x) mixes values of different types ({', '.join(kinds)}), so its levels have no order; "
            "make them all text or all numbers (e.g. data[x].astype(str)).")


def code_x(series: pd.Series, name: str, coding: str | None, reference) -> tuple[np.ndarray, list[str], dict | None]:
    """X as code columns: ``(values (n, k), term names, coding table or None)``.

    A numeric X without ``coding`` is used as it is (continuous or dichotomous,
    a boolean one as 0/1 as in ``analysis.mediation``; one column named ``name``). Otherwise each of the g - 1 codes is a column
    ``"{name}[{level}]"``: the level it singles out (indicator, effect), the
    level it steps up to (sequential), or the level it sets against the later
    ones (helmert). The coding table maps each level to its codes.
    """
    numeric = pd.api.types.is_numeric_dtype(series)  # booleans too
    if numeric:
        values = series.to_numpy(dtype=np.float64)
        if not np.isfinite(values).all():
            raise ValueError(f"column {name!r} (x) contains infinite values; replace them by missing values or finite numbers.")
    if numeric and coding is None:
        if values.min() == values.max():
            raise ValueError(f"column {name!r} (x) is constant; x must take at least two values.")
        return values[:, None], [name], None
    coding = coding or "indicator"
    if coding not in X_CODINGS:
        raise ValueError(f"x_coding must be one of {X_CODINGS} (PROCESS mcx 1-4); got {coding!r}.")
    levels, rows, counts = _levels_and_rows(series, name)
    if reference is not None:
        matches = [i for i, level in enumerate(levels) if level == reference or str(level) == str(reference)]
        if not matches:
            raise ValueError(f"x_reference {reference!r} is not a level of {name!r}; its levels are {levels}.")
        order = [matches[0], *(i for i in range(len(levels)) if i != matches[0])]
        position = np.empty(len(levels), dtype=np.intp)
        position[order] = np.arange(len(levels))
        levels, rows, counts = [levels[i] for i in order], position[rows], counts[order]
    if len(levels) < 2:
        raise ValueError(f"column {name!r} (x) has {len(levels)} level; x needs at least two.")
    if len(levels) > 9:
        stored_as_text = not pd.api.types.is_numeric_dtype(series) and pd.to_numeric(series, errors="coerce").notna().all()
        hint = (" Its values are numbers stored as text: convert them (pd.to_numeric) to use x as a continuous predictor."
                if stored_as_text else "")
        raise ValueError(f"column {name!r} (x) has {len(levels)} levels; a multicategorical x may have at most 9 (as in PROCESS).{hint}")
    small = [level for level, count in zip(levels, counts) if count < 2]
    if small:
        raise ValueError(f"levels {small} of {name!r} (x) have fewer than two cases; merge or drop them.")
    codes = code_matrix(len(levels), coding)
    labelled = levels[:-1] if coding == "helmert" else levels[1:]
    names = [f"{name}[{level}]" for level in labelled]
    table = {level: dict(zip(names, codes[i])) for i, level in enumerate(levels)}
    return codes[rows], names, table


def process_percentiles(values: np.ndarray, probabilities=PERCENTILES) -> np.ndarray:
    """Percentiles as PROCESS computes them: order statistic ``p (n + 1)``, linearly interpolated.

    (Hayes' PROCESS, all versions; SPSS's default percentile definition.) The
    position is clipped to the first and last case. Only the order statistics
    used are put in place (``np.partition``), not the whole sample sorted.
    """
    values = np.asarray(values, dtype=np.float64)
    n = values.size
    position = np.clip(np.asarray(probabilities) * (n + 1), 1.0, float(n))
    low = np.floor(position).astype(int)
    fraction = position - low
    high = np.minimum(low + 1, n)
    ordered = np.partition(values, np.unique(np.concatenate([low, high]) - 1))
    return ordered[low - 1] + (ordered[high - 1] - ordered[low - 1]) * fraction


def two_values_at_most(values: np.ndarray) -> bool:
    """Whether ``values`` take at most two distinct values (every one is the minimum or the maximum).

    >>> two_values_at_most(np.array([0.0, 1.0, 1.0])), two_values_at_most(np.array([0.0, 0.5, 1.0]))
    (True, False)
    """
    low, high = values.min(), values.max()
    return not ((values != low) & (values != high)).any()


def moderator_values(values: np.ndarray, given, name: str) -> np.ndarray:
    """The values at which a moderator is probed: ``given``, else PROCESS's default.

    The default is the two values of a dichotomous moderator, else its 16th,
    50th and 84th percentiles (:func:`process_percentiles`).
    """
    if given is not None:
        try:
            probe = np.atleast_1d(np.asarray(given, dtype=np.float64))
        except (TypeError, ValueError):
            raise ValueError(f"{name}_values must be one or more finite numbers; got {given!r}.") from None
        if probe.ndim != 1 or probe.size == 0 or not np.isfinite(probe).all():
            raise ValueError(f"{name}_values must be one or more finite numbers; got {given!r}.")
        return probe
    low, high = values.min(), values.max()
    if low < high and two_values_at_most(values):
        return np.array([low, high], dtype=np.float64)
    return process_percentiles(values)
