"""Effects of X as functions of the coefficients: one definition for the estimate and every resample.

The coefficients of each equation are arrays whose last axis follows the
equation's terms; any leading axes (the resamples) pass through. The effect
of a variable ``source`` on an equation's outcome at moderator values is the
sum, over the terms that are ``source`` times moderators only, of coefficient
times the moderators' values (Hayes 2022, ch. 7 and 11): ``a1 + a3 w`` for
``m ~ x + w + x:w``. An indirect effect is the product of those along a chain
``x -> m1 (-> m2 ...) -> y``.

>>> from analysis.process.design import Equation, Term
>>> eq = Equation("m", (Term(()), Term(("x",)), Term(("w",)), Term(("x", "w"))))
>>> float(path_effect(np.array([0.5, 1.0, 0.2, 0.3]), eq, "x", {"w": 2.0}))
1.6
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from analysis.process.design import Equation


def _moderated_terms(equation: Equation, source: str, moderators) -> list[tuple[int, tuple[str, ...]]]:
    """Positions of the terms ``source * (moderators...)`` in ``equation``, with their moderator parts."""
    found = []
    for position, term in enumerate(equation.terms):
        if term.parts.count(source) != 1:
            continue
        rest = tuple(part for part in term.parts if part != source)
        if all(part in moderators for part in rest):
            found.append((position, rest))
    return found


def path_effect(coef: np.ndarray, equation: Equation, source: str, values: dict[str, float]) -> np.ndarray:
    """The conditional effect of ``source`` on the equation's outcome at moderator ``values``."""
    total = np.zeros(coef.shape[:-1])
    for position, rest in _moderated_terms(equation, source, values):
        total = total + coef[..., position] * math.prod([values[name] for name in rest])
    return total


def path_weights(equation: Equation, source: str, values: dict[str, float]) -> np.ndarray:
    """The vector ``L`` with ``path_effect = L @ coef`` (for its standard error ``sqrt(L' V L)``)."""
    weights = np.zeros(len(equation.terms))
    for position, rest in _moderated_terms(equation, source, values):
        weights[position] = math.prod([values[name] for name in rest])
    return weights


def path_moderators(equation: Equation, source: str, moderators) -> set[str]:
    """The moderators the effect of ``source`` on this equation's outcome depends on."""
    return {part for _, rest in _moderated_terms(equation, source, moderators) for part in rest}


def chains(equations: list[Equation], x_terms: list[str], y: str) -> list[tuple[str, ...]]:
    """Every indirect chain ``(x_term, m1, ..., y)`` through the mediators, in PROCESS's order.

    Per X term: by first mediator, then shorter chains first, then by the
    mediators' order (``x -> m1 -> m3 -> y`` before ``x -> m1 -> m2 -> m3 -> y``),
    so that contrasts ``C1``, ... pair the same effects as PROCESS's.
    """
    by_outcome = {equation.outcome: equation for equation in equations}
    mediators = [equation.outcome for equation in equations if equation.outcome != y]
    found = []

    def extend(chain):
        last = chain[-1]
        if len(chain) > 1 and any(term.parts == (last,) for term in by_outcome[y].terms):
            found.append((*chain, y))
        start = mediators.index(last) + 1 if last in mediators else 0
        for mediator in mediators[start:]:
            if any(term.parts == (last,) for term in by_outcome[mediator].terms):
                extend((*chain, mediator))

    for x_term in x_terms:
        extend((x_term,))
    order = {name: i for i, name in enumerate([*x_terms, *mediators])}
    return sorted(found, key=lambda chain: (order[chain[0]], order[chain[1]], len(chain), [order[m] for m in chain[1:-1]]))


def chain_effect(coefs: dict[str, np.ndarray], by_outcome: dict[str, Equation], chain, values) -> np.ndarray:
    """The indirect effect along ``chain`` at moderator ``values``: the product of its links."""
    effect = 1.0
    for source, outcome in itertools.pairwise(chain):
        effect = effect * path_effect(coefs[outcome], by_outcome[outcome], source, values)
    return effect


def chain_moderators(by_outcome: dict[str, Equation], chain, moderators) -> list[set[str]]:
    """Per link of ``chain``, the moderators it depends on."""
    return [path_moderators(by_outcome[outcome], source, moderators) for source, outcome in itertools.pairwise(chain)]


def has_index(by_outcome, chain, moderator: str, moderators) -> bool:
    """Whether the chain's indirect effect is linear in ``moderator`` alone (an index of moderated mediation).

    True when exactly one link depends on ``moderator``, that link on no other
    moderator, and the other links on none (PROCESS models 7, 8, 14, 15).
    """
    links = chain_moderators(by_outcome, chain, moderators)
    with_it = [link for link in links if moderator in link]
    return len(with_it) == 1 and with_it[0] == {moderator} and all(not link for link in links if moderator not in link)


def index_of_moderated_mediation(coefs, by_outcome, chain, moderator: str) -> np.ndarray:
    """The slope of the chain's indirect effect in ``moderator`` (Hayes 2015), for a chain with :func:`has_index`."""
    return chain_effect(coefs, by_outcome, chain, {moderator: 1.0}) - chain_effect(coefs, by_outcome, chain, {moderator: 0.0})


def chain_label(chain, x: str) -> str:
    """``"x -> m1 -> m2 -> y"``, with the column name of X (its code is in the contrast)."""
    return " -> ".join([x, *chain[1:]])
