"""Bring a foreign CSV (a Qualtrics export, another lab's data) onto the canonical columns.

A mapping file (YAML, documented in ``docs/data-mapping.md``) keeps or drops rows,
declares missing codes, merges per-condition copies of a question, derives a column
from which columns were answered, renames columns, recodes values (also to missing),
fills constant columns and skips extra header rows; then
:func:`load_data` checks that every column the study's analysis needs is there
and raises a :class:`~study.errors.UserError` naming the first missing ones and
the mapping option otherwise.

>>> mapping = load_mapping({"columns": {"Cond": "channel"}, "values": {"channel": {1: "public", 2: "private"}}})
>>> mapping.columns
{'Cond': 'channel'}
"""

from __future__ import annotations

import difflib
import hashlib
from pathlib import Path
from typing import Literal

import numpy as np
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
    keep, drop : dict
        Row filters on source columns: ``{column: [values]}``; ``keep`` keeps only rows
        whose value is listed (``Finished: [true, 1]``), ``drop`` removes rows whose value
        is listed (``Status: [Survey Preview, 1]``). Matched on the value's text, ignoring case.
    missing : dict
        Missing codes: ``{column: [codes]}`` for source columns, ``all: [codes]`` for every
        column (e.g. ``all: [-99]``); a cell holding one becomes missing.
    merge : dict
        Canonical column -> source columns, the first answered one taken: the per-condition
        copies of one question (``att_1: [Q5_1, Q15_1]``). A row with different answers in
        two copies gets no answer (missing) and is logged.
    from_answered : dict
        Canonical column -> {value: [source columns]}: the value whose columns were answered
        (``condition: {public: [Q5_1, Q6], private: [Q15_1, Q16]}``).
    unmapped : {'keep', 'drop'}
        Source columns that no rename, merge or derivation names are kept (default) or left out.
    """

    model_config = ConfigDict(extra="forbid")

    columns: dict[str, str] = {}
    values: dict[str, dict[str | int | float | bool, str | int | float | None]] = {}
    defaults: dict[str, str | int | float] = {}
    skip_rows: int = Field(0, ge=0)
    drop_columns: list[str] = []
    keep: dict[str, list[str | int | float | bool]] = {}
    drop: dict[str, list[str | int | float | bool]] = {}
    missing: dict[str, list[str | int | float]] = {}
    merge: dict[str, list[str]] = {}
    from_answered: dict[str, dict[str, list[str]]] = {}
    unmapped: Literal["keep", "drop"] = "keep"

    def source_columns(self) -> list[str]:
        """Every source column the mapping names, in the order of its options."""
        named = [*self.columns, *self.drop_columns, *self.keep, *self.drop,
                 *(c for c in self.missing if c != "all")]
        named += [c for sources in self.merge.values() for c in sources]
        named += [c for levels in self.from_answered.values() for sources in levels.values() for c in sources]
        return list(dict.fromkeys(named))


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


def _key(value) -> str:
    """A value's text for matching filters and missing codes (``1.0`` -> ``1``, case folded)."""
    return _as_key(value).casefold()


