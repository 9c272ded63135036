"""Did the replication replicate? Six published criteria for an original-replication pair.

:func:`replication_tests` takes summary statistics (an estimate with its
standard error or sample sizes) and returns one row per criterion with a
verdict and the rule behind it. The Bayesian measures it uses live in
:mod:`analysis.replication.bayes`; tests of a directional or "no relation"
claim in :mod:`analysis.replication.claims`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats

from analysis.groups import cohen_d_interval
from analysis.replication.bayes import replication_bayes_factor, sceptical_p, sceptical_z

REPLICATION_COLUMNS = ["criterion", "statistic", "p", "ci_low", "ci_high", "value", "verdict", "rule"]
KINDS = ("generic", "smd", "r")
VERDICTS = ("replicated", "not replicated", "inconclusive", "not applicable")


@dataclass(frozen=True)
class _Study:
    """One study's summary on its analysis scale (d, Fisher's z of r, or the raw estimate)."""

    kind: str
    estimate: float
    theta: float
    se: float
    n: tuple[int, int] | int | None

    @property
    def root_n(self) -> float:  # t = d * sqrt(n1 n2 / (n1 + n2)) for two groups
        return float(np.sqrt(self.n[0] * self.n[1] / (self.n[0] + self.n[1])))

    def test(self) -> tuple[float, stats.rv_continuous]:
        """Test statistic of effect = 0 and its null distribution (t for d and r, else z)."""
        if self.kind == "smd":
            return self.estimate * self.root_n, stats.t(df=self.n[0] + self.n[1] - 2)
        if self.kind == "r":
            return self.estimate * np.sqrt((self.n - 2) / (1 - self.estimate**2)), stats.t(df=self.n - 2)
        return self.theta / self.se, stats.norm()

    def interval(self, level: float) -> tuple[float, float]:
        """Confidence interval: noncentral t for d, Fisher z for r, normal otherwise."""
        if self.kind == "smd":
            return cohen_d_interval(self.estimate, self.n[0], self.n[1], level)
        half = stats.norm.ppf((1 + level) / 2) * self.se
        low, high = self.theta - half, self.theta + half
        return (float(np.tanh(low)), float(np.tanh(high))) if self.kind == "r" else (low, high)

    def test_value(self, value: float) -> tuple[float, float]:
        """Statistic and two-sided p of effect = ``value`` (the inversion of :meth:`interval`)."""
        if self.kind == "smd":
            t, ncp = self.estimate * self.root_n, value * self.root_n
            below = _nct_cdf(t, self.n[0] + self.n[1] - 2, ncp)
            return float(t), float(min(1.0, 2 * min(below, 1 - below)))
        scale_value = np.arctanh(value) if self.kind == "r" else value
        z = (self.theta - scale_value) / self.se
        return float(z), float(2 * stats.norm.sf(abs(z)))

    def to_scale(self, theta: float) -> float:
        return float(np.tanh(theta)) if self.kind == "r" else float(theta)


def replication_tests(
    original_estimate: float,
    replication_estimate: float,
    *,
    original_se: float | None = None,
    replication_se: float | None = None,
    original_n: int | Sequence[int] | None = None,
    replication_n: int | Sequence[int] | None = None,
    kind: str = "generic",
    alpha: float = 0.05,
    sceptical_type: str = "golden",
    bf_threshold: float = 3.0,
) -> pd.DataFrame:
    """Judge a replication against its original study by six published criteria.

    Parameters
    ----------
    original_estimate, replication_estimate : float
        The effect in each study: Cohen's d (``kind="smd"``; d with the pooled
        SD, so that ``t = d sqrt(n1 n2 / (n1 + n2))``), Pearson's r
        (``kind="r"``), or any approximately normal estimate such as a log
        odds ratio or a mean difference (``kind="generic"``). The original's
        sign is the direction to replicate; it must not be 0.
    original_se, replication_se : float, optional
        Standard errors; required for ``"generic"``, optional for ``"smd"``
        (default ``sqrt((n1 + n2) / (n1 n2) + d^2 / (2 (n1 + n2)))``), not
        used for ``"r"`` (``1 / sqrt(n - 3)`` on Fisher's z scale).
    original_n, replication_n : int or (int, int), optional
        Group sizes ``(n1, n2)`` for ``"smd"``; the number of pairs for ``"r"``.
    kind : {"generic", "smd", "r"}, default "generic"
    alpha : float, default 0.05
        Two-sided significance level; intervals have level ``1 - alpha``, the
        small-telescopes test is one-sided at ``alpha`` and the sceptical
        p-value (one-sided) is compared with ``alpha / 2``.
    sceptical_type : {"golden", "nominal", "controlled"}, default "golden"
        Recalibration of the sceptical p-value (see
        :func:`analysis.replication.bayes.sceptical_p`); "golden" is the
        default of the R package ReplicationSuccess.
    bf_threshold : float, default 3
        Evidence threshold for the replication Bayes factor.

    Returns
    -------
    pandas.DataFrame
        Six rows, columns ``criterion, statistic, p, ci_low, ci_high, value,
        verdict, rule``; ``verdict`` is "replicated", "not replicated",
        "inconclusive" or "not applicable" (the criterion needs another
        ``kind``; its numbers are NaN), ``rule`` says in words how the verdict
        follows. Rows (``criterion``):

        - ``significance``: the replication's test of 0 (t for d and r, z
          otherwise), two-sided p, its ``1 - alpha`` CI; ``value`` the
          replication estimate. Replicated when significant in the original's
          direction (Open Science Collaboration, 2015).
        - ``original_in_replication_ci``: test of the replication against the
          original value (the inversion of its CI: noncentral t for d, Fisher
          z for r); ``value`` the original estimate. Replicated when the
          original estimate lies in the replication's CI.
        - ``replication_in_prediction_interval``: ``z = (theta_r - theta_o) /
          sqrt(se_o^2 + se_r^2)`` and its two-sided p (the Q test of Hedges &
          Schauer, 2019), the ``1 - alpha`` prediction interval
          ``theta_o -/+ z sqrt(se_o^2 + se_r^2)`` for the replication
          (Patil, Peng & Leek, 2016; back-transformed for r); ``value`` the
          replication estimate. Replicated when it lies inside.
        - ``small_telescopes`` (``"smd"`` only): ``value`` is ``d33``, the
          effect the original had 33% power to detect; the replication's t
          tested against ``d33`` one-sided (noncentral t), with its
          ``1 - 2 alpha`` CI (Simonsohn, 2015). Not replicated when
          significantly smaller than ``d33``; else replicated when significant
          in the original's direction; else inconclusive.
        - ``replication_bayes_factor`` (``"smd"`` only): ``value`` is
          ``BF_r0`` (Verhagen & Wagenmakers, 2014), see
          :func:`analysis.replication.bayes.replication_bayes_factor`.
          Replicated when ``BF_r0 >= bf_threshold``, not replicated when
          ``<= 1 / bf_threshold``, else inconclusive.
        - ``sceptical_p``: ``statistic`` the sceptical z, ``p`` the one-sided
          sceptical p-value (Held, 2020) of ``sceptical_type``, from
          ``z = theta / se`` and ``c = se_o^2 / se_r^2``. Replicated when
          ``p <= alpha / 2``.

    Raises
    ------
    ValueError
        Naming the argument, for an unknown ``kind``, missing or malformed
        standard errors or sample sizes, |r| >= 1, an original estimate of 0,
        or ``alpha`` / ``bf_threshold`` out of range.

    References
    ----------
    Open Science Collaboration (2015). Estimating the reproducibility of
    psychological science. *Science, 349*(6251), aac4716.

    Patil, P., Peng, R. D., & Leek, J. T. (2016). What should researchers
    expect when they replicate studies? A statistical view of replicability in
    psychological science. *Perspectives on Psychological Science, 11*(4), 539-544.

    Hedges, L. V., & Schauer, J. M. (2019). Statistical analyses for studying
    replication: Meta-analytic perspectives. *Psychological Methods, 24*(5), 557-570.

    Simonsohn, U. (2015). Small telescopes: Detectability and the evaluation
    of replication results. *Psychological Science, 26*(5), 559-569.

    Verhagen, J., & Wagenmakers, E.-J. (2014). Bayesian tests to quantify the
    result of a replication attempt. *Journal of Experimental Psychology:
    General, 143*(4), 1457-1475.

    Held, L. (2020). A new standard for the analysis and design of replication
    studies. *Journal of the Royal Statistical Society Series A, 183*(2), 431-448.

    Examples
    --------
    >>> table = replication_tests(0.70, 0.45, original_n=(20, 20), replication_n=(80, 80), kind="smd")
    >>> table[["criterion", "value", "verdict"]].round(3)
                                criterion  value         verdict
    0                        significance  0.450      replicated
    1          original_in_replication_ci  0.700      replicated
    2  replication_in_prediction_interval  0.450      replicated
    3                    small_telescopes  0.496      replicated
    4            replication_bayes_factor 18.151      replicated
    5                         sceptical_p    NaN  not replicated
    """
    alpha = _check_alpha(alpha)
    if isinstance(bf_threshold, bool) or not isinstance(bf_threshold, (int, float)) or not bf_threshold > 1:
        raise ValueError(f"`bf_threshold` must be a number above 1 (e.g. 3 or 10); got {bf_threshold!r}.")
    original = _study(original_estimate, original_se, original_n, kind, "original")
    replication = _study(replication_estimate, replication_se, replication_n, kind, "replication")
    if original.estimate == 0:
        raise ValueError("`original_estimate` is 0, so there is no direction to replicate; check the value.")
    direction = np.sign(original.estimate)
    rows = []

    statistic, null = replication.test()
    p = float(2 * null.sf(abs(statistic)))
    ci = replication.interval(1 - alpha)
    verdict = "replicated" if p < alpha and np.sign(statistic) == direction else "not replicated"
    rows.append(("significance", statistic, p, *ci, replication.estimate, verdict,
                 f"replicated if the replication is significant (two-sided p < {alpha:g}) in the original's "
                 "direction; otherwise not replicated"))

    statistic, p = replication.test_value(original.estimate)
    inside = ci[0] <= original.estimate <= ci[1]
    rows.append(("original_in_replication_ci", statistic, p, *ci, original.estimate,
                 "replicated" if inside else "not replicated",
                 f"replicated if the original estimate lies in the replication's {100 * (1 - alpha):g}% "
                 "confidence interval; otherwise not replicated"))

    spread = np.hypot(original.se, replication.se)
    statistic = (replication.theta - original.theta) / spread
    half = stats.norm.ppf(1 - alpha / 2) * spread
    interval = (original.to_scale(original.theta - half), original.to_scale(original.theta + half))
    inside = interval[0] <= replication.estimate <= interval[1]
    rows.append(("replication_in_prediction_interval", statistic, float(2 * stats.norm.sf(abs(statistic))),
                 *interval, replication.estimate, "replicated" if inside else "not replicated",
                 f"replicated if the replication estimate lies in the {100 * (1 - alpha):g}% prediction "
                 "interval from the original; otherwise not replicated"))

    rows += _t_test_criteria(original, replication, direction, alpha, bf_threshold)

    z_original, z_replication = original.theta / original.se, replication.theta / replication.se
    c = original.se**2 / replication.se**2
    p = sceptical_p(z_original, z_replication, c, type=sceptical_type)
    rows.append(("sceptical_p", sceptical_z(z_original, z_replication, c), p, np.nan, np.nan, np.nan,
                 "replicated" if p <= alpha / 2 else "not replicated",
                 f"replicated if the one-sided {sceptical_type} sceptical p-value is at most {alpha / 2:g}; "
                 "otherwise not replicated"))
    return _table(rows)


def _t_test_criteria(original: _Study, replication: _Study, direction: float, alpha: float,
                     bf_threshold: float) -> list[tuple]:
    """The small-telescopes and replication-Bayes-factor rows (two-sample t tests only)."""
    if original.kind != "smd":
        need = "kind='smd' with group sizes (they are defined for two-sample t tests)"
        return [("small_telescopes", *[np.nan] * 5, "not applicable", f"needs {need}"),
                ("replication_bayes_factor", *[np.nan] * 5, "not applicable", f"needs {need}")]
    d33 = direction * small_telescopes_effect(original.n, alpha=alpha)
    t_replication, null = replication.test()
    df = replication.n[0] + replication.n[1] - 2
    below = _nct_cdf(t_replication, df, d33 * replication.root_n)
    p_smaller = below if direction > 0 else 1 - below
    significant = 2 * null.sf(abs(t_replication)) < alpha and np.sign(t_replication) == direction
    verdict = "not replicated" if p_smaller < alpha else "replicated" if significant else "inconclusive"
    telescopes = ("small_telescopes", t_replication, p_smaller, *replication.interval(1 - 2 * alpha), d33, verdict,
                  f"not replicated if the replication is significantly (one-sided p < {alpha:g}) smaller than "
                  "d33; otherwise replicated if it is significant in the original's direction; otherwise "
                  "inconclusive")
    bf = replication_bayes_factor(original.estimate * original.root_n, original.n,
                                  t_replication, replication.n)
    verdict = "replicated" if bf >= bf_threshold else "not replicated" if bf <= 1 / bf_threshold else "inconclusive"
    bayes = ("replication_bayes_factor", t_replication, np.nan, np.nan, np.nan, bf, verdict,
             f"replicated if BF_r0 >= {bf_threshold:g}; not replicated if BF_r0 <= 1/{bf_threshold:g}; "
             "otherwise inconclusive")
    return [telescopes, bayes]


def small_telescopes_effect(n_original: int | Sequence[int], *, alpha: float = 0.05, power: float = 1 / 3) -> float:
    """The effect the original study had ``power`` to detect: Simonsohn's (2015) ``d33``.

    Parameters
    ----------
    n_original : int or (int, int)
        Group sizes of a two-sample t test, or ``n`` of a one-sample test.
    alpha : float, default 0.05
        Two-sided level of the original test.
    power : float, default 1/3

    Returns
    -------
    float
        The positive d at which the two-sided t test (both tails, as R's
        ``pwr.t.test``) has the given power.

    Examples
    --------
    >>> round(small_telescopes_effect((30, 30)), 3)  # Zhong & Liljenquist (2006), in Simonsohn (2015)
    0.401
    """
    alpha = _check_alpha(alpha)
    if isinstance(power, bool) or not isinstance(power, (int, float)) or not alpha < power < 1:
        raise ValueError(f"`power` must lie between alpha ({alpha:g}) and 1; got {power!r}.")
    sizes = _sizes(n_original, "n_original", pair=np.ndim(n_original) != 0)
    df = sizes[0] - 1 if np.ndim(n_original) == 0 else sizes[0] + sizes[1] - 2
    root = np.sqrt(sizes[0]) if np.ndim(n_original) == 0 else np.sqrt(sizes[0] * sizes[1] / (sizes[0] + sizes[1]))
    critical = stats.t.isf(alpha / 2, df)

    def shortfall(d):
        ncp = d * root
        return stats.nct.sf(critical, df, ncp) + _nct_cdf(-critical, df, ncp) - power

    return float(optimize.brentq(shortfall, 0.0, (critical + 6) / root, xtol=1e-12))


def _study(estimate, se, n, kind: str, role: str) -> _Study:
    """Check one study's inputs and put them on the analysis scale."""
    prefix = f"{role}_" if role else ""
    if kind not in KINDS:
        raise ValueError(f"`kind` must be one of {', '.join(KINDS)}; got {kind!r}.")
    if isinstance(estimate, bool) or not isinstance(estimate, (int, float)) or not np.isfinite(estimate):
        raise ValueError(f"`{prefix}estimate` must be a finite number; got {estimate!r}.")
    estimate = float(estimate)
    if se is not None and (isinstance(se, bool) or not isinstance(se, (int, float))
                           or not (np.isfinite(se) and se > 0)):
        raise ValueError(f"`{prefix}se` must be a positive number; got {se!r}.")
    if kind == "generic":
        if se is None or n is not None:
            raise ValueError(f"kind='generic' needs `{prefix}se` (and no `{prefix}n`); got se={se!r}, n={n!r}. "
                             "For Cohen's d or Pearson's r with sample sizes use kind='smd' or kind='r'.")
        return _Study(kind, estimate, estimate, float(se), None)
    if kind == "smd":
        n1, n2 = _sizes(n, f"{prefix}n", pair=True)
        default = np.sqrt((n1 + n2) / (n1 * n2) + estimate**2 / (2 * (n1 + n2)))
        return _Study(kind, estimate, estimate, float(se if se is not None else default), (n1, n2))
    if se is not None:
        raise ValueError(f"kind='r' computes the standard error from `{prefix}n` (1 / sqrt(n - 3) on Fisher's z "
                         f"scale); leave `{prefix}se` out (got {se!r}).")
    if not -1 < estimate < 1:
        raise ValueError(f"a correlation must lie strictly between -1 and 1; got `{prefix}estimate`={estimate!r}.")
    (size,) = _sizes(n, f"{prefix}n", pair=False, minimum=4)
    return _Study(kind, estimate, float(np.arctanh(estimate)), float(1 / np.sqrt(size - 3)), size)


def _sizes(n, name: str, *, pair: bool, minimum: int = 2) -> tuple[int, ...]:
    what = "a pair (n1, n2) of group sizes" if pair else "one sample size"
    values = [n] if np.ndim(n) == 0 else list(n)
    if n is None or len(values) != (2 if pair else 1) or any(
            isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < minimum for v in values):
        raise ValueError(f"`{name}` must be {what}, whole numbers of at least {minimum}; got {n!r}.")
    return tuple(int(v) for v in values)


def _check_alpha(alpha) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha < 0.5:
        raise ValueError(f"`alpha` must be a significance level between 0 and 0.5 (e.g. 0.05); got {alpha!r}.")
    return float(alpha)


def _nct_cdf(t: float, df: float, ncp: float) -> float:
    """Noncentral t cdf; scipy's NaN far in the tails is replaced by the limit (0 or 1)."""
    value = float(stats.nct.cdf(t, df, ncp))
    return (0.0 if ncp > t else 1.0) if np.isnan(value) else value


def _table(rows: list[tuple]) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=REPLICATION_COLUMNS)
    return table.astype({column: float for column in ["statistic", "p", "ci_low", "ci_high", "value"]})
