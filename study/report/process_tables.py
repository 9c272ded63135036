"""The report's part for a process hypothesis (mediation, moderation, moderated mediation).

:func:`process_context` turns a :class:`analysis.ProcessResult` into what the report
templates show, in the report's language: the model in words, a coefficient table per
outcome, the conditional (direct) effects, the conditional indirect effects, the
index of moderated mediation with a plain-language reading and, for a multicategorical X,
the relative indirect, total and direct effects per contrast and the omnibus tests.
:func:`contrast_labels` says in words what each code of a multicategorical X compares.
"""

from __future__ import annotations

import pandas as pd

from analysis.apa import apa_anova_row, ci_label, format_number, format_p


def _num(value, digits: int = 2) -> str:
    if value is None or pd.isna(value):
        return "–"
    return format_number(float(value), digits, style="unicode")


def _p(p) -> str:
    if p is None or pd.isna(p):
        return "–"
    text = format_p(float(p), style="unicode")
    return text[4:] if text.startswith("p = ") else text[2:]


def _interval(row, digits: int = 2) -> str:
    return f"[{_num(row['ci_low'], digits)}, {_num(row['ci_high'], digits)}]"


def _digits(row, estimate: str = "effect") -> int:
    """Decimals for a bootstrapped estimate and its interval: 2, or up to 4 while a nonzero one shows as zero.

    A small index of moderated mediation whose interval excludes zero ([0.00027, 0.031]) must not
    read "[0.00, 0.03]" next to "the interval excludes zero".

    >>> _digits({"effect": 0.0157, "ci_low": 0.00027, "ci_high": 0.031}), _digits({"effect": 0.4, "ci_low": 0.1, "ci_high": 0.7})
    (4, 2)
    """
    shown = [abs(float(row[key])) for key in (estimate, "ci_low", "ci_high") if not pd.isna(row[key]) and row[key] != 0]
    digits = 2
    while digits < 4 and any(value < 0.5 * 10**-digits for value in shown):
        digits += 1
    return digits


def _boot_cells(row, estimate: str = "effect") -> list[str]:
    """Estimate, bootstrap SE and interval of a row, to the same decimals (:func:`_digits`)."""
    digits = _digits(row, estimate)
    return [_num(row[estimate], digits), _num(row["boot_se"], digits), _interval(row, digits)]


def _table(title: str, headers: list[str], rows: list[list]) -> dict:
    return {"title": title, "headers": headers, "rows": [[str(cell) for cell in row] for row in rows]}


def _moderator_value(value, coding: dict | None, labels) -> str:
    """A probed moderator value, as its level's name when the moderator is a coded factor."""
    if coding:
        for level, code in coding.items():
            if float(code) == float(value):
                return labels.levels.get(level, level)
    return _num(value)


def contrast_labels(levels: list, coding: str, name: str, shown, t: dict) -> dict[str, str]:
    """What each code of a multicategorical X compares, in words: term -> text.

    ``levels`` in the order they were coded (the reference first), ``name`` the variable,
    ``shown`` a level's display label, ``t`` the report's texts (``contrast_<coding>``).
    Term names are :func:`analysis.process`'s (``"{name}[{level}]"``).

    >>> texts = {"contrast_indicator": "{level} vs {reference}", "contrast_sequential": "{level} vs {previous}"}
    >>> contrast_labels(["low", "mid", "high"], "indicator", "x", str.upper, texts)
    {'x[mid]': 'MID vs LOW', 'x[high]': 'HIGH vs LOW'}
    >>> contrast_labels(["low", "mid", "high"], "sequential", "x", str, texts)["x[high]"]
    'high vs mid'
    """
    coded = levels[:-1] if coding == "helmert" else levels[1:]
    found = {}
    for level in coded:
        position = levels.index(level)
        found[f"{name}[{level}]"] = t[f"contrast_{coding}"].format(
            level=shown(level), reference=shown(levels[0]), previous=shown(levels[position - 1]))
    return found


def _path_mediators(path: str, result, labels) -> str:
    """``x -> m1 -> m2 -> y`` as the mediators' labels (``m1 → m2``); ``total`` as the texts say."""
    names = path.split(" -> ")[1:-1]
    return " → ".join(labels(name) for name in names)


