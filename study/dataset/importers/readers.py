"""Read a data file into one :class:`RawTable`, whatever wrote it.

CSV and TSV (any of ``,`` ``;`` tab ``|``, UTF-8 or UTF-16), SPSS ``.sav``/``.zsav``,
Stata ``.dta`` and Excel ``.xlsx`` are read with well-kept readers (the csv module,
pyreadstat, openpyxl through pandas); the format is told from the file's bytes.
Header rows are recognised (:func:`study.dataset.importers.qualtrics.qualtrics_header`),
never skipped by count; repeated column names are refused, never renamed behind the
user's back. Values are kept as read (text, numbers); variable labels, value labels
and missing-value declarations are kept beside them.

The index of :attr:`RawTable.frame` is the row of the file each participant is on
(the line of a text file, the row of a sheet, the case number of SPSS/Stata), so that
messages and the import report can point at it.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "data.csv"
>>> _ = path.write_text("id;score;note\\n1;5;fine\\n2;;\\n", encoding="utf-8")
>>> table = read_table(path)
>>> table.delimiter, table.frame.index.tolist(), table.frame["score"].tolist(), table.frame["id"].tolist()
(';', [2, 3], [5.0, nan], [1, 2])
"""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from study.dataset.importers.detection import FORMAT_NAMES, decode_text, detect_format, sniff_delimiter
from study.dataset.importers.naming import elide
from study.dataset.importers.qualtrics import qualtrics_header
from study.errors import UserError

__all__ = ["RawTable", "read_table"]

_ADVICE = {
    "xls": "save it as .xlsx or CSV and import that",
    "ods": "save it as .xlsx or CSV and import that",
    "por": "save it as .sav in SPSS or PSPP and import that",
    "zip": "unzip it and import the data file inside",
    "qsf": "give it with --survey, and the data file (CSV/TSV export) as FILE",
    "lss": "give it with --survey, and the data file (response export) as FILE",
    "pdf": "export the data as CSV, .sav or .xlsx",
    "binary": "export the data as CSV, .sav, .dta or .xlsx",
}


@dataclass
class RawTable:
    """A data file as read: values, labels and where each row came from.

    Attributes
    ----------
    path : Path
    format : str
        Key of :data:`~study.dataset.importers.detection.FORMAT_NAMES` (``text``, ``sav``, ...).
    frame : DataFrame
        One column per column of the file, index = row of the file.
    header_rows : int
        Rows at the top that are not participants (1: the names only).
    header_form : str
        ``names`` or a Qualtrics form (``3-row``, ``2-row``, ``legacy 2-row``, ``1-row``).
    labels : dict
        Column -> question text or variable label.
    import_ids : dict
        Column -> Qualtrics ImportId (``QID3_1``).
    value_labels : dict
        Column -> {code: label} (SPSS/Stata).
    declared_missing : dict
        Column -> missing codes the file itself declares (SPSS user-missing values).
    notes : list of str
        What the reader did, for the report.
    """

    path: Path
    format: str
    frame: pd.DataFrame
    header_rows: int = 1
    header_form: str = "names"
    labels: dict = field(default_factory=dict)
    import_ids: dict = field(default_factory=dict)
    value_labels: dict = field(default_factory=dict)
    declared_missing: dict = field(default_factory=dict)
    measures: dict = field(default_factory=dict)
    encoding: str | None = None
    delimiter: str | None = None
    notes: list = field(default_factory=list)

    @property
    def kind(self) -> str:
        """What the file is, in words."""
        return FORMAT_NAMES.get(self.format, self.format)


