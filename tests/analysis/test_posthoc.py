"""Tests of analysis.posthoc against R, statsmodels, scipy and pingouin."""

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats
from statsmodels.stats.multicomp import pairwise_tukeyhsd

from analysis.posthoc import games_howell, tukey_hsd


def unequal_groups(seed=5):
    """Three groups with unequal sizes and variances (seeded)."""
    rng = np.random.default_rng(seed)
    spec = {"low": (8, 0.0, 1.0), "mid": (15, 0.8, 2.5), "high": (11, 1.5, 0.6)}
    frames = [pd.DataFrame({"y": rng.normal(mu, sd, n), "g": name}) for name, (n, mu, sd) in spec.items()]
    return pd.concat(frames, ignore_index=True)


def test_tukey_plant_growth_matches_r(plant_growth):
    # R 4.x: TukeyHSD(aov(weight ~ group, data = PlantGrowth)) prints
    #             diff        lwr       upr     p adj
    # trt1-ctrl -0.371 -1.0622161 0.3202161 0.3908711
    # trt2-ctrl  0.494 -0.1972161 1.1852161 0.1979960
    # trt2-trt1  0.865  0.1737839 1.5562161 0.0120064
    # R reports later minus earlier group; ours is group1 minus group2, so
    # signs and interval ends swap. Tolerance: half a unit in the last digit.
    table = tukey_hsd(plant_growth, "weight", "group")
    assert list(table.columns) == ["group1", "group2", "diff", "se", "statistic", "df", "p", "ci_low", "ci_high"]
    assert list(zip(table["group1"], table["group2"])) == [("ctrl", "trt1"), ("ctrl", "trt2"), ("trt1", "trt2")]
    np.testing.assert_allclose(table["diff"], [0.371, -0.494, -0.865], atol=1e-12)
    np.testing.assert_allclose(table["ci_low"], [-0.3202161, -1.1852161, -1.5562161], atol=5e-8)
    np.testing.assert_allclose(table["ci_high"], [1.0622161, 0.1972161, -0.1737839], atol=5e-8)
    np.testing.assert_allclose(table["p"], [0.3908711, 0.1979960, 0.0120064], atol=5e-8)
    assert (table["df"] == 27.0).all()


def test_tukey_unequal_sizes_matches_statsmodels_scipy_and_pingouin():
    data = unequal_groups()
    table = tukey_hsd(data, "y", "g", ci=0.90)
    order = ["high", "low", "mid"]  # sorted group order
    assert list(zip(table["group1"], table["group2"])) == [("high", "low"), ("high", "mid"), ("low", "mid")]

    reference = pairwise_tukeyhsd(data["y"], data["g"], alpha=0.10).summary().data[1:]
    # statsmodels rows: group1, group2, meandiff (group2 - group1), p-adj, lower, upper, reject (rounded to 4 dp)
    for row, (g1, g2, meandiff, p, lower, upper, _) in zip(table.itertuples(), reference):
        assert (row.group1, row.group2) == (g1, g2)
        assert row.diff == pytest.approx(-meandiff, abs=5e-5)
        assert row.p == pytest.approx(p, abs=5e-5)
        assert (row.ci_low, row.ci_high) == pytest.approx((-upper, -lower), abs=5e-5)

    samples = [data.loc[data["g"] == name, "y"] for name in order]
    scipy_result = stats.tukey_hsd(*samples)
    interval = scipy_result.confidence_interval(confidence_level=0.90)
    for row, (i, j) in zip(table.itertuples(), [(0, 1), (0, 2), (1, 2)]):
        assert row.p == pytest.approx(scipy_result.pvalue[i, j], abs=1e-6)
        assert row.ci_low == pytest.approx(interval.low[i, j], abs=1e-6)
        assert row.ci_high == pytest.approx(interval.high[i, j], abs=1e-6)

    theirs = pg.pairwise_tukey(data=data, dv="y", between="g")
    np.testing.assert_allclose(table["se"], theirs["se"], rtol=1e-10)
    np.testing.assert_allclose(table["statistic"], theirs["T"], rtol=1e-10)
    np.testing.assert_allclose(table["p"], theirs["p_tukey"], atol=1e-6)


def test_games_howell_matches_pingouin():
    data = unequal_groups(seed=9)
    table = games_howell(data, "y", "g")
    theirs = pg.pairwise_gameshowell(data=data, dv="y", between="g")
    assert list(table["group1"]) == list(theirs["A"]) and list(table["group2"]) == list(theirs["B"])
    for ours_column, their_column in [("diff", "diff"), ("se", "se"), ("statistic", "T"), ("df", "df")]:
        np.testing.assert_allclose(table[ours_column], theirs[their_column], rtol=1e-10)
    np.testing.assert_allclose(table["p"], theirs["pval"], atol=1e-6)


def test_games_howell_interval_agrees_with_p_value():
    # The simultaneous interval excludes 0 exactly when p < 1 - ci.
    data = unequal_groups(seed=2)
    for level in (0.90, 0.95):
        table = games_howell(data, "y", "g", ci=level)
        excludes_zero = (table["ci_low"] > 0) | (table["ci_high"] < 0)
        assert (excludes_zero == (table["p"] < 1 - level)).all()


def test_games_howell_df_is_welch_per_pair(plant_growth):
    table = games_howell(plant_growth, "weight", "group")
    x = plant_growth.loc[plant_growth["group"] == "ctrl", "weight"]
    y = plant_growth.loc[plant_growth["group"] == "trt1", "weight"]
    welch = stats.ttest_ind(x, y, equal_var=False)
    assert table.loc[0, "df"] == pytest.approx(welch.df, rel=1e-12)
    assert table.loc[0, "statistic"] == pytest.approx(welch.statistic, rel=1e-12)


def test_missing_values_dropped_and_counted(plant_growth):
    data = plant_growth.copy()
    data.loc[[3, 4], "weight"] = np.nan
    table = tukey_hsd(data, "weight", "group")
    assert table.attrs == {"n": 28, "n_dropped": 2}
    assert table.loc[0, "df"] == 25.0


@pytest.mark.parametrize("function", [tukey_hsd, games_howell])
def test_error_messages(function, plant_growth):
    with pytest.raises(ValueError, match="column 'group' has 1 group"):
        function(plant_growth[plant_growth["group"] == "ctrl"], "weight", "group")
    with pytest.raises(ValueError, match="group 'trt2' has 1 usable row"):
        function(plant_growth.iloc[:21], "weight", "group")
    with pytest.raises(ValueError, match="one column name"):
        function(plant_growth, "weight", ["group"])
    with pytest.raises(ValueError, match="column 'mass' is not in the data"):
        function(plant_growth, "mass", "group")
