"""The report of one run (Markdown and self-contained HTML) and the output folder.

:func:`report_context` turns a :class:`study.pipeline.Results` into formatted
numbers, tables and verdicts; the Jinja2 templates ``study/templates/report*.j2``
(autoescaped HTML; Markdown with free text escaped) put them into sentences
in English or Dutch (``report_texts.j2``). :func:`write_outputs` writes the
report, tables, figures, data, codebook and manifest into a temporary folder
next to ``out`` and moves them into place only when all are written.

>>> sorted(load_texts())
['en', 'nl']
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
import tempfile
from datetime import datetime, timezone
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from study.errors import UserError

__all__ = ["render_report", "write_outputs", "check_output_dir", "build_manifest", "load_texts",
           "report_context", "result_tables", "WRITE_STEPS"]

#: Progress labels of :func:`write_outputs`, in order.
WRITE_STEPS = ("tables and data", "figures", "report", "move into place")
PACKAGES = ("replylab", "numpy", "pandas", "scipy", "statsmodels", "pingouin", "matplotlib", "jinja2", "pydantic")
#: Characters with a meaning in Markdown (or HTML, which Markdown passes through).
_MD_SPECIAL = "\\`*_{}[]()#+-!|<>&~"
_CODE_SPAN = re.compile(r"`([^`<>]+)`")


def utc_now() -> str:
    """The current time, ISO 8601 in UTC to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


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


