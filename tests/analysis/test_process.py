"""analysis.process: regressions against statsmodels (1e-8), codings, probing, bootstrap algebra, seeds, coverage.

Published PROCESS output is checked in test_process_published.py; here every deterministic quantity
is checked against an independent computation (statsmodels OLS and its robust covariances, scipy,
formulas written out in the test), and the vectorised bootstrap against plain OLS on the resampled data.
"""

import dataclasses

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import optimize, stats

from analysis import mediation
from analysis._bootstrap import iter_resample_indices
from analysis.process import ProcessResult, process
from analysis.process.bootstrap import bootstrap_coefficients
from analysis.process.coding import process_percentiles
from analysis.process.design import equation_terms
from analysis.process.spec import model_spec

TIGHT = dict(rtol=1e-8, atol=1e-10)


def moderated(n=300, seed=0, three_levels=False):
    """x (or a three-level condition), a continuous moderator w, mediators m1 m2, covariate age, outcome y."""
    rng = np.random.default_rng(seed)
    w = rng.normal(size=n)
    age = rng.normal(40, 10, size=n)
    if three_levels:
        condition = rng.choice(["neutral", "public", "private"], size=n)
        x = (condition == "public") * 0.6 + (condition == "private") * 0.2
    else:
        condition = None
        x = rng.normal(size=n)
    m1 = 0.4 * x + 0.3 * x * w + 0.2 * w + 0.01 * age + rng.normal(size=n) * (1 + 0.5 * np.abs(w))  # heteroskedastic
    m2 = -0.3 * x + rng.normal(size=n)
    y = 0.5 * m1 + 0.3 * m2 + 0.2 * x + 0.25 * m1 * w + rng.normal(size=n)
    frame = pd.DataFrame({"x": x, "w": w, "m1": m1, "m2": m2, "age": age, "y": y})
    if three_levels:
        frame["condition"] = condition
    return frame


def sm_rows(fit, names, level=0.95):
    low, high = fit.conf_int(1 - level).loc[names].to_numpy().T
    return np.column_stack([fit.params[names], fit.bse[names], fit.tvalues[names], fit.pvalues[names], low, high])


def hc4_covariance(design, resid):
    """HC4 (Cribari-Neto 2004) written out: (X'X)^-1 X' diag(e^2 / (1 - h)^d) X (X'X)^-1, d = min(4, n h / p)."""
    n, p = design.shape
    bread = np.linalg.inv(design.T @ design)
    leverage = np.einsum("ij,jk,ik->i", design, bread, design)
    omega = resid**2 / (1 - leverage) ** np.minimum(4, n * leverage / p)
    return bread @ (design.T * omega) @ design @ bread


# --- regressions ---------------------------------------------------------------------------------


@pytest.mark.parametrize("hc", [None, "HC0", "HC1", "HC2", "HC3"])
def test_model_7_regressions_equal_statsmodels(hc):
    data = moderated(seed=1)
    data["x:w"] = data["x"] * data["w"]
    result = process(data.drop(columns="x:w"), 7, x="x", m=["m1", "m2"], w="w", y="y", covariates="age", hc=hc, n_boot=200, seed=1)
    cov_type = hc or "nonrobust"
    for outcome, predictors in {"m1": ["x", "w", "x:w", "age"], "m2": ["x", "w", "x:w", "age"], "y": ["x", "m1", "m2", "age"]}.items():
        fit = sm.OLS(data[outcome], sm.add_constant(data[predictors])).fit(cov_type=cov_type)
        ours = result.coefficients[outcome]
        assert list(ours.index) == ["constant", *predictors]
        assert list(ours.columns) == ["coef", "se", "t", "p", "ci_low", "ci_high"]
        expected = sm_rows(fit, ["const", *predictors])
        if hc is not None:  # statsmodels uses the normal distribution for robust fits; PROCESS keeps t(n - p)
            expected[:, 3] = 2 * stats.t.sf(np.abs(expected[:, 2]), fit.df_resid)
            margin = stats.t.ppf(0.975, fit.df_resid) * expected[:, 1]
            expected[:, 4], expected[:, 5] = expected[:, 0] - margin, expected[:, 0] + margin
        np.testing.assert_allclose(ours.to_numpy(), expected, **TIGHT)
        # model F: the Wald test of all slopes with the same covariance (the classical F without hc)
        wald = fit.f_test(np.eye(len(predictors) + 1)[1:])
        summary = result.model_summary.loc[outcome]
        np.testing.assert_allclose([summary["r2"], summary["F"], summary["p"]], [fit.rsquared, wald.fvalue, wald.pvalue], **TIGHT)
        assert (summary["df1"], summary["df2"]) == (len(predictors), fit.df_resid)
        if hc is None:
            np.testing.assert_allclose(summary["F"], fit.fvalue, **TIGHT)


