"""Comparison of two independent groups: t tests, effect sizes, equivalence, Bayes factor."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import integrate, optimize, stats

from analysis._checks import (
    complete_rows,
    numeric_column,
    ordered_groups,
    require_columns,
    require_group_sizes,
    require_level,
)
from analysis.descriptives import describe

TEST_COLUMNS = ["test", "statistic", "df", "p"]
#: The alternatives of the t tests, named as in ``scipy.stats.ttest_ind``.
ALTERNATIVES = ("two-sided", "greater", "less")
EFFECT_COLUMNS = ["effect", "estimate", "ci_low", "ci_high"]


@dataclass(frozen=True)
class GroupComparison:
    """Result of :func:`compare_groups`.

    Attributes
    ----------
    tests : pandas.DataFrame
        Columns ``test, statistic, df, p``. Rows (``test``):

        - ``student``: Student's t test (pooled variance);
        - ``welch``: Welch's t test (Welch-Satterthwaite df);
        - with equivalence bounds: ``tost_lower`` (H0: difference <= lower
          bound; one-sided p), ``tost_upper`` (H0: difference >= upper bound;
          one-sided p) and ``tost`` (the larger of the two: equivalence is
          declared when this p is below alpha; its statistic and df are those
          of that side). The TOST uses Welch's t.
    effects : pandas.DataFrame
        Columns ``effect, estimate, ci_low, ci_high``. Rows (``effect``):
        ``mean_difference_student`` and ``mean_difference_welch`` (group 1
        minus group 2, with the interval of each t test), ``cohen_d``
        (difference / pooled SD) and ``hedges_g`` (d times the small-sample
        correction ``1 - 3 / (4 (n1 + n2) - 9)``); the intervals of d and g
        invert the noncentral t distribution.
    descriptives : pandas.DataFrame
        :func:`analysis.descriptives.describe` of the two groups, group 1 first.
    groups : tuple
        (group 1, group 2), in category order or else sorted order.
    bf10 : float
        Default JZS Bayes factor for a difference (BF10; > 1 favours a difference).
    r_scale : float
        Scale of the Cauchy prior on the standardized effect used for ``bf10``.
    bounds_raw : tuple of float or None
        Equivalence bounds in raw units (as used for the TOST).
    bounds_d : tuple of float or None
        The same bounds in Cohen's d units (raw / pooled SD).
    n_dropped : int
        Rows dropped for a missing value in ``dv`` or ``between``.
    alternative : str
        The alternative of the ``student`` and ``welch`` rows: ``"two-sided"``,
        ``"greater"`` (group 1 above group 2) or ``"less"``.
    bf_directional : float or None
        With a one-sided ``alternative``: the Bayes factor of that direction
        against no difference (BF+0 for ``"greater"``, BF-0 for ``"less"``;
        the prior is the Cauchy folded onto that side). ``None`` when two-sided.
    """

    tests: pd.DataFrame
    effects: pd.DataFrame
    descriptives: pd.DataFrame
    groups: tuple
    bf10: float
    r_scale: float
    bounds_raw: tuple[float, float] | None
    bounds_d: tuple[float, float] | None
    n_dropped: int
    alternative: str = "two-sided"
    bf_directional: float | None = None


def compare_groups(
    data: pd.DataFrame,
    dv: str,
    between: str,
    equivalence_bounds: float | Sequence[float] | None = None,
    *,
    bounds_in: str = "d",
    ci: float = 0.95,
    r_scale: float = 0.707,
    alternative: str = "two-sided",
) -> GroupComparison:
    """Compare the means of exactly two independent groups.

    Reports Student's and Welch's t tests, the mean difference, Cohen's d and
    Hedges' g with intervals, an optional TOST equivalence test and the
    default JZS Bayes factor, so a null result can be read as evidence of
    absence (TOST, BF10 < 1/3) or absence of evidence.

    Parameters
    ----------
    data : pandas.DataFrame
    dv : str
        Numeric dependent variable.
    between : str
        Grouping column with exactly two groups.
    equivalence_bounds : float or (float, float), optional
        Smallest effect of interest: ``b`` means ``(-b, b)``; a pair gives the
        lower and upper bound. Without bounds no TOST rows are reported.
    bounds_in : {"d", "raw"}, default "d"
        Units of the bounds: Cohen's d (converted with the pooled SD) or the
        units of ``dv``.
    ci : float, default 0.95
        Confidence level of the intervals (the TOST uses its own two one-sided
        tests at whatever alpha the reader applies to the p values).
    r_scale : float, default 0.707
        Scale of the Cauchy prior of the Bayes factor (Rouder et al., 2009;
        BayesFactor's and JASP's "medium" is ``sqrt(2) / 2``).
    alternative : {"two-sided", "greater", "less"}, default "two-sided"
        Alternative of the Student and Welch tests, as in
        ``scipy.stats.ttest_ind``: ``"greater"`` tests whether group 1's mean
        is above group 2's. A one-sided alternative also gives the
        directional Bayes factor (``bf_directional``). The intervals stay
        two-sided and the TOST is one-sided on both sides either way.

    Returns
    -------
    GroupComparison
        ``tests`` and ``effects`` DataFrames plus the Bayes factor and group
        descriptives; see :class:`GroupComparison`.

    Raises
    ------
    ValueError
        If ``between`` does not hold exactly two groups (the message lists the
        groups found), a group has fewer than two values, ``dv`` is missing,
        non-numeric or constant, or the bounds are malformed.

    References
    ----------
    Rouder, J. N., Speckman, P. L., Sun, D., Morey, R. D., & Iverson, G.
    (2009). Bayesian t tests for accepting and rejecting the null hypothesis.
    *Psychonomic Bulletin & Review, 16*, 225-237.

    Lakens, D. (2017). Equivalence tests. *Social Psychological and
    Personality Science, 8*(4), 355-362.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"g": ["a"] * 4 + ["b"] * 4, "y": [1, 2, 3, 4, 3, 4, 5, 6]})
    >>> result = compare_groups(frame, "y", "g", equivalence_bounds=0.5)
    >>> result.tests["test"].tolist()
    ['student', 'welch', 'tost_lower', 'tost_upper', 'tost']
    >>> round(float(result.tests.loc[0, "statistic"]), 3)
    -2.191
    >>> one_sided = compare_groups(frame, "y", "g", alternative="less")
    >>> bool(np.isclose(one_sided.tests.loc[0, "p"], result.tests.loc[0, "p"] / 2))
    True
    """
    if not isinstance(between, str):
        raise ValueError(f"`between` must be one column name; got {between!r}.")
    if bounds_in not in ("d", "raw"):
        raise ValueError(f"`bounds_in` must be 'd' (Cohen's d units) or 'raw' (units of {dv!r}); got {bounds_in!r}.")
    level = require_level(ci, "ci")
    if alternative not in ALTERNATIVES:
        raise ValueError(f"`alternative` must be one of {', '.join(ALTERNATIVES)}; got {alternative!r}.")
    if isinstance(r_scale, bool) or not isinstance(r_scale, (int, float)) or not r_scale > 0:
        raise ValueError(f"`r_scale` must be a positive number (e.g. 0.707); got {r_scale!r}.")
    require_columns(data, [dv, between])
    values = numeric_column(data, dv)
    frame, dropped = complete_rows(pd.DataFrame({dv: values, between: data[between]}, index=data.index), [dv, between])
    groups = ordered_groups(frame, between, minimum=1)
    if len(groups) != 2:
        found = ", ".join(repr(g) for g in groups)
        raise ValueError(
            f"column {between!r} must hold exactly two groups to compare; found {len(groups)}: {found}. "
            "Select two groups or use anova() with tukey_hsd() / games_howell() for more."
        )
    counts = frame.groupby(between, observed=True)[dv].count()
    require_group_sizes(counts, between, minimum=2)
    numeric_column(frame, dv)  # constant once missing rows are gone?
    x = frame.loc[frame[between] == groups[0], dv].to_numpy(dtype=float)
    y = frame.loc[frame[between] == groups[1], dv].to_numpy(dtype=float)
    n1, n2 = len(x), len(y)
    diff = x.mean() - y.mean()
    var1, var2 = x.var(ddof=1), y.var(ddof=1)
    df_student = n1 + n2 - 2
    sd_pooled = np.sqrt(((n1 - 1) * var1 + (n2 - 1) * var2) / df_student)
    if sd_pooled == 0:
        raise ValueError(f"column {dv!r} has no variance within the groups of {between!r}; a t test is undefined.")
    se_student = sd_pooled * np.sqrt(1 / n1 + 1 / n2)
    se_welch = np.sqrt(var1 / n1 + var2 / n2)
    df_welch = se_welch**4 / ((var1 / n1) ** 2 / (n1 - 1) + (var2 / n2) ** 2 / (n2 - 1))

    t_student, t_welch = diff / se_student, diff / se_welch
    tests = [
        ("student", t_student, float(df_student), _t_p(t_student, df_student, alternative)),
        ("welch", t_welch, df_welch, _t_p(t_welch, df_welch, alternative)),
    ]
    bounds_raw = bounds_d = None
    if equivalence_bounds is not None:
        low, high = _bounds(equivalence_bounds)
        scale = sd_pooled if bounds_in == "d" else 1.0
        bounds_raw = (low * scale, high * scale)
        bounds_d = (bounds_raw[0] / sd_pooled, bounds_raw[1] / sd_pooled)
        t_lower = (diff - bounds_raw[0]) / se_welch
        t_upper = (diff - bounds_raw[1]) / se_welch
        p_lower = stats.t.sf(t_lower, df_welch)
        p_upper = stats.t.cdf(t_upper, df_welch)
        worst = (t_lower, p_lower) if p_lower >= p_upper else (t_upper, p_upper)
        tests += [
            ("tost_lower", t_lower, df_welch, p_lower),
            ("tost_upper", t_upper, df_welch, p_upper),
            ("tost", worst[0], df_welch, worst[1]),
        ]

    tail = 1 - (1 - level) / 2
    margin_student = stats.t.ppf(tail, df_student) * se_student
    margin_welch = stats.t.ppf(tail, df_welch) * se_welch
    d = diff / sd_pooled
    d_low, d_high = cohen_d_interval(d, n1, n2, level)
    correction = 1 - 3 / (4 * (n1 + n2) - 9)
    effects = pd.DataFrame(
        [
            ("mean_difference_student", diff, diff - margin_student, diff + margin_student),
            ("mean_difference_welch", diff, diff - margin_welch, diff + margin_welch),
            ("cohen_d", d, d_low, d_high),
            ("hedges_g", d * correction, d_low * correction, d_high * correction),
        ],
        columns=EFFECT_COLUMNS,
    )
    return GroupComparison(
        tests=pd.DataFrame(tests, columns=TEST_COLUMNS).astype({"statistic": float, "df": float, "p": float}),
        effects=effects,
        descriptives=describe(frame, dv, between, ci=level).set_index(between).loc[groups].reset_index(),
        groups=(groups[0], groups[1]),
        bf10=bayes_factor_t(t_student, n1, n2, r_scale=r_scale),
        r_scale=float(r_scale),
        bounds_raw=bounds_raw,
        bounds_d=bounds_d,
        n_dropped=dropped,
        alternative=alternative,
        bf_directional=None if alternative == "two-sided"
        else bayes_factor_t(t_student, n1, n2, r_scale=r_scale, alternative=alternative),
    )


def _t_p(t: float, df: float, alternative: str) -> float:
    """The p value of a t statistic for the alternative (``greater``: the upper tail)."""
    if alternative == "greater":
        return float(stats.t.sf(t, df))
    if alternative == "less":
        return float(stats.t.cdf(t, df))
    return float(2 * stats.t.sf(abs(t), df))


def cohen_d_interval(d: float, n1: int, n2: int, ci: float = 0.95) -> tuple[float, float]:
    """Confidence interval of Cohen's d for two independent groups (noncentral t).

    The observed ``t = d * sqrt(n1 n2 / (n1 + n2))`` is placed at the
    ``(1 + ci) / 2`` and ``(1 - ci) / 2`` quantiles of noncentral t
    distributions with ``n1 + n2 - 2`` df; their noncentrality parameters,
    rescaled to d, are the limits (Steiger & Fouladi, 1997; as MBESS ``ci.smd``).

    Examples
    --------
    >>> low, high = cohen_d_interval(0.5, 50, 50)
    >>> round(low, 3), round(high, 3)
    (0.101, 0.897)
    """
    df = n1 + n2 - 2
    root = np.sqrt(n1 * n2 / (n1 + n2))
    t_observed = d * root
    tail = (1 - ci) / 2

    def noncentrality(target):
        # cdf(t_observed; ncp) falls monotonically in ncp; widen the bracket until it holds.
        def gap(ncp):
            probability = stats.nct.cdf(t_observed, df, ncp)
            if np.isnan(probability):  # scipy gives NaN far in the tails
                probability = 0.0 if ncp > t_observed else 1.0
            return probability - target

        width = 2.0
        while gap(t_observed - width) < 0 or gap(t_observed + width) > 0:
            width *= 2
        return optimize.brentq(gap, t_observed - width, t_observed + width, xtol=1e-12)

    return float(noncentrality(1 - tail) / root), float(noncentrality(tail) / root)


def bayes_factor_t(t: float, n1: int, n2: int | None = None, *, r_scale: float = 0.707,
                   alternative: str = "two-sided") -> float:
    """Default (JZS) Bayes factor BF10 of a t statistic (Rouder et al., 2009, eq. 1).

    Parameters
    ----------
    t : float
        Student's t statistic.
    n1, n2 : int
        Group sizes of an independent two-sample test; without ``n2`` a
        one-sample (or paired) test with ``n1`` observations.
    r_scale : float, default 0.707
        Scale of the Cauchy prior on the standardized effect.
    alternative : {"two-sided", "greater", "less"}, default "two-sided"
        ``"greater"``: BF+0, the prior folded onto positive effects (half-Cauchy,
        as BayesFactor's ``nullInterval = c(0, Inf)`` and JASP's "group 1 >
        group 2"); ``"less"``: BF-0. Their mean is BF10.

    Returns
    -------
    float
        BF10 (or BF+0, BF-0).

    Notes
    -----
    With effective sample size ``N`` (``n1 n2 / (n1 + n2)`` or ``n1``) and
    ``v`` degrees of freedom, the integral over ``g`` is computed on
    ``log g`` around the integrand's peak, in log space, so very large t stay
    finite. A directional factor folds the prior onto one side, which
    multiplies the integrand by ``2 P(δ on that side | t, g)`` (Morey &
    Wagenmakers, 2014). Given ``g`` the prior is conjugate (normal on the mean
    difference with variance ``σ² g r²``, Jeffreys on ``σ²``), so that
    probability is a t distribution function with ``v + 1`` df at
    ``t sqrt(k (v + 1) / (v + t² (1 - k)))``, ``k = N g r² / (1 + N g r²)``.

    References
    ----------
    Morey, R. D., & Wagenmakers, E.-J. (2014). Simple relation between Bayesian
    order-restricted and point-null hypothesis tests. *Statistics & Probability
    Letters, 92*, 121-124.

    Examples
    --------
    >>> round(bayes_factor_t(3.5, 20, 20), 3)
    26.743
    >>> plus = bayes_factor_t(3.5, 20, 20, alternative="greater")
    >>> minus = bayes_factor_t(3.5, 20, 20, alternative="less")
    >>> round((plus + minus) / 2, 3), plus > 26.743 > minus
    (26.743, True)
    """
    if alternative not in ALTERNATIVES:
        raise ValueError(f"`alternative` must be one of {', '.join(ALTERNATIVES)}; got {alternative!r}.")
    if n2 is None:
        n_effective, df = float(n1), n1 - 1
    else:
        n_effective, df = n1 * n2 / (n1 + n2), n1 + n2 - 2
    r2 = float(r_scale) ** 2
    log_null = -(df + 1) / 2 * np.log1p(t * t / df)
    toward = {"two-sided": None, "greater": t, "less": -t}[alternative]

    def log_integrand(u):  # u = log g; the factor g from dg = g du is included
        g = np.exp(u)
        spread = 1 + n_effective * g * r2
        value = (-0.5 * np.log(spread) - (df + 1) / 2 * np.log1p(t * t / (spread * df))
                 - 0.5 * np.log(2 * np.pi) - 0.5 * u - 1 / (2 * g))
        if toward is not None:  # times 2 P(effect on that side | t, g): a t with df + 1 (see Notes)
            shrink = n_effective * g * r2 / spread
            value += np.log(2) + stats.t.logcdf(toward * np.sqrt(shrink * (df + 1) / (df + t * t * (1 - shrink))),
                                                df + 1)
        return value

    peak = optimize.minimize_scalar(lambda u: -log_integrand(u), bounds=(-40, 60), method="bounded",
                                    options={"xatol": 1e-10}).x
    top = log_integrand(peak)
    edges = peak + np.array([-40, -10, -3, 0, 3, 10, 40, 80])
    total = sum(
        integrate.quad(lambda u: np.exp(log_integrand(u) - top), a, b, epsabs=0, epsrel=1e-12, limit=200)[0]
        for a, b in zip(edges[:-1], edges[1:])
    )
    return float(np.exp(top - log_null + np.log(total)))


def _bounds(bounds) -> tuple[float, float]:
    if isinstance(bounds, (int, float)) and not isinstance(bounds, bool):
        if not bounds > 0:
            raise ValueError(f"`equivalence_bounds` must be positive when one number is given; got {bounds!r}.")
        return -float(bounds), float(bounds)
    try:
        low, high = (float(b) for b in bounds)
    except (TypeError, ValueError):
        raise ValueError(
            f"`equivalence_bounds` must be one positive number or a (lower, upper) pair; got {bounds!r}."
        ) from None
    if not low < high:
        raise ValueError(f"`equivalence_bounds` lower bound must be below the upper bound; got ({low}, {high}).")
    return low, high
