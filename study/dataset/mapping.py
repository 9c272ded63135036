"""Bring a foreign CSV (a Qualtrics export, another lab's data) onto the canonical columns.

A mapping file (YAML, documented in ``docs/data-mapping.md``) keeps or drops rows,
declares missing codes, merges per-condition copies of a question, derives a column
from which columns were answered, renames columns, recodes values (also to missing),
fills constant columns and skips extra header rows; then
:func:`load_data` checks that every column the study's analysis needs is there
and raises a :class:`~study.errors.UserError` otherwise: every missing column and
every unknown condition value at once, each with the mapping line that would fix it.

>>> mapping = load_mapping({"columns": {"Cond": "channel"}, "values": {"channel": {1: "public", 2: "private"}}})
>>> mapping.columns
{'Cond': 'channel'}
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from study.design.schema import AnovaHypothesis, Study
from study.errors import UserError

__all__ = ["DataMapping", "load_mapping", "apply_mapping", "required_columns", "load_data"]


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
        needed.setdefault(study.checks.attention.item, "the attention check; analysis.exclude_on names it")
    if "manipulation" in plan.exclude_on:
        for check in study.checks.manipulation:
            needed.setdefault(check.item, "a manipulation check; analysis.exclude_on names it")
    return needed


#: Where the fix goes; every mapping problem ends with it.
MAPPING_ADVICE = "in a mapping file (--mapping MAP.yaml; see docs/data-mapping.md)"
#: How many problems, values or columns a message lists before eliding the rest.
LISTED = 6


def yaml_scalar(value) -> str:
    """``value`` written so that YAML reads back the same text (quoted when it must be).

    >>> yaml_scalar("Q5_1"), yaml_scalar(""), yaml_scalar("yes"), yaml_scalar("a: b"), yaml_scalar(2.0)
    ('Q5_1', '""', '"yes"', '"a: b"', '2')
    """
    text = _as_key(value)
    if re.fullmatch(r"[^\W][\w .\-/]*", text) and not text.endswith(" "):
        loaded = yaml.safe_load(text)
        if (isinstance(loaded, str) and loaded == text) or (
                isinstance(loaded, (int, float)) and not isinstance(loaded, bool) and _as_key(loaded) == text):
            return text
    return json.dumps(text, ensure_ascii=False)


def _elide(values, limit: int = LISTED) -> str:
    values = list(values)
    shown = ", ".join(values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


def _source_of(column: str, mapping: DataMapping) -> str:
    """The column of the file that became ``column`` (itself when not renamed)."""
    return next((source for source, target in mapping.columns.items() if target == column), column)


def _guess_source(column: str, frame: pd.DataFrame, taken: set[str]) -> str:
    """A column of the data that looks like ``column`` (``YOUR_COLUMN`` when none does)."""
    free = {str(c).casefold(): str(c) for c in frame.columns if str(c) not in taken}
    close = difflib.get_close_matches(column.casefold(), list(free), n=1, cutoff=0.75)
    return free[close[0]] if close else "YOUR_COLUMN"


def _where(frame: pd.DataFrame, hits: pd.Series, file_rows) -> str:
    """The first row (of the file) or participant holding a hit."""
    label = hits[hits].index[0]
    if file_rows is not None:
        return f"row {file_rows[label]}"
    if "participant_id" in frame.columns:
        return f"participant {frame.at[label, 'participant_id']}"
    return f"row {label} of the data frame"


def _missing_condition(frame: pd.DataFrame, study: Study) -> str:
    factors = study.factor_names
    named = [c for c in frame.columns if re.search(r"cond|group|treat|arm", str(c), flags=re.I)]
    guess = str(named[0]) if named else "YOUR_COLUMN"
    alternative = ("" if factors == ["condition"] else
                   f" (or the factor column{'s' if len(factors) > 1 else ''} {', '.join(map(repr, factors))})")
    return (f"column 'condition'{alternative} is missing: `columns: {{{yaml_scalar(guess)}: condition}}`, "
            "or `from_answered:` when the condition shows only in which questions were answered")


def _missing_required(frame: pd.DataFrame, study: Study, taken: set[str]) -> list[str]:
    problems = []
    questionnaire = study.questionnaire
    for column, why in required_columns(study).items():
        if column in frame.columns:
            continue
        scale = next((s for s in questionnaire.scales if s.id == column), None)
        if scale is not None and set(scale.items) <= set(frame.columns):
            continue
        if column in ("pk_strategic", "pk_any") and "reason" in frame.columns:
            continue  # coded from the free-text reasons
        present = [i for i in scale.items if i in frame.columns] if scale is not None else []
        if present:  # most of a scale is there: the missing items are what to map
            absent = [i for i in scale.items if i not in frame.columns]
            fix = ", ".join(f"{yaml_scalar(_guess_source(i, frame, taken))}: {i}" for i in absent[:3])
            problems.append(f"column {column!r} ({why}) is missing, and so {'are its items' if len(absent) > 1 else 'is its item'} "
                            f"{_elide(absent)}: `columns: {{{fix}}}`")
            continue
        alternative = (f"; or give its items {_elide(scale.items, 3)}" if scale is not None
                       else "; or give the free-text column 'reason' to code it from" if column == "pk_strategic"
                       else "")
        guess = yaml_scalar(_guess_source(column, frame, taken))
        problems.append(f"column {column!r} is missing ({why}{alternative}): `columns: {{{guess}: {column}}}`")
    return problems


def _likely_level(value: str, allowed: list[str], position: int) -> str:
    """The level a value most likely stands for: a near spelling, else the level in its position."""
    close = difflib.get_close_matches(value.strip().casefold(), allowed, n=1, cutoff=0.6)
    return close[0] if close else allowed[position % len(allowed)]


def _unknown_levels(frame: pd.DataFrame, study: Study, derived: bool, mapping: DataMapping, file_rows) -> list[str]:
    """Values of the condition or factor columns that are not the study's levels, with the fix."""
    if derived:  # the factors were split from 'condition': the values to recode are there
        checks = [("condition", study.condition_names, "conditions of the study")]
    else:
        checks = [(f.name, f.level_names, f"levels of the factor {f.name!r}") for f in study.factors]
    problems = []
    for column, allowed, what in checks:
        text = frame[column].map(lambda v: None if pd.isna(v) else str(v))
        unknown = sorted(set(text.dropna()) - set(allowed))
        if not unknown:
            continue
        hits = text.isin(unknown)
        shown = _elide(['""' if v == "" else repr(v) for v in unknown])
        fixes = []
        if "" in unknown:
            fixes.append(f"`drop: {{{yaml_scalar(_source_of(column, mapping))}: [\"\"]}}` for the rows "
                         "without one")
        filled = [v for v in unknown if v != ""]
        if filled:
            pairs = ", ".join(f"{yaml_scalar(v)}: {_likely_level(v, allowed, i)}" for i, v in enumerate(filled[:3]))
            fixes.append(f"`values: {{{column}: {{{pairs}}}}}` (each to its level)")
        problems.append(f"column {column!r} holds {shown} (first at {_where(frame, hits, file_rows)}), which are "
                        f"not {what} ({_elide(allowed)}): " + ", ".join(fixes))
    return problems