def test_hc4_equals_the_formula():
    data = moderated(seed=2)
    result = process(data, 1, x="x", w="w", y="y", covariates="age", hc="HC4")
    design = np.column_stack([np.ones(len(data)), data["x"], data["w"], data["x"] * data["w"], data["age"]])
    fit = sm.OLS(data["y"], design).fit()
    se = np.sqrt(np.diag(hc4_covariance(design, fit.resid.to_numpy())))
    np.testing.assert_allclose(result.coefficients["y"]["se"], se, **TIGHT)
    assert not np.allclose(se, fit.HC3_se)


def test_interaction_test_is_the_r2_change_and_wald_f():
    data = moderated(seed=3)
    for hc in (None, "HC3"):
        result = process(data, 1, x="x", w="w", y="y", hc=hc)
        full = sm.OLS(data["y"], sm.add_constant(pd.DataFrame({"x": data["x"], "w": data["w"], "xw": data["x"] * data["w"]}))).fit(cov_type=hc or "nonrobust")
        reduced = sm.OLS(data["y"], sm.add_constant(data[["x", "w"]])).fit()
        row = result.interaction_tests.iloc[0]
        assert (row["outcome"], row["term"]) == ("y", "x:w")
        wald = full.f_test("xw = 0")
        np.testing.assert_allclose([row["r2_change"], row["F"], row["p"]], [full.rsquared - reduced.rsquared, wald.fvalue, wald.pvalue], **TIGHT)


# --- moderator values, conditional effects, Johnson-Neyman -----------------------------------------


def test_process_percentiles_are_the_p_n_plus_1_order_statistic():
    values = np.random.default_rng(4).normal(size=211).round(1)
    np.testing.assert_allclose(process_percentiles(values), np.quantile(values, [0.16, 0.5, 0.84], method="weibull"), **TIGHT)
    # written out for n = 10: position p (n + 1) = 1.76, 5.5, 9.24 of the sorted values
    ordered = np.array([3.0, 1, 4, 1, 5, 9, 2, 6, 5, 3])
    s = np.sort(ordered)
    np.testing.assert_allclose(process_percentiles(ordered), [s[0] + 0.76 * (s[1] - s[0]), (s[4] + s[5]) / 2, s[8] + 0.24 * (s[9] - s[8])])
    assert not np.allclose(process_percentiles(values), np.quantile(values, [0.16, 0.5, 0.84]))


def test_default_values_of_dichotomous_and_continuous_moderators_and_given_ones():
    data = moderated(seed=5)
    data["female"] = (np.arange(len(data)) % 2).astype(float)
    assert process(data, 1, x="x", w="female", y="y").moderator_values["w"].tolist() == [0.0, 1.0]
    result = process(data, 1, x="x", w="w", y="y")
    np.testing.assert_allclose(result.moderator_values["w"], np.quantile(data["w"], [0.16, 0.5, 0.84], method="weibull"))
    assert process(data, 1, x="x", w="w", y="y", w_values=[-1, 1]).conditional_effects["w"].tolist() == [-1.0, 1.0]


def test_conditional_effects_equal_statsmodels_linear_contrasts():
    data = moderated(seed=6)
    result = process(data, 3, x="x", w="w", z="age", y="y", hc="HC3", w_values=[-1.0, 0.5], z_values=[30.0, 50.0])
    frame = pd.DataFrame({"x": data["x"], "w": data["w"], "z": data["age"]})
    frame["xw"], frame["xz"], frame["wz"], frame["xwz"] = frame.x * frame.w, frame.x * frame.z, frame.w * frame.z, frame.x * frame.w * frame.z
    fit = sm.OLS(data["y"], sm.add_constant(frame[["x", "w", "z", "xw", "xz", "wz", "xwz"]])).fit(cov_type="HC3")
    assert list(result.coefficients["y"].index) == ["constant", "x", "w", "age", "w:age", "x:w", "x:age", "x:w:age"]
    table = result.conditional_effects
    assert list(table.columns) == ["w", "z", "effect", "se", "t", "p", "ci_low", "ci_high"] and len(table) == 4
    for _, row in table.iterrows():
        weights = {"x": 1, "xw": row["w"], "xz": row["z"], "xwz": row["w"] * row["z"]}
        contrast = np.array([weights.get(name, 0.0) for name in fit.params.index])
        test = fit.t_test(contrast)
        assert row["effect"] == pytest.approx(float(test.effect[0]), rel=1e-9)
        assert row["se"] == pytest.approx(float(test.sd[0, 0]), rel=1e-9)
        assert row["p"] == pytest.approx(2 * stats.t.sf(abs(row["t"]), fit.df_resid), rel=1e-9)


