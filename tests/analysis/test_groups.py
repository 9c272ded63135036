"""Tests of analysis.groups against published R output, pingouin and scipy."""

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats

from analysis.groups import bayes_factor_t, cohen_d_interval, compare_groups


def by_name(table, column, name):
    return table.set_index(column).loc[name]


def test_sleep_t_tests_match_r(sleep):
    # R 4.x, ?t.test example: t.test(extra ~ group, data = sleep) prints
    #   t = -1.8608, df = 17.776, p-value = 0.07939
    #   95 percent confidence interval: -3.3654832  0.2054832
    # and with var.equal = TRUE:
    #   t = -1.8608, df = 18, p-value = 0.07919
    #   95 percent confidence interval: -3.363874  0.203874
    # Tolerance: half a unit in the last printed digit.
    result = compare_groups(sleep, "extra", "group")
    assert result.groups == ("1", "2")
    welch = by_name(result.tests, "test", "welch")
    student = by_name(result.tests, "test", "student")
    assert welch["statistic"] == pytest.approx(-1.8608, abs=5e-5)
    assert welch["df"] == pytest.approx(17.776, abs=5e-4)
    assert welch["p"] == pytest.approx(0.07939, abs=5e-6)
    assert student["df"] == 18.0 and student["p"] == pytest.approx(0.07919, abs=5e-6)
    welch_diff = by_name(result.effects, "effect", "mean_difference_welch")
    assert welch_diff["estimate"] == pytest.approx(0.75 - 2.33, abs=1e-12)
    assert welch_diff["ci_low"] == pytest.approx(-3.3654832, abs=5e-8)
    assert welch_diff["ci_high"] == pytest.approx(0.2054832, abs=5e-8)
    student_diff = by_name(result.effects, "effect", "mean_difference_student")
    assert (student_diff["ci_low"], student_diff["ci_high"]) == pytest.approx((-3.363874, 0.203874), abs=5e-7)
    assert list(result.tests.columns) == ["test", "statistic", "df", "p"]
    assert list(result.effects.columns) == ["effect", "estimate", "ci_low", "ci_high"]


def test_t_tests_and_effect_sizes_match_pingouin(plant_growth):
    data = plant_growth[plant_growth["group"] != "ctrl"]
    result = compare_groups(data, "weight", "group")
    x = data.loc[data["group"] == "trt1", "weight"]
    y = data.loc[data["group"] == "trt2", "weight"]
    for test, correction in [("student", False), ("welch", True)]:
        theirs = pg.ttest(x, y, correction=correction).iloc[0]
        ours = by_name(result.tests, "test", test)
        assert ours["statistic"] == pytest.approx(theirs["T"], rel=1e-10)
        assert ours["df"] == pytest.approx(theirs["dof"], rel=1e-10)
        assert ours["p"] == pytest.approx(theirs["p_val"], rel=1e-8)
    assert by_name(result.effects, "effect", "cohen_d")["estimate"] == pytest.approx(
        pg.compute_effsize(x, y, eftype="cohen"), rel=1e-10)
    assert by_name(result.effects, "effect", "hedges_g")["estimate"] == pytest.approx(
        pg.compute_effsize(x, y, eftype="hedges"), rel=1e-10)


def test_cohen_d_interval_matches_effectsize_for_sleep(sleep):
    # R effectsize (Ben-Shachar et al. 2020), documentation of cohens_d():
    # cohens_d(extra ~ group, data = sleep) prints d = -0.83, 95% CI [-1.74, 0.10]
    # (noncentral t interval). Tolerance: half a unit in the last digit.
    d = by_name(compare_groups(sleep, "extra", "group").effects, "effect", "cohen_d")
    assert d["estimate"] == pytest.approx(-0.83, abs=0.005)
    assert (d["ci_low"], d["ci_high"]) == pytest.approx((-1.74, 0.10), abs=0.005)


def test_cohen_d_interval_inverts_the_noncentral_t():
    low, high = cohen_d_interval(0.4, 30, 45, ci=0.90)
    root = np.sqrt(30 * 45 / 75)
    assert stats.nct.sf(0.4 * root, 73, low * root) == pytest.approx(0.05, abs=1e-9)
    assert stats.nct.cdf(0.4 * root, 73, high * root) == pytest.approx(0.05, abs=1e-9)


