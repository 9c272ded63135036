"""Bring a foreign CSV (a Qualtrics export, another lab's data) onto the canonical columns.

A mapping file (YAML, documented in ``docs/data-mapping.md``) renames columns,
recodes values, fills constant columns and skips extra header rows; then
:func:`load_data` checks that every column the study's analysis needs is there
and raises a :class:`~study.errors.UserError` naming the first missing ones and
the mapping option otherwise.

>>> mapping = load_mapping({"columns": {"Cond": "channel"}, "values": {"channel": {1: "public", 2: "private"}}})
>>> mapping.columns
{'Cond': 'channel'}
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from study.design.schema import AnovaHypothesis, Study
from study.errors import UserError

__all__ = ["DataMapping", "load_mapping", "apply_mapping", "required_columns", "load_data"]

HINT = ("Rename the column in the file, or map it with a mapping file (--mapping MAP.yaml, "
        "`columns: {{your_name: {column}}}`); see docs/data-mapping.md")


class DataMapping(BaseModel):
    """How the columns and values of a foreign data file map onto the canonical ones.

    Attributes
    ----------
    columns : dict
        Source column -> canonical column (renames; unmapped columns are kept as they are).
    values : dict
        Canonical column -> {source value: canonical value} (recoding after renaming;
        values not listed are kept). Keys match the value's text, so ``1`` matches ``"1"``.
    defaults : dict
        Canonical column -> a constant for a column the file lacks (e.g. ``lang: nl``).
    skip_rows : int
        Rows under the header to skip (a Qualtrics CSV export has 2: question texts and import ids).
    drop_columns : list
        Source columns to leave out.
    """

    model_config = ConfigDict(extra="forbid")

    columns: dict[str, str] = {}
    values: dict[str, dict[str | int | float | bool, str | int | float]] = {}
    defaults: dict[str, str | int | float] = {}
    skip_rows: int = Field(0, ge=0)
    drop_columns: list[str] = []


def load_mapping(mapping) -> DataMapping:
    """A :class:`DataMapping` from a YAML file path, a dict, or one already built.

    Raises
    ------
    UserError
        For a missing or malformed file, naming the file and the field.
    """
    if mapping is None:
        return DataMapping()
    if isinstance(mapping, DataMapping):
        return mapping
    name = "the mapping"
    if isinstance(mapping, (str, Path)):
        name = str(mapping)
        try:
            mapping = yaml.safe_load(Path(mapping).read_text(encoding="utf-8")) or {}
        except FileNotFoundError:
            raise UserError(f"{name}: mapping file not found; check the path given to --mapping.") from None
        except yaml.YAMLError as error:
            raise UserError(f"{name}: not valid YAML ({error}).") from None
    if not isinstance(mapping, dict):
        raise UserError(f"{name}: expected a mapping with keys columns, values, defaults, skip_rows, "
                        "drop_columns (see docs/data-mapping.md).")
    try:
        return DataMapping.model_validate(mapping)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise UserError(f"{name}: {problems} (see docs/data-mapping.md)") from None


def _as_key(value) -> str:
    text = str(value).strip()
    return text[:-2] if text.endswith(".0") else text


def apply_mapping(data: pd.DataFrame, mapping) -> pd.DataFrame:
    """Rename, drop, recode and fill columns as the mapping says; returns a new DataFrame.

    Examples
    --------
    >>> raw = pd.DataFrame({"Cond": [1, 2, 1], "Q1": [5, 6, 7]})
    >>> apply_mapping(raw, {"columns": {"Cond": "channel", "Q1": "att_1"},
    ...                     "values": {"channel": {1: "public", 2: "private"}},
    ...                     "defaults": {"lang": "nl"}})
       channel  att_1 lang
    0   public      5   nl
    1  private      6   nl
    2   public      7   nl
    """
    mapping = load_mapping(mapping)
    missing = [c for c in [*mapping.columns, *mapping.drop_columns] if c not in data.columns]
    if missing:
        raise UserError(f"the mapping names column(s) {', '.join(map(repr, missing))} that the data do not "
                        f"have; the data's columns are: {', '.join(map(str, data.columns))}.")
    frame = data.drop(columns=mapping.drop_columns).rename(columns=mapping.columns)
    for column, recode in mapping.values.items():
        if column not in frame.columns:
            raise UserError(f"the mapping recodes values of column {column!r}, which the data do not have "
                            "(after renaming); check `values:` in the mapping file.")
        table = {_as_key(source): target for source, target in recode.items()}
        original = frame[column]
        keys = original.map(lambda v: None if pd.isna(v) else _as_key(v))
        frame[column] = [table.get(k, v) if k is not None else v for k, v in zip(keys, original.astype("object"))]
    for column, value in mapping.defaults.items():
        if column not in frame.columns:
            frame[column] = value
    return frame


def required_columns(study: Study) -> dict[str, str]:
    """The columns the study's analysis cannot do without: column -> why it is needed.

    Scale columns may be given instead of their items. The factor columns may be
    derived from ``condition`` and vice versa, so neither is listed here.

    >>> sorted(required_columns(__import__("study").load_study("tilburg")))
    ['attitude', 'attn_1', 'pk_scale', 'pk_strategic']
    """
    needed: dict[str, str] = {}
    plan = study.analysis
    for hypothesis in plan.hypotheses:
        if isinstance(hypothesis, AnovaHypothesis):
            needed.setdefault(hypothesis.dv, f"the outcome of {hypothesis.id}")
            continue
        needed.setdefault(hypothesis.y, f"the outcome of {hypothesis.id}")
        for m in hypothesis.mediators + getattr(hypothesis, "secondary_mediators", []):
            needed.setdefault(m, f"a mediator of {hypothesis.id}")
        if hypothesis.kind == "process":
            for role in ("w", "z"):
                name = getattr(hypothesis, role)
                if name is not None and name not in study.factor_names:
                    needed.setdefault(name, f"a moderator of {hypothesis.id}")
    if "attention" in plan.exclude_on and study.checks.attention:
        needed.setdefault(study.checks.attention.item, "the attention check (analysis.exclude_on)")
    if "manipulation" in plan.exclude_on:
        for check in study.checks.manipulation:
            needed.setdefault(check.item, "a manipulation check (analysis.exclude_on)")
    return needed


def _check_and_complete(frame: pd.DataFrame, study: Study, name: str) -> pd.DataFrame:
    frame = frame.copy()
    factors = study.factor_names
    if "condition" not in frame.columns and set(factors) <= set(frame.columns):
        frame["condition"] = frame[factors].astype("object").astype(str).agg("-".join, axis=1)
    if "condition" in frame.columns:
        parts = frame["condition"].astype("object").astype(str).str.split("-", expand=True)
        for index, factor in enumerate(factors):
            if factor not in frame.columns and index < parts.shape[1]:
                frame[factor] = parts[index]
    if not set(factors) <= set(frame.columns):
        raise UserError(f"{name}: the data have neither a 'condition' column nor the factor column(s) "
                        f"{', '.join(map(repr, factors))}; " + HINT.format(column="condition"))
    for factor in study.factors:
        values = set(frame[factor.name].dropna().astype("object").astype(str))
        unknown = sorted(values - set(factor.level_names))
        if unknown:
            raise UserError(f"{name}: column {factor.name!r} holds {', '.join(map(repr, unknown))}, which are "
                            f"not levels of the factor ({', '.join(factor.level_names)}); recode them with "
                            f"`values: {{{factor.name}: {{{unknown[0]}: {factor.level_names[0]}}}}}` in a mapping "
                            "file (--mapping); see docs/data-mapping.md.")
    questionnaire = study.questionnaire
    for column, why in required_columns(study).items():
        if column in frame.columns:
            continue
        scale = next((s for s in questionnaire.scales if s.id == column), None)
        if scale is not None and set(scale.items) <= set(frame.columns):
            continue
        if column in ("pk_strategic", "pk_any") and "reason" in frame.columns:
            continue  # coded from the free-text reasons
        alternative = (f" (or all items of the scale: {', '.join(scale.items)})" if scale is not None
                       else " (or the free-text column 'reason' to code it from)" if column == "pk_strategic"
                       else "")
        raise UserError(f"{name}: required column {column!r}{alternative} is missing; it is {why}. "
                        + HINT.format(column=column))
    if "participant_id" not in frame.columns:
        frame.insert(0, "participant_id", [f"p{i + 1:04d}" for i in range(len(frame))])
    return frame


def load_data(data, study: Study, mapping=None, *, source: dict | None = None) -> pd.DataFrame:
    """Read (a path) or take (a DataFrame) the data, apply the mapping, check the columns.

    ``source``, if given, receives ``sha256`` of the file read (for the manifest).

    Raises
    ------
    UserError
        A file that cannot be read, or a required column that is missing.
    """
    mapping = load_mapping(mapping)
    if isinstance(data, pd.DataFrame):
        frame, name = data, "the data"
    else:
        path = Path(data)
        name = str(path)
        try:
            raw = path.read_bytes()
            frame = pd.read_csv(path, skiprows=range(1, 1 + mapping.skip_rows))
        except FileNotFoundError:
            raise UserError(f"{name}: data file not found; check the path.") from None
        except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as error:
            raise UserError(f"{name}: cannot read it as a CSV file ({error}).") from None
        if source is not None:
            source["sha256"] = hashlib.sha256(raw).hexdigest()
    return _check_and_complete(apply_mapping(frame, mapping), study, name)
