"""Tests of analysis.meta_analysis against R metafor's printed output and published tables.

Tolerances are half a unit in the last printed digit unless a comment says otherwise.
"""

import numpy as np
import pandas as pd
import pytest

from analysis.meta_analysis import META_ANALYSIS_COLUMNS, meta_analysis

# BCG vaccine trials (Colditz et al., 1994), R metafor/metadat ``dat.bcg``: columns
# tpos, tneg, cpos, cneg (TB cases and non-cases, vaccinated and control arms), typed in
# from the printout of ``dat.bcg`` in metafor's documentation of escalc(), Examples
# section: https://wviechtb.github.io/metafor/reference/escalc.html
# (github:wviechtb/metafor, docs/reference/escalc.html).
BCG = [
    ("Aronson", 4, 119, 11, 128),
    ("Ferguson & Simes", 6, 300, 29, 274),
    ("Rosenthal et al 1960", 3, 228, 11, 209),
    ("Hart & Sutherland", 62, 13536, 248, 12619),
    ("Frimodt-Moller et al", 33, 5036, 47, 5761),
    ("Stein & Aronson", 180, 1361, 372, 1079),
    ("Vandiviere et al", 8, 2537, 10, 619),
    ("TPT Madras", 505, 87886, 499, 87892),
    ("Coetzee & Berjak", 29, 7470, 45, 7232),
    ("Rosenthal et al 1961", 17, 1699, 65, 1600),
    ("Comstock et al 1974", 186, 50448, 141, 27197),
    ("Comstock & Webster", 5, 2493, 3, 2338),
    ("Comstock et al 1976", 27, 16886, 29, 17825),
]

# Kacker (2004) interlaboratory data, as used by statsmodels' meta-analysis tests; the expected
# values below are R metafor output at full precision, recorded in statsmodels
# (github:statsmodels/statsmodels, statsmodels/stats/tests/results/results_meta.py, objects
# exk1_metafor, exk1_dl, exk1_dl_hksj, exk1_fe; rma(y, v, method=..., control=list(tol=1e-9))).
KACKER_Y = [61.00, 61.40, 62.21, 62.30, 62.34, 62.60, 62.70, 62.84, 65.90]
KACKER_V = [0.2025, 1.2100, 0.0900, 0.2025, 0.3844, 0.5625, 0.0676, 0.0225, 1.8225]

# CLASP trials (DerSimonian & Kacker, 2007), as in metafor's test file
# tests/testthat/test_analysis_example_dersimonian2007.r (github:wviechtb/metafor):
# events ai / n1i (treatment) and ci / n2i (control).
CLASP = {"n1i": [156, 303, 565, 1570, 103, 4659], "n2i": [74, 303, 477, 1565, 105, 4650],
         "ai": [5, 5, 12, 69, 9, 313], "ci": [8, 17, 9, 94, 11, 352]}


@pytest.fixture
def bcg() -> pd.DataFrame:
    """dat.bcg with metafor's escalc(measure="RR") log risk ratios ``yi`` and variances ``vi``."""
    frame = pd.DataFrame(BCG, columns=["author", "tpos", "tneg", "cpos", "cneg"])
    frame["yi"] = np.log(frame.tpos / (frame.tpos + frame.tneg)) - np.log(frame.cpos / (frame.cpos + frame.cneg))
    frame["vi"] = 1 / frame.tpos - 1 / (frame.tpos + frame.tneg) + 1 / frame.cpos - 1 / (frame.cpos + frame.cneg)
    frame["sei"] = np.sqrt(frame["vi"])
    return frame


@pytest.fixture
def kacker() -> pd.DataFrame:
    return pd.DataFrame({"y": KACKER_Y, "v": KACKER_V})


def test_log_risk_ratios_match_escalc(bcg):
    # escalc(measure="RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg) prints (rows 1, 8, 13)
    # yi -0.8893, 0.0120, -0.0173 and vi 0.3256, 0.0040, 0.0714 (metafor docs, escalc.html).
    assert bcg["yi"].iloc[[0, 7, 12]].tolist() == pytest.approx([-0.8893, 0.0120, -0.0173], abs=5e-5)
    assert bcg["vi"].iloc[[0, 7, 12]].tolist() == pytest.approx([0.3256, 0.0040, 0.0714], abs=5e-5)


