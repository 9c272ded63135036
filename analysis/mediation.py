"""Simple and parallel mediation (Hayes' PROCESS model 4) with a vectorised bootstrap.

``mediation`` regresses each mediator on x (the a paths), y on x and the
mediators (the b paths and the direct effect c'), and y on x alone (the total
effect c), all with the same covariates, and bootstraps the indirect effects
``a_j * b_j`` with the vectorised kernel of ``analysis._bootstrap``.

>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(7)
>>> x = np.repeat(["private", "public"], 70)
>>> pk = 0.5 * (x == "public") + rng.normal(size=140)
>>> attitude = 0.4 * pk + rng.normal(size=140)
>>> data = pd.DataFrame({"channel": x, "pk": pk, "attitude": attitude})
>>> result = mediation(data, x="channel", m="pk", y="attitude", n_boot=2000, seed=1)
>>> result.x_coding
{'private': 0, 'public': 1}
>>> list(result.paths.index)
['a', 'b', 'c', 'c_prime']
>>> bool(result.indirect.loc["pk", "ci_low"] > 0)
True
"""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pandas as pd

from analysis._bootstrap import bootstrap_indirect, centred_squares
from analysis._bootstrap_intervals import CI_METHODS, bootstrap_interval
from analysis._checks import (
    as_name_list,
    numeric_column,
    require_columns,
    require_complete_rows,
    require_dataframe,
    require_level,
)
from analysis.mediation_result import STANDARDIZED_COLUMNS, MediationResult
from analysis.process.coding import mixed_levels_message
from analysis.process.ols import HC_TYPES, fit_ols, linear_table

PATH_COLUMNS = ["coef", "se", "t", "p", "ci_low", "ci_high"]
INDIRECT_COLUMNS = ["effect", "boot_se", "ci_low", "ci_high"]
# the labels of every fit's tables, built once rather than from a list per call
_PATH_INDEX, _INDIRECT_INDEX = pd.Index(PATH_COLUMNS), pd.Index(INDIRECT_COLUMNS)
_ONE_MEDIATOR_PATHS = pd.Index(["a", "b", "c", "c_prime"])


def _validate_settings(n_boot, ci, ci_method, seed) -> tuple[int, float, int]:
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 1:
        raise ValueError(f"`n_boot` must be a positive whole number of resamples (e.g. 5000); got {n_boot!r}.")
    level = require_level(ci, "ci")
    if ci_method not in CI_METHODS:
        raise ValueError(f"`ci_method` must be one of {CI_METHODS}; got {ci_method!r}.")
    if seed is None:
        seed = int(np.random.SeedSequence().entropy)
    elif isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"`seed` must be a non-negative integer or None; got {seed!r}.")
    return int(n_boot), level, int(seed)


def _plain_numeric(series: pd.Series) -> bool:
    """A numpy integer or float column: the common case, checked without pandas' type helpers.

    (Right after a bootstrap, as in a loop of analyses, the CPU caches hold none
    of pandas' code, and each of its helpers is then slow to run.)
    """
    return isinstance(series.dtype, np.dtype) and series.dtype.kind in "iuf"


def _code_x(series: pd.Series, name: str, x_coding: dict | None) -> tuple[np.ndarray, dict | None]:
    """x as floats, and the coding used for a categorical x."""
    if x_coding is not None:
        if not isinstance(x_coding, dict) or not x_coding:
            raise ValueError(f"`x_coding` must be a dict mapping each level of {name!r} to a number, e.g. {{'private': 0, 'public': 1}}.")
        # match levels as they are (1.0 == 1), or else by their text ('1' for a column of strings)
        by_text = {str(level): code for level, code in x_coding.items()}
        mapped = [x_coding[v] if v in x_coding else by_text.get(str(v)) for v in series.unique()]
        unknown = sorted(str(v) for v, code in zip(series.unique(), mapped) if code is None)
        if unknown:
            raise ValueError(f"column {name!r} has levels {unknown} that `x_coding` does not code; add them to x_coding.")
        coded = pd.to_numeric(series.map(dict(zip(series.unique(), mapped))), errors="coerce")
        if coded.isna().any():
            raise ValueError(f"`x_coding` must map the levels of {name!r} to numbers; got {x_coding!r}.")
        values, coding = coded.to_numpy(dtype=np.float64), dict(x_coding)
    elif _plain_numeric(series) or pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
        values, coding = series.to_numpy(dtype=np.float64), None
        if not np.isfinite(values).all():
            raise ValueError(f"column {name!r} (x) contains infinite values; replace them by missing values or finite numbers.")
    else:
        if isinstance(series.dtype, pd.CategoricalDtype):
            levels = [level for level in series.cat.categories if level in set(series)]
        else:
            try:
                levels = sorted(series.unique())
            except TypeError:  # numbers and text mixed in one column
                raise ValueError(mixed_levels_message(series, name)) from None
        if len(levels) != 2:
            raise ValueError(
                f"column {name!r} has {len(levels)} levels ({', '.join(map(repr, levels[:5]))}); "
                "mediation needs a numeric x or one with two levels. Pass x_coding={level: 0 or 1} "
                "to choose and code two levels, x_coding='indicator' (or 'sequential', 'helmert', "
                "'effect') for relative effects of every level, or filter the data first."
            )
        coding = {levels[0]: 0, levels[1]: 1}
        values = (series == levels[1]).to_numpy(dtype=np.float64)
    if values.min() == values.max():
        raise ValueError(f"column {name!r} (x) is constant after coding; x must take at least two values.")
    return values, coding


