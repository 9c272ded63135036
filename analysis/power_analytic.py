"""Analytic power, sample size and sensitivity: two-group t test and one-way ANOVA.

Each function solves for whichever of effect size, sample size and power is
left out (noncentral t and F, as G*Power does).

>>> round(power_ttest(d=0.5, n_per_group=64), 3)
0.801
>>> sample_size(d=0.5)
64
"""

from __future__ import annotations

import numpy as np

ALTERNATIVES = ("two-sided", "larger", "smaller")
_MAX_N = 10**7


def _check_proportion(value, name):
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1):
        raise ValueError(f"`{name}` must be a proportion between 0 and 1 (e.g. 0.05 or 0.80); got {value!r}.")


def _one_unknown(**given):
    missing = [name for name, value in given.items() if value is None]
    if len(missing) != 1:
        names = ", ".join(f"`{name}`" for name in given)
        raise ValueError(f"give all but one of {names} (the one left out is solved for); got {len(missing)} left out.")
    return missing[0]


def _ttest_power(d, n, alpha, alternative):
    from scipy import stats

    df = 2 * n - 2
    noncentrality = d * np.sqrt(n / 2)
    if alternative == "two-sided":
        critical = stats.t.ppf(1 - alpha / 2, df)
        # the far tail is ~0 where scipy's nct loses precision (NaN for large noncentrality)
        far = np.nan_to_num(stats.nct.cdf(-critical, df, abs(noncentrality)))
        return stats.nct.sf(critical, df, abs(noncentrality)) + far
    critical = stats.t.ppf(1 - alpha, df)
    sign = 1 if alternative == "larger" else -1
    return stats.nct.sf(critical, df, sign * noncentrality)


def _smallest_n(power_at, target, minimum):
    """Smallest whole n >= minimum with power_at(n) >= target (power rises with n)."""
    low, high = minimum, minimum
    while not power_at(high) >= target:
        if high > _MAX_N:
            raise ValueError(f"the requested power is not reached below n = {_MAX_N}; check the effect size.")
        low, high = high, high * 2
    while low < high:
        middle = (low + high) // 2
        low, high = (middle + 1, high) if power_at(middle) < target else (low, middle)
    return int(low)


def _solve_effect(power_at, target):
    """The effect size at which power_at reaches target (power rises with the effect)."""
    from scipy.optimize import brentq

    upper = 0.125
    while not power_at(upper) >= target:
        if upper > 16:
            raise ValueError("no effect size up to 16 reaches the requested power; check n and alpha.")
        upper *= 2
    return float(brentq(lambda effect: power_at(effect) - target, 1e-9, upper, xtol=1e-12))


def power_ttest(d=None, n_per_group=None, alpha=0.05, power=None, alternative="two-sided"):
    """Power, sample size or minimum detectable effect of the two-group t test.

    Give all but one of ``d``, ``n_per_group`` and ``power``; the missing one is
    returned: the power (float), the smallest whole ``n_per_group`` reaching
    ``power``, or the smallest ``d`` detected with ``power`` (sensitivity).

    Parameters
    ----------
    d : float, optional
        Cohen's d (mean difference over the pooled SD); must be positive when
        solving for n or power with ``alternative="two-sided"`` or ``"larger"``.
    n_per_group : int, optional
        Participants per group (equal groups).
    alpha : float, default 0.05
    power : float, optional
    alternative : {"two-sided", "larger", "smaller"}

    Returns
    -------
    float or int

    Notes
    -----
    The statistic follows a noncentral t with ``2n - 2`` degrees of freedom and
    noncentrality ``d sqrt(n/2)``; the two-sided power counts both tails, as
    G*Power 3.1 does (Faul et al., 2007).

    Examples
    --------
    >>> power_ttest(d=0.5, power=0.80)
    64
    >>> round(power_ttest(n_per_group=70, power=0.80), 3)
    0.477
    """
    _check_proportion(alpha, "alpha")
    _check_proportion(power, "power")
    if alternative not in ALTERNATIVES:
        raise ValueError(f"`alternative` must be one of {ALTERNATIVES}; got {alternative!r}.")
    unknown = _one_unknown(d=d, n_per_group=n_per_group, power=power)
    if n_per_group is not None and (isinstance(n_per_group, bool) or n_per_group < 2):
        raise ValueError(f"`n_per_group` must be at least 2; got {n_per_group!r}.")
    if unknown == "power":
        return float(_ttest_power(d, n_per_group, alpha, alternative))
    if unknown == "n_per_group":
        if d == 0:
            raise ValueError("`d` must not be 0 when solving for the sample size.")
        effect = -d if alternative == "smaller" else d
        return _smallest_n(lambda n: _ttest_power(effect, n, alpha, alternative), power, 2)
    sign = -1 if alternative == "smaller" else 1
    return sign * _solve_effect(lambda e: _ttest_power(sign * e, n_per_group, alpha, alternative), power)


