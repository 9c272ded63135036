"""The report of one run: Markdown and a self-contained HTML page, in English or Dutch.

:func:`report_context` turns a :class:`study.pipeline.run.Results` into formatted
numbers, tables and verdicts; the Jinja2 templates ``study/report/templates/report*.j2``
(autoescaped HTML; Markdown with free text escaped) put them into sentences
in English or Dutch (``report_texts.j2``). Writing the output folder is
:mod:`study.report.outputs`.

>>> sorted(load_texts())
['en', 'nl']
"""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from analysis.apa import (
    apa,
    apa_correlation,
    apa_descriptive,
    apa_mediation,
    apa_t,
    apa_welch,
    ci_label,
    format_number,
    format_p,
)
from questionnaires import load_motive_codebook
from study.dataset.codebook import code_columns
from study.report.process_tables import process_context
from study.report.verdicts import replication_context

__all__ = ["render_report", "report_context", "load_texts", "md_escape", "DisplayLabels", "template_environment"]

#: Characters with a meaning in Markdown (or HTML, which Markdown passes through).
_MD_SPECIAL = "\\`*_{}[]()#+-!|<>&~"
_CODE_SPAN = re.compile(r"`([^`<>]+)`")


def md_escape(value) -> str:
    """Escape free text for Markdown (so a participant's words cannot add markup).

    >>> md_escape("<b>*great*</b>")
    '\\\\<b\\\\>\\\\*great\\\\*\\\\</b\\\\>'
    """
    text = " ".join(str(value).split())
    return "".join("\\" + c if c in _MD_SPECIAL else c for c in text)


def _fill(html: bool):
    def fill(template: str, **values) -> str:
        if html:  # values are escaped unless already markup; `code` spans become <code>
            return Markup(_CODE_SPAN.sub(r"<code>\1</code>", str(escape(template).format(**values))))
        return template.format(**values)
    return fill


def _code_spans(html: bool):
    """Table cells: `id` spans become <code> in HTML (the rest escaped); Markdown keeps the backticks."""
    def code(value) -> str:
        return Markup(_CODE_SPAN.sub(r"<code>\1</code>", str(escape(value)))) if html else value
    return code


