"""Tests of analysis.assumptions against R's car::leveneTest, pingouin and scipy."""

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats

from analysis.assumptions import check_assumptions


def test_brown_forsythe_matches_r_car(plant_growth):
    # R 4.x, car 3.x: leveneTest(weight ~ group, data = PlantGrowth) (median-centred) prints
    #       Df F value Pr(>F)
    # group  2  1.1192 0.3412
    #       27
    # Tolerance: half a unit in the last printed digit.
    table = check_assumptions(plant_growth, "weight", "group")
    row = table.set_index("check").loc["brown_forsythe"]
    assert row["statistic"] == pytest.approx(1.1192, abs=5e-5)
    assert row["p"] == pytest.approx(0.3412, abs=5e-5)
    assert (row["df1"], row["df2"]) == (2.0, 27.0)


def test_levene_and_shapiro_match_pingouin_and_scipy(tooth_growth):
    data = tooth_growth[tooth_growth["supp"] == "VC"]
    table = check_assumptions(data, "len", "dose")
    levene = table.set_index("check").loc["levene"]
    samples = [data.loc[data["dose"] == d, "len"] for d in ["0.5", "1", "2"]]
    reference = stats.levene(*samples, center="mean")
    assert levene["statistic"] == pytest.approx(reference.statistic, rel=1e-12)
    assert levene["p"] == pytest.approx(reference.pvalue, rel=1e-12)
    theirs = pg.homoscedasticity(data, dv="len", group="dose", method="levene")  # median-centred
    bf = table.set_index("check").loc["brown_forsythe"]
    assert bf["statistic"] == pytest.approx(theirs["W"].iloc[0], rel=1e-10)

    shapiro = table[table["check"] == "shapiro"].set_index("group")
    normality = pg.normality(data, dv="len", group="dose")
    assert list(shapiro.index) == ["0.5", "1", "2"]
    np.testing.assert_allclose(shapiro["statistic"], normality.loc[shapiro.index, "W"], rtol=1e-10)
    np.testing.assert_allclose(shapiro["p"], normality.loc[shapiro.index, "pval"], rtol=1e-10)
    assert shapiro["df1"].isna().all() and table.loc[:1, "group"].isna().all()


def test_detects_unequal_variances():
    rng = np.random.default_rng(3)
    data = pd.DataFrame({"y": np.concatenate([rng.normal(0, 1, 60), rng.normal(0, 4, 60)]),
                         "g": ["a"] * 60 + ["b"] * 60})
    table = check_assumptions(data, "y", "g").set_index("check")
    assert table.loc["levene", "p"] < 0.001 and table.loc["brown_forsythe", "p"] < 0.001


def test_small_or_constant_group_gets_no_shapiro_value():
    data = pd.DataFrame({"y": [1.0, 2.0, 4.0, 7.0, 5.0, 5.0], "g": ["a", "a", "a", "a", "b", "b"]})
    table = check_assumptions(data, "y", "g")
    shapiro = table[table["check"] == "shapiro"].set_index("group")
    assert np.isfinite(shapiro.loc["a", "statistic"]) and np.isnan(shapiro.loc["b", "statistic"])


def test_columns_and_missing_values(plant_growth):
    data = plant_growth.copy()
    data.loc[0, "weight"] = np.nan
    table = check_assumptions(data, "weight", "group")
    assert list(table.columns) == ["check", "group", "statistic", "df1", "df2", "p"]
    assert table["check"].tolist() == ["levene", "brown_forsythe", "shapiro", "shapiro", "shapiro"]
    assert table.attrs == {"n": 29, "n_dropped": 1}
    assert table.loc[0, "df2"] == 26.0


def test_error_messages(plant_growth):
    with pytest.raises(ValueError, match="column 'group' has 1 group"):
        check_assumptions(plant_growth[plant_growth["group"] == "trt1"], "weight", "group")
    with pytest.raises(ValueError, match="column 'weight' is all missing"):
        check_assumptions(plant_growth.assign(weight=np.nan), "weight", "group")
    with pytest.raises(ValueError, match="one column name"):
        check_assumptions(plant_growth, "weight", ["group"])
