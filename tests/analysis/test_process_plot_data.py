"""ProcessResult.plot_data: conditional effects and predicted values against statsmodels (1e-8).

The independent reference is statsmodels OLS on a design built in the test (products written
out): ``t_test`` of the contrast L(w)'b for each conditional effect, ``get_prediction`` for each
predicted value. The layout (rows: focal variable fastest, then W, then Z; focal values the
levels, the two values, or the 16th/50th/84th percentiles) is PROCESS's "data for visualizing"
block (PROCESS for SPSS/R 3.x-4.x, ``plot=1``; ``plot=2`` adds se and interval).
"""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from analysis.process import process
from analysis.process.coding import process_percentiles

TIGHT = {"rtol": 1e-8, "atol": 1e-10}


def data_set(n=250, seed=3):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "x": rng.normal(size=n), "w": rng.normal(1.0, 1.5, size=n), "age": rng.normal(40, 10, size=n),
        "d": rng.integers(0, 2, size=n).astype(float), "e": rng.integers(0, 2, size=n).astype(float),
        "condition": rng.choice(["neutral", "private", "public"], size=n),
    })
    frame["m"] = 0.5 * frame["d"] + 0.4 * frame["d"] * frame["e"] + 0.3 * frame["w"] + rng.normal(size=n)
    frame["y"] = (0.3 * frame["x"] + 0.25 * frame["x"] * frame["w"] + 0.4 * frame["m"] + 0.01 * frame["age"]
                  + 0.3 * (frame["condition"] == "public") * frame["w"] + rng.normal(size=n) * (1 + 0.3 * frame["w"].abs()))
    return frame


def ols(frame, outcome, predictors, cov_type="nonrobust"):
    design = sm.add_constant(frame[predictors].astype(float))
    return sm.OLS(frame[outcome], design).fit(cov_type=cov_type), list(design.columns)


def check_effects(fit, names, effects, role, focal_term, product_term, level=0.95):
    """Each row's effect equals t_test of b_focal + w * b_product."""
    for _, row in effects.iterrows():
        contrast = np.zeros(len(names))
        contrast[names.index(focal_term)] = 1.0
        contrast[names.index(product_term)] = row[role]
        test = fit.t_test(contrast)
        low, high = np.asarray(test.conf_int(alpha=1 - level)).ravel()
        np.testing.assert_allclose([row["effect"], row["se"], row["t"], row["p"], row["ci_low"], row["ci_high"]],
                                   [float(test.effect[0]), float(test.sd[0, 0]), float(test.tvalue[0, 0]),
                                    float(test.pvalue), low, high], **TIGHT)


def test_model_1_continuous_effects_and_predicted_equal_statsmodels():
    frame = data_set()
    result = process(frame, 1, x="x", w="w", y="y", covariates="age")
    plotted = result.plot_data(points=41)
    frame["x:w"] = frame["x"] * frame["w"]
    fit, names = ols(frame, "y", ["x", "w", "x:w", "age"])
    assert plotted.outcome == "y" and plotted.focal == "x" and plotted.roles == ["w"] and plotted.continuous
    assert plotted.effects.columns.tolist() == ["w", "effect", "se", "t", "p", "ci_low", "ci_high"]
    grid = plotted.effects["w"].to_numpy()
    assert grid[0] == frame["w"].min() and grid[-1] == frame["w"].max() and np.all(np.diff(grid) > 0)
    # the probed values and the Johnson-Neyman points are on the grid (41 + 3 + points)
    assert len(grid) == 41 + 3 + len(plotted.jn_points)
    assert set(result.moderator_values["w"]) <= set(grid) and set(plotted.jn_points) <= set(grid)
    check_effects(fit, names, plotted.effects, "w", "x", "x:w")

    predicted = plotted.predicted
    assert predicted.columns.tolist() == ["x", "w", "yhat", "se", "ci_low", "ci_high"]
    x_values, w_values = process_percentiles(frame["x"].to_numpy()), result.moderator_values["w"]
    # PROCESS's layout: x fastest, w slowest
    np.testing.assert_array_equal(predicted["x"], np.tile(x_values, 3))
    np.testing.assert_array_equal(predicted["w"], np.repeat(w_values, 3))
    exog = pd.DataFrame({"const": 1.0, "x": predicted["x"], "w": predicted["w"], "x:w": predicted["x"] * predicted["w"],
                         "age": frame["age"].mean()})
    expected = fit.get_prediction(exog[names]).summary_frame(alpha=0.05)
    np.testing.assert_allclose(predicted[["yhat", "se", "ci_low", "ci_high"]].to_numpy(),
                               expected[["mean", "mean_se", "mean_ci_lower", "mean_ci_upper"]].to_numpy(), **TIGHT)


def test_johnson_neyman_points_match_the_table_and_sit_at_the_critical_t():
    frame = data_set()
    result = process(frame, 1, x="x", w="w", y="y", covariates="age")
    plotted = result.plot_data()
    assert plotted.jn_points == result.jn.points and len(plotted.jn_points) >= 1
    at_points = plotted.effects.set_index("w").loc[plotted.jn_points]
    np.testing.assert_allclose(at_points["p"], 0.05, rtol=1e-9)
    critical = stats.t.ppf(0.975, result.n - 5)
    np.testing.assert_allclose(np.abs(at_points["t"]), critical, rtol=1e-9)