@lru_cache(maxsize=2)
def template_environment(html: bool) -> Environment:
    env = Environment(loader=PackageLoader("study.report", "templates"), undefined=StrictUndefined,
                      autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["fill"] = _fill(html)
    env.filters["md"] = md_escape
    env.filters["code"] = _code_spans(html)
    return env


def load_texts() -> dict:
    """The report's prose per language (``{"en": {...}, "nl": {...}}``) from ``report_texts.j2``."""
    return template_environment(False).get_template("report_texts.j2").module.texts


def render_report(results, fmt: str = "md", *, figures: dict[str, str] | None = None,
                  captions: dict[str, str] | None = None) -> str:
    """The report as Markdown (``fmt="md"``) or a self-contained HTML page (``"html"``).

    Parameters
    ----------
    results : study.pipeline.run.Results
    fmt : {"md", "html"}
    figures : dict, optional
        Figure name -> SVG text (HTML: inlined) or relative path of the PNG (Markdown).
    captions : dict, optional
        Figure name -> caption, as :func:`study.report.outputs.make_figures` gives them.
    """
    if fmt not in ("md", "html"):
        raise ValueError(f"fmt must be 'md' or 'html'; got {fmt!r}.")
    html = fmt == "html"
    texts = load_texts()[results.lang]
    context = report_context(results, texts, style="html" if html else "markdown")
    context["t"] = texts
    context["figures"] = {name: Markup(svg) if html else svg for name, svg in (figures or {}).items()}
    context["captions"] = {name: (captions or {}).get(name, "") for name in context["figures"]}
    if html:
        context = _mark_safe(context)
    return template_environment(html).get_template(f"report.{fmt}.j2").render(**context)


def _mark_safe(value):
    """APA strings made by analysis.apa in html style carry markup: keep it (they hold numbers only)."""
    if isinstance(value, dict):
        return {k: _mark_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mark_safe(v) for v in value]
    if isinstance(value, ApaHtml):
        return Markup(str(value))
    return value


class ApaHtml(str):
    """A statistic formatted in html style by :mod:`analysis.apa` (safe: numbers and tags only)."""




# --- numbers, tables and verdicts for the templates ------------------------------


def _num(value, digits: int = 2, *, bounded: bool = False) -> str:
    return "–" if value is None or pd.isna(value) else format_number(float(value), digits,
                                                                      leading_zero=not bounded, style="unicode")


def _p_cell(p) -> str:
    if p is None or pd.isna(p):
        return "–"
    text = format_p(float(p), style="unicode")
    return text[4:] if text.startswith("p = ") else text[2:]


def _table(title: str, headers: list[str], rows: list[list]) -> dict:
    return {"title": title, "headers": headers, "rows": [[str(cell) for cell in row] for row in rows]}


class DisplayLabels:
    """Display labels in the report's language for factors, levels, conditions, scales, motives.

    Levels and conditions show as their ids or as the study file's labels, as the
    language's texts say (``levels_as``): English ids are readable words that match
    ``data.csv``; in Dutch an English id would be a foreign word, so the labels are shown.
    """

    def __init__(self, study, lang: str, t: dict):
        self.lang = lang
        use_labels = t["levels_as"] == "labels"
        self.names = {"pk_strategic": t["label_pk_strategic"], "pk_any": t["label_pk_any"]}
        self.levels: dict[str, str] = {}
        for factor in study.factors:
            self.names[factor.name] = factor.label[lang] if factor.label else factor.name
            for level in factor.levels:
                shown = level.label.get(lang, level.name) if use_labels else level.name
                self.names[(factor.name, level.name)] = shown
                self.levels.setdefault(level.name, shown)
        self.conditions = {c.name: " / ".join(self.names[(f, lv)] for f, lv in c.levels.items())
                           for c in study.conditions}
        self.options = {}
        for item in study.questionnaire.items:
            for option in item.options or []:
                self.options[(item.id, str(option.value))] = option.label.get(lang, option.value) if use_labels \
                    else str(option.value)
        for scale in study.questionnaire.scales:
            self.names[scale.id] = scale.label[lang]
        for category in load_motive_codebook().categories:
            self.names[("motive", category.id)] = category.label[lang]

    def __call__(self, key) -> str:
        return self.names.get(key, key if isinstance(key, str) else key[-1])

    def group(self, value) -> str:
        """A condition or a level (as in a table's group column) shown in the report's language."""
        value = str(value)
        return self.conditions.get(value, self.levels.get(value, value))

    def option(self, item: str, value) -> str:
        return self.options.get((item, str(value)), str(value))


def _apa(text: str, style: str):
    return ApaHtml(text) if style == "html" else text


def _collapsed_over(hypothesis, factor: str, t: dict, labels) -> str | None:
    """In a factorial design a two-group comparison pools the other factors' levels: say so."""
    others = [f for f in hypothesis.between_factors if f != factor]
    return t["collapsed_over"].format(factors=", ".join(labels(f) for f in others)) if others else None


def _comparison_context(result, factor: str, study, alpha: float, style: str, labels) -> dict:
    tests = result.tests.set_index("test")
    effects = result.effects.set_index("effect")
    desc = result.descriptives
    d = effects.loc["cohen_d"]
    student = tests.loc["student"]
    d_text = (f"{apa_t(student['statistic'], student['df'], student['p'], d=d['estimate'], style=style)}, "
              f"{ci_label(1 - alpha, labels.lang)} "
              f"[{format_number(d['ci_low'], style=style)}, {format_number(d['ci_high'], style=style)}]")
    welch = tests.loc["welch"]
    level = lambda name: labels((factor, str(name)))  # noqa: E731
    one_sided = result.alternative != "two-sided"
    expected = result.groups if result.alternative != "less" else result.groups[::-1]
    bf = result.bf_directional if one_sided else result.bf10
    context = {
        "factor": labels(factor),
        "group1": level(result.groups[0]), "group2": level(result.groups[1]),
        "m1": _apa(apa_descriptive(desc["mean"].iloc[0], desc["sd"].iloc[0], n=desc["n"].iloc[0], style=style), style),
        "m2": _apa(apa_descriptive(desc["mean"].iloc[1], desc["sd"].iloc[1], n=desc["n"].iloc[1], style=style), style),
        "higher": level(result.groups[0] if desc["mean"].iloc[0] > desc["mean"].iloc[1] else result.groups[1]),
        "t_text": _apa(d_text, style),
        "welch_text": _apa(apa_t(welch["statistic"], welch["df"], welch["p"], style=style), style),
        "significant": bool(student["p"] < alpha),
        "bf10": _num(result.bf10), "bf01": _num(1 / result.bf10),
        "bf_verdict": "difference" if bf > 3 else "null" if bf < 1 / 3 else "inconclusive",
        "tost": None,
        # which test was run: one-sided in the hypothesis's expected order, or two-sided
        "direction": {"higher": level(expected[0]), "lower": level(expected[1]),
                      "bf": _num(bf), "bf_inverse": _num(1 / bf)} if one_sided else None,
    }
    if "tost" in tests.index:
        tost = tests.loc["tost"]
        low, high = result.bounds_d
        context["tost"] = {
            "low": _num(low), "high": _num(high), "low_raw": _num(result.bounds_raw[0]),
            "high_raw": _num(result.bounds_raw[1]),
            "text": _apa(f"{apa_t(tost['statistic'], tost['df'], tost['p'], style=style)}".replace(
                format_p(tost["p"], style=style), format_p(tost["p"], style=style)), style),
            "equivalent": bool(tost["p"] < alpha),
        }
    context["verdict"] = ("difference" if context["significant"]
                          else "equivalent" if context["tost"] and context["tost"]["equivalent"]
                          else "inconclusive")
    return context


def _anova_context(outcome, study, t: dict, style: str, labels) -> dict:
    alpha = study.analysis.alpha
    table = outcome.anova
    effects = []
    for source in table["source"]:
        if source == "Residual":
            continue
        row = table.set_index("source").loc[source]
        effects.append({"source": " × ".join(labels(f) for f in source.split(":")),
                        "stats": _apa(apa(table, effect=source, style=style, lang=labels.lang), style),
                        "significant": bool(row["p"] < alpha)})
    welch = None
    if outcome.welch is not None:
        w = outcome.welch.iloc[0]
        welch = _apa(apa_welch(w["F"], w["df1"], w["df2"], w["p"], style=style, lang=labels.lang), style)
    rows = [[" × ".join(labels(f) for f in r.source.split(":")) if r.source != "Residual" else t["residual"],
             _num(r.ss), _num(r.df, 0) if float(r.df).is_integer() else _num(r.df), _num(r.ms), _num(r.F),
             _p_cell(r.p), _num(r.eta2_p, bounded=True),
             _num(max(r.omega2, 0.0) if pd.notna(r.omega2) else r.omega2, bounded=True)]  # as R's effectsize
            for r in table.itertuples(index=False)]
    return {
        "id": outcome.hypothesis.id.upper(), "description": outcome.hypothesis.description_in(labels.lang),
        "skipped": None, "dv": labels(outcome.hypothesis.dv), "effects": effects, "welch": welch,
        "comparisons": [{**_comparison_context(result, factor, study, alpha, style, labels),
                         "collapsed": _collapsed_over(outcome.hypothesis, factor, t, labels)}
                        for factor, result in outcome.comparisons.items()],
        "table": _table(t["anova_table"], [t["source"], "SS", "df", "MS", "F", "p", "η²p", "ω²p"], rows),
        "pairwise": [_pairwise_context(outcome.hypothesis.dv, factor, table, alpha, t, labels)
                     for factor, table in getattr(outcome, "pairwise", {}).items()],
        "assumptions": None if outcome.assumptions is None else _table(
            t["assumptions_table"], [t["check"], t["group"], t["statistic"], "p"],
            [[t.get(f"check_{r.check}", r.check), "" if pd.isna(r.group) else labels.group(r.group),
              _num(r.statistic), _p_cell(r.p)]
             for r in outcome.assumptions.itertuples(index=False)]),
    }


def _pairwise_context(dv: str, factor: str, table: pd.DataFrame, alpha: float, t: dict, labels) -> dict:
    """Games-Howell comparisons of every pair of levels of ``factor``: the sentence, the table, the summary."""
    level = lambda name: labels((factor, str(name)))  # noqa: E731
    ci = ci_label(1 - alpha, labels.lang)
    pairs = [f"{level(r.group1)} – {level(r.group2)}" for r in table.itertuples(index=False)]
    significant = [bool(p < alpha) for p in table["p"]]
    yes = [pair for pair, s in zip(pairs, significant) if s]
    no = [pair for pair, s in zip(pairs, significant) if not s]
    rows = [[pair, _num(r.diff), _num(r.se), _num(r.statistic), _num(r.df), _p_cell(r.p),
             f"[{_num(r.ci_low)}, {_num(r.ci_high)}]"] for pair, r in zip(pairs, table.itertuples(index=False))]
    return {
        "sentence": t["pairwise_sentence"].format(factor=labels(factor), ci=ci, pairs=len(pairs)),
        "table": _table(t["pairwise_table"].format(dv=labels(dv), factor=labels(factor)),
                        [t["pair"], t["difference"], "SE", "t", "df", t["p_adjusted"], ci], rows),
        "summary": t["summary_pairwise_" + ("all" if not no else "none" if not yes else "some")].format(
            dv=labels(dv), factor=labels(factor), pairs=len(pairs), yes="; ".join(yes), no="; ".join(no)),
    }


def _mediation_model(result, role: str, t: dict, style: str, labels) -> dict:
    indirect = []
    for name, row in result.indirect.iterrows():
        indirect.append({"mediator": labels(str(name)),
                         "text": _apa(apa_mediation(row["effect"], row["ci_low"], row["ci_high"], ci=result.ci,
                                                    style=style, lang=labels.lang), style),
                         "excludes_zero": bool(row["ci_low"] > 0 or row["ci_high"] < 0)})
    paths = result.paths
    rows = [[t.get(f"path_{name}", name), _num(r.coef), _num(r.se), _num(r.t), _p_cell(r.p), f"[{_num(r.ci_low)}, {_num(r.ci_high)}]"]
            for name, r in zip(paths.index, paths.itertuples(index=False))]
    rows += [[f"a × b ({labels(str(name))})", _num(r.effect), _num(r.boot_se), "–", "–",
              f"[{_num(r.ci_low)}, {_num(r.ci_high)}]"]
             for name, r in zip(result.indirect.index, result.indirect.itertuples(index=False))]
    b_rows = [i for i in paths.index if i.startswith("b")]
    return {
        "role": role, "mediators": ", ".join(labels(m) for m in result.m), "indirect": indirect,
        "n": result.n, "supported": any(i["excludes_zero"] for i in indirect),
        "b_significant": any(paths.loc[i, "p"] < 1 - result.ci for i in b_rows),
        "table": _table(f"{t['paths_table']} ({t[role]}: {', '.join(labels(m) for m in result.m)})",
                        [t["path"], t["estimate"], "SE", "t", "p", ci_label(result.ci, labels.lang)], rows),
    }


def _mediation_context(outcome, study, t: dict, style: str, labels) -> dict:
    hypothesis, secondary_skipped = outcome.hypothesis, getattr(outcome, "secondary_skipped", None)
    covariates = ", ".join(labels(c) for c in hypothesis.covariates)
    return {
        "secondary_skipped": t["skip_secondary"].format(
            m=", ".join(labels(m) for m in hypothesis.secondary_mediators),
            reason=skip_reason(secondary_skipped, t, labels)) if secondary_skipped is not None else "",
        "id": hypothesis.id.upper(), "description": hypothesis.description_in(labels.lang), "skipped": None,
        "x": labels(hypothesis.x), "y": labels(hypothesis.y), "method": t[f"ci_method_{study.analysis.ci_method}"],
        "coding": ", ".join(f"{t['quote'].format(text=labels((hypothesis.x, k)))} = {v}"
                            for k, v in hypothesis.x_coding.items()),
        "covariates": t["mediation_covariates"].format(covariates=covariates) if covariates else "",
        "models": [_mediation_model(r, role, t, style, labels)
                   for role, r in (("primary", outcome.primary), ("secondary", outcome.secondary)) if r is not None]}


def _skipped_in(results, step: str) -> list:
    return [s for s in getattr(results, "skipped", []) if s.step == step]


def skip_reason(skipped, t: dict, labels) -> str:
    """Why a step could not run, in the report's language (``t["skip_<reason>"]``)."""
    details = dict(skipped.details)
    if "column" in details:
        details["column"] = labels(details["column"])
    if "cell" in details:
        details["cell"] = " / ".join(labels((factor, level)) for factor, level in details["cell"])
    return t[f"skip_{skipped.reason}"].format(**details)


def skip_sentence(skipped, t: dict, labels) -> str:
    """The sentence a section shows for a step (or a variable of it) that could not run."""
    reason = skip_reason(skipped, t, labels)
    if skipped.part is None:
        return t["skip_step"].format(reason=reason)
    if skipped.details.get("column") == skipped.part:  # the reason already names the variable
        return t["skip_left_out"].format(reason=reason)
    return t["skip_variable"].format(variable=labels(skipped.part), reason=reason)


def _skipped_hypothesis(hypothesis, skipped, t: dict, labels) -> dict:
    """A hypothesis that could not be tested: its heading and why, with nothing to tabulate."""
    return {"id": hypothesis.id.upper(), "description": hypothesis.description_in(labels.lang),
            "skipped": t["skip_hypothesis"].format(reason=skip_reason(skipped, t, labels)),
            "effects": [], "comparisons": [], "pairwise": [], "models": [], "contrasts": [], "omnibus": [],
            "index": []}


def _examples(results, labels, per_motive: int = 2) -> list[dict]:
    """A few reasons per coded motive, first in participant order (free text: escaped by the templates)."""
    data = results.analysed
    if "reason" not in data.columns:
        return []
    examples = []
    for column in code_columns(data):
        coded = data.loc[data[column].fillna(0).astype(int) == 1, "reason"].dropna()
        texts = [str(x) for x in coded.head(per_motive)]
        if texts:
            examples.append({"motive": labels(("motive", column.removeprefix("code_"))), "texts": texts})
    return examples


def report_context(results, t: dict, style: str = "markdown") -> dict:
    """Everything the templates show, formatted: numbers, tables (translated) and verdicts."""
    study, lang = results.study, results.lang
    labels = DisplayLabels(study, lang, t)
    alpha = study.analysis.alpha
    flow = dict(zip(results.flow["stage"], results.flow["n"]))
    context = {
        "lang": lang, "title": study.title[lang], "study_id": study.id, "source": results.manifest.get("data", {}),
        "alpha": _num(alpha, bounded=True), "n_boot": results.n_boot, "boot_seed": results.boot_seed,
        "seed": results.seed, "file_hash": study.file_hash or "", "generated_at": results.manifest.get("started_at", ""),
        "command": results.manifest.get("command", ""), "flow": {k: int(v) for k, v in flow.items()},
        "exclude_on": [t[f"reason_{r}"] for r in study.analysis.exclude_on],
    }
    context["flow_table"] = _table(t["flow_table"], [t["stage"], "n"],
                                   [[t.get(f"stage_{s}", s), int(n)] for s, n in flow.items()])
    counts = results.analysed["condition"].value_counts(sort=False)
    context["conditions"] = [{"name": labels.group(c), "n": int(counts.get(c, 0))} for c in study.condition_names]
    ci95 = ci_label(0.95, lang)
    context["reliability"] = None if results.reliability is None else _table(
        t["reliability_table"], [t["scale"], t["items"], "α", ci95, "ω", "n"], [
            [labels(r.scale), r.n_items, _num(r.alpha, bounded=True),
             f"[{_num(r.alpha_ci_low, bounded=True)}, {_num(r.alpha_ci_high, bounded=True)}]",
             _num(r.omega, bounded=True), r.n] for r in results.reliability.itertuples(index=False)])
    manipulation = results.manipulation if results.manipulation is not None else pd.DataFrame()
    context["manipulation"] = None if manipulation.empty else _table(
        t["manipulation_table"], [t["item"], t["level"], t["expected_answer"], "n", t["pct_expected"]],
        [[f"`{r.item}`", labels((r.factor, r.level)), labels.option(r.item, r.expected), r.n, _num(r.pct_expected, 1)]
         for r in manipulation.itertuples(index=False)])
    context["manipulation_rows"] = [{"level": labels((r.factor, r.level)), "pct": _num(r.pct_expected, 1),
                                     "item": r.item}
                                    for r in manipulation.itertuples(index=False)]
    context["descriptives"] = _table(t["descriptives_table"], [t["variable"], t["condition"], "n", "M", "SD", ci95], [
        [labels(r.variable), labels.group(r.condition), r.n, _num(r.mean), _num(r.sd), f"[{_num(r.ci_low)}, {_num(r.ci_high)}]"]
        for r in results.descriptives.itertuples(index=False)])

    ran = {o.hypothesis.id: o for o in results.hypotheses}
    not_run = {s.part: s for s in _skipped_in(results, "hypotheses")}
    in_plan = lambda kind: [h for h in study.analysis.hypotheses  # noqa: E731
                            if h.kind == kind and (h.id in ran or h.id in not_run)]
    context["anovas"] = [_anova_context(ran[h.id], study, t, style, labels) if h.id in ran
                         else _skipped_hypothesis(h, not_run[h.id], t, labels) for h in in_plan("anova")]
    context["mediations"] = [_mediation_context(ran[h.id], study, t, style, labels) if h.id in ran
                             else _skipped_hypothesis(h, not_run[h.id], t, labels) for h in in_plan("mediation")]
    context["processes"] = [{**process_context(ran[h.id], t, labels, style=style,
                                               mark=lambda text: _apa(text, style)), "skipped": None}
                            if h.id in ran
                            else _skipped_hypothesis(h, not_run[h.id], t, labels) for h in in_plan("process")]
    # the note on p values points to the equivalence tests and Bayes factors only when some were run
    context["p_note"] = t["summary_p_note" if any(c for h in context["anovas"] for c in h["comparisons"])
                          or not context["anovas"] else "summary_p_note_no_tost"]
    context["skipped_hypotheses"] = [{"id": h.id.upper(), "reason": skip_reason(not_run[h.id], t, labels)}
                                     for h in study.analysis.hypotheses if h.id in not_run]
    context["skipped_steps"] = {step: [skip_sentence(s, t, labels) for s in _skipped_in(results, step)]
                                for step in ("reliability", "manipulation check", "descriptives",
                                             "motives by condition", "persuasion knowledge and attitude",
                                             "did it replicate?")}
    context["motives"] = None
    context["strategic_shares"] = ""
    if results.motives is not None:
        # the conditions in the data: one the data lack (nobody assigned to it) has no column to show
        levels = [c for c in study.condition_names if f"n_{c}" in results.motives.columns]
        context["motives"] = _table(
            t["motives_table"], [t["motive"], *map(labels.group, levels), t["total"], t["test"], "p",
                                 t["p_holm"], "V"],
            [[labels(("motive", r["motive"])), *[f"{r[f'n_{c}']} ({_num(r[f'pct_{c}'], 1)}%)" for c in levels],
              f"{r['n_total']} ({_num(r['pct_total'], 1)}%)", t.get(f"test_{r['test']}", r["test"]), _p_cell(r["p"]),
              _p_cell(r["p_holm"]), _num(r["cramers_v"], bounded=True)] for _, r in results.motives.iterrows()])
        context["strategic"] = _strategic_by_condition(results, labels)
        context["strategic_shares"] = ", ".join(f"{t['quote'].format(text=x['condition'])} {x['pct']}%"
                                                for x in context["strategic"])
    context["examples"] = _examples(results, labels)
    context["replication"] = replication_context(results, t, style)
    context["correlations"] = []
    if results.correlations is not None:
        for r in results.correlations.itertuples(index=False):
            if r.method != "pearson":
                continue
            context["correlations"].append({
                "x": labels(r.x), "y": labels(r.y), "significant": bool(r.p < alpha),
                "text": _apa(apa_correlation(r.r, r.n, r.p, ci_low=r.ci_low, ci_high=r.ci_high, style=style,
                                             lang=lang), style)})
    return context


def _strategic_by_condition(results, labels) -> list[dict]:
    data = results.analysed
    if "pk_any" not in data.columns:
        return []
    share = data.groupby("condition", observed=True)["pk_any"].apply(lambda s: 100 * s.dropna().astype(float).mean())
    return [{"condition": labels.group(c), "pct": _num(share.get(c), 1)} for c in results.study.condition_names]
