"""The results object of :func:`analysis.mediation.mediation` (tables as DataFrames)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis._bootstrap_intervals import bootstrap_interval

SOBEL_COLUMNS = ["effect", "se", "z", "p"]
STANDARDIZED_COLUMNS = [
    "partial", "partial_ci_low", "partial_ci_high", "complete", "complete_ci_low", "complete_ci_high",
]
# the column labels of every result's tables, built once rather than from a list per table
_SOBEL_INDEX, _STANDARDIZED_INDEX = pd.Index(SOBEL_COLUMNS), pd.Index(STANDARDIZED_COLUMNS)


@dataclass(frozen=True, eq=False, repr=False)
class MediationResult:
    """Results of :func:`mediation` (statsmodels style: tables as DataFrames).

    The fields hold what the fit produced; ``sobel`` and ``standardized`` are
    computed from them when first read and then kept (secondary output, so a
    call that only needs ``paths`` and ``indirect`` does not build them).

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
        each level of a categorical x to 0/1 (``None`` when x was numeric), or,
        for a multicategorical x, each level to its codes (``{level: {code: value}}``).
    x_values, y_values : ndarray, shape (n,)
        x as coded and y, for the cases used (their SDs scale ``standardized``);
        for a multicategorical x, ``x_values`` is (n, number of codes).
    boot_squares_xy : ndarray, shape (n_boot, 2)
        Each resample's centred sums of squares of x and of y (the per-resample
        SDs of ``standardized``; x's is NaN for a multicategorical x).
    x_contrasts : list of str or None
        A multicategorical x: its codes (``"{x}[{level}]"``), the contrasts of
        the relative paths and indirect effects; ``complete`` in
        ``standardized`` is then missing (x has no single SD). None otherwise.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from analysis.mediation import mediation
    >>> rng = np.random.default_rng(3)
    >>> data = pd.DataFrame({"x": np.repeat([0, 1], 40)})
    >>> data["m"] = 0.6 * data["x"] + rng.normal(size=80)
    >>> data["y"] = 0.5 * data["m"] + rng.normal(size=80)
    >>> result = mediation(data, "x", "m", "y", n_boot=500, seed=4)
    >>> list(result.sobel.columns)
    ['effect', 'se', 'z', 'p']
    >>> bool(result.standardized.loc["m", "partial"]
    ...      == result.indirect.loc["m", "effect"] / data["y"].std())
    True
    """

    paths: pd.DataFrame
    indirect: pd.DataFrame
    boot_indirect: np.ndarray
    n: int
    n_dropped: int
    n_boot: int
    seed: int
    ci: float
    ci_method: str
    x: str
    m: list[str]
    y: str
    covariates: list[str]
    x_coding: dict | None
    x_values: np.ndarray
    y_values: np.ndarray
    boot_squares_xy: np.ndarray
    x_contrasts: list | None = None

    @functools.cached_property
    def sobel(self) -> pd.DataFrame:
        """First-order Sobel test per mediator: ``effect, se, z, p``."""
        from scipy.special import ndtr

        k = len(self.m)
        table = self.paths.to_numpy()
        g = len(self.x_contrasts) if self.x_contrasts else 1  # a paths per mediator: one per code of x
        a, se_a = table[: k * g, 0], table[: k * g, 1]
        b, se_b = np.repeat(table[k * g : k * g + k, 0], g), np.repeat(table[k * g : k * g + k, 1], g)
        se = np.sqrt(b**2 * se_a**2 + a**2 * se_b**2)
        z = a * b / se
        return pd.DataFrame(
            np.column_stack([a * b, se, z, 2 * ndtr(-np.abs(z))]),
            index=self.indirect.index[: k * g],
            columns=_SOBEL_INDEX,
        )

    @functools.cached_property
    def standardized(self) -> pd.DataFrame:
        """Partially and completely standardised indirect effects with bootstrap intervals."""
        effect = self.indirect.to_numpy()[:, 0]  # the "effect" column; the array skips pandas' column lookup
        boot = self.boot_indirect
        if self.x_contrasts:
            return self._standardized_relative(effect, boot)
        if len(self.m) > 1:
            boot = np.column_stack([boot, boot.sum(axis=1)])  # the total, as in ``indirect``
        sd_x, sd_y = np.std(self.x_values, ddof=1), np.std(self.y_values, ddof=1)
        boot_sd_x = np.sqrt(self.boot_squares_xy[:, :1] / (self.n - 1))
        boot_sd_y = np.sqrt(self.boot_squares_xy[:, -1:] / (self.n - 1))
        # partially (ab / SD_y) and completely (ab SD_x / SD_y) standardised, in one pass
        points = np.concatenate([effect / sd_y, effect * sd_x / sd_y])
        draws = np.hstack([boot / boot_sd_y, boot * boot_sd_x / boot_sd_y])
        lows, highs = bootstrap_interval(draws, points, self.ci, self.ci_method)
        partial, complete = slice(0, len(effect)), slice(len(effect), 2 * len(effect))
        return pd.DataFrame(
            np.column_stack([points[partial], lows[partial], highs[partial], points[complete], lows[complete], highs[complete]]),
            index=self.indirect.index,
            columns=_STANDARDIZED_INDEX,
        )

    def _standardized_relative(self, effect: np.ndarray, boot: np.ndarray) -> pd.DataFrame:
        """A multicategorical x: partially standardised relative indirect effects (x has no single SD)."""
        g = len(self.x_contrasts)
        if len(self.m) > 1:  # the total per code, as in ``indirect``
            boot = np.column_stack([boot, boot.reshape(len(boot), len(self.m), g).sum(axis=1)])
        points = effect / np.std(self.y_values, ddof=1)
        draws = boot / np.sqrt(self.boot_squares_xy[:, -1:] / (self.n - 1))
        lows, highs = bootstrap_interval(draws, points, self.ci, self.ci_method)
        missing = np.full_like(points, np.nan)
        return pd.DataFrame(np.column_stack([points, lows, highs, missing, missing, missing]),
                            index=self.indirect.index, columns=_STANDARDIZED_INDEX)

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
        indirect.index = ["indirect" + "".join(f"[{part}]" for part in (name if isinstance(name, tuple) else (name,)))
                          for name in indirect.index]
        frame = pd.concat([paths, indirect])
        return frame[["kind", "estimate", "se", "ci_low", "ci_high", "p"]]

    def summary(self) -> str:
        """A plain-text report of the model, in the spirit of PROCESS' output."""
        level = f"{100 * self.ci:g}%"
        method = "percentile" if self.ci_method == "percentile" else "bias-corrected"
        coding = "numeric as given" if self.x_coding is None else str(self.x_coding)
        if self.x_contrasts:
            coding = f"multicategorical, relative effects of {', '.join(self.x_contrasts)}"
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
