"""The outputs of an import: ``data.csv`` (the canonical table), ``mapping.yaml``,
``study.yaml`` (a draft, analysis-only study file), ``questionnaire.yaml`` (its items and
suggested scales) and ``import-report.md``.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from study.dataset.mapping import apply_mapping
from study.errors import UserError

__all__ = ["canonical_table", "write_outputs", "OUTPUT_FILES"]

OUTPUT_FILES = ("data.csv", "mapping.yaml", "study.yaml", "questionnaire.yaml", "import-report.md")
_LEADING = ["participant_id", "condition"]
_META = ["lang", "status", "started_at", "completed_at"]


def canonical_table(plan, log: list) -> pd.DataFrame:
    """The file through the plan's mapping, completed to the canonical shape: ``condition``
    from the factor columns, ``participant_id`` and ``status`` when the file has none, and
    the columns in canonical order. Rows with no condition get status ``excluded``."""
    frame = apply_mapping(plan.table.frame, plan.mapping, log=log)
    factors = [f.name for f in plan.condition.factors] + list(plan.condition.from_answered)
    if factors:
        parts = frame[factors].astype("object")
        known = parts.notna().all(axis=1)
        joined = parts[known].apply(lambda row: "-".join(str(v) for v in row), axis=1)
        frame["condition"] = pd.Series(joined, index=frame.index, dtype=object).where(known, np.nan)
    if "participant_id" not in frame.columns:
        frame["participant_id"] = [f"p{i + 1:04d}" for i in range(len(frame))]
    frame["participant_id"] = frame["participant_id"].astype(str)
    frame["status"] = "complete"
    if factors:
        frame.loc[frame["condition"].isna(), "status"] = "excluded"
    items = [d.item["id"] for d in plan.items]
    order = [c for c in [*_LEADING, *factors, *_META, *items] if c in frame.columns]
    rest = [c for c in frame.columns if c not in order]
    frame = frame[order + rest]
    for column in frame.columns:  # whole numbers written as 5, not 5.0
        values = frame[column]
        if pd.api.types.is_float_dtype(values) and values.notna().any() \
                and (values.dropna() == values.dropna().round()).all() and values.abs().max() < 2**53:
            frame[column] = values.astype("Int64")
    frame.index.name = "row"
    return frame


def _yaml(data) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)


def _study_language(plan) -> str:
    return plan.language if plan.language in ("nl", "en") else "en"


def _questionnaire(plan, study_id: str) -> dict:
    lang = _study_language(plan)
    items = []
    for draft in plan.items:
        item = {"id": draft.item["id"], "type": draft.item["type"], "text": {lang: draft.item["text"] or draft.item["id"]}}
        if "points" in draft.item:
            item["points"] = draft.item["points"]
            item["anchors"] = {lang: list(draft.item["anchors"])}
            if draft.item.get("labels"):
                item["labels"] = {lang: list(draft.item["labels"])}
        if "options" in draft.item:
            item["options"] = [{"value": o["value"], "label": {lang: o["label"]}} for o in draft.item["options"]]
        for key in ("min", "max", "integer"):
            if key in draft.item:
                item[key] = draft.item[key]
        item["required"] = False
        items.append(item)
    scales = [{**{k: v for k, v in s.items() if k != "label"}, "label": {lang: s["label"]}} for s in plan.scales]
    return {"id": study_id.replace("-", "_"), "title": {lang: f"Questionnaire of {plan.table.path.name}"},
            "source": f"Imported by replylab import from {plan.table.path.name} ({plan.tool}).",
            "languages": [lang], "items": items, "scales": scales,
            "pages": [{"id": "imported", "title": {lang: "Imported questions"},
                       "items": [i["id"] for i in items]}]}


def _study(plan, study_id: str, n: int) -> dict:
    lang = _study_language(plan)
    factors = []
    for factor in plan.condition.factors:
        factors.append({"name": factor.name, "label": {lang: factor.source},
                        "levels": [{"name": level, "label": {lang: label}} for level, label in factor.levels.items()]})
    for name, levels in plan.condition.from_answered.items():
        factors.append({"name": name, "label": {lang: "the block of questions answered"},
                        "levels": [{"name": level, "label": {lang: level.replace("_", " ")}} for level in levels]})
    between = [f["name"] for f in factors]
    hypotheses = [{"kind": "anova", "id": f"h{i}", "description": f"{dv} differs by {' x '.join(between)}.",
                   "dv": dv, "between": between[0] if len(between) == 1 else between}
                  for i, dv in enumerate(plan.dependent, start=1)]
    return {"id": study_id, "title": {lang: f"Imported from {plan.table.path.name}"}, "purpose": "analysis",
            "source": f"Data exported from {plan.tool}; imported by replylab import.",
            "languages": [lang], "factors": factors, "questionnaire_modules": ["questionnaire.yaml"],
            "target_n": max(n, 1), "analysis": {"alpha": 0.05, "seed": 2021, "n_boot": 5000,
                                                 "hypotheses": hypotheses}}


def _study_id(path: Path) -> str:
    from study.dataset.importers.naming import column_id

    return column_id(path.stem, prefix="study").replace("_", "-")[:40].strip("-") or "imported"


def write_outputs(plan, out: Path, *, command: str) -> dict:
    """Write the five files into ``out`` (created); returns a summary dict for the command."""
    out = Path(out)
    log: list = []
    data = canonical_table(plan, log)
    study_id = _study_id(plan.table.path)
    try:
        out.mkdir(parents=True, exist_ok=True)
        data.to_csv(out / "data.csv", index=False)
        (out / "mapping.yaml").write_text(_mapping_text(plan, command), encoding="utf-8")
        (out / "questionnaire.yaml").write_text(
            "# Draft questionnaire written by replylab import: check each item's type, points and anchors.\n"
            + _yaml(_questionnaire(plan, study_id)), encoding="utf-8")
        (out / "study.yaml").write_text(_study_text(plan, study_id, len(data)), encoding="utf-8")
        from study.dataset.importers.report import import_report

        (out / "import-report.md").write_text(import_report(plan, data, log, command), encoding="utf-8")
    except OSError as error:
        raise UserError(f"--out {out}: cannot write there ({error.strerror}).") from None
    return {"data": data, "log": log, "study_id": study_id}


def _mapping_text(plan, command: str) -> str:
    head = [
        f"# How {plan.table.path.name} becomes data.csv: written by `{command}`.",
        "# Rerun it with: replylab analyze FILE --study study.yaml --mapping mapping.yaml --out RESULTS",
        "# Options: docs/data-mapping.md. Order: skip_rows, drop/keep (rows), missing, from_answered,",
        "# merge, columns (renames; with `unmapped: drop` only the columns named here are kept), values, defaults.",
    ]
    if plan.table.header_rows > 1:
        head.append(f"# skip_rows: {plan.table.header_rows - 1}: the {plan.tool} header has {plan.table.header_rows} "
                    f"rows ({plan.table.header_form}), recognised by their content.")
    return "\n".join(head) + "\n" + _yaml(plan.mapping)


def _study_text(plan, study_id: str, n: int) -> str:
    head = [
        f"# Draft study file written by replylab import from {plan.table.path.name} on {datetime.date.today()}.",
        "# purpose: analysis: a study for analysing data collected elsewhere (no vignettes, texts,",
        "# completion or assignment). Edit the factor and level names, and keep only the hypotheses",
        "# you preregistered; then: replylab analyze data.csv --study study.yaml --out RESULTS",
    ]
    if not plan.condition.factors and not plan.condition.from_answered:
        head.append("# No condition was found: add the factor(s) by hand, or import again with --condition COLUMN.")
    return "\n".join(head) + "\n" + _yaml(_study(plan, study_id, n))