def test_cohen_d_interval_approaches_normal_approximation_in_large_samples():
    # With 1000 per group the noncentral and normal-approximation intervals
    # (pingouin.compute_esci, Hedges & Olkin 1985) agree to about 0.005.
    low, high = cohen_d_interval(0.3, 1000, 1000)
    theirs = pg.compute_esci(stat=0.3, nx=1000, ny=1000, eftype="cohen", decimals=6)
    assert (low, high) == pytest.approx(tuple(theirs), abs=0.005)


def test_cohen_d_interval_survives_huge_effects():
    low, high = cohen_d_interval(8.0, 4, 4)
    assert 0 < low < 8.0 < high < np.inf


def test_bayes_factor_matches_pingouin(sleep):
    result = compare_groups(sleep, "extra", "group")
    t = by_name(result.tests, "test", "student")["statistic"]
    assert result.bf10 == pytest.approx(pg.bayesfactor_ttest(t, 10, 10, r=0.707), rel=1e-6)
    assert result.r_scale == 0.707


def test_bayes_factor_matches_bayesfactor_package_on_paired_sleep(sleep):
    # R BayesFactor (Morey & Rouder), ?ttestBF example:
    # ttestBF(x = sleep$extra[1:10], y = sleep$extra[11:20], paired = TRUE)
    # prints "Alt., r=0.707 : 17.25888" (rscale "medium" = sqrt(2)/2).
    # A paired test is the one-sample test of the differences.
    differences = sleep["extra"].iloc[:10].to_numpy() - sleep["extra"].iloc[10:].to_numpy()
    t = stats.ttest_1samp(differences, 0).statistic
    assert bayes_factor_t(t, 10, r_scale=np.sqrt(2) / 2) == pytest.approx(17.25888, abs=5e-6)


def test_bayes_factor_behaviour():
    # Symmetric in the sign of t, growing with |t|, below 1 at t = 0 and
    # finite (and accurate) for very large t, where naive integration fails.
    assert bayes_factor_t(2.0, 30, 30) == pytest.approx(bayes_factor_t(-2.0, 30, 30), rel=1e-10)
    assert bayes_factor_t(0.0, 30, 30) < bayes_factor_t(1.0, 30, 30) < bayes_factor_t(3.0, 30, 30)
    assert bayes_factor_t(0.0, 500, 500) < 1 / 3
    # Reference: mpmath.quad of Rouder et al.'s eq. 1 at 30 digits (N = 250,
    # v = 998, r = 0.707) gives 2.4223074940268e137.
    assert bayes_factor_t(30.0, 500, 500) == pytest.approx(2.4223074940268e137, rel=1e-8)


def test_tost_matches_pingouin_in_raw_units(plant_growth):
    data = plant_growth[plant_growth["group"] != "trt2"]
    result = compare_groups(data, "weight", "group", equivalence_bounds=0.5, bounds_in="raw")
    x = data.loc[data["group"] == "ctrl", "weight"]
    y = data.loc[data["group"] == "trt1", "weight"]
    theirs = pg.tost(x, y, bound=0.5, correction=True).iloc[0]
    tost = by_name(result.tests, "test", "tost")
    assert tost["p"] == pytest.approx(theirs["pval"], rel=1e-8)
    assert tost["df"] == pytest.approx(theirs["dof"], rel=1e-10)
    lower, upper = by_name(result.tests, "test", "tost_lower"), by_name(result.tests, "test", "tost_upper")
    assert tost["p"] == max(lower["p"], upper["p"])
    assert result.bounds_raw == (-0.5, 0.5)


def test_tost_bounds_in_d_units_use_pooled_sd(sleep):
    result = compare_groups(sleep, "extra", "group", equivalence_bounds=(-0.4, 0.3))
    x, y = sleep["extra"].iloc[:10], sleep["extra"].iloc[10:]
    pooled = np.sqrt((x.var() + y.var()) / 2)  # equal n: pooled variance is the mean
    assert result.bounds_raw == pytest.approx((-0.4 * pooled, 0.3 * pooled), rel=1e-12)
    assert result.bounds_d == pytest.approx((-0.4, 0.3), rel=1e-12)
    # the sleep difference (d = -0.83) is far outside +/-0.4: no equivalence
    assert by_name(result.tests, "test", "tost")["p"] > 0.5


