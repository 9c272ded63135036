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

Randomness for participant number ``n_assigned`` comes from
``numpy.random.default_rng([seed, n_assigned])``; a permuted block uses the
index of its first participant, so all members of a block see the same
permutation.

>>> assign_condition("permuted_blocks", ["public", "private"],
...                  counts=None, n_assigned=0, seed=1) in ("public", "private")
True
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta, timezone

import numpy as np

SCHEMES = ("balanced_completes", "permuted_blocks", "complete")
"""The assignment schemes a study file may name."""

COUNTED_STATUSES = ("complete", "in_progress")
"""Statuses that fill a condition (in-progress only until it times out)."""


# --- validation -------------------------------------------------------------

def _check_int(name: str, value, *, minimum: int) -> int:
    try:
        number = operator.index(value)
    except TypeError:
        raise ValueError(
            f"{name} must be an integer >= {minimum}, got {value!r} "
            f"({type(value).__name__})"
        ) from None
    if isinstance(value, bool) or number < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return number


def _check_conditions(conditions) -> list[str]:
    if isinstance(conditions, str) or not isinstance(conditions, Iterable):
        raise ValueError(
            f"conditions must be a list of condition names, got {conditions!r}"
        )
    names = list(conditions)
    if not names:
        raise ValueError("conditions is empty: give at least one condition name")
    for name in names:
        if not isinstance(name, str) or not name:
            raise ValueError(
                f"conditions must hold non-empty strings, got {name!r} in {names!r}"
            )
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"conditions has duplicates {duplicates}: list each once")
    return names


def _check_counts(counts, conditions: Sequence[str]) -> dict[str, int]:
    if not isinstance(counts, Mapping):
        raise ValueError(
            "counts must map condition -> completes plus active in-progress "
            f"participants, got {counts!r}"
        )
    unknown = sorted(set(counts) - set(conditions))
    if unknown:
        raise ValueError(
            f"counts has unknown conditions {unknown}; valid conditions: {list(conditions)}"
        )
    return {
        name: _check_int(f"counts[{name!r}]", counts.get(name, 0), minimum=0)
        for name in conditions
    }


def _check_block_size(block_size, n_conditions: int) -> int:
    if block_size is None:
        return 2 * n_conditions
    size = _check_int("block_size", block_size, minimum=1)
    if size % n_conditions:
        raise ValueError(
            f"block_size must be a multiple of the number of conditions "
            f"({n_conditions}), got {block_size!r}"
        )
    return size


def _rng(seed: int, index: int) -> np.random.Generator:
    return np.random.default_rng([seed, index])


# --- the schemes ------------------------------------------------------------

def complete_randomisation(conditions: Sequence[str], *, n_assigned: int, seed: int) -> str:
    """Draw a condition uniformly at random (complete randomisation).

    Parameters
    ----------
    conditions : sequence of str
        The condition names.
    n_assigned : int
        Number of participants assigned before this one.
    seed : int
        The study's assignment seed (non-negative).

    Returns
    -------
    str
        The condition for participant ``n_assigned``.

    Examples
    --------
    >>> a = complete_randomisation(["public", "private"], n_assigned=7, seed=3)
    >>> a == complete_randomisation(["public", "private"], n_assigned=7, seed=3)
    True
    """
    names = _check_conditions(conditions)
    n_assigned = _check_int("n_assigned", n_assigned, minimum=0)
    seed = _check_int("seed", seed, minimum=0)
    return names[int(_rng(seed, n_assigned).integers(len(names)))]


def permuted_block(
    conditions: Sequence[str], *, block_index: int, seed: int, block_size: int | None = None
) -> list[str]:
    """The whole permuted block number ``block_index`` (0-based).

    The block is the conditions repeated ``block_size / len(conditions)``
    times, shuffled by ``default_rng([seed, block_index * block_size])``
    (the index of the block's first participant).

    Parameters
    ----------
    conditions : sequence of str
        The condition names.
    block_index : int
        Which block (participant ``i`` falls in block ``i // block_size``).
    seed : int
        The study's assignment seed (non-negative).
    block_size : int, optional
        A multiple of the number of conditions; default twice that number.

    Returns
    -------
    list of str
        ``block_size`` condition names, each condition equally often.

    Examples
    --------
    >>> block = permuted_block(["a", "b", "c"], block_index=0, seed=42, block_size=6)
    >>> sorted(block)
    ['a', 'a', 'b', 'b', 'c', 'c']
    """
    names = _check_conditions(conditions)
    size = _check_block_size(block_size, len(names))
    block_index = _check_int("block_index", block_index, minimum=0)
    seed = _check_int("seed", seed, minimum=0)
    block = np.repeat(np.arange(len(names)), size // len(names))
    order = _rng(seed, block_index * size).permutation(block)
    return [names[int(i)] for i in order]


def permuted_blocks(
    conditions: Sequence[str], *, n_assigned: int, seed: int, block_size: int | None = None
) -> str:
    """The condition of participant ``n_assigned`` under permuted blocks.

    Parameters
    ----------
    conditions : sequence of str
        The condition names.
    n_assigned : int
        Number of participants assigned before this one.
    seed : int
        The study's assignment seed (non-negative).
    block_size : int, optional
        A multiple of the number of conditions; default twice that number.

    Returns
    -------
    str
        Position ``n_assigned % block_size`` of block ``n_assigned // block_size``.

    Examples
    --------
    >>> first_block = [permuted_blocks(["a", "b"], n_assigned=i, seed=5) for i in range(4)]
    >>> sorted(first_block)
    ['a', 'a', 'b', 'b']
    """
    names = _check_conditions(conditions)
    size = _check_block_size(block_size, len(names))
    n_assigned = _check_int("n_assigned", n_assigned, minimum=0)
    block = permuted_block(names, block_index=n_assigned // size, seed=seed, block_size=size)
    return block[n_assigned % size]


def balanced_completes(
    conditions: Sequence[str], *, counts: Mapping[str, int], n_assigned: int, seed: int
) -> str:
    """The least-filled condition; ties broken by a seeded draw.

    Parameters
    ----------
    conditions : sequence of str
        The condition names.
    counts : mapping of str to int
        Condition -> completes plus in-progress participants not timed out.
        Conditions left out count as 0.
    n_assigned : int
        Number of participants assigned before this one (seeds the tie-break).
    seed : int
        The study's assignment seed (non-negative).

    Returns
    -------
    str
        One of the conditions with the smallest count.

    Examples
    --------
    >>> balanced_completes(["public", "private"], counts={"public": 3, "private": 2},
    ...                    n_assigned=5, seed=0)
    'private'
    """
    names = _check_conditions(conditions)
    filled = _check_counts(counts, names)
    n_assigned = _check_int("n_assigned", n_assigned, minimum=0)
    seed = _check_int("seed", seed, minimum=0)
    fewest = min(filled.values())
    tied = [name for name in names if filled[name] == fewest]
    if len(tied) == 1:
        return tied[0]
    return tied[int(_rng(seed, n_assigned).integers(len(tied)))]


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


# --- helpers for the server and the simulator --------------------------------

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
