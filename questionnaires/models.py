"""The data model of a questionnaire: items, their options, scales and pages.

Everything is a frozen pydantic model, validated on construction. Field rules
(types, ranges, id spelling) are pydantic's; the rules that relate fields to
each other (an item's translations against the questionnaire's languages,
scale and page items that must exist, each item on exactly one page, ...) are
collected by :func:`questionnaire_problems` (defined in
:mod:`questionnaires.checks`, importable from here) as ``(location, message)``
pairs, so that the YAML loader can point at the exact line of each problem.
Built in code, a questionnaire with problems raises
``pydantic.ValidationError`` (a ``ValueError``) listing them.

Examples
--------
>>> item = Item(id="q1", type="likert", points=5, text={"en": "I like it."},
...             anchors={"en": ["Disagree", "Agree"]})
>>> q = Questionnaire(id="demo", title={"en": "Demo"}, source="Made up.",
...                   languages=["en"], items=[item],
...                   scales=[Scale(id="liking", label={"en": "Liking"}, items=["q1"])],
...                   pages=[Page(id="p1", title={"en": "Page 1"}, items=["q1"])])
>>> q.item("q1").points, q.scale("liking").min_valid, q.item_ids
(5, 1, ['q1'])
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, model_validator

from .checks import (
    RATING_TYPES,
    RESERVED_IDS,
    Problem,
    _scale_shape_problems,
    item_problems,
    questionnaire_problems,
)
from .yamlsource import field_path

__all__ = [
    "DEFER_CHECKS",
    "ITEM_TYPES",
    "RATING_TYPES",
    "RESERVED_IDS",
    "Item",
    "Option",
    "Scale",
    "Page",
    "Questionnaire",
    "item_problems",
    "questionnaire_problems",
]

#: Passing ``context={DEFER_CHECKS: True}`` to ``model_validate`` skips the
#: cross-field checks, so a loader can run :func:`questionnaire_problems`
#: itself and report each problem at its own line.
DEFER_CHECKS = "questionnaires.defer_checks"

ITEM_TYPES = ("likert", "semantic_differential", "single_choice", "free_text", "number")

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Texts = dict[str, Text]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _raise_problems(problems: list[Problem]) -> None:
    if problems:
        raise ValueError("; ".join(f"{field_path(loc)}: {message}" for loc, message in problems))


def _deferred(info: ValidationInfo) -> bool:
    return bool(info.context and info.context.get(DEFER_CHECKS))


class Option(_Model):
    """One answer option of a single-choice item: the stored ``value`` and its label per language."""

    value: Id
    label: Texts


class Item(_Model):
    """One question.

    Attributes
    ----------
    id : str
        Column name in the data (``[a-z][a-z0-9_]*``).
    type : {'likert', 'semantic_differential', 'single_choice', 'free_text', 'number'}
    text : dict
        The question (or, for a semantic differential, a short name of the pair) per language.
    points : int, optional
        Likert and semantic differential: number of answer points (2-11). Answers are
        stored as presented, ``1..points``.
    anchors : dict, optional
        Likert and semantic differential: ``{lang: [left label, right label]}``, as presented.
    labels : dict, optional
        Likert: one label per point, ``{lang: [label_1, ..., label_points]}``.
    options : list of Option, optional
        Single choice: the answer options, in presented order; values unique.
    reverse : bool
        Likert and semantic differential: score as ``points + 1 - answer``. For a
        semantic differential, ``True`` means the positive pole is shown on the left.
    required : bool
        The participant must answer (default ``True``).
    min, max : float, optional
        Number: allowed range (inclusive).
    integer : bool
        Number: only whole numbers are accepted (e.g. age).
    min_length, max_length : int, optional
        Free text: allowed length in characters, after trimming spaces.
    correct : int or str, optional
        Attention check: the instructed answer (a point for likert, an option value
        for single choice). A wrong answer is still a valid answer; it is flagged later.
    """

    id: Id
    type: Literal["likert", "semantic_differential", "single_choice", "free_text", "number"]
    text: Texts
    points: int | None = Field(default=None, ge=2, le=11)
    anchors: dict[str, list[Text]] | None = None
    labels: dict[str, list[Text]] | None = None
    options: list[Option] | None = None
    reverse: bool = False
    required: bool = True
    min: float | None = None
    max: float | None = None
    integer: bool = False
    min_length: int | None = Field(default=None, ge=0)
    max_length: int | None = Field(default=None, ge=1)
    correct: int | str | None = None

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> Item:
        if not _deferred(info):
            _raise_problems(item_problems(self))
        return self

    @property
    def option_values(self) -> list[str]:
        """The option values of a single-choice item (empty list for other types)."""
        return [option.value for option in self.options or []]


class Scale(_Model):
    """A multi-item scale: the score is the ``mean`` (or prorated ``sum``) of its items
    after reverse keying, missing when fewer than ``min_valid`` items are answered.
    ``min_valid`` defaults to the number of items (every item needed)."""

    id: Id
    label: Texts
    items: list[Id] = Field(min_length=1)
    scoring: Literal["mean", "sum"] = "mean"
    min_valid: int = Field(ge=1)

    @model_validator(mode="before")
    @classmethod
    def _default_min_valid(cls, data):
        if isinstance(data, dict) and data.get("min_valid") is None and isinstance(data.get("items"), list | tuple):
            data = {**data, "min_valid": len(data["items"])}
        return data

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> Scale:
        if not _deferred(info):
            _raise_problems(_scale_shape_problems(self))
        return self


class Page(_Model):
    """One screen of the survey: a title, an optional introduction and its items in order."""

    id: Id
    title: Texts
    intro: Texts | None = None
    items: list[Id] = Field(min_length=1)


class Questionnaire(_Model):
    """A questionnaire module (or several combined): items, scales and pages.

    Every item is on exactly one page; ``item_ids`` lists them in declared order
    (the shipped modules declare items in the order their pages show them).
    Look items, scales and pages up with :meth:`item`, :meth:`scale`, :meth:`page`.
    """

    id: Id
    title: Texts
    source: Text
    languages: list[LanguageCode] = Field(min_length=1)
    items: list[Item] = Field(min_length=1)
    scales: list[Scale] = Field(default_factory=list)
    pages: list[Page] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> Questionnaire:
        if not _deferred(info):
            _raise_problems(questionnaire_problems(self))
        return self

    def item(self, item_id: str) -> Item:
        """The item with this id; ``KeyError`` naming the known ids otherwise."""
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(f"no item {item_id!r} in questionnaire {self.id!r}; items: {', '.join(self.item_ids)}")

    def scale(self, scale_id: str) -> Scale:
        """The scale with this id; ``KeyError`` naming the known ids otherwise."""
        for scale in self.scales:
            if scale.id == scale_id:
                return scale
        known = ", ".join(s.id for s in self.scales) or "none"
        raise KeyError(f"no scale {scale_id!r} in questionnaire {self.id!r}; scales: {known}")

    def page(self, page_id: str) -> Page:
        """The page with this id; ``KeyError`` naming the known ids otherwise."""
        for page in self.pages:
            if page.id == page_id:
                return page
        known = ", ".join(p.id for p in self.pages)
        raise KeyError(f"no page {page_id!r} in questionnaire {self.id!r}; pages: {known}")

    def items_on_page(self, page_id: str) -> list[Item]:
        """The items of one page, in presented order."""
        return [self.item(item_id) for item_id in self.page(page_id).items]

    def scale_of(self, item_id: str) -> Scale | None:
        """The first scale that contains this item, or ``None``."""
        return next((scale for scale in self.scales if item_id in scale.items), None)

    @property
    def item_ids(self) -> list[str]:
        """All item ids in declared order (``items``): the item columns of the data set."""
        return [item.id for item in self.items]

    @property
    def scale_ids(self) -> list[str]:
        """All scale ids in declared order: the scored columns of the data set."""
        return [scale.id for scale in self.scales]