def test_equivalence_declared_for_identical_large_groups():
    rng = np.random.default_rng(11)
    values = rng.normal(0, 1, 400)
    data = pd.DataFrame({"y": np.concatenate([values, values + 0.01]), "g": ["a"] * 400 + ["b"] * 400})
    result = compare_groups(data, "y", "g", equivalence_bounds=0.3)
    assert by_name(result.tests, "test", "tost")["p"] < 1e-3
    assert result.bf10 < 1 / 10


def test_group_order_follows_categories(sleep):
    data = sleep.assign(group=pd.Categorical(sleep["group"], categories=["2", "1"]))
    result = compare_groups(data, "extra", "group")
    assert result.groups == ("2", "1")
    assert by_name(result.effects, "effect", "cohen_d")["estimate"] > 0
    assert result.descriptives["group"].tolist() == ["2", "1"]


def test_missing_rows_are_dropped_and_counted(sleep):
    data = sleep.copy()
    data.loc[[0, 12], "extra"] = np.nan
    result = compare_groups(data, "extra", "group")
    assert result.n_dropped == 2
    assert result.descriptives["n"].tolist() == [9, 9]


def test_error_messages(plant_growth, sleep):
    with pytest.raises(ValueError, match="exactly two groups to compare; found 3: 'ctrl', 'trt1', 'trt2'"):
        compare_groups(plant_growth, "weight", "group")
    with pytest.raises(ValueError, match="found 1: 'ctrl'"):
        compare_groups(plant_growth[plant_growth["group"] == "ctrl"], "weight", "group")
    with pytest.raises(ValueError, match="`bounds_in` must be 'd'"):
        compare_groups(sleep, "extra", "group", 0.3, bounds_in="sd")
    with pytest.raises(ValueError, match="lower bound must be below the upper bound"):
        compare_groups(sleep, "extra", "group", (0.3, -0.3))
    with pytest.raises(ValueError, match="must be positive"):
        compare_groups(sleep, "extra", "group", -0.3)
    with pytest.raises(ValueError, match="column 'extra' is constant"):
        compare_groups(sleep.assign(extra=1.0), "extra", "group")
    no_spread = pd.DataFrame({"extra": [1.0, 1.0, 2.0, 2.0], "group": ["1", "1", "2", "2"]})
    with pytest.raises(ValueError, match="no variance within the groups of 'group'"):
        compare_groups(no_spread, "extra", "group")
    with pytest.raises(ValueError, match="`r_scale` must be a positive number"):
        compare_groups(sleep, "extra", "group", r_scale=0)


def test_swapping_group_order_flips_signs_only(sleep):
    forward = compare_groups(sleep, "extra", "group", equivalence_bounds=0.5)
    reverse = compare_groups(sleep.assign(group=pd.Categorical(sleep["group"], categories=["2", "1"])),
                             "extra", "group", equivalence_bounds=0.5)
    np.testing.assert_allclose(reverse.effects["estimate"], -forward.effects["estimate"], rtol=1e-12)
    np.testing.assert_allclose(reverse.effects["ci_low"], -forward.effects["ci_high"], rtol=1e-9)
    p_forward, p_reverse = forward.tests.set_index("test")["p"], reverse.tests.set_index("test")["p"]
    for test in ("student", "welch", "tost"):
        assert p_reverse[test] == pytest.approx(p_forward[test], rel=1e-9)
    # the lower bound of one order is the upper bound of the other
    assert p_reverse["tost_lower"] == pytest.approx(p_forward["tost_upper"], rel=1e-9)
    assert reverse.bf10 == pytest.approx(forward.bf10, rel=1e-10)


