"""The regressions of the bootstrap, solved on all resamples at once from their sums.

A resample is summarised by its sums of each variable and each pairwise product
(``counts @ case_products(Z)``, see ``analysis._bootstrap``). From those sums
this module rebuilds the centred sums of squares and cross-products and solves
Hayes' model 4 for the indirect effects ``a_j * b_j``: in closed form for one
mediator without covariates, else as batched ``np.linalg.solve`` calls.

One "resample" that draws every case once gives the sample's own estimate
(here a = 1 and b = -1, as least squares on x, m, y gives):

>>> z = np.array([[0.0, 1.0, 2.0], [1.0, 3.0, 3.0], [0.0, 2.0, 1.0], [1.0, 2.0, 4.0]])
>>> sums = np.ones((1, 4)) @ case_products(z - z.mean(axis=0))
>>> indirect_from_sums(sums, 3, 4, 1).round(10)
array([[-1.]])
"""

from __future__ import annotations

import functools

import numpy as np

_SINGULAR = 1e-10  # relative size below which a sum of squares or determinant counts as 0


def case_products(columns: np.ndarray) -> np.ndarray:
    """Per-case products: every column, then every product ``z_i * z_j`` with ``i <= j``.

    ``columns`` has shape (..., n, d); the result (..., n, d + d(d+1)/2).
    A count matrix times this gives each resample's sums and cross-product sums.

    >>> case_products(np.array([[1.0, 2.0]]))
    array([[1., 2., 1., 2., 4.]])
    """
    left, right = _pairs(columns.shape[-1])
    return np.concatenate([columns, columns[..., left] * columns[..., right]], axis=-1)


