"""The results object of :func:`analysis.mediation.mediation` (tables as DataFrames)."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd


class MediationResult:
    """Results of :func:`mediation` (statsmodels style: tables as DataFrames).

    Attributes
    ----------
    paths : DataFrame
        Rows ``a``, ``b``, ``c`` (total effect), ``c_prime`` (direct effect);
        with several mediators ``a[<m>]`` and ``b[<m>]`` per mediator. Columns
        ``coef, se, t, p, ci_low, ci_high`` (OLS; t-based interval at ``ci``).
    indirect : DataFrame
        One row per mediator (plus ``total`` with several). Columns ``effect``
        (``a * b``), ``boot_se`` (SD of the bootstrap distribution),
        ``ci_low, ci_high`` (bootstrap interval, ``ci_method``).
    sobel : DataFrame
        Per mediator: ``effect, se, z, p`` of the first-order Sobel test.
        Built on first use, like ``standardized`` (secondary output).
    standardized : DataFrame
        Per row of ``indirect``: ``partial`` (``ab / SD_y``), ``complete``
        (``ab * SD_x / SD_y``), each with a bootstrap interval
        (``partial_ci_low`` ...). Each resample uses its own SDs, as PROCESS does.
        With a two-level x, report ``partial`` (Hayes 2018, section 3.5).
    boot_indirect : ndarray, shape (n_boot, n_mediators)
        The bootstrap distribution of each indirect effect (NaN for resamples in
        which a regression could not be estimated).
    n, n_dropped : int
        Cases used, and cases dropped for a missing value (listwise).
    n_boot, seed, ci, ci_method : the bootstrap settings (``seed`` is the one
        drawn when none was given, so the run can be repeated).
    x, m, y, covariates, x_coding : the model as specified; ``x_coding`` maps
        each level of a categorical x to 0/1 (``None`` when x was numeric).
    """

    def __init__(self, *, lazy=None, **fields):
        # lazy: {"sobel": f, "standardized": f}, functions that build those tables when first read
        self._lazy = dict(lazy or {})
        for name, value in fields.items():
            setattr(self, name, value)

    @functools.cached_property
    def sobel(self) -> pd.DataFrame:
        return self._lazy.pop("sobel")()

    @functools.cached_property
    def standardized(self) -> pd.DataFrame:
        return self._lazy.pop("standardized")()

    def __repr__(self) -> str:
        return (
            f"<MediationResult x={self.x!r} m={self.m!r} y={self.y!r} n={self.n} "
            f"n_boot={self.n_boot} ci_method={self.ci_method!r}>"
        )

    def to_frame(self) -> pd.DataFrame:
        """Paths and indirect effects in one long table.

        Columns ``kind`` (``path`` or ``indirect``), ``estimate``, ``se`` (OLS
        for paths, bootstrap for indirect effects), ``ci_low``, ``ci_high``,
        ``p`` (missing for bootstrap rows). Indirect rows are named
        ``indirect[<mediator>]`` and ``indirect[total]``.
        """
        paths = self.paths.rename(columns={"coef": "estimate"})
        paths = paths[["estimate", "se", "ci_low", "ci_high", "p"]].assign(kind="path")
        indirect = self.indirect.rename(columns={"effect": "estimate", "boot_se": "se"})
        indirect = indirect.assign(p=np.nan, kind="indirect")
        indirect.index = [f"indirect[{name}]" for name in indirect.index]
        frame = pd.concat([paths, indirect])
        return frame[["kind", "estimate", "se", "ci_low", "ci_high", "p"]]

    def summary(self) -> str:
        """A plain-text report of the model, in the spirit of PROCESS' output."""
        level = f"{100 * self.ci:g}%"
        method = "percentile" if self.ci_method == "percentile" else "bias-corrected"
        coding = "numeric as given" if self.x_coding is None else str(self.x_coding)
        lines = [
            "Mediation (Hayes model 4)",
            f"  x = {self.x} ({coding}), m = {', '.join(self.m)}, y = {self.y}",
            f"  covariates: {', '.join(self.covariates) or 'none'}",
            f"  n = {self.n} (dropped for missing values: {self.n_dropped})",
            f"  bootstrap: {self.n_boot} resamples, {method} {level} interval, seed {self.seed}",
            "",
            f"Paths (OLS, {level} t-interval)",
            self.paths.to_string(float_format=lambda v: f"{v:.4f}"),
            "",
            "Indirect effects",
            self.indirect.to_string(float_format=lambda v: f"{v:.4f}"),
            "",
            "Sobel test (normal theory)",
            self.sobel.to_string(float_format=lambda v: f"{v:.4f}"),
            "",
            "Standardised indirect effects",
            self.standardized.to_string(float_format=lambda v: f"{v:.4f}"),
        ]
        return "\n".join(lines)
