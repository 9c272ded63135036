"""analysis.mediation with ``hc``: robust path SEs against statsmodels (1e-8) and against analysis.process;
the estimates, indirect effects and bootstrap unchanged (bit for bit) from hc=None."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from analysis import mediation, process

TIGHT = {"rtol": 1e-8, "atol": 1e-12}


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(21)
    n = 160
    frame = pd.DataFrame({"x": rng.integers(0, 2, n).astype(float), "age": rng.normal(40, 10, n)})
    frame["m1"] = 0.5 * frame["x"] + rng.normal(size=n) * (1 + frame["x"])  # heteroskedastic in x
    frame["m2"] = -0.3 * frame["x"] + rng.normal(size=n)
    frame["y"] = 0.4 * frame["m1"] + 0.2 * frame["m2"] + 0.1 * frame["x"] + rng.normal(size=n) * (1 + 0.5 * frame["m1"].abs())
    return frame


def statsmodels_row(frame, outcome, predictors, term, hc, level=0.95):
    fit = sm.OLS(frame[outcome], sm.add_constant(frame[predictors])).fit(cov_type=hc)
    se = fit.bse[term]
    t = fit.params[term] / se
    margin = stats.t.ppf(0.5 + level / 2, fit.df_resid) * se  # PROCESS keeps t(n - p) with robust SEs
    return [fit.params[term], se, t, 2 * stats.t.sf(abs(t), fit.df_resid), fit.params[term] - margin, fit.params[term] + margin]


@pytest.mark.parametrize("hc", ["HC0", "HC1", "HC2", "HC3"])
def test_robust_paths_equal_statsmodels(data, hc):
    result = mediation(data, "x", ["m1", "m2"], "y", covariates="age", n_boot=200, seed=1, hc=hc)
    expected = {
        "a[m1]": statsmodels_row(data, "m1", ["x", "age"], "x", hc),
        "a[m2]": statsmodels_row(data, "m2", ["x", "age"], "x", hc),
        "b[m1]": statsmodels_row(data, "y", ["x", "age", "m1", "m2"], "m1", hc),
        "b[m2]": statsmodels_row(data, "y", ["x", "age", "m1", "m2"], "m2", hc),
        "c": statsmodels_row(data, "y", ["x", "age"], "x", hc),
        "c_prime": statsmodels_row(data, "y", ["x", "age", "m1", "m2"], "x", hc),
    }
    for row, values in expected.items():
        np.testing.assert_allclose(result.paths.loc[row].to_numpy(), values, **TIGHT)


@pytest.mark.parametrize("hc", ["HC3", "HC4"])
def test_robust_paths_equal_the_process_engine_and_the_bootstrap_is_unchanged(data, hc):
    robust = mediation(data, "x", "m1", "y", n_boot=500, seed=9, hc=hc)
    plain = mediation(data, "x", "m1", "y", n_boot=500, seed=9)
    engine = process(data, 4, x="x", m="m1", y="y", hc=hc, n_boot=500, seed=9)
    np.testing.assert_allclose(robust.paths.loc["a"], engine.coefficients["m1"].loc["x"], **TIGHT)
    np.testing.assert_allclose(robust.paths.loc["b"], engine.coefficients["y"].loc["m1"], **TIGHT)
    np.testing.assert_allclose(robust.paths.loc["c"], engine.total_effect.loc["x"], **TIGHT)
    np.testing.assert_allclose(robust.paths.loc["c_prime"], engine.direct_effect.loc["x"], **TIGHT)
    assert np.array_equal(robust.paths["coef"], plain.paths["coef"])
    assert robust.indirect.equals(plain.indirect)
    assert np.array_equal(robust.boot_indirect, plain.boot_indirect, equal_nan=True)
    assert not np.allclose(robust.paths["se"], plain.paths["se"])
    # the Sobel test follows the path SEs
    a, b = robust.paths.loc["a"], robust.paths.loc["b"]
    np.testing.assert_allclose(robust.sobel.loc["m1", "se"],
                               np.sqrt(b["coef"] ** 2 * a["se"] ** 2 + a["coef"] ** 2 * b["se"] ** 2), **TIGHT)


def test_default_is_unchanged_and_a_bad_hc_is_refused(data):
    first = mediation(data, "x", "m1", "y", n_boot=300, seed=2)
    second = mediation(data, "x", "m1", "y", n_boot=300, seed=2, hc=None)
    assert first.paths.equals(second.paths) and first.indirect.equals(second.indirect)
    with pytest.raises(ValueError, match="hc"):
        mediation(data, "x", "m1", "y", n_boot=100, seed=2, hc="HC5")
