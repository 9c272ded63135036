"""OLS with PROCESS's standard errors: classical or heteroskedasticity-consistent HC0-HC4.

With residuals ``e``, leverages ``h`` (the diagonal of the hat matrix), n cases
and p coefficients, the covariance is ``(X'X)^-1 X' diag(omega) X (X'X)^-1`` with

- HC0: ``omega = e^2`` (White 1980); HC1: HC0 times ``n / (n - p)``;
- HC2: ``e^2 / (1 - h)``; HC3: ``e^2 / (1 - h)^2`` (MacKinnon & White 1985);
- HC4: ``e^2 / (1 - h)^d`` with ``d = min(4, n h / p)`` (Cribari-Neto 2004),

as in PROCESS (Hayes & Cai 2007). F tests of a set of coefficients are Wald
tests with that covariance (``b' V^-1 b / q`` on q and n - p df): the usual F
when ``hc`` is None, the robust F otherwise; the R-squared change is always the
OLS one (what refitting without the set would lose, taken from the full fit:
:meth:`OLSFit.r2_change`).

>>> rng = np.random.default_rng(0)
>>> design = np.column_stack([np.ones(30), rng.normal(size=30)])
>>> fit = fit_ols(design, design @ [1.0, 2.0] + rng.normal(size=30), hc="HC3")
>>> fit.coef.round(2)
array([1.23, 1.62])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.linalg.lapack import dgeqrf, dorgqr, dtrtri
from scipy.special import fdtrc, stdtr, stdtrit

HC_TYPES = (None, "HC0", "HC1", "HC2", "HC3", "HC4")


@dataclass(frozen=True, eq=False)
class OLSFit:
    """One regression: coefficients, their covariance (classical or HC) and fit statistics.

    ``xtx_inv`` is ``(X'X)^-1`` and ``ss_total`` the total sum of squares of the
    outcome: with them :meth:`r2_change` needs no second regression.
    """

    coef: np.ndarray
    cov: np.ndarray
    r2: float
    mse: float
    df_resid: int
    n: int
    xtx_inv: np.ndarray | None = None
    ss_total: float = np.nan

    @property
    def se(self) -> np.ndarray:
        return np.sqrt(np.diag(self.cov))

    def table(self, level: float) -> np.ndarray:
        """(p, 6): coef, se, t, p, ci_low, ci_high (t distribution on the residual df)."""
        return linear_table(self.coef, self.se, self.df_resid, level)

    def wald(self, columns) -> tuple[float, int, int, float]:
        """Wald F of the coefficients in ``columns`` being 0: ``(F, df1, df2, p)``."""
        columns = np.asarray(columns)
        b = self.coef[columns]
        statistic = float(b @ np.linalg.solve(self.cov[np.ix_(columns, columns)], b)) / columns.size
        return statistic, int(columns.size), self.df_resid, float(fdtrc(columns.size, self.df_resid, statistic))

    def r2_change(self, columns) -> float:
        """The OLS R-squared lost when the coefficients in ``columns`` are dropped.

        The residual sum of squares grows by ``b_S' [(X'X)^-1_SS]^-1 b_S`` (the
        classical Wald numerator), so no reduced model is fitted.
        """
        columns = np.asarray(columns)
        b = self.coef[columns]
        return float(b @ np.linalg.solve(self.xtx_inv[np.ix_(columns, columns)], b)) / self.ss_total


def linear_table(estimate, se, df, level) -> np.ndarray:
    """Rows of ``estimate, se, t, p, ci_low, ci_high`` for estimates with t-based inference on ``df``."""
    estimate, se = np.asarray(estimate, dtype=np.float64), np.asarray(se, dtype=np.float64)
    t = estimate / se
    margin = stdtrit(df, 1 - (1 - level) / 2) * se
    return np.column_stack([estimate, se, t, 2 * stdtr(df, -np.abs(t)), estimate - margin, estimate + margin])


def fit_ols(design: np.ndarray, y: np.ndarray, hc: str | None = None) -> OLSFit:
    """Least squares of ``y`` on ``design`` (first column the constant), with ``hc`` covariance.

    One Householder QR of ``[design, y]`` (LAPACK ``dgeqrf``) gives R, ``Q'y``
    and the residual sum of squares together; Q itself is formed only for the
    leverages of HC2-HC4.
    """
    n, p = design.shape
    augmented = np.empty((n, p + 1), order="F")
    augmented[:, :p] = design
    augmented[:, p] = y
    factored, tau, _, info = dgeqrf(augmented, overwrite_a=1)
    r = np.triu(factored[:p, :p])
    # R's column j holds column j of the design in the orthonormal basis of Q: its norm is the column's,
    # and its diagonal entry the part the earlier columns do not explain. Comparing each column with
    # itself keeps the test free of units (GDP in dollars beside a 0/1 treatment).
    diagonal, lengths = np.abs(np.diag(r)), np.sqrt((r * r).sum(axis=0))
    if info != 0 or (diagonal <= 1e-10 * lengths).any():
        raise ValueError("the predictors of a regression are collinear (a column is constant or a copy of others).")
    r_inv, _ = dtrtri(r)
    coef = r_inv @ factored[:p, p]
    resid = y - design @ coef
    df_resid = n - p
    ss_resid = float(resid @ resid)
    centred = y - y.mean()
    ss_total = float(centred @ centred)
    r2 = 1.0 - ss_resid / ss_total
    mse = ss_resid / df_resid
    bread = r_inv @ r_inv.T  # (X'X)^-1
    if hc is None:
        cov = mse * bread
    else:
        squared = resid * resid
        if hc in ("HC0", "HC1"):
            omega = squared
        else:
            q = dorgqr(factored[:, :p], tau[:p], overwrite_a=0)[0]
            leverage = (q * q).sum(axis=1)
            if hc == "HC2":
                omega = squared / (1 - leverage)
            elif hc == "HC3":
                omega = squared / (1 - leverage) ** 2
            elif hc == "HC4":
                omega = squared / (1 - leverage) ** np.minimum(4.0, n * leverage / p)
            else:
                raise ValueError(f"hc must be one of {HC_TYPES}; got {hc!r}.")
        scaled = design.T * omega
        cov = bread @ (scaled @ design) @ bread
        if hc == "HC1":
            cov *= n / df_resid
    return OLSFit(coef=coef, cov=cov, r2=r2, mse=mse, df_resid=df_resid, n=n, xtx_inv=bread, ss_total=ss_total)
