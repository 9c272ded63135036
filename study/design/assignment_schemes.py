"""The three assignment schemes as pure, seeded functions, and their input checks.

:func:`study.design.assignment.assign_condition` chooses among them by the study's
``scheme``; the module docstring of :mod:`study.design.assignment` describes each.

>>> sorted(permuted_block(["public", "private"], block_index=3, seed=7))
['private', 'private', 'public', 'public']
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

SCHEMES = ("balanced_completes", "permuted_blocks", "complete")
"""The assignment schemes a study file may name."""


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
