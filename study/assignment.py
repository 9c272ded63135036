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

from collections.abc import Mapping, Sequence

from study.assignment_counts import COUNTED_STATUSES, active_counts
from study.assignment_schemes import (
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
