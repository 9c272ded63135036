"""Vectorised case-resampling bootstrap of the indirect effect (Hayes' model 4).

The kernel never loops over resamples in Python. For a chunk of resamples it

1. draws the resample indices (one row per resample; ``uint16``, which numpy
   draws four to a 64-bit random word, up to 4,096 cases, else ``int64``),
2. turns them into a count matrix ``W`` (how often each case is drawn): the
   indices are the column indices of a sparse matrix with one entry 1 per
   draw, and scipy writes it out as a dense matrix into a reused buffer,
   adding up repeated draws of a case,
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

# counting, the regressions and the intervals live in their own modules; their names stay importable here
from analysis._bootstrap_counts import (  # noqa: F401
    _CountBuffers,
    _reused_count_buffers,
    iter_block_counts,
    resample_counts,
)
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

    The kernel's matrix products are many and small: starting and
    synchronising BLAS threads for each of them costs more than the threads
    save, and parallel workers (one bootstrap each) should not oversubscribe
    the cores.
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


def index_dtype(n_cases: int) -> type:
    """The integer type resample indices are drawn in: the one numpy draws fastest.

    ``uint16`` (four draws per 64-bit random word) up to 4,096 cases, else
    ``int64``: with more cases the 16-bit draw rejects so many values that
    ``int64`` is the quicker one; ``int32`` never was. ``benchmarks/mediation.py``
    times this draw (``draw``) beside numpy's default one (``floor``).

    >>> index_dtype(140), index_dtype(10_000)
    (<class 'numpy.uint16'>, <class 'numpy.int64'>)
    """
    return np.uint16 if n_cases <= 4096 else np.int64


def iter_resample_indices(
    n_cases: int, n_resamples: int, rng: np.random.Generator, chunk: int | None = None
) -> Iterator[np.ndarray]:
    """Yield the resample indices, chunk by chunk (rows = resamples), typed by :func:`index_dtype`.

    This is the only random step of the bootstrap; the benchmarks time it alone
    as the floor that no implementation can go below.

    >>> rng = np.random.default_rng(0)
    >>> [block.shape for block in iter_resample_indices(10, 5, rng, chunk=2)]
    [(2, 10), (2, 10), (1, 10)]
    """
    chunk = chunk or rows_per_chunk(n_cases, n_resamples)
    dtype = index_dtype(n_cases)
    for start in range(0, n_resamples, chunk):
        rows = min(chunk, n_resamples - start)
        yield rng.integers(0, n_cases, size=(rows, n_cases), dtype=dtype)


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


def bootstrap_sums(variables: np.ndarray, index_blocks, n_resamples: int | None = None) -> tuple[np.ndarray, int]:
    """Each resample's sums and cross-product sums: ``counts @ case_products(variables)``.

    ``variables`` is the (n, d) matrix ``x, M, C, y`` (centred); ``index_blocks``
    yields (rows, n_draws) integer arrays of resample indices; ``n_resamples``,
    when known, lets the products go straight into one preallocated array.
    Returns the (n_resamples, d + d(d+1)/2) sums and ``n_draws``. The loop body
    only counts and multiplies; the per-resample algebra runs once, on all
    resamples.
    """
    n, d = variables.shape
    products = case_products(variables)
    n_draws, done, pieces = n, 0, []
    out = None if n_resamples is None else np.empty((n_resamples, products.shape[1]))
    with single_threaded_blas():
        for counts, n_draws in iter_block_counts(index_blocks, n):
            rows = counts.shape[0]
            if out is None:
                pieces.append(counts @ products)
            else:
                np.matmul(counts, products, out=out[done : done + rows])
            done += rows
    if out is not None:
        if done != n_resamples:
            raise ValueError(f"the index blocks held {done} resamples; expected n_resamples = {n_resamples}.")
        return out, n_draws
    if not pieces:
        return np.empty((0, products.shape[1])), n_draws
    return np.concatenate(pieces), n_draws


def bootstrap_indirect(
    x,
    mediators,
    y,
    *,
    covariates=None,
    indices: np.ndarray | None = None,
    n_boot: int | None = None,
    seed=None,
    return_sums: bool = False,
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
    return_sums : bool, default False
        Also return each resample's sums (shape (n_boot, d + d(d+1)/2), see
        :func:`bootstrap_sums`) and the number of cases drawn per resample;
        ``centred_squares(sums, d, n_draws)`` turns them into the centred sums
        of squares of ``x, M, C, y``, e.g. for standardised effects.

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
        n_resamples = len(indices)
    else:
        if n_boot is None or int(n_boot) < 1:
            raise ValueError(f"`n_boot` must be a positive number of resamples; got {n_boot!r}.")
        n_resamples = int(n_boot)
        blocks = iter_resample_indices(n, n_resamples, np.random.default_rng(seed))
    sums, n_draws = bootstrap_sums(variables, blocks, n_resamples)
    effect = indirect_from_sums(sums, d, n_draws, k)
    return (effect, sums, n_draws) if return_sums else effect


def batched_blocks(n_sets: int, n_cases: int, n_boot: int) -> Iterator[tuple[int, int, int, int]]:
    """The blocks in which ``n_boot`` resamples of each of ``n_sets`` data sets are drawn.

    Yields ``(first_set, stop_set, first_row, rows)``: when one data set's
    resamples are small (``n_boot * n_cases`` up to about ``2**16`` cells) a
    block holds whole data sets ``first_set .. stop_set - 1`` (their resamples
    one after the other, ``first_row`` 0); otherwise a block holds ``rows``
    resamples from row ``first_row`` of data set ``first_set`` alone
    (``stop_set = first_set + 1``), in equal chunks of at most
    :func:`rows_per_chunk` rows.

    >>> list(batched_blocks(2, 200, 500))
    [(0, 1, 0, 250), (0, 1, 250, 250), (1, 2, 0, 250), (1, 2, 250, 250)]
    >>> list(batched_blocks(5, 20, 100))
    [(0, 5, 0, 500)]
    """
    per_block = _CHUNK_CELLS // max(1, n_boot * n_cases)
    if per_block >= 1:
        for start in range(0, n_sets, per_block):
            stop = min(n_sets, start + per_block)
            yield start, stop, 0, (stop - start) * n_boot
        return
    pieces = -(-n_boot // rows_per_chunk(n_cases, n_boot))
    chunk = -(-n_boot // pieces)  # equal chunks: no small remainder with its fixed costs
    for index in range(n_sets):
        for row in range(0, n_boot, chunk):
            yield index, index + 1, row, min(chunk, n_boot - row)


def iter_batched_resample_indices(
    n_sets: int, n_cases: int, n_boot: int, rng: np.random.Generator
) -> Iterator[tuple[int, int, int, np.ndarray]]:
    """Draw ``n_boot`` resamples for each of ``n_sets`` data sets, block by block.

    Yields ``(first_set, stop_set, first_row, indices)`` for the blocks of
    :func:`batched_blocks`, the indices typed by :func:`index_dtype`. The order
    is fixed, so the draws depend only on ``rng``.

    >>> rng = np.random.default_rng(0)
    >>> [(a, b, r, block.shape) for a, b, r, block in iter_batched_resample_indices(3, 200, 500, rng)][:3]
    [(0, 1, 0, (250, 200)), (0, 1, 250, (250, 200)), (1, 2, 0, (250, 200))]
    """
    dtype = index_dtype(n_cases)
    for first, stop, row, rows in batched_blocks(n_sets, n_cases, n_boot):
        yield first, stop, row, rng.integers(0, n_cases, size=(rows, n_cases), dtype=dtype)


def iter_bootstrap_sums_batched(
    variables: np.ndarray, n_boot: int, rng: np.random.Generator, sets_per_group: int | None = None
) -> Iterator[tuple[int, np.ndarray]]:
    """:func:`bootstrap_sums` for many data sets of the same size, a group of data sets at a time.

    ``variables`` is (D, n, d), one centred ``x, M, C, y`` matrix per data set.
    Yields ``(first_set, sums)`` with ``sums`` of shape (g, n_boot, d + d(d+1)/2)
    for data sets ``first_set .. first_set + g - 1``. Groups are small enough
    (about ``2**17`` sums by default) that the caller's work on them stays in
    cache; the draws are those of :func:`iter_batched_resample_indices`.
    Count buffers are reused throughout; whole data sets that share a block are
    multiplied by their own products in one batched matmul.
    """
    n_sets, n, d = variables.shape
    products = case_products(variables)
    width = products.shape[-1]
    whole_sets = _CHUNK_CELLS // max(1, n_boot * n)  # data sets per block of draws (0: chunked within one)
    if sets_per_group is None:
        sets_per_group = max(1, (1 << 17) // (n_boot * width))
    if whole_sets:  # a group holds whole blocks, so no block straddles two groups
        sets_per_group = -(-sets_per_group // whole_sets) * whole_sets
    buffers = _reused_count_buffers(whole_sets * n_boot if whole_sets else rows_per_chunk(n, n_boot), n, n)
    out = None
    with single_threaded_blas():
        for first, stop, row, block in iter_batched_resample_indices(n_sets, n, n_boot, rng):
            if out is None:
                group_start, group_stop = first, min(n_sets, first + sets_per_group)
                out = np.empty((group_stop - group_start, n_boot, width))
            counts = buffers.count(block)
            local = first - group_start
            if whole_sets:
                sets = stop - first
                np.matmul(counts.reshape(sets, n_boot, n), products[first:stop], out=out[local : local + sets])
            else:
                np.matmul(counts, products[first], out=out[local, row : row + len(block)])
            finished = whole_sets or row + len(block) == n_boot
            if finished and stop == group_stop:
                yield group_start, out
                out = None


def bootstrap_sums_batched(variables: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """All of :func:`iter_bootstrap_sums_batched` in one array, shape (D, n_boot, d + d(d+1)/2).

    >>> rng = np.random.default_rng(0)
    >>> bootstrap_sums_batched(rng.normal(size=(4, 30, 3)), 50, rng).shape
    (4, 50, 9)
    """
    groups = list(iter_bootstrap_sums_batched(variables, n_boot, rng, sets_per_group=len(variables)))
    return groups[0][1] if len(groups) == 1 else np.concatenate([sums for _, sums in groups])
