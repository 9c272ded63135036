"""Tests of the replication criteria and claim tests against published and packaged R output.

Each expected number carries its source. Where no printed reference was found the test says
so and checks against an independent computation written differently here; no expected
number below was printed by replylab itself.
"""

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, optimize, special, stats

from analysis.groups import cohen_d_interval, compare_groups
from analysis.replication.criteria import REPLICATION_COLUMNS, VERDICTS, replication_tests, small_telescopes_effect
from analysis.replication.bayes import nct_logpdf, replication_bayes_factor, sceptical_p, sceptical_z
from analysis.replication.claims import claim_tests

CRITERIA = ["significance", "original_in_replication_ci", "replication_in_prediction_interval",
            "small_telescopes", "replication_bayes_factor", "sceptical_p"]


def row(table, criterion):
    return table.set_index("criterion").loc[criterion]


def p2z(p):
    """ReplicationSuccess's p2z(p) (two-sided): the z whose two-sided p is p."""
    return float(stats.norm.isf(p / 2))


# --- (f) sceptical p-value -------------------------------------------------------------------

def test_sceptical_p_matches_replicationsuccess_examples():
    # ReplicationSuccess (Held, Pawel, Micheloud et al.), documentation of pSceptical(), Examples with
    # printed output (pkgdown 2.0.9): github:crsuzh/ReplicationSuccess, docs/reference/pSceptical.html
    #   pSceptical(zo = p2z(0.01), zr = p2z(0.02), c = 2, alternative = "one.sided", type = "nominal") 0.05790852
    #   ... type = "golden"                                                                         0.02273138
    #   pSceptical(zo = p2z(0.02), zr = p2z(0.01), c = 1/2, alternative = "one.sided")              0.008786301
    #   pSceptical(zo = p2z(0.01), zr = p2z(0.01), c = 2, alternative = "two.sided")                0.03496702
    #   zSceptical(zo = 2, zr = 3, c = 2) 1.531634; zSceptical(zo = 3, zr = 2, c = 2) 1.531634
    assert sceptical_p(p2z(0.01), p2z(0.02), 2, type="nominal") == pytest.approx(0.05790852, abs=5e-9)
    assert sceptical_p(p2z(0.01), p2z(0.02), 2, type="golden") == pytest.approx(0.02273138, abs=5e-9)
    assert sceptical_p(p2z(0.02), p2z(0.01), 1 / 2) == pytest.approx(0.008786301, abs=5e-10)
    assert sceptical_p(p2z(0.01), p2z(0.01), 2, alternative="two-sided") == pytest.approx(0.03496702, abs=5e-9)
    assert sceptical_z(2, 3, 2) == pytest.approx(1.531634, abs=5e-7)
    assert sceptical_z(3, 2, 2) == pytest.approx(1.531634, abs=5e-7)


# ReplicationSuccess tests/testthat/test-pSceptical.R ("Output of function 'pSceptical' stays the same"),
# full-precision output of pSceptical(zo = c(-4, -2, 2, 4), zr = -4, c, "one.sided", type); the entries
# for zo = 0 (0.5 by convention) are left out.
PSCEPTICAL_GRID = {
    ("golden", 0.5): [4.92521679461104e-05, 0.00860230836312371, 0.991397691636876, 0.999950747832054],
    ("golden", 2): [0.000528949538842483, 0.0165499416760937, 0.983450058323906, 0.999471050461157],
    ("nominal", 0.5): [0.00110127465875785, 0.0305443593405044, 0.969455640659496, 0.998898725341242],
    ("nominal", 2): [0.00502103908823513, 0.0469488618047047, 0.953051138195295, 0.994978960911765],
}


@pytest.mark.parametrize(("type_", "c"), list(PSCEPTICAL_GRID))
def test_sceptical_p_matches_replicationsuccess_regression_grid(type_, c):
    ours = [sceptical_p(zo, -4, c, type=type_) for zo in (-4, -2, 2, 4)]
    assert ours == pytest.approx(PSCEPTICAL_GRID[type_, c], rel=1e-10)


