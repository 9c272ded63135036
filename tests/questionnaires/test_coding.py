"""The motive codebook, the rule files and the automatic coder (issue 5).

Two hand-coded sets of reasons (see ``tests/data/reasons_validation.README.md``):

- ``reasons_validation.csv``, 220 reasons: the development set. The rules were first
  tuned on its odd ids with the even ids held out (held-out kappa then: reputation .8598,
  image .9083, customer help .8167, privacy .9515, efficiency .8982, no motive .5956).
  A later revision (negation that belongs to a motive: "so others don't pile on", "you
  wouldn't post your address publicly"; "to prevent people thinking ...") looked at the
  even ids too, so the whole set is development data now.
- ``reasons_fresh.csv``, 78 reasons (ids 221-300 without 264 and 284, two short answers
  that also occur in the development set) written and hand-coded before that revision:
  the held-out set. Before the revision the coder scored reputation .8850, image .9646,
  customer help .7471, privacy .9263, efficiency .8943, no motive .7217 on it; after it
  .8850 .9646 .7471 1.0 .8943 .7547. The rules were not adjusted to it.

Kappa floors below are the measured values truncated to two decimals (no headroom). The
reasons and the rules share one author, so these figures are likely optimistic for real
participants' wording; re-measure on human-coded study data.
"""

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from analysis import cohen_kappa
from questionnaires import auto_code, load_motive_codebook
from questionnaires.coding import CodebookError, RuleFileError, guess_language, load_rules, rule_languages

DATA = Path(__file__).resolve().parents[1] / "data" / "reasons_validation.csv"  # development
FRESH = Path(__file__).resolve().parents[1] / "data" / "reasons_fresh.csv"  # held out
BOOK = load_motive_codebook()

# Held-out (reasons_fresh.csv) floors: measured .8850 .9646 .7471 1.0 .8943 .7547, truncated.
HELD_OUT_FLOORS = {
    "reputation_protection": 0.88,
    "image_showcase": 0.96,
    "customer_help": 0.74,
    "privacy_data": 1.00,
    "efficiency_policy": 0.89,
    "no_motive": 0.75,
}
# The 220 development reasons: measured .9775 .9405 .8668 1.0 .8874 .8131, truncated.
ALL_FLOORS = {
    "reputation_protection": 0.97,
    "image_showcase": 0.94,
    "customer_help": 0.86,
    "privacy_data": 1.00,
    "efficiency_policy": 0.88,
    "no_motive": 0.81,
}


@pytest.fixture(scope="module")
def validation():
    data = pd.read_csv(DATA)
    coded = auto_code(data)
    return data, coded


@pytest.fixture(scope="module")
def fresh():
    data = pd.read_csv(FRESH)
    return data, auto_code(data)


# --- the codebook ---------------------------------------------------------------------


def test_codebook_has_the_six_categories_in_order_with_two_strategic():
    assert BOOK.ids == [
        "reputation_protection",
        "image_showcase",
        "customer_help",
        "privacy_data",
        "efficiency_policy",
        "no_motive",
    ]
    assert BOOK.strategic_ids == ["reputation_protection", "image_showcase"]
    assert BOOK.exclusive_id == "no_motive"
    assert BOOK.question == "reason"


@pytest.mark.parametrize("category", BOOK.categories, ids=lambda c: c.id)
def test_every_category_has_examples_and_counter_examples_in_both_languages(category):
    for field in ("examples", "counter_examples", "include", "exclude"):
        for lang in ("nl", "en"):
            entries = getattr(category, field)[lang]
            assert entries and all(e.strip() for e in entries), (category.id, field, lang)
    assert category.definition["nl"] != category.definition["en"]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_markdown_manual_lists_every_category_with_its_definition(lang):
    text = BOOK.to_markdown(lang)
    for category in BOOK.categories:
        assert f"`{category.column}`" in text
        assert category.definition[lang].split()[0] in text
    with pytest.raises(ValueError, match="lang must be one of"):
        BOOK.to_markdown("de")


