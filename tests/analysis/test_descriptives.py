"""Tests of analysis.descriptives.describe against scipy and published values."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.descriptives import describe


def test_plant_growth_means_match_r(plant_growth):
    # R: aggregate(weight ~ group, PlantGrowth, mean) prints 5.032, 4.661, 5.526
    # and with sd: 0.5830914, 0.7936757, 0.4425733. Tolerance 1e-6.
    table = describe(plant_growth, "weight", "group")
    assert table["group"].tolist() == ["ctrl", "trt1", "trt2"]
    np.testing.assert_allclose(table["mean"], [5.032, 4.661, 5.526], atol=1e-9)
    np.testing.assert_allclose(table["sd"], [0.5830914, 0.7936757, 0.4425733], atol=1e-6)
    assert table["n"].tolist() == [10, 10, 10]


def test_interval_matches_scipy_t_interval(plant_growth):
    table = describe(plant_growth, "weight", "group", ci=0.90)
    for _, row in table.iterrows():
        values = plant_growth.loc[plant_growth["group"] == row["group"], "weight"]
        low, high = stats.t.interval(0.90, len(values) - 1, loc=values.mean(), scale=stats.sem(values))
        assert row["ci_low"] == pytest.approx(low, rel=1e-12)
        assert row["ci_high"] == pytest.approx(high, rel=1e-12)
        assert row["se"] == pytest.approx(stats.sem(values), rel=1e-12)


def test_two_factors_and_missing_values_are_counted(tooth_growth):
    data = tooth_growth.copy()
    data.loc[[0, 1], "len"] = np.nan  # two missing in VC / 0.5
    data.loc[59, "supp"] = None  # missing group: left out entirely
    table = describe(data, "len", ["supp", "dose"])
    assert list(table.columns[:2]) == ["supp", "dose"]
    assert len(table) == 6
    cell = table[(table["supp"] == "VC") & (table["dose"] == "0.5")].iloc[0]
    assert (cell["n"], cell["n_missing"]) == (8, 2)
    assert cell["mean"] == pytest.approx(np.mean([7.3, 5.8, 6.4, 10.0, 11.2, 11.2, 5.2, 7.0]))
    last = table[(table["supp"] == "OJ") & (table["dose"] == "2")].iloc[0]
    assert last["n"] == 9


def test_whole_sample_without_by(sleep):
    table = describe(sleep, "extra")
    assert list(table.columns) == ["n", "n_missing", "mean", "sd", "se", "ci_low", "ci_high"]
    assert table.loc[0, "mean"] == pytest.approx(sleep["extra"].mean())


def test_single_value_group_has_missing_spread():
    frame = pd.DataFrame({"g": ["a", "a", "b"], "y": [1.0, 2.0, 5.0]})
    row = describe(frame, "y", "g").iloc[1]
    assert row["n"] == 1 and np.isnan(row["sd"]) and np.isnan(row["ci_low"])


def test_categorical_groups_keep_category_order():
    frame = pd.DataFrame({"g": pd.Categorical(["z", "a", "z", "a"], categories=["z", "a"]),
                          "y": [1.0, 2.0, 3.0, 5.0]})
    assert describe(frame, "y", "g")["g"].tolist() == ["z", "a"]


@pytest.mark.parametrize(
    ("frame", "dv", "by", "message"),
    [
        (pd.DataFrame({"y": [1.0, 2.0]}), "y", "group", "column 'group' is not in the data"),
        (pd.DataFrame({"y": [np.nan, np.nan], "g": ["a", "b"]}), "y", "g", "column 'y' is all missing"),
        (pd.DataFrame({"y": [3.0, 3.0], "g": ["a", "b"]}), "y", "g", "column 'y' is constant"),
        (pd.DataFrame({"y": ["x", "z"], "g": ["a", "b"]}), "y", "g", "column 'y' is not numeric"),
    ],
)
def test_bad_input_names_column_and_problem(frame, dv, by, message):
    with pytest.raises(ValueError, match=message):
        describe(frame, dv, by)


def test_bad_confidence_level():
    frame = pd.DataFrame({"y": [1.0, 2.0]})
    with pytest.raises(ValueError, match="`ci` must be a proportion"):
        describe(frame, "y", ci=95)
