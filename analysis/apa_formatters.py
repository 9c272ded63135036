"""APA-style strings for each kind of result (F, Welch, t, r, chi2, agreement, M/SD, mediation).

Each function takes the numbers of one result; :func:`analysis.apa.apa`
picks the right one for a result of this package.

>>> apa_t(2.031, 138, 0.0442, d=0.343)
't(138) = 2.03, p = .044, d = 0.34'
"""

from __future__ import annotations

import pandas as pd

from analysis.apa_numbers import (
    _check_lang,
    _check_style,
    _finite,
    _format_df,
    _interval,
    _stat,
    _symbol,
    _word,
    format_number,
    format_p,
)


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


def apa_welch(F, df1, df2, p, *, style: str = "text", lang: str = "en") -> str:
    """Welch's F test: ``Welch's F(1, 97.35) = 4.05, p = .047`` (Dutch: ``Welch-F(1, 97.35) ...``).

    Parameters
    ----------
    F, df1, df2, p : float
    style : {"text", "unicode", "html", "markdown"}
    lang : {"en", "nl"}, default "en"
        Language of the words (the numbers are the same).

    Examples
    --------
    >>> apa_welch(4.049, 1, 97.3456, 0.0469)
    "Welch's F(1, 97.35) = 4.05, p = .047"
    >>> apa_welch(4.049, 1, 97.3456, 0.0469, style="markdown", lang="nl")
    'Welch-*F*(1, 97.35) = 4.05, *p* = .047'
    """
    text = apa_anova_row(F, df1, df2, p, style=style)
    symbol = _symbol("F", style)
    return _word("welch", lang).format(stat=symbol) + text[len(symbol):]


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
                    style: str = "text", lang: str = "en") -> str:
    """A correlation: ``r(138) = .21, p = .012`` (df = n - 2), optional CI.

    ``method="spearman"`` writes Spearman's rho as ``r_s`` (``rₛ``, ``<i>r</i><sub>s</sub>``).
    ``lang="nl"`` names the interval ``95%-BI`` instead of ``95% CI``.

    Examples
    --------
    >>> apa_correlation(0.2109, 140, 0.0123, ci_low=0.046, ci_high=0.364)
    'r(138) = .21, p = .012, 95% CI [.05, .36]'
    >>> apa_correlation(0.2109, 140, 0.0123, method="spearman", style="html")
    '<i>r</i><sub>s</sub>(138) = .21, <i>p</i> = .012'
    """
    _check_style(style)
    _check_lang(lang)
    if method not in ("pearson", "spearman"):
        raise ValueError(f"`method` must be 'pearson' or 'spearman'; got {method!r}.")
    df = _finite(n, "n") - 2
    symbol = _symbol("r", style)
    if method == "spearman":
        symbol += {"text": "_s", "unicode": "\u209b", "html": "<sub>s</sub>", "markdown": "\u209b"}[style]
    parts = [f"{symbol}({_format_df(df)}) = {format_number(r, leading_zero=False, style=style)}",
             format_p(p, style=style)]
    if ci_low is not None and ci_high is not None:
        parts.append(_interval(ci_low, ci_high, ci, style, leading_zero=False, lang=lang))
    return ", ".join(parts)



def apa_mediation(indirect, ci_low, ci_high, *, ci: float = 0.95, mediator: str | None = None,
                  style: str = "text", lang: str = "en") -> str:
    """An indirect effect with its (bootstrap) interval.

    Parameters
    ----------
    indirect, ci_low, ci_high : float
        The indirect effect and its interval.
    ci : float, default 0.95
        Confidence level of the interval.
    mediator : str, optional
        Name of the mediator, written as ``via <mediator>``.
    style : {"text", "unicode", "html", "markdown"}
    lang : {"en", "nl"}, default "en"
        Language of the words: ``95% CI`` or ``95%-BI`` (betrouwbaarheidsinterval);
        "indirect effect" is the same in both.

    Examples
    --------
    >>> apa_mediation(0.1234, -0.0312, 0.2851)
    'indirect effect = 0.12, 95% CI [-0.03, 0.29]'
    >>> apa_mediation(0.1234, -0.0312, 0.2851, mediator="pk_scale", style="unicode")
    'indirect effect via pk_scale = 0.12, 95% CI [−0.03, 0.29]'
    >>> apa_mediation(0.1234, -0.0312, 0.2851, lang="nl")
    'indirect effect = 0.12, 95%-BI [-0.03, 0.29]'
    """
    _check_style(style)
    label = _word("indirect", lang) + (f" {_word('via', lang)} {mediator}" if mediator else "")
    return f"{label} = {format_number(indirect, style=style)}, {_interval(ci_low, ci_high, ci, style, lang=lang)}"


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


def apa_chi2(chi2, df, n, p, *, cramers_v=None, test: str = "chi2", style: str = "text", lang: str = "en") -> str:
    """A test of independence: ``chi2(1, N = 140) = 4.12, p = .042, V = .17``.

    With ``test="fisher_exact"`` (as chosen by :func:`analysis.crosstab_test`)
    the statistic is omitted: ``Fisher's exact test, p = .030`` (``lang="nl"``:
    ``exacte toets van Fisher, p = .030``).

    Examples
    --------
    >>> apa_chi2(4.118, 1, 140, 0.0424, cramers_v=0.1715, style="unicode")
    'χ²(1, N = 140) = 4.12, p = .042, V = .17'
    >>> apa_chi2(float("nan"), float("nan"), 20, 0.03, test="fisher_exact")
    "Fisher's exact test, p = .030"
    """
    _check_style(style)
    _check_lang(lang)
    if test == "fisher_exact":
        parts = [_word("fisher", lang), format_p(p, style=style)]
    else:
        head = f"{_symbol('chi2', style)}({_format_df(df)}, {_symbol('N', style)} = {_format_df(n)})"
        parts = [f"{head} = {format_number(chi2, style=style)}", format_p(p, style=style)]
    if cramers_v is not None:
        parts.append(_stat("V", cramers_v, style, bounded=True))
    return ", ".join(parts)


def apa_agreement(value, *, kind: str = "alpha", ci_low=None, ci_high=None, ci: float = 0.95,
                  style: str = "text", lang: str = "en") -> str:
    """An agreement coefficient: ``alpha = .74, 95% CI [.61, .85]`` (or ``kappa``; ``95%-BI`` in Dutch).

    Examples
    --------
    >>> apa_agreement(0.7434, kind="alpha", style="unicode")
    'α = .74'
    """
    _check_style(style)
    _check_lang(lang)
    if kind not in ("alpha", "kappa"):
        raise ValueError(f"`kind` must be 'alpha' or 'kappa'; got {kind!r}.")
    text = _stat(kind, value, style, bounded=True)
    if ci_low is not None and ci_high is not None and not (pd.isna(ci_low) or pd.isna(ci_high)):
        text += ", " + _interval(ci_low, ci_high, ci, style, leading_zero=False, lang=lang)
    return text
