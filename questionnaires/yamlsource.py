"""Load YAML and remember where every key and list entry sits in the file.

Schema errors are only useful when they point at the line to fix. This module
loads a YAML document into plain Python objects (dicts, lists, scalars) and, next
to it, a function ``line_of(loc)`` that turns a location inside the data -- a
tuple of keys and list indices, as found in a pydantic error's ``loc`` -- into a
1-based line number of the file. Any loader of a YAML file validated by pydantic
can reuse it (``questionnaires.loader`` for questionnaires, ``study.design.loader`` for
study files)::

    data, line_of = load_yaml_with_lines(path)
    try:
        model = MyModel.model_validate(data)
    except pydantic.ValidationError as error:
        raise MyFileError("\\n".join(describe_validation_error(error, path, line_of)))
    problems = my_cross_checks(model)   # [(loc, message), ...]
    if problems:
        raise MyFileError("\\n".join(describe_problem(path, line_of, loc, msg) for loc, msg in problems))

Errors in the YAML itself (bad indentation, an unclosed quote, a key given twice
in one mapping) raise :class:`YamlSourceError`, whose text is
``file:line: message``.

Examples
--------
>>> text = "title: Demo\\nitems:\\n  - id: q1\\n    points: 7\\n  - id: q2\\n"
>>> data, line_of = load_yaml_with_lines("demo.yaml", text=text)
>>> data["items"][1]
{'id': 'q2'}
>>> line_of(("items", 0, "points")), line_of(("items", 1)), line_of(("nowhere",))
(4, 5, None)
>>> field_path(("items", 2, "text", "nl"))
'items[2].text.nl'
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "YamlSourceError",
    "load_yaml_with_lines",
    "field_path",
    "describe_validation_error",
    "describe_problem",
]

LineOf = Callable[[Sequence[Any]], "int | None"]


class YamlSourceError(ValueError):
    """A YAML file that cannot be read: bad syntax, a repeated key, an unreadable file.

    ``str(error)`` is ``file:line: message`` (``file: message`` when no line is
    known). The parts are kept as attributes ``path``, ``line`` and ``message``
    so that callers can re-raise them as their own error class.
    """

    def __init__(self, path: str, line: int | None, message: str):
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


def load_yaml_with_lines(path: str | Path, text: str | None = None) -> tuple[Any, LineOf]:
    """Load one YAML document and a function giving the line of any key or entry.

    Parameters
    ----------
    path : str or Path
        The file to read. When ``text`` is given, ``path`` is only used as the
        name in messages (e.g. ``"<string>"`` or the file the text came from).
    text : str, optional
        The YAML text, if already in memory.

    Returns
    -------
    data : object
        The document as plain dicts, lists and scalars (``yaml.safe_load``
        semantics; an empty document gives ``None``).
    line_of : callable
        ``line_of(loc)`` takes a tuple of mapping keys and list indices and
        returns the 1-based line of the deepest part of ``loc`` present in the
        file: the key's line for a mapping key, the entry's first line for a
        list index. Parts it cannot follow (a key that is absent, a pydantic
        tag such as ``"function-after[...]"``) stop the walk, so a missing
        field is reported at the line of its parent. ``None`` when not even
        the first part is in the file.

    Raises
    ------
    YamlSourceError
        The file cannot be read, the YAML is malformed, or a mapping repeats
        a key (plain PyYAML would silently keep the last one).

    Examples
    --------
    >>> data, line_of = load_yaml_with_lines("x.yaml", text="a:\\n  b: [1, 2]\\n")
    >>> data
    {'a': {'b': [1, 2]}}
    >>> line_of(("a", "b", 1)), line_of(("a", "missing"))
    (2, 1)
    """
    name = str(path)
    if text is None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise YamlSourceError(name, None, "file not found; check the path") from None
        except (OSError, UnicodeDecodeError) as error:
            raise YamlSourceError(name, None, f"cannot read the file ({error})") from None
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
        lines: dict[tuple, int] = {}
        if node is not None:
            _record_lines(loader, node, (), lines, name)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        context = error.context
        if context and error.context_mark is not None and error.context_mark is not mark:
            context += f" (from line {error.context_mark.line + 1})"
        parts = [p for p in (context, error.problem) if p]
        raise YamlSourceError(name, line, f"invalid YAML: {'; '.join(parts)}") from None
    except yaml.YAMLError as error:
        raise YamlSourceError(name, None, f"invalid YAML: {error}") from None
    finally:
        loader.dispose()

    def line_of(loc: Sequence[Any]) -> int | None:
        found = None
        for depth in range(1, len(loc) + 1):
            line = lines.get(_hashable(tuple(loc[:depth])))
            if line is None:
                break
            found = line
        return found

    return data, line_of


# libyaml's parser is about ten times faster and keeps the same marks; PyYAML's is the fallback.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _hashable(loc: tuple) -> tuple:
    return tuple(part if isinstance(part, Hashable) else repr(part) for part in loc)


def _record_lines(loader, node: yaml.Node, loc: tuple, lines: dict, name: str):
    """Walk the node tree beside the constructed data, noting key and entry lines."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # `<<: *anchor` merges; its keys stay at the anchor's lines
            key = loader.construct_object(key_node, deep=True)
            key = _hashable((key,))[0]
            line = key_node.start_mark.line + 1
            if key in seen:
                raise YamlSourceError(
                    name,
                    line,
                    f"key {key!r} appears twice in the same mapping (first on line "
                    f"{seen[key]}); keep one",
                )
            seen[key] = line
            lines[loc + (key,)] = line
            _record_lines(loader, value_node, loc + (key,), lines, name)
    elif isinstance(node, yaml.SequenceNode):
        for index, item_node in enumerate(node.value):
            lines[loc + (index,)] = item_node.start_mark.line + 1
            _record_lines(loader, item_node, loc + (index,), lines, name)