def read_table(path, *, skip_rows: int | None = None) -> RawTable:
    """Read a data file; see the module docstring.

    Parameters
    ----------
    skip_rows : int, optional
        Rows under the names that are not data, when the caller knows (a mapping file's
        ``skip_rows``). They are checked: a row that looks like the data under it is
        refused rather than dropped. ``None`` detects them.

    Raises
    ------
    UserError
        A missing file, a format replylab does not read (saying what the file is),
        repeated column names, or rows of unequal length; short, naming the file, the
        column and the row.
    """
    path = Path(path)
    kind = detect_format(path)
    if kind in ("sav", "zsav", "dta"):
        return _read_statistics_file(path, kind)
    if kind == "xlsx":
        rows, starts, note = _xlsx_rows(path)
        table = _from_rows(path, kind, (rows, starts), skip_rows)
        table.notes.append(note)
        return table
    if kind != "text":
        suffix = path.suffix.lower()
        named = f" although it is named {suffix}" if suffix and suffix not in (f".{kind}",) else ""
        raise UserError(f"{path}: this is {FORMAT_NAMES[kind]}{named}, not a data table replylab reads; "
                        f"{_ADVICE.get(kind, 'export the data as CSV')}.")
    raw = path.read_bytes()
    text, encoding = decode_text(raw)
    if not text.strip():
        raise UserError(f"{path}: the file is empty.")
    lines = text.splitlines()[:6]
    delimiter = sniff_delimiter(lines)
    records, starts = [], []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    try:
        for record in reader:
            if record:
                records.append(record)
                starts.append(line)
            line = reader.line_num + 1
    except csv.Error as error:
        raise UserError(f"{path}: row {line}: cannot be read as a {_delimiter_name(delimiter)}-separated "
                        f"table ({error}).") from None
    table = _from_rows(path, "text", (records, starts), skip_rows)
    table.encoding, table.delimiter = encoding, delimiter
    table.notes.insert(0, f"text encoding {encoding}, columns separated by {_delimiter_name(delimiter)}")
    return table


def _delimiter_name(delimiter: str) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}[delimiter]


def _xlsx_rows(path: Path) -> tuple[list[list[str]], list[int], str]:
    try:
        sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=object, engine="openpyxl")
    except ImportError as error:  # pragma: no cover - openpyxl is a dependency
        raise UserError(f"{path}: reading Excel files needs openpyxl ({error}).") from None
    except Exception as error:  # a broken workbook: openpyxl raises many kinds
        raise UserError(f"{path}: cannot read the workbook ({type(error).__name__}: {error}).") from None
    name, sheet = next(iter(sheets.items()))
    rows, starts = [], []
    for number, values in enumerate(sheet.itertuples(index=False), start=1):
        cells = [_cell_text(value) for value in values]
        if any(cells):
            rows.append(cells)
            starts.append(number)
    note = f"sheet {name!r} read" + (f" (the first of {len(sheets)}: {elide(list(sheets))})"
                                     if len(sheets) > 1 else "")
    return rows, starts, note


def _cell_text(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, pd.Timestamp):
        return value.isoformat(sep=" ")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _from_rows(path: Path, kind: str, rows_and_starts, skip_rows: int | None) -> RawTable:
    records, starts = rows_and_starts
    if not records:
        raise UserError(f"{path}: the file has no rows.")
    header = qualtrics_header(records[:3])
    names = header.names if header else [cell.strip() for cell in records[0]]
    header_rows = header.rows if header else 1
    form = header.form if header else "names"
    if skip_rows is not None and skip_rows + 1 != header_rows:
        header_rows = _checked_skip(path, records, starts, names, skip_rows)
        form = f"{skip_rows + 1} rows (mapping skip_rows: {skip_rows})"
    names = _drop_trailing_empty(names, records[header_rows:])
    _refuse_duplicates(path, names)
    data = records[header_rows:]
    width = len(names)
    for record, start in zip(data, starts[header_rows:]):
        if len(record) > width and any(cell.strip() for cell in record[width:]):
            raise UserError(f"{path}: row {start} has {len(record)} values but the header names {width} "
                            "columns; check the delimiter and the quoting of that row.")
    columns = {name: [_value(record, i) for record in data] for i, name in enumerate(names)}
    frame = pd.DataFrame(columns, index=pd.Index(starts[header_rows:], name="row"), dtype=object)
    frame = frame.apply(_typed)
    table = RawTable(path, kind, frame, header_rows, form,
                     labels=dict(header.labels) if header else {},
                     import_ids=dict(header.import_ids) if header else {})
    return table


def _value(record: list[str], index: int) -> str:
    return record[index].strip() if index < len(record) else ""


def _drop_trailing_empty(names: list[str], data: list[list[str]]) -> list[str]:
    """A trailing delimiter gives a last column with no name and no values: not a column."""
    while names and not names[-1].strip() and not any(_value(r, len(names) - 1) for r in data):
        names = names[:-1]
    return names


