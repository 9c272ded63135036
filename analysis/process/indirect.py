"""Tables of the bootstrapped effects: indirect, conditional indirect and the index of moderated mediation.

Each row is a function of the equations' coefficients (``analysis.process.effects``),
evaluated once on the sample's coefficients (the estimate) and once on all
resamples' coefficients at once (the draws); intervals and SEs come from the draws.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis._bootstrap_intervals import bootstrap_interval
from analysis.process.effects import (
    chain_effect,
    chain_label,
    chain_moderators,
    chains,
    has_index,
    index_of_moderated_mediation,
)
from analysis.process.probing import moderator_grid

BOOT_COLUMNS = ["effect", "boot_se", "ci_low", "ci_high"]
_BOOT_INDEX, _INDEX_COLUMNS = pd.Index(BOOT_COLUMNS), pd.Index(["index", "boot_se", "ci_low", "ci_high"])


def _interval_tables(pieces: dict, level: float, method: str) -> dict:
    """``{name: (table (rows, 4), draws (n_boot, rows))}`` for ``{name: (estimates, draws)}``, in one pass.

    One call of the interval function serves all rows of all tables.
    """
    names = [name for name, (estimates, _) in pieces.items() if estimates]
    if not names:
        return {}
    estimates = np.array([value for name in names for value in pieces[name][0]], dtype=np.float64)
    draws = np.column_stack([sample for name in names for sample in pieces[name][1]])
    low, high = bootstrap_interval(draws, estimates, level, method)
    boot_se = (np.nanstd if np.isnan(draws).any() else np.std)(draws, axis=0, ddof=1)
    table = np.column_stack([estimates, boot_se, low, high])
    out, start = {}, 0
    for name in names:
        stop = start + len(pieces[name][0])
        out[name] = (table[start:stop], draws[:, start:stop])
        start = stop
    return out


def bootstrap_tables(
    equations, point: dict, boot: dict, *, x: str, x_terms: list[str], categorical: bool, y: str,
    roles: dict[str, str], values: dict[str, np.ndarray], level: float, method: str, contrasts: bool,
) -> tuple[pd.DataFrame | None, pd.DataFrame | None, pd.DataFrame | None, dict]:
    """``(indirect, conditional_indirect, index, draws)`` of a mediation model.

    ``point`` and ``boot`` map each outcome to its coefficients (p,) and
    (n_boot, p); ``roles`` maps moderator column names to ``"w"``/``"z"``;
    ``values`` maps them to their probed values.
    """
    by_outcome = {equation.outcome: equation for equation in equations}
    found = chains(equations, x_terms, y)
    unconditional, conditional, indexes = [], [], []
    for chain in found:
        depends = set().union(*chain_moderators(by_outcome, chain, roles))
        if not depends:
            unconditional.append(chain)
        else:
            conditional.append((chain, [name for name in roles if name in depends]))
        for moderator in roles:
            if moderator in depends and has_index(by_outcome, chain, moderator, roles):
                indexes.append((chain, moderator))

    pieces = {"indirect": ([], []), "conditional_indirect": ([], []), "index": ([], [])}
    indirect_labels, condition_keys, index_labels = [], [], []
    if unconditional:
        labels, (estimates, samples) = indirect_labels, pieces["indirect"]
        for x_term in x_terms:
            mine = [chain for chain in unconditional if chain[0] == x_term]
            effects = [(chain_effect(point, by_outcome, chain, {}), chain_effect(boot, by_outcome, chain, {})) for chain in mine]
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
            for point_values in moderator_grid(names, values):
                estimates.append(chain_effect(point, by_outcome, chain, point_values))
                samples.append(chain_effect(boot, by_outcome, chain, point_values))
                row = {"m": " -> ".join(chain[1:-1])}
                row.update({roles[name]: value for name, value in point_values.items()})
                if categorical:
                    row["contrast"] = chain[0]
                keys.append(row)

    for chain, moderator in indexes:
        mediator = " -> ".join(chain[1:-1])
        index_labels.append((mediator, chain[0]) if categorical else mediator)
        pieces["index"][0].append(index_of_moderated_mediation(point, by_outcome, chain, moderator))
        pieces["index"][1].append(index_of_moderated_mediation(boot, by_outcome, chain, moderator))

    tables = _interval_tables(pieces, level, method)
    draws = {name: sample for name, (_, sample) in tables.items()}
    indirect = conditional_table = index_table = None
    if "indirect" in tables:
        labels = indirect_labels
        index = pd.MultiIndex.from_tuples(labels, names=["path", "contrast"]) if categorical else pd.Index(labels, name="path")
        indirect = pd.DataFrame(tables["indirect"][0], index=index, columns=_BOOT_INDEX)
    if "conditional_indirect" in tables:
        key_columns = ["m", *used_roles, *(["contrast"] if categorical else [])]
        columns = {column: [key.get(column, np.nan) for key in condition_keys] for column in key_columns}
        columns.update(zip(BOOT_COLUMNS, tables["conditional_indirect"][0].T))
        conditional_table = pd.DataFrame(columns)
    if "index" in tables:
        labels = index_labels
        index = pd.MultiIndex.from_tuples(labels, names=["m", "contrast"]) if categorical else pd.Index(labels, name="m")
        index_table = pd.DataFrame(tables["index"][0], index=index, columns=_INDEX_COLUMNS)
    return indirect, conditional_table, index_table, draws
