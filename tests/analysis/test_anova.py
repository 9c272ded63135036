"""Tests of analysis.anova against published R output, pingouin and statsmodels."""

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
import statsmodels.formula.api as smf
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.anova import anova_lm

from analysis.anova import anova, welch_anova


def test_one_way_plant_growth_matches_r(plant_growth):
    # R 4.x: summary(aov(weight ~ group, data = PlantGrowth)) prints
    #             Df Sum Sq Mean Sq F value Pr(>F)
    # group        2  3.766  1.8832   4.846 0.0159 *
    # Residuals   27 10.492  0.3886
    # Tolerances: half a unit in the last printed digit.
    table = anova(plant_growth, "weight", "group")
    assert table["source"].tolist() == ["group", "Residual"]
    assert table["df"].tolist() == [2.0, 27.0]
    np.testing.assert_allclose(table["ss"], [3.766, 10.492], atol=5e-4)
    np.testing.assert_allclose(table["ms"], [1.8832, 0.3886], atol=5e-5)
    assert table.loc[0, "F"] == pytest.approx(4.846, abs=5e-4)
    assert table.loc[0, "p"] == pytest.approx(0.0159, abs=5e-5)
    assert np.isnan(table.loc[1, "F"]) and np.isnan(table.loc[1, "omega2"])


def test_one_way_effect_sizes_match_closed_forms(plant_growth):
    # In a one-way design partial eta squared is SS_b / SS_total and partial
    # omega squared equals the classic omega squared
    # (SS_b - df_b * MS_w) / (SS_total + MS_w) (Hays 1963; Olejnik & Algina 2003).
    table = anova(plant_growth, "weight", "group")
    ss_b, ss_w = table["ss"]
    ms_w = table.loc[1, "ms"]
    assert table.loc[0, "eta2_p"] == pytest.approx(ss_b / (ss_b + ss_w), rel=1e-12)
    assert table.loc[0, "omega2"] == pytest.approx((ss_b - 2 * ms_w) / (ss_b + ss_w + ms_w), rel=1e-12)


def test_one_way_matches_pingouin(plant_growth):
    ours = anova(plant_growth, "weight", "group")
    theirs = pg.anova(data=plant_growth, dv="weight", between="group", detailed=True)
    np.testing.assert_allclose(ours["ss"], theirs["SS"], rtol=1e-10)
    assert ours.loc[0, "F"] == pytest.approx(theirs.loc[0, "F"], rel=1e-10)
    assert ours.loc[0, "p"] == pytest.approx(theirs.loc[0, "p_unc"], rel=1e-8)
    assert ours.loc[0, "eta2_p"] == pytest.approx(theirs.loc[0, "np2"], rel=1e-8)


@pytest.mark.parametrize("ss_type", [2, 3])
def test_tooth_growth_factorial_matches_r(tooth_growth, ss_type):
    # R 4.x: summary(aov(len ~ supp * factor(dose), data = ToothGrowth)) prints
    #                   Df Sum Sq Mean Sq F value   Pr(>F)
    # supp               1  205.4   205.4  15.572 0.000231 ***
    # factor(dose)       2 2426.4  1213.2  92.000  < 2e-16 ***
    # supp:factor(dose)  2  108.3    54.2   4.107 0.021860 *
    # Residuals         54  712.1    13.2
    # The design is balanced, so types I, II and III coincide.
    table = anova(tooth_growth, "len", ["supp", "dose"], ss_type=ss_type)
    assert table["source"].tolist() == ["supp", "dose", "supp:dose", "Residual"]
    assert table["df"].tolist() == [1.0, 2.0, 2.0, 54.0]
    np.testing.assert_allclose(table["ss"], [205.4, 2426.4, 108.3, 712.1], atol=0.05)
    np.testing.assert_allclose(table["F"].iloc[:3], [15.572, 92.000, 4.107], atol=5e-4)
    np.testing.assert_allclose(table["p"].iloc[[0, 2]], [0.000231, 0.021860], atol=5e-7)
    assert table.loc[1, "p"] < 2e-16


def test_interaction_named_in_given_factor_order(tooth_growth):
    table = anova(tooth_growth, "len", ["dose", "supp"])
    assert table["source"].tolist() == ["dose", "supp", "dose:supp", "Residual"]


def test_unbalanced_type3_matches_published_and_pingouin():
    # onlinestatbook.com (Lane, "Unequal Sample Sizes", chapter 15) type III
    # sums of squares for the diet x exercise example: Diet 390.625,
    # Exercise 180.625, interaction 15.625, error 315.75 (df 6).
    data = pg.read_dataset("anova2_unbalanced")
    table = anova(data, "Scores", ["Diet", "Exercise"], ss_type=3)
    np.testing.assert_allclose(table["ss"], [390.625, 180.625, 15.625, 315.75], rtol=1e-10)
    theirs = pg.anova(data=data, dv="Scores", between=["Diet", "Exercise"], detailed=True)
    np.testing.assert_allclose(table["F"].iloc[:3], theirs["F"].iloc[:3], rtol=1e-8)
    np.testing.assert_allclose(table["p"].iloc[:3], theirs["p_unc"].iloc[:3], rtol=1e-8)


