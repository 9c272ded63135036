"""Ids from foreign column names and values; short messages about long lists.

>>> column_id("Q5_1"), column_id("FAS[SQ001]"), column_id("Duration (in seconds)"), column_id("3rd")
('q5_1', 'fas_sq001', 'duration_in_seconds', 'q_3rd')
>>> elide(["a", "b", "c", "d"], limit=2)
"'a', 'b' and 2 more"
"""

from __future__ import annotations

import re

__all__ = ["column_id", "unique_ids", "elide", "level_id"]


def column_id(name: object, *, prefix: str = "q") -> str:
    """A canonical id (``[a-z][a-z0-9_]*``) for a foreign column name or value."""
    text = re.sub(r"[^0-9a-z]+", "_", str(name).strip().lower()).strip("_")
    text = re.sub(r"_+", "_", text)
    if not text:
        return prefix
    return text if text[0].isalpha() else f"{prefix}_{text}"


def level_id(value: object) -> str:
    """A level id for a condition value: its text as an id, ``level_2`` for a number.

    >>> level_id("group_A"), level_id(2), level_id("2.0"), level_id("DemFavorable")
    ('group_a', 'level_2', 'level_2', 'dem_favorable')
    """
    text = re.sub(r"(?<=[a-z])(?=[A-Z])", "_", str(value).strip())
    if re.fullmatch(r"-?\d+(\.0+)?", text):
        return f"level_{int(float(text))}".replace("-", "minus_")
    return column_id(text, prefix="level")


def unique_ids(names: list[str], taken: set[str] | None = None) -> list[str]:
    """``column_id`` of each name, made unique with ``_2``, ``_3`` ... in order.

    >>> unique_ids(["Q1", "q1", "Q 1"])
    ['q1', 'q1_2', 'q_1']
    """
    seen = set(taken or ())
    result = []
    for name in names:
        base = column_id(name)
        candidate, n = base, 2
        while candidate in seen:
            candidate, n = f"{base}_{n}", n + 1
        seen.add(candidate)
        result.append(candidate)
    return result


def elide(values, *, limit: int = 6) -> str:
    """``'a', 'b' and 3 more``: a list short enough for a one-line message."""
    values = [repr(str(v)) for v in values]
    if len(values) <= limit:
        return ", ".join(values)
    return f"{', '.join(values[:limit])} and {len(values) - limit} more"
