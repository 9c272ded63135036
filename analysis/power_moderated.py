"""Monte Carlo power of the index of moderated mediation (PROCESS models 7, 8, 14 and 15).

Each design cell simulates many studies from a moderated mediation model, fits each
one with the equations of :func:`analysis.process` and bootstraps its index of
moderated mediation on the same vectorised kernel; the power is the share of
studies whose bootstrap interval excludes 0.

>>> grid = power_moderated_mediation(120, model=8, a=0.3, a_xw=0.8, b=0.5, sims=20, n_boot=200, seed=2)
>>> row = grid.iloc[0]
>>> int(row["n"]), int(row["model"]), float(row["index"]), bool(0 <= row["power"] <= 1)
(120, 8, 0.4, True)
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from analysis._bootstrap import bootstrap_sums, iter_resample_indices
from analysis._bootstrap_intervals import CI_METHODS, bootstrap_interval
from analysis._bootstrap_regression import case_products
from analysis.power_analytic import _check_proportion
from analysis.power_montecarlo import _as_list
from analysis.process.bootstrap import solve_equations, stacked_columns
from analysis.process.design import equation_terms
from analysis.process.effects import index_of_moderated_mediation
from analysis.process.spec import model_spec

#: PROCESS models whose index of moderated mediation the power functions estimate:
#: W moderates the first stage (7, 8) or the second stage (14, 15) of X -> M -> Y.
MODERATED_MODELS = (7, 8, 14, 15)
#: How the moderator W is drawn: two equal groups crossed with X (a 2 x 2 design), or standard normal.
W_DISTRIBUTIONS = ("binary", "normal")
#: The paths of the generating model, in the nesting order of the grid.
PATHS = ("a", "a_w", "a_xw", "b", "b_mw", "c_prime", "c_w", "c_xw")
_CHAIN = ("x", "m", "y")
# resamples of several data sets solved together: long enough vectors for numpy, small enough for the cache
_RESAMPLES_PER_SOLVE = 1 << 14


def _children(seed: np.random.SeedSequence, count: int) -> list[np.random.SeedSequence]:
    """The first ``count`` children ``seed.spawn`` would give, without counting them as spawned.

    ``spawn`` remembers its children, so a second call would give new ones; a cell
    must give the same studies however often it is run.
    """
    return [np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, i), pool_size=seed.pool_size)
            for i in range(count)]


def true_index(model: int, paths: dict) -> float:
    """The generating model's index of moderated mediation as ``model`` estimates it.

    ``a_xw * b`` for a moderated first stage (models 7, 8), ``a * b_mw`` for a
    moderated second stage (models 14, 15).

    >>> true_index(8, {"a": 0.3, "a_xw": 0.8, "b": 0.5, "b_mw": 0.0})
    0.4
    """
    first_stage = model in (7, 8)
    value = paths["a_xw"] * paths["b"] if first_stage else paths["a"] * paths["b_mw"]
    return value + 0.0  # no -0.0


def moderated_mediation_power_cells(
    n, *, model=8, a=0.0, a_w=0.0, a_xw=0.0, b=0.0, b_mw=0.0, c_prime=0.0, c_w=0.0, c_xw=0.0, w="binary",
    sims=1000, n_boot=1000, ci_method="percentile", alpha=0.05, seed=None,
):
    """The design cells of :func:`power_moderated_mediation`, each with its own seed; run one with
    :func:`run_moderated_power_cell`.

    Cells are the product of the values of the paths (in the order of :data:`PATHS`)
    and ``n``; cell ``i`` gets ``SeedSequence(seed).spawn(...)[i]``, so its result
    does not depend on where or when it runs.

    >>> cells = moderated_mediation_power_cells([100, 200], a=0.3, a_xw=[0.4, 0.8], b=0.5, sims=10, n_boot=10, seed=1)
    >>> len(cells), cells[1]["paths"]["a_xw"], cells[1]["n"], cells[1]["index"]
    (4, 0.4, 200, 0.2)
    """
    if isinstance(model, bool) or model not in MODERATED_MODELS:
        raise ValueError(f"`model` must be one of {MODERATED_MODELS} (a moderated first or second stage); got {model!r}.")
    if w not in W_DISTRIBUTIONS:
        raise ValueError(f"`w` must be one of {W_DISTRIBUTIONS}; got {w!r}.")
    if ci_method not in CI_METHODS:
        raise ValueError(f"`ci_method` must be one of {CI_METHODS}; got {ci_method!r}.")
    _check_proportion(alpha, "alpha")
    for name, value, low in (("sims", sims, 2), ("n_boot", n_boot, 1)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"`{name}` must be a whole number of at least {low}; got {value!r}.")
    sizes = _as_list(n, "n")
    if any(size != int(size) or size < 12 for size in sizes):
        raise ValueError(f"every `n` must be a whole number of at least 12; got {n!r}.")
    given = dict(a=a, a_w=a_w, a_xw=a_xw, b=b, b_mw=b_mw, c_prime=c_prime, c_w=c_w, c_xw=c_xw)
    values = {name: _as_list(given[name], name) for name in PATHS}
    unmodelled = "b_mw" if model in (7, 8) else "a_xw"
    if any(value != 0 for value in values[unmodelled]):
        stage = "second" if unmodelled == "b_mw" else "first"
        raise ValueError(f"model {model} does not moderate the {stage} stage, so `{unmodelled}` must be 0 "
                         f"(with both stages moderated the indirect effect is not linear in W and has no index); "
                         f"got {given[unmodelled]!r}.")
    root = np.random.SeedSequence(seed)
    grid = list(itertools.product(*(values[name] for name in PATHS), sizes))
    cells = []
    for (*path_values, size), child in zip(grid, root.spawn(len(grid))):
        paths = dict(zip(PATHS, path_values))
        cells.append(dict(
            kind="moderated_mediation", n=int(size), model=int(model), w=w, paths=paths,
            index=true_index(model, paths), sims=int(sims), n_boot=int(n_boot), ci_method=ci_method,
            alpha=float(alpha), seed=child, root_entropy=root.entropy,
        ))
    return cells


def moderated_mediation_datasets(cell: dict) -> tuple[np.ndarray, np.ndarray]:
    """The simulated studies of one cell and the bootstrap seed of each.

    Returns ``(data, boot_seeds)``: ``data`` of shape (sims, n, 4) with the columns
    ``x, w, m, y`` of each study and ``boot_seeds`` (sims,) whole numbers. Studying
    study ``i`` with ``analysis.process(..., seed=int(boot_seeds[i]))`` resamples the
    same cases as :func:`moderated_mediation_decisions` does.

    The model: x is 0/1 in two equal groups; W is 0/1 crossed with x in four equal
    cells (``w="binary"``, an odd remainder goes to the first cells) or standard
    normal; ``m = a x + a_w w + a_xw x w + e_m``,
    ``y = c' x + c_w w + c_xw x w + (b + b_mw w) m + e_y``, residuals standard normal.

    >>> cell = moderated_mediation_power_cells(40, a_xw=0.5, b=0.5, sims=3, n_boot=10, seed=4)[0]
    >>> data, seeds = moderated_mediation_datasets(cell)
    >>> data.shape, seeds.shape, data[0, :4, :2].tolist()
    ((3, 40, 4), (3,), [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    """
    data_seed, boot_seed = _children(cell["seed"], 2)
    rng = np.random.default_rng(data_seed)
    n, sims, p = cell["n"], cell["sims"], cell["paths"]
    x = (np.arange(n) % 2).astype(np.float64)
    if cell["w"] == "binary":
        w = np.broadcast_to(((np.arange(n) // 2) % 2).astype(np.float64), (sims, n))
    else:
        w = rng.standard_normal((sims, n))
    m = p["a"] * x + p["a_w"] * w + p["a_xw"] * x * w + rng.standard_normal((sims, n))
    y = p["c_prime"] * x + p["c_w"] * w + p["c_xw"] * x * w + (p["b"] + p["b_mw"] * w) * m + rng.standard_normal((sims, n))
    data = np.stack([np.broadcast_to(x, (sims, n)), w, m, y], axis=2)
    return data, boot_seed.generate_state(sims, dtype=np.uint64)


def moderated_mediation_decisions(cell: dict) -> pd.DataFrame:
    """Each simulated study of one cell: its index of moderated mediation, bootstrap interval and decision.

    The studies are those of :func:`moderated_mediation_datasets`. Each is fitted
    with the equations ``analysis.process`` builds for ``cell["model"]``; its resample
    counts come from its own seed, and the resamples' sums are multiplied out and
    solved by the kernel ``analysis.process`` uses (``bootstrap_sums``,
    ``solve_equations``), many studies' resamples in one solve.

    Returns
    -------
    pandas.DataFrame
        One row per study: ``index`` (the estimate), ``ci_low``, ``ci_high``
        (the ``1 - alpha`` interval by ``ci_method``), ``significant`` (the interval
        excludes 0) and ``boot_seed``.

    Examples
    --------
    >>> cell = moderated_mediation_power_cells(80, a=0.3, a_xw=0.8, b=0.5, sims=4, n_boot=200, seed=4)[0]
    >>> moderated_mediation_decisions(cell).columns.tolist()
    ['index', 'ci_low', 'ci_high', 'significant', 'boot_seed']
    """
    data, boot_seeds = moderated_mediation_datasets(cell)
    sims, n, _ = data.shape
    n_boot = cell["n_boot"]
    equations = equation_terms(model_spec(cell["model"]), x_terms=["x"], mediators=["m"], y="y", w="w", z=None,
                               covariates=[])
    by_outcome = {equation.outcome: equation for equation in equations}
    per_solve = max(1, _RESAMPLES_PER_SOLVE // n_boot)
    estimates, lows, highs = np.empty(sims), np.empty(sims), np.empty(sims)
    for start in range(0, sims, per_solve):
        stop = min(sims, start + per_solve)
        pieces, full_sample = [], []
        for i in range(start, stop):
            columns = dict(zip(("x", "w", "m", "y"), data[i].T))
            matrix, positions = stacked_columns(equations, columns)
            blocks = iter_resample_indices(n, n_boot, np.random.default_rng(boot_seeds[i]))
            pieces.append(bootstrap_sums(matrix, blocks, n_boot)[0])
            full_sample.append(case_products(matrix).sum(axis=0))  # every case once: the estimate
        d = matrix.shape[1]
        sums = np.concatenate([*pieces, np.array(full_sample)])
        coefs = solve_equations(np.ascontiguousarray(sums.T), n, d, equations, positions)
        groups = stop - start
        boot = {outcome: coef[: groups * n_boot].reshape(groups, n_boot, -1) for outcome, coef in coefs.items()}
        point = {outcome: coef[groups * n_boot :] for outcome, coef in coefs.items()}
        draws = index_of_moderated_mediation(boot, by_outcome, _CHAIN, "w")  # (groups, n_boot)
        estimate = index_of_moderated_mediation(point, by_outcome, _CHAIN, "w")
        low, high = bootstrap_interval(draws.T, estimate, 1 - cell["alpha"], cell["ci_method"])
        estimates[start:stop], lows[start:stop], highs[start:stop] = estimate, low, high
    return pd.DataFrame({
        "index": estimates, "ci_low": lows, "ci_high": highs,
        "significant": (lows > 0) | (highs < 0), "boot_seed": boot_seeds,
    })


def run_moderated_power_cell(cell: dict) -> dict:
    """Simulate one design cell of :func:`moderated_mediation_power_cells` and return its row.

    >>> cell = moderated_mediation_power_cells(60, a=0.3, a_xw=0.8, b=0.5, sims=10, n_boot=100, seed=3)[0]
    >>> row = run_moderated_power_cell(cell)
    >>> row["n"], row["index"], 0 <= row["power"] <= 1
    (60, 0.4, True)
    """
    decisions = moderated_mediation_decisions(cell)
    power = float(decisions["significant"].mean())
    return {
        "n": cell["n"], "model": cell["model"], "w": cell["w"], **cell["paths"], "index": cell["index"],
        "ci_method": cell["ci_method"], "sims": cell["sims"], "n_boot": cell["n_boot"],
        "power": power, "mcse": float(np.sqrt(power * (1 - power) / cell["sims"])),
        "mean_estimate": float(decisions["index"].mean()),
    }


def power_moderated_mediation(
    n, model=8, *, a=0.0, a_w=0.0, a_xw=0.0, b=0.0, b_mw=0.0, c_prime=0.0, c_w=0.0, c_xw=0.0, w="binary",
    sims=1000, n_boot=1000, ci_method="percentile", alpha=0.05, seed=None,
):
    """Monte Carlo power to detect the index of moderated mediation (PROCESS models 7, 8, 14, 15).

    Each design cell simulates ``sims`` studies of ``n`` participants from the
    model below, fits each with ``model``'s equations and tests its index of
    moderated mediation (Hayes 2015) by a bootstrap interval; the power is the
    share of studies whose interval excludes 0.

    Parameters
    ----------
    n : int or list of int
        Total sample sizes.
    model : {7, 8, 14, 15}, default 8
        The PROCESS model fitted: W moderates X -> M (7; 8 also X -> Y) or
        M -> Y (14; 15 also X -> Y).
    a, a_w, a_xw : float or list of float
        M on X, W and X·W: ``m = a x + a_w w + a_xw x w + e_m``.
    b, b_mw : float or list of float
        Y on M and M·W: the slope of M is ``b + b_mw w``.
    c_prime, c_w, c_xw : float or list of float
        Y on X, W and X·W (the direct path and its moderation).
        Unstandardised: x is 0/1 in two equal groups, m and y have unit residual
        variances. Lists make a grid with every ``n``. Models 7 and 8 need
        ``b_mw = 0``, models 14 and 15 ``a_xw = 0`` (else the indirect effect is
        not linear in W); a moderated direct path that the model leaves out
        (``c_xw`` with model 7 or 14) is allowed, and simulates a misspecified model.
    w : {"binary", "normal"}
        W is 0/1 crossed with x in four equal cells (a 2 x 2 design), or standard normal.
    sims : int, default 1000
        Simulated studies per cell.
    n_boot : int, default 1000
        Bootstrap resamples per study.
    ci_method : {"percentile", "bc"}
        The bootstrap interval (as in ``analysis.process``).
    alpha : float, default 0.05
        The interval is the ``1 - alpha`` one.
    seed : int, optional
        Root of all cells' seeds (``SeedSequence(seed).spawn``); stored in
        ``result.attrs["seed"]``.

    Returns
    -------
    pandas.DataFrame
        One row per cell: ``n, model, w``, the eight paths, ``index`` (the true
        index: ``a_xw * b`` for models 7 and 8, ``a * b_mw`` for 14 and 15),
        ``ci_method, sims, n_boot, power, mcse`` (Monte Carlo SE of the power,
        ``sqrt(p (1 - p) / sims)``) and ``mean_estimate`` (the average estimated index).

    Notes
    -----
    Each study's resamples are drawn from its own seed (see
    :func:`moderated_mediation_datasets`), so ``analysis.process`` on that study with
    that seed gives the same interval; their sums are computed by the vectorised
    kernel of ``analysis._bootstrap`` and the equations of many studies' resamples
    are solved in one pass (no Python loop over resamples). See Hayes (2015), *An
    index and test of linear moderated mediation*, Multivariate Behavioral Research,
    50, 1-22.

    Examples
    --------
    >>> grid = power_moderated_mediation([60, 240], a=0.3, a_xw=0.8, b=0.5, sims=40, n_boot=200, seed=1)
    >>> grid[["n", "index"]].values.tolist()
    [[60.0, 0.4], [240.0, 0.4]]
    >>> bool(grid.loc[1, "power"] > grid.loc[0, "power"])
    True
    """
    cells = moderated_mediation_power_cells(
        n, model=model, a=a, a_w=a_w, a_xw=a_xw, b=b, b_mw=b_mw, c_prime=c_prime, c_w=c_w, c_xw=c_xw, w=w,
        sims=sims, n_boot=n_boot, ci_method=ci_method, alpha=alpha, seed=seed,
    )
    result = pd.DataFrame([run_moderated_power_cell(cell) for cell in cells])
    result.attrs["seed"] = cells[0]["root_entropy"]
    return result