def test_johnson_neyman_points_are_where_p_equals_alpha():
    data = moderated(seed=7)
    data["y"] = 0.1 * data["x"] + 0.3 * data["x"] * data["w"] + np.random.default_rng(70).normal(size=len(data))
    result = process(data, 1, x="x", w="w", y="y", hc="HC3")
    fit = sm.OLS(data["y"], sm.add_constant(pd.DataFrame({"x": data["x"], "w": data["w"], "xw": data["x"] * data["w"]}))).fit(cov_type="HC3")

    def p_minus_alpha(w):
        test = fit.t_test(np.array([0, 1, 0, w]))
        return 2 * stats.t.sf(abs(float(test.tvalue[0, 0])), fit.df_resid) - 0.05

    assert result.jn.moderator == "w" and result.jn.points
    grid = np.linspace(data["w"].min(), data["w"].max(), 400)
    signs = np.sign([p_minus_alpha(w) for w in grid])
    expected = [optimize.brentq(p_minus_alpha, grid[i], grid[i + 1], xtol=1e-13) for i in np.flatnonzero(np.diff(signs))]
    np.testing.assert_allclose(result.jn.points, expected, rtol=1e-9)
    table = result.jn.table
    assert len(table) == 21 + len(expected)
    np.testing.assert_allclose(table.loc[table["w"].isin(result.jn.points), "p"], 0.05, rtol=1e-9)
    assert table["w"].min() == data["w"].min() and table["w"].max() == data["w"].max()


# --- categorical X -----------------------------------------------------------------------------------

CODES = {  # PROCESS mcx 1-4 (Hayes 2022, appendix A; Hayes & Preacher 2014): rows are the levels in order
    "indicator": [[0, 0], [1, 0], [0, 1]],
    "sequential": [[0, 0], [1, 0], [1, 1]],
    "helmert": [[-2 / 3, 0], [1 / 3, -1 / 2], [1 / 3, 1 / 2]],
    "effect": [[-1, -1], [1, 0], [0, 1]],
}


@pytest.mark.parametrize("coding", sorted(CODES))
def test_multicategorical_x_codes_and_relative_effects(coding):
    data = moderated(seed=8, three_levels=True)
    levels = ["neutral", "private", "public"]  # x_reference first, then sorted
    result = process(data, 4, x="condition", m=["m1", "m2"], y="y", x_coding=coding, x_reference="neutral", n_boot=300, seed=2)
    codes = np.array(CODES[coding])[[levels.index(level) for level in data["condition"]]]
    labelled = levels[:-1] if coding == "helmert" else levels[1:]
    names = [f"condition[{level}]" for level in labelled]
    assert result.x_codes == {level: dict(zip(names, np.array(CODES[coding])[i])) for i, level in enumerate(levels)}
    design = pd.DataFrame(codes, columns=names, index=data.index)
    fit_m1 = sm.OLS(data["m1"], sm.add_constant(design)).fit()
    fit_y = sm.OLS(data["y"], sm.add_constant(pd.concat([design, data[["m1", "m2"]]], axis=1))).fit()
    fit_total = sm.OLS(data["y"], sm.add_constant(design)).fit()
    np.testing.assert_allclose(result.coefficients["m1"].to_numpy(), sm_rows(fit_m1, ["const", *names]), **TIGHT)
    np.testing.assert_allclose(result.coefficients["y"].to_numpy(), sm_rows(fit_y, ["const", *names, "m1", "m2"]), **TIGHT)
    np.testing.assert_allclose(result.total_effect.to_numpy(), sm_rows(fit_total, names), **TIGHT)
    np.testing.assert_allclose(result.direct_effect.to_numpy(), sm_rows(fit_y, names), **TIGHT)
    # relative indirect effects a_jk b_j; relative total = relative direct + the relative indirect ones
    indirect = result.indirect
    assert indirect.index.names == ["path", "contrast"]
    for name in names:
        a1 = fit_m1.params[name]
        assert indirect.loc[("condition -> m1 -> y", name), "effect"] == pytest.approx(a1 * fit_y.params["m1"], rel=1e-10)
        assert indirect.loc[("total", name), "effect"] + result.direct_effect.loc[name, "effect"] == pytest.approx(fit_total.params[name], rel=1e-9)
    # omnibus test of the total effect: one-way ANOVA; of the direct effect: the F of the codes given m1, m2
    anova = stats.f_oneway(*(data.loc[data["condition"] == level, "y"] for level in levels))
    np.testing.assert_allclose(result.omnibus.loc["total", ["r2_change", "F", "p"]].to_numpy(float), [fit_total.rsquared, anova.statistic, anova.pvalue], **TIGHT)
    reduced = sm.OLS(data["y"], sm.add_constant(data[["m1", "m2"]])).fit()
    f_direct = fit_y.compare_f_test(reduced)
    np.testing.assert_allclose(result.omnibus.loc["direct", ["r2_change", "F", "p"]].to_numpy(float), [fit_y.rsquared - reduced.rsquared, f_direct[0], f_direct[1]], **TIGHT)