def _check_and_complete(frame: pd.DataFrame, study: Study, name: str, mapping: DataMapping | None = None,
                        file_rows=None) -> pd.DataFrame:
    """Derive ``condition`` or the factor columns from each other and check every column the
    analysis needs; all problems are reported at once, each with the mapping line that fixes it.

    ``file_rows``, if given, maps the frame's index to the rows of the file (for messages).
    """
    frame = frame.copy()
    mapping = mapping or DataMapping()
    factors = study.factor_names
    derived = False
    if "condition" not in frame.columns and set(factors) <= set(frame.columns):
        frame["condition"] = frame[factors].astype("object").astype(str).agg("-".join, axis=1)
    if "condition" in frame.columns and not set(factors) <= set(frame.columns):
        derived = True
        parts = frame["condition"].astype("object").astype(str).str.split("-", expand=True)
        for index, factor in enumerate(factors):
            if factor not in frame.columns:
                frame[factor] = parts[index] if index < parts.shape[1] else np.nan
    taken = set(mapping.columns.values()) | {str(c) for c in frame.columns if str(c) in _canonical_names(study)}
    problems = []
    if "condition" not in frame.columns:
        problems.append(_missing_condition(frame, study))
    else:
        problems += _unknown_levels(frame, study, derived, mapping, file_rows)
    problems += _missing_required(frame, study, taken)
    if len(problems) == 1:
        raise UserError(f"{name}: {problems[0]} {MAPPING_ADVICE}.")
    if problems:
        lines = [f"  - {p}" for p in problems[:LISTED]]
        if len(problems) > LISTED:
            lines.append(f"  - and {len(problems) - LISTED} more")
        raise UserError(f"{name}: {len(problems)} problems with the columns the study needs; fix them "
                        f"{MAPPING_ADVICE}:\n" + "\n".join(lines))
    if "participant_id" not in frame.columns:
        frame.insert(0, "participant_id", [f"p{i + 1:04d}" for i in range(len(frame))])
    return frame


def _canonical_names(study: Study) -> set[str]:
    questionnaire = study.questionnaire
    return ({"participant_id", "condition", *study.factor_names} | {i.id for i in questionnaire.items}
            | {s.id for s in questionnaire.scales})


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
    file_rows = None
    if isinstance(data, pd.DataFrame):
        frame, name = data, "the data"
    else:
        path = Path(data)
        name = str(path)
        # the importers' reader: CSV/TSV (header rows recognised), .sav, .dta, .xlsx
        from study.dataset.importers.readers import read_table

        table = read_table(path, skip_rows=mapping.skip_rows or None)
        file_rows = table.frame.index.to_numpy()
        frame = table.frame.reset_index(drop=True)
        raw = path.read_bytes()
        if source is not None:
            source["sha256"] = hashlib.sha256(raw).hexdigest()
    return _check_and_complete(apply_mapping(frame, mapping), study, name, mapping, file_rows)