def _write_codebook(tmp_path, mutate):
    raw = yaml.safe_load(Path("questionnaires/codebooks/motives.yaml").read_text(encoding="utf-8"))
    mutate(raw)
    path = tmp_path / "book.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_codebook_missing_a_translation_is_refused_with_file_and_field(tmp_path):
    path = _write_codebook(tmp_path, lambda raw: raw["categories"][2]["examples"].pop("nl"))
    with pytest.raises(CodebookError) as error:
        load_motive_codebook(path)
    assert re.fullmatch(rf"{re.escape(str(path))}:\d+: categories\[2\]\.examples: .*missing: nl", str(error.value))


def test_codebook_with_duplicate_ids_or_no_strategic_motive_is_refused(tmp_path):
    def duplicate(raw):
        raw["categories"][1]["id"] = raw["categories"][0]["id"]

    with pytest.raises(CodebookError, match="repeated: reputation_protection"):
        load_motive_codebook(_write_codebook(tmp_path, duplicate))

    def no_strategic(raw):
        for category in raw["categories"]:
            category["strategic"] = False

    with pytest.raises(CodebookError, match="strategic"):
        load_motive_codebook(_write_codebook(tmp_path, no_strategic))
    with pytest.raises(CodebookError, match="not found"):
        load_motive_codebook(tmp_path / "nope.yaml")


# --- rule files -----------------------------------------------------------------------


@pytest.mark.parametrize("category", BOOK.categories, ids=lambda c: c.id)
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_coder_follows_the_codebooks_examples_and_counter_examples(category, lang):
    examples = auto_code(category.examples[lang], lang)
    assert (examples[category.column] == 1).all(), list(examples["code_evidence"])
    # counter-examples end with the category they belong to, e.g. "... (image_showcase)"
    counter = [text.rsplit(" (", 1)[0] for text in category.counter_examples[lang]]
    assert (auto_code(counter, lang)[category.column] == 0).all()



@pytest.mark.parametrize("lang", rule_languages())
def test_each_rule_file_loads_and_covers_every_category(lang):
    rules = load_rules(lang, categories=BOOK.ids)
    assert rules.lang == lang
    assert set(rules.rules.codes) == set(BOOK.ids)
    assert rules.rules.negators and rules.rules.function_words


def test_rule_languages_are_the_study_languages():
    assert rule_languages() == ["en", "nl"]


def test_rule_file_naming_an_unknown_category_is_refused(tmp_path):
    raw = yaml.safe_load(Path("questionnaires/coding/rules/en.yaml").read_text(encoding="utf-8"))
    raw["codes"]["greed"] = ["money"]
    path = tmp_path / "en.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(RuleFileError, match="not in the codebook: greed"):
        load_rules(path, categories=BOOK.ids)
    with pytest.raises(RuleFileError, match="no coding rules for language 'de'"):
        load_rules("de")


def test_rule_file_with_a_bad_pattern_names_the_field(tmp_path):
    raw = yaml.safe_load(Path("questionnaires/coding/rules/nl.yaml").read_text(encoding="utf-8"))
    raw["codes"]["image_showcase"].append("... reclame")
    path = tmp_path / "nl.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RuleFileError, match=r"codes\.image_showcase"):
        load_rules(path)


# --- negation, sarcasm, tolerant matching ---------------------------------------------

R, I, C, P, E, N = (f"code_{c}" for c in BOOK.ids)