def test_indicator_coding_of_total_effect_is_the_difference_of_group_means():
    data = moderated(seed=9, three_levels=True)
    result = process(data, 4, x="condition", m="m1", y="y", n_boot=200, seed=1)
    means = data.groupby("condition")["y"].mean()
    assert list(result.total_effect.index) == ["condition[private]", "condition[public]"]  # sorted; first is the reference
    np.testing.assert_allclose(result.total_effect["effect"], [means["private"] - means["neutral"], means["public"] - means["neutral"]], **TIGHT)


def test_codings_span_the_same_model():
    data = moderated(seed=10, three_levels=True)
    fits = {coding: process(data, 7, x="condition", m="m1", w="w", y="y", x_coding=coding, n_boot=200, seed=3) for coding in CODES}
    r2 = {coding: result.model_summary["r2"].to_numpy() for coding, result in fits.items()}
    for coding in CODES:
        np.testing.assert_allclose(r2[coding], r2["indicator"], **TIGHT)
    assert "condition[private]:w" in fits["indicator"].coefficients["m1"].index
    assert list(fits["indicator"].conditional_indirect.columns) == ["m", "w", "contrast", "effect", "boot_se", "ci_low", "ci_high"]


# --- bootstrap ------------------------------------------------------------------------------------


def test_model_4_draws_equal_analysis_mediation_with_the_same_seed():
    data = moderated(seed=11)
    ours = process(data, 4, x="x", m=["m1", "m2"], y="y", covariates="age", n_boot=1000, seed=42)
    theirs = mediation(data, x="x", m=["m1", "m2"], y="y", covariates="age", n_boot=1000, seed=42)
    np.testing.assert_allclose(ours.boot["indirect"][:, :2], theirs.boot_indirect, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours.indirect[["effect", "boot_se", "ci_low", "ci_high"]].to_numpy(), theirs.indirect.to_numpy(), rtol=1e-9)


def test_each_resample_equals_ols_on_the_resampled_rows():
    data = moderated(n=120, seed=12)
    result = process(data, 14, x="x", m="m1", w="w", y="y", covariates="age", n_boot=50, seed=7, w_values=[0.5])
    indices = np.concatenate(list(iter_resample_indices(len(data), 50, np.random.default_rng(7))))
    for row in (0, 17, 49):
        sample = data.iloc[indices[row]]
        a = sm.OLS(sample["m1"], sm.add_constant(sample[["x", "age"]])).fit().params["x"]
        frame = sample[["x", "m1", "w"]].assign(m1w=sample["m1"] * sample["w"], age=sample["age"])
        b = sm.OLS(sample["y"], sm.add_constant(frame)).fit().params
        assert result.boot["conditional_indirect"][row, 0] == pytest.approx(a * (b["m1"] + 0.5 * b["m1w"]), rel=1e-8)
        assert result.boot["index"][row, 0] == pytest.approx(a * b["m1w"], rel=1e-8)


def test_conditional_indirect_and_index_follow_the_coefficients():
    data = moderated(seed=13)
    result = process(data, 7, x="x", m=["m1", "m2"], w="w", y="y", n_boot=300, seed=5)
    a = result.coefficients["m1"]["coef"]
    b = result.coefficients["y"].loc["m1", "coef"]
    table = result.conditional_indirect[result.conditional_indirect["m"] == "m1"]
    np.testing.assert_allclose(table["effect"], (a["x"] + a["x:w"] * table["w"]) * b, **TIGHT)
    assert result.index.loc["m1", "index"] == pytest.approx(a["x:w"] * b, rel=1e-10)
    assert result.indirect is None and result.conditional_effects is None and result.direct_effect is not None


