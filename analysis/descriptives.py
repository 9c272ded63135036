"""Descriptive statistics of a dependent variable per group."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from analysis._checks import as_name_list, numeric_column, require_columns, require_level

DESCRIBE_COLUMNS = ["n", "n_missing", "mean", "sd", "se", "ci_low", "ci_high"]


def describe(
    data: pd.DataFrame,
    dv: str,
    by: str | Sequence[str] | None = None,
    *,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Count, mean, standard deviation and confidence interval of ``dv`` per group.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per participant.
    dv : str
        The numeric dependent variable (e.g. ``"attitude"``).
    by : str or list of str, optional
        Grouping column(s) (e.g. ``"condition"`` or ``["channel", "empathy"]``).
        Without it, one row describes the whole sample.
    ci : float, default 0.95
        Confidence level of the t-based interval for the mean.

    Returns
    -------
    pandas.DataFrame
        One row per group (groups in sorted order, categories in category
        order; rows whose group is missing are left out), with a default
        integer index and the columns:

        - the ``by`` column(s), holding the group;
        - ``n``: participants with a value on ``dv``;
        - ``n_missing``: participants of the group without a value on ``dv``
          (dropped);
        - ``mean``, ``sd`` (sample SD, ddof = 1), ``se`` (``sd / sqrt(n)``);
        - ``ci_low``, ``ci_high``: ``mean -/+ t(1 - (1 - ci) / 2, n - 1) * se``.

        A group with a single value has ``sd``, ``se`` and the interval
        missing (NaN).

    Raises
    ------
    ValueError
        If a column is missing, ``dv`` is not numeric, entirely missing or
        constant, or ``ci`` is not between 0 and 1.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"condition": ["a", "a", "b", "b"], "y": [1.0, 3.0, 4.0, 6.0]})
    >>> table = describe(frame, "y", "condition")
    >>> table[["condition", "n", "mean", "sd"]]
      condition  n  mean        sd
    0         a  2   2.0  1.414214
    1         b  2   5.0  1.414214
    """
    groups = as_name_list(by, what="`by`")
    require_columns(data, [dv, *groups])
    level = require_level(ci, "ci")
    values = numeric_column(data, dv)
    frame = data[groups].copy() if groups else pd.DataFrame(index=data.index)
    frame["_value"] = values
    if groups:
        frame = frame.dropna(subset=groups)
        grouped = frame.groupby(groups, sort=True, observed=True, dropna=True)["_value"]
        table = pd.DataFrame({
            "n": grouped.count(),
            "n_missing": grouped.size() - grouped.count(),
            "mean": grouped.mean(),
            "sd": grouped.std(ddof=1),
        }).reset_index()
    else:
        column = frame["_value"]
        table = pd.DataFrame({
            "n": [int(column.count())],
            "n_missing": [int(column.isna().sum())],
            "mean": [column.mean()],
            "sd": [column.std(ddof=1)],
        })
    table["n"] = table["n"].astype("int64")
    table["n_missing"] = table["n_missing"].astype("int64")
    n = table["n"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["se"] = table["sd"] / np.sqrt(n)
        critical = stats.t.ppf(1 - (1 - level) / 2, np.where(n > 1, n - 1, np.nan))
    table["ci_low"] = table["mean"] - critical * table["se"]
    table["ci_high"] = table["mean"] + critical * table["se"]
    return table[[*groups, *DESCRIBE_COLUMNS]]
