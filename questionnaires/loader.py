"""Load questionnaire modules from YAML, list the shipped library, combine modules.

A questionnaire file is one :class:`~questionnaires.models.Questionnaire` written
as YAML (see ``questionnaires/library/`` for the shipped modules). Every problem
found on load is reported as ``file:line: field: message``, all at once.

Examples
--------
>>> q = load_questionnaire("attitude")
>>> q.scale("attitude").items
['att_1', 'att_2', 'att_3', 'att_4', 'att_5']
>>> both = combine([q, load_questionnaire("reason")], id="main")
>>> both.item_ids[-1], [p.id for p in both.pages] == [p.id for p in q.pages] + ["reason"]
('reason', True)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pydantic

from .checks import questionnaire_problems
from .models import DEFER_CHECKS, Questionnaire
from .yamlsource import YamlSourceError, describe_problem, describe_validation_error, load_yaml_with_lines

__all__ = ["QuestionnaireFileError", "load_questionnaire", "combine", "library_names", "LIBRARY_DIR"]

LIBRARY_DIR = Path(__file__).resolve().parent / "library"


class QuestionnaireFileError(ValueError):
    """A questionnaire file that cannot be used.

    ``str(error)`` has one line per problem, each ``file:line: field: message``
    (``file: message`` when the problem concerns the whole file). The lines are
    also in ``error.messages``; the file is ``error.path``.
    """

    def __init__(self, path: str | Path, messages: Sequence[str]):
        self.path = str(path)
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


def library_names() -> list[str]:
    """The names of the shipped questionnaire modules, sorted.

    Examples
    --------
    >>> "attitude" in library_names() and "demographics" in library_names()
    True
    """
    return sorted(path.stem for path in LIBRARY_DIR.glob("*.yaml"))


def _resolve(name_or_path: str | Path) -> Path:
    if isinstance(name_or_path, Path):
        return name_or_path
    text = str(name_or_path)
    if "/" in text or "\\" in text or text.endswith((".yaml", ".yml")):
        return Path(text)
    if text in library_names():
        return LIBRARY_DIR / f"{text}.yaml"
    raise QuestionnaireFileError(
        text,
        [
            f"{text}: no shipped questionnaire module of this name; choose one of "
            f"{', '.join(library_names())}, or give the path of a YAML file"
        ],
    )


def load_questionnaire(name_or_path: str | Path) -> Questionnaire:
    """Load a shipped module by name (``"attitude"``) or a questionnaire YAML file by path.

    Parameters
    ----------
    name_or_path : str or Path
        A name from :func:`library_names`, or a path (anything containing a
        slash or ending in ``.yaml``/``.yml``, or a ``Path``).

    Returns
    -------
    Questionnaire

    Raises
    ------
    QuestionnaireFileError
        Unknown name, unreadable file, bad YAML, or a file that breaks the schema
        (wrong types, unknown fields, missing translations, duplicate ids, scale
        or page items that do not exist, ...); one ``file:line: field: message``
        line per problem.

    Examples
    --------
    >>> load_questionnaire("reason").item("reason").type
    'free_text'
    >>> load_questionnaire("no_such_module")
    Traceback (most recent call last):
    ...
    questionnaires.loader.QuestionnaireFileError: no_such_module: no shipped questionnaire module ...
    """
    path = _resolve(name_or_path)
    try:
        data, line_of = load_yaml_with_lines(path)
    except YamlSourceError as error:
        raise QuestionnaireFileError(path, [str(error)]) from None
    if not isinstance(data, dict):
        raise QuestionnaireFileError(
            path, [f"{path}:1: (top level): expected a mapping with id, title, source, languages, items, pages"]
        )
    try:
        questionnaire = Questionnaire.model_validate(data, context={DEFER_CHECKS: True})
    except pydantic.ValidationError as error:
        raise QuestionnaireFileError(path, describe_validation_error(error, path, line_of)) from None
    problems = questionnaire_problems(questionnaire)
    if problems:
        raise QuestionnaireFileError(path, [describe_problem(path, line_of, loc, msg) for loc, msg in problems])
    return questionnaire


def combine(
    questionnaires: Iterable[Questionnaire | str | Path],
    id: str = "combined",
    title: dict[str, str] | None = None,
) -> Questionnaire:
    """Join questionnaire modules into one, pages in the given order.

    Parameters
    ----------
    questionnaires : iterable of Questionnaire, name or path
        The modules; names and paths are loaded with :func:`load_questionnaire`.
    id : str
        Id of the combined questionnaire.
    title : dict, optional
        ``{lang: title}``; by default the module titles joined with `` / ``.

    Returns
    -------
    Questionnaire
        Items, scales and pages of all modules in order; languages as declared
        by the modules (which must agree); sources joined one per line.

    Raises
    ------
    ValueError
        No modules, modules with different languages, or an item, scale or
        page id used by two modules (the message names both).

    Examples
    --------
    >>> q = combine(["attitude", "realism"], id="ratings")
    >>> q.scale_ids
    ['attitude', 'realism']
    >>> combine(["attitude", "attitude"])
    Traceback (most recent call last):
    ...
    ValueError: cannot combine: item id 'att_1' is in both module 'attitude' and module 'attitude'; ...
    """
    modules = [q if isinstance(q, Questionnaire) else load_questionnaire(q) for q in questionnaires]
    if not modules:
        raise ValueError("cannot combine: no questionnaire modules given")
    languages = list(modules[0].languages)
    for module in modules[1:]:
        if set(module.languages) != set(languages):
            raise ValueError(
                f"cannot combine: module {module.id!r} has languages {module.languages}, "
                f"module {modules[0].id!r} has {languages}; use modules with the same languages"
            )
    owners: dict[tuple[str, str], str] = {}
    for module in modules:
        ids = [("item", i.id) for i in module.items] + [("scale", s.id) for s in module.scales]
        ids += [("page", p.id) for p in module.pages]
        for kind, ident in ids:
            key = ("page" if kind == "page" else "column", ident)
            if key in owners:
                raise ValueError(
                    f"cannot combine: {kind} id {ident!r} is in both module {owners[key]!r} and module "
                    f"{module.id!r}; each id may appear in one module only"
                )
            owners[key] = module.id
    if title is None:
        title = {lang: " / ".join(m.title[lang] for m in modules) for lang in languages}
    sources = list(dict.fromkeys(m.source for m in modules))
    return Questionnaire(
        id=id,
        title=title,
        source="\n".join(sources),
        languages=languages,
        items=[item for m in modules for item in m.items],
        scales=[scale for m in modules for scale in m.scales],
        pages=[page for m in modules for page in m.pages],
    )
