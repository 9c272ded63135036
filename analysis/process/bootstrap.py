"""Every equation of a model on every resample at once, on the vectorised kernel of ``analysis._bootstrap``.

The base variables and every product term that any equation uses become the
columns of one matrix Z (centred at the sample means; slopes do not change
because every equation has a constant). ``analysis._bootstrap.bootstrap_sums``
turns the resample indices (drawn by ``iter_resample_indices``, so a seed
gives the same resamples as ``analysis.mediation``) into each resample's sums
and cross-product sums of Z. From those, each equation's centred SSCP entries
are vectors over the resamples, and its slopes come from Gaussian elimination
run on all resamples at once (a loop over the few predictors, none over the
resamples).

>>> from analysis.process.design import Equation, Term
>>> rng = np.random.default_rng(1)
>>> columns = {"x": rng.normal(size=40), "m": rng.normal(size=40)}
>>> eq = Equation("m", (Term(()), Term(("x",))))
>>> coefs = bootstrap_coefficients([eq], columns, n_boot=200, seed=3)
>>> coefs["m"].shape
(200, 2)
"""

from __future__ import annotations

import warnings

import numpy as np

from analysis._bootstrap import bootstrap_sums, iter_resample_indices
from analysis.process.design import Equation, Term

_SINGULAR = 1e-10  # as analysis._bootstrap_regression: a relative pivot or sum of squares below it counts as 0


def _term_column(term: Term, columns: dict[str, np.ndarray]) -> np.ndarray:
    column = columns[term.parts[0]]
    for part in term.parts[1:]:
        column = column * columns[part]
    return column


def stacked_columns(equations: list[Equation], columns: dict[str, np.ndarray]) -> tuple[np.ndarray, dict[str, int]]:
    """The centred matrix of every distinct non-constant term and outcome, and each one's position."""
    positions: dict[str, int] = {}
    stacked = []
    for equation in equations:
        for term in (*equation.terms[1:], Term((equation.outcome,))):
            if term.name not in positions:
                positions[term.name] = len(stacked)
                stacked.append(_term_column(term, columns))
    matrix = np.column_stack(stacked)
    return matrix - matrix.mean(axis=0), positions


def _solve_positive_definite(lhs: list[list[np.ndarray]], rhs: list[np.ndarray], tolerance: float = _SINGULAR):
    """Solve the p x p systems ``lhs x = rhs`` of every resample at once; ``lhs[i][j]`` is a vector over resamples.

    Gaussian elimination without pivoting (the matrices are centred SSCP
    matrices, symmetric positive semi-definite), one numpy operation per
    matrix entry and step: a Python loop over the p predictors, none over the
    resamples, and each operation runs along a contiguous vector of resamples
    (where ``np.linalg.solve`` on a stack of small matrices calls LAPACK once
    per matrix; ``benchmarks/process.py`` times the whole).
    A resample is singular where a pivot falls below ``tolerance`` times its
    diagonal entry (that predictor is, up to ``1 - R^2 <= tolerance``, a linear
    function of the earlier ones) or a predictor is constant.
    """
    p = len(rhs)
    # the upper triangle (j >= i) of the symmetric matrix; updates make new arrays, the input stays as it is
    a = [[lhs[i][j] if j >= i else None for j in range(p)] for i in range(p)]
    b = list(rhs)
    singular = np.zeros(b[0].shape, dtype=bool)
    for i in range(p):
        singular |= lhs[i][i] <= tolerance * np.mean(lhs[i][i])
    pivots = []
    for k in range(p):
        pivot = a[k][k]
        singular |= ~(pivot > tolerance * lhs[k][k])
        pivot = np.where(singular, 1.0, pivot)
        pivots.append(pivot)
        for i in range(k + 1, p):
            factor = a[k][i] / pivot  # = a[i][k] / pivot by symmetry
            for j in range(i, p):
                a[i][j] = a[i][j] - factor * a[k][j]
            b[i] = b[i] - factor * b[k]
    solution = [None] * p
    for k in reversed(range(p)):
        total = b[k]
        for j in range(k + 1, p):
            total = total - a[k][j] * solution[j]
        solution[k] = total / pivots[k]
    return solution, singular


def solve_equations(sums: np.ndarray, n_draws: int, d: int, equations: list[Equation], positions: dict[str, int]) -> dict[str, np.ndarray]:
    """Each equation's coefficients in every resample from the resamples' sums; the constant's entry is NaN.

    ``sums`` is (d + d(d+1)/2, n_resamples): each resample's sums of the d
    stacked columns and of their pairwise products (``bootstrap_sums``,
    transposed). Resamples in which an equation's predictors are collinear
    get NaN throughout.
    """
    left, right = np.triu_indices(d)
    pair = {(int(i), int(j)): d + k for k, (i, j) in enumerate(zip(left, right))}
    cache: dict[tuple[int, int], np.ndarray] = {}

    def centred(i: int, j: int) -> np.ndarray:
        key = (min(i, j), max(i, j))
        if key not in cache:
            cache[key] = sums[pair[key]] - sums[key[0]] * sums[key[1]] / n_draws
        return cache[key]

    coefs = {}
    for equation in equations:
        predictors = [positions[term.name] for term in equation.terms[1:]]
        outcome = positions[equation.outcome]
        lhs = [[centred(i, j) for j in predictors] for i in predictors]
        slopes, singular = _solve_positive_definite(lhs, [centred(i, outcome) for i in predictors])
        coef = np.column_stack([np.full(singular.shape, np.nan), *slopes])
        coef[singular] = np.nan
        coefs[equation.outcome] = coef
    return coefs


def bootstrap_coefficients(
    equations: list[Equation], columns: dict[str, np.ndarray], *, n_boot: int, seed
) -> dict[str, np.ndarray]:
    """Per equation (by outcome), its coefficients in each of ``n_boot`` case resamples, shape (n_boot, p)."""
    matrix, positions = stacked_columns(equations, columns)
    n, d = matrix.shape
    blocks = iter_resample_indices(n, n_boot, np.random.default_rng(seed))
    sums, n_draws = bootstrap_sums(matrix, blocks, n_boot)
    coefs = solve_equations(np.ascontiguousarray(sums.T), n_draws, d, equations, positions)
    failed = int(np.isnan(np.column_stack([coef[:, 1:] for coef in coefs.values()])).any(axis=1).sum())
    if failed:
        warnings.warn(
            f"{failed} of {n_boot} bootstrap resamples could not be estimated (collinear predictors in the "
            "resample, e.g. a group of x missing); their intervals use the others.",
            RuntimeWarning, stacklevel=3,
        )
    return coefs