@pytest.mark.parametrize("spread", ["variance", "se"])
def test_reml_matches_metafor_printout_on_bcg(bcg, spread):
    # metafor documentation of rma.uni(), Examples, https://wviechtb.github.io/metafor/reference/rma.uni.html
    # (github:wviechtb/metafor, docs/reference/rma.uni.html); the same numbers are in Viechtbauer (2010),
    # J Stat Softw 36(3). rma(yi, vi, data=dat, method="REML") and rma(yi, sei=sei, data=dat) print:
    #   tau^2 0.3132, tau 0.5597, I^2 92.22%, H^2 12.86, Q(df = 12) = 152.2330, p-val < .0001
    #   estimate -0.7145  se 0.1798  zval -3.9744  pval <.0001  ci.lb -1.0669  ci.ub -0.3622
    result = meta_analysis(bcg, "yi", **({"variance": "vi"} if spread == "variance" else {"se": "sei"}))
    row = result.iloc[0]
    assert list(result.columns) == META_ANALYSIS_COLUMNS
    assert row["k"] == 13 and row["method"] == "REML"
    assert row["estimate"] == pytest.approx(-0.7145, abs=5e-5)
    assert row["se"] == pytest.approx(0.1798, abs=5e-5)
    assert row["statistic"] == pytest.approx(-3.9744, abs=5e-5)
    assert row["p"] < 1e-4
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((-1.0669, -0.3622), abs=5e-5)
    assert row["tau2"] == pytest.approx(0.3132, abs=5e-5)
    assert row["tau"] == pytest.approx(0.5597, abs=5e-5)
    assert row["i2"] == pytest.approx(92.22, abs=5e-3)
    assert row["h2"] == pytest.approx(12.86, abs=5e-3)
    assert row["q"] == pytest.approx(152.2330, abs=5e-5)
    assert row["q_df"] == 12 and row["q_p"] < 1e-4


def test_reml_prediction_interval_matches_metafor_predict(bcg):
    # metafor documentation of predict.rma(), Examples, https://wviechtb.github.io/metafor/reference/predict.rma.html
    # (github:wviechtb/metafor, docs/reference/predict.rma.html): res <- rma(yi, vi, data=dat);
    # predict(res, digits=2) prints pred -0.71 se 0.18 ci.lb -1.07 ci.ub -0.36 pi.lb -1.87 pi.ub 0.44
    row = meta_analysis(bcg, "yi", variance="vi").iloc[0]
    assert (row["pi_low"], row["pi_high"]) == pytest.approx((-1.87, 0.44), abs=5e-3)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((-1.07, -0.36), abs=5e-3)


def test_dl_and_fixed_effect_match_metafor_tests_on_bcg(bcg):
    # metafor tests/testthat/test_misc_metan_vs_rma.uni_with_dat.bcg.r (github:wviechtb/metafor),
    # rma(yi, vi, data=dat, method="DL"): -0.7141, ci -1.0644 -0.3638, zval -3.9952, tau2 0.3088,
    # I2 92.1173; method="EE" (the fixed/common-effect fit): -0.4303, ci -0.5097 -0.3509,
    # zval -10.6247, QE 152.2330 (checked there against Stata's metan).
    dl = meta_analysis(bcg, "yi", variance="vi", method="DL").iloc[0]
    assert dl["estimate"] == pytest.approx(-0.7141, abs=5e-5)
    assert (dl["ci_low"], dl["ci_high"]) == pytest.approx((-1.0644, -0.3638), abs=5e-5)
    assert dl["statistic"] == pytest.approx(-3.9952, abs=5e-5)
    assert dl["tau2"] == pytest.approx(0.3088, abs=5e-5)
    assert dl["i2"] == pytest.approx(92.1173, abs=5e-5)
    fixed = meta_analysis(bcg, "yi", variance="vi", method="FE").iloc[0]
    assert fixed["estimate"] == pytest.approx(-0.4303, abs=5e-5)
    assert (fixed["ci_low"], fixed["ci_high"]) == pytest.approx((-0.5097, -0.3509), abs=5e-5)
    assert fixed["statistic"] == pytest.approx(-10.6247, abs=5e-5)
    assert fixed["q"] == pytest.approx(152.2330, abs=5e-5)
    assert fixed["tau2"] == 0 and np.isnan(fixed["pi_low"]) and np.isnan(fixed["pi_high"])


def test_paule_mandel_matches_metafor_on_kacker(kacker):
    # R metafor, rma(y, v, method="PM", control=list(tol=1e-9)), full precision in statsmodels'
    # results_meta.py (exk1_metafor). metafor's uniroot tolerance is 1e-9, hence rel=1e-7 on tau2.
    row = meta_analysis(kacker, "y", variance="v", method="PM").iloc[0]
    assert row["tau2"] == pytest.approx(0.705395309224248, rel=1e-7)
    assert row["estimate"] == pytest.approx(62.4076199113286, rel=1e-9)
    assert row["se"] == pytest.approx(0.338030602684471, rel=1e-7)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((61.7450921043947, 63.0701477182625), rel=1e-9)
    assert row["statistic"] == pytest.approx(184.621213037276, rel=1e-7)
    assert row["q"] == pytest.approx(24.801897741835, rel=1e-10)
    assert row["q_p"] == pytest.approx(0.00167935146372742, rel=1e-8)
    assert row["i2"] == pytest.approx(83.7218626490482, rel=1e-7)
    assert row["h2"] == pytest.approx(6.14320900751909, rel=1e-7)


