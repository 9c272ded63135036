"""Interaction terms of the generative model (simulation.interactions): recovered by OLS, drawn
without changing other studies' data, validated with file:line errors, and webcare-2x2's
moderated first stage visible in its report."""

from pathlib import Path

import numpy as np
import pytest
import statsmodels.formula.api as smf

from study.dataset.simulation import simulate, simulate_latents, site_study
from study.design.loader import StudyFileError, load_study
from study.design.schema import InteractionShift
from study.errors import UserError

WEBCARE = Path(__file__).resolve().parents[3] / "study/design/studies/webcare-2x2/study.yaml"
LARGE_N = 40_000


def _with_simulation(study, **update):
    changed = study.model_copy(update={"simulation": study.simulation.model_copy(update=update)})
    changed._path = study.path
    return changed


def _coded(latents):
    latents = latents.copy()
    latents["x"] = (latents["channel"] == "public").astype(float)
    latents["w"] = (latents["empathy"] == "empathic").astype(float)
    return latents


def _assert_recovered(fit, expected: dict):
    # Tolerance: 4 standard errors of each OLS coefficient (a false alarm below 1e-4 per coefficient).
    for term, value in expected.items():
        assert abs(fit.params[term] - value) < 4 * fit.bse[term], (term, fit.params[term], value)


@pytest.fixture(scope="module")
def webcare():
    return load_study("webcare-2x2")


def test_ols_recovers_the_moderated_first_stage_of_webcare(webcare):
    # The shipped generative model (study.yaml, simulation): pk = 0.3 [private]
    # + 0.3 [public, empathic] - 0.3 [public, neutral] - 0.3 [private, empathic]
    # + 0.3 [private, neutral] + e, and attitude = 0.3 [public] + 0.4 [empathic] - 0.5 pk + e.
    # Cell means of pk (x = public, w = empathic): (0, 0) 0.6, (1, 0) -0.3, (0, 1) 0.0,
    # (1, 1) 0.3, so pk ~ x * w has intercept 0.6, x -0.9, w -0.6, x:w 1.2; and averaged
    # over empathy, private is 0.3 above public, the main effect as written.
    latents = _coded(simulate_latents(webcare, n=LARGE_N, seed=12))
    first_stage = smf.ols("pk ~ x * w", data=latents).fit()
    _assert_recovered(first_stage, {"Intercept": 0.6, "x": -0.9, "w": -0.6, "x:w": 1.2})
    main_effects = smf.ols("pk ~ x + w", data=latents).fit()
    _assert_recovered(main_effects, {"x": -0.3, "w": 0.0})
    second_stage = smf.ols("attitude ~ x * w + pk", data=latents).fit()
    _assert_recovered(second_stage, {"Intercept": 0.0, "x": 0.3, "w": 0.4, "x:w": 0.0, "pk": -0.5})
    assert second_stage.bse["x:w"] < 0.05 and first_stage.bse["x:w"] < 0.05  # the tolerance is tight


def test_ols_recovers_a_moderated_second_stage_and_direct_interaction(webcare):
    model = _with_simulation(webcare, b=0.2, interactions=[
        InteractionShift(path="b", levels={"empathy": "empathic"}, shift=0.3),
        InteractionShift(path="c_prime", levels={"channel": "public", "empathy": "neutral"}, shift=-0.4),
    ])
    latents = _coded(simulate_latents(model, n=LARGE_N, seed=3))
    # c' cell shifts: public 0.3, empathic 0.4, public-neutral -0.4 -> with x, w as above:
    # intercept 0, x 0.3 - 0.4 = -0.1, w 0.4, x:w 0.4; slope of pk 0.2 + 0.3 w.
    fit = smf.ols("attitude ~ x * w + pk + pk:w", data=latents).fit()
    _assert_recovered(fit, {"Intercept": 0.0, "x": -0.1, "w": 0.4, "x:w": 0.4, "pk": 0.2, "pk:w": 0.3})


def test_the_latents_are_those_behind_the_simulated_answers(webcare):
    data = simulate(webcare, n=400, seed=9)
    latents = simulate_latents(webcare, n=400, seed=9)
    assert latents["condition"].equals(data["condition"])
    assert np.corrcoef(latents["pk"], data["pk_scale"])[0, 1] > 0.85
    assert np.corrcoef(latents["attitude"], data["attitude"])[0, 1] > 0.85
    other = simulate_latents(webcare, n=400, seed=10)
    assert not np.allclose(other["pk"], latents["pk"])