def test_serial_mediation_chains_and_contrasts():
    data = moderated(seed=14)
    result = process(data, 6, x="x", m=["m1", "m2"], y="y", n_boot=400, seed=6, contrasts=True)
    c = {outcome: table["coef"] for outcome, table in result.coefficients.items()}
    effects = result.indirect["effect"]
    assert list(effects.index) == ["x -> m1 -> y", "x -> m1 -> m2 -> y", "x -> m2 -> y", "total", "C1", "C2", "C3"]
    assert effects["x -> m1 -> m2 -> y"] == pytest.approx(c["m1"]["x"] * c["m2"]["m1"] * c["y"]["m2"], rel=1e-10)
    assert effects["total"] + result.direct_effect.loc["x", "effect"] == pytest.approx(result.total_effect.loc["x", "effect"], rel=1e-9)
    draws = result.boot["indirect"]
    np.testing.assert_allclose(draws[:, 4], draws[:, 0] - draws[:, 1], **TIGHT)  # C1 = first - second
    np.testing.assert_allclose(result.indirect.loc["C1", "boot_se"], np.std(draws[:, 4], ddof=1), **TIGHT)


def test_percentile_and_bias_corrected_intervals_use_the_same_draws():
    data = moderated(seed=15)
    percentile = process(data, 7, x="x", m="m1", w="w", y="y", n_boot=2000, seed=8)
    corrected = process(data, 7, x="x", m="m1", w="w", y="y", n_boot=2000, seed=8, ci_method="bc")
    np.testing.assert_array_equal(percentile.boot["conditional_indirect"], corrected.boot["conditional_indirect"])
    draws = percentile.boot["conditional_indirect"]
    np.testing.assert_allclose(percentile.conditional_indirect[["ci_low", "ci_high"]].to_numpy(), np.quantile(draws, [0.025, 0.975], axis=0).T, **TIGHT)
    assert not np.allclose(percentile.conditional_indirect["ci_low"], corrected.conditional_indirect["ci_low"])


def test_seed_reproduces_differs_and_is_recorded():
    data = moderated(seed=16)
    run = dict(model=14, x="x", m="m1", w="w", y="y", n_boot=500)
    first, again, other = process(data, seed=10, **run), process(data, seed=10, **run), process(data, seed=11, **run)
    np.testing.assert_array_equal(first.boot["conditional_indirect"], again.boot["conditional_indirect"])
    assert not np.array_equal(first.boot["conditional_indirect"], other.boot["conditional_indirect"])
    drawn = process(data, **run)
    np.testing.assert_array_equal(process(data, seed=drawn.seed, **run).boot["index"], drawn.boot["index"])


def test_percentile_interval_of_a_conditional_indirect_effect_covers_in_about_95_percent():
    # 1000 simulated data sets of model 7 (n = 100; m = 0.4 x + 0.3 x w + 0.2 w + e, y = 0.4 m + 0.2 x + e,
    # x and w standard normal); the conditional indirect effect at w = 1 is (0.4 + 0.3) * 0.4 = 0.28.
    # 1000 resamples each. Binomial SE of a 95% coverage over 1000 sets: 0.0069; 0.93-0.97 is +-2.9 SE.
    rng = np.random.default_rng(2026)
    equations = equation_terms(model_spec(7), x_terms=["x"], mediators=["m"], y="y", w="w", z=None, covariates=[])
    by_outcome = {equation.outcome: equation for equation in equations}
    a_terms = [by_outcome["m"].names.index(name) for name in ("x", "x:w")]
    b_term = by_outcome["y"].names.index("m")
    covered, sets = 0, 1000
    for _ in range(sets):
        x, w = rng.normal(size=100), rng.normal(size=100)
        m = 0.4 * x + 0.3 * x * w + 0.2 * w + rng.normal(size=100)
        y = 0.4 * m + 0.2 * x + rng.normal(size=100)
        coefs = bootstrap_coefficients(equations, {"x": x, "w": w, "m": m, "y": y}, n_boot=1000, seed=rng.integers(2**63))
        draws = (coefs["m"][:, a_terms[0]] + coefs["m"][:, a_terms[1]]) * coefs["y"][:, b_term]
        low, high = np.quantile(draws, [0.025, 0.975])
        covered += bool(low <= 0.28 <= high)
    assert 0.93 <= covered / sets <= 0.97