def process_context(outcome, t: dict, labels, *, style: str = "unicode", mark=str) -> dict:
    """Everything the templates show for one process hypothesis.

    ``style`` is :mod:`analysis.apa`'s style of the statistics in sentences; ``mark`` wraps
    them (the HTML report marks its html-style statistics as safe).
    """
    hypothesis, result = outcome.hypothesis, outcome.result
    lang = labels.lang
    ci = ci_label(result.ci, lang)
    contrasts, reference, coding_sentence = {}, None, None
    if result.x_codes:
        levels = list(result.x_codes)
        reference = labels((hypothesis.x, str(levels[0])))
        contrasts = contrast_labels(levels, result.x_coding, hypothesis.x,
                                    lambda level: labels((hypothesis.x, str(level))), t)
        coding_sentence = t["process_coding"].format(
            x=labels(hypothesis.x), k=len(contrasts), coding=t[f"coding_{result.x_coding}"], reference=reference,
            contrasts="; ".join(contrasts.values()))
    def term_label(term: str) -> str:  # a code's contrast in words, a product's parts joined by ×
        if term == "constant":
            return t["constant"]
        return " × ".join(contrasts.get(part) or labels(part) for part in term.split(":"))

    moderators = [(role, getattr(hypothesis, role), getattr(hypothesis, f"{role}_coding")) for role in ("w", "z")
                  if getattr(hypothesis, role)]
    moderated_by = f" {t['fig_and']} ".join(labels(name) for _, name, _ in moderators)

    def moderator_cells(row, table) -> list[str]:
        return [_moderator_value(row[role], coding, labels) for role, _, coding in moderators if role in table]

    def moderator_headers(table) -> list[str]:
        return [labels(name) for role, name, _ in moderators if role in table]
    coefficient_tables = [
        _table(t["process_coefficients"].format(outcome=labels(name)),
               [t["term"], t["estimate"], "SE", "t", "p", ci],
               [[term_label(term), _num(r["coef"]), _num(r["se"]), _num(r["t"]), _p(r["p"]), _interval(r)]
                for term, r in table.iterrows()])
        for name, table in result.coefficients.items()]
    conditional = result.conditional_effects
    mediated = bool(hypothesis.mediators)
    effects_table = None if conditional is None or conditional.empty else _table(
        t["process_conditional_effects" if mediated else "process_conditional_effects_moderation"].format(w=moderated_by),
        [*moderator_headers(conditional), *([t["contrast"]] if "contrast" in conditional else []), t["estimate"],
         "SE", "t", "p", ci],
        [[*moderator_cells(r, conditional), *([term_label(r["contrast"])] if "contrast" in conditional else []),
          _num(r["effect"]), _num(r["se"]), _num(r["t"]), _p(r["p"]), _interval(r)]
         for _, r in conditional.iterrows()])
    indirect = result.conditional_indirect
    indirect_table = None if indirect is None or indirect.empty else _table(
        t["process_conditional_indirect"], [t["mediator"], *moderator_headers(indirect),
                                            *([t["contrast"]] if "contrast" in indirect else []), t["estimate"],
                                            t["boot_se"], ci],
        [[labels(r["m"]), *moderator_cells(r, indirect),
          *([term_label(r["contrast"])] if "contrast" in indirect else []), *_boot_cells(r)]
         for _, r in indirect.iterrows()])
    tests = result.interaction_tests
    interaction_table = None if tests is None or tests.empty else _table(
        t["process_interaction_tests"], [t["outcome"], t["term"], "ΔR²", "F", "df1", "df2", "p"],
        [[labels(r["outcome"]), ", ".join(term_label(term) for term in r["term"].split(", ")),
          _num(r["r2_change"], 3), _num(r["F"]), int(r["df1"]), int(r["df2"]), _p(r["p"])]
         for _, r in tests.iterrows()])
    index = []
    if result.index is not None:
        for key, r in result.index.iterrows():
            mediator = key[0] if isinstance(key, tuple) else key
            shown = labels(str(mediator)) + (f" ({term_label(key[1])})" if isinstance(key, tuple) else "")
            excludes = bool(r["ci_low"] > 0 or r["ci_high"] < 0)
            index.append({"mediator": shown,
                          "text": t["process_index"].format(mediator=shown, value=_num(r["index"], _digits(r, "index")),
                                                            ci=ci, interval=_interval(r, _digits(r, "index"))),
                          "reading": t["process_index_yes" if excludes else "process_index_no"].format(
                              w=labels(hypothesis.w or ""), mediator=shown)})
    mediators = ", ".join(labels(m) for m in hypothesis.mediators) or "–"
    setup_key = ("process_setup" if mediated else "process_setup_moderation") if moderators else "process_setup_unmoderated"
    return {
        "id": hypothesis.id.upper(), "description": hypothesis.description_in(lang),
        "setup": t[setup_key].format(
            model=hypothesis.model, x=labels(hypothesis.x), y=labels(hypothesis.y),
            m=mediators, w=moderated_by or "–",
            n=result.n, n_boot=result.n_boot, se=hypothesis.hc or "OLS"),
        "coding": coding_sentence, "reference": reference,
        "x": labels(hypothesis.x), "y": labels(hypothesis.y), "m": mediators,
        "coefficients": coefficient_tables, "effects": effects_table, "indirect": indirect_table,
        "interactions": interaction_table, "index": index,
        **_unconditional(result, t, labels, term_label, ci, style, mark),
    }


