"""The SPSS export: ``data.sav`` with variable labels, value labels, measurement levels and formats (pyreadstat).

SPSS has no missing-aware integer or boolean types, so the file is encoded
the way SPSS users expect: numbers as doubles (missing = system missing),
booleans as 0/1, and categories (condition, factors, language, status,
single-choice answers) as codes 1..k whose value labels give the category.
Rating items keep their values 1..points, labelled with the point labels (or
the two anchors). The timestamps are SPSS date-times (UTC).

Each variable gets the label the codebook gives its column
(:func:`study.dataset.codebook.codebook`), a measurement level and a format:

- rating items (likert, semantic differential): *ordinal*, ``F2.0``;
- scale scores, numbers (age), durations, counts, the coder's confidence: *scale*
  (``F8.2`` for scores and the confidence, whole numbers ``F8.0``);
- the condition, the factors, language, status, single choices, flags and 0/1 codes:
  *nominal*; free text and ids: *nominal* strings;
- ``started_at``/``completed_at``: *scale*, ``DATETIME20``.

>>> from study import load_study
>>> tilburg = load_study("tilburg")
>>> labels = column_labels(tilburg, ["condition", "att_1", "attitude"])
>>> labels["condition"], labels["attitude"]
('Condition', 'Attitude toward the company')
>>> measure = measurement_levels(tilburg, ["condition", "att_1", "attitude", "age"])
>>> [measure[c] for c in ["condition", "att_1", "attitude", "age"]]
['nominal', 'ordinal', 'scale', 'scale']
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyreadstat

from study.dataset.codebook import codebook

__all__ = ["column_labels", "measurement_levels", "spss_frame", "write_spss", "TIMESTAMP_COLUMNS"]

CATEGORY_COLUMNS = ("condition", "lang", "status")
TIMESTAMP_COLUMNS = ("started_at", "completed_at")
#: Columns that count or time something: scale, whole numbers.
_SCALE_COLUMNS = ("duration_seconds", "pk_strategic", "focus_lost_count", "focus_lost_seconds", "paste_count",
                  "typing_seconds")
_BOOLEAN_COLUMNS = ("attention_passed", "manipulation_passed", "exclude", "duplicate")


def _lang(texts: dict) -> str:
    return "en" if "en" in texts else next(iter(texts))


def column_labels(study, columns) -> dict[str, str]:
    """The codebook's label of each column (the column's own name when the codebook has none)."""
    book = {entry["name"]: entry for entry in codebook(study).entries}
    return {column: str(book[column]["label"] if column in book and book[column]["label"] else column)[:250]
            for column in columns}


def _item(study, column: str):
    questionnaire = study.questionnaire
    return questionnaire.item(column) if column in questionnaire.item_ids else None


def measurement_levels(study, columns) -> dict[str, str]:
    """SPSS measurement level of each column: ``nominal``, ``ordinal`` or ``scale`` (see the module docstring)."""
    scales = {scale.id for scale in study.questionnaire.scales}
    levels = {}
    for column in columns:
        item = _item(study, column)
        if item is not None:
            levels[column] = {"likert": "ordinal", "semantic_differential": "ordinal",
                              "number": "scale"}.get(item.type, "nominal")
        elif column in scales or column in _SCALE_COLUMNS or column in TIMESTAMP_COLUMNS \
                or column == "code_confidence":
            levels[column] = "scale"
        else:
            levels[column] = "nominal"
    return levels


def _category_levels(study, column: str, series: pd.Series) -> dict[str, str]:
    """Category value -> label, in a fixed order (declared levels, else sorted values)."""
    questionnaire = study.questionnaire
    if column == "condition":
        return {name: name for name in study.condition_names}
    if column in study.factor_names:
        return {lv.name: lv.label[_lang(lv.label)] for lv in study.factor(column).levels}
    if column in questionnaire.item_ids and questionnaire.item(column).type == "single_choice":
        return {o.value: o.label[_lang(o.label)] for o in questionnaire.item(column).options}
    return {str(value): str(value) for value in sorted(series.dropna().astype(str).unique())}


def _is_category(study, column: str) -> bool:
    item = _item(study, column)
    return (column in CATEGORY_COLUMNS or column in study.factor_names
            or (item is not None and item.type == "single_choice"))


def _timestamps(series: pd.Series) -> pd.Series:
    """ISO 8601 texts (or timestamps) as naive UTC date-times; what cannot be read is missing."""
    parsed = pd.to_datetime(series, errors="coerce", utc=True, format="ISO8601")
    return parsed.dt.tz_localize(None)


def spss_frame(data: pd.DataFrame, study) -> tuple[pd.DataFrame, dict]:
    """The data recoded for SPSS and the value labels per variable."""
    out, value_labels = {}, {}
    for column in data.columns:
        series = data[column]
        item = _item(study, column)
        if _is_category(study, column):
            levels = _category_levels(study, column, series)
            codes = {value: code for code, value in enumerate(levels, start=1)}
            out[column] = np.array([np.nan if pd.isna(v) else codes.get(str(v), np.nan)
                                    for v in series], dtype=float)
            value_labels[column] = {code: str(levels[value]) for value, code in codes.items()}
        elif column in TIMESTAMP_COLUMNS:
            out[column] = _timestamps(series)
        elif pd.api.types.is_bool_dtype(series) or column in _BOOLEAN_COLUMNS or column.startswith("flag_"):
            out[column] = np.array([np.nan if pd.isna(v) else float(bool(v)) for v in series])
            value_labels[column] = {0.0: "no", 1.0: "yes"}
        elif pd.api.types.is_numeric_dtype(series):
            out[column] = pd.to_numeric(series).astype("float64").to_numpy(na_value=np.nan)
            if item is not None and item.type in ("likert", "semantic_differential"):
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


def _formats(frame: pd.DataFrame, study, measure: dict) -> dict[str, str]:
    formats = {}
    scales = {scale.id for scale in study.questionnaire.scales}
    for column in frame.columns:
        values = frame[column]
        if column in TIMESTAMP_COLUMNS:
            formats[column] = "DATETIME20"
        elif not pd.api.types.is_numeric_dtype(values):
            width = max([len(str(v).encode("utf-8")) for v in values] + [1])
            formats[column] = f"A{min(max(width, 8), 32767)}"
        elif column in scales or column == "code_confidence":
            formats[column] = "F8.2"
        elif measure[column] == "scale":
            whole = values.dropna().eq(values.dropna().round()).all()
            formats[column] = "F8.0" if whole else "F8.2"
        else:
            top = values.abs().max() if values.notna().any() else 1
            formats[column] = f"F{max(len(str(int(top))), 1) + 1}.0"
    return formats


def write_spss(data: pd.DataFrame, study, path) -> None:
    """Write ``data`` as an SPSS ``.sav`` file with variable and value labels, measurement
    levels and formats (see the module docstring)."""
    frame, value_labels = spss_frame(data, study)
    columns = list(frame.columns)
    labels = column_labels(study, columns)
    measure = measurement_levels(study, columns)
    pyreadstat.write_sav(
        frame, str(path), column_labels=[labels[c] for c in columns],
        variable_value_labels=value_labels, variable_measure=measure,
        variable_format=_formats(frame, study, measure),
    )
