"""Pooling one effect across studies or sites: fixed- and random-effects meta-analysis."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, stats

from analysis._checks import complete_rows, numeric_column, require_columns, require_dataframe, require_level

META_ANALYSIS_COLUMNS = [
    "k", "estimate", "se", "statistic", "p", "ci_low", "ci_high", "pi_low", "pi_high",
    "tau2", "tau", "i2", "h2", "q", "q_df", "q_p", "method",
]
METHODS = ("REML", "DL", "PM", "FE")
#: Convergence criterion of the REML Fisher scoring (change in tau^2) and its iteration limit.
REML_TOLERANCE = 1e-10
REML_MAX_ITERATIONS = 1000


def meta_analysis(
    data: pd.DataFrame,
    effect: str,
    variance: str | None = None,
    se: str | None = None,
    method: str = "REML",
    knha: bool = False,
    study: str | None = None,
    *,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Pool an effect size over studies (or sites) with a fixed- or random-effects model.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per study or site.
    effect : str
        Column with the effect size estimates ``y_i`` (e.g. log risk ratios,
        Hedges' g, Fisher's z).
    variance, se : str
        Column with the sampling variances ``v_i`` or with their standard
        errors (``v_i = se_i^2``); give exactly one of the two.
    method : {"REML", "DL", "PM", "FE"}, default "REML"
        Estimator of the between-study variance ``tau^2``: restricted maximum
        likelihood (the default of R's metafor), DerSimonian-Laird,
        Paule-Mandel; or ``"FE"`` for the fixed-effect (common-effect) model,
        ``tau^2 = 0``.
    knha : bool, default False
        Knapp-Hartung (Hartung-Knapp-Sidik-Jonkman) adjustment of the standard
        error, with t tests and intervals on ``k - 1`` df. Random-effects
        methods only.
    study : str, optional
        Column with study labels (must be unique); used to label the
        per-study weights in ``result.attrs["weights"]``.
    ci : float, default 0.95
        Level of the confidence and prediction intervals.

    Returns
    -------
    pandas.DataFrame
        One row, columns

        - ``k``: number of studies used (rows with a missing effect or
          variance are dropped; their number is in ``attrs["n_dropped"]``);
        - ``estimate``, ``se``: pooled effect ``mu`` and its standard error;
        - ``statistic``, ``p``: z test of ``mu = 0`` (t with ``k - 1`` df
          under ``knha``), two-sided;
        - ``ci_low``, ``ci_high``: confidence interval of ``mu``;
        - ``pi_low``, ``pi_high``: prediction interval for the true effect
          of a new study, as metafor's ``predict()`` (NaN for ``"FE"``);
        - ``tau2``, ``tau``: between-study variance and its square root;
        - ``i2`` (percent) and ``h2``: heterogeneity indices as metafor prints them;
        - ``q``, ``q_df``, ``q_p``: Cochran's Q test of homogeneity;
        - ``method``: the estimator, with ``"+KNHA"`` when adjusted.

        ``attrs["weights"]`` holds one row per study (``study``, ``effect``,
        ``variance``, ``weight`` in percent of the total weight).

    Raises
    ------
    ValueError
        For a missing or non-numeric column, both or neither of ``variance``
        and ``se``, a non-positive variance, fewer than two studies,
        duplicated study labels, an unknown ``method``, or ``knha`` with
        ``"FE"``.

    Notes
    -----
    With weights ``w_i = 1 / (v_i + tau^2)`` the pooled estimate is
    ``mu = sum(w_i y_i) / sum(w_i)`` with ``se = sqrt(1 / sum(w_i))``.
    The estimators of ``tau^2`` (Viechtbauer, 2005; Veroniki et al., 2016):

    - DL: ``max(0, (Q - (k - 1)) / (sum(u) - sum(u^2) / sum(u)))`` with
      fixed-effect weights ``u_i = 1 / v_i``;
    - PM: the root of ``sum(w_i (y_i - mu)^2) = k - 1`` (0 if the left side
      is already below ``k - 1`` at ``tau^2 = 0``), found by Brent's method;
    - REML: Fisher scoring as in metafor, starting from the Hedges estimate,
      ``tau^2 <- tau^2 + (y'PPy - tr(P)) / tr(PP)`` with
      ``P = W - W 1 1' W / sum(w)``, halving steps that would go below 0,
      until the change is below ``1e-10``.

    Cochran's ``Q = sum(u_i (y_i - mu_FE)^2)`` on ``k - 1`` df. With the
    "typical" sampling variance ``s^2 = (k - 1) / (sum(u) - sum(u^2) / sum(u))``,
    ``I^2 = 100 tau^2 / (tau^2 + s^2)`` and ``H^2 = (tau^2 + s^2) / s^2``
    (for ``"FE"``: ``I^2 = max(0, 100 (Q - (k - 1)) / Q)``, ``H^2 = Q / (k - 1)``),
    as metafor computes them. The Knapp-Hartung standard error is
    ``sqrt(sum(w_i (y_i - mu)^2) / ((k - 1) sum(w_i)))``. The prediction
    interval is ``mu -/+ c sqrt(tau^2 + se^2)`` with ``c`` the normal quantile
    (the t quantile on ``k - 1`` df under ``knha``), as metafor's ``predict()``.

    References
    ----------
    DerSimonian, R., & Laird, N. (1986). Meta-analysis in clinical trials.
    *Controlled Clinical Trials, 7*(3), 177-188.

    Paule, R. C., & Mandel, J. (1982). Consensus values and weighting factors.
    *Journal of Research of the National Bureau of Standards, 87*(5), 377-385.

    Viechtbauer, W. (2005). Bias and efficiency of meta-analytic variance
    estimators in the random-effects model. *Journal of Educational and
    Behavioral Statistics, 30*(3), 261-293.

    Viechtbauer, W. (2010). Conducting meta-analyses in R with the metafor
    package. *Journal of Statistical Software, 36*(3), 1-48.

    Knapp, G., & Hartung, J. (2003). Improved tests for a random effects
    meta-regression with a single covariate. *Statistics in Medicine, 22*(17),
    2693-2710.

    Higgins, J. P. T., & Thompson, S. G. (2002). Quantifying heterogeneity in
    a meta-analysis. *Statistics in Medicine, 21*(11), 1539-1558.

    Examples
    --------
    >>> import pandas as pd
    >>> sites = pd.DataFrame({"site": ["A", "B", "C", "D"], "g": [0.10, 0.55, 0.25, 0.70],
    ...                       "v": [0.010, 0.015, 0.020, 0.012]})
    >>> result = meta_analysis(sites, "g", variance="v", study="site")
    >>> result[["k", "estimate", "se", "tau2", "i2", "method"]].round(4)
       k  estimate      se    tau2      i2 method
    0  4    0.4001  0.1404  0.0648  82.6385   REML
    >>> result.attrs["weights"]["weight"].round(1).tolist()
    [26.4, 24.7, 23.3, 25.7]
    """
    if not isinstance(method, str) or method.upper() not in METHODS:
        raise ValueError(f"`method` must be one of {', '.join(METHODS)}; got {method!r}.")
    method = method.upper()
    if not isinstance(knha, bool):
        raise ValueError(f"`knha` must be True or False; got {knha!r}.")
    if knha and method == "FE":
        raise ValueError(
            "`knha=True` adjusts for the uncertainty in tau^2, which the fixed-effect model (method='FE') "
            "does not estimate; use a random-effects method ('REML', 'DL' or 'PM') with knha=True."
        )
    level = require_level(ci, "ci")
    if (variance is None) == (se is None):
        raise ValueError(
            f"give exactly one of `variance` and `se` (sampling variances or their standard errors); "
            f"got variance={variance!r}, se={se!r}."
        )
    require_dataframe(data)
    spread = variance if variance is not None else se
    columns = [effect, spread] + ([study] if study is not None else [])
    require_columns(data, columns)
    frame = pd.DataFrame({"effect": numeric_column(data, effect, allow_constant=True),
                          "spread": numeric_column(data, spread, allow_constant=True)}, index=data.index)
    frame["study"] = data[study] if study is not None else [f"{i + 1}" for i in range(len(data))]
    frame, dropped = complete_rows(frame, ["effect", "spread", "study"])
    if (frame["spread"] <= 0).any():
        bad = frame.loc[frame["spread"] <= 0, "spread"].iloc[0]
        raise ValueError(f"column {spread!r} must be positive for every study; found {bad:g}.")
    if frame["study"].duplicated().any():
        twice = frame.loc[frame["study"].duplicated(), "study"].iloc[0]
        raise ValueError(f"column {study!r} must label each study once; {twice!r} appears more than once.")
    if len(frame) < 2:
        raise ValueError(
            f"a meta-analysis needs at least 2 studies with an effect and a variance; {len(frame)} found "
            f"(after dropping {dropped} row(s) with missing values)."
        )
    y = frame["effect"].to_numpy(dtype=float)
    v = frame["spread"].to_numpy(dtype=float) ** (2 if se is not None else 1)
    k = len(y)

    u = 1 / v
    mu_fixed = np.sum(u * y) / np.sum(u)
    q = float(np.sum(u * (y - mu_fixed) ** 2))
    trace_fixed = np.sum(u) - np.sum(u**2) / np.sum(u)
    tau2 = {"FE": lambda: 0.0, "DL": lambda: max(0.0, (q - (k - 1)) / trace_fixed),
            "PM": lambda: _tau2_paule_mandel(y, v), "REML": lambda: _tau2_reml(y, v)}[method]()

    w = 1 / (v + tau2)
    mu = float(np.sum(w * y) / np.sum(w))
    se_mu = float(np.sqrt(1 / np.sum(w)))
    if knha:
        se_mu = float(np.sqrt(np.sum(w * (y - mu) ** 2) / ((k - 1) * np.sum(w))))
        reference = stats.t(df=k - 1)
    else:
        reference = stats.norm()
    statistic = mu / se_mu if se_mu > 0 else np.copysign(np.inf, mu)
    critical = reference.ppf(1 - (1 - level) / 2)
    if method == "FE":
        i2, h2 = max(0.0, 100 * (q - (k - 1)) / q) if q > 0 else 0.0, q / (k - 1)
        pi_low = pi_high = np.nan
    else:
        typical = (k - 1) / trace_fixed
        i2, h2 = 100 * tau2 / (tau2 + typical), (tau2 + typical) / typical
        half = critical * np.sqrt(tau2 + se_mu**2)
        pi_low, pi_high = mu - half, mu + half
    row = {
        "k": k, "estimate": mu, "se": se_mu, "statistic": float(statistic),
        "p": float(2 * reference.sf(abs(statistic))),
        "ci_low": mu - critical * se_mu, "ci_high": mu + critical * se_mu,
        "pi_low": float(pi_low), "pi_high": float(pi_high),
        "tau2": float(tau2), "tau": float(np.sqrt(tau2)), "i2": float(i2), "h2": float(h2),
        "q": q, "q_df": k - 1, "q_p": float(stats.chi2.sf(q, k - 1)),
        "method": method + ("+KNHA" if knha else ""),
    }
    table = pd.DataFrame([row], columns=META_ANALYSIS_COLUMNS)
    weights = pd.DataFrame({"study": frame["study"].to_numpy(), "effect": y, "variance": v,
                            "weight": 100 * w / np.sum(w)})
    table.attrs.update({"n_dropped": dropped, "weights": weights})
    return table


