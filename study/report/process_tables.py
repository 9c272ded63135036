"""The report's part for a process hypothesis (moderated mediation and its relatives).

:func:`process_context` turns a :class:`analysis.ProcessResult` into what the report
templates show, in the report's language: the model in words, a coefficient table per
outcome, the conditional (direct) effects, the conditional indirect effects, and the
index of moderated mediation with a plain-language reading.
"""

from __future__ import annotations

import pandas as pd

from analysis.apa import ci_label, format_number, format_p


def _num(value, digits: int = 2) -> str:
    if value is None or pd.isna(value):
        return "–"
    return format_number(float(value), digits, style="unicode")


def _p(p) -> str:
    if p is None or pd.isna(p):
        return "–"
    text = format_p(float(p), style="unicode")
    return text[4:] if text.startswith("p = ") else text[2:]


def _interval(row) -> str:
    return f"[{_num(row['ci_low'])}, {_num(row['ci_high'])}]"


def _table(title: str, headers: list[str], rows: list[list]) -> dict:
    return {"title": title, "headers": headers, "rows": [[str(cell) for cell in row] for row in rows]}


def _moderator_value(value, coding: dict | None, labels) -> str:
    """A probed moderator value, as its level's name when the moderator is a coded factor."""
    if coding:
        for level, code in coding.items():
            if float(code) == float(value):
                return labels.levels.get(level, level)
    return _num(value)


def process_context(outcome, t: dict, labels) -> dict:
    """Everything the templates show for one process hypothesis."""
    hypothesis, result = outcome.hypothesis, outcome.result
    lang = labels.lang
    ci = ci_label(result.ci, lang)
    w_coding = hypothesis.w_coding
    coefficient_tables = [
        _table(t["process_coefficients"].format(outcome=labels(name)),
               [t["term"], t["estimate"], "SE", "t", "p", ci],
               [[term, _num(r["coef"]), _num(r["se"]), _num(r["t"]), _p(r["p"]), _interval(r)]
                for term, r in table.iterrows()])
        for name, table in result.coefficients.items()]
    conditional = result.conditional_effects
    effects_table = None if conditional is None or conditional.empty else _table(
        t["process_conditional_effects"].format(w=labels(hypothesis.w or "")),
        [labels(hypothesis.w or "w"), t["estimate"], "SE", "t", "p", ci],
        [[_moderator_value(r["w"], w_coding, labels), _num(r["effect"]), _num(r["se"]), _num(r["t"]),
          _p(r["p"]), _interval(r)] for _, r in conditional.iterrows()])
    indirect = result.conditional_indirect
    indirect_table = None if indirect is None or indirect.empty else _table(
        t["process_conditional_indirect"], [t["mediator"], labels(hypothesis.w or "w"), t["estimate"],
                                            t["boot_se"], ci],
        [[labels(r["m"]), _moderator_value(r["w"], w_coding, labels), _num(r["effect"]), _num(r["boot_se"]),
          _interval(r)] for _, r in indirect.iterrows()])
    index = []
    if result.index is not None:
        for mediator, r in result.index.iterrows():
            excludes = bool(r["ci_low"] > 0 or r["ci_high"] < 0)
            index.append({"mediator": labels(str(mediator)),
                          "text": t["process_index"].format(mediator=labels(str(mediator)), value=_num(r["index"]),
                                                            ci=ci, interval=_interval(r)),
                          "reading": t["process_index_yes" if excludes else "process_index_no"].format(
                              w=labels(hypothesis.w or ""), mediator=labels(str(mediator)))})
    return {
        "id": hypothesis.id.upper(), "description": hypothesis.description_in(lang),
        "setup": t["process_setup"].format(
            model=hypothesis.model, x=labels(hypothesis.x), y=labels(hypothesis.y),
            m=", ".join(labels(m) for m in hypothesis.mediators) or "–", w=labels(hypothesis.w or "") or "–",
            n=result.n, n_boot=result.n_boot, se=hypothesis.hc or "OLS"),
        "coefficients": coefficient_tables, "effects": effects_table, "indirect": indirect_table,
        "index": index,
    }