def test_dl_knha_and_fixed_effect_match_metafor_on_kacker(kacker):
    # R metafor output in statsmodels' results_meta.py: exk1_dl (method="DL"), exk1_dl_hksj
    # (method="DL", test="knha"), exk1_fe (method="FE").
    dl = meta_analysis(kacker, "y", variance="v", method="DL").iloc[0]
    assert dl["tau2"] == pytest.approx(0.288049246973751, rel=1e-10)
    assert dl["estimate"] == pytest.approx(62.3901386044504, rel=1e-12)
    assert dl["se"] == pytest.approx(0.245749668040304, rel=1e-10)
    assert (dl["ci_low"], dl["ci_high"]) == pytest.approx((61.9084781058787, 62.8717991030221), rel=1e-12)
    assert dl["i2"] == pytest.approx(67.744403741711, rel=1e-10)
    assert dl["h2"] == pytest.approx(3.10023721772938, rel=1e-10)
    knha = meta_analysis(kacker, "y", variance="v", method="DL", knha=True).iloc[0]
    assert knha["method"] == "DL+KNHA"
    assert knha["se"] == pytest.approx(0.29477605699879, rel=1e-10)
    assert knha["statistic"] == pytest.approx(211.652666908108, rel=1e-10)
    assert knha["p"] == pytest.approx(2.77938607433693e-16, rel=1e-6)
    assert (knha["ci_low"], knha["ci_high"]) == pytest.approx((61.710383798052, 63.0698934108488), rel=1e-12)
    fixed = meta_analysis(kacker, "y", variance="v", method="FE").iloc[0]
    assert fixed["estimate"] == pytest.approx(62.5833970939982, rel=1e-12)
    assert fixed["se"] == pytest.approx(0.107845705498231, rel=1e-10)
    assert fixed["i2"] == pytest.approx(67.744403741711, rel=1e-10)
    assert fixed["h2"] == pytest.approx(3.10023721772938, rel=1e-10)


def test_estimators_match_dersimonian_kacker_tables_on_clasp():
    # DerSimonian & Kacker (2007), Contemp Clin Trials 28, 105-114, Tables 3 and 4 (pp. 111-112), as
    # typed into metafor's tests/testthat/test_analysis_example_dersimonian2007.r: tau, mu, se for
    # PM 0.3681 -0.3811 0.2060; DL 0.2323 -0.3240 0.1540; REML 0.1843 -0.2980 0.1343.
    # Log odds ratios as escalc(measure="OR", ai, n1i, ci, n2i) (no zero cells, so no correction).
    ai, ci = np.array(CLASP["ai"], float), np.array(CLASP["ci"], float)
    bi, di = np.array(CLASP["n1i"]) - ai, np.array(CLASP["n2i"]) - ci
    data = pd.DataFrame({"yi": np.log(ai * di / (bi * ci)), "vi": 1 / ai + 1 / bi + 1 / ci + 1 / di})
    for method, (tau, mu, se) in {"PM": (0.3681, -0.3811, 0.2060), "DL": (0.2323, -0.3240, 0.1540),
                                  "REML": (0.1843, -0.2980, 0.1343)}.items():
        row = meta_analysis(data, "yi", variance="vi", method=method).iloc[0]
        assert (row["tau"], row["estimate"], row["se"]) == pytest.approx((tau, mu, se), abs=5e-5), method


def test_paule_mandel_tau_matches_kacker_2004_table(kacker):
    # Kacker (2004), Metrologia 41, 132-136, Table 1, first row (p. 135), as quoted in statsmodels'
    # test_meta.py (TestMetaK1.test_tau_kacker): tau PM 0.8399. (The table's DL value, 0.5359, is
    # not used: metafor gives 0.53670, as do we, and statsmodels also finds only 1e-3 agreement with
    # the paper there; the DL reference is metafor's output in the test above.)
    assert meta_analysis(kacker, "y", variance="v", method="PM")["tau"].iloc[0] == pytest.approx(0.8399, abs=5e-5)


@pytest.mark.parametrize("method", ["DL", "PM"])
def test_dl_and_pm_agree_with_statsmodels(bcg, method):
    # Cross-check against an independent implementation (statsmodels combine_effects), including
    # the Hartung-Knapp-Sidik-Jonkman interval (re_wls with use_t=True).
    from statsmodels.stats.meta_analysis import combine_effects

    theirs = combine_effects(bcg["yi"].to_numpy(), bcg["vi"].to_numpy(), method_re=method.lower(), atol=1e-12)
    ours = meta_analysis(bcg, "yi", variance="vi", method=method).iloc[0]
    assert ours["tau2"] == pytest.approx(theirs.tau2, rel=1e-8)
    assert ours["estimate"] == pytest.approx(theirs.mean_effect_re, rel=1e-8)
    assert ours["se"] == pytest.approx(theirs.sd_eff_w_re, rel=1e-8)
    assert ours["q"] == pytest.approx(theirs.q, rel=1e-12)
    knha = meta_analysis(bcg, "yi", variance="vi", method=method, knha=True).iloc[0]
    assert (knha["ci_low"], knha["ci_high"]) == pytest.approx(tuple(theirs.conf_int(use_t=True)[3]), rel=1e-7)


