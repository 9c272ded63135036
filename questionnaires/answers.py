"""Check one raw answer against its item and return it as a typed value.

The survey server calls :func:`validate_answer` on every submitted form field.
A bad answer raises :class:`AnswerError` whose message is written for the
participant, in the participant's language (Dutch or English; other languages
fall back to English).

Types returned (the raw-answer contract of ``docs/architecture.md``):

=======================  ===========================================
item type                value
=======================  ===========================================
likert, sem. differ.     ``int`` in ``1..points``, as presented
single_choice            the option's ``value`` (``str``)
number                   ``int`` for a whole number, else ``float``
free_text                ``str`` with surrounding spaces removed
any, left empty          ``None`` when the item is not required
=======================  ===========================================

An attention check answered wrongly is still a valid answer: it is stored and
flagged later (``study.flag_exclusions``), never refused here.

Examples
--------
>>> from questionnaires import load_questionnaire
>>> age = load_questionnaire("demographics").item("age")
>>> validate_answer(age, " 34 ")
34
>>> validate_answer(age, "12", lang="nl")
Traceback (most recent call last):
...
questionnaires.answers.AnswerError: Vul een getal in van 16 tot en met 99.
"""

from __future__ import annotations

import math
import re

from .checks import RATING_TYPES
from .models import Item

__all__ = ["AnswerError", "validate_answer", "MESSAGES"]

#: Participant-facing messages per language, filled with ``str.format``.
MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "required": "Please answer this question.",
        "not_a_point": "Please choose one of the answer points ({low} to {high}).",
        "not_an_option": "Please choose one of the answer options.",
        "not_a_number": "Please enter a number, for example {example}.",
        "not_whole": "Please enter a whole number, without decimals.",
        "out_of_range": "Please enter a number from {low} to {high}.",
        "too_low": "Please enter a number of at least {low}.",
        "too_high": "Please enter a number of at most {high}.",
        "too_short": "Please write at least {minimum} characters (you wrote {length}).",
        "too_long": "Please keep your answer to at most {maximum} characters (you wrote {length}).",
    },
    "nl": {
        "required": "Beantwoord deze vraag alsjeblieft.",
        "not_a_point": "Kies een van de antwoordpunten ({low} tot en met {high}).",
        "not_an_option": "Kies een van de antwoordmogelijkheden.",
        "not_a_number": "Vul een getal in, bijvoorbeeld {example}.",
        "not_whole": "Vul een heel getal in, zonder decimalen.",
        "out_of_range": "Vul een getal in van {low} tot en met {high}.",
        "too_low": "Vul een getal in van minstens {low}.",
        "too_high": "Vul een getal in van hoogstens {high}.",
        "too_short": "Schrijf minstens {minimum} tekens (je schreef er {length}).",
        "too_long": "Je antwoord mag hoogstens {maximum} tekens lang zijn (je schreef er {length}).",
    },
}

_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")


class AnswerError(ValueError):
    """An answer the participant must correct.

    ``str(error)`` is the message for the participant, in their language.
    Attributes: ``item_id``, ``code`` (``required``, ``not_a_point``,
    ``not_an_option``, ``not_a_number``, ``not_whole``, ``out_of_range``,
    ``too_low``, ``too_high``, ``too_short``, ``too_long``), ``lang``, ``raw``
    (the value received).
    """

    def __init__(self, item_id: str, code: str, lang: str, raw, **details):
        language = lang if lang in MESSAGES else "en"
        self.item_id = item_id
        self.code = code
        self.lang = language
        self.raw = raw
        self.details = details
        super().__init__(MESSAGES[language][code].format(**details))


def _format_number(value: float) -> str:
    return f"{value:g}"


def validate_answer(item: Item, raw, lang: str = "en"):
    """Check a raw form value against an item; return the typed answer.

    Parameters
    ----------
    item : Item
        The question answered.
    raw : str or None
        The submitted form value. Numbers (``int``, ``float``) are accepted too,
        for callers that already hold typed values; ``NaN`` counts as empty.
    lang : str
        The participant's language, for the error message (``"nl"`` or ``"en"``).

    Returns
    -------
    int, float, str or None
        See the table in the module docstring.

    Raises
    ------
    AnswerError
        Empty but required, not one of the points or options, not a number,
        out of range, too short or too long; the message tells the participant
        what to fix.
    TypeError
        ``raw`` is not a string, a number or None (a bug in the caller).

    Examples
    --------
    >>> from questionnaires import load_questionnaire
    >>> att_1 = load_questionnaire("attitude").item("att_1")
    >>> validate_answer(att_1, "6")
    6
    >>> validate_answer(att_1, "9")
    Traceback (most recent call last):
    ...
    questionnaires.answers.AnswerError: Please choose one of the answer points (1 to 7).
    """
    if isinstance(raw, bool) or not (raw is None or isinstance(raw, str | int | float)):
        raise TypeError(
            f"validate_answer({item.id!r}): expected a form value (str or None), "
            f"got {type(raw).__name__} {raw!r}"
        )
    text = raw.strip() if isinstance(raw, str) else raw
    if isinstance(text, float) and math.isnan(text):
        text = None
    if text is None or text == "":
        if item.required:
            raise AnswerError(item.id, "required", lang, raw)
        return None

    if item.type in RATING_TYPES:
        return _rating(item, raw, text, lang)
    if item.type == "single_choice":
        if str(text) not in item.option_values:
            raise AnswerError(item.id, "not_an_option", lang, raw)
        return str(text)
    if item.type == "number":
        return _number(item, raw, text, lang)
    return _free_text(item, raw, str(text), lang)


def _rating(item: Item, raw, text, lang: str) -> int:
    low, high = 1, item.points
    if isinstance(text, str):
        value = int(text) if _INTEGER.fullmatch(text) else None
    else:
        value = int(text) if float(text).is_integer() else None
    if value is None or not low <= value <= high:
        raise AnswerError(item.id, "not_a_point", lang, raw, low=low, high=high)
    return value


def _number(item: Item, raw, text, lang: str) -> int | float:
    example = _format_number(item.min if item.min is not None else 0 if item.max is None else item.max)
    if isinstance(text, str):
        if not _DECIMAL.fullmatch(text):
            raise AnswerError(item.id, "not_a_number", lang, raw, example=example)
        value = float(text.replace(",", "."))  # Dutch decimal comma
    else:
        value = float(text)
    if math.isinf(value):
        raise AnswerError(item.id, "not_a_number", lang, raw, example=example)
    if item.integer and not value.is_integer():
        raise AnswerError(item.id, "not_whole", lang, raw)
    low, high = item.min, item.max
    if (low is not None and value < low) or (high is not None and value > high):
        if low is not None and high is not None:
            code = "out_of_range"
        else:
            code = "too_low" if low is not None else "too_high"
        raise AnswerError(
            item.id,
            code,
            lang,
            raw,
            low=_format_number(low) if low is not None else "",
            high=_format_number(high) if high is not None else "",
        )
    return int(value) if value.is_integer() else value


def _free_text(item: Item, raw, text: str, lang: str) -> str:
    length = len(text)
    if item.min_length is not None and length < item.min_length:
        raise AnswerError(item.id, "too_short", lang, raw, minimum=item.min_length, length=length)
    if item.max_length is not None and length > item.max_length:
        raise AnswerError(item.id, "too_long", lang, raw, maximum=item.max_length, length=length)
    return text
