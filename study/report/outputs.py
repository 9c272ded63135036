"""The output folder of a run: tables, figures, data, codebook, report and manifest, all or nothing.

:func:`write_outputs` runs :data:`WRITE_STEPS` into a temporary folder next to
``out`` and moves it into place only when all files are written, so an error or
Ctrl-C never leaves a half-written report. :func:`check_output_dir` refuses a
non-empty folder that is not an earlier replylab output (no ``manifest.json``)
unless forced. :func:`make_figures` draws the report's figures, each with its
name and caption.

>>> [step.label for step in WRITE_STEPS][-1]
'move into place'
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import tempfile
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from analysis import figures
from analysis.apa import ci_label
from analysis.figures_process import (
    conditional_effect_plot,
    process_diagram,
    simple_slopes_plot,
)
from analysis.process.plotting import moderated_paths
from analysis.style import save_figure
from study.dataset.codebook import code_columns, codebook
from study.errors import UserError
from study.report.render import DisplayLabels, load_texts, render_report
from study.report.site_results import SITE_RESULTS, site_results

__all__ = ["write_outputs", "check_output_dir", "build_manifest", "result_tables", "make_figures",
           "ReportFigure", "utc_now", "WRITE_STEPS"]

PACKAGES = ("replylab", "numpy", "pandas", "scipy", "statsmodels", "pingouin", "matplotlib", "jinja2", "pydantic")


def utc_now() -> str:
    """The current time, ISO 8601 in UTC to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()



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


def build_manifest(results, *, source: dict, command: str | None, started_at: str,
                   site: str | None = None) -> dict:
    """What is needed to rerun the analysis and get the same numbers."""
    study = results.study
    return {
        "replylab_output": 1,
        "study": study.id,
        "study_file": str(study.path) if study.path else None,
        "study_file_sha256": study.file_hash,
        "site": site,
        "data": source,
        "lang": results.lang,
        "seed": results.seed,
        "bootstrap_seed": results.boot_seed,
        "n_boot": results.n_boot,
        "n": int(len(results.data)),
        "n_analysed": int(len(results.analysed)),
        "command": command or "study.pipeline.run (Python API)",
        "versions": _package_versions(),
        "started_at": started_at,
        "finished_at": None,
    }


@dataclass
class _Job:
    """One write: the results, the staging folder and what one step hands the next."""

    results: object
    staging: Path
    out: Path
    svgs: dict[str, str] = field(default_factory=dict)
    captions: dict[str, str] = field(default_factory=dict)


def _write_tables_and_data(job: _Job) -> None:
    results, folder = job.results, job.staging
    (folder / "tables").mkdir(parents=True)
    for name, table in result_tables(results).items():
        table.to_csv(folder / "tables" / f"{name}.csv", index=False)
    results.data.to_csv(folder / "data.csv", index=False)
    book = codebook(results.study, lang=results.lang)
    (folder / "codebook.json").write_text(book.to_json(), encoding="utf-8")
    (folder / "codebook.md").write_text(book.to_markdown(), encoding="utf-8")
    (folder / SITE_RESULTS).write_text(json.dumps(site_results(results), indent=2) + "\n", encoding="utf-8")


def _write_figures(job: _Job) -> None:
    for name, made in make_figures(job.results).items():
        paths = save_figure(made.figure, job.staging / "figures" / name)
        svg = next(p for p in paths if p.suffix == ".svg").read_text(encoding="utf-8")
        job.svgs[name] = svg[svg.index("<svg"):]
        job.captions[name] = made.caption


def _write_report(job: _Job) -> None:
    results, folder = job.results, job.staging
    pngs = {name: f"figures/{name}.png" for name in job.svgs}
    (folder / "report.md").write_text(
        render_report(results, "md", figures=pngs, captions=job.captions), encoding="utf-8")
    (folder / "report.html").write_text(
        render_report(results, "html", figures=job.svgs, captions=job.captions), encoding="utf-8")
    results.manifest["finished_at"] = utc_now()
    results.manifest["files"] = {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*")) if p.is_file()
    }
    (folder / "manifest.json").write_text(json.dumps(results.manifest, indent=2, default=str) + "\n",
                                          encoding="utf-8")


def _move_into_place(job: _Job) -> None:
    staging, out = job.staging, job.out
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


@dataclass(frozen=True)
class WriteStep:
    """One step of writing the output folder: the progress label and what it writes."""

    label: str
    write: Callable[[_Job], None]


#: The steps of :func:`write_outputs`, in order.
WRITE_STEPS = (
    WriteStep("tables and data", _write_tables_and_data),
    WriteStep("figures", _write_figures),
    WriteStep("report", _write_report),
    WriteStep("move into place", _move_into_place),
)


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
    job = _Job(results, staging, out)
    try:
        for step in WRITE_STEPS:
            progress.advance(step.label)
            step.write(job)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    results.out = out
    return out