def _complete_numeric(data: pd.DataFrame, names: list[str]) -> tuple[pd.Series, int, dict]:
    """Listwise deletion: x (the first name) as a Series, the others as float arrays.

    The common case (numeric, non-constant columns) takes a numpy fast path; any
    other column goes through ``analysis._checks.numeric_column`` for its checks and
    error message.
    """
    columns = {name: data[name] for name in names}
    x_column, others = columns[names[0]], [columns[name] for name in names[1:]]
    if _plain_numeric(x_column) and all(_plain_numeric(series) for series in others):
        # the common case in a few whole-array checks: all finite, none constant
        block = np.array([x_column.to_numpy(), *(series.to_numpy() for series in others)], dtype=np.float64)
        if np.isfinite(block).all() and (block.min(axis=1) < block.max(axis=1)).all():
            return x_column, 0, dict(zip(names[1:], block[1:]))

    def checked():
        kept, dropped = require_complete_rows(data, names)
        return kept[names[0]], dropped, {name: numeric_column(kept, name).to_numpy() for name in names[1:]}

    arrays = {}
    for name in names[1:]:
        series = columns[name]
        if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
            return checked()
        if isinstance(series.dtype, np.dtype):
            arrays[name] = np.asarray(series.to_numpy(), dtype=np.float64)
        else:  # a nullable extension dtype (Int64, Float64)
            arrays[name] = series.to_numpy(dtype=np.float64, na_value=np.nan)
    if x_column.dtype.kind == "f" and isinstance(x_column.dtype, np.dtype):
        present = ~np.isnan(x_column.to_numpy())
    else:
        present = x_column.notna().to_numpy().copy()  # pandas hands out read-only views
    for values in arrays.values():
        present &= ~np.isnan(values)
    complete = bool(present.all())
    for name, values in arrays.items():
        values = values if complete else values[present]
        if values.size == 0 or not np.isfinite(values).all() or values.min() == values.max():
            return checked()
        arrays[name] = values
    x_series = x_column if complete else x_column[present]
    return x_series, int((~present).sum()), arrays


