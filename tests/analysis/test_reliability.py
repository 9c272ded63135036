"""Tests of analysis.reliability: alpha against pingouin, omega against closed forms."""

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats

from analysis.reliability import ReliabilityResult, reliability

ITEMS = ["i1", "i2", "i3", "i4", "i5"]


def data_with_exact_covariance(covariance, n, seed):
    """Data whose sample covariance (ddof = 1) equals ``covariance`` exactly."""
    rng = np.random.default_rng(seed)
    raw = rng.normal(size=(n, len(covariance)))
    raw -= raw.mean(axis=0)
    whitened = raw @ np.linalg.inv(np.linalg.cholesky(np.cov(raw, rowvar=False))).T
    values = whitened @ np.linalg.cholesky(covariance).T + 3.0
    return pd.DataFrame(values, columns=ITEMS[: len(covariance)])


def one_factor_covariance(loadings, sds):
    raw_loadings = np.asarray(loadings) * sds
    unique = (1 - np.asarray(loadings) ** 2) * np.asarray(sds) ** 2
    return np.outer(raw_loadings, raw_loadings) + np.diag(unique), raw_loadings, unique


def congeneric_sample(n, seed, loadings=(0.8, 0.7, 0.6, 0.5, 0.4)):
    rng = np.random.default_rng(seed)
    loadings = np.asarray(loadings)
    factor = rng.normal(size=(n, 1))
    noise = rng.normal(size=(n, len(loadings))) * np.sqrt(1 - loadings**2)
    return pd.DataFrame(factor * loadings + noise, columns=ITEMS[: len(loadings)])


def test_alpha_and_feldt_interval_match_pingouin():
    data = congeneric_sample(150, seed=1)
    table = reliability(data, ITEMS, ci=0.90)
    alpha, interval = pg.cronbach_alpha(data=data[ITEMS], ci=0.90)
    assert table.loc[0, "alpha"] == pytest.approx(alpha, rel=1e-12)
    # pingouin rounds its interval to three decimals.
    assert table.loc[0, "alpha_ci_low"] == pytest.approx(interval[0], abs=5e-4 + 1e-12)
    assert table.loc[0, "alpha_ci_high"] == pytest.approx(interval[1], abs=5e-4 + 1e-12)
    assert list(table.columns) == ["alpha", "alpha_ci_low", "alpha_ci_high", "omega", "n_items", "n", "n_dropped"]


def test_alpha_matches_pingouin_on_its_questionnaire_data():
    # pingouin's "cronbach_alpha" data set (www.real-statistics.com example).
    long = pg.read_dataset("cronbach_alpha")
    wide = long.pivot_table(index="Subj", columns="Items", values="Scores")
    with pytest.warns(UserWarning, match="correlate negatively"):  # its item Q6 does
        table = reliability(wide, list(wide.columns))
    alpha, _ = pg.cronbach_alpha(data=long, items="Items", scores="Scores", subject="Subj")
    assert table.loc[0, "alpha"] == pytest.approx(alpha, rel=1e-10)


def test_omega_recovers_population_value_from_exact_covariance():
    # Closed form (McDonald 1999): for a one-factor population with raw
    # loadings l and unique variances u, omega = sum(l)^2 / (sum(l)^2 + sum(u)).
    # When the sample covariance equals that population covariance, the ML
    # fit is exact, so the estimate must equal the formula (tolerance 1e-6,
    # the optimizer's precision).
    loadings, sds = [0.9, 0.8, 0.7, 0.6, 0.5], [1.0, 2.0, 1.5, 0.8, 1.2]
    covariance, raw_loadings, unique = one_factor_covariance(loadings, sds)
    data = data_with_exact_covariance(covariance, n=200, seed=2)
    result = reliability(data, ITEMS, item_stats=True)
    expected = raw_loadings.sum() ** 2 / (raw_loadings.sum() ** 2 + unique.sum())
    assert result.summary.loc[0, "omega"] == pytest.approx(expected, abs=1e-6)
    np.testing.assert_allclose(result.items["loading"], loadings, atol=1e-4)
    # congeneric items: alpha is a lower bound, strictly below omega here
    assert result.summary.loc[0, "alpha"] < expected - 0.01