def test_controlled_sceptical_p_matches_replicationsuccess_and_an_independent_integral():
    # Same test file, type = "controlled", one-sided, zr = -4 and zr = -2 (zo = -2, c = 0.5 and 2):
    # 0.0111484571656534 (c = 0.5), 0.00789852693213247 (c = 2); zr = -2, zo = -2: 0.0329134788284658
    # (c = 0.5), 0.0353760980517222 (c = 2). R computes 1 - (1 - integral / pi) with integrate()'s default
    # tolerance, so we allow 1e-9.
    assert sceptical_p(-2, -4, 0.5, type="controlled") == pytest.approx(0.0111484571656534, abs=1e-9)
    assert sceptical_p(-2, -4, 2, type="controlled") == pytest.approx(0.00789852693213247, abs=1e-9)
    assert sceptical_p(-2, -2, 0.5, type="controlled") == pytest.approx(0.0329134788284658, abs=1e-9)
    assert sceptical_p(-2, -2, 2, type="controlled") == pytest.approx(0.0353760980517222, abs=1e-9)
    # For zo = zr = -4 the R file stores 5.76488833772132e-05 (c = 0.5) and 6.28541268221632e-05 (c = 2),
    # but there 1 - F is ~1e-8 and R's subtraction 1 - integral / pi loses the digits. No printed
    # reference is exact here, so we check against an independent computation: mpmath's quadrature at
    # 40 digits of Micheloud et al.'s (2023) integral, written out below.
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 40
    for c in (0.5, 2):
        z2 = mpmath.mpf(sceptical_z(-4, -4, c)) ** 2

        def kernel(u, z2=z2, c=c):
            return mpmath.exp(-z2 * (1 + mpmath.sqrt(1 + (c - 1) * u)) / u) / mpmath.sqrt(u * (1 - u))

        tail = mpmath.quad(kernel, [0, 0.01, 0.1, 0.5, 1]) / mpmath.pi
        assert sceptical_p(-4, -4, c, type="controlled") == pytest.approx(float(mpmath.sqrt(tail) / 2), rel=1e-8)


def test_sceptical_p_with_c_equal_1_uses_chi_square_tail():
    # ReplicationSuccess's FZ for c = 1 is pgamma(z, 1/2, 2), the chi-square(1) cdf; the controlled
    # p is then sqrt of its tail. Independent closed form: 1 - F = 2 (1 - Phi(z_S)).
    z = sceptical_z(2.5, 2.0, 1)
    assert sceptical_p(2.5, 2.0, 1, type="controlled") == pytest.approx(np.sqrt(2 * stats.norm.sf(z)) / 2, rel=1e-12)


def test_sceptical_row_of_replication_tests():
    # The golden one-sided value of the documentation example above, through the table:
    # z_o = p2z(0.01) with se 1, z_r = p2z(0.02) with se 1/sqrt(2) (so c = 2).
    table = replication_tests(p2z(0.01), p2z(0.02) / np.sqrt(2), original_se=1.0, replication_se=1 / np.sqrt(2))
    sceptical = row(table, "sceptical_p")
    assert sceptical["p"] == pytest.approx(0.02273138, abs=5e-9)
    assert sceptical["verdict"] == "replicated"  # 0.0227 <= 0.025 (ReplicationSuccess's default level)
    nominal = row(replication_tests(p2z(0.01), p2z(0.02) / np.sqrt(2), original_se=1.0,
                                    replication_se=1 / np.sqrt(2), sceptical_type="nominal"), "sceptical_p")
    assert nominal["p"] == pytest.approx(0.05790852, abs=5e-9) and nominal["verdict"] == "not replicated"


# --- (e) replication Bayes factor ------------------------------------------------------------

