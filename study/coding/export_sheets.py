"""Blind coding sheets out: one sheet per coder, the codebook and a private key.

See :mod:`study.coding` for the whole workflow; users import
:func:`export_coding_sheets` as ``study.export_coding_sheets``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from questionnaires.coding import MotiveCodebook, load_motive_codebook
from study.coding.files import ENCODING, CodingSheetError, _read_data, neutralise_formula


@dataclass
class SheetExport:
    """Files written by :func:`export_coding_sheets`."""

    sheets: list[Path]
    codebook: Path
    key: Path
    n_units: int


def _units(data: pd.DataFrame, id_column: str, text_column: str) -> pd.DataFrame:
    for column in (id_column, text_column):
        if column not in data.columns:
            raise CodingSheetError(
                f"the data have no column {column!r}; coding needs {id_column!r} and the "
                f"free-text column {text_column!r} (canonical data set)"
            )
    ids = data[id_column]
    if ids.isna().any() or ids.duplicated().any():
        bad = ids[ids.isna() | ids.duplicated()].astype(str).unique()[:5]
        raise CodingSheetError(f"column {id_column!r} must be unique and filled; problem values: {', '.join(bad)}")
    text = data[text_column].astype("string").str.strip()
    return data.loc[text.notna() & (text != "")]


def export_coding_sheets(
    data,
    out_dir,
    *,
    coders: int = 2,
    seed: int,
    codebook: MotiveCodebook | None = None,
    id_column: str = "participant_id",
    text_column: str = "reason",
    overwrite: bool = False,
) -> SheetExport:
    """Write blind coding sheets, one per coder, plus ``codebook.md`` and ``key.csv``.

    Parameters
    ----------
    data : DataFrame or path
        The canonical data set (needs ``participant_id`` and ``reason``). Rows with an
        empty reason are left out (nothing to code).
    out_dir : path
        Folder for ``coder_1.csv`` ... ``coder_K.csv``, ``codebook.md`` and ``key.csv``.
    coders : int
        Number of coders (sheets), at least 1.
    seed : int
        Seeds the unit ids and each sheet's row order (same seed, same files).
    overwrite : bool
        Replace existing sheets in ``out_dir`` (refused by default: they may hold work).

    Returns
    -------
    SheetExport

    Notes
    -----
    A sheet has ``unit_id``, ``lang`` (when the data have it), ``reason``, one empty
    column per category (``code_<id>``, to fill with 1 = present, 0 or blank = absent)
    and ``notes``. Nothing else is copied: condition, factors, scores and ids stay in
    the data; ``key.csv`` is for the researcher, not the coders.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> data = pd.DataFrame({"participant_id": ["p1", "p2"], "condition": ["public", "private"],
    ...                      "lang": ["en", "nl"], "reason": ["Free advertising", "=privacy"]})
    >>> out = export_coding_sheets(data, tempfile.mkdtemp(), coders=2, seed=1)
    >>> sheet = pd.read_csv(out.sheets[0], encoding="utf-8-sig", dtype=str)
    >>> list(sheet.columns)[:3], "condition" in sheet.columns, sorted(sheet["reason"])
    (['unit_id', 'lang', 'reason'], False, ["'=privacy", 'Free advertising'])
    """
    if not isinstance(coders, (int, np.integer)) or isinstance(coders, bool) or coders < 1:
        raise CodingSheetError(f"coders must be a whole number of at least 1; got {coders!r}")
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise CodingSheetError(f"seed must be a whole number of 0 or more; got {seed!r}")
    codebook = codebook or load_motive_codebook()
    units = _units(_read_data(data), id_column, text_column)
    if units.empty:
        raise CodingSheetError(f"no row has a non-empty {text_column!r}: nothing to code")
    out = Path(out_dir)
    paths = [out / f"coder_{k}.csv" for k in range(1, coders + 1)]
    existing = [p.name for p in paths + [out / "key.csv"] if p.exists()]
    if existing and not overwrite:
        raise CodingSheetError(
            f"{out}: {', '.join(existing)} already exist and may hold coding work; "
            "choose another folder or pass overwrite=True (--force)"
        )
    rng = np.random.default_rng(seed)
    width = max(4, len(str(len(units))))
    numbers = rng.permutation(len(units)) + 1
    unit_ids = [f"U{n:0{width}d}" for n in numbers]
    base = pd.DataFrame({"unit_id": unit_ids})
    if "lang" in units.columns:
        base["lang"] = units["lang"].to_numpy()
    base["reason"] = [neutralise_formula(str(t)) for t in units[text_column]]
    for column in codebook.columns:
        base[column] = ""
    base["notes"] = ""
    try:
        out.mkdir(parents=True, exist_ok=True)
        for k, path in enumerate(paths, start=1):
            order = np.random.default_rng([seed, k]).permutation(len(base))
            base.iloc[order].to_csv(path, index=False, encoding=ENCODING)
        key = pd.DataFrame({"unit_id": unit_ids, id_column: units[id_column].to_numpy()})
        key.sort_values("unit_id").to_csv(out / "key.csv", index=False, encoding=ENCODING)
        langs = [x for x in ("en", "nl") if "lang" not in units.columns or x in set(units["lang"])] or ["en"]
        manual = "\n\n".join(codebook.to_markdown(lang) for lang in langs)
        (out / "codebook.md").write_text(manual, encoding="utf-8")
    except OSError as error:
        raise CodingSheetError(f"{out}: cannot write the coding sheets ({error.strerror or error})") from None
    return SheetExport(paths, out / "codebook.md", out / "key.csv", len(base))