def field_path(loc: Sequence[Any]) -> str:
    """Write a location tuple as a dotted field path with list indices in brackets.

    Examples
    --------
    >>> field_path(("items", 0, "anchors", "en", 1))
    'items[0].anchors.en[1]'
    >>> field_path(())
    '(top level)'
    """
    text = ""
    for part in loc:
        if isinstance(part, int) and not isinstance(part, bool):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(top level)"


def describe_validation_error(error, path: str | Path, line_of: LineOf) -> list[str]:
    """One ``file:line: field: message`` text per problem in a pydantic ValidationError.

    Parameters
    ----------
    error : pydantic.ValidationError
        The error raised by ``Model.model_validate(data)``.
    path : str or Path
        The file name to show.
    line_of : callable
        The second value returned by :func:`load_yaml_with_lines`.

    Returns
    -------
    list of str
        In pydantic's order. Pydantic's internal location parts (validator
        tags such as ``function-after[...]``) are dropped from the field path.

    Examples
    --------
    >>> import pydantic
    >>> class Point(pydantic.BaseModel):
    ...     x: int
    >>> class Shape(pydantic.BaseModel):
    ...     points: list[Point]
    >>> data, line_of = load_yaml_with_lines("s.yaml", text="points:\\n  - x: 1\\n  - x: one\\n")
    >>> try:
    ...     Shape.model_validate(data)
    ... except pydantic.ValidationError as error:
    ...     print(describe_validation_error(error, "s.yaml", line_of)[0])
    s.yaml:3: points[1].x: Input should be a valid integer, unable to parse string as an integer
    """
    texts = []
    for problem in error.errors(include_url=False):
        loc = tuple(part for part in problem["loc"] if not _is_pydantic_tag(part))
        message = problem["msg"]
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        texts.append(describe_problem(path, line_of, loc, message))
    return texts


def describe_problem(path: str | Path, line_of: LineOf, loc: Sequence[Any], message: str) -> str:
    """``file:line: field: message`` for a problem found by your own cross-checks.

    Use it for rules pydantic cannot see field by field (ids that must exist
    elsewhere in the file, translations against a declared language list, ...),
    so that they read exactly like schema errors.

    Examples
    --------
    >>> data, line_of = load_yaml_with_lines("s.yaml", text="scales:\\n  - items: [a, zz]\\n")
    >>> describe_problem("s.yaml", line_of, ("scales", 0, "items", 1), "unknown item 'zz'")
    "s.yaml:2: scales[0].items[1]: unknown item 'zz'"
    """
    line = line_of(tuple(loc))
    where = f"{path}:{line}" if line is not None else str(path)
    return f"{where}: {field_path(loc)}: {message}"


def _is_pydantic_tag(part: Any) -> bool:
    return isinstance(part, str) and ("[" in part and part.endswith("]") and "-" in part)