def test_reml_maximises_the_restricted_likelihood(bcg):
    # Independent check of the Fisher scoring: the REML log-likelihood (Viechtbauer 2005, eq. 8),
    # written out here and maximised by scipy's bounded scalar search, peaks at our tau^2.
    from scipy import optimize

    y, v = bcg["yi"].to_numpy(), bcg["vi"].to_numpy()

    def negative_reml(tau2):
        w = 1 / (v + tau2)
        mu = np.sum(w * y) / np.sum(w)
        return 0.5 * (np.sum(np.log(v + tau2)) + np.log(np.sum(w)) + np.sum(w * (y - mu) ** 2))

    best = optimize.minimize_scalar(negative_reml, bounds=(0, 5), method="bounded", options={"xatol": 1e-12})
    assert meta_analysis(bcg, "yi", variance="vi")["tau2"].iloc[0] == pytest.approx(best.x, abs=1e-7)


def test_homogeneous_studies_give_zero_tau2_and_equal_estimates():
    data = pd.DataFrame({"y": [0.20, 0.21, 0.19, 0.20], "v": [0.04, 0.05, 0.03, 0.04]})
    rows = {method: meta_analysis(data, "y", variance="v", method=method).iloc[0]
            for method in ["REML", "DL", "PM", "FE"]}
    assert all(row["tau2"] == 0 for row in rows.values())
    assert len({round(row["estimate"], 12) for row in rows.values()}) == 1
    # with tau^2 = 0 the prediction interval is the confidence interval (metafor's predict())
    reml = rows["REML"]
    assert (reml["pi_low"], reml["pi_high"]) == pytest.approx((reml["ci_low"], reml["ci_high"]))
    assert rows["REML"]["i2"] == 0 and rows["FE"]["i2"] == 0


def test_knha_uses_t_distribution_with_k_minus_1_df(kacker):
    from scipy import stats

    row = meta_analysis(kacker, "y", variance="v", method="REML", knha=True).iloc[0]
    half = stats.t.ppf(0.975, 8) * row["se"]
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((row["estimate"] - half, row["estimate"] + half), rel=1e-12)
    assert row["p"] == pytest.approx(2 * stats.t.sf(abs(row["statistic"]), 8), rel=1e-10)
    spread = stats.t.ppf(0.975, 8) * np.sqrt(row["tau2"] + row["se"] ** 2)
    assert row["pi_high"] == pytest.approx(row["estimate"] + spread, rel=1e-12)


def test_missing_rows_dropped_and_weights_labelled(bcg):
    data = bcg.copy()
    data.loc[2, "yi"] = np.nan
    result = meta_analysis(data, "yi", variance="vi", study="author")
    assert result["k"].iloc[0] == 12 and result.attrs["n_dropped"] == 1
    weights = result.attrs["weights"]
    assert list(weights.columns) == ["study", "effect", "variance", "weight"]
    assert "Rosenthal et al 1960" not in weights["study"].tolist()
    assert weights["weight"].sum() == pytest.approx(100)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"variance": "vi", "se": "sei"}, "exactly one of `variance` and `se`"),
        ({}, "exactly one of `variance` and `se`"),
        ({"variance": "vi", "method": "ML"}, "`method` must be one of"),
        ({"variance": "vi", "method": "FE", "knha": True}, "knha=True"),
        ({"variance": "vi", "knha": "yes"}, "`knha` must be True or False"),
        ({"variance": "missing"}, "column 'missing' is not in the data"),
        ({"variance": "vi", "ci": 95}, "`ci` must be a proportion"),
    ],
)
def test_bad_arguments_raise_value_error_naming_them(bcg, kwargs, message):
    with pytest.raises(ValueError, match=message):
        meta_analysis(bcg, "yi", **kwargs)


def test_bad_data_raise_value_error(bcg):
    with pytest.raises(ValueError, match="must be positive"):
        meta_analysis(bcg.assign(vi=bcg["vi"] - 1), "yi", variance="vi")
    with pytest.raises(ValueError, match="at least 2 studies"):
        meta_analysis(bcg.head(1), "yi", variance="vi")
    with pytest.raises(ValueError, match="appears more than once"):
        meta_analysis(bcg.assign(author="same"), "yi", variance="vi", study="author")
