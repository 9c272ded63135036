"""analysis.process's shortcuts against the plain computations they replace.

The engine takes shortcuts for speed: the bootstrap sums only the cross-products the equations use,
in pieces; the R-squared change comes from the fit instead of a second regression; moderator values
use partial sorting; the percentile bounds select four order statistics. Each is checked here
against the straightforward computation (numpy's own quantile, statsmodels, sums over the resampled
rows written out), exactly where the shortcut promises the same bits, else to 1e-12.
"""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from analysis._bootstrap import iter_resample_indices
from analysis.process import bootstrap as process_bootstrap
from analysis.process.bootstrap import pair_sums, stacked_columns, used_pairs
from analysis.process.coding import (
    code_matrix,
    code_x,
    moderator_values,
    process_percentiles,
    two_values_at_most,
)
from analysis.process.design import equation_terms
from analysis.process.indirect import _percentile_bounds
from analysis.process.ols import fit_ols
from analysis.process.spec import model_spec


@pytest.mark.parametrize("count", [1, 2, 3, 7, 40, 999, 5000])
@pytest.mark.parametrize("level", [0.95, 0.9, 0.99, 0.5, 0.999999])
def test_percentile_bounds_are_numpys_default_quantile_to_the_bit(count, level):
    rng = np.random.default_rng(count)
    draws = np.asfortranarray(rng.normal(size=(count, 3)) * [1.0, 1e-3, 50.0])
    draws[:, 2] = np.round(draws[:, 2])  # ties
    low, high = _percentile_bounds(draws, level)
    expected = np.quantile(draws, [(1 - level) / 2, 1 - (1 - level) / 2], axis=0)
    np.testing.assert_array_equal(low, expected[0])
    np.testing.assert_array_equal(high, expected[1])


@pytest.mark.parametrize("hc", [None, "HC3"])
def test_r2_change_from_the_fit_equals_refitting_without_the_terms(hc):
    rng = np.random.default_rng(4)
    x, w = rng.normal(3, 1, size=200), rng.normal(4, 1, size=200)  # uncentred: a product term correlated with its parts
    design = np.column_stack([np.ones(200), x, w, x * w, rng.normal(size=200)])
    y = design @ [1.0, 0.3, -0.2, 0.15, 0.1] + rng.normal(size=200)
    fit = fit_ols(design, y, hc)
    full = sm.OLS(y, design).fit()
    for dropped in ([3], [2, 3], [1, 4]):
        reduced = sm.OLS(y, np.delete(design, dropped, axis=1)).fit()
        assert fit.r2_change(dropped) == pytest.approx(full.rsquared - reduced.rsquared, rel=1e-10, abs=1e-13)


def test_pair_sums_are_the_sums_over_each_resamples_rows(monkeypatch):
    # small pieces and row blocks, so that every split of the products is exercised
    monkeypatch.setattr(process_bootstrap, "_PIECE_COLUMNS", 3)
    monkeypatch.setattr(process_bootstrap, "_SMALL_PRODUCT", 40 * 3 * 7)
    rng = np.random.default_rng(5)
    columns = {name: rng.normal(size=40) for name in ("x", "w", "m", "y")}
    equations = equation_terms(model_spec(14), x_terms=["x"], mediators=["m"], y="y", w="w", z=None, covariates=[])
    matrix, positions = stacked_columns(equations, columns)
    pairs = used_pairs(equations, positions)
    assert (positions["y"], positions["y"]) not in pairs  # the outcome's square is never used
    sums = pair_sums(matrix, pairs, iter_resample_indices(40, 50, np.random.default_rng(6), chunk=17), 50)
    indices = np.concatenate(list(iter_resample_indices(40, 50, np.random.default_rng(6), chunk=17)))
    drawn = matrix[indices]  # (resamples, draws, columns)
    expected = np.vstack([drawn.sum(axis=1).T, *((drawn[:, :, i] * drawn[:, :, j]).sum(axis=1) for i, j in pairs)])
    np.testing.assert_allclose(sums, expected, rtol=1e-12, atol=1e-12)


def test_moderator_values_without_a_full_sort_match_the_sorted_definitions():
    rng = np.random.default_rng(7)
    for values in (rng.normal(size=1001), rng.integers(1, 8, size=300).astype(float), np.array([2.0, 5.0, 5.0, 2.0]),
                   np.array([1.0, 1.0, 1.0, 3.0, 2.0])):
        distinct = np.unique(values)
        assert two_values_at_most(values) == (distinct.size <= 2)
        ordered, n = np.sort(values), values.size
        position = np.clip(np.array([0.16, 0.5, 0.84]) * (n + 1), 1, n)  # PROCESS: the p(n + 1)-th case, interpolated
        low = np.floor(position).astype(int)
        expected = ordered[low - 1] + (ordered[np.minimum(low + 1, n) - 1] - ordered[low - 1]) * (position - low)
        np.testing.assert_array_equal(process_percentiles(values), expected)
        probe = moderator_values(values, None, "w")
        np.testing.assert_array_equal(probe, distinct if distinct.size == 2 else expected)


def _plain_coding(series, reference):
    """The levels and each case's level number as pandas gives them (unique, sort, map)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        levels = [level for level in series.cat.categories if level in set(series)]
    else:
        levels = sorted(series.unique())
    if reference is not None:
        first = next(level for level in levels if level == reference or str(level) == str(reference))
        levels = [first, *(level for level in levels if level != first)]
    return levels, series.astype(object).map({level: i for i, level in enumerate(levels)}).to_numpy(dtype=np.intp)


@pytest.mark.parametrize("kind", ["int", "str", "categorical with an unused level", "bool"])
@pytest.mark.parametrize("reference", [None, "last"])
def test_x_codes_from_numpys_unique_match_pandas_unique_and_map(kind, reference):
    rng = np.random.default_rng(6)
    if kind == "int":
        series = pd.Series(rng.integers(1, 5, size=60))
    elif kind == "str":
        series = pd.Series(rng.choice(["public", "private", "none"], size=60))
    elif kind == "bool":
        series = pd.Series(rng.random(60) < 0.5)
    else:
        series = pd.Series(pd.Categorical(rng.choice(["c", "a"], size=60), categories=["c", "b", "a"]))
    plain_levels, plain_rows = _plain_coding(series, None)
    reference = plain_levels[-1] if reference == "last" else None
    levels, rows = _plain_coding(series, reference)
    values, names, table = code_x(series, "x", "indicator", reference)
    assert list(table) == levels
    assert names == [f"x[{level}]" for level in levels[1:]]
    np.testing.assert_array_equal(values, code_matrix(len(levels), "indicator")[rows])
