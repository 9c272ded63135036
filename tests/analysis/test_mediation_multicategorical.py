"""analysis.mediation with a multicategorical x (x_coding "indicator", "helmert", ...), fitted by the
analysis.process engine: paths against statsmodels OLS (1e-8, also HC3), relative indirect effects and
their bootstrap against analysis.process with the same seed, Sobel and standardised effects written out."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from analysis import mediation, process
from analysis._bootstrap import iter_resample_indices

TIGHT = {"rtol": 1e-8, "atol": 1e-12}


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(8)
    n = 210
    frame = pd.DataFrame({"reply": rng.choice(["defensive", "neutral", "vulnerable"], n), "age": rng.normal(40, 10, n)})
    vulnerable, defensive = (frame["reply"] == "vulnerable"), (frame["reply"] == "defensive")
    frame["sincerity"] = 0.6 * vulnerable - 0.3 * defensive + rng.normal(size=n)
    frame["pk"] = 0.4 * defensive + rng.normal(size=n)
    frame["attitude"] = 0.5 * frame["sincerity"] - 0.2 * frame["pk"] + 0.1 * vulnerable + rng.normal(size=n)
    return frame


def dummies(frame):
    return pd.DataFrame({"reply[neutral]": (frame["reply"] == "neutral").astype(float),
                         "reply[vulnerable]": (frame["reply"] == "vulnerable").astype(float)})


def ols(frame, outcome, predictors, cov_type="nonrobust"):
    return sm.OLS(frame[outcome], sm.add_constant(predictors)).fit(cov_type=cov_type)


def rows(fit, terms, level=0.95):
    se = fit.bse[terms].to_numpy()
    t = fit.params[terms].to_numpy() / se
    margin = stats.t.ppf(0.5 + level / 2, fit.df_resid) * se
    coef = fit.params[terms].to_numpy()
    return np.column_stack([coef, se, t, 2 * stats.t.sf(np.abs(t), fit.df_resid), coef - margin, coef + margin])


@pytest.mark.parametrize("hc", [None, "HC3"])
def test_relative_paths_equal_statsmodels(data, hc):
    result = mediation(data, "reply", ["sincerity", "pk"], "attitude", covariates="age", x_coding="indicator",
                       n_boot=300, seed=4, hc=hc)
    codes = ["reply[neutral]", "reply[vulnerable]"]
    assert result.x_contrasts == codes
    cov_type = hc or "nonrobust"
    on_x = pd.concat([dummies(data), data[["age"]]], axis=1)
    full = pd.concat([on_x, data[["sincerity", "pk"]]], axis=1)
    for mediator in ("sincerity", "pk"):
        expected = rows(ols(data, mediator, on_x, cov_type), codes)
        np.testing.assert_allclose(result.paths.loc[[f"a[{mediator}][{c}]" for c in codes]], expected, **TIGHT)
    y_fit = ols(data, "attitude", full, cov_type)
    np.testing.assert_allclose(result.paths.loc[["b[sincerity]", "b[pk]"]], rows(y_fit, ["sincerity", "pk"]), **TIGHT)
    np.testing.assert_allclose(result.paths.loc[[f"c_prime[{c}]" for c in codes]], rows(y_fit, codes), **TIGHT)
    total = ols(data, "attitude", on_x, cov_type)
    np.testing.assert_allclose(result.paths.loc[[f"c[{c}]" for c in codes]], rows(total, codes), **TIGHT)


def test_relative_indirect_effects_and_bootstrap_equal_the_process_engine(data):
    result = mediation(data, "reply", ["sincerity", "pk"], "attitude", x_coding="indicator", n_boot=800, seed=12)
    engine = process(data, 4, x="reply", m=["sincerity", "pk"], y="attitude", x_coding="indicator", n_boot=800, seed=12)
    assert list(result.indirect.index.names) == ["mediator", "contrast"]
    for (mediator, code), row in result.indirect.iterrows():
        path = "total" if mediator == "total" else f"reply -> {mediator} -> attitude"
        np.testing.assert_array_equal(row.to_numpy(), engine.indirect.loc[(path, code)].to_numpy())
    # the relative indirect effect is a * b, and the draws are the engine's
    for mediator in ("sincerity", "pk"):
        for code in result.x_contrasts:
            a = result.paths.loc[f"a[{mediator}][{code}]", "coef"]
            b = result.paths.loc[f"b[{mediator}]", "coef"]
            assert result.indirect.loc[(mediator, code), "effect"] == pytest.approx(a * b, rel=1e-12)
    assert result.boot_indirect.shape == (800, 4)
    sobel = result.sobel
    a, b = result.paths.loc["a[pk][reply[vulnerable]]"], result.paths.loc["b[pk]"]
    np.testing.assert_allclose(sobel.loc[("pk", "reply[vulnerable]"), "se"],
                               np.sqrt(b["coef"] ** 2 * a["se"] ** 2 + a["coef"] ** 2 * b["se"] ** 2), **TIGHT)


def test_partially_standardised_relative_effects_use_each_resamples_sd_of_y(data):
    result = mediation(data, "reply", "sincerity", "attitude", x_coding="helmert", n_boot=400, seed=3)
    y = data["attitude"].to_numpy()
    standardized = result.standardized
    np.testing.assert_allclose(standardized["partial"], result.indirect["effect"] / y.std(ddof=1), **TIGHT)
    assert standardized["complete"].isna().all()
    # each resample's SD of y, from the resample indices the engine draws for this seed (a plain loop)
    sds = np.array([np.std(y[index], ddof=1) for block in iter_resample_indices(len(y), 400, np.random.default_rng(3))
                    for index in block])
    draws = result.boot_indirect / sds[:, None]
    low, high = np.quantile(draws, [0.025, 0.975], axis=0)
    np.testing.assert_allclose(standardized["partial_ci_low"], low, **TIGHT)
    np.testing.assert_allclose(standardized["partial_ci_high"], high, **TIGHT)
    assert "multicategorical" in result.summary() and len(result.to_frame()) == len(result.paths) + len(result.indirect)


def test_three_levels_without_a_coding_still_ask_for_one(data):
    with pytest.raises(ValueError, match="indicator"):
        mediation(data, "reply", "sincerity", "attitude", n_boot=100, seed=1)
    with pytest.raises(ValueError, match="x_coding"):
        mediation(data, "reply", "sincerity", "attitude", n_boot=100, seed=1, x_coding="dummy")
