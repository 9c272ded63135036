"""A hypothesis's ``direction``: read from the study file (errors at file:line), carried into
the two-group tests (one-sided p checked against scipy), the tables, the report (English and
Dutch: which test was run) and the preregistration; a mediation's covariates (webcare-2x2 H2
controls for the other factor)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.mediation import mediation
from study import load_study
from study.design.loader import StudyFileError
from study.design.schema import AnovaHypothesis
from study.pipeline.run import replicate
from study.report.prereg import preregistration
from study.report.render import render_report

N, SEED, N_BOOT = 90, 11, 300
TILBURG = Path(__file__).parents[3] / "study" / "design" / "studies" / "tilburg" / "study.yaml"


@pytest.fixture(scope="module")
def tilburg_run():
    return replicate(n=N, seed=SEED, n_boot=N_BOOT, out=None)


def _two_sided(study):
    hypotheses = [h.model_copy(update={"direction": "two-sided"}) if h.kind == "anova" else h
                  for h in study.analysis.hypotheses]
    return study.model_copy(update={"analysis": study.analysis.model_copy(update={"hypotheses": hypotheses})})


def test_tilburg_h1_is_one_sided_as_scipy(tilburg_run):
    # Reference: scipy.stats.ttest_ind(public, private, alternative="greater") on the analysed rows;
    # tolerance 1e-12 (same distribution, another implementation).
    comparison = tilburg_run.hypothesis("h1").comparisons["channel"]
    assert comparison.alternative == "greater" and comparison.groups == ("public", "private")
    data = tilburg_run.analysed
    public, private = (data.loc[data["channel"].astype("object") == level, "attitude"].dropna().to_numpy(float)
                       for level in ("public", "private"))
    tests = comparison.tests.set_index("test")
    for test, equal_var in (("student", True), ("welch", False)):
        expected = stats.ttest_ind(public, private, equal_var=equal_var, alternative="greater")
        assert tests.loc[test, "p"] == pytest.approx(expected.pvalue, rel=1e-12)
    assert comparison.bf_directional is not None and comparison.bf_directional != comparison.bf10


def test_two_sided_by_default_and_the_same_data_give_twice_the_p(tilburg_run):
    study = _two_sided(load_study("tilburg"))
    two = replicate(study, n=N, seed=SEED, n_boot=N_BOOT, out=None).hypothesis("h1").comparisons["channel"]
    one = tilburg_run.hypothesis("h1").comparisons["channel"]
    assert two.alternative == "two-sided" and two.bf_directional is None
    t = one.tests.set_index("test").loc["student", "statistic"]
    assert t > 0  # the simulated public > private; one-sided p is then half the two-sided one
    assert one.tests.set_index("test").loc["student", "p"] == pytest.approx(
        two.tests.set_index("test").loc["student", "p"] / 2, rel=1e-12)


def test_the_report_says_which_test_was_run(tilburg_run):
    english = render_report(tilburg_run, "md")
    assert "The hypothesis expects public > private, so the t tests and the Bayes factor are one-sided" in english
    bf = tilburg_run.hypothesis("h1").comparisons["channel"].bf_directional
    found = re.search(r"prior only on public > private\): BF\+0 = ([\d.]+)", english)
    assert found and float(found[1]) == pytest.approx(bf, abs=0.005)
    assert "(One-sided test: the hypothesis expects public > private;" in english
    dutch_results = replicate(n=N, seed=SEED, n_boot=N_BOOT, out=None, lang="nl")
    dutch = render_report(dutch_results, "html")
    assert "De hypothese verwacht ‘Publiek opgelost in de openbare draad’ &gt; ‘Verplaatst naar" in dutch
    assert "dus de t-toetsen en de Bayesfactor zijn eenzijdig in die richting" in dutch
    two_sided = replicate(_two_sided(load_study("tilburg")), n=N, seed=SEED, n_boot=N_BOOT, out=None)
    text = render_report(two_sided, "md")
    assert "The hypothesis names no expected order, so the t tests are two-sided." in text
    assert "BF+0" not in text


def test_the_tests_table_names_the_alternative(tmp_path):
    results = replicate(n=N, seed=SEED, n_boot=N_BOOT, out=tmp_path / "out")
    tests = pd.read_csv(results.out / "tables" / "h1_channel_tests.csv")
    by_test = tests.set_index("test")
    assert by_test.loc["student", "alternative"] == "greater" and by_test.loc["welch", "alternative"] == "greater"
    assert pd.isna(by_test.loc["tost", "alternative"])
    comparison = results.hypothesis("h1").comparisons["channel"]
    assert by_test.loc["bayes_factor_bf_plus0", "statistic"] == pytest.approx(comparison.bf_directional, rel=1e-12)


@pytest.mark.parametrize(("written", "message"), [
    ("public >> private", "'public >> private' is not an expected order"),
    ("public > public", "'public > public' compares a level with itself"),
    ("{empathy: public > private}", "names empathy, which is not in between (channel)"),
])
def test_a_malformed_direction_is_a_file_line_error(tmp_path, written, message):
    text = TILBURG.read_text(encoding="utf-8")
    assert text.count("      direction: public > private\n") == 1
    path = tmp_path / "study.yaml"
    path.write_text(text.replace("      direction: public > private\n", f"      direction: {written}\n"),
                    encoding="utf-8")
    line = 1 + text[:text.index("      direction: public > private")].count("\n")
    with pytest.raises(StudyFileError) as raised:
        load_study(path)
    assert f"study.yaml:{line}: analysis.hypotheses[0].direction: {message}" in str(raised.value)


def test_direction_forms_and_the_factors_they_must_match():
    def h1(direction, between="channel"):
        return AnovaHypothesis(kind="anova", id="h1", dv="attitude", between=between, direction=direction)

    assert h1("private < public").directions == {"channel": ("public", "private")}
    assert h1("two-sided").directions == {}
    assert h1({"channel": "public > private"}, ["channel", "empathy"]).directions == {"channel": ("public", "private")}
    with pytest.raises(ValueError, match=r"several factors; say which one .*\{channel: public > private\}"):
        h1("public > private", ["channel", "empathy"])
    webcare = load_study("webcare-2x2")
    wrong = h1({"empathy": "public > private"}, ["channel", "empathy"])
    assert wrong.direction_problems(webcare) == [
        (("direction", "empathy"), "public > private must name the levels of 'empathy': empathic and neutral")]
    assert h1("public > private").direction_problems(webcare) == []


def test_webcare_mediation_controls_for_the_other_factor():
    study = load_study("webcare-2x2")
    h2 = next(h for h in study.analysis.hypotheses if h.id == "h2")
    assert h2.kind == "mediation" and h2.covariates == ["empathy"]
    results = replicate(study, n=120, seed=SEED, n_boot=N_BOOT, out=None)
    outcome = results.hypothesis("h2")
    assert outcome.primary.covariates == ["empathy"]
    # the same model fitted directly, empathy as 0/1 in level order (empathic 0, neutral 1): same paths
    data = results.analysed.copy()
    data["channel"] = data["channel"].astype("object")
    data["empathy"] = (data["empathy"].astype("object") == "neutral").astype(float)
    direct = mediation(data, "channel", "pk_strategic", "attitude", covariates="empathy", n_boot=N_BOOT,
                       seed=results.boot_seed, x_coding={"private": 0, "public": 1})
    np.testing.assert_allclose(outcome.primary.paths.to_numpy(), direct.paths.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(outcome.primary.indirect.to_numpy(), direct.indirect.to_numpy(), rtol=1e-12)
    english = render_report(results, "md")
    assert "Controlling for Style of the reply (entered in every regression of the model)." in english
    assert "Covariates in every regression of the model: `empathy`." in preregistration(study, "en")
    dutch = render_report(replicate(study, n=120, seed=SEED, n_boot=N_BOOT, out=None, lang="nl"), "md")
    assert "Gecontroleerd voor Stijl van de reactie (opgenomen in elke regressie van het model)." in dutch