def _tau2_paule_mandel(y: np.ndarray, v: np.ndarray) -> float:
    """Paule-Mandel tau^2: the generalised Q statistic set equal to its expectation, k - 1."""
    k = len(y)

    def excess(tau2):
        w = 1 / (v + tau2)
        return np.sum(w * (y - np.sum(w * y) / np.sum(w)) ** 2) - (k - 1)

    if excess(0.0) <= 0:
        return 0.0
    upper = max(np.var(y, ddof=1), 1e-8)
    while excess(upper) > 0:  # the generalised Q falls monotonically in tau^2
        upper *= 2
    return float(optimize.brentq(excess, 0.0, upper, xtol=1e-14, rtol=1e-13, maxiter=500))


def _tau2_reml(y: np.ndarray, v: np.ndarray) -> float:
    """REML tau^2 by Fisher scoring with step halving, started at the Hedges estimate (as metafor)."""
    k = len(y)
    tau2 = max(0.0, (np.sum((y - y.mean()) ** 2) - (np.sum(v) - np.sum(v) / k)) / (k - 1))
    for _ in range(REML_MAX_ITERATIONS):
        w = 1 / (v + tau2)
        total = np.sum(w)
        py = w * (y - np.sum(w * y) / total)  # P y with P = W - w w' / sum(w)
        trace_p = total - np.sum(w**2) / total
        trace_pp = np.sum(w**2) - 2 * np.sum(w**3) / total + (np.sum(w**2) / total) ** 2
        step = (np.sum(py**2) - trace_p) / trace_pp
        if tau2 == 0 and step < 0:  # the likelihood falls away from the boundary
            return 0.0
        while tau2 + step < 0:
            step /= 2
        tau2 += step
        if abs(step) < REML_TOLERANCE:
            return float(tau2)
    raise RuntimeError(
        f"the REML estimate of tau^2 did not converge in {REML_MAX_ITERATIONS} Fisher scoring steps; "
        "use method='PM' or method='DL'."
    )
