"""analysis.power against statsmodels.stats.power, G*Power's published sample sizes and simulation."""

import numpy as np
import pytest
import statsmodels.api as sm
from statsmodels.stats.power import FTestAnovaPower, TTestIndPower

from analysis import power_anova, power_mediation, power_ttest, sample_size, sensitivity
from analysis.power import mediation_power_cells, paths_from_standardized, run_power_cell

SM_ALTERNATIVE = {"two-sided": "two-sided", "larger": "larger", "smaller": "smaller"}


@pytest.mark.parametrize("alternative", ["two-sided", "larger"])
@pytest.mark.parametrize("d,n,alpha", [(0.2, 50, 0.05), (0.5, 64, 0.05), (0.8, 20, 0.01), (0.35, 200, 0.10)])
def test_ttest_power_equals_statsmodels(d, n, alpha, alternative):
    expected = TTestIndPower().power(effect_size=d, nobs1=n, alpha=alpha, alternative=alternative)
    assert power_ttest(d=d, n_per_group=n, alpha=alpha, alternative=alternative) == pytest.approx(expected, rel=1e-8)


def test_smaller_alternative_mirrors_larger():
    assert power_ttest(d=-0.4, n_per_group=40, alternative="smaller") == pytest.approx(
        power_ttest(d=0.4, n_per_group=40, alternative="larger"), rel=1e-12
    )


@pytest.mark.parametrize("d", [0.2, 0.3, 0.5, 0.8])
def test_ttest_sample_size_is_the_smallest_n_reaching_the_power(d):
    n = power_ttest(d=d, power=0.80)
    continuous = TTestIndPower().solve_power(effect_size=d, alpha=0.05, power=0.80)
    assert n == int(np.ceil(continuous))
    assert power_ttest(d=d, n_per_group=n) >= 0.80 > power_ttest(d=d, n_per_group=n - 1)


def test_published_gpower_values():
    # G*Power 3.1 (Faul, Erdfelder, Lang & Buchner 2007; Faul et al. 2009), "t tests - means:
    # difference between two independent means", a priori: d = 0.5, alpha = .05 two-tailed,
    # power .80 -> n = 64 per group. Exact integers: no tolerance.
    assert sample_size(d=0.5) == 64
    # "F tests - ANOVA: fixed effects, omnibus, one-way": f = 0.25, alpha = .05, power .80,
    # 3 groups -> total N = 159.
    assert sample_size(f=0.25, k=3) == 159
    # Sensitivity with 70 per group, power .80, alpha .05 two-tailed: d = 0.48 (2 decimals).
    assert sensitivity(n_per_group=70) == pytest.approx(0.48, abs=0.005)


def test_sensitivity_equals_statsmodels_solution():
    expected = TTestIndPower().solve_power(effect_size=None, nobs1=70, alpha=0.05, power=0.80)
    assert power_ttest(n_per_group=70, power=0.80) == pytest.approx(expected, rel=1e-5)
    f_expected = FTestAnovaPower().solve_power(effect_size=None, nobs=120, alpha=0.05, power=0.80, k_groups=4)
    assert sensitivity(n_total=120, k=4) == pytest.approx(f_expected, rel=1e-5)


@pytest.mark.parametrize("f,k,n", [(0.1, 2, 400), (0.25, 3, 159), (0.4, 4, 60)])
def test_anova_power_equals_statsmodels(f, k, n):
    expected = FTestAnovaPower().power(effect_size=f, nobs=n, alpha=0.05, k_groups=k)
    assert power_anova(f=f, k=k, n_total=n) == pytest.approx(expected, rel=1e-8)


def test_two_group_anova_is_the_two_sided_t_test():
    # f = d / 2 for two equal groups, and F = t^2
    assert power_anova(f=0.25, k=2, n_total=128) == pytest.approx(power_ttest(d=0.5, n_per_group=64), rel=1e-6)


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda: power_ttest(d=0.5), "all but one"),
        (lambda: power_ttest(d=0.5, n_per_group=20, power=0.8), "all but one"),
        (lambda: power_ttest(d=0.5, n_per_group=20, alpha=5), "alpha"),
        (lambda: power_ttest(d=0.5, n_per_group=20, alternative="greater"), "alternative"),
        (lambda: power_anova(f=0.25, n_total=90), "k"),
        (lambda: power_anova(f=0.25, k=3, n_total=3), "n_total"),
        (lambda: sample_size(d=0.5, f=0.25), "exactly one"),
        (lambda: power_mediation(0.3, 0.3, 0, 100, method="sobel"), "method"),
        (lambda: power_mediation(0.3, 0.3, 0, 4), "n"),
        (lambda: power_mediation("big", 0.3, 0, 100), "a"),
        (lambda: power_mediation(0.3, 0.3, 0, 100, sims=1), "sims"),
        (lambda: paths_from_standardized(0.9, 0.9, 0.5), "residual variance"),
    ],
)
def test_bad_input_raises_a_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_joint_significance_with_a_certain_b_matches_the_analytic_t_test_power():
    # With b large, b is always significant, so joint-significance power is the power of the
    # a path: with x coded 0/1 in equal groups that is the two-sample t test (d = a, n/2 per
    # group), computed analytically. 4000 simulated studies: Monte Carlo SE <= 0.008; we
    # allow 3.5 SE.
    grid = power_mediation(a=0.3, b=1.0, c_prime=0.0, n=140, sims=4000, method="joint", seed=5)
    expected = power_ttest(d=0.3, n_per_group=70)
    assert grid.loc[0, "power"] == pytest.approx(expected, abs=3.5 * grid.loc[0, "mcse"])


