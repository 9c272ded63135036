"""validate_answer: typed values for good answers, participant-language errors for bad ones."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from questionnaires import AnswerError, Item, load_questionnaire, validate_answer

ATTITUDE = load_questionnaire("attitude")
PK = load_questionnaire("persuasion_knowledge")
DEMOGRAPHICS = load_questionnaire("demographics")
REASON = load_questionnaire("reason").item("reason")
CHANNEL = load_questionnaire("manipulation_channel").item("mc_channel")
AGE = DEMOGRAPHICS.item("age")


def error_of(item, raw, lang="en"):
    with pytest.raises(AnswerError) as info:
        validate_answer(item, raw, lang=lang)
    assert info.value.item_id == item.id and info.value.raw is raw
    return info.value


@pytest.mark.parametrize("item", [ATTITUDE.item("att_1"), PK.item("pk_4")], ids=["sd", "likert"])
def test_rating_items_return_the_point_as_presented(item):
    assert [validate_answer(item, str(k)) for k in range(1, 8)] == list(range(1, 8))
    assert validate_answer(item, " 3 ") == 3
    assert validate_answer(item, 3) == 3 and type(validate_answer(item, 3.0)) is int
    # Reverse keying is scoring's job: a reverse-keyed item still returns the raw point.
    assert validate_answer(PK.item("pk_4"), "2") == 2


@pytest.mark.parametrize("raw", ["0", "8", "-1", "3.5", "abc", "1e1", 8, 2.5])
def test_rating_items_refuse_other_values(raw):
    error = error_of(ATTITUDE.item("att_1"), raw)
    assert error.code == "not_a_point"
    assert str(error) == "Please choose one of the answer points (1 to 7)."
    assert str(error_of(ATTITUDE.item("att_1"), raw, "nl")) == "Kies een van de antwoordpunten (1 tot en met 7)."


def test_single_choice_returns_the_option_value():
    assert validate_answer(CHANNEL, "private") == "private"
    assert validate_answer(CHANNEL, " dont_remember ") == "dont_remember"
    error = error_of(CHANNEL, "Private")  # values are exact ids, not labels
    assert error.code == "not_an_option"
    assert str(error_of(CHANNEL, "dm", "nl")) == "Kies een van de antwoordmogelijkheden."


def test_number_returns_int_or_float():
    assert validate_answer(AGE, "34") == 34 and type(validate_answer(AGE, "34")) is int
    assert validate_answer(AGE, "16") == 16 and validate_answer(AGE, "99") == 99
    assert validate_answer(AGE, "40,0") == 40  # Dutch decimal comma
    free = Item(id="hours", type="number", text={"en": "Hours?"}, min=0, max=24)
    assert validate_answer(free, "2.5") == 2.5 and validate_answer(free, "2,5") == 2.5


@pytest.mark.parametrize(
    "raw, code, english, dutch",
    [
        ("15", "out_of_range", "Please enter a number from 16 to 99.", "Vul een getal in van 16 tot en met 99."),
        ("100", "out_of_range", "Please enter a number from 16 to 99.", "Vul een getal in van 16 tot en met 99."),
        ("34.5", "not_whole", "Please enter a whole number, without decimals.", "Vul een heel getal in, zonder decimalen."),
        ("thirty", "not_a_number", "Please enter a number, for example 16.", "Vul een getal in, bijvoorbeeld 16."),
        ("3 4", "not_a_number", "Please enter a number, for example 16.", "Vul een getal in, bijvoorbeeld 16."),
        (math.inf, "not_a_number", "Please enter a number, for example 16.", "Vul een getal in, bijvoorbeeld 16."),
    ],
)
def test_number_errors(raw, code, english, dutch):
    error = error_of(AGE, raw)
    assert (error.code, str(error)) == (code, english)
    assert str(error_of(AGE, raw, "nl")) == dutch


def test_number_with_one_bound():
    at_least = Item(id="n", type="number", text={"en": "N"}, min=0)
    assert str(error_of(at_least, "-1")) == "Please enter a number of at least 0."
    at_most = Item(id="n", type="number", text={"en": "N"}, max=10)
    assert str(error_of(at_most, "11", "nl")) == "Vul een getal in van hoogstens 10."


def test_free_text_is_stripped_and_length_checked():
    assert validate_answer(REASON, "  To protect their image.  ") == "To protect their image."
    error = error_of(REASON, "  image  ")
    assert error.code == "too_short"
    assert str(error) == "Please write at least 10 characters (you wrote 5)."
    assert str(error_of(REASON, "imago", "nl")) == "Schrijf minstens 10 tekens (je schreef er 5)."
    assert error_of(REASON, "x" * 2001).code == "too_long"
    assert validate_answer(REASON, "x" * 2000) == "x" * 2000


@pytest.mark.parametrize("raw", [None, "", "   ", float("nan")])
def test_empty_answers(raw):
    for item in [ATTITUDE.item("att_1"), CHANNEL, AGE, REASON]:
        assert error_of(item, raw).code == "required"
        assert str(error_of(item, raw, "nl")) == "Beantwoord deze vraag alsjeblieft."
        optional = item.model_copy(update={"required": False})
        assert validate_answer(optional, raw) is None


def test_unknown_language_falls_back_to_english():
    assert str(error_of(AGE, "5", lang="de")) == "Please enter a number from 16 to 99."


def test_wrong_attention_answer_is_still_valid():
    attention = load_questionnaire("attention").item("attn_1")
    assert validate_answer(attention, "2") == 2 != attention.correct


def test_non_form_values_are_a_type_error():
    with pytest.raises(TypeError, match="expected a form value"):
        validate_answer(AGE, ["34"])
    with pytest.raises(TypeError):
        validate_answer(AGE, True)


@settings(derandomize=True, database=None)
@given(st.text(max_size=12))
def test_any_string_gives_a_valid_point_or_an_answer_error(raw):
    item = ATTITUDE.item("att_3")
    try:
        value = validate_answer(item, raw)
    except AnswerError as error:
        assert error.code in {"required", "not_a_point"}
    else:
        assert type(value) is int and 1 <= value <= 7
        assert value == int(raw.strip())


@settings(derandomize=True, database=None)
@given(st.integers(min_value=-1000, max_value=1000))
def test_age_accepts_exactly_16_to_99(age):
    if 16 <= age <= 99:
        assert validate_answer(AGE, str(age)) == age
    else:
        assert error_of(AGE, str(age)).code == "out_of_range"
