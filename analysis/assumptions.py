"""Checks of the ANOVA assumptions: equal variances and normality within groups."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from analysis._checks import (
    group_samples,
)

ASSUMPTION_COLUMNS = ["check", "group", "statistic", "df1", "df2", "p"]


def check_assumptions(data: pd.DataFrame, dv: str, between: str) -> pd.DataFrame:
    """Levene, Brown-Forsythe and per-group Shapiro-Wilk tests, for reporting.

    The results are reported only: no analysis in replylab switches tests on
    them (choosing a test after looking at these p values distorts its error
    rate). Report Welch's ANOVA / Games-Howell alongside the classic ones if
    variances may differ.

    Parameters
    ----------
    data : pandas.DataFrame
    dv : str
        Numeric dependent variable.
    between : str
        Grouping column (two or more groups; ``condition`` for the cells of a
        factorial design).

    Returns
    -------
    pandas.DataFrame
        Columns ``check, group, statistic, df1, df2, p``. Rows:

        - ``check="levene"``: Levene's test with deviations from the group
          means (``group`` missing; F with ``df1 = k - 1``, ``df2 = N - k``);
        - ``check="brown_forsythe"``: the same with deviations from the group
          medians (R ``car::leveneTest`` default);
        - ``check="shapiro"``: one row per group (``group`` holds it), the
          Shapiro-Wilk W and its p; ``df1`` and ``df2`` missing. Groups with
          fewer than three values get NaN (W is undefined).

        ``result.attrs`` holds ``n`` and ``n_dropped`` (listwise deletion).

    Raises
    ------
    ValueError
        For a missing or constant column, fewer than two groups, or a group
        with fewer than two values.

    References
    ----------
    Brown, M. B., & Forsythe, A. B. (1974). Robust tests for the equality of
    variances. *JASA, 69*, 364-367.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"g": list("aaaabbbb"), "y": [1, 2, 3, 5, 2, 4, 6, 9]})
    >>> check_assumptions(frame, "y", "g")[["check", "group", "df1", "df2"]]
                check group  df1  df2
    0          levene   NaN  1.0  6.0
    1  brown_forsythe   NaN  1.0  6.0
    2         shapiro     a  NaN  NaN
    3         shapiro     b  NaN  NaN
    """
    groups, samples, dropped = group_samples(data, dv, between)
    n = sum(len(sample) for sample in samples)
    df1, df2 = float(len(groups) - 1), float(n - len(groups))

    rows = []
    for check, center in (("levene", "mean"), ("brown_forsythe", "median")):
        result = stats.levene(*samples, center=center)
        rows.append((check, np.nan, float(result.statistic), df1, df2, float(result.pvalue)))
    for group, sample in zip(groups, samples):
        if len(sample) < 3 or np.ptp(sample) == 0:
            rows.append(("shapiro", group, np.nan, np.nan, np.nan, np.nan))
            continue
        result = stats.shapiro(sample)
        rows.append(("shapiro", group, float(result.statistic), np.nan, np.nan, float(result.pvalue)))
    table = pd.DataFrame(rows, columns=ASSUMPTION_COLUMNS)
    table["group"] = table["group"].astype(object)
    table.attrs.update({"n": n, "n_dropped": dropped})
    return table
