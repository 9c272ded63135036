"""Cross-tables: a test of independence and the motives-by-condition table.

The motives table is the one the Tilburg study reports: for each coded motive
(a 0/1 column such as ``code_reputation_protection``) how many participants
per condition mentioned it, with a chi-square (or Fisher's exact) test and
Cramér's V.

>>> import pandas as pd
>>> data = pd.DataFrame({
...     "condition": ["public"] * 4 + ["private"] * 4,
...     "code_image": [1, 1, 1, 0, 0, 0, 1, 0],
... })
>>> motives_by_condition(data, ["code_image"], by="condition")[["motive", "n_public", "pct_public", "test"]]
  motive  n_public  pct_public          test
0  image         3        75.0  fisher_exact
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special, stats

from analysis._checks import (
    as_name_list,
    complete_rows,
    numeric_column,
    ordered_groups,
    require_columns,
    require_groups,
)

TEST_COLUMNS = ["row", "col", "n", "test", "statistic", "df", "p", "cramers_v", "min_expected"]
CODE_PREFIX = "code_"


#: Tables drawn for the Monte Carlo exact test of an r x c table (R's fisher.test uses 2000).
EXACT_DRAWS = 20_000


def _log_table_probability(tables: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """log P(table | margins) under independence (multivariate hypergeometric), last two axes."""
    n = rows.sum()
    fixed = special.gammaln(rows + 1).sum() + special.gammaln(cols + 1).sum() - special.gammaln(n + 1)
    return fixed - special.gammaln(tables + 1).sum(axis=(-2, -1))


def fisher_freeman_halton(observed, *, draws: int = EXACT_DRAWS, seed: int = 0) -> float:
    """Monte Carlo p of the Fisher-Freeman-Halton exact test of an r x c table.

    Tables with the observed margins are drawn under independence; the p value is the
    share no more probable than the observed one, ``(1 + count) / (1 + draws)`` (as R's
    ``fisher.test(simulate.p.value = TRUE)``), seeded.

    >>> job = np.array([[1, 3, 10, 6], [2, 3, 10, 7], [1, 6, 14, 12], [0, 1, 9, 11]])
    >>> round(fisher_freeman_halton(job, seed=1), 2)   # R's fisher.test(Job): 0.7827
    0.78
    """
    observed = np.asarray(observed, dtype=np.int64)
    rows, cols = observed.sum(axis=1), observed.sum(axis=0)
    drawn = stats.random_table(rows, cols, seed=np.random.default_rng(seed)).rvs(size=draws)
    threshold = _log_table_probability(observed, rows, cols) + 1e-7  # tables as probable count (as R)
    count = int((_log_table_probability(drawn, rows, cols) <= threshold).sum())
    return (1 + count) / (1 + draws)


def _table_test(table: pd.DataFrame, correction: bool, seed: int = 0) -> dict:
    """Test of independence on an observed count table (at least 2 x 2)."""
    observed = table.to_numpy(dtype=float)
    n = observed.sum()
    chi2, p, dof, expected = stats.chi2_contingency(observed, correction=False)
    cramers_v = float(np.sqrt(chi2 / (n * (min(observed.shape) - 1))))
    min_expected = float(expected.min())
    if observed.shape == (2, 2) and min_expected < 5:
        p = stats.fisher_exact(observed).pvalue
        return {"test": "fisher_exact", "statistic": np.nan, "df": np.nan, "p": float(p),
                "cramers_v": cramers_v, "min_expected": min_expected}
    if min_expected < 5:  # an r x c table with sparse cells: the exact test, by Monte Carlo
        return {"test": "fisher_freeman_halton", "statistic": np.nan, "df": np.nan,
                "p": fisher_freeman_halton(observed, seed=seed), "cramers_v": cramers_v,
                "min_expected": min_expected}
    test = "chi2"
    if correction and dof == 1:
        chi2, p, _, _ = stats.chi2_contingency(observed, correction=True)
        test = "chi2_yates"
    return {"test": test, "statistic": float(chi2), "df": float(dof), "p": float(p),
            "cramers_v": cramers_v, "min_expected": min_expected}


def crosstab_test(data: pd.DataFrame, row: str, col: str, *, correction: bool = False,
                  seed: int = 0) -> pd.DataFrame:
    """Test whether two categorical columns are independent.

    Pearson's chi-square test on the cross-table of ``row`` by ``col``; when an
    expected count is below 5, the exact test instead: Fisher's for a 2 x 2 table,
    the Fisher-Freeman-Halton test (p by seeded Monte Carlo,
    :func:`fisher_freeman_halton`) for a larger one.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per participant.
    row, col : str
        Categorical columns (e.g. a 0/1 code and ``condition``). Rows missing
        either are dropped.
    correction : bool, default False
        Apply Yates' continuity correction to 1-df chi-square tests (only when
        the chi-square test is used).
    seed : int, default 0
        Seed of the Monte Carlo exact test of a sparse table larger than 2 x 2.

    Returns
    -------
    pandas.DataFrame
        One row with columns:

        - ``row``, ``col``: the two column names;
        - ``n``: participants in the table;
        - ``test``: ``"chi2"``, ``"chi2_yates"``, ``"fisher_exact"`` or
          ``"fisher_freeman_halton"``;
        - ``statistic``, ``df``: chi-square and its degrees of freedom
          (NaN for Fisher's exact test, which has neither);
        - ``p``: two-sided p value of the test used;
        - ``cramers_v``: Cramér's V from the uncorrected chi-square, which is
          the absolute phi coefficient for a 2 x 2 table;
        - ``min_expected``: the smallest expected count (chi-square is
          unreliable when many are below 5).

    Raises
    ------
    ValueError
        If a column is missing or has fewer than two distinct values.

    Notes
    -----
    ``V = sqrt(chi2 / (n (min(r, c) - 1)))`` (Cramér, 1946). Fisher's exact
    p is that of :func:`scipy.stats.fisher_exact` (two-sided, summing the
    tables no more probable than the one observed).

    References
    ----------
    Agresti, A. (2007). *An introduction to categorical data analysis* (2nd
    ed.), sections 2.4 and 2.6. Wiley.

    Examples
    --------
    >>> data = pd.DataFrame({"code": [1] * 30 + [0] * 10 + [1] * 18 + [0] * 22,
    ...                      "condition": ["private"] * 40 + ["public"] * 40})
    >>> crosstab_test(data, "code", "condition").round(3)
        row        col   n  test  statistic   df      p  cramers_v  min_expected
    0  code  condition  80  chi2       7.5  1.0  0.006      0.306          16.0
    """
    require_columns(data, [row, col])
    require_groups(data, row)
    require_groups(data, col)
    kept, _ = complete_rows(data, [row, col])
    table = pd.crosstab(kept[row], kept[col])
    if min(table.shape) < 2:
        raise ValueError(
            f"columns {row!r} and {col!r} need at least two values each among the rows "
            "where both are present; check for missing values."
        )
    result = {"row": row, "col": col, "n": int(table.to_numpy().sum())}
    result.update(_table_test(table, correction, seed))
    return pd.DataFrame([result], columns=TEST_COLUMNS)


def motives_by_condition(
    data: pd.DataFrame, codes, by: str = "condition", *, correction: bool = False, seed: int = 0
) -> pd.DataFrame:
    """How often each coded motive was mentioned per condition, with a test.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per participant.
    codes : str or list of str
        The 0/1 code columns (e.g. ``["code_reputation_protection",
        "code_image_showcase"]``); booleans are fine, missing means not coded.
    by : str, default "condition"
        The grouping column.
    correction : bool, default False
        Yates' correction for 1-df chi-square tests, as in :func:`crosstab_test`.
    seed : int, default 0
        Seed of the Monte Carlo exact test of a sparse table with more than two groups.

    Returns
    -------
    pandas.DataFrame
        One row per code, columns in this order:

        - ``motive``: the code column without its ``code_`` prefix;
        - for each level ``L`` of ``by`` (category order, else sorted, as
          in :func:`analysis.describe`): ``n_L`` participants with code 1 and ``pct_L`` their
          percentage (0-100) of the coded participants in ``L``;
        - ``n_total``, ``pct_total``: the same over all conditions;
        - ``test``, ``statistic``, ``df``, ``p``, ``cramers_v``: as in
          :func:`crosstab_test` for the code-by-condition table. A code that
          is constant (nobody, or everybody, mentioned it) is not tested:
          ``test`` is ``"none"`` and the numbers are NaN;
        - ``p_holm``: ``p`` adjusted for the family of motive tests (Holm, 1979).

    Raises
    ------
    ValueError
        If a column is missing, a code holds values other than 0 and 1, or
        ``by`` has fewer than two groups.

    Examples
    --------
    >>> data = pd.DataFrame({
    ...     "condition": ["public", "private"] * 30,
    ...     "code_reputation_protection": [0, 1] * 25 + [1, 0] * 5,
    ...     "code_image_showcase": [1, 0] * 20 + [0, 0] * 10,
    ... })
    >>> table = motives_by_condition(data, ["code_reputation_protection", "code_image_showcase"])
    >>> table[["motive", "pct_public", "pct_private", "test", "cramers_v"]].round(2)
                      motive  pct_public  pct_private  test  cramers_v
    0  reputation_protection       16.67        83.33  chi2       0.67
    1          image_showcase       66.67         0.00  chi2       0.71
    """
    names = as_name_list(codes, what="`codes`")
    if not names:
        raise ValueError("`codes` is empty; pass the 0/1 code columns, e.g. ['code_reputation_protection'].")
    require_columns(data, [*names, by])
    levels = ordered_groups(data, by)
    rows = []
    for name in names:
        values = numeric_column(data, name, allow_constant=True)
        bad = values.dropna()[~values.dropna().isin([0.0, 1.0])]
        if len(bad):
            raise ValueError(
                f"code column {name!r} must hold 0 (not mentioned) and 1 (mentioned); "
                f"found {bad.iloc[0]:g}. Recode it or leave it out of `codes`."
            )
        frame = pd.DataFrame({"code": values, "group": data[by]}).dropna()
        motive = name[len(CODE_PREFIX):] if name.startswith(CODE_PREFIX) else name
        row: dict = {"motive": motive}
        for level in levels:
            in_level = frame.loc[frame["group"] == level, "code"]
            row[f"n_{level}"] = int(in_level.sum())
            row[f"pct_{level}"] = 100 * in_level.mean() if len(in_level) else np.nan
        row["n_total"] = int(frame["code"].sum())
        row["pct_total"] = 100 * frame["code"].mean() if len(frame) else np.nan
        table = pd.crosstab(frame["code"], frame["group"])
        if min(table.shape) < 2:
            row.update({"test": "none", "statistic": np.nan, "df": np.nan, "p": np.nan, "cramers_v": np.nan})
        else:
            result = _table_test(table, correction, seed)
            result.pop("min_expected")
            row.update(result)
        rows.append(row)
    table = pd.DataFrame(rows)
    table["p_holm"] = _holm(table["p"])
    return table


def _holm(p: pd.Series) -> pd.Series:
    """Holm's adjustment over the motives that were tested (the family of motive tests)."""
    # statsmodels is imported here, where it is used, so that ``import analysis`` stays light
    from statsmodels.stats.multitest import multipletests

    adjusted = pd.Series(np.nan, index=p.index)
    tested = p.notna()
    if tested.any():
        adjusted[tested] = multipletests(p[tested].to_numpy(float), method="holm")[1]
    return adjusted
