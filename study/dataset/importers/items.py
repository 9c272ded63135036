"""The draft questionnaire: each answer column as an item of replylab's types, with the
recoding that brings its values onto replylab's (likert ``1..points``, option ids).

What a survey definition (``.qsf``) or the file's own value labels say is used first;
otherwise the type is guessed from the values and the guess is said in the report.

>>> import pandas as pd
>>> draft = guess_item("q1", "Q1", pd.Series([1.0, 5.0, 7.0, 3.0]), text="How much?")
>>> draft.item["type"], draft.item["points"], draft.guessed
('likert', 7, True)
>>> guess_item("q2", "Q2", pd.Series(["yes", "no", "yes", "no"]), text="Ever?").recode
{'yes': 'yes', 'no': 'no'}
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from study.dataset.importers.naming import column_id

__all__ = ["DraftItem", "guess_item", "item_from_question", "item_from_value_labels", "DONT_KNOW",
           "suggest_scales"]

#: Answers that mean "no answer": declared missing, never scored.
DONT_KNOW = re.compile(r"^(i )?(don'?t know|do not know|dont_know|prefer not to (say|answer)|n/?a|not applicable|"
                       r"weet (ik )?niet|geen antwoord|wil ik niet zeggen)$", re.I)


@dataclass
class DraftItem:
    """An item of the draft questionnaire and how the column's values map onto it.

    ``item`` is the item as a dict (``id``, ``type``, ``text``, ...; the text not yet per
    language); ``recode`` maps source values to replylab values (``None``: missing);
    ``missing`` lists source values declared missing; ``guessed`` says the type came from the data.
    """

    item: dict
    recode: dict = field(default_factory=dict)
    missing: list = field(default_factory=list)
    guessed: bool = False
    why: str = ""


def _is_whole(values: pd.Series) -> bool:
    numbers = pd.to_numeric(values, errors="coerce")
    return bool(numbers.notna().all() and (numbers == numbers.round()).all())


def guess_item(item_id: str, column: str, values: pd.Series, *, text: str) -> DraftItem:
    """An item guessed from a column's values: whole numbers 1..k (k <= 11) a likert item of
    k points, other numbers a number item, few repeated texts a single choice, else free text."""
    present = values.dropna()
    present = present[present.astype(str) != ""]
    base = {"id": item_id, "text": text}
    numeric = pd.api.types.is_numeric_dtype(values)
    if numeric and len(present):
        low, high = float(present.min()), float(present.max())
        if _is_whole(present) and low >= 1 and 2 <= high <= 11:
            points = int(high)
            item = {**base, "type": "likert", "points": points, "anchors": [f"1 (label unknown)", f"{points} (label unknown)"]}
            return DraftItem(item, guessed=True, why=f"whole numbers {int(low)}..{points}: a {points}-point rating, "
                                                     "the largest answer seen taken as the number of points")
        item = {**base, "type": "number"}
        if _is_whole(present):
            item["integer"] = True
        return DraftItem(item, guessed=True, why=f"numbers from {low:g} to {high:g}")
    if not len(present):
        return DraftItem({**base, "type": "free_text"}, guessed=True, why="no answers at all")
    texts = present.astype(str)
    missing = sorted({t for t in texts if DONT_KNOW.match(t.strip())})
    answers = texts[~texts.isin(missing)]
    distinct = list(dict.fromkeys(answers))
    if 2 <= len(distinct) <= 12 and len(distinct) <= max(2, len(answers) // 2):
        options, recode, taken = [], {}, set()
        for value in distinct:
            option = column_id(value, prefix="option")
            while option in taken:
                option += "_x"
            taken.add(option)
            options.append({"value": option, "label": value})
            recode[value] = option
        return DraftItem({**base, "type": "single_choice", "options": options}, recode, missing, guessed=True,
                         why=f"{len(distinct)} different answers: a single choice with those as options")
    return DraftItem({**base, "type": "free_text"}, missing=missing, guessed=True, why="text answers")


def _scale_from_choices(choices: list[tuple[str, str, str]]) -> tuple[list[str], dict, list]:
    """Choices (id, recode, text) of a rating question -> labels, recode to 1..k, missing codes."""
    rated = [c for c in choices if not DONT_KNOW.match(c[2])]
    dont = [c for c in choices if DONT_KNOW.match(c[2])]
    recode = {}
    for point, (_, value, text) in enumerate(rated, start=1):
        recode[value] = point
        recode[text] = point
    missing = [v for _, value, text in dont for v in (value, text)]
    return [c[2] for c in rated], recode, missing


def item_from_question(item_id: str, question, *, sub_text: str | None = None,
                       values: pd.Series | None = None) -> DraftItem:
    """An item from a ``.qsf`` question (a matrix row or slider row gives ``sub_text``)."""
    text = question.text + (f" – {sub_text}" if sub_text else "")
    base = {"id": item_id, "text": text or item_id}
    kind = question.type
    if kind == "Matrix" and question.answers:
        labels, recode, missing = _scale_from_choices(question.answers)
        if 2 <= len(labels) <= 11:
            item = {**base, "type": "likert", "points": len(labels), "anchors": [labels[0], labels[-1]],
                    "labels": labels}
            return DraftItem(item, recode, missing, why=f"a matrix row of {len(labels)} points")
    if kind == "MC" and question.choices and question.selector in ("SAVR", "SAHR", "DL", "SACOL", "SB", "NPS"):
        labels, recode, missing = _scale_from_choices(question.choices)
        names = getattr(question, "names", {}) or {}
        ordinal = all(re.search(r"(agree|likely|disagree|not at all|extremely|very|somewhat|slightly|"
                                r"moderately|moderate|mostly|definitely|oneens|eens|helemaal|nooit|altijd|\d)", label, re.I)
                      for label in labels)
        # a horizontal row of choices recoded 1..k is a rating whatever its labels say
        consecutive = [c[1] for c in question.choices] == [str(i) for i in range(1, len(question.choices) + 1)]
        if not names and (ordinal or (question.selector == "SAHR" and consecutive)) and 3 <= len(labels) <= 11:
            item = {**base, "type": "likert", "points": len(labels), "anchors": [labels[0], labels[-1]],
                    "labels": labels}
            return DraftItem(item, recode, missing, why=f"a rating of {len(labels)} ordered choices")
        options, recode, taken = [], {}, set()
        if names:  # every choice named by the survey's author is an answer, "don't know" included
            missing = []
        for choice_id, value, label in question.choices:
            if DONT_KNOW.match(label) and choice_id not in names:
                continue
            # a choice's variable name (set by replylab export-qsf: the option's value) is its id
            named = names.get(choice_id, "")
            option = named if re.fullmatch(r"[a-z][a-z0-9_]*", named) else \
                column_id(label, prefix="option")[:40].rstrip("_")
            while option in taken:
                option += "_x"
            taken.add(option)
            options.append({"value": option, "label": label})
            recode[value] = option
            recode[label] = option
        if len(options) >= 2:
            return DraftItem({**base, "type": "single_choice", "options": options}, recode, missing,
                             why=f"a single choice of {len(options)} options")
    if kind == "Slider":
        item = {**base, "type": "number"}
        if question.slider_range:
            item["min"], item["max"] = question.slider_range
        return DraftItem(item, why="a slider")
    if kind == "TE":
        if values is not None and pd.api.types.is_numeric_dtype(values) and values.notna().any():
            item = {**base, "type": "number"}
            if _is_whole(values.dropna()):
                item["integer"] = True
            return DraftItem(item, why="a text entry answered with numbers")
        return DraftItem({**base, "type": "free_text"}, why="a text entry")
    if values is not None:
        draft = guess_item(item_id, item_id, values, text=base["text"])
        draft.why = f"a {kind} question; " + draft.why
        return draft
    return DraftItem({**base, "type": "free_text"}, why=f"a {kind} question")


def item_from_value_labels(item_id: str, labels: dict, text: str, values: pd.Series) -> DraftItem:
    """An item from SPSS/Stata value labels: codes 1..k (k <= 11) a likert item, else a single choice."""
    rated = {code: label for code, label in labels.items() if not DONT_KNOW.match(str(label))}
    missing = [code for code, label in labels.items() if DONT_KNOW.match(str(label))]
    codes = sorted(rated)
    base = {"id": item_id, "text": text}
    numeric_codes = all(isinstance(c, (int, float)) for c in codes)
    if numeric_codes and codes == list(range(1, len(codes) + 1)) and 2 <= len(codes) <= 11 and len(codes) > 2:
        names = [str(rated[c]) for c in codes]
        item = {**base, "type": "likert", "points": len(codes), "anchors": [names[0], names[-1]], "labels": names}
        return DraftItem(item, {}, missing, why=f"value labels for 1..{len(codes)}")
    options, recode, taken = [], {}, set()
    for code in codes:
        option = column_id(rated[code], prefix="option")[:40].rstrip("_")
        while option in taken:
            option += "_x"
        taken.add(option)
        options.append({"value": option, "label": str(rated[code])})
        recode[code] = option
    if len(options) >= 2:
        return DraftItem({**base, "type": "single_choice", "options": options}, recode, missing,
                         why=f"value labels ({len(options)} categories)")
    return guess_item(item_id, item_id, values, text=text)


def suggest_scales(items: list[dict]) -> list[dict]:
    """Likert items with one stem (``att_1`` ... ``att_5``, same points): one suggested scale each."""
    groups: dict[tuple[str, int], list[str]] = {}
    for item in items:
        match = re.fullmatch(r"(.+?)_?(\d+)", item["id"])
        if item["type"] == "likert" and match:
            groups.setdefault((match.group(1).rstrip("_"), item["points"]), []).append(item["id"])
    taken = {item["id"] for item in items}
    scales = []
    for (stem, _), members in groups.items():
        if len(members) < 2:
            continue
        scale_id = stem if stem not in taken else f"{stem}_scale"
        taken.add(scale_id)
        scales.append({"id": scale_id, "label": f"{stem} (items {', '.join(members)})", "items": members,
                       "scoring": "mean", "min_valid": max(1, len(members) - 1)})
    return scales
