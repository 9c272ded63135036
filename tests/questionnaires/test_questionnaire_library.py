"""Contract tests run over every shipped questionnaire module (questionnaires/library)."""

import re

import numpy as np
import pandas as pd
import pytest

from questionnaires import library_names, load_questionnaire, score, validate_answer
from questionnaires.loader import LIBRARY_DIR
from questionnaires.models import RATING_TYPES

NAMES = library_names()
ID = re.compile(r"^[a-z][a-z0-9_]*$")


def test_library_holds_the_modules_of_the_architecture():
    assert NAMES == sorted(
        [
            "attitude", "persuasion_knowledge", "reason", "manipulation_channel", "manipulation_empathy",
            "attention", "realism", "social_media", "demographics", "sincerity",
        ]
    )  # fmt: skip


@pytest.fixture(params=NAMES)
def module(request):
    return load_questionnaire(request.param)


def _texts(q):
    """Every participant-facing text mapping of a questionnaire, with a name."""
    yield "title", q.title
    for item in q.items:
        yield f"{item.id}.text", item.text
        if item.anchors:
            yield f"{item.id}.anchors", item.anchors
        if item.labels:
            yield f"{item.id}.labels", item.labels
        for option in item.options or []:
            yield f"{item.id}.{option.value}", option.label
    for scale in q.scales:
        yield f"{scale.id}.label", scale.label
    for page in q.pages:
        yield f"{page.id}.title", page.title
        if page.intro:
            yield f"{page.id}.intro", page.intro


def test_module_id_is_its_file_name_and_cites_a_source(module):
    assert (LIBRARY_DIR / f"{module.id}.yaml").is_file()
    assert module.languages == ["nl", "en"]
    # A citation: names and a year, not a placeholder.
    assert re.search(r"(19|20)\d\d", module.source), module.source


def test_translations_complete_and_different(module):
    for name, texts in _texts(module):
        assert set(texts) == {"nl", "en"}, name
        nl, en = texts["nl"], texts["en"]
        if isinstance(nl, list):
            assert len(nl) == len(en) and all(nl) and all(en), name
        else:
            assert nl.strip() and en.strip(), name
    # The two languages are really translated, not copied (short labels such as "Man" may coincide).
    long_texts = [t for _, t in _texts(module) if isinstance(t["en"], str) and len(t["en"]) > 25]
    assert all(t["nl"] != t["en"] for t in long_texts)


def test_ids_unique_and_well_formed(module):
    columns = [i.id for i in module.items] + [s.id for s in module.scales]
    assert len(columns) == len(set(columns))
    assert all(ID.match(c) for c in columns)
    # Items are declared in the order the pages show them, so column order = presented order.
    assert [item_id for page in module.pages for item_id in page.items] == module.item_ids


def test_ranges_points_and_keying_declared(module):
    for item in module.items:
        if item.type in RATING_TYPES:
            assert 2 <= item.points <= 11
            assert all(len(pair) == 2 for pair in item.anchors.values())
        else:
            assert not item.reverse
        if item.type == "single_choice":
            values = item.option_values
            assert len(values) >= 2 and len(values) == len(set(values))
        if item.type == "number":
            assert item.min is not None and item.max is not None
        if item.type == "free_text":
            assert item.min_length is not None and item.min_length >= 1
    for scale in module.scales:
        assert 1 <= scale.min_valid <= len(scale.items)


def _random_answers(module, n, rng):
    """Valid raw answers (as strings, as a form sends them) with some left empty."""
    columns = {"participant_id": [f"p{i:03d}" for i in range(n)]}
    for item in module.items:
        if item.type in RATING_TYPES:
            values = [str(v) for v in rng.integers(1, item.points + 1, n)]
        elif item.type == "single_choice":
            values = list(rng.choice(item.option_values, n))
        elif item.type == "number":
            values = [str(v) for v in rng.integers(int(item.min), int(item.max) + 1, n)]
        else:
            values = ["because they wanted to look good"] * n
        blank = rng.random(n) < 0.15
        columns[item.id] = [None if b else v for v, b in zip(values, blank, strict=True)]
    return pd.DataFrame(columns)


def test_scoring_gives_one_row_per_participant_within_range(module):
    rng = np.random.default_rng(20261123)
    raw = _random_answers(module, 60, rng)
    typed = raw.copy()
    for item in module.items:
        typed[item.id] = [None if pd.isna(v) else validate_answer(item, v) for v in raw[item.id]]
    scored = score(typed, module)
    assert len(scored) == len(raw)
    assert scored["participant_id"].tolist() == raw["participant_id"].tolist()
    for scale in module.scales:
        points = module.item(scale.items[0]).points
        values = scored[scale.id].dropna()
        assert len(values) > 0
        upper = points * len(scale.items) if scale.scoring == "sum" else points
        assert values.between(1, upper).all()
        # Missing exactly when fewer than min_valid items were answered.
        answered = typed[scale.items].notna().sum(axis=1)
        assert (scored[scale.id].isna() == (answered < scale.min_valid)).all()


def test_attitude_has_a_pair_shown_positive_first():
    q = load_questionnaire("attitude")
    assert [i.id for i in q.items] == [f"att_{k}" for k in range(1, 6)]
    assert all(i.type == "semantic_differential" and i.points == 7 for i in q.items)
    reversed_items = [i for i in q.items if i.reverse]
    assert reversed_items
    for item in reversed_items:  # the left pole of a reversed pair is the positive word
        assert item.anchors["en"][0] in {"Good", "Pleasant", "Favourable", "Appealing", "Likable"}
    assert q.scale("attitude").min_valid == 4


def test_persuasion_knowledge_has_a_reverse_keyed_likert_item():
    q = load_questionnaire("persuasion_knowledge")
    assert [i.id for i in q.items] == [f"pk_{k}" for k in range(1, 6)]
    assert all(i.type == "likert" and i.points == 7 for i in q.items)
    assert any(i.reverse for i in q.items)
    assert q.scale_ids == ["pk_scale"]


def test_checks_and_background_items_match_the_contract():
    channel = load_questionnaire("manipulation_channel").item("mc_channel")
    assert channel.option_values == ["public", "private", "dont_remember"]
    empathy = load_questionnaire("manipulation_empathy").item("mc_empathy")
    assert empathy.option_values == ["empathic", "neutral", "dont_remember"]
    attention = load_questionnaire("attention").item("attn_1")
    assert attention.type == "likert" and attention.points == 7
    # The instructed answer is named in the text by its label, in both languages.
    for lang in ("nl", "en"):
        assert attention.labels[lang][attention.correct - 1] in attention.text[lang]
    demographics = load_questionnaire("demographics")
    assert (demographics.item("age").min, demographics.item("age").max) == (16, 99)
    assert demographics.item("gender").option_values == ["woman", "man", "nonbinary", "prefer_not"]
    assert {"vmbo", "havo_vwo", "mbo", "hbo", "wo"} <= set(demographics.item("education").option_values)
    assert load_questionnaire("reason").item("reason").min_length == 10
    assert load_questionnaire("realism").item_ids == ["real_1", "real_2", "real_3"]
    assert load_questionnaire("social_media").item_ids == ["sm_use", "complaint_exp"]