# --- the results object and input checks ------------------------------------------------------------


def test_result_is_a_frozen_dataclass_with_the_contract_fields_summary_and_frame():
    data = moderated(seed=17)
    result = process(data, 8, x="x", m="m1", w="w", y="y", covariates="age", hc="HC3", n_boot=300, seed=1)
    assert isinstance(result, ProcessResult) and dataclasses.is_dataclass(result)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.n = 1
    for field in ("coefficients", "model_summary", "indirect", "conditional_indirect", "conditional_effects", "index", "jn", "omnibus"):
        assert hasattr(result, field)
    assert list(result.model_summary.columns) == ["r2", "F", "df1", "df2", "p"]
    assert list(result.model_summary.index) == ["m1", "y"]
    assert list(result.index.columns) == ["index", "boot_se", "ci_low", "ci_high"]
    text = result.summary()
    for fragment in ("Model : 8", "Outcome Variable: m1", "se(HC3)", "F(HC3)", "Conditional indirect effects", "Index of moderated mediation", "x:w", "300"):
        assert fragment in text
    frame = result.to_frame()
    assert list(frame.columns) == ["table", "outcome", "label", "estimate", "se", "p", "ci_low", "ci_high"]
    assert set(frame["table"]) == {"coefficient", "conditional_effect", "conditional_indirect", "index"}


def test_listwise_deletion_and_two_level_text_x():
    data = moderated(seed=18)
    data["channel"] = np.where(data["x"] > 0, "public", "private")
    data.loc[[0, 3], "m1"] = np.nan
    result = process(data, 4, x="channel", m="m1", y="y", n_boot=200, seed=1)
    assert (result.n, result.n_dropped) == (len(data) - 2, 2)
    assert "channel[public]" in result.coefficients["m1"].index
    assert result.x_codes == {"private": {"channel[public]": 0.0}, "public": {"channel[public]": 1.0}}


@pytest.mark.parametrize(
    "change,message",
    [
        (dict(model=9), "PROCESS models"),
        (dict(model=7, w=None), "name its column in `w`"),
        (dict(model=4, w="w"), "no moderator W"),
        (dict(model=1, m="m1"), "no mediators"),
        (dict(model=6, m="m1"), "two or more mediators"),
        (dict(hc="HC5"), "hc"),
        (dict(n_boot=0), "n_boot"),
        (dict(ci_method="bca"), "ci_method"),
        (dict(x_coding="dummy"), "x_coding"),
        (dict(x_reference="none"), "x_reference"),
        (dict(y="nope"), "not in the data"),
        (dict(model={"first_stage": ["q"]}), "use 'w', 'z' or 'w\\*z'"),
        (dict(model=4, w=None, w_values=[1.0]), "no moderator W"),
        (dict(w_values={"low": 1.0}), "w_values must be one or more finite numbers"),
    ],
)
def test_bad_input_raises_a_clear_value_error(change, message):
    data = moderated(seed=19)
    arguments = dict(data=data, model=7, x="x", m="m1", w="w", y="y", n_boot=100, seed=1) | change
    if arguments["model"] in (1, 9):
        arguments.setdefault("m", None) if "m" in change else arguments.update(m=None)
    with pytest.raises(ValueError, match=message):
        process(**arguments)


def test_resamples_that_miss_a_group_of_x_are_dropped_with_a_warning():
    # a three-level x whose smallest group has 2 of 30 cases: a resample misses it with probability
    # (28/30)^30 = 0.13; exactly those resamples (found by redrawing the same indices) must be NaN
    data = moderated(n=30, seed=20, three_levels=True)
    data["condition"] = ["rare"] * 2 + ["common"] * 14 + ["other"] * 14
    with pytest.warns(RuntimeWarning, match="could not be estimated"):
        result = process(data, 4, x="condition", m="m1", y="y", n_boot=400, seed=3)
    indices = np.concatenate(list(iter_resample_indices(30, 400, np.random.default_rng(3))))
    misses = ~np.isin(indices, [0, 1]).any(axis=1)
    assert 0 < misses.sum() < 400
    np.testing.assert_array_equal(np.isnan(result.boot["indirect"]).any(axis=1), misses)
    assert np.isfinite(result.indirect.to_numpy()).all()


