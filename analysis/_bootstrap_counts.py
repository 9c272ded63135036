"""Counting resamples: how often each case is drawn in each resample, chunk by chunk.

The bootstrap kernel (``analysis._bootstrap``) multiplies these counts by the
per-case products; the buffers here are reused across chunks and, per thread,
across calls.

>>> resample_counts(np.array([[1, 1, 0]]), 3)
array([[1., 2., 0.]])
"""

from __future__ import annotations

import threading

import numpy as np
from scipy import sparse


def resample_counts(indices: np.ndarray, n_cases: int, out: np.ndarray | None = None) -> np.ndarray:
    """Count how often each case occurs in each resample.

    Parameters
    ----------
    indices : ndarray of int, shape (r, k)
        Row ``i`` holds the case indices (0 .. n_cases-1) of resample ``i``.
    n_cases : int
    out : ndarray of float64, shape (>= r, n_cases), optional
        Buffer for the counts (its first ``r`` rows are used).

    Returns
    -------
    ndarray of float64, shape (r, n_cases)

    Examples
    --------
    >>> resample_counts(np.array([[0, 0, 2], [1, 2, 2]]), 3)
    array([[2., 0., 1.],
           [0., 1., 2.]])
    """
    rows, draws = indices.shape
    return _CountBuffers(rows, n_cases, draws, counts=out).count(indices)


class _CountBuffers:
    """Counts of resamples, chunk by chunk, in buffers reused across chunks of at most ``rows`` resamples.

    A chunk of resample indices (rows = resamples) is read as a sparse matrix
    in CSR form: row ``i`` holds one entry 1 in column ``j`` for each draw of
    case ``j``. ``scipy.sparse``'s ``toarray`` writes it into the dense count
    buffer in one C++ loop that adds up repeated columns, and needs no per-row
    offsets: the row pointers are fixed. It replaced ``np.add.at`` (and
    ``np.bincount``) on flat row-offset indices, which need those offsets
    added chunk by chunk and took longer. Reusing the buffers matters: every
    fresh large array costs a page fault per 4 kB.
    """

    def __init__(self, rows: int, n_cases: int, n_draws: int, counts: np.ndarray | None = None):
        self.counts = np.empty((rows, n_cases)) if counts is None else counts  # (>= rows, n_cases)
        self.n_cases, self.n_draws = n_cases, n_draws
        self.shape = (rows, n_cases, n_draws)
        self._columns = np.zeros(rows * n_draws, dtype=np.int32)  # the CSR column indices
        self._ones = np.ones(rows * n_draws)
        self._starts = np.arange(0, rows * n_draws + 1, n_draws, dtype=np.int32)
        # one matrix per chunk height, refilled chunk after chunk: building a scipy matrix runs
        # enough Python to rival the counting of a small chunk
        self._matrices: dict[int, sparse.csr_array] = {}

    def count(self, indices: np.ndarray) -> np.ndarray:
        """The (rows, n_cases) counts of the resamples in ``indices`` (a view of the buffer)."""
        rows = indices.shape[0]
        draws = self._matrices.get(rows)
        if draws is None:
            entries = rows * self.n_draws
            draws = sparse.csr_array(
                (self._ones[:entries], self._columns[:entries], self._starts[: rows + 1]), shape=(rows, self.n_cases)
            )
            if len(self._matrices) < 8:  # in practice: full chunks and one shorter last one
                self._matrices[rows] = draws
        draws.indices[...] = indices.reshape(-1)
        return draws.toarray(out=self.counts[:rows])  # toarray zeroes the buffer first


_scratch = threading.local()


def _reused_count_buffers(rows: int, n_cases: int, n_draws: int) -> _CountBuffers:
    """This thread's count buffers from its previous bootstrap when the shapes match, else new ones.

    A new set costs a page fault per 4 kB of its buffers (about 1.3 MB), a
    visible share of a small bootstrap; repeated analyses of one data set, as
    in a report or a benchmark, reuse it. The buffers are scratch within one
    chunk's count and matrix product, so no two users can hold them at once in
    one thread.
    """
    buffers = getattr(_scratch, "buffers", None)
    if buffers is None or buffers.shape != (rows, n_cases, n_draws):
        buffers = _scratch.buffers = _CountBuffers(rows, n_cases, n_draws)
    return buffers


def iter_block_counts(index_blocks, n_cases: int):
    """Each block of resample indices as ``(counts, n_draws)``: its (rows, n_cases) count
    matrix, in this thread's reused buffers (valid until the next block), and its draws.

    >>> blocks = [np.array([[0, 0, 1], [2, 1, 0]])]
    >>> [(counts.tolist(), n_draws) for counts, n_draws in iter_block_counts(blocks, 3)]
    [([[2.0, 1.0, 0.0], [1.0, 1.0, 1.0]], 3)]
    """
    buffers = None
    for block in index_blocks:
        rows, n_draws = block.shape
        if buffers is None or buffers.counts.shape[0] < rows or buffers.n_draws != n_draws:
            buffers = _reused_count_buffers(rows, n_cases, n_draws)
        yield buffers.count(block), n_draws
