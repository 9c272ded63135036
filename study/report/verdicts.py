"""The "Did it replicate?" part of the report: one row per claim of the original, and the rules.

:func:`replication_context` turns the pipeline's replication table (see
:mod:`study.pipeline.replication`) into what the report templates show, in the
report's language: what the original found, what this study found, the criteria
with their results, the verdict and a short reading. :func:`verdict_rules` states
the rules; the preregistration prints the same sentences before any data exist.
:func:`claim_verdict` applies them: a direction is decided by the one-sided test, a
claimed absence by the equivalence test (*not replicated* only when the two-sided test
finds an effect and the equivalence interval lies outside the bounds), an estimate by
the sceptical p-value.
"""

from __future__ import annotations

import pandas as pd

from analysis.apa import ci_label, format_number, format_p

#: Which criterion decides the verdict, per kind of claim (the report and prereg say so).
VERDICT_RULES = {
    "positive": "directional_test",
    "negative": "directional_test",
    "none": "equivalence_test",
    "estimate": "sceptical_p",
}

#: The verdict rule that applies to each kind of claim (keys of the report texts).
RULE_KEYS = {"positive": "rule_direction", "negative": "rule_direction", "none": "rule_none",
             "estimate": "rule_estimate"}


def claim_verdict(claim_kind: str, criteria: pd.DataFrame) -> str:
    """The verdict on one claim from its criteria, by the rule for its kind (see the module docstring).

    >>> table = pd.DataFrame({"criterion": ["two_sided_test", "equivalence_test"],
    ...                       "verdict": ["inconclusive", "replicated"]})
    >>> claim_verdict("none", table)
    'replicated'
    """
    verdicts = dict(zip(criteria["criterion"], criteria["verdict"]))
    if claim_kind != "none":
        return verdicts[VERDICT_RULES[claim_kind]]
    if verdicts["equivalence_test"] == "replicated":
        return "replicated"
    if verdicts["two_sided_test"] == "not replicated" and verdicts["equivalence_test"] != "inconclusive":
        return "not replicated"
    return "inconclusive"


def _num(value, digits: int = 2, *, bounded: bool = False) -> str:
    if value is None or pd.isna(value):
        return "–"
    return format_number(float(value), digits, leading_zero=not bounded, style="unicode")


def _p(p) -> str:
    return "–" if p is None or pd.isna(p) else format_p(float(p), style="unicode")


def _estimate_text(row, t: dict, alpha: float, lang: str, style: str) -> str:
    """What this study found, on the quantity's own scale, with the deciding criterion's interval."""
    interval = ci_label(1 - 2 * alpha, lang) if row.claimed != "estimate" else ci_label(1 - alpha, lang)
    kind = row.quantity
    if kind in ("proportion", "proportion_difference"):
        value, low, high = (_num(100 * x, 0) for x in (row.estimate, row.ci_low, row.ci_high))
        template = t["found_proportion"] if kind == "proportion" else t["found_difference"]
        return template.format(value=value, low=low, high=high, ci=interval, n=row.n)
    symbol = {"smd": "d", "correlation": "r", "indirect": "ab"}[kind]
    symbol = f"*{symbol}*" if style == "markdown" else symbol
    bounded = kind == "correlation"
    return t["found_estimate"].format(symbol=symbol, value=_num(row.estimate, bounded=bounded),
                                      low=_num(row.ci_low, bounded=bounded),
                                      high=_num(row.ci_high, bounded=bounded), ci=interval, n=row.n)


def _criteria_text(criteria: pd.DataFrame, t: dict) -> str:
    parts = []
    for row in criteria.itertuples(index=False):
        if row.verdict == "not applicable":
            continue
        name = t.get(f"criterion_{row.criterion}", row.criterion)
        if row.criterion in ("bayes_factor_null", "replication_bayes_factor"):
            parts.append(f"{name} {_num(row.value)}")
        else:
            parts.append(f"{name}: {_p(row.p)}")
    return "; ".join(parts)


def verdict_rules(study, t: dict) -> list[str]:
    """The rule of every kind of claim the study's original block uses, in the report's language."""
    bound = max(abs(b) for b in study.analysis.equivalence_bounds)
    kinds = []
    for claim in study.original.claims:
        key = RULE_KEYS[claim.reported.claim]
        if key not in kinds:
            kinds.append(key)
    return [t[key].format(alpha=_num(study.analysis.alpha, bounded=True), bound=_num(bound)) for key in kinds]


def replication_context(results, t: dict, style: str = "markdown") -> dict | None:
    """The report's "Did it replicate?" section, or None when the study has no ``original`` block."""
    study, lang = results.study, results.lang
    original = study.original
    if original is None or results.replication is None or not len(results.replication):
        return None
    alpha = study.analysis.alpha
    claims = {claim.id: claim for claim in original.claims}
    rows, readings = [], []
    for row in results.replication.itertuples(index=False):
        claim = claims[row.claim]
        verdict = t[f"verdict_{row.verdict.replace(' ', '_')}"]
        if row.verdict == "not tested":  # its quantity could not be computed from these data
            rows.append([claim.finding[lang], t["found_not_tested"], "",
                         f"**{verdict}**" if style == "markdown" else verdict])
            readings.append({"finding": claim.finding[lang], "verdict": verdict,
                             "text": t["reading_not_tested"]})
            continue
        found = _estimate_text(row, t, alpha, lang, style)
        rows.append([claim.finding[lang], found, _criteria_text(results.replication_criteria[row.claim], t),
                     f"**{verdict}**" if style == "markdown" else verdict])
        readings.append({"finding": claim.finding[lang], "verdict": verdict,
                         "text": t[f"reading_{row.claimed if row.claimed != 'negative' else 'positive'}"
                                   f"_{row.verdict.replace(' ', '_')}"]})
    counts = results.replication["verdict"].value_counts()
    return {
        "reference": original.reference,
        "note": original.note[lang] if original.note else None,
        "table": {"title": t["replication_table"],
                  "headers": [t["original_found"], t["this_study_found"], t["criteria"], t["verdict"]],
                  "rows": rows},
        "readings": readings,
        "rules": verdict_rules(study, t),
        "summary": t["replication_summary"].format(
            n=len(results.replication), replicated=int(counts.get("replicated", 0)),
            not_replicated=int(counts.get("not replicated", 0)), inconclusive=int(counts.get("inconclusive", 0)))
        + (" " + t["replication_summary_not_tested"].format(n=int(counts["not tested"]))
           if counts.get("not tested", 0) else ""),
    }