def test_a_dict_of_moderated_paths_is_the_same_model_as_its_preset():
    data = moderated(seed=21)
    preset = process(data, 59, x="x", m="m1", w="w", y="y", n_boot=300, seed=4)
    custom = process(data, {"first_stage": ["w"], "second_stage": ["w"], "direct": ["w"]}, x="x", m="m1", w="w", y="y", n_boot=300, seed=4)
    for outcome in preset.coefficients:
        pd.testing.assert_frame_equal(custom.coefficients[outcome], preset.coefficients[outcome])
    pd.testing.assert_frame_equal(custom.conditional_indirect, preset.conditional_indirect)
    assert custom.model.number is None and preset.index is None  # quadratic in w: no index, as PROCESS


# Data as researchers bring it (found by trying messy inputs; each case failed or misled before)


def test_a_predictor_in_large_units_is_not_taken_for_collinear():
    # GDP in dollars (~1e11) beside a 0/1 treatment: R's diagonal spans 12 orders of magnitude. The
    # reference is the same model on GDP in units of 1e11 (well conditioned), its slopes scaled back.
    rng = np.random.default_rng(3)
    data = pd.DataFrame({"treat": rng.integers(0, 2, 150), "gdp": rng.lognormal(26, 1.0, 150)})
    data["m"] = 0.5 * data["treat"] + rng.normal(size=150)
    data["y"] = 0.3 * data["treat"] + 0.4 * data["m"] + 2e-12 * data["gdp"] + rng.normal(size=150)
    result = process(data, 1, x="treat", w="gdp", y="y", hc="HC3")
    scaled = data.assign(gdp=data["gdp"] / 1e11)
    design = sm.add_constant(np.column_stack([scaled["treat"], scaled["gdp"], scaled["treat"] * scaled["gdp"]]))
    reference = sm.OLS(scaled["y"].to_numpy(), design).fit(cov_type="HC3")
    np.testing.assert_allclose(result.coefficients["y"]["coef"], reference.params / [1, 1, 1e11, 1e11], rtol=1e-9)
    np.testing.assert_allclose(result.coefficients["y"]["se"], reference.bse / [1, 1, 1e11, 1e11], rtol=1e-9)
    process(data, 4, x="treat", m="m", y="y", covariates="gdp", n_boot=50, seed=1)
    mediation(data, "treat", "m", "y", covariates="gdp", hc="HC3", n_boot=50, seed=1)
    with pytest.raises(ValueError, match="collinear"):
        process(data.assign(copy=2 * data["gdp"]), 4, x="treat", m="m", y="y", covariates=["gdp", "copy"], n_boot=50)


def test_names_with_brackets_get_a_test_per_product_as_plain_names_do():
    data = moderated(seed=30)
    plain = process(data, 15, x="x", m="m1", w="w", y="y", n_boot=50, seed=1).interaction_tests
    renamed = data.rename(columns={"x": "score[t1]", "m1": "score[t2]"})
    bracketed = process(renamed, 15, x="score[t1]", m="score[t2]", w="w", y="y", n_boot=50, seed=1).interaction_tests
    assert list(bracketed["term"]) == [term.replace("m1", "score[t2]").replace("x", "score[t1]") for term in plain["term"]]
    np.testing.assert_array_equal(bracketed[["F", "df1", "p"]].to_numpy(), plain[["F", "df1", "p"]].to_numpy())
    assert (bracketed["df1"] == 1).all()


def test_model_3_tests_only_the_three_way_product_as_process_does():
    data = moderated(seed=31).assign(z=lambda frame: np.random.default_rng(131).normal(size=len(frame)))
    tests = process(data, 3, x="x", w="w", z="z", y="y").interaction_tests
    assert list(tests["term"]) == ["x:w:z"]
    two_way = process(data, 2, x="x", w="w", z="z", y="y").interaction_tests  # no three-way term: each, and both
    assert list(two_way["term"]) == ["x:w", "x:z", "x:w, x:z"]