def test_interactions_that_add_up_to_a_main_effect_give_the_same_data(webcare):
    # a: {channel: {public: 0.25}} written as one interaction per empathy level: the same
    # participants get the same shift, so the data must be byte for byte the same.
    main = _with_simulation(webcare, a={"channel": {"public": 0.25}}, interactions=[])
    split = _with_simulation(webcare, a={}, interactions=[
        InteractionShift(path="a", levels={"channel": "public", "empathy": level}, shift=0.25)
        for level in ("empathic", "neutral")
    ])
    assert simulate(main, n=120, seed=4).to_csv(index=False) == simulate(split, n=120, seed=4).to_csv(index=False)


def test_sites_move_the_interactions_of_a_and_c_prime_but_not_of_b(webcare):
    model = _with_simulation(webcare, interactions=[
        *webcare.simulation.interactions, InteractionShift(path="b", levels={"empathy": "empathic"}, shift=0.2)])
    same = site_study(model, 1, site_sd=0.0, seed=5).simulation.interactions
    assert same == model.simulation.interactions
    moved = site_study(model, 1, site_sd=0.3, seed=5).simulation.interactions
    *on_a, on_b = model.simulation.interactions
    assert all(after.shift != before.shift for after, before in zip(moved[:-1], on_a))
    assert moved[-1] == on_b


def _variant(tmp_path, old: str, new: str) -> tuple[Path, str]:
    text = WEBCARE.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    path = tmp_path / "study.yaml"
    path.write_text(text, encoding="utf-8")
    return path, text


def _line_of(text: str, fragment: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_an_interaction_of_one_factor_on_a_is_refused_at_its_line(tmp_path):
    path, text = _variant(tmp_path, "levels: {channel: private, empathy: empathic}", "levels: {channel: private}")
    with pytest.raises(StudyFileError) as error:
        load_study(path)
    (problem,) = error.value.problems
    assert problem.field == "simulation.interactions[2]"
    assert problem.line == _line_of(text, "levels: {channel: private}")
    assert "main effect" in problem.message and "a: {channel: {private: -0.3}}" in problem.message


def test_an_unknown_path_is_refused_at_its_line(tmp_path):
    path, text = _variant(tmp_path, "{path: a, levels: {channel: public", "{path: d, levels: {channel: public")
    with pytest.raises(StudyFileError) as error:
        load_study(path)
    (problem,) = error.value.problems
    assert problem.field == "simulation.interactions[0].path"
    assert problem.line == _line_of(text, "{path: d,")


def test_unknown_factors_and_levels_are_named(webcare):
    model = _with_simulation(webcare, interactions=[
        InteractionShift(path="a", levels={"chanel": "public", "empathy": "empathic"}, shift=0.5),
        InteractionShift(path="b", levels={"empathy": "warm"}, shift=0.5),
    ])
    problems = model.simulation.interaction_problems(model.factors)
    assert problems == [
        (("simulation", "interactions", 0, "levels", "chanel"), "unknown factor 'chanel'; the factors are channel, empathy"),
        (("simulation", "interactions", 1, "levels", "empathy"),
         "unknown level 'warm' of factor 'empathy'; its levels are empathic, neutral"),
    ]
    with pytest.raises(UserError, match=r"simulation\.interactions\[0\]\.levels\.chanel: unknown factor"):
        simulate(model, n=10, seed=1)


def test_an_unknown_factor_is_refused_at_its_line_when_loading(tmp_path):
    path, text = _variant(tmp_path, "levels: {channel: public, empathy: empathic}", "levels: {chanel: public, empathy: empathic}")
    with pytest.raises(StudyFileError) as error:
        load_study(path)
    (problem,) = error.value.problems
    assert problem.field == "simulation.interactions[0].levels.chanel"
    assert problem.line == _line_of(text, "levels: {chanel: public")


def test_the_webcare_report_shows_the_moderated_indirect_effect():
    # replylab replicate --study webcare-2x2 at its defaults (N = 140, seed 2021), with fewer
    # resamples to keep the test short: h3's index of moderated mediation is clearly negative
    # and its interval excludes 0; the report prints it.
    from study.pipeline.run import replicate
    from study.report.render import render_report

    results = replicate("webcare-2x2", n=140, seed=2021, n_boot=2000, out=None)
    index = results.hypothesis("h3").result.index.iloc[0]
    assert index["ci_high"] < 0 and index["index"] < -0.2
    report = render_report(results, "md")
    line = next(line for line in report.splitlines() if line.startswith("Index of moderated mediation"))
    assert f"{index['index']:.2f}".replace("-", "−") in line
