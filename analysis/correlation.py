"""Correlation of two numeric variables with Fisher-z confidence intervals."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from analysis._checks import complete_rows, numeric_column, require_columns, require_level

CORRELATION_COLUMNS = ["method", "n", "r", "ci_low", "ci_high", "p"]
METHODS = ("pearson", "spearman")


def correlate(
    data: pd.DataFrame,
    x: str,
    y: str,
    *,
    method: str | Sequence[str] = ("pearson", "spearman"),
    ci: float = 0.95,
) -> pd.DataFrame:
    """Pearson and/or Spearman correlation of two columns, with confidence intervals.

    Parameters
    ----------
    data : pandas.DataFrame
    x, y : str
        Two different numeric columns.
    method : {"pearson", "spearman"} or a sequence of them
        Which coefficients to report, one row each, in the order given.
    ci : float, default 0.95
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        One row per method, columns

        - ``method``;
        - ``n``: rows with both values (the others are dropped; their number
          is in ``result.attrs["n_dropped"]``);
        - ``r``: the coefficient;
        - ``ci_low``, ``ci_high``: Fisher z interval,
          ``tanh(atanh(r) -/+ z_{(1+ci)/2} / sqrt(n - 3))`` (for Spearman
          this is the usual approximation, as in pingouin);
        - ``p``: two-sided p value (t distribution with ``n - 2`` df for
          Pearson; scipy's t approximation for Spearman).

    Raises
    ------
    ValueError
        For a missing, non-numeric, all-missing or constant column, ``x``
        equal to ``y``, an unknown method, or fewer than four complete rows.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"a": [1, 2, 3, 4, 5, 6], "b": [2, 1, 4, 3, 6, 5]})
    >>> correlate(frame, "a", "b")[["method", "n", "r"]].round(3)
         method  n      r
    0   pearson  6  0.829
    1  spearman  6  0.829
    """
    methods = [method] if isinstance(method, str) else list(method)
    unknown = [m for m in methods if m not in METHODS]
    if not methods or unknown:
        raise ValueError(f"`method` must be 'pearson', 'spearman' or a list of them; got {method!r}.")
    level = require_level(ci, "ci")
    if x == y:
        raise ValueError(f"`x` and `y` are the same column ({x!r}); choose two different columns.")
    require_columns(data, [x, y])
    frame, dropped = complete_rows(
        pd.DataFrame({x: numeric_column(data, x), y: numeric_column(data, y)}, index=data.index), [x, y]
    )
    n = len(frame)
    if n < 4:
        raise ValueError(
            f"only {n} row(s) have values on both {x!r} and {y!r}; at least 4 are needed for a "
            "correlation with a confidence interval."
        )
    numeric_column(frame, x)
    numeric_column(frame, y)
    critical = stats.norm.ppf(1 - (1 - level) / 2)
    rows = []
    for name in methods:
        test = stats.pearsonr if name == "pearson" else stats.spearmanr
        result = test(frame[x].to_numpy(dtype=float), frame[y].to_numpy(dtype=float))
        r = float(result.statistic)
        with np.errstate(divide="ignore"):  # |r| = 1 gives an infinite z and a zero-width interval
            z = np.arctanh(np.clip(r, -1.0, 1.0))
        half_width = critical / np.sqrt(n - 3)
        rows.append((name, n, r, float(np.tanh(z - half_width)), float(np.tanh(z + half_width)), float(result.pvalue)))
    table = pd.DataFrame(rows, columns=CORRELATION_COLUMNS)
    table.attrs.update({"n_dropped": dropped})
    return table
