"""Statistics as APA-style text (7th edition), in four renderings.

Styles: ``text`` (plain ASCII: ``eta2_p``, ``-``), ``unicode`` (``η²p``, the
minus sign ``−``), ``html`` (``<i>F</i>``, ``η<sub>p</sub><sup>2</sup>``) and
``markdown`` (``*F*``, Greek in Unicode).

Rules followed (APA Publication Manual, 7th ed., sections 6.36 and 6.43-6.44):
statistics with two decimals; p with three decimals and ``p < .001`` below
that; no leading zero for numbers that cannot exceed 1 (p, r, eta squared,
Cramér's V, kappa, alpha); degrees of freedom as integers unless fractional
(Welch), then with two decimals. Rounding is done only here, half away from
zero on the number as written in decimal (0.0445 -> .045, not the binary
float's .044).

>>> format_p(0.0445)
'p = .045'
>>> apa_anova_row(4.1234, 1, 138, 0.044, eta2_p=0.029, style="unicode")
'F(1, 138) = 4.12, p = .044, η²p = .03'
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
import math

import numpy as np
import pandas as pd

STYLES = ("text", "unicode", "html", "markdown")

# symbol -> rendering per style; Latin letters are italic, Greek letters are not
_GREEK = {
    "eta2_p": ("eta2_p", "η²p", "η<sub>p</sub><sup>2</sup>"),
    "eta2": ("eta2", "η²", "η<sup>2</sup>"),
    "omega2": ("omega2", "ω²", "ω<sup>2</sup>"),
    "chi2": ("chi2", "χ²", "χ<sup>2</sup>"),
    "kappa": ("kappa", "κ", "κ"),
    "alpha": ("alpha", "α", "α"),
}


def _check_style(style: str) -> str:
    if style not in STYLES:
        raise ValueError(f"`style` must be one of {', '.join(STYLES)}; got {style!r}.")
    return style


def _symbol(name: str, style: str) -> str:
    if name in _GREEK:
        text, uni, html = _GREEK[name]
        return {"text": text, "unicode": uni, "html": html, "markdown": uni}[style]
    if style == "html":
        return f"<i>{name}</i>"
    if style == "markdown":
        return f"*{name}*"
    return name


def _finite(value, name: str) -> float:
    if isinstance(value, (str, bytes, bool)):
        raise ValueError(f"{name} must be a number; got {value!r}.")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number; got {value!r}.") from None
    if not math.isfinite(number):
        raise ValueError(
            f"{name} is {value!r}; only finite numbers can be reported. Check the "
            "result passed in (was the test computable?)."
        )
    return number


def _round_half_up(value: float, digits: int) -> Decimal:
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def format_number(value, digits: int = 2, *, leading_zero: bool = True, style: str = "text") -> str:
    """Round a number for reporting.

    Parameters
    ----------
    value : float
    digits : int, default 2
        Decimals to keep (half away from zero).
    leading_zero : bool, default True
        False for numbers that cannot exceed 1 in absolute value (r, p, eta
        squared): ``.25`` rather than ``0.25``.
    style : {"text", "unicode", "html", "markdown"}
        ``text`` uses the hyphen-minus, the others the minus sign (U+2212).

    Returns
    -------
    str

    Examples
    --------
    >>> format_number(-0.125)
    '-0.13'
    >>> format_number(-0.125, leading_zero=False, style="unicode")
    '−.13'
    >>> format_number(-0.001)
    '0.00'
    """
    _check_style(style)
    number = _finite(value, "the value")
    rounded = _round_half_up(number, digits)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0.00"
    text = f"{abs(rounded):.{digits}f}"
    if not leading_zero and text.startswith("0."):
        text = text[1:]
    if rounded < 0:
        text = ("-" if style == "text" else "\u2212") + text
    return text


def _format_df(value) -> str:
    number = _finite(value, "degrees of freedom")
    if abs(number - round(number)) < 1e-9:
        return str(int(round(number)))
    return format_number(number, 2)


def format_p(p, *, style: str = "text", digits: int = 3) -> str:
    """A p value in APA style: ``p = .044``, ``p < .001``, ``p > .999``.

    Parameters
    ----------
    p : float
        Between 0 and 1.
    style : {"text", "unicode", "html", "markdown"}
    digits : int, default 3

    Returns
    -------
    str

    Raises
    ------
    ValueError
        If ``p`` is missing or outside [0, 1].

    Examples
    --------
    >>> format_p(0.0004)
    'p < .001'
    >>> format_p(0.05)
    'p = .050'
    >>> format_p(0.0004, style="html")
    '<i>p</i> &lt; .001'
    """
    _check_style(style)
    value = _finite(p, "p")
    if not 0 <= value <= 1:
        raise ValueError(f"p must lie between 0 and 1; got {value!r}.")
    threshold = 10.0**-digits
    symbol = _symbol("p", style)
    less = "&lt;" if style == "html" else "<"
    greater = "&gt;" if style == "html" else ">"
    if value < threshold:
        return f"{symbol} {less} {format_number(threshold, digits, leading_zero=False)}"
    rounded = format_number(value, digits, leading_zero=False)
    if rounded.startswith("1"):
        return f"{symbol} {greater} {format_number(1 - threshold, digits, leading_zero=False)}"
    return f"{symbol} = {rounded}"


def _stat(name: str, value, style: str, *, bounded: bool = False, digits: int = 2) -> str:
    return f"{_symbol(name, style)} = {format_number(value, digits, leading_zero=not bounded, style=style)}"


def apa_anova_row(F, df1, df2, p, *, eta2_p=None, omega2=None, style: str = "text") -> str:
    """One F test: ``F(1, 138) = 4.12, p = .044, eta2_p = .03``.

    Parameters
    ----------
    F, df1, df2, p : float
        The F statistic, its numerator and denominator degrees of freedom, p.
    eta2_p, omega2 : float, optional
        Effect sizes to append (partial eta squared, omega squared).
    style : {"text", "unicode", "html", "markdown"}

    Examples
    --------
    >>> apa_anova_row(4.1234, 1, 138, 0.0441, eta2_p=0.0290)
    'F(1, 138) = 4.12, p = .044, eta2_p = .03'
    >>> apa_anova_row(4.1234, 1, 138, 0.0441, eta2_p=0.0290, style="html")
    '<i>F</i>(1, 138) = 4.12, <i>p</i> = .044, η<sub>p</sub><sup>2</sup> = .03'
    """
    _check_style(style)
    parts = [
        f"{_symbol('F', style)}({_format_df(df1)}, {_format_df(df2)}) = {format_number(F, style=style)}",
        format_p(p, style=style),
    ]
    if eta2_p is not None:
        parts.append(_stat("eta2_p", eta2_p, style, bounded=True))
    if omega2 is not None:
        parts.append(_stat("omega2", omega2, style, bounded=True))
    return ", ".join(parts)


def apa_welch(F, df1, df2, p, *, style: str = "text") -> str:
    """Welch's F test: ``Welch's F(1, 97.35) = 4.05, p = .047``.

    Examples
    --------
    >>> apa_welch(4.049, 1, 97.3456, 0.0469)
    "Welch's F(1, 97.35) = 4.05, p = .047"
    """
    return "Welch's " + apa_anova_row(F, df1, df2, p, style=style)


def apa_t(t, df, p, *, d=None, g=None, style: str = "text") -> str:
    """A t test: ``t(138) = 2.03, p = .044, d = 0.34``.

    Parameters
    ----------
    t, df, p : float
        Statistic, degrees of freedom (fractional for Welch) and p.
    d, g : float, optional
        Cohen's d or Hedges' g to append (leading zero: they can exceed 1).
    style : {"text", "unicode", "html", "markdown"}

    Examples
    --------
    >>> apa_t(-2.031, 136.52, 0.0442, d=-0.343, style="unicode")
    't(136.52) = −2.03, p = .044, d = −0.34'
    """
    _check_style(style)
    parts = [f"{_symbol('t', style)}({_format_df(df)}) = {format_number(t, style=style)}", format_p(p, style=style)]
    if d is not None:
        parts.append(_stat("d", d, style))
    if g is not None:
        parts.append(_stat("g", g, style))
    return ", ".join(parts)


def apa_correlation(r, n, p, *, ci_low=None, ci_high=None, ci: float = 0.95, method: str = "pearson",
                    style: str = "text") -> str:
    """A correlation: ``r(138) = .21, p = .012`` (df = n - 2), optional CI.

    ``method="spearman"`` writes Spearman's rho as ``r_s`` (``rₛ``, ``<i>r</i><sub>s</sub>``).

    Examples
    --------
    >>> apa_correlation(0.2109, 140, 0.0123, ci_low=0.046, ci_high=0.364)
    'r(138) = .21, p = .012, 95% CI [.05, .36]'
    >>> apa_correlation(0.2109, 140, 0.0123, method="spearman", style="html")
    '<i>r</i><sub>s</sub>(138) = .21, <i>p</i> = .012'
    """
    _check_style(style)
    if method not in ("pearson", "spearman"):
        raise ValueError(f"`method` must be 'pearson' or 'spearman'; got {method!r}.")
    df = _finite(n, "n") - 2
    symbol = _symbol("r", style)
    if method == "spearman":
        symbol += {"text": "_s", "unicode": "\u209b", "html": "<sub>s</sub>", "markdown": "\u209b"}[style]
    parts = [f"{symbol}({_format_df(df)}) = {format_number(r, leading_zero=False, style=style)}",
             format_p(p, style=style)]
    if ci_low is not None and ci_high is not None:
        parts.append(_interval(ci_low, ci_high, ci, style, leading_zero=False))
    return ", ".join(parts)


def _interval(low, high, level, style, *, leading_zero: bool = True, digits: int = 2) -> str:
    percent = format_number(100 * _finite(level, "the confidence level"), 0)
    low_text = format_number(low, digits, leading_zero=leading_zero, style=style)
    high_text = format_number(high, digits, leading_zero=leading_zero, style=style)
    return f"{percent}% CI [{low_text}, {high_text}]"


def apa_mediation(indirect, ci_low, ci_high, *, ci: float = 0.95, mediator: str | None = None,
                  style: str = "text") -> str:
    """An indirect effect with its (bootstrap) interval.

    Examples
    --------
    >>> apa_mediation(0.1234, -0.0312, 0.2851)
    'indirect effect = 0.12, 95% CI [-0.03, 0.29]'
    >>> apa_mediation(0.1234, -0.0312, 0.2851, mediator="pk_scale", style="unicode")
    'indirect effect via pk_scale = 0.12, 95% CI [−0.03, 0.29]'
    """
    _check_style(style)
    label = "indirect effect" + (f" via {mediator}" if mediator else "")
    return f"{label} = {format_number(indirect, style=style)}, {_interval(ci_low, ci_high, ci, style)}"


def apa_descriptive(mean, sd, *, n=None, style: str = "text") -> str:
    """Mean and standard deviation: ``M = 4.12, SD = 1.03`` (optional ``n``).

    Examples
    --------
    >>> apa_descriptive(4.1234, 1.0349, n=70, style="markdown")
    '*M* = 4.12, *SD* = 1.03, *n* = 70'
    """
    _check_style(style)
    parts = [_stat("M", mean, style), _stat("SD", sd, style)]
    if n is not None:
        parts.append(f"{_symbol('n', style)} = {_format_df(n)}")
    return ", ".join(parts)


def apa_chi2(chi2, df, n, p, *, cramers_v=None, test: str = "chi2", style: str = "text") -> str:
    """A test of independence: ``chi2(1, N = 140) = 4.12, p = .042, V = .17``.

    With ``test="fisher_exact"`` (as chosen by :func:`analysis.crosstab_test`)
    the statistic is omitted: ``Fisher's exact test, p = .030``.

    Examples
    --------
    >>> apa_chi2(4.118, 1, 140, 0.0424, cramers_v=0.1715, style="unicode")
    'χ²(1, N = 140) = 4.12, p = .042, V = .17'
    >>> apa_chi2(float("nan"), float("nan"), 20, 0.03, test="fisher_exact")
    "Fisher's exact test, p = .030"
    """
    _check_style(style)
    if test == "fisher_exact":
        parts = ["Fisher's exact test", format_p(p, style=style)]
    else:
        head = f"{_symbol('chi2', style)}({_format_df(df)}, {_symbol('N', style)} = {_format_df(n)})"
        parts = [f"{head} = {format_number(chi2, style=style)}", format_p(p, style=style)]
    if cramers_v is not None:
        parts.append(_stat("V", cramers_v, style, bounded=True))
    return ", ".join(parts)


def apa_agreement(value, *, kind: str = "alpha", ci_low=None, ci_high=None, ci: float = 0.95,
                  style: str = "text") -> str:
    """An agreement coefficient: ``alpha = .74, 95% CI [.61, .85]`` (or ``kappa``).

    Examples
    --------
    >>> apa_agreement(0.7434, kind="alpha", style="unicode")
    'α = .74'
    """
    _check_style(style)
    if kind not in ("alpha", "kappa"):
        raise ValueError(f"`kind` must be 'alpha' or 'kappa'; got {kind!r}.")
    text = _stat(kind, value, style, bounded=True)
    if ci_low is not None and ci_high is not None and not (pd.isna(ci_low) or pd.isna(ci_high)):
        text += ", " + _interval(ci_low, ci_high, ci, style, leading_zero=False)
    return text


# --- dispatch on a result --------------------------------------------------


_ROW_KEYS = ("source", "method", "test")  # columns naming the rows of a result table


def _group_comparison_row(result, effect) -> tuple[dict, dict]:
    """The t test of a GroupComparison (Welch's unless ``effect`` names another) with Cohen's d."""
    tests, effects = result.tests, result.effects
    chosen = effect or "welch"
    row = tests[tests["test"] == chosen]
    if row.empty:
        raise ValueError(f"test {chosen!r} is not in the comparison; it has {', '.join(map(repr, tests['test']))}.")
    values = row.iloc[0].to_dict()
    values["t"] = values.pop("statistic")
    d = effects.loc[effects["effect"] == "cohen_d", "estimate"]
    if len(d) and not chosen.startswith("tost"):
        values["d"] = float(d.iloc[0])
    return values, {}


def _one_row(result, effect) -> tuple[dict, dict]:
    """The row to report as a dict, plus context (e.g. residual df of an ANOVA table)."""
    if isinstance(result, pd.Series):
        return result.to_dict(), {}
    if isinstance(result, dict):
        return dict(result), {}
    if hasattr(result, "tests") and hasattr(result, "effects"):
        return _group_comparison_row(result, effect)
    if not isinstance(result, pd.DataFrame):
        raise ValueError(
            f"cannot format a {type(result).__name__}; pass a result DataFrame, one of "
            "its rows, a dict, a GroupComparison or a MediationResult."
        )
    frame = result
    context = dict(frame.attrs)
    key = next((k for k in _ROW_KEYS if k in frame.columns), None)
    if key is not None:
        names = frame[key].astype(str)
        residual = frame[names == "Residual"]
        if len(residual) and "df" in frame.columns:
            context["df_residual"] = float(residual["df"].iloc[0])
        frame = frame[names != "Residual"]
        if effect is not None:
            frame = frame[frame[key].astype(str) == effect]
            if frame.empty:
                raise ValueError(
                    f"effect {effect!r} is not in the table; its rows ({key}) are "
                    f"{', '.join(map(repr, names[names != 'Residual']))}."
                )
    if len(frame) != 1:
        choices = f" ({', '.join(map(repr, frame[key].astype(str)))})" if key is not None else ""
        raise ValueError(
            f"the result has {len(frame)} rows but one statistic is formatted at a time; "
            f"pass effect= one of the rows{choices}, or select one row (e.g. table.iloc[0])."
        )
    return frame.iloc[0].to_dict(), context


def _mediation_text(result, style: str) -> str:
    """Indirect effect(s) of a MediationResult: one phrase per mediator, then the total."""
    indirect = getattr(result, "indirect", None)
    if not isinstance(indirect, pd.DataFrame) or not {"effect", "ci_low", "ci_high"} <= set(indirect.columns):
        raise ValueError(
            "a mediation result needs an `indirect` table with effect, ci_low and ci_high "
            "(as made by analysis.mediation)."
        )
    level = getattr(result, "ci", 0.95)
    several = len(indirect) > 1
    texts = []
    for name, row in indirect.iterrows():
        if several and name == "total":
            texts.append("total " + apa_mediation(row["effect"], row["ci_low"], row["ci_high"], ci=level, style=style))
        else:
            texts.append(apa_mediation(row["effect"], row["ci_low"], row["ci_high"], ci=level,
                                       mediator=str(name) if several else None, style=style))
    return "; ".join(texts)


def _guess_kind(row: dict) -> str:
    keys = set(row)
    if "F" in keys:
        return "welch" if {"df1", "df2"} <= keys and "eta2_p" not in keys else "anova"
    if "t" in keys:
        return "t"
    if "r" in keys:
        return "correlation"
    if "test" in keys and "cramers_v" in keys:
        return "chi2"
    if "kappa" in keys:
        return "kappa"
    if "alpha" in keys and "n_coders" in keys:
        return "alpha"
    if {"mean", "sd"} <= keys:
        return "descriptive"
    raise ValueError(
        f"cannot tell what kind of result has the columns {', '.join(map(str, keys))}; "
        "pass kind= one of anova, welch, t, correlation, chi2, kappa, alpha, descriptive, mediation."
    )


def _get(row: dict, *names, required: bool = True):
    for name in names:
        if name in row and not (row[name] is None or (isinstance(row[name], float) and np.isnan(row[name]))):
            return row[name]
    if required:
        raise ValueError(f"the result has no value for {' or '.join(names)}; cannot format it.")
    return None


def apa(result, kind: str | None = None, style: str = "text", *, effect: str | None = None) -> str:
    """Format a result of this package as APA text.

    Parameters
    ----------
    result : pandas.DataFrame, pandas.Series, dict or MediationResult
        Output of :func:`analysis.anova` (with ``effect`` to choose the row
        when there are several), :func:`analysis.welch_anova`,
        :func:`analysis.compare_groups` (Welch's t with Cohen's d unless
        ``effect="student"``), :func:`analysis.correlate` (``effect="pearson"``
        or ``"spearman"`` when both were computed),
        :func:`analysis.crosstab_test`, :func:`analysis.cohen_kappa`,
        :func:`analysis.krippendorff_alpha`, a row of :func:`analysis.describe`,
        or :func:`analysis.mediation`.
    kind : str, optional
        ``anova``, ``welch``, ``t``, ``correlation``, ``chi2``, ``kappa``,
        ``alpha``, ``descriptive`` or ``mediation``; guessed from the columns
        when omitted.
    style : {"text", "unicode", "html", "markdown"}
    effect : str, optional
        The row to report: an ANOVA ``source``, a correlation ``method`` or a
        ``test`` of a group comparison.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        If the result cannot be recognised, has several rows, or lacks a value.

    Examples
    --------
    >>> table = pd.DataFrame({"source": ["condition", "Residual"], "df": [1.0, 138.0],
    ...                       "F": [4.1234, float("nan")], "p": [0.0441, float("nan")],
    ...                       "eta2_p": [0.029, float("nan")]})
    >>> apa(table, style="markdown")
    '*F*(1, 138) = 4.12, *p* = .044, η²p = .03'
    """
    _check_style(style)
    if kind == "mediation" or (kind is None and hasattr(result, "indirect") and not isinstance(result, (dict, pd.Series, pd.DataFrame))):
        return _mediation_text(result, style)
    row, context = _one_row(result, effect)
    kind = kind or _guess_kind(row)
    if kind == "anova":
        df2 = _get(row, "df2", required=False)
        if df2 is None:
            df2 = context.get("df_residual")
        if df2 is None:
            raise ValueError("the ANOVA result has no residual degrees of freedom (no 'Residual' row or df2).")
        return apa_anova_row(_get(row, "F"), _get(row, "df1", "df"), df2, _get(row, "p"),
                             eta2_p=_get(row, "eta2_p", required=False), style=style)
    if kind == "welch":
        return apa_welch(_get(row, "F"), _get(row, "df1"), _get(row, "df2"), _get(row, "p"), style=style)
    if kind == "t":
        return apa_t(_get(row, "t"), _get(row, "df"), _get(row, "p"), d=_get(row, "d", "cohen_d", required=False),
                     style=style)
    if kind == "correlation":
        low, high = _get(row, "ci_low", required=False), _get(row, "ci_high", required=False)
        return apa_correlation(_get(row, "r"), _get(row, "n"), _get(row, "p"), ci_low=low, ci_high=high,
                               ci=context.get("ci", 0.95), method=str(row.get("method", "pearson")), style=style)
    if kind == "chi2":
        return apa_chi2(row.get("statistic"), row.get("df"), _get(row, "n"), _get(row, "p"),
                        cramers_v=_get(row, "cramers_v", required=False), test=str(row.get("test", "chi2")),
                        style=style)
    if kind in ("kappa", "alpha"):
        return apa_agreement(_get(row, kind), kind=kind, ci_low=row.get("ci_low"), ci_high=row.get("ci_high"),
                             style=style)
    if kind == "descriptive":
        return apa_descriptive(_get(row, "mean"), _get(row, "sd"), n=_get(row, "n", required=False), style=style)
    raise ValueError(
        f"`kind` must be one of anova, welch, t, correlation, chi2, kappa, alpha, descriptive, "
        f"mediation; got {kind!r}."
    )
