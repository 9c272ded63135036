"""The motive codebook: categories for coding the free-text ``reason``, as validated data.

The scheme lives in ``questionnaires/codebooks/motives.yaml``; this module loads it
into pydantic models and renders it as Markdown for human coders. Every problem
found on load is reported as ``file:line: field: message``, one per line.

>>> book = load_motive_codebook()
>>> book.ids[:2]
['reputation_protection', 'image_showcase']
>>> book.strategic_ids
['reputation_protection', 'image_showcase']
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from questionnaires.checks import Problem
from questionnaires.models import DEFER_CHECKS
from questionnaires.yamlsource import (
    YamlSourceError,
    describe_problem,
    describe_validation_error,
    field_path,
    load_yaml_with_lines,
)

LANGS = ("nl", "en")
CODEBOOK_DIR = Path(__file__).resolve().parent.parent / "codebooks"
DEFAULT_CODEBOOK = CODEBOOK_DIR / "motives.yaml"

Lang = Literal["nl", "en"]


class CodebookError(ValueError):
    """A motive codebook file that cannot be used.

    ``str(error)`` has one line per problem, each ``file:line: field: message``.
    """


def _both_languages(value: dict, what: str) -> dict:
    missing = [lang for lang in LANGS if not value.get(lang)]
    if missing:
        raise ValueError(f"{what} needs a text for every language; missing: {', '.join(missing)}")
    return value


class Category(BaseModel):
    """One code of the scheme (e.g. ``reputation_protection``)."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    strategic: bool = False
    exclusive: bool = False
    label: dict[Lang, str]
    definition: dict[Lang, str]
    include: dict[Lang, list[str]]
    exclude: dict[Lang, list[str]]
    examples: dict[Lang, list[str]]
    counter_examples: dict[Lang, list[str]]

    @field_validator("label", "definition", "include", "exclude", "examples", "counter_examples")
    @classmethod
    def _complete(cls, value, info):
        return _both_languages(value, info.field_name)

    @property
    def column(self) -> str:
        """The data column holding this code: ``code_<id>``."""
        return f"code_{self.id}"