@pytest.mark.parametrize("alternative", ["greater", "less", "two-sided"])
def test_one_sided_t_tests_match_scipy(sleep, plant_growth, alternative):
    # Reference: scipy.stats.ttest_ind(x, y, equal_var=..., alternative=...), group 1 first.
    # Tolerance 1e-12: the same t distribution, computed by a different code path.
    for data, dv, between in ((sleep, "extra", "group"), (plant_growth, "weight", "group")):
        two = data.loc[data[between].isin(sorted(data[between].unique())[:2])]
        result = compare_groups(two, dv, between, alternative=alternative)
        first, second = (two.loc[two[between] == g, dv].to_numpy(float) for g in result.groups)
        for test, equal_var in (("student", True), ("welch", False)):
            expected = stats.ttest_ind(first, second, equal_var=equal_var, alternative=alternative)
            row = by_name(result.tests, "test", test)
            assert row["statistic"] == pytest.approx(expected.statistic, abs=1e-12)
            assert row["p"] == pytest.approx(expected.pvalue, rel=1e-12, abs=1e-15)
        assert result.alternative == alternative
        assert (result.bf_directional is None) == (alternative == "two-sided")


def test_one_sided_leaves_intervals_tost_and_two_sided_bf_alone(sleep):
    two_sided = compare_groups(sleep, "extra", "group", equivalence_bounds=0.5)
    less = compare_groups(sleep, "extra", "group", equivalence_bounds=0.5, alternative="less")
    pd.testing.assert_frame_equal(two_sided.effects, less.effects)
    tost = lambda r: r.tests.set_index("test").loc[["tost_lower", "tost_upper", "tost"]]  # noqa: E731
    pd.testing.assert_frame_equal(tost(two_sided), tost(less))
    assert less.bf10 == two_sided.bf10
    # sleep: group 1 is lower (t = -1.86), so the "less" direction halves the two-sided p value
    assert by_name(less.tests, "test", "student")["p"] == pytest.approx(
        by_name(two_sided.tests, "test", "student")["p"] / 2, rel=1e-12)
    with pytest.raises(ValueError, match="alternative"):
        compare_groups(sleep, "extra", "group", alternative="bigger")


def _half_cauchy_bf(t, n1, n2, r_scale=0.707):
    """BF+0 by another route: the noncentral t likelihood of the effect δ averaged over the
    half-Cauchy prior on δ > 0, over the central t density (Morey & Wagenmakers, 2014)."""
    from scipy import integrate

    n_effective, df = n1 * n2 / (n1 + n2), n1 + n2 - 2
    likelihood = lambda d: stats.nct.pdf(t, df, d * np.sqrt(n_effective)) * 2 * stats.cauchy.pdf(d, scale=r_scale)  # noqa: E731
    return integrate.quad(likelihood, 0, np.inf, epsabs=0, epsrel=1e-10, limit=500)[0] / stats.t.pdf(t, df)


@pytest.mark.parametrize("n1, n2", [(5, 4), (10, 10), (40, 55), (70, 68)])  # scipy's nct gives NaN for df ~ 200, t < 0
@pytest.mark.parametrize("t", [-4.0, -1.86, 0.0, 0.3, 2.1, 6.0])
def test_directional_bayes_factor_matches_the_noncentral_t_integral(t, n1, n2):
    # bayes_factor_t integrates over g with a t-distribution factor; the reference integrates
    # scipy's noncentral t density over δ. Agreement to 1e-8 relative (both are quadratures).
    assert bayes_factor_t(t, n1, n2, alternative="greater") == pytest.approx(_half_cauchy_bf(t, n1, n2), rel=1e-8)
    assert bayes_factor_t(t, n1, n2, alternative="less") == pytest.approx(_half_cauchy_bf(-t, n1, n2), rel=1e-8)


def test_directional_bayes_factors_average_to_bf10_and_stay_finite():
    # Morey & Wagenmakers (2014): BF10 = (BF+0 + BF-0) / 2, as the Cauchy is symmetric.
    for t, n1, n2 in [(3.5, 20, 20), (-2.1, 70, 68), (15.0, 200, 200), (-25.0, 2000, 2000)]:
        plus = bayes_factor_t(t, n1, n2, alternative="greater")
        minus = bayes_factor_t(t, n1, n2, alternative="less")
        assert np.isfinite(plus) and np.isfinite(minus)
        assert (plus + minus) / 2 == pytest.approx(bayes_factor_t(t, n1, n2), rel=1e-9)
    sleep_like = compare_groups(pd.DataFrame({"g": ["a"] * 10 + ["b"] * 10,
                                              "y": np.r_[np.arange(10.0), np.arange(10.0) + 2]}),
                                "y", "g", alternative="less")
    assert sleep_like.bf_directional > sleep_like.bf10  # the data lean the predicted way