def result_tables(results) -> dict[str, pd.DataFrame]:
    """Every result table of a run by file name (``tables/<name>.csv``), full precision."""
    tables = {name: table for name, table in (
        ("exclusion_flow", results.flow), ("reliability", results.reliability),
        ("manipulation_check", results.manipulation), ("descriptives", results.descriptives))
        if table is not None}  # a step that could not run has no table (skipped_steps says why)
    skipped = getattr(results, "skipped", [])
    if skipped:
        tables["skipped_steps"] = pd.DataFrame([s.as_row() for s in skipped])
    for outcome in results.hypotheses:
        hid = outcome.hypothesis.id
        if outcome.hypothesis.kind == "anova":
            tables[f"{hid}_anova"] = outcome.anova
            tables[f"{hid}_cells"] = outcome.cells
            for name in ("welch", "assumptions"):
                if getattr(outcome, name) is not None:
                    tables[f"{hid}_{name}"] = getattr(outcome, name)
            for factor, result in outcome.comparisons.items():
                bf = [{"test": "bayes_factor_bf10", "statistic": result.bf10}]
                if result.bf_directional is not None:  # BF+0: the prior on the expected order only
                    bf.append({"test": "bayes_factor_bf_plus0", "statistic": result.bf_directional})
                tests = pd.concat([result.tests, pd.DataFrame(bf)], ignore_index=True)
                # which p values are one-sided: the t tests follow the hypothesis's direction
                tests["alternative"] = tests["test"].map({"student": result.alternative,
                                                          "welch": result.alternative})
                tables[f"{hid}_{factor}_tests"] = tests
                tables[f"{hid}_{factor}_effects"] = result.effects
            for factor, pairs in getattr(outcome, "pairwise", {}).items():
                tables[f"{hid}_{factor}_pairwise"] = pairs.assign(test="games_howell")
        elif outcome.hypothesis.kind == "process":
            tables.update(outcome.tables(hid))
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
    if results.replication is not None and len(results.replication):
        tables["replication"] = results.replication
        for claim_id, criteria in results.replication_criteria.items():
            tables[f"replication_{claim_id}"] = criteria
    return tables


def _figure_labels(results):
    """The report's texts, its display labels, and the condition names of the figures in its language."""
    t = load_texts()[results.lang]
    labels = DisplayLabels(results.study, results.lang, t)
    conditions = {c: labels.group(c) for c in results.study.condition_names}  # the figures wrap them to fit
    return t, labels, conditions


def _mediation_labels(labels, hypothesis, result) -> dict:
    """Display names of a mediation model's variables and of the levels of its X."""
    names = [hypothesis.x, hypothesis.y, *getattr(result, "m", [])]
    shown = {name: labels(name) for name in names}
    shown.update({level: labels((hypothesis.x, level)) for level in hypothesis.x_coding})
    return shown


def _item_label(item, lang: str, recoded: bool) -> str:
    """A semantic differential as its poles, negative first once recoded (``Bad – good``); else its text."""
    if item.type != "semantic_differential" or not item.anchors:
        return item.text[lang]
    left, right = item.anchors[lang][::-1] if recoded else item.anchors[lang]
    return f"{left} – {right[:1].lower()}{right[1:]}"


def _items_figure(results, data, scale, t, conditions):
    """The answers to a scale's items per condition, reverse-keyed items recoded."""
    questionnaire, lang = results.study.questionnaire, results.lang
    items = [questionnaire.item(name) for name in scale.items]
    differential = all(item.type == "semantic_differential" for item in items)
    reverse = [item.id for item in items if item.reverse]
    return figures.likert_diverging(
        data, [item.id for item in items], by="condition", points=max(item.points for item in items),
        labels={item.id: _item_label(item, lang, item.reverse) for item in items}, reverse=reverse,
        kind="semantic_differential" if differential else "likert", lang=lang,
        group_labels=conditions, group_headings=True,
        xlabel=t["fig_pct_answers"] if differential else t["fig_pct_answers_agree"])


def _process_labels(labels, hypothesis, result) -> tuple[dict, dict | None, dict | None]:
    """Display names of a process model's variables (a coded two-level X says which level is 1), and of
    the values of a coded moderator and of a coded X."""
    names = [hypothesis.x, hypothesis.y, *result.m, *(n for n in (hypothesis.w, hypothesis.z) if n), *result.covariates]
    shown = {name: labels(name) for name in names}
    if isinstance(hypothesis.x_coding, dict):
        first = [level for level, code in hypothesis.x_coding.items() if float(code) == 1.0]
        if first:
            shown[hypothesis.x] = f"{shown[hypothesis.x]} ({labels((hypothesis.x, first[0]))} = 1)"
    elif result.x_codes:
        shown.update({level: labels((hypothesis.x, level)) for level in result.x_codes})
    w_coding, x_coding = hypothesis.w_coding, hypothesis.x_coding
    levels = {code: labels((hypothesis.w, level)) for level, code in w_coding.items()} if w_coding else None
    x_levels = {code: labels((hypothesis.x, level)) for level, code in x_coding.items()} \
        if isinstance(x_coding, dict) else None
    return shown, levels, x_levels


