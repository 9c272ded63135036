"""Cross-field checks of questionnaires, as ``(location, message)`` pairs.

The rules that relate fields to each other (an item's translations against the
questionnaire's languages, scale and page items that must exist, each item on
exactly one page, ...). The models in :mod:`questionnaires.models` run them on
construction; the YAML loader runs them itself to point at the line of each
problem. Locations are tuples of keys and list indices, as in pydantic errors.

The checks read the attributes of the models they are given and never import
:mod:`questionnaires.models`, which imports them.

>>> from questionnaires.models import Item
>>> item_problems(Item(id="q1", type="free_text", text={"en": "Why?"}))
[]
"""

from __future__ import annotations

from .yamlsource import field_path

RATING_TYPES = ("likert", "semantic_differential")

#: Columns of the canonical data set that an item or scale id must not take.
RESERVED_IDS = frozenset(
    {
        "participant_id", "condition", "lang", "status", "started_at", "completed_at",
        "attention_passed", "manipulation_passed", "exclude", "prolific_pid", "study_id",
        "session_id", "duplicate", "duration_seconds", "reason_true_motives", "withdrawal_code",
        # paradata and quality flags (study.survey.tables, study.design.validity)
        "focus_lost_count", "focus_lost_seconds", "paste_count", "typing_seconds",
        "flag_speeding", "flag_straightlining", "flag_text_short", "flag_text_pasted",
        "flag_text_from_vignette", "flag_text_duplicate", "flag_text_language",
        "flag_repeated_prolific_id",
    }
)  # fmt: skip

Loc = tuple
Problem = tuple[Loc, str]


def item_problems(item) -> list[Problem]:
    """Problems of one item on its own (locations relative to the item).

    Parameters
    ----------
    item : questionnaires.models.Item
        The item, possibly built without validation (``Item.model_construct``).

    Returns
    -------
    list of (tuple, str)
        ``(location, message)`` pairs; empty when the item is fine.

    Examples
    --------
    >>> from questionnaires.models import Item
    >>> item = Item.model_construct(id="q", type="likert", text={"en": "Q"}, points=None,
    ...     anchors=None, labels=None, options=None, reverse=False, required=True, min=None,
    ...     max=None, integer=False, min_length=None, max_length=None, correct=None)
    >>> item_problems(item)[0]
    (('points',), 'likert items need points (2 to 11)')
    """
    problems: list[Problem] = []
    kind = item.type
    rating = kind in RATING_TYPES

    def only_for(field: str, allowed: tuple[str, ...], present: bool) -> None:
        if present and kind not in allowed:
            problems.append(((field,), f"only applies to {' and '.join(allowed)} items, not {kind}"))

    only_for("points", RATING_TYPES, item.points is not None)
    only_for("anchors", RATING_TYPES, item.anchors is not None)
    only_for("labels", ("likert",), item.labels is not None)
    only_for("reverse", RATING_TYPES, item.reverse)
    only_for("options", ("single_choice",), item.options is not None)
    only_for("min", ("number",), item.min is not None)
    only_for("max", ("number",), item.max is not None)
    only_for("integer", ("number",), item.integer)
    only_for("min_length", ("free_text",), item.min_length is not None)
    only_for("max_length", ("free_text",), item.max_length is not None)
    only_for("correct", ("likert", "semantic_differential", "single_choice", "number"), item.correct is not None)

    if rating:
        if item.points is None:
            problems.append((("points",), f"{kind} items need points (2 to 11)"))
        if not item.anchors:
            problems.append((("anchors",), f"{kind} items need anchors: {{lang: [left label, right label]}}"))
        for lang, pair in (item.anchors or {}).items():
            if len(pair) != 2:
                problems.append((("anchors", lang), f"give exactly 2 labels (left, right), not {len(pair)}"))
        for lang, labels in (item.labels or {}).items():
            if item.points is not None and len(labels) != item.points:
                problems.append((("labels", lang), f"give one label per point ({item.points}), not {len(labels)}"))
    if kind == "single_choice":
        if not item.options or len(item.options) < 2:
            problems.append((("options",), "single_choice items need at least 2 options"))
        seen: set[str] = set()
        for index, option in enumerate(item.options or []):
            if option.value in seen:
                problems.append((("options", index, "value"), f"option value {option.value!r} is used twice"))
            seen.add(option.value)
    if item.min is not None and item.max is not None and item.min > item.max:
        problems.append((("min",), f"min ({item.min:g}) is larger than max ({item.max:g})"))
    if item.min_length is not None and item.max_length is not None and item.min_length > item.max_length:
        message = f"min_length ({item.min_length}) is larger than max_length ({item.max_length})"
        problems.append((("min_length",), message))
    if item.correct is not None and not any(loc == ("correct",) for loc, _ in problems):
        problem = _correct_problem(item)
        if problem:
            problems.append((("correct",), problem))
    return problems


def _correct_problem(item) -> str | None:
    correct = item.correct
    if item.type in RATING_TYPES and item.points is not None:
        if isinstance(correct, bool) or not isinstance(correct, int) or not 1 <= correct <= item.points:
            return f"the correct answer must be a point from 1 to {item.points}, not {correct!r}"
    elif item.type == "single_choice" and item.options:
        if correct not in item.option_values:
            return f"the correct answer {correct!r} is not an option value ({', '.join(item.option_values)})"
    elif item.type == "number":
        if isinstance(correct, str | bool):
            return f"the correct answer must be a number, not {correct!r}"
        if (item.min is not None and correct < item.min) or (item.max is not None and correct > item.max):
            return f"the correct answer {correct!r} is outside min..max"
    return None


