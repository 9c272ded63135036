"""Load and validate a study file: ``load_study``, ``shipped_studies``, ``StudyFileError``.

A study is checked in two passes: the pydantic schema (:mod:`study.design.schema`: types,
ids, ranges) and then the rules across fields and against the questionnaire
library (:func:`study.design.crosscheck.cross_check`). Every problem found
is reported, each as ``file:line: field: message``; the line comes from the
line-aware YAML loading in ``questionnaires.yamlsource``.

>>> sorted(shipped_studies())
['tilburg', 'tone-of-reply', 'webcare-2x2']
>>> load_study("tilburg").target_n
140
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pydantic

from questionnaires.yamlsource import YamlSourceError, field_path, load_yaml_with_lines
from study.design.crosscheck import cross_check
from study.design.schema import Study
from study.errors import UserError

STUDIES_DIR = Path(__file__).parent / "studies"

__all__ = ["load_study", "shipped_studies", "StudyFileError", "Problem", "STUDIES_DIR"]


@dataclass(frozen=True)
class Problem:
    """One problem in a study file: where it is and what is expected."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.field}: {self.message}"


class StudyFileError(UserError):
    """A study file that cannot be used; ``problems`` lists every problem found.

    ``str(error)`` is one ``file:line: field: message`` per line.

    >>> error = StudyFileError([Problem("s.yaml", 3, "target_n", "must be at least 1")])
    >>> print(error)
    s.yaml:3: target_n: must be at least 1
    """

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


def shipped_studies() -> dict[str, Path]:
    """The studies shipped with replylab: name -> path of its ``study.yaml``.

    >>> shipped_studies()["tilburg"].name
    'study.yaml'
    """
    return {
        path.parent.name: path
        for path in sorted(STUDIES_DIR.glob("*/study.yaml"))
    }


def resolve_study_path(path_or_name: str | Path) -> Path:
    """The study file meant by a shipped study's name, a directory or a YAML path.

    Raises ``StudyFileError`` for a name that is neither a shipped study nor a path.
    """
    shipped = shipped_studies()
    if isinstance(path_or_name, str) and path_or_name in shipped:
        return shipped[path_or_name]
    path = Path(path_or_name)
    if path.is_dir():
        return path / "study.yaml"
    looks_like_path = path.suffix in (".yaml", ".yml") or len(path.parts) > 1
    if not path.exists() and not looks_like_path:
        names = ", ".join(shipped) or "none"
        raise StudyFileError([Problem(
            str(path_or_name), None, "(study)",
            f"no such study file and not a shipped study; give a path to a study.yaml "
            f"or one of the shipped studies: {names}",
        )])
    return path


def load_study(path_or_name: str | Path) -> Study:
    """Load a study file, validate it and return the :class:`~study.design.schema.Study`.

    Parameters
    ----------
    path_or_name : str or Path
        A shipped study's name (see :func:`shipped_studies`), a path to a study
        YAML file, or a directory holding ``study.yaml``.

    Returns
    -------
    Study
        With ``path`` (the resolved file) and ``file_hash`` (sha256 hex of its bytes).

    Raises
    ------
    StudyFileError
        Listing every problem as ``file:line: field: message``: YAML syntax,
        schema (missing or mistyped fields, bad ids), and cross-field rules
        (unknown questionnaire module, scale, factor or level, missing
        translations, duplicate ids, vignette threads not matching the conditions,
        checks naming items the questionnaire lacks).

    Examples
    --------
    >>> study = load_study("webcare-2x2")
    >>> study.condition_names
    ['public-empathic', 'public-neutral', 'private-empathic', 'private-neutral']
    >>> len(study.file_hash)
    64
    """
    path = resolve_study_path(path_or_name)
    name = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise StudyFileError([Problem(name, None, "(file)", "file not found; check the path")]) from None
    except OSError as error:
        raise StudyFileError([Problem(name, None, "(file)", f"cannot read the file ({error})")]) from None
    try:
        text = raw.decode("utf-8")
        data, line_of = load_yaml_with_lines(name, text=text)
    except UnicodeDecodeError:
        raise StudyFileError([Problem(name, None, "(file)", "not UTF-8 text; save the file as UTF-8")]) from None
    except YamlSourceError as error:
        raise StudyFileError([Problem(name, error.line, "(yaml)", error.message)]) from None
    if not isinstance(data, dict):
        raise StudyFileError([Problem(name, 1, "(top level)",
                                      "expected a mapping of study fields (id, title, factors, ...)")])
    try:
        study = Study.model_validate(data)
    except pydantic.ValidationError as error:
        raise StudyFileError(_schema_problems(error, data, name, line_of)) from None
    study._path = path.resolve()  # before the cross-checks: module files are relative to it
    problems = [
        Problem(name, line_of(loc), field_path(loc), message)
        for loc, message in cross_check(study)
    ]
    if problems:
        raise StudyFileError(problems)
    study._file_hash = hashlib.sha256(raw).hexdigest()
    return study


def _schema_problems(error: pydantic.ValidationError, data, name: str, line_of) -> list[Problem]:
    problems: list[Problem] = []
    for detail in error.errors(include_url=False):
        loc = _data_loc(detail["loc"], data)
        message = detail["msg"].removeprefix("Value error, ")
        if detail["type"] == "extra_forbidden":
            message = "unknown field; remove it or check its spelling"
        elif detail["type"] == "missing":
            message = "required field is missing"
        problem = Problem(name, line_of(loc), field_path(loc), message)
        if problem not in problems:  # unions report one error per member
            problems.append(problem)
    return problems


def _data_loc(loc: tuple, data) -> tuple:
    """Keep the parts of a pydantic location that exist in the file.

    Pydantic adds parts that are not in the data: union members (``str``,
    ``list[str]``), discriminator tags (``anova``), ``[key]`` for a bad mapping
    key. A key missing from the file is kept only as the last part (a missing field).
    """
    kept: list = []
    current = data
    for index, part in enumerate(loc):
        last = index == len(loc) - 1
        if isinstance(current, dict) and part in current:
            kept.append(part)
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            kept.append(part)
            current = current[part]
        elif isinstance(current, dict) and last and part != "[key]":
            kept.append(part)
        # anything else is pydantic's own bookkeeping: leave it out
    return tuple(kept)

