"""Issue 12 follow-ups on the tone-of-reply study: a process hypothesis with a multicategorical X
(tables, reference level, report, preregistration) and the pairwise follow-ups of a three-level
ANOVA.

References: statsmodels OLS (treatment coding, nested-model F tests) and pingouin's Games-Howell
test (an independent implementation), to the tolerances stated at each assertion. Values the
report prints are compared with the engine's numbers formatted by analysis.apa, never with text
the report printed earlier.
"""

from __future__ import annotations

import shutil
from dataclasses import replace

import numpy as np
import pandas as pd
import pingouin
import pytest
import statsmodels.formula.api as smf

from analysis.apa import format_number
from study import load_study, simulate
from study.cli import main
from study.design.loader import StudyFileError, shipped_studies
from study.pipeline.run import replicate
from study.pipeline.steps import analysed_rows, prepare_data, run_anova_hypothesis, run_process_hypothesis
from study.report.prereg import preregistration
from study.report.render import load_texts, render_report
from tests.study._study_variants import line_number

TONES = ["defensive", "neutral", "vulnerable"]


def shown(value) -> str:
    return format_number(float(value), 2, style="unicode")


@pytest.fixture(scope="module")
def tone():
    return load_study("tone-of-reply")


@pytest.fixture(scope="module")
def analysed(tone):
    return analysed_rows(prepare_data(simulate(tone, n=240, seed=21), tone))


def _variant(tmp_path, old: str, new: str):
    """A copy of tone-of-reply (with its own questionnaire module) with ``old`` replaced by ``new``."""
    folder = shipped_studies()["tone-of-reply"].parent
    for path in folder.iterdir():
        shutil.copy(path, tmp_path / path.name)
    study_file = tmp_path / "study.yaml"
    text = study_file.read_text(encoding="utf-8")
    assert text.count(old) == 1
    changed = text.replace(old, new)
    study_file.write_text(changed, encoding="utf-8")
    return study_file, changed


CODING_LINE = "      x_coding: indicator\n"


# --- tables of a process outcome --------------------------------------------------------------

def test_process_tables_flatten_the_two_level_index_and_hold_every_effect(tone, analysed):
    outcome = run_process_hypothesis(analysed, tone, tone.analysis.hypotheses[1], n_boot=200, seed=2)
    result, tables = outcome.result, outcome.tables("h2")
    indirect = tables["h2_indirect"]
    assert indirect.columns[:2].tolist() == ["path", "contrast"]
    pd.testing.assert_frame_equal(indirect.set_index(["path", "contrast"]), result.indirect)
    omnibus = tables["h2_omnibus"].set_index("effect")
    assert omnibus.index.tolist() == ["total", "direct"]
    pd.testing.assert_frame_equal(omnibus, result.omnibus, check_names=False)
    for kind in ("total", "direct"):
        table = tables[f"h2_{kind}_effect"].set_index("contrast")
        assert table.index.tolist() == ["tone[neutral]", "tone[vulnerable]"]
        pd.testing.assert_frame_equal(table, getattr(result, f"{kind}_effect"))
    # the relative total effects are the treatment contrasts of attitude by tone (statsmodels, 1e-10)
    frame = analysed.assign(tone=analysed["tone"].astype("object"))
    total = smf.ols("attitude ~ C(tone, Treatment('defensive'))", frame).fit()
    for level in ("neutral", "vulnerable"):
        name = f"C(tone, Treatment('defensive'))[T.{level}]"
        assert result.total_effect.loc[f"tone[{level}]", "effect"] == pytest.approx(total.params[name], abs=1e-10)
        assert result.total_effect.loc[f"tone[{level}]", "se"] == pytest.approx(total.bse[name], abs=1e-10)


