"""Random assignment of participants to conditions.

Three schemes, all pure functions of their inputs, so the survey server can
call them under a lock and a replay of the same inputs gives the same
conditions:

``complete``
    Complete randomisation: every participant is drawn uniformly from the
    conditions, independently of everyone else.
``permuted_blocks``
    Participants are taken in blocks of ``block_size``; each block is a seeded
    random permutation of the conditions repeated ``block_size / k`` times, so
    every finished block is exactly balanced.
``balanced_completes``
    The participant goes to the least-filled condition, counting completes
    plus in-progress participants who have not timed out (see
    :func:`active_counts`); ties are broken by a seeded draw.

Who fills a condition is one rule, :func:`fills_condition`: a complete
participant, or one in progress whose last request came less than
``timeout_minutes`` ago (idle time, not time since the start: someone slowly
reading the vignette keeps their place). The survey's database applies it
under its write lock before every assignment.

Randomness for participant number ``n_assigned`` comes from
``numpy.random.default_rng([seed, n_assigned])``; a permuted block uses the
index of its first participant, so all members of a block see the same
permutation.

>>> assign_condition("permuted_blocks", ["public", "private"],
...                  counts=None, n_assigned=0, seed=1) in ("public", "private")
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone

from study.design.assignment_schemes import (
    SCHEMES,
    _check_conditions,
    _check_counts,
    _check_int,
    balanced_completes,
    complete_randomisation,
    permuted_block,
    permuted_blocks,
)

__all__ = [
    "COUNTED_STATUSES",
    "SCHEMES",
    "active_counts",
    "assign_condition",
    "assignment_sequence",
    "balanced_completes",
    "complete_randomisation",
    "current_status",
    "fills_condition",
    "permuted_block",
    "permuted_blocks",
]


def assign_condition(
    scheme: str,
    conditions: Sequence[str],
    *,
    counts: Mapping[str, int] | None,
    n_assigned: int,
    seed: int,
    block_size: int | None = None,
) -> str:
    """Assign the next participant to a condition.

    Parameters
    ----------
    scheme : {"balanced_completes", "permuted_blocks", "complete"}
        The assignment scheme (see the module docstring).
    conditions : sequence of str
        The condition names, in study order.
    counts : mapping of str to int or None
        Condition -> completes plus in-progress participants not timed out
        (see :func:`active_counts`). Required for ``balanced_completes``;
        checked but not used by the other schemes, which may pass ``None``.
    n_assigned : int
        Number of participants assigned before this one (0 for the first).
    seed : int
        The study's assignment seed (non-negative integer).
    block_size : int, optional
        Only for ``permuted_blocks``: a multiple of the number of conditions;
        default twice that number. Ignored by the other schemes.

    Returns
    -------
    str
        The condition name. The same inputs always give the same condition.

    Raises
    ------
    ValueError
        Unknown scheme, empty or duplicate conditions, counts for unknown
        conditions or negative counts, a negative ``n_assigned`` or ``seed``,
        or a block size that is not a multiple of the number of conditions.

    Examples
    --------
    >>> assign_condition("balanced_completes", ["public", "private"],
    ...                  counts={"public": 10, "private": 9}, n_assigned=19, seed=2021)
    'private'
    >>> block = [assign_condition("permuted_blocks", ["public", "private"], counts=None,
    ...                           n_assigned=i, seed=2021, block_size=4) for i in range(4)]
    >>> block.count("public"), block.count("private")
    (2, 2)
    """
    if scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {list(SCHEMES)}, got {scheme!r}")
    names = _check_conditions(conditions)
    if scheme == "balanced_completes":
        if counts is None:
            raise ValueError(
                "counts is required for scheme 'balanced_completes': map each condition "
                "to its completes plus active in-progress participants"
            )
        return balanced_completes(names, counts=counts, n_assigned=n_assigned, seed=seed)
    if counts is not None:
        _check_counts(counts, names)
    if scheme == "permuted_blocks":
        return permuted_blocks(names, n_assigned=n_assigned, seed=seed, block_size=block_size)
    return complete_randomisation(names, n_assigned=n_assigned, seed=seed)

def assignment_sequence(
    scheme: str,
    conditions: Sequence[str],
    n: int,
    *,
    seed: int,
    block_size: int | None = None,
) -> list[str]:
    """Conditions of the first ``n`` participants if everyone completes at once.

    Replays :func:`assign_condition` with the counts growing by one per
    participant: what the server does when nobody drops out. Useful for
    simulations and for checking a scheme's balance.

    Parameters
    ----------
    scheme, conditions, seed, block_size
        As in :func:`assign_condition`.
    n : int
        Number of participants.

    Returns
    -------
    list of str
        ``n`` condition names.

    Examples
    --------
    >>> seq = assignment_sequence("balanced_completes", ["a", "b", "c"], 9, seed=1)
    >>> sorted(seq.count(c) for c in "abc")
    [3, 3, 3]
    """
    names = _check_conditions(conditions)
    n = _check_int("n", n, minimum=0)
    counts = dict.fromkeys(names, 0)
    sequence = []
    for index in range(n):
        condition = assign_condition(
            scheme, names, counts=counts, n_assigned=index, seed=seed, block_size=block_size
        )
        counts[condition] += 1
        sequence.append(condition)
    return sequence


# --- who fills a condition -----------------------------------------------------

COUNTED_STATUSES = ("complete", "in_progress")
"""Statuses that can fill a condition (in progress only until it times out)."""


def _epoch_seconds(moment, what: str) -> float:
    """A time as seconds since the epoch; times without a zone are UTC (as SQLite keeps them)."""
    if isinstance(moment, (int, float)) and not isinstance(moment, bool):
        return float(moment)
    if isinstance(moment, str):
        try:
            moment = datetime.fromisoformat(moment)
        except ValueError:
            raise ValueError(
                f"{what} is not an ISO 8601 time: {moment!r} (e.g. '2026-01-31T14:05:00+00:00')"
            ) from None
    if not isinstance(moment, datetime):
        raise ValueError(
            f"{what} must be a datetime, an ISO 8601 string or seconds since the epoch, got {moment!r}"
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def _check_timeout(timeout_minutes) -> float:
    if isinstance(timeout_minutes, bool) or not isinstance(timeout_minutes, (int, float)) \
            or not timeout_minutes > 0:
        raise ValueError(f"timeout_minutes must be a positive number, got {timeout_minutes!r}")
    return float(timeout_minutes)


def fills_condition(status: str, last_seen_at, *, now, timeout_minutes: float = 30) -> bool:
    """Whether a participant takes a place in their condition: the one rule.

    A ``complete`` participant always does; an ``in_progress`` one while their
    last request is less than ``timeout_minutes`` old. Any other status
    (``timed_out``, ``declined``, ``excluded``) does not.

    Parameters
    ----------
    status : str
        The participant's status.
    last_seen_at : datetime, str, float or None
        The time of the participant's last request (a datetime, an ISO 8601
        string or seconds since the epoch; no zone means UTC). Needed only
        for ``in_progress``.
    now : datetime, str or float
        The current time, in the same forms.
    timeout_minutes : float, default 30
        How long an idle participant keeps a place.

    Examples
    --------
    >>> fills_condition("in_progress", "2026-01-01T11:45:00", now="2026-01-01T12:00:00")
    True
    >>> fills_condition("in_progress", "2026-01-01T11:00:00", now="2026-01-01T12:00:00")
    False
    """
    if status == "complete":
        return True
    if status != "in_progress":
        return False
    idle = _epoch_seconds(now, "now") - _epoch_seconds(last_seen_at, "last_seen_at")
    return idle < 60.0 * _check_timeout(timeout_minutes)


def current_status(status: str, last_seen_at, *, now, timeout_minutes: float = 30) -> str:
    """A stored status as it stands at ``now``: an in-progress participant past the idle timeout
    has timed out (the database marks it so only at the next assignment).

    >>> current_status("in_progress", 0.0, now=3600.0, timeout_minutes=30)
    'timed_out'
    >>> current_status("complete", 0.0, now=3600.0)
    'complete'
    """
    if status == "in_progress" and not fills_condition(status, last_seen_at, now=now,
                                                       timeout_minutes=timeout_minutes):
        return "timed_out"
    return status


def active_counts(
    participants: Iterable[tuple[str, str, datetime | str | float | None]],
    conditions: Sequence[str],
    *,
    now: datetime | str | float,
    timeout_minutes: float = 30,
) -> dict[str, int]:
    """Per condition, the participants who fill it (:func:`fills_condition`).

    The ``counts`` that ``balanced_completes`` assigns by; the survey's
    database calls it with its own rows before every assignment.

    Parameters
    ----------
    participants : iterable of (condition, status, last_seen_at)
        One tuple per participant; ``last_seen_at`` is the time of their last
        request (datetime, ISO 8601 string or seconds since the epoch; may be
        ``None`` unless the status is ``in_progress``).
    conditions : sequence of str
        The study's condition names; every condition appears in the result.
    now : datetime, str or float
        The current time.
    timeout_minutes : float, default 30
        How long an idle participant keeps a place.

    Returns
    -------
    dict of str to int
        Condition -> count, in the order of ``conditions``.

    Examples
    --------
    >>> rows = [("public", "complete", "2026-01-01T10:00:00"),
    ...         ("private", "in_progress", "2026-01-01T11:50:00"),
    ...         ("private", "in_progress", "2026-01-01T10:00:00")]  # idle since 10:00
    >>> active_counts(rows, ["public", "private"], now="2026-01-01T12:00:00")
    {'public': 1, 'private': 1}
    """
    names = _check_conditions(conditions)
    timeout_minutes = _check_timeout(timeout_minutes)
    now = _epoch_seconds(now, "now")
    counts = dict.fromkeys(names, 0)
    for position, row in enumerate(participants):
        try:
            condition, status, last_seen_at = row
        except (TypeError, ValueError):
            raise ValueError(
                f"participants[{position}] must be (condition, status, last_seen_at), got {row!r}"
            ) from None
        if condition not in counts:
            raise ValueError(
                f"participants[{position}] has unknown condition {condition!r}; "
                f"valid conditions: {names}"
            )
        if status == "in_progress":
            last_seen_at = _epoch_seconds(last_seen_at, f"participants[{position}] last_seen_at")
        if fills_condition(status, last_seen_at, now=now, timeout_minutes=timeout_minutes):
            counts[condition] += 1
    return counts
