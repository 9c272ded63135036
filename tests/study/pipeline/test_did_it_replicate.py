"""study.pipeline.replication: the original's claims against this study's data, with verdicts.

The estimates are recomputed here from the analysed rows with pandas and scipy (not with the
pipeline's own helpers); the verdict rules are checked on crafted claims.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from markupsafe import escape
from scipy import stats

from study.design.loader import StudyFileError, load_study
from study.pipeline.replication import replication_verdicts
from study.report.verdicts import VERDICT_RULES
from study.pipeline.run import replicate
from study.report.prereg import preregistration
from study.report.render import load_texts, render_report
from tests.study._study_variants import line_number, variant


@pytest.fixture(scope="module")
def results():
    return replicate("tilburg", n=140, seed=2021, n_boot=500, out=None)


def test_every_claim_of_the_original_gets_an_estimate_and_a_verdict(results):
    table = results.replication.set_index("claim")
    assert list(table.index) == [claim.id for claim in results.study.original.claims]
    assert set(table["verdict"]) <= {"replicated", "not replicated", "inconclusive"}
    for claim_id, criteria in results.replication_criteria.items():
        deciding = VERDICT_RULES[table.loc[claim_id, "claimed"]]
        assert deciding in set(criteria["criterion"])


def test_the_estimates_are_the_quantities_the_claims_name(results):
    data, table = results.analysed, results.replication.set_index("claim")
    public = data.loc[data["channel"].astype(str) == "public", "attitude"]
    private = data.loc[data["channel"].astype(str) == "private", "attitude"]
    pooled = np.sqrt(((len(public) - 1) * public.var() + (len(private) - 1) * private.var())
                     / (len(public) + len(private) - 2))
    assert table.loc["attitude_public_higher", "estimate"] == pytest.approx(
        (public.mean() - private.mean()) / pooled, abs=1e-10)
    private_any = data.loc[data["channel"].astype(str) == "private", "pk_any"].astype(float)
    assert table.loc["private_seen_as_strategic", "estimate"] == pytest.approx(private_any.mean(), abs=1e-12)
    shares = data.groupby(data["channel"].astype(str))["code_image_showcase"].mean()
    assert table.loc["public_seen_as_showcase", "estimate"] == pytest.approx(
        shares["public"] - shares["private"], abs=1e-12)
    r, _ = stats.pearsonr(data["pk_strategic"].astype(float), data["attitude"].astype(float))
    assert table.loc["motives_unrelated_to_attitude", "estimate"] == pytest.approx(r, abs=1e-12)
    indirect = results.hypothesis("h2").primary.indirect.iloc[0]["effect"]
    assert table.loc["motives_do_not_explain", "estimate"] == pytest.approx(indirect, abs=1e-12)


def test_a_directional_verdict_follows_the_one_sided_test(results):
    table = results.replication.set_index("claim")
    one_sided = stats.binomtest(
        int(results.analysed.loc[results.analysed["channel"].astype(str) == "private", "pk_any"].sum()),
        int((results.analysed["channel"].astype(str) == "private").sum()), 0.5, alternative="greater")
    criteria = results.replication_criteria["private_seen_as_strategic"].iloc[0]
    # the score test (normal approximation) the pipeline uses agrees with the exact binomial test
    assert criteria["p"] == pytest.approx(one_sided.pvalue, abs=0.02)
    expected = "replicated" if criteria["p"] < 0.05 else "inconclusive"
    assert table.loc["private_seen_as_strategic", "verdict"] == expected


def test_a_claim_against_the_data_is_not_replicated(results):
    # the same data, with the original claiming that attitude was LOWER after a public reply
    study = results.study
    claims = [claim.model_copy(update={"reported": claim.reported.model_copy(update={"direction": "negative"})})
              if claim.id == "attitude_public_higher" else claim for claim in study.original.claims]
    flipped = study.model_copy(update={"original": study.original.model_copy(update={"claims": claims})})
    table, _ = replication_verdicts(type(results)(**{**results.__dict__, "study": flipped}))
    assert table.set_index("claim").loc["attitude_public_higher", "verdict"] == "not replicated"


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_report_opens_its_results_with_did_it_replicate(results, lang):
    from dataclasses import replace

    texts = load_texts()[lang]
    for fmt in ("md", "html"):
        text = render_report(replace(results, lang=lang), fmt)
        t = {k: str(escape(v)) for k, v in texts.items()} if fmt == "html" else texts
        assert text.index(t["h_replication"]) < text.index(t["h_participants"])
        assert t["replication_table"] in text
        for key in ("rule_direction", "rule_none"):  # each verdict's rule is stated
            assert t[key].split("{")[0] in text
        for claim in results.study.original.claims:
            assert claim.finding[lang] in text


def test_the_preregistration_lists_the_claims_and_the_rules_before_any_data():
    text = preregistration(load_study("tilburg"), lang="nl")
    t = load_texts()["nl"]
    assert f"## {t['pr_h_replication']}" in text
    assert t["rule_direction"].split("{")[0] in text and t["rule_none"].split("{")[0] in text
    assert "`motives_do_not_explain`" in text


def test_an_original_claim_naming_a_missing_hypothesis_is_reported_with_its_line(tmp_path):
    path, text = variant(tmp_path, "quantity: {kind: indirect, hypothesis: h2}",
                         "quantity: {kind: indirect, hypothesis: h9}")
    with pytest.raises(StudyFileError) as error:
        load_study(path)
    problem = next(p for p in error.value.problems if p.field.startswith("original"))
    assert problem.line == line_number(text, "hypothesis: h9")
    assert "'h9' is not an mediation hypothesis" in problem.message


def test_a_claim_must_say_what_the_original_reported(tmp_path):
    path, text = variant(tmp_path, "      reported: {relation: none}\n    - id: motives_do_not_explain",
                         "      reported: {}\n    - id: motives_do_not_explain")
    with pytest.raises(StudyFileError) as error:
        load_study(path)
    assert "give exactly one of direction" in str(error.value)


def test_a_study_without_an_original_has_no_verdicts_and_no_section(tmp_path):
    results = replicate("webcare-2x2", n=60, seed=1, n_boot=200, out=tmp_path / "out")
    assert results.replication.empty and results.replication_criteria == {}
    assert load_texts()["en"]["h_replication"] not in (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    import json

    assert json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))["claims"] == []