# Pawel & Held (2022), J R Stat Soc B 84(3), Table 1, as stored with dput in BayesRep's tests
# (github:SamCH93/BayesRep, inst/tinytest/test-BF.R, object smdTable): t and group sizes of original
# and replication, and bfrepSMD = BF_SA = 1 / BF_r0 of Verhagen & Wagenmakers (exact t likelihood,
# flat prior). BayesRep's integrate() works to about 1e-5 relative, hence rel=1e-5 on BF_r0.
TABLE1_TWO_SAMPLE = [
    ("Ackerman et al. (2010)", 2.02, 26, 28, 1.5351, 296, 303, 3.2425436178894),
    ("Gervais and Norenzayan (2012)", 2.24, 26, 31, -0.82, 262, 269, 36.8293701822416),
    ("Karpicke and Blunt (2011)", 4.65, 20, 20, 2.8825, 23, 26, 0.0865954100114667),
    ("Kidd and Castano (2013)", 2.53, 43, 43, -0.726, 349, 365, 68.5206475865596),
    ("Lee and Schwarz (2010)", 2.6, 21, 19, -0.78, 147, 139, 68.7768313720538),
    ("Morewedge et al. (2010)", 2.78, 16, 16, 3.54, 44, 45, 0.00639050298948843),
    ("Nishi et al. (2015)", 2.68, 10, 10, 2.53, 24, 24, 0.131877512393028),
    ("Pyc and Rawson (2010)", 2.37, 18, 18, 2.64, 156, 150, 0.25088787491907),
    ("Ramirez and Beilock (2011)", 5.53, 10, 10, -0.7352, 45, 34, 17376.1099486192),
    ("Rand et al. (2012)", 2.45, 175, 168, 1.01, 1058, 1078, 9.72328315095483),
    ("Shah et al. (2012)", 2.04, 26, 30, -0.373, 298, 321, 26.1613308415308),
    ("Wilson et al. (2014)", 4.83, 15, 15, 4.49, 20, 19, 0.000538516055919849),
]
TABLE1_ONE_SAMPLE = [  # same table, type "SM" (one-sample t tests)
    ("Aviezer et al. (2012)", 13.07, 15, 5.342, 14, 0.0243407752343321),
    ("Duncan et al. (2012)", 3.41, 15, 4.6276, 92, 0.000414919994401764),
    ("Kovacs et al. (2010)", 2.42, 24, 7.0152, 95, 0.00000000744262267585224),
    ("Sparrow et al. (2011)", 3.26, 69, 0.7579, 234, 31.8489025486167),
]


@pytest.mark.parametrize(("study", "t_o", "n1o", "n2o", "t_r", "n1r", "n2r", "bf_sa"), TABLE1_TWO_SAMPLE)
def test_replication_bayes_factor_matches_pawel_held_table_1(study, t_o, n1o, n2o, t_r, n1r, n2r, bf_sa):
    assert replication_bayes_factor(t_o, (n1o, n2o), t_r, (n1r, n2r)) == pytest.approx(1 / bf_sa, rel=1e-5)


@pytest.mark.parametrize(("study", "t_o", "n_o", "t_r", "n_r", "bf_sa"), TABLE1_ONE_SAMPLE)
def test_one_sample_replication_bayes_factor_matches_pawel_held_table_1(study, t_o, n_o, t_r, n_r, bf_sa):
    assert replication_bayes_factor(t_o, n_o, t_r, n_r) == pytest.approx(1 / bf_sa, rel=1e-5)


def test_replication_bayes_factor_row_of_replication_tests():
    # Morewedge et al. (2010) from the table above, entered as Cohen's d = t / sqrt(n1 n2 / (n1 + n2)).
    d_o, d_r = 2.78 / np.sqrt(16 * 16 / 32), 3.54 / np.sqrt(44 * 45 / 89)
    table = replication_tests(d_o, d_r, original_n=(16, 16), replication_n=(44, 45), kind="smd")
    bayes = row(table, "replication_bayes_factor")
    assert bayes["value"] == pytest.approx(1 / 0.00639050298948843, rel=1e-5)
    assert bayes["statistic"] == pytest.approx(3.54, rel=1e-12)
    assert bayes["verdict"] == "replicated"
    # Gervais and Norenzayan (2012): BF_r0 = 1 / 36.83, decisive evidence for the sceptic
    d_o, d_r = 2.24 / np.sqrt(26 * 31 / 57), -0.82 / np.sqrt(262 * 269 / 531)
    table = replication_tests(d_o, d_r, original_n=(26, 31), replication_n=(262, 269), kind="smd")
    assert row(table, "replication_bayes_factor")["verdict"] == "not replicated"


