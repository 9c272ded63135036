"""Internal consistency of a multi-item scale: Cronbach's alpha and McDonald's omega."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analysis._checks import as_name_list, complete_rows, numeric_column, require_level

RELIABILITY_COLUMNS = ["alpha", "alpha_ci_low", "alpha_ci_high", "omega", "n_items", "n", "n_dropped"]
ITEM_COLUMNS = ["item", "mean", "sd", "item_total_r", "alpha_if_deleted", "loading"]


@dataclass(frozen=True)
class ReliabilityResult:
    """Scale reliability with per-item statistics (``reliability(..., item_stats=True)``).

    Attributes
    ----------
    summary : pandas.DataFrame
        The one-row table that ``reliability`` returns without item statistics.
    items : pandas.DataFrame
        One row per item, columns ``item``, ``mean``, ``sd``, ``item_total_r``
        (corrected: correlation of the item with the sum of the *other*
        items), ``alpha_if_deleted`` and ``loading`` (standardized loading in
        the one-factor model; NaN with fewer than three items).
    """

    summary: pd.DataFrame
    items: pd.DataFrame


def reliability(
    data: pd.DataFrame,
    items: Sequence[str],
    *,
    item_stats: bool = False,
    ci: float = 0.95,
) -> pd.DataFrame | ReliabilityResult:
    """Cronbach's alpha (with a Feldt interval) and McDonald's omega of a set of items.

    Reverse-keyed items must be recoded before (``questionnaires`` scoring
    does this); an item that correlates negatively with the rest of the scale
    usually means one was not, and raises a ``UserWarning`` naming it.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per participant, one numeric column per item.
    items : list of str
        The item columns of one scale (at least two).
    item_stats : bool, default False
        Also return per-item statistics (see Returns).
    ci : float, default 0.95
        Confidence level of the interval for alpha.

    Returns
    -------
    pandas.DataFrame or ReliabilityResult
        Without ``item_stats``: one row with columns

        - ``alpha``: Cronbach's alpha, ``k / (k - 1) * (1 - sum(item variances) / var(total))``;
        - ``alpha_ci_low``, ``alpha_ci_high``: Feldt's (1965) F-based interval;
        - ``omega``: McDonald's omega total from a one-factor model fitted by
          maximum likelihood to the item covariances (NaN for two items, where
          one factor is not identified);
        - ``n_items``; ``n``: participants with every item answered;
          ``n_dropped``: participants left out for a missing item (listwise).

        With ``item_stats=True``: a :class:`ReliabilityResult` whose
        ``summary`` is that row and whose ``items`` holds the item statistics.

    Raises
    ------
    ValueError
        For fewer than two items, a missing, non-numeric, all-missing or
        constant item, or fewer than three complete rows.

    Notes
    -----
    Feldt's interval: with ``n`` participants and ``k`` items,
    ``1 - (1 - alpha) * F_{1 - a/2}(n - 1, (n - 1)(k - 1))`` and
    ``1 - (1 - alpha) * F_{a/2}(...)``, ``a = 1 - ci`` (as ``pingouin.cronbach_alpha``).

    Omega: the one-factor model is fitted by maximum likelihood to the item
    correlation matrix (:class:`statsmodels.multivariate.factor.Factor`); as
    the ML solution is scale invariant, loadings ``l`` and uniquenesses ``u``
    on the covariance scale are the standardized ones times the item SDs
    (variances). Then ``omega = sum(l)**2 / (sum(l)**2 + sum(u))``
    (McDonald, 1999, eq. 6.20b), the reliability of the unweighted sum (or
    mean) of the raw items, with the model-implied total variance in the
    denominator. Under tau-equivalence omega equals alpha; for congeneric
    items alpha is lower.

    References
    ----------
    Feldt, L. S. (1965). The approximate sampling distribution of
    Kuder-Richardson reliability coefficient twenty. *Psychometrika, 30*, 357-370.

    McDonald, R. P. (1999). *Test theory: A unified treatment.* Erlbaum.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"q1": [1, 2, 3, 4, 5, 3], "q2": [2, 2, 3, 5, 4, 3],
    ...                       "q3": [1, 3, 3, 4, 5, 2]})
    >>> table = reliability(frame, ["q1", "q2", "q3"])
    >>> round(float(table.loc[0, "alpha"]), 3), int(table.loc[0, "n"])
    (0.932, 6)
    """
    names = as_name_list(items, what="`items`")
    if len(names) < 2:
        raise ValueError(f"`items` must list at least two item columns for a reliability estimate; got {names}.")
    if len(set(names)) != len(names):
        raise ValueError(f"`items` lists a column more than once: {names}.")
    level = require_level(ci, "ci")
    columns = {name: numeric_column(data, name) for name in names}
    scores, dropped = complete_rows(pd.DataFrame(columns, index=data.index), names)
    n, k = scores.shape
    if n < 3:
        raise ValueError(
            f"only {n} participant(s) answered every item of {names}; at least 3 complete rows are needed."
        )
    for name in names:  # an item may become constant once incomplete rows are gone
        numeric_column(scores, name)
    matrix = scores.to_numpy(dtype=float)
    total = matrix.sum(axis=1)
    item_total = np.array([np.corrcoef(matrix[:, j], total - matrix[:, j])[0, 1] for j in range(k)])
    if (item_total < 0).any():
        negative = ", ".join(repr(name) for name, r in zip(names, item_total) if r < 0)
        warnings.warn(
            f"item(s) {negative} correlate negatively with the rest of the scale; recode "
            "reverse-keyed items before computing reliability (alpha and omega assume they are).",
            UserWarning,
            stacklevel=2,
        )

    alpha = cronbach_alpha(matrix)
    df1, df2 = n - 1, (n - 1) * (k - 1)
    tail = (1 - level) / 2
    alpha_low = 1 - (1 - alpha) * stats.f.isf(tail, df1, df2)
    alpha_high = 1 - (1 - alpha) * stats.f.isf(1 - tail, df1, df2)
    loadings, uniquenesses = _one_factor_ml(matrix)
    if loadings is None:
        omega = np.nan
    else:
        sds = matrix.std(axis=0, ddof=1)
        common = np.sum(loadings * sds) ** 2
        omega = common / (common + np.sum(uniquenesses * sds**2))
    summary = pd.DataFrame({
        "alpha": [alpha], "alpha_ci_low": [alpha_low], "alpha_ci_high": [alpha_high],
        "omega": [omega], "n_items": [k], "n": [n], "n_dropped": [dropped],
    })
    if not item_stats:
        return summary
    item_rows = []
    for j, name in enumerate(names):
        others = np.delete(matrix, j, axis=1)
        item_rows.append({
            "item": name,
            "mean": matrix[:, j].mean(),
            "sd": matrix[:, j].std(ddof=1),
            "item_total_r": item_total[j],
            "alpha_if_deleted": cronbach_alpha(others) if others.shape[1] > 1 else np.nan,
            "loading": np.nan if loadings is None else loadings[j],
        })
    return ReliabilityResult(summary=summary, items=pd.DataFrame(item_rows, columns=ITEM_COLUMNS))


def cronbach_alpha(matrix: np.ndarray) -> float:
    """Cronbach's alpha of a complete ``participants x items`` array.

    Examples
    --------
    >>> import numpy as np
    >>> round(cronbach_alpha(np.array([[1, 2], [2, 3], [3, 3], [4, 5]])), 3)
    0.96
    """
    k = matrix.shape[1]
    item_variances = matrix.var(axis=0, ddof=1).sum()
    total_variance = matrix.sum(axis=1).var(ddof=1)
    return float(k / (k - 1) * (1 - item_variances / total_variance))


def _one_factor_ml(matrix: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Standardized loadings and uniquenesses of a one-factor ML fit (None for < 3 items).

    The sign is chosen so that the loadings sum to a positive number.
    """
    from statsmodels.multivariate.factor import Factor

    n, k = matrix.shape
    if k < 3:
        return None, None
    correlations = np.corrcoef(matrix, rowvar=False)
    with warnings.catch_warnings():
        # statsmodels warns about Heywood cases; the bounded fit is still reported.
        warnings.simplefilter("ignore")
        # A fixed generator for the EM start values: the same data give the same omega.
        fit = Factor(corr=correlations, n_factor=1, method="ml", nobs=n).fit(
            rng=np.random.default_rng(0)
        )
    loadings = np.asarray(fit.loadings, dtype=float).ravel()
    if loadings.sum() < 0:
        loadings = -loadings
    return loadings, np.asarray(fit.uniqueness, dtype=float)
