"""The report's rendering: numbers from the results, escaping of free text, a self-contained
HTML page, both languages, and the output-folder rules."""

from __future__ import annotations

import re
from dataclasses import replace

import pandas as pd
import pytest

from analysis.apa import format_number
from study.errors import UserError
from study.pipeline.run import replicate
from study.report.render import load_texts, md_escape, render_report
from study.report.outputs import check_output_dir, make_figures

HOSTILE = '<script>alert("x")</script> **loud** | [link](http://evil.example) <img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def results():
    return replicate(n=70, seed=11, n_boot=300, out=None)


@pytest.fixture(scope="module")
def hostile(results):
    """The same results with a participant's reason that tries to inject markup."""
    analysed = results.analysed.copy()
    first_coded = analysed.index[analysed["code_no_motive"].fillna(0).astype(int) == 0][0]
    analysed["reason"] = analysed["reason"].astype("object")
    analysed.loc[first_coded, "reason"] = HOSTILE
    return replace(results, analysed=analysed)


def test_descriptives_table_holds_the_computed_numbers(results):
    report = render_report(results, "md")
    for row in results.descriptives.itertuples(index=False):
        if row.variable != "attitude":
            continue
        mean, sd = (format_number(v, 2, style="unicode") for v in (row.mean, row.sd))
        assert re.search(rf"\| Attitude toward the company \| {row.condition} \| {row.n} \| {mean} \| {sd} \|", report)


def test_exclusion_flow_and_reliability_are_reported(results):
    report = render_report(results, "md")
    flow = dict(zip(results.flow["stage"], results.flow["n"]))
    assert f"| Started | {flow['started']} |" in report and f"| Analysed | {flow['analysed']} |" in report
    alpha = results.reliability.set_index("scale").loc["attitude", "alpha"]
    assert f"| Attitude toward the company | 5 | {format_number(alpha, 2, leading_zero=False)} |" in report


def test_non_significant_results_are_explained_with_tost_and_bayes_factor(results):
    report = render_report(results, "md")
    comparison = results.hypothesis("h1").comparisons["channel"]
    p = float(comparison.tests.set_index("test").loc["student", "p"])
    summary = report.split("## 9.")[1]
    if p < results.study.analysis.alpha:
        assert "statistically significant" in summary
    else:
        assert "does not show that the conditions are equal" in summary or "support the absence" in summary
    assert "Bayes factor" in summary and "compatible with no effect, not that there is no effect" in summary


def test_free_text_is_escaped_in_markdown(hostile):
    report = render_report(hostile, "md")
    assert not re.search(r"(?<!\\)<(script|img)", report) and "](http" not in report
    assert r"\<script\>" in report and r"\<img src=x" in report


def test_free_text_is_escaped_in_html(hostile):
    page = render_report(hostile, "html")
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page


def test_html_is_self_contained_with_inline_svg(results, tmp_path):
    from analysis.style import save_figure

    fig = make_figures(results)["h1_attitude_by_condition"].figure
    svg_path = next(p for p in save_figure(fig, tmp_path / "fig", formats=("svg",)))
    svg = svg_path.read_text(encoding="utf-8")
    page = render_report(results, "html", figures={"h1": svg[svg.index("<svg"):]})
    assert page.startswith("<!DOCTYPE html>") and page.count("<svg") == 1
    assert not re.search(r"""(src|href)=["']?(https?:|//|[\w./-]+\.(png|css|js))""", page)
    assert "<link" not in page and "<script" not in page
    assert "<i>F</i>(1, " in page  # statistics keep their APA markup


def test_dutch_report_translates_prose_and_headings(results):
    dutch = render_report(replace(results, lang="nl"), "md")
    texts = load_texts()
    for key in ("h_participants", "h_hypotheses", "h_summary", "flow_table", "descriptives_table"):
        assert texts["nl"][key] in dutch and texts["en"][key] not in dutch
    assert "decimale punt" in dutch
    assert "Houding tegenover het bedrijf" in dutch


def test_both_languages_have_the_same_texts():
    texts = load_texts()
    assert set(texts["en"]) == set(texts["nl"])
    for key, english in texts["en"].items():
        assert set(re.findall(r"{(\w+)}", english)) == set(re.findall(r"{(\w+)}", texts["nl"][key])), key


def test_md_escape_neutralises_markdown():
    assert md_escape("a*b_c [x](y) <b>") == r"a\*b\_c \[x\]\(y\) \<b\>"
    assert md_escape("line\nbreak") == "line break"


def test_output_folder_rules(tmp_path):
    check_output_dir(tmp_path / "new")          # missing: fine
    (tmp_path / "empty").mkdir()
    check_output_dir(tmp_path / "empty")        # empty: fine
    previous = tmp_path / "previous"
    previous.mkdir()
    (previous / "manifest.json").write_text("{}")
    (previous / "report.md").write_text("old")
    check_output_dir(previous)                  # an earlier replylab output: replaced
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    with pytest.raises(UserError, match="--force"):
        check_output_dir(foreign)
    check_output_dir(foreign, force=True)
    (tmp_path / "file").write_text("x")
    with pytest.raises(UserError, match="is a file"):
        check_output_dir(tmp_path / "file")


