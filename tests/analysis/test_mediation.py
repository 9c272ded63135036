"""analysis.mediation against statsmodels, pingouin, published values and a coverage simulation."""

import dataclasses
import pickle

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
import statsmodels.api as sm

from analysis import mediation
from analysis._bootstrap import bootstrap_indirect, percentile_interval


def webcare_like(n=140, seed=0, a=0.5, b=0.4, c_prime=0.1):
    rng = np.random.default_rng(seed)
    channel = np.repeat(["private", "public"], n // 2)
    x = (channel == "public").astype(float)
    age = rng.normal(35, 10, n)
    pk = 2.5 + a * x + 0.01 * age + rng.normal(size=n)
    pk2 = 1.0 - 0.3 * x + rng.normal(size=n)
    attitude = 4 + b * pk + 0.2 * pk2 + c_prime * x + rng.normal(size=n)
    return pd.DataFrame({"channel": channel, "x": x, "pk": pk, "pk2": pk2, "age": age, "attitude": attitude})


def ols_row(result, column):
    """coef, se, t, p, ci_low, ci_high of one statsmodels coefficient."""
    low, high = result.conf_int(0.05).loc[column]
    return [result.params[column], result.bse[column], result.tvalues[column], result.pvalues[column], low, high]


def test_paths_equal_statsmodels_ols_single_mediator():
    data = webcare_like()
    result = mediation(data, x="x", m="pk", y="attitude", n_boot=200, seed=1)
    fit_a = sm.OLS.from_formula("pk ~ x", data).fit()
    fit_full = sm.OLS.from_formula("attitude ~ x + pk", data).fit()
    fit_total = sm.OLS.from_formula("attitude ~ x", data).fit()
    expected = [ols_row(fit_a, "x"), ols_row(fit_full, "pk"), ols_row(fit_total, "x"), ols_row(fit_full, "x")]
    np.testing.assert_allclose(result.paths.loc[["a", "b", "c", "c_prime"]].to_numpy(), expected, rtol=1e-10, atol=1e-13)
    assert list(result.paths.columns) == ["coef", "se", "t", "p", "ci_low", "ci_high"]


def test_parallel_mediators_and_covariates_equal_ols():
    data = webcare_like(seed=4)
    result = mediation(data, x="channel", m=["pk", "pk2"], y="attitude", covariates="age", n_boot=300, seed=2)
    assert list(result.paths.index) == ["a[pk]", "a[pk2]", "b[pk]", "b[pk2]", "c", "c_prime"]
    full = sm.OLS.from_formula("attitude ~ x + pk + pk2 + age", data).fit()
    for mediator in ("pk", "pk2"):
        fit_a = sm.OLS.from_formula(f"{mediator} ~ x + age", data).fit()
        np.testing.assert_allclose(result.paths.loc[f"a[{mediator}]"], ols_row(fit_a, "x"), rtol=1e-10)
        np.testing.assert_allclose(result.paths.loc[f"b[{mediator}]"], ols_row(full, mediator), rtol=1e-10)
    np.testing.assert_allclose(result.paths.loc["c_prime"], ols_row(full, "x"), rtol=1e-10)
    total = sm.OLS.from_formula("attitude ~ x + age", data).fit()
    np.testing.assert_allclose(result.paths.loc["c"], ols_row(total, "x"), rtol=1e-10)
    effects = result.paths["coef"]
    specific = [effects["a[pk]"] * effects["b[pk]"], effects["a[pk2]"] * effects["b[pk2]"]]
    np.testing.assert_allclose(result.indirect["effect"], [*specific, sum(specific)], rtol=1e-10)
    # the total indirect effect is c - c' in OLS model 4 (Hayes 2018, eq. 5.7)
    np.testing.assert_allclose(sum(specific), effects["c"] - effects["c_prime"], rtol=1e-10)
    np.testing.assert_allclose(result.boot_indirect.sum(axis=1).std(ddof=1), result.indirect.loc["total", "boot_se"], rtol=1e-12)
    assert result.boot_indirect.shape == (300, 2)


def test_published_pingouin_example_values():
    # pingouin documentation, mediation_analysis, example 1 (data "mediation", x=X, m=M, y=Y):
    # M ~ X 0.561015 (se 0.094480), Total 0.396126 (se 0.111160),
    # Direct 0.039604 (se 0.109648), Indirect 0.356522. Printed to 6 decimals: tolerance 1e-6.
    data = pg.read_dataset("mediation")
    result = mediation(data, x="X", m="M", y="Y", n_boot=500, seed=42)
    np.testing.assert_allclose(result.paths.loc["a", ["coef", "se"]], [0.561015, 0.094480], atol=1e-6)
    np.testing.assert_allclose(result.paths.loc["c", ["coef", "se"]], [0.396126, 0.111160], atol=1e-6)
    np.testing.assert_allclose(result.paths.loc["c_prime", ["coef", "se"]], [0.039604, 0.109648], atol=1e-6)
    assert result.indirect.loc["M", "effect"] == pytest.approx(0.356522, abs=1e-6)
    # example 4, covariates Mbin and Ybin (3 decimals): M ~ X 0.559, Direct 0.064, Indirect 0.356
    with_covariates = mediation(data, x="X", m="M", y="Y", covariates=["Mbin", "Ybin"], n_boot=200, seed=1)
    assert with_covariates.paths.loc["a", "coef"] == pytest.approx(0.559, abs=5e-4)
    assert with_covariates.paths.loc["c_prime", "coef"] == pytest.approx(0.064, abs=5e-4)
    assert with_covariates.indirect.loc["M", "effect"] == pytest.approx(0.356, abs=5e-4)


def test_against_pingouin_run_point_estimates_and_intervals():
    data = webcare_like(seed=9)
    ours = mediation(data, x="x", m="pk", y="attitude", n_boot=5000, ci_method="bc", seed=3)
    theirs = pg.mediation_analysis(data=data, x="x", m="pk", y="attitude", n_boot=5000, seed=3).set_index("path")
    assert ours.paths.loc["a", "coef"] == pytest.approx(theirs.loc["pk ~ X", "coef"], abs=1e-8)
    assert ours.paths.loc["c", "coef"] == pytest.approx(theirs.loc["Total", "coef"], abs=1e-8)
    assert ours.paths.loc["c_prime", "coef"] == pytest.approx(theirs.loc["Direct", "coef"], abs=1e-8)
    assert ours.indirect.loc["pk", "effect"] == pytest.approx(theirs.loc["Indirect", "coef"], abs=1e-8)
    # Different random draws: a 2.5% quantile of B = 5000 draws has a Monte Carlo SE of about
    # sqrt(.025 * .975 / B) / phi(1.96) = 0.038 bootstrap SDs; the difference of two runs
    # 0.054 SDs. The bias correction adds a little; we allow 5 such SEs (0.27 SD).
    tolerance = 0.27 * ours.indirect.loc["pk", "boot_se"]
    assert ours.indirect.loc["pk", "ci_low"] == pytest.approx(theirs.loc["Indirect", "CI2.5"], abs=tolerance)
    assert ours.indirect.loc["pk", "ci_high"] == pytest.approx(theirs.loc["Indirect", "CI97.5"], abs=tolerance)
    assert ours.indirect.loc["pk", "boot_se"] == pytest.approx(theirs.loc["Indirect", "se"], rel=0.06)


def test_percentile_and_bias_corrected_intervals_use_the_same_draws():
    data = webcare_like(seed=5)
    percentile = mediation(data, x="x", m="pk", y="attitude", n_boot=2000, seed=8)
    corrected = mediation(data, x="x", m="pk", y="attitude", n_boot=2000, seed=8, ci_method="bc")
    np.testing.assert_array_equal(percentile.boot_indirect, corrected.boot_indirect)
    boot = percentile.boot_indirect[:, 0]
    assert percentile.indirect.loc["pk", "ci_low"] == pytest.approx(np.quantile(boot, 0.025), rel=1e-12)
    assert percentile.indirect.loc["pk", "ci_high"] == pytest.approx(np.quantile(boot, 0.975), rel=1e-12)
    share_below = np.mean(boot < percentile.indirect.loc["pk", "effect"])
    shift = np.sign(share_below - 0.5)  # bc moves both bounds the way the median is off
    assert shift * (corrected.indirect.loc["pk", "ci_low"] - percentile.indirect.loc["pk", "ci_low"]) >= 0
    wider = mediation(data, x="x", m="pk", y="attitude", n_boot=2000, seed=8, ci=0.99)
    assert wider.indirect.loc["pk", "ci_low"] < percentile.indirect.loc["pk", "ci_low"]


def test_sobel_test_follows_the_formula():
    data = webcare_like(seed=6)
    result = mediation(data, x="x", m="pk", y="attitude", n_boot=100, seed=1)
    a, se_a = sm.OLS.from_formula("pk ~ x", data).fit().params["x"], sm.OLS.from_formula("pk ~ x", data).fit().bse["x"]
    full = sm.OLS.from_formula("attitude ~ x + pk", data).fit()
    b, se_b = full.params["pk"], full.bse["pk"]
    se = np.sqrt(b**2 * se_a**2 + a**2 * se_b**2)  # Sobel (1982), first-order
    from scipy.stats import norm

    np.testing.assert_allclose(result.sobel.loc["pk"], [a * b, se, a * b / se, 2 * norm.sf(abs(a * b / se))], rtol=1e-10)


def test_standardized_effects_equal_regressions_on_standardized_data():
    data = webcare_like(seed=7)
    result = mediation(data, x="x", m="pk", y="attitude", n_boot=500, seed=2)
    z = (data[["x", "pk", "attitude"]] - data[["x", "pk", "attitude"]].mean()) / data[["x", "pk", "attitude"]].std()
    a = sm.OLS.from_formula("pk ~ x", z).fit().params["x"]
    b = sm.OLS.from_formula("attitude ~ x + pk", z).fit().params["pk"]
    assert result.standardized.loc["pk", "complete"] == pytest.approx(a * b, rel=1e-10)
    partial = result.indirect.loc["pk", "effect"] / data["attitude"].std()
    assert result.standardized.loc["pk", "partial"] == pytest.approx(partial, rel=1e-10)
    row = result.standardized.loc["pk"]
    assert row["partial_ci_low"] < row["partial"] < row["partial_ci_high"]


def test_categorical_x_is_coded_and_recorded():
    data = webcare_like(seed=3)
    default = mediation(data, x="channel", m="pk", y="attitude", n_boot=200, seed=1)
    numeric = mediation(data, x="x", m="pk", y="attitude", n_boot=200, seed=1)
    assert default.x_coding == {"private": 0, "public": 1} and numeric.x_coding is None
    pd.testing.assert_frame_equal(default.paths, numeric.paths)
    np.testing.assert_array_equal(default.boot_indirect, numeric.boot_indirect)
    reversed_ = mediation(data, x="channel", m="pk", y="attitude", n_boot=200, seed=1, x_coding={"public": 0, "private": 1})
    np.testing.assert_allclose(reversed_.paths.loc[["a", "c", "c_prime"], "coef"], -default.paths.loc[["a", "c", "c_prime"], "coef"], rtol=1e-10)
    assert "{'public': 0, 'private': 1}" in reversed_.summary()
    # a numeric 1/2 column coded to 0/1 gives the 0/1 results; levels match as numbers or as text
    data["x12"], data["x12_text"] = data["x"] + 1, (data["x"] + 1).astype(int).astype(str)
    for column in ("x12", "x12_text"):
        coded = mediation(data, x=column, m="pk", y="attitude", n_boot=200, seed=1, x_coding={1: 0, 2: 1})
        pd.testing.assert_frame_equal(coded.paths, numeric.paths)


def test_listwise_deletion_reports_n():
    data = webcare_like(seed=2)
    data.loc[[0, 5], "pk"] = np.nan
    data.loc[7, "attitude"] = np.nan
    result = mediation(data, x="x", m="pk", y="attitude", n_boot=200, seed=1)
    assert (result.n, result.n_dropped) == (137, 3)
    complete = mediation(data.dropna(subset=["pk", "attitude"]), x="x", m="pk", y="attitude", n_boot=200, seed=1)
    pd.testing.assert_frame_equal(result.paths, complete.paths)
    assert "n = 137 (dropped for missing values: 3)" in result.summary()


def test_seed_reproduces_and_differs_and_is_recorded():
    data = webcare_like(seed=1)
    first = mediation(data, x="x", m="pk", y="attitude", n_boot=500, seed=10)
    again = mediation(data, x="x", m="pk", y="attitude", n_boot=500, seed=10)
    other = mediation(data, x="x", m="pk", y="attitude", n_boot=500, seed=11)
    np.testing.assert_array_equal(first.boot_indirect, again.boot_indirect)
    assert not np.array_equal(first.boot_indirect, other.boot_indirect)
    drawn = mediation(data, x="x", m="pk", y="attitude", n_boot=200)
    replay = mediation(data, x="x", m="pk", y="attitude", n_boot=200, seed=drawn.seed)
    np.testing.assert_array_equal(drawn.boot_indirect, replay.boot_indirect)
    assert (first.seed, first.n_boot, first.ci, first.ci_method) == (10, 500, 0.95, "percentile")


def test_to_frame_and_summary():
    result = mediation(webcare_like(), x="x", m=["pk", "pk2"], y="attitude", n_boot=200, seed=1)
    frame = result.to_frame()
    assert list(frame.columns) == ["kind", "estimate", "se", "ci_low", "ci_high", "p"]
    assert list(frame.index[-3:]) == ["indirect[pk]", "indirect[pk2]", "indirect[total]"]
    assert frame.loc["indirect[total]", "estimate"] == pytest.approx(result.indirect.loc["total", "effect"])
    text = result.summary()
    for fragment in ("Hayes model 4", "a[pk2]", "c_prime", "total", "Sobel", "200 resamples"):
        assert fragment in text


def test_percentile_interval_covers_the_true_indirect_effect_in_about_95_percent():
    # 1000 simulated data sets (n = 100, a = b = 0.4, c' = 0.2, unit normal errors; true ab = 0.16),
    # 1000 resamples each. Binomial SE of a 95% coverage over 1000 sets: sqrt(.95 * .05 / 1000)
    # = 0.0069; the accepted band 0.93-0.97 is +-2.9 SE.
    rng = np.random.default_rng(2024)
    n, sets, covered = 100, 1000, 0
    for _ in range(sets):
        x = np.repeat([0.0, 1.0], n // 2)
        m = 0.4 * x + rng.normal(size=n)
        y = 0.4 * m + 0.2 * x + rng.normal(size=n)
        boot = bootstrap_indirect(x, m, y, n_boot=1000, seed=rng.integers(2**63))
        low, high = percentile_interval(boot, 0.95)
        covered += bool(low[0] <= 0.16 <= high[0])
    assert 0.93 <= covered / sets <= 0.97


@pytest.mark.parametrize(
    "change,message",
    [
        (dict(m="channel"), "not numeric"),
        (dict(x="constant"), "constant"),
        (dict(x="three"), "3 levels"),
        (dict(n_boot=0), "n_boot"),
        (dict(ci=95), "between 0 and 1"),
        (dict(ci_method="bca"), "ci_method"),
        (dict(y="nope"), "not in the data"),
        (dict(m=["pk", "pk"]), "different columns"),
        (dict(x="channel", x_coding={"public": 1}), "does not code"),
        (dict(seed=-1), "seed"),
    ],
)
def test_bad_input_raises_a_clear_value_error(change, message):
    data = webcare_like()
    data["constant"] = 1.0
    data["three"] = np.resize(["a", "b", "c"], len(data))
    arguments = dict(data=data, x="x", m="pk", y="attitude", n_boot=100, seed=1) | change
    with pytest.raises(ValueError, match=message):
        mediation(**arguments)


def test_result_is_frozen_and_builds_its_derived_tables_once_from_stored_state():
    result = mediation(webcare_like(seed=8), x="x", m=["pk", "pk2"], y="attitude", covariates="age", n_boot=300, seed=3)
    assert dataclasses.is_dataclass(result)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.n = 1
    assert "sobel" not in vars(result) and "standardized" not in vars(result)
    assert result.sobel is result.sobel and result.standardized is result.standardized
    # a copy holds only the stored fields, and builds the same tables from them
    copy = pickle.loads(pickle.dumps(dataclasses.replace(result)))
    pd.testing.assert_frame_equal(copy.sobel, result.sobel, check_exact=True)
    pd.testing.assert_frame_equal(copy.standardized, result.standardized, check_exact=True)
    assert list(copy.standardized.index) == ["pk", "pk2", "total"] and list(copy.sobel.index) == ["pk", "pk2"]
