"""Reading a submitted page: form fields to validated answers, or messages per item.

Two kinds of problems are told apart. A participant's mistake (an answer
missing or out of range) gives a message next to the item, in the
participant's language, and the page comes back filled in. A request no
honest browser sends (a field the page does not have, a repeated field, a
file, control characters, an oversized value) raises :class:`BadForm`, which
the routes answer with a 400 and nothing stored.

>>> reject_hostile_fields({"csrf_token": "x", "att_1": "3"}, allowed={"att_1"})
{'att_1': '3'}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from questionnaires import AnswerError, validate_answer
from study.survey.rendering import ui
from study.survey.tables import PARADATA_COLUMNS

MAX_FIELD_CHARS = 10_000
CONTROL_OK = {"\n", "\r", "\t"}
FORM_META = frozenset({"csrf_token"})


class BadForm(Exception):
    """A submitted form that no honest browser would send (answered with 400)."""


@dataclass
class PageAnswers:
    """The outcome of reading one page: valid values, messages per item, and the raw input."""
    values: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)
    raw: dict = field(default_factory=dict)


def form_to_dict(multi_items: Iterable[tuple[str, object]]) -> dict[str, str]:
    """One string per field name; repeated names, files or control characters raise BadForm.

    >>> form_to_dict([("a", "1"), ("b", "x y")])
    {'a': '1', 'b': 'x y'}
    """
    fields: dict[str, str] = {}
    for name, value in multi_items:
        if not isinstance(value, str):
            raise BadForm(f"field {name!r}: files cannot be uploaded here")
        if name in fields:
            raise BadForm(f"field {name!r} was sent more than once")
        if len(value) > MAX_FIELD_CHARS:
            raise BadForm(f"field {name!r} is longer than {MAX_FIELD_CHARS} characters")
        if any(ord(c) < 32 and c not in CONTROL_OK for c in value) or "\x7f" in value:
            raise BadForm(f"field {name!r} contains control characters")
        fields[name] = value
    return fields


#: the largest paradata kept (beyond them a value is a fault, not a measurement)
MAX_COUNT = 100_000
MAX_SECONDS = 7 * 24 * 3600


def split_paradata(fields: dict[str, str]) -> tuple[dict[str, float | int | None], dict[str, str]]:
    """The page's paradata (sent by its script as ``_<column>``) and the other fields.

    A value that is absent (no JavaScript) or not a plausible number stays ``None``:
    paradata are stored as measured or not at all.

    >>> split_paradata({"_paste_count": "2", "_focus_lost_seconds": "x", "att_1": "4"})
    ({'focus_lost_count': None, 'focus_lost_seconds': None, 'paste_count': 2, 'typing_seconds': None}, {'att_1': '4'})
    """
    paradata: dict[str, float | int | None] = {}
    for column in PARADATA_COLUMNS:
        counts = column.endswith("_count")
        try:
            value = (int if counts else float)(fields["_" + column])
        except (KeyError, ValueError):
            value = None
        within = value is not None and 0 <= value <= (MAX_COUNT if counts else MAX_SECONDS)
        paradata[column] = value if within else None
    sent = {"_" + column for column in PARADATA_COLUMNS}
    return paradata, {name: value for name, value in fields.items() if name not in sent}


def reject_hostile_fields(fields: dict[str, str], *, allowed: set[str]) -> dict[str, str]:
    """The answer fields of a form; a field the page does not have raises BadForm."""
    unknown = sorted(set(fields) - set(allowed) - FORM_META)
    if unknown:
        raise BadForm(f"fields {unknown} are not on this page")
    return {name: value for name, value in fields.items() if name not in FORM_META}


def minimum_age_rule(study) -> dict[str, int]:
    """The study's minimum age (``texts.minimum_age``) by the item that asks the age, or ``{}``.

    The item's own ``min`` is left as it is, so the codebook and the analysis keep the item's
    range; the survey refuses a younger answer on top of it.

    >>> from study import load_study
    >>> minimum_age_rule(load_study("tilburg"))
    {'age': 18}
    """
    texts = study.texts
    if texts is None or texts.minimum_age is None:
        return {}
    return {texts.age_item: texts.minimum_age}


def read_page_answers(items, fields: dict[str, str], lang: str, *,
                      minimum_age: Mapping[str, int] | None = None) -> PageAnswers:
    """Validate every item of a page with ``questionnaires.validate_answer``.

    Parameters
    ----------
    items : sequence of questionnaires.Item
        The items on the page, in order.
    fields : dict
        The submitted fields (after :func:`form_to_dict`).
    lang : {'nl', 'en'}
        The participant's language (for the messages).
    minimum_age : mapping, optional
        The age item's id -> the minimum age the consent asked for
        (:func:`minimum_age_rule`); a younger age is refused with a message that says
        so, although the item itself accepts it.

    Returns
    -------
    PageAnswers
        ``values`` holds the valid answers (blank optional items are left out),
        ``errors`` a message per item that failed, ``raw`` what was typed.

    Examples
    --------
    >>> from questionnaires import load_questionnaire
    >>> age = load_questionnaire("demographics").item("age")
    >>> read_page_answers([age], {"age": "17"}, "en", minimum_age={"age": 18}).errors
    {'age': 'This study is for people aged 18 or older, as the information at the start said. If you are younger, please stop here and close this window.'}
    >>> read_page_answers([age], {"age": "18"}, "en", minimum_age={"age": 18}).values
    {'age': 18}
    """
    minimum_age = minimum_age or {}
    fields = reject_hostile_fields(fields, allowed={item.id for item in items})
    result = PageAnswers(raw=dict(fields))
    for item in items:
        raw = fields.get(item.id)
        if (raw is None or not raw.strip()) and not item.required:
            continue
        try:
            value = validate_answer(item, raw, lang)
        except AnswerError as error:
            result.errors[item.id] = str(error)
            continue
        if value is not None and item.id in minimum_age and value < minimum_age[item.id]:
            result.errors[item.id] = ui(lang)["below_minimum_age"].format(n=minimum_age[item.id])
            continue
        if value is not None:
            result.values[item.id] = value
    return result