CASES = [
    # (text, lang, codes that must be 1, codes that must be 0)
    ("niet om de reputatie", "nl", [N], [R]),
    ("Het ging ze niet om hun imago", "nl", [N], [R, I]),
    ("not to protect their image", "en", [N], [R, I]),
    ("I don't think it was about their reputation at all", "en", [N], [R]),
    ("Their image was not the reason", "en", [N], [I]),
    ("Not to protect their image, but to help the customer", "en", [C], [R, I, N]),
    ("Niet alleen om de klant te helpen, maar ook voor hun imago", "nl", [C, I], [N]),
    ("not only to help but also for PR", "en", [C, I], [N]),
    ("Zodat niemand het kan zien", "nl", [R], [I]),
    ("They don't want everyone to see it", "en", [R], [I]),
    ("Zodat iedereen kan zien dat ze het oplossen", "nl", [I], [R, C]),
    ("so that the complaint does not escalate", "en", [R], [N]),
    ("Om te voorkomen dat het niet uit de hand loopt", "nl", [R], []),
    ("Oh sure, they really care about the customer", "en", [N], [C]),
    ("Ja hoor, ze willen de klant echt helpen", "nl", [N], [C]),
    ("They wanted to help the customer", "en", [C], [N]),
]


@pytest.mark.parametrize(("text", "lang", "present", "absent"), CASES, ids=[c[0][:40] for c in CASES])
def test_negation_and_sarcasm(text, lang, present, absent):
    row = auto_code([text], lang).iloc[0]
    for column in present:
        assert row[column] == 1, (column, row["code_evidence"])
    for column in absent:
        assert row[column] == 0, (column, row["code_evidence"])


def test_negated_hit_is_explained_in_the_evidence():
    evidence = auto_code(["niet om de reputatie"], "nl").loc[0, "code_evidence"]
    assert "reputation_protection: 'reputatie' ignored (negated by 'niet')" in evidence


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("REPUTATIE!!!", R),  # case and punctuation
        ("Om hun reputaite te redden", R),  # typo list
        ("their reputatoin", R),  # one swapped letter, long word
        ("imagoschade voorkomen", R),  # Dutch compound
        ("Vanwege de privé-gegevens", P),  # accent and hyphen
        ("It's basically advertising", I),  # English inflection
        ("Om hun imago op te poetsen", I),
    ],
)
def test_tolerant_matching(text, column):
    assert auto_code([text]).loc[0, column] == 1


def test_intensifier_lifts_a_weak_cue_over_the_threshold():
    assert auto_code(["publicity"], "en").loc[0, I] == 0
    assert auto_code(["purely publicity"], "en").loc[0, I] == 1


# --- language ------------------------------------------------------------------------


def test_language_is_guessed_and_a_clear_other_language_overrules_the_given_one():
    assert guess_language("Ik denk dat ze het niet wilden laten zien")[0] == "nl"
    assert guess_language("I think they did not want to show it")[0] == "en"
    assert guess_language("They just want to look good for the public", hint="nl") == ("en", "detected")
    assert guess_language("Privacy", hint="nl") == ("nl", "given")
    assert guess_language("reputatieschade") == ("nl", "default")  # no common words: the rules decide
    out = auto_code(["They want to hide the complaint from everyone"], ["nl"])
    assert out.loc[0, R] == 1 and out.loc[0, "code_evidence"].startswith("[en, detected]")


# --- output shape ----------------------------------------------------------------------


def test_dataframe_input_keeps_the_index_and_adds_the_documented_columns():
    data = pd.DataFrame(
        {"reason": ["Gratis reclame", "To protect their reputation and look good", None, "   "],
         "lang": ["nl", "en", "en", pd.NA]},
        index=[10, 11, 12, 13],
    )
    out = auto_code(data)
    assert list(out.index) == [10, 11, 12, 13]
    assert list(out.columns) == BOOK.columns + [
        "code_confidence", "code_source", "pk_strategic", "pk_any", "code_evidence"]
    assert out.loc[11, "pk_strategic"] == 2 and out.loc[11, "pk_any"] == 1
    assert out.loc[10, "pk_strategic"] == 1
    for empty in (12, 13):
        assert out.loc[empty, BOOK.columns + ["pk_strategic", "pk_any"]].isna().all()
        assert np.isnan(out.loc[empty, "code_confidence"])
    assert (out["code_source"] == "auto").all()
    assert out["code_confidence"].dropna().between(0, 1).all()