def test_omega_equals_alpha_for_tau_equivalent_items():
    # Equal raw loadings (tau-equivalence): alpha and omega coincide exactly.
    loadings = np.array([0.7, 0.5, 0.35, 0.7])
    sds = 0.6 / loadings  # raw loading 0.6 for every item, unequal error variances
    covariance, _, _ = one_factor_covariance(loadings, sds)
    data = data_with_exact_covariance(covariance, n=120, seed=3)
    table = reliability(data, ITEMS[:4])
    assert table.loc[0, "omega"] == pytest.approx(table.loc[0, "alpha"], abs=1e-6)


def test_omega_converges_to_population_value():
    # Large congeneric sample: the estimate lies within 0.01 of the population
    # omega (its standard error here is about 0.002).
    loadings = np.array([0.8, 0.7, 0.6, 0.5, 0.4])
    population = loadings.sum() ** 2 / (loadings.sum() ** 2 + (1 - loadings**2).sum())
    table = reliability(congeneric_sample(20_000, seed=4), ITEMS)
    assert table.loc[0, "omega"] == pytest.approx(population, abs=0.01)


def test_item_statistics_match_independent_computations():
    data = congeneric_sample(80, seed=5)
    result = reliability(data, ITEMS, item_stats=True)
    assert isinstance(result, ReliabilityResult)
    assert list(result.items.columns) == ["item", "mean", "sd", "item_total_r", "alpha_if_deleted", "loading"]
    for _, row in result.items.iterrows():
        others = [item for item in ITEMS if item != row["item"]]
        r, _ = stats.pearsonr(data[row["item"]], data[others].sum(axis=1))
        assert row["item_total_r"] == pytest.approx(r, rel=1e-10)
        alpha, _ = pg.cronbach_alpha(data=data[others])
        assert row["alpha_if_deleted"] == pytest.approx(alpha, rel=1e-10)


def test_two_items_give_alpha_but_no_omega():
    data = congeneric_sample(50, seed=6, loadings=(0.8, 0.7))
    table = reliability(data, ["i1", "i2"])
    assert np.isfinite(table.loc[0, "alpha"]) and np.isnan(table.loc[0, "omega"])


def test_incomplete_rows_are_dropped_and_counted():
    data = congeneric_sample(60, seed=7)
    data.loc[[1, 2], "i3"] = np.nan
    data.loc[5, "i1"] = np.nan
    table = reliability(data, ITEMS)
    assert (table.loc[0, "n"], table.loc[0, "n_dropped"]) == (57, 3)
    alpha, _ = pg.cronbach_alpha(data=data[ITEMS], nan_policy="listwise")
    assert table.loc[0, "alpha"] == pytest.approx(alpha, rel=1e-12)


def test_error_messages():
    data = congeneric_sample(30, seed=8)
    with pytest.raises(ValueError, match="at least two item columns"):
        reliability(data, ["i1"])
    with pytest.raises(ValueError, match="column 'i9' is not in the data"):
        reliability(data, ["i1", "i9"])
    with pytest.raises(ValueError, match="column 'i2' is constant"):
        reliability(data.assign(i2=4), ITEMS)
    with pytest.raises(ValueError, match="only 2 participant"):
        reliability(data.head(2), ITEMS)
    with pytest.raises(ValueError, match="more than once"):
        reliability(data, ["i1", "i1"])


def test_unrecoded_reverse_item_is_warned_about():
    data = congeneric_sample(100, seed=9)
    data["i4"] = 6 - data["i4"]  # a reverse-keyed item left as presented
    with pytest.warns(UserWarning, match="item\\(s\\) 'i4' correlate negatively"):
        table = reliability(data, ITEMS)
    assert table.loc[0, "alpha"] < reliability(congeneric_sample(100, seed=9), ITEMS).loc[0, "alpha"]
