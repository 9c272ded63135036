"""What a file is, told from its first bytes (the name may lie), and how its text is written.

>>> detect_format_of_bytes(b"$FL2@(#) IBM SPSS STATISTICS")
'sav'
>>> detect_format_of_bytes(b"<stata_dta><header>")
'dta'
>>> detect_format_of_bytes("StartDate;EndDate\\n".encode())
'text'
>>> sniff_delimiter(['"id";"submitdate";"lastpage"', '"1";"2020-01-01";"3"'])
';'
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from study.errors import UserError

__all__ = ["FORMAT_NAMES", "detect_format", "detect_format_of_bytes", "decode_text", "sniff_delimiter"]

#: What each detected format is called in messages and the report.
FORMAT_NAMES = {
    "text": "a text table (CSV/TSV)",
    "sav": "an SPSS data file (.sav)",
    "zsav": "a compressed SPSS data file (.zsav)",
    "por": "an SPSS portable file (.por)",
    "dta": "a Stata data file (.dta)",
    "xlsx": "an Excel workbook (.xlsx)",
    "xls": "an Excel 97-2003 workbook (.xls)",
    "ods": "an OpenDocument spreadsheet (.ods)",
    "zip": "a zip archive",
    "qsf": "a Qualtrics survey definition (.qsf)",
    "lss": "a LimeSurvey survey definition (.lss)",
    "pdf": "a PDF document",
    "binary": "a binary file of a kind replylab does not read",
}

_STATA_OLD_VERSIONS = {0x71, 0x72, 0x73}  # formats 113, 114, 115


def detect_format_of_bytes(head: bytes) -> str:
    """The format of a file from its first bytes; see :data:`FORMAT_NAMES`."""
    if head.startswith(b"$FL2"):
        return "sav"
    if head.startswith(b"$FL3"):
        return "zsav"
    if head.startswith(b"<stata_dta>"):
        return "dta"
    if len(head) > 2 and head[0] in _STATA_OLD_VERSIONS and head[1] in (1, 2) and head[2] == 1:
        return "dta"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"  # refined by detect_format, which can open the archive
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"{") and b"SurveyEntry" in head:
        return "qsf"
    if text.startswith(b"<?xml") and b"LimeSurveyDocType" in head:
        return "lss"
    if b"SPSS PORT FILE" in head[:512]:
        return "por"
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary"
    return "text"


def detect_format(path: Path) -> str:
    """The format of the file at ``path`` (see :data:`FORMAT_NAMES`).

    Raises
    ------
    UserError
        The file does not exist or cannot be read.
    """
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except FileNotFoundError:
        raise UserError(f"{path}: file not found; check the path.") from None
    except OSError as error:
        raise UserError(f"{path}: cannot read it ({error.strerror}).") from None
    kind = detect_format_of_bytes(head)
    if kind == "zip":
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return "binary"
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "content.xml" in names and "mimetype" in names:
            return "ods"
    return kind


def decode_text(raw: bytes) -> tuple[str, str]:
    """The text of a file and the encoding used: UTF-8 (with or without BOM), UTF-16
    (Qualtrics' TSV export) or, failing those, Windows-1252."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "UTF-16"
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace"), "UTF-8 (with BOM)"
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace"), "Windows-1252"


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter (``,`` ``;`` tab ``|``) that splits the first lines into the most
    columns, the same number on every line (quoted fields are respected)."""
    sample = "\n".join(lines)
    best, best_score = ",", (0, 0)
    for delimiter in (",", ";", "\t", "|"):
        try:
            rows = [row for row in csv.reader(io.StringIO(sample), delimiter=delimiter) if row]
        except csv.Error:
            continue
        if not rows:
            continue
        widths = [len(row) for row in rows[:-1]] or [len(rows[0])]  # the last line may be cut
        consistent = sum(width == widths[0] for width in widths)
        score = (consistent if widths[0] > 1 else 0, widths[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best
