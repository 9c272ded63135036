"""Vectorised case-resampling bootstrap of the indirect effect (Hayes' model 4).

The kernel never loops over resamples in Python. For a chunk of resamples it

1. draws the resample indices (``int32``, one row per resample),
2. turns them into a count matrix ``W`` (how often each case is drawn): the
   indices are offset by row and added with one ``np.add.at`` into a reused
   buffer,
3. multiplies ``W`` by a matrix of per-case products (each variable and each
   pairwise product of variables) so that one matrix product gives, for every
   resample, all the sums the regressions need,
4. after the loop, on all resamples at once, forms the centred sums of squares
   and cross-products and solves the small regressions in closed form (one
   mediator, no covariates) or as batched ``np.linalg.solve`` calls on stacked
   small matrices (``analysis._bootstrap_regression``; the intervals are in
   ``analysis._bootstrap_intervals``).

The data are centred at their full-sample means first: slopes do not change,
and the sums stay well conditioned. Memory is bounded by the chunk size
(about ``2**16`` count cells per chunk).

>>> import numpy as np
>>> rng = np.random.default_rng(1)
>>> x = rng.integers(0, 2, 50).astype(float)
>>> m = 0.5 * x + rng.normal(size=50)
>>> y = 0.4 * m + rng.normal(size=50)
>>> bootstrap_indirect(x, m, y, n_boot=1000, seed=2).shape
(1000, 1)
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numpy as np

# the regressions and the intervals live in their own modules; their names stay importable here
from analysis._bootstrap_intervals import bias_corrected_interval, percentile_interval  # noqa: F401
from analysis._bootstrap_regression import (  # noqa: F401
    case_products,
    centred_cross_products,
    centred_squares,
    indirect_from_cross_products,
    indirect_from_sums,
    singular_resamples,
)

# count cells (resamples x cases) per chunk: the count buffers (0.5 MB each) stay
# in cache and are reused, and the matrix products stay small enough for one thread
_CHUNK_CELLS = 1 << 16


_blas_controller = None


def single_threaded_blas():
    """Context that keeps BLAS on one thread (threadpoolctl; a no-op without it).

    The kernel's matrix products are many and small: BLAS threads cost more in
    start-up and synchronisation than they save (4x slower CPU time measured on
    a busy 2-core machine), and parallel workers should not oversubscribe.
    """
    global _blas_controller
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn/pingouin
        return contextlib.nullcontext()
    if _blas_controller is None:
        _blas_controller = ThreadpoolController()
    return _blas_controller.limit(limits=1, user_api="blas")


def rows_per_chunk(n_cases: int, n_resamples: int) -> int:
    """Resamples per chunk so that a chunk's count matrix has about 2**16 cells.

    >>> rows_per_chunk(140, 5000)
    468
    >>> rows_per_chunk(10_000, 5000)
    6
    """
    return int(max(1, min(n_resamples, _CHUNK_CELLS // max(n_cases, 1))))


def iter_resample_indices(
    n_cases: int, n_resamples: int, rng: np.random.Generator, chunk: int | None = None
) -> Iterator[np.ndarray]:
    """Yield the resample indices, chunk by chunk, as ``int32`` arrays (rows = resamples).

    This is the only random step of the bootstrap; the benchmarks time it alone
    as the floor that no implementation can go below.

    >>> rng = np.random.default_rng(0)
    >>> [block.shape for block in iter_resample_indices(10, 5, rng, chunk=2)]
    [(2, 10), (2, 10), (1, 10)]
    """
    chunk = chunk or rows_per_chunk(n_cases, n_resamples)
    for start in range(0, n_resamples, chunk):
        rows = min(chunk, n_resamples - start)
        yield rng.integers(0, n_cases, size=(rows, n_cases), dtype=np.int32)


def resample_counts(
    indices: np.ndarray, n_cases: int, out: np.ndarray | None = None, work: np.ndarray | None = None
) -> np.ndarray:
    """Count how often each case occurs in each resample.

    Parameters
    ----------
    indices : ndarray of int, shape (r, k)
        Row ``i`` holds the case indices (0 .. n_cases-1) of resample ``i``.
    n_cases : int
    out : ndarray of float64, shape (>= r, n_cases), optional
        Buffer for the counts (its first ``r`` rows are used).
    work : ndarray of int64, shape (>= r, k), optional
        Scratch buffer for the offset indices. Reusing buffers across chunks
        matters: every fresh large array costs a page fault per 4 kB.

    Returns
    -------
    ndarray of float64, shape (r, n_cases)

    Examples
    --------
    >>> resample_counts(np.array([[0, 0, 2], [1, 2, 2]]), 3)
    array([[2., 0., 1.],
           [0., 1., 2.]])
    """
    rows = indices.shape[0]
    if out is None:
        counts = np.zeros((rows, n_cases))
    else:
        counts = out[:rows]
        counts.fill(0.0)
    flat = None if work is None else work[:rows]
    # offset each row's indices into its own segment of the flattened counts
    offsets = np.arange(rows, dtype=np.int64)[:, None] * n_cases
    flat = np.add(indices, offsets, out=flat, dtype=np.int64)
    np.add.at(counts.reshape(-1), flat.reshape(-1), 1.0)
    return counts


def _stack_variables(x, mediators, y, covariates) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    mediators = np.asarray(mediators, dtype=np.float64)
    if mediators.ndim == 1:
        mediators = mediators[:, None]
    parts = [x[:, None], mediators]
    if covariates is not None:
        covariates = np.asarray(covariates, dtype=np.float64)
        parts.append(covariates[:, None] if covariates.ndim == 1 else covariates)
    parts.append(np.asarray(y, dtype=np.float64)[:, None])
    lengths = {len(part) for part in parts}
    if len(lengths) != 1:
        raise ValueError(
            f"x, the mediators, y and the covariates must have one value per case; got "
            f"lengths {sorted(lengths)}."
        )
    stacked = np.concatenate(parts, axis=1)
    return stacked - stacked.mean(axis=0)


def bootstrap_sums(variables: np.ndarray, index_blocks) -> tuple[np.ndarray, int]:
    """Each resample's sums and cross-product sums: ``counts @ case_products(variables)``.

    ``variables`` is the (n, d) matrix ``x, M, C, y`` (centred); ``index_blocks``
    yields (rows, n_draws) integer arrays of resample indices. Returns the
    (n_resamples, d + d(d+1)/2) sums and ``n_draws``. The loop body only counts
    and multiplies; the per-resample algebra runs once, on all resamples.
    """
    n, d = variables.shape
    products = case_products(variables)
    counts = work = None
    sums, n_draws = [], n
    with single_threaded_blas():
        for block in index_blocks:
            if counts is None or counts.shape[0] < block.shape[0] or work.shape[1] != block.shape[1]:
                counts, work = np.empty((block.shape[0], n)), np.empty(block.shape, dtype=np.int64)
            sums.append(resample_counts(block, n, out=counts, work=work) @ products)
            n_draws = block.shape[1]
    if not sums:
        return np.empty((0, products.shape[1])), n_draws
    return np.concatenate(sums), n_draws


def bootstrap_indirect(
    x,
    mediators,
    y,
    *,
    covariates=None,
    indices: np.ndarray | None = None,
    n_boot: int | None = None,
    seed=None,
    return_squares: bool = False,
):
    """Bootstrap distribution of the indirect effect(s) of x on y through the mediators.

    Hayes' model 4 with one or several parallel mediators and optional
    covariates (entered in every model). Either give the resample ``indices``
    yourself (e.g. the ones another program used) or ``n_boot`` and ``seed``.

    Parameters
    ----------
    x, y : array_like, shape (n,)
    mediators : array_like, shape (n,) or (n, k)
    covariates : array_like, shape (n,) or (n, q), optional
    indices : ndarray of int, shape (n_boot, n), optional
        Row ``i`` lists the cases drawn in resample ``i``.
    n_boot : int, optional
        Number of resamples to draw when ``indices`` is not given.
    seed : int, numpy.random.Generator or None
        Seed of the draw when ``indices`` is not given.
    return_squares : bool, default False
        Also return each resample's centred sums of squares of ``x, M, C, y``
        (shape (n_boot, d)), e.g. for standardised effects.

    Returns
    -------
    ndarray, shape (n_boot, k)
        ``a_j * b_j`` per resample and mediator; NaN where a resample's
        regressions cannot be estimated (e.g. x constant in the resample).

    Examples
    --------
    >>> x = np.array([0, 0, 0, 1, 1, 1.0])
    >>> m = np.array([1, 2, 1.5, 2, 3, 2.5])
    >>> y = np.array([2, 3, 2, 3, 5, 4.0])
    >>> bootstrap_indirect(x, m, y, indices=np.arange(6)[None, :]).round(4)
    array([[1.5]])
    """
    variables = _stack_variables(x, mediators, y, covariates)
    n, d = variables.shape
    k = 1 if np.ndim(mediators) == 1 else np.shape(mediators)[1]
    if indices is not None:
        indices = np.asarray(indices)
        if indices.ndim != 2 or not np.issubdtype(indices.dtype, np.integer):
            raise ValueError("`indices` must be a 2-D integer array (one row per resample).")
        if indices.size and (indices.min() < 0 or indices.max() >= n):
            raise ValueError(f"`indices` must lie between 0 and {n - 1} (the number of cases - 1).")
        chunk = rows_per_chunk(indices.shape[1], indices.shape[0])
        blocks = (indices[i : i + chunk] for i in range(0, len(indices), chunk))
    else:
        if n_boot is None or int(n_boot) < 1:
            raise ValueError(f"`n_boot` must be a positive number of resamples; got {n_boot!r}.")
        blocks = iter_resample_indices(n, int(n_boot), np.random.default_rng(seed))
    sums, n_draws = bootstrap_sums(variables, blocks)
    effect = indirect_from_sums(sums, d, n_draws, k)
    return (effect, centred_squares(sums, d, n_draws)) if return_squares else effect


def bootstrap_sums_batched(
    variables: np.ndarray, n_boot: int, rng: np.random.Generator
) -> np.ndarray:
    """:func:`bootstrap_sums` for many data sets of the same size at once.

    ``variables`` is (D, n, d), one centred ``x, M, C, y`` matrix per data set;
    returns (D, n_boot, d + d(d+1)/2). Each data set's resamples are drawn in
    turn from ``rng`` (a fixed order, so the result depends only on the seed),
    and data sets are grouped so that a group's count matrix has about
    ``2**16`` cells, multiplied by the group's products in one batched matmul.

    >>> rng = np.random.default_rng(0)
    >>> bootstrap_sums_batched(rng.normal(size=(4, 30, 3)), 50, rng).shape
    (4, 50, 9)
    """
    n_sets, n, d = variables.shape
    products = case_products(variables)
    per_group = max(1, _CHUNK_CELLS // (n_boot * n))
    out = np.empty((n_sets, n_boot, products.shape[-1]))
    rows = min(n_sets, per_group) * n_boot
    counts, work = np.empty((rows, n)), np.empty((rows, n), dtype=np.int64)
    with single_threaded_blas():
        for start in range(0, n_sets, per_group):
            stop = min(n_sets, start + per_group)
            block = rng.integers(0, n, size=((stop - start) * n_boot, n), dtype=np.int32)
            filled = resample_counts(block, n, out=counts, work=work)
            out[start:stop] = filled.reshape(stop - start, n_boot, n) @ products[start:stop]
    return out
