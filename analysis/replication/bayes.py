"""Bayesian and reverse-Bayes measures of replication success.

The replication Bayes factor (Verhagen & Wagenmakers, 2014) and the sceptical
p-value (Held, 2020); :func:`analysis.replication.replication_tests` puts them
in its table beside the frequentist criteria.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import integrate, special, stats

SCEPTICAL_TYPES = ("golden", "nominal", "controlled")
ALTERNATIVES = ("one-sided", "two-sided")
#: Gauss-Legendre rule used, panel by panel, to integrate the noncentral t density.
_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(12)
_PANELS = 16


def replication_bayes_factor(
    t_original: float,
    n_original: int | Sequence[int],
    t_replication: float,
    n_replication: int | Sequence[int],
) -> float:
    """Replication Bayes factor BF_r0 of a t test (Verhagen & Wagenmakers, 2014).

    Parameters
    ----------
    t_original, t_replication : float
        Student's t statistics of the original and the replication study.
    n_original, n_replication : int or (int, int)
        Group sizes ``(n1, n2)`` of a two-sample t test, or one ``n`` for a
        one-sample (or paired) test; both studies must use the same design.

    Returns
    -------
    float
        ``BF_r0``: how many times more likely the replication's t is under the
        proponent's hypothesis (the effect size has the posterior distribution
        left by the original study) than under the sceptic's ``delta = 0``.

    Notes
    -----
    With effective sample sizes ``N = n1 n2 / (n1 + n2)`` (or ``n``) and
    degrees of freedom ``nu``, the t statistic has a noncentral t likelihood
    with noncentrality ``delta sqrt(N)``. Under a flat prior the original study
    leaves the posterior ``p(delta | t_o) = f(t_o; nu_o, delta sqrt(N_o)) sqrt(N_o) / E[s]``
    with ``E[s] = sqrt(2 / nu_o) Gamma((nu_o + 1) / 2) / Gamma(nu_o / 2)``, and

    ``BF_r0 = integral f(t_r; nu_r, delta sqrt(N_r)) p(delta | t_o) d delta / f(t_r; nu_r, 0)``.

    The integral is computed by adaptive quadrature (not by Monte Carlo, as in
    the original paper); the noncentral t density is itself integrated over
    its chi variable with a Gauss-Legendre rule centred on the integrand's
    peak, in log space, so that far tails neither overflow nor fail.

    References
    ----------
    Verhagen, J., & Wagenmakers, E.-J. (2014). Bayesian tests to quantify the
    result of a replication attempt. *Journal of Experimental Psychology:
    General, 143*(4), 1457-1475.

    Pawel, S., & Held, L. (2022). The sceptical Bayes factor for the
    assessment of replication success. *Journal of the Royal Statistical
    Society Series B, 84*(3), 879-911 (Table 1; R package BayesRep ``BFrSMD``).

    Examples
    --------
    >>> round(replication_bayes_factor(2.78, (16, 16), 3.54, (44, 45)), 2)
    156.48
    """
    df_o, n_o = _t_design(n_original, "n_original")
    df_r, n_r = _t_design(n_replication, "n_replication")
    if np.ndim(n_original) != np.ndim(n_replication):
        raise ValueError(
            "`n_original` and `n_replication` must describe the same design: two group sizes each "
            f"(two-sample t test) or one n each (one-sample); got {n_original!r} and {n_replication!r}."
        )
    for name, value in (("t_original", t_original), ("t_replication", t_replication)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
            raise ValueError(f"`{name}` must be a finite number (a t statistic); got {value!r}.")
    log_norm = 0.5 * np.log(2 / df_o) + special.gammaln((df_o + 1) / 2) - special.gammaln(df_o / 2) - 0.5 * np.log(n_o)

    def log_integrand(delta):
        delta = np.atleast_1d(np.asarray(delta, dtype=float))
        return (nct_logpdf(t_replication, df_r, delta * np.sqrt(n_r))
                + nct_logpdf(t_original, df_o, delta * np.sqrt(n_o)) - log_norm)

    centres = np.array([t_original / np.sqrt(n_o), t_replication / np.sqrt(n_r)])
    spreads = np.array([1 / np.sqrt(n_o), 1 / np.sqrt(n_r)]) * (1 + np.abs(centres))
    grid = np.linspace(np.min(centres - 15 * spreads), np.max(centres + 15 * spreads), 2001)
    values = log_integrand(grid)
    top = np.max(values)
    peak = grid[np.argmax(values)]
    inside = grid[values > top - 80]
    low, high = inside.min() - (grid[1] - grid[0]), inside.max() + (grid[1] - grid[0])
    total, _ = integrate.quad(lambda d: np.exp(log_integrand(d)[0] - top), low, high, points=[peak],
                              epsabs=0, epsrel=1e-11, limit=400)
    log_null = stats.t.logpdf(t_replication, df_r)
    return float(np.exp(top + np.log(total) - log_null))


def nct_logpdf(t: float, df: float, ncp: np.ndarray) -> np.ndarray:
    """Log density of the noncentral t distribution, robust far in the tails.

    ``f(t; nu, lambda) = integral_0^inf s phi(t s - lambda) q(s) ds`` with ``q``
    the density of ``s = sqrt(V / nu)``, ``V ~ chi^2_nu``. The log integrand,
    ``nu log s - (t s - lambda)^2 / 2 - nu s^2 / 2 + const``, is strictly
    concave with its peak at the positive root of
    ``(nu + t^2) s^2 - t lambda s - nu = 0``; it is integrated over 12 peak
    widths either side with a composite Gauss-Legendre rule.

    Examples
    --------
    >>> round(float(nct_logpdf(1.5, 10, np.array([0.5]))[0]), 6)
    -1.478982
    >>> round(float(stats.nct.logpdf(1.5, 10, 0.5)), 6)  # scipy agrees where it can evaluate
    -1.478982
    """
    lam = np.atleast_1d(np.asarray(ncp, dtype=float))
    nu = float(df)
    a = nu + t * t
    peak = (t * lam + np.sqrt(t * t * lam * lam + 4 * nu * a)) / (2 * a)
    width_left = 1 / np.sqrt(nu / peak**2 + a)  # the curvature only grows to the left
    width_right = 1 / np.sqrt(a)  # and never falls below nu + t^2 to the right
    low = np.maximum(peak - 12 * width_left, 0.0)
    high = peak + 12 * width_right
    edges = low[:, None] + (high - low)[:, None] * np.linspace(0, 1, _PANELS + 1)[None, :]
    half = (edges[:, 1:] - edges[:, :-1]) / 2
    nodes = ((edges[:, 1:] + edges[:, :-1]) / 2)[:, :, None] + half[:, :, None] * _NODES[None, None, :]
    s = nodes.reshape(len(lam), -1)
    weights = (half[:, :, None] * _WEIGHTS[None, None, :]).reshape(len(lam), -1)
    constant = (np.log(2.0) + (nu / 2) * np.log(nu / 2) - special.gammaln(nu / 2) - 0.5 * np.log(2 * np.pi))
    with np.errstate(divide="ignore"):
        log_values = nu * np.log(s) - (t * s - lam[:, None]) ** 2 / 2 - nu * s * s / 2
    top = np.max(log_values, axis=1)
    return constant + top + np.log(np.sum(weights * np.exp(log_values - top[:, None]), axis=1))


def sceptical_z(z_original: float, z_replication: float, c: float) -> float:
    """The sceptical z-value ``z_S`` of Held (2020), as ReplicationSuccess's ``zSceptical``.

    With ``H`` the harmonic and ``A`` the arithmetic mean of ``z_o^2`` and
    ``z_r^2``: ``z_S^2 = H / 2`` if ``c = 1``, otherwise
    ``z_S^2 = (sqrt(A (A + (c - 1) H)) - A) / (c - 1)``.

    Examples
    --------
    >>> round(sceptical_z(2, 3, 2), 6)
    1.531634
    """
    zo2, zr2 = float(z_original) ** 2, float(z_replication) ** 2
    if zo2 == 0 or zr2 == 0:
        return 0.0
    harmonic, arithmetic = 2 / (1 / zo2 + 1 / zr2), (zo2 + zr2) / 2
    if c == 1:
        return float(np.sqrt(harmonic / 2))
    return float(np.sqrt((np.sqrt(arithmetic * (arithmetic + (c - 1) * harmonic)) - arithmetic) / (c - 1)))


def sceptical_p(
    z_original: float,
    z_replication: float,
    c: float,
    *,
    type: str = "golden",
    alternative: str = "one-sided",
) -> float:
    """Sceptical p-value of Held (2020), with the recalibrations of ReplicationSuccess.

    Parameters
    ----------
    z_original, z_replication : float
        z statistics (estimate / standard error) of the two studies.
    c : float
        Variance ratio ``se_original^2 / se_replication^2`` (about
        ``n_replication / n_original``).
    type : {"golden", "nominal", "controlled"}, default "golden"
        ``"nominal"``: Held (2020) without recalibration; ``"golden"``
        (ReplicationSuccess's default): ``z_S sqrt(phi)``, phi the golden
        ratio, so that an original just significant can only be replicated by
        an effect at least as large (Held, Micheloud & Pawel, 2022);
        ``"controlled"``: exact overall type-I error control (Micheloud,
        Balabdaoui & Held, 2023).
    alternative : {"one-sided", "two-sided"}, default "one-sided"
        One-sided (ReplicationSuccess's default) assesses success in the
        direction of the original effect.

    Returns
    -------
    float
        The sceptical p-value; replication success at level ``alpha`` (e.g.
        0.025 one-sided) when it is at most ``alpha``.

    Notes
    -----
    ``"nominal"``: ``p = 2 (1 - Phi(z_S))``; ``"golden"``:
    ``p = 2 (1 - Phi(z_S sqrt(phi)))``; ``"controlled"``: ``p = sqrt(1 - F(z_S^2))``
    with ``1 - F(z) = (1 / pi) integral_0^1 exp(-z (1 + sqrt(1 + (c - 1) u)) / u) / sqrt(u (1 - u)) du``
    (the form of ReplicationSuccess's ``FZ``, rearranged so that nothing
    cancels). One-sided: ``p / 2`` if both z have the same sign, else ``1 - p / 2``.

    References
    ----------
    Held, L. (2020). A new standard for the analysis and design of replication
    studies. *Journal of the Royal Statistical Society Series A, 183*(2), 431-448.

    Held, L., Micheloud, C., & Pawel, S. (2022). The assessment of replication
    success based on relative effect size. *The Annals of Applied Statistics,
    16*(2), 706-720.

    Micheloud, C., Balabdaoui, F., & Held, L. (2023). Assessing replicability
    with the sceptical p-value: Type-I error control and sample size planning.
    *Statistica Neerlandica, 77*(4), 573-591.

    Examples
    --------
    >>> z_o, z_r = float(stats.norm.isf(0.01 / 2)), float(stats.norm.isf(0.02 / 2))
    >>> round(sceptical_p(z_o, z_r, 2), 8)
    0.02273138
    """
    if type not in SCEPTICAL_TYPES:
        raise ValueError(f"`type` must be one of {', '.join(SCEPTICAL_TYPES)}; got {type!r}.")
    if alternative not in ALTERNATIVES:
        raise ValueError(f"`alternative` must be 'one-sided' or 'two-sided'; got {alternative!r}.")
    if isinstance(c, bool) or not isinstance(c, (int, float)) or not (np.isfinite(c) and c > 0):
        raise ValueError(f"`c` (the variance ratio se_original^2 / se_replication^2) must be positive; got {c!r}.")
    z = sceptical_z(z_original, z_replication, c)
    if type == "nominal":
        p = 2 * stats.norm.sf(z)
    elif type == "golden":
        p = 2 * stats.norm.sf(z * np.sqrt((1 + np.sqrt(5)) / 2))
    else:
        p = np.sqrt(_sceptical_tail(z * z, c))
    if alternative == "one-sided":
        p = p / 2 if np.sign(z_original) == np.sign(z_replication) else 1 - p / 2
    return float(p)


def _sceptical_tail(z2: float, c: float) -> float:
    """``1 - F(z^2)`` for the controlled sceptical p-value (Micheloud et al., 2023)."""
    if z2 <= 0:
        return 1.0
    if c == 1:
        return float(stats.chi2.sf(z2, 1))

    def kernel(u):
        return 0.0 if u <= 0 else np.exp(-z2 * (1 + np.sqrt(1 + (c - 1) * u)) / u)

    value, _ = integrate.quad(kernel, 0, 1, weight="alg", wvar=(-0.5, -0.5), epsabs=0, epsrel=1e-12, limit=200)
    return float(value / np.pi)


def _t_design(n, name: str) -> tuple[float, float]:
    """Degrees of freedom and effective sample size of a one- or two-sample t test."""
    sizes = [n] if np.ndim(n) == 0 else list(n)
    if len(sizes) not in (1, 2) or any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) for s in sizes):
        raise ValueError(f"`{name}` must be one sample size or a pair (n1, n2) of whole numbers; got {n!r}.")
    if min(sizes) < 2:
        raise ValueError(f"`{name}` must have at least 2 observations per group; got {n!r}.")
    if len(sizes) == 1:
        return sizes[0] - 1.0, float(sizes[0])
    n1, n2 = sizes
    return n1 + n2 - 2.0, n1 * n2 / (n1 + n2)