@functools.lru_cache(maxsize=32)
def _pairs(d: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.triu_indices(d)``, built once per d (it costs more than the products for small n)."""
    left, right = np.triu_indices(d)
    left.flags.writeable = right.flags.writeable = False
    return left, right


def centred_cross_products(sums: np.ndarray, d: int, n_draws: int) -> np.ndarray:
    """Rebuild each resample's centred sums of squares and cross-products.

    ``sums`` is (..., d + d(d+1)/2) as produced by ``counts @ case_products(Z)``
    and ``n_draws`` the number of cases drawn per resample (the counts' row sum);
    the result is (..., d, d) with entries ``sum w (z_i - mean_i)(z_j - mean_j)``.
    """
    totals = sums[..., :d]
    raw = np.empty(sums.shape[:-1] + (d, d))
    left, right = np.triu_indices(d)
    raw[..., left, right] = sums[..., d:]
    raw[..., right, left] = sums[..., d:]
    return raw - totals[..., :, None] * totals[..., None, :] / n_draws


def singular_resamples(scp: np.ndarray, tolerance: float = _SINGULAR) -> np.ndarray:
    """Mark resamples whose predictors ``x, M, C`` (all but the last variable) are collinear.

    A predictor whose sum of squares is below ``tolerance`` times its average
    over the resamples counts as constant; otherwise the determinant of the
    predictors' correlation matrix must exceed ``tolerance``.

    >>> scp = np.array([[[1.0, 0.5, 0], [0.5, 1, 0], [0, 0, 1]],
    ...                 [[1.0, 1.0, 0], [1.0, 1, 0], [0, 0, 1]]])
    >>> singular_resamples(scp)
    array([False,  True])
    """
    p = scp.shape[-1] - 1
    squares = np.diagonal(scp, axis1=-2, axis2=-1)[..., :p]
    reference = np.nanmean(squares.reshape(-1, p), axis=0)
    constant = (squares <= tolerance * reference).any(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.sqrt(squares)
        correlation = scp[..., :p, :p] / (scale[..., :, None] * scale[..., None, :])
        if p == 2:
            determinant = 1 - correlation[..., 0, 1] ** 2
        else:
            determinant = np.linalg.det(np.nan_to_num(correlation))
    return constant | ~(determinant > tolerance)


def indirect_from_cross_products(scp: np.ndarray, n_mediators: int, n_covariates: int) -> np.ndarray:
    """Indirect effects ``a_j * b_j`` from centred cross-product matrices.

    ``scp`` is (..., d, d) with the variables in the order
    ``x, M_1..M_k, C_1..C_q, y``. The a paths come from ``M_j ~ x + C``, the b
    paths from ``y ~ x + M + C`` (intercepts are absorbed by the centring).
    Resamples in which the predictors are collinear (e.g. x constant) give NaN.
    """
    k, q = n_mediators, n_covariates
    singular = singular_resamples(scp)
    if singular.any():  # keep the solver away from singular systems
        scp = scp.copy()
        scp[singular] = np.eye(scp.shape[-1])
    if k == 1 and q == 0:  # closed form for the common case
        sxx, sxm, sxy = scp[..., 0, 0], scp[..., 0, 1], scp[..., 0, 2]
        smm, smy = scp[..., 1, 1], scp[..., 1, 2]
        a = sxm / sxx
        b = (sxx * smy - sxm * sxy) / (sxx * smm - sxm * sxm)
        effect = (a * b)[..., None]
    else:
        mediators = np.arange(1, 1 + k)
        a_predictors = np.r_[0, np.arange(1 + k, 1 + k + q)]
        b_predictors = np.arange(0, 1 + k + q)
        a_lhs = scp[..., a_predictors[:, None], a_predictors]
        a_rhs = scp[..., a_predictors[:, None], mediators]
        a = np.linalg.solve(a_lhs, a_rhs)[..., 0, :]
        b_lhs = scp[..., b_predictors[:, None], b_predictors]
        b_rhs = scp[..., b_predictors, -1][..., None]
        b = np.linalg.solve(b_lhs, b_rhs)[..., 1 : 1 + k, 0]
        effect = a * b
    effect[singular] = np.nan
    return effect


def centred_squares(sums: np.ndarray, d: int, n_draws: int, which=None) -> np.ndarray:
    """Each resample's centred sum of squares per variable, shape (..., d); ``which``: only those variables.

    >>> z = np.array([[1.0, 2.0], [3.0, 6.0]])
    >>> centred_squares(np.ones((1, 2)) @ case_products(z), 2, 2, which=[1])
    array([[8.]])
    """
    variables = np.arange(d) if which is None else np.asarray(which)
    diagonal = (d + np.cumsum(np.r_[0, np.arange(d, 1, -1)]))[variables]  # positions of z_i * z_i
    return sums[..., diagonal] - sums[..., variables] ** 2 / n_draws


def indirect_from_sums(sums: np.ndarray, d: int, n_draws: int, n_mediators: int) -> np.ndarray:
    """Indirect effects ``a_j * b_j`` from the sums of :func:`bootstrap_sums`, shape (..., k).

    One mediator without covariates has a closed form on the columns of
    ``sums``; otherwise the centred cross-product matrices are solved in batch.
    NaN marks resamples whose predictors are collinear (e.g. x constant).
    """
    if n_mediators == 1 and d == 3:
        # sums: x, m, y, xx, xm, xy, mm, my, yy (variables centred at the sample means)
        sx, sm, sy, sxx, sxm, sxy, smm, smy = np.moveaxis(sums[..., :8], -1, 0)
        sxx = sxx - sx * sx / n_draws
        sxm = sxm - sx * sm / n_draws
        sxy = sxy - sx * sy / n_draws
        smm = smm - sm * sm / n_draws
        smy = smy - sm * sy / n_draws
        determinant = sxx * smm - sxm * sxm
        with np.errstate(divide="ignore", invalid="ignore"):
            effect = (sxm / sxx) * (sxx * smy - sxm * sxy) / determinant
            singular = ~(determinant > _SINGULAR * sxx * smm)
        singular |= (sxx <= _SINGULAR * np.mean(sxx)) | (smm <= _SINGULAR * np.mean(smm))
        effect[singular] = np.nan
        return effect[..., None]
    scp = centred_cross_products(sums, d, n_draws)
    return indirect_from_cross_products(scp, n_mediators, d - 2 - n_mediators)