def test_unbalanced_type3_matches_statsmodels_sum_contrasts_and_pingouin(unbalanced_two_way):
    data = unbalanced_two_way
    table = anova(data, "y", ["a", "b"], ss_type=3)
    fit = smf.ols("y ~ C(a, Sum) * C(b, Sum)", data=data).fit()
    reference = anova_lm(fit, typ=3).drop(index="Intercept")
    np.testing.assert_allclose(table["ss"], reference["sum_sq"], rtol=1e-10)
    np.testing.assert_allclose(table["F"].iloc[:3], reference["F"].iloc[:3], rtol=1e-10)
    theirs = pg.anova(data=data, dv="y", between=["a", "b"], ss_type=3, detailed=True)
    np.testing.assert_allclose(table["ss"], theirs["SS"], rtol=1e-8)
    np.testing.assert_allclose(table["p"].iloc[:3], theirs["p_unc"].iloc[:3], rtol=1e-8)


def test_unbalanced_type2_differs_from_type3_and_matches_pingouin(unbalanced_two_way):
    data = unbalanced_two_way
    type2 = anova(data, "y", ["a", "b"], ss_type=2)
    type3 = anova(data, "y", ["a", "b"], ss_type=3)
    assert abs(type2.loc[0, "ss"] - type3.loc[0, "ss"]) > 1e-3
    theirs = pg.anova(data=data, dv="y", between=["a", "b"], ss_type=2, detailed=True)
    np.testing.assert_allclose(type2["ss"], theirs["SS"], rtol=1e-8)


def test_ancova_matches_pingouin():
    # pingouin's "ancova" data set (teaching method, family income as covariate);
    # pingouin.ancova uses type II sums of squares.
    data = pg.read_dataset("ancova")
    table = anova(data, "Scores", "Method", covariates="Income")
    theirs = pg.ancova(data=data, dv="Scores", covar="Income", between="Method")
    assert table["source"].tolist() == ["Method", "Income", "Residual"]
    np.testing.assert_allclose(table["ss"], theirs["SS"], rtol=1e-8)
    np.testing.assert_allclose(table["F"].iloc[:2], theirs["F"].iloc[:2], rtol=1e-8)
    np.testing.assert_allclose(table["p"].iloc[:2], theirs["p_unc"].iloc[:2], rtol=1e-6)
    np.testing.assert_allclose(table["eta2_p"].iloc[:2], theirs["np2"].iloc[:2], rtol=1e-6)


def test_factorial_ancova_type3_matches_statsmodels(unbalanced_two_way):
    data = unbalanced_two_way
    table = anova(data, "y", ["a", "b"], covariates=["age"], ss_type=3)
    fit = smf.ols("y ~ C(a, Sum) * C(b, Sum) + age", data=data).fit()
    reference = anova_lm(fit, typ=3)
    order = ["C(a, Sum)", "C(b, Sum)", "C(a, Sum):C(b, Sum)", "age", "Residual"]
    assert table["source"].tolist() == ["a", "b", "a:b", "age", "Residual"]
    np.testing.assert_allclose(table["ss"], reference.loc[order, "sum_sq"], rtol=1e-10)


def test_rows_with_missing_values_are_dropped_and_counted(plant_growth):
    data = plant_growth.copy()
    data.loc[[0, 15], "weight"] = np.nan
    data.loc[29, "group"] = None
    table = anova(data, "weight", "group")
    assert table.attrs["n"] == 27 and table.attrs["n_dropped"] == 3
    assert table.loc[1, "df"] == 24.0
    complete = data.dropna()
    assert table.loc[0, "F"] == pytest.approx(pg.anova(data=complete, dv="weight", between="group").loc[0, "F"])


def test_unusual_column_names_work(plant_growth):
    data = plant_growth.rename(columns={"weight": "dry weight (g)", "group": "Group-1"})
    table = anova(data, "dry weight (g)", "Group-1")
    assert table.loc[0, "source"] == "Group-1"
    assert table.loc[0, "F"] == pytest.approx(4.846, abs=5e-4)