def test_the_command_writes_the_report_and_the_process_tables(tmp_path, capsys):
    out = tmp_path / "x"
    code = main(["replicate", "--study", "tone-of-reply", "--n", "120", "--n-boot", "200", "--out", str(out),
                 "--no-progress"])
    assert code == 0, capsys.readouterr().err
    written = {path.stem for path in (out / "tables").glob("*.csv")}
    assert {"h2_indirect", "h2_omnibus", "h2_total_effect", "h2_direct_effect", "h1_tone_pairwise"} <= written
    assert (out / "report.md").exists() and (out / "figures" / "h2_process_diagram.png").exists()


# --- the reference level ----------------------------------------------------------------------

def test_x_reference_defaults_to_the_first_level_in_study_order(tone):
    h2 = tone.analysis.hypotheses[1]
    assert h2.x_reference is None and h2.reference_level(tone) == "defensive"


def test_x_reference_reaches_the_engine(tmp_path, analysed):
    path, _ = _variant(tmp_path, CODING_LINE, CODING_LINE + "      x_reference: vulnerable\n")
    study = load_study(path)
    hypothesis = study.analysis.hypotheses[1]
    assert hypothesis.reference_level(study) == "vulnerable"
    outcome = run_process_hypothesis(analysed, study, hypothesis, n_boot=100, seed=1)
    result = outcome.result
    assert outcome.reference == "vulnerable" and list(result.x_codes) == ["vulnerable", "defensive", "neutral"]
    frame = analysed.assign(tone=analysed["tone"].astype("object"))
    fit = smf.ols("sincerity ~ C(tone, Treatment('vulnerable'))", frame).fit()
    for level in ("defensive", "neutral"):  # statsmodels with the same reference, to 1e-10
        assert result.coefficients["sincerity"].loc[f"tone[{level}]", "coef"] == pytest.approx(
            fit.params[f"C(tone, Treatment('vulnerable'))[T.{level}]"], abs=1e-10)


def test_an_unknown_reference_level_is_a_file_error_on_its_line(tmp_path):
    path, text = _variant(tmp_path, CODING_LINE, CODING_LINE + "      x_reference: friendly\n")
    with pytest.raises(StudyFileError) as error:
        load_study(path)
    problem = next(p for p in error.value.problems if p.field.endswith("x_reference"))
    assert problem.line == line_number(text, "      x_reference: friendly")
    assert "friendly" in problem.message and "defensive, neutral, vulnerable" in problem.message
    assert main(["validate", str(path)]) == 2


def test_a_reference_level_needs_a_coding_system(tmp_path):
    path, _ = _variant(tmp_path, CODING_LINE,
                       "      x_coding: {defensive: 0, vulnerable: 1}\n      x_reference: defensive\n")
    with pytest.raises(StudyFileError) as error:
        load_study(path)
    problem = next(p for p in error.value.problems if p.field.endswith("x_reference"))
    assert "coding system" in problem.message


# --- the report --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def results():
    return replicate("tone-of-reply", n=150, seed=4, n_boot=300, out=None)


def _section(markdown: str, start: str, end: str) -> str:
    return markdown[markdown.index(start): markdown.index(end, markdown.index(start))]


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_report_states_contrasts_reference_effects_and_omnibus_tests(results, lang):
    t = load_texts()[lang]
    shown_results = replace(results, lang=lang)
    text = render_report(shown_results, "md")
    h2 = _section(text, "### H2.", "## 7.")
    study, result = results.study, results.hypothesis("h2").result
    labels = {level.name: level.label[lang] for level in study.factor("tone").levels}
    label = lambda level: level if lang == "en" else labels[level]  # noqa: E731
    assert "–;" not in h2 and t["process_setup"].split("{w}")[0].split("{y}")[-1] not in h2  # no "moderated by –"
    assert t["process_coding"].split("{reference}")[0].split("{coding}")[-1] in h2
    assert label("defensive") in h2
    for level in ("neutral", "vulnerable"):
        contrast = t["contrast_indicator"].format(level=label(level), reference=label("defensive"))
        assert contrast in h2 and f"tone[{level}]" not in h2
        for kind in ("total", "direct"):
            row = getattr(result, f"{kind}_effect").loc[f"tone[{level}]"]
            assert f"| {contrast} | {t['process_' + kind]} | {shown(row['effect'])} | {shown(row['se'])} |" in h2
    for _, row in result.omnibus.iterrows():
        assert f"ΔR² = {format_number(row['r2_change'], 3, leading_zero=False, style='unicode')}" in h2
        assert f"({int(row['df1'])}, {int(row['df2'])}) = {shown(row['F'])}" in h2
    summary = text[text.index("## 9."):]
    omnibus = t["summary_process_omnibus" if result.omnibus.loc["total", "p"] < 0.05 else "summary_process_omnibus_none"]
    assert omnibus.split("{x}")[0] in summary
    vulnerable = t["contrast_indicator"].format(level=label("vulnerable"), reference=label("defensive"))
    assert any(line.startswith(f"- {vulnerable[0].upper()}{vulnerable[1:]}:") for line in summary.splitlines())
    html = render_report(shown_results, "html")
    assert "ΔR²" in html and "<i>F</i>" in html