def _anova_power(f, k, n_total, alpha):
    from scipy import stats

    df1, df2 = k - 1, n_total - k
    critical = stats.f.ppf(1 - alpha, df1, df2)
    return stats.ncf.sf(critical, df1, df2, f**2 * n_total)


def power_anova(f=None, k=None, n_total=None, alpha=0.05, power=None):
    """Power, total sample size or minimum detectable f of the between-subjects one-way ANOVA.

    ``k`` (the number of groups) is always required; give all but one of
    ``f``, ``n_total`` and ``power``.

    Parameters
    ----------
    f : float, optional
        Cohen's f (SD of the group means over the within-group SD).
    k : int
        Number of groups (cells of the design).
    n_total : int, optional
        All participants together.
    alpha : float, default 0.05
    power : float, optional

    Returns
    -------
    float or int
        The power, the smallest ``n_total`` (equal groups) reaching ``power``, or the
        smallest ``f`` detected with ``power``.

    Notes
    -----
    F follows a noncentral F with ``k - 1`` and ``N - k`` degrees of freedom and
    noncentrality ``lambda = f^2 N`` (G*Power 3.1, "ANOVA: fixed effects,
    omnibus, one-way"). The sample size is the smallest total N with equal
    groups (a multiple of ``k``), as G*Power reports it.

    Examples
    --------
    >>> power_anova(f=0.25, k=3, power=0.80)
    159
    """
    _check_proportion(alpha, "alpha")
    _check_proportion(power, "power")
    if k is None or isinstance(k, bool) or int(k) != k or k < 2:
        raise ValueError(f"`k` (the number of groups) must be a whole number of at least 2; got {k!r}.")
    unknown = _one_unknown(f=f, n_total=n_total, power=power)
    if n_total is not None and n_total <= k:
        raise ValueError(f"`n_total` must exceed the number of groups k = {k}; got {n_total!r}.")
    if unknown == "power":
        return float(_anova_power(f, k, n_total, alpha))
    if unknown == "n_total":
        if f <= 0:
            raise ValueError("`f` must be positive when solving for the sample size.")
        per_group = _smallest_n(lambda n: _anova_power(f, k, n * k, alpha), power, 2)
        return per_group * k
    return _solve_effect(lambda e: _anova_power(e, k, n_total, alpha), power)


def sample_size(d=None, f=None, k=None, alpha=0.05, power=0.80, alternative="two-sided"):
    """Participants needed: per group for ``d`` (t test), in total for ``f`` and ``k`` (ANOVA).

    >>> sample_size(d=0.5), sample_size(f=0.25, k=3)
    (64, 159)
    """
    if (d is None) == (f is None):
        raise ValueError("give exactly one effect size: `d` (two groups) or `f` with `k` (ANOVA).")
    if d is not None:
        return power_ttest(d=d, alpha=alpha, power=power, alternative=alternative)
    return power_anova(f=f, k=k, alpha=alpha, power=power)


def sensitivity(n_per_group=None, n_total=None, k=None, alpha=0.05, power=0.80, alternative="two-sided"):
    """Smallest effect detected with ``power``: d for ``n_per_group``, f for ``n_total`` and ``k``.

    >>> round(sensitivity(n_per_group=70), 2)
    0.48
    """
    if (n_per_group is None) == (n_total is None):
        raise ValueError("give exactly one sample size: `n_per_group` (two groups) or `n_total` with `k` (ANOVA).")
    if n_per_group is not None:
        return power_ttest(n_per_group=n_per_group, alpha=alpha, power=power, alternative=alternative)
    return power_anova(n_total=n_total, k=k, alpha=alpha, power=power)