def _process_figures(outcome, t, labels, lang) -> dict:
    """A process hypothesis's diagram, its conditional effect(s) across the moderator, and simple slopes."""
    hypothesis, result = outcome.hypothesis, outcome.result
    hid = hypothesis.id
    shown, levels, x_levels = _process_labels(labels, hypothesis, result)
    made = {f"{hid}_process_diagram": ReportFigure(
        process_diagram(result, labels=shown, lang=lang),
        t["fig_process_diagram"].format(id=hid.upper(), model=hypothesis.model))}
    paths = moderated_paths(result)
    if not paths:
        return made
    ci = ci_label(result.ci, lang)
    shown_paths = sorted(paths, key=lambda path: path[0] == result.y)  # as the figure's panels: X -> M first
    joined = lambda names: f" {t['fig_and']} ".join(dict.fromkeys(names))
    effect = conditional_effect_plot(result, paths=shown_paths, labels=shown, moderator_levels=levels, lang=lang)
    spanned = any(result.plot_data(outcome=o, focal=f, points=2).jn_points for o, f in paths)
    made[f"{hid}_conditional_effects"] = ReportFigure(
        effect, t["fig_conditional_effects_jn" if spanned else "fig_conditional_effects"].format(
            id=hid.upper(), x=joined(labels(f) for _, f in shown_paths), outcomes=joined(labels(o) for o, _ in shown_paths),
            w=labels(hypothesis.w), ci=ci))
    slopes_outcome, slopes_focal = paths[0]  # simple_slopes_plot's default path
    made[f"{hid}_simple_slopes"] = ReportFigure(
        simple_slopes_plot(result, labels=shown, moderator_levels=levels, x_levels=x_levels, lang=lang),
        t["fig_simple_slopes"].format(id=hid.upper(), y=labels(slopes_outcome), x=labels(slopes_focal),
                                      w=labels(hypothesis.w), ci=ci))
    return made


@dataclass(frozen=True)
class ReportFigure:
    """A figure of the report with its caption (in the report's language)."""

    figure: Figure
    caption: str


def make_figures(results) -> dict[str, ReportFigure]:
    """The report's figures by file name, each with its caption, from the analysed data and results.

    Conditions, outcomes, motives, mediation variables and items carry the report's
    display labels (in Dutch the study file's labels; in English the ids, as in the
    report's tables); the attitude items show their poles, reverse-keyed ones recoded.
    """
    data, study = results.analysed, results.study
    t, labels, conditions = _figure_labels(results)
    made = {}
    for outcome in results.hypotheses:
        hypothesis = outcome.hypothesis
        hid = hypothesis.id
        if hypothesis.kind == "anova":
            fig = figures.attitude_by_condition(data, hypothesis.dv, "condition", seed=results.boot_seed,
                                                labels=conditions, ylabel=labels(hypothesis.dv),
                                                width="single" if len(conditions) <= 2 else "double")
            fig.axes[0].set_xlabel(t["fig_condition_axis"])
            made[f"{hid}_{hypothesis.dv}_by_condition"] = ReportFigure(
                fig, t["fig_by_condition"].format(id=hid.upper(), dv=labels(hypothesis.dv)))
        elif hypothesis.kind == "mediation":
            names = _mediation_labels(labels, hypothesis, outcome.primary)
            made[f"{hid}_mediation_diagram"] = ReportFigure(
                figures.mediation_diagram(outcome.primary, labels=names, lang=results.lang),
                t["fig_mediation_diagram"].format(id=hid.upper()))
            made[f"{hid}_bootstrap_distribution"] = ReportFigure(
                figures.bootstrap_distribution(outcome.primary, labels=names, lang=results.lang),
                t["fig_bootstrap_distribution"].format(id=hid.upper()))
        elif hypothesis.kind == "process":
            made.update(_process_figures(outcome, t, labels, results.lang))
    codes = code_columns(data)
    if codes:
        fig = figures.motives_by_condition_plot(
            data, codes, "condition", labels=conditions,
            motive_labels={c.removeprefix("code_"): textwrap.fill(labels(("motive", c.removeprefix("code_"))), 14)
                           for c in codes})
        fig.axes[0].set_ylabel(t["fig_pct_mentioned"])
        fig.axes[0].get_legend().set_title(t["fig_condition_axis"])
        made["motives_by_condition"] = ReportFigure(fig, t["fig_motives_by_condition"])
    attitude = [s for s in study.questionnaire.scales if s.id == "attitude"]
    if attitude and set(attitude[0].items) <= set(data.columns):
        made["attitude_items"] = ReportFigure(_items_figure(results, data, attitude[0], t, conditions),
                                              t["fig_attitude_items"])
    return made
