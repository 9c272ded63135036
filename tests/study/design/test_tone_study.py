"""The shipped study tone-of-reply: the tone of a company's reply to a negative review
(defensive, neutral, vulnerable) as one three-level factor, analysed with a multicategorical X.

The deterministic parts of its process hypothesis are checked against statsmodels OLS and
scipy's one-way ANOVA (independent implementations) to 1e-8; the simulation against the
generative model in the study file.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats

from analysis.apa import format_number
from questionnaires import load_questionnaire
from study import load_study, simulate
from study.pipeline.run import replicate
from study.pipeline.steps import analysed_rows, prepare_data, run_process_hypothesis
from study.survey.app import create_app
from study.survey.bot import walk
from study.survey.export import export_data

TONES = ["defensive", "neutral", "vulnerable"]


@pytest.fixture(scope="module")
def tone():
    return load_study("tone-of-reply")


def test_loads_with_one_three_level_factor_and_its_own_measures(tone):
    assert tone.factor_names == ["tone"] and tone.condition_names == TONES
    # h2's reference is the factor's first level in the file (no x_reference given)
    assert tone.analysis.hypotheses[1].reference_level(tone) == tone.factor("tone").level_names[0] == "defensive"
    questionnaire = tone.questionnaire
    assert {"sincerity", "attitude", "pk_scale"} <= set(questionnaire.scale_ids)
    assert questionnaire.item("mc_tone").option_values == [*TONES, "dont_remember"]
    assert tone.checks.manipulation[0].expected == {level: level for level in TONES}
    kinds = {h.id: h.kind for h in tone.analysis.hypotheses}
    assert kinds == {"h1": "anova", "h2": "process"}
    h2 = tone.analysis.hypotheses[1]
    assert (h2.model, h2.x, h2.x_coding, h2.mediators, h2.y) == (4, "tone", "indicator",
                                                               ["sincerity", "pk_scale"], "attitude")
    assert tone.original is None  # the seed is a blog post that reports no study


def test_sincerity_scale_is_bilingual_with_points_labels_and_a_source():
    module = load_questionnaire("sincerity")
    assert module.scale_ids == ["sincerity"] and len(module.items) == 5
    assert "Yoon" in module.source and "Journal of Consumer Psychology" in module.source
    for item in module.items:
        assert item.points == 7 and set(item.text) == {"nl", "en"}
        assert all(len(labels) == 7 for labels in item.labels.values())
    assert [item.id for item in module.items if item.reverse] == ["sinc_4"]


def test_the_replies_differ_in_tone_only(tone):
    threads = tone.vignette.threads
    for lang in tone.languages:
        reviews = {threads[c][lang][0].text for c in TONES}
        assert len(reviews) == 1, "every condition shows the same review"
        replies = [threads[c][lang][-1].text for c in TONES]
        assert len(set(replies)) == 3
        # every reply ends with the same request: the offer to the customer is held constant
        endings = {reply[reply.index("service@lindoro.example"):] for reply in replies}
        assert len(endings) == 1, endings


def _means(data: pd.DataFrame, column: str) -> list[float]:
    return data.groupby("tone")[column].mean().reindex(TONES).tolist()


def test_simulation_recovers_the_ordering_of_the_generative_model(tone):
    data = simulate(tone, n=3000, seed=7)
    for column in ("sincerity", "attitude"):
        means = _means(data, column)
        assert means[0] < means[1] < means[2], (column, means)
    # Sincerity is the latent mediator: vulnerable - defensive = 0.7 - (-0.6) = 1.3 latent SD.
    # The scale score correlates about 0.95 with the latent (five items loading 0.8) and is cut
    # into 7 points: the observed d comes out near 1.2-1.3 (SE of d about 0.05).
    sincerity = data.groupby("tone")["sincerity"]
    pooled_sd = np.sqrt(sincerity.var().reindex(TONES)[["defensive", "vulnerable"]].mean())
    d = (sincerity.mean()["vulnerable"] - sincerity.mean()["defensive"]) / pooled_sd
    assert 1.05 < d < 1.45, d
    # persuasion knowledge has its own latent, unrelated to tone
    assert np.ptp(_means(data, "pk_scale")) < 0.15


@pytest.fixture(scope="module")
def fitted(tone):
    data = analysed_rows(prepare_data(simulate(tone, n=300, seed=11), tone))
    outcome = run_process_hypothesis(data, tone, tone.analysis.hypotheses[1], n_boot=1000, seed=3)
    frame = data.assign(tone=data["tone"].astype("object"))
    return frame, outcome.result


def test_process_paths_match_statsmodels(fitted):
    data, result = fitted
    a = {m: smf.ols(f"{m} ~ C(tone, Treatment('defensive'))", data).fit() for m in ("sincerity", "pk_scale")}
    y = smf.ols("attitude ~ C(tone, Treatment('defensive')) + sincerity + pk_scale", data).fit()
    for level in ("neutral", "vulnerable"):
        term, reference = f"tone[{level}]", f"C(tone, Treatment('defensive'))[T.{level}]"
        for m, fit in a.items():
            assert result.coefficients[m].loc[term, "coef"] == pytest.approx(fit.params[reference], abs=1e-8)
            assert result.coefficients[m].loc[term, "se"] == pytest.approx(fit.bse[reference], abs=1e-8)
        assert result.coefficients["attitude"].loc[term, "coef"] == pytest.approx(y.params[reference], abs=1e-8)
    for m in ("sincerity", "pk_scale"):
        assert result.coefficients["attitude"].loc[m, "coef"] == pytest.approx(y.params[m], abs=1e-8)


def test_relative_indirect_effects_are_a_times_b_and_vulnerable_leads(fitted):
    data, result = fitted
    indirect = result.indirect
    b = result.coefficients["attitude"]["coef"]
    for level in ("neutral", "vulnerable"):
        term = f"tone[{level}]"
        for m in ("sincerity", "pk_scale"):
            expected = result.coefficients[m].loc[term, "coef"] * b[m]
            assert indirect.loc[(f"tone -> {m} -> attitude", term), "effect"] == pytest.approx(expected, abs=1e-10)
        parts = [indirect.loc[(f"tone -> {m} -> attitude", term), "effect"] for m in ("sincerity", "pk_scale")]
        assert indirect.loc[("total", term), "effect"] == pytest.approx(sum(parts), abs=1e-10)
    via_sincerity = indirect.xs("tone -> sincerity -> attitude")
    # the generative model gives sincerity a = 0.6 (neutral) and 1.3 (vulnerable) latent SD above
    # defensive and b = 0.5: both relative indirect effects are positive, vulnerable's larger,
    # and at N = 300 its 95% bootstrap interval is far from zero
    assert 0 < via_sincerity.loc["tone[neutral]", "effect"] < via_sincerity.loc["tone[vulnerable]", "effect"]
    assert via_sincerity.loc["tone[vulnerable]", "ci_low"] > 0


def test_omnibus_tests_match_scipy_and_statsmodels(fitted):
    data, result = fitted
    omnibus = result.omnibus
    # total effect of a three-level X on Y: the one-way ANOVA of attitude by tone
    reference = stats.f_oneway(*(data.loc[data["tone"] == level, "attitude"] for level in TONES))
    assert omnibus.loc["total", "F"] == pytest.approx(reference.statistic, rel=1e-9)
    assert omnibus.loc["total", "p"] == pytest.approx(reference.pvalue, rel=1e-8)
    assert (omnibus.loc["total", "df1"], omnibus.loc["total", "df2"]) == (2, len(data) - 3)
    # direct effect: tone's two codes added to a model with both mediators
    full = smf.ols("attitude ~ C(tone) + sincerity + pk_scale", data).fit()
    restricted = smf.ols("attitude ~ sincerity + pk_scale", data).fit()
    f_value, p_value, df_diff = full.compare_f_test(restricted)
    assert omnibus.loc["direct", "F"] == pytest.approx(f_value, rel=1e-9)
    assert omnibus.loc["direct", "p"] == pytest.approx(p_value, rel=1e-8)
    assert omnibus.loc["direct", "r2_change"] == pytest.approx(full.rsquared - restricted.rsquared, abs=1e-10)
    assert df_diff == 2


def _section(markdown: str, heading_start: str) -> str:
    start = markdown.index(heading_start)
    following = re.search(r"^#{2,3} ", markdown[start + len(heading_start):], flags=re.M)
    return markdown[start: start + len(heading_start) + (following.start() if following else len(markdown))]


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_replicate_report_shows_relative_indirect_effects_and_omnibus_tests(tmp_path, lang):
    results = replicate("tone-of-reply", lang=lang, n=150, seed=4, n_boot=300, out=tmp_path / "out")
    h2 = _section((tmp_path / "out" / "report.md").read_text(encoding="utf-8"), "### H2.")
    result = results.hypothesis("h2").result
    shown = lambda value: format_number(float(value), 2, style="unicode")  # noqa: E731
    for _, row in result.indirect.iterrows():
        assert f"[{shown(row['ci_low'])}, {shown(row['ci_high'])}]" in h2
    assert "omnibus" in h2.lower()
    for _, row in result.omnibus.iterrows():
        assert f"({int(row['df1'])}, {int(row['df2'])}) = {shown(row['F'])}" in h2


async def test_bots_complete_the_survey_in_both_languages_and_the_export_holds_the_new_items(tmp_path, tone):
    import httpx

    quick = tone.model_copy(update={"vignette": tone.vignette.model_copy(update={"min_view_seconds": 0})})
    app = create_app(quick, f"sqlite:///{tmp_path / 'tone.db'}", admin_token="tone-admin-token")
    seen = set()
    for i in range(12):
        lang = quick.languages[i % 2]
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
            run = await walk(client, quick, lang=lang, seed=500 + i)
        assert run.completion_code
        seen.add(lang)
    data = export_data(app.state.survey.db, quick, tmp_path / "out")
    app.state.survey.db.close()
    assert seen == {"nl", "en"} and len(data) == 12
    assert sorted(set(data["tone"])) == TONES  # balanced assignment fills every tone
    assert {"sinc_1", "sinc_5", "sincerity", "mc_tone"} <= set(data.columns)
    assert data["sincerity"].between(1, 7).all()