def test_error_messages(plant_growth, tooth_growth):
    with pytest.raises(ValueError, match="column 'condition' is not in the data"):
        anova(plant_growth, "weight", "condition")
    with pytest.raises(ValueError, match="column 'group' has 1 group"):
        anova(plant_growth[plant_growth["group"] == "ctrl"], "weight", "group")
    with pytest.raises(ValueError, match="`ss_type` must be 2 or 3"):
        anova(plant_growth, "weight", "group", ss_type=1)
    with pytest.raises(ValueError, match="column 'weight' is constant"):
        anova(plant_growth.assign(weight=1.0), "weight", "group")
    empty_cell = tooth_growth[~((tooth_growth["supp"] == "OJ") & (tooth_growth["dose"] == "2"))]
    with pytest.raises(ValueError, match=r"empty cell \(supp='OJ', dose='2'\)"):
        anova(empty_cell, "len", ["supp", "dose"])
    no_spread = pd.DataFrame({"y": [1.0, 1.0, 2.0, 2.0], "g": ["a", "a", "b", "b"]})
    with pytest.raises(ValueError, match="no variance within the cells"):
        anova(no_spread, "y", "g")
    with pytest.raises(ValueError, match="each column may be used once"):
        anova(plant_growth, "weight", "group", covariates="weight")


def test_welch_plant_growth_matches_r_and_pingouin(plant_growth):
    # R 4.x: oneway.test(weight ~ group, data = PlantGrowth) prints
    # F = 5.181, num df = 2.000, denom df = 17.128, p-value = 0.01739
    table = welch_anova(plant_growth, "weight", "group")
    assert list(table.columns) == ["source", "df1", "df2", "F", "p"]
    row = table.iloc[0]
    assert row["source"] == "group" and row["df1"] == 2.0
    assert row["df2"] == pytest.approx(17.128, abs=5e-4)
    assert row["F"] == pytest.approx(5.181, abs=5e-4)
    assert row["p"] == pytest.approx(0.01739, abs=5e-6)
    theirs = pg.welch_anova(data=plant_growth, dv="weight", between="group").iloc[0]
    assert row["F"] == pytest.approx(theirs["F"], rel=1e-10)
    assert row["df2"] == pytest.approx(theirs["ddof2"], rel=1e-10)
    assert row["p"] == pytest.approx(theirs["p_unc"], rel=1e-8)


def test_welch_error_messages(plant_growth):
    constant_group = plant_growth.copy()
    constant_group.loc[constant_group["group"] == "trt1", "weight"] = 4.0
    with pytest.raises(ValueError, match="every value in group 'trt1'"):
        welch_anova(constant_group, "weight", "group")
    trt2 = plant_growth["group"] == "trt2"
    tiny = pd.concat([plant_growth[~trt2], plant_growth[trt2].head(1)])
    with pytest.raises(ValueError, match="group 'trt2' has 1 usable row"):
        welch_anova(tiny, "weight", "group")
    with pytest.raises(ValueError, match="one column name"):
        welch_anova(plant_growth, "weight", ["group"])


def test_invariant_to_row_order_and_affine_rescaling(unbalanced_two_way):
    # F and p of every effect do not change when rows are shuffled or the dv
    # is rescaled (y -> 10 - 3y); sums of squares scale by 9.
    data = unbalanced_two_way
    original = anova(data, "y", ["a", "b"], covariates="age", ss_type=3)
    shuffled = data.sample(frac=1.0, random_state=7).assign(y=lambda d: 10 - 3 * d["y"])
    changed = anova(shuffled, "y", ["a", "b"], covariates="age", ss_type=3)
    np.testing.assert_allclose(changed["F"].iloc[:-1], original["F"].iloc[:-1], rtol=1e-9)
    np.testing.assert_allclose(changed["ss"], 9 * original["ss"], rtol=1e-9)
    np.testing.assert_allclose(changed["omega2"].iloc[:-1], original["omega2"].iloc[:-1], rtol=1e-9)


@settings(max_examples=25, deadline=None, derandomize=True, database=None)  # reproducible: fixed examples
@given(
    sizes=st.lists(st.integers(min_value=2, max_value=9), min_size=2, max_size=4),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_one_way_matches_scipy_f_oneway_for_any_group_sizes(sizes, seed):
    rng = np.random.default_rng(seed)
    frames = [pd.DataFrame({"y": rng.normal(i * 0.3, 1 + 0.2 * i, size), "g": f"g{i}"})
              for i, size in enumerate(sizes)]
    data = pd.concat(frames, ignore_index=True)
    table = anova(data, "y", "g")
    reference = stats.f_oneway(*(frame["y"] for frame in frames))
    assert table.loc[0, "F"] == pytest.approx(reference.statistic, rel=1e-9)
    assert table.loc[0, "p"] == pytest.approx(reference.pvalue, rel=1e-7, abs=1e-300)
    # type III equals type II in a one-way design, whatever the sizes
    assert anova(data, "y", "g", ss_type=3).loc[0, "ss"] == pytest.approx(table.loc[0, "ss"], rel=1e-9)