def _scale_shape_problems(scale) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, item_id in enumerate(scale.items):
        if item_id in seen:
            problems.append((("items", index), f"item {item_id!r} is listed twice"))
        seen.add(item_id)
    if scale.min_valid > len(scale.items):
        message = f"min_valid ({scale.min_valid}) exceeds the number of items ({len(scale.items)})"
        problems.append((("min_valid",), message))
    return problems


def _translation_problems(texts: dict | None, loc: Loc, languages: list[str]) -> list[Problem]:
    if texts is None:
        return []
    problems = [(loc + (lang,), f"missing the {lang!r} translation") for lang in languages if lang not in texts]
    problems += [
        (loc + (lang,), f"language {lang!r} is not declared in languages ({', '.join(languages)})")
        for lang in texts
        if lang not in languages
    ]
    return problems


def questionnaire_problems(questionnaire) -> list[Problem]:
    """All problems of a questionnaire, as ``(location, message)`` pairs.

    Covers each item's own rules, translations for every declared language,
    unique ids (items and scales share one namespace: both become columns),
    reserved column names, scale items that exist and are ratings with equal
    points, and pages that hold every item exactly once.

    Parameters
    ----------
    questionnaire : questionnaires.models.Questionnaire
        Usually validated with ``context={DEFER_CHECKS: True}``, so that its
        cross-field checks have not run yet.

    Returns
    -------
    list of (tuple, str)
        Locations relative to the questionnaire; empty when it is fine.

    Examples
    --------
    >>> from questionnaires.models import DEFER_CHECKS, Item, Questionnaire
    >>> item = Item(id="q1", type="free_text", text={"en": "Why?"})
    >>> q = Questionnaire.model_validate(
    ...     {"id": "d", "title": {"en": "D"}, "source": "-", "languages": ["en", "nl"],
    ...      "items": [item], "pages": [{"id": "p", "title": {"en": "P", "nl": "P"}, "items": ["q1"]}]},
    ...     context={DEFER_CHECKS: True})
    >>> questionnaire_problems(q)
    [(('title', 'nl'), "missing the 'nl' translation"), (('items', 0, 'text', 'nl'), "missing the 'nl' translation")]
    """
    q = questionnaire
    langs = list(q.languages)
    problems: list[Problem] = []
    if len(set(langs)) != len(langs):
        problems.append((("languages",), "a language is listed twice"))
    problems += _translation_problems(q.title, ("title",), langs)

    columns: dict[str, Loc] = {}

    def claim(column_id: str, loc: Loc, what: str) -> None:
        if column_id in RESERVED_IDS:
            problems.append((loc, f"{column_id!r} is a reserved column name of the data set; choose another id"))
        elif column_id in columns:
            problems.append((loc, f"{what} id {column_id!r} is already used at {field_path(columns[column_id])}"))
        else:
            columns[column_id] = loc

    items_by_id = {}
    for index, item in enumerate(q.items):
        base = ("items", index)
        claim(item.id, base + ("id",), "item")
        items_by_id.setdefault(item.id, item)
        problems += [(base + loc, message) for loc, message in item_problems(item)]
        problems += _translation_problems(item.text, base + ("text",), langs)
        problems += _translation_problems(item.anchors, base + ("anchors",), langs)
        problems += _translation_problems(item.labels, base + ("labels",), langs)
        for o_index, option in enumerate(item.options or []):
            problems += _translation_problems(option.label, base + ("options", o_index, "label"), langs)

    for index, scale in enumerate(q.scales):
        base = ("scales", index)
        claim(scale.id, base + ("id",), "scale")
        problems += [(base + loc, message) for loc, message in _scale_shape_problems(scale)]
        problems += _translation_problems(scale.label, base + ("label",), langs)
        points = set()
        for i_index, item_id in enumerate(scale.items):
            item = items_by_id.get(item_id)
            if item is None:
                problems.append(((*base, "items", i_index), f"unknown item {item_id!r}; define it under items"))
            elif item.type not in RATING_TYPES:
                message = f"item {item_id!r} is {item.type}; scales take likert or semantic_differential items"
                problems.append(((*base, "items", i_index), message))
            elif item.points is not None:
                points.add(item.points)
        if len(points) > 1:
            message = f"items have different numbers of points ({sorted(points)}); a scale needs one"
            problems.append(((*base, "items"), message))

    page_ids: set[str] = set()
    placed: dict[str, Loc] = {}
    for index, page in enumerate(q.pages):
        base = ("pages", index)
        if page.id in page_ids:
            problems.append((base + ("id",), f"page id {page.id!r} is used twice"))
        page_ids.add(page.id)
        problems += _translation_problems(page.title, base + ("title",), langs)
        problems += _translation_problems(page.intro, base + ("intro",), langs)
        for i_index, item_id in enumerate(page.items):
            loc = (*base, "items", i_index)
            if item_id not in items_by_id:
                problems.append((loc, f"unknown item {item_id!r}; define it under items"))
            elif item_id in placed:
                    where = field_path(placed[item_id][:2])
                    problems.append((loc, f"item {item_id!r} is already on {where}; put each item on one page"))
            else:
                placed[item_id] = loc
    for index, item in enumerate(q.items):
        if item.id not in placed:
            problems.append((("items", index, "id"), f"item {item.id!r} is on no page; add it to a page"))
    return problems