def test_noncentral_t_density_matches_scipy_and_survives_far_tails():
    # Where scipy's noncentral t density is finite we agree with it; far in the tails scipy raises
    # (boost overflow) or returns 0 while ours stays finite. Independent check there: the density as
    # a one-dimensional integral over the chi variable, by mpmath at 30 digits.
    for t, df, ncp in [(1.5, 10, 0.5), (-0.7, 18, 5.0), (3.54, 87, 12.0), (1.01, 2134, 3.0), (2.0, 1, 1.0)]:
        assert nct_logpdf(t, df, np.array([ncp]))[0] == pytest.approx(stats.nct.logpdf(t, df, ncp), abs=1e-9)
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 30
    t, df, ncp = 1.01, 2134, -20.0

    def integrand(s):
        v = df * s * s  # s = sqrt(V / df), V ~ chi-square(df)
        chi2 = mpmath.exp((df / 2 - 1) * mpmath.log(v) - v / 2 - (df / 2) * mpmath.log(2) - mpmath.loggamma(df / 2))
        return s * mpmath.npdf(t * s - ncp) * chi2 * 2 * df * s

    # the integrand peaks at s = 0.995 with width 0.015; mpmath gets breakpoints every 0.01 around it
    reference = mpmath.log(mpmath.quad(integrand, [0.8 + 0.01 * i for i in range(41)]))
    assert nct_logpdf(t, df, np.array([ncp]))[0] == pytest.approx(float(reference), abs=1e-7)


# --- (d) small telescopes --------------------------------------------------------------------

def test_d33_matches_simonsohn_and_lakens_examples():
    # Lakens, Improving Your Statistical Inferences, ch. 9 (github:Lakens/statistical_inferences,
    # 09-equivalencetest.qmd): Zhong & Liljenquist (2006), the example of Simonsohn (2015), had 30 per
    # condition and "33% power to detect effects larger than d = 0.401" (power = 1/3, pwr.t.test);
    # a one-sample t test with n = 20 and power 0.33 gives "a Cohen's d of 0.358".
    assert small_telescopes_effect((30, 30)) == pytest.approx(0.401, abs=5e-4)
    assert small_telescopes_effect(20, power=0.33) == pytest.approx(0.358, abs=5e-4)


def test_d33_has_one_third_power_by_an_independent_simulation_free_check():
    # Independent of the root finder: the power of the two-sided Student t test at d33 written out with
    # scipy's noncentral t, both tails, as G*Power and pwr.t.test compute it.
    d33 = small_telescopes_effect((23, 31))
    df, ncp = 52, d33 * np.sqrt(23 * 31 / 54)
    critical = stats.t.ppf(0.975, df)
    assert stats.nct.sf(critical, df, ncp) + stats.nct.cdf(-critical, df, ncp) == pytest.approx(1 / 3, abs=1e-10)


def test_small_telescopes_test_is_the_inversion_of_the_replication_interval():
    # No worked numeric example of the replication test was found in print; check against an independent
    # route: the replication's 90% noncentral-t interval (cohen_d_interval, itself checked against R's
    # effectsize in test_groups.py) has upper limit d33 exactly when the one-sided p is 0.05.
    d33 = small_telescopes_effect((30, 30))
    d_r = optimize.brentq(lambda d: cohen_d_interval(d, 100, 100, 0.90)[1] - d33, -1, 1, xtol=1e-12)
    telescopes = row(replication_tests(0.53, d_r, original_n=(30, 30), replication_n=(100, 100), kind="smd"),
                     "small_telescopes")
    assert telescopes["value"] == pytest.approx(0.401, abs=5e-4)
    assert telescopes["p"] == pytest.approx(0.05, abs=1e-8)
    assert telescopes["ci_high"] == pytest.approx(d33, abs=1e-8)


