"""Who runs a study, the consent button and the minimum age: study file, checks and server.

The study file's ``texts`` name the institution, researchers, contact address,
ethics review and privacy information (shown on the consent page and in the
debrief), may give the consent button's words, and may set the minimum age
that the consent text states and the survey enforces on the age item.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from markupsafe import escape

from study import load_study
from study.design.crosscheck import cross_check
from study.design.loader import StudyFileError, shipped_studies
from study.design.schema import DEFAULT_CONSENT_BUTTON
from study.survey.bot import CSRF, bot_answer
from study.survey.forms import minimum_age_rule, read_page_answers
from study.survey.rendering import ui
from tests.study.survey.test_routes import consent, participant_of

TILBURG_FILE = load_study("tilburg").path


def variant(tmp_path, old: str, new: str):
    """The tilburg study file with ``old`` replaced by ``new`` (which must occur once)."""
    text = TILBURG_FILE.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / "study.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def problems_of(path) -> list[str]:
    """The messages ``load_study`` reports for the file (empty when it loads)."""
    try:
        load_study(path)
    except StudyFileError as error:
        return str(error).splitlines()
    return []


# -- the shipped studies -----------------------------------------------------------


@pytest.mark.parametrize("name", sorted(shipped_studies()))
def test_shipped_studies_fill_every_field_with_clearly_fictitious_placeholders(name):
    study = load_study(name)
    texts = study.texts
    assert texts.contact.endswith("@example.org")  # a domain reserved for examples
    fictitious = {"en": "fictitious", "nl": "fictief"}
    for lang in study.languages:
        assert fictitious[lang] in texts.institution[lang]
        assert fictitious[lang] in texts.ethics_approval[lang]
        assert "example.org" in texts.privacy[lang]
        # the consent names the button in its own words and states the minimum age
        assert f'"{texts.consent_button_text(lang)}"' in texts.consent[lang]
        assert re.search(rf"\b{texts.minimum_age}\b", texts.consent[lang])
    assert texts.minimum_age == 18 and texts.age_item == "age"
    # the age item keeps its own range for the codebook and the analysis
    assert study.questionnaire.item("age").min == 16


# -- the study file ----------------------------------------------------------------


def test_a_study_file_without_the_contact_is_refused_with_its_line(tmp_path):
    path = variant(tmp_path, "  contact: webcare-study@example.org\n", "")
    (line,) = problems_of(path)
    assert re.fullmatch(rf"{re.escape(str(path))}:\d+: texts.contact: required field is missing", line)


def test_the_contact_must_be_an_email_address(tmp_path):
    path = variant(tmp_path, "  contact: webcare-study@example.org\n", "  contact: the researchers\n")
    (line,) = problems_of(path)
    assert ": texts.contact: " in line and "should match pattern" in line
    assert problems_of(variant(tmp_path, "  contact: webcare-study@example.org\n",
                               "  contact: ethics.office@uni.example.nl\n")) == []


def test_every_new_text_needs_every_language(tmp_path):
    path = variant(tmp_path, "    en: Example University (fictitious), Department of Communication Science\n", "")
    (line,) = problems_of(path)
    assert "texts.institution: missing the 'en' translation" in line


def test_the_consent_text_must_name_the_consent_button(tmp_path):
    path = variant(tmp_path, 'Then choose "I agree to take part".', 'Then choose "Yes".')
    (line,) = problems_of(path)
    assert "texts.consent.en: the consent text does not name the button that gives consent, " \
           "'I agree to take part'" in line
    # a study may give the button its own words, and then its text must use them
    own = path.read_text(encoding="utf-8").replace(
        "  minimum_age: 18", '  consent_button: {nl: Ik doe mee, en: "Yes"}\n  minimum_age: 18')
    path.write_text(own, encoding="utf-8")
    assert problems_of(path) == []
    assert load_study(path).texts.consent_button_text("en") == "Yes"
    assert load_study(path).texts.consent_button_text("nl") == DEFAULT_CONSENT_BUTTON["nl"]


def test_the_consent_text_must_state_the_minimum_age(tmp_path):
    path = variant(tmp_path, "  minimum_age: 18", "  minimum_age: 21")
    lines = problems_of(path)
    assert [line.split(": ", 1)[1] for line in lines] == [
        f"texts.consent.{lang}: the consent text does not state the minimum age 21 "
        f"(texts.minimum_age); say who may take part, e.g. 'are you 21 or older?'"
        for lang in ("nl", "en")]


@pytest.mark.parametrize(("new", "message"), [
    ("  minimum_age: 18\n  age_item: birth_year",
     "texts.age_item: texts.minimum_age needs an age question, but the questionnaire has no item 'birth_year'"),
    ("  minimum_age: 18\n  age_item: gender",
     "texts.age_item: item 'gender' is a single_choice item; the minimum age is checked against a number item"),
])
def test_the_minimum_age_needs_a_number_item_to_check(tmp_path, new, message):
    (line,) = problems_of(variant(tmp_path, "  minimum_age: 18", new))
    assert message in line


def test_a_minimum_age_no_answer_can_reach_is_refused(tmp_path):
    path = variant(tmp_path, "  minimum_age: 18", "  minimum_age: 100")
    text = path.read_text(encoding="utf-8").replace("are you 18 or older", "are you 100 or older") \
        .replace("ben je 18 jaar of ouder", "ben je 100 jaar of ouder")
    path.write_text(text, encoding="utf-8")
    (line,) = problems_of(path)
    assert "texts.minimum_age: 100 is above the largest answer item 'age' accepts (99)" in line


def test_a_study_without_texts_has_no_minimum_age():
    analysis_only = load_study("tilburg").model_copy(update={"texts": None, "purpose": "analysis"})
    assert minimum_age_rule(analysis_only) == {}
    assert not [loc for loc, _ in cross_check(analysis_only) if loc[0] == "texts"]


# -- the server --------------------------------------------------------------------


def test_an_age_under_the_minimum_is_refused_in_the_participants_language():
    age = load_study("tilburg").questionnaire.item("age")
    for lang in ("nl", "en"):
        refused = read_page_answers([age], {"age": "17"}, lang, minimum_age={"age": 18})
        assert refused.errors == {"age": ui(lang)["below_minimum_age"].format(n=18)}
        assert refused.values == {} and refused.raw == {"age": "17"}
    # the item's own range still decides first, and without a minimum 17 is an answer
    assert "16" in read_page_answers([age], {"age": "15"}, "en", minimum_age={"age": 18}).errors["age"]
    assert read_page_answers([age], {"age": "17"}, "en").values == {"age": 17}


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_the_server_refuses_an_age_under_the_minimum_and_stores_nothing_of_the_page(
        app, client, tilburg, lang):
    await consent(client, lang)
    rng = np.random.default_rng(5)
    steps = {step.id: step for step in app.state.survey.steps}
    while True:
        page = await client.get("/", follow_redirects=True)
        step_id = str(page.url).rsplit("/", 1)[-1]
        form = {"csrf_token": CSRF.search(page.text).group(1)}
        items = steps[step_id].items if steps[step_id].kind == "questions" else []
        form.update({item.id: bot_answer(item, rng, lang)[0] for item in items})
        if "age" in form:
            break
        assert (await client.post(f"/page/{step_id}", data=form)).status_code == 303
    participant = participant_of(app, client)
    refused = await client.post(f"/page/{step_id}", data={**form, "age": "17"})
    assert refused.status_code == 422
    assert str(escape(ui(lang)["below_minimum_age"].format(n=18))) in refused.text
    db = app.state.survey.db
    assert not set(form) & set(db.answers_of(participant["participant_id"]))
    assert db.participant_by_session(client.cookies["replylab_session"])["step"] == step_id
    accepted = await client.post(f"/page/{step_id}", data={**form, "age": "18"})
    assert accepted.status_code == 303
    assert db.answers_of(participant["participant_id"])["age"] == 18


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_the_consent_page_shows_who_runs_the_study_before_the_buttons(client, tilburg, lang):
    page = (await client.get("/", params={"lang": lang})).text
    texts = tilburg.texts
    shown = [str(escape(texts.institution[lang])), str(escape(texts.researchers)),
             f'href="mailto:{texts.contact}"', str(escape(texts.ethics_approval[lang]))]
    positions = [page.index(text) for text in shown]
    privacy = page.index(str(escape(texts.privacy[lang].split()[0])), page.index('class="privacy"'))
    button = page.index(f'value="yes">{texts.consent_button_text(lang)}</button>')
    assert positions == sorted(positions) and positions[-1] < privacy < button


async def test_the_language_page_marks_each_title_with_its_language(client, tilburg):
    page = (await client.get("/")).text
    heading = re.search(r"<h1>(.*?)</h1>", page).group(1)
    assert heading == " / ".join(f'<span lang="{code}">{escape(tilburg.title[code])}</span>'
                                 for code in tilburg.languages)


async def test_the_debrief_gives_the_contact_again(app, client, tilburg):
    from study.survey.bot import walk

    run = await walk(client, tilburg, lang="en", seed=2)
    assert run.completion_code == tilburg.completion.code
    html = app.state.survey.page_cache  # the debrief as rendered for everyone in the cell
    debrief = next(page for key, page in html.items() if key[0] == "debrief")
    assert f'href="mailto:{tilburg.texts.contact}"' in debrief
    assert str(escape(tilburg.texts.researchers)) in debrief
    assert '<details class="privacy"' in debrief
