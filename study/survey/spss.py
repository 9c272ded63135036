"""The SPSS export: ``data.sav`` with variable labels and value labels (pyreadstat).

SPSS has no missing-aware integer or boolean types, so the file is encoded
the way SPSS users expect: numbers as doubles (missing = system missing),
booleans as 0/1, and categories (condition, factors, language, status,
single-choice answers) as codes 1..k whose value labels give the category.
Rating items keep their values 1..points, labelled with the point labels (or
the two anchors).

>>> from study import load_study
>>> labels = column_labels(load_study("tilburg"), ["condition", "att_1", "attitude"])
>>> sorted(labels)
['att_1', 'attitude', 'condition']
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyreadstat

FIXED_LABELS = {
    "participant_id": "Participant id",
    "condition": "Experimental condition",
    "lang": "Language of the materials",
    "status": "Response status",
    "started_at": "Started (UTC)",
    "completed_at": "Completed (UTC)",
    "attention_passed": "Passed the attention check",
    "manipulation_passed": "Passed the manipulation check(s)",
    "exclude": "Excluded by the preregistered rules",
    "prolific_pid": "Prolific participant id",
    "study_id": "Prolific study id",
    "session_id": "Prolific session id",
    "duplicate": "Prolific id seen before in this study",
    "duration_seconds": "Time from consent to completion (seconds)",
    "withdrawal_code": "Participant's code for asking to have the answers removed",
}
CATEGORY_COLUMNS = ("condition", "lang", "status")


def _lang(texts: dict) -> str:
    return "en" if "en" in texts else next(iter(texts))


def column_labels(study, columns) -> dict[str, str]:
    """A readable label for each column (item text, scale label, factor label, fixed)."""
    questionnaire = study.questionnaire
    labels = dict(FIXED_LABELS)
    for factor in study.factors:
        labels[factor.name] = factor.label[_lang(factor.label)] if factor.label else factor.name
    for item in questionnaire.items:
        labels[item.id] = item.text[_lang(item.text)]
    for scale in questionnaire.scales:
        labels[scale.id] = f"{scale.label[_lang(scale.label)]} ({scale.scoring} of items)"
    return {column: labels.get(column, column)[:250] for column in columns}


def _category_levels(study, column: str, series: pd.Series) -> dict[str, str]:
    """Category value -> label, in a fixed order (declared levels, else sorted values)."""
    questionnaire = study.questionnaire
    if column == "condition":
        return {name: name for name in study.condition_names}
    if column in study.factor_names:
        return {lv.name: lv.label[_lang(lv.label)] for lv in study.factor(column).levels}
    if column in questionnaire.item_ids and questionnaire.item(column).type == "single_choice":
        return {o.value: o.label[_lang(o.label)] for o in questionnaire.item(column).options}
    return {value: value for value in sorted(series.dropna().astype(str).unique())}


def _is_category(study, column: str) -> bool:
    questionnaire = study.questionnaire
    return (column in CATEGORY_COLUMNS or column in study.factor_names or (
        column in questionnaire.item_ids and questionnaire.item(column).type == "single_choice"))


def spss_frame(data: pd.DataFrame, study) -> tuple[pd.DataFrame, dict]:
    """The data recoded for SPSS and the value labels per variable."""
    questionnaire = study.questionnaire
    out, value_labels = {}, {}
    for column in data.columns:
        series = data[column]
        if _is_category(study, column):
            levels = _category_levels(study, column, series)
            codes = {value: code for code, value in enumerate(levels, start=1)}
            out[column] = np.array([np.nan if pd.isna(v) else codes.get(str(v), np.nan)
                                    for v in series], dtype=float)
            value_labels[column] = {code: levels[value] for value, code in codes.items()}
        elif pd.api.types.is_bool_dtype(series) or column in (
                "attention_passed", "manipulation_passed", "exclude", "duplicate"):
            out[column] = np.array([np.nan if pd.isna(v) else float(bool(v)) for v in series])
            value_labels[column] = {0.0: "no", 1.0: "yes"}
        elif pd.api.types.is_numeric_dtype(series):
            out[column] = pd.to_numeric(series).astype("float64").to_numpy(na_value=np.nan)
            if column in questionnaire.item_ids:
                item = questionnaire.item(column)
                if item.type in ("likert", "semantic_differential"):
                    value_labels[column] = _rating_labels(item)
        else:
            out[column] = ["" if pd.isna(v) else str(v) for v in series]
    return pd.DataFrame(out, columns=list(data.columns)), value_labels


def _rating_labels(item) -> dict:
    if item.labels:
        labels = item.labels[_lang(item.labels)]
        return {float(point): label for point, label in enumerate(labels, start=1)}
    if item.anchors:
        low, high = item.anchors[_lang(item.anchors)]
        return {1.0: low, float(item.points): high}
    return {}


def write_spss(data: pd.DataFrame, study, path) -> None:
    """Write ``data`` as an SPSS ``.sav`` file with variable and value labels."""
    frame, value_labels = spss_frame(data, study)
    labels = column_labels(study, list(frame.columns))
    pyreadstat.write_sav(
        frame, str(path), column_labels=[labels[c] for c in frame.columns],
        variable_value_labels=value_labels,
    )
