"""Tests of analysis.correlation against R's cor.test, scipy and pingouin."""

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats

from analysis.correlation import correlate

# R datasets::mtcars (Henderson & Velleman 1981), columns mpg and wt, in R's row order.
MTCARS = pd.DataFrame({
    "mpg": [21.0, 21.0, 22.8, 21.4, 18.7, 18.1, 14.3, 24.4, 22.8, 19.2, 17.8, 16.4, 17.3, 15.2, 10.4, 10.4,
            14.7, 32.4, 30.4, 33.9, 21.5, 15.5, 15.2, 13.3, 19.2, 27.3, 26.0, 30.4, 15.8, 19.7, 15.0, 21.4],
    "wt": [2.620, 2.875, 2.320, 3.215, 3.440, 3.460, 3.570, 3.190, 3.150, 3.440, 3.440, 4.070, 3.730, 3.780,
           5.250, 5.424, 5.345, 2.200, 1.615, 1.835, 2.465, 3.520, 3.435, 3.840, 3.845, 1.935, 2.140, 1.513,
           3.170, 2.770, 3.570, 2.780],
})


def test_pearson_matches_r_cor_test():
    # R 4.x: cor.test(mtcars$mpg, mtcars$wt) prints
    #   t = -9.559, df = 30, p-value = 1.294e-10
    #   95 percent confidence interval: -0.9338264 -0.7440872
    #   cor -0.8676594
    # and cor.test(..., method = "spearman"): rho -0.886422, p-value = 1.488e-11.
    # Tolerance: half a unit in the last printed digit.
    table = correlate(MTCARS, "mpg", "wt")
    assert list(table.columns) == ["method", "n", "r", "ci_low", "ci_high", "p"]
    pearson, spearman = table.iloc[0], table.iloc[1]
    assert pearson["method"] == "pearson" and pearson["n"] == 32
    assert pearson["r"] == pytest.approx(-0.8676594, abs=5e-8)
    assert (pearson["ci_low"], pearson["ci_high"]) == pytest.approx((-0.9338264, -0.7440872), abs=5e-8)
    assert pearson["p"] == pytest.approx(1.294e-10, abs=5e-14)
    assert spearman["r"] == pytest.approx(-0.886422, abs=5e-7)
    assert spearman["p"] == pytest.approx(1.488e-11, abs=5e-15)


def test_interval_matches_scipy_at_other_levels():
    rng = np.random.default_rng(4)
    x = rng.normal(size=60)
    data = pd.DataFrame({"x": x, "y": 0.3 * x + rng.normal(size=60)})
    for level in (0.80, 0.99):
        row = correlate(data, "x", "y", method="pearson", ci=level).iloc[0]
        reference = stats.pearsonr(data["x"], data["y"]).confidence_interval(confidence_level=level)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((reference.low, reference.high), rel=1e-10)


def test_matches_pingouin_for_both_methods():
    rng = np.random.default_rng(8)
    x = rng.normal(size=45)
    data = pd.DataFrame({"x": x, "y": np.exp(0.5 * x + rng.normal(size=45))})
    table = correlate(data, "x", "y").set_index("method")
    for method in ("pearson", "spearman"):
        theirs = pg.corr(data["x"], data["y"], method=method).iloc[0]
        assert table.loc[method, "r"] == pytest.approx(theirs["r"], rel=1e-10)
        assert table.loc[method, "p"] == pytest.approx(theirs["p_val"], rel=1e-8)
        # pingouin rounds its interval to two decimals
        assert table.loc[method, "ci_low"] == pytest.approx(theirs["CI95"][0], abs=0.005 + 1e-12)
        assert table.loc[method, "ci_high"] == pytest.approx(theirs["CI95"][1], abs=0.005 + 1e-12)


def test_method_order_and_missing_rows():
    data = MTCARS.copy()
    data.loc[[0, 1], "wt"] = np.nan
    data.loc[5, "mpg"] = np.nan
    table = correlate(data, "mpg", "wt", method=["spearman", "pearson"])
    assert table["method"].tolist() == ["spearman", "pearson"]
    assert table["n"].tolist() == [29, 29] and table.attrs["n_dropped"] == 3


def test_perfect_correlation_gives_degenerate_interval():
    data = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0, 5.0], "b": [2.0, 4.0, 6.0, 8.0, 10.0]})
    row = correlate(data, "a", "b", method="pearson").iloc[0]
    assert row["r"] == pytest.approx(1.0) and row["ci_low"] == pytest.approx(1.0)


def test_error_messages():
    with pytest.raises(ValueError, match="`method` must be 'pearson', 'spearman'"):
        correlate(MTCARS, "mpg", "wt", method="kendall")
    with pytest.raises(ValueError, match="same column"):
        correlate(MTCARS, "mpg", "mpg")
    with pytest.raises(ValueError, match="only 3 row"):
        correlate(MTCARS.head(3), "mpg", "wt")
    with pytest.raises(ValueError, match="column 'wt' is constant"):
        correlate(MTCARS.assign(wt=3.0), "mpg", "wt")
    with pytest.raises(ValueError, match="column 'hp' is not in the data"):
        correlate(MTCARS, "mpg", "hp")
