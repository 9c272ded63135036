"""Monte Carlo power of the indirect effect of Hayes' model 4 (one or parallel mediators).

Each design cell simulates many studies and tests each one's indirect effect by
the percentile bootstrap (vectorised across the simulated studies), joint
significance or a Monte Carlo confidence interval.

>>> grid = power_mediation(a=0.5, b=0.5, c_prime=0.0, n=60, sims=20, n_boot=100, seed=2)
>>> grid.loc[0, ["n", "sims", "n_boot"]].tolist()
[60, 20, 100]
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from analysis._bootstrap import (
    iter_bootstrap_sums_batched,
    case_products,
    centred_cross_products,
    indirect_from_sums,
)
from analysis.power_analytic import _check_proportion

METHODS = ("boot", "joint", "mc")


def paths_from_standardized(a, b, c_prime):
    """Unstandardised paths of :func:`power_mediation`'s model from standardised ones.

    The model has x coded 0/1 in two equal groups (SD 0.5) and unit residual
    variances of m and y. Given the completely standardised coefficients
    (``a_s = a SD_x / SD_m``, ``b_s = b SD_m / SD_y``, ``c'_s = c' SD_x / SD_y``):
    ``a = 2 a_s / sqrt(1 - a_s^2)``; with ``r = 1 - c'_s^2 - b_s^2 - 2 a_s b_s c'_s``
    (the standardised residual variance of y, which must be positive),
    ``SD_y = 1 / sqrt(r)``, ``SD_m = 1 / sqrt(1 - a_s^2)``, ``b = b_s SD_y / SD_m``
    and ``c' = 2 c'_s SD_y``.

    >>> [round(value, 4) for value in paths_from_standardized(0.3, 0.3, 0.0)]
    [0.629, 0.3, 0.0]
    """
    residual = 1 - c_prime**2 - b**2 - 2 * a * b * c_prime
    if not -1 < a < 1 or residual <= 0:
        raise ValueError(
            f"standardised paths a={a}, b={b}, c_prime={c_prime} leave no residual variance for m or y; "
            "each must lie between -1 and 1 and together explain less than all of y's variance."
        )
    sd_m, sd_y = 1 / np.sqrt(1 - a**2), 1 / np.sqrt(residual)
    return float(2 * a * sd_m), float(b * sd_y / sd_m), float(2 * c_prime * sd_y)


def _as_list(value, name):
    values = list(value) if isinstance(value, (list, tuple, np.ndarray, range)) else [value]
    if not values or any(isinstance(v, bool) or not isinstance(v, (int, float, np.number)) for v in values):
        raise ValueError(f"`{name}` must be a number or a list of numbers; got {value!r}.")
    return [float(v) for v in values]


def mediation_power_cells(
    a, b, c_prime, n, *, sims=1000, n_boot=1000, method="boot", alpha=0.05, seed=None,
    n_mediators=1, standardized=False,
):
    """The design cells of :func:`power_mediation`, each with its own seed; run one with :func:`run_power_cell`.

    Cells are the product of the values of ``a``, ``b``, ``c_prime`` and ``n``
    (in that nesting order); cell ``i`` gets ``SeedSequence(seed).spawn(...)[i]``,
    so its result does not depend on where or when it runs.

    >>> cells = mediation_power_cells(0.3, [0.2, 0.4], 0.0, [100, 200], sims=10, n_boot=10, seed=1)
    >>> len(cells), cells[1]["b"], cells[1]["n"]
    (4, 0.2, 200)
    """
    if method not in METHODS:
        raise ValueError(f"`method` must be one of {METHODS}; got {method!r}.")
    _check_proportion(alpha, "alpha")
    for name, value, low in (("sims", sims, 2), ("n_boot", n_boot, 1), ("n_mediators", n_mediators, 1)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"`{name}` must be a whole number of at least {low}; got {value!r}.")
    sizes = _as_list(n, "n")
    if any(size != int(size) or size < n_mediators + 4 for size in sizes):
        raise ValueError(f"every `n` must be a whole number of at least {n_mediators + 4}; got {n!r}.")
    root = np.random.SeedSequence(seed)
    grid = list(itertools.product(_as_list(a, "a"), _as_list(b, "b"), _as_list(c_prime, "c_prime"), sizes))
    cells = []
    for (a_value, b_value, c_value, size), child in zip(grid, root.spawn(len(grid))):
        raw = paths_from_standardized(a_value, b_value, c_value) if standardized else (a_value, b_value, c_value)
        cells.append(dict(
            a=a_value, b=b_value, c_prime=c_value, n=int(size), raw_paths=raw, sims=int(sims),
            n_boot=int(n_boot), method=method, alpha=float(alpha), n_mediators=int(n_mediators),
            standardized=bool(standardized), seed=child, root_entropy=root.entropy,
        ))
    return cells


def _simulate_sets(rng, n, sims, a, b, c_prime, k):
    """(sims, n, 1 + k + 1) centred variables x, M_1..M_k, y of simulated studies."""
    x = np.repeat([0.0, 1.0], [n // 2, n - n // 2])
    mediators = a * x[None, :, None] + rng.standard_normal((sims, n, k))
    y = c_prime * x + b * mediators.sum(axis=2) + rng.standard_normal((sims, n))
    variables = np.concatenate([np.broadcast_to(x[None, :, None], (sims, n, 1)), mediators, y[..., None]], axis=2)
    return variables - variables.mean(axis=1, keepdims=True)


def _joint_and_mc(scp, n, k, alpha, method, rng, draws):
    """Significance of each specific indirect effect by joint significance or a Monte Carlo CI."""
    from scipy.special import stdtr

    sxx = scp[:, 0, 0]
    a = scp[:, 0, 1 : 1 + k] / sxx[:, None]
    rss_a = np.diagonal(scp, axis1=1, axis2=2)[:, 1 : 1 + k] - a * scp[:, 0, 1 : 1 + k]
    se_a = np.sqrt(rss_a / (n - 2) / sxx[:, None])
    inverse = np.linalg.inv(scp[:, : k + 1, : k + 1])
    beta = np.einsum("sij,sj->si", inverse, scp[:, : k + 1, -1])
    rss_b = scp[:, -1, -1] - np.einsum("si,si->s", beta, scp[:, : k + 1, -1])
    se_b = np.sqrt(rss_b[:, None] / (n - k - 2) * np.diagonal(inverse, axis1=1, axis2=2)[:, 1:])
    b = beta[:, 1:]
    if method == "joint":
        p_a = 2 * stdtr(n - 2, -np.abs(a / se_a))
        p_b = 2 * stdtr(n - k - 2, -np.abs(b / se_b))
        return (p_a < alpha) & (p_b < alpha), None
    products = (a[:, None, :] + se_a[:, None, :] * rng.standard_normal((len(a), draws, k))) * (
        b[:, None, :] + se_b[:, None, :] * rng.standard_normal((len(a), draws, k))
    )
    return _excludes_zero(products, alpha), _excludes_zero(products.sum(axis=2, keepdims=True), alpha)


def _excludes_zero(draws, alpha):
    """Per simulated study and effect: does the percentile interval of ``draws`` (axis 1) exclude 0?"""
    quantile = np.nanquantile if np.isnan(draws).any() else np.quantile
    low, high = quantile(draws, [alpha / 2, 1 - alpha / 2], axis=1)
    return (low > 0) | (high < 0)


def run_power_cell(cell: dict) -> dict:
    """Simulate one design cell of :func:`mediation_power_cells` and return its row.

    >>> cell = mediation_power_cells(0.5, 0.5, 0.0, 60, sims=20, n_boot=100, seed=3)[0]
    >>> row = run_power_cell(cell)
    >>> row["n"], 0 <= row["power"] <= 1
    (60, True)
    """
    rng = np.random.default_rng(cell["seed"])
    n, k, sims = cell["n"], cell["n_mediators"], cell["sims"]
    a, b, c_prime = cell["raw_paths"]
    variables = _simulate_sets(rng, n, sims, a, b, c_prime, k)
    d = variables.shape[2]
    if cell["method"] == "boot":
        specific, total = [], []
        # each group's sums are turned into effects and intervals while they are still in cache
        for _, sums in iter_bootstrap_sums_batched(variables, cell["n_boot"], rng):
            boot = indirect_from_sums(sums, d, n, k)
            specific.append(_excludes_zero(boot, cell["alpha"]))
            total.append(_excludes_zero(boot.sum(axis=2, keepdims=True), cell["alpha"]) if k > 1 else None)
        significant = np.concatenate(specific)
        significant_total = np.concatenate(total) if k > 1 else None
    else:
        scp = centred_cross_products(case_products(variables).sum(axis=1), d, n)
        significant, significant_total = _joint_and_mc(scp, n, k, cell["alpha"], cell["method"], rng, cell["n_boot"])
    power = float(significant[:, 0].mean())
    row = {
        "n": n, "a": cell["a"], "b": cell["b"], "c_prime": cell["c_prime"], "indirect": cell["a"] * cell["b"] + 0.0,  # no -0.0
        "method": cell["method"], "sims": sims, "n_boot": cell["n_boot"],
        "power": power, "mcse": float(np.sqrt(power * (1 - power) / sims)),
    }
    if k > 1:
        total_power = np.nan if significant_total is None else float(significant_total[:, 0].mean())
        row.update(power_total=total_power, mcse_total=float(np.sqrt(total_power * (1 - total_power) / sims)))
    if cell["standardized"]:
        row.update(dict(zip(("a_raw", "b_raw", "c_prime_raw"), cell["raw_paths"])))
    return row


def power_mediation(
    a, b, c_prime, n, sims=1000, n_boot=1000, method="boot", alpha=0.05, seed=None,
    n_mediators=1, standardized=False,
):
    """Monte Carlo power to detect the indirect effect of Hayes' model 4.

    Each design cell simulates ``sims`` studies of ``n`` participants and tests
    each study's indirect effect; the power is the share of studies with a
    significant result.

    Parameters
    ----------
    a, b, c_prime : float or list of float
        The paths x -> m, m -> y and x -> y (direct). Lists make a grid (all
        combinations with every ``n``). Unstandardised: x is coded 0/1 in two
        equal groups (an odd n puts the extra case in group 1), and m and y
        have unit residual variances, so ``a`` is a mean difference in SD
        units of m's residual. With ``standardized=True`` they are completely
        standardised coefficients instead, converted by
        :func:`paths_from_standardized`.
    n : int or list of int
        Total sample sizes.
    sims : int, default 1000
        Simulated studies per cell.
    n_boot : int, default 1000
        Bootstrap resamples per study (``boot``) or Monte Carlo draws (``mc``).
    method : {"boot", "joint", "mc"}
        ``boot``: the percentile bootstrap interval excludes 0; ``joint``: a and
        b are both significant (t tests); ``mc``: the Monte Carlo confidence
        interval (normal draws of a and b) excludes 0.
    alpha : float, default 0.05
        Two-sided level (the interval is the 1 - alpha one).
    seed : int, optional
        Root of all cells' seeds (``SeedSequence(seed).spawn``); stored in
        ``result.attrs["seed"]``.
    n_mediators : int, default 1
        Parallel mediators with identical paths and independent residuals; then
        ``power`` is that of one specific indirect effect and ``power_total``
        that of the total indirect effect (not defined for ``joint``).
    standardized : bool, default False

    Returns
    -------
    pandas.DataFrame
        One row per cell: ``n, a, b, c_prime, indirect`` (a * b as given),
        ``method, sims, n_boot, power, mcse`` (Monte Carlo SE of the power,
        ``sqrt(p (1 - p) / sims)``); plus ``power_total, mcse_total`` for several
        mediators and ``a_raw, b_raw, c_prime_raw`` for standardised input.

    Notes
    -----
    The bootstrap is vectorised across the simulated studies: their resample
    counts are multiplied by each study's per-case products in one batched
    matrix product (see ``analysis._bootstrap``). See Schoemann, Boulton &
    Short (2017), *Determining power and sample size for simple and complex
    mediation models*, Social Psychological and Personality Science, 8, 379-386,
    for the Monte Carlo interval method.

    Examples
    --------
    >>> grid = power_mediation(a=0.5, b=0.5, c_prime=0.0, n=[40, 80], sims=50, n_boot=200, seed=1)
    >>> list(grid.columns[:5])
    ['n', 'a', 'b', 'c_prime', 'indirect']
    >>> bool(grid.loc[1, "power"] >= grid.loc[0, "power"])
    True
    """
    cells = mediation_power_cells(
        a, b, c_prime, n, sims=sims, n_boot=n_boot, method=method, alpha=alpha, seed=seed,
        n_mediators=n_mediators, standardized=standardized,
    )
    result = pd.DataFrame([run_power_cell(cell) for cell in cells])
    result.attrs["seed"] = cells[0]["root_entropy"]
    return result