def test_webcare_keeps_its_moderator_in_the_setup():
    results = replicate("webcare-2x2", n=120, seed=5, n_boot=200, out=None)
    text = render_report(results, "md")
    assert "moderated by" in _section(text, "### H3.", "## 7.")


# --- the three-level ANOVA ------------------------------------------------------------------------

def test_pairwise_follow_ups_match_pingouin_games_howell(tone, analysed):
    outcome = run_anova_hypothesis(analysed, tone, tone.analysis.hypotheses[0])
    assert outcome.comparisons == {}  # no two-level factor: no t test, TOST or Bayes factor
    ours = outcome.pairwise["tone"]
    frame = analysed.assign(tone=analysed["tone"].astype("object"))
    reference = pingouin.pairwise_gameshowell(frame, dv="attitude", between="tone")
    assert list(zip(ours["group1"], ours["group2"])) == list(zip(reference["A"], reference["B"]))
    np.testing.assert_allclose(ours["diff"], reference["diff"], atol=1e-10)
    np.testing.assert_allclose(ours["se"], reference["se"], rtol=1e-10)
    np.testing.assert_allclose(ours["df"], reference["df"], rtol=1e-10)
    np.testing.assert_allclose(ours["p"], reference["pval"], atol=1e-6)  # studentized range sf


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_report_shows_the_pairwise_tests_and_no_absent_equivalence_test(results, lang):
    t = load_texts()[lang]
    text = render_report(replace(results, lang=lang), "md")
    h1 = _section(text, "### H1.", "### H2.")
    assert "Games-Howell" in h1
    pairs = results.hypothesis("h1").pairwise["tone"]
    for row in pairs.itertuples(index=False):
        assert f"[{shown(row.ci_low)}, {shown(row.ci_high)}]" in h1
    summary = text[text.index("## 9."):]
    assert t["summary_p_note_no_tost"] in summary and t["summary_p_note"] not in summary
    assert "Games-Howell" in summary


# --- the preregistration ---------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "nl"])
def test_prereg_of_model_4_names_contrasts_reference_and_omnibus_tests(tone, lang):
    t = load_texts()[lang]
    text = preregistration(tone, lang)
    analyses = text[text.index("## 4."):text.index("## 5.")]
    h2 = next(line for line in analyses.splitlines() if line.startswith("- **H2**"))
    assert "`defensive`" in h2 and "`neutral`" in h2 and "`vulnerable`" in h2
    assert t["pr_process_relative"].split("{reference}")[1][:20] in h2
    assert ("moderated" not in h2) and ("gemodereerd" not in h2) and "index" not in h2.lower()
    assert "Omnibus" in h2 and "Games-Howell" in text


def test_prereg_of_a_moderated_model_still_names_its_index():
    text = preregistration(load_study("webcare-2x2"), "en")
    analyses = text[text.index("## 4."):text.index("## 5.")]
    h3 = next(line for line in analyses.splitlines() if line.startswith("- **H3**"))
    assert "moderated by `empathy`" in h3 and "index of moderated mediation" in h3
