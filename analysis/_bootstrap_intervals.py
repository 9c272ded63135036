"""Bootstrap confidence intervals: percentile and bias-corrected, per column of draws."""

from __future__ import annotations

import numpy as np

CI_METHODS = ("percentile", "bc")


def percentile_interval(boot: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap interval per column of ``boot`` (NaN resamples ignored).

    Quantiles use numpy's default (linear interpolation between order statistics).

    >>> lo, hi = percentile_interval(np.arange(101.0)[:, None], 0.9)
    >>> float(lo[0]), float(hi[0])
    (5.0, 95.0)
    """
    tail = (1 - level) / 2
    quantile = np.nanquantile if np.isnan(boot).any() else np.quantile
    low, high = quantile(boot, [tail, 1 - tail], axis=0)
    return low, high


def bias_corrected_interval(
    boot: np.ndarray, estimate: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Bias-corrected (not accelerated) bootstrap interval per column of ``boot``.

    With ``z0 = Phi^-1(share of resamples below the estimate)`` the bounds are
    the ``Phi(2 z0 -+ z_(1-alpha/2))`` quantiles of the bootstrap distribution
    (Efron & Tibshirani 1993, section 14.3; PROCESS 2's default). The share is
    clipped to ``[1/(2B), 1 - 1/(2B)]`` so that ``z0`` stays finite when every
    resample lies on one side of the estimate.

    >>> boot = np.linspace(-1, 1, 2001)[:, None]
    >>> lo, hi = bias_corrected_interval(boot, np.array([0.0]), 0.95)
    >>> round(float(lo[0]), 3), round(float(hi[0]), 3)
    (-0.95, 0.95)
    """
    from scipy.special import ndtr, ndtri  # normal cdf and quantile

    boot = np.asarray(boot, dtype=np.float64)
    estimate = np.asarray(estimate, dtype=np.float64)
    lows, highs = np.empty(boot.shape[1]), np.empty(boot.shape[1])
    z_tail = ndtri(1 - (1 - level) / 2)
    for j in range(boot.shape[1]):
        column = boot[:, j][np.isfinite(boot[:, j])]
        if column.size == 0:
            lows[j] = highs[j] = np.nan
            continue
        share = np.mean(column < estimate[j])
        share = np.clip(share, 0.5 / column.size, 1 - 0.5 / column.size)
        z0 = ndtri(share)
        probabilities = ndtr(np.array([2 * z0 - z_tail, 2 * z0 + z_tail]))
        lows[j], highs[j] = np.quantile(column, probabilities)
    return lows, highs


def bootstrap_interval(
    boot: np.ndarray, estimate: np.ndarray, level: float, method: str
) -> tuple[np.ndarray, np.ndarray]:
    """The bootstrap interval per column of ``boot`` by ``method``: ``"percentile"`` or ``"bc"``.

    >>> boot = np.arange(101.0)[:, None]
    >>> [float(bound[0]) for bound in bootstrap_interval(boot, np.array([50.0]), 0.9, "percentile")]
    [5.0, 95.0]
    """
    if method == "bc":
        return bias_corrected_interval(boot, estimate, level)
    if method == "percentile":
        return percentile_interval(boot, level)
    raise ValueError(f"`ci_method` must be one of {CI_METHODS}; got {method!r}.")
