"""Shared by the coding-sheet modules: the CSV conventions, the error class and readers.

Sheets are CSV in UTF-8 with a byte-order mark (``utf-8-sig``) so that spreadsheet
programs show accents correctly; text cells a spreadsheet would run as a formula
(starting with ``= + - @``, a tab or a carriage return) get a leading apostrophe.
Hand-filled sheets are read back with ``,`` or ``;`` as separator.

>>> neutralise_formula("+31 6 1234")
"'+31 6 1234"
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from study.errors import UserError

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ENCODING = "utf-8-sig"


class CodingSheetError(UserError):
    """Coding sheets, a key or a resolution file that cannot be used as given."""


def neutralise_formula(value):
    """Prefix an apostrophe to text a spreadsheet would evaluate as a formula.

    >>> neutralise_formula("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise_formula("gewoon tekst")
    'gewoon tekst'
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _read_data(data) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data
    path = Path(data)
    try:
        return pd.read_csv(path, encoding=ENCODING)
    except FileNotFoundError:
        raise CodingSheetError(f"{path}: data file not found") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        raise CodingSheetError(f"{path}: not a readable CSV file ({error})") from None


def _read_filled(path) -> pd.DataFrame:
    """A CSV filled in by hand: all text, "," or ";" separated (spreadsheets in a Dutch
    locale save with ";"), with or without a byte-order mark."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding=ENCODING, sep=None, engine="python")