def test_hc3_standard_errors_of_effects_and_predictions_equal_statsmodels():
    frame = data_set()
    result = process(frame, 1, x="x", w="w", y="y", hc="HC3")
    plotted = result.plot_data(points=9)
    frame["x:w"] = frame["x"] * frame["w"]
    fit, names = ols(frame, "y", ["x", "w", "x:w"], cov_type="HC3")
    for _, row in plotted.effects.iterrows():
        contrast = np.array([0.0, 1.0, 0.0, row["w"]])
        np.testing.assert_allclose(row["se"], np.sqrt(contrast @ fit.cov_params().to_numpy() @ contrast), **TIGHT)
    exog = pd.DataFrame({"const": 1.0, "x": plotted.predicted["x"], "w": plotted.predicted["w"]})
    exog["x:w"] = exog["x"] * exog["w"]
    expected = fit.get_prediction(exog[names]).summary_frame()
    np.testing.assert_allclose(plotted.predicted["se"], expected["mean_se"], **TIGHT)
    np.testing.assert_allclose(plotted.predicted["yhat"], expected["mean"], **TIGHT)


@pytest.mark.parametrize("outcome", ["m", "y"])
def test_model_8_dichotomous_moderator_first_stage_and_direct_effect(outcome):
    frame = data_set()
    result = process(frame, 8, x="d", m="m", w="e", y="y", n_boot=100, seed=1)
    plotted = result.plot_data(outcome=outcome)
    assert not plotted.continuous and plotted.jn_points == []
    assert plotted.effects["w"].tolist() == [0.0, 1.0]
    frame["d:e"] = frame["d"] * frame["e"]
    predictors = ["d", "e", "d:e"] if outcome == "m" else ["d", "m", "e", "d:e"]
    fit, names = ols(frame, outcome, predictors)
    check_effects(fit, names, plotted.effects, "w", "d", "d:e")
    if outcome == "y":  # the conditional direct effects are the result's own table
        np.testing.assert_allclose(plotted.effects[["effect", "se"]], result.conditional_effects[["effect", "se"]], **TIGHT)
    predicted = plotted.predicted
    assert predicted[["d", "e"]].to_numpy().tolist() == [[0, 0], [1, 0], [0, 1], [1, 1]]
    exog = pd.DataFrame({"const": 1.0, "d": predicted["d"], "e": predicted["e"], "d:e": predicted["d"] * predicted["e"],
                         "m": frame["m"].mean()})  # the mediator held at its mean in Y's equation
    expected = fit.get_prediction(exog[names]).summary_frame()
    np.testing.assert_allclose(predicted[["yhat", "se", "ci_low", "ci_high"]].to_numpy(),
                               expected[["mean", "mean_se", "mean_ci_lower", "mean_ci_upper"]].to_numpy(), **TIGHT)


def test_model_8_default_path_is_the_direct_effect_and_paths_are_listed_in_errors():
    frame = data_set()
    result = process(frame, 8, x="d", m="m", w="e", y="y", n_boot=100, seed=1)
    assert (result.plot_data().outcome, result.plot_data().focal) == ("y", "d")
    with pytest.raises(ValueError, match="d -> y, d -> m"):
        result.plot_data(outcome="nope")
    with pytest.raises(ValueError, match="no moderated path"):
        process(frame, 4, x="d", m="m", y="y", n_boot=50, seed=1).plot_data()
    with pytest.raises(ValueError, match="points"):
        result.plot_data(points=1)


def test_model_14_plots_the_mediator_on_y():
    frame = data_set()
    result = process(frame, 14, x="d", m="m", w="w", y="y", n_boot=100, seed=1)
    plotted = result.plot_data()
    assert (plotted.outcome, plotted.focal) == ("y", "m")
    frame["m:w"] = frame["m"] * frame["w"]
    fit, names = ols(frame, "y", ["d", "m", "w", "m:w"])
    check_effects(fit, names, plotted.effects, "w", "m", "m:w")
    np.testing.assert_array_equal(plotted.predicted["m"].unique(), process_percentiles(frame["m"].to_numpy()))


def test_multicategorical_x_gives_each_contrast_and_each_level():
    frame = data_set()
    result = process(frame, 1, x="condition", w="w", y="y", x_coding="indicator")
    plotted = result.plot_data(points=5)
    effects = plotted.effects
    assert effects.columns.tolist() == ["w", "contrast", "effect", "se", "t", "p", "ci_low", "ci_high"]
    assert effects["contrast"].unique().tolist() == ["condition[private]", "condition[public]"]
    assert plotted.jn_points == []
    for level in ("private", "public"):
        frame[f"d_{level}"] = (frame["condition"] == level).astype(float)
        frame[f"d_{level}:w"] = frame[f"d_{level}"] * frame["w"]
    fit, names = ols(frame, "y", ["d_private", "d_public", "w", "d_private:w", "d_public:w"])
    for level in ("private", "public"):
        check_effects(fit, names, effects[effects["contrast"] == f"condition[{level}]"], "w", f"d_{level}", f"d_{level}:w")
    predicted = plotted.predicted
    assert predicted["condition"].tolist()[:3] == ["neutral", "private", "public"]
    codes = {"neutral": (0, 0), "private": (1, 0), "public": (0, 1)}
    private, public = np.array([codes[level] for level in predicted["condition"]]).T
    exog = pd.DataFrame({"const": 1.0, "d_private": private, "d_public": public, "w": predicted["w"],
                         "d_private:w": private * predicted["w"], "d_public:w": public * predicted["w"]})
    expected = fit.get_prediction(exog[names]).summary_frame()
    np.testing.assert_allclose(predicted[["yhat", "se"]].to_numpy(), expected[["mean", "mean_se"]].to_numpy(), **TIGHT)