@pytest.mark.parametrize(("d_r", "verdict"), [(0.05, "not replicated"), (0.45, "replicated"), (0.30, "inconclusive")])
def test_small_telescopes_verdicts(d_r, verdict):
    # Zhong & Liljenquist's original (d = 0.53, 30 per cell); replications of 60 per cell.
    table = replication_tests(0.53, d_r, original_n=(30, 30), replication_n=(60, 60), kind="smd")
    assert row(table, "small_telescopes")["verdict"] == verdict


def test_small_telescopes_mirror_a_negative_original():
    positive = row(replication_tests(0.53, 0.05, original_n=(30, 30), replication_n=(60, 60), kind="smd"),
                   "small_telescopes")
    negative = row(replication_tests(-0.53, -0.05, original_n=(30, 30), replication_n=(60, 60), kind="smd"),
                   "small_telescopes")
    assert negative["value"] == pytest.approx(-positive["value"])
    assert negative["p"] == pytest.approx(positive["p"], rel=1e-10)


# --- (a), (b): significance and the replication's confidence interval ----------------------

def test_significance_and_interval_rows_match_r_on_sleep(sleep):
    # R: t.test(extra ~ group, data = sleep, var.equal = TRUE) prints t = -1.8608, df = 18,
    # p-value = 0.07919; effectsize's cohens_d(extra ~ group, data = sleep) prints d = -0.83,
    # 95% CI [-1.74, 0.10] (sources as in test_groups.py).
    d = compare_groups(sleep, "extra", "group").effects.set_index("effect").loc["cohen_d", "estimate"]
    table = replication_tests(-1.2, d, original_n=(10, 10), replication_n=(10, 10), kind="smd")
    significance = row(table, "significance")
    assert significance["statistic"] == pytest.approx(-1.8608, abs=5e-5)
    assert significance["p"] == pytest.approx(0.07919, abs=5e-6)
    assert (significance["ci_low"], significance["ci_high"]) == pytest.approx((-1.74, 0.10), abs=5e-3)
    assert significance["verdict"] == "not replicated"
    inside = row(table, "original_in_replication_ci")
    assert inside["verdict"] == "replicated" and inside["value"] == -1.2
    assert inside["p"] > 0.05


def test_correlation_rows_match_scipy_pearsonr():
    # Cross-check with an independent implementation: scipy's pearsonr test (t on n - 2 df) and its
    # Fisher-z confidence interval.
    rng = np.random.default_rng(14)
    x = rng.normal(size=80)
    y = 0.3 * x + rng.normal(size=80)
    result = stats.pearsonr(x, y)
    table = replication_tests(0.5, float(result.statistic), original_n=40, replication_n=80, kind="r")
    significance = row(table, "significance")
    assert significance["p"] == pytest.approx(result.pvalue, rel=1e-10)
    interval = result.confidence_interval(0.95)
    assert (significance["ci_low"], significance["ci_high"]) == pytest.approx((interval.low, interval.high), rel=1e-10)
    assert row(table, "small_telescopes")["verdict"] == "not applicable"
    assert np.isnan(row(table, "replication_bayes_factor")["value"])


def test_original_in_interval_p_agrees_with_the_interval():
    rng = np.random.default_rng(3)
    for original, replication in rng.normal(0.4, 0.3, size=(25, 2)):
        if original == 0:
            continue
        inside = row(replication_tests(original, replication, original_se=0.15, replication_se=0.1),
                     "original_in_replication_ci")
        assert (inside["verdict"] == "replicated") == (inside["p"] >= 0.05)


# --- (c) prediction interval --------------------------------------------------------------