def test_methods_agree_and_power_grows_with_n():
    # Bootstrap, Monte Carlo interval and joint significance have nearly equal power for
    # one mediator (Schoemann, Boulton & Short 2017, Fig. 1). 1000 studies per cell: the
    # difference of two estimates has SE <= 0.022; we allow 0.07 (about 3 SE).
    rows = {
        method: power_mediation(0.4, 0.3, 0.1, [60, 160], sims=1000, n_boot=500, method=method, seed=11)
        for method in ("boot", "mc", "joint")
    }
    for method in ("mc", "joint"):
        np.testing.assert_allclose(rows[method]["power"], rows["boot"]["power"], atol=0.07)
    for frame in rows.values():
        assert frame.loc[1, "power"] > frame.loc[0, "power"] + 0.15


def test_no_effect_keeps_the_rejection_rate_at_or_below_alpha():
    # With a = b = 0 the percentile bootstrap of ab is known to be conservative (well below
    # alpha); the rate must not exceed alpha by more than 3 Monte Carlo SEs.
    grid = power_mediation(0.0, 0.0, 0.0, 100, sims=600, n_boot=400, seed=2)
    assert grid.loc[0, "power"] <= 0.05 + 3 * np.sqrt(0.05 * 0.95 / 600)


def test_seeding_reproduces_and_cells_do_not_depend_on_order():
    first = power_mediation([0.2, 0.5], 0.4, 0.0, [50, 90], sims=40, n_boot=100, seed=9)
    again = power_mediation([0.2, 0.5], 0.4, 0.0, [50, 90], sims=40, n_boot=100, seed=9)
    other = power_mediation([0.2, 0.5], 0.4, 0.0, [50, 90], sims=40, n_boot=100, seed=10)
    assert first.equals(again) and not first["power"].equals(other["power"])
    cells = mediation_power_cells([0.2, 0.5], 0.4, 0.0, [50, 90], sims=40, n_boot=100, seed=9)
    backwards = [run_power_cell(cell) for cell in reversed(cells)][::-1]
    assert [row["power"] for row in backwards] == first["power"].tolist()
    assert list(first[["a", "n"]].itertuples(index=False, name=None)) == [(0.2, 50), (0.2, 90), (0.5, 50), (0.5, 90)]
    assert first.attrs["seed"] == 9


def test_parallel_mediators_report_total_power():
    boot = power_mediation(0.4, 0.3, 0.0, 120, sims=200, n_boot=200, n_mediators=2, seed=4)
    assert {"power_total", "mcse_total"} <= set(boot.columns)
    assert boot.loc[0, "power_total"] >= boot.loc[0, "power"] - 0.05  # twice the indirect effect
    joint = power_mediation(0.4, 0.3, 0.0, 120, sims=200, n_mediators=2, method="joint", seed=4)
    assert np.isnan(joint.loc[0, "power_total"])


def test_standardized_paths_convert_to_the_simulated_model():
    a_s, b_s, c_s = 0.3, 0.25, 0.1
    a, b, c_prime = paths_from_standardized(a_s, b_s, c_s)
    rng = np.random.default_rng(0)
    n = 400_000
    x = np.repeat([0.0, 1.0], n // 2)
    m = a * x + rng.standard_normal(n)
    y = c_prime * x + b * m + rng.standard_normal(n)
    z = [(v - v.mean()) / v.std() for v in (x, m, y)]
    fitted_a = sm.OLS(z[1], z[0]).fit().params[0]
    fitted_c, fitted_b = sm.OLS(z[2], np.column_stack([z[0], z[1]])).fit().params
    # sampling SD of these coefficients at n = 400,000 is below 0.002; tolerance 0.006
    np.testing.assert_allclose([fitted_a, fitted_b, fitted_c], [a_s, b_s, c_s], atol=0.006)
    grid = power_mediation(a_s, b_s, c_s, 100, sims=20, n_boot=50, standardized=True, seed=1)
    assert grid.loc[0, ["a_raw", "b_raw", "c_prime_raw"]].tolist() == pytest.approx([a, b, c_prime])
