"""OLS with PROCESS's standard errors: classical or heteroskedasticity-consistent HC0-HC4.

With residuals ``e``, leverages ``h`` (the diagonal of the hat matrix), n cases
and p coefficients, the covariance is ``(X'X)^-1 X' diag(omega) X (X'X)^-1`` with

- HC0: ``omega = e^2`` (White 1980); HC1: HC0 times ``n / (n - p)``;
- HC2: ``e^2 / (1 - h)``; HC3: ``e^2 / (1 - h)^2`` (MacKinnon & White 1985);
- HC4: ``e^2 / (1 - h)^d`` with ``d = min(4, n h / p)`` (Cribari-Neto 2004),

as in PROCESS (Hayes & Cai 2007). F tests of a set of coefficients are Wald
tests with that covariance (``b' V^-1 b / q`` on q and n - p df): the usual F
when ``hc`` is None, the robust F otherwise; the R-squared change always comes
from refitting OLS without the set.

>>> rng = np.random.default_rng(0)
>>> design = np.column_stack([np.ones(30), rng.normal(size=30)])
>>> fit = fit_ols(design, design @ [1.0, 2.0] + rng.normal(size=30), hc="HC3")
>>> fit.coef.round(2)
array([1.23, 1.62])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HC_TYPES = (None, "HC0", "HC1", "HC2", "HC3", "HC4")


@dataclass(frozen=True, eq=False)
class OLSFit:
    """One regression: coefficients, their covariance (classical or HC) and fit statistics."""

    coef: np.ndarray
    cov: np.ndarray
    r2: float
    mse: float
    df_resid: int
    n: int

    @property
    def se(self) -> np.ndarray:
        return np.sqrt(np.diag(self.cov))

    def table(self, level: float) -> np.ndarray:
        """(p, 6): coef, se, t, p, ci_low, ci_high (t distribution on the residual df)."""
        return linear_table(self.coef, self.se, self.df_resid, level)

    def wald(self, columns) -> tuple[float, int, int, float]:
        """Wald F of the coefficients in ``columns`` being 0: ``(F, df1, df2, p)``."""
        from scipy.special import fdtrc

        columns = np.asarray(columns)
        b = self.coef[columns]
        statistic = float(b @ np.linalg.solve(self.cov[np.ix_(columns, columns)], b)) / columns.size
        return statistic, int(columns.size), self.df_resid, float(fdtrc(columns.size, self.df_resid, statistic))


def linear_table(estimate, se, df, level) -> np.ndarray:
    """Rows of ``estimate, se, t, p, ci_low, ci_high`` for estimates with t-based inference on ``df``."""
    from scipy.special import stdtr, stdtrit

    estimate, se = np.asarray(estimate, dtype=np.float64), np.asarray(se, dtype=np.float64)
    t = estimate / se
    margin = stdtrit(df, 1 - (1 - level) / 2) * se
    return np.column_stack([estimate, se, t, 2 * stdtr(df, -np.abs(t)), estimate - margin, estimate + margin])


def fit_ols(design: np.ndarray, y: np.ndarray, hc: str | None = None) -> OLSFit:
    """Least squares of ``y`` on ``design`` (first column the constant), with ``hc`` covariance."""
    n, p = design.shape
    q, r = np.linalg.qr(design)
    if np.abs(np.diag(r)).min() <= 1e-10 * np.abs(np.diag(r)).max():
        raise ValueError("the predictors of a regression are collinear (a column is constant or a copy of others).")
    r_inv = np.linalg.inv(r)
    coef = r_inv @ (q.T @ y)
    resid = y - design @ coef
    df_resid = n - p
    ss_resid = float(resid @ resid)
    centred = y - y.mean()
    r2 = 1.0 - ss_resid / float(centred @ centred)
    mse = ss_resid / df_resid
    bread = r_inv @ r_inv.T  # (X'X)^-1
    if hc is None:
        cov = mse * bread
    else:
        leverage = (q * q).sum(axis=1)
        squared = resid * resid
        if hc in ("HC0", "HC1"):
            omega = squared
        elif hc == "HC2":
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
    return OLSFit(coef=coef, cov=cov, r2=r2, mse=mse, df_resid=df_resid, n=n)


def r2_change(design: np.ndarray, y: np.ndarray, columns, full_r2: float) -> float:
    """The OLS R-squared lost when ``columns`` are dropped from ``design``."""
    keep = np.setdiff1d(np.arange(design.shape[1]), np.asarray(columns))
    reduced = design[:, keep]
    coef, *_ = np.linalg.lstsq(reduced, y, rcond=None)
    resid = y - reduced @ coef
    centred = y - y.mean()
    return full_r2 - (1.0 - float(resid @ resid) / float(centred @ centred))
