"""``process``: Hayes' conditional process models (PROCESS) on the vectorised bootstrap.

The function checks its input, codes X, fits every equation by OLS (with HC
standard errors when asked), probes the moderated effects and bootstraps the
indirect ones; :class:`~analysis.process.result.ProcessResult` holds the tables.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pandas as pd

from analysis._bootstrap_intervals import CI_METHODS
from analysis._checks import (
    as_name_list,
    numeric_column,
    require_columns,
    require_complete_rows,
    require_dataframe,
    require_level,
)
from analysis.process.bootstrap import bootstrap_coefficients
from analysis.process.coding import code_x, moderator_values, two_values_at_most
from analysis.process.design import design_matrix, equation_terms, total_effect_equation
from analysis.process.indirect import bootstrap_tables
from analysis.process.ols import HC_TYPES, fit_ols
from analysis.process.probing import EFFECT_COLUMNS, conditional_effects, johnson_neyman
from analysis.process.result import JohnsonNeyman, ProcessResult
from analysis.process.spec import model_spec

COEFFICIENT_COLUMNS = ["coef", "se", "t", "p", "ci_low", "ci_high"]
SUMMARY_COLUMNS = ["r2", "F", "df1", "df2", "p"]
TEST_COLUMNS = ["r2_change", "F", "df1", "df2", "p"]
# the labels of every fit's tables, built once rather than per table (as in analysis.mediation); each table
# gets its own view, so that renaming one table's labels leaves the others alone
_COEFFICIENT_INDEX, _SUMMARY_INDEX = pd.Index(COEFFICIENT_COLUMNS), pd.Index(SUMMARY_COLUMNS)
_EFFECT_INDEX, _TEST_INDEX = pd.Index(EFFECT_COLUMNS), pd.Index(TEST_COLUMNS)


@functools.lru_cache(maxsize=256)
def _labels(names: tuple[str, ...], name: str) -> pd.Index:
    return pd.Index(list(names), name=name)


def _check_settings(n_boot, ci, ci_method, seed, hc) -> tuple[int, float, int]:
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 1:
        raise ValueError(f"`n_boot` must be a positive whole number of resamples (e.g. 5000); got {n_boot!r}.")
    level = require_level(ci, "ci")
    if ci_method not in CI_METHODS:
        raise ValueError(f"`ci_method` must be one of {CI_METHODS}; got {ci_method!r}.")
    if hc not in HC_TYPES:
        raise ValueError(f"`hc` must be one of {HC_TYPES}; got {hc!r}.")
    if seed is None:
        seed = int(np.random.SeedSequence().entropy)
    elif isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"`seed` must be a non-negative integer or None; got {seed!r}.")
    return int(n_boot), level, int(seed)


def _complete_columns(data: pd.DataFrame, x: str, names: list[str]) -> tuple[pd.Series, dict[str, np.ndarray], int]:
    """Listwise deletion: x as a Series (it may be categorical), the other columns as float arrays.

    Plain numeric columns without missing values take a numpy path (each
    column is fetched once); anything else goes through ``analysis._checks``
    for its checks and messages.
    """
    x_column = data[x]
    series = [data[name] for name in names]
    if all(isinstance(column.dtype, np.dtype) and column.dtype.kind in "iuf" for column in series) and not _has_missing(x_column):
        block = np.array([column.to_numpy() for column in series], dtype=np.float64)
        if np.isfinite(block).all() and (block.min(axis=1) < block.max(axis=1)).all():
            return x_column, dict(zip(names, block)), 0
    kept, dropped = require_complete_rows(data, [x, *names])
    return kept[x], {name: numeric_column(kept, name).to_numpy() for name in names}, dropped


def _has_missing(column: pd.Series) -> bool:
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "iub":
        return False
    if isinstance(column.dtype, np.dtype) and column.dtype.kind == "f":
        return bool(np.isnan(column.to_numpy()).any())
    return bool(column.isna().any())


def _check_roles(spec, m, w, z, mediators, w_values=None, z_values=None) -> None:
    if spec.has_mediators and not mediators:
        raise ValueError(f"model {spec.number or 'custom'} is a mediation model: name its mediator(s) in `m`.")
    if not spec.has_mediators and mediators:
        raise ValueError(f"model {spec.number} has no mediators; `m` must be None (got {m!r}).")
    if spec.serial and len(mediators) < 2:
        raise ValueError("model 6 (serial mediation) needs two or more mediators in `m`, in their causal order.")
    for role, given in (("w", w), ("z", z)):
        needed = role in spec.moderators
        if needed and given is None:
            raise ValueError(f"model {spec.number or 'custom'} has moderator {role.upper()}: name its column in `{role}`.")
        if not needed and given is not None:
            raise ValueError(f"model {spec.number or 'custom'} has no moderator {role.upper()}; `{role}` must be None.")
    for role, probe in (("w", w_values), ("z", z_values)):
        if probe is not None and role not in spec.moderators:
            raise ValueError(f"`{role}_values` given, but model {spec.number or 'custom'} has no moderator {role.upper()}.")


def _coefficient_table(fit, equation, level) -> pd.DataFrame:
    return pd.DataFrame(fit.table(level), index=_labels(tuple(equation.names), "term").view(), columns=_COEFFICIENT_INDEX.view())


def _effect_rows(fit, equation, x_terms, level) -> pd.DataFrame:
    rows = [equation.names.index(term) for term in x_terms]
    table = fit.table(level)[rows]
    return pd.DataFrame(table, index=_labels(tuple(x_terms), "contrast").view(), columns=_EFFECT_INDEX.view())


@functools.lru_cache(maxsize=256)
def _interaction_sets(
    equations: tuple, moderator_columns: frozenset, x_terms: tuple[str, ...]
) -> tuple[tuple[str, str, tuple[int, ...]], ...]:
    """``(outcome, label, positions)`` of each set of highest-order product terms PROCESS tests, per equation.

    Products of a path's variable with its moderator(s) are grouped by that
    variable (every code of a categorical X is X) and moderator set; a set
    whose moderators are a proper subset of another set's on the same path is
    lower-order (X*W beside X*W*Z) and is not tested, as in PROCESS.
    """
    found = []
    for equation in equations:
        groups: dict[tuple, list[int]] = {}
        for position, term in enumerate(equation.terms):
            moderators = frozenset(part for part in term.parts if part in moderator_columns)
            focal = [part for part in term.parts if part not in moderator_columns]
            if moderators and focal:
                # every code of a categorical X with the same moderator(s) forms one joint test (X's key: None)
                key = (None if focal[0] in x_terms else focal[0], moderators)
                groups.setdefault(key, []).append(position)
        highest = {key: positions for key, positions in groups.items()
                   if not any(other[0] == key[0] and key[1] < other[1] for other in groups)}
        sets = list(highest.values())
        for focal in dict.fromkeys(key[0] for key in highest):  # in the equation's order, run after run
            # two moderators of one path, no three-way term: also their joint test (PROCESS's "Both")
            mine = [(key, positions) for key, positions in highest.items() if key[0] == focal]
            if len(mine) > 1 and all(len(key[1]) == 1 for key, _ in mine):
                sets.append(sorted(p for _, positions in mine for p in positions))
        names = equation.names
        found += [(equation.outcome, ", ".join(names[p] for p in positions), tuple(positions)) for positions in sets]
    return tuple(found)


def _interaction_tests(fits, equations, moderator_columns, x_terms) -> pd.DataFrame | None:
    """Wald F (robust with hc) and OLS R-squared change of each set of product terms, as PROCESS reports them."""
    sets = _interaction_sets(tuple(equations), frozenset(moderator_columns), tuple(x_terms))
    if not sets:
        return None
    rows = [(fits[outcome].r2_change(positions), *fits[outcome].wald(positions)) for outcome, _, positions in sets]
    values = np.array(rows)
    return pd.DataFrame({
        "outcome": [outcome for outcome, _, _ in sets], "term": [label for _, label, _ in sets],
        "r2_change": values[:, 0], "F": values[:, 1], "df1": values[:, 2].astype(np.int64),
        "df2": values[:, 3].astype(np.int64), "p": values[:, 4],
    })


def process(
    data: pd.DataFrame, model, *, x: str, y: str, m=None, w: str | None = None, z: str | None = None,
    covariates=None, x_coding: str | None = None, x_reference=None, w_values=None, z_values=None,
    hc: str | None = None, n_boot: int = 5000, ci: float = 0.95, ci_method: str = "percentile",
    seed: int | None = None, contrasts: bool = False, jn: bool = True,
) -> ProcessResult:
    """Conditional process analysis: Hayes' PROCESS models 1-8, 14, 15, 58, 59 and custom ones.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per participant; rows missing any model variable are dropped.
    model : int, dict or ModelSpec
        A PROCESS model number (1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 58, 59), or the
        moderators of each path, e.g. ``{"first_stage": ["w"]}`` (see
        :mod:`analysis.process.spec`).
    x, y : str
        The focal antecedent and the outcome. X may be numeric (used as it is),
        or categorical (coded by ``x_coding``).
    m : str or list of str, optional
        The mediator(s): parallel, or for model 6 in their serial order.
    w, z : str, optional
        The moderators the model uses (numeric).
    covariates : str or list of str, optional
        Entered in every equation.
    x_coding : {"indicator", "sequential", "helmert", "effect"}, optional
        Codes of a categorical X (PROCESS ``mcx`` 1-4); default ``"indicator"``
        for a non-numeric X. With a numeric X, setting it treats X as categorical.
    x_reference : optional
        The level coded first (the reference of indicator coding); default the
        first level (sorted, or a Categorical's order).
    w_values, z_values : sequence of float, optional
        Moderator values to probe; default PROCESS's (16th, 50th and 84th
        percentiles, or the two values of a dichotomous moderator).
    hc : {None, "HC0", "HC1", "HC2", "HC3", "HC4"}
        Standard errors (and Wald F tests) of every regression.
    n_boot, ci, ci_method, seed
        Bootstrap resamples, interval level, ``"percentile"`` or ``"bc"``
        (bias-corrected), and the seed (drawn and stored when None).
    contrasts : bool
        Pairwise differences of the specific indirect effects (``C1``, ...).
    jn : bool
        Johnson-Neyman probing of a moderated effect of X on Y.

    Returns
    -------
    ProcessResult

    Notes
    -----
    Intervals of regression quantities use the exact t quantile; PROCESS uses
    an approximation to it (PROCESS for R 4.3.1, ``process.modelest``), which
    could move a printed LLCI/ULCI in the fourth decimal. Bootstrap percentile
    bounds interpolate between order statistics (numpy's default quantile);
    PROCESS takes the order statistics themselves. The draws are those of
    ``analysis.mediation`` for the same seed.

    References
    ----------
    Hayes, A. F. (2022). *Introduction to mediation, moderation, and conditional
    process analysis* (3rd ed.). Guilford.
    Hayes, A. F., & Cai, L. (2007). Using heteroskedasticity-consistent standard
    error estimators in OLS regression. *Behavior Research Methods, 39*, 709-722.

    Examples
    --------
    >>> rng = np.random.default_rng(5)
    >>> data = pd.DataFrame({"x": rng.normal(size=200), "w": rng.normal(size=200)})
    >>> data["m"] = 0.4 * data["x"] + 0.3 * data["x"] * data["w"] + rng.normal(size=200)
    >>> data["y"] = 0.5 * data["m"] + rng.normal(size=200)
    >>> result = process(data, 7, x="x", m="m", w="w", y="y", n_boot=1000, seed=1)
    >>> list(result.coefficients["m"].index)
    ['constant', 'x', 'w', 'x:w']
    """
    n_boot, level, seed = _check_settings(n_boot, ci, ci_method, seed, hc)
    require_dataframe(data)
    spec = model_spec(model)
    mediators = as_name_list(m, what="`m`")
    covariate_names = as_name_list(covariates, what="`covariates`")
    _check_roles(spec, m, w, z, mediators, w_values, z_values)
    moderators = {name: role for role, name in (("w", w), ("z", z)) if name is not None}
    names = [x, *mediators, y, *moderators, *covariate_names]
    if len(set(names)) != len(names):
        raise ValueError(f"x, m, y, w, z and the covariates must be different columns; got {names}.")
    if "constant" in names:
        raise ValueError("a column named 'constant' would share its row with the intercept in the coefficient tables; rename it.")
    require_columns(data, names)
    if x_reference is not None and x_coding is None and pd.api.types.is_numeric_dtype(data[x]):
        raise ValueError("`x_reference` applies to a categorical x: set `x_coding` too (e.g. 'indicator').")
    x_series, numeric, dropped = _complete_columns(data, x, [*mediators, y, *moderators, *covariate_names])
    n = len(x_series)
    x_values, x_terms, x_codes = code_x(x_series, x, x_coding, x_reference)
    categorical = x_codes is not None
    columns = {term: x_values[:, j] for j, term in enumerate(x_terms)} | numeric
    w_name = w if "w" in spec.moderators else None
    equations = equation_terms(spec, x_terms=x_terms, mediators=mediators, y=y, w=w_name, z=z, covariates=covariate_names)
    n_predictors = max(len(equation.terms) for equation in equations)
    if n < n_predictors + 2:
        raise ValueError(f"only {n} complete cases for {n_predictors} coefficients; the model needs at least {n_predictors + 2}.")

    if two_values_at_most(columns[y]):
        warnings.warn(
            f"{y!r} (y) takes two values; PROCESS would fit its equation by logistic regression, this engine "
            "fits OLS (a linear probability model): Y's coefficients are differences in probability, not log-odds.",
            UserWarning, stacklevel=2,
        )
    fits, coefficients, summary = {}, {}, []
    for equation in equations:
        fit = fits[equation.outcome] = fit_ols(design_matrix(equation, columns, n), columns[equation.outcome], hc)
        coefficients[equation.outcome] = _coefficient_table(fit, equation, level)
        summary.append((fit.r2, *fit.wald(np.arange(1, len(equation.terms)))))
    model_summary = pd.DataFrame(np.array(summary), index=_labels(tuple(eq.outcome for eq in equations), "outcome").view(), columns=_SUMMARY_INDEX.view())
    interaction_tests = _interaction_tests(fits, equations, set(moderators), x_terms)

    probe = {name: moderator_values(columns[name], w_values if role == "w" else z_values, role) for name, role in moderators.items()}
    y_equation, y_fit = equations[-1], fits[y]
    conditional = conditional_effects(y_fit, y_equation, x_terms, moderators, probe, level, categorical)
    johnson = None
    if jn and conditional is not None and len(x_terms) == 1 and len(spec.direct) == 1:
        (moderator, role), = ((name, r) for name, r in moderators.items() if r == spec.direct[0])
        found = johnson_neyman(y_fit, y_equation, x_terms[0], moderator, columns[moderator], level, role)
        if found is not None:
            johnson = JohnsonNeyman(moderator=moderator, points=found[0], table=found[1])

    direct_effect = total_effect = omnibus = None
    indirect = conditional_indirect = index = None
    draws = {}
    if spec.has_mediators:
        omnibus_rows = {}
        if not spec.direct:
            direct_effect = _effect_rows(y_fit, y_equation, x_terms, level)
            positions = [y_equation.names.index(term) for term in x_terms]
            omnibus_rows["direct"] = (y_fit.r2_change(positions), *y_fit.wald(positions))
        if not (spec.first_stage or spec.second_stage or spec.direct):
            total = total_effect_equation(x_terms, y, covariate_names)
            total_design = design_matrix(total, columns, n)
            total_fit = fit_ols(total_design, columns[y], hc)
            total_effect = _effect_rows(total_fit, total, x_terms, level)
            positions = list(range(1, 1 + len(x_terms)))
            omnibus_rows = {"total": (total_fit.r2_change(positions), *total_fit.wald(positions)), **omnibus_rows}
        if categorical and len(x_terms) > 1 and omnibus_rows:
            omnibus = pd.DataFrame.from_dict(omnibus_rows, orient="index", columns=TEST_COLUMNS)
        boot = bootstrap_coefficients(equations, columns, n_boot=n_boot, seed=seed)
        point = {outcome: fit.coef for outcome, fit in fits.items()}
        indirect, conditional_indirect, index, draws = bootstrap_tables(
            equations, point, boot, x=x, x_terms=x_terms, categorical=categorical, y=y, roles=moderators,
            values=probe, level=level, method=ci_method, contrasts=contrasts,
        )

    return ProcessResult(
        coefficients=coefficients, model_summary=model_summary, indirect=indirect,
        conditional_indirect=conditional_indirect, conditional_effects=conditional, index=index, jn=johnson,
        omnibus=omnibus, direct_effect=direct_effect, total_effect=total_effect, interaction_tests=interaction_tests,
        moderator_values={moderators[name]: values for name, values in probe.items()}, boot=draws,
        mse={outcome: fit.mse for outcome, fit in fits.items()}, model=spec, x=x, m=mediators, y=y, w=w, z=z,
        covariates=covariate_names, x_coding=(x_coding or "indicator") if categorical else None, x_codes=x_codes,
        hc=hc, n=n, n_dropped=int(dropped), n_boot=n_boot if spec.has_mediators else 0, seed=seed, ci=level,
        ci_method=ci_method, equations=tuple(equations), fits=fits, columns=columns,
    )
