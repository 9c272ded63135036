"""Between-subjects ANOVA and ANCOVA (statsmodels OLS) and Welch's one-way ANOVA."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis._checks import (
    as_name_list,
    complete_rows,
    numeric_column,
    require_columns,
    require_group_sizes,
    require_groups,
)

ANOVA_COLUMNS = ["source", "ss", "df", "ms", "F", "p", "eta2_p", "omega2"]
WELCH_COLUMNS = ["source", "df1", "df2", "F", "p"]


def anova(
    data: pd.DataFrame,
    dv: str,
    between: str | Sequence[str],
    covariates: str | Sequence[str] | None = None,
    ss_type: int = 2,
) -> pd.DataFrame:
    """One-way or factorial between-subjects ANOVA, or ANCOVA with covariates.

    The model is fitted by ordinary least squares (statsmodels) with all
    factors fully crossed and the covariates added as main effects (no
    factor x covariate interaction). Factors are coded with sum-to-zero
    contrasts, so type III sums of squares are the textbook ones; type II
    does not depend on the coding.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per participant.
    dv : str
        Numeric dependent variable.
    between : str or list of str
        Factor column(s), e.g. ``"condition"`` or ``["channel", "empathy"]``.
    covariates : str or list of str, optional
        Numeric covariate column(s) for an ANCOVA.
    ss_type : {2, 3}, default 2
        Type of sums of squares. Both agree in a balanced design without
        covariates.

    Returns
    -------
    pandas.DataFrame
        One row per effect, then ``Residual``. Effects are the factors in the
        order given, their interactions (``"a:b"``, lower orders first, factor
        order kept within a term), then the covariates. Columns:

        - ``source``: effect name;
        - ``ss``, ``df``, ``ms`` (``ss / df``);
        - ``F``, ``p``: F test of the effect against the residual (NaN on
          ``Residual``);
        - ``eta2_p``: partial eta squared, ``ss / (ss + ss_residual)``;
        - ``omega2``: partial omega squared (Olejnik & Algina, 2003),
          ``(ss - df * ms_residual) / (ss + (N - df) * ms_residual)``, not
          truncated at zero (a negative value means an effect smaller than
          chance predicts).

        ``result.attrs`` holds ``n`` (rows used) and ``n_dropped`` (rows
        dropped for a missing value in ``dv``, a factor or a covariate).

    Raises
    ------
    ValueError
        For a missing or constant column, a factor with fewer than two
        groups, an empty cell of the factorial design, no residual degrees
        of freedom, or an ``ss_type`` other than 2 or 3.

    Notes
    -----
    For the partial omega squared of a between-subjects effect see
    Olejnik & Algina (2003), Table 2, and Lakens (2013).

    References
    ----------
    Olejnik, S., & Algina, J. (2003). Generalized eta and omega squared
    statistics. *Psychological Methods, 8*(4), 434-447.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"g": list("aaabbbccc"), "y": [1, 2, 3, 4, 5, 6, 3, 3, 4]})
    >>> table = anova(frame, "y", "g")
    >>> table[["source", "df", "F"]].round(3)
         source   df      F
    0         g  2.0  8.714
    1  Residual  6.0    NaN
    """
    from statsmodels.formula.api import ols
    from statsmodels.stats.anova import anova_lm

    factors = as_name_list(between, what="`between`")
    covariate_names = as_name_list(covariates, what="`covariates`")
    if not factors:
        raise ValueError("`between` must name at least one factor column.")
    if ss_type not in (2, 3):
        raise ValueError(f"`ss_type` must be 2 or 3 (type II or type III sums of squares); got {ss_type!r}.")
    used = [dv, *factors, *covariate_names]
    if len(set(used)) != len(used):
        raise ValueError(
            f"each column may be used once; got dv={dv!r}, between={factors}, covariates={covariate_names}."
        )
    require_columns(data, used)

    model_data, dropped = _model_frame(data, dv, factors, covariate_names)
    n = len(model_data)

    # Safe names keep the formula independent of the user's column names.
    safe = {name: f"f{i}" for i, name in enumerate(factors)}
    safe.update({name: f"x{i}" for i, name in enumerate(covariate_names)})
    frame = model_data.rename(columns={dv: "y", **safe})
    factor_terms = [f"C({safe[name]}, Sum)" for name in factors]
    rhs = " * ".join(factor_terms)
    if covariate_names:
        rhs += " + " + " + ".join(safe[name] for name in covariate_names)
    fit = ols(f"y ~ {rhs}", data=frame).fit()
    if fit.df_resid < 1:
        raise ValueError(
            f"no residual degrees of freedom ({n} rows for {int(fit.df_model) + 1} parameters); "
            "collect more data or use fewer factors."
        )
    if fit.ssr <= 1e-12 * fit.centered_tss:
        raise ValueError(
            f"column {dv!r} has no variance within the cells of {factors}; the model fits "
            "perfectly, so F tests are undefined. Check that the dv is not derived from the factors."
        )
    table = anova_lm(fit, typ=ss_type)

    effects = []  # (our name, statsmodels term)
    for order in range(1, len(factors) + 1):
        for combo in itertools.combinations(range(len(factors)), order):
            effects.append((":".join(factors[i] for i in combo), ":".join(factor_terms[i] for i in combo)))
    effects += [(name, safe[name]) for name in covariate_names]
    effects.append(("Residual", "Residual"))

    rows = table.loc[[term for _, term in effects]]
    result = pd.DataFrame({
        "source": [name for name, _ in effects],
        "ss": rows["sum_sq"].to_numpy(dtype=float),
        "df": rows["df"].to_numpy(dtype=float),
        "F": rows["F"].to_numpy(dtype=float),
        "p": rows["PR(>F)"].to_numpy(dtype=float),
    })
    result["ms"] = result["ss"] / result["df"]
    ss_res, ms_res = result["ss"].iloc[-1], result["ms"].iloc[-1]
    effect_rows = result["source"] != "Residual"
    ss, df = result["ss"], result["df"]
    result["eta2_p"] = np.where(effect_rows, ss / (ss + ss_res), np.nan)
    result["omega2"] = np.where(effect_rows, (ss - df * ms_res) / (ss + (n - df) * ms_res), np.nan)
    result = result[ANOVA_COLUMNS]
    result.attrs.update({"n": n, "n_dropped": dropped, "ss_type": ss_type})
    return result


def welch_anova(data: pd.DataFrame, dv: str, between: str) -> pd.DataFrame:
    """Welch's one-way ANOVA, which does not assume equal variances.

    Parameters
    ----------
    data : pandas.DataFrame
    dv : str
        Numeric dependent variable.
    between : str
        The grouping column (two or more groups).

    Returns
    -------
    pandas.DataFrame
        One row, columns ``source`` (the factor name), ``df1`` (groups - 1),
        ``df2`` (Welch's approximate denominator df), ``F``, ``p``.
        ``result.attrs`` holds ``n`` and ``n_dropped`` (listwise deletion).

    Raises
    ------
    ValueError
        For a missing or constant column, fewer than two groups, a group with
        fewer than two values, or a group whose values are all equal (its
        weight ``n / variance`` would be infinite).

    Notes
    -----
    Computed by :func:`statsmodels.stats.oneway.anova_oneway` with
    ``use_var="unequal"``; it agrees with R's ``oneway.test`` (Welch, 1951).

    References
    ----------
    Welch, B. L. (1951). On the comparison of several mean values: an
    alternative approach. *Biometrika, 38*, 330-336.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"g": list("aaabbbccc"), "y": [1, 2, 3, 4, 5, 7, 3, 3, 4]})
    >>> welch_anova(frame, "y", "g").round(3)
      source  df1    df2      F      p
    0      g  2.0  3.511  4.338  0.113
    """
    from statsmodels.stats.oneway import anova_oneway

    if not isinstance(between, str):
        raise ValueError(f"`between` must be one column name for Welch's ANOVA; got {between!r}.")
    model_data, dropped = _model_frame(data, dv, [between], [])
    counts = model_data.groupby(between, observed=True)[dv].count()
    require_group_sizes(counts, between, minimum=2)
    variances = model_data.groupby(between, observed=True)[dv].var()
    if (variances == 0).any():
        group = variances.index[variances == 0][0]
        raise ValueError(
            f"column {dv!r}: every value in group {group!r} of {between!r} is the same, "
            "so Welch's ANOVA (which weights groups by n / variance) is undefined; "
            "report the ordinary ANOVA or describe the groups instead."
        )
    outcome = anova_oneway(
        model_data[dv].to_numpy(dtype=float), model_data[between].to_numpy(), use_var="unequal"
    )
    result = pd.DataFrame({
        "source": [between],
        "df1": [float(outcome.df_num)],
        "df2": [float(outcome.df_denom)],
        "F": [float(outcome.statistic)],
        "p": [float(outcome.pvalue)],
    })
    result.attrs.update({"n": len(model_data), "n_dropped": dropped})
    return result


def _model_frame(
    data: pd.DataFrame, dv: str, factors: list[str], covariates: list[str]
) -> tuple[pd.DataFrame, int]:
    """Check the columns, drop incomplete rows and return (frame, rows dropped)."""
    values = {dv: numeric_column(data, dv)}
    for name in covariates:
        values[name] = numeric_column(data, name)
    for name in factors:
        require_groups(data, name)
        column = data[name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            column = column.cat.remove_unused_categories()
        values[name] = column
    frame = pd.DataFrame(values, index=data.index)
    kept, dropped = complete_rows(frame, [dv, *factors, *covariates])
    for name in factors:
        require_groups(kept, name)
        if isinstance(kept[name].dtype, pd.CategoricalDtype):
            kept[name] = kept[name].cat.remove_unused_categories()
    numeric_column(kept, dv)  # constant after dropping?
    if len(factors) > 1:
        cells = kept.groupby(factors, observed=True).size()
        levels = [pd.unique(kept[name]) for name in factors]
        for cell in itertools.product(*levels):
            if cell not in cells.index:
                described = ", ".join(f"{name}={level!r}" for name, level in zip(factors, cell))
                raise ValueError(
                    f"the design has an empty cell ({described}): no complete rows; "
                    "every combination of factor levels needs data for a factorial ANOVA."
                )
    return kept, dropped
