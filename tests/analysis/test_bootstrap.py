"""The vectorised bootstrap kernel against per-resample reference computations.

References nobody here wrote: ``numpy.linalg.lstsq`` run resample by resample,
statsmodels OLS, and ``pingouin.mediation_analysis`` (its bootstrap
distribution, given the same resample indices). Tolerances are stated per test.
"""

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
import statsmodels.api as sm

from analysis._bootstrap import (
    _CountBuffers,
    bias_corrected_interval,
    bootstrap_indirect,
    iter_resample_indices,
    percentile_interval,
    resample_counts,
)


def simulated(n=140, n_mediators=1, n_covariates=0, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 2, n).astype(float)
    covariates = rng.normal(size=(n, n_covariates))
    mediators = 0.5 * x[:, None] + rng.normal(size=(n, n_mediators)) + 4.0
    mediators += covariates.sum(axis=1, keepdims=True) * 0.3
    y = 0.4 * mediators.sum(axis=1) + 0.2 * x + covariates.sum(axis=1) + rng.normal(size=n) + 3.0
    return x, mediators, y, (covariates if n_covariates else None)


def indirect_by_loop(x, mediators, y, covariates, indices):
    """Plain reference: two least-squares fits per resample (numpy.linalg.lstsq)."""
    n, k = mediators.shape
    extra = [covariates] if covariates is not None else []
    a_design = np.column_stack([np.ones(n), x, *extra])
    b_design = np.column_stack([np.ones(n), x, mediators, *extra])
    out = np.empty((len(indices), k))
    for row, draw in enumerate(indices):
        a = np.linalg.lstsq(a_design[draw], mediators[draw], rcond=None)[0][1]
        b = np.linalg.lstsq(b_design[draw], y[draw], rcond=None)[0][2 : 2 + k]
        out[row] = a * b
    return out


@pytest.mark.parametrize("n_mediators,n_covariates", [(1, 0), (2, 0), (1, 2), (3, 1)])
def test_kernel_equals_per_resample_least_squares(n_mediators, n_covariates):
    x, mediators, y, covariates = simulated(n_mediators=n_mediators, n_covariates=n_covariates)
    indices = np.random.default_rng(5).integers(0, len(x), size=(300, len(x)))
    ours = bootstrap_indirect(x, mediators, y, covariates=covariates, indices=indices)
    reference = indirect_by_loop(x, mediators, y, covariates, indices)
    np.testing.assert_allclose(ours, reference, rtol=1e-10, atol=1e-12)


def test_identity_resample_gives_statsmodels_point_estimate():
    x, mediators, y, covariates = simulated(n_mediators=2, n_covariates=1, seed=3)
    extra = np.column_stack([x, covariates])
    a = [sm.OLS(mediators[:, j], sm.add_constant(extra)).fit().params[1] for j in range(2)]
    b = sm.OLS(y, sm.add_constant(np.column_stack([x, mediators, covariates]))).fit().params[2:4]
    identity = np.arange(len(x))[None, :]
    ours = bootstrap_indirect(x, mediators, y, covariates=covariates, indices=identity)[0]
    np.testing.assert_allclose(ours, np.array(a) * b, rtol=1e-10)


def test_kernel_reproduces_pingouin_bootstrap_distribution_with_its_indices():
    # pingouin 0.5-0.7 draws np.random.RandomState(seed).choice(n, (n_boot, n)) and
    # returns the distribution with return_dist=True (regression.py, mediation_analysis).
    x, mediators, y, covariates = simulated(n=120, n_mediators=2, n_covariates=1, seed=8)
    frame = pd.DataFrame({"x": x, "m1": mediators[:, 0], "m2": mediators[:, 1], "c": covariates[:, 0], "y": y})
    stats, dist = pg.mediation_analysis(
        data=frame, x="x", m=["m1", "m2"], y="y", covar="c", n_boot=400, seed=11, return_dist=True
    )
    indices = np.random.RandomState(11).choice(np.arange(len(x)), replace=True, size=(400, len(x)))
    ours = bootstrap_indirect(x, mediators, y, covariates=covariates, indices=indices)
    np.testing.assert_allclose(ours, dist, rtol=1e-10, atol=1e-12)
    # pingouin's interval is the bias-corrected one: same distribution, same bounds
    low, high = bias_corrected_interval(ours, stats["coef"].to_numpy()[-2:], 0.95)
    np.testing.assert_allclose(low, stats["CI2.5"].to_numpy()[-2:], rtol=1e-10)
    np.testing.assert_allclose(high, stats["CI97.5"].to_numpy()[-2:], rtol=1e-10)


def test_resample_counts_match_a_bincount_per_row():
    rng = np.random.default_rng(2)
    indices = rng.integers(0, 37, size=(25, 37))
    expected = np.array([np.bincount(row, minlength=37) for row in indices], dtype=float)
    np.testing.assert_array_equal(resample_counts(indices, 37), expected)
    buffer = np.full((30, 37), 9.0)  # stale values in a reused buffer must not leak into the counts
    np.testing.assert_array_equal(resample_counts(indices, 37, out=buffer), expected)


@pytest.mark.parametrize("n_cases, rows", [(37, 25), (140, 468), (5000, 13)])
def test_count_buffers_agree_with_a_bincount_for_every_index_type(n_cases, rows):
    indices = np.random.default_rng(3).integers(0, n_cases, size=(rows, n_cases))
    expected = np.array([np.bincount(row, minlength=n_cases) for row in indices], dtype=float)
    buffers = _CountBuffers(rows, n_cases, n_cases)
    for dtype in (np.uint16, np.int64, np.int32):
        given = indices.astype(dtype)
        np.testing.assert_array_equal(buffers.count(given), expected)
        np.testing.assert_array_equal(given, indices)  # the caller's indices are left alone
        np.testing.assert_array_equal(buffers.count(given[:3]), expected[:3])  # a short last chunk