def _refuse_duplicates(path: Path, names: list[str]) -> None:
    counts = Counter(names)
    repeated = [name for name, n in counts.items() if n > 1]
    empty = [i + 1 for i, name in enumerate(names) if not name.strip()]
    if empty:
        raise UserError(f"{path}: column(s) {elide(empty)} have no name in the header row; name them "
                        "in the file (or delete them if they are empty).")
    if repeated:
        where = "; ".join(f"{name!r} (columns {', '.join(str(i + 1) for i, n in enumerate(names) if n == name)})"
                          for name in repeated[:3])
        more = f"; and {len(repeated) - 3} more repeated name(s): {elide(repeated[3:], limit=4)}" \
            if len(repeated) > 3 else ""
        raise UserError(f"{path}: column names repeat: {where}{more}. replylab does not rename them "
                        "silently: give each column its own name in the file (LimeSurvey: export "
                        "with question codes; Qualtrics: give each question its own export tag).")


def _checked_skip(path, records, starts, names, skip_rows: int) -> int:
    """``skip_rows`` from a mapping, checked: every skipped row must differ from the data."""
    data = records[1 + skip_rows:]
    for record, start in zip(records[1:1 + skip_rows], starts[1:1 + skip_rows]):
        if data and _looks_like_data(record, data):
            raise UserError(f"{path}: skip_rows: {skip_rows} would drop row {start}, which looks like a "
                            "participant's answers, not a header row; set skip_rows to the number of "
                            "header rows under the column names (0 for a file with one header row), or "
                            "leave it out and let replylab detect them.")
    return 1 + skip_rows


def _looks_like_data(row: list[str], data: list[list[str]]) -> bool:
    """Every column that holds numbers in the data holds a number (or nothing) in ``row``."""
    numeric_columns = [i for i in range(len(row))
                       if all(_is_number(_value(r, i)) for r in data[:50] if _value(r, i))
                       and any(_value(r, i) for r in data[:50])]
    return bool(numeric_columns) and all(_is_number(_value(row, i)) or not _value(row, i)
                                         for i in numeric_columns)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _typed(column: pd.Series) -> pd.Series:
    """Empty cells missing; a column whose every value is a number becomes numeric."""
    values = column.where(column.astype(str).str.len() > 0, np.nan)
    present = values.dropna()
    numbers = pd.to_numeric(present, errors="coerce")
    if len(present) and numbers.notna().all():
        result = pd.to_numeric(values, errors="coerce").astype(float)
        if result.notna().all() and (result == result.round()).all() and result.abs().max() < 2**53:
            return result.astype("int64")  # as pandas.read_csv types a complete column of whole numbers
        return result
    return values.astype(object)


def _read_statistics_file(path: Path, kind: str) -> RawTable:
    # pyreadstat is imported here: only SPSS and Stata files need it.
    import pyreadstat

    reader = pyreadstat.read_dta if kind == "dta" else pyreadstat.read_sav
    try:
        frame, meta = reader(str(path), user_missing=False)
        _, declared = reader(str(path), metadataonly=True, user_missing=True)
    except Exception as error:  # pyreadstat raises its own ReadstatError and others
        raise UserError(f"{path}: cannot read it as {FORMAT_NAMES[kind]} ({error}).") from None
    names = list(frame.columns)
    _refuse_duplicates(path, names)
    frame.index = pd.Index(range(1, len(frame) + 1), name="row")
    labels = {name: label for name, label in meta.column_names_to_labels.items() if label}
    missing = {}
    for name, ranges in (getattr(declared, "missing_ranges", None) or {}).items():
        missing[name] = [r["lo"] if r["lo"] == r["hi"] else (r["lo"], r["hi"]) for r in ranges]
    for name, values in (getattr(declared, "missing_user_values", None) or {}).items():
        missing.setdefault(name, []).extend(values)
    table = RawTable(path, kind, frame, 1, "names", labels=labels, value_labels=dict(meta.variable_value_labels),
                     declared_missing=missing, measures=dict(getattr(meta, "variable_measure", {}) or {}))
    table.notes.append(f"{len(frame.columns)} variables, {len(frame)} cases; variable and value labels kept")
    if missing:
        table.notes.append(f"user-missing values declared in the file read as missing: {elide(sorted(missing))}")
    return table