def test_tables_keep_full_precision(results):
    from study.report.outputs import result_tables

    tables = result_tables(results)
    assert set(tables) >= {"exclusion_flow", "reliability", "descriptives", "h1_anova", "h2_primary_indirect"}
    pd.testing.assert_frame_equal(tables["h1_anova"], results.hypothesis("h1").anova)
    indirect = tables["h2_primary_indirect"].set_index("mediator")
    assert indirect.loc["pk_strategic", "effect"] == results.hypothesis("h2").primary.indirect.loc["pk_strategic", "effect"]


# --- the Dutch report is Dutch throughout (issue 6) ---------------------------------------------

#: Words that mark an English sentence; none of them is a Dutch word (" of " would be: Dutch "or").
ENGLISH_TELLTALES = (" the ", " participants", " condition ", " which ", " with ", " were ", " through ",
                     " and ", " or ", " not ", "Welch's", "% CI", " differs ")


def _prose_of_markdown(text: str) -> str:
    """The report's own words: without code (fenced, inline), participants' quoted reasons and link targets."""
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    text = re.sub(r"`[^`\n]*`", " ", text)
    text = re.sub(r"“[^”]*”", " ", text)
    return re.sub(r"\]\([^)]*\)", "]", text)


def _prose_of_html(page: str) -> str:
    page = re.sub(r"<(svg|style|pre|code|q)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"<[^>]+>", " ", page)


def _english_words(prose: str) -> list[str]:
    prose = " ".join(prose.split())
    return [word for word in ENGLISH_TELLTALES if word in prose]


@pytest.fixture(scope="module")
def dutch(results):
    return replace(results, lang="nl")


def test_the_english_word_check_can_fail(results):
    """The check below is meaningful: the English report trips it."""
    assert len(_english_words(_prose_of_markdown(render_report(results, "md")))) >= 5


def test_dutch_report_has_no_english_sentences(dutch):
    assert _english_words(_prose_of_markdown(render_report(dutch, "md"))) == []
    assert _english_words(_prose_of_html(render_report(dutch, "html"))) == []


def test_dutch_prose_names_levels_by_their_labels(dutch):
    study = dutch.study
    report = render_report(dutch, "md")
    prose = _prose_of_markdown(report)
    for factor in study.factors:
        for level in factor.levels:
            label = level.label["nl"]
            assert f"‘{label}’" in prose, label  # in the sentences (quoted) ...
            assert not re.search(rf"\b{level.name}\b", prose), level.name  # ... and never as the id
            assert f"| {label} |" in report  # and in the tables
    summary = prose.split("## 9.")[1]
    comparison = dutch.hypothesis("h1").comparisons["channel"]
    top = str(comparison.descriptives.set_index("channel")["mean"].astype(float).idxmax())
    if "hoger bij" in summary:
        assert f"hoger bij ‘{_level_label(study, 'channel', top)}’" in summary


def _level_label(study, factor: str, level: str, lang: str = "nl") -> str:
    return next(lv.label[lang] for lv in study.factor(factor).levels if lv.name == level)


def test_dutch_report_uses_dutch_statistics_words(results, dutch):
    english, report = render_report(results, "md"), render_report(dutch, "md")
    assert "Welch's *F*(" in english and "95% CI [" in english and "indirect effect = " in english
    assert "Welch-*F*(" in report and "95%-BI [" in report and "indirect effect = " in report
    assert "95% CI" not in report and "Welch's" not in report
    # the numbers are the same: only the words change
    numbers = re.compile(r"[−-]?\d+\.\d+")
    assert numbers.findall(english.split("## 6.")[1].split("## 7.")[0]) == \
        numbers.findall(report.split("## 6.")[1].split("## 7.")[0])


def test_hypotheses_are_described_in_the_report_language(results, dutch):
    for lang, run in (("en", results), ("nl", dutch)):
        report = render_report(run, "md")
        for hypothesis in run.study.analysis.hypotheses:
            text = hypothesis.description[lang]
            assert f"### {hypothesis.id.upper()}. {md_escape(text)}" in report
    assert "Attitude towards the provider" not in render_report(dutch, "html")


def test_dutch_html_has_dutch_captions_and_code(dutch, tmp_path):
    from analysis.style import save_figure

    made = make_figures(dutch)["motives_by_condition"]
    svg_path = save_figure(made.figure, tmp_path / "m", formats=("svg",))[0]
    svg = svg_path.read_text(encoding="utf-8")
    page = render_report(dutch, "html", figures={"motives_by_condition": svg[svg.index("<svg"):]},
                         captions={"motives_by_condition": made.caption})
    texts = load_texts()["nl"]
    assert '<html lang="nl">' in page
    assert f"<figcaption>{texts['fig_motives_by_condition']}</figcaption>" in page
    assert "<td><code>mc_channel</code></td>" in page


def test_dutch_figures_carry_labels(dutch):
    figures = {name: made.figure for name, made in make_figures(dutch).items()}
    axes = figures["h1_attitude_by_condition"].axes[0]
    ticks = [t.get_text().replace("\n", " ") for t in axes.get_xticklabels()]
    assert ticks == [level.label["nl"] for level in dutch.study.factor("channel").levels]
    assert axes.get_xlabel() == load_texts()["nl"]["fig_condition_axis"]
    assert axes.get_ylabel() == "Houding tegenover het bedrijf"
    texts = load_texts()["nl"]
    assert figures["motives_by_condition"].axes[0].get_ylabel() == texts["fig_pct_mentioned"]
    assert figures["attitude_items"].axes[0].get_xlabel() == texts["fig_pct_answers"]
    english = make_figures(replace(dutch, lang="en"))["h1_attitude_by_condition"].figure.axes[0]
    assert [t.get_text() for t in english.get_xticklabels()] == ["public", "private"]


def test_two_factor_conditions_show_both_labels():
    run = replicate("webcare-2x2", lang="nl", n=60, seed=5, n_boot=200, out=None)
    report = render_report(run, "md")
    prose = _prose_of_markdown(report)
    first = run.study.conditions[0]
    joined = " / ".join(_level_label(run.study, f, lv) for f, lv in first.levels.items())
    assert f"‘{joined}’ *n* = " in prose
    assert _english_words(prose) == []
    for name in run.study.condition_names:
        assert not re.search(rf"\b{name}\b", prose)


@pytest.mark.parametrize("coding", ["indicator", "sequential", "helmert", "effect"])
@pytest.mark.parametrize("lang", ["en", "nl"])
def test_each_contrast_is_worded_as_the_difference_its_coefficient_estimates(coding, lang):
    # three groups with known means; "A vs B" must read as A minus B for every coding. The total effect
    # of each code (Y on the codes alone) is checked against the difference of the worded groups' means,
    # computed here from the data.
    import numpy as np

    from analysis.process import process
    from study.report.process_tables import contrast_labels

    rng = np.random.default_rng(40)
    levels = ["defensive", "neutral", "vulnerable"]
    data = pd.DataFrame({"tone": np.repeat(levels, 40), "m": rng.normal(size=120)})
    data["y"] = data["tone"].map({"defensive": 3.3, "neutral": 4.4, "vulnerable": 4.6}) + rng.normal(0, 0.5, 120)
    means = data.groupby("tone")["y"].mean()
    result = process(data, 4, x="tone", m="m", y="y", x_coding=coding, n_boot=20, seed=1)
    versus = " vs " if lang == "en" else " versus "

    def mean_of(words):  # a level's mean, or the mean of the levels a phrase names ("after X", "all")
        if words in levels:
            return means[words]
        named = [level for level in levels if level in words]
        return means[levels[levels.index(named[0]) + 1:]].mean() if named else means.mean()

    for term, text in contrast_labels(levels, coding, "tone", str, load_texts()[lang]).items():
        first, second = text.split(versus)
        effect = result.total_effect.loc[term, "effect"]
        assert effect == pytest.approx(mean_of(first) - mean_of(second), abs=1e-9), (term, text)


def test_a_moderation_model_with_w_and_z_is_reported_with_both_and_its_interaction_tests(tmp_path):
    # model 2 on the 2x2 study: X channel, W empathy (a coded factor), Z scenario realism (a scale).
    # The conditional effects come from analysis.process on the same data; the report must name Z,
    # give it a column, and word the model as moderation (no mediator, no bootstrap).
    from analysis.process import process
    from study.pipeline.steps import process_frame
    from tests.study._study_variants import variant

    block = ("      w_coding: {neutral: 0, empathic: 1}\n      y: attitude\n")
    model_2 = (block + "    - kind: process\n      id: h4\n      description: Two moderators (model 2).\n"
               "      model: 2\n      x: channel\n      x_coding: {private: 0, public: 1}\n      w: empathy\n"
               "      w_coding: {neutral: 0, empathic: 1}\n      z: realism\n      z_values: [3.0, 5.5]\n"
               "      y: attitude\n")
    path, _ = variant(tmp_path, block, model_2, name="webcare-2x2")
    results = replicate(path, n=120, seed=5, n_boot=50, out=None)
    markdown = render_report(results)
    section = markdown.split("### H4.")[1]
    assert "the effect of Channel of the reply on Attitude toward the company, moderated by Style of the reply and " \
           "Scenario realism" in section
    assert "bootstrap" not in section.split("\n\n")[1]
    assert "| Style of the reply | Scenario realism | Estimate |" in section
    assert "| Attitude toward the company | Channel of the reply × Style of the reply, Channel of the reply × " \
           "Scenario realism | " in section  # PROCESS's joint test of both products
    hypothesis = results.study.analysis.hypotheses[-1]
    expected = process(process_frame(results.analysed, results.study, hypothesis), 2, x="channel", w="empathy",
                       z="realism", z_values=[3.0, 5.5], y="attitude").conditional_effects
    assert list(expected["z"].unique()) == [3.0, 5.5]  # the study file's z_values are the ones probed
    first = expected.iloc[0]
    assert f"| neutral | {format_number(first['z'], style='unicode')} | {format_number(first['effect'], style='unicode')} |" in section