def test_counts_of_more_or_fewer_draws_than_cases():
    indices = np.array([[0, 4, 4, 4, 1, 0, 2], [3, 3, 3, 3, 3, 3, 3]])
    np.testing.assert_array_equal(resample_counts(indices, 5), [[2, 1, 1, 0, 3], [0, 0, 0, 7, 0]])
    np.testing.assert_array_equal(resample_counts(indices[:, :2], 5), [[1, 0, 0, 0, 1], [0, 0, 0, 2, 0]])


def test_large_samples_draw_int64_indices():
    blocks = list(iter_resample_indices(5000, 30, np.random.default_rng(0)))
    assert all(block.dtype == np.int64 and block.max() < 5000 for block in blocks)


def test_chunked_draw_yields_every_resample_once():
    rng = np.random.default_rng(0)
    blocks = list(iter_resample_indices(50, 1001, rng, chunk=100))
    assert sum(len(block) for block in blocks) == 1001
    assert all(block.dtype == np.uint16 and block.min() >= 0 and block.max() < 50 for block in blocks)


def test_same_seed_same_draws_other_seed_differs():
    x, mediators, y, _ = simulated(n=80)
    first = bootstrap_indirect(x, mediators, y, n_boot=500, seed=1)
    np.testing.assert_array_equal(first, bootstrap_indirect(x, mediators, y, n_boot=500, seed=1))
    assert not np.array_equal(first, bootstrap_indirect(x, mediators, y, n_boot=500, seed=2))


def test_inestimable_resample_gives_nan_not_an_error():
    x, mediators, y, covariates = simulated(n=20, n_mediators=2, n_covariates=1)
    zeros = np.flatnonzero(x == 0)
    indices = np.vstack([np.resize(zeros, 20), np.arange(20)])  # x constant in the first
    for k_mediators, cov in ((1, None), (2, covariates)):
        out = bootstrap_indirect(x, mediators[:, :k_mediators], y, covariates=cov, indices=indices)
        assert np.isnan(out[0]).all() and np.isfinite(out[1]).all()


def test_percentile_interval_matches_order_statistics():
    boot = np.random.default_rng(4).normal(size=(4001, 2))
    low, high = percentile_interval(boot, 0.95)
    # with 4001 values numpy's linear quantile at 2.5% is exactly the 101st smallest
    np.testing.assert_allclose(low, np.sort(boot, axis=0)[100], rtol=1e-12)
    np.testing.assert_allclose(high, np.sort(boot, axis=0)[3900], rtol=1e-12)


def test_bias_corrected_interval_shifts_towards_the_estimate():
    boot = np.random.default_rng(6).normal(size=(5000, 1))
    centred = bias_corrected_interval(boot, np.median(boot, axis=0), 0.95)
    plain = percentile_interval(boot, 0.95)
    np.testing.assert_allclose(np.ravel(centred), np.ravel(plain), atol=0.02)
    shifted = bias_corrected_interval(boot, np.array([0.5]), 0.95)  # 69% of draws below
    assert shifted[0][0] > plain[0][0] + 0.3 and shifted[1][0] > plain[1][0]


def test_bad_indices_are_refused():
    x, mediators, y, _ = simulated(n=10)
    with pytest.raises(ValueError, match="between 0 and 9"):
        bootstrap_indirect(x, mediators, y, indices=np.full((2, 10), 10))
    with pytest.raises(ValueError, match="2-D integer"):
        bootstrap_indirect(x, mediators, y, indices=np.zeros(10))
    with pytest.raises(ValueError, match="n_boot"):
        bootstrap_indirect(x, mediators, y, n_boot=0)
    with pytest.raises(ValueError, match="one value per case"):
        bootstrap_indirect(x[:5], mediators, y, n_boot=10)


@pytest.mark.parametrize("n_sets,n,n_boot", [(7, 30, 50), (4, 70, 900), (3, 140, 1000)])
def test_batched_sums_equal_one_data_set_at_a_time(n_sets, n, n_boot):
    # whole data sets per block (small), one per block, and one chunked over several blocks
    from analysis._bootstrap import bootstrap_sums, iter_batched_resample_indices, iter_bootstrap_sums_batched

    variables = np.random.default_rng(1).normal(size=(n_sets, n, 3))
    variables -= variables.mean(axis=1, keepdims=True)
    per_set = [[] for _ in range(n_sets)]
    for first, stop, _, block in iter_batched_resample_indices(n_sets, n, n_boot, np.random.default_rng(5)):
        for index in range(first, stop):
            per_set[index].append(block[(index - first) * n_boot : (index - first + 1) * n_boot] if stop - first > 1 else block)
    reference = np.stack([bootstrap_sums(variables[i], iter(per_set[i]), n_boot)[0] for i in range(n_sets)])
    for group in (None, 1, 2):
        pieces = list(iter_bootstrap_sums_batched(variables, n_boot, np.random.default_rng(5), group))
        assert [start for start, _ in pieces] == list(np.cumsum([0] + [len(s) for _, s in pieces[:-1]]))
        np.testing.assert_allclose(np.concatenate([s for _, s in pieces]), reference, rtol=1e-12, atol=1e-9)
