"""Agreement between coders of free text: Cohen's kappa and Krippendorff's alpha.

Both functions return a one-row DataFrame with fixed columns (listed in each
docstring), so results stack with ``pandas.concat`` into a table per code.

>>> import pandas as pd
>>> coder_a = ["yes", "yes", "no", "no", "yes", "no"]
>>> coder_b = ["yes", "no", "no", "no", "yes", "no"]
>>> round(float(cohen_kappa(coder_a, coder_b)["kappa"].iloc[0]), 3)
0.667
>>> round(float(krippendorff_alpha(pd.DataFrame({"a": coder_a, "b": coder_b}))["alpha"].iloc[0]), 3)
0.686
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from analysis._checks import require_level

KAPPA_COLUMNS = ["kappa", "se", "ci_low", "ci_high", "n", "p_observed", "p_expected"]
ALPHA_COLUMNS = ["alpha", "ci_low", "ci_high", "n_units", "n_coders", "level"]
LEVELS = ("nominal", "ordinal", "interval", "ratio")


def _as_label_series(values, name: str) -> pd.Series:
    if isinstance(values, pd.DataFrame):
        raise ValueError(
            f"`{name}` must be one column of labels (a Series, list or array); got a "
            "DataFrame. Pass e.g. data['code_reputation_coder1']."
        )
    series = pd.Series(values) if not isinstance(values, pd.Series) else values
    if series.ndim != 1:
        raise ValueError(f"`{name}` must be one-dimensional; got shape {series.shape}.")
    return series.reset_index(drop=True).astype(object)


def cohen_kappa(rater1, rater2, *, ci: float = 0.95) -> pd.DataFrame:
    """Cohen's kappa for two raters who labelled the same units.

    Parameters
    ----------
    rater1, rater2 : array-like or pandas.Series
        One label per unit (numbers or strings), in the same unit order. A
        unit missing for either rater is dropped (pairwise deletion).
    ci : float, default 0.95
        Confidence level of the interval.

    Returns
    -------
    pandas.DataFrame
        One row with columns:

        - ``kappa``: Cohen's (unweighted) kappa;
        - ``se``: its asymptotic standard error (not under the null);
        - ``ci_low``, ``ci_high``: Wald interval ``kappa ± z * se``;
        - ``n``: number of units rated by both;
        - ``p_observed``: proportion of units with the same label;
        - ``p_expected``: agreement expected by chance from the marginals.

    Raises
    ------
    ValueError
        If the inputs differ in length, no unit was rated by both, or both
        raters used only one and the same label (kappa is then undefined).

    Notes
    -----
    With ``p_ij`` the proportion of units labelled ``i`` by rater 1 and ``j``
    by rater 2 and ``p_i.``, ``p_.j`` the marginals,
    ``p_o = sum_i p_ii``, ``p_e = sum_i p_i. p_.i`` and
    ``kappa = (p_o - p_e) / (1 - p_e)``. The large-sample variance is that of
    Fleiss, Cohen & Everitt (1969), eq. 13:

    ``var = [sum_i p_ii (1 - (p_i. + p_.i)(1 - kappa))^2
    + (1 - kappa)^2 sum_{i != j} p_ij (p_.i + p_j.)^2
    - (kappa - p_e (1 - kappa))^2] / (n (1 - p_e)^2)``.

    References
    ----------
    Cohen, J. (1960). A coefficient of agreement for nominal scales.
    *Educational and Psychological Measurement, 20*, 37-46.

    Fleiss, J. L., Cohen, J., & Everitt, B. S. (1969). Large sample standard
    errors of kappa and weighted kappa. *Psychological Bulletin, 72*, 323-327.

    Examples
    --------
    >>> result = cohen_kappa([1, 1, 0, 0, 1, None], [1, 0, 0, 0, 1, 1])
    >>> result[["kappa", "n", "p_observed"]].round(3)
       kappa  n  p_observed
    0  0.615  5         0.8
    """
    level = require_level(ci, "ci")
    first = _as_label_series(rater1, "rater1")
    second = _as_label_series(rater2, "rater2")
    if len(first) != len(second):
        raise ValueError(
            f"`rater1` has {len(first)} labels but `rater2` has {len(second)}; both "
            "raters must label the same units in the same order."
        )
    both = first.notna() & second.notna()
    first, second = first[both], second[both]
    n = len(first)
    if n == 0:
        raise ValueError(
            "no unit was labelled by both raters (after dropping missing labels); "
            "check that the two columns belong to the same units."
        )
    labels = sorted(set(first) | set(second), key=lambda v: (str(type(v)), v))
    table = pd.crosstab(
        pd.Categorical(first, categories=labels),
        pd.Categorical(second, categories=labels),
        dropna=False,
    ).to_numpy(dtype=float)
    p = table / n
    rows, cols = p.sum(axis=1), p.sum(axis=0)
    p_observed = float(np.trace(p))
    p_expected = float(rows @ cols)
    if np.isclose(p_expected, 1.0):
        raise ValueError(
            f"kappa is undefined: both raters gave every one of the {n} units the "
            f"same label ({labels[0]!r}), so chance agreement is 1. Report the raw "
            "agreement instead, or code more varied material."
        )
    kappa = (p_observed - p_expected) / (1 - p_expected)
    diagonal = np.diag(p) * (1 - (rows + cols) * (1 - kappa)) ** 2
    off = p * (cols[:, None] + rows[None, :]) ** 2
    np.fill_diagonal(off, 0.0)
    numerator = diagonal.sum() + (1 - kappa) ** 2 * off.sum() - (kappa - p_expected * (1 - kappa)) ** 2
    se = float(np.sqrt(max(numerator, 0.0) / (n * (1 - p_expected) ** 2)))
    z = stats.norm.ppf(0.5 + level / 2)
    return pd.DataFrame(
        [[kappa, se, kappa - z * se, kappa + z * se, n, p_observed, p_expected]],
        columns=KAPPA_COLUMNS,
    )


def _ratings_frame(ratings) -> pd.DataFrame:
    if isinstance(ratings, pd.DataFrame):
        frame = ratings
    else:
        array = np.asarray(ratings, dtype=object)
        if array.ndim != 2:
            raise ValueError(
                "`ratings` must be a table with one row per unit and one column per "
                f"coder; got an array with {array.ndim} dimension(s)."
            )
        frame = pd.DataFrame(array)
    if frame.shape[1] < 2:
        raise ValueError(
            f"`ratings` has {frame.shape[1]} coder column(s); agreement needs at "
            "least two coders (one column per coder, one row per unit)."
        )
    return frame


def _value_codes(frame: pd.DataFrame, level: str) -> tuple[np.ndarray, np.ndarray]:
    """Map the ratings to integer codes; return (codes with -1 for missing, sorted values)."""
    stacked = frame.stack(future_stack=True)
    present = stacked[stacked.notna()]
    if level == "nominal":
        values = sorted(set(present), key=lambda v: (str(type(v)), v))
        index = {value: i for i, value in enumerate(values)}
        codes = np.array([index[v] if pd.notna(v) else -1 for v in stacked], dtype=int)
        return codes.reshape(frame.shape), np.array(values, dtype=object)
    numeric = pd.to_numeric(present, errors="coerce")
    if numeric.isna().any():
        bad = present[numeric.isna()].iloc[0]
        raise ValueError(
            f"level={level!r} needs numeric ratings, but found {bad!r}; recode the "
            "categories as ordered numbers or use level='nominal'."
        )
    if level == "ratio" and (numeric < 0).any():
        raise ValueError(
            "level='ratio' needs non-negative ratings (a true zero); found "
            f"{numeric.min():g}. Use level='interval' for scales with negative values."
        )
    values = np.unique(numeric.to_numpy(dtype=float))
    all_numeric = pd.to_numeric(stacked, errors="coerce").to_numpy(dtype=float)
    codes = np.where(np.isnan(all_numeric), -1, np.searchsorted(values, np.nan_to_num(all_numeric)))
    return codes.reshape(frame.shape), values


def _unit_coincidences(codes: np.ndarray, n_values: int) -> np.ndarray:
    """Coincidence matrix of each pairable unit, shape (units, values, values)."""
    counts = np.zeros((codes.shape[0], n_values))
    for column in codes.T:
        present = column >= 0
        counts[np.flatnonzero(present), column[present]] += 1
    m = counts.sum(axis=1)
    pairable = m >= 2
    counts, m = counts[pairable], m[pairable]
    outer = counts[:, :, None] * counts[:, None, :]
    outer[:, np.arange(n_values), np.arange(n_values)] -= counts
    return outer / (m - 1)[:, None, None]


def _squared_distances(values: np.ndarray, marginals: np.ndarray, level: str) -> np.ndarray:
    """delta^2 between every pair of values; ordinal depends on the marginals (batched)."""
    if level == "nominal":
        return 1.0 - np.eye(len(values))
    if level == "interval":
        return np.subtract.outer(values, values) ** 2
    if level == "ratio":
        total = np.add.outer(values, values)
        diff = np.subtract.outer(values, values)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(total == 0, 0.0, (diff / np.where(total == 0, 1, total)) ** 2)
    # ordinal: sum of n_g for g between c and k, minus (n_c + n_k) / 2; with the
    # cumulative sums this is cum_k - cum_c + (n_c - n_k) / 2 for either order.
    cumulative = np.cumsum(marginals, axis=-1)
    span = cumulative[..., None, :] - cumulative[..., :, None]
    span = span + (marginals[..., :, None] - marginals[..., None, :]) / 2
    return span**2


def _alpha_from_coincidences(coincidence: np.ndarray, values: np.ndarray, level: str) -> np.ndarray:
    """Alpha for one coincidence matrix (V, V) or a batch (B, V, V)."""
    marginals = coincidence.sum(axis=-1)
    n = marginals.sum(axis=-1)
    delta = _squared_distances(values, marginals, level)
    observed = (coincidence * delta).sum(axis=(-2, -1))
    expected = (marginals[..., :, None] * marginals[..., None, :] * delta).sum(axis=(-2, -1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(expected > 0, 1.0 - (n - 1) * observed / expected, np.nan)


def krippendorff_alpha(
    ratings,
    level: str = "nominal",
    *,
    n_boot: int = 0,
    seed: int | None = None,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Krippendorff's alpha for any number of coders, with missing codings allowed.

    Parameters
    ----------
    ratings : pandas.DataFrame or 2-D array-like
        One row per unit (e.g. participant's free-text answer) and one column
        per coder; missing values mean "not coded by this coder".
    level : {"nominal", "ordinal", "interval", "ratio"}, default "nominal"
        Level of measurement, which sets the distance between two values.
        Non-nominal levels need numeric ratings (ratio: non-negative).
    n_boot : int, default 0
        Number of bootstrap resamples of the units for a percentile confidence
        interval; 0 gives no interval (``ci_low`` and ``ci_high`` are NaN).
    seed : int or None
        Seed of the bootstrap; required when ``n_boot > 0``.
    ci : float, default 0.95
        Confidence level of the bootstrap interval.

    Returns
    -------
    pandas.DataFrame
        One row with columns ``alpha``, ``ci_low``, ``ci_high``, ``n_units``
        (units coded by at least two coders: the only ones that count),
        ``n_coders`` (columns of ``ratings``) and ``level``.

    Raises
    ------
    ValueError
        If fewer than two coders are given, no unit was coded twice, all
        pairable values are equal (alpha undefined), the level is unknown or
        the values do not fit the level.

    Notes
    -----
    The coincidence-matrix formulation of Krippendorff (2011): unit ``u`` with
    ``m_u >= 2`` values adds ``n_uc n_uk / (m_u - 1)`` to ``o_ck`` (minus the
    self-pairs on the diagonal). With ``n_c = sum_k o_ck`` and
    ``n = sum_c n_c``,

    ``alpha = 1 - (n - 1) sum_ck o_ck delta2_ck / sum_ck n_c n_k delta2_ck``,

    where ``delta2`` is ``[c != k]`` (nominal), ``(c - k)^2`` (interval),
    ``((c - k) / (c + k))^2`` (ratio) or
    ``(sum_{g=c..k} n_g - (n_c + n_k) / 2)^2`` (ordinal).

    The bootstrap resamples units with replacement and recomputes alpha
    (resamples in which every value is the same, where alpha is undefined,
    are skipped). This differs from the resampling of pairable values in
    Hayes & Krippendorff (2007) and is a plain nonparametric interval.

    References
    ----------
    Krippendorff, K. (2011). *Computing Krippendorff's alpha-reliability.*
    Annenberg School for Communication, University of Pennsylvania.
    https://repository.upenn.edu/asc_papers/43

    Hayes, A. F., & Krippendorff, K. (2007). Answering the call for a standard
    reliability measure for coding data. *Communication Methods and Measures,
    1*, 77-89.

    Examples
    --------
    >>> import numpy as np
    >>> ratings = pd.DataFrame({
    ...     "coder1": [1, 2, 3, 3, 2, 1, 4, 1, 2, np.nan],
    ...     "coder2": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5],
    ...     "coder3": [np.nan, 3, 3, 3, 2, 3, 4, 2, 2, 5],
    ... })
    >>> result = krippendorff_alpha(ratings, "interval", n_boot=200, seed=1)
    >>> result[["alpha", "n_units", "n_coders", "level"]].round(3)
       alpha  n_units  n_coders     level
    0  0.862       10         3  interval
    >>> bool(result["ci_low"].iloc[0] < result["alpha"].iloc[0] < result["ci_high"].iloc[0])
    True
    """
    if level not in LEVELS:
        raise ValueError(f"`level` must be one of {', '.join(LEVELS)}; got {level!r}.")
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 0:
        raise ValueError(f"`n_boot` must be a whole number >= 0; got {n_boot!r}.")
    if n_boot > 0 and seed is None:
        raise ValueError(
            "`seed` is required when `n_boot` > 0 so that the bootstrap interval can "
            "be reproduced; pass e.g. seed=2021."
        )
    confidence = require_level(ci, "ci")
    frame = _ratings_frame(ratings)
    codes, values = _value_codes(frame, level)
    per_unit = _unit_coincidences(codes, len(values))
    if per_unit.shape[0] == 0:
        raise ValueError(
            "no unit was coded by at least two coders, so agreement cannot be "
            "computed; check that `ratings` has one column per coder."
        )
    coincidence = per_unit.sum(axis=0)
    alpha = float(_alpha_from_coincidences(coincidence, values, level))
    if np.isnan(alpha):
        raise ValueError(
            "alpha is undefined: every pairable coding has the same value "
            f"({values[coincidence.sum(axis=1) > 0][0]!r}), so there is no variation "
            "to agree on."
        )
    ci_low = ci_high = np.nan
    if n_boot > 0:
        rng = np.random.default_rng(seed)
        n_units = per_unit.shape[0]
        weights = rng.multinomial(n_units, np.full(n_units, 1.0 / n_units), size=n_boot)
        flat = per_unit.reshape(n_units, -1)
        boot = (weights @ flat).reshape(n_boot, len(values), len(values))
        alphas = _alpha_from_coincidences(boot, values, level)
        alphas = alphas[~np.isnan(alphas)]
        tail = (1 - confidence) / 2 * 100
        ci_low, ci_high = np.percentile(alphas, [tail, 100 - tail])
    return pd.DataFrame(
        [[alpha, float(ci_low), float(ci_high), per_unit.shape[0], frame.shape[1], level]],
        columns=ALPHA_COLUMNS,
    )
