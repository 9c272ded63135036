"""A preregistration in Markdown, generated from the study file.

The hypotheses, measures, conditions, analyses, exclusion rules and sample size
are read from the same :class:`~study.design.schema.Study` that ``replylab replicate``
and ``replylab analyze`` run, so the plan and the analysis cannot drift apart.
The power justification is computed analytically (:func:`analysis.power_ttest`,
noncentral t) for the two-group comparison at the target N.

>>> from study import load_study
>>> text = preregistration(load_study("tilburg"), lang="en")
>>> text.splitlines()[0]
'# Preregistration: How do companies respond to complaints on social media?'
"""

from __future__ import annotations

import pandas as pd

from analysis.apa import format_number
from analysis.power import power_ttest
from study.design.schema import AnovaHypothesis, Study
from study.design.validity import QUALITY_FLAGS
from study.report.process_tables import contrast_labels
from study.report.render import load_texts, template_environment
from study.report.verdicts import RULE_KEYS, verdict_rules

__all__ = ["preregistration", "power_justification"]

#: Power the sensitivity analysis solves for (the conventional 80%).
TARGET_POWER = 0.80


def _as_float(value) -> float:
    """A power function's answer as a float (a number, or a one-row result with the solved value)."""
    try:
        return float(value)
    except TypeError:
        if isinstance(value, pd.DataFrame) and len(value) == 1:
            return float(value.iloc[0].to_dict()[value.attrs.get("solved", value.columns[-1])])
        raise


def power_justification(study: Study) -> dict | None:
    """Power and sensitivity of the first two-level factor's two-group comparison at the target N.

    Returns ``None`` when no factor has two levels. Otherwise a dict: ``factor``,
    ``n_per_group`` (target N over the number of levels of that factor, rounded
    down), ``alpha``, ``d_sesoi`` (the larger absolute equivalence bound: the
    smallest effect of interest), ``power_sesoi`` (power to detect it),
    ``power_target``, ``d_detectable`` (the smallest d detected with that power) and
    ``alternative``: one-sided (``"larger"``) when an ANOVA hypothesis expects an order of
    that factor's levels, else ``"two-sided"``.

    Examples
    --------
    >>> from study import load_study
    >>> info = power_justification(load_study("tilburg"))
    >>> info["n_per_group"], round(info["d_detectable"], 2), info["alternative"]  # H1 expects public > private
    (70, 0.42, 'larger')
    """
    factor = next((f for f in study.factors if len(f.levels) == 2), None)
    if factor is None:
        return None
    plan = study.analysis
    n_per_group = study.target_n // 2
    d_sesoi = max(abs(bound) for bound in plan.equivalence_bounds)
    ordered = any(factor.name in h.directions for h in plan.hypotheses if isinstance(h, AnovaHypothesis))
    alternative = "larger" if ordered else "two-sided"
    return {
        "factor": factor.name,
        "n_per_group": n_per_group,
        "alpha": plan.alpha,
        "d_sesoi": d_sesoi,
        "power_sesoi": _as_float(power_ttest(d=d_sesoi, n_per_group=n_per_group, alpha=plan.alpha,
                                             alternative=alternative)),
        "power_target": TARGET_POWER,
        "d_detectable": _as_float(power_ttest(n_per_group=n_per_group, alpha=plan.alpha, power=TARGET_POWER,
                                              alternative=alternative)),
        "alternative": alternative,
    }


def _scales(study: Study, lang: str) -> list[dict]:
    questionnaire = study.questionnaire
    scales = []
    for scale in questionnaire.scales:
        items = [questionnaire.item(i) for i in scale.items]
        scales.append({
            "id": scale.id, "label": scale.label[lang], "scoring": scale.scoring, "k": len(items),
            "points": items[0].points, "min_valid": scale.min_valid,
            "item_list": [{"id": i.id, "text": " ".join(i.text[lang].split()), "reverse": i.reverse} for i in items],
        })
    return scales