def _answered(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    present = frame[columns].notna() & (frame[columns].astype("object").astype(str) != "")
    return present.any(axis=1)


def _check_named_columns(data: pd.DataFrame, mapping: DataMapping) -> None:
    missing = [c for c in mapping.source_columns() if c not in data.columns]
    if not missing:
        return
    hints = []
    for name in missing[:3]:
        close = difflib.get_close_matches(name, [str(c) for c in data.columns], n=1)
        if close:
            hints.append(f"{name!r}: did you mean {close[0]!r}?")
    listed = ", ".join(map(repr, missing[:8])) + (f" and {len(missing) - 8} more" if len(missing) > 8 else "")
    columns = [str(c) for c in data.columns]
    shown = ", ".join(columns[:12]) + (f" ... ({len(columns)} columns)" if len(columns) > 12 else "")
    raise UserError(f"the mapping names column(s) {listed} that the data do not have"
                    + (f" ({'; '.join(hints)})" if hints else "") + f"; the data's columns are: {shown}.")


def _filter_rows(frame: pd.DataFrame, mapping: DataMapping, log: list | None) -> pd.DataFrame:
    dropped = pd.Series(False, index=frame.index)
    for rule, filters in (("drop", mapping.drop), ("keep", mapping.keep)):
        for column, listed in filters.items():
            wanted = {_key(v) for v in listed}
            keys = frame[column].map(lambda v: "" if pd.isna(v) else _key(v))
            hit = keys.isin(wanted) if rule == "drop" else ~keys.isin(wanted)
            new = hit & ~dropped
            if log is not None:
                for row in frame.index[new]:
                    log.append({"row": row, "column": column, "value": frame.at[row, column], "rule": rule})
            dropped |= hit
    return frame.loc[~dropped]


def _declare_missing(frame: pd.DataFrame, mapping: DataMapping) -> pd.DataFrame:
    for column in frame.columns:
        codes = {_key(v) for v in [*mapping.missing.get("all", []), *mapping.missing.get(column, [])]}
        if codes:
            keys = frame[column].map(lambda v: None if pd.isna(v) else _key(v))
            frame[column] = frame[column].where(~keys.isin(codes), np.nan)
    return frame


def _derive_from_answered(frame: pd.DataFrame, mapping: DataMapping, log: list | None) -> pd.DataFrame:
    for target, levels in mapping.from_answered.items():
        answered = pd.DataFrame({level: _answered(frame, list(sources)) for level, sources in levels.items()})
        value = pd.Series(np.nan, index=frame.index, dtype=object)
        for level in answered.columns:
            value[answered[level] & (answered.sum(axis=1) == 1)] = level
        if log is not None:
            for row in answered.index[answered.sum(axis=1) > 1]:
                log.append({"row": row, "column": target, "rule": "from_answered",
                            "value": ", ".join(answered.columns[answered.loc[row]])})
        frame[target] = value
    return frame


def _merge_copies(frame: pd.DataFrame, mapping: DataMapping, log: list | None) -> pd.DataFrame:
    for target, sources in mapping.merge.items():
        block = frame[list(sources)].astype("object")
        block = block.where(block.astype(str) != "", np.nan)
        counts = block.notna().sum(axis=1)
        clash = [row for row in block.index[counts > 1] if block.loc[row].dropna().map(_as_key).nunique() > 1]
        merged = block.bfill(axis=1).iloc[:, 0] if len(sources) else pd.Series(np.nan, index=frame.index)
        merged[clash] = np.nan
        if log is not None:
            for row in clash:
                answers = ", ".join(f"{c}={block.at[row, c]!r}" for c in sources if pd.notna(block.at[row, c]))
                log.append({"row": row, "column": target, "rule": "merge", "value": answers})
        frame[target] = merged.infer_objects()
    return frame


def apply_mapping(data: pd.DataFrame, mapping, *, log: list | None = None) -> pd.DataFrame:
    """Filter rows, declare missing codes, merge, derive, rename, drop, recode and fill
    columns as the mapping says; returns a new DataFrame (the index is kept).

    ``log``, if given, receives one dict per row dropped by ``keep``/``drop`` (``row``,
    ``column``, ``value``, ``rule``) and per row whose ``from_answered`` value is unclear.

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
    _check_named_columns(data, mapping)
    frame = _filter_rows(data, mapping, log).copy()
    frame = _declare_missing(frame, mapping)
    frame = _derive_from_answered(frame, mapping, log)
    frame = _merge_copies(frame, mapping, log)
    merged = {c for sources in mapping.merge.values() for c in sources}
    merged |= {c for levels in mapping.from_answered.values() for sources in levels.values() for c in sources}
    made = set(mapping.merge) | set(mapping.from_answered)
    leave_out = [c for c in mapping.drop_columns if c not in made]
    leave_out += [c for c in merged if c not in mapping.columns and c not in made and c not in leave_out]
    if mapping.unmapped == "drop":
        leave_out += [c for c in frame.columns if c not in mapping.columns and c not in made
                      and c not in leave_out]
    frame = frame.drop(columns=[c for c in leave_out if c in frame.columns]).rename(columns=mapping.columns)
    for column, recode in mapping.values.items():
        if column not in frame.columns:
            raise UserError(f"the mapping recodes values of column {column!r}, which the data do not have "
                            "(after renaming); check `values:` in the mapping file.")
        table = {_as_key(source): target for source, target in recode.items()}
        original = frame[column]
        keys = original.map(lambda v: None if pd.isna(v) else _as_key(v))
        recoded = [table.get(k, v) if k is not None else v for k, v in zip(keys, original.astype("object"))]
        series = pd.Series(recoded, index=frame.index)
        frame[column] = series.where(series.notna(), np.nan).infer_objects() if series.dtype == object else series
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

    A path is read by :func:`study.dataset.importers.readers.read_table`: CSV or TSV
    (a Qualtrics export's extra header rows recognised; ``skip_rows`` checked against
    them), SPSS ``.sav``, Stata ``.dta`` or Excel ``.xlsx``.

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
        # the importers' reader: CSV/TSV (header rows recognised), .sav, .dta, .xlsx
        from study.dataset.importers.readers import read_table

        frame = read_table(path, skip_rows=mapping.skip_rows or None).frame.reset_index(drop=True)
        raw = path.read_bytes()
        if source is not None:
            source["sha256"] = hashlib.sha256(raw).hexdigest()
    return _check_and_complete(apply_mapping(frame, mapping), study, name)
