"""analysis.power_moderated_mediation: the same decisions as analysis.process study by study, seeds,
and the power against a normal-theory approximation and the nominal type I error."""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from analysis import process
from analysis.power import (
    moderated_mediation_datasets,
    moderated_mediation_decisions,
    moderated_mediation_power_cells,
    power_moderated_mediation,
    run_moderated_power_cell,
)

PATHS_BY_MODEL = {
    7: dict(a=0.3, a_xw=0.6, b=0.4),
    8: dict(a=0.3, a_w=0.2, a_xw=0.6, b=0.4, c_prime=0.2, c_xw=0.3),
    14: dict(a=0.5, b=0.2, b_mw=0.3),
    15: dict(a=0.5, b=0.2, b_mw=0.3, c_xw=-0.2),
}


@pytest.mark.parametrize("ci_method", ["percentile", "bc"])
@pytest.mark.parametrize("w", ["binary", "normal"])
@pytest.mark.parametrize("model", [7, 8, 14, 15])
def test_each_study_gets_the_interval_analysis_process_gives_with_its_seed(model, w, ci_method):
    # The slow reference: one analysis.process call per simulated study, with the study's own seed.
    cell = moderated_mediation_power_cells(90, model=model, w=w, ci_method=ci_method, sims=4, n_boot=400,
                                           seed=11, **PATHS_BY_MODEL[model])[0]
    decisions = moderated_mediation_decisions(cell)
    data, seeds = moderated_mediation_datasets(cell)
    for i in range(cell["sims"]):
        frame = pd.DataFrame(data[i], columns=["x", "w", "m", "y"])
        reference = process(frame, model, x="x", m="m", w="w", y="y", n_boot=400, seed=int(seeds[i]),
                            ci=0.95, ci_method=ci_method, jn=False).index.iloc[0]
        row = decisions.iloc[i]
        # the same resamples and the same sums: equal up to rounding in the batched solve
        assert row[["index", "ci_low", "ci_high"]].to_numpy(float) == pytest.approx(
            reference[["index", "ci_low", "ci_high"]].to_numpy(float), abs=1e-10)
        assert row["significant"] == (reference["ci_low"] > 0 or reference["ci_high"] < 0)
        assert row["boot_seed"] == seeds[i]


def test_same_seed_same_numbers_and_a_cell_gives_the_same_studies_every_time():
    arguments = dict(a=0.3, a_xw=[0.4, 0.8], b=0.5, sims=30, n_boot=150, seed=5)
    first = power_moderated_mediation([60, 120], **arguments)
    pd.testing.assert_frame_equal(first, power_moderated_mediation([60, 120], **arguments))
    other = power_moderated_mediation([60, 120], **{**arguments, "seed": 6})
    assert not np.allclose(first["mean_estimate"], other["mean_estimate"])
    cell = moderated_mediation_power_cells([60, 120], **arguments)[2]  # a_xw = 0.8, n = 60
    once = run_moderated_power_cell(cell)
    assert run_moderated_power_cell(cell) == once  # run again (e.g. on another worker): the same studies
    assert (once["a_xw"], once["n"]) == (0.8, 60)
    assert once["power"] == first.loc[2, "power"] and once["mean_estimate"] == first.loc[2, "mean_estimate"]


def test_power_of_a_clear_index_matches_the_normal_approximation():
    # Independent reference: in a balanced 2 x 2 design with unit residual variances,
    # var(a_xw) = 16 / n (four cells of n / 4) and var(b) ~ 1 / (n - 6) (m's residual
    # variance 1, n - 4 residual df); the delta-method SE of a_xw * b is
    # sqrt(b^2 var(a_xw) + a_xw^2 var(b)) and the two-sided normal test of the index has
    # power Phi(|index| / SE - z) + Phi(-|index| / SE - z). With b estimated precisely
    # (z_b = 10) the index is close to normal and the percentile bootstrap should agree.
    # Tolerance: 3 Monte Carlo SEs plus 0.03 for the approximation.
    n, a_xw, b, sims = 400, 0.6, 0.5, 600
    se = np.sqrt(b**2 * 16 / n + a_xw**2 / (n - 6))
    z, ratio = norm.ppf(0.975), abs(a_xw * b) / se
    expected = norm.cdf(ratio - z) + norm.cdf(-ratio - z)
    row = power_moderated_mediation(n, a=0.3, a_xw=a_xw, b=b, sims=sims, n_boot=1000, seed=21).iloc[0]
    assert 0.6 < expected < 0.95  # a cell where power is informative
    assert abs(row["power"] - expected) < 3 * np.sqrt(expected * (1 - expected) / sims) + 0.03
    assert row["mean_estimate"] == pytest.approx(a_xw * b, abs=4 * se / np.sqrt(sims))


def test_type_one_error_when_the_true_index_is_zero():
    # a_xw = 0 with a clear b: the index's interval should exclude 0 in about alpha of the
    # studies (tolerance 0.025 around .05: 3.5 Monte Carlo SEs for 1000 studies, plus the
    # percentile bootstrap's own miscalibration at n = 200). With b = 0 too the product of two
    # null paths is conservative: well under alpha.
    grid = power_moderated_mediation(200, a=0.3, a_xw=0.0, b=[0.5, 0.0], sims=1000, n_boot=1000, seed=8)
    clear_b, both_null = grid["power"]
    assert abs(clear_b - 0.05) < 0.025
    assert both_null < 0.03


def test_power_rises_with_n_and_with_the_interaction():
    grid = power_moderated_mediation([80, 320], a=0.3, a_xw=[0.4, 1.0], b=0.5, sims=300, n_boot=500, seed=4)
    power = grid.set_index(["a_xw", "n"])["power"]
    assert power[(0.4, 320)] > power[(0.4, 80)] + 0.1
    assert power[(1.0, 320)] > power[(1.0, 80)]
    assert power[(1.0, 80)] > power[(0.4, 80)] + 0.1
    assert grid["index"].tolist() == [0.2, 0.2, 0.5, 0.5]


def test_second_stage_models_estimate_a_times_b_mw():
    grid = power_moderated_mediation(300, model=14, a=0.6, b=0.2, b_mw=0.4, w="normal", sims=200, n_boot=400, seed=3)
    row = grid.iloc[0]
    assert row["index"] == pytest.approx(0.24)
    # SE of a * b_mw with w standard normal: var(a) ~ 4 / n, var(b_mw) ~ 1 / n (m's variance ~ 1.1)
    se = np.sqrt(0.4**2 * 4 / 300 + 0.6**2 / 300)
    assert row["mean_estimate"] == pytest.approx(0.24, abs=4 * se / np.sqrt(200))


@pytest.mark.parametrize(
    "arguments,message",
    [
        (dict(model=4), "`model`"),
        (dict(model=8, b_mw=0.2), "`b_mw` must be 0"),
        (dict(model=14, a_xw=0.2), "`a_xw` must be 0"),
        (dict(w="uniform"), "`w`"),
        (dict(ci_method="bca"), "`ci_method`"),
        (dict(sims=1), "`sims`"),
        (dict(n_boot=0), "`n_boot`"),
        (dict(alpha=5), "alpha"),
        (dict(a_xw="large"), "`a_xw`"),
    ],
)
def test_bad_arguments_name_the_argument(arguments, message):
    with pytest.raises(ValueError, match=message):
        power_moderated_mediation(100, **arguments)


def test_too_small_a_study_is_refused():
    with pytest.raises(ValueError, match="at least 12"):
        power_moderated_mediation(10, a_xw=0.5, b=0.5)