@lru_cache(maxsize=2)
def _environment(html: bool) -> Environment:
    env = Environment(loader=PackageLoader("study", "templates"), undefined=StrictUndefined,
                      autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["fill"] = _fill(html)
    env.filters["md"] = md_escape
    return env


def load_texts() -> dict:
    """The report's prose per language (``{"en": {...}, "nl": {...}}``) from ``report_texts.j2``."""
    return _environment(False).get_template("report_texts.j2").module.texts


def render_report(results, fmt: str = "md", *, figures: dict[str, str] | None = None) -> str:
    """The report as Markdown (``fmt="md"``) or a self-contained HTML page (``"html"``).

    Parameters
    ----------
    results : study.pipeline.Results
    fmt : {"md", "html"}
    figures : dict, optional
        Figure name -> SVG text (HTML: inlined) or relative path of the PNG (Markdown).
    """
    if fmt not in ("md", "html"):
        raise ValueError(f"fmt must be 'md' or 'html'; got {fmt!r}.")
    html = fmt == "html"
    texts = load_texts()[results.lang]
    context = report_context(results, texts, style="html" if html else "markdown")
    context["t"] = texts
    context["figures"] = {name: Markup(svg) if html else svg for name, svg in (figures or {}).items()}
    if html:
        context = _mark_safe(context)
    return _environment(html).get_template(f"report.{fmt}.j2").render(**context)


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


# --- the output folder ----------------------------------------------------------


def check_output_dir(out: Path, *, force: bool = False) -> None:
    """Refuse a non-empty folder that is not an earlier replylab output, unless ``force``.

    Raises
    ------
    UserError
        If ``out`` is a file, or a non-empty folder without ``manifest.json``.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UserError(f"{out} is a file, not a folder; give --out a folder to write the results into.")
    if out.is_dir() and any(out.iterdir()) and not (out / "manifest.json").is_file() and not force:
        raise UserError(f"{out} is not empty and holds no earlier replylab output (no manifest.json); "
                        "choose another --out folder, or pass --force to write into it anyway.")


def _package_versions() -> dict[str, str]:
    versions = {"python": sys.version.split()[0]}
    for name in PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "not installed (source tree)"
    return versions


def build_manifest(results, *, source: dict, command: str | None, started_at: str) -> dict:
    """What is needed to rerun the analysis and get the same numbers."""
    study = results.study
    return {
        "replylab_output": 1,
        "study": study.id,
        "study_file": str(study.path) if study.path else None,
        "study_file_sha256": study.file_hash,
        "data": source,
        "lang": results.lang,
        "seed": results.seed,
        "bootstrap_seed": results.boot_seed,
        "n_boot": results.n_boot,
        "n": int(len(results.data)),
        "n_analysed": int(len(results.analysed)),
        "command": command or "study.pipeline (Python API)",
        "versions": _package_versions(),
        "started_at": started_at,
        "finished_at": None,
    }


def _write_figures(results, folder: Path) -> dict[str, str]:
    svgs = {}
    for name, fig in make_figures(results).items():
        from analysis.style import save_figure

        paths = save_figure(fig, folder / "figures" / name)
        svg = next(p for p in paths if p.suffix == ".svg").read_text(encoding="utf-8")
        svgs[name] = svg[svg.index("<svg"):]
    return svgs


def _write_all(results, folder: Path, progress) -> None:
    from study.codebook import codebook

    (folder / "tables").mkdir(parents=True)
    for name, table in result_tables(results).items():
        table.to_csv(folder / "tables" / f"{name}.csv", index=False)
    results.data.to_csv(folder / "data.csv", index=False)
    book = codebook(results.study, lang=results.lang)
    (folder / "codebook.json").write_text(book.to_json(), encoding="utf-8")
    (folder / "codebook.md").write_text(book.to_markdown(), encoding="utf-8")
    progress.advance("figures")
    svgs = _write_figures(results, folder)
    progress.advance("report")
    pngs = {name: f"figures/{name}.png" for name in svgs}
    (folder / "report.md").write_text(render_report(results, "md", figures=pngs), encoding="utf-8")
    (folder / "report.html").write_text(render_report(results, "html", figures=svgs), encoding="utf-8")
    results.manifest["finished_at"] = utc_now()
    results.manifest["files"] = {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*")) if p.is_file()
    }
    (folder / "manifest.json").write_text(json.dumps(results.manifest, indent=2, default=str) + "\n",
                                          encoding="utf-8")


class _Silent:
    def advance(self, label: str) -> None:
        pass


def write_outputs(results, out, *, force: bool = False, progress=None) -> Path:
    """Write every output of a run into ``out``, all or nothing.

    Files are written into a temporary folder beside ``out``; on success an
    earlier replylab output in ``out`` is replaced as a whole (a foreign
    folder, with ``force``, receives the files beside its own). On any error,
    or Ctrl-C, the temporary folder is removed and ``out`` is left as it was.

    Returns
    -------
    pathlib.Path
        ``out``.
    """
    out = Path(out)
    progress = progress or _Silent()
    check_output_dir(out, force=force)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    try:
        progress.advance("tables and data")
        _write_all(results, staging, progress)
        progress.advance("move into place")
        _move_into_place(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    results.out = out
    return out


def _move_into_place(staging: Path, out: Path) -> None:
    if not out.exists() or not any(out.iterdir()):
        if out.exists():
            out.rmdir()
        staging.rename(out)
        return
    if (out / "manifest.json").is_file():  # an earlier replylab output: swap the folders
        old = out.with_name(f".{out.name}.old-{staging.name.rsplit('-', 1)[-1]}")
        out.rename(old)
        staging.rename(out)
        shutil.rmtree(old, ignore_errors=True)
        return
    for entry in sorted(staging.iterdir(), key=lambda p: p.name == "manifest.json"):
        target = out / entry.name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
        entry.rename(target)
    staging.rmdir()


# --- numbers, tables and verdicts for the templates ------------------------------


def _num(value, digits: int = 2, *, bounded: bool = False) -> str:
    from analysis.apa import format_number

    return "–" if value is None or pd.isna(value) else format_number(float(value), digits,
                                                                      leading_zero=not bounded, style="unicode")


def _p_cell(p) -> str:
    from analysis.apa import format_p

    if p is None or pd.isna(p):
        return "–"
    text = format_p(float(p), style="unicode")
    return text[4:] if text.startswith("p = ") else text[2:]


def _table(title: str, headers: list[str], rows: list[list]) -> dict:
    return {"title": title, "headers": headers, "rows": [[str(cell) for cell in row] for row in rows]}


class _Labels:
    """Display labels in the report's language for factors, levels, conditions, scales, motives."""

    def __init__(self, study, lang: str, t: dict):
        from questionnaires import load_motive_codebook

        self.lang = lang
        self.names = {"pk_strategic": t["label_pk_strategic"], "pk_any": t["label_pk_any"]}
        for factor in study.factors:
            self.names[factor.name] = factor.label[lang] if factor.label else factor.name
            for level in factor.levels:
                self.names[(factor.name, level.name)] = level.name
        for scale in study.questionnaire.scales:
            self.names[scale.id] = scale.label[lang]
        for category in load_motive_codebook().categories:
            self.names[("motive", category.id)] = category.label[lang]

    def __call__(self, key) -> str:
        return self.names.get(key, key if isinstance(key, str) else key[-1])


def _apa(text: str, style: str):
    return ApaHtml(text) if style == "html" else text


def _comparison_context(result, factor: str, study, alpha: float, style: str, labels) -> dict:
    from analysis.apa import apa_descriptive, apa_t, format_number, format_p

    tests = result.tests.set_index("test")
    effects = result.effects.set_index("effect")
    desc = result.descriptives
    d = effects.loc["cohen_d"]
    student = tests.loc["student"]
    ci_level = format_number(100 * (1 - alpha), 0)
    d_text = (f"{apa_t(student['statistic'], student['df'], student['p'], d=d['estimate'], style=style)}, "
              f"{ci_level}% CI [{format_number(d['ci_low'], style=style)}, {format_number(d['ci_high'], style=style)}]")
    welch = tests.loc["welch"]
    context = {
        "factor": labels(factor),
        "group1": str(result.groups[0]), "group2": str(result.groups[1]),
        "m1": _apa(apa_descriptive(desc["mean"].iloc[0], desc["sd"].iloc[0], n=desc["n"].iloc[0], style=style), style),
        "m2": _apa(apa_descriptive(desc["mean"].iloc[1], desc["sd"].iloc[1], n=desc["n"].iloc[1], style=style), style),
        "higher": str(result.groups[0] if desc["mean"].iloc[0] > desc["mean"].iloc[1] else result.groups[1]),
        "t_text": _apa(d_text, style),
        "welch_text": _apa(apa_t(welch["statistic"], welch["df"], welch["p"], style=style), style),
        "significant": bool(student["p"] < alpha),
        "bf10": _num(result.bf10), "bf01": _num(1 / result.bf10),
        "bf_verdict": "difference" if result.bf10 > 3 else "null" if result.bf10 < 1 / 3 else "inconclusive",
        "tost": None,
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
    from analysis.apa import apa, apa_welch

    alpha = study.analysis.alpha
    table = outcome.anova
    effects = []
    for source in table["source"]:
        if source == "Residual":
            continue
        row = table.set_index("source").loc[source]
        effects.append({"source": " × ".join(labels(f) for f in source.split(":")),
                        "stats": _apa(apa(table, effect=source, style=style), style),
                        "significant": bool(row["p"] < alpha)})
    welch = None
    if outcome.welch is not None:
        w = outcome.welch.iloc[0]
        welch = _apa(apa_welch(w["F"], w["df1"], w["df2"], w["p"], style=style), style)
    rows = [[" × ".join(labels(f) for f in r.source.split(":")) if r.source != "Residual" else t["residual"],
             _num(r.ss), _num(r.df, 0) if float(r.df).is_integer() else _num(r.df), _num(r.ms), _num(r.F),
             _p_cell(r.p), _num(r.eta2_p, bounded=True), _num(r.omega2, bounded=True)]
            for r in table.itertuples(index=False)]
    return {
        "id": outcome.hypothesis.id.upper(), "description": outcome.hypothesis.description or "",
        "dv": labels(outcome.hypothesis.dv), "effects": effects, "welch": welch,
        "comparisons": [_comparison_context(result, factor, study, alpha, style, labels)
                        for factor, result in outcome.comparisons.items()],
        "table": _table(t["anova_table"], [t["source"], "SS", "df", "MS", "F", "p", "η²p", "ω²p"], rows),
        "assumptions": None if outcome.assumptions is None else _table(
            t["assumptions_table"], [t["check"], t["group"], t["statistic"], "p"],
            [[r.check, "" if pd.isna(r.group) else r.group, _num(r.statistic), _p_cell(r.p)]
             for r in outcome.assumptions.itertuples(index=False)]),
    }


def _mediation_model(result, role: str, t: dict, style: str, labels) -> dict:
    from analysis.apa import apa_mediation

    indirect = []
    for name, row in result.indirect.iterrows():
        indirect.append({"mediator": labels(str(name)),
                         "text": _apa(apa_mediation(row["effect"], row["ci_low"], row["ci_high"], ci=result.ci,
                                                    style=style), style),
                         "excludes_zero": bool(row["ci_low"] > 0 or row["ci_high"] < 0)})
    paths = result.paths
    rows = [[name, _num(r.coef), _num(r.se), _num(r.t), _p_cell(r.p), f"[{_num(r.ci_low)}, {_num(r.ci_high)}]"]
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
                        [t["path"], t["estimate"], "SE", "t", "p", f"{_num(100 * result.ci, 0)}% CI"], rows),
    }


def _examples(results, labels, per_motive: int = 2) -> list[dict]:
    """A few reasons per coded motive, first in participant order (free text: escaped by the templates)."""
    from study.pipeline import code_columns

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
    from analysis.apa import apa_correlation

    study, lang = results.study, results.lang
    labels = _Labels(study, lang, t)
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
    context["conditions"] = [{"name": str(c), "n": int(counts.get(c, 0))} for c in study.condition_names]
    context["reliability"] = _table(t["reliability_table"], [t["scale"], t["items"], "α", "95% CI", "ω", "n"], [
        [labels(r.scale), r.n_items, _num(r.alpha, bounded=True),
         f"[{_num(r.alpha_ci_low, bounded=True)}, {_num(r.alpha_ci_high, bounded=True)}]",
         _num(r.omega, bounded=True), r.n] for r in results.reliability.itertuples(index=False)])
    manipulation = results.manipulation
    context["manipulation"] = None if manipulation.empty else _table(
        t["manipulation_table"], [t["item"], t["level"], t["expected_answer"], "n", t["pct_expected"]],
        [[r.item, r.level, r.expected, r.n, _num(r.pct_expected, 1)] for r in manipulation.itertuples(index=False)])
    context["manipulation_rows"] = [{"level": r.level, "pct": _num(r.pct_expected, 1), "item": r.item}
                                    for r in manipulation.itertuples(index=False)]
    context["descriptives"] = _table(t["descriptives_table"], [t["variable"], t["condition"], "n", "M", "SD", "95% CI"], [
        [labels(r.variable), r.condition, r.n, _num(r.mean), _num(r.sd), f"[{_num(r.ci_low)}, {_num(r.ci_high)}]"]
        for r in results.descriptives.itertuples(index=False)])
    from study.pipeline import AnovaOutcome

    context["anovas"] = [_anova_context(o, study, t, style, labels) for o in results.hypotheses
                         if isinstance(o, AnovaOutcome)]
    context["mediations"] = [
        {"id": o.hypothesis.id.upper(), "description": o.hypothesis.description or "", "x": labels(o.hypothesis.x),
         "y": labels(o.hypothesis.y), "coding": ", ".join(f"{k} = {v}" for k, v in o.hypothesis.x_coding.items()),
         "models": [_mediation_model(r, role, t, style, labels)
                    for role, r in (("primary", o.primary), ("secondary", o.secondary)) if r is not None]}
        for o in results.hypotheses if not isinstance(o, AnovaOutcome)]
    context["motives"] = None
    if results.motives is not None:
        levels = study.condition_names
        context["motives"] = _table(
            t["motives_table"], [t["motive"], *levels, t["total"], t["test"], "p", "V"],
            [[labels(("motive", r["motive"])), *[f"{r[f'n_{c}']} ({_num(r[f'pct_{c}'], 1)}%)" for c in levels],
              f"{r['n_total']} ({_num(r['pct_total'], 1)}%)", t.get(f"test_{r['test']}", r["test"]), _p_cell(r["p"]),
              _num(r["cramers_v"], bounded=True)] for _, r in results.motives.iterrows()])
        context["strategic"] = _strategic_by_condition(results)
    context["examples"] = _examples(results, labels)
    context["correlations"] = []
    if results.correlations is not None:
        for r in results.correlations.itertuples(index=False):
            if r.method != "pearson":
                continue
            context["correlations"].append({
                "x": labels(r.x), "y": labels(r.y), "significant": bool(r.p < alpha),
                "text": _apa(apa_correlation(r.r, r.n, r.p, ci_low=r.ci_low, ci_high=r.ci_high, style=style), style)})
    return context


def _strategic_by_condition(results) -> list[dict]:
    data = results.analysed
    if "pk_any" not in data.columns:
        return []
    share = data.groupby("condition", observed=True)["pk_any"].apply(lambda s: 100 * s.dropna().astype(float).mean())
    return [{"condition": str(c), "pct": _num(share.get(c), 1)} for c in results.study.condition_names]


def result_tables(results) -> dict[str, pd.DataFrame]:
    """Every result table of a run by file name (``tables/<name>.csv``), full precision."""
    from study.pipeline import AnovaOutcome

    tables = {"exclusion_flow": results.flow, "reliability": results.reliability,
              "manipulation_check": results.manipulation, "descriptives": results.descriptives}
    for outcome in results.hypotheses:
        hid = outcome.hypothesis.id
        if isinstance(outcome, AnovaOutcome):
            tables[f"{hid}_anova"] = outcome.anova
            tables[f"{hid}_cells"] = outcome.cells
            for name in ("welch", "assumptions"):
                if getattr(outcome, name) is not None:
                    tables[f"{hid}_{name}"] = getattr(outcome, name)
            for factor, result in outcome.comparisons.items():
                bf = pd.DataFrame([{"test": "bayes_factor_bf10", "statistic": result.bf10}])
                tables[f"{hid}_{factor}_tests"] = pd.concat([result.tests, bf], ignore_index=True)
                tables[f"{hid}_{factor}_effects"] = result.effects
        else:
            for role in ("primary", "secondary"):
                result = getattr(outcome, role)
                if result is not None:
                    tables[f"{hid}_{role}_paths"] = result.paths.rename_axis("path").reset_index()
                    tables[f"{hid}_{role}_indirect"] = result.indirect.rename_axis("mediator").reset_index()
    if results.motives is not None:
        tables["motives_by_condition"] = results.motives
    if results.correlations is not None:
        tables["pk_attitude_correlation"] = results.correlations
    return tables


def make_figures(results) -> dict:
    """The report's figures (name -> matplotlib Figure), from the analysed data and results."""
    from analysis import figures
    from study.pipeline import AnovaOutcome, code_columns

    data, study = results.analysed, results.study
    made = {}
    for outcome in results.hypotheses:
        hid = outcome.hypothesis.id
        if isinstance(outcome, AnovaOutcome):
            made[f"{hid}_{outcome.hypothesis.dv}_by_condition"] = figures.attitude_by_condition(
                data, outcome.hypothesis.dv, "condition", seed=results.boot_seed)
        else:
            made[f"{hid}_mediation_diagram"] = figures.mediation_diagram(outcome.primary)
            made[f"{hid}_bootstrap_distribution"] = figures.bootstrap_distribution(outcome.primary)
    codes = code_columns(data)
    if codes:
        made["motives_by_condition"] = figures.motives_by_condition_plot(data, codes, "condition")
    attitude_items = [s for s in study.questionnaire.scales if s.id == "attitude"]
    if attitude_items and set(attitude_items[0].items) <= set(data.columns):
        made["attitude_items"] = figures.likert_diverging(data, attitude_items[0].items, by="condition")
    return made
