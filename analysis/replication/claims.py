"""Testing a claim in new data: an effect in a stated direction, or no relation at all.

:func:`claim_tests` answers "do these data support the original claim?" for
claims that are only directional ("X raises Y") or that assert an absence
("X does not affect Y"), with the same columns and verdicts as
:func:`analysis.replication.replication_tests`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from analysis.groups import bayes_factor_t
from analysis.replication.criteria import _check_alpha, _Study, _study, _table

CLAIMS = ("positive", "negative", "none")


def claim_tests(
    estimate: float,
    *,
    claim: str,
    se: float | None = None,
    n: int | Sequence[int] | None = None,
    kind: str = "generic",
    equivalence_bounds: float | Sequence[float] | None = None,
    alpha: float = 0.05,
    r_scale: float = 0.707,
    bf_threshold: float = 3.0,
) -> pd.DataFrame:
    """Test a directional claim ("positive", "negative") or a claimed absence ("none") in new data.

    Parameters
    ----------
    estimate : float
        The effect in the (replication) data: Cohen's d (``kind="smd"``),
        Pearson's r (``kind="r"``) or an approximately normal estimate
        (``kind="generic"``), as in :func:`analysis.replication.replication_tests`.
    claim : {"positive", "negative", "none"}
        What the original study claimed: an effect in a direction, or no relation.
    se : float, optional
        Standard error: required for ``"generic"``, optional for ``"smd"``,
        not used for ``"r"``.
    n : int or (int, int), optional
        Group sizes ``(n1, n2)`` for ``"smd"``; the number of pairs for ``"r"``.
    kind : {"generic", "smd", "r"}, default "generic"
    equivalence_bounds : float or (float, float)
        Required for ``claim="none"``: the smallest effect of interest, in the
        units of ``estimate`` (d, r or raw); ``b`` means ``(-b, b)``.
    alpha : float, default 0.05
    r_scale : float, default 0.707
        Scale of the Cauchy prior of the default t-test Bayes factor (``"smd"``).
    bf_threshold : float, default 3

    Returns
    -------
    pandas.DataFrame
        Columns ``criterion, statistic, p, ci_low, ci_high, value, verdict,
        rule`` as :func:`analysis.replication.replication_tests`; "replicated"
        means the data support the claim. For a direction, one row:

        - ``directional_test``: one-sided p in the claimed direction, with the
          ``1 - 2 alpha`` CI. Replicated if ``p < alpha``; not replicated if the
          opposite one-sided test is significant; else inconclusive.

        For ``"none"``, three rows:

        - ``two_sided_test``: the test of 0. Not replicated if ``p < alpha``,
          else inconclusive (absence of evidence is not evidence of absence).
        - ``equivalence_test``: TOST (Lakens, 2017); ``statistic`` and ``p``
          of the less significant one-sided test, the ``1 - 2 alpha`` interval
          that matches it (central t shifted by the bounds for d, Fisher z for
          r, normal otherwise). Replicated if ``p < alpha``; not replicated if
          that interval lies entirely outside the bounds; else inconclusive.
        - ``bayes_factor_null``: ``value`` is ``BF01``: the JZS t-test Bayes
          factor (Rouder et al., 2009) for ``"smd"``, Jeffreys' exact
          correlation Bayes factor with a uniform prior (Ly, Verhagen &
          Wagenmakers, 2016, via pingouin) for ``"r"``; not applicable for
          ``"generic"``. Replicated if ``BF01 >= bf_threshold``, not
          replicated if ``<= 1 / bf_threshold``, else inconclusive.

    Raises
    ------
    ValueError
        For an unknown ``claim`` or ``kind``, missing bounds for ``"none"``,
        or malformed standard error, sample size or bounds.

    References
    ----------
    Lakens, D. (2017). Equivalence tests: A practical primer for t tests,
    correlations, and meta-analyses. *Social Psychological and Personality
    Science, 8*(4), 355-362.

    Rouder, J. N., Speckman, P. L., Sun, D., Morey, R. D., & Iverson, G.
    (2009). Bayesian t tests for accepting and rejecting the null hypothesis.
    *Psychonomic Bulletin & Review, 16*, 225-237.

    Ly, A., Verhagen, J., & Wagenmakers, E.-J. (2016). Harold Jeffreys's
    default Bayes factor hypothesis tests. *Journal of Mathematical
    Psychology, 72*, 19-32.

    Examples
    --------
    >>> claim_tests(0.03, claim="none", n=(150, 150), kind="smd", equivalence_bounds=0.3)[["criterion", "verdict"]]
              criterion       verdict
    0    two_sided_test  inconclusive
    1  equivalence_test    replicated
    2 bayes_factor_null    replicated
    """
    if claim not in CLAIMS:
        raise ValueError(f"`claim` must be 'positive', 'negative' or 'none'; got {claim!r}.")
    alpha = _check_alpha(alpha)
    if isinstance(bf_threshold, bool) or not isinstance(bf_threshold, (int, float)) or not bf_threshold > 1:
        raise ValueError(f"`bf_threshold` must be a number above 1 (e.g. 3 or 10); got {bf_threshold!r}.")
    if isinstance(r_scale, bool) or not isinstance(r_scale, (int, float)) or not r_scale > 0:
        raise ValueError(f"`r_scale` must be a positive number (e.g. 0.707); got {r_scale!r}.")
    study = _study(estimate, se, n, kind, "")
    statistic, null = study.test()
    if claim != "none":
        sign = 1 if claim == "positive" else -1
        p_claimed, p_opposite = float(null.sf(sign * statistic)), float(null.cdf(sign * statistic))
        verdict = "replicated" if p_claimed < alpha else "not replicated" if p_opposite < alpha else "inconclusive"
        return _table([("directional_test", statistic, p_claimed, *study.interval(1 - 2 * alpha), study.estimate,
                        verdict, f"replicated if the one-sided p in the claimed ({claim}) direction is below "
                        f"{alpha:g}; not replicated if the opposite one-sided p is; otherwise inconclusive")])
    if equivalence_bounds is None:
        raise ValueError("`equivalence_bounds` is needed to test a claimed absence (claim='none'): give the "
                         "smallest effect of interest, e.g. equivalence_bounds=0.2.")
    low, high = _bounds(equivalence_bounds, kind)
    p_two = float(2 * null.sf(abs(statistic)))
    rows = [("two_sided_test", statistic, p_two, *study.interval(1 - alpha), study.estimate,
             "not replicated" if p_two < alpha else "inconclusive",
             f"not replicated if the two-sided p is below {alpha:g}; otherwise inconclusive")]
    # Each bound is tested like 0, on the statistic's own scale shifted by the bound.
    scale = study.root_n if kind == "smd" else 1 / study.se

    def shifted(bound):
        if kind == "smd":
            return (study.estimate - bound) * scale
        return (study.theta - (np.arctanh(bound) if kind == "r" else bound)) * scale

    reference = null if kind == "smd" else stats.norm()
    t_low, t_high = shifted(low), shifted(high)
    p_low, p_high = float(reference.sf(t_low)), float(reference.cdf(t_high))
    worst = (t_low, p_low) if p_low >= p_high else (t_high, p_high)
    half = reference.ppf(1 - alpha) / scale
    centre = study.estimate if kind == "smd" else study.theta
    interval = (study.to_scale(centre - half), study.to_scale(centre + half))
    outside = interval[0] > high or interval[1] < low
    verdict = "replicated" if worst[1] < alpha else "not replicated" if outside else "inconclusive"
    rows.append(("equivalence_test", worst[0], worst[1], *interval, study.estimate, verdict,
                 f"replicated if both one-sided tests against the bounds ({low:g}, {high:g}) have p < {alpha:g}; "
                 f"not replicated if the {100 * (1 - 2 * alpha):g}% interval lies outside them; "
                 "otherwise inconclusive"))
    rows.append(_null_bayes_factor(study, statistic, r_scale, bf_threshold))
    return _table(rows)


def _null_bayes_factor(study: _Study, statistic: float, r_scale: float, bf_threshold: float) -> tuple:
    rule = (f"replicated if BF01 >= {bf_threshold:g}; not replicated if BF01 <= 1/{bf_threshold:g}; "
            "otherwise inconclusive")
    if study.kind == "generic":
        return ("bayes_factor_null", *[np.nan] * 5, "not applicable",
                "needs kind='smd' or kind='r' with sample sizes (a default prior needs a standardized effect)")
    if study.kind == "smd":
        bf01 = 1 / bayes_factor_t(statistic, study.n[0], study.n[1], r_scale=r_scale)
    else:
        from pingouin import bayesfactor_pearson

        bf01 = 1 / bayesfactor_pearson(study.estimate, study.n)
    verdict = "replicated" if bf01 >= bf_threshold else "not replicated" if bf01 <= 1 / bf_threshold else "inconclusive"
    return ("bayes_factor_null", statistic, np.nan, np.nan, np.nan, float(bf01), verdict, rule)


def _bounds(bounds, kind: str) -> tuple[float, float]:
    if np.ndim(bounds) == 0 and not isinstance(bounds, bool) and isinstance(bounds, (int, float)):
        if not bounds > 0:
            raise ValueError(f"`equivalence_bounds` must be positive when one number is given; got {bounds!r}.")
        low, high = -float(bounds), float(bounds)
    else:
        try:
            low, high = (float(b) for b in bounds)
        except (TypeError, ValueError):
            raise ValueError(f"`equivalence_bounds` must be one positive number or a (lower, upper) pair; "
                             f"got {bounds!r}.") from None
    if not low < high or (kind == "r" and not -1 < low < high < 1):
        raise ValueError(f"`equivalence_bounds` must satisfy lower < upper (and lie within (-1, 1) for r); "
                         f"got {bounds!r}.")
    return low, high
