"""study.dataset.codebook: every column described; renderings agree with each other and the questionnaire."""

import json

import pytest

from study.dataset.codebook import OPTIONAL_COLUMNS, canonical_columns, codebook
from study.design.loader import load_study
from questionnaires import load_motive_codebook


@pytest.fixture(scope="module")
def tilburg():
    return load_study("tilburg")


@pytest.fixture(scope="module")
def book(tilburg):
    return codebook(tilburg)


def test_core_then_optional_blocks_in_order(book, tilburg):
    optional = [column for block in OPTIONAL_COLUMNS.values() for column in block]
    assert book.columns == canonical_columns(tilburg) + optional
    assert len(set(book.columns)) == len(book.columns)
    for motive in load_motive_codebook().ids:  # the motive codebook file is the one list
        assert f"code_{motive}" in book
    for column in ("reason_true_motives", "attention_passed", "manipulation_passed", "exclude",
                   "code_confidence", "code_source", "pk_strategic", "pk_any", "prolific_pid",
                   "study_id", "session_id", "duplicate", "duration_seconds"):
        assert column in book, column


def test_items_carry_scale_membership_reverse_keying_and_values(book, tilburg):
    questionnaire = tilburg.questionnaire
    for scale in questionnaire.scales:
        for item_id in scale.items:
            assert scale.id in book[item_id]["scales"]
    for item in questionnaire.items:
        entry = book[item.id]
        assert entry["block"] == "item"
        assert entry["question"] == dict(item.text)
        if item.type in ("likert", "semantic_differential"):
            assert entry["reverse"] is bool(item.reverse)
            assert entry["allowed"] == list(range(1, item.points + 1))
        elif item.type == "single_choice":
            assert entry["allowed"] == item.option_values
            assert set(entry["value_labels"]) == set(item.option_values)
        else:
            assert entry["reverse"] is None
    assert book["att_2"]["reverse"] is True and book["att_1"]["reverse"] is False


def test_check_items_are_explained(book):
    assert "instructed answer is 5" in book["attn_1"]["description"]
    assert book["mc_channel"]["description"] == (
        "Manipulation check of 'channel': expected public after public, private after private")


def test_semantic_differential_value_labels_are_the_poles_as_presented(book):
    assert book["att_2"]["value_labels"] == {"1": "Pleasant", "7": "Unpleasant"}


def test_design_columns(book, tilburg):
    assert book["condition"]["allowed"] == tilburg.condition_names
    assert book["channel"]["value_labels"]["public"] == tilburg.factor("channel").levels[0].label["en"]
    assert book["status"]["allowed"] == ["in_progress", "complete", "timed_out", "declined", "excluded"]
    assert book["attitude"]["block"] == "scale" and book["attitude"]["allowed"] == {"min": 1, "max": 7}


def test_labels_follow_the_language(tilburg):
    dutch = codebook(tilburg, lang="nl")
    assert dutch.lang == "nl"
    assert dutch["channel"]["value_labels"]["private"] == tilburg.factor("channel").levels[1].label["nl"]
    assert dutch["att_1"]["label"] == tilburg.questionnaire.item("att_1").text["nl"]


def test_json_round_trips_and_markdown_lists_every_column(book):
    as_dict = book.to_dict()
    assert json.loads(book.to_json()) == as_dict
    assert as_dict["file_hash"] and as_dict["study"] == "tilburg"
    markdown = book.to_markdown()
    rows = [line for line in markdown.splitlines() if line.startswith("| `")]
    assert [row.split("`")[1] for row in rows] == book.columns
    assert "## Value labels" in markdown


def test_unknown_column_lookup_says_which_study(book):
    with pytest.raises(KeyError, match="tilburg"):
        book["nope"]


def test_every_codebook_text_exists_in_english_and_dutch():
    from study.dataset.codebook_text import TEXT

    assert set(TEXT["nl"]) == set(TEXT["en"])
    for key, english in TEXT["en"].items():  # the same placeholders, so both fill in alike
        assert sorted(part.split("}")[0] for part in english.split("{")[1:]) == sorted(
            part.split("}")[0] for part in TEXT["nl"][key].split("{")[1:]), key


def test_a_dutch_codebook_is_dutch_beyond_the_study_file(tilburg):
    english, dutch = codebook(tilburg, lang="en"), codebook(tilburg, lang="nl")
    fixed = ["participant_id", "condition", "status", "completed_at", "attention_passed", "exclude",
             "code_customer_help", "pk_any", "duration_seconds"]
    for column in fixed:
        assert dutch[column]["label"] != english[column]["label"], column
    assert dutch["code_customer_help"]["value_labels"] == {"0": "afwezig", "1": "aanwezig"}
    assert dutch["mc_channel"]["description"] == (
        "Manipulatiecheck van 'channel': verwacht public bij public, private bij private")
    assert dutch["attitude"]["description"].startswith("Gemiddelde van att_1")
    markdown = dutch.to_markdown()
    assert markdown.startswith("# Codeboek: ") and "## Waardelabels" in markdown and "## Toelichting" in markdown
    assert "| kolom | label |" in markdown and "| ja |" in markdown  # reverse-keyed items say ja
    assert codebook(tilburg, lang="en").to_markdown().startswith("# Codebook: ")