def test_no_motive_only_when_nothing_else_applies():
    out = auto_code(["geen idee", "Geen idee, misschien voor hun imago?", "blauw"], "nl")
    assert list(out[N]) == [1, 0, 1]
    assert "explicit" in out.loc[0, "code_evidence"]
    assert "no rule fired" in out.loc[2, "code_evidence"]
    assert out.loc[0, "code_confidence"] > out.loc[2, "code_confidence"]


def test_bad_input_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="no 'reason' column"):
        auto_code(pd.DataFrame({"text": ["x"]}))
    with pytest.raises(ValueError, match="2 texts but 1 languages"):
        auto_code(["a", "b"], ["nl"])
    with pytest.raises(ValueError, match="no coding rules for language"):
        auto_code(["a"], "fr")


# --- the validation set ----------------------------------------------------------------


@pytest.mark.parametrize("path, size", [(DATA, 220), (FRESH, 78)], ids=["development", "held-out"])
def test_validation_sets_shape_and_hand_codes_follow_the_codebook(path, size):
    data = pd.read_csv(path)
    assert list(data.columns) == ["id", "lang", "condition", "reason"] + BOOK.columns
    assert len(data) == size and data["id"].is_unique
    counts = data["lang"].value_counts()
    assert set(counts.index) == {"nl", "en"} and abs(counts["nl"] - counts["en"]) <= len(data) * 0.1
    assert set(data["condition"]) == {"public", "private"}
    assert data[BOOK.columns].isin([0, 1]).all().all()
    others = data[[c for c in BOOK.columns if c != N]].sum(axis=1)
    assert ((data[N] == 1) == (others == 0)).all()  # no_motive is exclusive


def _kappas(data, coded):
    return {
        c.id: cohen_kappa(data[c.column], coded[c.column].astype(int)).loc[0, "kappa"]
        for c in BOOK.categories
    }


def test_the_sets_do_not_share_reasons_or_ids():
    development, held_out = pd.read_csv(DATA), pd.read_csv(FRESH)
    assert not set(development["id"]) & set(held_out["id"])
    assert not set(development["reason"].str.lower()) & set(held_out["reason"].str.lower())


@pytest.mark.parametrize("category", list(HELD_OUT_FLOORS))
def test_held_out_kappa_floor(fresh, category):
    data, coded = fresh
    kappa = _kappas(data, coded)[category]
    assert kappa >= HELD_OUT_FLOORS[category], f"{category}: held-out kappa {kappa:.3f}"


def test_strategic_categories_meet_the_publication_target_on_held_out_reasons(fresh):
    kappas = _kappas(*fresh)
    assert kappas["reputation_protection"] >= 0.70 and kappas["image_showcase"] >= 0.70


@pytest.mark.parametrize("category", list(ALL_FLOORS))
def test_all_reasons_kappa_floor(validation, category):
    data, coded = validation
    assert _kappas(data, coded)[category] >= ALL_FLOORS[category]


def test_kappa_agrees_with_sklearn(validation):
    metrics = pytest.importorskip("sklearn.metrics")
    data, coded = validation
    ours = _kappas(data, coded)
    for c in BOOK.categories:
        theirs = metrics.cohen_kappa_score(data[c.column], coded[c.column].astype(int))
        assert ours[c.id] == pytest.approx(theirs, abs=1e-12)


def test_confidence_is_higher_where_the_coder_is_right(validation):
    data, coded = validation
    right = (data[BOOK.columns].to_numpy() == coded[BOOK.columns].astype(int).to_numpy()).all(axis=1)
    # measured: mean 0.81 where all six codes match the hand codes, 0.67 elsewhere
    assert coded["code_confidence"][right].mean() > coded["code_confidence"][~right].mean() + 0.08


def test_validation_codes_do_not_depend_on_the_given_language(validation):
    data, coded = validation
    guessed = auto_code(data["reason"])  # language guessed for every reason
    assert (guessed[BOOK.columns] == coded[BOOK.columns]).all().all()
