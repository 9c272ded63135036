"""Checks every shipped study must pass (one set of checks over every instance)."""

import itertools

import pytest

from study.dataset.codebook import codebook, canonical_columns
from study.design.crosscheck import cross_check
from study.dataset.exclusions import flag_exclusions
from study.design.loader import load_study, shipped_studies
from study.dataset.simulation import simulate

NAMES = sorted(shipped_studies())


@pytest.fixture(scope="module", params=NAMES)
def study(request):
    return load_study(request.param)


def _localized(study):
    yield "title", study.title
    for part in ("welcome", "consent", "decline", "debrief"):
        yield f"texts.{part}", getattr(study.texts, part)
    yield "vignette.intro", study.vignette.intro
    for factor in study.factors:
        if factor.label:
            yield f"{factor.name}.label", factor.label
        for level in factor.levels:
            yield f"{factor.name}.{level.name}.label", level.label


def test_loads_and_passes_every_cross_check(study):
    assert cross_check(study) == []
    assert study.id == study.path.parent.name


def test_translations_complete(study):
    for where, texts in _localized(study):
        assert set(texts) == set(study.languages), where
        assert all(text.strip() for text in texts.values()), where
    assert set(study.languages) <= set(study.questionnaire.languages)


def test_conditions_are_the_crossing_of_the_levels(study):
    expected = ["-".join(levels) for levels in
                itertools.product(*([level.name for level in f.levels] for f in study.factors))]
    assert study.condition_names == expected
    for condition in study.conditions:
        assert "-".join(condition.levels[f] for f in study.factor_names) == condition.name


def test_every_condition_has_a_thread_in_every_language(study):
    assert set(study.vignette.threads) == set(study.condition_names)
    for condition in study.condition_names:
        for lang in study.languages:
            messages = study.vignette.threads[condition][lang]
            assert messages and messages[0].author == "complainant", (condition, lang)
            assert any(m.author == "brand" for m in messages), (condition, lang)
        lengths = {len(study.vignette.threads[condition][lang]) for lang in study.languages}
        assert len(lengths) == 1, f"{condition}: translations differ in number of messages"


def test_debrief_reveals_the_fiction_and_the_conditions(study):
    brand = study.vignette.brand.name
    for lang, text in study.texts.debrief.items():
        assert brand in text, lang
    fiction = {"en": "fictitious", "nl": "fictief"}
    for lang in study.languages:
        assert fiction[lang] in study.texts.debrief[lang], lang


def test_analysis_plan_and_checks_refer_to_the_design(study):
    names = [h.kind for h in study.analysis.hypotheses]
    assert names.count("anova") >= 1 and names.count("mediation") + names.count("process") >= 1
    assert study.assignment.scheme == "balanced_completes" and study.assignment.timeout_minutes == 30
    assert {check.factor for check in study.checks.manipulation} == set(study.factor_names)
    assert "{code}" in study.completion.redirect_url


def test_simulate_gives_one_row_per_participant_with_every_canonical_column(study):
    data = simulate(study, n=37, seed=1)
    assert len(data) == 37 and data["participant_id"].is_unique
    assert list(data.columns) == canonical_columns(study, simulated=True)
    for factor in study.factor_names:
        assert set(data[factor]) == set(study.factor(factor).level_names)
    scales = [scale.id for scale in study.questionnaire.scales]
    assert data[scales].notna().all().all()


def test_codebook_covers_every_column(study):
    data = flag_exclusions(simulate(study, n=12, seed=2), study)
    book = codebook(study)
    missing = [column for column in data.columns if column not in book]
    assert missing == []
    assert book.columns[: len(canonical_columns(study))] == canonical_columns(study)