def test_prediction_interval_matches_replicationsuccess():
    # ReplicationSuccess tests/testthat/test-predictionInterval.R, predictionInterval(thetao = 2, seo = 1,
    # ser, tau = 0, designPrior = "predictive"): ser = 0.5 gives (-0.191306351441454, 4.19130635144145);
    # ser = 2 gives (-2.38261270288291, 6.38261270288291).
    narrow = row(replication_tests(2.0, 1.0, original_se=1.0, replication_se=0.5),
                 "replication_in_prediction_interval")
    assert (narrow["ci_low"], narrow["ci_high"]) == pytest.approx((-0.191306351441454, 4.19130635144145), rel=1e-12)
    wide = row(replication_tests(2.0, 1.0, original_se=1.0, replication_se=2.0), "replication_in_prediction_interval")
    assert (wide["ci_low"], wide["ci_high"]) == pytest.approx((-2.38261270288291, 6.38261270288291), rel=1e-12)
    # the p is the Q test of Hedges & Schauer (2019): Q = (theta_o - theta_r)^2 / (se_o^2 + se_r^2) on 1 df
    assert narrow["p"] == pytest.approx(stats.chi2.sf((2.0 - 1.0) ** 2 / 1.25, 1), rel=1e-12)
    assert narrow["verdict"] == "replicated"


def test_correlation_prediction_interval_is_patil_peng_leek():
    # Patil, Peng & Leek (2016) for correlations: tanh(atanh(r_o) -/+ 1.96 sqrt(1/(n_o - 3) + 1/(n_r - 3))),
    # written out here (no printed per-study interval was found to copy).
    r_o, n_o, r_r, n_r = 0.45, 40, 0.12, 300
    half = stats.norm.ppf(0.975) * np.sqrt(1 / (n_o - 3) + 1 / (n_r - 3))
    pi = row(replication_tests(r_o, r_r, original_n=n_o, replication_n=n_r, kind="r"),
             "replication_in_prediction_interval")
    assert (pi["ci_low"], pi["ci_high"]) == pytest.approx((np.tanh(np.arctanh(r_o) - half),
                                                          np.tanh(np.arctanh(r_o) + half)), rel=1e-12)
    assert pi["verdict"] == "not replicated"  # 0.12 lies below the lower limit, tanh(0.4847 - 0.3428) = 0.142


# --- the table ------------------------------------------------------------------------------

def test_table_has_fixed_columns_rows_and_verdicts():
    table = replication_tests(0.6, 0.2, original_n=(25, 25), replication_n=(90, 90), kind="smd")
    assert list(table.columns) == REPLICATION_COLUMNS
    assert table["criterion"].tolist() == CRITERIA
    assert set(table["verdict"]) <= set(VERDICTS)
    assert table["rule"].str.len().min() > 20
    generic = replication_tests(0.6, 0.2, original_se=0.3, replication_se=0.15)
    assert generic["criterion"].tolist() == CRITERIA
    assert generic.set_index("criterion").loc[["small_telescopes", "replication_bayes_factor"], "verdict"].tolist() \
        == ["not applicable", "not applicable"]


def test_a_clear_failure_and_a_clear_success():
    failure = replication_tests(0.8, -0.05, original_n=(20, 20), replication_n=(300, 300), kind="smd")
    assert set(failure["verdict"]) == {"not replicated"}
    success = replication_tests(0.8, 0.75, original_n=(50, 50), replication_n=(150, 150), kind="smd")
    assert set(success["verdict"]) == {"replicated"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "d"}, "`kind` must be one of"),
        ({"kind": "generic"}, "kind='generic' needs `original_se`"),
        ({"kind": "generic", "original_se": 0.1, "replication_se": -1}, "`replication_se` must be a positive"),
        ({"kind": "smd", "original_n": (20,), "replication_n": (20, 20)}, "`original_n` must be a pair"),
        ({"kind": "smd", "original_n": (20, 20), "replication_n": (20, 1)}, "`replication_n` must be a pair"),
        ({"kind": "r", "original_n": 30, "replication_n": 50, "original_se": 0.1}, "leave `original_se` out"),
        ({"kind": "r", "original_n": 3, "replication_n": 50}, "`original_n` must be one sample size"),
        ({"kind": "smd", "original_n": (20, 20), "replication_n": (20, 20), "alpha": 5}, "`alpha` must be"),
        ({"kind": "smd", "original_n": (20, 20), "replication_n": (20, 20), "bf_threshold": 0.5}, "`bf_threshold`"),
        ({"kind": "smd", "original_n": (20, 20), "replication_n": (20, 20), "sceptical_type": "x"}, "`type` must"),
    ],
)
def test_bad_arguments_raise_value_error_naming_them(kwargs, message):
    with pytest.raises(ValueError, match=message):
        replication_tests(0.5, 0.3, **kwargs)