class MotiveCodebook(BaseModel):
    """The whole scheme: categories in a fixed order, plus coder instructions."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    question: str
    version: int = 1
    title: dict[Lang, str]
    instructions: dict[Lang, str]
    categories: list[Category] = Field(min_length=2)

    @field_validator("title", "instructions")
    @classmethod
    def _complete(cls, value, info):
        return _both_languages(value, info.field_name)

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo):
        if info.context and info.context.get(DEFER_CHECKS):
            return self
        problems = codebook_problems(self)
        if problems:
            raise ValueError("; ".join(f"{field_path(loc)}: {message}" for loc, message in problems))
        return self

    @property
    def ids(self) -> list[str]:
        """Category ids in codebook order."""
        return [c.id for c in self.categories]

    @property
    def columns(self) -> list[str]:
        """Data columns ``code_<id>`` in codebook order."""
        return [c.column for c in self.categories]

    @property
    def strategic_ids(self) -> list[str]:
        """Ids of the strategic motives (they make up ``pk_strategic``)."""
        return [c.id for c in self.categories if c.strategic]

    @property
    def exclusive_id(self) -> str | None:
        """The code used only when no other applies (``no_motive``), if any."""
        return next((c.id for c in self.categories if c.exclusive), None)

    def category(self, category_id: str) -> Category:
        """Look a category up by id (``code_`` prefix accepted)."""
        key = category_id.removeprefix("code_")
        for c in self.categories:
            if c.id == key:
                return c
        raise KeyError(f"unknown category {category_id!r}; known: {', '.join(self.ids)}")

    def to_markdown(self, lang: str = "en") -> str:
        """The scheme as a Markdown manual for human coders, in one language.

        >>> text = load_motive_codebook().to_markdown("nl")
        >>> text.splitlines()[0]
        '# Codeerschema motieven (waarom koos de provider deze afhandeling?)'
        """
        if lang not in LANGS:
            raise ValueError(f"lang must be one of {', '.join(LANGS)}; got {lang!r}")
        words = _WORDS[lang]
        lines = [f"# {self.title[lang]}", "", self.instructions[lang].strip(), ""]
        for c in self.categories:
            flags = []
            if c.strategic:
                flags.append(words["strategic"])
            if c.exclusive:
                flags.append(words["exclusive"])
            suffix = f" ({', '.join(flags)})" if flags else ""
            lines += [f"## `{c.column}` — {c.label[lang]}{suffix}", "", c.definition[lang].strip(), ""]
            for key in ("include", "exclude", "examples", "counter_examples"):
                lines.append(f"**{words[key]}**")
                lines.append("")
                lines += [f"- {entry}" for entry in getattr(c, key)[lang]]
                lines.append("")
        return "\n".join(lines).rstrip() + "\n"


def codebook_problems(book: MotiveCodebook) -> list[Problem]:
    """Rules across categories, as ``(location, message)`` pairs.

    Category ids are unique, at least one category is strategic and at most
    one is exclusive. A repeated id or a second exclusive category is
    reported where it occurs.

    Examples
    --------
    >>> book = load_motive_codebook()
    >>> codebook_problems(book)
    []
    >>> twice = book.categories[:2] + [book.categories[0]]
    >>> codebook_problems(book.model_copy(update={"categories": twice}))
    [(('categories', 2, 'id'), 'category ids must be unique; repeated: reputation_protection')]
    """
    problems: list[Problem] = []
    seen: set[str] = set()
    exclusive_at = None
    for index, category in enumerate(book.categories):
        if category.id in seen:
            problems.append(
                (("categories", index, "id"), f"category ids must be unique; repeated: {category.id}")
            )
        seen.add(category.id)
        if category.exclusive:
            if exclusive_at is None:
                exclusive_at = index
            else:
                message = (
                    "at most one category may be `exclusive: true` (the 'no motive' code); "
                    f"categories[{exclusive_at}] already is"
                )
                problems.append((("categories", index, "exclusive"), message))
    if not any(c.strategic for c in book.categories):
        problems.append((("categories",), "at least one category must be marked `strategic: true`"))
    return problems


_WORDS = {
    "nl": {
        "strategic": "strategisch motief",
        "exclusive": "alleen als niets anders past",
        "include": "Wel coderen",
        "exclude": "Niet coderen",
        "examples": "Voorbeelden",
        "counter_examples": "Tegenvoorbeelden",
    },
    "en": {
        "strategic": "strategic motive",
        "exclusive": "only when nothing else applies",
        "include": "Code when",
        "exclude": "Do not code when",
        "examples": "Examples",
        "counter_examples": "Counter-examples",
    },
}


def load_motive_codebook(path: str | Path | None = None) -> MotiveCodebook:
    """Load and validate a motive codebook (default: the shipped ``motives.yaml``).

    Parameters
    ----------
    path : str or Path, optional
        A codebook YAML file of the same shape as ``questionnaires/codebooks/motives.yaml``.

    Returns
    -------
    MotiveCodebook
        Categories in file order, with ``ids``, ``columns``, ``strategic_ids``,
        ``category(id)`` and ``to_markdown(lang)``.

    Raises
    ------
    CodebookError
        The file is missing, is not YAML, or breaks the schema; one
        ``file:line: field: message`` line per problem.

    Examples
    --------
    >>> book = load_motive_codebook()
    >>> book.columns[-1], book.exclusive_id
    ('code_no_motive', 'no_motive')
    """
    file = Path(path) if path is not None else DEFAULT_CODEBOOK
    if not file.exists():
        raise CodebookError(f"{file}: codebook file not found; pass the path of a motives YAML file")
    try:
        raw, line_of = load_yaml_with_lines(file)
    except YamlSourceError as error:
        raise CodebookError(str(error)) from None
    if not isinstance(raw, dict):
        raise CodebookError(f"{file}:1: (top level): expected a mapping with 'categories' at the top level")
    try:
        book = MotiveCodebook.model_validate(raw, context={DEFER_CHECKS: True})
    except ValidationError as error:
        raise CodebookError("\n".join(describe_validation_error(error, file, line_of))) from None
    problems = codebook_problems(book)
    if problems:
        raise CodebookError("\n".join(describe_problem(file, line_of, loc, msg) for loc, msg in problems))
    return book
