"""Who fills a condition: completes plus in-progress participants not timed out.

The counts :func:`active_counts` returns are the ``counts`` that
:func:`study.assignment.assign_condition` needs for ``balanced_completes``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, timezone

from study.assignment_schemes import _check_conditions

COUNTED_STATUSES = ("complete", "in_progress")
"""Statuses that fill a condition (in-progress only until it times out)."""


def _as_utc(moment, what: str) -> datetime:
    if isinstance(moment, str):
        try:
            moment = datetime.fromisoformat(moment)
        except ValueError:
            raise ValueError(
                f"{what} is not an ISO 8601 time: {moment!r} (e.g. '2026-01-31T14:05:00+00:00')"
            ) from None
    if not isinstance(moment, datetime):
        raise ValueError(f"{what} must be a datetime or ISO 8601 string, got {moment!r}")
    if moment.tzinfo is None:  # databases such as SQLite drop the zone; times are stored in UTC
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def active_counts(
    participants: Iterable[tuple[str, str, datetime | str | None]],
    conditions: Sequence[str],
    *,
    now: datetime | str,
    timeout_minutes: float = 30,
) -> dict[str, int]:
    """Count completes plus in-progress participants not yet timed out.

    The input to ``balanced_completes``. A participant counts when the status
    is ``complete``, or ``in_progress`` and started less than
    ``timeout_minutes`` before ``now``. Other statuses (``timed_out``,
    ``declined``, ``excluded``) do not fill a condition. Times without a zone
    are taken as UTC.

    Parameters
    ----------
    participants : iterable of (condition, status, started_at)
        One tuple per participant; ``started_at`` a datetime or ISO 8601
        string (may be ``None`` unless the status is ``in_progress``).
    conditions : sequence of str
        The study's condition names; every condition appears in the result.
    now : datetime or str
        The current time.
    timeout_minutes : float, default 30
        How long an unfinished participant keeps a place.

    Returns
    -------
    dict of str to int
        Condition -> count, in the order of ``conditions``.

    Examples
    --------
    >>> rows = [("public", "complete", "2026-01-01T10:00:00"),
    ...         ("private", "in_progress", "2026-01-01T11:50:00"),
    ...         ("private", "in_progress", "2026-01-01T10:00:00")]  # timed out by noon
    >>> active_counts(rows, ["public", "private"], now="2026-01-01T12:00:00")
    {'public': 1, 'private': 1}
    """
    names = _check_conditions(conditions)
    if isinstance(timeout_minutes, bool) or not isinstance(timeout_minutes, (int, float)) \
            or not timeout_minutes > 0:
        raise ValueError(f"timeout_minutes must be a positive number, got {timeout_minutes!r}")
    now_utc = _as_utc(now, "now")
    cutoff = now_utc - timedelta(minutes=timeout_minutes)
    counts = dict.fromkeys(names, 0)
    for position, row in enumerate(participants):
        try:
            condition, status, started_at = row
        except (TypeError, ValueError):
            raise ValueError(
                f"participants[{position}] must be (condition, status, started_at), got {row!r}"
            ) from None
        if condition not in counts:
            raise ValueError(
                f"participants[{position}] has unknown condition {condition!r}; "
                f"valid conditions: {names}"
            )
        if status == "complete":
            counts[condition] += 1
        elif status == "in_progress":
            started = _as_utc(started_at, f"participants[{position}] started_at")
            if started > cutoff:
                counts[condition] += 1
    return counts