@pytest.mark.parametrize(
    "spoil,message",
    [
        (lambda data: data.assign(x=data["x"].where(data.index != 3, np.inf)), "'x' \\(x\\) contains infinite values"),
        (lambda data: data.assign(x=[1, 2, "control"] * (len(data) // 3)), "'x' \\(x\\) mixes values of different types \\(int, str\\)"),
        (lambda data: data.assign(x=data["x"].where(data.index % 2 == 0), y=data["y"].where(data.index % 2 == 1)),
         "no row has a value in every one of the columns 'x', 'm1', 'y'"),
        (lambda data: data.set_axis(["x", "w", "m1", "m1", "age", "y"], axis=1), "'m1' appears more than once"),
        (lambda data: data.rename(columns={"age": "constant"}), "named 'constant'"),
    ],
    ids=["inf in x", "mixed types in x", "no complete row", "duplicated column", "a column named constant"],
)
def test_messy_data_gets_a_clear_error_from_process_and_mediation(spoil, message):
    data = spoil(moderated(n=60, seed=32))
    covariates = ["constant"] if "constant" in data else None
    with pytest.raises(ValueError, match=message):
        process(data, 4, x="x", m="m1", y="y", covariates=covariates, n_boot=50, seed=1)
    if covariates is None:  # mediation labels its intercept differently
        with pytest.raises(ValueError, match=message.replace(" \\(x\\)", "( \\(x\\))?")):
            mediation(data, "x", "m1", "y", n_boot=50, seed=1)


def test_serial_chains_come_in_processs_order_with_pyprocessmacros_estimates():
    # pyprocessmacro (QuentinAndre/pyprocessmacro, a port of PROCESS) lists model 6's chains by first
    # mediator, then shorter first: x -> m1 -> m3 -> y before x -> m1 -> m2 -> m3 -> y; the contrasts
    # C1, ... pair effects in that order. Its point estimates are an independent computation.
    import warnings

    from pyprocessmacro import Process

    rng = np.random.default_rng(33)
    n = 200
    data = pd.DataFrame({"x": rng.normal(size=n)})
    for k, parent in enumerate(["x", "m1", "m2", "m3"], start=1):
        data[f"m{k}"] = 0.6 * data[parent] + 0.3 * data["x"] + rng.normal(size=n)
    data["y"] = 0.5 * data["m4"] + 0.2 * data["m1"] + rng.normal(size=n)
    mediators = ["m1", "m2", "m3", "m4"]
    ours = process(data, 6, x="x", m=mediators, y="y", n_boot=100, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = Process(data=data, model=6, x="x", m=mediators, y="y", boot=100, seed=1, suppr_init=True)
    reference = theirs.indirect_model.coeff_summary()  # the path labels are its unnamed first column
    paths = [label for label in ours.indirect.index if label != "total"]
    assert paths == [label.strip() for label in reference[""]]
    np.testing.assert_allclose(ours.indirect.loc[paths, "effect"], reference["Effect"], rtol=1e-9)


def test_a_numpy_model_number_works_and_numbers_stored_as_text_get_a_hint():
    data = moderated(n=80, seed=34)
    assert process(data, np.int64(1), x="x", w="w", y="y").model.number == 1
    as_text = data.assign(x=data["x"].round(3).astype(str))  # as a CSV read with a stray header row leaves it
    with pytest.raises(ValueError, match="numbers stored as text: convert them"):
        process(as_text, 1, x="x", w="w", y="y")


def test_a_dichotomous_y_is_fitted_by_ols_with_a_warning_that_process_would_use_logistic_regression():
    data = moderated(n=80, seed=35)
    data["y"] = (data["y"] > data["y"].median()).astype(int)
    with pytest.warns(UserWarning, match="logistic regression"):
        result = process(data, 4, x="x", m="m1", y="y", n_boot=50, seed=1)
    reference = sm.OLS(data["y"], sm.add_constant(data[["x", "m1"]])).fit()
    np.testing.assert_allclose(result.coefficients["y"]["coef"], reference.params, **TIGHT)


def test_a_boolean_x_is_zero_one_as_in_mediation():
    data = moderated(n=80, seed=36)
    flagged = data.assign(x=data["x"] > 0)
    as_numbers = data.assign(x=(data["x"] > 0).astype(float))
    result = process(flagged, 4, x="x", m="m1", y="y", n_boot=100, seed=1)
    pd.testing.assert_frame_equal(result.indirect, process(as_numbers, 4, x="x", m="m1", y="y", n_boot=100, seed=1).indirect)
    assert list(result.coefficients["m1"].index) == ["constant", "x"]


def test_the_summary_defines_each_contrast_as_the_difference_it_holds():
    data = moderated(seed=37)
    result = process(data, 6, x="x", m=["m1", "m2"], y="y", n_boot=100, seed=1, contrasts=True)
    text = result.summary()
    key = text.split("contrast definition(s):\n")[1].split("\n\n")[0].splitlines()
    assert len(key) == 3
    for line in key:
        label, pair = line.split("  ", 1)
        first, second = pair.split("  minus  ")
        effects = result.indirect["effect"]
        assert effects[label] == pytest.approx(effects[first] - effects[second], rel=1e-12)