def test_bad_estimates_raise_value_error():
    with pytest.raises(ValueError, match="no direction to replicate"):
        replication_tests(0.0, 0.3, original_se=0.1, replication_se=0.1)
    with pytest.raises(ValueError, match="strictly between -1 and 1"):
        replication_tests(0.5, 1.0, original_n=30, replication_n=50, kind="r")
    with pytest.raises(ValueError, match="`replication_estimate` must be a finite number"):
        replication_tests(0.5, np.nan, original_se=0.1, replication_se=0.1)


# --- claims ----------------------------------------------------------------------------------

def test_directional_claim_halves_the_two_sided_p(sleep):
    # R: t.test(extra ~ group, data = sleep, var.equal = TRUE) prints p-value = 0.07919 (two-sided);
    # group 1 has the lower mean, so the one-sided p for "negative" (group 1 - group 2 < 0) is half:
    # 0.039595, to within half a unit of the printed digits, 2.5e-6.
    d = compare_groups(sleep, "extra", "group").effects.set_index("effect").loc["cohen_d", "estimate"]
    negative = claim_tests(d, claim="negative", n=(10, 10), kind="smd").iloc[0]
    assert negative["criterion"] == "directional_test"
    assert negative["p"] == pytest.approx(0.07919 / 2, abs=2.5e-6)
    assert negative["verdict"] == "replicated"
    positive = claim_tests(d, claim="positive", n=(10, 10), kind="smd").iloc[0]
    assert positive["p"] == pytest.approx(1 - 0.07919 / 2, abs=2.5e-6)
    assert positive["verdict"] == "not replicated"


def test_equivalence_test_matches_pingouin_tost(plant_growth):
    # Cross-check with an independent implementation: pingouin.tost (Student's t, correction=False)
    # with the bound converted to raw units by the pooled SD.
    data = plant_growth[plant_growth["group"] != "trt2"]
    x = data.loc[data["group"] == "ctrl", "weight"].to_numpy()
    y = data.loc[data["group"] == "trt1", "weight"].to_numpy()
    pooled = np.sqrt((x.var(ddof=1) + y.var(ddof=1)) / 2)
    d = (x.mean() - y.mean()) / pooled
    import pingouin as pg

    for bound in (0.5, 1.0, 2.0):
        theirs = pg.tost(x, y, bound=bound * pooled, correction=False).iloc[0]
        ours = row(claim_tests(d, claim="none", n=(10, 10), kind="smd", equivalence_bounds=bound), "equivalence_test")
        assert ours["p"] == pytest.approx(theirs["pval"], rel=1e-8)


def test_equivalence_verdicts_follow_the_interval():
    # Lakens (2017): equivalence when the 90% interval lies within the bounds; a difference from the
    # bounds when it lies outside them.
    equivalent = row(claim_tests(0.02, claim="none", se=0.05, equivalence_bounds=0.2), "equivalence_test")
    assert equivalent["verdict"] == "replicated"
    assert -0.2 < equivalent["ci_low"] < equivalent["ci_high"] < 0.2
    different = row(claim_tests(0.6, claim="none", se=0.1, equivalence_bounds=(-0.2, 0.3)), "equivalence_test")
    assert different["verdict"] == "not replicated" and different["ci_low"] > 0.3
    unclear = claim_tests(0.1, claim="none", se=0.2, equivalence_bounds=0.2)
    assert row(unclear, "equivalence_test")["verdict"] == "inconclusive"
    assert row(unclear, "two_sided_test")["verdict"] == "inconclusive"
    assert row(unclear, "bayes_factor_null")["verdict"] == "not applicable"


