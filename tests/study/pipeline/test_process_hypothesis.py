"""A study file's process hypothesis (moderated mediation) runs analysis.process on the recoded data."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.process import process
from study.design.loader import StudyFileError, load_study
from study.pipeline.run import replicate
from study.report.render import load_texts, render_report
from tests.study._study_variants import line_number, variant


@pytest.fixture(scope="module")
def results():
    return replicate("webcare-2x2", n=160, seed=5, n_boot=300, out=None)


def test_the_pipeline_fits_the_declared_model_on_the_coded_factors(results):
    outcome = results.hypothesis("h3")
    data = results.analysed.copy()
    data["channel"] = data["channel"].astype("object").map({"private": 0.0, "public": 1.0})
    data["empathy"] = data["empathy"].astype("object").map({"neutral": 0.0, "empathic": 1.0})
    direct = process(data, 8, x="channel", m="pk_scale", w="empathy", y="attitude", n_boot=300,
                     ci=0.95, seed=results.boot_seed)
    for name, table in direct.coefficients.items():
        pd.testing.assert_frame_equal(outcome.result.coefficients[name], table)
    pd.testing.assert_frame_equal(outcome.result.index, direct.index)
    assert list(outcome.result.conditional_indirect["w"]) == [0.0, 1.0]


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_report_presents_the_moderated_mediation(results, lang):
    from dataclasses import replace

    t = load_texts()[lang]
    text = render_report(replace(results, lang=lang), "md")
    assert "### H3." in text and t["process_conditional_indirect"] in text
    assert t["process_index"].split("{")[0] in text


def test_a_factor_moderator_needs_its_coding(tmp_path):
    path, text = variant(tmp_path, "      w_coding: {neutral: 0, empathic: 1}\n", "", name="webcare-2x2")
    with pytest.raises(StudyFileError) as error:
        load_study(path)
    problem = next(p for p in error.value.problems if p.field.endswith("w_coding"))
    assert "give w_coding" in problem.message
    assert problem.line == line_number(text, "- kind: process")  # the hypothesis that lacks it