def _model_paths(design: np.ndarray, lead: int, mediators: np.ndarray, y: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """OLS of the mediators and y on ``design[:, :lead]`` (1, x, covariates), and of y on all of ``design``.

    ``design`` is ``1, x, covariates, mediators``. One QR serves both models: the
    QR of the leading columns is the leading block of the full one, and so is
    the inverse of its R. Returns per model an array (n_responses,
    n_predictors, 6) of ``coef, se, t, p, ci_low, ci_high``: the first for the
    responses ``mediators..., y`` on the leading columns, the second for y on
    the full design (one response).
    """
    from scipy.special import stdtr, stdtrit  # the t distribution without scipy.stats' overhead

    n, p = design.shape
    q, r = np.linalg.qr(design)
    r_inv = np.linalg.inv(r)  # upper triangular
    responses = np.column_stack([mediators, y])
    projected = q.T @ responses  # (p, k + 1)
    coef_lead = r_inv[:lead, :lead] @ projected[:lead]  # (lead, k + 1)
    coef_full = r_inv @ projected[:, -1]  # (p,)
    residual_lead = responses - design[:, :lead] @ coef_lead
    residual_full = y - design @ coef_full
    variance_lead = (residual_lead * residual_lead).sum(axis=0) / (n - lead)
    variance_full = residual_full @ residual_full / (n - p)
    # all rows (responses x predictors) of both models at once, so the t distribution is called once
    coef = np.concatenate([coef_lead.T.ravel(), coef_full])
    squares = r_inv * r_inv
    scale_lead, scale_full = squares[:lead, :lead].sum(axis=1), squares.sum(axis=1)
    se = np.sqrt(np.concatenate([np.outer(variance_lead, scale_lead).ravel(), variance_full * scale_full]))
    df = np.repeat([n - lead, n - p], [coef_lead.size, p])
    t = coef / se
    margin = stdtrit(df, 1 - (1 - level) / 2) * se
    table = np.empty((coef.size, 6))
    table[:, 0], table[:, 1], table[:, 2], table[:, 3] = coef, se, t, 2 * stdtr(df, -np.abs(t))
    table[:, 4], table[:, 5] = coef - margin, coef + margin
    return table[: coef_lead.size].reshape(coef_lead.shape[1], lead, 6), table[coef_lead.size :][None]


def _robust_paths(paths: pd.DataFrame, design: np.ndarray, lead: int, mediators: np.ndarray, y: np.ndarray,
                  hc: str, level: float) -> pd.DataFrame:
    """``paths`` with HC standard errors (t, p and intervals on the same residual df), from analysis.process's OLS.

    The rows are a (per mediator), b (per mediator), c, c'; the coefficients stay those of ``paths``.
    """
    k = mediators.shape[1]
    on_x = [fit_ols(design[:, :lead], response, hc) for response in (*mediators.T, y)]
    full = fit_ols(design, y, hc)
    se = np.concatenate([[fit.se[1] for fit in on_x[:k]], full.se[lead:], [on_x[k].se[1], full.se[1]]])
    df = np.concatenate([[fit.df_resid for fit in on_x[:k]], np.full(k, full.df_resid), [on_x[k].df_resid, full.df_resid]])
    coef = paths["coef"].to_numpy()
    table = np.vstack([linear_table(coef[i:i + 1], se[i:i + 1], df[i], level) for i in range(len(coef))])
    return pd.DataFrame(table, index=paths.index, columns=paths.columns)


def _multicategorical(data, x, mediators, y, covariates, coding, hc, n_boot, level, ci_method, seed) -> MediationResult:
    """Model 4 with a multicategorical x, fitted by analysis.process, in MediationResult's layout.

    Each resample's centred sum of squares of y (for the partially standardised
    effects) is taken over the resamples the engine drew: the same seed gives
    the same resample indices (``iter_resample_indices``).
    """
    from analysis._bootstrap import iter_resample_indices
    from analysis.process.engine import process

    fit = process(data, 4, x=x, m=mediators, y=y, covariates=covariates or None, x_coding=coding, hc=hc,
                  n_boot=n_boot, ci=level, ci_method=ci_method, seed=seed)
    codes = list(next(iter(fit.x_codes.values())))
    k = len(mediators)
    rows, labels = [], []
    for mediator in mediators:
        for code in codes:
            rows.append(fit.coefficients[mediator].loc[code].to_numpy())
            labels.append(f"a[{code}]" if k == 1 else f"a[{mediator}][{code}]")
    for mediator in mediators:
        rows.append(fit.coefficients[y].loc[mediator].to_numpy())
        labels.append("b" if k == 1 else f"b[{mediator}]")
    for path, table in (("c", fit.total_effect), ("c_prime", fit.direct_effect)):
        for code in codes:
            rows.append(table.loc[code].to_numpy())
            labels.append(f"{path}[{code}]")
    paths = pd.DataFrame(np.vstack(rows), index=pd.Index(labels), columns=_PATH_INDEX)

    engine_rows = {("total" if path == "total" else path.split(" -> ")[1], code): i
                   for i, (path, code) in enumerate(fit.indirect.index)}
    order = [(mediator, code) for mediator in mediators for code in codes]
    order += [("total", code) for code in codes] if k > 1 else []
    positions = [engine_rows[key] for key in order]
    indirect = pd.DataFrame(fit.indirect.to_numpy()[positions], columns=_INDIRECT_INDEX,
                            index=pd.MultiIndex.from_tuples(order, names=["mediator", "contrast"]))
    boot = fit.boot["indirect"][:, positions[: k * len(codes)]]

    y_values = fit.columns[y]
    squares = np.concatenate([
        ((block_y - block_y.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)
        for block_y in (y_values[block] for block in iter_resample_indices(fit.n, n_boot, np.random.default_rng(fit.seed)))
    ])
    return MediationResult(
        paths=paths, indirect=indirect, boot_indirect=boot, n=fit.n, n_dropped=fit.n_dropped, n_boot=n_boot,
        seed=fit.seed, ci=level, ci_method=ci_method, x=x, m=list(mediators), y=y, covariates=list(covariates),
        x_coding=fit.x_codes, x_values=np.column_stack([fit.columns[code] for code in codes]), y_values=y_values,
        boot_squares_xy=np.column_stack([np.full(n_boot, np.nan), squares]), x_contrasts=codes,
    )


@functools.lru_cache(maxsize=64)
def _row_labels(mediators: tuple[str, ...]) -> pd.Index:
    """Row labels of the tables by mediator (plus ``total`` for several), built once per model."""
    return pd.Index([*mediators, "total"] if len(mediators) > 1 else list(mediators))


def mediation(
    data: pd.DataFrame,
    x: str,
    m: str | list[str],
    y: str,
    covariates: str | list[str] | None = None,
    n_boot: int = 5000,
    ci: float = 0.95,
    ci_method: str = "percentile",
    seed: int | None = None,
    x_coding: dict | None = None,
    hc: str | None = None,
) -> MediationResult:
    """Mediation analysis, Hayes' model 4: x -> m (one or several in parallel) -> y.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per participant.
    x : str
        The independent variable: numeric (e.g. 0/1, used as given) or a column
        with two levels (coded by ``x_coding``).
    m : str or list of str
        The mediator(s); several are estimated in parallel.
    y : str
        The outcome.
    covariates : str or list of str, optional
        Entered in every regression.
    n_boot : int, default 5000
        Bootstrap resamples.
    ci : float, default 0.95
        Level of all intervals.
    ci_method : {"percentile", "bc"}, default "percentile"
        Percentile interval (PROCESS 3 and 4's default) or bias-corrected.
    seed : int, optional
        Seed of the resampling; when None one is drawn and stored in the result.
    x_coding : dict or str, optional
        ``{level: code}`` for a categorical x, e.g. ``{"private": 0, "public": 1}``.
        Default for a two-level column: the sorted levels (a pandas
        Categorical: its category order) get 0 and 1. Stored in the result.
        A multicategorical x (two or more levels) takes one of PROCESS's codings
        (``mcx`` 1-4): ``"indicator"`` (the first level is the reference),
        ``"sequential"``, ``"helmert"`` or ``"effect"``; the model is then fitted
        by :func:`analysis.process` (model 4) and the paths, indirect effects
        and Sobel tests are relative ones, per code of x (see Returns).
    hc : {None, "HC0", "HC1", "HC2", "HC3", "HC4"}, default None
        Heteroskedasticity-consistent standard errors of the paths (and so of
        their t, p and intervals, and of the Sobel test), computed by the
        engine of :func:`analysis.process` (PROCESS's ``hc`` option; Hayes &
        Cai 2007). The estimates and the bootstrap do not change.

    Returns
    -------
    MediationResult
        ``.paths``, ``.indirect``, ``.sobel``, ``.standardized``,
        ``.boot_indirect``, ``.summary()``, ``.to_frame()``; see the class.
        With a multicategorical x, each code ``"{x}[{level}]"`` (listed in
        ``x_contrasts``) has its own rows: ``a[<code>]`` (several mediators:
        ``a[<m>][<code>]``), ``c[<code>]``, ``c_prime[<code>]`` in ``paths``, and
        ``indirect`` is indexed by ``(mediator, contrast)``.

    Raises
    ------
    ValueError
        Missing or non-numeric columns, a constant x, a categorical x without
        two levels and no ``x_coding``, too few complete cases, or bad settings.

    Notes
    -----
    Rows with a missing value in any model variable are dropped (listwise); the
    result reports ``n`` and ``n_dropped``. The paths are OLS estimates with
    t-based intervals. The indirect effect of mediator j is ``a_j * b_j``; its
    interval comes from ``n_boot`` case resamples (Preacher & Hayes 2008). The
    Sobel test uses ``se = sqrt(b^2 se_a^2 + a^2 se_b^2)`` (Sobel 1982). The
    total indirect effect (several mediators) is the sum of the specific ones.

    References
    ----------
    Hayes, A. F. (2018). *Introduction to mediation, moderation, and conditional
    process analysis* (2nd ed.). Guilford.
    Preacher, K. J., & Hayes, A. F. (2008). Asymptotic and resampling strategies
    for assessing and comparing indirect effects in multiple mediator models.
    *Behavior Research Methods, 40*, 879-891.
    Sobel, M. E. (1982). Asymptotic confidence intervals for indirect effects in
    structural equation models. *Sociological Methodology, 13*, 290-312.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> data = pd.DataFrame({"x": np.repeat([0, 1], 50)})
    >>> data["m"] = 0.6 * data["x"] + rng.normal(size=100)
    >>> data["y"] = 0.5 * data["m"] + rng.normal(size=100)
    >>> result = mediation(data, "x", "m", "y", n_boot=1000, seed=4)
    >>> result.n, result.indirect.shape
    (100, (1, 4))
    >>> bool(np.isclose(result.indirect.loc["m", "effect"],
    ...                 result.paths.loc["a", "coef"] * result.paths.loc["b", "coef"]))
    True
    """
    n_boot, level, seed = _validate_settings(n_boot, ci, ci_method, seed)
    if hc not in HC_TYPES:
        raise ValueError(f"`hc` must be one of {HC_TYPES}; got {hc!r}.")
    require_dataframe(data)
    mediators = as_name_list(m, what="`m`")
    covariate_names = as_name_list(covariates, what="`covariates`")
    if not mediators:
        raise ValueError("`m` must name at least one mediator column.")
    names = [x, *mediators, y, *covariate_names]
    if len(set(names)) != len(names):
        raise ValueError(f"x, m, y and the covariates must be different columns; got {names}.")
    require_columns(data, names)
    if isinstance(x_coding, str):
        return _multicategorical(data, x, mediators, y, covariate_names, x_coding, hc, n_boot, level, ci_method, seed)
    x_series, dropped, numeric = _complete_numeric(data, names)
    x_values, coding = _code_x(x_series, x, x_coding)
    n, k, q = len(x_series), len(mediators), len(covariate_names)
    if n < k + q + 4:
        raise ValueError(f"only {n} complete cases for {k + q + 2} predictors; mediation needs at least {k + q + 4}.")

    mediator_values = np.column_stack([numeric[name] for name in mediators])
    covariate_values = np.column_stack([numeric[name] for name in covariate_names]) if q else np.empty((n, 0))
    y_values = numeric[y]
    design = np.column_stack([np.ones(n), x_values, covariate_values, mediator_values])
    lead = 2 + q  # 1, x and the covariates: the predictors of the a paths and the total effect
    on_x, full = _model_paths(design, lead, mediator_values, y_values, level)
    on_x, full = on_x[:, 1], full[0]
    a_rows, total = on_x[:k], on_x[k]
    b_rows, direct = full[lead:], full[1]

    label = (lambda path, name: path) if k == 1 else (lambda path, name: f"{path}[{name}]")
    paths = pd.DataFrame(
        np.vstack([a_rows, b_rows, total, direct]),
        index=_ONE_MEDIATOR_PATHS if k == 1 else pd.Index(
            [label("a", n_) for n_ in mediators] + [label("b", n_) for n_ in mediators] + ["c", "c_prime"]
        ),
        columns=_PATH_INDEX,
    )

    if hc is not None:
        paths = _robust_paths(paths, design, lead, mediator_values, y_values, hc, level)

    a, b = a_rows[:, 0], b_rows[:, 0]
    effect = a * b
    rows = _row_labels(tuple(mediators))
    boot, sums, n_draws = bootstrap_indirect(
        x_values, mediator_values, y_values, covariates=covariate_values if q else None,
        n_boot=n_boot, seed=seed, return_sums=True,
    )
    failed = int(np.isnan(boot).any(axis=1).sum())
    if failed:
        warnings.warn(f"{failed} of {n_boot} bootstrap resamples could not be estimated (e.g. x constant in the resample); their intervals use the others.", RuntimeWarning, stacklevel=2)
    if k > 1:
        effect = np.append(effect, effect.sum())
        boot_table = np.column_stack([boot, boot.sum(axis=1)])
    else:
        boot_table = boot
    low, high = bootstrap_interval(boot_table, effect, level, ci_method)
    boot_se = (np.nanstd if failed else np.std)(boot_table, axis=0, ddof=1)
    indirect = pd.DataFrame(np.column_stack([effect, boot_se, low, high]), index=rows, columns=_INDIRECT_INDEX)

    # of each resample's sums, only those of x and y are kept: the standardised effects use
    # their SDs, and all sums would hold n_boot x (d + d(d+1)/2) numbers per result
    squares_xy = centred_squares(sums, 2 + k + q, n_draws, which=[0, 1 + k + q])
    return MediationResult(
        paths=paths, indirect=indirect, boot_indirect=boot, n=n, n_dropped=int(dropped),
        n_boot=n_boot, seed=seed, ci=level, ci_method=ci_method, x=x, m=mediators, y=y,
        covariates=covariate_names, x_coding=coding,
        x_values=x_values, y_values=y_values, boot_squares_xy=squares_xy,
    )