def test_correlation_equivalence_uses_fisher_z():
    # TOST for a correlation on Fisher's z scale (as TOSTER's TOSTr), written out independently.
    r, n, bound = 0.05, 400, 0.15
    table = claim_tests(r, claim="none", n=n, kind="r", equivalence_bounds=bound)
    z_low = (np.arctanh(r) - np.arctanh(-bound)) * np.sqrt(n - 3)
    z_high = (np.arctanh(r) - np.arctanh(bound)) * np.sqrt(n - 3)
    assert row(table, "equivalence_test")["p"] == pytest.approx(max(stats.norm.sf(z_low), stats.norm.cdf(z_high)),
                                                                rel=1e-12)


def test_null_bayes_factor_for_a_mean_difference(sleep):
    # BF01 is the reciprocal of the JZS Bayes factor of compare_groups (checked against BayesFactor in
    # test_groups.py), and of pingouin's implementation.
    import pingouin as pg

    comparison = compare_groups(sleep, "extra", "group")
    d = comparison.effects.set_index("effect").loc["cohen_d", "estimate"]
    bayes = row(claim_tests(d, claim="none", n=(10, 10), kind="smd", equivalence_bounds=0.5), "bayes_factor_null")
    assert bayes["value"] == pytest.approx(1 / comparison.bf10, rel=1e-9)
    assert bayes["value"] == pytest.approx(1 / pg.bayesfactor_ttest(bayes["statistic"], 10, 10, r=0.707), rel=1e-5)


def test_null_bayes_factor_for_a_correlation():
    # pingouin's documentation of bayesfactor_pearson prints "Bayes Factor: 10.634" for r = 0.6, n = 20
    # (Ly et al. 2016, uniform prior; pingouin states it is validated against JASP). Our row delegates to
    # pingouin, so this checks the wiring; the independent check below integrates Jeffreys' likelihood
    # (Ly, Verhagen & Wagenmakers 2016, eq. 12, even part) against the uniform prior numerically.
    bayes = row(claim_tests(0.6, claim="none", n=20, kind="r", equivalence_bounds=0.1), "bayes_factor_null")
    assert 1 / bayes["value"] == pytest.approx(10.634, abs=5e-4)
    assert bayes["verdict"] == "not replicated"
    r, n = 0.25, 60

    def likelihood(rho):
        return (1 - rho**2) ** ((n - 1) / 2) * special.hyp2f1((n - 1) / 2, (n - 1) / 2, 0.5, (r * rho) ** 2)

    bf10 = integrate.quad(likelihood, -1, 1, epsabs=0, epsrel=1e-12)[0] / 2
    bayes = row(claim_tests(r, claim="none", n=n, kind="r", equivalence_bounds=0.1), "bayes_factor_null")
    assert bayes["value"] == pytest.approx(1 / bf10, rel=1e-8)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"claim": "bigger", "se": 0.1}, "`claim` must be"),
        ({"claim": "none", "se": 0.1}, "`equivalence_bounds` is needed"),
        ({"claim": "none", "se": 0.1, "equivalence_bounds": -0.2}, "must be positive"),
        ({"claim": "none", "se": 0.1, "equivalence_bounds": (0.3, 0.1)}, "lower < upper"),
        ({"claim": "none", "n": 50, "kind": "r", "equivalence_bounds": (-1.5, 0.2)}, "within \\(-1, 1\\)"),
        ({"claim": "positive", "n": (10, 10), "kind": "smd", "r_scale": 0}, "`r_scale`"),
        ({"claim": "positive", "se": 0.1, "bf_threshold": 1}, "`bf_threshold`"),
        ({"claim": "positive"}, "kind='generic' needs `se`"),
    ],
)
def test_claim_tests_reject_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        claim_tests(0.1, **kwargs)


def test_claim_tables_have_the_replication_columns():
    table = claim_tests(0.1, claim="none", n=(40, 40), kind="smd", equivalence_bounds=0.4)
    assert list(table.columns) == REPLICATION_COLUMNS
    assert table["criterion"].tolist() == ["two_sided_test", "equivalence_test", "bayes_factor_null"]
    assert isinstance(table, pd.DataFrame) and set(table["verdict"]) <= set(VERDICTS)
