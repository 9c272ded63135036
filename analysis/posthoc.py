"""Post hoc pairwise comparisons of more than two groups: Tukey HSD and Games-Howell."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from scipy.stats import studentized_range

from analysis._checks import (
    group_samples,
    require_level,
)

POSTHOC_COLUMNS = ["group1", "group2", "diff", "se", "statistic", "df", "p", "ci_low", "ci_high"]


def tukey_hsd(data: pd.DataFrame, dv: str, between: str, *, ci: float = 0.95) -> pd.DataFrame:
    """Tukey's honestly significant difference test for all pairs of groups.

    Assumes equal variances; uses the pooled within-group variance of the
    one-way ANOVA and, for unequal group sizes, the Tukey-Kramer standard
    error. With unequal variances use :func:`games_howell`.

    Parameters
    ----------
    data : pandas.DataFrame
    dv : str
        Numeric dependent variable.
    between : str
        Grouping column (two or more groups; use the ``condition`` column
        for the cells of a factorial design).
    ci : float, default 0.95
        Family-wise confidence level of the simultaneous intervals.

    Returns
    -------
    pandas.DataFrame
        One row per pair, in group order (categories in category order, else
        sorted), with columns

        - ``group1``, ``group2``;
        - ``diff``: mean of group 1 minus mean of group 2;
        - ``se``: standard error of the difference, ``sqrt(MSE (1/n1 + 1/n2))``;
        - ``statistic``: ``diff / se`` (the studentized range statistic is
          ``sqrt(2) * |statistic|``);
        - ``df``: error degrees of freedom, ``N - k``;
        - ``p``: adjusted p value from the studentized range distribution;
        - ``ci_low``, ``ci_high``: simultaneous interval for ``diff``.

        ``result.attrs`` holds ``n`` and ``n_dropped`` (listwise deletion).

    Raises
    ------
    ValueError
        For a missing or constant column, fewer than two groups, a group
        with fewer than two values, or no within-group variance.

    References
    ----------
    Kramer, C. Y. (1956). Extension of multiple range tests to group means
    with unequal numbers of replications. *Biometrics, 12*, 307-310.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"g": list("aaabbbccc"), "y": [1, 2, 3, 4, 5, 6, 3, 3, 4]})
    >>> tukey_hsd(frame, "y", "g")[["group1", "group2", "diff"]]
      group1 group2      diff
    0      a      b -3.000000
    1      a      c -1.333333
    2      b      c  1.666667
    """
    level = require_level(ci, "ci")
    groups, samples, dropped = group_samples(data, dv, between)
    sizes = np.array([len(s) for s in samples], dtype=float)
    df_error = sizes.sum() - len(groups)
    mse = sum(((s - s.mean()) ** 2).sum() for s in samples) / df_error
    if mse == 0:
        raise ValueError(f"column {dv!r} has no variance within the groups of {between!r}; Tukey's test is undefined.")
    critical = studentized_range.ppf(level, len(groups), df_error) / np.sqrt(2)
    rows = []
    for i, j in itertools.combinations(range(len(groups)), 2):
        diff = samples[i].mean() - samples[j].mean()
        se = np.sqrt(mse * (1 / sizes[i] + 1 / sizes[j]))
        rows.append(_pair_row(groups[i], groups[j], diff, se, df_error, len(groups), critical))
    return _table(rows, len(np.concatenate(samples)), dropped)


def games_howell(data: pd.DataFrame, dv: str, between: str, *, ci: float = 0.95) -> pd.DataFrame:
    """Games-Howell pairwise comparisons, which do not assume equal variances.

    Each pair has its own Welch standard error and Welch-Satterthwaite df;
    p values and intervals come from the studentized range distribution
    with ``k`` groups.

    Parameters
    ----------
    data : pandas.DataFrame
    dv : str
        Numeric dependent variable.
    between : str
        Grouping column (two or more groups).
    ci : float, default 0.95
        Family-wise confidence level of the intervals.

    Returns
    -------
    pandas.DataFrame
        Columns as :func:`tukey_hsd`: ``group1, group2, diff, se, statistic,
        df, p, ci_low, ci_high``, with ``se = sqrt(v1/n1 + v2/n2)`` and ``df``
        the pair's Welch df. ``result.attrs`` holds ``n`` and ``n_dropped``.

    Raises
    ------
    ValueError
        For a missing or constant column, fewer than two groups, a group with
        fewer than two values, or a pair of groups that both have no variance.

    References
    ----------
    Games, P. A., & Howell, J. F. (1976). Pairwise multiple comparison
    procedures with unequal n's and/or variances. *Journal of Educational
    Statistics, 1*, 113-125.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"g": list("aaabbbccc"), "y": [1, 2, 3, 4, 5, 7, 3, 3, 4]})
    >>> games_howell(frame, "y", "g")[["group1", "group2", "df"]].round(2)
      group1 group2    df
    0      a      b  3.45
    1      a      c  3.20
    2      b      c  2.56
    """
    level = require_level(ci, "ci")
    groups, samples, dropped = group_samples(data, dv, between)
    rows = []
    for i, j in itertools.combinations(range(len(groups)), 2):
        x, y = samples[i], samples[j]
        part_x, part_y = x.var(ddof=1) / len(x), y.var(ddof=1) / len(y)
        se = np.sqrt(part_x + part_y)
        if se == 0:
            raise ValueError(
                f"column {dv!r}: groups {groups[i]!r} and {groups[j]!r} of {between!r} both have no "
                "variance, so the Games-Howell comparison of that pair is undefined."
            )
        df = (part_x + part_y) ** 2 / (part_x**2 / (len(x) - 1) + part_y**2 / (len(y) - 1))
        critical = studentized_range.ppf(level, len(groups), df) / np.sqrt(2)
        rows.append(_pair_row(groups[i], groups[j], x.mean() - y.mean(), se, df, len(groups), critical))
    return _table(rows, len(np.concatenate(samples)), dropped)


def _pair_row(group1, group2, diff, se, df, k, critical) -> dict:
    statistic = diff / se
    return {
        "group1": group1, "group2": group2, "diff": diff, "se": se, "statistic": statistic,
        "df": float(df), "p": float(np.clip(studentized_range.sf(np.sqrt(2) * abs(statistic), k, df), 0, 1)),
        "ci_low": diff - critical * se, "ci_high": diff + critical * se,
    }


def _table(rows: list[dict], n: int, dropped: int) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=POSTHOC_COLUMNS)
    table.attrs.update({"n": n, "n_dropped": dropped})
    return table
