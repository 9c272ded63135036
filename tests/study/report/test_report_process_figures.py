"""The report's figures of a process hypothesis (webcare-2x2's h3, moderated mediation, model 8):
a statistical diagram, the conditional effects across the moderator and the simple slopes, with
captions in English and Dutch, carrying the study's display labels."""

from __future__ import annotations

from dataclasses import replace

import pytest

from study.pipeline.run import replicate
from study.report.outputs import make_figures
from study.report.render import load_texts, render_report

NAMES = ("h3_process_diagram", "h3_conditional_effects", "h3_simple_slopes")


@pytest.fixture(scope="module")
def results():
    return replicate("webcare-2x2", n=120, seed=5, n_boot=200, out=None)


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_each_process_hypothesis_gets_its_figures_with_captions(results, lang):
    shown = replace(results, lang=lang)
    made = make_figures(shown)
    assert set(NAMES) <= set(made)
    texts = load_texts()[lang]
    hypothesis = results.hypothesis("h3").hypothesis
    assert made["h3_process_diagram"].caption == texts["fig_process_diagram"].format(id="H3", model=hypothesis.model)
    for name in NAMES:
        assert made[name].caption.startswith("H3: ")
    # empathy is dichotomous: no Johnson-Neyman region, the caption says "at values of"
    assert made["h3_conditional_effects"].caption.startswith(texts["fig_conditional_effects"].split("{x}")[0].format(id="H3"))
    report = render_report(shown, "md", figures={name: f"figures/{name}.png" for name in made},
                           captions={name: made[name].caption for name in made})
    for name in NAMES:
        assert made[name].caption in report


def test_figures_carry_the_display_labels_of_the_report(results):
    dutch = replace(results, lang="nl")
    made = make_figures(dutch)
    effects = made["h3_conditional_effects"].figure
    study = results.study
    empathy = study.factor("empathy")
    levels = [level.label["nl"] for level in empathy.levels]
    assert len(effects.axes) == 2  # channel -> persuasion knowledge, then channel -> attitude
    for ax in effects.axes:
        ticks = [t.get_text().replace("\n", " ") for t in ax.get_xticklabels()]
        assert sorted(ticks) == sorted(levels)
        assert ax.get_xlabel() == empathy.label["nl"]
    slopes = made["h3_simple_slopes"].figure.axes[0]
    channel = study.factor("channel")
    assert sorted(t.get_text().replace("\n", " ") for t in slopes.get_xticklabels()) == \
        sorted(level.label["nl"] for level in channel.levels)
    diagram = [t.get_text() for t in made["h3_process_diagram"].figure.axes[0].texts]
    assert any(text.startswith(channel.label["nl"]) for text in diagram)
    assert any(text.startswith("Index van gemodereerde mediatie") for text in diagram)
