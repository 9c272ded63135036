"""Tables of the bootstrapped effects: indirect, conditional indirect and the index of moderated mediation.

Each row is a function of the equations' coefficients (``analysis.process.effects``),
evaluated once on the sample's coefficients (the estimate) and once on all
resamples' coefficients at once (the draws); intervals and SEs come from the draws.
"""

from __future__ import annotations

import functools
import itertools
import math

import numpy as np
import pandas as pd

from analysis._bootstrap_intervals import bootstrap_interval
from analysis.process.effects import (
    _moderated_terms,
    chain_label,
    chain_moderators,
    chains,
    has_index,
)
from analysis.process.probing import moderator_grid

BOOT_COLUMNS = ["effect", "boot_se", "ci_low", "ci_high"]
_BOOT_INDEX, _INDEX_COLUMNS = pd.Index(BOOT_COLUMNS), pd.Index(["index", "boot_se", "ci_low", "ci_high"])


@functools.lru_cache(maxsize=256)
def _row_index(labels: tuple, names: tuple[str, ...]) -> pd.Index:
    """The row labels of a table, built once per model (a MultiIndex costs more than the table); use a view of it."""
    if len(names) > 1:
        return pd.MultiIndex.from_tuples(list(labels), names=list(names))
    return pd.Index(list(labels), name=names[0])


@functools.lru_cache(maxsize=256)
def _plan(equations: tuple, x_terms: tuple[str, ...], y: str, roles: tuple[tuple[str, str], ...]):
    """Which chains are unconditional, conditional (on which moderators) or have an index; each chain's links.

    A link is ``(outcome, ((position, moderator names), ...))``: the terms of
    the outcome's equation whose coefficients make up the effect of the
    chain's previous variable (``analysis.process.effects.path_effect``).
    Depends only on the model's structure, so it is worked out once per model.
    """
    roles = dict(roles)
    by_outcome = {equation.outcome: equation for equation in equations}
    found = chains(list(equations), list(x_terms), y)
    unconditional, conditional, indexes = [], [], []
    for chain in found:
        depends = set().union(*chain_moderators(by_outcome, chain, roles))
        if not depends:
            unconditional.append(chain)
        else:
            conditional.append((chain, tuple(name for name in roles if name in depends)))
        for moderator in roles:
            if moderator in depends and has_index(by_outcome, chain, moderator, roles):
                indexes.append((chain, moderator))
    links = {
        chain: tuple((outcome, tuple(_moderated_terms(by_outcome[outcome], source, roles))) for source, outcome in itertools.pairwise(chain))
        for chain in found
    }
    return tuple(unconditional), tuple(conditional), tuple(indexes), links


def _chain_effect(coefs: dict, links, values: dict[str, float]):
    """:func:`analysis.process.effects.chain_effect` on a chain's precomputed links (same operations, same order)."""
    effect = 1.0
    for outcome, terms in links:
        coef, total = coefs[outcome], 0.0
        for position, rest in terms:
            total = total + coef[..., position] * math.prod([values[name] for name in rest])
        effect = effect * total
    return effect


def _interval_tables(pieces: dict, n_boot: int, level: float, method: str) -> dict:
    """``{name: (table (rows, 4), draws (n_boot, rows))}`` for ``{name: (estimates, draws)}``, in one pass.

    One call of the interval function serves all rows of all tables; the draws
    are stored column by column (each row's draws contiguous).
    """
    names = [name for name, (estimates, _) in pieces.items() if estimates]
    if not names:
        return {}
    estimates = np.array([value for name in names for value in pieces[name][0]], dtype=np.float64)
    draws = np.empty((n_boot, estimates.size), order="F")
    for j, sample in enumerate(sample for name in names for sample in pieces[name][1]):
        draws[:, j] = sample
    missing = bool(np.isnan(draws).any())
    if method == "percentile" and not missing:
        low, high = _percentile_bounds(draws, level)
    else:
        low, high = bootstrap_interval(draws, estimates, level, method)
    boot_se = (np.nanstd if missing else np.std)(draws, axis=0, ddof=1)
    table = np.column_stack([estimates, boot_se, low, high])
    out, start = {}, 0
    for name in names:
        stop = start + len(pieces[name][0])
        out[name] = (table[start:stop], draws[:, start:stop])
        start = stop
    return out


