"""Statistics as APA-style text (7th edition), in four renderings.

Styles: ``text`` (plain ASCII: ``eta2_p``, ``-``), ``unicode`` (``η²p``, the
minus sign ``−``), ``html`` (``<i>F</i>``, ``η<sub>p</sub><sup>2</sup>``) and
``markdown`` (``*F*``, Greek in Unicode). Words in the text are English by
default; ``lang="nl"`` writes them in Dutch (``95%-BI``, ``Welch-F``, ``exacte
toets van Fisher``), keeping the decimal point.

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

import numpy as np
import pandas as pd

from analysis.apa_formatters import (
    apa_agreement,
    apa_anova_row,
    apa_chi2,
    apa_correlation,
    apa_descriptive,
    apa_mediation,
    apa_t,
    apa_welch,
)
from analysis.apa_numbers import LANGUAGES, STYLES, _check_lang, _check_style, _word, ci_label, format_number, format_p

__all__ = [
    "LANGUAGES",
    "STYLES",
    "apa",
    "apa_agreement",
    "apa_anova_row",
    "apa_chi2",
    "apa_correlation",
    "apa_descriptive",
    "apa_mediation",
    "apa_t",
    "apa_welch",
    "ci_label",
    "format_number",
    "format_p",
]

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


def _mediation_text(result, style: str, lang: str = "en") -> str:
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
            texts.append(f"{_word('total', lang)} " + apa_mediation(row["effect"], row["ci_low"], row["ci_high"],
                                                                     ci=level, style=style, lang=lang))
        else:
            texts.append(apa_mediation(row["effect"], row["ci_low"], row["ci_high"], ci=level,
                                       mediator=str(name) if several else None, style=style, lang=lang))
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


def apa(result, kind: str | None = None, style: str = "text", *, effect: str | None = None,
        lang: str = "en") -> str:
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
    lang : {"en", "nl"}, default "en"
        Language of the few words in the text (``95% CI`` / ``95%-BI``,
        ``Welch's F`` / ``Welch-F``, ``Fisher's exact test`` / ``exacte toets
        van Fisher``, ``total`` / ``totaal``); numbers keep the decimal point.

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
    >>> apa({"r": 0.2109, "n": 140, "p": 0.0123, "ci_low": 0.046, "ci_high": 0.364}, lang="nl")
    'r(138) = .21, p = .012, 95%-BI [.05, .36]'
    """
    _check_style(style)
    _check_lang(lang)
    if kind == "mediation" or (kind is None and hasattr(result, "indirect") and not isinstance(result, (dict, pd.Series, pd.DataFrame))):
        return _mediation_text(result, style, lang)
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
        return apa_welch(_get(row, "F"), _get(row, "df1"), _get(row, "df2"), _get(row, "p"), style=style, lang=lang)
    if kind == "t":
        return apa_t(_get(row, "t"), _get(row, "df"), _get(row, "p"), d=_get(row, "d", "cohen_d", required=False),
                     style=style)
    if kind == "correlation":
        low, high = _get(row, "ci_low", required=False), _get(row, "ci_high", required=False)
        return apa_correlation(_get(row, "r"), _get(row, "n"), _get(row, "p"), ci_low=low, ci_high=high,
                               ci=context.get("ci", 0.95), method=str(row.get("method", "pearson")), style=style,
                               lang=lang)
    if kind == "chi2":
        return apa_chi2(row.get("statistic"), row.get("df"), _get(row, "n"), _get(row, "p"),
                        cramers_v=_get(row, "cramers_v", required=False), test=str(row.get("test", "chi2")),
                        style=style, lang=lang)
    if kind in ("kappa", "alpha"):
        return apa_agreement(_get(row, kind), kind=kind, ci_low=row.get("ci_low"), ci_high=row.get("ci_high"),
                             style=style, lang=lang)
    if kind == "descriptive":
        return apa_descriptive(_get(row, "mean"), _get(row, "sd"), n=_get(row, "n", required=False), style=style)
    raise ValueError(
        f"`kind` must be one of anova, welch, t, correlation, chi2, kappa, alpha, descriptive, "
        f"mediation; got {kind!r}."
    )