def _unconditional(result, t: dict, labels, term_label, ci: str, style: str, mark) -> dict:
    """The unmoderated parts of a mediation model: (relative) indirect, total and direct effects, omnibus tests."""
    found = {"relative": bool(result.x_codes), "indirect_effects": [], "indirect_table": None,
             "effects_table": None, "omnibus": [], "contrasts": []}
    table = result.indirect
    if table is not None and len(table):
        keyed = [(key if isinstance(key, tuple) else (key, None), row) for key, row in table.iterrows()]
        path_text = lambda path: t["process_total_indirect"] if path == "total" else _path_mediators(path, result, labels)  # noqa: E731
        rows = []
        for (path, contrast), r in keyed:
            rows.append([*([term_label(contrast)] if contrast is not None else []), path_text(path), *_boot_cells(r)])
        found["indirect_table"] = _table(
            t["process_relative_indirect" if found["relative"] else "process_indirect"].format(
                x=labels(result.x), y=labels(result.y)),
            [*([t["contrast"]] if found["relative"] else []), t["mediator"], t["estimate"], t["boot_se"], ci], rows)
        by_contrast: dict = {}
        for (path, contrast), r in keyed:
            excludes = bool(r["ci_low"] > 0 or r["ci_high"] < 0)
            entry = {"contrast": term_label(contrast) if contrast is not None else labels(result.x),
                     "mediator": path_text(path), "value": _num(r["effect"], _digits(r)), "ci": ci,
                     "interval": _interval(r, _digits(r)),
                     "excludes_zero": excludes, "total": path == "total"}
            found["indirect_effects"].append(entry)
            if path != "total" and not path.startswith("C"):
                by_contrast.setdefault(entry["contrast"], {"contrast": entry["contrast"], "yes": [], "no": []})[
                    "yes" if excludes else "no"].append(entry["mediator"])
        found["contrasts"] = [{**c, "contrast": c["contrast"][:1].upper() + c["contrast"][1:],
                               "yes": ", ".join(c["yes"]), "no": ", ".join(c["no"]),
                               "verdict": "all" if not c["no"] else "none" if not c["yes"] else "some"}
                              for c in by_contrast.values()]
    rows = []
    for kind in ("total", "direct"):
        effects = getattr(result, f"{kind}_effect")
        if effects is None:
            continue
        for term, r in effects.iterrows():
            rows.append([term_label(term), t[f"process_{kind}"], _num(r["effect"]), _num(r["se"]), _num(r["t"]),
                         _p(r["p"]), _interval(r)])
    if rows:
        found["effects_table"] = _table(
            t["process_relative_effects" if found["relative"] else "process_effects"].format(
                x=labels(result.x), y=labels(result.y)),
            [t["contrast"] if found["relative"] else t["term"], t["effect"], t["estimate"], "SE", "t", "p", ci], rows)
    if result.omnibus is not None:
        for kind, r in result.omnibus.iterrows():
            found["omnibus"].append({
                "kind": kind, "k": int(r["df1"]), "r2": format_number(float(r["r2_change"]), 3, leading_zero=False,
                                                                     style="unicode"),
                "stats": mark(apa_anova_row(r["F"], r["df1"], r["df2"], r["p"], style=style)),
                "significant": bool(r["p"] < 1 - result.ci)})
    return found
