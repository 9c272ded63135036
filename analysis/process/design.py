"""The regression equations of a model: one per mediator and one for Y, with named terms.

Each term is a product of base variables (its ``parts``): X (or each code of a
multicategorical X), the mediators, ``w``, ``z`` and the covariates. Names
follow the issue's contract: ``constant``, a variable by its column name, a
product as ``"{a}:{b}"`` (e.g. ``"x:w"``, ``"m:w"``, ``"x:w:z"``), an X code
as ``"{x}[{level}]"``. Terms come in PROCESS's order: constant, X, mediators,
moderators, products, covariates.

>>> spec_terms = equation_terms(model_spec(7), x_terms=["x"], mediators=["m"], y="y", w="mod", z=None,
...                             covariates=["age"])
>>> [(eq.outcome, [term.name for term in eq.terms]) for eq in spec_terms]
[('m', ['constant', 'x', 'mod', 'x:mod', 'age']), ('y', ['constant', 'x', 'm', 'age'])]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.process.spec import ModelSpec, model_spec  # noqa: F401  (model_spec for the doctest)


@dataclass(frozen=True)
class Term:
    """A predictor: the product of its ``parts`` (base variable names); ``()`` is the constant."""

    parts: tuple[str, ...]

    @property
    def name(self) -> str:
        return ":".join(self.parts) if self.parts else "constant"


@dataclass(frozen=True)
class Equation:
    """One OLS regression: ``outcome`` on ``terms`` (the first is the constant)."""

    outcome: str
    terms: tuple[Term, ...]

    @property
    def names(self) -> list[str]:
        return [term.name for term in self.terms]


def _moderation_terms(sources: list[str], moderators: tuple[str, ...], w: str | None, z: str | None) -> list[Term]:
    """Products of each source with the path's moderators (and the three-way term)."""
    names = {"w": w, "z": z}
    terms = []
    for source in sources:
        for moderator in moderators:
            if moderator == "w*z":
                terms.append(Term((source, w, z)))
            else:
                terms.append(Term((source, names[moderator])))
    return terms


def _moderator_main_terms(paths: list[tuple[str, ...]], w: str | None, z: str | None) -> list[Term]:
    used = {term for path in paths for term in path}
    terms = [Term((w,))] if "w" in used else []
    terms += [Term((z,))] if "z" in used else []
    if "w*z" in used:
        terms.append(Term((w, z)))
    return terms


def equation_terms(
    spec: ModelSpec, *, x_terms: list[str], mediators: list[str], y: str, w: str | None, z: str | None,
    covariates: list[str],
) -> list[Equation]:
    """The equations of ``spec``: each mediator's (in order), then Y's."""
    constant = (Term(()),)
    x_main = [Term((name,)) for name in x_terms]
    covariate_terms = [Term((name,)) for name in covariates]
    equations = []
    if spec.has_mediators:
        for index, mediator in enumerate(mediators):
            earlier = [Term((name,)) for name in mediators[:index]] if spec.serial else []
            terms = [
                *constant, *x_main, *earlier,
                *_moderator_main_terms([spec.first_stage], w, z),
                *_moderation_terms(x_terms, spec.first_stage, w, z),
                *covariate_terms,
            ]
            equations.append(Equation(mediator, tuple(terms)))
    y_terms = [
        *constant, *x_main, *(Term((name,)) for name in (mediators if spec.has_mediators else [])),
        *_moderator_main_terms([spec.second_stage, spec.direct], w, z),
        *_moderation_terms(mediators if spec.has_mediators else [], spec.second_stage, w, z),
        *_moderation_terms(x_terms, spec.direct, w, z),
        *covariate_terms,
    ]
    equations.append(Equation(y, tuple(y_terms)))
    return equations


def total_effect_equation(x_terms: list[str], y: str, covariates: list[str]) -> Equation:
    """Y on X (and the covariates): the total effect of an unmoderated mediation model."""
    return Equation(y, (Term(()), *(Term((name,)) for name in [*x_terms, *covariates])))


def design_matrix(equation: Equation, columns: dict[str, np.ndarray], n: int) -> np.ndarray:
    """The (n, p) matrix of an equation's terms from the base variables in ``columns``."""
    matrix = np.empty((n, len(equation.terms)))
    for j, term in enumerate(equation.terms):
        column = np.ones(n)
        for part in term.parts:
            column = column * columns[part]
        matrix[:, j] = column
    return matrix
