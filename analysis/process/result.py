"""The results object of :func:`analysis.process.process`: tables as DataFrames, a PROCESS-like summary.

The fields hold what the fit produced; ``summary()`` and ``to_frame()`` lay
them out. Field names are contracts (issue 12): other parts of replylab and
users read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.process.spec import ModelSpec


@dataclass(frozen=True, eq=False)
class JohnsonNeyman:
    """Johnson-Neyman probing of the effect of X along a continuous moderator.

    ``points``: the moderator values (within its observed range) where the
    effect is significant at exactly the interval's level; ``table``: the
    effect (``w, effect, se, t, p, ci_low, ci_high``) at 21 equally spaced
    values from the moderator's minimum to its maximum, with the points added.
    """

    moderator: str
    points: list[float]
    table: pd.DataFrame


@dataclass(frozen=True, eq=False, repr=False)
class ProcessResult:
    """Results of :func:`analysis.process.process` (statsmodels style: tables as DataFrames).

    A table that does not apply to the model (e.g. ``index`` in model 4) is None.

    Attributes
    ----------
    coefficients : dict of str to DataFrame
        Per outcome (mediators in order, then Y): rows by term (``constant``,
        column names, ``"{x}:{w}"`` products, ``"{x}[{level}]"`` codes of a
        categorical X), columns ``coef, se, t, p, ci_low, ci_high`` (``se`` is
        the ``hc`` standard error when set).
    model_summary : DataFrame
        Per outcome: ``r2, F, df1, df2, p`` (F is the robust Wald F when ``hc`` is set).
    indirect : DataFrame or None
        Unconditional indirect effects (models 4, 6; relative ones per code of a
        multicategorical X): index the path (``"x -> m1 -> m2 -> y"``,
        ``"total"``, pairwise contrasts ``"C1"``...) and, for a categorical X,
        the ``contrast`` (X code); columns ``effect, boot_se, ci_low, ci_high``.
    conditional_indirect : DataFrame or None
        Columns ``m`` (the mediator, or the chain of them), ``w`` (and ``z``),
        ``contrast`` (categorical X), ``effect, boot_se, ci_low, ci_high``.
    conditional_effects : DataFrame or None
        The conditional direct effect of X (models 1-3: its conditional effect)
        at the moderator values: columns ``w`` (and ``z``), ``contrast``
        (categorical X), ``effect, se, t, p, ci_low, ci_high``.
    index : DataFrame or None
        Index of moderated mediation per mediator (and contrast): columns
        ``index, boot_se, ci_low, ci_high``; models whose indirect effect is
        linear in one moderator (7, 8, 14, 15).
    jn : JohnsonNeyman or None
        Johnson-Neyman points and table of the (direct) effect of a continuous
        or dichotomous X moderated by one continuous moderator.
    omnibus : DataFrame or None
        Categorical X: tests of all its codes together, rows ``total`` and
        ``direct``, columns ``r2_change, F, df1, df2, p``.
    direct_effect, total_effect : DataFrame or None
        Unmoderated direct effect (mediation models) and total effect
        (unmoderated mediation models) per X term: ``effect, se, t, p, ci_low, ci_high``.
    interaction_tests : DataFrame or None
        Tests of the product terms: ``outcome, term, r2_change, F, df1, df2, p``.
    moderator_values : dict
        Role (``"w"``, ``"z"``) to the values probed.
    boot : dict of str to ndarray
        The bootstrap draws (n_boot, rows) of ``indirect``, ``conditional_indirect``
        and ``index``, in their row order.
    mse : dict of str to float
        Residual mean square per outcome.
    equations : tuple of Equation
        The regressions (mediators in order, then Y) with their terms
        (:mod:`analysis.process.design`).
    fits : dict of str to OLSFit
        Per outcome: coefficients, their covariance (classical or ``hc``) and
        residual df, for probing effects beyond the tables (:meth:`plot_data`).
    columns : dict of str to ndarray
        The analysed cases' base variables: X (or its code columns), the
        mediators, Y, the moderators and the covariates.
    """

    coefficients: dict
    model_summary: pd.DataFrame
    indirect: pd.DataFrame | None
    conditional_indirect: pd.DataFrame | None
    conditional_effects: pd.DataFrame | None
    index: pd.DataFrame | None
    jn: JohnsonNeyman | None
    omnibus: pd.DataFrame | None
    direct_effect: pd.DataFrame | None
    total_effect: pd.DataFrame | None
    interaction_tests: pd.DataFrame | None
    moderator_values: dict
    boot: dict
    mse: dict
    model: ModelSpec
    x: str
    m: list
    y: str
    w: str | None
    z: str | None
    covariates: list
    x_coding: str | None
    x_codes: dict | None
    hc: str | None
    n: int
    n_dropped: int
    n_boot: int
    seed: int
    ci: float
    ci_method: str
    equations: tuple = ()
    fits: dict = field(default_factory=dict)
    columns: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        number = self.model.number if self.model.number is not None else "custom"
        return f"<ProcessResult model={number} x={self.x!r} m={self.m!r} y={self.y!r} w={self.w!r} z={self.z!r} n={self.n}>"

    def to_frame(self) -> pd.DataFrame:
        """All estimates in one long table.

        Columns ``table`` (coefficient, conditional_effect, direct_effect,
        total_effect, indirect, conditional_indirect, index), ``outcome``,
        ``label`` (term, path or moderator values), ``estimate``, ``se``
        (bootstrap SE for bootstrap rows), ``p`` (missing for bootstrap rows),
        ``ci_low``, ``ci_high``.
        """
        pieces = []
        for outcome, table in self.coefficients.items():
            pieces.append(_long(table.rename(columns={"coef": "estimate"}), "coefficient", outcome, table.index))
        for name in ("direct_effect", "total_effect"):
            table = getattr(self, name)
            if table is not None:
                pieces.append(_long(table.rename(columns={"effect": "estimate"}), name, self.y, table.index))
        if self.conditional_effects is not None:
            table = self.conditional_effects
            pieces.append(_long(table.rename(columns={"effect": "estimate"}), "conditional_effect", self.y, _row_labels(table)))
        for name, column in (("indirect", "effect"), ("conditional_indirect", "effect"), ("index", "index")):
            table = getattr(self, name)
            if table is not None:
                labels = table.index if name != "conditional_indirect" else _row_labels(table)
                renamed = table.rename(columns={column: "estimate", "boot_se": "se"}).assign(p=np.nan)
                pieces.append(_long(renamed, name, self.y, labels))
        return pd.concat(pieces, ignore_index=True)

    def plot_data(self, *, outcome: str | None = None, focal: str | None = None, points: int = 101):
        """Data for plotting a moderated effect: the conditional effect across the moderator and predicted values.

        Parameters
        ----------
        outcome, focal : str, optional
            Which moderated path: the equation's outcome (Y or a mediator) and
            the variable whose effect is moderated (X or a mediator). Default:
            the first of X -> Y, X -> M, M -> Y that is moderated.
        points : int, default 101
            Values spanning a continuous moderator's range (the probed values and
            Johnson-Neyman points are added).

        Returns
        -------
        ProcessPlotData
            ``effects`` (the moderator's values, ``contrast`` for a
            multicategorical X, ``effect, se, t, p, ci_low, ci_high``),
            ``predicted`` (PROCESS's "data for visualizing" block with
            ``yhat, se, ci_low, ci_high``), ``jn_points``; see
            :mod:`analysis.process.plotting`.

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> from analysis.process import process
        >>> rng = np.random.default_rng(2)
        >>> data = pd.DataFrame({"x": rng.normal(size=120), "w": rng.normal(size=120)})
        >>> data["y"] = 0.3 * data["x"] + 0.4 * data["x"] * data["w"] + rng.normal(size=120)
        >>> plotted = process(data, 1, x="x", w="w", y="y").plot_data(points=11)
        >>> plotted.effects.columns.tolist()
        ['w', 'effect', 'se', 't', 'p', 'ci_low', 'ci_high']
        >>> len(plotted.predicted)  # 3 values of x at 3 values of w
        9
        """
        from analysis.process.plotting import plot_data

        return plot_data(self, outcome=outcome, focal=focal, points=points)

    def summary(self) -> str:
        """A plain-text report laid out like PROCESS's output (Hayes 2022, appendix A)."""
        from analysis.process.summary import summary_text

        return summary_text(self)


def _row_labels(table: pd.DataFrame) -> list[str]:
    keys = [column for column in table.columns if column in ("m", "w", "z", "contrast")]
    return [", ".join(f"{key}={_fmt(value)}" for key, value in zip(keys, row)) for row in table[keys].itertuples(index=False)]


def _fmt(value) -> str:
    return f"{value:.4f}" if isinstance(value, (float, np.floating)) else str(value)


def _long(table: pd.DataFrame, kind: str, outcome: str, labels) -> pd.DataFrame:
    labels = [" / ".join(map(str, label)) if isinstance(label, tuple) else str(label) for label in labels]
    frame = pd.DataFrame({
        "table": kind, "outcome": outcome, "label": labels,
        "estimate": table["estimate"].to_numpy(), "se": table["se"].to_numpy(), "p": table["p"].to_numpy(),
        "ci_low": table["ci_low"].to_numpy(), "ci_high": table["ci_high"].to_numpy(),
    })
    return frame