def _context(study: Study, lang: str, t: dict) -> dict:
    plan = study.analysis
    questionnaire = study.questionnaire
    attention = study.checks.attention
    power = power_justification(study)
    if power is not None:
        power = {**power, **{key: format_number(power[key], 2, leading_zero=key.startswith("d_"))
                             for key in ("power_sesoi", "d_detectable", "d_sesoi")},
                 "alpha": format_number(plan.alpha, 2, leading_zero=False),
                 "power_target_pct": format_number(100 * TARGET_POWER, 0),
                 "sided": t["pr_two_sided" if power["alternative"] == "two-sided" else "pr_one_sided"]}
    return {
        "lang": lang, "title": study.title[lang], "study_id": study.id, "file_hash": study.file_hash or "",
        "source": study.source,
        "hypotheses": [{"id": h.id.upper(), "kind": h.kind, "description": h.description_in(lang),
                        "dv": getattr(h, "dv", None), "between": getattr(h, "between_factors", []),
                        "between_code": [f"`{f}`" for f in getattr(h, "between_factors", [])],
                        "two_level": [f for f in getattr(h, "between_factors", []) if len(study.factor(f).levels) == 2],
                        "directions": {f: {"higher": hi, "lower": lo} for f, (hi, lo) in getattr(h, "directions", {}).items()},
                        "covariates": ", ".join(f"`{c}`" for c in getattr(h, "covariates", [])),
                        "x": getattr(h, "x", None), "m": ", ".join(getattr(h, "mediators", [])),
                        "y": getattr(h, "y", None), "model": getattr(h, "model", None),
                        "w": getattr(h, "w", None),
                        "secondary": ", ".join(getattr(h, "secondary_mediators", [])),
                        "coding": _coding_text(h),
                        "pairwise": [{"factor": f, "levels": len(study.factor(f).levels),
                                      "pairs": len(study.factor(f).levels) * (len(study.factor(f).levels) - 1) // 2}
                                     for f in getattr(h, "between_factors", []) if len(study.factor(f).levels) > 2],
                        "process": _process_plan(study, h, t) if h.kind == "process" else None}
                       for h in plan.hypotheses],
        "has_anova": any(isinstance(h, AnovaHypothesis) for h in plan.hypotheses),
        "scales": _scales(study, lang),
        "has_reason": "reason" in questionnaire.item_ids,
        "factors": [{"name": f.name, "label": f.label[lang] if f.label else f.name,
                     "levels": [{"name": lv.name, "label": lv.label[lang]} for lv in f.levels]}
                    for f in study.factors],
        "conditions": [f"`{c}`" for c in study.condition_names],
        "assignment": t[f"scheme_{study.assignment.scheme}"] if study.assignment else t["scheme_elsewhere"],
        "target_n": study.target_n, "n_per_condition": study.target_n // len(study.conditions),
        "alpha": format_number(plan.alpha, 2, leading_zero=False), "n_boot": plan.n_boot, "seed": plan.seed,
        "ci_method": t[f"ci_method_{plan.ci_method}"], "bounds": [format_number(b, 2) for b in plan.equivalence_bounds],
        "attention": None if attention is None else {
            "item": attention.item, "correct": attention.correct,
            "text": " ".join(questionnaire.item(attention.item).text[lang].split()),
            "excluded": "attention" in plan.exclude_on},
        "manipulation": [{"item": c.item, "factor": c.factor,
                          "expected": ", ".join(f"`{level}` → `{value}`" for level, value in c.expected.items()),
                          "excluded": "manipulation" in plan.exclude_on} for c in study.checks.manipulation],
        "quality_flags": [{"name": flag.name, "rule": flag.rule_in(lang, study.quality),
                           "excluded": flag.name in plan.exclude_on} for flag in QUALITY_FLAGS],
        "exclude_on": ", ".join(f"`{rule}`" for rule in plan.exclude_on),
        "power": power,
        "replication": _replication(study, lang, t),
    }


def _coding_text(hypothesis) -> str:
    """A numeric coding of X as ``level = code`` pairs (a coding system is stated by :func:`_process_plan`)."""
    coding = getattr(hypothesis, "x_coding", None)
    return ", ".join(f"`{k}` = {v}" for k, v in coding.items()) if isinstance(coding, dict) else ""


def _process_plan(study: Study, hypothesis, t: dict) -> dict:
    """Which sentence states a process hypothesis, and what it names: the model with or without a
    moderator, and for a multicategorical X its codes, reference level and contrasts."""
    reference = hypothesis.reference_level(study)
    codes = None
    if reference is not None:
        levels = study.factor(hypothesis.x).level_names
        ordered = [reference, *(level for level in levels if level != reference)]
        contrasts = contrast_labels(ordered, hypothesis.x_coding, hypothesis.x, lambda level: f"`{level}`", t)
        codes = {"levels": len(levels), "k": len(levels) - 1, "coding": t[f"coding_{hypothesis.x_coding}"],
                 "reference": reference, "contrasts": ", ".join(contrasts.values())}
    moderators = [name for name in (hypothesis.w, hypothesis.z) if name is not None]
    moderated = bool(moderators)
    if moderated:
        key = "pr_process" if hypothesis.mediators else "pr_process_moderation"
    else:
        key = "pr_process_relative" if codes else "pr_process_unmoderated"
    given = [t["pr_process_given_values"].format(values=", ".join(f"{v:g}" for v in probe), w=name)
             for name, probe in ((hypothesis.w, hypothesis.w_values), (hypothesis.z, hypothesis.z_values)) if probe]
    values = "; ".join(given) if given else t["pr_process_default_values"]
    return {"key": key, "codes": codes if moderated else None, **(codes or {}),
            "moderators": f" {t['fig_and']} ".join(f"`{name}`" for name in moderators),
            "settings": t["pr_process_settings"].format(values=values, se=hypothesis.hc or "OLS") if moderated else ""}


def _quantity_code(quantity) -> str:
    """The quantity a claim is tested on, in the study file's own ids (the same in every language)."""
    levels = " − ".join(quantity.levels or [])
    hypothesis = (quantity.hypothesis or "").upper()
    return {
        "smd": f"d {hypothesis} {levels}",
        "proportion": f"{quantity.column} = 1, {quantity.factor} = {levels}, vs {quantity.against:g}",
        "proportion_difference": f"{quantity.column} = 1, {quantity.factor}: {levels}",
        "correlation": f"r({quantity.column}, {quantity.y})",
        "indirect": f"ab {hypothesis}",
    }[quantity.kind]


def _replication(study: Study, lang: str, t: dict) -> dict | None:
    """The original's claims and the verdict rules, stated before any data exist."""
    if study.original is None:
        return None
    claims = [{"id": c.id, "finding": c.finding[lang], "quantity": _quantity_code(c.quantity),
               "test": t[RULE_KEYS[c.reported.claim].replace("rule_", "pr_test_")]}
              for c in study.original.claims]
    return {"reference": study.original.reference, "claims": claims,
            "note": study.original.note[lang] if study.original.note else None,
            "rules": verdict_rules(study, t)}


def preregistration(study: Study, lang: str = "en") -> str:
    """The preregistration of ``study`` as Markdown, in English or Dutch.

    Parameters
    ----------
    study : Study
        A loaded study (:func:`study.load_study`).
    lang : {"en", "nl"}

    Returns
    -------
    str
        Sections: hypotheses, dependent variables, conditions, analyses,
        exclusions, sample size (with the power justification), other.

    Raises
    ------
    ValueError
        For a language other than ``en`` or ``nl``, or one the study lacks.

    Examples
    --------
    >>> from study import load_study
    >>> text = preregistration(load_study("webcare-2x2"), lang="nl")
    >>> "## 1. Hypothesen" in text
    True
    """
    if lang not in ("en", "nl") or lang not in study.languages:
        raise ValueError(f"lang must be one of the study's languages {study.languages} (en or nl); got {lang!r}.")
    texts = load_texts()[lang]
    context = _context(study, lang, texts)
    context["t"] = texts
    return template_environment(False).get_template("report_prereg.md.j2").render(**context)
