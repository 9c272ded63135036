"""LimeSurvey survey definitions (.lss) with `--survey`: texts, options and codes, question codes as ids.

Files (provenance in tests/data/imports/README.md): `limesurvey_colors.lss`, a survey
exported by LimeSurvey 6 (DBVersion 606, the `*_l10ns` format) with a multiple-choice
question, two long texts and a list question, and its two responses as the response
export names them (`limesurvey_colors_responses.csv`); `limesurvey_nameface_old_format.lss`,
a LimeSurvey 2 export (DBVersion 258, texts in the question rows, Dutch text with scripts).
"""

from pathlib import Path

import pandas as pd
import pytest

from study.cli import main
from study.dataset.importers.limesurvey import load_lss
from study.errors import UserError

DATA = Path(__file__).resolve().parents[2] / "data" / "imports"
COLORS, RESPONSES = DATA / "limesurvey_colors.lss", DATA / "limesurvey_colors_responses.csv"


def test_a_limesurvey_6_definition_gives_questions_codes_subquestions_and_answer_codes():
    survey = load_lss(COLORS)
    assert (survey.name, survey.language) == ("Colors", "en")
    assert [(b.description, [survey.questions[q].tag for q in b.questions]) for b in survey.blocks.values()] == [
        ("Favorite Colors", ["Q00", "G01Q02", "G01Q03"]), ("Colors in pictures", ["G02Q04"])]
    colors = survey.question_by_tag("Q00")
    assert colors.text == "What colors are your favorite? Pick at least two."
    assert (colors.type, colors.selector) == ("MC", "MAVR")
    assert colors.subquestions[:3] == [("SQ001", "red"), ("SQ002", "green"), ("SQ003", "yellow")]
    assert len(colors.subquestions) == 11 and colors.subquestions[-1] == ("SQ011", "brown")
    pictures = survey.question_by_tag("G02Q04")
    # the answers are pictures (an <img> and no text): their codes stand for them
    assert pictures.type == "MC" and pictures.choices == [("AO01", "AO01", "AO01"), ("AO02", "AO02", "AO02")]
    assert survey.question_by_tag("G01Q02").text == "Why do you like darker colors?"


def test_the_older_format_and_scripts_in_question_texts():
    survey = load_lss(DATA / "limesurvey_nameface_old_format.lss")
    assert survey.name == "nameface demo"
    assert [(q.tag, q.type, q.text) for q in survey.questions.values()] == [
        ("intro", "TE", "Welkom bij deze survey"), ("vr1", "TE", ""), ("vr2", "TE", "")]


def test_import_with_the_definition_names_items_by_question_code_with_their_texts(tmp_path, capsys):
    code = main(["import", str(RESPONSES), "--survey", str(COLORS), "--out", str(tmp_path / "out")])
    assert code == 0
    assert capsys.readouterr().out.startswith("replylab import: 2 participants (no condition found), 0 rows "
                                              "dropped; LimeSurvey")
    data = pd.read_csv(tmp_path / "out" / "data.csv")
    raw = pd.read_csv(RESPONSES)
    assert data["g01q02"].tolist() == raw["G01Q02"].tolist() and data["g01q03"].tolist() == raw["G01Q03"].tolist()
    assert data["g02q04"].tolist() == ["ao01", "ao01"]
    import yaml

    items = {i["id"]: i for i in yaml.safe_load((tmp_path / "out" / "questionnaire.yaml").read_text())["items"]}
    assert items["g01q03"]["text"] == {"en": "Why do you like lighter colors?"}
    assert items["q00_sq002"]["text"] == {"en": "What colors are your favorite? Pick at least two. – green"}
    assert items["g02q04"]["type"] == "single_choice"
    assert [o["value"] for o in items["g02q04"]["options"]] == ["ao01", "ao02"]
    # two different questions answered by different people are not per-condition copies once the
    # definition says their texts differ (without it, G01Q02/G01Q03 look like copies 2 and 3)
    assert "treatment" not in data.columns


def test_what_is_not_a_limesurvey_definition_is_named(tmp_path):
    with pytest.raises(UserError, match=r"porter_survey.qsf: not valid XML"):
        load_lss(DATA / "porter_survey.qsf")
    other = tmp_path / "other.lss"
    other.write_text("<?xml version='1.0'?><document><LimeSurveyDocType>Group</LimeSurveyDocType></document>",
                     encoding="utf-8")
    with pytest.raises(UserError, match=r"not a LimeSurvey survey structure \(.lss"):
        load_lss(other)
    with pytest.raises(UserError, match=r"survey definition not found"):
        load_lss(tmp_path / "absent.lss")