def _percentile_bounds(draws: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """``analysis._bootstrap_intervals.percentile_interval`` for draws without NaN, column by column, to the bit.

    numpy's default quantile (its ``linear`` method, the same virtual index,
    neighbours and interpolation), with only the four order statistics it
    uses put in place in each contiguous column.
    """
    count = draws.shape[0]
    tail = (1 - level) / 2
    quantiles = np.array([tail, 1 - tail])
    virtual = (count - 1) * quantiles  # numpy's virtual index for its linear method
    previous = np.floor(virtual)
    gamma = virtual - previous
    previous = np.clip(previous, 0, count - 1).astype(np.intp)
    following = np.where(virtual >= count - 1, count - 1, np.minimum(previous + 1, count - 1))
    previous = np.where(virtual >= count - 1, count - 1, previous)
    ordered = np.partition(draws.T, np.unique(np.concatenate([previous, following])), axis=1)
    low_values, high_values = ordered[:, previous], ordered[:, following]
    difference = high_values - low_values
    bounds = low_values + difference * gamma
    upper = gamma >= 0.5
    bounds[:, upper] = (high_values - difference * (1 - gamma))[:, upper]
    return bounds[:, 0], bounds[:, 1]


def bootstrap_tables(
    equations, point: dict, boot: dict, *, x: str, x_terms: list[str], categorical: bool, y: str,
    roles: dict[str, str], values: dict[str, np.ndarray], level: float, method: str, contrasts: bool,
) -> tuple[pd.DataFrame | None, pd.DataFrame | None, pd.DataFrame | None, dict]:
    """``(indirect, conditional_indirect, index, draws)`` of a mediation model.

    ``point`` and ``boot`` map each outcome to its coefficients (p,) and
    (n_boot, p); ``roles`` maps moderator column names to ``"w"``/``"z"``;
    ``values`` maps them to their probed values.
    """
    unconditional, conditional, indexes, links = _plan(tuple(equations), tuple(x_terms), y, tuple(roles.items()))
    n_boot = next(iter(boot.values())).shape[0]

    pieces = {"indirect": ([], []), "conditional_indirect": ([], []), "index": ([], [])}
    indirect_labels, condition_keys, index_labels = [], [], []
    if unconditional:
        labels, (estimates, samples) = indirect_labels, pieces["indirect"]
        for x_term in x_terms:
            mine = [chain for chain in unconditional if chain[0] == x_term]
            effects = [(_chain_effect(point, links[chain], {}), _chain_effect(boot, links[chain], {})) for chain in mine]
            rows = [(chain_label(chain, x), *effect) for chain, effect in zip(mine, effects)]
            if len(mine) > 1:
                rows.append(("total", sum(e for e, _ in effects), sum(s for _, s in effects)))
            if contrasts and len(mine) > 1:
                number = 1
                for i in range(len(mine)):
                    for j in range(i + 1, len(mine)):
                        rows.append((f"C{number}", effects[i][0] - effects[j][0], effects[i][1] - effects[j][1]))
                        number += 1
            for label, estimate, sample in rows:
                labels.append((label, x_term) if categorical else label)
                estimates.append(estimate)
                samples.append(sample)

    used_roles = []
    if conditional:
        keys, (estimates, samples) = condition_keys, pieces["conditional_indirect"]
        used_roles = [role for name, role in roles.items() if any(name in names for _, names in conditional)]
        for chain, names in conditional:
            for point_values in moderator_grid(list(names), values):
                estimates.append(_chain_effect(point, links[chain], point_values))
                samples.append(_chain_effect(boot, links[chain], point_values))
                row = {"m": " -> ".join(chain[1:-1])}
                row.update({roles[name]: value for name, value in point_values.items()})
                if categorical:
                    row["contrast"] = chain[0]
                keys.append(row)

    for chain, moderator in indexes:
        mediator = " -> ".join(chain[1:-1])
        index_labels.append((mediator, chain[0]) if categorical else mediator)
        for coefs, target in ((point, pieces["index"][0]), (boot, pieces["index"][1])):
            # the slope in the moderator (Hayes 2015), as analysis.process.effects.index_of_moderated_mediation
            target.append(_chain_effect(coefs, links[chain], {moderator: 1.0}) - _chain_effect(coefs, links[chain], {moderator: 0.0}))

    tables = _interval_tables(pieces, n_boot, level, method)
    draws = {name: sample for name, (_, sample) in tables.items()}
    indirect = conditional_table = index_table = None
    if "indirect" in tables:
        index = _row_index(tuple(indirect_labels), ("path", "contrast") if categorical else ("path",))
        indirect = pd.DataFrame(tables["indirect"][0], index=index.view(), columns=_BOOT_INDEX.view())
    if "conditional_indirect" in tables:
        key_columns = ["m", *used_roles, *(["contrast"] if categorical else [])]
        columns = {column: [key.get(column, np.nan) for key in condition_keys] for column in key_columns}
        columns.update(zip(BOOT_COLUMNS, tables["conditional_indirect"][0].T))
        conditional_table = pd.DataFrame(columns)
    if "index" in tables:
        index = _row_index(tuple(index_labels), ("m", "contrast") if categorical else ("m",))
        index_table = pd.DataFrame(tables["index"][0], index=index.view(), columns=_INDEX_COLUMNS.view())
    return indirect, conditional_table, index_table, draws
